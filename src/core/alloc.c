/* Allocation wrappers that abort on out-of-memory (see alloc.h for why). */
#include "precinct/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t size) {
  fprintf(stderr, "precinct: out of memory allocating %zu bytes\n", size);
  abort();
}

void *pc_xmalloc(size_t size) {
  void *p = malloc(size ? size : 1);
  if (p == NULL) out_of_memory(size);
  return p;
}

void *pc_xcalloc(size_t count, size_t size) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (p == NULL) out_of_memory(count * size);
  return p;
}

void *pc_xrealloc(void *ptr, size_t size) {
  void *p = realloc(ptr, size ? size : 1);
  if (p == NULL) out_of_memory(size);
  return p;
}

void *pc_xreallocarray(void *ptr, size_t count, size_t size) {
  if (size != 0 && count > (size_t)-1 / size) out_of_memory((size_t)-1);
  return pc_xrealloc(ptr, count * size);
}

char *pc_xstrdup(const char *s) {
  return pc_xmemdup(s, strlen(s) + 1);
}

char *pc_xstrndup(const char *s, size_t max_length) {
  size_t n = strnlen(s, max_length);
  char *p = pc_xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

void *pc_xmemdup(const void *data, size_t size) {
  void *p = pc_xmalloc(size);
  if (size) memcpy(p, data, size);
  return p;
}
