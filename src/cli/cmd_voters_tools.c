/* `precinct voters dedup|review|maintenance`: duplicate detection and its
 * review queue, and NVRA list-maintenance runs (preview, run, undo, list,
 * respond). */
#include "cli/cli.h"
#include "cli/voters_cli.h"

#include "precinct/buf.h"
#include "precinct/voters_maintenance.h"
#include "precinct/voters_tools.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pc_voters_cli_dedup(int argc, char **argv) {
  static const struct option options[] = {{"data", required_argument, NULL, 'd'}, {"out", required_argument, NULL, 'o'},
                                          {"county", required_argument, NULL, 'c'}, {"threshold", required_argument, NULL, 't'},
                                          {"threads", required_argument, NULL, 'j'}, {"no-queue", no_argument, NULL, 'n'},
                                          {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  pc_voters_dedup_options_t o = {.fill_queue = 1};
  const char *data_dir = NULL, *county = NULL;
  long long number;
  char *end;
  int option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': data_dir = optarg; break;
    case 'o': o.out_path = optarg; break;
    case 'c': county = optarg; break;
    case 't':
      o.threshold = strtod(optarg, &end);
      if (*end || o.threshold <= 0 || o.threshold > 1) return pc_cli_usage_error("voters dedup", "--threshold: expected 0-1");
      break;
    case 'j':
      if (pc_parse_int64(optarg, 1, 16, &number) != 0) return pc_cli_usage_error("voters dedup", "--threads: expected 1-16");
      o.threads = (int)number;
      break;
    case 'n': o.fill_queue = 0; break;
    case 'q': o.quiet = 1; break;
    case 'h':
      fputs("usage: precinct voters dedup --data DIR --out PAIRS.csv [--county NAME] [--threshold X]\n"
            "         [--threads N] [--no-queue] [--quiet]\n"
            "\nFinds likely duplicate registrations, writes them (header ncid_a,ncid_b,score)\n"
            "and adds new ones to the review queue. Nothing is merged: see `voters review`.\n", stdout);
      return PC_EXIT_OK;
    default: return pc_cli_usage_error("voters dedup", "unknown option");
    }
  }
  if (o.out_path == NULL || optind != argc) return pc_cli_usage_error("voters dedup", "--out is required");
  pc_voters_cli_t c;
  int code = pc_voters_cli_open("voters dedup", data_dir, county, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  pc_voters_dedup_result_t result;
  int rc = pc_voters_dedup(&c.voters, &o, &result, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Compared %lld voters (%lld comparisons) in %.1f s: %lld candidate pairs, %lld new in the review queue\n",
         (long long)result.voters, (long long)result.comparisons, (double)result.milliseconds / 1000.0,
         (long long)result.pairs, (long long)result.queued);
  return PC_EXIT_OK;
}

int pc_voters_cli_review(int argc, char **argv) {
  static const struct option options[] = {{"data", required_argument, NULL, 'd'}, {"county", required_argument, NULL, 'c'},
                                          {"list", no_argument, NULL, 'l'}, {"merge", required_argument, NULL, 'm'},
                                          {"dismiss", required_argument, NULL, 'x'}, {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  const char *data_dir = NULL, *county = NULL, *decision = NULL, *target = NULL;
  int list = 0, option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': data_dir = optarg; break;
    case 'c': county = optarg; break;
    case 'l': list = 1; break;
    case 'm': decision = "merge", target = optarg; break;
    case 'x': decision = "dismiss", target = optarg; break;
    case 'h':
      fputs("usage: precinct voters review --data DIR (--list | --merge ID | --dismiss ID) [--county NAME]\n"
            "\n--list prints open candidate pairs (id, NCIDs, names, score). --merge ID cancels\n"
            "the newer registration as a duplicate of the older (both kept); --dismiss ID\n"
            "closes the pair.\n", stdout);
      return PC_EXIT_OK;
    default: return pc_cli_usage_error("voters review", "unknown option");
    }
  }
  if (list == (decision != NULL) || optind != argc) return pc_cli_usage_error("voters review", "give --list, --merge or --dismiss");
  pc_voters_cli_t c;
  int code = pc_voters_cli_open("voters review", data_dir, county, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int rc = 0;
  if (list) {
    pc_stmt_t *stmt;
    rc = pc_store_prepare(c.store,
                          "SELECT d.id, a.ncid, a.first_name, a.last_name, b.ncid, b.first_name, b.last_name, d.score,"
                          " a.county_id, b.county_id FROM duplicate_candidates d JOIN voters a ON a.id = d.voter_a_id"
                          " JOIN voters b ON b.id = d.voter_b_id WHERE d.state = 'open' ORDER BY d.score DESC, d.id",
                          &stmt, &err);
    int64_t scope = 0;
    if (rc == 0 && county) rc = pc_voters_county_id(c.store, county, &scope, &err);
    while (rc == 0 && pc_stmt_step(stmt, &err) == PC_STORE_ROW) {
      if (scope && pc_stmt_column_int64(stmt, 8) != scope && pc_stmt_column_int64(stmt, 9) != scope) continue;
      printf("%lld\t%s %s %s\t%s %s %s\t%s\n", (long long)pc_stmt_column_int64(stmt, 0), pc_stmt_column_text(stmt, 1),
             pc_stmt_column_text(stmt, 2), pc_stmt_column_text(stmt, 3), pc_stmt_column_text(stmt, 4),
             pc_stmt_column_text(stmt, 5), pc_stmt_column_text(stmt, 6), pc_stmt_column_text(stmt, 7));
    }
    pc_stmt_finalize(stmt);
  } else {
    long long id;
    if (pc_parse_int64(target, 1, INT64_MAX, &id) != 0) {
      pc_voters_cli_close(&c);
      return pc_cli_usage_error("voters review", "expected a candidate id");
    }
    rc = pc_voters_dedup_decide(&c.voters, id, decision, &err);
    if (rc == 0) printf("Candidate %lld: %s\n", id, strcmp(decision, "merge") == 0 ? "merged" : "dismissed");
  }
  pc_voters_cli_close(&c);
  return rc != 0 ? pc_cli_fail(&err) : PC_EXIT_OK;
}

static const char maintenance_usage[] =
    "usage: precinct voters maintenance preview --data DIR --kind KIND [--moved-list FILE]\n"
    "                                           [--since YYYY-MM-DD] [--response-days N] [--county NAME]\n"
    "       precinct voters maintenance list    --data DIR --run ID [--county NAME]\n"
    "       precinct voters maintenance run     --data DIR --run ID [--county NAME]\n"
    "       precinct voters maintenance undo    --data DIR --run ID [--county NAME]\n"
    "       precinct voters maintenance respond --data DIR --notice ID --response confirmed|moved|undeliverable\n"
    "\n"
    "KIND: notices-moved (confirmation notices to the NCIDs in --moved-list),\n"
    "notices-inactivity (to active voters with no contact since --since),\n"
    "inactivate (notice unanswered after --response-days, default 30),\n"
    "remove (inactive, notice unanswered, no vote through two federal general\n"
    "elections; refused within 90 days of a federal election).\n"
    "preview stores the exact list and prints its run id; run executes it; undo reverses it.\n";

static int print_action(void *context, const pc_voter_t *voter, const char *new_status) {
  (void)context;
  printf("%s\t%s %s\t%s -> %s\n", voter->ncid, voter->first_name, voter->last_name, voter->status, new_status);
  return 0;
}

int pc_voters_cli_maintenance(int argc, char **argv) {
  if (argc < 2 || pc_cli_is_help(argv[1])) {
    fputs(maintenance_usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? PC_EXIT_USAGE : PC_EXIT_OK;
  }
  const char *action = argv[1];
  static const struct option options[] = {
      {"data", required_argument, NULL, 'd'},     {"county", required_argument, NULL, 'c'},
      {"kind", required_argument, NULL, 'k'},     {"moved-list", required_argument, NULL, 'm'},
      {"since", required_argument, NULL, 's'},    {"response-days", required_argument, NULL, 'r'},
      {"run", required_argument, NULL, 'u'},      {"notice", required_argument, NULL, 'n'},
      {"response", required_argument, NULL, 'R'}, {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  pc_maintenance_request_t request = {0};
  const char *data_dir = NULL, *county = NULL, *response = NULL;
  long long run_id = 0, notice_id = 0, days = 0;
  int option;
  optind = 1;
  while ((option = getopt_long(argc - 1, argv + 1, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': data_dir = optarg; break;
    case 'c': county = optarg; break;
    case 'k': request.kind = optarg; break;
    case 'm': request.moved_list_path = optarg; break;
    case 's': request.since = optarg; break;
    case 'r':
      if (pc_parse_int64(optarg, 1, 3650, &days) != 0) return pc_cli_usage_error("voters maintenance", "--response-days: 1-3650");
      request.response_days = (int)days;
      break;
    case 'u':
      if (pc_parse_int64(optarg, 1, INT64_MAX, &run_id) != 0) return pc_cli_usage_error("voters maintenance", "--run: expected an id");
      break;
    case 'n':
      if (pc_parse_int64(optarg, 1, INT64_MAX, &notice_id) != 0) return pc_cli_usage_error("voters maintenance", "--notice: expected an id");
      break;
    case 'R': response = optarg; break;
    case 'h': fputs(maintenance_usage, stdout); return PC_EXIT_OK;
    default: return pc_cli_usage_error("voters maintenance", "unknown option");
    }
  }
  int preview = strcmp(action, "preview") == 0, respond = strcmp(action, "respond") == 0;
  int run = strcmp(action, "run") == 0, undo = strcmp(action, "undo") == 0, list = strcmp(action, "list") == 0;
  if (!preview && !respond && !run && !undo && !list) return pc_cli_usage_error("voters maintenance", "unknown action \"%s\"", action);
  if (preview && request.kind == NULL) return pc_cli_usage_error("voters maintenance", "--kind is required");
  if ((run || undo || list) && run_id == 0) return pc_cli_usage_error("voters maintenance", "--run is required");
  if (respond && (notice_id == 0 || response == NULL)) return pc_cli_usage_error("voters maintenance", "--notice and --response are required");
  pc_voters_cli_t c;
  int code = pc_voters_cli_open("voters maintenance", data_dir, county, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int rc = 0;
  int64_t id = 0, count = 0, skipped = 0;
  if (preview) {
    rc = pc_voters_maintenance_preview(&c.voters, &request, &id, &count, &err);
    if (rc == 0) rc = pc_voters_maintenance_list(&c.voters, id, print_action, NULL, &err);
    if (rc == 0) printf("Previewed run %lld (%s): %lld voters. Execute with: precinct voters maintenance run --run %lld\n",
                        (long long)id, request.kind, (long long)count, (long long)id);
  } else if (list) {
    rc = pc_voters_maintenance_list(&c.voters, run_id, print_action, NULL, &err);
  } else if (run) {
    rc = pc_voters_maintenance_run(&c.voters, run_id, &count, &skipped, &err);
    if (rc == 0) printf("Executed run %lld: %lld voters (%lld skipped: changed since the preview)\n", run_id, (long long)count, (long long)skipped);
  } else if (undo) {
    rc = pc_voters_maintenance_undo(&c.voters, run_id, &count, &err);
    if (rc == 0) printf("Undid run %lld: %lld voters restored or notices withdrawn\n", run_id, (long long)count);
  } else {
    rc = pc_voters_notice_respond(&c.voters, notice_id, response, &err);
    if (rc == 0) printf("Notice %lld: %s\n", notice_id, response);
  }
  pc_voters_cli_close(&c);
  return rc != 0 ? pc_cli_fail(&err) : PC_EXIT_OK;
}
