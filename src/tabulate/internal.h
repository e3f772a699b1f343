/* Internal interfaces of the tabulation module: the parsed contest
 * configuration, fixed-point vote arithmetic, java.util.Random, the ballot
 * arena and the round engine. Not a public API. */
#ifndef PRECINCT_TABULATE_INTERNAL_H
#define PRECINCT_TABULATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "precinct/cvr.h"
#include "precinct/error.h"

/* ---- fixed-point decimals (value * 10^scale, scale = decimalPlaces) ---- */
typedef __int128 pc_dec_t;
#define PC_DEC_MAX_SCALE 18
pc_dec_t pc_dec_pow10(int exponent);
/* BigDecimal.divide(divisor, scale, DOWN) for non-negative operands at SCALE. */
pc_dec_t pc_dec_divide_down(pc_dec_t dividend, pc_dec_t divisor, int scale);
/* multiply then setScale(scale, DOWN), operands at SCALE. */
pc_dec_t pc_dec_multiply_down(pc_dec_t a, pc_dec_t b, int scale);
/* Writes VALUE (at SCALE) as a plain decimal: integers without a point,
 * others with SCALE digits. OUT has at least 64 bytes. */
void pc_dec_format(pc_dec_t value, int scale, char *out, size_t size);
/* Parses a plain decimal ("12", "12.5", "-3") into SCALE; 0 or PC_EINVAL. */
int pc_dec_parse(const char *text, int scale, pc_dec_t *out);

/* ---- java.util.Random ---- */
typedef struct pc_java_random { uint64_t seed; } pc_java_random_t;
void pc_java_random_init(pc_java_random_t *r, int64_t seed);
int32_t pc_java_random_next_int(pc_java_random_t *r, int32_t bound);
/* floor(nextDouble() * size) computed exactly as the JVM's double product. */
int32_t pc_java_random_pick(pc_java_random_t *r, int32_t size);
/* Collections.shuffle(list, random) applied to an index array. */
void pc_java_shuffle(pc_java_random_t *r, int32_t *items, int32_t count);

/* ---- contest configuration ---- */
typedef enum { PC_TB_RANDOM, PC_TB_ASK, PC_TB_PREVIOUS_RANDOM, PC_TB_PREVIOUS_ASK, PC_TB_CONFIG_ORDER,
               PC_TB_GENERATE_PERMUTATION } pc_tiebreak_mode_t;
typedef enum { PC_OV_ALWAYS_SKIP, PC_OV_EXHAUST_IMMEDIATELY, PC_OV_EXHAUST_IF_MULTIPLE } pc_overvote_rule_t;
typedef enum { PC_WM_SINGLE, PC_WM_MULTI_ONE_PER_ROUND, PC_WM_MULTI_MANY_PER_ROUND, PC_WM_BOTTOMS_UP,
               PC_WM_BOTTOMS_UP_THRESHOLD, PC_WM_MULTI_PASS } pc_winner_mode_t;

typedef struct pc_tab_candidate {
  char *name;
  char **aliases;
  size_t alias_count;
  bool excluded;
} pc_tab_candidate_t;

typedef struct pc_tab_config {
  char *path;            /* the config file as given */
  char *directory;       /* its folder: relative paths resolve against it */
  char *tabulator_version;
  char *contest_name, *contest_date, *contest_jurisdiction, *contest_office, *output_directory;
  bool tabulate_by_batch, tabulate_by_precinct, generate_cdf_json;
  pc_cvr_source_t *sources;
  char **source_paths;   /* each source's filePath as the config writes it */
  size_t source_count;
  pc_tab_candidate_t *candidates;
  size_t candidate_count;
  pc_tiebreak_mode_t tiebreak_mode;
  pc_overvote_rule_t overvote_rule;
  pc_winner_mode_t winner_mode;
  int64_t random_seed;
  bool has_random_seed;
  int number_of_winners;
  pc_dec_t bottoms_up_percentage;  /* at decimal_places, already divided by 100 */
  bool has_bottoms_up_percentage;
  int decimal_places;
  pc_dec_t minimum_vote_threshold; /* at decimal_places */
  int max_skipped_ranks;           /* INT32_MAX: unlimited */
  int max_rankings;                /* resolved: "max" = declared candidates */
  bool non_integer_threshold, first_round_determines_threshold, hare_quota, batch_elimination,
      continue_until_two, exhaust_on_duplicate, cutoff_elimination;
  int stop_after_round;            /* INT32_MAX when not given */
  bool uwi_declared;               /* some source names an undeclared write-in label */
  int count_threads;               /* workers for a round's moves; 0: cores (at most 8) */
  int parallel_min_ballots;        /* smallest share of a worker; 0: 65536 */
} pc_tab_config_t;

/* Parses and validates the RCTab configuration in PATH (sources' paths are
 * resolved against its folder). Every problem is reported with the field. */
int pc_tab_config_load(const char *path, pc_tab_config_t *config, pc_error_t *err);
/* Same, from memory (DIRECTORY: folder for relative paths). */
int pc_tab_config_parse(const char *text, size_t size, const char *path, const char *directory,
                        pc_tab_config_t *config, pc_error_t *err);
void pc_tab_config_free(pc_tab_config_t *config);
const char *pc_tab_provider_name(pc_cvr_provider_t provider);

/* ---- ballots ---- */
#define PC_TAB_OVERVOTE (-2)   /* the explicit overvote label */
#define PC_TAB_UWI_NAME "Undeclared Write-ins"

typedef struct pc_tab_ballot {
  uint32_t mark_offset;   /* into the arena's marks */
  uint16_t mark_count;
  uint16_t source;        /* index of the CVR source */
  int32_t precinct;       /* index into precinct names, -1 unknown */
  int32_t batch;          /* index into batch names, -1 unknown */
} pc_tab_ballot_t;

/* One ranked candidate. SPELLING says how the CVR wrote it: 0 the name,
 * k the candidate's k-th alias (kept for the CDF export). */
typedef struct pc_tab_mark { uint16_t rank; uint16_t spelling; int32_t candidate; } pc_tab_mark_t;
#define PC_TAB_MAX_RANK 65535

typedef struct pc_tab_ballots {
  pc_tab_ballot_t *ballots;
  size_t count, capacity;
  pc_tab_mark_t *marks;
  size_t mark_count, mark_capacity;
  char **precincts; size_t precinct_count;
  char **batches; size_t batch_count;
  uint64_t *per_source;   /* ballots read per source */
  bool has_uwi;           /* some mark is an undeclared write-in */
  char **ballot_ids;      /* may be NULL entries; only kept for CDF output */
} pc_tab_ballots_t;

/* Reads every source of CONFIG (in parallel, merged in source order) and
 * builds the ballots. Candidate indexes: 0..candidate_count-1 in config
 * order, candidate_count = undeclared write-ins, PC_TAB_OVERVOTE. SIDE_JOB
 * (may be NULL) runs once with SIDE_ARG on the first thread left without a
 * source to read, so it fills a core the readers would leave idle. */
int pc_tab_ballots_read(const pc_tab_config_t *config, int threads, bool keep_ids, void (*side_job)(void *),
                        void *side_arg, pc_tab_ballots_t *out, pc_error_t *err);
void pc_tab_ballots_free(pc_tab_ballots_t *ballots);

/* ---- the count ---- */
enum { PC_ST_ACTIVE = 0, PC_ST_UNDERVOTE, PC_ST_OVERVOTE, PC_ST_SKIPPED, PC_ST_REPEATED, PC_ST_EXHAUSTED,
       PC_ST_COUNT };

typedef struct pc_tab_round {
  pc_dec_t *tally;         /* per candidate (candidate_count + 1); */
  bool *in_tally;          /* whether the candidate appears in this round's tally */
  pc_dec_t inactive[PC_ST_COUNT];
  pc_dec_t threshold;
  int threshold_scale;     /* threshold is at this scale (2*D for bottoms-up percentage) */
  pc_dec_t residual_surplus;  /* cumulative */
  pc_dec_t final_round_surplus; /* multi-winner: value of winners' ballots leaving in the last round */
  bool final_round_surplus_moved; /* some winner's ballot left the count this round (even with value 0) */
  bool is_final_surplus_round;
  pc_dec_t *transfers;     /* [(from)*(cand+2) + to], to = cand+1 for exhausted; recorded in this round */
  int32_t *elected; size_t elected_count;
  int32_t *eliminated; size_t eliminated_count;
  bool *by_tiebreak;       /* per candidate: elected/eliminated here by a tie-break */
  pc_dec_t *residual_by_winner; /* per candidate, residual recorded in this round */
} pc_tab_round_t;

/* One precinct's or batch's view of the count: the same rounds, winners and
 * eliminations, with only that unit's ballots in the tallies. */
typedef struct pc_tab_unit_result {
  const char *name;        /* borrowed from the ballots */
  bool is_batch;
  uint64_t ballots;
  uint64_t undervotes;
  pc_tab_round_t *rounds;  /* round_count of the overall result */
} pc_tab_unit_result_t;

/* Part of a ballot kept by a winner whose surplus moved on (multi-winner). */
typedef struct pc_tab_allocation {
  uint32_t ballot;
  int32_t winner;
  int32_t round;   /* the round the winner was elected in */
  int64_t kept;
} pc_tab_allocation_t;

typedef struct pc_tab_result {
  size_t candidate_slots;  /* candidate_count + 1 (UWI) */
  pc_tab_round_t *rounds;
  size_t round_count;
  int32_t *winners; size_t winner_count;
  uint64_t undervotes;     /* ballots with no rankings */
  uint64_t total_ballots;
  bool multi_winner;
  int number_of_winners;
  int num_candidates;      /* as RCTab's JSON reports it: every candidate of the config */
  int num_candidates_counted; /* as its CSV does: those not excluded (in this pass) */
  pc_tab_unit_result_t *units; /* precincts, then batches, when the config asks */
  size_t unit_count;
  const char *unit_name;   /* set in a pc_tab_unit_view */
  const pc_tab_round_t *overall_rounds; /* in a unit view: the whole count's rounds */
  bool unit_is_batch;
  /* with generateCdfJson: where each ballot counted in each round */
  int32_t **snapshot_recipient; /* [round][ballot], -1 none */
  int64_t **snapshot_value;     /* [round][ballot] */
  pc_tab_allocation_t *allocations; /* values kept by winners, in election order */
  size_t allocation_count;
} pc_tab_result_t;

typedef struct pc_tab_tiebreak_input {
  const char *const *choices;
  size_t count;
  size_t used;
} pc_tab_tiebreak_input_t;

/* Counts BALLOTS (optionally only those with precinct/batch FILTER_INDEX
 * when FILTER_KIND is 1/2) under CONFIG with the candidates flagged in
 * EXCLUDED (size candidate_count+1) left out. */
int pc_tab_count(const pc_tab_config_t *config, const pc_tab_ballots_t *ballots, const bool *excluded,
                 int number_of_winners, pc_java_random_t *random, pc_tab_tiebreak_input_t *ask,
                 pc_tab_result_t *result, pc_error_t *err);
void pc_tab_result_free(pc_tab_result_t *result);

/* ---- reports ---- */
struct json_t;
struct json_t *pc_tab_summary_json(const pc_tab_config_t *config, const pc_tab_ballots_t *ballots,
                                   const pc_tab_result_t *result);
/* RESULT seen from one precinct or batch (shallow: shares RESULT's memory). */
pc_tab_result_t pc_tab_unit_view(const pc_tab_result_t *result, size_t unit);
/* RCTab's file-name form of a precinct or batch name: [^A-Za-z0-9_.-] -> '_' */
void pc_tab_sanitize_name(const char *name, char *out, size_t size);
int pc_tab_write_summary_json(const char *path, const pc_tab_config_t *config, const pc_tab_ballots_t *ballots,
                              const pc_tab_result_t *result, pc_error_t *err);
/* The CVRs as NIST SP 1500-103 CDF JSON with one interpreted snapshot per
 * round (RCTab's generateCdfJson). RESULT must come from a count with
 * config->generate_cdf_json set; NULL writes only each CVR's original
 * snapshot (RCTab's --convert-to-cdf, no count). */
int pc_tab_write_cdf_json(const char *path, const pc_tab_config_t *config, const pc_tab_ballots_t *ballots,
                          const pc_tab_result_t *result, pc_error_t *err);
int pc_tab_write_summary_csv(const char *path, const pc_tab_config_t *config, const pc_tab_ballots_t *ballots,
                             const pc_tab_result_t *result, pc_error_t *err);
const char *pc_tab_candidate_name(const pc_tab_config_t *config, int32_t index);
/* Appends TEXT to B as one CSV cell (quoted when needed), after a comma
 * unless it is the row's FIRST cell. */
struct pc_buf;
void pc_tab_csv_cell(struct pc_buf *b, const char *text, bool first);
/* RCTab's generic CSV of the cast vote records (--convert-to-csv): one row
 * per CVR, streamed from every source of CONFIG; nothing is counted. */
int pc_tab_write_cvr_csv(const char *path, const pc_tab_config_t *config, pc_error_t *err);

#endif
