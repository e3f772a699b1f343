/* Structured logging: one JSON object per line, written atomically to the
 * log stream (stderr unless configured). Every line has "ts" (RFC 3339 UTC),
 * "level" and "msg"; lines written while a request is being handled also carry
 * "request_id". Never pass personal data (SSN digits, dates of birth, licence
 * numbers) to these functions: log lines are not protected like the database. */
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

#endif
