/* Ranked-choice contests in the results module: cast vote records uploaded
 * per county and contest (ingest_cvr.c), their compact stored form and the
 * tabulation over them (cvr_store.c), the first-choice overlay on the
 * aggregate (rcv_overlay.c) and the rounds pages (render_rounds.c).
 * Internal to src/results. */
#ifndef PRECINCT_RESULTS_RCV_H
#define PRECINCT_RESULTS_RCV_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/buf.h"
#include "precinct/results.h"

/* One ballot of a contest: its precinct (model index) and marks as
 * (rank, choice index of the contest), sorted by rank, one per distinct
 * (rank, choice). */
typedef struct pc_rcv_mark {
  uint32_t rank;
  uint32_t choice;
} pc_rcv_mark_t;

typedef struct pc_rcv_ballots {
  int contest;              /* model contest index */
  size_t count;
  int32_t *precinct;        /* [count] model precinct index */
  uint32_t *mark_offset;    /* [count + 1] into marks */
  pc_rcv_mark_t *marks;
  size_t mark_count, mark_capacity, capacity;
} pc_rcv_ballots_t;

void pc_rcv_ballots_init(pc_rcv_ballots_t *b, int contest);
/* Appends a ballot; MARKS need not be sorted (they are sorted and deduplicated). */
void pc_rcv_ballots_add(pc_rcv_ballots_t *b, int precinct, const pc_rcv_mark_t *marks, size_t mark_count);
void pc_rcv_ballots_free(pc_rcv_ballots_t *b);

/* The stored form (cvr_uploads.data): "PCVR1" then varints, precincts and
 * choices as definition ids. Encode appends to OUT; decode appends to B and
 * checks every id against MODEL (PC_EINTEGRITY on anything unexpected). */
void pc_rcv_encode(const pc_election_model_t *model, const pc_rcv_ballots_t *b, pc_buf_t *out);
int pc_rcv_decode(const pc_election_model_t *model, const void *data, size_t size, pc_rcv_ballots_t *b,
                  pc_error_t *err);

/* The RCTab contest configuration the results module tabulates CONTEST
 * with (single-winner IRV, or multi-winner STV when vote-for > 1), as JSON
 * text with one CDF source per entry of SOURCE_NAMES. Appended to OUT. */
void pc_rcv_config_json(const pc_election_model_t *model, int contest, const char *const *source_names,
                        size_t source_count, pc_buf_t *out);

/* Tabulates SETS (SET_COUNT ballot sets of one contest, one per county
 * source, named as in pc_rcv_config_json) and returns RCTab's summary.json
 * structure as JSON text in SUMMARY. FIRST_ROUND_ONLY stops after round 1
 * and then fills ROUND1 ([precinct_count x choice_count], may be NULL) with
 * each precinct's round-1 votes per choice. */
int pc_rcv_tabulate(const pc_election_model_t *model, int contest, const pc_rcv_ballots_t *const *sets,
                    const char *const *source_names, size_t set_count, int first_round_only, pc_buf_t *summary,
                    int64_t *round1, pc_error_t *err);

/* Current CVR uploads of one election in its mode (rcv_overlay.c). */
typedef struct pc_rcv_upload {
  int64_t id;
  int contest, county;      /* model indexes */
  int version;
  int64_t ballots;
  char file_name[128];
  char file_sha256[65], data_sha256[65];
} pc_rcv_upload_t;

typedef struct pc_results_rcv {
  pc_rcv_upload_t *uploads; /* by contest, then county */
  size_t count;
} pc_results_rcv_t;

/* Replaces the first-choice counts of every (RCV contest, county) with a
 * current CVR upload by the uploads' round-1 votes (group "total"), marks
 * precincts with CVRs reporting (ballots cast = their CVRs when the returns
 * have none), and records the uploads in r->rcv. Called by pc_results_load
 * after the returns are read and before the sums. */
int pc_results_rcv_overlay(pc_store_t *store, pc_results_t *r, pc_error_t *err);
/* Mixes the CVR uploads' hashes into each RCV contest's hash (after hashing). */
void pc_results_rcv_hash(pc_results_t *r);
void pc_results_rcv_free(pc_results_t *r);
/* 1 when CONTEST has current CVRs in R. */
int pc_results_rcv_has(const pc_results_t *r, int contest);
/* Reads upload ID's ballots (its data, checked against its data_sha256). */
int pc_results_rcv_read_upload(pc_store_t *store, const pc_election_model_t *model, int64_t id, pc_rcv_ballots_t *b,
                               pc_error_t *err);

/* At the live switch: marks every test CVR upload of ELECTION cleared
 * (audited) and deletes its ballots and counts. */
int pc_results_rcv_clear_test(pc_store_t *store, const pc_actor_t *actor, int64_t election, pc_error_t *err);

/* Cast vote record formats a county may upload (detected by content). */
typedef enum pc_rcv_format {
  PC_RCV_FORMAT_NONE = 0,     /* not CVRs: returns (CSV or ERR JSON) */
  PC_RCV_FORMAT_CDF_JSON,     /* NIST SP 1500-103 CastVoteRecordReport, JSON */
  PC_RCV_FORMAT_CDF_XML,      /* the same in XML */
  PC_RCV_FORMAT_DOMINION_ZIP  /* a Dominion export (CvrExport*.json + manifests) as one .zip */
} pc_rcv_format_t;

/* The CVR format of DATA, or PC_RCV_FORMAT_NONE. */
pc_rcv_format_t pc_results_cvr_format(const char *data, size_t size);
/* The report's format name ("cdf-cvr-json", "cdf-cvr-xml", "dominion-zip"). */
const char *pc_results_cvr_format_name(pc_rcv_format_t format);

/* One contest of an upload being read: the ballot callback's context, shared
 * by every format. Marks name choices (CDF: a Candidate Name or code; the
 * undeclared write-in label maps to the contest's write-in choice), or with
 * KEYS, are looked up there (Dominion: candidate ids). */
typedef struct pc_rcv_key {
  char *key;
  int choice;   /* contest choice index */
} pc_rcv_key_t;

typedef struct pc_rcv_read {
  const pc_election_model_t *model;
  int county, contest, write_in;  /* write_in: choice index, -1 when none */
  const char *file_name;          /* the upload, in messages */
  int name_entries;               /* messages name FILE_NAME/<basename of the ballot's file> */
  const char *precinct_field, *contest_field, *candidate_field, *rank_field;
  const pc_rcv_key_t *keys;       /* NULL: marks are choice names */
  size_t key_count;
  pc_rcv_ballots_t ballots;
  pc_rcv_mark_t *marks;           /* scratch, PC_CVR_MAX_MARKS_PER_BALLOT */
  /* the last precinct found only by a search of the county (names shared
   * with another county's precinct): index + 1 (0: none) and its text */
  int last_precinct;
  char last_precinct_text[128];
} pc_rcv_read_t;

/* pc_cvr_ballot_fn over a pc_rcv_read_t: checks the ballot's precinct (in
 * the election, in the county, votes on the contest), candidates and ranks,
 * and appends it to the read's ballots. */
struct pc_cvr_ballot;
int pc_results_cvr_on_ballot(void *context, const struct pc_cvr_ballot *ballot, pc_error_t *err);

/* Reads and checks a CVR upload (any pc_rcv_format_t but NONE) of county
 * COUNTY (model index): *SETS receives one ballot set per ranked-choice
 * contest in the file (*SET_COUNT of them; free each with
 * pc_rcv_ballots_free, then the array). Errors name FILE_NAME (and the zip
 * entry), the CVR number (as the line) and the field. */
int pc_results_cvr_parse(const pc_election_model_t *model, int county, const char *file_name, const char *data,
                         size_t size, pc_rcv_ballots_t **sets, size_t *set_count, pc_error_t *err);
/* The Dominion .zip part of pc_results_cvr_parse (ingest_dominion.c). */
int pc_results_dominion_parse(const pc_election_model_t *model, int county, const char *file_name, const char *data,
                              size_t size, pc_rcv_ballots_t **sets, size_t *set_count, pc_error_t *err);

/* Limits on a zip upload: every entry inflated, all entries inflated, and
 * the number of entries. pc_results_dominion_parse uses the defaults. */
typedef struct pc_rcv_zip_limits {
  uint64_t entry_bytes, total_bytes;
  size_t entries;
} pc_rcv_zip_limits_t;
extern const pc_rcv_zip_limits_t pc_rcv_zip_default_limits;
/* pc_results_dominion_parse with LIMITS (tests). */
int pc_results_dominion_parse_limited(const pc_election_model_t *model, int county, const char *file_name,
                                      const char *data, size_t size, const pc_rcv_zip_limits_t *limits,
                                      pc_rcv_ballots_t **sets, size_t *set_count, pc_error_t *err);

/* Ingests a CVR upload of FORMAT for county COUNTY (model index) of MODEL:
 * see pc_results_ingest. */
int pc_results_ingest_cvr(pc_store_t *store, const pc_actor_t *actor, const pc_election_model_t *model, int county,
                          const char *file_name, const char *data, size_t size, pc_results_ingest_report_t *report,
                          pc_error_t *err);

/* Tabulates every RCV contest with CVRs and adds rounds/cN.json (summary),
 * rounds/cN.config.json and rounds/cN.html to OUT; checks that round 1
 * equals the first-choice votes R shows for the counties with CVRs. */
struct pc_snapshot;
struct pc_snapshot_meta;
int pc_results_render_rounds(pc_store_t *store, const pc_results_t *r, const struct pc_snapshot_meta *meta,
                             struct pc_snapshot *out, pc_error_t *err);

#endif
