/* Audit coverage for bulk-loaded rows: instead of one log entry per row
 * (impossible for a 10-million-voter file), one entry on a batch row whose
 * digest covers the rows as loaded. Verification streams each batch's rows
 * once (sequential scan by id) and needs only the later entries of changed
 * rows in memory, so it stays linear in the table size. The domain module
 * that loads the batch computes the digest the same way. */
#include "precinct/audit.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names are constants, the only identifiers spliced into SQL text. */
const pc_audit_bulk_t pc_audit_bulk_tables[] = {{"voters", "voter_import_batches", "import_batch_id"},
                                                {"voter_street_segments", "voter_street_versions", "version_id"},
                                                {NULL, NULL, NULL}};

typedef struct changed_row {
  int64_t id;
  unsigned char before[PC_HASH_SIZE];
} changed_row_t;

static int compare_changed(const void *a, const void *b) {
  int64_t x = ((const changed_row_t *)a)->id, y = ((const changed_row_t *)b)->id;
  return x < y ? -1 : x > y;
}

/* The first before-hash logged for each row of TABLE after SEQ, sorted by id. */
static int load_changed(pc_store_t *store, const char *table, int64_t seq, changed_row_t **out, size_t *count,
                        pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT object_id, before_hash FROM audit_log WHERE object_type = ? AND seq > ?"
                            " AND before_hash IS NOT NULL ORDER BY seq",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, table);
  pc_stmt_bind_int64(stmt, 2, seq);
  changed_row_t *rows = NULL;
  size_t n = 0;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    long long id;
    const char *object = pc_stmt_column_text(stmt, 0), *hex = pc_stmt_column_text(stmt, 1);
    if (object == NULL || pc_parse_int64(object, INT64_MIN, INT64_MAX, &id) != 0) continue;
    rows = pc_xreallocarray(rows, n + 1, sizeof *rows);
    rows[n].id = id;
    size_t bin_len = 0;
    if (sodium_hex2bin(rows[n].before, PC_HASH_SIZE, hex, strlen(hex), NULL, &bin_len, NULL) != 0 || bin_len != PC_HASH_SIZE)
      memset(rows[n].before, 0, PC_HASH_SIZE);
    n++;
  }
  pc_stmt_finalize(stmt);
  if (rc != PC_STORE_DONE) {
    free(rows);
    return rc < 0 ? rc : PC_EDB;
  }
  changed_row_t *sorted = pc_xmalloc((n ? n : 1) * sizeof *sorted);
  size_t *order = pc_xmalloc((n ? n : 1) * sizeof *order);
  for (size_t i = 0; i < n; i++) order[i] = i;
  /* A stable merge sort of positions by id keeps seq order within an id,
   * so the first entry per id is the earliest. */
  for (size_t width = 1; width < n; width *= 2) {
    size_t *merged = pc_xmalloc(n * sizeof *merged);
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) merged[k++] = rows[order[j]].id < rows[order[i]].id ? order[j++] : order[i++];
      while (i < mid) merged[k++] = order[i++];
      while (j < hi) merged[k++] = order[j++];
    }
    free(order);
    order = merged;
  }
  size_t unique = 0;
  for (size_t i = 0; i < n; i++)
    if (unique == 0 || sorted[unique - 1].id != rows[order[i]].id) sorted[unique++] = rows[order[i]];
  free(order);
  free(rows);
  *out = sorted;
  *count = unique;
  return 0;
}

static int verify_batch(pc_store_t *store, const pc_audit_bulk_t *bulk, int64_t batch_id, int64_t row_count,
                        const char *digest_hex, char *problem, size_t problem_size, int64_t *rows, pc_error_t *err) {
  char object_id[32], sql[256];
  pc_snprintf(object_id, sizeof object_id, "%lld", (long long)batch_id);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT MIN(seq) FROM audit_log WHERE object_type = ? AND object_id = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, bulk->batch_table);
  pc_stmt_bind_text(stmt, 2, object_id);
  int64_t batch_seq = 0;
  if ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) batch_seq = pc_stmt_column_int64(stmt, 0), rc = 0;
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  if (batch_seq == 0) {
    pc_snprintf(problem, problem_size, "%s row %lld has no audit entry", bulk->batch_table, (long long)batch_id);
    return 0;
  }
  changed_row_t *changed = NULL;
  size_t changed_count = 0;
  rc = load_changed(store, bulk->table, batch_seq, &changed, &changed_count, err);
  if (rc != 0) return rc;
  pc_snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE %s = ? ORDER BY id", pc_audit_row_source(bulk->table),
              bulk->batch_column);
  rc = pc_store_prepare(store, sql, &stmt, err);
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  int64_t seen = 0;
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, batch_id);
    while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
      unsigned char hash[PC_HASH_SIZE];
      changed_row_t key = {.id = pc_stmt_column_int64(stmt, 0)};
      changed_row_t *hit = changed_count ? bsearch(&key, changed, changed_count, sizeof *changed, compare_changed) : NULL;
      if (hit) memcpy(hash, hit->before, PC_HASH_SIZE);
      else pc_audit_row_hash_current(stmt, bulk->table, hash);
      crypto_hash_sha256_update(&state, hash, sizeof hash);
      seen++;
    }
    pc_stmt_finalize(stmt);
    if (rc == PC_STORE_DONE) rc = 0;
  }
  free(changed);
  if (rc != 0) return rc;
  unsigned char digest[PC_HASH_SIZE];
  crypto_hash_sha256_final(&state, digest);
  char hex[PC_HASH_SIZE * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  if (seen != row_count)
    pc_snprintf(problem, problem_size, "%s batch %lld: %lld rows carry it, its audited count is %lld", bulk->table,
                (long long)batch_id, (long long)seen, (long long)row_count);
  else if (strcmp(hex, digest_hex) != 0)
    pc_snprintf(problem, problem_size, "%s batch %lld: its rows no longer match the audited digest (changed outside precinct)",
                bulk->table, (long long)batch_id);
  *rows += seen;
  return 0;
}

int pc_audit_bulk_verify(pc_store_t *store, const pc_audit_bulk_t *bulk, void (*on_problem)(void *context, const char *text),
                         void *context, int64_t *rows_out, int64_t *problems_out, pc_error_t *err) {
  char sql[256];
  pc_snprintf(sql, sizeof sql, "SELECT id, row_count, rows_digest FROM %s WHERE rows_digest <> '' ORDER BY id",
              bulk->batch_table);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  typedef struct batch {
    int64_t id, count;
    char digest[PC_HASH_SIZE * 2 + 1];
  } batch_t;
  batch_t *batches = NULL;
  size_t n = 0;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    batches = pc_xreallocarray(batches, n + 1, sizeof *batches);
    batches[n].id = pc_stmt_column_int64(stmt, 0);
    batches[n].count = pc_stmt_column_int64(stmt, 1);
    pc_strlcpy(batches[n].digest, pc_stmt_column_text(stmt, 2), sizeof batches[n].digest);
    n++;
  }
  pc_stmt_finalize(stmt);
  int64_t rows = 0, problems = 0;
  if (rc == PC_STORE_DONE) rc = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    char problem[400] = "";
    rc = verify_batch(store, bulk, batches[i].id, batches[i].count, batches[i].digest, problem, sizeof problem, &rows, err);
    if (rc == 0 && problem[0]) {
      problems++;
      if (on_problem) on_problem(context, problem);
    }
  }
  free(batches);
  if (rc != 0) return rc;
  if (rows_out) *rows_out = rows;
  if (problems_out) *problems_out = problems;
  return 0;
}
