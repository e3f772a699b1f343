/* Row-at-a-time CSV reading on top of libcsv (RFC 4180, strict quoting),
 * with the physical line number of each record for error messages. */
#ifndef PRECINCT_CSVROWS_H
#define PRECINCT_CSVROWS_H

#include <stddef.h>

#include "precinct/error.h"

/* Most fields in one record, and largest field, pc_csvrows_parse accepts. */
#define PC_CSVROWS_MAX_FIELDS 256
#define PC_CSVROWS_MAX_FIELD 65536

/* Called once per record (the header included) with its COUNT fields
 * (NUL-terminated, valid only during the call) and the 1-based line on which
 * the record ends. Returning non-zero stops the parse and is returned. */
typedef int (*pc_csvrows_row_fn)(const char *const *fields, size_t count, long line, void *context);

/* Parses SIZE bytes of DATA (a leading UTF-8 BOM is skipped; blank lines are
 * skipped), calling ROW for each record. FILE_NAME is used in errors.
 * Returns 0, ROW's non-zero value, or PC_EINVAL (malformed CSV, with the
 * line) / PC_ELIMIT (too many fields, field too long). */
int pc_csvrows_parse(const char *data, size_t size, const char *file_name, pc_csvrows_row_fn row, void *context,
                     pc_error_t *err);

/* Position of NAME in the header row FIELDS (COUNT of them), or -1.
 * Comparison ignores ASCII case and surrounding spaces. */
int pc_csvrows_column(const char *const *fields, size_t count, const char *name);

#endif
