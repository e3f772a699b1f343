/* Election definition pages, part one: the list of elections and the form
 * that creates one, an election's overview (its details form, what is
 * missing before it can be used, links to its parts), the ERR JSON
 * download, and the form helpers the object pages share. Every change goes
 * through pc_elections_create / pc_elections_edit (src/elections/edit.c). */
#include "pages_elections.h"

#include "precinct/auth.h"
#include "precinct/buf.h"
#include "precinct/counties.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ----------------------------------------------------- */

int pc_app_election_load(pc_http_request_t *req, pc_election_model_t *model) {
  long long id;
  if (pc_parse_int64(pc_http_request_param(req, "election"), 1, INT64_MAX, &id) != 0) return PC_ENOTFOUND;
  return pc_elections_load(pc_http_request_store(req), id, model, NULL);
}

static const char *form_get(void *context, const char *name, size_t index) {
  const pc_http_fields_t *form = context;
  for (size_t i = 0; i < form->count; i++)
    if (strcmp(form->items[i].name, name) == 0 && index-- == 0) return form->items[i].value;
  return NULL;
}

pc_elections_values_t pc_app_election_form_reader(const pc_http_fields_t *form) {
  return (pc_elections_values_t){form_get, (void *)form};
}

json_t *pc_app_election_form_values(const pc_http_fields_t *form, const field_spec_t *specs, size_t count) {
  json_t *values = json_object();
  for (size_t s = 0; s < count; s++) {
    if (specs[s].type == F_CHECKBOXES) {
      json_t *list = json_array();
      const char *value;
      for (size_t i = 0; (value = form_get((void *)form, specs[s].name, i)) != NULL; i++)
        json_array_append_new(list, json_string(value));
      json_object_set_new(values, specs[s].name, list);
    } else {
      const char *value = form_get((void *)form, specs[s].name, 0);
      json_object_set_new(values, specs[s].name, json_string(value ? value : ""));
    }
  }
  return values;
}

json_t *pc_app_option(const char *value, const char *label) {
  return json_pack("{s:s, s:s}", "option_value", value, "option_label", label);
}

static int list_has(json_t *list, const char *value) {
  size_t i;
  json_t *item;
  json_array_foreach(list, i, item) if (json_is_string(item) && strcmp(json_string_value(item), value) == 0) return 1;
  return 0;
}

json_t *pc_app_election_fields(const char *id_prefix, const field_spec_t *specs, size_t count, json_t *values,
                               json_t *options, const pc_error_t *err, const char **unplaced) {
  static const char *const input_types[] = {"text", "number", "date"};
  json_t *fields = json_array();
  int placed = 0;
  for (size_t s = 0; s < count; s++) {
    const field_spec_t *spec = &specs[s];
    json_t *value = json_object_get(values, spec->name);
    char id[80];
    pc_snprintf(id, sizeof id, "%s-%s", id_prefix, spec->name);
    json_t *field = json_pack("{s:s, s:s, s:s, s:b}", "field_name", spec->name, "field_label", spec->label, "field_id",
                              id, "field_required", spec->required);
    pc_buf_t describedby;
    pc_buf_init(&describedby, 256);
    if (spec->hint) {
      json_object_set_new(field, "field_hint", json_string(spec->hint));
      pc_buf_appendf(&describedby, "%s-hint", id);
    }
    if (err && err->code && err->field[0] && strcmp(err->field, spec->name) == 0) {
      json_object_set_new(field, "field_error", json_string(err->message));
      pc_buf_appendf(&describedby, "%s%s-error", spec->hint ? " " : "", id);
      placed = 1;
    }
    if (pc_buf_str(&describedby)[0]) json_object_set_new(field, "field_describedby", json_string(pc_buf_str(&describedby)));
    pc_buf_free(&describedby);
    const char *text = json_is_string(value) ? json_string_value(value) : "";
    switch (spec->type) {
    case F_TEXT:
    case F_NUMBER:
    case F_DATE:
      json_object_set_new(field, "is_input", json_true());
      json_object_set_new(field, "input_type", json_string(input_types[spec->type]));
      json_object_set_new(field, "field_value", json_string(text));
      break;
    case F_TEXTAREA:
      json_object_set_new(field, "is_textarea", json_true());
      json_object_set_new(field, "field_value", json_string(text));
      break;
    case F_CHECKBOX:
      json_object_set_new(field, "is_checkbox", json_true());
      json_object_set_new(field, "field_checked", json_boolean(strcmp(text, "1") == 0));
      break;
    case F_SELECT:
    case F_CHECKBOXES: {
      json_object_set_new(field, spec->type == F_SELECT ? "is_select" : "is_checkboxes", json_true());
      json_t *list = json_deep_copy(json_object_get(options, spec->name));
      if (!list) list = json_array();
      size_t i;
      json_t *option;
      json_array_foreach(list, i, option) {
        const char *option_value = json_string_value(json_object_get(option, "option_value"));
        int selected = spec->type == F_SELECT ? strcmp(option_value, text) == 0 : list_has(value, option_value);
        json_object_set_new(option, "option_selected", json_boolean(selected));
        char option_id[120];
        pc_snprintf(option_id, sizeof option_id, "%s-%zu", id, i);
        json_object_set_new(option, "option_id", json_string(option_id));
      }
      json_object_set_new(field, "options", list);
      break;
    }
    }
    if (spec->type != F_CHECKBOX && spec->type != F_CHECKBOXES) json_object_set_new(field, "is_plain", json_true());
    json_array_append_new(fields, field);
  }
  *unplaced = err && err->code && !placed ? err->message : NULL;
  return fields;
}

json_t *pc_app_election_form(const char *action, const char *submit, json_t *fields, const char *form_error) {
  json_t *form = json_pack("{s:s, s:s, s:o}", "form_action", action, "submit_label", submit, "fields", fields);
  if (form_error) json_object_set_new(form, "form_error", json_string(form_error));
  /* A summary above the form links to the field in error. */
  size_t i;
  json_t *field;
  json_array_foreach(fields, i, field) {
    const char *message = json_string_value(json_object_get(field, "field_error"));
    if (!message) continue;
    char href[96];
    pc_snprintf(href, sizeof href, "#%s", json_string_value(json_object_get(field, "field_id")));
    json_object_set_new(form, "error_summary",
                        json_pack("{s:s, s:O, s:s}", "summary_href", href, "summary_label",
                                  json_object_get(field, "field_label"), "summary_message", message));
    break;
  }
  return form;
}

void pc_app_election_href(char *out, size_t size, int64_t election, const char *suffix) {
  pc_snprintf(out, size, "/admin/elections/%lld%s", (long long)election, suffix);
}

json_t *pc_app_election_context(pc_http_request_t *req, const pc_election_model_t *model, const char *title) {
  json_t *context = pc_app_page_context(req, title, "/admin/elections");
  char href[64];
  pc_app_election_href(href, sizeof href, model->election.id, "");
  json_object_set_new(context, "election_name", json_string(model->election.name));
  json_object_set_new(context, "election_href", json_string(href));
  int live = strcmp(model->election.mode, "live") == 0;
  json_object_set_new(context, "live", json_boolean(live));
  const char *notice = pc_http_request_query(req, "notice");
  if (notice && (strcmp(notice, "saved") == 0 || strcmp(notice, "added") == 0 || strcmp(notice, "deleted") == 0 ||
                 strcmp(notice, "moved") == 0)) {
    char text[64];
    pc_snprintf(text, sizeof text, "%c%s.", notice[0] - 'a' + 'A', notice + 1);
    json_object_set_new(context, "notice", json_string(text));
  }
  return context;
}

int pc_app_election_status(int rc) { return rc == PC_ELIMIT ? 413 : pc_http_status_for_error(rc); }

/* ---- the list of elections and creating one ----------------------------- */

static const field_spec_t election_fields[] = {
    {"name", "Name", "As voters will read it, e.g. \"2026 General Election\".", F_TEXT, 1},
    {"date", "Election day", "YYYY-MM-DD", F_DATE, 1},
    {"type", "Type", NULL, F_SELECT, 1},
    {"jurisdiction", "Jurisdiction", "The state's name.", F_TEXT, 1},
    {"poll_close_at", "Polls close",
     "Date, time and UTC offset, e.g. 2026-11-03T20:00:00-05:00. Results cannot be published before it.", F_TEXT, 0},
};
#define ELECTION_FIELD_COUNT (sizeof election_fields / sizeof election_fields[0])

static json_t *election_options(void) {
  static const char *const types[][2] = {{"general", "General"},
                                         {"primary", "Primary"},
                                         {"partisan-primary-closed", "Closed partisan primary"},
                                         {"partisan-primary-open", "Open partisan primary"},
                                         {"runoff", "Runoff"},
                                         {"special", "Special"},
                                         {"other", "Other"}};
  json_t *list = json_array();
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) json_array_append_new(list, pc_app_option(types[i][0], types[i][1]));
  return json_pack("{s:o}", "type", list);
}

static int list_elections(pc_store_t *store, json_t *rows, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT id, name, election_date, election_type, mode FROM elections ORDER BY election_date DESC,"
                            " id DESC",
                            &stmt, err);
  if (rc != 0) return rc;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    char href[64];
    pc_app_election_href(href, sizeof href, pc_stmt_column_int64(stmt, 0), "");
    json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s}", "href", href, "name",
                                          pc_stmt_column_text(stmt, 1), "date", pc_stmt_column_text(stmt, 2), "type",
                                          pc_stmt_column_text(stmt, 3), "mode", pc_stmt_column_text(stmt, 4)));
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

static int render_elections(pc_http_request_t *req, pc_http_response_t *resp, int status, json_t *values,
                            const pc_error_t *err) {
  pc_error_t list_err;
  pc_error_clear(&list_err);
  json_t *rows = json_array();
  int rc = list_elections(pc_http_request_store(req), rows, &list_err);
  if (rc != 0) {
    json_decref(rows);
    json_decref(values);
    return rc;
  }
  json_t *options = election_options();
  const char *unplaced;
  json_t *fields = pc_app_election_fields("f", election_fields, ELECTION_FIELD_COUNT, values, options, err, &unplaced);
  json_decref(options);
  json_decref(values);
  json_t *context = pc_app_page_context(req, "Elections", "/admin/elections");
  json_object_set_new(context, "elections", rows);
  json_object_set_new(context, "has_elections", json_boolean(json_array_size(rows) > 0));
  if (pc_auth_authorize(pc_app_principal(req), PC_ACCESS_STATE, 0) == 0)
    json_object_set_new(context, "form", pc_app_election_form("/admin/elections", "Create election", fields, unplaced));
  else
    json_decref(fields);
  return pc_app_render(req, resp, status, "elections", context);
}

static int elections_page(pc_http_request_t *req, pc_http_response_t *resp) {
  json_t *values = json_pack("{s:s}", "type", "general");
  return render_elections(req, resp, 200, values, NULL);
}

static int elections_create(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  pc_actor_t actor;
  pc_auth_actor(pc_app_principal(req), &actor);
  pc_elections_values_t values = pc_app_election_form_reader(form);
  pc_error_t err;
  pc_error_clear(&err);
  int64_t id = 0;
  rc = pc_elections_create(pc_http_request_store(req), &actor, &values, &id, &err);
  if (rc == PC_EINVAL)
    return render_elections(req, resp, 400, pc_app_election_form_values(form, election_fields, ELECTION_FIELD_COUNT),
                            &err);
  if (rc != 0) return rc;
  char href[96];
  pc_app_election_href(href, sizeof href, id, "?notice=added");
  return pc_http_reply_redirect(resp, href);
}

/* ---- one election: overview and details --------------------------------- */

static json_t *election_values(const pc_election_t *e) {
  return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", e->name, "date", e->date, "type", e->type, "jurisdiction",
                   e->jurisdiction, "poll_close_at", e->poll_close_at);
}

static void add_part(json_t *parts, int64_t election, const char *slug, const char *label, size_t count) {
  char href[96], suffix[48];
  pc_snprintf(suffix, sizeof suffix, "/%s", slug);
  pc_app_election_href(href, sizeof href, election, suffix);
  json_array_append_new(parts, json_pack("{s:s, s:s, s:I}", "href", href, "label", label, "count", (json_int_t)count));
}

typedef struct county_links {
  json_t *links;
  int64_t election;
  const pc_principal_t *who;
} county_links_t;

static int add_county_link(const pc_county_t *county, void *context) {
  county_links_t *c = context;
  if (pc_auth_authorize(c->who, PC_ACCESS_ADMIN, county->id) != 0) return 0;
  pc_buf_t href;
  pc_buf_init(&href, 512);
  pc_buf_appendf(&href, "/admin/elections/%lld/counties/", (long long)c->election);
  pc_buf_append_urlencoded(&href, county->name);
  pc_buf_append_str(&href, "/polling-places");
  json_array_append_new(c->links, json_pack("{s:s, s:s}", "href", pc_buf_str(&href), "label", county->name));
  pc_buf_free(&href);
  return 0;
}

static int render_election(pc_http_request_t *req, pc_http_response_t *resp, int status, pc_election_model_t *m,
                           json_t *values, const pc_error_t *err) {
  json_t *context = pc_app_election_context(req, m, m->election.name);
  const pc_principal_t *who = pc_app_principal(req);
  int state_admin = pc_auth_authorize(who, PC_ACCESS_STATE, 0) == 0;
  json_object_set_new(context, "election", json_pack("{s:s, s:s, s:s, s:s}", "code", m->election.code, "mode",
                                                     m->election.mode, "date", m->election.date, "poll_close_at",
                                                     m->election.poll_close_at[0] ? m->election.poll_close_at : "not set"));
  /* What an import would still refuse: the election is not ready yet. */
  pc_error_t readiness;
  pc_error_clear(&readiness);
  if (m->precinct_count == 0) pc_error_set(&readiness, PC_EINVAL, "no precincts yet");
  else if (m->contest_count == 0) pc_error_set(&readiness, PC_EINVAL, "no contests yet");
  for (size_t c = 0; !readiness.code && c < m->contest_count; c++)
    if (m->contests[c].choice_count == 0)
      pc_error_set(&readiness, PC_EINVAL, "contest \"%s\" has no candidates or choices yet", m->contests[c].name);
  for (size_t p = 0; !readiness.code && p < m->precinct_count; p++)
    if (m->precincts[p].ballot_style < 0)
      pc_error_set(&readiness, PC_EINVAL, "precinct \"%s\" has no ballot style yet", m->precincts[p].name);
  if (readiness.code) json_object_set_new(context, "not_ready", json_string(readiness.message));
  if (state_admin) {
    json_t *parts = json_array();
    add_part(parts, m->election.id, "contests", "Contests", m->contest_count);
    add_part(parts, m->election.id, "parties", "Parties", m->party_count);
    add_part(parts, m->election.id, "districts", "Districts", m->district_count);
    add_part(parts, m->election.id, "precincts", "Precincts", m->precinct_count);
    add_part(parts, m->election.id, "ballot-styles", "Ballot styles", m->ballot_style_count);
    json_object_set_new(context, "parts", parts);
    json_object_set_new(context, "has_parts", json_true());
    json_t *options = election_options();
    const char *unplaced;
    json_t *fields = pc_app_election_fields("f", election_fields, ELECTION_FIELD_COUNT, values, options, err, &unplaced);
    json_decref(options);
    char action[64];
    pc_app_election_href(action, sizeof action, m->election.id, "");
    json_object_set_new(context, "form", pc_app_election_form(action, "Save election", fields, unplaced));
  }
  json_decref(values);
  county_links_t links = {json_array(), m->election.id, who};
  pc_error_t list_err;
  pc_error_clear(&list_err);
  int rc = pc_counties_each(pc_http_request_store(req), add_county_link, &links, &list_err);
  json_object_set_new(context, "has_counties", json_boolean(json_array_size(links.links) > 0));
  json_object_set_new(context, "counties", links.links);
  char export_href[96];
  pc_app_election_href(export_href, sizeof export_href, m->election.id, "/export.json");
  json_object_set_new(context, "export_href", json_string(export_href));
  pc_elections_model_free(m);
  if (rc != 0) {
    json_decref(context);
    return rc;
  }
  return pc_app_render(req, resp, status, "election", context);
}

static int election_page(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_election_model_t m;
  int rc = pc_app_election_load(req, &m);
  if (rc != 0) return rc;
  return render_election(req, resp, 200, &m, election_values(&m.election), NULL);
}

static int election_update(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  pc_election_model_t m;
  rc = pc_app_election_load(req, &m);
  if (rc != 0) return rc;
  pc_actor_t actor;
  pc_auth_actor(pc_app_principal(req), &actor);
  pc_elections_edit_t edit = {PC_EDIT_ELECTION, PC_EDIT_UPDATE, m.election.id, 0, 0, pc_app_election_form_reader(form)};
  pc_error_t err;
  pc_error_clear(&err);
  rc = pc_elections_edit(pc_http_request_store(req), &actor, m.election.id, &edit, NULL, &err);
  if (rc == PC_EINVAL || rc == PC_ESTATE)
    return render_election(req, resp, pc_app_election_status(rc), &m,
                           pc_app_election_form_values(form, election_fields, ELECTION_FIELD_COUNT), &err);
  int64_t id = m.election.id;
  pc_elections_model_free(&m);
  if (rc != 0) return rc;
  char href[96];
  pc_app_election_href(href, sizeof href, id, "?notice=saved");
  return pc_http_reply_redirect(resp, href);
}

/* The definition as NIST SP 1500-100 ERR JSON, as `precinct elections export` writes it. */
static int election_export(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_election_model_t m;
  int rc = pc_app_election_load(req, &m);
  if (rc != 0) return rc;
  char *json = NULL;
  size_t length = 0;
  pc_error_t err;
  pc_error_clear(&err);
  rc = pc_elections_export_err(&m, &json, &length, &err);
  char disposition[160];
  pc_snprintf(disposition, sizeof disposition, "attachment; filename=\"election-%lld-err.json\"", (long long)m.election.id);
  pc_elections_model_free(&m);
  if (rc != 0) return rc;
  pc_buf_t body;
  pc_buf_init(&body, 0);
  rc = pc_buf_append(&body, json, length);
  free(json);
  if (rc != 0) {
    pc_buf_free(&body);
    return rc;
  }
  pc_http_reply_html(resp, 200, &body);
  resp->content_type = "application/json";
  return pc_http_response_add_header(resp, "Content-Disposition", disposition);
}

const pc_http_route_t pc_app_election_routes[] = {
    {PC_HTTP_GET, "/admin/elections", elections_page, PC_HTTP_READ, NULL},
    {PC_HTTP_POST, "/admin/elections", elections_create, PC_HTTP_STATE, NULL},
    {PC_HTTP_GET, "/admin/elections/{election}", election_page, PC_HTTP_READ, NULL},
    {PC_HTTP_POST, "/admin/elections/{election}", election_update, PC_HTTP_STATE, NULL},
    {PC_HTTP_GET, "/admin/elections/{election}/export.json", election_export, PC_HTTP_READ, NULL},
};
const size_t pc_app_election_route_count = sizeof pc_app_election_routes / sizeof pc_app_election_routes[0];
