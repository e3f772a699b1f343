/* Structured logging: one JSON object per line, written atomically to the
 * log stream (stderr unless configured). Every line has "ts" (RFC 3339 UTC),
 * "level" and "msg"; lines written while a request is being handled also carry
 * "request_id". Warn and error lines are written at once; HTTP access lines
 * may be buffered per thread (pc_log_access_start). Never pass personal data
 * (SSN digits, dates of birth, licence numbers) to these functions: log lines
 * are not protected like the database. */
#ifndef PRECINCT_LOG_H
#define PRECINCT_LOG_H

#include <stdio.h>
#include <jansson.h>

typedef enum { PC_LOG_DEBUG = 0, PC_LOG_INFO, PC_LOG_WARN, PC_LOG_ERROR, PC_LOG_OFF } pc_log_level_t;

/* Sets the minimum level written and the stream (NULL keeps stderr). */
void pc_log_configure(pc_log_level_t level, FILE *stream);
/* Parses "debug", "info", "warn", "error", "off"; returns PC_EINVAL otherwise. */
int pc_log_level_parse(const char *name, pc_log_level_t *out);
pc_log_level_t pc_log_level(void);

/* Sets the calling thread's request id (copied; NULL clears it). */
void pc_log_set_request_id(const char *request_id);
const char *pc_log_request_id(void);

/* Writes MSG with extra FIELDS (a JSON object whose keys are merged into the
 * line; the reference is stolen; may be NULL). */
void pc_log_fields(pc_log_level_t level, const char *msg, json_t *fields);
/* Writes a printf-formatted message. */
void pc_log(pc_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One HTTP access line ("msg":"request"). Strings are copied when the line
 * is encoded; PATH may hold any bytes (escaped; invalid UTF-8 becomes
 * U+FFFD). TERMINATED is libmicrohttpd's termination code, 0 (completed)
 * leaves the field out. */
typedef struct pc_log_access {
  const char *request_id; /* NULL or "": no field */
  const char *method;
  const char *path;
  int status;
  long long bytes;
  long long duration_us;
  int terminated;
} pc_log_access_t;

/* Longest access line (newline included). A path whose escaped form is
 * longer than PC_LOG_ACCESS_PATH_MAX bytes is cut at a character boundary
 * and the line gets "path_truncated":true. */
enum { PC_LOG_ACCESS_LINE_MAX = 4096, PC_LOG_ACCESS_PATH_MAX = 3000 };

/* Encodes LINE as one JSON object and a newline into OUT (at least
 * PC_LOG_ACCESS_LINE_MAX bytes) with TS as "ts"; returns the length (no
 * NUL is written). Allocates nothing. */
size_t pc_log_access_encode(const pc_log_access_t *line, const char *ts, char *out);

/* Writes an access line at level info (nothing below the configured level).
 * While buffering is on, the line goes into the calling thread's buffer,
 * written with one write(2) of whole lines when the buffer is full, when its
 * oldest line is FLUSH_MS old, when the thread ends and at pc_log_access_stop. */
void pc_log_access(const pc_log_access_t *line);

/* Turns access-line buffering on: BUFFER_BYTES per thread, written at most
 * FLUSH_MS after a line was added (a background thread watches the age).
 * Either 0 keeps every line written at once. Returns 0 or PC_EINTERNAL when
 * the flusher thread cannot start (then lines are written at once). */
int pc_log_access_start(size_t buffer_bytes, int flush_ms);
/* Writes every buffered line and turns buffering off (lines written later
 * go out at once). Safe to call when buffering is off. */
void pc_log_access_stop(void);

#endif
