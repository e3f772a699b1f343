/* Helpers shared by the unit tests: temporary directories and instances. */
#ifndef PRECINCT_TESTS_SUPPORT_H
#define PRECINCT_TESTS_SUPPORT_H

#include <stddef.h>

#include "precinct/instance.h"
#include "precinct/store.h"

/* Creates a fresh temporary directory and writes its path to OUT. */
void pc_test_tempdir(char *out, size_t size);
/* Removes DIR and everything in it. */
void pc_test_rmtree(const char *dir);
/* Creates a new instance in a fresh temporary directory and opens a store on
 * it. The backend comes from PRECINCT_TEST_BACKEND ("sqlite", the default,
 * or "postgres": then a fresh database is created on the server named by
 * PRECINCT_TEST_PG_URL, or by the file PRECINCT_TEST_PG_URL_FILE that
 * tests/pg/start.sh writes). */
void pc_test_instance(pc_instance_t *instance, pc_store_t **store);
/* The backend the tests run against: "sqlite" or "postgres". */
const char *pc_test_backend(void);
/* 1 when the tests run against PostgreSQL. */
int pc_test_is_postgres(void);
/* Options that open another connection to INSTANCE's database. */
void pc_test_store_options(const pc_instance_t *instance, pc_store_options_t *options);
/* Path of a file under tests/data (from PRECINCT_TEST_DATA). */
void pc_test_data_path(const char *relative, char *out, size_t size);

#endif
