/* Element splitting for big JSON CVR files (see json_split.h): a byte scan
 * that tracks only string/escape state and bracket depth, to find where the
 * top-level "CVR" array and each of its elements begin and end. Whether the
 * text between those boundaries is JSON is decided by jansson, which parses
 * the skeleton and every element; the scan refuses anything it cannot split
 * (unbalanced brackets, a member twice, stray bytes between elements). */
#include "tabulate/cvr/json_split.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "precinct/alloc.h"

#define SPLIT_CHUNK (1 << 20)
#define SPLIT_MAX_DEPTH 100000 /* jansson itself stops at 2048 */
#define SPLIT_MAX_KEY 64       /* raw bytes; "\u0043\u0056\u0052" needs 20 */

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* RAW (a complete JSON string with its quotes) decodes to KEY. */
static int key_matches(const char *raw, size_t len, const char *key) {
  json_error_t jerr;
  json_t *s = json_loadb(raw, len, JSON_DECODE_ANY, &jerr);
  int match = json_is_string(s) && json_string_length(s) == strlen(key) &&
              memcmp(json_string_value(s), key, strlen(key)) == 0;
  json_decref(s);
  return match;
}

static int read_chunk(FILE *file, const char *path, char *chunk, size_t want, size_t *got,
                      pc_error_t *err) {
  *got = fread(chunk, 1, want, file);
  if (*got == 0 && ferror(file))
    return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot read the CVR file");
  return 0;
}

typedef struct {
  int depth, in_string, escape;
} scan_t;

/* Advances string and escape state by C; returns 1 when C is inside a string. */
static int in_string(scan_t *s, unsigned char c) {
  if (!s->in_string) return 0;
  if (s->escape) s->escape = 0;
  else if (c == '\\') s->escape = 1;
  else if (c == '"') s->in_string = 0;
  return 1;
}

int pc_json_split_skeleton(FILE *file, const char *path, const char *key, pc_buf_t *skeleton,
                           uint64_t *start_out, uint64_t *end_out, pc_error_t *err) {
  if (fseeko(file, 0, SEEK_SET) != 0)
    return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot read the CVR file");
  char *chunk = pc_xmalloc(SPLIT_CHUNK);
  scan_t s = {0};
  char raw[SPLIT_MAX_KEY];
  size_t raw_len = 0;
  int capturing = 0, raw_long = 0, pending_key = 0, want_array = 0, in_array = 0, found = 0;
  uint64_t base = 0, start = 0, end = 0;
  int rc = 0;
  for (;;) {
    size_t n = 0;
    if ((rc = read_chunk(file, path, chunk, SPLIT_CHUNK, &n, err)) != 0 || n == 0) break;
    size_t copy_from = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
      unsigned char c = (unsigned char)chunk[i];
      if (s.in_string) {
        if (capturing) {
          if (raw_len < sizeof raw) raw[raw_len++] = (char)c;
          else raw_long = 1;
        }
        in_string(&s, c);
        if (!s.in_string && capturing) capturing = 0, pending_key = 1;
        continue;
      }
      if (is_space(c)) continue;
      if (pending_key) {
        pending_key = 0;
        if (c == ':' && !raw_long && key_matches(raw, raw_len, key)) {
          if (found || want_array)
            rc = pc_error_set_at(err, PC_EINVAL, path, 0, key,
                                 "the report has more than one \"%s\" member; expected one", key);
          want_array = 1;
          continue;
        }
      }
      if (want_array) {
        want_array = 0;
        if (c == '[') {
          found = in_array = 1;
          start = base + i;
          if (pc_buf_append(skeleton, chunk + copy_from, i - copy_from) != 0 ||
              pc_buf_append(skeleton, "[]", 2) != 0)
            rc = pc_error_set_at(err, PC_ELIMIT, path, 0, NULL,
                                 "the report outside its \"%s\" array exceeds %zu bytes", key,
                                 skeleton->limit);
          s.depth++;
          continue;
        }
      }
      if (c == '"') {
        s.in_string = 1;
        if (s.depth == 1 && !in_array) capturing = 1, raw[0] = '"', raw_len = 1, raw_long = 0;
      } else if (c == '{' || c == '[') {
        if (++s.depth > SPLIT_MAX_DEPTH)
          rc = pc_error_set_at(err, PC_ELIMIT, path, 0, NULL,
                               "JSON nested deeper than %d at byte %llu", SPLIT_MAX_DEPTH,
                               (unsigned long long)(base + i));
      } else if (c == '}' || c == ']') {
        if (s.depth == 0) {
          rc = pc_error_set_at(err, PC_EINVAL, path, 0, NULL,
                               "invalid JSON: unbalanced '%c' at byte %llu", c,
                               (unsigned long long)(base + i));
        } else if (--s.depth == 1 && in_array) {
          if (c != ']')
            rc = pc_error_set_at(err, PC_EINVAL, path, 0, key,
                                 "invalid JSON: the \"%s\" array ends with '}' at byte %llu", key,
                                 (unsigned long long)(base + i));
          in_array = 0;
          end = base + i + 1;
          copy_from = i + 1;
        }
      }
    }
    if (rc == 0 && !in_array && pc_buf_append(skeleton, chunk + copy_from, n - copy_from) != 0)
      rc = pc_error_set_at(err, PC_ELIMIT, path, 0, NULL,
                           "the report outside its \"%s\" array exceeds %zu bytes", key,
                           skeleton->limit);
    if (rc) break;
    base += n;
  }
  free(chunk);
  if (rc == 0 && in_array)
    rc = pc_error_set_at(err, PC_EINVAL, path, 0, key,
                         "invalid JSON: the \"%s\" array is not closed at the end of the file", key);
  if (rc == 0) {
    *start_out = found ? start : 0;
    *end_out = found ? end : 0;
  }
  return rc;
}

int pc_json_split_elements(FILE *file, const char *path, uint64_t start, uint64_t end,
                           size_t max_element, pc_json_element_fn fn, void *context,
                           pc_error_t *err) {
  if (end < start + 2) return 0;
  if (fseeko(file, (off_t)(start + 1), SEEK_SET) != 0)
    return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot read the CVR file");
  char *chunk = pc_xmalloc(SPLIT_CHUNK);
  pc_buf_t element;
  pc_buf_init(&element, max_element);
  scan_t s = {0};
  enum { WANT_FIRST, WANT_COMMA, WANT_ELEMENT } expect = WANT_FIRST;
  uint64_t base = start + 1, left = end - 1 - base, index = 0, offset = 0;
  int rc = 0;
  while (rc == 0 && left > 0) {
    size_t n = 0;
    if ((rc = read_chunk(file, path, chunk, left < SPLIT_CHUNK ? (size_t)left : SPLIT_CHUNK, &n,
                         err)) != 0)
      break;
    if (n == 0) {
      rc = pc_error_set_at(err, PC_EIO, path, 0, NULL, "the CVR file shrank while being read");
      break;
    }
    size_t from = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
      unsigned char c = (unsigned char)chunk[i];
      if (s.depth > 0) {
        if (in_string(&s, c)) continue;
        if (c == '"') s.in_string = 1;
        else if (c == '{' || c == '[') s.depth++; /* bounded by pass 1 */
        else if ((c == '}' || c == ']') && --s.depth == 0) {
          if (pc_buf_append(&element, chunk + from, i + 1 - from) != 0) {
            rc = pc_error_set_at(err, PC_ELIMIT, path, (long)index, NULL,
                                 "CVR %llu is larger than %zu bytes", (unsigned long long)index,
                                 max_element);
            break;
          }
          rc = fn(context, element.data, element.len, index, offset, err);
          pc_buf_reset(&element);
          expect = WANT_COMMA;
        }
        continue;
      }
      if (is_space(c)) continue;
      if (c == ',' && expect == WANT_COMMA) {
        expect = WANT_ELEMENT;
      } else if (c == '{' && expect != WANT_COMMA) {
        s.depth = 1;
        from = i;
        offset = base + i;
        index++;
      } else {
        rc = pc_error_set_at(err, PC_EINVAL, path, (long)index, NULL,
                             "invalid JSON: '%c' at byte %llu between CVRs; expected %s", c,
                             (unsigned long long)(base + i),
                             expect == WANT_COMMA ? "',' or ']'" : "a CVR object");
      }
    }
    if (rc == 0 && s.depth > 0 && pc_buf_append(&element, chunk + from, n - from) != 0)
      rc = pc_error_set_at(err, PC_ELIMIT, path, (long)index, NULL,
                           "CVR %llu is larger than %zu bytes", (unsigned long long)index,
                           max_element);
    base += n;
    left -= n;
  }
  if (rc == 0 && (expect == WANT_ELEMENT || s.depth > 0))
    rc = pc_error_set_at(err, PC_EINVAL, path, (long)index, NULL,
                         "invalid JSON: the CVR array ends %s",
                         s.depth > 0 ? "inside a CVR" : "after a ','; expected a CVR object");
  pc_buf_free(&element);
  free(chunk);
  return rc;
}
