/* Small helpers of the voters module: the ID-hash key, calendar arithmetic
 * on "YYYY-MM-DD" dates (federal election dates, ages), NC status and reason
 * codes, and string normalisation. No database access beyond reading rows. */
#include "voters_internal.h"

#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/fileio.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pc_voters_open(pc_voters_t *v, const pc_instance_t *instance, pc_store_t *store, const pc_actor_t *actor,
                   const char *county_scope, pc_error_t *err) {
  if (sodium_init() < 0) return pc_error_set(err, PC_EINTERNAL, "libsodium failed to initialise");
  char path[1200];
  if (pc_instance_key_path(instance, "voter_hmac.key", path, sizeof path) != 0)
    return pc_error_set(err, PC_ELIMIT, "key path too long");
  unsigned char key[32];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    randombytes_buf(key, sizeof key);
    int rc = pc_file_write_durable(path, key, sizeof key, 0600, 1, err);
    if (rc != 0 && rc != PC_EEXIST) return rc;
    fd = open(path, O_RDONLY | O_CLOEXEC); /* re-read: another process may have won the race */
  }
  if (fd < 0) return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot open the voter ID key: %s", strerror(errno));
  ssize_t got = read(fd, key, sizeof key);
  close(fd);
  if (got != (ssize_t)sizeof key) return pc_error_set_at(err, PC_EINTEGRITY, path, 0, NULL, "voter ID key must be 32 bytes");
  memset(v, 0, sizeof *v);
  v->store = store;
  v->actor = *actor;
  v->county_scope = county_scope;
  memcpy(v->hmac_key, key, sizeof key);
  sodium_memzero(key, sizeof key);
  return 0;
}

void pc_voters_open_reader(pc_voters_t *v, pc_store_t *store, const pc_actor_t *actor, const char *county_scope) {
  memset(v, 0, sizeof *v);
  v->store = store;
  v->actor = *actor;
  v->county_scope = county_scope;
}

void pc_voters_close(pc_voters_t *v) {
  sodium_memzero(v->hmac_key, sizeof v->hmac_key);
}

void pc_voters_id_hmac(const pc_voters_t *v, const char *id_number, unsigned char out[PC_VOTER_HMAC_SIZE]) {
  char normal[64];
  size_t n = 0;
  for (const char *p = id_number; *p && n + 1 < sizeof normal; p++)
    if (isalnum((unsigned char)*p)) normal[n++] = (char)toupper((unsigned char)*p);
  crypto_auth_hmacsha256(out, (const unsigned char *)normal, n, v->hmac_key);
  sodium_memzero(normal, sizeof normal);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int split_date(const char *s, int *y, int *m, int *d) {
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return PC_EINVAL;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return PC_EINVAL;
  *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  *m = (s[5] - '0') * 10 + (s[6] - '0');
  *d = (s[8] - '0') * 10 + (s[9] - '0');
  static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (*y < 1800 || *m < 1 || *m > 12 || *d < 1 || *d > month_days[*m - 1]) return PC_EINVAL;
  int leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  if (*m == 2 && *d == 29 && !leap) return PC_EINVAL;
  return 0;
}

int pc_voters_valid_date(const char *s) {
  int y, m, d;
  return split_date(s, &y, &m, &d) == 0;
}

int pc_voters_parse_date(const char *s, char out[12]) {
  char iso[12];
  if (strlen(s) == 10 && s[2] == '/' && s[5] == '/') {
    pc_snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", s + 6, s, s + 3);
  } else if (pc_strlcpy(iso, s, sizeof iso) != 0) {
    return PC_EINVAL;
  }
  if (!pc_voters_valid_date(iso)) return PC_EINVAL;
  memcpy(out, iso, sizeof iso);
  return 0;
}

void pc_voters_today(char out[12]) {
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  pc_snprintf(out, 12, "%.10s", now);
}

int pc_voters_days_between(const char *from, const char *to, int64_t *days) {
  int y1, m1, d1, y2, m2, d2;
  if (split_date(from, &y1, &m1, &d1) != 0 || split_date(to, &y2, &m2, &d2) != 0) return PC_EINVAL;
  *days = days_from_civil(y2, m2, d2) - days_from_civil(y1, m1, d1);
  return 0;
}

int pc_voters_age_on(const char *birth, const char *on, int *age) {
  int by, bm, bd, y, m, d;
  if (split_date(birth, &by, &bm, &bd) != 0 || split_date(on, &y, &m, &d) != 0) return PC_EINVAL;
  int years = y - by;
  if (m < bm || (m == bm && d < bd)) years--;
  *age = years;
  return 0;
}

void pc_voters_federal_general(int year, char out[12]) {
  /* 2 U.S.C. 7: the Tuesday next after the first Monday in November. */
  int64_t nov1 = days_from_civil(year, 11, 1);
  int weekday = (int)((nov1 % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday (4); 0 = Sunday */
  int first_monday = 1 + (8 - weekday) % 7;
  pc_snprintf(out, 12, "%04d-11-%02d", year, first_monday + 1);
}

void pc_voters_next_federal_general(const char *date, char out[12]) {
  int y, m, d;
  if (split_date(date, &y, &m, &d) != 0) y = 2000;
  if (y % 2) y++;
  char candidate[12];
  pc_voters_federal_general(y, candidate);
  if (strcmp(candidate, date) < 0) pc_voters_federal_general(y + 2, candidate);
  memcpy(out, candidate, 12);
}

typedef struct code_desc {
  const char *code, *desc;
} code_desc_t;

static const code_desc_t statuses[] = {{"A", "ACTIVE"},  {"D", "DENIED"},  {"I", "INACTIVE"},
                                       {"R", "REMOVED"}, {"P", "PENDING"}, {"S", "TEMPORARY"}};

/* NC's reason codes as published in its voter files. */
static const code_desc_t reasons[] = {
    {"AV", "VERIFIED"}, {"AA", "ARMED FORCES"}, {"AP", "VERIFICATION PENDING"},
    {"AN", "UNVERIFIED NEW"}, {"IN", "CONFIRMATION NOT RETURNED"},
    {"IU", "CONFIRMATION RETURNED UNDELIVERABLE"}, {"RD", "DECEASED"}, {"RF", "FELONY CONVICTION"},
    {"RQ", "REQUEST FROM VOTER"}, {"RS", "MOVED FROM STATE"}, {"RL", "MOVED FROM COUNTY"},
    {"R2", "DUPLICATE"}, {"RM", "REMOVED AFTER 2 FED GENERAL ELECTIONS IN INACTIVE STATUS"},
    {"DN", "NOT A CITIZEN"}, {"DA", "UNDERAGE"}, {"PR", "PRE-REGISTERED UNDERAGE"},
    {"IA", "ADMINISTRATIVE"}};

static const char *lookup(const code_desc_t *table, size_t count, const char *code) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(table[i].code, code) == 0) return table[i].desc;
  return "";
}

const char *pc_voters_status_desc(const char *status) {
  return lookup(statuses, sizeof statuses / sizeof statuses[0], status);
}

const char *pc_voters_reason_desc(const char *reason) {
  return lookup(reasons, sizeof reasons / sizeof reasons[0], reason);
}

void pc_voters_normalize(char *s) {
  char *start = s;
  while (*start == ' ') start++;
  size_t n = strlen(start);
  while (n > 0 && start[n - 1] == ' ') n--;
  memmove(s, start, n);
  s[n] = '\0';
  for (char *p = s; *p; p++) *p = (char)toupper((unsigned char)*p);
}

int pc_voters_copy(char *out, size_t size, const char *s, size_t length) {
  if (length >= size) return PC_ELIMIT;
  memcpy(out, s, length);
  out[length] = '\0';
  return 0;
}
