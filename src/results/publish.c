/* Publications: the poll-closing gate, the two-admin rule (requests and
 * approvals as rows), and freezing a numbered snapshot (every file, a
 * manifest of SHA-256 hashes, an Ed25519 signature) whose "current" pointer
 * moves in the same transaction that inserts it. Rendering is in
 * render_*.c; reading and exporting snapshots in export.c. */
#include "precinct/sha256.h"
#include "snapshot.h"
#include "rcv.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/fileio.h"
#include "precinct/log.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int pc_results_publish_key(const char *key_path, unsigned char secret_key[64], unsigned char public_key[32],
                           pc_error_t *err) {
  char *data = NULL;
  size_t size = 0;
  struct stat st;
  if (stat(key_path, &st) != 0) {
    unsigned char pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    int rc = pc_file_write_durable(key_path, sk, sizeof sk, 0600, 1, err);
    sodium_memzero(sk, sizeof sk);
    if (rc != 0 && rc != PC_EEXIST) return rc; /* PC_EEXIST: another process made it first; read theirs */
    pc_log(PC_LOG_INFO, "created the publication key %s", key_path);
  }
  int rc = pc_file_read_all(key_path, 4096, &data, &size, err);
  if (rc != 0) return rc;
  if (size != 64) {
    sodium_memzero(data, size);
    free(data);
    return pc_error_set_at(err, PC_EINTEGRITY, key_path, 0, NULL, "publication key must be 64 bytes, found %zu", size);
  }
  memcpy(secret_key, data, 64);
  sodium_memzero(data, size);
  free(data);
  return crypto_sign_ed25519_sk_to_pk(public_key, secret_key) == 0 ? 0 : pc_error_set(err, PC_EINTERNAL, "bad key");
}

static int is_admin(const pc_actor_t *actor) {
  return actor->role && (strcmp(actor->role, "state_admin") == 0 || strcmp(actor->role, "operator") == 0);
}

/* What the two-admin rule and "unchanged" compare: every count (through the
 * per-contest hashes), reporting flag, ballots cast and registered voters,
 * the mode and which contests are certified. */
static void content_hash(const pc_results_t *r, char hex[65]) {
  const pc_election_model_t *m = &r->model;
  pc_sha256_t state;
  pc_sha256_init(&state);
  size_t precincts = m->precinct_count;
  pc_sha256_update(&state, r->reporting, precincts);
  pc_sha256_update(&state, r->ballots_cast, precincts * sizeof *r->ballots_cast);
  pc_sha256_update(&state, r->registered, precincts * sizeof *r->registered);
  for (size_t c = 0; c < m->contest_count; c++) pc_sha256_update(&state, r->contest_sha256[c], 64);
  pc_buf_t b;
  pc_buf_init(&b, 0);
  pc_buf_appendf(&b, "mode:%s\ncertified:", m->election.mode);
  for (size_t c = 0; c < m->contest_count; c++)
    if (m->contests[c].certified) pc_buf_appendf(&b, "%lld,", (long long)m->contests[c].id);
  pc_sha256_update(&state, b.data, b.len);
  pc_buf_free(&b);
  pc_sha256_final_hex(&state, hex);
}

typedef struct current {
  int64_t id, number;
  char mode[8], content[65], manifest[65];
} current_t;

static int read_current(pc_store_t *store, int64_t election, current_t *out, pc_error_t *err) {
  memset(out, 0, sizeof *out);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT p.id, p.number, p.mode, p.content_sha256, p.manifest_sha256 FROM results_current c"
                            " JOIN publications p ON p.id = c.publication_id WHERE c.election_id = ?",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, election);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    out->id = pc_stmt_column_int64(stmt, 0);
    out->number = pc_stmt_column_int64(stmt, 1);
    pc_strlcpy(out->mode, pc_stmt_column_text(stmt, 2), sizeof out->mode);
    pc_strlcpy(out->content, pc_stmt_column_text(stmt, 3), sizeof out->content);
    pc_strlcpy(out->manifest, pc_stmt_column_text(stmt, 4), sizeof out->manifest);
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_ROW || rc == PC_STORE_DONE ? 0 : rc;
}

static int64_t query_int(pc_store_t *store, const char *sql, int64_t a, const char *b, pc_error_t *err) {
  pc_stmt_t *stmt;
  if (pc_store_prepare(store, sql, &stmt, err) != 0) return -1;
  pc_stmt_bind_int64(stmt, 1, a);
  if (b) pc_stmt_bind_text(stmt, 2, b);
  int64_t value = pc_stmt_step(stmt, err) == PC_STORE_ROW ? pc_stmt_column_int64(stmt, 0) : -1;
  pc_stmt_finalize(stmt);
  return value;
}

/* Why this publication needs a second admin ("" when it does not). */
static int approval_reason(pc_store_t *store, const pc_results_t *r, const current_t *current, char *reason,
                           size_t size, pc_error_t *err) {
  reason[0] = '\0';
  const pc_election_model_t *m = &r->model;
  int64_t earlier = query_int(store, "SELECT COUNT(*) FROM publications WHERE election_id = ? AND mode = ?",
                              m->election.id, m->election.mode, err);
  if (earlier < 0) return PC_EDB;
  if (earlier == 0) {
    pc_snprintf(reason, size, "first %s publication of the election", m->election.mode);
    return 0;
  }
  for (size_t c = 0; c < m->contest_count; c++) {
    if (!m->contests[c].certified) continue;
    char hex[65];
    pc_results_contest_sha256(r, (int)c, hex);
    pc_stmt_t *stmt;
    int rc = pc_store_prepare(store,
                              "SELECT results_sha256 FROM publication_contests WHERE publication_id = ? AND contest_id = ?",
                              &stmt, err);
    if (rc != 0) return rc;
    pc_stmt_bind_int64(stmt, 1, current->id);
    pc_stmt_bind_int64(stmt, 2, m->contests[c].id);
    int same = pc_stmt_step(stmt, err) == PC_STORE_ROW && strcmp(pc_stmt_column_text(stmt, 0), hex) == 0;
    pc_stmt_finalize(stmt);
    if (!same) {
      pc_snprintf(reason, size, "changes certified contest \"%s\"", m->contests[c].name);
      return 0;
    }
  }
  return 0;
}

static void add_key_files(pc_snapshot_t *s, const unsigned char pk[32], const char *hex) {
  char line[80];
  pc_snprintf(line, sizeof line, "%s\n", hex);
  pc_snapshot_add(s, "publish_ed25519.pub", pc_xstrdup(line), strlen(line));
  /* SubjectPublicKeyInfo for Ed25519 (RFC 8410): fixed 12-byte prefix + key. */
  unsigned char der[44] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
  memcpy(der + 12, pk, 32);
  char b64[sodium_base64_ENCODED_LEN(44, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, der, sizeof der, sodium_base64_VARIANT_ORIGINAL);
  pc_buf_t pem;
  pc_buf_init(&pem, 0);
  pc_buf_appendf(&pem, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n", b64);
  pc_snapshot_add_buf(s, "publish_ed25519.pem", &pem);
}

static int insert_snapshot(pc_store_t *store, const pc_actor_t *actor, const pc_results_t *r,
                           const pc_snapshot_meta_t *meta, const pc_snapshot_t *s, const char *manifest_hex,
                           const char *signature_hex, int64_t approval, pc_error_t *err) {
  const pc_election_model_t *m = &r->model;
  pc_stmt_t *stmt;
  int64_t publication = 0;
  int rc = pc_store_prepare(store,
                            "INSERT INTO publications (election_id, number, mode, published_at, published_by, approval_id,"
                            " content_sha256, manifest_sha256, public_key, signature) VALUES (?, ?, ?, ?, ?, NULLIF(?, 0),"
                            " ?, ?, ?, ?) RETURNING id",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, m->election.id);
  pc_stmt_bind_int64(stmt, 2, meta->number);
  pc_stmt_bind_text(stmt, 3, m->election.mode);
  pc_stmt_bind_text(stmt, 4, meta->published_at);
  pc_stmt_bind_text(stmt, 5, actor->username ? actor->username : "unknown");
  pc_stmt_bind_int64(stmt, 6, approval);
  pc_stmt_bind_text(stmt, 7, meta->content_sha256);
  pc_stmt_bind_text(stmt, 8, manifest_hex);
  pc_stmt_bind_text(stmt, 9, meta->public_key_hex);
  pc_stmt_bind_text(stmt, 10, signature_hex);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) publication = pc_stmt_column_int64(stmt, 0), rc = 0;
  pc_stmt_finalize(stmt);
  if (rc == 0)
    rc = pc_store_prepare(store, "INSERT INTO publication_files (publication_id, name, sha256, content) VALUES (?, ?, ?, ?)",
                          &stmt, err);
  for (size_t i = 0; rc == 0 && i < s->count; i++) {
    pc_stmt_bind_int64(stmt, 1, publication);
    pc_stmt_bind_text(stmt, 2, s->files[i].name);
    pc_stmt_bind_text(stmt, 3, s->files[i].sha256);
    pc_stmt_bind_blob_nocopy(stmt, 4, s->files[i].data, s->files[i].size); /* S outlives the step */
    rc = pc_stmt_step(stmt, err) == PC_STORE_DONE ? 0 : PC_EDB;
    pc_stmt_reset(stmt);
  }
  if (rc == 0) pc_stmt_finalize(stmt);
  if (rc == 0)
    rc = pc_store_prepare(store, "INSERT INTO publication_contests (publication_id, contest_id, results_sha256) VALUES (?, ?, ?)",
                          &stmt, err);
  for (size_t c = 0; rc == 0 && c < m->contest_count; c++) {
    char hex[65];
    pc_results_contest_sha256(r, (int)c, hex);
    pc_stmt_bind_int64(stmt, 1, publication);
    pc_stmt_bind_int64(stmt, 2, m->contests[c].id);
    pc_stmt_bind_text(stmt, 3, hex);
    rc = pc_stmt_step(stmt, err) == PC_STORE_DONE ? 0 : PC_EDB;
    pc_stmt_reset(stmt);
  }
  if (rc == 0) pc_stmt_finalize(stmt);
  /* The pointer flip: readers in other transactions see the old row or the new. */
  if (rc == 0) rc = pc_store_prepare(store, "DELETE FROM results_current WHERE election_id = ?", &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, m->election.id);
    rc = pc_stmt_step(stmt, err) == PC_STORE_DONE ? 0 : PC_EDB;
    pc_stmt_finalize(stmt);
  }
  if (rc == 0) rc = pc_store_prepare(store, "INSERT INTO results_current (election_id, publication_id) VALUES (?, ?)", &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, m->election.id);
    pc_stmt_bind_int64(stmt, 2, publication);
    rc = pc_stmt_step(stmt, err) == PC_STORE_DONE ? 0 : PC_EDB;
    pc_stmt_finalize(stmt);
  }
  if (rc == 0) rc = pc_audit_record(store, actor, "results.publish", "publications", publication, NULL, NULL, err);
  return rc;
}

/* results.json is most of a publication's bytes: it is rendered and hashed
 * on a thread of its own while this one renders and hashes the rest. Both
 * only read R and META and write their own snapshot, so the files (and the
 * manifest, which sorts them) are the same as rendered one after the other. */
typedef struct json_job {
  const pc_results_t *r;
  const pc_snapshot_meta_t *meta;
  pc_snapshot_t files;
} json_job_t;

static void *render_json_job(void *arg) {
  json_job_t *job = arg;
  pc_results_render_json(job->r, job->meta, &job->files);
  pc_snapshot_hash(&job->files, 0);
  return NULL;
}

static void render_snapshot(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *s) {
  json_job_t job = {r, meta, {NULL, 0}};
  pthread_t thread;
  int threaded = pthread_create(&thread, NULL, render_json_job, &job) == 0;
  if (!threaded) render_json_job(&job); /* no thread to be had: the same work, in turn */
  pc_results_render_tables(r, meta, s);
  pc_results_render_html(r, meta, s);
  pc_snapshot_hash(s, 0);
  if (threaded) pthread_join(thread, NULL);
  pc_snapshot_take(s, &job.files);
}

/* Builds, signs and stores the snapshot of R. Runs inside the caller's transaction. */
static int freeze(pc_store_t *store, const char *key_path, const pc_actor_t *actor, const pc_results_t *r,
                  const char *content, int64_t approval, pc_results_publish_report_t *report,
                  pc_error_t *err) {
  unsigned char sk[64], pk[32];
  int rc = pc_results_publish_key(key_path, sk, pk, err);
  if (rc != 0) return rc;
  pc_snapshot_meta_t meta;
  memset(&meta, 0, sizeof meta);
  int64_t last = query_int(store, "SELECT COALESCE(MAX(number), 0) FROM publications WHERE election_id = ?",
                           r->model.election.id, NULL, err);
  if (last < 0) {
    sodium_memzero(sk, sizeof sk);
    return PC_EDB;
  }
  meta.number = last + 1;
  pc_clock_now_rfc3339(meta.published_at);
  pc_strlcpy(meta.status, pc_results_status(r), sizeof meta.status);
  pc_strlcpy(meta.content_sha256, content, sizeof meta.content_sha256);
  /* Chain to the newest earlier publication of the election, whatever its mode. */
  pc_stmt_t *stmt;
  rc = pc_store_prepare(store, "SELECT manifest_sha256 FROM publications WHERE election_id = ? ORDER BY number DESC LIMIT 1",
                        &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, r->model.election.id);
    if (pc_stmt_step(stmt, err) == PC_STORE_ROW)
      pc_strlcpy(meta.previous_manifest_sha256, pc_stmt_column_text(stmt, 0), sizeof meta.previous_manifest_sha256);
    pc_stmt_finalize(stmt);
  }
  sodium_bin2hex(meta.public_key_hex, sizeof meta.public_key_hex, pk, sizeof pk);
  pc_snapshot_t s;
  memset(&s, 0, sizeof s);
  render_snapshot(r, &meta, &s);
  rc = pc_results_render_rounds(store, r, &meta, &s, err); /* ranked-choice rounds: render_rounds.c */
  if (rc != 0) {
    sodium_memzero(sk, sizeof sk);
    pc_snapshot_free(&s);
    return rc;
  }
  add_key_files(&s, pk, meta.public_key_hex);
  pc_snapshot_hash(&s, 0);
  pc_snapshot_sort(&s);
  pc_buf_t manifest;
  pc_buf_init(&manifest, 0);
  pc_buf_appendf(&manifest, "# precinct publication manifest v1\n# election: %s\n# publication: %lld\n# mode: %s\n"
                            "# published-at: %s\n",
                 r->model.election.code, (long long)meta.number, r->model.election.mode, meta.published_at);
  for (size_t i = 0; i < s.count; i++) pc_buf_appendf(&manifest, "%s  %s\n", s.files[i].sha256, s.files[i].name);
  unsigned char signature[64];
  crypto_sign_detached(signature, NULL, (const unsigned char *)manifest.data, manifest.len, sk);
  sodium_memzero(sk, sizeof sk);
  char manifest_hex[65], signature_hex[129];
  pc_sha256_hex(manifest.data, manifest.len, manifest_hex);
  sodium_bin2hex(signature_hex, sizeof signature_hex, signature, sizeof signature);
  pc_snapshot_add_buf(&s, "manifest.txt", &manifest);
  pc_snapshot_add(&s, "manifest.sig", pc_xmemdup(signature, sizeof signature), sizeof signature);
  pc_snapshot_hash(&s, s.count - 2);
  rc = insert_snapshot(store, actor, r, &meta, &s, manifest_hex, signature_hex, approval, err);
  pc_snapshot_free(&s);
  if (rc == 0) {
    report->published = 1;
    report->number = meta.number;
    pc_strlcpy(report->manifest_sha256, manifest_hex, sizeof report->manifest_sha256);
  }
  return rc;
}

static int insert_request(pc_store_t *store, const pc_actor_t *actor, int64_t election, const char *content,
                          const char *reason, int64_t *id, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "INSERT INTO publication_approvals (election_id, content_sha256, reason, status, requested_by,"
                            " requested_at) VALUES (?, ?, ?, 'pending', ?, ?) RETURNING id",
                            &stmt, err);
  if (rc != 0) return rc;
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  pc_stmt_bind_int64(stmt, 1, election);
  pc_stmt_bind_text(stmt, 2, content);
  pc_stmt_bind_text(stmt, 3, reason);
  pc_stmt_bind_text(stmt, 4, actor->username ? actor->username : "unknown");
  pc_stmt_bind_text(stmt, 5, now);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) *id = pc_stmt_column_int64(stmt, 0), rc = 0;
  pc_stmt_finalize(stmt);
  if (rc == 0) rc = pc_audit_record(store, actor, "results.publish_request", "publication_approvals", *id, NULL, NULL, err);
  return rc;
}

/* Moves request ID to STATUS (audited); APPROVER records ACTOR as the approver. */
static int set_approval(pc_store_t *store, const pc_actor_t *actor, int64_t id, const char *status, int approver,
                        pc_error_t *err) {
  unsigned char before[PC_HASH_SIZE];
  int rc = pc_audit_row_hash(store, "publication_approvals", id, before, err);
  pc_stmt_t *stmt;
  if (rc == 0 && approver)
    rc = pc_store_prepare(store, "UPDATE publication_approvals SET status = ?, approved_by = ?, approved_at = ? WHERE id = ?",
                          &stmt, err);
  else if (rc == 0)
    rc = pc_store_prepare(store, "UPDATE publication_approvals SET status = ? WHERE id = ?", &stmt, err);
  if (rc == 0) {
    char now[PC_RFC3339_SIZE];
    pc_clock_now_rfc3339(now);
    pc_stmt_bind_text(stmt, 1, status);
    if (approver) {
      pc_stmt_bind_text(stmt, 2, actor->username ? actor->username : "unknown");
      pc_stmt_bind_text(stmt, 3, now);
      pc_stmt_bind_int64(stmt, 4, id);
    } else {
      pc_stmt_bind_int64(stmt, 2, id);
    }
    rc = pc_stmt_step(stmt, err) == PC_STORE_DONE ? 0 : PC_EDB;
    pc_stmt_finalize(stmt);
  }
  char action[64];
  pc_snprintf(action, sizeof action, "results.approval_%s", status);
  if (rc == 0) rc = pc_audit_record(store, actor, action, "publication_approvals", id, before, NULL, err);
  return rc;
}

/* Loads results and decides inside the open transaction. APPROVAL is 0 for a
 * plain publish, or the approved request being carried out. */
static int publish_locked(pc_store_t *store, const char *key_path, const pc_actor_t *actor, int64_t election_id,
                          int64_t approval, const char *approved_content, pc_results_publish_report_t *report,
                          pc_error_t *err) {
  pc_results_t r;
  int rc = pc_results_load(store, election_id, &r, err);
  if (rc != 0) return rc;
  const pc_election_t *e = &r.model.election;
  int64_t close_at = 0;
  if (!e->poll_close_at[0] || pc_clock_parse_rfc3339(e->poll_close_at, &close_at) != 0)
    rc = pc_error_set(err, PC_ESTATE, "election %s has no poll-closing time; set one before publishing", e->code);
  else if (pc_clock_now() < close_at)
    rc = pc_error_set(err, PC_ESTATE, "polls close at %s; nothing is published before then", e->poll_close_at);
  current_t current;
  char content[65];
  if (rc == 0) rc = read_current(store, e->id, &current, err);
  if (rc == 0) {
    content_hash(&r, content);
    pc_strlcpy(report->content_sha256, content, sizeof report->content_sha256);
  }
  if (rc == 0 && approved_content && strcmp(approved_content, content) != 0) {
    rc = pc_error_set(err, PC_ECONFLICT, "the results changed since approval request %lld was made; publish again to "
                                         "request a new approval", (long long)approval);
  } else if (rc == 0 && current.id && strcmp(current.content, content) == 0 && strcmp(current.mode, e->mode) == 0) {
    report->unchanged = 1;
    report->number = current.number;
    pc_strlcpy(report->manifest_sha256, current.manifest, sizeof report->manifest_sha256);
  } else if (rc == 0) {
    char reason[160];
    rc = approval_reason(store, &r, &current, reason, sizeof reason, err);
    if (rc == 0 && reason[0] && !approval) {
      pc_strlcpy(report->reason, reason, sizeof report->reason);
      int64_t pending = query_int(store,
                                  "SELECT COALESCE(MAX(id), 0) FROM publication_approvals WHERE election_id = ? AND"
                                  " status = 'pending' AND content_sha256 = ?",
                                  e->id, content, err);
      if (pending > 0) report->approval_id = pending;
      else rc = insert_request(store, actor, e->id, content, reason, &report->approval_id, err);
    } else if (rc == 0) {
      pc_strlcpy(report->reason, reason, sizeof report->reason);
      rc = freeze(store, key_path, actor, &r, content, approval, report, err);
      if (rc == 0 && approval) rc = set_approval(store, actor, approval, "published", 0, err);
    }
  }
  pc_results_free(&r);
  return rc;
}

int pc_results_publish(pc_store_t *store, const char *key_path, const pc_actor_t *actor, int64_t election_id,
                       pc_results_publish_report_t *report, pc_error_t *err) {
  if (!is_admin(actor)) return pc_error_set(err, PC_EPERM, "only a state admin may publish results");
  pc_results_publish_report_t out;
  memset(&out, 0, sizeof out);
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  rc = publish_locked(store, key_path, actor, election_id, 0, NULL, &out, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  if (rc == 0) *report = out;
  if (rc == 0) pc_results_cache_bump();
  return rc;
}

int pc_results_approve(pc_store_t *store, const char *key_path, const pc_actor_t *actor, int64_t approval_id,
                       pc_results_publish_report_t *report, pc_error_t *err) {
  if (!is_admin(actor)) return pc_error_set(err, PC_EPERM, "only a state admin may approve a publication");
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  pc_stmt_t *stmt;
  int64_t election = 0;
  char content[65] = "", requester[160] = "", status[16] = "";
  rc = pc_store_prepare(store,
                        "SELECT election_id, content_sha256, requested_by, status FROM publication_approvals WHERE id = ?",
                        &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, approval_id);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) {
      election = pc_stmt_column_int64(stmt, 0);
      pc_strlcpy(content, pc_stmt_column_text(stmt, 1), sizeof content);
      pc_strlcpy(requester, pc_stmt_column_text(stmt, 2), sizeof requester);
      pc_strlcpy(status, pc_stmt_column_text(stmt, 3), sizeof status);
      rc = 0;
    } else if (rc == PC_STORE_DONE) {
      rc = pc_error_set(err, PC_ENOTFOUND, "no publication request %lld", (long long)approval_id);
    }
    pc_stmt_finalize(stmt);
  }
  if (rc == 0 && strcmp(status, "pending") != 0)
    rc = pc_error_set(err, PC_ESTATE, "publication request %lld is %s, not pending", (long long)approval_id, status);
  if (rc == 0 && strcmp(requester, actor->username ? actor->username : "") == 0)
    rc = pc_error_set(err, PC_EPERM, "%s requested publication %lld; a different admin must approve it", requester,
                      (long long)approval_id);
  pc_results_publish_report_t out;
  memset(&out, 0, sizeof out);
  if (rc == 0) rc = set_approval(store, actor, approval_id, "approved", 1, err);
  if (rc == 0) rc = publish_locked(store, key_path, actor, election, approval_id, content, &out, err);
  if (rc == 0) {
    out.approval_id = approval_id;
    rc = pc_store_commit(store, err);
    if (rc == 0) *report = out;
    if (rc == 0) pc_results_cache_bump();
    return rc;
  }
  if (rc == PC_ECONFLICT) {
    /* Mark the request stale in a transaction of its own: the approval is not kept. */
    pc_error_t keep = err ? *err : (pc_error_t){0};
    pc_store_rollback(store);
    if (pc_store_begin(store, NULL) == 0) {
      if (set_approval(store, actor, approval_id, "stale", 0, NULL) == 0) pc_store_commit(store, NULL);
      else pc_store_rollback(store);
    }
    if (err) *err = keep;
    return PC_ECONFLICT;
  }
  pc_store_rollback(store);
  return rc;
}
