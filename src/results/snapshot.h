/* A publication snapshot being built: named files (the manifest's entries)
 * and the facts every rendered file shows. Internal to src/results. */
#ifndef PRECINCT_RESULTS_SNAPSHOT_H
#define PRECINCT_RESULTS_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/buf.h"
#include "precinct/results.h"

typedef struct pc_snapshot_file {
  char *name; /* relative path, '/'-separated */
  char *data; /* owned */
  size_t size;
  char sha256[65]; /* "" until pc_snapshot_hash */
} pc_snapshot_file_t;

typedef struct pc_snapshot {
  pc_snapshot_file_t *files;
  size_t count;
} pc_snapshot_t;

typedef struct pc_snapshot_meta {
  int64_t number;
  char published_at[32];
  char status[32];               /* ERR ResultsStatus */
  char content_sha256[65];
  char previous_manifest_sha256[65]; /* "" for the first publication */
  char public_key_hex[65];
} pc_snapshot_meta_t;

/* Takes ownership of DATA (malloc'd). */
void pc_snapshot_add(pc_snapshot_t *s, const char *name, char *data, size_t size);
/* Adds the contents of B (which is left empty). */
void pc_snapshot_add_buf(pc_snapshot_t *s, const char *name, pc_buf_t *b);
void pc_snapshot_free(pc_snapshot_t *s);
/* Sorts the files by name (the manifest order). */
void pc_snapshot_sort(pc_snapshot_t *s);

/* results.csv: one line per precinct, contest, choice and counting group
 * present in the returns, in definition order. Deterministic. */
void pc_results_render_csv(const pc_results_t *r, pc_buf_t *out);
/* SHA-256 (hex) of CONTEST's precinct counts: changes exactly when any of
 * the contest's counts changes. */
void pc_results_contest_sha256(const pc_results_t *r, int contest, char hex[65]);
/* ERR status of R: unofficial-partial, unofficial-complete or certified. */
const char *pc_results_status(const pc_results_t *r);

/* Adds results.json (ERR), results.csv, summary.csv, summary.json and
 * publication.json: pc_results_render_json (results.json alone, the largest
 * file) then pc_results_render_tables (the others). The two only read R and
 * META, so they may run on different threads into different snapshots. */
void pc_results_render_data(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *out);
void pc_results_render_json(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *out);
void pc_results_render_tables(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *out);
/* Fills the sha256 of every file of S from index FROM on that has none yet. */
void pc_snapshot_hash(pc_snapshot_t *s, size_t from);
/* Moves every file of FROM to the end of TO (FROM is left empty). */
void pc_snapshot_take(pc_snapshot_t *to, pc_snapshot_t *from);
/* Precinct boundaries of R's definition, parsed once for all contest maps
 * (render_map.c). Free with pc_results_map_free. */
typedef struct pc_results_map pc_results_map_t;
pc_results_map_t *pc_results_map_new(const pc_results_t *r);
void pc_results_map_free(pc_results_map_t *map);
/* Writes CONTEST's map to SVG (a standalone SVG document, precincts coloured
 * by leading choice) and appends to OUT the figure showing it as an image
 * from SVG_HREF (relative to the page) and its text alternative, a table of
 * precincts led per choice. Nothing at all when no precinct of the contest
 * has a boundary (SVG stays empty). */
void pc_results_map_render(const pc_results_map_t *map, const pc_results_t *r, int contest, const char *svg_href,
                           pc_buf_t *out, pc_buf_t *svg);

/* Adds the voter guide (render_guide.c): polling/N.html per county (each
 * precinct's polling places and sample ballot) and ballots/sN.html per
 * ballot style. */
void pc_results_render_guide(const pc_results_t *r, pc_snapshot_t *out);

/* A page of the site with its header (title, TEST banner, publication) and
 * footer; ROOT is "" or "../". Begin initialises B; finish adds it as NAME. */
void pc_results_page_begin(pc_buf_t *b, const pc_results_t *r, const pc_snapshot_meta_t *meta, const char *title,
                           const char *root);
void pc_results_page_finish(pc_buf_t *b, const char *root, pc_snapshot_t *out, const char *name);

/* VALUE as the pages show counts, with thousands separators ("12,345";
 * JSON and CSV keep plain integers). Writes and returns OUT. */
enum { PC_RESULTS_COUNT_TEXT = 32 };
const char *pc_results_count_text(int64_t value, char out[PC_RESULTS_COUNT_TEXT]);

/* Adds the HTML site: index.html, contests/cN.html, counties/N.html, verify.html, style.css. */
void pc_results_render_html(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *out);

#endif
