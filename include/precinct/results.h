/* Election-night results: returns ingest (CSV or ERR JSON per county),
 * test/live mode with the zero report, aggregation to county and state,
 * signed immutable publications with a two-admin rule, the static site
 * export and its offline verification. See docs/internals/results.md. */
#ifndef PRECINCT_RESULTS_H
#define PRECINCT_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/elections.h"
#include "precinct/error.h"
#include "precinct/store.h"

/* Largest returns file accepted, and largest count on one line. */
#define PC_RESULTS_FILE_MAX ((size_t)256 * 1024 * 1024)
#define PC_RESULTS_VOTES_MAX 100000000LL

/* Counting groups, named as ERR CountItemType values. "total" is for
 * counties that report no breakdown; a precinct cannot mix it with others. */
typedef enum pc_counting_group {
  PC_GROUP_ELECTION_DAY = 0,
  PC_GROUP_EARLY,
  PC_GROUP_MAIL,
  PC_GROUP_PROVISIONAL,
  PC_GROUP_UOCAVA,
  PC_GROUP_TOTAL,
  PC_GROUP_COUNT
} pc_counting_group_t;

/* "election-day", "early", "absentee-mail", "provisional", "uocava", "total". */
const char *pc_results_group_name(int group);
/* Accepts those names and the aliases "mail", "absentee", "election day",
 * "eday", "early voting" (ASCII case ignored). PC_EINVAL otherwise. */
int pc_results_parse_group(const char *name, int *group);

typedef struct pc_results_ingest_report {
  int unchanged;           /* the file equals the county's current one: nothing was written */
  int64_t upload_id;       /* the (new or current) upload */
  int version;             /* the county's upload version in this mode */
  long precincts;          /* precincts reporting in the file */
  long vote_rows;          /* count lines */
  int64_t total_votes;
  char mode[8];            /* "test" or "live" */
  char format[16];         /* "csv", "err-json", or CVRs: "cdf-cvr-json", "cdf-cvr-xml", "dominion-zip" */
  int cvr;                 /* 1: the file was cast vote records (vote_rows and total_votes count ballots) */
  int contests;            /* CVRs: ranked-choice contests in the file; vote_rows counts a ballot once in each
                            * contest it holds, so it is the ballots only for one contest */
  char sha256[65];         /* of the file */
} pc_results_ingest_report_t;

/* Ingests one county's returns file (CSV, or ERR JSON when the first
 * non-blank byte is '{') for election ELECTION_ID (0: the newest) as the
 * county's complete current returns. Cast vote records (recognised by
 * content: a NIST SP 1500-103 CDF CastVoteRecordReport in JSON or XML, or a
 * Dominion export as one .zip) are instead the county's cast vote records of
 * the ranked-choice contests they hold (report->cvr; format "cdf-cvr-json",
 * "cdf-cvr-xml" or "dominion-zip"; vote_rows and total_votes then count
 * ballots): each
 * replaces the county's earlier CVRs of that contest, and its round-1 votes
 * become the county's first-choice votes of the contest. Every rule is checked before anything is
 * written; the first violation rejects the whole file with its line (CSV) or
 * JSON path (field) and reason. The same bytes as the current upload change
 * nothing (report->unchanged); different bytes become a new, audited version
 * that supersedes the previous one. ACTOR with a county may only upload for
 * that county (PC_EPERM). FILE_NAME is recorded and used in errors. */
int pc_results_ingest(pc_store_t *store, const pc_actor_t *actor, int64_t election_id, const char *county_name,
                      const char *file_name, const char *data, size_t size, pc_results_ingest_report_t *report,
                      pc_error_t *err);
/* Reads PATH and calls pc_results_ingest. */
int pc_results_ingest_file(pc_store_t *store, const pc_actor_t *actor, int64_t election_id, const char *county_name,
                           const char *path, pc_results_ingest_report_t *report, pc_error_t *err);

/* Switches election ELECTION_ID from test to live in one transaction:
 * deletes every test return, takes down any test publication, computes the
 * zero report from the (now empty) live returns and refuses (PC_EINTEGRITY,
 * nothing changed) unless every contest shows zero. The report text is
 * appended to REPORT. PC_ESTATE when already live. */
int pc_results_go_live(pc_store_t *store, const pc_actor_t *actor, int64_t election_id, pc_buf_t *report,
                       pc_error_t *err);

/* Aggregated current returns of one election in its current mode. */
typedef struct pc_results {
  pc_election_model_t model;
  size_t choice_total;     /* choices over all contests */
  size_t *choice_base;     /* contest -> first global choice index */
  int32_t *votes;          /* [precinct][global choice][group] */
  unsigned char *reporting;/* precinct -> 1 when in a current upload */
  int64_t *ballots_cast;   /* precinct -> ballots cast (0 when not reporting) */
  int64_t *registered;     /* precinct -> registered voters (file's, else definition's) */
  unsigned char *group_used; /* [precinct][contest][group]: a count line was present */
  int64_t *level_totals;   /* [county + 1][global choice][group]; level 0 is the state */
  char (*contest_sha256)[65]; /* contest -> hash of its precinct counts (see pc_results_load) */
  struct pc_results_rcv *rcv; /* current CVR uploads of ranked-choice contests (src/results/rcv.h) */
} pc_results_t;

/* Loads the definition and current returns of election ELECTION_ID (0: the
 * newest) in the election's mode. Free with pc_results_free. */
int pc_results_load(pc_store_t *store, int64_t election_id, pc_results_t *out, pc_error_t *err);
void pc_results_free(pc_results_t *results);
/* Votes for CHOICE of CONTEST in COUNTY (model county index, -1: state)
 * in GROUP (-1: all groups). */
int64_t pc_results_votes(const pc_results_t *r, int contest, int choice, int county, int group);
/* Precincts voting on CONTEST in COUNTY (-1: state): reporting and in all. */
void pc_results_reporting(const pc_results_t *r, int contest, int county, long *reporting, long *total);
/* Ballots cast and registered voters over precincts of COUNTY (-1: state);
 * REPORTING_ONLY limits both to reporting precincts. */
void pc_results_turnout(const pc_results_t *r, int county, int reporting_only, int64_t *ballots, int64_t *registered);

/* ---- publications --------------------------------------------------- */

typedef struct pc_results_publish_report {
  int published;           /* 1 when a new snapshot became current */
  int unchanged;           /* the current snapshot already holds exactly these results */
  int64_t number;          /* the publication's number (new or current) */
  int64_t approval_id;     /* request awaiting a second admin, when not published */
  char reason[160];        /* why approval is needed */
  char content_sha256[65];
  char manifest_sha256[65];
} pc_results_publish_report_t;

/* Publishes election ELECTION_ID's current results as the next numbered,
 * signed, immutable snapshot and makes it current, in one transaction.
 * Refused (PC_ESTATE) before the election's poll-closing time (pc_clock_now)
 * or when none is set. The first publication in a mode, and any that changes
 * a certified contest, needs a second admin: then an approval request by
 * ACTOR is recorded (or found) and returned in report->approval_id with
 * published 0. KEY_PATH is the Ed25519 publication key (created on first
 * use, 0600). Only "state_admin" and "operator" actors may publish. */
int pc_results_publish(pc_store_t *store, const char *key_path, const pc_actor_t *actor, int64_t election_id,
                       pc_results_publish_report_t *report, pc_error_t *err);
/* Approves request APPROVAL_ID as ACTOR, who must be an admin other than the
 * requester, and publishes. PC_ECONFLICT (request marked stale) when the
 * results changed since the request; PC_EPERM for the requester. */
int pc_results_approve(pc_store_t *store, const char *key_path, const pc_actor_t *actor, int64_t approval_id,
                       pc_results_publish_report_t *report, pc_error_t *err);

/* Reads file NAME of the current publication of ELECTION_ID (0: the newest
 * election that has one) in one read transaction. *DATA is malloc'd (free it);
 * *NUMBER (may be NULL) receives the publication number. PC_ENOTFOUND when
 * nothing is published or there is no such file. */
int pc_results_current_file(pc_store_t *store, int64_t election_id, const char *name, char **data, size_t *size,
                            int64_t *number, pc_error_t *err);

/* Writes the current publication's whole site to OUT_PATH.v<N> (files
 * fsync'd, written under a temporary name and renamed) and then points the
 * symlink OUT_PATH at it by rename(2) of a new symlink: readers of OUT_PATH
 * see the old site or the new one. OUT_PATH must be absent or a symlink.
 * *NUMBER (may be NULL) receives the publication number. */
int pc_results_export_static(pc_store_t *store, int64_t election_id, const char *out_path, int64_t *number,
                             pc_error_t *err);

/* Checks a published directory offline: every file listed in manifest.txt
 * has its SHA-256, no unlisted file exists, and manifest.sig is a valid
 * Ed25519 signature of manifest.txt's exact bytes under PUBLIC_KEY_HEX (or,
 * when NULL, the directory's publish_ed25519.pub). Appends one line per
 * problem to PROBLEMS (may be NULL). PC_EINTEGRITY on any mismatch. */
int pc_results_verify_dir(const char *dir, const char *public_key_hex, pc_buf_t *problems, pc_error_t *err);

/* Reads (creating on first use, 0600, durably) the Ed25519 publication key
 * at KEY_PATH: 64-byte libsodium secret key, and its public half. */
int pc_results_publish_key(const char *key_path, unsigned char secret_key[64], unsigned char public_key[32],
                           pc_error_t *err);

/* Demo night: writes partial returns (about FRACTION_PERCENT of precincts
 * reporting, deterministic) for every county of election ELECTION_ID
 * through pc_results_ingest. */
int pc_results_demo_returns(pc_store_t *store, const pc_actor_t *actor, int64_t election_id, int fraction_percent,
                            pc_error_t *err);

/* Demo night, ranked choice: cast vote records (CDF JSON) for every RCV
 * contest, one per ballot cast in each reporting precinct of the first
 * COUNTIES counties, through pc_results_ingest. Deterministic. */
int pc_results_demo_cvrs(pc_store_t *store, const pc_actor_t *actor, int64_t election_id, int counties,
                         pc_error_t *err);

/* ---- in-memory cache of the current publication (src/results/cache.c) ----
 * For `precinct serve`: files of the current publication kept in memory,
 * pinned to one publication id, so a reader never gets files of two
 * publications mixed. Which publication is current is read from the database
 * at most every 100 ms (or at once after pc_results_cache_bump in this
 * process); files are loaded on first use. Thread-safe. */
typedef struct pc_results_cache pc_results_cache_t;
/* Returns the store to read from (may be NULL: PC_EUNAVAIL); called only on a
 * check or a miss, so hits never touch the database. */
typedef pc_store_t *(*pc_results_store_fn)(void *context);

pc_results_cache_t *pc_results_cache_new(void);
void pc_results_cache_free(pc_results_cache_t *cache);
/* Appends file NAME of the newest election's current publication to OUT and
 * sets *NUMBER to its publication number. PC_ENOTFOUND when nothing is
 * published or there is no such file; store errors as returned by it. */
int pc_results_cache_get(pc_results_cache_t *cache, pc_results_store_fn get_store, void *context, const char *name,
                         pc_buf_t *out, int64_t *number, pc_error_t *err);
/* A file of the current publication shared with the cache rather than
 * copied: DATA (SIZE bytes, NUL-terminated) stays valid until
 * pc_results_cache_release(REF), which must be called exactly once, from
 * any thread. NUMBER is its publication number. */
typedef struct pc_results_cache_file {
  const char *data;
  size_t size;
  int64_t number;
  void *ref;
} pc_results_cache_file_t;
/* As pc_results_cache_get, without the copy: fills OUT on success. */
int pc_results_cache_share(pc_results_cache_t *cache, pc_results_store_fn get_store, void *context, const char *name,
                           pc_results_cache_file_t *out, pc_error_t *err);
void pc_results_cache_release(void *ref);
/* Makes every cache of this process re-read the current publication on its
 * next use (called after a publication or a live switch commits). */
void pc_results_cache_bump(void);

#endif
