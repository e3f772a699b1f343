/* Lists the open duplicate review queue for the web review page, limited to
 * pairs whose two voters are in the caller's county scope (the same pairs
 * pc_voters_dedup_decide accepts). Deciding lives in dedup_queue.c. */
#include "precinct/voters_tools.h"

#include "voters_internal.h"

#include <string.h>

int pc_voters_dedup_each_open(pc_voters_t *v, int limit,
                              int (*visit)(void *context, int64_t candidate_id, const char *score, const pc_voter_t *a,
                                           const pc_voter_t *b),
                              void *context, pc_error_t *err) {
  int64_t scope = 0;
  if (v->county_scope) {
    int rc = pc_voters_county_id(v->store, v->county_scope, &scope, err);
    if (rc != 0) return rc;
  }
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store,
                            "SELECT d.id, d.score, d.voter_a_id, d.voter_b_id FROM duplicate_candidates d"
                            " JOIN voters a ON a.id = d.voter_a_id JOIN voters b ON b.id = d.voter_b_id"
                            " WHERE d.state = 'open' AND (? = 0 OR (a.county_id = ? AND b.county_id = ?))"
                            " ORDER BY d.id LIMIT ?",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, scope);
  pc_stmt_bind_int64(stmt, 2, scope);
  pc_stmt_bind_int64(stmt, 3, scope);
  pc_stmt_bind_int64(stmt, 4, limit);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    int64_t id = pc_stmt_column_int64(stmt, 0);
    char score[32];
    pc_strlcpy(score, pc_stmt_column_text(stmt, 1), sizeof score);
    pc_voter_t a, b;
    rc = pc_voters_get(v, pc_stmt_column_int64(stmt, 2), &a, err);
    if (rc == 0) rc = pc_voters_get(v, pc_stmt_column_int64(stmt, 3), &b, err);
    if (rc == 0) rc = visit(context, id, score, &a, &b);
    if (rc != 0) break;
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}
