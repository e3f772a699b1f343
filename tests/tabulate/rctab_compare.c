/* Compares a report written by `precinct tabulate` with the report RCTab
 * wrote for the same contest: every round's tally, threshold, inactive
 * ballots (every field RCTab has), elected/eliminated candidates and their
 * transfers, and the summary. Numbers are compared as decimals ("12.5000"
 * equals "12.5"). With --csv, compares detailed CSV reports cell by cell
 * (numbers as decimals), leaving out the generator line and precinct's
 * extra "Ballots Read" lines. With --cdf-document, compares two whole CDF
 * CVR exports structurally: the same keys, array lengths and values
 * everywhere, JSON types included, except exactly these values, which
 * legitimately differ: "GeneratedDate" (when the file was written) and
 * "ReportingDevice"[*]."Application" / "Manufacturer" (RCTab / Bright Spots
 * there, precinct here); those keys must still be present.
 * Prints each difference; exits 1 when there is any.
 * usage: rctab_compare [--csv|--cdf-document] EXPECTED ACTUAL */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int differences;

static void normalize(const json_t *value, char *out, size_t size) {
  char text[128];
  if (json_is_string(value)) snprintf(text, sizeof text, "%s", json_string_value(value));
  else if (json_is_integer(value)) snprintf(text, sizeof text, "%lld", (long long)json_integer_value(value));
  else if (json_is_real(value)) snprintf(text, sizeof text, "%.10f", json_real_value(value));
  else if (!value) snprintf(text, sizeof text, "<missing>");
  else snprintf(text, sizeof text, "<non-number>");
  char *dot = strchr(text, '.');
  if (dot && strspn(text, "-0123456789.") == strlen(text)) {
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == '0') text[--n] = '\0';
    if (n > 0 && text[n - 1] == '.') text[--n] = '\0';
  }
  if (strcmp(text, "-0") == 0) snprintf(text, sizeof text, "0");
  snprintf(out, size, "%s", text);
}

static void compare_number(const char *where, const char *key, const json_t *expected, const json_t *actual) {
  char a[128], b[128];
  normalize(expected, a, sizeof a);
  normalize(actual, b, sizeof b);
  if (strcmp(a, b) != 0) {
    printf("%s %s: expected %s, got %s\n", where, key, a, b);
    differences++;
  }
}

/* every key of EXPECTED (and of ACTUAL when STRICT) compared as numbers */
static void compare_map(const char *where, const json_t *expected, const json_t *actual, int strict) {
  const char *key;
  json_t *value;
  json_object_foreach((json_t *)expected, key, value) compare_number(where, key, value, json_object_get(actual, key));
  if (!strict) return;
  json_object_foreach((json_t *)actual, key, value)
    if (!json_object_get(expected, key)) compare_number(where, key, NULL, value);
}

static const char *outcome_name(const json_t *entry, const char **kind) {
  const char *name = json_string_value(json_object_get(entry, "elected"));
  *kind = "elected";
  if (!name) {
    name = json_string_value(json_object_get(entry, "eliminated"));
    *kind = "eliminated";
  }
  return name ? name : "";
}

static void compare_outcomes(const char *where, const json_t *expected, const json_t *actual) {
  size_t n = json_array_size(expected);
  if (n != json_array_size(actual)) {
    printf("%s tallyResults: expected %zu entries, got %zu\n", where, n, json_array_size(actual));
    differences++;
  }
  for (size_t i = 0; i < n; i++) {
    const char *kind, *other_kind;
    const char *name = outcome_name(json_array_get(expected, i), &kind);
    const json_t *match = NULL;
    for (size_t j = 0; j < json_array_size(actual); j++) {
      const char *other = outcome_name(json_array_get(actual, j), &other_kind);
      if (strcmp(other, name) == 0 && strcmp(kind, other_kind) == 0) match = json_array_get(actual, j);
    }
    if (!match) {
      printf("%s tallyResults: expected %s \"%s\", not found\n", where, kind, name);
      differences++;
      continue;
    }
    char here[256];
    snprintf(here, sizeof here, "%s %s \"%s\" transfers", where, kind, name);
    compare_map(here, json_object_get(json_array_get(expected, i), "transfers"), json_object_get(match, "transfers"),
                1);
  }
}

/* Reads a CSV file into rows of cells (quotes and doubled quotes handled). */
typedef struct csv_table { char ***rows; size_t *widths; size_t count; } csv_table_t;

static int read_csv(const char *path, csv_table_t *table) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  memset(table, 0, sizeof *table);
  char cell[4096];
  size_t length = 0;
  int quoted = 0, c, at_row_start = 1;
  char **row = NULL;
  size_t width = 0;
  for (;;) {
    c = fgetc(f);
    if (quoted) {
      if (c == EOF) break;
      if (c == '"') {
        int next = fgetc(f);
        if (next == '"') {
          if (length + 1 < sizeof cell) cell[length++] = '"';
        } else {
          quoted = 0;
          if (next != EOF) ungetc(next, f);
        }
      } else if (length + 1 < sizeof cell) {
        cell[length++] = (char)c;
      }
      continue;
    }
    if (c == '"') {
      quoted = 1;
      at_row_start = 0;
      continue;
    }
    if (c == '\r') continue;
    if (c == ',' || c == '\n' || c == EOF) {
      if (c == EOF && at_row_start && length == 0) break;
      cell[length] = '\0';
      row = realloc(row, (width + 1) * sizeof *row);
      row[width++] = strdup(cell);
      length = 0;
      if (c != ',') {
        table->rows = realloc(table->rows, (table->count + 1) * sizeof *table->rows);
        table->widths = realloc(table->widths, (table->count + 1) * sizeof *table->widths);
        table->rows[table->count] = row;
        table->widths[table->count++] = width;
        row = NULL;
        width = 0;
        at_row_start = 1;
        if (c == EOF) break;
      } else {
        at_row_start = 0;
      }
      continue;
    }
    at_row_start = 0;
    if (length + 1 < sizeof cell) cell[length++] = (char)c;
  }
  fclose(f);
  return 0;
}

static void free_csv(csv_table_t *table) {
  for (size_t r = 0; r < table->count; r++) {
    for (size_t k = 0; k < table->widths[r]; k++) free(table->rows[r][k]);
    free(table->rows[r]);
  }
  free(table->rows);
  free(table->widths);
}

static int is_number(const char *s) {
  if (*s == '-') s++;
  if (!*s) return 0;
  int digits = 0;
  for (; *s; s++) {
    if (*s >= '0' && *s <= '9') digits++;
    else if (*s != '.' && !(*s == '%' && s[1] == '\0')) return 0;
  }
  return digits > 0;
}

static int compare_csv(const char *expected_path, const char *actual_path) {
  csv_table_t expected, actual;
  memset(&actual, 0, sizeof actual);
  if (read_csv(expected_path, &expected) != 0) {
    printf("cannot read %s\n", expected_path);
    return 1;
  }
  if (read_csv(actual_path, &actual) != 0) {
    printf("cannot read %s\n", actual_path);
    free_csv(&expected);
    return 1;
  }
  size_t a = 0;
  for (size_t e = 0; e < expected.count; e++, a++) {
    while (a < actual.count && (strcmp(actual.rows[a][0], "Ballots Read") == 0)) a++;
    if (a >= actual.count) {
      printf("csv: missing row %zu (%s)\n", e + 1, expected.rows[e][0]);
      differences++;
      break;
    }
    const char *label = expected.rows[e][0];
    if (strcmp(label, "Generated By") == 0) continue;
    size_t width = expected.widths[e] > actual.widths[a] ? expected.widths[e] : actual.widths[a];
    for (size_t k = 0; k < width; k++) {
      const char *x = k < expected.widths[e] ? expected.rows[e][k] : "";
      const char *y = k < actual.widths[a] ? actual.rows[a][k] : "";
      int same;
      if (is_number(x) && is_number(y)) {
        char xs[128], ys[128];
        snprintf(xs, sizeof xs, "%s", x);
        snprintf(ys, sizeof ys, "%s", y);
        size_t xn = strlen(xs), yn = strlen(ys);
        if (xn && xs[xn - 1] == '%') xs[--xn] = '\0';
        if (yn && ys[yn - 1] == '%') ys[--yn] = '\0';
        json_t *jx = json_string(xs), *jy = json_string(ys);
        int before = differences;
        char where[300];
        snprintf(where, sizeof where, "csv row %zu (%.200s) column %zu", e + 1, label, k + 1);
        compare_number(where, "value", jx, jy);
        same = differences == before;
        json_decref(jx);
        json_decref(jy);
        continue;
      }
      same = strcmp(x, y) == 0;
      if (!same) {
        printf("csv row %zu (%s) column %zu: expected \"%s\", got \"%s\"\n", e + 1, label, k + 1, x, y);
        differences++;
      }
    }
  }
  while (a < actual.count && strcmp(actual.rows[a][0], "Ballots Read") == 0) a++;
  if (a < actual.count) {
    printf("csv: %zu extra row(s) from \"%s\"\n", actual.count - a, actual.rows[a][0]);
    differences++;
  }
  if (differences) printf("%d difference(s) between %s and %s\n", differences, expected_path, actual_path);
  free_csv(&expected);
  free_csv(&actual);
  return differences ? 1 : 0;
}

/* The one place whole documents may differ (see the header). */
static int ignored(const char *path) {
  if (strcmp(path, "/GeneratedDate") == 0) return 1;
  if (strncmp(path, "/ReportingDevice[", 17) != 0) return 0;
  const char *key = strchr(path, ']');
  return key && (strcmp(key, "]/Application") == 0 || strcmp(key, "]/Manufacturer") == 0);
}

static void compare_document(const json_t *e, const json_t *a, const char *path) {
  if (differences > 20) return;
  if (ignored(path)) return;
  if (!a || json_typeof(e) != json_typeof(a)) {
    printf("%s: %s\n", path[0] ? path : "/", a ? "different JSON types" : "missing");
    differences++;
    return;
  }
  char here[1024];
  if (json_is_object(e)) {
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)e, key, value) {
      snprintf(here, sizeof here, "%s/%s", path, key);
      compare_document(value, json_object_get(a, key), here);
    }
    json_object_foreach((json_t *)a, key, value)
      if (!json_object_get(e, key)) {
        printf("%s/%s: not expected\n", path, key);
        differences++;
      }
  } else if (json_is_array(e)) {
    if (json_array_size(e) != json_array_size(a)) {
      printf("%s: expected %zu items, got %zu\n", path, json_array_size(e), json_array_size(a));
      differences++;
    }
    for (size_t i = 0; i < json_array_size(e) && i < json_array_size(a); i++) {
      snprintf(here, sizeof here, "%s[%zu]", path, i);
      compare_document(json_array_get(e, i), json_array_get(a, i), here);
    }
  } else if (!json_equal((json_t *)e, (json_t *)a)) {
    char x[128], y[128];
    normalize(e, x, sizeof x);
    normalize(a, y, sizeof y);
    printf("%s: expected \"%s\", got \"%s\"\n", path, x, y);
    differences++;
  }
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "--csv") == 0) return compare_csv(argv[2], argv[3]);
  if (argc == 4 && strcmp(argv[1], "--cdf-document") == 0) {
    json_error_t error;
    json_t *expected = json_load_file(argv[2], 0, &error), *actual = json_load_file(argv[3], 0, &error);
    if (!expected || !actual) {
      printf("cannot read %s\n", expected ? argv[3] : argv[2]);
      return 1;
    }
    compare_document(expected, actual, "");
    if (differences) printf("%d difference(s) between %s and %s\n", differences, argv[2], argv[3]);
    json_decref(expected);
    json_decref(actual);
    return differences ? 1 : 0;
  }
  if (argc != 3) {
    fprintf(stderr, "usage: rctab_compare [--csv|--cdf-document] EXPECTED ACTUAL\n");
    return 2;
  }
  json_error_t error;
  json_t *expected = json_load_file(argv[1], 0, &error);
  json_t *actual = json_load_file(argv[2], 0, &error);
  if (!expected || !actual) {
    printf("cannot read %s\n", expected ? argv[2] : argv[1]);
    return 1;
  }
  json_t *expected_rounds = json_object_get(expected, "results");
  json_t *actual_rounds = json_object_get(actual, "results");
  if (json_array_size(expected_rounds) != json_array_size(actual_rounds)) {
    printf("rounds: expected %zu, got %zu\n", json_array_size(expected_rounds), json_array_size(actual_rounds));
    differences++;
  }
  for (size_t r = 0; r < json_array_size(expected_rounds) && r < json_array_size(actual_rounds); r++) {
    json_t *e = json_array_get(expected_rounds, r), *a = json_array_get(actual_rounds, r);
    char where[64];
    snprintf(where, sizeof where, "round %zu", r + 1);
    compare_number(where, "threshold", json_object_get(e, "threshold"), json_object_get(a, "threshold"));
    char here[96];
    snprintf(here, sizeof here, "%s tally", where);
    compare_map(here, json_object_get(e, "tally"), json_object_get(a, "tally"), 1);
    snprintf(here, sizeof here, "%s inactiveBallots", where);
    compare_map(here, json_object_get(e, "inactiveBallots"), json_object_get(a, "inactiveBallots"), 0);
    compare_outcomes(where, json_object_get(e, "tallyResults"), json_object_get(a, "tallyResults"));
  }
  json_t *summary = json_object_get(expected, "summary");
  if (summary) compare_map("summary", summary, json_object_get(actual, "summary"), 0);
  json_decref(expected);
  json_decref(actual);
  if (differences) printf("%d difference(s) between %s and %s\n", differences, argv[1], argv[2]);
  return differences ? 1 : 0;
}
