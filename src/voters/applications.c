/* Online registration applications: confirmation numbers, the field checks
 * of a submission (every bad field at once, for the form), the insert the
 * group-commit writer runs, and the applicant's status lookup. The writer
 * itself is application_queue.c; verification and clerk decisions are
 * application_review.c. Nothing here returns an identity-proof field. */
#include "voters_internal.h"

#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/voters_applications.h"

#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int symbol_value(char c) {
  c = (char)toupper((unsigned char)c);
  if (c == 'I' || c == 'L') c = '1';
  if (c == 'O') c = '0';
  const char *at = c ? strchr(alphabet, c) : NULL;
  return at ? (int)(at - alphabet) : -1;
}

/* Luhn mod 32 over symbol values, rightmost first: catches every single
 * wrong symbol and every swap of two neighbouring symbols except 0 and Z
 * (the one blind spot, as 09/90 is in base 10). */
static int luhn_sum(const int *values, size_t count, int double_first) {
  int sum = 0, factor = double_first ? 2 : 1;
  for (size_t i = count; i-- > 0;) {
    int addend = factor * values[i];
    sum += addend / 32 + addend % 32;
    factor = factor == 2 ? 1 : 2;
  }
  return sum % 32;
}

void pc_confirmation_new(char out[PC_CONFIRMATION_SIZE]) {
  int values[PC_CONFIRMATION_LENGTH];
  for (int i = 0; i < PC_CONFIRMATION_LENGTH - 1; i++) values[i] = (int)randombytes_uniform(32);
  values[PC_CONFIRMATION_LENGTH - 1] = (32 - luhn_sum(values, PC_CONFIRMATION_LENGTH - 1, 1)) % 32;
  for (int i = 0; i < PC_CONFIRMATION_LENGTH; i++) out[i] = alphabet[values[i]];
  out[PC_CONFIRMATION_LENGTH] = '\0';
}

int pc_confirmation_parse(const char *text, char out[PC_CONFIRMATION_SIZE]) {
  int values[PC_CONFIRMATION_LENGTH];
  size_t count = 0;
  if (text == NULL) return PC_EINVAL;
  for (const char *p = text; *p; p++) {
    if (*p == ' ' || *p == '-') continue;
    int value = symbol_value(*p);
    if (value < 0 || count == PC_CONFIRMATION_LENGTH) return PC_EINVAL;
    values[count++] = value;
  }
  if (count != PC_CONFIRMATION_LENGTH || luhn_sum(values, count, 0) != 0) return PC_EINVAL;
  for (size_t i = 0; i < count; i++) out[i] = alphabet[values[i]];
  out[count] = '\0';
  return 0;
}

void pc_confirmation_format(const char *canonical, char out[PC_CONFIRMATION_SIZE + 2]) {
  pc_snprintf(out, PC_CONFIRMATION_SIZE + 2, "%.5s-%.5s", canonical, canonical + 5);
}

/* ---- checking a submission --------------------------------------------------- */

static const char *or_empty(const char *s) { return s ? s : ""; }

/* Copies S upper-cased and trimmed into OUT; 0, or -1 when too long or
 * holding control characters. */
static int copy_field(char *out, size_t size, const char *s) {
  char copy[256];
  if (pc_strlcpy(copy, or_empty(s), sizeof copy) != 0) return -1;
  for (const char *p = copy; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f) return -1;
  pc_voters_normalize(copy);
  return pc_strlcpy(out, copy, size) == 0 ? 0 : -1;
}

static int digits_only(const char *s, size_t length) {
  if (strlen(s) != length) return 0;
  for (size_t i = 0; i < length; i++)
    if (!isdigit((unsigned char)s[i])) return 0;
  return 1;
}

/* A ZIP of 5 digits or ZIP+4 (with or without the hyphen), kept as digits. */
static int copy_zip(char *out, size_t size, const char *s) {
  char digits[16];
  size_t n = 0;
  for (const char *p = or_empty(s); *p; p++) {
    if (*p == '-' && n == 5) continue;
    if (!isdigit((unsigned char)*p) || n + 1 >= sizeof digits) return -1;
    digits[n++] = *p;
  }
  digits[n] = '\0';
  if (n != 5 && n != 9) return -1;
  return pc_strlcpy(out, digits, size) == 0 ? 0 : -1;
}

/* Hashes a licence number (1-20 letters and digits once spaces and hyphens
 * are gone); -1 when malformed, 0 with *HAS 0 when empty. */
static int hash_licence(pc_voters_t *v, const char *s, unsigned char out[PC_VOTER_HMAC_SIZE], int *has) {
  char clean[24];
  size_t n = 0;
  *has = 0;
  for (const char *p = or_empty(s); *p; p++) {
    if (*p == ' ' || *p == '-') continue;
    if (!isalnum((unsigned char)*p) || n + 1 >= sizeof clean) return -1;
    clean[n++] = *p;
  }
  clean[n] = '\0';
  if (n == 0) return 0;
  pc_voters_id_hmac(v, clean, out);
  sodium_memzero(clean, sizeof clean);
  *has = 1;
  return 0;
}

int pc_voters_app_check(pc_voters_t *v, const pc_voter_app_input_t *in, pc_voter_app_t *out, unsigned *bad,
                        pc_error_t *err) {
  pc_voter_app_t a;
  memset(&a, 0, sizeof a);
  unsigned wrong = 0;
  const char *kind = or_empty(in->kind);
  if (strcmp(kind, "new") != 0 && strcmp(kind, "update") != 0) wrong |= PC_APP_FIELD_KIND;
  pc_strlcpy(a.kind, strcmp(kind, "update") == 0 ? "update" : "new", sizeof a.kind);
  pc_strlcpy(a.lang, strcmp(or_empty(in->lang), "es") == 0 ? "es" : "en", sizeof a.lang);
  if (copy_field(a.first_name, sizeof a.first_name, in->first_name) != 0 || a.first_name[0] == '\0')
    wrong |= PC_APP_FIELD_FIRST_NAME;
  if (copy_field(a.last_name, sizeof a.last_name, in->last_name) != 0 || a.last_name[0] == '\0')
    wrong |= PC_APP_FIELD_LAST_NAME;
  if (copy_field(a.middle_name, sizeof a.middle_name, in->middle_name) != 0) wrong |= PC_APP_FIELD_MIDDLE_NAME;
  if (copy_field(a.name_suffix, sizeof a.name_suffix, in->name_suffix) != 0) wrong |= PC_APP_FIELD_SUFFIX;
  if (copy_field(a.res_street_address, sizeof a.res_street_address, in->res_street_address) != 0 ||
      a.res_street_address[0] == '\0')
    wrong |= PC_APP_FIELD_STREET;
  if (copy_field(a.res_city, sizeof a.res_city, in->res_city) != 0 || a.res_city[0] == '\0') wrong |= PC_APP_FIELD_CITY;
  if (copy_zip(a.res_zip, sizeof a.res_zip, in->res_zip) != 0) wrong |= PC_APP_FIELD_ZIP;
  if (copy_field(a.party, sizeof a.party, in->party) != 0) wrong |= PC_APP_FIELD_PARTY;
  for (const char *p = a.party; *p; p++)
    if (*p < 'A' || *p > 'Z') wrong |= PC_APP_FIELD_PARTY;
  if (a.party[0] == '\0') pc_strlcpy(a.party, "UNA", sizeof a.party);

  char today[12];
  pc_voters_today(today);
  if (pc_strlcpy(a.birth_date, or_empty(in->birth_date), sizeof a.birth_date) != 0 ||
      !pc_voters_valid_date(a.birth_date) || strcmp(a.birth_date, today) > 0) {
    wrong |= PC_APP_FIELD_BIRTH_DATE;
  } else {
    char status[4], reason[4];
    pc_error_t age_err;
    int rc = pc_voters_eligibility(v->store, a.birth_date, status, reason, &age_err);
    if (rc == PC_EINVAL) wrong |= PC_APP_FIELD_AGE;
    else if (rc != 0) return pc_error_set(err, rc, "%s", age_err.message);
  }

  if (in->county == NULL || in->county[0] == '\0') {
    wrong |= PC_APP_FIELD_COUNTY;
  } else {
    pc_error_t county_err;
    int rc = pc_voters_county_id(v->store, in->county, &a.county_id, &county_err);
    if (rc == PC_ENOTFOUND) wrong |= PC_APP_FIELD_COUNTY;
    else if (rc != 0) return pc_error_set(err, rc, "%s", county_err.message);
  }

  if (hash_licence(v, in->drivers_license, a.dl_hmac, &a.has_dl_hmac) != 0) wrong |= PC_APP_FIELD_DL;
  const char *ssn4 = or_empty(in->ssn4);
  if (ssn4[0]) {
    if (digits_only(ssn4, 4)) {
      pc_voters_id_hmac(v, ssn4, a.ssn4_hmac);
      a.has_ssn4_hmac = 1;
    } else {
      wrong |= PC_APP_FIELD_SSN4;
    }
  }
  a.no_id_number = in->no_id_number != 0;
  if (!a.has_dl_hmac && !a.has_ssn4_hmac && !a.no_id_number && !(wrong & (PC_APP_FIELD_DL | PC_APP_FIELD_SSN4)))
    wrong |= PC_APP_FIELD_ID;
  a.citizenship_attested = in->citizenship_attested != 0;
  if (!a.citizenship_attested) wrong |= PC_APP_FIELD_CITIZENSHIP;

  if (strcmp(a.kind, "update") == 0) {
    if (copy_zip(a.prev_zip, sizeof a.prev_zip, in->prev_zip) != 0) wrong |= PC_APP_FIELD_PREV_ZIP;
    a.prev_zip[5] = '\0'; /* the lookup compares 5 digits */
    if (copy_field(a.prev_last_name, sizeof a.prev_last_name, in->prev_last_name) != 0)
      wrong |= PC_APP_FIELD_PREV_LAST_NAME;
    if (a.prev_last_name[0] == '\0') pc_strlcpy(a.prev_last_name, a.last_name, sizeof a.prev_last_name);
    a.cancel_requested = in->cancel_requested != 0;
  }
  if (bad) *bad = wrong;
  if (wrong) {
    sodium_memzero(&a, sizeof a);
    return pc_error_set(err, PC_EINVAL, "the application has fields to correct");
  }
  *out = a;
  sodium_memzero(&a, sizeof a);
  return 0;
}

/* ---- storing ------------------------------------------------------------------ */

static void bind_hmac(pc_stmt_t *stmt, int index, int has, const unsigned char *hmac) {
  if (has) pc_stmt_bind_blob(stmt, index, hmac, PC_VOTER_HMAC_SIZE);
  else pc_stmt_bind_null(stmt, index);
}

int pc_voters_app_insert(pc_store_t *store, pc_voter_app_t *app, pc_error_t *err) {
  static const pc_actor_t public_actor = {0, "public", "public", NULL};
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  int rc = PC_ECONFLICT;
  /* 45 random bits: a clash is rare, three in a row would mean a broken RNG. */
  for (int attempt = 0; attempt < 3 && rc == PC_ECONFLICT; attempt++) {
    pc_confirmation_new(app->confirmation);
    pc_stmt_t *stmt;
    rc = pc_store_prepare(store,
                          "INSERT INTO voter_applications (confirmation, kind, status, lang, county_id, last_name,"
                          " first_name, middle_name, name_suffix, birth_date, res_street_address, res_city, res_zip,"
                          " party, dl_hmac, ssn4_hmac, no_id_number, citizenship_attested, prev_last_name, prev_zip,"
                          " cancel_requested, submitted_at) VALUES (?, ?, 'received', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                          " ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &stmt, err);
    if (rc != 0) return rc;
    pc_stmt_bind_text(stmt, 1, app->confirmation);
    pc_stmt_bind_text(stmt, 2, app->kind);
    pc_stmt_bind_text(stmt, 3, app->lang);
    pc_stmt_bind_int64(stmt, 4, app->county_id);
    pc_stmt_bind_text(stmt, 5, app->last_name);
    pc_stmt_bind_text(stmt, 6, app->first_name);
    pc_stmt_bind_text(stmt, 7, app->middle_name);
    pc_stmt_bind_text(stmt, 8, app->name_suffix);
    pc_stmt_bind_text(stmt, 9, app->birth_date);
    pc_stmt_bind_text(stmt, 10, app->res_street_address);
    pc_stmt_bind_text(stmt, 11, app->res_city);
    pc_stmt_bind_text(stmt, 12, app->res_zip);
    pc_stmt_bind_text(stmt, 13, app->party);
    bind_hmac(stmt, 14, app->has_dl_hmac, app->dl_hmac);
    bind_hmac(stmt, 15, app->has_ssn4_hmac, app->ssn4_hmac);
    pc_stmt_bind_int64(stmt, 16, app->no_id_number);
    pc_stmt_bind_int64(stmt, 17, app->citizenship_attested);
    pc_stmt_bind_text(stmt, 18, app->prev_last_name);
    pc_stmt_bind_text(stmt, 19, app->prev_zip);
    pc_stmt_bind_int64(stmt, 20, app->cancel_requested);
    pc_stmt_bind_text(stmt, 21, now);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) {
      app->id = pc_stmt_column_int64(stmt, 0);
      rc = 0;
    } else if (rc == PC_STORE_DONE) {
      rc = pc_error_set(err, PC_EINTERNAL, "insert returned no id");
    }
    pc_stmt_finalize(stmt);
  }
  if (rc != 0) return rc;
  return pc_audit_record(store, &public_actor, "voter_application.submit", "voter_applications", app->id, NULL, NULL,
                         err);
}

/* ---- the applicant's status ------------------------------------------------------ */

/* Compares A and B in time that depends only on the buffer size. */
static int same_text(const char *a, const char *b) {
  char x[16] = {0}, y[16] = {0};
  pc_strlcpy(x, a, sizeof x);
  pc_strlcpy(y, b, sizeof y);
  return sodium_memcmp(x, y, sizeof x) == 0;
}

static void copy_column(pc_stmt_t *stmt, int index, char *out, size_t size) {
  const char *text = pc_stmt_column_text(stmt, index);
  pc_strlcpy(out, text ? text : "", size);
}

int pc_voters_app_status(pc_store_t *store, const char *confirmation, const char *second_factor,
                         pc_voter_app_status_t *out, pc_error_t *err) {
  char number[PC_CONFIRMATION_SIZE];
  if (pc_confirmation_parse(confirmation, number) != 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "confirmation", "expected a 10-character confirmation number");
  const char *factor = or_empty(second_factor);
  int is_date = pc_voters_valid_date(factor), is_zip = digits_only(factor, 5);
  if (!is_date && !is_zip)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "second_factor", "expected a date of birth or a 5-digit ZIP code");
  pc_voter_app_status_t r;
  memset(&r, 0, sizeof r);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT a.kind, a.status, c.name, a.submitted_at, a.decided_at, a.denial_reason,"
                            " a.birth_date, a.res_zip FROM voter_applications a JOIN counties c ON c.id = a.county_id"
                            " WHERE a.confirmation = ?",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, number);
  rc = pc_stmt_step(stmt, err);
  char birth[16] = "", zip[16] = "";
  if (rc == PC_STORE_ROW) {
    copy_column(stmt, 0, r.kind, sizeof r.kind);
    copy_column(stmt, 1, r.status, sizeof r.status);
    copy_column(stmt, 2, r.county, sizeof r.county);
    copy_column(stmt, 3, r.submitted_at, sizeof r.submitted_at);
    copy_column(stmt, 4, r.decided_at, sizeof r.decided_at);
    copy_column(stmt, 5, r.denial_reason, sizeof r.denial_reason);
    copy_column(stmt, 6, birth, sizeof birth);
    copy_column(stmt, 7, zip, sizeof zip);
    zip[5] = '\0';
  }
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  int factor_ok = is_date ? same_text(birth, factor) : same_text(zip, factor);
  sodium_memzero(birth, sizeof birth);
  if (rc != PC_STORE_ROW || !factor_ok) memset(&r, 0, sizeof r);
  else r.found = 1;
  *out = r;
  return 0;
}
