/* `precinct voters applications process|list|approve|deny`: the online
 * registration applications from the CLI (the same steps as the county
 * review page). Never prints an ID number or a birth date. */
#include "cli/cli.h"
#include "cli/voters_cli.h"

#include "precinct/buf.h"
#include "precinct/voters_applications.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: precinct voters applications ACTION --data DIR [options]\n"
    "\n"
    "  process [--county NAME] [--limit N]   verify received applications against the roll\n"
    "  list    [--county NAME]               applications waiting for a decision\n"
    "  approve --county NAME [--precinct CODE] [--mail-confirmed] ID\n"
    "          register / update / cancel (new needs --precinct unless the county's\n"
    "          street index has the address; a cancellation\n"
    "          needs --mail-confirmed: the applicant answered the letter)\n"
    "  deny    --county NAME --reason CODE ID\n"
    "\n"
    "Reasons: not_eligible_age, not_citizen, not_resident, duplicate, identity_not_verified,\n"
    "incomplete, withdrawn. See docs/voters.md (Online registration).\n";

static int print_app(void *context, const pc_voter_app_summary_t *a) {
  (void)context;
  char street[48] = "";
  if (a->street_index == PC_APP_STREETS_FOUND) pc_snprintf(street, sizeof street, " precinct %s (street index)", a->street_precinct);
  if (a->street_index == PC_APP_STREETS_NOT_IN_INDEX) pc_strlcpy(street, " not in the street index", sizeof street);
  printf("%lld\t%s\t%s\t%s\t%s\t%lld\t%s\t%s%s%s%s\n", (long long)a->id, a->confirmation, a->kind, a->status, a->name,
         (long long)a->birth_year, a->address, a->review_note, a->match_ncid[0] ? " match " : "", a->match_ncid, street);
  return 0;
}

int pc_voters_cli_applications(int argc, char **argv) {
  static const struct option options[] = {{"data", required_argument, NULL, 'd'},  {"county", required_argument, NULL, 'c'},
                                          {"limit", required_argument, NULL, 'l'}, {"precinct", required_argument, NULL, 'p'},
                                          {"reason", required_argument, NULL, 'r'}, {"mail-confirmed", no_argument, NULL, 'm'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  if (argc < 2 || pc_cli_is_help(argv[1])) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? PC_EXIT_USAGE : PC_EXIT_OK;
  }
  const char *action = argv[1];
  if (strcmp(action, "process") != 0 && strcmp(action, "list") != 0 && strcmp(action, "approve") != 0 &&
      strcmp(action, "deny") != 0)
    return pc_cli_usage_error("voters applications", "unknown action \"%s\"", action);
  const char *data_dir = NULL, *county = NULL, *precinct = NULL, *reason = NULL;
  long long limit = 10000;
  int option, mail_confirmed = 0;
  optind = 2;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': data_dir = optarg; break;
    case 'c': county = optarg; break;
    case 'p': precinct = optarg; break;
    case 'r': reason = optarg; break;
    case 'm': mail_confirmed = 1; break;
    case 'l':
      if (pc_parse_int64(optarg, 1, 10000000, &limit) != 0)
        return pc_cli_usage_error("voters applications", "--limit: expected 1-10000000");
      break;
    case 'h': fputs(usage, stdout); return PC_EXIT_OK;
    default: return pc_cli_usage_error("voters applications", "unknown option");
    }
  }
  int deciding = strcmp(action, "approve") == 0 || strcmp(action, "deny") == 0;
  long long id = 0;
  if (deciding) {
    if (county == NULL) return pc_cli_usage_error("voters applications", "%s needs --county", action);
    if (optind + 1 != argc || pc_parse_int64(argv[optind], 1, INT64_MAX, &id) != 0)
      return pc_cli_usage_error("voters applications", "expected one application id");
  } else if (optind != argc) {
    return pc_cli_usage_error("voters applications", "unexpected argument '%s'", argv[optind]);
  }
  pc_voters_cli_t c;
  int code = pc_voters_cli_open("voters applications", data_dir, county, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int rc;
  if (strcmp(action, "process") == 0) {
    int64_t processed = 0;
    rc = pc_voters_app_process(&c.voters, (int)limit, &processed, &err);
    if (rc == 0) printf("Verified %lld applications\n", (long long)processed);
  } else if (strcmp(action, "list") == 0) {
    rc = pc_voters_app_each_open(&c.voters, (int)limit, 1, print_app, NULL, &err);
  } else if (strcmp(action, "approve") == 0) {
    int64_t voter_id = 0;
    rc = pc_voters_app_approve(&c.voters, id, precinct, mail_confirmed, &voter_id, &err);
    if (rc == 0) printf("Application %lld approved: voter %lld\n", id, (long long)voter_id);
  } else {
    rc = pc_voters_app_deny(&c.voters, id, reason, &err);
    if (rc == 0) printf("Application %lld denied (%s)\n", id, reason);
  }
  pc_voters_cli_close(&c);
  return rc != 0 ? pc_cli_fail(&err) : PC_EXIT_OK;
}
