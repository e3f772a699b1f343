/* SHA-256 through nettle, which uses the CPU's SHA instructions (SHA-NI)
 * where present: a publication hashes tens of MB (results.json,
 * results.csv, uploads), several times faster than libsodium's portable
 * code. Same digests as any SHA-256. Used by results and voters. */
#ifndef PRECINCT_SHA256_H
#define PRECINCT_SHA256_H

#include <nettle/sha2.h>
#include <stddef.h>

typedef struct sha256_ctx pc_sha256_t;

static inline void pc_sha256_init(pc_sha256_t *h) { sha256_init(h); }
static inline void pc_sha256_update(pc_sha256_t *h, const void *data, size_t size) {
  sha256_update(h, size, (const uint8_t *)data);
}
/* Writes the 32-byte digest. */
static inline void pc_sha256_final(pc_sha256_t *h, unsigned char digest[SHA256_DIGEST_SIZE]) {
  sha256_digest(h, SHA256_DIGEST_SIZE, digest);
}
/* Writes the digest as 64 lowercase hex digits and a NUL. */
static inline void pc_sha256_final_hex(pc_sha256_t *h, char hex[65]) {
  static const char digits[] = "0123456789abcdef";
  uint8_t digest[SHA256_DIGEST_SIZE];
  pc_sha256_final(h, digest);
  for (size_t i = 0; i < sizeof digest; i++) {
    hex[2 * i] = digits[digest[i] >> 4];
    hex[2 * i + 1] = digits[digest[i] & 15];
  }
  hex[64] = '\0';
}
static inline void pc_sha256_hex(const void *data, size_t size, char hex[65]) {
  pc_sha256_t h;
  pc_sha256_init(&h);
  pc_sha256_update(&h, data, size);
  pc_sha256_final_hex(&h, hex);
}

#endif
