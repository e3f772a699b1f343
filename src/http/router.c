/* The router: static route tables from each module, matched segment by
 * segment against the raw request path, then authorization through the one
 * hook and the handler (pc_http_dispatch). It does not read sockets or build
 * wire responses: server.c does. */
#include "precinct/http.h"
#include "precinct/alloc.h"
#include "precinct/log.h"
#include "http_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_SEGMENTS = 32 };

typedef struct segment {
  const char *text; /* literal text, or the parameter name */
  size_t length;
  int is_param;
} segment_t;

typedef struct compiled_route {
  const pc_http_route_t *route;
  segment_t *segments;
  size_t segment_count;
} compiled_route_t;

struct pc_http_router {
  compiled_route_t *routes;
  size_t count, capacity;
};

pc_http_router_t *pc_http_router_new(void) {
  return pc_xcalloc(1, sizeof(pc_http_router_t));
}

void pc_http_router_free(pc_http_router_t *router) {
  if (router == NULL) return;
  for (size_t i = 0; i < router->count; i++) free(router->routes[i].segments);
  free(router->routes);
  free(router);
}

/* Splits PATH (after its leading '/') into at most MAX_SEGMENTS segments;
 * returns the count or -1 when there are more. "/" has zero segments. */
static int split_path(const char *path, segment_t *out) {
  assert(path[0] == '/');
  const char *p = path + 1;
  if (*p == '\0') return 0;
  int n = 0;
  for (;;) {
    const char *slash = strchr(p, '/');
    size_t length = slash ? (size_t)(slash - p) : strlen(p);
    if (n == MAX_SEGMENTS) return -1;
    out[n].text = p;
    out[n].length = length;
    out[n].is_param = 0;
    n++;
    if (slash == NULL) return n;
    p = slash + 1;
  }
}

static int compile(const pc_http_route_t *route, compiled_route_t *out, pc_error_t *err) {
  if (route->pattern == NULL || route->pattern[0] != '/' || route->handler == NULL || route->methods == 0 ||
      (route->methods & ~(unsigned)(PC_HTTP_GET | PC_HTTP_POST | PC_HTTP_PUT | PC_HTTP_PATCH | PC_HTTP_DELETE)))
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, route->pattern,
                           "route needs a pattern starting with '/', a handler and routable methods");
  segment_t segments[MAX_SEGMENTS];
  int n = split_path(route->pattern, segments);
  if (n < 0) return pc_error_set_at(err, PC_EINVAL, NULL, 0, route->pattern, "too many path segments");
  int params = 0, county_found = route->county_param == NULL;
  for (int i = 0; i < n; i++) {
    segment_t *s = &segments[i];
    /* Empty only as the last segment: "/results/" (a trailing slash) is a
     * route of its own, distinct from "/results". */
    if (s->length == 0 && (i == 0 || i != n - 1))
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, route->pattern, "empty path segment");
    int open = memchr(s->text, '{', s->length) != NULL, close = memchr(s->text, '}', s->length) != NULL;
    if (open || close) {
      if (s->length < 3 || s->text[0] != '{' || s->text[s->length - 1] != '}' ||
          memchr(s->text + 1, '{', s->length - 2) || memchr(s->text + 1, '}', s->length - 2))
        return pc_error_set_at(err, PC_EINVAL, NULL, 0, route->pattern,
                               "a parameter must be a whole segment {name}");
      if (++params > PC_HTTP_MAX_PATH_PARAMS)
        return pc_error_set_at(err, PC_EINVAL, NULL, 0, route->pattern, "more than %d parameters",
                               PC_HTTP_MAX_PATH_PARAMS);
      s->is_param = 1;
      s->text++;
      s->length -= 2;
      if (route->county_param && strlen(route->county_param) == s->length &&
          memcmp(route->county_param, s->text, s->length) == 0)
        county_found = 1;
    }
  }
  if (!county_found)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, route->pattern, "county_param \"%s\" is not a parameter",
                           route->county_param);
  out->route = route;
  out->segment_count = (size_t)n;
  out->segments = pc_xmemdup(segments, sizeof(segment_t) * (size_t)(n ? n : 1));
  return 0;
}

/* Same shape: same literals at the same places and parameters at the same places. */
static int same_shape(const compiled_route_t *a, const compiled_route_t *b) {
  if (a->segment_count != b->segment_count) return 0;
  for (size_t i = 0; i < a->segment_count; i++) {
    const segment_t *x = &a->segments[i], *y = &b->segments[i];
    if (x->is_param != y->is_param) return 0;
    if (!x->is_param && (x->length != y->length || memcmp(x->text, y->text, x->length) != 0)) return 0;
  }
  return 1;
}

int pc_http_router_add(pc_http_router_t *router, const pc_http_route_t *routes, size_t count, pc_error_t *err) {
  size_t added = 0;
  for (size_t i = 0; i < count; i++) {
    compiled_route_t compiled;
    int rc = compile(&routes[i], &compiled, err);
    for (size_t k = 0; rc == 0 && k < router->count; k++) {
      if ((router->routes[k].route->methods & routes[i].methods) && same_shape(&router->routes[k], &compiled)) {
        rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, routes[i].pattern, "conflicts with route %s",
                             router->routes[k].route->pattern);
        free(compiled.segments);
      }
    }
    if (rc != 0) {
      /* All or nothing: drop what this call added. */
      while (added-- > 0) free(router->routes[--router->count].segments);
      return rc;
    }
    if (router->count == router->capacity) {
      router->capacity = router->capacity ? router->capacity * 2 : 32;
      router->routes = pc_xreallocarray(router->routes, router->capacity, sizeof *router->routes);
    }
    router->routes[router->count++] = compiled;
    added++;
  }
  return 0;
}

pc_http_method_t pc_http_method_parse(const char *method) {
  static const struct { const char *name; pc_http_method_t id; } names[] = {
      {"GET", PC_HTTP_GET},     {"POST", PC_HTTP_POST},     {"PUT", PC_HTTP_PUT},
      {"PATCH", PC_HTTP_PATCH}, {"DELETE", PC_HTTP_DELETE}, {"HEAD", PC_HTTP_HEAD}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(method, names[i].name) == 0) return names[i].id;
  return PC_HTTP_OTHER;
}

/* Percent-decodes a path segment ('+' stays '+'); -1 for a bad escape, a NUL
 * or invalid UTF-8. */
static long decode_segment(const char *in, size_t n, char *out) {
  long length = pc_http_percent_decode(in, n, 0, out);
  if (length < 0 || !pc_http_utf8_valid((const unsigned char *)out, (size_t)length)) return -1;
  return length;
}

/* Is A more specific than B (literal where B has a parameter, earliest first)? */
static int more_specific(const compiled_route_t *a, const compiled_route_t *b) {
  for (size_t i = 0; i < a->segment_count; i++)
    if (a->segments[i].is_param != b->segments[i].is_param) return !a->segments[i].is_param;
  return 0;
}

static void append_allow(char *allow, size_t size, unsigned methods) {
  static const struct { unsigned bit; const char *name; } names[] = {
      {PC_HTTP_DELETE, "DELETE"}, {PC_HTTP_GET, "GET"}, {PC_HTTP_GET, "HEAD"},
      {PC_HTTP_PATCH, "PATCH"},   {PC_HTTP_POST, "POST"}, {PC_HTTP_PUT, "PUT"}};
  size_t used = 0;
  allow[0] = '\0';
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (!(methods & names[i].bit)) continue;
    if (pc_snprintf(allow + used, size - used, "%s%s", used ? ", " : "", names[i].name) != 0) return;
    used += strlen(allow + used);
  }
}

int pc_http_router_match(const pc_http_router_t *router, pc_http_method_t method, const char *raw_path,
                         pc_http_request_t *req, const pc_http_route_t **route, char *allow, size_t allow_size) {
  if (raw_path[0] != '/') return 400;
  segment_t segments[MAX_SEGMENTS];
  int n = split_path(raw_path, segments);
  if (n < 0) return 404;
  unsigned wanted = method == PC_HTTP_HEAD ? PC_HTTP_GET : (unsigned)method;
  const compiled_route_t *best = NULL;
  unsigned path_methods = 0;
  for (size_t r = 0; r < router->count; r++) {
    const compiled_route_t *c = &router->routes[r];
    if (c->segment_count != (size_t)n) continue;
    int matches = 1;
    for (int i = 0; i < n && matches; i++) {
      const segment_t *s = &c->segments[i];
      if (s->is_param) matches = segments[i].length > 0;
      else matches = s->length == segments[i].length && memcmp(s->text, segments[i].text, s->length) == 0;
    }
    if (!matches) continue;
    path_methods |= c->route->methods;
    if ((c->route->methods & wanted) && (best == NULL || more_specific(c, best))) best = c;
  }
  if (best == NULL) {
    if (path_methods == 0) return 404;
    if (allow) append_allow(allow, allow_size, path_methods);
    return 405;
  }
  /* Decoded values are no longer than the raw path; names come from the pattern. */
  size_t storage_size = strlen(raw_path) + strlen(best->route->pattern) + 2 * PC_HTTP_MAX_PATH_PARAMS + 2;
  char *storage = pc_xmalloc(storage_size);
  char *cursor = storage;
  size_t count = 0;
  for (int i = 0; i < n; i++) {
    const segment_t *s = &best->segments[i];
    if (!s->is_param) continue;
    long length = decode_segment(segments[i].text, segments[i].length, cursor);
    if (length < 0) {
      free(storage);
      return 400;
    }
    req->params[count].value = cursor;
    cursor += length + 1;
    memcpy(cursor, s->text, s->length);
    cursor[s->length] = '\0';
    req->params[count].name = cursor;
    cursor += s->length + 1;
    count++;
  }
  free(req->param_storage);
  req->param_storage = storage;
  req->param_count = count;
  *route = best->route;
  return 0;
}
