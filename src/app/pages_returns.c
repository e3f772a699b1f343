/* A county's "Returns" page: upload the county's returns file (CSV or ERR
 * JSON, a multipart/form-data file input) through pc_results_ingest, and the
 * county's reporting status (precincts reporting, every uploaded version
 * with time, uploader and SHA-256). Who may see or upload is the route table
 * and the authorization hook (county scope, CSRF); ingest checks again. */
#include "night_internal.h"

#include "precinct/results.h"
#include "precinct/results_night.h"

#include <string.h>
#include <strings.h>

#include "precinct/counties.h"

enum { UPLOADS_SHOWN = 50 };

static int add_upload(void *context, const pc_night_upload_t *u) {
  json_array_append_new(context,
                        json_pack("{s:i, s:s, s:s, s:b, s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "version", u->version,
                                  "mode", u->mode, "status", u->status, "current", strcmp(u->status, "current") == 0,
                                  "uploaded_at", u->uploaded_at, "uploaded_by", u->uploaded_by, "file_name",
                                  u->file_name, "precincts", (json_int_t)u->precincts, "total_votes",
                                  (json_int_t)u->total_votes, "format", u->format, "sha256", u->sha256));
  return 0;
}

/* Precincts reporting in COUNTY for the election's current mode. */
static int reporting_json(pc_store_t *store, const pc_election_t *e, const char *county, json_t *context,
                          pc_error_t *err) {
  pc_results_t r;
  int rc = pc_results_load(store, e->id, &r, err);
  if (rc != 0) return rc;
  const pc_election_model_t *m = &r.model;
  int level = -1;
  for (size_t c = 0; c < m->county_count; c++)
    if (strcasecmp(m->counties[c].name, county) == 0) level = (int)c;
  long reporting = 0, total = 0;
  int64_t ballots = 0, registered = 0;
  if (level >= 0) {
    for (size_t p = 0; p < m->precinct_count; p++)
      if (m->precincts[p].county == level) total++, reporting += r.reporting[p];
    pc_results_turnout(&r, level, 0, &ballots, &registered);
  }
  json_object_set_new(context, "reporting",
                      json_pack("{s:I, s:I, s:I, s:b}", "precincts", (json_int_t)reporting, "of", (json_int_t)total,
                                "ballots", (json_int_t)ballots, "in_election", level >= 0));
  pc_results_free(&r);
  return 0;
}

/* Renders the page; RESULT or REJECTION (stolen, may be NULL) describe an upload just made. */
static int render(pc_http_request_t *req, pc_http_response_t *resp, int status, const char *election_given,
                  json_t *result, json_t *rejection) {
  pc_store_t *store = pc_http_request_store(req);
  const char *county = pc_http_request_param(req, "county");
  const pc_principal_t *who = pc_app_principal(req);
  pc_error_t err;
  pc_error_clear(&err);
  pc_buf_t action;
  pc_buf_init(&action, 512);
  pc_night_path(&action, "/admin/counties/", county, "/returns");
  json_t *context = pc_app_page_context(req, "Returns", pc_buf_str(&action));
  json_object_set_new(context, "county", json_string(county));
  json_object_set_new(context, "action", json_string(pc_buf_str(&action)));
  pc_buf_free(&action);
  pc_county_t scope;
  memset(&scope, 0, sizeof scope);
  int can_upload = who && pc_counties_find(store, county, &scope, NULL) == 0 &&
                   pc_auth_authorize(who, PC_ACCESS_WRITE, scope.id) == 0;
  json_object_set_new(context, "can_upload", json_boolean(can_upload));
  if (result) json_object_set_new(context, "result", result);
  if (rejection) json_object_set_new(context, "rejection", rejection);

  pc_election_t e;
  int rc = pc_night_pick(req, election_given, json_string_value(json_object_get(context, "action")), context, &e, &err);
  if (rc == 1) return pc_app_render(req, resp, status, "returns", context);
  if (rc != 0) {
    json_decref(context);
    return rc;
  }
  json_object_set_new(context, "election",
                      json_pack("{s:s, s:s, s:s, s:b, s:b}", "code", e.code, "name", e.name, "mode", e.mode, "live",
                                strcmp(e.mode, "live") == 0, "blocked",
                                strcmp(e.mode, "live") == 0 && !e.zero_report_done));
  json_t *uploads = json_array();
  rc = pc_results_night_uploads(store, e.id, scope.id, UPLOADS_SHOWN, add_upload, uploads, &err);
  json_object_set_new(context, "uploads", uploads);
  json_object_set_new(context, "has_uploads", json_boolean(json_array_size(uploads) > 0));
  if (rc == 0) rc = reporting_json(store, &e, county, context, &err);
  if (rc != 0) {
    json_decref(context);
    return rc;
  }
  return pc_app_render(req, resp, status, "returns", context);
}

static int returns_page(pc_http_request_t *req, pc_http_response_t *resp) {
  return render(req, resp, 200, pc_http_request_query(req, "election"), NULL, NULL);
}

/* POST (multipart/form-data): election, file. */
static int returns_upload(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  const char *election_given = pc_http_fields_get(form, "election");
  const pc_http_upload_t *file = pc_http_request_upload(req, "returns");
  const char *file_name = file && file->file_name[0] ? file->file_name : "upload";
  pc_error_t err;
  pc_error_clear(&err);
  pc_election_t e;
  rc = pc_night_election(req, election_given, &e, &err);
  if (rc == 0 && (file == NULL || file->size == 0))
    rc = pc_error_set(&err, PC_EINVAL, "choose the returns file to upload (CSV or ERR JSON; cast vote records as CDF JSON or XML, or a Dominion .zip)");
  pc_results_ingest_report_t report;
  if (rc == 0) {
    pc_actor_t actor;
    pc_auth_actor(pc_app_principal(req), &actor);
    rc = pc_results_ingest(pc_http_request_store(req), &actor, e.id, pc_http_request_param(req, "county"), file_name,
                           file->data, file->size, &report, &err);
  }
  if (rc != 0) {
    if (pc_http_status_for_error(rc) >= 500) return rc;
    /* The line is shown on its own, so the message stays as the ingest wrote it. */
    /* a zip's errors name the entry too: "upload.zip/CvrExport_1.json" */
    size_t n = strlen(file_name);
    int entry = strncmp(err.file, file_name, n) == 0 && err.file[n] == '/';
    json_t *rejection = json_pack("{s:s, s:s}", "file_name", entry ? err.file : file_name, "message", err.message);
    if (err.line > 0) json_object_set_new(rejection, "line", json_integer(err.line));
    if (err.field[0]) json_object_set_new(rejection, "field", json_string(err.field));
    return render(req, resp, pc_http_status_for_error(rc), election_given, NULL, rejection);
  }
  json_t *result = json_pack("{s:b, s:b, s:b, s:i, s:s, s:i, s:s, s:s, s:I, s:I, s:I, s:s}", "unchanged",
                             report.unchanged, "cvr", report.cvr, "several_contests", report.contests > 1, "contests",
                             report.contests,
                             "file_name", file_name, "version", report.version, "mode", report.mode, "format",
                             report.format, "precincts", (json_int_t)report.precincts, "vote_rows",
                             (json_int_t)report.vote_rows, "total_votes", (json_int_t)report.total_votes, "sha256",
                             report.sha256);
  return render(req, resp, report.unchanged ? 200 : 201, e.code, result, NULL);
}

const pc_http_route_t pc_app_returns_routes[] = {
    {PC_HTTP_GET, "/admin/counties/{county}/returns", returns_page, PC_HTTP_READ, "county"},
    {PC_HTTP_POST, "/admin/counties/{county}/returns", returns_upload, PC_HTTP_WRITE, "county"},
};
const size_t pc_app_returns_route_count = sizeof pc_app_returns_routes / sizeof pc_app_returns_routes[0];
