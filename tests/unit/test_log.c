/* Unit tests for src/core/log.c: the access line encoder (exact output,
 * escaping against jansson, invalid UTF-8, long paths) and access-line
 * buffering (flush interval, thread exit, stop, many threads at once). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char ts[] = "2026-11-03T20:00:00Z";

static char *encode(const pc_log_access_t *line) {
  static char text[PC_LOG_ACCESS_LINE_MAX + 1];
  size_t size = pc_log_access_encode(line, ts, text);
  assert_true(size <= PC_LOG_ACCESS_LINE_MAX);
  text[size] = '\0';
  return text;
}

static void encoder_exact_line(void **state) {
  (void)state;
  pc_log_access_t line = {.request_id = "0123456789abcdef0123456789abcdef", .method = "GET",
                          .path = "/results/contests/c1.html", .status = 200, .bytes = 204800, .duration_us = 1234};
  assert_string_equal(encode(&line), "{\"ts\":\"2026-11-03T20:00:00Z\",\"level\":\"info\",\"msg\":\"request\","
                                     "\"request_id\":\"0123456789abcdef0123456789abcdef\",\"method\":\"GET\","
                                     "\"path\":\"/results/contests/c1.html\",\"status\":200,\"bytes\":204800,"
                                     "\"duration_ms\":1.234}\n");
  /* No request id or method, an aborted request, durations as jansson
   * printed the real they replace. */
  pc_log_access_t aborted = {.method = "", .path = "/", .status = 0, .bytes = 0, .duration_us = 50, .terminated = 2};
  assert_string_equal(encode(&aborted), "{\"ts\":\"2026-11-03T20:00:00Z\",\"level\":\"info\",\"msg\":\"request\","
                                        "\"method\":\"-\",\"path\":\"/\",\"status\":0,\"bytes\":0,"
                                        "\"duration_ms\":0.05,\"terminated\":2}\n");
  long long durations[] = {0, 1, 10, 100, 2000, 1001, 123456789};
  const char *expected[] = {"0.0", "0.001", "0.01", "0.1", "2.0", "1.001", "123456.789"};
  for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
    pc_log_access_t timed = {.method = "GET", .path = "/", .status = 200, .duration_us = durations[i]};
    json_t *parsed = json_loads(encode(&timed), 0, NULL);
    assert_non_null(parsed);
    char *number = json_dumps(json_object_get(parsed, "duration_ms"), JSON_ENCODE_ANY | JSON_REAL_PRECISION(9));
    assert_string_equal(number, expected[i]);
    assert_non_null(strstr(encode(&timed), expected[i]));
    free(number);
    json_decref(parsed);
  }
}

/* The path field as the encoder wrote it, between its quotes. */
static void path_field(const char *text, char *out, size_t size) {
  const char *start = strstr(text, "\"path\":\"");
  assert_non_null(start);
  start += 8;
  const char *end = strstr(start, "\",\"status\":");
  assert_non_null(end);
  assert_true((size_t)(end - start) < size);
  memcpy(out, start, (size_t)(end - start));
  out[end - start] = '\0';
}

static void encoder_escapes_like_jansson(void **state) {
  (void)state;
  const char *paths[] = {
      "/a\"b\\c",          "/tab\there/nl\nx",  "/\x01\x02\x1f\x7f", "/\b\f\r\v",
      "/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x97\xb3", "/slash/ok", "/'<script>'",
  };
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    pc_log_access_t line = {.method = "GET", .path = paths[i], .status = 404};
    const char *text = encode(&line);
    char ours[256], theirs[256];
    path_field(text, ours, sizeof ours);
    json_t *string = json_string(paths[i]);
    char *dumped = json_dumps(string, JSON_ENCODE_ANY);
    json_decref(string);
    assert_true(strlen(dumped) - 2 < sizeof theirs);
    memcpy(theirs, dumped + 1, strlen(dumped) - 2);
    theirs[strlen(dumped) - 2] = '\0';
    free(dumped);
    assert_string_equal(ours, theirs);
    json_error_t error;
    json_t *parsed = json_loads(text, 0, &error);
    assert_non_null(parsed);
    assert_string_equal(json_string_value(json_object_get(parsed, "path")), paths[i]);
    json_decref(parsed);
  }
}

static void encoder_replaces_invalid_utf8(void **state) {
  (void)state;
  struct {
    const char *path, *logged;
  } cases[] = {
      {"/\xff", "/\\uFFFD"},                         /* never valid */
      {"/a\xc3", "/a\\uFFFD"},                       /* cut short at the end */
      {"/\xc3(", "/\\uFFFD("},                       /* bad continuation */
      {"/\xc0\xaf", "/\\uFFFD\\uFFFD"},              /* overlong '/' */
      {"/\xed\xa0\x80", "/\\uFFFD\\uFFFD\\uFFFD"},   /* a surrogate */
      {"/\xf4\x90\x80\x80", "/\\uFFFD\\uFFFD\\uFFFD\\uFFFD"}, /* past U+10FFFF */
      {"/\xe0\x80\x80", "/\\uFFFD\\uFFFD\\uFFFD"},   /* overlong 3-byte */
      {"/ok\xc3\xa9\x80", "/ok\xc3\xa9\\uFFFD"},     /* stray continuation */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pc_log_access_t line = {.method = "GET", .path = cases[i].path, .status = 400};
    const char *text = encode(&line);
    char ours[256];
    path_field(text, ours, sizeof ours);
    assert_string_equal(ours, cases[i].logged);
    json_t *parsed = json_loads(text, 0, NULL);
    assert_non_null(parsed);
    json_decref(parsed);
  }
}

static void encoder_truncates_long_paths(void **state) {
  (void)state;
  /* 4,000 quotes escape to 8,000 bytes: cut whole at the cap. */
  static char path[16384];
  path[0] = '/';
  memset(path + 1, '"', 4000);
  path[4001] = '\0';
  pc_log_access_t line = {.method = "GET", .path = path, .status = 414, .bytes = 1, .duration_us = 1};
  const char *text = encode(&line);
  json_t *parsed = json_loads(text, 0, NULL);
  assert_non_null(parsed);
  const char *logged = json_string_value(json_object_get(parsed, "path"));
  assert_int_equal(strlen(logged), 1 + (PC_LOG_ACCESS_PATH_MAX - 1) / 2);
  assert_int_equal(strncmp(logged, path, strlen(logged)), 0);
  assert_true(json_is_true(json_object_get(parsed, "path_truncated")));
  assert_int_equal(json_integer_value(json_object_get(parsed, "status")), 414);
  json_decref(parsed);
  /* A multi-byte character is never split, and a path at the cap is whole. */
  memset(path, 0, sizeof path);
  for (size_t i = 0; i + 2 <= 5000; i += 2) memcpy(path + i, "\xc3\xa9", 2);
  parsed = json_loads(encode(&line), 0, NULL);
  assert_non_null(parsed);
  assert_int_equal(strlen(json_string_value(json_object_get(parsed, "path"))), PC_LOG_ACCESS_PATH_MAX);
  json_decref(parsed);
  memset(path, 0, sizeof path);
  memset(path, 'a', PC_LOG_ACCESS_PATH_MAX);
  parsed = json_loads(encode(&line), 0, NULL);
  assert_non_null(parsed);
  assert_int_equal(strlen(json_string_value(json_object_get(parsed, "path"))), PC_LOG_ACCESS_PATH_MAX);
  assert_null(json_object_get(parsed, "path_truncated"));
  json_decref(parsed);
}

/* The log goes to a temporary file; the tests read it back. */
typedef struct log_file {
  char dir[512], path[600];
  FILE *stream;
} log_file_t;

static void log_file_open(log_file_t *file) {
  pc_test_tempdir(file->dir, sizeof file->dir);
  pc_snprintf(file->path, sizeof file->path, "%s/log.jsonl", file->dir);
  file->stream = fopen(file->path, "a");
  assert_non_null(file->stream);
  pc_log_configure(PC_LOG_INFO, file->stream);
}

static void log_file_close(log_file_t *file) {
  pc_log_access_stop();
  pc_log_configure(PC_LOG_WARN, NULL);
  fclose(file->stream);
  pc_test_rmtree(file->dir);
}

/* Counts the lines of the log; every one must be a JSON object. */
static size_t count_lines(const log_file_t *file) {
  FILE *in = fopen(file->path, "r");
  assert_non_null(in);
  char line[PC_LOG_ACCESS_LINE_MAX + 2];
  size_t count = 0;
  while (fgets(line, sizeof line, in)) {
    assert_non_null(strchr(line, '\n'));
    json_t *parsed = json_loads(line, 0, NULL);
    assert_non_null(parsed);
    assert_string_equal(json_string_value(json_object_get(parsed, "msg")), "request");
    json_decref(parsed);
    count++;
  }
  fclose(in);
  return count;
}

static void sleep_ms(int ms) {
  struct timespec pause = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&pause, NULL);
}

static void one_line(int status) {
  pc_log_access_t line = {.request_id = "feedfacefeedfacefeedfacefeedface", .method = "GET",
                          .path = "/results/summary.json", .status = status, .bytes = 10, .duration_us = 5};
  pc_log_access(&line);
}

static void buffered_lines_wait_for_the_interval(void **state) {
  (void)state;
  log_file_t file;
  log_file_open(&file);
  /* Unbuffered: at once. */
  one_line(200);
  assert_int_equal(count_lines(&file), 1);
  assert_int_equal(pc_log_access_start(65536, 700), 0);
  int64_t start = pc_clock_monotonic_ms();
  one_line(201);
  one_line(202);
  if (pc_clock_monotonic_ms() - start < 300) assert_int_equal(count_lines(&file), 1);
  /* The flusher writes them within the interval (and a few ms). */
  size_t seen = 1;
  while (seen < 3 && pc_clock_monotonic_ms() - start < 5000) {
    sleep_ms(20);
    seen = count_lines(&file);
  }
  assert_int_equal(seen, 3);
  assert_true(pc_clock_monotonic_ms() - start >= 500); /* the flusher writes a quarter early at most */
  /* A warn line is never held back. */
  pc_log(PC_LOG_WARN, "now");
  FILE *in = fopen(file.path, "r");
  char text[8192];
  size_t size = fread(text, 1, sizeof text - 1, in);
  fclose(in);
  text[size] = '\0';
  assert_non_null(strstr(text, "\"msg\":\"now\""));
  log_file_close(&file);
}

static void full_buffer_and_stop_write_whole_lines(void **state) {
  (void)state;
  log_file_t file;
  log_file_open(&file);
  /* A one-minute interval: only a full buffer or the stop writes. */
  char sample[PC_LOG_ACCESS_LINE_MAX];
  pc_log_access_t probe = {.request_id = "feedfacefeedfacefeedfacefeedface", .method = "GET",
                           .path = "/results/summary.json", .status = 200, .bytes = 10, .duration_us = 5};
  size_t line_size = pc_log_access_encode(&probe, ts, sample);
  assert_int_equal(pc_log_access_start(line_size * 3 + line_size / 2, 60000), 0);
  for (int i = 0; i < 3; i++) one_line(200);
  assert_int_equal(count_lines(&file), 0);
  one_line(200); /* does not fit: the three before it go out, whole */
  assert_int_equal(count_lines(&file), 3);
  one_line(200);
  pc_log_access_stop();
  assert_int_equal(count_lines(&file), 5);
  one_line(200); /* stopped: at once */
  assert_int_equal(count_lines(&file), 6);
  log_file_close(&file);
}

enum { THREADS = 8, LINES_PER_THREAD = 5000 };

static void *write_lines(void *arg) {
  int thread = (int)(intptr_t)arg;
  char path[64];
  for (int i = 0; i < LINES_PER_THREAD; i++) {
    /* Paths of different lengths so lines straddle buffer ends. */
    pc_snprintf(path, sizeof path, "/t%d/%d/%.*s", thread, i, i % 23, "\"\\\n\xff\xc3\xa9xxxxxxxxxxxxxxxxxxxxx");
    pc_log_access_t line = {.method = "GET", .path = path, .status = 200 + thread, .bytes = i, .duration_us = i};
    pc_log_access(&line);
  }
  return NULL;
}

static void many_threads_never_split_or_lose_lines(void **state) {
  (void)state;
  log_file_t file;
  log_file_open(&file);
  /* A small buffer and interval: many writes race the flusher. */
  assert_int_equal(pc_log_access_start(4096, 5), 0);
  pthread_t threads[THREADS];
  for (int t = 0; t < THREADS; t++)
    assert_int_equal(pthread_create(&threads[t], NULL, write_lines, (void *)(intptr_t)t), 0);
  /* Half join before the stop (their buffers go out at thread exit). */
  for (int t = 0; t < THREADS / 2; t++) pthread_join(threads[t], NULL);
  pc_log_access_stop();
  for (int t = THREADS / 2; t < THREADS; t++) pthread_join(threads[t], NULL);
  pc_log_access_stop();
  /* Each line parses, and each thread's lines are all there, in order. */
  FILE *in = fopen(file.path, "r");
  assert_non_null(in);
  char text[PC_LOG_ACCESS_LINE_MAX + 2];
  long long next[THREADS] = {0};
  size_t count = 0;
  while (fgets(text, sizeof text, in)) {
    json_t *parsed = json_loads(text, 0, NULL);
    assert_non_null(parsed);
    int thread = (int)json_integer_value(json_object_get(parsed, "status")) - 200;
    assert_true(thread >= 0 && thread < THREADS);
    assert_int_equal(json_integer_value(json_object_get(parsed, "bytes")), next[thread]);
    next[thread]++;
    json_decref(parsed);
    count++;
  }
  fclose(in);
  assert_int_equal(count, THREADS * LINES_PER_THREAD);
  log_file_close(&file);
}

static void *write_three_and_exit(void *unused) {
  (void)unused;
  for (int i = 0; i < 3; i++) one_line(200);
  return NULL;
}

static void thread_exit_writes_its_buffer(void **state) {
  (void)state;
  log_file_t file;
  log_file_open(&file);
  assert_int_equal(pc_log_access_start(65536, 60000), 0);
  pthread_t thread;
  assert_int_equal(pthread_create(&thread, NULL, write_three_and_exit, NULL), 0);
  pthread_join(thread, NULL);
  assert_int_equal(count_lines(&file), 3);
  /* The buffer is reused by the next thread. */
  assert_int_equal(pthread_create(&thread, NULL, write_three_and_exit, NULL), 0);
  pthread_join(thread, NULL);
  assert_int_equal(count_lines(&file), 6);
  log_file_close(&file);
}

static void level_above_info_writes_no_access_line(void **state) {
  (void)state;
  log_file_t file;
  log_file_open(&file);
  pc_log_configure(PC_LOG_WARN, file.stream);
  one_line(200);
  assert_int_equal(count_lines(&file), 0);
  log_file_close(&file);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(encoder_exact_line),
      cmocka_unit_test(encoder_escapes_like_jansson),
      cmocka_unit_test(encoder_replaces_invalid_utf8),
      cmocka_unit_test(encoder_truncates_long_paths),
      cmocka_unit_test(buffered_lines_wait_for_the_interval),
      cmocka_unit_test(full_buffer_and_stop_write_whole_lines),
      cmocka_unit_test(many_threads_never_split_or_lose_lines),
      cmocka_unit_test(thread_exit_writes_its_buffer),
      cmocka_unit_test(level_above_info_writes_no_access_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
