/* Tests for ranked-choice cast vote records in the results module: CDF JSON
 * CVR uploads (every validation rule, idempotent re-upload, a corrected file
 * as a new audited version, test/live), first choices equal to round 1 on
 * every page (publishing refused when stored round-1 counts disagree), and
 * the published rounds equal to what `precinct tabulate`
 * (pc_tabulate_run) writes for the same CVR files and configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/fileio.h"
#include "precinct/results.h"
#include "precinct/tabulate.h"

#include "../src/results/rcv.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define AFTER_CLOSE (1793754000 + 4800)

typedef struct fixture {
  pc_instance_t instance;
  pc_store_t *store;
  pc_actor_t alice, bob;
  int64_t election;
  char dir[1024], key_path[1200];
} fixture_t;

static void write_text(const char *dir, const char *name, const char *text) {
  char path[1200];
  pc_snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* A two-county election whose mayor and clerk (ranked choice) are on
 * Alder's ballots and Birch 1's; the council (ranked choice) only on Birch 2's. */
static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  pc_test_instance(&f->instance, &f->store);
  f->alice = (pc_actor_t){1, "alice", "state_admin", NULL};
  f->bob = (pc_actor_t){2, "bob", "state_admin", NULL};
  pc_error_t err;
  assert_int_equal(pc_counties_create(f->store, &f->alice, "Alder", NULL, NULL, &err), 0);
  assert_int_equal(pc_counties_create(f->store, &f->alice, "Birch", NULL, NULL, &err), 0);
  pc_test_tempdir(f->dir, sizeof f->dir);
  char def[1100];
  pc_snprintf(def, sizeof def, "%s/def", f->dir);
  mkdir(def, 0755);
  write_text(def, "election.csv", "code,name,date,type,jurisdiction,poll_close_at\n"
                                  "2026-rcv,2026 RCV Test,2026-11-03,general,Test State,2026-11-04T01:00:00Z\n");
  write_text(def, "precincts.csv", "code,name,county,ballot_style,registered_voters\n"
                                   "A-1,Alder 1,Alder,S1,100\nA-2,Alder 2,Alder,S1,100\n"
                                   "B-1,Birch 1,Birch,S1,100\nB-2,Birch 2,Birch,S2,100\n");
  write_text(def, "contests.csv", "code,name,kind,district,vote_for\nmayor,Mayor,rcv,state,1\n"
                                  "gov,Governor,candidate,state,1\ncouncil,Council,rcv,state,1\n"
                                  "clerk,Clerk,rcv,state,1\n");
  write_text(def, "choices.csv", "contest,code,name,party,write_in\nmayor,m-1,Fay Fox,,\nmayor,m-2,Gus Gray,,\n"
                                 "mayor,m-3,Hal Hunt,,\nmayor,m-w,Write-in,,1\ngov,g-1,Ann Avery,,\ngov,g-2,Bob Brown,,\n"
                                 "council,c-1,Fay Fox,,\ncouncil,c-2,Gus Gray,,\nclerk,k-1,Fay Fox,,\n"
                                 "clerk,k-2,Gus Gray,,\n");
  write_text(def, "ballot_styles.csv", "ballot_style,contest\nS1,mayor\nS1,gov\nS1,clerk\nS2,gov\nS2,council\n");
  assert_int_equal(pc_elections_import(f->store, &f->alice, def, &f->election, &err), 0);
  pc_instance_key_path(&f->instance, "publish_ed25519.key", f->key_path, sizeof f->key_path);
  pc_clock_set_fixed(AFTER_CLOSE);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  pc_clock_set_fixed(0);
  pc_store_close(f->store);
  pc_test_rmtree(f->instance.data_dir);
  pc_test_rmtree(f->dir);
  free(f);
  return 0;
}

/* A CDF JSON CastVoteRecordReport. BALLOTS: "PRECINCT:NAME>NAME|..." where
 * NAME is a Candidate Name ("*" a write-in) in rank order; "PRECINCT:" alone
 * is a ballot without rankings. */
static char *cvr_report(const char *contest_name, const char *ballots) {
  static const char *const names[] = {"Fay Fox", "Gus Gray", "Hal Hunt", "Zed Zane"};
  json_t *candidates = json_array(), *selections = json_array();
  for (int k = 0; k < 4; k++) {
    char id[16], cs[16];
    pc_snprintf(id, sizeof id, "c%d", k);
    pc_snprintf(cs, sizeof cs, "cs%d", k);
    json_array_append_new(candidates, json_pack("{s:s, s:s}", "@id", id, "Name", names[k]));
    json_array_append_new(selections, json_pack("{s:s, s:[s]}", "@id", cs, "CandidateIds", id));
  }
  json_array_append_new(selections, json_pack("{s:s, s:b}", "@id", "cs-w", "IsWriteIn", 1));
  json_t *units = json_array(), *cvrs = json_array();
  static const char *const precincts[] = {"A-1", "A-2", "B-1", "B-2", "X-9"};
  for (int p = 0; p < 5; p++)
    json_array_append_new(units, json_pack("{s:s, s:s, s:s}", "@id", precincts[p], "Type", "precinct", "Name",
                                           precincts[p]));
  char *copy = pc_xstrdup(ballots);
  int number = 0;
  for (char *ballot = copy; ballot && *ballot;) {
    char *end = strchr(ballot, '|');
    if (end) *end = '\0';
    char *colon = strchr(ballot, ':');
    *colon = '\0';
    json_t *marks = json_array();
    int rank = 1;
    for (char *name = colon + 1; *name;) {
      char *gt = strchr(name, '>');
      if (gt) *gt = '\0';
      const char *cs = "cs-w";
      for (int k = 0; k < 4; k++)
        if (strcmp(names[k], name) == 0) cs = k == 0 ? "cs0" : k == 1 ? "cs1" : k == 2 ? "cs2" : "cs3";
      json_array_append_new(marks, json_pack("{s:s, s:[{s:s, s:i, s:i}]}", "ContestSelectionId", cs, "SelectionPosition",
                                             "HasIndication", "yes", "NumberVotes", 1, "Rank", rank++));
      if (!gt) break;
      name = gt + 1;
    }
    char snapshot[16];
    pc_snprintf(snapshot, sizeof snapshot, "s%d", ++number);
    json_array_append_new(cvrs, json_pack("{s:s, s:s, s:[{s:s, s:[{s:s, s:o}]}]}", "BallotStyleUnitId", ballot,
                                          "CurrentSnapshotId", snapshot, "CVRSnapshot", "@id", snapshot, "CVRContest",
                                          "ContestId", "k1", "CVRContestSelection", marks));
    ballot = end ? end + 1 : NULL;
  }
  free(copy);
  json_t *root = json_pack("{s:s, s:[{s:s, s:o, s:[{s:s, s:s, s:o}]}], s:o, s:o}", "@type", "CVR.CastVoteRecordReport",
                           "Election", "@id", "e1", "Candidate", candidates, "Contest", "@id", "k1", "Name",
                           contest_name, "ContestSelection", selections, "GpUnit", units, "CVR", cvrs);
  char *text = json_dumps(root, JSON_INDENT(1));
  json_decref(root);
  return text;
}

static const char alder_ballots[] = "A-1:Fay Fox>Gus Gray|A-1:Fay Fox>Gus Gray|A-1:Fay Fox>Gus Gray|A-2:Fay Fox>Gus Gray"
                                    "|A-1:Gus Gray|A-2:Gus Gray|A-2:Gus Gray|A-1:Hal Hunt>Gus Gray|A-2:Hal Hunt>Gus Gray|A-1:";
static const char birch_ballots[] = "B-1:Hal Hunt>Fay Fox|B-1:Hal Hunt>Fay Fox|B-1:Hal Hunt>Fay Fox|B-1:Fay Fox"
                                    "|B-1:*>Hal Hunt|B-1:Gus Gray>Hal Hunt";

static int ingest(fixture_t *f, const pc_actor_t *actor, const char *county, const char *name, const char *text,
                  pc_results_ingest_report_t *report, pc_error_t *err) {
  pc_error_clear(err);
  return pc_results_ingest(f->store, actor, f->election, county, name, text, strlen(text), report, err);
}

static int64_t count(fixture_t *f, const char *sql) { return pc_test_query_int(f->store, sql); }

static void expect_reject(fixture_t *f, const char *county, const char *text, long line, const char *field,
                          const char *fragment) {
  pc_results_ingest_report_t report;
  pc_error_t err;
  int rc = ingest(f, &f->alice, county, "bad.json", text, &report, &err);
  if (rc != PC_EINVAL) fail_msg("expected a rejection (%s), got %d", fragment, rc);
  if (!strstr(err.message, fragment)) fail_msg("message \"%s\" lacks \"%s\"", err.message, fragment);
  assert_int_equal(err.line, line);
  assert_string_equal(err.field, field);
  assert_string_equal(err.file, "bad.json");
}

static void test_validation_rules(void **state) {
  fixture_t *f = *state;
  char *text = cvr_report("Dogcatcher", "A-1:Fay Fox");
  expect_reject(f, "Alder", text, 0, "Election[0].Contest[0]", "contest \"Dogcatcher\" is not in election 2026-rcv");
  free(text);
  text = cvr_report("Mayor", "A-1:Fay Fox|A-1:Zed Zane>Fay Fox");
  expect_reject(f, "Alder", text, 2, "CandidateIds", "candidate \"Zed Zane\" is not a choice of contest \"mayor\"");
  free(text);
  text = cvr_report("Mayor", "A-1:Fay Fox|A-2:Gus Gray|X-9:Fay Fox");
  expect_reject(f, "Alder", text, 3, "BallotStyleUnitId", "precinct \"X-9\" is not in election");
  free(text);
  text = cvr_report("Mayor", "A-1:Fay Fox|B-1:Fay Fox");
  expect_reject(f, "Alder", text, 2, "BallotStyleUnitId", "precinct \"B-1\" is in Birch County, not Alder County");
  free(text);
  text = cvr_report("Mayor", "B-2:Fay Fox");
  expect_reject(f, "Birch", text, 1, "ContestId", "precinct \"B-2\" does not vote on contest \"mayor\"");
  free(text);
  text = cvr_report("Mayor", "A-1:Fay Fox>Gus Gray>Hal Hunt>*>Fay Fox");
  expect_reject(f, "Alder", text, 1, "Rank", "rank 5: contest \"mayor\" has ranks 1 to 4");
  free(text);
  const char *not_json = "{\"@type\": \"CVR.CastVoteRecordReport\", \"CVR\": [ {\"CVRSnapshot\": [] }, ";
  pc_results_ingest_report_t report;
  pc_error_t err;
  assert_int_equal(ingest(f, &f->alice, "Alder", "bad.json", not_json, &report, &err), PC_EINVAL);
  /* Nothing of any rejected file was stored. */
  assert_int_equal(count(f, "SELECT COUNT(*) FROM cvr_uploads"), 0);
  assert_int_equal(count(f, "SELECT COUNT(*) FROM cvr_first_choices"), 0);
  /* County scope: an Alder clerk cannot upload Birch's CVRs. */
  pc_actor_t clerk = {3, "alder-clerk", "clerk", "Alder"};
  text = cvr_report("Mayor", birch_ballots);
  assert_int_equal(ingest(f, &clerk, "Birch", "birch.json", text, &report, &err), PC_EPERM);
  free(text);
}

static void test_upload_versions_and_first_choices(void **state) {
  fixture_t *f = *state;
  pc_results_ingest_report_t report;
  pc_error_t err;
  /* The returns say something else about the mayor in Alder: the CVRs win. */
  const char *returns = "precinct,contest,choice,counting_group,votes,ballots_cast\n"
                        "A-1,mayor,m-1,election-day,50,60\nA-1,gov,g-1,election-day,40,\nA-2,gov,g-2,election-day,3,9\n";
  assert_int_equal(ingest(f, &f->alice, "Alder", "alder.csv", returns, &report, &err), 0);
  char *text = cvr_report("mayor", alder_ballots); /* the contest by its code */
  int rc = ingest(f, &f->alice, "Alder", "alder-cvr.json", text, &report, &err);
  if (rc != 0) fail_msg("%s", err.message);
  assert_string_equal(report.format, "cdf-cvr-json");
  assert_int_equal(report.version, 1);
  assert_int_equal(report.vote_rows, 10); /* ballots */
  assert_int_equal(report.precincts, 2);
  assert_string_equal(report.mode, "test");
  int64_t first_id = report.upload_id;
  assert_true(first_id > 0);
  /* Same bytes again: nothing written. */
  int64_t entries = count(f, "SELECT COUNT(*) FROM audit_log");
  assert_int_equal(ingest(f, &f->alice, "Alder", "alder-cvr.json", text, &report, &err), 0);
  assert_int_equal(report.unchanged, 1);
  assert_int_equal(report.upload_id, first_id);
  assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log"), entries);
  free(text);

  pc_results_t r;
  assert_int_equal(pc_results_load(f->store, f->election, &r, &err), 0);
  int alder = strcmp(r.model.counties[0].name, "Alder") == 0 ? 0 : 1;
  /* Round 1 in Alder: Fay 4, Gus 3, Hal 2 (the returns' 50 for Fay are replaced). */
  assert_int_equal(pc_results_votes(&r, 0, 0, alder, -1), 4);
  assert_int_equal(pc_results_votes(&r, 0, 1, alder, -1), 3);
  assert_int_equal(pc_results_votes(&r, 0, 2, alder, -1), 2);
  assert_int_equal(pc_results_votes(&r, 0, 0, -1, -1), 4);
  assert_int_equal(pc_results_votes(&r, 1, 0, alder, -1), 40); /* other contests keep the returns */
  char before[65];
  memcpy(before, r.contest_sha256[0], 65);
  pc_results_free(&r);

  /* A corrected file (one ballot's second choice changed) is version 2. */
  const char *from = "A-2:Hal Hunt>Gus Gray";
  const char *at = strstr(alder_ballots, from);
  pc_buf_t fixed;
  pc_buf_init(&fixed, 0);
  pc_buf_append(&fixed, alder_ballots, (size_t)(at - alder_ballots));
  pc_buf_append_str(&fixed, "A-2:Hal Hunt>Fay Fox");
  pc_buf_append_str(&fixed, at + strlen(from));
  text = cvr_report("Mayor", pc_buf_str(&fixed));
  assert_int_equal(ingest(f, &f->alice, "Alder", "alder-cvr-2.json", text, &report, &err), 0);
  assert_int_equal(report.unchanged, 0);
  assert_int_equal(report.version, 2);
  assert_int_equal(count(f, "SELECT COUNT(*) FROM cvr_uploads WHERE status = 'superseded' AND version = 1"), 1);
  assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'results.cvr_supersede'"), 1);
  assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'results.cvr_upload'"), 2);
  free(text);
  pc_buf_free(&fixed);
  /* Only a later ranking changed: first choices are the same, the contest's hash is not. */
  assert_int_equal(pc_results_load(f->store, f->election, &r, &err), 0);
  assert_int_equal(pc_results_votes(&r, 0, 0, alder, -1), 4);
  assert_string_not_equal(before, r.contest_sha256[0]);
  pc_results_free(&r);

  /* The live switch clears test CVRs; live uploads start at version 1. */
  pc_buf_t zero;
  pc_buf_init(&zero, 0);
  assert_int_equal(pc_results_go_live(f->store, &f->alice, f->election, &zero, &err), 0);
  pc_buf_free(&zero);
  assert_int_equal(count(f, "SELECT COUNT(*) FROM cvr_uploads WHERE mode = 'test' AND status <> 'cleared'"), 0);
  assert_int_equal(count(f, "SELECT COUNT(*) FROM cvr_first_choices"), 0);
  text = cvr_report("Mayor", alder_ballots);
  assert_int_equal(ingest(f, &f->alice, "Alder", "alder-cvr.json", text, &report, &err), 0);
  assert_string_equal(report.mode, "live");
  assert_int_equal(report.version, 1);
  free(text);
}

static char *read_current(fixture_t *f, const char *name) {
  char *data = NULL;
  size_t size = 0;
  pc_error_t err;
  if (pc_results_current_file(f->store, f->election, name, &data, &size, NULL, &err) != 0)
    fail_msg("%s: %s", name, err.message);
  return data;
}

static void test_rounds_match_precinct_tabulate(void **state) {
  fixture_t *f = *state;
  pc_results_ingest_report_t report;
  pc_error_t err;
  char *alder = cvr_report("Mayor", alder_ballots), *birch = cvr_report("Mayor", birch_ballots);
  assert_int_equal(ingest(f, &f->alice, "Alder", "alder.json", alder, &report, &err), 0);
  assert_int_equal(ingest(f, &f->alice, "Birch", "birch.json", birch, &report, &err), 0);
  /* Birch sent no returns: its precinct with CVRs reports, its CVRs as ballots cast. */
  pc_results_t r;
  assert_int_equal(pc_results_load(f->store, f->election, &r, &err), 0);
  int b1 = pc_elections_find_precinct(&r.model, "B-1"), b2 = pc_elections_find_precinct(&r.model, "B-2");
  assert_int_equal(r.reporting[b1], 1);
  assert_int_equal(r.ballots_cast[b1], 6);
  assert_int_equal(r.reporting[b2], 0);
  pc_results_free(&r);

  /* Stored round-1 counts that disagree with the tabulation stop the publication. */
  const char *tamper = "UPDATE cvr_first_choices SET votes = votes + 1 WHERE votes > 0";
  const char *restore = "UPDATE cvr_first_choices SET votes = votes - 1 WHERE votes > 1";
  pc_results_publish_report_t pub;
  assert_int_equal(pc_store_exec(f->store, tamper, &err), 0);
  assert_int_equal(pc_results_publish(f->store, f->key_path, &f->alice, f->election, &pub, &err), 0);
  assert_int_equal(pub.published, 0); /* the first publication waits for a second admin */
  assert_int_equal(pc_results_approve(f->store, f->key_path, &f->bob, pub.approval_id, &pub, &err), PC_EINTEGRITY);
  assert_non_null(strstr(err.message, "round 1 gives"));
  assert_int_equal(count(f, "SELECT COUNT(*) FROM publications"), 0);
  assert_int_equal(pc_store_exec(f->store, restore, &err), 0);
  int rc = pc_results_publish(f->store, f->key_path, &f->alice, f->election, &pub, &err);
  if (rc == 0 && !pub.published) rc = pc_results_approve(f->store, f->key_path, &f->bob, pub.approval_id, &pub, &err);
  if (rc != 0) fail_msg("publish: %s", err.message);
  assert_int_equal(pub.published, 1);

  char *published = read_current(f, "rounds/c1.json");
  json_t *ours = json_loads(published, 0, NULL);
  assert_non_null(ours);
  /* Fay 5, Gus 4, Hal 5, write-in 1; the write-in goes, then Gus; Hal wins 7 to 5 in round 3. */
  json_t *results = json_object_get(ours, "results");
  assert_int_equal(json_array_size(results), 3);
  json_t *first = json_object_get(json_array_get(results, 0), "tally");
  assert_string_equal(json_string_value(json_object_get(first, "Fay Fox")), "5");
  assert_string_equal(json_string_value(json_object_get(first, "Gus Gray")), "4");
  assert_string_equal(json_string_value(json_object_get(first, "Hal Hunt")), "5");
  assert_string_equal(json_string_value(json_object_get(first, "Undeclared Write-ins")), "1");
  json_t *last = json_array_get(results, 2);
  assert_string_equal(json_string_value(json_object_get(json_object_get(last, "tally"), "Hal Hunt")), "7");
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(last, "tallyResults"), 0),
                                                        "elected")), "Hal Hunt");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(ours, "summary"), "undervotes")), 1);

  /* The same CVR files and the published configuration through `precinct tabulate`. */
  write_text(f->dir, "alder.json", alder);
  write_text(f->dir, "birch.json", birch);
  char *config_text = read_current(f, "rounds/c1.config.json");
  json_t *config = json_loads(config_text, 0, NULL);
  json_t *sources = json_object_get(config, "cvrFileSources");
  assert_int_equal(json_array_size(sources), 2);
  json_object_set_new(json_array_get(sources, 0), "filePath", json_string("alder.json"));
  json_object_set_new(json_array_get(sources, 1), "filePath", json_string("birch.json"));
  char *dumped = json_dumps(config, JSON_INDENT(2));
  write_text(f->dir, "config.json", dumped);
  char config_path[1200], out_dir[1200], summary_path[1300];
  pc_snprintf(config_path, sizeof config_path, "%s/config.json", f->dir);
  pc_snprintf(out_dir, sizeof out_dir, "%s/out", f->dir);
  pc_tabulate_options_t options = {.config_path = config_path, .out_dir = out_dir, .expect_ballots = -1, .threads = 1, .quiet = 1};
  rc = pc_tabulate_run(&options, &err);
  if (rc != 0) fail_msg("tabulate: %s", err.message);
  pc_snprintf(summary_path, sizeof summary_path, "%s/summary.json", out_dir);
  json_t *theirs = json_load_file(summary_path, 0, NULL);
  assert_non_null(theirs);
  assert_true(json_equal(json_object_get(ours, "results"), json_object_get(theirs, "results")));
  assert_true(json_equal(json_object_get(ours, "summary"), json_object_get(theirs, "summary")));

  /* The page: every round, the winner, and linked from the contest page. */
  char *page = read_current(f, "rounds/c1.html");
  assert_non_null(strstr(page, "<strong>Hal Hunt</strong> is elected in round 3 of 3"));
  assert_non_null(strstr(page, "Round 3</th>"));
  assert_non_null(strstr(page, "<svg viewBox"));
  char *contest = read_current(f, "contests/c1.html");
  assert_non_null(strstr(contest, "href=\"../rounds/c1.html\""));
  char *manifest = read_current(f, "manifest.txt");
  assert_non_null(strstr(manifest, "  rounds/c1.json\n"));
  assert_non_null(strstr(manifest, "  rounds/c1.html\n"));
  free(page);
  free(contest);
  free(manifest);
  free(dumped);
  json_decref(config);
  free(config_text);
  json_decref(theirs);
  json_decref(ours);
  free(published);
  free(alder);
  free(birch);
}

/* cvr_report's report for MAYOR_BALLOTS with a second contest, @id "k2",
 * NAME, its one selection "cs-k2-0" for Fay Fox. Returns the JSON tree. */
static json_t *report_with_second_contest(const char *mayor_ballots, const char *name) {
  char *text = cvr_report("Mayor", mayor_ballots);
  json_t *root = json_loads(text, 0, NULL);
  free(text);
  assert_non_null(root);
  json_t *contests = json_object_get(json_array_get(json_object_get(root, "Election"), 0), "Contest");
  json_array_append_new(contests, json_pack("{s:s, s:s, s:[{s:s, s:[s]}]}", "@id", "k2", "Name", name,
                                            "ContestSelection", "@id", "cs-k2-0", "CandidateIds", "c0"));
  return root;
}

/* Ingests ROOT (freed) as FILE_NAME of COUNTY; fails the test when refused. */
static void ingest_tree(fixture_t *f, const char *county, const char *file_name, json_t *root,
                        pc_results_ingest_report_t *report) {
  char *text = json_dumps(root, JSON_INDENT(1));
  json_decref(root);
  pc_error_t err;
  int rc = ingest(f, &f->alice, county, file_name, text, report, &err);
  free(text);
  if (rc != 0) fail_msg("%s", err.message);
}

/* A CDF report may list every contest of the election (an export template),
 * also ranked-choice contests none of the county's precincts votes on. Such a
 * contest has no ballots of the county: it is not an upload of the county. */
static void test_contest_not_voted_in_county(void **state) {
  fixture_t *f = *state;
  pc_results_ingest_report_t report;
  pc_error_t err;
  ingest_tree(f, "Alder", "alder.json", report_with_second_contest(alder_ballots, "Council"), &report);
  assert_int_equal(report.vote_rows, 10);
  assert_int_equal(count(f, "SELECT COUNT(*) FROM cvr_uploads"), 1);
  assert_int_equal(count(f, "SELECT COUNT(*) FROM cvr_uploads u JOIN contests c ON c.id = u.contest_id"
                            " WHERE c.code = 'council'"), 0);
  /* Birch's council returns stay Birch's; the publication has no council rounds. */
  const char *returns = "precinct,contest,choice,counting_group,votes,ballots_cast\n"
                        "B-2,council,c-1,election-day,7,9\nB-2,council,c-2,election-day,2,\n";
  assert_int_equal(ingest(f, &f->alice, "Birch", "birch.csv", returns, &report, &err), 0);
  pc_results_t r;
  assert_int_equal(pc_results_load(f->store, f->election, &r, &err), 0);
  int council = pc_elections_find_contest(&r.model, "council");
  assert_int_equal(pc_results_rcv_has(&r, council), 0);
  assert_int_equal(pc_results_votes(&r, council, 0, -1, -1), 7);
  pc_results_free(&r);
  pc_results_publish_report_t pub;
  int rc = pc_results_publish(f->store, f->key_path, &f->alice, f->election, &pub, &err);
  if (rc == 0 && !pub.published) rc = pc_results_approve(f->store, f->key_path, &f->bob, pub.approval_id, &pub, &err);
  if (rc != 0) fail_msg("publish: %s", err.message);
  char *data = NULL;
  size_t size = 0;
  assert_int_equal(pc_results_current_file(f->store, f->election, "rounds/c3.html", &data, &size, NULL, &err), PC_ENOTFOUND);
  free(read_current(f, "rounds/c1.html"));
}

/* A ballot may leave a contest out of its CVR (the CDF reader then skips it
 * for that contest): a precinct known only from CVRs cast as many ballots as
 * the contest with the most of its CVRs, whatever order the uploads load in. */
static void test_ballots_cast_from_two_contests(void **state) {
  fixture_t *f = *state;
  json_t *root = report_with_second_contest("B-1:Fay Fox|B-1:Gus Gray|B-1:Fay Fox", "Clerk");
  json_t *cvrs = json_object_get(root, "CVR");
  for (int extra = 0; extra < 2; extra++) /* two ballots with the clerk only */
    json_array_append_new(cvrs, json_deep_copy(json_array_get(cvrs, 0)));
  for (size_t i = 0; i < json_array_size(cvrs); i++) {
    json_t *snapshot = json_array_get(json_object_get(json_array_get(cvrs, i), "CVRSnapshot"), 0);
    json_t *clerk = json_pack("{s:s, s:[{s:s, s:[{s:s, s:i, s:i}]}]}", "ContestId", "k2", "CVRContestSelection",
                              "ContestSelectionId", "cs-k2-0", "SelectionPosition", "HasIndication", "yes",
                              "NumberVotes", 1, "Rank", 1);
    if (i >= 3) json_object_set_new(snapshot, "CVRContest", json_array());
    json_array_append_new(json_object_get(snapshot, "CVRContest"), clerk);
  }
  pc_results_ingest_report_t report;
  pc_error_t err;
  ingest_tree(f, "Birch", "birch.json", root, &report);
  assert_int_equal(count(f, "SELECT COUNT(*) FROM cvr_uploads WHERE status = 'current'"), 2);
  pc_results_t r;
  assert_int_equal(pc_results_load(f->store, f->election, &r, &err), 0);
  int b1 = pc_elections_find_precinct(&r.model, "B-1");
  assert_int_equal(r.reporting[b1], 1);
  assert_int_equal(r.ballots_cast[b1], 5);
  int clerk = pc_elections_find_contest(&r.model, "clerk");
  assert_int_equal(pc_results_votes(&r, clerk, 0, -1, -1), 5);
  pc_results_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_validation_rules, setup, teardown),
      cmocka_unit_test_setup_teardown(test_upload_versions_and_first_choices, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rounds_match_precinct_tabulate, setup, teardown),
      cmocka_unit_test_setup_teardown(test_contest_not_voted_in_county, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ballots_cast_from_two_contests, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
