/* Shared inside src/voters only: the column descriptors of the voters table
 * (one list drives binding, reading back, row hashing and the NC layout),
 * small string helpers and the ID-hash key. Not a public interface. */
#ifndef PRECINCT_VOTERS_INTERNAL_H
#define PRECINCT_VOTERS_INTERNAL_H

#include <stddef.h>

#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/store.h"
#include "precinct/voters.h"

enum {
  PC_VF_ID,        /* int64 primary key */
  PC_VF_TEXT,      /* char array, '' when empty */
  PC_VF_TEXT_NULL, /* char array, NULL when empty */
  PC_VF_INT,       /* int64, always set */
  PC_VF_INT_NULL,  /* int64, NULL when 0 */
  PC_VF_DL_HMAC,   /* blob, NULL unless has_dl_hmac */
  PC_VF_SSN_HMAC,  /* blob, NULL unless has_ssn4_hmac */
  PC_VF_DISTRICT   /* char array stored in district_sets, '' when empty */
};

/* Index in pc_voter_fields of the first district column (the 31 follow). */
#define PC_VOTER_FIRST_DISTRICT 40

typedef struct pc_voter_field {
  const char *column; /* voters column, in table order */
  int kind;
  size_t offset;      /* in pc_voter_t */
  size_t size;        /* capacity of char arrays */
} pc_voter_field_t;

extern const pc_voter_field_t pc_voter_fields[];
extern const int pc_voter_field_count;

/* "INSERT INTO voters (...) VALUES (?, ...)": every stored column (all but
 * the districts), then district_set_id. */
const char *pc_voter_insert_sql(void);
/* "UPDATE voters SET every stored column but id = ?, district_set_id = ?
 * WHERE id = ?". */
const char *pc_voter_update_sql(void);
/* Binds V's stored columns to STMT starting at parameter 1 (id first), then
 * DISTRICT_SET_ID. Text is bound without copying: V must stay unchanged
 * until STMT is stepped and reset. */
void pc_voter_bind(pc_stmt_t *stmt, const pc_voter_t *v, int64_t district_set_id);
/* The same for pc_voter_update_sql: all but id, the set, then id last. */
void pc_voter_bind_update(pc_stmt_t *stmt, const pc_voter_t *v, int64_t district_set_id);
/* The id of the district set holding V's 31 district values, created when
 * none does yet (district sets are never changed). Inside a write
 * transaction. */
int pc_voter_district_set(pc_store_t *store, const pc_voter_t *v, int64_t *id, pc_error_t *err);
/* "INSERT INTO district_sets (id, ...31 columns) VALUES (?, ...)" and its
 * binding (ID, then V's districts, without copying). */
const char *pc_voter_district_set_insert_sql(void);
void pc_voter_bind_district_set(pc_stmt_t *stmt, int64_t id, const pc_voter_t *v);
/* Sets KEY to an unambiguous string of V's 31 district values (for maps). */
void pc_voter_district_key(const pc_voter_t *v, pc_buf_t *key);
/* Fills V from a `SELECT * FROM voter_records` row. */
void pc_voter_read(pc_stmt_t *stmt, pc_voter_t *v);
/* The audit row hash V will have once stored (same as pc_audit_row_hash). */
void pc_voter_hash(const pc_voter_t *v, unsigned char out[PC_HASH_SIZE]);
/* Text field by column name (NULL when the column is not text). */
char *pc_voter_text_field(pc_voter_t *v, const char *column, size_t *size);

/* Column names of the NC layout's district block, PC_VOTER_DISTRICTS long. */
extern const char *const pc_voter_district_columns[PC_VOTER_DISTRICTS];

/* Upper-cases S in place and trims ASCII spaces at both ends. */
void pc_voters_normalize(char *s);
/* Copies S (LENGTH bytes) into OUT (SIZE) or fails with PC_ELIMIT. */
int pc_voters_copy(char *out, size_t size, const char *s, size_t length);
/* Checks "YYYY-MM-DD" is a real calendar date. */
int pc_voters_valid_date(const char *s);
/* Converts "MM/DD/YYYY" (NC) or "YYYY-MM-DD" to "YYYY-MM-DD". */
int pc_voters_parse_date(const char *s, char out[12]);

/* Reads an audit row hash for a voter (before a change). */
int pc_voters_row_hash(pc_store_t *store, int64_t id, unsigned char out[PC_HASH_SIZE], pc_error_t *err);
/* Loads the voter with ID regardless of scope. */
int pc_voters_load(pc_store_t *store, int64_t id, pc_voter_t *out, pc_error_t *err);
/* Writes V back (all columns) and records ACTION in the audit log, given the
 * row's hash before. Must run inside a write transaction. */
int pc_voters_save(pc_voters_t *v, const pc_voter_t *voter, const char *action, const unsigned char *before,
                   pc_error_t *err);
/* PC_EPERM unless the scope covers COUNTY_ID. */
int pc_voters_check_scope(pc_voters_t *v, int64_t county_id, pc_error_t *err);
/* *KNOWN = 1 when CODE is a precinct of county COUNTY_ID in voter_precincts,
 * else 0; the caller words the refusal (field, file and line differ). */
int pc_voters_precinct_known(pc_store_t *store, int64_t county_id, const char *code, int *known, pc_error_t *err);

/* Status a registrant born on BIRTH_DATE gets: A (18 by the next election)
 * or P (pre-registration age reached), else PC_EINVAL on "birth_date". */
int pc_voters_eligibility(pc_store_t *store, const char *birth_date, char status[4], char reason[4],
                          pc_error_t *err);
/* pc_voters_register without its own transaction (the caller's is open). */
int pc_voters_register_in_tx(pc_voters_t *v, const pc_voter_application_t *app, int64_t *id, pc_error_t *err);
/* Completes voter_import_batches row BATCH_ID and records the file's one
 * audit entry ("voters.import"). DIGEST covers the rows loaded with this
 * batch id (pc_audit_bulk_tables); NULL for a batch whose rows were audited
 * one by one. Inside the import's transaction. */
int pc_voters_finish_batch(pc_voters_t *v, int64_t batch_id, const char *file_sha256, int64_t rows, int64_t first_id,
                           const unsigned char digest[PC_HASH_SIZE], pc_error_t *err);

/* The statements of search.c (officials' reads), for the index checks of
 * test_voters_search. NULL at PC_VS_COUNT. */
enum {
  PC_VS_BY_ID,
  PC_VS_BY_NAME,
  PC_VS_BY_PRECINCT_STATUS,
  PC_VS_BY_PRECINCT,
  PC_VS_HISTORY,
  PC_VS_HISTORY_IDS,
  PC_VS_NOTICE_IDS,
  PC_VS_AUDIT,
  PC_VS_PRECINCTS,
  PC_VS_COUNT
};
extern const char *const pc_voters_search_sql[PC_VS_COUNT + 1];

#endif
