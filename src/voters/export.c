/* Exporting the roll: the NC public layout (no birth date, licence or SSN;
 * confidential voters without address) or VRI voter records, streamed in id
 * order to a temporary file that is fsync'd and renamed into place. Also
 * verifying the bulk-import audit digests. */
#include "nc_layout.h"
#include "strmap.h"
#include "voters_internal.h"
#include "vri.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/fileio.h"
#include "precinct/progress.h"
#include "precinct/voters_io.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct names {
  char **by_county_id;   /* county names indexed by id */
  int64_t county_limit;
  pc_strmap_t precincts; /* "county|code" -> index in precinct_names */
  char **precinct_names;
  size_t precinct_count;
} names_t;

static int load_names(pc_store_t *store, names_t *n, pc_error_t *err) {
  memset(n, 0, sizeof *n);
  pc_strmap_init(&n->precincts);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT id, name FROM counties ORDER BY id", &stmt, err);
  if (rc != 0) return rc;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    int64_t id = pc_stmt_column_int64(stmt, 0);
    if (id < 0 || id > 1000000) continue;
    if (id >= n->county_limit) {
      int64_t limit = id + 64;
      n->by_county_id = pc_xreallocarray(n->by_county_id, (size_t)limit, sizeof(char *));
      memset(n->by_county_id + n->county_limit, 0, (size_t)(limit - n->county_limit) * sizeof(char *));
      n->county_limit = limit;
    }
    n->by_county_id[id] = pc_xstrdup(pc_stmt_column_text(stmt, 1));
  }
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  rc = pc_store_prepare(store, "SELECT county_id, code, name FROM voter_precincts", &stmt, err);
  if (rc != 0) return rc;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    char key[48];
    pc_snprintf(key, sizeof key, "%lld|%s", (long long)pc_stmt_column_int64(stmt, 0), pc_stmt_column_text(stmt, 1));
    n->precinct_names = pc_xreallocarray(n->precinct_names, n->precinct_count + 1, sizeof(char *));
    n->precinct_names[n->precinct_count] = pc_xstrdup(pc_stmt_column_text(stmt, 2));
    pc_strmap_put(&n->precincts, key, (int64_t)n->precinct_count++);
  }
  pc_stmt_finalize(stmt);
  return rc < 0 ? rc : 0;
}

static void free_names(names_t *n) {
  for (int64_t i = 0; i < n->county_limit; i++) free(n->by_county_id[i]);
  free(n->by_county_id);
  for (size_t i = 0; i < n->precinct_count; i++) free(n->precinct_names[i]);
  free(n->precinct_names);
  pc_strmap_free(&n->precincts);
}

static const char *county_name(const names_t *n, int64_t id) {
  return id >= 0 && id < n->county_limit && n->by_county_id[id] ? n->by_county_id[id] : "";
}

static const char *precinct_name(const names_t *n, int64_t county_id, const char *code) {
  char key[48];
  pc_snprintf(key, sizeof key, "%lld|%s", (long long)county_id, code);
  int64_t index;
  return pc_strmap_get(&n->precincts, key, &index) ? n->precinct_names[index] : "";
}

int pc_voters_export(pc_voters_t *v, const char *format, const char *path, int quiet, int64_t *rows_out,
                     pc_error_t *err) {
  int vri = strcmp(format, "vri") == 0;
  if (!vri && strcmp(format, "nc") != 0) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "format", "expected nc or vri");
  int64_t scope_id = 0;
  if (v->county_scope) {
    int rc = pc_voters_county_id(v->store, v->county_scope, &scope_id, err);
    if (rc != 0) return rc;
  }
  char tmp[1200];
  if (pc_snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) != 0) return pc_error_set(err, PC_ELIMIT, "path too long");
  FILE *out = fopen(tmp, "wb");
  if (out == NULL) return pc_error_set_at(err, PC_EIO, tmp, 0, NULL, "cannot create: %s", strerror(errno));
  char *buffer = pc_xmalloc(1 << 20);
  setvbuf(out, buffer, _IOFBF, 1 << 20);
  names_t names;
  int rc = pc_store_begin_read(v->store, err);
  int began = rc == 0;
  if (rc == 0) rc = load_names(v->store, &names, err);
  else memset(&names, 0, sizeof names), pc_strmap_init(&names.precincts);
  int64_t total = 0, rows = 0;
  pc_stmt_t *stmt = NULL;
  if (rc == 0)
    rc = pc_store_prepare(v->store, scope_id ? "SELECT COUNT(*) FROM voters WHERE county_id = ?" : "SELECT COUNT(*) FROM voters",
                          &stmt, err);
  if (rc == 0) {
    if (scope_id) pc_stmt_bind_int64(stmt, 1, scope_id);
    if (pc_stmt_step(stmt, err) == PC_STORE_ROW) total = pc_stmt_column_int64(stmt, 0);
    pc_stmt_finalize(stmt);
    rc = pc_store_prepare(v->store,
                          scope_id ? "SELECT * FROM voter_records WHERE county_id = ? ORDER BY id" : "SELECT * FROM voter_records ORDER BY id",
                          &stmt, err);
  }
  if (rc == 0) {
    if (scope_id) pc_stmt_bind_int64(stmt, 1, scope_id);
    pc_progress_t *progress = pc_progress_start("export", (uint64_t)total, quiet);
    char today[12];
    pc_voters_today(today);
    int year = (int)strtol(today, NULL, 10);
    pc_buf_t line;
    pc_buf_init(&line, 0);
    if (vri) fputs("{\"@type\":\"VRI.VoterRecordResults\",\"VoterRecord\":[\n", out);
    else pc_nc_write_header(&line, 0), fwrite(line.data, 1, line.len, out);
    pc_voter_t voter;
    while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
      pc_voter_read(stmt, &voter);
      const char *county = county_name(&names, voter.county_id);
      if (vri) {
        if (rows) fputs(",\n", out);
        rc = pc_vri_write_record(out, &voter, county);
        if (rc != 0) break;
      } else {
        pc_buf_reset(&line);
        pc_nc_write_record(&line, &voter, county, precinct_name(&names, voter.county_id, voter.precinct_code), year, 0);
        fwrite(line.data, 1, line.len, out);
      }
      if (++rows % 65536 == 0) pc_progress_update(progress, (uint64_t)rows);
    }
    if (rc == PC_STORE_DONE) rc = 0;
    if (vri) fputs("\n]}\n", out);
    pc_buf_free(&line);
    pc_stmt_finalize(stmt);
    pc_progress_update(progress, (uint64_t)rows);
    pc_progress_finish(progress);
  }
  if (began) pc_store_rollback(v->store);
  free_names(&names);
  if (fflush(out) != 0 || fsync(fileno(out)) != 0) rc = rc ? rc : pc_error_set_at(err, PC_EIO, tmp, 0, NULL, "write failed: %s", strerror(errno));
  fclose(out);
  free(buffer);
  if (rc == 0 && rename(tmp, path) != 0) rc = pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot rename: %s", strerror(errno));
  if (rc != 0) {
    unlink(tmp);
    return rc;
  }
  pc_file_sync_parent(path);
  /* The export itself is an event worth a log entry (who took the roll). */
  char detail[64];
  pc_snprintf(detail, sizeof detail, "%s:%lld", format, (long long)rows);
  rc = pc_store_begin(v->store, err);
  if (rc == 0) rc = pc_audit_record_event(v->store, &v->actor, "voters.export", "voters", detail, NULL, err);
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) pc_store_rollback(v->store);
  if (rc == 0 && rows_out) *rows_out = rows;
  return rc;
}

typedef struct verify_context {
  pc_error_t *err;
  int failed;
} verify_context_t;

static void first_problem(void *context, const char *text) {
  verify_context_t *c = context;
  if (!c->failed) pc_error_set(c->err, PC_EINTEGRITY, "%s", text);
  c->failed = 1;
}

int pc_voters_verify_imports(pc_store_t *store, int64_t *rows_checked, pc_error_t *err) {
  int rc = pc_store_begin_read(store, err);
  if (rc != 0) return rc;
  verify_context_t context = {err, 0};
  int64_t rows = 0, problems = 0;
  for (const pc_audit_bulk_t *bulk = pc_audit_bulk_tables; rc == 0 && bulk->table; bulk++)
    if (strcmp(bulk->table, "voters") == 0) rc = pc_audit_bulk_verify(store, bulk, first_problem, &context, &rows, &problems, err);
  pc_store_rollback(store);
  if (rc != 0) return rc;
  if (problems) return PC_EINTEGRITY;
  if (rows_checked) *rows_checked = rows;
  return 0;
}
