/* pc_error_t: recording and formatting error descriptions. */
#include "precinct/error.h"
#include "precinct/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void pc_error_clear(pc_error_t *e) {
  if (e == NULL) return;
  memset(e, 0, sizeof *e);
}

static void set_message(pc_error_t *e, int code, const char *fmt, va_list ap) {
  e->code = code;
  int n = vsnprintf(e->message, sizeof e->message, fmt, ap);
  if (n < 0) pc_strlcpy(e->message, "(unprintable error message)", sizeof e->message);
}

int pc_error_set(pc_error_t *e, int code, const char *fmt, ...) {
  if (e == NULL) return code;
  va_list ap;
  va_start(ap, fmt);
  set_message(e, code, fmt, ap);
  va_end(ap);
  return code;
}

int pc_error_set_at(pc_error_t *e, int code, const char *file, long line, const char *field,
                    const char *fmt, ...) {
  if (e == NULL) return code;
  pc_strlcpy(e->file, file ? file : "", sizeof e->file);
  pc_strlcpy(e->field, field ? field : "", sizeof e->field);
  e->line = line;
  e->column = 0;
  va_list ap;
  va_start(ap, fmt);
  set_message(e, code, fmt, ap);
  va_end(ap);
  return code;
}

const char *pc_error_format(const pc_error_t *e, char *out, size_t size) {
  if (size == 0) return out;
  out[0] = '\0';
  if (e == NULL) return out;
  pc_buf_t b;
  pc_buf_init(&b, size - 1);
  /* Truncation of an over-long message is acceptable here: the prefix is what
   * matters and the result still fits OUT. */
  if (e->file[0]) {
    (void)pc_buf_append_str(&b, e->file);
    if (e->line > 0) (void)pc_buf_appendf(&b, ":%ld", e->line);
    if (e->column > 0) (void)pc_buf_appendf(&b, ":%ld", e->column);
    (void)pc_buf_append_str(&b, ": ");
  } else if (e->line > 0) {
    (void)pc_buf_appendf(&b, "line %ld: ", e->line);
  }
  if (e->field[0]) (void)pc_buf_appendf(&b, "field '%s': ", e->field);
  if (pc_buf_append_str(&b, e->message[0] ? e->message : pc_strerror(e->code)) != 0) {
    size_t room = size - 1 - b.len;
    (void)pc_buf_append(&b, e->message, room);
  }
  pc_strlcpy(out, pc_buf_str(&b), size);
  pc_buf_free(&b);
  return out;
}

const char *pc_strerror(int code) {
  switch (code) {
  case PC_OK: return "ok";
  case PC_EINVAL: return "invalid input";
  case PC_EIO: return "input/output error";
  case PC_ENOTFOUND: return "not found";
  case PC_EEXIST: return "already exists";
  case PC_EPERM: return "permission denied";
  case PC_EAUTH: return "authentication required or failed";
  case PC_EBUSY: return "busy, try again later";
  case PC_ELIMIT: return "size limit exceeded";
  case PC_EDB: return "database error";
  case PC_EINTEGRITY: return "integrity check failed";
  case PC_ESTATE: return "not allowed in the current state";
  case PC_ECONFLICT: return "conflicting change";
  case PC_EUNAVAIL: return "service unavailable";
  case PC_EINTERNAL: return "internal error";
  default: return "unknown error";
  }
}
