/* The county's online-registration review page: applications waiting for a
 * decision (name, birth year, address, what ID was given, never the ID
 * numbers or birth date), a possible match on the roll, the precinct the
 * county's street index gives the address, and Approve (with the precinct
 * chosen when the index gives none) / Deny (with a reason) buttons; "Verify waiting" runs the
 * verification step for the county. CSRF and county scope: authorize.c. */
#include "app_internal.h"

#include "precinct/auth.h"
#include "precinct/buf.h"
#include "precinct/voters_applications.h"

#include <string.h>

static const char *const reason_labels[][2] = {
    {"not_eligible_age", "Not old enough"},
    {"not_citizen", "Citizenship not attested"},
    {"not_resident", "Address not in this county"},
    {"duplicate", "Already registered (duplicate)"},
    {"identity_not_verified", "Identity could not be verified"},
    {"incomplete", "Incomplete"},
    {"withdrawn", "Withdrawn by the applicant"},
};

void pc_app_county_roll(pc_http_request_t *req, struct pc_voters *voters, pc_actor_t *actor) {
  pc_auth_actor(pc_app_principal(req), actor);
  pc_voters_open_reader(voters, pc_http_request_store(req), actor, pc_http_request_param(req, "county"));
}

static int add_app(void *context, const pc_voter_app_summary_t *a) {
  json_t *item = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "id", (json_int_t)a->id, "confirmation",
                           a->confirmation, "kind", a->kind, "status", a->status, "name", a->name, "birth_year",
                           (json_int_t)a->birth_year, "address", a->address, "party", a->party, "submitted_at",
                           a->submitted_at);
  const char *id_given = a->has_dl && a->has_ssn4 ? "licence and SSN4"
                         : a->has_dl              ? "licence"
                         : a->has_ssn4            ? "SSN4"
                                                  : "none (HAVA ID required at first vote)";
  json_object_set_new(item, "id_given", json_string(id_given));
  if (strcmp(a->kind, "new") == 0) json_object_set_new(item, "is_new", json_true());
  if (strcmp(a->kind, "update") == 0)
    json_object_set_new(item, "previous", json_pack("{s:s, s:s}", "last_name", a->prev_last_name, "zip", a->prev_zip));
  if (a->cancel_requested) json_object_set_new(item, "cancel_requested", json_true());
  if (a->review_note[0]) json_object_set_new(item, "note", json_string(a->review_note));
  if (a->street_index == PC_APP_STREETS_FOUND)
    json_object_set_new(item, "index_precinct", json_pack("{s:s, s:s}", "code", a->street_precinct, "name", ""));
  if (a->street_index == PC_APP_STREETS_NOT_IN_INDEX) json_object_set_new(item, "not_in_index", json_true());
  if (a->match_voter_id)
    json_object_set_new(item, "match",
                        json_pack("{s:s, s:s, s:s}", "ncid", a->match_ncid, "name", a->match_name, "score", a->match_score));
  json_array_append_new(context, item);
  return 0;
}

static int add_precinct(void *context, const char *code, const char *name) {
  json_array_append_new(context, json_pack("{s:s, s:s}", "code", code, "name", name));
  return 0;
}

static void county_path(pc_http_request_t *req, pc_buf_t *out, const char *suffix) {
  pc_buf_init(out, 256);
  pc_buf_append_str(out, "/admin/counties/");
  pc_buf_append_urlencoded(out, pc_http_request_param(req, "county"));
  pc_buf_append_str(out, suffix);
}

static int render(pc_http_request_t *req, pc_http_response_t *resp, int status, const char *notice) {
  pc_voters_t voters;
  pc_actor_t actor;
  pc_app_county_roll(req, &voters, &actor);
  pc_error_t err;
  pc_error_clear(&err);
  json_t *apps = json_array(), *precincts = json_array();
  int rc = pc_voters_app_each_open(&voters, 200, 1, add_app, apps, &err);
  if (rc == 0) rc = pc_voters_app_precincts(&voters, add_precinct, precincts, &err);
  if (rc != 0) {
    json_decref(apps);
    json_decref(precincts);
    return rc;
  }
  json_t *reasons = json_array();
  for (size_t i = 0; i < sizeof reason_labels / sizeof reason_labels[0]; i++)
    json_array_append_new(reasons, json_pack("{s:s, s:s}", "code", reason_labels[i][0], "label", reason_labels[i][1]));
  json_t *context = pc_app_page_context(req, "Registration applications", NULL);
  pc_buf_t base;
  county_path(req, &base, "/applications");
  json_object_set_new(context, "base", json_string(pc_buf_str(&base)));
  pc_buf_free(&base);
  json_object_set_new(context, "county", json_string(pc_http_request_param(req, "county")));
  json_object_set_new(context, "has_apps", json_boolean(json_array_size(apps) > 0));
  json_object_set_new(context, "apps", apps);
  json_object_set_new(context, "precincts", precincts);
  json_object_set_new(context, "reasons", reasons);
  if (notice) json_object_set_new(context, "notice", json_string(notice));
  return pc_app_render(req, resp, status, "applications", context);
}

static int applications_page(pc_http_request_t *req, pc_http_response_t *resp) {
  const char *done = pc_http_request_query(req, "done");
  const char *notice = done == NULL                       ? NULL
                       : strcmp(done, "approved") == 0    ? "Application approved."
                       : strcmp(done, "denied") == 0      ? "Application denied."
                       : strcmp(done, "processed") == 0   ? "Waiting applications verified."
                                                          : NULL;
  return render(req, resp, 200, notice);
}

static int back_to_list(pc_http_request_t *req, pc_http_response_t *resp, const char *done) {
  pc_buf_t location;
  county_path(req, &location, "/applications?done=");
  pc_buf_append_str(&location, done);
  int rc = pc_http_reply_redirect(resp, pc_buf_str(&location));
  pc_buf_free(&location);
  return rc;
}

static int decide(pc_http_request_t *req, pc_http_response_t *resp, int approve) {
  long long id;
  if (pc_parse_int64(pc_http_request_param(req, "id"), 1, INT64_MAX, &id) != 0) return PC_EINVAL;
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  pc_voters_t voters;
  pc_actor_t actor;
  pc_app_county_roll(req, &voters, &actor);
  pc_error_t err;
  pc_error_clear(&err);
  int64_t voter_id = 0;
  rc = approve ? pc_voters_app_approve(&voters, id, pc_http_fields_get(form, "precinct_code"),
                                       pc_http_fields_get(form, "mail_confirmed") != NULL, &voter_id, &err)
               : pc_voters_app_deny(&voters, id, pc_http_fields_get(form, "reason"), &err);
  if (rc == PC_ENOTFOUND) return render(req, resp, 404, err.message);
  if (rc == PC_ESTATE || rc == PC_EINVAL || rc == PC_EEXIST || rc == PC_EPERM)
    return render(req, resp, rc == PC_EINVAL ? 400 : 409, err.message);
  if (rc != 0) return rc;
  return back_to_list(req, resp, approve ? "approved" : "denied");
}

static int approve(pc_http_request_t *req, pc_http_response_t *resp) { return decide(req, resp, 1); }
static int deny(pc_http_request_t *req, pc_http_response_t *resp) { return decide(req, resp, 0); }

static int process(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_voters_t voters;
  pc_actor_t actor;
  pc_app_county_roll(req, &voters, &actor);
  pc_error_t err;
  pc_error_clear(&err);
  int64_t processed = 0;
  int rc = pc_voters_app_process(&voters, 1000, &processed, &err);
  if (rc != 0) return rc;
  return back_to_list(req, resp, "processed");
}

const pc_http_route_t pc_app_application_routes[] = {
    {PC_HTTP_GET, "/admin/counties/{county}/applications", applications_page, PC_HTTP_WRITE, "county"},
    {PC_HTTP_POST, "/admin/counties/{county}/applications/process", process, PC_HTTP_WRITE, "county"},
    {PC_HTTP_POST, "/admin/counties/{county}/applications/{id}/approve", approve, PC_HTTP_WRITE, "county"},
    {PC_HTTP_POST, "/admin/counties/{county}/applications/{id}/deny", deny, PC_HTTP_WRITE, "county"},
};
const size_t pc_app_application_route_count = sizeof pc_app_application_routes / sizeof pc_app_application_routes[0];
