/* Shared by the results CVR format tests (test_results_cvr_*.c): an instance
 * with counties Alder and Birch, an election imported from CSV text, upload,
 * two-admin publication and reading the published files back. Static
 * helpers: include once per test program, after cmocka.h. */
#ifndef PRECINCT_TESTS_RESULTS_CVR_SUPPORT_H
#define PRECINCT_TESTS_RESULTS_CVR_SUPPORT_H

#include "support.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/fileio.h"
#include "precinct/results.h"
#include "precinct/tabulate.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CVR_AFTER_CLOSE (1793754000 + 4800)

typedef struct cvr_fixture {
  pc_instance_t instance;
  pc_store_t *store;
  pc_actor_t alice, bob;
  int64_t election;
  char dir[1024], key_path[1200], tmp[1200];
} cvr_fixture_t;

static inline void cvr_write_text(const char *dir, const char *name, const char *text) {
  char path[1300];
  pc_snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* TMPDIR is pointed at a folder of the test's own, so that the test can see
 * that an upload leaves no temporary file behind. */
static inline cvr_fixture_t *cvr_fixture_new(void) {
  cvr_fixture_t *f = calloc(1, sizeof *f);
  pc_test_instance(&f->instance, &f->store);
  f->alice = (pc_actor_t){1, "alice", "state_admin", NULL};
  f->bob = (pc_actor_t){2, "bob", "state_admin", NULL};
  pc_error_t err;
  assert_int_equal(pc_counties_create(f->store, &f->alice, "Alder", NULL, NULL, &err), 0);
  assert_int_equal(pc_counties_create(f->store, &f->alice, "Birch", NULL, NULL, &err), 0);
  pc_test_tempdir(f->dir, sizeof f->dir);
  pc_snprintf(f->tmp, sizeof f->tmp, "%s/tmp", f->dir);
  mkdir(f->tmp, 0700);
  setenv("TMPDIR", f->tmp, 1);
  pc_instance_key_path(&f->instance, "publish_ed25519.key", f->key_path, sizeof f->key_path);
  pc_clock_set_fixed(CVR_AFTER_CLOSE);
  return f;
}

static inline void cvr_fixture_free(cvr_fixture_t *f) {
  pc_clock_set_fixed(0);
  unsetenv("TMPDIR");
  pc_store_close(f->store);
  pc_test_rmtree(f->instance.data_dir);
  pc_test_rmtree(f->dir);
  free(f);
}

/* Imports the election from the five CSV texts. */
static inline void cvr_define(cvr_fixture_t *f, const char *precincts, const char *contests, const char *choices,
                       const char *styles) {
  char def[1100];
  pc_snprintf(def, sizeof def, "%s/def", f->dir);
  mkdir(def, 0755);
  cvr_write_text(def, "election.csv", "code,name,date,type,jurisdiction,poll_close_at\n"
                                      "2026-rcv,2026 RCV Test,2026-11-03,general,Test State,2026-11-04T01:00:00Z\n");
  cvr_write_text(def, "precincts.csv", precincts);
  cvr_write_text(def, "contests.csv", contests);
  cvr_write_text(def, "choices.csv", choices);
  cvr_write_text(def, "ballot_styles.csv", styles);
  pc_error_t err;
  if (pc_elections_import(f->store, &f->alice, def, &f->election, &err) != 0) fail_msg("definition: %s", err.message);
}

/* Number of entries in the test's TMPDIR (0 once every upload cleaned up). */
static inline int cvr_tmp_entries(const cvr_fixture_t *f) {
  DIR *d = opendir(f->tmp);
  assert_non_null(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

static inline int cvr_ingest(cvr_fixture_t *f, const char *county, const char *name, const char *data, size_t size,
                      pc_results_ingest_report_t *report, pc_error_t *err) {
  pc_error_clear(err);
  int rc = pc_results_ingest(f->store, &f->alice, f->election, county, name, data, size, report, err);
  assert_int_equal(cvr_tmp_entries(f), 0);
  return rc;
}

static inline char *cvr_read_file(const char *path, size_t *size) {
  char *data = NULL;
  pc_error_t err;
  if (pc_file_read_all(path, PC_RESULTS_FILE_MAX, &data, size, &err) != 0) fail_msg("%s: %s", path, err.message);
  return data;
}

static inline void cvr_publish(cvr_fixture_t *f) {
  pc_results_publish_report_t pub;
  pc_error_t err;
  int rc = pc_results_publish(f->store, f->key_path, &f->alice, f->election, &pub, &err);
  if (rc == 0 && !pub.published) rc = pc_results_approve(f->store, f->key_path, &f->bob, pub.approval_id, &pub, &err);
  if (rc != 0) fail_msg("publish: %s", err.message);
  assert_int_equal(pub.published, 1);
}

static inline json_t *cvr_published_json(cvr_fixture_t *f, const char *name) {
  char *data = NULL;
  size_t size = 0;
  pc_error_t err;
  if (pc_results_current_file(f->store, f->election, name, &data, &size, NULL, &err) != 0)
    fail_msg("%s: %s", name, err.message);
  json_t *root = json_loadb(data, size, 0, NULL);
  free(data);
  assert_non_null(root);
  return root;
}

/* The published rounds of the contest named CONTEST equal, round by round,
 * the results and summary of RCTab's expected report at EXPECTED (under
 * tests/data). */
static inline int cvr_contest_index(cvr_fixture_t *f, const char *contest) {
  pc_election_model_t model;
  pc_error_t err;
  assert_int_equal(pc_elections_load(f->store, f->election, &model, &err), 0);
  int index = pc_elections_find_contest(&model, contest);
  assert_true(index >= 0);
  pc_elections_model_free(&model);
  return index;
}

/* RCTab lists an undeclared write-in its config names even when no ballot
 * has one; the results module only when a ballot has one. With
 * ZERO_WRITE_IN, such a zero entry is dropped from RCTab's rounds (and its
 * candidate count) before comparing; it must never have been eliminated. */
static inline void drop_zero_write_in(json_t *report) {
  json_t *round;
  size_t i;
  int dropped = 0;
  json_array_foreach(json_object_get(report, "results"), i, round) {
    json_t *tally = json_object_get(round, "tally"), *uwi = json_object_get(tally, "Undeclared Write-ins");
    if (uwi && strcmp(json_string_value(uwi), "0") == 0) json_object_del(tally, "Undeclared Write-ins"), dropped = 1;
    json_t *result;
    size_t k;
    json_array_foreach(json_object_get(round, "tallyResults"), k, result) {
      const char *gone = json_string_value(json_object_get(result, "eliminated"));
      assert_true(!gone || strcmp(gone, "Undeclared Write-ins") != 0);
    }
  }
  json_t *summary = json_object_get(report, "summary");
  if (dropped)
    json_object_set_new(summary, "numCandidates", json_integer(json_integer_value(json_object_get(summary, "numCandidates")) - 1));
}

static inline void cvr_expect_rounds(cvr_fixture_t *f, const char *contest, const char *expected, int zero_write_in) {
  int index = cvr_contest_index(f, contest);
  char name[64], path[1024];
  pc_snprintf(name, sizeof name, "rounds/c%d.json", index + 1);
  json_t *ours = cvr_published_json(f, name);
  pc_test_data_path(expected, path, sizeof path);
  json_t *theirs = json_load_file(path, 0, NULL);
  assert_non_null(theirs);
  if (zero_write_in) drop_zero_write_in(theirs);
  if (!json_equal(json_object_get(ours, "results"), json_object_get(theirs, "results")) ||
      !json_equal(json_object_get(ours, "summary"), json_object_get(theirs, "summary"))) {
    char *a = json_dumps(ours, JSON_INDENT(1) | JSON_SORT_KEYS), *b = json_dumps(theirs, JSON_INDENT(1) | JSON_SORT_KEYS);
    if (getenv("CVR_TEST_DUMP")) {
      char ours_name[64], theirs_name[64];
      pc_snprintf(ours_name, sizeof ours_name, "ours-%d.json", index + 1);
      pc_snprintf(theirs_name, sizeof theirs_name, "theirs-%d.json", index + 1);
      cvr_write_text(getenv("CVR_TEST_DUMP"), ours_name, a);
      cvr_write_text(getenv("CVR_TEST_DUMP"), theirs_name, b);
    }
    free(a);
    free(b);
    fail_msg("%s: published rounds differ from RCTab's (CVR_TEST_DUMP=DIR writes both)", contest);
  }
  json_decref(ours);
  json_decref(theirs);
}

/* For a contest whose RCTab test case tabulates under other rules than the
 * results module's (its own tie-break seed, an undeclared write-in that is
 * always a candidate): the published rounds equal what `precinct tabulate`
 * writes for the published configuration over SOURCE (a file under
 * tests/data, the upload as the county sent it, PROVIDER as RCTab names it),
 * and round 1 equals RCTab's expected round 1 but for a zero write-in. */
static inline void cvr_expect_as_tabulate(cvr_fixture_t *f, const char *contest, const char *source, const char *provider,
                                   const char *expected) {
  int index = cvr_contest_index(f, contest);
  char name[64], path[1024], config_path[1300], out_dir[1300], summary_path[1400];
  pc_snprintf(name, sizeof name, "rounds/c%d.json", index + 1);
  json_t *ours = cvr_published_json(f, name);
  pc_snprintf(name, sizeof name, "rounds/c%d.config.json", index + 1);
  json_t *config = cvr_published_json(f, name);
  json_t *sources = json_object_get(config, "cvrFileSources");
  assert_int_equal(json_array_size(sources), 1);
  pc_test_data_path(source, path, sizeof path);
  json_t *s = json_array_get(sources, 0);
  json_object_set_new(s, "filePath", json_string(path));
  json_object_set_new(s, "provider", json_string(provider));
  char *text = json_dumps(config, JSON_INDENT(2));
  cvr_write_text(f->dir, "config.json", text);
  free(text);
  json_decref(config);
  pc_snprintf(config_path, sizeof config_path, "%s/config.json", f->dir);
  pc_snprintf(out_dir, sizeof out_dir, "%s/out-%d", f->dir, index + 1);
  pc_tabulate_options_t options = {.config_path = config_path, .out_dir = out_dir, .expect_ballots = -1, .threads = 1,
                                   .quiet = 1};
  pc_error_t err;
  if (pc_tabulate_run(&options, &err) != 0) fail_msg("tabulate: %s", err.message);
  pc_snprintf(summary_path, sizeof summary_path, "%s/summary.json", out_dir);
  json_t *theirs = json_load_file(summary_path, 0, NULL);
  assert_non_null(theirs);
  assert_true(json_equal(json_object_get(ours, "results"), json_object_get(theirs, "results")));
  assert_true(json_equal(json_object_get(ours, "summary"), json_object_get(theirs, "summary")));
  json_decref(theirs);
  pc_test_data_path(expected, path, sizeof path);
  json_t *rctab = json_load_file(path, 0, NULL);
  assert_non_null(rctab);
  json_t *their_tally = json_deep_copy(json_object_get(json_array_get(json_object_get(rctab, "results"), 0), "tally"));
  json_t *uwi = json_object_get(their_tally, "Undeclared Write-ins");
  if (uwi && strcmp(json_string_value(uwi), "0") == 0) json_object_del(their_tally, "Undeclared Write-ins");
  json_t *our_tally = json_object_get(json_array_get(json_object_get(ours, "results"), 0), "tally");
  assert_true(json_equal(our_tally, their_tally));
  json_decref(their_tally);
  json_decref(rctab);
  json_decref(ours);
}

#endif
