/* `precinct demo`'s election night: the demo definition, a live switch, partial
 * returns and one signed publication, so the results site looks like election
 * night. The two admins of the two-person rule are demo actors, marked as such
 * in the audit log. */
#include "cli/demo_election.h"
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/elections.h"
#include "precinct/results.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct names {
  char **list;
  size_t count;
} names_t;

static int collect(const pc_county_t *county, void *context) {
  names_t *n = context;
  n->list = pc_xreallocarray(n->list, n->count + 1, sizeof *n->list);
  n->list[n->count++] = pc_xstrdup(county->name);
  return 0;
}

int pc_cli_demo_election(const pc_instance_t *instance, pc_store_t *store, const pc_actor_t *actor, int precincts,
                         pc_error_t *err) {
  names_t names = {NULL, 0};
  int rc = pc_counties_each(store, collect, &names, err);
  pc_election_model_t model;
  int64_t election = 0;
  if (rc == 0 && names.count > 0) {
    pc_elections_demo_model((const char *const *)names.list, names.count, precincts, &model);
    /* Election night is tonight: polls closed an hour ago. */
    char closed[PC_RFC3339_SIZE];
    pc_clock_format_rfc3339(pc_clock_now() - 3600, closed);
    pc_strlcpy(model.election.poll_close_at, closed, sizeof model.election.poll_close_at);
    pc_strlcpy(model.election.date, closed, 11);
    rc = pc_elections_save(store, actor, &model, &election, err);
    pc_elections_model_free(&model);
  }
  for (size_t i = 0; i < names.count; i++) free(names.list[i]);
  free(names.list);
  if (rc != 0 || election == 0) return rc;
  pc_buf_t zero;
  pc_buf_init(&zero, 0);
  rc = pc_results_go_live(store, actor, election, &zero, err);
  pc_buf_free(&zero);
  if (rc == 0) rc = pc_results_demo_returns(store, actor, election, 60, err);
  if (rc == 0) rc = pc_results_demo_cvrs(store, actor, election, 2, err); /* ranked choice: 2 counties' CVRs */
  pc_actor_t alice = {0, "demo:alice", "state_admin", NULL}, bob = {0, "demo:bob", "state_admin", NULL};
  char key_path[1200];
  pc_instance_key_path(instance, "publish_ed25519.key", key_path, sizeof key_path);
  pc_results_publish_report_t report;
  if (rc == 0) rc = pc_results_publish(store, key_path, &alice, election, &report, err);
  if (rc == 0 && !report.published) rc = pc_results_approve(store, key_path, &bob, report.approval_id, &report, err);
  if (rc == 0)
    printf("Demo election: 2026 General Election, live, partial returns, publication %lld "
           "(export it with `precinct results export --static OUT`).\n", (long long)report.number);
  return rc;
}
