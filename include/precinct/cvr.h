/* Cast vote record readers: the contract between the per-vendor readers in
 * src/tabulate/cvr/ and the tabulator.
 *
 * A reader streams one CVR source (a file, or a folder for Dominion/Hart) and
 * hands each ballot's marks for the configured contest to a callback, as raw
 * candidate strings per rank. Readers decode their vendor format only; the
 * tabulator's ballot builder applies the contest's rules to the strings
 * (aliases, overvote/undervote/undeclared-write-in labels, blank handling,
 * excluded candidates, duplicates, skipped ranks). Readers never hold a whole
 * file in memory as a tree, and enforce the size limits below. */
#ifndef PRECINCT_CVR_H
#define PRECINCT_CVR_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/error.h"

typedef enum {
  PC_CVR_CDF = 0,     /* NIST SP 1500-103, JSON or XML (chosen by content/extension) */
  PC_CVR_CLEAR_BALLOT,
  PC_CVR_DOMINION,    /* folder: CvrExport*.json + manifests */
  PC_CVR_ESS,         /* .xlsx workbook, first sheet */
  PC_CVR_HART,        /* folder of per-ballot XML files */
  PC_CVR_GENERIC_CSV
} pc_cvr_provider_t;

/* Limits on outside input (each reader enforces what applies to it). */
#define PC_CVR_MAX_FIELD_BYTES 4096            /* one cell / string value */
#define PC_CVR_MAX_MARKS_PER_BALLOT 4096
#define PC_CVR_MAX_XML_ENTRY_BYTES ((uint64_t)8 << 30) /* inflated sheet XML */
#define PC_CVR_MAX_JSON_FILE_BYTES ((uint64_t)2 << 30)

/* One `cvrFileSources` item of an RCTab config, paths already resolved
 * relative to the config file. Strings are NULL when not given. Column and
 * row indexes are 1-based as in the config; 0 when not given. */
typedef struct pc_cvr_source {
  pc_cvr_provider_t provider;
  const char *path;
  const char *contest_id;
  int first_vote_column_index;
  int first_vote_row_index;
  int id_column_index;
  int precinct_column_index;
  int batch_column_index;
  const char *overvote_delimiter;      /* ES&S only: split a cell into several candidates */
  const char *overvote_label;
  const char *undervote_label;
  const char *undeclared_write_in_label;
  int treat_blank_as_undeclared_write_in;
  int count_ballot_ids;  /* reserved */
} pc_cvr_source_t;

/* One mark: the voter put CANDIDATE at RANK. Several marks may share a rank
 * (an overvote). CANDIDATE is the string as the file has it after the
 * vendor's own decoding: for Dominion and Hart the vendor's candidate id
 * ("27", a Hart option GUID), as RCTab does, because RCTab configs alias
 * those ids to names and give write-in labels as ids; "" for a blank ES&S
 * cell, which the builder treats as skipped or as an undeclared write-in per
 * the source settings. */
typedef struct pc_cvr_mark {
  int rank;
  const char *candidate;
} pc_cvr_mark_t;

typedef struct pc_cvr_ballot {
  const char *ballot_id;       /* NULL when the format has none */
  const char *precinct;        /* NULL when unknown */
  const char *batch;           /* NULL when unknown */
  const pc_cvr_mark_t *marks;  /* ordered by rank, then file order */
  size_t mark_count;
  const char *file;            /* file the ballot came from (for messages) */
  long line;                   /* row / line / record number in FILE, 1-based */
  const char *tabulator_id;    /* Dominion: the session's TabulatorId; NULL elsewhere */
  const char *precinct_portion; /* Dominion: the precinct portion's description; NULL elsewhere */
} pc_cvr_ballot_t;

/* Called once per ballot, in file order, from the thread reading the source.
 * Pointers in BALLOT are valid only during the call. Return 0 to continue,
 * or a negative PC_E* (with ERR filled) to stop reading. */
typedef int (*pc_cvr_ballot_fn)(void *context, const pc_cvr_ballot_t *ballot, pc_error_t *err);

/* Reads SOURCE, calling ON_BALLOT for each ballot that has the contest.
 * *BALLOTS_READ (may be NULL) receives the number of ballots delivered.
 * Errors name the file, row/line and column/field and say what was
 * expected. Dispatches on source->provider. */
int pc_cvr_read(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context, uint64_t *ballots_read,
                pc_error_t *err);

/* The per-provider readers pc_cvr_read dispatches to (one file each under
 * src/tabulate/cvr/). Same contract as pc_cvr_read. */
int pc_cvr_read_cdf_json(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                         uint64_t *ballots_read, pc_error_t *err);
/* The same from SIZE bytes at DATA (borrowed) instead of source->path,
 * which only names the data in messages. */
int pc_cvr_read_cdf_json_buffer(const pc_cvr_source_t *source, const char *data, size_t size,
                                pc_cvr_ballot_fn on_ballot, void *context, uint64_t *ballots_read, pc_error_t *err);
int pc_cvr_read_cdf_xml(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                        uint64_t *ballots_read, pc_error_t *err);
/* The same from SIZE bytes at DATA (borrowed); source->path names it. */
int pc_cvr_read_cdf_xml_buffer(const pc_cvr_source_t *source, const char *data, size_t size,
                               pc_cvr_ballot_fn on_ballot, void *context, uint64_t *ballots_read, pc_error_t *err);
/* Called for each Election Contest of a CDF XML report, in file order: its
 * Name (NULL when it has none), ObjectId ("" when none) and the line of its
 * end tag. Return 0 to go on, or a negative PC_E* (ERR filled) to stop. */
typedef int (*pc_cvr_contest_fn)(void *context, const char *name, const char *object_id, long line, pc_error_t *err);
/* Lists the Election Contests of the CDF XML report at DATA (SIZE bytes,
 * borrowed; NAME names it in messages) without reading its CVRs. */
int pc_cvr_cdf_xml_contests(const char *name, const char *data, size_t size, pc_cvr_contest_fn on_contest,
                            void *context, pc_error_t *err);
int pc_cvr_read_clear_ballot(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                             uint64_t *ballots_read, pc_error_t *err);
int pc_cvr_read_dominion(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                         uint64_t *ballots_read, pc_error_t *err);
int pc_cvr_read_ess(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                    uint64_t *ballots_read, pc_error_t *err);
int pc_cvr_read_hart(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                     uint64_t *ballots_read, pc_error_t *err);
int pc_cvr_read_generic_csv(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                            uint64_t *ballots_read, pc_error_t *err);

#endif
