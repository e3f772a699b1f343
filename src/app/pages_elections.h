/* Shared by the election definition pages (pages_elections.c: elections,
 * overview, export; pages_elections_objects.c: parties, districts,
 * precincts, polling places, contests, choices, ballot styles): the loaded
 * election of a request and form building. Not used elsewhere. */
#ifndef PRECINCT_PAGES_ELECTIONS_H
#define PRECINCT_PAGES_ELECTIONS_H

#include "app_internal.h"

#include "precinct/elections_edit.h"

/* One form field: how it is shown. Values come from a JSON object (name ->
 * string, or array of strings for checkboxes). */
typedef enum field_type { F_TEXT, F_NUMBER, F_DATE, F_TEXTAREA, F_SELECT, F_CHECKBOX, F_CHECKBOXES } field_type_t;

typedef struct field_spec {
  const char *name, *label, *hint;
  field_type_t type;
  int required;
} field_spec_t;

/* The election named by the path parameter "election", loaded whole. */
int pc_app_election_load(pc_http_request_t *req, pc_election_model_t *model);

/* Form values from the submitted form: name -> string, or -> array for the
 * checkbox groups named in SPECS. */
json_t *pc_app_election_form_values(const pc_http_fields_t *form, const field_spec_t *specs, size_t count);
/* A pc_elections_values_t reading the submitted form. */
pc_elections_values_t pc_app_election_form_reader(const pc_http_fields_t *form);

/* The "fields" array the el_form partial shows: SPECS with VALUES, the
 * options of select/checkbox fields from OPTIONS (name -> [{option_value,
 * option_label}]), and ERR's message on the field it names. Returns the
 * form-level message (ERR's message when it names no field of SPECS), or
 * NULL, in *UNPLACED. Element ids are "<ID_PREFIX>-<name>": unique per page. */
json_t *pc_app_election_fields(const char *id_prefix, const field_spec_t *specs, size_t count, json_t *values,
                               json_t *options, const pc_error_t *err, const char **unplaced);
/* {option_value, option_label} */
json_t *pc_app_option(const char *value, const char *label);
/* A form object for el_form: action, submit label, fields and form error. */
json_t *pc_app_election_form(const char *action, const char *submit, json_t *fields, const char *form_error);

/* "/admin/elections/<id>" followed by SUFFIX into OUT. */
void pc_app_election_href(char *out, size_t size, int64_t election, const char *suffix);
/* The page context with the election's name, links and live-mode notice. */
json_t *pc_app_election_context(pc_http_request_t *req, const pc_election_model_t *model, const char *title);
/* Status for an edit's error: 400 for bad input, 409 for refusals... */
int pc_app_election_status(int rc);

#endif
