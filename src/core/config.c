/* precinct.conf: one table describes every key (section, name, type, bounds,
 * default, help); loading, defaults and the generated sample file all come
 * from it, so documentation and behaviour cannot drift apart. */
#include "precinct/config.h"
#include "precinct/buf.h"
#include "precinct/fileio.h"
#include "precinct/log.h"

#include <assert.h>
#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef enum { KEY_INT, KEY_LONG, KEY_STRING, KEY_BOOL } key_type_t;

typedef struct config_key {
  const char *section;
  const char *name;
  key_type_t type;
  size_t offset;
  size_t size; /* for strings: capacity of the char array */
  long long min, max;
  const char *default_value;
  const char *help;
} config_key_t;

#define INT_KEY(sec, key, field, lo, hi, def, help) \
  {sec, key, KEY_INT, offsetof(pc_config_t, field), 0, lo, hi, def, help}
#define LONG_KEY(sec, key, field, lo, hi, def, help) \
  {sec, key, KEY_LONG, offsetof(pc_config_t, field), 0, lo, hi, def, help}
#define STR_KEY(sec, key, field, def, help) \
  {sec, key, KEY_STRING, offsetof(pc_config_t, field), sizeof(((pc_config_t *)0)->field), 0, 0, def, help}
#define BOOL_KEY(sec, key, field, def, help) \
  {sec, key, KEY_BOOL, offsetof(pc_config_t, field), 0, 0, 1, def, help}

static const config_key_t keys[] = {
  STR_KEY("server", "listen", listen, "127.0.0.1:8080", "address:port the HTTP server listens on"),
  INT_KEY("server", "threads", threads, 1, 256, "4", "worker threads, each with its own database connection"),
  LONG_KEY("server", "max_header_bytes", max_header_bytes, 1024, 1048576, "16384", "largest request header block accepted"),
  LONG_KEY("server", "max_body_bytes", max_body_bytes, 1024, 1073741824, "1048576", "largest request body accepted (uploads have their own limit)"),
  LONG_KEY("server", "max_upload_bytes", max_upload_bytes, 1024, 1073741824, "67108864", "largest multipart/form-data body accepted (file uploads from web pages, e.g. a county's returns file)"),
  INT_KEY("server", "request_timeout_seconds", request_timeout_seconds, 1, 3600, "30", "idle connection timeout"),
  INT_KEY("server", "max_connections_per_ip", max_connections_per_ip, 0, 100000, "128", "simultaneous connections from one address; 0: no limit (behind a reverse proxy all come from the proxy)"),
  BOOL_KEY("server", "secure_cookies", secure_cookies, "true", "mark cookies Secure; turn off only behind no TLS for local testing"),
  STR_KEY("database", "backend", backend, "sqlite", "storage engine: sqlite or postgres"),
  STR_KEY("database", "path", database_path, "precinct.db", "SQLite file, relative to the data directory"),
  STR_KEY("database", "url", database_url, "", "PostgreSQL connection string (libpq), used when backend = postgres; list every node with target_session_attrs=read-write, e.g. postgresql://precinct@db1,db2/precinct?target_session_attrs=read-write"),
  INT_KEY("database", "busy_timeout_ms", busy_timeout_ms, 0, 600000, "5000", "how long a writer waits for the lock"),
  INT_KEY("auth", "password_min_length", password_min_length, 8, 128, "12", "shortest password accepted (NIST SP 800-63B: no composition rules)"),
  INT_KEY("auth", "session_idle_minutes", session_idle_minutes, 1, 1440, "30", "a session ends after this long without a request"),
  INT_KEY("auth", "session_absolute_hours", session_absolute_hours, 1, 168, "12", "a session ends this long after login, whatever its use"),
  INT_KEY("auth", "login_max_failures", login_max_failures, 1, 1000, "5", "failed logins allowed per account and per address within the window"),
  INT_KEY("auth", "login_window_minutes", login_window_minutes, 1, 1440, "15", "window for counting failed logins"),
  STR_KEY("log", "level", log_level, "info", "least severe level written: debug, info, warn, error, off"),
  LONG_KEY("log", "access_buffer_bytes", log_access_buffer_bytes, 0, 16777216, "65536", "HTTP access lines are buffered per server thread up to this many bytes and written whole; 0: each line at once"),
  INT_KEY("log", "access_flush_ms", log_access_flush_ms, 0, 60000, "1000", "a buffered access line is written at most this long after its request; 0: each line at once"),
  INT_KEY("audit", "checkpoint_interval_seconds", checkpoint_interval_seconds, 1, 86400, "60", "how often the server signs a checkpoint of the audit log when it has grown"),
};

enum { KEY_COUNT = sizeof keys / sizeof keys[0] };

static int parse_bool(const char *text, int *out) {
  if (strcmp(text, "true") == 0 || strcmp(text, "yes") == 0 || strcmp(text, "1") == 0 || strcmp(text, "on") == 0) {
    *out = 1;
    return 0;
  }
  if (strcmp(text, "false") == 0 || strcmp(text, "no") == 0 || strcmp(text, "0") == 0 || strcmp(text, "off") == 0) {
    *out = 0;
    return 0;
  }
  return PC_EINVAL;
}

/* Stores VALUE into CFG for KEY; describes a bad value in ERR. */
static int set_key(pc_config_t *cfg, const config_key_t *key, const char *value, pc_error_t *err) {
  char *field = (char *)cfg + key->offset;
  long long number;
  int flag;
  switch (key->type) {
  case KEY_STRING:
    if (pc_strlcpy(field, value, key->size) != 0)
      return pc_error_set(err, PC_EINVAL, "value longer than %zu characters", key->size - 1);
    return 0;
  case KEY_INT:
  case KEY_LONG:
    if (pc_parse_int64(value, key->min, key->max, &number) != 0)
      return pc_error_set(err, PC_EINVAL, "expected a whole number from %lld to %lld, got \"%s\"",
                          key->min, key->max, value);
    if (key->type == KEY_INT) *(int *)field = (int)number;
    else *(long *)field = (long)number;
    return 0;
  case KEY_BOOL:
    if (parse_bool(value, &flag) != 0)
      return pc_error_set(err, PC_EINVAL, "expected true or false, got \"%s\"", value);
    *(int *)field = flag;
    return 0;
  }
  return PC_EINTERNAL;
}

void pc_config_defaults(pc_config_t *cfg) {
  memset(cfg, 0, sizeof *cfg);
  for (int i = 0; i < KEY_COUNT; i++) {
    int rc = set_key(cfg, &keys[i], keys[i].default_value, NULL);
    assert(rc == 0 && "every default must satisfy its own bounds");
    (void)rc;
  }
}

typedef struct load_state {
  pc_config_t *cfg;
  pc_error_t *err;
  const char *path;
  int failed;
} load_state_t;

static int on_config_entry(void *user, const char *section, const char *name, const char *value) {
  load_state_t *state = user;
  char field[96];
  pc_snprintf(field, sizeof field, "%s.%s", section, name);
  for (int i = 0; i < KEY_COUNT; i++) {
    if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0) {
      pc_error_t value_err;
      pc_error_clear(&value_err);
      if (set_key(state->cfg, &keys[i], value, &value_err) == 0) return 1;
      pc_error_set_at(state->err, PC_EINVAL, state->path, 0, field, "%s", value_err.message);
      state->failed = 1;
      return 0;
    }
  }
  pc_error_set_at(state->err, PC_EINVAL, state->path, 0, field,
                  "unknown setting (see docs/configuration.md for the keys precinct knows)");
  state->failed = 1;
  return 0;
}

int pc_config_load(const char *path, pc_config_t *cfg, pc_error_t *err) {
  FILE *file = fopen(path, "r");
  if (file == NULL) {
    return pc_error_set_at(err, errno == ENOENT ? PC_ENOTFOUND : PC_EIO, path, 0, NULL,
                           "cannot open configuration file: %s", strerror(errno));
  }
  pc_config_t loaded = *cfg;
  load_state_t state = {&loaded, err, path, 0};
  int rc = ini_parse_file(file, on_config_entry, &state);
  fclose(file);
  if (rc != 0) {
    if (!state.failed)
      pc_error_set_at(err, PC_EINVAL, path, rc > 0 ? rc : 0, NULL,
                      rc > 0 ? "syntax error: expected [section] or key = value" : "cannot read file");
    else if (err && rc > 0)
      err->line = rc;
    return PC_EINVAL;
  }
  pc_log_level_t level;
  if (pc_log_level_parse(loaded.log_level, &level) != 0)
    return pc_error_set_at(err, PC_EINVAL, path, 0, "log.level",
                           "expected debug, info, warn, error or off, got \"%s\"", loaded.log_level);
  if (strcmp(loaded.backend, "sqlite") != 0 && strcmp(loaded.backend, "postgres") != 0)
    return pc_error_set_at(err, PC_EINVAL, path, 0, "database.backend",
                           "unsupported backend \"%s\" (supported: sqlite, postgres)", loaded.backend);
  if (strcmp(loaded.backend, "postgres") == 0 && loaded.database_url[0] == '\0')
    return pc_error_set_at(err, PC_EINVAL, path, 0, "database.url",
                           "backend = postgres needs a connection string in database.url");
  *cfg = loaded;
  return 0;
}

/* Appends KEY's value in CFG as it would be written in precinct.conf. */
static void append_value(pc_buf_t *text, const pc_config_t *cfg, const config_key_t *key) {
  const char *field = (const char *)cfg + key->offset;
  switch (key->type) {
  case KEY_STRING: pc_buf_append_str(text, field); break;
  case KEY_INT: pc_buf_appendf(text, "%d", *(const int *)field); break;
  case KEY_LONG: pc_buf_appendf(text, "%ld", *(const long *)field); break;
  case KEY_BOOL: pc_buf_append_str(text, *(const int *)field ? "true" : "false"); break;
  }
}

static int write_config(const char *path, const pc_config_t *cfg, pc_error_t *err) {
  pc_buf_t text;
  pc_buf_init(&text, 0);
  pc_buf_append_str(&text, cfg ? "# precinct instance configuration.\n"
                                 "# Unknown keys are an error. See docs/configuration.md.\n"
                               : "# precinct instance configuration. Every key is shown at its default.\n"
                                 "# Unknown keys are an error. See docs/configuration.md.\n");
  const char *section = "";
  for (int i = 0; i < KEY_COUNT; i++) {
    if (strcmp(section, keys[i].section) != 0) {
      section = keys[i].section;
      pc_buf_appendf(&text, "\n[%s]\n", section);
    }
    pc_buf_appendf(&text, "# %s\n%s = ", keys[i].help, keys[i].name);
    if (cfg) append_value(&text, cfg, &keys[i]);
    else pc_buf_append_str(&text, keys[i].default_value);
    pc_buf_append_char(&text, '\n');
  }
  int rc = pc_file_write_durable(path, text.data, text.len, 0640, 1, err);
  pc_buf_free(&text);
  return rc;
}

int pc_config_write_default(const char *path, pc_error_t *err) {
  return write_config(path, NULL, err);
}

int pc_config_write(const char *path, const pc_config_t *cfg, pc_error_t *err) {
  return write_config(path, cfg, err);
}
