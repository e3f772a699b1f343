/* Writes summary.json in the structure of RCTab's detailed report JSON
 * (config, jsonFormatVersion, results[] with round, tally, tallyResults,
 * threshold and inactiveBallots; summary), keys sorted as RCTab's Jackson
 * writer sorts them, plus the ballots read per CVR source. */
#include "tabulate/internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "precinct/fileio.h"

#define GENERATED_BY "precinct (RCTab 2.0.0 compatible)"

static json_t *dec(pc_dec_t value, int scale) {
  char text[80];
  pc_dec_format(value, scale, text, sizeof text);
  return json_string(text);
}

static json_t *transfers_for(const pc_tab_config_t *config, const pc_tab_result_t *result, size_t round_index,
                             int32_t from) {
  json_t *transfers = json_object();
  if (round_index + 1 >= result->round_count) return transfers;
  const pc_tab_round_t *next = &result->rounds[round_index + 1];
  size_t slots = result->candidate_slots;
  for (size_t to = 0; to < slots + 2; to++) {
    pc_dec_t value = next->transfers[(size_t)from * (slots + 2) + to];
    if (value == 0) continue;
    const char *name = to < slots ? pc_tab_candidate_name(config, (int32_t)to)
                                  : (to == slots ? "exhausted" : "residual surplus");
    json_object_set_new(transfers, name, dec(value, config->decimal_places));
  }
  return transfers;
}

json_t *pc_tab_summary_json(const pc_tab_config_t *config, const pc_tab_ballots_t *ballots,
                            const pc_tab_result_t *result) {
  int scale = config->decimal_places;
  pc_dec_t one = pc_dec_pow10(scale);
  json_t *root = json_object();
  json_t *header = json_object();
  json_object_set_new(header, "contest", json_string(config->contest_name ? config->contest_name : ""));
  json_object_set_new(header, "date", json_string(config->contest_date ? config->contest_date : ""));
  json_object_set_new(header, "generatedBy", json_string(GENERATED_BY));
  json_object_set_new(header, "jurisdiction", json_string(config->contest_jurisdiction ? config->contest_jurisdiction : ""));
  json_object_set_new(header, "office", json_string(config->contest_office ? config->contest_office : ""));
  if (result->unit_name)
    json_object_set_new(header, result->unit_is_batch ? "batch" : "precinct", json_string(result->unit_name));
  json_object_set_new(root, "config", header);
  json_object_set_new(root, "jsonFormatVersion", json_string("1"));
  json_t *results = json_array();
  for (size_t r = 0; r < result->round_count; r++) {
    const pc_tab_round_t *round = &result->rounds[r];
    json_t *entry = json_object();
    json_t *inactive = json_object();
    json_object_set_new(inactive, "exhaustedChoices", dec(round->inactive[PC_ST_EXHAUSTED], scale));
    json_object_set_new(inactive, "overvotes", dec(round->inactive[PC_ST_OVERVOTE], scale));
    json_object_set_new(inactive, "repeatedRankings", dec(round->inactive[PC_ST_REPEATED], scale));
    json_object_set_new(inactive, "skippedRankings", dec(round->inactive[PC_ST_SKIPPED], scale));
    if (round->is_final_surplus_round)
      json_object_set_new(inactive, "finalRoundSurplus", dec(round->final_round_surplus, scale));
    json_object_set_new(entry, "inactiveBallots", inactive);
    json_object_set_new(entry, "round", json_integer((json_int_t)(r + 1)));
    json_t *tally = json_object();
    for (size_t s = 0; s < result->candidate_slots; s++)
      if (round->in_tally[s])
        json_object_set_new(tally, pc_tab_candidate_name(config, (int32_t)s), dec(round->tally[s], scale));
    json_object_set_new(entry, "tally", tally);
    json_t *outcomes = json_array();
    for (size_t i = 0; i < round->elected_count; i++) {
      json_t *o = json_object();
      json_object_set_new(o, "elected", json_string(pc_tab_candidate_name(config, round->elected[i])));
      json_object_set_new(o, "transfers", transfers_for(config, result, r, round->elected[i]));
      json_array_append_new(outcomes, o);
    }
    for (size_t i = 0; i < round->eliminated_count; i++) {
      json_t *o = json_object();
      json_object_set_new(o, "eliminated", json_string(pc_tab_candidate_name(config, round->eliminated[i])));
      json_object_set_new(o, "transfers", transfers_for(config, result, r, round->eliminated[i]));
      json_array_append_new(outcomes, o);
    }
    json_object_set_new(entry, "tallyResults", outcomes);
    json_object_set_new(entry, "threshold", dec(round->threshold, round->threshold_scale));
    json_array_append_new(results, entry);
  }
  json_object_set_new(root, "results", results);
  json_t *summary = json_object();
  const pc_tab_round_t *last = result->round_count ? &result->rounds[result->round_count - 1] : NULL;
  json_object_set_new(summary, "finalThreshold", last ? dec(last->threshold, last->threshold_scale) : json_string("0"));
  json_object_set_new(summary, "numCandidates", json_integer(result->num_candidates));
  json_object_set_new(summary, "numWinners", json_integer(result->number_of_winners));
  json_object_set_new(summary, "totalNumBallots", dec((pc_dec_t)result->total_ballots * one, scale));
  json_object_set_new(summary, "undervotes", json_integer((json_int_t)result->undervotes));
  json_object_set_new(root, "summary", summary);
  json_t *sources = json_array();
  for (size_t i = 0; i < config->source_count; i++) {
    json_t *s = json_object();
    json_object_set_new(s, "filePath", json_string(config->sources[i].path));
    json_object_set_new(s, "provider", json_string(pc_tab_provider_name(config->sources[i].provider)));
    json_object_set_new(s, "ballotsRead", json_integer((json_int_t)ballots->per_source[i]));
    json_array_append_new(sources, s);
  }
  json_object_set_new(root, "cvrFileSources", sources);
  json_object_set_new(root, "ballotsRead", json_integer((json_int_t)ballots->count));
  return root;
}

int pc_tab_write_summary_json(const char *path, const pc_tab_config_t *config, const pc_tab_ballots_t *ballots,
                              const pc_tab_result_t *result, pc_error_t *err) {
  json_t *root = pc_tab_summary_json(config, ballots, result);
  char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
  json_decref(root);
  if (!text) return pc_error_set(err, PC_EINTERNAL, "could not serialise %s", path);
  size_t length = strlen(text);
  int rc = pc_file_write_durable(path, text, length, 0644, 0, err);
  free(text);
  return rc;
}
