/* Parsers for the untrusted text of a request: urlencoded query strings and
 * form bodies, the Cookie header, and JSON bodies (through jansson). Every
 * parser enforces size and count limits before it allocates. It does not
 * parse the request line or headers: libmicrohttpd does. */
#include "precinct/http.h"
#include "precinct/alloc.h"
#include "http_internal.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const pc_http_limits_t pc_http_query_limits = {64, 128, 4096};
const pc_http_limits_t pc_http_form_limits = {256, 128, 65536};
const pc_http_limits_t pc_http_cookie_limits = {32, 128, 4096};

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, ≤ U+10FFFF. */
int pc_http_utf8_valid(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t need;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) need = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) need = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) need = 3, cp = c & 0x07;
    else return 0;
    if (n - i <= need) return 0;
    for (size_t k = 1; k <= need; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += need + 1;
  }
  return 1;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

long pc_http_percent_decode(const char *in, size_t n, int plus_is_space, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    char c = in[i];
    if (c == '+' && plus_is_space) {
      c = ' ';
    } else if (c == '%') {
      if (n - i < 3) return -1;
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return -1;
      c = (char)(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return -1;
    out[o++] = c;
  }
  out[o] = '\0';
  return (long)o;
}

int pc_http_parse_urlencoded(const char *data, size_t size, const pc_http_limits_t *limits,
                             pc_http_fields_t *out, pc_error_t *err) {
  assert(limits != NULL && out != NULL);
  size_t pairs = 0;
  for (size_t i = 0; i < size;) {
    const char *amp = memchr(data + i, '&', size - i);
    size_t end = amp ? (size_t)(amp - data) : size;
    if (end > i) pairs++;
    i = end + 1;
  }
  if (pairs > limits->max_fields)
    return pc_error_set(err, PC_ELIMIT, "more than %zu fields", limits->max_fields);
  pc_http_fields_t fields = {NULL, 0, NULL};
  if (pairs == 0) {
    *out = fields;
    return 0;
  }
  fields.items = pc_xcalloc(pairs, sizeof *fields.items);
  fields.storage = pc_xmalloc(size + 2 * pairs + 1);
  char *cursor = fields.storage;
  int rc = 0;
  for (size_t i = 0; i < size && rc == 0;) {
    const char *amp = memchr(data + i, '&', size - i);
    size_t end = amp ? (size_t)(amp - data) : size;
    if (end > i) {
      const char *pair = data + i;
      size_t pair_len = end - i;
      const char *eq = memchr(pair, '=', pair_len);
      size_t name_len = eq ? (size_t)(eq - pair) : pair_len;
      size_t value_len = eq ? pair_len - name_len - 1 : 0;
      char *name = cursor;
      long decoded_name = pc_http_percent_decode(pair, name_len, 1, name);
      char *value = name + (decoded_name < 0 ? 0 : decoded_name) + 1;
      long decoded_value = decoded_name < 0 ? -1 : pc_http_percent_decode(eq ? eq + 1 : "", value_len, 1, value);
      if (decoded_name < 0 || decoded_value < 0) {
        rc = pc_error_set(err, PC_EINVAL, "malformed percent-encoding or NUL in field %zu", fields.count + 1);
      } else if ((size_t)decoded_name > limits->max_name_bytes) {
        rc = pc_error_set(err, PC_ELIMIT, "field name longer than %zu bytes", limits->max_name_bytes);
      } else if ((size_t)decoded_value > limits->max_value_bytes) {
        rc = pc_error_set(err, PC_ELIMIT, "value of field \"%s\" longer than %zu bytes", name,
                          limits->max_value_bytes);
      } else if (!pc_http_utf8_valid((const unsigned char *)name, (size_t)decoded_name) ||
                 !pc_http_utf8_valid((const unsigned char *)value, (size_t)decoded_value)) {
        rc = pc_error_set(err, PC_EINVAL, "field %zu is not valid UTF-8", fields.count + 1);
      } else {
        fields.items[fields.count].name = name;
        fields.items[fields.count].value = value;
        fields.count++;
        cursor = value + decoded_value + 1;
      }
    }
    i = end + 1;
  }
  if (rc != 0) {
    pc_http_fields_free(&fields);
    return rc;
  }
  *out = fields;
  return 0;
}

static int is_cookie_space(char c) {
  return c == ' ' || c == '\t';
}

int pc_http_parse_cookies(const char *header, size_t size, const pc_http_limits_t *limits,
                          pc_http_fields_t *out, pc_error_t *err) {
  assert(limits != NULL && out != NULL);
  for (size_t i = 0; i < size; i++) {
    unsigned char c = (unsigned char)header[i];
    if ((c < 0x20 && c != '\t') || c == 0x7F)
      return pc_error_set(err, PC_EINVAL, "control character in Cookie header");
  }
  if (!pc_http_utf8_valid((const unsigned char *)header, size))
    return pc_error_set(err, PC_EINVAL, "Cookie header is not valid UTF-8");
  size_t pairs = 0;
  for (size_t i = 0; i < size; i++)
    if (header[i] == ';') pairs++;
  pairs++;
  pc_http_fields_t fields = {NULL, 0, NULL};
  fields.items = pc_xcalloc(pairs, sizeof *fields.items);
  fields.storage = pc_xmalloc(size + 2 * pairs + 1);
  char *cursor = fields.storage;
  int rc = 0;
  for (size_t i = 0; i < size && rc == 0;) {
    const char *semi = memchr(header + i, ';', size - i);
    size_t end = semi ? (size_t)(semi - header) : size;
    size_t start = i;
    i = end + 1;
    while (start < end && is_cookie_space(header[start])) start++;
    size_t stop = end;
    while (stop > start && is_cookie_space(header[stop - 1])) stop--;
    const char *eq = memchr(header + start, '=', stop - start);
    if (eq == NULL) continue;
    size_t name_end = (size_t)(eq - header);
    while (name_end > start && is_cookie_space(header[name_end - 1])) name_end--;
    size_t value_start = (size_t)(eq - header) + 1;
    while (value_start < stop && is_cookie_space(header[value_start])) value_start++;
    if (name_end == start) continue;
    if (stop - value_start >= 2 && header[value_start] == '"' && header[stop - 1] == '"') {
      value_start++;
      stop--;
    }
    size_t name_len = name_end - start, value_len = stop - value_start;
    if (fields.count == limits->max_fields)
      rc = pc_error_set(err, PC_ELIMIT, "more than %zu cookies", limits->max_fields);
    else if (name_len > limits->max_name_bytes)
      rc = pc_error_set(err, PC_ELIMIT, "cookie name longer than %zu bytes", limits->max_name_bytes);
    else if (value_len > limits->max_value_bytes)
      rc = pc_error_set(err, PC_ELIMIT, "cookie value longer than %zu bytes", limits->max_value_bytes);
    else {
      char *name = cursor;
      memcpy(name, header + start, name_len);
      name[name_len] = '\0';
      char *value = name + name_len + 1;
      memcpy(value, header + value_start, value_len);
      value[value_len] = '\0';
      cursor = value + value_len + 1;
      fields.items[fields.count].name = name;
      fields.items[fields.count].value = value;
      fields.count++;
    }
  }
  if (rc != 0) {
    pc_http_fields_free(&fields);
    return rc;
  }
  *out = fields;
  return 0;
}

const char *pc_http_fields_get(const pc_http_fields_t *fields, const char *name) {
  for (size_t i = 0; i < fields->count; i++)
    if (strcmp(fields->items[i].name, name) == 0) return fields->items[i].value;
  return NULL;
}

size_t pc_http_fields_count_of(const pc_http_fields_t *fields, const char *name) {
  size_t n = 0;
  for (size_t i = 0; i < fields->count; i++)
    if (strcmp(fields->items[i].name, name) == 0) n++;
  return n;
}

void pc_http_fields_free(pc_http_fields_t *fields) {
  if (fields == NULL) return;
  free(fields->items);
  free(fields->storage);
  fields->items = NULL;
  fields->storage = NULL;
  fields->count = 0;
}

/* jansson's own nesting limit is a compile-time 2048; a cheap scan first
 * keeps hostile bodies from costing that much recursion. */
static int json_depth_ok(const char *data, size_t size, int max_depth) {
  int depth = 0, in_string = 0;
  for (size_t i = 0; i < size; i++) {
    char c = data[i];
    if (in_string) {
      if (c == '\\') i++;
      else if (c == '"') in_string = 0;
    } else if (c == '"') {
      in_string = 1;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return 0;
    } else if (c == '}' || c == ']') {
      depth--;
    }
  }
  return 1;
}

int pc_http_parse_json(const char *data, size_t size, size_t max_bytes, int max_depth, json_t **out,
                       pc_error_t *err) {
  if (size > max_bytes) return pc_error_set(err, PC_ELIMIT, "JSON body larger than %zu bytes", max_bytes);
  if (!json_depth_ok(data, size, max_depth))
    return pc_error_set(err, PC_ELIMIT, "JSON nested deeper than %d levels", max_depth);
  json_error_t json_err;
  json_t *value = json_loadb(data, size, JSON_REJECT_DUPLICATES, &json_err);
  if (value == NULL)
    return pc_error_set_at(err, PC_EINVAL, NULL, json_err.line, NULL, "invalid JSON at line %d column %d: %s",
                           json_err.line, json_err.column, json_err.text);
  *out = value;
  return 0;
}
