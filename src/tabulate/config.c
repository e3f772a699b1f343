/* Reads an RCTab contest configuration file (JSON, documented in
 * docs/tabulate.md) into pc_tab_config_t and validates it the way RCTab's
 * ContestConfig does. Values may be JSON strings or numbers, as RCTab
 * accepts both. It does not read the CVR files. */
#include "tabulate/internal.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/fileio.h"

#define CONFIG_MAX_BYTES ((size_t)16 << 20)
#define MAX_CANDIDATES 10000
#define MAX_SOURCES 10000

typedef struct parse_state {
  const char *path;
  pc_error_t *err;
  int failed;     /* any problem so far */
  int problems;   /* how many */
} parse_state_t;

/* Records a problem; later problems are appended so one run lists several,
 * as RCTab's validation does. */
static int fail(parse_state_t *st, const char *field, const char *fmt, const char *detail) {
  char message[600];
  pc_snprintf(message, sizeof message, fmt, detail ? detail : "");
  if (!st->failed) {
    pc_error_set_at(st->err, PC_EINVAL, st->path, 0, field, "%s", message);
  } else if (st->err) {
    char combined[sizeof st->err->message];
    pc_snprintf(combined, sizeof combined, "%s; %s: %s", st->err->message, field ? field : "config", message);
    pc_strlcpy(st->err->message, combined, sizeof st->err->message);
  }
  st->failed = 1;
  st->problems++;
  return PC_EINVAL;
}

/* Text of KEY: strings as they are, integers printed, NULL when absent/null/"". */
static char *value_text(json_t *object, const char *key) {
  json_t *v = json_object_get(object, key);
  char number[64];
  if (!v || json_is_null(v)) return NULL;
  if (json_is_string(v)) {
    const char *s = json_string_value(v);
    while (isspace((unsigned char)*s)) s++;
    if (!*s) return NULL;
    char *copy = pc_xstrdup(s);
    size_t n = strlen(copy);
    while (n > 0 && isspace((unsigned char)copy[n - 1])) copy[--n] = '\0';
    return copy;
  }
  if (json_is_integer(v)) {
    pc_snprintf(number, sizeof number, "%lld", (long long)json_integer_value(v));
    return pc_xstrdup(number);
  }
  if (json_is_real(v)) {
    pc_snprintf(number, sizeof number, "%.17g", json_real_value(v));
    return pc_xstrdup(number);
  }
  if (json_is_boolean(v)) return pc_xstrdup(json_is_true(v) ? "true" : "false");
  return pc_xstrdup("<invalid>");
}

static bool get_bool(parse_state_t *st, json_t *object, const char *key) {
  json_t *v = json_object_get(object, key);
  if (!v || json_is_null(v)) return false;
  if (json_is_boolean(v)) return json_is_true(v);
  if (json_is_string(v)) {
    if (strcmp(json_string_value(v), "true") == 0) return true;
    if (strcmp(json_string_value(v), "false") == 0) return false;
  }
  fail(st, key, "must be true or false%s", NULL);
  return false;
}

static int get_int(parse_state_t *st, json_t *object, const char *key, long long min, long long max, bool required,
                   long long fallback, long long *out) {
  char *text = value_text(object, key);
  char message[200];
  pc_snprintf(message, sizeof message, "must be an integer from %lld to %lld%s", min, max, required ? "" : " if supplied");
  if (!text) {
    *out = fallback;
    if (required) return fail(st, key, "%s", message);
    return 0;
  }
  int rc = pc_parse_int64(text, min, max, out);
  free(text);
  if (rc != 0) return fail(st, key, "%s", message);
  return 0;
}

static int parse_provider(const char *name, pc_cvr_provider_t *out) {
  static const struct { const char *name; pc_cvr_provider_t provider; } table[] = {
      {"cdf", PC_CVR_CDF},         {"clearBallot", PC_CVR_CLEAR_BALLOT}, {"dominion", PC_CVR_DOMINION},
      {"ess", PC_CVR_ESS},         {"hart", PC_CVR_HART},                {"genericCsv", PC_CVR_GENERIC_CSV},
      {"CDF", PC_CVR_CDF},         {"ES&S", PC_CVR_ESS},                 {"Dominion", PC_CVR_DOMINION},
      {"DOMINION", PC_CVR_DOMINION}, {"Hart", PC_CVR_HART}};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(name, table[i].name) == 0) {
      *out = table[i].provider;
      return 0;
    }
  return PC_EINVAL;
}

const char *pc_tab_provider_name(pc_cvr_provider_t provider) {
  switch (provider) {
  case PC_CVR_CDF: return "cdf";
  case PC_CVR_CLEAR_BALLOT: return "clearBallot";
  case PC_CVR_DOMINION: return "dominion";
  case PC_CVR_ESS: return "ess";
  case PC_CVR_HART: return "hart";
  case PC_CVR_GENERIC_CSV: return "genericCsv";
  }
  return "unknown";
}

static char *resolve_path(const char *directory, const char *path) {
  if (path[0] == '/' || !directory || !*directory) return pc_xstrdup(path);
  pc_buf_t b;
  pc_buf_init(&b, 0);
  pc_buf_appendf(&b, "%s/%s", directory, path);
  return pc_buf_detach(&b, NULL);
}

static int parse_sources(parse_state_t *st, json_t *root, const char *directory, pc_tab_config_t *config) {
  json_t *array = json_object_get(root, "cvrFileSources");
  if (!json_is_array(array) || json_array_size(array) == 0)
    return fail(st, "cvrFileSources", "the contest config must contain at least 1 cast vote record source%s", NULL);
  if (json_array_size(array) > MAX_SOURCES) return fail(st, "cvrFileSources", "too many sources%s", NULL);
  config->source_count = json_array_size(array);
  config->sources = pc_xcalloc(config->source_count, sizeof *config->sources);
  config->source_paths = pc_xcalloc(config->source_count, sizeof *config->source_paths);
  for (size_t i = 0; i < config->source_count; i++) {
    json_t *s = json_array_get(array, i);
    pc_cvr_source_t *source = &config->sources[i];
    if (!json_is_object(s)) return fail(st, "cvrFileSources", "each source must be an object%s", NULL);
    char *provider = value_text(s, "provider");
    if (!provider) return fail(st, "provider", "is required for each cast vote record source%s", NULL);
    int rc = parse_provider(provider, &source->provider);
    if (rc != 0) {
      fail(st, "provider", "'%s' is not one of cdf, clearBallot, dominion, ess, hart, genericCsv", provider);
      free(provider);
      return PC_EINVAL;
    }
    free(provider);
    char *file_path = value_text(s, "filePath");
    if (!file_path) return fail(st, "filePath", "is required for each cast vote record source%s", NULL);
    source->path = resolve_path(directory, file_path);
    config->source_paths[i] = file_path;
    source->contest_id = value_text(s, "contestId");
    long long value;
    bool needs_columns = source->provider == PC_CVR_ESS;
    if (get_int(st, s, "firstVoteColumnIndex", 1, 1000, needs_columns, 0, &value) == 0)
      source->first_vote_column_index = (int)value;
    if (get_int(st, s, "firstVoteRowIndex", 1, 100000, needs_columns, 0, &value) == 0)
      source->first_vote_row_index = (int)value;
    if (get_int(st, s, "idColumnIndex", 1, 1000, false, 0, &value) == 0) source->id_column_index = (int)value;
    if (get_int(st, s, "precinctColumnIndex", 1, 1000, false, 0, &value) == 0)
      source->precinct_column_index = (int)value;
    if (get_int(st, s, "batchColumnIndex", 1, 1000, false, 0, &value) == 0) source->batch_column_index = (int)value;
    source->overvote_delimiter = value_text(s, "overvoteDelimiter");
    source->overvote_label = value_text(s, "overvoteLabel");
    source->undervote_label = value_text(s, "skippedRankLabel");
    if (!source->undervote_label) source->undervote_label = value_text(s, "undervoteLabel");
    source->undeclared_write_in_label = value_text(s, "undeclaredWriteInLabel");
    source->treat_blank_as_undeclared_write_in = get_bool(st, s, "treatBlankAsUndeclaredWriteIn");
    if (source->undeclared_write_in_label) config->uwi_declared = true;
    if (source->treat_blank_as_undeclared_write_in && !source->undeclared_write_in_label)
      return fail(st, "undeclaredWriteInLabel", "must be supplied if treatBlankAsUndeclaredWriteIn is true%s", NULL);
    if (source->provider != PC_CVR_CDF && source->provider != PC_CVR_ESS && source->provider != PC_CVR_GENERIC_CSV &&
        !source->contest_id)
      return fail(st, "contestId", "is required for %s sources", pc_tab_provider_name(source->provider));
    if (source->provider == PC_CVR_CDF && !source->contest_id)
      return fail(st, "contestId", "is required for cdf sources (the contest's Name)%s", NULL);
    struct stat file_status;
    if (stat(source->path, &file_status) != 0)
      fail(st, "filePath", "cast vote record file not found: %s", source->path);
    for (size_t j = 0; j < i; j++)
      if (strcmp(config->sources[j].path, source->path) == 0)
        return fail(st, "filePath", "duplicate cast vote record filePaths are not allowed: %s", source->path);
    if (config->tabulate_by_precinct && source->provider == PC_CVR_ESS && !source->precinct_column_index)
      return fail(st, "precinctColumnIndex", "is required when tabulateByPrecinct is enabled%s", NULL);
  }
  return st->failed ? PC_EINVAL : 0;
}

static int parse_candidates(parse_state_t *st, json_t *root, pc_tab_config_t *config) {
  json_t *array = json_object_get(root, "candidates");
  size_t count = json_is_array(array) ? json_array_size(array) : 0;
  if (count > MAX_CANDIDATES) return fail(st, "candidates", "too many candidates%s", NULL);
  config->candidates = pc_xcalloc(count ? count : 1, sizeof *config->candidates);
  for (size_t i = 0; i < count; i++) {
    json_t *c = json_array_get(array, i);
    pc_tab_candidate_t *candidate = &config->candidates[config->candidate_count];
    if (!json_is_object(c)) return fail(st, "candidates", "each candidate must be an object%s", NULL);
    candidate->name = value_text(c, "name");
    if (!candidate->name) return fail(st, "name", "a name is required for each candidate%s", NULL);
    config->candidate_count++;
    candidate->excluded = get_bool(st, c, "excluded");
    json_t *aliases = json_object_get(c, "aliases");
    char *code = value_text(c, "code");
    size_t alias_count = json_is_array(aliases) ? json_array_size(aliases) : 0;
    candidate->aliases = pc_xcalloc(alias_count + 1, sizeof(char *));
    for (size_t a = 0; a < alias_count; a++) {
      json_t *alias = json_array_get(aliases, a);
      if (json_is_string(alias) && *json_string_value(alias))
        candidate->aliases[candidate->alias_count++] = pc_xstrdup(json_string_value(alias));
    }
    if (code) candidate->aliases[candidate->alias_count++] = code; /* older configs: "code" */
    if (strcmp(candidate->name, PC_TAB_UWI_NAME) == 0)
      return fail(st, "name", "\"%s\" is a reserved term and can't be used for a candidate name", PC_TAB_UWI_NAME);
    for (size_t j = 0; j < config->candidate_count - 1; j++) {
      const pc_tab_candidate_t *other = &config->candidates[j];
      if (strcmp(other->name, candidate->name) == 0)
        return fail(st, "name", "duplicate candidate names are not allowed: %s", candidate->name);
    }
  }
  /* aliases must not collide with another candidate's name or alias */
  for (size_t i = 0; i < config->candidate_count; i++)
    for (size_t a = 0; a < config->candidates[i].alias_count; a++)
      for (size_t j = 0; j < config->candidate_count; j++) {
        if (j != i && strcmp(config->candidates[j].name, config->candidates[i].aliases[a]) == 0)
          return fail(st, "aliases", "alias \"%s\" is also another candidate's name", config->candidates[i].aliases[a]);
      }
  size_t excluded = 0;
  for (size_t i = 0; i < config->candidate_count; i++) excluded += config->candidates[i].excluded;
  if (config->candidate_count == 0)
    return fail(st, "candidates", "the contest config must contain at least 1 declared candidate%s", NULL);
  if (excluded == config->candidate_count)
    return fail(st, "candidates", "the contest config must contain at least 1 non-excluded candidate%s", NULL);
  return 0;
}

static int lookup(const char *text, const char *const *names, int count) {
  for (int i = 0; i < count; i++)
    if (text && strcmp(text, names[i]) == 0) return i;
  return -1;
}

static int parse_rules(parse_state_t *st, json_t *root, pc_tab_config_t *config) {
  json_t *rules = json_object_get(root, "rules");
  if (!json_is_object(rules)) return fail(st, "rules", "the contest config must contain a rules object%s", NULL);
  int problems_before = st->problems;
  static const char *const tiebreaks[] = {"random", "stopCountingAndAsk", "previousRoundCountsThenRandom",
                                          "previousRoundCountsThenAsk", "useCandidateOrder", "generatePermutation"};
  static const char *const overvotes[] = {"alwaysSkipToNextRank", "exhaustImmediately", "exhaustIfMultipleContinuing"};
  static const char *const modes[] = {"singleWinnerMajority", "multiWinnerAllowOnlyOneWinnerPerRound",
                                      "multiWinnerAllowMultipleWinnersPerRound", "bottomsUp",
                                      "bottomsUpUsingPercentageThreshold", "multiPassIrv"};
  char *text = value_text(rules, "tiebreakMode");
  int index = lookup(text, tiebreaks, 6);
  if (index < 0) fail(st, "tiebreakMode", "invalid tiebreakMode '%s': expected random, stopCountingAndAsk, "
                      "previousRoundCountsThenRandom, previousRoundCountsThenAsk, useCandidateOrder or generatePermutation",
                      text ? text : "");
  config->tiebreak_mode = index < 0 ? PC_TB_RANDOM : (pc_tiebreak_mode_t)index;
  free(text);
  text = value_text(rules, "overvoteRule");
  index = lookup(text, overvotes, 3);
  if (index < 0) fail(st, "overvoteRule", "invalid overvoteRule '%s': expected alwaysSkipToNextRank, "
                      "exhaustImmediately or exhaustIfMultipleContinuing", text ? text : "");
  config->overvote_rule = index < 0 ? PC_OV_ALWAYS_SKIP : (pc_overvote_rule_t)index;
  free(text);
  text = value_text(rules, "winnerElectionMode");
  index = lookup(text, modes, 6);
  if (index < 0) fail(st, "winnerElectionMode", "invalid winnerElectionMode '%s'", text ? text : "");
  config->winner_mode = index < 0 ? PC_WM_SINGLE : (pc_winner_mode_t)index;
  free(text);
  if (st->problems > problems_before) return PC_EINVAL;

  long long value;
  get_int(st, rules, "decimalPlacesForVoteArithmetic", 1, 20, true, 4, &value);
  if (st->problems > problems_before) return PC_EINVAL;
  if (value > PC_DEC_MAX_SCALE)
    return fail(st, "decimalPlacesForVoteArithmetic", "values above 18 are not supported by this build (exact "
                "128-bit arithmetic)%s", NULL);
  config->decimal_places = (int)value;
  int scale = config->decimal_places;
  bool needs_seed = config->tiebreak_mode == PC_TB_RANDOM || config->tiebreak_mode == PC_TB_PREVIOUS_RANDOM ||
                    config->tiebreak_mode == PC_TB_GENERATE_PERMUTATION;
  text = value_text(rules, "randomSeed");
  if (text) {
    long long seed;
    if (pc_parse_int64(text, -140737488355328LL, 140737488355327LL, &seed) != 0)
      fail(st, "randomSeed", "must be an integer from -140737488355328 to 140737488355327 (got '%s')", text);
    config->random_seed = seed;
    config->has_random_seed = true;
  } else if (needs_seed) {
    fail(st, "randomSeed", "when tiebreakMode involves a random element, randomSeed must be supplied%s", NULL);
  }
  free(text);
  int declared = (int)config->candidate_count;
  bool bottoms_up = config->winner_mode == PC_WM_BOTTOMS_UP || config->winner_mode == PC_WM_BOTTOMS_UP_THRESHOLD;
  /* more seats than candidates is allowed: everyone is elected */
  get_int(st, rules, "numberOfWinners", bottoms_up ? 0 : 1, MAX_CANDIDATES, true, 1, &value);
  config->number_of_winners = (int)value;
  text = value_text(rules, "multiSeatBottomsUpPercentageThreshold");
  if (config->winner_mode == PC_WM_BOTTOMS_UP_THRESHOLD && scale > 12)
    fail(st, "decimalPlacesForVoteArithmetic", "must be at most 12 with bottomsUpUsingPercentageThreshold (its "
         "threshold keeps twice the decimals; exact 128-bit arithmetic)%s", NULL);
  if (text && config->winner_mode == PC_WM_BOTTOMS_UP_THRESHOLD) {
    pc_dec_t percentage;
    if (pc_dec_parse(text, scale, &percentage) != 0 || percentage <= 0 || percentage > pc_dec_pow10(scale) * 100)
      fail(st, "multiSeatBottomsUpPercentageThreshold", "must be a number from 1 to 100 (got '%s')", text);
    else {
      config->bottoms_up_percentage = pc_dec_divide_down(percentage, pc_dec_pow10(scale) * 100, scale);
      config->has_bottoms_up_percentage = true;
    }
  } else if (config->winner_mode == PC_WM_BOTTOMS_UP_THRESHOLD) {
    fail(st, "multiSeatBottomsUpPercentageThreshold", "is required when winnerElectionMode is "
         "bottomsUpUsingPercentageThreshold%s", NULL);
  }
  free(text);
  get_int(st, rules, "minimumVoteThreshold", 0, 1000000, false, 0, &value);
  config->minimum_vote_threshold = (pc_dec_t)value * pc_dec_pow10(scale);
  text = value_text(rules, "maxSkippedRanksAllowed");
  if (text && strcasecmp(text, "unlimited") == 0) config->max_skipped_ranks = INT32_MAX;
  else if (!text || pc_parse_int64(text, 0, INT32_MAX, &value) != 0)
    fail(st, "maxSkippedRanksAllowed", "must either be \"unlimited\" or an integer from 0 (got '%s')", text ? text : "");
  else config->max_skipped_ranks = (int)value;
  free(text);
  text = value_text(rules, "maxRankingsAllowed");
  if (text && strcasecmp(text, "max") == 0) config->max_rankings = declared;
  else if (!text || pc_parse_int64(text, 1, INT32_MAX, &value) != 0)
    fail(st, "maxRankingsAllowed", "must either be \"max\" or an integer from 1 (got '%s')", text ? text : "");
  else config->max_rankings = (int)value;
  free(text);
  config->non_integer_threshold = get_bool(st, rules, "nonIntegerWinningThreshold");
  config->first_round_determines_threshold = get_bool(st, rules, "doesFirstRoundDetermineThreshold");
  config->hare_quota = get_bool(st, rules, "hareQuota");
  config->batch_elimination = get_bool(st, rules, "batchElimination");
  config->continue_until_two = get_bool(st, rules, "continueUntilTwoCandidatesRemain");
  config->exhaust_on_duplicate = get_bool(st, rules, "exhaustOnDuplicateCandidate");
  config->cutoff_elimination = get_bool(st, rules, "cutoffElimination");
  get_int(st, rules, "stopTabulationEarlyAfterRound", 1, INT32_MAX, false, INT32_MAX, &value);
  config->stop_after_round = (int)value;
  if (st->problems > problems_before) return PC_EINVAL;

  /* multi-pass IRV counts one seat per pass: single-winner rules apply */
  bool multi = config->number_of_winners > 1 && config->winner_mode != PC_WM_MULTI_PASS;
  if (config->winner_mode == PC_WM_SINGLE && config->number_of_winners != 1)
    return fail(st, "numberOfWinners", "must be 1 when winnerElectionMode is singleWinnerMajority%s", NULL);
  if (multi && config->batch_elimination)
    return fail(st, "batchElimination", "can't be true in a multi-seat contest%s", NULL);
  if (config->number_of_winners <= 1 && config->winner_mode != PC_WM_SINGLE && config->winner_mode != PC_WM_BOTTOMS_UP_THRESHOLD &&
      !(config->winner_mode == PC_WM_BOTTOMS_UP && config->number_of_winners == 0))
    return fail(st, "winnerElectionMode", "%s requires numberOfWinners greater than 1", modes[config->winner_mode]);
  if (!multi && config->hare_quota) return fail(st, "hareQuota", "can only be true in a multi-seat contest%s", NULL);
  if (bottoms_up && config->batch_elimination)
    return fail(st, "batchElimination", "can't be true when winnerElectionMode is bottoms-up%s", NULL);
  if (multi && config->continue_until_two)
    return fail(st, "continueUntilTwoCandidatesRemain", "can't be true in a multi-seat contest%s", NULL);
  if (config->first_round_determines_threshold && multi)
    return fail(st, "doesFirstRoundDetermineThreshold", "can only be used in a single-winner contest%s", NULL);
  for (size_t i = 0; i < config->source_count; i++)
    if (config->sources[i].overvote_label && config->overvote_rule == PC_OV_EXHAUST_IF_MULTIPLE)
      return fail(st, "overvoteRule", "when overvoteLabel is supplied, overvoteRule must be either "
                  "exhaustImmediately or alwaysSkipToNextRank%s", NULL);
  return 0;
}

int pc_tab_config_parse(const char *text, size_t size, const char *path, const char *directory,
                        pc_tab_config_t *out, pc_error_t *err) {
  parse_state_t st = {path, err, 0, 0};
  json_error_t json_err;
  json_t *root = json_loadb(text, size, 0, &json_err) /* duplicate keys: the last wins, as in Jackson */;
  if (!root) {
    pc_error_set_at(err, PC_EINVAL, path, json_err.line, NULL, "invalid JSON (column %d): %s", json_err.column,
                    json_err.text);
    return PC_EINVAL;
  }
  pc_tab_config_t config;
  memset(&config, 0, sizeof config);
  config.path = pc_xstrdup(path ? path : "");
  config.directory = pc_xstrdup(directory ? directory : ".");
  int rc = 0;
  if (!json_is_object(root)) rc = fail(&st, NULL, "the contest config must be a JSON object%s", NULL);
  json_t *output = json_object_get(root, "outputSettings");
  if (rc == 0 && !json_is_object(output)) rc = fail(&st, "outputSettings", "is required%s", NULL);
  if (rc == 0) {
    config.tabulator_version = value_text(root, "tabulatorVersion");
    if (!config.tabulator_version) fail(&st, "tabulatorVersion", "is required%s", NULL);
  }
  if (rc == 0) {
    config.contest_name = value_text(output, "contestName");
    config.contest_date = value_text(output, "contestDate");
    config.contest_jurisdiction = value_text(output, "contestJurisdiction");
    config.contest_office = value_text(output, "contestOffice");
    config.output_directory = value_text(output, "outputDirectory");
    config.tabulate_by_batch = get_bool(&st, output, "tabulateByBatch");
    config.tabulate_by_precinct = get_bool(&st, output, "tabulateByPrecinct");
    config.generate_cdf_json = get_bool(&st, output, "generateCdfJson");
    if (!config.contest_name) rc = fail(&st, "contestName", "is required%s", NULL);
    if (config.output_directory && (config.output_directory[0] && config.output_directory[1] == ':'))
      rc = fail(&st, "outputDirectory", "'%s' is a Windows path, not valid on this system", config.output_directory);
  }
  if (rc == 0) {
    /* each part reports its problems; all are listed before giving up */
    parse_sources(&st, root, config.directory, &config);
    if (parse_candidates(&st, root, &config) == 0) parse_rules(&st, root, &config);
    if (st.failed) rc = PC_EINVAL;
  }
  json_decref(root);
  if (rc != 0) {
    pc_tab_config_free(&config);
    return rc;
  }
  *out = config;
  return 0;
}

int pc_tab_config_load(const char *path, pc_tab_config_t *config, pc_error_t *err) {
  char *text;
  size_t size;
  int rc = pc_file_read_all(path, CONFIG_MAX_BYTES, &text, &size, err);
  if (rc != 0) return rc;
  char *directory = pc_xstrdup(path);
  char *slash = strrchr(directory, '/');
  if (slash) *slash = '\0';
  else pc_strlcpy(directory, ".", 2);
  rc = pc_tab_config_parse(text, size, path, directory, config, err);
  free(directory);
  free(text);
  return rc;
}

void pc_tab_config_free(pc_tab_config_t *config) {
  free(config->path);
  free(config->directory);
  free(config->tabulator_version);
  free(config->contest_name);
  free(config->contest_date);
  free(config->contest_jurisdiction);
  free(config->contest_office);
  free(config->output_directory);
  for (size_t i = 0; i < config->source_count; i++) {
    pc_cvr_source_t *s = &config->sources[i];
    free((char *)s->path);
    free((char *)s->contest_id);
    free((char *)s->overvote_delimiter);
    free((char *)s->overvote_label);
    free((char *)s->undervote_label);
    free((char *)s->undeclared_write_in_label);
  }
  free(config->sources);
  for (size_t i = 0; config->source_paths && i < config->source_count; i++) free(config->source_paths[i]);
  free(config->source_paths);
  for (size_t i = 0; i < config->candidate_count; i++) {
    free(config->candidates[i].name);
    for (size_t a = 0; a < config->candidates[i].alias_count; a++) free(config->candidates[i].aliases[a]);
    free(config->candidates[i].aliases);
  }
  free(config->candidates);
  memset(config, 0, sizeof *config);
}
