/* The web application: what `precinct serve` runs on top of the HTTP layer.
 * It owns the authorization hook (sessions, API tokens, CSRF, roles and
 * county scope, enforced in one place for every non-public route), and
 * registers the routes of the pages and JSON API of each module. */
#ifndef PRECINCT_APP_H
#define PRECINCT_APP_H

#include "precinct/auth.h"
#include "precinct/error.h"
#include "precinct/http.h"
#include "precinct/instance.h"
#include "precinct/results.h"

typedef struct pc_app {
  const pc_instance_t *instance; /* borrowed */
  pc_auth_t *auth;               /* owned */
  char state_name[128];
  pc_results_cache_t *results; /* owned: the current publication in memory */
  struct pc_app_ratelimit *lookup_limit; /* owned: public lookup per client address */
  struct pc_app_registration *registration; /* owned: online registration writer and limits */
} pc_app_t;

/* Opens the app for INSTANCE (auth state, settings read through STORE).
 * *OUT is freed by pc_app_close. */
int pc_app_open(const pc_instance_t *instance, pc_store_t *store, pc_app_t **out, pc_error_t *err);
void pc_app_close(pc_app_t *app);

/* Adds every route of the application (core, auth pages, admin pages, API). */
int pc_app_routes(pc_http_router_t *router, pc_error_t *err);

/* The authorization hook given to pc_http_server_start (app = the pc_app_t). */
int pc_app_authorize(void *app, pc_http_request_t *req, const pc_http_route_t *route);

/* The principal the hook established for REQ, or NULL on a public route
 * (where it tries the session cookie too, so pages can show who is signed in). */
const pc_principal_t *pc_app_principal(pc_http_request_t *req);

/* Periodic housekeeping for the server: prunes expired sessions and signs an
 * audit checkpoint when the log has grown. */
void pc_app_housekeeping(pc_app_t *app, pc_store_t *store);

#endif
