/* One voter at a time: registering, reading, changing, transferring between
 * counties, status changes, cancellation and voting history, each checked
 * against the rules and the caller's county scope and audited in the same
 * transaction. Bulk files, list maintenance and duplicates live elsewhere. */
#include "voters_internal.h"

#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/instance.h"
#include "precinct/voters_streets.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

int pc_voters_county_id(pc_store_t *store, const char *name, int64_t *id, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT id FROM counties WHERE UPPER(name) = UPPER(?)", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, name);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    *id = pc_stmt_column_int64(stmt, 0);
    rc = 0;
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set(err, PC_ENOTFOUND, "no county named \"%s\"", name);
  }
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_voters_check_scope(pc_voters_t *v, int64_t county_id, pc_error_t *err) {
  if (v->county_scope == NULL) return 0;
  int64_t scope_id = 0;
  int rc = pc_voters_county_id(v->store, v->county_scope, &scope_id, err);
  if (rc != 0) return rc;
  if (scope_id != county_id)
    return pc_error_set(err, PC_EPERM, "this voter is outside the county you work on (%s)", v->county_scope);
  return 0;
}

int pc_voters_load(pc_store_t *store, int64_t id, pc_voter_t *out, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT * FROM voter_records WHERE id = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    pc_voter_read(stmt, out);
    rc = 0;
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set(err, PC_ENOTFOUND, "no voter with id %lld", (long long)id);
  }
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_voters_row_hash(pc_store_t *store, int64_t id, unsigned char out[PC_HASH_SIZE], pc_error_t *err) {
  return pc_audit_row_hash(store, "voters", id, out, err);
}

int pc_voters_save(pc_voters_t *v, const pc_voter_t *voter, const char *action, const unsigned char *before,
                   pc_error_t *err) {
  int64_t district_set_id = 0;
  int rc = pc_voter_district_set(v->store, voter, &district_set_id, err);
  if (rc != 0) return rc;
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store, pc_voter_update_sql(), &stmt, err);
  if (rc != 0) return rc;
  pc_voter_bind_update(stmt, voter, district_set_id);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  return pc_audit_record(v->store, &v->actor, action, "voters", voter->id, before, NULL, err);
}

int pc_voters_get(pc_voters_t *v, int64_t id, pc_voter_t *out, pc_error_t *err) {
  pc_voter_t voter;
  int rc = pc_voters_load(v->store, id, &voter, err);
  if (rc != 0) return rc;
  pc_error_t scope_err;
  if (pc_voters_check_scope(v, voter.county_id, &scope_err) != 0)
    return pc_error_set(err, PC_ENOTFOUND, "no voter with id %lld", (long long)id);
  *out = voter;
  return 0;
}

int pc_voters_find_ncid(pc_voters_t *v, const char *ncid, pc_voter_t *out, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store, "SELECT id FROM voters WHERE ncid = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, ncid);
  rc = pc_stmt_step(stmt, err);
  int64_t id = rc == PC_STORE_ROW ? pc_stmt_column_int64(stmt, 0) : 0;
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  if (id == 0) return pc_error_set(err, PC_ENOTFOUND, "no voter with NCID %s", ncid);
  return pc_voters_get(v, id, out, err);
}

int pc_voters_search(pc_voters_t *v, const char *last, const char *first, int limit,
                     int (*visit)(void *context, const pc_voter_t *voter), void *context, pc_error_t *err) {
  char last_prefix[40], first_prefix[40];
  if (strlen(last) == 0 || strlen(last) > 30 || strlen(first) > 30)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "last", "expected 1-30 characters");
  pc_strlcpy(last_prefix, last, sizeof last_prefix);
  pc_strlcpy(first_prefix, first, sizeof first_prefix);
  pc_voters_normalize(last_prefix);
  pc_voters_normalize(first_prefix);
  int64_t scope = 0;
  if (v->county_scope) {
    int rc = pc_voters_county_id(v->store, v->county_scope, &scope, err);
    if (rc != 0) return rc;
  }
  /* A range scan on the (last_name, first_name, birth_year) index: prefix P
   * matches P <= name < P with its last byte incremented (no LIKE, no
   * escaping, valid UTF-8 for both backends). An empty first-name prefix
   * matches everything below "\x7f". */
  char last_end[44], first_end[44];
  pc_strlcpy(last_end, last_prefix, sizeof last_end);
  pc_strlcpy(first_end, first_prefix[0] ? first_prefix : "\x7f", sizeof first_end);
  if (first_prefix[0]) first_end[strlen(first_end) - 1]++;
  last_end[strlen(last_end) - 1]++;
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store,
                            "SELECT * FROM voter_records WHERE last_name >= ? AND last_name < ? AND first_name >= ?"
                            " AND first_name < ? AND (? = 0 OR county_id = ?) ORDER BY last_name, first_name, id LIMIT ?",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, last_prefix);
  pc_stmt_bind_text_n(stmt, 2, last_end, strlen(last_end));
  pc_stmt_bind_text(stmt, 3, first_prefix);
  pc_stmt_bind_text_n(stmt, 4, first_end, strlen(first_end));
  pc_stmt_bind_int64(stmt, 5, scope);
  pc_stmt_bind_int64(stmt, 6, scope);
  pc_stmt_bind_int64(stmt, 7, limit);
  pc_voter_t voter;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    pc_voter_read(stmt, &voter);
    rc = visit(context, &voter);
    if (rc != 0) break;
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

static int setting_or(pc_store_t *store, const char *name, const char *fallback, char *out, size_t size,
                      pc_error_t *err) {
  int rc = pc_instance_setting_get(store, name, out, size, err);
  if (rc == PC_ENOTFOUND) return pc_strlcpy(out, fallback, size);
  return rc;
}

int pc_voters_precinct_known(pc_store_t *store, int64_t county_id, const char *code, int *known, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT 1 FROM voter_precincts WHERE county_id = ? AND code = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, county_id);
  pc_stmt_bind_text(stmt, 2, code);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  *known = rc == PC_STORE_ROW;
  return 0;
}

static int precinct_exists(pc_store_t *store, int64_t county_id, const char *code, pc_error_t *err) {
  int known = 0;
  int rc = pc_voters_precinct_known(store, county_id, code, &known, err);
  if (rc == 0 && !known)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "precinct_code", "precinct \"%s\" is not a known precinct of the county",
                           code);
  return rc;
}

/* The precinct of a residence into PRECINCT (8 bytes; "" or the precinct
 * given). With a street index the address decides: a given precinct must
 * agree with it, and an address the index does not cover is refused unless
 * OVERRIDE says an official chose the precinct for it. Without an index the
 * given precinct is required and must be known. */
static int resolve_precinct(pc_voters_t *v, int64_t county_id, const char *street, const char *zip, char precinct[8],
                            int override, pc_error_t *err) {
  int has_index = 0;
  int rc = pc_voters_streets_has_index(v->store, county_id, &has_index, err);
  if (rc != 0) return rc;
  if (has_index) {
    char indexed[8];
    pc_error_t lookup_err;
    pc_error_clear(&lookup_err);
    rc = pc_voters_streets_lookup(v->store, county_id, street, zip, indexed, &lookup_err);
    if (rc == 0 && precinct[0] && strcmp(precinct, indexed) != 0)
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "precinct_code",
                             "%s %s is in precinct %s by the county's street index, not in precinct %s", street, zip,
                             indexed, precinct);
    if (rc == 0) pc_strlcpy(precinct, indexed, 8);
    else if (rc != PC_ENOTFOUND && rc != PC_EINVAL) return pc_error_set(err, rc, "%s", lookup_err.message);
    else if (!override || precinct[0] == '\0')
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "res_street_address", "%s", lookup_err.message);
  }
  if (precinct[0] == '\0')
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "precinct_code", "is required (the county has no street index)");
  return precinct_exists(v->store, county_id, precinct, err);
}

static int set_text(char *out, size_t size, const char *value, const char *field, pc_error_t *err) {
  char copy[128];
  if (pc_strlcpy(copy, value, sizeof copy) != 0 || strlen(value) >= size)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, field, "longer than %zu characters", size - 1);
  pc_voters_normalize(copy);
  pc_strlcpy(out, copy, size);
  return 0;
}

static int require(const char *value, const char *field, pc_error_t *err) {
  if (value[0] == '\0') return pc_error_set_at(err, PC_EINVAL, NULL, 0, field, "is required");
  return 0;
}

static int valid_zip(const char *zip) {
  size_t n = strlen(zip);
  if (n != 5 && n != 9) return 0;
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)zip[i])) return 0;
  return 1;
}

/* Decides A (votes at the next election) or P (pre-registered) from the
 * birth date, or refuses a registrant below the pre-registration age. */
int pc_voters_eligibility(pc_store_t *store, const char *birth_date, char status[4], char reason[4],
                          pc_error_t *err) {
  char today[12], next[12], prereg_text[16], default_next[12];
  pc_voters_today(today);
  pc_voters_next_federal_general(today, default_next);
  int rc = setting_or(store, "voters.next_election_date", default_next, next, sizeof next, err);
  if (rc == 0) rc = setting_or(store, "voters.preregistration_age", "16", prereg_text, sizeof prereg_text, err);
  if (rc != 0) return rc;
  if (strcmp(next, today) < 0) pc_strlcpy(next, default_next, sizeof next); /* a stale setting */
  long long prereg_age = 16;
  if (pc_parse_int64(prereg_text, 0, 18, &prereg_age) != 0)
    return pc_error_set(err, PC_EINVAL, "setting voters.preregistration_age must be 0-18");
  int age_at_election = 0, age_now = 0;
  pc_voters_age_on(birth_date, next, &age_at_election);
  pc_voters_age_on(birth_date, today, &age_now);
  if (age_at_election >= 18) {
    pc_strlcpy(status, "A", 4);
    pc_strlcpy(reason, "AV", 4);
    return 0;
  }
  if (age_now >= prereg_age) {
    pc_strlcpy(status, "P", 4);
    pc_strlcpy(reason, "PR", 4);
    return 0;
  }
  return pc_error_set_at(err, PC_EINVAL, NULL, 0, "birth_date",
                         "applicant is %d and will not be 18 by the next election (%s); pre-registration starts at %lld",
                         age_now, next, prereg_age);
}

static int next_voter_id(pc_store_t *store, int64_t *id, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT COALESCE(MAX(id), 0) + 1 FROM voters", &stmt, err);
  if (rc != 0) return rc;
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    *id = pc_stmt_column_int64(stmt, 0);
    rc = 0;
  }
  pc_stmt_finalize(stmt);
  return rc;
}

static int validate_application(pc_voters_t *v, const pc_voter_application_t *app, pc_voter_t *out, pc_error_t *err) {
  const pc_voter_t *in = &app->voter;
  pc_voter_t r = *in;
  int rc = 0;
  rc = rc ? rc : set_text(r.last_name, sizeof r.last_name, in->last_name, "last_name", err);
  rc = rc ? rc : set_text(r.first_name, sizeof r.first_name, in->first_name, "first_name", err);
  rc = rc ? rc : set_text(r.middle_name, sizeof r.middle_name, in->middle_name, "middle_name", err);
  rc = rc ? rc : set_text(r.res_street_address, sizeof r.res_street_address, in->res_street_address,
                          "res_street_address", err);
  rc = rc ? rc : set_text(r.res_city, sizeof r.res_city, in->res_city, "res_city", err);
  rc = rc ? rc : set_text(r.party, sizeof r.party, in->party[0] ? in->party : "UNA", "party", err);
  rc = rc ? rc : require(r.last_name, "last_name", err);
  rc = rc ? rc : require(r.first_name, "first_name", err);
  rc = rc ? rc : require(r.res_street_address, "res_street_address", err);
  rc = rc ? rc : require(r.res_city, "res_city", err);
  if (rc != 0) return rc;
  if (!valid_zip(r.res_zip)) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "res_zip", "expected 5 or 9 digits");
  if (!pc_voters_valid_date(r.birth_date))
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "birth_date", "expected a date YYYY-MM-DD");
  if (!app->citizenship_attested)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "citizenship",
                           "the applicant must attest to US citizenship (52 U.S.C. 21083(b)(4))");
  if (app->county == NULL || app->county[0] == '\0')
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "county", "is required");
  rc = pc_voters_county_id(v->store, app->county, &r.county_id, err);
  if (rc != 0) return rc;
  rc = pc_voters_check_scope(v, r.county_id, err);
  if (rc == 0)
    rc = resolve_precinct(v, r.county_id, r.res_street_address, r.res_zip, r.precinct_code, app->precinct_override, err);
  if (rc == 0) rc = pc_voters_eligibility(v->store, r.birth_date, r.status, r.status_reason, err);
  if (rc != 0) return rc;
  pc_strlcpy(r.status_reason_desc, pc_voters_reason_desc(r.status_reason), sizeof r.status_reason_desc);
  r.birth_year = strtoll(r.birth_date, NULL, 10);
  r.has_dl_hmac = r.has_ssn4_hmac = 0;
  pc_strlcpy(r.drivers_lic, "N", sizeof r.drivers_lic);
  if (app->drivers_license && app->drivers_license[0]) {
    if (strlen(app->drivers_license) > 20)
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "drivers_license", "longer than 20 characters");
    pc_voters_id_hmac(v, app->drivers_license, r.dl_hmac);
    r.has_dl_hmac = 1;
    pc_strlcpy(r.drivers_lic, "Y", sizeof r.drivers_lic);
  }
  if (app->ssn4 && app->ssn4[0]) {
    if (strlen(app->ssn4) != 4 || strspn(app->ssn4, "0123456789") != 4)
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "ssn4", "expected the last four digits of the SSN");
    pc_voters_id_hmac(v, app->ssn4, r.ssn4_hmac);
    r.has_ssn4_hmac = 1;
  }
  if (!r.has_dl_hmac && app->dl_hmac) {
    memcpy(r.dl_hmac, app->dl_hmac, sizeof r.dl_hmac);
    r.has_dl_hmac = 1;
    pc_strlcpy(r.drivers_lic, "Y", sizeof r.drivers_lic);
  }
  if (!r.has_ssn4_hmac && app->ssn4_hmac) {
    memcpy(r.ssn4_hmac, app->ssn4_hmac, sizeof r.ssn4_hmac);
    r.has_ssn4_hmac = 1;
  }
  /* HAVA 303(b): a mail registrant whose ID number could not be matched must
   * show identification the first time they vote. */
  r.hava_id_required = app->mail_registration && !r.has_dl_hmac && !r.has_ssn4_hmac;
  r.citizenship_attested = 1;
  if (r.confidential[0] == '\0') pc_strlcpy(r.confidential, "N", sizeof r.confidential);
  if (r.res_state[0] == '\0') pc_strlcpy(r.res_state, "NC", sizeof r.res_state);
  if (r.registration_source[0] == '\0')
    pc_strlcpy(r.registration_source, app->mail_registration ? "mail" : "in_person", sizeof r.registration_source);
  pc_voters_today(r.registration_date);
  pc_voters_today(r.status_date);
  r.import_batch_id = r.merged_into_id = 0;
  *out = r;
  return 0;
}

int pc_voters_register_in_tx(pc_voters_t *v, const pc_voter_application_t *app, int64_t *id, pc_error_t *err) {
  pc_voter_t r;
  int rc = validate_application(v, app, &r, err);
  if (rc == 0) rc = next_voter_id(v->store, &r.id, err);
  if (rc == 0) {
    if (r.ncid[0] == '\0') pc_snprintf(r.ncid, sizeof r.ncid, "PC%010lld", (long long)r.id);
    if (r.voter_reg_num[0] == '\0') pc_snprintf(r.voter_reg_num, sizeof r.voter_reg_num, "%lld", (long long)r.id);
    pc_stmt_t *stmt;
    int64_t district_set_id = 0;
    rc = pc_voter_district_set(v->store, &r, &district_set_id, err);
    if (rc == 0) rc = pc_store_prepare(v->store, pc_voter_insert_sql(), &stmt, err);
    if (rc == 0) {
      pc_voter_bind(stmt, &r, district_set_id);
      rc = pc_stmt_step(stmt, err);
      pc_stmt_finalize(stmt);
      if (rc == PC_ECONFLICT) rc = pc_error_set_at(err, PC_EEXIST, NULL, 0, "ncid", "NCID %s is already registered", r.ncid);
      else if (rc > 0) rc = 0;
    }
  }
  if (rc == 0) rc = pc_audit_record(v->store, &v->actor, "voter.register", "voters", r.id, NULL, NULL, err);
  if (rc == 0 && id) *id = r.id;
  return rc;
}

int pc_voters_register(pc_voters_t *v, const pc_voter_application_t *app, int64_t *id, pc_error_t *err) {
  int rc = pc_store_begin(v->store, err);
  if (rc != 0) return rc;
  int64_t new_id = 0;
  rc = pc_voters_register_in_tx(v, app, &new_id, err);
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) {
    pc_store_rollback(v->store);
    return rc;
  }
  if (id) *id = new_id;
  return 0;
}

/* Opens the transaction, loads the voter inside it and checks the scope. */
static int begin_change(pc_voters_t *v, int64_t id, pc_voter_t *voter, unsigned char before[PC_HASH_SIZE],
                        pc_error_t *err) {
  int rc = pc_store_begin(v->store, err);
  if (rc != 0) return rc;
  rc = pc_voters_get(v, id, voter, err);
  if (rc == 0) rc = pc_voters_row_hash(v->store, id, before, err);
  if (rc != 0) pc_store_rollback(v->store);
  return rc;
}

static int end_change(pc_voters_t *v, int rc, pc_error_t *err) {
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) pc_store_rollback(v->store);
  return rc;
}

/* A registration number free in COUNTY_ID for voter ID: the id itself, or
 * the id with digits appended until free (the (county_id, voter_reg_num)
 * index answers each try). */
static int free_registration_number(pc_store_t *store, int64_t county_id, int64_t id, char out[16], pc_error_t *err) {
  int64_t candidate = id;
  for (int attempt = 0; attempt < 100; attempt++, candidate = id * 100 + attempt) {
    pc_stmt_t *stmt;
    int rc = pc_store_prepare(store, "SELECT 1 FROM voters WHERE county_id = ? AND voter_reg_num = ?", &stmt, err);
    if (rc != 0) return rc;
    char text[24];
    pc_snprintf(text, sizeof text, "%lld", (long long)candidate);
    pc_stmt_bind_int64(stmt, 1, county_id);
    pc_stmt_bind_text(stmt, 2, text);
    rc = pc_stmt_step(stmt, err);
    pc_stmt_finalize(stmt);
    if (rc < 0) return rc;
    if (rc == PC_STORE_DONE && strlen(text) < 16) {
      memcpy(out, text, strlen(text) + 1);
      return 0;
    }
  }
  return pc_error_set(err, PC_ECONFLICT, "no free registration number for voter %lld", (long long)id);
}

int pc_voters_update(pc_voters_t *v, int64_t id, const pc_voter_change_t *c, pc_error_t *err) {
  pc_voter_t r;
  unsigned char before[PC_HASH_SIZE];
  int rc = begin_change(v, id, &r, before, err);
  if (rc != 0) return rc;
  const char *action = "voter.update";
  char old_street[sizeof r.res_street_address], old_zip[sizeof r.res_zip];
  memcpy(old_street, r.res_street_address, sizeof old_street);
  memcpy(old_zip, r.res_zip, sizeof old_zip);
  if (c->last_name) rc = rc ? rc : set_text(r.last_name, sizeof r.last_name, c->last_name, "last_name", err);
  if (c->first_name) rc = rc ? rc : set_text(r.first_name, sizeof r.first_name, c->first_name, "first_name", err);
  if (c->middle_name) rc = rc ? rc : set_text(r.middle_name, sizeof r.middle_name, c->middle_name, "middle_name", err);
  if (c->name_suffix) rc = rc ? rc : set_text(r.name_suffix, sizeof r.name_suffix, c->name_suffix, "name_suffix", err);
  if (c->res_street_address)
    rc = rc ? rc : set_text(r.res_street_address, sizeof r.res_street_address, c->res_street_address,
                            "res_street_address", err);
  if (c->res_city) rc = rc ? rc : set_text(r.res_city, sizeof r.res_city, c->res_city, "res_city", err);
  if (c->res_zip) rc = rc ? rc : set_text(r.res_zip, sizeof r.res_zip, c->res_zip, "res_zip", err);
  if (c->party) rc = rc ? rc : set_text(r.party, sizeof r.party, c->party, "party", err);
  if (c->precinct_code) rc = rc ? rc : set_text(r.precinct_code, sizeof r.precinct_code, c->precinct_code, "precinct_code", err);
  if (rc == 0 && (r.last_name[0] == '\0' || r.first_name[0] == '\0'))
    rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, r.last_name[0] ? "first_name" : "last_name", "is required");
  if (rc == 0 && !valid_zip(r.res_zip)) rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, "res_zip", "expected 5 or 9 digits");
  int moved = 0, has_index = 0;
  if (rc == 0 && c->county) {
    int64_t new_county = 0;
    rc = pc_voters_county_id(v->store, c->county, &new_county, err);
    if (rc == 0 && new_county != r.county_id) {
      moved = 1;
      r.county_id = new_county;
      action = "voter.transfer";
      rc = free_registration_number(v->store, new_county, r.id, r.voter_reg_num, err);
    }
  }
  /* A new residence (street, ZIP or county) or a new precinct is checked
   * against the street index of the county, when it has one. */
  int residence_changed = moved || strcmp(old_street, r.res_street_address) != 0 || strcmp(old_zip, r.res_zip) != 0;
  if (rc == 0 && (residence_changed || c->precinct_code))
    rc = pc_voters_streets_has_index(v->store, r.county_id, &has_index, err);
  if (rc == 0 && moved && c->precinct_code == NULL && !has_index)
    rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, "precinct_code",
                         "a move to another county needs the new precinct (the county has no street index)");
  if (rc == 0 && has_index) {
    if (c->precinct_code == NULL) r.precinct_code[0] = '\0';
    rc = resolve_precinct(v, r.county_id, r.res_street_address, r.res_zip, r.precinct_code, c->precinct_override, err);
  } else if (rc == 0 && (c->precinct_code || c->county)) {
    rc = precinct_exists(v->store, r.county_id, r.precinct_code, err);
  }
  if (rc == 0) rc = pc_voters_save(v, &r, action, before, err);
  return end_change(v, rc, err);
}

static int valid_status(const char *status) {
  return pc_voters_status_desc(status)[0] != '\0';
}

int pc_voters_set_status(pc_voters_t *v, int64_t id, const char *status, const char *reason, pc_error_t *err) {
  if (!valid_status(status))
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "status", "expected one of A, I, R, P, D, S");
  if (reason && strlen(reason) > 2) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "reason", "expected a reason code");
  pc_voter_t r;
  unsigned char before[PC_HASH_SIZE];
  int rc = begin_change(v, id, &r, before, err);
  if (rc != 0) return rc;
  pc_strlcpy(r.status, status, sizeof r.status);
  pc_strlcpy(r.status_reason, reason ? reason : "", sizeof r.status_reason);
  pc_strlcpy(r.status_reason_desc, pc_voters_reason_desc(r.status_reason), sizeof r.status_reason_desc);
  pc_voters_today(r.status_date);
  rc = pc_voters_save(v, &r, "voter.status", before, err);
  return end_change(v, rc, err);
}

int pc_voters_cancel(pc_voters_t *v, int64_t id, const char *reason, int64_t duplicate_of, pc_error_t *err) {
  static const struct {
    const char *reason, *code;
  } codes[] = {{"death", "RD"}, {"request", "RQ"}, {"moved", "RS"}, {"felony", "RF"}, {"duplicate", "R2"}};
  const char *code = NULL;
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    if (strcmp(codes[i].reason, reason) == 0) code = codes[i].code;
  if (code == NULL)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "reason", "expected death, request, moved, felony or duplicate");
  if ((duplicate_of != 0) != (strcmp(reason, "duplicate") == 0))
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "duplicate_of", "give the surviving voter for, and only for, a duplicate");
  if (duplicate_of == id) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "duplicate_of", "a voter cannot duplicate itself");
  pc_voter_t r, survivor;
  unsigned char before[PC_HASH_SIZE];
  int rc = begin_change(v, id, &r, before, err);
  if (rc != 0) return rc;
  if (strcmp(reason, "felony") == 0) {
    char allowed[16];
    rc = setting_or(v->store, "voters.felony_removal", "no", allowed, sizeof allowed, err);
    if (rc == 0 && strcmp(allowed, "yes") != 0)
      rc = pc_error_set_at(err, PC_ESTATE, NULL, 0, "reason",
                           "state law as configured (voters.felony_removal) does not remove voters for a felony");
  }
  if (rc == 0 && duplicate_of) rc = pc_voters_get(v, duplicate_of, &survivor, err);
  if (rc == 0 && strcmp(r.status, "R") == 0) rc = pc_error_set(err, PC_ESTATE, "voter %s is already removed", r.ncid);
  if (rc == 0) {
    pc_strlcpy(r.status, "R", sizeof r.status);
    pc_strlcpy(r.status_reason, code, sizeof r.status_reason);
    pc_strlcpy(r.status_reason_desc, pc_voters_reason_desc(code), sizeof r.status_reason_desc);
    pc_voters_today(r.status_date);
    r.merged_into_id = duplicate_of;
    rc = pc_voters_save(v, &r, strcmp(reason, "duplicate") == 0 ? "voter.merge" : "voter.cancel", before, err);
  }
  return end_change(v, rc, err);
}

int pc_voters_record_vote(pc_voters_t *v, int64_t id, const char *election_date, const char *election_desc,
                          const char *method, pc_error_t *err) {
  static const char *const methods[] = {"in_person", "early", "absentee", "provisional", "uocava", NULL};
  int known = 0;
  for (const char *const *m = methods; *m; m++) known |= strcmp(*m, method) == 0;
  if (!known) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "method", "expected in_person, early, absentee, provisional or uocava");
  if (!pc_voters_valid_date(election_date))
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "election_date", "expected YYYY-MM-DD");
  pc_voter_t r;
  unsigned char before[PC_HASH_SIZE];
  int rc = begin_change(v, id, &r, before, err);
  if (rc != 0) return rc;
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  pc_stmt_t *stmt;
  int64_t history_id = 0;
  rc = pc_store_prepare(v->store,
                        "INSERT INTO voter_history (voter_id, election_date, election_desc, method, county_id, recorded_at)"
                        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                        &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, id);
    pc_stmt_bind_text(stmt, 2, election_date);
    pc_stmt_bind_text(stmt, 3, election_desc);
    pc_stmt_bind_text(stmt, 4, method);
    pc_stmt_bind_int64(stmt, 5, r.county_id);
    pc_stmt_bind_text(stmt, 6, now);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) history_id = pc_stmt_column_int64(stmt, 0), rc = 0;
    else if (rc == PC_ECONFLICT) rc = pc_error_set(err, PC_EEXIST, "voter already has history for %s", election_date);
    pc_stmt_finalize(stmt);
  }
  if (rc == 0) rc = pc_audit_record(v->store, &v->actor, "voter.history", "voter_history", history_id, NULL, NULL, err);
  /* Voting is contact under NVRA 8(d): an inactive voter who votes is active again. */
  if (rc == 0 && strcmp(r.status, "I") == 0) {
    pc_strlcpy(r.status, "A", sizeof r.status);
    pc_strlcpy(r.status_reason, "AV", sizeof r.status_reason);
    pc_strlcpy(r.status_reason_desc, pc_voters_reason_desc("AV"), sizeof r.status_reason_desc);
    pc_strlcpy(r.status_date, election_date, sizeof r.status_date);
    rc = pc_voters_save(v, &r, "voter.reactivate", before, err);
  }
  return end_change(v, rc, err);
}

int pc_voters_add_precinct(pc_voters_t *v, const char *county, const char *code, const char *name, pc_error_t *err) {
  if (code[0] == '\0' || strlen(code) > 6) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "code", "expected 1-6 characters");
  int rc = pc_store_begin(v->store, err);
  if (rc != 0) return rc;
  int64_t county_id = 0, precinct_id = 0;
  rc = pc_voters_county_id(v->store, county, &county_id, err);
  if (rc == 0) rc = pc_voters_check_scope(v, county_id, err);
  pc_stmt_t *stmt;
  if (rc == 0) rc = pc_store_prepare(v->store, "INSERT INTO voter_precincts (county_id, code, name) VALUES (?, ?, ?) RETURNING id", &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, county_id);
    pc_stmt_bind_text(stmt, 2, code);
    pc_stmt_bind_text(stmt, 3, name ? name : "");
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) precinct_id = pc_stmt_column_int64(stmt, 0), rc = 0;
    else if (rc == PC_ECONFLICT) rc = pc_error_set(err, PC_EEXIST, "precinct %s exists in %s", code, county);
    pc_stmt_finalize(stmt);
  }
  if (rc == 0) rc = pc_audit_record(v->store, &v->actor, "precinct.create", "voter_precincts", precinct_id, NULL, NULL, err);
  return end_change(v, rc, err);
}
