/* One-object edits of contests, their choices (candidates, measure answers)
 * and ballot styles, inside the transaction frame of edit.c. Contest rows
 * are audited one by one (certification changes them later); everything
 * else is covered by the election's definition hash. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/elections_edit.h"
#include "edit_internal.h"
#include "elections_internal.h"

#include <stdlib.h>
#include <string.h>

/* Records the change of contest ID (BEFORE NULL: created) in the log. */
static int audit_contest(edit_t *e, int64_t id, const unsigned char *before) {
  return pc_audit_record(e->store, e->actor, e->action, "contests", id, before, NULL, e->err);
}

static int kind_takes_candidates(pc_contest_kind_t kind) {
  return kind == PC_CONTEST_CANDIDATE || kind == PC_CONTEST_RCV;
}

/* Deletes candidate ID unless a choice or a retention contest still names it. */
static int drop_unused_candidate(edit_t *e, int64_t id) {
  return pc__edit_run(e,
                      "DELETE FROM candidates WHERE id = ? AND NOT EXISTS (SELECT 1 FROM choices WHERE candidate_id = ?)"
                      " AND NOT EXISTS (SELECT 1 FROM contests WHERE retention_candidate_id = ?)",
                      "iii", id, id, id);
}

/* Adds a choice named NAME to contest CONTEST_ID (code prefix CONTEST_CODE). */
static int add_choice(edit_t *e, int64_t contest_id, const char *contest_code, const char *name, int64_t candidate,
                      int write_in) {
  char code[PC_ELECTION_CODE_MAX + 1];
  char prefix[40];
  pc_snprintf(prefix, sizeof prefix, "%.30s", contest_code);
  pc__edit_make_code(&e->model, prefix, name, code);
  return pc__edit_run(e,
                      "INSERT INTO choices (contest_id, code, name, candidate_id, is_write_in, sequence) VALUES"
                      " (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM choices WHERE contest_id = ?)) RETURNING id",
                      "issnii", contest_id, code, name, candidate, (int64_t)write_in, contest_id);
}

static int add_candidate(edit_t *e, const char *name, int64_t party, int64_t *id) {
  char code[PC_ELECTION_CODE_MAX + 1];
  pc__edit_make_code(&e->model, "candidate", name, code);
  int rc = pc__edit_run(e,
                        "INSERT INTO candidates (election_id, code, ballot_name, party_id) VALUES (?, ?, ?, ?) RETURNING id",
                        "issn", e->model.election.id, code, name, party);
  if (rc == 0) *id = e->new_id;
  return rc;
}

/* The ballot-order statements of one table (constant SQL). */
typedef struct sequence_sql {
  const char *select; /* SELECT sequence ... WHERE id = ? */
  const char *update; /* UPDATE ... SET sequence = ? WHERE id = ? */
} sequence_sql_t;

static const sequence_sql_t contest_sequence = {"SELECT sequence FROM contests WHERE id = ?",
                                                "UPDATE contests SET sequence = ? WHERE id = ?"};
static const sequence_sql_t choice_sequence = {"SELECT sequence FROM choices WHERE id = ?",
                                               "UPDATE choices SET sequence = ? WHERE id = ?"};

/* Swaps the sequence of row ID with its neighbour NEIGHBOUR in SQL's table. */
static int swap_sequence(edit_t *e, const sequence_sql_t *sql, int64_t id, int64_t neighbour) {
  const char *select = sql->select, *update = sql->update;
  int64_t mine = 0, theirs = 0;
  int rc = pc__edit_count(e, select, id, &mine);
  if (rc == 0) rc = pc__edit_count(e, select, neighbour, &theirs);
  if (rc == 0 && mine == theirs) theirs = mine + (e->edit->op == PC_EDIT_MOVE_UP ? -1 : 1);
  if (rc == 0) rc = pc__edit_run(e, update, "ii", theirs, id);
  if (rc == 0) rc = pc__edit_run(e, update, "ii", mine, neighbour);
  return rc;
}

static int contest_move(edit_t *e, int found) {
  int other = found + (e->edit->op == PC_EDIT_MOVE_UP ? -1 : 1);
  if (other < 0 || (size_t)other >= e->model.contest_count) return 0; /* already first or last */
  int64_t ids[2] = {e->model.contests[found].id, e->model.contests[other].id};
  unsigned char before[2][PC_HASH_SIZE];
  int rc = 0;
  for (int i = 0; rc == 0 && i < 2; i++) rc = pc_audit_row_hash(e->store, "contests", ids[i], before[i], e->err);
  if (rc == 0) rc = swap_sequence(e, &contest_sequence, ids[0], ids[1]);
  for (int i = 0; rc == 0 && i < 2; i++) rc = audit_contest(e, ids[i], before[i]);
  return rc;
}

static int contest_delete(edit_t *e, int found) {
  const pc_contest_t *c = &e->model.contests[found];
  unsigned char before[PC_HASH_SIZE];
  int rc = pc__edit_refuse_if_dependents(e, PC_EDIT_CONTEST, c->id, "the contest");
  if (rc == 0) rc = pc_audit_row_hash(e->store, "contests", c->id, before, e->err);
  if (rc == 0) rc = pc__edit_run(e, "DELETE FROM ballot_style_contests WHERE contest_id = ?", "i", c->id);
  if (rc == 0) rc = pc__edit_run(e, "DELETE FROM choices WHERE contest_id = ?", "i", c->id);
  if (rc == 0) rc = pc__edit_run(e, "DELETE FROM contests WHERE id = ?", "i", c->id);
  for (size_t k = 0; rc == 0 && k < c->choice_count; k++)
    if (c->choices[k].candidate >= 0) rc = drop_unused_candidate(e, e->model.candidates[c->choices[k].candidate].id);
  if (rc == 0 && c->retention_candidate >= 0)
    rc = drop_unused_candidate(e, e->model.candidates[c->retention_candidate].id);
  if (rc == 0) rc = audit_contest(e, c->id, before);
  return rc;
}

int pc__edit_contest(edit_t *e) {
  const pc_elections_edit_t *edit = e->edit;
  pc_election_model_t *m = &e->model;
  int found = PC__EDIT_FIND(m->contests, m->contest_count, edit->id);
  if (edit->op != PC_EDIT_CREATE && found < 0) return pc__edit_not_found(e, "contest");
  if (edit->op == PC_EDIT_MOVE_UP || edit->op == PC_EDIT_MOVE_DOWN) return contest_move(e, found);
  if (edit->op == PC_EDIT_DELETE) return contest_delete(e, found);

  const char *name, *kind_name = pc__edit_value(e, "kind"), *district = pc__edit_value(e, "district");
  const char *vote_for_text = pc__edit_value(e, "vote_for"), *candidate = pc__edit_value(e, "candidate");
  pc_contest_kind_t kind;
  long long vote_for = 1;
  int rc = pc__edit_text(e, "name", PC_ELECTION_NAME_MAX, &name);
  if (rc == 0 && pc_elections_parse_kind(kind_name, &kind) != 0)
    rc = pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "kind", "choose the kind of contest");
  if (rc == 0 && !pc__elections_known_district(m, district))
    rc = pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "district",
                         "choose the state, a county with precincts in this election, or a district");
  if (rc == 0 && vote_for_text[0] && pc_parse_int64(vote_for_text, 1, 100, &vote_for) != 0)
    rc = pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "vote_for", "expected a whole number from 1 to 100, got \"%s\"",
                         vote_for_text);
  if (rc == 0 && kind != PC_CONTEST_CANDIDATE && vote_for != 1)
    rc = pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "vote_for", "only candidate contests may have vote for more than 1");
  if (rc == 0 && kind == PC_CONTEST_RETENTION)
    rc = pc__edit_text(e, "candidate", PC_ELECTION_NAME_MAX, &candidate);
  if (rc != 0) return rc;

  if (edit->op == PC_EDIT_UPDATE) {
    const pc_contest_t *c = &m->contests[found];
    if (kind != c->kind && c->choice_count > 0 && !(kind_takes_candidates(kind) && kind_takes_candidates(c->kind)))
      return pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "kind",
                             "a %s contest with choices cannot become a %s contest; delete its choices first",
                             pc_elections_kind_name(c->kind), pc_elections_kind_name(kind));
    if (kind != c->kind || vote_for != c->vote_for || strcmp(district, c->district_code) != 0)
      rc = pc__edit_refuse_if_dependents(e, PC_EDIT_CONTEST, c->id, "the contest");
    unsigned char before[PC_HASH_SIZE];
    if (rc == 0) rc = pc_audit_row_hash(e->store, "contests", c->id, before, e->err);
    int64_t retention = c->retention_candidate >= 0 ? m->candidates[c->retention_candidate].id : 0;
    if (rc == 0 && kind == PC_CONTEST_RETENTION && retention)
      rc = pc__edit_run(e, "UPDATE candidates SET ballot_name = ? WHERE id = ?", "si", candidate, retention);
    else if (rc == 0 && kind == PC_CONTEST_RETENTION)
      rc = add_candidate(e, candidate, 0, &retention);
    if (rc == 0)
      rc = pc__edit_run(e,
                        "UPDATE contests SET name = ?, kind = ?, district_code = ?, vote_for = ?, retention_candidate_id = ?"
                        " WHERE id = ?",
                        "sssin" "i", name, pc_elections_kind_name(kind), district, (int64_t)vote_for,
                        kind == PC_CONTEST_RETENTION ? retention : (int64_t)0, c->id);
    if (rc == 0 && kind != PC_CONTEST_RETENTION && retention) rc = drop_unused_candidate(e, retention);
    return rc != 0 ? rc : audit_contest(e, c->id, before);
  }

  char code[PC_ELECTION_CODE_MAX + 1];
  pc__edit_make_code(m, "contest", name, code);
  int64_t retention = 0;
  if (kind == PC_CONTEST_RETENTION) rc = add_candidate(e, candidate, 0, &retention);
  if (rc == 0)
    rc = pc__edit_run(e,
                      "INSERT INTO contests (election_id, code, name, kind, district_code, vote_for, sequence,"
                      " retention_candidate_id, certified) VALUES (?, ?, ?, ?, ?, ?,"
                      " (SELECT COALESCE(MAX(sequence), 0) + 1 FROM contests WHERE election_id = ?), ?, 0) RETURNING id",
                      "issssii" "n", m->election.id, code, name, pc_elections_kind_name(kind), district,
                      (int64_t)vote_for, m->election.id, retention);
  int64_t contest = e->new_id;
  /* Measures and retention questions are answered yes or no. */
  if (rc == 0 && !kind_takes_candidates(kind)) rc = add_choice(e, contest, code, "Yes", 0, 0);
  if (rc == 0 && !kind_takes_candidates(kind)) rc = add_choice(e, contest, code, "No", 0, 0);
  if (rc == 0) rc = audit_contest(e, contest, NULL);
  e->new_id = contest;
  return rc;
}

/* ---- choices ------------------------------------------------------------ */

static int choice_move(edit_t *e, const pc_contest_t *c, int k) {
  int other = k + (e->edit->op == PC_EDIT_MOVE_UP ? -1 : 1);
  if (other < 0 || (size_t)other >= c->choice_count) return 0;
  return swap_sequence(e, &choice_sequence, c->choices[k].id, c->choices[other].id);
}

int pc__edit_choice(edit_t *e) {
  const pc_elections_edit_t *edit = e->edit;
  pc_election_model_t *m = &e->model;
  int contest = -1, k = -1;
  if (edit->op == PC_EDIT_CREATE) {
    contest = PC__EDIT_FIND(m->contests, m->contest_count, edit->parent);
    if (contest < 0) return pc__edit_not_found(e, "contest");
  } else {
    for (size_t c = 0; c < m->contest_count && k < 0; c++)
      if ((k = PC__EDIT_FIND(m->contests[c].choices, m->contests[c].choice_count, edit->id)) >= 0) contest = (int)c;
    if (k < 0) return pc__edit_not_found(e, "choice");
  }
  const pc_contest_t *c = &m->contests[contest];
  if (edit->op == PC_EDIT_MOVE_UP || edit->op == PC_EDIT_MOVE_DOWN) return choice_move(e, c, k);
  int rc = 0;
  if (edit->op == PC_EDIT_DELETE) {
    const pc_choice_t *choice = &c->choices[k];
    rc = pc__edit_refuse_if_dependents(e, PC_EDIT_CHOICE, choice->id, "the choice");
    if (rc == 0) rc = pc__edit_run(e, "DELETE FROM choices WHERE id = ?", "i", choice->id);
    if (rc == 0 && choice->candidate >= 0) rc = drop_unused_candidate(e, m->candidates[choice->candidate].id);
    return rc;
  }
  const char *name;
  int64_t party = 0;
  int write_in = strcmp(pc__edit_value(e, "write_in"), "1") == 0 && kind_takes_candidates(c->kind);
  rc = pc__edit_text(e, "name", PC_ELECTION_NAME_MAX, &name);
  if (rc == 0 && kind_takes_candidates(c->kind)) rc = pc__edit_optional_id(e, "party", &party);
  if (rc == 0 && party && PC__EDIT_FIND(m->parties, m->party_count, party) < 0)
    rc = pc_error_set_at(e->err, PC_EINVAL, NULL, 0, "party", "no such party in this election");
  if (rc != 0) return rc;
  if (edit->op == PC_EDIT_UPDATE) {
    const pc_choice_t *choice = &c->choices[k];
    int64_t candidate = choice->candidate >= 0 ? m->candidates[choice->candidate].id : 0;
    rc = pc__edit_run(e, "UPDATE choices SET name = ?, is_write_in = ? WHERE id = ?", "sii", name, (int64_t)write_in,
                      choice->id);
    if (rc == 0 && candidate)
      rc = pc__edit_run(e, "UPDATE candidates SET ballot_name = ?, party_id = ? WHERE id = ?", "sni", name, party,
                        candidate);
    else if (rc == 0 && kind_takes_candidates(c->kind) && !write_in) {
      rc = add_candidate(e, name, party, &candidate);
      if (rc == 0) rc = pc__edit_run(e, "UPDATE choices SET candidate_id = ? WHERE id = ?", "ii", candidate, choice->id);
    }
    return rc;
  }
  /* A new choice: the counts of a contest with returns would lack it. */
  rc = pc__edit_refuse_if_dependents(e, PC_EDIT_CONTEST, c->id, "the contest");
  int64_t candidate = 0;
  if (rc == 0 && kind_takes_candidates(c->kind) && !write_in) rc = add_candidate(e, name, party, &candidate);
  if (rc == 0) rc = add_choice(e, c->id, c->code, name, candidate, write_in);
  return rc;
}

/* ---- ballot styles ------------------------------------------------------ */

/* 1 when ID is among the values named NAME. */
static int value_has_id(edit_t *e, const char *name, int64_t id) {
  const pc_elections_values_t *v = &e->edit->values;
  for (size_t i = 0; v->get; i++) {
    const char *value = v->get(v->context, name, i);
    long long number;
    if (!value) return 0;
    if (pc_parse_int64(value, 1, INT64_MAX, &number) == 0 && number == id) return 1;
  }
  return 0;
}

/* Every value named NAME must be the id of one of COUNT objects of ARRAY. */
#define CHECK_IDS(e, name, array, count)                                                                               \
  do {                                                                                                                 \
    const pc_elections_values_t *v_ = &(e)->edit->values;                                                              \
    for (size_t i_ = 0; rc == 0 && v_->get && v_->get(v_->context, name, i_); i_++) {                                  \
      long long id_;                                                                                                   \
      const char *value_ = v_->get(v_->context, name, i_);                                                             \
      if (pc_parse_int64(value_, 1, INT64_MAX, &id_) != 0 || PC__EDIT_FIND(array, count, id_) < 0)                      \
        rc = pc_error_set_at((e)->err, PC_EINVAL, NULL, 0, name, "\"%s\" is not a %s of this election", value_, name);  \
    }                                                                                                                  \
  } while (0)

int pc__edit_ballot_style(edit_t *e) {
  const pc_elections_edit_t *edit = e->edit;
  pc_election_model_t *m = &e->model;
  int found = PC__EDIT_FIND(m->ballot_styles, m->ballot_style_count, edit->id);
  if (edit->op != PC_EDIT_CREATE && found < 0) return pc__edit_not_found(e, "ballot style");
  int rc = 0;
  const char *code = NULL;
  if (edit->op != PC_EDIT_DELETE) {
    rc = pc__edit_text(e, "code", PC_ELECTION_CODE_MAX, &code);
    CHECK_IDS(e, "contest", m->contests, m->contest_count);
    CHECK_IDS(e, "precinct", m->precincts, m->precinct_count);
    if (rc != 0) return rc;
  }
  /* Precincts whose ballot changes must have no returns. */
  for (size_t p = 0; rc == 0 && p < m->precinct_count; p++) {
    int on_style = found >= 0 && m->precincts[p].ballot_style == found;
    int wanted = edit->op != PC_EDIT_DELETE && value_has_id(e, "precinct", m->precincts[p].id);
    int contests_change = 0;
    for (size_t c = 0; on_style && edit->op != PC_EDIT_DELETE && c < m->contest_count; c++)
      contests_change |= pc_elections_style_has_contest(m, found, (int)c) != value_has_id(e, "contest", m->contests[c].id);
    if (on_style != wanted || (on_style && contests_change)) {
      char what[PC_ELECTION_NAME_MAX + 16];
      pc_snprintf(what, sizeof what, "precinct \"%s\"", m->precincts[p].name);
      rc = pc__edit_refuse_if_dependents(e, PC_EDIT_PRECINCT, m->precincts[p].id, what);
    }
  }
  int64_t style = edit->id;
  if (rc == 0 && found >= 0) {
    rc = pc__edit_run(e, "UPDATE precincts SET ballot_style_id = NULL WHERE ballot_style_id = ?", "i", style);
    if (rc == 0) rc = pc__edit_run(e, "DELETE FROM ballot_style_contests WHERE ballot_style_id = ?", "i", style);
  }
  if (edit->op == PC_EDIT_DELETE)
    return rc != 0 ? rc : pc__edit_run(e, "DELETE FROM ballot_styles WHERE id = ?", "i", style);
  if (rc == 0 && edit->op == PC_EDIT_UPDATE)
    rc = pc__edit_run(e, "UPDATE ballot_styles SET code = ? WHERE id = ?", "si", code, style);
  if (rc == 0 && edit->op == PC_EDIT_CREATE) {
    rc = pc__edit_run(e, "INSERT INTO ballot_styles (election_id, code) VALUES (?, ?) RETURNING id", "is",
                      m->election.id, code);
    style = e->new_id;
  }
  /* Contests in ballot order, whatever order the values came in. */
  for (size_t c = 0; rc == 0 && c < m->contest_count; c++)
    if (value_has_id(e, "contest", m->contests[c].id))
      rc = pc__edit_run(e, "INSERT INTO ballot_style_contests (ballot_style_id, contest_id) VALUES (?, ?)", "ii", style,
                        m->contests[c].id);
  for (size_t p = 0; rc == 0 && p < m->precinct_count; p++)
    if (value_has_id(e, "precinct", m->precincts[p].id))
      rc = pc__edit_run(e, "UPDATE precincts SET ballot_style_id = ? WHERE id = ?", "ii", style, m->precincts[p].id);
  e->new_id = style;
  return rc;
}
