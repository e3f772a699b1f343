/* PostgreSQL backend administration: backup with pg_dump (custom format),
 * restore with pg_restore (--clean, one transaction), and the integrity
 * check (constraints validated, amcheck when the extension is installed).
 * The client tools are run with posix_spawnp, never through a shell. */
#include "postgres.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Appends KEY='VALUE' to a libpq keyword/value connection string. */
static void append_param(pc_buf_t *out, const char *key, const char *value) {
  pc_buf_appendf(out, "%s%s='", out->len ? " " : "", key);
  for (const char *p = value; *p; p++) {
    if (*p == '\'' || *p == '\\') pc_buf_append_char(out, '\\');
    pc_buf_append_char(out, *p);
  }
  pc_buf_append_char(out, '\'');
}

/* The connection string of the server STORE is connected to now (one host,
 * even when database.url lists several), without the password: that goes
 * to the child through PGPASSWORD so it never shows in a process list. */
static void current_conninfo(pg_store_t *store, pc_buf_t *out) {
  PQconninfoOption *options = PQconninfo(store->conn);
  for (PQconninfoOption *o = options; o && o->keyword; o++) {
    if (o->val == NULL || o->val[0] == '\0') continue;
    if (strcmp(o->keyword, "password") == 0 || strcmp(o->keyword, "host") == 0 ||
        strcmp(o->keyword, "hostaddr") == 0 || strcmp(o->keyword, "port") == 0 ||
        strcmp(o->keyword, "target_session_attrs") == 0 || strcmp(o->keyword, "load_balance_hosts") == 0)
      continue;
    append_param(out, o->keyword, o->val);
  }
  PQconninfoFree(options);
  append_param(out, "host", PQhost(store->conn));
  append_param(out, "port", PQport(store->conn));
}

/* Runs ARGV[0] (found on PATH) with STORE's password in its environment and
 * waits for it. Its stderr is captured into the error message on failure. */
static int run_tool(pg_store_t *store, char *const argv[], pc_error_t *err) {
  pc_buf_t password;
  pc_buf_init(&password, 0);
  const char *pass = PQpass(store->conn);
  size_t count = 0;
  while (environ[count]) count++;
  char **envp = pc_xcalloc(count + 2, sizeof *envp);
  size_t n = 0;
  for (size_t i = 0; i < count; i++)
    if (strncmp(environ[i], "PGPASSWORD=", 11) != 0) envp[n++] = environ[i];
  if (pass && pass[0]) {
    pc_buf_appendf(&password, "PGPASSWORD=%s", pass);
    envp[n++] = password.data;
  }
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    free(envp);
    pc_buf_free(&password);
    return pc_error_set(err, PC_EIO, "%s: pipe: %s", argv[0], strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &actions, NULL, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  free(envp);
  pc_buf_free(&password);
  if (rc != 0) {
    close(pipe_fds[0]);
    return pc_error_set(err, PC_EUNAVAIL, "cannot run %s: %s (install postgresql-client)", argv[0], strerror(rc));
  }
  char output[300];
  size_t used = 0;
  ssize_t got;
  char sink[512];
  /* Keep the start of the output; drain the rest so the child never blocks. */
  while ((got = read(pipe_fds[0], sink, sizeof sink)) != 0) {
    if (got < 0) {
      if (errno == EINTR) continue;
      break;
    }
    size_t take = (size_t)got < sizeof output - 1 - used ? (size_t)got : sizeof output - 1 - used;
    memcpy(output + used, sink, take);
    used += take;
  }
  output[used] = '\0';
  close(pipe_fds[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return pc_error_set(err, PC_EINTERNAL, "%s: waitpid: %s", argv[0], strerror(errno));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  return pc_error_set(err, PC_EDB, "%s failed (%s %d): %s", argv[0], WIFEXITED(status) ? "exit" : "signal",
                      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), output);
}

static int fsync_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

int pc_pg_backup(pc_store_t *base, const char *dest_path, pc_error_t *err) {
  pg_store_t *store = (pg_store_t *)base;
  struct stat st;
  if (stat(dest_path, &st) == 0)
    return pc_error_set_at(err, PC_EEXIST, dest_path, 0, NULL, "backup file exists; choose a new name");
  if (PQstatus(store->conn) != CONNECTION_OK) PQreset(store->conn);
  pc_buf_t temp, conninfo, file_arg, db_arg;
  pc_buf_init(&temp, 4096);
  pc_buf_init(&conninfo, 0);
  pc_buf_init(&file_arg, 0);
  pc_buf_init(&db_arg, 0);
  int rc = 0;
  if (pc_buf_appendf(&temp, "%s.partial", dest_path) != 0)
    rc = pc_error_set_at(err, PC_ELIMIT, dest_path, 0, NULL, "path too long");
  if (rc == 0) {
    unlink(temp.data);
    current_conninfo(store, &conninfo);
    pc_buf_appendf(&file_arg, "--file=%s", temp.data);
    pc_buf_appendf(&db_arg, "--dbname=%s", conninfo.data);
    /* pg_dump takes one snapshot (REPEATABLE READ), so the archive is a
     * consistent copy while writers go on. */
    char *argv[] = {"pg_dump", "--format=custom", "--no-owner", "--no-privileges", file_arg.data, db_arg.data, NULL};
    rc = run_tool(store, argv, err);
  }
  if (rc == 0 && fsync_file(temp.data) != 0)
    rc = pc_error_set_at(err, PC_EIO, temp.data, 0, NULL, "fsync: %s", strerror(errno));
  if (rc == 0 && rename(temp.data, dest_path) != 0)
    rc = pc_error_set_at(err, PC_EIO, dest_path, 0, NULL, "rename: %s", strerror(errno));
  if (rc == 0) (void)pc_file_sync_parent(dest_path);
  else if (temp.data) unlink(temp.data);
  pc_buf_free(&temp);
  pc_buf_free(&conninfo);
  pc_buf_free(&file_arg);
  pc_buf_free(&db_arg);
  return rc;
}

int pc_pg_restore_file(pc_store_t *base, const char *path, pc_error_t *err) {
  pg_store_t *store = (pg_store_t *)base;
  if (access(path, R_OK) != 0)
    return pc_error_set_at(err, PC_ENOTFOUND, path, 0, NULL, "cannot read backup: %s", strerror(errno));
  if (PQstatus(store->conn) != CONNECTION_OK) PQreset(store->conn);
  pc_buf_t conninfo, db_arg;
  pc_buf_init(&conninfo, 0);
  pc_buf_init(&db_arg, 0);
  current_conninfo(store, &conninfo);
  pc_buf_appendf(&db_arg, "--dbname=%s", conninfo.data);
  /* --clean drops each object in the archive before recreating it, and
   * --single-transaction makes the whole replacement atomic: a failed
   * restore leaves the database as it was. */
  char *argv[] = {"pg_restore", "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
                  "--no-owner", "--no-privileges", db_arg.data, (char *)path, NULL};
  int rc = run_tool(store, argv, err);
  pc_buf_free(&conninfo);
  pc_buf_free(&db_arg);
  /* The tables this connection's statements were planned against are new. */
  pc_pg_invalidate_statements(store);
  return rc;
}

int pc_pg_restore_from(pc_store_t *dest, pc_store_t *source, pc_error_t *err) {
  char dir[256];
  const char *tmp = getenv("TMPDIR");
  if (pc_snprintf(dir, sizeof dir, "%s/precinct-restore-XXXXXX", tmp && tmp[0] ? tmp : "/tmp") != 0 ||
      mkdtemp(dir) == NULL)
    return pc_error_set(err, PC_EIO, "restore: cannot create a temporary directory: %s", strerror(errno));
  char archive[300];
  pc_snprintf(archive, sizeof archive, "%s/source.dump", dir);
  int rc = pc_pg_backup(source, archive, err);
  if (rc == 0) rc = pc_pg_restore_file(dest, archive, err);
  unlink(archive);
  rmdir(dir);
  return rc;
}

/* Runs SQL whose rows, if any, describe problems; appends them to PROBLEMS. */
static int collect_problems(pg_store_t *store, const char *sql, const char *label, pc_buf_t *problems,
                            pc_error_t *err) {
  PGresult *result = PQexec(store->conn, sql);
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    int rc = pc_pg_error(store, result, err, label);
    PQclear(result);
    return rc;
  }
  for (int row = 0; row < PQntuples(result) && problems->len < 600; row++) {
    pc_buf_appendf(problems, "%s:", label);
    for (int col = 0; col < PQnfields(result); col++) pc_buf_appendf(problems, " %s", PQgetvalue(result, row, col));
    pc_buf_append_str(problems, "; ");
  }
  PQclear(result);
  return 0;
}

/* What is checked: every constraint in the current schema is validated
 * (pg_constraint.convalidated: none was added NOT VALID and left so), and,
 * when the amcheck extension is installed in the database, every B-tree
 * index is consistent and indexes every heap tuple (bt_index_check with
 * heapallindexed) and every table's heap pages are sound (verify_heapam).
 * Without amcheck only the constraint check runs: PostgreSQL's page
 * checksums (initdb --data-checksums) then catch storage corruption on read. */
int pc_pg_integrity_check(pc_store_t *base, pc_error_t *err) {
  pg_store_t *store = (pg_store_t *)base;
  if (PQstatus(store->conn) != CONNECTION_OK) PQreset(store->conn);
  pc_buf_t problems;
  pc_buf_init(&problems, 0);
  int rc = collect_problems(store,
                            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
                            "WHERE NOT convalidated AND connamespace = current_schema()::regnamespace",
                            "constraint not validated", &problems, err);
  PGresult *result = rc == 0 ? PQexec(store->conn, "SELECT 1 FROM pg_extension WHERE extname = 'amcheck'") : NULL;
  int amcheck = result && PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1;
  PQclear(result);
  if (rc == 0 && amcheck) {
    /* bt_index_check raises an error (XX002) for a corrupt index rather than returning rows. */
    {
      result = PQexec(store->conn,
                      "SELECT count(bt_index_check(c.oid, true)) FROM pg_index i "
                      "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                      "WHERE a.amname = 'btree' AND c.relnamespace = current_schema()::regnamespace");
      if (PQresultStatus(result) != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
        if (state && strcmp(state, "XX002") == 0) pc_buf_appendf(&problems, "index: %s; ", PQresultErrorMessage(result));
        else rc = pc_pg_error(store, result, err, "amcheck");
      }
      PQclear(result);
    }
    if (rc == 0)
      rc = collect_problems(store,
                            "SELECT c.relname, v.blkno, v.msg FROM pg_class c, LATERAL verify_heapam(c.oid) v "
                            "WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace",
                            "heap", &problems, err);
  }
  if (rc == 0 && problems.len > 0)
    rc = pc_error_set(err, PC_EINTEGRITY, "PostgreSQL integrity check: %s", pc_buf_str(&problems));
  pc_buf_free(&problems);
  return rc;
}
