/* Helpers shared inside src/http only (not part of the public API). */
#ifndef PRECINCT_HTTP_INTERNAL_H
#define PRECINCT_HTTP_INTERNAL_H

#include <stddef.h>

/* 1 when S[0..N) is strict UTF-8 (RFC 3629: no overlongs, no surrogates). */
int pc_http_utf8_valid(const unsigned char *s, size_t n);

#endif
