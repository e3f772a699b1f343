/* Shared by the files of src/app: page context building and route tables. */
#ifndef PRECINCT_APP_INTERNAL_H
#define PRECINCT_APP_INTERNAL_H

#include <jansson.h>

#include "precinct/app.h"

/* A new page context for TITLE: site name, navigation for the signed-in
 * user (if any), the user's name/role and CSRF token for forms, request id.
 * The caller adds its own keys and decrefs it. */
json_t *pc_app_page_context(pc_http_request_t *req, const char *title, const char *current_href);

/* 1 when WHO is an admin whose session has not passed TOTP: such a session
 * may only enrol an authenticator or sign out. */
int pc_app_must_enrol(const pc_principal_t *who);

/* The request's urlencoded form fields (the HTTP layer parses and owns them);
 * a negative PC_E* when the body is not a valid form. */
int pc_app_form(pc_http_request_t *req, const pc_http_fields_t **form);

/* Renders template NAME for REQ with CONTEXT (reference stolen). */
int pc_app_render(pc_http_request_t *req, pc_http_response_t *resp, int status, const char *name, json_t *context);

/* Per-address fixed-window rate limiter (ratelimit.c), bounded to about
 * CAPACITY addresses; LIMIT requests per WINDOW_SECONDS. */
typedef struct pc_app_ratelimit pc_app_ratelimit_t;
pc_app_ratelimit_t *pc_app_ratelimit_new(size_t capacity, int limit, int window_seconds);
void pc_app_ratelimit_free(pc_app_ratelimit_t *r);
/* Counts one request from ADDRESS at NOW (unix seconds): 0 when allowed,
 * PC_EBUSY when over the limit; *RETRY_AFTER gets the seconds until the
 * window ends (may be NULL). */
int pc_app_ratelimit_hit(pc_app_ratelimit_t *r, const char *address, int64_t now, int *retry_after);

/* Voter admin pages: search and detail, forms, list maintenance. */
extern const pc_http_route_t pc_app_voter_page_routes[];
extern const size_t pc_app_voter_page_route_count;
extern const pc_http_route_t pc_app_voter_form_routes[];
extern const size_t pc_app_voter_form_route_count;
extern const pc_http_route_t pc_app_maintenance_routes[];
extern const size_t pc_app_maintenance_route_count;
/* Public forms in English and Spanish (public_forms.c). A string table is
 * rows of {key, English, Spanish}. */
typedef struct pc_app_strings {
  const char *const (*rows)[3];
  size_t count;
} pc_app_strings_t;
/* 1 for "es" (Spanish), 0 otherwise (English). */
int pc_app_language(const char *lang);
/* The text of KEY in LANG; a missing key is an assertion failure. */
const char *pc_app_text(const pc_app_strings_t *strings, int lang, const char *key);
/* pc_app_page_context titled by TITLE_KEY, plus `t` (every string in LANG),
 * `lang` and `other_lang` for the language link. */
json_t *pc_app_public_context(pc_http_request_t *req, const pc_app_strings_t *strings, int lang, const char *title_key,
                              const char *path);
/* Counts REQ against LIMIT: 0, or PC_EBUSY with Retry-After set on RESP. */
int pc_app_rate_limited(pc_http_request_t *req, pc_http_response_t *resp, pc_app_ratelimit_t *limit);
/* "YYYY-MM-DD" from the form's dob_day/dob_month/dob_year, "" when unusable. */
void pc_app_form_birth_date(const pc_http_fields_t *form, char birth[16]);

/* Online registration (pages_register.c): the group-commit writer, the ID
 * key and the rate limits, opened with the app and closed after the server
 * stopped (it stores what is still queued). */
typedef struct pc_app_registration pc_app_registration_t;
int pc_app_registration_open(pc_app_t *app, pc_store_t *store, pc_error_t *err);
void pc_app_registration_close(pc_app_t *app);
/* Verifies up to 2,000 received applications statewide (the server's timer). */
void pc_app_registration_housekeeping(pc_app_t *app, pc_store_t *store);
/* A read/decide session on the roll for the signed-in user, scoped to the
 * route's {county} (pages_applications.c; ACTOR must outlive VOTERS). */
struct pc_voters;
void pc_app_county_roll(pc_http_request_t *req, struct pc_voters *voters, pc_actor_t *actor);
extern const pc_http_route_t pc_app_register_routes[];
extern const size_t pc_app_register_route_count;
extern const pc_http_route_t pc_app_application_routes[];
extern const size_t pc_app_application_route_count;
extern const pc_http_route_t pc_app_duplicate_routes[];
extern const size_t pc_app_duplicate_route_count;
extern const pc_http_route_t pc_app_lookup_routes[];
extern const size_t pc_app_lookup_route_count;
extern const pc_http_route_t pc_app_session_routes[];
extern const size_t pc_app_session_route_count;
extern const pc_http_route_t pc_app_admin_routes[];
extern const size_t pc_app_admin_route_count;
extern const pc_http_route_t pc_app_voter_routes[];
extern const size_t pc_app_voter_route_count;
/* A voter as the API shows it: no birth date, licence or SSN (api_voters.c). */
struct pc_voter;
json_t *pc_app_voter_json(const struct pc_voter *voter);
extern const pc_http_route_t pc_app_api_routes[];
extern const size_t pc_app_api_route_count;
extern const pc_http_route_t pc_app_results_routes[];
extern const size_t pc_app_results_route_count;
extern const pc_http_route_t pc_app_returns_routes[];
extern const size_t pc_app_returns_route_count;
extern const pc_http_route_t pc_app_night_routes[];
extern const size_t pc_app_night_route_count;
extern const pc_http_route_t pc_app_election_routes[]; /* pages_elections.c */
extern const size_t pc_app_election_route_count;
extern const pc_http_route_t pc_app_election_object_routes[]; /* pages_elections_objects.c */
extern const size_t pc_app_election_object_route_count;
extern const pc_http_route_t pc_app_results_api_routes[];
extern const size_t pc_app_results_api_route_count;

#endif
