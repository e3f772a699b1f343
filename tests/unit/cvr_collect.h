/* Helpers for the CVR reader tests: a callback that renders every ballot as
 * one text line ("LINE|ID|PRECINCT|BATCH|RANK:CANDIDATE,...", "-" for NULL),
 * and a writer of small .xlsx workbooks from sheet and shared-strings XML. */
#ifndef PRECINCT_TESTS_CVR_COLLECT_H
#define PRECINCT_TESTS_CVR_COLLECT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "precinct/buf.h"
#include "precinct/cvr.h"

typedef struct {
  char **lines;
  size_t count;
  long stop_after; /* > 0: return PC_EINVAL after this many ballots */
} cvr_collect_t;

static inline int cvr_collect(void *context, const pc_cvr_ballot_t *b, pc_error_t *err) {
  cvr_collect_t *c = context;
  if (c->stop_after > 0 && (long)c->count >= c->stop_after)
    return pc_error_set(err, PC_EINVAL, "stopped by the test");
  pc_buf_t line;
  pc_buf_init(&line, 0);
  pc_buf_appendf(&line, "%ld|%s|%s|%s|", b->line, b->ballot_id ? b->ballot_id : "-",
                 b->precinct ? b->precinct : "-", b->batch ? b->batch : "-");
  for (size_t i = 0; i < b->mark_count; i++)
    pc_buf_appendf(&line, "%s%d:%s", i ? "," : "", b->marks[i].rank, b->marks[i].candidate);
  c->lines = realloc(c->lines, (c->count + 1) * sizeof *c->lines);
  if (c->lines == NULL) abort();
  c->lines[c->count++] = pc_buf_detach(&line, NULL);
  return 0;
}

static inline void cvr_collect_free(cvr_collect_t *c) {
  for (size_t i = 0; i < c->count; i++) free(c->lines[i]);
  free(c->lines);
  memset(c, 0, sizeof *c);
}

/* Writes TEXT to DIR/NAME. */
static inline void cvr_write_text(const char *dir, const char *name, const char *text) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (f == NULL) abort();
  fputs(text, f);
  fclose(f);
}

static inline void cvr_add_entry(zip_t *zip, const char *name, const char *text) {
  zip_source_t *src = zip_source_buffer(zip, text, strlen(text), 0);
  if (src == NULL || zip_file_add(zip, name, src, 0) < 0) abort();
}

/* Writes PATH as a workbook whose first sheet is SHEET_XML (the <sheetData>
 * content only) and whose shared strings are SST_ITEMS (the <si> elements;
 * NULL for no sharedStrings part). */
static inline void cvr_write_xlsx(const char *path, const char *sheet_xml, const char *sst_items) {
  int zerr = 0;
  zip_t *zip = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  if (zip == NULL) abort();
  static const char workbook[] =
      "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
      "<sheet name=\"Votes\" sheetId=\"1\" r:id=\"rId7\"/><sheet name=\"Other\" sheetId=\"2\" r:id=\"rId8\"/></sheets></workbook>";
  static const char rels_with_sst[] =
      "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId8\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
      "<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/votes.xml\"/>"
      "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
      "</Relationships>";
  static const char rels_without_sst[] =
      "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/votes.xml\"/>"
      "</Relationships>";
  pc_buf_t sheet, sst;
  pc_buf_init(&sheet, 0);
  pc_buf_init(&sst, 0);
  pc_buf_appendf(&sheet, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>%s</sheetData></worksheet>", sheet_xml);
  pc_buf_appendf(&sst, "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">%s</sst>", sst_items ? sst_items : "");
  cvr_add_entry(zip, "xl/workbook.xml", workbook);
  cvr_add_entry(zip, "xl/_rels/workbook.xml.rels", sst_items ? rels_with_sst : rels_without_sst);
  cvr_add_entry(zip, "xl/worksheets/votes.xml", pc_buf_str(&sheet));
  cvr_add_entry(zip, "xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData></worksheet>");
  if (sst_items) cvr_add_entry(zip, "xl/sharedStrings.xml", pc_buf_str(&sst));
  if (zip_close(zip) != 0) abort();
  pc_buf_free(&sheet);
  pc_buf_free(&sst);
}

#endif
