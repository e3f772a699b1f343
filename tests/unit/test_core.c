/* Unit tests for src/core: buffers, errors, time, configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/config.h"
#include "precinct/error.h"
#include "precinct/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

static void buf_respects_limit(void **state) {
  (void)state;
  pc_buf_t b;
  pc_buf_init(&b, 8);
  assert_int_equal(pc_buf_append_str(&b, "12345678"), 0);
  assert_int_equal(pc_buf_append_char(&b, 'x'), PC_ELIMIT);
  assert_string_equal(pc_buf_str(&b), "12345678");
  pc_buf_reset(&b);
  assert_int_equal(pc_buf_appendf(&b, "%d-%s", 42, "ab"), 0);
  assert_string_equal(pc_buf_str(&b), "42-ab");
  assert_int_equal(pc_buf_appendf(&b, "%s", "toolong"), PC_ELIMIT);
  assert_string_equal(pc_buf_str(&b), "42-ab");
  assert_int_equal(pc_buf_append_int(&b, -12345), PC_ELIMIT);
  assert_int_equal(pc_buf_append_int(&b, -12), 0);
  assert_string_equal(pc_buf_str(&b), "42-ab-12");
  pc_buf_free(&b);
  pc_buf_init(&b, 0);
  assert_int_equal(pc_buf_append_int(&b, 0), 0);
  assert_int_equal(pc_buf_append_int(&b, INT64_MIN), 0);
  assert_int_equal(pc_buf_append_int(&b, INT64_MAX), 0);
  assert_string_equal(pc_buf_str(&b), "0-92233720368547758089223372036854775807");
  pc_buf_free(&b);
}

static void buf_escapes_html_and_urls(void **state) {
  (void)state;
  pc_buf_t b;
  pc_buf_init(&b, 0);
  pc_buf_append_html(&b, "<a href=\"x\">O'Brien & co</a>");
  assert_string_equal(pc_buf_str(&b), "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;");
  pc_buf_reset(&b);
  pc_buf_append_urlencoded(&b, "a b/c?d=é");
  assert_string_equal(pc_buf_str(&b), "a%20b%2Fc%3Fd%3D%C3%A9");
  pc_buf_reset(&b);
  const unsigned char bytes[] = {0x00, 0xab, 0xff};
  pc_buf_append_hex(&b, bytes, 3);
  assert_string_equal(pc_buf_str(&b), "00abff");
  pc_buf_free(&b);
}

static void strlcpy_and_parse(void **state) {
  (void)state;
  char small[4];
  assert_int_equal(pc_strlcpy(small, "abc", sizeof small), 0);
  assert_int_equal(pc_strlcpy(small, "abcd", sizeof small), PC_ELIMIT);
  assert_string_equal(small, "abc");
  long long v;
  assert_int_equal(pc_parse_int64("42", 0, 100, &v), 0);
  assert_int_equal(v, 42);
  assert_int_equal(pc_parse_int64("42x", 0, 100, &v), PC_EINVAL);
  assert_int_equal(pc_parse_int64("", 0, 100, &v), PC_EINVAL);
  assert_int_equal(pc_parse_int64("101", 0, 100, &v), PC_EINVAL);
  assert_int_equal(pc_parse_int64("-1", 0, 100, &v), PC_EINVAL);
}

static void error_format_names_file_line_field(void **state) {
  (void)state;
  pc_error_t err;
  pc_error_clear(&err);
  pc_error_set_at(&err, PC_EINVAL, "voters.csv", 17, "birth_date", "expected YYYY-MM-DD, got \"%s\"", "1990-13-01");
  char text[512];
  assert_string_equal(pc_error_format(&err, text, sizeof text),
                      "voters.csv:17: field 'birth_date': expected YYYY-MM-DD, got \"1990-13-01\"");
  assert_int_equal(err.code, PC_EINVAL);
  assert_int_equal(pc_error_set(NULL, PC_EIO, "ignored"), PC_EIO);
}

static void rfc3339_round_trip(void **state) {
  (void)state;
  char text[PC_RFC3339_SIZE];
  assert_int_equal(pc_clock_format_rfc3339(0, text), 0);
  assert_string_equal(text, "1970-01-01T00:00:00Z");
  assert_int_equal(pc_clock_format_rfc3339(1111111109, text), 0);
  assert_string_equal(text, "2005-03-18T01:58:29Z");
  int64_t t;
  assert_int_equal(pc_clock_parse_rfc3339("2005-03-18T01:58:29Z", &t), 0);
  assert_int_equal(t, 1111111109);
  assert_int_equal(pc_clock_parse_rfc3339("2005-03-17T20:58:29.250-05:00", &t), 0);
  assert_int_equal(t, 1111111109);
  assert_int_equal(pc_clock_parse_rfc3339("2023-02-29T00:00:00Z", &t), PC_EINVAL);
  assert_int_equal(pc_clock_parse_rfc3339("2024-02-29T00:00:00Z", &t), 0);
  assert_int_equal(pc_clock_parse_rfc3339("2024-02-29 00:00:00", &t), PC_EINVAL);
  pc_clock_set_fixed(1234567890);
  assert_int_equal(pc_clock_now(), 1234567890);
  pc_clock_set_fixed(0);
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void config_defaults_and_errors(void **state) {
  (void)state;
  char dir[512], path[600];
  pc_test_tempdir(dir, sizeof dir);
  pc_snprintf(path, sizeof path, "%s/precinct.conf", dir);
  pc_error_t err;
  pc_error_clear(&err);
  assert_int_equal(pc_config_write_default(path, &err), 0);
  assert_int_equal(pc_config_write_default(path, &err), PC_EEXIST);
  pc_config_t cfg;
  pc_config_defaults(&cfg);
  assert_int_equal(pc_config_load(path, &cfg, &err), 0);
  assert_string_equal(cfg.listen, "127.0.0.1:8080");
  assert_int_equal(cfg.password_min_length, 12);
  assert_string_equal(cfg.backend, "sqlite");

  write_text(path, "[server]\nthreads = 8\n\n[auth]\nsession_idel_minutes = 5\n");
  pc_config_defaults(&cfg);
  assert_int_equal(pc_config_load(path, &cfg, &err), PC_EINVAL);
  assert_int_equal(err.line, 5);
  assert_string_equal(err.field, "auth.session_idel_minutes");
  assert_non_null(strstr(err.message, "unknown setting"));

  write_text(path, "[server]\nthreads = many\n");
  pc_error_clear(&err);
  assert_int_equal(pc_config_load(path, &cfg, &err), PC_EINVAL);
  assert_int_equal(err.line, 2);
  assert_string_equal(err.field, "server.threads");

  write_text(path, "[server]\nthreads = 8\nsecure_cookies = no\n");
  pc_config_defaults(&cfg);
  assert_int_equal(pc_config_load(path, &cfg, &err), 0);
  assert_int_equal(cfg.threads, 8);
  assert_int_equal(cfg.secure_cookies, 0);

  unlink(path);
  assert_int_equal(pc_config_load(path, &cfg, &err), PC_ENOTFOUND);
  pc_test_rmtree(dir);
}

static void config_postgres_backend_and_url(void **state) {
  (void)state;
  char dir[512], path[600];
  pc_test_tempdir(dir, sizeof dir);
  pc_snprintf(path, sizeof path, "%s/precinct.conf", dir);
  pc_error_t err;
  pc_error_clear(&err);
  pc_config_t cfg;
  /* postgres needs a URL; an unknown backend is refused. */
  write_text(path, "[database]\nbackend = postgres\n");
  pc_config_defaults(&cfg);
  assert_int_equal(pc_config_load(path, &cfg, &err), PC_EINVAL);
  assert_string_equal(err.field, "database.url");
  write_text(path, "[database]\nbackend = mysql\n");
  assert_int_equal(pc_config_load(path, &cfg, &err), PC_EINVAL);
  assert_string_equal(err.field, "database.backend");
  /* pc_config_write writes the values given, and they load back. */
  unlink(path);
  pc_config_defaults(&cfg);
  pc_strlcpy(cfg.backend, "postgres", sizeof cfg.backend);
  pc_strlcpy(cfg.database_url, "host=db1,db2 dbname=precinct target_session_attrs=read-write", sizeof cfg.database_url);
  cfg.threads = 7;
  cfg.secure_cookies = 0;
  assert_int_equal(pc_config_write(path, &cfg, &err), 0);
  assert_int_equal(pc_config_write(path, &cfg, &err), PC_EEXIST);
  pc_config_t loaded;
  pc_config_defaults(&loaded);
  assert_int_equal(pc_config_load(path, &loaded, &err), 0);
  assert_string_equal(loaded.backend, "postgres");
  assert_string_equal(loaded.database_url, "host=db1,db2 dbname=precinct target_session_attrs=read-write");
  assert_int_equal(loaded.threads, 7);
  assert_int_equal(loaded.secure_cookies, 0);
  assert_int_equal(loaded.max_body_bytes, cfg.max_body_bytes);
  pc_test_rmtree(dir);
}

static void durable_write_replaces_atomically(void **state) {
  (void)state;
  char dir[512], path[600];
  pc_test_tempdir(dir, sizeof dir);
  pc_snprintf(path, sizeof path, "%s/file.txt", dir);
  pc_error_t err;
  assert_int_equal(pc_file_write_durable(path, "one", 3, 0600, 1, &err), 0);
  assert_int_equal(pc_file_write_durable(path, "two", 3, 0600, 1, &err), PC_EEXIST);
  assert_int_equal(pc_file_write_durable(path, "three", 5, 0600, 0, &err), 0);
  char *data;
  size_t size;
  assert_int_equal(pc_file_read_all(path, 100, &data, &size, &err), 0);
  assert_string_equal(data, "three");
  free(data);
  assert_int_equal(pc_file_read_all(path, 4, &data, &size, &err), PC_ELIMIT);
  pc_test_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(buf_respects_limit),
      cmocka_unit_test(buf_escapes_html_and_urls),
      cmocka_unit_test(strlcpy_and_parse),
      cmocka_unit_test(error_format_names_file_line_field),
      cmocka_unit_test(rfc3339_round_trip),
      cmocka_unit_test(config_defaults_and_errors),
      cmocka_unit_test(config_postgres_backend_and_url),
      cmocka_unit_test(durable_write_replaces_atomically),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
