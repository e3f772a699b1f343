/* The HTTP server: libmicrohttpd with its own epoll thread pool. This file
 * owns the wire: per-connection state, request limits, reading bodies,
 * security headers, request ids, the access log and graceful shutdown. It
 * knows no route or module: pc_http_dispatch (request.c) decides every reply.
 * See docs/internals/http.md for the request lifecycle. */
#include "precinct/http.h"
#include "http_internal.h"
#include "precinct/alloc.h"
#include "precinct/embedded.h"
#include "precinct/log.h"

#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char csp_value[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

enum { MAX_REQUEST_HEADERS = 128 };

struct pc_http_server {
  struct MHD_Daemon *daemon;
  pc_http_server_options_t options;
  pc_config_t config;
  pc_templates_t *templates;
  atomic_int in_flight;
  atomic_int quiescing;
  int port;
};

/* One request's state, from the URI callback to the completion callback. */
typedef struct request_state {
  pc_http_server_t *server;
  char *uri;          /* raw request target, as sent */
  int started;        /* the first handler call has happened */
  int body_too_large; /* stop buffering; reply 413 at the end */
  size_t discarded;
  pc_buf_t body;
  pc_http_multipart_t *multipart; /* multipart/form-data: parts, not body */
  struct timespec start;
  char request_id[PC_HTTP_REQUEST_ID_SIZE];
  char method[16];
  int status;
  size_t bytes;
} request_state_t;

static double elapsed_ms(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) * 1e3 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* MHD calls this with the raw request target before anything else; what it
 * returns becomes the request's context pointer. It is the only place the
 * undecoded path and query string are available. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *connection) {
  (void)connection;
  pc_http_server_t *server = cls;
  request_state_t *state = pc_xcalloc(1, sizeof *state);
  state->server = server;
  state->uri = pc_xstrdup(uri ? uri : "/");
  pc_buf_init(&state->body, (size_t)server->config.max_body_bytes);
  clock_gettime(CLOCK_MONOTONIC, &state->start);
  unsigned char id[16];
  randombytes_buf(id, sizeof id);
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < sizeof id; i++) {
    state->request_id[2 * i] = hex[id[i] >> 4];
    state->request_id[2 * i + 1] = hex[id[i] & 15];
  }
  state->request_id[32] = '\0';
  atomic_fetch_add(&server->in_flight, 1);
  return state;
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **context,
                         enum MHD_RequestTerminationCode reason) {
  (void)connection;
  pc_http_server_t *server = cls;
  request_state_t *state = *context;
  if (state == NULL) return;
  *context = NULL;
  char *query = strchr(state->uri, '?');
  if (query) *query = '\0'; /* the query string may hold personal data: never logged */
  /* The access line is built only when it is written (log.level info or
   * debug), without allocating, into this thread's buffer (log.access_*). */
  if (pc_log_level() <= PC_LOG_INFO) {
    pc_log_access_t line = {
        .request_id = state->request_id,
        .method = state->method,
        .path = state->uri,
        .status = state->status,
        .bytes = (long long)state->bytes,
        .duration_us = (long long)(elapsed_ms(&state->start) * 1000.0),
        .terminated = reason == MHD_REQUEST_TERMINATED_COMPLETED_OK ? 0 : (int)reason,
    };
    pc_log_access(&line);
  }
  pc_buf_free(&state->body);
  pc_http_multipart_free(state->multipart);
  free(state->uri);
  free(state);
  atomic_fetch_sub(&server->in_flight, 1);
}

static void add_header(struct MHD_Response *response, const char *name, const char *value) {
  if (MHD_add_response_header(response, name, value) != MHD_YES)
    pc_log(PC_LOG_ERROR, "could not add response header %s", name);
}

/* Turns RESP into an MHD response with the security headers and queues it. */
static enum MHD_Result queue(request_state_t *state, struct MHD_Connection *connection, pc_http_response_t *resp) {
  pc_http_server_t *server = state->server;
  struct MHD_Response *response;
  size_t size;
  if (resp->borrowed_body && resp->release) {
    /* MHD calls release once it is done with the bytes (after the last
     * send, or when the connection dies): the body is never copied. */
    size = resp->borrowed_size;
    response = MHD_create_response_from_buffer_with_free_callback_cls(size, (void *)resp->borrowed_body,
                                                                       resp->release, resp->release_context);
    if (response != NULL) resp->release = NULL; /* now MHD's to call */
  } else if (resp->borrowed_body) {
    size = resp->borrowed_size;
    response = MHD_create_response_from_buffer(size, (void *)resp->borrowed_body, MHD_RESPMEM_PERSISTENT);
  } else {
    char *data = pc_buf_detach(&resp->body, &size);
    response = MHD_create_response_from_buffer(size, data, MHD_RESPMEM_MUST_FREE);
    if (response == NULL) free(data);
  }
  if (response == NULL) {
    pc_http_response_free(resp);
    return MHD_NO;
  }
  if (resp->content_type) add_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
  add_header(response, "Content-Security-Policy", csp_value);
  add_header(response, "X-Content-Type-Options", "nosniff");
  add_header(response, "Referrer-Policy", "no-referrer");
  add_header(response, "X-Frame-Options", "DENY");
  add_header(response, "X-Request-Id", state->request_id);
  if (server->config.secure_cookies)
    add_header(response, "Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  if (!resp->cache_control_set) add_header(response, "Cache-Control", "no-store");
  for (size_t i = 0; i < resp->header_count; i++) add_header(response, resp->header_names[i], resp->header_values[i]);
  if (atomic_load(&server->quiescing)) add_header(response, "Connection", "close");
  state->status = resp->status;
  state->bytes = size;
  enum MHD_Result result = MHD_queue_response(connection, (unsigned)resp->status, response);
  MHD_destroy_response(response);
  pc_http_response_free(resp);
  return result;
}

static int wants_html(const pc_http_request_t *req);

/* Replies an error before routing (limits), in the client's preferred form
 * (an HTML page for a browser's form upload, JSON otherwise). */
static enum MHD_Result queue_error(request_state_t *state, struct MHD_Connection *connection, int status,
                                   const char *code, const char *message) {
  pc_http_request_t req;
  pc_http_request_init(&req, state->method, state->uri);
  pc_strlcpy(req.request_id, state->request_id, sizeof req.request_id);
  const char *value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
  pc_http_field_t accept = {"Accept", value ? value : ""};
  req.headers = &accept;
  req.header_count = value != NULL;
  req.templates = state->server->templates;
  req.wants_html = wants_html(&req);
  pc_http_response_t resp;
  pc_http_response_init(&resp);
  pc_http_reply_status(&req, &resp, status, code, message);
  return queue(state, connection, &resp);
}

typedef struct header_collector {
  pc_http_field_t *items;
  size_t count, capacity, bytes;
} header_collector_t;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  header_collector_t *c = cls;
  c->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
  if (c->items && c->count < c->capacity) {
    c->items[c->count].name = key;
    c->items[c->count].value = value ? value : "";
    c->count++;
  }
  return MHD_YES;
}

static int wants_html(const pc_http_request_t *req) {
  if (strncmp(req->path, "/api/", 5) == 0) return 0;
  const char *accept = pc_http_request_header(req, "Accept");
  return accept != NULL && strstr(accept, "text/html") != NULL;
}

static void set_client_address(struct MHD_Connection *connection, char *out, size_t size) {
  const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  pc_strlcpy(out, "-", size);
  if (info == NULL || info->client_addr == NULL) return;
  const struct sockaddr *addr = info->client_addr;
  if (addr->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)addr)->sin_addr, out, (socklen_t)size);
  else if (addr->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr, out, (socklen_t)size);
}

/* The whole request has arrived: build the request, dispatch, queue. */
static enum MHD_Result run_request(request_state_t *state, struct MHD_Connection *connection) {
  pc_http_server_t *server = state->server;
  char *query = strchr(state->uri, '?');
  if (query) *query++ = '\0';
  char *fragment = strchr(query ? query : state->uri, '#');
  if (fragment) *fragment = '\0';

  pc_http_request_t req;
  pc_http_request_init(&req, state->method, state->uri);
  pc_strlcpy(req.request_id, state->request_id, sizeof req.request_id);
  set_client_address(connection, req.client_address, sizeof req.client_address);
  req.app = server->options.app;
  req.pool = server->options.pool;
  req.templates = server->templates;
  req.max_body_bytes = (size_t)server->config.max_body_bytes;
  pc_http_field_t headers[MAX_REQUEST_HEADERS];
  header_collector_t collector = {headers, 0, MAX_REQUEST_HEADERS, 0};
  MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_header, &collector);
  req.headers = headers;
  req.header_count = collector.count;
  req.wants_html = wants_html(&req);
  req.body = state->body.data;
  req.body_size = state->body.len;

  pc_http_response_t resp;
  pc_http_response_init(&resp);
  pc_error_t err;
  pc_error_clear(&err);
  const char *cookie = pc_http_request_header(&req, "Cookie");
  if (state->multipart &&
      pc_http_multipart_finish(state->multipart, &req.form, &req.uploads, &req.upload_count, &err) != 0) {
    int too_large = err.code == PC_ELIMIT;
    pc_http_reply_status(&req, &resp, too_large ? 413 : 400, too_large ? "too_large" : "bad_form", err.message);
  } else if (query && pc_http_parse_urlencoded(query, strlen(query), &pc_http_query_limits, &req.query, &err) != 0) {
    pc_http_reply_status(&req, &resp, 400, "bad_query", err.message);
  } else if (cookie && pc_http_parse_cookies(cookie, strlen(cookie), &pc_http_cookie_limits, &req.cookies, &err) != 0) {
    pc_http_reply_status(&req, &resp, 400, "bad_cookie", err.message);
  } else {
    req.form_parsed = state->multipart != NULL; /* its text fields are the form */
    pc_http_dispatch(server->options.router, server->options.authorize, &req, &resp);
  }
  pc_http_request_cleanup(&req);
  return queue(state, connection, &resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **context) {
  (void)version;
  pc_http_server_t *server = cls;
  request_state_t *state = *context;
  if (state == NULL) *context = state = on_uri(server, url, connection);
  if (!state->started) {
    /* First call: headers only. Answering now makes MHD 0.9.75 close the
     * connection, so only limit violations (which should close it) do. */
    state->started = 1;
    pc_strlcpy(state->method, method, sizeof state->method);
    pc_log_set_request_id(state->request_id);
    header_collector_t collector = {NULL, 0, 0, 0};
    MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_header, &collector);
    enum MHD_Result result = MHD_YES;
    const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    long long declared;
    /* multipart/form-data (file uploads) has its own limit and goes to
     * MHD's post processor part by part instead of into one buffer. */
    const char *type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    int multipart = pc_http_multipart_wanted(type);
    long body_limit = multipart ? server->config.max_upload_bytes : server->config.max_body_bytes;
    if (collector.bytes + strlen(state->uri) > (size_t)server->config.max_header_bytes)
      result = queue_error(state, connection, 431, "headers_too_large", "The request headers are too large.");
    else if (length && pc_parse_int64(length, 0, body_limit, &declared) != 0)
      result = queue_error(state, connection, 413, "too_large", "The request body is too large.");
    else if (multipart) {
      state->multipart = pc_http_multipart_new((size_t)server->config.max_upload_bytes);
      if (pc_http_multipart_attach(state->multipart, connection) != 0)
        result = queue_error(state, connection, 400, "bad_form", "The multipart body has no boundary.");
    }
    pc_log_set_request_id(NULL);
    return result;
  }
  if (*upload_data_size > 0 && state->multipart) {
    /* After an error the rest is drained (bounded) to answer at the end. */
    if (pc_http_multipart_feed(state->multipart, upload_data, *upload_data_size) != 0) {
      state->discarded += *upload_data_size;
      if (state->discarded > 4 * (size_t)server->config.max_upload_bytes) return MHD_NO;
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    if (!state->body_too_large && pc_buf_append(&state->body, upload_data, *upload_data_size) != 0) {
      state->body_too_large = 1;
      pc_buf_free(&state->body);
    }
    if (state->body_too_large) {
      /* Chunked bodies have no declared size: drain (bounded) to answer 413. */
      state->discarded += *upload_data_size;
      if (state->discarded > 4 * (size_t)server->config.max_body_bytes) return MHD_NO;
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  pc_log_set_request_id(state->request_id);
  const char *problem = NULL;
  int multipart_error = state->multipart ? pc_http_multipart_end(state->multipart) : 0;
  if (multipart_error) pc_http_multipart_error(state->multipart, &problem);
  enum MHD_Result result = state->body_too_large || multipart_error == PC_ELIMIT
                               ? queue_error(state, connection, 413, "too_large", "The request body is too large.")
                           : multipart_error ? queue_error(state, connection, 400, "bad_form", problem)
                                             : run_request(state, connection);
  pc_log_set_request_id(NULL);
  return result;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char text[512];
  vsnprintf(text, sizeof text, fmt, ap);
  size_t n = strlen(text);
  while (n > 0 && text[n - 1] == '\n') text[--n] = '\0';
  pc_log(PC_LOG_WARN, "http: %s", text);
}

/* Parses "ADDR:PORT" or "[V6ADDR]:PORT". */
static int parse_listen(const char *listen, struct sockaddr_storage *out, socklen_t *out_len, int *ipv6,
                        pc_error_t *err) {
  char host[128];
  const char *colon = strrchr(listen, ':');
  long long port;
  if (colon == NULL || pc_parse_int64(colon + 1, 0, 65535, &port) != 0 || (size_t)(colon - listen) >= sizeof host)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "server.listen", "expected ADDRESS:PORT, got \"%s\"", listen);
  memcpy(host, listen, (size_t)(colon - listen));
  host[colon - listen] = '\0';
  memset(out, 0, sizeof *out);
  size_t host_len = strlen(host);
  if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
    host[host_len - 1] = '\0';
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "server.listen", "bad IPv6 address in \"%s\"", listen);
    *out_len = sizeof *a6;
    *ipv6 = 1;
    return 0;
  }
  struct sockaddr_in *a4 = (struct sockaddr_in *)out;
  a4->sin_family = AF_INET;
  a4->sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "server.listen", "bad IPv4 address in \"%s\"", listen);
  *out_len = sizeof *a4;
  *ipv6 = 0;
  return 0;
}

int pc_http_server_start(const pc_http_server_options_t *options, pc_http_server_t **out, pc_error_t *err) {
  assert(options->config != NULL && options->router != NULL);
  if (sodium_init() < 0) return pc_error_set(err, PC_EINTERNAL, "libsodium failed to initialise");
  struct sockaddr_storage address;
  socklen_t address_len = 0;
  int ipv6 = 0;
  const char *listen = options->listen ? options->listen : options->config->listen;
  int rc = parse_listen(listen, &address, &address_len, &ipv6, err);
  if (rc != 0) return rc;
  pc_http_server_t *server = pc_xcalloc(1, sizeof *server);
  server->options = *options;
  server->config = *options->config;
  server->templates = pc_templates_new();
  rc = pc_templates_add_embedded(server->templates, pc_embedded_web, err);
  if (rc != 0) {
    pc_templates_free(server->templates);
    free(server);
    return rc;
  }
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  if (ipv6) flags |= MHD_USE_IPv6;
  /* Headers, the read buffer and response headers share this pool; the
   * handler enforces max_header_bytes itself, this bounds memory. */
  size_t memory_limit = (size_t)server->config.max_header_bytes * 2 + 16384;
  server->daemon = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, server,
      MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, /* first, so no message escapes it */
      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
      MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)server->config.threads,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)server->config.request_timeout_seconds,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)server->config.max_connections_per_ip,
      MHD_OPTION_URI_LOG_CALLBACK, on_uri, server,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, server,
      MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
      MHD_OPTION_END);
  (void)address_len;
  if (server->daemon == NULL) {
    pc_templates_free(server->templates);
    free(server);
    return pc_error_set_at(err, PC_EIO, NULL, 0, "server.listen", "cannot listen on %s (address in use or not local?)",
                           listen);
  }
  if (pc_log_access_start((size_t)server->config.log_access_buffer_bytes, server->config.log_access_flush_ms) != 0)
    pc_log(PC_LOG_WARN, "access log buffering could not start: every access line is written at once");
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
  server->port = info ? (int)info->port : 0;
  *out = server;
  return 0;
}

int pc_http_server_port(const pc_http_server_t *server) {
  return server->port;
}

void pc_http_server_stop(pc_http_server_t *server, int grace_seconds) {
  if (server == NULL) return;
  atomic_store(&server->quiescing, 1);
  MHD_socket listener = MHD_quiesce_daemon(server->daemon);
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  while (atomic_load(&server->in_flight) > 0 && elapsed_ms(&start) < grace_seconds * 1000.0) {
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  int left = atomic_load(&server->in_flight);
  if (left > 0) pc_log(PC_LOG_WARN, "stopping with %d request(s) still in flight after %d s", left, grace_seconds);
  MHD_stop_daemon(server->daemon);
  pc_log_access_stop(); /* the workers are gone: every buffered line goes out */
  if (listener != MHD_INVALID_SOCKET) close(listener);
  pc_templates_free(server->templates);
  free(server);
}
