/* Shared by the voter admin pages (pages_voters.c, pages_voter_forms.c,
 * pages_maintenance.c): the county's base URL, opening the roll for the
 * signed-in official, and how a voter is shown. Never exposes a birth date,
 * licence or SSN: only whether each is on file. */
#ifndef PRECINCT_PAGES_VOTERS_H
#define PRECINCT_PAGES_VOTERS_H

#include "app_internal.h"

#include "precinct/auth.h"
#include "precinct/buf.h"
#include "precinct/voters.h"

/* Appends "/admin/counties/<county, URL-encoded>/voters" to OUT. */
void pc_voter_pages_base(pc_http_request_t *req, pc_buf_t *out);

/* The roll scoped to the route's county, for reading (no ID key). */
void pc_voter_pages_reader(pc_http_request_t *req, pc_voters_t *voters, pc_actor_t *actor);
/* The same with the instance's ID key, for registering and changing. */
int pc_voter_pages_writer(pc_http_request_t *req, pc_voters_t *voters, pc_actor_t *actor, pc_error_t *err);

/* A page context with the county, its URL-encoded base ("base") and CAN_WRITE. */
json_t *pc_voter_pages_context(pc_http_request_t *req, const char *title);

/* "FIRST MIDDLE LAST SUFFIX". */
void pc_voter_pages_name(const pc_voter_t *v, char *out, size_t size);
/* One row of a voter list: ncid, name, status, precinct, city, link. */
json_t *pc_voter_pages_row(pc_http_request_t *req, const pc_voter_t *v);

/* The county's precincts as a list of {code, name, selected} for a <select>. */
json_t *pc_voter_pages_precincts(pc_voters_t *voters, const char *chosen);

/* Redirects to BASE + SUFFIX (SUFFIX already encoded). */
int pc_voter_pages_redirect(pc_http_request_t *req, pc_http_response_t *resp, const char *suffix);

/* A form value, "" when absent. */
const char *pc_voter_pages_field(const pc_http_fields_t *form, const char *name);

#endif
