/* Streaming parser for the NC voter file layout: tab-delimited text with a
 * header line, fields optionally double-quoted (libcsv does the quoting
 * rules). Each data line becomes a pc_voter_t handed to a sink. Limits: line,
 * field and column counts (voters_io.h). Does not touch the database. */
#include "nc_layout.h"
#include "voters_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/voters_io.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

typedef struct column_map {
  const pc_nc_column_t *column;
  size_t offset, size; /* into pc_voter_t for PC_NC_TEXT */
} column_map_t;

struct pc_nc_reader {
  struct csv_parser csv;
  char file_name[256];
  pc_nc_sink_t sink;
  column_map_t columns[PC_NC_MAX_COLUMNS];
  int column_count;
  int header_done;
  int field_index;
  long line;
  long line_bytes; /* bytes since the last newline, for the line limit */
  int last_term;
  int failed;
  pc_error_t error;
  pc_voter_t own;    /* parsed into when the sink has no slot */
  pc_voter_t *voter; /* the current line's voter; NULL before its first field */
  char county_desc[64], precinct_desc[64];
  int64_t county_code;
  char header_names[PC_NC_MAX_COLUMNS][48];
};

static int only_space(unsigned char c) {
  return c == ' ';
}

static int fail_at(pc_nc_reader_t *r, int code, const char *field, const char *message) {
  if (!r->failed) {
    r->failed = 1;
    pc_error_set_at(&r->error, code, r->file_name, r->line + 1, field, "%s", message);
  }
  return code;
}

pc_nc_reader_t *pc_nc_reader_new(const char *file_name, const pc_nc_sink_t *sink) {
  pc_nc_reader_t *r = pc_xcalloc(1, sizeof *r);
  if (csv_init(&r->csv, CSV_REPALL_NL) != 0) abort();
  csv_set_delim(&r->csv, '\t');
  csv_set_space_func(&r->csv, only_space);
  pc_strlcpy(r->file_name, file_name, sizeof r->file_name);
  r->sink = *sink;
  pc_error_clear(&r->error);
  return r;
}

void pc_nc_reader_free(pc_nc_reader_t *r) {
  if (r == NULL) return;
  csv_free(&r->csv);
  free(r);
}

static void header_field(pc_nc_reader_t *r, const char *data, size_t len) {
  if (r->field_index >= PC_NC_MAX_COLUMNS) {
    fail_at(r, PC_ELIMIT, NULL, "too many columns in the header");
    return;
  }
  char name[48];
  if (pc_voters_copy(name, sizeof name, data, len) != 0) {
    fail_at(r, PC_EINVAL, NULL, "header column name too long");
    return;
  }
  for (char *p = name; *p; p++)
    if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
  const pc_nc_column_t *c = pc_nc_column_find(name);
  if (c == NULL) {
    fail_at(r, PC_EINVAL, name, "unknown column in the header (expected the NC voter file layout)");
    return;
  }
  for (int i = 0; i < r->field_index; i++)
    if (strcmp(r->header_names[i], name) == 0) {
      fail_at(r, PC_EINVAL, name, "column appears twice in the header");
      return;
    }
  column_map_t *m = &r->columns[r->field_index];
  m->column = c;
  if (c->kind == PC_NC_TEXT) {
    char *field = pc_voter_text_field(&r->own, c->column, &m->size);
    m->offset = (size_t)(field - (char *)&r->own);
  }
  pc_strlcpy(r->header_names[r->field_index], name, sizeof r->header_names[0]);
  r->field_index++;
}

/* The voter the current line is parsed into (the sink's slot or our own),
 * cleared at the line's first field; NULL when the sink stopped. */
static pc_voter_t *line_voter(pc_nc_reader_t *r) {
  if (r->voter == NULL) {
    r->voter = r->sink.slot ? r->sink.slot(r->sink.context) : &r->own;
    if (r->voter == NULL) {
      fail_at(r, PC_EINTERNAL, NULL, "the importer stopped");
      return NULL;
    }
    memset(r->voter, 0, sizeof *r->voter);
  }
  return r->voter;
}

static void data_field(pc_nc_reader_t *r, const char *data, size_t len) {
  if (r->field_index >= r->column_count) {
    r->field_index++; /* counted, reported at the end of the line */
    return;
  }
  pc_voter_t *voter = line_voter(r);
  if (voter == NULL) return;
  const column_map_t *m = &r->columns[r->field_index];
  const char *name = m->column->name;
  if (memchr(data, '\n', len) || memchr(data, '\r', len)) {
    fail_at(r, PC_EINVAL, name, "line break inside a field");
    return;
  }
  if (m->column->kind == PC_NC_TEXT) { /* most columns: straight into the voter */
    if (len >= m->size) {
      fail_at(r, len >= PC_NC_MAX_FIELD ? PC_ELIMIT : PC_EINVAL, name, "field longer than the layout allows");
      return;
    }
    char *out = (char *)voter + m->offset;
    memcpy(out, data, len);
    out[len] = '\0';
    r->field_index++;
    return;
  }
  char text[PC_NC_MAX_FIELD];
  if (pc_voters_copy(text, sizeof text, data, len) != 0) {
    fail_at(r, PC_ELIMIT, name, "field longer than the layout allows");
    return;
  }
  long long number = 0;
  switch (m->column->kind) {
  case PC_NC_COUNTY_ID:
    if (len && pc_parse_int64(text, 0, 9999, &number) != 0) fail_at(r, PC_EINVAL, name, "expected a county number");
    r->county_code = number;
    break;
  case PC_NC_COUNTY_DESC:
    if (pc_voters_copy(r->county_desc, sizeof r->county_desc, text, len) != 0) fail_at(r, PC_EINVAL, name, "too long");
    break;
  case PC_NC_PRECINCT_DESC:
    if (pc_voters_copy(r->precinct_desc, sizeof r->precinct_desc, text, len) != 0) fail_at(r, PC_EINVAL, name, "too long");
    break;
  case PC_NC_DATE:
    if (len && pc_voters_parse_date(text, voter->registration_date) != 0)
      fail_at(r, PC_EINVAL, name, "expected a date MM/DD/YYYY");
    break;
  case PC_NC_BIRTH_YEAR:
    if (len && pc_parse_int64(text, 1850, 2200, &number) != 0) fail_at(r, PC_EINVAL, name, "expected a year");
    voter->birth_year = number;
    break;
  case PC_NC_BIRTH_DATE:
    if (len && pc_voters_parse_date(text, voter->birth_date) != 0) fail_at(r, PC_EINVAL, name, "expected a date YYYY-MM-DD");
    break;
  default: break;
  }
  r->field_index++;
}

static void on_field(void *data, size_t len, void *context) {
  pc_nc_reader_t *r = context;
  if (r->failed) return;
  if (!r->header_done) header_field(r, data ? data : "", data ? len : 0);
  else data_field(r, data ? data : "", data ? len : 0);
}

static int status_known(const char *status) {
  return pc_voters_status_desc(status)[0] != '\0';
}

static void finish_record(pc_nc_reader_t *r) {
  pc_voter_t *v = line_voter(r);
  if (v == NULL) return;
  if (r->field_index != r->column_count) {
    char message[96];
    pc_snprintf(message, sizeof message, "expected %d fields, found %d", r->column_count, r->field_index);
    fail_at(r, PC_EINVAL, NULL, message);
    return;
  }
  if (v->ncid[0] == '\0') fail_at(r, PC_EINVAL, "ncid", "is required");
  else if (v->last_name[0] == '\0') fail_at(r, PC_EINVAL, "last_name", "is required");
  else if (r->county_desc[0] == '\0') fail_at(r, PC_EINVAL, "county_desc", "is required");
  else if (!status_known(v->status)) fail_at(r, PC_EINVAL, "status_cd", "expected A, D, I, R, P or S");
  else if (v->voter_reg_num[0] == '\0') pc_strlcpy(v->voter_reg_num, v->ncid, sizeof v->voter_reg_num);
  if (r->failed) return;
  if (v->confidential[0] == '\0') pc_strlcpy(v->confidential, "N", sizeof v->confidential);
  if (v->birth_date[0] && v->birth_year == 0) v->birth_year = strtoll(v->birth_date, NULL, 10);
  int rc = r->sink.record(r->sink.context, v, r->county_desc, r->county_code, r->precinct_desc, r->line + 1, &r->error);
  if (rc != 0) {
    r->failed = 1;
    if (r->error.code == 0) r->error.code = rc; /* the sink stopped without a message */
  }
}

static void on_row(int term, void *context) {
  pc_nc_reader_t *r = context;
  if (r->failed) return;
  int fields = r->field_index;
  if (term == '\n' && r->last_term == '\r' && fields == 0) {
    r->last_term = term;
    return;
  }
  r->last_term = term;
  if (fields == 0) { /* blank line */
    r->line++;
    return;
  }
  if (!r->header_done) {
    r->column_count = fields;
    r->header_done = 1;
    int has_ncid = 0, has_county = 0;
    for (int i = 0; i < fields; i++) {
      has_ncid |= strcmp(r->columns[i].column->name, "ncid") == 0;
      has_county |= r->columns[i].column->kind == PC_NC_COUNTY_DESC;
    }
    if (!has_ncid || !has_county) fail_at(r, PC_EINVAL, has_ncid ? "county_desc" : "ncid", "header lacks this column");
  } else {
    finish_record(r);
  }
  r->line++;
  r->field_index = 0;
  r->voter = NULL;
  r->county_desc[0] = r->precinct_desc[0] = '\0';
  r->county_code = 0;
}

int pc_nc_reader_feed(pc_nc_reader_t *r, const void *data, size_t size, pc_error_t *err) {
  /* Enforce the line limit on the raw bytes: libcsv itself buffers a field
   * of any length. */
  const char *p = data, *end = p + size;
  while (p < end && !r->failed) {
    const char *chunk_end = p + 65536 < end ? p + 65536 : end;
    /* Lines found with memchr; an overlong one ends the chunk at its start,
     * so the lines before it are parsed and the error names its number. */
    const char *q = p, *too_long = NULL;
    while (q < chunk_end) {
      const char *newline = memchr(q, '\n', (size_t)(chunk_end - q));
      size_t run = (size_t)((newline ? newline : chunk_end) - q);
      if (r->line_bytes + (long)run > PC_NC_MAX_LINE) {
        too_long = q; /* == p when the line began in an earlier chunk */
        break;
      }
      if (newline == NULL) {
        r->line_bytes += (long)run;
        break;
      }
      r->line_bytes = 0;
      q = newline + 1;
    }
    const char *parse_end = too_long ? too_long : chunk_end;
    if (parse_end > p && csv_parse(&r->csv, p, (size_t)(parse_end - p), on_field, on_row, r) != (size_t)(parse_end - p) &&
        !r->failed)
      fail_at(r, PC_EINVAL, NULL, csv_strerror(csv_error(&r->csv)));
    if (too_long) fail_at(r, PC_ELIMIT, NULL, "line longer than the limit (8192 bytes)");
    p = chunk_end;
  }
  if (r->failed) {
    if (err) *err = r->error;
    return r->error.code ? r->error.code : PC_EINVAL;
  }
  return 0;
}

int pc_nc_reader_finish(pc_nc_reader_t *r, pc_error_t *err) {
  if (!r->failed) csv_fini(&r->csv, on_field, on_row, r);
  if (!r->failed && !r->header_done) fail_at(r, PC_EINVAL, NULL, "empty file: expected a header line");
  if (r->failed) {
    if (err) *err = r->error;
    return r->error.code ? r->error.code : PC_EINVAL;
  }
  return 0;
}
