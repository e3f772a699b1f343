/* Shared by the election-night pages (pages_returns.c, pages_night.c,
 * night_common.c): which election a request is about, the election picker
 * and error text that carries a file's line. */
#ifndef PRECINCT_APP_NIGHT_INTERNAL_H
#define PRECINCT_APP_NIGHT_INTERNAL_H

#include "app_internal.h"

#include "precinct/buf.h"
#include "precinct/elections.h"

/* The election named by GIVEN (id or code; NULL or "": the newest). */
int pc_night_election(pc_http_request_t *req, const char *given, pc_election_t *out, pc_error_t *err);
/* For a page: the election GIVEN into *E and the picker (every election as
 * "elections": [{code, name, date, mode, selected}]) and its form's action
 * PICKER_ACTION into CONTEXT. Returns 0; 1 when there is no election at all
 * (CONTEXT gets "no_election"); PC_ENOTFOUND for an unknown GIVEN. */
int pc_night_pick(pc_http_request_t *req, const char *given, const char *picker_action, json_t *context,
                  pc_election_t *e, pc_error_t *err);
/* ERR's message, prefixed with "line N: " when it names a line. */
void pc_night_error_text(const pc_error_t *err, char *out, size_t size);
/* Appends PREFIX, then NAME percent-encoded, then SUFFIX to OUT. */
void pc_night_path(pc_buf_t *out, const char *prefix, const char *name, const char *suffix);

#endif
