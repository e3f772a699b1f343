/* Test to live: one transaction clears every test return, takes down the
 * current test publication, flips the election's mode, and proves with the
 * zero report (computed from the live returns, which must be empty) that
 * nothing carried over. The report is printed for the official's records and
 * its hash kept on the audited election row. */
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/results.h"
#include "rcv.h"

#include <sodium.h>
#include <string.h>

static int run(pc_store_t *store, const char *sql, int64_t election, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, election);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE || rc == PC_STORE_ROW ? 0 : rc;
}

/* Marks each test upload cleared, one audit entry per upload. */
static int clear_test_uploads(pc_store_t *store, const pc_actor_t *actor, int64_t election, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT id FROM results_uploads WHERE election_id = ? AND mode = 'test' AND status <> 'cleared' ORDER BY id",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, election);
  int64_t ids[4096];
  size_t count = 0;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW && count < sizeof ids / sizeof ids[0])
    ids[count++] = pc_stmt_column_int64(stmt, 0);
  pc_stmt_finalize(stmt);
  if (rc == PC_STORE_ROW) return pc_error_set(err, PC_ELIMIT, "more than 4096 test uploads; clear some first");
  if (rc != PC_STORE_DONE) return rc;
  for (size_t i = 0; i < count; i++) {
    unsigned char before[PC_HASH_SIZE];
    rc = pc_audit_row_hash(store, "results_uploads", ids[i], before, err);
    if (rc == 0) rc = run(store, "UPDATE results_uploads SET status = 'cleared' WHERE id = ?", ids[i], err);
    if (rc == 0) rc = pc_audit_record(store, actor, "results.clear_test", "results_uploads", ids[i], before, NULL, err);
    if (rc != 0) return rc;
  }
  return 0;
}

/* Appends the zero report of R to OUT; *NONZERO counts contests not at zero. */
static void zero_report(const pc_results_t *r, pc_buf_t *out, long *nonzero) {
  const pc_election_model_t *m = &r->model;
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  pc_buf_appendf(out, "ZERO REPORT: %s (%s)\nMode: %s    Printed: %s\n\n", m->election.name, m->election.code,
                 m->election.mode, now);
  pc_buf_appendf(out, "%-50s %-32s %10s\n", "Contest", "Choice", "Votes");
  int64_t all = 0;
  *nonzero = 0;
  size_t choices = 0;
  for (size_t c = 0; c < m->contest_count; c++) {
    int64_t contest_sum = 0;
    for (size_t k = 0; k < m->contests[c].choice_count; k++, choices++) {
      int64_t votes = pc_results_votes(r, (int)c, (int)k, -1, -1);
      contest_sum += votes;
      pc_buf_appendf(out, "%-50.50s %-32.32s %10lld\n", k == 0 ? m->contests[c].name : "", m->contests[c].choices[k].name,
                     (long long)votes);
    }
    if (contest_sum != 0) (*nonzero)++;
    all += contest_sum;
  }
  long reporting = 0;
  for (size_t p = 0; p < m->precinct_count; p++) reporting += r->reporting[p];
  if (reporting) (*nonzero)++;
  pc_buf_appendf(out, "\nContests: %zu    Choices: %zu    Total votes: %lld    Precincts reporting: %ld of %zu\n",
                 m->contest_count, choices, (long long)all, reporting, m->precinct_count);
  pc_buf_appendf(out, "RESULT: %s\n", *nonzero ? "NOT ZERO - LIVE SWITCH REFUSED" : "ALL ZERO");
}

int pc_results_go_live(pc_store_t *store, const pc_actor_t *actor, int64_t election_id, pc_buf_t *report,
                       pc_error_t *err) {
  pc_election_t e;
  int rc = pc_elections_get(store, election_id, &e, err);
  if (rc != 0) return rc;
  rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  rc = pc_elections_get(store, e.id, &e, err); /* again, under the write lock */
  if (rc == 0 && strcmp(e.mode, "test") != 0)
    rc = pc_error_set(err, PC_ESTATE, "election %s is live already; it cannot go back to test", e.code);
  unsigned char before[PC_HASH_SIZE];
  if (rc == 0) rc = pc_audit_row_hash(store, "elections", e.id, before, err);
  if (rc == 0) rc = clear_test_uploads(store, actor, e.id, err);
  if (rc == 0) rc = pc_results_rcv_clear_test(store, actor, e.id, err);
  if (rc == 0)
    rc = run(store, "DELETE FROM vote_returns WHERE upload_id IN (SELECT id FROM results_uploads WHERE election_id = ? AND mode = 'test')",
             e.id, err);
  if (rc == 0)
    rc = run(store, "DELETE FROM precinct_returns WHERE upload_id IN (SELECT id FROM results_uploads WHERE election_id = ? AND mode = 'test')",
             e.id, err);
  /* A test publication must not stay on the public site once live. */
  if (rc == 0) rc = run(store, "DELETE FROM results_current WHERE election_id = ?", e.id, err);
  if (rc == 0) rc = run(store, "UPDATE elections SET mode = 'live' WHERE id = ?", e.id, err);
  pc_results_t results;
  pc_buf_t text;
  pc_buf_init(&text, 0);
  long nonzero = 0;
  if (rc == 0) rc = pc_results_load(store, e.id, &results, err);
  if (rc == 0) {
    zero_report(&results, &text, &nonzero);
    pc_results_free(&results);
    if (nonzero) rc = pc_error_set(err, PC_EINTEGRITY, "the zero report is not all zero (%ld contests); nothing changed", nonzero);
  }
  if (rc == 0) {
    unsigned char digest[32];
    char hex[65];
    crypto_hash_sha256(digest, (const unsigned char *)text.data, text.len);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    pc_stmt_t *stmt;
    rc = pc_store_prepare(store, "UPDATE elections SET zero_report_sha256 = ? WHERE id = ?", &stmt, err);
    if (rc == 0) {
      pc_stmt_bind_text(stmt, 1, hex);
      pc_stmt_bind_int64(stmt, 2, e.id);
      rc = pc_stmt_step(stmt, err) == PC_STORE_DONE ? 0 : PC_EDB;
      pc_stmt_finalize(stmt);
    }
  }
  if (rc == 0) rc = pc_audit_record(store, actor, "election.go_live", "elections", e.id, before, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  if (rc == 0) pc_results_cache_bump(); /* the test publication is down */
  if (text.data) pc_buf_append(report, text.data, text.len);
  pc_buf_free(&text);
  return rc;
}
