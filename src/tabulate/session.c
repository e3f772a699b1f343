/* One `precinct tabulate` run: load the config, read the CVRs once, count
 * each pass (one for most contests, one per seat for multi-pass IRV), and
 * write every report into a temporary folder beside the output directory
 * that is renamed into place only when all of it succeeded, so a failed run
 * leaves no partial report. Records SHA-256 of every input and output in
 * audit.json. */
#include "tabulate/internal.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/fileio.h"
#include "precinct/tabulate.h"

#ifndef PRECINCT_VERSION
#define PRECINCT_VERSION "0.1.0"
#endif

static int hash_file(const char *path, char hex[65]) {
  FILE *f = fopen(path, "rb");
  if (!f) return PC_EIO;
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  unsigned char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, f)) > 0) crypto_hash_sha256_update(&state, buffer, n);
  int failed = ferror(f);
  fclose(f);
  if (failed) return PC_EIO;
  unsigned char digest[32];
  crypto_hash_sha256_final(&state, digest);
  sodium_bin2hex(hex, 65, digest, 32);
  return 0;
}

/* Hashes PATH, or every regular file under it when it is a folder. */
static void hash_input(json_t *list, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR *dir = opendir(path);
    if (!dir) return;
    struct dirent *entry;
    char **names = NULL;
    size_t count = 0;
    while ((entry = readdir(dir)) != NULL) {
      if (entry->d_name[0] == '.') continue;
      names = pc_xreallocarray(names, count + 1, sizeof *names);
      names[count++] = pc_xstrdup(entry->d_name);
    }
    closedir(dir);
    for (size_t i = 0; i < count; i++)
      for (size_t j = i + 1; j < count; j++)
        if (strcmp(names[j], names[i]) < 0) {
          char *t = names[i];
          names[i] = names[j];
          names[j] = t;
        }
    for (size_t i = 0; i < count; i++) {
      pc_buf_t child;
      pc_buf_init(&child, 0);
      pc_buf_appendf(&child, "%s/%s", path, names[i]);
      hash_input(list, pc_buf_str(&child));
      pc_buf_free(&child);
      free(names[i]);
    }
    free(names);
    return;
  }
  char hex[65];
  if (hash_file(path, hex) != 0) return;
  json_t *item = json_object();
  json_object_set_new(item, "path", json_string(path));
  json_object_set_new(item, "sha256", json_string(hex));
  json_array_append_new(list, item);
}

/* The inputs' hashes, computed by the CVR reader's pool on the first thread
 * left without a source (else it idles while the last workbook finishes). */
typedef struct {
  const char *config_path;
  const pc_tab_config_t *config;
  json_t *list;
} input_hashes_t;

static void hash_inputs(void *arg) {
  input_hashes_t *h = arg;
  hash_input(h->list, h->config_path);
  for (size_t i = 0; i < h->config->source_count; i++) hash_input(h->list, h->config->sources[i].path);
}

static void remove_tree(const char *path) {
  DIR *dir = opendir(path);
  if (dir) {
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
      if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
      pc_buf_t child;
      pc_buf_init(&child, 0);
      pc_buf_appendf(&child, "%s/%s", path, entry->d_name);
      struct stat st;
      if (lstat(pc_buf_str(&child), &st) == 0 && S_ISDIR(st.st_mode)) remove_tree(pc_buf_str(&child));
      else unlink(pc_buf_str(&child));
      pc_buf_free(&child);
    }
    closedir(dir);
  }
  rmdir(path);
}

/* mkdir -p of PATH's parent folders (the output folder may be new). */
static void make_parents(const char *path) {
  char *copy = pc_xstrdup(path);
  for (char *p = copy + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    mkdir(copy, 0755);
    *p = '/';
  }
  free(copy);
}

static char *join(const char *a, const char *b) {
  pc_buf_t buf;
  pc_buf_init(&buf, 0);
  pc_buf_appendf(&buf, "%s/%s", a, b);
  return pc_buf_detach(&buf, NULL);
}

/* Writes STEM.json and STEM.csv for VIEW (the whole count, one pass, or one
 * precinct or batch), refusing to overwrite a report of the same run. */
static int write_reports(const char *dir, const char *stem, const pc_tab_config_t *config,
                         const pc_tab_ballots_t *ballots, const pc_tab_result_t *view, json_t *outputs,
                         pc_error_t *err) {
  const char *kinds[] = {"json", "csv"};
  for (int k = 0; k < 2; k++) {
    pc_buf_t name;
    pc_buf_init(&name, 0);
    pc_buf_appendf(&name, "%s.%s", stem, kinds[k]);
    char *path = join(dir, pc_buf_str(&name));
    struct stat st;
    int rc = 0;
    if (stat(path, &st) == 0)
      rc = pc_error_set_at(err, PC_EEXIST, path, 0, NULL, "two precincts or batches share the file name %s",
                           pc_buf_str(&name));
    if (rc == 0)
      rc = k == 0 ? pc_tab_write_summary_json(path, config, ballots, view, err)
                  : pc_tab_write_summary_csv(path, config, ballots, view, err);
    if (rc == 0) json_array_append_new(outputs, json_string(pc_buf_str(&name)));
    free(path);
    pc_buf_free(&name);
    if (rc != 0) return rc;
  }
  return 0;
}

static int count_passes(const pc_tabulate_options_t *options, const pc_tab_config_t *config,
                        const pc_tab_ballots_t *ballots, const char *dir, json_t *outputs, pc_error_t *err) {
  size_t slots = config->candidate_count + 1;
  bool *excluded = pc_xcalloc(slots, sizeof *excluded);
  for (size_t i = 0; i < config->candidate_count; i++) excluded[i] = config->candidates[i].excluded;
  bool multi_pass = config->winner_mode == PC_WM_MULTI_PASS;
  int passes = multi_pass ? config->number_of_winners : 1;
  pc_tab_tiebreak_input_t ask = {options->tiebreak_choices, options->tiebreak_choice_count, 0};
  int rc = 0;
  for (int pass = 1; pass <= passes && rc == 0; pass++) {
    pc_java_random_t random;
    pc_java_random_init(&random, config->random_seed);
    pc_tab_result_t result;
    rc = pc_tab_count(config, ballots, excluded, multi_pass ? 1 : config->number_of_winners, &random, &ask, &result,
                      err);
    if (rc != 0) break;
    char suffix[32] = "";
    if (multi_pass) pc_snprintf(suffix, sizeof suffix, "_%d", pass);
    char stem[64];
    pc_snprintf(stem, sizeof stem, "summary%s", suffix);
    rc = write_reports(dir, stem, config, ballots, &result, outputs, err);
    if (rc == 0 && config->generate_cdf_json) {
      char name[64];
      pc_snprintf(name, sizeof name, "cvr_cdf%s.json", suffix);
      char *path = join(dir, name);
      rc = pc_tab_write_cdf_json(path, config, ballots, &result, err);
      if (rc == 0) rc = pc_file_sync_parent(path) == 0 ? 0 : 0;
      if (rc == 0) json_array_append_new(outputs, json_string(name));
      free(path);
    }
    for (size_t u = 0; u < result.unit_count && rc == 0; u++) {
      pc_tab_result_t view = pc_tab_unit_view(&result, u);
      char name[512], unit_suffix[600];
      pc_tab_sanitize_name(view.unit_name, name, sizeof name);
      pc_snprintf(unit_suffix, sizeof unit_suffix, "%s_%s%s", name, view.unit_is_batch ? "batch" : "precinct", suffix);
      rc = write_reports(dir, unit_suffix, config, ballots, &view, outputs, err);
    }
    if (!options->quiet) {
      fprintf(stderr, "tabulate: pass %d: %zu rounds, winner(s):", pass, result.round_count);
      for (size_t w = 0; w < result.winner_count; w++)
        fprintf(stderr, " \"%s\"", pc_tab_candidate_name(config, result.winners[w]));
      fputc('\n', stderr);
    }
    for (size_t w = 0; w < result.winner_count; w++) excluded[result.winners[w]] = true;
    pc_tab_result_free(&result);
  }
  free(excluded);
  return rc;
}

/* RCTab's conversions (--convert-to-cdf, --convert-to-csv): the CVRs as
 * read, no count. */
static int convert(const pc_tabulate_options_t *options, const pc_tab_config_t *config,
                   const pc_tab_ballots_t *ballots, const char *dir, json_t *outputs, pc_error_t *err) {
  int rc = 0;
  if (options->convert_to_cdf) {
    char *path = join(dir, "cvr_cdf.json");
    rc = pc_tab_write_cdf_json(path, config, ballots, NULL, err);
    if (rc == 0) json_array_append_new(outputs, json_string("cvr_cdf.json"));
    free(path);
  }
  if (rc == 0 && options->convert_to_csv) {
    char *path = join(dir, "cvr.csv");
    rc = pc_tab_write_cvr_csv(path, config, err);
    if (rc == 0) json_array_append_new(outputs, json_string("cvr.csv"));
    free(path);
  }
  if (rc == 0 && !options->quiet) fprintf(stderr, "tabulate: converted %zu cast vote records\n", ballots->count);
  return rc;
}

int pc_tabulate_run(const pc_tabulate_options_t *options, pc_error_t *err) {
  if (sodium_init() < 0) return pc_error_set(err, PC_EINTERNAL, "libsodium failed to initialise");
  pc_tab_config_t config;
  int rc = pc_tab_config_load(options->config_path, &config, err);
  if (rc != 0) return rc;
  char *out_dir = NULL;
  if (options->out_dir) out_dir = pc_xstrdup(options->out_dir);
  else if (config.output_directory)
    out_dir = config.output_directory[0] == '/' ? pc_xstrdup(config.output_directory)
                                                : join(config.directory, config.output_directory);
  else out_dir = join(config.directory, "output");
  pc_tab_ballots_t ballots;
  memset(&ballots, 0, sizeof ballots);
  char *temp_dir = NULL;
  json_t *outputs = json_array();
  config.count_threads = options->threads;
  bool converting = options->convert_to_cdf || options->convert_to_csv;
  input_hashes_t hashes = {options->config_path, &config, json_array()};
  rc = pc_tab_ballots_read(&config, options->threads, config.generate_cdf_json || options->convert_to_cdf,
                           hash_inputs, &hashes, &ballots, err);
  if (rc == 0 && options->expect_ballots >= 0 && (uint64_t)options->expect_ballots != ballots.count)
    rc = pc_error_set(err, PC_EINTEGRITY, "the CVRs hold %zu ballots, but --expect-ballots says %lld; not tabulating",
                      ballots.count, (long long)options->expect_ballots);
  if (rc == 0 && !converting && config.tabulate_by_precinct && ballots.precinct_count == 0)
    rc = pc_error_set_at(err, PC_EINVAL, config.path, 0, "tabulateByPrecinct",
                         "\"Tabulate by Precinct\" is enabled, but the CVRs don't list precincts");
  if (rc == 0) {
    struct stat st;
    if (stat(out_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
      /* an existing directory: reports are replaced file by file after the count succeeded */
    }
    pc_buf_t temp;
    pc_buf_init(&temp, 0);
    pc_buf_appendf(&temp, "%s.tmp.%ld", out_dir, (long)getpid());
    temp_dir = pc_buf_detach(&temp, NULL);
    remove_tree(temp_dir);
    make_parents(temp_dir);
    if (mkdir(temp_dir, 0755) != 0)
      rc = pc_error_set_at(err, PC_EIO, temp_dir, 0, NULL, "cannot create the output folder: %s", strerror(errno));
  }
  if (rc == 0)
    rc = converting ? convert(options, &config, &ballots, temp_dir, outputs, err)
                    : count_passes(options, &config, &ballots, temp_dir, outputs, err);
  if (rc == 0) {
    json_t *audit = json_object();
    json_object_set_new(audit, "tabulator", json_string("precinct " PRECINCT_VERSION));
    json_object_set_new(audit, "inputs", hashes.list);
    hashes.list = NULL;
    json_t *hashed = json_array();
    for (size_t i = 0; i < json_array_size(outputs); i++) {
      const char *name = json_string_value(json_array_get(outputs, i));
      char *path = join(temp_dir, name);
      char hex[65];
      if (hash_file(path, hex) == 0) {
        json_t *item = json_object();
        json_object_set_new(item, "path", json_string(name));
        json_object_set_new(item, "sha256", json_string(hex));
        json_array_append_new(hashed, item);
      }
      free(path);
    }
    json_object_set_new(audit, "outputs", hashed);
    json_object_set_new(audit, "ballotsRead", json_integer((json_int_t)ballots.count));
    char *text = json_dumps(audit, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(audit);
    char *path = join(temp_dir, "audit.json");
    rc = pc_file_write_durable(path, text, strlen(text), 0644, 0, err);
    free(path);
    free(text);
  }
  if (rc == 0) {
    /* A new (or empty) OUT_DIR is the temporary folder renamed: atomic.
       Into an existing folder the reports move one by one, audit.json last,
       so a complete audit.json means a complete set. */
    json_array_append_new(outputs, json_string("audit.json"));
    rmdir(out_dir); /* only succeeds when it is empty */
    bool moved_whole = rename(temp_dir, out_dir) == 0;
    if (!moved_whole) mkdir(out_dir, 0755);
    for (size_t i = 0; i < json_array_size(outputs) && rc == 0 && !moved_whole; i++) {
      const char *name = json_string_value(json_array_get(outputs, i));
      char *from = join(temp_dir, name), *to = join(out_dir, name);
      if (rename(from, to) != 0)
        rc = pc_error_set_at(err, PC_EIO, to, 0, NULL, "cannot move the report into place: %s", strerror(errno));
      free(from);
      free(to);
    }
    if (rc == 0) {
      char *marker = join(out_dir, "audit.json");
      pc_file_sync_parent(marker);
      free(marker);
      if (moved_whole) pc_file_sync_parent(out_dir);
    }
  }
  if (temp_dir) remove_tree(temp_dir);
  free(temp_dir);
  json_decref(outputs);
  json_decref(hashes.list);
  pc_tab_ballots_free(&ballots);
  free(out_dir);
  pc_tab_config_free(&config);
  return rc;
}
