/* The precinct map of a contest page: each precinct's GeoJSON boundary
 * (Polygon or MultiPolygon, parsed with jansson once per publication) drawn
 * as an SVG path filled with the colour of its leading choice, and a table of
 * how many precincts each choice leads as the map's text alternative. It does
 * not draw anything for precincts without a boundary. */
#include "snapshot.h"

#include "precinct/alloc.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_POINTS_PER_PRECINCT = 20000, MAP_WIDTH = 6000, MAP_IMAGE_WIDTH = 800 };

static const char map_title[] = "Map of the precincts voting on this contest, each coloured by its leading choice; "
                                "the table of precincts led below gives the same information.";

/* Okabe-Ito colours (distinguishable with colour-blindness), each >= 3:1
 * against white except yellow, which is left out. */
static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"};
#define PALETTE_SIZE (sizeof palette / sizeof palette[0])
static const char NOT_REPORTING[] = "#ffffff", TIED[] = "#767676";

typedef struct shape {
  double *xy;         /* lon, lat pairs */
  size_t points;
  size_t *ring_ends;  /* point index after each ring */
  size_t rings;
} shape_t;

struct pc_results_map {
  shape_t *shapes;    /* per precinct; points == 0 when no boundary */
  size_t count;
  int any;
};

static int add_ring(shape_t *s, const json_t *ring) {
  size_t n = json_array_size(ring);
  if (n < 3 || s->points + n > MAX_POINTS_PER_PRECINCT) return -1;
  s->xy = pc_xrealloc(s->xy, (s->points + n) * 2 * sizeof *s->xy);
  for (size_t i = 0; i < n; i++) {
    const json_t *point = json_array_get(ring, i);
    if (!json_is_number(json_array_get(point, 0)) || !json_is_number(json_array_get(point, 1))) return -1;
    s->xy[(s->points + i) * 2] = json_number_value(json_array_get(point, 0));
    s->xy[(s->points + i) * 2 + 1] = json_number_value(json_array_get(point, 1));
  }
  s->points += n;
  s->ring_ends = pc_xrealloc(s->ring_ends, (s->rings + 1) * sizeof *s->ring_ends);
  s->ring_ends[s->rings++] = s->points;
  return 0;
}

static int add_polygon(shape_t *s, const json_t *polygon) {
  for (size_t i = 0; i < json_array_size(polygon); i++)
    if (add_ring(s, json_array_get(polygon, i)) != 0) return -1;
  return 0;
}

/* A boundary that is not a valid Polygon/MultiPolygon is left out of the
 * map (the definition import checked it is JSON). */
static void parse_shape(const char *geojson, shape_t *s) {
  json_t *root = json_loads(geojson, 0, NULL);
  const char *type = json_string_value(json_object_get(root, "type"));
  const json_t *coordinates = json_object_get(root, "coordinates");
  int rc = -1;
  if (type && strcmp(type, "Polygon") == 0) {
    rc = add_polygon(s, coordinates);
  } else if (type && strcmp(type, "MultiPolygon") == 0) {
    rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(coordinates); i++) rc = add_polygon(s, json_array_get(coordinates, i));
  }
  json_decref(root);
  if (rc != 0) {
    free(s->xy);
    free(s->ring_ends);
    memset(s, 0, sizeof *s);
  }
}

pc_results_map_t *pc_results_map_new(const pc_results_t *r) {
  pc_results_map_t *map = pc_xcalloc(1, sizeof *map);
  map->count = r->model.precinct_count;
  map->shapes = pc_xcalloc(map->count + 1, sizeof *map->shapes);
  for (size_t p = 0; p < map->count; p++) {
    if (r->model.precincts[p].boundary_geojson) parse_shape(r->model.precincts[p].boundary_geojson, &map->shapes[p]);
    if (map->shapes[p].points) map->any = 1;
  }
  return map;
}

void pc_results_map_free(pc_results_map_t *map) {
  if (!map) return;
  for (size_t p = 0; p < map->count; p++) {
    free(map->shapes[p].xy);
    free(map->shapes[p].ring_ends);
  }
  free(map->shapes);
  free(map);
}

/* Index of the leading choice of CONTEST in precinct P; -1 not reporting or
 * no votes, -2 tied. */
static int leader(const pc_results_t *r, int contest, size_t p) {
  if (!r->reporting[p]) return -1;
  const pc_contest_t *c = &r->model.contests[contest];
  int64_t best = 0;
  int who = -1;
  for (size_t k = 0; k < c->choice_count; k++) {
    int64_t votes = 0;
    size_t global = r->choice_base[contest] + k;
    for (int g = 0; g < PC_GROUP_COUNT; g++) votes += r->votes[(p * r->choice_total + global) * PC_GROUP_COUNT + (size_t)g];
    if (votes > best) best = votes, who = (int)k;
    else if (votes == best && votes > 0) who = -2;
  }
  return who;
}

/* Appends "<COMMAND><x> <y>" (the paths are hundreds of thousands of
 * points per publication: no printf). */
static void append_move(pc_buf_t *b, char command, long x, long y) {
  char text[48];
  size_t at = sizeof text;
  for (int part = 1; part >= 0; part--) {
    long value = part ? y : x;
    unsigned long v = value < 0 ? 0UL - (unsigned long)value : (unsigned long)value;
    do text[--at] = (char)('0' + v % 10); while ((v /= 10) != 0);
    if (value < 0) text[--at] = '-';
    if (part) text[--at] = ' ';
  }
  text[--at] = command;
  pc_buf_append(b, text + at, sizeof text - at);
}

static const char *colour(int who) {
  if (who == -2) return TIED;
  if (who < 0) return NOT_REPORTING;
  return palette[(size_t)who % PALETTE_SIZE];
}

void pc_results_map_render(const pc_results_map_t *map, const pc_results_t *r, int contest, const char *svg_href,
                           pc_buf_t *out, pc_buf_t *svg) {
  const pc_election_model_t *m = &r->model;
  if (!map->any) return;
  double west = INFINITY, east = -INFINITY, south = INFINITY, north = -INFINITY;
  for (size_t p = 0; p < map->count; p++) {
    if (!map->shapes[p].points || !pc_elections_style_has_contest(m, m->precincts[p].ballot_style, contest)) continue;
    for (size_t i = 0; i < map->shapes[p].points; i++) {
      double x = map->shapes[p].xy[i * 2], y = map->shapes[p].xy[i * 2 + 1];
      west = fmin(west, x), east = fmax(east, x), south = fmin(south, y), north = fmax(north, y);
    }
  }
  if (!(east > west) || !(north > south)) return;
  /* Equirectangular, shrunk east-west by cos(latitude) so squares stay square. */
  double squeeze = cos((north + south) / 2 * 3.14159265358979 / 180);
  if (squeeze < 0.1) squeeze = 0.1;
  double scale = MAP_WIDTH / ((east - west) * squeeze);
  int height = (int)ceil((north - south) * scale);
  if (height < 1) height = 1;
  const pc_contest_t *c = &m->contests[contest];
  long *led = pc_xcalloc(c->choice_count + 1, sizeof *led);
  long tied = 0, waiting = 0;
  pc_buf_appendf(svg,
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\" "
                 "aria-labelledby=\"map-title\"><title id=\"map-title\">%s</title>"
                 "<g stroke=\"#767676\" stroke-width=\"5\">",
                 MAP_WIDTH, height, map_title);
  for (size_t p = 0; p < map->count; p++) {
    const shape_t *s = &map->shapes[p];
    if (!s->points || !pc_elections_style_has_contest(m, m->precincts[p].ballot_style, contest)) continue;
    int who = leader(r, contest, p);
    if (who >= 0) led[who]++;
    else if (who == -2) tied++;
    else waiting++;
    pc_buf_appendf(svg, "<path fill=\"%s\" d=\"", colour(who));
    /* Whole map units and relative moves between the rounded points (no
     * drift), without the ring's closing point (Z closes it): the paths are
     * most of a contest page's bytes. */
    size_t start = 0;
    for (size_t ring = 0; ring < s->rings; ring++) {
      size_t end = s->ring_ends[ring];
      if (end - start > 3 && s->xy[start * 2] == s->xy[(end - 1) * 2] &&
          s->xy[start * 2 + 1] == s->xy[(end - 1) * 2 + 1])
        end--;
      long px = 0, py = 0;
      for (size_t i = start; i < end; i++) {
        long x = lround((s->xy[i * 2] - west) * squeeze * scale), y = lround((north - s->xy[i * 2 + 1]) * scale);
        if (i == start) append_move(svg, 'M', x, y);
        else append_move(svg, 'l', x - px, y - py);
        px = x, py = y;
      }
      pc_buf_append_str(svg, "Z");
      start = s->ring_ends[ring];
    }
    pc_buf_append_str(svg, "\"/>");
  }
  pc_buf_append_str(svg, "</g></svg>\n");
  /* The map is a file of its own (it was most of a contest page's bytes):
   * the page shows it as an image whose text alternative points at the
   * table below. */
  pc_buf_append_str(out, "<figure class=\"map\"><img src=\"");
  pc_buf_append_html(out, svg_href);
  pc_buf_appendf(out, "\" width=\"%d\" height=\"%d\" alt=\"%s\">", MAP_IMAGE_WIDTH,
                 (int)ceil((double)height * MAP_IMAGE_WIDTH / MAP_WIDTH), map_title);
  pc_buf_append_str(out, "<figcaption>Precincts coloured by leading choice. White: not reporting yet (or no "
                         "votes); grey: tied.</figcaption></figure><table class=\"legend\"><caption>Precincts led, by "
                         "choice</caption><thead><tr><th scope=\"col\">Choice</th><th scope=\"col\">Map colour</th>"
                         "<th scope=\"col\" class=\"n\">Precincts leading</th></tr></thead><tbody>");
  char count[PC_RESULTS_COUNT_TEXT], count2[PC_RESULTS_COUNT_TEXT];
  for (size_t k = 0; k < c->choice_count; k++) {
    pc_buf_append_str(out, "<tr><th scope=\"row\">");
    pc_buf_append_html(out, c->choices[k].name);
    pc_buf_appendf(out,
                   "</th><td><svg width=\"16\" height=\"16\" aria-hidden=\"true\"><rect width=\"16\" height=\"16\" "
                   "fill=\"%s\" stroke=\"#444\"/></svg></td><td class=\"n\">%s</td></tr>",
                   colour((int)k), pc_results_count_text(led[k], count));
  }
  pc_buf_appendf(out,
                 "<tr><th scope=\"row\">Tied</th><td><svg width=\"16\" height=\"16\" aria-hidden=\"true\"><rect "
                 "width=\"16\" height=\"16\" fill=\"%s\" stroke=\"#444\"/></svg></td><td class=\"n\">%s</td></tr>"
                 "<tr><th scope=\"row\">Not reporting</th><td><svg width=\"16\" height=\"16\" aria-hidden=\"true\">"
                 "<rect width=\"16\" height=\"16\" fill=\"%s\" stroke=\"#444\"/></svg></td><td class=\"n\">%s</td>"
                 "</tr></tbody></table>",
                 TIED, pc_results_count_text(tied, count), NOT_REPORTING, pc_results_count_text(waiting, count2));
  free(led);
}
