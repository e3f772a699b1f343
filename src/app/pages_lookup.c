/* The public "am I registered?" lookup: GET /lookup (form), POST /lookup
 * (result page) and POST /api/lookup (JSON), in English and Spanish, rate
 * limited per client address. The birth date typed is never echoed back.
 * Matching lives in src/voters/lookup.c. */
#include "app_internal.h"

#include "precinct/buf.h"
#include "precinct/voters_lookup.h"

#include <string.h>

/* Every string the pages show, English then Spanish. */
static const char *const strings[][3] = {
    {"title", "Am I registered to vote?", "¿Estoy inscrito para votar?"},
    {"intro", "Enter your name, date of birth and ZIP code exactly as on your registration.",
     "Escriba su nombre, fecha de nacimiento y código postal tal como aparecen en su inscripción."},
    {"first_name", "First name", "Nombre"},
    {"last_name", "Last name", "Apellido"},
    {"dob", "Date of birth", "Fecha de nacimiento"},
    {"dob_hint", "For example 27 3 1985", "Por ejemplo 27 3 1985"},
    {"day", "Day", "Día"},
    {"month", "Month", "Mes"},
    {"year", "Year", "Año"},
    {"zip", "ZIP code", "Código postal"},
    {"submit", "Look up", "Buscar"},
    {"other_lang", "Español", "English"},
    {"errors_title", "There is a problem", "Hay un problema"},
    {"err_first_name", "Enter your first name", "Escriba su nombre"},
    {"err_last_name", "Enter your last name", "Escriba su apellido"},
    {"err_birth_date", "Enter a real date of birth", "Escriba una fecha de nacimiento válida"},
    {"err_zip", "Enter a 5-digit ZIP code", "Escriba un código postal de 5 dígitos"},
    {"result_title", "Your registration", "Su inscripción"},
    {"found", "We found your registration.", "Encontramos su inscripción."},
    {"not_found",
     "We could not find a registration matching what you entered. Check the spelling and try again, or contact your "
     "county board of elections.",
     "No encontramos una inscripción con esos datos. Revise la ortografía e intente de nuevo, o comuníquese con la "
     "junta electoral de su condado."},
    {"status", "Status", "Estado"},
    {"county", "County", "Condado"},
    {"precinct", "Precinct", "Precinto"},
    {"polling_place", "Polling place", "Lugar de votación"},
    {"no_polling_place", "Not yet assigned for the next election", "Aún no asignado para la próxima elección"},
    {"districts", "Districts", "Distritos"},
    {"again", "Look up someone else", "Buscar a otra persona"},
    {"too_many", "Too many lookups from your connection. Please wait a minute and try again.",
     "Demasiadas búsquedas desde su conexión. Espere un minuto e intente de nuevo."},
    {"status_A", "Active", "Activo"},
    {"status_I", "Inactive: you can still vote; update your address if it changed",
     "Inactivo: todavía puede votar; actualice su dirección si cambió"},
    {"status_P", "Pending (pre-registered or being verified)", "Pendiente (preinscrito o en verificación)"},
    {"status_R", "Removed", "Dado de baja"},
    {"status_D", "Denied", "Denegado"},
    {"status_S", "Temporary", "Temporal"},
    {"d_congress", "U.S. House district", "Distrito de la Cámara de EE. UU."},
    {"d_state_senate", "State Senate district", "Distrito del Senado estatal"},
    {"d_state_house", "State House district", "Distrito de la Cámara estatal"},
    {"d_municipality", "Municipality", "Municipio"},
    {"d_ward", "Ward", "Distrito municipal"},
    {"d_county_commission", "County commission district", "Distrito de la comisión del condado"},
    {"d_school", "School district", "Distrito escolar"},
    {"d_judicial", "Judicial district", "Distrito judicial"},
};

static const pc_app_strings_t table = {strings, sizeof strings / sizeof strings[0]};

static const char *text(int lang, const char *key) { return pc_app_text(&table, lang, key); }

static json_t *context_for(pc_http_request_t *req, int lang, const char *title_key) {
  return pc_app_public_context(req, &table, lang, title_key, "/lookup");
}

static int lookup_form(pc_http_request_t *req, pc_http_response_t *resp) {
  int lang = pc_app_language(pc_http_request_query(req, "lang"));
  return pc_app_render(req, resp, 200, "lookup", context_for(req, lang, "title"));
}

static int rate_limited(pc_http_request_t *req, pc_http_response_t *resp) {
  return pc_app_rate_limited(req, resp, ((pc_app_t *)req->app)->lookup_limit);
}

static json_t *result_json(int lang, const pc_voter_lookup_t *r) {
  json_t *districts = json_array();
  for (int i = 0; i < r->district_count; i++) {
    char key[48];
    pc_snprintf(key, sizeof key, "d_%s", r->districts[i].kind);
    json_array_append_new(districts, json_pack("{s:s, s:s, s:s}", "kind", r->districts[i].kind, "label",
                                               text(lang, key), "name", r->districts[i].name));
  }
  char status_key[16];
  pc_snprintf(status_key, sizeof status_key, "status_%s", r->status);
  json_t *polling = r->has_polling_place
                        ? json_pack("{s:s, s:s}", "name", r->polling_place_name, "address", r->polling_place_address)
                        : json_null();
  return json_pack("{s:b, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:o, s:o}", "found", r->found, "name",
                   r->found ? r->first_name : "", "status", r->found ? r->status : "", "status_text",
                   r->found ? text(lang, status_key) : "", "county", r->county, "precinct", "code", r->precinct_code,
                   "name", r->precinct_name, "polling_place", polling, "districts", districts);
}

static int lookup_submit(pc_http_request_t *req, pc_http_response_t *resp) {
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  int lang = pc_app_language(pc_http_fields_get(form, "lang"));
  if (rate_limited(req, resp) != 0) {
    json_t *context = context_for(req, lang, "title");
    json_object_set_new(context, "too_many", json_true());
    return pc_app_render(req, resp, 429, "lookup", context);
  }
  char birth[16];
  pc_app_form_birth_date(form, birth);
  const char *first = pc_http_fields_get(form, "first_name"), *last = pc_http_fields_get(form, "last_name"),
             *zip = pc_http_fields_get(form, "zip");
  pc_voter_lookup_query_t q = {last ? last : "", first ? first : "", birth, zip ? zip : ""};
  pc_error_t err;
  pc_error_clear(&err);
  pc_voter_lookup_t result;
  rc = pc_voters_lookup(pc_http_request_store(req), &q, &result, &err);
  if (rc == PC_EINVAL) {
    /* Every bad field at once; the birth date is never refilled. */
    json_t *context = context_for(req, lang, "title");
    json_t *errors = json_array();
    const char *fields[] = {"first_name", "last_name", "birth_date", "zip"};
    for (size_t i = 0; i < 4; i++) {
      pc_voter_lookup_query_t probe = {"X", "X", "2000-01-01", "00000"};
      if (strcmp(fields[i], "first_name") == 0) probe.first_name = q.first_name;
      if (strcmp(fields[i], "last_name") == 0) probe.last_name = q.last_name;
      if (strcmp(fields[i], "birth_date") == 0) probe.birth_date = q.birth_date;
      if (strcmp(fields[i], "zip") == 0) probe.zip = q.zip;
      if (pc_voters_lookup_validate(&probe, NULL) == 0) continue;
      char key[32];
      pc_snprintf(key, sizeof key, "err_%s", fields[i]);
      json_array_append_new(errors, json_pack("{s:s, s:s}", "field", fields[i], "message", text(lang, key)));
      char flag[40];
      pc_snprintf(flag, sizeof flag, "error_%s", fields[i]);
      json_object_set_new(context, flag, json_string(text(lang, key)));
    }
    json_object_set_new(context, "has_errors", json_boolean(json_array_size(errors) > 0));
    json_object_set_new(context, "errors", errors);
    json_object_set_new(context, "first_name", json_string(q.first_name));
    json_object_set_new(context, "last_name", json_string(q.last_name));
    json_object_set_new(context, "zip", json_string(q.zip));
    return pc_app_render(req, resp, 400, "lookup", context);
  }
  if (rc != 0) return rc;
  json_t *context = context_for(req, lang, "result_title");
  json_object_set_new(context, "result", result_json(lang, &result));
  json_object_set_new(context, "has_districts", json_boolean(result.district_count > 0));
  return pc_app_render(req, resp, 200, "lookup_result", context);
}

static int lookup_api(pc_http_request_t *req, pc_http_response_t *resp) {
  if (rate_limited(req, resp) != 0) {
    pc_http_reply_json(resp, 429, json_pack("{s:{s:s, s:s}}", "error", "code", "rate_limited", "message",
                                            "too many lookups from this address; retry later"));
    return 0;
  }
  pc_error_t err;
  pc_error_clear(&err);
  json_t *body = NULL;
  int rc = pc_http_request_json(req, &body, &err);
  if (rc != 0) {
    pc_http_reply_error(resp, &err);
    return 0;
  }
  const char *lang_text = json_string_value(json_object_get(body, "lang"));
  pc_voter_lookup_query_t q = {json_string_value(json_object_get(body, "last_name")),
                               json_string_value(json_object_get(body, "first_name")),
                               json_string_value(json_object_get(body, "birth_date")),
                               json_string_value(json_object_get(body, "zip"))};
  pc_voter_lookup_t result;
  rc = pc_voters_lookup(pc_http_request_store(req), &q, &result, &err);
  int lang = pc_app_language(lang_text);
  json_decref(body);
  if (rc != 0) {
    pc_http_reply_error(resp, &err);
    return 0;
  }
  pc_http_reply_json(resp, 200, result_json(lang, &result));
  return 0;
}

const pc_http_route_t pc_app_lookup_routes[] = {
    {PC_HTTP_GET, "/lookup", lookup_form, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_POST, "/lookup", lookup_submit, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_POST, "/api/lookup", lookup_api, PC_HTTP_PUBLIC, NULL},
};
const size_t pc_app_lookup_route_count = sizeof pc_app_lookup_routes / sizeof pc_app_lookup_routes[0];
