/* The instance configuration file, precinct.conf (INI syntax, parsed by
 * inih). Every key has a default (docs/configuration.md lists them); a key
 * or section the program does not know is an error, with its line number, so
 * that a typo never silently leaves a setting at its default. */
#ifndef PRECINCT_CONFIG_H
#define PRECINCT_CONFIG_H

#include "precinct/error.h"

typedef struct pc_config {
  /* [server] */
  char listen[128];          /* "127.0.0.1:8080" */
  int threads;               /* worker threads (and database connections) */
  long max_header_bytes;     /* per request, all headers together */
  long max_body_bytes;       /* per request body */
  long max_upload_bytes;     /* per multipart/form-data body (file uploads) */
  int request_timeout_seconds;
  int max_connections_per_ip; /* 0: no limit */
  int secure_cookies;        /* 1: cookies carry Secure (turn off only for plain-HTTP dev) */
  /* [database] */
  char backend[16];          /* "sqlite" or "postgres" */
  char database_path[512];   /* relative to the data directory (sqlite) */
  char database_url[1024];   /* libpq connection string (postgres) */
  int busy_timeout_ms;
  /* [auth] */
  int password_min_length;
  int session_idle_minutes;
  int session_absolute_hours;
  int login_max_failures;    /* per account and per IP within the window */
  int login_window_minutes;
  /* [log] */
  char log_level[16];
  long log_access_buffer_bytes; /* per server thread; 0: unbuffered */
  int log_access_flush_ms;      /* longest a buffered access line waits; 0: unbuffered */
  /* [audit] */
  int checkpoint_interval_seconds;
} pc_config_t;

/* Fills CFG with every default. */
void pc_config_defaults(pc_config_t *cfg);

/* Reads PATH over the defaults already in CFG. A missing file is an error
 * (PC_ENOTFOUND); unknown sections/keys and bad values are PC_EINVAL with the
 * line and key in ERR. */
int pc_config_load(const char *path, pc_config_t *cfg, pc_error_t *err);

/* Writes a commented configuration file with every key at its default to
 * PATH, failing with PC_EEXIST if the file exists. */
int pc_config_write_default(const char *path, pc_error_t *err);
/* Same, with CFG's values instead of the defaults (PC_EEXIST if PATH exists). */
int pc_config_write(const char *path, const pc_config_t *cfg, pc_error_t *err);

#endif
