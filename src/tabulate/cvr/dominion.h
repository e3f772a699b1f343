/* Dominion reader internals shared with its fuzz target and tests, and with
 * the results module's Dominion .zip upload (src/results/ingest_dominion.c). */
#ifndef PRECINCT_TABULATE_CVR_DOMINION_H
#define PRECINCT_TABULATE_CVR_DOMINION_H

#include <stdint.h>

#include "precinct/cvr.h"

/* Reads the single export FILE (a CvrExport JSON) with the manifests of
 * MANIFEST_DIR, for SOURCE's contest; same callback contract as
 * pc_cvr_read_dominion, but no "no ballots found" error. */
int pc_dominion_read_export_file(const pc_cvr_source_t *source, const char *file, const char *manifest_dir,
                                 pc_cvr_ballot_fn on_ballot, void *context, uint64_t *ballots_read,
                                 pc_error_t *err);

/* pc_cvr_read_dominion, except that with ALLOW_NO_BALLOTS a folder without
 * a ballot of the contest is not an error (*BALLOTS_READ is then 0): the
 * results module reads each ranked contest of a county's export, and a
 * county need not vote on every contest the export's manifests list. */
int pc_dominion_read_folder(const pc_cvr_source_t *source, int allow_no_ballots, pc_cvr_ballot_fn on_ballot,
                            void *context, uint64_t *ballots_read, pc_error_t *err);

#endif
