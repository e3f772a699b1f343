/* Cast vote records of ranked-choice contests as a county upload: a NIST SP
 * 1500-103 CDF CastVoteRecordReport (JSON or XML, by content) read by the
 * tabulation module's CDF readers, or a Dominion .zip (ingest_dominion.c),
 * checked whole (contests, candidates, precincts of the uploader's
 * county, ranks), stored per contest in the compact encoding of
 * cvr_store.c with each precinct's round-1 votes, as a new audited version
 * or not at all. Called by pc_results_ingest, which detects the format. */
#include "rcv.h"
#include "precinct/sha256.h"

#include "precinct/alloc.h"
#include "precinct/clock.h"
#include "precinct/cvr.h"
#include "precinct/log.h"
#include "tabulate/cvr/json_split.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SKELETON_MAX ((size_t)64 << 20)
#define UWI_NAME "Undeclared Write-ins"

pc_rcv_format_t pc_results_cvr_format(const char *data, size_t size) {
  if (size >= 4 && memcmp(data, "PK\003\004", 4) == 0) return PC_RCV_FORMAT_DOMINION_ZIP;
  size_t at = 0;
  if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) at = 3;
  while (at < size && (data[at] == ' ' || data[at] == '\t' || data[at] == '\r' || data[at] == '\n')) at++;
  /* A CDF CVR report names its type, and every CVR has CVRSnapshots; an ERR
   * report has neither. */
  if (at < size && data[at] == '{' &&
      (memmem(data, size, "CVR.CastVoteRecordReport", 24) != NULL || memmem(data, size, "\"CVRSnapshot\"", 13) != NULL))
    return PC_RCV_FORMAT_CDF_JSON;
  if (at < size && data[at] == '<' && memmem(data, size, "CastVoteRecordReport", 20) != NULL) return PC_RCV_FORMAT_CDF_XML;
  return PC_RCV_FORMAT_NONE;
}

const char *pc_results_cvr_format_name(pc_rcv_format_t format) {
  switch (format) {
  case PC_RCV_FORMAT_CDF_JSON: return "cdf-cvr-json";
  case PC_RCV_FORMAT_CDF_XML: return "cdf-cvr-xml";
  case PC_RCV_FORMAT_DOMINION_ZIP: return "dominion-zip";
  default: return "none";
  }
}

/* Where a ballot's error points: the upload, or the upload's zip entry. */
static const char *ballot_file(const pc_rcv_read_t *r, const pc_cvr_ballot_t *ballot, char *out, size_t size) {
  if (!r->name_entries || !ballot->file) return r->file_name;
  const char *base = strrchr(ballot->file, '/');
  pc_snprintf(out, size, "%s/%s", r->file_name, base ? base + 1 : ballot->file);
  return out;
}

static int find_choice(const pc_rcv_read_t *r, const char *candidate) {
  if (!r->keys) return strcmp(candidate, UWI_NAME) == 0 ? r->write_in : pc_elections_find_choice(r->model, r->contest, candidate);
  for (size_t i = 0; i < r->key_count; i++)
    if (strcmp(r->keys[i].key, candidate) == 0) return r->keys[i].choice;
  return -1;
}

/* The uploader's precinct TEXT names: its code, else its name among the
 * county's precincts. Precinct names are unique per county only, and another
 * county's code may be this county's name, so the election-wide lookup
 * alone would refuse (or misplace) it. -1 when the county has none (or two
 * by that name). */
static int county_precinct(pc_rcv_read_t *r, const char *text) {
  const pc_election_model_t *m = r->model;
  int p = pc_elections_find_precinct(m, text);
  if (p >= 0 && m->precincts[p].county == r->county) return p;
  if (r->last_precinct && strcmp(r->last_precinct_text, text) == 0) return r->last_precinct - 1;
  int by_code = -1, by_name = -1, names = 0;
  for (size_t i = 0; i < m->precinct_count; i++) {
    if (m->precincts[i].county != r->county) continue;
    if (strcmp(m->precincts[i].code, text) == 0) by_code = (int)i;
    else if (strcmp(m->precincts[i].name, text) == 0) by_name = (int)i, names++;
  }
  int found = by_code >= 0 ? by_code : names == 1 ? by_name : -1;
  if (found >= 0 && strlen(text) < sizeof r->last_precinct_text) {
    pc_strlcpy(r->last_precinct_text, text, sizeof r->last_precinct_text);
    r->last_precinct = found + 1;
  }
  return found;
}

int pc_results_cvr_on_ballot(void *context, const pc_cvr_ballot_t *ballot, pc_error_t *err) {
  pc_rcv_read_t *r = context;
  const pc_election_model_t *m = r->model;
  const pc_contest_t *contest = &m->contests[r->contest];
  char where[256];
  const char *file = ballot_file(r, ballot, where, sizeof where);
  /* Dominion sessions may name only a precinct portion. */
  const char *precinct = ballot->precinct ? ballot->precinct : ballot->precinct_portion;
  if (!precinct)
    return pc_error_set_at(err, PC_EINVAL, file, ballot->line, r->precinct_field,
                           "CVR %ld has no precinct (%s naming a precinct of the election)", ballot->line,
                           r->precinct_field);
  int p = county_precinct(r, precinct);
  if (p < 0) p = pc_elections_find_precinct(m, precinct); /* for the message */
  if (p < 0)
    return pc_error_set_at(err, PC_EINVAL, file, ballot->line, r->precinct_field, "precinct \"%s\" is not in election %s",
                           precinct, m->election.code);
  if (m->precincts[p].county != r->county)
    return pc_error_set_at(err, PC_EINVAL, file, ballot->line, r->precinct_field,
                           "precinct \"%s\" is in %s County, not %s County", precinct,
                           m->counties[m->precincts[p].county].name, m->counties[r->county].name);
  if (!pc_elections_style_has_contest(m, m->precincts[p].ballot_style, r->contest))
    return pc_error_set_at(err, PC_EINVAL, file, ballot->line, r->contest_field,
                           "precinct \"%s\" does not vote on contest \"%s\"", precinct, contest->code);
  if (ballot->mark_count > PC_CVR_MAX_MARKS_PER_BALLOT)
    return pc_error_set_at(err, PC_ELIMIT, file, ballot->line, r->candidate_field, "too many marks");
  for (size_t i = 0; i < ballot->mark_count; i++) {
    const pc_cvr_mark_t *mark = &ballot->marks[i];
    int choice = find_choice(r, mark->candidate);
    if (choice < 0)
      return pc_error_set_at(err, PC_EINVAL, file, ballot->line, r->candidate_field,
                             "candidate \"%s\" is not a choice of contest \"%s\"%s", mark->candidate, contest->code,
                             !r->keys && strcmp(mark->candidate, UWI_NAME) == 0 ? " (the contest has no write-in)" : "");
    if (mark->rank < 1 || (size_t)mark->rank > contest->choice_count)
      return pc_error_set_at(err, PC_EINVAL, file, ballot->line, r->rank_field, "rank %d: contest \"%s\" has ranks 1 to %zu",
                             mark->rank, contest->code, contest->choice_count);
    r->marks[i] = (pc_rcv_mark_t){(uint32_t)mark->rank, (uint32_t)choice};
  }
  pc_rcv_ballots_add(&r->ballots, p, r->marks, ballot->mark_count);
  return 0;
}

/* The CDF report's Election Contests matched to the definition: each RCV
 * contest present (model index) with its CDF Name, which the readers select
 * by. Unknown contests reject the file; known others are skipped (their
 * votes come with the returns). */
typedef struct found_contest { int contest; char *cdf_name; } found_contest_t;

typedef struct contest_list {
  const pc_election_model_t *m;
  const char *file_name;
  found_contest_t *found;
  size_t count;
  long index;  /* contests seen (XML) */
} contest_list_t;

static int add_contest(contest_list_t *list, const char *name, const char *id, long line, const char *field,
                       pc_error_t *err) {
  const pc_election_model_t *m = list->m;
  int index = name ? pc_elections_find_contest(m, name) : -1;
  if (index < 0 && id && id[0]) index = pc_elections_find_contest(m, id);
  if (!name) return pc_error_set_at(err, PC_EINVAL, list->file_name, line, field, "contest has no Name");
  if (index < 0)
    return pc_error_set_at(err, PC_EINVAL, list->file_name, line, field, "contest \"%s\" is not in election %s", name,
                           m->election.code);
  if (m->contests[index].kind != PC_CONTEST_RCV) return 0;
  for (size_t k = 0; k < list->count; k++)
    if (list->found[k].contest == index)
      return pc_error_set_at(err, PC_EINVAL, list->file_name, line, field, "contest \"%s\" appears twice", name);
  list->found = pc_xreallocarray(list->found, list->count + 1, sizeof *list->found);
  list->found[list->count++] = (found_contest_t){index, pc_xstrdup(name)};
  return 0;
}

static int json_contests(contest_list_t *list, const char *data, size_t size, pc_error_t *err) {
  const char *file_name = list->file_name;
  FILE *file = fmemopen((void *)data, size, "rb");
  if (!file) return pc_error_set_at(err, PC_EIO, file_name, 0, NULL, "cannot open the CVR data");
  pc_buf_t skeleton;
  pc_buf_init(&skeleton, SKELETON_MAX);
  uint64_t start = 0, end = 0;
  int rc = pc_json_split_skeleton(file, file_name, "CVR", &skeleton, &start, &end, err);
  fclose(file);
  json_t *root = NULL;
  if (rc == 0) {
    json_error_t jerr;
    root = json_loadb(pc_buf_str(&skeleton), skeleton.len, 0, &jerr);
    if (!root) rc = pc_error_set_at(err, PC_EINVAL, file_name, jerr.line, NULL, "invalid JSON: %s", jerr.text);
  }
  pc_buf_free(&skeleton);
  const char *type = root ? json_string_value(json_object_get(root, "@type")) : NULL;
  if (rc == 0 && type && strcmp(type, "CVR.CastVoteRecordReport") != 0)
    rc = pc_error_set_at(err, PC_EINVAL, file_name, 0, "@type", "expected \"CVR.CastVoteRecordReport\", found \"%s\"", type);
  json_t *elections = root ? json_object_get(root, "Election") : NULL;
  if (rc == 0 && !json_is_array(elections))
    rc = pc_error_set_at(err, PC_EINVAL, file_name, 0, "Election", "the CVR report has no Election array");
  for (size_t e = 0; rc == 0 && e < json_array_size(elections); e++) {
    json_t *contests = json_object_get(json_array_get(elections, e), "Contest");
    for (size_t c = 0; rc == 0 && c < json_array_size(contests); c++) {
      json_t *contest = json_array_get(contests, c);
      char field[64];
      pc_snprintf(field, sizeof field, "Election[%zu].Contest[%zu]", e, c);
      rc = add_contest(list, json_string_value(json_object_get(contest, "Name")),
                       json_string_value(json_object_get(contest, "@id")), 0, field, err);
    }
  }
  json_decref(root);
  return rc;
}

static int on_xml_contest(void *context, const char *name, const char *object_id, long line, pc_error_t *err) {
  contest_list_t *list = context;
  char field[64];
  pc_snprintf(field, sizeof field, "Election.Contest[%ld]", list->index++);
  return add_contest(list, name, object_id, line, field, err);
}

/* 1 when a precinct of COUNTY has CONTEST on its ballot. */
static int county_votes_on(const pc_election_model_t *m, int county, int contest) {
  for (size_t p = 0; p < m->precinct_count; p++)
    if (m->precincts[p].county == county && pc_elections_style_has_contest(m, m->precincts[p].ballot_style, contest))
      return 1;
  return 0;
}

int pc_results_cvr_parse(const pc_election_model_t *m, int county, const char *file_name, const char *data,
                         size_t size, pc_rcv_ballots_t **sets, size_t *set_count, pc_error_t *err) {
  *sets = NULL;
  *set_count = 0;
  pc_rcv_format_t format = pc_results_cvr_format(data, size);
  if (format == PC_RCV_FORMAT_DOMINION_ZIP) return pc_results_dominion_parse(m, county, file_name, data, size, sets, set_count, err);
  int xml = format == PC_RCV_FORMAT_CDF_XML;
  contest_list_t list = {.m = m, .file_name = file_name};
  int rc = xml ? pc_cvr_cdf_xml_contests(file_name, data, size, on_xml_contest, &list, err)
               : json_contests(&list, data, size, err);
  if (rc == 0 && list.count == 0)
    rc = pc_error_set_at(err, PC_EINVAL, file_name, 0, "Election", "the CVR report holds no ranked-choice contest of "
                         "election %s (an Election Contest whose Name is the contest's code or name)", m->election.code);
  pc_rcv_ballots_t *out = pc_xcalloc(list.count + 1, sizeof *out);
  size_t found_count = 0;
  pc_rcv_mark_t *marks = pc_xcalloc(PC_CVR_MAX_MARKS_PER_BALLOT, sizeof *marks);
  for (size_t i = 0; rc == 0 && i < list.count; i++) {
    pc_rcv_read_t r = {.model = m, .county = county, .contest = list.found[i].contest, .write_in = -1,
                       .file_name = file_name, .precinct_field = "BallotStyleUnitId", .contest_field = "ContestId",
                       .candidate_field = "CandidateIds", .rank_field = "Rank", .marks = marks};
    const pc_contest_t *c = &m->contests[r.contest];
    for (size_t k = 0; k < c->choice_count && r.write_in < 0; k++)
      if (c->choices[k].is_write_in) r.write_in = (int)k;
    pc_rcv_ballots_init(&r.ballots, r.contest);
    pc_cvr_source_t source = {.provider = PC_CVR_CDF, .path = file_name, .contest_id = list.found[i].cdf_name};
    rc = xml ? pc_cvr_read_cdf_xml_buffer(&source, data, size, pc_results_cvr_on_ballot, &r, NULL, err)
             : pc_cvr_read_cdf_json_buffer(&source, data, size, pc_results_cvr_on_ballot, &r, NULL, err);
    /* A report listing every contest of the election names contests no
     * precinct of the county votes on: no ballots, and not the county's to
     * upload (stored, they would be a 0-ballot count with a winner). */
    if (rc == 0 && r.ballots.count == 0 && !county_votes_on(m, county, r.contest)) pc_rcv_ballots_free(&r.ballots);
    else out[found_count++] = r.ballots;
  }
  for (size_t i = 0; i < list.count; i++) free(list.found[i].cdf_name);
  free(list.found);
  free(marks);
  if (rc == 0 && found_count == 0)
    rc = pc_error_set_at(err, PC_EINVAL, file_name, 0, "Election", "the CVR report holds no ranked-choice contest that "
                         "%s County votes on", m->counties[county].name);
  if (rc != 0) {
    for (size_t i = 0; i < found_count; i++) pc_rcv_ballots_free(&out[i]);
    free(out);
    return rc;
  }
  *sets = out;
  *set_count = found_count;
  return 0;
}

static int step_done(pc_stmt_t *stmt, pc_error_t *err) {
  int rc = pc_stmt_step(stmt, err);
  return rc == PC_STORE_DONE || rc == PC_STORE_ROW ? 0 : rc;
}

/* Stores one contest's ballots as the county's new current upload (superseding
 * the previous one), unless the current upload has the same file and data
 * hashes: then *UNCHANGED is set and nothing is written. Inside the caller's
 * transaction. */
static int store_contest(pc_store_t *store, const pc_actor_t *actor, const pc_election_model_t *m, int county,
                         const pc_rcv_ballots_t *set, const char *file_name, const char *mode, const char *file_sha,
                         int *unchanged, int *version_out, int64_t *upload_out, pc_error_t *err) {
  int64_t election = m->election.id, county_id = m->counties[county].id, contest_id = m->contests[set->contest].id;
  pc_buf_t data;
  pc_buf_init(&data, (size_t)1 << 31);
  pc_rcv_encode(m, set, &data);
  char data_sha[65];
  pc_sha256_hex(data.data, data.len, data_sha);
  pc_stmt_t *stmt;
  int64_t previous = 0;
  int version = 1;
  int rc = pc_store_prepare(store,
                            "SELECT id, file_sha256, data_sha256, version FROM cvr_uploads WHERE election_id = ? AND"
                            " county_id = ? AND contest_id = ? AND mode = ? AND status = 'current'",
                            &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, election);
    pc_stmt_bind_int64(stmt, 2, county_id);
    pc_stmt_bind_int64(stmt, 3, contest_id);
    pc_stmt_bind_text(stmt, 4, mode);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) {
      previous = pc_stmt_column_int64(stmt, 0);
      *unchanged = strcmp(pc_stmt_column_text(stmt, 1), file_sha) == 0 && strcmp(pc_stmt_column_text(stmt, 2), data_sha) == 0;
      version = (int)pc_stmt_column_int64(stmt, 3);
    }
    rc = rc == PC_STORE_ROW || rc == PC_STORE_DONE ? 0 : rc;
    pc_stmt_finalize(stmt);
  }
  /* per precinct: ballots and round-1 votes, as the tabulation counts them */
  size_t choices = m->contests[set->contest].choice_count;
  int64_t *round1 = pc_xcalloc(m->precinct_count * choices + 1, sizeof *round1);
  int64_t *ballots = pc_xcalloc(m->precinct_count + 1, sizeof *ballots);
  for (size_t i = 0; i < set->count; i++) ballots[set->precinct[i]]++;
  long precincts = 0; /* stored with the upload */
  for (size_t p = 0; p < m->precinct_count; p++) precincts += ballots[p] > 0;
  if (rc == 0 && previous && *unchanged) {
    *version_out = version;
    *upload_out = previous;
    goto done;
  }
  *unchanged = 0;
  if (rc == 0 && set->count > 0) {
    const pc_rcv_ballots_t *sets[1] = {set};
    const char *names[1] = {file_name};
    rc = pc_rcv_tabulate(m, set->contest, sets, names, 1, 1, NULL, round1, err);
  }
  if (rc == 0)
    rc = pc_store_prepare(store,
                          "SELECT COALESCE(MAX(version), 0) + 1 FROM cvr_uploads WHERE election_id = ? AND county_id = ?"
                          " AND contest_id = ? AND mode = ?",
                          &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, election);
    pc_stmt_bind_int64(stmt, 2, county_id);
    pc_stmt_bind_int64(stmt, 3, contest_id);
    pc_stmt_bind_text(stmt, 4, mode);
    if (pc_stmt_step(stmt, err) == PC_STORE_ROW) version = (int)pc_stmt_column_int64(stmt, 0);
    pc_stmt_finalize(stmt);
  }
  if (rc == 0 && previous) {
    unsigned char before[PC_HASH_SIZE];
    rc = pc_audit_row_hash(store, "cvr_uploads", previous, before, err);
    if (rc == 0) rc = pc_store_prepare(store, "UPDATE cvr_uploads SET status = 'superseded' WHERE id = ?", &stmt, err);
    if (rc == 0) {
      pc_stmt_bind_int64(stmt, 1, previous);
      rc = step_done(stmt, err);
      pc_stmt_finalize(stmt);
    }
    if (rc == 0) rc = pc_audit_record(store, actor, "results.cvr_supersede", "cvr_uploads", previous, before, NULL, err);
  }
  int64_t upload = 0;
  if (rc == 0)
    rc = pc_store_prepare(store,
                          "INSERT INTO cvr_uploads (election_id, county_id, contest_id, mode, version, status, file_name,"
                          " file_sha256, ballots, precincts, data_sha256, data, uploaded_by, uploaded_at)"
                          " VALUES (?, ?, ?, ?, ?, 'current', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &stmt, err);
  if (rc == 0) {
    char now[PC_RFC3339_SIZE];
    pc_clock_now_rfc3339(now);
    pc_stmt_bind_int64(stmt, 1, election);
    pc_stmt_bind_int64(stmt, 2, county_id);
    pc_stmt_bind_int64(stmt, 3, contest_id);
    pc_stmt_bind_text(stmt, 4, mode);
    pc_stmt_bind_int64(stmt, 5, version);
    pc_stmt_bind_text(stmt, 6, file_name);
    pc_stmt_bind_text(stmt, 7, file_sha);
    pc_stmt_bind_int64(stmt, 8, (int64_t)set->count);
    pc_stmt_bind_int64(stmt, 9, precincts);
    pc_stmt_bind_text(stmt, 10, data_sha);
    pc_stmt_bind_blob(stmt, 11, data.data ? data.data : "", data.len);
    pc_stmt_bind_text(stmt, 12, actor->username ? actor->username : "unknown");
    pc_stmt_bind_text(stmt, 13, now);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) upload = pc_stmt_column_int64(stmt, 0), rc = 0;
    pc_stmt_finalize(stmt);
  }
  if (rc == 0) rc = pc_store_prepare(store, "INSERT INTO cvr_precincts (upload_id, precinct_id, ballots) VALUES (?, ?, ?)",
                                     &stmt, err);
  for (size_t p = 0; rc == 0 && p < m->precinct_count; p++) {
    if (!ballots[p]) continue;
    pc_stmt_bind_int64(stmt, 1, upload);
    pc_stmt_bind_int64(stmt, 2, m->precincts[p].id);
    pc_stmt_bind_int64(stmt, 3, ballots[p]);
    rc = step_done(stmt, err);
    pc_stmt_reset(stmt);
  }
  if (rc == 0) pc_stmt_finalize(stmt);
  if (rc == 0)
    rc = pc_store_prepare(store, "INSERT INTO cvr_first_choices (upload_id, precinct_id, choice_id, votes) VALUES (?, ?, ?, ?)",
                          &stmt, err);
  for (size_t p = 0; rc == 0 && p < m->precinct_count; p++) {
    if (!ballots[p]) continue;
    for (size_t k = 0; rc == 0 && k < choices; k++) {
      pc_stmt_bind_int64(stmt, 1, upload);
      pc_stmt_bind_int64(stmt, 2, m->precincts[p].id);
      pc_stmt_bind_int64(stmt, 3, m->contests[set->contest].choices[k].id);
      pc_stmt_bind_int64(stmt, 4, round1[p * choices + k]);
      rc = step_done(stmt, err);
      pc_stmt_reset(stmt);
    }
  }
  if (rc == 0) pc_stmt_finalize(stmt);
  if (rc == 0) rc = pc_audit_record(store, actor, "results.cvr_upload", "cvr_uploads", upload, NULL, NULL, err);
  if (rc == 0) *version_out = version, *upload_out = upload;
done:
  free(round1);
  free(ballots);
  pc_buf_free(&data);
  return rc;
}

int pc_results_ingest_cvr(pc_store_t *store, const pc_actor_t *actor, const pc_election_model_t *m, int county,
                          const char *file_name, const char *data, size_t size, pc_results_ingest_report_t *report,
                          pc_error_t *err) {
  /* Every contest is read and checked before anything is written. */
  pc_rcv_ballots_t *sets = NULL;
  size_t found_count = 0;
  int rc = pc_results_cvr_parse(m, county, file_name, data, size, &sets, &found_count, err);
  pc_results_ingest_report_t out;
  memset(&out, 0, sizeof out);
  pc_strlcpy(out.format, pc_results_cvr_format_name(pc_results_cvr_format(data, size)), sizeof out.format);
  out.cvr = 1;
  pc_sha256_hex(data, size, out.sha256);
  pc_election_t e;
  if (rc == 0) rc = pc_store_begin(store, err);
  int began = rc == 0;
  /* The mode is read inside the write transaction (see ingest.c). */
  if (rc == 0) rc = pc_elections_get(store, m->election.id, &e, err);
  if (rc == 0 && strcmp(e.mode, "live") == 0 && !e.zero_report_done)
    rc = pc_error_set(err, PC_ESTATE, "the election is live but its zero report was not printed");
  if (rc == 0 && strcmp(e.mode, m->election.mode) != 0)
    rc = pc_error_set(err, PC_ECONFLICT, "the election switched to %s mode during the upload; upload again", e.mode);
  int all_unchanged = 1;
  /* Precincts are counted once however many contests name them. */
  char *precinct_seen = pc_xcalloc(m->precinct_count + 1, 1);
  out.contests = (int)found_count;
  for (size_t i = 0; rc == 0 && i < found_count; i++) {
    int unchanged = 0, version = 0;
    int64_t upload = 0;
    rc = store_contest(store, actor, m, county, &sets[i], file_name, e.mode, out.sha256, &unchanged, &version,
                       &upload, err);
    all_unchanged &= unchanged;
    if (i == 0) out.version = version, out.upload_id = upload;
    for (size_t b = 0; b < sets[i].count; b++) {
      out.precincts += !precinct_seen[sets[i].precinct[b]];
      precinct_seen[sets[i].precinct[b]] = 1;
    }
    out.vote_rows += (long)sets[i].count;
    out.total_votes += (int64_t)sets[i].count;
  }
  if (rc == 0 && all_unchanged) {
    pc_store_rollback(store);
    out.unchanged = 1;
  } else if (rc == 0) {
    rc = pc_store_commit(store, err);
  } else if (began) {
    pc_store_rollback(store);
  }
  if (rc == 0) {
    pc_strlcpy(out.mode, e.mode, sizeof out.mode);
    *report = out;
    pc_log(PC_LOG_INFO, "cast vote records %s for %s County: %s version %d, %ld contest ballots over %d contests",
           out.unchanged ? "unchanged" : "accepted", m->counties[county].name, out.mode, out.version, out.vote_rows,
           out.contests);
  }
  free(precinct_seen);
  for (size_t i = 0; i < found_count; i++) pc_rcv_ballots_free(&sets[i]);
  free(sets);
  return rc;
}
