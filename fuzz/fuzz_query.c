/* libFuzzer target: query strings through pc_http_parse_urlencoded with the
 * tight query limits, and raw paths through the router (parameters decoded
 * from hostile segments). */
#include "precinct/http.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int ok_handler(pc_http_request_t *req, pc_http_response_t *resp) {
  (void)req;
  pc_http_reply_json(resp, 200, json_true());
  return 0;
}

static const pc_http_route_t routes[] = {
    {PC_HTTP_GET, "/api/counties/{county}/users/{id}", ok_handler, PC_HTTP_PUBLIC, "county"},
    {PC_HTTP_GET | PC_HTTP_POST, "/api/counties/{county}/users", ok_handler, PC_HTTP_PUBLIC, "county"},
    {PC_HTTP_GET, "/static/{name}", ok_handler, PC_HTTP_PUBLIC, NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pc_http_fields_t fields;
  if (pc_http_parse_urlencoded((const char *)data, size, &pc_http_query_limits, &fields, NULL) == 0) {
    assert(fields.count <= pc_http_query_limits.max_fields);
    pc_http_fields_free(&fields);
  }
  static pc_http_router_t *router;
  if (router == NULL) {
    router = pc_http_router_new();
    if (pc_http_router_add(router, routes, sizeof routes / sizeof routes[0], NULL) != 0) abort();
  }
  char *path = malloc(size + 2);
  path[0] = '/';
  memcpy(path + 1, data, size);
  path[size + 1] = '\0';
  pc_http_request_t req;
  pc_http_request_init(&req, "GET", path);
  const pc_http_route_t *route;
  char allow[64];
  int status = pc_http_router_match(router, PC_HTTP_GET, path, &req, &route, allow, sizeof allow);
  assert(status == 0 || status == 400 || status == 404 || status == 405);
  for (size_t i = 0; status == 0 && i < req.param_count; i++) assert(req.params[i].value[0] != '\0');
  pc_http_request_cleanup(&req);
  free(path);
  return 0;
}
