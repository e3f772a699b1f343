/* The county street index in the database: importing a county's CSV as a
 * new version (all or nothing, one audit entry whose row covers the
 * segments by digest), exporting the current version, and looking an
 * address up. Text parsing and the overlap check are streets_parse.c; the
 * use of the index by registration is in roll.c. */
#include "voters_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/fileio.h"
#include "precinct/sha256.h"
#include "precinct/voters_streets.h"

#include <stdlib.h>
#include <string.h>

/* The county's newest version: *VERSION_ID 0 when it never had one. */
static int current_version(pc_store_t *store, int64_t county_id, int64_t *version_id, int64_t *rows, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT id, row_count FROM voter_street_versions WHERE county_id = ? ORDER BY id DESC LIMIT 1",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, county_id);
  rc = pc_stmt_step(stmt, err);
  *version_id = *rows = 0;
  if (rc == PC_STORE_ROW) *version_id = pc_stmt_column_int64(stmt, 0), *rows = pc_stmt_column_int64(stmt, 1);
  pc_stmt_finalize(stmt);
  return rc < 0 ? rc : 0;
}

int pc_voters_streets_has_index(pc_store_t *store, int64_t county_id, int *has_index, pc_error_t *err) {
  int64_t version = 0, rows = 0;
  int rc = current_version(store, county_id, &version, &rows, err);
  if (rc == 0) *has_index = rows > 0;
  return rc;
}

int pc_voters_streets_lookup(pc_store_t *store, int64_t county_id, const char *address, const char *zip,
                             char precinct_code[8], pc_error_t *err) {
  pc_street_address_t a;
  int rc = pc_streets_parse_address(address, &a, err);
  if (rc != 0) return rc;
  char zip5[6] = "";
  if (zip == NULL || strlen(zip) < 5 || strspn(zip, "0123456789") < 5)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "res_zip", "expected a 5-digit ZIP code");
  memcpy(zip5, zip, 5);
  int64_t version = 0, rows = 0;
  rc = current_version(store, county_id, &version, &rows, err);
  if (rc != 0) return rc;
  if (rows == 0) return pc_error_set(err, PC_ENOTFOUND, "the county has no street index");
  pc_stmt_t *stmt;
  rc = pc_store_prepare(store,
                        "SELECT precinct_code, low, high, parity FROM voter_street_segments"
                        " WHERE version_id = ? AND street = ? AND zip = ? AND low <= ? ORDER BY low",
                        &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, version);
  pc_stmt_bind_text(stmt, 2, a.street);
  pc_stmt_bind_text(stmt, 3, zip5);
  pc_stmt_bind_int64(stmt, 4, a.number);
  int found = 0;
  while (!found && (rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    pc_street_segment_t s = {.low = pc_stmt_column_int64(stmt, 1), .high = pc_stmt_column_int64(stmt, 2)};
    const char *parity = pc_stmt_column_text(stmt, 3), *code = pc_stmt_column_text(stmt, 0);
    s.parity = parity ? parity[0] : 'B';
    if (pc_streets_segment_contains(&s, a.number)) {
      pc_strlcpy(precinct_code, code ? code : "", 8);
      found = 1;
    }
  }
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  if (!found)
    return pc_error_set_at(err, PC_ENOTFOUND, NULL, 0, "res_street_address", "not in the county's street index: %lld %s %s",
                           (long long)a.number, a.street, zip5);
  return 0;
}

static int precinct_known(pc_store_t *store, int64_t county_id, const pc_street_segment_t *s, const char *path,
                          const char *county, pc_error_t *err) {
  int known = 0;
  int rc = pc_voters_precinct_known(store, county_id, s->precinct_code, &known, err);
  if (rc == 0 && !known)
    return pc_error_set_at(err, PC_EINVAL, path, s->line, "precinct",
                           "precinct \"%s\" is not a known precinct of %s (add it with `precinct voters precinct`)",
                           s->precinct_code, county);
  return rc;
}

/* SHA-256 over the audit row hashes of the version's segments in id order,
 * exactly as src/audit/bulk.c recomputes it. */
static int segments_digest(pc_store_t *store, int64_t version_id, char hex[PC_HASH_SIZE * 2 + 1], pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT * FROM voter_street_segments WHERE version_id = ? ORDER BY id", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, version_id);
  pc_sha256_t digest;
  pc_sha256_init(&digest);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    unsigned char hash[PC_HASH_SIZE];
    pc_audit_row_hash_current(stmt, "voter_street_segments", hash);
    pc_sha256_update(&digest, hash, sizeof hash);
  }
  pc_stmt_finalize(stmt);
  if (rc != PC_STORE_DONE) return rc < 0 ? rc : PC_EDB;
  pc_sha256_final_hex(&digest, hex);
  return 0;
}

static int store_version(pc_voters_t *v, int64_t county_id, const char *county, const char *path, const char *file_hex,
                         const pc_street_segment_t *segments, size_t count, int64_t *version_id, pc_error_t *err) {
  const char *precinct_checked = "";
  for (size_t i = 0; i < count; i++) {
    if (strcmp(segments[i].precinct_code, precinct_checked) == 0) continue;
    int rc = precinct_known(v->store, county_id, &segments[i], path, county, err);
    if (rc != 0) return rc;
    precinct_checked = segments[i].precinct_code;
  }
  const char *base = strrchr(path, '/');
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store,
                            "INSERT INTO voter_street_versions (county_id, file_name, file_sha256, row_count, rows_digest,"
                            " imported_at) VALUES (?, ?, ?, ?, '', ?) RETURNING id",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, county_id);
  pc_stmt_bind_text(stmt, 2, base ? base + 1 : path);
  pc_stmt_bind_text(stmt, 3, file_hex);
  pc_stmt_bind_int64(stmt, 4, (int64_t)count);
  pc_stmt_bind_text(stmt, 5, now);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) *version_id = pc_stmt_column_int64(stmt, 0), rc = 0;
  pc_stmt_finalize(stmt);
  if (rc != 0) return rc < 0 ? rc : PC_EDB;
  rc = pc_store_prepare(v->store,
                        "INSERT INTO voter_street_segments (version_id, county_id, street, low, high, parity, zip, city,"
                        " precinct_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &stmt, err);
  if (rc != 0) return rc;
  for (size_t i = 0; rc == 0 && i < count; i++) {
    const pc_street_segment_t *s = &segments[i];
    char parity[2] = {s->parity, '\0'};
    pc_stmt_reset(stmt);
    pc_stmt_bind_int64(stmt, 1, *version_id);
    pc_stmt_bind_int64(stmt, 2, county_id);
    pc_stmt_bind_text(stmt, 3, s->street);
    pc_stmt_bind_int64(stmt, 4, s->low);
    pc_stmt_bind_int64(stmt, 5, s->high);
    pc_stmt_bind_text(stmt, 6, parity);
    pc_stmt_bind_text(stmt, 7, s->zip);
    pc_stmt_bind_text(stmt, 8, s->city);
    pc_stmt_bind_text(stmt, 9, s->precinct_code);
    rc = pc_stmt_step(stmt, err);
    if (rc > 0) rc = 0;
    else if (rc < 0) pc_error_set_at(err, rc, path, s->line, NULL, "%s", "could not store this segment");
  }
  pc_stmt_finalize(stmt);
  if (rc != 0) return rc;
  char digest_hex[PC_HASH_SIZE * 2 + 1];
  rc = segments_digest(v->store, *version_id, digest_hex, err);
  if (rc == 0) rc = pc_store_prepare(v->store, "UPDATE voter_street_versions SET rows_digest = ? WHERE id = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, digest_hex);
  pc_stmt_bind_int64(stmt, 2, *version_id);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  return pc_audit_record(v->store, &v->actor, "streets.import", "voter_street_versions", *version_id, NULL, NULL, err);
}

int pc_voters_streets_import(pc_voters_t *v, const char *county, const char *path, pc_streets_import_result_t *result,
                             pc_error_t *err) {
  char *data = NULL;
  size_t size = 0;
  int rc = pc_file_read_all(path, PC_STREETS_MAX_FILE, &data, &size, err);
  if (rc != 0) return rc;
  char file_hex[PC_HASH_SIZE * 2 + 1];
  pc_sha256_hex(data, size, file_hex);
  pc_street_segment_t *segments = NULL;
  size_t count = 0;
  rc = pc_streets_parse_csv(data, size, path, &segments, &count, err);
  free(data);
  if (rc != 0) return rc;
  int64_t county_id = 0, version_id = 0;
  rc = pc_store_begin(v->store, err);
  if (rc == 0) {
    rc = pc_voters_county_id(v->store, county, &county_id, err);
    if (rc == 0) rc = pc_voters_check_scope(v, county_id, err);
    if (rc == 0) rc = store_version(v, county_id, county, path, file_hex, segments, count, &version_id, err);
    if (rc == 0) rc = pc_store_commit(v->store, err);
    if (rc != 0) pc_store_rollback(v->store);
  }
  free(segments);
  if (rc != 0) return rc;
  if (result) {
    result->version_id = version_id;
    result->segments = (int64_t)count;
    pc_strlcpy(result->file_sha256, file_hex, sizeof result->file_sha256);
  }
  return 0;
}

/* A CSV field, quoted when it holds a comma, quote or line break. */
static void csv_field(pc_buf_t *out, const char *text) {
  if (strpbrk(text, ",\"\r\n") == NULL) {
    pc_buf_append_str(out, text);
    return;
  }
  pc_buf_append_char(out, '"');
  for (const char *p = text; *p; p++) {
    if (*p == '"') pc_buf_append_char(out, '"');
    pc_buf_append_char(out, *p);
  }
  pc_buf_append_char(out, '"');
}

int pc_voters_streets_export(pc_voters_t *v, const char *county, const char *path, int64_t *rows_out, pc_error_t *err) {
  int64_t county_id = 0, version = 0, rows = 0;
  int rc = pc_store_begin_read(v->store, err);
  if (rc != 0) return rc;
  rc = pc_voters_county_id(v->store, county, &county_id, err);
  if (rc == 0) rc = pc_voters_check_scope(v, county_id, err);
  if (rc == 0) rc = current_version(v->store, county_id, &version, &rows, err);
  pc_stmt_t *stmt = NULL;
  if (rc == 0)
    rc = pc_store_prepare(v->store,
                          "SELECT street, low, high, parity, zip, city, precinct_code FROM voter_street_segments"
                          " WHERE version_id = ? ORDER BY id",
                          &stmt, err);
  pc_buf_t out;
  pc_buf_init(&out, 2 * (size_t)PC_STREETS_MAX_FILE);
  pc_buf_append_str(&out, "street,low,high,parity,zip,city,precinct\n");
  int64_t written = 0;
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, version);
    while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
      const char *text[7];
      for (int i = 0; i < 7; i++) {
        text[i] = pc_stmt_column_text(stmt, i);
        if (text[i] == NULL) text[i] = "";
      }
      csv_field(&out, text[0]);
      pc_buf_appendf(&out, ",%lld,%lld,%s,%s,", (long long)pc_stmt_column_int64(stmt, 1),
                     (long long)pc_stmt_column_int64(stmt, 2), text[3], text[4]);
      csv_field(&out, text[5]);
      pc_buf_append_char(&out, ',');
      csv_field(&out, text[6]);
      pc_buf_append_char(&out, '\n');
      written++;
    }
    pc_stmt_finalize(stmt);
    if (rc == PC_STORE_DONE) rc = 0;
  }
  pc_store_rollback(v->store);
  if (rc == 0) rc = pc_file_write_durable(path, out.data, out.len, 0644, 0, err);
  pc_buf_free(&out);
  if (rc != 0) return rc;
  char detail[64];
  pc_snprintf(detail, sizeof detail, "%lld", (long long)version);
  rc = pc_store_begin(v->store, err);
  if (rc == 0) rc = pc_audit_record_event(v->store, &v->actor, "streets.export", "voter_street_versions", detail, NULL, err);
  if (rc == 0) rc = pc_store_commit(v->store, err);
  else pc_store_rollback(v->store);
  if (rc == 0 && rows_out) *rows_out = written;
  return rc;
}
