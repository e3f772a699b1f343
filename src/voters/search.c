/* Officials' reading of the roll (voters_search.h): the county search in
 * its three index-backed modes with keyset pagination, voting history, the
 * audit-log entries about one voter, and a county's precincts. Searches
 * return ids and load each voter through pc_voters_get, so the scope check
 * and the column layout stay in one place. */
#include "precinct/voters_search.h"

#include "voters_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"

#include <stdlib.h>
#include <string.h>

#define SEARCH_MAX 500

/* Every statement of this file, in one place so that test_voters_search
 * can check with EXPLAIN QUERY PLAN that each one runs on an index. */
const char *const pc_voters_search_sql[PC_VS_COUNT + 1] = {
    [PC_VS_BY_ID] = "SELECT id FROM voters WHERE ncid = ? AND county_id = ?"
                    " UNION SELECT id FROM voters WHERE county_id = ? AND voter_reg_num = ? ORDER BY 1",
    [PC_VS_BY_NAME] = "SELECT id FROM voters WHERE county_id = ? AND (last_name, first_name, id) > (?, ?, ?)"
                      " AND last_name < ? AND first_name >= ? AND first_name < ?"
                      " AND (? = '' OR status = ?) AND (? = '' OR precinct_code = ?)"
                      " ORDER BY last_name, first_name, id LIMIT ?",
    [PC_VS_BY_PRECINCT_STATUS] = "SELECT id FROM voters WHERE county_id = ? AND precinct_code = ? AND status = ? AND id > ?"
                                 " ORDER BY id LIMIT ?",
    [PC_VS_BY_PRECINCT] = "SELECT id FROM voters WHERE county_id = ? AND precinct_code = ? AND (status, id) > (?, ?)"
                          " ORDER BY status, id LIMIT ?",
    [PC_VS_HISTORY] = "SELECT h.election_date, h.election_desc, h.method, c.name FROM voter_history h"
                      " JOIN counties c ON c.id = h.county_id WHERE h.voter_id = ? ORDER BY h.election_date DESC LIMIT ?",
    [PC_VS_HISTORY_IDS] = "SELECT id FROM voter_history WHERE voter_id = ? ORDER BY id DESC LIMIT ?",
    [PC_VS_NOTICE_IDS] = "SELECT id FROM confirmation_notices WHERE voter_id = ? ORDER BY id DESC LIMIT ?",
    [PC_VS_AUDIT] = "SELECT seq, recorded_at, actor, role, action, object_type, object_id,"
                    " COALESCE(before_hash, ''), COALESCE(after_hash, '') FROM audit_log"
                    " WHERE object_type = ? AND object_id = ? ORDER BY seq DESC LIMIT ?",
    [PC_VS_PRECINCTS] = "SELECT code, name FROM voter_precincts WHERE county_id = ? ORDER BY code",
    [PC_VS_COUNT] = NULL};


static int scope_county(pc_voters_t *v, int64_t *county, pc_error_t *err) {
  if (v->county_scope == NULL) return pc_error_set(err, PC_EINVAL, "a roll search needs a county");
  return pc_voters_county_id(v->store, v->county_scope, county, err);
}

static const char *or_empty(const char *s) { return s ? s : ""; }

/* Normalised copy of a name prefix (upper case, trimmed), bounded. */
static int name_prefix(const char *in, char out[40], const char *field, pc_error_t *err) {
  if (strlen(in) > 30) return pc_error_set_at(err, PC_EINVAL, NULL, 0, field, "expected at most 30 characters");
  pc_strlcpy(out, in, 40);
  pc_voters_normalize(out);
  return 0;
}

/* The exclusive upper bound of prefix P: P with its last byte incremented,
 * or "\x7f" for the empty prefix (names are upper-case ASCII or UTF-8). */
static void prefix_end(const char *p, char out[44]) {
  if (p[0] == '\0') {
    pc_strlcpy(out, "\x7f", 44);
    return;
  }
  pc_strlcpy(out, p, 44);
  out[strlen(out) - 1]++;
}

typedef struct ids {
  int64_t id[SEARCH_MAX + 1];
  int count;
} ids_t;

static int collect_ids(pc_stmt_t *stmt, ids_t *out, pc_error_t *err) {
  int rc;
  out->count = 0;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW)
    if (out->count < SEARCH_MAX + 1) out->id[out->count++] = pc_stmt_column_int64(stmt, 0);
  pc_stmt_finalize(stmt);
  return rc < 0 ? rc : 0;
}

/* By NCID (unique index voters_ncid) or registration number (unique index
 * voters_county_reg), inside the county. */
static int find_by_id(pc_voters_t *v, int64_t county, const char *key, ids_t *out, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store, pc_voters_search_sql[PC_VS_BY_ID], &stmt, err);
  if (rc != 0) return rc;
  char upper[24];
  pc_strlcpy(upper, key, sizeof upper);
  pc_voters_normalize(upper);
  pc_stmt_bind_text(stmt, 1, upper);
  pc_stmt_bind_int64(stmt, 2, county);
  pc_stmt_bind_int64(stmt, 3, county);
  pc_stmt_bind_text(stmt, 4, upper);
  return collect_ids(stmt, out, err);
}

/* By name on voters_county_name (county_id, last_name, first_name, id):
 * the row value after the previous page's last voter starts the range. */
static int find_by_name(pc_voters_t *v, int64_t county, const pc_voter_query_t *q, const pc_voter_t *after, int limit,
                        ids_t *out, pc_error_t *err) {
  char last[40], first[40], last_end[44], first_end[44];
  int rc = name_prefix(q->last_name, last, "last_name", err);
  if (rc == 0) rc = name_prefix(or_empty(q->first_name), first, "first_name", err);
  if (rc != 0) return rc;
  if (last[0] == '\0') return pc_error_set_at(err, PC_EINVAL, NULL, 0, "last_name", "is required");
  prefix_end(last, last_end);
  prefix_end(first, first_end);
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store, pc_voters_search_sql[PC_VS_BY_NAME], &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, county);
  pc_stmt_bind_text(stmt, 2, after ? after->last_name : last);
  pc_stmt_bind_text(stmt, 3, after ? after->first_name : "");
  pc_stmt_bind_int64(stmt, 4, after ? after->id : 0);
  pc_stmt_bind_text(stmt, 5, last_end);
  pc_stmt_bind_text(stmt, 6, first);
  pc_stmt_bind_text(stmt, 7, first_end);
  pc_stmt_bind_text(stmt, 8, or_empty(q->status));
  pc_stmt_bind_text(stmt, 9, or_empty(q->status));
  pc_stmt_bind_text(stmt, 10, or_empty(q->precinct_code));
  pc_stmt_bind_text(stmt, 11, or_empty(q->precinct_code));
  pc_stmt_bind_int64(stmt, 12, limit + 1);
  return collect_ids(stmt, out, err);
}

/* By precinct on voters_precinct (county_id, precinct_code, status). */
static int find_by_precinct(pc_voters_t *v, int64_t county, const pc_voter_query_t *q, const pc_voter_t *after,
                            int limit, ids_t *out, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc;
  if (q->status && q->status[0]) {
    rc = pc_store_prepare(v->store, pc_voters_search_sql[PC_VS_BY_PRECINCT_STATUS], &stmt, err);
    if (rc != 0) return rc;
    pc_stmt_bind_int64(stmt, 1, county);
    pc_stmt_bind_text(stmt, 2, q->precinct_code);
    pc_stmt_bind_text(stmt, 3, q->status);
    pc_stmt_bind_int64(stmt, 4, after ? after->id : 0);
    pc_stmt_bind_int64(stmt, 5, limit + 1);
  } else {
    rc = pc_store_prepare(v->store, pc_voters_search_sql[PC_VS_BY_PRECINCT], &stmt, err);
    if (rc != 0) return rc;
    pc_stmt_bind_int64(stmt, 1, county);
    pc_stmt_bind_text(stmt, 2, q->precinct_code);
    pc_stmt_bind_text(stmt, 3, after ? after->status : "");
    pc_stmt_bind_int64(stmt, 4, after ? after->id : 0);
    pc_stmt_bind_int64(stmt, 5, limit + 1);
  }
  return collect_ids(stmt, out, err);
}

int pc_voters_find(pc_voters_t *v, const pc_voter_query_t *q, int limit,
                   int (*visit)(void *context, const pc_voter_t *voter), void *context, int *more, pc_error_t *err) {
  if (limit < 1 || limit > SEARCH_MAX) return pc_error_set(err, PC_EINVAL, "page size must be 1-%d", SEARCH_MAX);
  const char *status = or_empty(q->status), *precinct = or_empty(q->precinct_code);
  if (status[0] && pc_voters_status_desc(status)[0] == '\0')
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "status", "expected one of A, I, R, P, D, S");
  if (strlen(precinct) > 6) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "precinct_code", "expected 1-6 characters");
  if (strlen(or_empty(q->voter_id)) > 16)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "voter_id", "expected an NCID or registration number");
  int64_t county = 0;
  int rc = scope_county(v, &county, err);
  if (rc != 0) return rc;
  pc_voter_t after;
  if (q->after_id > 0 && pc_voters_get(v, q->after_id, &after, err) != 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "after", "not a voter of this county");
  const pc_voter_t *from = q->after_id > 0 ? &after : NULL;
  ids_t *ids = pc_xmalloc(sizeof *ids);
  if (q->voter_id && q->voter_id[0]) rc = find_by_id(v, county, q->voter_id, ids, err);
  else if (q->last_name && q->last_name[0]) rc = find_by_name(v, county, q, from, limit, ids, err);
  else if (precinct[0]) rc = find_by_precinct(v, county, q, from, limit, ids, err);
  else if (status[0])
    rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, "status", "add a last name or a precinct to search by status");
  else
    rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, "last_name", "enter a last name, a voter number or a precinct");
  int shown = 0;
  for (int i = 0; rc == 0 && i < ids->count && i < limit; i++) {
    pc_voter_t voter;
    rc = pc_voters_get(v, ids->id[i], &voter, err);
    if (rc == 0) rc = visit(context, &voter);
    shown++;
  }
  if (rc == 0 && more) *more = ids->count > shown;
  free(ids);
  return rc;
}

int pc_voters_each_history(pc_voters_t *v, int64_t id, int limit,
                           int (*visit)(void *context, const pc_voter_history_row_t *row), void *context,
                           pc_error_t *err) {
  pc_voter_t voter;
  int rc = pc_voters_get(v, id, &voter, err);
  if (rc != 0) return rc;
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store, pc_voters_search_sql[PC_VS_HISTORY], &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, id);
  pc_stmt_bind_int64(stmt, 2, limit);
  pc_voter_history_row_t row;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    pc_strlcpy(row.election_date, pc_stmt_column_text(stmt, 0), sizeof row.election_date);
    pc_strlcpy(row.election_desc, pc_stmt_column_text(stmt, 1), sizeof row.election_desc);
    pc_strlcpy(row.method, pc_stmt_column_text(stmt, 2), sizeof row.method);
    pc_strlcpy(row.county, pc_stmt_column_text(stmt, 3), sizeof row.county);
    rc = visit(context, &row);
    if (rc != 0) break;
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

typedef struct object_ref {
  const char *type;
  int64_t id;
} object_ref_t;

typedef struct trail {
  object_ref_t *objects;
  size_t object_count;
  pc_voter_audit_row_t *rows;
  size_t row_count;
} trail_t;

static void add_object(trail_t *t, const char *type, int64_t id) {
  t->objects = pc_xreallocarray(t->objects, t->object_count + 1, sizeof *t->objects);
  t->objects[t->object_count++] = (object_ref_t){type, id};
}

/* Adds TYPE for each id the query (one int64 parameter) returns. */
static int add_objects(pc_voters_t *v, trail_t *t, const char *type, const char *sql, int64_t id, int limit,
                       pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store, sql, &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, id);
  pc_stmt_bind_int64(stmt, 2, limit);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) add_object(t, type, pc_stmt_column_int64(stmt, 0));
  pc_stmt_finalize(stmt);
  return rc < 0 ? rc : 0;
}

/* Entries of one object on the (object_type, object_id, seq) index. */
static int add_entries(pc_voters_t *v, trail_t *t, const object_ref_t *object, int limit, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store, pc_voters_search_sql[PC_VS_AUDIT], &stmt, err);
  if (rc != 0) return rc;
  char object_id[24];
  pc_snprintf(object_id, sizeof object_id, "%lld", (long long)object->id);
  pc_stmt_bind_text(stmt, 1, object->type);
  pc_stmt_bind_text(stmt, 2, object_id);
  pc_stmt_bind_int64(stmt, 3, limit);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    t->rows = pc_xreallocarray(t->rows, t->row_count + 1, sizeof *t->rows);
    pc_voter_audit_row_t *row = &t->rows[t->row_count++];
    row->seq = pc_stmt_column_int64(stmt, 0);
    pc_strlcpy(row->recorded_at, pc_stmt_column_text(stmt, 1), sizeof row->recorded_at);
    pc_strlcpy(row->actor, pc_stmt_column_text(stmt, 2), sizeof row->actor);
    pc_strlcpy(row->role, pc_stmt_column_text(stmt, 3), sizeof row->role);
    pc_strlcpy(row->action, pc_stmt_column_text(stmt, 4), sizeof row->action);
    pc_strlcpy(row->object_type, pc_stmt_column_text(stmt, 5), sizeof row->object_type);
    pc_strlcpy(row->object_id, pc_stmt_column_text(stmt, 6), sizeof row->object_id);
    pc_strlcpy(row->before_hash, pc_stmt_column_text(stmt, 7), sizeof row->before_hash);
    pc_strlcpy(row->after_hash, pc_stmt_column_text(stmt, 8), sizeof row->after_hash);
  }
  pc_stmt_finalize(stmt);
  return rc < 0 ? rc : 0;
}

static int newest_first(const void *a, const void *b) {
  int64_t x = ((const pc_voter_audit_row_t *)a)->seq, y = ((const pc_voter_audit_row_t *)b)->seq;
  return x < y ? 1 : x > y ? -1 : 0;
}

int pc_voters_each_audit(pc_voters_t *v, int64_t id, int limit,
                         int (*visit)(void *context, const pc_voter_audit_row_t *row), void *context, pc_error_t *err) {
  pc_voter_t voter;
  int rc = pc_voters_get(v, id, &voter, err);
  if (rc != 0) return rc;
  trail_t t = {0};
  add_object(&t, "voters", id);
  if (voter.import_batch_id) add_object(&t, "voter_import_batches", voter.import_batch_id);
  /* Both on indexes led by voter_id; maintenance_actions has none by voter
   * (its status changes are voter-row entries anyway). */
  rc = add_objects(v, &t, "voter_history", pc_voters_search_sql[PC_VS_HISTORY_IDS], id, limit, err);
  if (rc == 0)
    rc = add_objects(v, &t, "confirmation_notices", pc_voters_search_sql[PC_VS_NOTICE_IDS], id, limit, err);
  for (size_t i = 0; rc == 0 && i < t.object_count; i++) rc = add_entries(v, &t, &t.objects[i], limit, err);
  if (rc == 0) qsort(t.rows, t.row_count, sizeof *t.rows, newest_first);
  for (size_t i = 0; rc == 0 && i < t.row_count && i < (size_t)limit; i++) rc = visit(context, &t.rows[i]);
  free(t.objects);
  free(t.rows);
  return rc;
}

int pc_voters_each_precinct(pc_voters_t *v, int (*visit)(void *context, const char *code, const char *name),
                            void *context, pc_error_t *err) {
  int64_t county = 0;
  int rc = scope_county(v, &county, err);
  if (rc != 0) return rc;
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store, pc_voters_search_sql[PC_VS_PRECINCTS], &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, county);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    rc = visit(context, pc_stmt_column_text(stmt, 0), pc_stmt_column_text(stmt, 1));
    if (rc != 0) break;
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}
