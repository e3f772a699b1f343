/* The instance folder: precinct.conf, the database and keys/ (see
 * instance.h). Creation is all-or-nothing: a failed init removes what it
 * made. */
#include "precinct/instance.h"
#include "precinct/buf.h"
#include "precinct/fileio.h"
#include "precinct/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int fill_paths(const char *data_dir, pc_instance_t *out, pc_error_t *err) {
  if (pc_strlcpy(out->data_dir, data_dir, sizeof out->data_dir) != 0 ||
      pc_snprintf(out->config_path, sizeof out->config_path, "%s/precinct.conf", data_dir) != 0 ||
      pc_snprintf(out->keys_dir, sizeof out->keys_dir, "%s/keys", data_dir) != 0)
    return pc_error_set_at(err, PC_ELIMIT, data_dir, 0, "--data", "data directory path too long");
  return 0;
}

static int resolve_database_path(pc_instance_t *out, pc_error_t *err) {
  const char *db = out->config.database_path;
  int rc = db[0] == '/' ? pc_strlcpy(out->database_path, db, sizeof out->database_path)
                        : pc_snprintf(out->database_path, sizeof out->database_path, "%s/%s", out->data_dir, db);
  if (rc != 0) return pc_error_set_at(err, PC_ELIMIT, out->config_path, 0, "database.path", "path too long");
  return 0;
}

int pc_instance_load(const char *data_dir, pc_instance_t *out, pc_error_t *err) {
  pc_instance_t loaded;
  memset(&loaded, 0, sizeof loaded);
  int rc = fill_paths(data_dir, &loaded, err);
  if (rc != 0) return rc;
  pc_config_defaults(&loaded.config);
  rc = pc_config_load(loaded.config_path, &loaded.config, err);
  if (rc == PC_ENOTFOUND)
    return pc_error_set_at(err, PC_ENOTFOUND, data_dir, 0, "--data",
                           "no precinct instance here (no precinct.conf); create one with `precinct init --data %s`",
                           data_dir);
  if (rc != 0) return rc;
  rc = resolve_database_path(&loaded, err);
  if (rc != 0) return rc;
  pc_log_level_t level;
  if (pc_log_level_parse(loaded.config.log_level, &level) == 0) pc_log_configure(level, NULL);
  *out = loaded;
  return 0;
}

void pc_instance_store_options(const pc_instance_t *instance, pc_store_options_t *out) {
  memset(out, 0, sizeof *out);
  out->backend = instance->config.backend;
  out->path = instance->database_path;
  out->url = instance->config.database_url;
  out->busy_timeout_ms = instance->config.busy_timeout_ms;
}

int pc_instance_open_store(const pc_instance_t *instance, pc_store_t **out, pc_error_t *err) {
  pc_store_options_t options;
  pc_instance_store_options(instance, &options);
  pc_store_t *store;
  int rc = pc_store_open(&options, &store, err);
  if (rc != 0) return rc;
  rc = pc_store_migrate(store, err);
  if (rc != 0) {
    pc_store_close(store);
    return rc;
  }
  *out = store;
  return 0;
}

int pc_instance_key_path(const pc_instance_t *instance, const char *name, char *out, size_t size) {
  return pc_snprintf(out, size, "%s/%s", instance->keys_dir, name);
}

int pc_instance_setting_get(pc_store_t *store, const char *name, char *out, size_t size, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT value FROM instance_settings WHERE name = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, name);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) rc = pc_strlcpy(out, pc_stmt_column_text(stmt, 0), size) == 0 ? 0 : PC_ELIMIT;
  else if (rc == PC_STORE_DONE) rc = pc_error_set(err, PC_ENOTFOUND, "no instance setting \"%s\"", name);
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_instance_setting_set(pc_store_t *store, const char *name, const char *value, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "INSERT INTO instance_settings (name, value) VALUES (?, ?) "
                            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, name);
  pc_stmt_bind_text(stmt, 2, value);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

/* Removes what a failed create made (files that may exist; errors ignored). */
static void remove_partial_instance(const pc_instance_t *instance, int made_dir) {
  char path[1700];
  static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
    if (pc_snprintf(path, sizeof path, "%s%s", instance->database_path, suffixes[i]) == 0) unlink(path);
  }
  unlink(instance->config_path);
  rmdir(instance->keys_dir);
  if (made_dir) rmdir(instance->data_dir);
}

int pc_instance_create(const char *data_dir, const char *state_name, pc_instance_t *out, pc_error_t *err) {
  pc_config_t defaults;
  pc_config_defaults(&defaults);
  return pc_instance_create_with_config(data_dir, state_name, &defaults, out, err);
}

int pc_instance_create_with_config(const char *data_dir, const char *state_name, const pc_config_t *config,
                                   pc_instance_t *out, pc_error_t *err) {
  pc_instance_t created;
  memset(&created, 0, sizeof created);
  int rc = fill_paths(data_dir, &created, err);
  if (rc != 0) return rc;
  struct stat st;
  if (access(created.config_path, F_OK) == 0)
    return pc_error_set_at(err, PC_EEXIST, data_dir, 0, "--data", "an instance exists here already");
  int made_dir = 0;
  if (stat(data_dir, &st) != 0) {
    if (mkdir(data_dir, 0700) != 0)
      return pc_error_set_at(err, PC_EIO, data_dir, 0, "--data", "cannot create directory: %s", strerror(errno));
    made_dir = 1;
  } else if (!S_ISDIR(st.st_mode)) {
    return pc_error_set_at(err, PC_EINVAL, data_dir, 0, "--data", "exists and is not a directory");
  }
  created.config = *config;
  int sqlite = strcmp(created.config.backend, "sqlite") == 0;
  rc = resolve_database_path(&created, err);
  if (rc == 0 && sqlite && access(created.database_path, F_OK) == 0)
    rc = pc_error_set_at(err, PC_EEXIST, created.database_path, 0, NULL,
                         "a database exists here without precinct.conf; refusing to touch it");
  if (rc == 0 && mkdir(created.keys_dir, 0700) != 0 && errno != EEXIST)
    rc = pc_error_set_at(err, PC_EIO, created.keys_dir, 0, NULL, "cannot create directory: %s", strerror(errno));
  pc_store_t *store = NULL;
  if (rc == 0) rc = pc_instance_open_store(&created, &store, err);
  if (rc == 0) rc = pc_store_begin(store, err);
  if (rc == 0) rc = pc_instance_setting_set(store, "state_name", state_name, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  if (store) {
    pc_store_rollback(store);
    pc_store_close(store);
  }
  /* The configuration file is written last: its presence marks a complete instance. */
  if (rc == 0) rc = pc_config_write(created.config_path, &created.config, err);
  if (rc == 0) {
    (void)pc_file_sync_parent(created.config_path);
  }
  if (rc != 0) {
    remove_partial_instance(&created, made_dir);
    return rc;
  }
  *out = created;
  return 0;
}

int pc_instance_lock(const pc_instance_t *instance, int *fd, pc_error_t *err) {
  char path[1100];
  if (pc_snprintf(path, sizeof path, "%s/serve.lock", instance->data_dir) != 0)
    return pc_error_set(err, PC_ELIMIT, "data directory path too long");
  int lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot open lock: %s", strerror(errno));
  if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    close(lock_fd);
    return pc_error_set_at(err, PC_EBUSY, instance->data_dir, 0, NULL,
                           "a precinct server is running on this instance; stop it first");
  }
  *fd = lock_fd;
  return 0;
}

int pc_instance_is_serving(const pc_instance_t *instance) {
  int fd;
  if (pc_instance_lock(instance, &fd, NULL) == PC_EBUSY) return 1;
  close(fd);
  return 0;
}
