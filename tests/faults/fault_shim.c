/* LD_PRELOAD fault injector for durability tests: makes write, pwrite,
 * pwrite64, writev, fsync and fdatasync fail on files whose path contains
 * PC_FAULT_PATH (default ".db"), from the PC_FAULT_AT-th such call on, for
 * PC_FAULT_COUNT calls (default 1; 0 = for ever), with errno PC_FAULT_ERRNO
 * (EIO or ENOSPC). PC_FAULT_CALLS picks the calls: "write" (all the write
 * family), "sync" (fsync, fdatasync) or "all". Calls on other files (stdout,
 * logs) pass through. Test-only: never linked into precinct. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long fault_at = -1, fault_count = 1, seen;
static int fault_errno = EIO, want_write = 1, want_sync = 1, configured;
static const char *fault_path = ".db";

static void configure(void) {
  if (configured) return;
  configured = 1;
  const char *at = getenv("PC_FAULT_AT");
  if (at) fault_at = strtol(at, NULL, 10);
  const char *count = getenv("PC_FAULT_COUNT");
  if (count) fault_count = strtol(count, NULL, 10);
  const char *code = getenv("PC_FAULT_ERRNO");
  if (code && strcmp(code, "ENOSPC") == 0) fault_errno = ENOSPC;
  const char *path = getenv("PC_FAULT_PATH");
  if (path && path[0]) fault_path = path;
  const char *calls = getenv("PC_FAULT_CALLS");
  if (calls && strcmp(calls, "write") == 0) want_sync = 0;
  if (calls && strcmp(calls, "sync") == 0) want_write = 0;
}

/* Whether this call on FD is the one (or one of those) to fail. */
static int should_fail(int fd, int is_sync) {
  configure();
  if (fault_at < 1 || (is_sync ? !want_sync : !want_write)) return 0;
  char link[64], target[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t length = readlink(link, target, sizeof target - 1);
  if (length <= 0) return 0;
  target[length] = '\0';
  if (strstr(target, fault_path) == NULL) return 0;
  long n = __atomic_add_fetch(&seen, 1, __ATOMIC_SEQ_CST);
  if (n < fault_at) return 0;
  if (fault_count > 0 && n >= fault_at + fault_count) return 0;
  fprintf(stderr, "fault_shim: failing %s #%ld on %s with %s\n", is_sync ? "sync" : "write", n, target,
          fault_errno == EIO ? "EIO" : "ENOSPC");
  errno = fault_errno;
  return 1;
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

ssize_t write(int fd, const void *buf, size_t count) {
  if (should_fail(fd, 0)) return -1;
  return REAL("write", ssize_t (*)(int, const void *, size_t))(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
  if (should_fail(fd, 0)) return -1;
  return REAL("pwrite", ssize_t (*)(int, const void *, size_t, off_t))(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset) {
  if (should_fail(fd, 0)) return -1;
  return REAL("pwrite64", ssize_t (*)(int, const void *, size_t, off64_t))(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
  if (should_fail(fd, 0)) return -1;
  return REAL("writev", ssize_t (*)(int, const struct iovec *, int))(fd, iov, iovcnt);
}

int fsync(int fd) {
  if (should_fail(fd, 1)) return -1;
  return REAL("fsync", int (*)(int))(fd);
}

int fdatasync(int fd) {
  if (should_fail(fd, 1)) return -1;
  return REAL("fdatasync", int (*)(int))(fd);
}
