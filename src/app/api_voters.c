/* JSON API over the voter roll, read side: one voter and a name search,
 * both inside the county in the path (the authorization hook checks the
 * caller may read that county). Identity-proof fields are never in the
 * answer: birth year only, and whether an ID number is on file. */
#include "app_internal.h"

#include "precinct/auth.h"
#include "precinct/voters.h"

#include <string.h>

json_t *pc_app_voter_json(const pc_voter_t *v) {
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:s, s:s, s:s, s:s, s:I, s:s, s:b, s:b, s:b}",
                   "ncid", v->ncid, "last_name", v->last_name, "first_name", v->first_name, "middle_name",
                   v->middle_name, "suffix", v->name_suffix, "status", v->status, "residence", "street",
                   v->confidential[0] == 'Y' ? "" : v->res_street_address, "city",
                   v->confidential[0] == 'Y' ? "" : v->res_city, "state", v->res_state, "zip",
                   v->confidential[0] == 'Y' ? "" : v->res_zip, "status_reason", v->status_reason, "precinct",
                   v->precinct_code, "party", v->party, "registration_date", v->registration_date, "birth_year",
                   (json_int_t)v->birth_year, "registration_number", v->voter_reg_num, "id_on_file",
                   v->has_dl_hmac || v->has_ssn4_hmac, "hava_id_required", (int)v->hava_id_required, "confidential",
                   v->confidential[0] == 'Y');
}

static void open_reader(pc_http_request_t *req, pc_voters_t *voters, pc_actor_t *actor) {
  pc_auth_actor(pc_app_principal(req), actor);
  pc_voters_open_reader(voters, pc_http_request_store(req), actor, pc_http_request_param(req, "county"));
}

static int voter_get(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  pc_voters_t voters;
  pc_actor_t actor;
  open_reader(req, &voters, &actor);
  pc_voter_t v;
  int rc = pc_voters_find_ncid(&voters, pc_http_request_param(req, "ncid"), &v, &err);
  if (rc != 0) {
    pc_http_reply_error(resp, &err);
    return 0;
  }
  pc_http_reply_json(resp, 200, pc_app_voter_json(&v));
  return 0;
}

static int add_voter(void *context, const pc_voter_t *voter) {
  json_array_append_new(context, pc_app_voter_json(voter));
  return 0;
}

static int voter_search(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  pc_voters_t voters;
  pc_actor_t actor;
  open_reader(req, &voters, &actor);
  const char *last = pc_http_request_query(req, "last");
  const char *first = pc_http_request_query(req, "first");
  json_t *list = json_array();
  int rc = pc_voters_search(&voters, last ? last : "", first ? first : "", 50, add_voter, list, &err);
  if (rc != 0) {
    json_decref(list);
    pc_http_reply_error(resp, &err);
    return 0;
  }
  pc_http_reply_json(resp, 200, json_pack("{s:o}", "voters", list));
  return 0;
}

const pc_http_route_t pc_app_voter_routes[] = {
    {PC_HTTP_GET, "/api/counties/{county}/voters", voter_search, PC_HTTP_READ, "county"},
    {PC_HTTP_GET, "/api/counties/{county}/voters/{ncid}", voter_get, PC_HTTP_READ, "county"},
};
const size_t pc_app_voter_route_count = sizeof pc_app_voter_routes / sizeof pc_app_voter_routes[0];
