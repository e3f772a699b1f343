/* Streaming CSV records with libcsv: reads a file in chunks, collects each
 * record's fields into one reused arena and hands the record to a callback.
 * Field size and column count are bounded; it never holds the whole file. It
 * does not interpret the fields. */
#include "tabulate/cvr/csv_rows.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/cvr.h"

#include <csv.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CSV_CHUNK 65536

typedef struct {
  const char *path;
  pc_csv_row_fn on_row;
  void *context;
  pc_error_t *err;
  int rc;
  long number;
  pc_buf_t arena;
  size_t *offsets, *lengths;
  const char **fields;
  size_t count, cap;
} csv_reader_t;

static void on_field(void *data, size_t len, void *context) {
  csv_reader_t *r = context;
  if (r->rc) return;
  long record = r->number + 1;
  if (len > PC_CVR_MAX_FIELD_BYTES) {
    r->rc = pc_error_set_at(r->err, PC_ELIMIT, r->path, record, NULL,
                            "row %ld column %zu: field longer than %d bytes", record, r->count + 1,
                            PC_CVR_MAX_FIELD_BYTES);
    return;
  }
  if (r->count >= PC_CSV_MAX_COLUMNS) {
    r->rc = pc_error_set_at(r->err, PC_ELIMIT, r->path, record, NULL, "row %ld: more than %d columns",
                            record, PC_CSV_MAX_COLUMNS);
    return;
  }
  if (r->count == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 64;
    r->offsets = pc_xreallocarray(r->offsets, r->cap, sizeof *r->offsets);
    r->lengths = pc_xreallocarray(r->lengths, r->cap, sizeof *r->lengths);
    r->fields = pc_xreallocarray(r->fields, r->cap, sizeof *r->fields);
  }
  r->offsets[r->count] = r->arena.len;
  r->lengths[r->count] = len;
  if ((len > 0 && pc_buf_append(&r->arena, data, len) != 0) || pc_buf_append_char(&r->arena, '\0') != 0) {
    r->rc = pc_error_set_at(r->err, PC_ELIMIT, r->path, record, NULL, "row %ld: row larger than %zu bytes",
                            record, r->arena.limit);
    return;
  }
  r->count++;
}

static void on_record(int terminator, void *context) {
  (void)terminator;
  csv_reader_t *r = context;
  if (r->rc) return;
  r->number++;
  for (size_t i = 0; i < r->count; i++) r->fields[i] = r->arena.data + r->offsets[i];
  pc_csv_row_t row = {.fields = r->fields, .lengths = r->lengths, .count = r->count, .number = r->number};
  r->rc = r->on_row(r->context, &row, r->err);
  r->count = 0;
  pc_buf_reset(&r->arena);
}

static int never_space(unsigned char c) {
  (void)c;
  return 0;
}

int pc_csv_rows_read(const char *path, pc_csv_row_fn on_row, void *context, pc_error_t *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot open cast vote record file: %s",
                           strerror(errno));
  struct csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    close(fd);
    return pc_error_set(err, PC_EINTERNAL, "csv_init failed");
  }
  csv_set_space_func(&parser, never_space);
  csv_reader_t r = {.path = path, .on_row = on_row, .context = context, .err = err};
  pc_buf_init(&r.arena, (size_t)16 << 20);
  char *chunk = pc_xmalloc(CSV_CHUNK);
  int first = 1;
  for (;;) {
    ssize_t n = read(fd, chunk, CSV_CHUNK);
    if (n < 0) {
      if (errno == EINTR) continue;
      r.rc = pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
      break;
    }
    if (n == 0) break;
    const char *data = chunk;
    size_t len = (size_t)n;
    if (first && len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) data += 3, len -= 3;
    first = 0;
    if (csv_parse(&parser, data, len, on_field, on_record, &r) != len && r.rc == 0)
      r.rc = pc_error_set_at(err, PC_EINVAL, path, r.number + 1, NULL,
                             "row %ld: malformed CSV (%s); expected quotes to be doubled inside "
                             "quoted fields and closed before the delimiter",
                             r.number + 1, csv_strerror(csv_error(&parser)));
    if (r.rc) break;
    /* libcsv grows its field buffer without bound: stop a giant field here. */
    if (parser.entry_pos > PC_CVR_MAX_FIELD_BYTES) {
      r.rc = pc_error_set_at(err, PC_ELIMIT, path, r.number + 1, NULL,
                             "row %ld: field longer than %d bytes", r.number + 1, PC_CVR_MAX_FIELD_BYTES);
      break;
    }
  }
  if (r.rc == 0 && csv_fini(&parser, on_field, on_record, &r) != 0 && r.rc == 0)
    r.rc = pc_error_set_at(err, PC_EINVAL, path, r.number + 1, NULL,
                           "row %ld: malformed CSV at end of file (%s); expected a closing quote",
                           r.number + 1, csv_strerror(csv_error(&parser)));
  csv_free(&parser);
  close(fd);
  free(chunk);
  pc_buf_free(&r.arena);
  free(r.offsets);
  free(r.lengths);
  free(r.fields);
  return r.rc;
}
