/* Helpers of the election-night pages: resolving the election a page is
 * about, the election picker and error text that carries a line number.
 * The pages themselves are pages_returns.c and pages_night.c. */
#include "night_internal.h"

#include "precinct/results_night.h"

int pc_night_election(pc_http_request_t *req, const char *given, pc_election_t *out, pc_error_t *err) {
  pc_store_t *store = pc_http_request_store(req);
  int64_t id = 0;
  if (given && given[0]) {
    int rc = pc_elections_resolve(store, given, &id, err);
    if (rc != 0) return rc;
  }
  return pc_elections_get(store, id, out, err);
}

typedef struct picker {
  json_t *list;
  int64_t selected;
} picker_t;

static int add_election(void *context, const pc_night_election_t *e) {
  picker_t *p = context;
  json_t *row = json_pack("{s:s, s:s, s:s, s:s}", "code", e->code, "name", e->name, "date", e->date, "mode", e->mode);
  if (e->id == p->selected) json_object_set_new(row, "selected", json_true());
  json_array_append_new(p->list, row);
  return 0;
}

int pc_night_pick(pc_http_request_t *req, const char *given, const char *picker_action, json_t *context,
                  pc_election_t *e, pc_error_t *err) {
  int rc = pc_night_election(req, given, e, err);
  if (rc == PC_ENOTFOUND && (given == NULL || given[0] == '\0')) {
    json_object_set_new(context, "no_election", json_true());
    return 1;
  }
  if (rc != 0) return rc;
  picker_t p = {json_array(), e->id};
  rc = pc_results_night_elections(pc_http_request_store(req), add_election, &p, err);
  if (rc != 0) {
    json_decref(p.list);
    return rc;
  }
  json_object_set_new(context, "elections", p.list);
  json_object_set_new(context, "picker_action", json_string(picker_action));
  return 0;
}

void pc_night_error_text(const pc_error_t *err, char *out, size_t size) {
  if (err->line > 0) pc_snprintf(out, size, "line %ld: %s", err->line, err->message);
  else pc_strlcpy(out, err->message, size);
}

void pc_night_path(pc_buf_t *out, const char *prefix, const char *name, const char *suffix) {
  pc_buf_append_str(out, prefix);
  pc_buf_append_urlencoded(out, name);
  pc_buf_append_str(out, suffix);
}
