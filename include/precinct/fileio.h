/* Durable file writes and whole-file reads with a size limit. */
#ifndef PRECINCT_FILEIO_H
#define PRECINCT_FILEIO_H

#include <stddef.h>

#include "precinct/error.h"

/* Writes SIZE bytes to PATH durably: writes PATH.tmp.<pid> with MODE, fsyncs
 * it, renames it over PATH and fsyncs the directory, so PATH holds either
 * the old contents or the new, never a mix. With EXCLUSIVE set, fails with
 * PC_EEXIST when PATH exists. */
int pc_file_write_durable(const char *path, const void *data, size_t size, int mode, int exclusive,
                          pc_error_t *err);

/* Reads all of PATH into *DATA (NUL-terminated, free() it) failing with
 * PC_ELIMIT when it exceeds MAX_SIZE bytes. */
int pc_file_read_all(const char *path, size_t max_size, char **data, size_t *size, pc_error_t *err);

/* fsyncs the directory that contains PATH (after a create or rename in it). */
int pc_file_sync_parent(const char *path);

#endif
