/* RCTab's generic CSV: the first row names the candidates (one column each
 * from firstVoteColumnIndex on); every later row is a ballot whose cells hold
 * the rank the voter gave that candidate (blank: not ranked). Optional ballot
 * id, precinct and batch columns. Candidates are delivered by header name;
 * contest rules are the ballot builder's job. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/cvr.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "tabulate/cvr/csv_rows.h"
#include "tabulate/cvr/marks.h"

typedef struct {
  const pc_cvr_source_t *source;
  pc_cvr_ballot_fn on_ballot;
  void *context;
  char **candidates; /* header names, index 0 = firstVoteColumnIndex */
  size_t candidate_count;
  pc_cvr_mark_t *marks;
  uint64_t ballots;
} generic_reader_t;

static int read_header(generic_reader_t *g, const pc_csv_row_t *row, pc_error_t *err) {
  size_t first = (size_t)g->source->first_vote_column_index - 1;
  if (row->count <= first)
    return pc_error_set_at(err, PC_EINVAL, g->source->path, row->number, NULL,
                           "header row has %zu columns; expected candidate names from column %d "
                           "(firstVoteColumnIndex) on",
                           row->count, g->source->first_vote_column_index);
  g->candidate_count = row->count - first;
  g->candidates = pc_xcalloc(g->candidate_count, sizeof *g->candidates);
  for (size_t i = 0; i < g->candidate_count; i++) {
    const char *name = row->fields[first + i];
    size_t len = row->lengths[first + i];
    while (len > 0 && (unsigned char)name[len - 1] <= ' ') len--;
    size_t lead = 0;
    while (lead < len && (unsigned char)name[lead] <= ' ') lead++;
    if (lead == len) {
      pc_error_set_at(err, PC_EINVAL, g->source->path, row->number, NULL,
                      "candidate name in column %zu cannot be empty; expected a name in every "
                      "column from firstVoteColumnIndex on",
                      first + i + 1);
      if (err) err->column = (long)(first + i + 1);
      return PC_EINVAL;
    }
    g->candidates[i] = pc_xstrdup(name);
  }
  g->marks = pc_xcalloc(g->candidate_count, sizeof *g->marks);
  return 0;
}

/* Integer.parseInt after trim(): optional sign, decimal digits, int range. */
static int parse_rank(const char *s, size_t len, int *rank) {
  while (len > 0 && (unsigned char)*s <= ' ') s++, len--;
  while (len > 0 && (unsigned char)s[len - 1] <= ' ') len--;
  if (len == 0 || len > 11) return -1;
  char digits[12];
  memcpy(digits, s, len);
  digits[len] = '\0';
  long long v = 0;
  if (pc_parse_int64(digits, -2147483648LL, 2147483647LL, &v) != 0) return -1;
  *rank = (int)v;
  return 0;
}

static const char *column(const pc_csv_row_t *row, int index) {
  if (index <= 0 || (size_t)index > row->count || row->lengths[index - 1] == 0) return NULL;
  return row->fields[index - 1]; /* an empty cell leaves the value unknown */
}

static int on_row(void *context, const pc_csv_row_t *row, pc_error_t *err) {
  generic_reader_t *g = context;
  if (g->candidates == NULL) return read_header(g, row, err);
  size_t first = (size_t)g->source->first_vote_column_index - 1;
  if (row->count > first + g->candidate_count)
    return pc_error_set_at(err, PC_EINVAL, g->source->path, row->number, NULL,
                           "row %ld has %zu columns; expected at most %zu as in the header row",
                           row->number, row->count, first + g->candidate_count);
  size_t count = 0;
  for (size_t col = first; col < row->count; col++) {
    const char *cell = row->fields[col];
    size_t len = row->lengths[col];
    size_t lead = 0;
    while (lead < len && (unsigned char)cell[lead] <= ' ') lead++;
    if (lead == len) continue;
    int rank = 0;
    if (parse_rank(cell, len, &rank) != 0) {
      pc_error_set_at(err, PC_EINVAL, g->source->path, row->number, g->candidates[col - first],
                      "row %s expected a number (a rank) at column %zu, but got \"%s\" instead",
                      row->count ? row->fields[0] : "", col + 1, cell);
      if (err) err->column = (long)(col + 1);
      return PC_EINVAL;
    }
    g->marks[count].rank = rank;
    g->marks[count].candidate = g->candidates[col - first];
    count++;
  }
  pc_cvr_marks_sort(g->marks, count);
  pc_cvr_ballot_t ballot = {
      .ballot_id = column(row, g->source->id_column_index),
      .precinct = column(row, g->source->precinct_column_index),
      .batch = column(row, g->source->batch_column_index),
      .marks = g->marks, .mark_count = count, .file = g->source->path, .line = row->number};
  int rc = g->on_ballot(g->context, &ballot, err);
  if (rc == 0) g->ballots++;
  return rc;
}

int pc_cvr_read_generic_csv(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                            uint64_t *ballots_read, pc_error_t *err) {
  assert(source != NULL && source->path != NULL && on_ballot != NULL);
  if (source->first_vote_column_index < 1 || source->first_vote_column_index > PC_CSV_MAX_COLUMNS)
    return pc_error_set_at(err, PC_EINVAL, source->path, 0, "firstVoteColumnIndex",
                           "expected a column number from 1 to %d, got %d", PC_CSV_MAX_COLUMNS,
                           source->first_vote_column_index);
  generic_reader_t g = {.source = source, .on_ballot = on_ballot, .context = context};
  int rc = pc_csv_rows_read(source->path, on_row, &g, err);
  if (rc == 0 && g.candidates == NULL)
    rc = pc_error_set_at(err, PC_EINVAL, source->path, 0, NULL,
                         "empty file; expected a header row naming the candidates");
  if (rc == 0 && ballots_read) *ballots_read = g.ballots;
  for (size_t i = 0; i < g.candidate_count; i++) free(g.candidates[i]);
  free(g.candidates);
  free(g.marks);
  return rc;
}
