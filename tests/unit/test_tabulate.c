/* Unit tests for src/tabulate: BigDecimal-compatible arithmetic,
 * java.util.Random, the config parser, the round engine on small contests,
 * the CDF JSON reader, and the plurality/approval counts. The RCTab
 * regression cases run separately (tests/tabulate/run_case.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/fileio.h"
#include "precinct/tabulate.h"
#include "tabulate/internal.h"

static void decimal_rounds_down_like_bigdecimal(void **state) {
  (void)state;
  char text[80];
  int scale = 4;
  pc_dec_t one = pc_dec_pow10(scale);
  /* 0.7499 surplus of 8 votes: divide(0.7499... ) -> 0.0937 (DOWN) */
  pc_dec_t fraction = pc_dec_divide_down(7499, 8 * one, scale);
  assert_true(fraction == 937);
  pc_dec_format(pc_dec_multiply_down(one, fraction, scale), scale, text, sizeof text);
  assert_string_equal(text, "0.0937");
  /* multiply truncates: 0.3333 * 0.3333 = 0.11108889 -> 0.1110 */
  assert_true(pc_dec_multiply_down(3333, 3333, scale) == 1110);
  pc_dec_format(12 * one, scale, text, sizeof text);
  assert_string_equal(text, "12");
  pc_dec_format(-5, scale, text, sizeof text);
  assert_string_equal(text, "-0.0005");
  pc_dec_t parsed;
  assert_int_equal(pc_dec_parse("7.25", scale, &parsed), 0);
  assert_true(parsed == 72500);
  assert_int_equal(pc_dec_parse("15", 2, &parsed), 0);
  assert_true(parsed == 1500);
  assert_int_equal(pc_dec_parse("1.2.3", scale, &parsed), PC_EINVAL);
  assert_int_equal(pc_dec_parse("", scale, &parsed), PC_EINVAL);
}

static void java_random_matches_the_jvm(void **state) {
  (void)state;
  pc_java_random_t r;
  /* new Random(0).nextInt() == -1155484576, so nextInt(2^30) == 784870680 */
  pc_java_random_init(&r, 0);
  assert_int_equal(pc_java_random_next_int(&r, 1 << 30), 784870680);
  /* new Random(0).nextDouble() == 0.730967787376657 */
  pc_java_random_init(&r, 0);
  assert_int_equal(pc_java_random_pick(&r, 1000000), 730967);
  /* new Random(42).nextInt() == -1170105035: nextInt(2^30) keeps the top 30 bits */
  pc_java_random_init(&r, 42);
  assert_int_equal(pc_java_random_next_int(&r, 1 << 30), (int32_t)(((uint32_t)-1170105035) >> 2));
  /* a shuffle is a permutation */
  int32_t items[10];
  for (int i = 0; i < 10; i++) items[i] = i;
  pc_java_random_init(&r, 7);
  pc_java_shuffle(&r, items, 10);
  int seen = 0;
  for (int i = 0; i < 10; i++) seen |= 1 << items[i];
  assert_int_equal(seen, 0x3FF);
}

static const char config_template[] =
    "{\"tabulatorVersion\":\"TEST\",\"outputSettings\":{\"contestName\":\"T\",\"outputDirectory\":\"out\"},"
    "\"cvrFileSources\":[{\"filePath\":\"cvr.json\",\"provider\":\"cdf\",\"contestId\":\"Mayor\"}],"
    "\"candidates\":[{\"name\":\"A\"},{\"name\":\"B\",\"aliases\":[\"Bee\"]},{\"name\":\"C\"}],"
    "\"rules\":{\"tiebreakMode\":\"%s\",\"overvoteRule\":\"alwaysSkipToNextRank\",\"winnerElectionMode\":\"%s\","
    "\"randomSeed\":\"1\",\"numberOfWinners\":\"%s\",\"decimalPlacesForVoteArithmetic\":\"4\","
    "\"minimumVoteThreshold\":\"0\",\"maxSkippedRanksAllowed\":\"1\",\"maxRankingsAllowed\":\"max\"}}";

static int parse_config(const char *tiebreak, const char *mode, const char *winners, pc_tab_config_t *config,
                        pc_error_t *err) {
  char text[2048];
  pc_snprintf(text, sizeof text, config_template, tiebreak, mode, winners);
  return pc_tab_config_parse(text, strlen(text), "test.json", "/nonexistent", config, err);
}

static void config_parses_and_validates(void **state) {
  (void)state;
  pc_tab_config_t config;
  pc_error_t err;
  /* the CVR file does not exist: the problem is named with the field */
  assert_int_equal(parse_config("random", "singleWinnerMajority", "1", &config, &err), PC_EINVAL);
  assert_string_equal(err.field, "filePath");
  assert_non_null(strstr(err.message, "not found"));
  assert_int_equal(parse_config("sometimes", "singleWinnerMajority", "1", &config, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "tiebreakMode"));
  assert_int_equal(parse_config("random", "singleWinnerMajority", "2", &config, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "numberOfWinners"));
  const char *broken = "{\"tabulatorVersion\": ";
  assert_int_equal(pc_tab_config_parse(broken, strlen(broken), "x.json", ".", &config, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "invalid JSON"));
}

/* Builds ballots from rows of candidate indexes (-1 ends a row, -9 a skipped rank). */
static void make_ballots(pc_tab_ballots_t *b, const int rows[][6], size_t count) {
  memset(b, 0, sizeof *b);
  b->ballots = pc_xcalloc(count, sizeof *b->ballots);
  b->marks = pc_xcalloc(count * 6, sizeof *b->marks);
  b->per_source = pc_xcalloc(1, sizeof *b->per_source);
  for (size_t i = 0; i < count; i++) {
    pc_tab_ballot_t *ballot = &b->ballots[b->count++];
    ballot->mark_offset = (uint32_t)b->mark_count;
    ballot->precinct = ballot->batch = -1;
    for (int k = 0; k < 6 && rows[i][k] != -1; k++) {
      if (rows[i][k] == -9) continue;
      b->marks[b->mark_count].rank = k + 1;
      b->marks[b->mark_count++].candidate = rows[i][k];
      ballot->mark_count++;
    }
  }
  b->per_source[0] = count;
}

static pc_tab_config_t small_config(int winners, pc_winner_mode_t mode) {
  pc_tab_config_t config;
  memset(&config, 0, sizeof config);
  static pc_tab_candidate_t candidates[3] = {{"A", NULL, 0, false}, {"B", NULL, 0, false}, {"C", NULL, 0, false}};
  config.candidates = candidates;
  config.candidate_count = 3;
  config.tiebreak_mode = PC_TB_CONFIG_ORDER;
  config.overvote_rule = PC_OV_ALWAYS_SKIP;
  config.winner_mode = mode;
  config.number_of_winners = winners;
  config.decimal_places = 4;
  config.max_skipped_ranks = 1;
  config.max_rankings = 3;
  config.non_integer_threshold = winners > 1;
  config.stop_after_round = INT32_MAX;
  return config;
}

static void irv_transfers_and_exhausts(void **state) {
  (void)state;
  /* A 4, B 3, C 2: C goes, one C ballot to B, one exhausts; B wins 4-4? no: A 4, B 4 -> tie
     is impossible with the threshold 4 of 8 active... B gets 1: A 4, B 4, threshold 5 */
  static const int rows[][6] = {{0, -1}, {0, -1},    {0, -1},    {0, 1, -1}, {1, -1},
                                {1, -1}, {1, 0, -1}, {2, 1, -1}, {2, -9, -9, -1}, {2, -1}};
  pc_tab_ballots_t ballots;
  make_ballots(&ballots, rows, sizeof rows / sizeof rows[0]);
  pc_tab_config_t config = small_config(1, PC_WM_SINGLE);
  bool excluded[4] = {false, false, false, false};
  pc_java_random_t random;
  pc_java_random_init(&random, 1);
  pc_tab_result_t result;
  pc_error_t err;
  assert_int_equal(pc_tab_count(&config, &ballots, excluded, 1, &random, NULL, &result, &err), 0);
  /* round 1: A 4, B 3, C 3; threshold floor(10/2)+1 = 6; C and B tie for last: the config
     order breaks it (latest in the list loses): C */
  const pc_dec_t one = pc_dec_pow10(4);
  assert_true(result.rounds[0].tally[0] == 4 * one);
  assert_true(result.rounds[0].tally[1] == 3 * one);
  assert_true(result.rounds[0].tally[2] == 3 * one);
  assert_true(result.rounds[0].threshold == 6 * one);
  assert_int_equal(result.rounds[0].eliminated_count, 1);
  assert_int_equal(result.rounds[0].eliminated[0], 2);
  /* round 2: B 4 (one from C), one C ballot exhausts, the rank-1-only C ballot exhausts */
  assert_true(result.rounds[1].tally[1] == 4 * one);
  assert_true(result.rounds[1].inactive[PC_ST_EXHAUSTED] == 2 * one);
  /* C->B 1 and C->exhausted 2 are the transfers recorded in round 2 */
  size_t slots = result.candidate_slots;
  assert_true(result.rounds[1].transfers[2 * (slots + 2) + 1] == one);
  assert_true(result.rounds[1].transfers[2 * (slots + 2) + slots] == 2 * one);
  /* threshold recomputed on 8 active: 5; A 4 B 4: neither; two remain: the tie-break picks a winner */
  assert_int_equal(result.winner_count, 1);
  assert_int_equal(result.winners[0], 0); /* earliest in the config order wins */
  pc_tab_result_free(&result);
  pc_tab_ballots_free(&ballots);
}

static void stv_surplus_is_fractional(void **state) {
  (void)state;
  /* 2 seats, 9 ballots: A 6 (first choice), then B; B 2; C 1. Threshold 9/3 = 3.0001 */
  static const int rows[][6] = {{0, 1, -1}, {0, 1, -1}, {0, 1, -1}, {0, 2, -1}, {0, 2, -1},
                                {0, 2, -1}, {1, -1},    {1, -1},    {2, -1}};
  pc_tab_ballots_t ballots;
  make_ballots(&ballots, rows, sizeof rows / sizeof rows[0]);
  pc_tab_config_t config = small_config(2, PC_WM_MULTI_MANY_PER_ROUND);
  bool excluded[4] = {false, false, false, false};
  pc_java_random_t random;
  pc_java_random_init(&random, 1);
  pc_tab_result_t result;
  pc_error_t err;
  assert_int_equal(pc_tab_count(&config, &ballots, excluded, 2, &random, NULL, &result, &err), 0);
  assert_true(result.rounds[0].threshold == 30001);
  assert_int_equal(result.rounds[0].elected_count, 1);
  /* surplus fraction = (6 - 3.0001) / 6 = 0.49998 -> 0.4999; each ballot moves 0.4999 */
  size_t slots = result.candidate_slots;
  assert_true(result.rounds[1].transfers[0 * (slots + 2) + 1] == 3 * 4999);
  assert_true(result.rounds[1].transfers[0 * (slots + 2) + 2] == 3 * 4999);
  /* A keeps 6 * 0.5001 = 3.0006; residual 0.0005 over the threshold */
  assert_true(result.rounds[1].tally[0] == 30001);
  assert_true(result.rounds[1].residual_surplus == 5);
  assert_int_equal(result.winner_count, 2);
  assert_int_equal(result.winners[1], 1);
  pc_tab_result_free(&result);
  pc_tab_ballots_free(&ballots);
}

static pc_tab_config_t four_config(void) {
  pc_tab_config_t config = small_config(1, PC_WM_SINGLE);
  static pc_tab_candidate_t candidates[4] = {
      {"A", NULL, 0, false}, {"B", NULL, 0, false}, {"C", NULL, 0, false}, {"D", NULL, 0, false}};
  config.candidates = candidates;
  config.candidate_count = 4;
  config.max_rankings = 4;
  return config;
}

static void minimum_threshold_and_batch_elimination(void **state) {
  (void)state;
  /* A 5, B 3, C 1, D 1 */
  static const int rows[][6] = {{0, -1}, {0, -1}, {0, -1}, {0, -1}, {0, -1},
                                {1, -1}, {1, -1}, {1, -1}, {2, 1, -1}, {3, -1}};
  pc_tab_ballots_t ballots;
  make_ballots(&ballots, rows, sizeof rows / sizeof rows[0]);
  bool excluded[5] = {false, false, false, false, false};
  pc_java_random_t random;
  pc_tab_result_t result;
  pc_error_t err;
  const pc_dec_t one = pc_dec_pow10(4);
  /* minimum 2 votes: C and D go together in round 1, B gets C's ballot */
  pc_tab_config_t config = four_config();
  config.minimum_vote_threshold = 2 * one;
  pc_java_random_init(&random, 1);
  assert_int_equal(pc_tab_count(&config, &ballots, excluded, 1, &random, NULL, &result, &err), 0);
  assert_int_equal(result.rounds[0].eliminated_count, 2);
  assert_true(result.rounds[1].tally[1] == 4 * one);
  pc_tab_result_free(&result);
  /* batch elimination: C + D (2) cannot catch B (3): both go at once */
  config = four_config();
  config.batch_elimination = true;
  pc_java_random_init(&random, 1);
  assert_int_equal(pc_tab_count(&config, &ballots, excluded, 1, &random, NULL, &result, &err), 0);
  assert_int_equal(result.rounds[0].eliminated_count, 2);
  assert_int_equal(result.rounds[0].eliminated[0], 2);
  assert_int_equal(result.rounds[0].eliminated[1], 3);
  pc_tab_result_free(&result);
  /* without either, one at a time: C and D tie at 1, the config order makes D (latest) lose */
  config = four_config();
  pc_java_random_init(&random, 1);
  assert_int_equal(pc_tab_count(&config, &ballots, excluded, 1, &random, NULL, &result, &err), 0);
  assert_int_equal(result.rounds[0].eliminated_count, 1);
  assert_int_equal(result.rounds[0].eliminated[0], 3);
  assert_true(result.rounds[0].by_tiebreak[3]);
  pc_tab_result_free(&result);
  pc_tab_ballots_free(&ballots);
}

static void hare_quota_rounds_up(void **state) {
  (void)state;
  static const int rows[][6] = {{0, -1}, {0, -1}, {0, -1}, {0, -1}, {0, -1}, {1, -1}, {1, -1}, {1, -1}, {2, -1}};
  pc_tab_ballots_t ballots;
  make_ballots(&ballots, rows, sizeof rows / sizeof rows[0]);
  pc_tab_config_t config = small_config(2, PC_WM_MULTI_MANY_PER_ROUND);
  config.hare_quota = true;
  config.non_integer_threshold = false;
  bool excluded[4] = {false, false, false, false};
  pc_java_random_t random;
  pc_java_random_init(&random, 1);
  pc_tab_result_t result;
  pc_error_t err;
  assert_int_equal(pc_tab_count(&config, &ballots, excluded, 2, &random, NULL, &result, &err), 0);
  /* 9 / 2 = 4.5, rounded up to a whole vote: 5; A (5) wins in round 1 with no surplus */
  assert_true(result.rounds[0].threshold == 5 * pc_dec_pow10(4));
  assert_int_equal(result.rounds[0].elected_count, 1);
  assert_int_equal(result.rounds[0].elected[0], 0);
  /* Droop for comparison: floor(9 / 3) + 1 = 4 */
  pc_tab_result_free(&result);
  config.hare_quota = false;
  pc_java_random_init(&random, 1);
  assert_int_equal(pc_tab_count(&config, &ballots, excluded, 2, &random, NULL, &result, &err), 0);
  assert_true(result.rounds[0].threshold == 4 * pc_dec_pow10(4));
  pc_tab_result_free(&result);
  pc_tab_ballots_free(&ballots);
}

/* The same count on one thread, split among workers, and with the piles'
 * wide 32-bit marks (a maxRankingsAllowed above 255) must agree in every
 * figure, with and without exhaustOnDuplicateCandidate, single and multi-winner. */
static void parallel_rounds_match_single_thread(void **state) {
  (void)state;
  enum { BALLOTS = 20000, CANDIDATES = 8 };
  static pc_tab_candidate_t candidates[CANDIDATES] = {{"A", NULL, 0, false}, {"B", NULL, 0, false},
                                                      {"C", NULL, 0, false}, {"D", NULL, 0, false},
                                                      {"E", NULL, 0, false}, {"F", NULL, 0, false},
                                                      {"G", NULL, 0, false}, {"H", NULL, 0, false}};
  pc_tab_ballots_t ballots;
  memset(&ballots, 0, sizeof ballots);
  ballots.ballots = pc_xcalloc(BALLOTS, sizeof *ballots.ballots);
  ballots.marks = pc_xcalloc(BALLOTS * 5, sizeof *ballots.marks);
  ballots.per_source = pc_xcalloc(1, sizeof *ballots.per_source);
  uint32_t seed = 12345;
  for (size_t i = 0; i < BALLOTS; i++) {
    pc_tab_ballot_t *ballot = &ballots.ballots[ballots.count++];
    ballot->mark_offset = (uint32_t)ballots.mark_count;
    ballot->precinct = ballot->batch = -1;
    seed = seed * 1103515245u + 12345u;
    int length = (int)((seed >> 16) % 6);
    for (int k = 0; k < length; k++) {
      seed = seed * 1103515245u + 12345u;
      ballots.marks[ballots.mark_count].rank = (uint16_t)(k + 1 + ((seed >> 20) % 7 == 0));
      ballots.marks[ballots.mark_count++].candidate = (int32_t)((seed >> 16) % CANDIDATES);
      ballot->mark_count++;
    }
  }
  ballots.per_source[0] = BALLOTS;
  for (int variant = 0; variant < 4; variant++) {
    int winners = variant & 1 ? 3 : 1;
    pc_tab_config_t config = small_config(winners, winners > 1 ? PC_WM_MULTI_MANY_PER_ROUND : PC_WM_SINGLE);
    config.candidates = candidates;
    config.candidate_count = CANDIDATES;
    config.max_rankings = 7;
    config.exhaust_on_duplicate = (variant & 2) != 0;
    bool excluded[CANDIDATES + 1] = {false};
    pc_tab_result_t one_thread, other[2];
    pc_error_t err;
    pc_java_random_t random;
    config.count_threads = 1;
    pc_java_random_init(&random, 3);
    assert_int_equal(pc_tab_count(&config, &ballots, excluded, winners, &random, NULL, &one_thread, &err), 0);
    config.count_threads = 3;
    config.parallel_min_ballots = 500;
    pc_java_random_init(&random, 3);
    assert_int_equal(pc_tab_count(&config, &ballots, excluded, winners, &random, NULL, &other[0], &err), 0);
    config.count_threads = 1;
    config.max_rankings = 300;
    pc_java_random_init(&random, 3);
    assert_int_equal(pc_tab_count(&config, &ballots, excluded, winners, &random, NULL, &other[1], &err), 0);
    assert_true(one_thread.round_count > 3);
    size_t slots = one_thread.candidate_slots;
    for (int o = 0; o < 2; o++) {
      pc_tab_result_t *split = &other[o];
      assert_int_equal(one_thread.round_count, split->round_count);
      for (size_t r = 0; r < one_thread.round_count; r++) {
        assert_memory_equal(one_thread.rounds[r].tally, split->rounds[r].tally, slots * sizeof(pc_dec_t));
        assert_memory_equal(one_thread.rounds[r].inactive, split->rounds[r].inactive,
                            sizeof split->rounds[r].inactive);
        assert_memory_equal(one_thread.rounds[r].transfers, split->rounds[r].transfers,
                            (slots + 1) * (slots + 2) * sizeof(pc_dec_t));
      }
      assert_int_equal(one_thread.winner_count, split->winner_count);
      assert_memory_equal(one_thread.winners, split->winners, split->winner_count * sizeof *split->winners);
      pc_tab_result_free(split);
    }
    pc_tab_result_free(&one_thread);
  }
  pc_tab_ballots_free(&ballots);
}

static const char cdf_json[] =
    "{\"Election\":[{\"@id\":\"e\",\"Candidate\":[{\"@id\":\"c1\",\"Name\":\"Ann\"},{\"@id\":\"c2\",\"Name\":\"Bo\"},"
    "{\"@id\":\"c3\",\"Name\":\"Cy\"}],\"Contest\":[{\"@id\":\"k\",\"Name\":\"Council\",\"ContestSelection\":["
    "{\"@id\":\"s1\",\"CandidateIds\":[\"c1\"]},{\"@id\":\"s2\",\"CandidateIds\":[\"c2\"]},"
    "{\"@id\":\"s3\",\"CandidateIds\":[\"c3\"]}]}]}],\"GpUnit\":[],\"CVR\":["
    "%s]}";
static const char cdf_ballot[] =
    "{\"CurrentSnapshotId\":\"x\",\"CVRSnapshot\":[{\"@id\":\"x\",\"CVRContest\":[{\"ContestId\":\"k\","
    "\"CVRContestSelection\":[%s]}]}]}";
static const char cdf_mark[] =
    "{\"ContestSelectionId\":\"%s\",\"SelectionPosition\":[{\"HasIndication\":\"%s\",\"Rank\":1}]}";

static void write_cdf(const char *path, const char *const ballots[][3], size_t count) {
  pc_buf_t cvrs;
  pc_buf_init(&cvrs, 0);
  for (size_t i = 0; i < count; i++) {
    pc_buf_t marks;
    pc_buf_init(&marks, 0);
    for (int k = 0; k < 3 && ballots[i][k]; k++) {
      const char *selection = ballots[i][k];
      const char *indication = selection[0] == '!' ? "no" : "yes";
      if (selection[0] == '!') selection++;
      if (k) pc_buf_append_char(&marks, ',');
      pc_buf_appendf(&marks, cdf_mark, selection, indication);
    }
    if (i) pc_buf_append_char(&cvrs, ',');
    pc_buf_appendf(&cvrs, cdf_ballot, pc_buf_str(&marks));
    pc_buf_free(&marks);
  }
  pc_buf_t text;
  pc_buf_init(&text, 0);
  pc_buf_appendf(&text, cdf_json, pc_buf_str(&cvrs));
  assert_int_equal(pc_file_write_durable(path, text.data, text.len, 0644, 0, NULL), 0);
  pc_buf_free(&text);
  pc_buf_free(&cvrs);
}

static void plurality_and_approval_count_cdf(void **state) {
  (void)state;
  char dir[256], path[512];
  pc_test_tempdir(dir, sizeof dir);
  pc_snprintf(path, sizeof path, "%s/cvr.json", dir);
  static const char *const ballots[][3] = {{"s1", NULL, NULL}, {"s1", "s2", NULL}, {"s2", "s3", "s1"},
                                           {"!s3", NULL, NULL}, {"s3", "s3", NULL}, {"s2", NULL, NULL}};
  write_cdf(path, ballots, 6);
  pc_cvr_source_t source;
  memset(&source, 0, sizeof source);
  source.provider = PC_CVR_CDF;
  source.path = path;
  source.contest_id = "Council";
  const char *const names[] = {"Ann", "Bo", "Cy"};
  uint64_t counts[3];
  pc_tabulate_simple_result_t totals;
  pc_error_t err;
  /* vote for 2: the 3-mark ballot is an overvote, the no-indication one an undervote, Cy twice counts once */
  assert_int_equal(pc_tabulate_plurality(&source, 1, names, 3, 2, counts, &totals, &err), 0);
  assert_int_equal(counts[0], 2);
  assert_int_equal(counts[1], 2);
  assert_int_equal(counts[2], 1);
  assert_int_equal(totals.ballots, 6);
  assert_int_equal(totals.overvotes, 1);
  assert_int_equal(totals.undervotes, 1);
  assert_int_equal(pc_tabulate_approval(&source, 1, names, 3, counts, &totals, &err), 0);
  assert_int_equal(counts[0], 3);
  assert_int_equal(counts[1], 3);
  assert_int_equal(counts[2], 2);
  assert_int_equal(totals.overvotes, 0);
  /* a name the contest does not have is refused */
  const char *const short_list[] = {"Ann", "Bo"};
  assert_int_equal(pc_tabulate_approval(&source, 1, short_list, 2, counts, &totals, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "Cy"));
  source.contest_id = "Mayor";
  assert_int_equal(pc_tabulate_approval(&source, 1, names, 3, counts, &totals, &err), PC_EINVAL);
  assert_string_equal(err.field, "contestId");
  pc_test_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(decimal_rounds_down_like_bigdecimal),
      cmocka_unit_test(java_random_matches_the_jvm),
      cmocka_unit_test(config_parses_and_validates),
      cmocka_unit_test(irv_transfers_and_exhausts),
      cmocka_unit_test(stv_surplus_is_fractional),
      cmocka_unit_test(plurality_and_approval_count_cdf),
      cmocka_unit_test(minimum_threshold_and_batch_elimination),
      cmocka_unit_test(hare_quota_rounds_up),
      cmocka_unit_test(parallel_rounds_match_single_thread),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
