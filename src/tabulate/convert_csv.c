/* RCTab's conversion of cast vote records to its generic CSV (one row per
 * CVR: source, provider, ids, precinct, then one cell per rank up to
 * maxRankingsAllowed): `precinct tabulate --convert-to-csv`. Each source is
 * streamed through pc_cvr_read, a row written per ballot; nothing is
 * counted. A rank nobody was marked at is "undervote", several candidates
 * at one rank share the cell one per line, a candidate's alias is written
 * as its name, labels as the CVR has them. */
#include "tabulate/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "precinct/alloc.h"
#include "precinct/buf.h"

typedef struct csv_job {
  const pc_tab_config_t *config;
  size_t source;
  size_t position;     /* 1-based index of the ballot in its source */
  FILE *file;
  pc_buf_t row, cell;
} csv_job_t;

/* The name RCTab writes for a mark: the candidate's name for its name or an
 * alias, NULL for a skipped rank, else the text itself (labels, ids). */
static const char *display(const pc_tab_config_t *config, const pc_cvr_source_t *source, const char *text) {
  if (!text || !*text) return source->treat_blank_as_undeclared_write_in ? PC_TAB_UWI_NAME : NULL;
  if (source->undervote_label && strcmp(text, source->undervote_label) == 0) return NULL;
  for (size_t c = 0; c < config->candidate_count; c++) {
    const pc_tab_candidate_t *candidate = &config->candidates[c];
    if (strcmp(candidate->name, text) == 0) return candidate->name;
    for (size_t a = 0; a < candidate->alias_count; a++)
      if (strcmp(candidate->aliases[a], text) == 0) return candidate->name;
  }
  return text;
}

static int on_ballot(void *context, const pc_cvr_ballot_t *ballot, pc_error_t *err) {
  csv_job_t *job = context;
  const pc_tab_config_t *config = job->config;
  const pc_cvr_source_t *source = &config->sources[job->source];
  const char *file = source->path, *slash = strrchr(file, '/');
  char id[600];
  job->position++;
  if (source->provider == PC_CVR_DOMINION && ballot->tabulator_id && ballot->batch && ballot->ballot_id)
    pc_snprintf(id, sizeof id, "%s-%s-%s", ballot->tabulator_id, ballot->batch, ballot->ballot_id);
  else
    pc_snprintf(id, sizeof id, source->provider == PC_CVR_CDF ? "%s(%zu)" : "%s-%zu", slash ? slash + 1 : file,
                job->position);
  bool vendor_contest = source->provider == PC_CVR_DOMINION;
  const char *cells[9] = {config->source_paths[job->source],
                          pc_tab_provider_name(source->provider),
                          vendor_contest && source->contest_id ? source->contest_id : "",
                          id,
                          ballot->tabulator_id ? ballot->tabulator_id : "",
                          ballot->batch ? ballot->batch : "",
                          ballot->ballot_id ? ballot->ballot_id : "",
                          ballot->precinct ? ballot->precinct : "",
                          ballot->precinct_portion ? ballot->precinct_portion : ""};
  pc_buf_reset(&job->row);
  for (size_t i = 0; i < 9; i++) pc_tab_csv_cell(&job->row, cells[i], i == 0);
  size_t m = 0;
  for (int rank = 1; rank <= config->max_rankings; rank++) {
    pc_buf_reset(&job->cell);
    while (m < ballot->mark_count && ballot->marks[m].rank < rank) m++;
    for (; m < ballot->mark_count && ballot->marks[m].rank == rank; m++) {
      const char *name = display(config, source, ballot->marks[m].candidate);
      if (!name) continue;
      if (job->cell.len > 0) pc_buf_append_char(&job->cell, '\n');
      pc_buf_append_str(&job->cell, name);
    }
    pc_tab_csv_cell(&job->row, job->cell.len > 0 ? pc_buf_str(&job->cell) : "undervote", false);
  }
  pc_buf_append_char(&job->row, '\n');
  if (fwrite(job->row.data, 1, job->row.len, job->file) != job->row.len)
    return pc_error_set(err, PC_EIO, "cannot write the CSV conversion");
  return 0;
}

int pc_tab_write_cvr_csv(const char *path, const pc_tab_config_t *config, pc_error_t *err) {
  FILE *f = fopen(path, "w");
  if (!f) return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot create the CSV file");
  csv_job_t job = {config, 0, 0, f, {0}, {0}};
  pc_buf_init(&job.row, 0);
  pc_buf_init(&job.cell, 0);
  const char *header[9] = {"Source Filepath", "CVR Provider", "Contest Id", "RCTab CVR Id", "Tabulator Id",
                           "Batch Id", "Vendor Id", "Precinct", "Precinct Portion"};
  for (size_t i = 0; i < 9; i++) pc_tab_csv_cell(&job.row, header[i], i == 0);
  for (int rank = 1; rank <= config->max_rankings; rank++) {
    char label[32];
    pc_snprintf(label, sizeof label, "Rank %d", rank);
    pc_tab_csv_cell(&job.row, label, false);
  }
  pc_buf_append_char(&job.row, '\n');
  int rc = fwrite(job.row.data, 1, job.row.len, f) == job.row.len
               ? 0
               : pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot write the CSV file");
  for (size_t s = 0; s < config->source_count && rc == 0; s++) {
    job.source = s;
    job.position = 0;
    rc = pc_cvr_read(&config->sources[s], on_ballot, &job, NULL, err);
    if (rc != 0 && err && !err->file[0]) pc_strlcpy(err->file, config->sources[s].path, sizeof err->file);
  }
  if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
    rc = pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot write the CSV file");
  if (fclose(f) != 0 && rc == 0) rc = pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot write the CSV file");
  pc_buf_free(&job.row);
  pc_buf_free(&job.cell);
  return rc;
}
