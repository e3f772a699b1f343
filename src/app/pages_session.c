/* Signing in and out, and TOTP enrolment: the pages every account uses.
 * Passwords and codes are checked by the auth module; this file only moves
 * form fields in and cookies and pages out. */
#include "app_internal.h"

#include "precinct/buf.h"

#include <sodium.h>

#include <stdlib.h>
#include <string.h>

static const char cookie_prefix[] = "Set-Cookie: ";

/* Adds the session cookie for TOKEN ("" with MAX_AGE 0 clears it). */
static int set_session_cookie(pc_http_request_t *req, pc_http_response_t *resp, const char *token, long max_age) {
  const pc_app_t *app = req->app;
  char header[512];
  int rc = pc_auth_cookie_header(token, app->instance->config.secure_cookies, max_age, header, sizeof header);
  if (rc != 0) return rc;
  const char *value = strncmp(header, cookie_prefix, sizeof cookie_prefix - 1) == 0 ? header + sizeof cookie_prefix - 1
                                                                                     : header;
  return pc_http_response_add_header(resp, "Set-Cookie", value);
}

static int home(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_principal_t *who = pc_app_principal(req);
  if (who != NULL) return pc_http_reply_redirect(resp, pc_app_must_enrol(who) ? "/account/totp" : "/admin");
  return pc_app_render(req, resp, 200, "home", pc_app_page_context(req, "Home", "/"));
}

static int login_form(pc_http_request_t *req, pc_http_response_t *resp) {
  return pc_app_render(req, resp, 200, "login", pc_app_page_context(req, "Sign in", "/login"));
}

static int login_submit(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_app_t *app = req->app;
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  pc_error_t err;
  pc_error_clear(&err);
  const char *username = pc_http_fields_get(form, "username");
  const char *password = pc_http_fields_get(form, "password");
  const char *code = pc_http_fields_get(form, "code");
  pc_auth_login_result_t result;
  rc = pc_auth_login(pc_http_request_store(req), app->auth, username ? username : "", password ? password : "",
                     code, req->client_address, &result, &err);
  if (rc == PC_EAUTH || rc == PC_EBUSY) {
    json_t *context = pc_app_page_context(req, "Sign in", "/login");
    json_object_set_new(context, "error", json_string(err.message));
    if (username) json_object_set_new(context, "username", json_string(username));
    return pc_app_render(req, resp, rc == PC_EBUSY ? 429 : 401, "login", context);
  }
  if (rc != 0) return rc;
  rc = set_session_cookie(req, resp, result.token, -1);
  sodium_memzero(result.token, sizeof result.token);
  if (rc != 0) return rc;
  return pc_http_reply_redirect(resp, result.needs_totp_enrolment ? "/account/totp" : "/admin");
}

static int logout(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_auth_session_destroy(pc_http_request_store(req), pc_app_principal(req), &err);
  if (rc != 0 && rc != PC_ENOTFOUND) return rc;
  rc = set_session_cookie(req, resp, "", 0);
  if (rc != 0) return rc;
  return pc_http_reply_redirect(resp, "/login");
}

/* Renders the enrolment page; URI is the pending secret's otpauth:// URI or NULL. */
static int render_totp(pc_http_request_t *req, pc_http_response_t *resp, int status, const char *uri,
                       const char *error) {
  const pc_principal_t *who = pc_app_principal(req);
  json_t *context = pc_app_page_context(req, "Authenticator", "/account/totp");
  pc_user_t user;
  if (pc_auth_user_get_by_id(pc_http_request_store(req), who->user_id, &user, NULL) == 0 && user.totp_enabled)
    json_object_set_new(context, "enabled", json_true());
  if (pc_app_must_enrol(who)) json_object_set_new(context, "required", json_true());
  if (error) json_object_set_new(context, "error", json_string(error));
  if (uri) {
    char *svg = NULL;
    pc_error_t err;
    pc_error_clear(&err);
    if (pc_auth_totp_qr_svg(uri, &svg, &err) != 0) {
      json_decref(context);
      return err.code ? err.code : PC_EINTERNAL;
    }
    const char *secret = strstr(uri, "secret=");
    char secret_text[128] = "";
    if (secret) {
      secret += 7;
      size_t length = strcspn(secret, "&");
      if (length < sizeof secret_text) {
        memcpy(secret_text, secret, length);
        secret_text[length] = '\0';
      }
    }
    json_object_set_new(context, "pending", json_true());
    json_object_set_new(context, "qr_svg", json_string(svg));
    json_object_set_new(context, "secret", json_string(secret_text));
    free(svg);
  }
  return pc_app_render(req, resp, status, "totp", context);
}

static int totp_page(pc_http_request_t *req, pc_http_response_t *resp) {
  return render_totp(req, resp, 200, NULL, NULL);
}

static int totp_begin(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_app_t *app = req->app;
  pc_error_t err;
  pc_error_clear(&err);
  char uri[512];
  int rc = pc_auth_totp_begin(pc_http_request_store(req), app->auth, pc_app_principal(req), uri, sizeof uri, &err);
  if (rc == PC_ESTATE || rc == PC_EPERM) return render_totp(req, resp, 409, NULL, err.message);
  if (rc != 0) return rc;
  return render_totp(req, resp, 200, uri, NULL);
}

static int totp_confirm(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_app_t *app = req->app;
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  pc_error_t err;
  pc_error_clear(&err);
  const char *code = pc_http_fields_get(form, "code");
  pc_principal_t *who = req->principal;
  rc = pc_auth_totp_confirm(pc_http_request_store(req), app->auth, who, code ? code : "", &err);
  if (rc == PC_EAUTH || rc == PC_ESTATE || rc == PC_EINVAL)
    return render_totp(req, resp, 400, NULL, rc == PC_ESTATE ? err.message
                                                              : "That code did not match. Start again and enter the newest code.");
  if (rc != 0) return rc;
  return pc_http_reply_redirect(resp, "/admin");
}

const pc_http_route_t pc_app_session_routes[] = {
    {PC_HTTP_GET, "/", home, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_GET, "/login", login_form, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_POST, "/login", login_submit, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_POST, "/logout", logout, PC_HTTP_READ, NULL},
    {PC_HTTP_GET, "/account/totp", totp_page, PC_HTTP_READ, NULL},
    {PC_HTTP_POST, "/account/totp", totp_confirm, PC_HTTP_READ, NULL},
    {PC_HTTP_POST, "/account/totp/begin", totp_begin, PC_HTTP_READ, NULL},
};
const size_t pc_app_session_route_count = sizeof pc_app_session_routes / sizeof pc_app_session_routes[0];
