/* The public results site of a publication: server-rendered HTML (no
 * JavaScript), every text escaped, SVG bars with the numbers beside them in
 * tables so screen readers get the same facts. Pages: index.html,
 * contests/cN.html, counties/N.html, verify.html and style.css. */
#include "snapshot.h"
#include "rcv.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"

#include <string.h>

static const char style_css[] =
    "body{font-family:system-ui,sans-serif;margin:0;color:#111;background:#fff;line-height:1.4}\n"
    "header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}\n"
    "header{border-bottom:3px solid #1f4e8c}h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}\n"
    "a{color:#0b4ea2}a:focus{outline:3px solid #f90}\n"
    ".test{background:#ffe08a;border:2px solid #8a6d00;padding:.5rem 1rem;font-weight:bold}\n"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.25rem .5rem;"
    "border-bottom:1px solid #ccc}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".meta{color:#444}.bar{vertical-align:middle}\n"
    ".map{margin:1rem 0}.map img{display:block;width:100%;height:auto;max-height:80vh;object-fit:contain}"
    "figcaption{color:#444}\n"
    ".scroll{overflow-x:auto}\n"
    ".skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff}\n"
    /* ranked-choice rounds (render_rounds.c) */
    ".rounds-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:1rem}\n"
    ".rounds-grid svg{width:100%;height:auto}.rounds-h{font-weight:bold;font-size:14px}\n"
    ".rounds-l,.rounds-n{font-size:12px}.rounds-winner{font-size:1.15rem}\n"
    ".rounds-chart{margin:1rem 0}table.rounds{width:auto}table.rounds td{white-space:nowrap}\n"
    "table.rounds th,table.rounds td{padding:.25rem .35rem}\n"
    "table.rounds th[scope=row]{position:sticky;left:0;background:#fff;min-width:7rem}\n"
    "table.rounds td.out{color:#8a4500;font-weight:bold}\n";

typedef struct page {
  pc_buf_t b;
  const char *root; /* "" or "../" */
} page_t;

static void text(page_t *p, const char *s) { pc_buf_append_html(&p->b, s); }

static void begin(page_t *p, const pc_results_t *r, const pc_snapshot_meta_t *meta, const char *title, const char *root) {
  pc_buf_init(&p->b, 0);
  p->root = root;
  const pc_election_model_t *m = &r->model;
  pc_buf_append_str(&p->b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                           "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>");
  text(p, title);
  pc_buf_append_str(&p->b, " - ");
  text(p, m->election.name);
  pc_buf_appendf(&p->b, "</title><link rel=\"stylesheet\" href=\"%sstyle.css\"></head><body>"
                        "<a class=\"skip\" href=\"#main\">Skip to results</a><header><p><a href=\"%sindex.html\">",
                 root, root);
  text(p, m->election.jurisdiction);
  pc_buf_append_str(&p->b, ": ");
  text(p, m->election.name);
  pc_buf_append_str(&p->b, "</a></p><h1>");
  text(p, title);
  pc_buf_append_str(&p->b, "</h1>");
  if (strcmp(m->election.mode, "test") == 0)
    pc_buf_append_str(&p->b, "<p class=\"test\" role=\"alert\">TEST RESULTS: these numbers come from a test of the "
                             "results system and are not real election results.</p>");
  pc_buf_appendf(&p->b, "<p class=\"meta\">Publication %lld, published %s (UTC). Status: ", (long long)meta->number,
                 meta->published_at);
  text(p, meta->status);
  pc_buf_append_str(&p->b, ".</p></header><main id=\"main\">");
}

static void finish(page_t *p, pc_snapshot_t *out, const char *name) {
  pc_buf_appendf(&p->b,
                 "</main><footer><p>Data: <a href=\"%sresults.json\">results.json</a> (NIST SP 1500-100), "
                 "<a href=\"%sresults.csv\">results.csv</a>, <a href=\"%ssummary.csv\">summary.csv</a>. "
                 "<a href=\"%smanifest.txt\">Manifest</a>, <a href=\"%smanifest.sig\">signature</a>, "
                 "<a href=\"%sverify.html\">how to verify these files</a>.</p></footer></body></html>\n",
                 p->root, p->root, p->root, p->root, p->root, p->root);
  pc_snapshot_add_buf(out, name, &p->b);
}

void pc_results_page_begin(pc_buf_t *b, const pc_results_t *r, const pc_snapshot_meta_t *meta, const char *title,
                           const char *root) {
  page_t p;
  begin(&p, r, meta, title, root);
  *b = p.b;
}

void pc_results_page_finish(pc_buf_t *b, const char *root, pc_snapshot_t *out, const char *name) {
  page_t p = {*b, root};
  finish(&p, out, name);
  pc_buf_init(b, 0);
}

const char *pc_results_count_text(int64_t value, char out[PC_RESULTS_COUNT_TEXT]) {
  char digits[24];
  size_t length = 0;
  uint64_t v = value < 0 ? (uint64_t)(-(value + 1)) + 1 : (uint64_t)value;
  do digits[length++] = (char)('0' + v % 10); while ((v /= 10) != 0);
  size_t at = 0;
  if (value < 0) out[at++] = '-';
  for (size_t i = length; i-- > 0;) {
    out[at++] = digits[i];
    if (i > 0 && i % 3 == 0) out[at++] = ',';
  }
  out[at] = '\0';
  return out;
}

static void percent_text(char *out, size_t size, int64_t part, int64_t whole) {
  if (whole <= 0) pc_snprintf(out, size, "0.0%%");
  else pc_snprintf(out, size, "%.1f%%", 100.0 * (double)part / (double)whole);
}

/* One results table for CONTEST at COUNTY (-1: state). */
static void contest_table(page_t *p, const pc_results_t *r, int contest, int county, int by_group) {
  const pc_contest_t *c = &r->model.contests[contest];
  int64_t total = 0;
  for (size_t k = 0; k < c->choice_count; k++) total += pc_results_votes(r, contest, (int)k, county, -1);
  long reporting, precincts;
  pc_results_reporting(r, contest, county, &reporting, &precincts);
  char a[PC_RESULTS_COUNT_TEXT], b[PC_RESULTS_COUNT_TEXT];
  pc_buf_appendf(&p->b, "<p class=\"meta\">%s of %s precincts reporting.", pc_results_count_text(reporting, a),
                 pc_results_count_text(precincts, b));
  if (c->vote_for > 1) pc_buf_appendf(&p->b, " Vote for %d.", c->vote_for);
  if (c->kind == PC_CONTEST_RCV && pc_results_rcv_has(r, contest))
    pc_buf_appendf(&p->b, " Ranked-choice contest: first-choice votes are shown (round 1 of the tabulation). <a href=\"%srounds/"
                          "c%d.html\">Round-by-round tabulation</a>.", p->root, contest + 1);
  else if (c->kind == PC_CONTEST_RCV)
    pc_buf_append_str(&p->b, " Ranked-choice contest: first-choice votes are shown; the round-by-round tabulation is "
                             "published once counties upload cast vote records.");
  if (c->certified) pc_buf_append_str(&p->b, " <strong>Certified.</strong>");
  /* Wide tables (a column per counting group) scroll inside their own box on a phone. */
  pc_buf_append_str(&p->b, "</p><div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Results table\">"
                           "<table><thead><tr><th scope=\"col\">Choice</th>");
  static const char *const group_labels[PC_GROUP_COUNT] = {"Election day", "Early", "Mail", "Provisional", "UOCAVA",
                                                            "No breakdown"};
  /* Counts reported as "total" (counties without groups, ranked-choice CVRs) get their own column. */
  int groups = PC_GROUP_TOTAL;
  for (size_t k = 0; by_group && k < c->choice_count; k++)
    if (pc_results_votes(r, contest, (int)k, county, PC_GROUP_TOTAL) > 0) groups = PC_GROUP_COUNT;
  if (by_group)
    for (int g = 0; g < groups; g++) pc_buf_appendf(&p->b, "<th scope=\"col\" class=\"n\">%s</th>", group_labels[g]);
  pc_buf_append_str(&p->b, "<th scope=\"col\" class=\"n\">Votes</th><th scope=\"col\" class=\"n\">Percent</th>"
                           "<th scope=\"col\"><span class=\"skip\">Bar</span></th></tr></thead><tbody>");
  for (size_t k = 0; k < c->choice_count; k++) {
    int64_t votes = pc_results_votes(r, contest, (int)k, county, -1);
    char percent[32];
    percent_text(percent, sizeof percent, votes, total);
    pc_buf_append_str(&p->b, "<tr><th scope=\"row\">");
    text(p, c->choices[k].name);
    if (c->choices[k].candidate >= 0 && r->model.candidates[c->choices[k].candidate].party >= 0) {
      pc_buf_append_str(&p->b, " <span class=\"meta\">(");
      text(p, r->model.parties[r->model.candidates[c->choices[k].candidate].party].abbreviation);
      pc_buf_append_str(&p->b, ")</span>");
    }
    pc_buf_append_str(&p->b, "</th>");
    if (by_group)
      for (int g = 0; g < groups; g++)
        pc_buf_appendf(&p->b, "<td class=\"n\">%s</td>", pc_results_count_text(pc_results_votes(r, contest, (int)k, county, g), a));
    double width = total > 0 ? 200.0 * (double)votes / (double)total : 0.0;
    pc_buf_appendf(&p->b,
                   "<td class=\"n\">%s</td><td class=\"n\">%s</td><td><svg class=\"bar\" width=\"200\" height=\"14\" "
                   "aria-hidden=\"true\"><rect width=\"200\" height=\"14\" fill=\"#e6ebf2\"/><rect width=\"%.1f\" "
                   "height=\"14\" fill=\"#1f4e8c\"/></svg></td></tr>",
                   pc_results_count_text(votes, a), percent, width);
  }
  pc_buf_appendf(&p->b, "</tbody><tfoot><tr><th scope=\"row\">Total</th>");
  if (by_group)
    for (int g = 0; g < groups; g++) {
      int64_t sum = 0;
      for (size_t k = 0; k < c->choice_count; k++) sum += pc_results_votes(r, contest, (int)k, county, g);
      pc_buf_appendf(&p->b, "<td class=\"n\">%s</td>", pc_results_count_text(sum, a));
    }
  pc_buf_appendf(&p->b, "<td class=\"n\">%s</td><td></td><td></td></tr></tfoot></table></div>",
                 pc_results_count_text(total, a));
}

static void turnout_line(page_t *p, const pc_results_t *r, int county) {
  int64_t cast, registered;
  pc_results_turnout(r, county, 0, &cast, &registered);
  long reported = 0, all = 0;
  for (size_t i = 0; i < r->model.precinct_count; i++)
    if (county < 0 || r->model.precincts[i].county == county) all++, reported += r->reporting[i];
  char percent[32];
  percent_text(percent, sizeof percent, cast, registered);
  char a[PC_RESULTS_COUNT_TEXT], b[PC_RESULTS_COUNT_TEXT], c[PC_RESULTS_COUNT_TEXT], d[PC_RESULTS_COUNT_TEXT];
  pc_buf_appendf(&p->b,
                 "<p>%s of %s precincts reporting. Ballots cast: %s of %s registered voters (turnout %s).</p>",
                 pc_results_count_text(reported, a), pc_results_count_text(all, b), pc_results_count_text(cast, c),
                 pc_results_count_text(registered, d), percent);
}

static void index_page(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *out) {
  const pc_election_model_t *m = &r->model;
  page_t p;
  begin(&p, r, meta, "Election results", "");
  turnout_line(&p, r, -1);
  pc_buf_append_str(&p.b, "<nav aria-label=\"Counties\"><h2>Results by county</h2><ul>");
  for (size_t c = 0; c < m->county_count; c++) {
    pc_buf_appendf(&p.b, "<li><a href=\"counties/%zu.html\">", c + 1);
    text(&p, m->counties[c].name);
    pc_buf_append_str(&p.b, " County</a></li>");
  }
  pc_buf_append_str(&p.b, "</ul></nav><nav aria-label=\"Polling places\"><h2>Where to vote and sample ballots"
                         "</h2><ul>");
  for (size_t c = 0; c < m->county_count; c++) {
    pc_buf_appendf(&p.b, "<li><a href=\"polling/%zu.html\">", c + 1);
    text(&p, m->counties[c].name);
    pc_buf_append_str(&p.b, " County polling places</a></li>");
  }
  pc_buf_append_str(&p.b, "</ul></nav>");
  for (size_t c = 0; c < m->contest_count; c++) {
    pc_buf_appendf(&p.b, "<section aria-labelledby=\"c%zu\"><h2 id=\"c%zu\"><a href=\"contests/c%zu.html\">", c + 1, c + 1,
                   c + 1);
    text(&p, m->contests[c].name);
    pc_buf_append_str(&p.b, "</a></h2>");
    contest_table(&p, r, (int)c, -1, 0);
    pc_buf_append_str(&p.b, "</section>");
  }
  finish(&p, out, "index.html");
}

static void contest_page(const pc_results_t *r, const pc_snapshot_meta_t *meta, const pc_results_map_t *map, size_t c,
                         pc_snapshot_t *out) {
  const pc_election_model_t *m = &r->model;
  page_t p;
  begin(&p, r, meta, m->contests[c].name, "../");
  contest_table(&p, r, (int)c, -1, 1);
  char svg_name[64], svg_href[64];
  pc_snprintf(svg_name, sizeof svg_name, "maps/c%zu.svg", c + 1);
  pc_snprintf(svg_href, sizeof svg_href, "../%s", svg_name);
  pc_buf_t svg;
  pc_buf_init(&svg, 0);
  pc_results_map_render(map, r, (int)c, svg_href, &p.b, &svg);
  if (svg.len) pc_snapshot_add_buf(out, svg_name, &svg);
  pc_buf_free(&svg);
  for (size_t county = 0; county < m->county_count; county++) {
    long reporting, total;
    pc_results_reporting(r, (int)c, (int)county, &reporting, &total);
    if (total == 0) continue;
    pc_buf_appendf(&p.b, "<h2><a href=\"../counties/%zu.html\">", county + 1);
    text(&p, m->counties[county].name);
    pc_buf_append_str(&p.b, " County</a></h2>");
    contest_table(&p, r, (int)c, (int)county, 1);
  }
  char name[64];
  pc_snprintf(name, sizeof name, "contests/c%zu.html", c + 1);
  finish(&p, out, name);
}

static void county_page(const pc_results_t *r, const pc_snapshot_meta_t *meta, size_t county, pc_snapshot_t *out) {
  const pc_election_model_t *m = &r->model;
  page_t p;
  char title[200];
  pc_snprintf(title, sizeof title, "%s County", m->counties[county].name);
  begin(&p, r, meta, title, "../");
  turnout_line(&p, r, (int)county);
  for (size_t c = 0; c < m->contest_count; c++) {
    long reporting, total;
    pc_results_reporting(r, (int)c, (int)county, &reporting, &total);
    if (total == 0) continue;
    pc_buf_appendf(&p.b, "<h2><a href=\"../contests/c%zu.html\">", c + 1);
    text(&p, m->contests[c].name);
    pc_buf_append_str(&p.b, "</a></h2>");
    contest_table(&p, r, (int)c, (int)county, 0);
  }
  char name[64];
  pc_snprintf(name, sizeof name, "counties/%zu.html", county + 1);
  finish(&p, out, name);
}

static void verify_page(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *out) {
  page_t p;
  begin(&p, r, meta, "How to verify these results", "");
  pc_buf_append_str(&p.b,
                    "<p>Every file of this publication is listed in <a href=\"manifest.txt\">manifest.txt</a> with its "
                    "SHA-256 hash. The manifest is signed with the election office's Ed25519 publication key: "
                    "<a href=\"manifest.sig\">manifest.sig</a> holds the raw 64-byte signature of the exact bytes of "
                    "manifest.txt (nothing else is signed). The public key is "
                    "<a href=\"publish_ed25519.pub\">publish_ed25519.pub</a> (hex) and "
                    "<a href=\"publish_ed25519.pem\">publish_ed25519.pem</a> (PEM):</p><pre>");
  pc_buf_append_html(&p.b, meta->public_key_hex);
  pc_buf_append_str(&p.b,
                    "</pre><p>Compare that key with the one the election office publishes elsewhere (its main website, "
                    "printed notices): a key taken from this site only proves the files were not changed after "
                    "signing, not who signed them.</p><h2>With standard tools</h2><pre>"
                    "sha256sum --strict -c manifest.txt\n"
                    "openssl pkeyutl -verify -pubin -inkey publish_ed25519.pem -rawin -in manifest.txt -sigfile manifest.sig"
                    "</pre><h2>With precinct</h2><pre>precinct results verify DIR</pre>"
                    "<p>Each publication records the SHA-256 of the previous publication's manifest in "
                    "<a href=\"publication.json\">publication.json</a>, so the publications of an election form a chain.</p>");
  finish(&p, out, "verify.html");
}

void pc_results_render_html(const pc_results_t *r, const pc_snapshot_meta_t *meta, pc_snapshot_t *out) {
  pc_snapshot_add(out, "style.css", pc_xstrdup(style_css), strlen(style_css));
  index_page(r, meta, out);
  pc_results_map_t *map = pc_results_map_new(r);
  for (size_t c = 0; c < r->model.contest_count; c++) contest_page(r, meta, map, c, out);
  pc_results_map_free(map);
  for (size_t county = 0; county < r->model.county_count; county++) county_page(r, meta, county, out);
  verify_page(r, meta, out);
  pc_results_render_guide(r, out);
}
