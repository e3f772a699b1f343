/* The in-memory election model: freeing, code lookup tables, and the small
 * vocabularies (ERR enums, contest kinds). Reading and writing the database
 * is in store.c; formats are in err_*.c and csv_import.c. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/elections.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* One sorted lookup table: key -> index. */
typedef struct entry {
  const char *key;
  int contest; /* -1 except for choice entries */
  int index;
} entry_t;

typedef struct table {
  entry_t *entries;
  size_t count;
} table_t;

typedef struct model_index {
  table_t precinct_codes, precinct_names, contest_codes, contest_names, choice_codes, choice_names;
  unsigned char *style_contests; /* ballot_style_count x contest_count bitmap */
} model_index_t;

static int compare_entry(const void *a, const void *b) {
  const entry_t *x = a, *y = b;
  if (x->contest != y->contest) return x->contest < y->contest ? -1 : 1;
  return strcmp(x->key, y->key);
}

static void table_add(table_t *t, size_t *cap, const char *key, int contest, int index) {
  if (t->count == *cap) {
    *cap = *cap ? *cap * 2 : 64;
    t->entries = pc_xreallocarray(t->entries, *cap, sizeof *t->entries);
  }
  t->entries[t->count++] = (entry_t){key, contest, index};
}

/* Sorts T; returns the first duplicated key (or NULL). When UNIQUE_ONLY is
 * clear, duplicates are marked ambiguous (index -1) instead. */
static const char *table_finish(table_t *t, int unique_only) {
  if (t->count == 0) return NULL; /* entries is NULL: no qsort (an empty election) */
  qsort(t->entries, t->count, sizeof *t->entries, compare_entry);
  for (size_t i = 1; i < t->count; i++) {
    if (compare_entry(&t->entries[i - 1], &t->entries[i]) != 0) continue;
    if (unique_only) return t->entries[i].key;
    t->entries[i - 1].index = -1;
    t->entries[i].index = -1;
  }
  return NULL;
}

static int table_find(const table_t *t, int contest, const char *key) {
  if (t->count == 0) return -1;
  entry_t probe = {key, contest, 0};
  const entry_t *hit = bsearch(&probe, t->entries, t->count, sizeof *t->entries, compare_entry);
  return hit ? hit->index : -1;
}

static void free_index(model_index_t *index) {
  if (!index) return;
  table_t *tables[] = {&index->precinct_codes, &index->precinct_names, &index->contest_codes,
                       &index->contest_names,  &index->choice_codes,   &index->choice_names};
  for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) free(tables[i]->entries);
  free(index->style_contests);
  free(index);
}

int pc_elections_model_index(pc_election_model_t *model, pc_error_t *err) {
  free_index(model->index);
  model->index = NULL;
  model_index_t *index = pc_xcalloc(1, sizeof *index);
  size_t caps[6] = {0};
  for (size_t i = 0; i < model->precinct_count; i++) {
    table_add(&index->precinct_codes, &caps[0], model->precincts[i].code, -1, (int)i);
    table_add(&index->precinct_names, &caps[1], model->precincts[i].name, -1, (int)i);
  }
  for (size_t c = 0; c < model->contest_count; c++) {
    const pc_contest_t *contest = &model->contests[c];
    table_add(&index->contest_codes, &caps[2], contest->code, -1, (int)c);
    table_add(&index->contest_names, &caps[3], contest->name, -1, (int)c);
    for (size_t k = 0; k < contest->choice_count; k++) {
      table_add(&index->choice_codes, &caps[4], contest->choices[k].code, (int)c, (int)k);
      table_add(&index->choice_names, &caps[5], contest->choices[k].name, (int)c, (int)k);
    }
  }
  const char *dup = table_finish(&index->precinct_codes, 1);
  const char *what = "precinct";
  if (!dup) dup = table_finish(&index->contest_codes, 1), what = "contest";
  if (!dup) dup = table_finish(&index->choice_codes, 1), what = "choice (within its contest)";
  table_finish(&index->precinct_names, 0);
  table_finish(&index->contest_names, 0);
  table_finish(&index->choice_names, 0);
  if (dup) {
    free_index(index);
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "code", "%s code \"%s\" is used twice", what, dup);
  }
  size_t cells = model->ballot_style_count * model->contest_count;
  index->style_contests = pc_xcalloc(cells ? cells : 1, 1);
  for (size_t s = 0; s < model->ballot_style_count; s++)
    for (size_t k = 0; k < model->ballot_styles[s].contest_count; k++) {
      int contest = model->ballot_styles[s].contests[k];
      assert(contest >= 0 && (size_t)contest < model->contest_count);
      index->style_contests[s * model->contest_count + (size_t)contest] = 1;
    }
  model->index = index;
  return 0;
}

int pc_elections_find_precinct(const pc_election_model_t *model, const char *code_or_name) {
  const model_index_t *index = model->index;
  assert(index);
  int found = table_find(&index->precinct_codes, -1, code_or_name);
  return found >= 0 ? found : table_find(&index->precinct_names, -1, code_or_name);
}

int pc_elections_find_contest(const pc_election_model_t *model, const char *code_or_name) {
  const model_index_t *index = model->index;
  assert(index);
  int found = table_find(&index->contest_codes, -1, code_or_name);
  return found >= 0 ? found : table_find(&index->contest_names, -1, code_or_name);
}

int pc_elections_find_choice(const pc_election_model_t *model, int contest, const char *code_or_name) {
  const model_index_t *index = model->index;
  assert(index);
  int found = table_find(&index->choice_codes, contest, code_or_name);
  return found >= 0 ? found : table_find(&index->choice_names, contest, code_or_name);
}

int pc_elections_style_has_contest(const pc_election_model_t *model, int style, int contest) {
  const model_index_t *index = model->index;
  assert(index);
  if (style < 0 || contest < 0) return 0;
  assert((size_t)style < model->ballot_style_count && (size_t)contest < model->contest_count);
  return index->style_contests[(size_t)style * model->contest_count + (size_t)contest];
}

void pc_elections_county_unit_code(const char *name, const char *fips, char *out, size_t size) {
  pc_buf_t b;
  pc_buf_init(&b, 0);
  pc_buf_append_str(&b, "county-");
  const char *source = fips && fips[0] ? fips : name;
  for (const char *p = source; *p; p++) {
    char c = *p;
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    pc_buf_append_char(&b, (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-');
  }
  pc_strlcpy(out, pc_buf_str(&b), size);
  pc_buf_free(&b);
}

void pc_elections_model_free(pc_election_model_t *model) {
  if (!model) return;
  for (size_t i = 0; i < model->party_count; i++) {
    free(model->parties[i].code);
    free(model->parties[i].name);
    free(model->parties[i].abbreviation);
  }
  for (size_t i = 0; i < model->district_count; i++) {
    free(model->districts[i].code);
    free(model->districts[i].name);
    free(model->districts[i].unit_type);
  }
  for (size_t i = 0; i < model->ballot_style_count; i++) {
    free(model->ballot_styles[i].code);
    free(model->ballot_styles[i].contests);
  }
  for (size_t i = 0; i < model->precinct_count; i++) {
    free(model->precincts[i].code);
    free(model->precincts[i].name);
    free(model->precincts[i].boundary_geojson);
  }
  for (size_t i = 0; i < model->polling_place_count; i++) {
    free(model->polling_places[i].code);
    free(model->polling_places[i].name);
    free(model->polling_places[i].address);
    free(model->polling_places[i].hours);
  }
  for (size_t i = 0; i < model->candidate_count; i++) {
    free(model->candidates[i].code);
    free(model->candidates[i].ballot_name);
  }
  for (size_t i = 0; i < model->contest_count; i++) {
    pc_contest_t *contest = &model->contests[i];
    for (size_t k = 0; k < contest->choice_count; k++) {
      free(contest->choices[k].code);
      free(contest->choices[k].name);
    }
    free(contest->choices);
    free(contest->code);
    free(contest->name);
    free(contest->district_code);
  }
  for (size_t i = 0; i < model->county_count; i++) {
    free(model->counties[i].name);
    free(model->counties[i].unit_code);
  }
  free(model->parties);
  free(model->districts);
  free(model->ballot_styles);
  free(model->precincts);
  free(model->polling_places);
  free(model->candidates);
  free(model->contests);
  free(model->counties);
  free_index(model->index);
  memset(model, 0, sizeof *model);
}

static const char *const election_types[] = {"general", "other", "partisan-primary-closed", "partisan-primary-open",
                                             "primary", "runoff", "special", NULL};
static const char *const unit_types[] = {
    "ballot-batch", "ballot-style-area", "borough", "city", "city-council", "combined-precinct", "congressional",
    "country", "county", "county-council", "drop-box", "judicial", "municipality", "other", "polling-place",
    "precinct", "school", "special", "split-precinct", "state", "state-house", "state-senate", "town", "township",
    "utility", "village", "vote-center", "ward", "water", NULL};
static const char *const kind_names[] = {"candidate", "rcv", "measure", "retention", NULL};

static int in_list(const char *const *list, const char *value) {
  for (; *list; list++)
    if (strcmp(*list, value) == 0) return 1;
  return 0;
}

int pc_elections_valid_type(const char *election_type) { return in_list(election_types, election_type); }
int pc_elections_valid_unit_type(const char *unit_type) { return in_list(unit_types, unit_type); }

const char *pc_elections_kind_name(pc_contest_kind_t kind) {
  assert(kind >= PC_CONTEST_CANDIDATE && kind <= PC_CONTEST_RETENTION);
  return kind_names[kind];
}

int pc_elections_parse_kind(const char *name, pc_contest_kind_t *kind) {
  for (int i = 0; kind_names[i]; i++)
    if (strcmp(kind_names[i], name) == 0) {
      *kind = (pc_contest_kind_t)i;
      return 0;
    }
  return PC_EINVAL;
}
