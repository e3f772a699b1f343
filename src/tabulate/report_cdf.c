/* Writes the cast vote records as NIST SP 1500-103 CDF JSON the way RCTab's
 * generateCdfJson does: each CVR has its original snapshot (every rank as
 * marked) and one interpreted snapshot per round whose IsAllocable says
 * which candidates the ballot counted for in that round (with
 * FractionalVotes for parts kept by multi-winner winners). Streamed: one
 * CVR is built in memory at a time. It does not read CDF. */
#include "tabulate/internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "tabulate/tiebreak.h"

static char *selection_id(const char *prefix, const char *name) {
  char sanitized[1024];
  pc_tab_sanitize_name(name, sanitized, sizeof sanitized);
  for (char *p = sanitized; *p; p++)
    if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
  pc_buf_t b;
  pc_buf_init(&b, 0);
  pc_buf_appendf(&b, "%s-%s", prefix, sanitized);
  return pc_buf_detach(&b, NULL);
}

/* BigDecimal.toString of a value below 1 without its leading zero, as RCTab writes it */
static void fraction_text(int64_t value, int scale, char *out, size_t size) {
  char text[80];
  pc_dec_format((pc_dec_t)value, scale, text, sizeof text);
  pc_strlcpy(out, text[0] == '0' && text[1] == '.' ? text + 1 : text, size);
}

typedef struct ranked { int32_t candidate; int spelling; int ranks[64]; int rank_count; } ranked_t;

/* the candidate as the CVR spelt it */
static const char *spelt(const pc_tab_config_t *config, int32_t candidate, int spelling) {
  if (spelling > 0 && (size_t)candidate < config->candidate_count &&
      (size_t)spelling <= config->candidates[candidate].alias_count)
    return config->candidates[candidate].aliases[spelling - 1];
  return pc_tab_candidate_name(config, candidate);
}

static json_t *snapshot(const pc_tab_config_t *config, const char *id, const char *type, const ranked_t *order,
                        size_t count, const int64_t *allocation, int scale, int64_t one, bool original) {
  json_t *selections = json_array();
  for (size_t i = 0; i < count; i++) {
    json_t *positions = json_array();
    for (int k = 0; k < order[i].rank_count; k++) {
      json_t *p = json_object();
      json_object_set_new(p, "@type", json_string("CVR.SelectionPosition"));
      json_object_set_new(p, "HasIndication", json_string("yes"));
      /* RCTab matches the allocation by the candidate's name, so a rank written
         with an alias is never shown as allocable: reproduced as it is */
      int64_t value = original || order[i].spelling > 0 ? 0 : allocation[order[i].candidate];
      const char *allocable = original ? "unknown" : (k == 0 && value > 0 ? "yes" : "no");
      json_object_set_new(p, "IsAllocable", json_string(allocable));
      if (!original && k == 0 && value > 0 && value != one) {
        char text[80];
        fraction_text(value, scale, text, sizeof text);
        json_object_set_new(p, "FractionalVotes", json_string(text));
        json_object_set_new(p, "NumberVotes", json_integer(0));
      } else {
        json_object_set_new(p, "NumberVotes", json_integer(1));
      }
      json_object_set_new(p, "Rank", json_integer(order[i].ranks[k]));
      json_array_append_new(positions, p);
    }
    json_t *selection = json_object();
    json_object_set_new(selection, "@type", json_string("CVR.CVRContestSelection"));
    char *selection_name = selection_id("cs", spelt(config, order[i].candidate, order[i].spelling));
    json_object_set_new(selection, "ContestSelectionId", json_string(selection_name));
    free(selection_name);
    json_object_set_new(selection, "SelectionPosition", positions);
    json_array_append_new(selections, selection);
  }
  json_t *contest = json_object();
  json_object_set_new(contest, "@type", json_string("CVR.CVRContest"));
  json_object_set_new(contest, "CVRContestSelection", selections);
  json_object_set_new(contest, "ContestId", json_string("contest-001"));
  json_t *contests = json_array();
  json_array_append_new(contests, contest);
  json_t *s = json_object();
  json_object_set_new(s, "@id", json_string(id));
  json_object_set_new(s, "@type", json_string("CVR.CVRSnapshot"));
  json_object_set_new(s, "CVRContest", contests);
  json_object_set_new(s, "Type", json_string(type));
  return s;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int dump(FILE *f, json_t *value) {
  int rc = json_dumpf(value, f, JSON_INDENT(2) | JSON_SORT_KEYS);
  json_decref(value);
  return rc;
}

int pc_tab_write_cdf_json(const char *path, const pc_tab_config_t *config, const pc_tab_ballots_t *ballots,
                          const pc_tab_result_t *result, pc_error_t *err) {
  if (result && !result->snapshot_recipient) return pc_error_set(err, PC_EINTERNAL, "the count kept no CDF snapshots");
  size_t rounds = result ? result->round_count : 0;
  size_t allocation_count = result ? result->allocation_count : 0;
  FILE *f = fopen(path, "w");
  if (!f) return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot create the CDF file");
  size_t slots = config->candidate_count + 1;
  int scale = config->decimal_places;
  int64_t one = (int64_t)pc_dec_pow10(scale);
  /* allocations sorted by ballot: a cursor walks them as the ballots are written */
  size_t *by_ballot = pc_xcalloc(allocation_count + 1, sizeof *by_ballot);
  size_t *ballot_first = pc_xcalloc(ballots->count + 1, sizeof *ballot_first);
  for (size_t i = 0; i < allocation_count; i++) ballot_first[result->allocations[i].ballot + 1]++;
  for (size_t b = 0; b < ballots->count; b++) ballot_first[b + 1] += ballot_first[b];
  size_t *fill = pc_xcalloc(ballots->count + 1, sizeof *fill);
  for (size_t i = 0; i < allocation_count; i++) {
    uint32_t b = result->allocations[i].ballot;
    by_ballot[ballot_first[b] + fill[b]++] = i;
  }
  free(fill);
  /* RCTab numbers the precincts' GpUnits in java.util.HashSet order of their
     names (capacity 16, doubled past 0.75 load; a bucket keeps first-seen
     order) and lists them in that order */
  size_t precincts = config->tabulate_by_precinct ? ballots->precinct_count : 0;
  int32_t *gpu_order = pc_xcalloc(precincts + 1, sizeof *gpu_order);
  size_t *gpu_number = pc_xcalloc(precincts + 1, sizeof *gpu_number);
  size_t capacity = 16;
  while ((double)precincts > (double)capacity * 0.75) capacity *= 2;
  for (size_t p = 0; p < precincts; p++) gpu_order[p] = (int32_t)p;
  pc_tab_java_hash_order((const char *const *)ballots->precincts, gpu_order, precincts, capacity);
  for (size_t k = 0; k < precincts; k++) gpu_number[gpu_order[k]] = k + 1;
  int64_t *allocation = pc_xcalloc(slots, sizeof *allocation);
  ranked_t *order = pc_xcalloc(slots, sizeof *order);
  int rc = 0;
  fputs("{\n  \"@type\": \"CVR.CastVoteRecordReport\",\n  \"CVR\": [\n", f);
  size_t source_start = 0;
  uint16_t current_source = 0;
  for (size_t b = 0; b < ballots->count && rc == 0; b++) {
    const pc_tab_ballot_t *ballot = &ballots->ballots[b];
    if (ballot->source != current_source) {
      current_source = ballot->source;
      source_start = b;
    }
    const char *file = config->sources[ballot->source].path;
    const char *slash = strrchr(file, '/');
    char raw_id[600], id[600], snapshot_id[700];
    /* RCTab's computed CVR ids: "file(n)" for CDF, "file-n" for the row-based readers */
    if (ballots->ballot_ids && ballots->ballot_ids[b])
      pc_strlcpy(raw_id, ballots->ballot_ids[b], sizeof raw_id); /* Dominion: tabulator-batch-record */
    else
      pc_snprintf(raw_id, sizeof raw_id, config->sources[ballot->source].provider == PC_CVR_CDF ? "%s(%zu)" : "%s-%zu",
                  slash ? slash + 1 : file, b - source_start + 1);
    pc_tab_sanitize_name(raw_id, id, sizeof id);
    /* candidates by best rank, then name; each with its ranks */
    size_t count = 0;
    const pc_tab_mark_t *marks = ballots->marks + ballot->mark_offset;
    for (size_t m = 0; m < ballot->mark_count; m++) {
      if (marks[m].candidate < 0) continue;
      size_t k = 0;
      while (k < count && (order[k].candidate != marks[m].candidate || order[k].spelling != marks[m].spelling)) k++;
      if (k == count) {
        order[count].candidate = marks[m].candidate;
        order[count].spelling = marks[m].spelling;
        order[count++].rank_count = 0;
      }
      if (order[k].rank_count < 64) order[k].ranks[order[k].rank_count++] = marks[m].rank;
    }
    for (size_t i = 1; i < count; i++)
      for (size_t j = i; j > 0; j--) {
        ranked_t *x = &order[j - 1], *y = &order[j];
        int cmp = x->ranks[0] != y->ranks[0] ? (x->ranks[0] > y->ranks[0] ? 1 : -1)
                                             : strcmp(spelt(config, x->candidate, x->spelling),
                                                      spelt(config, y->candidate, y->spelling));
        if (cmp <= 0) break;
        ranked_t t = *x;
        *x = *y;
        *y = t;
      }
    json_t *snapshots = json_array();
    pc_snprintf(snapshot_id, sizeof snapshot_id, "ballot-%s", id);
    json_array_append_new(snapshots, snapshot(config, snapshot_id, "original", order, count, allocation, scale, one,
                                              true));
    for (size_t r = 0; r < rounds; r++) {
      memset(allocation, 0, slots * sizeof *allocation);
      for (size_t i = ballot_first[b]; i < ballot_first[b + 1]; i++) {
        const pc_tab_allocation_t *a = &result->allocations[by_ballot[i]];
        if ((size_t)a->round < r + 1) allocation[a->winner] += a->kept;
      }
      int32_t recipient = result->snapshot_recipient[r] ? result->snapshot_recipient[r][b] : -1;
      if (recipient >= 0) allocation[recipient] += result->snapshot_value[r][b];
      pc_snprintf(snapshot_id, sizeof snapshot_id, "ballot-%s-round-%zu", id, r + 1);
      json_array_append_new(snapshots, snapshot(config, snapshot_id, "interpreted", order, count, allocation, scale,
                                                one, false));
    }
    json_t *cvr = json_object();
    json_object_set_new(cvr, "@type", json_string("CVR"));
    json_object_set_new(cvr, "BallotPrePrintedId", json_string(id));
    if (config->tabulate_by_precinct && ballot->precinct >= 0) {
      char unit[32];
      pc_snprintf(unit, sizeof unit, "gpu-%zu", gpu_number[ballot->precinct]);
      json_object_set_new(cvr, "BallotStyleUnitId", json_string(unit));
    }
    json_object_set_new(cvr, "CVRSnapshot", snapshots);
    json_object_set_new(cvr, "CurrentSnapshotId", json_string(snapshot_id));
    json_object_set_new(cvr, "ElectionId", json_string("election-001"));
    if (b) fputs(",\n", f);
    rc = dump(f, cvr) == 0 ? 0 : pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot write the CDF file");
  }
  /* RCTab lists the candidate codes sorted: every candidate, the undeclared
     write-ins when a source declares them, and each source's overvote label */
  const char **listed = pc_xcalloc(slots + config->source_count, sizeof *listed);
  size_t listed_count = 0;
  for (size_t c = 0; c < slots; c++)
    if (c + 1 < slots || config->uwi_declared) listed[listed_count++] = pc_tab_candidate_name(config, (int32_t)c);
  for (size_t i = 0; i < config->source_count; i++) {
    const char *label = config->sources[i].overvote_label;
    bool known = !label || !*label;
    for (size_t k = 0; k < listed_count && !known; k++) known = strcmp(listed[k], label) == 0;
    if (!known) listed[listed_count++] = label;
  }
  qsort(listed, listed_count, sizeof *listed, by_name);
  json_t *candidates = json_array(), *selections = json_array();
  for (size_t k = 0; k < listed_count; k++) {
    char *candidate_id = selection_id("c", listed[k]), *choice_id = selection_id("cs", listed[k]);
    json_t *c = json_object();
    json_object_set_new(c, "@id", json_string(candidate_id));
    json_object_set_new(c, "Name", json_string(listed[k]));
    json_array_append_new(candidates, c);
    json_t *sel = json_object();
    json_object_set_new(sel, "@id", json_string(choice_id));
    json_object_set_new(sel, "@type", json_string("ContestSelection"));
    json_t *ids = json_array();
    json_array_append_new(ids, json_string(candidate_id));
    json_object_set_new(sel, "CandidateIds", ids);
    json_array_append_new(selections, sel);
    free(candidate_id);
    free(choice_id);
  }
  free(listed);
  json_t *contest = json_object();
  json_object_set_new(contest, "@id", json_string("contest-001"));
  json_object_set_new(contest, "@type", json_string("CandidateContest"));
  json_object_set_new(contest, "ContestSelection", selections);
  json_object_set_new(contest, "Name", json_string(config->contest_name ? config->contest_name : ""));
  json_t *contests = json_array();
  json_array_append_new(contests, contest);
  json_t *election = json_object();
  json_object_set_new(election, "@id", json_string("election-001"));
  json_object_set_new(election, "@type", json_string("Election"));
  json_object_set_new(election, "Candidate", candidates);
  json_object_set_new(election, "Contest", contests);
  json_object_set_new(election, "ElectionScopeId", json_string("gpu-election"));
  json_t *elections = json_array();
  json_array_append_new(elections, election);
  json_t *units = json_array();
  json_t *scope = json_object();
  json_object_set_new(scope, "@id", json_string("gpu-election"));
  json_object_set_new(scope, "@type", json_string("GpUnit"));
  json_object_set_new(scope, "Name", json_string(config->contest_jurisdiction ? config->contest_jurisdiction : ""));
  json_object_set_new(scope, "OtherType", json_string("Election Scope Jurisdiction"));
  json_object_set_new(scope, "Type", json_string("other"));
  json_array_append_new(units, scope);
  for (size_t k = 0; k < precincts; k++) {
    char unit[32];
    pc_snprintf(unit, sizeof unit, "gpu-%zu", k + 1);
    json_t *u = json_object();
    json_object_set_new(u, "@id", json_string(unit));
    json_object_set_new(u, "@type", json_string("GpUnit"));
    json_object_set_new(u, "Name", json_string(ballots->precincts[gpu_order[k]]));
    json_object_set_new(u, "Type", json_string("precinct"));
    json_array_append_new(units, u);
  }
  json_t *device = json_object();
  json_object_set_new(device, "@id", json_string("rd-001"));
  json_object_set_new(device, "@type", json_string("CVR.ReportingDevice"));
  json_object_set_new(device, "Application", json_string("precinct"));
  json_object_set_new(device, "Manufacturer", json_string("precinct"));
  json_t *devices = json_array();
  json_array_append_new(devices, device);
  json_t *device_ids = json_array();
  json_array_append_new(device_ids, json_string("rd-001"));
  char generated[64];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(generated, sizeof generated, "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (rc == 0) {
    fputs("\n  ],\n  \"Election\": ", f);
    dump(f, elections);
    fprintf(f, ",\n  \"GeneratedDate\": \"%s\",\n  \"GpUnit\": ", generated);
    dump(f, units);
    fputs(",\n  \"ReportGeneratingDeviceIds\": ", f);
    dump(f, device_ids);
    fputs(",\n  \"ReportingDevice\": ", f);
    dump(f, devices);
    fputs(",\n  \"Version\": \"1.0.0\"\n}\n", f);
  } else {
    json_decref(elections);
    json_decref(units);
    json_decref(device_ids);
    json_decref(devices);
  }
  if (fflush(f) != 0 || ferror(f)) rc = rc ? rc : pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot write the CDF file");
  if (fclose(f) != 0 && rc == 0) rc = pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot write the CDF file");
  free(by_ballot);
  free(ballot_first);
  free(allocation);
  free(order);
  free(gpu_order);
  free(gpu_number);
  return rc;
}
