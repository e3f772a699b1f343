/* Helpers shared inside src/http only (not part of the public API). */
#ifndef PRECINCT_HTTP_INTERNAL_H
#define PRECINCT_HTTP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/http.h"

/* 1 when S[0..N) is strict UTF-8 (RFC 3629: no overlongs, no surrogates). */
int pc_http_utf8_valid(const unsigned char *s, size_t n);

/* Percent-decodes IN[0..N) into OUT (room for N+1 bytes, NUL-terminated);
 * PLUS_IS_SPACE for form encoding. Returns the decoded length, or -1 for a
 * malformed escape or a decoded NUL. */
long pc_http_percent_decode(const char *in, size_t n, int plus_is_space, char *out);

/* ---- multipart/form-data (multipart.c) ------------------------------------
 * A collector of the parts MHD_PostProcessor delivers. new/part/finish are
 * pure (unit tests and the fuzz target drive them); attach/feed/end wrap the
 * post processor of one connection. Every function after the first error
 * keeps returning it; pc_http_multipart_error tells which. */
typedef struct pc_http_multipart pc_http_multipart_t;
struct MHD_Connection;

/* A collector accepting at most MAX_TOTAL_BYTES of part data. */
pc_http_multipart_t *pc_http_multipart_new(size_t max_total_bytes);
/* Frees M, its post processor and every part (uploads handed out die too). */
void pc_http_multipart_free(pc_http_multipart_t *m);
/* One delivery: SIZE bytes of DATA at OFFSET of part NAME (FILE_NAME NULL
 * for a text field). OFFSET 0 starts a part. PC_ELIMIT past a limit,
 * PC_EINVAL for a nameless or out-of-order part. */
int pc_http_multipart_part(pc_http_multipart_t *m, const char *name, const char *file_name, const char *content_type,
                           uint64_t offset, const char *data, size_t size);
/* The first error (0 when none) and its message. */
int pc_http_multipart_error(const pc_http_multipart_t *m, const char **message);
/* Text fields into *FIELDS (validated UTF-8 without NUL; the caller frees
 * with pc_http_fields_free) and file parts into *UPLOADS (owned by M). */
int pc_http_multipart_finish(pc_http_multipart_t *m, pc_http_fields_t *fields, const pc_http_upload_t **uploads,
                             size_t *upload_count, pc_error_t *err);
/* 1 when a Content-Type header value names multipart/form-data. */
int pc_http_multipart_wanted(const char *content_type);
/* Creates the post processor for CONNECTION (reads its Content-Type and
 * boundary); PC_EINVAL when libmicrohttpd refuses it. */
int pc_http_multipart_attach(pc_http_multipart_t *m, struct MHD_Connection *connection);
/* Hands SIZE body bytes to the post processor; PC_ELIMIT once the body
 * passes the upload limit (MAX_TOTAL_BYTES counts the whole body too). */
int pc_http_multipart_feed(pc_http_multipart_t *m, const char *data, size_t size);
/* The body has ended: destroys the post processor; PC_EINVAL when the body
 * was incomplete or malformed. */
int pc_http_multipart_end(pc_http_multipart_t *m);

#endif
