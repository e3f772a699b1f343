/* Helpers shared by the CVR readers. Private to src/tabulate/cvr/. */
#ifndef PRECINCT_TABULATE_CVR_MARKS_H
#define PRECINCT_TABULATE_CVR_MARKS_H

#include <stddef.h>

#include "precinct/cvr.h"

/* Sorts MARKS by rank, keeping file order among equal ranks (stable), as
 * pc_cvr_ballot_t promises. Insertion sort: ballots have few marks. */
void pc_cvr_marks_sort(pc_cvr_mark_t *marks, size_t count);

#endif
