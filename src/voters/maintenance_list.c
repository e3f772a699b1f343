/* Reading NVRA list-maintenance runs back (voters_maintenance.h): one run,
 * and a county's runs newest first, for the officials' pages. Computing,
 * executing and undoing runs is maintenance.c's. */
#include "precinct/voters_maintenance.h"

#include "voters_internal.h"

#include "precinct/buf.h"

#include <string.h>

#define RUN_COLUMNS                                                                                                   \
  "SELECT id, kind, state, voter_count, created_at, COALESCE(executed_at, ''), COALESCE(undone_at, ''), parameters," \
  " COALESCE(county_id, 0) FROM maintenance_runs"

static void read_run(pc_stmt_t *stmt, pc_maintenance_run_t *out) {
  out->id = pc_stmt_column_int64(stmt, 0);
  pc_strlcpy(out->kind, pc_stmt_column_text(stmt, 1), sizeof out->kind);
  pc_strlcpy(out->state, pc_stmt_column_text(stmt, 2), sizeof out->state);
  out->voter_count = pc_stmt_column_int64(stmt, 3);
  pc_strlcpy(out->created_at, pc_stmt_column_text(stmt, 4), sizeof out->created_at);
  pc_strlcpy(out->executed_at, pc_stmt_column_text(stmt, 5), sizeof out->executed_at);
  pc_strlcpy(out->undone_at, pc_stmt_column_text(stmt, 6), sizeof out->undone_at);
  pc_strlcpy(out->parameters, pc_stmt_column_text(stmt, 7), sizeof out->parameters);
}

static int scope_of(pc_voters_t *v, int64_t *county, pc_error_t *err) {
  *county = 0;
  return v->county_scope ? pc_voters_county_id(v->store, v->county_scope, county, err) : 0;
}

int pc_voters_maintenance_get(pc_voters_t *v, int64_t run_id, pc_maintenance_run_t *out, pc_error_t *err) {
  int64_t county = 0;
  int rc = scope_of(v, &county, err);
  if (rc != 0) return rc;
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store, RUN_COLUMNS " WHERE id = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, run_id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    int64_t run_county = pc_stmt_column_int64(stmt, 8);
    if (county != 0 && run_county != county) {
      rc = pc_error_set(err, PC_EPERM, "maintenance run %lld is not a run of your county", (long long)run_id);
    } else {
      read_run(stmt, out);
      rc = 0;
    }
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set(err, PC_ENOTFOUND, "no maintenance run %lld", (long long)run_id);
  }
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_voters_maintenance_each_run(pc_voters_t *v, int limit,
                                   int (*visit)(void *context, const pc_maintenance_run_t *run), void *context,
                                   pc_error_t *err) {
  int64_t county = 0;
  int rc = scope_of(v, &county, err);
  if (rc != 0) return rc;
  /* Runs are few (one per mailing or sweep): the primary key read
   * backwards, filtered by county, stops after LIMIT matches. */
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store, RUN_COLUMNS " WHERE (? = 0 OR county_id = ?) ORDER BY id DESC LIMIT ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, county);
  pc_stmt_bind_int64(stmt, 2, county);
  pc_stmt_bind_int64(stmt, 3, limit);
  pc_maintenance_run_t run;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    read_run(stmt, &run);
    rc = visit(context, &run);
    if (rc != 0) break;
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}
