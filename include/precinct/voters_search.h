/* Reading the roll for officials: a paginated search inside one county
 * (every mode runs on an index, see docs/internals/voters.md), a voter's
 * voting history, and the audit-log entries about a voter's records.
 * Nothing here changes the roll; identity-proof fields are never used as
 * search keys and callers must not show them. */
#ifndef PRECINCT_VOTERS_SEARCH_H
#define PRECINCT_VOTERS_SEARCH_H

#include <stdint.h>

#include "precinct/voters.h"

/* A search. Text fields may be NULL or "" when not used. Exactly one mode
 * runs, chosen by what is filled: VOTER_ID (an NCID or the county's
 * registration number, exact); else LAST_NAME (prefix; FIRST_NAME prefix,
 * STATUS and PRECINCT_CODE narrow it), ordered by name then id; else
 * PRECINCT_CODE (STATUS narrows it), ordered by status then id. STATUS alone
 * is refused (no index serves it). */
typedef struct pc_voter_query {
  const char *last_name, *first_name;
  const char *voter_id;
  const char *status;
  const char *precinct_code;
  int64_t after_id; /* 0: first page; else the last voter id of the previous page */
} pc_voter_query_t;

/* Runs Q inside V's county scope (which must be set: PC_EINVAL otherwise)
 * and calls VISIT for up to LIMIT voters (1..500). *MORE (may be NULL) is 1
 * when another page follows. PC_EINVAL with err->field naming the bad input. */
int pc_voters_find(pc_voters_t *v, const pc_voter_query_t *q, int limit,
                   int (*visit)(void *context, const pc_voter_t *voter), void *context, int *more, pc_error_t *err);

/* One election the voter took part in. */
typedef struct pc_voter_history_row {
  char election_date[12];
  char election_desc[128];
  char method[16];
  char county[128];
} pc_voter_history_row_t;

/* Calls VISIT for voter ID's history, newest first (at most LIMIT rows).
 * PC_ENOTFOUND when the voter is outside V's scope. */
int pc_voters_each_history(pc_voters_t *v, int64_t id, int limit,
                           int (*visit)(void *context, const pc_voter_history_row_t *row), void *context,
                           pc_error_t *err);

/* One audit-log entry about the voter: the voter row itself, its history
 * rows, its confirmation notices, its maintenance actions, and the import
 * batch that loaded it. Hashes are lowercase hex or "" (none). */
typedef struct pc_voter_audit_row {
  int64_t seq;
  char recorded_at[40];
  char actor[80];
  char role[16];
  char action[48];
  char object_type[32];
  char object_id[24];
  char before_hash[72], after_hash[72];
} pc_voter_audit_row_t;

/* Calls VISIT for those entries, newest first (at most LIMIT of them).
 * PC_ENOTFOUND when the voter is outside V's scope. */
int pc_voters_each_audit(pc_voters_t *v, int64_t id, int limit,
                         int (*visit)(void *context, const pc_voter_audit_row_t *row), void *context, pc_error_t *err);

/* Calls VISIT for the precincts of V's county (code order). */
int pc_voters_each_precinct(pc_voters_t *v, int (*visit)(void *context, const char *code, const char *name),
                            void *context, pc_error_t *err);

#endif
