/* `precinct tabulate CONFIG.json [--out DIR]`: counts an RCTab contest
 * configuration and writes the reports (see docs/tabulate.md). */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/tabulate.h"

static const char usage[] =
    "usage: precinct tabulate CONFIG.json [--out DIR] [--expect-ballots N]\n"
    "                         [--tiebreak-choice NAME]... [--threads N] [--quiet]\n"
    "                         [--convert-to-cdf] [--convert-to-csv]\n"
    "\n"
    "Counts the contest described by an RCTab contest configuration file\n"
    "(plurality-free ranked choice: IRV, multi-seat STV, bottoms-up, multi-pass)\n"
    "and writes summary.json, summary.csv (summary_N.* per pass for multi-pass\n"
    "IRV) and audit.json into DIR (default: the config's outputDirectory).\n"
    "\n"
    "  --out DIR             write the reports here instead of outputDirectory\n"
    "  --expect-ballots N    refuse to tabulate unless the CVRs hold N ballots\n"
    "  --tiebreak-choice NAME  the operator's decision for a \"stop counting and\n"
    "                        ask\" tie-break; repeat once per tie, in order\n"
    "  --threads N           CVR sources read in parallel (default: cores)\n"
    "  --quiet               no progress lines\n"
    "  --convert-to-cdf      do not count: write the CVRs as NIST CDF JSON (cvr_cdf.json)\n"
    "  --convert-to-csv      do not count: write the CVRs as RCTab's generic CSV (cvr.csv)\n";

int pc_cmd_tabulate(int argc, char **argv) {
  static const struct option options[] = {{"out", required_argument, NULL, 'o'},
                                          {"expect-ballots", required_argument, NULL, 'e'},
                                          {"tiebreak-choice", required_argument, NULL, 't'},
                                          {"threads", required_argument, NULL, 'j'},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"convert-to-cdf", no_argument, NULL, 'C'},
                                          {"convert-to-csv", no_argument, NULL, 'V'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  pc_tabulate_options_t opts = {0};
  opts.expect_ballots = -1;
  const char **choices = NULL;
  size_t choice_count = 0;
  int option;
  long long value;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'o': opts.out_dir = optarg; break;
    case 'e':
      if (pc_parse_int64(optarg, 0, INT64_MAX, &value) != 0) {
        free(choices);
        return pc_cli_usage_error("tabulate", "--expect-ballots needs a non-negative integer");
      }
      opts.expect_ballots = value;
      break;
    case 't':
      choices = pc_xreallocarray(choices, choice_count + 1, sizeof *choices);
      choices[choice_count++] = optarg;
      break;
    case 'j':
      if (pc_parse_int64(optarg, 1, 1024, &value) != 0) {
        free(choices);
        return pc_cli_usage_error("tabulate", "--threads needs an integer from 1 to 1024");
      }
      opts.threads = (int)value;
      break;
    case 'q': opts.quiet = 1; break;
    case 'C': opts.convert_to_cdf = 1; break;
    case 'V': opts.convert_to_csv = 1; break;
    case 'h': free(choices); fputs(usage, stdout); return PC_EXIT_OK;
    default: free(choices); return pc_cli_usage_error("tabulate", "unknown option");
    }
  }
  if (optind + 1 != argc) {
    free(choices);
    return pc_cli_usage_error("tabulate", "expected one CONFIG.json");
  }
  opts.config_path = argv[optind];
  opts.tiebreak_choices = choices;
  opts.tiebreak_choice_count = choice_count;
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_tabulate_run(&opts, &err);
  free(choices);
  if (rc != 0) return pc_cli_fail(&err);
  return PC_EXIT_OK;
}
