/* Tests for publications: poll-closing gate with a fixed clock, the
 * two-admin rule (first publication, certified contests, stale requests),
 * unchanged re-publish, atomic current pointer under a hammering reader,
 * static export with the symlink flip, and offline verification catching a
 * changed byte, an extra file and a bad signature. */
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
#include "precinct/fileio.h"
#include "precinct/results.h"
#include "results/snapshot.h"

#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define POLLS_CLOSE PC_TEST_CSV_SET_POLLS_CLOSE
#define AFTER_CLOSE (POLLS_CLOSE + 4800)

typedef pc_test_election_t fixture_t;

static int setup(void **state) { return pc_test_election_setup_after_close(state); }
static int teardown(void **state) { return pc_test_election_teardown(state); }

static void upload(fixture_t *f, int gov_a, int q1_yes) {
  char data[512];
  pc_snprintf(data, sizeof data,
              "precinct,contest,choice,counting_group,votes,ballots_cast\n"
              "A-1,gov,gov-a,election-day,%d,500\nA-1,gov,gov-b,early,100,\nA-1,q1,q1-yes,election-day,%d,\n",
              gov_a, q1_yes);
  pc_results_ingest_report_t report;
  pc_error_t err;
  int rc = pc_results_ingest(f->store, &f->alice, f->election, "Alder", "alder.csv", data, strlen(data), &report, &err);
  if (rc != 0) fail_msg("ingest: %s", err.message);
}

/* Publishes as ALICE, and when a second admin is needed approves as BOB. */
static int64_t publish_approved(fixture_t *f) {
  pc_results_publish_report_t report;
  pc_error_t err;
  int rc = pc_results_publish(f->store, f->key_path, &f->alice, f->election, &report, &err);
  if (rc != 0) fail_msg("publish: %s", err.message);
  if (!report.published && report.approval_id) {
    rc = pc_results_approve(f->store, f->key_path, &f->bob, report.approval_id, &report, &err);
    if (rc != 0) fail_msg("approve: %s", err.message);
  }
  assert_true(report.published || report.unchanged);
  return report.number;
}

static void test_poll_closing(void **state) {
  fixture_t *f = *state;
  upload(f, 200, 50);
  pc_results_publish_report_t report;
  pc_error_t err;
  pc_clock_set_fixed(POLLS_CLOSE - 1); /* one second before polls close */
  assert_int_equal(pc_results_publish(f->store, f->key_path, &f->alice, f->election, &report, &err), PC_ESTATE);
  assert_non_null(strstr(err.message, "polls close at 2026-11-04T01:00:00Z"));
  pc_clock_set_fixed(POLLS_CLOSE);
  assert_int_equal(pc_results_publish(f->store, f->key_path, &f->alice, f->election, &report, &err), 0);
  assert_int_equal(report.published, 0);
  assert_true(report.approval_id > 0);
  /* A county clerk cannot publish at all. */
  pc_actor_t clerk = {9, "clerk", "clerk", "Alder"};
  assert_int_equal(pc_results_publish(f->store, f->key_path, &clerk, f->election, &report, &err), PC_EPERM);
}

static void test_two_admins(void **state) {
  fixture_t *f = *state;
  upload(f, 200, 50);
  pc_results_publish_report_t report;
  pc_error_t err;
  assert_int_equal(pc_results_publish(f->store, f->key_path, &f->alice, f->election, &report, &err), 0);
  assert_int_equal(report.published, 0);
  assert_non_null(strstr(report.reason, "first test publication"));
  int64_t request = report.approval_id;
  /* Asking again finds the same request. */
  assert_int_equal(pc_results_publish(f->store, f->key_path, &f->alice, f->election, &report, &err), 0);
  assert_int_equal(report.approval_id, request);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM publications"), 0);
  /* The requester cannot approve. */
  assert_int_equal(pc_results_approve(f->store, f->key_path, &f->alice, request, &report, &err), PC_EPERM);
  assert_int_equal(pc_results_approve(f->store, f->key_path, &f->bob, request, &report, &err), 0);
  assert_int_equal(report.published, 1);
  assert_int_equal(report.number, 1);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM publication_approvals WHERE status = 'published'"
                                 " AND requested_by = 'alice' AND approved_by = 'bob'"), 1);
  assert_int_equal(pc_results_approve(f->store, f->key_path, &f->bob, request, &report, &err), PC_ESTATE);
  /* Later publications go straight out; the same results again change nothing. */
  upload(f, 210, 50);
  assert_int_equal(pc_results_publish(f->store, f->key_path, &f->alice, f->election, &report, &err), 0);
  assert_int_equal(report.published, 1);
  assert_int_equal(report.number, 2);
  assert_int_equal(pc_results_publish(f->store, f->key_path, &f->alice, f->election, &report, &err), 0);
  assert_int_equal(report.published, 0);
  assert_int_equal(report.unchanged, 1);
  assert_int_equal(report.number, 2);
  /* Certify the governor's race: changing it needs a second admin again... */
  assert_int_equal(pc_elections_set_certified(f->store, &f->alice, f->election, "gov", 1, &err), 0);
  upload(f, 211, 50);
  assert_int_equal(pc_results_publish(f->store, f->key_path, &f->alice, f->election, &report, &err), 0);
  assert_int_equal(report.published, 0);
  assert_non_null(strstr(report.reason, "certified contest \"Governor\""));
  int64_t certified_request = report.approval_id;
  /* ...and when the results move on before approval, the request goes stale. */
  upload(f, 212, 50);
  assert_int_equal(pc_results_approve(f->store, f->key_path, &f->bob, certified_request, &report, &err), PC_ECONFLICT);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM publication_approvals WHERE status = 'stale'"), 1);
  /* ...while a change to an uncertified contest alone needs nobody else. */
  upload(f, 210, 60);
  assert_int_equal(pc_results_publish(f->store, f->key_path, &f->alice, f->election, &report, &err), 0);
  assert_int_equal(report.published, 1);
  assert_int_equal(report.number, 3);
}

static void test_live_first_publication_needs_approval(void **state) {
  fixture_t *f = *state;
  upload(f, 200, 50);
  assert_int_equal(publish_approved(f), 1);
  pc_buf_t text;
  pc_buf_init(&text, 0);
  pc_error_t err;
  assert_int_equal(pc_results_go_live(f->store, &f->alice, f->election, &text, &err), 0);
  pc_buf_free(&text);
  /* Live switch took the test publication down. */
  char *data;
  size_t size;
  assert_int_equal(pc_results_current_file(f->store, f->election, "results.json", &data, &size, NULL, &err), PC_ENOTFOUND);
  upload(f, 5, 1);
  pc_results_publish_report_t report;
  assert_int_equal(pc_results_publish(f->store, f->key_path, &f->alice, f->election, &report, &err), 0);
  assert_int_equal(report.published, 0);
  assert_non_null(strstr(report.reason, "first live publication"));
  assert_int_equal(pc_results_approve(f->store, f->key_path, &f->bob, report.approval_id, &report, &err), 0);
  assert_int_equal(report.number, 2);
  assert_int_equal(pc_results_current_file(f->store, f->election, "results.json", &data, &size, NULL, &err), 0);
  json_t *root = json_loadb(data, size, 0, NULL);
  free(data);
  assert_true(json_is_false(json_object_get(root, "IsTest")));
  assert_string_equal(json_string_value(json_object_get(root, "Status")), "unofficial-partial");
  json_decref(root);
}

/* ---- atomic publication under a reader ---- */

typedef struct reader {
  pc_instance_t *instance;
  volatile int stop;
  long reads, mismatches, empty;
} reader_t;

static void *reader_main(void *arg) {
  reader_t *r = arg;
  pc_store_t *store;
  pc_error_t err;
  if (pc_instance_open_store(r->instance, &store, &err) != 0) return NULL;
  while (!r->stop) {
    /* One read transaction: the manifest and results.json of whatever is current. */
    if (pc_store_begin_read(store, &err) != 0) continue;
    pc_stmt_t *stmt;
    char manifest[1 << 16] = "";
    char json_sha[65] = "";
    int64_t number = 0;
    int64_t sequence = -1;
    if (pc_store_prepare(store,
                         "SELECT f.name, f.content, p.number FROM results_current c JOIN publications p ON p.id = c.publication_id"
                         " JOIN publication_files f ON f.publication_id = p.id"
                         " WHERE f.name IN ('manifest.txt', 'results.json') ORDER BY f.name",
                         &stmt, &err) == 0) {
      while (pc_stmt_step(stmt, &err) == PC_STORE_ROW) {
        size_t size;
        const void *blob = pc_stmt_column_blob(stmt, 1, &size);
        number = pc_stmt_column_int64(stmt, 2);
        if (strcmp(pc_stmt_column_text(stmt, 0), "manifest.txt") == 0) {
          memcpy(manifest, blob, size < sizeof manifest - 1 ? size : sizeof manifest - 1);
        } else {
          unsigned char digest[32];
          crypto_hash_sha256(digest, blob, size);
          sodium_bin2hex(json_sha, sizeof json_sha, digest, sizeof digest);
          json_t *root = json_loadb(blob, size, 0, NULL);
          sequence = json_integer_value(json_object_get(root, "SequenceStart"));
          json_decref(root);
        }
      }
      pc_stmt_finalize(stmt);
    }
    pc_store_rollback(store);
    if (!json_sha[0]) {
      r->empty++;
      continue;
    }
    char expected[128], header[64];
    pc_snprintf(expected, sizeof expected, "%s  results.json\n", json_sha);
    pc_snprintf(header, sizeof header, "# publication: %lld\n", (long long)number);
    r->reads++;
    if (!strstr(manifest, expected) || !strstr(manifest, header) || sequence != number) r->mismatches++;
  }
  pc_store_close(store);
  return NULL;
}

static void test_atomic_publication(void **state) {
  fixture_t *f = *state;
  upload(f, 100, 10);
  publish_approved(f);
  reader_t reader = {&f->instance, 0, 0, 0, 0};
  pthread_t thread;
  assert_int_equal(pthread_create(&thread, NULL, reader_main, &reader), 0);
  for (int i = 1; i <= 15; i++) {
    upload(f, 100 + i, 10 + i);
    assert_int_equal(publish_approved(f), 1 + i);
  }
  while (reader.reads < 50) usleep(1000);
  reader.stop = 1;
  pthread_join(thread, NULL);
  assert_true(reader.reads >= 50);
  assert_int_equal(reader.mismatches, 0);
  assert_int_equal(reader.empty, 0);
}

/* ---- export and verify ---- */

static void flip_byte(const char *path) {
  FILE *file = fopen(path, "r+b");
  assert_non_null(file);
  int c = fgetc(file);
  fseek(file, 0, SEEK_SET);
  fputc(c ^ 1, file);
  fclose(file);
}

static int verify(const char *dir, const char *key, pc_buf_t *problems) {
  pc_error_t err;
  pc_buf_reset(problems);
  return pc_results_verify_dir(dir, key, problems, &err);
}

static void test_export_and_verify(void **state) {
  fixture_t *f = *state;
  upload(f, 300, 40);
  assert_int_equal(publish_approved(f), 1);
  char out[1200], target[1300], path[1400];
  pc_snprintf(out, sizeof out, "%s/site", f->instance.data_dir);
  pc_error_t err;
  int64_t number = 0;
  int rc = pc_results_export_static(f->store, f->election, out, &number, &err);
  if (rc != 0) fail_msg("export: %s", err.message);
  assert_int_equal(number, 1);
  char link[256];
  ssize_t n = readlink(out, link, sizeof link - 1);
  assert_true(n > 0);
  link[n] = '\0';
  assert_string_equal(link, "site.v1");
  pc_buf_t problems;
  pc_buf_init(&problems, 0);
  rc = verify(out, NULL, &problems);
  if (rc != 0) fail_msg("verify: %s", pc_buf_str(&problems));
  /* Every page the site needs is there. */
  const char *pages[] = {"index.html", "contests/c1.html", "counties/1.html", "verify.html", "results.json",
                         "results.csv", "summary.csv", "summary.json", "publication.json", "publish_ed25519.pem"};
  for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
    pc_snprintf(path, sizeof path, "%s/%s", out, pages[i]);
    assert_int_equal(access(path, R_OK), 0);
  }
  /* Pages show counts with thousands separators; JSON keeps integers. */
  pc_results_t r;
  assert_int_equal(pc_results_load(f->store, f->election, &r, &err), 0);
  int64_t cast, registered;
  pc_results_turnout(&r, -1, 0, &cast, &registered);
  pc_results_free(&r);
  assert_true(registered >= 1000);
  char grouped[PC_RESULTS_COUNT_TEXT], expected[128];
  pc_snprintf(expected, sizeof expected, " of %s registered voters", pc_results_count_text(registered, grouped));
  char *page = NULL;
  size_t page_size = 0;
  assert_int_equal(pc_results_current_file(f->store, f->election, "index.html", &page, &page_size, NULL, &err), 0);
  if (!strstr(page, expected)) fail_msg("index.html lacks \"%s\"", expected);
  free(page);
  assert_int_equal(pc_results_current_file(f->store, f->election, "summary.json", &page, &page_size, NULL, &err), 0);
  pc_snprintf(expected, sizeof expected, "\"registered_voters\": %lld", (long long)registered);
  if (!strstr(page, expected)) fail_msg("summary.json lacks \"%s\"", expected);
  free(page);
  /* A second publication flips the link; the first stays intact beside it. */
  upload(f, 301, 40);
  assert_int_equal(publish_approved(f), 2);
  assert_int_equal(pc_results_export_static(f->store, f->election, out, &number, &err), 0);
  n = readlink(out, link, sizeof link - 1);
  link[n] = '\0';
  assert_string_equal(link, "site.v2");
  pc_snprintf(target, sizeof target, "%s.v1", out);
  assert_int_equal(verify(target, NULL, &problems), 0);
  /* Re-exporting the same publication reuses the verified directory. */
  assert_int_equal(pc_results_export_static(f->store, f->election, out, &number, &err), 0);

  /* One changed byte. */
  pc_snprintf(path, sizeof path, "%s/results.csv", target);
  flip_byte(path);
  assert_int_equal(verify(target, NULL, &problems), PC_EINTEGRITY);
  assert_non_null(strstr(pc_buf_str(&problems), "results.csv: SHA-256"));
  flip_byte(path);
  assert_int_equal(verify(target, NULL, &problems), 0);
  /* A file nobody signed. */
  pc_snprintf(path, sizeof path, "%s/counties/extra.html", target);
  assert_int_equal(pc_file_write_durable(path, "x", 1, 0644, 1, &err), 0);
  assert_int_equal(verify(target, NULL, &problems), PC_EINTEGRITY);
  assert_non_null(strstr(pc_buf_str(&problems), "counties/extra.html: not listed"));
  unlink(path);
  /* A bad signature, and a manifest edited to match a changed file. */
  pc_snprintf(path, sizeof path, "%s/manifest.sig", target);
  flip_byte(path);
  assert_int_equal(verify(target, NULL, &problems), PC_EINTEGRITY);
  assert_non_null(strstr(pc_buf_str(&problems), "manifest.sig: not a valid Ed25519 signature"));
  flip_byte(path);
  pc_snprintf(path, sizeof path, "%s/manifest.txt", target);
  flip_byte(path); /* '#' becomes '"': a comment line turns into a malformed one, and the signature breaks */
  assert_int_equal(verify(target, NULL, &problems), PC_EINTEGRITY);
  flip_byte(path);
  /* Another key than the one that signed. */
  unsigned char pk[32], sk[64];
  crypto_sign_keypair(pk, sk);
  char other[65];
  sodium_bin2hex(other, sizeof other, pk, sizeof pk);
  assert_int_equal(verify(target, other, &problems), PC_EINTEGRITY);
  /* The right key given explicitly. */
  unsigned char real_sk[64], real_pk[32];
  assert_int_equal(pc_results_publish_key(f->key_path, real_sk, real_pk, &err), 0);
  sodium_bin2hex(other, sizeof other, real_pk, sizeof real_pk);
  assert_int_equal(verify(target, other, &problems), 0);
  struct stat st;
  assert_int_equal(stat(f->key_path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  pc_buf_free(&problems);
  /* OUT that is a real directory is refused. */
  pc_snprintf(path, sizeof path, "%s/realdir", f->instance.data_dir);
  assert_int_equal(mkdir(path, 0755), 0);
  assert_int_equal(pc_results_export_static(f->store, f->election, path, &number, &err), PC_EEXIST);
}

static void test_count_text(void **state) {
  (void)state;
  char text[PC_RESULTS_COUNT_TEXT];
  assert_string_equal(pc_results_count_text(0, text), "0");
  assert_string_equal(pc_results_count_text(999, text), "999");
  assert_string_equal(pc_results_count_text(1000, text), "1,000");
  assert_string_equal(pc_results_count_text(12345, text), "12,345");
  assert_string_equal(pc_results_count_text(100000000, text), "100,000,000");
  assert_string_equal(pc_results_count_text(-1234567, text), "-1,234,567");
  assert_string_equal(pc_results_count_text(INT64_MIN, text), "-9,223,372,036,854,775,808");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_count_text),
      cmocka_unit_test_setup_teardown(test_poll_closing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_admins, setup, teardown),
      cmocka_unit_test_setup_teardown(test_live_first_publication_needs_approval, setup, teardown),
      cmocka_unit_test_setup_teardown(test_atomic_publication, setup, teardown),
      cmocka_unit_test_setup_teardown(test_export_and_verify, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
