/* The round engine: RCTab's Tabulator (Tabulator.java) re-expressed over
 * the ballot arena: thresholds, winners, eliminations, surplus fractions.
 * Ballots are counted incrementally: each candidate keeps a pile of the
 * ballots counting for it (piles.c), and a round only moves the piles of
 * candidates who stopped continuing (eliminated, or elected with a surplus). */
#include "tabulate/engine.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "precinct/alloc.h"

static void round_init(engine_t *e, pc_tab_round_t *round) {
  memset(round, 0, sizeof *round);
  round->tally = pc_xcalloc(e->slots, sizeof *round->tally);
  round->in_tally = pc_xcalloc(e->slots, sizeof *round->in_tally);
  round->transfers = pc_xcalloc((e->slots + 1) * (e->slots + 2), sizeof *round->transfers);
  round->elected = pc_xcalloc(e->slots, sizeof(int32_t));
  round->eliminated = pc_xcalloc(e->slots, sizeof(int32_t));
  round->by_tiebreak = pc_xcalloc(e->slots, sizeof(bool));
}

/* Candidates in the tally sorted by (tally, name) ascending: RCTab's TreeMap
 * of tally to candidates, with ties in a fixed order. */
typedef struct sort_context { const pc_tab_round_t *round; const pc_tiebreak_ctx_t *names; } sort_context_t;

static int by_tally(const void *a, const void *b, void *context) {
  const sort_context_t *c = context;
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  if (c->round->tally[x] != c->round->tally[y]) return c->round->tally[x] < c->round->tally[y] ? -1 : 1;
  return strcmp(c->names->names[x], c->names->names[y]);
}

static size_t sorted_candidates(engine_t *e, pc_tab_round_t *round, int32_t *out) {
  size_t n = 0;
  for (size_t s = 0; s < e->slots; s++)
    if (round->in_tally[s]) out[n++] = (int32_t)s;
  sort_context_t context = {round, &e->tiebreak};
  qsort_r(out, n, sizeof *out, by_tally, &context);
  return n;
}

static void set_threshold(engine_t *e, pc_tab_round_t *round, pc_dec_t active) {
  const pc_tab_config_t *config = e->config;
  pc_dec_t threshold;
  if (config->winner_mode == PC_WM_BOTTOMS_UP_THRESHOLD) {
    /* scale 2D: the product is not rescaled in RCTab */
    threshold = active * config->bottoms_up_percentage;
    round->threshold_scale = 2 * e->scale;
  } else {
    int divisor = config->hare_quota ? e->number_of_winners : e->number_of_winners + 1;
    int decimals = config->non_integer_threshold ? e->scale : 0;
    pc_dec_t unit = pc_dec_pow10(e->scale - decimals); /* one unit of the last kept decimal, at scale D */
    pc_dec_t quotient_units = active / (unit * divisor);
    if (config->hare_quota) {
      if (quotient_units * unit * divisor != active) quotient_units++;
      threshold = quotient_units * unit;
    } else {
      threshold = quotient_units * unit + unit;
    }
    round->threshold_scale = e->scale;
  }
  pc_dec_t minimum = config->minimum_vote_threshold;
  if (round->threshold_scale != e->scale) minimum *= pc_dec_pow10(round->threshold_scale - e->scale);
  if (minimum > 0 && minimum > threshold) threshold = minimum;
  round->threshold = threshold;
}

/* tally compared with the threshold, which may be at scale 2D */
static int compare_threshold(const engine_t *e, const pc_tab_round_t *round, pc_dec_t tally) {
  pc_dec_t scaled = tally * pc_dec_pow10(round->threshold_scale - e->scale);
  return scaled < round->threshold ? -1 : scaled > round->threshold;
}

static bool should_continue(const engine_t *e, int current_round) {
  const pc_tab_config_t *config = e->config;
  if (current_round >= config->stop_after_round) return false;
  bool anyone_continuing = false;
  for (size_t s = 0; s < e->slots; s++) anyone_continuing |= e->status[s] == CS_CONTINUING;
  if (config->continue_until_two) {
    bool eliminated_now = false;
    for (size_t s = 0; s < e->slots; s++) eliminated_now |= e->eliminated_round[s] == current_round;
    return (int)(e->eliminated + e->winners + 1) < e->num_candidates || (current_round > 0 && eliminated_now);
  }
  if (config->winner_mode == PC_WM_BOTTOMS_UP_THRESHOLD) return e->winners == 0;
  bool won_now = false;
  for (size_t s = 0; s < e->slots; s++) won_now |= e->won_round[s] == current_round;
  /* seats to fill and someone to fill them; or one more round to show the
     last winners' surplus leaving the count once every seat is filled */
  return ((int)e->winners < e->number_of_winners && (current_round == 0 || anyone_continuing)) ||
         (e->number_of_winners > 1 && (int)e->winners >= e->number_of_winners && current_round > 0 && won_now &&
          config->winner_mode != PC_WM_BOTTOMS_UP);
}

static int identify_winners(engine_t *e, pc_tab_round_t *round, int current_round, const int32_t *sorted, size_t n,
                            int32_t *winners, size_t *winner_count, pc_error_t *err) {
  const pc_tab_config_t *config = e->config;
  size_t count = 0;
  *winner_count = 0;
  if (round->in_tally[e->uwi] && round->tally[e->uwi] != 0) return 0;
  if (config->winner_mode == PC_WM_BOTTOMS_UP_THRESHOLD) {
    size_t above = 0;
    for (size_t i = 0; i < n; i++) above += compare_threshold(e, round, round->tally[sorted[i]]) > 0;
    if (above == n)
      for (size_t i = 0; i < n; i++) winners[count++] = sorted[i];
    *winner_count = count;
    return 0;
  }
  int unfilled = e->number_of_winners - (int)e->winners;
  pc_dec_t max_votes = n ? round->tally[sorted[n - 1]] : 0;
  if (unfilled > 0) {
    if ((int)n <= unfilled) { /* RCTab 2: fewer candidates than seats all win */
      for (size_t i = 0; i < n; i++) winners[count++] = sorted[i];
    } else if (config->first_round_determines_threshold && (int)n - 1 == e->number_of_winners) {
      for (size_t i = 0; i < n; i++)
        if (round->tally[sorted[i]] == max_votes) winners[count++] = sorted[i];
    } else if (config->winner_mode != PC_WM_BOTTOMS_UP) {
      for (size_t i = 0; i < n; i++)
        if (compare_threshold(e, round, round->tally[sorted[i]]) >= 0 && sorted[i] != e->uwi)
          winners[count++] = sorted[i];
    }
  }
  bool tiebreak_many = count > 1 && (config->winner_mode == PC_WM_MULTI_ONE_PER_ROUND ||
                                      config->first_round_determines_threshold);
  bool tiebreak_none = e->number_of_winners == 1 && count == 0 && n == 2 && unfilled == 1;
  if (tiebreak_none)
    for (size_t i = 0; i < n; i++)
      if (round->tally[sorted[i]] < config->minimum_vote_threshold) tiebreak_none = false;
  if (tiebreak_many || tiebreak_none) {
    count = 0;
    for (size_t i = 0; i < n; i++)
      if (round->tally[sorted[i]] == max_votes) winners[count++] = sorted[i];
    if (count > 1) {
      int32_t chosen;
      int rc = pc_tab_tiebreak(&e->tiebreak, true, winners, count, current_round, &chosen, err);
      if (rc != 0) return rc;
      winners[0] = chosen;
      round->by_tiebreak[chosen] = true;
      count = 1;
    }
  }
  *winner_count = count;
  return 0;
}

static size_t batch_eliminate(engine_t *e, const pc_tab_round_t *round, const int32_t *sorted, size_t n,
                              int32_t *out) {
  /* Tabulator.runBatchElimination over groups of equal tallies */
  size_t eliminations = 0, previous = 0, seen = 0;
  pc_dec_t running_total = 0;
  size_t i = 0;
  while (i < n) {
    pc_dec_t tally = round->tally[sorted[i]];
    size_t end = i;
    while (end < n && round->tally[sorted[end]] == tally) end++;
    size_t before = eliminations;
    if (running_total < tally && seen > eliminations) {
      for (size_t k = eliminations; k < seen; k++) out[k] = sorted[k];
      eliminations = seen;
    }
    running_total += tally * (pc_dec_t)(end - i);
    seen = end;
    if (eliminations > before) previous = before;
    i = end;
  }
  if (e->config->continue_until_two && (int)(eliminations + e->eliminated) == e->num_candidates - 1)
    eliminations = previous;
  return eliminations;
}

static int eliminate(engine_t *e, pc_tab_round_t *round, int current_round, const int32_t *sorted, size_t n,
                     pc_error_t *err) {
  const pc_tab_config_t *config = e->config;
  int32_t *out = round->eliminated;
  size_t count = 0;
  if (round->in_tally[e->uwi] && round->tally[e->uwi] > 0) out[count++] = e->uwi;
  if (count == 0 && config->minimum_vote_threshold > 0 && n > 0 &&
      round->tally[sorted[0]] < config->minimum_vote_threshold) {
    for (size_t i = 0; i < n && round->tally[sorted[i]] < config->minimum_vote_threshold; i++) out[count++] = sorted[i];
    if ((int)count == e->num_declared)
      return pc_error_set(err, PC_EINVAL, "tabulation can't proceed because all declared candidates are below the "
                          "minimum vote threshold");
  }
  if (count == 0 && config->cutoff_elimination && config->winner_mode == PC_WM_BOTTOMS_UP_THRESHOLD) {
    for (size_t i = 0; i < n; i++)
      if (compare_threshold(e, round, round->tally[sorted[i]]) < 0) out[count++] = sorted[i];
  }
  if (count == 0 && config->batch_elimination) {
    size_t batch = batch_eliminate(e, round, sorted, n, out);
    if (batch > 1) count = batch;
  }
  if (count == 0 && n > 0) {
    pc_dec_t min_votes = round->tally[sorted[0]];
    size_t tied = 0;
    while (tied < n && round->tally[sorted[tied]] == min_votes) tied++;
    if (tied > 1) {
      int32_t *candidates = pc_xcalloc(tied, sizeof *candidates);
      memcpy(candidates, sorted, tied * sizeof *candidates);
      int32_t loser;
      int rc = pc_tab_tiebreak(&e->tiebreak, false, candidates, tied, current_round, &loser, err);
      free(candidates);
      if (rc != 0) return rc;
      out[count++] = loser;
      round->by_tiebreak[loser] = true;
    } else {
      out[count++] = sorted[0];
    }
  }
  if (count == 0) return pc_error_set(err, PC_EINTERNAL, "failed to eliminate any candidates");
  round->eliminated_count = count;
  pc_tab_sort_by_name(&e->tiebreak, out, count); /* listed by name, as RCTab's reports list them */
  for (size_t i = 0; i < count; i++) {
    e->status[out[i]] = CS_ELIMINATED;
    e->eliminated_round[out[i]] = current_round;
    e->eliminated++;
  }
  return 0;
}

/* Tabulator.updateWinnerTallies: winners of earlier rounds enter the tally
 * with what they kept; last round's winners give up any residual surplus. */
static void update_winner_tallies(engine_t *e, pc_tab_round_t *round, const pc_tab_round_t *previous, int current_round) {
  for (size_t s = 0; s < e->slots; s++) {
    if (e->status[s] != CS_WINNER || e->won_round[s] == current_round) continue;
    round->in_tally[s] = true;
    if (e->won_round[s] == current_round - 1) {
      pc_dec_t tally = e->allocated[s];
      pc_dec_t residual = tally - round->threshold;
      if (residual > 0) {
        round->residual_surplus += residual;
        tally = round->threshold;
        round->transfers[engine_transfer_index(e, (int32_t)s, (int32_t)e->slots + 1)] += residual;
      }
      round->tally[s] = tally;
    } else {
      round->tally[s] = previous->tally[s];
    }
  }
}

/* A precinct's or batch's round, part 1 (after the ballots moved): its own
 * ballots' tallies for the continuing candidates. */
static void fill_unit_tallies(engine_t *e, size_t u) {
  pc_tab_round_t *round = e->unit_round[u];
  pc_dec_t active = 0;
  for (size_t s = 0; s < e->slots; s++) {
    if (!engine_continuing(e, (int32_t)s)) continue;
    round->in_tally[s] = true;
    round->tally[s] = e->unit_running[u * e->slots + s];
    active += round->tally[s];
  }
  memcpy(round->inactive, e->unit_inactive + u * PC_ST_COUNT, sizeof round->inactive);
  round->inactive[PC_ST_ACTIVE] = active;
}

/* Part 2 (end of the round): the overall decisions and earlier winners. */
static void fill_unit_decisions(engine_t *e, size_t u, int current_round) {
  const pc_tab_round_t *overall = &e->result->rounds[current_round - 1];
  pc_tab_round_t *round = e->unit_round[u];
  pc_tab_unit_result_t *unit = &e->result->units[u];
  for (size_t s = 0; s < e->slots; s++) {
    if (!overall->in_tally[s] || round->in_tally[s]) continue;
    round->in_tally[s] = true;
    round->tally[s] = e->won_round[s] == current_round - 1 ? e->unit_allocated[u * e->slots + s]
                                                           : unit->rounds[current_round - 2].tally[s];
  }
  round->threshold = overall->threshold;
  round->threshold_scale = overall->threshold_scale;
  memcpy(round->elected, overall->elected, overall->elected_count * sizeof *round->elected);
  round->elected_count = overall->elected_count;
  memcpy(round->eliminated, overall->eliminated, overall->eliminated_count * sizeof *round->eliminated);
  round->eliminated_count = overall->eliminated_count;
  memcpy(round->by_tiebreak, overall->by_tiebreak, e->slots * sizeof *round->by_tiebreak);
}

static int run(engine_t *e, pc_error_t *err) {
  const pc_tab_config_t *config = e->config;
  pc_tab_result_t *result = e->result;
  size_t ballot_count = e->ballots->count;
  int32_t *sorted = pc_xcalloc(e->slots, sizeof *sorted);
  int32_t *winners = pc_xcalloc(e->slots, sizeof *winners);
  size_t capacity = 0;
  int current_round = 0;
  int rc = 0;
  while (rc == 0 && should_continue(e, current_round)) {
    current_round++;
    if ((size_t)current_round > capacity) {
      capacity = capacity ? capacity * 2 : 16;
      result->rounds = pc_xreallocarray(result->rounds, capacity, sizeof *result->rounds);
      e->round_tallies = pc_xreallocarray((void *)e->round_tallies, capacity, sizeof *e->round_tallies);
      if (config->generate_cdf_json) {
        size_t old_capacity = (size_t)current_round - 1;
        result->snapshot_recipient =
            pc_xreallocarray(result->snapshot_recipient, capacity, sizeof *result->snapshot_recipient);
        result->snapshot_value = pc_xreallocarray(result->snapshot_value, capacity, sizeof *result->snapshot_value);
        for (size_t r = old_capacity; r < capacity; r++) {
          result->snapshot_recipient[r] = NULL;
          result->snapshot_value[r] = NULL;
        }
      }
    }
    pc_tab_round_t *round = &result->rounds[current_round - 1];
    round_init(e, round);
    for (size_t u = 0; u < e->unit_count; u++) {
      pc_tab_unit_result_t *unit = &result->units[u];
      unit->rounds = pc_xreallocarray(unit->rounds, capacity, sizeof *unit->rounds);
      round_init(e, &unit->rounds[current_round - 1]);
      e->unit_round[u] = &unit->rounds[current_round - 1];
    }
    result->round_count = (size_t)current_round;
    e->round_tallies[current_round - 1] = round->tally;
    e->tiebreak.round_tallies = e->round_tallies;
    round->residual_surplus = current_round == 1 ? 0 : result->rounds[current_round - 2].residual_surplus;

    bool final_surplus_round = e->number_of_winners > 1 && (int)e->winners >= e->number_of_winners;
    /* the ballots to (re)assign this round: all of them in round 1, then
       those of candidates who stopped continuing */
    pile_t *moving = NULL;
    int32_t *moving_from = NULL;
    size_t moving_count = 0;
    if (current_round > 1) {
      moving = pc_xcalloc(e->slots, sizeof *moving);
      moving_from = pc_xcalloc(e->slots, sizeof *moving_from);
      for (size_t s = 0; s < e->slots; s++) {
        if (engine_continuing(e, (int32_t)s) || e->piles[s].records == 0) continue;
        pile_t pile = e->piles[s];
        memset(&e->piles[s], 0, sizeof e->piles[s]);
        e->running[s] = 0;
        if (final_surplus_round && e->status[s] == CS_WINNER) {
          /* every seat is filled: the surplus leaves the count instead of
             moving to a continuing candidate (RCTab 2 final round surplus) */
          PILE_EACH(rec, &pile, e) {
            pc_dec_t value = (pc_dec_t)pile_value(e, rec);
            size_t cell = engine_transfer_index(e, (int32_t)s, (int32_t)e->slots);
            if (value > 0) round->transfers[cell] += value;
            round->final_round_surplus += value;
            round->final_round_surplus_moved = true;
            int32_t units[2];
            pc_tab_engine_units(e, rec[0], units);
            for (int q = 0; q < 2; q++) {
              if (units[q] < 0) continue;
              pc_tab_round_t *unit_round = e->unit_round[units[q]];
              if (value > 0) unit_round->transfers[cell] += value;
              unit_round->final_round_surplus += value;
              e->unit_running[(size_t)units[q] * e->slots + s] -= value;
            }
          }
          pc_tab_engine_recycle(e, &pile);
        } else {
          moving_from[moving_count] = (int32_t)s;
          moving[moving_count++] = pile;
        }
      }
    }
    rc = pc_tab_engine_move(e, round, moving, moving_from, moving_count, err);
    for (size_t p = 0; p < moving_count; p++) pc_tab_engine_recycle(e, &moving[p]);
    free(moving);
    free(moving_from);
    if (rc != 0) break;
    pc_dec_t active = 0;
    for (size_t s = 0; s < e->slots; s++)
      if (engine_continuing(e, (int32_t)s)) {
        round->in_tally[s] = true;
        round->tally[s] = e->running[s];
        active += e->running[s];
      }
    memcpy(round->inactive, e->inactive, sizeof round->inactive);
    round->inactive[PC_ST_ACTIVE] = active;
    for (size_t u = 0; u < e->unit_count; u++) fill_unit_tallies(e, u);
    if (config->generate_cdf_json) {
      int32_t *recipients = pc_xmalloc((ballot_count ? ballot_count : 1) * sizeof *recipients);
      int64_t *values = pc_xmalloc((ballot_count ? ballot_count : 1) * sizeof *values);
      for (size_t b = 0; b < ballot_count; b++) {
        recipients[b] = -1;
        values[b] = 0;
      }
      for (size_t s = 0; s < e->slots; s++)
        PILE_EACH(rec, &e->piles[s], e) {
          recipients[rec[0]] = (int32_t)s;
          values[rec[0]] = pile_value(e, rec);
        }
      result->snapshot_recipient[current_round - 1] = recipients;
      result->snapshot_value[current_round - 1] = values;
    }

    /* single-winner: the threshold follows the active ballots until someone
       wins; continuing past the winner (until two remain) freezes it */
    bool recompute = e->number_of_winners > 1 ? current_round == 1
                                              : (current_round == 1 || (!config->first_round_determines_threshold &&
                                                                        e->winners == 0));
    if (recompute) set_threshold(e, round, active);
    else {
      round->threshold = result->rounds[current_round - 2].threshold;
      round->threshold_scale = result->rounds[current_round - 2].threshold_scale;
    }
    size_t n = sorted_candidates(e, round, sorted);
    size_t winner_count = 0;
    rc = identify_winners(e, round, current_round, sorted, n, winners, &winner_count, err);
    if (rc != 0) break;
    if (winner_count > 0) {
      /* several winners of one round are listed by name, as RCTab's reports list them */
      pc_tab_sort_by_name(&e->tiebreak, winners, winner_count);
      for (size_t w = 0; w < winner_count; w++) {
        int32_t winner = winners[w];
        e->status[winner] = CS_WINNER;
        e->won_round[winner] = current_round;
        e->winners++;
        round->elected[round->elected_count++] = winner;
        result->winners = pc_xreallocarray(result->winners, result->winner_count + 1, sizeof *result->winners);
        result->winners[result->winner_count++] = winner;
      }
      if (e->number_of_winners > 1 && config->winner_mode != PC_WM_BOTTOMS_UP) {
        for (size_t w = 0; w < winner_count; w++) {
          int32_t winner = winners[w];
          pc_dec_t votes = round->tally[winner];
          pc_dec_t extra = votes - round->threshold;
          pc_dec_t fraction = extra > 0 ? pc_dec_divide_down(extra, votes, e->scale) : 0;
          pc_dec_t kept = 0, remaining = 0;
          PILE_EACH(rec, &e->piles[winner], e) {
            uint32_t b = rec[0];
            pc_dec_t value = (pc_dec_t)pile_value(e, rec);
            pc_dec_t transfer = pc_dec_multiply_down(value, fraction, e->scale);
            pc_dec_t kept_here = value - transfer;
            kept += kept_here;
            if (config->generate_cdf_json) {
              result->allocations = pc_xreallocarray(result->allocations, result->allocation_count + 1,
                                                     sizeof *result->allocations);
              pc_tab_allocation_t allocation = {b, winner, current_round, (int64_t)kept_here};
              result->allocations[result->allocation_count++] = allocation;
            }
            pile_set_value(rec, (int64_t)transfer);
            int32_t units[2];
            pc_tab_engine_units(e, b, units);
            for (int q = 0; q < 2; q++) {
              if (units[q] < 0) continue;
              size_t at = (size_t)units[q] * e->slots + (size_t)winner;
              e->unit_allocated[at] += kept_here;
              e->unit_running[at] -= kept_here;
            }
            remaining += transfer;
          }
          e->allocated[winner] += kept;
          e->running[winner] = remaining;
        }
      }
    } else if ((int)e->winners < e->number_of_winners ||
               (config->continue_until_two && (int)e->eliminated < e->num_candidates - 2) ||
               config->winner_mode == PC_WM_BOTTOMS_UP_THRESHOLD) {
      rc = eliminate(e, round, current_round, sorted, n, err);
      if (rc != 0) break;
    }
    if (e->number_of_winners > 1 && current_round > 1)
      update_winner_tallies(e, round, &result->rounds[current_round - 2], current_round);
    for (size_t u = 0; u < e->unit_count; u++) fill_unit_decisions(e, u, current_round);
  }
  /* RCTab 2 states the final round surplus in the last round of every multi-winner count */
  if (rc == 0 && e->number_of_winners > 1 && result->round_count > 0) {
    result->rounds[result->round_count - 1].is_final_surplus_round = true;
    for (size_t u = 0; u < e->unit_count; u++) result->units[u].rounds[result->round_count - 1].is_final_surplus_round = true;
  }
  free(sorted);
  free(winners);
  return rc;
}

int pc_tab_count(const pc_tab_config_t *config, const pc_tab_ballots_t *ballots, const bool *excluded,
                 int number_of_winners, pc_java_random_t *random, pc_tab_tiebreak_input_t *ask,
                 pc_tab_result_t *out, pc_error_t *err) {
  /* a pile record holds candidate + 2 in 16 bits and the ballot index in 32 */
  if (config->candidate_count + 2 > PILE_MAX_KEY)
    return pc_error_set(err, PC_EINVAL, "%zu candidates: at most %u can be counted", config->candidate_count,
                        PILE_MAX_KEY - 2);
  if (ballots->count > UINT32_MAX)
    return pc_error_set(err, PC_EINVAL, "%zu ballots: at most %u can be counted", ballots->count, UINT32_MAX);
  engine_t e;
  memset(&e, 0, sizeof e);
  pc_tab_result_t result;
  memset(&result, 0, sizeof result);
  e.config = config;
  e.ballots = ballots;
  e.slots = config->candidate_count + 1;
  e.uwi = (int32_t)config->candidate_count;
  e.number_of_winners = number_of_winners;
  e.scale = config->decimal_places;
  e.one = pc_dec_pow10(e.scale);
  e.result = &result;
  e.random = random;
  e.status = pc_xcalloc(e.slots, 1);
  e.cont = pc_xcalloc(e.slots + 2, 1);
  e.won_round = pc_xcalloc(e.slots, sizeof(int));
  e.eliminated_round = pc_xcalloc(e.slots, sizeof(int));
  e.piles = pc_xcalloc(e.slots, sizeof *e.piles);
  /* values change only through surplus transfers; marks fit 16 bits when
     every rank (at most maxRankingsAllowed) and candidate + 2 are below 256 */
  e.pile_head = number_of_winners > 1 ? 5 : 3;
  e.pile_narrow = e.slots + 2 <= 256 && config->max_rankings <= 255;
  pthread_mutex_init(&e.spare_lock, NULL);
  e.running = pc_xcalloc(e.slots, sizeof *e.running);
  e.allocated = pc_xcalloc(e.slots, sizeof *e.allocated);
  size_t ballot_count = ballots->count;
  e.threads = config->count_threads;
  if (e.threads <= 0) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    e.threads = cores > 0 ? (int)(cores < 8 ? cores : 8) : 1;
  }
  bool uwi_used = config->uwi_declared;
  for (size_t b = 0; b < ballot_count; b++) {
    result.undervotes += ballots->ballots[b].mark_count == 0;
  }
  uwi_used |= ballots->has_uwi;
  const char **names = pc_xcalloc(e.slots, sizeof *names);
  for (size_t s = 0; s < e.slots; s++) {
    names[s] = pc_tab_candidate_name(config, (int32_t)s);
    if ((int32_t)s == e.uwi) e.status[s] = uwi_used ? CS_CONTINUING : CS_ABSENT;
    else if (excluded[s]) e.status[s] = CS_EXCLUDED;
    else {
      e.num_declared++;
    }
  }
  e.num_candidates = e.num_declared + (uwi_used ? 1 : 0);
  /* tie-break permutation: candidates in config order (sorted then shuffled when generated) */
  e.permutation = pc_xcalloc(e.slots, sizeof *e.permutation);
  size_t permutation_count = 0;
  for (size_t s = 0; s < config->candidate_count; s++) e.permutation[permutation_count++] = (int32_t)s;
  e.tiebreak.mode = config->tiebreak_mode;
  e.tiebreak.names = names;
  e.tiebreak.random = random;
  e.tiebreak.permutation = e.permutation;
  e.tiebreak.permutation_count = permutation_count;
  e.tiebreak.ask = ask;
  if (config->tiebreak_mode == PC_TB_GENERATE_PERMUTATION) {
    pc_tab_sort_by_name(&e.tiebreak, e.permutation, permutation_count);
    pc_java_shuffle(random, e.permutation, (int32_t)permutation_count);
  }
  result.candidate_slots = e.slots;
  result.number_of_winners = number_of_winners;
  result.multi_winner = number_of_winners > 1;
  /* reported like RCTab: every candidate of the config, excluded or not, and the write-ins */
  result.num_candidates = (int)config->candidate_count + (uwi_used ? 1 : 0);
  result.num_candidates_counted = e.num_candidates;
  result.total_ballots = ballot_count;

  size_t precincts = config->tabulate_by_precinct ? ballots->precinct_count : 0;
  size_t batches = config->tabulate_by_batch ? ballots->batch_count : 0;
  e.unit_count = precincts + batches;
  if (e.unit_count) {
    result.units = pc_xcalloc(e.unit_count, sizeof *result.units);
    result.unit_count = e.unit_count;
    for (size_t u = 0; u < e.unit_count; u++) {
      result.units[u].is_batch = u >= precincts;
      result.units[u].name = u < precincts ? ballots->precincts[u] : ballots->batches[u - precincts];
    }
    for (size_t b = 0; b < ballot_count; b++) {
      int32_t units[2];
      pc_tab_engine_units(&e, (uint32_t)b, units);
      for (int q = 0; q < 2; q++)
        if (units[q] >= 0) {
          result.units[units[q]].ballots++;
          result.units[units[q]].undervotes += ballots->ballots[b].mark_count == 0;
        }
    }
    e.unit_running = pc_xcalloc(e.unit_count * e.slots, sizeof *e.unit_running);
    e.unit_allocated = pc_xcalloc(e.unit_count * e.slots, sizeof *e.unit_allocated);
    e.unit_inactive = pc_xcalloc(e.unit_count * PC_ST_COUNT, sizeof *e.unit_inactive);
    e.unit_round = pc_xcalloc(e.unit_count, sizeof *e.unit_round);
  }
  int rc = run(&e, err);
  free(e.unit_running);
  free(e.unit_allocated);
  free(e.unit_inactive);
  free(e.unit_round);
  for (size_t s = 0; s < e.slots; s++) pc_tab_engine_recycle(&e, &e.piles[s]);
  free(e.piles);
  pc_tab_engine_free_spare(&e);
  pthread_mutex_destroy(&e.spare_lock);
  free(e.status);
  free(e.cont);
  free(e.won_round);
  free(e.eliminated_round);
  free(e.running);
  free(e.allocated);
  free(names);
  free(e.permutation);
  free((void *)e.round_tallies);
  if (rc != 0) {
    pc_tab_result_free(&result);
    return rc;
  }
  *out = result;
  return 0;
}
