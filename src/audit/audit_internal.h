/* Internals shared by the files of src/audit: the constant SQL kept for
 * each audited table (tables.c). Not part of the public API. */
#ifndef PRECINCT_AUDIT_INTERNAL_H
#define PRECINCT_AUDIT_INTERNAL_H

#include "precinct/audit.h"

/* One table of pc_audit_tables and its statements, all constant strings
 * joined at compile time: no SQL text is built at run time. */
typedef struct pc_audit_table_sql {
  const char *table;
  const char *source;       /* what pc_audit_row_source returns */
  const char *row_sql;      /* SELECT * FROM source WHERE id = ? */
  const char *unlogged_sql; /* ids of rows no entry covers; binds the table name as object_type */
} pc_audit_table_sql_t;

/* The statements of audited TABLE, or NULL when TABLE is not audited. */
const pc_audit_table_sql_t *pc_audit_table_sql(const char *table);

#endif
