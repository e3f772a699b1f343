/* Durable writes (write beside, fsync, rename, fsync directory) and bounded
 * whole-file reads. */
#include "precinct/fileio.h"
#include "precinct/alloc.h"
#include "precinct/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pc_file_sync_parent(const char *path) {
  char *dir = pc_xstrdup(path);
  char *slash = strrchr(dir, '/');
  if (slash == dir) slash[1] = '\0';
  else if (slash) *slash = '\0';
  else pc_strlcpy(dir, ".", 2);
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  free(dir);
  if (fd < 0) return PC_EIO;
  int rc = fsync(fd);
  close(fd);
  return rc == 0 ? 0 : PC_EIO;
}

static int write_all(int fd, const void *data, size_t size) {
  const char *p = data;
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    size -= (size_t)n;
  }
  return 0;
}

int pc_file_write_durable(const char *path, const void *data, size_t size, int mode, int exclusive,
                          pc_error_t *err) {
  struct stat st;
  if (exclusive && lstat(path, &st) == 0)
    return pc_error_set_at(err, PC_EEXIST, path, 0, NULL, "file exists");
  char temp[4200];
  if (pc_snprintf(temp, sizeof temp, "%s.tmp.%ld", path, (long)getpid()) != 0)
    return pc_error_set_at(err, PC_ELIMIT, path, 0, NULL, "path too long");
  int fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return pc_error_set_at(err, PC_EIO, temp, 0, NULL, "cannot create: %s", strerror(errno));
  int ok = write_all(fd, data, size) == 0 && fchmod(fd, (mode_t)mode) == 0 && fsync(fd) == 0;
  int saved = errno;
  if (close(fd) != 0 && ok) {
    ok = 0;
    saved = errno;
  }
  if (!ok) {
    unlink(temp);
    return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot write: %s", strerror(saved));
  }
  if (exclusive) {
    /* link() fails if PATH appeared meanwhile, keeping the exclusive promise. */
    if (link(temp, path) != 0) {
      saved = errno;
      unlink(temp);
      return pc_error_set_at(err, saved == EEXIST ? PC_EEXIST : PC_EIO, path, 0, NULL, "cannot create: %s",
                             strerror(saved));
    }
    unlink(temp);
  } else if (rename(temp, path) != 0) {
    saved = errno;
    unlink(temp);
    return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot rename into place: %s", strerror(saved));
  }
  if (pc_file_sync_parent(path) != 0)
    return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot sync directory: %s", strerror(errno));
  return 0;
}

int pc_file_read_all(const char *path, size_t max_size, char **data, size_t *size, pc_error_t *err) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return pc_error_set_at(err, errno == ENOENT ? PC_ENOTFOUND : PC_EIO, path, 0, NULL, "cannot open: %s",
                           strerror(errno));
  pc_buf_t buf;
  pc_buf_init(&buf, max_size);
  char chunk[65536];
  size_t n;
  int rc = 0;
  while ((n = fread(chunk, 1, sizeof chunk, file)) > 0) {
    if (pc_buf_append(&buf, chunk, n) != 0) {
      rc = pc_error_set_at(err, PC_ELIMIT, path, 0, NULL, "file is larger than the %zu-byte limit", max_size);
      break;
    }
  }
  if (rc == 0 && ferror(file)) rc = pc_error_set_at(err, PC_EIO, path, 0, NULL, "read error: %s", strerror(errno));
  fclose(file);
  if (rc != 0) {
    pc_buf_free(&buf);
    return rc;
  }
  *data = pc_buf_detach(&buf, size);
  return 0;
}
