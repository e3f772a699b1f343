/* JSON-lines logging. Ordinary lines are built with jansson and written at
 * once with one write(2) under the write lock, so lines never interleave.
 * HTTP access lines have their own allocation-free encoder and, while
 * buffering is on, per-thread buffers written whole (see
 * docs/internals/core.md "Access log"). This file does not rotate logs. */
#include "precinct/log.h"
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/error.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int min_level = PC_LOG_INFO;
static FILE *log_stream = NULL;
/* Held for every write to the log; the only lock around log output. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char request_id[64];

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void pc_log_configure(pc_log_level_t level, FILE *stream) {
  pthread_mutex_lock(&write_lock);
  atomic_store(&min_level, (int)level);
  log_stream = stream;
  pthread_mutex_unlock(&write_lock);
}

int pc_log_level_parse(const char *name, pc_log_level_t *out) {
  for (int i = 0; i <= PC_LOG_OFF; i++) {
    if (strcmp(name, level_names[i]) == 0) {
      *out = (pc_log_level_t)i;
      return 0;
    }
  }
  return PC_EINVAL;
}

pc_log_level_t pc_log_level(void) {
  return (pc_log_level_t)atomic_load_explicit(&min_level, memory_order_relaxed);
}

void pc_log_set_request_id(const char *id) {
  pc_strlcpy(request_id, id ? id : "", sizeof request_id);
}

const char *pc_log_request_id(void) {
  return request_id;
}

/* Writes whole lines to the log; the caller holds write_lock. A stream
 * without a descriptor (a memory stream) goes through stdio. Lines that
 * cannot be written (disk full, closed pipe) are dropped: the log must never
 * stop the server. */
static void write_locked(const char *data, size_t size) {
  FILE *out = log_stream ? log_stream : stderr;
  int fd = fileno(out);
  if (fd < 0) {
    fwrite(data, 1, size, out);
    fflush(out);
    return;
  }
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= (size_t)n;
  }
}

void pc_log_fields(pc_log_level_t level, const char *msg, json_t *fields) {
  if ((int)level < atomic_load(&min_level) || level >= PC_LOG_OFF) {
    json_decref(fields);
    return;
  }
  char ts[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(ts);
  json_t *line = json_object();
  json_object_set_new(line, "ts", json_string(ts));
  json_object_set_new(line, "level", json_string(level_names[level]));
  json_object_set_new(line, "msg", json_string(msg ? msg : ""));
  if (request_id[0]) json_object_set_new(line, "request_id", json_string(request_id));
  if (fields && json_is_object(fields)) json_object_update_missing(line, fields);
  json_decref(fields);
  char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
  json_decref(line);
  if (text == NULL) return;
  size_t size = strlen(text);
  text[size] = '\n'; /* replaces the NUL: the length is known */
  pthread_mutex_lock(&write_lock);
  write_locked(text, size + 1);
  pthread_mutex_unlock(&write_lock);
  free(text);
}

void pc_log(pc_log_level_t level, const char *fmt, ...) {
  if ((int)level < atomic_load(&min_level) || level >= PC_LOG_OFF) return;
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  pc_log_fields(level, msg, NULL);
}

/* ---- The access line encoder ---- */

/* Length of the valid UTF-8 sequence at P (at most LEFT bytes), or 0 when
 * it is not one: jansson's rules (no overlong forms, no surrogates, nothing
 * past U+10FFFF). */
static size_t utf8_sequence(const unsigned char *p, size_t left) {
  unsigned char c = p[0];
  size_t size;
  uint32_t value;
  if (c < 0x80) return 1;
  if (c < 0xC2) return 0;
  if (c < 0xE0) size = 2, value = c & 0x1F;
  else if (c < 0xF0) size = 3, value = c & 0x0F;
  else if (c < 0xF5) size = 4, value = c & 0x07;
  else return 0;
  if (size > left) return 0;
  for (size_t i = 1; i < size; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    value = (value << 6) | (p[i] & 0x3F);
  }
  if ((size == 3 && value < 0x800) || (size == 4 && value < 0x10000) || value > 0x10FFFF ||
      (value >= 0xD800 && value <= 0xDFFF))
    return 0;
  return size;
}

/* Appends TEXT as a JSON string body (no quotes) at OUT, writing at most
 * BUDGET bytes; stops before a character that does not fit and sets
 * *CUT. Escapes as jansson does (", \, control characters; '/' and non-ASCII
 * as they are); each byte of invalid UTF-8 becomes \uFFFD. Returns the
 * number of bytes written. */
static size_t escape_json(const char *text, char *out, size_t budget, int *cut) {
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *p = (const unsigned char *)text;
  size_t used = 0;
  *cut = 0;
  size_t left = strlen(text);
  while (left > 0) {
    char escape[8];
    const char *piece = escape;
    size_t piece_size, consumed = 1;
    unsigned char c = *p;
    if (c == '"' || c == '\\') {
      escape[0] = '\\', escape[1] = (char)c, piece_size = 2;
    } else if (c < 0x20) {
      static const char short_forms[] = "btnvfr";
      if (c >= '\b' && c <= '\r' && c != '\v') {
        escape[0] = '\\', escape[1] = short_forms[c - '\b'], piece_size = 2;
      } else {
        memcpy(escape, "\\u00", 4);
        escape[4] = hex[c >> 4], escape[5] = hex[c & 15], piece_size = 6;
      }
    } else if (c < 0x80) {
      piece = (const char *)p, piece_size = 1;
    } else if ((consumed = utf8_sequence(p, left)) != 0) {
      piece = (const char *)p, piece_size = consumed;
    } else {
      consumed = 1, piece = "\\uFFFD", piece_size = 6;
    }
    if (used + piece_size > budget) {
      *cut = 1;
      break;
    }
    memcpy(out + used, piece, piece_size);
    used += piece_size;
    p += consumed;
    left -= consumed;
  }
  return used;
}

static size_t put(char *out, const char *text) {
  size_t n = strlen(text);
  memcpy(out, text, n);
  return n;
}

/* Writes VALUE in decimal; returns the number of bytes. */
static size_t put_int(char *out, long long value) {
  char digits[24];
  size_t n = 0;
  unsigned long long v = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v > 0);
  size_t used = 0;
  if (value < 0) out[used++] = '-';
  while (n > 0) out[used++] = digits[--n];
  return used;
}

/* Microseconds as milliseconds the way jansson prints the real it replaced:
 * 1234 -> 1.234, 50 -> 0.05, 2000 -> 2.0. */
static size_t put_milliseconds(char *out, long long microseconds) {
  if (microseconds < 0) microseconds = 0;
  size_t used = put_int(out, microseconds / 1000);
  int fraction = (int)(microseconds % 1000);
  out[used++] = '.';
  out[used++] = (char)('0' + fraction / 100);
  if (fraction % 100) out[used++] = (char)('0' + fraction / 10 % 10);
  if (fraction % 10) out[used++] = (char)('0' + fraction % 10);
  return used;
}

size_t pc_log_access_encode(const pc_log_access_t *line, const char *ts, char *out) {
  /* Every field but the path is capped short (a request id is 32 bytes, a
   * method at most 15), so with the path's cap the line always fits. */
  enum { SHORT_FIELD_MAX = 192 };
  int cut;
  size_t used = put(out, "{\"ts\":\"");
  used += escape_json(ts, out + used, 40, &cut);
  used += put(out + used, "\",\"level\":\"info\",\"msg\":\"request\"");
  if (line->request_id && line->request_id[0]) {
    used += put(out + used, ",\"request_id\":\"");
    used += escape_json(line->request_id, out + used, SHORT_FIELD_MAX, &cut);
    out[used++] = '"';
  }
  used += put(out + used, ",\"method\":\"");
  used += escape_json(line->method && line->method[0] ? line->method : "-", out + used, SHORT_FIELD_MAX, &cut);
  used += put(out + used, "\",\"path\":\"");
  int path_cut;
  used += escape_json(line->path ? line->path : "", out + used, PC_LOG_ACCESS_PATH_MAX, &path_cut);
  used += put(out + used, "\",\"status\":");
  used += put_int(out + used, line->status);
  used += put(out + used, ",\"bytes\":");
  used += put_int(out + used, line->bytes);
  used += put(out + used, ",\"duration_ms\":");
  used += put_milliseconds(out + used, line->duration_us);
  if (line->terminated) {
    used += put(out + used, ",\"terminated\":");
    used += put_int(out + used, line->terminated);
  }
  if (path_cut) used += put(out + used, ",\"path_truncated\":true");
  out[used++] = '}';
  out[used++] = '\n';
  assert(used <= PC_LOG_ACCESS_LINE_MAX);
  return used;
}

/* ---- Per-thread access buffers ---- */

/* A thread's unwritten access lines. Its owner appends under LOCK; the
 * flusher thread and pc_log_access_stop write it out under LOCK too. */
typedef struct access_buffer {
  pthread_mutex_t lock;
  char *data;
  size_t len, capacity;
  int64_t oldest_ms; /* monotonic time the oldest unwritten line was added */
  int owned;         /* a live thread uses it (changed under registry_lock) */
  struct access_buffer *next;
} access_buffer_t;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static access_buffer_t *buffers = NULL; /* never freed: threads may outlive a stop */
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t buffer_key;
static _Thread_local access_buffer_t *my_buffer = NULL;

static atomic_int buffering = 0;
static atomic_size_t buffer_bytes = 0;
static atomic_int flush_ms = 0;
static pthread_t flusher;
static pthread_mutex_t flusher_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flusher_wake;
static int flusher_running = 0, flusher_stop = 0;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes BUFFER's lines; the caller holds its lock. */
static void flush_locked(access_buffer_t *buffer) {
  if (buffer->len == 0) return;
  pthread_mutex_lock(&write_lock);
  write_locked(buffer->data, buffer->len);
  pthread_mutex_unlock(&write_lock);
  buffer->len = 0;
}

/* Thread exit: the lines go out and the buffer is free for another thread. */
static void release_buffer(void *value) {
  access_buffer_t *buffer = value;
  pthread_mutex_lock(&buffer->lock);
  flush_locked(buffer);
  pthread_mutex_unlock(&buffer->lock);
  pthread_mutex_lock(&registry_lock);
  buffer->owned = 0;
  pthread_mutex_unlock(&registry_lock);
}

static void create_key(void) {
  pthread_key_create(&buffer_key, release_buffer);
}

static access_buffer_t *acquire_buffer(void) {
  pthread_once(&key_once, create_key);
  pthread_mutex_lock(&registry_lock);
  access_buffer_t *buffer = buffers;
  while (buffer && buffer->owned) buffer = buffer->next;
  if (buffer == NULL) {
    buffer = pc_xcalloc(1, sizeof *buffer);
    pthread_mutex_init(&buffer->lock, NULL);
    buffer->next = buffers;
    buffers = buffer;
  }
  buffer->owned = 1;
  pthread_mutex_unlock(&registry_lock);
  pthread_setspecific(buffer_key, buffer);
  return buffer;
}

void pc_log_access(const pc_log_access_t *line) {
  if (atomic_load_explicit(&min_level, memory_order_relaxed) > PC_LOG_INFO) return;
  /* The timestamp has one-second resolution: format it once a second. */
  static _Thread_local int64_t ts_second = -1;
  static _Thread_local char ts[PC_RFC3339_SIZE];
  int64_t second = pc_clock_now();
  if (second != ts_second) {
    pc_clock_format_rfc3339(second, ts);
    ts_second = second;
  }
  char text[PC_LOG_ACCESS_LINE_MAX];
  size_t size = pc_log_access_encode(line, ts, text);
  if (!atomic_load_explicit(&buffering, memory_order_acquire)) {
    /* Lines this thread buffered before a stop go first (the stop may not
     * have reached its buffer yet): one thread's lines stay in order. */
    access_buffer_t *own = my_buffer;
    if (own) {
      pthread_mutex_lock(&own->lock);
      flush_locked(own);
    }
    pthread_mutex_lock(&write_lock);
    write_locked(text, size);
    pthread_mutex_unlock(&write_lock);
    if (own) pthread_mutex_unlock(&own->lock);
    return;
  }
  access_buffer_t *buffer = my_buffer ? my_buffer : (my_buffer = acquire_buffer());
  size_t capacity = atomic_load(&buffer_bytes);
  pthread_mutex_lock(&buffer->lock);
  if (buffer->capacity != capacity) { /* buffering restarted with another size */
    flush_locked(buffer);
    buffer->data = pc_xrealloc(buffer->data, capacity);
    buffer->capacity = capacity;
  }
  int64_t now = now_ms();
  if (buffer->len + size > buffer->capacity) flush_locked(buffer);
  if (size > buffer->capacity) {
    pthread_mutex_lock(&write_lock);
    write_locked(text, size);
    pthread_mutex_unlock(&write_lock);
  } else {
    if (buffer->len == 0) buffer->oldest_ms = now;
    memcpy(buffer->data + buffer->len, text, size);
    buffer->len += size;
  }
  /* Stopped meanwhile (see pc_log_access_stop), or old enough already. */
  if (!atomic_load(&buffering) || now - buffer->oldest_ms >= atomic_load(&flush_ms)) flush_locked(buffer);
  pthread_mutex_unlock(&buffer->lock);
}

/* Writes every buffer (ALL) or those whose oldest line will be due within
 * EARLY_MS (the flusher's next check would be too late for them). */
static void flush_buffers(int all, int64_t early_ms) {
  int64_t due = now_ms() - atomic_load(&flush_ms) + early_ms;
  pthread_mutex_lock(&registry_lock);
  for (access_buffer_t *buffer = buffers; buffer; buffer = buffer->next) {
    pthread_mutex_lock(&buffer->lock);
    if (all || (buffer->len > 0 && buffer->oldest_ms <= due)) flush_locked(buffer);
    pthread_mutex_unlock(&buffer->lock);
  }
  pthread_mutex_unlock(&registry_lock);
}

static void *flusher_main(void *unused) {
  (void)unused;
  /* Four checks per interval, each writing the lines that would be past
   * the interval at the next check: no line waits longer than the interval
   * (plus the coarse clock's few milliseconds and scheduling delay). */
  int64_t period_ms = atomic_load(&flush_ms) / 4;
  if (period_ms < 1) period_ms = 1;
  pthread_mutex_lock(&flusher_lock);
  while (!flusher_stop) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    int64_t ns = until.tv_nsec + period_ms * 1000000;
    until.tv_sec += (time_t)(ns / 1000000000);
    until.tv_nsec = (long)(ns % 1000000000);
    pthread_cond_timedwait(&flusher_wake, &flusher_lock, &until);
    if (flusher_stop) break;
    pthread_mutex_unlock(&flusher_lock);
    flush_buffers(0, period_ms);
    pthread_mutex_lock(&flusher_lock);
  }
  pthread_mutex_unlock(&flusher_lock);
  return NULL;
}

int pc_log_access_start(size_t bytes, int interval_ms) {
  pc_log_access_stop();
  if (bytes == 0 || interval_ms <= 0) return 0;
  atomic_store(&buffer_bytes, bytes);
  atomic_store(&flush_ms, interval_ms);
  pthread_mutex_lock(&flusher_lock);
  flusher_stop = 0;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&flusher_wake, &attr);
  pthread_condattr_destroy(&attr);
  int rc = pthread_create(&flusher, NULL, flusher_main, NULL);
  flusher_running = rc == 0;
  pthread_mutex_unlock(&flusher_lock);
  if (rc != 0) return PC_EINTERNAL;
  atomic_store_explicit(&buffering, 1, memory_order_release);
  return 0;
}

void pc_log_access_stop(void) {
  atomic_store(&buffering, 0);
  pthread_mutex_lock(&flusher_lock);
  int running = flusher_running;
  flusher_stop = 1;
  if (running) pthread_cond_signal(&flusher_wake);
  pthread_mutex_unlock(&flusher_lock);
  if (running) {
    pthread_join(flusher, NULL);
    pthread_cond_destroy(&flusher_wake);
    flusher_running = 0;
  }
  flush_buffers(1, 0);
}
