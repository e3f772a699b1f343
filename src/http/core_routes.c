/* Routes every server has, whatever modules are loaded: liveness
 * (/healthz), readiness (/readyz: the database answers and its schema is the
 * newest this build knows) and the embedded static assets under /static/
 * with strong ETags. Templates (*.html) are embedded too but never served. */
#include "precinct/http.h"
#include "precinct/embedded.h"
#include "precinct/log.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

enum { MAX_ASSETS = 128, ETAG_SIZE = 35 /* quotes + 32 hex + NUL */ };

typedef struct asset {
  const pc_embedded_file_t *file;
  const char *content_type;
  char etag[ETAG_SIZE];
} asset_t;

static asset_t assets[MAX_ASSETS];
static size_t asset_count;
static pthread_once_t assets_once = PTHREAD_ONCE_INIT;

static const char *content_type_for(const char *name) {
  static const struct { const char *ext; const char *type; } types[] = {
      {".css", "text/css; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},            {".png", "image/png"},
      {".ico", "image/x-icon"},             {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"}, {".json", "application/json"},
      {".webmanifest", "application/manifest+json"}};
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
    if (strcmp(dot, types[i].ext) == 0) return types[i].type;
  return "application/octet-stream";
}

static int is_template(const char *name) {
  size_t n = strlen(name);
  return n >= 5 && strcmp(name + n - 5, ".html") == 0;
}

/* Hashes each asset once, before any worker thread starts. */
static void load_assets(void) {
  if (sodium_init() < 0) return;
  static const char hex[] = "0123456789abcdef";
  for (const pc_embedded_file_t *f = pc_embedded_web; f->name && asset_count < MAX_ASSETS; f++) {
    if (is_template(f->name)) continue;
    asset_t *a = &assets[asset_count++];
    a->file = f;
    a->content_type = content_type_for(f->name);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)f->data, f->size);
    a->etag[0] = '"';
    for (int i = 0; i < 16; i++) {
      a->etag[1 + 2 * i] = hex[digest[i] >> 4];
      a->etag[2 + 2 * i] = hex[digest[i] & 15];
    }
    a->etag[33] = '"';
    a->etag[34] = '\0';
  }
}

/* True when an If-None-Match list names ETAG (or is "*"). */
static int etag_matches(const char *header, const char *etag) {
  if (header == NULL) return 0;
  if (strcmp(header, "*") == 0) return 1;
  size_t n = strlen(etag);
  for (const char *p = strstr(header, etag); p; p = strstr(p + 1, etag)) {
    char after = p[n];
    if (after == '\0' || after == ',' || after == ' ') return 1;
  }
  return 0;
}

static int serve_static(pc_http_request_t *req, pc_http_response_t *resp) {
  const char *name = pc_http_request_param(req, "name");
  const asset_t *asset = NULL;
  for (size_t i = 0; i < asset_count && name; i++)
    if (strcmp(assets[i].file->name, name) == 0) asset = &assets[i];
  if (asset == NULL) {
    pc_http_reply_status(req, resp, 404, "not_found", "There is no such file.");
    return 0;
  }
  if (etag_matches(pc_http_request_header(req, "If-None-Match"), asset->etag))
    pc_http_reply_static(resp, 304, NULL, "", 0);
  else
    pc_http_reply_static(resp, 200, asset->content_type, asset->file->data, asset->file->size);
  pc_http_response_add_header(resp, "ETag", asset->etag);
  pc_http_response_add_header(resp, "Cache-Control", "public, max-age=3600");
  return 0;
}

static int healthz(pc_http_request_t *req, pc_http_response_t *resp) {
  (void)req;
  pc_http_reply_json(resp, 200, json_pack("{s:s}", "status", "ok"));
  return 0;
}

static int readyz(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_store_t *store = pc_http_request_store(req);
  if (store == NULL) {
    pc_http_reply_json(resp, 503, json_pack("{s:s, s:s}", "status", "unavailable", "reason", "no database configured"));
    return 0;
  }
  int current = 0, latest = 0;
  pc_error_t err;
  pc_error_clear(&err);
  if (pc_store_schema_version(store, &current, &latest, &err) != 0) {
    pc_log(PC_LOG_ERROR, "readiness: database query failed: %s", err.message);
    pc_http_reply_json(resp, 503, json_pack("{s:s, s:s}", "status", "unavailable", "reason", "database query failed"));
    return 0;
  }
  if (current != latest) {
    char reason[128];
    pc_snprintf(reason, sizeof reason, "database schema is at version %d, this build needs %d", current, latest);
    pc_http_reply_json(resp, 503, json_pack("{s:s, s:s}", "status", "unavailable", "reason", reason));
    return 0;
  }
  pc_http_reply_json(resp, 200, json_pack("{s:s, s:i}", "status", "ready", "schema_version", current));
  return 0;
}

static const pc_http_route_t core_routes[] = {
    {PC_HTTP_GET, "/healthz", healthz, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_GET, "/readyz", readyz, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_GET, "/static/{name}", serve_static, PC_HTTP_PUBLIC, NULL},
};

int pc_http_core_routes(pc_http_router_t *router, pc_error_t *err) {
  pthread_once(&assets_once, load_assets);
  return pc_http_router_add(router, core_routes, sizeof core_routes / sizeof core_routes[0], err);
}
