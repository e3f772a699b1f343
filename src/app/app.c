/* The web application's frame: opening it, registering every module's
 * routes, the page context shared by all templates, and housekeeping the
 * server runs on a timer. Pages and API handlers live beside this file. */
#include "app_internal.h"

#include "precinct/alloc.h"
#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/log.h"

#include <stdlib.h>
#include <string.h>

int pc_app_open(const pc_instance_t *instance, pc_store_t *store, pc_app_t **out, pc_error_t *err) {
  pc_app_t *app = pc_xcalloc(1, sizeof *app);
  app->instance = instance;
  int rc = pc_auth_open(instance, 0, &app->auth, err);
  if (rc == 0 && pc_instance_setting_get(store, "state_name", app->state_name, sizeof app->state_name, NULL) != 0)
    pc_strlcpy(app->state_name, "precinct", sizeof app->state_name);
  if (rc != 0) {
    free(app);
    return rc;
  }
  app->results = pc_results_cache_new();
  /* voters.lookup_per_minute: public lookups per client address [20]. */
  char limit_text[32];
  long long limit = 20;
  if (pc_instance_setting_get(store, "voters.lookup_per_minute", limit_text, sizeof limit_text, NULL) == 0 &&
      pc_parse_int64(limit_text, 1, 1000000, &limit) != 0)
    limit = 20;
  app->lookup_limit = pc_app_ratelimit_new(4096, (int)limit, 60);
  rc = pc_app_registration_open(app, store, err);
  if (rc != 0) {
    pc_app_close(app);
    return rc;
  }
  *out = app;
  return 0;
}

void pc_app_close(pc_app_t *app) {
  if (app == NULL) return;
  pc_app_registration_close(app);
  pc_auth_close(app->auth);
  pc_results_cache_free(app->results);
  pc_app_ratelimit_free(app->lookup_limit);
  free(app);
}

int pc_app_routes(pc_http_router_t *router, pc_error_t *err) {
  int rc = pc_http_core_routes(router, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_session_routes, pc_app_session_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_admin_routes, pc_app_admin_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_api_routes, pc_app_api_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_results_routes, pc_app_results_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_results_api_routes, pc_app_results_api_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_voter_routes, pc_app_voter_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_lookup_routes, pc_app_lookup_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_duplicate_routes, pc_app_duplicate_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_returns_routes, pc_app_returns_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_night_routes, pc_app_night_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_election_routes, pc_app_election_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_election_object_routes, pc_app_election_object_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_voter_page_routes, pc_app_voter_page_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_voter_form_routes, pc_app_voter_form_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_maintenance_routes, pc_app_maintenance_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_register_routes, pc_app_register_route_count, err);
  if (rc == 0) rc = pc_http_router_add(router, pc_app_application_routes, pc_app_application_route_count, err);
  return rc;
}

void pc_app_housekeeping(pc_app_t *app, pc_store_t *store) {
  pc_error_t err;
  pc_error_clear(&err);
  int64_t deleted = 0;
  if (pc_auth_session_prune(store, app->auth, &deleted, &err) != 0)
    pc_log(PC_LOG_WARN, "session prune failed: %s", err.message);
  pc_app_registration_housekeeping(app, store);
  pc_audit_checkpoint_t checkpoint;
  int created = 0;
  pc_error_clear(&err);
  if (pc_audit_checkpoint_instance(app->instance, store, &checkpoint, &created, &err) != 0)
    pc_log(PC_LOG_ERROR, "audit checkpoint failed: %s", err.message);
  else if (created)
    pc_log(PC_LOG_INFO, "signed audit checkpoint at tree size %lld", (long long)checkpoint.tree_size);
}

static const char *role_label(const char *role) {
  if (strcmp(role, "state_admin") == 0) return "state admin";
  if (strcmp(role, "county_admin") == 0) return "county admin";
  if (strcmp(role, "clerk") == 0) return "clerk";
  if (strcmp(role, "auditor") == 0) return "auditor";
  return role;
}

static void add_nav(json_t *nav, const char *href, const char *label, const char *current) {
  json_t *item = json_pack("{s:s, s:s}", "href", href, "label", label);
  if (current && strcmp(current, href) == 0) json_object_set_new(item, "current", json_true());
  json_array_append_new(nav, item);
}

/* A link to /admin/counties/COUNTY/SUFFIX. */
static void add_county_nav(json_t *nav, const char *county, const char *suffix, const char *label,
                           const char *current) {
  pc_buf_t href;
  pc_buf_init(&href, 512);
  pc_buf_append_str(&href, "/admin/counties/");
  pc_buf_append_urlencoded(&href, county);
  pc_buf_append_str(&href, suffix);
  add_nav(nav, pc_buf_str(&href), label, current);
  pc_buf_free(&href);
}

json_t *pc_app_page_context(pc_http_request_t *req, const char *title, const char *current_href) {
  const pc_app_t *app = req->app;
  const pc_principal_t *who = pc_app_principal(req);
  json_t *context = json_object();
  json_object_set_new(context, "title", json_string(title));
  json_object_set_new(context, "site_name", json_string(app ? app->state_name : "precinct"));
  json_object_set_new(context, "request_id", json_string(req->request_id));
  json_t *nav = json_array();
  if (who != NULL && !pc_app_must_enrol(who)) {
    add_nav(nav, "/admin", "Dashboard", current_href);
    add_nav(nav, "/admin/voters", "Voters", current_href);
    if (pc_auth_authorize(who, PC_ACCESS_STATE, 0) == 0) {
      add_nav(nav, "/admin/election-night", "Election night", current_href);
      add_nav(nav, "/admin/users", "Users", current_href);
    } else if (pc_auth_authorize(who, PC_ACCESS_ADMIN, who->county_id) == 0) {
      add_county_nav(nav, who->county, "/users", "Users", current_href);
    }
    if (who->county[0]) add_county_nav(nav, who->county, "/returns", "Returns", current_href);
    if (pc_auth_authorize(who, PC_ACCESS_ADMIN, who->county_id) == 0) add_nav(nav, "/admin/elections", "Elections", current_href);
    add_nav(nav, "/admin/audit", "Audit log", current_href);
    add_nav(nav, "/account/totp", "Authenticator", current_href);
  } else if (who == NULL) {
    add_nav(nav, "/login", "Sign in", current_href);
  }
  json_object_set_new(context, "nav", nav);
  if (who != NULL) {
    json_t *user = json_pack("{s:s, s:s, s:s}", "username", who->username, "role", role_label(who->role), "csrf_token",
                             who->csrf_token);
    if (who->county[0]) json_object_set_new(user, "county", json_string(who->county));
    json_object_set_new(context, "user", user);
  }
  return context;
}

int pc_app_render(pc_http_request_t *req, pc_http_response_t *resp, int status, const char *name, json_t *context) {
  /* On a render error the HTTP layer has already replied 500 and logged it. */
  (void)pc_http_reply_template(req, resp, status, name, context);
  json_decref(context);
  return 0;
}

int pc_app_form(pc_http_request_t *req, const pc_http_fields_t **form) {
  pc_error_t err;
  pc_error_clear(&err);
  return pc_http_request_form(req, form, &err);
}
