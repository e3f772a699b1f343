/* Unit tests for the multipart/form-data collector (src/http/multipart.c):
 * text fields and files as MHD_PostProcessor delivers them (in chunks, with
 * a first empty call), the limits, and the checks finish makes. The wire
 * side (libmicrohttpd itself) is driven by tests/integration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/http_internal.h"

#include <stdlib.h>
#include <string.h>

static void collects_fields_and_files_in_chunks(void **state) {
  (void)state;
  pc_http_multipart_t *m = pc_http_multipart_new(1024);
  assert_int_equal(pc_http_multipart_part(m, "csrf_token", NULL, NULL, 0, "", 0), 0); /* MHD's first empty call */
  assert_int_equal(pc_http_multipart_part(m, "csrf_token", NULL, NULL, 0, "ab", 2), 0);
  assert_int_equal(pc_http_multipart_part(m, "csrf_token", NULL, NULL, 2, "cd", 2), 0);
  assert_int_equal(pc_http_multipart_part(m, "election", NULL, NULL, 0, "2026-test", 9), 0);
  assert_int_equal(pc_http_multipart_part(m, "returns", "night.csv", "text/csv", 0, "a,b\n", 4), 0);
  assert_int_equal(pc_http_multipart_part(m, "returns", "night.csv", "text/csv", 4, "1,\0", 3), 0);
  assert_int_equal(pc_http_multipart_part(m, "election", NULL, NULL, 0, "", 0), 0); /* an empty repeat */
  assert_int_equal(pc_http_multipart_part(m, "other", NULL, NULL, 0, "x", 1), 0);
  pc_http_fields_t fields;
  const pc_http_upload_t *uploads;
  size_t count;
  pc_error_t err;
  pc_error_clear(&err);
  assert_int_equal(pc_http_multipart_finish(m, &fields, &uploads, &count, &err), 0);
  assert_int_equal(fields.count, 4);
  assert_string_equal(pc_http_fields_get(&fields, "csrf_token"), "abcd");
  assert_string_equal(pc_http_fields_get(&fields, "election"), "2026-test");
  assert_int_equal(pc_http_fields_count_of(&fields, "election"), 2);
  assert_string_equal(fields.items[2].value, "");
  assert_string_equal(pc_http_fields_get(&fields, "other"), "x");
  assert_int_equal(count, 1);
  assert_string_equal(uploads[0].field, "returns");
  assert_string_equal(uploads[0].file_name, "night.csv");
  assert_string_equal(uploads[0].content_type, "text/csv");
  assert_int_equal(uploads[0].size, 7);
  assert_memory_equal(uploads[0].data, "a,b\n1,\0", 7); /* files may hold any byte */
  pc_http_fields_free(&fields);
  pc_http_multipart_free(m);
}

static void enforces_limits(void **state) {
  (void)state;
  const char *message;
  /* All part data together: at most the upload limit. */
  pc_http_multipart_t *m = pc_http_multipart_new(8);
  assert_int_equal(pc_http_multipart_part(m, "f", "a.csv", NULL, 0, "12345", 5), 0);
  assert_int_equal(pc_http_multipart_part(m, "f", "a.csv", NULL, 5, "6789", 4), PC_ELIMIT);
  assert_int_equal(pc_http_multipart_error(m, &message), PC_ELIMIT);
  assert_non_null(strstr(message, "larger than the server accepts"));
  assert_int_equal(pc_http_multipart_part(m, "g", NULL, NULL, 0, "x", 1), PC_ELIMIT); /* the first error sticks */
  pc_http_multipart_free(m);
  /* A text value: the form limit. */
  m = pc_http_multipart_new(1 << 20);
  char *big = calloc(1, pc_http_form_limits.max_value_bytes + 1);
  memset(big, 'v', pc_http_form_limits.max_value_bytes + 1);
  assert_int_equal(pc_http_multipart_part(m, "t", NULL, NULL, 0, big, pc_http_form_limits.max_value_bytes), 0);
  assert_int_equal(pc_http_multipart_part(m, "t", NULL, NULL, pc_http_form_limits.max_value_bytes, big, 1), PC_ELIMIT);
  free(big);
  pc_http_multipart_free(m);
  /* File count, field count, names. */
  m = pc_http_multipart_new(1024);
  for (int i = 0; i < PC_HTTP_MAX_UPLOADS; i++) assert_int_equal(pc_http_multipart_part(m, "f", "x", NULL, 0, "1", 1), 0);
  assert_int_equal(pc_http_multipart_part(m, "f", "x", NULL, 0, "1", 1), PC_ELIMIT);
  pc_http_multipart_free(m);
  m = pc_http_multipart_new(1 << 20);
  for (size_t i = 0; i < pc_http_form_limits.max_fields; i++)
    assert_int_equal(pc_http_multipart_part(m, "t", NULL, NULL, 0, "1", 1), 0);
  assert_int_equal(pc_http_multipart_part(m, "t", NULL, NULL, 0, "1", 1), PC_ELIMIT);
  pc_http_multipart_free(m);
  m = pc_http_multipart_new(1024);
  char long_name[200];
  memset(long_name, 'n', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  assert_int_equal(pc_http_multipart_part(m, long_name, NULL, NULL, 0, "1", 1), PC_ELIMIT);
  pc_http_multipart_free(m);
}

static void rejects_bad_parts(void **state) {
  (void)state;
  pc_http_multipart_t *m = pc_http_multipart_new(1024);
  assert_int_equal(pc_http_multipart_part(m, NULL, NULL, NULL, 0, "1", 1), PC_EINVAL);
  pc_http_multipart_free(m);
  m = pc_http_multipart_new(1024);
  assert_int_equal(pc_http_multipart_part(m, "a", NULL, NULL, 0, "12", 2), 0);
  assert_int_equal(pc_http_multipart_part(m, "a", NULL, NULL, 7, "34", 2), PC_EINVAL); /* a gap */
  pc_http_multipart_free(m);
  /* Text fields must be UTF-8 without NUL; finish refuses and keeps nothing. */
  pc_http_fields_t fields = {NULL, 0, NULL};
  const pc_http_upload_t *uploads = NULL;
  size_t count = 0;
  pc_error_t err;
  pc_error_clear(&err);
  m = pc_http_multipart_new(1024);
  assert_int_equal(pc_http_multipart_part(m, "a", NULL, NULL, 0, "x\0y", 3), 0);
  assert_int_equal(pc_http_multipart_finish(m, &fields, &uploads, &count, &err), PC_EINVAL);
  assert_null(fields.items);
  pc_http_multipart_free(m);
  m = pc_http_multipart_new(1024);
  assert_int_equal(pc_http_multipart_part(m, "a", NULL, NULL, 0, "\xc3\x28", 2), 0);
  assert_int_equal(pc_http_multipart_finish(m, &fields, &uploads, &count, &err), PC_EINVAL);
  pc_http_multipart_free(m);
  /* A file name that is not UTF-8 is dropped, the file kept. */
  m = pc_http_multipart_new(1024);
  assert_int_equal(pc_http_multipart_part(m, "f", "\xff.csv", "text/csv", 0, "1", 1), 0);
  assert_int_equal(pc_http_multipart_finish(m, &fields, &uploads, &count, &err), 0);
  assert_int_equal(count, 1);
  assert_string_equal(uploads[0].file_name, "");
  pc_http_fields_free(&fields);
  pc_http_multipart_free(m);
}

static void recognises_the_content_type(void **state) {
  (void)state;
  assert_true(pc_http_multipart_wanted("multipart/form-data; boundary=x"));
  assert_true(pc_http_multipart_wanted("Multipart/Form-Data;boundary=x"));
  assert_true(pc_http_multipart_wanted("multipart/form-data"));
  assert_false(pc_http_multipart_wanted("multipart/form-datax"));
  assert_false(pc_http_multipart_wanted("multipart/mixed; boundary=x"));
  assert_false(pc_http_multipart_wanted("application/x-www-form-urlencoded"));
  assert_false(pc_http_multipart_wanted(NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(collects_fields_and_files_in_chunks),
      cmocka_unit_test(enforces_limits),
      cmocka_unit_test(rejects_bad_parts),
      cmocka_unit_test(recognises_the_content_type),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
