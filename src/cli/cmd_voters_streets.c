/* `precinct voters streets import|export|lookup`: a county's street index
 * (house-number ranges and their precincts) from and to CSV, and the
 * precinct of one address. The index itself is src/voters/streets*.c. */
#include "cli/cli.h"
#include "cli/voters_cli.h"

#include "precinct/voters_streets.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: precinct voters streets import --data DIR --county NAME FILE.csv\n"
    "       precinct voters streets export --data DIR --county NAME --out FILE.csv\n"
    "       precinct voters streets lookup --data DIR --county NAME \"123 MAIN ST\" ZIP\n"
    "\n"
    "A county's street index: one line per street segment, header\n"
    "street,low,high,parity,zip,city,precinct (parity E even, O odd, B both).\n"
    "import replaces the county's index as a whole (all or nothing; errors name\n"
    "FILE:LINE); registration then derives the precinct from the address.\n"
    "export writes the current index; lookup prints the precinct of an address.\n";

typedef struct streets_args {
  const char *data_dir, *county, *out;
} streets_args_t;

/* Options shared by the three; -1 after --help. */
static int parse(int argc, char **argv, const char *command, streets_args_t *a) {
  static const struct option options[] = {{"data", required_argument, NULL, 'd'}, {"county", required_argument, NULL, 'c'},
                                          {"out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  int option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': a->data_dir = optarg; break;
    case 'c': a->county = optarg; break;
    case 'o': a->out = optarg; break;
    case 'h': fputs(usage, stdout); return -1;
    default: return pc_cli_usage_error(command, "unknown option");
    }
  }
  if (a->county == NULL) return pc_cli_usage_error(command, "--county is required");
  return PC_EXIT_OK;
}

static int cmd_import(int argc, char **argv) {
  streets_args_t a = {0};
  int code = parse(argc, argv, "voters streets import", &a);
  if (code != PC_EXIT_OK) return code == -1 ? PC_EXIT_OK : code;
  if (optind + 1 != argc) return pc_cli_usage_error("voters streets import", "expected one FILE.csv");
  pc_voters_cli_t c;
  code = pc_voters_cli_open("voters streets import", a.data_dir, a.county, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  pc_streets_import_result_t result;
  int rc = pc_voters_streets_import(&c.voters, a.county, argv[optind], &result, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Imported %lld street segments for %s (index version %lld, file SHA-256 %s)\n", (long long)result.segments,
         a.county, (long long)result.version_id, result.file_sha256);
  return PC_EXIT_OK;
}

static int cmd_export(int argc, char **argv) {
  streets_args_t a = {0};
  int code = parse(argc, argv, "voters streets export", &a);
  if (code != PC_EXIT_OK) return code == -1 ? PC_EXIT_OK : code;
  if (a.out == NULL || optind != argc) return pc_cli_usage_error("voters streets export", "expected --out FILE.csv");
  pc_voters_cli_t c;
  code = pc_voters_cli_open("voters streets export", a.data_dir, a.county, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int64_t rows = 0;
  int rc = pc_voters_streets_export(&c.voters, a.county, a.out, &rows, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Exported %lld street segments of %s to %s\n", (long long)rows, a.county, a.out);
  return PC_EXIT_OK;
}

static int cmd_lookup(int argc, char **argv) {
  streets_args_t a = {0};
  int code = parse(argc, argv, "voters streets lookup", &a);
  if (code != PC_EXIT_OK) return code == -1 ? PC_EXIT_OK : code;
  if (optind + 2 != argc) return pc_cli_usage_error("voters streets lookup", "expected an ADDRESS and a ZIP");
  pc_voters_cli_t c;
  code = pc_voters_cli_open("voters streets lookup", a.data_dir, a.county, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int64_t county_id = 0;
  char precinct[8];
  int rc = pc_voters_county_id(c.store, a.county, &county_id, &err);
  if (rc == 0) rc = pc_voters_streets_lookup(c.store, county_id, argv[optind], argv[optind + 1], precinct, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  printf("%s\n", precinct);
  return PC_EXIT_OK;
}

int pc_voters_cli_streets(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? PC_EXIT_USAGE : PC_EXIT_OK;
  }
  if (strcmp(argv[1], "import") == 0) return cmd_import(argc - 1, argv + 1);
  if (strcmp(argv[1], "export") == 0) return cmd_export(argc - 1, argv + 1);
  if (strcmp(argv[1], "lookup") == 0) return cmd_lookup(argc - 1, argv + 1);
  return pc_cli_usage_error("voters streets", "unknown subcommand \"%s\"", argv[1]);
}
