/* The public "am I registered?" lookup: a voter found by exact name, full
 * date of birth and residential ZIP, answered with what a voter may see
 * about their own registration (status, county, precinct, polling place,
 * districts). Rate limiting and presentation are the web layer's job. */
#ifndef PRECINCT_VOTERS_LOOKUP_H
#define PRECINCT_VOTERS_LOOKUP_H

#include "precinct/error.h"
#include "precinct/store.h"
#include "precinct/voters.h"

typedef struct pc_voter_lookup_query {
  const char *last_name, *first_name; /* compared after upper-casing and trimming */
  const char *birth_date;             /* "YYYY-MM-DD" */
  const char *zip;                    /* 5 digits (a ZIP+4 is cut to 5) */
} pc_voter_lookup_query_t;

typedef struct pc_voter_lookup_district {
  const char *kind; /* stable key: "congress", "state_senate", "state_house", "municipality", ... */
  char name[64];
} pc_voter_lookup_district_t;

enum { PC_VOTER_LOOKUP_MAX_DISTRICTS = 8 };

typedef struct pc_voter_lookup {
  int found;
  char first_name[32], last_name[32];
  char status[4];         /* NC status code: A, I, R, P, D, S */
  char county[128];
  char precinct_code[8], precinct_name[128];
  int has_polling_place;
  char polling_place_name[128], polling_place_address[256];
  pc_voter_lookup_district_t districts[PC_VOTER_LOOKUP_MAX_DISTRICTS];
  int district_count;
} pc_voter_lookup_t;

/* Checks Q's fields: PC_EINVAL with err->field ("last_name", "first_name",
 * "birth_date", "zip") for the first bad one. */
int pc_voters_lookup_validate(const pc_voter_lookup_query_t *q, pc_error_t *err);

/* Looks Q up (validated first). *OUT is filled whether or not a voter
 * matched (out->found says which), and the same queries run either way so
 * the answer takes about as long: the name index scan, the county, the
 * precinct and the polling place of the latest election that has one.
 * A voter on file without a full birth date cannot be found. Merged
 * duplicates (cancelled in favour of another record) are skipped. */
int pc_voters_lookup(pc_store_t *store, const pc_voter_lookup_query_t *q, pc_voter_lookup_t *out,
                     pc_error_t *err);

#endif
