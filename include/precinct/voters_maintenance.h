/* NVRA section 8 list maintenance (52 U.S.C. 20507): address-confirmation
 * notice runs (from a moved-address list or by inactivity), marking
 * non-responders inactive, and removing inactive voters only after no
 * contact through two consecutive federal general elections, never inside
 * the 90 days before a federal election. Every run is first previewed (the
 * exact list is stored), then executed, and can be undone. */
#ifndef PRECINCT_VOTERS_MAINTENANCE_H
#define PRECINCT_VOTERS_MAINTENANCE_H

#include <stdint.h>

#include "precinct/voters.h"

typedef struct pc_maintenance_request {
  const char *kind;            /* "notices-moved", "notices-inactivity", "inactivate", "remove" */
  const char *moved_list_path; /* notices-moved: file of NCIDs, one a line */
  const char *moved_list_text; /* notices-moved: the same list as text (instead of a path, e.g. typed in a page) */
  const char *since;           /* notices-inactivity: no contact on or after this date */
  int response_days;           /* inactivate: days allowed to answer a notice (default 30) */
} pc_maintenance_request_t;

/* Computes the run's list of voters and stores it as a previewed run
 * (nothing about any voter changes). *RUN_ID and *COUNT receive the run
 * and its size. Removal runs inside the 90-day window are refused here
 * already (PC_ESTATE, naming the election). Audited, own transaction. */
int pc_voters_maintenance_preview(pc_voters_t *v, const pc_maintenance_request_t *request, int64_t *run_id, int64_t *count,
                                  pc_error_t *err);

/* Calls VISIT for each planned action of RUN_ID (voter id, NCID, name,
 * old and new status) in voter order. */
int pc_voters_maintenance_list(pc_voters_t *v, int64_t run_id,
                               int (*visit)(void *context, const pc_voter_t *voter, const char *new_status),
                               void *context, pc_error_t *err);

/* Executes previewed run RUN_ID exactly as previewed: sends the notices or
 * changes the statuses, skipping voters whose status changed since the
 * preview (*SKIPPED). Re-checks the 90-day rule. Audited per voter, one
 * transaction. */
int pc_voters_maintenance_run(pc_voters_t *v, int64_t run_id, int64_t *changed, int64_t *skipped, pc_error_t *err);

/* Reverses executed run RUN_ID: withdraws its notices and restores each
 * voter it changed who still has the status the run gave them. */
int pc_voters_maintenance_undo(pc_voters_t *v, int64_t run_id, int64_t *restored, pc_error_t *err);

/* Records a reply to notice NOTICE_ID: "confirmed" (returns an inactive
 * voter to active), "moved" or "undeliverable". Audited. */
int pc_voters_notice_respond(pc_voters_t *v, int64_t notice_id, const char *response, pc_error_t *err);

/* 1 when TODAY lies within the 90 days before a federal election (the
 * computed federal general elections and the dates in the setting
 * voters.federal_election_dates); ELECTION and *DAYS_UNTIL describe it. 0
 * when outside; negative on error. */
int pc_voters_in_quiet_period(pc_store_t *store, const char *today, char election[12], int64_t *days_until, pc_error_t *err);

/* The two federal general elections that end the removal waiting period
 * for a notice sent on SENT (the first and second after it). */
void pc_voters_removal_elections(const char *sent, char first[12], char second[12]);

/* A run as stored (maintenance_list.c). */
typedef struct pc_maintenance_run {
  int64_t id;
  char kind[32], state[16];
  int64_t voter_count;
  char created_at[40], executed_at[40], undone_at[40]; /* "" when not yet */
  char parameters[512];                                /* canonical JSON of the inputs */
} pc_maintenance_run_t;

/* Reads run RUN_ID (PC_ENOTFOUND, or PC_EPERM outside V's county scope). */
int pc_voters_maintenance_get(pc_voters_t *v, int64_t run_id, pc_maintenance_run_t *out, pc_error_t *err);

/* Calls VISIT for the newest LIMIT runs of V's county scope (all runs when
 * statewide), newest first. */
int pc_voters_maintenance_each_run(pc_voters_t *v, int limit,
                                   int (*visit)(void *context, const pc_maintenance_run_t *run), void *context,
                                   pc_error_t *err);

#endif
