/* The .xlsx container for the ES&S reader: opens the zip with libzip, follows
 * xl/workbook.xml and its relationships to the first worksheet, interns the
 * shared strings table and streams the sheet and shared strings through
 * libxml2's SAX2 parser (about twice expat's speed on sheet XML; the
 * small workbook.xml and .rels stay on expat) with bounded inflated size (zip
 * bombs stop at the limit, not at the end of memory). It does not
 * read styles, formulas or any sheet but the first. */
#include "tabulate/cvr/xlsx.h"

#include "precinct/alloc.h"
#include "precinct/cvr.h"

#include <expat.h>
#include <libxml/parserInternals.h>
#include <pthread.h>
#include <zip.h>

#include <stdlib.h>
#include <string.h>

#define XLSX_CHUNK (512 * 1024)
#define XLSX_MAX_SMALL_PART ((uint64_t)16 << 20)     /* workbook.xml, .rels */
#define XLSX_MAX_SHARED_STRINGS ((uint64_t)1 << 30)  /* inflated sharedStrings.xml */
#define XLSX_MAX_STRING_ARENA ((size_t)512 << 20)
#define XLSX_MAX_STRING_COUNT ((size_t)16 << 20)

struct pc_xlsx {
  zip_t *zip;
  char *path;
  char *sheet_part;   /* e.g. "xl/worksheets/sheet1.xml" */
  char *strings_part; /* NULL when the workbook has no shared strings */
};

/* A parser fed by inflate_part: FEED hands it N bytes (FINAL on the last
 * call) and returns 0 or a negative code with ERR filled. */
typedef int (*feed_fn)(void *parser, const char *entry, const char *data, size_t n, int final,
                       pc_error_t *err);

/* Opens ENTRY for inflating, refusing it when its stated size exceeds LIMIT. */
static int open_part(pc_xlsx_t *book, const char *entry, uint64_t limit, zip_file_t **out,
                     pc_error_t *err) {
  zip_int64_t index = zip_name_locate(book->zip, entry, 0);
  if (index < 0)
    return pc_error_set_at(err, PC_EINVAL, book->path, 0, NULL,
                           "workbook part %s is missing; expected an Excel .xlsx workbook", entry);
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(book->zip, (zip_uint64_t)index, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
      st.size > limit)
    return pc_error_set_at(err, PC_ELIMIT, book->path, 0, NULL,
                           "workbook part %s inflates to %llu bytes; the limit is %llu", entry,
                           (unsigned long long)st.size, (unsigned long long)limit);
  *out = zip_fopen_index(book->zip, (zip_uint64_t)index, 0);
  if (*out == NULL)
    return pc_error_set_at(err, PC_EIO, book->path, 0, NULL, "cannot open workbook part %s: %s",
                           entry, zip_strerror(book->zip));
  return 0;
}

/* Inflates ENTRY in XLSX_CHUNK pieces into FEED, stopping at LIMIT bytes. */
static int inflate_part(pc_xlsx_t *book, const char *entry, uint64_t limit, feed_fn feed,
                        void *parser, pc_error_t *err) {
  zip_file_t *file = NULL;
  int rc = open_part(book, entry, limit, &file, err);
  if (rc) return rc;
  char *chunk = pc_xmalloc(XLSX_CHUNK);
  uint64_t total = 0;
  for (;;) {
    zip_int64_t n = zip_fread(file, chunk, XLSX_CHUNK);
    if (n < 0) {
      rc = pc_error_set_at(err, PC_EIO, book->path, 0, NULL, "cannot inflate workbook part %s: %s",
                           entry, zip_file_strerror(file));
      break;
    }
    total += (uint64_t)n;
    if (total > limit) {
      rc = pc_error_set_at(err, PC_ELIMIT, book->path, 0, NULL,
                           "workbook part %s inflates to more than %llu bytes", entry,
                           (unsigned long long)limit);
      break;
    }
    if ((rc = feed(parser, entry, chunk, (size_t)n, n == 0, err)) != 0) break;
    if (n == 0) break;
  }
  free(chunk);
  zip_fclose(file);
  return rc;
}

typedef struct {
  XML_Parser parser;
  const char *path;
} expat_feed_t;

static int feed_expat(void *data, const char *entry, const char *bytes, size_t n, int final,
                      pc_error_t *err) {
  expat_feed_t *f = data;
  if (XML_Parse(f->parser, bytes, (int)n, final) == XML_STATUS_OK) return 0;
  return pc_error_set_at(err, PC_EINVAL, f->path, (long)XML_GetCurrentLineNumber(f->parser), NULL,
                         "malformed XML in %s at line %lu column %lu: %s", entry,
                         (unsigned long)XML_GetCurrentLineNumber(f->parser),
                         (unsigned long)XML_GetCurrentColumnNumber(f->parser),
                         XML_ErrorString(XML_GetErrorCode(f->parser)));
}

/* libxml2 pulls the part through sax_read (its pull parser is ~13 % faster
 * than feeding its push parser, measured on generated sheets). */
typedef struct {
  xmlParserCtxtPtr ctxt;
  zip_file_t *file;
  const char *path, *entry;
  uint64_t total, limit;
  pc_error_t *err;
  int rc; /* an inflate error or the size limit, reported by sax_read */
} sax_feed_t;

static int sax_read(void *data, char *buffer, int len) {
  sax_feed_t *f = data;
  if (f->rc) return -1;
  zip_int64_t n = zip_fread(f->file, buffer, (zip_uint64_t)len);
  if (n < 0) {
    f->rc = pc_error_set_at(f->err, PC_EIO, f->path, 0, NULL, "cannot inflate workbook part %s: %s",
                            f->entry, zip_file_strerror(f->file));
    return -1;
  }
  f->total += (uint64_t)n;
  if (f->total > f->limit) {
    f->rc = pc_error_set_at(f->err, PC_ELIMIT, f->path, 0, NULL,
                            "workbook part %s inflates to more than %llu bytes", f->entry,
                            (unsigned long long)f->limit);
    return -1;
  }
  return (int)n;
}

/* The outcome of a finished (or stopped) parse, in precedence order. */
static int sax_outcome(sax_feed_t *f, const int *handler_rc) {
  if (handler_rc && *handler_rc) return *handler_rc;
  if (f->rc) return f->rc;
  if (f->ctxt->intSubName != NULL) /* refuse_dtd stopped the parser */
    return pc_error_set_at(f->err, PC_EINVAL, f->path, 0, NULL,
                           "%s has a document type declaration; expected none in a workbook part",
                           f->entry);
  if (f->ctxt->wellFormed) return 0;
  const xmlError *e = xmlCtxtGetLastError(f->ctxt);
  char what[256] = "not well-formed";
  if (e && e->message) {
    pc_strlcpy(what, e->message, sizeof what);
    size_t len = strlen(what);
    while (len > 0 && (what[len - 1] == '\n' || what[len - 1] == ' ')) what[--len] = '\0';
  }
  unsigned long line = e ? (unsigned long)e->line : 0, column = e ? (unsigned long)e->int2 : 0;
  return pc_error_set_at(f->err, PC_EINVAL, f->path, (long)line, NULL,
                         "malformed XML in %s at line %lu column %lu: %s", f->entry, line, column,
                         what);
}

/* The internalSubset handler: a DOCTYPE stops the parse (no entities, ever). */
static void refuse_dtd(void *ctxt, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id) {
  (void)name, (void)external_id, (void)system_id;
  xmlStopParser(ctxt);
}

static pthread_once_t libxml_once = PTHREAD_ONCE_INIT;
static void libxml_init(void) { xmlInitParser(); }

/* Streams ENTRY through libxml2's SAX2 parser with SAX's handlers. They
 * receive the parser context as their first argument (so any of them can
 * stop it), with USER in its _private member. */
static int stream_sax(pc_xlsx_t *book, const char *entry, uint64_t limit, const xmlSAXHandler *sax,
                      void *user, const int *handler_rc, pc_error_t *err) {
  pthread_once(&libxml_once, libxml_init);
  xmlSAXHandler handler = *sax;
  handler.initialized = XML_SAX2_MAGIC;
  handler.internalSubset = refuse_dtd;
  handler.externalSubset = NULL;
  handler.getEntity = NULL;
  handler.entityDecl = NULL;
  handler.resolveEntity = NULL;
  handler.reference = NULL;
  handler.cdataBlock = sax->characters;
  handler.error = NULL;
  handler.warning = NULL;
  handler.serror = NULL;
  sax_feed_t feed = {.path = book->path, .entry = entry, .limit = limit, .err = err};
  int rc = open_part(book, entry, limit, &feed.file, err);
  if (rc) return rc;
  /* NULL user data: libxml2 then hands the context itself to the handlers */
  feed.ctxt = xmlCreateIOParserCtxt(&handler, NULL, sax_read, NULL, &feed, XML_CHAR_ENCODING_NONE);
  if (feed.ctxt == NULL) {
    zip_fclose(feed.file);
    return pc_error_set_at(err, PC_ELIMIT, book->path, 0, NULL,
                           "out of memory creating an XML parser for %s", entry);
  }
  feed.ctxt->_private = user;
  (void)xmlCtxtUseOptions(feed.ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  (void)xmlParseDocument(feed.ctxt);
  rc = sax_outcome(&feed, handler_rc);
  zip_fclose(feed.file);
  xmlFreeParserCtxt(feed.ctxt);
  return rc;
}

/* The local part of an element or attribute name ("x:sheet" -> "sheet"). */
static const char *local_name(const char *name) {
  const char *colon = strrchr(name, ':');
  return colon ? colon + 1 : name;
}

typedef struct {
  char *sheet_rid;     /* workbook.xml: r:id of the first <sheet> */
  const char *want_id; /* rels: the id to resolve */
  char *sheet_target;
  char *strings_target;
} xlsx_parts_t;

static void XMLCALL workbook_start(void *data, const XML_Char *name, const XML_Char **attrs) {
  xlsx_parts_t *p = data;
  if (p->sheet_rid || strcmp(local_name(name), "sheet") != 0) return;
  for (int i = 0; attrs[i]; i += 2)
    if (strchr(attrs[i], ':') && strcmp(local_name(attrs[i]), "id") == 0) {
      p->sheet_rid = pc_xstrndup(attrs[i + 1], 256);
      return;
    }
}

static void XMLCALL rels_start(void *data, const XML_Char *name, const XML_Char **attrs) {
  xlsx_parts_t *p = data;
  if (strcmp(local_name(name), "Relationship") != 0) return;
  const char *id = NULL, *target = NULL, *type = NULL;
  for (int i = 0; attrs[i]; i += 2) {
    if (strcmp(attrs[i], "Id") == 0) id = attrs[i + 1];
    else if (strcmp(attrs[i], "Target") == 0) target = attrs[i + 1];
    else if (strcmp(attrs[i], "Type") == 0) type = attrs[i + 1];
  }
  if (target == NULL) return;
  if (id && p->want_id && strcmp(id, p->want_id) == 0 && p->sheet_target == NULL)
    p->sheet_target = pc_xstrndup(target, 1024);
  size_t tl = type ? strlen(type) : 0;
  if (tl >= 14 && strcmp(type + tl - 14, "/sharedStrings") == 0 && p->strings_target == NULL)
    p->strings_target = pc_xstrndup(target, 1024);
}

/* Relationship targets are relative to xl/ unless they start with '/'. */
static char *resolve_target(const char *target) {
  pc_buf_t b;
  pc_buf_init(&b, 4096);
  if (target[0] == '/') (void)pc_buf_append_str(&b, target + 1);
  else (void)pc_buf_appendf(&b, "xl/%s", target);
  return pc_buf_detach(&b, NULL);
}

static int parse_small_part(pc_xlsx_t *book, const char *entry, XML_StartElementHandler start,
                            xlsx_parts_t *parts, pc_error_t *err) {
  expat_feed_t feed = {XML_ParserCreate(NULL), book->path};
  XML_SetUserData(feed.parser, parts);
  XML_SetStartElementHandler(feed.parser, start);
  int rc = inflate_part(book, entry, XLSX_MAX_SMALL_PART, feed_expat, &feed, err);
  XML_ParserFree(feed.parser);
  return rc;
}

int pc_xlsx_open(const char *path, pc_xlsx_t **book_out, pc_error_t *err) {
  int zerr = 0;
  zip_t *zip = zip_open(path, ZIP_RDONLY, &zerr);
  if (zip == NULL) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, zerr);
    int rc = pc_error_set_at(err, zerr == ZIP_ER_NOENT || zerr == ZIP_ER_OPEN ? PC_EIO : PC_EINVAL,
                             path, 0, NULL,
                             "cannot open as an Excel .xlsx workbook: %s", zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return rc;
  }
  pc_xlsx_t *book = pc_xcalloc(1, sizeof *book);
  book->zip = zip;
  book->path = pc_xstrdup(path);
  xlsx_parts_t parts = {0};
  int rc = parse_small_part(book, "xl/workbook.xml", workbook_start, &parts, err);
  if (rc == 0 && parts.sheet_rid == NULL)
    rc = pc_error_set_at(err, PC_EINVAL, path, 0, NULL,
                         "xl/workbook.xml lists no sheet; expected at least one worksheet");
  if (rc == 0) {
    parts.want_id = parts.sheet_rid;
    rc = parse_small_part(book, "xl/_rels/workbook.xml.rels", rels_start, &parts, err);
  }
  if (rc == 0 && parts.sheet_target == NULL)
    rc = pc_error_set_at(err, PC_EINVAL, path, 0, NULL,
                         "xl/_rels/workbook.xml.rels has no relationship \"%s\" for the first "
                         "sheet; expected its worksheet part",
                         parts.sheet_rid);
  if (rc == 0) {
    book->sheet_part = resolve_target(parts.sheet_target);
    if (parts.strings_target) book->strings_part = resolve_target(parts.strings_target);
    *book_out = book;
  } else {
    pc_xlsx_close(book);
  }
  free(parts.sheet_rid);
  free(parts.sheet_target);
  free(parts.strings_target);
  return rc;
}

const char *pc_xlsx_sheet_name(const pc_xlsx_t *book) {
  const char *slash = strrchr(book->sheet_part, '/');
  return slash ? slash + 1 : book->sheet_part;
}

typedef struct {
  pc_xlsx_strings_t *strings;
  xmlParserCtxtPtr ctxt;
  pc_error_t *err;
  const char *path;
  int rc;
  int in_si, in_t, in_phonetic;
  size_t start;
} sst_reader_t;

static void sst_fail(sst_reader_t *s, int code, const char *what) {
  s->rc = pc_error_set_at(s->err, code, s->path, 0, NULL, "sharedStrings.xml string %zu: %s",
                          s->strings->count, what);
  xmlStopParser(s->ctxt);
}

static void sst_start(void *ctxt, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri,
                      int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                      int nb_defaulted, const xmlChar **attributes) {
  (void)prefix, (void)uri, (void)nb_namespaces, (void)namespaces, (void)nb_attributes,
      (void)nb_defaulted, (void)attributes;
  sst_reader_t *s = ((xmlParserCtxtPtr)ctxt)->_private;
  s->ctxt = ctxt;
  if (s->rc) return;
  const char *local = (const char *)name;
  if (strcmp(local, "si") == 0) {
    s->in_si = 1;
    s->in_phonetic = 0;
    s->start = s->strings->arena.len;
  } else if (s->in_si && strcmp(local, "rPh") == 0) {
    s->in_phonetic++;
  } else if (s->in_si && strcmp(local, "t") == 0) {
    s->in_t = 1;
  }
}

static void sst_text(void *ctxt, const xmlChar *text, int len) {
  sst_reader_t *s = ((xmlParserCtxtPtr)ctxt)->_private;
  if (s->rc || !s->in_t || s->in_phonetic) return;
  if (s->strings->arena.len - s->start + (size_t)len > PC_CVR_MAX_FIELD_BYTES)
    return sst_fail(s, PC_ELIMIT, "longer than 4096 bytes");
  if (pc_buf_append(&s->strings->arena, text, (size_t)len) != 0)
    return sst_fail(s, PC_ELIMIT, "shared strings exceed 512 MiB");
}

static void sst_end(void *ctxt, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri) {
  (void)prefix, (void)uri;
  sst_reader_t *s = ((xmlParserCtxtPtr)ctxt)->_private;
  if (s->rc) return;
  const char *local = (const char *)name;
  if (strcmp(local, "t") == 0) {
    s->in_t = 0;
  } else if (strcmp(local, "rPh") == 0 && s->in_phonetic) {
    s->in_phonetic--;
  } else if (strcmp(local, "si") == 0 && s->in_si) {
    pc_xlsx_strings_t *st = s->strings;
    s->in_si = 0;
    if (st->count >= XLSX_MAX_STRING_COUNT) return sst_fail(s, PC_ELIMIT, "too many shared strings");
    if (pc_buf_append_char(&st->arena, '\0') != 0)
      return sst_fail(s, PC_ELIMIT, "shared strings exceed 512 MiB");
    if (st->count == st->cap) {
      st->cap = st->cap ? st->cap * 2 : 256;
      st->offsets = pc_xreallocarray(st->offsets, st->cap, sizeof *st->offsets);
      st->lengths = pc_xreallocarray(st->lengths, st->cap, sizeof *st->lengths);
    }
    st->offsets[st->count] = s->start;
    st->lengths[st->count] = (uint32_t)(st->arena.len - 1 - s->start);
    st->count++;
  }
}

int pc_xlsx_load_strings(pc_xlsx_t *book, pc_xlsx_strings_t *strings, pc_error_t *err) {
  memset(strings, 0, sizeof *strings);
  pc_buf_init(&strings->arena, XLSX_MAX_STRING_ARENA);
  (void)pc_buf_append(&strings->arena, "", 0); /* so arena.data is never NULL */
  if (book->strings_part == NULL) return 0;
  sst_reader_t s = {.strings = strings, .err = err, .path = book->path};
  xmlSAXHandler sax = {.startElementNs = sst_start, .endElementNs = sst_end,
                       .characters = sst_text};
  int rc = stream_sax(book, book->strings_part, XLSX_MAX_SHARED_STRINGS, &sax, &s, &s.rc, err);
  if (rc) pc_xlsx_strings_free(strings);
  return rc;
}

void pc_xlsx_strings_free(pc_xlsx_strings_t *strings) {
  pc_buf_free(&strings->arena);
  free(strings->offsets);
  free(strings->lengths);
  memset(strings, 0, sizeof *strings);
}

int pc_xlsx_stream_sheet(pc_xlsx_t *book, const xmlSAXHandler *sax, void *user,
                         const int *handler_rc, pc_error_t *err) {
  return stream_sax(book, book->sheet_part, PC_CVR_MAX_XML_ENTRY_BYTES, sax, user, handler_rc, err);
}

void pc_xlsx_close(pc_xlsx_t *book) {
  if (book == NULL) return;
  zip_discard(book->zip);
  free(book->path);
  free(book->sheet_part);
  free(book->strings_part);
  free(book);
}
