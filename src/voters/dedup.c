/* Duplicate-registration detection over the whole roll. Voters are loaded
 * into compact records; each gets up to five blocking keys (64-bit hashes);
 * the keys are radix-sorted and every pair sharing a key is scored on two
 * threads; pairs at or above the threshold are written out and queued for
 * review. It never merges: an official decides each pair (dedup_queue.c).
 * Algorithm and measured precision/recall: docs/internals/voters.md. */
#include "dedup.h"

#include "similarity.h"
#include "strmap.h"
#include "voters_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/log.h"
#include "precinct/progress.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_BLOCK = 400 }; /* larger blocks are compared in windows of this size */

static void copy_upper(char *out, size_t size, const char *s) {
  size_t n = 0;
  for (; *s && n + 1 < size; s++) {
    char c = *s;
    if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
    out[n++] = c;
  }
  out[n] = '\0';
}

void pc_dedup_record_from(const pc_voter_t *v, pc_dedup_record_t *r) {
  memset(r, 0, sizeof *r);
  r->id = v->id;
  pc_strlcpy(r->ncid, v->ncid, sizeof r->ncid);
  copy_upper(r->first, sizeof r->first, v->first_name);
  copy_upper(r->last, sizeof r->last, v->last_name);
  copy_upper(r->middle, sizeof r->middle, v->middle_name);
  copy_upper(r->suffix, sizeof r->suffix, v->name_suffix);
  copy_upper(r->street, sizeof r->street, v->res_street_address);
  pc_strlcpy(r->zip, v->res_zip, sizeof r->zip);
  r->gender = v->gender[0];
  pc_strlcpy(r->race, v->race, sizeof r->race);
  pc_strlcpy(r->birth_state, v->birth_state, sizeof r->birth_state);
  pc_strlcpy(r->party, v->party, sizeof r->party);
  pc_strlcpy(r->ethnicity, v->ethnicity, sizeof r->ethnicity);
  pc_strlcpy(r->phone, v->phone, sizeof r->phone);
  r->birth_year = (uint16_t)(v->birth_year > 0 && v->birth_year < 65535 ? v->birth_year : 0);
  if (v->birth_date[0]) {
    r->birth_month = (uint8_t)strtol(v->birth_date + 5, NULL, 10);
    r->birth_day = (uint8_t)strtol(v->birth_date + 8, NULL, 10);
    r->birth_year = (uint16_t)strtol(v->birth_date, NULL, 10);
  }
  if (v->has_dl_hmac) memcpy(&r->dl, v->dl_hmac, sizeof r->dl), r->dl |= 1;
  if (v->has_ssn4_hmac) memcpy(&r->ssn4, v->ssn4_hmac, sizeof r->ssn4), r->ssn4 |= 1;
  pc_similarity_init();
  const char *canonical = pc_nickname_canonical(r->first);
  r->canonical_first = (uint32_t)pc_strmap_hash(canonical);
  r->canonical_initial = canonical[0];
  r->canonical_second = canonical[0] ? canonical[1] : 0;
  pc_soundex(r->last, r->last_soundex);
}

static int is_initial_of(const char *initial, const char *name) {
  return initial[0] && initial[1] == '\0' && name[0] == initial[0];
}

double pc_dedup_score(const pc_dedup_record_t *a, const pc_dedup_record_t *b) {
  double points = 0;
  /* Given name: equal, nickname, or a spelling one edit away; anything else
   * rules the pair out (JOSE is not a typo of JOSEPH). */
  if (strcmp(a->first, b->first) == 0) {
    points += 3;
  } else if (pc_nickname_match(a->first, b->first)) {
    points += 2.5;
  } else {
    size_t la = strlen(a->first), lb = strlen(b->first);
    double jw = pc_jaro_winkler(a->first, b->first);
    if (jw >= 0.88 && (la > lb ? la - lb : lb - la) <= 1) points += 2;
    else if (jw >= 0.8) points += 0.5;
    else return 0;
  }
  /* Surname: a different one is weak evidence against for a woman (marriage
   * changes it) and strong evidence against otherwise. */
  int married_name = 0;
  if (strcmp(a->last, b->last) == 0) points += 3;
  else {
    double jw = pc_jaro_winkler(a->last, b->last);
    if (jw >= 0.9) points += 2;
    else if (jw >= 0.8 || strcmp(a->last_soundex, b->last_soundex) == 0) points += 0.5;
    else if (a->gender == 'F' || b->gender == 'F') points -= 1.5, married_name = 1;
    else points -= 4;
  }
  /* Birth date: exact, day and month transposed, or year only when one lacks
   * a full date; a date that differs in a part is more likely another person. */
  int full = a->birth_month && b->birth_month;
  if (full && a->birth_year == b->birth_year && a->birth_month == b->birth_month && a->birth_day == b->birth_day)
    points += 4;
  else if (full && a->birth_year == b->birth_year && a->birth_month == b->birth_day && a->birth_day == b->birth_month)
    points += 3;
  else if (!full && a->birth_year && a->birth_year == b->birth_year)
    points += 1.5;
  else if (full && a->birth_year == b->birth_year && (a->birth_month == b->birth_month || a->birth_day == b->birth_day))
    points -= 2;
  else
    points -= 4;
  /* Middle name; a maiden name moved to the middle after marriage counts as agreement. */
  if (married_name && (strcmp(a->middle, b->last) == 0 || strcmp(b->middle, a->last) == 0)) {
    points += 1.5;
  } else if (married_name && (is_initial_of(a->middle, b->last) || is_initial_of(b->middle, a->last))) {
    points += 0.8;
  } else if (a->middle[0] && b->middle[0]) {
    if (strcmp(a->middle, b->middle) == 0) points += 1.5;
    else if (is_initial_of(a->middle, b->middle) || is_initial_of(b->middle, a->middle)) points += 0.8;
    else if (pc_jaro_winkler(a->middle, b->middle) >= 0.9) points += 0.5;
    else points -= 3;
  }
  if (a->suffix[0] != b->suffix[0] || strcmp(a->suffix, b->suffix) != 0) points -= a->suffix[0] && b->suffix[0] ? 4 : 1;
  if (a->gender != b->gender && a->gender != 'U' && b->gender != 'U' && a->gender && b->gender) points -= 2;
  /* Residence. */
  if (a->street[0] && strcmp(a->street, b->street) == 0 && strcmp(a->zip, b->zip) == 0) points += 2;
  else if (a->zip[0] && strcmp(a->zip, b->zip) == 0) points += 0.3;
  /* Attributes a person keeps across registrations. */
  if (a->race[0] && b->race[0] && strcmp(a->race, "U") && strcmp(b->race, "U")) points += strcmp(a->race, b->race) == 0 ? 0.5 : -1;
  if (a->birth_state[0] && b->birth_state[0]) points += strcmp(a->birth_state, b->birth_state) == 0 ? 0.5 : -1;
  if (a->phone[0] && strcmp(a->phone, b->phone) == 0) points += 3;
  if (a->party[0] && b->party[0]) points += strcmp(a->party, b->party) == 0 ? 0.5 : -0.5;
  if (a->ethnicity[0] && b->ethnicity[0] && strcmp(a->ethnicity, "UN") && strcmp(b->ethnicity, "UN"))
    points += strcmp(a->ethnicity, b->ethnicity) == 0 ? 0.3 : -0.5;
  /* ID numbers (keyed hashes): the strongest evidence either way. */
  if (a->dl && b->dl) points += a->dl == b->dl ? 5 : -3;
  if (a->ssn4 && b->ssn4) points += a->ssn4 == b->ssn4 ? 2 : -2;
  double score = points / 15.0;
  return score < 0 ? 0 : score > 1 ? 1 : score;
}

double pc_voters_match_score(const pc_voter_t *a, const pc_voter_t *b) {
  pc_dedup_record_t ra, rb;
  pc_dedup_record_from(a, &ra);
  pc_dedup_record_from(b, &rb);
  return pc_dedup_score(&ra, &rb);
}

static uint64_t mix(uint64_t h, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) h = (h ^ *p) * 1099511628211ull;
  return (h ^ 0xff) * 1099511628211ull;
}

static uint64_t mix_int(uint64_t h, uint64_t v) {
  for (int i = 0; i < 8; i++) h = (h ^ ((v >> (8 * i)) & 0xff)) * 1099511628211ull;
  return h;
}

/* Appends R's blocking keys (see the header comment) to KEYS. */
static size_t record_keys(const pc_dedup_record_t *r, uint64_t keys[5]) {
  size_t n = 0;
  const uint64_t basis = 1469598103934665603ull;
  if (r->birth_month) {
    char initial[3] = {r->canonical_initial, r->canonical_second, 0};
    keys[n++] = mix(mix_int(mix_int(basis, 1), (uint64_t)r->birth_year * 10000 + r->birth_month * 100 + r->birth_day), initial);
    unsigned lo = r->birth_month < r->birth_day ? r->birth_month : r->birth_day;
    unsigned hi = r->birth_month < r->birth_day ? r->birth_day : r->birth_month;
    keys[n++] = mix(mix_int(mix_int(basis, 2), (uint64_t)r->birth_year * 10000 + lo * 100 + hi), r->last_soundex);
  }
  keys[n++] = mix_int(mix(mix_int(basis, 3), r->last_soundex), ((uint64_t)r->canonical_first << 16) | r->birth_year);
  if (r->dl) keys[n++] = mix_int(mix_int(basis, 4), r->dl);
  if (r->ssn4 && r->birth_year) keys[n++] = mix_int(mix_int(mix_int(basis, 5), r->ssn4), r->birth_year);
  return n;
}

typedef struct key_entry {
  uint64_t key;
  uint32_t record;
  uint32_t pad;
} key_entry_t;

/* LSD radix sort on the 64-bit key, 16 bits a pass. */
static void radix_sort(key_entry_t *entries, size_t count) {
  key_entry_t *scratch = pc_xmalloc(count * sizeof *scratch);
  size_t *counts = pc_xmalloc(65536 * sizeof *counts);
  key_entry_t *from = entries, *to = scratch;
  for (int shift = 0; shift < 64; shift += 16) {
    memset(counts, 0, 65536 * sizeof *counts);
    for (size_t i = 0; i < count; i++) counts[(from[i].key >> shift) & 0xffff]++;
    size_t total = 0;
    for (size_t d = 0; d < 65536; d++) {
      size_t c = counts[d];
      counts[d] = total;
      total += c;
    }
    for (size_t i = 0; i < count; i++) to[counts[(from[i].key >> shift) & 0xffff]++] = from[i];
    key_entry_t *t = from;
    from = to;
    to = t;
  }
  /* Four passes: the sorted data is back in ENTRIES. */
  assert(from == entries);
  free(counts);
  free(scratch);
}

typedef struct scorer {
  const pc_dedup_record_t *records;
  const key_entry_t *entries;
  size_t begin, end;
  double threshold;
  pc_dedup_pair_t *pairs;
  size_t pair_count, pair_capacity;
  int64_t comparisons;
} scorer_t;

static void add_pair(scorer_t *s, uint32_t a, uint32_t b, double score) {
  if (s->pair_count == s->pair_capacity) {
    s->pair_capacity = s->pair_capacity ? s->pair_capacity * 2 : 4096;
    s->pairs = pc_xreallocarray(s->pairs, s->pair_capacity, sizeof *s->pairs);
  }
  pc_dedup_pair_t *p = &s->pairs[s->pair_count++];
  p->a = a < b ? a : b;
  p->b = a < b ? b : a;
  p->score = score;
}

static void *score_range(void *arg) {
  scorer_t *s = arg;
  size_t i = s->begin;
  while (i < s->end) {
    size_t j = i + 1;
    while (j < s->end && s->entries[j].key == s->entries[i].key) j++;
    for (size_t x = i; x < j; x++) {
      size_t limit = x + MAX_BLOCK < j ? x + MAX_BLOCK : j;
      const pc_dedup_record_t *rx = &s->records[s->entries[x].record];
      for (size_t y = x + 1; y < limit; y++) {
        const pc_dedup_record_t *ry = &s->records[s->entries[y].record];
        s->comparisons++;
        double score = pc_dedup_score(rx, ry);
        if (score >= s->threshold) add_pair(s, s->entries[x].record, s->entries[y].record, score);
      }
    }
    i = j;
  }
  return NULL;
}

static int compare_pairs(const void *x, const void *y) {
  const pc_dedup_pair_t *a = x, *b = y;
  if (a->a != b->a) return a->a < b->a ? -1 : 1;
  if (a->b != b->b) return a->b < b->b ? -1 : 1;
  return 0;
}

int pc_dedup_find(const pc_dedup_record_t *records, size_t count, int threads, double threshold, pc_dedup_pair_t **pairs_out,
                  size_t *pair_count_out, int64_t *comparisons_out) {
  if (threads < 1) threads = 2;
  if (threads > 16) threads = 16;
  size_t capacity = count * 5, n = 0;
  key_entry_t *entries = pc_xmalloc((capacity ? capacity : 1) * sizeof *entries);
  for (size_t i = 0; i < count; i++) {
    uint64_t keys[5];
    size_t k = record_keys(&records[i], keys);
    for (size_t j = 0; j < k; j++) entries[n++] = (key_entry_t){keys[j], (uint32_t)i, 0};
  }
  radix_sort(entries, n);
  scorer_t scorers[16];
  pthread_t ids[16];
  size_t begin = 0;
  for (int t = 0; t < threads; t++) {
    size_t end = t == threads - 1 ? n : n / (size_t)threads * (size_t)(t + 1);
    if (end < begin) end = begin;
    while (end < n && end > 0 && entries[end].key == entries[end - 1].key) end++; /* never split a block */
    scorers[t] = (scorer_t){.records = records, .entries = entries, .begin = begin, .end = end, .threshold = threshold};
    begin = end;
  }
  for (int t = 1; t < threads; t++) pthread_create(&ids[t], NULL, score_range, &scorers[t]);
  score_range(&scorers[0]);
  for (int t = 1; t < threads; t++) pthread_join(ids[t], NULL);
  size_t total = 0;
  int64_t comparisons = 0;
  for (int t = 0; t < threads; t++) total += scorers[t].pair_count, comparisons += scorers[t].comparisons;
  pc_dedup_pair_t *pairs = pc_xmalloc((total ? total : 1) * sizeof *pairs);
  size_t m = 0;
  for (int t = 0; t < threads; t++) {
    if (scorers[t].pair_count) memcpy(pairs + m, scorers[t].pairs, scorers[t].pair_count * sizeof *pairs);
    m += scorers[t].pair_count;
    free(scorers[t].pairs);
  }
  free(entries);
  qsort(pairs, total, sizeof *pairs, compare_pairs);
  size_t unique = 0;
  for (size_t i = 0; i < total; i++)
    if (unique == 0 || compare_pairs(&pairs[unique - 1], &pairs[i]) != 0) pairs[unique++] = pairs[i];
  *pairs_out = pairs;
  *pair_count_out = unique;
  if (comparisons_out) *comparisons_out = comparisons;
  return 0;
}
