/* `precinct serve --data DIR [--listen ADDR:PORT]`: runs the HTTP server
 * until SIGTERM or SIGINT, then stops gracefully. It wires the pieces
 * together (instance lock, database pool, router, modules' routes) and holds
 * no HTTP logic itself (src/http/). */
#include "cli/cli.h"
#include "precinct/app.h"
#include "precinct/http.h"
#include "precinct/log.h"

#include <getopt.h>
#include <pthread.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

static const char usage[] =
    "usage: precinct serve --data DIR [--listen ADDR:PORT]\n"
    "\n"
    "Serves the web pages and the JSON API of the instance in DIR until it\n"
    "receives SIGTERM or SIGINT; then it stops accepting connections, lets\n"
    "requests in flight finish (up to server.request_timeout_seconds) and\n"
    "exits 0. While it runs, `precinct restore` refuses to touch the instance.\n"
    "\n"
    "  --data DIR          instance directory\n"
    "  --listen ADDR:PORT  overrides server.listen (port 0 picks a free port)\n"
    "\n"
    "When ready it prints \"precinct: serving http://ADDR:PORT\" on stdout.\n";

/* Runs the app's housekeeping on a connection of its own from the pool. */
static void housekeeping(pc_app_t *app, pc_store_pool_t *pool) {
  pc_store_t *store = pc_store_pool_acquire(pool);
  pc_app_housekeeping(app, store);
  pc_store_pool_release(pool, store);
}

static void print_ready(const char *listen, int port) {
  const char *colon = strrchr(listen, ':');
  int host_length = colon ? (int)(colon - listen) : 0;
  printf("precinct: serving http://%.*s:%d\n", host_length, listen, port);
  fflush(stdout);
}

int pc_cmd_serve(int argc, char **argv) {
  const char *data_dir = NULL, *listen = NULL;
  const pc_cli_option_t options[] = {{.name = "data", .text = &data_dir}, {.name = "listen", .text = &listen}, {.name = NULL}};
  int code = pc_cli_parse("serve", usage, argc, argv, options);
  if (code != PC_CLI_CONTINUE) return code;
  if (optind != argc) return pc_cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
  pc_instance_t instance;
  code = pc_cli_load_instance("serve", data_dir, &instance);
  if (code != PC_EXIT_OK) return code;
  if (listen == NULL) listen = instance.config.listen;

  pc_error_t err;
  pc_error_clear(&err);
  int lock_fd = -1;
  if (pc_instance_lock(&instance, &lock_fd, &err) != 0) return pc_cli_fail(&err);

  /* Block the stop signals before any thread starts so that every worker
   * inherits the mask and only sigwait below receives them. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  signal(SIGPIPE, SIG_IGN);

  pc_store_options_t store_options;
  pc_instance_store_options(&instance, &store_options);
  /* One connection more than the workers: the housekeeping below uses it. */
  pc_store_pool_t *pool = NULL;
  pc_http_router_t *router = pc_http_router_new();
  pc_http_server_t *server = NULL;
  pc_app_t *app = NULL;
  int rc = pc_store_pool_open(&store_options, instance.config.threads + 1, &pool, &err);
  if (rc == 0) {
    pc_store_t *store = pc_store_pool_acquire(pool);
    rc = pc_app_open(&instance, store, &app, &err);
    pc_store_pool_release(pool, store);
  }
  if (rc == 0) rc = pc_app_routes(router, &err);
  if (rc == 0) {
    pc_http_server_options_t server_options = {&instance.config, listen, router, pc_app_authorize, app, pool};
    rc = pc_http_server_start(&server_options, &server, &err);
  }
  if (rc != 0) {
    pc_http_router_free(router);
    pc_app_close(app);
    pc_store_pool_close(pool);
    close(lock_fd);
    return pc_cli_fail(&err);
  }
  pc_log(PC_LOG_INFO, "serving %s (port %d) with %d threads", listen, pc_http_server_port(server),
         instance.config.threads);
  housekeeping(app, pool); /* sign what CLI work changed before serving it */
  print_ready(listen, pc_http_server_port(server));

  /* Wait for a stop signal, doing housekeeping (expired sessions, signed
   * audit checkpoints) every audit.checkpoint_interval_seconds meanwhile. */
  int received = 0;
  for (;;) {
    struct timespec interval = {instance.config.checkpoint_interval_seconds, 0};
    received = sigtimedwait(&stop_signals, NULL, &interval);
    if (received == SIGTERM || received == SIGINT) break;
    if (received < 0 && errno != EAGAIN && errno != EINTR) break;
    housekeeping(app, pool);
  }
  pc_log(PC_LOG_INFO, "received %s: stopping", received == SIGTERM ? "SIGTERM" : "SIGINT");
  pc_http_server_stop(server, instance.config.request_timeout_seconds);
  pc_http_router_free(router);
  {
    /* A last checkpoint covers what this run changed. */
    housekeeping(app, pool);
  }
  pc_app_close(app);
  pc_store_pool_close(pool);
  close(lock_fd);
  pc_log(PC_LOG_INFO, "stopped");
  return PC_EXIT_OK;
}
