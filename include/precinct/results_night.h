/* Election night as the admin pages show it: read-only listings of the
 * elections, a county's uploaded versions, the publications and the
 * publication approval requests. Changes go through results.h and
 * elections.h (ingest, go live, publish, approve, poll close, certify). */
#ifndef PRECINCT_RESULTS_NIGHT_H
#define PRECINCT_RESULTS_NIGHT_H

#include <stdint.h>

#include "precinct/error.h"
#include "precinct/store.h"

typedef struct pc_night_election {
  int64_t id;
  const char *code, *name, *date, *mode, *poll_close_at; /* poll_close_at "" when not set */
} pc_night_election_t;

typedef struct pc_night_upload {
  int64_t id;
  const char *county, *mode, *status; /* status: current, superseded, cleared */
  int version;
  const char *file_name, *format, *sha256, *uploaded_by, *uploaded_at;
  int64_t precincts, vote_rows, total_votes;
} pc_night_upload_t;

typedef struct pc_night_publication {
  int64_t number;
  const char *mode, *published_at, *published_by, *approved_by; /* approved_by "" when none was needed */
  const char *manifest_sha256;
  int current; /* the publication the public site shows */
} pc_night_publication_t;

typedef struct pc_night_approval {
  int64_t id;
  const char *status, *reason, *requested_by, *requested_at, *approved_by; /* approved_by "" until approved */
} pc_night_approval_t;

/* Each callback gets rows whose strings live until it returns; a non-zero
 * return stops the walk and is returned. */
typedef int (*pc_night_election_fn)(void *context, const pc_night_election_t *row);
typedef int (*pc_night_upload_fn)(void *context, const pc_night_upload_t *row);
typedef int (*pc_night_publication_fn)(void *context, const pc_night_publication_t *row);
typedef int (*pc_night_approval_fn)(void *context, const pc_night_approval_t *row);

/* Every election, newest first. */
int pc_results_night_elections(pc_store_t *store, pc_night_election_fn fn, void *context, pc_error_t *err);
/* Uploads of ELECTION_ID (COUNTY_ID 0: every county), newest first, at most LIMIT. */
int pc_results_night_uploads(pc_store_t *store, int64_t election_id, int64_t county_id, int limit,
                             pc_night_upload_fn fn, void *context, pc_error_t *err);
/* Publications of ELECTION_ID, newest first, with the approver of each. */
int pc_results_night_publications(pc_store_t *store, int64_t election_id, pc_night_publication_fn fn, void *context,
                                  pc_error_t *err);
/* Approval requests of ELECTION_ID, pending first, then newest first, at most LIMIT. */
int pc_results_night_approvals(pc_store_t *store, int64_t election_id, int limit, pc_night_approval_fn fn,
                               void *context, pc_error_t *err);

#endif
