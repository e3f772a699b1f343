/* Bulk voter files: the NC statewide layout (tab-delimited) and NIST SP
 * 1500-102 Voter Records Interchange JSON, imported all-or-nothing in one
 * transaction per file and exported streaming. See docs/internals/voters.md
 * for the import pipeline and its audit scheme. */
#ifndef PRECINCT_VOTERS_IO_H
#define PRECINCT_VOTERS_IO_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/voters.h"

/* Limits on parsed input. */
#define PC_NC_MAX_LINE 8192      /* bytes in one line */
#define PC_NC_MAX_FIELD 256      /* bytes in one field */
#define PC_NC_MAX_COLUMNS 128
#define PC_VRI_MAX_FILE (64L * 1024 * 1024)
#define PC_VRI_MAX_RECORDS 100000

typedef struct pc_voters_import_result {
  int64_t rows;          /* voters added */
  int64_t batch_id;      /* voter_import_batches row */
  int64_t milliseconds;
  char file_sha256[65];
  int rebuilt_indexes;   /* indexes dropped and rebuilt: 0 none, 1 the plain ones, 2 all of them */
  int held_alone;        /* the roll was empty and the import held the database alone (pc_store_bulk_exclusive) */
} pc_voters_import_result_t;

/* Imports PATH into the roll. FORMAT is "nc", "vri" or NULL to detect it
 * (JSON starts with '{'). One transaction: on any error nothing is imported
 * and ERR names the file, line and field. NC files add new voters (an NCID
 * already on the roll is an error); unknown counties and precincts named in
 * the file are created. VRI files carry registration requests, each checked
 * like pc_voters_register. Every record must lie in V's county scope.
 * QUIET suppresses the progress bar. */
int pc_voters_import(pc_voters_t *v, const char *path, const char *format, int quiet,
                     pc_voters_import_result_t *result, pc_error_t *err);

/* Writes the roll (or V's county) to PATH in FORMAT "nc" or "vri". The NC
 * file is the public layout: no birth date, licence or SSN. *ROWS (may be
 * NULL) receives the count. The export is recorded as an audit event. */
int pc_voters_export(pc_voters_t *v, const char *format, const char *path, int quiet, int64_t *rows,
                     pc_error_t *err);

/* Checks every import batch: recomputes the digest of its voters' row hashes
 * as imported (current hash, or the before-hash of the first later audit
 * entry for a changed row) and compares it with the audited batch row.
 * PC_EINTEGRITY naming the batch on a mismatch. */
int pc_voters_verify_imports(pc_store_t *store, int64_t *rows_checked, pc_error_t *err);

/* Streaming NC parser, exposed for the importer and the fuzz target. The
 * sink's RECORD is called for each data line with the parsed voter (id,
 * county_id unset), the county name and code, the precinct name and the
 * 1-based line number; a non-zero return stops parsing with that code.
 * SLOT, when set, says where to parse the next line's voter (RECORD then
 * gets that pointer, and the voter need not be copied); it is asked once
 * per line, before the line's first field, and must stay valid until RECORD
 * (NULL stops parsing). Without SLOT the reader parses into its own. */
typedef struct pc_nc_sink {
  int (*record)(void *context, pc_voter_t *voter, const char *county_desc, int64_t county_code,
                const char *precinct_desc, long line, pc_error_t *err);
  void *context;
  pc_voter_t *(*slot)(void *context);
} pc_nc_sink_t;
typedef struct pc_nc_reader pc_nc_reader_t;
/* FILE_NAME is used in error messages only. */
pc_nc_reader_t *pc_nc_reader_new(const char *file_name, const pc_nc_sink_t *sink);
int pc_nc_reader_feed(pc_nc_reader_t *r, const void *data, size_t size, pc_error_t *err);
int pc_nc_reader_finish(pc_nc_reader_t *r, pc_error_t *err);
void pc_nc_reader_free(pc_nc_reader_t *r);

#endif
