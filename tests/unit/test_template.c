/* Unit tests for src/web/template.c: escaping (text and attributes), raw
 * output, dotted names, sections, inverted sections, partials, missing keys,
 * parse errors with line numbers, injection attempts in data, and the
 * embedded layout and error pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/template.h"

#include <string.h>

/* Renders TEXT (as template "t") with CONTEXT given as JSON text. */
static void expect_render(const char *text, const char *context_json, const char *expected) {
  pc_templates_t *t = pc_templates_new();
  pc_error_t err;
  pc_error_clear(&err);
  assert_int_equal(pc_templates_add(t, "t", text, &err), 0);
  json_error_t json_err;
  json_t *context = json_loads(context_json, 0, &json_err);
  assert_non_null(context);
  pc_buf_t out;
  pc_buf_init(&out, 0);
  assert_int_equal(pc_templates_render(t, "t", context, &out, &err), 0);
  assert_string_equal(pc_buf_str(&out), expected);
  pc_buf_free(&out);
  json_decref(context);
  pc_templates_free(t);
}

static void escapes_text_and_attributes(void **state) {
  (void)state;
  expect_render("<p>{{name}}</p>", "{\"name\": \"<script>alert('x')</script> & co\"}",
                "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</p>");
  expect_render("<a title=\"{{t}}\" href='{{h}}'>", "{\"t\": \"\\\" onmouseover=\\\"x\", \"h\": \"' onclick='y\"}",
                "<a title=\"&quot; onmouseover=&quot;x\" href='&#39; onclick=&#39;y'>");
  expect_render("{{{svg}}}|{{& svg}}", "{\"svg\": \"<svg><rect/></svg>\"}", "<svg><rect/></svg>|<svg><rect/></svg>");
  expect_render("{{n}} {{r}} {{b}} {{f}} {{z}}", "{\"n\": 42, \"r\": 1.5, \"b\": true, \"f\": false, \"z\": null}",
                "42 1.5 true  ");
}

static void data_is_never_interpreted_as_template(void **state) {
  (void)state;
  expect_render("{{a}}|{{{a}}}", "{\"a\": \"{{secret}}{{> layout}}{{#x}}\", \"secret\": \"LEAK\"}",
                "{{secret}}{{&gt; layout}}{{#x}}|{{secret}}{{> layout}}{{#x}}");
}

static void missing_keys_render_empty(void **state) {
  (void)state;
  expect_render("[{{missing}}][{{{missing}}}][{{a.b.c}}][{{#none}}x{{/none}}]", "{\"a\": {\"b\": 1}}", "[][][][]");
}

static void dotted_names_and_context_stack(void **state) {
  (void)state;
  expect_render("{{user.name}} of {{user.county.name}}", "{\"user\": {\"name\": \"Ana\", \"county\": {\"name\": \"Wake\"}}}",
                "Ana of Wake");
  /* Inside a section, names resolve innermost first, then outward. */
  expect_render("{{#user}}{{name}}/{{site}}{{/user}}", "{\"site\": \"S\", \"user\": {\"name\": \"Ana\"}}", "Ana/S");
}

static void sections_and_inverted_sections(void **state) {
  (void)state;
  expect_render("<ul>{{#rows}}<li>{{id}}:{{label}}</li>{{/rows}}</ul>",
                "{\"rows\": [{\"id\": 1, \"label\": \"a<b\"}, {\"id\": 2, \"label\": \"c\"}]}",
                "<ul><li>1:a&lt;b</li><li>2:c</li></ul>");
  expect_render("{{#items}}[{{.}}]{{/items}}", "{\"items\": [\"x\", \"<y>\"]}", "[x][&lt;y&gt;]");
  expect_render("{{#rows}}x{{/rows}}{{^rows}}none{{/rows}}", "{\"rows\": []}", "none");
  expect_render("{{#ok}}yes{{/ok}}{{^ok}}no{{/ok}}", "{\"ok\": true}", "yes");
  expect_render("{{#ok}}yes{{/ok}}{{^ok}}no{{/ok}}", "{\"ok\": false}", "no");
  expect_render("{{#s}}has {{s}}{{/s}}{{^e}}empty{{/e}}", "{\"s\": \"v\", \"e\": \"\"}", "has vempty");
  expect_render("{{#a}}{{#b}}{{#c}}{{x}}{{/c}}{{/b}}{{/a}}", "{\"x\": \"outer\", \"a\": {\"b\": [{\"c\": {\"y\": 1}}]}}",
                "outer");
  expect_render("a{{! a comment with {{ inside }}b", "{}", "ab");
}

static void partials_render_with_the_current_context(void **state) {
  (void)state;
  pc_templates_t *t = pc_templates_new();
  pc_error_t err;
  pc_error_clear(&err);
  assert_int_equal(pc_templates_add(t, "row", "<li>{{name}}</li>", &err), 0);
  assert_int_equal(pc_templates_add(t, "page", "<ul>{{#people}}{{> row}}{{/people}}</ul>", &err), 0);
  assert_int_equal(pc_templates_add(t, "row", "again", &err), PC_EEXIST);
  json_t *context = json_pack("{s:[{s:s},{s:s}]}", "people", "name", "A&B", "name", "C");
  pc_buf_t out;
  pc_buf_init(&out, 0);
  assert_int_equal(pc_templates_render(t, "page", context, &out, &err), 0);
  assert_string_equal(pc_buf_str(&out), "<ul><li>A&amp;B</li><li>C</li></ul>");
  /* Self-including partials stop at the depth limit. */
  assert_int_equal(pc_templates_add(t, "loop", "x{{> loop}}", &err), 0);
  pc_buf_reset(&out);
  assert_int_equal(pc_templates_render(t, "loop", context, &out, &err), PC_ELIMIT);
  assert_string_equal(pc_buf_str(&out), "");
  assert_int_equal(pc_templates_render(t, "nope", context, &out, &err), PC_ENOTFOUND);
  /* The output limit holds. */
  pc_buf_t small;
  pc_buf_init(&small, 10);
  assert_int_equal(pc_templates_render(t, "page", context, &small, &err), PC_ELIMIT);
  pc_buf_free(&small);
  pc_buf_free(&out);
  json_decref(context);
  pc_templates_free(t);
}

static void expect_parse_error(const char *text, long line, const char *fragment) {
  pc_templates_t *t = pc_templates_new();
  pc_error_t err;
  pc_error_clear(&err);
  assert_int_equal(pc_templates_add(t, "broken", text, &err), PC_EINVAL);
  assert_string_equal(err.file, "broken");
  assert_int_equal(err.line, line);
  if (strstr(err.message, fragment) == NULL) fail_msg("message \"%s\" lacks \"%s\"", err.message, fragment);
  pc_templates_free(t);
}

static void parse_errors_name_template_and_line(void **state) {
  (void)state;
  expect_parse_error("a\nb\n{{#list}}\nx\n", 3, "never closed");
  expect_parse_error("a\n{{#a}}{{/b}}", 2, "closes no open section");
  expect_parse_error("\n\n\n{{name", 4, "never closed");
  expect_parse_error("{{bad name}}", 1, "bad tag name");
  expect_parse_error("{{}}", 1, "bad tag name");
  expect_parse_error("{{a..b}}", 1, "bad tag name");
  expect_parse_error("x{{/a}}", 1, "closes no open section");
}

static void embedded_templates_parse_and_render_error_pages(void **state) {
  (void)state;
  pc_templates_t *t = pc_templates_new();
  pc_error_t err;
  pc_error_clear(&err);
  assert_int_equal(pc_templates_add_embedded(t, pc_embedded_web, &err), 0);
  const char *pages[] = {"error", "error_401", "error_403", "error_404", "error_500"};
  for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
    json_t *context = json_pack("{s:i, s:s, s:s, s:s}", "status", 404, "title", "Page <not> found", "message",
                                "Gone & away", "request_id", "abc123");
    pc_buf_t out;
    pc_buf_init(&out, 0);
    assert_int_equal(pc_templates_render(t, pages[i], context, &out, &err), 0);
    const char *html = pc_buf_str(&out);
    assert_non_null(strstr(html, "<title>Page &lt;not&gt; found · precinct</title>"));
    assert_non_null(strstr(html, "<a class=\"skip-link\" href=\"#main\">"));
    assert_non_null(strstr(html, "<main id=\"main\""));
    assert_non_null(strstr(html, "<p>Gone &amp; away</p>"));
    assert_non_null(strstr(html, "request <code>abc123</code>"));
    assert_null(strstr(html, "style="));
    assert_null(strstr(html, "<script"));
    pc_buf_free(&out);
    json_decref(context);
  }
  /* A partial that does not exist is found at load time, not at render. */
  static const pc_embedded_file_t table[] = {{"a.html", "{{> nothere}}", 13}, {NULL, NULL, 0}};
  pc_templates_t *bad = pc_templates_new();
  assert_int_equal(pc_templates_add_embedded(bad, table, &err), PC_EINVAL);
  assert_string_equal(err.file, "a");
  assert_string_equal(err.field, "nothere");
  pc_templates_free(bad);
  pc_templates_free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(escapes_text_and_attributes),
      cmocka_unit_test(data_is_never_interpreted_as_template),
      cmocka_unit_test(missing_keys_render_empty),
      cmocka_unit_test(dotted_names_and_context_stack),
      cmocka_unit_test(sections_and_inverted_sections),
      cmocka_unit_test(partials_render_with_the_current_context),
      cmocka_unit_test(parse_errors_name_template_and_line),
      cmocka_unit_test(embedded_templates_parse_and_render_error_pages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
