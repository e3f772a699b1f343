/* Street-index text without a database: normalising street names (a small
 * USPS Publication 28 table of suffixes and directions), splitting an
 * address line into house number, street and unit, and reading the index's
 * CSV file with its field checks and the overlap check. Storing and looking
 * up segments is streets.c. */
#include "voters_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/csvrows.h"
#include "precinct/voters_streets.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Publication 28, appendix C1 (suffixes, the common ones) and B (directions):
 * spelling -> standard abbreviation. The abbreviations map to themselves so
 * that normalising twice changes nothing. */
static const char *const suffixes[][2] = {
    {"ALLEY", "ALY"},     {"ALY", "ALY"},       {"AVENUE", "AVE"},   {"AVEN", "AVE"},     {"AV", "AVE"},
    {"AVE", "AVE"},       {"BOULEVARD", "BLVD"}, {"BOUL", "BLVD"},   {"BLVD", "BLVD"},    {"BRANCH", "BR"},
    {"BYPASS", "BYP"},    {"CIRCLE", "CIR"},    {"CIRC", "CIR"},     {"CIR", "CIR"},      {"COURT", "CT"},
    {"CT", "CT"},         {"COVE", "CV"},       {"CV", "CV"},        {"CREEK", "CRK"},    {"CROSSING", "XING"},
    {"XING", "XING"},     {"DRIVE", "DR"},      {"DRIV", "DR"},      {"DRV", "DR"},       {"DR", "DR"},
    {"EXPRESSWAY", "EXPY"}, {"EXPY", "EXPY"},   {"EXTENSION", "EXT"}, {"EXT", "EXT"},     {"FREEWAY", "FWY"},
    {"FWY", "FWY"},       {"HEIGHTS", "HTS"},   {"HTS", "HTS"},      {"HIGHWAY", "HWY"},  {"HIWAY", "HWY"},
    {"HWY", "HWY"},       {"HILL", "HL"},       {"HOLLOW", "HOLW"},  {"LANE", "LN"},      {"LN", "LN"},
    {"LOOP", "LOOP"},     {"MOUNTAIN", "MTN"},  {"PARKWAY", "PKWY"}, {"PKY", "PKWY"},     {"PKWY", "PKWY"},
    {"PIKE", "PIKE"},     {"PLACE", "PL"},      {"PL", "PL"},        {"PLAZA", "PLZ"},    {"PLZ", "PLZ"},
    {"POINT", "PT"},      {"PT", "PT"},         {"RIDGE", "RDG"},    {"RDG", "RDG"},      {"ROAD", "RD"},
    {"RD", "RD"},         {"ROUTE", "RTE"},     {"RTE", "RTE"},      {"RUN", "RUN"},      {"SQUARE", "SQ"},
    {"SQ", "SQ"},         {"STREET", "ST"},     {"STR", "ST"},       {"STRT", "ST"},      {"ST", "ST"},
    {"TERRACE", "TER"},   {"TERR", "TER"},      {"TER", "TER"},      {"TRACE", "TRCE"},   {"TRAIL", "TRL"},
    {"TRL", "TRL"},       {"TURNPIKE", "TPKE"}, {"TPKE", "TPKE"},    {"VIEW", "VW"},      {"WAY", "WAY"},
};

static const char *const directions[][2] = {
    {"NORTH", "N"}, {"SOUTH", "S"}, {"EAST", "E"}, {"WEST", "W"}, {"NORTHEAST", "NE"}, {"NORTHWEST", "NW"},
    {"SOUTHEAST", "SE"}, {"SOUTHWEST", "SW"}, {"N", "N"}, {"S", "S"}, {"E", "E"}, {"W", "W"}, {"NE", "NE"},
    {"NW", "NW"}, {"SE", "SE"}, {"SW", "SW"},
};

/* Ordinal street names spelled out, as the numbers the USPS writes them
 * with (FIRST ST is 1ST ST): the single words, and the tens that combine
 * with FIRST..NINTH ("TWENTY FIRST", "TWENTY-FIRST"). */
static const char *const ordinal_words[] = {
    "",          "FIRST",      "SECOND",     "THIRD",        "FOURTH",      "FIFTH",      "SIXTH",
    "SEVENTH",   "EIGHTH",     "NINTH",      "TENTH",        "ELEVENTH",    "TWELFTH",    "THIRTEENTH",
    "FOURTEENTH", "FIFTEENTH", "SIXTEENTH",  "SEVENTEENTH",  "EIGHTEENTH",  "NINETEENTH",
};
static const char *const tens_words[][2] = {
    {"TWENTY", "TWENTIETH"}, {"THIRTY", "THIRTIETH"},   {"FORTY", "FORTIETH"},    {"FIFTY", "FIFTIETH"},
    {"SIXTY", "SIXTIETH"},   {"SEVENTY", "SEVENTIETH"}, {"EIGHTY", "EIGHTIETH"}, {"NINETY", "NINETIETH"},
};

/* Secondary unit designators (Publication 28, appendix C2). */
static const char *const unit_words[] = {"APT", "APARTMENT", "UNIT", "STE", "SUITE", "LOT", "RM", "ROOM", "FL",
                                         "FLOOR", "BLDG", "TRLR", "SPC", "DEPT", "#"};

enum { MAX_WORDS = 16, WORD_SIZE = 32 };

typedef struct words {
  char word[MAX_WORDS][WORD_SIZE];
  int count;
} words_t;

static const char *table_lookup(const char *const (*table)[2], size_t n, const char *word) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(table[i][0], word) == 0) return table[i][1];
  return NULL;
}

static int is_unit_word(const char *word) {
  for (size_t i = 0; i < sizeof unit_words / sizeof unit_words[0]; i++)
    if (strcmp(unit_words[i], word) == 0) return 1;
  return word[0] == '#';
}

/* Splits IN into upper-case words; commas are spaces, periods dropped
 * ("N. MAIN ST.") except between digits, where dropping one would make
 * another number ("12.5" is not 125, "ROUTE 1.5" not ROUTE 15). */
static int split_words(const char *in, words_t *w, pc_error_t *err) {
  w->count = 0;
  size_t length = 0;
  for (const char *p = in;; p++) {
    char c = *p;
    if (c == '.' && !(p > in && isdigit((unsigned char)p[-1]) && isdigit((unsigned char)p[1]))) continue;
    if (c == '\0' || c == ' ' || c == '\t' || c == ',') {
      if (length) {
        w->word[w->count - 1][length] = '\0';
        length = 0;
      }
      if (c == '\0') break;
      continue;
    }
    if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "street", "unexpected character (letters, digits, spaces, # - / ' & only)");
    if (length == 0) {
      if (w->count == MAX_WORDS) return pc_error_set_at(err, PC_ELIMIT, NULL, 0, "street", "more than %d words", MAX_WORDS);
      w->count++;
    }
    if (length + 1 >= WORD_SIZE)
      return pc_error_set_at(err, PC_ELIMIT, NULL, 0, "street", "a word longer than %d characters", WORD_SIZE - 1);
    w->word[w->count - 1][length++] = (char)toupper((unsigned char)c);
  }
  return 0;
}

/* The value of an ordinal word of LENGTH characters (FIRST..NINETEENTH,
 * TWENTIETH..NINETIETH), else 0; with UNITS_ONLY, FIRST..NINTH only. */
static int ordinal_value(const char *word, size_t length, int units_only) {
  int last = units_only ? 9 : 19;
  for (int i = 1; i <= last; i++)
    if (strlen(ordinal_words[i]) == length && strncmp(ordinal_words[i], word, length) == 0) return i;
  for (int i = 0; !units_only && i < 8; i++)
    if (strlen(tens_words[i][1]) == length && strncmp(tens_words[i][1], word, length) == 0) return 20 + 10 * i;
  return 0;
}

/* 20, 30 .. 90 when WORD (LENGTH characters) is TWENTY .. NINETY, else 0. */
static int tens_value(const char *word, size_t length) {
  for (int i = 0; i < 8; i++)
    if (strlen(tens_words[i][0]) == length && strncmp(tens_words[i][0], word, length) == 0) return 20 + 10 * i;
  return 0;
}

/* Writes the ordinals among words FIRST..END-1 of W as numbers ("TWENTY
 * FIRST" becomes one word, 21ST); returns the new END. */
static int number_ordinals(words_t *w, int first, int end) {
  int to = first;
  for (int from = first; from < end; from++) {
    const char *word = w->word[from];
    const char *hyphen = strchr(word, '-');
    int value = ordinal_value(word, strlen(word), 0), tens;
    if (value == 0 && hyphen && (tens = tens_value(word, (size_t)(hyphen - word))) != 0) {
      int unit = ordinal_value(hyphen + 1, strlen(hyphen + 1), 1);
      value = unit ? tens + unit : 0;
    } else if (value == 0 && from + 1 < end && (tens = tens_value(word, strlen(word))) != 0) {
      int unit = ordinal_value(w->word[from + 1], strlen(w->word[from + 1]), 1);
      if (unit) value = tens + unit, from++;
    }
    if (value) {
      int last_digit = value % 10, teen = value % 100 >= 11 && value % 100 <= 13;
      const char *suffix = teen || last_digit == 0 || last_digit > 3 ? "TH"
                           : last_digit == 1                          ? "ST"
                           : last_digit == 2                          ? "ND"
                                                                      : "RD";
      pc_snprintf(w->word[to], WORD_SIZE, "%d%s", value, suffix);
    } else if (to != from) {
      memcpy(w->word[to], w->word[from], WORD_SIZE);
    }
    to++;
  }
  return to;
}

/* Abbreviates words FIRST..END-1 of W (a street name) and joins them. */
static int join_street(words_t *w, int first, int end, char *out, size_t size, pc_error_t *err) {
  end = number_ordinals(w, first, end);
  int n = end - first;
  if (n <= 0) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "street", "no street name");
  int last = end - 1;
  /* A direction is a post-directional after a name and suffix of their
   * own ("MAIN ST NW"), and a pre-directional only before a name word that
   * is not the suffix: "NORTH MAIN ST" and "NORTH BROADWAY" -> N ..., but
   * "WEST ST" and "NORTH ST W" keep the name (N ST W is the street N). */
  const char *d;
  if (n >= 3 && (d = table_lookup(directions, sizeof directions / sizeof directions[0], w->word[last]))) {
    pc_strlcpy(w->word[last], d, WORD_SIZE);
    last--;
  }
  int name_end = last + 1;
  if (last > first && (d = table_lookup(suffixes, sizeof suffixes / sizeof suffixes[0], w->word[last]))) {
    pc_strlcpy(w->word[last], d, WORD_SIZE);
    name_end = last;
  }
  if (name_end - first >= 2 && (d = table_lookup(directions, sizeof directions / sizeof directions[0], w->word[first])))
    pc_strlcpy(w->word[first], d, WORD_SIZE);
  size_t used = 0;
  for (int i = first; i < end; i++) {
    size_t length = strlen(w->word[i]);
    if (used + length + (i > first) + 1 > size)
      return pc_error_set_at(err, PC_ELIMIT, NULL, 0, "street", "longer than %zu characters", size - 1);
    if (i > first) out[used++] = ' ';
    memcpy(out + used, w->word[i], length);
    used += length;
  }
  out[used] = '\0';
  return 0;
}

int pc_streets_normalize(const char *in, char *out, size_t size, pc_error_t *err) {
  words_t w;
  int rc = split_words(in, &w, err);
  if (rc != 0) return rc;
  char street[PC_STREET_SIZE];
  rc = join_street(&w, 0, w.count, street, sizeof street < size ? sizeof street : size, err);
  if (rc == 0) pc_strlcpy(out, street, size);
  return rc;
}

/* Every failure is PC_EINVAL, too long included: an address the index
 * cannot read is one it does not have, which registration and the review
 * list handle (the clerk chooses), where another code would stop them. */
int pc_streets_parse_address(const char *line, pc_street_address_t *out, pc_error_t *err) {
  words_t w;
  pc_error_t part_err;
  pc_error_clear(&part_err);
  int rc = split_words(line, &w, &part_err);
  if (rc != 0) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "res_street_address", "%s", part_err.message);
  /* "1/2 MAIN ST" is a fraction, not house number 1. */
  if (w.count == 0 || !isdigit((unsigned char)w.word[0][0]) || w.word[0][strspn(w.word[0], "0123456789")] == '/')
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "res_street_address", "expected a house number and a street: \"%s\"",
                           line);
  int64_t number = 0;
  const char *p = w.word[0];
  for (; isdigit((unsigned char)*p); p++) {
    number = number * 10 + (*p - '0');
    if (number > PC_STREET_MAX_NUMBER)
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "res_street_address", "house number above %d", PC_STREET_MAX_NUMBER);
  }
  /* "12A" or "12-B" (a letter after the number) is still number 12. */
  int first = 1;
  if (first < w.count && strchr(w.word[first], '/') && isdigit((unsigned char)w.word[first][0])) first++; /* "12 1/2" */
  int end = first;
  while (end < w.count && !(end > first && is_unit_word(w.word[end]))) end++;
  pc_street_address_t a;
  memset(&a, 0, sizeof a);
  a.number = number;
  size_t unit_used = 0;
  for (int i = end; i < w.count; i++) {
    size_t length = strlen(w.word[i]);
    if (unit_used + length + 2 > sizeof a.unit)
      return pc_error_set_at(err, PC_EINVAL, NULL, 0, "res_street_address", "unit longer than %zu characters",
                             sizeof a.unit - 1);
    if (i > end) a.unit[unit_used++] = ' ';
    memcpy(a.unit + unit_used, w.word[i], length);
    unit_used += length;
  }
  rc = join_street(&w, first, end, a.street, sizeof a.street, &part_err);
  if (rc != 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "res_street_address", "%s: \"%s\"", part_err.message, line);
  *out = a;
  return 0;
}

int pc_streets_segment_contains(const pc_street_segment_t *s, int64_t number) {
  if (number < s->low || number > s->high) return 0;
  if (s->parity == 'E') return number % 2 == 0;
  if (s->parity == 'O') return number % 2 == 1;
  return 1;
}

/* ---- the CSV file ---------------------------------------------------------- */

enum { COL_STREET, COL_LOW, COL_HIGH, COL_PARITY, COL_ZIP, COL_CITY, COL_PRECINCT, COL_COUNT };
static const char *const column_names[COL_COUNT] = {"street", "low", "high", "parity", "zip", "city", "precinct"};

typedef struct reader {
  const char *file_name;
  int column[COL_COUNT];
  size_t named; /* header fields up to the last non-empty one */
  int header_seen;
  pc_street_segment_t *segments;
  size_t count, capacity;
  pc_error_t *err;
} reader_t;

/* Empty fields at the end of a record (trailing delimiters, as spreadsheets
 * write them) are not fields: the count without them. */
static size_t without_trailing_empty(const char *const *fields, size_t count) {
  while (count > 0 && fields[count - 1][strspn(fields[count - 1], " \t")] == '\0') count--;
  return count;
}

static int header(reader_t *r, const char *const *fields, size_t count, long line) {
  count = r->named = without_trailing_empty(fields, count);
  for (int c = 0; c < COL_COUNT; c++) r->column[c] = pc_csvrows_column(fields, count, column_names[c]);
  for (int c = 0; c < COL_COUNT; c++)
    if (r->column[c] < 0 && c != COL_CITY)
      return pc_error_set_at(r->err, PC_EINVAL, r->file_name, line, column_names[c],
                             "header has no \"%s\" column (expected street,low,high,parity,zip,city,precinct)",
                             column_names[c]);
  for (size_t i = 0; i < count; i++) {
    int known = 0;
    for (int c = 0; c < COL_COUNT; c++) known |= r->column[c] == (int)i;
    if (!known) return pc_error_set_at(r->err, PC_EINVAL, r->file_name, line, fields[i], "unknown column \"%s\"", fields[i]);
  }
  r->header_seen = 1;
  return 0;
}

static int number_field(reader_t *r, const char *text, const char *field, long line, int64_t *out) {
  long long value;
  if (pc_parse_int64(text, 0, PC_STREET_MAX_NUMBER, &value) != 0)
    return pc_error_set_at(r->err, PC_EINVAL, r->file_name, line, field, "expected a house number 0-%d, got \"%s\"",
                           PC_STREET_MAX_NUMBER, text);
  *out = value;
  return 0;
}

static int on_row(const char *const *fields, size_t count, long line, void *context) {
  reader_t *r = context;
  if (!r->header_seen) return header(r, fields, count, line);
  if (r->count == PC_STREETS_MAX_SEGMENTS)
    return pc_error_set_at(r->err, PC_ELIMIT, r->file_name, line, NULL, "more than %d segments", PC_STREETS_MAX_SEGMENTS);
  /* More fields than columns: the line is shifted (an unquoted comma), and
   * its fields would be read under the wrong names. */
  size_t used = without_trailing_empty(fields, count);
  if (used > r->named)
    return pc_error_set_at(r->err, PC_EINVAL, r->file_name, line, NULL,
                           "%zu fields, but the header names %zu columns (a comma inside a field must be quoted)", used,
                           r->named);
  const char *value[COL_COUNT];
  for (int c = 0; c < COL_COUNT; c++) {
    if (r->column[c] >= 0 && (size_t)r->column[c] >= count)
      return pc_error_set_at(r->err, PC_EINVAL, r->file_name, line, column_names[c], "missing (the line has %zu fields)",
                             count);
    value[c] = r->column[c] >= 0 ? fields[r->column[c]] : "";
  }
  pc_street_segment_t s;
  memset(&s, 0, sizeof s);
  s.line = line;
  pc_error_t field_err;
  pc_error_clear(&field_err);
  if (pc_streets_normalize(value[COL_STREET], s.street, sizeof s.street, &field_err) != 0)
    return pc_error_set_at(r->err, PC_EINVAL, r->file_name, line, "street", "%s", field_err.message);
  int rc = number_field(r, value[COL_LOW], "low", line, &s.low);
  if (rc == 0) rc = number_field(r, value[COL_HIGH], "high", line, &s.high);
  if (rc != 0) return rc;
  if (s.low > s.high)
    return pc_error_set_at(r->err, PC_EINVAL, r->file_name, line, "high", "high %lld is below low %lld", (long long)s.high,
                           (long long)s.low);
  const char *parity = value[COL_PARITY];
  if (strlen(parity) != 1 || strchr("EOBeob", parity[0]) == NULL)
    return pc_error_set_at(r->err, PC_EINVAL, r->file_name, line, "parity", "expected E (even), O (odd) or B (both), got \"%s\"",
                           parity);
  s.parity = (char)toupper((unsigned char)parity[0]);
  const char *zip = value[COL_ZIP];
  size_t zip_length = strlen(zip);
  if ((zip_length != 5 && !(zip_length == 10 && zip[5] == '-')) || strspn(zip, "0123456789") != 5 ||
      (zip_length == 10 && strspn(zip + 6, "0123456789") != 4))
    return pc_error_set_at(r->err, PC_EINVAL, r->file_name, line, "zip", "expected a 5-digit ZIP code, got \"%s\"", zip);
  memcpy(s.zip, zip, 5);
  if (pc_strlcpy(s.city, value[COL_CITY], sizeof s.city) != 0)
    return pc_error_set_at(r->err, PC_EINVAL, r->file_name, line, "city", "longer than %zu characters", sizeof s.city - 1);
  pc_voters_normalize(s.city);
  const char *precinct = value[COL_PRECINCT];
  if (precinct[0] == '\0' || pc_strlcpy(s.precinct_code, precinct, sizeof s.precinct_code) != 0 || strlen(precinct) > 6)
    return pc_error_set_at(r->err, PC_EINVAL, r->file_name, line, "precinct", "expected a precinct code of 1-6 characters");
  pc_voters_normalize(s.precinct_code);
  if (r->count == r->capacity) {
    r->capacity = r->capacity ? r->capacity * 2 : 256;
    r->segments = pc_xreallocarray(r->segments, r->capacity, sizeof *r->segments);
  }
  r->segments[r->count++] = s;
  return 0;
}

static int compare_segments(const void *a, const void *b) {
  const pc_street_segment_t *x = a, *y = b;
  int c = strcmp(x->street, y->street);
  if (c == 0) c = strcmp(x->zip, y->zip);
  if (c == 0) c = x->low < y->low ? -1 : x->low > y->low;
  if (c == 0) c = x->line < y->line ? -1 : x->line > y->line;
  return c;
}

/* The numbers of PARITY ('E' or 'O') a segment holds, as [*LOW, *HIGH];
 * 0 when it holds none. */
static int parity_range(const pc_street_segment_t *s, char parity, int64_t *low, int64_t *high) {
  if (s->parity != 'B' && s->parity != parity) return 0;
  int want = parity == 'O';
  *low = s->low % 2 == want ? s->low : s->low + 1;
  *high = s->high % 2 == want ? s->high : s->high - 1;
  return *low <= *high;
}

/* Within one street and ZIP (sorted by low), once for even and once for odd
 * numbers: a sweep keeping the segment that reaches highest so far. A
 * segment starting at or below that reach shares an address with it. If
 * two segments overlap and neither is the reach, both overlap the reach
 * (it starts no later and ends no earlier), so comparing with the reach
 * alone finds a conflict whenever there is one. */
static int check_group(const pc_street_segment_t *g, size_t n, const char *file_name, pc_error_t *err) {
  static const char parities[2] = {'E', 'O'};
  for (int p = 0; p < 2; p++) {
    const pc_street_segment_t *reach = NULL;
    int64_t reach_high = -1;
    for (size_t i = 0; i < n; i++) {
      int64_t low, high;
      if (!parity_range(&g[i], parities[p], &low, &high)) continue;
      if (reach && low <= reach_high && strcmp(reach->precinct_code, g[i].precinct_code) != 0) {
        const pc_street_segment_t *first = reach->line < g[i].line ? reach : &g[i], *second = first == reach ? &g[i] : reach;
        int64_t shared = low;
        return pc_error_set_at(err, PC_EINVAL, file_name, second->line, "precinct",
                               "segment overlaps line %ld: %lld %s %s would be in precinct %s (line %ld) and %s (line %ld)",
                               first->line, (long long)shared, g[i].street, g[i].zip, first->precinct_code, first->line,
                               second->precinct_code, second->line);
      }
      if (reach == NULL || high > reach_high) reach = &g[i], reach_high = high;
    }
  }
  return 0;
}

int pc_streets_parse_csv(const char *data, size_t size, const char *file_name, pc_street_segment_t **segments,
                         size_t *count, pc_error_t *err) {
  if (size > PC_STREETS_MAX_FILE)
    return pc_error_set_at(err, PC_ELIMIT, file_name, 0, NULL, "larger than %u bytes", PC_STREETS_MAX_FILE);
  reader_t r = {.file_name = file_name, .err = err};
  int rc = pc_csvrows_parse(data, size, file_name, on_row, &r, err);
  if (rc == 0 && !r.header_seen)
    rc = pc_error_set_at(err, PC_EINVAL, file_name, 1, NULL, "empty file: expected a header street,low,high,parity,zip,city,precinct");
  if (rc == 0 && r.count) qsort(r.segments, r.count, sizeof *r.segments, compare_segments);
  for (size_t start = 0, end; rc == 0 && start < r.count; start = end) {
    for (end = start + 1; end < r.count && strcmp(r.segments[end].street, r.segments[start].street) == 0 &&
                          strcmp(r.segments[end].zip, r.segments[start].zip) == 0;
         end++) {
    }
    rc = check_group(r.segments + start, end - start, file_name, err);
  }
  if (rc != 0) {
    free(r.segments);
    return rc;
  }
  *segments = r.segments;
  *count = r.count;
  return 0;
}
