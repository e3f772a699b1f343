/* Public online voter registration: applications (new registrations and
 * updates) checked field by field, written durably with a confirmation
 * number by a group-commit writer, verified against the roll and decided by
 * a county clerk. Identity-proof fields (licence, SSN last four, birth date)
 * go in and never come out: no function here returns them. Presentation and
 * rate limiting are the web layer's job. See docs/internals/voters.md. */
#ifndef PRECINCT_VOTERS_APPLICATIONS_H
#define PRECINCT_VOTERS_APPLICATIONS_H

#include <stdint.h>

#include "precinct/error.h"
#include "precinct/store.h"
#include "precinct/voters.h"

/* ---- confirmation numbers ------------------------------------------------ */

/* 9 random Crockford base32 symbols (45 bits) and a Luhn mod 32 check
 * symbol (catches any one wrong symbol and any swap of neighbours but 0/Z);
 * shown as "XXXXX-XXXXX". */
enum { PC_CONFIRMATION_LENGTH = 10, PC_CONFIRMATION_SIZE = 12 };

/* A new random confirmation number (10 symbols, no hyphen) into OUT. */
void pc_confirmation_new(char out[PC_CONFIRMATION_SIZE]);
/* Reads what a person typed: case, spaces and hyphens ignored, I and L read
 * as 1, O as 0. 0 with the canonical 10 symbols in OUT, or PC_EINVAL for a
 * wrong length, a symbol outside the alphabet or a failed check symbol. */
int pc_confirmation_parse(const char *text, char out[PC_CONFIRMATION_SIZE]);
/* "XXXXX-XXXXX" for display. */
void pc_confirmation_format(const char *canonical, char out[PC_CONFIRMATION_SIZE + 2]);

/* ---- an application ------------------------------------------------------ */

/* What the applicant typed (borrowed strings; NULL counts as ""). */
typedef struct pc_voter_app_input {
  const char *kind; /* "new" or "update" */
  const char *lang; /* "en" or "es" */
  const char *first_name, *middle_name, *last_name, *name_suffix;
  const char *birth_date; /* YYYY-MM-DD */
  const char *res_street_address, *res_city, *res_zip;
  const char *county; /* county name */
  const char *party;
  const char *drivers_license, *ssn4;
  int no_id_number;        /* "I have neither" */
  int citizenship_attested;
  const char *prev_last_name, *prev_zip; /* updates */
  int cancel_requested;                  /* updates: cancel the registration */
} pc_voter_app_input_t;

/* An application as checked and stored: the ID numbers only as HMACs. */
typedef struct pc_voter_app {
  int64_t id;
  char confirmation[PC_CONFIRMATION_SIZE];
  char kind[8], lang[4];
  int64_t county_id;
  char last_name[32], first_name[32], middle_name[32], name_suffix[8];
  char birth_date[12];
  char res_street_address[72], res_city[64], res_zip[12];
  char party[4];
  unsigned char dl_hmac[PC_VOTER_HMAC_SIZE], ssn4_hmac[PC_VOTER_HMAC_SIZE];
  int has_dl_hmac, has_ssn4_hmac, no_id_number, citizenship_attested;
  char prev_last_name[32], prev_zip[12];
  int cancel_requested;
} pc_voter_app_t;

/* Input fields that can be wrong, as bits of pc_voters_app_check's *BAD. */
enum {
  PC_APP_FIELD_KIND = 1 << 0,
  PC_APP_FIELD_FIRST_NAME = 1 << 1,
  PC_APP_FIELD_LAST_NAME = 1 << 2,
  PC_APP_FIELD_MIDDLE_NAME = 1 << 3,
  PC_APP_FIELD_SUFFIX = 1 << 4,
  PC_APP_FIELD_BIRTH_DATE = 1 << 5, /* not a date */
  PC_APP_FIELD_AGE = 1 << 6,        /* too young even to pre-register */
  PC_APP_FIELD_STREET = 1 << 7,
  PC_APP_FIELD_CITY = 1 << 8,
  PC_APP_FIELD_ZIP = 1 << 9,
  PC_APP_FIELD_COUNTY = 1 << 10,
  PC_APP_FIELD_PARTY = 1 << 11,
  PC_APP_FIELD_ID = 1 << 12, /* no licence, no SSN4 and no "neither" */
  PC_APP_FIELD_DL = 1 << 13,
  PC_APP_FIELD_SSN4 = 1 << 14,
  PC_APP_FIELD_CITIZENSHIP = 1 << 15,
  PC_APP_FIELD_PREV_ZIP = 1 << 16,
  PC_APP_FIELD_PREV_LAST_NAME = 1 << 17
};

/* Checks every field of IN at once (V gives the store, for counties and
 * the age rules, and the HMAC key). 0 with OUT filled (ID numbers hashed),
 * or PC_EINVAL with every bad field's bit in *BAD (OUT untouched). Database
 * errors are returned as such. */
int pc_voters_app_check(pc_voters_t *v, const pc_voter_app_input_t *in, pc_voter_app_t *out, unsigned *bad,
                        pc_error_t *err);

/* Inserts APP (status received) with a fresh confirmation number (written
 * into app->confirmation, retried on the rare clash) and its audit entry,
 * inside the caller's write transaction. */
int pc_voters_app_insert(pc_store_t *store, pc_voter_app_t *app, pc_error_t *err);

/* ---- the group-commit writer ---------------------------------------------- */

typedef struct pc_voter_app_queue pc_voter_app_queue_t;

/* Starts the writer thread on a connection of its own (OPTIONS). At most
 * CAPACITY applications wait at once; each transaction commits up to
 * MAX_BATCH of them. */
int pc_voters_app_queue_start(const pc_store_options_t *options, int capacity, int max_batch,
                              pc_voter_app_queue_t **out, pc_error_t *err);
/* Queues APP and waits until it is durable (committed, fsync'd): 0 with
 * app->confirmation set. PC_EBUSY at once when the queue is full (nothing
 * stored); another error when its transaction failed (nothing stored). */
int pc_voters_app_queue_submit(pc_voter_app_queue_t *q, pc_voter_app_t *app, pc_error_t *err);
/* Counters since the start, for logs and tests. */
typedef struct pc_voter_app_queue_stats {
  int64_t stored, batches, largest_batch, refused_busy, failed;
} pc_voter_app_queue_stats_t;
void pc_voters_app_queue_stats(pc_voter_app_queue_t *q, pc_voter_app_queue_stats_t *out);
/* Stores what is queued, stops the thread, frees Q (NULL is fine). */
void pc_voters_app_queue_stop(pc_voter_app_queue_t *q);

/* ---- status, processing, review ------------------------------------------- */

/* What an applicant may see: no names, addresses or ID data. */
typedef struct pc_voter_app_status {
  int found;
  char kind[8], status[20];
  char county[128];
  char submitted_at[32], decided_at[32];
  char denial_reason[32]; /* a code of pc_voters_app_denial_reasons */
} pc_voter_app_status_t;

/* Finds application CONFIRMATION (as typed) whose birth date or residential
 * ZIP equals SECOND_FACTOR ("YYYY-MM-DD" or 5 digits). A wrong factor and an
 * unknown number look the same (out->found 0). PC_EINVAL for a malformed
 * number or factor. */
int pc_voters_app_status(pc_store_t *store, const char *confirmation, const char *second_factor,
                         pc_voter_app_status_t *out, pc_error_t *err);

/* Verifies up to LIMIT received applications in V's scope, oldest first:
 * a new one is compared with namesakes on the roll (pc_voters_match_score;
 * a possible duplicate needs review), an update is matched to the
 * registration on file (not found: needs review), a cancellation request is
 * held for confirmation by mail. Each change audited. *PROCESSED counts. */
int pc_voters_app_process(pc_voters_t *v, int limit, int64_t *processed, pc_error_t *err);

/* One application as a clerk sees it (still no ID data or birth date). */
typedef struct pc_voter_app_summary {
  int64_t id;
  char confirmation[PC_CONFIRMATION_SIZE + 2]; /* formatted */
  char kind[8], status[20];
  char name[112];
  int64_t birth_year;
  char address[160];
  char party[4];
  char prev_last_name[32], prev_zip[12];
  int cancel_requested, has_dl, has_ssn4, no_id_number;
  int64_t match_voter_id;
  char match_ncid[16], match_name[112], match_score[16];
  char review_note[64];
  char submitted_at[32];
  /* The county's street index on the residential address: PC_APP_STREETS_NONE
   * (no index), _FOUND (street_precinct is the index's precinct) or
   * _NOT_IN_INDEX (the clerk chooses). */
  int street_index;
  char street_precinct[8];
} pc_voter_app_summary_t;
enum { PC_APP_STREETS_NONE, PC_APP_STREETS_FOUND, PC_APP_STREETS_NOT_IN_INDEX };

/* Calls VISIT for up to LIMIT undecided applications of V's scope
 * (verified, needs_review, mail_confirmation; received too when
 * INCLUDE_RECEIVED), oldest first. */
int pc_voters_app_each_open(pc_voters_t *v, int limit, int include_received,
                            int (*visit)(void *context, const pc_voter_app_summary_t *app), void *context,
                            pc_error_t *err);

/* Approves application ID: a new one registers the voter in PRECINCT_CODE
 * (the county is the application's) through the roll's rules: when the
 * county has a street index, the precinct comes from the address
 * (PRECINCT_CODE may be NULL or "", and must agree with the index when
 * given) and PRECINCT_CODE is needed only for an address not in the index;
 * without an index it is required. An update changes the matched
 * registration (PRECINCT_CODE as for a new one when the county changes and
 * has no index), a cancellation cancels it ("request") only when
 * MAIL_CONFIRMED says the applicant answered the letter (PC_EINVAL on
 * "mail_confirmed" otherwise). *VOTER_ID gets the voter. PC_ESTATE when not
 * undecided, PC_ENOTFOUND outside the scope, PC_EINVAL from the roll's
 * checks. Audited. */
int pc_voters_app_approve(pc_voters_t *v, int64_t id, const char *precinct_code, int mail_confirmed, int64_t *voter_id,
                          pc_error_t *err);
/* Calls VISIT with the code and name of each known precinct of V's scope
 * county (V must be county-scoped), by code: the choices for an approval. */
int pc_voters_app_precincts(pc_voters_t *v, int (*visit)(void *context, const char *code, const char *name),
                            void *context, pc_error_t *err);
/* Denies application ID for REASON (a code of pc_voters_app_denial_reasons). */
int pc_voters_app_deny(pc_voters_t *v, int64_t id, const char *reason, pc_error_t *err);
extern const char *const pc_voters_app_denial_reasons[]; /* NULL-terminated */

#endif
