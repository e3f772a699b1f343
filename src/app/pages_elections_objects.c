/* Election definition pages, part two: one generic list page (table and
 * "add" form) and edit page (form, delete, ballot order) driven by a table
 * of object kinds: parties, districts, precincts, ballot styles, contests
 * (whose page also lists and adds its candidates or choices), choices, and
 * polling places per county (the only kind county admins may change, and
 * the only one besides the poll-closing time that stays open once live). */
#include "pages_elections.h"

#include "precinct/auth.h"
#include "precinct/buf.h"
#include "precinct/counties.h"

#include <stdlib.h>
#include <string.h>

/* Which objects a page is about: a contest's choices, a county's places. */
typedef struct scope {
  int contest;        /* model index, choices only */
  pc_county_t county; /* polling places only */
} scope_t;

typedef struct kind {
  pc_edit_object_t object;
  const char *slug, *singular, *title;
  const field_spec_t *fields;
  size_t field_count;
  const char *const *columns; /* after the name column, NULL-terminated */
  int movable;
  size_t (*count)(const pc_election_model_t *m, const scope_t *s);
  const void *(*at)(const pc_election_model_t *m, const scope_t *s, size_t i); /* struct starting with int64_t id */
  int (*in_scope)(const pc_election_model_t *m, const scope_t *s, size_t i);
  const char *(*name)(const pc_election_model_t *m, const scope_t *s, size_t i);
  json_t *(*cells)(const pc_election_model_t *m, const scope_t *s, size_t i);
  json_t *(*values)(const pc_election_model_t *m, const scope_t *s, size_t i);
  json_t *(*options)(pc_http_request_t *req, const pc_election_model_t *m, const scope_t *s);
} kind_t;

static int64_t id_at(const kind_t *k, const pc_election_model_t *m, const scope_t *s, size_t i) {
  int64_t id;
  memcpy(&id, k->at(m, s, i), sizeof id);
  return id;
}

static json_t *id_string(int64_t id) {
  char text[24];
  pc_snprintf(text, sizeof text, "%lld", (long long)id);
  return json_string(id ? text : "");
}

static int always(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)m, (void)s, (void)i;
  return 1;
}

static json_t *no_options(pc_http_request_t *req, const pc_election_model_t *m, const scope_t *s) {
  (void)req, (void)m, (void)s;
  return json_object();
}

/* ---- parties ------------------------------------------------------------ */

static const field_spec_t party_fields[] = {
    {"name", "Name", NULL, F_TEXT, 1},
    {"abbreviation", "Abbreviation", "Up to 16 characters, e.g. DEM.", F_TEXT, 0},
};
static const char *const party_columns[] = {"Abbreviation", "Candidates", NULL};
static size_t party_count(const pc_election_model_t *m, const scope_t *s) { (void)s; return m->party_count; }
static const void *party_at(const pc_election_model_t *m, const scope_t *s, size_t i) { (void)s; return &m->parties[i]; }
static const char *party_name(const pc_election_model_t *m, const scope_t *s, size_t i) { (void)s; return m->parties[i].name; }
static json_t *party_cells(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)s;
  json_int_t candidates = 0;
  for (size_t c = 0; c < m->candidate_count; c++) candidates += m->candidates[c].party == (int)i;
  return json_pack("[s, I]", m->parties[i].abbreviation, candidates);
}
static json_t *party_values(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)s;
  return json_pack("{s:s, s:s}", "name", m->parties[i].name, "abbreviation", m->parties[i].abbreviation);
}

/* ---- districts ---------------------------------------------------------- */

static const field_spec_t district_fields[] = {
    {"name", "Name", "e.g. \"Congressional District 3\".", F_TEXT, 1},
    {"unit_type", "Type", NULL, F_SELECT, 1},
};
static const char *const district_columns[] = {"Type", "Code", NULL};
static size_t district_count(const pc_election_model_t *m, const scope_t *s) { (void)s; return m->district_count; }
static const void *district_at(const pc_election_model_t *m, const scope_t *s, size_t i) { (void)s; return &m->districts[i]; }
static const char *district_name(const pc_election_model_t *m, const scope_t *s, size_t i) { (void)s; return m->districts[i].name; }
static json_t *district_cells(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)s;
  return json_pack("[s, s]", m->districts[i].unit_type, m->districts[i].code);
}
static json_t *district_values(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)s;
  return json_pack("{s:s, s:s}", "name", m->districts[i].name, "unit_type", m->districts[i].unit_type);
}
static json_t *district_options(pc_http_request_t *req, const pc_election_model_t *m, const scope_t *s) {
  (void)req, (void)m, (void)s;
  static const char *const types[][2] = {
      {"congressional", "Congressional"}, {"state-senate", "State senate"}, {"state-house", "State house"},
      {"judicial", "Judicial"}, {"school", "School"}, {"city", "City"}, {"town", "Town"}, {"township", "Township"},
      {"village", "Village"}, {"borough", "Borough"}, {"municipality", "Municipality"}, {"ward", "Ward"},
      {"city-council", "City council"}, {"county-council", "County council"}, {"water", "Water"},
      {"utility", "Utility"}, {"special", "Special"}, {"other", "Other"}};
  json_t *list = json_array();
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) json_array_append_new(list, pc_app_option(types[i][0], types[i][1]));
  return json_pack("{s:o}", "unit_type", list);
}

/* ---- precincts ---------------------------------------------------------- */

static const field_spec_t precinct_fields[] = {
    {"name", "Name", NULL, F_TEXT, 1},
    {"county", "County", NULL, F_SELECT, 1},
    {"ballot_style", "Ballot style", "Which contests this precinct's voters get.", F_SELECT, 0},
    {"registered_voters", "Registered voters", NULL, F_NUMBER, 0},
    {"boundary", "Boundary (GeoJSON)",
     "A GeoJSON Polygon or MultiPolygon of [longitude, latitude] positions, up to 60 KiB; drawn on the results maps.",
     F_TEXTAREA, 0},
};
static const char *const precinct_columns[] = {"County", "Ballot style", "Registered voters", "Boundary", NULL};
static size_t precinct_count(const pc_election_model_t *m, const scope_t *s) { (void)s; return m->precinct_count; }
static const void *precinct_at(const pc_election_model_t *m, const scope_t *s, size_t i) { (void)s; return &m->precincts[i]; }
static const char *precinct_name(const pc_election_model_t *m, const scope_t *s, size_t i) { (void)s; return m->precincts[i].name; }
static json_t *precinct_cells(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)s;
  const pc_precinct_t *p = &m->precincts[i];
  return json_pack("[s, s, I, s]", m->counties[p->county].name,
                   p->ballot_style >= 0 ? m->ballot_styles[p->ballot_style].code : "none",
                   (json_int_t)p->registered_voters, p->boundary_geojson ? "yes" : "no");
}
static json_t *precinct_values(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)s;
  const pc_precinct_t *p = &m->precincts[i];
  char registered[24];
  pc_snprintf(registered, sizeof registered, "%lld", (long long)p->registered_voters);
  return json_pack("{s:s, s:s, s:o, s:s, s:s}", "name", p->name, "county", m->counties[p->county].name, "ballot_style",
                   id_string(p->ballot_style >= 0 ? m->ballot_styles[p->ballot_style].id : 0), "registered_voters",
                   registered, "boundary", p->boundary_geojson ? p->boundary_geojson : "");
}
static int add_county_option(const pc_county_t *county, void *context) {
  json_array_append_new(context, pc_app_option(county->name, county->name));
  return 0;
}
static json_t *precinct_options(pc_http_request_t *req, const pc_election_model_t *m, const scope_t *s) {
  (void)s;
  json_t *counties = json_array(), *styles = json_array();
  json_array_append_new(counties, pc_app_option("", "Choose a county"));
  pc_counties_each(pc_http_request_store(req), add_county_option, counties, NULL);
  json_array_append_new(styles, pc_app_option("", "None yet"));
  for (size_t i = 0; i < m->ballot_style_count; i++) {
    json_t *id = id_string(m->ballot_styles[i].id);
    json_array_append_new(styles, pc_app_option(json_string_value(id), m->ballot_styles[i].code));
    json_decref(id);
  }
  return json_pack("{s:o, s:o}", "county", counties, "ballot_style", styles);
}

/* ---- ballot styles ------------------------------------------------------ */

static const field_spec_t style_fields[] = {
    {"code", "Code", "A short unique name, e.g. \"style-12\".", F_TEXT, 1},
    {"contest", "Contests on this ballot", NULL, F_CHECKBOXES, 0},
    {"precinct", "Precincts that vote this ballot", NULL, F_CHECKBOXES, 0},
};
static const char *const style_columns[] = {"Contests", "Precincts", NULL};
static size_t style_count(const pc_election_model_t *m, const scope_t *s) { (void)s; return m->ballot_style_count; }
static const void *style_at(const pc_election_model_t *m, const scope_t *s, size_t i) { (void)s; return &m->ballot_styles[i]; }
static const char *style_name(const pc_election_model_t *m, const scope_t *s, size_t i) { (void)s; return m->ballot_styles[i].code; }
static json_t *style_cells(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)s;
  json_int_t precincts = 0;
  for (size_t p = 0; p < m->precinct_count; p++) precincts += m->precincts[p].ballot_style == (int)i;
  return json_pack("[I, I]", (json_int_t)m->ballot_styles[i].contest_count, precincts);
}
static json_t *style_values(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)s;
  json_t *contests = json_array(), *precincts = json_array();
  for (size_t k = 0; k < m->ballot_styles[i].contest_count; k++)
    json_array_append_new(contests, id_string(m->contests[m->ballot_styles[i].contests[k]].id));
  for (size_t p = 0; p < m->precinct_count; p++)
    if (m->precincts[p].ballot_style == (int)i) json_array_append_new(precincts, id_string(m->precincts[p].id));
  return json_pack("{s:s, s:o, s:o}", "code", m->ballot_styles[i].code, "contest", contests, "precinct", precincts);
}
static json_t *style_options(pc_http_request_t *req, const pc_election_model_t *m, const scope_t *s) {
  (void)req, (void)s;
  json_t *contests = json_array(), *precincts = json_array();
  for (size_t c = 0; c < m->contest_count; c++) {
    json_t *id = id_string(m->contests[c].id);
    json_array_append_new(contests, pc_app_option(json_string_value(id), m->contests[c].name));
    json_decref(id);
  }
  for (size_t p = 0; p < m->precinct_count; p++) {
    json_t *id = id_string(m->precincts[p].id);
    char label[PC_ELECTION_NAME_MAX + 140];
    pc_snprintf(label, sizeof label, "%s (%s)", m->precincts[p].name, m->counties[m->precincts[p].county].name);
    json_array_append_new(precincts, pc_app_option(json_string_value(id), label));
    json_decref(id);
  }
  return json_pack("{s:o, s:o}", "contest", contests, "precinct", precincts);
}

/* ---- contests ----------------------------------------------------------- */

static const field_spec_t contest_fields[] = {
    {"name", "Name", "As printed on the ballot, e.g. \"Governor\".", F_TEXT, 1},
    {"kind", "Kind", NULL, F_SELECT, 1},
    {"district", "Where it is voted on", NULL, F_SELECT, 1},
    {"vote_for", "Vote for", "How many candidates a voter may choose (candidate contests only).", F_NUMBER, 1},
    {"candidate", "Judge or official up for retention", "Retention contests only.", F_TEXT, 0},
};
static const char *const contest_columns[] = {"Kind", "Where", "Vote for", "Choices", NULL};
static const char *kind_label(pc_contest_kind_t kind) {
  static const char *const labels[] = {"Candidates (vote for N)", "Ranked choice", "Ballot measure", "Retention"};
  return labels[kind];
}
static const char *district_label(const pc_election_model_t *m, const char *code) {
  if (strcmp(code, "state") == 0) return "Statewide";
  for (size_t i = 0; i < m->county_count; i++)
    if (strcmp(m->counties[i].unit_code, code) == 0) return m->counties[i].name;
  for (size_t i = 0; i < m->district_count; i++)
    if (strcmp(m->districts[i].code, code) == 0) return m->districts[i].name;
  return code;
}
static size_t contest_count(const pc_election_model_t *m, const scope_t *s) { (void)s; return m->contest_count; }
static const void *contest_at(const pc_election_model_t *m, const scope_t *s, size_t i) { (void)s; return &m->contests[i]; }
static const char *contest_name(const pc_election_model_t *m, const scope_t *s, size_t i) { (void)s; return m->contests[i].name; }
static json_t *contest_cells(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)s;
  const pc_contest_t *c = &m->contests[i];
  return json_pack("[s, s, i, I]", kind_label(c->kind), district_label(m, c->district_code), c->vote_for,
                   (json_int_t)c->choice_count);
}
static json_t *contest_values(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)s;
  const pc_contest_t *c = &m->contests[i];
  char vote_for[16];
  pc_snprintf(vote_for, sizeof vote_for, "%d", c->vote_for);
  return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", c->name, "kind", pc_elections_kind_name(c->kind), "district",
                   c->district_code, "vote_for", vote_for, "candidate",
                   c->retention_candidate >= 0 ? m->candidates[c->retention_candidate].ballot_name : "");
}
static json_t *contest_options(pc_http_request_t *req, const pc_election_model_t *m, const scope_t *s) {
  (void)req, (void)s;
  json_t *kinds = json_array(), *districts = json_array();
  for (int k = PC_CONTEST_CANDIDATE; k <= PC_CONTEST_RETENTION; k++)
    json_array_append_new(kinds, pc_app_option(pc_elections_kind_name((pc_contest_kind_t)k), kind_label((pc_contest_kind_t)k)));
  json_array_append_new(districts, pc_app_option("state", "Statewide"));
  for (size_t i = 0; i < m->county_count; i++) {
    char label[160];
    pc_snprintf(label, sizeof label, "%s County", m->counties[i].name);
    json_array_append_new(districts, pc_app_option(m->counties[i].unit_code, label));
  }
  for (size_t i = 0; i < m->district_count; i++)
    json_array_append_new(districts, pc_app_option(m->districts[i].code, m->districts[i].name));
  return json_pack("{s:o, s:o}", "kind", kinds, "district", districts);
}

/* ---- choices (a contest's candidates or answers) ------------------------ */

static const field_spec_t choice_fields[] = {
    {"name", "Name on the ballot", NULL, F_TEXT, 1},
    {"party", "Party", "Candidate contests only.", F_SELECT, 0},
    {"write_in", "Write-in line", NULL, F_CHECKBOX, 0},
};
static const char *const choice_columns[] = {"Party", "Write-in", NULL};
static size_t choice_count(const pc_election_model_t *m, const scope_t *s) { return m->contests[s->contest].choice_count; }
static const void *choice_at(const pc_election_model_t *m, const scope_t *s, size_t i) { return &m->contests[s->contest].choices[i]; }
static const char *choice_name(const pc_election_model_t *m, const scope_t *s, size_t i) { return m->contests[s->contest].choices[i].name; }
static int choice_party(const pc_election_model_t *m, const pc_choice_t *ch) {
  return ch->candidate >= 0 ? m->candidates[ch->candidate].party : -1;
}
static json_t *choice_cells(const pc_election_model_t *m, const scope_t *s, size_t i) {
  const pc_choice_t *ch = &m->contests[s->contest].choices[i];
  int party = choice_party(m, ch);
  return json_pack("[s, s]", party >= 0 ? m->parties[party].name : "", ch->is_write_in ? "yes" : "");
}
static json_t *choice_values(const pc_election_model_t *m, const scope_t *s, size_t i) {
  const pc_choice_t *ch = &m->contests[s->contest].choices[i];
  int party = choice_party(m, ch);
  return json_pack("{s:s, s:o, s:s}", "name", ch->name, "party", id_string(party >= 0 ? m->parties[party].id : 0),
                   "write_in", ch->is_write_in ? "1" : "");
}
static json_t *choice_options(pc_http_request_t *req, const pc_election_model_t *m, const scope_t *s) {
  (void)req, (void)s;
  json_t *parties = json_array();
  json_array_append_new(parties, pc_app_option("", "No party"));
  for (size_t i = 0; i < m->party_count; i++) {
    json_t *id = id_string(m->parties[i].id);
    json_array_append_new(parties, pc_app_option(json_string_value(id), m->parties[i].name));
    json_decref(id);
  }
  return json_pack("{s:o}", "party", parties);
}

/* ---- polling places ----------------------------------------------------- */

static const field_spec_t place_fields[] = {
    {"name", "Name", "e.g. \"Central Library\".", F_TEXT, 1},
    {"address", "Address", "Street, city and ZIP code, as voters would look for it.", F_TEXT, 0},
    {"hours", "Hours", "When it is open, e.g. \"7:00 AM - 8:00 PM\".", F_TEXT, 0},
    {"precinct", "Precinct served", NULL, F_SELECT, 1},
};
static const char *const place_columns[] = {"Address", "Hours", "Precinct", NULL};
static size_t place_count(const pc_election_model_t *m, const scope_t *s) { (void)s; return m->polling_place_count; }
static const void *place_at(const pc_election_model_t *m, const scope_t *s, size_t i) { (void)s; return &m->polling_places[i]; }
static int place_in_county(const pc_election_model_t *m, const scope_t *s, size_t i) {
  return m->counties[m->precincts[m->polling_places[i].precinct].county].id == s->county.id;
}
static const char *place_name(const pc_election_model_t *m, const scope_t *s, size_t i) { (void)s; return m->polling_places[i].name; }
static json_t *place_cells(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)s;
  const pc_polling_place_t *pp = &m->polling_places[i];
  return json_pack("[s, s, s]", pp->address, pp->hours ? pp->hours : "", m->precincts[pp->precinct].name);
}
static json_t *place_values(const pc_election_model_t *m, const scope_t *s, size_t i) {
  (void)s;
  const pc_polling_place_t *pp = &m->polling_places[i];
  return json_pack("{s:s, s:s, s:s, s:o}", "name", pp->name, "address", pp->address, "hours", pp->hours ? pp->hours : "",
                   "precinct", id_string(m->precincts[pp->precinct].id));
}
static json_t *place_options(pc_http_request_t *req, const pc_election_model_t *m, const scope_t *s) {
  (void)req;
  json_t *precincts = json_array();
  json_array_append_new(precincts, pc_app_option("", "Choose a precinct"));
  for (size_t p = 0; p < m->precinct_count; p++)
    if (m->counties[m->precincts[p].county].id == s->county.id) {
      json_t *id = id_string(m->precincts[p].id);
      json_array_append_new(precincts, pc_app_option(json_string_value(id), m->precincts[p].name));
      json_decref(id);
    }
  return json_pack("{s:o}", "precinct", precincts);
}

#define FIELDS(array) array, sizeof array / sizeof array[0]
static const kind_t kinds[] = {
    {PC_EDIT_PARTY, "parties", "party", "Parties", FIELDS(party_fields), party_columns, 0, party_count, party_at, always,
     party_name, party_cells, party_values, no_options},
    {PC_EDIT_DISTRICT, "districts", "district", "Districts", FIELDS(district_fields), district_columns, 0, district_count,
     district_at, always, district_name, district_cells, district_values, district_options},
    {PC_EDIT_PRECINCT, "precincts", "precinct", "Precincts", FIELDS(precinct_fields), precinct_columns, 0, precinct_count,
     precinct_at, always, precinct_name, precinct_cells, precinct_values, precinct_options},
    {PC_EDIT_BALLOT_STYLE, "ballot-styles", "ballot style", "Ballot styles", FIELDS(style_fields), style_columns, 0,
     style_count, style_at, always, style_name, style_cells, style_values, style_options},
    {PC_EDIT_CONTEST, "contests", "contest", "Contests", FIELDS(contest_fields), contest_columns, 1, contest_count,
     contest_at, always, contest_name, contest_cells, contest_values, contest_options},
    {PC_EDIT_CHOICE, "choices", "choice", "Candidates and choices", FIELDS(choice_fields), choice_columns, 1, choice_count,
     choice_at, always, choice_name, choice_cells, choice_values, choice_options},
    {PC_EDIT_POLLING_PLACE, "polling-places", "polling place", "Polling places", FIELDS(place_fields), place_columns, 0,
     place_count, place_at, place_in_county, place_name, place_cells, place_values, place_options},
};
enum { K_PARTY, K_DISTRICT, K_PRECINCT, K_STYLE, K_CONTEST, K_CHOICE, K_PLACE };


/* ---- paths -------------------------------------------------------------- */

/* The list page of K in S (for choices: their contest's page). */
static void list_href(pc_buf_t *out, const kind_t *k, const pc_election_model_t *m, const scope_t *s) {
  pc_buf_appendf(out, "/admin/elections/%lld/", (long long)m->election.id);
  if (k->object == PC_EDIT_CHOICE) {
    pc_buf_appendf(out, "contests/%lld", (long long)m->contests[s->contest].id);
  } else if (k->object == PC_EDIT_POLLING_PLACE) {
    pc_buf_append_str(out, "counties/");
    pc_buf_append_urlencoded(out, s->county.name);
    pc_buf_append_str(out, "/polling-places");
  } else {
    pc_buf_append_str(out, k->slug);
  }
}

/* The page of object ID (0: where new ones are posted), then SUFFIX. */
static void object_href(pc_buf_t *out, const kind_t *k, const pc_election_model_t *m, const scope_t *s, int64_t id,
                        const char *suffix) {
  list_href(out, k, m, s);
  if (k->object == PC_EDIT_CHOICE) pc_buf_append_str(out, "/choices");
  if (id) pc_buf_appendf(out, "/%lld", (long long)id);
  pc_buf_append_str(out, suffix);
}

static int redirect_to_list(pc_http_response_t *resp, const kind_t *k, const pc_election_model_t *m, const scope_t *s,
                            const char *notice) {
  pc_buf_t href;
  pc_buf_init(&href, 1024);
  list_href(&href, k, m, s);
  pc_buf_appendf(&href, "?notice=%s", notice);
  int rc = pc_http_reply_redirect(resp, pc_buf_str(&href));
  pc_buf_free(&href);
  return rc;
}

/* ---- request state ------------------------------------------------------ */

static int find_param(const kind_t *k, const pc_election_model_t *m, const scope_t *s, const char *text) {
  long long id;
  if (!text || pc_parse_int64(text, 1, INT64_MAX, &id) != 0) return -1;
  for (size_t i = 0; i < k->count(m, s); i++)
    if (id_at(k, m, s, i) == id && k->in_scope(m, s, i)) return (int)i;
  return -1;
}

/* Loads the election and what the path names; PC_ENOTFOUND when absent. */
static int open_page(pc_http_request_t *req, const kind_t *k, pc_election_model_t *m, scope_t *s) {
  memset(s, 0, sizeof *s);
  s->contest = -1;
  int rc = pc_app_election_load(req, m);
  if (rc != 0) return rc;
  if (k->object == PC_EDIT_CHOICE &&
      (s->contest = find_param(&kinds[K_CONTEST], m, s, pc_http_request_param(req, "contest"))) < 0)
    rc = PC_ENOTFOUND;
  if (k->object == PC_EDIT_POLLING_PLACE &&
      pc_counties_find(pc_http_request_store(req), pc_http_request_param(req, "county"), &s->county, NULL) != 0)
    rc = PC_ENOTFOUND;
  if (rc != 0) pc_elections_model_free(m);
  return rc;
}

/* 1 when the page shows K's objects read-only: the election is live, or
 * the user may not change the state-wide definition (county users, auditors). */
static int locked(pc_http_request_t *req, const kind_t *k, const pc_election_model_t *m) {
  if (k->object == PC_EDIT_POLLING_PLACE) return 0;
  return strcmp(m->election.mode, "live") == 0 || pc_auth_authorize(pc_app_principal(req), PC_ACCESS_STATE, 0) != 0;
}

/* ---- rendering ---------------------------------------------------------- */

static json_t *table_json(const kind_t *k, const pc_election_model_t *m, const scope_t *s, int movable) {
  json_t *columns = json_array(), *rows = json_array();
  for (const char *const *c = k->columns; *c; c++) json_array_append_new(columns, json_string(*c));
  size_t n = k->count(m, s);
  for (size_t i = 0; i < n; i++) {
    if (!k->in_scope(m, s, i)) continue;
    int64_t id = id_at(k, m, s, i);
    pc_buf_t href, up, down;
    pc_buf_init(&href, 1024), pc_buf_init(&up, 1024), pc_buf_init(&down, 1024);
    object_href(&href, k, m, s, id, "");
    object_href(&up, k, m, s, id, "/move-up");
    object_href(&down, k, m, s, id, "/move-down");
    json_t *row = json_pack("{s:s, s:s, s:o}", "row_name", k->name(m, s, i), "row_href", pc_buf_str(&href), "row_cells",
                            k->cells(m, s, i));
    if (movable && i > 0) json_object_set_new(row, "move_up", json_string(pc_buf_str(&up)));
    if (movable && i + 1 < n) json_object_set_new(row, "move_down", json_string(pc_buf_str(&down)));
    pc_buf_free(&href), pc_buf_free(&up), pc_buf_free(&down);
    json_array_append_new(rows, row);
  }
  return json_pack("{s:s, s:o, s:o, s:b, s:b}", "table_caption", k->title, "columns", columns, "rows", rows, "movable",
                   movable, "has_rows", json_array_size(rows) > 0);
}

/* The form for K: SPECS (all of K's fields, or fewer), VALUES (stolen). */
static json_t *form_json(pc_http_request_t *req, const char *id_prefix, const kind_t *k, const pc_election_model_t *m,
                         const scope_t *s, size_t field_count, json_t *values, const pc_error_t *err, const char *action,
                         const char *submit) {
  json_t *options = k->options(req, m, s);
  const char *unplaced;
  /* Refusals (not a field's fault) are shown at the top of the page instead. */
  const pc_error_t *field_err = err && err->code == PC_EINVAL ? err : (err && err->code == PC_ELIMIT ? err : NULL);
  json_t *fields = pc_app_election_fields(id_prefix, k->fields, field_count, values, options, field_err, &unplaced);
  json_decref(options);
  json_decref(values);
  return pc_app_election_form(action, submit, fields, unplaced);
}

static void set_refusal(json_t *context, const pc_error_t *err) {
  if (err && err->code && err->code != PC_EINVAL && err->code != PC_ELIMIT)
    json_object_set_new(context, "refusal", json_string(err->message));
}

static size_t choice_field_count(const pc_contest_t *c) {
  return c->kind == PC_CONTEST_CANDIDATE || c->kind == PC_CONTEST_RCV ? 3 : 1;
}

static int render_list(pc_http_request_t *req, pc_http_response_t *resp, int status, const kind_t *k,
                       pc_election_model_t *m, const scope_t *s, json_t *values, const pc_error_t *err) {
  char title[200];
  if (k->object == PC_EDIT_POLLING_PLACE) pc_snprintf(title, sizeof title, "Polling places of %s County", s->county.name);
  else pc_snprintf(title, sizeof title, "%s", k->title);
  json_t *context = pc_app_election_context(req, m, title);
  json_object_set_new(context, "heading", json_string(title));
  json_object_set_new(context, "table", table_json(k, m, s, k->movable && !locked(req, k, m)));
  set_refusal(context, err);
  if (!locked(req, k, m)) {
    pc_buf_t action;
    pc_buf_init(&action, 1024);
    object_href(&action, k, m, s, 0, "");
    char submit[64];
    pc_snprintf(submit, sizeof submit, "Add %s", k->singular);
    json_object_set_new(context, "form_heading", json_string(submit));
    json_object_set_new(context, "form", form_json(req, "f", k, m, s, k->field_count, values, err, pc_buf_str(&action), submit));
    pc_buf_free(&action);
  } else {
    json_decref(values);
  }
  pc_elections_model_free(m);
  return pc_app_render(req, resp, status, "election_objects", context);
}

/* Read-only details for a live election: label and value of each field. */
static json_t *details_json(const kind_t *k, json_t *values) {
  json_t *details = json_array();
  for (size_t i = 0; i < k->field_count; i++) {
    json_t *value = json_object_get(values, k->fields[i].name);
    if (json_is_string(value))
      json_array_append_new(details, json_pack("{s:s, s:s}", "detail_label", k->fields[i].label, "detail_value",
                                               json_string_value(value)));
  }
  return details;
}

static int render_object(pc_http_request_t *req, pc_http_response_t *resp, int status, const kind_t *k,
                         pc_election_model_t *m, const scope_t *s, int index, json_t *values, const pc_error_t *err,
                         json_t *child_values, const pc_error_t *child_err) {
  char title[PC_ELECTION_NAME_MAX + 64];
  pc_snprintf(title, sizeof title, "%c%s: %s", k->singular[0] - 'a' + 'A', k->singular + 1, k->name(m, s, (size_t)index));
  json_t *context = pc_app_election_context(req, m, title);
  int64_t id = id_at(k, m, s, (size_t)index);
  pc_buf_t back, action;
  pc_buf_init(&back, 1024), pc_buf_init(&action, 1024);
  list_href(&back, k, m, s);
  json_object_set_new(context, "heading", json_string(title));
  json_object_set_new(context, "back_href", json_string(pc_buf_str(&back)));
  json_object_set_new(context, "back_label",
                      json_string(k->object == PC_EDIT_CHOICE ? m->contests[s->contest].name
                                  : k->object == PC_EDIT_POLLING_PLACE ? "Polling places" : k->title));
  set_refusal(context, err);
  size_t field_count = k->object == PC_EDIT_CHOICE ? choice_field_count(&m->contests[s->contest]) : k->field_count;
  if (locked(req, k, m)) {
    json_object_set_new(context, "details", details_json(k, values));
    json_object_set_new(context, "has_details", json_true());
    json_decref(values);
  } else {
    object_href(&action, k, m, s, id, "");
    json_object_set_new(context, "form", form_json(req, "f", k, m, s, field_count, values, err, pc_buf_str(&action), "Save"));
    pc_buf_reset(&action);
    object_href(&action, k, m, s, id, "/delete");
    char label[96];
    pc_snprintf(label, sizeof label, "Delete this %s", k->singular);
    json_object_set_new(context, "delete", json_pack("{s:s, s:s}", "delete_action", pc_buf_str(&action), "delete_label", label));
  }
  if (k->object == PC_EDIT_CONTEST) {
    const kind_t *choices = &kinds[K_CHOICE];
    scope_t child = *s;
    child.contest = index;
    json_object_set_new(context, "child_table", table_json(choices, m, &child, !locked(req, k, m)));
    int takes_candidates = m->contests[index].kind == PC_CONTEST_CANDIDATE || m->contests[index].kind == PC_CONTEST_RCV;
    json_object_set_new(context, "child_heading", json_string(takes_candidates ? "Candidates" : "Choices"));
    set_refusal(context, child_err);
    if (!locked(req, k, m)) {
      pc_buf_reset(&action);
      object_href(&action, choices, m, &child, 0, "");
      const char *submit = takes_candidates ? "Add candidate" : "Add choice";
      json_object_set_new(context, "child_form_heading", json_string(submit));
      json_object_set_new(context, "child_form",
                          form_json(req, "c", choices, m, &child, choice_field_count(&m->contests[index]),
                                    child_values ? child_values : json_object(), child_err, pc_buf_str(&action), submit));
    } else {
      json_decref(child_values);
    }
  } else {
    json_decref(child_values);
  }
  pc_buf_free(&back), pc_buf_free(&action);
  pc_elections_model_free(m);
  return pc_app_render(req, resp, status, "election_object", context);
}

/* ---- handlers ----------------------------------------------------------- */

static int list_page(pc_http_request_t *req, pc_http_response_t *resp, const kind_t *k) {
  pc_election_model_t m;
  scope_t s;
  int rc = open_page(req, k, &m, &s);
  if (rc != 0) return rc;
  json_t *values = json_object();
  if (k->object == PC_EDIT_CONTEST) json_object_set_new(values, "vote_for", json_string("1"));
  return render_list(req, resp, 200, k, &m, &s, values, NULL);
}

static int edit_page(pc_http_request_t *req, pc_http_response_t *resp, const kind_t *k) {
  pc_election_model_t m;
  scope_t s;
  int rc = open_page(req, k, &m, &s);
  if (rc != 0) return rc;
  int index = find_param(k, &m, &s, pc_http_request_param(req, "id"));
  if (index < 0) {
    pc_elections_model_free(&m);
    return PC_ENOTFOUND;
  }
  return render_object(req, resp, 200, k, &m, &s, index, k->values(&m, &s, (size_t)index), NULL, NULL, NULL);
}

/* Runs OP on K's object of the path (CREATE: a new one) with the form. */
static int change(pc_http_request_t *req, pc_http_response_t *resp, const kind_t *k, pc_edit_op_t op) {
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  pc_election_model_t m;
  scope_t s;
  rc = open_page(req, k, &m, &s);
  if (rc != 0) return rc;
  int index = op == PC_EDIT_CREATE ? -1 : find_param(k, &m, &s, pc_http_request_param(req, "id"));
  if (op != PC_EDIT_CREATE && index < 0) {
    pc_elections_model_free(&m);
    return PC_ENOTFOUND;
  }
  pc_actor_t actor;
  pc_auth_actor(pc_app_principal(req), &actor);
  pc_elections_edit_t edit = {k->object, op, index >= 0 ? id_at(k, &m, &s, (size_t)index) : 0,
                              s.contest >= 0 ? m.contests[s.contest].id : 0, s.county.id,
                              pc_app_election_form_reader(form)};
  pc_error_t err;
  pc_error_clear(&err);
  int64_t id = 0;
  rc = pc_elections_edit(pc_http_request_store(req), &actor, m.election.id, &edit, &id, &err);
  if (rc == PC_EINVAL || rc == PC_ESTATE || rc == PC_ELIMIT || rc == PC_EPERM) {
    int status = pc_app_election_status(rc);
    json_t *submitted = pc_app_election_form_values(form, k->fields, k->field_count);
    if (k->object == PC_EDIT_CHOICE && op == PC_EDIT_CREATE)
      return render_object(req, resp, status, &kinds[K_CONTEST], &m, &s, s.contest,
                           contest_values(&m, &s, (size_t)s.contest), NULL, submitted, &err);
    if (op == PC_EDIT_CREATE || op == PC_EDIT_MOVE_UP || op == PC_EDIT_MOVE_DOWN) {
      if (op != PC_EDIT_CREATE) json_decref(submitted), submitted = json_object();
      if (k->object == PC_EDIT_CHOICE)
        return render_object(req, resp, status, &kinds[K_CONTEST], &m, &s, s.contest,
                             contest_values(&m, &s, (size_t)s.contest), NULL, NULL, &err);
      return render_list(req, resp, status, k, &m, &s, submitted, &err);
    }
    if (op == PC_EDIT_DELETE) json_decref(submitted), submitted = k->values(&m, &s, (size_t)index);
    return render_object(req, resp, status, k, &m, &s, index, submitted, &err, NULL, NULL);
  }
  if (rc != 0) {
    pc_elections_model_free(&m);
    return rc;
  }
  static const char *const notices[] = {"added", "saved", "deleted", "moved", "moved"};
  if (k->object == PC_EDIT_CONTEST && op == PC_EDIT_CREATE) {
    /* Straight to the new contest, where its candidates are added. */
    pc_buf_t href;
    pc_buf_init(&href, 1024);
    object_href(&href, k, &m, &s, id, "?notice=added");
    pc_elections_model_free(&m);
    rc = pc_http_reply_redirect(resp, pc_buf_str(&href));
    pc_buf_free(&href);
    return rc;
  }
  rc = redirect_to_list(resp, k, &m, &s, notices[op]);
  pc_elections_model_free(&m);
  return rc;
}

#define HANDLER(name, function, ...)                                                                                  \
  static int name(pc_http_request_t *req, pc_http_response_t *resp) { return function(req, resp, __VA_ARGS__); }
#define HANDLERS(name, K)                                                                                               \
  HANDLER(name##_edit, edit_page, &kinds[K])                                                                           \
  HANDLER(name##_create, change, &kinds[K], PC_EDIT_CREATE)                                                            \
  HANDLER(name##_update, change, &kinds[K], PC_EDIT_UPDATE)                                                            \
  HANDLER(name##_delete, change, &kinds[K], PC_EDIT_DELETE)
#define LIST(name, K) HANDLER(name##_list, list_page, &kinds[K])
#define MOVES(name, K)                                                                                                  \
  HANDLER(name##_up, change, &kinds[K], PC_EDIT_MOVE_UP)                                                               \
  HANDLER(name##_down, change, &kinds[K], PC_EDIT_MOVE_DOWN)
HANDLERS(party, K_PARTY) LIST(party, K_PARTY)
HANDLERS(district, K_DISTRICT) LIST(district, K_DISTRICT)
HANDLERS(precinct, K_PRECINCT) LIST(precinct, K_PRECINCT)
HANDLERS(style, K_STYLE) LIST(style, K_STYLE)
HANDLERS(contest, K_CONTEST) LIST(contest, K_CONTEST) MOVES(contest, K_CONTEST)
HANDLERS(choice, K_CHOICE) MOVES(choice, K_CHOICE)
HANDLERS(place, K_PLACE) LIST(place, K_PLACE)

#define E "/admin/elections/{election}/"
#define CRUD(path, name)                                                                                                \
  {PC_HTTP_GET, E path, name##_list, PC_HTTP_READ, NULL}, {PC_HTTP_POST, E path, name##_create, PC_HTTP_STATE, NULL},   \
      {PC_HTTP_GET, E path "/{id}", name##_edit, PC_HTTP_READ, NULL},                                                  \
      {PC_HTTP_POST, E path "/{id}", name##_update, PC_HTTP_STATE, NULL},                                              \
      {PC_HTTP_POST, E path "/{id}/delete", name##_delete, PC_HTTP_STATE, NULL}
#define PLACES E "counties/{county}/polling-places"
const pc_http_route_t pc_app_election_object_routes[] = {
    CRUD("parties", party),
    CRUD("districts", district),
    CRUD("precincts", precinct),
    CRUD("ballot-styles", style),
    CRUD("contests", contest),
    {PC_HTTP_POST, E "contests/{id}/move-up", contest_up, PC_HTTP_STATE, NULL},
    {PC_HTTP_POST, E "contests/{id}/move-down", contest_down, PC_HTTP_STATE, NULL},
    {PC_HTTP_POST, E "contests/{contest}/choices", choice_create, PC_HTTP_STATE, NULL},
    {PC_HTTP_GET, E "contests/{contest}/choices/{id}", choice_edit, PC_HTTP_READ, NULL},
    {PC_HTTP_POST, E "contests/{contest}/choices/{id}", choice_update, PC_HTTP_STATE, NULL},
    {PC_HTTP_POST, E "contests/{contest}/choices/{id}/delete", choice_delete, PC_HTTP_STATE, NULL},
    {PC_HTTP_POST, E "contests/{contest}/choices/{id}/move-up", choice_up, PC_HTTP_STATE, NULL},
    {PC_HTTP_POST, E "contests/{contest}/choices/{id}/move-down", choice_down, PC_HTTP_STATE, NULL},
    {PC_HTTP_GET, PLACES, place_list, PC_HTTP_ADMIN, "county"},
    {PC_HTTP_POST, PLACES, place_create, PC_HTTP_ADMIN, "county"},
    {PC_HTTP_GET, PLACES "/{id}", place_edit, PC_HTTP_ADMIN, "county"},
    {PC_HTTP_POST, PLACES "/{id}", place_update, PC_HTTP_ADMIN, "county"},
    {PC_HTTP_POST, PLACES "/{id}/delete", place_delete, PC_HTTP_ADMIN, "county"},
};
const size_t pc_app_election_object_route_count =
    sizeof pc_app_election_object_routes / sizeof pc_app_election_object_routes[0];
