/* Requests and responses: accessors handlers use, the reply helpers (JSON,
 * HTML, templates, redirects, errors) and pc_http_dispatch, which routes,
 * authorizes and runs a handler. Nothing here touches a socket: server.c
 * turns the finished pc_http_response_t into bytes on the wire. */
#include "precinct/http.h"
#include "precinct/alloc.h"
#include "precinct/log.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { JSON_MAX_DEPTH = 64 };

void pc_http_request_init(pc_http_request_t *req, const char *method, const char *raw_path) {
  memset(req, 0, sizeof *req);
  req->method = method;
  req->method_id = pc_http_method_parse(method);
  req->path = raw_path;
}

void pc_http_request_cleanup(pc_http_request_t *req) {
  pc_http_fields_free(&req->query);
  pc_http_fields_free(&req->cookies);
  pc_http_fields_free(&req->form);
  free(req->param_storage);
  req->param_storage = NULL;
  req->param_count = 0;
  if (req->store) {
    pc_store_pool_release(req->pool, req->store);
    req->store = NULL;
  }
}

const char *pc_http_request_param(const pc_http_request_t *req, const char *name) {
  for (size_t i = 0; i < req->param_count; i++)
    if (strcmp(req->params[i].name, name) == 0) return req->params[i].value;
  return NULL;
}

const char *pc_http_request_query(const pc_http_request_t *req, const char *name) {
  return pc_http_fields_get(&req->query, name);
}

const pc_http_fields_t *pc_http_request_query_fields(const pc_http_request_t *req) {
  return &req->query;
}

const char *pc_http_request_header(const pc_http_request_t *req, const char *name) {
  for (size_t i = 0; i < req->header_count; i++)
    if (strcasecmp(req->headers[i].name, name) == 0) return req->headers[i].value;
  return NULL;
}

const char *pc_http_request_cookie(const pc_http_request_t *req, const char *name) {
  return pc_http_fields_get(&req->cookies, name);
}

const char *pc_http_request_body(const pc_http_request_t *req, size_t *size) {
  if (size) *size = req->body_size;
  return req->body;
}

/* Compares the media type of a Content-Type header, ignoring parameters. */
static int content_type_is(const pc_http_request_t *req, const char *type) {
  const char *value = pc_http_request_header(req, "Content-Type");
  if (value == NULL) return 0;
  size_t n = strlen(type);
  return strncasecmp(value, type, n) == 0 && (value[n] == '\0' || value[n] == ';' || value[n] == ' ');
}

int pc_http_request_form(pc_http_request_t *req, const pc_http_fields_t **out, pc_error_t *err) {
  if (!req->form_parsed) {
    if (!content_type_is(req, "application/x-www-form-urlencoded"))
      return pc_error_set(err, PC_EINVAL, "expected Content-Type application/x-www-form-urlencoded");
    int rc = pc_http_parse_urlencoded(req->body ? req->body : "", req->body_size, &pc_http_form_limits,
                                      &req->form, err);
    if (rc != 0) return rc;
    req->form_parsed = 1;
  }
  *out = &req->form;
  return 0;
}

const pc_http_upload_t *pc_http_request_upload(const pc_http_request_t *req, const char *name) {
  for (size_t i = 0; i < req->upload_count; i++)
    if (strcmp(req->uploads[i].field, name) == 0) return &req->uploads[i];
  return NULL;
}

int pc_http_request_json(const pc_http_request_t *req, json_t **out, pc_error_t *err) {
  if (!content_type_is(req, "application/json"))
    return pc_error_set(err, PC_EINVAL, "expected Content-Type application/json");
  size_t limit = req->max_body_bytes ? req->max_body_bytes : req->body_size;
  return pc_http_parse_json(req->body ? req->body : "", req->body_size, limit, JSON_MAX_DEPTH, out, err);
}

pc_store_t *pc_http_request_store(pc_http_request_t *req) {
  if (req->store == NULL && req->pool != NULL) req->store = pc_store_pool_acquire(req->pool);
  return req->store;
}

/* ---- responses ----------------------------------------------------------- */

void pc_http_response_init(pc_http_response_t *resp) {
  memset(resp, 0, sizeof *resp);
  pc_buf_init(&resp->body, 0);
}

static void clear_body(pc_http_response_t *resp) {
  pc_buf_free(&resp->body);
  if (resp->release) resp->release(resp->release_context);
  resp->release = NULL;
  resp->release_context = NULL;
  resp->borrowed_body = NULL;
  resp->borrowed_size = 0;
}

void pc_http_response_free(pc_http_response_t *resp) {
  clear_body(resp);
  for (size_t i = 0; i < resp->header_count; i++) {
    free(resp->header_names[i]);
    free(resp->header_values[i]);
  }
  resp->header_count = 0;
}

static int header_text_ok(const char *s) {
  for (; *s; s++)
    if (*s == '\r' || *s == '\n') return 0;
  return 1;
}

int pc_http_response_add_header(pc_http_response_t *resp, const char *name, const char *value) {
  if (name[0] == '\0' || !header_text_ok(name) || !header_text_ok(value) || strchr(name, ':'))
    return PC_EINVAL;
  if (resp->header_count == PC_HTTP_MAX_HEADERS) return PC_ELIMIT;
  resp->header_names[resp->header_count] = pc_xstrdup(name);
  resp->header_values[resp->header_count] = pc_xstrdup(value);
  resp->header_count++;
  if (strcasecmp(name, "Cache-Control") == 0) resp->cache_control_set = 1;
  return 0;
}

static int append_json(const char *text, size_t size, void *body) {
  return pc_buf_append(body, text, size) == 0 ? 0 : -1;
}

void pc_http_reply_json(pc_http_response_t *resp, int status, json_t *value) {
  clear_body(resp);
  pc_buf_init(&resp->body, 0);
  /* Straight into the body: json_dumps would build the text, copy it into a
   * new string, and the body would copy it again (two allocations and two
   * copies per JSON answer, on the public lookup's path). */
  int rc = json_dump_callback(value, append_json, &resp->body, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
  json_decref(value);
  if (rc != 0) { /* past the body limit (64 MiB), or a value jansson cannot encode */
    pc_log(PC_LOG_ERROR, "JSON answer could not be encoded (larger than %zu bytes?)", resp->body.limit);
    pc_buf_free(&resp->body);
    pc_buf_init(&resp->body, 0);
    pc_buf_append_str(&resp->body, "{\"error\":{\"code\":\"internal\",\"message\":\"the answer could not be encoded\"}}");
    status = 500;
  }
  resp->status = status;
  resp->content_type = "application/json";
}

int pc_http_status_for_error(int code) {
  switch (code) {
  case PC_EINVAL: return 400;
  case PC_EAUTH: return 401;
  case PC_EPERM: return 403;
  case PC_ENOTFOUND: return 404;
  case PC_EEXIST:
  case PC_ECONFLICT:
  case PC_ESTATE: return 409;
  case PC_ELIMIT: return 413;
  case PC_EBUSY:
  case PC_EUNAVAIL: return 503;
  default: return 500;
  }
}

const char *pc_http_error_code_name(int code) {
  switch (code) {
  case PC_EINVAL: return "invalid";
  case PC_EIO: return "io";
  case PC_ENOTFOUND: return "not_found";
  case PC_EEXIST: return "exists";
  case PC_EPERM: return "forbidden";
  case PC_EAUTH: return "unauthenticated";
  case PC_EBUSY: return "busy";
  case PC_ELIMIT: return "too_large";
  case PC_EDB: return "database";
  case PC_EINTEGRITY: return "integrity";
  case PC_ESTATE: return "state";
  case PC_ECONFLICT: return "conflict";
  case PC_EUNAVAIL: return "unavailable";
  default: return "internal";
  }
}

static json_t *error_body(const char *code, const char *message, const char *field) {
  json_t *error = json_object();
  json_object_set_new(error, "code", json_string(code));
  json_object_set_new(error, "message", json_string(message));
  if (field && field[0]) json_object_set_new(error, "field", json_string(field));
  json_t *body = json_object();
  json_object_set_new(body, "error", error);
  return body;
}

void pc_http_reply_error(pc_http_response_t *resp, const pc_error_t *err) {
  int code = err && err->code ? err->code : PC_EINTERNAL;
  int status = pc_http_status_for_error(code);
  const char *message = err && err->message[0] ? err->message : pc_strerror(code);
  if (status >= 500) {
    /* Server-side details (SQL, paths) stay in the log. */
    char text[1400];
    pc_log(PC_LOG_ERROR, "request failed: %s", err ? pc_error_format(err, text, sizeof text) : "no detail");
    message = "The server could not complete the request. Quote the X-Request-Id header if you report it.";
  }
  pc_http_reply_json(resp, status, error_body(pc_http_error_code_name(code), message, err ? err->field : NULL));
  if (status == 503) pc_http_response_add_header(resp, "Retry-After", "5");
}

void pc_http_reply_html(pc_http_response_t *resp, int status, pc_buf_t *html) {
  clear_body(resp);
  resp->body = *html;
  pc_buf_init(html, html->limit);
  resp->status = status;
  resp->content_type = "text/html; charset=utf-8";
}

static const char *status_title(int status) {
  switch (status) {
  case 400: return "Bad request";
  case 401: return "Sign in required";
  case 403: return "Not allowed";
  case 404: return "Page not found";
  case 405: return "Method not allowed";
  case 413: return "Request too large";
  case 431: return "Request headers too large";
  case 503: return "Service unavailable";
  default: return status >= 500 ? "Server error" : "Request failed";
  }
}

void pc_http_reply_status(const pc_http_request_t *req, pc_http_response_t *resp, int status, const char *code,
                          const char *message) {
  if (req->wants_html && req->templates) {
    char name[32];
    pc_snprintf(name, sizeof name, "error_%d", status);
    if (!pc_templates_has(req->templates, name)) pc_strlcpy(name, "error", sizeof name);
    json_t *context = json_pack("{s:i, s:s, s:s, s:s}", "status", status, "title", status_title(status),
                                "message", message, "request_id", req->request_id);
    int rc = pc_http_reply_template(req, resp, status, name, context);
    json_decref(context);
    if (rc == 0) return;
  }
  pc_http_reply_json(resp, status, error_body(code, message, NULL));
}

int pc_http_reply_template(const pc_http_request_t *req, pc_http_response_t *resp, int status, const char *name,
                           json_t *context) {
  pc_buf_t html;
  pc_buf_init(&html, 0);
  pc_error_t err;
  pc_error_clear(&err);
  int rc = req->templates ? pc_templates_render(req->templates, name, context, &html, &err)
                          : pc_error_set(&err, PC_ENOTFOUND, "no templates loaded");
  if (rc != 0) {
    pc_buf_free(&html);
    pc_error_t internal;
    pc_error_clear(&internal);
    pc_error_set(&internal, PC_EINTERNAL, "template %s: %s", name, err.message);
    pc_http_reply_error(resp, &internal);
    return rc;
  }
  pc_http_reply_html(resp, status, &html);
  return 0;
}

void pc_http_reply_static(pc_http_response_t *resp, int status, const char *content_type, const char *data,
                          size_t size) {
  clear_body(resp);
  pc_buf_init(&resp->body, 0);
  resp->borrowed_body = data;
  resp->borrowed_size = size;
  resp->status = status;
  resp->content_type = content_type;
}

void pc_http_reply_shared(pc_http_response_t *resp, int status, const char *content_type, const char *data,
                          size_t size, void (*release)(void *context), void *context) {
  pc_http_reply_static(resp, status, content_type, data, size);
  resp->release = release;
  resp->release_context = context;
}

int pc_http_reply_redirect(pc_http_response_t *resp, const char *location) {
  /* Only same-site paths: "//host" and "/\host" would leave the site. */
  if (location[0] != '/' || location[1] == '/' || location[1] == '\\' || !header_text_ok(location))
    return PC_EINVAL;
  clear_body(resp);
  pc_buf_init(&resp->body, 0);
  resp->status = 303;
  resp->content_type = "text/plain; charset=utf-8";
  return pc_http_response_add_header(resp, "Location", location);
}

/* ---- dispatch ------------------------------------------------------------ */

void pc_http_dispatch(const pc_http_router_t *router, pc_http_authorize_t authorize, pc_http_request_t *req,
                      pc_http_response_t *resp) {
  const pc_http_route_t *route = NULL;
  char allow[64];
  int status = pc_http_router_match(router, req->method_id, req->path, req, &route, allow, sizeof allow);
  if (status == 404) {
    pc_http_reply_status(req, resp, 404, "not_found", "There is no page at this address.");
    return;
  }
  if (status == 405) {
    pc_http_reply_status(req, resp, 405, "method_not_allowed", "This address does not accept that method.");
    pc_http_response_add_header(resp, "Allow", allow);
    return;
  }
  if (status != 0) {
    pc_http_reply_status(req, resp, 400, "bad_request", "The address is malformed.");
    return;
  }
  if (route->access != PC_HTTP_PUBLIC) {
    int verdict = authorize ? authorize(req->app, req, route) : 403;
    if (authorize == NULL) pc_log(PC_LOG_ERROR, "no authorization hook: non-public route %s refused", route->pattern);
    if (verdict != 0) {
      if (verdict < 400 || verdict > 599) verdict = 403;
      pc_http_reply_status(req, resp, verdict,
                           verdict == 401 ? "unauthenticated" : verdict == 403 ? "forbidden" : "refused",
                           verdict == 401 ? "Sign in to continue." : status_title(verdict));
      return;
    }
  }
  int rc = route->handler(req, resp);
  if (rc != 0 || resp->status == 0) {
    if (rc == 0) pc_log(PC_LOG_ERROR, "handler for %s returned no response", route->pattern);
    pc_http_response_free(resp);
    pc_http_response_init(resp);
    int code = rc != 0 ? rc : PC_EINTERNAL;
    int mapped = pc_http_status_for_error(code);
    if (mapped >= 500) pc_log(PC_LOG_ERROR, "handler for %s failed: %s", route->pattern, pc_strerror(code));
    pc_http_reply_status(req, resp, mapped, pc_http_error_code_name(code),
                         mapped >= 500 ? "The server could not complete the request." : pc_strerror(code));
  }
}
