/* Admin pages: dashboard, user management and the audit log viewer. Access
 * is decided by the route table below and the authorization hook; the auth
 * module re-checks who may manage whom inside each change. */
#include "app_internal.h"

#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/counties.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

static int add_county(const pc_county_t *county, void *context) {
  json_array_append_new(context, json_pack("{s:s, s:s, s:s}", "name", county->name, "fips", county->fips,
                                           "office_address", county->office_address));
  return 0;
}

static json_t *counties_json(pc_store_t *store, pc_error_t *err) {
  json_t *counties = json_array();
  if (pc_counties_each(store, add_county, counties, err) != 0) {
    json_decref(counties);
    return NULL;
  }
  return counties;
}

static int dashboard(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  json_t *counties = counties_json(pc_http_request_store(req), &err);
  if (counties == NULL) return err.code;
  json_t *context = pc_app_page_context(req, "Dashboard", "/admin");
  json_object_set_new(context, "counties", counties);
  return pc_app_render(req, resp, 200, "admin_home", context);
}

typedef struct user_list {
  json_t *users;
  const char *csrf_token;
} user_list_t;

static int add_user(const pc_user_t *user, void *context) {
  user_list_t *list = context;
  json_t *row = json_pack("{s:I, s:s, s:s, s:s, s:b, s:b, s:s}", "id", (json_int_t)user->id, "username", user->username,
                          "role", user->role, "county", user->county, "totp_enabled", user->totp_enabled, "disabled",
                          user->disabled, "csrf_token", list->csrf_token);
  json_array_append_new(list->users, row);
  return 0;
}

static json_t *roles_json(int state_wide) {
  json_t *roles = json_array();
  if (state_wide) json_array_append_new(roles, json_pack("{s:s, s:s}", "value", "state_admin", "label", "State admin"));
  json_array_append_new(roles, json_pack("{s:s, s:s}", "value", "county_admin", "label", "County admin"));
  json_array_append_new(roles, json_pack("{s:s, s:s}", "value", "clerk", "label", "Clerk"));
  json_array_append_new(roles, json_pack("{s:s, s:s}", "value", "auditor", "label", "Auditor (read only)"));
  return roles;
}

/* Renders the users page for COUNTY (NULL: every county, state admins),
 * with an optional error or newly created account. */
static int render_users(pc_http_request_t *req, pc_http_response_t *resp, int status, const pc_county_t *county,
                        const char *error, json_t *created) {
  pc_store_t *store = pc_http_request_store(req);
  const pc_principal_t *who = pc_app_principal(req);
  pc_error_t err;
  pc_error_clear(&err);
  user_list_t list = {json_array(), who->csrf_token};
  int rc = pc_auth_user_each(store, county ? county->id : 0, add_user, &list, &err);
  json_t *counties = county ? NULL : counties_json(store, &err);
  if (rc != 0 || (county == NULL && counties == NULL)) {
    json_decref(list.users);
    json_decref(created);
    return rc != 0 ? rc : err.code;
  }
  char action[256];
  if (county) {
    pc_buf_t path;
    pc_buf_init(&path, sizeof action - 1);
    pc_buf_append_str(&path, "/admin/counties/");
    pc_buf_append_urlencoded(&path, county->name);
    pc_buf_append_str(&path, "/users");
    pc_strlcpy(action, pc_buf_str(&path), sizeof action);
    pc_buf_free(&path);
  } else {
    pc_strlcpy(action, "/admin/users", sizeof action);
  }
  json_t *context = pc_app_page_context(req, "Users", county ? NULL : "/admin/users");
  json_object_set_new(context, "users", list.users);
  json_object_set_new(context, "roles", roles_json(county == NULL));
  json_object_set_new(context, "form_action", json_string(action));
  if (county) json_object_set_new(context, "county", json_string(county->name));
  if (counties) {
    json_object_set_new(context, "choose_county", json_true());
    json_object_set_new(context, "counties", counties);
  }
  if (error) json_object_set_new(context, "error", json_string(error));
  if (created) json_object_set_new(context, "created", created);
  return pc_app_render(req, resp, status, "users", context);
}

static int county_from_path(pc_http_request_t *req, pc_county_t *county) {
  return pc_counties_find(pc_http_request_store(req), pc_http_request_param(req, "county"), county, NULL);
}

static int users_state(pc_http_request_t *req, pc_http_response_t *resp) {
  return render_users(req, resp, 200, NULL, NULL, NULL);
}

static int users_county(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_county_t county;
  int rc = county_from_path(req, &county);
  return rc != 0 ? rc : render_users(req, resp, 200, &county, NULL, NULL);
}

/* Creates an account from the form; COUNTY fixes its county (NULL: the
 * form's county field, state admins only). */
static int create_user(pc_http_request_t *req, pc_http_response_t *resp, const pc_county_t *county) {
  pc_app_t *app = req->app;
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  pc_error_t err;
  pc_error_clear(&err);
  const char *username = pc_http_fields_get(form, "username");
  const char *role = pc_http_fields_get(form, "role");
  const char *county_name = county ? county->name : pc_http_fields_get(form, "county");
  if (county_name && county_name[0] == '\0') county_name = NULL;
  char password[PC_AUTH_GENERATED_PASSWORD_LENGTH + 1];
  pc_auth_password_generate(password);
  rc = pc_auth_user_create(pc_http_request_store(req), app->auth, pc_app_principal(req), username ? username : "",
                           role ? role : "", county_name, password, NULL, &err);
  if (rc == PC_EINVAL || rc == PC_EEXIST || rc == PC_ENOTFOUND || rc == PC_EPERM) {
    char message[900];
    pc_error_format(&err, message, sizeof message);
    return render_users(req, resp, rc == PC_EPERM ? 403 : 400, county, message, NULL);
  }
  if (rc != 0) return rc;
  json_t *created = json_pack("{s:s, s:s}", "username", username, "password", password);
  sodium_memzero(password, sizeof password);
  return render_users(req, resp, 201, county, NULL, created);
}

static int users_state_create(pc_http_request_t *req, pc_http_response_t *resp) {
  return create_user(req, resp, NULL);
}

static int users_county_create(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_county_t county;
  int rc = county_from_path(req, &county);
  return rc != 0 ? rc : create_user(req, resp, &county);
}

/* Enables or disables the user in the path, then shows the page the
 * administrator came from. The auth module checks the actor may do it. */
static int set_disabled(pc_http_request_t *req, pc_http_response_t *resp, int disabled) {
  long long id;
  if (pc_parse_int64(pc_http_request_param(req, "id"), 1, INT64_MAX, &id) != 0) return PC_ENOTFOUND;
  pc_store_t *store = pc_http_request_store(req);
  pc_error_t err;
  pc_error_clear(&err);
  pc_user_t user;
  int rc = pc_auth_user_get_by_id(store, id, &user, &err);
  if (rc == 0) rc = pc_auth_user_set_disabled(store, pc_app_principal(req), id, disabled, &err);
  if (rc != 0) return rc;
  const pc_principal_t *who = pc_app_principal(req);
  if (strcmp(who->role, "state_admin") == 0) return pc_http_reply_redirect(resp, "/admin/users");
  pc_buf_t path;
  pc_buf_init(&path, 512);
  pc_buf_append_str(&path, "/admin/counties/");
  pc_buf_append_urlencoded(&path, user.county);
  pc_buf_append_str(&path, "/users");
  rc = pc_http_reply_redirect(resp, pc_buf_str(&path));
  pc_buf_free(&path);
  return rc;
}

static int user_disable(pc_http_request_t *req, pc_http_response_t *resp) {
  return set_disabled(req, resp, 1);
}

static int user_enable(pc_http_request_t *req, pc_http_response_t *resp) {
  return set_disabled(req, resp, 0);
}

static int audit_viewer(pc_http_request_t *req, pc_http_response_t *resp) {
  enum { PAGE = 50 };
  long long after = 0;
  const char *after_text = pc_http_request_query(req, "after");
  if (after_text && pc_parse_int64(after_text, 0, INT64_MAX, &after) != 0) return PC_EINVAL;
  pc_store_t *store = pc_http_request_store(req);
  pc_error_t err;
  pc_error_clear(&err);
  json_t *page = NULL, *checkpoint = NULL;
  int rc = pc_audit_json_entries(store, after, PAGE, &page, &err);
  if (rc != 0) return rc;
  if (pc_audit_json_checkpoint(store, NULL, &checkpoint, NULL) != 0) checkpoint = NULL;
  json_t *entries = json_object_get(page, "entries");
  json_t *context = pc_app_page_context(req, "Audit log", "/admin/audit");
  size_t count = json_array_size(entries);
  if (count > 0) {
    json_object_set(context, "first", json_object_get(json_array_get(entries, 0), "seq"));
    json_object_set(context, "last", json_object_get(json_array_get(entries, count - 1), "seq"));
  }
  json_object_set(context, "entries", entries);
  if (after > 0) json_object_set_new(context, "previous", json_integer(after > PAGE ? after - PAGE : 0));
  if (count == PAGE) json_object_set(context, "next", json_object_get(page, "next_after"));
  if (checkpoint) json_object_set_new(context, "checkpoint", checkpoint);
  json_decref(page);
  return pc_app_render(req, resp, 200, "audit", context);
}

const pc_http_route_t pc_app_admin_routes[] = {
    {PC_HTTP_GET, "/admin", dashboard, PC_HTTP_READ, NULL},
    {PC_HTTP_GET, "/admin/users", users_state, PC_HTTP_STATE, NULL},
    {PC_HTTP_POST, "/admin/users", users_state_create, PC_HTTP_STATE, NULL},
    {PC_HTTP_GET, "/admin/counties/{county}/users", users_county, PC_HTTP_ADMIN, "county"},
    {PC_HTTP_POST, "/admin/counties/{county}/users", users_county_create, PC_HTTP_ADMIN, "county"},
    {PC_HTTP_POST, "/admin/users/{id}/disable", user_disable, PC_HTTP_READ, NULL},
    {PC_HTTP_POST, "/admin/users/{id}/enable", user_enable, PC_HTTP_READ, NULL},
    {PC_HTTP_GET, "/admin/audit", audit_viewer, PC_HTTP_READ, NULL},
};
const size_t pc_app_admin_route_count = sizeof pc_app_admin_routes / sizeof pc_app_admin_routes[0];
