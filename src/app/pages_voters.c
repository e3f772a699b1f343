/* Officials' voter pages of a county: the paginated search and a voter's
 * detail page (record, status, districts, voting history and the audit
 * trail of the record), plus the county picker for state admins. Birth
 * date, licence and SSN are never shown: only "on file" / "not on file".
 * Forms are in pages_voter_forms.c, list maintenance in pages_maintenance.c. */
#include "pages_voters.h"

#include "precinct/counties.h"
#include "precinct/voters_search.h"

#include <string.h>

#define PAGE_SIZE 25

void pc_voter_pages_base(pc_http_request_t *req, pc_buf_t *out) {
  pc_buf_append_str(out, "/admin/counties/");
  pc_buf_append_urlencoded(out, pc_http_request_param(req, "county"));
  pc_buf_append_str(out, "/voters");
}

void pc_voter_pages_reader(pc_http_request_t *req, pc_voters_t *voters, pc_actor_t *actor) {
  pc_auth_actor(pc_app_principal(req), actor);
  pc_voters_open_reader(voters, pc_http_request_store(req), actor, pc_http_request_param(req, "county"));
}

int pc_voter_pages_writer(pc_http_request_t *req, pc_voters_t *voters, pc_actor_t *actor, pc_error_t *err) {
  const pc_app_t *app = req->app;
  pc_auth_actor(pc_app_principal(req), actor);
  return pc_voters_open(voters, app->instance, pc_http_request_store(req), actor, pc_http_request_param(req, "county"),
                        err);
}

json_t *pc_voter_pages_context(pc_http_request_t *req, const char *title) {
  pc_buf_t base;
  pc_buf_init(&base, 256);
  pc_voter_pages_base(req, &base);
  json_t *context = pc_app_page_context(req, title, NULL);
  json_object_set_new(context, "county", json_string(pc_http_request_param(req, "county")));
  json_object_set_new(context, "base", json_string(pc_buf_str(&base)));
  pc_buf_free(&base);
  const pc_principal_t *who = pc_app_principal(req);
  pc_county_t county;
  int writable = who && pc_counties_find(pc_http_request_store(req), pc_http_request_param(req, "county"), &county,
                                         NULL) == 0 &&
                 pc_auth_authorize(who, PC_ACCESS_WRITE, county.id) == 0;
  int admin = writable && pc_auth_authorize(who, PC_ACCESS_ADMIN, county.id) == 0;
  json_object_set_new(context, "can_write", json_boolean(writable));
  json_object_set_new(context, "can_admin", json_boolean(admin));
  return context;
}

void pc_voter_pages_name(const pc_voter_t *v, char *out, size_t size) {
  pc_snprintf(out, size, "%s%s%s %s%s%s", v->first_name, v->middle_name[0] ? " " : "", v->middle_name, v->last_name,
              v->name_suffix[0] ? " " : "", v->name_suffix);
}

json_t *pc_voter_pages_row(pc_http_request_t *req, const pc_voter_t *v) {
  char name[160];
  pc_voter_pages_name(v, name, sizeof name);
  pc_buf_t href;
  pc_buf_init(&href, 256);
  pc_voter_pages_base(req, &href);
  pc_buf_append_char(&href, '/');
  pc_buf_append_urlencoded(&href, v->ncid);
  json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ncid", v->ncid, "name", name, "status", v->status,
                          "status_text", pc_voters_status_desc(v->status), "precinct", v->precinct_code, "city",
                          v->confidential[0] == 'Y' ? "(confidential)" : v->res_city, "href", pc_buf_str(&href));
  pc_buf_free(&href);
  return row;
}

int pc_voter_pages_redirect(pc_http_request_t *req, pc_http_response_t *resp, const char *suffix) {
  pc_buf_t location;
  pc_buf_init(&location, 256);
  pc_voter_pages_base(req, &location);
  pc_buf_append_str(&location, suffix);
  int rc = pc_http_reply_redirect(resp, pc_buf_str(&location));
  pc_buf_free(&location);
  return rc;
}

const char *pc_voter_pages_field(const pc_http_fields_t *form, const char *name) {
  const char *value = form ? pc_http_fields_get(form, name) : NULL;
  return value ? value : "";
}

/* ---- county picker (state-wide users) ----------------------------------- */

static int add_county(const pc_county_t *county, void *context) {
  pc_buf_t href;
  pc_buf_init(&href, 256);
  pc_buf_append_str(&href, "/admin/counties/");
  pc_buf_append_urlencoded(&href, county->name);
  pc_buf_append_str(&href, "/voters");
  json_array_append_new(context, json_pack("{s:s, s:s}", "name", county->name, "href", pc_buf_str(&href)));
  pc_buf_free(&href);
  return 0;
}

static int counties_page(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_principal_t *who = pc_app_principal(req);
  if (who && who->county[0]) {
    pc_buf_t location;
    pc_buf_init(&location, 256);
    pc_buf_append_str(&location, "/admin/counties/");
    pc_buf_append_urlencoded(&location, who->county);
    pc_buf_append_str(&location, "/voters");
    int rc = pc_http_reply_redirect(resp, pc_buf_str(&location));
    pc_buf_free(&location);
    return rc;
  }
  json_t *counties = json_array();
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_counties_each(pc_http_request_store(req), add_county, counties, &err);
  if (rc != 0) {
    json_decref(counties);
    return rc;
  }
  json_t *context = pc_app_page_context(req, "Voters", "/admin/voters");
  json_object_set_new(context, "counties", counties);
  return pc_app_render(req, resp, 200, "voters_counties", context);
}

/* ---- search ----------------------------------------------------------- */

typedef struct search_page {
  pc_http_request_t *req;
  json_t *rows;
  int64_t last_id;
} search_page_t;

static int add_row(void *context, const pc_voter_t *voter) {
  search_page_t *page = context;
  json_array_append_new(page->rows, pc_voter_pages_row(page->req, voter));
  page->last_id = voter->id;
  return 0;
}

static int add_precinct_option(void *context, const char *code, const char *name) {
  json_t *options = json_object_get(context, "options");
  const char *chosen = json_string_value(json_object_get(context, "chosen"));
  json_t *option = json_pack("{s:s, s:s}", "code", code, "name", name);
  if (chosen && strcmp(chosen, code) == 0) json_object_set_new(option, "selected", json_true());
  json_array_append_new(options, option);
  return 0;
}

json_t *pc_voter_pages_precincts(pc_voters_t *voters, const char *chosen) {
  json_t *holder = json_pack("{s:[], s:s}", "options", "chosen", chosen ? chosen : "");
  pc_error_t err;
  pc_error_clear(&err);
  (void)pc_voters_each_precinct(voters, add_precinct_option, holder, &err);
  json_t *options = json_incref(json_object_get(holder, "options"));
  json_decref(holder);
  return options;
}

static json_t *status_options(const char *chosen) {
  static const char *const codes[] = {"A", "I", "P", "R", "D", "S"};
  json_t *options = json_array();
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    json_t *option = json_pack("{s:s, s:s}", "code", codes[i], "label", pc_voters_status_desc(codes[i]));
    if (chosen && strcmp(chosen, codes[i]) == 0) json_object_set_new(option, "selected", json_true());
    json_array_append_new(options, option);
  }
  return options;
}

/* The query string of the current search plus after=ID ("Next page"; none
 * when AFTER is 0: "First page"). */
static void next_href(pc_http_request_t *req, const pc_voter_query_t *q, int64_t after, pc_buf_t *out) {
  pc_voter_pages_base(req, out);
  const char *names[] = {"last_name", "first_name", "voter_id", "status", "precinct"};
  const char *values[] = {q->last_name, q->first_name, q->voter_id, q->status, q->precinct_code};
  pc_buf_append_char(out, '?');
  for (size_t i = 0; i < 5; i++) {
    if (i > 0) pc_buf_append_char(out, '&');
    pc_buf_appendf(out, "%s=", names[i]);
    pc_buf_append_urlencoded(out, values[i]);
  }
  if (after) pc_buf_appendf(out, "&after=%lld", (long long)after);
}

static const char *query_or_empty(pc_http_request_t *req, const char *name) {
  const char *value = pc_http_request_query(req, name);
  return value ? value : "";
}

static int search_page(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_voters_t voters;
  pc_actor_t actor;
  pc_voter_pages_reader(req, &voters, &actor);
  pc_voter_query_t q = {query_or_empty(req, "last_name"), query_or_empty(req, "first_name"),
                        query_or_empty(req, "voter_id"), query_or_empty(req, "status"),
                        query_or_empty(req, "precinct"), 0};
  long long after = 0;
  if (pc_http_request_query(req, "after") && pc_parse_int64(pc_http_request_query(req, "after"), 1, INT64_MAX, &after) != 0)
    after = 0;
  q.after_id = after;
  json_t *context = pc_voter_pages_context(req, "Voters");
  json_object_set_new(context, "last_name", json_string(q.last_name));
  json_object_set_new(context, "first_name", json_string(q.first_name));
  json_object_set_new(context, "voter_id", json_string(q.voter_id));
  json_object_set_new(context, "statuses", status_options(q.status));
  json_object_set_new(context, "precincts", pc_voter_pages_precincts(&voters, q.precinct_code));
  const char *moved = pc_http_request_query(req, "moved");
  if (moved) json_object_set_new(context, "moved", json_string(moved));
  int searched = q.last_name[0] || q.voter_id[0] || q.status[0] || q.precinct_code[0] || q.first_name[0];
  int status = 200;
  if (searched) {
    search_page_t page = {req, json_array(), 0};
    int more = 0;
    pc_error_t err;
    pc_error_clear(&err);
    int rc = pc_voters_find(&voters, &q, PAGE_SIZE, add_row, &page, &more, &err);
    if (rc == PC_EINVAL) {
      char key[48];
      pc_snprintf(key, sizeof key, "error_%s", err.field[0] ? err.field : "last_name");
      json_object_set_new(context, key, json_string(err.message));
      json_object_set_new(context, "has_error", json_true());
      json_object_set_new(context, "error", json_string(err.message));
      status = 400;
    } else if (rc != 0) {
      json_decref(page.rows);
      json_decref(context);
      return rc;
    }
    json_object_set_new(context, "searched", json_boolean(rc == 0));
    json_object_set_new(context, "has_rows", json_boolean(json_array_size(page.rows) > 0));
    json_object_set_new(context, "rows", page.rows);
    if (rc == 0 && after) {
      pc_buf_t href;
      pc_buf_init(&href, 512);
      next_href(req, &q, 0, &href);
      json_object_set_new(context, "paged", json_true());
      json_object_set_new(context, "first_href", json_string(pc_buf_str(&href)));
      pc_buf_free(&href);
    }
    if (rc == 0 && more) {
      pc_buf_t href;
      pc_buf_init(&href, 512);
      next_href(req, &q, page.last_id, &href);
      json_object_set_new(context, "next_href", json_string(pc_buf_str(&href)));
      pc_buf_free(&href);
    }
  }
  return pc_app_render(req, resp, status, "voters_search", context);
}

/* ---- detail ----------------------------------------------------------- */

/* Labels of the 31 district columns, in pc_voter_t.district order. */
static const char *const district_labels[PC_VOTER_DISTRICTS] = {
    "Municipality (code)", "Municipality", "Ward (code)", "Ward", "U.S. House district", "Superior court district",
    "Judicial district", "State Senate district", "State House district", "County commission (code)",
    "County commission", "Township (code)", "Township", "School district (code)", "School district",
    "Fire district (code)", "Fire district", "Water district (code)", "Water district", "Sewer district (code)",
    "Sewer district", "Sanitation district (code)", "Sanitation district", "Rescue district (code)", "Rescue district",
    "Municipal district (code)", "Municipal district", "District 1 (code)", "District 1", "Voting tabulation district (code)",
    "Voting tabulation district"};

static int add_history(void *context, const pc_voter_history_row_t *row) {
  json_array_append_new(context, json_pack("{s:s, s:s, s:s, s:s}", "date", row->election_date, "election",
                                           row->election_desc, "method", row->method, "county", row->county));
  return 0;
}

static json_t *short_hash(const char *hex) {
  char text[20];
  pc_snprintf(text, sizeof text, "%.16s", hex);
  return json_pack("{s:s, s:s}", "short", hex[0] ? text : "none", "full", hex);
}

static int add_audit(void *context, const pc_voter_audit_row_t *row) {
  json_array_append_new(context, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "seq", (json_int_t)row->seq,
                                           "at", row->recorded_at, "actor", row->actor, "role", row->role, "action",
                                           row->action, "object_type", row->object_type, "object_id", row->object_id,
                                           "before", short_hash(row->before_hash), "after", short_hash(row->after_hash)));
  return 0;
}

static json_t *on_file(int present) { return json_string(present ? "on file" : "not on file"); }

/* Everything the detail page shows about V (never the identity proofs). */
static json_t *voter_json(const pc_voter_t *v) {
  char name[160], today[12], age_text[24] = "";
  pc_voter_pages_name(v, name, sizeof name);
  pc_voters_today(today);
  int age = 0;
  if (v->birth_date[0] && pc_voters_age_on(v->birth_date, today, &age) == 0) pc_snprintf(age_text, sizeof age_text, "%d", age);
  int hidden = v->confidential[0] == 'Y';
  json_t *out = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ncid",
      v->ncid, "name", name, "first_name", v->first_name, "middle_name", v->middle_name, "last_name", v->last_name,
      "suffix", v->name_suffix, "status", v->status, "status_text", pc_voters_status_desc(v->status), "reason",
      v->status_reason, "reason_text", v->status_reason_desc, "status_date", v->status_date, "reg_num", v->voter_reg_num,
      "registered", v->registration_date, "source", v->registration_source, "party", v->party, "race", v->race,
      "ethnicity", v->ethnicity, "gender", v->gender, "birth_state", v->birth_state, "precinct", v->precinct_code,
      "phone", hidden ? "(confidential)" : v->phone);
  json_object_set_new(out, "street", json_string(hidden ? "(confidential)" : v->res_street_address));
  json_object_set_new(out, "city", json_string(hidden ? "" : v->res_city));
  json_object_set_new(out, "state", json_string(v->res_state));
  json_object_set_new(out, "zip", json_string(hidden ? "" : v->res_zip));
  json_t *mail = json_array();
  for (int i = 0; i < 4 && !hidden; i++)
    if (v->mail_addr[i][0]) json_array_append_new(mail, json_string(v->mail_addr[i]));
  if (!hidden && v->mail_city[0])
    json_array_append_new(mail, json_sprintf("%s %s %s", v->mail_city, v->mail_state, v->mail_zip));
  json_object_set_new(out, "has_mail", json_boolean(json_array_size(mail) > 0));
  json_object_set_new(out, "mail", mail);
  json_object_set_new(out, "confidential", json_boolean(hidden));
  json_object_set_new(out, "birth_year", v->birth_year ? json_integer(v->birth_year) : json_string("unknown"));
  json_object_set_new(out, "age", json_string(age_text));
  json_object_set_new(out, "dl_on_file", on_file(v->has_dl_hmac || v->drivers_lic[0] == 'Y'));
  json_object_set_new(out, "ssn_on_file", on_file(v->has_ssn4_hmac));
  json_object_set_new(out, "dob_on_file", on_file(v->birth_date[0] != '\0'));
  json_object_set_new(out, "hava_id_required", json_string(v->hava_id_required ? "yes" : "no"));
  json_object_set_new(out, "citizenship", json_string(v->citizenship_attested ? "yes" : "no"));
  json_t *districts = json_array();
  for (int i = 0; i < PC_VOTER_DISTRICTS; i++)
    if (v->district[i][0])
      json_array_append_new(districts, json_pack("{s:s, s:s}", "label", district_labels[i], "value", v->district[i]));
  json_object_set_new(out, "has_districts", json_boolean(json_array_size(districts) > 0));
  json_object_set_new(out, "districts", districts);
  if (v->merged_into_id) json_object_set_new(out, "merged_into", json_integer(v->merged_into_id));
  if (v->import_batch_id) json_object_set_new(out, "import_batch", json_integer(v->import_batch_id));
  return out;
}

static int detail_page(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_voters_t voters;
  pc_actor_t actor;
  pc_voter_pages_reader(req, &voters, &actor);
  pc_error_t err;
  pc_error_clear(&err);
  pc_voter_t v;
  int rc = pc_voters_find_ncid(&voters, pc_http_request_param(req, "ncid"), &v, &err);
  if (rc != 0) return rc;
  json_t *history = json_array(), *audit = json_array();
  rc = pc_voters_each_history(&voters, v.id, 200, add_history, history, &err);
  if (rc == 0) rc = pc_voters_each_audit(&voters, v.id, 200, add_audit, audit, &err);
  if (rc != 0) {
    json_decref(history);
    json_decref(audit);
    return rc;
  }
  char title[200];
  pc_voter_pages_name(&v, title, sizeof title);
  json_t *context = pc_voter_pages_context(req, title);
  json_object_set_new(context, "voter", voter_json(&v));
  json_object_set_new(context, "has_history", json_boolean(json_array_size(history) > 0));
  json_object_set_new(context, "history", history);
  json_object_set_new(context, "has_audit", json_boolean(json_array_size(audit) > 0));
  json_object_set_new(context, "audit", audit);
  static const char *const saved_messages[][2] = {
      {"registered", "Voter registered."}, {"name", "Name saved."}, {"address", "Address and precinct saved."},
      {"party", "Party saved."}, {"status", "Status changed."}, {"cancel", "Registration cancelled."}};
  const char *saved = pc_http_request_query(req, "saved");
  for (size_t i = 0; saved && i < sizeof saved_messages / sizeof saved_messages[0]; i++)
    if (strcmp(saved, saved_messages[i][0]) == 0) json_object_set_new(context, "saved", json_string(saved_messages[i][1]));
  return pc_app_render(req, resp, 200, "voter_detail", context);
}

const pc_http_route_t pc_app_voter_page_routes[] = {
    {PC_HTTP_GET, "/admin/voters", counties_page, PC_HTTP_READ, NULL},
    {PC_HTTP_GET, "/admin/counties/{county}/voters", search_page, PC_HTTP_READ, "county"},
    {PC_HTTP_GET, "/admin/counties/{county}/voters/{ncid}", detail_page, PC_HTTP_READ, "county"},
};
const size_t pc_app_voter_page_route_count = sizeof pc_app_voter_page_routes / sizeof pc_app_voter_page_routes[0];
