/* Shared by the files of src/elections: the definition checks that saving a
 * whole model (store.c) and the one-object edits of the admin pages
 * (edit*.c) both run. Not a public interface. */
#ifndef PRECINCT_ELECTIONS_INTERNAL_H
#define PRECINCT_ELECTIONS_INTERNAL_H

#include <stddef.h>

#include "precinct/elections.h"

/* Checks MODEL's codes, references, contest kinds and vote-for. COMPLETE
 * also requires at least one precinct and one contest and choices in every
 * contest (what an import must hold; a definition built up in the web pages
 * passes through incomplete states). */
int pc__elections_check(const pc_election_model_t *model, int complete, pc_error_t *err);
/* 1 when CODE is "state", the unit code of one of MODEL's counties, or a
 * district code of MODEL: where a contest may be held. */
int pc__elections_known_district(const pc_election_model_t *model, const char *code);
/* Non-empty, at most MAX bytes, no control characters; FIELD names it. */
int pc__elections_check_text(pc_error_t *err, const char *field, const char *value, size_t max);

#endif
