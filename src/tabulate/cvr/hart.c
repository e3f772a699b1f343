/* Hart cast vote records: a folder of per-ballot XML files (*.xml, except
 * *.sig.xml signatures), read in file-name order, each streamed through expat.
 * A ballot is delivered for each <Contest> whose <Id> is the configured
 * contest; each <Option>'s <Value> is a string of 0/1 digits, one per rank.
 * Candidates are delivered as the option <Id> (configs alias ids to names).
 * It does not verify Hart signature files. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/cvr.h"

#include <expat.h>

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define HART_MAX_FILE_BYTES ((uint64_t)64 << 20)
#define HART_MAX_FILES 50000000
#define HART_MAX_DEPTH 64
#define HART_CHUNK 65536

enum { K_OTHER, K_CVR, K_CONTESTS, K_CONTEST, K_OPTIONS, K_OPTION, K_PRECINCT };
enum { F_NONE, F_CONTEST_ID, F_OPTION_NAME, F_OPTION_ID, F_OPTION_VALUE, F_BATCH, F_GUID,
       F_PRECINCT_NAME };

typedef struct {
  int rank;
  size_t contest; /* index of the matching contest within the file */
  size_t seq;     /* file order, to keep the sort stable */
  size_t offset;  /* candidate text in `text` */
} hart_mark_t;

typedef struct {
  char *code, *name;
} hart_candidate_t;

typedef struct {
  size_t id, name, value; /* offsets in `text` */
} hart_option_t;

typedef struct {
  const pc_cvr_source_t *source;
  pc_error_t *err;
  XML_Parser parser;
  const char *file;
  int rc;
  int kinds[HART_MAX_DEPTH];
  int depth;
  int field;
  pc_buf_t value;
  /* current contest / option: options are kept until </Contest>, because
   * the contest's <Id> may come after its <Options> */
  int contest_matches;
  size_t contest_text_start;
  hart_option_t *options;
  size_t option_count, option_cap;
  pc_buf_t contest_id;
  pc_buf_t option_name, option_id, option_value;
  int option_has_name;
  size_t contests_matched;
  /* per file */
  pc_buf_t text;
  hart_mark_t *marks;
  size_t mark_count, mark_cap;
  long batch_offset, guid_offset, precinct_offset;
  /* across files: code -> name, as RCTab checks */
  hart_candidate_t *candidates;
  size_t candidate_count, candidate_cap;
} hart_reader_t;

static void hart_fail(hart_reader_t *h, int code, const char *what, const char *detail) {
  if (h->rc) return;
  h->rc = pc_error_set_at(h->err, code, h->file, (long)XML_GetCurrentLineNumber(h->parser), NULL,
                          "%s%s", what, detail ? detail : "");
  XML_StopParser(h->parser, XML_FALSE);
}

static void XMLCALL hart_start(void *data, const XML_Char *name, const XML_Char **attrs) {
  (void)attrs;
  hart_reader_t *h = data;
  if (h->rc) return;
  int parent = h->depth > 0 ? h->kinds[h->depth - 1] : -1;
  if (h->depth >= HART_MAX_DEPTH) return hart_fail(h, PC_ELIMIT, "XML nested deeper than 64", NULL);
  int kind = K_OTHER;
  h->field = F_NONE;
  if (h->depth == 0) {
    if (strcmp(name, "Cvr") != 0)
      return hart_fail(h, PC_EINVAL, "expected a Hart <Cvr> document, found <", name);
    kind = K_CVR;
  } else if (parent == K_CVR && strcmp(name, "Contests") == 0) {
    kind = K_CONTESTS;
  } else if (parent == K_CONTESTS && strcmp(name, "Contest") == 0) {
    kind = K_CONTEST;
    h->contest_matches = 0;
    h->contest_text_start = h->text.len;
    h->option_count = 0;
    pc_buf_reset(&h->contest_id);
  } else if (parent == K_CONTEST && strcmp(name, "Options") == 0) {
    kind = K_OPTIONS;
  } else if (parent == K_OPTIONS && strcmp(name, "Option") == 0) {
    kind = K_OPTION;
    pc_buf_reset(&h->option_name);
    pc_buf_reset(&h->option_id);
    pc_buf_reset(&h->option_value);
    h->option_has_name = 0;
  } else if (parent == K_CVR && strcmp(name, "PrecinctSplit") == 0) {
    kind = K_PRECINCT;
  } else if (parent == K_CONTEST && strcmp(name, "Id") == 0) {
    h->field = F_CONTEST_ID;
  } else if (parent == K_OPTION && strcmp(name, "Name") == 0) {
    h->field = F_OPTION_NAME;
    h->option_has_name = 1;
  } else if (parent == K_OPTION && strcmp(name, "Id") == 0) {
    h->field = F_OPTION_ID;
  } else if (parent == K_OPTION && strcmp(name, "Value") == 0) {
    h->field = F_OPTION_VALUE;
  } else if (parent == K_CVR && strcmp(name, "BatchNumber") == 0) {
    h->field = F_BATCH;
  } else if (parent == K_CVR && strcmp(name, "CvrGuid") == 0) {
    h->field = F_GUID;
  } else if (parent == K_PRECINCT && strcmp(name, "Name") == 0) {
    h->field = F_PRECINCT_NAME;
  }
  pc_buf_reset(&h->value);
  h->kinds[h->depth++] = kind;
}

static void XMLCALL hart_text(void *data, const XML_Char *s, int len) {
  hart_reader_t *h = data;
  if (h->rc || h->field == F_NONE) return;
  if (pc_buf_append(&h->value, s, (size_t)len) != 0)
    hart_fail(h, PC_ELIMIT, "element text longer than 4096 bytes", NULL);
}

static long keep_text(hart_reader_t *h, const pc_buf_t *b) {
  long offset = (long)h->text.len;
  if (pc_buf_append(&h->text, pc_buf_str(b), b->len) != 0 || pc_buf_append_char(&h->text, '\0') != 0) {
    hart_fail(h, PC_ELIMIT, "ballot text too large", NULL);
    return -1;
  }
  return offset;
}

/* Registers CODE -> NAME; a code seen with two names is an error (RCTab). */
static void check_candidate(hart_reader_t *h, const char *code, const char *name) {
  if (h->source->undeclared_write_in_label && strcmp(code, h->source->undeclared_write_in_label) == 0)
    return;
  for (size_t i = 0; i < h->candidate_count; i++) {
    if (strcmp(h->candidates[i].code, code) != 0) continue;
    if (strcmp(h->candidates[i].name, name) == 0) return;
    char detail[PC_CVR_MAX_FIELD_BYTES * 2 + 128];
    (void)pc_snprintf(detail, sizeof detail,
                      "%s is associated with more than one candidate name: first '%s', here '%s'",
                      code, h->candidates[i].name, name);
    return hart_fail(h, PC_EINVAL, "candidate code ", detail);
  }
  if (h->candidate_count == h->candidate_cap) {
    h->candidate_cap = h->candidate_cap ? h->candidate_cap * 2 : 32;
    h->candidates = pc_xreallocarray(h->candidates, h->candidate_cap, sizeof *h->candidates);
  }
  h->candidates[h->candidate_count++] = (hart_candidate_t){pc_xstrdup(code), pc_xstrdup(name)};
}

static void end_option(hart_reader_t *h) {
  if (h->option_id.len == 0) return hart_fail(h, PC_EINVAL, "<Option> without an <Id>; expected the candidate code", NULL);
  hart_option_t option;
  long id = keep_text(h, &h->option_id), name = keep_text(h, &h->option_name), value = keep_text(h, &h->option_value);
  if (id < 0 || name < 0 || value < 0) return;
  option = (hart_option_t){(size_t)id, (size_t)name, (size_t)value};
  if (h->option_count >= PC_CVR_MAX_MARKS_PER_BALLOT)
    return hart_fail(h, PC_ELIMIT, "more than 4096 options in one contest", NULL);
  if (h->option_count == h->option_cap) {
    h->option_cap = h->option_cap ? h->option_cap * 2 : 16;
    h->options = pc_xreallocarray(h->options, h->option_cap, sizeof *h->options);
  }
  h->options[h->option_count++] = option;
}

/* At </Contest>: the configured contest's options become marks (a '1' at
 * position k of <Value> is rank k); any other contest's text is dropped. */
static void end_contest(hart_reader_t *h) {
  if (!h->contest_matches) {
    h->text.len = h->contest_text_start;
    h->text.data[h->text.len] = '\0';
    return;
  }
  size_t contest = h->contests_matched++;
  for (size_t o = 0; o < h->option_count && h->rc == 0; o++) {
    const char *code = h->text.data + h->options[o].id;
    check_candidate(h, code, h->text.data + h->options[o].name);
    const char *value = h->text.data + h->options[o].value;
    for (size_t i = 0; value[i] && h->rc == 0; i++) {
      if (value[i] != '1') continue;
      if (h->mark_count >= PC_CVR_MAX_MARKS_PER_BALLOT)
        return hart_fail(h, PC_ELIMIT, "more than 4096 marks in one ballot", NULL);
      if (h->mark_count == h->mark_cap) {
        h->mark_cap = h->mark_cap ? h->mark_cap * 2 : 32;
        h->marks = pc_xreallocarray(h->marks, h->mark_cap, sizeof *h->marks);
      }
      h->marks[h->mark_count] = (hart_mark_t){(int)i + 1, contest, h->mark_count, h->options[o].id};
      h->mark_count++;
    }
  }
}

static void XMLCALL hart_end(void *data, const XML_Char *name) {
  (void)name;
  hart_reader_t *h = data;
  if (h->rc) return;
  assert(h->depth > 0);
  int kind = h->kinds[--h->depth];
  switch (h->field) {
  case F_CONTEST_ID:
    (void)pc_buf_append(&h->contest_id, pc_buf_str(&h->value), h->value.len);
    if (h->source->contest_id && strcmp(pc_buf_str(&h->value), h->source->contest_id) == 0)
      h->contest_matches = 1;
    break;
  case F_OPTION_NAME: (void)pc_buf_append(&h->option_name, pc_buf_str(&h->value), h->value.len); break;
  case F_OPTION_ID: (void)pc_buf_append(&h->option_id, pc_buf_str(&h->value), h->value.len); break;
  case F_OPTION_VALUE: (void)pc_buf_append(&h->option_value, pc_buf_str(&h->value), h->value.len); break;
  case F_BATCH: h->batch_offset = keep_text(h, &h->value); break;
  case F_GUID: h->guid_offset = keep_text(h, &h->value); break;
  case F_PRECINCT_NAME: h->precinct_offset = keep_text(h, &h->value); break;
  default:
    if (kind == K_OPTION) end_option(h);
    else if (kind == K_CONTEST) end_contest(h);
    break;
  }
  h->field = F_NONE;
}

static int mark_order(const void *a, const void *b) {
  const hart_mark_t *x = a, *y = b;
  if (x->contest != y->contest) return x->contest < y->contest ? -1 : 1;
  if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int stream_file(hart_reader_t *h, const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_set_at(h->err, PC_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
  uint64_t total = 0;
  int rc = 0;
  for (;;) {
    void *chunk = XML_GetBuffer(h->parser, HART_CHUNK);
    ssize_t n = chunk ? read(fd, chunk, HART_CHUNK) : -1;
    if (n < 0) {
      rc = pc_error_set_at(h->err, PC_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
      break;
    }
    total += (uint64_t)n;
    if (total > HART_MAX_FILE_BYTES) {
      rc = pc_error_set_at(h->err, PC_ELIMIT, path, 0, NULL, "file larger than %llu bytes",
                           (unsigned long long)HART_MAX_FILE_BYTES);
      break;
    }
    if (XML_ParseBuffer(h->parser, (int)n, n == 0) != XML_STATUS_OK) {
      rc = h->rc ? h->rc
                 : pc_error_set_at(h->err, PC_EINVAL, path, (long)XML_GetCurrentLineNumber(h->parser),
                                   NULL, "malformed XML at line %lu column %lu: %s",
                                   (unsigned long)XML_GetCurrentLineNumber(h->parser),
                                   (unsigned long)XML_GetCurrentColumnNumber(h->parser),
                                   XML_ErrorString(XML_GetErrorCode(h->parser)));
      break;
    }
    if (n == 0) break;
  }
  close(fd);
  return rc;
}

static int read_file(hart_reader_t *h, const char *path, pc_cvr_ballot_fn on_ballot, void *context,
                     uint64_t *ballots) {
  h->file = path;
  h->rc = 0;
  h->depth = 0;
  h->field = F_NONE;
  h->contests_matched = 0;
  h->mark_count = 0;
  h->batch_offset = h->guid_offset = h->precinct_offset = -1;
  pc_buf_reset(&h->text);
  (void)pc_buf_append(&h->text, "", 0);
  h->parser = XML_ParserCreate(NULL);
  XML_SetUserData(h->parser, h);
  XML_SetElementHandler(h->parser, hart_start, hart_end);
  XML_SetCharacterDataHandler(h->parser, hart_text);
  int rc = stream_file(h, path);
  XML_ParserFree(h->parser);
  h->parser = NULL;
  if (rc) return rc;
  if (h->mark_count > 1) qsort(h->marks, h->mark_count, sizeof *h->marks, mark_order);
  pc_cvr_mark_t *out = pc_xcalloc(h->mark_count + 1, sizeof *out);
  const char *base = h->text.data;
  size_t next = 0;
  for (size_t contest = 0; contest < h->contests_matched && rc == 0; contest++) {
    size_t count = 0;
    while (next < h->mark_count && h->marks[next].contest == contest) {
      out[count].rank = h->marks[next].rank;
      out[count].candidate = base + h->marks[next].offset;
      count++, next++;
    }
    pc_cvr_ballot_t ballot = {
        .ballot_id = h->guid_offset >= 0 ? base + h->guid_offset : NULL,
        .precinct = h->precinct_offset >= 0 ? base + h->precinct_offset : NULL,
        .batch = h->batch_offset >= 0 ? base + h->batch_offset : NULL,
        .marks = out, .mark_count = count, .file = path, .line = 1};
    rc = on_ballot(context, &ballot, h->err);
    if (rc == 0) (*ballots)++;
  }
  free(out);
  return rc;
}

static int has_suffix_ci(const char *name, const char *suffix) {
  size_t n = strlen(name), s = strlen(suffix);
  return n >= s && strcasecmp(name + n - s, suffix) == 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int pc_cvr_read_hart(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                     uint64_t *ballots_read, pc_error_t *err) {
  assert(source != NULL && source->path != NULL && on_ballot != NULL);
  if (source->contest_id == NULL || source->contest_id[0] == '\0')
    return pc_error_set_at(err, PC_EINVAL, source->path, 0, "contestId",
                           "a Hart source needs the contest id to read");
  DIR *dir = opendir(source->path);
  if (dir == NULL)
    return pc_error_set_at(err, PC_EIO, source->path, 0, NULL,
                           "unable to find any files in directory: %s", strerror(errno));
  char **names = NULL;
  size_t count = 0, cap = 0;
  int rc = 0;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    if (!has_suffix_ci(entry->d_name, "xml") || has_suffix_ci(entry->d_name, ".sig.xml")) continue;
    if (count >= HART_MAX_FILES) {
      rc = pc_error_set_at(err, PC_ELIMIT, source->path, 0, NULL, "more than %d files", HART_MAX_FILES);
      break;
    }
    if (count == cap) {
      cap = cap ? cap * 2 : 256;
      names = pc_xreallocarray(names, cap, sizeof *names);
    }
    names[count++] = pc_xstrdup(entry->d_name);
  }
  closedir(dir);
  if (rc == 0 && count > 1) qsort(names, count, sizeof *names, by_name);

  hart_reader_t h = {.source = source, .err = err};
  pc_buf_init(&h.value, PC_CVR_MAX_FIELD_BYTES);
  pc_buf_init(&h.contest_id, PC_CVR_MAX_FIELD_BYTES);
  pc_buf_init(&h.option_name, PC_CVR_MAX_FIELD_BYTES);
  pc_buf_init(&h.option_id, PC_CVR_MAX_FIELD_BYTES);
  pc_buf_init(&h.option_value, PC_CVR_MAX_FIELD_BYTES);
  pc_buf_init(&h.text, (size_t)PC_CVR_MAX_MARKS_PER_BALLOT * 16 + 8 * PC_CVR_MAX_FIELD_BYTES);
  uint64_t ballots = 0;
  pc_buf_t path;
  pc_buf_init(&path, 8192);
  for (size_t i = 0; i < count && rc == 0; i++) {
    pc_buf_reset(&path);
    if (pc_buf_appendf(&path, "%s/%s", source->path, names[i]) != 0) {
      rc = pc_error_set_at(err, PC_ELIMIT, source->path, 0, NULL, "file path too long");
      break;
    }
    rc = read_file(&h, pc_buf_str(&path), on_ballot, context, &ballots);
  }
  /* RCTab would go on with no ballots; a contest id found in no file is a
   * configuration mistake, not an election result. */
  if (rc == 0 && ballots == 0)
    rc = pc_error_set_at(err, PC_EINVAL, source->path, 0, "contestId",
                         "no ballot file has contest '%s' (%zu .xml files read); expected the "
                         "contest's <Id> as the Hart files give it",
                         source->contest_id, count);
  if (rc == 0 && ballots_read) *ballots_read = ballots;
  for (size_t i = 0; i < count; i++) free(names[i]);
  free(names);
  for (size_t i = 0; i < h.candidate_count; i++) free(h.candidates[i].code), free(h.candidates[i].name);
  free(h.candidates);
  free(h.marks);
  free(h.options);
  pc_buf_free(&path);
  pc_buf_free(&h.value);
  pc_buf_free(&h.contest_id);
  pc_buf_free(&h.option_name);
  pc_buf_free(&h.option_id);
  pc_buf_free(&h.option_value);
  pc_buf_free(&h.text);
  return rc;
}
