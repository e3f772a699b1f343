/* String similarity for duplicate detection: Jaro-Winkler, Soundex, and a
 * table of common English given-name nicknames. Pure functions, safe to call
 * from several threads once pc_similarity_init has run. */
#ifndef PRECINCT_VOTERS_SIMILARITY_H
#define PRECINCT_VOTERS_SIMILARITY_H

#include <stddef.h>

/* Jaro-Winkler similarity of A and B (upper-case ASCII), 0..1. */
double pc_jaro_winkler(const char *a, const char *b);
/* American Soundex code of NAME into OUT ("" for a name without letters). */
void pc_soundex(const char *name, char out[5]);
/* Builds the nickname index (idempotent, thread-safe). */
void pc_similarity_init(void);
/* The formal name NAME is a nickname of ("BILL" -> "WILLIAM"), or NAME itself. */
const char *pc_nickname_canonical(const char *name);
/* 1 when A and B are the same name or nicknames of the same formal name. */
int pc_nickname_match(const char *a, const char *b);
/* A nickname of FORMAL (the INDEX-th, cycling), or NULL when it has none. */
const char *pc_nickname_of(const char *formal, unsigned index);

#endif
