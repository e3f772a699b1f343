/* The machine-readable files of a publication: results.json (NIST SP
 * 1500-100 ERR, precinct level), results.csv (every precinct count),
 * summary.csv and summary.json (state and county totals, reporting,
 * turnout) and publication.json (what this snapshot is). HTML pages are in
 * render_html.c. */
#include "precinct/sha256.h"
#include "snapshot.h"

#include "precinct/alloc.h"
#include <assert.h>
#include "precinct/buf.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void pc_snapshot_add(pc_snapshot_t *s, const char *name, char *data, size_t size) {
  s->files = pc_xreallocarray(s->files, s->count + 1, sizeof *s->files);
  s->files[s->count++] = (pc_snapshot_file_t){pc_xstrdup(name), data, size, ""};
}

void pc_snapshot_add_buf(pc_snapshot_t *s, const char *name, pc_buf_t *b) {
  size_t size = 0;
  char *data = pc_buf_detach(b, &size);
  pc_snapshot_add(s, name, data, size);
}

void pc_snapshot_free(pc_snapshot_t *s) {
  for (size_t i = 0; i < s->count; i++) {
    free(s->files[i].name);
    free(s->files[i].data);
  }
  free(s->files);
  memset(s, 0, sizeof *s);
}

static int compare_files(const void *a, const void *b) {
  return strcmp(((const pc_snapshot_file_t *)a)->name, ((const pc_snapshot_file_t *)b)->name);
}

void pc_snapshot_sort(pc_snapshot_t *s) { qsort(s->files, s->count, sizeof *s->files, compare_files); }

void pc_snapshot_hash(pc_snapshot_t *s, size_t from) {
  for (size_t i = from; i < s->count; i++)
    if (!s->files[i].sha256[0]) pc_sha256_hex(s->files[i].data, s->files[i].size, s->files[i].sha256);
}

void pc_snapshot_take(pc_snapshot_t *to, pc_snapshot_t *from) {
  if (from->count) {
    to->files = pc_xreallocarray(to->files, to->count + from->count, sizeof *to->files);
    memcpy(to->files + to->count, from->files, from->count * sizeof *from->files);
    to->count += from->count;
  }
  free(from->files);
  memset(from, 0, sizeof *from);
}

/* Appends S as one CSV field (RFC 4180 quoting when needed). */
static void csv_field(pc_buf_t *b, const char *s) {
  if (strpbrk(s, ",\"\r\n") == NULL) {
    pc_buf_append_str(b, s);
    return;
  }
  pc_buf_append_char(b, '"');
  for (; *s; s++) {
    if (*s == '"') pc_buf_append_char(b, '"');
    pc_buf_append_char(b, *s);
  }
  pc_buf_append_char(b, '"');
}

static int32_t precinct_votes(const pc_results_t *r, size_t precinct, size_t global_choice, int group) {
  return r->votes[(precinct * r->choice_total + global_choice) * PC_GROUP_COUNT + (size_t)group];
}

static int group_used(const pc_results_t *r, size_t precinct, size_t contest, int group) {
  return r->group_used[(precinct * r->model.contest_count + contest) * PC_GROUP_COUNT + (size_t)group];
}

void pc_results_render_csv(const pc_results_t *r, pc_buf_t *out) {
  const pc_election_model_t *m = &r->model;
  pc_buf_append_str(out, "precinct,county,contest,choice,counting_group,votes\n");
  /* Each line is a precinct's "code,county," then "contest,choice,group,":
   * both are built once, not per line. */
  pc_buf_t *precincts = pc_xcalloc(m->precinct_count + 1, sizeof *precincts);
  for (size_t p = 0; p < m->precinct_count; p++) {
    pc_buf_init(&precincts[p], 0);
    csv_field(&precincts[p], m->precincts[p].code);
    pc_buf_append_char(&precincts[p], ',');
    csv_field(&precincts[p], m->counties[m->precincts[p].county].name);
    pc_buf_append_char(&precincts[p], ',');
  }
  pc_buf_t selection;
  pc_buf_init(&selection, 0);
  size_t *ends = NULL, ends_cap = 0;
  for (size_t c = 0; c < m->contest_count; c++) {
    const pc_contest_t *contest = &m->contests[c];
    /* selection holds "contest,choice,group," for every choice and group. */
    pc_buf_reset(&selection);
    if (ends_cap < contest->choice_count * PC_GROUP_COUNT + 1) {
      ends_cap = contest->choice_count * PC_GROUP_COUNT + 1;
      ends = pc_xreallocarray(ends, ends_cap, sizeof *ends);
    }
    ends[0] = 0;
    for (size_t k = 0; k < contest->choice_count; k++)
      for (int g = 0; g < PC_GROUP_COUNT; g++) {
        csv_field(&selection, contest->code);
        pc_buf_append_char(&selection, ',');
        csv_field(&selection, contest->choices[k].code);
        pc_buf_append_char(&selection, ',');
        pc_buf_append_str(&selection, pc_results_group_name(g));
        pc_buf_append_char(&selection, ',');
        ends[k * PC_GROUP_COUNT + (size_t)g + 1] = selection.len;
      }
    for (size_t p = 0; p < m->precinct_count; p++) {
      if (!r->reporting[p]) continue;
      for (int g = 0; g < PC_GROUP_COUNT; g++) {
        if (!group_used(r, p, c, g)) continue;
        for (size_t k = 0; k < contest->choice_count; k++) {
          size_t at = k * PC_GROUP_COUNT + (size_t)g;
          pc_buf_append(out, precincts[p].data, precincts[p].len);
          pc_buf_append(out, selection.data + ends[at], ends[at + 1] - ends[at]);
          pc_buf_append_int(out, precinct_votes(r, p, r->choice_base[c] + k, g));
          pc_buf_append_char(out, '\n');
        }
      }
    }
  }
  for (size_t p = 0; p < m->precinct_count; p++) pc_buf_free(&precincts[p]);
  free(precincts);
  free(ends);
  pc_buf_free(&selection);
}

void pc_results_contest_sha256(const pc_results_t *r, int contest, char hex[65]) {
  assert(r->contest_sha256 && contest >= 0 && (size_t)contest < r->model.contest_count);
  memcpy(hex, r->contest_sha256[contest], 65);
}

const char *pc_results_status(const pc_results_t *r) {
  const pc_election_model_t *m = &r->model;
  int all_certified = m->contest_count > 0;
  for (size_t c = 0; c < m->contest_count; c++) all_certified &= m->contests[c].certified != 0;
  if (all_certified) return "certified";
  for (size_t p = 0; p < m->precinct_count; p++)
    if (!r->reporting[p]) return "unofficial-partial";
  return "unofficial-complete";
}

static json_t *ballot_count(const char *unit, int64_t cast) {
  json_t *b = json_object();
  json_object_set_new(b, "@type", json_string("ElectionResults.BallotCounts"));
  json_object_set_new(b, "GpUnitId", json_string(unit));
  json_object_set_new(b, "Type", json_string("total"));
  json_object_set_new(b, "BallotsCast", json_integer(cast));
  return b;
}

/* Precinct-level counts are most of results.json (one VoteCounts per
 * precinct, choice and counting group), too many for a jansson tree per
 * publication: they are written as text straight into the output, with every
 * string JSON-escaped by jansson once per unit. */
typedef struct unit_names {
  char **precincts; /* escaped, quoted */
  char **counties;
  /* Per precinct and counting group, the end of a VoteCounts object
   * (`,"GpUnitId":"<precinct>","Type":"<group>"}`), built on first use: the
   * same few thousand tails end every selection's counts. */
  pc_buf_t *tails;
} unit_names_t;

static char *quoted(const char *s) {
  json_t *string = json_string(s);
  char *text = json_dumps(string, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
  json_decref(string);
  assert(text);
  return text;
}

static const char count_head[] = "{\"@type\":\"ElectionResults.VoteCounts\",\"Count\":";

static void count_tail(pc_buf_t *b, const char *unit, int group) {
  pc_buf_append_str(b, ",\"GpUnitId\":");
  pc_buf_append_str(b, unit);
  pc_buf_append_str(b, ",\"Type\":\"");
  pc_buf_append_str(b, pc_results_group_name(group));
  pc_buf_append_str(b, "\"}");
}

static void append_count(pc_buf_t *b, int *first, const char *unit, int group, int64_t count) {
  if (!*first) pc_buf_append_char(b, ',');
  *first = 0;
  pc_buf_append(b, count_head, sizeof count_head - 1);
  pc_buf_append_int(b, count);
  count_tail(b, unit, group);
}

static void append_precinct_count(pc_buf_t *b, int *first, const unit_names_t *names, size_t p, int group,
                                  int64_t count) {
  pc_buf_t *tail = &names->tails[p * PC_GROUP_COUNT + (size_t)group];
  if (tail->len == 0) count_tail(tail, names->precincts[p], group);
  if (!*first) pc_buf_append_char(b, ',');
  *first = 0;
  pc_buf_append(b, count_head, sizeof count_head - 1);
  pc_buf_append_int(b, count);
  pc_buf_append(b, tail->data, tail->len);
}

/* Counts of one selection: per precinct and group present, per county and
 * state for each group used plus "total". */
static void selection_counts(const pc_results_t *r, const unit_names_t *names, size_t c, size_t k, pc_buf_t *b) {
  const pc_election_model_t *m = &r->model;
  size_t global = r->choice_base[c] + k;
  int first = 1;
  pc_buf_append_char(b, '[');
  for (size_t p = 0; p < m->precinct_count; p++) {
    if (!r->reporting[p]) continue;
    for (int g = 0; g < PC_GROUP_COUNT; g++)
      if (group_used(r, p, c, g)) append_precinct_count(b, &first, names, p, g, precinct_votes(r, p, global, g));
  }
  for (int county = -1; county < (int)m->county_count; county++) {
    const char *unit = county < 0 ? "\"state\"" : names->counties[county];
    long reporting, total;
    pc_results_reporting(r, (int)c, county, &reporting, &total);
    if (total == 0) continue;
    for (int g = 0; g < PC_GROUP_TOTAL; g++) {
      int64_t votes = pc_results_votes(r, (int)c, (int)k, county, g);
      if (votes) append_count(b, &first, unit, g, votes);
    }
    append_count(b, &first, unit, PC_GROUP_TOTAL, pc_results_votes(r, (int)c, (int)k, county, -1));
  }
  pc_buf_append_char(b, ']');
}

#define PLACEHOLDER "\\u0001VC"

static void render_err(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *out) {
  const pc_election_model_t *m = &r->model;
  json_t *report = pc_elections_err_report(m, meta->status, strcmp(m->election.mode, "test") == 0);
  json_object_set_new(report, "GeneratedDate", json_string(meta->published_at));
  json_object_set_new(report, "SequenceStart", json_integer(meta->number));
  json_object_set_new(report, "SequenceEnd", json_integer(meta->number));
  json_t *election = json_array_get(json_object_get(report, "Election"), 0);
  json_t *contests = json_object_get(election, "Contest");
  assert(json_array_size(contests) == m->contest_count);
  for (size_t c = 0; c < m->contest_count; c++) {
    json_t *contest = json_array_get(contests, c);
    long reporting, total;
    pc_results_reporting(r, (int)c, -1, &reporting, &total);
    json_object_set_new(contest, "SubUnitsReported", json_integer(reporting));
    json_object_set_new(contest, "TotalSubUnits", json_integer(total));
    json_t *selections = json_object_get(contest, "ContestSelection");
    assert(json_array_size(selections) == m->contests[c].choice_count);
    for (size_t k = 0; k < m->contests[c].choice_count; k++) {
      char marker[48];
      pc_snprintf(marker, sizeof marker, "\001VC%zu:%zu", c, k);
      json_object_set_new(json_array_get(selections, k), "VoteCounts", json_string(marker));
    }
  }
  json_t *ballots = json_array();
  int64_t cast, registered;
  pc_results_turnout(r, -1, 1, &cast, &registered);
  json_array_append_new(ballots, ballot_count("state", cast));
  for (size_t county = 0; county < m->county_count; county++) {
    pc_results_turnout(r, (int)county, 1, &cast, &registered);
    json_array_append_new(ballots, ballot_count(m->counties[county].unit_code, cast));
  }
  for (size_t p = 0; p < m->precinct_count; p++)
    if (r->reporting[p]) json_array_append_new(ballots, ballot_count(m->precincts[p].code, r->ballots_cast[p]));
  json_object_set_new(election, "BallotCounts", ballots);
  /* Reporting progress on the state and county units (GpUnit order: state, counties...). */
  json_t *units = json_object_get(report, "GpUnit");
  for (int county = -1; county < (int)m->county_count; county++) {
    json_t *unit = json_array_get(units, (size_t)(county + 1));
    long reported = 0, all = 0;
    for (size_t p = 0; p < m->precinct_count; p++)
      if (county < 0 || m->precincts[p].county == county) all++, reported += r->reporting[p];
    pc_results_turnout(r, county, 0, &cast, &registered);
    json_object_set_new(unit, "SubUnitsReported", json_integer(reported));
    json_object_set_new(unit, "TotalSubUnits", json_integer(all));
    json_object_set_new(unit, "VotersRegistered", json_integer(registered));
    json_object_set_new(unit, "VotersParticipated", json_integer(cast));
  }
  char *text = json_dumps(report, JSON_COMPACT | JSON_ENSURE_ASCII);
  json_decref(report);
  assert(text);
  /* Splice the counts in place of the markers ("\u0001VC<c>:<k>"); a real
   * string can never produce them since ENSURE_ASCII escapes \001 only there. */
  unit_names_t names;
  names.precincts = pc_xcalloc(m->precinct_count + 1, sizeof *names.precincts);
  names.counties = pc_xcalloc(m->county_count + 1, sizeof *names.counties);
  names.tails = pc_xcalloc(m->precinct_count * PC_GROUP_COUNT + 1, sizeof *names.tails);
  for (size_t i = 0; i < m->precinct_count * PC_GROUP_COUNT; i++) pc_buf_init(&names.tails[i], 0);
  for (size_t p = 0; p < m->precinct_count; p++) names.precincts[p] = quoted(m->precincts[p].code);
  for (size_t c = 0; c < m->county_count; c++) names.counties[c] = quoted(m->counties[c].unit_code);
  pc_buf_t b;
  pc_buf_init(&b, (size_t)1 << 31);
  const char *at = text;
  for (const char *hit; (hit = strstr(at, "\"" PLACEHOLDER)) != NULL;) {
    pc_buf_append(&b, at, (size_t)(hit - at));
    size_t c = 0, k = 0;
    const char *p = hit + 1 + strlen(PLACEHOLDER);
    while (*p >= '0' && *p <= '9') c = c * 10 + (size_t)(*p++ - '0');
    assert(*p == ':');
    for (p++; *p >= '0' && *p <= '9'; p++) k = k * 10 + (size_t)(*p - '0');
    assert(*p == '"' && c < m->contest_count && k < m->contests[c].choice_count);
    selection_counts(r, &names, c, k, &b);
    at = p + 1;
  }
  pc_buf_append_str(&b, at);
  free(text);
  for (size_t p = 0; p < m->precinct_count; p++) free(names.precincts[p]);
  for (size_t c = 0; c < m->county_count; c++) free(names.counties[c]);
  for (size_t i = 0; i < m->precinct_count * PC_GROUP_COUNT; i++) pc_buf_free(&names.tails[i]);
  free(names.tails);
  free(names.precincts);
  free(names.counties);
  pc_snapshot_add_buf(out, "results.json", &b);
}

static void render_summary(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *out) {
  const pc_election_model_t *m = &r->model;
  pc_buf_t csv;
  pc_buf_init(&csv, 0);
  pc_buf_append_str(&csv, "level,county,contest,contest_name,choice,choice_name,votes,precincts_reporting,precincts_total\n");
  json_t *root = json_object();
  json_object_set_new(root, "election", json_string(m->election.name));
  json_object_set_new(root, "election_code", json_string(m->election.code));
  json_object_set_new(root, "publication", json_integer(meta->number));
  json_object_set_new(root, "published_at", json_string(meta->published_at));
  json_object_set_new(root, "mode", json_string(m->election.mode));
  json_object_set_new(root, "status", json_string(meta->status));
  json_t *contests = json_array();
  for (size_t c = 0; c < m->contest_count; c++) {
    const pc_contest_t *contest = &m->contests[c];
    json_t *jc = json_object();
    json_object_set_new(jc, "code", json_string(contest->code));
    json_object_set_new(jc, "name", json_string(contest->name));
    json_object_set_new(jc, "kind", json_string(pc_elections_kind_name(contest->kind)));
    json_object_set_new(jc, "vote_for", json_integer(contest->vote_for));
    json_object_set_new(jc, "certified", json_boolean(contest->certified));
    json_t *levels = json_array();
    for (int county = -1; county < (int)m->county_count; county++) {
      long reporting, total;
      pc_results_reporting(r, (int)c, county, &reporting, &total);
      if (total == 0) continue;
      json_t *level = json_object();
      json_object_set_new(level, "unit", json_string(county < 0 ? "state" : m->counties[county].unit_code));
      json_object_set_new(level, "precincts_reporting", json_integer(reporting));
      json_object_set_new(level, "precincts_total", json_integer(total));
      json_t *votes = json_object();
      for (size_t k = 0; k < contest->choice_count; k++) {
        int64_t n = pc_results_votes(r, (int)c, (int)k, county, -1);
        json_object_set_new(votes, contest->choices[k].code, json_integer(n));
        pc_buf_append_str(&csv, county < 0 ? "state," : "county,");
        csv_field(&csv, county < 0 ? "" : m->counties[county].name);
        pc_buf_append_char(&csv, ',');
        csv_field(&csv, contest->code);
        pc_buf_append_char(&csv, ',');
        csv_field(&csv, contest->name);
        pc_buf_append_char(&csv, ',');
        csv_field(&csv, contest->choices[k].code);
        pc_buf_append_char(&csv, ',');
        csv_field(&csv, contest->choices[k].name);
        pc_buf_appendf(&csv, ",%lld,%ld,%ld\n", (long long)n, reporting, total);
      }
      json_object_set_new(level, "votes", votes);
      json_array_append_new(levels, level);
    }
    json_object_set_new(jc, "results", levels);
    json_array_append_new(contests, jc);
  }
  json_object_set_new(root, "contests", contests);
  int64_t cast, registered;
  pc_results_turnout(r, -1, 0, &cast, &registered);
  json_object_set_new(root, "ballots_cast", json_integer(cast));
  json_object_set_new(root, "registered_voters", json_integer(registered));
  char *text = json_dumps(root, JSON_INDENT(1) | JSON_ENSURE_ASCII);
  json_decref(root);
  assert(text);
  pc_snapshot_add(out, "summary.json", text, strlen(text));
  pc_snapshot_add_buf(out, "summary.csv", &csv);
}

void pc_results_render_json(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *out) {
  render_err(r, meta, out);
}

void pc_results_render_tables(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *out) {
  const pc_election_model_t *m = &r->model;
  pc_buf_t csv;
  pc_buf_init(&csv, (size_t)1 << 31);
  pc_results_render_csv(r, &csv);
  pc_snapshot_add_buf(out, "results.csv", &csv);
  render_summary(r, meta, out);
  json_t *pub = json_object();
  json_object_set_new(pub, "format", json_string("precinct-publication-v1"));
  json_object_set_new(pub, "election", json_string(m->election.code));
  json_object_set_new(pub, "election_name", json_string(m->election.name));
  json_object_set_new(pub, "publication", json_integer(meta->number));
  json_object_set_new(pub, "published_at", json_string(meta->published_at));
  json_object_set_new(pub, "mode", json_string(m->election.mode));
  json_object_set_new(pub, "status", json_string(meta->status));
  json_object_set_new(pub, "content_sha256", json_string(meta->content_sha256));
  json_object_set_new(pub, "previous_manifest_sha256",
                      meta->previous_manifest_sha256[0] ? json_string(meta->previous_manifest_sha256) : json_null());
  json_object_set_new(pub, "public_key_ed25519", json_string(meta->public_key_hex));
  char *text = json_dumps(pub, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
  json_decref(pub);
  assert(text);
  pc_snapshot_add(out, "publication.json", text, strlen(text));
}

void pc_results_render_data(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *out) {
  pc_results_render_json(r, meta, out);
  pc_results_render_tables(r, meta, out);
}
