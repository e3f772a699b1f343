/* The demo state's general election: a deterministic, realistic-looking
 * definition (precincts on a grid with GeoJSON squares, statewide,
 * congressional, legislative, county and city contests, an RCV mayoral race,
 * ballot measures and a judicial retention). Demo data only; it writes
 * nothing (pc_elections_save does). */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/elections.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define GROW(array, count) ((array) = pc_xreallocarray((array), (count) + 1, sizeof *(array)), &(array)[(count)++])

static const char *const first_names[] = {"Ada", "Ben", "Carmen", "Dmitri", "Elena", "Farid", "Grace", "Hiro",
                                          "Imani", "Jonas", "Keiko", "Luis", "Maya", "Nikhil", "Olga", "Pedro",
                                          "Quinn", "Rosa", "Samir", "Tara", "Uma", "Victor", "Wen", "Yusuf"};
static const char *const last_names[] = {"Abbott", "Baptiste", "Chen", "Delgado", "Eriksen", "Fontaine", "Garcia",
                                         "Haddad", "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Mbeki", "Novak",
                                         "Okafor", "Patel", "Quispe", "Rossi", "Sato", "Tanaka", "Ueda", "Vargas",
                                         "Whitfield", "Young"};
static const char *const party_names[][2] = {
    {"Democratic Party", "DEM"}, {"Republican Party", "REP"}, {"Libertarian Party", "LIB"}, {"Green Party", "GRN"}};

typedef struct builder {
  pc_election_model_t *m;
  unsigned name_seed;
} builder_t;

static char *printed(const char *fmt, long a, const char *b) {
  char text[256];
  pc_snprintf(text, sizeof text, fmt, a, b);
  return pc_xstrdup(text);
}

static int add_candidate(builder_t *b, int party) {
  pc_election_model_t *m = b->m;
  unsigned n = b->name_seed++;
  char name[96];
  pc_snprintf(name, sizeof name, "%s %s", first_names[(n * 7) % 24], last_names[(n * 11 + n / 24) % 24]);
  pc_candidate_t *c = GROW(m->candidates, m->candidate_count);
  c->id = 0;
  c->code = printed("cand-%ld%s", (long)m->candidate_count, "");
  c->ballot_name = pc_xstrdup(name);
  c->party = party;
  return (int)m->candidate_count - 1;
}

/* Adds a contest in DISTRICT with CHOICES candidates (alternating parties). */
static int add_contest(builder_t *b, const char *name, pc_contest_kind_t kind, const char *district, int vote_for,
                       int choices) {
  pc_election_model_t *m = b->m;
  pc_contest_t *c = GROW(m->contests, m->contest_count);
  memset(c, 0, sizeof *c);
  int index = (int)m->contest_count - 1;
  c->code = printed("contest-%ld%s", index + 1, "");
  c->name = pc_xstrdup(name);
  c->kind = kind;
  c->district_code = pc_xstrdup(district);
  c->vote_for = vote_for;
  c->retention_candidate = -1;
  for (int k = 0; k < choices; k++) {
    int candidate = -1;
    char *choice_name;
    if (kind == PC_CONTEST_MEASURE || kind == PC_CONTEST_RETENTION) {
      choice_name = pc_xstrdup(k == 0 ? "Yes" : "No");
    } else {
      candidate = add_candidate(b, kind == PC_CONTEST_RCV ? -1 : k % 4);
      choice_name = pc_xstrdup(m->candidates[candidate].ballot_name);
    }
    char code[64];
    pc_snprintf(code, sizeof code, "choice-%d-%d", index + 1, k + 1);
    c = &m->contests[index];
    pc_choice_t *choice = GROW(c->choices, c->choice_count);
    *choice = (pc_choice_t){0, pc_xstrdup(code), choice_name, candidate, 0};
  }
  if (kind == PC_CONTEST_RETENTION) m->contests[index].retention_candidate = add_candidate(b, -1);
  return index;
}

static void add_district(pc_election_model_t *m, const char *code, const char *name, const char *type) {
  pc_district_t *d = GROW(m->districts, m->district_count);
  *d = (pc_district_t){0, pc_xstrdup(code), pc_xstrdup(name), pc_xstrdup(type)};
}

/* The set of contests one precinct votes on, used to group precincts into styles. */
typedef struct precinct_plan {
  int congressional, senate, house, county, city;
} plan_t;

static int style_for(pc_election_model_t *m, const plan_t *plan, const int *contest_of, int statewide_count,
                     plan_t **plans, size_t *plan_count) {
  for (size_t i = 0; i < *plan_count; i++)
    if (memcmp(&(*plans)[i], plan, sizeof *plan) == 0) return (int)i;
  *GROW(*plans, *plan_count) = *plan;
  pc_ballot_style_t *s = GROW(m->ballot_styles, m->ballot_style_count);
  *s = (pc_ballot_style_t){0, printed("style-%ld%s", (long)m->ballot_style_count, ""), NULL, 0};
  for (int k = 0; k < statewide_count; k++) *GROW(s->contests, s->contest_count) = contest_of[k];
  *GROW(s->contests, s->contest_count) = contest_of[statewide_count + plan->congressional];
  *GROW(s->contests, s->contest_count) = contest_of[statewide_count + 4 + plan->senate];
  *GROW(s->contests, s->contest_count) = contest_of[statewide_count + 14 + plan->house];
  for (int k = 0; k < 3; k++) *GROW(s->contests, s->contest_count) = contest_of[statewide_count + 34 + plan->county * 3 + k];
  if (plan->city) *GROW(s->contests, s->contest_count) = contest_of[statewide_count + 34 + (int)m->county_count * 3];
  return (int)m->ballot_style_count - 1;
}

void pc_elections_demo_model(const char *const *county_names, size_t count, int precincts, pc_election_model_t *model) {
  assert(count > 0 && precincts >= (int)count);
  pc_election_model_t *m = model;
  memset(m, 0, sizeof *m);
  builder_t b = {m, 0};
  pc_election_t *e = &m->election;
  pc_strlcpy(e->code, "2026-general", sizeof e->code);
  pc_strlcpy(e->name, "2026 General Election", sizeof e->name);
  pc_strlcpy(e->date, "2026-11-03", sizeof e->date);
  pc_strlcpy(e->type, "general", sizeof e->type);
  pc_strlcpy(e->jurisdiction, "Demo State", sizeof e->jurisdiction);
  pc_strlcpy(e->poll_close_at, "2026-11-04T01:00:00Z", sizeof e->poll_close_at);
  for (size_t i = 0; i < 4; i++) {
    pc_party_t *p = GROW(m->parties, m->party_count);
    *p = (pc_party_t){0, printed("party-%ld%s", (long)i + 1, ""), pc_xstrdup(party_names[i][0]),
                      pc_xstrdup(party_names[i][1])};
  }
  for (size_t i = 0; i < count; i++) {
    struct pc_model_county *c = GROW(m->counties, m->county_count);
    char unit[160];
    pc_elections_county_unit_code(county_names[i], NULL, unit, sizeof unit);
    *c = (struct pc_model_county){0, pc_xstrdup(county_names[i]), pc_xstrdup(unit)};
  }
  char code[64], name[160];
  for (int d = 1; d <= 4; d++) {
    pc_snprintf(code, sizeof code, "cd-%d", d);
    pc_snprintf(name, sizeof name, "Congressional District %d", d);
    add_district(m, code, name, "congressional");
  }
  for (int d = 1; d <= 10; d++) {
    pc_snprintf(code, sizeof code, "sd-%d", d);
    pc_snprintf(name, sizeof name, "State Senate District %d", d);
    add_district(m, code, name, "state-senate");
  }
  for (int d = 1; d <= 20; d++) {
    pc_snprintf(code, sizeof code, "hd-%d", d);
    pc_snprintf(name, sizeof name, "State House District %d", d);
    add_district(m, code, name, "state-house");
  }
  add_district(m, "city-capital", "Capital City", "city");

  /* Contests: statewide first, then one per district, county, city. */
  int contest_of[128];
  int n = 0;
  static const char *const statewide[] = {"Governor", "United States Senator", "Lieutenant Governor",
                                          "Attorney General", "Secretary of State", "State Treasurer"};
  for (int i = 0; i < 6; i++) contest_of[n++] = add_contest(&b, statewide[i], PC_CONTEST_CANDIDATE, "state", 1, i < 2 ? 4 : 2);
  contest_of[n++] = add_contest(&b, "Statewide Question 1: Infrastructure Bond", PC_CONTEST_MEASURE, "state", 1, 2);
  contest_of[n++] = add_contest(&b, "Statewide Question 2: Term Limits", PC_CONTEST_MEASURE, "state", 1, 2);
  contest_of[n++] = add_contest(&b, "Retain Justice of the Supreme Court", PC_CONTEST_RETENTION, "state", 1, 2);
  int statewide_count = n;
  for (int d = 1; d <= 4; d++) {
    pc_snprintf(name, sizeof name, "U.S. Representative, District %d", d);
    pc_snprintf(code, sizeof code, "cd-%d", d);
    contest_of[n++] = add_contest(&b, name, PC_CONTEST_CANDIDATE, code, 1, 2 + d % 2);
  }
  for (int d = 1; d <= 10; d++) {
    pc_snprintf(name, sizeof name, "State Senator, District %d", d);
    pc_snprintf(code, sizeof code, "sd-%d", d);
    contest_of[n++] = add_contest(&b, name, PC_CONTEST_CANDIDATE, code, 1, 2);
  }
  for (int d = 1; d <= 20; d++) {
    pc_snprintf(name, sizeof name, "State Representative, District %d", d);
    pc_snprintf(code, sizeof code, "hd-%d", d);
    contest_of[n++] = add_contest(&b, name, PC_CONTEST_CANDIDATE, code, 1, 2);
  }
  for (size_t c = 0; c < count; c++) {
    pc_snprintf(name, sizeof name, "%s County Commission", county_names[c]);
    contest_of[n++] = add_contest(&b, name, PC_CONTEST_CANDIDATE, m->counties[c].unit_code, 2, 4);
    pc_snprintf(name, sizeof name, "%s County Sheriff", county_names[c]);
    contest_of[n++] = add_contest(&b, name, PC_CONTEST_CANDIDATE, m->counties[c].unit_code, 1, 2);
    pc_snprintf(name, sizeof name, "%s County Question A: Library Levy", county_names[c]);
    contest_of[n++] = add_contest(&b, name, PC_CONTEST_MEASURE, m->counties[c].unit_code, 1, 2);
  }
  contest_of[n++] = add_contest(&b, "Mayor of Capital City (ranked choice)", PC_CONTEST_RCV, "city-capital", 1, 5);
  assert(n <= (int)(sizeof contest_of / sizeof contest_of[0]));

  /* Precincts: county c owns columns of a grid; each precinct a 0.01 degree square. */
  plan_t *plans = NULL;
  size_t plan_count = 0;
  int per_county = precincts / (int)count, columns = 10;
  for (int i = 0; i < precincts; i++) {
    int county = i / per_county < (int)count ? i / per_county : (int)count - 1;
    int within = i - county * per_county;
    double west = -100.0 + county * (columns * 0.01 + 0.02) + (within % columns) * 0.01;
    double north = 45.0 - (within / columns) * 0.01;
    pc_precinct_t *p = GROW(m->precincts, m->precinct_count);
    memset(p, 0, sizeof *p);
    pc_snprintf(code, sizeof code, "pct-%c%04d", county_names[county][0] | 0x20, within + 1);
    p->code = pc_xstrdup(code);
    pc_snprintf(name, sizeof name, "%s %04d", county_names[county], within + 1);
    p->name = pc_xstrdup(name);
    p->county = county;
    p->registered_voters = 700 + (i * 7919) % 1600;
    char geo[320];
    pc_snprintf(geo, sizeof geo,
                "{\"type\":\"Polygon\",\"coordinates\":[[[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f]]]}",
                west, north, west + 0.01, north, west + 0.01, north - 0.01, west, north - 0.01, west, north);
    p->boundary_geojson = pc_xstrdup(geo);
    plan_t plan = {i * 4 / precincts, i * 10 / precincts, i * 20 / precincts, county,
                   county < 3 && within < (per_county >= 120 ? per_county / 60 : 2)};
    p->ballot_style = style_for(m, &plan, contest_of, statewide_count, &plans, &plan_count);
    if (i % 3 == 0) {
      pc_polling_place_t *pp = GROW(m->polling_places, m->polling_place_count);
      pc_snprintf(code, sizeof code, "pp-%d", i + 1);
      pc_snprintf(name, sizeof name, "%s Community Center %d", county_names[county], within / 3 + 1);
      char address[160];
      pc_snprintf(address, sizeof address, "%d Main Street, %s County", 100 + within, county_names[county]);
      *pp = (pc_polling_place_t){0, i, pc_xstrdup(code), pc_xstrdup(name), pc_xstrdup(address), pc_xstrdup("6:30 AM - 7:30 PM")};
    }
  }
  free(plans);
}
