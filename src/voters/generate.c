/* `precinct voters generate`: a synthetic but realistic state roll in the
 * NC layout (plus a birth_date extension column) from US Census 1990 name
 * frequencies, with duplicate registrations planted on purpose and listed in
 * a labels file, so duplicate detection can be measured, and optionally the
 * counties' street indexes that place every generated address in its
 * precinct. Deterministic for a seed. Writes files only; never touches an
 * instance. */
#include "nc_layout.h"
#include "similarity.h"
#include "voters_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/embedded.h"
#include "precinct/progress.h"
#include "precinct/voters_tools.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* NC's counties in the order of their county_id (Yancey, code 00, is 100). */
static const char *const nc_counties[100] = {
    "ALAMANCE", "ALEXANDER", "ALLEGHANY", "ANSON", "ASHE", "AVERY", "BEAUFORT", "BERTIE", "BLADEN", "BRUNSWICK",
    "BUNCOMBE", "BURKE", "CABARRUS", "CALDWELL", "CAMDEN", "CARTERET", "CASWELL", "CATAWBA", "CHATHAM", "CHEROKEE",
    "CHOWAN", "CLAY", "CLEVELAND", "COLUMBUS", "CRAVEN", "CUMBERLAND", "CURRITUCK", "DARE", "DAVIDSON", "DAVIE",
    "DUPLIN", "DURHAM", "EDGECOMBE", "FORSYTH", "FRANKLIN", "GASTON", "GATES", "GRAHAM", "GRANVILLE", "GREENE",
    "GUILFORD", "HALIFAX", "HARNETT", "HAYWOOD", "HENDERSON", "HERTFORD", "HOKE", "HYDE", "IREDELL", "JACKSON",
    "JOHNSTON", "JONES", "LEE", "LENOIR", "LINCOLN", "MACON", "MADISON", "MARTIN", "MCDOWELL", "MECKLENBURG",
    "MITCHELL", "MONTGOMERY", "MOORE", "NASH", "NEWHANOVER", "NORTHAMPTON", "ONSLOW", "ORANGE", "PAMLICO",
    "PASQUOTANK", "PENDER", "PERQUIMANS", "PERSON", "PITT", "POLK", "RANDOLPH", "RICHMOND", "ROBESON", "ROCKINGHAM",
    "ROWAN", "RUTHERFORD", "SAMPSON", "SCOTLAND", "STANLY", "STOKES", "SURRY", "SWAIN", "TRANSYLVANIA", "TYRRELL",
    "UNION", "VANCE", "WAKE", "WARREN", "WASHINGTON", "WATAUGA", "WAYNE", "WILKES", "WILSON", "YADKIN", "YANCEY"};

typedef struct name_table {
  char (*names)[24];
  double *cumulative;
  size_t count;
} name_table_t;

typedef struct county_info {
  char name[32];
  int64_t code;
  double cumulative;
  int precincts;
  int streets; /* of its street index, see street_unit */
  int64_t next_reg;
} county_info_t;

typedef struct generator {
  uint64_t rng;
  name_table_t last, male, female;
  county_info_t *counties;
  size_t county_count;
  int64_t serial;
} generator_t;

static uint64_t next_random(generator_t *g) {
  uint64_t z = (g->rng += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double uniform(generator_t *g) {
  return (double)(next_random(g) >> 11) / 9007199254740992.0;
}

static int below(generator_t *g, int n) {
  return (int)(next_random(g) % (uint64_t)n);
}

static int load_names(const char *file, name_table_t *t, pc_error_t *err) {
  const pc_embedded_file_t *f = pc_embedded_find(pc_embedded_names, file);
  if (f == NULL) return pc_error_set(err, PC_EINTERNAL, "embedded name file %s missing", file);
  memset(t, 0, sizeof *t);
  size_t capacity = 0;
  double total = 0;
  const char *p = f->data, *end = f->data + f->size;
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (eol == NULL) eol = end;
    char line[128];
    if (pc_voters_copy(line, sizeof line, p, (size_t)(eol - p)) == 0) {
      char name[24];
      double freq = 0;
      if (sscanf(line, "%23s %lf", name, &freq) == 2 && freq > 0) {
        if (t->count == capacity) {
          capacity = capacity ? capacity * 2 : 1024;
          t->names = pc_xreallocarray(t->names, capacity, sizeof *t->names);
          t->cumulative = pc_xreallocarray(t->cumulative, capacity, sizeof *t->cumulative);
        }
        total += freq;
        pc_strlcpy(t->names[t->count], name, sizeof t->names[0]);
        t->cumulative[t->count++] = total;
      }
    }
    p = eol + 1;
  }
  if (t->count == 0) return pc_error_set(err, PC_EINTERNAL, "embedded name file %s is empty", file);
  return 0;
}

static const char *pick(generator_t *g, const name_table_t *t) {
  double u = uniform(g) * t->cumulative[t->count - 1];
  size_t lo = 0, hi = t->count - 1;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (t->cumulative[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return t->names[lo];
}

static county_info_t *pick_county(generator_t *g) {
  double u = uniform(g) * g->counties[g->county_count - 1].cumulative;
  size_t lo = 0, hi = g->county_count - 1;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (g->counties[mid].cumulative < u) lo = mid + 1;
    else hi = mid;
  }
  return &g->counties[lo];
}

static void random_date(generator_t *g, int year_from, int year_to, char out[12]) {
  static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int year = year_from + below(g, year_to - year_from + 1);
  int month = 1 + below(g, 12);
  int day = 1 + below(g, month_days[month - 1]);
  pc_snprintf(out, 12, "%04d-%02d-%02d", year, month, day);
}

/* The county's street index, a function of the county alone, so that the
 * generator's addresses and the index it writes (pc_voters_generate with
 * streets_dir) agree: 20 streets a precinct (at most 8,000), named after
 * surnames with one of ten suffixes (unique in the county), each cut into
 * units: numbers 1-4999, then 5000-9999, split into its even and odd sides
 * on every third street. Units are numbered street by street and dealt to
 * the precincts in runs (unit * precincts / units), so a precinct is a few
 * neighbouring streets. */
static const char *const street_types[] = {"ST", "RD", "AVE", "DR", "LN", "CT", "WAY", "BLVD", "PL", "TRL"};
enum { STREET_NAMES = 800, MAX_STREETS = 8000, SPLIT_AT = 5000, MAX_HOUSE = 9999 };

static int units_before(int street) {
  return 2 * street + (street + 2) / 3;
}

static void street_name(const generator_t *g, const county_info_t *county, int street, char *out, size_t size) {
  int names = g->last.count < STREET_NAMES ? (int)g->last.count : STREET_NAMES;
  int name = (int)((street % STREET_NAMES + county->code * 131) % names);
  /* (name, suffix) is unique in the county: street % STREET_NAMES and
   * street / STREET_NAMES (< 10) are recovered from them. */
  pc_snprintf(out, size, "%s %s", g->last.names[name], street_types[(street / STREET_NAMES + street) % 10]);
}

/* Unit K of STREET: its numbers and parity. */
static void street_unit(int street, int k, int *low, int *high, char *parity) {
  *low = k == 0 ? 1 : SPLIT_AT;
  *high = k == 0 ? SPLIT_AT - 1 : MAX_HOUSE;
  *parity = street % 3 != 0 || k == 0 ? 'B' : k == 1 ? 'E' : 'O';
}

static int unit_precinct(const county_info_t *county, int unit) {
  return (int)((int64_t)unit * county->precincts / units_before(county->streets));
}

static void set_city_zip(generator_t *g, pc_voter_t *v, const county_info_t *county, int precinct) {
  static const char *const city_suffixes[] = {"VILLE", "TON", " SPRINGS", "BORO"};
  int city = precinct % 4;
  const char *base = g->last.names[(county->code * 31 + city * 7) % (g->last.count < 300 ? g->last.count : 300)];
  pc_snprintf(v->res_city, sizeof v->res_city, "%s%s", base, city_suffixes[city]);
  pc_snprintf(v->res_zip, sizeof v->res_zip, "%05lld", (long long)(27000 + county->code * 19 + precinct % 19));
}

static void set_address(generator_t *g, pc_voter_t *v, county_info_t *county, int *precinct) {
  int street = below(g, county->streets), number = 1 + below(g, MAX_HOUSE);
  /* Two more draws, as when the street's suffix and the precinct were
   * drawn on their own: the rest of the stream, hence every name, birth
   * date and planted duplicate of a seed, stays as it was. */
  (void)next_random(g);
  (void)next_random(g);
  int k = number < SPLIT_AT ? 0 : street % 3 != 0 || number % 2 == 0 ? 1 : 2;
  char name[48];
  street_name(g, county, street, name, sizeof name);
  pc_snprintf(v->res_street_address, sizeof v->res_street_address, "%d %s", number, name);
  *precinct = unit_precinct(county, units_before(street) + k);
  set_city_zip(g, v, county, *precinct);
  pc_strlcpy(v->res_state, "NC", sizeof v->res_state);
  v->county_id = county->code;
  pc_snprintf(v->precinct_code, sizeof v->precinct_code, "%04d", *precinct + 1);
  int64_t c = county->code;
  int p = *precinct;
  pc_snprintf(v->district[0], 64, "%.3s", v->res_city);
  pc_strlcpy(v->district[1], v->res_city, 64);
  pc_snprintf(v->district[4], 64, "%lld", (long long)(1 + (c * 7 + p / 50) % 14));
  pc_snprintf(v->district[5], 64, "%02lldA", (long long)(1 + c % 30));
  pc_snprintf(v->district[6], 64, "%02lld", (long long)(1 + c % 30));
  pc_snprintf(v->district[7], 64, "%02lld", (long long)(1 + (c * 3 + p / 20) % 50));
  pc_snprintf(v->district[8], 64, "%03lld", (long long)(1 + (c * 5 + p / 8) % 120));
  pc_snprintf(v->district[13], 64, "S%02lld", (long long)(1 + c % 40));
  pc_snprintf(v->district[14], 64, "%s SCHOOLS", county->name);
  pc_strlcpy(v->district[29], v->precinct_code, 64);
  pc_snprintf(v->district[30], 64, "PRECINCT %d", p + 1);
}

static void set_reg_num(pc_voter_t *v, county_info_t *county) {
  pc_snprintf(v->voter_reg_num, sizeof v->voter_reg_num, "%lld", (long long)++county->next_reg);
}

static void set_ncid(generator_t *g, pc_voter_t *v) {
  int64_t n = g->serial++;
  pc_snprintf(v->ncid, sizeof v->ncid, "%c%c%06lld", 'A' + (int)(n / 26000000 % 26), 'A' + (int)(n / 1000000 % 26),
              (long long)(n % 1000000));
}

static void set_status(generator_t *g, pc_voter_t *v) {
  double u = uniform(g);
  const char *status = "A", *reason = "AV";
  if (u > 0.99) status = "D", reason = "DN";
  else if (u > 0.96) {
    static const char *const removed[] = {"RD", "RS", "RL", "RM", "RQ"};
    status = "R", reason = removed[below(g, 5)];
  } else if (u > 0.88) status = "I", reason = below(g, 2) ? "IN" : "IU";
  pc_strlcpy(v->status, status, sizeof v->status);
  pc_strlcpy(v->status_reason, reason, sizeof v->status_reason);
  pc_strlcpy(v->status_reason_desc, pc_voters_reason_desc(reason), sizeof v->status_reason_desc);
}

static void new_person(generator_t *g, pc_voter_t *v, const pc_voter_t *household, county_info_t **county, int *precinct) {
  memset(v, 0, sizeof *v);
  int female = below(g, 2);
  const name_table_t *firsts = female ? &g->female : &g->male;
  pc_strlcpy(v->first_name, pick(g, firsts), sizeof v->first_name);
  if (uniform(g) < 0.85) pc_strlcpy(v->middle_name, pick(g, firsts), sizeof v->middle_name);
  if (household) {
    pc_strlcpy(v->last_name, household->last_name, sizeof v->last_name);
    memcpy(v->res_street_address, household->res_street_address, sizeof v->res_street_address);
    memcpy(v->res_city, household->res_city, sizeof v->res_city);
    memcpy(v->res_state, household->res_state, sizeof v->res_state);
    memcpy(v->res_zip, household->res_zip, sizeof v->res_zip);
    memcpy(v->precinct_code, household->precinct_code, sizeof v->precinct_code);
    memcpy(v->district, household->district, sizeof v->district);
    v->county_id = household->county_id;
  } else {
    pc_strlcpy(v->last_name, pick(g, &g->last), sizeof v->last_name);
    *county = pick_county(g);
    set_address(g, v, *county, precinct);
  }
  if (!female && uniform(g) < 0.03) pc_strlcpy(v->name_suffix, below(g, 2) ? "JR" : "III", sizeof v->name_suffix);
  pc_strlcpy(v->gender, uniform(g) < 0.02 ? "U" : female ? "F" : "M", sizeof v->gender);
  random_date(g, 1930, 2007, v->birth_date);
  v->birth_year = strtoll(v->birth_date, NULL, 10);
  random_date(g, (int)v->birth_year + 18 > 2025 ? 2025 : (int)v->birth_year + 18, 2025, v->registration_date);
  set_status(g, v);
  static const char *const parties[] = {"DEM", "REP", "UNA", "LIB", "GRE"};
  static const double party_share[] = {0.33, 0.63, 0.98, 0.99, 1.0};
  double u = uniform(g);
  int party = 0;
  while (u > party_share[party]) party++;
  pc_strlcpy(v->party, parties[party], sizeof v->party);
  static const char *const races[] = {"W", "B", "A", "O", "M", "I", "U"};
  static const double race_share[] = {0.62, 0.83, 0.86, 0.89, 0.91, 0.92, 1.0};
  u = uniform(g);
  int race = 0;
  while (u > race_share[race]) race++;
  pc_strlcpy(v->race, races[race], sizeof v->race);
  u = uniform(g);
  pc_strlcpy(v->ethnicity, u < 0.8 ? "NL" : u < 0.86 ? "HL" : "UN", sizeof v->ethnicity);
  pc_strlcpy(v->birth_state, uniform(g) < 0.55 ? "NC" : uniform(g) < 0.5 ? "VA" : "NY", sizeof v->birth_state);
  pc_strlcpy(v->drivers_lic, uniform(g) < 0.9 ? "Y" : "N", sizeof v->drivers_lic);
  pc_strlcpy(v->confidential, "N", sizeof v->confidential);
  if (uniform(g) < 0.4) pc_snprintf(v->phone, sizeof v->phone, "919%07d", below(g, 10000000));
  if (uniform(g) < 0.1) {
    pc_snprintf(v->mail_addr[0], sizeof v->mail_addr[0], "PO BOX %d", 1 + below(g, 9999));
    memcpy(v->mail_city, v->res_city, sizeof v->mail_city);
    pc_strlcpy(v->mail_state, "NC", sizeof v->mail_state);
    memcpy(v->mail_zip, v->res_zip, sizeof v->mail_zip);
  }
}

static void typo(generator_t *g, char *name, size_t size) {
  size_t n = strlen(name);
  if (n < 4) return;
  size_t i = 1 + (size_t)below(g, (int)n - 2);
  switch (below(g, 4)) {
  case 0: name[i] = (char)('A' + below(g, 26)); break;                  /* substitution */
  case 1: memmove(name + i, name + i + 1, n - i); break;                  /* deletion */
  case 2: { char c = name[i]; name[i] = name[i + 1]; name[i + 1] = c; } break; /* transposition */
  default:
    if (n + 1 < size) {
      memmove(name + i + 1, name + i, n - i + 1);
      name[i] = name[i - 1]; /* doubled letter */
    }
    break;
  }
}

/* Makes DUP a new registration of the same person as V. */
static void make_duplicate(generator_t *g, const pc_voter_t *v, pc_voter_t *dup) {
  *dup = *v; /* its NCID is assigned when it is written */
  random_date(g, 2016, 2025, dup->registration_date);
  if (strcmp(dup->registration_date, v->registration_date) < 0) memcpy(dup->registration_date, v->registration_date, 12);
  pc_strlcpy(dup->status, "A", sizeof dup->status);
  pc_strlcpy(dup->status_reason, "AV", sizeof dup->status_reason);
  pc_strlcpy(dup->status_reason_desc, pc_voters_reason_desc("AV"), sizeof dup->status_reason_desc);
  int kind = below(g, 5);
  int month = (int)strtol(v->birth_date + 5, NULL, 10), day = (int)strtol(v->birth_date + 8, NULL, 10);
  const char *nick = pc_nickname_of(v->first_name, (unsigned)below(g, 8));
  if (kind == 1 && nick == NULL) kind = 0;
  if (kind == 2 && (day > 12 || day == month)) kind = 0;
  if (kind == 4 && v->gender[0] != 'F') kind = 3;
  county_info_t *county = NULL;
  int precinct = 0;
  switch (kind) {
  case 0:
    if (below(g, 2)) typo(g, dup->first_name, sizeof dup->first_name);
    else typo(g, dup->last_name, sizeof dup->last_name);
    break;
  case 1: pc_strlcpy(dup->first_name, nick, sizeof dup->first_name); break;
  case 2: pc_snprintf(dup->birth_date, sizeof dup->birth_date, "%.4s-%02d-%02d", v->birth_date, day, month); break;
  case 4:
    if (uniform(g) < 0.2) pc_strlcpy(dup->middle_name, v->last_name, sizeof dup->middle_name);
    pc_strlcpy(dup->last_name, pick(g, &g->last), sizeof dup->last_name);
    if (uniform(g) >= 0.25) break;
    /* most people who marry also move */
    __attribute__((fallthrough));
  default:
    county = uniform(g) < 0.3 ? pick_county(g) : &g->counties[0];
    if (county == &g->counties[0]) {
      for (size_t i = 0; i < g->county_count; i++)
        if (g->counties[i].code == v->county_id) county = &g->counties[i];
    }
    set_address(g, dup, county, &precinct);
    break;
  }
  if (uniform(g) < 0.1 && dup->middle_name[0]) dup->middle_name[1] = '\0';
  for (size_t i = 0; i < g->county_count; i++)
    if (g->counties[i].code == dup->county_id) set_reg_num(dup, &g->counties[i]);
}

static const char *county_name_of(const generator_t *g, int64_t code) {
  for (size_t i = 0; i < g->county_count; i++)
    if (g->counties[i].code == code) return g->counties[i].name;
  return "";
}

static void emit(FILE *out, pc_buf_t *line, const generator_t *g, const pc_voter_t *v) {
  char precinct_desc[32];
  pc_snprintf(precinct_desc, sizeof precinct_desc, "PRECINCT %d", (int)strtol(v->precinct_code, NULL, 10));
  pc_buf_reset(line);
  pc_nc_write_record(line, v, county_name_of(g, v->county_id), precinct_desc, 2026, 1);
  fwrite(line->data, 1, line->len, out);
}

typedef struct pending {
  pc_voter_t voter;
  char original_ncid[16];
  int64_t emit_at;
} pending_t;

enum { DUP_DELAY = 997, PENDING_CAPACITY = 4096 };

static int setup(generator_t *g, const pc_voters_generate_options_t *o, pc_error_t *err) {
  memset(g, 0, sizeof *g);
  g->rng = o->seed;
  int rc = load_names("dist.all.last", &g->last, err);
  if (rc == 0) rc = load_names("dist.male.first", &g->male, err);
  if (rc == 0) rc = load_names("dist.female.first", &g->female, err);
  if (rc != 0) return rc;
  g->county_count = o->counties ? o->county_count : 100;
  g->counties = pc_xcalloc(g->county_count, sizeof *g->counties);
  double total = 0;
  double mean_voters = (double)o->count / (double)g->county_count;
  for (size_t i = 0; i < g->county_count; i++) {
    county_info_t *c = &g->counties[i];
    pc_strlcpy(c->name, o->counties ? o->counties[i] : nc_counties[i], sizeof c->name);
    pc_voters_normalize(c->name);
    c->code = (int64_t)i + 1;
    double weight = 0.2 + 4.8 * uniform(g) * uniform(g);
    total += weight;
    c->cumulative = total;
    int precincts = (int)(mean_voters * weight / 2.5 / 2000.0) + 1;
    c->precincts = precincts > 9999 ? 9999 : precincts;
    c->streets = 20 * c->precincts < MAX_STREETS ? 20 * c->precincts : MAX_STREETS;
  }
  return 0;
}

/* Writes each county's street index as DIR/<COUNTY>.csv (the county's name,
 * characters other than letters and digits as '_'), in the format of
 * `voters streets import`. */
static int write_streets(generator_t *g, const char *dir, pc_error_t *err) {
  if (mkdir(dir, 0755) != 0 && errno != EEXIST)
    return pc_error_set_at(err, PC_EIO, dir, 0, NULL, "cannot create: %s", strerror(errno));
  pc_voter_t *place = pc_xmalloc(sizeof *place);
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < g->county_count; i++) {
    const county_info_t *county = &g->counties[i];
    char file_name[48], path[1200];
    pc_strlcpy(file_name, county->name, sizeof file_name);
    for (char *c = file_name; *c; c++)
      if (!isalnum((unsigned char)*c)) *c = '_';
    pc_snprintf(path, sizeof path, "%s/%s.csv", dir, file_name);
    FILE *out = fopen(path, "wb");
    if (out == NULL) {
      rc = pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot create: %s", strerror(errno));
      break;
    }
    fputs("street,low,high,parity,zip,city,precinct\n", out);
    for (int street = 0; street < county->streets; street++) {
      char name[48];
      street_name(g, county, street, name, sizeof name);
      for (int k = 0; k < (street % 3 == 0 ? 3 : 2); k++) {
        int low, high, precinct = unit_precinct(county, units_before(street) + k);
        char parity;
        street_unit(street, k, &low, &high, &parity);
        set_city_zip(g, place, county, precinct);
        fprintf(out, "%s,%d,%d,%c,%s,%s,%04d\n", name, low, high, parity, place->res_zip, place->res_city, precinct + 1);
      }
    }
    if (ferror(out) | (fclose(out) != 0)) rc = pc_error_set_at(err, PC_EIO, path, 0, NULL, "write failed");
  }
  free(place);
  return rc;
}

static void teardown(generator_t *g) {
  free(g->last.names), free(g->last.cumulative);
  free(g->male.names), free(g->male.cumulative);
  free(g->female.names), free(g->female.cumulative);
  free(g->counties);
}

int pc_voters_generate(const pc_voters_generate_options_t *o, int64_t *pairs_out, pc_error_t *err) {
  if (o->count < 0 || o->count > 100000000) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "count", "expected 0-100000000");
  if (o->dup_rate < 0 || o->dup_rate > 0.5) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "dup-rate", "expected 0-0.5");
  pc_similarity_init();
  generator_t g;
  int rc = setup(&g, o, err);
  if (rc != 0) {
    teardown(&g);
    return rc;
  }
  char labels_path[1200];
  pc_snprintf(labels_path, sizeof labels_path, "%s.labels.csv", o->out_path);
  FILE *out = fopen(o->out_path, "wb");
  FILE *labels = out ? fopen(labels_path, "wb") : NULL;
  if (out == NULL || labels == NULL) {
    rc = pc_error_set_at(err, PC_EIO, out ? labels_path : o->out_path, 0, NULL, "cannot create: %s", strerror(errno));
    if (out) fclose(out);
    teardown(&g);
    return rc;
  }
  char *out_buffer = pc_xmalloc(1 << 20);
  setvbuf(out, out_buffer, _IOFBF, 1 << 20);
  fputs("ncid_a,ncid_b\n", labels);
  pc_buf_t line;
  pc_buf_init(&line, 0);
  pc_nc_write_header(&line, 1);
  fwrite(line.data, 1, line.len, out);
  pending_t *queue = pc_xmalloc(PENDING_CAPACITY * sizeof *queue);
  size_t head = 0, queued = 0;
  /* Expected duplicates per original so that DUP_RATE of all lines are duplicates. */
  double dup_chance = o->dup_rate < 1 ? o->dup_rate / (1 - o->dup_rate) : 0;
  pc_voter_t voter, previous;
  int have_previous = 0;
  int64_t written = 0, pairs = 0;
  pc_progress_t *progress = pc_progress_start("generate", (uint64_t)o->count, o->quiet);
  while (written < o->count) {
    if (queued && (queue[head].emit_at <= written || written + (int64_t)queued >= o->count)) {
      pending_t *p = &queue[head];
      set_ncid(&g, &p->voter);
      emit(out, &line, &g, &p->voter);
      fprintf(labels, "%s,%s\n", p->original_ncid, p->voter.ncid);
      head = (head + 1) % PENDING_CAPACITY;
      queued--;
      written++;
      pairs++;
      continue;
    }
    county_info_t *county = NULL;
    int precinct = 0;
    int household = have_previous && uniform(&g) < 0.3;
    new_person(&g, &voter, household ? &previous : NULL, &county, &precinct);
    if (household) {
      for (size_t i = 0; i < g.county_count; i++)
        if (g.counties[i].code == voter.county_id) county = &g.counties[i];
    }
    set_ncid(&g, &voter);
    set_reg_num(&voter, county);
    emit(out, &line, &g, &voter);
    written++;
    previous = voter;
    have_previous = 1;
    if (queued < PENDING_CAPACITY && written + (int64_t)queued < o->count && uniform(&g) < dup_chance) {
      pending_t *p = &queue[(head + queued) % PENDING_CAPACITY];
      make_duplicate(&g, &voter, &p->voter);
      pc_strlcpy(p->original_ncid, voter.ncid, sizeof p->original_ncid);
      p->emit_at = written + DUP_DELAY;
      queued++;
    }
    if (written % 65536 == 0) pc_progress_update(progress, (uint64_t)written);
  }
  pc_progress_update(progress, (uint64_t)written);
  pc_progress_finish(progress);
  if (o->streets_dir) rc = write_streets(&g, o->streets_dir, err);
  free(queue);
  pc_buf_free(&line);
  int write_failed = ferror(out) || ferror(labels);
  write_failed |= fclose(out) != 0;
  write_failed |= fclose(labels) != 0;
  free(out_buffer);
  teardown(&g);
  if (rc != 0) return rc;
  if (write_failed) return pc_error_set_at(err, PC_EIO, o->out_path, 0, NULL, "write failed");
  if (pairs_out) *pairs_out = pairs;
  return 0;
}
