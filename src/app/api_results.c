/* JSON API for election night: a county uploads its returns file and the
 * state publishes (or approves a publication). The rules live in
 * src/results; this file maps requests and replies. Authorization (county
 * scope, roles, CSRF, TOTP for admins) is the app's hook. */
#include "app_internal.h"

#include "precinct/buf.h"
#include "precinct/results.h"

#include <string.h>

/* Errors about a file carry its line: fold it into the message the client sees. */
static int reply_error(pc_http_response_t *resp, pc_error_t *err) {
  if (err->line > 0) {
    char message[sizeof err->message];
    pc_snprintf(message, sizeof message, "line %ld: %s", err->line, err->message);
    pc_strlcpy(err->message, message, sizeof err->message);
  }
  pc_http_reply_error(resp, err);
  return 0;
}

static int election_of(pc_http_request_t *req, int64_t *id, pc_error_t *err) {
  const char *election = pc_http_request_query(req, "election");
  if (election) return pc_elections_resolve(pc_http_request_store(req), election, id, err);
  pc_election_t e;
  int rc = pc_elections_get(pc_http_request_store(req), 0, &e, err);
  if (rc == 0) *id = e.id;
  return rc;
}

/* POST /api/counties/{county}/returns[?election=ID&file_name=NAME]: the body
 * is the returns file (CSV or ERR JSON), at most server.max_body_bytes. */
static int returns_upload(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  pc_actor_t actor;
  pc_auth_actor(pc_app_principal(req), &actor);
  size_t size = 0;
  const char *body = pc_http_request_body(req, &size);
  const char *name = pc_http_request_query(req, "file_name");
  int64_t election = 0;
  pc_results_ingest_report_t report;
  int rc = election_of(req, &election, &err);
  if (rc == 0 && size == 0) rc = pc_error_set(&err, PC_EINVAL, "the request body must be the returns file");
  if (rc == 0)
    rc = pc_results_ingest(pc_http_request_store(req), &actor, election, pc_http_request_param(req, "county"),
                           name && name[0] ? name : "upload", body, size, &report, &err);
  if (rc != 0) return reply_error(resp, &err);
  pc_http_reply_json(resp, report.unchanged ? 200 : 201,
                     json_pack("{s:b, s:I, s:i, s:i, s:s, s:s, s:I, s:I, s:I, s:s}", "unchanged", report.unchanged,
                               "upload_id", (json_int_t)report.upload_id, "version", report.version, "contests",
                               report.contests, "mode",
                               report.mode, "format", report.format, "precincts", (json_int_t)report.precincts,
                               "vote_rows", (json_int_t)report.vote_rows, "total_votes",
                               (json_int_t)report.total_votes, "sha256", report.sha256));
  return 0;
}

/* POST /api/results/publish[?election=ID], body {} or {"approve": REQUEST}. */
static int results_publish(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  pc_actor_t actor;
  pc_auth_actor(pc_app_principal(req), &actor);
  const pc_app_t *app = req->app;
  char key_path[1200];
  pc_instance_key_path(app->instance, "publish_ed25519.key", key_path, sizeof key_path);
  json_t *body = NULL;
  int64_t election = 0;
  pc_results_publish_report_t report;
  int rc = pc_http_request_json(req, &body, &err);
  json_t *approve = json_object_get(body, "approve");
  if (rc == 0 && (!json_is_object(body) || (approve && !json_is_integer(approve))))
    rc = pc_error_set_at(&err, PC_EINVAL, NULL, 0, "approve", "expected {} or {\"approve\": REQUEST}");
  if (rc == 0 && approve)
    rc = pc_results_approve(pc_http_request_store(req), key_path, &actor, json_integer_value(approve), &report, &err);
  else if (rc == 0) {
    rc = election_of(req, &election, &err);
    if (rc == 0) rc = pc_results_publish(pc_http_request_store(req), key_path, &actor, election, &report, &err);
  }
  json_decref(body);
  if (rc != 0) return reply_error(resp, &err);
  /* 202: recorded, waiting for a second admin. */
  int status = report.published ? 201 : report.unchanged ? 200 : 202;
  pc_http_reply_json(resp, status,
                     json_pack("{s:b, s:b, s:I, s:I, s:s, s:s}", "published", report.published, "unchanged",
                               report.unchanged, "number", (json_int_t)report.number, "approval_id",
                               (json_int_t)report.approval_id, "reason", report.reason, "manifest_sha256",
                               report.manifest_sha256));
  return 0;
}

const pc_http_route_t pc_app_results_api_routes[] = {
    {PC_HTTP_POST, "/api/counties/{county}/returns", returns_upload, PC_HTTP_WRITE, "county"},
    {PC_HTTP_POST, "/api/results/publish", results_publish, PC_HTTP_STATE, NULL},
};
const size_t pc_app_results_api_route_count = sizeof pc_app_results_api_routes / sizeof pc_app_results_api_routes[0];
