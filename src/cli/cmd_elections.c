/* `precinct elections SUBCOMMAND`: import and export definitions (ERR JSON or
 * the CSV set), list elections, set the poll-closing time, certify contests
 * and switch an election from test to live (printing the zero report). */
#include "cli/cli.h"
#include "cli/subcommand.h"
#include "precinct/elections.h"
#include "precinct/fileio.h"
#include "precinct/results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: precinct elections import  --data DIR FILE|CSVDIR\n"
    "       precinct elections export  --data DIR [--election ID] --format err --out FILE\n"
    "       precinct elections list    --data DIR\n"
    "       precinct elections live    --data DIR --election ID\n"
    "       precinct elections poll-close --data DIR --election ID TIME\n"
    "       precinct elections certify --data DIR --election ID --contest CODE [--undo]\n"
    "\n"
    "import   reads an election definition: a NIST SP 1500-100 ERR JSON file,\n"
    "         or a directory holding the CSV set (docs/results.md). The counties\n"
    "         it names must exist. The election starts in test mode.\n"
    "export   writes the definition as ERR JSON (validates against the NIST schema).\n"
    "live     switches the election from test to live: deletes every test return,\n"
    "         takes down test publications and prints the zero report, which must\n"
    "         show zero for every contest. There is no way back to test.\n"
    "poll-close sets the poll-closing time (RFC 3339): nothing is published before it.\n"
    "certify  marks a contest certified: publishing a change to it needs a second admin.\n"
    "ID is an election's id or code; without --election the newest election is used.\n";

typedef struct options {
  const char *data_dir, *election, *format, *out, *contest;
  int undo;
} options_t;

static int resolve(pc_store_t *store, const char *election, int64_t *id, pc_error_t *err) {
  if (!election) {
    pc_election_t e;
    int rc = pc_elections_get(store, 0, &e, err);
    if (rc == 0) *id = e.id;
    return rc;
  }
  return pc_elections_resolve(store, election, id, err);
}

static int list_elections(pc_store_t *store, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT id, code, election_date, mode, COALESCE(poll_close_at, '-'), name FROM elections ORDER BY id",
                            &stmt, err);
  if (rc != 0) return rc;
  printf("%-4s %-24s %-10s %-5s %-20s %s\n", "ID", "CODE", "DATE", "MODE", "POLLS CLOSE", "NAME");
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW)
    printf("%-4lld %-24s %-10s %-5s %-20s %s\n", (long long)pc_stmt_column_int64(stmt, 0), pc_stmt_column_text(stmt, 1),
           pc_stmt_column_text(stmt, 2), pc_stmt_column_text(stmt, 3), pc_stmt_column_text(stmt, 4),
           pc_stmt_column_text(stmt, 5));
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

int pc_cmd_elections(int argc, char **argv) {
  char command[64];
  static const char *const known[] = {"import", "export", "list", "live", "poll-close", "certify", NULL};
  int code = pc_cli_subcommand_start("elections", usage, argc, argv, known, command, sizeof command);
  if (code != PC_CLI_CONTINUE) return code;
  const char *sub = argv[1];
  options_t o = {0};
  const pc_cli_option_t options[] = {
      {.name = "data", .text = &o.data_dir},    {.name = "election", .text = &o.election},
      {.name = "format", .text = &o.format},    {.name = "out", .text = &o.out},
      {.name = "contest", .text = &o.contest},  {.name = "undo", .flag = &o.undo},
      {.name = NULL}};
  code = pc_cli_parse(command, usage, argc - 1, argv + 1, options);
  if (code != PC_CLI_CONTINUE) return code;
  int wants_one = strcmp(sub, "import") == 0 || strcmp(sub, "poll-close") == 0;
  char **rest;
  code = pc_cli_positional(command, argc - 1, argv + 1, wants_one, &rest);
  if (code != PC_EXIT_OK) return code;
  if (strcmp(sub, "export") == 0 && (!o.format || strcmp(o.format, "err") != 0 || !o.out))
    return pc_cli_usage_error(command, "needs --format err and --out FILE");
  if ((strcmp(sub, "live") == 0 || strcmp(sub, "certify") == 0 || strcmp(sub, "poll-close") == 0) && !o.election)
    return pc_cli_usage_error(command, "needs --election ID");
  if (strcmp(sub, "certify") == 0 && !o.contest) return pc_cli_usage_error(command, "needs --contest CODE");

  pc_instance_t instance;
  pc_store_t *store;
  code = pc_cli_open_store(command, o.data_dir, &instance, &store);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  pc_actor_t actor;
  pc_audit_cli_actor(&actor);
  int64_t id = 0;
  int rc = 0;
  if (strcmp(sub, "import") == 0) {
    rc = pc_elections_import(store, &actor, rest[0], &id, &err);
    if (rc == 0) {
      pc_election_model_t m;
      rc = pc_elections_load(store, id, &m, &err);
      if (rc == 0) {
        printf("Imported election %lld (%s): %zu precincts, %zu contests, %zu ballot styles, %zu polling places. Mode: test.\n",
               (long long)id, m.election.code, m.precinct_count, m.contest_count, m.ballot_style_count,
               m.polling_place_count);
        pc_elections_model_free(&m);
      }
    }
  } else if (strcmp(sub, "list") == 0) {
    rc = list_elections(store, &err);
  } else {
    rc = resolve(store, o.election, &id, &err);
    if (rc == 0 && strcmp(sub, "export") == 0) {
      pc_election_model_t m;
      memset(&m, 0, sizeof m);
      rc = pc_elections_load(store, id, &m, &err);
      char *json = NULL;
      size_t length = 0;
      if (rc == 0) rc = pc_elections_export_err(&m, &json, &length, &err);
      if (rc == 0) rc = pc_file_write_durable(o.out, json, length, 0644, 0, &err);
      if (rc == 0) printf("Wrote %s (%zu bytes, NIST SP 1500-100 ERR JSON)\n", o.out, length);
      free(json);
      pc_elections_model_free(&m);
    } else if (rc == 0 && strcmp(sub, "live") == 0) {
      pc_buf_t report;
      pc_buf_init(&report, 0);
      rc = pc_results_go_live(store, &actor, id, &report, &err);
      fputs(pc_buf_str(&report), stdout);
      pc_buf_free(&report);
      if (rc == 0) printf("Election is LIVE. Test returns were deleted; live uploads are now accepted.\n");
    } else if (rc == 0 && strcmp(sub, "poll-close") == 0) {
      rc = pc_elections_set_poll_close(store, &actor, id, rest[0], &err);
      if (rc == 0) printf("Polls close at %s; nothing is published before then.\n", rest[0]);
    } else if (rc == 0 && strcmp(sub, "certify") == 0) {
      rc = pc_elections_set_certified(store, &actor, id, o.contest, !o.undo, &err);
      if (rc == 0) printf("Contest %s is %s.\n", o.contest, o.undo ? "no longer certified" : "certified");
    }
  }
  pc_store_close(store);
  return rc == 0 ? PC_EXIT_OK : pc_cli_fail(&err);
}
