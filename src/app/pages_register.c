/* Public online voter registration: GET/POST /register (new registration
 * or update, English and Spanish), the confirmation page, the "busy, try
 * again" page when the group-commit queue is full, and /register/status.
 * Identity-proof fields (licence, SSN4, birth date) are never echoed into a
 * page. Checking and storing are src/voters/applications*.c. */
#include "app_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/log.h"
#include "precinct/voters_applications.h"

#include <assert.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Every string the pages show, English then Spanish. */
static const char *const strings[][3] = {
    {"title", "Register to vote", "Inscríbase para votar"},
    {"intro", "Register for the first time, or update your name, address or party. It takes about five minutes.",
     "Inscríbase por primera vez, o actualice su nombre, dirección o partido. Toma unos cinco minutos."},
    {"other_lang", "Español", "English"},
    {"kind", "What do you want to do?", "¿Qué desea hacer?"},
    {"kind_new", "Register for the first time in this state", "Inscribirme por primera vez en este estado"},
    {"kind_update", "Update my registration (new name, address or party, or cancel)",
     "Actualizar mi inscripción (nuevo nombre, dirección o partido, o darme de baja)"},
    {"about_you", "About you", "Sus datos"},
    {"first_name", "First name", "Nombre"},
    {"middle_name", "Middle name (optional)", "Segundo nombre (opcional)"},
    {"last_name", "Last name", "Apellido"},
    {"name_suffix", "Suffix (optional), for example JR", "Sufijo (opcional), por ejemplo JR"},
    {"dob", "Date of birth", "Fecha de nacimiento"},
    {"dob_hint", "For example 27 3 1985", "Por ejemplo 27 3 1985"},
    {"day", "Day", "Día"},
    {"month", "Month", "Mes"},
    {"year", "Year", "Año"},
    {"address", "Where you live", "Dónde vive"},
    {"street", "Street address", "Dirección"},
    {"city", "City or town", "Ciudad o pueblo"},
    {"zip", "ZIP code", "Código postal"},
    {"county", "County", "Condado"},
    {"choose", "Choose…", "Elija…"},
    {"party", "Party (optional)", "Partido (opcional)"},
    {"party_UNA", "No party (unaffiliated)", "Sin partido (no afiliado)"},
    {"party_DEM", "Democratic", "Demócrata"},
    {"party_REP", "Republican", "Republicano"},
    {"party_LIB", "Libertarian", "Libertario"},
    {"party_GRE", "Green", "Verde"},
    {"identity", "Proof of identity", "Prueba de identidad"},
    {"identity_hint",
     "Federal law (HAVA section 303) asks for your driver's licence or state ID number or, if you have none, the "
     "last four digits of your Social Security number. We never show these back to anyone.",
     "La ley federal (HAVA, sección 303) pide el número de su licencia de conducir o identificación estatal o, si "
     "no tiene, los últimos cuatro dígitos de su número de Seguro Social. Nunca los mostramos a nadie."},
    {"drivers_license", "Driver's licence or state ID number", "Número de licencia o identificación estatal"},
    {"ssn4", "Last four digits of your Social Security number", "Últimos cuatro dígitos de su Seguro Social"},
    {"no_id_number", "I have neither a licence or state ID nor a Social Security number",
     "No tengo licencia ni identificación estatal ni número de Seguro Social"},
    {"update_section", "Only if you are updating a registration", "Solo si actualiza una inscripción"},
    {"prev_last_name", "Last name on your current registration, if it changed",
     "Apellido en su inscripción actual, si cambió"},
    {"prev_zip", "ZIP code on your current registration", "Código postal en su inscripción actual"},
    {"cancel", "Cancel my registration (we will confirm by mail before doing it)",
     "Dar de baja mi inscripción (lo confirmaremos por correo antes de hacerlo)"},
    {"oath", "Declaration", "Declaración"},
    {"citizenship", "I am a citizen of the United States, and what I entered is true.",
     "Soy ciudadano de los Estados Unidos, y lo que escribí es verdad."},
    {"submit", "Send my application", "Enviar mi solicitud"},
    {"errors_title", "There is a problem", "Hay un problema"},
    {"err_kind", "Choose what you want to do", "Elija qué desea hacer"},
    {"err_first_name", "Enter your first name", "Escriba su nombre"},
    {"err_last_name", "Enter your last name", "Escriba su apellido"},
    {"err_middle_name", "Middle name is too long", "El segundo nombre es demasiado largo"},
    {"err_name_suffix", "Suffix is too long", "El sufijo es demasiado largo"},
    {"err_birth_date", "Enter a real date of birth", "Escriba una fecha de nacimiento válida"},
    {"err_age", "You are too young to register or pre-register yet",
     "Todavía es demasiado joven para inscribirse o preinscribirse"},
    {"err_res_street_address", "Enter your street address", "Escriba su dirección"},
    {"err_res_city", "Enter your city or town", "Escriba su ciudad o pueblo"},
    {"err_res_zip", "Enter a 5-digit ZIP code", "Escriba un código postal de 5 dígitos"},
    {"err_county", "Choose your county", "Elija su condado"},
    {"err_party", "Choose a party from the list", "Elija un partido de la lista"},
    {"err_identity", "Enter a licence or state ID number, the last four of your SSN, or tick that you have neither",
     "Escriba un número de licencia o identificación, los últimos cuatro de su Seguro Social, o marque que no tiene"},
    {"err_drivers_license", "A licence number has only letters and digits", "Un número de licencia solo tiene letras y dígitos"},
    {"err_ssn4", "Enter exactly four digits", "Escriba exactamente cuatro dígitos"},
    {"err_citizenship", "You must be a US citizen and confirm it to register",
     "Debe ser ciudadano de EE. UU. y confirmarlo para inscribirse"},
    {"err_prev_zip", "Enter the 5-digit ZIP code on your current registration",
     "Escriba el código postal de 5 dígitos de su inscripción actual"},
    {"err_prev_last_name", "Last name is too long", "El apellido es demasiado largo"},
    {"done_title", "Application received", "Solicitud recibida"},
    {"done_number", "Your confirmation number", "Su número de confirmación"},
    {"done_keep", "Write it down or take a screenshot: you need it, with your ZIP code, to check your application.",
     "Anótelo o tome una captura de pantalla: lo necesita, con su código postal, para consultar su solicitud."},
    {"done_next",
     "Your application is stored. Your county board of elections will verify it and write to you at your address.",
     "Su solicitud está guardada. La junta electoral de su condado la verificará y le escribirá a su dirección."},
    {"done_cancel", "You asked to cancel your registration: nothing changes until you answer the letter we mail you.",
     "Pidió dar de baja su inscripción: nada cambia hasta que responda la carta que le enviaremos por correo."},
    {"check_status", "Check the status of an application", "Consultar el estado de una solicitud"},
    {"busy_title", "We are very busy", "Estamos muy ocupados"},
    {"busy", "Many people are registering right now. Nothing was stored: please send the form again in %d seconds.",
     "Muchas personas se están inscribiendo ahora. No se guardó nada: envíe el formulario de nuevo en %d segundos."},
    {"too_many", "Too many requests from your connection. Please wait a minute and try again.",
     "Demasiadas solicitudes desde su conexión. Espere un minuto e intente de nuevo."},
    {"status_title", "Check your application", "Consulte su solicitud"},
    {"status_intro", "Enter your confirmation number and the ZIP code of the address on your application.",
     "Escriba su número de confirmación y el código postal de la dirección de su solicitud."},
    {"confirmation", "Confirmation number", "Número de confirmación"},
    {"confirmation_hint", "10 letters and digits, for example 7K3QD-N2XWB", "10 letras y dígitos, por ejemplo 7K3QD-N2XWB"},
    {"err_confirmation", "Enter the 10-character confirmation number", "Escriba el número de confirmación de 10 caracteres"},
    {"err_second_factor", "Enter a 5-digit ZIP code", "Escriba un código postal de 5 dígitos"},
    {"status_submit", "Check", "Consultar"},
    {"status_not_found", "We found no application with that number and ZIP code. Check both and try again.",
     "No encontramos una solicitud con ese número y código postal. Revise ambos e intente de nuevo."},
    {"status_label", "Status", "Estado"},
    {"submitted", "Received", "Recibida"},
    {"decided", "Decided", "Decidida"},
    {"reason", "Reason", "Motivo"},
    {"kind_label", "Kind", "Tipo"},
    {"st_received", "Received, waiting to be verified", "Recibida, en espera de verificación"},
    {"st_verified", "Verified, waiting for the county's decision", "Verificada, en espera de la decisión del condado"},
    {"st_needs_review", "Being reviewed by the county", "En revisión por el condado"},
    {"st_mail_confirmation", "Waiting for your answer to the letter we mailed you",
     "En espera de su respuesta a la carta que le enviamos por correo"},
    {"st_approved", "Approved: you are registered", "Aprobada: está inscrito"},
    {"st_denied", "Denied", "Denegada"},
    {"dr_not_eligible_age", "Not old enough", "No tiene la edad requerida"},
    {"dr_not_citizen", "Citizenship not confirmed", "Ciudadanía no confirmada"},
    {"dr_not_resident", "Address is not in this county", "La dirección no está en este condado"},
    {"dr_duplicate", "You are already registered", "Ya está inscrito"},
    {"dr_identity_not_verified", "Identity could not be verified: contact your county",
     "No se pudo verificar su identidad: comuníquese con su condado"},
    {"dr_incomplete", "Application incomplete: please apply again", "Solicitud incompleta: solicite de nuevo"},
    {"dr_withdrawn", "Withdrawn", "Retirada"},
};

/* The registration state the app owns. */
struct pc_app_registration {
  pc_voter_app_queue_t *queue;
  pc_voters_t keyed;              /* store NULL: only the HMAC key is used */
  pc_app_ratelimit_t *submit_limit, *status_limit;
  int retry_seconds;
};

static long long setting_number(pc_store_t *store, const char *name, long long fallback, long long max) {
  char text[32];
  long long value = fallback;
  if (pc_instance_setting_get(store, name, text, sizeof text, NULL) == 0 && pc_parse_int64(text, 1, max, &value) != 0)
    value = fallback;
  return value;
}

int pc_app_registration_open(pc_app_t *app, pc_store_t *store, pc_error_t *err) {
  pc_app_registration_t *r = pc_xcalloc(1, sizeof *r);
  static const pc_actor_t public_actor = {0, "public", "public", NULL};
  int rc = pc_voters_open(&r->keyed, app->instance, NULL, &public_actor, NULL, err);
  /* voters.registration_queue [4096] waiting submissions, batches of
   * voters.registration_batch [512]; per client address per minute:
   * voters.registration_per_minute [30] submissions, status lookups share
   * voters.lookup_per_minute's default [20]. */
  if (rc == 0) {
    pc_store_options_t options;
    pc_instance_store_options(app->instance, &options);
    rc = pc_voters_app_queue_start(&options, (int)setting_number(store, "voters.registration_queue", 4096, 1 << 20),
                                   (int)setting_number(store, "voters.registration_batch", 512, 1 << 16), &r->queue, err);
  }
  if (rc != 0) {
    pc_voters_close(&r->keyed);
    free(r);
    return rc;
  }
  r->submit_limit =
      pc_app_ratelimit_new(4096, (int)setting_number(store, "voters.registration_per_minute", 30, 100000000), 60);
  r->status_limit = pc_app_ratelimit_new(4096, (int)setting_number(store, "voters.lookup_per_minute", 20, 1000000), 60);
  r->retry_seconds = 5;
  app->registration = r;
  return 0;
}

void pc_app_registration_close(pc_app_t *app) {
  pc_app_registration_t *r = app->registration;
  if (r == NULL) return;
  pc_voter_app_queue_stats_t stats;
  pc_voters_app_queue_stats(r->queue, &stats);
  pc_voters_app_queue_stop(r->queue);
  pc_log(PC_LOG_INFO, "online registration: %lld stored in %lld batches (largest %lld), %lld refused busy, %lld failed",
         (long long)stats.stored, (long long)stats.batches, (long long)stats.largest_batch, (long long)stats.refused_busy,
         (long long)stats.failed);
  pc_voters_close(&r->keyed);
  pc_app_ratelimit_free(r->submit_limit);
  pc_app_ratelimit_free(r->status_limit);
  free(r);
  app->registration = NULL;
}

void pc_app_registration_housekeeping(pc_app_t *app, pc_store_t *store) {
  static const pc_actor_t serve_actor = {0, "precinct-serve", "operator", NULL};
  if (app->registration == NULL) return;
  pc_voters_t voters;
  pc_voters_open_reader(&voters, store, &serve_actor, NULL);
  pc_error_t err;
  pc_error_clear(&err);
  int64_t processed = 0;
  if (pc_voters_app_process(&voters, 2000, &processed, &err) != 0)
    pc_log(PC_LOG_WARN, "verifying registration applications failed: %s", err.message);
  else if (processed > 0)
    pc_log(PC_LOG_INFO, "verified %lld registration applications", (long long)processed);
}

static const pc_app_strings_t table = {strings, sizeof strings / sizeof strings[0]};

static const char *text(int lang, const char *key) { return pc_app_text(&table, lang, key); }

static json_t *context_for(pc_http_request_t *req, int lang, const char *title_key, const char *path) {
  return pc_app_public_context(req, &table, lang, title_key, path);
}

static int add_county(const pc_county_t *county, void *context) {
  json_array_append_new(context, json_pack("{s:s}", "name", county->name));
  return 0;
}

/* The form's context: counties and parties with the chosen one marked,
 * and the values typed (FORM may be NULL) except identity-proof fields. */
static int form_context(pc_http_request_t *req, json_t *context, int lang, const pc_http_fields_t *form) {
  const char *kept[] = {"first_name", "middle_name", "last_name", "name_suffix", "res_street_address", "res_city",
                        "res_zip",    "prev_last_name", "prev_zip"};
  for (size_t i = 0; form && i < sizeof kept / sizeof kept[0]; i++) {
    const char *value = pc_http_fields_get(form, kept[i]);
    if (value) json_object_set_new(context, kept[i], json_string(value));
  }
  const char *county = form ? pc_http_fields_get(form, "county") : NULL;
  const char *party = form ? pc_http_fields_get(form, "party") : NULL;
  const char *kind = form ? pc_http_fields_get(form, "kind") : pc_http_request_query(req, "kind");
  json_object_set_new(context, kind && strcmp(kind, "update") == 0 ? "kind_is_update" : "kind_is_new", json_true());
  if (form && pc_http_fields_get(form, "no_id_number")) json_object_set_new(context, "no_id_checked", json_true());
  if (form && pc_http_fields_get(form, "cancel_requested")) json_object_set_new(context, "cancel_checked", json_true());
  json_t *counties = json_array();
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_counties_each(pc_http_request_store(req), add_county, counties, &err);
  if (rc != 0) {
    json_decref(counties);
    return rc;
  }
  size_t i;
  json_t *item;
  json_array_foreach(counties, i, item) {
    if (county && strcmp(county, json_string_value(json_object_get(item, "name"))) == 0)
      json_object_set_new(item, "selected", json_true());
  }
  json_object_set_new(context, "counties", counties);
  static const char *const parties[] = {"UNA", "DEM", "REP", "LIB", "GRE"};
  json_t *party_list = json_array();
  for (size_t p = 0; p < sizeof parties / sizeof parties[0]; p++) {
    char key[16];
    pc_snprintf(key, sizeof key, "party_%s", parties[p]);
    json_t *entry = json_pack("{s:s, s:s}", "code", parties[p], "label", text(lang, key));
    if (party && strcmp(party, parties[p]) == 0) json_object_set_new(entry, "selected", json_true());
    json_array_append_new(party_list, entry);
  }
  json_object_set_new(context, "parties", party_list);
  return 0;
}

static int register_form(pc_http_request_t *req, pc_http_response_t *resp) {
  int lang = pc_app_language(pc_http_request_query(req, "lang"));
  json_t *context = context_for(req, lang, "title", "/register");
  int rc = form_context(req, context, lang, NULL);
  if (rc != 0) {
    json_decref(context);
    return rc;
  }
  return pc_app_render(req, resp, 200, "register", context);
}

/* Field bits -> (anchor id, message key), in form order. */
static const struct {
  unsigned bit;
  const char *field, *message;
} field_errors[] = {
    {PC_APP_FIELD_KIND, "kind", "err_kind"},
    {PC_APP_FIELD_FIRST_NAME, "first_name", "err_first_name"},
    {PC_APP_FIELD_MIDDLE_NAME, "middle_name", "err_middle_name"},
    {PC_APP_FIELD_LAST_NAME, "last_name", "err_last_name"},
    {PC_APP_FIELD_SUFFIX, "name_suffix", "err_name_suffix"},
    {PC_APP_FIELD_BIRTH_DATE, "birth_date", "err_birth_date"},
    {PC_APP_FIELD_AGE, "birth_date", "err_age"},
    {PC_APP_FIELD_STREET, "res_street_address", "err_res_street_address"},
    {PC_APP_FIELD_CITY, "res_city", "err_res_city"},
    {PC_APP_FIELD_ZIP, "res_zip", "err_res_zip"},
    {PC_APP_FIELD_COUNTY, "county", "err_county"},
    {PC_APP_FIELD_PARTY, "party", "err_party"},
    {PC_APP_FIELD_ID, "drivers_license", "err_identity"},
    {PC_APP_FIELD_DL, "drivers_license", "err_drivers_license"},
    {PC_APP_FIELD_SSN4, "ssn4", "err_ssn4"},
    {PC_APP_FIELD_CITIZENSHIP, "citizenship", "err_citizenship"},
    {PC_APP_FIELD_PREV_LAST_NAME, "prev_last_name", "err_prev_last_name"},
    {PC_APP_FIELD_PREV_ZIP, "prev_zip", "err_prev_zip"},
};

static int render_errors(pc_http_request_t *req, pc_http_response_t *resp, int lang, const pc_http_fields_t *form,
                         unsigned bad) {
  json_t *context = context_for(req, lang, "title", "/register");
  json_t *errors = json_array();
  for (size_t i = 0; i < sizeof field_errors / sizeof field_errors[0]; i++) {
    if (!(bad & field_errors[i].bit)) continue;
    char flag[48];
    pc_snprintf(flag, sizeof flag, "error_%s", field_errors[i].field);
    if (json_object_get(context, flag)) continue; /* one message per field */
    const char *message = text(lang, field_errors[i].message);
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field_errors[i].field, "message", message));
    json_object_set_new(context, flag, json_string(message));
  }
  json_object_set_new(context, "has_errors", json_true());
  json_object_set_new(context, "errors", errors);
  int rc = form_context(req, context, lang, form);
  if (rc != 0) {
    json_decref(context);
    return rc;
  }
  return pc_app_render(req, resp, 400, "register", context);
}

static int render_busy(pc_http_request_t *req, pc_http_response_t *resp, int lang, int status, int seconds) {
  char retry[16];
  pc_snprintf(retry, sizeof retry, "%d", seconds);
  (void)pc_http_response_add_header(resp, "Retry-After", retry);
  /* The sentence holds "%d" where the seconds go (spliced, never a format). */
  const char *sentence = text(lang, "busy"), *slot = strstr(sentence, "%d");
  assert(slot != NULL);
  pc_buf_t message;
  pc_buf_init(&message, 512);
  pc_buf_append(&message, sentence, (size_t)(slot - sentence));
  pc_buf_append_str(&message, retry);
  pc_buf_append_str(&message, slot + 2);
  json_t *context = context_for(req, lang, "busy_title", "/register");
  json_object_set_new(context, "busy_message", json_string(pc_buf_str(&message)));
  pc_buf_free(&message);
  return pc_app_render(req, resp, status, "register_busy", context);
}

static int register_submit(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_app_t *app = req->app;
  pc_app_registration_t *r = app->registration;
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  int lang = pc_app_language(pc_http_fields_get(form, "lang"));
  if (pc_app_rate_limited(req, resp, r->submit_limit) != 0) {
    json_t *context = context_for(req, lang, "busy_title", "/register");
    json_object_set_new(context, "busy_message", json_string(text(lang, "too_many")));
    return pc_app_render(req, resp, 429, "register_busy", context);
  }
  char birth[16];
  pc_app_form_birth_date(form, birth);
  pc_voter_app_input_t in = {
      .kind = pc_http_fields_get(form, "kind"),
      .lang = lang ? "es" : "en",
      .first_name = pc_http_fields_get(form, "first_name"),
      .middle_name = pc_http_fields_get(form, "middle_name"),
      .last_name = pc_http_fields_get(form, "last_name"),
      .name_suffix = pc_http_fields_get(form, "name_suffix"),
      .birth_date = birth,
      .res_street_address = pc_http_fields_get(form, "res_street_address"),
      .res_city = pc_http_fields_get(form, "res_city"),
      .res_zip = pc_http_fields_get(form, "res_zip"),
      .county = pc_http_fields_get(form, "county"),
      .party = pc_http_fields_get(form, "party"),
      .drivers_license = pc_http_fields_get(form, "drivers_license"),
      .ssn4 = pc_http_fields_get(form, "ssn4"),
      .no_id_number = pc_http_fields_get(form, "no_id_number") != NULL,
      .citizenship_attested = pc_http_fields_get(form, "citizenship") != NULL,
      .prev_last_name = pc_http_fields_get(form, "prev_last_name"),
      .prev_zip = pc_http_fields_get(form, "prev_zip"),
      .cancel_requested = pc_http_fields_get(form, "cancel_requested") != NULL,
  };
  pc_voters_t voters = r->keyed;
  voters.store = pc_http_request_store(req);
  pc_voter_app_t application;
  unsigned bad = 0;
  pc_error_t err;
  pc_error_clear(&err);
  rc = pc_voters_app_check(&voters, &in, &application, &bad, &err);
  sodium_memzero(birth, sizeof birth);
  sodium_memzero(&voters, sizeof voters);
  if (rc == PC_EINVAL) return render_errors(req, resp, lang, form, bad);
  if (rc != 0) return rc;
  rc = pc_voters_app_queue_submit(r->queue, &application, &err);
  sodium_memzero(&application.birth_date, sizeof application.birth_date);
  if (rc == PC_EBUSY || rc == PC_EUNAVAIL) return render_busy(req, resp, lang, 503, r->retry_seconds);
  if (rc != 0) {
    pc_log(PC_LOG_ERROR, "registration not stored: %s", err.message);
    return render_busy(req, resp, lang, 503, r->retry_seconds);
  }
  char number[PC_CONFIRMATION_SIZE + 2];
  pc_confirmation_format(application.confirmation, number);
  json_t *context = context_for(req, lang, "done_title", "/register");
  json_object_set_new(context, "confirmation", json_string(number));
  if (application.cancel_requested) json_object_set_new(context, "cancel_requested", json_true());
  sodium_memzero(&application, sizeof application);
  return pc_app_render(req, resp, 200, "register_done", context);
}

/* ---- status ------------------------------------------------------------------ */

static int status_form(pc_http_request_t *req, pc_http_response_t *resp) {
  int lang = pc_app_language(pc_http_request_query(req, "lang"));
  return pc_app_render(req, resp, 200, "register_status", context_for(req, lang, "status_title", "/register/status"));
}

static int status_submit(pc_http_request_t *req, pc_http_response_t *resp) {
  pc_app_t *app = req->app;
  const pc_http_fields_t *form;
  int rc = pc_app_form(req, &form);
  if (rc != 0) return rc;
  int lang = pc_app_language(pc_http_fields_get(form, "lang"));
  json_t *context = context_for(req, lang, "status_title", "/register/status");
  if (pc_app_rate_limited(req, resp, app->registration->status_limit) != 0) {
    json_object_set_new(context, "too_many", json_true());
    return pc_app_render(req, resp, 429, "register_status", context);
  }
  const char *number = pc_http_fields_get(form, "confirmation"), *zip = pc_http_fields_get(form, "zip");
  pc_voter_app_status_t status;
  pc_error_t err;
  pc_error_clear(&err);
  rc = pc_voters_app_status(pc_http_request_store(req), number ? number : "", zip ? zip : "", &status, &err);
  if (rc == PC_EINVAL) {
    char canonical[PC_CONFIRMATION_SIZE];
    int number_bad = pc_confirmation_parse(number, canonical) != 0;
    json_t *errors = json_array();
    if (number_bad) {
      json_object_set_new(context, "error_confirmation", json_string(text(lang, "err_confirmation")));
      json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "confirmation", "message", text(lang, "err_confirmation")));
    }
    if (!number_bad || strcmp(err.field, "second_factor") == 0) {
      json_object_set_new(context, "error_zip", json_string(text(lang, "err_second_factor")));
      json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "zip", "message", text(lang, "err_second_factor")));
    }
    json_object_set_new(context, "has_errors", json_true());
    json_object_set_new(context, "errors", errors);
    json_object_set_new(context, "confirmation", json_string(number ? number : ""));
    json_object_set_new(context, "zip", json_string(zip ? zip : ""));
    return pc_app_render(req, resp, 400, "register_status", context);
  }
  if (rc != 0) {
    json_decref(context);
    return rc;
  }
  json_object_set_new(context, "checked", json_true());
  if (status.found) {
    char key[48];
    pc_snprintf(key, sizeof key, "st_%s", status.status);
    json_t *result = json_pack("{s:s, s:s, s:s, s:s}", "status_text", text(lang, key), "kind_text",
                               text(lang, strcmp(status.kind, "update") == 0 ? "kind_update" : "kind_new"), "county",
                               status.county, "submitted_at", status.submitted_at);
    if (status.decided_at[0]) json_object_set_new(result, "decided_at", json_string(status.decided_at));
    if (status.denial_reason[0]) {
      pc_snprintf(key, sizeof key, "dr_%s", status.denial_reason);
      json_object_set_new(result, "reason_text", json_string(text(lang, key)));
    }
    json_object_set_new(context, "result", result);
  }
  return pc_app_render(req, resp, 200, "register_status", context);
}

const pc_http_route_t pc_app_register_routes[] = {
    {PC_HTTP_GET, "/register", register_form, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_POST, "/register", register_submit, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_GET, "/register/status", status_form, PC_HTTP_PUBLIC, NULL},
    {PC_HTTP_POST, "/register/status", status_submit, PC_HTTP_PUBLIC, NULL},
};
const size_t pc_app_register_route_count = sizeof pc_app_register_routes / sizeof pc_app_register_routes[0];
