/* Read-only listings for the election-night admin pages: elections,
 * uploaded returns versions, publications with their approvers and the
 * approval requests. Nothing here changes a row: every change goes through
 * ingest.c, live.c, publish.c or the elections module, which audit it. */
#include "precinct/results_night.h"

static const char *text(pc_stmt_t *stmt, int column) {
  const char *value = pc_stmt_column_text(stmt, column);
  return value ? value : "";
}

/* Steps STMT to the end, calling ROW for each row; finalizes it. */
static int walk(pc_stmt_t *stmt, int (*row)(pc_stmt_t *, void *, void *), void *fn, void *context, pc_error_t *err) {
  int rc;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    rc = row(stmt, fn, context);
    if (rc != 0) break;
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

static int election_row(pc_stmt_t *stmt, void *fn, void *context) {
  pc_night_election_t row = {pc_stmt_column_int64(stmt, 0), text(stmt, 1), text(stmt, 2), text(stmt, 3),
                             text(stmt, 4), text(stmt, 5)};
  return ((pc_night_election_fn)fn)(context, &row);
}

int pc_results_night_elections(pc_store_t *store, pc_night_election_fn fn, void *context, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(
      store, "SELECT id, code, name, election_date, mode, poll_close_at FROM elections ORDER BY id DESC", &stmt, err);
  return rc != 0 ? rc : walk(stmt, election_row, (void *)fn, context, err);
}

static int upload_row(pc_stmt_t *stmt, void *fn, void *context) {
  pc_night_upload_t row = {.id = pc_stmt_column_int64(stmt, 0),
                           .county = text(stmt, 1),
                           .mode = text(stmt, 2),
                           .status = text(stmt, 3),
                           .version = (int)pc_stmt_column_int64(stmt, 4),
                           .file_name = text(stmt, 5),
                           .format = text(stmt, 6),
                           .sha256 = text(stmt, 7),
                           .uploaded_by = text(stmt, 8),
                           .uploaded_at = text(stmt, 9),
                           .precincts = pc_stmt_column_int64(stmt, 10),
                           .vote_rows = pc_stmt_column_int64(stmt, 11),
                           .total_votes = pc_stmt_column_int64(stmt, 12)};
  return ((pc_night_upload_fn)fn)(context, &row);
}

int pc_results_night_uploads(pc_store_t *store, int64_t election_id, int64_t county_id, int limit,
                             pc_night_upload_fn fn, void *context, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT u.id, c.name, u.mode, u.status, u.version, u.file_name, u.file_format,"
                            " u.file_sha256, u.uploaded_by, u.uploaded_at, u.precincts_reporting, u.vote_rows,"
                            " u.total_votes"
                            " FROM results_uploads u JOIN counties c ON c.id = u.county_id"
                            " WHERE u.election_id = ? AND (? = 0 OR u.county_id = ?) ORDER BY u.id DESC LIMIT ?",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, election_id);
  pc_stmt_bind_int64(stmt, 2, county_id);
  pc_stmt_bind_int64(stmt, 3, county_id);
  pc_stmt_bind_int64(stmt, 4, limit);
  return walk(stmt, upload_row, (void *)fn, context, err);
}

static int publication_row(pc_stmt_t *stmt, void *fn, void *context) {
  pc_night_publication_t row = {pc_stmt_column_int64(stmt, 0), text(stmt, 1), text(stmt, 2), text(stmt, 3),
                                text(stmt, 4), text(stmt, 5), (int)pc_stmt_column_int64(stmt, 6)};
  return ((pc_night_publication_fn)fn)(context, &row);
}

int pc_results_night_publications(pc_store_t *store, int64_t election_id, pc_night_publication_fn fn, void *context,
                                  pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT p.number, p.mode, p.published_at, p.published_by, COALESCE(a.approved_by, ''),"
                            " p.manifest_sha256, CASE WHEN r.publication_id IS NULL THEN 0 ELSE 1 END"
                            " FROM publications p LEFT JOIN publication_approvals a ON a.id = p.approval_id"
                            " LEFT JOIN results_current r ON r.publication_id = p.id"
                            " WHERE p.election_id = ? ORDER BY p.number DESC",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, election_id);
  return walk(stmt, publication_row, (void *)fn, context, err);
}

static int approval_row(pc_stmt_t *stmt, void *fn, void *context) {
  pc_night_approval_t row = {pc_stmt_column_int64(stmt, 0), text(stmt, 1), text(stmt, 2), text(stmt, 3),
                             text(stmt, 4), text(stmt, 5)};
  return ((pc_night_approval_fn)fn)(context, &row);
}

int pc_results_night_approvals(pc_store_t *store, int64_t election_id, int limit, pc_night_approval_fn fn,
                               void *context, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT id, status, reason, requested_by, requested_at, COALESCE(approved_by, '')"
                            " FROM publication_approvals WHERE election_id = ?"
                            " ORDER BY CASE WHEN status = 'pending' THEN 0 ELSE 1 END, id DESC LIMIT ?",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, election_id);
  pc_stmt_bind_int64(stmt, 2, limit);
  return walk(stmt, approval_row, (void *)fn, context, err);
}
