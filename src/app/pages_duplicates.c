/* The duplicate-registration review page of a county: open candidate pairs
 * side by side (names, birth year, address, registration date and status;
 * never a birth date or ID number) with Merge and Dismiss buttons (CSRF
 * checked by the authorization hook). Detection is the CLI's job. */
#include "app_internal.h"

#include "precinct/auth.h"
#include "precinct/buf.h"
#include "precinct/voters.h"
#include "precinct/voters_tools.h"

#include <string.h>

static json_t *side(const pc_voter_t *v) {
  char name[128];
  pc_snprintf(name, sizeof name, "%s %s%s%s%s%s", v->first_name, v->middle_name, v->middle_name[0] ? " " : "",
              v->last_name, v->name_suffix[0] ? " " : "", v->name_suffix);
  int hidden = v->confidential[0] == 'Y';
  return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "ncid", v->ncid, "name", name, "birth_year",
                   (json_int_t)v->birth_year, "street", hidden ? "(confidential)" : v->res_street_address, "city",
                   hidden ? "" : v->res_city, "zip", hidden ? "" : v->res_zip, "registered", v->registration_date,
                   "status", v->status);
}

static int add_pair(void *context, int64_t id, const char *score, const pc_voter_t *a, const pc_voter_t *b) {
  json_array_append_new(context, json_pack("{s:I, s:s, s:o, s:o}", "id", (json_int_t)id, "score", score, "a",
                                           side(a), "b", side(b)));
  return 0;
}

static int render(pc_http_request_t *req, pc_http_response_t *resp, int status, const char *notice) {
  pc_voters_t voters;
  pc_actor_t actor;
  pc_app_county_roll(req, &voters, &actor);
  pc_error_t err;
  pc_error_clear(&err);
  json_t *pairs = json_array();
  int rc = pc_voters_dedup_each_open(&voters, 100, add_pair, pairs, &err);
  if (rc != 0) {
    json_decref(pairs);
    return rc;
  }
  json_t *context = pc_app_page_context(req, "Duplicate review", NULL);
  json_object_set_new(context, "county", json_string(pc_http_request_param(req, "county")));
  json_object_set_new(context, "has_pairs", json_boolean(json_array_size(pairs) > 0));
  json_object_set_new(context, "pairs", pairs);
  if (notice) json_object_set_new(context, "notice", json_string(notice));
  return pc_app_render(req, resp, status, "duplicates", context);
}

static int duplicates_page(pc_http_request_t *req, pc_http_response_t *resp) { return render(req, resp, 200, NULL); }

static int decide(pc_http_request_t *req, pc_http_response_t *resp, const char *decision) {
  long long id;
  if (pc_parse_int64(pc_http_request_param(req, "id"), 1, INT64_MAX, &id) != 0) return PC_EINVAL;
  pc_voters_t voters;
  pc_actor_t actor;
  pc_app_county_roll(req, &voters, &actor);
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_voters_dedup_decide(&voters, id, decision, &err);
  if (rc == PC_ENOTFOUND || rc == PC_ESTATE) return render(req, resp, rc == PC_ENOTFOUND ? 404 : 409, err.message);
  if (rc != 0) return rc;
  pc_buf_t location;
  pc_buf_init(&location, 256);
  pc_buf_append_str(&location, "/admin/counties/");
  pc_buf_append_urlencoded(&location, pc_http_request_param(req, "county"));
  pc_buf_append_str(&location, "/duplicates");
  rc = pc_http_reply_redirect(resp, pc_buf_str(&location));
  pc_buf_free(&location);
  return rc;
}

static int merge(pc_http_request_t *req, pc_http_response_t *resp) { return decide(req, resp, "merge"); }
static int dismiss(pc_http_request_t *req, pc_http_response_t *resp) { return decide(req, resp, "dismiss"); }

const pc_http_route_t pc_app_duplicate_routes[] = {
    {PC_HTTP_GET, "/admin/counties/{county}/duplicates", duplicates_page, PC_HTTP_WRITE, "county"},
    {PC_HTTP_POST, "/admin/counties/{county}/duplicates/{id}/merge", merge, PC_HTTP_WRITE, "county"},
    {PC_HTTP_POST, "/admin/counties/{county}/duplicates/{id}/dismiss", dismiss, PC_HTTP_WRITE, "county"},
};
const size_t pc_app_duplicate_route_count = sizeof pc_app_duplicate_routes / sizeof pc_app_duplicate_routes[0];
