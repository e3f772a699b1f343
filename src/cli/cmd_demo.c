/* `precinct demo --data DIR`: fills a freshly initialised instance with the
 * demo state's counties (and, as modules arrive, their accounts and data). */
#include "cli/cli.h"
#include "precinct/counties.h"

#include <getopt.h>
#include <stdio.h>

static const char usage[] =
    "usage: precinct demo --data DIR\n"
    "\n"
    "Fills the instance in DIR (made by `precinct init`) with the demo state:\n"
    "five counties, a county admin (alder-admin) and a clerk (alder-clerk)\n"
    "for Alder, whose generated passwords are printed once. Refuses when the\n"
    "instance already has counties.\n";

static const struct { const char *name, *fips; } demo_counties[] = {
    {"Alder", "99001"}, {"Birch", "99003"}, {"Cedar", "99005"}, {"Dogwood", "99007"}, {"Elm", "99009"}};

static int count_county(const pc_county_t *county, void *context) {
  (void)county;
  (*(int *)context)++;
  return 0;
}

int pc_cmd_demo(int argc, char **argv) {
  static const struct option options[] = {
      {"data", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  const char *data_dir = NULL;
  int option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': data_dir = optarg; break;
    case 'h': fputs(usage, stdout); return PC_EXIT_OK;
    default: return pc_cli_usage_error("demo", "unknown option");
    }
  }
  if (optind != argc) return pc_cli_usage_error("demo", "unexpected argument '%s'", argv[optind]);
  pc_instance_t instance;
  pc_store_t *store;
  int code = pc_cli_open_store("demo", data_dir, &instance, &store);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  pc_actor_t actor;
  pc_audit_cli_actor(&actor);
  int existing = 0;
  int rc = pc_counties_each(store, count_county, &existing, &err);
  if (rc == 0 && existing > 0)
    rc = pc_error_set_at(&err, PC_ESTATE, data_dir, 0, "--data", "the instance has counties already; demo needs a new one");
  for (size_t i = 0; rc == 0 && i < sizeof demo_counties / sizeof demo_counties[0]; i++)
    rc = pc_counties_create(store, &actor, demo_counties[i].name, demo_counties[i].fips, NULL, &err);
  if (rc == 0) printf("Demo state: %zu counties created.\n", sizeof demo_counties / sizeof demo_counties[0]);
  if (rc == 0) rc = pc_cli_create_user(&instance, store, "alder-admin", "county_admin", "Alder", &err);
  if (rc == 0) rc = pc_cli_create_user(&instance, store, "alder-clerk", "clerk", "Alder", &err);
  pc_store_close(store);
  if (rc != 0) return pc_cli_fail(&err);
  return PC_EXIT_OK;
}
