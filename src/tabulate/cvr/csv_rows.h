/* Streaming CSV rows for the Clear Ballot and generic CSV readers: libcsv in
 * strict mode over fixed-size chunks, one callback per record with its fields
 * NUL-terminated. Bounds field size, columns per row and row size. Private to
 * src/tabulate/cvr/; it knows nothing about ballots. */
#ifndef PRECINCT_TABULATE_CVR_CSV_ROWS_H
#define PRECINCT_TABULATE_CVR_CSV_ROWS_H

#include <stddef.h>

#include "precinct/error.h"

#define PC_CSV_MAX_COLUMNS 100000

typedef struct pc_csv_row {
  const char *const *fields; /* NUL-terminated, count entries */
  const size_t *lengths;
  size_t count;
  long number; /* 1-based record number in the file */
} pc_csv_row_t;

/* Called per record. Return 0 to continue or a negative PC_E* (ERR filled). */
typedef int (*pc_csv_row_fn)(void *context, const pc_csv_row_t *row, pc_error_t *err);

/* Reads the CSV file PATH (a leading UTF-8 byte order mark is skipped; fields
 * keep their spaces) calling ON_ROW for each record. Errors: PC_EIO,
 * PC_EINVAL (malformed quoting, naming the record), PC_ELIMIT (a field over
 * PC_CVR_MAX_FIELD_BYTES, more than PC_CSV_MAX_COLUMNS fields), or the
 * callback's code. */
int pc_csv_rows_read(const char *path, pc_csv_row_fn on_row, void *context, pc_error_t *err);

#endif
