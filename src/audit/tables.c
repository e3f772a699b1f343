/* The tables the audit log covers and, for each, the constant statements
 * that read its rows back: one list, expanded at compile time into
 * pc_audit_tables, the per-table SQL and the bulk-loaded tables. Does not
 * hash (record.c) nor verify (verify.c, bulk.c). */
#include "audit_internal.h"

#include <string.h>

/* Rows of a table loaded in bulk that a batch's digest covers instead of an
 * entry per row (bulk.c): left out of the "inserted outside precinct" check. */
#define COVERED_BY_BATCH(BATCH_TABLE, BATCH_COLUMN)                                                                    \
  " AND (" BATCH_COLUMN " IS NULL OR " BATCH_COLUMN " NOT IN (SELECT id FROM " BATCH_TABLE " WHERE rows_digest <> ''))"
#define NO_BATCH ""

/* Tables covered by row hashes: (name, where its rows are read for hashing,
 * bulk clause). Add a table here when a module starts recording changes to
 * it; the order is the order `audit verify` checks them in. voters is read
 * through voter_records, a view that presents the row as the log has always
 * hashed it: voters keeps its 31 district values in district_sets since
 * migration 0009 and the view joins them back in their old place, so entries
 * written before that still verify. */
#define AUDITED_TABLES(X)                                                                                              \
  X("counties", "counties", NO_BATCH)                                                                                  \
  X("users", "users", NO_BATCH)                                                                                        \
  X("api_tokens", "api_tokens", NO_BATCH)                                                                              \
  X("elections", "elections", NO_BATCH)                                                                                \
  X("contests", "contests", NO_BATCH)                                                                                  \
  X("results_uploads", "results_uploads", NO_BATCH)                                                                    \
  X("publications", "publications", NO_BATCH)                                                                          \
  X("publication_approvals", "publication_approvals", NO_BATCH)                                                        \
  X("voters", "voter_records", COVERED_BY_BATCH("voter_import_batches", "import_batch_id"))                            \
  X("voter_import_batches", "voter_import_batches", NO_BATCH)                                                          \
  X("voter_history", "voter_history", NO_BATCH)                                                                        \
  X("voter_precincts", "voter_precincts", NO_BATCH)                                                                    \
  X("maintenance_runs", "maintenance_runs", NO_BATCH)                                                                  \
  X("maintenance_actions", "maintenance_actions", NO_BATCH)                                                            \
  X("confirmation_notices", "confirmation_notices", NO_BATCH)                                                          \
  X("duplicate_candidates", "duplicate_candidates", NO_BATCH)                                                          \
  X("cvr_uploads", "cvr_uploads", NO_BATCH)                                                                            \
  X("voter_applications", "voter_applications", NO_BATCH)                                                              \
  X("voter_street_versions", "voter_street_versions", NO_BATCH)                                                        \
  X("voter_street_segments", "voter_street_segments", COVERED_BY_BATCH("voter_street_versions", "version_id"))

#define TABLE_NAME(NAME, SOURCE, BATCH) NAME,
const char *const pc_audit_tables[] = {AUDITED_TABLES(TABLE_NAME) NULL};

#define TABLE_SQL(NAME, SOURCE, BATCH)                                                                                 \
  {.table = NAME,                                                                                                      \
   .source = SOURCE,                                                                                                   \
   .row_sql = "SELECT * FROM " SOURCE " WHERE id = ?",                                                                 \
   .unlogged_sql = "SELECT id FROM " NAME " WHERE NOT EXISTS (SELECT 1 FROM audit_log WHERE object_type = ?"           \
                   " AND object_id = CAST(" NAME ".id AS TEXT) AND (before_hash IS NOT NULL OR after_hash IS NOT NULL))" \
                   BATCH " ORDER BY id"},
static const pc_audit_table_sql_t table_sql[] = {AUDITED_TABLES(TABLE_SQL){.table = NULL}};

/* Bulk-loaded tables (see audit.h): (table, row source, batch table, batch
 * column). The row source and batch names must match the table's line above. */
#define BULK_TABLE(NAME, SOURCE, BATCH_TABLE, BATCH_COLUMN)                                                            \
  {.table = NAME,                                                                                                      \
   .batch_table = BATCH_TABLE,                                                                                         \
   .batch_column = BATCH_COLUMN,                                                                                       \
   .batches_sql = "SELECT id, row_count, rows_digest FROM " BATCH_TABLE " WHERE rows_digest <> '' ORDER BY id",        \
   .rows_sql = "SELECT * FROM " SOURCE " WHERE " BATCH_COLUMN " = ? ORDER BY id"},
const pc_audit_bulk_t pc_audit_bulk_tables[] = {
    BULK_TABLE("voters", "voter_records", "voter_import_batches", "import_batch_id")
        BULK_TABLE("voter_street_segments", "voter_street_segments", "voter_street_versions", "version_id"){
            .table = NULL}};

const pc_audit_table_sql_t *pc_audit_table_sql(const char *table) {
  for (const pc_audit_table_sql_t *t = table_sql; t->table; t++)
    if (strcmp(t->table, table) == 0) return t;
  return NULL;
}

const char *pc_audit_row_source(const char *table) {
  const pc_audit_table_sql_t *t = pc_audit_table_sql(table);
  return t ? t->source : table;
}
