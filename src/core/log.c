/* JSON-lines logging. Each line is built in memory and written with one
 * fwrite under a lock, so lines from worker threads never interleave. */
#include "precinct/log.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/error.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static pc_log_level_t min_level = PC_LOG_INFO;
static FILE *log_stream = NULL;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char request_id[64];

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void pc_log_configure(pc_log_level_t level, FILE *stream) {
  pthread_mutex_lock(&log_lock);
  min_level = level;
  log_stream = stream;
  pthread_mutex_unlock(&log_lock);
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
  return min_level;
}

void pc_log_set_request_id(const char *id) {
  pc_strlcpy(request_id, id ? id : "", sizeof request_id);
}

const char *pc_log_request_id(void) {
  return request_id;
}

void pc_log_fields(pc_log_level_t level, const char *msg, json_t *fields) {
  if (level < min_level || level >= PC_LOG_OFF) {
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
  pthread_mutex_lock(&log_lock);
  FILE *out = log_stream ? log_stream : stderr;
  fputs(text, out);
  fputc('\n', out);
  fflush(out);
  pthread_mutex_unlock(&log_lock);
  free(text);
}

void pc_log(pc_log_level_t level, const char *fmt, ...) {
  if (level < min_level || level >= PC_LOG_OFF) return;
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  pc_log_fields(level, msg, NULL);
}
