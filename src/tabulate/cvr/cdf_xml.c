/* NIST SP 1500-103 CDF cast vote records in XML, streamed with expat in two
 * passes: the first collects the election's candidates, the contest named by
 * the source's contestId with its selections, and the GpUnits; the second
 * streams the CVRs and hands each ballot to the callback. Element prefixes
 * (cdf:) are ignored. Follows RCTab's CommonDataFormatReader (selections
 * needing adjudication and marks without indication are skipped). Reads a
 * file or a report in memory (the results module's county uploads), and can
 * list the report's contests (pass 1 alone). */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/cvr.h"

#define UWI_NAME "Undeclared Write-ins"
#define MAX_DEPTH 64

typedef struct entity { char *id; char *name; char *candidate_id; int write_in; } entity_t;
typedef struct entity_list { entity_t *items; size_t count; } entity_list_t;

typedef struct position { int rank; int has_rank; int skip; int write_in; } position_t;
typedef struct raw_selection { char *selection_id; int rank; int has_rank; int adjudicate; position_t *positions;
                               size_t position_count; } raw_selection_t;

typedef struct xml_state {
  const pc_cvr_source_t *source;
  XML_Parser parser;
  int pass;
  char names[MAX_DEPTH][48];
  int depth;
  pc_buf_t text;
  int rc;
  pc_error_t *err;
  /* pass 1 */
  entity_list_t candidates, gp_units, selections;
  char *contest_object_id;  /* of the contest being read */
  char *contest_name;
  entity_list_t contest_selections; /* of the contest being read */
  char *target_contest_id;
  /* pass 2 */
  char *current_snapshot, *snapshot_id, *cvr_contest_id, *unique_id, *unit_id, *batch_id;
  raw_selection_t *raw; size_t raw_count;
  raw_selection_t pending;
  position_t pending_position;
  pc_cvr_mark_t *marks; size_t mark_count;
  char **mark_snapshot; /* snapshot id for each mark (shared pointers into snapshot_ids) */
  char **snapshot_ids; size_t snapshot_count;
  pc_cvr_ballot_fn on_ballot;
  void *context;
  pc_cvr_contest_fn on_contest; /* listing mode: pass 1 only, every Election Contest */
  const char *data;             /* the report in memory, or NULL to read source->path */
  size_t size;
  uint64_t delivered;
  long cvr_index;
} xml_state_t;

static const char *local(const char *name) {
  const char *colon = strrchr(name, ':');
  return colon ? colon + 1 : name;
}

static const char *parent(const xml_state_t *st, int up) {
  int i = st->depth - 1 - up;
  return i >= 0 ? st->names[i] : "";
}

static const char *attr(const char **attrs, const char *key) {
  for (int i = 0; attrs[i]; i += 2)
    if (strcmp(local(attrs[i]), key) == 0) return attrs[i + 1];
  return NULL;
}

static void stop(xml_state_t *st, const char *field, const char *what, const char *detail) {
  if (st->rc == 0) {
    pc_error_set_at(st->err, PC_EINVAL, st->source->path, (long)XML_GetCurrentLineNumber(st->parser), field, what,
                    detail ? detail : "");
    st->rc = PC_EINVAL;
  }
  XML_StopParser(st->parser, XML_FALSE);
}

static entity_t *push_entity(entity_list_t *list, const char *id) {
  list->items = pc_xreallocarray(list->items, list->count + 1, sizeof *list->items);
  entity_t *e = &list->items[list->count++];
  memset(e, 0, sizeof *e);
  e->id = pc_xstrdup(id ? id : "");
  return e;
}

static void free_entities(entity_list_t *list) {
  for (size_t i = 0; i < list->count; i++) {
    free(list->items[i].id);
    free(list->items[i].name);
    free(list->items[i].candidate_id);
  }
  free(list->items);
  memset(list, 0, sizeof *list);
}

static const entity_t *find(const entity_list_t *list, const char *id) {
  for (size_t i = 0; id && i < list->count; i++)
    if (strcmp(list->items[i].id, id) == 0) return &list->items[i];
  return NULL;
}

static void set_string(char **slot, const char *value) {
  free(*slot);
  *slot = pc_xstrdup(value);
}

static void start(void *data, const char *raw_name, const char **attrs) {
  xml_state_t *st = data;
  const char *name = local(raw_name);
  if (st->depth >= MAX_DEPTH) {
    stop(st, NULL, "XML nested deeper than %s levels", "64");
    return;
  }
  pc_strlcpy(st->names[st->depth++], name, sizeof st->names[0]);
  pc_buf_reset(&st->text);
  const char *up = parent(st, 1);
  if (st->pass == 1) {
    if (strcmp(name, "Candidate") == 0 && strcmp(up, "Election") == 0) push_entity(&st->candidates, attr(attrs, "ObjectId"));
    else if (strcmp(name, "GpUnit") == 0 && strcmp(up, "CastVoteRecordReport") == 0)
      push_entity(&st->gp_units, attr(attrs, "ObjectId"));
    else if (strcmp(name, "Contest") == 0 && strcmp(up, "Election") == 0) {
      set_string(&st->contest_object_id, attr(attrs, "ObjectId") ? attr(attrs, "ObjectId") : "");
      free(st->contest_name);
      st->contest_name = NULL;
      free_entities(&st->contest_selections);
    } else if (strcmp(name, "ContestSelection") == 0 && strcmp(up, "Contest") == 0)
      push_entity(&st->contest_selections, attr(attrs, "ObjectId"));
    return;
  }
  if (strcmp(name, "CVR") == 0 && strcmp(up, "CastVoteRecordReport") == 0) {
    st->mark_count = 0;
    st->cvr_index++;
    for (size_t i = 0; i < st->snapshot_count; i++) free(st->snapshot_ids[i]);
    st->snapshot_count = 0;
    free(st->current_snapshot); st->current_snapshot = NULL;
    free(st->unique_id); st->unique_id = NULL;
    free(st->unit_id); st->unit_id = NULL;
    free(st->batch_id); st->batch_id = NULL;
  } else if (strcmp(name, "CVRSnapshot") == 0) {
    st->snapshot_ids = pc_xreallocarray(st->snapshot_ids, st->snapshot_count + 1, sizeof(char *));
    st->snapshot_ids[st->snapshot_count++] = pc_xstrdup(attr(attrs, "ObjectId") ? attr(attrs, "ObjectId") : "");
  } else if (strcmp(name, "CVRContest") == 0) {
    free(st->cvr_contest_id);
    st->cvr_contest_id = NULL;
    st->raw_count = 0;
  } else if (strcmp(name, "CVRContestSelection") == 0) {
    memset(&st->pending, 0, sizeof st->pending);
  } else if (strcmp(name, "SelectionPosition") == 0) {
    memset(&st->pending_position, 0, sizeof st->pending_position);
  } else if (strcmp(name, "CVRWriteIn") == 0) {
    st->pending_position.write_in = 1;
  }
}

static int parse_rank(const char *text, int *out) {
  long long value;
  if (pc_parse_int64(text, 1, 1000000, &value) != 0) return -1;
  *out = (int)value;
  return 0;
}

static void finish_contest(xml_state_t *st) {
  const char *target = st->target_contest_id;
  if (!st->cvr_contest_id || !target || strcmp(st->cvr_contest_id, target) != 0) goto clear;
  for (size_t i = 0; i < st->raw_count && st->rc == 0; i++) {
    raw_selection_t *raw = &st->raw[i];
    if (raw->adjudicate) continue;
    const entity_t *selection = find(&st->selections, raw->selection_id);
    if (!selection) {
      stop(st, "ContestSelectionId", "ContestSelection \"%s\" from the CVR is not in the contest",
           raw->selection_id ? raw->selection_id : "");
      break;
    }
    const char *uwi = st->source->undeclared_write_in_label ? st->source->undeclared_write_in_label : UWI_NAME;
    const char *name = NULL;
    if (selection->write_in) name = uwi;
    else {
      const entity_t *candidate = find(&st->candidates, selection->candidate_id);
      if (!candidate || !candidate->name) {
        stop(st, "CandidateIds", "candidate \"%s\" is not in the Election's Candidate list",
             selection->candidate_id ? selection->candidate_id : "");
        break;
      }
      name = candidate->name;
    }
    size_t count = raw->has_rank ? 1 : raw->position_count;
    for (size_t p = 0; p < count; p++) {
      int rank;
      const char *mark_name = name;
      if (raw->has_rank) rank = raw->rank;
      else {
        position_t *pos = &raw->positions[p];
        if (pos->write_in) mark_name = uwi;
        if (pos->skip) continue;
        if (!pos->has_rank) {
          stop(st, "Rank", "no Rank found on a SelectionPosition of CVR %s", st->unique_id ? st->unique_id : "");
          break;
        }
        rank = pos->rank;
      }
      if (st->mark_count >= PC_CVR_MAX_MARKS_PER_BALLOT) {
        stop(st, "CVRContestSelection", "too many marks on one ballot%s", NULL);
        break;
      }
      st->marks[st->mark_count].rank = rank;
      st->marks[st->mark_count].candidate = mark_name;
      st->mark_snapshot[st->mark_count++] = st->snapshot_ids[st->snapshot_count - 1];
    }
  }
  /* the contest was present in this snapshot even without marks: an empty mark records it */
  if (st->rc == 0 && st->snapshot_count > 0) {
    if (st->mark_count < PC_CVR_MAX_MARKS_PER_BALLOT) {
      st->marks[st->mark_count].rank = 0;
      st->marks[st->mark_count].candidate = NULL;
      st->mark_snapshot[st->mark_count++] = st->snapshot_ids[st->snapshot_count - 1];
    }
  }
clear:
  for (size_t i = 0; i < st->raw_count; i++) {
    free(st->raw[i].selection_id);
    free(st->raw[i].positions);
  }
  st->raw_count = 0;
}

static void finish_cvr(xml_state_t *st) {
  size_t kept = 0;
  int present = 0;
  for (size_t i = 0; i < st->mark_count; i++) {
    if (!st->current_snapshot || strcmp(st->mark_snapshot[i], st->current_snapshot) != 0) continue;
    if (st->marks[i].rank == 0) {
      present = 1;
      continue;
    }
    st->marks[kept++] = st->marks[i];
  }
  if (!present) return;
  const char *precinct = NULL;
  if (st->unit_id) {
    const entity_t *unit = find(&st->gp_units, st->unit_id);
    if (!unit) {
      stop(st, "BallotStyleUnitId", "GpUnit \"%s\" for the CVR is not in the report", st->unit_id);
      return;
    }
    precinct = unit->name;
  }
  pc_cvr_ballot_t ballot = {st->unique_id, precinct, st->batch_id, st->marks, kept, st->source->path, st->cvr_index,
                            NULL, NULL};
  int rc = st->on_ballot(st->context, &ballot, st->err);
  if (rc != 0) {
    st->rc = rc;
    XML_StopParser(st->parser, XML_FALSE);
    return;
  }
  st->delivered++;
}

static void end(void *data, const char *raw_name) {
  xml_state_t *st = data;
  const char *name = local(raw_name);
  const char *text = pc_buf_str(&st->text);
  const char *up = parent(st, 1);
  if (st->pass == 1) {
    if (strcmp(name, "Name") == 0 && strcmp(up, "Candidate") == 0 && st->candidates.count)
      set_string(&st->candidates.items[st->candidates.count - 1].name, text);
    else if (strcmp(name, "Name") == 0 && strcmp(up, "GpUnit") == 0 && st->gp_units.count)
      set_string(&st->gp_units.items[st->gp_units.count - 1].name, text);
    else if (strcmp(name, "Name") == 0 && strcmp(up, "Contest") == 0) set_string(&st->contest_name, text);
    else if (strcmp(name, "CandidateIds") == 0 && strcmp(up, "ContestSelection") == 0 && st->contest_selections.count) {
      entity_t *sel = &st->contest_selections.items[st->contest_selections.count - 1];
      if (!sel->candidate_id) {
        char first[PC_CVR_MAX_FIELD_BYTES];
        pc_strlcpy(first, text, sizeof first);
        char *space = strpbrk(first, " \t\r\n");
        if (space) *space = '\0';
        set_string(&sel->candidate_id, first);
      }
    } else if (strcmp(name, "IsWriteIn") == 0 && strcmp(up, "ContestSelection") == 0 && st->contest_selections.count)
      st->contest_selections.items[st->contest_selections.count - 1].write_in = strcmp(text, "true") == 0;
    else if (strcmp(name, "Contest") == 0 && strcmp(up, "Election") == 0 && st->on_contest) {
      int rc = st->on_contest(st->context, st->contest_name, st->contest_object_id,
                              (long)XML_GetCurrentLineNumber(st->parser), st->err);
      if (rc != 0 && st->rc == 0) {
        st->rc = rc;
        XML_StopParser(st->parser, XML_FALSE);
      }
    } else if (strcmp(name, "Contest") == 0 && strcmp(up, "Election") == 0) {
      if (!st->target_contest_id && st->contest_name && st->source->contest_id &&
          strcmp(st->contest_name, st->source->contest_id) == 0) {
        st->target_contest_id = pc_xstrdup(st->contest_object_id ? st->contest_object_id : "");
        st->selections = st->contest_selections;
        memset(&st->contest_selections, 0, sizeof st->contest_selections);
      }
    }
  } else {
    if (strcmp(up, "CVR") == 0) {
      if (strcmp(name, "CurrentSnapshotId") == 0) set_string(&st->current_snapshot, text);
      else if (strcmp(name, "UniqueId") == 0) set_string(&st->unique_id, text);
      else if (strcmp(name, "BallotStyleUnitId") == 0) set_string(&st->unit_id, text);
      else if (strcmp(name, "BatchId") == 0) set_string(&st->batch_id, text);
    }
    if (strcmp(name, "ContestId") == 0 && strcmp(up, "CVRContest") == 0) set_string(&st->cvr_contest_id, text);
    else if (strcmp(up, "CVRContestSelection") == 0 && strcmp(name, "ContestSelectionId") == 0)
      set_string(&st->pending.selection_id, text);
    else if (strcmp(up, "CVRContestSelection") == 0 && strcmp(name, "Rank") == 0) {
      if (parse_rank(text, &st->pending.rank) != 0) stop(st, "Rank", "Rank \"%s\" is not a positive integer", text);
      st->pending.has_rank = 1;
    } else if (strcmp(up, "CVRContestSelection") == 0 && strcmp(name, "Status") == 0)
      st->pending.adjudicate = strcmp(text, "needs-adjudication") == 0;
    else if (strcmp(up, "SelectionPosition") == 0 && strcmp(name, "Rank") == 0) {
      if (parse_rank(text, &st->pending_position.rank) != 0) stop(st, "Rank", "Rank \"%s\" is not a positive integer", text);
      st->pending_position.has_rank = 1;
    } else if (strcmp(up, "SelectionPosition") == 0 &&
               (strcmp(name, "HasIndication") == 0 || strcmp(name, "IsAllocable") == 0) && strcmp(text, "no") == 0)
      st->pending_position.skip = 1;
    else if (strcmp(name, "SelectionPosition") == 0) {
      raw_selection_t *p = &st->pending;
      p->positions = pc_xreallocarray(p->positions, p->position_count + 1, sizeof *p->positions);
      p->positions[p->position_count++] = st->pending_position;
    } else if (strcmp(name, "CVRContestSelection") == 0) {
      st->raw = pc_xreallocarray(st->raw, st->raw_count + 1, sizeof *st->raw);
      st->raw[st->raw_count++] = st->pending;
      memset(&st->pending, 0, sizeof st->pending);
    } else if (strcmp(name, "CVRContest") == 0) finish_contest(st);
    else if (strcmp(name, "CVR") == 0 && strcmp(up, "CastVoteRecordReport") == 0) finish_cvr(st);
  }
  st->depth--;
  pc_buf_reset(&st->text);
}

static void characters(void *data, const char *s, int len) {
  xml_state_t *st = data;
  if (pc_buf_append(&st->text, s, (size_t)len) != 0) stop(st, NULL, "a text value is longer than %s bytes", "4096");
}

static int run_pass(xml_state_t *st, int pass) {
  FILE *f = st->data ? fmemopen((void *)st->data, st->size, "rb") : fopen(st->source->path, "rb");
  if (!f) return pc_error_set_at(st->err, PC_EIO, st->source->path, 0, NULL, "cannot open the CVR file");
  st->pass = pass;
  st->depth = 0;
  st->parser = XML_ParserCreate(NULL);
  XML_SetUserData(st->parser, st);
  XML_SetElementHandler(st->parser, start, end);
  XML_SetCharacterDataHandler(st->parser, characters);
  char buffer[65536];
  size_t n;
  int done = 0;
  while (!done && st->rc == 0) {
    n = fread(buffer, 1, sizeof buffer, f);
    done = n < sizeof buffer;
    if (XML_Parse(st->parser, buffer, (int)n, done) == XML_STATUS_ERROR && st->rc == 0) {
      pc_error_set_at(st->err, PC_EINVAL, st->source->path, (long)XML_GetCurrentLineNumber(st->parser), NULL,
                      "invalid XML (column %ld): %s", (long)XML_GetCurrentColumnNumber(st->parser),
                      XML_ErrorString(XML_GetErrorCode(st->parser)));
      st->rc = PC_EINVAL;
    }
  }
  XML_ParserFree(st->parser);
  fclose(f);
  return st->rc;
}

static void free_state(xml_state_t *st) {
  free_entities(&st->candidates);
  free_entities(&st->gp_units);
  free_entities(&st->selections);
  free_entities(&st->contest_selections);
  for (size_t i = 0; i < st->raw_count; i++) {
    free(st->raw[i].selection_id);
    free(st->raw[i].positions);
  }
  free(st->pending.selection_id);
  free(st->pending.positions);
  free(st->raw);
  for (size_t i = 0; i < st->snapshot_count; i++) free(st->snapshot_ids[i]);
  free(st->snapshot_ids);
  free(st->marks);
  free(st->mark_snapshot);
  free(st->contest_object_id);
  free(st->contest_name);
  free(st->target_contest_id);
  free(st->current_snapshot);
  free(st->snapshot_id);
  free(st->cvr_contest_id);
  free(st->unique_id);
  free(st->unit_id);
  free(st->batch_id);
  pc_buf_free(&st->text);
}

static int read_xml(const pc_cvr_source_t *source, const char *data, size_t size, pc_cvr_ballot_fn on_ballot,
                    void *context, uint64_t *ballots_read, pc_error_t *err) {
  xml_state_t st;
  memset(&st, 0, sizeof st);
  st.source = source;
  st.err = err;
  st.on_ballot = on_ballot;
  st.context = context;
  st.data = data;
  st.size = size;
  pc_buf_init(&st.text, PC_CVR_MAX_FIELD_BYTES);
  st.marks = pc_xmalloc(PC_CVR_MAX_MARKS_PER_BALLOT * sizeof *st.marks);
  st.mark_snapshot = pc_xmalloc(PC_CVR_MAX_MARKS_PER_BALLOT * sizeof(char *));
  int rc = run_pass(&st, 1);
  if (rc == 0 && !st.target_contest_id) {
    pc_error_set_at(err, PC_EINVAL, source->path, 0, "contestId", "contest \"%s\" from the config was not found "
                    "(expected an Election Contest with that Name)", source->contest_id ? source->contest_id : "");
    rc = PC_EINVAL;
  }
  if (rc == 0) rc = run_pass(&st, 2);
  if (rc == 0 && ballots_read) *ballots_read = st.delivered;
  free_state(&st);
  return rc;
}

int pc_cvr_read_cdf_xml(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context,
                        uint64_t *ballots_read, pc_error_t *err) {
  return read_xml(source, NULL, 0, on_ballot, context, ballots_read, err);
}

int pc_cvr_read_cdf_xml_buffer(const pc_cvr_source_t *source, const char *data, size_t size,
                               pc_cvr_ballot_fn on_ballot, void *context, uint64_t *ballots_read, pc_error_t *err) {
  return read_xml(source, data ? data : "", size, on_ballot, context, ballots_read, err);
}

int pc_cvr_cdf_xml_contests(const char *name, const char *data, size_t size, pc_cvr_contest_fn on_contest,
                            void *context, pc_error_t *err) {
  pc_cvr_source_t source = {.provider = PC_CVR_CDF, .path = name};
  xml_state_t st;
  memset(&st, 0, sizeof st);
  st.source = &source;
  st.err = err;
  st.on_contest = on_contest;
  st.context = context;
  st.data = data ? data : "";
  st.size = size;
  pc_buf_init(&st.text, PC_CVR_MAX_FIELD_BYTES);
  int rc = run_pass(&st, 1);
  free_state(&st);
  return rc;
}
