/* A county's Dominion cast vote record export uploaded as one .zip: the
 * entries the Dominion reader needs (CvrExport.json or CvrExport_<n>.json,
 * the *Manifest.json files) are streamed out of the zip with libzip into a
 * private temporary folder under size limits (each entry, all entries, the
 * number of entries; a header that lies is caught while inflating), the
 * ranked contests and their candidates of the manifests are matched to the
 * election by name, and the tabulation module's Dominion reader reads each
 * contest into ballot sets. Checking and storing: ingest_cvr.c. Does not
 * read other vendors' zips (an ES&S .xlsx is refused as "not Dominion"). */
#include "rcv.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/cvr.h"
#include "tabulate/cvr/dominion.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define MANIFEST_MAX ((uint64_t)256 << 20)
#define ZIP_CHUNK 65536

const pc_rcv_zip_limits_t pc_rcv_zip_default_limits = {
    .entry_bytes = PC_CVR_MAX_JSON_FILE_BYTES, /* the Dominion reader's own limit */
    .total_bytes = (uint64_t)4 << 30,
    .entries = 10000,
};

/* One extracted entry: its name in the temporary folder and in the zip. */
typedef struct entry { char *base, *name; } entry_t;

typedef struct export {
  const char *file_name;  /* the upload */
  char dir[256];          /* the temporary folder, "" until made */
  entry_t *entries;
  size_t count;
  int has_export;
} export_t;

/* The entry name without folders; NULL for entries the reader does not need. */
static const char *wanted(const char *name) {
  const char *slash = strrchr(name, '/'), *back = strrchr(name, '\\');
  const char *base = slash ? slash + 1 : name;
  if (back && back + 1 > base) base = back + 1;
  size_t n = strlen(base);
  if (strcmp(base, "CvrExport.json") == 0) return base;
  if (strncmp(base, "CvrExport_", 10) == 0) {
    size_t digits = strspn(base + 10, "0123456789");
    return digits > 0 && digits <= 9 && strcmp(base + 10 + digits, ".json") == 0 ? base : NULL;
  }
  if (n > 13 && n < 96 && strcmp(base + n - 13, "Manifest.json") == 0 && strspn(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                                   "abcdefghijklmnopqrstuvwxyz") == n - 5)
    return base;
  return NULL;
}

/* "UPLOAD/ENTRY" for messages. */
static const char *where(const export_t *x, const char *base, char *out, size_t size) {
  const char *name = base;
  for (size_t i = 0; i < x->count; i++)
    if (strcmp(x->entries[i].base, base) == 0) name = x->entries[i].name;
  pc_snprintf(out, size, "%s/%s", x->file_name, name);
  return out;
}

/* The Dominion reader reads either CvrExport.json alone or CvrExport_<n>.json
 * by number (src/tabulate/cvr/dominion.c), so an export entry whose name
 * does not spell its number the one way the reader rebuilds it
 * (CvrExport_01.json beside CvrExport_1.json), or a single-file export beside
 * numbered ones, would have some files read twice and others never: refused,
 * naming both entries, before any ballot is read. */
static int check_export_name(const export_t *x, const char *name, const char *base, pc_error_t *err) {
  if (strncmp(base, "CvrExport", 9) != 0) return 0;
  int numbered = base[9] == '_';
  if (numbered) {
    char canonical[32];
    long number = strtol(base + 10, NULL, 10);
    pc_snprintf(canonical, sizeof canonical, "CvrExport_%ld.json", number);
    if (strcmp(canonical, base) != 0)
      return pc_error_set_at(err, PC_EINVAL, x->file_name, 0, NULL,
                             "entry %s: an export file's number has no leading zero (expected %s)", name, canonical);
  }
  for (size_t k = 0; k < x->count; k++) {
    const char *other = x->entries[k].base;
    if (strncmp(other, "CvrExport", 9) == 0 && (other[9] == '_') != numbered)
      return pc_error_set_at(err, PC_EINVAL, x->file_name, 0, NULL,
                             "the zip holds a single-file export and a multi-file export (%s and %s); upload one",
                             x->entries[k].name, name);
  }
  return 0;
}

static int extract_entry(export_t *x, zip_t *zip, zip_uint64_t index, const char *name, const char *base,
                         uint64_t declared, const pc_rcv_zip_limits_t *limits, uint64_t *total, pc_error_t *err) {
  char at[512];
  pc_snprintf(at, sizeof at, "%s/%s", x->file_name, name);
  uint64_t limit = strncmp(base, "CvrExport", 9) == 0 ? limits->entry_bytes
                                                      : (limits->entry_bytes < MANIFEST_MAX ? limits->entry_bytes : MANIFEST_MAX);
  if (declared > limit)
    return pc_error_set_at(err, PC_ELIMIT, at, 0, NULL, "zip entry inflates to %llu bytes, more than the %llu allowed",
                           (unsigned long long)declared, (unsigned long long)limit);
  if (*total + declared > limits->total_bytes)
    return pc_error_set_at(err, PC_ELIMIT, at, 0, NULL, "the zip's entries inflate to more than the %llu bytes allowed",
                           (unsigned long long)limits->total_bytes);
  zip_file_t *in = zip_fopen_index(zip, index, 0);
  if (!in) return pc_error_set_at(err, PC_EINVAL, at, 0, NULL, "cannot read the zip entry: %s", zip_strerror(zip));
  char path[512];
  pc_snprintf(path, sizeof path, "%s/%s", x->dir, base);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  int rc = 0;
  if (fd < 0) rc = pc_error_set_at(err, PC_EIO, at, 0, NULL, "cannot write a temporary file: %s", strerror(errno));
  else {
    x->entries = pc_xreallocarray(x->entries, x->count + 1, sizeof *x->entries);
    x->entries[x->count++] = (entry_t){pc_xstrdup(base), pc_xstrdup(name)};
  }
  char *chunk = pc_xmalloc(ZIP_CHUNK);
  uint64_t inflated = 0;
  while (rc == 0) {
    zip_int64_t n = zip_fread(in, chunk, ZIP_CHUNK);
    if (n < 0) {
      rc = pc_error_set_at(err, PC_EINVAL, at, 0, NULL, "corrupt zip entry: %s", zip_file_strerror(in));
      break;
    }
    if (n == 0) break;
    inflated += (uint64_t)n;
    /* a header that lies about the size stops here, not at the disk's end */
    if (inflated > declared) {
      rc = pc_error_set_at(err, PC_ELIMIT, at, 0, NULL, "zip entry inflates beyond the %llu bytes its header declares",
                           (unsigned long long)declared);
      break;
    }
    for (zip_int64_t done = 0; rc == 0 && done < n;) {
      ssize_t w = write(fd, chunk + done, (size_t)(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) rc = pc_error_set_at(err, PC_EIO, at, 0, NULL, "cannot write a temporary file: %s", strerror(errno));
      else done += w;
    }
  }
  if (rc == 0 && inflated != declared)
    rc = pc_error_set_at(err, PC_EINVAL, at, 0, NULL, "corrupt zip entry: %llu bytes, the header says %llu",
                         (unsigned long long)inflated, (unsigned long long)declared);
  free(chunk);
  if (fd >= 0 && close(fd) != 0 && rc == 0)
    rc = pc_error_set_at(err, PC_EIO, at, 0, NULL, "cannot write a temporary file: %s", strerror(errno));
  zip_fclose(in);
  *total += inflated;
  return rc;
}

static int extract(export_t *x, const char *data, size_t size, const pc_rcv_zip_limits_t *limits, pc_error_t *err) {
  zip_error_t zerr;
  zip_error_init(&zerr);
  zip_source_t *source = zip_source_buffer_create(data, size, 0, &zerr);
  zip_t *zip = source ? zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &zerr) : NULL;
  if (!zip) {
    int rc = pc_error_set_at(err, PC_EINVAL, x->file_name, 0, NULL, "not a readable zip: %s", zip_error_strerror(&zerr));
    if (source) zip_source_free(source);
    zip_error_fini(&zerr);
    return rc;
  }
  zip_error_fini(&zerr);
  int rc = 0;
  zip_int64_t count = zip_get_num_entries(zip, 0);
  if (count < 0 || (uint64_t)count > limits->entries)
    rc = pc_error_set_at(err, PC_ELIMIT, x->file_name, 0, NULL, "the zip has %lld entries, more than the %zu allowed",
                         (long long)count, limits->entries);
  if (rc == 0 && zip_name_locate(zip, "xl/workbook.xml", 0) >= 0)
    rc = pc_error_set_at(err, PC_EINVAL, x->file_name, 0, NULL,
                         "an Excel workbook (ES&S) is not accepted; upload a Dominion export .zip or a CDF report");
  const char *tmp = getenv("TMPDIR");
  if (rc == 0) {
    pc_snprintf(x->dir, sizeof x->dir, "%s/precinct-cvr-XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
    if (!mkdtemp(x->dir)) {
      x->dir[0] = '\0';
      rc = pc_error_set_at(err, PC_EIO, x->file_name, 0, NULL, "cannot make a temporary folder: %s", strerror(errno));
    }
  }
  uint64_t total = 0;
  for (zip_int64_t i = 0; rc == 0 && i < count; i++) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE)) {
      rc = pc_error_set_at(err, PC_EINVAL, x->file_name, 0, NULL, "corrupt zip: entry %lld unreadable", (long long)i);
      break;
    }
    const char *base = wanted(st.name);
    if (!base) continue;
    for (size_t k = 0; rc == 0 && k < x->count; k++)
      if (strcmp(x->entries[k].base, base) == 0)
        rc = pc_error_set_at(err, PC_EINVAL, x->file_name, 0, NULL, "the zip holds %s twice (%s and %s)", base,
                             x->entries[k].name, st.name);
    if (rc == 0) rc = check_export_name(x, st.name, base, err);
    if (rc == 0) rc = extract_entry(x, zip, (zip_uint64_t)i, st.name, base, st.size, limits, &total, err);
    if (rc == 0 && strncmp(base, "CvrExport", 9) == 0) x->has_export = 1;
  }
  zip_discard(zip); /* frees the source */
  return rc;
}

static void cleanup(export_t *x) {
  for (size_t i = 0; i < x->count; i++) {
    if (x->dir[0]) {
      char path[512];
      pc_snprintf(path, sizeof path, "%s/%s", x->dir, x->entries[i].base);
      unlink(path);
    }
    free(x->entries[i].base);
    free(x->entries[i].name);
  }
  free(x->entries);
  if (x->dir[0]) rmdir(x->dir);
}

static json_t *load_list(const export_t *x, const char *base, pc_error_t *err) {
  char path[512], at[512];
  pc_snprintf(path, sizeof path, "%s/%s", x->dir, base);
  json_error_t jerr;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) {
    pc_error_set_at(err, PC_EINVAL, where(x, base, at, sizeof at), jerr.line, NULL, "malformed JSON: %s", jerr.text);
    return NULL;
  }
  if (!json_is_array(json_object_get(root, "List"))) {
    pc_error_set_at(err, PC_EINVAL, where(x, base, at, sizeof at), 0, "List", "expected a \"List\" array");
    json_decref(root);
    return NULL;
  }
  return root;
}

/* A name matched exactly (code or name), else ignoring case when only one
 * code or name matches: Dominion exports often spell names in capitals.
 * NAMES gives item I's code and name. */
typedef void (*names_fn)(const void *items, size_t i, const char **code, const char **name);

static int casefold_find(const void *items, size_t count, names_fn names, const char *wanted) {
  int found = -1;
  for (size_t i = 0; i < count; i++) {
    const char *code, *name;
    names(items, i, &code, &name);
    if (strcasecmp(code, wanted) != 0 && strcasecmp(name, wanted) != 0) continue;
    if (found >= 0) return -1; /* two: ambiguous */
    found = (int)i;
  }
  return found;
}

static void contest_names(const void *items, size_t i, const char **code, const char **name) {
  const pc_contest_t *c = &((const pc_contest_t *)items)[i];
  *code = c->code;
  *name = c->name;
}

static void choice_names(const void *items, size_t i, const char **code, const char **name) {
  const pc_choice_t *c = &((const pc_choice_t *)items)[i];
  *code = c->code;
  *name = c->name;
}

static int match_contest(const pc_election_model_t *m, const char *name) {
  int found = pc_elections_find_contest(m, name);
  return found >= 0 ? found : casefold_find(m->contests, m->contest_count, contest_names, name);
}

static int match_choice(const pc_election_model_t *m, int contest, const char *name) {
  int found = pc_elections_find_choice(m, contest, name);
  const pc_contest_t *c = &m->contests[contest];
  return found >= 0 ? found : casefold_find(c->choices, c->choice_count, choice_names, name);
}

static int id_text(const json_t *value, char *out, size_t size) {
  if (json_is_integer(value)) return pc_snprintf(out, size, "%lld", (long long)json_integer_value(value)) < 0 ? -1 : 0;
  if (json_is_string(value) && json_string_length(value) > 0 && json_string_length(value) < size) {
    pc_strlcpy(out, json_string_value(value), size);
    return 0;
  }
  return -1;
}

/* One ranked contest of the manifests: its Dominion id and the candidate
 * ids mapped to the contest's choices. */
typedef struct ranked {
  int contest;
  char id[32];
  pc_rcv_key_t *keys;
  size_t key_count;
} ranked_t;

static int map_candidates(const export_t *x, const pc_election_model_t *m, json_t *candidates, ranked_t *r,
                          pc_error_t *err) {
  const pc_contest_t *contest = &m->contests[r->contest];
  char at[512], field[64], id[32];
  where(x, "CandidateManifest.json", at, sizeof at);
  json_t *list = json_object_get(candidates, "List");
  for (size_t j = 0; j < json_array_size(list); j++) {
    json_t *item = json_array_get(list, j);
    char contest_id[32];
    if (id_text(json_object_get(item, "ContestId"), contest_id, sizeof contest_id) != 0 || strcmp(contest_id, r->id) != 0)
      continue;
    const char *name = json_string_value(json_object_get(item, "Description"));
    const char *type = json_string_value(json_object_get(item, "Type"));
    pc_snprintf(field, sizeof field, "List[%zu].Id", j);
    if (id_text(json_object_get(item, "Id"), id, sizeof id) != 0)
      return pc_error_set_at(err, PC_EINVAL, at, 0, field, "candidate without an Id");
    pc_snprintf(field, sizeof field, "List[%zu].Description", j);
    int choice = -1;
    if (type && strcmp(type, "WriteIn") == 0) {
      for (size_t k = 0; k < contest->choice_count && choice < 0; k++)
        if (contest->choices[k].is_write_in) choice = (int)k;
      if (choice < 0)
        return pc_error_set_at(err, PC_EINVAL, at, 0, field, "write-in \"%s\" (Id %s): contest \"%s\" has no write-in choice",
                               name ? name : "", id, contest->code);
    } else {
      if (!name) return pc_error_set_at(err, PC_EINVAL, at, 0, field, "candidate %s has no Description", id);
      choice = match_choice(m, r->contest, name);
      if (choice < 0)
        return pc_error_set_at(err, PC_EINVAL, at, 0, field,
                               "candidate \"%s\" (Id %s) is not a choice of contest \"%s\" in election %s", name, id,
                               contest->code, m->election.code);
    }
    r->keys = pc_xreallocarray(r->keys, r->key_count + 1, sizeof *r->keys);
    r->keys[r->key_count++] = (pc_rcv_key_t){pc_xstrdup(id), choice};
  }
  return 0;
}

/* The manifests' ranked contests (NumOfRanks > 0), each matched to an RCV
 * contest of the election with all its candidates. Unranked contests are
 * skipped: their votes come with the returns. */
static int map_contests(const export_t *x, const pc_election_model_t *m, ranked_t **out, size_t *out_count,
                        pc_error_t *err) {
  json_t *contests = load_list(x, "ContestManifest.json", err);
  json_t *candidates = contests ? load_list(x, "CandidateManifest.json", err) : NULL;
  int rc = contests && candidates ? 0 : PC_EINVAL;
  char at[512], field[64];
  where(x, "ContestManifest.json", at, sizeof at);
  json_t *list = json_object_get(contests, "List");
  for (size_t i = 0; rc == 0 && i < json_array_size(list); i++) {
    json_t *item = json_array_get(list, i);
    json_t *ranks = json_object_get(item, "NumOfRanks");
    if (!json_is_integer(ranks) || json_integer_value(ranks) <= 0) continue;
    const char *name = json_string_value(json_object_get(item, "Description"));
    pc_snprintf(field, sizeof field, "List[%zu].Description", i);
    ranked_t r = {.contest = -1};
    if (id_text(json_object_get(item, "Id"), r.id, sizeof r.id) != 0) {
      pc_snprintf(field, sizeof field, "List[%zu].Id", i);
      rc = pc_error_set_at(err, PC_EINVAL, at, 0, field, "contest without an Id");
      break;
    }
    r.contest = name ? match_contest(m, name) : -1;
    if (!name) rc = pc_error_set_at(err, PC_EINVAL, at, 0, field, "contest %s has no Description", r.id);
    else if (r.contest < 0)
      rc = pc_error_set_at(err, PC_EINVAL, at, 0, field, "ranked contest \"%s\" (Id %s) is not in election %s", name, r.id,
                           m->election.code);
    else if (m->contests[r.contest].kind != PC_CONTEST_RCV)
      rc = pc_error_set_at(err, PC_EINVAL, at, 0, field, "contest \"%s\" is ranked in the export but not a ranked-choice "
                           "contest in election %s", name, m->election.code);
    for (size_t k = 0; rc == 0 && k < *out_count; k++)
      if ((*out)[k].contest == r.contest)
        rc = pc_error_set_at(err, PC_EINVAL, at, 0, field, "two ranked contests are \"%s\"", m->contests[r.contest].code);
    if (rc == 0) rc = map_candidates(x, m, candidates, &r, err);
    *out = pc_xreallocarray(*out, *out_count + 1, sizeof **out);
    (*out)[(*out_count)++] = r;
  }
  if (rc == 0 && *out_count == 0)
    rc = pc_error_set_at(err, PC_EINVAL, at, 0, "List", "the export has no ranked contest (NumOfRanks above 0)");
  json_decref(contests);
  json_decref(candidates);
  return rc;
}

/* Errors from the reader name the temporary folder's files: name the zip's. */
static void rename_error(const export_t *x, pc_error_t *err) {
  size_t n = strlen(x->dir);
  if (!err || !x->dir[0] || strncmp(err->file, x->dir, n) != 0) return;
  char at[512];
  if (err->file[n] == '/') where(x, err->file + n + 1, at, sizeof at);
  else pc_strlcpy(at, x->file_name, sizeof at);
  pc_strlcpy(err->file, at, sizeof err->file);
}

int pc_results_dominion_parse_limited(const pc_election_model_t *m, int county, const char *file_name,
                                      const char *data, size_t size, const pc_rcv_zip_limits_t *limits,
                                      pc_rcv_ballots_t **sets, size_t *set_count, pc_error_t *err) {
  *sets = NULL;
  *set_count = 0;
  export_t x = {.file_name = file_name};
  int rc = extract(&x, data, size, limits, err);
  static const char *const required[] = {"CandidateManifest.json", "ContestManifest.json", "PrecinctPortionManifest.json"};
  for (size_t i = 0; rc == 0 && i < 3; i++) {
    int found = 0;
    for (size_t k = 0; k < x.count; k++) found |= strcmp(x.entries[k].base, required[i]) == 0;
    if (!found) rc = pc_error_set_at(err, PC_EINVAL, file_name, 0, NULL, "the zip has no %s (a Dominion export has)", required[i]);
  }
  if (rc == 0 && !x.has_export)
    rc = pc_error_set_at(err, PC_EINVAL, file_name, 0, NULL, "the zip has no CvrExport.json or CvrExport_<n>.json");
  ranked_t *ranked = NULL;
  size_t ranked_count = 0;
  if (rc == 0) rc = map_contests(&x, m, &ranked, &ranked_count, err);
  pc_rcv_ballots_t *out = pc_xcalloc(ranked_count + 1, sizeof *out);
  size_t out_count = 0;
  pc_rcv_mark_t *marks = pc_xcalloc(PC_CVR_MAX_MARKS_PER_BALLOT, sizeof *marks);
  for (size_t i = 0; rc == 0 && i < ranked_count; i++) {
    pc_rcv_read_t r = {.model = m, .county = county, .contest = ranked[i].contest, .write_in = -1, .file_name = x.dir,
                       .name_entries = 1, .precinct_field = "PrecinctPortionId", .contest_field = "Contests",
                       .candidate_field = "CandidateId", .rank_field = "Rank", .keys = ranked[i].keys,
                       .key_count = ranked[i].key_count, .marks = marks};
    pc_rcv_ballots_init(&r.ballots, r.contest);
    pc_cvr_source_t source = {.provider = PC_CVR_DOMINION, .path = x.dir, .contest_id = ranked[i].id};
    uint64_t read = 0;
    rc = pc_dominion_read_folder(&source, 1, pc_results_cvr_on_ballot, &r, &read, err);
    if (rc == 0 && r.ballots.count > 0) out[out_count++] = r.ballots;
    else pc_rcv_ballots_free(&r.ballots); /* none: the county does not vote on it */
  }
  if (rc == 0 && out_count == 0)
    rc = pc_error_set_at(err, PC_EINVAL, file_name, 0, NULL, "the export holds no ballot of a ranked-choice contest");
  if (rc != 0) rename_error(&x, err);
  for (size_t i = 0; i < ranked_count; i++) {
    for (size_t k = 0; k < ranked[i].key_count; k++) free(ranked[i].keys[k].key);
    free(ranked[i].keys);
  }
  free(ranked);
  free(marks);
  cleanup(&x);
  if (rc != 0) {
    for (size_t i = 0; i < out_count; i++) pc_rcv_ballots_free(&out[i]);
    free(out);
    return rc;
  }
  *sets = out;
  *set_count = out_count;
  return 0;
}

int pc_results_dominion_parse(const pc_election_model_t *m, int county, const char *file_name, const char *data,
                              size_t size, pc_rcv_ballots_t **sets, size_t *set_count, pc_error_t *err) {
  return pc_results_dominion_parse_limited(m, county, file_name, data, size, &pc_rcv_zip_default_limits, sets,
                                           set_count, err);
}
