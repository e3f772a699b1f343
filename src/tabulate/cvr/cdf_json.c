/* NIST SP 1500-103 CDF cast vote records in JSON, read as RCTab's
 * CommonDataFormatReader does: the contest is found by Name (the source's
 * contestId), selections resolve through ContestSelection -> CandidateIds
 * -> Candidate Name, write-ins become undeclared write-ins, marks with
 * HasIndication/IsAllocable "no" are ignored. Memory stays bounded on big
 * files: json_split.c finds the top-level CVR array and each element's
 * boundaries (element splitting, not parsing); jansson parses the rest of
 * the report (the skeleton) and then each CVR on its own. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/cvr.h"
#include "tabulate/cvr/json_split.h"

#define UWI_NAME "Undeclared Write-ins"
#define CDF_MAX_SKELETON ((size_t)64 << 20) /* the report without its CVR array */
#define CDF_MAX_CVR ((size_t)16 << 20)      /* one CVR element */

static const char *str(json_t *object, const char *key) {
  json_t *v = json_object_get(object, key);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

static int bad(pc_error_t *err, const char *path, long record, const char *field, const char *what) {
  return pc_error_set_at(err, PC_EINVAL, path, record, field, "%s", what);
}

static int rank_of(json_t *v, int *out) {
  if (json_is_integer(v)) {
    json_int_t r = json_integer_value(v);
    if (r < 1 || r > 1000000) return PC_EINVAL;
    *out = (int)r;
    return 0;
  }
  if (json_is_string(v)) {
    long long r;
    if (pc_parse_int64(json_string_value(v), 1, 1000000, &r) != 0) return PC_EINVAL;
    *out = (int)r;
    return 0;
  }
  return PC_EINVAL;
}

typedef struct {
  const pc_cvr_source_t *source;
  const char *path;
  json_t *elections, *selections, *gp_units;
  const char *contest_id;
  pc_cvr_mark_t *marks;
  pc_cvr_ballot_fn on_ballot;
  void *context;
  uint64_t delivered;
} cdf_reader_t;

/* One CVR object: resolves its marks and hands the ballot on. */
static int read_cvr(cdf_reader_t *r, json_t *cvr, long record, pc_error_t *err) {
  const pc_cvr_source_t *source = r->source;
  const char *path = r->path, *contest_id = r->contest_id;
  json_t *elections = r->elections, *selections = r->selections, *gp_units = r->gp_units;
  pc_cvr_mark_t *marks = r->marks;
  int rc = 0;
  const char *current = str(cvr, "CurrentSnapshotId");
  json_t *snapshots = json_object_get(cvr, "CVRSnapshot");
  json_t *snapshot = NULL;
  for (size_t s = 0; s < json_array_size(snapshots); s++) {
    const char *id = str(json_array_get(snapshots, s), "@id");
    if (id && current && strcmp(id, current) == 0) snapshot = json_array_get(snapshots, s);
  }
  if (!snapshot) {
    return bad(err, path, record, "CurrentSnapshotId", "CVR has no CVRSnapshot matching its CurrentSnapshotId");
  }
  json_t *cvr_contest = NULL;
  json_t *cvr_contests = json_object_get(snapshot, "CVRContest");
  for (size_t c = 0; c < json_array_size(cvr_contests); c++) {
    const char *id = str(json_array_get(cvr_contests, c), "ContestId");
    if (id && contest_id && strcmp(id, contest_id) == 0) cvr_contest = json_array_get(cvr_contests, c);
  }
  if (!cvr_contest) return 0; /* ballot without this contest */
  size_t mark_count = 0;
  json_t *cvr_selections = json_object_get(cvr_contest, "CVRContestSelection");
  for (size_t k = 0; k < json_array_size(cvr_selections) && rc == 0; k++) {
    json_t *cs = json_array_get(cvr_selections, k);
    const char *selection_id = str(cs, "ContestSelectionId");
    json_t *selection = NULL;
    for (size_t m = 0; m < json_array_size(selections) && selection_id; m++) {
      const char *id = str(json_array_get(selections, m), "@id");
      if (id && strcmp(id, selection_id) == 0) selection = json_array_get(selections, m);
    }
    if (!selection) {
      pc_error_set_at(err, PC_EINVAL, path, record, "ContestSelectionId",
                      "ContestSelection \"%s\" from the CVR is not in the contest", selection_id ? selection_id : "");
      rc = PC_EINVAL;
      break;
    }
    const char *candidate_name = NULL;
    const char *write_in = str(selection, "IsWriteIn");
    json_t *write_in_value = json_object_get(selection, "IsWriteIn");
    if ((write_in && strcmp(write_in, "true") == 0) || json_is_true(write_in_value)) {
      candidate_name = source->undeclared_write_in_label ? source->undeclared_write_in_label : UWI_NAME;
    } else {
      json_t *ids = json_object_get(selection, "CandidateIds");
      const char *candidate_id = json_is_array(ids) ? json_string_value(json_array_get(ids, 0)) : NULL;
      if (!candidate_id) {
        rc = bad(err, path, record, "CandidateIds", "ContestSelection has no CandidateIds");
        break;
      }
      for (size_t e = 0; e < json_array_size(elections) && !candidate_name; e++) {
        json_t *candidates = json_object_get(json_array_get(elections, e), "Candidate");
        for (size_t c = 0; c < json_array_size(candidates); c++) {
          const char *id = str(json_array_get(candidates, c), "@id");
          if (id && strcmp(id, candidate_id) == 0) {
            candidate_name = str(json_array_get(candidates, c), "Name");
            break;
          }
        }
      }
      if (!candidate_name) {
        pc_error_set_at(err, PC_EINVAL, path, record, "CandidateIds",
                        "candidate \"%s\" is not in the Election's Candidate list", candidate_id);
        rc = PC_EINVAL;
        break;
      }
    }
    json_t *rank_value = json_object_get(cs, "Rank");
    if (rank_value) {
      int rank;
      if (rank_of(rank_value, &rank) != 0) {
        rc = bad(err, path, record, "Rank", "Rank must be a positive integer");
        break;
      }
      if (mark_count >= PC_CVR_MAX_MARKS_PER_BALLOT) {
        rc = bad(err, path, record, "CVRContestSelection", "too many marks on one ballot");
        break;
      }
      marks[mark_count].rank = rank;
      marks[mark_count++].candidate = candidate_name;
      continue;
    }
    json_t *positions = json_object_get(cs, "SelectionPosition");
    for (size_t p = 0; p < json_array_size(positions); p++) {
      json_t *position = json_array_get(positions, p);
      const char *name = candidate_name;
      if (json_object_get(position, "CVRWriteIn"))
        name = source->undeclared_write_in_label ? source->undeclared_write_in_label : UWI_NAME;
      const char *indication = str(position, "HasIndication");
      const char *allocable = str(position, "IsAllocable");
      if ((indication && strcmp(indication, "no") == 0) || (allocable && strcmp(allocable, "no") == 0)) continue;
      int rank;
      if (rank_of(json_object_get(position, "Rank"), &rank) != 0) {
        rc = bad(err, path, record, "Rank", "SelectionPosition needs a positive integer Rank");
        break;
      }
      if (mark_count >= PC_CVR_MAX_MARKS_PER_BALLOT) {
        rc = bad(err, path, record, "SelectionPosition", "too many marks on one ballot");
        break;
      }
      marks[mark_count].rank = rank;
      marks[mark_count++].candidate = name;
    }
  }
  if (rc != 0) return rc;
  const char *precinct = NULL;
  const char *unit_id = str(cvr, "BallotStyleUnitId");
  for (size_t g = 0; g < json_array_size(gp_units) && unit_id; g++) {
    const char *id = str(json_array_get(gp_units, g), "@id");
    if (id && strcmp(id, unit_id) == 0) precinct = str(json_array_get(gp_units, g), "Name");
  }
  pc_cvr_ballot_t ballot = {str(cvr, "BallotPrePrintedId"), precinct, str(cvr, "BatchId"), marks, mark_count,
                            path, record, NULL, NULL};
  rc = r->on_ballot(r->context, &ballot, err);
  if (rc == 0) r->delivered++;
  return rc;
}

static int on_element(void *context, const char *text, size_t len, uint64_t index, uint64_t offset,
                      pc_error_t *err) {
  cdf_reader_t *r = context;
  json_error_t jerr;
  json_t *cvr = json_loadb(text, len, 0, &jerr);
  if (!cvr)
    return pc_error_set_at(err, PC_EINVAL, r->path, (long)index, NULL,
                           "invalid JSON in CVR %llu (from byte %llu) at line %d column %d: %s",
                           (unsigned long long)index, (unsigned long long)offset, jerr.line,
                           jerr.column, jerr.text);
  int rc = read_cvr(r, cvr, (long)index, err);
  json_decref(cvr);
  return rc;
}

/* Reads the report from FILE (closed here), named PATH in messages. */
static int read_stream(const pc_cvr_source_t *source, const char *path, FILE *file, pc_cvr_ballot_fn on_ballot,
                       void *context, uint64_t *ballots_read, pc_error_t *err) {
  pc_buf_t skeleton;
  pc_buf_init(&skeleton, CDF_MAX_SKELETON);
  uint64_t start = 0, end = 0;
  json_t *root = NULL;
  int rc = pc_json_split_skeleton(file, path, "CVR", &skeleton, &start, &end, err);
  if (rc == 0) {
    json_error_t jerr;
    root = json_loadb(skeleton.data ? skeleton.data : "", skeleton.len, 0, &jerr);
    if (!root && (end == 0 || (uint64_t)jerr.position <= start))
      rc = pc_error_set_at(err, PC_EINVAL, path, jerr.line, NULL, "invalid JSON at column %d: %s",
                           jerr.column, jerr.text);
    else if (!root) /* past the CVR array, which the skeleton shows as [] */
      rc = pc_error_set_at(err, PC_EINVAL, path, 0, NULL, "invalid JSON at byte %llu: %s",
                           (unsigned long long)jerr.position + (end - start) - 2, jerr.text);
  }
  pc_buf_free(&skeleton);
  if (rc) goto done;
  cdf_reader_t r = {.source = source, .path = path, .on_ballot = on_ballot, .context = context};
  json_t *contest = NULL;
  json_t *elections = json_object_get(root, "Election");
  json_t *cvrs = json_object_get(root, "CVR");
  if (!json_is_array(elections) || !json_is_array(cvrs)) {
    rc = bad(err, path, 0, json_is_array(cvrs) ? "Election" : "CVR", "required array missing from the CDF report");
    goto done;
  }
  for (size_t e = 0; e < json_array_size(elections) && !contest; e++) {
    json_t *contests = json_object_get(json_array_get(elections, e), "Contest");
    for (size_t c = 0; c < json_array_size(contests); c++) {
      const char *name = str(json_array_get(contests, c), "Name");
      if (name && source->contest_id && strcmp(name, source->contest_id) == 0) {
        contest = json_array_get(contests, c);
        break;
      }
    }
  }
  if (!contest) {
    pc_error_set_at(err, PC_EINVAL, path, 0, "contestId", "contest \"%s\" from the config was not found (expected "
                    "an Election.Contest with that Name)", source->contest_id ? source->contest_id : "");
    rc = PC_EINVAL;
    goto done;
  }
  r.elections = elections;
  r.contest_id = str(contest, "@id");
  r.selections = json_object_get(contest, "ContestSelection");
  r.gp_units = json_object_get(root, "GpUnit");
  r.marks = pc_xmalloc(PC_CVR_MAX_MARKS_PER_BALLOT * sizeof *r.marks);
  /* the split array's elements, else (no split) those jansson found */
  if (end > 0) rc = pc_json_split_elements(file, path, start, end, CDF_MAX_CVR, on_element, &r, err);
  for (size_t i = 0; i < json_array_size(cvrs) && rc == 0; i++)
    rc = read_cvr(&r, json_array_get(cvrs, i), (long)i + 1, err);
  free(r.marks);
  if (rc == 0 && ballots_read) *ballots_read = r.delivered;
done:
  json_decref(root);
  fclose(file);
  return rc;
}

int pc_cvr_read_cdf_json(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                         uint64_t *ballots_read, pc_error_t *err) {
  const char *path = source->path;
  struct stat st;
  if (stat(path, &st) != 0) return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot read the CVR file");
  if ((uint64_t)st.st_size > PC_CVR_MAX_JSON_FILE_BYTES)
    return pc_error_set_at(err, PC_ELIMIT, path, 0, NULL, "CDF JSON file is larger than %llu bytes",
                           (unsigned long long)PC_CVR_MAX_JSON_FILE_BYTES);
  FILE *file = fopen(path, "rb");
  if (!file) return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot read the CVR file");
  return read_stream(source, path, file, on_ballot, context, ballots_read, err);
}

int pc_cvr_read_cdf_json_buffer(const pc_cvr_source_t *source, const char *data, size_t size,
                                pc_cvr_ballot_fn on_ballot, void *context, uint64_t *ballots_read, pc_error_t *err) {
  const char *path = source->path ? source->path : "CVR file";
  if ((uint64_t)size > PC_CVR_MAX_JSON_FILE_BYTES)
    return pc_error_set_at(err, PC_ELIMIT, path, 0, NULL, "CDF JSON file is larger than %llu bytes",
                           (unsigned long long)PC_CVR_MAX_JSON_FILE_BYTES);
  if (size == 0) return pc_error_set_at(err, PC_EINVAL, path, 0, NULL, "the CVR file is empty");
  FILE *file = fmemopen((void *)data, size, "rb");
  if (!file) return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot open the CVR data");
  return read_stream(source, path, file, on_ballot, context, ballots_read, err);
}
