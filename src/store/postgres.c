/* PostgreSQL backend (libpq): connection with reconnect and backoff,
 * transactions with SQLite's semantics (serialised writers, statement-level
 * rollback on error, commit confirmed by the server), and named prepared
 * statements cached per connection. Backup, restore and the integrity check
 * are in postgres_admin.c; SQL translation in dialect.c. */
#include "postgres.h"

#include "dialect.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/log.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The advisory lock every write transaction takes first, so writers run one
 * at a time as under SQLite's BEGIN IMMEDIATE ('prec' in ASCII). */
#define WRITE_LOCK_KEY "1886545251"

/* Type OIDs from PostgreSQL's pg_type.dat (stable across releases). */
enum {
  OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_OID = 26,
  OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_NUMERIC = 1700, OID_TEXT = 25
};

struct pg_stmt {
  pc_stmt_t base;
  char *sql;            /* cache key: the portable SQL as given */
  char *pg_sql;         /* translated for PostgreSQL */
  char name[24];        /* server-side statement name */
  unsigned generation;  /* connection generation it was prepared on */
  int nparams;
  char **values;        /* bound parameters (NULL: SQL NULL) */
  int *lengths;
  int *formats;         /* 0 text, 1 binary (blobs) */
  PGresult *result;     /* the whole result of the last execution */
  int row;              /* current row in result */
  int executed;
  unsigned char **decoded; /* bytea columns of the current row, decoded on demand */
  size_t *decoded_size;
  int cached, in_use;
  struct pg_stmt *next;
};

static const pc_store_ops_t pg_ops;

#define STORE(stmt) ((pg_store_t *)(stmt)->store)

int pc_pg_error(pg_store_t *store, const PGresult *result, pc_error_t *err, const char *what) {
  const char *state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
  /* The primary message only: DETAIL lines quote row values ("Key
   * (name)=(...) already exists"), which must not reach logs. */
  const char *message = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  if (message == NULL || message[0] == '\0') message = PQerrorMessage(store->conn);
  int code = PC_EDB;
  if (state == NULL || strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0) {
    if (state != NULL || PQstatus(store->conn) != CONNECTION_OK) code = PC_EUNAVAIL;
  } else if (strncmp(state, "23", 2) == 0) {
    code = PC_ECONFLICT;
  } else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0) {
    code = PC_EBUSY;
  } else if (strncmp(state, "53", 2) == 0 || strncmp(state, "58", 2) == 0) {
    code = PC_EIO;
  } else if (strcmp(state, "XX001") == 0 || strcmp(state, "XX002") == 0) {
    code = PC_EINTEGRITY;
  } else if (strncmp(state, "22", 2) == 0) {
    code = PC_EINVAL;
  }
  char text[400], suffix[32] = "";
  pc_strlcpy(text, message, sizeof text); /* truncation is fine for a message */
  size_t length = strlen(text);
  while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == ' ')) text[--length] = '\0';
  if (state) pc_snprintf(suffix, sizeof suffix, " (SQLSTATE %s)", state);
  return pc_error_set(err, code, "%s: %s%s", what, text, suffix);
}

static int pg_fail(pg_store_t *store, PGresult *result, pc_error_t *err, const char *what) {
  int code = pc_pg_error(store, result, err, what);
  PQclear(result);
  return code;
}

static int result_ok(const PGresult *result) {
  ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

/* Runs SQL (no parameters) and discards its result. */
static int run(pg_store_t *store, const char *sql, pc_error_t *err, const char *what) {
  PGresult *result = PQexec(store->conn, sql);
  if (!result_ok(result)) return pg_fail(store, result, err, what);
  PQclear(result);
  return 0;
}

/* Warnings the server sends with a commit: one about synchronous
 * replication means the commit was not confirmed by the standby. */
static void notice_receiver(void *arg, const PGresult *result) {
  pg_store_t *store = arg;
  const char *message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  if (message && strstr(message, "synchronous replication")) store->sync_warning = 1;
  const char *severity = PQresultErrorField(result, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity && strcmp(severity, "WARNING") == 0) pc_log(PC_LOG_WARN, "postgres: %s", message ? message : "");
}

/* Session settings every connection needs, applied after each (re)connect. */
static int setup_session(pg_store_t *store, pc_error_t *err) {
  PQsetNoticeReceiver(store->conn, notice_receiver, store);
  if (PQsetClientEncoding(store->conn, "UTF8") != 0)
    return pc_error_set(err, PC_EUNAVAIL, "postgres: cannot set client encoding: %s", PQerrorMessage(store->conn));
  char sql[200];
  pc_snprintf(sql, sizeof sql, "SET lock_timeout = %d; SET TIME ZONE 'UTC'; SET default_transaction_read_only = %s",
              store->busy_timeout_ms, store->read_only ? "on" : "off");
  int rc = run(store, sql, err, "postgres session setup");
  /* A commit must wait for the server (and its synchronous standbys): keep a
   * stronger server setting (remote_apply), raise anything weaker to on. */
  PGresult *result = rc == 0 ? PQexec(store->conn, "SHOW synchronous_commit") : NULL;
  if (rc == 0 && !result_ok(result)) return pg_fail(store, result, err, "postgres session setup");
  if (rc == 0) {
    int strong = PQntuples(result) == 1 && strcmp(PQgetvalue(result, 0, 0), "remote_apply") == 0;
    PQclear(result);
    if (!strong) rc = run(store, "SET synchronous_commit = on", err, "postgres session setup");
  }
  store->generation++;
  return rc;
}

static void sleep_ms(int ms) {
  struct timespec delay = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&delay, NULL);
}

/* Makes sure the connection is usable. A connection lost inside a
 * transaction stays broken until rollback (the transaction is gone and must
 * fail); outside one, it is re-established with exponential backoff for up
 * to the busy timeout (at least a second), which also finds a newly promoted
 * primary when the URL lists several hosts. */
static int ensure_connected(pg_store_t *store, pc_error_t *err) {
  if (PQstatus(store->conn) == CONNECTION_OK) return 0;
  if (store->base.in_transaction)
    return pc_error_set(err, PC_EUNAVAIL, "postgres: connection lost; the transaction was not committed");
  int budget = store->busy_timeout_ms > 1000 ? store->busy_timeout_ms : 1000;
  int delay = 50, waited = 0;
  for (;;) {
    PQreset(store->conn);
    if (PQstatus(store->conn) == CONNECTION_OK) {
      pc_log(PC_LOG_WARN, "postgres: reconnected to %s after %d ms", PQhost(store->conn), waited);
      return setup_session(store, err);
    }
    if (waited >= budget) break;
    sleep_ms(delay);
    waited += delay;
    delay = delay * 2 > 2000 ? 2000 : delay * 2;
  }
  return pc_error_set(err, PC_EUNAVAIL, "postgres: cannot reconnect: %s", PQerrorMessage(store->conn));
}

int pc_store_postgres_open(const pc_store_options_t *options, pc_store_t **out, pc_error_t *err) {
  if (options->url == NULL || options->url[0] == '\0')
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "database.url", "the postgres backend needs database.url");
  /* The URL comes last so that anything it sets overrides these defaults. */
  const char *keywords[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
  const char *values[] = {"10", "precinct", options->url, NULL};
  PGconn *conn = PQconnectdbParams(keywords, values, 1);
  if (conn == NULL) return pc_error_set(err, PC_EUNAVAIL, "postgres: out of memory connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    pc_error_set_at(err, PC_EUNAVAIL, NULL, 0, "database.url", "cannot connect to PostgreSQL: %s", PQerrorMessage(conn));
    PQfinish(conn);
    return PC_EUNAVAIL;
  }
  pg_store_t *store = pc_xcalloc(1, sizeof *store);
  store->base.ops = &pg_ops;
  store->conn = conn;
  store->busy_timeout_ms = options->busy_timeout_ms > 0 ? options->busy_timeout_ms : 5000;
  store->read_only = options->read_only;
  int rc = setup_session(store, err);
  if (rc != 0) {
    PQfinish(conn);
    free(store);
    return rc;
  }
  *out = &store->base;
  return 0;
}

static void free_decoded(pg_stmt_t *s) {
  if (s->decoded == NULL || s->result == NULL) return;
  for (int i = 0; i < PQnfields(s->result); i++) {
    PQfreemem(s->decoded[i]);
    s->decoded[i] = NULL;
  }
}

static void clear_result(pg_stmt_t *s) {
  free_decoded(s);
  free(s->decoded);
  free(s->decoded_size);
  s->decoded = NULL;
  s->decoded_size = NULL;
  PQclear(s->result);
  s->result = NULL;
  s->executed = 0;
  s->row = -1;
}

static void clear_bindings(pg_stmt_t *s) {
  for (int i = 0; i < s->nparams; i++) {
    free(s->values[i]);
    s->values[i] = NULL;
    s->lengths[i] = 0;
    s->formats[i] = 0;
  }
}

static void destroy_stmt(pg_stmt_t *s) {
  clear_result(s);
  clear_bindings(s);
  free(s->values);
  free(s->lengths);
  free(s->formats);
  free(s->sql);
  free(s->pg_sql);
  free(s);
}

static void pg_close(pc_store_t *base) {
  pg_store_t *store = (pg_store_t *)base;
  for (int i = 0; i < PG_CACHE_BUCKETS; i++) {
    pg_stmt_t *s = store->cache[i];
    while (s) {
      pg_stmt_t *next = s->next;
      destroy_stmt(s);
      s = next;
    }
  }
  PQfinish(store->conn);
  free(store);
}

void pc_pg_invalidate_statements(pg_store_t *store) {
  if (PQstatus(store->conn) == CONNECTION_OK) (void)run(store, "DEALLOCATE ALL", NULL, "deallocate");
  store->generation++;
}

/* Statement-level atomicity as in SQLite: inside a transaction a failed
 * statement undoes only itself and the transaction goes on. PostgreSQL
 * aborts the whole transaction instead, so each statement runs under a
 * savepoint that is released on success and rolled back to on failure. */
static int savepoint(pg_store_t *store, pc_error_t *err) {
  if (!store->base.in_transaction) return 0;
  return run(store, "SAVEPOINT pc_statement", err, "savepoint");
}

static void savepoint_end(pg_store_t *store, int failed) {
  if (!store->base.in_transaction || PQstatus(store->conn) != CONNECTION_OK) return;
  if (failed) (void)run(store, "ROLLBACK TO SAVEPOINT pc_statement", NULL, "rollback to savepoint");
  (void)run(store, "RELEASE SAVEPOINT pc_statement", NULL, "release savepoint");
}

static void note_changes(pg_store_t *store, const PGresult *result) {
  const char *status = PQcmdStatus((PGresult *)result);
  if (strncmp(status, "INSERT", 6) == 0 || strncmp(status, "UPDATE", 6) == 0 ||
      strncmp(status, "DELETE", 6) == 0 || strncmp(status, "MERGE", 5) == 0) {
    long long count;
    if (pc_parse_int64(PQcmdTuples((PGresult *)result), 0, INT64_MAX, &count) == 0) store->changes = count;
  }
}

static int pg_exec(pc_store_t *base, const char *sql, pc_error_t *err) {
  pg_store_t *store = (pg_store_t *)base;
  pc_buf_t text;
  pc_buf_init(&text, 0);
  int params = 0;
  int rc = pc_dialect_to_postgres(sql, &text, &params);
  if (rc != 0) rc = pc_error_set(err, rc, "exec: cannot translate SQL (unterminated literal or comment?)");
  else if (params != 0) rc = pc_error_set(err, PC_EINVAL, "exec: SQL with placeholders must be prepared");
  if (rc == 0) rc = ensure_connected(store, err);
  if (rc == 0) rc = savepoint(store, err);
  if (rc == 0) {
    PGresult *result = PQexec(store->conn, pc_buf_str(&text));
    if (result_ok(result)) {
      note_changes(store, result);
      PQclear(result);
    } else {
      rc = pg_fail(store, result, err, "exec");
    }
    savepoint_end(store, rc != 0);
  }
  pc_buf_free(&text);
  return rc;
}

static int pg_begin(pc_store_t *base, int write, pc_error_t *err) {
  pg_store_t *store = (pg_store_t *)base;
  int rc = ensure_connected(store, err);
  if (rc != 0) return rc;
  const char *sql = write ? "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE; SELECT pg_advisory_xact_lock(" WRITE_LOCK_KEY ")"
                          : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  PGresult *result = PQexec(store->conn, sql);
  if (!result_ok(result) && PQstatus(store->conn) != CONNECTION_OK) {
    /* Nothing was started: a dead connection found here is safe to renew once. */
    PQclear(result);
    rc = ensure_connected(store, err);
    if (rc != 0) return rc;
    result = PQexec(store->conn, sql);
  }
  if (!result_ok(result)) {
    rc = pg_fail(store, result, err, write ? "begin (waiting for the write lock)" : "begin");
    if (PQstatus(store->conn) == CONNECTION_OK && PQtransactionStatus(store->conn) != PQTRANS_IDLE)
      (void)run(store, "ROLLBACK", NULL, "rollback");
    return rc;
  }
  PQclear(result);
  return 0;
}

static int pg_commit(pc_store_t *base, pc_error_t *err) {
  pg_store_t *store = (pg_store_t *)base;
  if (PQstatus(store->conn) != CONNECTION_OK)
    return pc_error_set(err, PC_EUNAVAIL, "commit: connection lost; the transaction was not committed");
  store->sync_warning = 0;
  PGresult *result = PQexec(store->conn, "COMMIT");
  if (result == NULL || PQstatus(store->conn) != CONNECTION_OK) {
    /* The server may or may not have committed: never report success for
     * an outcome nobody confirmed. */
    PQclear(result);
    return pc_error_set(err, PC_EUNAVAIL, "commit: connection lost before the server confirmed; "
                                          "the transaction's outcome is unknown: %s", PQerrorMessage(store->conn));
  }
  if (!result_ok(result)) return pg_fail(store, result, err, "commit");
  /* COMMIT of a transaction that had failed answers ROLLBACK. */
  int committed = strcmp(PQcmdStatus(result), "COMMIT") == 0;
  PQclear(result);
  if (!committed) return pc_error_set(err, PC_EDB, "commit: the server rolled the transaction back");
  if (store->sync_warning)
    return pc_error_set(err, PC_EUNAVAIL, "commit: the synchronous standby did not confirm the commit "
                                          "(committed on the primary only); not acknowledged");
  return 0;
}

static void pg_rollback(pc_store_t *base) {
  pg_store_t *store = (pg_store_t *)base;
  if (PQstatus(store->conn) == CONNECTION_OK && PQtransactionStatus(store->conn) != PQTRANS_IDLE)
    (void)run(store, "ROLLBACK", NULL, "rollback");
}

/* The parameter number in "could not determine data type of parameter $N". */
static int untyped_parameter(const PGresult *result) {
  const char *state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char *message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  if (state == NULL || strcmp(state, "42P18") != 0 || message == NULL) return 0;
  const char *dollar = strrchr(message, '$');
  long long number;
  if (dollar == NULL || pc_parse_int64(dollar + 1, 1, 65535, &number) != 0) return 0;
  return (int)number;
}

/* Prepares S on the server. A parameter whose type PostgreSQL cannot infer
 * (`? IS NULL`) is declared text, as SQLite would treat it, and the prepare
 * retried. */
static int server_prepare(pg_store_t *store, pg_stmt_t *s, pc_error_t *err) {
  Oid *types = s->nparams ? pc_xcalloc((size_t)s->nparams, sizeof *types) : NULL;
  pc_snprintf(s->name, sizeof s->name, "pc%u", ++store->next_name);
  int rc = savepoint(store, err);
  for (int attempt = 0; rc == 0; attempt++) {
    PGresult *result = PQprepare(store->conn, s->name, s->pg_sql, s->nparams, types);
    if (result_ok(result)) {
      PQclear(result);
      s->generation = store->generation;
      break;
    }
    int param = result ? untyped_parameter(result) : 0;
    if (param > 0 && param <= s->nparams && types[param - 1] == 0 && attempt < s->nparams) {
      PQclear(result);
      types[param - 1] = OID_TEXT;
      if (store->base.in_transaction) {
        (void)run(store, "ROLLBACK TO SAVEPOINT pc_statement", NULL, "rollback to savepoint");
      }
      continue;
    }
    rc = pg_fail(store, result, err, "prepare");
  }
  savepoint_end(store, rc != 0);
  free(types);
  return rc;
}

static int pg_prepare(pc_store_t *base, const char *sql, pc_stmt_t **out, pc_error_t *err) {
  pg_store_t *store = (pg_store_t *)base;
  unsigned bucket = pc_store_hash_sql(sql, PG_CACHE_BUCKETS);
  for (pg_stmt_t *s = store->cache[bucket]; s; s = s->next) {
    if (!s->in_use && strcmp(s->sql, sql) == 0) {
      s->in_use = 1;
      *out = &s->base;
      return 0;
    }
  }
  pc_buf_t text;
  pc_buf_init(&text, 0);
  int params = 0;
  int rc = pc_dialect_to_postgres(sql, &text, &params);
  if (rc != 0) {
    pc_buf_free(&text);
    return pc_error_set(err, rc, "prepare: cannot translate SQL (unterminated literal or comment?)");
  }
  pg_stmt_t *s = pc_xcalloc(1, sizeof *s);
  s->base.ops = &pg_ops;
  s->base.store = base;
  s->sql = pc_xstrdup(sql);
  s->pg_sql = pc_buf_detach(&text, NULL);
  s->nparams = params;
  s->values = pc_xcalloc((size_t)params + 1, sizeof *s->values);
  s->lengths = pc_xcalloc((size_t)params + 1, sizeof *s->lengths);
  s->formats = pc_xcalloc((size_t)params + 1, sizeof *s->formats);
  s->row = -1;
  /* Preparing now reports errors in the SQL at prepare time, as SQLite does;
   * a dead connection is renewed first (preparing has no side effects). */
  rc = ensure_connected(store, err);
  if (rc == 0) rc = server_prepare(store, s, err);
  if (rc == PC_EUNAVAIL && !store->base.in_transaction) {
    rc = ensure_connected(store, err);
    if (rc == 0) rc = server_prepare(store, s, err);
  }
  if (rc != 0) {
    destroy_stmt(s);
    return rc;
  }
  s->cached = 1;
  s->in_use = 1;
  s->next = store->cache[bucket];
  store->cache[bucket] = s;
  *out = &s->base;
  return 0;
}

static int64_t pg_changes(pc_store_t *base) {
  return ((pg_store_t *)base)->changes;
}

/* ---- statements ---------------------------------------------------------- */

static int bind_value(pc_stmt_t *stmt, int index, char *value, int length, int format) {
  pg_stmt_t *s = (pg_stmt_t *)stmt;
  if (index < 1 || index > s->nparams) {
    free(value);
    return PC_EINVAL;
  }
  if (s->executed) clear_result(s);
  free(s->values[index - 1]);
  s->values[index - 1] = value;
  s->lengths[index - 1] = length;
  s->formats[index - 1] = format;
  return 0;
}

static int pg_bind_text(pc_stmt_t *stmt, int index, const char *value, size_t length) {
  if (length > INT32_MAX) return PC_ELIMIT;
  char *copy = pc_xmalloc(length + 1);
  memcpy(copy, value, length);
  copy[length] = '\0';
  return bind_value(stmt, index, copy, (int)length, 0);
}

/* libpq sends parameters at execution, so there is nothing to save by not
 * copying: the same as pg_bind_text. */
static int pg_bind_text_nocopy(pc_stmt_t *stmt, int index, const char *value, size_t length) {
  return pg_bind_text(stmt, index, value, length);
}

/* Index builds after a bulk load sort in maintenance_work_mem. */
static int pg_bulk_mode(pc_store_t *store, int mode, pc_error_t *err) {
  if (mode == PC_STORE_BULK_INDEX) return 0; /* already set for the load */
  return pg_exec(store, mode != PC_STORE_BULK_OFF ? "SET maintenance_work_mem = '1GB'" : "RESET maintenance_work_mem", err);
}

/* PostgreSQL writes a new table's pages once already (WAL aside, which a
 * standby needs): nothing to switch. */
static int pg_bulk_exclusive(pc_store_t *store, int on, pc_error_t *err) {
  (void)store;
  (void)on;
  (void)err;
  return 0;
}

/* Identity columns keep their own counter, which explicit ids do not move. */
static int pg_sync_ids(pc_store_t *store, const char *table, pc_error_t *err) {
  char sql[256];
  if (pc_snprintf(sql, sizeof sql,
                  "SELECT setval(pg_get_serial_sequence('%s', 'id'), GREATEST((SELECT MAX(id) FROM %s), 1))", table,
                  table) != 0)
    return pc_error_set(err, PC_ELIMIT, "table name too long");
  return pg_exec(store, sql, err);
}

static int pg_bind_int64(pc_stmt_t *stmt, int index, int64_t value) {
  char number[24];
  pc_snprintf(number, sizeof number, "%lld", (long long)value);
  return bind_value(stmt, index, pc_xstrdup(number), (int)strlen(number), 0);
}

static int pg_bind_blob(pc_stmt_t *stmt, int index, const void *data, size_t size) {
  if (size > INT32_MAX) return PC_ELIMIT;
  /* Binary format: bytea's binary form is the bytes themselves. */
  char *copy = pc_xmalloc(size + 1);
  if (size) memcpy(copy, data, size);
  return bind_value(stmt, index, copy, (int)size, 1);
}

/* As for text: libpq sends parameters at execution, nothing to save. */
static int pg_bind_blob_nocopy(pc_stmt_t *stmt, int index, const void *data, size_t size) {
  return pg_bind_blob(stmt, index, data, size);
}

static int pg_bind_null(pc_stmt_t *stmt, int index) {
  return bind_value(stmt, index, NULL, 0, 0);
}

static int execute(pg_stmt_t *s, pc_error_t *err) {
  pg_store_t *store = STORE(&s->base);
  int rc = ensure_connected(store, err);
  if (rc == 0 && s->generation != store->generation) rc = server_prepare(store, s, err);
  if (rc == 0) rc = savepoint(store, err);
  if (rc != 0) return rc;
  PGresult *result = PQexecPrepared(store->conn, s->name, s->nparams, (const char *const *)s->values,
                                    s->lengths, s->formats, 0);
  if (!result_ok(result)) {
    rc = pg_fail(store, result, err, "step");
    savepoint_end(store, 1);
    return rc;
  }
  savepoint_end(store, 0);
  note_changes(store, result);
  s->result = result;
  int fields = PQnfields(result);
  s->decoded = pc_xcalloc((size_t)fields + 1, sizeof *s->decoded);
  s->decoded_size = pc_xcalloc((size_t)fields + 1, sizeof *s->decoded_size);
  s->executed = 1;
  s->row = -1;
  return 0;
}

/* Whether S only reads, so that running it again after a lost connection
 * cannot repeat a change. */
static int is_plain_select(const pg_stmt_t *s) {
  const char *p = s->sql;
  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
  return strncasecmp(p, "SELECT", 6) == 0 && strcasestr(p, "FOR UPDATE") == NULL;
}

static int pg_step(pc_stmt_t *stmt, pc_error_t *err) {
  pg_stmt_t *s = (pg_stmt_t *)stmt;
  if (!s->executed) {
    int rc = execute(s, err);
    /* A read outside a transaction whose connection broke is retried once
     * on a new connection (a write never is: it may have happened). */
    if (rc == PC_EUNAVAIL && !s->base.store->in_transaction && is_plain_select(s))
      rc = execute(s, err);
    if (rc != 0) return rc;
  }
  free_decoded(s);
  if (s->row + 1 < PQntuples(s->result)) {
    s->row++;
    return PC_STORE_ROW;
  }
  s->row = PQntuples(s->result);
  return PC_STORE_DONE;
}

static void pg_reset(pc_stmt_t *stmt) {
  pg_stmt_t *s = (pg_stmt_t *)stmt;
  clear_result(s);
  clear_bindings(s);
}

static void pg_finalize(pc_stmt_t *stmt) {
  pg_stmt_t *s = (pg_stmt_t *)stmt;
  pg_reset(stmt);
  s->in_use = 0;
}

static int pg_column_count(pc_stmt_t *stmt) {
  pg_stmt_t *s = (pg_stmt_t *)stmt;
  return s->result ? PQnfields(s->result) : 0;
}

static const char *pg_column_name(pc_stmt_t *stmt, int index) {
  pg_stmt_t *s = (pg_stmt_t *)stmt;
  return s->result ? PQfname(s->result, index) : NULL;
}

/* Whether the current row has a value at INDEX. */
static int has_value(pg_stmt_t *s, int index) {
  return s->result && s->row >= 0 && s->row < PQntuples(s->result) && index >= 0 && index < PQnfields(s->result) &&
         !PQgetisnull(s->result, s->row, index);
}

static int pg_column_type(pc_stmt_t *stmt, int index) {
  pg_stmt_t *s = (pg_stmt_t *)stmt;
  if (!has_value(s, index)) return PC_COLUMN_NULL;
  switch (PQftype(s->result, index)) {
  case OID_BOOL: case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID: return PC_COLUMN_INTEGER;
  case OID_FLOAT4: case OID_FLOAT8: return PC_COLUMN_FLOAT;
  case OID_NUMERIC:
    /* SUM() of integers is numeric in PostgreSQL; whole values read as integers. */
    return strpbrk(PQgetvalue(s->result, s->row, index), ".eEN") ? PC_COLUMN_FLOAT : PC_COLUMN_INTEGER;
  case OID_BYTEA: return PC_COLUMN_BLOB;
  default: return PC_COLUMN_TEXT;
  }
}

static int64_t pg_column_int64(pc_stmt_t *stmt, int index) {
  pg_stmt_t *s = (pg_stmt_t *)stmt;
  if (!has_value(s, index)) return 0;
  const char *text = PQgetvalue(s->result, s->row, index);
  if (PQftype(s->result, index) == OID_BOOL) return text[0] == 't';
  char *end;
  long long value = strtoll(text, &end, 10);
  if (*end == '.' || *end == 'e' || *end == 'E') return (int64_t)strtod(text, NULL);
  return value;
}

static double pg_column_double(pc_stmt_t *stmt, int index) {
  pg_stmt_t *s = (pg_stmt_t *)stmt;
  if (!has_value(s, index)) return 0.0;
  return strtod(PQgetvalue(s->result, s->row, index), NULL);
}

static const char *pg_column_text(pc_stmt_t *stmt, int index) {
  pg_stmt_t *s = (pg_stmt_t *)stmt;
  if (!has_value(s, index)) return NULL;
  return PQgetvalue(s->result, s->row, index);
}

static const void *pg_column_blob(pc_stmt_t *stmt, int index, size_t *size) {
  pg_stmt_t *s = (pg_stmt_t *)stmt;
  if (size) *size = 0;
  if (!has_value(s, index)) return NULL;
  const char *text = PQgetvalue(s->result, s->row, index);
  if (PQftype(s->result, index) != OID_BYTEA) {
    if (size) *size = (size_t)PQgetlength(s->result, s->row, index);
    return text;
  }
  if (s->decoded[index] == NULL) {
    s->decoded[index] = PQunescapeBytea((const unsigned char *)text, &s->decoded_size[index]);
    if (s->decoded[index] == NULL) abort(); /* out of memory, as pc_xmalloc does */
  }
  if (size) *size = s->decoded_size[index];
  return s->decoded[index];
}

static const pc_store_ops_t pg_ops = {
    .name = "postgres",
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .changes = pg_changes,
    .backup = pc_pg_backup,
    .restore_from = pc_pg_restore_from,
    .restore_file = pc_pg_restore_file,
    .integrity_check = pc_pg_integrity_check,
    .bulk_mode = pg_bulk_mode,
    .bulk_exclusive = pg_bulk_exclusive,
    .sync_ids = pg_sync_ids,
    .bind_text = pg_bind_text,
    .bind_text_nocopy = pg_bind_text_nocopy,
    .bind_int64 = pg_bind_int64,
    .bind_blob = pg_bind_blob,
    .bind_blob_nocopy = pg_bind_blob_nocopy,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .column_count = pg_column_count,
    .column_name = pg_column_name,
    .column_type = pg_column_type,
    .column_int64 = pg_column_int64,
    .column_double = pg_column_double,
    .column_text = pg_column_text,
    .column_blob = pg_column_blob,
};
