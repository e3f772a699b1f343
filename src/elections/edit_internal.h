/* Shared by edit.c and edit_contests.c: the state of one edit transaction
 * and the small helpers both use. Not a public interface. */
#ifndef PRECINCT_EDIT_INTERNAL_H
#define PRECINCT_EDIT_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "precinct/elections_edit.h"

typedef struct edit {
  pc_store_t *store;
  const pc_actor_t *actor;
  const pc_elections_edit_t *edit;
  pc_error_t *err;
  pc_election_model_t model; /* the definition before the change */
  char action[64];           /* audit action, "<object>.<op>" unless changed */
  int64_t new_id;            /* RETURNING id of the last insert */
} edit_t;

/* The value named NAME ("" when absent). */
const char *pc__edit_value(const edit_t *e, const char *name);
/* Value FIELD checked as a name of at most MAX bytes into *OUT. */
int pc__edit_text(edit_t *e, const char *field, size_t max, const char **out);
/* Value FIELD as a positive id, 0 when empty. */
int pc__edit_optional_id(edit_t *e, const char *field, int64_t *out);
/* Runs SQL with bindings by TYPES: 's' text, 'z' text or NULL when empty,
 * 'i' int64, 'n' int64 or NULL when 0. A RETURNING row sets e->new_id. */
int pc__edit_run(edit_t *e, const char *sql, const char *types, ...);
/* First column of SQL's first row, every placeholder bound to ID. */
int pc__edit_count(edit_t *e, const char *sql, int64_t id, int64_t *count);
/* PC_ESTATE naming WHAT when returns or publications depend on the object. */
int pc__edit_refuse_if_dependents(edit_t *e, pc_edit_object_t object, int64_t id, const char *what);
int pc__edit_not_found(edit_t *e, const char *what);
/* A new code "<prefix>-<slug of name>" unused in M. */
void pc__edit_make_code(const pc_election_model_t *m, const char *prefix, const char *name,
                        char out[PC_ELECTION_CODE_MAX + 1]);

/* Index of the element of ARRAY (COUNT structs starting with an int64_t id)
 * whose id is ID, or -1. */
static inline int pc__edit_find(const void *array, size_t count, size_t stride, int64_t id) {
  for (size_t i = 0; id && i < count; i++) {
    int64_t element;
    memcpy(&element, (const char *)array + i * stride, sizeof element);
    if (element == id) return (int)i;
  }
  return -1;
}
#define PC__EDIT_FIND(array, count, id) pc__edit_find((array), (count), sizeof *(array), (id))

int pc__edit_contest(edit_t *e);
int pc__edit_choice(edit_t *e);
int pc__edit_ballot_style(edit_t *e);

#endif
