/* Lookup in the tables of files embedded at build time. */
#include "precinct/embedded.h"

#include <string.h>

const pc_embedded_file_t *pc_embedded_find(const pc_embedded_file_t *table, const char *name) {
  for (const pc_embedded_file_t *f = table; f->name != NULL; f++)
    if (strcmp(f->name, name) == 0) return f;
  return NULL;
}
