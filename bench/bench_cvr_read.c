/* Times one or more CVR readers on their own: reads each source given on the
 * command line (in parallel with --threads 2), counts ballots and marks, and
 * prints wall time, MB/s of input and peak RSS. With --dump it prints every
 * ballot instead (for checking a reader by eye). No tabulation happens here. */
#include "precinct/cvr.h"
#include "precinct/buf.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

typedef struct {
  uint64_t ballots, marks;
  int dump;
} counts_t;

static int on_ballot(void *context, const pc_cvr_ballot_t *b, pc_error_t *err) {
  (void)err;
  counts_t *c = context;
  c->ballots++;
  c->marks += b->mark_count;
  if (c->dump) {
    printf("%s:%ld id=%s precinct=%s batch=%s |", b->file, b->line, b->ballot_id ? b->ballot_id : "-",
           b->precinct ? b->precinct : "-", b->batch ? b->batch : "-");
    for (size_t i = 0; i < b->mark_count; i++) printf(" %d:\"%s\"", b->marks[i].rank, b->marks[i].candidate);
    printf("\n");
  }
  return 0;
}

typedef struct {
  pc_cvr_source_t *sources;
  int count, next, failed;
  pthread_mutex_t lock;
  counts_t totals;
  int dump;
} job_t;

static int (*reader_for(pc_cvr_provider_t p))(const pc_cvr_source_t *, pc_cvr_ballot_fn, void *,
                                                 uint64_t *, pc_error_t *) {
  switch (p) {
  case PC_CVR_CDF: return pc_cvr_read; /* JSON or XML by extension */
  case PC_CVR_ESS: return pc_cvr_read_ess;
  case PC_CVR_DOMINION: return pc_cvr_read_dominion;
  case PC_CVR_HART: return pc_cvr_read_hart;
  case PC_CVR_CLEAR_BALLOT: return pc_cvr_read_clear_ballot;
  case PC_CVR_GENERIC_CSV: return pc_cvr_read_generic_csv;
  default: return NULL;
  }
}

static void *worker(void *arg) {
  job_t *job = arg;
  for (;;) {
    pthread_mutex_lock(&job->lock);
    int i = job->next++;
    pthread_mutex_unlock(&job->lock);
    if (i >= job->count) return NULL;
    counts_t c = {.dump = job->dump};
    pc_error_t err;
    pc_error_clear(&err);
    uint64_t read = 0;
    int rc = reader_for(job->sources[i].provider)(&job->sources[i], on_ballot, &c, &read, &err);
    pthread_mutex_lock(&job->lock);
    if (rc) {
      char text[1200];
      fprintf(stderr, "error: %s\n", pc_error_format(&err, text, sizeof text));
      job->failed = 1;
    }
    job->totals.ballots += c.ballots;
    job->totals.marks += c.marks;
    pthread_mutex_unlock(&job->lock);
  }
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int number(const char *s) {
  long long v = 0;
  if (pc_parse_int64(s, 0, 1000000, &v) != 0) {
    fprintf(stderr, "not a number: %s\n", s);
    exit(2);
  }
  return (int)v;
}

int main(int argc, char **argv) {
  pc_cvr_source_t proto = {.provider = PC_CVR_ESS, .first_vote_column_index = 1, .first_vote_row_index = 2};
  int threads = 1, dump = 0;
  double xml_mb = 0;
  static const struct option options[] = {
      {"provider", required_argument, 0, 'p'}, {"first-col", required_argument, 0, 'c'},
      {"first-row", required_argument, 0, 'r'}, {"id-col", required_argument, 0, 'i'},
      {"precinct-col", required_argument, 0, 'P'}, {"batch-col", required_argument, 0, 'b'},
      {"delimiter", required_argument, 0, 'd'}, {"contest", required_argument, 0, 'C'},
      {"threads", required_argument, 0, 't'}, {"dump", no_argument, 0, 'D'},
      {"input-mb", required_argument, 0, 'm'}, {0, 0, 0, 0}};
  int opt;
  while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
    switch (opt) {
    case 'p':
      if (strcmp(optarg, "ess") == 0) proto.provider = PC_CVR_ESS;
      else if (strcmp(optarg, "dominion") == 0) proto.provider = PC_CVR_DOMINION;
      else if (strcmp(optarg, "hart") == 0) proto.provider = PC_CVR_HART;
      else if (strcmp(optarg, "clearBallot") == 0) proto.provider = PC_CVR_CLEAR_BALLOT;
      else if (strcmp(optarg, "genericCsv") == 0) proto.provider = PC_CVR_GENERIC_CSV;
      else if (strcmp(optarg, "cdf") == 0) proto.provider = PC_CVR_CDF;
      else return 2;
      break;
    case 'c': proto.first_vote_column_index = number(optarg); break;
    case 'r': proto.first_vote_row_index = number(optarg); break;
    case 'i': proto.id_column_index = number(optarg); break;
    case 'P': proto.precinct_column_index = number(optarg); break;
    case 'b': proto.batch_column_index = number(optarg); break;
    case 'd': proto.overvote_delimiter = optarg; break;
    case 'C': proto.contest_id = optarg; break;
    case 't': threads = number(optarg); break;
    case 'D': dump = 1; break;
    case 'm': xml_mb = (double)number(optarg); break;
    default:
      fprintf(stderr, "usage: bench_cvr_read [--provider P] [--first-col N] [--first-row N] "
                      "[--id-col N] [--precinct-col N] [--batch-col N] [--delimiter D] [--contest ID] "
                      "[--threads N] [--input-mb MB] [--dump] PATH...\n");
      return 2;
    }
  }
  if (optind >= argc || threads < 1 || threads > 64) return 2;
  job_t job = {.count = argc - optind, .dump = dump};
  pthread_mutex_init(&job.lock, NULL);
  job.sources = calloc((size_t)job.count, sizeof *job.sources);
  double file_mb = 0;
  for (int i = 0; i < job.count; i++) {
    job.sources[i] = proto;
    job.sources[i].path = argv[optind + i];
    struct stat st;
    if (stat(argv[optind + i], &st) == 0) file_mb += (double)st.st_size / 1e6;
  }
  double start = now();
  pthread_t tids[64];
  for (int i = 0; i < threads; i++) pthread_create(&tids[i], NULL, worker, &job);
  for (int i = 0; i < threads; i++) pthread_join(tids[i], NULL);
  double seconds = now() - start;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  if (!dump)
    printf("sources=%d threads=%d ballots=%llu marks=%llu seconds=%.3f file_MB=%.1f%s peak_rss_MB=%.1f\n",
           job.count, threads, (unsigned long long)job.totals.ballots, (unsigned long long)job.totals.marks,
           seconds, file_mb, "", (double)ru.ru_maxrss / 1024.0);
  if (!dump && xml_mb > 0) printf("sheet_xml_MB=%.0f throughput_MB_per_s=%.1f\n", xml_mb, xml_mb / seconds);
  free(job.sources);
  return job.failed ? 1 : 0;
}
