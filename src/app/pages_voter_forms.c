/* Clerks' forms on a county's roll: registering a voter, and changing one
 * (name; address with precinct; party; status with reason; cancellation
 * with reason; move to another county). Every rule is the domain's
 * (src/voters/roll.c); a refused change comes back on the same form with
 * the message beside its field and what was typed kept, except the birth
 * date and ID numbers, which are never written back into a page. */
#include "pages_voters.h"

#include "precinct/counties.h"
#include "precinct/voters_search.h"
#include "precinct/voters_streets.h"

#include <string.h>

static const char *const parties[][2] = {{"UNA", "Unaffiliated"}, {"DEM", "Democratic"},  {"REP", "Republican"},
                                         {"LIB", "Libertarian"},  {"GRE", "Green"},       {"CST", "Constitution"},
                                         {"NLB", "No Labels"},    {"JFA", "Justice for All"}};

static json_t *party_options(const char *chosen) {
  json_t *options = json_array();
  for (size_t i = 0; i < sizeof parties / sizeof parties[0]; i++) {
    json_t *option = json_pack("{s:s, s:s}", "code", parties[i][0], "label", parties[i][1]);
    if (chosen && strcmp(chosen, parties[i][0]) == 0) json_object_set_new(option, "selected", json_true());
    json_array_append_new(options, option);
  }
  return options;
}

/* Status codes an official sets directly (removal is a cancellation) and
 * the NC reason codes that go with each. */
static const char *const statuses[] = {"A", "I", "P", "D", "S"};
static const char *const reasons[] = {"AV", "AA", "AP", "AN", "IN", "IU", "IA", "PR", "DN", "DA"};

static json_t *code_options(const char *const *codes, size_t count, const char *(*describe)(const char *),
                            const char *chosen) {
  json_t *options = json_array();
  for (size_t i = 0; i < count; i++) {
    json_t *option = json_pack("{s:s, s:s}", "code", codes[i], "label", describe(codes[i]));
    if (chosen && strcmp(chosen, codes[i]) == 0) json_object_set_new(option, "selected", json_true());
    json_array_append_new(options, option);
  }
  return options;
}

static json_t *cancel_options(const char *chosen) {
  static const char *const choices[][2] = {{"death", "Death"},
                                           {"request", "The voter's written request"},
                                           {"moved", "Moved out of the state"},
                                           {"felony", "Felony conviction (where state law removes)"},
                                           {"duplicate", "Duplicate of another registration"}};
  json_t *options = json_array();
  for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++) {
    json_t *option = json_pack("{s:s, s:s}", "code", choices[i][0], "label", choices[i][1]);
    if (chosen && strcmp(chosen, choices[i][0]) == 0) json_object_set_new(option, "selected", json_true());
    json_array_append_new(options, option);
  }
  return options;
}

typedef struct county_list {
  json_t *options;
  const char *current, *chosen;
} county_list_t;

static int add_county_option(const pc_county_t *county, void *context) {
  county_list_t *list = context;
  if (strcmp(county->name, list->current) == 0) return 0;
  json_t *option = json_pack("{s:s}", "name", county->name);
  if (strcmp(county->name, list->chosen) == 0) json_object_set_new(option, "selected", json_true());
  json_array_append_new(list->options, option);
  return 0;
}

/* Sets e.FIELD to ERR's message, or e.general when the field is unknown. */
static void field_error(json_t *context, const pc_error_t *err, const char *const (*map)[2], size_t map_count) {
  json_t *errors = json_object_get(context, "e");
  const char *field = err->field[0] ? err->field : "general";
  for (size_t i = 0; i < map_count; i++)
    if (strcmp(map[i][0], field) == 0) field = map[i][1];
  json_object_set_new(errors, field, json_string(err->message));
  static const char *const labels[][2] = {
      {"first_name", "First name"}, {"middle_name", "Middle name"}, {"last_name", "Last name"},
      {"name_suffix", "Suffix"}, {"birth_date", "Date of birth"}, {"res_street_address", "Street address"},
      {"res_city", "City"}, {"res_zip", "ZIP code"}, {"precinct_code", "Precinct"}, {"party", "Party"},
      {"drivers_license", "Licence number"}, {"ssn4", "Last four of SSN"}, {"citizenship", "Citizenship"},
      {"status", "Status"}, {"reason", "Reason"}, {"cancel_reason", "Reason"}, {"duplicate_of", "Registration to keep"},
      {"move_county", "New county"}, {"move_precinct", "Precinct"}, {"move_street", "Street address"},
      {"move_city", "City"}, {"move_zip", "ZIP code"}, {"gender", "Gender"}, {"phone", "Phone"}};
  const char *label = NULL;
  for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
    if (strcmp(labels[i][0], field) == 0) label = labels[i][1];
  char summary[400];
  pc_snprintf(summary, sizeof summary, "%s%s%s", label ? label : "", label ? ": " : "", err->message);
  json_object_set_new(context, "has_errors", json_true());
  json_object_set_new(context, "error_summary", json_string(summary));
}

/* ---- registration ------------------------------------------------------ */

static const char *const register_fields[] = {"first_name", "middle_name", "last_name", "name_suffix",
                                              "res_street_address", "res_city", "res_zip", "precinct_code",
                                              "party", "gender", "phone"};

static int register_form(pc_http_request_t *req, pc_http_response_t *resp, int status, const pc_http_fields_t *form,
                         const pc_error_t *err) {
  pc_voters_t voters;
  pc_actor_t actor;
  pc_voter_pages_reader(req, &voters, &actor);
  json_t *context = pc_voter_pages_context(req, "Register a voter");
  json_t *values = json_object();
  for (size_t i = 0; i < sizeof register_fields / sizeof register_fields[0]; i++)
    json_object_set_new(values, register_fields[i], json_string(pc_voter_pages_field(form, register_fields[i])));
  json_object_set_new(context, "f", values);
  json_object_set_new(context, "e", json_object());
  json_object_set_new(context, "precincts", pc_voter_pages_precincts(&voters, pc_voter_pages_field(form, "precinct_code")));
  json_object_set_new(context, "parties", party_options(form ? pc_voter_pages_field(form, "party") : "UNA"));
  if (form && pc_http_fields_get(form, "mail_registration")) json_object_set_new(context, "mail_checked", json_true());
  if (err) {
    static const char *const map[][2] = {{"citizenship", "citizenship"}, {"county", "general"}, {"ncid", "general"}};
    field_error(context, err, map, sizeof map / sizeof map[0]);
  }
  return pc_app_render(req, resp, status, "voter_register", context);
}

static int register_page(pc_http_request_t *req, pc_http_response_t *resp) {
  return register_form(req, resp, 200, NULL, NULL);
}

static int copy_field(char *out, size_t size, const pc_http_fields_t *form, const char *name, pc_error_t *err) {
  if (pc_strlcpy(out, pc_voter_pages_field(form, name), size) != 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, name, "longer than %zu characters", size - 1);
  return 0;
}

static int register_submit(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  pc_error_t err;
  pc_error_clear(&err);
  pc_voter_application_t app;
  memset(&app, 0, sizeof app);
  pc_voter_t *in = &app.voter;
  rc = copy_field(in->first_name, sizeof in->first_name, form, "first_name", &err);
  if (rc == 0) rc = copy_field(in->middle_name, sizeof in->middle_name, form, "middle_name", &err);
  if (rc == 0) rc = copy_field(in->last_name, sizeof in->last_name, form, "last_name", &err);
  if (rc == 0) rc = copy_field(in->name_suffix, sizeof in->name_suffix, form, "name_suffix", &err);
  if (rc == 0) rc = copy_field(in->birth_date, sizeof in->birth_date, form, "birth_date", &err);
  if (rc == 0) rc = copy_field(in->res_street_address, sizeof in->res_street_address, form, "res_street_address", &err);
  if (rc == 0) rc = copy_field(in->res_city, sizeof in->res_city, form, "res_city", &err);
  if (rc == 0) rc = copy_field(in->res_zip, sizeof in->res_zip, form, "res_zip", &err);
  if (rc == 0) rc = copy_field(in->precinct_code, sizeof in->precinct_code, form, "precinct_code", &err);
  if (rc == 0) rc = copy_field(in->party, sizeof in->party, form, "party", &err);
  if (rc == 0) rc = copy_field(in->gender, sizeof in->gender, form, "gender", &err);
  if (rc == 0) rc = copy_field(in->phone, sizeof in->phone, form, "phone", &err);
  if (rc != 0) return register_form(req, resp, 400, form, &err);
  app.county = pc_http_request_param(req, "county");
  app.drivers_license = pc_voter_pages_field(form, "drivers_license");
  app.ssn4 = pc_voter_pages_field(form, "ssn4");
  app.citizenship_attested = pc_http_fields_get(form, "citizenship") != NULL;
  app.mail_registration = pc_http_fields_get(form, "mail_registration") != NULL;
  /* As on the edit page: a precinct the official picked stands for an
   * address the street index lacks (a new street), never against it. */
  app.precinct_override = in->precinct_code[0] != '\0';
  pc_voters_t voters;
  pc_actor_t actor;
  rc = pc_voter_pages_writer(req, &voters, &actor, &err);
  if (rc != 0) return rc;
  int64_t id = 0;
  rc = pc_voters_register(&voters, &app, &id, &err);
  pc_voter_t created;
  if (rc == 0) rc = pc_voters_get(&voters, id, &created, &err);
  pc_voters_close(&voters);
  memset(&app, 0, sizeof app);
  if (rc == PC_EINVAL || rc == PC_EEXIST || rc == PC_EPERM) return register_form(req, resp, 400, form, &err);
  if (rc != 0) return rc;
  pc_buf_t suffix;
  pc_buf_init(&suffix, 64);
  pc_buf_append_char(&suffix, '/');
  pc_buf_append_urlencoded(&suffix, created.ncid);
  pc_buf_append_str(&suffix, "?saved=registered");
  rc = pc_voter_pages_redirect(req, resp, pc_buf_str(&suffix));
  pc_buf_free(&suffix);
  return rc;
}

/* ---- changes ----------------------------------------------------------- */

/* The edit page for V; FORM and ERR (may be NULL) are the refused SECTION. */
static int edit_form(pc_http_request_t *req, pc_http_response_t *resp, int status, const pc_voter_t *v,
                     const char *section, const pc_http_fields_t *form, const pc_error_t *err) {
  pc_voters_t voters;
  pc_actor_t actor;
  pc_voter_pages_reader(req, &voters, &actor);
  char name[160];
  pc_voter_pages_name(v, name, sizeof name);
  char title[200];
  pc_snprintf(title, sizeof title, "Change %s", name);
  json_t *context = pc_voter_pages_context(req, title);
  json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "first_name", v->first_name,
                        "middle_name", v->middle_name, "last_name", v->last_name, "name_suffix", v->name_suffix,
                        "res_street_address", v->res_street_address, "res_city", v->res_city, "res_zip", v->res_zip,
                        "duplicate_of", "", "move_precinct", "", "move_street", "");
  json_object_set_new(f, "move_city", json_string(""));
  json_object_set_new(f, "move_zip", json_string(""));
  const char *precinct = v->precinct_code, *party = v->party, *new_status = v->status, *reason = v->status_reason,
             *cancel = "", *move_county = "";
  if (form) {
    for (size_t i = 0; i < form->count; i++)
      if (strcmp(form->items[i].name, "csrf_token") != 0 && strcmp(form->items[i].name, "section") != 0)
        json_object_set_new(f, form->items[i].name, json_string(form->items[i].value));
    if (strcmp(section, "address") == 0) precinct = pc_voter_pages_field(form, "precinct_code");
    if (strcmp(section, "party") == 0) party = pc_voter_pages_field(form, "party");
    if (strcmp(section, "status") == 0) new_status = pc_voter_pages_field(form, "status"),
                                       reason = pc_voter_pages_field(form, "reason");
    if (strcmp(section, "cancel") == 0) cancel = pc_voter_pages_field(form, "reason");
    if (strcmp(section, "move") == 0) move_county = pc_voter_pages_field(form, "move_county");
  }
  json_object_set_new(context, "f", f);
  json_object_set_new(context, "e", json_object());
  json_object_set_new(context, "ncid", json_string(v->ncid));
  json_object_set_new(context, "name", json_string(name));
  json_object_set_new(context, "status_text", json_string(pc_voters_status_desc(v->status)));
  json_object_set_new(context, "removed", json_boolean(strcmp(v->status, "R") == 0));
  /* With a street index the address decides: nothing is preselected, so
   * that a new address is not saved with the old precinct. */
  int has_index = 0;
  pc_error_t index_err;
  if (pc_voters_streets_has_index(voters.store, v->county_id, &has_index, &index_err) != 0) has_index = 0;
  if (has_index && form == NULL) precinct = "";
  json_object_set_new(context, "street_index", json_boolean(has_index));
  json_object_set_new(context, "precincts", pc_voter_pages_precincts(&voters, precinct));
  json_object_set_new(context, "parties", party_options(party));
  json_object_set_new(context, "statuses", code_options(statuses, sizeof statuses / sizeof statuses[0],
                                                        pc_voters_status_desc, new_status));
  json_object_set_new(context, "reasons", code_options(reasons, sizeof reasons / sizeof reasons[0],
                                                       pc_voters_reason_desc, reason));
  json_object_set_new(context, "cancel_reasons", cancel_options(cancel));
  county_list_t counties = {json_array(), pc_http_request_param(req, "county"), move_county};
  pc_error_t list_err;
  pc_error_clear(&list_err);
  (void)pc_counties_each(pc_http_request_store(req), add_county_option, &counties, &list_err);
  json_object_set_new(context, "counties", counties.options);
  pc_buf_t href;
  pc_buf_init(&href, 256);
  pc_voter_pages_base(req, &href);
  pc_buf_append_char(&href, '/');
  pc_buf_append_urlencoded(&href, v->ncid);
  json_object_set_new(context, "voter_href", json_string(pc_buf_str(&href)));
  pc_buf_free(&href);
  if (err) {
    static const char *const move_map[][2] = {{"precinct_code", "move_precinct"}, {"res_street_address", "move_street"},
                                              {"res_city", "move_city"},          {"res_zip", "move_zip"},
                                              {"county", "move_county"}};
    static const char *const cancel_map[][2] = {{"reason", "cancel_reason"}};
    if (strcmp(section, "move") == 0) field_error(context, err, move_map, sizeof move_map / sizeof move_map[0]);
    else if (strcmp(section, "cancel") == 0) field_error(context, err, cancel_map, 1);
    else field_error(context, err, NULL, 0);
  }
  return pc_app_render(req, resp, status, "voter_edit", context);
}

static int load_voter(pc_http_request_t *req, pc_voter_t *v) {
  pc_voters_t voters;
  pc_actor_t actor;
  pc_voter_pages_reader(req, &voters, &actor);
  pc_error_t err;
  pc_error_clear(&err);
  return pc_voters_find_ncid(&voters, pc_http_request_param(req, "ncid"), v, &err);
}

static int edit_page(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_voter_t v;
  int rc = load_voter(req, &v);
  if (rc != 0) return rc;
  return edit_form(req, resp, 200, &v, "", NULL, NULL);
}

/* Only non-empty values change a field (an emptied required field is the
 * domain's "is required"). */
static const char *given(const pc_http_fields_t *form, const char *name) {
  return pc_http_fields_get(form, name);
}

static int apply(pc_voters_t *voters, const pc_voter_t *v, const char *section, const pc_http_fields_t *form,
                 int *moved, pc_error_t *err) {
  pc_voter_change_t change;
  memset(&change, 0, sizeof change);
  if (strcmp(section, "name") == 0) {
    change.first_name = given(form, "first_name");
    change.middle_name = given(form, "middle_name");
    change.last_name = given(form, "last_name");
    change.name_suffix = given(form, "name_suffix");
    return pc_voters_update(voters, v->id, &change, err);
  }
  if (strcmp(section, "address") == 0) {
    change.res_street_address = given(form, "res_street_address");
    change.res_city = given(form, "res_city");
    change.res_zip = given(form, "res_zip");
    change.precinct_code = given(form, "precinct_code");
    /* A precinct the clerk picked stands for an address the street index
     * lacks (never against the index); "" lets the index decide. */
    change.precinct_override = change.precinct_code && change.precinct_code[0];
    if (change.res_street_address && change.res_street_address[0] == '\0')
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "res_street_address", "is required");
    return pc_voters_update(voters, v->id, &change, err);
  }
  if (strcmp(section, "party") == 0) {
    change.party = given(form, "party");
    return pc_voters_update(voters, v->id, &change, err);
  }
  if (strcmp(section, "status") == 0) {
    const char *status = pc_voter_pages_field(form, "status"), *reason = pc_voter_pages_field(form, "reason");
    int known = 0;
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) known |= strcmp(status, statuses[i]) == 0;
    if (!known) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "status", "choose a status (removal is a cancellation)");
    if (reason[0] == '\0' && strcmp(status, "S") != 0)
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "reason", "choose the reason for the change");
    if (reason[0] && reason[0] != status[0])
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "reason", "reason %s (%s) does not go with status %s", reason,
                             pc_voters_reason_desc(reason), pc_voters_status_desc(status));
    return pc_voters_set_status(voters, v->id, status, reason, err);
  }
  if (strcmp(section, "cancel") == 0) {
    const char *reason = pc_voter_pages_field(form, "reason"), *other = pc_voter_pages_field(form, "duplicate_of");
    int64_t duplicate_of = 0;
    if (strcmp(reason, "duplicate") == 0) {
      pc_voter_t survivor;
      if (other[0] == '\0' || pc_voters_find_ncid(voters, other, &survivor, err) != 0)
        return pc_error_set_at(err, PC_EINVAL, NULL, 0, "duplicate_of", "enter the NCID of the registration to keep");
      duplicate_of = survivor.id;
    }
    return pc_voters_cancel(voters, v->id, reason, duplicate_of, err);
  }
  if (strcmp(section, "move") == 0) {
    change.county = pc_voter_pages_field(form, "move_county");
    change.precinct_code = pc_voter_pages_field(form, "move_precinct");
    change.res_street_address = pc_voter_pages_field(form, "move_street");
    change.res_city = pc_voter_pages_field(form, "move_city");
    change.res_zip = pc_voter_pages_field(form, "move_zip");
    if (change.county[0] == '\0') return pc_error_set_at(err, PC_EINVAL, NULL, 0, "county", "choose the new county");
    /* Left empty, the new county's street index gives the precinct (the
     * roll refuses the move when that county has none). */
    if (change.precinct_code[0] == '\0') change.precinct_code = NULL;
    change.precinct_override = change.precinct_code != NULL;
    if (change.res_street_address[0] == '\0')
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "res_street_address", "enter the new address");
    *moved = 1;
    return pc_voters_update(voters, v->id, &change, err);
  }
  return pc_error_set(err, PC_EINVAL, "unknown form");
}

static int edit_submit(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  pc_voter_t v;
  rc = load_voter(req, &v);
  if (rc != 0) return rc;
  const char *section = pc_voter_pages_field(form, "section");
  pc_voters_t voters;
  pc_actor_t actor;
  pc_error_t err;
  pc_error_clear(&err);
  rc = pc_voter_pages_writer(req, &voters, &actor, &err);
  if (rc != 0) return rc;
  int moved = 0;
  rc = apply(&voters, &v, section, form, &moved, &err);
  pc_voters_close(&voters);
  if (rc == PC_EINVAL || rc == PC_ESTATE || rc == PC_ENOTFOUND || rc == PC_EEXIST)
    return edit_form(req, resp, rc == PC_ESTATE ? 409 : 400, &v, section, form, &err);
  if (rc != 0) return rc;
  pc_buf_t suffix;
  pc_buf_init(&suffix, 128);
  if (moved) {
    pc_buf_append_str(&suffix, "?moved=");
    pc_buf_append_urlencoded(&suffix, v.ncid);
  } else {
    pc_buf_append_char(&suffix, '/');
    pc_buf_append_urlencoded(&suffix, v.ncid);
    pc_buf_append_str(&suffix, "?saved=");
    pc_buf_append_urlencoded(&suffix, section);
  }
  rc = pc_voter_pages_redirect(req, resp, pc_buf_str(&suffix));
  pc_buf_free(&suffix);
  return rc;
}

const pc_http_route_t pc_app_voter_form_routes[] = {
    {PC_HTTP_GET, "/admin/counties/{county}/voters/new", register_page, PC_HTTP_WRITE, "county"},
    {PC_HTTP_POST, "/admin/counties/{county}/voters/new", register_submit, PC_HTTP_WRITE, "county"},
    {PC_HTTP_GET, "/admin/counties/{county}/voters/{ncid}/edit", edit_page, PC_HTTP_WRITE, "county"},
    {PC_HTTP_POST, "/admin/counties/{county}/voters/{ncid}/edit", edit_submit, PC_HTTP_WRITE, "county"},
};
const size_t pc_app_voter_form_route_count = sizeof pc_app_voter_form_routes / sizeof pc_app_voter_form_routes[0];
