/* The county street index: house-number ranges of each street (segments:
 * street, low-high, odd/even/both, ZIP, city, precinct), as a county keeps
 * it and as the Voting Information Project's StreetSegment describes it.
 * Registration derives the voter's precinct from the residential address
 * through it (src/voters/roll.c). Parsing and normalising addresses and the
 * CSV file need no database; importing, exporting and looking up do.
 * See docs/voters.md and docs/internals/voters.md. */
#ifndef PRECINCT_VOTERS_STREETS_H
#define PRECINCT_VOTERS_STREETS_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/error.h"
#include "precinct/store.h"
#include "precinct/voters.h"

/* Sizes: a normalised street name, a unit, a city. */
enum { PC_STREET_SIZE = 64, PC_STREET_UNIT_SIZE = 24, PC_STREET_CITY_SIZE = 64 };
/* Largest house number and street-index file accepted. */
#define PC_STREET_MAX_NUMBER 999999
#define PC_STREETS_MAX_FILE (64u << 20)
#define PC_STREETS_MAX_SEGMENTS 1000000

/* A residential address line split into its parts. */
typedef struct pc_street_address {
  int64_t number;              /* house number (leading digits; "12A" and "12 1/2" are 12) */
  char street[PC_STREET_SIZE]; /* normalised: "N OAK AVE" */
  char unit[PC_STREET_UNIT_SIZE]; /* "APT 2", "#2", "" when none */
} pc_street_address_t;

/* Normalises a street name IN into OUT (SIZE bytes): upper case, one space
 * between words, periods and commas dropped (not between digits), ordinals
 * as numbers (FIRST -> 1ST), the last word abbreviated when it is a street
 * suffix (STREET -> ST, AVENUE -> AVE...), a last word (of three or more)
 * and a first word before a name word abbreviated when they are directions
 * (NORTH -> N...; "NORTH ST W" keeps NORTH) and other words remain.
 * PC_EINVAL when empty, PC_ELIMIT when longer than OUT. */
int pc_streets_normalize(const char *in, char *out, size_t size, pc_error_t *err);

/* Parses a residential address line ("123 MAIN ST", "45 N Oak Avenue Apt 2")
 * into OUT. PC_EINVAL (field "res_street_address") when it does not start
 * with a house number, has no street or is too long to read (more than 16
 * words, a word over 31 characters, a unit over 23); OUT is untouched on
 * failure. */
int pc_streets_parse_address(const char *line, pc_street_address_t *out, pc_error_t *err);

/* One segment of the index. */
typedef struct pc_street_segment {
  char street[PC_STREET_SIZE];
  int64_t low, high;
  char parity;  /* 'E', 'O' or 'B' */
  char zip[6];
  char city[PC_STREET_CITY_SIZE];
  char precinct_code[8];
  long line;    /* line in the file it came from (0 when not from a file) */
} pc_street_segment_t;

/* 1 when house NUMBER lies in SEGMENT (range ends included, parity). */
int pc_streets_segment_contains(const pc_street_segment_t *segment, int64_t number);

/* Parses a street-index CSV (header row with the named columns street, low,
 * high, parity, zip, precinct and optional city; any order, other columns
 * refused) of SIZE bytes. Checks every field and then that no two segments
 * give one address two precincts. 0 with *SEGMENTS (free() it, COUNT of
 * them, sorted by street, zip, low), or PC_EINVAL / PC_ELIMIT with the
 * error at FILE_NAME:LINE (both lines for an overlap). */
int pc_streets_parse_csv(const char *data, size_t size, const char *file_name, pc_street_segment_t **segments,
                         size_t *count, pc_error_t *err);

typedef struct pc_streets_import_result {
  int64_t version_id;
  int64_t segments;
  char file_sha256[65];
} pc_streets_import_result_t;

/* Replaces COUNTY's street index with the segments of the CSV file at PATH
 * (at most PC_STREETS_MAX_FILE bytes), all or nothing, in one transaction:
 * a new version row, its segments and one audit entry ("streets.import")
 * whose row covers them by digest. Every precinct named must be a known
 * precinct of the county. V's scope must cover COUNTY. */
int pc_voters_streets_import(pc_voters_t *v, const char *county, const char *path, pc_streets_import_result_t *result,
                             pc_error_t *err);

/* Writes COUNTY's current index to PATH as a CSV the import reads back
 * (header street,low,high,parity,zip,city,precinct). *ROWS gets the count.
 * Audited as an event ("streets.export"). */
int pc_voters_streets_export(pc_voters_t *v, const char *county, const char *path, int64_t *rows, pc_error_t *err);

/* 1 in *HAS_INDEX when COUNTY_ID has a street index (a current version with
 * segments), else 0. */
int pc_voters_streets_has_index(pc_store_t *store, int64_t county_id, int *has_index, pc_error_t *err);

/* Finds the precinct of ADDRESS (a residential address line) in ZIP (5 or 9
 * digits) in COUNTY_ID's current index: 0 with PRECINCT_CODE (8 bytes)
 * filled; PC_ENOTFOUND when the county has no index or the address is not
 * in it ("not in the county's street index: ..."); PC_EINVAL when ADDRESS
 * cannot be parsed. */
int pc_voters_streets_lookup(pc_store_t *store, int64_t county_id, const char *address, const char *zip,
                             char precinct_code[8], pc_error_t *err);

#endif
