/* `audit verify`: recomputes the whole log from its leaf data, checks every
 * signed checkpoint against the recomputed roots, and compares the current
 * rows of every audited table with the newest hash the log holds for them.
 * Reports every problem it finds; repairs nothing. */
#include "audit_internal.h"
#include "precinct/progress.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { MAX_PROBLEMS_REPORTED = 1000 };

typedef struct verifier {
  pc_store_t *store;
  const unsigned char *public_key;
  const pc_audit_verify_options_t *options;
  pc_audit_verify_report_t *report;
  char first_problem[600];
} verifier_t;

static void problem(verifier_t *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(verifier_t *v, const char *fmt, ...) {
  char text[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (v->report->problems == 0) pc_strlcpy(v->first_problem, text, sizeof v->first_problem);
  v->report->problems++;
  if (v->options && v->options->on_problem && v->report->problems <= MAX_PROBLEMS_REPORTED)
    v->options->on_problem(v->options->context, text);
}

/* A JSON string-or-null field against a nullable text column. */
static int same_text(json_t *field, const char *column) {
  if (json_is_null(field)) return column == NULL;
  return json_is_string(field) && column && strcmp(json_string_value(field), column) == 0;
}

enum {
  COL_SEQ, COL_LEAF_DATA, COL_LEAF_HASH, COL_RECORDED_AT, COL_ACTOR, COL_ROLE, COL_COUNTY, COL_ACTION,
  COL_OBJECT_TYPE, COL_OBJECT_ID, COL_BEFORE, COL_AFTER
};

/* Checks one leaf row; LEAF_HASH receives the hash of its leaf_data. */
static void check_leaf(verifier_t *v, pc_stmt_t *stmt, int64_t seq, unsigned char leaf_hash[PC_HASH_SIZE]) {
  const char *leaf_data = pc_stmt_column_text(stmt, COL_LEAF_DATA);
  if (leaf_data == NULL) leaf_data = "";
  pc_merkle_leaf_hash(leaf_data, strlen(leaf_data), leaf_hash);
  size_t stored_size = 0;
  const void *stored = pc_stmt_column_blob(stmt, COL_LEAF_HASH, &stored_size);
  if (stored_size != PC_HASH_SIZE || sodium_memcmp(stored, leaf_hash, PC_HASH_SIZE) != 0)
    problem(v, "audit log leaf seq %lld: leaf_hash does not match SHA-256(0x00 || leaf_data)", (long long)seq);
  json_error_t json_error;
  json_t *leaf = json_loads(leaf_data, JSON_REJECT_DUPLICATES, &json_error);
  if (!json_is_object(leaf)) {
    problem(v, "audit log leaf seq %lld: leaf_data is not a JSON object", (long long)seq);
    json_decref(leaf);
    return;
  }
  json_t *leaf_seq = json_object_get(leaf, "seq");
  if (!json_is_integer(leaf_seq) || json_integer_value(leaf_seq) != seq)
    problem(v, "audit log leaf seq %lld: leaf_data names a different seq", (long long)seq);
  /* The plain columns are copies for querying; each must say what the hashed data says. */
  static const struct { const char *key; int column; const char *name; } copies[] = {
      {"at", COL_RECORDED_AT, "recorded_at"}, {"actor", COL_ACTOR, "actor"},
      {"role", COL_ROLE, "role"},             {"county", COL_COUNTY, "county"},
      {"action", COL_ACTION, "action"},       {"object_type", COL_OBJECT_TYPE, "object_type"},
      {"object_id", COL_OBJECT_ID, "object_id"}, {"before", COL_BEFORE, "before_hash"},
      {"after", COL_AFTER, "after_hash"}};
  for (size_t i = 0; i < sizeof copies / sizeof copies[0]; i++)
    if (!same_text(json_object_get(leaf, copies[i].key), pc_stmt_column_text(stmt, copies[i].column)))
      problem(v, "audit log leaf seq %lld: column %s differs from leaf_data", (long long)seq, copies[i].name);
  json_decref(leaf);
}

static void check_checkpoint(verifier_t *v, const pc_audit_checkpoint_t *checkpoint, const pc_merkle_t *tree) {
  unsigned char root[PC_HASH_SIZE];
  pc_merkle_root(tree, root);
  if (sodium_memcmp(root, checkpoint->root_hash, PC_HASH_SIZE) != 0)
    problem(v, "audit checkpoint at tree size %lld: signed root does not match the log's recomputed root",
            (long long)checkpoint->tree_size);
  if (pc_audit_checkpoint_verify_signature(checkpoint, v->public_key) != 0)
    problem(v, "audit checkpoint at tree size %lld: signature does not verify under key %s",
            (long long)checkpoint->tree_size, checkpoint->key_id);
  v->report->checkpoints_checked++;
  v->report->newest_checkpoint_size = checkpoint->tree_size;
}

/* Loads the next checkpoint after SIZE; 0 when found, PC_ENOTFOUND at the end. */
static int next_checkpoint(verifier_t *v, int64_t size, pc_audit_checkpoint_t *out, pc_error_t *err) {
  int rc = pc_audit_checkpoint_next(v->store, size, out, err);
  while (rc == PC_EINTEGRITY) {
    /* A malformed row is a finding, not a reason to stop. */
    problem(v, "%s", err ? err->message : "malformed audit checkpoint");
    pc_stmt_t *stmt;
    rc = pc_store_prepare(v->store, "SELECT MIN(tree_size) FROM audit_checkpoints WHERE tree_size > ?", &stmt, err);
    if (rc != 0) return rc;
    pc_stmt_bind_int64(stmt, 1, size);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) size = pc_stmt_column_int64(stmt, 0);
    pc_stmt_finalize(stmt);
    if (rc < 0) return rc;
    rc = pc_audit_checkpoint_next(v->store, size, out, err);
  }
  return rc;
}

static int count_leaves(pc_store_t *store, int64_t *count, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT COUNT(*) FROM audit_log", &stmt, err);
  if (rc != 0) return rc;
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) *count = pc_stmt_column_int64(stmt, 0);
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_ROW ? 0 : rc;
}

/* Recomputes the tree leaf by leaf, checking checkpoints as their sizes pass. */
static int check_log(verifier_t *v, pc_error_t *err) {
  int64_t total = 0;
  int rc = count_leaves(v->store, &total, err);
  if (rc != 0) return rc;
  pc_progress_t *progress = pc_progress_start("verifying audit log", (uint64_t)total, !v->options->show_progress);
  pc_audit_checkpoint_t checkpoint;
  rc = next_checkpoint(v, 0, &checkpoint, err);
  int have_checkpoint = rc == 0;
  if (rc == PC_ENOTFOUND) rc = 0;
  pc_merkle_t tree;
  pc_merkle_init(&tree);
  pc_stmt_t *stmt = NULL;
  if (rc == 0)
    rc = pc_store_prepare(v->store,
                          "SELECT seq, leaf_data, leaf_hash, recorded_at, actor, role, county, action, object_type,"
                          " object_id, before_hash, after_hash FROM audit_log ORDER BY seq",
                          &stmt, err);
  while (rc == 0 && (rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    rc = 0;
    int64_t seq = pc_stmt_column_int64(stmt, COL_SEQ);
    if (seq != (int64_t)tree.size + 1)
      problem(v, "audit log leaf seq %lld: found where seq %lld was expected (entries missing or renumbered)",
              (long long)seq, (long long)tree.size + 1);
    unsigned char leaf_hash[PC_HASH_SIZE];
    check_leaf(v, stmt, seq, leaf_hash);
    pc_merkle_append(&tree, leaf_hash);
    while (rc == 0 && have_checkpoint && checkpoint.tree_size <= (int64_t)tree.size) {
      check_checkpoint(v, &checkpoint, &tree);
      rc = next_checkpoint(v, checkpoint.tree_size, &checkpoint, err);
      have_checkpoint = rc == 0;
      if (rc == PC_ENOTFOUND) rc = 0;
    }
    if ((tree.size & 1023) == 0) pc_progress_update(progress, tree.size);
  }
  if (rc == PC_STORE_DONE) rc = 0;
  pc_stmt_finalize(stmt);
  pc_progress_update(progress, tree.size);
  pc_progress_finish(progress);
  if (rc != 0) return rc;
  while (have_checkpoint) {
    problem(v, "audit checkpoint at tree size %lld: the log has only %llu entries (entries removed)",
            (long long)checkpoint.tree_size, (unsigned long long)tree.size);
    v->report->checkpoints_checked++;
    rc = next_checkpoint(v, checkpoint.tree_size, &checkpoint, err);
    have_checkpoint = rc == 0;
    if (rc != 0 && rc != PC_ENOTFOUND) return rc;
  }
  v->report->tree_size = (int64_t)tree.size;
  pc_merkle_root(&tree, v->report->root_hash);
  return 0;
}

/* Compares row ID of TABLE with AFTER_HEX (NULL: the entry deleted it). */
static int check_row(verifier_t *v, const char *table, const char *object_id, const char *after_hex, int64_t seq,
                     pc_error_t *err) {
  v->report->rows_checked++;
  long long id;
  if (object_id == NULL || pc_parse_int64(object_id, INT64_MIN, INT64_MAX, &id) != 0) {
    problem(v, "audit log leaf seq %lld: object_id of %s row is not an integer", (long long)seq, table);
    return 0;
  }
  unsigned char current[PC_HASH_SIZE];
  pc_error_t row_err;
  pc_error_clear(&row_err);
  int rc = pc_audit_row_hash(v->store, table, id, current, &row_err);
  if (rc != 0 && rc != PC_ENOTFOUND) return pc_error_set(err, rc, "%s", row_err.message);
  if (after_hex == NULL) {
    if (rc == 0)
      problem(v, "%s row %lld exists but its last audit entry (seq %lld) deletes it", table, id, (long long)seq);
    return 0;
  }
  if (rc == PC_ENOTFOUND) {
    problem(v, "%s row %lld was deleted without an audit entry (last entry seq %lld)", table, id, (long long)seq);
    return 0;
  }
  char current_hex[PC_HASH_SIZE * 2 + 1];
  sodium_bin2hex(current_hex, sizeof current_hex, current, PC_HASH_SIZE);
  if (strcmp(current_hex, after_hex) != 0)
    problem(v, "%s row %lld does not match its last audit entry (seq %lld): changed outside precinct", table, id,
            (long long)seq);
  return 0;
}

/* Entries that change a row carry a before- or after-hash; events about a
 * row (exports, views) carry neither and say nothing of its contents. */
static int check_table(verifier_t *v, const char *table, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store,
                            "SELECT a.object_id, a.after_hash, a.seq FROM audit_log a WHERE a.object_type = ?"
                            " AND a.seq = (SELECT MAX(b.seq) FROM audit_log b WHERE b.object_type = a.object_type"
                            " AND b.object_id = a.object_id AND (b.before_hash IS NOT NULL OR b.after_hash IS NOT NULL))"
                            " ORDER BY a.seq",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, table);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    rc = check_row(v, table, pc_stmt_column_text(stmt, 0), pc_stmt_column_text(stmt, 1), pc_stmt_column_int64(stmt, 2),
                   err);
    if (rc != 0) break;
  }
  pc_stmt_finalize(stmt);
  if (rc != PC_STORE_DONE) return rc;
  /* Rows the log has never heard of were inserted behind its back.
   * Bulk-loaded rows are covered by their batch's digest instead
   * (check_bulk), provided the batch they name has one: the table's constant
   * statement (tables.c) leaves those out. */
  const pc_audit_table_sql_t *sql = pc_audit_table_sql(table);
  if (!sql) return pc_error_set(err, PC_EINVAL, "table \"%s\" is not audited", table);
  rc = pc_store_prepare(v->store, sql->unlogged_sql, &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, table);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    v->report->rows_checked++;
    problem(v, "%s row %lld has no audit entry: inserted outside precinct", table,
            (long long)pc_stmt_column_int64(stmt, 0));
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

static void bulk_problem(void *context, const char *text) {
  problem(context, "%s", text);
}

/* Rows loaded in bulk: each batch's digest over its rows as loaded. */
static int check_bulk(verifier_t *v, pc_error_t *err) {
  for (const pc_audit_bulk_t *bulk = pc_audit_bulk_tables; bulk->table; bulk++) {
    int64_t rows = 0, problems = 0;
    int rc = pc_audit_bulk_verify(v->store, bulk, bulk_problem, v, &rows, &problems, err);
    if (rc != 0) return rc;
    v->report->rows_checked += rows;
  }
  return 0;
}

int pc_audit_verify(pc_store_t *store, const unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE],
                    const pc_audit_verify_options_t *options, pc_audit_verify_report_t *report, pc_error_t *err) {
  static const pc_audit_verify_options_t no_options = {0, NULL, NULL};
  memset(report, 0, sizeof *report);
  verifier_t v = {store, public_key, options ? options : &no_options, report, ""};
  /* One read transaction: the log, checkpoints and tables seen at one instant. */
  int rc = pc_store_begin_read(store, err);
  if (rc != 0) return rc;
  rc = check_log(&v, err);
  for (const char *const *table = pc_audit_tables; rc == 0 && *table; table++) rc = check_table(&v, *table, err);
  if (rc == 0) rc = check_bulk(&v, err);
  pc_store_rollback(store);
  if (rc != 0) return rc;
  if (report->problems == 1) return pc_error_set(err, PC_EINTEGRITY, "%s", v.first_problem);
  if (report->problems > 1)
    return pc_error_set(err, PC_EINTEGRITY, "%s (and %lld more problems)", v.first_problem,
                        (long long)report->problems - 1);
  return 0;
}
