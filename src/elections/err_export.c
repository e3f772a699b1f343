/* Writes an election definition as a NIST SP 1500-100 (v2) ElectionReport in
 * JSON. Counts are added by the results module on the same skeleton: the
 * Contest array follows model->contests and each ContestSelection array the
 * contest's choices, in order (src/results relies on that). Reading ERR is
 * in err_import.c. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/elections.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static json_t *typed(const char *type) {
  json_t *object = json_object();
  char name[96];
  pc_snprintf(name, sizeof name, "ElectionResults.%s", type);
  json_object_set_new(object, "@type", json_string(name));
  return object;
}

static json_t *itext(const char *content) {
  json_t *text = typed("InternationalizedText");
  json_t *language = typed("LanguageString");
  json_object_set_new(language, "Content", json_string(content));
  json_object_set_new(language, "Language", json_string("en"));
  json_t *list = json_array();
  json_array_append_new(list, language);
  json_object_set_new(text, "Text", list);
  return text;
}

static json_t *external_id(const char *other_type, const char *value) {
  json_t *id = typed("ExternalIdentifier");
  json_object_set_new(id, "Type", json_string("other"));
  json_object_set_new(id, "OtherType", json_string(other_type));
  json_object_set_new(id, "Value", json_string(value));
  json_t *list = json_array();
  json_array_append_new(list, id);
  return list;
}

static json_t *unit(const char *code, const char *type, const char *name) {
  json_t *u = typed("ReportingUnit");
  json_object_set_new(u, "@id", json_string(code));
  json_object_set_new(u, "Type", json_string(type));
  json_object_set_new(u, "Name", itext(name));
  return u;
}

static json_t *gp_units(const pc_election_model_t *m) {
  json_t *units = json_array();
  json_t *state = unit("state", "state", m->election.jurisdiction);
  json_t *county_ids = json_array();
  for (size_t c = 0; c < m->county_count; c++) json_array_append_new(county_ids, json_string(m->counties[c].unit_code));
  json_object_set_new(state, "ComposingGpUnitIds", county_ids);
  json_array_append_new(units, state);
  for (size_t c = 0; c < m->county_count; c++) {
    json_t *county = unit(m->counties[c].unit_code, "county", m->counties[c].name);
    json_t *precinct_ids = json_array();
    for (size_t p = 0; p < m->precinct_count; p++)
      if (m->precincts[p].county == (int)c) json_array_append_new(precinct_ids, json_string(m->precincts[p].code));
    json_object_set_new(county, "ComposingGpUnitIds", precinct_ids);
    json_array_append_new(units, county);
  }
  for (size_t d = 0; d < m->district_count; d++)
    json_array_append_new(units, unit(m->districts[d].code, m->districts[d].unit_type, m->districts[d].name));
  for (size_t p = 0; p < m->precinct_count; p++) {
    const pc_precinct_t *precinct = &m->precincts[p];
    json_t *u = unit(precinct->code, "precinct", precinct->name);
    json_object_set_new(u, "VotersRegistered", json_integer(precinct->registered_voters));
    if (precinct->boundary_geojson) {
      json_t *extent = typed("SpatialExtent");
      json_object_set_new(extent, "Format", json_string("geo-json"));
      json_object_set_new(extent, "Coordinates", json_string(precinct->boundary_geojson));
      json_t *dimension = typed("SpatialDimension");
      json_object_set_new(dimension, "SpatialExtent", extent);
      json_object_set_new(u, "SpatialDimension", dimension);
    }
    json_array_append_new(units, u);
  }
  for (size_t i = 0; i < m->polling_place_count; i++) {
    const pc_polling_place_t *pp = &m->polling_places[i];
    json_t *u = unit(pp->code, "polling-place", pp->name);
    json_t *contact = typed("ContactInformation");
    json_t *lines = json_array();
    json_array_append_new(lines, json_string(pp->address ? pp->address : ""));
    json_object_set_new(contact, "AddressLine", lines);
    json_object_set_new(u, "ContactInformation", contact);
    if (pp->hours && pp->hours[0]) json_object_set_new(u, "ExternalIdentifier", external_id("polling-place-hours", pp->hours));
    json_t *served = json_array();
    json_array_append_new(served, json_string(m->precincts[pp->precinct].code));
    json_object_set_new(u, "ComposingGpUnitIds", served);
    json_array_append_new(units, u);
  }
  return units;
}

static json_t *contest_json(const pc_election_model_t *m, const pc_contest_t *c, size_t sequence) {
  static const char *const types[] = {"CandidateContest", "CandidateContest", "BallotMeasureContest",
                                      "RetentionContest"};
  json_t *contest = typed(types[c->kind]);
  json_object_set_new(contest, "@id", json_string(c->code));
  json_object_set_new(contest, "Name", json_string(c->name));
  json_object_set_new(contest, "ElectionDistrictId", json_string(c->district_code));
  json_object_set_new(contest, "SequenceOrder", json_integer((json_int_t)sequence));
  if (c->kind == PC_CONTEST_CANDIDATE || c->kind == PC_CONTEST_RCV) {
    json_object_set_new(contest, "VotesAllowed", json_integer(c->vote_for));
    json_object_set_new(contest, "NumberElected", json_integer(c->vote_for));
    json_object_set_new(contest, "VoteVariation",
                        json_string(c->kind == PC_CONTEST_RCV ? "rcv" : c->vote_for > 1 ? "n-of-m" : "plurality"));
  } else if (c->kind == PC_CONTEST_MEASURE) {
    json_object_set_new(contest, "Type", json_string("ballot-measure"));
  } else {
    json_object_set_new(contest, "CandidateId", json_string(m->candidates[c->retention_candidate].code));
  }
  json_t *selections = json_array();
  for (size_t k = 0; k < c->choice_count; k++) {
    const pc_choice_t *choice = &c->choices[k];
    json_t *s;
    if (c->kind == PC_CONTEST_CANDIDATE || c->kind == PC_CONTEST_RCV) {
      s = typed("CandidateSelection");
      if (choice->candidate >= 0) {
        json_t *ids = json_array();
        json_array_append_new(ids, json_string(m->candidates[choice->candidate].code));
        json_object_set_new(s, "CandidateIds", ids);
      }
      if (choice->is_write_in) json_object_set_new(s, "IsWriteIn", json_true());
    } else {
      s = typed("BallotMeasureSelection");
      json_object_set_new(s, "Selection", itext(choice->name));
    }
    json_object_set_new(s, "@id", json_string(choice->code));
    json_object_set_new(s, "SequenceOrder", json_integer((json_int_t)(k + 1)));
    json_array_append_new(selections, s);
  }
  json_object_set_new(contest, "ContestSelection", selections);
  return contest;
}

static json_t *election_json(const pc_election_model_t *m) {
  const pc_election_t *e = &m->election;
  json_t *election = typed("Election");
  json_object_set_new(election, "Name", itext(e->name));
  json_object_set_new(election, "StartDate", json_string(e->date));
  json_object_set_new(election, "EndDate", json_string(e->date));
  json_object_set_new(election, "Type", json_string(e->type));
  json_object_set_new(election, "ElectionScopeId", json_string("state"));
  json_t *ids = external_id("precinct-election-code", e->code);
  if (e->poll_close_at[0]) {
    json_t *more = external_id("poll-closing-time", e->poll_close_at);
    json_array_extend(ids, more);
    json_decref(more);
  }
  json_object_set_new(election, "ExternalIdentifier", ids);
  json_t *candidates = json_array();
  for (size_t i = 0; i < m->candidate_count; i++) {
    json_t *c = typed("Candidate");
    json_object_set_new(c, "@id", json_string(m->candidates[i].code));
    json_object_set_new(c, "BallotName", itext(m->candidates[i].ballot_name));
    if (m->candidates[i].party >= 0) json_object_set_new(c, "PartyId", json_string(m->parties[m->candidates[i].party].code));
    json_array_append_new(candidates, c);
  }
  json_object_set_new(election, "Candidate", candidates);
  json_t *contests = json_array();
  for (size_t i = 0; i < m->contest_count; i++) json_array_append_new(contests, contest_json(m, &m->contests[i], i + 1));
  json_object_set_new(election, "Contest", contests);
  json_t *styles = json_array();
  for (size_t s = 0; s < m->ballot_style_count; s++) {
    json_t *units = json_array();
    for (size_t p = 0; p < m->precinct_count; p++)
      if (m->precincts[p].ballot_style == (int)s) json_array_append_new(units, json_string(m->precincts[p].code));
    if (json_array_size(units) == 0) { /* ERR requires at least one unit per style */
      json_decref(units);
      continue;
    }
    json_t *style = typed("BallotStyle");
    json_object_set_new(style, "GpUnitIds", units);
    json_object_set_new(style, "ExternalIdentifier", external_id("ballot-style-code", m->ballot_styles[s].code));
    json_t *ordered = json_array();
    for (size_t k = 0; k < m->ballot_styles[s].contest_count; k++) {
      json_t *item = typed("OrderedContest");
      json_object_set_new(item, "ContestId", json_string(m->contests[m->ballot_styles[s].contests[k]].code));
      json_array_append_new(ordered, item);
    }
    json_object_set_new(style, "OrderedContent", ordered);
    json_array_append_new(styles, style);
  }
  json_object_set_new(election, "BallotStyle", styles);
  return election;
}

void *pc_elections_err_report(const pc_election_model_t *m, const char *status, int is_test) {
  json_t *report = typed("ElectionReport");
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  json_object_set_new(report, "Format", json_string("precinct-level"));
  json_object_set_new(report, "GeneratedDate", json_string(now));
  json_object_set_new(report, "Issuer", json_string(m->election.jurisdiction));
  json_object_set_new(report, "IssuerAbbreviation", json_string(m->election.jurisdiction));
  json_object_set_new(report, "SequenceStart", json_integer(1));
  json_object_set_new(report, "SequenceEnd", json_integer(1));
  json_object_set_new(report, "Status", json_string(status));
  json_object_set_new(report, "VendorApplicationId", json_string("precinct " PRECINCT_VERSION));
  json_object_set_new(report, "IsTest", json_boolean(is_test));
  json_object_set_new(report, "GpUnit", gp_units(m));
  json_t *parties = json_array();
  for (size_t i = 0; i < m->party_count; i++) {
    json_t *p = typed("Party");
    json_object_set_new(p, "@id", json_string(m->parties[i].code));
    json_object_set_new(p, "Name", itext(m->parties[i].name));
    if (m->parties[i].abbreviation && m->parties[i].abbreviation[0])
      json_object_set_new(p, "Abbreviation", itext(m->parties[i].abbreviation));
    json_array_append_new(parties, p);
  }
  json_object_set_new(report, "Party", parties);
  json_t *elections = json_array();
  json_array_append_new(elections, election_json(m));
  json_object_set_new(report, "Election", elections);
  return report;
}

static int dump(json_t *report, char **json, size_t *length, pc_error_t *err) {
  char *text = json_dumps(report, JSON_SORT_KEYS | JSON_INDENT(1) | JSON_ENSURE_ASCII);
  json_decref(report);
  if (!text) return pc_error_set(err, PC_EINTERNAL, "could not serialise the ERR report");
  *json = text;
  *length = strlen(text);
  return 0;
}

int pc_elections_export_err(const pc_election_model_t *model, char **json, size_t *length, pc_error_t *err) {
  return dump(pc_elections_err_report(model, "pre-election", 0), json, length, err);
}

int pc_elections_definition_sha256(const pc_election_model_t *model, char hex[65], pc_error_t *err) {
  json_t *report = pc_elections_err_report(model, "pre-election", 0);
  /* Leave out the one field that changes from run to run. */
  json_object_del(report, "GeneratedDate");
  char *text = NULL;
  size_t length = 0;
  int rc = dump(report, &text, &length, err);
  if (rc != 0) return rc;
  unsigned char digest[32];
  crypto_hash_sha256(digest, (const unsigned char *)text, length);
  free(text);
  sodium_bin2hex(hex, 65, digest, sizeof digest);
  return 0;
}
