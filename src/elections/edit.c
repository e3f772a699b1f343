/* One-object edits of an election definition (the admin pages): the
 * transaction frame every edit runs in (live-mode rule, whole-definition
 * re-check, definition hash, audit), creating an empty election, and the
 * election, party, district, precinct and polling place edits. Contests,
 * choices and ballot styles are in edit_contests.c. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/elections_edit.h"
#include "edit_internal.h"
#include "elections_internal.h"

#include <assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

const char *pc__edit_value(const edit_t *e, const char *name) {
  const pc_elections_values_t *v = &e->edit->values;
  const char *value = v->get ? v->get(v->context, name, 0) : NULL;
  return value ? value : "";
}

int pc__edit_text(edit_t *e, const char *field, size_t max, const char **out) {
  const char *value = pc__edit_value(e, field);
  int rc = pc__elections_check_text(e->err, field, value, max);
  if (rc == 0) *out = value;
  return rc;
}

int pc__edit_optional_id(edit_t *e, const char *field, int64_t *out) {
  const char *value = pc__edit_value(e, field);
  long long id = 0;
  if (value[0] && pc_parse_int64(value, 1, INT64_MAX, &id) != 0)
    return pc_error_set_at(e->err, PC_EINVAL, NULL, 0, field, "expected a number, got \"%s\"", value);
  *out = id;
  return 0;
}

int pc__edit_run(edit_t *e, const char *sql, const char *types, ...) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(e->store, sql, &stmt, e->err);
  if (rc != 0) return rc;
  va_list ap;
  va_start(ap, types);
  for (int i = 0; types[i]; i++) {
    if (types[i] == 'i') pc_stmt_bind_int64(stmt, i + 1, va_arg(ap, int64_t));
    else if (types[i] == 'n') { /* int64, 0 binds NULL */
      int64_t value = va_arg(ap, int64_t);
      if (value) pc_stmt_bind_int64(stmt, i + 1, value);
      else pc_stmt_bind_null(stmt, i + 1);
    } else {
      const char *text = va_arg(ap, const char *);
      if (types[i] == 'z' && (!text || !text[0])) pc_stmt_bind_null(stmt, i + 1);
      else pc_stmt_bind_text(stmt, i + 1, text);
    }
  }
  va_end(ap);
  rc = pc_stmt_step(stmt, e->err);
  if (rc == PC_STORE_ROW) e->new_id = pc_stmt_column_int64(stmt, 0), rc = 0;
  else if (rc == PC_STORE_DONE) rc = 0;
  pc_stmt_finalize(stmt);
  return rc;
}

int pc__edit_count(edit_t *e, const char *sql, int64_t id, int64_t *count) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(e->store, sql, &stmt, e->err);
  if (rc != 0) return rc;
  int placeholders = 0;
  for (const char *p = sql; *p; p++) placeholders += *p == '?';
  for (int i = 1; i <= placeholders; i++) pc_stmt_bind_int64(stmt, i, id);
  rc = pc_stmt_step(stmt, e->err);
  if (rc == PC_STORE_ROW) *count = pc_stmt_column_int64(stmt, 0), rc = 0;
  else if (rc == PC_STORE_DONE) *count = 0, rc = 0;
  pc_stmt_finalize(stmt);
  return rc;
}

/* The SQL counting what depends on each kind of object (placeholders all
 * bound to the object's id). */
static const char *dependents_sql(pc_edit_object_t object) {
  switch (object) {
  case PC_EDIT_PRECINCT:
    return "SELECT (SELECT COUNT(*) FROM precinct_returns WHERE precinct_id = ?)"
           " + (SELECT COUNT(*) FROM vote_returns WHERE precinct_id = ?)"
           " + (SELECT COUNT(*) FROM cvr_precincts WHERE precinct_id = ?)";
  case PC_EDIT_CONTEST:
    return "SELECT (SELECT COUNT(*) FROM vote_returns WHERE contest_id = ?)"
           " + (SELECT COUNT(*) FROM publication_contests WHERE contest_id = ?)"
           " + (SELECT COUNT(*) FROM cvr_uploads WHERE contest_id = ?)";
  case PC_EDIT_CHOICE:
    return "SELECT (SELECT COUNT(*) FROM vote_returns WHERE choice_id = ?)"
           " + (SELECT COUNT(*) FROM cvr_first_choices WHERE choice_id = ?)";
  default: return NULL;
  }
}

/* Returns stored as counts text (migration 0013: "<choice id> <group>
 * <votes>" lines on precinct_returns rows): the rows holding a count for the
 * choice, or for any choice of the contest. The first parameter is the
 * object's id, the second a newline (the line separator). */
static const char *counts_text_sql(pc_edit_object_t object) {
  switch (object) {
  case PC_EDIT_CHOICE:
    return "SELECT COUNT(*) FROM precinct_returns pr JOIN choices c ON c.id = ?"
           " WHERE pr.counts LIKE c.id || ' %' OR pr.counts LIKE '%' || ? || c.id || ' %'";
  case PC_EDIT_CONTEST:
    return "SELECT COUNT(*) FROM precinct_returns pr JOIN choices c ON c.contest_id = ?"
           " WHERE pr.counts LIKE c.id || ' %' OR pr.counts LIKE '%' || ? || c.id || ' %'";
  default: return NULL;
  }
}

/* Rows depending on OBJECT ID: dependents_sql plus, for contests and
 * choices, the returns stored as counts text. */
static int count_dependents(edit_t *e, pc_edit_object_t object, int64_t id, int64_t *count) {
  int rc = pc__edit_count(e, dependents_sql(object), id, count);
  const char *sql = counts_text_sql(object);
  if (rc != 0 || sql == NULL) return rc;
  pc_stmt_t *stmt;
  rc = pc_store_prepare(e->store, sql, &stmt, e->err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, id);
  pc_stmt_bind_text(stmt, 2, "\n");
  rc = pc_stmt_step(stmt, e->err);
  if (rc == PC_STORE_ROW) *count += pc_stmt_column_int64(stmt, 0), rc = 0;
  else if (rc == PC_STORE_DONE) rc = 0;
  pc_stmt_finalize(stmt);
  return rc;
}

int pc__edit_refuse_if_dependents(edit_t *e, pc_edit_object_t object, int64_t id, const char *what) {
  int64_t count = 0;
  int rc = count_dependents(e, object, id, &count);
  if (rc == 0 && count > 0)
    rc = pc_error_set_at(e->err, PC_ESTATE, NULL, 0, NULL,
                         "%s has returns or published results (%lld rows depend on it): changing it would corrupt them",
                         what, (long long)count);
  return rc;
}

int pc_elections_dependents(pc_store_t *store, pc_edit_object_t object, int64_t id, int64_t *count, pc_error_t *err) {
  if (!dependents_sql(object)) return pc_error_set(err, PC_EINVAL, "only precincts, contests and choices have returns");
  edit_t e = {.store = store, .err = err};
  *count = 0;
  return count_dependents(&e, object, id, count);
}

static int code_taken(const pc_election_model_t *m, const char *code) {
  if (strcmp(code, "state") == 0) return 1;
#define TAKEN(array, count, field)                                                                                     \
  for (size_t i = 0; i < (count); i++)                                                                                 \
    if (strcmp((array)[i].field, code) == 0) return 1;
  TAKEN(m->counties, m->county_count, unit_code)
  TAKEN(m->parties, m->party_count, code)
  TAKEN(m->districts, m->district_count, code)
  TAKEN(m->ballot_styles, m->ballot_style_count, code)
  TAKEN(m->precincts, m->precinct_count, code)
  TAKEN(m->polling_places, m->polling_place_count, code)
  TAKEN(m->candidates, m->candidate_count, code)
  for (size_t c = 0; c < m->contest_count; c++) {
    if (strcmp(m->contests[c].code, code) == 0) return 1;
    TAKEN(m->contests[c].choices, m->contests[c].choice_count, code)
  }
#undef TAKEN
  return 0;
}

/* "<prefix>-<name in lower case, other characters as '-'>", cut to fit,
 * with "-2", "-3"... until no object of the election (nor county unit) has it. */
void pc__edit_make_code(const pc_election_model_t *m, const char *prefix, const char *name, char out[PC_ELECTION_CODE_MAX + 1]) {
  char base[48];
  pc_snprintf(base, sizeof base, "%.40s-", prefix);
  size_t n = strlen(base);
  for (const char *p = name; *p && n + 1 < sizeof base; p++) {
    char c = *p;
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) c = '-';
    if (c == '-' && base[n - 1] == '-') continue;
    base[n++] = c;
  }
  while (n > 1 && base[n - 1] == '-') n--;
  base[n] = '\0';
  pc_strlcpy(out, base, PC_ELECTION_CODE_MAX + 1);
  for (int suffix = 2; code_taken(m, out); suffix++) pc_snprintf(out, PC_ELECTION_CODE_MAX + 1, "%s-%d", base, suffix);
}

/* ---- elections ---------------------------------------------------------- */

/* Reads and checks the election fields into *OUT (code and mode untouched). */
static int election_fields(edit_t *e, pc_election_t *out) {
  const char *name, *jurisdiction;
  int rc = pc__edit_text(e, "name", PC_ELECTION_NAME_MAX, &name);
  if (rc == 0) rc = pc__edit_text(e, "jurisdiction", sizeof out->jurisdiction - 1, &jurisdiction);
  if (rc != 0) return rc;
  const char *date = pc__edit_value(e, "date"), *type = pc__edit_value(e, "type");
  const char *close = pc__edit_value(e, "poll_close_at");
  int64_t seconds;
  char probe[48];
  pc_snprintf(probe, sizeof probe, "%sT00:00:00Z", date);
  if (strlen(date) != 10 || pc_clock_parse_rfc3339(probe, &seconds) != 0)
    return pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "date", "expected a date as YYYY-MM-DD, got \"%s\"", date);
  if (!pc_elections_valid_type(type))
    return pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "type", "\"%s\" is not an election type", type);
  if (close[0] && pc_clock_parse_rfc3339(close, &seconds) != 0)
    return pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "poll_close_at",
                           "expected a time such as 2026-11-03T20:00:00-05:00, got \"%s\"", close);
  pc_strlcpy(out->name, name, sizeof out->name);
  pc_strlcpy(out->jurisdiction, jurisdiction, sizeof out->jurisdiction);
  pc_strlcpy(out->date, date, sizeof out->date);
  pc_strlcpy(out->type, type, sizeof out->type);
  out->poll_close_at[0] = '\0';
  if (close[0]) pc_clock_format_rfc3339(seconds, out->poll_close_at);
  return 0;
}

static int election_update(edit_t *e) {
  pc_election_t now = e->model.election, wanted = now;
  int rc = election_fields(e, &wanted);
  if (rc != 0) return rc;
  if (strcmp(now.mode, "live") == 0 &&
      (strcmp(now.name, wanted.name) != 0 || strcmp(now.date, wanted.date) != 0 || strcmp(now.type, wanted.type) != 0 ||
       strcmp(now.jurisdiction, wanted.jurisdiction) != 0))
    return pc_error_set_at(e->err, PC_ESTATE, NULL, 0, NULL,
                           "the election is live: only its poll-closing time and polling places may change");
  pc_strlcpy(e->action, "election.update", sizeof e->action);
  return pc__edit_run(e,
                      "UPDATE elections SET name = ?, election_date = ?, election_type = ?, jurisdiction = ?,"
                      " poll_close_at = ? WHERE id = ?",
                      "ssssz" "i", wanted.name, wanted.date, wanted.type, wanted.jurisdiction, wanted.poll_close_at,
                      now.id);
}

int pc_elections_create(pc_store_t *store, const pc_actor_t *actor, const pc_elections_values_t *values, int64_t *id,
                        pc_error_t *err) {
  pc_elections_edit_t request = {.object = PC_EDIT_ELECTION, .op = PC_EDIT_CREATE, .values = *values};
  edit_t e = {.store = store, .actor = actor, .edit = &request, .err = err};
  pc_election_t *fields = &e.model.election;
  int rc = election_fields(&e, fields);
  if (rc != 0) return rc;
  rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  /* The code: the name as a slug, made unique among elections. */
  char base[PC_ELECTION_CODE_MAX + 1];
  pc__edit_make_code(&e.model, fields->date, fields->name, base);
  pc_strlcpy(fields->code, base, sizeof fields->code);
  for (int suffix = 2; rc == 0; suffix++) {
    int64_t taken = 0;
    pc_stmt_t *stmt;
    rc = pc_store_prepare(store, "SELECT COUNT(*) FROM elections WHERE code = ?", &stmt, err);
    if (rc != 0) break;
    pc_stmt_bind_text(stmt, 1, fields->code);
    if (pc_stmt_step(stmt, err) == PC_STORE_ROW) taken = pc_stmt_column_int64(stmt, 0);
    pc_stmt_finalize(stmt);
    if (!taken) break;
    pc_snprintf(fields->code, sizeof fields->code, "%.56s-%d", base, suffix);
  }
  char hex[65], now[PC_RFC3339_SIZE];
  if (rc == 0) rc = pc_elections_definition_sha256(&e.model, hex, err);
  pc_clock_now_rfc3339(now);
  if (rc == 0)
    rc = pc__edit_run(&e,
                      "INSERT INTO elections (code, name, election_date, election_type, jurisdiction, poll_close_at, mode,"
                      " definition_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, 'test', ?, ?) RETURNING id",
                      "sssssz" "ss", fields->code, fields->name, fields->date, fields->type, fields->jurisdiction,
                      fields->poll_close_at, hex, now);
  if (rc == 0) rc = pc_audit_record(store, actor, "election.create", "elections", e.new_id, NULL, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  if (rc == 0 && id) *id = e.new_id;
  return rc;
}

/* ---- parties and districts ---------------------------------------------- */

static int party_edit(edit_t *e) {
  const pc_elections_edit_t *edit = e->edit;
  int found = PC__EDIT_FIND(e->model.parties, e->model.party_count, edit->id);
  if (edit->op != PC_EDIT_CREATE && found < 0) return pc__edit_not_found(e, "party");
  if (edit->op == PC_EDIT_DELETE) {
    int64_t used = 0;
    int rc = pc__edit_count(e, "SELECT COUNT(*) FROM candidates WHERE party_id = ?", edit->id, &used);
    if (rc == 0 && used)
      rc = pc_error_set_at(e->err, PC_ESTATE, NULL, 0, NULL, "party \"%s\" is the party of %lld candidates; change them first",
                           e->model.parties[found].name, (long long)used);
    return rc != 0 ? rc : pc__edit_run(e, "DELETE FROM parties WHERE id = ?", "i", edit->id);
  }
  const char *name, *abbreviation = pc__edit_value(e, "abbreviation");
  int rc = pc__edit_text(e, "name", PC_ELECTION_NAME_MAX, &name);
  if (rc == 0 && abbreviation[0]) rc = pc__elections_check_text(e->err, "abbreviation", abbreviation, 16);
  if (rc != 0) return rc;
  if (edit->op == PC_EDIT_UPDATE)
    return pc__edit_run(e, "UPDATE parties SET name = ?, abbreviation = ? WHERE id = ?", "ssi", name, abbreviation,
                        edit->id);
  char code[PC_ELECTION_CODE_MAX + 1];
  pc__edit_make_code(&e->model, "party", name, code);
  return pc__edit_run(e, "INSERT INTO parties (election_id, code, name, abbreviation) VALUES (?, ?, ?, ?) RETURNING id",
                      "isss", e->model.election.id, code, name, abbreviation);
}

static int district_edit(edit_t *e) {
  const pc_elections_edit_t *edit = e->edit;
  int found = PC__EDIT_FIND(e->model.districts, e->model.district_count, edit->id);
  if (edit->op != PC_EDIT_CREATE && found < 0) return pc__edit_not_found(e, "district");
  if (edit->op == PC_EDIT_DELETE) {
    for (size_t c = 0; c < e->model.contest_count; c++)
      if (strcmp(e->model.contests[c].district_code, e->model.districts[found].code) == 0)
        return pc_error_set_at(e->err, PC_ESTATE, NULL, 0, NULL, "contest \"%s\" is held in district \"%s\"",
                               e->model.contests[c].name, e->model.districts[found].name);
    return pc__edit_run(e, "DELETE FROM districts WHERE id = ?", "i", edit->id);
  }
  const char *name, *unit_type = pc__edit_value(e, "unit_type");
  int rc = pc__edit_text(e, "name", PC_ELECTION_NAME_MAX, &name);
  if (rc == 0 && !pc_elections_valid_unit_type(unit_type))
    rc = pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "unit_type", "\"%s\" is not a district type", unit_type);
  if (rc != 0) return rc;
  if (edit->op == PC_EDIT_UPDATE)
    return pc__edit_run(e, "UPDATE districts SET name = ?, unit_type = ? WHERE id = ?", "ssi", name, unit_type, edit->id);
  char code[PC_ELECTION_CODE_MAX + 1];
  pc__edit_make_code(&e->model, "district", name, code);
  return pc__edit_run(e, "INSERT INTO districts (election_id, code, name, unit_type) VALUES (?, ?, ?, ?) RETURNING id",
                      "isss", e->model.election.id, code, name, unit_type);
}

/* ---- precincts and polling places --------------------------------------- */

static int check_ring(const json_t *ring, pc_error_t *err) {
  size_t n = json_array_size(ring);
  if (!json_is_array(ring) || n < 4)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "boundary", "each ring needs at least 4 positions");
  for (size_t i = 0; i < n; i++) {
    const json_t *point = json_array_get(ring, i);
    const json_t *lon = json_array_get(point, 0), *lat = json_array_get(point, 1);
    if (!json_is_number(lon) || !json_is_number(lat) || json_number_value(lon) < -180 ||
        json_number_value(lon) > 180 || json_number_value(lat) < -90 || json_number_value(lat) > 90)
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "boundary",
                             "position %zu is not [longitude, latitude] in degrees", i + 1);
  }
  const json_t *first = json_array_get(ring, 0), *last = json_array_get(ring, n - 1);
  if (json_number_value(json_array_get(first, 0)) != json_number_value(json_array_get(last, 0)) ||
      json_number_value(json_array_get(first, 1)) != json_number_value(json_array_get(last, 1)))
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "boundary", "a ring must end where it starts");
  return 0;
}

static int check_polygon(const json_t *polygon, pc_error_t *err) {
  if (!json_is_array(polygon) || json_array_size(polygon) == 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "boundary", "a polygon is an array of rings");
  for (size_t i = 0; i < json_array_size(polygon); i++) {
    int rc = check_ring(json_array_get(polygon, i), err);
    if (rc != 0) return rc;
  }
  return 0;
}

int pc_elections_check_boundary(const char *boundary, pc_error_t *err) {
  size_t size = strlen(boundary);
  if (size > PC_ELECTIONS_BOUNDARY_MAX)
    return pc_error_set_at(err, PC_ELIMIT, NULL, 0, "boundary", "%zu bytes; at most %zu are accepted", size,
                           PC_ELECTIONS_BOUNDARY_MAX);
  json_error_t json_error;
  json_t *root = json_loadb(boundary, size, JSON_REJECT_DUPLICATES, &json_error);
  if (!root)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "boundary", "not JSON: %s (line %d, column %d)", json_error.text,
                           json_error.line, json_error.column);
  const char *type = json_string_value(json_object_get(root, "type"));
  const json_t *coordinates = json_object_get(root, "coordinates");
  int rc = 0;
  if (type && strcmp(type, "Polygon") == 0) {
    rc = check_polygon(coordinates, err);
  } else if (type && strcmp(type, "MultiPolygon") == 0 && json_array_size(coordinates) > 0) {
    for (size_t i = 0; rc == 0 && i < json_array_size(coordinates); i++)
      rc = check_polygon(json_array_get(coordinates, i), err);
  } else {
    rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, "boundary",
                         "expected a GeoJSON geometry with \"type\": \"Polygon\" or \"MultiPolygon\" and its coordinates");
  }
  json_decref(root);
  return rc;
}

static int precinct_edit(edit_t *e) {
  const pc_elections_edit_t *edit = e->edit;
  const pc_election_model_t *m = &e->model;
  int found = PC__EDIT_FIND(m->precincts, m->precinct_count, edit->id);
  if (edit->op != PC_EDIT_CREATE && found < 0) return pc__edit_not_found(e, "precinct");
  int rc = 0;
  if (edit->op == PC_EDIT_DELETE) {
    rc = pc__edit_refuse_if_dependents(e, PC_EDIT_PRECINCT, edit->id, "the precinct");
    if (rc == 0) rc = pc__edit_run(e, "DELETE FROM polling_places WHERE precinct_id = ?", "i", edit->id);
    return rc != 0 ? rc : pc__edit_run(e, "DELETE FROM precincts WHERE id = ?", "i", edit->id);
  }
  const char *name, *county_name = pc__edit_value(e, "county"), *boundary = pc__edit_value(e, "boundary");
  int64_t style = 0;
  long long registered = 0;
  rc = pc__edit_text(e, "name", PC_ELECTION_NAME_MAX, &name);
  pc_county_t county;
  if (rc == 0 && pc_counties_find(e->store, county_name, &county, NULL) != 0)
    rc = pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "county", "no county named \"%s\"", county_name);
  if (rc == 0) rc = pc__edit_optional_id(e, "ballot_style", &style);
  if (rc == 0 && style && PC__EDIT_FIND(m->ballot_styles, m->ballot_style_count, style) < 0)
    rc = pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "ballot_style", "no such ballot style in this election");
  const char *registered_text = pc__edit_value(e, "registered_voters");
  if (rc == 0 && registered_text[0] && pc_parse_int64(registered_text, 0, 100000000, &registered) != 0)
    rc = pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "registered_voters", "expected a whole number from 0, got \"%s\"",
                         registered_text);
  if (rc == 0 && boundary[0]) rc = pc_elections_check_boundary(boundary, e->err);
  if (rc != 0) return rc;
  if (edit->op == PC_EDIT_UPDATE) {
    const pc_precinct_t *p = &m->precincts[found];
    int64_t old_style = p->ballot_style >= 0 ? m->ballot_styles[p->ballot_style].id : 0;
    if (county.id != m->counties[p->county].id || style != old_style)
      rc = pc__edit_refuse_if_dependents(e, PC_EDIT_PRECINCT, edit->id, "the precinct");
    if (rc != 0) return rc;
    return pc__edit_run(e,
                        "UPDATE precincts SET name = ?, county_id = ?, ballot_style_id = ?, registered_voters = ?,"
                        " boundary_geojson = ? WHERE id = ?",
                        "sin" "iz" "i", name, county.id, style, (int64_t)registered, boundary, edit->id);
  }
  char code[PC_ELECTION_CODE_MAX + 1];
  pc__edit_make_code(m, "precinct", name, code);
  return pc__edit_run(e,
                      "INSERT INTO precincts (election_id, county_id, code, name, ballot_style_id, registered_voters,"
                      " boundary_geojson) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      "iiss" "n" "iz", m->election.id, county.id, code, name, style, (int64_t)registered, boundary);
}

/* County admins (EDIT->county_id) reach only their own county's precincts. */
static int precinct_in_scope(edit_t *e, int precinct) {
  const pc_election_model_t *m = &e->model;
  return e->edit->county_id == 0 || m->counties[m->precincts[precinct].county].id == e->edit->county_id;
}

static int polling_place_edit(edit_t *e) {
  const pc_elections_edit_t *edit = e->edit;
  const pc_election_model_t *m = &e->model;
  int found = PC__EDIT_FIND(m->polling_places, m->polling_place_count, edit->id);
  if (edit->op != PC_EDIT_CREATE && found < 0) return pc__edit_not_found(e, "polling place");
  if (found >= 0 && !precinct_in_scope(e, m->polling_places[found].precinct))
    return pc_error_set(e->err, PC_EPERM, "that polling place is in another county");
  if (edit->op == PC_EDIT_DELETE) return pc__edit_run(e, "DELETE FROM polling_places WHERE id = ?", "i", edit->id);
  const char *name, *address = pc__edit_value(e, "address"), *hours = pc__edit_value(e, "hours");
  int64_t precinct_id = 0;
  int rc = pc__edit_text(e, "name", PC_ELECTION_NAME_MAX, &name);
  if (rc == 0 && address[0]) rc = pc__elections_check_text(e->err, "address", address, 300);
  if (rc == 0 && hours[0]) rc = pc__elections_check_text(e->err, "hours", hours, 120);
  if (rc == 0) rc = pc__edit_optional_id(e, "precinct", &precinct_id);
  int precinct = rc == 0 ? PC__EDIT_FIND(m->precincts, m->precinct_count, precinct_id) : -1;
  if (rc == 0 && (precinct < 0 || !precinct_in_scope(e, precinct)))
    rc = pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "precinct", "choose a precinct of %s",
                         edit->county_id ? "your county" : "this election");
  if (rc != 0) return rc;
  if (edit->op == PC_EDIT_UPDATE)
    return pc__edit_run(e, "UPDATE polling_places SET precinct_id = ?, name = ?, address = ?, hours = ? WHERE id = ?",
                        "isssi", precinct_id, name, address, hours, edit->id);
  char code[PC_ELECTION_CODE_MAX + 1];
  pc__edit_make_code(m, "place", name, code);
  return pc__edit_run(e,
                      "INSERT INTO polling_places (election_id, precinct_id, code, name, address, hours)"
                      " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                      "iissss", m->election.id, precinct_id, code, name, address, hours);
}

/* ---- the frame ---------------------------------------------------------- */

int pc__edit_not_found(edit_t *e, const char *what) {
  return pc_error_set(e->err, PC_ENOTFOUND, "no such %s in election \"%s\"", what, e->model.election.name);
}

static const char *const object_names[] = {"election", "party", "district", "precinct", "polling_place",
                                           "contest", "choice", "ballot_style"};
static const char *const op_names[] = {"create", "update", "delete", "move", "move"};

/* After the change: the whole definition must still hold together; its hash
 * goes into the elections row, which is audited with the action. */
static int finish(edit_t *e, const unsigned char before[PC_HASH_SIZE]) {
  pc_election_model_t after;
  int rc = pc_elections_load(e->store, e->model.election.id, &after, e->err);
  if (rc != 0) return rc;
  char hex[65];
  rc = pc__elections_check(&after, 0, e->err);
  if (rc == 0) rc = pc_elections_definition_sha256(&after, hex, e->err);
  pc_elections_model_free(&after);
  int64_t created = e->new_id;
  if (rc == 0)
    rc = pc__edit_run(e, "UPDATE elections SET definition_sha256 = ? WHERE id = ?", "si", hex, e->model.election.id);
  e->new_id = created;
  if (rc == 0) rc = pc_audit_record(e->store, e->actor, e->action, "elections", e->model.election.id, before, NULL, e->err);
  return rc;
}

int pc_elections_edit(pc_store_t *store, const pc_actor_t *actor, int64_t election_id, const pc_elections_edit_t *edit,
                      int64_t *id, pc_error_t *err) {
  assert(edit->object <= PC_EDIT_BALLOT_STYLE && edit->op <= PC_EDIT_MOVE_DOWN);
  if (edit->object == PC_EDIT_ELECTION && edit->op != PC_EDIT_UPDATE)
    return pc_error_set(err, PC_EINVAL, "an election is created with pc_elections_create and never deleted here");
  edit_t e = {.store = store, .actor = actor, .edit = edit, .err = err};
  pc_snprintf(e.action, sizeof e.action, "%s.%s", object_names[edit->object], op_names[edit->op]);
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  unsigned char before[PC_HASH_SIZE];
  rc = pc_audit_row_hash(store, "elections", election_id, before, err);
  if (rc == PC_ENOTFOUND) rc = pc_error_set(err, PC_ENOTFOUND, "no election with id %lld", (long long)election_id);
  if (rc == 0) rc = pc_elections_load(store, election_id, &e.model, err);
  /* Once live, returns are being counted against the definition: only the
   * poll-closing time (checked in election_update) and polling places. */
  if (rc == 0 && strcmp(e.model.election.mode, "live") == 0 && edit->object != PC_EDIT_ELECTION &&
      edit->object != PC_EDIT_POLLING_PLACE)
    rc = pc_error_set(err, PC_ESTATE, "the election is live: only its poll-closing time and polling places may change");
  if (rc == 0 && edit->county_id && edit->object != PC_EDIT_POLLING_PLACE)
    rc = pc_error_set(err, PC_EPERM, "county accounts may change polling places only");
  if (rc == 0) {
    switch (edit->object) {
    case PC_EDIT_ELECTION: rc = election_update(&e); break;
    case PC_EDIT_PARTY: rc = party_edit(&e); break;
    case PC_EDIT_DISTRICT: rc = district_edit(&e); break;
    case PC_EDIT_PRECINCT: rc = precinct_edit(&e); break;
    case PC_EDIT_POLLING_PLACE: rc = polling_place_edit(&e); break;
    case PC_EDIT_CONTEST: rc = pc__edit_contest(&e); break;
    case PC_EDIT_CHOICE: rc = pc__edit_choice(&e); break;
    case PC_EDIT_BALLOT_STYLE: rc = pc__edit_ballot_style(&e); break;
    }
  }
  if (rc == PC_ECONFLICT) /* only codes are unique, and only ballot style codes are typed in */
    rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, "code", "another object of this election has that code");
  if (rc == 0) rc = finish(&e, before);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  if (rc == 0 && id) *id = edit->op == PC_EDIT_CREATE ? e.new_id : edit->id;
  pc_elections_model_free(&e.model);
  return rc;
}
