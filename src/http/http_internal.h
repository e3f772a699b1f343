/* Helpers shared inside src/http only (not part of the public API). */
#ifndef PRECINCT_HTTP_INTERNAL_H
#define PRECINCT_HTTP_INTERNAL_H

#include <stddef.h>

/* 1 when S[0..N) is strict UTF-8 (RFC 3629: no overlongs, no surrogates). */
int pc_http_utf8_valid(const unsigned char *s, size_t n);

/* Percent-decodes IN[0..N) into OUT (room for N+1 bytes, NUL-terminated);
 * PLUS_IS_SPACE for form encoding. Returns the decoded length, or -1 for a
 * malformed escape or a decoded NUL. */
long pc_http_percent_decode(const char *in, size_t n, int plus_is_space, char *out);

#endif
