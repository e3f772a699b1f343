/* Reading publications back: one file of the current snapshot (for the
 * server), the static site export with its atomic symlink flip, and the
 * offline verification of an exported directory (hashes, no extra files,
 * Ed25519 signature of manifest.txt). */
#include "precinct/sha256.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/fileio.h"
#include "precinct/results.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_MAX ((size_t)16 * 1024 * 1024)

/* Names in a publication are relative paths of [A-Za-z0-9._-] segments,
 * never "." or "..": nothing read from a database or a manifest may write or
 * read outside the directory. */
static int safe_name(const char *name) {
  if (!name[0] || name[0] == '/' || strlen(name) > 200) return 0;
  const char *segment = name;
  for (const char *p = name;; p++) {
    if (*p == '/' || *p == '\0') {
      size_t length = (size_t)(p - segment);
      if (length == 0 || (length == 1 && segment[0] == '.') || (length == 2 && segment[0] == '.' && segment[1] == '.'))
        return 0;
      if (*p == '\0') return 1;
      segment = p + 1;
    } else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
                 *p == '_' || *p == '-')) {
      return 0;
    }
  }
}

int pc_results_current_file(pc_store_t *store, int64_t election_id, const char *name, char **data, size_t *size,
                            int64_t *number, pc_error_t *err) {
  int rc = pc_store_begin_read(store, err);
  if (rc != 0) return rc;
  pc_stmt_t *stmt;
  rc = pc_store_prepare(store,
                        "SELECT f.content, p.number FROM results_current c JOIN publications p ON p.id = c.publication_id"
                        " JOIN publication_files f ON f.publication_id = p.id AND f.name = ?"
                        " WHERE c.election_id = (CASE WHEN ? = 0 THEN (SELECT MAX(election_id) FROM results_current)"
                        " ELSE ? END)",
                        &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_text(stmt, 1, name);
    pc_stmt_bind_int64(stmt, 2, election_id);
    pc_stmt_bind_int64(stmt, 3, election_id);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) {
      size_t length = 0;
      const void *blob = pc_stmt_column_blob(stmt, 0, &length);
      char *copy = pc_xmalloc(length + 1);
      if (length) memcpy(copy, blob, length);
      copy[length] = '\0';
      *data = copy;
      *size = length;
      if (number) *number = pc_stmt_column_int64(stmt, 1);
      rc = 0;
    } else if (rc == PC_STORE_DONE) {
      rc = pc_error_set(err, PC_ENOTFOUND, "no current publication file \"%s\"", name);
    }
    pc_stmt_finalize(stmt);
  }
  pc_store_rollback(store); /* ends the read transaction */
  return rc;
}

static int write_file_synced(const char *path, const void *data, size_t size, pc_error_t *err) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot create: %s", strerror(errno));
  const char *p = data;
  size_t left = size;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return pc_error_set_at(err, PC_EIO, path, 0, NULL, "write failed: %s", strerror(errno));
    }
    p += n;
    left -= (size_t)n;
  }
  if (fsync(fd) != 0 || close(fd) != 0) return pc_error_set_at(err, PC_EIO, path, 0, NULL, "fsync failed: %s", strerror(errno));
  return 0;
}

static int sync_dir(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return PC_EIO;
  int rc = fsync(fd) == 0 ? 0 : PC_EIO;
  close(fd);
  return rc;
}

/* Writes one snapshot file under DIR, creating its subdirectory. */
static int write_entry(const char *dir, const char *name, const void *data, size_t size, pc_error_t *err) {
  if (!safe_name(name)) return pc_error_set(err, PC_EINTEGRITY, "publication holds an unsafe file name \"%s\"", name);
  char path[2048];
  if (pc_snprintf(path, sizeof path, "%s/%s", dir, name) != 0) return pc_error_set(err, PC_ELIMIT, "path too long");
  for (char *slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
    *slash = '\0';
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
      pc_error_set_at(err, PC_EIO, path, 0, NULL, "mkdir failed: %s", strerror(errno));
      *slash = '/';
      return PC_EIO;
    }
    *slash = '/';
  }
  return write_file_synced(path, data, size, err);
}

static int sync_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return PC_EIO;
  struct dirent *entry;
  int rc = 0;
  while (rc == 0 && (entry = readdir(d)) != NULL) {
    if (entry->d_name[0] == '.') continue;
    char path[2048];
    pc_snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) rc = sync_tree(path);
  }
  closedir(d);
  return rc == 0 ? sync_dir(dir) : rc;
}

/* Writes publication PUBLICATION's files into the new directory DIR. */
static int write_snapshot(pc_store_t *store, int64_t publication, const char *dir, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT name, content FROM publication_files WHERE publication_id = ? ORDER BY name",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, publication);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    size_t size = 0;
    const void *blob = pc_stmt_column_blob(stmt, 1, &size);
    rc = write_entry(dir, pc_stmt_column_text(stmt, 0), blob ? blob : "", size, err);
    if (rc != 0) break;
  }
  pc_stmt_finalize(stmt);
  if (rc == PC_STORE_DONE) rc = sync_tree(dir) == 0 ? 0 : pc_error_set_at(err, PC_EIO, dir, 0, NULL, "fsync failed");
  return rc;
}

/* Points the symlink OUT at TARGET_NAME (a sibling) by renaming a new link over it. */
static int flip_symlink(const char *out, const char *target_name, pc_error_t *err) {
  char link_tmp[2048];
  unsigned char random_bytes[6];
  char suffix[13];
  randombytes_buf(random_bytes, sizeof random_bytes);
  sodium_bin2hex(suffix, sizeof suffix, random_bytes, sizeof random_bytes);
  if (pc_snprintf(link_tmp, sizeof link_tmp, "%s.tmp-%s", out, suffix) != 0) return pc_error_set(err, PC_ELIMIT, "path too long");
  if (symlink(target_name, link_tmp) != 0)
    return pc_error_set_at(err, PC_EIO, link_tmp, 0, NULL, "symlink failed: %s", strerror(errno));
  if (rename(link_tmp, out) != 0) {
    int saved = errno;
    unlink(link_tmp);
    return pc_error_set_at(err, PC_EIO, out, 0, NULL, "rename failed: %s", strerror(saved));
  }
  return pc_file_sync_parent(out) == 0 ? 0 : pc_error_set_at(err, PC_EIO, out, 0, NULL, "fsync of the directory failed");
}

int pc_results_export_static(pc_store_t *store, int64_t election_id, const char *out_path, int64_t *number,
                             pc_error_t *err) {
  struct stat st;
  if (lstat(out_path, &st) == 0 && !S_ISLNK(st.st_mode))
    return pc_error_set_at(err, PC_EEXIST, out_path, 0, NULL,
                           "exists and is not a symlink; precinct publishes OUT as a symlink to OUT.vN (move it away)");
  int rc = pc_store_begin_read(store, err);
  if (rc != 0) return rc;
  pc_stmt_t *stmt;
  int64_t publication = 0, pub_number = 0;
  rc = pc_store_prepare(store,
                        "SELECT p.id, p.number FROM results_current c JOIN publications p ON p.id = c.publication_id"
                        " WHERE c.election_id = (CASE WHEN ? = 0 THEN (SELECT MAX(id) FROM elections) ELSE ? END)",
                        &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, election_id);
    pc_stmt_bind_int64(stmt, 2, election_id);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) publication = pc_stmt_column_int64(stmt, 0), pub_number = pc_stmt_column_int64(stmt, 1), rc = 0;
    else if (rc == PC_STORE_DONE) rc = pc_error_set(err, PC_ENOTFOUND, "nothing is published yet (run `precinct results publish`)");
    pc_stmt_finalize(stmt);
  }
  char target[2048], tmp[2048];
  if (rc == 0 && (pc_snprintf(target, sizeof target, "%s.v%lld", out_path, (long long)pub_number) != 0 ||
                  pc_snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", target) != 0))
    rc = pc_error_set(err, PC_ELIMIT, "output path too long");
  int reuse = 0;
  if (rc == 0 && lstat(target, &st) == 0) {
    /* Exported before: keep it if it is intact, refuse otherwise. */
    pc_error_t verify_err;
    if (pc_results_verify_dir(target, NULL, NULL, &verify_err) == 0) reuse = 1;
    else rc = pc_error_set_at(err, PC_EEXIST, target, 0, NULL, "exists but does not verify (%s); remove it", verify_err.message);
  }
  if (rc == 0 && !reuse) {
    if (!mkdtemp(tmp)) rc = pc_error_set_at(err, PC_EIO, tmp, 0, NULL, "mkdtemp failed: %s", strerror(errno));
    else {
      chmod(tmp, 0755);
      rc = write_snapshot(store, publication, tmp, err);
      if (rc == 0 && rename(tmp, target) != 0)
        rc = pc_error_set_at(err, PC_EIO, target, 0, NULL, "rename failed: %s", strerror(errno));
      if (rc == 0 && pc_file_sync_parent(target) != 0) rc = pc_error_set_at(err, PC_EIO, target, 0, NULL, "fsync failed");
    }
  }
  pc_store_rollback(store); /* ends the read transaction */
  if (rc == 0) {
    const char *base = strrchr(target, '/');
    rc = flip_symlink(out_path, base ? base + 1 : target, err);
  }
  if (rc == 0 && number) *number = pub_number;
  return rc;
}

/* ---- verification ---------------------------------------------------- */

static int hash_file(const char *path, char hex[65]) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return PC_EIO;
  pc_sha256_t state;
  pc_sha256_init(&state);
  unsigned char chunk[65536];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0) pc_sha256_update(&state, chunk, (size_t)n);
  close(fd);
  if (n < 0) return PC_EIO;
  pc_sha256_final_hex(&state, hex);
  return 0;
}

static int compare_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct listing {
  char **names;
  size_t count;
} listing_t;

/* Reports every regular file under DIR/PREFIX that is not in LISTED. */
static long find_unlisted(const char *dir, const char *prefix, const listing_t *listed, pc_buf_t *problems) {
  char path[2048];
  pc_snprintf(path, sizeof path, "%s%s%s", dir, prefix[0] ? "/" : "", prefix);
  DIR *d = opendir(path);
  if (!d) return 1;
  long extra = 0;
  struct dirent *entry;
  while ((entry = readdir(d)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    char name[1024], full[3072];
    pc_snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "/" : "", entry->d_name);
    pc_snprintf(full, sizeof full, "%s/%s", dir, name);
    struct stat st;
    if (lstat(full, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      extra += find_unlisted(dir, name, listed, problems);
      continue;
    }
    const char *key = name;
    if (strcmp(name, "manifest.txt") == 0 || strcmp(name, "manifest.sig") == 0) continue;
    if (!bsearch(&key, listed->names, listed->count, sizeof *listed->names, compare_names)) {
      if (problems) pc_buf_appendf(problems, "%s: not listed in the manifest\n", name);
      extra++;
    }
  }
  closedir(d);
  return extra;
}

static int read_public_key(const char *dir, const char *hex, unsigned char pk[32], pc_buf_t *problems) {
  char *data = NULL;
  size_t size = 0;
  char path[2048];
  if (!hex) {
    pc_snprintf(path, sizeof path, "%s/publish_ed25519.pub", dir);
    if (pc_file_read_all(path, 1024, &data, &size, NULL) != 0) {
      if (problems) pc_buf_append_str(problems, "publish_ed25519.pub: missing (give the key with --key)\n");
      return PC_EINTEGRITY;
    }
    hex = data;
  }
  size_t length = 0;
  int rc = sodium_hex2bin(pk, 32, hex, strlen(hex), " \r\n", &length, NULL) == 0 && length == 32 ? 0 : PC_EINTEGRITY;
  if (rc != 0 && problems) pc_buf_append_str(problems, "public key: not 32 bytes of hex\n");
  free(data);
  return rc;
}

int pc_results_verify_dir(const char *dir, const char *public_key_hex, pc_buf_t *problems, pc_error_t *err) {
  char path[2048];
  char *manifest = NULL, *signature = NULL;
  size_t manifest_size = 0, signature_size = 0;
  pc_snprintf(path, sizeof path, "%s/manifest.txt", dir);
  int rc = pc_file_read_all(path, MANIFEST_MAX, &manifest, &manifest_size, err);
  if (rc != 0) return rc;
  pc_snprintf(path, sizeof path, "%s/manifest.sig", dir);
  rc = pc_file_read_all(path, 1024, &signature, &signature_size, err);
  if (rc != 0) {
    free(manifest);
    return rc;
  }
  long bad = 0;
  unsigned char pk[32];
  if (read_public_key(dir, public_key_hex, pk, problems) != 0) bad++;
  else if (signature_size != 64 ||
           crypto_sign_verify_detached((const unsigned char *)signature, (const unsigned char *)manifest, manifest_size, pk) != 0) {
    bad++;
    if (problems) pc_buf_append_str(problems, "manifest.sig: not a valid Ed25519 signature of manifest.txt under the key\n");
  }
  listing_t listed = {NULL, 0};
  long line_number = 0;
  for (char *line = manifest, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    line_number++;
    if (line[0] == '#' || line[0] == '\0') continue;
    char *name = line + 66;
    if (strlen(line) < 67 || line[64] != ' ' || line[65] != ' ' || strspn(line, "0123456789abcdef") != 64 ||
        !safe_name(name)) {
      bad++;
      if (problems) pc_buf_appendf(problems, "manifest.txt:%ld: malformed line\n", line_number);
      continue;
    }
    listed.names = pc_xreallocarray(listed.names, listed.count + 1, sizeof *listed.names);
    listed.names[listed.count++] = name;
    char actual[65];
    pc_snprintf(path, sizeof path, "%s/%s", dir, name);
    if (hash_file(path, actual) != 0) {
      bad++;
      if (problems) pc_buf_appendf(problems, "%s: missing or unreadable\n", name);
    } else if (memcmp(actual, line, 64) != 0) {
      bad++;
      if (problems) pc_buf_appendf(problems, "%s: SHA-256 %s does not match the manifest\n", name, actual);
    }
  }
  qsort(listed.names, listed.count, sizeof *listed.names, compare_names);
  bad += find_unlisted(dir, "", &listed, problems);
  if (listed.count == 0) {
    bad++;
    if (problems) pc_buf_append_str(problems, "manifest.txt: lists no files\n");
  }
  free(listed.names);
  free(manifest);
  free(signature);
  if (bad) return pc_error_set_at(err, PC_EINTEGRITY, dir, 0, NULL, "%ld problem(s): the publication does not verify", bad);
  return 0;
}
