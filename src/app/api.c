/* The JSON API of the foundation: who am I, counties, county accounts, and
 * the audit log's public proofs. Shapes are documented in docs/api.md. */
#include "app_internal.h"

#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/counties.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

static int reply_error(pc_http_response_t *resp, const pc_error_t *err) {
  pc_http_reply_error(resp, err);
  return 0;
}

static json_t *county_json(const pc_county_t *county) {
  return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", county->name, "fips", county->fips, "office_address",
                   county->office_address, "office_phone", county->office_phone, "website", county->website);
}

static int me(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_principal_t *who = pc_app_principal(req);
  json_t *body = json_pack("{s:s, s:s, s:o, s:b}", "username", who->username, "role", who->role, "county",
                           who->county[0] ? json_string(who->county) : json_null(), "api_token", who->via_api_token);
  if (!who->via_api_token) json_object_set_new(body, "csrf_token", json_string(who->csrf_token));
  pc_http_reply_json(resp, 200, body);
  return 0;
}

static int add_county(const pc_county_t *county, void *context) {
  json_array_append_new(context, county_json(county));
  return 0;
}

static int counties_list(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  json_t *counties = json_array();
  int rc = pc_counties_each(pc_http_request_store(req), add_county, counties, &err);
  if (rc != 0) {
    json_decref(counties);
    return reply_error(resp, &err);
  }
  pc_http_reply_json(resp, 200, json_pack("{s:o}", "counties", counties));
  return 0;
}

static int find_county(pc_http_request_t *req, pc_county_t *county, pc_error_t *err) {
  return pc_counties_find(pc_http_request_store(req), pc_http_request_param(req, "county"), county, err);
}

static int county_get(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  pc_county_t county;
  if (find_county(req, &county, &err) != 0) return reply_error(resp, &err);
  pc_http_reply_json(resp, 200, county_json(&county));
  return 0;
}

/* Optional string member NAME of BODY: NULL when absent; PC_EINVAL in ERR
 * when present but not a string. */
static int optional_string(json_t *body, const char *name, const char **out, pc_error_t *err) {
  json_t *value = json_object_get(body, name);
  *out = NULL;
  if (value == NULL) return 0;
  if (!json_is_string(value)) return pc_error_set_at(err, PC_EINVAL, NULL, 0, name, "expected a string");
  *out = json_string_value(value);
  return 0;
}

/* The request body as a JSON object (a new reference in *BODY). */
static int object_body(pc_http_request_t *req, json_t **body, pc_error_t *err) {
  int rc = pc_http_request_json(req, body, err);
  if (rc == 0 && !json_is_object(*body)) rc = pc_error_set(err, PC_EINVAL, "expected a JSON object");
  return rc;
}

static int county_update(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  pc_county_t county;
  json_t *body = NULL;
  const char *address, *phone, *website;
  pc_actor_t actor;
  pc_auth_actor(pc_app_principal(req), &actor);
  int rc = find_county(req, &county, &err);
  if (rc == 0) rc = object_body(req, &body, &err);
  if (rc == 0) rc = optional_string(body, "office_address", &address, &err);
  if (rc == 0) rc = optional_string(body, "office_phone", &phone, &err);
  if (rc == 0) rc = optional_string(body, "website", &website, &err);
  if (rc == 0)
    rc = pc_counties_update_contact(pc_http_request_store(req), &actor, county.id, address, phone, website, &err);
  json_decref(body);
  if (rc == 0) rc = pc_counties_get(pc_http_request_store(req), county.id, &county, &err);
  if (rc != 0) return reply_error(resp, &err);
  pc_http_reply_json(resp, 200, county_json(&county));
  return 0;
}

static int add_user(const pc_user_t *user, void *context) {
  json_array_append_new(context, json_pack("{s:s, s:s, s:s, s:b, s:b, s:s}", "username", user->username, "role",
                                           user->role, "county", user->county, "totp_enabled", user->totp_enabled,
                                           "disabled", user->disabled, "created_at", user->created_at));
  return 0;
}

static int county_users(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  pc_county_t county;
  json_t *users = json_array();
  int rc = find_county(req, &county, &err);
  if (rc == 0) rc = pc_auth_user_each(pc_http_request_store(req), county.id, add_user, users, &err);
  if (rc != 0) {
    json_decref(users);
    return reply_error(resp, &err);
  }
  pc_http_reply_json(resp, 200, json_pack("{s:o}", "users", users));
  return 0;
}

static int county_user_create(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_app_t *app = req->app;
  pc_error_t err;
  pc_error_clear(&err);
  pc_county_t county;
  json_t *body = NULL;
  const char *username = NULL, *role = NULL;
  int rc = find_county(req, &county, &err);
  if (rc == 0) rc = object_body(req, &body, &err);
  if (rc == 0) rc = optional_string(body, "username", &username, &err);
  if (rc == 0) rc = optional_string(body, "role", &role, &err);
  char password[PC_AUTH_GENERATED_PASSWORD_LENGTH + 1];
  pc_auth_password_generate(password);
  if (rc == 0)
    rc = pc_auth_user_create(pc_http_request_store(req), app->auth, pc_app_principal(req), username ? username : "",
                             role ? role : "", county.name, password, NULL, &err);
  json_t *reply = rc == 0 ? json_pack("{s:s, s:s, s:s, s:s}", "username", username, "role", role, "county",
                                      county.name, "password", password)
                          : NULL;
  sodium_memzero(password, sizeof password);
  json_decref(body);
  if (rc != 0) return reply_error(resp, &err);
  pc_http_reply_json(resp, 201, reply);
  return 0;
}

static int change_password(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_app_t *app = req->app;
  pc_error_t err;
  pc_error_clear(&err);
  json_t *body = NULL;
  const char *current = NULL, *next = NULL;
  int rc = object_body(req, &body, &err);
  if (rc == 0) rc = optional_string(body, "current_password", &current, &err);
  if (rc == 0) rc = optional_string(body, "new_password", &next, &err);
  if (rc == 0)
    rc = pc_auth_user_change_password(pc_http_request_store(req), app->auth, pc_app_principal(req),
                                      current ? current : "", next ? next : "", &err);
  json_decref(body);
  if (rc != 0) return reply_error(resp, &err);
  pc_http_reply_json(resp, 200, json_pack("{s:b}", "changed", 1));
  return 0;
}

static int add_token(const pc_api_token_t *token, void *context) {
  json_array_append_new(context, json_pack("{s:I, s:s, s:s, s:b, s:s}", "id", (json_int_t)token->id, "label", token->label,
                                           "scope", token->read_only ? "read" : "write", "revoked", token->revoked,
                                           "created_at", token->created_at));
  return 0;
}

static int tokens_list(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  json_t *tokens = json_array();
  int rc = pc_auth_token_each(pc_http_request_store(req), pc_app_principal(req)->user_id, add_token, tokens, &err);
  if (rc != 0) {
    json_decref(tokens);
    return reply_error(resp, &err);
  }
  pc_http_reply_json(resp, 200, json_pack("{s:o}", "tokens", tokens));
  return 0;
}

static int token_create(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  json_t *body = NULL;
  const char *label = NULL, *scope = NULL;
  int rc = object_body(req, &body, &err);
  if (rc == 0) rc = optional_string(body, "label", &label, &err);
  if (rc == 0) rc = optional_string(body, "scope", &scope, &err);
  if (rc == 0 && scope && strcmp(scope, "read") != 0 && strcmp(scope, "write") != 0)
    rc = pc_error_set_at(&err, PC_EINVAL, NULL, 0, "scope", "expected \"read\" or \"write\"");
  const pc_principal_t *who = pc_app_principal(req);
  char token[PC_AUTH_API_TOKEN_SIZE];
  int64_t id = 0;
  int read_only = scope == NULL || strcmp(scope, "read") == 0;
  if (rc == 0)
    rc = pc_auth_token_create(pc_http_request_store(req), who, who->user_id, label ? label : "", read_only, token, &id,
                              &err);
  json_t *reply = rc == 0 ? json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "label", label, "scope",
                                      read_only ? "read" : "write", "token", token)
                          : NULL;
  sodium_memzero(token, sizeof token);
  json_decref(body);
  if (rc != 0) return reply_error(resp, &err);
  pc_http_reply_json(resp, 201, reply);
  return 0;
}

static int token_revoke(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  long long id;
  if (pc_parse_int64(pc_http_request_param(req, "id"), 1, INT64_MAX, &id) != 0) return PC_ENOTFOUND;
  int rc = pc_auth_token_revoke(pc_http_request_store(req), pc_app_principal(req), id, &err);
  if (rc != 0) return reply_error(resp, &err);
  pc_http_reply_json(resp, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1));
  return 0;
}

/* Reads query parameter NAME as an integer in [MIN, MAX]; DEFAULT when absent. */
static int query_int(pc_http_request_t *req, const char *name, long long min, long long max, long long fallback,
                     long long *out, pc_error_t *err) {
  const char *text = pc_http_request_query(req, name);
  if (text == NULL) {
    *out = fallback;
    return 0;
  }
  if (pc_parse_int64(text, min, max, out) != 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, name, "expected a whole number from %lld to %lld", min, max);
  return 0;
}

static int audit_checkpoint(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_app_t *app = req->app;
  pc_error_t err;
  pc_error_clear(&err);
  unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE];
  json_t *json = NULL;
  int rc = pc_audit_public_key_load(app->instance, public_key, &err);
  if (rc == 0) rc = pc_audit_json_checkpoint(pc_http_request_store(req), public_key, &json, &err);
  if (rc != 0) return reply_error(resp, &err);
  pc_http_reply_json(resp, 200, json);
  return 0;
}

static int audit_inclusion(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  long long seq, size;
  json_t *json = NULL;
  int rc = query_int(req, "seq", 1, INT64_MAX, 0, &seq, &err);
  if (rc == 0 && seq == 0) rc = pc_error_set_at(&err, PC_EINVAL, NULL, 0, "seq", "required");
  if (rc == 0) rc = query_int(req, "size", 1, INT64_MAX, 0, &size, &err);
  if (rc == 0) rc = pc_audit_json_inclusion(pc_http_request_store(req), seq, size, &json, &err);
  if (rc != 0) return reply_error(resp, &err);
  pc_http_reply_json(resp, 200, json);
  return 0;
}

static int audit_consistency(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  long long from, to;
  json_t *json = NULL;
  int rc = query_int(req, "from", 1, INT64_MAX, 0, &from, &err);
  if (rc == 0 && from == 0) rc = pc_error_set_at(&err, PC_EINVAL, NULL, 0, "from", "required");
  if (rc == 0) rc = query_int(req, "to", 1, INT64_MAX, 0, &to, &err);
  if (rc == 0) rc = pc_audit_json_consistency(pc_http_request_store(req), from, to, &json, &err);
  if (rc != 0) return reply_error(resp, &err);
  pc_http_reply_json(resp, 200, json);
  return 0;
}

static int audit_entries(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  long long after, limit;
  json_t *json = NULL;
  int rc = query_int(req, "after", 0, INT64_MAX, 0, &after, &err);
  if (rc == 0) rc = query_int(req, "limit", 1, PC_AUDIT_ENTRIES_MAX, 100, &limit, &err);
  if (rc == 0) rc = pc_audit_json_entries(pc_http_request_store(req), after, (int)limit, &json, &err);
  if (rc != 0) return reply_error(resp, &err);
  pc_http_reply_json(resp, 200, json);
  return 0;
}

const pc_http_route_t pc_app_api_routes[] = {
    {PC_HTTP_GET, "/api/me", me, PC_HTTP_READ, NULL},
    {PC_HTTP_POST, "/api/me/password", change_password, PC_HTTP_READ, NULL},
    {PC_HTTP_GET, "/api/me/tokens", tokens_list, PC_HTTP_READ, NULL},
    {PC_HTTP_POST, "/api/me/tokens", token_create, PC_HTTP_READ, NULL},
    {PC_HTTP_DELETE, "/api/me/tokens/{id}", token_revoke, PC_HTTP_READ, NULL},
    {PC_HTTP_GET, "/api/counties", counties_list, PC_HTTP_READ, NULL},
    {PC_HTTP_GET, "/api/counties/{county}", county_get, PC_HTTP_READ, "county"},
    {PC_HTTP_PATCH, "/api/counties/{county}", county_update, PC_HTTP_ADMIN, "county"},
    {PC_HTTP_GET, "/api/counties/{county}/users", county_users, PC_HTTP_ADMIN, "county"},
    {PC_HTTP_POST, "/api/counties/{county}/users", county_user_create, PC_HTTP_ADMIN, "county"},
    {PC_HTTP_GET, "/api/audit/checkpoint", audit_checkpoint, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_GET, "/api/audit/proof/inclusion", audit_inclusion, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_GET, "/api/audit/proof/consistency", audit_consistency, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_GET, "/api/audit/entries", audit_entries, PC_HTTP_READ, NULL},
};
const size_t pc_app_api_route_count = sizeof pc_app_api_routes / sizeof pc_app_api_routes[0];
