/* Voter guide pages of the public site, from the election definition only:
 * the polling place finder (polling/N.html, one page per county listing
 * each precinct's polling places and its sample ballot) and one sample
 * ballot per ballot style (ballots/sN.html). No returns are shown here. */
#include "snapshot.h"

#include "precinct/buf.h"

#include <string.h>

/* Opens a guide page: the same frame as the results pages, without the
 * publication status (the definition does not change with the returns). */
static void open_page(pc_buf_t *b, const pc_results_t *r, const char *title) {
  const pc_election_model_t *m = &r->model;
  pc_buf_init(b, 0);
  pc_buf_append_str(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>");
  pc_buf_append_html(b, title);
  pc_buf_append_str(b, " - ");
  pc_buf_append_html(b, m->election.name);
  pc_buf_append_str(b, "</title><link rel=\"stylesheet\" href=\"../style.css\"></head><body>"
                       "<a class=\"skip\" href=\"#main\">Skip to content</a><header><p><a href=\"../index.html\">");
  pc_buf_append_html(b, m->election.jurisdiction);
  pc_buf_append_str(b, ": ");
  pc_buf_append_html(b, m->election.name);
  pc_buf_append_str(b, "</a></p><h1>");
  pc_buf_append_html(b, title);
  pc_buf_append_str(b, "</h1></header><main id=\"main\">");
}

static void close_page(pc_buf_t *b, pc_snapshot_t *out, const char *name) {
  pc_buf_append_str(b, "</main><footer><p><a href=\"../index.html\">Election results</a>. "
                       "<a href=\"../verify.html\">How to verify these files</a>.</p></footer></body></html>\n");
  pc_snapshot_add_buf(out, name, b);
}

static void polling_page(const pc_results_t *r, size_t county, pc_snapshot_t *out) {
  const pc_election_model_t *m = &r->model;
  char title[200], name[64];
  pc_snprintf(title, sizeof title, "Polling places: %s County", m->counties[county].name);
  pc_buf_t b;
  open_page(&b, r, title);
  pc_buf_append_str(&b, "<p>Find your precinct (it is printed on your voter registration card) to see where to vote "
                        "and your sample ballot.</p><div class=\"scroll\" tabindex=\"0\" role=\"region\" "
                        "aria-label=\"Polling places\"><table><caption>Precincts and polling places</caption><thead><tr>"
                        "<th scope=\"col\">Precinct</th><th scope=\"col\">Polling place</th>"
                        "<th scope=\"col\">Sample ballot</th></tr></thead><tbody>");
  for (size_t p = 0; p < m->precinct_count; p++) {
    if (m->precincts[p].county != (int)county) continue;
    pc_buf_append_str(&b, "<tr><th scope=\"row\">");
    pc_buf_append_html(&b, m->precincts[p].name);
    pc_buf_append_str(&b, "</th><td>");
    int places = 0;
    for (size_t i = 0; i < m->polling_place_count; i++) {
      if (m->polling_places[i].precinct != (int)p) continue;
      pc_buf_append_str(&b, places++ ? "<br>" : "");
      pc_buf_append_html(&b, m->polling_places[i].name);
      if (m->polling_places[i].address && m->polling_places[i].address[0]) {
        pc_buf_append_str(&b, ", ");
        pc_buf_append_html(&b, m->polling_places[i].address);
      }
    }
    if (!places) pc_buf_append_str(&b, "Not listed: ask the county election office");
    pc_buf_append_str(&b, "</td><td>");
    if (m->precincts[p].ballot_style >= 0) {
      pc_buf_appendf(&b, "<a href=\"../ballots/s%d.html\">", m->precincts[p].ballot_style + 1);
      pc_buf_append_html(&b, m->ballot_styles[m->precincts[p].ballot_style].code);
      pc_buf_append_str(&b, "</a>");
    }
    pc_buf_append_str(&b, "</td></tr>");
  }
  pc_buf_append_str(&b, "</tbody></table></div>");
  pc_snprintf(name, sizeof name, "polling/%zu.html", county + 1);
  close_page(&b, out, name);
}

static void ballot_page(const pc_results_t *r, size_t style, pc_snapshot_t *out) {
  const pc_election_model_t *m = &r->model;
  const pc_ballot_style_t *s = &m->ballot_styles[style];
  char title[200], name[64];
  pc_snprintf(title, sizeof title, "Sample ballot: %s", s->code);
  pc_buf_t b;
  open_page(&b, r, title);
  pc_buf_append_str(&b, "<p>This sample ballot lists the contests on ballot style ");
  pc_buf_append_html(&b, s->code);
  pc_buf_append_str(&b, " in ballot order. It is for information only and cannot be cast.</p>");
  for (size_t i = 0; i < s->contest_count; i++) {
    const pc_contest_t *c = &m->contests[s->contests[i]];
    pc_buf_appendf(&b, "<section aria-labelledby=\"k%zu\"><h2 id=\"k%zu\">", i + 1, i + 1);
    pc_buf_append_html(&b, c->name);
    pc_buf_append_str(&b, "</h2><p class=\"meta\">");
    if (c->kind == PC_CONTEST_RCV)
      pc_buf_appendf(&b, "Rank the candidates in order of preference (1 = first choice); %zu choices.",
                     c->choice_count);
    else if (c->kind == PC_CONTEST_MEASURE || c->kind == PC_CONTEST_RETENTION)
      pc_buf_append_str(&b, "Vote for one.");
    else
      pc_buf_appendf(&b, "Vote for %s%d.", c->vote_for > 1 ? "up to " : "", c->vote_for);
    pc_buf_append_str(&b, "</p><ul>");
    for (size_t k = 0; k < c->choice_count; k++) {
      pc_buf_append_str(&b, "<li>");
      pc_buf_append_html(&b, c->choices[k].name);
      int candidate = c->choices[k].candidate;
      if (candidate >= 0 && m->candidates[candidate].party >= 0) {
        pc_buf_append_str(&b, " <span class=\"meta\">(");
        pc_buf_append_html(&b, m->parties[m->candidates[candidate].party].name);
        pc_buf_append_str(&b, ")</span>");
      }
      pc_buf_append_str(&b, "</li>");
    }
    pc_buf_append_str(&b, "</ul></section>");
  }
  pc_snprintf(name, sizeof name, "ballots/s%zu.html", style + 1);
  close_page(&b, out, name);
}

void pc_results_render_guide(const pc_results_t *r, pc_snapshot_t *out) {
  for (size_t county = 0; county < r->model.county_count; county++) polling_page(r, county, out);
  for (size_t style = 0; style < r->model.ballot_style_count; style++) ballot_page(r, style, out);
}
