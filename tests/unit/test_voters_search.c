/* Unit tests for src/voters/search.c and maintenance_list.c: the county
 * search in each mode with keyset pages (complete, ordered, no repeats,
 * never another county), history and audit trail of one voter, and (on
 * SQLite) EXPLAIN QUERY PLAN of every statement: each must run on the
 * expected index, never a table scan, because the roll has 10M rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/counties.h"
#include "precinct/voters.h"
#include "precinct/voters_maintenance.h"
#include "precinct/voters_search.h"
#include "voters/voters_internal.h"

#include <stdio.h>
#include <string.h>

typedef struct fixture {
  pc_instance_t instance;
  pc_store_t *store;
  pc_actor_t actor;
  pc_voters_t state, wake;
} fixture_t;

static const char *const surnames[] = {"SMITH", "SMYTHE", "SMALL", "JONES", "SMITHERS"};
static const char *const given[] = {"ANN", "BOB", "CARL", "DORA"};

static int64_t register_one(fixture_t *f, const char *county, const char *precinct, const char *last, const char *first) {
  pc_voter_application_t app;
  memset(&app, 0, sizeof app);
  pc_strlcpy(app.voter.first_name, first, sizeof app.voter.first_name);
  pc_strlcpy(app.voter.last_name, last, sizeof app.voter.last_name);
  pc_strlcpy(app.voter.birth_date, "1970-05-06", sizeof app.voter.birth_date);
  pc_strlcpy(app.voter.res_street_address, "1 Oak St", sizeof app.voter.res_street_address);
  pc_strlcpy(app.voter.res_city, "Raleigh", sizeof app.voter.res_city);
  pc_strlcpy(app.voter.res_zip, "27601", sizeof app.voter.res_zip);
  pc_strlcpy(app.voter.precinct_code, precinct, sizeof app.voter.precinct_code);
  app.county = county;
  app.citizenship_attested = 1;
  int64_t id = 0;
  pc_error_t err;
  assert_int_equal(pc_voters_register(&f->state, &app, &id, &err), 0);
  return id;
}

/* WAKE: 5 surnames x 4 given names x 3 = 60 voters over two precincts;
 * DURHAM: the same names once each (20 voters), never to be found from WAKE. */
static void open_fixture(fixture_t *f) {
  pc_test_instance(&f->instance, &f->store);
  pc_audit_cli_actor(&f->actor);
  pc_error_t err;
  assert_int_equal(pc_voters_open(&f->state, &f->instance, f->store, &f->actor, NULL, &err), 0);
  pc_voters_open_reader(&f->wake, f->store, &f->actor, "WAKE");
  assert_int_equal(pc_counties_create(f->store, &f->actor, "WAKE", NULL, NULL, &err), 0);
  assert_int_equal(pc_counties_create(f->store, &f->actor, "DURHAM", NULL, NULL, &err), 0);
  assert_int_equal(pc_voters_add_precinct(&f->state, "WAKE", "0001", "ONE", &err), 0);
  assert_int_equal(pc_voters_add_precinct(&f->state, "WAKE", "0002", "TWO", &err), 0);
  assert_int_equal(pc_voters_add_precinct(&f->state, "DURHAM", "0001", "D ONE", &err), 0);
  for (int copy = 0; copy < 3; copy++)
    for (int s = 0; s < 5; s++)
      for (int g = 0; g < 4; g++) register_one(f, "WAKE", (s + g + copy) % 2 ? "0002" : "0001", surnames[s], given[g]);
  for (int s = 0; s < 5; s++)
    for (int g = 0; g < 4; g++) register_one(f, "DURHAM", "0001", surnames[s], given[g]);
}

static void close_fixture(fixture_t *f) {
  pc_voters_close(&f->state);
  pc_store_close(f->store);
  pc_test_rmtree(f->instance.data_dir);
}

typedef struct page {
  pc_voter_t voters[64];
  int count;
} page_t;

static int collect(void *context, const pc_voter_t *voter) {
  page_t *page = context;
  assert_true(page->count < 64);
  page->voters[page->count++] = *voter;
  return 0;
}

/* Runs Q page by page (LIMIT each) into ALL; returns the number of pages. */
static int all_pages(fixture_t *f, pc_voter_query_t q, int limit, page_t *all) {
  all->count = 0;
  int pages = 0, more = 1;
  while (more) {
    page_t page = {.count = 0};
    pc_error_t err;
    assert_int_equal(pc_voters_find(&f->wake, &q, limit, collect, &page, &more, &err), 0);
    assert_true(page.count <= limit);
    assert_true(page.count > 0 || pages == 0);
    for (int i = 0; i < page.count; i++) all->voters[all->count++] = page.voters[i];
    if (page.count) q.after_id = page.voters[page.count - 1].id;
    pages++;
    assert_true(pages < 100);
  }
  return pages;
}

static void search_modes_and_pages(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f);
  int64_t wake = 0;
  pc_error_t err;
  assert_int_equal(pc_voters_county_id(f.store, "WAKE", &wake, &err), 0);
  /* "smi": SMITH and SMITHERS (not SMYTHE, SMALL), 2 x 4 x 3 = 24, in pages of 7. */
  page_t all;
  pc_voter_query_t q = {.last_name = "smi"};
  assert_int_equal(all_pages(&f, q, 7, &all), 4);
  assert_int_equal(all.count, 24);
  for (int i = 0; i < all.count; i++) {
    assert_int_equal(all.voters[i].county_id, wake);
    assert_true(strncmp(all.voters[i].last_name, "SMITH", 5) == 0);
    if (i == 0) continue;
    const pc_voter_t *a = &all.voters[i - 1], *b = &all.voters[i];
    int order = strcmp(a->last_name, b->last_name);
    if (order == 0) order = strcmp(a->first_name, b->first_name);
    assert_true(order < 0 || (order == 0 && a->id < b->id));
  }
  /* First-name prefix, status and precinct narrow it. */
  q = (pc_voter_query_t){.last_name = "SMITH", .first_name = "b", .precinct_code = "0002", .status = "A"};
  assert_int_equal(all_pages(&f, q, 5, &all), 1);
  for (int i = 0; i < all.count; i++) {
    assert_string_equal(all.voters[i].first_name, "BOB");
    assert_string_equal(all.voters[i].precinct_code, "0002");
  }
  assert_true(all.count > 0 && all.count <= 6);
  /* Precinct mode: all 60 WAKE voters over the two precincts, pages of 9. */
  int total = 0;
  for (int p = 0; p < 2; p++) {
    q = (pc_voter_query_t){.precinct_code = p ? "0002" : "0001"};
    all_pages(&f, q, 9, &all);
    for (int i = 0; i < all.count; i++) assert_int_equal(all.voters[i].county_id, wake);
    total += all.count;
  }
  assert_int_equal(total, 60);
  q = (pc_voter_query_t){.precinct_code = "0001", .status = "I"};
  assert_int_equal(all_pages(&f, q, 9, &all), 1);
  assert_int_equal(all.count, 0);
  /* By NCID and by registration number; another county's NCID is not found. */
  pc_voter_t first = all.voters[0];
  q = (pc_voter_query_t){.precinct_code = "0001"};
  all_pages(&f, q, 9, &all);
  first = all.voters[0];
  q = (pc_voter_query_t){.voter_id = first.ncid};
  all_pages(&f, q, 9, &all);
  assert_int_equal(all.count, 1);
  assert_int_equal(all.voters[0].id, first.id);
  q = (pc_voter_query_t){.voter_id = first.voter_reg_num};
  all_pages(&f, q, 9, &all);
  assert_int_equal(all.count, 1);
  pc_voters_t durham;
  pc_voters_open_reader(&durham, f.store, &f.actor, "DURHAM");
  page_t none = {.count = 0};
  q = (pc_voter_query_t){.voter_id = first.ncid};
  assert_int_equal(pc_voters_find(&durham, &q, 5, collect, &none, NULL, &err), 0);
  assert_int_equal(none.count, 0);
  /* Refusals. */
  q = (pc_voter_query_t){.status = "A"};
  assert_int_equal(pc_voters_find(&f.wake, &q, 5, collect, &none, NULL, &err), PC_EINVAL);
  assert_string_equal(err.field, "status");
  q = (pc_voter_query_t){.first_name = "ANN"};
  assert_int_equal(pc_voters_find(&f.wake, &q, 5, collect, &none, NULL, &err), PC_EINVAL);
  assert_string_equal(err.field, "last_name");
  q = (pc_voter_query_t){.last_name = "SMITH", .status = "X"};
  assert_int_equal(pc_voters_find(&f.wake, &q, 5, collect, &none, NULL, &err), PC_EINVAL);
  q = (pc_voter_query_t){.last_name = "SMITH"};
  assert_int_equal(pc_voters_find(&f.state, &q, 5, collect, &none, NULL, &err), PC_EINVAL);
  assert_int_equal(pc_voters_find(&f.wake, &q, 0, collect, &none, NULL, &err), PC_EINVAL);
  close_fixture(&f);
}

typedef struct trail {
  char actions[16][48];
  int64_t seqs[16];
  int count;
} trail_t;

static int add_entry(void *context, const pc_voter_audit_row_t *row) {
  trail_t *t = context;
  assert_true(t->count < 16);
  pc_strlcpy(t->actions[t->count], row->action, sizeof t->actions[0]);
  t->seqs[t->count++] = row->seq;
  assert_int_equal(strlen(row->after_hash) == 0 || strlen(row->after_hash) == 64, 1);
  return 0;
}

static int count_history(void *context, const pc_voter_history_row_t *row) {
  (void)row;
  (*(int *)context)++;
  return 0;
}

static void history_and_audit_trail(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f);
  pc_error_t err;
  int64_t id = register_one(&f, "WAKE", "0001", "TRAIL", "TESS");
  pc_voter_change_t change = {.party = "DEM"};
  assert_int_equal(pc_voters_update(&f.state, id, &change, &err), 0);
  assert_int_equal(pc_voters_record_vote(&f.state, id, "2024-11-05", "2024 GENERAL", "early", &err), 0);
  int history = 0;
  assert_int_equal(pc_voters_each_history(&f.wake, id, 10, count_history, &history, &err), 0);
  assert_int_equal(history, 1);
  trail_t t = {.count = 0};
  assert_int_equal(pc_voters_each_audit(&f.wake, id, 10, add_entry, &t, &err), 0);
  assert_int_equal(t.count, 3);
  assert_string_equal(t.actions[0], "voter.history");
  assert_string_equal(t.actions[1], "voter.update");
  assert_string_equal(t.actions[2], "voter.register");
  assert_true(t.seqs[0] > t.seqs[1] && t.seqs[1] > t.seqs[2]);
  /* Outside the scope: not found, and nothing visited. */
  pc_voters_t durham;
  pc_voters_open_reader(&durham, f.store, &f.actor, "DURHAM");
  t.count = 0;
  assert_int_equal(pc_voters_each_audit(&durham, id, 10, add_entry, &t, &err), PC_ENOTFOUND);
  assert_int_equal(pc_voters_each_history(&durham, id, 10, count_history, &history, &err), PC_ENOTFOUND);
  assert_int_equal(t.count, 0);
  close_fixture(&f);
}

/* The index each statement must use (NULL: any index, no table scan). */
static const char *const expected_index[PC_VS_COUNT] = {
    [PC_VS_BY_ID] = "voters_ncid",          [PC_VS_BY_NAME] = "voters_county_name",
    [PC_VS_BY_PRECINCT_STATUS] = "voters_precinct", [PC_VS_BY_PRECINCT] = "voters_precinct",
    [PC_VS_HISTORY] = NULL,                 [PC_VS_HISTORY_IDS] = NULL,
    [PC_VS_NOTICE_IDS] = "confirmation_notices_voter", [PC_VS_AUDIT] = "audit_log_object",
    [PC_VS_PRECINCTS] = NULL};

static void every_statement_uses_an_index(void **state) {
  (void)state;
  if (pc_test_is_postgres()) skip(); /* the plans checked are SQLite's */
  fixture_t f;
  open_fixture(&f);
  pc_error_t err;
  for (int i = 0; i < PC_VS_COUNT; i++) {
    pc_buf_t sql, plan;
    pc_buf_init(&sql, 1024);
    pc_buf_init(&plan, 1024);
    pc_buf_append_str(&sql, "EXPLAIN QUERY PLAN ");
    pc_buf_append_str(&sql, pc_voters_search_sql[i]);
    pc_stmt_t *stmt;
    assert_int_equal(pc_store_prepare(f.store, pc_buf_str(&sql), &stmt, &err), 0);
    int rc;
    while ((rc = pc_stmt_step(stmt, &err)) == PC_STORE_ROW) {
      const char *detail = pc_stmt_column_text(stmt, 3);
      pc_buf_appendf(&plan, "%s\n", detail);
      if (strncmp(detail, "SCAN ", 5) == 0) fail_msg("statement %d scans a table: %s", i, detail);
      if (strncmp(detail, "SEARCH ", 7) == 0 && strstr(detail, " USING ") == NULL)
        fail_msg("statement %d searches without an index: %s", i, detail);
    }
    assert_int_equal(rc, PC_STORE_DONE);
    pc_stmt_finalize(stmt);
    if (expected_index[i] && strstr(pc_buf_str(&plan), expected_index[i]) == NULL)
      fail_msg("statement %d does not use %s:\n%s", i, expected_index[i], pc_buf_str(&plan));
    pc_buf_free(&sql);
    pc_buf_free(&plan);
  }
  close_fixture(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(search_modes_and_pages),
      cmocka_unit_test(history_and_audit_trail),
      cmocka_unit_test(every_statement_uses_an_index),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
