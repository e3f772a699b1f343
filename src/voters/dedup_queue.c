/* Duplicate detection against the database: loading the roll into compact
 * records, writing the pairs file, filling the review queue
 * (duplicate_candidates), and an official's decision on each pair. Merging
 * cancels the newer registration as a duplicate of the older one; both
 * records, and both histories, stay. */
#include "dedup.h"

#include "voters_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/log.h"
#include "precinct/progress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int load_records(pc_voters_t *v, int quiet, pc_dedup_record_t **out, size_t *count_out, pc_error_t *err) {
  int64_t scope_id = 0;
  if (v->county_scope) {
    int rc = pc_voters_county_id(v->store, v->county_scope, &scope_id, err);
    if (rc != 0) return rc;
  }
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store,
                            scope_id ? "SELECT id, ncid, first_name, last_name, middle_name, name_suffix, res_street_address,"
                                       " res_zip, gender, race, birth_state, phone, birth_year, birth_date, dl_hmac, ssn4_hmac"
                                       " FROM voters WHERE merged_into_id IS NULL AND county_id = ? ORDER BY id"
                                     : "SELECT id, ncid, first_name, last_name, middle_name, name_suffix, res_street_address,"
                                       " res_zip, gender, race, birth_state, phone, birth_year, birth_date, dl_hmac, ssn4_hmac"
                                       " FROM voters WHERE merged_into_id IS NULL ORDER BY id",
                            &stmt, err);
  if (rc != 0) return rc;
  if (scope_id) pc_stmt_bind_int64(stmt, 1, scope_id);
  size_t count = 0, capacity = 1 << 16;
  pc_dedup_record_t *records = pc_xmalloc(capacity * sizeof *records);
  pc_voter_t *voter = pc_xcalloc(1, sizeof *voter);
  pc_progress_t *progress = pc_progress_start("load", 0, quiet);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    if (count == capacity) {
      capacity *= 2;
      records = pc_xreallocarray(records, capacity, sizeof *records);
    }
    if (count >= UINT32_MAX - 1) {
      rc = pc_error_set(err, PC_ELIMIT, "too many voters for one duplicate run");
      break;
    }
    voter->id = pc_stmt_column_int64(stmt, 0);
    char *const texts[] = {voter->ncid,  voter->first_name, voter->last_name, voter->middle_name, voter->name_suffix,
                           voter->res_street_address, voter->res_zip, voter->gender, voter->race, voter->birth_state,
                           voter->phone};
    const size_t sizes[] = {sizeof voter->ncid,  sizeof voter->first_name, sizeof voter->last_name,
                            sizeof voter->middle_name, sizeof voter->name_suffix, sizeof voter->res_street_address,
                            sizeof voter->res_zip, sizeof voter->gender, sizeof voter->race, sizeof voter->birth_state,
                            sizeof voter->phone};
    for (int i = 0; i < 11; i++) {
      const char *text = pc_stmt_column_text(stmt, i + 1);
      pc_strlcpy(texts[i], text ? text : "", sizes[i]);
    }
    voter->birth_year = pc_stmt_column_int64(stmt, 12);
    const char *dob = pc_stmt_column_text(stmt, 13);
    pc_strlcpy(voter->birth_date, dob ? dob : "", sizeof voter->birth_date);
    size_t size = 0;
    const void *blob = pc_stmt_column_blob(stmt, 14, &size);
    voter->has_dl_hmac = blob && size == PC_VOTER_HMAC_SIZE;
    if (voter->has_dl_hmac) memcpy(voter->dl_hmac, blob, size);
    blob = pc_stmt_column_blob(stmt, 15, &size);
    voter->has_ssn4_hmac = blob && size == PC_VOTER_HMAC_SIZE;
    if (voter->has_ssn4_hmac) memcpy(voter->ssn4_hmac, blob, size);
    pc_dedup_record_from(voter, &records[count++]);
    if (count % 65536 == 0) pc_progress_update(progress, count);
  }
  pc_progress_update(progress, count);
  pc_progress_finish(progress);
  free(voter);
  pc_stmt_finalize(stmt);
  if (rc != PC_STORE_DONE) {
    free(records);
    return rc < 0 ? rc : PC_EDB;
  }
  *out = records;
  *count_out = count;
  return 0;
}

static int write_pairs(const char *path, const pc_dedup_record_t *records, const pc_dedup_pair_t *pairs, size_t count,
                       pc_error_t *err) {
  char tmp[1200];
  if (pc_snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) != 0) return pc_error_set(err, PC_ELIMIT, "path too long");
  FILE *out = fopen(tmp, "wb");
  if (out == NULL) return pc_error_set_at(err, PC_EIO, tmp, 0, NULL, "cannot create: %s", strerror(errno));
  fputs("ncid_a,ncid_b,score\n", out);
  for (size_t i = 0; i < count; i++)
    fprintf(out, "%s,%s,%.3f\n", records[pairs[i].a].ncid, records[pairs[i].b].ncid, pairs[i].score);
  int failed = fflush(out) != 0 || fsync(fileno(out)) != 0;
  failed |= fclose(out) != 0;
  if (failed || rename(tmp, path) != 0) {
    unlink(tmp);
    return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot write the pairs file: %s", strerror(errno));
  }
  return 0;
}

static int fill_queue(pc_voters_t *v, const pc_dedup_record_t *records, const pc_dedup_pair_t *pairs, size_t count,
                      int64_t *queued, pc_error_t *err) {
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  int rc = pc_store_begin(v->store, err);
  if (rc != 0) return rc;
  int64_t added = 0;
  for (size_t i = 0; rc == 0 && i < count; i++) {
    pc_stmt_t *stmt;
    rc = pc_store_prepare(v->store,
                          "INSERT INTO duplicate_candidates (voter_a_id, voter_b_id, score, state, found_at)"
                          " VALUES (?, ?, ?, 'open', ?) ON CONFLICT (voter_a_id, voter_b_id) DO NOTHING RETURNING id",
                          &stmt, err);
    if (rc != 0) break;
    char score[16];
    pc_snprintf(score, sizeof score, "%.3f", pairs[i].score);
    pc_stmt_bind_int64(stmt, 1, records[pairs[i].a].id);
    pc_stmt_bind_int64(stmt, 2, records[pairs[i].b].id);
    pc_stmt_bind_text(stmt, 3, score);
    pc_stmt_bind_text(stmt, 4, now);
    rc = pc_stmt_step(stmt, err);
    int64_t id = rc == PC_STORE_ROW ? pc_stmt_column_int64(stmt, 0) : 0;
    pc_stmt_finalize(stmt);
    if (rc < 0) break;
    rc = 0;
    if (id) {
      rc = pc_audit_record(v->store, &v->actor, "duplicate.flag", "duplicate_candidates", id, NULL, NULL, err);
      added++;
    }
  }
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) pc_store_rollback(v->store);
  else *queued = added;
  return rc;
}

int pc_voters_dedup(pc_voters_t *v, const pc_voters_dedup_options_t *o, pc_voters_dedup_result_t *result, pc_error_t *err) {
  int64_t started = pc_clock_monotonic_ms();
  pc_dedup_record_t *records = NULL;
  size_t count = 0;
  int rc = pc_store_begin_read(v->store, err);
  if (rc == 0) {
    rc = load_records(v, o->quiet, &records, &count, err);
    pc_store_rollback(v->store);
  }
  if (rc != 0) return rc;
  int64_t loaded = pc_clock_monotonic_ms();
  pc_dedup_pair_t *pairs = NULL;
  size_t pair_count = 0;
  int64_t comparisons = 0;
  pc_dedup_find(records, count, o->threads ? o->threads : 2, o->threshold > 0 ? o->threshold : PC_DEDUP_THRESHOLD, &pairs, &pair_count,
                &comparisons);
  int64_t found = pc_clock_monotonic_ms();
  pc_log(PC_LOG_INFO, "dedup: %zu voters loaded in %lld ms, %zu pairs from %lld comparisons in %lld ms", count,
         (long long)(loaded - started), pair_count, (long long)comparisons, (long long)(found - loaded));
  if (o->out_path) rc = write_pairs(o->out_path, records, pairs, pair_count, err);
  int64_t queued = 0;
  if (rc == 0 && o->fill_queue) rc = fill_queue(v, records, pairs, pair_count, &queued, err);
  free(records);
  free(pairs);
  if (rc != 0) return rc;
  if (result) {
    result->voters = (int64_t)count;
    result->comparisons = comparisons;
    result->pairs = (int64_t)pair_count;
    result->queued = queued;
    result->milliseconds = pc_clock_monotonic_ms() - started;
  }
  return 0;
}

int pc_voters_dedup_decide(pc_voters_t *v, int64_t candidate_id, const char *decision, pc_error_t *err) {
  int merge = strcmp(decision, "merge") == 0;
  if (!merge && strcmp(decision, "dismiss") != 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "decision", "expected merge or dismiss");
  int rc = pc_store_begin(v->store, err);
  if (rc != 0) return rc;
  pc_stmt_t *stmt;
  int64_t a_id = 0, b_id = 0;
  char state[16] = "";
  rc = pc_store_prepare(v->store, "SELECT voter_a_id, voter_b_id, state FROM duplicate_candidates WHERE id = ?", &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, candidate_id);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) {
      a_id = pc_stmt_column_int64(stmt, 0), b_id = pc_stmt_column_int64(stmt, 1);
      pc_strlcpy(state, pc_stmt_column_text(stmt, 2), sizeof state);
      rc = 0;
    } else if (rc == PC_STORE_DONE) {
      rc = pc_error_set(err, PC_ENOTFOUND, "no duplicate candidate %lld", (long long)candidate_id);
    }
    pc_stmt_finalize(stmt);
  }
  pc_voter_t a, b;
  if (rc == 0) rc = pc_voters_get(v, a_id, &a, err);
  if (rc == 0) rc = pc_voters_get(v, b_id, &b, err);
  if (rc == 0 && strcmp(state, "open") != 0) rc = pc_error_set(err, PC_ESTATE, "candidate %lld was already %s", (long long)candidate_id, state);
  unsigned char before[PC_HASH_SIZE];
  if (rc == 0 && merge) {
    if (strcmp(b.status, "R") == 0) rc = pc_error_set(err, PC_ESTATE, "voter %s is already removed", b.ncid);
    if (rc == 0) rc = pc_voters_row_hash(v->store, b.id, before, err);
    if (rc == 0) {
      pc_strlcpy(b.status, "R", sizeof b.status);
      pc_strlcpy(b.status_reason, "R2", sizeof b.status_reason);
      pc_strlcpy(b.status_reason_desc, pc_voters_reason_desc("R2"), sizeof b.status_reason_desc);
      pc_voters_today(b.status_date);
      b.merged_into_id = a.id;
      rc = pc_voters_save(v, &b, "voter.merge", before, err);
    }
  }
  if (rc == 0) rc = pc_audit_row_hash(v->store, "duplicate_candidates", candidate_id, before, err);
  if (rc == 0) {
    char now[PC_RFC3339_SIZE];
    pc_clock_now_rfc3339(now);
    rc = pc_store_prepare(v->store, "UPDATE duplicate_candidates SET state = ?, decided_at = ?, decided_by = ? WHERE id = ?",
                          &stmt, err);
    if (rc == 0) {
      pc_stmt_bind_text(stmt, 1, merge ? "merged" : "dismissed");
      pc_stmt_bind_text(stmt, 2, now);
      pc_stmt_bind_text(stmt, 3, v->actor.username);
      pc_stmt_bind_int64(stmt, 4, candidate_id);
      rc = pc_stmt_step(stmt, err);
      pc_stmt_finalize(stmt);
      if (rc > 0) rc = 0;
    }
  }
  if (rc == 0)
    rc = pc_audit_record(v->store, &v->actor, merge ? "duplicate.merge" : "duplicate.dismiss", "duplicate_candidates",
                         candidate_id, before, NULL, err);
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) pc_store_rollback(v->store);
  return rc;
}
