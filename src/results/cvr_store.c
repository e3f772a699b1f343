/* Ranked-choice ballots of the results module: the in-memory set, its
 * compact stored encoding (varints; precincts and choices by definition id)
 * and the tabulation through the engine of src/tabulate (the same
 * pc_tab_count that `precinct tabulate` runs), configured from the
 * contest's definition. It reads no files and writes no database rows. */
#include "rcv.h"

#include "precinct/alloc.h"
#include "tabulate/internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "PCVR1"
#define MAGIC_SIZE 5
#define DECIMAL_PLACES 4

void pc_rcv_ballots_init(pc_rcv_ballots_t *b, int contest) {
  memset(b, 0, sizeof *b);
  b->contest = contest;
  b->mark_offset = pc_xcalloc(1, sizeof *b->mark_offset);
}

static int compare_marks(const void *a, const void *b) {
  const pc_rcv_mark_t *x = a, *y = b;
  if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
  return x->choice < y->choice ? -1 : x->choice > y->choice;
}

void pc_rcv_ballots_add(pc_rcv_ballots_t *b, int precinct, const pc_rcv_mark_t *marks, size_t mark_count) {
  if (b->count == b->capacity) {
    b->capacity = b->capacity ? b->capacity * 2 : 256;
    b->precinct = pc_xreallocarray(b->precinct, b->capacity, sizeof *b->precinct);
    b->mark_offset = pc_xreallocarray(b->mark_offset, b->capacity + 1, sizeof *b->mark_offset);
  }
  while (b->mark_count + mark_count > b->mark_capacity) {
    b->mark_capacity = b->mark_capacity ? b->mark_capacity * 2 : 1024;
    b->marks = pc_xreallocarray(b->marks, b->mark_capacity, sizeof *b->marks);
  }
  size_t kept = 0;
  pc_rcv_mark_t *at = b->marks ? b->marks + b->mark_count : NULL;
  if (mark_count) {
    memcpy(at, marks, mark_count * sizeof *marks);
    qsort(at, mark_count, sizeof *at, compare_marks);
  }
  for (size_t i = 0; i < mark_count; i++)
    if (kept == 0 || compare_marks(&at[kept - 1], &at[i]) != 0) at[kept++] = at[i];
  b->precinct[b->count] = precinct;
  b->mark_count += kept;
  b->mark_offset[++b->count] = (uint32_t)b->mark_count;
}

void pc_rcv_ballots_free(pc_rcv_ballots_t *b) {
  free(b->precinct);
  free(b->mark_offset);
  free(b->marks);
  memset(b, 0, sizeof *b);
}

/* ---- stored encoding ---------------------------------------------------- */

static void put_varint(pc_buf_t *out, uint64_t value) {
  unsigned char bytes[10];
  size_t n = 0;
  do {
    bytes[n] = (unsigned char)(value & 0x7f);
    value >>= 7;
    if (value) bytes[n] |= 0x80;
    n++;
  } while (value);
  pc_buf_append(out, bytes, n);
}

static int get_varint(const unsigned char **at, const unsigned char *end, uint64_t *value) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*at >= end) return PC_EINTEGRITY;
    unsigned char byte = *(*at)++;
    v |= (uint64_t)(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *value = v;
      return 0;
    }
  }
  return PC_EINTEGRITY;
}

/* Layout: MAGIC, contest id, precinct count + ids, ballot count, then per
 * ballot: precinct slot, mark count, (rank, choice index) per mark. */
void pc_rcv_encode(const pc_election_model_t *model, const pc_rcv_ballots_t *b, pc_buf_t *out) {
  pc_buf_append(out, MAGIC, MAGIC_SIZE);
  put_varint(out, (uint64_t)model->contests[b->contest].id);
  int32_t *slot = pc_xcalloc(model->precinct_count + 1, sizeof *slot);
  size_t used = 0;
  for (size_t i = 0; i < b->count; i++)
    if (!slot[b->precinct[i]]) slot[b->precinct[i]] = (int32_t)++used;
  put_varint(out, used);
  /* ids in slot order */
  int32_t *by_slot = pc_xcalloc(used + 1, sizeof *by_slot);
  for (size_t p = 0; p < model->precinct_count; p++)
    if (slot[p]) by_slot[slot[p] - 1] = (int32_t)p;
  for (size_t s = 0; s < used; s++) put_varint(out, (uint64_t)model->precincts[by_slot[s]].id);
  put_varint(out, b->count);
  for (size_t i = 0; i < b->count; i++) {
    put_varint(out, (uint64_t)slot[b->precinct[i]] - 1);
    put_varint(out, b->mark_offset[i + 1] - b->mark_offset[i]);
    for (uint32_t m = b->mark_offset[i]; m < b->mark_offset[i + 1]; m++) {
      put_varint(out, b->marks[m].rank);
      put_varint(out, b->marks[m].choice);
    }
  }
  free(slot);
  free(by_slot);
}

int pc_rcv_decode(const pc_election_model_t *model, const void *data, size_t size, pc_rcv_ballots_t *b,
                  pc_error_t *err) {
  const unsigned char *at = data, *end = at + size;
  if (size < MAGIC_SIZE || memcmp(at, MAGIC, MAGIC_SIZE) != 0)
    return pc_error_set(err, PC_EINTEGRITY, "stored cast vote records are not in the PCVR1 encoding");
  at += MAGIC_SIZE;
  uint64_t contest_id = 0, precincts = 0, count = 0, value = 0;
  int rc = get_varint(&at, end, &contest_id);
  if (rc == 0 && (int64_t)contest_id != model->contests[b->contest].id) rc = PC_EINTEGRITY;
  if (rc == 0) rc = get_varint(&at, end, &precincts);
  if (rc == 0 && precincts > model->precinct_count) rc = PC_EINTEGRITY;
  int32_t *slots = pc_xcalloc(precincts + 1, sizeof *slots);
  for (uint64_t s = 0; rc == 0 && s < precincts; s++) {
    rc = get_varint(&at, end, &value);
    slots[s] = -1;
    for (size_t p = 0; rc == 0 && p < model->precinct_count; p++)
      if ((uint64_t)model->precincts[p].id == value) slots[s] = (int32_t)p;
    if (rc == 0 && slots[s] < 0) rc = PC_EINTEGRITY;
  }
  if (rc == 0) rc = get_varint(&at, end, &count);
  if (rc == 0 && count > size) rc = PC_EINTEGRITY; /* every ballot takes at least two bytes */
  size_t choices = model->contests[b->contest].choice_count;
  pc_rcv_mark_t *marks = pc_xcalloc(PC_CVR_MAX_MARKS_PER_BALLOT, sizeof *marks);
  for (uint64_t i = 0; rc == 0 && i < count; i++) {
    uint64_t slot, mark_count;
    rc = get_varint(&at, end, &slot);
    if (rc == 0) rc = get_varint(&at, end, &mark_count);
    if (rc == 0 && (slot >= precincts || mark_count > PC_CVR_MAX_MARKS_PER_BALLOT)) rc = PC_EINTEGRITY;
    for (uint64_t m = 0; rc == 0 && m < mark_count; m++) {
      uint64_t rank, choice;
      rc = get_varint(&at, end, &rank);
      if (rc == 0) rc = get_varint(&at, end, &choice);
      if (rc == 0 && (rank < 1 || rank > PC_TAB_MAX_RANK || choice >= choices)) rc = PC_EINTEGRITY;
      if (rc == 0) marks[m] = (pc_rcv_mark_t){(uint32_t)rank, (uint32_t)choice};
    }
    if (rc == 0) pc_rcv_ballots_add(b, slots[slot], marks, (size_t)mark_count);
  }
  if (rc == 0 && at != end) rc = PC_EINTEGRITY;
  free(marks);
  free(slots);
  if (rc != 0) return pc_error_set(err, PC_EINTEGRITY, "stored cast vote records are damaged");
  return 0;
}

/* ---- tabulation --------------------------------------------------------- */

/* The contest's candidates in the config: every choice but write-ins,
 * whose marks count as RCTab's undeclared write-ins. */
static int is_candidate(const pc_choice_t *choice) { return !choice->is_write_in; }

void pc_rcv_config_json(const pc_election_model_t *model, int contest, const char *const *source_names,
                        size_t source_count, pc_buf_t *out) {
  const pc_contest_t *c = &model->contests[contest];
  json_t *root = json_object();
  json_object_set_new(root, "tabulatorVersion", json_string("precinct results"));
  json_t *output = json_object();
  json_object_set_new(output, "contestName", json_string(c->name));
  json_object_set_new(output, "contestDate", json_string(model->election.date));
  json_object_set_new(output, "contestJurisdiction", json_string(model->election.jurisdiction));
  json_object_set_new(output, "contestOffice", json_string(c->name));
  json_object_set_new(output, "outputDirectory", json_string("output"));
  json_object_set_new(output, "tabulateByPrecinct", json_false());
  json_object_set_new(output, "tabulateByBatch", json_false());
  json_object_set_new(output, "generateCdfJson", json_false());
  json_object_set_new(root, "outputSettings", output);
  json_t *sources = json_array();
  for (size_t i = 0; i < source_count; i++) {
    json_t *s = json_object();
    json_object_set_new(s, "provider", json_string("cdf"));
    json_object_set_new(s, "filePath", json_string(source_names[i]));
    json_object_set_new(s, "contestId", json_string(c->name));
    json_array_append_new(sources, s);
  }
  json_object_set_new(root, "cvrFileSources", sources);
  json_t *candidates = json_array();
  for (size_t k = 0; k < c->choice_count; k++) {
    if (!is_candidate(&c->choices[k])) continue;
    json_t *candidate = json_object();
    json_object_set_new(candidate, "name", json_string(c->choices[k].name));
    json_object_set_new(candidate, "excluded", json_false());
    json_array_append_new(candidates, candidate);
  }
  json_object_set_new(root, "candidates", candidates);
  json_t *rules = json_object();
  char number[32];
  int seats = c->vote_for > 0 ? c->vote_for : 1;
  json_object_set_new(rules, "tiebreakMode", json_string("random"));
  pc_snprintf(number, sizeof number, "%lld", (long long)c->id);
  json_object_set_new(rules, "randomSeed", json_string(number));
  json_object_set_new(rules, "overvoteRule", json_string("alwaysSkipToNextRank"));
  json_object_set_new(rules, "winnerElectionMode",
                      json_string(seats > 1 ? "multiWinnerAllowOnlyOneWinnerPerRound" : "singleWinnerMajority"));
  pc_snprintf(number, sizeof number, "%d", seats);
  json_object_set_new(rules, "numberOfWinners", json_string(number));
  pc_snprintf(number, sizeof number, "%d", DECIMAL_PLACES);
  json_object_set_new(rules, "decimalPlacesForVoteArithmetic", json_string(number));
  json_object_set_new(rules, "minimumVoteThreshold", json_string("0"));
  json_object_set_new(rules, "maxSkippedRanksAllowed", json_string("unlimited"));
  pc_snprintf(number, sizeof number, "%zu", c->choice_count);
  json_object_set_new(rules, "maxRankingsAllowed", json_string(number));
  json_object_set_new(rules, "batchElimination", json_false());
  json_object_set_new(rules, "exhaustOnDuplicateCandidate", json_false());
  json_object_set_new(rules, "rulesDescription",
                      json_string(seats > 1 ? "precinct results: multi-winner ranked choice (single transferable vote)"
                                            : "precinct results: single-winner instant runoff"));
  json_object_set_new(root, "rules", rules);
  char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
  json_decref(root);
  pc_buf_append_str(out, text);
  pc_buf_append_char(out, '\n');
  free(text);
}

/* Parses the generated config. The parser wants source files that exist; the
 * ballots come from the database, so it is given /dev/null and the sources
 * are renamed after it. */
static int load_config(const pc_election_model_t *model, int contest, const char *const *names, size_t count,
                       pc_tab_config_t *config, pc_error_t *err) {
  const char *placeholder = "/dev/null";
  pc_buf_t text;
  pc_buf_init(&text, 0);
  pc_rcv_config_json(model, contest, &placeholder, 1, &text);
  int rc = pc_tab_config_parse(text.data, text.len, "rounds config", "/", config, err);
  pc_buf_free(&text);
  if (rc != 0) return rc;
  pc_cvr_source_t first = config->sources[0];
  config->sources = pc_xreallocarray(config->sources, count ? count : 1, sizeof *config->sources);
  for (size_t i = 0; i < count; i++) {
    config->sources[i] = first;
    config->sources[i].path = pc_xstrdup(names[i]);
    config->sources[i].contest_id = pc_xstrdup(model->contests[contest].name);
  }
  free((char *)first.path);
  free((char *)first.contest_id);
  /* source_paths (the config's filePath of each source) follows the sources. */
  free(config->source_paths[0]);
  config->source_paths = pc_xreallocarray(config->source_paths, count ? count : 1, sizeof *config->source_paths);
  config->source_paths[0] = NULL;
  for (size_t i = 0; i < count; i++) config->source_paths[i] = pc_xstrdup(names[i]);
  config->source_count = count;
  config->count_threads = 1;
  return 0;
}

/* Builds the engine's ballots from SETS. Precinct names are the definition's
 * precinct codes, indexed as the model's precincts. */
static void build_ballots(const pc_election_model_t *model, const pc_tab_config_t *config,
                          const pc_rcv_ballots_t *const *sets, size_t set_count, pc_tab_ballots_t *out) {
  const pc_contest_t *c = &model->contests[sets[0]->contest];
  int32_t *candidate_of = pc_xcalloc(c->choice_count + 1, sizeof *candidate_of);
  int32_t next = 0;
  for (size_t k = 0; k < c->choice_count; k++)
    candidate_of[k] = is_candidate(&c->choices[k]) ? next++ : (int32_t)config->candidate_count;
  memset(out, 0, sizeof *out);
  size_t total = 0, marks = 0;
  for (size_t s = 0; s < set_count; s++) total += sets[s]->count, marks += sets[s]->mark_count;
  out->ballots = pc_xcalloc(total + 1, sizeof *out->ballots);
  out->marks = pc_xcalloc(marks + 1, sizeof *out->marks);
  out->capacity = total + 1;
  out->mark_capacity = marks + 1;
  out->per_source = pc_xcalloc(set_count + 1, sizeof *out->per_source);
  out->precinct_count = model->precinct_count;
  out->precincts = pc_xcalloc(model->precinct_count + 1, sizeof *out->precincts);
  for (size_t p = 0; p < model->precinct_count; p++) out->precincts[p] = pc_xstrdup(model->precincts[p].code);
  for (size_t s = 0; s < set_count; s++) {
    const pc_rcv_ballots_t *set = sets[s];
    for (size_t i = 0; i < set->count; i++) {
      pc_tab_ballot_t *b = &out->ballots[out->count++];
      b->mark_offset = (uint32_t)out->mark_count;
      b->source = (uint16_t)s;
      b->precinct = set->precinct[i];
      b->batch = -1;
      for (uint32_t m = set->mark_offset[i]; m < set->mark_offset[i + 1]; m++) {
        int32_t candidate = candidate_of[set->marks[m].choice];
        /* two write-in choices at one rank are one undeclared write-in mark */
        if (m > set->mark_offset[i] && out->marks[out->mark_count - 1].rank == set->marks[m].rank &&
            out->marks[out->mark_count - 1].candidate == candidate)
          continue;
        if (candidate == (int32_t)config->candidate_count) out->has_uwi = true;
        out->marks[out->mark_count++] = (pc_tab_mark_t){(uint16_t)set->marks[m].rank, 0, candidate};
      }
      b->mark_count = (uint16_t)(out->mark_count - b->mark_offset);
    }
    out->per_source[s] = set->count;
  }
  free(candidate_of);
}

int pc_rcv_tabulate(const pc_election_model_t *model, int contest, const pc_rcv_ballots_t *const *sets,
                    const char *const *source_names, size_t set_count, int first_round_only, pc_buf_t *summary,
                    int64_t *round1, pc_error_t *err) {
  if (set_count == 0 || set_count > 65535) return pc_error_set(err, PC_EINVAL, "no cast vote records to tabulate");
  pc_tab_config_t config;
  int rc = load_config(model, contest, source_names, set_count, &config, err);
  if (rc != 0) return rc;
  if (first_round_only) {
    config.stop_after_round = 1;
    config.tabulate_by_precinct = true;
  }
  pc_tab_ballots_t ballots;
  build_ballots(model, &config, sets, set_count, &ballots);
  size_t slots = config.candidate_count + 1;
  bool *excluded = pc_xcalloc(slots, sizeof *excluded);
  pc_java_random_t random;
  pc_java_random_init(&random, config.random_seed);
  pc_tab_tiebreak_input_t ask = {NULL, 0, 0};
  pc_tab_result_t result;
  rc = pc_tab_count(&config, &ballots, excluded, config.number_of_winners, &random, &ask, &result, err);
  free(excluded);
  if (rc == 0 && summary) {
    json_t *root = pc_tab_summary_json(&config, &ballots, &result);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    pc_buf_append_str(summary, text);
    pc_buf_append_char(summary, '\n');
    free(text);
  }
  if (rc == 0 && round1) {
    const pc_contest_t *c = &model->contests[contest];
    pc_dec_t one = pc_dec_pow10(config.decimal_places);
    memset(round1, 0, model->precinct_count * c->choice_count * sizeof *round1);
    for (size_t u = 0; u < result.unit_count && result.round_count > 0; u++) {
      const pc_tab_unit_result_t *unit = &result.units[u];
      if (unit->is_batch || unit->ballots == 0) continue;
      /* units follow the ballots' precinct table: model order */
      int32_t next = 0;
      int write_in_seen = 0;
      for (size_t k = 0; k < c->choice_count; k++) {
        int32_t slot = is_candidate(&c->choices[k]) ? next++ : (int32_t)config.candidate_count;
        if (slot == (int32_t)config.candidate_count && write_in_seen++) continue; /* the first write-in choice holds them */
        round1[u * c->choice_count + k] = (int64_t)(unit->rounds[0].tally[slot] / one);
      }
    }
  }
  if (rc == 0) pc_tab_result_free(&result);
  pc_tab_ballots_free(&ballots);
  pc_tab_config_free(&config);
  return rc;
}
