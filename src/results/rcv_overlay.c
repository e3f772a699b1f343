/* Ranked-choice CVRs in the aggregate: a county's current CVR upload of an
 * RCV contest replaces that county's first-choice counts of the contest by
 * the upload's round-1 votes, so every page and file shows the same
 * first choices as round 1 of the tabulation. Also reading an upload's
 * ballots back and clearing test uploads at the live switch. */
#include "rcv.h"
#include "precinct/sha256.h"

#include "precinct/alloc.h"

#include <stdlib.h>
#include <string.h>

static int index_by_id(const int64_t *ids, size_t count, int64_t id) {
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (ids[mid] == id) return (int)mid;
    if (ids[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

static int find_contest(const pc_election_model_t *m, int64_t id) {
  for (size_t c = 0; c < m->contest_count; c++)
    if (m->contests[c].id == id) return (int)c;
  return -1;
}

static int find_county(const pc_election_model_t *m, int64_t id) {
  for (size_t c = 0; c < m->county_count; c++)
    if (m->counties[c].id == id) return (int)c;
  return -1;
}

static int compare_uploads(const void *a, const void *b) {
  const pc_rcv_upload_t *x = a, *y = b;
  if (x->contest != y->contest) return x->contest < y->contest ? -1 : 1;
  return x->county < y->county ? -1 : x->county > y->county;
}

static int load_uploads(pc_store_t *store, pc_results_t *r, pc_error_t *err) {
  const pc_election_model_t *m = &r->model;
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT id, contest_id, county_id, version, ballots, file_name, file_sha256, data_sha256"
                            " FROM cvr_uploads WHERE election_id = ? AND mode = ? AND status = 'current'",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, m->election.id);
  pc_stmt_bind_text(stmt, 2, m->election.mode);
  pc_results_rcv_t *rcv = r->rcv;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    pc_rcv_upload_t u;
    memset(&u, 0, sizeof u);
    u.id = pc_stmt_column_int64(stmt, 0);
    u.contest = find_contest(m, pc_stmt_column_int64(stmt, 1));
    u.county = find_county(m, pc_stmt_column_int64(stmt, 2));
    u.version = (int)pc_stmt_column_int64(stmt, 3);
    u.ballots = pc_stmt_column_int64(stmt, 4);
    pc_strlcpy(u.file_name, pc_stmt_column_text(stmt, 5), sizeof u.file_name);
    pc_strlcpy(u.file_sha256, pc_stmt_column_text(stmt, 6), sizeof u.file_sha256);
    pc_strlcpy(u.data_sha256, pc_stmt_column_text(stmt, 7), sizeof u.data_sha256);
    if (u.contest < 0 || u.county < 0) continue; /* cannot happen: uploads reference the definition */
    rcv->uploads = pc_xreallocarray(rcv->uploads, rcv->count + 1, sizeof *rcv->uploads);
    rcv->uploads[rcv->count++] = u;
  }
  pc_stmt_finalize(stmt);
  if (rc != PC_STORE_DONE) return rc;
  if (rcv->count > 1) qsort(rcv->uploads, rcv->count, sizeof *rcv->uploads, compare_uploads);
  return 0;
}

int pc_results_rcv_overlay(pc_store_t *store, pc_results_t *r, pc_error_t *err) {
  const pc_election_model_t *m = &r->model;
  r->rcv = pc_xcalloc(1, sizeof *r->rcv);
  int rc = load_uploads(store, r, err);
  if (rc != 0 || r->rcv->count == 0) return rc;
  int64_t *ids = pc_xcalloc(m->precinct_count + 1, sizeof *ids);
  for (size_t p = 0; p < m->precinct_count; p++) ids[p] = m->precincts[p].id;
  /* Clear the returns' counts of each (contest, county) that has CVRs. */
  for (size_t i = 0; i < r->rcv->count; i++) {
    const pc_rcv_upload_t *u = &r->rcv->uploads[i];
    size_t base = r->choice_base[u->contest], choices = m->contests[u->contest].choice_count;
    for (size_t p = 0; p < m->precinct_count; p++) {
      if (m->precincts[p].county != u->county) continue;
      memset(&r->votes[(p * r->choice_total + base) * PC_GROUP_COUNT], 0, choices * PC_GROUP_COUNT * sizeof *r->votes);
      memset(&r->group_used[(p * m->contest_count + (size_t)u->contest) * PC_GROUP_COUNT], 0, PC_GROUP_COUNT);
    }
  }
  unsigned char *from_cvrs = pc_xcalloc(m->precinct_count + 1, 1);
  pc_stmt_t *stmt;
  rc = pc_store_prepare(store,
                        "SELECT c.upload_id, c.precinct_id, c.ballots FROM cvr_precincts c JOIN cvr_uploads u ON"
                        " u.id = c.upload_id WHERE u.election_id = ? AND u.mode = ? AND u.status = 'current'",
                        &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, m->election.id);
    pc_stmt_bind_text(stmt, 2, m->election.mode);
    while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
      int p = index_by_id(ids, m->precinct_count, pc_stmt_column_int64(stmt, 1));
      if (p < 0) continue;
      /* A precinct whose ballots are in CVRs reports; without returns its
       * ballots cast are its CVRs: those of the contest with the most (a
       * ballot's CVR may leave a contest out), in any order of the rows. */
      int64_t ballots = pc_stmt_column_int64(stmt, 2);
      if (!r->reporting[p]) {
        r->reporting[p] = 1;
        from_cvrs[p] = 1;
        r->ballots_cast[p] = ballots;
      } else if (from_cvrs[p] && ballots > r->ballots_cast[p]) {
        r->ballots_cast[p] = ballots;
      }
    }
    pc_stmt_finalize(stmt);
    rc = rc == PC_STORE_DONE ? 0 : rc;
  }
  if (rc == 0)
    rc = pc_store_prepare(store,
                          "SELECT u.contest_id, f.precinct_id, f.choice_id, f.votes FROM cvr_first_choices f JOIN"
                          " cvr_uploads u ON u.id = f.upload_id WHERE u.election_id = ? AND u.mode = ? AND"
                          " u.status = 'current'",
                          &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, m->election.id);
    pc_stmt_bind_text(stmt, 2, m->election.mode);
    while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
      int c = find_contest(m, pc_stmt_column_int64(stmt, 0));
      int p = index_by_id(ids, m->precinct_count, pc_stmt_column_int64(stmt, 1));
      int64_t choice_id = pc_stmt_column_int64(stmt, 2);
      if (c < 0 || p < 0) continue;
      for (size_t k = 0; k < m->contests[c].choice_count; k++) {
        if (m->contests[c].choices[k].id != choice_id) continue;
        size_t global = r->choice_base[c] + k;
        r->votes[(p * r->choice_total + global) * PC_GROUP_COUNT + PC_GROUP_TOTAL] = (int32_t)pc_stmt_column_int64(stmt, 3);
        r->group_used[((size_t)p * m->contest_count + (size_t)c) * PC_GROUP_COUNT + PC_GROUP_TOTAL] = 1;
      }
    }
    pc_stmt_finalize(stmt);
    rc = rc == PC_STORE_DONE ? 0 : rc;
  }
  free(ids);
  free(from_cvrs);
  return rc;
}

void pc_results_rcv_hash(pc_results_t *r) {
  if (!r->rcv) return;
  for (size_t i = 0; i < r->rcv->count; i++) {
    const pc_rcv_upload_t *u = &r->rcv->uploads[i];
    /* new hash = SHA-256(old hash hex || upload data hash hex): later
     * rankings changing alone change the contest */
    pc_sha256_t state;
    pc_sha256_init(&state);
    pc_sha256_update(&state, r->contest_sha256[u->contest], 64);
    pc_sha256_update(&state, u->data_sha256, 64);
    pc_sha256_final_hex(&state, r->contest_sha256[u->contest]);
  }
}

void pc_results_rcv_free(pc_results_t *r) {
  if (!r->rcv) return;
  free(r->rcv->uploads);
  free(r->rcv);
  r->rcv = NULL;
}

int pc_results_rcv_has(const pc_results_t *r, int contest) {
  if (!r->rcv) return 0;
  for (size_t i = 0; i < r->rcv->count; i++)
    if (r->rcv->uploads[i].contest == contest) return 1;
  return 0;
}

int pc_results_rcv_read_upload(pc_store_t *store, const pc_election_model_t *model, int64_t id, pc_rcv_ballots_t *b,
                               pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT data, data_sha256 FROM cvr_uploads WHERE id = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    size_t size = 0;
    const void *data = pc_stmt_column_blob(stmt, 0, &size);
    char hex[65];
    pc_sha256_hex(data ? data : (const void *)"", size, hex);
    if (strcmp(hex, pc_stmt_column_text(stmt, 1)) != 0)
      rc = pc_error_set(err, PC_EINTEGRITY, "cast vote record upload %lld does not match its SHA-256", (long long)id);
    else rc = pc_rcv_decode(model, data, size, b, err);
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set(err, PC_ENOTFOUND, "no cast vote record upload %lld", (long long)id);
  }
  pc_stmt_finalize(stmt);
  return rc;
}

static int run(pc_store_t *store, const char *sql, int64_t value, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, value);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE || rc == PC_STORE_ROW ? 0 : rc;
}

int pc_results_rcv_clear_test(pc_store_t *store, const pc_actor_t *actor, int64_t election, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT id FROM cvr_uploads WHERE election_id = ? AND mode = 'test' AND"
                                   " status <> 'cleared' ORDER BY id", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, election);
  int64_t *ids = NULL;
  size_t count = 0;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    ids = pc_xreallocarray(ids, count + 1, sizeof *ids);
    ids[count++] = pc_stmt_column_int64(stmt, 0);
  }
  pc_stmt_finalize(stmt);
  rc = rc == PC_STORE_DONE ? 0 : rc;
  for (size_t i = 0; rc == 0 && i < count; i++) {
    unsigned char before[PC_HASH_SIZE];
    rc = pc_audit_row_hash(store, "cvr_uploads", ids[i], before, err);
    if (rc == 0) rc = pc_store_prepare(store, "UPDATE cvr_uploads SET status = 'cleared', data = ? WHERE id = ?", &stmt, err);
    if (rc == 0) {
      pc_stmt_bind_blob(stmt, 1, "", 0); /* a test's ballots do not outlive it */
      pc_stmt_bind_int64(stmt, 2, ids[i]);
      rc = pc_stmt_step(stmt, err) == PC_STORE_DONE ? 0 : PC_EDB;
      pc_stmt_finalize(stmt);
    }
    if (rc == 0) rc = run(store, "DELETE FROM cvr_first_choices WHERE upload_id = ?", ids[i], err);
    if (rc == 0) rc = run(store, "DELETE FROM cvr_precincts WHERE upload_id = ?", ids[i], err);
    if (rc == 0) rc = pc_audit_record(store, actor, "results.cvr_clear_test", "cvr_uploads", ids[i], before, NULL, err);
  }
  free(ids);
  return rc;
}
