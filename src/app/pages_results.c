/* The public results site served live: every file of the current
 * publication, from the app's in-memory cache pinned to one publication, so a
 * reader gets the old snapshot or the new one. Production serves the same files from
 * `precinct results export --static` through nginx or a CDN. */
#include "app_internal.h"

#include "precinct/buf.h"
#include "precinct/results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *content_type(const char *name) {
  static const struct { const char *suffix, *type; } types[] = {
      {".html", "text/html; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},        {".csv", "text/csv; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"}, {".pub", "text/plain; charset=utf-8"},
      {".pem", "text/plain; charset=utf-8"}, {".svg", "image/svg+xml"}};
  size_t length = strlen(name);
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    size_t suffix = strlen(types[i].suffix);
    if (length > suffix && strcmp(name + length - suffix, types[i].suffix) == 0) return types[i].type;
  }
  return "application/octet-stream";
}

static pc_store_t *request_store(void *context) { return pc_http_request_store(context); }

/* From the app's in-memory cache: a hit touches no database (see cache.c)
 * and the body is not copied: the response holds a reference on the cached
 * publication until the server has sent it. */
static int serve(pc_http_request_t *req, pc_http_response_t *resp, const char *name) {
  pc_app_t *app = req->app;
  if (!app || !app->results) return PC_EUNAVAIL;
  pc_results_cache_file_t file;
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_results_cache_share(app->results, request_store, req, name, &file, &err);
  if (rc == PC_ENOTFOUND) {
    pc_http_reply_status(req, resp, 404, "not_found", "No results are published under that name yet.");
    return 0;
  }
  if (rc != 0) return rc;
  char etag[48];
  pc_snprintf(etag, sizeof etag, "\"publication-%lld\"", (long long)file.number);
  pc_http_reply_shared(resp, 200, content_type(name), file.data, file.size, pc_results_cache_release, file.ref);
  pc_http_response_add_header(resp, "Cache-Control", "public, max-age=15");
  pc_http_response_add_header(resp, "ETag", etag);
  return 0;
}

static int results_file(pc_http_request_t *req, pc_http_response_t *resp) {
  return serve(req, resp, pc_http_request_param(req, "file"));
}

static int results_nested(pc_http_request_t *req, pc_http_response_t *resp) {
  const char *dir = pc_http_request_param(req, "dir"), *file = pc_http_request_param(req, "file");
  char name[256];
  if (strchr(dir, '/') || strchr(file, '/') || pc_snprintf(name, sizeof name, "%s/%s", dir, file) != 0) {
    pc_http_reply_status(req, resp, 404, "not_found", "No such results page.");
    return 0;
  }
  return serve(req, resp, name);
}

static int results_redirect(pc_http_request_t *req, pc_http_response_t *resp) {
  (void)req;
  /* The pages link relatively: they must be read from under /results/. */
  return pc_http_reply_redirect(resp, "/results/index.html");
}

const pc_http_route_t pc_app_results_routes[] = {
    {PC_HTTP_GET, "/results", results_redirect, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_GET, "/results/", results_redirect, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_GET, "/results/{file}", results_file, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_GET, "/results/{dir}/{file}", results_nested, PC_HTTP_PUBLIC, NULL},
};
const size_t pc_app_results_route_count = sizeof pc_app_results_routes / sizeof pc_app_results_routes[0];
