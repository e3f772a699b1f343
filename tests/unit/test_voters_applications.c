/* Unit tests for online registration (src/voters/applications.c,
 * application_queue.c, application_review.c): confirmation numbers, field
 * checks, the group-commit writer (batches, a full queue refuses at once),
 * verification against the roll, approve/deny and county scope. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_voters.h"
#include "support.h"

#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/voters.h"
#include "precinct/voters_applications.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef pc_test_voters_t fixture_t;

static pc_voter_app_input_t valid_input(void) {
  pc_voter_app_input_t in = {.kind = "new", .lang = "en", .first_name = "Maria", .last_name = "Garcia",
                             .birth_date = "1990-05-17", .res_street_address = "12 Oak St", .res_city = "Raleigh",
                             .res_zip = "27601-1234", .county = "wake", .party = "", .drivers_license = "NC 1234-5678",
                             .citizenship_attested = 1};
  return in;
}

static void confirmation_numbers(void **state) {
  (void)state;
  char a[PC_CONFIRMATION_SIZE], parsed[PC_CONFIRMATION_SIZE], shown[PC_CONFIRMATION_SIZE + 2];
  static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  for (int round = 0; round < 200; round++) {
    pc_confirmation_new(a);
    assert_int_equal(strlen(a), 10);
    assert_int_equal(strspn(a, alphabet), 10);
    assert_int_equal(pc_confirmation_parse(a, parsed), 0);
    assert_string_equal(parsed, a);
    pc_confirmation_format(a, shown);
    assert_int_equal(shown[5], '-');
    assert_int_equal(pc_confirmation_parse(shown, parsed), 0);
    assert_string_equal(parsed, a);
    /* Every single wrong symbol and every swap of two different neighbours is
     * caught, except 0 and Z (Luhn's blind spot, like 09/90 in base 10). */
    for (int i = 0; i < 10; i++) {
      for (int s = 0; s < 32; s++) {
        if (alphabet[s] == a[i]) continue;
        char typo[PC_CONFIRMATION_SIZE];
        memcpy(typo, a, sizeof typo);
        typo[i] = alphabet[s];
        assert_int_not_equal(pc_confirmation_parse(typo, parsed), 0);
      }
      int blind = (a[i] == '0' && a[i + 1] == 'Z') || (a[i] == 'Z' && a[i + 1] == '0');
      if (i < 9 && a[i] != a[i + 1] && !blind) {
        char swapped[PC_CONFIRMATION_SIZE];
        memcpy(swapped, a, sizeof swapped);
        swapped[i] = a[i + 1];
        swapped[i + 1] = a[i];
        assert_int_not_equal(pc_confirmation_parse(swapped, parsed), 0);
      }
    }
  }
  /* Read as typed: lower case, spaces, O for 0, I and L for 1. */
  do pc_confirmation_new(a);
  while (strchr(a, '0') == NULL || strchr(a, '1') == NULL);
  char typed[32];
  size_t n = 0;
  for (int i = 0; i < 10; i++) {
    char c = a[i];
    typed[n++] = c == '0' ? 'o' : c == '1' ? (i % 2 ? 'l' : 'I') : (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    if (i == 4) typed[n++] = ' ';
  }
  typed[n] = '\0';
  assert_int_equal(pc_confirmation_parse(typed, parsed), 0);
  assert_string_equal(parsed, a);
  assert_int_equal(pc_confirmation_parse("", parsed), PC_EINVAL);
  assert_int_equal(pc_confirmation_parse("ABCDEFGHJK1", parsed), PC_EINVAL);
  assert_int_equal(pc_confirmation_parse("ABCDE-FGHJU", parsed), PC_EINVAL); /* U is not a symbol */
  assert_int_equal(pc_confirmation_parse(NULL, parsed), PC_EINVAL);
}

static void field_checks(void **state) {
  (void)state;
  fixture_t f;
  pc_test_voters_open(&f);
  pc_error_t err;
  pc_voter_app_t app;
  unsigned bad = 0;
  pc_voter_app_input_t in = valid_input();
  assert_int_equal(pc_voters_app_check(&f.voters, &in, &app, &bad, &err), 0);
  assert_int_equal(bad, 0);
  assert_string_equal(app.first_name, "MARIA");
  assert_string_equal(app.res_zip, "276011234");
  assert_string_equal(app.party, "UNA");
  assert_true(app.has_dl_hmac);
  assert_false(app.has_ssn4_hmac);
  /* The licence is hashed like the roll's (spaces and hyphens dropped). */
  unsigned char expected[PC_VOTER_HMAC_SIZE];
  pc_voters_id_hmac(&f.voters, "NC12345678", expected);
  assert_memory_equal(app.dl_hmac, expected, sizeof expected);

  pc_voter_app_input_t wrong = {.kind = "renew", .first_name = "", .last_name = "X", .birth_date = "1990-02-30",
                                .res_street_address = "", .res_city = "Raleigh", .res_zip = "2760", .county = "Nowhere",
                                .party = "D3", .drivers_license = "NC#1", .ssn4 = "12a", .citizenship_attested = 0};
  assert_int_equal(pc_voters_app_check(&f.voters, &wrong, &app, &bad, &err), PC_EINVAL);
  assert_int_equal(bad, PC_APP_FIELD_KIND | PC_APP_FIELD_FIRST_NAME | PC_APP_FIELD_BIRTH_DATE | PC_APP_FIELD_STREET |
                            PC_APP_FIELD_ZIP | PC_APP_FIELD_COUNTY | PC_APP_FIELD_PARTY | PC_APP_FIELD_DL |
                            PC_APP_FIELD_SSN4 | PC_APP_FIELD_CITIZENSHIP);
  /* No ID number at all, and too young even to pre-register (16 by default). */
  in = valid_input();
  in.drivers_license = "";
  in.birth_date = "2011-01-01";
  assert_int_equal(pc_voters_app_check(&f.voters, &in, &app, &bad, &err), PC_EINVAL);
  assert_int_equal(bad, PC_APP_FIELD_ID | PC_APP_FIELD_AGE);
  in.no_id_number = 1;
  in.birth_date = "2009-06-01"; /* 16: pre-registration */
  assert_int_equal(pc_voters_app_check(&f.voters, &in, &app, &bad, &err), 0);
  /* An update needs the ZIP on file. */
  in = valid_input();
  in.kind = "update";
  assert_int_equal(pc_voters_app_check(&f.voters, &in, &app, &bad, &err), PC_EINVAL);
  assert_int_equal(bad, PC_APP_FIELD_PREV_ZIP);
  in.prev_zip = "27605";
  in.cancel_requested = 1;
  assert_int_equal(pc_voters_app_check(&f.voters, &in, &app, &bad, &err), 0);
  assert_string_equal(app.prev_last_name, "GARCIA");
  assert_true(app.cancel_requested);
  pc_test_voters_close(&f);
}

typedef struct submitter {
  pc_voter_app_queue_t *queue;
  pc_store_t *store; /* checking reads the store: a connection per thread */
  pc_voters_t voters;
  pthread_t thread;
  int count, index, stored, busy;
  char confirmations[64][PC_CONFIRMATION_SIZE];
} submitter_t;

static void *submit_main(void *arg) {
  submitter_t *s = arg;
  for (int i = 0; i < s->count; i++) {
    pc_voter_app_input_t in = valid_input();
    char first[32];
    pc_snprintf(first, sizeof first, "T%dN%d", s->index, i);
    in.first_name = first;
    pc_voter_app_t app;
    pc_error_t err;
    if (pc_voters_app_check(&s->voters, &in, &app, NULL, &err) != 0) return NULL;
    int rc = pc_voters_app_queue_submit(s->queue, &app, &err);
    if (rc == 0) pc_strlcpy(s->confirmations[s->stored++], app.confirmation, PC_CONFIRMATION_SIZE);
    else if (rc == PC_EBUSY) s->busy++;
  }
  return NULL;
}

/* Starts COUNT threads submitting EACH applications to QUEUE. */
static void start_submitters(fixture_t *f, pc_voter_app_queue_t *queue, submitter_t *subs, int count, int each) {
  pc_store_options_t options;
  pc_test_store_options(&f->instance, &options);
  pc_error_t err;
  for (int t = 0; t < count; t++) {
    subs[t] = (submitter_t){.queue = queue, .voters = f->voters, .count = each, .index = t};
    assert_int_equal(pc_store_open(&options, &subs[t].store, &err), 0);
    subs[t].voters.store = subs[t].store;
  }
  for (int t = 0; t < count; t++) assert_int_equal(pthread_create(&subs[t].thread, NULL, submit_main, &subs[t]), 0);
}

static void join_submitters(submitter_t *subs, int count) {
  for (int t = 0; t < count; t++) {
    pthread_join(subs[t].thread, NULL);
    pc_store_close(subs[t].store);
  }
}

static void group_commit_batches(void **state) {
  (void)state;
  fixture_t f;
  pc_test_voters_open(&f);
  pc_error_t err;
  pc_store_options_t options;
  pc_test_store_options(&f.instance, &options);
  pc_voter_app_queue_t *queue;
  assert_int_equal(pc_voters_app_queue_start(&options, 1024, 64, &queue, &err), 0);
  enum { THREADS = 16, EACH = 40 };
  submitter_t subs[THREADS];
  start_submitters(&f, queue, subs, THREADS, EACH);
  join_submitters(subs, THREADS);
  pc_voter_app_queue_stats_t stats;
  pc_voters_app_queue_stats(queue, &stats);
  pc_voters_app_queue_stop(queue);
  assert_int_equal(stats.stored, THREADS * EACH);
  assert_int_equal(stats.failed, 0);
  assert_true(stats.largest_batch > 1);      /* waiting submissions shared a commit */
  assert_true(stats.batches < stats.stored);
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM voter_applications"), THREADS * EACH);
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM audit_log WHERE action = 'voter_application.submit'"),
                   THREADS * EACH);
  /* Every number handed back is the stored row's. */
  for (int t = 0; t < THREADS; t++) {
    assert_int_equal(subs[t].stored, EACH);
    for (int i = 0; i < EACH; i++) {
      pc_voter_app_status_t status;
      assert_int_equal(pc_voters_app_status(f.store, subs[t].confirmations[i], "27601", &status, &err), 0);
      assert_true(status.found);
      assert_string_equal(status.status, "received");
      assert_string_equal(status.county, "WAKE");
    }
  }
  pc_test_voters_close(&f);
}

static void full_queue_answers_busy(void **state) {
  (void)state;
  fixture_t f;
  pc_test_voters_open(&f);
  pc_error_t err;
  pc_store_options_t options;
  pc_test_store_options(&f.instance, &options);
  pc_voter_app_queue_t *queue;
  /* Two may wait, the writer takes one at a time. */
  assert_int_equal(pc_voters_app_queue_start(&options, 2, 1, &queue, &err), 0);
  /* Another writer (an import, say) holds the database: the writer stalls. */
  pc_store_t *holder;
  assert_int_equal(pc_store_open(&options, &holder, &err), 0);
  assert_int_equal(pc_store_begin(holder, &err), 0);
  enum { THREADS = 6 };
  submitter_t subs[THREADS];
  start_submitters(&f, queue, subs, THREADS, 1);
  /* At most one in the writer and two waiting: at least three are refused
   * at once (four when the writer had not yet taken the first). */
  pc_voter_app_queue_stats_t stats = {0};
  for (int i = 0; i < 400 && stats.refused_busy < 3; i++) {
    usleep(10000);
    pc_voters_app_queue_stats(queue, &stats);
  }
  assert_true(stats.refused_busy >= 3);
  assert_int_equal(stats.stored, 0);
  pc_store_rollback(holder);
  join_submitters(subs, THREADS);
  int stored = 0, busy = 0;
  for (int t = 0; t < THREADS; t++) stored += subs[t].stored, busy += subs[t].busy;
  pc_voters_app_queue_stats(queue, &stats);
  assert_int_equal(busy, stats.refused_busy);
  assert_int_equal(stored + busy, THREADS);
  assert_true(stored >= 2 && stored <= 3);
  pc_voters_app_queue_stop(queue);
  /* Refused means nothing stored; accepted means stored. */
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM voter_applications"), stored);
  pc_store_close(holder);
  pc_test_voters_close(&f);
}

/* Stores one application through the writer's insert, in its own transaction. */
static int64_t store_app(fixture_t *f, pc_voter_app_input_t *in, char confirmation[PC_CONFIRMATION_SIZE]) {
  pc_voter_app_t app;
  pc_error_t err;
  assert_int_equal(pc_voters_app_check(&f->voters, in, &app, NULL, &err), 0);
  assert_int_equal(pc_store_begin(f->store, &err), 0);
  assert_int_equal(pc_voters_app_insert(f->store, &app, &err), 0);
  assert_int_equal(pc_store_commit(f->store, &err), 0);
  if (confirmation) pc_strlcpy(confirmation, app.confirmation, PC_CONFIRMATION_SIZE);
  return app.id;
}

static int count_visit(void *context, const pc_voter_app_summary_t *app) {
  (void)app;
  (*(int *)context)++;
  return 0;
}

static void verify_approve_deny_and_scope(void **state) {
  (void)state;
  fixture_t f;
  pc_test_voters_open(&f);
  pc_error_t err;
  /* On the roll already: Maria Garcia in Wake. */
  pc_voter_application_t reg;
  memset(&reg, 0, sizeof reg);
  pc_strlcpy(reg.voter.first_name, "MARIA", sizeof reg.voter.first_name);
  pc_strlcpy(reg.voter.last_name, "GARCIA", sizeof reg.voter.last_name);
  pc_strlcpy(reg.voter.birth_date, "1990-05-17", sizeof reg.voter.birth_date);
  pc_strlcpy(reg.voter.res_street_address, "9 ELM ST", sizeof reg.voter.res_street_address);
  pc_strlcpy(reg.voter.res_city, "RALEIGH", sizeof reg.voter.res_city);
  pc_strlcpy(reg.voter.res_zip, "27605", sizeof reg.voter.res_zip);
  pc_strlcpy(reg.voter.precinct_code, "0001", sizeof reg.voter.precinct_code);
  reg.county = "WAKE";
  reg.citizenship_attested = 1;
  int64_t maria = 0;
  assert_int_equal(pc_voters_register(&f.voters, &reg, &maria, &err), 0);

  char number[PC_CONFIRMATION_SIZE];
  pc_voter_app_input_t in = valid_input(); /* Maria again, new address: a possible duplicate */
  int64_t dup = store_app(&f, &in, number);
  in.first_name = "Jonas";
  in.last_name = "Whitfield";
  in.county = "DURHAM";
  in.birth_date = "1985-01-02";
  in.res_zip = "27701";
  int64_t fresh = store_app(&f, &in, NULL);
  pc_voter_app_input_t update = valid_input();
  update.kind = "update";
  update.prev_zip = "27605";
  update.party = "DEM";
  int64_t move = store_app(&f, &update, NULL);
  update.cancel_requested = 1;
  int64_t cancel = store_app(&f, &update, NULL);

  /* Verification, scoped to Wake: Durham's application stays received. */
  pc_voters_t wake = f.voters, durham = f.voters;
  wake.county_scope = "WAKE";
  durham.county_scope = "DURHAM";
  int64_t processed = 0;
  assert_int_equal(pc_voters_app_process(&wake, 100, &processed, &err), 0);
  assert_int_equal(processed, 3);
  char sql[160];
  pc_snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM voter_applications WHERE id = %lld AND status = 'needs_review'"
              " AND match_voter_id = %lld", (long long)dup, (long long)maria);
  assert_int_equal(pc_test_query_int(f.store, sql), 1);
  pc_snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM voter_applications WHERE id = %lld AND status = 'verified'"
              " AND match_voter_id = %lld", (long long)move, (long long)maria);
  assert_int_equal(pc_test_query_int(f.store, sql), 1);
  pc_snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM voter_applications WHERE id = %lld AND status = 'mail_confirmation'",
              (long long)cancel);
  assert_int_equal(pc_test_query_int(f.store, sql), 1);
  pc_snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM voter_applications WHERE id = %lld AND status = 'received'",
              (long long)fresh);
  assert_int_equal(pc_test_query_int(f.store, sql), 1);
  int open = 0;
  assert_int_equal(pc_voters_app_each_open(&wake, 100, 1, count_visit, &open, &err), 0);
  assert_int_equal(open, 3);

  /* Wake's clerk cannot decide Durham's application; Durham's can. */
  int64_t voter_id = 0;
  assert_int_equal(pc_voters_app_approve(&wake, fresh, "0007", 0, &voter_id, &err), PC_ENOTFOUND);
  assert_int_equal(pc_voters_app_process(&durham, 100, &processed, &err), 0);
  assert_int_equal(pc_voters_app_approve(&durham, fresh, "", 0, &voter_id, &err), PC_EINVAL);
  assert_int_equal(pc_voters_app_approve(&durham, fresh, "0001", 0, &voter_id, &err), PC_EINVAL); /* Wake's precinct */
  assert_int_equal(pc_voters_app_approve(&durham, fresh, "0007", 0, &voter_id, &err), 0);
  pc_voter_t voter;
  assert_int_equal(pc_voters_get(&f.voters, voter_id, &voter, &err), 0);
  assert_string_equal(voter.last_name, "WHITFIELD");
  assert_string_equal(voter.registration_source, "online");
  assert_true(voter.has_dl_hmac);
  assert_int_equal(pc_voters_app_approve(&durham, fresh, "0007", 0, &voter_id, &err), PC_ESTATE); /* decided */

  /* The update changes the registration on file; the duplicate is denied. */
  assert_int_equal(pc_voters_app_approve(&wake, move, NULL, 0, &voter_id, &err), 0);
  assert_int_equal(voter_id, maria);
  assert_int_equal(pc_voters_get(&f.voters, maria, &voter, &err), 0);
  assert_string_equal(voter.res_street_address, "12 OAK ST");
  assert_string_equal(voter.party, "DEM");
  assert_int_equal(pc_voters_app_deny(&wake, dup, "bogus", &err), PC_EINVAL);
  assert_int_equal(pc_voters_app_deny(&wake, dup, "duplicate", &err), 0);
  pc_voter_app_status_t status;
  assert_int_equal(pc_voters_app_status(f.store, number, "1990-05-17", &status, &err), 0);
  assert_true(status.found);
  assert_string_equal(status.status, "denied");
  assert_string_equal(status.denial_reason, "duplicate");
  /* A wrong second factor looks like an unknown number. */
  assert_int_equal(pc_voters_app_status(f.store, number, "27699", &status, &err), 0);
  assert_false(status.found);
  assert_int_equal(pc_voters_app_status(f.store, number, "1990-05-18", &status, &err), 0);
  assert_false(status.found);
  assert_int_equal(pc_voters_app_status(f.store, number, "zip", &status, &err), PC_EINVAL);

  /* The cancellation, once confirmed by mail, is a clerk's approval. */
  assert_int_equal(pc_voters_app_approve(&wake, cancel, NULL, 0, &voter_id, &err), PC_EINVAL);
  assert_string_equal(err.field, "mail_confirmed");
  assert_int_equal(pc_voters_get(&f.voters, maria, &voter, &err), 0);
  assert_string_equal(voter.status, "A");
  assert_int_equal(pc_voters_app_approve(&wake, cancel, NULL, 1, &voter_id, &err), 0);
  assert_int_equal(pc_voters_get(&f.voters, maria, &voter, &err), 0);
  assert_string_equal(voter.status, "R");
  assert_string_equal(voter.status_reason, "RQ");
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'voter_applications'"),
                   4 + 4 + 4); /* submit, verify, decide */
  pc_test_voters_close(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(confirmation_numbers),
      cmocka_unit_test(field_checks),
      cmocka_unit_test(group_commit_batches),
      cmocka_unit_test(full_queue_answers_busy),
      cmocka_unit_test(verify_approve_deny_and_scope),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
