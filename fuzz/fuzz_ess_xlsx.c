/* Fuzzes the ES&S reader. An input starting with "PK" is used as the .xlsx
 * file itself; otherwise it is split at its first NUL into sheet XML and
 * shared-strings XML, stored uncompressed in a workbook, so mutations reach
 * the XML handlers instead of failing the zip CRC. */
#include <zip.h>

#include "fuzz_common.h"

static void write_workbook(const char *path, const uint8_t *data, size_t size) {
  const uint8_t *nul = memchr(data, 0, size);
  size_t sheet_size = nul ? (size_t)(nul - data) : size;
  int zerr = 0;
  zip_t *zip = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  if (zip == NULL) abort();
  static const char workbook[] = "<workbook xmlns:r=\"r\"><sheets><sheet r:id=\"rId1\"/></sheets></workbook>";
  static const char rels[] = "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/>"
                             "<Relationship Id=\"rId2\" Type=\"x/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";
  struct { const char *name; const void *bytes; size_t len; } parts[] = {
      {"xl/workbook.xml", workbook, sizeof workbook - 1},
      {"xl/_rels/workbook.xml.rels", rels, sizeof rels - 1},
      {"xl/worksheets/sheet1.xml", data, sheet_size},
      {"xl/sharedStrings.xml", nul ? nul + 1 : (const uint8_t *)"", nul ? size - sheet_size - 1 : 0}};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    zip_source_t *src = zip_source_buffer(zip, parts[i].bytes, parts[i].len, 0);
    zip_int64_t index = src ? zip_file_add(zip, parts[i].name, src, 0) : -1;
    if (index < 0) abort();
    zip_set_file_compression(zip, (zip_uint64_t)index, ZIP_CM_STORE, 0);
  }
  if (zip_close(zip) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[512];
  snprintf(path, sizeof path, "%s/cvr.xlsx", fuzz_scratch());
  if (size >= 2 && data[0] == 'P' && data[1] == 'K') fuzz_write(path, data, size);
  else write_workbook(path, data, size);
  pc_cvr_source_t source = {.provider = PC_CVR_ESS, .path = path, .first_vote_column_index = 2,
                            .first_vote_row_index = 2, .id_column_index = 1, .precinct_column_index = 5,
                            .overvote_delimiter = "|"};
  size_t total = 0;
  pc_error_t err;
  (void)pc_cvr_read_ess(&source, fuzz_ballot, &total, NULL, &err);
  source.id_column_index = 0;
  source.first_vote_row_index = 1;
  source.overvote_delimiter = NULL;
  (void)pc_cvr_read_ess(&source, fuzz_ballot, &total, NULL, &err);
  return 0;
}
