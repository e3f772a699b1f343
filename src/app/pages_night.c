/* The state's "Election night" page: per election the test/live mode and the
 * switch to live (a confirmation step, then the zero report), the
 * poll-closing time, precincts reporting per county, the publications with
 * who published and approved them, publishing with the second-admin
 * approval, and certifying contests. Every rule and audit entry is in the
 * functions called (pc_results_go_live, _publish, _approve,
 * pc_elections_set_poll_close, _set_certified); routes need a state admin. */
#include "night_internal.h"

#include "precinct/results.h"
#include "precinct/results_night.h"

#include <string.h>

enum { APPROVALS_SHOWN = 20 };

static int add_publication(void *context, const pc_night_publication_t *p) {
  json_array_append_new(context, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "number", (json_int_t)p->number,
                                           "mode", p->mode, "published_at", p->published_at, "published_by",
                                           p->published_by, "approved_by", p->approved_by, "manifest_sha256",
                                           p->manifest_sha256, "current", p->current));
  return 0;
}

typedef struct approvals {
  json_t *list;
  const char *me;
  size_t pending;
} approvals_t;

static int add_approval(void *context, const pc_night_approval_t *a) {
  approvals_t *list = context;
  int pending = strcmp(a->status, "pending") == 0;
  list->pending += (size_t)pending;
  json_array_append_new(list->list,
                        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "id", (json_int_t)a->id, "status",
                                  a->status, "reason", a->reason, "requested_by", a->requested_by, "requested_at",
                                  a->requested_at, "approved_by", a->approved_by, "pending", pending, "mine",
                                  strcmp(a->requested_by, list->me) == 0));
  return 0;
}

/* Contests (with certification) and precincts reporting per county. */
static int results_json(pc_store_t *store, const pc_election_t *e, json_t *context, pc_error_t *err) {
  pc_results_t r;
  int rc = pc_results_load(store, e->id, &r, err);
  if (rc != 0) return rc;
  const pc_election_model_t *m = &r.model;
  json_t *contests = json_array();
  for (size_t c = 0; c < m->contest_count; c++)
    json_array_append_new(contests, json_pack("{s:s, s:s, s:b}", "code", m->contests[c].code, "name",
                                              m->contests[c].name, "certified", m->contests[c].certified));
  json_t *counties = json_array();
  long state_reporting = 0;
  for (size_t county = 0; county < m->county_count; county++) {
    long reporting = 0, total = 0;
    for (size_t p = 0; p < m->precinct_count; p++)
      if (m->precincts[p].county == (int)county) total++, reporting += r.reporting[p];
    state_reporting += reporting;
    pc_buf_t href;
    pc_buf_init(&href, 512);
    pc_night_path(&href, "/admin/counties/", m->counties[county].name, "/returns?election=");
    pc_buf_append_urlencoded(&href, e->code);
    json_array_append_new(counties, json_pack("{s:s, s:s, s:I, s:I}", "name", m->counties[county].name, "href",
                                              pc_buf_str(&href), "reporting", (json_int_t)reporting, "of",
                                              (json_int_t)total));
    pc_buf_free(&href);
  }
  json_object_set_new(context, "contests", contests);
  json_object_set_new(context, "counties", counties);
  json_object_set_new(context, "state_reporting", json_pack("{s:I, s:I}", "precincts", (json_int_t)state_reporting,
                                                            "of", (json_int_t)m->precinct_count));
  pc_results_free(&r);
  return 0;
}

/* The election as the templates use it, with the addresses of its actions
 * (base) and of its page. */
static json_t *election_json(const pc_election_t *e) {
  pc_buf_t base, page;
  pc_buf_init(&base, 512);
  pc_buf_init(&page, 512);
  pc_night_path(&base, "/admin/election-night/", e->code, "");
  pc_night_path(&page, "/admin/election-night?election=", e->code, "");
  json_t *json = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:b, s:s, s:s}", "code", e->code, "name", e->name, "date",
                           e->date, "mode", e->mode, "live", strcmp(e->mode, "live") == 0, "poll_close_at",
                           e->poll_close_at, "zero_report_done", e->zero_report_done, "base", pc_buf_str(&base), "page",
                           pc_buf_str(&page));
  pc_buf_free(&base);
  pc_buf_free(&page);
  return json;
}

/* Renders the page for election GIVEN; FLASH (stolen, may be NULL) holds
 * what an action just did: notice, error, zero_report. */
static int render(pc_http_request_t *req, pc_http_response_t *resp, int status, const char *given, json_t *flash) {
  pc_store_t *store = pc_http_request_store(req);
  pc_error_t err;
  pc_error_clear(&err);
  json_t *context = pc_app_page_context(req, "Election night", "/admin/election-night");
  if (flash) {
    json_object_update(context, flash);
    json_decref(flash);
  }
  pc_election_t e;
  int rc = pc_night_pick(req, given, "/admin/election-night", context, &e, &err);
  if (rc == 1) return pc_app_render(req, resp, status, "night", context);
  if (rc != 0) {
    json_decref(context);
    return rc;
  }
  json_object_set_new(context, "election", election_json(&e));
  json_t *publications = json_array();
  const pc_principal_t *who = pc_app_principal(req);
  approvals_t approvals = {json_array(), who ? who->username : "", 0};
  rc = pc_results_night_publications(store, e.id, add_publication, publications, &err);
  if (rc == 0) rc = pc_results_night_approvals(store, e.id, APPROVALS_SHOWN, add_approval, &approvals, &err);
  json_object_set_new(context, "publications", publications);
  json_object_set_new(context, "has_publications", json_boolean(json_array_size(publications) > 0));
  json_object_set_new(context, "approvals", approvals.list);
  json_object_set_new(context, "has_approvals", json_boolean(json_array_size(approvals.list) > 0));
  if (rc == 0) rc = results_json(store, &e, context, &err);
  if (rc != 0) {
    json_decref(context);
    return rc;
  }
  return pc_app_render(req, resp, status, "night", context);
}

static int night_page(pc_http_request_t *req, pc_http_response_t *resp) {
  return render(req, resp, 200, pc_http_request_query(req, "election"), NULL);
}

/* Answers an action: the page again with what happened. A domain refusal
 * (4xx) is shown on the page; a server failure goes to the error page. */
static int answer(pc_http_request_t *req, pc_http_response_t *resp, const char *given, int rc, const pc_error_t *err,
                  const char *notice, json_t *flash) {
  if (flash == NULL) flash = json_object();
  if (rc != 0 && pc_http_status_for_error(rc) >= 500) {
    json_decref(flash);
    return rc;
  }
  if (rc != 0) {
    char text[sizeof err->message + 32];
    pc_night_error_text(err, text, sizeof text);
    json_object_set_new(flash, "error", json_string(text));
  } else if (notice) {
    json_object_set_new(flash, "notice", json_string(notice));
  }
  return render(req, resp, rc ? pc_http_status_for_error(rc) : 200, given, flash);
}

static int action_setup(pc_http_request_t *req, const pc_http_fields_t **form, pc_election_t *e, pc_actor_t *actor,
                        pc_error_t *err) {
  pc_error_clear(err);
  pc_auth_actor(pc_app_principal(req), actor);
  int rc = pc_app_form(req, form);
  if (rc != 0) return pc_error_set(err, rc, "the form could not be read");
  return pc_night_election(req, pc_http_request_param(req, "election"), e, err);
}

/* GET: the confirmation step of the live switch. */
static int live_confirm(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_election_t e;
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_night_election(req, pc_http_request_param(req, "election"), &e, &err);
  if (rc != 0) return rc;
  json_t *context = pc_app_page_context(req, "Switch to live", "/admin/election-night");
  json_object_set_new(context, "election", election_json(&e));
  return pc_app_render(req, resp, 200, "night_live", context);
}

static int live_switch(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_http_fields_t *form;
  pc_election_t e;
  pc_actor_t actor;
  pc_error_t err;
  int rc = action_setup(req, &form, &e, &actor, &err);
  const char *confirm = rc == 0 ? pc_http_fields_get(form, "confirm") : NULL;
  if (rc == 0 && (confirm == NULL || strcmp(confirm, "yes") != 0))
    rc = pc_error_set(&err, PC_EINVAL, "tick the confirmation box to switch %s to live", e.code);
  pc_buf_t report;
  pc_buf_init(&report, 0);
  if (rc == 0) rc = pc_results_go_live(pc_http_request_store(req), &actor, e.id, &report, &err);
  json_t *flash = json_object();
  if (report.len) json_object_set_new(flash, "zero_report", json_string(pc_buf_str(&report)));
  pc_buf_free(&report);
  return answer(req, resp, pc_http_request_param(req, "election"), rc, &err,
                "The election is LIVE. Test returns were deleted; live uploads are now accepted.", flash);
}

static int poll_close(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_http_fields_t *form;
  pc_election_t e;
  pc_actor_t actor;
  pc_error_t err;
  int rc = action_setup(req, &form, &e, &actor, &err);
  const char *when = rc == 0 ? pc_http_fields_get(form, "poll_close_at") : NULL;
  if (rc == 0) rc = pc_elections_set_poll_close(pc_http_request_store(req), &actor, e.id, when ? when : "", &err);
  if (rc == PC_EINVAL) pc_strlcpy(err.field, "poll_close_at", sizeof err.field);
  return answer(req, resp, pc_http_request_param(req, "election"), rc, &err,
                "Poll-closing time saved: nothing is published before it.", NULL);
}

static int certify(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_http_fields_t *form;
  pc_election_t e;
  pc_actor_t actor;
  pc_error_t err;
  int rc = action_setup(req, &form, &e, &actor, &err);
  const char *contest = rc == 0 ? pc_http_fields_get(form, "contest") : NULL;
  const char *certified = rc == 0 ? pc_http_fields_get(form, "certified") : NULL;
  if (rc == 0 && (contest == NULL || certified == NULL))
    rc = pc_error_set(&err, PC_EINVAL, "the form needs a contest and whether it is certified");
  int on = certified && strcmp(certified, "1") == 0;
  if (rc == 0) rc = pc_elections_set_certified(pc_http_request_store(req), &actor, e.id, contest, on, &err);
  char notice[256];
  pc_snprintf(notice, sizeof notice, "Contest %s is %s.", contest ? contest : "",
              on ? "certified" : "no longer certified");
  return answer(req, resp, pc_http_request_param(req, "election"), rc, &err, notice, NULL);
}

static void key_path(pc_http_request_t *req, char *out, size_t size) {
  const pc_app_t *app = req->app;
  pc_instance_key_path(app->instance, "publish_ed25519.key", out, size);
}

/* What a publish or approve did, as the page's notice. */
static void describe(const pc_results_publish_report_t *report, char *out, size_t size) {
  if (report->published)
    pc_snprintf(out, size, "Published publication %lld (manifest SHA-256 %s).", (long long)report->number,
                report->manifest_sha256);
  else if (report->unchanged)
    pc_snprintf(out, size, "Unchanged: publication %lld already holds these results.", (long long)report->number);
  else
    pc_snprintf(out, size, "Not published yet: this publication %s and needs a second state admin's approval. "
                "Request %lld is pending; another state admin approves it on this page.", report->reason,
                (long long)report->approval_id);
}

static int publish(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_http_fields_t *form;
  pc_election_t e;
  pc_actor_t actor;
  pc_error_t err;
  int rc = action_setup(req, &form, &e, &actor, &err);
  char path[1200], notice[512] = "";
  key_path(req, path, sizeof path);
  pc_results_publish_report_t report;
  if (rc == 0) rc = pc_results_publish(pc_http_request_store(req), path, &actor, e.id, &report, &err);
  if (rc == 0) describe(&report, notice, sizeof notice);
  return answer(req, resp, pc_http_request_param(req, "election"), rc, &err, notice, NULL);
}

static int approve(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_actor_t actor;
  pc_auth_actor(pc_app_principal(req), &actor);
  pc_error_t err;
  pc_error_clear(&err);
  long long id;
  if (pc_parse_int64(pc_http_request_param(req, "id"), 1, INT64_MAX, &id) != 0) return PC_ENOTFOUND;
  char path[1200], notice[512] = "";
  key_path(req, path, sizeof path);
  pc_results_publish_report_t report;
  int rc = pc_results_approve(pc_http_request_store(req), path, &actor, id, &report, &err);
  if (rc == 0) describe(&report, notice, sizeof notice);
  /* The page shows the election the request belongs to (a form field). */
  const pc_http_fields_t *form;
  const char *election = pc_app_form(req, &form) == 0 ? pc_http_fields_get(form, "election") : NULL;
  return answer(req, resp, election, rc, &err, notice, NULL);
}

const pc_http_route_t pc_app_night_routes[] = {
    {PC_HTTP_GET, "/admin/election-night", night_page, PC_HTTP_STATE, NULL},
    {PC_HTTP_GET, "/admin/election-night/{election}/live", live_confirm, PC_HTTP_STATE, NULL},
    {PC_HTTP_POST, "/admin/election-night/{election}/live", live_switch, PC_HTTP_STATE, NULL},
    {PC_HTTP_POST, "/admin/election-night/{election}/poll-close", poll_close, PC_HTTP_STATE, NULL},
    {PC_HTTP_POST, "/admin/election-night/{election}/certify", certify, PC_HTTP_STATE, NULL},
    {PC_HTTP_POST, "/admin/election-night/{election}/publish", publish, PC_HTTP_STATE, NULL},
    {PC_HTTP_POST, "/admin/election-night/approvals/{id}/approve", approve, PC_HTTP_STATE, NULL},
};
const size_t pc_app_night_route_count = sizeof pc_app_night_routes / sizeof pc_app_night_routes[0];
