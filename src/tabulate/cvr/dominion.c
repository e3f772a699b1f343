/* Dominion cast vote records: a folder with CandidateManifest.json,
 * ContestManifest.json, PrecinctPortionManifest.json (PrecinctManifest.json
 * when present) and CvrExport.json or CvrExport_1.json, _2, ... (stopping at
 * the first missing number, as RCTab does). Manifests are small and loaded
 * whole with jansson; export files are walked one session at a time (jansson
 * decodes each session object; only the enclosing object/array punctuation is
 * stepped over here), so memory is one session, not one file. Candidates are
 * delivered as Dominion candidate ids, which RCTab configs alias to names. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/cvr.h"

#include <jansson.h>

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tabulate/cvr/dominion.h"
#include "tabulate/cvr/marks.h"

#define DOMINION_MAX_MANIFEST_BYTES ((size_t)256 << 20)
#define DOMINION_MAX_EXPORT_FILES 100000

typedef struct {
  const pc_cvr_source_t *source;
  pc_cvr_ballot_fn on_ballot;
  void *context;
  json_t *precincts;  /* "id" -> description; NULL without PrecinctManifest.json */
  json_t *portions;   /* "id" -> description */
  json_t *contests;   /* "id" -> true */
  json_t *candidates; /* "id" -> contest id */
  uint64_t ballots;
  pc_buf_t text;
  pc_cvr_mark_t *marks;
  size_t mark_cap;
} dominion_reader_t;

/* A JSON id (integer or string) as text, as Java's toString() gives it. */
static int id_text(const json_t *value, char *out, size_t size) {
  if (json_is_integer(value)) return pc_snprintf(out, size, "%lld", (long long)json_integer_value(value));
  if (json_is_string(value)) return pc_strlcpy(out, json_string_value(value), size);
  return PC_EINVAL;
}

static int load_manifest(const char *dir, const char *name, int required, json_t **out, pc_error_t *err) {
  pc_buf_t path;
  pc_buf_init(&path, 8192);
  (void)pc_buf_appendf(&path, "%s/%s", dir, name);
  *out = NULL;
  struct stat st;
  int rc = 0;
  if (stat(pc_buf_str(&path), &st) != 0) {
    if (required)
      rc = pc_error_set_at(err, PC_EIO, pc_buf_str(&path), 0, NULL, "cannot open Dominion manifest: %s",
                           strerror(errno));
  } else if ((uint64_t)st.st_size > DOMINION_MAX_MANIFEST_BYTES) {
    rc = pc_error_set_at(err, PC_ELIMIT, pc_buf_str(&path), 0, NULL, "manifest larger than %zu bytes",
                         DOMINION_MAX_MANIFEST_BYTES);
  } else {
    json_error_t jerr;
    json_t *root = json_load_file(pc_buf_str(&path), JSON_REJECT_DUPLICATES, &jerr);
    json_t *list = root ? json_object_get(root, "List") : NULL;
    if (root == NULL)
      rc = pc_error_set_at(err, PC_EINVAL, pc_buf_str(&path), jerr.line, NULL, "malformed JSON: %s", jerr.text);
    else if (!json_is_array(list))
      rc = pc_error_set_at(err, PC_EINVAL, pc_buf_str(&path), 0, "List",
                           "expected a \"List\" array of manifest entries");
    if (rc == 0) *out = json_incref(list);
    json_decref(root);
  }
  pc_buf_free(&path);
  return rc;
}

/* Builds "id" -> VALUE_KEY (or true) from a manifest list. */
static int index_manifest(const char *dir, const char *name, const json_t *list, const char *value_key,
                          int integer_ids, json_t **out, pc_error_t *err) {
  json_t *map = json_object();
  size_t i;
  json_t *entry;
  json_array_foreach(list, i, entry) {
    json_t *id = json_object_get(entry, "Id");
    json_t *value = value_key ? json_object_get(entry, value_key) : json_true();
    char key[64], value_text[PC_CVR_MAX_FIELD_BYTES + 1];
    int bad = id == NULL || (integer_ids && !json_is_integer(id)) || id_text(id, key, sizeof key) != 0;
    if (!bad && value_key && strcmp(value_key, "ContestId") == 0) {
      bad = id_text(value, value_text, sizeof value_text) != 0;
      value = json_string(value_text);
    } else if (!bad && value_key) {
      bad = !json_is_string(value) && !json_is_null(value);
      value = json_incref(value);
    }
    if (bad) {
      json_decref(map);
      return pc_error_set_at(err, PC_EINVAL, dir, 0, name,
                             "entry %zu: expected an integer \"Id\"%s%s", i + 1,
                             value_key ? " and a \"" : "", value_key ? value_key : "");
    }
    json_object_set_new(map, key, value);
  }
  *out = map;
  return 0;
}

static int load_manifests(dominion_reader_t *d, pc_error_t *err) {
  const char *dir = d->source->path;
  json_t *list = NULL;
  int rc = load_manifest(dir, "PrecinctManifest.json", 0, &list, err);
  if (rc == 0 && list) rc = index_manifest(dir, "PrecinctManifest.json", list, "Description", 1, &d->precincts, err);
  json_decref(list);
  list = NULL;
  if (rc == 0) rc = load_manifest(dir, "PrecinctPortionManifest.json", 1, &list, err);
  if (rc == 0)
    rc = index_manifest(dir, "PrecinctPortionManifest.json", list, "Description", 1, &d->portions, err);
  json_decref(list);
  list = NULL;
  if (rc == 0) rc = load_manifest(dir, "ContestManifest.json", 1, &list, err);
  if (rc == 0) rc = index_manifest(dir, "ContestManifest.json", list, NULL, 0, &d->contests, err);
  json_decref(list);
  list = NULL;
  if (rc == 0) rc = load_manifest(dir, "CandidateManifest.json", 1, &list, err);
  if (rc == 0) rc = index_manifest(dir, "CandidateManifest.json", list, "ContestId", 1, &d->candidates, err);
  json_decref(list);
  return rc;
}

typedef struct {
  const char *file;
  size_t session; /* 1-based */
  pc_error_t *err;
} where_t;

__attribute__((format(printf, 3, 4))) static int session_error(const where_t *w, int code, const char *fmt, ...) {
  char what[600];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (n < 0) what[0] = '\0';
  return pc_error_set_at(w->err, code, w->file, (long)w->session, NULL, "session %zu: %s", w->session, what);
}

/* Delivers one contest object of a card as a ballot. */
static int read_contest(dominion_reader_t *d, const where_t *w, const json_t *contest, const char *record,
                        const char *batch, const char *tabulator, const char *precinct, const char *portion) {
  json_t *marks = json_object_get(contest, "Marks");
  if (!json_is_array(marks)) return session_error(w, PC_EINVAL, "contest without a \"Marks\" array");
  size_t count = json_array_size(marks);
  if (count > PC_CVR_MAX_MARKS_PER_BALLOT)
    return session_error(w, PC_ELIMIT, "more than %d marks in one contest", PC_CVR_MAX_MARKS_PER_BALLOT);
  if (count + 1 > d->mark_cap) {
    d->mark_cap = count + 1;
    d->marks = pc_xreallocarray(d->marks, d->mark_cap, sizeof *d->marks);
  }
  pc_buf_reset(&d->text);
  size_t *offsets = pc_xcalloc(count + 1, sizeof *offsets);
  size_t kept = 0;
  int rc = 0;
  for (size_t i = 0; i < count && rc == 0; i++) {
    json_t *mark = json_array_get(marks, i);
    json_t *ambiguous = json_object_get(mark, "IsAmbiguous");
    json_t *rank = json_object_get(mark, "Rank");
    char candidate[64];
    if (!json_is_boolean(ambiguous) || !json_is_integer(rank) ||
        id_text(json_object_get(mark, "CandidateId"), candidate, sizeof candidate) != 0) {
      rc = session_error(w, PC_EINVAL, "mark %zu: expected \"CandidateId\", integer \"Rank\" and boolean "
                                       "\"IsAmbiguous\"", i + 1);
      break;
    }
    if (json_is_true(ambiguous)) continue; /* RCTab skips ambiguous marks */
    json_int_t r = json_integer_value(rank);
    if (r < -2147483647 || r > 2147483647) {
      rc = session_error(w, PC_EINVAL, "mark %zu: rank %lld out of range", i + 1, (long long)r);
      break;
    }
    int is_label = (d->source->undeclared_write_in_label && strcmp(candidate, d->source->undeclared_write_in_label) == 0) ||
                   (d->source->overvote_label && strcmp(candidate, d->source->overvote_label) == 0);
    const char *in_contest = json_string_value(json_object_get(d->candidates, candidate));
    if (!is_label && (in_contest == NULL || strcmp(in_contest, d->source->contest_id) != 0)) {
      rc = session_error(w, PC_EINVAL, "candidate ID '%s' is not valid for contest '%s'; expected a "
                                       "candidate of that contest in CandidateManifest.json",
                         candidate, d->source->contest_id);
      break;
    }
    offsets[kept] = d->text.len;
    if (pc_buf_append(&d->text, candidate, strlen(candidate) + 1) != 0) {
      rc = session_error(w, PC_ELIMIT, "contest text too large");
      break;
    }
    d->marks[kept].rank = (int)r;
    kept++;
  }
  if (rc == 0) {
    for (size_t i = 0; i < kept; i++) d->marks[i].candidate = d->text.data + offsets[i];
    pc_cvr_marks_sort(d->marks, kept);
    pc_cvr_ballot_t ballot = {.ballot_id = record, .precinct = precinct, .batch = batch, .marks = d->marks,
                              .mark_count = kept, .file = w->file, .line = (long)w->session,
                              .tabulator_id = tabulator, .precinct_portion = portion};
    rc = d->on_ballot(d->context, &ballot, w->err);
    if (rc == 0) d->ballots++;
  }
  free(offsets);
  return rc;
}

/* One element of "Sessions": picks Original or Modified, resolves the
 * precinct, and delivers each card's contest object for the configured contest. */
static int read_session(dominion_reader_t *d, const where_t *w, const json_t *session) {
  char record[64], batch[64], tabulator[64];
  if (!json_is_object(session) || id_text(json_object_get(session, "TabulatorId"), tabulator, sizeof tabulator) ||
      id_text(json_object_get(session, "BatchId"), batch, sizeof batch) ||
      !json_is_integer(json_object_get(session, "RecordId")) ||
      id_text(json_object_get(session, "RecordId"), record, sizeof record))
    return session_error(w, PC_EINVAL, "expected an object with \"TabulatorId\", \"BatchId\" and integer \"RecordId\"");
  json_t *data = json_object_get(session, "Original");
  json_t *current = json_object_get(data, "IsCurrent");
  if (!json_is_object(data) || !json_is_boolean(current))
    return session_error(w, PC_EINVAL, "expected an \"Original\" object with boolean \"IsCurrent\"");
  if (json_is_false(current)) {
    data = json_object_get(session, "Modified");
    if (!json_is_object(data)) return 0; /* RCTab: no adjudicated rankings, skipped */
  }
  const char *precinct = NULL;
  json_t *precinct_id = json_object_get(data, "PrecinctId");
  char key[64];
  if (precinct_id && !json_is_null(precinct_id)) {
    json_t *name = NULL;
    if (json_is_integer(precinct_id) && id_text(precinct_id, key, sizeof key) == 0 && d->precincts)
      name = json_object_get(d->precincts, key);
    if (name == NULL)
      return session_error(w, PC_EINVAL, "precinct ID \"%s\" from CVR not found in manifest data",
                           json_is_integer(precinct_id) ? key : "(not an integer)");
    precinct = json_string_value(name);
  }
  json_t *portion_id = json_object_get(data, "PrecinctPortionId");
  const char *portion = NULL;
  if (portion_id && !json_is_null(portion_id)) {
    json_t *described = NULL;
    if (!json_is_integer(portion_id) || id_text(portion_id, key, sizeof key) != 0 ||
        (described = json_object_get(d->portions, key)) == NULL)
      return session_error(w, PC_EINVAL, "precinct portion ID \"%s\" from CVR not found in manifest data",
                           json_is_integer(portion_id) ? key : "(not an integer)");
    portion = json_string_value(described);
  }
  json_t *cards = json_object_get(data, "Cards");
  size_t card_count = json_is_array(cards) ? json_array_size(cards) : 1;
  for (size_t c = 0; c < card_count; c++) {
    const json_t *card = json_is_array(cards) ? json_array_get(cards, c) : data;
    json_t *contests = json_object_get(card, "Contests");
    if (!json_is_array(contests)) return session_error(w, PC_EINVAL, "card %zu: expected a \"Contests\" array", c + 1);
    size_t i;
    json_t *contest;
    json_array_foreach(contests, i, contest) {
      char contest_id[64];
      if (id_text(json_object_get(contest, "Id"), contest_id, sizeof contest_id) != 0)
        return session_error(w, PC_EINVAL, "card %zu contest %zu: expected an \"Id\"", c + 1, i + 1);
      if (strcmp(contest_id, d->source->contest_id) != 0) continue;
      if (json_object_get(d->contests, contest_id) == NULL)
        return session_error(w, PC_EINVAL, "unknown contest ID '%s' found while parsing CVR", contest_id);
      int rc = read_contest(d, w, contest, record, batch, tabulator, precinct, portion);
      if (rc) return rc;
    }
  }
  return 0;
}

/* Steps over JSON whitespace from *POS. */
static void skip_space(const char *data, size_t size, size_t *pos) {
  while (*pos < size && (data[*pos] == ' ' || data[*pos] == '\t' || data[*pos] == '\n' || data[*pos] == '\r'))
    (*pos)++;
}

/* Decodes one JSON value at *POS with jansson and moves *POS past it. */
static json_t *decode_at(const char *data, size_t size, size_t *pos, const where_t *w, int *rc) {
  json_error_t jerr;
  json_t *value = json_loadb(data + *pos, size - *pos, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &jerr);
  if (value == NULL) {
    *rc = pc_error_set_at(w->err, PC_EINVAL, w->file, (long)w->session, NULL,
                          "malformed JSON at byte %zu: %s", *pos + (size_t)jerr.position, jerr.text);
    return NULL;
  }
  *pos += (size_t)jerr.position;
  return value;
}

static int expect_char(const char *data, size_t size, size_t *pos, char c, const where_t *w, const char *what) {
  skip_space(data, size, pos);
  if (*pos >= size || data[*pos] != c)
    return pc_error_set_at(w->err, PC_EINVAL, w->file, (long)w->session, NULL,
                           "malformed JSON at byte %zu: expected %s", *pos, what);
  (*pos)++;
  return 0;
}

/* Walks the top-level object of an export in DATA: every member but
 * "Sessions" is decoded and dropped; each session is decoded and read alone. */
static int walk_export(dominion_reader_t *d, const char *file, const char *data, size_t size, pc_error_t *err) {
  where_t w = {.file = file, .session = 0, .err = err};
  size_t pos = 0;
  if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) pos = 3;
  int rc = expect_char(data, size, &pos, '{', &w, "'{' opening the export object");
  int saw_sessions = 0;
  skip_space(data, size, &pos);
  if (rc == 0 && pos < size && data[pos] == '}') pos++;
  else
    while (rc == 0) {
      json_t *key = decode_at(data, size, &pos, &w, &rc);
      if (key == NULL) break;
      int is_sessions = json_is_string(key) && strcmp(json_string_value(key), "Sessions") == 0;
      if (!json_is_string(key)) rc = expect_char(data, size, &pos, '"', &w, "a member name");
      json_decref(key);
      if (rc || (rc = expect_char(data, size, &pos, ':', &w, "':' after a member name"))) break;
      if (!is_sessions) {
        json_t *skipped = decode_at(data, size, &pos, &w, &rc);
        json_decref(skipped);
      } else {
        saw_sessions = 1;
        if ((rc = expect_char(data, size, &pos, '[', &w, "'[' opening \"Sessions\""))) break;
        skip_space(data, size, &pos);
        if (pos < size && data[pos] == ']') pos++;
        else
          while (rc == 0) {
            w.session++;
            json_t *session = decode_at(data, size, &pos, &w, &rc);
            if (session == NULL) break;
            rc = read_session(d, &w, session);
            json_decref(session);
            if (rc) break;
            skip_space(data, size, &pos);
            if (pos < size && data[pos] == ']') {
              pos++;
              break;
            }
            rc = expect_char(data, size, &pos, ',', &w, "',' or ']' after a session");
          }
        w.session = 0;
      }
      if (rc) break;
      skip_space(data, size, &pos);
      if (pos < size && data[pos] == '}') {
        pos++;
        break;
      }
      rc = expect_char(data, size, &pos, ',', &w, "',' or '}' after a member");
    }
  if (rc == 0) {
    skip_space(data, size, &pos);
    if (pos != size)
      rc = pc_error_set_at(err, PC_EINVAL, file, 0, NULL, "malformed JSON at byte %zu: data after the export object", pos);
  }
  if (rc == 0 && !saw_sessions)
    rc = pc_error_set_at(err, PC_EINVAL, file, 0, "Sessions", "expected a \"Sessions\" array");
  return rc;
}

static int read_export_file(dominion_reader_t *d, const char *file, pc_error_t *err) {
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return pc_error_set_at(err, PC_EIO, file, 0, NULL, "cannot open: %s", strerror(errno));
  struct stat st;
  int rc = 0;
  if (fstat(fd, &st) != 0) rc = pc_error_set_at(err, PC_EIO, file, 0, NULL, "cannot stat: %s", strerror(errno));
  else if ((uint64_t)st.st_size > PC_CVR_MAX_JSON_FILE_BYTES)
    rc = pc_error_set_at(err, PC_ELIMIT, file, 0, NULL, "file larger than %llu bytes",
                         (unsigned long long)PC_CVR_MAX_JSON_FILE_BYTES);
  else if (st.st_size == 0)
    rc = pc_error_set_at(err, PC_EINVAL, file, 0, NULL, "empty file; expected a Dominion CVR export object");
  if (rc == 0) {
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      rc = pc_error_set_at(err, PC_EIO, file, 0, NULL, "cannot map: %s", strerror(errno));
    } else {
      (void)madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
      rc = walk_export(d, file, map, (size_t)st.st_size, err);
      munmap(map, (size_t)st.st_size);
    }
  }
  close(fd);
  return rc;
}

static void reader_free(dominion_reader_t *d) {
  json_decref(d->precincts);
  json_decref(d->portions);
  json_decref(d->contests);
  json_decref(d->candidates);
  pc_buf_free(&d->text);
  free(d->marks);
}

int pc_dominion_read_export_file(const pc_cvr_source_t *source, const char *file, const char *manifest_dir,
                                 pc_cvr_ballot_fn on_ballot, void *context, uint64_t *ballots_read,
                                 pc_error_t *err) {
  dominion_reader_t d = {.source = source, .on_ballot = on_ballot, .context = context};
  pc_buf_init(&d.text, (size_t)PC_CVR_MAX_MARKS_PER_BALLOT * 64);
  pc_cvr_source_t folder = *source;
  folder.path = manifest_dir;
  d.source = &folder;
  int rc = load_manifests(&d, err);
  d.source = source;
  if (rc == 0) rc = read_export_file(&d, file, err);
  if (rc == 0 && ballots_read) *ballots_read = d.ballots;
  reader_free(&d);
  return rc;
}

static int by_number(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return x < y ? -1 : x > y;
}

/* The <n> of every CvrExport_<n>.json in DIR, ascending. */
static int list_export_numbers(const char *dir, long **numbers, size_t *count, pc_error_t *err) {
  DIR *d = opendir(dir);
  if (d == NULL) return pc_error_set_at(err, PC_EIO, dir, 0, NULL, "cannot open folder: %s", strerror(errno));
  size_t cap = 0;
  struct dirent *entry;
  int rc = 0;
  while ((entry = readdir(d)) != NULL) {
    const char *name = entry->d_name;
    if (strncmp(name, "CvrExport_", 10) != 0) continue;
    const char *digits = name + 10;
    size_t n = strspn(digits, "0123456789");
    if (n == 0 || n > 9 || strcmp(digits + n, ".json") != 0) continue;
    char number[10];
    memcpy(number, digits, n);
    number[n] = '\0';
    long long value = 0;
    if (pc_parse_int64(number, 0, 999999999, &value) != 0) continue;
    /* Files are opened again by number ("CvrExport_%ld.json"): a name that
     * spells its number otherwise would be read as its twin, twice. */
    if (n > 1 && digits[0] == '0') {
      rc = pc_error_set_at(err, PC_EINVAL, dir, 0, NULL,
                           "%s: an export file's number has no leading zero (expected CvrExport_%lld.json)", name, value);
      break;
    }
    if (*count >= DOMINION_MAX_EXPORT_FILES) {
      rc = pc_error_set_at(err, PC_ELIMIT, dir, 0, NULL, "more than %d CvrExport files", DOMINION_MAX_EXPORT_FILES);
      break;
    }
    if (*count == cap) {
      cap = cap ? cap * 2 : 64;
      *numbers = pc_xreallocarray(*numbers, cap, sizeof **numbers);
    }
    (*numbers)[(*count)++] = (long)value;
  }
  closedir(d);
  if (rc == 0 && *count > 1) qsort(*numbers, *count, sizeof **numbers, by_number);
  return rc;
}

int pc_cvr_read_dominion(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                         uint64_t *ballots_read, pc_error_t *err) {
  return pc_dominion_read_folder(source, 0, on_ballot, context, ballots_read, err);
}

int pc_dominion_read_folder(const pc_cvr_source_t *source, int allow_no_ballots, pc_cvr_ballot_fn on_ballot,
                            void *context, uint64_t *ballots_read, pc_error_t *err) {
  assert(source != NULL && source->path != NULL && on_ballot != NULL);
  if (source->contest_id == NULL || source->contest_id[0] == '\0')
    return pc_error_set_at(err, PC_EINVAL, source->path, 0, "contestId", "a Dominion source needs the contest id to read");
  dominion_reader_t d = {.source = source, .on_ballot = on_ballot, .context = context};
  pc_buf_init(&d.text, (size_t)PC_CVR_MAX_MARKS_PER_BALLOT * 64);
  int rc = load_manifests(&d, err);
  pc_buf_t file;
  pc_buf_init(&file, 8192);
  if (rc == 0) {
    struct stat st;
    (void)pc_buf_appendf(&file, "%s/CvrExport.json", source->path);
    if (stat(pc_buf_str(&file), &st) == 0) {
      rc = read_export_file(&d, pc_buf_str(&file), err);
    } else {
      long *numbers = NULL;
      size_t count = 0;
      rc = list_export_numbers(source->path, &numbers, &count, err);
      if (rc == 0 && count == 0)
        rc = pc_error_set_at(err, PC_ENOTFOUND, source->path, 0, NULL,
                             "neither CvrExport.json nor CvrExport_<n>.json files exist in the folder");
      for (size_t i = 0; i < count && rc == 0; i++) {
        pc_buf_reset(&file);
        (void)pc_buf_appendf(&file, "%s/CvrExport_%ld.json", source->path, numbers[i]);
        rc = read_export_file(&d, pc_buf_str(&file), err);
      }
      free(numbers);
    }
  }
  if (rc == 0 && d.ballots == 0 && !allow_no_ballots)
    rc = pc_error_set_at(err, PC_EINVAL, source->path, 0, "contestId",
                         "no cast vote record data found for contest '%s'", source->contest_id);
  if (rc == 0 && ballots_read) *ballots_read = d.ballots;
  pc_buf_free(&file);
  reader_free(&d);
  return rc;
}
