/* Counties: create, look up, list, update contact details. Every change is
 * audited in the same transaction. */
#include "precinct/counties.h"
#include "precinct/buf.h"
#include "precinct/clock.h"

#include <string.h>

/* The columns read_county reads, in its order; joined into each statement at
 * compile time, so every statement is a constant. */
#define SELECT_COUNTY "SELECT id, name, COALESCE(fips, ''), office_address, office_phone, website FROM counties "

static void read_county(pc_stmt_t *stmt, pc_county_t *out) {
  memset(out, 0, sizeof *out);
  out->id = pc_stmt_column_int64(stmt, 0);
  pc_strlcpy(out->name, pc_stmt_column_text(stmt, 1), sizeof out->name);
  pc_strlcpy(out->fips, pc_stmt_column_text(stmt, 2), sizeof out->fips);
  pc_strlcpy(out->office_address, pc_stmt_column_text(stmt, 3), sizeof out->office_address);
  pc_strlcpy(out->office_phone, pc_stmt_column_text(stmt, 4), sizeof out->office_phone);
  pc_strlcpy(out->website, pc_stmt_column_text(stmt, 5), sizeof out->website);
}

static int validate(const char *name, const char *fips, pc_error_t *err) {
  size_t length = strlen(name);
  if (length == 0 || length > 100) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "name", "expected 1 to 100 characters");
  if (fips && fips[0]) {
    if (strlen(fips) != 5 || strspn(fips, "0123456789") != 5)
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "fips", "expected a 5-digit county FIPS code, got \"%s\"", fips);
  }
  return 0;
}

int pc_counties_create(pc_store_t *store, const pc_actor_t *actor, const char *name, const char *fips, int64_t *id,
                       pc_error_t *err) {
  int rc = validate(name, fips, err);
  if (rc != 0) return rc;
  rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  pc_stmt_t *stmt;
  int64_t new_id = 0;
  rc = pc_store_prepare(store, "INSERT INTO counties (name, fips, created_at) VALUES (?, ?, ?) RETURNING id", &stmt, err);
  if (rc == 0) {
    char now[PC_RFC3339_SIZE];
    pc_clock_now_rfc3339(now);
    pc_stmt_bind_text(stmt, 1, name);
    pc_stmt_bind_text(stmt, 2, fips && fips[0] ? fips : NULL);
    pc_stmt_bind_text(stmt, 3, now);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) {
      new_id = pc_stmt_column_int64(stmt, 0);
      rc = 0;
    } else if (rc == PC_ECONFLICT) {
      pc_error_set_at(err, PC_EEXIST, NULL, 0, "name", "a county named \"%s\" (or with FIPS %s) exists already", name,
                      fips && fips[0] ? fips : "-");
      rc = PC_EEXIST;
    }
    pc_stmt_finalize(stmt);
  }
  if (rc == 0) rc = pc_audit_record(store, actor, "county.create", "counties", new_id, NULL, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  if (rc == 0 && id) *id = new_id;
  return rc;
}

/* Reads the one county SQL (a constant statement with one parameter) finds:
 * by NAME when given, else by ID. */
static int get_one(pc_store_t *store, const char *sql, int64_t id, const char *name, pc_county_t *out, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  if (name) pc_stmt_bind_text(stmt, 1, name);
  else pc_stmt_bind_int64(stmt, 1, id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    read_county(stmt, out);
    rc = 0;
  } else if (rc == PC_STORE_DONE) {
    rc = name ? pc_error_set_at(err, PC_ENOTFOUND, NULL, 0, "county", "no county named \"%s\"", name)
              : pc_error_set_at(err, PC_ENOTFOUND, NULL, 0, "county", "no county with id %lld", (long long)id);
  }
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_counties_get(pc_store_t *store, int64_t id, pc_county_t *out, pc_error_t *err) {
  return get_one(store, SELECT_COUNTY "WHERE id = ?", id, NULL, out, err);
}

int pc_counties_find(pc_store_t *store, const char *name, pc_county_t *out, pc_error_t *err) {
  return get_one(store, SELECT_COUNTY "WHERE name = ?", 0, name, out, err);
}

int pc_counties_update_contact(pc_store_t *store, const pc_actor_t *actor, int64_t id, const char *office_address,
                               const char *office_phone, const char *website, pc_error_t *err) {
  struct { const char *value; const char *field; size_t max; } fields[] = {
      {office_address, "office_address", 255}, {office_phone, "office_phone", 63}, {website, "website", 255}};
  for (size_t i = 0; i < 3; i++)
    if (fields[i].value && strlen(fields[i].value) > fields[i].max)
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, fields[i].field, "longer than %zu characters", fields[i].max);
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  unsigned char before[PC_HASH_SIZE];
  rc = pc_audit_row_hash(store, "counties", id, before, err);
  pc_stmt_t *stmt;
  if (rc == 0)
    rc = pc_store_prepare(store,
                          "UPDATE counties SET office_address = COALESCE(?, office_address),"
                          " office_phone = COALESCE(?, office_phone), website = COALESCE(?, website) WHERE id = ?",
                          &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_text(stmt, 1, office_address);
    pc_stmt_bind_text(stmt, 2, office_phone);
    pc_stmt_bind_text(stmt, 3, website);
    pc_stmt_bind_int64(stmt, 4, id);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_DONE) rc = 0;
    pc_stmt_finalize(stmt);
  }
  if (rc == 0) rc = pc_audit_record(store, actor, "county.update", "counties", id, before, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  return rc;
}

int pc_counties_each(pc_store_t *store, int (*visit)(const pc_county_t *county, void *context), void *context,
                     pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, SELECT_COUNTY "ORDER BY name", &stmt, err);
  if (rc != 0) return rc;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    pc_county_t county;
    read_county(stmt, &county);
    rc = visit(&county, context);
    if (rc != 0) break;
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}
