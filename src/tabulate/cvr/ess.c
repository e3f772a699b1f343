/* ES&S cast vote records (.xlsx): opens the workbook with libzip, finds the
 * first worksheet through xl/workbook.xml and its relationships, interns the
 * shared strings table once, then streams the sheet XML through libxml2's
 * SAX2 parser, inflating as it goes (no tree, no DTD), and hands each row at or below firstVoteRowIndex to the
 * callback. It does not evaluate formulas, read styles or apply the contest's
 * rules (labels, aliases, overvotes): the ballot builder does that. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/cvr.h"

#include <libxml/parser.h>

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tabulate/cvr/xlsx.h"

#define ESS_MAX_COLUMN 16384           /* Excel's last column, XFD */
#define ESS_MAX_ROW 100000000L         /* far above Excel's 1,048,576 */

enum { CELL_NUMBER, CELL_SHARED, CELL_INLINE, CELL_BOOL, CELL_OTHER };

/* Where a mark's text lives: SST strings are stable for the whole read, row
 * text sits in `row_text` (which may move while the row grows), so row text
 * is referenced by offset and resolved when the row is delivered. */
typedef struct {
  int rank;
  const char *stable; /* NULL: text at row_text.data + offset */
  size_t offset;
} ess_mark_ref_t;

typedef struct {
  const pc_cvr_source_t *source;
  pc_cvr_ballot_fn on_ballot;
  void *context;
  pc_error_t *err;
  xmlParserCtxtPtr ctxt; /* set by the first handler call */
  /* element and attribute names interned in the parser's dictionary, where
   * libxml2 interns every name it reports: names compare by pointer */
  const xmlChar *n_c, *n_v, *n_is, *n_t, *n_rph, *n_row, *n_r;
  int rc;
  uint64_t ballots;
  const char *sheet_name; /* base name of the sheet entry, for messages */
  pc_xlsx_strings_t strings;

  /* configuration, 1-based columns (0 = not configured) */
  long first_row;
  int first_col, id_col, precinct_col, batch_col;
  const char *delimiter;
  size_t delimiter_len;
  long header_row;   /* last row present above first_row (the titles); 0: none */
  int last_rank_col; /* from the header row; 0 = unknown (rows decide) */
  int header_last_col, row_last_titled_col, header_checked;

  /* position */
  long row;
  int in_row, in_cell, in_value, in_inline, in_text, in_phonetic;
  int col, prev_col, cell_type, cell_wanted, cell_has_value;
  char value[PC_CVR_MAX_FIELD_BYTES + 1];
  size_t value_len;

  /* the ballot being built */
  pc_buf_t row_text;
  ess_mark_ref_t *marks;
  size_t mark_count, mark_cap;
  pc_cvr_mark_t *out_marks;
  size_t out_cap;
  long id_offset, precinct_offset, batch_offset; /* -1: none */
  int last_rank_seen;
} ess_reader_t;

static void col_name(int col, char *out, size_t size) {
  char tmp[8];
  int n = 0;
  while (col > 0 && n < (int)sizeof tmp) {
    int rem = (col - 1) % 26;
    tmp[n++] = (char)('A' + rem);
    col = (col - 1) / 26;
  }
  size_t i = 0;
  while (n > 0 && i + 1 < size) out[i++] = tmp[--n];
  out[i] = '\0';
}

/* Records an error naming the sheet, row and column, and stops the parser. */
__attribute__((format(printf, 4, 5))) static int ess_fail(ess_reader_t *r, int code, int col,
                                                         const char *fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (n < 0) what[0] = '\0';
  char column[8] = "";
  if (col > 0) col_name(col, column, sizeof column);
  if (col > 0)
    pc_error_set_at(r->err, code, r->source->path, r->row, NULL, "%s row %ld column %s: %s",
                    r->sheet_name, r->row, column, what);
  else
    pc_error_set_at(r->err, code, r->source->path, r->row, NULL, "%s row %ld: %s", r->sheet_name,
                    r->row, what);
  if (r->err) r->err->column = col;
  r->rc = code;
  if (r->ctxt) xmlStopParser(r->ctxt);
  return code;
}

/* An unprefixed attribute's value among libxml2's SAX2 attributes (five
 * pointers each: local name, prefix, URI, value, end), not NUL-terminated:
 * NAME is interned, so it compares by pointer. NULL when absent. */
static const xmlChar *attr(int count, const xmlChar **attrs, const xmlChar *name, size_t *len) {
  for (int i = 0; i < count; i++) {
    const xmlChar **a = attrs + 5 * i;
    if (a[0] != name || a[1] != NULL) continue;
    *len = (size_t)(a[4] - a[3]);
    return a[3];
  }
  return NULL;
}

/* VALUE (LEN bytes) NUL-terminated in OUT (SIZE bytes), for messages. */
static const char *attr_text(const xmlChar *value, size_t len, char *out, size_t size) {
  if (len >= size) len = size - 1;
  memcpy(out, value, len);
  out[len] = '\0';
  return out;
}

/* Interns the names the handlers compare in CTXT's dictionary (once per parse). */
static int bind_names(ess_reader_t *r, xmlParserCtxtPtr ctxt) {
  r->ctxt = ctxt;
  xmlDictPtr dict = ctxt->dict;
  r->n_c = xmlDictLookup(dict, BAD_CAST "c", 1);
  r->n_v = xmlDictLookup(dict, BAD_CAST "v", 1);
  r->n_is = xmlDictLookup(dict, BAD_CAST "is", 2);
  r->n_t = xmlDictLookup(dict, BAD_CAST "t", 1);
  r->n_rph = xmlDictLookup(dict, BAD_CAST "rPh", 3);
  r->n_row = xmlDictLookup(dict, BAD_CAST "row", 3);
  r->n_r = xmlDictLookup(dict, BAD_CAST "r", 1);
  if (!r->n_c || !r->n_v || !r->n_is || !r->n_t || !r->n_rph || !r->n_row || !r->n_r)
    return ess_fail(r, PC_ELIMIT, 0, "out of memory interning XML names");
  return 0;
}

static int is_space(char c) { return (unsigned char)c <= ' '; } /* Java's String.trim() */

static void trim(const char **s, size_t *len) {
  while (*len > 0 && is_space(**s)) (*s)++, (*len)--;
  while (*len > 0 && is_space((*s)[*len - 1])) (*len)--;
}

static int is_rank_col(const ess_reader_t *r, int col) {
  if (col < r->first_col) return 0;
  if (col == r->id_col || col == r->precinct_col || col == r->batch_col) return 0;
  return r->last_rank_col == 0 || col <= r->last_rank_col;
}

static int push_mark(ess_reader_t *r, int col, int rank, const char *stable, size_t offset) {
  if (r->mark_count >= PC_CVR_MAX_MARKS_PER_BALLOT)
    return ess_fail(r, PC_ELIMIT, col, "more than %d marks in one ballot",
                    PC_CVR_MAX_MARKS_PER_BALLOT);
  if (r->mark_count == r->mark_cap) {
    r->mark_cap = r->mark_cap ? r->mark_cap * 2 : 64;
    r->marks = pc_xreallocarray(r->marks, r->mark_cap, sizeof *r->marks);
  }
  r->marks[r->mark_count++] = (ess_mark_ref_t){rank, stable, offset};
  return 0;
}

/* Copies TEXT into the row's text, NUL-terminated; returns its offset. */
static int row_text_add(ess_reader_t *r, int col, const char *text, size_t len, size_t *offset) {
  *offset = r->row_text.len;
  if (pc_buf_append(&r->row_text, text, len) != 0 || pc_buf_append_char(&r->row_text, '\0') != 0)
    return ess_fail(r, PC_ELIMIT, col, "row text exceeds %zu bytes", r->row_text.limit);
  return 0;
}

/* Blank ranks between the last rank cell seen and UNTIL_COL (exclusive). */
static int fill_blanks(ess_reader_t *r, int until_col) {
  for (int c = r->first_col + r->last_rank_seen; c < until_col; c++) {
    if (!is_rank_col(r, c)) continue;
    int rc = push_mark(r, c, c - r->first_col + 1, "", 0);
    if (rc) return rc;
  }
  return 0;
}

/* One rank cell: trims it, splits it on the overvote delimiter, records marks. */
static int rank_cell(ess_reader_t *r, const char *text, size_t len, int from_sst) {
  int rank = r->col - r->first_col + 1;
  int rc = fill_blanks(r, r->col);
  if (rc) return rc;
  r->last_rank_seen = rank;
  const char *s = text;
  size_t n = len;
  trim(&s, &n);
  const char *hit = NULL;
  if (r->delimiter_len > 0 && n >= r->delimiter_len)
    hit = memmem(s, n, r->delimiter, r->delimiter_len);
  if (hit == NULL) {
    size_t offset = 0;
    if (from_sst && n == len) return push_mark(r, r->col, rank, text, 0);
    if ((rc = row_text_add(r, r->col, s, n, &offset))) return rc;
    return push_mark(r, r->col, rank, NULL, offset);
  }
  const char *end = s + n;
  for (const char *piece = s; piece <= end;) {
    const char *stop = memmem(piece, (size_t)(end - piece), r->delimiter, r->delimiter_len);
    if (stop == NULL) stop = end;
    const char *p = piece;
    size_t plen = (size_t)(stop - piece);
    trim(&p, &plen);
    if (plen == 0)
      return ess_fail(r, PC_EINVAL, r->col,
                      "a cell split by the overvote delimiter \"%s\" has a blank candidate; "
                      "expected a candidate on each side of every delimiter",
                      r->delimiter);
    size_t offset = 0;
    if ((rc = row_text_add(r, r->col, p, plen, &offset))) return rc;
    if ((rc = push_mark(r, r->col, rank, NULL, offset))) return rc;
    piece = stop + r->delimiter_len;
    if (stop == end) break;
  }
  return 0;
}

static void begin_row(ess_reader_t *r) {
  pc_buf_reset(&r->row_text);
  r->mark_count = 0;
  r->id_offset = r->precinct_offset = r->batch_offset = -1;
  r->last_rank_seen = 0;
}

static int deliver_row(ess_reader_t *r) {
  int rc;
  if (r->last_rank_col > 0 && (rc = fill_blanks(r, r->last_rank_col + 1))) return rc;
  if (r->id_col > 0 && r->id_offset < 0)
    return ess_fail(r, PC_EINVAL, r->id_col,
                    "cast vote record identifier missing; expected a ballot id in column "
                    "idColumnIndex=%d (an incorrectly formatted xlsx file can cause this: copy "
                    "the data into a new workbook)",
                    r->id_col);
  if (r->out_cap < r->mark_count) {
    r->out_cap = r->mark_cap;
    r->out_marks = pc_xreallocarray(r->out_marks, r->out_cap, sizeof *r->out_marks);
  }
  const char *base = pc_buf_str(&r->row_text);
  for (size_t i = 0; i < r->mark_count; i++) {
    r->out_marks[i].rank = r->marks[i].rank;
    r->out_marks[i].candidate = r->marks[i].stable ? r->marks[i].stable : base + r->marks[i].offset;
  }
  pc_cvr_ballot_t ballot = {
      .ballot_id = r->id_offset >= 0 ? base + r->id_offset : NULL,
      .precinct = r->precinct_offset >= 0 ? base + r->precinct_offset : NULL,
      .batch = r->batch_offset >= 0 ? base + r->batch_offset : NULL,
      .marks = r->out_marks,
      .mark_count = r->mark_count,
      .file = r->source->path,
      .line = r->row,
  };
  rc = r->on_ballot(r->context, &ballot, r->err);
  if (rc) {
    r->rc = rc < 0 ? rc : PC_EINVAL;
    if (r->ctxt) xmlStopParser(r->ctxt);
    return r->rc;
  }
  r->ballots++;
  return 0;
}

/* Parses "C5" (LEN bytes) into column 3; the row part must match the enclosing row. */
static int parse_cell_ref(ess_reader_t *r, const xmlChar *ref, size_t len) {
  int col = 0;
  const xmlChar *p = ref, *end = ref + len;
  while (p < end && *p >= 'A' && *p <= 'Z') {
    col = col * 26 + (*p - 'A' + 1);
    if (col > ESS_MAX_COLUMN) break;
    p++;
  }
  long row = 0;
  const xmlChar *digits = p;
  while (p < end && *p >= '0' && *p <= '9' && row <= ESS_MAX_ROW) row = row * 10 + (*p++ - '0');
  char text[64];
  if (col == 0 || col > ESS_MAX_COLUMN || p == digits || p != end)
    return ess_fail(r, PC_EINVAL, r->prev_col + 1,
                    "invalid cell reference \"%.20s\"; expected a column (A to XFD) and a row",
                    attr_text(ref, len, text, sizeof text));
  if (row != r->row)
    return ess_fail(r, PC_EINVAL, col, "cell reference \"%.20s\" is outside its row %ld",
                    attr_text(ref, len, text, sizeof text), r->row);
  return col;
}

/* A cell's t attribute (LEN bytes) as a CELL_* type. */
static int cell_type(const xmlChar *type, size_t len) {
  if (len == 1 && type[0] == 's') return CELL_SHARED;
  if (len == 1 && type[0] == 'n') return CELL_NUMBER;
  if (len == 1 && type[0] == 'b') return CELL_BOOL;
  if (len == 9 && memcmp(type, "inlineStr", 9) == 0) return CELL_INLINE;
  return CELL_OTHER;
}

/* A row's r attribute (LEN bytes): 1 to ESS_MAX_ROW, or -1. */
static long parse_row_number(const xmlChar *num, size_t len) {
  long v = 0;
  size_t i = 0;
  if (len > 0 && len <= 9) /* hot path: plain digits, no copy and no strtoll */
    for (; i < len && num[i] >= '0' && num[i] <= '9'; i++) v = v * 10 + (num[i] - '0');
  if (i == len && v >= 1 && v <= ESS_MAX_ROW) return v;
  char text[64];
  long long w = 0;
  if (len >= sizeof text || pc_parse_int64(attr_text(num, len, text, sizeof text), 1, ESS_MAX_ROW, &w))
    return -1;
  return (long)w;
}

/* At the first ballot row: the last row above it titles the rank columns. */
static int check_header(ess_reader_t *r) {
  r->header_checked = 1;
  if (r->header_row == 0) return 0;
  if (r->header_last_col < r->first_col) {
    long row = r->row;
    r->row = r->header_row;
    ess_fail(r, PC_EINVAL, r->first_col,
             "header row has no column titles from firstVoteColumnIndex=%d on; expected one "
             "title per rank column",
             r->first_col);
    r->row = row;
    return r->rc;
  }
  r->last_rank_col = r->header_last_col;
  return 0;
}

/* Prefixed elements ("x:c") match nothing, as with a namespace-unaware parser. */
static void sheet_start(void *ctxt, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri,
                        int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                        int nb_defaulted, const xmlChar **attrs) {
  (void)uri, (void)nb_namespaces, (void)namespaces, (void)nb_defaulted;
  ess_reader_t *r = ((xmlParserCtxtPtr)ctxt)->_private;
  if (r->ctxt != ctxt && bind_names(r, ctxt) != 0) return;
  if (r->rc || prefix != NULL) return;
  char text[64];
  if (r->in_cell) {
    int is_value = name == r->n_v;
    int is_inline = !is_value && name == r->n_is;
    if ((is_value || is_inline) && r->cell_has_value)
      return (void)ess_fail(r, PC_EINVAL, r->col, "cell has more than one value; expected one <v> or <is>");
    if (is_value) {
      r->in_value = 1;
      r->cell_has_value = 1;
    } else if (is_inline) {
      r->in_inline = 1;
      r->cell_has_value = 1;
    } else if (r->in_inline && name == r->n_rph) {
      r->in_phonetic++;
    } else if (r->in_inline && name == r->n_t) {
      r->in_text = 1;
    }
    return;
  }
  if (name == r->n_c && r->in_row) {
    size_t ref_len = 0, type_len = 0;
    const xmlChar *ref = attr(nb_attributes, attrs, r->n_r, &ref_len);
    const xmlChar *type = attr(nb_attributes, attrs, r->n_t, &type_len);
    if (ref && ref_len >= 64) /* far beyond A1..XFD100000000 even with leading zeros */
      return (void)ess_fail(r, PC_EINVAL, r->prev_col + 1,
                            "invalid cell reference \"%.20s\"; expected a column (A to XFD) and a row",
                            attr_text(ref, ref_len, text, sizeof text));
    int col = ref ? parse_cell_ref(r, ref, ref_len) : r->prev_col + 1;
    if (col < 0) return;
    if (col <= r->prev_col)
      return (void)ess_fail(r, PC_EINVAL, col, "cell out of order; expected a column after %d",
                            r->prev_col);
    if (col > ESS_MAX_COLUMN)
      return (void)ess_fail(r, PC_EINVAL, col, "column beyond XFD (16384)");
    r->col = r->prev_col = col;
    r->in_cell = 1;
    r->in_value = r->in_inline = r->in_text = r->in_phonetic = 0; /* after malformed nesting */
    r->value_len = 0;
    r->cell_has_value = 0;
    r->cell_type = type ? cell_type(type, type_len) : CELL_NUMBER;
    if (r->row < r->first_row) r->cell_wanted = col >= r->first_col;
    else
      r->cell_wanted = col == r->id_col || col == r->precinct_col || col == r->batch_col ||
                       is_rank_col(r, col);
    return;
  }
  if (name == r->n_row) {
    size_t num_len = 0;
    const xmlChar *num = attr(nb_attributes, attrs, r->n_r, &num_len);
    long row = r->row + 1;
    if (num) {
      long v = parse_row_number(num, num_len);
      if (v < 0)
        return (void)ess_fail(r, PC_EINVAL, 0, "invalid row number \"%.20s\"; expected 1 to %ld",
                              attr_text(num, num_len, text, sizeof text), ESS_MAX_ROW);
      if (v <= r->row)
        return (void)ess_fail(r, PC_EINVAL, 0, "row %ld out of order; expected a row after %ld",
                              v, r->row);
      row = v;
    }
    if (row > ESS_MAX_ROW) return (void)ess_fail(r, PC_ELIMIT, 0, "more than %ld rows", ESS_MAX_ROW);
    r->row = row;
    r->in_row = 1;
    r->prev_col = 0;
    r->row_last_titled_col = 0;
    if (row >= r->first_row) {
      if (!r->header_checked && check_header(r) != 0) return;
      begin_row(r);
    }
  }
}

static void sheet_text(void *ctxt, const xmlChar *s, int len) {
  ess_reader_t *r = ((xmlParserCtxtPtr)ctxt)->_private;
  if (!(r->in_value || (r->in_text && r->in_phonetic == 0)) || !r->cell_wanted || r->rc) return;
  if (r->value_len + (size_t)len > PC_CVR_MAX_FIELD_BYTES) {
    ess_fail(r, PC_ELIMIT, r->col, "cell longer than %d bytes", PC_CVR_MAX_FIELD_BYTES);
    return;
  }
  memcpy(r->value + r->value_len, s, (size_t)len);
  r->value_len += (size_t)len;
}

/* The finished cell's text; FROM_SST says it is interned (stable). */
static int cell_text(ess_reader_t *r, const char **text, size_t *len, int *from_sst) {
  *from_sst = 0;
  r->value[r->value_len] = '\0';
  *text = r->value;
  *len = r->value_len;
  if (!r->cell_has_value) return 0;
  if (r->cell_type == CELL_SHARED) {
    /* hot path: a plain digit loop, not strtoll, for the index */
    const char *v = r->value;
    size_t n = r->value_len;
    trim(&v, &n);
    uint64_t index = 0;
    int ok = n > 0 && n <= 10;
    for (size_t i = 0; ok && i < n; i++) {
      if (v[i] < '0' || v[i] > '9') ok = 0;
      else index = index * 10 + (uint64_t)(v[i] - '0');
    }
    if (!ok || index >= r->strings.count)
      return ess_fail(r, PC_EINVAL, r->col,
                      "shared string index \"%.20s\" invalid; expected 0 to %lld", r->value,
                      (long long)r->strings.count - 1);
    *text = pc_xlsx_string(&r->strings, (size_t)index, len);
    *from_sst = 1;
  } else if (r->cell_type == CELL_BOOL) {
    int truth = r->value_len == 1 && r->value[0] == '1';
    *text = truth ? "TRUE" : "FALSE";
    *len = truth ? 4 : 5;
    *from_sst = 1;
  }
  return 0;
}

static void end_cell(ess_reader_t *r) {
  r->in_cell = 0;
  if (!r->cell_wanted) return;
  const char *text;
  size_t len;
  int from_sst;
  if (cell_text(r, &text, &len, &from_sst)) return;
  int col = r->col;
  if (r->row < r->first_row) {
    const char *t = text;
    size_t n = len;
    trim(&t, &n);
    if (n > 0) r->row_last_titled_col = col;
    return;
  }
  size_t offset = 0;
  if (col == r->precinct_col || col == r->batch_col || col == r->id_col) {
    if (len == 0) return; /* an empty cell leaves the value unknown */
    if (row_text_add(r, col, text, len, &offset)) return;
    if (col == r->precinct_col) r->precinct_offset = (long)offset;
    else if (col == r->batch_col) r->batch_offset = (long)offset;
    else r->id_offset = (long)offset;
    return;
  }
  (void)rank_cell(r, text, len, from_sst);
}

static void sheet_end(void *ctxt, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri) {
  (void)uri;
  ess_reader_t *r = ((xmlParserCtxtPtr)ctxt)->_private;
  if (r->rc || prefix != NULL) return;
  if (r->in_cell) {
    if (name == r->n_v) r->in_value = 0;
    else if (name == r->n_c) end_cell(r);
    else if (name == r->n_t) r->in_text = 0;
    else if (name == r->n_rph) { if (r->in_phonetic > 0) r->in_phonetic--; }
    else if (name == r->n_is) r->in_inline = 0;
    return;
  }
  if (name == r->n_row && r->in_row) {
    r->in_row = 0;
    if (r->row < r->first_row) {
      r->header_row = r->row;
      r->header_last_col = r->row_last_titled_col;
    } else {
      (void)deliver_row(r);
    }
  }
}

static int check_source(const pc_cvr_source_t *source, pc_error_t *err) {
  if (source->first_vote_column_index < 1 || source->first_vote_column_index > ESS_MAX_COLUMN)
    return pc_error_set_at(err, PC_EINVAL, source->path, 0, "firstVoteColumnIndex",
                           "expected a column number from 1 to %d, got %d", ESS_MAX_COLUMN,
                           source->first_vote_column_index);
  if (source->first_vote_row_index < 1)
    return pc_error_set_at(err, PC_EINVAL, source->path, 0, "firstVoteRowIndex",
                           "expected a row number of 1 or more, got %d",
                           source->first_vote_row_index);
  const int cols[] = {source->id_column_index, source->precinct_column_index,
                      source->batch_column_index};
  const char *names[] = {"idColumnIndex", "precinctColumnIndex", "batchColumnIndex"};
  for (int i = 0; i < 3; i++)
    if (cols[i] < 0 || cols[i] > ESS_MAX_COLUMN)
      return pc_error_set_at(err, PC_EINVAL, source->path, 0, names[i],
                             "expected a column number from 1 to %d, got %d", ESS_MAX_COLUMN,
                             cols[i]);
  return 0;
}

int pc_cvr_read_ess(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                    uint64_t *ballots_read, pc_error_t *err) {
  assert(source != NULL && source->path != NULL && on_ballot != NULL);
  int rc = check_source(source, err);
  if (rc) return rc;
  pc_xlsx_t *book = NULL;
  if ((rc = pc_xlsx_open(source->path, &book, err))) return rc;

  ess_reader_t *r = pc_xcalloc(1, sizeof *r);
  r->source = source;
  r->on_ballot = on_ballot;
  r->context = context;
  r->err = err;
  r->first_row = source->first_vote_row_index;
  r->first_col = source->first_vote_column_index;
  r->id_col = source->id_column_index;
  r->precinct_col = source->precinct_column_index;
  r->batch_col = source->batch_column_index;
  if (source->overvote_delimiter && source->overvote_delimiter[0]) {
    r->delimiter = source->overvote_delimiter;
    r->delimiter_len = strlen(source->overvote_delimiter);
  }
  pc_buf_init(&r->row_text, (size_t)PC_CVR_MAX_MARKS_PER_BALLOT * 8 + 4 * PC_CVR_MAX_FIELD_BYTES);
  r->sheet_name = pc_xlsx_sheet_name(book);

  rc = pc_xlsx_load_strings(book, &r->strings, err);
  if (rc == 0) {
    xmlSAXHandler sax = {.startElementNs = sheet_start, .endElementNs = sheet_end,
                         .characters = sheet_text};
    rc = pc_xlsx_stream_sheet(book, &sax, r, &r->rc, err);
    r->ctxt = NULL;
  }
  if (rc == 0 && ballots_read) *ballots_read = r->ballots;
  pc_xlsx_strings_free(&r->strings);
  pc_xlsx_close(book);
  pc_buf_free(&r->row_text);
  free(r->marks);
  free(r->out_marks);
  free(r);
  return rc;
}
