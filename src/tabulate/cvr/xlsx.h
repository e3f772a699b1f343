/* Reading .xlsx workbooks for the ES&S reader: the zip container, the first
 * worksheet's location, the shared strings table and streaming the sheet XML
 * into libxml2's SAX2 parser (no DTD, no network, no entity expansion)
 * with a bound on inflated size. Private to src/tabulate/cvr/; it knows
 * nothing about ballots. */
#ifndef PRECINCT_TABULATE_CVR_XLSX_H
#define PRECINCT_TABULATE_CVR_XLSX_H

#include <libxml/parser.h>
#include <stddef.h>
#include <stdint.h>

#include "precinct/buf.h"
#include "precinct/error.h"

typedef struct pc_xlsx pc_xlsx_t;

/* The shared strings table: every <si> once, NUL-terminated, in one arena. */
typedef struct pc_xlsx_strings {
  pc_buf_t arena;
  size_t *offsets;
  uint32_t *lengths;
  size_t count;
  size_t cap;
} pc_xlsx_strings_t;

/* Opens the workbook at PATH and locates its first worksheet (through
 * xl/workbook.xml and xl/_rels/workbook.xml.rels) and its shared strings.
 * *BOOK is freed with pc_xlsx_close. Errors: PC_EIO (cannot open), PC_EINVAL
 * (not a workbook, no sheet), PC_ELIMIT (a part too large). */
int pc_xlsx_open(const char *path, pc_xlsx_t **book, pc_error_t *err);

/* Base name of the first worksheet's part, e.g. "sheet1.xml" (owned by BOOK). */
const char *pc_xlsx_sheet_name(const pc_xlsx_t *book);

/* Loads the shared strings table into STRINGS (empty when the workbook has
 * none). Each string is bounded by PC_CVR_MAX_FIELD_BYTES. Free with
 * pc_xlsx_strings_free. */
int pc_xlsx_load_strings(pc_xlsx_t *book, pc_xlsx_strings_t *strings, pc_error_t *err);
void pc_xlsx_strings_free(pc_xlsx_strings_t *strings);

/* String INDEX (< strings->count) and its length; valid until freed. */
static inline const char *pc_xlsx_string(const pc_xlsx_strings_t *strings, size_t index,
                                         size_t *length) {
  *length = strings->lengths[index];
  return strings->arena.data + strings->offsets[index];
}

/* Streams the first worksheet through libxml2's SAX2 parser with the
 * caller's handlers SAX (startElementNs, endElementNs, characters; CDATA is
 * delivered to `characters` too, a DTD is refused) in large chunks, never
 * holding the part in memory. Each handler receives the xmlParserCtxtPtr as
 * its first argument, with USER in its `_private` member, so it can stop the
 * parse with xmlStopParser after storing a negative code in *HANDLER_RC (and
 * filling ERR); that code is returned. Otherwise returns PC_EINVAL on
 * malformed XML (or a DTD) and PC_ELIMIT when the inflated part exceeds
 * PC_CVR_MAX_XML_ENTRY_BYTES. */
int pc_xlsx_stream_sheet(pc_xlsx_t *book, const xmlSAXHandler *sax, void *user,
                         const int *handler_rc, pc_error_t *err);

void pc_xlsx_close(pc_xlsx_t *book);

#endif
