/* The public registration lookup (voters_lookup.h): exact name, full birth
 * date and ZIP against the roll, then the voter's county, precinct, polling
 * place and districts. The same statements run whether or not anyone
 * matches, so the answer's timing says little about the roll. No rate
 * limiting or rendering here. */
#include "precinct/voters_lookup.h"

#include "precinct/buf.h"
#include "voters_internal.h"

#include <sodium.h>

#include <string.h>

/* Candidates sharing one exact name; more than this many namesakes is
 * beyond any real roll and would only slow the scan. */
#define MAX_NAMESAKES 256

static int digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

int pc_voters_lookup_validate(const pc_voter_lookup_query_t *q, pc_error_t *err) {
  if (q->last_name == NULL || q->last_name[0] == '\0' || strlen(q->last_name) > 30)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "last_name", "expected 1-30 characters");
  if (q->first_name == NULL || q->first_name[0] == '\0' || strlen(q->first_name) > 30)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "first_name", "expected 1-30 characters");
  if (q->birth_date == NULL || strlen(q->birth_date) != 10 || !pc_voters_valid_date(q->birth_date))
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "birth_date", "expected a real date");
  size_t zip = q->zip ? strlen(q->zip) : 0;
  if (!((zip == 5 && digits(q->zip, 5)) || (zip == 10 && digits(q->zip, 5) && q->zip[5] == '-' &&
                                          digits(q->zip + 6, 4))))
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "zip", "expected a 5-digit ZIP code");
  return 0;
}

/* The columns a lookup reads, never SELECT *: the voter_records view has 73
 * and reading (and copying) all of them for every namesake was a tenth of
 * the request. Both statements below read exactly these, so a found voter, a
 * namesake and a decoy cost the same. */
#define LOOKUP_COLUMNS                                                                                           \
  "county_id, first_name, last_name, status, res_zip, birth_date, precinct_code, merged_into_id,"             \
  " municipality_abbrv, municipality_desc, ward_abbrv, ward_desc, cong_dist_abbrv, judic_dist_abbrv,"          \
  " nc_senate_abbrv, nc_house_abbrv, county_commiss_abbrv, county_commiss_desc, school_dist_abbrv,"            \
  " school_dist_desc"

/* Query column of the first district, then each district's index in
 * pc_voter_t.district (NC order) in query order. */
enum { FIRST_DISTRICT_COLUMN = 8 };
static const int district_columns[] = {0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 13, 14};

/* Fills V's fields that LOOKUP_COLUMNS reads; the rest stay zero. */
static void read_row(pc_stmt_t *stmt, pc_voter_t *v) {
  memset(v, 0, sizeof *v);
  v->county_id = pc_stmt_column_int64(stmt, 0);
  struct {
    char *field;
    size_t size;
  } texts[] = {{v->first_name, sizeof v->first_name}, {v->last_name, sizeof v->last_name},
               {v->status, sizeof v->status},         {v->res_zip, sizeof v->res_zip},
               {v->birth_date, sizeof v->birth_date}, {v->precinct_code, sizeof v->precinct_code}};
  for (int i = 0; i < (int)(sizeof texts / sizeof texts[0]); i++) {
    const char *text = pc_stmt_column_text(stmt, i + 1);
    pc_strlcpy(texts[i].field, text ? text : "", texts[i].size);
  }
  v->merged_into_id = pc_stmt_column_int64(stmt, 7);
  for (int i = 0; i < (int)(sizeof district_columns / sizeof district_columns[0]); i++) {
    const char *text = pc_stmt_column_text(stmt, FIRST_DISTRICT_COLUMN + i);
    pc_strlcpy(v->district[district_columns[i]], text ? text : "", sizeof v->district[0]);
  }
}

/* The districts a voter sees, as (kind, column index, fallback index). */
static const struct {
  const char *kind;
  int column, fallback;
} district_map[PC_VOTER_LOOKUP_MAX_DISTRICTS] = {
    {"congress", 4, -1},          {"state_senate", 7, -1}, {"state_house", 8, -1},
    {"municipality", 1, 0},       {"ward", 3, 2},          {"county_commission", 10, 9},
    {"school", 14, 13},           {"judicial", 6, -1},
};

static void fill_districts(const pc_voter_t *v, pc_voter_lookup_t *out) {
  out->district_count = 0;
  for (int i = 0; i < PC_VOTER_LOOKUP_MAX_DISTRICTS; i++) {
    const char *name = v->district[district_map[i].column];
    if (name[0] == '\0' && district_map[i].fallback >= 0) name = v->district[district_map[i].fallback];
    if (name[0] == '\0') continue;
    pc_voter_lookup_district_t *d = &out->districts[out->district_count++];
    d->kind = district_map[i].kind;
    pc_strlcpy(d->name, name, sizeof d->name);
  }
}

/* Reads one voter row that is nobody's answer, so that a name with no
 * namesake on the roll costs the row read a namesake would: the time to
 * answer must not say whether anyone has that name. The row is the next one
 * after the name on the same index (the pages the probe just read, and the
 * same row for the same name, as a namesake would be), not a random one,
 * whose cold page would make "not found" the slow answer. */
static int read_decoy(pc_store_t *store, const char *last, const char *first, pc_voter_t *row, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT " LOOKUP_COLUMNS " FROM voter_records WHERE (last_name, first_name) > (?, ?)"
                            " ORDER BY last_name, first_name, birth_year LIMIT 1",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, last);
  pc_stmt_bind_text(stmt, 2, first);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) read_row(stmt, row);
  pc_stmt_finalize(stmt);
  return rc < 0 ? rc : 0;
}

/* Scans every namesake and keeps the first whose birth date and ZIP match,
 * comparing in constant time and never stopping early. *LAST_ROW receives the
 * last row read (a namesake, or a decoy when there was none), whose county
 * and precinct the caller looks up when nobody matched. */
static int find_voter(pc_store_t *store, const pc_voter_lookup_query_t *q, pc_voter_t *match, pc_voter_t *last_row,
                      int *found, pc_error_t *err) {
  char last[40], first[40];
  pc_strlcpy(last, q->last_name, sizeof last);
  pc_strlcpy(first, q->first_name, sizeof first);
  pc_voters_normalize(last);
  pc_voters_normalize(first);
  char want[16] = {0}, have[16];
  memcpy(want, q->birth_date, 10);
  memcpy(want + 10, q->zip, 5);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT " LOOKUP_COLUMNS " FROM voter_records WHERE last_name = ? AND first_name = ? AND birth_year = ?"
                            " ORDER BY id LIMIT ?",
                            &stmt, err);
  if (rc != 0) return rc;
  int64_t year = (q->birth_date[0] - '0') * 1000 + (q->birth_date[1] - '0') * 100 + (q->birth_date[2] - '0') * 10 +
                 (q->birth_date[3] - '0');
  pc_stmt_bind_text(stmt, 1, last);
  pc_stmt_bind_text(stmt, 2, first);
  pc_stmt_bind_int64(stmt, 3, year);
  pc_stmt_bind_int64(stmt, 4, MAX_NAMESAKES);
  pc_voter_t *row = last_row;
  int rows = 0;
  *found = 0;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    rows++;
    read_row(stmt, row);
    memset(have, 0, sizeof have);
    memcpy(have, row->birth_date, strnlen(row->birth_date, 10));
    memcpy(have + 10, row->res_zip, strnlen(row->res_zip, 5));
    int same = sodium_memcmp(want, have, sizeof want) == 0 && row->birth_date[0] != '\0' && row->merged_into_id == 0;
    if (same && !*found) {
      *match = *row;
      *found = 1;
    }
  }
  pc_stmt_finalize(stmt);
  if (rc == PC_STORE_DONE && rows == 0) {
    int decoy = read_decoy(store, last, first, last_row, err);
    if (decoy != 0) rc = decoy;
  }
  sodium_memzero(want, sizeof want);
  sodium_memzero(have, sizeof have);
  return rc == PC_STORE_DONE ? 0 : rc;
}

/* County name, precinct name and the latest election's polling place for
 * (COUNTY_ID, CODE); with COUNTY_ID 0 the same statements find nothing. */
static int place_of(pc_store_t *store, int64_t county_id, const char *code, pc_voter_lookup_t *out, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT c.name, COALESCE((SELECT vp.name FROM voter_precincts vp WHERE vp.county_id = c.id"
                            " AND vp.code = ?), '') FROM counties c WHERE c.id = ?",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, code);
  pc_stmt_bind_int64(stmt, 2, county_id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    pc_strlcpy(out->county, pc_stmt_column_text(stmt, 0), sizeof out->county);
    pc_strlcpy(out->precinct_name, pc_stmt_column_text(stmt, 1), sizeof out->precinct_name);
  }
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  rc = pc_store_prepare(store,
                        "SELECT pp.name, pp.address FROM polling_places pp JOIN precincts p ON p.id = pp.precinct_id"
                        " WHERE p.county_id = ? AND p.code = ? ORDER BY pp.election_id DESC, pp.id LIMIT 1",
                        &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, county_id);
  pc_stmt_bind_text(stmt, 2, code);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    out->has_polling_place = 1;
    pc_strlcpy(out->polling_place_name, pc_stmt_column_text(stmt, 0), sizeof out->polling_place_name);
    pc_strlcpy(out->polling_place_address, pc_stmt_column_text(stmt, 1), sizeof out->polling_place_address);
  }
  pc_stmt_finalize(stmt);
  return rc < 0 ? rc : 0;
}

int pc_voters_lookup(pc_store_t *store, const pc_voter_lookup_query_t *q, pc_voter_lookup_t *out,
                     pc_error_t *err) {
  int rc = pc_voters_lookup_validate(q, err);
  if (rc != 0) return rc;
  pc_voter_lookup_t result;
  memset(&result, 0, sizeof result);
  pc_voter_t voter, last;
  memset(&voter, 0, sizeof voter);
  memset(&last, 0, sizeof last);
  int found = 0;
  /* One read transaction for the three to five statements: one snapshot,
   * and the database's read lock taken once rather than per statement. */
  int own_transaction = !pc_store_in_transaction(store);
  if (own_transaction && (rc = pc_store_begin_read(store, err)) != 0) return rc;
  rc = find_voter(store, q, &voter, &last, &found, err);
  /* Not found: the place of the last row read, then forgotten, so the same
   * rows are read either way. */
  if (rc == 0)
    rc = place_of(store, found ? voter.county_id : last.county_id, found ? voter.precinct_code : last.precinct_code,
                  &result, err);
  sodium_memzero(&last, sizeof last);
  if (own_transaction) pc_store_rollback(store); /* read only: nothing to keep */
  if (rc != 0) return rc;
  if (found) {
    result.found = 1;
    pc_strlcpy(result.first_name, voter.first_name, sizeof result.first_name);
    pc_strlcpy(result.last_name, voter.last_name, sizeof result.last_name);
    pc_strlcpy(result.status, voter.status, sizeof result.status);
    pc_strlcpy(result.precinct_code, voter.precinct_code, sizeof result.precinct_code);
    fill_districts(&voter, &result);
  } else {
    memset(&result, 0, sizeof result);
  }
  sodium_memzero(&voter, sizeof voter);
  *out = result;
  return 0;
}
