/* Clear Ballot CSV: ten fixed columns (RowNumber ... Remade) then one "choice"
 * column per candidate and rank, titled
 * Choice_<id>_<n>:<contest>:<rank>:<vote rule>:<candidate>:<party>. A cell of 1
 * means the voter marked that candidate at that rank. Only the configured
 * contest's columns are read; every data row is a ballot (RCTab's behaviour).
 * Contest rules (labels, max rankings) are the ballot builder's job. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/cvr.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "tabulate/cvr/csv_rows.h"
#include "tabulate/cvr/marks.h"

enum { COL_BALLOT_ID = 3, COL_PRECINCT_ID = 4, COL_CHOICES_BEGIN = 10, HEADER_FIELDS = 6 };

typedef struct {
  size_t column;
  int rank;
  char *candidate;
} choice_t;

typedef struct {
  const pc_cvr_source_t *source;
  pc_cvr_ballot_fn on_ballot;
  void *context;
  int have_header;
  size_t header_columns;
  choice_t *choices; /* the contest's columns, in file order */
  size_t choice_count;
  pc_cvr_mark_t *marks;
  uint64_t ballots;
} clear_ballot_reader_t;

static int header_error(clear_ballot_reader_t *c, long row, size_t col, pc_error_t *err, int code,
                        const char *what, const char *title) {
  pc_error_set_at(err, code, c->source->path, row, NULL, "header column %zu \"%.200s\": %s", col + 1,
                  title, what);
  if (err) err->column = (long)(col + 1);
  return code;
}

static int read_header(clear_ballot_reader_t *c, const pc_csv_row_t *row, pc_error_t *err) {
  c->have_header = 1;
  c->header_columns = row->count;
  if (row->count < COL_CHOICES_BEGIN)
    return pc_error_set_at(err, PC_EINVAL, c->source->path, row->number, NULL,
                           "no choice columns found in cast vote record file; expected %d fixed "
                           "columns then Choice_... columns",
                           COL_CHOICES_BEGIN);
  c->choices = pc_xcalloc(row->count - COL_CHOICES_BEGIN + 1, sizeof *c->choices);
  for (size_t col = COL_CHOICES_BEGIN; col < row->count; col++) {
    const char *title = row->fields[col];
    const char *parts[HEADER_FIELDS + 1];
    size_t lengths[HEADER_FIELDS + 1];
    size_t n = 0;
    const char *p = title;
    for (;;) {
      const char *colon = strchr(p, ':');
      if (n <= HEADER_FIELDS) {
        parts[n] = p;
        lengths[n] = colon ? (size_t)(colon - p) : strlen(p);
      }
      n++;
      if (colon == NULL) break;
      p = colon + 1;
    }
    /* Java's split drops trailing empty fields before the count is checked */
    while (n > 0 && n <= HEADER_FIELDS + 1 && lengths[n - 1] == 0) n--;
    if (n != HEADER_FIELDS)
      return header_error(c, row->number, col, err, PC_EINVAL,
                          "wrong number of choice header fields; expected "
                          "Choice_<id>_<n>:<contest>:<rank>:<vote rule>:<candidate>:<party>",
                          title);
    const char *contest = c->source->contest_id ? c->source->contest_id : "";
    if (lengths[1] != strlen(contest) || memcmp(parts[1], contest, lengths[1]) != 0) continue;
    char digits[16];
    long long rank = 0;
    if (lengths[2] == 0 || lengths[2] >= sizeof digits ||
        (memcpy(digits, parts[2], lengths[2]), digits[lengths[2]] = '\0',
         pc_parse_int64(digits, -2147483648LL, 2147483647LL, &rank) != 0))
      return header_error(c, row->number, col, err, PC_EINVAL,
                          "rank field is not a number; expected an integer rank", title);
    choice_t *choice = &c->choices[c->choice_count++];
    choice->column = col;
    choice->rank = (int)rank;
    choice->candidate = pc_xstrndup(parts[4], lengths[4]);
  }
  c->marks = pc_xcalloc(c->choice_count + 1, sizeof *c->marks);
  /* RCTab would count every row as an undervote here; a contest id that
   * matches no column is a configuration mistake, not an election result. */
  if (c->choice_count == 0)
    return pc_error_set_at(err, PC_EINVAL, c->source->path, row->number, "contestId",
                           "no choice column for contest '%s'; expected Choice_... columns whose "
                           "second field is the contest id",
                           c->source->contest_id ? c->source->contest_id : "");
  return 0;
}

static int on_row(void *context, const pc_csv_row_t *row, pc_error_t *err) {
  clear_ballot_reader_t *c = context;
  if (!c->have_header) return read_header(c, row, err);
  if (row->count != c->header_columns)
    return pc_error_set_at(err, PC_EINVAL, c->source->path, row->number, NULL,
                           "row %ld has %zu columns; expected %zu as in the header row", row->number,
                           row->count, c->header_columns);
  size_t count = 0;
  for (size_t i = 0; i < c->choice_count; i++) {
    const choice_t *choice = &c->choices[i];
    const char *cell = row->fields[choice->column];
    long long value = 0;
    if (pc_parse_int64(cell, -2147483648LL, 2147483647LL, &value) != 0) {
      pc_error_set_at(err, PC_EINVAL, c->source->path, row->number, NULL,
                      "row %ld column %zu: expected 0 or 1 in a choice column, got \"%.100s\"",
                      row->number, choice->column + 1, cell);
      if (err) err->column = (long)(choice->column + 1);
      return PC_EINVAL;
    }
    if (value != 1) continue;
    c->marks[count].rank = choice->rank;
    c->marks[count].candidate = choice->candidate;
    count++;
  }
  pc_cvr_marks_sort(c->marks, count);
  pc_cvr_ballot_t ballot = {.ballot_id = row->fields[COL_BALLOT_ID],
                            .precinct = row->fields[COL_PRECINCT_ID],
                            .batch = NULL,
                            .marks = c->marks,
                            .mark_count = count,
                            .file = c->source->path,
                            .line = row->number};
  int rc = c->on_ballot(c->context, &ballot, err);
  if (rc == 0) c->ballots++;
  return rc;
}

int pc_cvr_read_clear_ballot(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot,
                             void *context, uint64_t *ballots_read, pc_error_t *err) {
  assert(source != NULL && source->path != NULL && on_ballot != NULL);
  clear_ballot_reader_t c = {.source = source, .on_ballot = on_ballot, .context = context};
  int rc = pc_csv_rows_read(source->path, on_row, &c, err);
  if (rc == 0 && !c.have_header)
    rc = pc_error_set_at(err, PC_EINVAL, source->path, 0, NULL,
                         "no header row found in cast vote record file");
  if (rc == 0 && ballots_read) *ballots_read = c.ballots;
  for (size_t i = 0; i < c.choice_count; i++) free(c.choices[i].candidate);
  free(c.choices);
  free(c.marks);
  return rc;
}
