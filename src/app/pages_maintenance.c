/* NVRA section 8 list maintenance pages of a county: start a run (notices
 * by inactivity or from a typed list of NCIDs, inactivation of
 * non-responders, removal after two federal general elections), look at
 * the exact list it will touch, execute it (county or state admin, whose
 * sessions passed TOTP: the route's ADMIN level), undo it. The rules and the
 * 90-day refusal are src/voters/maintenance.c's; this shows them. */
#include "pages_voters.h"

#include "precinct/voters_maintenance.h"

#include <string.h>

#define LIST_SHOWN 200

static const char *kind_label(const char *kind) {
  if (strcmp(kind, "notices-inactivity") == 0) return "Confirmation notices: no contact since a date";
  if (strcmp(kind, "notices-moved") == 0) return "Confirmation notices: list of voters who may have moved";
  if (strcmp(kind, "inactivate") == 0) return "Mark inactive: notice not answered";
  if (strcmp(kind, "remove") == 0) return "Remove: inactive through two federal general elections";
  return kind;
}

static json_t *run_json(pc_http_request_t *req, const pc_maintenance_run_t *run) {
  pc_buf_t href;
  pc_buf_init(&href, 256);
  pc_voter_pages_base(req, &href);
  pc_buf_appendf(&href, "/maintenance/%lld", (long long)run->id);
  json_t *out = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)run->id, "kind",
                          run->kind, "kind_text", kind_label(run->kind), "state", run->state, "count",
                          (json_int_t)run->voter_count, "created", run->created_at, "executed", run->executed_at,
                          "undone", run->undone_at, "parameters", run->parameters, "href", pc_buf_str(&href));
  json_object_set_new(out, "previewed", json_boolean(strcmp(run->state, "previewed") == 0));
  json_object_set_new(out, "executed_state", json_boolean(strcmp(run->state, "executed") == 0));
  pc_buf_free(&href);
  return out;
}

typedef struct run_list {
  pc_http_request_t *req;
  json_t *runs;
} run_list_t;

static int add_run(void *context, const pc_maintenance_run_t *run) {
  run_list_t *list = context;
  json_array_append_new(list->runs, run_json(list->req, run));
  return 0;
}

/* The 90-day window today, as the page's banner. */
static void quiet_period(pc_http_request_t *req, json_t *context) {
  char today[12], election[12];
  pc_voters_today(today);
  int64_t days = 0;
  pc_error_t err;
  pc_error_clear(&err);
  int inside = pc_voters_in_quiet_period(pc_http_request_store(req), today, election, &days, &err);
  if (inside < 0) return;
  json_object_set_new(context, "quiet", json_pack("{s:b, s:s, s:I}", "inside", inside, "election", election, "days",
                                                  (json_int_t)days));
}

static int maintenance_form(pc_http_request_t *req, pc_http_response_t *resp, int status,
                            const pc_http_fields_t *form, const pc_error_t *err) {
  pc_voters_t voters;
  pc_actor_t actor;
  pc_voter_pages_reader(req, &voters, &actor);
  run_list_t list = {req, json_array()};
  pc_error_t list_err;
  pc_error_clear(&list_err);
  int rc = pc_voters_maintenance_each_run(&voters, 50, add_run, &list, &list_err);
  if (rc != 0) {
    json_decref(list.runs);
    return rc;
  }
  json_t *context = pc_voter_pages_context(req, "List maintenance");
  json_object_set_new(context, "has_runs", json_boolean(json_array_size(list.runs) > 0));
  json_object_set_new(context, "runs", list.runs);
  quiet_period(req, context);
  const char *kind = form ? pc_voter_pages_field(form, "kind") : "notices-inactivity";
  char key[40];
  pc_snprintf(key, sizeof key, "kind_%s", kind);
  for (char *p = key; *p; p++)
    if (*p == '-') *p = '_';
  json_object_set_new(context, key, json_true());
  json_object_set_new(context, "since", json_string(pc_voter_pages_field(form, "since")));
  json_object_set_new(context, "moved_list", json_string(pc_voter_pages_field(form, "moved_list")));
  json_object_set_new(context, "response_days",
                      json_string(form ? pc_voter_pages_field(form, "response_days") : "30"));
  if (err) {
    json_object_set_new(context, "error", json_string(err->message));
    if (err->field[0]) {
      char field[48];
      pc_snprintf(field, sizeof field, "error_%s", err->field);
      for (char *p = field; *p; p++)
        if (*p == '-') *p = '_';
      json_object_set_new(context, field, json_true());
    }
  }
  return pc_app_render(req, resp, status, "voters_maintenance", context);
}

static int maintenance_page(pc_http_request_t *req, pc_http_response_t *resp) {
  return maintenance_form(req, resp, 200, NULL, NULL);
}

static int preview_submit(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  pc_maintenance_request_t request;
  memset(&request, 0, sizeof request);
  request.kind = pc_voter_pages_field(form, "kind");
  pc_error_t err;
  pc_error_clear(&err);
  if (strcmp(request.kind, "notices-inactivity") == 0) request.since = pc_voter_pages_field(form, "since");
  if (strcmp(request.kind, "notices-moved") == 0) {
    request.moved_list_text = pc_voter_pages_field(form, "moved_list");
    if (strspn(request.moved_list_text, " \t\r\n,") == strlen(request.moved_list_text))
      return maintenance_form(req, resp, 400, form,
                              (pc_error_set_at(&err, PC_EINVAL, NULL, 0, "moved-list", "enter at least one NCID"), &err));
  }
  if (strcmp(request.kind, "inactivate") == 0) {
    long long days = 0;
    if (pc_parse_int64(pc_voter_pages_field(form, "response_days"), 1, 3650, &days) != 0)
      return maintenance_form(req, resp, 400, form,
                              (pc_error_set_at(&err, PC_EINVAL, NULL, 0, "response_days", "expected 1-3650 days"), &err));
    request.response_days = (int)days;
  }
  pc_voters_t voters;
  pc_actor_t actor;
  pc_voter_pages_reader(req, &voters, &actor);
  int64_t run_id = 0, count = 0;
  rc = pc_voters_maintenance_preview(&voters, &request, &run_id, &count, &err);
  if (rc == PC_EINVAL || rc == PC_ESTATE) return maintenance_form(req, resp, rc == PC_ESTATE ? 409 : 400, form, &err);
  if (rc != 0) return rc;
  char suffix[64];
  pc_snprintf(suffix, sizeof suffix, "/maintenance/%lld", (long long)run_id);
  return pc_voter_pages_redirect(req, resp, suffix);
}

typedef struct voter_list {
  pc_http_request_t *req;
  json_t *rows;
  int64_t seen;
} voter_list_t;

static int add_voter(void *context, const pc_voter_t *voter, const char *new_status) {
  voter_list_t *list = context;
  if (++list->seen > LIST_SHOWN) return 1; /* the page shows the first ones; the count says how many */
  json_t *row = pc_voter_pages_row(list->req, voter);
  json_object_set_new(row, "new_status", json_string(pc_voters_status_desc(new_status)));
  json_array_append_new(list->rows, row);
  return 0;
}

static int run_render(pc_http_request_t *req, pc_http_response_t *resp, int status, const pc_error_t *failure) {
  long long run_id;
  if (pc_parse_int64(pc_http_request_param(req, "run"), 1, INT64_MAX, &run_id) != 0) return PC_ENOTFOUND;
  pc_voters_t voters;
  pc_actor_t actor;
  pc_voter_pages_reader(req, &voters, &actor);
  pc_error_t err;
  pc_error_clear(&err);
  pc_maintenance_run_t run;
  int rc = pc_voters_maintenance_get(&voters, run_id, &run, &err);
  if (rc == PC_EPERM) rc = PC_ENOTFOUND;
  if (rc != 0) return rc;
  voter_list_t list = {req, json_array(), 0};
  rc = pc_voters_maintenance_list(&voters, run_id, add_voter, &list, &err);
  if (rc < 0) {
    json_decref(list.rows);
    return rc;
  }
  char title[64];
  pc_snprintf(title, sizeof title, "Maintenance run %lld", run_id);
  json_t *context = pc_voter_pages_context(req, title);
  json_object_set_new(context, "run", run_json(req, &run));
  json_object_set_new(context, "has_voters", json_boolean(json_array_size(list.rows) > 0));
  json_object_set_new(context, "voters", list.rows);
  json_object_set_new(context, "truncated", json_boolean(list.seen > LIST_SHOWN));
  json_object_set_new(context, "shown", json_integer(LIST_SHOWN));
  json_object_set_new(context, "notices", json_boolean(strncmp(run.kind, "notices", 7) == 0));
  quiet_period(req, context);
  if (failure) json_object_set_new(context, "error", json_string(failure->message));
  const char *done = pc_http_request_query(req, "done");
  if (done && strcmp(done, "executed") == 0) json_object_set_new(context, "done", json_string("Run executed."));
  if (done && strcmp(done, "undone") == 0) json_object_set_new(context, "done", json_string("Run undone."));
  return pc_app_render(req, resp, status, "maintenance_run", context);
}

static int run_page(pc_http_request_t *req, pc_http_response_t *resp) { return run_render(req, resp, 200, NULL); }

static int run_action(pc_http_request_t *req, pc_http_response_t *resp, int undo) {
  long long run_id;
  if (pc_parse_int64(pc_http_request_param(req, "run"), 1, INT64_MAX, &run_id) != 0) return PC_ENOTFOUND;
  pc_voters_t voters;
  pc_actor_t actor;
  pc_voter_pages_reader(req, &voters, &actor);
  pc_error_t err;
  pc_error_clear(&err);
  int64_t changed = 0, skipped = 0;
  int rc = undo ? pc_voters_maintenance_undo(&voters, run_id, &changed, &err)
                : pc_voters_maintenance_run(&voters, run_id, &changed, &skipped, &err);
  if (rc == PC_EPERM || rc == PC_ENOTFOUND) return PC_ENOTFOUND;
  if (rc == PC_ESTATE) return run_render(req, resp, 409, &err);
  if (rc != 0) return rc;
  char suffix[80];
  pc_snprintf(suffix, sizeof suffix, "/maintenance/%lld?done=%s", run_id, undo ? "undone" : "executed");
  return pc_voter_pages_redirect(req, resp, suffix);
}

static int execute_submit(pc_http_request_t *req, pc_http_response_t *resp) { return run_action(req, resp, 0); }
static int undo_submit(pc_http_request_t *req, pc_http_response_t *resp) { return run_action(req, resp, 1); }

const pc_http_route_t pc_app_maintenance_routes[] = {
    {PC_HTTP_GET, "/admin/counties/{county}/voters/maintenance", maintenance_page, PC_HTTP_READ, "county"},
    {PC_HTTP_POST, "/admin/counties/{county}/voters/maintenance", preview_submit, PC_HTTP_WRITE, "county"},
    {PC_HTTP_GET, "/admin/counties/{county}/voters/maintenance/{run}", run_page, PC_HTTP_READ, "county"},
    {PC_HTTP_POST, "/admin/counties/{county}/voters/maintenance/{run}/execute", execute_submit, PC_HTTP_ADMIN, "county"},
    {PC_HTTP_POST, "/admin/counties/{county}/voters/maintenance/{run}/undo", undo_submit, PC_HTTP_ADMIN, "county"},
};
const size_t pc_app_maintenance_route_count = sizeof pc_app_maintenance_routes / sizeof pc_app_maintenance_routes[0];
