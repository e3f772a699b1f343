/* Not compiled: input for scripts/check-sql, which must reject it (CTest
 * check.constant_sql_rejects). Each function builds SQL text at run time in
 * one of the ways the check knows. */
static char saved_sql[256];

static void remember(const char *table) {
  pc_snprintf(saved_sql, sizeof saved_sql, "%s%s", "SELECT id FROM ", table);
}

int from_file_scope(pc_store_t *store, pc_stmt_t **stmt, pc_error_t *err) {
  return pc_store_prepare(store, saved_sql, stmt, err);
}

int formatted(pc_store_t *store, const char *table, pc_stmt_t **stmt, pc_error_t *err) {
  char sql[128];
  pc_snprintf(sql, sizeof sql,
              "SELECT id FROM %s WHERE id = ?", table);
  return pc_store_prepare(store, sql, stmt, err);
}

int buffered(pc_store_t *store, pc_buf_t *text, const char *table, pc_error_t *err) {
  pc_buf_appendf(text, "DELETE FROM %s", table);
  return pc_store_exec(store, pc_buf_str(text), err);
}
