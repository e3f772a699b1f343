/* After an online application is stored: verification against the roll
 * (possible duplicates, the registration an update refers to, cancellation
 * requests held for confirmation by mail), the county's review list, and the
 * clerk's approve (through the roll's own rules) or deny. Every change is
 * audited in its transaction. No identity-proof field leaves this file. */
#include "dedup.h"
#include "voters_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/voters_applications.h"
#include "precinct/voters_streets.h"

#include <stdlib.h>
#include <string.h>

const char *const pc_voters_app_denial_reasons[] = {"not_eligible_age", "not_citizen", "not_resident",
                                                    "duplicate",        "identity_not_verified", "incomplete",
                                                    "withdrawn",        NULL};

/* An application row with its processing state. */
typedef struct stored_app {
  pc_voter_app_t app;
  char status[20];
  int64_t match_voter_id;
} stored_app_t;

/* The columns read_app reads, in its order; joined into the statements at
 * compile time, so every statement is a constant. */
#define APP_COLUMNS \
    "id, confirmation, kind, lang, county_id, last_name, first_name, middle_name, name_suffix, birth_date," \
    " res_street_address, res_city, res_zip, party, dl_hmac, ssn4_hmac, no_id_number, citizenship_attested," \
    " prev_last_name, prev_zip, cancel_requested, status, COALESCE(match_voter_id, 0)"

static void text_at(pc_stmt_t *stmt, int index, char *out, size_t size) {
  const char *text = pc_stmt_column_text(stmt, index);
  pc_strlcpy(out, text ? text : "", size);
}

static int hmac_at(pc_stmt_t *stmt, int index, unsigned char out[PC_VOTER_HMAC_SIZE]) {
  size_t size = 0;
  const void *blob = pc_stmt_column_blob(stmt, index, &size);
  if (blob == NULL || size != PC_VOTER_HMAC_SIZE) return 0;
  memcpy(out, blob, PC_VOTER_HMAC_SIZE);
  return 1;
}

static void read_app(pc_stmt_t *stmt, stored_app_t *s) {
  memset(s, 0, sizeof *s);
  pc_voter_app_t *a = &s->app;
  a->id = pc_stmt_column_int64(stmt, 0);
  text_at(stmt, 1, a->confirmation, sizeof a->confirmation);
  text_at(stmt, 2, a->kind, sizeof a->kind);
  text_at(stmt, 3, a->lang, sizeof a->lang);
  a->county_id = pc_stmt_column_int64(stmt, 4);
  text_at(stmt, 5, a->last_name, sizeof a->last_name);
  text_at(stmt, 6, a->first_name, sizeof a->first_name);
  text_at(stmt, 7, a->middle_name, sizeof a->middle_name);
  text_at(stmt, 8, a->name_suffix, sizeof a->name_suffix);
  text_at(stmt, 9, a->birth_date, sizeof a->birth_date);
  text_at(stmt, 10, a->res_street_address, sizeof a->res_street_address);
  text_at(stmt, 11, a->res_city, sizeof a->res_city);
  text_at(stmt, 12, a->res_zip, sizeof a->res_zip);
  text_at(stmt, 13, a->party, sizeof a->party);
  a->has_dl_hmac = hmac_at(stmt, 14, a->dl_hmac);
  a->has_ssn4_hmac = hmac_at(stmt, 15, a->ssn4_hmac);
  a->no_id_number = (int)pc_stmt_column_int64(stmt, 16);
  a->citizenship_attested = (int)pc_stmt_column_int64(stmt, 17);
  text_at(stmt, 18, a->prev_last_name, sizeof a->prev_last_name);
  text_at(stmt, 19, a->prev_zip, sizeof a->prev_zip);
  a->cancel_requested = (int)pc_stmt_column_int64(stmt, 20);
  text_at(stmt, 21, s->status, sizeof s->status);
  s->match_voter_id = pc_stmt_column_int64(stmt, 22);
}

static int load_app(pc_store_t *store, int64_t id, stored_app_t *out, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT " APP_COLUMNS " FROM voter_applications WHERE id = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) read_app(stmt, out), rc = 0;
  else if (rc == PC_STORE_DONE) rc = pc_error_set(err, PC_ENOTFOUND, "no application %lld", (long long)id);
  pc_stmt_finalize(stmt);
  return rc;
}

/* The scope's county id, 0 for statewide. */
static int scope_id(pc_voters_t *v, int64_t *out, pc_error_t *err) {
  *out = 0;
  return v->county_scope ? pc_voters_county_id(v->store, v->county_scope, out, err) : 0;
}

/* The applicant as a voter record, for scoring against the roll. */
static void as_voter(const pc_voter_app_t *a, pc_voter_t *v) {
  memset(v, 0, sizeof *v);
  pc_strlcpy(v->last_name, a->last_name, sizeof v->last_name);
  pc_strlcpy(v->first_name, a->first_name, sizeof v->first_name);
  pc_strlcpy(v->middle_name, a->middle_name, sizeof v->middle_name);
  pc_strlcpy(v->name_suffix, a->name_suffix, sizeof v->name_suffix);
  pc_strlcpy(v->birth_date, a->birth_date, sizeof v->birth_date);
  v->birth_year = strtoll(a->birth_date, NULL, 10);
  pc_strlcpy(v->res_street_address, a->res_street_address, sizeof v->res_street_address);
  pc_strlcpy(v->res_zip, a->res_zip, sizeof v->res_zip);
  pc_strlcpy(v->party, a->party, sizeof v->party);
  memcpy(v->dl_hmac, a->dl_hmac, sizeof v->dl_hmac);
  memcpy(v->ssn4_hmac, a->ssn4_hmac, sizeof v->ssn4_hmac);
  v->has_dl_hmac = a->has_dl_hmac;
  v->has_ssn4_hmac = a->has_ssn4_hmac;
}

typedef struct match_search {
  const pc_voter_app_t *app;
  pc_voter_t applicant;
  int update; /* looking for the registration an update names */
  int64_t best_id;
  double best_score;
} match_search_t;

static int visit_candidate(void *context, const pc_voter_t *voter) {
  match_search_t *m = context;
  if (voter->merged_into_id != 0) return 0;
  if (m->update) {
    /* The registration on file: same birth date and the ZIP it had. */
    if (strcmp(voter->status, "R") != 0 && strcmp(voter->birth_date, m->app->birth_date) == 0 &&
        strncmp(voter->res_zip, m->app->prev_zip, 5) == 0 && m->best_id == 0)
      m->best_id = voter->id, m->best_score = 1;
    return 0;
  }
  double score = pc_voters_match_score(&m->applicant, voter);
  if (score >= PC_DEDUP_THRESHOLD && score > m->best_score) m->best_id = voter->id, m->best_score = score;
  return 0;
}

/* Decides the new status of received application S (statewide search). */
static int verify_one(pc_voters_t *v, const stored_app_t *s, char status[20], char note[64], int64_t *match_id,
                      char score[16], pc_error_t *err) {
  pc_voters_t statewide = *v;
  statewide.county_scope = NULL;
  match_search_t m = {.app = &s->app, .update = strcmp(s->app.kind, "update") == 0};
  as_voter(&s->app, &m.applicant);
  char first_prefix[2] = {s->app.first_name[0], '\0'};
  int rc = pc_voters_search(&statewide, m.update ? s->app.prev_last_name : s->app.last_name,
                            m.update ? s->app.first_name : first_prefix, 256, visit_candidate, &m, err);
  memset(&m.applicant, 0, sizeof m.applicant);
  if (rc != 0) return rc;
  *match_id = m.best_id;
  score[0] = '\0';
  note[0] = '\0';
  if (m.update) {
    if (m.best_id == 0) pc_strlcpy(status, "needs_review", 20), pc_strlcpy(note, "no_registration_found", 64);
    else if (s->app.cancel_requested)
      pc_strlcpy(status, "mail_confirmation", 20), pc_strlcpy(note, "cancellation_confirm_by_mail", 64);
    else pc_strlcpy(status, "verified", 20);
    return 0;
  }
  if (m.best_id) {
    pc_snprintf(score, 16, "%.3f", m.best_score);
    pc_strlcpy(status, "needs_review", 20);
    pc_strlcpy(note, "possible_duplicate", 64);
  } else {
    pc_strlcpy(status, "verified", 20);
    if (!s->app.has_dl_hmac && !s->app.has_ssn4_hmac) pc_strlcpy(note, "no_id_number", 64);
  }
  return 0;
}

/* Sets an application's status and the given columns (NULL / 0: unchanged),
 * audited as ACTION, inside the caller's transaction, which has checked the
 * status it changes from. */
static int set_state(pc_voters_t *v, int64_t id, const char *action, const char *status, int64_t match_id,
                     const char *score, const char *note, int64_t voter_id, const char *denial, pc_error_t *err) {
  unsigned char before[PC_HASH_SIZE];
  int rc = pc_audit_row_hash(v->store, "voter_applications", id, before, err);
  if (rc != 0) return rc;
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  int deciding = strcmp(status, "approved") == 0 || strcmp(status, "denied") == 0;
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store,
                        "UPDATE voter_applications SET status = ?, match_voter_id = COALESCE(?, match_voter_id),"
                        " match_score = COALESCE(?, match_score), review_note = COALESCE(?, review_note),"
                        " voter_id = COALESCE(?, voter_id), denial_reason = COALESCE(?, denial_reason),"
                        " processed_at = COALESCE(processed_at, ?), decided_at = ?, decided_by = ? WHERE id = ?",
                        &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, status);
  if (match_id) pc_stmt_bind_int64(stmt, 2, match_id);
  else pc_stmt_bind_null(stmt, 2);
  pc_stmt_bind_text(stmt, 3, score);
  pc_stmt_bind_text(stmt, 4, note);
  if (voter_id) pc_stmt_bind_int64(stmt, 5, voter_id);
  else pc_stmt_bind_null(stmt, 5);
  pc_stmt_bind_text(stmt, 6, denial);
  pc_stmt_bind_text(stmt, 7, now);
  pc_stmt_bind_text(stmt, 8, deciding ? now : NULL);
  pc_stmt_bind_text(stmt, 9, deciding ? v->actor.username : NULL);
  pc_stmt_bind_int64(stmt, 10, id);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  return pc_audit_record(v->store, &v->actor, action, "voter_applications", id, before, NULL, err);
}

int pc_voters_app_process(pc_voters_t *v, int limit, int64_t *processed, pc_error_t *err) {
  int64_t scope = 0, done = 0;
  int rc = scope_id(v, &scope, err);
  if (rc != 0) return rc;
  int64_t *ids = pc_xcalloc((size_t)(limit > 0 ? limit : 1), sizeof *ids);
  size_t count = 0;
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store,
                        "SELECT id FROM voter_applications WHERE status = 'received' AND (? = 0 OR county_id = ?)"
                        " ORDER BY id LIMIT ?",
                        &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, scope);
    pc_stmt_bind_int64(stmt, 2, scope);
    pc_stmt_bind_int64(stmt, 3, limit);
    while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW && count < (size_t)limit)
      ids[count++] = pc_stmt_column_int64(stmt, 0);
    pc_stmt_finalize(stmt);
    if (rc == PC_STORE_DONE) rc = 0;
  }
  for (size_t i = 0; rc == 0 && i < count; i++) {
    stored_app_t s;
    char status[20], note[64], score[16];
    int64_t match_id = 0;
    rc = load_app(v->store, ids[i], &s, err);
    if (rc == 0) rc = verify_one(v, &s, status, note, &match_id, score, err);
    if (rc == 0) rc = pc_store_begin(v->store, err);
    if (rc != 0) break;
    /* Still received? (another process may have verified it meanwhile) */
    stored_app_t now;
    rc = load_app(v->store, ids[i], &now, err);
    if (rc == 0 && strcmp(now.status, "received") == 0) {
      rc = set_state(v, ids[i], "voter_application.verify", status, match_id, score, note, 0, NULL, err);
      done += rc == 0;
    }
    if (rc == 0) rc = pc_store_commit(v->store, err);
    if (rc != 0) pc_store_rollback(v->store);
    memset(&s, 0, sizeof s);
    memset(&now, 0, sizeof now);
  }
  free(ids);
  if (processed) *processed = done;
  return rc;
}

/* ---- the county's review list --------------------------------------------------- */

static void full_name(char *out, size_t size, const char *first, const char *middle, const char *last,
                      const char *suffix) {
  pc_snprintf(out, size, "%s%s%s %s%s%s", first, middle[0] ? " " : "", middle, last, suffix[0] ? " " : "", suffix);
}

/* Where an application's residence is, for the street index. */
typedef struct residence {
  int64_t county_id;
  char street[72], zip[12];
} residence_t;

/* What the county's street index says of HOME, into R. */
static int street_precinct(pc_store_t *store, const residence_t *home, pc_voter_app_summary_t *r, pc_error_t *err) {
  int has_index = 0;
  int rc = pc_voters_streets_has_index(store, home->county_id, &has_index, err);
  if (rc != 0 || !has_index) return rc;
  pc_error_t lookup_err;
  rc = pc_voters_streets_lookup(store, home->county_id, home->street, home->zip, r->street_precinct, &lookup_err);
  if (rc == PC_ENOTFOUND || rc == PC_EINVAL) {
    r->street_index = PC_APP_STREETS_NOT_IN_INDEX;
    return 0;
  }
  if (rc != 0) return pc_error_set(err, rc, "%s", lookup_err.message);
  r->street_index = PC_APP_STREETS_FOUND;
  return 0;
}

int pc_voters_app_each_open(pc_voters_t *v, int limit, int include_received,
                            int (*visit)(void *context, const pc_voter_app_summary_t *app), void *context,
                            pc_error_t *err) {
  int64_t scope = 0;
  int rc = scope_id(v, &scope, err);
  if (rc != 0) return rc;
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store,
                        "SELECT " APP_COLUMNS ", match_score, review_note, submitted_at FROM voter_applications"
                        " WHERE status IN ('verified', 'needs_review', 'mail_confirmation', ?)"
                        " AND (? = 0 OR county_id = ?) ORDER BY id LIMIT ?",
                        &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, include_received ? "received" : "verified");
  pc_stmt_bind_int64(stmt, 2, scope);
  pc_stmt_bind_int64(stmt, 3, scope);
  pc_stmt_bind_int64(stmt, 4, limit);
  /* Rows first, then the matched voters (one statement at a time per connection is simplest for both backends). */
  size_t count = 0, capacity = 16;
  pc_voter_app_summary_t *rows = pc_xcalloc(capacity, sizeof *rows);
  residence_t *homes = pc_xcalloc(capacity, sizeof *homes);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    if (count == capacity) {
      capacity *= 2;
      rows = pc_xreallocarray(rows, capacity, sizeof *rows);
      homes = pc_xreallocarray(homes, capacity, sizeof *homes);
    }
    stored_app_t s;
    read_app(stmt, &s);
    homes[count].county_id = s.app.county_id;
    pc_strlcpy(homes[count].street, s.app.res_street_address, sizeof homes[count].street);
    pc_strlcpy(homes[count].zip, s.app.res_zip, sizeof homes[count].zip);
    pc_voter_app_summary_t *r = &rows[count++];
    memset(r, 0, sizeof *r);
    r->id = s.app.id;
    pc_confirmation_format(s.app.confirmation, r->confirmation);
    pc_strlcpy(r->kind, s.app.kind, sizeof r->kind);
    pc_strlcpy(r->status, s.status, sizeof r->status);
    full_name(r->name, sizeof r->name, s.app.first_name, s.app.middle_name, s.app.last_name, s.app.name_suffix);
    r->birth_year = strtoll(s.app.birth_date, NULL, 10);
    pc_snprintf(r->address, sizeof r->address, "%s, %s %s", s.app.res_street_address, s.app.res_city, s.app.res_zip);
    pc_strlcpy(r->party, s.app.party, sizeof r->party);
    pc_strlcpy(r->prev_last_name, s.app.prev_last_name, sizeof r->prev_last_name);
    pc_strlcpy(r->prev_zip, s.app.prev_zip, sizeof r->prev_zip);
    r->cancel_requested = s.app.cancel_requested;
    r->has_dl = s.app.has_dl_hmac;
    r->has_ssn4 = s.app.has_ssn4_hmac;
    r->no_id_number = s.app.no_id_number;
    r->match_voter_id = s.match_voter_id;
    text_at(stmt, 23, r->match_score, sizeof r->match_score);
    text_at(stmt, 24, r->review_note, sizeof r->review_note);
    text_at(stmt, 25, r->submitted_at, sizeof r->submitted_at);
    memset(&s, 0, sizeof s);
  }
  pc_stmt_finalize(stmt);
  if (rc == PC_STORE_DONE) rc = 0;
  for (size_t i = 0; rc == 0 && i < count; i++) {
    pc_voter_app_summary_t *r = &rows[i];
    if (r->match_voter_id) {
      pc_voter_t voter;
      pc_error_t get_err;
      /* A match in another county is named only as such: a county user never sees another county's voters. */
      if (pc_voters_get(v, r->match_voter_id, &voter, &get_err) == 0) {
        pc_strlcpy(r->match_ncid, voter.ncid, sizeof r->match_ncid);
        full_name(r->match_name, sizeof r->match_name, voter.first_name, voter.middle_name, voter.last_name,
                  voter.name_suffix);
      } else {
        pc_strlcpy(r->match_name, "(a registration in another county)", sizeof r->match_name);
      }
    }
    if (!r->cancel_requested) rc = street_precinct(v->store, &homes[i], r, err);
    if (rc == 0) rc = visit(context, r);
  }
  free(rows);
  free(homes);
  return rc;
}

/* ---- decisions ------------------------------------------------------------------ */

static int open_decision(pc_voters_t *v, int64_t id, stored_app_t *s, pc_error_t *err) {
  int rc = load_app(v->store, id, s, err);
  if (rc == 0) {
    pc_error_t scope_err;
    if (pc_voters_check_scope(v, s->app.county_id, &scope_err) != 0)
      return pc_error_set(err, PC_ENOTFOUND, "no application %lld", (long long)id);
  }
  if (rc == 0 && strcmp(s->status, "verified") != 0 && strcmp(s->status, "needs_review") != 0 &&
      strcmp(s->status, "mail_confirmation") != 0)
    rc = pc_error_set(err, PC_ESTATE, "application %s is %s, not waiting for a decision", s->app.confirmation,
                      s->status);
  return rc;
}

static int county_name(pc_store_t *store, int64_t county_id, char *out, size_t size, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT name FROM counties WHERE id = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, county_id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) text_at(stmt, 0, out, size), rc = 0;
  else if (rc == PC_STORE_DONE) rc = pc_error_set(err, PC_ENOTFOUND, "no county %lld", (long long)county_id);
  pc_stmt_finalize(stmt);
  return rc;
}

static int approve_new(pc_voters_t *v, const stored_app_t *s, const char *precinct_code, int64_t *voter_id,
                       pc_error_t *err) {
  /* With a street index the address gives the precinct; the clerk chooses
   * only for an address the index does not cover. */
  int has_index = 0;
  int rc = pc_voters_streets_has_index(v->store, s->app.county_id, &has_index, err);
  if (rc != 0) return rc;
  if (precinct_code == NULL) precinct_code = "";
  if (!has_index && precinct_code[0] == '\0')
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "precinct_code", "choose the applicant's precinct");
  char county[128];
  rc = county_name(v->store, s->app.county_id, county, sizeof county, err);
  if (rc != 0) return rc;
  pc_voter_application_t reg;
  memset(&reg, 0, sizeof reg);
  as_voter(&s->app, &reg.voter);
  pc_strlcpy(reg.voter.res_city, s->app.res_city, sizeof reg.voter.res_city);
  if (pc_strlcpy(reg.voter.precinct_code, precinct_code, sizeof reg.voter.precinct_code) != 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "precinct_code", "expected a precinct code");
  pc_strlcpy(reg.voter.registration_source, "online", sizeof reg.voter.registration_source);
  reg.county = county;
  reg.citizenship_attested = s->app.citizenship_attested;
  reg.mail_registration = 1; /* not in person: HAVA 303(b) applies when no ID number was given */
  reg.dl_hmac = s->app.has_dl_hmac ? s->app.dl_hmac : NULL;
  reg.ssn4_hmac = s->app.has_ssn4_hmac ? s->app.ssn4_hmac : NULL;
  reg.precinct_override = 1;
  rc = pc_store_begin(v->store, err);
  if (rc != 0) return rc;
  rc = pc_voters_register_in_tx(v, &reg, voter_id, err);
  if (rc == PC_EINVAL && precinct_code[0] == '\0' && strcmp(err->field, "res_street_address") == 0) {
    char reason[sizeof err->message];
    pc_strlcpy(reason, err->message, sizeof reason);
    pc_error_set_at(err, PC_EINVAL, NULL, 0, "precinct_code", "%s: choose the applicant's precinct", reason);
  }
  if (rc == 0)
    rc = set_state(v, s->app.id, "voter_application.approve", "approved", 0, NULL, NULL, *voter_id, NULL, err);
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) pc_store_rollback(v->store);
  memset(&reg, 0, sizeof reg);
  return rc;
}

/* An update or cancellation runs through the roll's own transaction, then
 * the application is marked in a second one. Between the two a crash
 * leaves the application undecided with the change made; approving it again
 * applies the same change (or finds the cancellation done), so it is safe. */
static int approve_update(pc_voters_t *v, const stored_app_t *s, const char *precinct_code, int64_t *voter_id,
                          pc_error_t *err) {
  if (s->match_voter_id == 0)
    return pc_error_set(err, PC_ESTATE, "no registration on file matched this update: deny it or register anew");
  int rc;
  if (s->app.cancel_requested) {
    rc = pc_voters_cancel(v, s->match_voter_id, "request", 0, err);
    if (rc == PC_ESTATE) {
      pc_voter_t voter;
      if (pc_voters_get(v, s->match_voter_id, &voter, err) == 0 && strcmp(voter.status, "R") == 0) rc = 0;
    }
  } else {
    char county[128];
    rc = county_name(v->store, s->app.county_id, county, sizeof county, err);
    pc_voter_change_t change = {.last_name = s->app.last_name,
                                .first_name = s->app.first_name,
                                .middle_name = s->app.middle_name,
                                .name_suffix = s->app.name_suffix,
                                .res_street_address = s->app.res_street_address,
                                .res_city = s->app.res_city,
                                .res_zip = s->app.res_zip,
                                .county = county,
                                .precinct_code = precinct_code && precinct_code[0] ? precinct_code : NULL,
                                .party = s->app.party,
                                .precinct_override = 1};
    if (rc == 0) rc = pc_voters_update(v, s->match_voter_id, &change, err);
  }
  if (rc != 0) return rc;
  rc = pc_store_begin(v->store, err);
  if (rc != 0) return rc;
  stored_app_t again;
  rc = open_decision(v, s->app.id, &again, err);
  if (rc == 0)
    rc = set_state(v, s->app.id, "voter_application.approve", "approved", 0, NULL, NULL, s->match_voter_id, NULL,
                   err);
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) pc_store_rollback(v->store);
  if (rc == 0) *voter_id = s->match_voter_id;
  return rc;
}

int pc_voters_app_approve(pc_voters_t *v, int64_t id, const char *precinct_code, int mail_confirmed, int64_t *voter_id,
                          pc_error_t *err) {
  stored_app_t s;
  int rc = open_decision(v, id, &s, err);
  int64_t new_id = 0;
  /* A cancellation asked for through a public channel needs the applicant's
   * answer to the letter mailed to the address on file. */
  if (rc == 0 && s.app.cancel_requested && !mail_confirmed)
    rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, "mail_confirmed",
                         "a cancellation is approved only once the applicant confirmed it by mail");
  if (rc == 0)
    rc = strcmp(s.app.kind, "new") == 0 ? approve_new(v, &s, precinct_code, &new_id, err)
                                         : approve_update(v, &s, precinct_code, &new_id, err);
  memset(&s, 0, sizeof s);
  if (rc == 0 && voter_id) *voter_id = new_id;
  return rc;
}

int pc_voters_app_deny(pc_voters_t *v, int64_t id, const char *reason, pc_error_t *err) {
  int known = 0;
  for (const char *const *r = pc_voters_app_denial_reasons; *r; r++) known |= reason && strcmp(*r, reason) == 0;
  if (!known) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "reason", "expected one of the denial reasons");
  int rc = pc_store_begin(v->store, err);
  if (rc != 0) return rc;
  stored_app_t s;
  rc = open_decision(v, id, &s, err);
  if (rc == 0) rc = set_state(v, id, "voter_application.deny", "denied", 0, NULL, NULL, 0, reason, err);
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) pc_store_rollback(v->store);
  memset(&s, 0, sizeof s);
  return rc;
}

int pc_voters_app_precincts(pc_voters_t *v, int (*visit)(void *context, const char *code, const char *name),
                            void *context, pc_error_t *err) {
  int64_t scope = 0;
  int rc = scope_id(v, &scope, err);
  if (rc != 0) return rc;
  if (scope == 0) return pc_error_set(err, PC_EINVAL, "precinct choices need a county scope");
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store, "SELECT code, name FROM voter_precincts WHERE county_id = ? ORDER BY code", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, scope);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    const char *code = pc_stmt_column_text(stmt, 0), *name = pc_stmt_column_text(stmt, 1);
    rc = visit(context, code ? code : "", name ? name : "");
    if (rc != 0) break;
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}
