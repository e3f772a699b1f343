/* Benchmark: election night at scale. Defines an election of PRECINCTS
 * precincts (default 3000) over 5 counties, every precinct voting on CONTESTS
 * contests (default 50) of 3 choices, ingests one returns CSV per county with
 * GROUPS counting groups (1: "total" only; 2: election day and absentee-mail),
 * then publishes (render, sign, store) and exports the static site. Prints each
 * phase's wall time. Usage: bench_results [PRECINCTS [CONTESTS [GROUPS]]]. Record results in
 * docs/BENCHMARKS.md. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/instance.h"
#include "precinct/log.h"
#include "precinct/results.h"

#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GROW(array, count) ((array) = pc_xreallocarray((array), (count) + 1, sizeof *(array)), &(array)[(count)++])

static void die(const char *what, const pc_error_t *err) {
  fprintf(stderr, "bench_results: %s: %s\n", what, err->message);
  exit(1);
}

static char *text(const char *fmt, long a) {
  char buffer[96];
  pc_snprintf(buffer, sizeof buffer, fmt, a);
  return pc_xstrdup(buffer);
}

static void build_model(pc_election_model_t *m, const char *const *counties, int precincts, int contests) {
  memset(m, 0, sizeof *m);
  pc_strlcpy(m->election.code, "bench", sizeof m->election.code);
  pc_strlcpy(m->election.name, "Benchmark General", sizeof m->election.name);
  pc_strlcpy(m->election.date, "2026-11-03", sizeof m->election.date);
  pc_strlcpy(m->election.type, "general", sizeof m->election.type);
  pc_strlcpy(m->election.jurisdiction, "Bench State", sizeof m->election.jurisdiction);
  pc_strlcpy(m->election.poll_close_at, "2026-11-04T01:00:00Z", sizeof m->election.poll_close_at);
  for (int c = 0; c < 5; c++) {
    struct pc_model_county *county = GROW(m->counties, m->county_count);
    county->id = 0;
    county->name = pc_xstrdup(counties[c]);
    county->unit_code = text("county-%ld", c);
  }
  pc_ballot_style_t *style = GROW(m->ballot_styles, m->ballot_style_count);
  *style = (pc_ballot_style_t){0, pc_xstrdup("all"), NULL, 0};
  for (int c = 0; c < contests; c++) {
    pc_contest_t *contest = GROW(m->contests, m->contest_count);
    memset(contest, 0, sizeof *contest);
    contest->code = text("c%ld", c);
    contest->name = text("Contest %ld", c);
    contest->district_code = pc_xstrdup("state");
    contest->vote_for = 1;
    contest->retention_candidate = -1;
    for (int k = 0; k < 3; k++) {
      pc_choice_t *choice = GROW(contest->choices, contest->choice_count);
      char code[48];
      pc_snprintf(code, sizeof code, "c%d-%d", c, k);
      *choice = (pc_choice_t){0, pc_xstrdup(code), text("Candidate %ld", k), -1, 0};
    }
    *GROW(style->contests, style->contest_count) = c;
  }
  for (int p = 0; p < precincts; p++) {
    pc_precinct_t *precinct = GROW(m->precincts, m->precinct_count);
    memset(precinct, 0, sizeof *precinct);
    precinct->code = text("p%ld", p);
    precinct->name = text("Precinct %ld", p);
    precinct->county = p % 5;
    precinct->ballot_style = 0;
    precinct->registered_voters = 1500;
  }
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static double seconds_since(int64_t start_ms) { return (double)(pc_clock_monotonic_ms() - start_ms) / 1000.0; }

/* CPU seconds used by this process so far: on a shared machine wall time
 * also measures the neighbours. */
static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  long long precincts = 3000, contests = 50, groups = 1;
  if ((argc > 1 && pc_parse_int64(argv[1], 10, 100000, &precincts) != 0) ||
      (argc > 2 && pc_parse_int64(argv[2], 1, 1000, &contests) != 0) ||
      (argc > 3 && pc_parse_int64(argv[3], 1, 2, &groups) != 0)) {
    fprintf(stderr, "usage: bench_results [PRECINCTS [CONTESTS [GROUPS]]]\n");
    return 2;
  }
  if (sodium_init() < 0) return 1;
  pc_log_configure(PC_LOG_WARN, NULL);
  char dir[] = "/tmp/precinct-bench-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char data_dir[128];
  pc_snprintf(data_dir, sizeof data_dir, "%s/instance", dir);
  pc_instance_t instance;
  pc_store_t *store;
  pc_error_t err;
  pc_error_clear(&err);
  if (pc_instance_create(data_dir, "Bench State", &instance, &err) != 0) die("instance", &err);
  if (pc_instance_open_store(&instance, &store, &err) != 0) die("store", &err);
  pc_actor_t alice = {1, "alice", "state_admin", NULL}, bob = {2, "bob", "state_admin", NULL};
  const char *const counties[] = {"Alder", "Birch", "Cedar", "Dogwood", "Elm"};
  for (int c = 0; c < 5; c++)
    if (pc_counties_create(store, &alice, counties[c], NULL, NULL, &err) != 0) die("county", &err);

  int64_t start = pc_clock_monotonic_ms();
  pc_election_model_t model;
  build_model(&model, counties, (int)precincts, (int)contests);
  int64_t election;
  if (pc_elections_save(store, &alice, &model, &election, &err) != 0) die("save", &err);
  double define_s = seconds_since(start);

  /* One file per county, generated before timing ingest. */
  pc_buf_t files[5];
  long rows = 0;
  for (int c = 0; c < 5; c++) {
    pc_buf_init(&files[c], 0);
    pc_buf_append_str(&files[c], "precinct,contest,choice,counting_group,votes,ballots_cast,registered_voters\n");
  }
  for (long p = 0; p < precincts; p++) {
    pc_buf_t *b = &files[p % 5];
    for (long c = 0; c < contests; c++)
      for (int k = 0; k < 3; k++) {
        pc_buf_appendf(b, "p%ld,c%ld,c%ld-%d,%s,%ld,%s\n", p, c, c, k, groups == 1 ? "total" : "election-day",
                       100 + (p + c + k) % 50, c == 0 && k == 0 ? "1000,1500" : ",");
        rows++;
        if (groups == 1) continue;
        pc_buf_appendf(b, "p%ld,c%ld,c%ld-%d,absentee-mail,%ld,,\n", p, c, c, k, 40 + (p * 3 + k) % 30);
        rows++;
      }
  }
  size_t bytes = 0;
  for (int c = 0; c < 5; c++) bytes += files[c].len;
  start = pc_clock_monotonic_ms();
  double cpu_start = cpu_seconds();
  for (int c = 0; c < 5; c++) {
    pc_results_ingest_report_t report;
    char name[32];
    pc_snprintf(name, sizeof name, "county-%d.csv", c);
    if (pc_results_ingest(store, &alice, election, counties[c], name, files[c].data, files[c].len, &report, &err) != 0)
      die("ingest", &err);
  }
  double ingest_s = seconds_since(start), ingest_cpu = cpu_seconds() - cpu_start;

  pc_clock_set_fixed(1793840400); /* after the poll-closing time */
  char key_path[1200];
  pc_instance_key_path(&instance, "publish_ed25519.key", key_path, sizeof key_path);
  pc_results_publish_report_t report;
  /* The first publication needs a second admin; time the approval that publishes. */
  if (pc_results_publish(store, key_path, &alice, election, &report, &err) != 0) die("publish request", &err);
  start = pc_clock_monotonic_ms();
  cpu_start = cpu_seconds();
  if (pc_results_approve(store, key_path, &bob, report.approval_id, &report, &err) != 0) die("publish", &err);
  double publish_s = seconds_since(start), publish_cpu = cpu_seconds() - cpu_start;

  char out[160];
  pc_snprintf(out, sizeof out, "%s/site", dir);
  start = pc_clock_monotonic_ms();
  int64_t number;
  if (pc_results_export_static(store, election, out, &number, &err) != 0) die("export", &err);
  double export_s = seconds_since(start);
  start = pc_clock_monotonic_ms();
  if (pc_results_verify_dir(out, NULL, NULL, &err) != 0) die("verify", &err);
  double verify_s = seconds_since(start);

  printf("precincts %lld, contests %lld (3 choices, %lld counting group%s): %ld count lines, %.1f MB of CSV in 5 files\n",
         precincts, contests, groups, groups == 1 ? "" : "s", rows, (double)bytes / 1e6);
  printf("define election        %6.3f s\n", define_s);
  printf("ingest (5 counties)    %6.3f s wall, %6.3f s CPU  (%.0f lines/s)\n", ingest_s, ingest_cpu,
         (double)rows / ingest_s);
  printf("publish (render+sign)  %6.3f s wall, %6.3f s CPU\n", publish_s, publish_cpu);
  printf("ingest + publish       %6.3f s wall, %6.3f s CPU\n", ingest_s + publish_s, ingest_cpu + publish_cpu);
  printf("export static site     %6.3f s\n", export_s);
  printf("verify static site     %6.3f s\n", verify_s);
  for (int c = 0; c < 5; c++) pc_buf_free(&files[c]);
  pc_elections_model_free(&model);
  pc_store_close(store);
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return 0;
}
