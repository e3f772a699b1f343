/* North Carolina's public statewide voter file layout (ncvoter, 2022): the
 * columns, how each maps onto a pc_voter_t, and writing one record as a
 * line. Shared by import, export and the synthetic generator. */
#ifndef PRECINCT_VOTERS_NC_LAYOUT_H
#define PRECINCT_VOTERS_NC_LAYOUT_H

#include <stdio.h>

#include "precinct/buf.h"
#include "precinct/voters.h"

enum {
  PC_NC_TEXT,          /* a voters text column of the same or mapped name */
  PC_NC_COUNTY_ID,     /* numeric county code */
  PC_NC_COUNTY_DESC,   /* county name */
  PC_NC_STATUS_DESC,   /* derived from status on export, ignored on import */
  PC_NC_AGE,           /* derived from birth_year on export, ignored on import */
  PC_NC_DATE,          /* registr_dt: MM/DD/YYYY in the file, YYYY-MM-DD stored */
  PC_NC_BIRTH_YEAR,
  PC_NC_PRECINCT_DESC, /* precinct name, kept in the precincts table */
  PC_NC_BIRTH_DATE,    /* extension column of generated data only */
  PC_NC_IGNORED        /* columns of the old layout that are not used */
};

typedef struct pc_nc_column {
  const char *name;   /* column name in the file's header */
  int kind;
  const char *column; /* voters column for PC_NC_TEXT, else NULL */
} pc_nc_column_t;

/* The current layout, in file order, PC_NC_COLUMNS long. */
#define PC_NC_COLUMNS 67
extern const pc_nc_column_t pc_nc_layout[PC_NC_COLUMNS];
/* The name of the extension column carrying a full birth date (generated
 * data only: the public layout has none). */
#define PC_NC_EXT_BIRTH_DATE "birth_date"

/* Finds the column NAME among every layout's columns (current, previous,
 * extension); NULL when unknown. */
const pc_nc_column_t *pc_nc_column_find(const char *name);

/* Appends the header line (with the birth_date extension when WITH_BIRTH_DATE). */
void pc_nc_write_header(pc_buf_t *out, int with_birth_date);
/* Appends V as one line. COUNTY_NAME and PRECINCT_DESC come from their
 * tables; REFERENCE_YEAR is the year age_at_year_end refers to. Confidential
 * records have their addresses and phone left out, as the public file does. */
void pc_nc_write_record(pc_buf_t *out, const pc_voter_t *v, const char *county_name, const char *precinct_desc,
                        int reference_year, int with_birth_date);

#endif
