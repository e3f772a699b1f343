/* The one place where every non-public request is authorized: who is calling
 * (session cookie or Bearer API token), whether an admin has passed TOTP,
 * the CSRF token of cookie-authenticated writes, and the role and county
 * scope the route requires (pc_auth_authorize). Handlers never re-check. */
#include "app_internal.h"

#include "precinct/counties.h"
#include "precinct/log.h"

#include <string.h>

#define SESSION_COOKIE "precinct_session"

/* MHD runs one request at a time on each worker thread, from the hook to the
 * queued response, so the principal can live in thread-local storage. */
static _Thread_local pc_principal_t principal_slot;
static _Thread_local const pc_http_request_t *principal_owner;

/* Routes an admin who has not enrolled TOTP yet may still use. */
static int allowed_before_totp(const pc_http_route_t *route) {
  return strncmp(route->pattern, "/account/totp", 13) == 0 || strcmp(route->pattern, "/logout") == 0;
}

static pc_access_t access_for(pc_http_access_t access) {
  switch (access) {
  case PC_HTTP_WRITE: return PC_ACCESS_WRITE;
  case PC_HTTP_ADMIN: return PC_ACCESS_ADMIN;
  case PC_HTTP_STATE: return PC_ACCESS_STATE;
  default: return PC_ACCESS_READ;
  }
}

/* Establishes the caller from a Bearer token or the session cookie.
 * Returns 0, or 401 when credentials are absent or invalid. */
static int identify(pc_app_t *app, pc_http_request_t *req) {
  if (principal_owner == req && req->principal) return 0;
  pc_store_t *store = pc_http_request_store(req);
  if (store == NULL) return 503;
  pc_error_t err;
  pc_error_clear(&err);
  const char *authorization = pc_http_request_header(req, "Authorization");
  int rc;
  if (authorization != NULL) {
    if (strncmp(authorization, "Bearer ", 7) != 0) return 401;
    rc = pc_auth_token_lookup(store, authorization + 7, &principal_slot, &err);
  } else {
    const char *token = pc_http_request_cookie(req, SESSION_COOKIE);
    if (token == NULL) return 401;
    rc = pc_auth_session_lookup(store, app->auth, token, &principal_slot, &err);
  }
  if (rc != 0) {
    if (rc != PC_EAUTH) pc_log(PC_LOG_WARN, "authentication lookup failed: %s", err.message);
    return rc == PC_EAUTH ? 401 : 503;
  }
  req->principal = &principal_slot;
  principal_owner = req;
  return 0;
}

const pc_principal_t *pc_app_principal(pc_http_request_t *req) {
  if (req->principal && principal_owner == req) return req->principal;
  if (req->app == NULL) return NULL;
  /* Public pages show who is signed in; a missing or stale cookie is fine. */
  if (pc_http_request_cookie(req, SESSION_COOKIE) == NULL) return NULL;
  return identify(req->app, req) == 0 ? req->principal : NULL;
}

/* The CSRF token of a cookie-authenticated write: the X-CSRF-Token header
 * (scripts) or the csrf_token form field (pages). */
static int csrf_ok(pc_http_request_t *req, const pc_principal_t *who) {
  if (who->via_api_token) return 1;
  const char *submitted = pc_http_request_header(req, "X-CSRF-Token");
  if (submitted == NULL) {
    const pc_http_fields_t *form = NULL;
    if (pc_http_request_form(req, &form, NULL) == 0) submitted = pc_http_fields_get(form, "csrf_token");
  }
  return submitted != NULL && pc_auth_csrf_valid(who, submitted);
}

int pc_app_must_enrol(const pc_principal_t *who) {
  return pc_auth_role_requires_totp(who->role) && !who->mfa_ok;
}

int pc_app_authorize(void *app_pointer, pc_http_request_t *req, const pc_http_route_t *route) {
  pc_app_t *app = app_pointer;
  req->principal = NULL;
  principal_owner = NULL;
  int status = identify(app, req);
  if (status != 0) return status;
  const pc_principal_t *who = req->principal;
  int enrolling = pc_app_must_enrol(who);
  if (enrolling && !allowed_before_totp(route)) return 403;
  int writes = req->method_id != PC_HTTP_GET && req->method_id != PC_HTTP_HEAD;
  if (writes && !csrf_ok(req, who)) return 403;
  int64_t county_id = 0;
  if (route->county_param != NULL) {
    const char *county_name = pc_http_request_param(req, route->county_param);
    pc_county_t county;
    if (county_name == NULL || pc_counties_find(pc_http_request_store(req), county_name, &county, NULL) != 0)
      return 404;
    county_id = county.id;
  }
  if (enrolling) return 0; /* enrolment and logout: the user's own account only */
  return pc_auth_authorize(who, access_for(route->access), county_id) == 0 ? 0 : 403;
}
