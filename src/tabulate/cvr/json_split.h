/* Element splitting for big JSON CVR files: finds the byte range of one
 * array member of the top-level object and the boundaries of that array's
 * elements with a string-aware bracket scan, so each element can be parsed
 * (and validated) by jansson on its own. It is not a JSON parser: it checks
 * only what it needs to split and refuses what it cannot split; everything
 * else is jansson's job. Private to src/tabulate/cvr/. */
#ifndef PRECINCT_TABULATE_CVR_JSON_SPLIT_H
#define PRECINCT_TABULATE_CVR_JSON_SPLIT_H

#include <stdint.h>
#include <stdio.h>

#include "precinct/buf.h"
#include "precinct/error.h"

/* Pass 1. Reads FILE (named PATH in messages) from its start and copies it
 * into SKELETON (initialised by the caller, whose limit bounds it) with the
 * value of the top-level member KEY (a key of at most 64 raw bytes, compared
 * after jansson decodes it) replaced by "[]" when that value is an array;
 * then *START is the offset of its '[' and *END one past its ']'. When there
 * is no such array, *START = *END = 0 and SKELETON is the whole file. Errors:
 * PC_EINVAL (unbalanced brackets, KEY twice), PC_ELIMIT (skeleton over its
 * limit), PC_EIO. */
int pc_json_split_skeleton(FILE *file, const char *path, const char *key, pc_buf_t *skeleton,
                           uint64_t *start, uint64_t *end, pc_error_t *err);

/* One element: LEN bytes at TEXT (not NUL-terminated), INDEX counting from
 * 1, OFFSET its first byte in the file. Returns 0 or a negative code (which
 * stops the split and is returned). */
typedef int (*pc_json_element_fn)(void *context, const char *text, size_t len, uint64_t index,
                                  uint64_t offset, pc_error_t *err);

/* Pass 2. Reads the array at [START, END) of FILE (from pass 1) and calls FN
 * for each element, which must be an object of at most MAX_ELEMENT bytes;
 * elements are separated by one comma and whitespace. Memory: one element.
 * Errors: PC_EINVAL (something else between elements), PC_ELIMIT, PC_EIO,
 * or FN's code. */
int pc_json_split_elements(FILE *file, const char *path, uint64_t start, uint64_t end,
                           size_t max_element, pc_json_element_fn fn, void *context,
                           pc_error_t *err);

#endif
