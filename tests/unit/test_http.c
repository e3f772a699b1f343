/* Unit tests for src/http: router matching (parameters, 404/405, HEAD,
 * specificity), the authorization hook, urlencoded/query/cookie/JSON parsing
 * with their limits, error-to-status mapping and response headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/buf.h"
#include "precinct/embedded.h"
#include "precinct/http.h"
#include "precinct/log.h"

#include <stdlib.h>
#include <string.h>

/* ---- router ---------------------------------------------------------------- */

static int handle_user(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_http_reply_json(resp, 200, json_pack("{s:s, s:s, s:s}", "route", "user", "county",
                                          pc_http_request_param(req, "county"), "id", pc_http_request_param(req, "id")));
  return 0;
}
static int handle_me(pc_http_request_t *req, pc_http_response_t *resp) {
  (void)req;
  pc_http_reply_json(resp, 200, json_pack("{s:s}", "route", "me"));
  return 0;
}
static int handle_create(pc_http_request_t *req, pc_http_response_t *resp) {
  (void)req;
  pc_http_reply_json(resp, 201, json_pack("{s:s}", "route", "create"));
  return 0;
}
static int handle_fails(pc_http_request_t *req, pc_http_response_t *resp) {
  (void)req;
  (void)resp;
  return PC_ECONFLICT;
}
static int handle_root(pc_http_request_t *req, pc_http_response_t *resp) {
  (void)req;
  pc_http_reply_json(resp, 200, json_string("root"));
  return 0;
}

static const pc_http_route_t test_routes[] = {
    {PC_HTTP_GET | PC_HTTP_PUT, "/api/counties/{county}/users/{id}", handle_user, PC_HTTP_READ, "county"},
    {PC_HTTP_GET, "/api/counties/{county}/users/me", handle_me, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_POST, "/api/counties/{county}/users", handle_create, PC_HTTP_WRITE, "county"},
    {PC_HTTP_DELETE, "/api/fails", handle_fails, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_GET, "/", handle_root, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_GET, "/dir/", handle_root, PC_HTTP_PUBLIC, NULL},
};

static pc_http_router_t *make_router(void) {
  pc_http_router_t *router = pc_http_router_new();
  pc_error_t err;
  pc_error_clear(&err);
  assert_int_equal(pc_http_router_add(router, test_routes, sizeof test_routes / sizeof test_routes[0], &err), 0);
  return router;
}

static int match(pc_http_router_t *router, const char *method, const char *path, const pc_http_route_t **route,
                 pc_http_request_t *req, char *allow) {
  pc_http_request_init(req, method, path);
  return pc_http_router_match(router, req->method_id, path, req, route, allow, 64);
}

static void router_matches_params_and_prefers_literals(void **state) {
  (void)state;
  pc_http_router_t *router = make_router();
  pc_http_request_t req;
  const pc_http_route_t *route;
  char allow[64];
  assert_int_equal(match(router, "GET", "/api/counties/wake/users/42", &route, &req, allow), 0);
  assert_ptr_equal(route, &test_routes[0]);
  assert_string_equal(pc_http_request_param(&req, "county"), "wake");
  assert_string_equal(pc_http_request_param(&req, "id"), "42");
  assert_null(pc_http_request_param(&req, "other"));
  pc_http_request_cleanup(&req);
  /* Percent-decoding of parameters, '+' kept literally in paths. */
  assert_int_equal(match(router, "GET", "/api/counties/New%20Hanover/users/a+b", &route, &req, allow), 0);
  assert_string_equal(pc_http_request_param(&req, "county"), "New Hanover");
  assert_string_equal(pc_http_request_param(&req, "id"), "a+b");
  pc_http_request_cleanup(&req);
  /* A literal segment beats a parameter. */
  assert_int_equal(match(router, "GET", "/api/counties/wake/users/me", &route, &req, allow), 0);
  assert_ptr_equal(route, &test_routes[1]);
  pc_http_request_cleanup(&req);
  /* ...but only for the methods it has: PUT falls back to the parameter route. */
  assert_int_equal(match(router, "PUT", "/api/counties/wake/users/me", &route, &req, allow), 0);
  assert_ptr_equal(route, &test_routes[0]);
  assert_string_equal(pc_http_request_param(&req, "id"), "me");
  pc_http_request_cleanup(&req);
  assert_int_equal(match(router, "GET", "/", &route, &req, allow), 0);
  assert_ptr_equal(route, &test_routes[4]);
  pc_http_request_cleanup(&req);
  /* A trailing slash is part of the path: "/dir/" is routed, "/dir" is not. */
  assert_int_equal(match(router, "GET", "/dir/", &route, &req, allow), 0);
  assert_ptr_equal(route, &test_routes[5]);
  pc_http_request_cleanup(&req);
  assert_int_equal(match(router, "GET", "/dir", &route, &req, allow), 404);
  pc_http_request_cleanup(&req);
  assert_int_equal(match(router, "GET", "/dir//", &route, &req, allow), 404);
  pc_http_request_cleanup(&req);
  pc_http_router_free(router);
}

static void router_404_405_head_and_bad_paths(void **state) {
  (void)state;
  pc_http_router_t *router = make_router();
  pc_http_request_t req;
  const pc_http_route_t *route = NULL;
  char allow[64];
  assert_int_equal(match(router, "GET", "/api/counties/wake/users", &route, &req, allow), 405);
  assert_string_equal(allow, "POST");
  assert_int_equal(match(router, "POST", "/api/counties/wake/users/1", &route, &req, allow), 405);
  assert_string_equal(allow, "GET, HEAD, PUT");
  assert_int_equal(match(router, "GET", "/api/counties/wake/users/1/x", &route, &req, allow), 404);
  assert_int_equal(match(router, "GET", "/api/counties//users/1", &route, &req, allow), 404);
  assert_int_equal(match(router, "GET", "/api/counties/wake/users/1/", &route, &req, allow), 404);
  assert_int_equal(match(router, "GET", "/API/counties/wake/users/1", &route, &req, allow), 404);
  assert_int_equal(match(router, "OPTIONS", "/", &route, &req, allow), 405);
  assert_string_equal(allow, "GET, HEAD");
  assert_int_equal(match(router, "HEAD", "/api/counties/wake/users/1", &route, &req, allow), 0);
  assert_ptr_equal(route, &test_routes[0]);
  pc_http_request_cleanup(&req);
  assert_int_equal(match(router, "GET", "/api/counties/%zz/users/1", &route, &req, allow), 400);
  assert_int_equal(match(router, "GET", "/api/counties/a%00b/users/1", &route, &req, allow), 400);
  assert_int_equal(match(router, "GET", "/api/counties/%C3%28/users/1", &route, &req, allow), 400);
  assert_int_equal(match(router, "GET", "/api/counties/%C3%A9/users/1", &route, &req, allow), 0);
  assert_string_equal(pc_http_request_param(&req, "county"), "\xC3\xA9");
  pc_http_request_cleanup(&req);
  pc_http_router_free(router);
}

static void router_rejects_bad_tables(void **state) {
  (void)state;
  static const pc_http_route_t bad_param[] = {{PC_HTTP_GET, "/a/x{id}", handle_root, PC_HTTP_PUBLIC, NULL}};
  static const pc_http_route_t bad_county[] = {{PC_HTTP_GET, "/a/{id}", handle_root, PC_HTTP_READ, "county"}};
  static const pc_http_route_t no_slash[] = {{PC_HTTP_GET, "a", handle_root, PC_HTTP_PUBLIC, NULL}};
  static const pc_http_route_t head_route[] = {{PC_HTTP_HEAD, "/h", handle_root, PC_HTTP_PUBLIC, NULL}};
  static const pc_http_route_t empty_middle[] = {{PC_HTTP_GET, "/a//b", handle_root, PC_HTTP_PUBLIC, NULL}};
  static const pc_http_route_t conflict[] = {{PC_HTTP_PUT, "/api/counties/{c}/users/{x}", handle_root, PC_HTTP_PUBLIC, NULL}};
  pc_http_router_t *router = make_router();
  pc_error_t err;
  pc_error_clear(&err);
  assert_int_equal(pc_http_router_add(router, bad_param, 1, &err), PC_EINVAL);
  assert_string_equal(err.field, "/a/x{id}");
  assert_int_equal(pc_http_router_add(router, bad_county, 1, &err), PC_EINVAL);
  assert_int_equal(pc_http_router_add(router, no_slash, 1, &err), PC_EINVAL);
  assert_int_equal(pc_http_router_add(router, head_route, 1, &err), PC_EINVAL);
  assert_int_equal(pc_http_router_add(router, empty_middle, 1, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "empty path segment"));
  assert_int_equal(pc_http_router_add(router, conflict, 1, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "conflicts with route /api/counties/{county}/users/{id}"));
  pc_http_router_free(router);
}

/* ---- dispatch and the authorization hook -------------------------------- */

typedef struct hook_log {
  int calls;
  const pc_http_route_t *route;
  int verdict;
} hook_log_t;

static int test_authorize(void *app, pc_http_request_t *req, const pc_http_route_t *route) {
  hook_log_t *log = app;
  log->calls++;
  log->route = route;
  req->principal = log;
  return log->verdict;
}

static int dispatch(pc_http_router_t *router, hook_log_t *log, const char *method, const char *path,
                    pc_http_response_t *resp) {
  pc_http_request_t req;
  pc_http_request_init(&req, method, path);
  req.app = log;
  pc_http_response_init(resp);
  pc_http_dispatch(router, test_authorize, &req, resp);
  pc_http_request_cleanup(&req);
  return resp->status;
}

static const char *header(const pc_http_response_t *resp, const char *name) {
  for (size_t i = 0; i < resp->header_count; i++)
    if (strcmp(resp->header_names[i], name) == 0) return resp->header_values[i];
  return NULL;
}

static void dispatch_calls_hook_only_for_protected_routes(void **state) {
  (void)state;
  pc_http_router_t *router = make_router();
  hook_log_t log = {0, NULL, 0};
  pc_http_response_t resp;
  assert_int_equal(dispatch(router, &log, "GET", "/api/counties/wake/users/me", &resp), 200);
  assert_int_equal(log.calls, 0);
  pc_http_response_free(&resp);
  assert_int_equal(dispatch(router, &log, "GET", "/api/counties/wake/users/7", &resp), 200);
  assert_int_equal(log.calls, 1);
  assert_ptr_equal(log.route, &test_routes[0]);
  assert_string_equal(resp.body.data, "{\"route\":\"user\",\"county\":\"wake\",\"id\":\"7\"}");
  assert_string_equal(resp.content_type, "application/json");
  pc_http_response_free(&resp);
  log.verdict = 401;
  assert_int_equal(dispatch(router, &log, "POST", "/api/counties/wake/users", &resp), 401);
  assert_string_equal(resp.body.data, "{\"error\":{\"code\":\"unauthenticated\",\"message\":\"Sign in to continue.\"}}");
  pc_http_response_free(&resp);
  log.verdict = 403;
  assert_int_equal(dispatch(router, &log, "POST", "/api/counties/wake/users", &resp), 403);
  assert_int_equal(log.calls, 3);
  pc_http_response_free(&resp);
  /* No hook at all: protected routes are refused, public ones still work. */
  pc_http_request_t req;
  pc_http_request_init(&req, "GET", "/api/counties/wake/users/7");
  pc_http_response_init(&resp);
  pc_http_dispatch(router, NULL, &req, &resp);
  assert_int_equal(resp.status, 403);
  pc_http_request_cleanup(&req);
  pc_http_response_free(&resp);
  pc_http_router_free(router);
}

static void dispatch_maps_errors_and_405(void **state) {
  (void)state;
  pc_http_router_t *router = make_router();
  hook_log_t log = {0, NULL, 0};
  pc_http_response_t resp;
  assert_int_equal(dispatch(router, &log, "DELETE", "/api/fails", &resp), 409);
  assert_string_equal(resp.body.data, "{\"error\":{\"code\":\"conflict\",\"message\":\"conflicting change\"}}");
  pc_http_response_free(&resp);
  assert_int_equal(dispatch(router, &log, "PATCH", "/api/fails", &resp), 405);
  assert_string_equal(header(&resp, "Allow"), "DELETE");
  pc_http_response_free(&resp);
  assert_int_equal(dispatch(router, &log, "GET", "/missing", &resp), 404);
  assert_string_equal(resp.body.data,
                      "{\"error\":{\"code\":\"not_found\",\"message\":\"There is no page at this address.\"}}");
  pc_http_response_free(&resp);
  pc_http_router_free(router);
}

static void error_mapping_and_json_error_body(void **state) {
  (void)state;
  assert_int_equal(pc_http_status_for_error(PC_EINVAL), 400);
  assert_int_equal(pc_http_status_for_error(PC_EAUTH), 401);
  assert_int_equal(pc_http_status_for_error(PC_EPERM), 403);
  assert_int_equal(pc_http_status_for_error(PC_ENOTFOUND), 404);
  assert_int_equal(pc_http_status_for_error(PC_EEXIST), 409);
  assert_int_equal(pc_http_status_for_error(PC_ESTATE), 409);
  assert_int_equal(pc_http_status_for_error(PC_ELIMIT), 413);
  assert_int_equal(pc_http_status_for_error(PC_EUNAVAIL), 503);
  assert_int_equal(pc_http_status_for_error(PC_EDB), 500);
  pc_error_t err;
  pc_error_clear(&err);
  pc_error_set_at(&err, PC_EINVAL, NULL, 0, "email", "expected an address with @");
  pc_http_response_t resp;
  pc_http_response_init(&resp);
  pc_http_reply_error(&resp, &err);
  assert_int_equal(resp.status, 400);
  assert_string_equal(resp.body.data,
                      "{\"error\":{\"code\":\"invalid\",\"message\":\"expected an address with @\",\"field\":\"email\"}}");
  pc_http_response_free(&resp);
  /* 5xx messages never reach the client. */
  pc_error_clear(&err);
  pc_error_set(&err, PC_EDB, "no such table: secret_things");
  pc_http_response_init(&resp);
  pc_http_reply_error(&resp, &err);
  assert_int_equal(resp.status, 500);
  assert_null(strstr(resp.body.data, "secret_things"));
  assert_non_null(strstr(resp.body.data, "\"code\":\"database\""));
  pc_http_response_free(&resp);
}

static void response_headers_and_redirects(void **state) {
  (void)state;
  pc_http_response_t resp;
  pc_http_response_init(&resp);
  assert_int_equal(pc_http_response_add_header(&resp, "Set-Cookie", "a=1\r\nX-Evil: 1"), PC_EINVAL);
  assert_int_equal(pc_http_response_add_header(&resp, "Bad:Name", "x"), PC_EINVAL);
  assert_int_equal(resp.cache_control_set, 0);
  assert_int_equal(pc_http_response_add_header(&resp, "cache-control", "max-age=60"), 0);
  assert_int_equal(resp.cache_control_set, 1);
  pc_http_response_free(&resp);
  pc_http_response_init(&resp);
  assert_int_equal(pc_http_reply_redirect(&resp, "//evil.example/"), PC_EINVAL);
  assert_int_equal(pc_http_reply_redirect(&resp, "https://evil.example/"), PC_EINVAL);
  assert_int_equal(pc_http_reply_redirect(&resp, "/\\evil.example/"), PC_EINVAL);
  assert_int_equal(pc_http_reply_redirect(&resp, "/login?next=%2F"), 0);
  assert_int_equal(resp.status, 303);
  assert_string_equal(header(&resp, "Location"), "/login?next=%2F");
  pc_http_response_free(&resp);
}

static void count_release(void *context) { (*(int *)context)++; }

/* A shared body's release runs exactly once when the response is dropped
 * unsent or replaced by another reply (the server hands it to MHD otherwise). */
static void shared_bodies_are_released_once(void **state) {
  (void)state;
  int released = 0;
  pc_http_response_t resp;
  pc_http_response_init(&resp);
  pc_http_reply_shared(&resp, 200, "text/plain", "cached", 6, count_release, &released);
  assert_int_equal(resp.status, 200);
  assert_int_equal(resp.borrowed_size, 6);
  assert_int_equal(released, 0);
  pc_http_response_free(&resp);
  assert_int_equal(released, 1);
  pc_http_response_free(&resp);
  assert_int_equal(released, 1);
  pc_http_response_init(&resp);
  pc_http_reply_shared(&resp, 200, "text/plain", "cached", 6, count_release, &released);
  assert_int_equal(pc_http_reply_redirect(&resp, "/elsewhere"), 0);
  assert_int_equal(released, 2);
  pc_http_response_free(&resp);
  assert_int_equal(released, 2);
}

/* ---- parsers ------------------------------------------------------------ */

static int parse_form(const char *text, pc_http_fields_t *out) {
  pc_error_t err;
  pc_error_clear(&err);
  return pc_http_parse_urlencoded(text, strlen(text), &pc_http_form_limits, out, &err);
}

static void urlencoded_decodes_and_keeps_duplicates(void **state) {
  (void)state;
  pc_http_fields_t f;
  assert_int_equal(parse_form("name=Ana+Mar%C3%ADa&county=wake&&flag&county=durham&empty=", &f), 0);
  assert_int_equal(f.count, 5);
  assert_string_equal(pc_http_fields_get(&f, "name"), "Ana Mar\xC3\xAD" "a");
  assert_string_equal(pc_http_fields_get(&f, "county"), "wake");
  assert_int_equal(pc_http_fields_count_of(&f, "county"), 2);
  assert_string_equal(f.items[3].value, "durham");
  assert_string_equal(pc_http_fields_get(&f, "flag"), "");
  assert_string_equal(pc_http_fields_get(&f, "empty"), "");
  assert_null(pc_http_fields_get(&f, "missing"));
  pc_http_fields_free(&f);
  assert_int_equal(parse_form("", &f), 0);
  assert_int_equal(f.count, 0);
  assert_int_equal(parse_form("a=%3D%26&b%5B%5D=x%2By", &f), 0);
  assert_string_equal(pc_http_fields_get(&f, "a"), "=&");
  assert_string_equal(pc_http_fields_get(&f, "b[]"), "x+y");
  pc_http_fields_free(&f);
}

static void urlencoded_rejects_malformed_input(void **state) {
  (void)state;
  pc_http_fields_t f = {NULL, 0, NULL};
  assert_int_equal(parse_form("a=%", &f), PC_EINVAL);
  assert_int_equal(parse_form("a=%4", &f), PC_EINVAL);
  assert_int_equal(parse_form("a=%zz", &f), PC_EINVAL);
  assert_int_equal(parse_form("a=x%00y", &f), PC_EINVAL);
  assert_int_equal(parse_form("a=%C0%AF", &f), PC_EINVAL);     /* overlong '/' */
  assert_int_equal(parse_form("a=%ED%A0%80", &f), PC_EINVAL);  /* surrogate */
  assert_int_equal(parse_form("a=%F4%90%80%80", &f), PC_EINVAL); /* > U+10FFFF */
  assert_int_equal(parse_form("%FF=1", &f), PC_EINVAL);
  assert_null(f.items); /* untouched on failure */
}

static void urlencoded_enforces_limits(void **state) {
  (void)state;
  pc_http_limits_t limits = {3, 4, 5};
  pc_http_fields_t f;
  pc_error_t err;
  pc_error_clear(&err);
  assert_int_equal(pc_http_parse_urlencoded("a=1&b=2&c=3", 11, &limits, &f, &err), 0);
  pc_http_fields_free(&f);
  assert_int_equal(pc_http_parse_urlencoded("a=1&b=2&c=3&d=4", 15, &limits, &f, &err), PC_ELIMIT);
  assert_int_equal(pc_http_parse_urlencoded("abcde=1", 7, &limits, &f, &err), PC_ELIMIT);
  assert_int_equal(pc_http_parse_urlencoded("a=123456", 8, &limits, &f, &err), PC_ELIMIT);
  /* Limits count decoded bytes: %41 is one byte. */
  assert_int_equal(pc_http_parse_urlencoded("a=%41%41%41%41%41", 17, &limits, &f, &err), 0);
  assert_string_equal(pc_http_fields_get(&f, "a"), "AAAAA");
  pc_http_fields_free(&f);
  /* Only SIZE bytes are read, not up to a NUL. */
  assert_int_equal(pc_http_parse_urlencoded("a=1&b=2", 3, &limits, &f, &err), 0);
  assert_int_equal(f.count, 1);
  pc_http_fields_free(&f);
}

static void cookies_parse_leniently_within_limits(void **state) {
  (void)state;
  pc_http_fields_t f;
  pc_error_t err;
  pc_error_clear(&err);
  const char *header = "session=abc123; theme=\"dark\";junk; =novalue;  csrf = t%20k ; session=second";
  assert_int_equal(pc_http_parse_cookies(header, strlen(header), &pc_http_cookie_limits, &f, &err), 0);
  assert_int_equal(f.count, 4);
  assert_string_equal(pc_http_fields_get(&f, "session"), "abc123"); /* first wins */
  assert_string_equal(pc_http_fields_get(&f, "theme"), "dark");
  assert_string_equal(pc_http_fields_get(&f, "csrf"), "t%20k");     /* not decoded */
  assert_null(pc_http_fields_get(&f, "junk"));
  pc_http_fields_free(&f);
  pc_http_limits_t two = {2, 8, 8};
  assert_int_equal(pc_http_parse_cookies("a=1; b=2; c=3", 13, &two, &f, &err), PC_ELIMIT);
  assert_int_equal(pc_http_parse_cookies("a=123456789", 11, &two, &f, &err), PC_ELIMIT);
  assert_int_equal(pc_http_parse_cookies("a=1\r\nb=2", 8, &two, &f, &err), PC_EINVAL);
  assert_int_equal(pc_http_parse_cookies("a=\xff", 3, &two, &f, &err), PC_EINVAL);
  assert_int_equal(pc_http_parse_cookies("", 0, &two, &f, &err), 0);
  assert_int_equal(f.count, 0);
  pc_http_fields_free(&f);
}

static void json_bodies_are_limited(void **state) {
  (void)state;
  json_t *value = NULL;
  pc_error_t err;
  pc_error_clear(&err);
  const char *ok = "{\"a\": [1, {\"b\": \"]]]\"}]}";
  assert_int_equal(pc_http_parse_json(ok, strlen(ok), 1024, 3, &value, &err), 0);
  assert_int_equal(json_integer_value(json_array_get(json_object_get(value, "a"), 0)), 1);
  json_decref(value);
  assert_int_equal(pc_http_parse_json(ok, strlen(ok), 1024, 2, &value, &err), PC_ELIMIT);
  assert_int_equal(pc_http_parse_json(ok, strlen(ok), 10, 3, &value, &err), PC_ELIMIT);
  const char *dup = "{\"a\":1,\"a\":2}";
  assert_int_equal(pc_http_parse_json(dup, strlen(dup), 1024, 8, &value, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "duplicate"));
  assert_int_equal(pc_http_parse_json("{\"a\":", 5, 1024, 8, &value, &err), PC_EINVAL);
}

static void request_form_checks_content_type(void **state) {
  (void)state;
  pc_http_field_t headers[] = {{"content-type", "application/x-www-form-urlencoded; charset=UTF-8"}};
  pc_http_request_t req;
  pc_http_request_init(&req, "POST", "/x");
  req.headers = headers;
  req.header_count = 1;
  req.body = "csrf_token=abc&name=x";
  req.body_size = strlen(req.body);
  const pc_http_fields_t *form;
  pc_error_t err;
  pc_error_clear(&err);
  assert_int_equal(pc_http_request_form(&req, &form, &err), 0);
  assert_string_equal(pc_http_fields_get(form, "csrf_token"), "abc");
  assert_string_equal(pc_http_request_header(&req, "Content-Type"), headers[0].value);
  json_t *json;
  assert_int_equal(pc_http_request_json(&req, &json, &err), PC_EINVAL);
  headers[0].value = "application/json";
  req.body = "[true]";
  req.body_size = 6;
  assert_int_equal(pc_http_request_json(&req, &json, &err), 0);
  assert_true(json_is_true(json_array_get(json, 0)));
  json_decref(json);
  pc_http_request_cleanup(&req);
}

static void browsers_get_html_error_pages(void **state) {
  (void)state;
  pc_templates_t *templates = pc_templates_new();
  pc_error_t err;
  pc_error_clear(&err);
  assert_int_equal(pc_templates_add_embedded(templates, pc_embedded_web, &err), 0);
  pc_http_router_t *router = make_router();
  pc_http_request_t req;
  pc_http_response_t resp;
  pc_http_request_init(&req, "GET", "/nowhere");
  req.templates = templates;
  req.wants_html = 1;
  pc_strlcpy(req.request_id, "00ff", sizeof req.request_id);
  pc_http_response_init(&resp);
  pc_http_dispatch(router, NULL, &req, &resp);
  assert_int_equal(resp.status, 404);
  assert_string_equal(resp.content_type, "text/html; charset=utf-8");
  assert_non_null(strstr(resp.body.data, "<h1 id=\"error-title\">Page not found</h1>"));
  assert_non_null(strstr(resp.body.data, "request <code>00ff</code>"));
  pc_http_response_free(&resp);
  pc_http_request_cleanup(&req);
  /* No error_405 template: the generic page shows the status. */
  pc_http_request_init(&req, "PATCH", "/");
  req.templates = templates;
  req.wants_html = 1;
  pc_http_response_init(&resp);
  pc_http_dispatch(router, NULL, &req, &resp);
  assert_int_equal(resp.status, 405);
  assert_non_null(strstr(resp.body.data, "<p class=\"error-status\">Error 405</p>"));
  pc_http_response_free(&resp);
  pc_http_request_cleanup(&req);
  pc_http_router_free(router);
  pc_templates_free(templates);
}

/* The JSON answer goes straight into the body; one past the body limit is a
 * 500 with an error body (it used to be a 200 with an empty body). */
static void json_replies_exact_and_limited(void **state) {
  (void)state;
  pc_http_response_t resp;
  pc_http_response_init(&resp);
  pc_http_reply_json(&resp, 201, json_pack("{s:s, s:i, s:[b, n]}", "name", "caf\u00e9 \"x\"", "n", 42, "list", 1));
  assert_int_equal(resp.status, 201);
  assert_string_equal(resp.content_type, "application/json");
  assert_string_equal(pc_buf_str(&resp.body), "{\"name\":\"caf\u00e9 \\\"x\\\"\",\"n\":42,\"list\":[true,null]}");
  pc_http_response_free(&resp);
  size_t size = PC_BUF_DEFAULT_LIMIT + 1;
  char *huge = malloc(size);
  assert_non_null(huge);
  memset(huge, 'a', size);
  pc_http_response_init(&resp);
  pc_log_configure(PC_LOG_OFF, NULL);
  pc_http_reply_json(&resp, 200, json_stringn(huge, size));
  pc_log_configure(PC_LOG_WARN, NULL);
  free(huge);
  assert_int_equal(resp.status, 500);
  assert_string_equal(pc_buf_str(&resp.body),
                      "{\"error\":{\"code\":\"internal\",\"message\":\"the answer could not be encoded\"}}");
  pc_http_response_free(&resp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(router_matches_params_and_prefers_literals),
      cmocka_unit_test(router_404_405_head_and_bad_paths),
      cmocka_unit_test(router_rejects_bad_tables),
      cmocka_unit_test(dispatch_calls_hook_only_for_protected_routes),
      cmocka_unit_test(dispatch_maps_errors_and_405),
      cmocka_unit_test(error_mapping_and_json_error_body),
      cmocka_unit_test(response_headers_and_redirects),
      cmocka_unit_test(shared_bodies_are_released_once),
      cmocka_unit_test(urlencoded_decodes_and_keeps_duplicates),
      cmocka_unit_test(urlencoded_rejects_malformed_input),
      cmocka_unit_test(urlencoded_enforces_limits),
      cmocka_unit_test(cookies_parse_leniently_within_limits),
      cmocka_unit_test(json_bodies_are_limited),
      cmocka_unit_test(request_form_checks_content_type),
      cmocka_unit_test(browsers_get_html_error_pages),
      cmocka_unit_test(json_replies_exact_and_limited),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
