/* NIST SP 1500-102 VRI JSON: registration requests in, voter records out.
 * Requests are read whole (size-limited) with jansson and registered one by
 * one inside the file's single transaction, each through the same checks
 * as a registration at the counter. The precinct, which VRI requests do not
 * carry, comes from AdditionalInfo "Precinct" (documented in docs/voters.md). */
#include "vri.h"

#include "voters_internal.h"

#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/fileio.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *str_at(json_t *object, const char *key) {
  const char *s = json_string_value(json_object_get(object, key));
  return s ? s : "";
}

/* Copies TEXT into OUT or reports the field as too long. */
static int put(char *out, size_t size, const char *text, const char *field, long index, pc_error_t *err) {
  if (strlen(text) >= size)
    return pc_error_set_at(err, PC_EINVAL, NULL, index, field, "longer than %zu characters", size - 1);
  pc_strlcpy(out, text, size);
  return 0;
}

static void address_line(json_t *address, pc_buf_t *line) {
  json_t *street = json_object_get(address, "CompleteStreetName");
  const char *parts[] = {
      str_at(json_object_get(address, "CompleteAddressNumber"), "AddressNumber"),
      str_at(json_object_get(street, "StreetNamePreDirectional"), "Value"),
      str_at(street, "StreetName"),
      str_at(json_object_get(street, "StreetNamePostType"), "Value"),
      str_at(json_object_get(street, "StreetNamePostDirectional"), "Value")};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    if (parts[i][0] == '\0') continue;
    if (line->len) pc_buf_append_char(line, ' ');
    pc_buf_append_str(line, parts[i]);
  }
}

static const char *place(json_t *address, const char *type) {
  json_t *names = json_object_get(json_object_get(address, "CompletePlaceName1"), "PlaceName");
  size_t i;
  json_t *entry;
  json_array_foreach(names, i, entry) {
    if (strcmp(str_at(entry, "PlaceNameType"), type) == 0) return str_at(entry, "Value");
  }
  return "";
}

static const char *middle_name_of(json_t *name) {
  const char *s = json_string_value(json_array_get(json_object_get(name, "MiddleName"), 0));
  return s ? s : "";
}

typedef int (*visit_fn)(void *context, pc_voter_application_t *app, long index, pc_error_t *err);

static int parse_request(json_t *request, long index, visit_fn visit, void *context, pc_error_t *err) {
  if (!json_is_object(request) || strcmp(str_at(request, "@type"), "VRI.VoterRecordsRequest") != 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, index, "@type", "expected a VRI.VoterRecordsRequest");
  int registration = 0;
  size_t i;
  json_t *item;
  json_array_foreach(json_object_get(request, "Type"), i, item) {
    registration |= json_is_string(item) && strcmp(json_string_value(item), "registration") == 0;
  }
  if (!registration) return pc_error_set_at(err, PC_EINVAL, NULL, index, "Type", "only registration requests are accepted");
  json_t *subject = json_object_get(request, "Subject");
  json_t *name = json_object_get(subject, "Name");
  if (!json_is_object(name)) return pc_error_set_at(err, PC_EINVAL, NULL, index, "Subject.Name", "is required");
  pc_voter_application_t app;
  memset(&app, 0, sizeof app);
  pc_voter_t *r = &app.voter;
  int rc = put(r->first_name, sizeof r->first_name, str_at(name, "FirstName"), "Subject.Name.FirstName", index, err);
  if (rc == 0) rc = put(r->last_name, sizeof r->last_name, str_at(name, "LastName"), "Subject.Name.LastName", index, err);
  if (rc == 0)
    rc = put(r->middle_name, sizeof r->middle_name, middle_name_of(name),
             "Subject.Name.MiddleName", index, err);
  if (rc == 0) rc = put(r->name_suffix, sizeof r->name_suffix, str_at(name, "Suffix"), "Subject.Name.Suffix", index, err);
  char dob[40];
  if (rc == 0) rc = put(dob, sizeof dob, str_at(subject, "DateOfBirth"), "Subject.DateOfBirth", index, err);
  if (rc == 0) pc_snprintf(r->birth_date, sizeof r->birth_date, "%.10s", dob);
  json_t *home = json_object_get(subject, "ResidenceAddress");
  pc_buf_t line;
  pc_buf_init(&line, 256);
  address_line(home, &line);
  if (rc == 0) rc = put(r->res_street_address, sizeof r->res_street_address, pc_buf_str(&line), "Subject.ResidenceAddress", index, err);
  if (rc == 0) rc = put(r->res_city, sizeof r->res_city, place(home, "MunicipalJurisdiction"), "Subject.ResidenceAddress.PlaceName", index, err);
  if (rc == 0) rc = put(r->res_state, sizeof r->res_state, str_at(home, "StateName"), "Subject.ResidenceAddress.StateName", index, err);
  if (rc == 0) rc = put(r->res_zip, sizeof r->res_zip, str_at(home, "ZipCode"), "Subject.ResidenceAddress.ZipCode", index, err);
  json_t *mail = json_object_get(subject, "MailingAddress");
  pc_buf_reset(&line);
  if (json_is_object(mail)) address_line(mail, &line);
  if (rc == 0) rc = put(r->mail_addr[0], sizeof r->mail_addr[0], pc_buf_str(&line), "Subject.MailingAddress", index, err);
  if (rc == 0) rc = put(r->mail_city, sizeof r->mail_city, place(mail, "MunicipalJurisdiction"), "Subject.MailingAddress.PlaceName", index, err);
  if (rc == 0) rc = put(r->mail_state, sizeof r->mail_state, str_at(mail, "StateName"), "Subject.MailingAddress.StateName", index, err);
  if (rc == 0) rc = put(r->mail_zip, sizeof r->mail_zip, str_at(mail, "ZipCode"), "Subject.MailingAddress.ZipCode", index, err);
  pc_buf_free(&line);
  json_t *party = json_object_get(subject, "Party");
  const char *party_code = str_at(party, "Abbreviation")[0] ? str_at(party, "Abbreviation") : str_at(party, "Name");
  if (rc == 0) rc = put(r->party, sizeof r->party, party_code, "Subject.Party", index, err);
  json_array_foreach(json_object_get(subject, "VoterId"), i, item) {
    const char *type = str_at(item, "Type");
    const char *value = str_at(item, "StringValue");
    if (strcmp(type, "drivers-license") == 0 && value[0]) app.drivers_license = value;
    if (strcmp(type, "ssn4") == 0 && value[0]) app.ssn4 = value;
  }
  json_array_foreach(json_object_get(subject, "VoterClassification"), i, item) {
    if (strcmp(str_at(item, "Type"), "united-states-citizen") == 0 && strcmp(str_at(item, "Assertion"), "yes") == 0)
      app.citizenship_attested = 1;
  }
  json_array_foreach(json_object_get(request, "AdditionalInfo"), i, item) {
    if (rc == 0 && strcasecmp(str_at(item, "Name"), "Precinct") == 0)
      rc = put(r->precinct_code, sizeof r->precinct_code, str_at(item, "StringValue"), "AdditionalInfo.Precinct", index, err);
  }
  app.county = place(home, "County");
  app.mail_registration = strstr(str_at(request, "RequestMethod"), "mail") != NULL;
  pc_strlcpy(r->registration_source, "vri", sizeof r->registration_source);
  if (rc == 0) rc = visit(context, &app, index, err);
  sodium_memzero(&app, sizeof app);
  return rc;
}

int pc_vri_parse_buffer(const char *data, size_t size, visit_fn visit, void *context, pc_error_t *err) {
  if (size > (size_t)PC_VRI_MAX_FILE) return pc_error_set(err, PC_ELIMIT, "VRI file larger than %ld bytes", PC_VRI_MAX_FILE);
  json_error_t jerr;
  json_t *root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL) return pc_error_set_at(err, PC_EINVAL, NULL, jerr.line, NULL, "invalid JSON: %s", jerr.text);
  int rc = 0;
  if (json_is_array(root)) {
    if (json_array_size(root) > PC_VRI_MAX_RECORDS) rc = pc_error_set(err, PC_ELIMIT, "more than %d requests", PC_VRI_MAX_RECORDS);
    for (size_t i = 0; rc == 0 && i < json_array_size(root); i++)
      rc = parse_request(json_array_get(root, i), (long)i + 1, visit, context, err);
  } else {
    rc = parse_request(root, 1, visit, context, err);
  }
  json_decref(root);
  return rc;
}

typedef struct vri_import {
  pc_voters_t *v;
  int64_t rows, first_id;
} vri_import_t;

static int register_one(void *context, pc_voter_application_t *app, long index, pc_error_t *err) {
  vri_import_t *imp = context;
  int64_t id = 0;
  char county[64];
  pc_strlcpy(county, app->county, sizeof county);
  long long number;
  /* A numeric County place name (as in Ohio's example) is the county's id. */
  if (pc_parse_int64(county, 1, 100000, &number) == 0) {
    pc_stmt_t *stmt;
    if (pc_store_prepare(imp->v->store, "SELECT name FROM counties WHERE id = ?", &stmt, err) == 0) {
      pc_stmt_bind_int64(stmt, 1, number);
      if (pc_stmt_step(stmt, err) == PC_STORE_ROW) pc_strlcpy(county, pc_stmt_column_text(stmt, 0), sizeof county);
      pc_stmt_finalize(stmt);
    }
  }
  app->county = county;
  int rc = pc_voters_register_in_tx(imp->v, app, &id, err);
  if (rc != 0) {
    if (err) err->line = index;
    return rc;
  }
  if (imp->rows++ == 0) imp->first_id = id;
  return 0;
}

int pc_vri_import(pc_voters_t *v, const char *path, pc_voters_import_result_t *result, pc_error_t *err) {
  char *data = NULL;
  size_t size = 0;
  int64_t started = pc_clock_monotonic_ms();
  int rc = pc_file_read_all(path, PC_VRI_MAX_FILE, &data, &size, err);
  if (rc != 0) return rc;
  unsigned char file_hash[PC_HASH_SIZE];
  crypto_hash_sha256((unsigned char *)file_hash, (const unsigned char *)data, size);
  char file_hex[PC_HASH_SIZE * 2 + 1];
  sodium_bin2hex(file_hex, sizeof file_hex, file_hash, sizeof file_hash);
  vri_import_t imp = {.v = v};
  int64_t batch_id = 0;
  rc = pc_store_begin(v->store, err);
  if (rc != 0) {
    free(data);
    return rc;
  }
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store,
                        "INSERT INTO voter_import_batches (file_name, file_sha256, format, row_count, rows_digest,"
                        " imported_at) VALUES (?, '', 'vri', 0, '', ?) RETURNING id",
                        &stmt, err);
  if (rc == 0) {
    const char *base = strrchr(path, '/');
    pc_stmt_bind_text(stmt, 1, base ? base + 1 : path);
    pc_stmt_bind_text(stmt, 2, now);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) batch_id = pc_stmt_column_int64(stmt, 0), rc = 0;
    pc_stmt_finalize(stmt);
  }
  if (rc == 0) rc = pc_vri_parse_buffer(data, size, register_one, &imp, err);
  if (rc != 0 && err && err->file[0] == '\0') pc_strlcpy(err->file, path, sizeof err->file);
  /* Each registration has its own audit entry: the batch records the file
   * and count but covers no rows by digest. */
  if (rc == 0) rc = pc_voters_finish_batch(v, batch_id, file_hex, imp.rows, imp.first_id, NULL, err);
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) pc_store_rollback(v->store);
  free(data);
  if (rc == 0) {
    result->rows = imp.rows;
    result->batch_id = batch_id;
    result->milliseconds = pc_clock_monotonic_ms() - started;
    pc_strlcpy(result->file_sha256, file_hex, sizeof result->file_sha256);
  }
  return rc;
}

static json_t *name_object(const pc_voter_t *v) {
  json_t *name = json_pack("{s:s, s:s, s:s}", "@type", "VRI.Name", "FirstName", v->first_name, "LastName", v->last_name);
  if (v->middle_name[0]) json_object_set_new(name, "MiddleName", json_pack("[s]", v->middle_name));
  if (v->name_suffix[0]) json_object_set_new(name, "Suffix", json_string(v->name_suffix));
  return name;
}

static json_t *address_object(const char *line, const char *city, const char *county, const char *state, const char *zip) {
  json_t *places = json_array();
  if (city[0]) json_array_append_new(places, json_pack("{s:s, s:s, s:s}", "@type", "addr_type.PlaceName_type",
                                                       "PlaceNameType", "MunicipalJurisdiction", "Value", city));
  if (county) json_array_append_new(places, json_pack("{s:s, s:s, s:s}", "@type", "addr_type.PlaceName_type",
                                                      "PlaceNameType", "County", "Value", county));
  return json_pack("{s:s, s:s, s:{s:s, s:o}, s:s, s:s}", "@type", "addr.GeneralAddressClass_type", "DeliveryAddress",
                   line, "CompletePlaceName", "@type", "addr_type.CompletePlaceName_type", "PlaceName", places,
                   "StateName", state, "ZipCode", zip);
}

int pc_vri_write_record(FILE *out, const pc_voter_t *v, const char *county_name) {
  json_t *voter = json_pack("{s:s, s:o, s:o}", "@type", "VRI.Voter", "Name", name_object(v), "ResidenceAddress",
                            address_object(v->confidential[0] == 'Y' ? "" : v->res_street_address,
                                           v->confidential[0] == 'Y' ? "" : v->res_city, county_name, v->res_state,
                                           v->confidential[0] == 'Y' ? "" : v->res_zip));
  if (v->mail_addr[0][0] && v->confidential[0] != 'Y')
    json_object_set_new(voter, "MailingAddress", address_object(v->mail_addr[0], v->mail_city, NULL, v->mail_state, v->mail_zip));
  if (v->party[0]) json_object_set_new(voter, "Party", json_pack("{s:s, s:s}", "@type", "VRI.Party", "Name", v->party));
  if (v->gender[0]) json_object_set_new(voter, "Gender", json_string(v->gender));
  const char *status = strcmp(v->status, "A") == 0 ? "active" : strcmp(v->status, "I") == 0 ? "inactive" : "other";
  json_t *record = json_pack("{s:s, s:o, s:s, s:b, s:[{s:s, s:s, s:s}]}", "@type", "VRI.VoterRecord", "Voter", voter,
                             "VoterStatus", status, "HavaIdRequired", (int)v->hava_id_required, "Locality", "@type",
                             "VRI.ReportingUnit", "Type", "precinct", "Name", v->precinct_code);
  if (strcmp(status, "other") == 0) json_object_set_new(record, "OtherStatus", json_string(pc_voters_status_desc(v->status)));
  int rc = json_dumpf(record, out, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(record);
  return rc == 0 ? 0 : PC_EIO;
}
