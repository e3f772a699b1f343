/* Reads an election definition from NIST SP 1500-100 (v2) ERR JSON into the
 * in-memory model: reporting units (state, counties, precincts, polling
 * places, districts), parties, candidates, contests and ballot styles.
 * Counts in the file are ignored here (returns come through src/results).
 * Does not touch the database; pc_elections_save does. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/elections.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MAX_UNITS 200000
#define MAX_CONTESTS 10000
#define MAX_CHOICES 1000

typedef struct parse {
  pc_election_model_t *m;
  json_t *precinct_ids, *party_ids, *candidate_ids, *contest_ids, *county_ids; /* code -> index */
  const char *state_id;
  pc_error_t *err;
} parse_t;

static int bad(parse_t *p, const char *path, const char *fmt, const char *value) {
  return pc_error_set_at(p->err, PC_EINVAL, NULL, 0, path, fmt, value ? value : "");
}

static const char *string_of(json_t *object, const char *key) {
  return json_string_value(json_object_get(object, key));
}

/* First LanguageString of an InternationalizedText, or "". */
static const char *text_of(json_t *object, const char *key) {
  json_t *text = json_array_get(json_object_get(json_object_get(object, key), "Text"), 0);
  const char *content = string_of(text, "Content");
  return content ? content : "";
}

static const char *external_value(json_t *object, const char *other_type) {
  size_t i;
  json_t *id;
  json_array_foreach(json_object_get(object, "ExternalIdentifier"), i, id) {
    const char *type = string_of(id, "OtherType");
    if (type && strcmp(type, other_type) == 0) return string_of(id, "Value");
  }
  return NULL;
}

static int lookup(json_t *map, const char *code) {
  json_t *hit = code ? json_object_get(map, code) : NULL;
  return hit ? (int)json_integer_value(hit) : -1;
}

#define GROW(array, count) ((array) = pc_xreallocarray((array), (count) + 1, sizeof *(array)), &(array)[(count)++])

static int parse_units(parse_t *p, json_t *units) {
  pc_election_model_t *m = p->m;
  if (json_array_size(units) > MAX_UNITS) return bad(p, "GpUnit", "more than 200000 reporting units%s", NULL);
  size_t i;
  json_t *u;
  /* Pass 1: precincts, counties, state, districts. */
  json_array_foreach(units, i, u) {
    const char *id = string_of(u, "@id"), *type = string_of(u, "Type");
    if (!id || !type) return bad(p, "GpUnit", "a reporting unit lacks @id or Type%s", NULL);
    if (strcmp(type, "precinct") == 0 || strcmp(type, "split-precinct") == 0) {
      pc_precinct_t *pr = GROW(m->precincts, m->precinct_count);
      memset(pr, 0, sizeof *pr);
      pr->code = pc_xstrdup(id);
      pr->name = pc_xstrdup(text_of(u, "Name")[0] ? text_of(u, "Name") : id);
      pr->county = -1;
      pr->ballot_style = -1;
      pr->registered_voters = json_integer_value(json_object_get(u, "VotersRegistered"));
      json_t *extent = json_object_get(json_object_get(u, "SpatialDimension"), "SpatialExtent");
      const char *format = string_of(extent, "Format"), *coordinates = string_of(extent, "Coordinates");
      if (format && coordinates && strcmp(format, "geo-json") == 0) pr->boundary_geojson = pc_xstrdup(coordinates);
      json_object_set_new(p->precinct_ids, id, json_integer((json_int_t)(m->precinct_count - 1)));
    } else if (strcmp(type, "county") == 0) {
      struct pc_model_county *c = GROW(m->counties, m->county_count);
      c->id = 0;
      c->name = pc_xstrdup(text_of(u, "Name"));
      c->unit_code = pc_xstrdup(id);
      json_object_set_new(p->county_ids, id, json_integer((json_int_t)(m->county_count - 1)));
    } else if (strcmp(type, "state") == 0) {
      p->state_id = id;
      const char *name = text_of(u, "Name");
      if (name[0]) pc_strlcpy(m->election.jurisdiction, name, sizeof m->election.jurisdiction);
    } else if (strcmp(type, "polling-place") != 0) {
      if (!pc_elections_valid_unit_type(type)) return bad(p, "GpUnit.Type", "\"%s\" is not a ReportingUnitType", type);
      pc_district_t *d = GROW(m->districts, m->district_count);
      d->id = 0;
      d->code = pc_xstrdup(id);
      d->name = pc_xstrdup(text_of(u, "Name")[0] ? text_of(u, "Name") : id);
      d->unit_type = pc_xstrdup(type);
    }
  }
  /* Pass 2: which county holds each precinct; polling places. */
  json_array_foreach(units, i, u) {
    const char *id = string_of(u, "@id"), *type = string_of(u, "Type");
    size_t k;
    json_t *child;
    if (strcmp(type, "county") == 0) {
      int county = lookup(p->county_ids, id);
      json_array_foreach(json_object_get(u, "ComposingGpUnitIds"), k, child) {
        int precinct = lookup(p->precinct_ids, json_string_value(child));
        if (precinct >= 0) m->precincts[precinct].county = county;
      }
    } else if (strcmp(type, "polling-place") == 0) {
      int precinct = lookup(p->precinct_ids, json_string_value(json_array_get(json_object_get(u, "ComposingGpUnitIds"), 0)));
      if (precinct < 0) return bad(p, "GpUnit.ComposingGpUnitIds", "polling place %s serves no known precinct", id);
      pc_polling_place_t *pp = GROW(m->polling_places, m->polling_place_count);
      pp->id = 0;
      pp->precinct = precinct;
      pp->code = pc_xstrdup(id);
      pp->name = pc_xstrdup(text_of(u, "Name")[0] ? text_of(u, "Name") : id);
      const char *address = json_string_value(json_array_get(json_object_get(json_object_get(u, "ContactInformation"), "AddressLine"), 0));
      pp->address = pc_xstrdup(address ? address : "");
      const char *hours = external_value(u, "polling-place-hours");
      pp->hours = pc_xstrdup(hours ? hours : "");
    }
  }
  for (size_t k = 0; k < m->precinct_count; k++)
    if (m->precincts[k].county < 0)
      return bad(p, "GpUnit", "precinct %s is not in any county's ComposingGpUnitIds", m->precincts[k].code);
  return 0;
}

/* Adds PARTY, whose @id is ID; returns its index. */
static size_t add_party(parse_t *p, json_t *party, const char *id) {
  pc_party_t *out = GROW(p->m->parties, p->m->party_count);
  out->id = 0;
  out->code = pc_xstrdup(id);
  out->name = pc_xstrdup(text_of(party, "Name"));
  out->abbreviation = pc_xstrdup(text_of(party, "Abbreviation"));
  return p->m->party_count - 1;
}

/* Adds candidate C, whose @id is ID; returns its index. */
static size_t add_candidate(parse_t *p, json_t *c, const char *id) {
  pc_candidate_t *out = GROW(p->m->candidates, p->m->candidate_count);
  out->id = 0;
  out->code = pc_xstrdup(id);
  out->ballot_name = pc_xstrdup(text_of(c, "BallotName"));
  out->party = lookup(p->party_ids, string_of(c, "PartyId"));
  return p->m->candidate_count - 1;
}

/* Parties and candidates: ADD adds each object of LIST, and its @id is mapped
 * to its index in IDS so later references (PartyId, CandidateIds) resolve.
 * An object without @id is the error MISSING at TAG. */
static int parse_with_ids(parse_t *p, json_t *list, const char *tag, const char *missing, json_t *ids,
                          size_t (*add)(parse_t *p, json_t *object, const char *id)) {
  size_t i;
  json_t *object;
  json_array_foreach(list, i, object) {
    const char *id = string_of(object, "@id");
    if (!id) return bad(p, tag, missing, NULL);
    json_object_set_new(ids, id, json_integer((json_int_t)add(p, object, id)));
  }
  return 0;
}

static int parse_contest(parse_t *p, json_t *c) {
  pc_election_model_t *m = p->m;
  const char *id = string_of(c, "@id"), *type = string_of(c, "@type"), *district = string_of(c, "ElectionDistrictId");
  if (!id || !type || !district) return bad(p, "Contest", "a contest lacks @id, @type or ElectionDistrictId%s", NULL);
  pc_contest_kind_t kind;
  const char *variation = string_of(c, "VoteVariation");
  if (strcmp(type, "ElectionResults.CandidateContest") == 0)
    kind = variation && strcmp(variation, "rcv") == 0 ? PC_CONTEST_RCV : PC_CONTEST_CANDIDATE;
  else if (strcmp(type, "ElectionResults.BallotMeasureContest") == 0) kind = PC_CONTEST_MEASURE;
  else if (strcmp(type, "ElectionResults.RetentionContest") == 0) kind = PC_CONTEST_RETENTION;
  else return bad(p, "Contest.@type", "contest type \"%s\" is not supported (party contests are not)", type);
  json_t *selections = json_object_get(c, "ContestSelection");
  if (json_array_size(selections) > MAX_CHOICES) return bad(p, "ContestSelection", "contest %s has over 1000 choices", id);
  pc_contest_t *out = GROW(m->contests, m->contest_count);
  memset(out, 0, sizeof *out);
  out->code = pc_xstrdup(id);
  out->name = pc_xstrdup(string_of(c, "Name") ? string_of(c, "Name") : id);
  out->kind = kind;
  out->district_code = pc_xstrdup(p->state_id && strcmp(district, p->state_id) == 0 ? "state" : district);
  json_int_t votes_allowed = json_integer_value(json_object_get(c, "VotesAllowed"));
  out->vote_for = votes_allowed >= 1 && votes_allowed <= 100 ? (int)votes_allowed : 1;
  out->retention_candidate = kind == PC_CONTEST_RETENTION ? lookup(p->candidate_ids, string_of(c, "CandidateId")) : -1;
  json_object_set_new(p->contest_ids, id, json_integer((json_int_t)(m->contest_count - 1)));
  size_t k;
  json_t *s;
  json_array_foreach(selections, k, s) {
    const char *choice_id = string_of(s, "@id");
    if (!choice_id) return bad(p, "ContestSelection", "a selection of contest %s lacks @id", id);
    pc_choice_t *choice = GROW(out->choices, out->choice_count);
    memset(choice, 0, sizeof *choice);
    choice->code = pc_xstrdup(choice_id);
    choice->candidate = lookup(p->candidate_ids, json_string_value(json_array_get(json_object_get(s, "CandidateIds"), 0)));
    choice->is_write_in = json_is_true(json_object_get(s, "IsWriteIn"));
    const char *name = text_of(s, "Selection");
    if (!name[0] && choice->candidate >= 0) name = m->candidates[choice->candidate].ballot_name;
    if (!name[0]) name = choice->is_write_in ? "Write-in" : choice_id;
    choice->name = pc_xstrdup(name);
  }
  return 0;
}

static int parse_styles(parse_t *p, json_t *styles) {
  pc_election_model_t *m = p->m;
  size_t i;
  json_t *style;
  json_array_foreach(styles, i, style) {
    pc_ballot_style_t *out = GROW(m->ballot_styles, m->ballot_style_count);
    memset(out, 0, sizeof *out);
    const char *code = external_value(style, "ballot-style-code");
    char generated[32];
    pc_snprintf(generated, sizeof generated, "style-%zu", i + 1);
    out->code = pc_xstrdup(code ? code : generated);
    size_t k;
    json_t *item;
    json_array_foreach(json_object_get(style, "OrderedContent"), k, item) {
      int contest = lookup(p->contest_ids, string_of(item, "ContestId"));
      if (contest < 0) return bad(p, "BallotStyle.OrderedContent", "unknown contest \"%s\"", string_of(item, "ContestId"));
      *GROW(out->contests, out->contest_count) = contest;
    }
    json_array_foreach(json_object_get(style, "GpUnitIds"), k, item) {
      int precinct = lookup(p->precinct_ids, json_string_value(item));
      if (precinct < 0) return bad(p, "BallotStyle.GpUnitIds", "unknown precinct \"%s\"", json_string_value(item));
      if (m->precincts[precinct].ballot_style >= 0)
        return bad(p, "BallotStyle.GpUnitIds", "precinct \"%s\" has two ballot styles", json_string_value(item));
      m->precincts[precinct].ballot_style = (int)(m->ballot_style_count - 1);
    }
  }
  return 0;
}

int pc_elections_parse_err(const char *data, size_t size, pc_election_model_t *model, pc_error_t *err) {
  if (size > PC_ELECTIONS_IMPORT_MAX) return pc_error_set(err, PC_ELIMIT, "definition larger than 256 MiB");
  json_error_t json_err;
  json_t *root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &json_err);
  if (!root)
    return pc_error_set_at(err, PC_EINVAL, NULL, json_err.line, NULL, "not valid JSON: %s", json_err.text);
  pc_election_model_t m;
  memset(&m, 0, sizeof m);
  parse_t p = {&m, json_object(), json_object(), json_object(), json_object(), json_object(), NULL, err};
  int rc = 0;
  const char *type = string_of(root, "@type");
  json_t *election = json_array_get(json_object_get(root, "Election"), 0);
  if (!type || strcmp(type, "ElectionResults.ElectionReport") != 0)
    rc = bad(&p, "@type", "expected an ElectionResults.ElectionReport%s", NULL);
  else if (!election) rc = bad(&p, "Election", "the report holds no Election%s", NULL);
  if (rc == 0) {
    pc_election_t *e = &m.election;
    const char *issuer = string_of(root, "Issuer");
    pc_strlcpy(e->jurisdiction, issuer ? issuer : "", sizeof e->jurisdiction);
    pc_strlcpy(e->name, text_of(election, "Name"), sizeof e->name);
    const char *date = string_of(election, "StartDate"), *etype = string_of(election, "Type");
    pc_strlcpy(e->date, date ? date : "", sizeof e->date);
    pc_strlcpy(e->type, etype ? etype : "", sizeof e->type);
    const char *code = external_value(election, "precinct-election-code");
    if (code) pc_strlcpy(e->code, code, sizeof e->code);
    else pc_snprintf(e->code, sizeof e->code, "%s-%s", e->date, e->type);
    const char *close = external_value(election, "poll-closing-time");
    if (close) pc_strlcpy(e->poll_close_at, close, sizeof e->poll_close_at);
    rc = parse_units(&p, json_object_get(root, "GpUnit"));
  }
  if (rc == 0)
    rc = parse_with_ids(&p, json_object_get(root, "Party"), "Party", "a party lacks @id%s", p.party_ids, add_party);
  if (rc == 0)
    rc = parse_with_ids(&p, json_object_get(election, "Candidate"), "Candidate", "a candidate lacks @id%s",
                        p.candidate_ids, add_candidate);
  if (rc == 0 && json_array_size(json_object_get(election, "Contest")) > MAX_CONTESTS)
    rc = bad(&p, "Contest", "more than 10000 contests%s", NULL);
  size_t i;
  json_t *contest;
  json_array_foreach(json_object_get(election, "Contest"), i, contest) {
    if (rc != 0) break;
    rc = parse_contest(&p, contest);
  }
  if (rc == 0) rc = parse_styles(&p, json_object_get(election, "BallotStyle"));
  json_decref(p.precinct_ids);
  json_decref(p.party_ids);
  json_decref(p.candidate_ids);
  json_decref(p.contest_ids);
  json_decref(p.county_ids);
  json_decref(root);
  if (rc != 0) {
    pc_elections_model_free(&m);
    return rc;
  }
  *model = m;
  return 0;
}
