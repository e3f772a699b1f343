/* `precinct voters register|update|status|cancel|show|vote|precinct`: one
 * voter (or precinct) at a time. Output meant for people never shows the
 * birth date, licence or SSN: `show` prints the birth year only. */
#include "cli/cli.h"
#include "cli/voters_cli.h"

#include "precinct/buf.h"
#include "precinct/voters.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char register_usage[] =
    "usage: precinct voters register --data DIR --county NAME [--precinct CODE]\n"
    "         --last NAME --first NAME [--middle NAME] [--suffix S] --dob YYYY-MM-DD\n"
    "         --street ADDRESS --city CITY --zip ZIP [--party P] [--gender M|F|U]\n"
    "         [--dl NUMBER] [--ssn4 NNNN] --citizen [--mail] [--scope NAME]\n"
    "\n"
    "Registers one voter after checking the rules (age by the next election or\n"
    "pre-registration age, citizenship attestation, known precinct). When the\n"
    "county has a street index (`voters streets`), the precinct comes from the\n"
    "address and --precinct, if given, must agree (for an address the index\n"
    "does not have, --precinct is the official's choice); otherwise --precinct\n"
    "is required. --mail marks\n"
    "a mail registration (HAVA first-time-voter ID rule). --scope limits the\n"
    "operator to one county. Prints the new voter's NCID.\n";

/* Parses VOTER-ID as a number (id) or an NCID. */
static int find_voter(pc_voters_t *v, const char *key, pc_voter_t *out, pc_error_t *err) {
  long long id;
  if (pc_parse_int64(key, 1, INT64_MAX, &id) == 0) return pc_voters_get(v, id, out, err);
  return pc_voters_find_ncid(v, key, out, err);
}

static int set_field(char *out, size_t size, const char *value, const char *option) {
  if (pc_strlcpy(out, value, size) != 0) return pc_cli_usage_error("voters", "%s: too long", option);
  return PC_EXIT_OK;
}

int pc_voters_cli_register(int argc, char **argv) {
  static const struct option options[] = {
      {"data", required_argument, NULL, 'd'},  {"county", required_argument, NULL, 'c'},
      {"precinct", required_argument, NULL, 'p'}, {"last", required_argument, NULL, 'l'},
      {"first", required_argument, NULL, 'f'}, {"middle", required_argument, NULL, 'm'},
      {"suffix", required_argument, NULL, 'x'}, {"dob", required_argument, NULL, 'b'},
      {"street", required_argument, NULL, 's'}, {"city", required_argument, NULL, 'y'},
      {"zip", required_argument, NULL, 'z'},   {"party", required_argument, NULL, 'P'},
      {"gender", required_argument, NULL, 'g'}, {"dl", required_argument, NULL, 'L'},
      {"ssn4", required_argument, NULL, 'S'},  {"citizen", no_argument, NULL, 'C'},
      {"mail", no_argument, NULL, 'M'},        {"scope", required_argument, NULL, 'o'},
      {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
  pc_voter_application_t app;
  memset(&app, 0, sizeof app);
  pc_voter_t *r = &app.voter;
  const char *data_dir = NULL, *scope = NULL;
  int option, code = PC_EXIT_OK;
  optind = 1;
  while (code == PC_EXIT_OK && (option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': data_dir = optarg; break;
    case 'c': app.county = optarg; break;
    case 'p': code = set_field(r->precinct_code, sizeof r->precinct_code, optarg, "--precinct"); break;
    case 'l': code = set_field(r->last_name, sizeof r->last_name, optarg, "--last"); break;
    case 'f': code = set_field(r->first_name, sizeof r->first_name, optarg, "--first"); break;
    case 'm': code = set_field(r->middle_name, sizeof r->middle_name, optarg, "--middle"); break;
    case 'x': code = set_field(r->name_suffix, sizeof r->name_suffix, optarg, "--suffix"); break;
    case 'b': code = set_field(r->birth_date, sizeof r->birth_date, optarg, "--dob"); break;
    case 's': code = set_field(r->res_street_address, sizeof r->res_street_address, optarg, "--street"); break;
    case 'y': code = set_field(r->res_city, sizeof r->res_city, optarg, "--city"); break;
    case 'z': code = set_field(r->res_zip, sizeof r->res_zip, optarg, "--zip"); break;
    case 'P': code = set_field(r->party, sizeof r->party, optarg, "--party"); break;
    case 'g': code = set_field(r->gender, sizeof r->gender, optarg, "--gender"); break;
    case 'L': app.drivers_license = optarg; break;
    case 'S': app.ssn4 = optarg; break;
    case 'C': app.citizenship_attested = 1; break;
    case 'M': app.mail_registration = 1; break;
    case 'o': scope = optarg; break;
    case 'h': fputs(register_usage, stdout); return PC_EXIT_OK;
    default: return pc_cli_usage_error("voters register", "unknown option");
    }
  }
  if (code != PC_EXIT_OK) return code;
  if (optind != argc) return pc_cli_usage_error("voters register", "unexpected argument");
  /* --precinct stands for an address the street index lacks (never against
   * the index), as on the county's pages. */
  app.precinct_override = r->precinct_code[0] != '\0';
  pc_voters_cli_t c;
  code = pc_voters_cli_open("voters register", data_dir, scope, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int64_t id = 0;
  pc_voter_t stored;
  int rc = pc_voters_register(&c.voters, &app, &id, &err);
  if (rc == 0) rc = pc_voters_get(&c.voters, id, &stored, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Registered voter %lld, NCID %s, status %s, precinct %s%s\n", (long long)id, stored.ncid, stored.status,
         stored.precinct_code, stored.hava_id_required ? " (must show ID when first voting: HAVA 303(b))" : "");
  return PC_EXIT_OK;
}

/* Parses --data/--county(scope) and returns the remaining positional args. */
typedef struct one_voter_args {
  const char *data_dir, *scope;
} one_voter_args_t;

int pc_voters_cli_update(int argc, char **argv) {
  static const struct option options[] = {
      {"data", required_argument, NULL, 'd'},   {"scope", required_argument, NULL, 'o'},
      {"last", required_argument, NULL, 'l'},   {"first", required_argument, NULL, 'f'},
      {"middle", required_argument, NULL, 'm'}, {"suffix", required_argument, NULL, 'x'},
      {"street", required_argument, NULL, 's'}, {"city", required_argument, NULL, 'y'},
      {"zip", required_argument, NULL, 'z'},    {"party", required_argument, NULL, 'P'},
      {"county", required_argument, NULL, 'c'}, {"precinct", required_argument, NULL, 'p'},
      {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
  pc_voter_change_t change;
  memset(&change, 0, sizeof change);
  one_voter_args_t a = {0};
  int option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': a.data_dir = optarg; break;
    case 'o': a.scope = optarg; break;
    case 'l': change.last_name = optarg; break;
    case 'f': change.first_name = optarg; break;
    case 'm': change.middle_name = optarg; break;
    case 'x': change.name_suffix = optarg; break;
    case 's': change.res_street_address = optarg; break;
    case 'y': change.res_city = optarg; break;
    case 'z': change.res_zip = optarg; break;
    case 'P': change.party = optarg; break;
    case 'c': change.county = optarg; break;
    case 'p': change.precinct_code = optarg; break;
    case 'h':
      fputs("usage: precinct voters update --data DIR [--scope COUNTY] [--last N] [--first N] [--middle N]\n"
            "         [--suffix S] [--street A] [--city C] [--zip Z] [--party P]\n"
            "         [--county NAME] [--precinct CODE] VOTER\n"
            "\nChanges a registration (VOTER is an id or NCID). A new --county transfers the\n"
            "record to that county, keeping its history. A new address or county takes\n"
            "its precinct from the county's street index when it has one (--precinct must\n"
            "then agree); without one a transfer needs --precinct.\n", stdout);
      return PC_EXIT_OK;
    default: return pc_cli_usage_error("voters update", "unknown option");
    }
  }
  if (optind + 1 != argc) return pc_cli_usage_error("voters update", "expected one VOTER");
  pc_voters_cli_t c;
  int code = pc_voters_cli_open("voters update", a.data_dir, a.scope, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  pc_voter_t voter;
  int rc = find_voter(&c.voters, argv[optind], &voter, &err);
  if (rc == 0) rc = pc_voters_update(&c.voters, voter.id, &change, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Updated voter %s\n", voter.ncid);
  return PC_EXIT_OK;
}

/* Shared parsing of `status`, `cancel`, `show`, `vote`: --data, --scope and
 * up to two extra options. */
static int simple_options(int argc, char **argv, const char *command, const char *help, one_voter_args_t *a,
                          const char *extra1, const char **value1, const char *extra2, const char **value2) {
  struct option options[] = {{"data", required_argument, NULL, 'd'}, {"scope", required_argument, NULL, 'o'},
                             {extra1 ? extra1 : "x-unused1", required_argument, NULL, '1'},
                             {extra2 ? extra2 : "x-unused2", required_argument, NULL, '2'},
                             {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  int option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': a->data_dir = optarg; break;
    case 'o': a->scope = optarg; break;
    case '1': *value1 = optarg; break;
    case '2': *value2 = optarg; break;
    case 'h': fputs(help, stdout); return -1;
    default: return pc_cli_usage_error(command, "unknown option");
    }
  }
  return PC_EXIT_OK;
}

int pc_voters_cli_status(int argc, char **argv) {
  one_voter_args_t a = {0};
  const char *status = NULL, *reason = NULL;
  int code = simple_options(argc, argv, "voters status",
                            "usage: precinct voters status --data DIR --set A|I|R|P|D|S [--reason CODE] [--scope COUNTY] VOTER\n",
                            &a, "set", &status, "reason", &reason);
  if (code == -1) return PC_EXIT_OK;
  if (code != PC_EXIT_OK) return code;
  if (status == NULL || optind + 1 != argc) return pc_cli_usage_error("voters status", "expected --set and one VOTER");
  pc_voters_cli_t c;
  code = pc_voters_cli_open("voters status", a.data_dir, a.scope, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  pc_voter_t voter;
  int rc = find_voter(&c.voters, argv[optind], &voter, &err);
  if (rc == 0) rc = pc_voters_set_status(&c.voters, voter.id, status, reason, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Voter %s is now %s\n", voter.ncid, pc_voters_status_desc(status));
  return PC_EXIT_OK;
}

int pc_voters_cli_cancel(int argc, char **argv) {
  one_voter_args_t a = {0};
  const char *reason = NULL, *duplicate_of = NULL;
  int code = simple_options(argc, argv, "voters cancel",
                            "usage: precinct voters cancel --data DIR --reason death|request|moved|felony|duplicate\n"
                            "         [--duplicate-of VOTER] [--scope COUNTY] VOTER\n",
                            &a, "reason", &reason, "duplicate-of", &duplicate_of);
  if (code == -1) return PC_EXIT_OK;
  if (code != PC_EXIT_OK) return code;
  if (reason == NULL || optind + 1 != argc) return pc_cli_usage_error("voters cancel", "expected --reason and one VOTER");
  pc_voters_cli_t c;
  code = pc_voters_cli_open("voters cancel", a.data_dir, a.scope, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  pc_voter_t voter, survivor;
  memset(&survivor, 0, sizeof survivor);
  int rc = find_voter(&c.voters, argv[optind], &voter, &err);
  if (rc == 0 && duplicate_of) rc = find_voter(&c.voters, duplicate_of, &survivor, &err);
  if (rc == 0) rc = pc_voters_cancel(&c.voters, voter.id, reason, survivor.id, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Cancelled voter %s (%s)\n", voter.ncid, reason);
  return PC_EXIT_OK;
}

int pc_voters_cli_show(int argc, char **argv) {
  one_voter_args_t a = {0};
  const char *unused1 = NULL, *unused2 = NULL;
  int code = simple_options(argc, argv, "voters show", "usage: precinct voters show --data DIR [--scope COUNTY] VOTER\n", &a,
                            NULL, &unused1, NULL, &unused2);
  if (code == -1) return PC_EXIT_OK;
  if (code != PC_EXIT_OK) return code;
  if (optind + 1 != argc) return pc_cli_usage_error("voters show", "expected one VOTER");
  pc_voters_cli_t c;
  code = pc_voters_cli_open("voters show", a.data_dir, a.scope, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  pc_voter_t v;
  int rc = find_voter(&c.voters, argv[optind], &v, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  /* Identity-proof data (birth date, licence, SSN) is never printed. */
  printf("id: %lld\nncid: %s\ncounty_id: %lld\nregistration_number: %s\nname: %s %s %s %s\n"
         "status: %s %s (%s %s) since %s\nresidence: %s, %s %s %s\nprecinct: %s\nparty: %s\nbirth_year: %lld\n"
         "registered: %s (%s)\nid_on_file: licence %s, ssn4 %s\nhava_id_required: %s\n",
         (long long)v.id, v.ncid, (long long)v.county_id, v.voter_reg_num, v.first_name, v.middle_name, v.last_name,
         v.name_suffix, v.status, pc_voters_status_desc(v.status), v.status_reason, v.status_reason_desc,
         v.status_date, v.res_street_address, v.res_city, v.res_state, v.res_zip, v.precinct_code, v.party,
         (long long)v.birth_year, v.registration_date, v.registration_source, v.has_dl_hmac ? "yes" : "no",
         v.has_ssn4_hmac ? "yes" : "no", v.hava_id_required ? "yes" : "no");
  if (v.merged_into_id) printf("duplicate_of: %lld\n", (long long)v.merged_into_id);
  return PC_EXIT_OK;
}

int pc_voters_cli_vote(int argc, char **argv) {
  one_voter_args_t a = {0};
  const char *election = NULL, *method = NULL;
  int code = simple_options(argc, argv, "voters vote",
                            "usage: precinct voters vote --data DIR --election YYYY-MM-DD[:DESCRIPTION]\n"
                            "         --method in_person|early|absentee|provisional|uocava [--scope COUNTY] VOTER\n",
                            &a, "election", &election, "method", &method);
  if (code == -1) return PC_EXIT_OK;
  if (code != PC_EXIT_OK) return code;
  if (election == NULL || method == NULL || optind + 1 != argc)
    return pc_cli_usage_error("voters vote", "expected --election, --method and one VOTER");
  char date[16];
  pc_snprintf(date, sizeof date, "%.10s", election);
  const char *desc = strlen(election) > 11 && election[10] == ':' ? election + 11 : "GENERAL";
  pc_voters_cli_t c;
  code = pc_voters_cli_open("voters vote", a.data_dir, a.scope, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  pc_voter_t voter;
  int rc = find_voter(&c.voters, argv[optind], &voter, &err);
  if (rc == 0) rc = pc_voters_record_vote(&c.voters, voter.id, date, desc, method, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Recorded %s vote of %s in %s\n", method, voter.ncid, date);
  return PC_EXIT_OK;
}

int pc_voters_cli_precinct(int argc, char **argv) {
  one_voter_args_t a = {0};
  const char *county = NULL, *name = NULL;
  int code = simple_options(argc, argv, "voters precinct",
                            "usage: precinct voters precinct --data DIR --county NAME [--name DESC] CODE\n"
                            "\nAdds precinct CODE to a county (voters register only into known precincts).\n",
                            &a, "county", &county, "name", &name);
  if (code == -1) return PC_EXIT_OK;
  if (code != PC_EXIT_OK) return code;
  if (county == NULL || optind + 1 != argc) return pc_cli_usage_error("voters precinct", "expected --county and one CODE");
  pc_voters_cli_t c;
  code = pc_voters_cli_open("voters precinct", a.data_dir, a.scope, &c);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_voters_add_precinct(&c.voters, county, argv[optind], name, &err);
  pc_voters_cli_close(&c);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Added precinct %s to %s\n", argv[optind], county);
  return PC_EXIT_OK;
}
