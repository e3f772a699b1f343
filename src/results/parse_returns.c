/* Parsing returns files into pc_parsed_returns_t: the returns CSV layout and
 * the row-level rules both formats share (unknown precinct, contest or
 * choice, precinct outside the uploader's county, contest not on the
 * precinct's ballot style, bad counts). Cross-row rules and storage are in
 * ingest.c; ERR JSON returns in parse_err.c. */
#include "ingest_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/csvrows.h"
#include "precinct/results.h"

#include <assert.h>
#include <string.h>
#include <strings.h>

static const char *const group_names[PC_GROUP_COUNT] = {"election-day", "early", "absentee-mail",
                                                        "provisional", "uocava", "total"};

const char *pc_results_group_name(int group) {
  assert(group >= 0 && group < PC_GROUP_COUNT);
  return group_names[group];
}

int pc_results_parse_group(const char *name, int *group) {
  static const struct { const char *alias; int group; } aliases[] = {
      {"election day", PC_GROUP_ELECTION_DAY}, {"eday", PC_GROUP_ELECTION_DAY}, {"early voting", PC_GROUP_EARLY},
      {"mail", PC_GROUP_MAIL}, {"absentee", PC_GROUP_MAIL}, {"absentee/mail", PC_GROUP_MAIL}};
  for (int i = 0; i < PC_GROUP_COUNT; i++) /* the usual spelling first: this runs for every count */
    if (strcmp(name, group_names[i]) == 0) return *group = i, 0;
  for (int i = 0; i < PC_GROUP_COUNT; i++)
    if (strcasecmp(name, group_names[i]) == 0) return *group = i, 0;
  for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (strcasecmp(name, aliases[i].alias) == 0) return *group = aliases[i].group, 0;
  return PC_EINVAL;
}

/* Errors carry the CSV line and column, or (for JSON) the path as field. */
static int reject(const pc_parsed_returns_t *p, pc_error_t *err, long line, const char *where, const char *column,
                  const char *fmt, const char *a, const char *b) {
  return pc_error_set_at(err, PC_EINVAL, p->file_name, where ? 0 : line, where ? where : column, fmt, a, b ? b : "");
}

static int find_precinct(pc_parsed_returns_t *p, const char *precinct, long line, const char *where, pc_error_t *err) {
  const pc_election_model_t *m = p->model;
  if (p->last_precinct[0] && strcmp(p->last_precinct, precinct) == 0) return p->last_precinct_index;
  int index = pc_elections_find_precinct(m, precinct);
  if (index < 0) return reject(p, err, line, where, "precinct", "unknown precinct \"%s\"%s", precinct, NULL);
  const pc_precinct_t *pr = &m->precincts[index];
  if (pr->county != p->county)
    return reject(p, err, line, where, "precinct", "precinct \"%s\" is in %s County, outside the uploading county",
                  precinct, m->counties[pr->county].name);
  if (pc_strlcpy(p->last_precinct, precinct, sizeof p->last_precinct) == 0) p->last_precinct_index = index;
  else p->last_precinct[0] = '\0';
  return index;
}

static int parse_count(const pc_parsed_returns_t *p, const char *text, const char *what, long line, const char *where,
                       pc_error_t *err, int64_t *out) {
  long long value;
  if (pc_parse_int64(text, -PC_RESULTS_VOTES_MAX, PC_RESULTS_VOTES_MAX, &value) != 0)
    return reject(p, err, line, where, what, "expected a whole number, got \"%s\"%s", text, NULL);
  if (value < 0) return reject(p, err, line, where, what, "negative number %s%s", text, NULL);
  *out = value;
  return 0;
}

int pc_results_add_vote(pc_parsed_returns_t *p, const char *precinct, const char *contest, const char *choice,
                        const char *group, const char *votes, long line, const char *where, pc_error_t *err) {
  const pc_election_model_t *m = p->model;
  int precinct_index = find_precinct(p, precinct, line, where, err);
  if (precinct_index < 0) return precinct_index;
  int contest_index;
  if (p->last_contest[0] && strcmp(p->last_contest, contest) == 0) {
    contest_index = p->last_contest_index;
  } else {
    contest_index = pc_elections_find_contest(m, contest);
    if (contest_index >= 0 && pc_strlcpy(p->last_contest, contest, sizeof p->last_contest) == 0)
      p->last_contest_index = contest_index;
    else p->last_contest[0] = '\0';
  }
  if (contest_index < 0) return reject(p, err, line, where, "contest", "unknown contest \"%s\"%s", contest, NULL);
  if (!pc_elections_style_has_contest(m, m->precincts[precinct_index].ballot_style, contest_index))
    return reject(p, err, line, where, "contest", "precinct \"%s\" does not vote on contest \"%s\" (not on its ballot style)",
                  precinct, contest);
  int choice_index = pc_elections_find_choice(m, contest_index, choice);
  if (choice_index < 0)
    return reject(p, err, line, where, "choice", "unknown choice \"%s\" in contest \"%s\"", choice, contest);
  int group_index;
  if (pc_results_parse_group(group, &group_index) != 0)
    return reject(p, err, line, where, "counting_group",
                  "unknown counting group \"%s\" (election-day, early, absentee-mail, provisional, uocava, total)%s",
                  group, NULL);
  int64_t count;
  int rc = parse_count(p, votes, "votes", line, where, err, &count);
  if (rc != 0) return rc;
  if (p->vote_count == p->vote_cap) {
    p->vote_cap = p->vote_cap ? p->vote_cap * 2 : 4096;
    p->votes = pc_xreallocarray(p->votes, p->vote_cap, sizeof *p->votes);
  }
  p->votes[p->vote_count++] = (pc_vote_line_t){precinct_index, contest_index, choice_index, group_index, count, line};
  p->precincts[precinct_index].seen = 1;
  if (!p->precincts[precinct_index].line) p->precincts[precinct_index].line = line;
  return 0;
}

static int set_once(pc_parsed_returns_t *p, int64_t value, int *has, int64_t *slot, const char *what,
                    const char *precinct, long line, const char *where, pc_error_t *err) {
  if (*has && *slot != value) {
    char text[64];
    pc_snprintf(text, sizeof text, "%lld", (long long)*slot);
    return reject(p, err, line, where, what, "precinct \"%s\" was given a different value earlier (%s)", precinct, text);
  }
  *has = 1;
  *slot = value;
  return 0;
}

int pc_results_add_precinct(pc_parsed_returns_t *p, const char *precinct, const char *ballots_cast,
                            const char *registered, long line, const char *where, pc_error_t *err) {
  int index = find_precinct(p, precinct, line, where, err);
  if (index < 0) return index;
  pc_precinct_line_t *pl = &p->precincts[index];
  pl->seen = 1;
  if (!pl->line) pl->line = line;
  int64_t value;
  int rc = 0;
  if (ballots_cast && ballots_cast[0]) {
    rc = parse_count(p, ballots_cast, "ballots_cast", line, where, err, &value);
    if (rc == 0) rc = set_once(p, value, &pl->has_ballots, &pl->ballots_cast, "ballots_cast", precinct, line, where, err);
  }
  if (rc == 0 && registered && registered[0]) {
    rc = parse_count(p, registered, "registered_voters", line, where, err, &value);
    if (rc == 0)
      rc = set_once(p, value, &pl->has_registered, &pl->registered, "registered_voters", precinct, line, where, err);
  }
  return rc;
}

/* ---- CSV ------------------------------------------------------------- */

enum { COL_PRECINCT, COL_CONTEST, COL_CHOICE, COL_GROUP, COL_VOTES, COL_BALLOTS, COL_REGISTERED, COL_COUNT };

typedef struct csv_state {
  pc_parsed_returns_t *p;
  int column[COL_COUNT];
  int header_done;
  pc_error_t *err;
} csv_state_t;

static int csv_row(const char *const *fields, size_t count, long line, void *context) {
  csv_state_t *s = context;
  static const char *const names[COL_COUNT] = {"precinct", "contest", "choice", "counting_group", "votes",
                                               "ballots_cast", "registered_voters"};
  if (!s->header_done) {
    s->header_done = 1;
    for (int i = 0; i < COL_COUNT; i++) {
      s->column[i] = pc_csvrows_column(fields, count, names[i]);
      if (s->column[i] < 0 && i == COL_GROUP) s->column[i] = pc_csvrows_column(fields, count, "group");
      if (s->column[i] < 0 && i < COL_VOTES + 1)
        return pc_error_set_at(s->err, PC_EINVAL, s->p->file_name, line, names[i],
                               "missing column \"%s\" (header: precinct,contest,choice,counting_group,votes,"
                               "ballots_cast,registered_voters)", names[i]);
    }
    return 0;
  }
  const char *f[COL_COUNT];
  for (int i = 0; i < COL_COUNT; i++)
    f[i] = s->column[i] >= 0 && (size_t)s->column[i] < count ? fields[s->column[i]] : "";
  if (!f[COL_PRECINCT][0])
    return pc_error_set_at(s->err, PC_EINVAL, s->p->file_name, line, "precinct", "empty precinct");
  int rc = 0;
  /* A line with no contest only carries the precinct's ballots cast and registered voters. */
  if (f[COL_CONTEST][0] || f[COL_CHOICE][0] || f[COL_VOTES][0])
    rc = pc_results_add_vote(s->p, f[COL_PRECINCT], f[COL_CONTEST], f[COL_CHOICE], f[COL_GROUP], f[COL_VOTES], line,
                             NULL, s->err);
  if (rc == 0) rc = pc_results_add_precinct(s->p, f[COL_PRECINCT], f[COL_BALLOTS], f[COL_REGISTERED], line, NULL, s->err);
  return rc;
}

int pc_results_parse_csv(pc_parsed_returns_t *p, const char *data, size_t size, pc_error_t *err) {
  csv_state_t s;
  memset(&s, 0, sizeof s);
  s.p = p;
  s.err = err;
  int rc = pc_csvrows_parse(data, size, p->file_name, csv_row, &s, err);
  if (rc == 0 && !s.header_done) rc = pc_error_set_at(err, PC_EINVAL, p->file_name, 1, NULL, "empty file");
  return rc;
}
