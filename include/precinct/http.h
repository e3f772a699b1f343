/* The HTTP layer: routes, requests, responses and the server that runs them
 * (libmicrohttpd underneath; see docs/internals/http.md). Modules describe
 * their endpoints as static pc_http_route_t tables and add them to a router;
 * the server knows no domain module. Authorization for every non-PUBLIC route
 * goes through ONE hook given in the server options. This header does not
 * cover sessions, roles or CSRF: those live in the auth module's hook. */
#ifndef PRECINCT_HTTP_H
#define PRECINCT_HTTP_H

#include <stddef.h>
#include <jansson.h>

#include "precinct/buf.h"
#include "precinct/config.h"
#include "precinct/error.h"
#include "precinct/store.h"
#include "precinct/template.h"

/* ---- methods and access levels ------------------------------------------ */

typedef enum {
  PC_HTTP_GET = 1, /* also answers HEAD (same handler, no body sent) */
  PC_HTTP_POST = 2,
  PC_HTTP_PUT = 4,
  PC_HTTP_PATCH = 8,
  PC_HTTP_DELETE = 16,
  PC_HTTP_HEAD = 32,  /* only as a request method; routes use PC_HTTP_GET */
  PC_HTTP_OTHER = 64  /* any method precinct does not route (OPTIONS, TRACE...) */
} pc_http_method_t;

/* What a route requires. PUBLIC routes skip the authorization hook; for the
 * others the hook decides what the level means (precinct's auth module: READ
 * = any signed-in user of the county, WRITE = clerk or above, ADMIN = county
 * admin, STATE = state admin). */
typedef enum {
  PC_HTTP_PUBLIC = 0,
  PC_HTTP_READ,
  PC_HTTP_WRITE,
  PC_HTTP_ADMIN,
  PC_HTTP_STATE
} pc_http_access_t;

/* ---- parsed name/value lists (query, form, cookies) --------------------- */

typedef struct pc_http_field {
  const char *name;  /* decoded, NUL-terminated, valid UTF-8, no NUL inside */
  const char *value;
} pc_http_field_t;

typedef struct pc_http_fields {
  pc_http_field_t *items; /* in the order received; duplicates kept */
  size_t count;
  char *storage;          /* owns every name and value */
} pc_http_fields_t;

typedef struct pc_http_limits {
  size_t max_fields;       /* more pairs than this: PC_ELIMIT */
  size_t max_name_bytes;   /* decoded name longer than this: PC_ELIMIT */
  size_t max_value_bytes;  /* decoded value longer than this: PC_ELIMIT */
} pc_http_limits_t;

extern const pc_http_limits_t pc_http_query_limits;  /* 64 fields, 128 B names, 4 KiB values */
extern const pc_http_limits_t pc_http_form_limits;   /* 256 fields, 128 B names, 64 KiB values */
extern const pc_http_limits_t pc_http_cookie_limits; /* 32 cookies, 128 B names, 4 KiB values */

/* Parses SIZE bytes of application/x-www-form-urlencoded DATA (a query string
 * or a form body): pairs split on '&', '+' means space, %XX decoded. A pair
 * without '=' has the value "". Rejects (PC_EINVAL) malformed %-escapes,
 * decoded NULs and invalid UTF-8; PC_ELIMIT past LIMITS. On success *OUT owns
 * its memory (pc_http_fields_free); on failure *OUT is untouched. */
int pc_http_parse_urlencoded(const char *data, size_t size, const pc_http_limits_t *limits,
                             pc_http_fields_t *out, pc_error_t *err);
/* Parses a Cookie header ("a=1; b=2"). Values are not decoded (RFC 6265);
 * double quotes around a value are removed. Pairs with no '=' or an empty name
 * are skipped, as browsers do; PC_ELIMIT past LIMITS, PC_EINVAL for control
 * characters or invalid UTF-8. Ownership as above. */
int pc_http_parse_cookies(const char *header, size_t size, const pc_http_limits_t *limits,
                          pc_http_fields_t *out, pc_error_t *err);
/* The value of the first field named NAME, or NULL. */
const char *pc_http_fields_get(const pc_http_fields_t *fields, const char *name);
/* How many fields are named NAME (for repeated form fields such as checkboxes). */
size_t pc_http_fields_count_of(const pc_http_fields_t *fields, const char *name);
/* Frees FIELDS' memory and empties it (NULL or empty is fine). */
void pc_http_fields_free(pc_http_fields_t *fields);

/* Parses SIZE bytes of JSON (RFC 8259) with jansson, rejecting duplicate
 * object keys, nesting deeper than MAX_DEPTH and more than MAX_BYTES bytes.
 * On success *OUT is a new reference the caller decrefs. Errors: PC_ELIMIT,
 * PC_EINVAL (message has jansson's line/column). */
int pc_http_parse_json(const char *data, size_t size, size_t max_bytes, int max_depth, json_t **out,
                       pc_error_t *err);

/* ---- requests and responses --------------------------------------------- */

typedef struct pc_http_server pc_http_server_t;

/* A file part of a multipart/form-data body (<input type="file">). */
typedef struct pc_http_upload {
  const char *field;        /* the form field's name */
  const char *file_name;    /* as the browser sent it (valid UTF-8, may be ""); never a path to open */
  const char *content_type; /* the part's Content-Type, "" when absent */
  const char *data;         /* SIZE bytes, NUL-terminated after them; any bytes */
  size_t size;
} pc_http_upload_t;

/* At most this many file parts in one multipart body. */
enum { PC_HTTP_MAX_UPLOADS = 4 };

enum { PC_HTTP_MAX_PATH_PARAMS = 8, PC_HTTP_REQUEST_ID_SIZE = 33 };

/* One request, valid for the duration of the handler. Fields marked
 * read-only are set by the server; `principal` belongs to the authorization
 * hook (who is calling; the hook owns what it points to and must keep it
 * valid until the response is queued, e.g. in memory it frees itself from a
 * later hook call or a pool). Handlers use the accessor functions below. */
typedef struct pc_http_request {
  const char *method;           /* read-only: "GET", "POST", ... as sent */
  pc_http_method_t method_id;   /* read-only */
  const char *path;             /* read-only: raw path, no query string */
  char client_address[64];      /* read-only: peer IP as text */
  char request_id[PC_HTTP_REQUEST_ID_SIZE]; /* read-only: 32 lowercase hex */
  void *app;                    /* read-only: server options' app pointer */
  void *principal;              /* set by the authorization hook */

  /* Everything below is the server's; use the accessors. */
  pc_http_field_t params[PC_HTTP_MAX_PATH_PARAMS];
  size_t param_count;
  char *param_storage;
  pc_http_fields_t query;
  pc_http_fields_t cookies;
  pc_http_field_t *headers;     /* borrowed from the connection */
  size_t header_count;
  const char *body;
  size_t body_size;
  size_t max_body_bytes;
  pc_http_fields_t form;
  int form_parsed;
  pc_store_pool_t *pool;
  pc_store_t *store;
  const struct pc_templates *templates; /* error pages; NULL: errors as JSON */
  int wants_html;               /* errors as HTML pages rather than JSON */
  const pc_http_upload_t *uploads; /* file parts of a multipart body (server-owned) */
  size_t upload_count;
} pc_http_request_t;

enum { PC_HTTP_MAX_HEADERS = 16 };

typedef struct pc_http_response {
  int status;                   /* 0 until a reply helper sets it */
  const char *content_type;     /* a static string */
  pc_buf_t body;                /* owned body, used when borrowed_body is NULL */
  const char *borrowed_body;    /* bytes that outlive the response (static, or held until release) */
  size_t borrowed_size;
  void (*release)(void *context); /* called once the borrowed body is no longer needed, or NULL */
  void *release_context;
  char *header_names[PC_HTTP_MAX_HEADERS];
  char *header_values[PC_HTTP_MAX_HEADERS];
  size_t header_count;
  int cache_control_set;        /* a handler set its own Cache-Control */
} pc_http_response_t;

/* Prepares REQ for METHOD and RAW_PATH (both borrowed; they must outlive
 * REQ): everything else empty. The server does this for each request; tests
 * do it to drive pc_http_dispatch without a socket. */
void pc_http_request_init(pc_http_request_t *req, const char *method, const char *raw_path);
/* Releases what REQ owns (parsed fields, decoded parameters) and returns its
 * store connection to the pool. */
void pc_http_request_cleanup(pc_http_request_t *req);

/* Path parameter NAME ({NAME} in the route pattern), percent-decoded; NULL
 * when the route has none by that name. */
const char *pc_http_request_param(const pc_http_request_t *req, const char *name);
/* First query-string value named NAME, or NULL. */
const char *pc_http_request_query(const pc_http_request_t *req, const char *name);
/* All query fields (for repeated names). */
const pc_http_fields_t *pc_http_request_query_fields(const pc_http_request_t *req);
/* Request header NAME (case-insensitive), or NULL. */
const char *pc_http_request_header(const pc_http_request_t *req, const char *name);
/* First cookie named NAME, or NULL. */
const char *pc_http_request_cookie(const pc_http_request_t *req, const char *name);
/* The raw body (may be NULL when SIZE is 0); not NUL-terminated. */
const char *pc_http_request_body(const pc_http_request_t *req, size_t *size);
/* The body parsed as a urlencoded form (Content-Type must be
 * application/x-www-form-urlencoded: PC_EINVAL otherwise); parsed once, owned
 * by the request. For a multipart/form-data body these are its text fields
 * (the server collected them with the same limits; files are uploads). */
int pc_http_request_form(pc_http_request_t *req, const pc_http_fields_t **out, pc_error_t *err);
/* The first file part of a multipart/form-data body whose field is NAME, or
 * NULL (no such part, or not a multipart body). Valid for the request. */
const pc_http_upload_t *pc_http_request_upload(const pc_http_request_t *req, const char *name);
/* The body parsed as JSON (Content-Type application/json), depth ≤ 64. *OUT
 * is a new reference the caller decrefs. */
int pc_http_request_json(const pc_http_request_t *req, json_t **out, pc_error_t *err);
/* A database connection borrowed from the server's pool for the rest of the
 * request (acquired on first call, released by the server after the handler
 * returns; never close it). NULL when the server has no pool. */
pc_store_t *pc_http_request_store(pc_http_request_t *req);

/* Initialises RESP empty (status 0). */
void pc_http_response_init(pc_http_response_t *resp);
/* Frees RESP's body and headers. */
void pc_http_response_free(pc_http_response_t *resp);
/* Adds header NAME: VALUE (both copied). PC_EINVAL for CR, LF or NUL in
 * either, PC_ELIMIT past PC_HTTP_MAX_HEADERS. A Cache-Control header replaces
 * the no-store default. */
int pc_http_response_add_header(pc_http_response_t *resp, const char *name, const char *value);

/* Replies STATUS with VALUE serialised compactly (reference stolen). */
void pc_http_reply_json(pc_http_response_t *resp, int status, json_t *value);
/* Replies with the JSON error body {"error":{"code","message","field"}} for
 * ERR, with the status pc_http_status_for_error(err->code). For 5xx the
 * message is replaced by a generic one (the real one goes to the log). */
void pc_http_reply_error(pc_http_response_t *resp, const pc_error_t *err);
/* Replies STATUS with an error in the form the client wants: an HTML error
 * page for browsers (templates error_<status> or error), JSON otherwise.
 * CODE is the machine name ("not_found"), MESSAGE a safe human sentence. */
void pc_http_reply_status(const pc_http_request_t *req, pc_http_response_t *resp, int status,
                          const char *code, const char *message);
/* Replies STATUS with HTML taken from HTML (its memory moves into RESP). */
void pc_http_reply_html(pc_http_response_t *resp, int status, pc_buf_t *html);
/* Renders template NAME with CONTEXT (borrowed) and replies STATUS with it;
 * on a render error replies 500 and returns the error. */
int pc_http_reply_template(const pc_http_request_t *req, pc_http_response_t *resp, int status,
                           const char *name, json_t *context);
/* Replies STATUS with SIZE borrowed bytes of DATA (which must outlive the
 * server, e.g. embedded files) of CONTENT_TYPE (a static string). */
void pc_http_reply_static(pc_http_response_t *resp, int status, const char *content_type,
                          const char *data, size_t size);
/* Replies STATUS with SIZE bytes of DATA sent without a copy: DATA must stay
 * valid until RELEASE(CONTEXT) is called, which happens exactly once, when
 * the server has finished sending (or the response is freed or replaced
 * without being sent). For bodies held in a refcounted cache. */
void pc_http_reply_shared(pc_http_response_t *resp, int status, const char *content_type, const char *data,
                          size_t size, void (*release)(void *context), void *context);
/* 303 See Other to LOCATION (a path on this site; PC_EINVAL otherwise). */
int pc_http_reply_redirect(pc_http_response_t *resp, const char *location);

/* HTTP status for a PC_E* code (PC_EINVAL 400, PC_EAUTH 401, PC_EPERM 403,
 * PC_ENOTFOUND 404, PC_EEXIST/ECONFLICT/ESTATE 409, PC_ELIMIT 413,
 * PC_EBUSY/EUNAVAIL 503, others 500) and its JSON error code name. */
int pc_http_status_for_error(int code);
const char *pc_http_error_code_name(int code);

/* ---- routes and the router ---------------------------------------------- */

typedef struct pc_http_route pc_http_route_t;

/* A handler fills RESP (with a pc_http_reply_* helper) and returns 0, or
 * returns a negative PC_E* code with RESP untouched and the server replies
 * with the mapped error status. */
typedef int (*pc_http_handler_t)(pc_http_request_t *req, pc_http_response_t *resp);

struct pc_http_route {
  unsigned methods;          /* PC_HTTP_GET | PC_HTTP_POST ... */
  const char *pattern;       /* "/api/counties/{county}/users/{id}" */
  pc_http_handler_t handler;
  pc_http_access_t access;
  const char *county_param;  /* path parameter naming the object's county, or NULL */
};

/* The authorization hook: returns 0 to let REQ reach ROUTE's handler, or an
 * HTTP status (401 not signed in, 403 not allowed, 400 bad CSRF token...).
 * It may set req->principal. Called only for non-PUBLIC routes. */
typedef int (*pc_http_authorize_t)(void *app, pc_http_request_t *req, const pc_http_route_t *route);

typedef struct pc_http_router pc_http_router_t;

pc_http_router_t *pc_http_router_new(void);
void pc_http_router_free(pc_http_router_t *router);
/* Adds COUNT routes from ROUTES (a static table: kept by pointer, never
 * copied). Patterns are checked here: they start with '/', parameters are
 * whole segments {name} (≤ PC_HTTP_MAX_PATH_PARAMS), county_param names one
 * of them, and no two routes share a method and pattern. PC_EINVAL with the
 * pattern in ERR otherwise. */
int pc_http_router_add(pc_http_router_t *router, const pc_http_route_t *routes, size_t count,
                       pc_error_t *err);

/* Finds the route for METHOD and RAW_PATH (not decoded; no query). Returns 0
 * with *ROUTE and REQ's path params set; 404 when no route has the path;
 * 405 when some do but not for METHOD (ALLOW receives e.g. "GET, HEAD, POST");
 * 400 when a path segment is malformed (bad %-escape, NUL, invalid UTF-8).
 * Literal segments win over parameters. */
int pc_http_router_match(const pc_http_router_t *router, pc_http_method_t method, const char *raw_path,
                         pc_http_request_t *req, const pc_http_route_t **route, char *allow,
                         size_t allow_size);

/* Routes, checks authorization and runs the handler: the whole life of a
 * request after its bytes have been read. Used by the server and by tests
 * (which build REQ by hand). Always leaves a complete response in RESP. */
void pc_http_dispatch(const pc_http_router_t *router, pc_http_authorize_t authorize,
                      pc_http_request_t *req, pc_http_response_t *resp);

/* Parses the method name; PC_HTTP_OTHER for anything unknown. */
pc_http_method_t pc_http_method_parse(const char *method);

/* Core routes: GET /healthz, GET /readyz and GET /static/{name}. */
int pc_http_core_routes(pc_http_router_t *router, pc_error_t *err);

/* ---- the server ---------------------------------------------------------- */

typedef struct pc_http_server_options {
  const pc_config_t *config;    /* threads, limits, listen, secure_cookies */
  const char *listen;           /* "ADDR:PORT" overriding config->listen, or NULL */
  const pc_http_router_t *router;
  pc_http_authorize_t authorize; /* NULL: every non-PUBLIC route answers 403 */
  void *app;                    /* handed to handlers (req->app) and to authorize */
  pc_store_pool_t *pool;        /* borrowed; may be NULL (no database) */
} pc_http_server_options_t;

/* Starts listening and serving on worker threads. The router, pool and app
 * must outlive the server. Errors: PC_EINVAL (listen address), PC_EIO
 * (cannot bind), PC_EINTERNAL (templates failed to parse). */
int pc_http_server_start(const pc_http_server_options_t *options, pc_http_server_t **out,
                         pc_error_t *err);
/* The port actually bound (useful with port 0). */
int pc_http_server_port(const pc_http_server_t *server);
/* Graceful stop: stops accepting, waits up to GRACE_SECONDS for requests in
 * flight to finish, then stops the workers and frees SERVER. */
void pc_http_server_stop(pc_http_server_t *server, int grace_seconds);

#endif
