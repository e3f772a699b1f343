/* NIST SP 1500-102 Voter Records Interchange (JSON) for the voters module:
 * importing registration requests and exporting voter records. Internal to
 * src/voters; the public entry points are in voters_io.h. */
#ifndef PRECINCT_VOTERS_VRI_H
#define PRECINCT_VOTERS_VRI_H

#include <stdio.h>

#include "precinct/voters_io.h"

/* Imports the VoterRecordsRequest(s) in PATH (one object, or an array of
 * them), each a registration checked like pc_voters_register. */
int pc_vri_import(pc_voters_t *v, const char *path, pc_voters_import_result_t *result, pc_error_t *err);
/* Parses one request from JSON text into APP (strings point into storage
 * owned by HOLDER, freed with json_decref); for the fuzz target too. */
int pc_vri_parse_buffer(const char *data, size_t size, int (*visit)(void *context, pc_voter_application_t *app,
                                                                   long index, pc_error_t *err),
                        void *context, pc_error_t *err);
/* Writes one voter as a VRI.VoterRecord JSON object to OUT (no birth date,
 * no ID numbers). */
int pc_vri_write_record(FILE *out, const pc_voter_t *voter, const char *county_name);

#endif
