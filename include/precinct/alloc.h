/* Allocation wrappers. They never return NULL: on out-of-memory they print
 * one line to stderr and abort, because no caller can do better and a
 * half-handled OOM is how records get silently lost. Free with free(). */
#ifndef PRECINCT_ALLOC_H
#define PRECINCT_ALLOC_H

#include <stddef.h>

void *pc_xmalloc(size_t size);
void *pc_xcalloc(size_t count, size_t size);
void *pc_xrealloc(void *ptr, size_t size);
/* realloc for COUNT elements of SIZE bytes; aborts when COUNT*SIZE overflows. */
void *pc_xreallocarray(void *ptr, size_t count, size_t size);
char *pc_xstrdup(const char *s);
char *pc_xstrndup(const char *s, size_t max_length);
void *pc_xmemdup(const void *data, size_t size);

#endif
