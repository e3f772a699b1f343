/* Time in UTC. Timestamps are stored and printed as RFC 3339 strings with a
 * "Z" suffix ("2026-11-03T20:00:00Z"), never in local time. Tests can freeze
 * the clock with pc_clock_set_fixed. */
#ifndef PRECINCT_CLOCK_H
#define PRECINCT_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define PC_RFC3339_SIZE 32

/* Seconds since the Unix epoch (or the fixed time, when set). */
int64_t pc_clock_now(void);
/* Milliseconds from a monotonic clock, for durations only. */
int64_t pc_clock_monotonic_ms(void);
/* Makes pc_clock_now return SECONDS from now on (tests); 0 restores the real clock. */
void pc_clock_set_fixed(int64_t seconds);

/* Formats SECONDS as "YYYY-MM-DDTHH:MM:SSZ" into OUT (PC_RFC3339_SIZE bytes). */
int pc_clock_format_rfc3339(int64_t seconds, char out[PC_RFC3339_SIZE]);
/* Formats the current time. */
int pc_clock_now_rfc3339(char out[PC_RFC3339_SIZE]);
/* Parses an RFC 3339 timestamp with "Z" or a numeric offset; fractional
 * seconds are accepted and dropped. Returns PC_EINVAL on anything else. */
int pc_clock_parse_rfc3339(const char *text, int64_t *seconds);

#endif
