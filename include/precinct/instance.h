/* An instance: one data directory holding precinct.conf, the database and the
 * keys (see docs/internals/instance.md). CLI commands and the server open an
 * instance, never the pieces by hand. */
#ifndef PRECINCT_INSTANCE_H
#define PRECINCT_INSTANCE_H

#include "precinct/config.h"
#include "precinct/error.h"
#include "precinct/store.h"

typedef struct pc_instance {
  char data_dir[1024];
  char config_path[1100];
  char database_path[1600];
  char keys_dir[1100];
  pc_config_t config;
} pc_instance_t;

/* Creates DATA_DIR (mode 0700; it may exist but must hold no precinct.conf),
 * writes the default precinct.conf, creates keys/ (0700) and the database
 * with every migration applied, and stores STATE_NAME. On failure nothing
 * that was created is left behind. */
int pc_instance_create(const char *data_dir, const char *state_name, pc_instance_t *out, pc_error_t *err);
/* Same, with the settings in CONFIG (e.g. backend = postgres and its URL)
 * written to precinct.conf instead of the defaults. With postgres the
 * database named by the URL must exist; its schema is migrated. */
int pc_instance_create_with_config(const char *data_dir, const char *state_name, const pc_config_t *config,
                                   pc_instance_t *out, pc_error_t *err);

/* Loads DATA_DIR/precinct.conf into OUT (resolving the database path) and
 * applies its log level. Does not open the database. */
int pc_instance_load(const char *data_dir, pc_instance_t *out, pc_error_t *err);

/* Fills OUT with the options that open INSTANCE's database (backend, SQLite
 * path, PostgreSQL URL, busy timeout); pointers refer into INSTANCE. */
void pc_instance_store_options(const pc_instance_t *instance, pc_store_options_t *out);

/* Opens one database connection for INSTANCE and applies pending migrations. */
int pc_instance_open_store(const pc_instance_t *instance, pc_store_t **out, pc_error_t *err);

/* Path of the file NAME inside the instance's keys/ directory. */
int pc_instance_key_path(const pc_instance_t *instance, const char *name, char *out, size_t size);

/* Reads/writes a named instance setting (the instance_settings table). */
int pc_instance_setting_get(pc_store_t *store, const char *name, char *out, size_t size, pc_error_t *err);
int pc_instance_setting_set(pc_store_t *store, const char *name, const char *value, pc_error_t *err);

/* Takes the instance's server lock (DATA_DIR/serve.lock, flock), held for
 * the life of the process by `precinct serve`. PC_EBUSY when another process
 * holds it. *FD receives the lock's file descriptor (close it to release). */
int pc_instance_lock(const pc_instance_t *instance, int *fd, pc_error_t *err);
/* 1 when a server holds INSTANCE's lock, 0 otherwise. */
int pc_instance_is_serving(const pc_instance_t *instance);

#endif
