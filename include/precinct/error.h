/* Error codes and the error record every fallible function fills in.
 * Functions return 0 on success or a negative PC_E* code; when they fail they
 * also describe the problem in a caller-provided pc_error_t (which may be NULL
 * when the caller does not want the text). */
#ifndef PRECINCT_ERROR_H
#define PRECINCT_ERROR_H

#include <stddef.h>

enum {
  PC_OK = 0,
  PC_EINVAL = -1,     /* input is malformed or breaks a rule */
  PC_EIO = -2,        /* file or network I/O failed */
  PC_ENOTFOUND = -3,  /* the thing asked for does not exist */
  PC_EEXIST = -4,     /* the thing to create exists already */
  PC_EPERM = -5,      /* authenticated, but not allowed */
  PC_EAUTH = -6,      /* not authenticated, or credentials wrong */
  PC_EBUSY = -7,      /* resource busy or throttled; retry later */
  PC_ELIMIT = -8,     /* input exceeds a size or count limit */
  PC_EDB = -9,        /* the database reported an error */
  PC_EINTEGRITY = -10,/* verification failed: data does not match its proof */
  PC_ESTATE = -11,    /* operation not allowed in the current state */
  PC_ECONFLICT = -12, /* concurrent change or version mismatch */
  PC_EUNAVAIL = -13,  /* dependency unavailable (database down, ...) */
  PC_EINTERNAL = -14  /* bug: an invariant did not hold */
};

typedef struct pc_error {
  int code;          /* one of PC_E*, 0 when no error was recorded */
  char file[256];    /* input file the error is about, "" if none */
  long line;         /* 1-based line (or row) in that file, 0 if none */
  long column;       /* 1-based column, 0 if none */
  char field[128];   /* field/column/option name, "" if none */
  char message[768]; /* what was wrong and what was expected */
} pc_error_t;

/* Empties E (code 0, all strings ""). E may be NULL. */
void pc_error_clear(pc_error_t *e);

/* Records CODE and a printf-style message in E (which may be NULL), keeping
 * any file/line/field already set. Returns CODE so callers can
 * `return pc_error_set(err, PC_EINVAL, "...")`. */
int pc_error_set(pc_error_t *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like pc_error_set, and also records where: FILE (may be NULL), LINE and
 * FIELD (may be NULL). */
int pc_error_set_at(pc_error_t *e, int code, const char *file, long line,
                    const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Writes "FILE:LINE:COLUMN: field 'FIELD': MESSAGE" (omitting empty parts)
 * into OUT (SIZE bytes, always NUL-terminated) and returns OUT. */
const char *pc_error_format(const pc_error_t *e, char *out, size_t size);

/* Short English name of CODE, e.g. "invalid input". Never NULL. */
const char *pc_strerror(int code);

#endif
