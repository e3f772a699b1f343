/* `precinct results SUBCOMMAND`: county returns ingest, status, publishing
 * (with the second-admin approval), static site export and offline
 * verification of an exported site. */
#include "cli/cli.h"
#include "cli/subcommand.h"
#include "precinct/results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: precinct results ingest  --data DIR --county NAME [--election ID] FILE\n"
    "       precinct results status  --data DIR [--election ID]\n"
    "       precinct results publish --data DIR [--election ID] [--approve REQUEST]\n"
    "       precinct results export  --data DIR [--election ID] --static OUT\n"
    "       precinct results verify  OUT [--key HEX]\n"
    "\n"
    "ingest   checks a county's returns file (CSV, or ERR JSON) and stores it as the\n"
    "         county's current returns; the whole file is rejected, with line and\n"
    "         reason, on the first problem. The same file again changes nothing; a\n"
    "         corrected file replaces the earlier one as a new version. Cast vote\n"
    "         records (NIST SP 1500-103 CDF JSON or XML, or a Dominion export as\n"
    "         one .zip; recognised by content) are stored instead as the\n"
    "         county's CVRs of its ranked-choice contests.\n"
    "status   precincts reporting per county, uploads and pending approvals.\n"
    "publish  freezes the current results as the next signed publication. Refused\n"
    "         before polls close. The first publication (and any that changes a\n"
    "         certified contest) needs a second admin: publish then records a\n"
    "         request, prints its number and exits 1; another admin runs\n"
    "         `precinct results publish --approve REQUEST` to publish it.\n"
    "export   writes the current publication's whole site to OUT.vN and points the\n"
    "         symlink OUT at it atomically.\n"
    "verify   checks every file hash in OUT/manifest.txt and the Ed25519 signature;\n"
    "         exits 0 only when all check. --key gives the public key (hex) to trust\n"
    "         instead of OUT/publish_ed25519.pub.\n";

typedef struct options {
  const char *data_dir, *election, *county, *out, *key;
  long long approve;
} options_t;

static int verify(const char *dir, const char *key) {
  pc_buf_t problems;
  pc_buf_init(&problems, 0);
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_results_verify_dir(dir, key, &problems, &err);
  fputs(pc_buf_str(&problems), stderr);
  pc_buf_free(&problems);
  if (rc != 0) return pc_cli_fail(&err);
  printf("%s: every file matches manifest.txt and its Ed25519 signature is valid.\n", dir);
  return PC_EXIT_OK;
}

static int status(pc_store_t *store, int64_t election, pc_error_t *err) {
  pc_results_t r;
  int rc = pc_results_load(store, election, &r, err);
  if (rc != 0) return rc;
  const pc_election_model_t *m = &r.model;
  printf("%s (%s), mode %s, polls close %s\n", m->election.name, m->election.code, m->election.mode,
         m->election.poll_close_at[0] ? m->election.poll_close_at : "(not set)");
  printf("%-20s %10s %12s %12s\n", "COUNTY", "REPORTING", "BALLOTS", "REGISTERED");
  for (int county = 0; county <= (int)m->county_count; county++) {
    int level = county < (int)m->county_count ? county : -1;
    long reported = 0, all = 0;
    for (size_t p = 0; p < m->precinct_count; p++)
      if (level < 0 || m->precincts[p].county == level) all++, reported += r.reporting[p];
    int64_t cast, registered;
    pc_results_turnout(&r, level, 0, &cast, &registered);
    char fraction[48];
    pc_snprintf(fraction, sizeof fraction, "%ld/%ld", reported, all);
    printf("%-20s %10s %12lld %12lld\n", level < 0 ? "STATE" : m->counties[level].name, fraction, (long long)cast,
           (long long)registered);
  }
  char mode[8];
  pc_strlcpy(mode, m->election.mode, sizeof mode);
  pc_results_free(&r);
  pc_stmt_t *stmt;
  /* Ranked-choice cast vote records (current, this mode). */
  rc = pc_store_prepare(store,
                        "SELECT co.name, c.code, u.version, u.ballots, u.precincts FROM cvr_uploads u JOIN counties co ON"
                        " co.id = u.county_id JOIN contests c ON c.id = u.contest_id WHERE u.election_id = ? AND"
                        " u.mode = ? AND u.status = 'current' ORDER BY c.id, co.name",
                        &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, election);
  pc_stmt_bind_text(stmt, 2, mode);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW)
    printf("Cast vote records: %s County, contest %s, version %lld: %lld ballots in %lld precincts\n",
           pc_stmt_column_text(stmt, 0), pc_stmt_column_text(stmt, 1), (long long)pc_stmt_column_int64(stmt, 2),
           (long long)pc_stmt_column_int64(stmt, 3), (long long)pc_stmt_column_int64(stmt, 4));
  pc_stmt_finalize(stmt);
  if (rc != PC_STORE_DONE) return rc;
  rc = pc_store_prepare(store,
                        "SELECT id, requested_by, requested_at, reason FROM publication_approvals WHERE election_id = ?"
                        " AND status = 'pending' ORDER BY id",
                        &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, election);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW)
    printf("Pending publication request %lld by %s at %s: %s\n", (long long)pc_stmt_column_int64(stmt, 0),
           pc_stmt_column_text(stmt, 1), pc_stmt_column_text(stmt, 2), pc_stmt_column_text(stmt, 3));
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

int pc_cmd_results(int argc, char **argv) {
  char command[64];
  static const char *const known[] = {"ingest", "status", "publish", "export", "verify", NULL};
  int code = pc_cli_subcommand_start("results", usage, argc, argv, known, command, sizeof command);
  if (code != PC_CLI_CONTINUE) return code;
  const char *sub = argv[1];
  options_t o = {0};
  const pc_cli_option_t options[] = {
      {.name = "data", .text = &o.data_dir},   {.name = "election", .text = &o.election},
      {.name = "county", .text = &o.county},   {.name = "static", .text = &o.out},
      {.name = "key", .text = &o.key},
      {.name = "approve", .number = &o.approve, .bad_number = "--approve expects a request number"},
      {.name = NULL}};
  code = pc_cli_parse(command, usage, argc - 1, argv + 1, options);
  if (code != PC_CLI_CONTINUE) return code;
  int wants_one = strcmp(sub, "ingest") == 0 || strcmp(sub, "verify") == 0;
  char **rest;
  code = pc_cli_positional(command, argc - 1, argv + 1, wants_one, &rest);
  if (code != PC_EXIT_OK) return code;
  if (strcmp(sub, "verify") == 0) return verify(rest[0], o.key);
  if (strcmp(sub, "ingest") == 0 && !o.county) return pc_cli_usage_error(command, "needs --county NAME");
  if (strcmp(sub, "export") == 0 && !o.out) return pc_cli_usage_error(command, "needs --static OUT");

  pc_instance_t instance;
  pc_store_t *store;
  code = pc_cli_open_store(command, o.data_dir, &instance, &store);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  pc_actor_t actor;
  pc_audit_cli_actor(&actor);
  int64_t election = 0;
  int rc = 0;
  if (o.election) rc = pc_elections_resolve(store, o.election, &election, &err);
  else {
    pc_election_t e;
    rc = pc_elections_get(store, 0, &e, &err);
    if (rc == 0) election = e.id;
  }
  char key_path[1200];
  pc_instance_key_path(&instance, "publish_ed25519.key", key_path, sizeof key_path);
  code = PC_EXIT_OK;
  if (rc == 0 && strcmp(sub, "ingest") == 0) {
    pc_results_ingest_report_t report = {0};
    rc = pc_results_ingest_file(store, &actor, election, o.county, rest[0], &report, &err);
    int cvr = report.cvr;
    if (rc == 0 && report.unchanged)
      printf("Unchanged: %s is already %s County's current %s %s (version %d). Nothing was written.\n", rest[0],
             o.county, report.mode, cvr ? "cast vote records" : "returns", report.version);
    else if (rc == 0 && cvr && report.contests == 1)
      printf("Accepted %s cast vote records for %s County: version %d, %ld ballots in %ld precincts (sha256 %s).\n",
             report.mode, o.county, report.version, report.vote_rows, report.precincts, report.sha256);
    else if (rc == 0 && cvr)
      printf("Accepted %s cast vote records for %s County: version %d, %d ranked-choice contests, %ld contest ballots"
             " (a ballot counts once in each contest it holds) in %ld precincts (sha256 %s).\n",
             report.mode, o.county, report.version, report.contests, report.vote_rows, report.precincts, report.sha256);
    else if (rc == 0)
      printf("Accepted %s returns for %s County: version %d, %ld precincts, %ld count lines, %lld votes (sha256 %s).\n",
             report.mode, o.county, report.version, report.precincts, report.vote_rows, (long long)report.total_votes,
             report.sha256);
  } else if (rc == 0 && strcmp(sub, "status") == 0) {
    rc = status(store, election, &err);
  } else if (rc == 0 && strcmp(sub, "publish") == 0) {
    pc_results_publish_report_t report;
    rc = o.approve ? pc_results_approve(store, key_path, &actor, o.approve, &report, &err)
                   : pc_results_publish(store, key_path, &actor, election, &report, &err);
    if (rc == 0 && report.published)
      printf("Published publication %lld (manifest sha256 %s).\n", (long long)report.number, report.manifest_sha256);
    else if (rc == 0 && report.unchanged)
      printf("Unchanged: publication %lld already holds these results.\n", (long long)report.number);
    else if (rc == 0) {
      printf("Not published: this publication %s and needs a second admin's approval.\n"
             "Request %lld is pending. Another admin runs:\n  precinct results publish --data %s --approve %lld\n",
             report.reason, (long long)report.approval_id, o.data_dir, (long long)report.approval_id);
      code = PC_EXIT_FAILURE;
    }
  } else if (rc == 0 && strcmp(sub, "export") == 0) {
    int64_t number = 0;
    rc = pc_results_export_static(store, election, o.out, &number, &err);
    if (rc == 0) printf("Exported publication %lld to %s.v%lld; %s now points at it.\n", (long long)number, o.out,
                        (long long)number, o.out);
  }
  pc_store_close(store);
  if (rc != 0) return pc_cli_fail(&err);
  return code;
}
