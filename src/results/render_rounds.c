/* The round-by-round files of a publication, for every ranked-choice contest
 * with cast vote records: rounds/cN.json (RCTab's summary.json structure,
 * from the engine that `precinct tabulate` runs, over every county's current
 * CVRs), rounds/cN.config.json (the RCTab configuration used) and
 * rounds/cN.html (a table of every round and a server-rendered SVG chart,
 * one small bar chart per round). Checks round 1 against the first choices. */
#include "rcv.h"
#include "snapshot.h"

#include "precinct/alloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define UWI_NAME "Undeclared Write-ins"

typedef struct candidate_row {
  const char *name;
  int last_round;   /* last round (0-based) with a tally */
  double last_votes;
  int elected_round, eliminated_round; /* -1 when not */
} candidate_row_t;

static const char *tally_text(json_t *round, const char *name) {
  return json_string_value(json_object_get(json_object_get(round, "tally"), name));
}

static double number(const char *text) { return text ? strtod(text, NULL) : 0.0; }

static int compare_rows(const void *a, const void *b) {
  const candidate_row_t *x = a, *y = b;
  if (x->last_round != y->last_round) return x->last_round > y->last_round ? -1 : 1;
  if (x->last_votes != y->last_votes) return x->last_votes > y->last_votes ? -1 : 1;
  return strcmp(x->name, y->name);
}

static double inactive_total(json_t *round) {
  double sum = 0;
  const char *key;
  json_t *value;
  json_object_foreach(json_object_get(round, "inactiveBallots"), key, value) sum += number(json_string_value(value));
  return sum;
}

static void html(pc_buf_t *b, const char *s) { pc_buf_append_html(b, s); }

/* One small horizontal bar chart per round, with the threshold as a line. */
static void chart(pc_buf_t *b, json_t *results, const candidate_row_t *rows, size_t row_count, double scale_max) {
  pc_buf_append_str(b, "<figure class=\"rounds-chart\" aria-labelledby=\"rounds-chart-caption\"><figcaption "
                       "id=\"rounds-chart-caption\">Votes per candidate in each round. Orange: eliminated after that "
                       "round; green: elected; dashed line: votes needed to win. The same numbers are in the table "
                       "below.</figcaption><div class=\"rounds-grid\">");
  const int width = 320, label = 110, bar_max = 150, row_height = 22;
  for (size_t r = 0; r < json_array_size(results); r++) {
    json_t *round = json_array_get(results, r);
    int height = (int)(row_count + 1) * row_height + 28;
    pc_buf_appendf(b, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"round-%zu-title\">"
                      "<title id=\"round-%zu-title\">Round %zu</title>"
                      "<text x=\"0\" y=\"16\" class=\"rounds-h\">Round %zu</text>",
                   width, height, r + 1, r + 1, r + 1, r + 1);
    for (size_t i = 0; i < row_count; i++) {
      const char *votes = tally_text(round, rows[i].name);
      int y = 28 + (int)i * row_height;
      double w = votes && scale_max > 0 ? bar_max * number(votes) / scale_max : 0;
      const char *fill = rows[i].elected_round >= 0 && (size_t)rows[i].elected_round <= r ? "#007a4d"
                         : rows[i].eliminated_round >= 0 && (size_t)rows[i].eliminated_round == r ? "#b35900"
                                                                                               : "#1f4e8c";
      pc_buf_appendf(b, "<text x=\"0\" y=\"%d\" class=\"rounds-l\">", y + 14);
      char short_name[40];
      pc_strlcpy(short_name, rows[i].name, sizeof short_name);
      if (strlen(rows[i].name) >= sizeof short_name) memcpy(short_name + sizeof short_name - 4, "...", 4);
      html(b, short_name);
      pc_buf_append_str(b, "</text>");
      if (votes) {
        pc_buf_appendf(b, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>"
                          "<text x=\"%.1f\" y=\"%d\" class=\"rounds-n\">",
                       label, y + 2, w, fill, label + w + 4, y + 14);
        html(b, votes);
        pc_buf_append_str(b, "</text>");
      } else {
        pc_buf_appendf(b, "<text x=\"%d\" y=\"%d\" class=\"rounds-n\">out</text>", label, y + 14);
      }
    }
    double threshold = number(json_string_value(json_object_get(round, "threshold")));
    if (threshold > 0 && scale_max > 0) {
      double x = label + bar_max * threshold / scale_max;
      pc_buf_appendf(b, "<line x1=\"%.1f\" y1=\"24\" x2=\"%.1f\" y2=\"%d\" stroke=\"#111\" stroke-dasharray=\"4 3\"/>",
                     x, x, 28 + (int)row_count * row_height);
    }
    pc_buf_append_str(b, "</svg>");
  }
  pc_buf_append_str(b, "</div></figure>");
}

static void round_table(pc_buf_t *b, json_t *results, const candidate_row_t *rows, size_t row_count) {
  size_t rounds = json_array_size(results);
  pc_buf_append_str(b, "<h2 id=\"table\">Round-by-round table</h2><div class=\"scroll\" tabindex=\"0\" role=\"region\" "
                       "aria-labelledby=\"table\"><table class=\"rounds\"><thead><tr><th scope=\"col\" rowspan=\"2\">"
                       "Candidate</th>");
  for (size_t r = 0; r < rounds; r++)
    pc_buf_appendf(b, "<th scope=\"colgroup\" colspan=\"3\" class=\"n\">Round %zu</th>", r + 1);
  pc_buf_append_str(b, "</tr><tr>");
  for (size_t r = 0; r < rounds; r++)
    pc_buf_append_str(b, "<th scope=\"col\" class=\"n\">Votes</th><th scope=\"col\" class=\"n\">%</th>"
                         "<th scope=\"col\" class=\"n\">Transfer</th>");
  pc_buf_append_str(b, "</tr></thead><tbody>");
  for (size_t i = 0; i < row_count; i++) {
    pc_buf_append_str(b, "<tr><th scope=\"row\">");
    html(b, rows[i].name);
    if (rows[i].elected_round >= 0) pc_buf_append_str(b, " <strong>(elected)</strong>");
    pc_buf_append_str(b, "</th>");
    for (size_t r = 0; r < rounds; r++) {
      json_t *round = json_array_get(results, r);
      const char *votes = tally_text(round, rows[i].name);
      if (!votes) {
        /* the round after an elimination shows the votes leaving */
        const char *before = r ? tally_text(json_array_get(results, r - 1), rows[i].name) : NULL;
        if (before) {
          pc_buf_append_str(b, "<td class=\"n\">&ndash;</td><td></td><td class=\"n\">&minus;");
          html(b, before);
          pc_buf_append_str(b, "</td>");
        } else {
          pc_buf_append_str(b, "<td class=\"n\" colspan=\"3\">&ndash;</td>");
        }
        continue;
      }
      double continuing = 0;
      const char *key;
      json_t *value;
      json_object_foreach(json_object_get(round, "tally"), key, value) continuing += number(json_string_value(value));
      char percent[32], transfer[64] = "";
      pc_snprintf(percent, sizeof percent, "%.1f%%", continuing > 0 ? 100.0 * number(votes) / continuing : 0.0);
      if (r > 0) {
        double delta = number(votes) - number(tally_text(json_array_get(results, r - 1), rows[i].name));
        pc_snprintf(transfer, sizeof transfer, "%+.0f", delta);
        if (delta != (double)(long long)delta) pc_snprintf(transfer, sizeof transfer, "%+.4f", delta);
      }
      const char *mark = rows[i].eliminated_round == (int)r ? " class=\"n out\"" : " class=\"n\"";
      pc_buf_appendf(b, "<td%s>", mark);
      html(b, votes);
      pc_buf_appendf(b, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>", percent, transfer);
    }
    pc_buf_append_str(b, "</tr>");
  }
  pc_buf_append_str(b, "</tbody><tfoot><tr><th scope=\"row\">Inactive ballots</th>");
  for (size_t r = 0; r < rounds; r++) {
    double inactive = inactive_total(json_array_get(results, r));
    double before = r ? inactive_total(json_array_get(results, r - 1)) : inactive;
    char transfer[64] = "";
    if (r > 0) pc_snprintf(transfer, sizeof transfer, "%+.0f", inactive - before);
    pc_buf_appendf(b, "<td class=\"n\">%.0f</td><td class=\"n\"></td><td class=\"n\">%s</td>", inactive, transfer);
  }
  pc_buf_append_str(b, "</tr><tr><th scope=\"row\">Votes needed to win</th>");
  for (size_t r = 0; r < rounds; r++) {
    pc_buf_append_str(b, "<td class=\"n\">");
    html(b, json_string_value(json_object_get(json_array_get(results, r), "threshold")));
    pc_buf_append_str(b, "</td><td></td><td></td>");
  }
  pc_buf_append_str(b, "</tr></tfoot></table></div><p class=\"meta\">Inactive ballots rank no continuing candidate "
                       "(exhausted) or cannot count (overvotes, skipped or repeated rankings). A dash: the candidate was "
                       "eliminated earlier. Transfer: change from the round before.</p>");
}

/* What happened in each round, transfers included, as a list. */
static void round_events(pc_buf_t *b, json_t *results) {
  pc_buf_append_str(b, "<h2>What happened in each round</h2><ol class=\"rounds-events\">");
  for (size_t r = 0; r < json_array_size(results); r++) {
    json_t *outcomes = json_object_get(json_array_get(results, r), "tallyResults");
    pc_buf_appendf(b, "<li value=\"%zu\">Round %zu: ", r + 1, r + 1);
    if (json_array_size(outcomes) == 0) pc_buf_append_str(b, "no candidate elected or eliminated.");
    for (size_t i = 0; i < json_array_size(outcomes); i++) {
      json_t *o = json_array_get(outcomes, i);
      const char *elected = json_string_value(json_object_get(o, "elected"));
      const char *name = elected ? elected : json_string_value(json_object_get(o, "eliminated"));
      if (i) pc_buf_append_str(b, " ");
      html(b, name ? name : "");
      pc_buf_append_str(b, elected ? " is elected." : " is eliminated.");
      json_t *transfers = json_object_get(o, "transfers");
      if (json_object_size(transfers) > 0) {
        pc_buf_append_str(b, " Ballots transferred: ");
        const char *key;
        json_t *value;
        int first = 1;
        json_object_foreach(transfers, key, value) {
          if (!first) pc_buf_append_str(b, ", ");
          first = 0;
          html(b, strcmp(key, "exhausted") == 0 ? "exhausted (no further ranking)" : key);
          pc_buf_append_str(b, " ");
          html(b, json_string_value(value));
        }
        pc_buf_append_str(b, ".");
      }
    }
    pc_buf_append_str(b, "</li>");
  }
  pc_buf_append_str(b, "</ol>");
}

/* Round 1 must equal the first-choice votes shown for the counties with CVRs. */
static int check_round1(const pc_results_t *r, int contest, json_t *first, pc_error_t *err) {
  const pc_contest_t *c = &r->model.contests[contest];
  int write_in_seen = 0;
  for (size_t k = 0; k < c->choice_count; k++) {
    if (c->choices[k].is_write_in && write_in_seen++) continue;
    int64_t shown = 0;
    for (size_t i = 0; i < r->rcv->count; i++)
      if (r->rcv->uploads[i].contest == contest)
        shown += pc_results_votes(r, contest, (int)k, r->rcv->uploads[i].county, -1);
    const char *name = c->choices[k].is_write_in ? UWI_NAME : c->choices[k].name;
    int64_t counted = (int64_t)number(tally_text(first, name));
    if (shown != counted)
      return pc_error_set(err, PC_EINTEGRITY, "contest \"%s\": round 1 gives %s %lld votes, the first choices show %lld",
                          c->code, name, (long long)counted, (long long)shown);
  }
  return 0;
}

static void coverage(pc_buf_t *b, const pc_results_t *r, int contest, int64_t ballots) {
  const pc_election_model_t *m = &r->model;
  pc_buf_appendf(b, "<p>Counted from the cast vote records of %lld ballots uploaded by ", (long long)ballots);
  size_t with = 0, without = 0;
  for (size_t i = 0; i < r->rcv->count; i++) {
    if (r->rcv->uploads[i].contest != contest) continue;
    if (with++) pc_buf_append_str(b, ", ");
    html(b, m->counties[r->rcv->uploads[i].county].name);
    pc_buf_append_str(b, " County");
  }
  pc_buf_append_str(b, ".");
  for (size_t county = 0; county < m->county_count; county++) {
    long reporting, total;
    pc_results_reporting(r, contest, (int)county, &reporting, &total);
    int has = 0;
    for (size_t i = 0; i < r->rcv->count; i++)
      has |= r->rcv->uploads[i].contest == contest && r->rcv->uploads[i].county == (int)county;
    if (total == 0 || has) continue;
    pc_buf_append_str(b, without++ ? ", " : " Not yet included (no cast vote records uploaded): ");
    html(b, m->counties[county].name);
    pc_buf_append_str(b, " County");
  }
  if (without) pc_buf_append_str(b, "; their first-choice votes are on the contest page but not in these rounds.");
  pc_buf_append_str(b, "</p>");
}

static int contest_rounds(pc_store_t *store, const pc_results_t *r, const pc_snapshot_meta_t *meta, int contest,
                          pc_snapshot_t *out, pc_error_t *err) {
  const pc_election_model_t *m = &r->model;
  const pc_contest_t *c = &m->contests[contest];
  size_t count = 0;
  for (size_t i = 0; i < r->rcv->count; i++) count += r->rcv->uploads[i].contest == contest;
  pc_rcv_ballots_t *sets = pc_xcalloc(count, sizeof *sets);
  const pc_rcv_ballots_t **set_list = pc_xcalloc(count, sizeof *set_list);
  char **names = pc_xcalloc(count, sizeof *names);
  json_t *sources = json_array();
  int rc = 0;
  int64_t ballots = 0;
  for (size_t i = 0, n = 0; rc == 0 && i < r->rcv->count; i++) {
    const pc_rcv_upload_t *u = &r->rcv->uploads[i];
    if (u->contest != contest) continue;
    pc_rcv_ballots_init(&sets[n], contest);
    set_list[n] = &sets[n];
    rc = pc_results_rcv_read_upload(store, m, u->id, &sets[n], err);
    pc_buf_t name;
    pc_buf_init(&name, 0);
    pc_buf_appendf(&name, "%s County: %s (version %d)", m->counties[u->county].name, u->file_name, u->version);
    names[n] = pc_buf_detach(&name, NULL);
    json_t *s = json_object();
    json_object_set_new(s, "county", json_string(m->counties[u->county].name));
    json_object_set_new(s, "version", json_integer(u->version));
    json_object_set_new(s, "fileSha256", json_string(u->file_sha256));
    json_object_set_new(s, "ballots", json_integer((json_int_t)u->ballots));
    json_array_append_new(sources, s);
    ballots += u->ballots;
    n++;
  }
  pc_buf_t summary, config;
  pc_buf_init(&summary, 0);
  pc_buf_init(&config, 0);
  if (rc == 0)
    rc = pc_rcv_tabulate(m, contest, set_list, (const char *const *)names, count, 0, &summary, NULL, err);
  json_t *root = NULL;
  if (rc == 0) {
    root = json_loadb(summary.data, summary.len, 0, NULL);
    if (!root) rc = pc_error_set(err, PC_EINTERNAL, "the tabulation summary is not JSON");
  }
  json_t *results = root ? json_object_get(root, "results") : NULL;
  if (rc == 0 && json_array_size(results) == 0) rc = pc_error_set(err, PC_EINTERNAL, "the tabulation has no rounds");
  if (rc == 0) rc = check_round1(r, contest, json_array_get(results, 0), err);
  if (rc == 0) {
    char file[64];
    /* the county uploads behind the count, beside RCTab's own keys */
    json_object_set(root, "precinctCountySources", sources);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    pc_snprintf(file, sizeof file, "rounds/c%d.json", contest + 1);
    pc_snapshot_add(out, file, text, strlen(text));
    pc_rcv_config_json(m, contest, (const char *const *)names, count, &config);
    pc_snprintf(file, sizeof file, "rounds/c%d.config.json", contest + 1);
    pc_snapshot_add_buf(out, file, &config);

    /* candidates: winner first, then by how long they stayed */
    size_t rounds = json_array_size(results);
    json_t *first = json_object_get(json_array_get(results, 0), "tally");
    size_t row_count = json_object_size(first);
    candidate_row_t *rows = pc_xcalloc(row_count + 1, sizeof *rows);
    size_t n = 0;
    const char *key;
    json_t *value;
    double scale_max = 0;
    json_object_foreach(first, key, value) {
      rows[n] = (candidate_row_t){key, 0, 0, -1, -1};
      for (size_t q = 0; q < rounds; q++) {
        json_t *round = json_array_get(results, q);
        const char *votes = tally_text(round, key);
        if (votes) rows[n].last_round = (int)q, rows[n].last_votes = number(votes);
        if (votes && number(votes) > scale_max) scale_max = number(votes);
        json_t *outcomes = json_object_get(round, "tallyResults");
        for (size_t o = 0; o < json_array_size(outcomes); o++) {
          const char *elected = json_string_value(json_object_get(json_array_get(outcomes, o), "elected"));
          const char *out_name = json_string_value(json_object_get(json_array_get(outcomes, o), "eliminated"));
          if (elected && strcmp(elected, key) == 0 && rows[n].elected_round < 0) rows[n].elected_round = (int)q;
          if (out_name && strcmp(out_name, key) == 0) rows[n].eliminated_round = (int)q;
        }
      }
      n++;
    }
    qsort(rows, row_count, sizeof *rows, compare_rows);
    pc_buf_t b;
    char title[300];
    pc_snprintf(title, sizeof title, "%s: round by round", c->name);
    pc_results_page_begin(&b, r, meta, title, "../");
    pc_buf_appendf(&b, "<p><a href=\"../contests/c%d.html\">Back to the contest: first choices by county and counting "
                       "group</a></p><p class=\"rounds-winner\">", contest + 1);
    int any = 0;
    for (size_t i = 0; i < row_count; i++) {
      if (rows[i].elected_round < 0) continue;
      pc_buf_append_str(&b, any++ ? " " : "");
      pc_buf_append_str(&b, "<strong>");
      html(&b, rows[i].name);
      pc_buf_appendf(&b, "</strong> is elected in round %d of %zu", rows[i].elected_round + 1, rounds);
      pc_buf_append_str(&b, strcmp(meta->status, "certified") == 0 ? "." : " of the count so far (unofficial).");
    }
    if (!any) pc_buf_appendf(&b, "No candidate reached the votes needed to win after %zu rounds.", rounds);
    pc_buf_append_str(&b, "</p>");
    coverage(&b, r, contest, ballots);
    pc_buf_appendf(&b, "<p class=\"meta\">%s. Each round counts every ballot for its highest-ranked continuing "
                       "candidate; the candidate with the fewest votes is eliminated and those ballots move to their "
                       "next choice. Unofficial until certified. <a href=\"#table\">Skip the chart to the table</a>.</p>",
                   c->vote_for > 1 ? "Multi-winner ranked choice (single transferable vote)"
                                   : "Single-winner ranked choice (instant runoff)");
    chart(&b, results, rows, row_count, scale_max);
    round_table(&b, results, rows, row_count);
    round_events(&b, results);
    pc_buf_appendf(&b, "<p>Data: <a href=\"c%d.json\">c%d.json</a> (RCTab summary.json structure), "
                       "<a href=\"c%d.config.json\">c%d.config.json</a> (the RCTab contest configuration used).</p>",
                   contest + 1, contest + 1, contest + 1, contest + 1);
    pc_snprintf(file, sizeof file, "rounds/c%d.html", contest + 1);
    pc_results_page_finish(&b, "../", out, file);
    free(rows);
  }
  json_decref(root);
  json_decref(sources);
  pc_buf_free(&summary);
  pc_buf_free(&config);
  for (size_t i = 0; i < count; i++) {
    pc_rcv_ballots_free(&sets[i]);
    free(names[i]);
  }
  free(sets);
  free(set_list);
  free(names);
  return rc;
}

int pc_results_render_rounds(pc_store_t *store, const pc_results_t *r, const pc_snapshot_meta_t *meta,
                             pc_snapshot_t *out, pc_error_t *err) {
  int rc = 0;
  for (size_t c = 0; rc == 0 && c < r->model.contest_count; c++)
    if (r->model.contests[c].kind == PC_CONTEST_RCV && pc_results_rcv_has(r, (int)c))
      rc = contest_rounds(store, r, meta, (int)c, out, err);
  return rc;
}
