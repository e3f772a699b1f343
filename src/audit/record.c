/* Appending entries to the audit log and hashing audited rows. The Merkle
 * tree over the entries, checkpoints and verification live in their own
 * files of this module. */
#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/clock.h"

#include <endian.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <pwd.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Tables covered by row hashes. Add a table here when a module starts
 * recording changes to it. Names are constants: they are the only
 * identifiers ever spliced into SQL text. */
const char *const pc_audit_tables[] = {
    "counties",        "users",           "api_tokens",          "elections",           "contests",
    "results_uploads", "publications",    "publication_approvals", "voters",            "voter_import_batches",
    "voter_history",   "voter_precincts", "maintenance_runs",    "maintenance_actions", "confirmation_notices",
    "duplicate_candidates", "cvr_uploads", "voter_applications", "voter_street_versions", "voter_street_segments",
    NULL};

/* Tables whose rows are read for hashing through a view that presents the
 * row as the log has always hashed it: voters keeps its 31 district values
 * in district_sets since migration 0009, and voter_records joins them back
 * in their old place, so entries written before that still verify. */
static const struct {
  const char *table, *source;
} row_sources[] = {{"voters", "voter_records"}, {NULL, NULL}};

const char *pc_audit_row_source(const char *table) {
  for (int i = 0; row_sources[i].table; i++)
    if (strcmp(row_sources[i].table, table) == 0) return row_sources[i].source;
  return table;
}

static int is_audited_table(const char *table) {
  for (const char *const *t = pc_audit_tables; *t; t++)
    if (strcmp(*t, table) == 0) return 1;
  return 0;
}

void pc_audit_cli_actor(pc_actor_t *actor) {
  static char name[96];
  const struct passwd *pw = getpwuid(geteuid());
  pc_snprintf(name, sizeof name, "operator:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
  actor->user_id = 0;
  actor->username = name;
  actor->role = "operator";
  actor->county = NULL;
}

/* The row hasher uses nettle's SHA-256 (SHA-NI accelerated where the CPU
 * has it) behind a staging buffer big enough for a whole voter row (~2.8 KB
 * of canonical encoding): a bulk import hashes every row it loads, and many
 * small updates would cost more than the hashing itself. Same digest as any
 * other SHA-256. */
typedef struct hasher_state {
  struct sha256_ctx sha;
  size_t staged;
  unsigned char stage[3968];
} hasher_state_t;

_Static_assert(sizeof(hasher_state_t) <= sizeof(((pc_audit_row_hasher_t *)0)->opaque), "hasher state too small");

static hasher_state_t *hasher_state(pc_audit_row_hasher_t *h) {
  return (hasher_state_t *)(void *)h->opaque;
}

static void stage(hasher_state_t *s, const void *data, size_t size) {
  if (s->staged + size > sizeof s->stage) {
    sha256_update(&s->sha, s->staged, s->stage);
    s->staged = 0;
  }
  if (size > sizeof s->stage) {
    sha256_update(&s->sha, size, data);
    return;
  }
  memcpy(s->stage + s->staged, data, size);
  s->staged += size;
}

/* The 9-byte header of a field: type tag, then the size as 8 bytes big-endian. */
static void field_header(unsigned char header[9], char type, size_t size) {
  uint64_t big_endian = htobe64((uint64_t)size);
  header[0] = (unsigned char)type;
  memcpy(header + 1, &big_endian, sizeof big_endian);
}

/* Feeds one type-tagged, length-prefixed field into the hash, so that no
 * two different rows can encode to the same bytes. */
static void stage_field(hasher_state_t *s, char type, const void *data, size_t size) {
  unsigned char header[9];
  field_header(header, type, size);
  stage(s, header, sizeof header);
  if (size) stage(s, data, size);
}

/* "%lld" without the printf machinery (bulk imports format ids per row). */
static size_t format_int64(int64_t value, char out[24]) {
  char digits[24];
  size_t n = 0;
  uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
  do {
    digits[n++] = (char)('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude);
  size_t length = 0;
  if (value < 0) out[length++] = '-';
  while (n) out[length++] = digits[--n];
  return length;
}

void pc_audit_hasher_start(pc_audit_row_hasher_t *h, const char *table) {
  hasher_state_t *s = hasher_state(h);
  sha256_init(&s->sha);
  s->staged = 0;
  stage_field(s, 'T', table, strlen(table));
}

void pc_audit_hasher_null(pc_audit_row_hasher_t *h, const char *column) {
  stage_field(hasher_state(h), 'C', column, strlen(column));
  stage_field(hasher_state(h), 'N', NULL, 0);
}

void pc_audit_hasher_int64(pc_audit_row_hasher_t *h, const char *column, int64_t value) {
  char number[24];
  size_t length = format_int64(value, number);
  stage_field(hasher_state(h), 'C', column, strlen(column));
  stage_field(hasher_state(h), 'I', number, length);
}

void pc_audit_hasher_text(pc_audit_row_hasher_t *h, const char *column, const char *text, size_t length) {
  stage_field(hasher_state(h), 'C', column, strlen(column));
  stage_field(hasher_state(h), 'S', text, length);
}

void pc_audit_hasher_blob(pc_audit_row_hasher_t *h, const char *column, const void *data, size_t size) {
  stage_field(hasher_state(h), 'C', column, strlen(column));
  stage_field(hasher_state(h), 'B', data, size);
}

int pc_audit_column_init(pc_audit_column_t *c, const char *column) {
  size_t length = strlen(column);
  if (length + 9 > sizeof c->encoded) return PC_ELIMIT;
  field_header(c->encoded, 'C', length);
  memcpy(c->encoded + 9, column, length);
  c->size = (unsigned char)(length + 9);
  return 0;
}

/* The encoded column name, then the value's field. */
static void stage_column_field(hasher_state_t *s, const pc_audit_column_t *c, char type, const void *data, size_t size) {
  if (s->staged + sizeof c->encoded + 9 + size > sizeof s->stage) {
    stage(s, c->encoded, c->size);
    stage_field(s, type, data, size);
    return;
  }
  unsigned char *at = s->stage + s->staged;
  /* A fixed-size copy is a few vector moves where a variable one is a slow
   * string instruction; the bytes past c->size are overwritten next. */
  memcpy(at, c->encoded, sizeof c->encoded);
  field_header(at + c->size, type, size);
  if (size) memcpy(at + c->size + 9, data, size);
  s->staged += c->size + 9 + size;
}

void pc_audit_hasher_null_at(pc_audit_row_hasher_t *h, const pc_audit_column_t *c) {
  stage_column_field(hasher_state(h), c, 'N', NULL, 0);
}

void pc_audit_hasher_int64_at(pc_audit_row_hasher_t *h, const pc_audit_column_t *c, int64_t value) {
  char number[24];
  size_t length = format_int64(value, number);
  stage_column_field(hasher_state(h), c, 'I', number, length);
}

void pc_audit_hasher_text_at(pc_audit_row_hasher_t *h, const pc_audit_column_t *c, const char *text, size_t length) {
  stage_column_field(hasher_state(h), c, 'S', text, length);
}

void pc_audit_hasher_blob_at(pc_audit_row_hasher_t *h, const pc_audit_column_t *c, const void *data, size_t size) {
  stage_column_field(hasher_state(h), c, 'B', data, size);
}

void pc_audit_hasher_finish(pc_audit_row_hasher_t *h, unsigned char out[PC_HASH_SIZE]) {
  hasher_state_t *s = hasher_state(h);
  if (s->staged) sha256_update(&s->sha, s->staged, s->stage);
  sha256_digest(&s->sha, PC_HASH_SIZE, out);
}

static void hash_column(pc_audit_row_hasher_t *h, pc_stmt_t *stmt, int i) {
  const char *name = pc_stmt_column_name(stmt, i);
  char number[32];
  size_t size = 0;
  const void *blob;
  switch (pc_stmt_column_type(stmt, i)) {
  case PC_COLUMN_NULL: pc_audit_hasher_null(h, name); break;
  case PC_COLUMN_INTEGER: pc_audit_hasher_int64(h, name, pc_stmt_column_int64(stmt, i)); break;
  case PC_COLUMN_FLOAT:
    pc_snprintf(number, sizeof number, "%.17g", pc_stmt_column_double(stmt, i));
    stage_field(hasher_state(h), 'C', name, strlen(name));
    stage_field(hasher_state(h), 'F', number, strlen(number));
    break;
  case PC_COLUMN_TEXT: {
    const char *text = pc_stmt_column_text(stmt, i);
    pc_audit_hasher_text(h, name, text, strlen(text));
    break;
  }
  default:
    blob = pc_stmt_column_blob(stmt, i, &size);
    pc_audit_hasher_blob(h, name, blob, size);
    break;
  }
}

void pc_audit_row_hash_current(pc_stmt_t *stmt, const char *table, unsigned char out[PC_HASH_SIZE]) {
  pc_audit_row_hasher_t hasher;
  pc_audit_hasher_start(&hasher, table);
  int columns = pc_stmt_column_count(stmt);
  for (int i = 0; i < columns; i++) hash_column(&hasher, stmt, i);
  pc_audit_hasher_finish(&hasher, out);
}

int pc_audit_row_hash(pc_store_t *store, const char *table, int64_t id, unsigned char out[PC_HASH_SIZE],
                      pc_error_t *err) {
  if (!is_audited_table(table)) return pc_error_set(err, PC_EINVAL, "table \"%s\" is not audited", table);
  char sql[160];
  pc_snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE id = ?", pc_audit_row_source(table));
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_DONE) rc = pc_error_set(err, PC_ENOTFOUND, "%s row %lld does not exist", table, (long long)id);
  if (rc == PC_STORE_ROW) {
    pc_audit_row_hash_current(stmt, table, out);
    rc = 0;
  }
  pc_stmt_finalize(stmt);
  return rc;
}

static json_t *hex_or_null(const unsigned char *hash) {
  if (hash == NULL) return json_null();
  char hex[PC_HASH_SIZE * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, PC_HASH_SIZE);
  return json_string(hex);
}

static json_t *string_or_null(const char *s) {
  return s ? json_string(s) : json_null();
}

static int next_sequence(pc_store_t *store, int64_t *seq, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log", &stmt, err);
  if (rc != 0) return rc;
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    *seq = pc_stmt_column_int64(stmt, 0);
    rc = 0;
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set(err, PC_EINTERNAL, "no next audit sequence");
  }
  pc_stmt_finalize(stmt);
  return rc;
}

/* Appends the leaf; BEFORE/AFTER may be NULL. */
static int append_leaf(pc_store_t *store, const pc_actor_t *actor, const char *action, const char *object_type,
                       const char *object_id, const unsigned char *before, const unsigned char *after, int64_t *seq_out,
                       pc_error_t *err) {
  if (!pc_store_in_transaction(store))
    return pc_error_set(err, PC_EINTERNAL, "audit entries must be written inside the change's transaction");
  int64_t seq = 0;
  int rc = next_sequence(store, &seq, err);
  if (rc != 0) return rc;

  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  const char *username = actor->username ? actor->username : "unknown";
  const char *role = actor->role ? actor->role : "unknown";
  json_t *leaf = json_object();
  json_object_set_new(leaf, "seq", json_integer(seq));
  json_object_set_new(leaf, "at", json_string(now));
  json_object_set_new(leaf, "actor", json_string(username));
  json_object_set_new(leaf, "role", json_string(role));
  json_object_set_new(leaf, "county", string_or_null(actor->county));
  json_object_set_new(leaf, "action", json_string(action));
  json_object_set_new(leaf, "object_type", string_or_null(object_type));
  json_object_set_new(leaf, "object_id", string_or_null(object_id));
  json_object_set_new(leaf, "before", hex_or_null(before));
  json_object_set_new(leaf, "after", hex_or_null(after));
  char *leaf_data = json_dumps(leaf, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(leaf);
  if (leaf_data == NULL) return pc_error_set(err, PC_EINVAL, "audit entry is not valid UTF-8");

  unsigned char leaf_hash[PC_HASH_SIZE];
  pc_merkle_leaf_hash(leaf_data, strlen(leaf_data), leaf_hash);

  char before_hex[PC_HASH_SIZE * 2 + 1], after_hex[PC_HASH_SIZE * 2 + 1];
  if (before) sodium_bin2hex(before_hex, sizeof before_hex, before, PC_HASH_SIZE);
  if (after) sodium_bin2hex(after_hex, sizeof after_hex, after, PC_HASH_SIZE);
  pc_stmt_t *stmt;
  rc = pc_store_prepare(store,
                        "INSERT INTO audit_log (seq, recorded_at, actor, role, county, action, object_type, object_id,"
                        " before_hash, after_hash, leaf_data, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, seq);
    pc_stmt_bind_text(stmt, 2, now);
    pc_stmt_bind_text(stmt, 3, username);
    pc_stmt_bind_text(stmt, 4, role);
    pc_stmt_bind_text(stmt, 5, actor->county);
    pc_stmt_bind_text(stmt, 6, action);
    pc_stmt_bind_text(stmt, 7, object_type);
    pc_stmt_bind_text(stmt, 8, object_id);
    pc_stmt_bind_text(stmt, 9, before ? before_hex : NULL);
    pc_stmt_bind_text(stmt, 10, after ? after_hex : NULL);
    pc_stmt_bind_text(stmt, 11, leaf_data);
    pc_stmt_bind_blob(stmt, 12, leaf_hash, sizeof leaf_hash);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_DONE) rc = 0;
    pc_stmt_finalize(stmt);
  }
  free(leaf_data);
  if (rc == 0 && seq_out) *seq_out = seq;
  return rc;
}

int pc_audit_record(pc_store_t *store, const pc_actor_t *actor, const char *action, const char *table, int64_t id,
                    const unsigned char *before, int64_t *seq, pc_error_t *err) {
  unsigned char after[PC_HASH_SIZE];
  int rc = pc_audit_row_hash(store, table, id, after, err);
  if (rc != 0 && rc != PC_ENOTFOUND) return rc;
  int deleted = rc == PC_ENOTFOUND;
  char object_id[32];
  pc_snprintf(object_id, sizeof object_id, "%lld", (long long)id);
  return append_leaf(store, actor, action, table, object_id, before, deleted ? NULL : after, seq, err);
}

int pc_audit_record_event(pc_store_t *store, const pc_actor_t *actor, const char *action, const char *object_type,
                          const char *object_id, int64_t *seq, pc_error_t *err) {
  return append_leaf(store, actor, action, object_type, object_id, NULL, NULL, seq, err);
}
