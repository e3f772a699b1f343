/* Files compiled into the binary at build time (cmake/embed.cmake): SQL
 * migrations, HTML templates and static web assets. Read-only, NUL-terminated,
 * sorted by name; each table ends with a {NULL, NULL, 0} entry. */
#ifndef PRECINCT_EMBEDDED_H
#define PRECINCT_EMBEDDED_H

#include <stddef.h>

typedef struct pc_embedded_file {
  const char *name; /* file name without directory, e.g. "0001_core.sql" */
  const char *data; /* contents, NUL-terminated */
  size_t size;      /* bytes, without the terminating NUL */
} pc_embedded_file_t;

extern const pc_embedded_file_t pc_embedded_migrations[];
extern const pc_embedded_file_t pc_embedded_web[];
extern const pc_embedded_file_t pc_embedded_names[]; /* data/names: US Census 1990 name frequencies */

/* Returns the embedded file NAME of TABLE, or NULL when there is none. */
const pc_embedded_file_t *pc_embedded_find(const pc_embedded_file_t *table, const char *name);

#endif
