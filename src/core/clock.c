/* UTC wall clock, monotonic clock and RFC 3339 conversion. */
#include "precinct/clock.h"
#include "precinct/buf.h"
#include "precinct/error.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t fixed_now = 0;

int64_t pc_clock_now(void) {
  int64_t fixed = atomic_load(&fixed_now);
  if (fixed != 0) return fixed;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec;
}

int64_t pc_clock_monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pc_clock_set_fixed(int64_t seconds) {
  atomic_store(&fixed_now, seconds);
}

int pc_clock_format_rfc3339(int64_t seconds, char out[PC_RFC3339_SIZE]) {
  time_t t = (time_t)seconds;
  struct tm tm;
  if (gmtime_r(&t, &tm) == NULL) return PC_EINVAL;
  if (strftime(out, PC_RFC3339_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return PC_EINVAL;
  return 0;
}

int pc_clock_now_rfc3339(char out[PC_RFC3339_SIZE]) {
  return pc_clock_format_rfc3339(pc_clock_now(), out);
}

/* Reads exactly COUNT digits from *P into *VALUE. */
static int read_digits(const char **p, int count, int *value) {
  int v = 0;
  for (int i = 0; i < count; i++) {
    if (!isdigit((unsigned char)(*p)[i])) return PC_EINVAL;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += count;
  *value = v;
  return 0;
}

static int expect(const char **p, char c) {
  if (**p != c) return PC_EINVAL;
  (*p)++;
  return 0;
}

int pc_clock_parse_rfc3339(const char *text, int64_t *seconds) {
  const char *p = text;
  int year, month, day, hour, minute, second;
  if (read_digits(&p, 4, &year) || expect(&p, '-') || read_digits(&p, 2, &month) ||
      expect(&p, '-') || read_digits(&p, 2, &day))
    return PC_EINVAL;
  if (*p != 'T' && *p != 't' && *p != ' ') return PC_EINVAL;
  p++;
  if (read_digits(&p, 2, &hour) || expect(&p, ':') || read_digits(&p, 2, &minute) ||
      expect(&p, ':') || read_digits(&p, 2, &second))
    return PC_EINVAL;
  if (*p == '.') {
    p++;
    if (!isdigit((unsigned char)*p)) return PC_EINVAL;
    while (isdigit((unsigned char)*p)) p++;
  }
  int offset = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1, oh, om;
    p++;
    if (read_digits(&p, 2, &oh) || expect(&p, ':') || read_digits(&p, 2, &om)) return PC_EINVAL;
    if (oh > 23 || om > 59) return PC_EINVAL;
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return PC_EINVAL;
  }
  if (*p != '\0') return PC_EINVAL;
  static const int days_in_month[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > days_in_month[month - 1] || hour > 23 ||
      minute > 59 || second > 60)
    return PC_EINVAL;
  int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return PC_EINVAL;
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second == 60 ? 59 : second;
  *seconds = (int64_t)timegm(&tm) - offset;
  return 0;
}
