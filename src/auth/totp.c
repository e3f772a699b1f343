/* TOTP (RFC 6238) code generation over HMAC-SHA1 (nettle, as libsodium has
 * no SHA-1), base32, the otpauth:// URI and its QR code as plain SVG. The
 * enrolment and verification against stored secrets are in totp_enrol.c. */
#include "auth_internal.h"

#include "precinct/buf.h"

#include <nettle/hmac.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

int pc_auth_totp_code(const unsigned char *secret, size_t secret_size, int64_t time, int digits, char *out) {
  if (secret == NULL || secret_size == 0 || digits < 6 || digits > 8 || time < 0) return PC_EINVAL;
  uint64_t counter = (uint64_t)time / PC_AUTH_TOTP_STEP;
  unsigned char message[8];
  for (int i = 0; i < 8; i++) message[i] = (unsigned char)(counter >> (56 - 8 * i));
  struct hmac_sha1_ctx context;
  unsigned char mac[SHA1_DIGEST_SIZE];
  hmac_sha1_set_key(&context, secret_size, secret);
  hmac_sha1_update(&context, sizeof message, message);
  hmac_sha1_digest(&context, sizeof mac, mac);
  sodium_memzero(&context, sizeof context);
  /* RFC 4226 section 5.3: dynamic truncation. */
  int offset = mac[SHA1_DIGEST_SIZE - 1] & 0x0F;
  uint32_t binary = ((uint32_t)(mac[offset] & 0x7F) << 24) | ((uint32_t)mac[offset + 1] << 16) |
                    ((uint32_t)mac[offset + 2] << 8) | (uint32_t)mac[offset + 3];
  uint32_t modulus = 1;
  for (int i = 0; i < digits; i++) modulus *= 10;
  pc_snprintf(out, (size_t)digits + 1, "%0*u", digits, (unsigned)(binary % modulus));
  return 0;
}

int pc_auth_base32_encode(const unsigned char *data, size_t size, char *out, size_t out_size) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  size_t needed = (size * 8 + 4) / 5 + 1;
  if (out_size < needed) return PC_ELIMIT;
  size_t written = 0;
  unsigned buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < size; i++) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out[written++] = alphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out[written++] = alphabet[(buffer << (5 - bits)) & 31];
  out[written] = '\0';
  return 0;
}

int pc_auth_totp_uri(const char *username, const unsigned char *secret, size_t secret_size, char *out,
                     size_t out_size) {
  char encoded[128];
  int rc = pc_auth_base32_encode(secret, secret_size, encoded, sizeof encoded);
  if (rc != 0) return rc;
  pc_buf_t label;
  pc_buf_init(&label, 256);
  rc = pc_buf_append_urlencoded(&label, username);
  if (rc == 0)
    rc = pc_snprintf(out, out_size,
                     "otpauth://totp/precinct:%s?secret=%s&issuer=precinct&algorithm=SHA1&digits=6&period=30",
                     pc_buf_str(&label), encoded);
  pc_buf_free(&label);
  sodium_memzero(encoded, sizeof encoded);
  return rc == 0 ? 0 : PC_ELIMIT;
}

int pc_auth_totp_qr_svg(const char *uri, char **svg, pc_error_t *err) {
  if (uri == NULL || strlen(uri) > 1024) return pc_error_set(err, PC_ELIMIT, "the URI is too long for a QR code");
  QRcode *code = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == NULL) return pc_error_set(err, PC_EINTERNAL, "QR encoding failed");
  const int quiet = 4; /* the quiet zone readers need around the symbol */
  int size = code->width + 2 * quiet;
  pc_buf_t out;
  pc_buf_init(&out, 4u << 20);
  int rc = pc_buf_appendf(&out,
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
                          " shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>",
                          size, size, size * 6, size * 6, size, size);
  for (int y = 0; rc == 0 && y < code->width; y++) {
    /* One rect per horizontal run of dark modules keeps the SVG small. */
    for (int x = 0; rc == 0 && x < code->width;) {
      if (!(code->data[y * code->width + x] & 1)) {
        x++;
        continue;
      }
      int run = 1;
      while (x + run < code->width && (code->data[y * code->width + x + run] & 1)) run++;
      rc = pc_buf_appendf(&out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"1\"/>", x + quiet, y + quiet, run);
      x += run;
    }
  }
  if (rc == 0) rc = pc_buf_append_str(&out, "</svg>");
  QRcode_free(code);
  if (rc != 0) {
    pc_buf_free(&out);
    return pc_error_set(err, PC_ELIMIT, "QR code SVG too large");
  }
  *svg = pc_buf_detach(&out, NULL);
  return 0;
}
