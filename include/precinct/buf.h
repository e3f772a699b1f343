/* A growable byte buffer with a hard size limit: the one way strings are
 * built in precinct. The contents are always NUL-terminated (the NUL is not
 * counted in len). Appends that would exceed `limit` fail with PC_ELIMIT and
 * leave the buffer unchanged. */
#ifndef PRECINCT_BUF_H
#define PRECINCT_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct pc_buf {
  char *data;   /* NUL-terminated contents, or NULL before the first append */
  size_t len;   /* bytes used, excluding the NUL */
  size_t cap;   /* bytes allocated */
  size_t limit; /* most bytes len may reach */
} pc_buf_t;

#define PC_BUF_DEFAULT_LIMIT ((size_t)64 * 1024 * 1024)

/* Initialises B empty with the given LIMIT (0 means PC_BUF_DEFAULT_LIMIT). */
void pc_buf_init(pc_buf_t *b, size_t limit);
/* Frees B's memory and leaves it empty and reusable. */
void pc_buf_free(pc_buf_t *b);
/* Empties B, keeping its memory. */
void pc_buf_reset(pc_buf_t *b);
/* Hands B's memory to the caller (free() it) and leaves B empty; returns ""
 * duplicated when B was never written. */
char *pc_buf_detach(pc_buf_t *b, size_t *length);

int pc_buf_append(pc_buf_t *b, const void *data, size_t size);
int pc_buf_append_str(pc_buf_t *b, const char *s);
int pc_buf_append_char(pc_buf_t *b, char c);
int pc_buf_appendf(pc_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends VALUE in decimal, without printf (for loops writing millions). */
int pc_buf_append_int(pc_buf_t *b, int64_t value);
/* Appends S with & < > " ' replaced by HTML entities. */
int pc_buf_append_html(pc_buf_t *b, const char *s);
/* Appends S percent-encoded for a URL component (RFC 3986 unreserved kept). */
int pc_buf_append_urlencoded(pc_buf_t *b, const char *s);
/* Appends SIZE bytes of DATA as lowercase hex. */
int pc_buf_append_hex(pc_buf_t *b, const unsigned char *data, size_t size);

/* Returns B's contents, "" when empty. */
const char *pc_buf_str(const pc_buf_t *b);

/* snprintf that reports truncation: returns 0, or PC_ELIMIT when the result
 * did not fit in SIZE bytes (OUT is still NUL-terminated). */
int pc_snprintf(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copies S into OUT (SIZE bytes) always NUL-terminating; returns PC_ELIMIT on
 * truncation. The one replacement for strcpy/strncpy. */
int pc_strlcpy(char *out, const char *s, size_t size);

/* Parses a whole decimal integer in [MIN, MAX]; returns PC_EINVAL for
 * anything else (empty, trailing junk, out of range). The one replacement
 * for atoi. */
int pc_parse_int64(const char *s, long long min, long long max, long long *out);

#endif
