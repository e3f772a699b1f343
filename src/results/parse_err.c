/* Returns as NIST SP 1500-100 ERR JSON: VoteCounts under each contest's
 * selections, one per precinct (GpUnitId) and counting group (Type);
 * BallotsCast from Election.BallotCounts and registered voters from the
 * precinct reporting units. County and state rows in the file are ignored:
 * precinct totals are what is stored, aggregates are recomputed. */
#include "ingest_internal.h"

#include "precinct/buf.h"
#include "precinct/results.h"

#include <jansson.h>
#include <string.h>

static const char *string_of(json_t *object, const char *key) {
  const char *s = json_string_value(json_object_get(object, key));
  return s ? s : "";
}

/* Formats a JSON number as the whole-number text the shared checks parse. */
static void number_text(json_t *value, char *out, size_t size) {
  if (json_is_integer(value)) pc_snprintf(out, size, "%lld", (long long)json_integer_value(value));
  else if (json_is_real(value)) pc_snprintf(out, size, "%.17g", json_real_value(value));
  else pc_strlcpy(out, json_is_null(value) || !value ? "" : "not-a-number", size);
}

static int is_precinct_unit(pc_parsed_returns_t *p, const char *id) {
  return pc_elections_find_precinct(p->model, id) >= 0;
}

int pc_results_parse_err(pc_parsed_returns_t *p, const char *data, size_t size, pc_error_t *err) {
  json_error_t json_err;
  json_t *root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &json_err);
  if (!root) return pc_error_set_at(err, PC_EINVAL, p->file_name, json_err.line, NULL, "not valid JSON: %s", json_err.text);
  int rc = 0;
  json_t *election = json_array_get(json_object_get(root, "Election"), 0);
  if (strcmp(string_of(root, "@type"), "ElectionResults.ElectionReport") != 0 || !election)
    rc = pc_error_set_at(err, PC_EINVAL, p->file_name, 0, "@type", "expected an ElectionResults.ElectionReport with an Election");
  char where[192], number[64];
  size_t i, k, n;
  json_t *contest, *selection, *count;
  json_array_foreach(json_object_get(election, "Contest"), i, contest) {
    if (rc != 0) break;
    const char *contest_id = string_of(contest, "@id");
    json_array_foreach(json_object_get(contest, "ContestSelection"), k, selection) {
      if (rc != 0) break;
      const char *choice_id = string_of(selection, "@id");
      json_array_foreach(json_object_get(selection, "VoteCounts"), n, count) {
        const char *unit = string_of(count, "GpUnitId");
        pc_snprintf(where, sizeof where, "Election[0].Contest[%zu].ContestSelection[%zu].VoteCounts[%zu]", i, k, n);
        /* Aggregates (county, state) are recomputed from precinct counts. */
        if (!is_precinct_unit(p, unit) && (strcmp(unit, "state") == 0 || strncmp(unit, "county-", 7) == 0)) continue;
        number_text(json_object_get(count, "Count"), number, sizeof number);
        rc = pc_results_add_vote(p, unit, contest_id, choice_id, string_of(count, "Type"), number, 0, where, err);
        if (rc != 0) break;
      }
    }
  }
  json_array_foreach(json_object_get(election, "BallotCounts"), i, count) {
    if (rc != 0) break;
    const char *unit = string_of(count, "GpUnitId");
    if (!is_precinct_unit(p, unit) && (strcmp(unit, "state") == 0 || strncmp(unit, "county-", 7) == 0)) continue;
    if (strcmp(string_of(count, "Type"), "total") != 0) continue;
    pc_snprintf(where, sizeof where, "Election[0].BallotCounts[%zu]", i);
    number_text(json_object_get(count, "BallotsCast"), number, sizeof number);
    rc = pc_results_add_precinct(p, unit, number, NULL, 0, where, err);
  }
  json_t *unit;
  json_array_foreach(json_object_get(root, "GpUnit"), i, unit) {
    if (rc != 0) break;
    const char *id = string_of(unit, "@id");
    json_t *registered = json_object_get(unit, "VotersRegistered");
    if (!registered || strcmp(string_of(unit, "Type"), "precinct") != 0) continue;
    int precinct = pc_elections_find_precinct(p->model, id);
    /* Precincts of other counties may be listed in a statewide definition. */
    if (precinct < 0 || p->model->precincts[precinct].county != p->county || !p->precincts[precinct].seen) continue;
    pc_snprintf(where, sizeof where, "GpUnit[%zu].VotersRegistered", i);
    number_text(registered, number, sizeof number);
    rc = pc_results_add_precinct(p, id, NULL, number, 0, where, err);
  }
  json_decref(root);
  return rc;
}
