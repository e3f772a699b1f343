/* What the public forms (/lookup, /register) share: the language choice,
 * two-column string tables (English, Spanish) turned into the template's
 * `t` object, the per-address rate limit answer, and the birth date read
 * from the day/month/year fields. */
#include "app_internal.h"

#include "precinct/buf.h"
#include "precinct/clock.h"

#include <assert.h>
#include <string.h>

int pc_app_language(const char *lang) { return lang != NULL && strcmp(lang, "es") == 0; }

const char *pc_app_text(const pc_app_strings_t *strings, int lang, const char *key) {
  for (size_t i = 0; i < strings->count; i++)
    if (strcmp(strings->rows[i][0], key) == 0) return strings->rows[i][1 + lang];
  assert(!"missing page string");
  return key;
}

json_t *pc_app_public_context(pc_http_request_t *req, const pc_app_strings_t *strings, int lang, const char *title_key,
                              const char *path) {
  json_t *context = pc_app_page_context(req, pc_app_text(strings, lang, title_key), path);
  json_t *t = json_object();
  for (size_t i = 0; i < strings->count; i++)
    json_object_set_new(t, strings->rows[i][0], json_string(strings->rows[i][1 + lang]));
  json_object_set_new(context, "t", t);
  json_object_set_new(context, "lang", json_string(lang ? "es" : "en"));
  json_object_set_new(context, "other_lang", json_string(lang ? "en" : "es"));
  return context;
}

int pc_app_rate_limited(pc_http_request_t *req, pc_http_response_t *resp, pc_app_ratelimit_t *limit) {
  int retry = 0;
  if (pc_app_ratelimit_hit(limit, req->client_address, pc_clock_now(), &retry) == 0) return 0;
  char value[16];
  pc_snprintf(value, sizeof value, "%d", retry);
  (void)pc_http_response_add_header(resp, "Retry-After", value);
  return PC_EBUSY;
}

void pc_app_form_birth_date(const pc_http_fields_t *form, char birth[16]) {
  const char *d = pc_http_fields_get(form, "dob_day"), *m = pc_http_fields_get(form, "dob_month"),
             *y = pc_http_fields_get(form, "dob_year");
  long long day, month, year;
  birth[0] = '\0';
  if (d && m && y && pc_parse_int64(d, 1, 31, &day) == 0 && pc_parse_int64(m, 1, 12, &month) == 0 &&
      pc_parse_int64(y, 1850, 2200, &year) == 0)
    pc_snprintf(birth, 16, "%04lld-%02lld-%02lld", year, month, day);
}
