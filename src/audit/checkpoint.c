/* The instance's Ed25519 audit key (creation, loading) and signed
 * checkpoints of the log: tree size, root, time and state name, signed over
 * a fixed text anyone can rebuild. Does not verify the log (verify.c) nor
 * build proofs (tree.c). */
#include "precinct/audit.h"
#include "precinct/alloc.h"
#include "precinct/fileio.h"
#include "precinct/log.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { SEED_SIZE = 32, SEED_HEX_SIZE = 2 * SEED_SIZE };

void pc_audit_key_id(const unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE], char key_id[PC_AUDIT_KEY_ID_SIZE]) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, public_key, PC_AUDIT_PUBLIC_KEY_SIZE);
  sodium_bin2hex(key_id, PC_AUDIT_KEY_ID_SIZE, digest, 8);
}

static int key_paths(const pc_instance_t *instance, char *secret_path, char *public_path, size_t size,
                     pc_error_t *err) {
  if (pc_instance_key_path(instance, PC_AUDIT_KEY_FILE, secret_path, size) != 0 ||
      pc_instance_key_path(instance, PC_AUDIT_PUBLIC_KEY_FILE, public_path, size) != 0)
    return pc_error_set(err, PC_ELIMIT, "keys directory path too long");
  return 0;
}

int pc_audit_key_create(const pc_instance_t *instance, pc_error_t *err) {
  char secret_path[1200], public_path[1200];
  int rc = key_paths(instance, secret_path, public_path, sizeof secret_path, err);
  if (rc != 0) return rc;
  if (sodium_init() < 0) return pc_error_set(err, PC_EINTERNAL, "libsodium failed to initialise");
  unsigned char seed[SEED_SIZE], public_key[PC_AUDIT_PUBLIC_KEY_SIZE], secret_key[64];
  randombytes_buf(seed, sizeof seed);
  crypto_sign_seed_keypair(public_key, secret_key, seed);
  char seed_text[SEED_HEX_SIZE + 2];
  sodium_bin2hex(seed_text, SEED_HEX_SIZE + 1, seed, sizeof seed);
  seed_text[SEED_HEX_SIZE] = '\n';
  seed_text[SEED_HEX_SIZE + 1] = '\0';
  char public_text[sodium_base64_ENCODED_LEN(PC_AUDIT_PUBLIC_KEY_SIZE, sodium_base64_VARIANT_ORIGINAL) + 1];
  sodium_bin2base64(public_text, sizeof public_text - 1, public_key, sizeof public_key, sodium_base64_VARIANT_ORIGINAL);
  size_t public_length = strlen(public_text);
  public_text[public_length++] = '\n';
  /* The private key first and exclusively: an existing key is never replaced. */
  rc = pc_file_write_durable(secret_path, seed_text, SEED_HEX_SIZE + 1, 0600, 1, err);
  if (rc == 0) {
    rc = pc_file_write_durable(public_path, public_text, public_length, 0644, 0, err);
    if (rc != 0) unlink(secret_path);
  }
  sodium_memzero(seed, sizeof seed);
  sodium_memzero(secret_key, sizeof secret_key);
  sodium_memzero(seed_text, sizeof seed_text);
  if (rc == 0) {
    char key_id[PC_AUDIT_KEY_ID_SIZE];
    pc_audit_key_id(public_key, key_id);
    pc_log(PC_LOG_INFO, "created audit signing key %s", key_id);
  }
  return rc;
}

/* Reads a whole small text file, dropping one trailing newline. */
static int read_key_file(const char *path, char **text, size_t *length, pc_error_t *err) {
  int rc = pc_file_read_all(path, 4096, text, length, err);
  if (rc == PC_ENOTFOUND || (rc != 0 && access(path, F_OK) != 0))
    return pc_error_set_at(err, PC_ENOTFOUND, path, 0, NULL, "audit key file missing (made by `precinct init`)");
  if (rc != 0) return rc;
  if (*length > 0 && (*text)[*length - 1] == '\n') (*text)[--*length] = '\0';
  return 0;
}

int pc_audit_public_key_load(const pc_instance_t *instance, unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE],
                             pc_error_t *err) {
  char secret_path[1200], public_path[1200];
  int rc = key_paths(instance, secret_path, public_path, sizeof secret_path, err);
  if (rc != 0) return rc;
  char *text;
  size_t length;
  rc = read_key_file(public_path, &text, &length, err);
  if (rc != 0) return rc;
  unsigned char decoded[PC_AUDIT_PUBLIC_KEY_SIZE];
  size_t decoded_length = 0;
  if (sodium_base642bin(decoded, sizeof decoded, text, length, NULL, &decoded_length, NULL,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      decoded_length != sizeof decoded)
    rc = pc_error_set_at(err, PC_EINVAL, public_path, 1, NULL, "expected a base64 Ed25519 public key (32 bytes)");
  free(text);
  if (rc == 0) memcpy(public_key, decoded, sizeof decoded);
  return rc;
}

int pc_audit_key_load(const pc_instance_t *instance, pc_audit_key_t *key, pc_error_t *err) {
  char secret_path[1200], public_path[1200];
  int rc = key_paths(instance, secret_path, public_path, sizeof secret_path, err);
  if (rc != 0) return rc;
  struct stat st;
  if (stat(secret_path, &st) == 0 && (st.st_mode & 077) != 0)
    return pc_error_set_at(err, PC_EPERM, secret_path, 0, NULL,
                           "audit private key is readable by other users; run chmod 600 on it");
  unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE];
  rc = pc_audit_public_key_load(instance, public_key, err);
  if (rc != 0) return rc;
  char *text;
  size_t length;
  rc = read_key_file(secret_path, &text, &length, err);
  if (rc != 0) return rc;
  unsigned char seed[SEED_SIZE];
  size_t seed_length = 0;
  pc_audit_key_t loaded;
  if (sodium_hex2bin(seed, sizeof seed, text, length, NULL, &seed_length, NULL) != 0 || seed_length != SEED_SIZE ||
      length != SEED_HEX_SIZE) {
    rc = pc_error_set_at(err, PC_EINVAL, secret_path, 1, NULL, "expected a 64-digit hex Ed25519 seed");
  } else {
    crypto_sign_seed_keypair(loaded.public_key, loaded.secret_key, seed);
    if (sodium_memcmp(loaded.public_key, public_key, sizeof public_key) != 0)
      rc = pc_error_set_at(err, PC_EINVAL, public_path, 0, NULL, "public key does not match %s", PC_AUDIT_KEY_FILE);
  }
  sodium_memzero(text, length);
  free(text);
  sodium_memzero(seed, sizeof seed);
  if (rc == 0) {
    pc_audit_key_id(loaded.public_key, loaded.key_id);
    *key = loaded;
  }
  sodium_memzero(&loaded, sizeof loaded);
  return rc;
}

void pc_audit_key_wipe(pc_audit_key_t *key) {
  sodium_memzero(key, sizeof *key);
}

int pc_audit_checkpoint_text(const pc_audit_checkpoint_t *checkpoint, pc_buf_t *out) {
  char root_hex[PC_HASH_SIZE * 2 + 1];
  sodium_bin2hex(root_hex, sizeof root_hex, checkpoint->root_hash, PC_HASH_SIZE);
  return pc_buf_appendf(out, "precinct audit checkpoint v1\n%s\n%lld\n%s\n%s\n", checkpoint->state_name,
                        (long long)checkpoint->tree_size, root_hex, checkpoint->signed_at);
}

int pc_audit_checkpoint_verify_signature(const pc_audit_checkpoint_t *checkpoint,
                                         const unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE]) {
  char key_id[PC_AUDIT_KEY_ID_SIZE];
  pc_audit_key_id(public_key, key_id);
  if (strcmp(key_id, checkpoint->key_id) != 0) return PC_EINTEGRITY;
  pc_buf_t text;
  pc_buf_init(&text, 4096);
  int rc = pc_audit_checkpoint_text(checkpoint, &text);
  if (rc == 0 && crypto_sign_verify_detached(checkpoint->signature, (const unsigned char *)text.data, text.len,
                                             public_key) != 0)
    rc = PC_EINTEGRITY;
  pc_buf_free(&text);
  return rc == 0 ? 0 : PC_EINTEGRITY;
}

/* The columns read_checkpoint reads, in its order, joined into the two
 * statements at compile time (constant SQL). */
#define SELECT_CHECKPOINT \
    "SELECT tree_size, root_hash, signed_at, state_name, key_id, signature, frontier FROM audit_checkpoints "
static const char latest_checkpoint_sql[] = SELECT_CHECKPOINT "ORDER BY tree_size DESC LIMIT 1";
static const char next_checkpoint_sql[] = SELECT_CHECKPOINT "WHERE tree_size > ? ORDER BY tree_size LIMIT 1";

/* Reads a checkpoint row; FRONTIER (may be NULL) receives the frontier tree. */
static int read_checkpoint(pc_stmt_t *stmt, pc_audit_checkpoint_t *out, pc_merkle_t *frontier, pc_error_t *err) {
  pc_audit_checkpoint_t row;
  memset(&row, 0, sizeof row);
  row.tree_size = pc_stmt_column_int64(stmt, 0);
  size_t root_size = 0, signature_size = 0, frontier_size = 0;
  const void *root = pc_stmt_column_blob(stmt, 1, &root_size);
  const void *signature = pc_stmt_column_blob(stmt, 5, &signature_size);
  const char *signed_at = pc_stmt_column_text(stmt, 2), *state = pc_stmt_column_text(stmt, 3),
             *key_id = pc_stmt_column_text(stmt, 4);
  if (root_size != PC_HASH_SIZE || signature_size != PC_AUDIT_SIGNATURE_SIZE || !signed_at || !state || !key_id ||
      pc_strlcpy(row.signed_at, signed_at, sizeof row.signed_at) != 0 ||
      pc_strlcpy(row.state_name, state, sizeof row.state_name) != 0 ||
      pc_strlcpy(row.key_id, key_id, sizeof row.key_id) != 0)
    return pc_error_set(err, PC_EINTEGRITY, "audit checkpoint at tree size %lld is malformed",
                        (long long)row.tree_size);
  memcpy(row.root_hash, root, PC_HASH_SIZE);
  memcpy(row.signature, signature, PC_AUDIT_SIGNATURE_SIZE);
  if (frontier) {
    const void *data = pc_stmt_column_blob(stmt, 6, &frontier_size);
    int rc = pc_merkle_frontier_load(frontier, (uint64_t)row.tree_size, data, frontier_size, err);
    if (rc != 0) return PC_EINTEGRITY;
  }
  *out = row;
  return 0;
}

/* Reads the first checkpoint SQL (one of the constants above) finds; BOUND,
 * when not negative, is its one parameter. */
static int query_checkpoint(pc_store_t *store, const char *sql, int64_t bound, pc_audit_checkpoint_t *out,
                            pc_merkle_t *frontier, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  if (bound >= 0) pc_stmt_bind_int64(stmt, 1, bound);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) rc = read_checkpoint(stmt, out, frontier, err);
  else if (rc == PC_STORE_DONE) rc = pc_error_set(err, PC_ENOTFOUND, "no audit checkpoint");
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_audit_checkpoint_latest(pc_store_t *store, pc_audit_checkpoint_t *out, pc_error_t *err) {
  return query_checkpoint(store, latest_checkpoint_sql, -1, out, NULL, err);
}

int pc_audit_checkpoint_next(pc_store_t *store, int64_t after_size, pc_audit_checkpoint_t *out, pc_error_t *err) {
  return query_checkpoint(store, next_checkpoint_sql, after_size, out, NULL, err);
}

/* Where to resume hashing: the newest checkpoint's frontier when it is
 * trustworthy (its signature verifies and it reproduces the signed root),
 * otherwise the empty tree, so a damaged row costs time, never a wrong root. */
static int starting_tree(pc_store_t *store, const pc_audit_key_t *key, pc_merkle_t *tree, pc_error_t *err) {
  pc_merkle_init(tree);
  pc_audit_checkpoint_t latest;
  pc_merkle_t frontier;
  pc_error_t ignored;
  int rc = query_checkpoint(store, latest_checkpoint_sql, -1, &latest, &frontier, &ignored);
  if (rc == PC_ENOTFOUND) return 0;
  if (rc != 0 && rc != PC_EINTEGRITY) return pc_error_set(err, rc, "%s", ignored.message);
  unsigned char root[PC_HASH_SIZE];
  if (rc == 0) pc_merkle_root(&frontier, root);
  if (rc == 0 && pc_audit_checkpoint_verify_signature(&latest, key->public_key) == 0 &&
      sodium_memcmp(root, latest.root_hash, PC_HASH_SIZE) == 0) {
    *tree = frontier;
    return 0;
  }
  pc_log(PC_LOG_WARN, "newest audit checkpoint does not verify; rehashing the whole log (run `precinct audit verify`)");
  return 0;
}

/* Appends the leaf hashes with seq > TREE->size, checking they run on without gaps. */
static int extend_tree(pc_store_t *store, pc_merkle_t *tree, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT seq, leaf_hash FROM audit_log WHERE seq > ? ORDER BY seq", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, (int64_t)tree->size);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    int64_t seq = pc_stmt_column_int64(stmt, 0);
    size_t size = 0;
    const void *hash = pc_stmt_column_blob(stmt, 1, &size);
    if (seq != (int64_t)tree->size + 1 || size != PC_HASH_SIZE) {
      rc = pc_error_set(err, PC_EINTEGRITY, "audit log leaf %lld: expected seq %lld with a 32-byte hash",
                        (long long)seq, (long long)tree->size + 1);
      break;
    }
    pc_merkle_append(tree, hash);
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

static int insert_checkpoint(pc_store_t *store, const pc_audit_checkpoint_t *checkpoint, const pc_merkle_t *tree,
                             pc_error_t *err) {
  unsigned char frontier[64 * PC_HASH_SIZE];
  size_t frontier_length = 0;
  pc_merkle_frontier_save(tree, frontier, &frontier_length);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "INSERT INTO audit_checkpoints (tree_size, root_hash, frontier, signed_at, state_name,"
                            " key_id, signature) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, checkpoint->tree_size);
  pc_stmt_bind_blob(stmt, 2, checkpoint->root_hash, PC_HASH_SIZE);
  pc_stmt_bind_blob(stmt, 3, frontier, frontier_length);
  pc_stmt_bind_text(stmt, 4, checkpoint->signed_at);
  pc_stmt_bind_text(stmt, 5, checkpoint->state_name);
  pc_stmt_bind_text(stmt, 6, checkpoint->key_id);
  pc_stmt_bind_blob(stmt, 7, checkpoint->signature, PC_AUDIT_SIGNATURE_SIZE);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

/* Signs the tree in the open transaction. *HAVE_OUT says whether *OUT holds
 * a checkpoint and *CREATED whether it is new. */
static int checkpoint_locked(pc_store_t *store, const pc_audit_key_t *key, pc_audit_checkpoint_t *out, int *have_out,
                             int *created, pc_error_t *err) {
  pc_merkle_t tree;
  int rc = starting_tree(store, key, &tree, err);
  if (rc == 0) rc = extend_tree(store, &tree, err);
  if (rc != 0) return rc;
  pc_audit_checkpoint_t latest;
  pc_error_t ignored;
  int have_latest = pc_audit_checkpoint_latest(store, &latest, &ignored) == 0;
  if (tree.size == 0 || (have_latest && latest.tree_size >= (int64_t)tree.size)) {
    if (have_latest) *out = latest;
    *have_out = have_latest;
    return 0;
  }
  pc_audit_checkpoint_t checkpoint;
  memset(&checkpoint, 0, sizeof checkpoint);
  checkpoint.tree_size = (int64_t)tree.size;
  pc_merkle_root(&tree, checkpoint.root_hash);
  pc_clock_now_rfc3339(checkpoint.signed_at);
  pc_strlcpy(checkpoint.key_id, key->key_id, sizeof checkpoint.key_id);
  rc = pc_instance_setting_get(store, "state_name", checkpoint.state_name, sizeof checkpoint.state_name, err);
  if (rc != 0) return rc;
  if (strchr(checkpoint.state_name, '\n'))
    return pc_error_set(err, PC_EINVAL, "the state name contains a newline and cannot be signed");
  pc_buf_t text;
  pc_buf_init(&text, 4096);
  rc = pc_audit_checkpoint_text(&checkpoint, &text);
  if (rc == 0)
    crypto_sign_detached(checkpoint.signature, NULL, (const unsigned char *)text.data, text.len, key->secret_key);
  pc_buf_free(&text);
  if (rc == 0) rc = insert_checkpoint(store, &checkpoint, &tree, err);
  if (rc != 0) return rc;
  *created = 1;
  *have_out = 1;
  *out = checkpoint;
  return 0;
}

int pc_audit_checkpoint(pc_store_t *store, const pc_audit_key_t *key, pc_audit_checkpoint_t *out, int *created,
                        pc_error_t *err) {
  if (pc_store_in_transaction(store))
    return pc_error_set(err, PC_ESTATE, "audit checkpoints run in their own transaction");
  int wrote = 0, have = 0;
  pc_audit_checkpoint_t newest;
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  rc = checkpoint_locked(store, key, &newest, &have, &wrote, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  if (rc == 0 && created) *created = wrote;
  if (rc == 0 && have && out) *out = newest;
  return rc;
}

int pc_audit_checkpoint_instance(const pc_instance_t *instance, pc_store_t *store, pc_audit_checkpoint_t *out,
                                 int *created, pc_error_t *err) {
  pc_audit_key_t key;
  int rc = pc_audit_key_load(instance, &key, err);
  if (rc != 0) return rc;
  rc = pc_audit_checkpoint(store, &key, out, created, err);
  pc_audit_key_wipe(&key);
  return rc;
}
