/* pc_buf_t, the bounded string builder, and the small string helpers that
 * replace the banned libc functions (strcpy, sprintf, atoi). */
#include "precinct/buf.h"
#include "precinct/alloc.h"
#include "precinct/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pc_buf_init(pc_buf_t *b, size_t limit) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->limit = limit ? limit : PC_BUF_DEFAULT_LIMIT;
}

void pc_buf_free(pc_buf_t *b) {
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

void pc_buf_reset(pc_buf_t *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

char *pc_buf_detach(pc_buf_t *b, size_t *length) {
  char *data = b->data ? b->data : pc_xstrdup("");
  if (length) *length = b->len;
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  return data;
}

const char *pc_buf_str(const pc_buf_t *b) {
  return b->data ? b->data : "";
}

/* Makes room for EXTRA more bytes plus the NUL, or fails without change. */
static int reserve(pc_buf_t *b, size_t extra) {
  if (extra > b->limit || b->len > b->limit - extra) return PC_ELIMIT;
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
  b->data = pc_xrealloc(b->data, cap);
  b->cap = cap;
  return 0;
}

int pc_buf_append(pc_buf_t *b, const void *data, size_t size) {
  if (reserve(b, size) != 0) return PC_ELIMIT;
  if (size) memcpy(b->data + b->len, data, size);
  b->len += size;
  b->data[b->len] = '\0';
  return 0;
}

int pc_buf_append_str(pc_buf_t *b, const char *s) {
  return pc_buf_append(b, s, strlen(s));
}

int pc_buf_append_char(pc_buf_t *b, char c) {
  return pc_buf_append(b, &c, 1);
}

int pc_buf_append_int(pc_buf_t *b, int64_t value) {
  char digits[24];
  size_t at = sizeof digits;
  uint64_t v = value < 0 ? (uint64_t)(-(value + 1)) + 1 : (uint64_t)value;
  do digits[--at] = (char)('0' + v % 10); while ((v /= 10) != 0);
  if (value < 0) digits[--at] = '-';
  return pc_buf_append(b, digits + at, sizeof digits - at);
}

int pc_buf_appendf(pc_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return PC_EINVAL;
  if (reserve(b, (size_t)n) != 0) return PC_ELIMIT;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

int pc_buf_append_html(pc_buf_t *b, const char *s) {
  size_t start_len = b->len;
  for (const char *p = s; *p; p++) {
    const char *entity = NULL;
    switch (*p) {
    case '&': entity = "&amp;"; break;
    case '<': entity = "&lt;"; break;
    case '>': entity = "&gt;"; break;
    case '"': entity = "&quot;"; break;
    case '\'': entity = "&#39;"; break;
    default: break;
    }
    int rc = entity ? pc_buf_append_str(b, entity) : pc_buf_append_char(b, *p);
    if (rc != 0) {
      b->len = start_len;
      if (b->data) b->data[b->len] = '\0';
      return rc;
    }
  }
  return 0;
}

int pc_buf_append_urlencoded(pc_buf_t *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  size_t start_len = b->len;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    int rc;
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
        *p == '-' || *p == '.' || *p == '_' || *p == '~') {
      rc = pc_buf_append_char(b, (char)*p);
    } else {
      char encoded[3] = {'%', hex[*p >> 4], hex[*p & 15]};
      rc = pc_buf_append(b, encoded, 3);
    }
    if (rc != 0) {
      b->len = start_len;
      if (b->data) b->data[b->len] = '\0';
      return rc;
    }
  }
  return 0;
}

int pc_buf_append_hex(pc_buf_t *b, const unsigned char *data, size_t size) {
  static const char hex[] = "0123456789abcdef";
  if (size > ((size_t)-1) / 2 || reserve(b, size * 2) != 0) return PC_ELIMIT;
  for (size_t i = 0; i < size; i++) {
    b->data[b->len++] = hex[data[i] >> 4];
    b->data[b->len++] = hex[data[i] & 15];
  }
  b->data[b->len] = '\0';
  return 0;
}

int pc_snprintf(char *out, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out, size, fmt, ap);
  va_end(ap);
  if (n < 0) {
    if (size) out[0] = '\0';
    return PC_EINVAL;
  }
  return (size_t)n >= size ? PC_ELIMIT : 0;
}

int pc_strlcpy(char *out, const char *s, size_t size) {
  if (size == 0) return PC_ELIMIT;
  size_t n = strlen(s);
  size_t copy = n < size ? n : size - 1;
  memcpy(out, s, copy);
  out[copy] = '\0';
  return n < size ? 0 : PC_ELIMIT;
}

int pc_parse_int64(const char *s, long long min, long long max, long long *out) {
  if (s == NULL || *s == '\0') return PC_EINVAL;
  char *end = NULL;
  errno = 0;
  long long value = strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || value < min || value > max) return PC_EINVAL;
  *out = value;
  return 0;
}
