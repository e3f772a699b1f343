/* String-keyed hash map (linear probing, power-of-two capacity, grows at
 * half full). Not thread-safe; no deletion, which no caller needs. */
#include "strmap.h"

#include "precinct/alloc.h"

#include <stdlib.h>
#include <string.h>

uint64_t pc_strmap_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) h = (h ^ *p) * 1099511628211ull;
  return h;
}

void pc_strmap_init(pc_strmap_t *m) {
  m->capacity = 64;
  m->count = 0;
  m->keys = pc_xcalloc(m->capacity, sizeof *m->keys);
  m->values = pc_xcalloc(m->capacity, sizeof *m->values);
}

void pc_strmap_free(pc_strmap_t *m) {
  for (size_t i = 0; i < m->capacity; i++) free(m->keys[i]);
  free(m->keys);
  free(m->values);
  memset(m, 0, sizeof *m);
}

static size_t slot_of(char *const *keys, size_t capacity, const char *key) {
  size_t i = (size_t)pc_strmap_hash(key) & (capacity - 1);
  while (keys[i] && strcmp(keys[i], key) != 0) i = (i + 1) & (capacity - 1);
  return i;
}

static void grow(pc_strmap_t *m) {
  size_t capacity = m->capacity * 2;
  char **keys = pc_xcalloc(capacity, sizeof *keys);
  int64_t *values = pc_xcalloc(capacity, sizeof *values);
  for (size_t i = 0; i < m->capacity; i++) {
    if (!m->keys[i]) continue;
    size_t j = slot_of(keys, capacity, m->keys[i]);
    keys[j] = m->keys[i];
    values[j] = m->values[i];
  }
  free(m->keys);
  free(m->values);
  m->keys = keys;
  m->values = values;
  m->capacity = capacity;
}

void pc_strmap_put(pc_strmap_t *m, const char *key, int64_t value) {
  if ((m->count + 1) * 2 > m->capacity) grow(m);
  size_t i = slot_of(m->keys, m->capacity, key);
  if (!m->keys[i]) {
    m->keys[i] = pc_xstrdup(key);
    m->count++;
  }
  m->values[i] = value;
}

int pc_strmap_get(const pc_strmap_t *m, const char *key, int64_t *value) {
  size_t i = slot_of(m->keys, m->capacity, key);
  if (!m->keys[i]) return 0;
  *value = m->values[i];
  return 1;
}
