/* NVRA section 8 list maintenance runs: choosing the voters (preview),
 * executing exactly the previewed list, undoing it, and notice replies.
 * The legal rules enforced here: notices before any inactivation
 * (20507(d)(2)), removal only after no contact through two federal general
 * elections (20507(d)(1)(B)), and no systematic removal within 90 days of a
 * federal election (20507(c)(2)(A)). */
#include "precinct/voters_maintenance.h"

#include "voters_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/fileio.h"
#include "precinct/instance.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void pc_voters_removal_elections(const char *sent, char first[12], char second[12]) {
  /* "the second general election for Federal office that occurs after the
   * date of the notice": an election on the notice day itself does not count. */
  int year = (int)strtol(sent, NULL, 10);
  if (year % 2) year++;
  pc_voters_federal_general(year, first);
  if (strcmp(first, sent) <= 0) pc_voters_federal_general(year + 2, first);
  pc_voters_federal_general((int)strtol(first, NULL, 10) + 2, second);
}

int pc_voters_in_quiet_period(pc_store_t *store, const char *today, char election[12], int64_t *days_until, pc_error_t *err) {
  char next_general[12];
  pc_voters_next_federal_general(today, next_general);
  char best[12];
  pc_strlcpy(best, next_general, sizeof best);
  char extra[1024];
  int rc = pc_instance_setting_get(store, "voters.federal_election_dates", extra, sizeof extra, err);
  if (rc != 0 && rc != PC_ENOTFOUND) return rc;
  if (rc == 0) {
    for (char *p = extra; *p;) {
      char date[12];
      size_t n = strcspn(p, ", ");
      if (n == 10) {
        memcpy(date, p, 10);
        date[10] = '\0';
        if (!pc_voters_valid_date(date))
          return pc_error_set(err, PC_EINVAL, "setting voters.federal_election_dates: \"%s\" is not a date", date);
        if (strcmp(date, today) >= 0 && strcmp(date, best) < 0) pc_strlcpy(best, date, sizeof best);
      }
      p += n;
      while (*p == ',' || *p == ' ') p++;
    }
  }
  int64_t days = 0;
  pc_voters_days_between(today, best, &days);
  pc_strlcpy(election, best, 12);
  *days_until = days;
  return days <= 90 ? 1 : 0;
}

static int refuse_in_quiet_period(pc_voters_t *v, pc_error_t *err) {
  char today[12], election[12];
  pc_voters_today(today);
  int64_t days = 0;
  int inside = pc_voters_in_quiet_period(v->store, today, election, &days, err);
  if (inside < 0) return inside;
  if (inside)
    return pc_error_set(err, PC_ESTATE,
                        "systematic removals are not allowed within 90 days of a federal election (52 U.S.C. "
                        "20507(c)(2)(A)): the election of %s is %lld days away",
                        election, (long long)days);
  return 0;
}

typedef struct plan {
  int64_t *voters;
  size_t count, capacity;
} plan_t;

static void plan_add(plan_t *p, int64_t id) {
  if (p->count == p->capacity) {
    p->capacity = p->capacity ? p->capacity * 2 : 1024;
    p->voters = pc_xreallocarray(p->voters, p->capacity, sizeof *p->voters);
  }
  p->voters[p->count++] = id;
}

static int scope_id(pc_voters_t *v, int64_t *id, pc_error_t *err) {
  *id = 0;
  return v->county_scope ? pc_voters_county_id(v->store, v->county_scope, id, err) : 0;
}

/* Collects the ids the query returns (first column); binds TEXT_ARGS then the scope. */
static int collect(pc_voters_t *v, const char *sql, const char *const *args, int nargs, int64_t county, plan_t *plan,
                   pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store, sql, &stmt, err);
  if (rc != 0) return rc;
  for (int i = 0; i < nargs; i++) pc_stmt_bind_text(stmt, i + 1, args[i]);
  pc_stmt_bind_int64(stmt, nargs + 1, county);
  pc_stmt_bind_int64(stmt, nargs + 2, county);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) plan_add(plan, pc_stmt_column_int64(stmt, 0));
  pc_stmt_finalize(stmt);
  return rc < 0 ? rc : 0;
}

static int plan_moved(pc_voters_t *v, const char *path, const char *text, int64_t county, plan_t *plan,
                      pc_error_t *err) {
  char *data = NULL;
  size_t size = 0;
  int rc = 0;
  if (text) {
    size = strlen(text);
    if (size > 64L * 1024 * 1024) return pc_error_set_at(err, PC_ELIMIT, NULL, 0, "moved-list", "larger than 64 MiB");
    data = pc_xmalloc(size + 1);
    memcpy(data, text, size + 1);
    path = "moved list";
  } else {
    rc = pc_file_read_all(path, 64L * 1024 * 1024, &data, &size, err);
  }
  if (rc != 0) return rc;
  long line_number = 0;
  for (char *line = data; rc == 0 && line && *line;) {
    char *next = strchr(line, '\n');
    if (next) *next++ = '\0';
    line_number++;
    size_t n = strcspn(line, "\r,\t ");
    line[n] = '\0';
    if (n == 0 || (line_number == 1 && strcmp(line, "ncid") == 0)) {
      line = next;
      continue;
    }
    if (n > 12) {
      rc = pc_error_set_at(err, PC_EINVAL, path, line_number, "ncid", "expected an NCID");
      break;
    }
    const char *args[] = {line};
    rc = collect(v,
                 "SELECT id FROM voters WHERE ncid = ? AND status = 'A' AND (? = 0 OR county_id = ?)"
                 " AND NOT EXISTS (SELECT 1 FROM confirmation_notices n WHERE n.voter_id = voters.id AND n.response = 'none')",
                 args, 1, county, plan, err);
    line = next;
  }
  free(data);
  return rc;
}

static int plan_removals(pc_voters_t *v, int64_t county, plan_t *plan, pc_error_t *err) {
  char today[12];
  pc_voters_today(today);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store,
                            "SELECT v.id, MIN(n.sent_date) FROM voters v JOIN confirmation_notices n ON n.voter_id = v.id"
                            " WHERE v.status = 'I' AND n.response = 'none' AND (? = 0 OR v.county_id = ?)"
                            " GROUP BY v.id ORDER BY v.id",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, county);
  pc_stmt_bind_int64(stmt, 2, county);
  plan_t candidates = {0};
  char (*sent)[12] = NULL;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    char first[12], second[12];
    const char *date = pc_stmt_column_text(stmt, 1);
    pc_voters_removal_elections(date, first, second);
    /* Removable from the day after the second federal general election. */
    if (strcmp(today, second) <= 0) continue;
    plan_add(&candidates, pc_stmt_column_int64(stmt, 0));
    sent = pc_xreallocarray(sent, candidates.count, sizeof *sent);
    pc_strlcpy(sent[candidates.count - 1], date, sizeof sent[0]);
  }
  pc_stmt_finalize(stmt);
  for (size_t i = 0; rc == PC_STORE_DONE && i < candidates.count; i++) {
    /* Voting (or appearing to vote) since the notice is contact. */
    int voted = 0;
    int step = pc_store_prepare(v->store, "SELECT 1 FROM voter_history WHERE voter_id = ? AND election_date >= ?", &stmt, err);
    if (step != 0) {
      rc = step;
      break;
    }
    pc_stmt_bind_int64(stmt, 1, candidates.voters[i]);
    pc_stmt_bind_text(stmt, 2, sent[i]);
    step = pc_stmt_step(stmt, err);
    voted = step == PC_STORE_ROW;
    pc_stmt_finalize(stmt);
    if (step < 0) {
      rc = step;
      break;
    }
    if (!voted) plan_add(plan, candidates.voters[i]);
  }
  free(candidates.voters);
  free(sent);
  return rc < 0 ? rc : 0;
}

static void new_status_of(const char *kind, const char **status, const char **reason) {
  if (strcmp(kind, "inactivate") == 0) *status = "I", *reason = "IN";
  else if (strcmp(kind, "remove") == 0) *status = "R", *reason = "RM";
  else *status = NULL, *reason = NULL; /* notices: no status change */
}

static int record_plan(pc_voters_t *v, const char *kind, json_t *parameters, int64_t county, const plan_t *plan,
                       int64_t *run_id, pc_error_t *err) {
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  char *params = json_dumps(parameters, JSON_COMPACT | JSON_SORT_KEYS);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store,
                            "INSERT INTO maintenance_runs (kind, county_id, parameters, state, voter_count, created_at)"
                            " VALUES (?, ?, ?, 'previewed', ?, ?) RETURNING id",
                            &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_text(stmt, 1, kind);
    if (county) pc_stmt_bind_int64(stmt, 2, county);
    else pc_stmt_bind_null(stmt, 2);
    pc_stmt_bind_text(stmt, 3, params);
    pc_stmt_bind_int64(stmt, 4, (int64_t)plan->count);
    pc_stmt_bind_text(stmt, 5, now);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) *run_id = pc_stmt_column_int64(stmt, 0), rc = 0;
    pc_stmt_finalize(stmt);
  }
  free(params);
  const char *status, *reason;
  new_status_of(kind, &status, &reason);
  for (size_t i = 0; rc == 0 && i < plan->count; i++) {
    pc_voter_t voter;
    rc = pc_voters_load(v->store, plan->voters[i], &voter, err);
    if (rc != 0) break;
    rc = pc_store_prepare(v->store,
                          "INSERT INTO maintenance_actions (run_id, voter_id, old_status, old_reason, old_reason_desc,"
                          " old_status_date, new_status, new_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &stmt, err);
    if (rc != 0) break;
    pc_stmt_bind_int64(stmt, 1, *run_id);
    pc_stmt_bind_int64(stmt, 2, voter.id);
    pc_stmt_bind_text(stmt, 3, voter.status);
    pc_stmt_bind_text(stmt, 4, voter.status_reason);
    pc_stmt_bind_text(stmt, 5, voter.status_reason_desc);
    if (voter.status_date[0]) pc_stmt_bind_text(stmt, 6, voter.status_date);
    else pc_stmt_bind_null(stmt, 6);
    pc_stmt_bind_text(stmt, 7, status ? status : voter.status);
    pc_stmt_bind_text(stmt, 8, reason ? reason : voter.status_reason);
    rc = pc_stmt_step(stmt, err);
    int64_t action_id = rc == PC_STORE_ROW ? pc_stmt_column_int64(stmt, 0) : 0;
    pc_stmt_finalize(stmt);
    if (rc < 0) break;
    rc = pc_audit_record(v->store, &v->actor, "maintenance.plan", "maintenance_actions", action_id, NULL, NULL, err);
  }
  if (rc == 0) rc = pc_audit_record(v->store, &v->actor, "maintenance.preview", "maintenance_runs", *run_id, NULL, NULL, err);
  return rc;
}

int pc_voters_maintenance_preview(pc_voters_t *v, const pc_maintenance_request_t *req, int64_t *run_id_out, int64_t *count_out,
                                  pc_error_t *err) {
  const char *kind = req->kind ? req->kind : "";
  int moved = strcmp(kind, "notices-moved") == 0, inactivity = strcmp(kind, "notices-inactivity") == 0;
  int inactivate = strcmp(kind, "inactivate") == 0, removal = strcmp(kind, "remove") == 0;
  if (!moved && !inactivity && !inactivate && !removal)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "kind", "expected notices-moved, notices-inactivity, inactivate or remove");
  if (moved && !req->moved_list_path && !req->moved_list_text) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "moved-list", "is required");
  if (inactivity && (!req->since || !pc_voters_valid_date(req->since)))
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "since", "expected a date YYYY-MM-DD");
  int response_days = req->response_days > 0 ? req->response_days : 30;
  int rc = pc_store_begin(v->store, err);
  if (rc != 0) return rc;
  if (removal) rc = refuse_in_quiet_period(v, err);
  int64_t county = 0;
  if (rc == 0) rc = scope_id(v, &county, err);
  plan_t plan = {0};
  json_t *parameters = json_pack("{s:s}", "kind", kind);
  char today[12];
  pc_voters_today(today);
  json_object_set_new(parameters, "date", json_string(today));
  if (rc == 0 && moved) {
    json_object_set_new(parameters, "moved_list", json_string(req->moved_list_text ? "(typed list)" : req->moved_list_path));
    rc = plan_moved(v, req->moved_list_path, req->moved_list_text, county, &plan, err);
  } else if (rc == 0 && inactivity) {
    json_object_set_new(parameters, "since", json_string(req->since));
    const char *args[] = {req->since, req->since};
    rc = collect(v,
                 "SELECT id FROM voters WHERE status = 'A' AND registration_date < ?"
                 " AND NOT EXISTS (SELECT 1 FROM voter_history h WHERE h.voter_id = voters.id AND h.election_date >= ?)"
                 " AND (? = 0 OR county_id = ?)"
                 " AND NOT EXISTS (SELECT 1 FROM confirmation_notices n WHERE n.voter_id = voters.id AND n.response = 'none')"
                 " ORDER BY id",
                 args, 2, county, &plan, err);
  } else if (rc == 0 && inactivate) {
    char deadline[12];
    int64_t now_seconds = pc_clock_now() - (int64_t)response_days * 86400;
    char stamp[PC_RFC3339_SIZE];
    pc_clock_format_rfc3339(now_seconds, stamp);
    pc_snprintf(deadline, sizeof deadline, "%.10s", stamp);
    json_object_set_new(parameters, "response_days", json_integer(response_days));
    const char *args[] = {deadline};
    rc = collect(v,
                 "SELECT DISTINCT v.id FROM voters v JOIN confirmation_notices n ON n.voter_id = v.id"
                 " WHERE v.status = 'A' AND n.response = 'none' AND n.sent_date <= ? AND (? = 0 OR v.county_id = ?)"
                 " ORDER BY v.id",
                 args, 1, county, &plan, err);
  } else if (rc == 0) {
    rc = plan_removals(v, county, &plan, err);
  }
  int64_t run_id = 0;
  if (rc == 0) rc = record_plan(v, kind, parameters, county, &plan, &run_id, err);
  json_decref(parameters);
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) pc_store_rollback(v->store);
  free(plan.voters);
  if (rc == 0) {
    if (run_id_out) *run_id_out = run_id;
    if (count_out) *count_out = (int64_t)plan.count;
  }
  return rc;
}

typedef struct run_row {
  char kind[32], state[16];
  int64_t county_id;
} run_row_t;

static int load_run(pc_voters_t *v, int64_t run_id, run_row_t *run, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store, "SELECT kind, state, county_id FROM maintenance_runs WHERE id = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, run_id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    pc_strlcpy(run->kind, pc_stmt_column_text(stmt, 0), sizeof run->kind);
    pc_strlcpy(run->state, pc_stmt_column_text(stmt, 1), sizeof run->state);
    run->county_id = pc_stmt_column_int64(stmt, 2);
    rc = 0;
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set(err, PC_ENOTFOUND, "no maintenance run %lld", (long long)run_id);
  }
  pc_stmt_finalize(stmt);
  if (rc == 0 && v->county_scope) {
    int64_t county = 0;
    rc = scope_id(v, &county, err);
    if (rc == 0 && county != run->county_id)
      rc = pc_error_set(err, PC_EPERM, "maintenance run %lld is not a run of your county", (long long)run_id);
  }
  return rc;
}

typedef struct action_row {
  int64_t id, voter_id, notice_id;
  char old_status[4], old_reason[4], old_reason_desc[64], old_status_date[12], new_status[4], new_reason[4];
} action_row_t;

static int load_actions(pc_voters_t *v, int64_t run_id, action_row_t **out, size_t *count, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store,
                            "SELECT id, voter_id, COALESCE(notice_id, 0), old_status, old_reason, old_reason_desc,"
                            " COALESCE(old_status_date, ''), new_status, new_reason FROM maintenance_actions"
                            " WHERE run_id = ? ORDER BY voter_id",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, run_id);
  action_row_t *rows = NULL;
  size_t n = 0;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    rows = pc_xreallocarray(rows, n + 1, sizeof *rows);
    action_row_t *a = &rows[n++];
    a->id = pc_stmt_column_int64(stmt, 0);
    a->voter_id = pc_stmt_column_int64(stmt, 1);
    a->notice_id = pc_stmt_column_int64(stmt, 2);
    pc_strlcpy(a->old_status, pc_stmt_column_text(stmt, 3), sizeof a->old_status);
    pc_strlcpy(a->old_reason, pc_stmt_column_text(stmt, 4), sizeof a->old_reason);
    pc_strlcpy(a->old_reason_desc, pc_stmt_column_text(stmt, 5), sizeof a->old_reason_desc);
    pc_strlcpy(a->old_status_date, pc_stmt_column_text(stmt, 6), sizeof a->old_status_date);
    pc_strlcpy(a->new_status, pc_stmt_column_text(stmt, 7), sizeof a->new_status);
    pc_strlcpy(a->new_reason, pc_stmt_column_text(stmt, 8), sizeof a->new_reason);
  }
  pc_stmt_finalize(stmt);
  if (rc < 0) {
    free(rows);
    return rc;
  }
  *out = rows;
  *count = n;
  return 0;
}

int pc_voters_maintenance_list(pc_voters_t *v, int64_t run_id,
                               int (*visit)(void *context, const pc_voter_t *voter, const char *new_status),
                               void *context, pc_error_t *err) {
  run_row_t run;
  int rc = load_run(v, run_id, &run, err);
  action_row_t *actions = NULL;
  size_t count = 0;
  if (rc == 0) rc = load_actions(v, run_id, &actions, &count, err);
  for (size_t i = 0; rc == 0 && i < count; i++) {
    pc_voter_t voter;
    rc = pc_voters_load(v->store, actions[i].voter_id, &voter, err);
    if (rc == 0) rc = visit(context, &voter, actions[i].new_status);
  }
  free(actions);
  return rc;
}

static int set_run_state(pc_voters_t *v, int64_t run_id, const char *state, const char *column, pc_error_t *err) {
  unsigned char before[PC_HASH_SIZE];
  int rc = pc_audit_row_hash(v->store, "maintenance_runs", run_id, before, err);
  if (rc != 0) return rc;
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store,
                        strcmp(column, "executed_at") == 0 ? "UPDATE maintenance_runs SET state = ?, executed_at = ? WHERE id = ?"
                                                           : "UPDATE maintenance_runs SET state = ?, undone_at = ? WHERE id = ?",
                        &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, state);
  pc_stmt_bind_text(stmt, 2, now);
  pc_stmt_bind_int64(stmt, 3, run_id);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  char action[48];
  pc_snprintf(action, sizeof action, "maintenance.%s", strcmp(state, "executed") == 0 ? "run" : "undo");
  return pc_audit_record(v->store, &v->actor, action, "maintenance_runs", run_id, before, NULL, err);
}

static int send_notice(pc_voters_t *v, int64_t run_id, const char *kind, const action_row_t *a, pc_error_t *err) {
  char today[12];
  pc_voters_today(today);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store,
                            "INSERT INTO confirmation_notices (voter_id, run_id, reason, sent_date) VALUES (?, ?, ?, ?) RETURNING id",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, a->voter_id);
  pc_stmt_bind_int64(stmt, 2, run_id);
  pc_stmt_bind_text(stmt, 3, strcmp(kind, "notices-moved") == 0 ? "moved" : "inactivity");
  pc_stmt_bind_text(stmt, 4, today);
  rc = pc_stmt_step(stmt, err);
  int64_t notice_id = rc == PC_STORE_ROW ? pc_stmt_column_int64(stmt, 0) : 0;
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  rc = pc_audit_record(v->store, &v->actor, "notice.send", "confirmation_notices", notice_id, NULL, NULL, err);
  unsigned char before[PC_HASH_SIZE];
  if (rc == 0) rc = pc_audit_row_hash(v->store, "maintenance_actions", a->id, before, err);
  if (rc == 0) rc = pc_store_prepare(v->store, "UPDATE maintenance_actions SET notice_id = ? WHERE id = ?", &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, notice_id);
    pc_stmt_bind_int64(stmt, 2, a->id);
    rc = pc_stmt_step(stmt, err);
    pc_stmt_finalize(stmt);
    if (rc > 0) rc = 0;
  }
  if (rc == 0) rc = pc_audit_record(v->store, &v->actor, "maintenance.notice", "maintenance_actions", a->id, before, NULL, err);
  return rc;
}

int pc_voters_maintenance_run(pc_voters_t *v, int64_t run_id, int64_t *changed_out, int64_t *skipped_out, pc_error_t *err) {
  int rc = pc_store_begin(v->store, err);
  if (rc != 0) return rc;
  run_row_t run;
  rc = load_run(v, run_id, &run, err);
  if (rc == 0 && strcmp(run.state, "previewed") != 0)
    rc = pc_error_set(err, PC_ESTATE, "maintenance run %lld is %s, not previewed", (long long)run_id, run.state);
  if (rc == 0 && strcmp(run.kind, "remove") == 0) rc = refuse_in_quiet_period(v, err);
  action_row_t *actions = NULL;
  size_t count = 0;
  if (rc == 0) rc = load_actions(v, run_id, &actions, &count, err);
  int notices = strncmp(run.kind, "notices", 7) == 0;
  int64_t changed = 0, skipped = 0;
  for (size_t i = 0; rc == 0 && i < count; i++) {
    const action_row_t *a = &actions[i];
    pc_voter_t voter;
    rc = pc_voters_load(v->store, a->voter_id, &voter, err);
    if (rc != 0) break;
    if (strcmp(voter.status, a->old_status) != 0) { /* changed since the preview */
      skipped++;
      continue;
    }
    if (notices) {
      rc = send_notice(v, run_id, run.kind, a, err);
    } else {
      unsigned char before[PC_HASH_SIZE];
      rc = pc_voters_row_hash(v->store, voter.id, before, err);
      pc_strlcpy(voter.status, a->new_status, sizeof voter.status);
      pc_strlcpy(voter.status_reason, a->new_reason, sizeof voter.status_reason);
      pc_strlcpy(voter.status_reason_desc, pc_voters_reason_desc(a->new_reason), sizeof voter.status_reason_desc);
      pc_voters_today(voter.status_date);
      if (rc == 0) rc = pc_voters_save(v, &voter, "voter.maintenance", before, err);
    }
    changed++;
  }
  free(actions);
  if (rc == 0) rc = set_run_state(v, run_id, "executed", "executed_at", err);
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) {
    pc_store_rollback(v->store);
    return rc;
  }
  if (changed_out) *changed_out = changed;
  if (skipped_out) *skipped_out = skipped;
  return 0;
}

static int set_notice_response(pc_voters_t *v, int64_t notice_id, const char *response, pc_error_t *err) {
  unsigned char before[PC_HASH_SIZE];
  int rc = pc_audit_row_hash(v->store, "confirmation_notices", notice_id, before, err);
  if (rc != 0) return rc;
  char today[12];
  pc_voters_today(today);
  pc_stmt_t *stmt;
  rc = pc_store_prepare(v->store, "UPDATE confirmation_notices SET response = ?, response_date = ? WHERE id = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, response);
  pc_stmt_bind_text(stmt, 2, today);
  pc_stmt_bind_int64(stmt, 3, notice_id);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  char action[40];
  pc_snprintf(action, sizeof action, "notice.%s", response);
  return pc_audit_record(v->store, &v->actor, action, "confirmation_notices", notice_id, before, NULL, err);
}

int pc_voters_maintenance_undo(pc_voters_t *v, int64_t run_id, int64_t *restored_out, pc_error_t *err) {
  int rc = pc_store_begin(v->store, err);
  if (rc != 0) return rc;
  run_row_t run;
  rc = load_run(v, run_id, &run, err);
  if (rc == 0 && strcmp(run.state, "executed") != 0)
    rc = pc_error_set(err, PC_ESTATE, "maintenance run %lld is %s; only an executed run can be undone", (long long)run_id, run.state);
  action_row_t *actions = NULL;
  size_t count = 0;
  if (rc == 0) rc = load_actions(v, run_id, &actions, &count, err);
  int64_t restored = 0;
  for (size_t i = 0; rc == 0 && i < count; i++) {
    const action_row_t *a = &actions[i];
    if (a->notice_id) {
      rc = set_notice_response(v, a->notice_id, "withdrawn", err);
      restored++;
      continue;
    }
    if (strcmp(a->old_status, a->new_status) == 0) continue;
    pc_voter_t voter;
    rc = pc_voters_load(v->store, a->voter_id, &voter, err);
    if (rc != 0 || strcmp(voter.status, a->new_status) != 0 || strcmp(voter.status_reason, a->new_reason) != 0) continue;
    unsigned char before[PC_HASH_SIZE];
    rc = pc_voters_row_hash(v->store, voter.id, before, err);
    pc_strlcpy(voter.status, a->old_status, sizeof voter.status);
    pc_strlcpy(voter.status_reason, a->old_reason, sizeof voter.status_reason);
    pc_strlcpy(voter.status_reason_desc, a->old_reason_desc, sizeof voter.status_reason_desc);
    pc_strlcpy(voter.status_date, a->old_status_date, sizeof voter.status_date);
    if (rc == 0) rc = pc_voters_save(v, &voter, "voter.maintenance.undo", before, err);
    restored++;
  }
  free(actions);
  if (rc == 0) rc = set_run_state(v, run_id, "undone", "undone_at", err);
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) {
    pc_store_rollback(v->store);
    return rc;
  }
  if (restored_out) *restored_out = restored;
  return 0;
}

int pc_voters_notice_respond(pc_voters_t *v, int64_t notice_id, const char *response, pc_error_t *err) {
  if (strcmp(response, "confirmed") != 0 && strcmp(response, "moved") != 0 && strcmp(response, "undeliverable") != 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "response", "expected confirmed, moved or undeliverable");
  int rc = pc_store_begin(v->store, err);
  if (rc != 0) return rc;
  pc_stmt_t *stmt;
  int64_t voter_id = 0;
  char current[16] = "";
  rc = pc_store_prepare(v->store, "SELECT voter_id, response FROM confirmation_notices WHERE id = ?", &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_int64(stmt, 1, notice_id);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) {
      voter_id = pc_stmt_column_int64(stmt, 0);
      pc_strlcpy(current, pc_stmt_column_text(stmt, 1), sizeof current);
      rc = 0;
    } else if (rc == PC_STORE_DONE) {
      rc = pc_error_set(err, PC_ENOTFOUND, "no notice %lld", (long long)notice_id);
    }
    pc_stmt_finalize(stmt);
  }
  pc_voter_t voter;
  if (rc == 0) rc = pc_voters_get(v, voter_id, &voter, err);
  if (rc == 0 && strcmp(current, "none") != 0) rc = pc_error_set(err, PC_ESTATE, "notice %lld already has the response %s", (long long)notice_id, current);
  if (rc == 0) rc = set_notice_response(v, notice_id, response, err);
  if (rc == 0 && strcmp(response, "confirmed") == 0 && strcmp(voter.status, "I") == 0) {
    unsigned char before[PC_HASH_SIZE];
    rc = pc_voters_row_hash(v->store, voter.id, before, err);
    pc_strlcpy(voter.status, "A", sizeof voter.status);
    pc_strlcpy(voter.status_reason, "AV", sizeof voter.status_reason);
    pc_strlcpy(voter.status_reason_desc, pc_voters_reason_desc("AV"), sizeof voter.status_reason_desc);
    pc_voters_today(voter.status_date);
    if (rc == 0) rc = pc_voters_save(v, &voter, "voter.reactivate", before, err);
  }
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0) pc_store_rollback(v->store);
  return rc;
}
