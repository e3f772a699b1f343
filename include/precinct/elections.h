/* Election definitions: elections, parties, districts, precincts (with an
 * optional GeoJSON boundary), polling places, candidates, contests (vote for
 * N, ranked choice, ballot measures, retention), their choices and ballot
 * styles. Definitions are imported whole (NIST SP 1500-100 ERR JSON or the
 * CSV set) and exported as ERR JSON; see docs/internals/elections.md.
 *
 * Codes are the ERR @id values: unique within an election. */
#ifndef PRECINCT_ELECTIONS_H
#define PRECINCT_ELECTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/audit.h"
#include "precinct/error.h"
#include "precinct/store.h"

#define PC_ELECTION_CODE_MAX 64
#define PC_ELECTION_NAME_MAX 200
/* Largest definition file import reads. */
#define PC_ELECTIONS_IMPORT_MAX ((size_t)256 * 1024 * 1024)

typedef enum pc_contest_kind {
  PC_CONTEST_CANDIDATE = 0, /* vote for N */
  PC_CONTEST_RCV,           /* ranked choice: returns carry first choices */
  PC_CONTEST_MEASURE,
  PC_CONTEST_RETENTION
} pc_contest_kind_t;

typedef struct pc_election {
  int64_t id;
  char code[PC_ELECTION_CODE_MAX + 1];
  char name[PC_ELECTION_NAME_MAX + 1];
  char date[16];          /* YYYY-MM-DD */
  char type[32];          /* ERR ElectionType: general, primary, special... */
  char jurisdiction[128]; /* the state's name */
  char poll_close_at[32]; /* RFC 3339 UTC, "" when not set */
  char mode[8];           /* "test" or "live" */
  int zero_report_done;   /* the live switch printed an all-zero report */
} pc_election_t;

typedef struct pc_party {
  int64_t id;
  char *code, *name, *abbreviation;
} pc_party_t;

typedef struct pc_district {
  int64_t id;
  char *code, *name, *unit_type; /* unit_type: an ERR ReportingUnitType */
} pc_district_t;

typedef struct pc_precinct {
  int64_t id;
  int county; /* index into model->counties */
  char *code, *name;
  char *boundary_geojson; /* NULL when none */
  int64_t registered_voters;
  int ballot_style;       /* index into model->ballot_styles, -1 when none */
} pc_precinct_t;

typedef struct pc_polling_place {
  int64_t id;
  int precinct; /* index into model->precincts */
  char *code, *name, *address;
  char *hours; /* opening hours as text, NULL or "" when not given */
} pc_polling_place_t;

typedef struct pc_candidate {
  int64_t id;
  char *code, *ballot_name;
  int party; /* index into model->parties, -1 when none */
} pc_candidate_t;

typedef struct pc_choice {
  int64_t id;
  char *code, *name;
  int candidate; /* index into model->candidates, -1 for measure choices */
  int is_write_in;
} pc_choice_t;

typedef struct pc_contest {
  int64_t id;
  char *code, *name;
  pc_contest_kind_t kind;
  char *district_code; /* "state", a county unit code or a district code */
  int vote_for;
  int certified;
  int retention_candidate; /* index into model->candidates, -1 unless retention */
  pc_choice_t *choices;
  size_t choice_count;
} pc_contest_t;

typedef struct pc_ballot_style {
  int64_t id;
  char *code;
  int *contests; /* indexes into model->contests */
  size_t contest_count;
} pc_ballot_style_t;

/* A whole election definition in memory, arrays in definition order.
 * Built by pc_elections_load, by the importers or by hand (then saved with
 * pc_elections_save); freed with pc_elections_model_free. */
typedef struct pc_election_model {
  pc_election_t election;
  pc_party_t *parties;
  size_t party_count;
  pc_district_t *districts;
  size_t district_count;
  pc_ballot_style_t *ballot_styles;
  size_t ballot_style_count;
  pc_precinct_t *precincts;
  size_t precinct_count;
  pc_polling_place_t *polling_places;
  size_t polling_place_count;
  pc_candidate_t *candidates;
  size_t candidate_count;
  pc_contest_t *contests;
  size_t contest_count;
  /* County ids and names referenced by precincts (filled by load/save). */
  struct pc_model_county { int64_t id; char *name; char *unit_code; } *counties;
  size_t county_count;
  void *index; /* lookup tables, built by pc_elections_model_index */
} pc_election_model_t;

/* Frees everything MODEL owns and zeroes it. NULL-safe. */
void pc_elections_model_free(pc_election_model_t *model);

/* Builds the code lookup tables used by the find functions below (load and
 * the importers call it). Fails with PC_EINVAL on a duplicate code. */
int pc_elections_model_index(pc_election_model_t *model, pc_error_t *err);
/* Index of the precinct/contest/choice with that code (or, failing that,
 * exact name), or -1. Choice lookup is within CONTEST. The model must be indexed. */
int pc_elections_find_precinct(const pc_election_model_t *model, const char *code_or_name);
int pc_elections_find_contest(const pc_election_model_t *model, const char *code_or_name);
int pc_elections_find_choice(const pc_election_model_t *model, int contest, const char *code_or_name);
/* 1 when ballot style STYLE (index) lists CONTEST (index). */
int pc_elections_style_has_contest(const pc_election_model_t *model, int style, int contest);
/* The ERR reporting-unit code of a county: "county-<fips>" or "county-<name>". */
void pc_elections_county_unit_code(const char *name, const char *fips, char *out, size_t size);

/* Checks MODEL (codes, references, contest kinds, vote-for, dates) and
 * writes it as a new election in one transaction with one audit entry
 * ("election.import"); counties must exist (matched by name through
 * model->counties, whose id fields it fills). *ID receives the election id. */
int pc_elections_save(pc_store_t *store, const pc_actor_t *actor, pc_election_model_t *model, int64_t *id,
                      pc_error_t *err);

/* Loads election ID (0: the newest election) into *MODEL (indexed). */
int pc_elections_load(pc_store_t *store, int64_t id, pc_election_model_t *model, pc_error_t *err);
/* Reads just the election row. ID 0 means the newest election. */
int pc_elections_get(pc_store_t *store, int64_t id, pc_election_t *out, pc_error_t *err);
/* Resolves an election given as its id or its code. */
int pc_elections_resolve(pc_store_t *store, const char *id_or_code, int64_t *id, pc_error_t *err);

/* Sets the poll-closing time (RFC 3339) of election ID, audited. */
int pc_elections_set_poll_close(pc_store_t *store, const pc_actor_t *actor, int64_t id, const char *rfc3339,
                                pc_error_t *err);
/* Marks contest CODE of election ID certified (or not), audited. */
int pc_elections_set_certified(pc_store_t *store, const pc_actor_t *actor, int64_t id, const char *contest_code,
                               int certified, pc_error_t *err);

/* Definition as NIST SP 1500-100 ERR JSON (an ElectionReport with Status
 * "pre-election" and no counts). *JSON is a malloc'd, NUL-terminated string. */
int pc_elections_export_err(const pc_election_model_t *model, char **json, size_t *length, pc_error_t *err);
/* SHA-256 (lowercase hex) of the canonical ERR definition (sorted keys,
 * without GeneratedDate): what the audited elections row records. */
int pc_elections_definition_sha256(const pc_election_model_t *model, char hex[65], pc_error_t *err);
/* The ERR ElectionReport skeleton shared with the results exporter: a
 * jansson object (json_t *) returned as void * to keep jansson out of this
 * header. STATUS is an ERR ResultsStatus; IS_TEST marks test results. */
void *pc_elections_err_report(const pc_election_model_t *model, const char *status, int is_test);

/* Parses an ERR JSON definition (DATA, SIZE bytes) into *MODEL. Errors name
 * the JSON path. */
int pc_elections_parse_err(const char *data, size_t size, pc_election_model_t *model, pc_error_t *err);
/* Parses the CSV set in directory DIR (see docs/results.md: election.csv,
 * precincts.csv, contests.csv, choices.csv, ballot_styles.csv and optional
 * polling_places.csv) into *MODEL. Errors name the file and line. */
int pc_elections_parse_csv_set(const char *dir, pc_election_model_t *model, pc_error_t *err);
/* Imports PATH (an ERR JSON file or a CSV-set directory) as a new election. */
int pc_elections_import(pc_store_t *store, const pc_actor_t *actor, const char *path, int64_t *id,
                        pc_error_t *err);

/* ERR ElectionType, ReportingUnitType names accepted for elections and districts. */
int pc_elections_valid_type(const char *election_type);
int pc_elections_valid_unit_type(const char *unit_type);
const char *pc_elections_kind_name(pc_contest_kind_t kind);
int pc_elections_parse_kind(const char *name, pc_contest_kind_t *kind);

/* Fills the demo state's election for the counties COUNTY_NAMES (COUNT of
 * them): about PRECINCTS precincts on a grid with GeoJSON squares, state,
 * congressional, legislative and county contests, an RCV contest, measures,
 * a retention contest, ballot styles and polling places. Deterministic. */
void pc_elections_demo_model(const char *const *county_names, size_t count, int precincts,
                             pc_election_model_t *model);

#endif
