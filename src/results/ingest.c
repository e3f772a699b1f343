/* Returns ingest: reads a county's file, applies the cross-row rules
 * (duplicates, ballots cast present, no "total" mixed with groups, no more
 * votes than ballots cast x vote-for) and stores it as the county's new
 * current upload in one audited transaction, or changes nothing when the
 * file equals the current one. Row rules and parsing: parse_*.c. */
#include "ingest_internal.h"
#include "rcv.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/fileio.h"
#include "precinct/log.h"
#include "precinct/results.h"

#include "precinct/sha256.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int compare_votes(const void *a, const void *b) {
  const pc_vote_line_t *x = a, *y = b;
  if (x->precinct != y->precinct) return x->precinct < y->precinct ? -1 : 1;
  if (x->contest != y->contest) return x->contest < y->contest ? -1 : 1;
  if (x->choice != y->choice) return x->choice < y->choice ? -1 : 1;
  if (x->group != y->group) return x->group < y->group ? -1 : 1;
  return x->line < y->line ? -1 : x->line > y->line;
}

static int at_line(const pc_parsed_returns_t *p, pc_error_t *err, long line, const char *field, const char *fmt,
                   const char *a, const char *b, const char *c) {
  return pc_error_set_at(err, PC_EINVAL, p->file_name, line, field, fmt, a, b, c);
}

/* Rules that need the whole file. Sorts p->votes. */
static int check_file(pc_parsed_returns_t *p, pc_error_t *err) {
  const pc_election_model_t *m = p->model;
  if (p->vote_count == 0) return pc_error_set_at(err, PC_EINVAL, p->file_name, 0, NULL, "the file holds no counts");
  qsort(p->votes, p->vote_count, sizeof *p->votes, compare_votes);
  for (size_t i = 0; i < m->precinct_count; i++) {
    const pc_precinct_line_t *pl = &p->precincts[i];
    if (pl->seen && !pl->has_ballots)
      return at_line(p, err, pl->line, "ballots_cast", "precinct \"%s\" has no ballots_cast%s%s", m->precincts[i].code, "", "");
  }
  size_t start = 0;
  while (start < p->vote_count) {
    /* One precinct x contest run. */
    const pc_vote_line_t *first = &p->votes[start];
    size_t end = start;
    int64_t sum = 0;
    unsigned groups = 0;
    long last_line = 0;
    while (end < p->vote_count && p->votes[end].precinct == first->precinct && p->votes[end].contest == first->contest) {
      const pc_vote_line_t *v = &p->votes[end];
      if (end > start && v->choice == v[-1].choice && v->group == v[-1].group)
        return at_line(p, err, v->line, "choice", "precinct \"%s\", contest \"%s\", choice \"%s\" counted twice in one group",
                       m->precincts[v->precinct].code, m->contests[v->contest].code,
                       m->contests[v->contest].choices[v->choice].code);
      sum += v->votes;
      groups |= 1u << v->group;
      if (v->line > last_line) last_line = v->line;
      end++;
    }
    const pc_contest_t *contest = &m->contests[first->contest];
    const char *precinct = m->precincts[first->precinct].code;
    if ((groups & (1u << PC_GROUP_TOTAL)) && groups != (1u << PC_GROUP_TOTAL))
      return at_line(p, err, last_line, "counting_group",
                     "precinct \"%s\", contest \"%s\": a \"total\" line cannot be mixed with counting groups%s", precinct,
                     contest->code, "");
    int per_ballot = contest->kind == PC_CONTEST_CANDIDATE ? contest->vote_for : 1;
    int64_t limit = p->precincts[first->precinct].ballots_cast * per_ballot;
    if (sum > limit) {
      char detail[96];
      pc_snprintf(detail, sizeof detail, "%lld votes, more than %lld ballots cast x %d", (long long)sum,
                  (long long)p->precincts[first->precinct].ballots_cast, per_ballot);
      return at_line(p, err, last_line, "votes", "precinct \"%s\", contest \"%s\": %s", precinct, contest->code, detail);
    }
    start = end;
  }
  return 0;
}

static int find_county(const pc_election_model_t *m, const char *name) {
  for (size_t i = 0; i < m->county_count; i++)
    if (strcmp(m->counties[i].name, name) == 0) return (int)i;
  return -1;
}

static int step_done(pc_stmt_t *stmt, pc_error_t *err) {
  int rc = pc_stmt_step(stmt, err);
  return rc == PC_STORE_DONE || rc == PC_STORE_ROW ? 0 : rc;
}

/* One precinct_returns row per reporting precinct with its counts as text,
 * one "<choice id> <counting group> <votes>" line each (migration 0013): a
 * state's night is a few thousand rows, not one row per count line.
 * P->votes is sorted by precinct, so each precinct's counts are one run. */
static int insert_precincts(pc_store_t *store, const pc_parsed_returns_t *p, int64_t upload, pc_error_t *err) {
  const pc_election_model_t *m = p->model;
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "INSERT INTO precinct_returns (upload_id, precinct_id, ballots_cast, registered_voters, counts)"
                            " VALUES (?, ?, ?, ?, ?)",
                            &stmt, err);
  pc_buf_t counts;
  pc_buf_init(&counts, 0);
  size_t at = 0;
  for (size_t i = 0; rc == 0 && i < m->precinct_count; i++) {
    const pc_precinct_line_t *pl = &p->precincts[i];
    pc_buf_reset(&counts);
    for (; at < p->vote_count && p->votes[at].precinct == (int)i; at++) {
      const pc_vote_line_t *v = &p->votes[at];
      pc_buf_append_int(&counts, m->contests[v->contest].choices[v->choice].id);
      pc_buf_append_char(&counts, ' ');
      pc_buf_append_str(&counts, pc_results_group_name(v->group));
      pc_buf_append_char(&counts, ' ');
      pc_buf_append_int(&counts, v->votes);
      pc_buf_append_char(&counts, '\n');
    }
    if (!pl->seen) continue;
    pc_stmt_bind_int64(stmt, 1, upload);
    pc_stmt_bind_int64(stmt, 2, m->precincts[i].id);
    pc_stmt_bind_int64(stmt, 3, pl->ballots_cast);
    pc_stmt_bind_int64(stmt, 4, pl->has_registered ? pl->registered : m->precincts[i].registered_voters);
    pc_stmt_bind_text_nocopy(stmt, 5, counts.len ? counts.data : "", counts.len);
    rc = step_done(stmt, err);
    pc_stmt_reset(stmt);
  }
  /* Every count's precinct is in the file (add_vote marks it seen). */
  assert(rc != 0 || at == p->vote_count);
  pc_buf_free(&counts);
  if (rc == 0) pc_stmt_finalize(stmt);
  return rc;
}

/* The county's current upload in MODE: *ID 0 when none. */
static int current_upload(pc_store_t *store, int64_t election, int64_t county, const char *mode, int64_t *id,
                          char sha[65], int *version, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT id, file_sha256, version FROM results_uploads WHERE election_id = ? AND county_id = ?"
                            " AND mode = ? AND status = 'current'",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, election);
  pc_stmt_bind_int64(stmt, 2, county);
  pc_stmt_bind_text(stmt, 3, mode);
  *id = 0;
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    *id = pc_stmt_column_int64(stmt, 0);
    pc_strlcpy(sha, pc_stmt_column_text(stmt, 1), 65);
    *version = (int)pc_stmt_column_int64(stmt, 2);
    rc = 0;
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

static int store_upload(pc_store_t *store, const pc_actor_t *actor, pc_parsed_returns_t *p,
                        pc_results_ingest_report_t *out, pc_error_t *err) {
  const pc_election_model_t *m = p->model;
  int64_t election = m->election.id, county = m->counties[p->county].id;
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  /* Mode is read inside the write transaction so a concurrent live switch
   * cannot slip test returns into a live election. */
  pc_election_t e;
  rc = pc_elections_get(store, election, &e, err);
  if (rc == 0 && strcmp(e.mode, "live") == 0 && !e.zero_report_done)
    rc = pc_error_set(err, PC_ESTATE, "the election is live but its zero report was not printed");
  if (rc == 0 && strcmp(e.mode, m->election.mode) != 0)
    rc = pc_error_set(err, PC_ECONFLICT, "the election switched to %s mode during the upload; upload again", e.mode);
  int64_t previous = 0;
  char previous_sha[65] = "";
  int previous_version = 0;
  if (rc == 0) rc = current_upload(store, election, county, e.mode, &previous, previous_sha, &previous_version, err);
  if (rc == 0 && previous && strcmp(previous_sha, out->sha256) == 0) {
    pc_store_rollback(store);
    out->unchanged = 1;
    out->upload_id = previous;
    out->version = previous_version;
    pc_strlcpy(out->mode, e.mode, sizeof out->mode);
    return 0;
  }
  pc_stmt_t *stmt = NULL;
  int version = 1;
  if (rc == 0)
    rc = pc_store_prepare(store,
                          "SELECT COALESCE(MAX(version), 0) + 1 FROM results_uploads WHERE election_id = ? AND county_id = ?"
                          " AND mode = ?",
                          &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, election);
    pc_stmt_bind_int64(stmt, 2, county);
    pc_stmt_bind_text(stmt, 3, e.mode);
    if (pc_stmt_step(stmt, err) == PC_STORE_ROW) version = (int)pc_stmt_column_int64(stmt, 0);
    pc_stmt_finalize(stmt);
  }
  if (rc == 0 && previous) {
    unsigned char before[PC_HASH_SIZE];
    rc = pc_audit_row_hash(store, "results_uploads", previous, before, err);
    if (rc == 0) rc = pc_store_prepare(store, "UPDATE results_uploads SET status = 'superseded' WHERE id = ?", &stmt, err);
    if (rc == 0) {
      pc_stmt_bind_int64(stmt, 1, previous);
      rc = step_done(stmt, err);
      pc_stmt_finalize(stmt);
    }
    if (rc == 0) rc = pc_audit_record(store, actor, "results.supersede", "results_uploads", previous, before, NULL, err);
  }
  int64_t upload = 0;
  if (rc == 0)
    rc = pc_store_prepare(store,
                          "INSERT INTO results_uploads (election_id, county_id, mode, version, status, file_name, file_format,"
                          " file_sha256, precincts_reporting, vote_rows, total_votes, uploaded_by, uploaded_at)"
                          " VALUES (?, ?, ?, ?, 'current', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &stmt, err);
  if (rc == 0) {
    char now[PC_RFC3339_SIZE];
    pc_clock_now_rfc3339(now);
    pc_stmt_bind_int64(stmt, 1, election);
    pc_stmt_bind_int64(stmt, 2, county);
    pc_stmt_bind_text(stmt, 3, e.mode);
    pc_stmt_bind_int64(stmt, 4, version);
    pc_stmt_bind_text(stmt, 5, p->file_name);
    pc_stmt_bind_text(stmt, 6, out->format);
    pc_stmt_bind_text(stmt, 7, out->sha256);
    pc_stmt_bind_int64(stmt, 8, out->precincts);
    pc_stmt_bind_int64(stmt, 9, out->vote_rows);
    pc_stmt_bind_int64(stmt, 10, out->total_votes);
    pc_stmt_bind_text(stmt, 11, actor->username ? actor->username : "unknown");
    pc_stmt_bind_text(stmt, 12, now);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) upload = pc_stmt_column_int64(stmt, 0), rc = 0;
    pc_stmt_finalize(stmt);
  }
  if (rc == 0) rc = insert_precincts(store, p, upload, err);
  if (rc == 0) rc = pc_audit_record(store, actor, "results.upload", "results_uploads", upload, NULL, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  if (rc == 0) {
    out->upload_id = upload;
    out->version = version;
    pc_strlcpy(out->mode, e.mode, sizeof out->mode);
  }
  return rc;
}

int pc_results_ingest(pc_store_t *store, const pc_actor_t *actor, int64_t election_id, const char *county_name,
                      const char *file_name, const char *data, size_t size, pc_results_ingest_report_t *report,
                      pc_error_t *err) {
  if (size > PC_RESULTS_FILE_MAX) return pc_error_set_at(err, PC_ELIMIT, file_name, 0, NULL, "file larger than 256 MiB");
  if (actor->county && strcmp(actor->county, county_name) != 0)
    return pc_error_set(err, PC_EPERM, "%s may only upload returns for %s County", actor->username, actor->county);
  pc_election_model_t model;
  int rc = pc_elections_load(store, election_id, &model, err);
  if (rc != 0) return rc;
  pc_parsed_returns_t p;
  memset(&p, 0, sizeof p);
  p.model = &model;
  p.file_name = file_name;
  p.county = find_county(&model, county_name);
  pc_county_t county;
  if (p.county < 0) {
    rc = pc_counties_find(store, county_name, &county, err);
    if (rc == 0) rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, "--county", "%s County has no precincts in election %s",
                                      county_name, model.election.code);
  }
  pc_results_ingest_report_t out;
  memset(&out, 0, sizeof out);
  int is_cvr = 0;
  if (rc == 0) {
    p.precincts = pc_xcalloc(model.precinct_count, sizeof *p.precincts);
    size_t at = 0;
    while (at < size && isspace((unsigned char)data[at])) at++;
    int is_json = at < size && data[at] == '{';
    /* ranked-choice CVRs (CDF JSON or XML, a Dominion .zip): ingest_cvr.c */
    is_cvr = pc_results_cvr_format(data, size) != PC_RCV_FORMAT_NONE;
    if (is_cvr) rc = pc_results_ingest_cvr(store, actor, &model, p.county, file_name, data, size, report, err);
    else rc = is_json ? pc_results_parse_err(&p, data, size, err) : pc_results_parse_csv(&p, data, size, err);
    pc_strlcpy(out.format, is_json ? "err-json" : "csv", sizeof out.format);
  }
  if (rc == 0 && !is_cvr) rc = check_file(&p, err);
  if (rc == 0 && !is_cvr) {
    pc_sha256_hex(data, size, out.sha256);
    for (size_t i = 0; i < model.precinct_count; i++) out.precincts += p.precincts[i].seen;
    out.vote_rows = (long)p.vote_count;
    for (size_t i = 0; i < p.vote_count; i++) out.total_votes += p.votes[i].votes;
    rc = store_upload(store, actor, &p, &out, err);
  }
  if (rc == 0 && !is_cvr) {
    *report = out;
    pc_log(PC_LOG_INFO, "returns %s for %s County: %s version %d, %ld precincts, %ld count lines",
           out.unchanged ? "unchanged" : "accepted", county_name, out.mode, out.version, out.precincts, out.vote_rows);
  }
  free(p.votes);
  free(p.precincts);
  pc_elections_model_free(&model);
  return rc;
}

int pc_results_ingest_file(pc_store_t *store, const pc_actor_t *actor, int64_t election_id, const char *county_name,
                           const char *path, pc_results_ingest_report_t *report, pc_error_t *err) {
  char *data = NULL;
  size_t size = 0;
  int rc = pc_file_read_all(path, PC_RESULTS_FILE_MAX, &data, &size, err);
  if (rc != 0) return rc;
  const char *base = strrchr(path, '/');
  rc = pc_results_ingest(store, actor, election_id, county_name, base ? base + 1 : path, data, size, report, err);
  free(data);
  return rc;
}
