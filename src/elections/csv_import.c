/* Reads the CSV set (a directory of simple CSV files for officials without an
 * ERR export) into the election model, and imports a definition from a path
 * (a directory is a CSV set, anything else ERR JSON). File layouts are in
 * docs/results.md. Candidates and parties are created from the choice rows. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/csvrows.h"
#include "precinct/elections.h"
#include "precinct/fileio.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GROW(array, count) ((array) = pc_xreallocarray((array), (count) + 1, sizeof *(array)), &(array)[(count)++])

typedef struct reader reader_t;
typedef int (*row_fn)(reader_t *r, const char *const *f, long line);

/* Per-file state: the columns wanted and their positions in the header. */
struct reader {
  pc_election_model_t *m;
  const char *file;
  const char *const *columns;
  int required;      /* first REQUIRED columns must be present */
  int position[12];
  row_fn row;
  json_t *maps;      /* "kind:code" -> index */
  pc_error_t *err;
  int rows;
};

static int bad(reader_t *r, long line, const char *field, const char *fmt, const char *value) {
  return pc_error_set_at(r->err, PC_EINVAL, r->file, line, field, fmt, value ? value : "");
}

static int map_get(reader_t *r, const char *kind, const char *code) {
  char key[256];
  pc_snprintf(key, sizeof key, "%s:%s", kind, code);
  json_t *hit = json_object_get(r->maps, key);
  return hit ? (int)json_integer_value(hit) : -1;
}

static void map_put(reader_t *r, const char *kind, const char *code, size_t index) {
  char key[256];
  pc_snprintf(key, sizeof key, "%s:%s", kind, code);
  json_object_set_new(r->maps, key, json_integer((json_int_t)index));
}

static int on_row(const char *const *fields, size_t count, long line, void *context) {
  reader_t *r = context;
  if (r->rows++ == 0) {
    for (int i = 0; r->columns[i]; i++) {
      r->position[i] = pc_csvrows_column(fields, count, r->columns[i]);
      if (r->position[i] < 0 && i < r->required) return bad(r, line, r->columns[i], "missing column \"%s\"", r->columns[i]);
    }
    return 0;
  }
  const char *values[12];
  for (int i = 0; r->columns[i]; i++)
    values[i] = r->position[i] >= 0 && (size_t)r->position[i] < count ? fields[r->position[i]] : "";
  return r->row(r, values, line);
}

static int read_file(reader_t *r, const char *dir, const char *name, int optional) {
  char path[1200];
  if (pc_snprintf(path, sizeof path, "%s/%s", dir, name) != 0) return pc_error_set(r->err, PC_ELIMIT, "path too long");
  struct stat st;
  if (optional && stat(path, &st) != 0) return 0;
  char *data = NULL;
  size_t size = 0;
  int rc = pc_file_read_all(path, PC_ELECTIONS_IMPORT_MAX, &data, &size, r->err);
  if (rc != 0) return rc;
  r->file = name;
  r->rows = 0;
  rc = pc_csvrows_parse(data, size, name, on_row, r, r->err);
  free(data);
  return rc;
}

static int parse_count(reader_t *r, long line, const char *field, const char *text, long long max, long long *out) {
  if (!text[0]) return *out = 0, 0;
  if (pc_parse_int64(text, 0, max, out) != 0) return bad(r, line, field, "expected a whole number >= 0, got \"%s\"", text);
  return 0;
}

static int election_row(reader_t *r, const char *const *f, long line) {
  pc_election_t *e = &r->m->election;
  if (e->code[0]) return bad(r, line, NULL, "election.csv holds one election%s", NULL);
  pc_strlcpy(e->code, f[0], sizeof e->code);
  pc_strlcpy(e->name, f[1], sizeof e->name);
  pc_strlcpy(e->date, f[2], sizeof e->date);
  pc_strlcpy(e->type, f[3], sizeof e->type);
  pc_strlcpy(e->jurisdiction, f[4], sizeof e->jurisdiction);
  pc_strlcpy(e->poll_close_at, f[5], sizeof e->poll_close_at);
  return 0;
}

static int district_row(reader_t *r, const char *const *f, long line) {
  if (map_get(r, "district", f[0]) >= 0) return bad(r, line, "code", "district \"%s\" listed twice", f[0]);
  pc_district_t *d = GROW(r->m->districts, r->m->district_count);
  *d = (pc_district_t){0, pc_xstrdup(f[0]), pc_xstrdup(f[1]), pc_xstrdup(f[2])};
  map_put(r, "district", f[0], r->m->district_count - 1);
  return 0;
}

static int style_index(reader_t *r, const char *code) {
  int found = map_get(r, "style", code);
  if (found >= 0) return found;
  pc_ballot_style_t *b = GROW(r->m->ballot_styles, r->m->ballot_style_count);
  *b = (pc_ballot_style_t){0, pc_xstrdup(code), NULL, 0};
  map_put(r, "style", code, r->m->ballot_style_count - 1);
  return (int)r->m->ballot_style_count - 1;
}

static int county_index(reader_t *r, const char *name) {
  int found = map_get(r, "county", name);
  if (found >= 0) return found;
  struct pc_model_county *c = GROW(r->m->counties, r->m->county_count);
  char unit[160];
  pc_elections_county_unit_code(name, NULL, unit, sizeof unit);
  c->id = 0;
  c->name = pc_xstrdup(name);
  c->unit_code = pc_xstrdup(unit);
  map_put(r, "county", name, r->m->county_count - 1);
  return (int)r->m->county_count - 1;
}

static int precinct_row(reader_t *r, const char *const *f, long line) {
  long long registered;
  if (!f[2][0]) return bad(r, line, "county", "precinct \"%s\" has no county", f[0]);
  int rc = parse_count(r, line, "registered_voters", f[4], 100000000, &registered);
  if (rc != 0) return rc;
  if (map_get(r, "precinct", f[0]) >= 0) return bad(r, line, "code", "precinct \"%s\" listed twice", f[0]);
  pc_precinct_t *p = GROW(r->m->precincts, r->m->precinct_count);
  memset(p, 0, sizeof *p);
  p->code = pc_xstrdup(f[0]);
  p->name = pc_xstrdup(f[1][0] ? f[1] : f[0]);
  p->county = county_index(r, f[2]);
  p->ballot_style = f[3][0] ? style_index(r, f[3]) : -1;
  p->registered_voters = registered;
  p->boundary_geojson = f[5][0] ? pc_xstrdup(f[5]) : NULL;
  map_put(r, "precinct", f[0], r->m->precinct_count - 1);
  return 0;
}

static int candidate_index(reader_t *r, const char *code, const char *name, const char *party) {
  pc_election_model_t *m = r->m;
  int party_index = -1;
  if (party[0]) {
    party_index = map_get(r, "party", party);
    if (party_index < 0) {
      char party_code[160];
      pc_snprintf(party_code, sizeof party_code, "party-%zu", m->party_count + 1);
      pc_party_t *p = GROW(m->parties, m->party_count);
      *p = (pc_party_t){0, pc_xstrdup(party_code), pc_xstrdup(party), pc_xstrdup("")};
      party_index = (int)m->party_count - 1;
      map_put(r, "party", party, (size_t)party_index);
    }
  }
  pc_candidate_t *c = GROW(m->candidates, m->candidate_count);
  *c = (pc_candidate_t){0, pc_xstrdup(code), pc_xstrdup(name), party_index};
  return (int)m->candidate_count - 1;
}

static int contest_row(reader_t *r, const char *const *f, long line) {
  pc_contest_kind_t kind;
  long long vote_for = 1;
  if (pc_elections_parse_kind(f[2], &kind) != 0)
    return bad(r, line, "kind", "expected candidate, rcv, measure or retention, got \"%s\"", f[2]);
  if (f[4][0] && pc_parse_int64(f[4], 1, 100, &vote_for) != 0)
    return bad(r, line, "vote_for", "expected 1 to 100, got \"%s\"", f[4]);
  if (map_get(r, "contest", f[0]) >= 0) return bad(r, line, "code", "contest \"%s\" listed twice", f[0]);
  if (kind == PC_CONTEST_RETENTION && !f[5][0]) return bad(r, line, "candidate", "retention contest \"%s\" names no candidate", f[0]);
  const char *district = f[3][0] ? f[3] : "state";
  char unit[160];
  if (strncmp(district, "county:", 7) == 0) {
    pc_elections_county_unit_code(district + 7, NULL, unit, sizeof unit);
    district = unit;
  }
  pc_contest_t *c = GROW(r->m->contests, r->m->contest_count);
  memset(c, 0, sizeof *c);
  c->code = pc_xstrdup(f[0]);
  c->name = pc_xstrdup(f[1]);
  c->kind = kind;
  c->district_code = pc_xstrdup(district);
  c->vote_for = (int)vote_for;
  c->retention_candidate = -1;
  map_put(r, "contest", f[0], r->m->contest_count - 1);
  if (kind == PC_CONTEST_RETENTION) {
    char code[160];
    pc_snprintf(code, sizeof code, "cand-%s", f[0]);
    int candidate = candidate_index(r, code, f[5], "");
    r->m->contests[r->m->contest_count - 1].retention_candidate = candidate;
  }
  return 0;
}

static int choice_row(reader_t *r, const char *const *f, long line) {
  int contest = map_get(r, "contest", f[0]);
  if (contest < 0) return bad(r, line, "contest", "unknown contest \"%s\" (list it in contests.csv)", f[0]);
  if (!f[1][0] || !f[2][0]) return bad(r, line, "code", "a choice needs a code and a name%s", NULL);
  pc_contest_t *c = &r->m->contests[contest];
  int candidate = -1;
  if (c->kind == PC_CONTEST_CANDIDATE || c->kind == PC_CONTEST_RCV) {
    char code[160];
    pc_snprintf(code, sizeof code, "cand-%s", f[1]);
    candidate = candidate_index(r, code, f[2], f[3]);
  }
  pc_choice_t *choice = GROW(c->choices, c->choice_count);
  *choice = (pc_choice_t){0, pc_xstrdup(f[1]), pc_xstrdup(f[2]), candidate, strcmp(f[4], "1") == 0};
  return 0;
}

static int style_row(reader_t *r, const char *const *f, long line) {
  int contest = map_get(r, "contest", f[1]);
  if (contest < 0) return bad(r, line, "contest", "unknown contest \"%s\"", f[1]);
  pc_ballot_style_t *b = &r->m->ballot_styles[style_index(r, f[0])];
  *GROW(b->contests, b->contest_count) = contest;
  return 0;
}

static int polling_row(reader_t *r, const char *const *f, long line) {
  int precinct = map_get(r, "precinct", f[3]);
  if (precinct < 0) return bad(r, line, "precinct", "unknown precinct \"%s\"", f[3]);
  pc_polling_place_t *pp = GROW(r->m->polling_places, r->m->polling_place_count);
  *pp = (pc_polling_place_t){0, precinct, pc_xstrdup(f[0]), pc_xstrdup(f[1]), pc_xstrdup(f[2]), pc_xstrdup(f[4])};
  return 0;
}

int pc_elections_parse_csv_set(const char *dir, pc_election_model_t *model, pc_error_t *err) {
  static const char *const election_columns[] = {"code", "name", "date", "type", "jurisdiction", "poll_close_at", NULL};
  static const char *const district_columns[] = {"code", "name", "type", NULL};
  static const char *const precinct_columns[] = {"code", "name", "county", "ballot_style", "registered_voters",
                                                 "boundary_geojson", NULL};
  static const char *const contest_columns[] = {"code", "name", "kind", "district", "vote_for", "candidate", NULL};
  static const char *const choice_columns[] = {"contest", "code", "name", "party", "write_in", NULL};
  static const char *const style_columns[] = {"ballot_style", "contest", NULL};
  static const char *const polling_columns[] = {"code", "name", "address", "precinct", "hours", NULL};
  static const struct {
    const char *file;
    const char *const *columns;
    int required, optional;
    row_fn row;
  } files[] = {
      {"election.csv", election_columns, 5, 0, election_row},
      {"districts.csv", district_columns, 3, 1, district_row},
      {"precincts.csv", precinct_columns, 3, 0, precinct_row},
      {"contests.csv", contest_columns, 3, 0, contest_row},
      {"choices.csv", choice_columns, 3, 0, choice_row},
      {"ballot_styles.csv", style_columns, 2, 0, style_row},
      {"polling_places.csv", polling_columns, 4, 1, polling_row},
  };
  pc_election_model_t m;
  memset(&m, 0, sizeof m);
  reader_t r;
  memset(&r, 0, sizeof r);
  r.m = &m;
  r.maps = json_object();
  r.err = err;
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < sizeof files / sizeof files[0]; i++) {
    r.columns = files[i].columns;
    r.required = files[i].required;
    r.row = files[i].row;
    rc = read_file(&r, dir, files[i].file, files[i].optional);
  }
  json_decref(r.maps);
  if (rc == 0 && !m.election.code[0]) rc = pc_error_set_at(err, PC_EINVAL, "election.csv", 0, NULL, "no election row");
  if (rc != 0) {
    pc_elections_model_free(&m);
    return rc;
  }
  *model = m;
  return 0;
}

int pc_elections_import(pc_store_t *store, const pc_actor_t *actor, const char *path, int64_t *id, pc_error_t *err) {
  struct stat st;
  if (stat(path, &st) != 0) return pc_error_set_at(err, PC_ENOTFOUND, path, 0, NULL, "no such file or directory");
  pc_election_model_t model;
  int rc;
  if (S_ISDIR(st.st_mode)) {
    rc = pc_elections_parse_csv_set(path, &model, err);
  } else {
    char *data = NULL;
    size_t size = 0;
    rc = pc_file_read_all(path, PC_ELECTIONS_IMPORT_MAX, &data, &size, err);
    if (rc == 0) {
      rc = pc_elections_parse_err(data, size, &model, err);
      free(data);
      if (rc != 0 && err && !err->file[0]) pc_strlcpy(err->file, path, sizeof err->file);
    }
  }
  if (rc != 0) return rc;
  rc = pc_elections_save(store, actor, &model, id, err);
  pc_elections_model_free(&model);
  return rc;
}
