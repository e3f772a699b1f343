/* A small open-addressing hash map from strings to int64 values, used by
 * the voters module for lookup tables that live for one operation (counties
 * and precincts during an import, nicknames). Keys are copied. */
#ifndef PRECINCT_VOTERS_STRMAP_H
#define PRECINCT_VOTERS_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct pc_strmap {
  char **keys;
  int64_t *values;
  size_t capacity, count;
} pc_strmap_t;

void pc_strmap_init(pc_strmap_t *m);
void pc_strmap_free(pc_strmap_t *m);
/* Sets KEY to VALUE (replacing an existing value). */
void pc_strmap_put(pc_strmap_t *m, const char *key, int64_t value);
/* 1 and *VALUE when KEY is present, else 0. */
int pc_strmap_get(const pc_strmap_t *m, const char *key, int64_t *value);
/* 64-bit FNV-1a of S. */
uint64_t pc_strmap_hash(const char *s);

#endif
