/* Writes summary.csv with the content of RCTab's detailed CSV report
 * (ResultsWriter.generateSummarySpreadsheet): contest information and
 * summary, then per round each candidate's votes, % of vote and transfer,
 * active and inactive ballots, threshold, residual and final round surplus;
 * precinct/batch ("slice") reports as RCTab writes them. Candidates are in
 * RCTab's order (round-1 votes, ties in java.util.HashMap order). precinct
 * adds one "Ballots Read" line per CVR source. */
#include "tabulate/internal.h"

#include <stdlib.h>
#include <string.h>

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/fileio.h"
#include "tabulate/tiebreak.h"

static void cell(pc_buf_t *b, const char *text) {
  bool quote = strpbrk(text, ",\"\n\r") != NULL;
  pc_buf_append_char(b, ',');
  if (!quote) {
    pc_buf_append_str(b, text);
    return;
  }
  pc_buf_append_char(b, '"');
  for (const char *p = text; *p; p++) {
    if (*p == '"') pc_buf_append_char(b, '"');
    pc_buf_append_char(b, *p);
  }
  pc_buf_append_char(b, '"');
}

void pc_tab_csv_cell(pc_buf_t *b, const char *text, bool first) {
  if (!first) {
    cell(b, text);
    return;
  }
  /* the row's first cell: the same quoting, without the comma */
  size_t before = b->len;
  cell(b, text);
  memmove(b->data + before, b->data + before + 1, b->len - before - 1);
  b->len--;
  b->data[b->len] = '\0';
}

static void first_cell(pc_buf_t *b, const char *text) { pc_tab_csv_cell(b, text, true); }

static void row(pc_buf_t *b, const char *label, const char *value) {
  first_cell(b, label);
  if (value) cell(b, value);
  pc_buf_append_str(b, "\n");
}

static void dec_cell(pc_buf_t *b, pc_dec_t value, int scale) {
  char text[80];
  pc_dec_format(value, scale, text, sizeof text);
  cell(b, text);
}

/* RCTab: votes.divide(divisor, DECIMAL32) (7 significant digits, half even),
 * scaled by 10^4, intValue(), / 100.0 printed as a Java double. */
static void percent_cell(pc_buf_t *b, pc_dec_t votes, pc_dec_t divisor) {
  if (divisor == 0) {
    cell(b, "");
    return;
  }
  if (votes == 0) {
    cell(b, "0.0%");
    return;
  }
  /* smallest k with votes*10^k/divisor >= 10^6: 7 significant digits */
  int k = 0;
  while (votes * pc_dec_pow10(k) / divisor < 1000000) k++;
  pc_dec_t scaled = votes * pc_dec_pow10(k);
  pc_dec_t digits = scaled / divisor, remainder = scaled % divisor;
  if (remainder * 2 > divisor || (remainder * 2 == divisor && (digits & 1))) digits++;
  /* value = digits * 10^-k; hundredths of a percent = value * 10^4, truncated */
  long long hundredths = k >= 4 ? (long long)(digits / pc_dec_pow10(k - 4)) : (long long)(digits * pc_dec_pow10(4 - k));
  char text[64];
  long long whole = hundredths / 100, fraction = hundredths % 100;
  if (fraction == 0) pc_snprintf(text, sizeof text, "%lld.0%%", whole);
  else if (fraction % 10 == 0) pc_snprintf(text, sizeof text, "%lld.%lld%%", whole, fraction / 10);
  else pc_snprintf(text, sizeof text, "%lld.%02lld%%", whole, fraction);
  cell(b, text);
}

/* RCTab's "Active Ballots": the ballots neither inactive nor residual
 * surplus (the final round surplus still counts as active) */
static pc_dec_t round_active(const pc_tab_result_t *result, size_t r, int scale) {
  const pc_tab_round_t *round = &result->rounds[r];
  pc_dec_t inactive = 0;
  for (int st = PC_ST_UNDERVOTE; st < PC_ST_COUNT; st++) inactive += round->inactive[st];
  return (pc_dec_t)result->total_ballots * pc_dec_pow10(scale) - inactive - round->residual_surplus;
}

typedef struct order_context { const pc_dec_t *tally; int32_t uwi; } order_context_t;

static int by_first_round(const void *a, const void *b, void *context) {
  const order_context_t *c = context;
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  if ((x == c->uwi) != (y == c->uwi)) return x == c->uwi ? 1 : -1;
  if (c->tally[x] != c->tally[y]) return c->tally[x] > c->tally[y] ? -1 : 1;
  return 0;
}

/* RCTab's candidate order: round 1's tally map iterated (HashMap order),
 * stably sorted by votes, undeclared write-ins last */
static size_t candidate_order(const pc_tab_config_t *config, const pc_tab_result_t *result, int32_t *order) {
  const pc_tab_round_t *first = result->overall_rounds ? &result->overall_rounds[0] : &result->rounds[0];
  size_t slots = result->candidate_slots, n = 0;
  for (size_t s = 0; s < slots; s++)
    if (first->in_tally[s]) order[n++] = (int32_t)s;
  size_t capacity = 16;
  while ((double)n > (double)capacity * 0.75) capacity *= 2;
  const char **names = pc_xcalloc(slots, sizeof *names);
  for (size_t s = 0; s < slots; s++) names[s] = pc_tab_candidate_name(config, (int32_t)s);
  pc_tab_java_hash_order(names, order, n, capacity);
  free(names);
  /* stable: insertion sort */
  order_context_t context = {first->tally, (int32_t)(slots - 1)};
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && by_first_round(&order[j], &order[j - 1], &context) < 0; j--) {
      int32_t t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  return n;
}

static void action_row(pc_buf_t *b, const pc_tab_config_t *config, const pc_tab_result_t *result, bool elected,
                       bool slice, bool *any_tie) {
  first_cell(b, elected ? (slice ? "Elected\xe2\x80\xa0" : "Elected") : (slice ? "Eliminated\xe2\x80\xa0" : "Eliminated"));
  for (size_t r = 0; r < result->round_count; r++) {
    const pc_tab_round_t *round = &result->rounds[r];
    const int32_t *list = elected ? round->elected : round->eliminated;
    size_t count = elected ? round->elected_count : round->eliminated_count;
    pc_buf_t names;
    pc_buf_init(&names, 0);
    for (size_t i = 0; i < count; i++) {
      pc_buf_appendf(&names, "%s%s%s", i ? "; " : "", pc_tab_candidate_name(config, list[i]),
                     round->by_tiebreak[list[i]] ? "*" : "");
      *any_tie |= round->by_tiebreak[list[i]];
    }
    cell(b, pc_buf_str(&names));
    cell(b, "");
    cell(b, "");
    pc_buf_free(&names);
  }
  pc_buf_append_str(b, "\n");
}

static pc_dec_t inactive_of(const pc_tab_round_t *round, int status) {
  if (status >= 0) return round->inactive[status];
  return round->inactive[PC_ST_OVERVOTE] + round->inactive[PC_ST_SKIPPED] + round->inactive[PC_ST_EXHAUSTED] +
         round->inactive[PC_ST_REPEATED];
}

int pc_tab_write_summary_csv(const char *path, const pc_tab_config_t *config, const pc_tab_ballots_t *ballots,
                             const pc_tab_result_t *result, pc_error_t *err) {
  int scale = config->decimal_places;
  size_t rounds = result->round_count, slots = result->candidate_slots;
  bool slice = result->unit_name != NULL;
  bool single = config->number_of_winners == 1; /* the contest's seats: a multi-pass contest is multi-winner */
  pc_buf_t b;
  pc_buf_init(&b, (size_t)1 << 30);
  char text[128];
  row(&b, "Contest Information", NULL);
  row(&b, "Generated By", "precinct (RCTab 2.0.0 compatible)");
  row(&b, "CSV Format Version", "1");
  row(&b, "Type of Election", single ? "Single-Winner" : "Multi-Winner");
  row(&b, "Contest", config->contest_name ? config->contest_name : "");
  row(&b, "Jurisdiction", config->contest_jurisdiction ? config->contest_jurisdiction : "");
  row(&b, "Office", config->contest_office ? config->contest_office : "");
  row(&b, "Date", config->contest_date ? config->contest_date : "");
  pc_buf_t winners;
  pc_buf_init(&winners, 0);
  for (size_t w = 0; w < result->winner_count; w++)
    pc_buf_appendf(&winners, "%s%s", w ? ", " : "", pc_tab_candidate_name(config, result->winners[w]));
  row(&b, "Winner(s)", pc_buf_str(&winners));
  pc_buf_free(&winners);
  const pc_tab_round_t *last = rounds ? &result->rounds[rounds - 1] : NULL;
  if (slice) {
    row(&b, result->unit_is_batch ? "Batch" : "Precinct", result->unit_name);
  } else {
    if (last) pc_dec_format(last->threshold, last->threshold_scale, text, sizeof text);
    row(&b, "Final Threshold", last ? text : "");
  }
  pc_buf_append_str(&b, "\nContest Summary\n");
  if (config->winner_mode == PC_WM_BOTTOMS_UP_THRESHOLD) {
    char percentage[80];
    pc_dec_format(config->bottoms_up_percentage * 100, config->decimal_places, percentage, sizeof percentage);
    pc_snprintf(text, sizeof text, "All candidates over the %s%% threshold", percentage);
  } else {
    pc_snprintf(text, sizeof text, "%d", result->number_of_winners); /* per pass in multi-pass IRV */
  }
  row(&b, "Number to be Elected", text);
  pc_snprintf(text, sizeof text, "%d", result->num_candidates_counted);
  row(&b, "Number of Candidates", text);
  pc_snprintf(text, sizeof text, "%llu", (unsigned long long)result->total_ballots);
  row(&b, "Total Number of Ballots", text);
  pc_snprintf(text, sizeof text, "%llu", (unsigned long long)result->undervotes);
  row(&b, "Number of Undervotes (No Rankings)", text);
  for (size_t i = 0; i < config->source_count; i++) {
    pc_snprintf(text, sizeof text, "%llu", (unsigned long long)ballots->per_source[i]);
    first_cell(&b, "Ballots Read");
    cell(&b, config->sources[i].path);
    cell(&b, text);
    pc_buf_append_str(&b, "\n");
  }
  pc_buf_append_str(&b, "\nRounds");
  for (size_t r = 0; r < rounds; r++) {
    pc_snprintf(text, sizeof text, "Round %zu Votes", r + 1);
    cell(&b, text);
    cell(&b, "% of vote");
    cell(&b, "transfer");
  }
  pc_buf_append_str(&b, "\n");
  bool any_tie = false;
  action_row(&b, config, result, false, slice, &any_tie);
  action_row(&b, config, result, true, slice, &any_tie);
  int32_t *order = pc_xcalloc(slots, sizeof *order);
  size_t n = rounds ? candidate_order(config, result, order) : 0;
  for (size_t i = 0; i < n; i++) {
    int32_t s = order[i];
    first_cell(&b, pc_tab_candidate_name(config, s));
    for (size_t r = 0; r < rounds; r++) {
      const pc_tab_round_t *round = &result->rounds[r];
      pc_dec_t votes = round->in_tally[s] ? round->tally[s] : 0;
      dec_cell(&b, votes, scale);
      /* % of the round's active ballots (single winner), else of round 1's */
      bool per_round = !config->first_round_determines_threshold &&
                       (single || config->winner_mode == PC_WM_BOTTOMS_UP_THRESHOLD);
      percent_cell(&b, votes, round_active(result, per_round ? r : 0, scale));
      if (r + 1 < rounds) {
        const pc_tab_round_t *next = &result->rounds[r + 1];
        dec_cell(&b, (next->in_tally[s] ? next->tally[s] : 0) - votes, scale);
      } else {
        cell(&b, "0");
      }
    }
    pc_buf_append_str(&b, "\n");
  }
  free(order);
  first_cell(&b, "Active Ballots");
  for (size_t r = 0; r < rounds; r++) {
    dec_cell(&b, round_active(result, r, scale), scale);
    cell(&b, "");
    cell(&b, "");
  }
  pc_buf_append_str(&b, "\n");
  if (!slice) {
    first_cell(&b, "Current Round Threshold");
    for (size_t r = 0; r < rounds; r++) {
      dec_cell(&b, result->rounds[r].threshold, result->rounds[r].threshold_scale);
      cell(&b, "");
      cell(&b, "");
    }
    pc_buf_append_str(&b, "\n");
  }
  static const struct { const char *label; int status; } inactive_rows[] = {
      {"Inactive Ballots by Overvotes", PC_ST_OVERVOTE},
      {"Inactive Ballots by Skipped Rankings", PC_ST_SKIPPED},
      {"Inactive Ballots by Exhausted Choices", PC_ST_EXHAUSTED},
      {"Inactive Ballots by Repeated Rankings", PC_ST_REPEATED},
      {"Inactive Ballots Total", -1}};
  for (size_t k = 0; k < sizeof inactive_rows / sizeof inactive_rows[0]; k++) {
    first_cell(&b, inactive_rows[k].label);
    for (size_t r = 0; r < rounds; r++) {
      pc_dec_t value = inactive_of(&result->rounds[r], inactive_rows[k].status);
      dec_cell(&b, value, scale);
      cell(&b, "");
      if (r + 1 < rounds) dec_cell(&b, inactive_of(&result->rounds[r + 1], inactive_rows[k].status) - value, scale);
      else cell(&b, "0");
    }
    pc_buf_append_str(&b, "\n");
  }
  if (!slice && last && last->residual_surplus > 0) {
    first_cell(&b, "Residual surplus");
    for (size_t r = 0; r < rounds; r++) {
      dec_cell(&b, result->rounds[r].residual_surplus, scale);
      cell(&b, "");
      cell(&b, "");
    }
    pc_buf_append_str(&b, "\n");
  }
  bool uses_surpluses = result->number_of_winners > 1 && config->winner_mode != PC_WM_BOTTOMS_UP &&
                        config->winner_mode != PC_WM_BOTTOMS_UP_THRESHOLD;
  if (uses_surpluses) {
    first_cell(&b, "Final Round Surplus");
    for (size_t r = 0; r < rounds; r++) {
      /* RCTab leaves a zero out unless it came from moving ballots (BigDecimal 0.0000 is not ZERO) */
      if (result->rounds[r].final_round_surplus != 0 || result->rounds[r].final_round_surplus_moved)
        dec_cell(&b, result->rounds[r].final_round_surplus, scale);
      else cell(&b, "");
      cell(&b, "");
      cell(&b, "");
    }
    pc_buf_append_str(&b, "\n");
  }
  if (slice)
    pc_buf_appendf(&b, "\n\xe2\x80\xa0" "Elect/Eliminate decisions are from the full contest. All other results on this "
                   "report are at the %s level.\n", result->unit_is_batch ? "batch" : "precinct");
  if (any_tie) pc_buf_append_str(&b, "\n*Tie resolved in accordance with election law\n");
  int rc = pc_file_write_durable(path, pc_buf_str(&b), b.len, 0644, 0, err);
  pc_buf_free(&b);
  return rc;
}
