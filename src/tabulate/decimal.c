/* Fixed-point vote arithmetic reproducing java.math.BigDecimal at RCTab's
 * decimalPlacesForVoteArithmetic: values are 128-bit integers scaled by
 * 10^scale, division and multiplication truncate toward zero (RoundingMode
 * DOWN). No binary floating point anywhere in the count. */
#include "tabulate/internal.h"

#include <assert.h>
#include <string.h>

#include "precinct/buf.h"
#include "precinct/error.h"

pc_dec_t pc_dec_pow10(int exponent) {
  assert(exponent >= 0 && exponent <= 36);
  pc_dec_t result = 1;
  for (int i = 0; i < exponent; i++) result *= 10;
  return result;
}

pc_dec_t pc_dec_divide_down(pc_dec_t dividend, pc_dec_t divisor, int scale) {
  assert(divisor != 0);
  assert(dividend >= 0 && divisor > 0);
  /* (d / 10^s) / (v / 10^s) = d / v, expressed at scale s: d * 10^s / v. */
  return dividend * pc_dec_pow10(scale) / divisor;
}

pc_dec_t pc_dec_multiply_down(pc_dec_t a, pc_dec_t b, int scale) {
  assert(a >= 0 && b >= 0);
  return a * b / pc_dec_pow10(scale);
}

void pc_dec_format(pc_dec_t value, int scale, char *out, size_t size) {
  char digits[64];
  size_t n = 0;
  int negative = value < 0;
  unsigned __int128 magnitude = negative ? (unsigned __int128)(-value) : (unsigned __int128)value;
  pc_dec_t unit = pc_dec_pow10(scale);
  bool integral = (pc_dec_t)(magnitude % (unsigned __int128)unit) == 0;
  if (integral) {
    magnitude /= (unsigned __int128)unit;
    scale = 0;
  }
  do {
    digits[n++] = (char)('0' + (int)(magnitude % 10));
    magnitude /= 10;
  } while (magnitude > 0 || (int)n <= scale);
  char text[80];
  size_t t = 0;
  if (negative) text[t++] = '-';
  for (size_t i = n; i-- > 0;) {
    text[t++] = digits[i];
    if (scale > 0 && i == (size_t)scale) text[t++] = '.';
  }
  text[t] = '\0';
  pc_strlcpy(out, text, size);
}

int pc_dec_parse(const char *text, int scale, pc_dec_t *out) {
  if (!text || !*text) return PC_EINVAL;
  const char *p = text;
  int negative = 0;
  if (*p == '-' || *p == '+') negative = *p++ == '-';
  pc_dec_t integer = 0, fraction = 0;
  int fraction_digits = 0, digits = 0;
  for (; *p >= '0' && *p <= '9'; p++, digits++) {
    if (digits > 20) return PC_EINVAL;
    integer = integer * 10 + (*p - '0');
  }
  if (*p == '.') {
    p++;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
      if (fraction_digits < scale) {
        fraction = fraction * 10 + (*p - '0');
        fraction_digits++;
      }
    }
  }
  if (*p != '\0' || digits == 0) return PC_EINVAL;
  pc_dec_t value = integer * pc_dec_pow10(scale) + fraction * pc_dec_pow10(scale - fraction_digits);
  *out = negative ? -value : value;
  return 0;
}
