/* multipart/form-data bodies (browser file uploads). libmicrohttpd's
 * MHD_PostProcessor splits the body into parts; this file only collects what
 * it delivers, within limits: text fields (the same limits as urlencoded
 * forms, strict UTF-8, no NUL) and up to PC_HTTP_MAX_UPLOADS file parts, all
 * data together at most the server's max_upload_bytes. It parses no
 * multipart syntax itself. See docs/internals/http.md. */
#include "http_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"

#include <assert.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { FILE_NAME_MAX = 255, CONTENT_TYPE_MAX = 255, PROCESSOR_BUFFER = 16384 };

typedef struct part {
  char *name;
  char *file_name;    /* NULL for a text field */
  char *content_type; /* "" when absent */
  pc_buf_t data;
} part_t;

struct pc_http_multipart {
  part_t *parts;
  size_t count, capacity;
  size_t text_fields, files;
  size_t total, max_total; /* data bytes of every part together */
  size_t raw;              /* body bytes fed, boundaries and headers included */
  int error;               /* first PC_E* met; the body is then refused */
  char message[160];
  struct MHD_PostProcessor *processor;
  pc_http_upload_t uploads[PC_HTTP_MAX_UPLOADS];
};

pc_http_multipart_t *pc_http_multipart_new(size_t max_total_bytes) {
  pc_http_multipart_t *m = pc_xcalloc(1, sizeof *m);
  m->max_total = max_total_bytes;
  return m;
}

void pc_http_multipart_free(pc_http_multipart_t *m) {
  if (m == NULL) return;
  if (m->processor) (void)MHD_destroy_post_processor(m->processor);
  for (size_t i = 0; i < m->count; i++) {
    free(m->parts[i].name);
    free(m->parts[i].file_name);
    free(m->parts[i].content_type);
    pc_buf_free(&m->parts[i].data);
  }
  free(m->parts);
  free(m);
}

static int fail(pc_http_multipart_t *m, int code, const char *message) {
  if (m->error == 0) {
    m->error = code;
    pc_strlcpy(m->message, message, sizeof m->message);
  }
  return code;
}

int pc_http_multipart_error(const pc_http_multipart_t *m, const char **message) {
  if (message) *message = m->message;
  return m->error;
}

static int same(const char *a, const char *b) {
  return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Starts a new part. */
static int open_part(pc_http_multipart_t *m, const char *name, const char *file_name, const char *content_type) {
  size_t name_len = strlen(name);
  if (name_len == 0 || name_len > pc_http_form_limits.max_name_bytes)
    return fail(m, PC_ELIMIT, "a form field name is empty or too long");
  if (file_name) {
    if (m->files == PC_HTTP_MAX_UPLOADS) return fail(m, PC_ELIMIT, "too many files in one form");
    if (strlen(file_name) > FILE_NAME_MAX) return fail(m, PC_ELIMIT, "a file name is longer than 255 bytes");
    m->files++;
  } else {
    if (m->text_fields == pc_http_form_limits.max_fields) return fail(m, PC_ELIMIT, "too many form fields");
    m->text_fields++;
  }
  if (content_type && strlen(content_type) > CONTENT_TYPE_MAX)
    return fail(m, PC_ELIMIT, "a part's Content-Type is too long");
  if (m->count == m->capacity) {
    m->capacity = m->capacity ? 2 * m->capacity : 8;
    m->parts = pc_xreallocarray(m->parts, m->capacity, sizeof *m->parts);
  }
  part_t *p = &m->parts[m->count++];
  p->name = pc_xstrdup(name);
  p->file_name = file_name ? pc_xstrdup(file_name) : NULL;
  p->content_type = pc_xstrdup(content_type ? content_type : "");
  /* Text values have the form limit; files share the body's limit. */
  pc_buf_init(&p->data, file_name ? m->max_total : pc_http_form_limits.max_value_bytes);
  return 0;
}

int pc_http_multipart_part(pc_http_multipart_t *m, const char *name, const char *file_name, const char *content_type,
                           uint64_t offset, const char *data, size_t size) {
  if (m->error) return m->error;
  if (name == NULL) return fail(m, PC_EINVAL, "a form part has no name");
  part_t *last = m->count ? &m->parts[m->count - 1] : NULL;
  int continues = last && same(last->name, name) && same(last->file_name, file_name) && offset == last->data.len;
  /* A part starts at offset 0. MHD may call once with no data before the
   * first bytes of a part, so an empty part of the same name and kind is the
   * same part (two empty fields of one name in a row then count once). */
  if (offset == 0 && !(continues && last->data.len == 0)) {
    int rc = open_part(m, name, file_name, content_type);
    if (rc != 0) return rc;
    last = &m->parts[m->count - 1];
  } else if (!continues) {
    return fail(m, PC_EINVAL, "a form part arrived out of order");
  }
  if (size == 0) return 0;
  if (size > m->max_total - m->total) return fail(m, PC_ELIMIT, "the upload is larger than the server accepts");
  if (pc_buf_append(&last->data, data, size) != 0)
    return fail(m, PC_ELIMIT, last->file_name ? "the upload is larger than the server accepts"
                                              : "a form field's value is too long");
  m->total += size;
  return 0;
}

int pc_http_multipart_finish(pc_http_multipart_t *m, pc_http_fields_t *fields, const pc_http_upload_t **uploads,
                             size_t *upload_count, pc_error_t *err) {
  if (m->error) return pc_error_set(err, m->error, "%s", m->message);
  size_t storage = 1;
  for (size_t i = 0; i < m->count; i++) {
    const part_t *p = &m->parts[i];
    if (p->file_name) continue;
    if (memchr(p->data.data ? p->data.data : "", '\0', p->data.len) != NULL ||
        !pc_http_utf8_valid((const unsigned char *)pc_buf_str(&p->data), p->data.len) ||
        !pc_http_utf8_valid((const unsigned char *)p->name, strlen(p->name)))
      return pc_error_set(err, PC_EINVAL, "form field %zu is not valid UTF-8 text", i + 1);
    storage += strlen(p->name) + p->data.len + 2;
  }
  pc_http_fields_t out = {NULL, 0, NULL};
  if (m->text_fields > 0) {
    out.items = pc_xcalloc(m->text_fields, sizeof *out.items);
    out.storage = pc_xmalloc(storage);
  }
  char *cursor = out.storage;
  size_t files = 0;
  for (size_t i = 0; i < m->count; i++) {
    part_t *p = &m->parts[i];
    if (p->file_name) {
      /* The name is only ever shown; one that is not UTF-8 is dropped. */
      if (!pc_http_utf8_valid((const unsigned char *)p->file_name, strlen(p->file_name))) p->file_name[0] = '\0';
      if (!pc_http_utf8_valid((const unsigned char *)p->content_type, strlen(p->content_type)))
        p->content_type[0] = '\0';
      m->uploads[files++] =
          (pc_http_upload_t){p->name, p->file_name, p->content_type, pc_buf_str(&p->data), p->data.len};
      continue;
    }
    size_t name_len = strlen(p->name);
    memcpy(cursor, p->name, name_len + 1);
    out.items[out.count].name = cursor;
    cursor += name_len + 1;
    memcpy(cursor, pc_buf_str(&p->data), p->data.len + 1);
    out.items[out.count].value = cursor;
    cursor += p->data.len + 1;
    out.count++;
  }
  assert(files == m->files && out.count == m->text_fields);
  *fields = out;
  *uploads = files ? m->uploads : NULL;
  *upload_count = files;
  return 0;
}

/* ---- the libmicrohttpd side ------------------------------------------------ */

int pc_http_multipart_wanted(const char *content_type) {
  static const char type[] = "multipart/form-data";
  return content_type && strncasecmp(content_type, type, sizeof type - 1) == 0 &&
         (content_type[sizeof type - 1] == ';' || content_type[sizeof type - 1] == ' ' ||
          content_type[sizeof type - 1] == '\0');
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                               const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size) {
  (void)kind;
  (void)transfer_encoding;
  return pc_http_multipart_part(cls, key, filename, content_type, off, data, size) == 0 ? MHD_YES : MHD_NO;
}

int pc_http_multipart_attach(pc_http_multipart_t *m, struct MHD_Connection *connection) {
  m->processor = MHD_create_post_processor(connection, PROCESSOR_BUFFER, on_part, m);
  return m->processor ? 0 : fail(m, PC_EINVAL, "the multipart body has no boundary");
}

int pc_http_multipart_feed(pc_http_multipart_t *m, const char *data, size_t size) {
  if (m->error) return m->error;
  /* The whole body has the upload limit too: a chunked body has no declared
   * length, and MHD skips a preamble without telling us. */
  if (size > m->max_total - m->raw) return fail(m, PC_ELIMIT, "the upload is larger than the server accepts");
  m->raw += size;
  if (MHD_post_process(m->processor, data, size) != MHD_YES)
    return fail(m, PC_EINVAL, "the multipart body is malformed");
  return 0;
}

int pc_http_multipart_end(pc_http_multipart_t *m) {
  if (m->processor == NULL) return m->error;
  enum MHD_Result complete = MHD_destroy_post_processor(m->processor);
  m->processor = NULL;
  if (m->error) return m->error;
  return complete == MHD_YES ? 0 : fail(m, PC_EINVAL, "the multipart body ended early or is malformed");
}
