/* Writes a synthetic, realistic ES&S-style election for the tabulation
 * benchmark: N ballots (default 1,000,000) split over F .xlsx workbooks
 * (default 13, like RCTab's scale test), an RCTab config that reads them, and
 * a NIST CDF JSON of the same ballots. Ballots follow a skewed popularity of
 * 12 candidates with partial rankings, overvotes, skipped ranks, duplicates,
 * write-ins and blank ballots. Deterministic for a given --seed. It writes
 * data only; timing is bench_cvr_read's and `precinct tabulate`'s job. */
#include "precinct/buf.h"

#include <zip.h>

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CANDIDATES 12
#define RANKS 5
#define PRECINCTS 240
#define STYLES 12

static const char *const names[CANDIDATES] = {
    "Maria Alvarez", "James Okafor", "Linh Tran", "Robert Kowalski", "Aisha Rahman", "David Chen",
    "Sarah O'Neill", "Miguel Santos", "Emily Johansson", "Kwame Mensah", "Priya Natarajan", "Tom Becker"};
/* Popularity weights (sum 1000): a realistic long tail. */
static const int weights[CANDIDATES] = {231, 198, 152, 101, 82, 64, 51, 40, 30, 23, 16, 12};

enum { MARK_CANDIDATE, MARK_OVERVOTE, MARK_UNDERVOTE, MARK_WRITE_IN };

typedef struct {
  int kind, candidate, second; /* second: the other candidate of an overvote */
} mark_t;

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t next_random(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ULL;
}
static int below(int n) { return (int)((next_random() >> 33) % (uint64_t)n); }

static int pick_candidate(const int *taken) {
  int total = 0;
  for (int c = 0; c < CANDIDATES; c++)
    if (!taken[c]) total += weights[c];
  int r = below(total);
  for (int c = 0; c < CANDIDATES; c++) {
    if (taken[c]) continue;
    if (r < weights[c]) return c;
    r -= weights[c];
  }
  return 0;
}

/* One voter's ballot. */
static void make_ballot(mark_t *marks) {
  int taken[CANDIDATES] = {0};
  int roll = below(1000);
  int ranked = roll < 20 ? 0 : roll < 320 ? 1 : roll < 520 ? 2 : roll < 680 ? 3 : roll < 780 ? 4 : 5;
  for (int r = 0; r < RANKS; r++) {
    marks[r] = (mark_t){MARK_UNDERVOTE, 0, 0};
    if (r >= ranked) continue;
    int event = below(1000);
    if (event < 12) { /* skipped rank */
      continue;
    } else if (event < 27 && r > 0 && marks[r - 1].kind == MARK_CANDIDATE) { /* duplicate */
      marks[r] = marks[r - 1];
    } else if (event < 42) { /* overvote */
      int a = pick_candidate(taken);
      taken[a] = 1;
      int b = pick_candidate(taken);
      taken[a] = 0;
      marks[r] = (mark_t){MARK_OVERVOTE, a, b};
    } else if (event < 52) {
      marks[r] = (mark_t){MARK_WRITE_IN, 0, 0};
    } else {
      int c = pick_candidate(taken);
      taken[c] = 1;
      marks[r] = (mark_t){MARK_CANDIDATE, c, 0};
    }
  }
}

static void die(const char *what) {
  fprintf(stderr, "bench_tabulate_gen: %s\n", what);
  exit(1);
}

static void column_ref(pc_buf_t *b, int col, long row) {
  (void)pc_buf_appendf(b, "%c%ld", 'A' + col, row);
}

/* Shared string indexes: 0-7 titles, 8.. candidates, then labels, precincts, styles. */
enum { SST_TITLES = 0, SST_CANDIDATES = 3 + RANKS, SST_OVERVOTE = SST_CANDIDATES + CANDIDATES,
       SST_UNDERVOTE, SST_WRITE_IN, SST_PRECINCTS, SST_STYLES = SST_PRECINCTS + PRECINCTS,
       SST_COUNT = SST_STYLES + STYLES };

static void add_entry(zip_t *zip, const char *name, pc_buf_t *content) {
  size_t len = 0;
  char *data = pc_buf_detach(content, &len);
  zip_source_t *src = zip_source_buffer(zip, data, len, 1);
  if (src == NULL || zip_file_add(zip, name, src, ZIP_FL_ENC_UTF_8) < 0) die(zip_strerror(zip));
  pc_buf_init(content, (size_t)1 << 31);
}

static void append_text(pc_buf_t *b, const char *s) {
  for (; *s; s++) {
    if (*s == '&') (void)pc_buf_append_str(b, "&amp;");
    else if (*s == '<') (void)pc_buf_append_str(b, "&lt;");
    else if (*s == '\'') (void)pc_buf_append_str(b, "&apos;");
    else (void)pc_buf_append_char(b, *s);
  }
}

static void write_workbook(const char *path, long first_id, long count, FILE *cdf, int *cdf_first) {
  int zerr = 0;
  zip_t *zip = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  if (zip == NULL) die("cannot create workbook");
  pc_buf_t b;
  pc_buf_init(&b, (size_t)1 << 31);
  (void)pc_buf_append_str(&b,
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
      "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
      "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>");
  add_entry(zip, "[Content_Types].xml", &b);
  (void)pc_buf_append_str(&b,
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
  add_entry(zip, "_rels/.rels", &b);
  (void)pc_buf_append_str(&b,
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
  add_entry(zip, "xl/workbook.xml", &b);
  (void)pc_buf_append_str(&b,
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
      "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>");
  add_entry(zip, "xl/_rels/workbook.xml.rels", &b);

  (void)pc_buf_appendf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"%d\" uniqueCount=\"%d\">", SST_COUNT, SST_COUNT);
  (void)pc_buf_append_str(&b, "<si><t>Cast Vote Record</t></si><si><t>Precinct</t></si><si><t>Ballot Style</t></si>");
  for (int r = 0; r < RANKS; r++) (void)pc_buf_appendf(&b, "<si><t>Rank %d</t></si>", r + 1);
  for (int c = 0; c < CANDIDATES; c++) {
    (void)pc_buf_append_str(&b, "<si><t>");
    append_text(&b, names[c]);
    (void)pc_buf_append_str(&b, "</t></si>");
  }
  (void)pc_buf_append_str(&b, "<si><t>overvote</t></si><si><t>undervote</t></si><si><t>Write-in</t></si>");
  for (int p = 0; p < PRECINCTS; p++) (void)pc_buf_appendf(&b, "<si><t>Precinct %04d</t></si>", p + 1);
  for (int s = 0; s < STYLES; s++) (void)pc_buf_appendf(&b, "<si><t>Style %d</t></si>", s + 1);
  (void)pc_buf_append_str(&b, "</sst>");
  add_entry(zip, "xl/sharedStrings.xml", &b);

  (void)pc_buf_appendf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                           "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><dimension ref=\"A1:%c%ld\"/><sheetData>",
                       'A' + 3 + RANKS - 1, count + 1);
  (void)pc_buf_appendf(&b, "<row r=\"1\" spans=\"1:%d\">", 3 + RANKS);
  for (int col = 0; col < 3 + RANKS; col++) {
    (void)pc_buf_append_str(&b, "<c r=\"");
    column_ref(&b, col, 1);
    (void)pc_buf_appendf(&b, "\" t=\"s\"><v>%d</v></c>", SST_TITLES + col);
  }
  (void)pc_buf_append_str(&b, "</row>");
  for (long i = 0; i < count; i++) {
    long row = i + 2, id = first_id + i;
    mark_t marks[RANKS];
    make_ballot(marks);
    int precinct = below(PRECINCTS), style = below(STYLES);
    (void)pc_buf_appendf(&b, "<row r=\"%ld\" spans=\"1:%d\"><c r=\"A%ld\"><v>%ld</v></c><c r=\"B%ld\" t=\"s\"><v>%d</v></c><c r=\"C%ld\" t=\"s\"><v>%d</v></c>",
                         row, 3 + RANKS, row, id, row, SST_PRECINCTS + precinct, row, SST_STYLES + style);
    for (int r = 0; r < RANKS; r++) {
      int sst = marks[r].kind == MARK_CANDIDATE ? SST_CANDIDATES + marks[r].candidate
                : marks[r].kind == MARK_OVERVOTE ? SST_OVERVOTE
                : marks[r].kind == MARK_WRITE_IN ? SST_WRITE_IN : SST_UNDERVOTE;
      (void)pc_buf_append_str(&b, "<c r=\"");
      column_ref(&b, 3 + r, row);
      (void)pc_buf_appendf(&b, "\" t=\"s\"><v>%d</v></c>", sst);
    }
    if (pc_buf_append_str(&b, "</row>") != 0) die("sheet too large");
    if (cdf) {
      fprintf(cdf, "%s{\"@type\":\"CVR.CVR\",\"BallotPrePrintedId\":\"%ld\",\"BatchSequenceId\":%d,\"CurrentSnapshotId\":\"s%ld\",\"ElectionId\":\"election-001\",\"BallotStyleUnitId\":\"gpu-%d\","
                   "\"CVRSnapshot\":[{\"@id\":\"s%ld\",\"@type\":\"CVR.CVRSnapshot\",\"Type\":\"original\",\"CVRContest\":[{\"@type\":\"CVR.CVRContest\",\"ContestId\":\"contest-001\",\"CVRContestSelection\":[",
              *cdf_first ? "" : ",", id, style + 1, id, precinct + 1, id);
      *cdf_first = 0;
      int first_selection = 1;
      for (int r = 0; r < RANKS; r++) {
        int picks[2], n = 0;
        if (marks[r].kind == MARK_CANDIDATE) picks[n++] = marks[r].candidate;
        else if (marks[r].kind == MARK_OVERVOTE) picks[n++] = marks[r].candidate, picks[n++] = marks[r].second;
        else if (marks[r].kind == MARK_WRITE_IN) picks[n++] = CANDIDATES;
        for (int k = 0; k < n; k++) {
          fprintf(cdf, "%s{\"@type\":\"CVR.CVRContestSelection\",\"ContestSelectionId\":\"cs-%d\",\"SelectionPosition\":[{\"@type\":\"CVR.SelectionPosition\",\"HasIndication\":\"yes\",\"IsAllocable\":\"unknown\",\"NumberVotes\":1,\"Rank\":%d}]}",
                  first_selection ? "" : ",", picks[k], r + 1);
          first_selection = 0;
        }
      }
      fputs("]}]}]}", cdf);
    }
  }
  (void)pc_buf_append_str(&b, "</sheetData></worksheet>");
  fprintf(stderr, "%s: %ld ballots, sheet XML %zu bytes\n", path, count, b.len);
  add_entry(zip, "xl/worksheets/sheet1.xml", &b);
  if (zip_close(zip) != 0) die(zip_strerror(zip));
  pc_buf_free(&b);
}

static void write_config(const char *dir, int files, int cdf_source) {
  pc_buf_t path;
  pc_buf_init(&path, 4096);
  (void)pc_buf_appendf(&path, "%s/%s", dir, cdf_source ? "bench_cdf_config.json" : "bench_config.json");
  FILE *f = fopen(pc_buf_str(&path), "w");
  if (f == NULL) die("cannot write config");
  fprintf(f, "{\n  \"tabulatorVersion\" : \"TEST\",\n  \"outputSettings\" : {\n    \"contestName\" : \"Benchmark Mayor\",\n"
             "    \"outputDirectory\" : \"output\",\n    \"contestDate\" : \"2026-11-03\",\n    \"contestJurisdiction\" : \"Bench County\",\n"
             "    \"contestOffice\" : \"Mayor\",\n    \"tabulateByBatch\" : false,\n    \"tabulateByPrecinct\" : false,\n    \"generateCdfJson\" : false\n  },\n"
             "  \"cvrFileSources\" : [ ");
  if (cdf_source)
    fprintf(f, "{\n    \"filePath\" : \"bench_cdf.json\",\n    \"contestId\" : \"Benchmark Mayor\",\n    \"provider\" : \"cdf\",\n"
               "    \"overvoteLabel\" : \"\",\n    \"skippedRankLabel\" : \"\",\n    \"undeclaredWriteInLabel\" : \"Write-in\",\n    \"treatBlankAsUndeclaredWriteIn\" : false\n  }");
  for (int i = 0; i < files && !cdf_source; i++)
    fprintf(f, "%s{\n    \"filePath\" : \"bench_cvr_%02d.xlsx\",\n    \"contestId\" : \"\",\n    \"firstVoteColumnIndex\" : \"4\",\n    \"firstVoteRowIndex\" : \"2\",\n"
               "    \"idColumnIndex\" : \"1\",\n    \"batchColumnIndex\" : \"\",\n    \"precinctColumnIndex\" : \"2\",\n    \"overvoteDelimiter\" : \"\",\n    \"provider\" : \"ess\",\n"
               "    \"overvoteLabel\" : \"overvote\",\n    \"skippedRankLabel\" : \"undervote\",\n    \"undeclaredWriteInLabel\" : \"Write-in\",\n    \"treatBlankAsUndeclaredWriteIn\" : false\n  }",
            i ? ", " : "", i + 1);
  fprintf(f, " ],\n  \"candidates\" : [ ");
  for (int c = 0; c < CANDIDATES; c++)
    fprintf(f, "%s{\n    \"name\" : \"%s\",\n    \"excluded\" : false,\n    \"aliases\" : [ ]\n  }", c ? ", " : "", names[c]);
  fprintf(f, " ],\n  \"rules\" : {\n    \"tiebreakMode\" : \"useCandidateOrder\",\n    \"overvoteRule\" : \"exhaustImmediately\",\n"
             "    \"winnerElectionMode\" : \"singleWinnerMajority\",\n    \"randomSeed\" : \"\",\n    \"numberOfWinners\" : \"1\",\n"
             "    \"multiSeatBottomsUpPercentageThreshold\" : \"\",\n    \"decimalPlacesForVoteArithmetic\" : \"4\",\n    \"minimumVoteThreshold\" : \"0\",\n"
             "    \"maxSkippedRanksAllowed\" : \"1\",\n    \"maxRankingsAllowed\" : \"%d\",\n    \"nonIntegerWinningThreshold\" : false,\n"
             "    \"doesFirstRoundDetermineThreshold\" : false,\n    \"hareQuota\" : false,\n    \"batchElimination\" : false,\n"
             "    \"continueUntilTwoCandidatesRemain\" : false,\n    \"stopTabulationEarlyAfterRound\" : \"\",\n    \"exhaustOnDuplicateCandidate\" : false,\n"
             "    \"rulesDescription\" : \"Benchmark\",\n    \"treatBlankAsUndeclaredWriteIn\" : false\n  }\n}\n", RANKS);
  fclose(f);
  pc_buf_free(&path);
}

static void cdf_header(FILE *f) {
  fputs("{\"@type\":\"CVR.CastVoteRecordReport\",\"Version\":\"1.0.0\",\"GeneratedDate\":\"2026-11-04T00:00:00Z\","
        "\"ReportGeneratingDeviceIds\":[\"rd-001\"],\"ReportingDevice\":[{\"@id\":\"rd-001\",\"@type\":\"CVR.ReportingDevice\"}],"
        "\"GpUnit\":[{\"@id\":\"gpu-election\",\"@type\":\"CVR.GpUnit\",\"Type\":\"county\"}],"
        "\"Election\":[{\"@id\":\"election-001\",\"@type\":\"CVR.Election\",\"ElectionScopeId\":\"gpu-election\",\"Candidate\":[", f);
  for (int c = 0; c <= CANDIDATES; c++)
    fprintf(f, "%s{\"@id\":\"candidate-%d\",\"Name\":\"%s\"}", c ? "," : "", c, c < CANDIDATES ? names[c] : "Write-in");
  fputs("],\"Contest\":[{\"@id\":\"contest-001\",\"@type\":\"CVR.CandidateContest\",\"Name\":\"Benchmark Mayor\",\"ContestSelection\":[", f);
  for (int c = 0; c <= CANDIDATES; c++)
    fprintf(f, "%s{\"@id\":\"cs-%d\",\"@type\":\"CVR.CandidateSelection\",\"CandidateIds\":[\"candidate-%d\"]}", c ? "," : "", c, c);
  fputs("]}]}],\"CVR\":[", f);
}

int main(int argc, char **argv) {
  long ballots = 1000000;
  int files = 13, with_cdf = 1;
  const char *dir = "build/bench-tabulate";
  static const struct option options[] = {{"ballots", required_argument, 0, 'n'}, {"files", required_argument, 0, 'f'},
                                          {"out", required_argument, 0, 'o'},     {"seed", required_argument, 0, 's'},
                                          {"no-cdf", no_argument, 0, 'c'},        {0, 0, 0, 0}};
  int opt;
  long long v;
  while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
    if (opt == 'n' && pc_parse_int64(optarg, 1, 100000000, &v) == 0) ballots = (long)v;
    else if (opt == 'f' && pc_parse_int64(optarg, 1, 99, &v) == 0) files = (int)v;
    else if (opt == 'o') dir = optarg;
    else if (opt == 's' && pc_parse_int64(optarg, 1, INT64_MAX, &v) == 0) rng_state = (uint64_t)v;
    else if (opt == 'c') with_cdf = 0;
    else {
      fprintf(stderr, "usage: bench_tabulate_gen [--ballots N] [--files F] [--out DIR] [--seed S] [--no-cdf]\n");
      return 2;
    }
  }
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) die("cannot create output folder");
  FILE *cdf = NULL;
  pc_buf_t path;
  pc_buf_init(&path, 4096);
  if (with_cdf) {
    (void)pc_buf_appendf(&path, "%s/bench_cdf.json", dir);
    cdf = fopen(pc_buf_str(&path), "w");
    if (cdf == NULL) die("cannot write CDF JSON");
    cdf_header(cdf);
  }
  int cdf_first = 1;
  long done = 0;
  for (int i = 0; i < files; i++) {
    long count = ballots / files + (i < ballots % files ? 1 : 0);
    pc_buf_reset(&path);
    (void)pc_buf_appendf(&path, "%s/bench_cvr_%02d.xlsx", dir, i + 1);
    write_workbook(pc_buf_str(&path), done + 1, count, cdf, &cdf_first);
    done += count;
  }
  if (cdf) {
    fputs("]}\n", cdf);
    if (fclose(cdf) != 0) die("cannot finish CDF JSON");
  }
  write_config(dir, files, 0);
  if (with_cdf) write_config(dir, files, 1);
  pc_buf_free(&path);
  printf("wrote %ld ballots in %d workbooks, bench_config.json%s to %s\n", done, files,
         with_cdf ? ", bench_cdf.json" : "", dir);
  return 0;
}
