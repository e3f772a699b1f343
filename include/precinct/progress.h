/* Progress reports for long CLI work (imports, tabulation). On a terminal it
 * draws a bar on stderr, redrawn at most 10 times a second; otherwise it
 * prints a plain line every 5 seconds, so logs of unattended runs stay short. */
#ifndef PRECINCT_PROGRESS_H
#define PRECINCT_PROGRESS_H

#include <stdint.h>

typedef struct pc_progress pc_progress_t;

/* Starts a report named LABEL counting to TOTAL units (0 when unknown).
 * Returns a handle freed by pc_progress_finish. Quiet when `quiet` is set. */
pc_progress_t *pc_progress_start(const char *label, uint64_t total, int quiet);
/* Records that DONE units are complete (absolute, not an increment). */
void pc_progress_update(pc_progress_t *p, uint64_t done);
/* Prints the final line (with elapsed time) and frees P. P may be NULL. */
void pc_progress_finish(pc_progress_t *p);

#endif
