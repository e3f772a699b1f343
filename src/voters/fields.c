/* The voter record's columns as data: binding a pc_voter_t to an INSERT or
 * UPDATE of voters, finding its district set, reading one back from the
 * voter_records view, and hashing it exactly as the audit log hashes that
 * view's row. The order here must be the view's column order (0009);
 * tests/unit/test_voters.c checks both agree. */
#include "voters_internal.h"

#include "precinct/buf.h"

#include <assert.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#define T(name) {#name, PC_VF_TEXT, offsetof(pc_voter_t, name), sizeof(((pc_voter_t *)0)->name)}
#define TN(name) {#name, PC_VF_TEXT_NULL, offsetof(pc_voter_t, name), sizeof(((pc_voter_t *)0)->name)}
#define TA(column, member) {column, PC_VF_TEXT, offsetof(pc_voter_t, member), sizeof(((pc_voter_t *)0)->member)}
#define I(name) {#name, PC_VF_INT, offsetof(pc_voter_t, name), 0}
#define IN(name) {#name, PC_VF_INT_NULL, offsetof(pc_voter_t, name), 0}
#define D(index, column) {column, PC_VF_DISTRICT, offsetof(pc_voter_t, district) + (index)*64, 64}

const char *const pc_voter_district_columns[PC_VOTER_DISTRICTS] = {
    "municipality_abbrv", "municipality_desc", "ward_abbrv", "ward_desc", "cong_dist_abbrv",
    "super_court_abbrv", "judic_dist_abbrv", "nc_senate_abbrv", "nc_house_abbrv", "county_commiss_abbrv",
    "county_commiss_desc", "township_abbrv", "township_desc", "school_dist_abbrv", "school_dist_desc",
    "fire_dist_abbrv", "fire_dist_desc", "water_dist_abbrv", "water_dist_desc", "sewer_dist_abbrv",
    "sewer_dist_desc", "sanit_dist_abbrv", "sanit_dist_desc", "rescue_dist_abbrv", "rescue_dist_desc",
    "munic_dist_abbrv", "munic_dist_desc", "dist_1_abbrv", "dist_1_desc", "vtd_abbrv", "vtd_desc"};

const pc_voter_field_t pc_voter_fields[] = {
    {"id", PC_VF_ID, offsetof(pc_voter_t, id), 0},
    T(ncid), I(county_id), T(voter_reg_num), T(last_name), T(first_name), T(middle_name), T(name_suffix),
    T(status), T(status_reason), T(status_reason_desc), TN(status_date), T(res_street_address), T(res_city),
    T(res_state), T(res_zip), TA("mail_addr1", mail_addr[0]), TA("mail_addr2", mail_addr[1]),
    TA("mail_addr3", mail_addr[2]), TA("mail_addr4", mail_addr[3]), T(mail_city), T(mail_state), T(mail_zip),
    T(phone), T(confidential), T(registration_date), T(registration_source), T(race), T(ethnicity), T(party),
    T(gender), IN(birth_year), TN(birth_date), T(birth_state), T(drivers_lic),
    {"dl_hmac", PC_VF_DL_HMAC, offsetof(pc_voter_t, dl_hmac), PC_VOTER_HMAC_SIZE},
    {"ssn4_hmac", PC_VF_SSN_HMAC, offsetof(pc_voter_t, ssn4_hmac), PC_VOTER_HMAC_SIZE},
    I(hava_id_required), I(citizenship_attested), T(precinct_code),
    D(0, "municipality_abbrv"), D(1, "municipality_desc"), D(2, "ward_abbrv"), D(3, "ward_desc"),
    D(4, "cong_dist_abbrv"), D(5, "super_court_abbrv"), D(6, "judic_dist_abbrv"), D(7, "nc_senate_abbrv"),
    D(8, "nc_house_abbrv"), D(9, "county_commiss_abbrv"), D(10, "county_commiss_desc"), D(11, "township_abbrv"),
    D(12, "township_desc"), D(13, "school_dist_abbrv"), D(14, "school_dist_desc"), D(15, "fire_dist_abbrv"),
    D(16, "fire_dist_desc"), D(17, "water_dist_abbrv"), D(18, "water_dist_desc"), D(19, "sewer_dist_abbrv"),
    D(20, "sewer_dist_desc"), D(21, "sanit_dist_abbrv"), D(22, "sanit_dist_desc"), D(23, "rescue_dist_abbrv"),
    D(24, "rescue_dist_desc"), D(25, "munic_dist_abbrv"), D(26, "munic_dist_desc"), D(27, "dist_1_abbrv"),
    D(28, "dist_1_desc"), D(29, "vtd_abbrv"), D(30, "vtd_desc"), IN(import_batch_id), IN(merged_into_id)};

const int pc_voter_field_count = (int)(sizeof pc_voter_fields / sizeof pc_voter_fields[0]);

static char insert_sql[4096], update_sql[4096], set_find_sql[4096], set_insert_sql[4096];
static pc_audit_column_t hash_columns[80]; /* encoded column names, for pc_voter_hash */
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void build_sql(void) {
  assert(pc_voter_field_count <= (int)(sizeof hash_columns / sizeof hash_columns[0]));
  for (int i = 0; i < pc_voter_field_count; i++) {
    int failed = pc_audit_column_init(&hash_columns[i], pc_voter_fields[i].column);
    assert(failed == 0);
    (void)failed;
  }
  for (int i = 0; i < pc_voter_field_count; i++)
    assert((pc_voter_fields[i].kind == PC_VF_DISTRICT) ==
           (i >= PC_VOTER_FIRST_DISTRICT && i < PC_VOTER_FIRST_DISTRICT + PC_VOTER_DISTRICTS));
  pc_buf_t ins, upd, find, set;
  pc_buf_init(&ins, sizeof insert_sql - 1);
  pc_buf_init(&upd, sizeof update_sql - 1);
  pc_buf_init(&find, sizeof set_find_sql - 1);
  pc_buf_init(&set, sizeof set_insert_sql - 1);
  pc_buf_append_str(&ins, "INSERT INTO voters (");
  pc_buf_append_str(&upd, "UPDATE voters SET ");
  pc_buf_append_str(&find, "SELECT id FROM district_sets WHERE ");
  pc_buf_append_str(&set, "INSERT INTO district_sets (id");
  int stored = 0;
  for (int i = 0; i < pc_voter_field_count; i++) {
    const pc_voter_field_t *f = &pc_voter_fields[i];
    if (f->kind == PC_VF_DISTRICT) {
      pc_buf_appendf(&find, "%s%s = ?", i == PC_VOTER_FIRST_DISTRICT ? "" : " AND ", f->column);
      pc_buf_appendf(&set, ", %s", f->column);
      continue;
    }
    pc_buf_appendf(&ins, "%s%s", stored ? ", " : "", f->column);
    if (i > 0) pc_buf_appendf(&upd, "%s = ?, ", f->column);
    stored++;
  }
  pc_buf_append_str(&ins, ", district_set_id) VALUES (");
  for (int i = 0; i <= stored; i++) pc_buf_append_str(&ins, i ? ", ?" : "?");
  pc_buf_append_str(&ins, ")");
  pc_buf_append_str(&upd, "district_set_id = ? WHERE id = ?");
  pc_buf_append_str(&set, ") VALUES (?");
  for (int i = 0; i < PC_VOTER_DISTRICTS; i++) pc_buf_append_str(&set, ", ?");
  pc_buf_append_str(&set, ")");
  int rc = pc_strlcpy(insert_sql, pc_buf_str(&ins), sizeof insert_sql);
  rc |= pc_strlcpy(update_sql, pc_buf_str(&upd), sizeof update_sql);
  rc |= pc_strlcpy(set_find_sql, pc_buf_str(&find), sizeof set_find_sql);
  rc |= pc_strlcpy(set_insert_sql, pc_buf_str(&set), sizeof set_insert_sql);
  assert(rc == 0);
  pc_buf_free(&ins);
  pc_buf_free(&upd);
  pc_buf_free(&find);
  pc_buf_free(&set);
}

const char *pc_voter_insert_sql(void) {
  pthread_once(&sql_once, build_sql);
  return insert_sql;
}

const char *pc_voter_update_sql(void) {
  pthread_once(&sql_once, build_sql);
  return update_sql;
}

const char *pc_voter_district_set_insert_sql(void) {
  pthread_once(&sql_once, build_sql);
  return set_insert_sql;
}

static void bind_field(pc_stmt_t *stmt, int index, const pc_voter_field_t *f, const pc_voter_t *v) {
  const char *base = (const char *)v + f->offset;
  switch (f->kind) {
  case PC_VF_ID:
  case PC_VF_INT: pc_stmt_bind_int64(stmt, index, *(const int64_t *)(const void *)base); break;
  case PC_VF_INT_NULL: {
    int64_t value = *(const int64_t *)(const void *)base;
    if (value) pc_stmt_bind_int64(stmt, index, value);
    else pc_stmt_bind_null(stmt, index);
    break;
  }
  /* The voter outlives the statement's step: callers bind, step, reset. */
  case PC_VF_TEXT:
  case PC_VF_DISTRICT: pc_stmt_bind_text_nocopy(stmt, index, base, strlen(base)); break;
  case PC_VF_TEXT_NULL:
    if (*base) pc_stmt_bind_text_nocopy(stmt, index, base, strlen(base));
    else pc_stmt_bind_null(stmt, index);
    break;
  case PC_VF_DL_HMAC:
  case PC_VF_SSN_HMAC:
    if (f->kind == PC_VF_DL_HMAC ? v->has_dl_hmac : v->has_ssn4_hmac)
      pc_stmt_bind_blob(stmt, index, base, PC_VOTER_HMAC_SIZE);
    else pc_stmt_bind_null(stmt, index);
    break;
  default: assert(0);
  }
}

void pc_voter_bind(pc_stmt_t *stmt, const pc_voter_t *v, int64_t district_set_id) {
  int index = 1;
  for (int i = 0; i < pc_voter_field_count; i++)
    if (pc_voter_fields[i].kind != PC_VF_DISTRICT) bind_field(stmt, index++, &pc_voter_fields[i], v);
  pc_stmt_bind_int64(stmt, index, district_set_id);
}

void pc_voter_bind_update(pc_stmt_t *stmt, const pc_voter_t *v, int64_t district_set_id) {
  int index = 1;
  for (int i = 1; i < pc_voter_field_count; i++)
    if (pc_voter_fields[i].kind != PC_VF_DISTRICT) bind_field(stmt, index++, &pc_voter_fields[i], v);
  pc_stmt_bind_int64(stmt, index++, district_set_id);
  pc_stmt_bind_int64(stmt, index, v->id);
}

void pc_voter_bind_district_set(pc_stmt_t *stmt, int64_t id, const pc_voter_t *v) {
  pc_stmt_bind_int64(stmt, 1, id);
  for (int i = 0; i < PC_VOTER_DISTRICTS; i++)
    pc_stmt_bind_text_nocopy(stmt, i + 2, v->district[i], strlen(v->district[i]));
}

int pc_voter_district_set(pc_store_t *store, const pc_voter_t *v, int64_t *id, pc_error_t *err) {
  pthread_once(&sql_once, build_sql);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, set_find_sql, &stmt, err);
  if (rc != 0) return rc;
  for (int i = 0; i < PC_VOTER_DISTRICTS; i++)
    pc_stmt_bind_text_nocopy(stmt, i + 1, v->district[i], strlen(v->district[i]));
  rc = pc_stmt_step(stmt, err);
  int64_t found = rc == PC_STORE_ROW ? pc_stmt_column_int64(stmt, 0) : 0;
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  if (found == 0) {
    int64_t next = 0;
    rc = pc_store_prepare(store, "SELECT COALESCE(MAX(id), 0) + 1 FROM district_sets", &stmt, err);
    if (rc != 0) return rc;
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) next = pc_stmt_column_int64(stmt, 0);
    pc_stmt_finalize(stmt);
    if (rc < 0) return rc;
    rc = pc_store_prepare(store, set_insert_sql, &stmt, err);
    if (rc != 0) return rc;
    pc_voter_bind_district_set(stmt, next, v);
    rc = pc_stmt_step(stmt, err);
    pc_stmt_finalize(stmt);
    if (rc < 0) return rc;
    found = next;
  }
  *id = found;
  return 0;
}

void pc_voter_district_key(const pc_voter_t *v, pc_buf_t *key) {
  pc_buf_reset(key);
  /* Each value prefixed by its length + 1 (values are under 64 bytes), so
   * no two different sets share a key and the key has no NUL. */
  for (int i = 0; i < PC_VOTER_DISTRICTS; i++) {
    size_t length = strlen(v->district[i]);
    assert(length < 64);
    char prefix = (char)(length + 1);
    pc_buf_append(key, &prefix, 1);
    pc_buf_append(key, v->district[i], length);
  }
}

void pc_voter_read(pc_stmt_t *stmt, pc_voter_t *v) {
  memset(v, 0, sizeof *v);
  assert(pc_stmt_column_count(stmt) == pc_voter_field_count);
  for (int i = 0; i < pc_voter_field_count; i++) {
    const pc_voter_field_t *f = &pc_voter_fields[i];
    char *base = (char *)v + f->offset;
    switch (f->kind) {
    case PC_VF_ID:
    case PC_VF_INT:
    case PC_VF_INT_NULL: *(int64_t *)(void *)base = pc_stmt_column_int64(stmt, i); break;
    case PC_VF_TEXT:
    case PC_VF_TEXT_NULL:
    case PC_VF_DISTRICT: {
      const char *text = pc_stmt_column_text(stmt, i);
      pc_strlcpy(base, text ? text : "", f->size);
      break;
    }
    default: {
      size_t size = 0;
      const void *blob = pc_stmt_column_blob(stmt, i, &size);
      if (blob && size == PC_VOTER_HMAC_SIZE) {
        memcpy(base, blob, size);
        if (f->kind == PC_VF_DL_HMAC) v->has_dl_hmac = 1;
        else v->has_ssn4_hmac = 1;
      }
      break;
    }
    }
  }
}

void pc_voter_hash(const pc_voter_t *v, unsigned char out[PC_HASH_SIZE]) {
  pthread_once(&sql_once, build_sql);
  pc_audit_row_hasher_t h;
  pc_audit_hasher_start(&h, "voters");
  for (int i = 0; i < pc_voter_field_count; i++) {
    const pc_voter_field_t *f = &pc_voter_fields[i];
    const pc_audit_column_t *c = &hash_columns[i];
    const char *base = (const char *)v + f->offset;
    switch (f->kind) {
    case PC_VF_ID:
    case PC_VF_INT: pc_audit_hasher_int64_at(&h, c, *(const int64_t *)(const void *)base); break;
    case PC_VF_INT_NULL: {
      int64_t value = *(const int64_t *)(const void *)base;
      if (value) pc_audit_hasher_int64_at(&h, c, value);
      else pc_audit_hasher_null_at(&h, c);
      break;
    }
    case PC_VF_TEXT:
    case PC_VF_DISTRICT: pc_audit_hasher_text_at(&h, c, base, strlen(base)); break;
    case PC_VF_TEXT_NULL:
      if (*base) pc_audit_hasher_text_at(&h, c, base, strlen(base));
      else pc_audit_hasher_null_at(&h, c);
      break;
    default:
      if (f->kind == PC_VF_DL_HMAC ? v->has_dl_hmac : v->has_ssn4_hmac)
        pc_audit_hasher_blob_at(&h, c, base, PC_VOTER_HMAC_SIZE);
      else pc_audit_hasher_null_at(&h, c);
      break;
    }
  }
  pc_audit_hasher_finish(&h, out);
}

char *pc_voter_text_field(pc_voter_t *v, const char *column, size_t *size) {
  for (int i = 0; i < pc_voter_field_count; i++) {
    const pc_voter_field_t *f = &pc_voter_fields[i];
    if ((f->kind == PC_VF_TEXT || f->kind == PC_VF_TEXT_NULL || f->kind == PC_VF_DISTRICT) && strcmp(f->column, column) == 0) {
      *size = f->size;
      return (char *)v + f->offset;
    }
  }
  return NULL;
}
