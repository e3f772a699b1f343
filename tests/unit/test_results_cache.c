/* Tests for the in-memory cache of the current publication: nothing
 * published, bytes equal to the database's, hits that do not touch the
 * store, a publication in this process seen at once, unknown names, and
 * readers on other threads whose every response is from one publication
 * while publications are made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_election.h"
#include "support.h"

#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/results.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AFTER_CLOSE (PC_TEST_CSV_SET_POLLS_CLOSE + 4800)

typedef pc_test_election_t fixture_t;

typedef struct store_source {
  pc_store_t *store;
  long calls;
} store_source_t;

static pc_store_t *source_store(void *context) {
  store_source_t *source = context;
  source->calls++;
  return source->store;
}

static int setup(void **state) { return pc_test_election_setup_after_close(state); }
static int teardown(void **state) { return pc_test_election_teardown(state); }

/* Uploads Alder's returns with GOV_A votes and publishes (approved by Bob
 * when a second admin is needed); returns the publication number. */
static int64_t publish_with(fixture_t *f, int gov_a) {
  char data[256];
  pc_snprintf(data, sizeof data,
              "precinct,contest,choice,counting_group,votes,ballots_cast\nA-1,gov,gov-a,election-day,%d,500\n", gov_a);
  pc_results_ingest_report_t ingest;
  pc_error_t err;
  if (pc_results_ingest(f->store, &f->alice, f->election, "Alder", "alder.csv", data, strlen(data), &ingest, &err) != 0)
    fail_msg("ingest: %s", err.message);
  pc_results_publish_report_t report;
  if (pc_results_publish(f->store, f->key_path, &f->alice, f->election, &report, &err) != 0)
    fail_msg("publish: %s", err.message);
  if (!report.published && report.approval_id &&
      pc_results_approve(f->store, f->key_path, &f->bob, report.approval_id, &report, &err) != 0)
    fail_msg("approve: %s", err.message);
  assert_true(report.published);
  return report.number;
}

static void test_serves_current_publication(void **state) {
  fixture_t *f = *state;
  pc_results_cache_t *cache = pc_results_cache_new();
  store_source_t source = {f->store, 0};
  pc_buf_t out;
  pc_buf_init(&out, 0);
  int64_t number = -1;
  pc_error_t err;
  assert_int_equal(pc_results_cache_get(cache, source_store, &source, "index.html", &out, &number, &err), PC_ENOTFOUND);
  assert_int_equal(number, -1);

  assert_int_equal(publish_with(f, 300), 1);
  /* Published in this process: seen on the next request, not 100 ms later. */
  assert_int_equal(pc_results_cache_get(cache, source_store, &source, "results.json", &out, &number, &err), 0);
  assert_int_equal(number, 1);
  char *data = NULL;
  size_t size = 0;
  assert_int_equal(pc_results_current_file(f->store, 0, "results.json", &data, &size, NULL, &err), 0);
  assert_int_equal(out.len, size);
  assert_memory_equal(out.data, data, size);
  free(data);

  /* A hit within the check interval reads nothing from the store. */
  long calls = source.calls;
  int64_t started = pc_clock_monotonic_ms();
  pc_buf_free(&out);
  assert_int_equal(pc_results_cache_get(cache, source_store, &source, "results.json", &out, &number, &err), 0);
  if (pc_clock_monotonic_ms() - started < 90) assert_int_equal(source.calls, calls);
  assert_int_equal(out.len, size);

  assert_int_equal(pc_results_cache_get(cache, source_store, &source, "nope.html", &out, &number, &err), PC_ENOTFOUND);
  assert_int_equal(pc_results_cache_get(cache, source_store, &source, "contests/../index.html", &out, &number, &err),
                   PC_ENOTFOUND);

  assert_int_equal(publish_with(f, 301), 2);
  pc_buf_free(&out);
  assert_int_equal(pc_results_cache_get(cache, source_store, &source, "manifest.txt", &out, &number, &err), 0);
  assert_int_equal(number, 2);
  assert_non_null(strstr(pc_buf_str(&out), "# publication: 2\n"));
  pc_buf_free(&out);

  /* A shared (uncopied) file outlives the snapshot's replacement, and the
   * cache itself, until it is released. */
  pc_results_cache_file_t held, now;
  assert_int_equal(pc_results_cache_share(cache, source_store, &source, "manifest.txt", &held, &err), 0);
  assert_int_equal(held.number, 2);
  assert_int_equal(publish_with(f, 302), 3);
  assert_int_equal(pc_results_cache_share(cache, source_store, &source, "manifest.txt", &now, &err), 0);
  assert_int_equal(now.number, 3);
  assert_non_null(strstr(now.data, "# publication: 3\n"));
  pc_results_cache_free(cache);
  assert_non_null(strstr(held.data, "# publication: 2\n"));
  assert_int_equal(strlen(held.data), held.size);
  pc_results_cache_release(held.ref);
  assert_non_null(strstr(now.data, "# publication: 3\n"));
  pc_results_cache_release(now.ref);
}

/* ---- readers on other threads while publishing ---- */

typedef struct reader {
  pc_instance_t *instance;
  pc_results_cache_t *cache;
  volatile int stop;
  long reads, mismatches, errors;
  int64_t highest;
  char first_error[256];
} reader_t;

static void *reader_main(void *arg) {
  reader_t *r = arg;
  store_source_t source = {NULL, 0};
  pc_error_t err;
  if (pc_instance_open_store(r->instance, &source.store, &err) != 0) return NULL;
  while (!r->stop) {
    /* Each response alone must be one publication's: its number matches its content. */
    const char *name = (r->reads % 2) ? "manifest.txt" : "results.json";
    pc_buf_t out;
    pc_buf_init(&out, 0);
    int64_t number = 0;
    if (pc_results_cache_get(r->cache, source_store, &source, name, &out, &number, &err) != 0) {
      if (r->errors++ == 0) pc_strlcpy(r->first_error, err.message, sizeof r->first_error);
      pc_buf_free(&out);
      continue;
    }
    int64_t seen = -1;
    if (strcmp(name, "manifest.txt") == 0) {
      char header[64];
      pc_snprintf(header, sizeof header, "# publication: %lld\n", (long long)number);
      seen = strstr(pc_buf_str(&out), header) ? number : -1;
    } else {
      json_t *root = json_loadb(out.data, out.len, 0, NULL);
      seen = json_integer_value(json_object_get(root, "SequenceStart"));
      json_decref(root);
    }
    if (seen != number) r->mismatches++;
    if (number > r->highest) r->highest = number;
    r->reads++;
    pc_buf_free(&out);
  }
  pc_store_close(source.store);
  return NULL;
}

static void test_readers_never_mix(void **state) {
  fixture_t *f = *state;
  assert_int_equal(publish_with(f, 100), 1);
  pc_results_cache_t *cache = pc_results_cache_new();
  reader_t readers[2] = {{&f->instance, cache, 0, 0, 0, 0, 0, ""}, {&f->instance, cache, 0, 0, 0, 0, 0, ""}};
  pthread_t threads[2];
  for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&threads[i], NULL, reader_main, &readers[i]), 0);
  for (int i = 1; i <= 8; i++) {
    assert_int_equal(publish_with(f, 100 + i), 1 + i);
    usleep(20 * 1000);
  }
  /* Within the check interval (plus slack for a loaded machine) both see the last one. */
  for (int waited = 0; waited < 5000 && (readers[0].highest < 9 || readers[1].highest < 9); waited += 10)
    usleep(10 * 1000);
  for (int i = 0; i < 2; i++) readers[i].stop = 1;
  for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
  for (int i = 0; i < 2; i++) {
    assert_true(readers[i].reads >= 10);
    assert_int_equal(readers[i].mismatches, 0);
    if (readers[i].errors) fail_msg("reader %d: %ld errors, first: %s", i, readers[i].errors, readers[i].first_error);
    assert_int_equal(readers[i].highest, 9);
  }
  pc_results_cache_free(cache);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_serves_current_publication, setup, teardown),
      cmocka_unit_test_setup_teardown(test_readers_never_mix, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
