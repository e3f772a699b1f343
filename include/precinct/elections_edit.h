/* One-object edits of an election definition, for the admin pages: create
 * an empty election, then add, change, reorder and delete its parties,
 * districts, precincts, polling places, contests, choices (candidates) and
 * ballot styles. Every edit is one transaction that re-checks the whole
 * definition, refreshes the election's definition hash and appends to the
 * audit log. Edits that would corrupt returns or published results are
 * refused (PC_ESTATE); see docs/internals/elections.md. */
#ifndef PRECINCT_ELECTIONS_EDIT_H
#define PRECINCT_ELECTIONS_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/audit.h"
#include "precinct/elections.h"

/* Largest precinct boundary (GeoJSON Polygon or MultiPolygon) accepted. */
#define PC_ELECTIONS_BOUNDARY_MAX ((size_t)60 * 1024)

typedef enum pc_edit_object {
  PC_EDIT_ELECTION = 0, /* UPDATE only */
  PC_EDIT_PARTY,
  PC_EDIT_DISTRICT,
  PC_EDIT_PRECINCT,
  PC_EDIT_POLLING_PLACE,
  PC_EDIT_CONTEST,
  PC_EDIT_CHOICE, /* a candidate (with its candidate row) or a measure choice */
  PC_EDIT_BALLOT_STYLE
} pc_edit_object_t;

typedef enum pc_edit_op {
  PC_EDIT_CREATE = 0,
  PC_EDIT_UPDATE,
  PC_EDIT_DELETE,
  PC_EDIT_MOVE_UP,  /* contests and choices: one place earlier on the ballot */
  PC_EDIT_MOVE_DOWN
} pc_edit_op_t;

/* Where an edit reads its named values (a web form, a test's table). */
typedef struct pc_elections_values {
  /* The INDEX-th value named NAME (0: the first), or NULL when absent. */
  const char *(*get)(void *context, const char *name, size_t index);
  void *context;
} pc_elections_values_t;

/* Values by object (names are the admin forms' field names; errors name them
 * in err->field):
 *   election:      name, date (YYYY-MM-DD), type, jurisdiction, poll_close_at (RFC 3339 or "")
 *   party:         name, abbreviation
 *   district:      name, unit_type
 *   precinct:      name, county (county name; fixed once it has returns), ballot_style (id or ""),
 *                  registered_voters, boundary (GeoJSON or "")
 *   polling place: precinct (id), name, address, hours (text, e.g. "7:00 AM - 8:00 PM")
 *   contest:       name, kind (candidate, rcv, measure, retention), district (code), vote_for,
 *                  candidate (the retention candidate's name)
 *   choice:        name, party (id or ""), write_in ("1" when set)
 *   ballot style:  code, contest (ids, repeated), precinct (ids, repeated)
 * Codes of new objects are made from their names. */
typedef struct pc_elections_edit {
  pc_edit_object_t object;
  pc_edit_op_t op;
  int64_t id;        /* the object changed (not for CREATE) */
  int64_t parent;    /* CREATE of a choice: its contest id */
  int64_t county_id; /* non-zero: only polling places of this county's precincts (county admins) */
  pc_elections_values_t values;
} pc_elections_edit_t;

/* Creates an empty election (test mode) from VALUES (election fields), in
 * one audited transaction ("election.create"). Its code is made from the
 * name. *ID receives the new id. PC_EINVAL with err->field on bad input. */
int pc_elections_create(pc_store_t *store, const pc_actor_t *actor, const pc_elections_values_t *values,
                        int64_t *id, pc_error_t *err);

/* Applies EDIT to election ELECTION_ID in one transaction, audited as
 * "<object>.<op>" on the elections row (and, for contests, on the contest
 * row). *ID (may be NULL) receives the created or changed object's id.
 * Errors: PC_EINVAL (err->field names the value), PC_ENOTFOUND (no such
 * object in this election), PC_EPERM (outside EDIT->county_id), PC_ESTATE
 * (the election is live and the edit is not of polling places or the
 * poll-closing time, or the object has returns or published results). */
int pc_elections_edit(pc_store_t *store, const pc_actor_t *actor, int64_t election_id, const pc_elections_edit_t *edit,
                      int64_t *id, pc_error_t *err);

/* 0 when BOUNDARY is a GeoJSON Polygon or MultiPolygon geometry (what the
 * results maps draw) of closed rings of [longitude, latitude] positions, at most
 * PC_ELECTIONS_BOUNDARY_MAX bytes; PC_EINVAL / PC_ELIMIT with a message
 * otherwise (err->field "boundary"). */
int pc_elections_check_boundary(const char *boundary, pc_error_t *err);

/* Counts what depends on an object: returns rows (vote and precinct
 * returns, in any mode) and published contest results. For the pages, to
 * say before a click what will be refused. OBJECT is PC_EDIT_PRECINCT,
 * PC_EDIT_CONTEST or PC_EDIT_CHOICE. */
int pc_elections_dependents(pc_store_t *store, pc_edit_object_t object, int64_t id, int64_t *count, pc_error_t *err);

#endif
