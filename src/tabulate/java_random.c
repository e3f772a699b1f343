/* java.util.Random reimplemented bit for bit (48-bit LCG, nextInt(bound),
 * nextDouble) so RCTab's random tie-breaks and generated permutations are
 * reproduced from the same seed. nextDouble() * n is evaluated with the
 * JVM's round-to-nearest-even double product, emulated in integers. */
#include "tabulate/internal.h"

#include <assert.h>

#define MULTIPLIER 0x5DEECE66DULL
#define ADDEND 0xBULL
#define MASK ((1ULL << 48) - 1)

void pc_java_random_init(pc_java_random_t *r, int64_t seed) { r->seed = ((uint64_t)seed ^ MULTIPLIER) & MASK; }

static int32_t next_bits(pc_java_random_t *r, int bits) {
  r->seed = (r->seed * MULTIPLIER + ADDEND) & MASK;
  return (int32_t)(uint32_t)(r->seed >> (48 - bits));
}

int32_t pc_java_random_next_int(pc_java_random_t *r, int32_t bound) {
  assert(bound > 0);
  if ((bound & -bound) == bound) return (int32_t)(((int64_t)bound * (int64_t)next_bits(r, 31)) >> 31);
  int32_t bits, value;
  do {
    bits = next_bits(r, 31);
    value = bits % bound;
  } while ((int64_t)bits - value + (bound - 1) > INT32_MAX); /* Java: overflow to negative */
  return value;
}

int32_t pc_java_random_pick(pc_java_random_t *r, int32_t size) {
  assert(size > 0);
  uint64_t high = (uint64_t)(uint32_t)next_bits(r, 26);
  uint64_t low = (uint64_t)(uint32_t)next_bits(r, 27);
  uint64_t mantissa = (high << 27) + low; /* nextDouble() == mantissa / 2^53 exactly */
  unsigned __int128 product = (unsigned __int128)mantissa * (uint64_t)size;
  /* Round the product to 53 significant bits, ties to even, as the double multiply does. */
  int bit_length = 0;
  for (unsigned __int128 p = product; p; p >>= 1) bit_length++;
  if (bit_length > 53) {
    int shift = bit_length - 53;
    unsigned __int128 unit = (unsigned __int128)1 << shift;
    unsigned __int128 remainder = product & (unit - 1);
    unsigned __int128 half = unit >> 1;
    product -= remainder;
    if (remainder > half || (remainder == half && (product & unit))) product += unit;
  }
  return (int32_t)(product >> 53);
}

void pc_java_shuffle(pc_java_random_t *r, int32_t *items, int32_t count) {
  for (int32_t i = count; i > 1; i--) {
    int32_t j = pc_java_random_next_int(r, i);
    int32_t tmp = items[i - 1];
    items[i - 1] = items[j];
    items[j] = tmp;
  }
}
