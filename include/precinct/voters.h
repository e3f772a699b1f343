/* The statewide voter roll: one record per registered voter, the rules that
 * govern registering, changing and cancelling it, and the county scope every
 * operation is checked against. Bulk formats (NC voter file, NIST VRI JSON),
 * duplicate detection and NVRA list maintenance have their own headers
 * (voters_io.h, voters_dedup.h, voters_maintenance.h). Authorisation is not
 * done here: callers pass the county scope the actor is allowed to touch. */
#ifndef PRECINCT_VOTERS_H
#define PRECINCT_VOTERS_H

#include <stdint.h>

#include "precinct/audit.h"
#include "precinct/error.h"
#include "precinct/instance.h"
#include "precinct/store.h"

#define PC_VOTER_DISTRICTS 31 /* the NC layout's jurisdiction columns after precinct */
#define PC_VOTER_HMAC_SIZE 32

/* One voter as stored. Text fields are NUL-terminated and sized by the NC
 * layout's column widths (bigger input is refused, never truncated).
 * Dates are "YYYY-MM-DD", "" when unknown. birth_date and the ID hashes are
 * identity-proof data: never print them in user-facing output. */
typedef struct pc_voter {
  int64_t id;
  char ncid[16];
  int64_t county_id;
  char voter_reg_num[16];
  char last_name[32], first_name[32], middle_name[32], name_suffix[8];
  char status[4];              /* A active, I inactive, R removed, P pending, D denied, S temporary */
  char status_reason[4];       /* NC reason code, e.g. "RD" deceased */
  char status_reason_desc[64];
  char status_date[12];
  char res_street_address[72], res_city[64], res_state[4], res_zip[12];
  char mail_addr[4][48], mail_city[48], mail_state[4], mail_zip[12];
  char phone[16];
  char confidential[2];        /* "Y" or "N" */
  char registration_date[12];
  char registration_source[32];
  char race[4], ethnicity[4], party[4], gender[2];
  int64_t birth_year;          /* 0 when unknown */
  char birth_date[12];
  char birth_state[4];
  char drivers_lic[2];         /* "Y" when a licence number is on file */
  unsigned char dl_hmac[PC_VOTER_HMAC_SIZE];
  unsigned char ssn4_hmac[PC_VOTER_HMAC_SIZE];
  int has_dl_hmac, has_ssn4_hmac;
  int64_t hava_id_required;    /* HAVA 303(b): must show ID when first voting */
  int64_t citizenship_attested;
  char precinct_code[8];
  char district[PC_VOTER_DISTRICTS][64]; /* NC order: municipality_abbrv .. vtd_desc */
  int64_t import_batch_id;     /* 0 when registered one at a time */
  int64_t merged_into_id;      /* 0 unless cancelled as a duplicate of that voter */
} pc_voter_t;

/* A session on the roll: the store, who acts, the county they are limited to
 * (NULL: statewide) and the instance's HMAC key for ID numbers. */
typedef struct pc_voters {
  pc_store_t *store;
  pc_actor_t actor;
  const char *county_scope;
  unsigned char hmac_key[32];
} pc_voters_t;

/* Fills V for INSTANCE/STORE, loading keys/voter_hmac.key (creating it, 32
 * random bytes, mode 0600, when absent). ACTOR and COUNTY_SCOPE are copied by
 * pointer and must outlive V. */
int pc_voters_open(pc_voters_t *v, const pc_instance_t *instance, pc_store_t *store, const pc_actor_t *actor,
                   const char *county_scope, pc_error_t *err);
/* Fills V for reading only (no key: pc_voters_id_hmac and registration must
 * not be used), e.g. for an HTTP handler that shows a record. */
void pc_voters_open_reader(pc_voters_t *v, pc_store_t *store, const pc_actor_t *actor, const char *county_scope);

/* Calls VISIT for up to LIMIT voters in V's scope whose last name starts
 * with LAST (and first name with FIRST, may be ""), by name then id. */
int pc_voters_search(pc_voters_t *v, const char *last, const char *first, int limit,
                     int (*visit)(void *context, const pc_voter_t *voter), void *context, pc_error_t *err);

/* Wipes the key from V. */
void pc_voters_close(pc_voters_t *v);

/* HMAC-SHA-256 (libsodium crypto_auth_hmacsha256) of an ID number after
 * normalisation (upper case, letters and digits only). */
void pc_voters_id_hmac(const pc_voters_t *v, const char *id_number, unsigned char out[PC_VOTER_HMAC_SIZE]);

/* Rules read from instance settings (defaults in brackets):
 * voters.preregistration_age [16], voters.next_election_date [the next
 * federal general election], voters.federal_election_dates [none: extra
 * federal primaries, comma-separated YYYY-MM-DD, for the 90-day rule]. */

/* Date helpers on "YYYY-MM-DD". pc_voters_today is the clock's UTC date. */
void pc_voters_today(char out[12]);
int pc_voters_days_between(const char *from, const char *to, int64_t *days);
/* Full years from BIRTH to ON. */
int pc_voters_age_on(const char *birth, const char *on, int *age);
/* Date of the federal general election of YEAR (Tuesday after the first
 * Monday of November; YEAR must be even). */
void pc_voters_federal_general(int year, char out[12]);
/* The first federal general election on or after DATE. */
void pc_voters_next_federal_general(const char *date, char out[12]);

/* Input for a registration besides the record: the clear-text ID numbers
 * (hashed, then forgotten) and the attestations. */
typedef struct pc_voter_application {
  pc_voter_t voter;       /* names, birth_date, addresses, party, precinct_code... */
  const char *county;     /* county name */
  const char *drivers_license; /* NULL or "" when none */
  const char *ssn4;       /* NULL or "" when none */
  int citizenship_attested;
  int mail_registration;  /* by mail: HAVA 303(b) first-time-voter ID rule applies */
  /* ID numbers already hashed with this instance's key (online applications
   * keep only the HMACs): used when the clear-text field is NULL or "". */
  const unsigned char *dl_hmac, *ssn4_hmac;
  /* The official chose voter.precinct_code for an address the county's
   * street index does not cover (a new street): accepted then. A precinct
   * that disagrees with the index is refused all the same. */
  int precinct_override;
} pc_voter_application_t;

/* Registers a new voter after checking every rule (required fields, age by
 * the next election or pre-registration age, citizenship attestation, county
 * scope, known precinct, no other voter with the same ID hash + DOB). When
 * the county has a street index (voters_streets.h) the precinct comes from
 * the residential address: derived when none is given, refused when the
 * given one disagrees or the address is not in the index (see
 * precinct_override); without an index a known precinct is required. Status
 * is A, or P for a pre-registrant. Assigns ncid/voter_reg_num when empty.
 * Audited, own transaction. *ID receives the new id. PC_EINVAL (field in
 * err->field), PC_EPERM (county scope), PC_EEXIST (ncid taken). */
int pc_voters_register(pc_voters_t *v, const pc_voter_application_t *app, int64_t *id, pc_error_t *err);

/* Reads voter ID (by id) or NCID into OUT. PC_ENOTFOUND when absent or
 * outside the county scope (the two are indistinguishable on purpose). */
int pc_voters_get(pc_voters_t *v, int64_t id, pc_voter_t *out, pc_error_t *err);
int pc_voters_find_ncid(pc_voters_t *v, const char *ncid, pc_voter_t *out, pc_error_t *err);

/* Changes of a registration. Fields given as NULL stay as they are. A new
 * COUNTY transfers the record (same id and ncid, history kept, new
 * registration number in the new county); the county scope must cover the
 * source county. A new residence (street, ZIP or county) or precinct in a
 * county with a street index gets its precinct from the index, as
 * registration does; without an index a transfer needs PRECINCT_CODE.
 * Audited, own transaction. */
typedef struct pc_voter_change {
  const char *last_name, *first_name, *middle_name, *name_suffix;
  const char *res_street_address, *res_city, *res_zip;
  const char *county, *precinct_code;
  const char *party;
  int precinct_override; /* as in pc_voter_application_t */
} pc_voter_change_t;
int pc_voters_update(pc_voters_t *v, int64_t id, const pc_voter_change_t *change, pc_error_t *err);

/* Sets status (A, I, R, P, D, S) with an NC reason code; REASON_DESC may be
 * NULL for the code's standard text. Audited, own transaction. */
int pc_voters_set_status(pc_voters_t *v, int64_t id, const char *status, const char *reason, pc_error_t *err);

/* Cancels (status R) for REASON: "death", "request", "moved", "felony",
 * "duplicate" (then DUPLICATE_OF is the surviving voter's id, else 0).
 * Felony removal is refused unless the instance setting
 * voters.felony_removal is "yes". Audited, own transaction. */
int pc_voters_cancel(pc_voters_t *v, int64_t id, const char *reason, int64_t duplicate_of, pc_error_t *err);

/* Records that the voter voted in an election (voter history). METHOD is
 * in_person, early, absentee, provisional or uocava. Audited. */
int pc_voters_record_vote(pc_voters_t *v, int64_t id, const char *election_date, const char *election_desc,
                          const char *method, pc_error_t *err);

/* Adds a precinct to a county (needed before voters can register in it). */
int pc_voters_add_precinct(pc_voters_t *v, const char *county, const char *code, const char *name, pc_error_t *err);

/* Looks a county up case-insensitively by name; PC_ENOTFOUND when absent. */
int pc_voters_county_id(pc_store_t *store, const char *name, int64_t *id, pc_error_t *err);

/* Standard description of an NC status code / reason code ("" if unknown). */
const char *pc_voters_status_desc(const char *status);
const char *pc_voters_reason_desc(const char *reason);

#endif
