/* `precinct voters SUBCOMMAND`: dispatch, and the whole-roll subcommands
 * (generate, import, export, dedup, review, verify). One-voter subcommands
 * are in cmd_voters_record.c, NVRA list maintenance in
 * cmd_voters_maintenance.c. */
#include "cli/cli.h"
#include "cli/voters_cli.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/voters.h"
#include "precinct/voters_io.h"
#include "precinct/voters_tools.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: precinct voters SUBCOMMAND [options]\n"
    "\n"
    "Whole roll:\n"
    "  generate --count N --seed S --dup-rate R --out FILE [--data DIR] [--streets DIR]\n"
    "  import   --data DIR [--format nc|vri] [--county NAME] [--quiet] FILE\n"
    "  export   --data DIR --format nc|vri --out FILE [--county NAME] [--quiet]\n"
    "  dedup    --data DIR --out PAIRS.csv [--county NAME] [--threshold X] [--no-queue]\n"
    "  review   --data DIR (--list | --merge ID | --dismiss ID) [--county NAME]\n"
    "  verify   --data DIR              check bulk-import audit digests\n"
    "One voter:\n"
    "  register, update, status, cancel, show, vote, precinct   (see `precinct voters register --help`)\n"
    "List maintenance (NVRA section 8):\n"
    "  maintenance preview|run|undo|respond   (see `precinct voters maintenance --help`)\n"
    "Online registration:\n"
    "  applications process|list|approve|deny  (see `precinct voters applications --help`)\n"
    "County street index (the precinct of an address):\n"
    "  streets import|export|lookup            (see `precinct voters streets --help`)\n"
    "\n"
    "Every instance subcommand takes --data DIR; --county NAME limits it to one\n"
    "county (the scope a county user works in). See docs/cli.md.\n";

int pc_voters_cli_open(const char *command, const char *data_dir, const char *county, pc_voters_cli_t *c) {
  memset(c, 0, sizeof *c);
  int code = pc_cli_open_store(command, data_dir, &c->instance, &c->store);
  if (code != PC_EXIT_OK) return code;
  pc_actor_t actor;
  pc_audit_cli_actor(&actor);
  actor.county = county;
  c->actor = actor;
  pc_error_t err;
  pc_error_clear(&err);
  if (pc_voters_open(&c->voters, &c->instance, c->store, &c->actor, county, &err) != 0) {
    pc_store_close(c->store);
    return pc_cli_fail(&err);
  }
  if (county) {
    int64_t id;
    if (pc_voters_county_id(c->store, county, &id, &err) != 0) {
      pc_voters_cli_close(c);
      return pc_cli_fail(&err);
    }
  }
  return PC_EXIT_OK;
}

void pc_voters_cli_close(pc_voters_cli_t *c) {
  pc_voters_close(&c->voters);
  pc_store_close(c->store);
}

static int parse_double(const char *text, double *out) {
  char *end;
  *out = strtod(text, &end);
  return *text && *end == '\0' ? 0 : -1;
}

static int cmd_generate(int argc, char **argv) {
  static const struct option options[] = {{"count", required_argument, NULL, 'n'}, {"seed", required_argument, NULL, 's'},
                                          {"dup-rate", required_argument, NULL, 'r'}, {"out", required_argument, NULL, 'o'},
                                          {"data", required_argument, NULL, 'd'}, {"quiet", no_argument, NULL, 'q'},
                                          {"streets", required_argument, NULL, 'S'},
                                          {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  pc_voters_generate_options_t o = {.count = -1, .seed = 1, .dup_rate = 0.0};
  const char *data_dir = NULL;
  long long number;
  int option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'n':
      if (pc_parse_int64(optarg, 0, 100000000, &number) != 0) return pc_cli_usage_error("voters generate", "--count: expected 0-100000000");
      o.count = number;
      break;
    case 's':
      if (pc_parse_int64(optarg, 0, INT64_MAX, &number) != 0) return pc_cli_usage_error("voters generate", "--seed: expected a number");
      o.seed = (uint64_t)number;
      break;
    case 'r':
      if (parse_double(optarg, &o.dup_rate) != 0) return pc_cli_usage_error("voters generate", "--dup-rate: expected a number");
      break;
    case 'o': o.out_path = optarg; break;
    case 'd': data_dir = optarg; break;
    case 'q': o.quiet = 1; break;
    case 'S': o.streets_dir = optarg; break;
    case 'h':
      fputs("usage: precinct voters generate --count N --seed S --dup-rate R --out FILE [--data DIR]\n"
            "         [--streets DIR] [--quiet]\n"
            "\nWrites N synthetic voters in the NC voter file layout (plus a birth_date\n"
            "column) and FILE.labels.csv listing every planted duplicate pair.\n"
            "With --data, uses that instance's counties. With --streets, also writes\n"
            "each county's street index (DIR/<COUNTY>.csv, for `voters streets import`)\n"
            "in which every generated address lies in its precinct.\n", stdout);
      return PC_EXIT_OK;
    default: return pc_cli_usage_error("voters generate", "unknown option");
    }
  }
  if (o.count < 0 || o.out_path == NULL || optind != argc) return pc_cli_usage_error("voters generate", "--count and --out are required");
  char **names = NULL;
  size_t count = 0;
  pc_error_t err;
  pc_error_clear(&err);
  if (data_dir) {
    pc_instance_t instance;
    pc_store_t *store;
    int code = pc_cli_open_store("voters generate", data_dir, &instance, &store);
    if (code != PC_EXIT_OK) return code;
    pc_stmt_t *stmt;
    if (pc_store_prepare(store, "SELECT name FROM counties ORDER BY id", &stmt, &err) == 0) {
      while (pc_stmt_step(stmt, &err) == PC_STORE_ROW) {
        names = pc_xreallocarray(names, count + 1, sizeof *names);
        names[count++] = pc_xstrdup(pc_stmt_column_text(stmt, 0));
      }
      pc_stmt_finalize(stmt);
    }
    pc_store_close(store);
    if (count == 0) return pc_cli_usage_error("voters generate", "the instance has no counties");
    o.counties = (const char *const *)names;
    o.county_count = count;
  }
  int64_t pairs = 0;
  int rc = pc_voters_generate(&o, &pairs, &err);
  for (size_t i = 0; i < count; i++) free(names[i]);
  free(names);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Wrote %lld voters (%lld planted duplicate pairs) to %s\n", (long long)o.count, (long long)pairs, o.out_path);
  return PC_EXIT_OK;
}

static int cmd_import(int argc, char **argv) {
  static const struct option options[] = {{"data", required_argument, NULL, 'd'}, {"format", required_argument, NULL, 'f'},
                                          {"county", required_argument, NULL, 'c'}, {"quiet", no_argument, NULL, 'q'},
                                          {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  const char *data_dir = NULL, *format = NULL, *county = NULL;
  int quiet = 0, option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': data_dir = optarg; break;
    case 'f': format = optarg; break;
    case 'c': county = optarg; break;
    case 'q': quiet = 1; break;
    case 'h':
      fputs("usage: precinct voters import --data DIR [--format nc|vri] [--county NAME] [--quiet] FILE\n"
            "\nImports FILE (NC voter file layout, or NIST VRI JSON registration requests;\n"
            "detected when --format is absent) in one transaction: on any error nothing\n"
            "is imported and the error names the line and field.\n", stdout);
      return PC_EXIT_OK;
    default: return pc_cli_usage_error("voters import", "unknown option");
    }
  }
  if (optind + 1 != argc) return pc_cli_usage_error("voters import", "expected one FILE");
  if (format && strcmp(format, "nc") != 0 && strcmp(format, "vri") != 0)
    return pc_cli_usage_error("voters import", "--format: expected nc or vri");
  pc_voters_cli_t c;
  int code = pc_voters_cli_open("voters import", data_dir, county, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  pc_voters_import_result_t result;
  int rc = pc_voters_import(&c.voters, argv[optind], format, quiet, &result, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  double seconds = (double)result.milliseconds / 1000.0;
  printf("Imported %lld voters from %s in %.1f s (%.0f records/s); batch %lld, file SHA-256 %s\n",
         (long long)result.rows, argv[optind], seconds, seconds > 0 ? (double)result.rows / seconds : 0.0,
         (long long)result.batch_id, result.file_sha256);
  return PC_EXIT_OK;
}

static int cmd_export(int argc, char **argv) {
  static const struct option options[] = {{"data", required_argument, NULL, 'd'}, {"format", required_argument, NULL, 'f'},
                                          {"out", required_argument, NULL, 'o'}, {"county", required_argument, NULL, 'c'},
                                          {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  const char *data_dir = NULL, *format = NULL, *out = NULL, *county = NULL;
  int quiet = 0, option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': data_dir = optarg; break;
    case 'f': format = optarg; break;
    case 'o': out = optarg; break;
    case 'c': county = optarg; break;
    case 'q': quiet = 1; break;
    case 'h':
      fputs("usage: precinct voters export --data DIR --format nc|vri --out FILE [--county NAME] [--quiet]\n"
            "\nWrites the roll in the NC public layout (no birth date, licence or SSN) or as\n"
            "NIST VRI voter records.\n", stdout);
      return PC_EXIT_OK;
    default: return pc_cli_usage_error("voters export", "unknown option");
    }
  }
  if (optind != argc || format == NULL || out == NULL) return pc_cli_usage_error("voters export", "--format and --out are required");
  if (strcmp(format, "nc") != 0 && strcmp(format, "vri") != 0) return pc_cli_usage_error("voters export", "--format: expected nc or vri");
  pc_voters_cli_t c;
  int code = pc_voters_cli_open("voters export", data_dir, county, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int64_t rows = 0;
  int rc = pc_voters_export(&c.voters, format, out, quiet, &rows, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Exported %lld voters to %s\n", (long long)rows, out);
  return PC_EXIT_OK;
}

static int cmd_verify(int argc, char **argv) {
  static const struct option options[] = {{"data", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  const char *data_dir = NULL;
  int option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    if (option == 'd') data_dir = optarg;
    else if (option == 'h') {
      fputs("usage: precinct voters verify --data DIR\n\nRecomputes every bulk-import digest from the voters table and the audit log.\n", stdout);
      return PC_EXIT_OK;
    } else return pc_cli_usage_error("voters verify", "unknown option");
  }
  pc_instance_t instance;
  pc_store_t *store;
  int code = pc_cli_open_store("voters verify", data_dir, &instance, &store);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int64_t rows = 0;
  int rc = pc_voters_verify_imports(store, &rows, &err);
  pc_store_close(store);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Verified %lld bulk-imported voters against their audited digests\n", (long long)rows);
  return PC_EXIT_OK;
}

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
} subcommands[] = {{"generate", cmd_generate},   {"import", cmd_import},       {"export", cmd_export},
                   {"verify", cmd_verify},       {"dedup", pc_voters_cli_dedup}, {"review", pc_voters_cli_review},
                   {"register", pc_voters_cli_register}, {"update", pc_voters_cli_update},
                   {"status", pc_voters_cli_status}, {"cancel", pc_voters_cli_cancel}, {"show", pc_voters_cli_show},
                   {"vote", pc_voters_cli_vote},   {"precinct", pc_voters_cli_precinct},
                   {"maintenance", pc_voters_cli_maintenance}, {"applications", pc_voters_cli_applications},
                   {"streets", pc_voters_cli_streets}};

int pc_cmd_voters(int argc, char **argv) {
  if (argc < 2 || pc_cli_is_help(argv[1])) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? PC_EXIT_USAGE : PC_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
    if (strcmp(argv[1], subcommands[i].name) == 0) return subcommands[i].run(argc - 1, argv + 1);
  return pc_cli_usage_error("voters", "unknown subcommand \"%s\"", argv[1]);
}
