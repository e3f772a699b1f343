/* CSV records with line numbers, on libcsv. The input is fed to libcsv one
 * physical line at a time so that each finished record knows the line it
 * ended on; libcsv does all the quoting rules. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/csvrows.h"

#include <csv.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct state {
  char *fields[PC_CSVROWS_MAX_FIELDS];
  size_t offsets[PC_CSVROWS_MAX_FIELDS];
  size_t count;
  pc_buf_t text;  /* the record's fields, NUL-separated: one buffer reused for every record */
  long line;
  int stop;       /* ROW's non-zero result, or our own limit error */
  int overflow;
  pc_csvrows_row_fn row;
  void *context;
} state_t;

static void on_field(void *data, size_t size, void *context) {
  state_t *s = context;
  if (s->stop) return;
  if (s->count == PC_CSVROWS_MAX_FIELDS || size > PC_CSVROWS_MAX_FIELD) {
    s->overflow = 1;
    return;
  }
  s->offsets[s->count++] = s->text.len;
  if (size) pc_buf_append(&s->text, data, size);
  pc_buf_append_char(&s->text, '\0');
}

static void on_record(int terminator, void *context) {
  (void)terminator;
  state_t *s = context;
  if (!s->stop && s->overflow) s->stop = PC_ELIMIT;
  for (size_t i = 0; i < s->count; i++) s->fields[i] = s->text.data + s->offsets[i];
  int blank = s->count == 1 && s->fields[0][0] == '\0';
  if (!s->stop && !blank) s->stop = s->row((const char *const *)s->fields, s->count, s->line, s->context);
  s->count = 0;
  pc_buf_reset(&s->text);
}

int pc_csvrows_parse(const char *data, size_t size, const char *file_name, pc_csvrows_row_fn row, void *context,
                     pc_error_t *err) {
  struct csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI) != 0)
    return pc_error_set(err, PC_EINTERNAL, "csv_init failed");
  state_t s;
  memset(&s, 0, sizeof s);
  pc_buf_init(&s.text, 0);
  s.row = row;
  s.context = context;
  size_t at = 0;
  if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) at = 3;
  int rc = 0;
  while (at < size && !s.stop) {
    const char *end = memchr(data + at, '\n', size - at);
    size_t length = end ? (size_t)(end - (data + at)) + 1 : size - at;
    s.line++;
    if (csv_parse(&parser, data + at, length, on_field, on_record, &s) != length) {
      rc = pc_error_set_at(err, PC_EINVAL, file_name, s.line, NULL, "malformed CSV: %s",
                           csv_strerror(csv_error(&parser)));
      break;
    }
    at += length;
  }
  if (rc == 0 && !s.stop && csv_fini(&parser, on_field, on_record, &s) != 0)
    rc = pc_error_set_at(err, PC_EINVAL, file_name, s.line, NULL, "malformed CSV: unterminated quoted field");
  pc_buf_free(&s.text);
  csv_free(&parser);
  if (rc == 0 && s.stop == PC_ELIMIT && s.overflow)
    rc = pc_error_set_at(err, PC_ELIMIT, file_name, s.line, NULL,
                         "record has more than %d fields or a field over %d bytes", PC_CSVROWS_MAX_FIELDS,
                         PC_CSVROWS_MAX_FIELD);
  else if (rc == 0) rc = s.stop;
  return rc;
}

int pc_csvrows_column(const char *const *fields, size_t count, const char *name) {
  size_t want = strlen(name);
  for (size_t i = 0; i < count; i++) {
    const char *f = fields[i];
    while (isspace((unsigned char)*f)) f++;
    size_t length = strlen(f);
    while (length && isspace((unsigned char)f[length - 1])) length--;
    if (length == want && strncasecmp(f, name, want) == 0) return (int)i;
  }
  return -1;
}
