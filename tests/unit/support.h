/* Helpers shared by the unit tests: temporary directories and instances. */
#ifndef PRECINCT_TESTS_SUPPORT_H
#define PRECINCT_TESTS_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/instance.h"
#include "precinct/store.h"

/* Creates a fresh temporary directory and writes its path to OUT. */
void pc_test_tempdir(char *out, size_t size);
/* Removes DIR and everything in it. */
void pc_test_rmtree(const char *dir);
/* Creates a new instance in a fresh temporary directory and opens a store on it. */
void pc_test_instance(pc_instance_t *instance, pc_store_t **store);
/* Path of a file under tests/data (from PRECINCT_TEST_DATA). */
void pc_test_data_path(const char *relative, char *out, size_t size);

/* The single integer the query SQL returns (e.g. a COUNT(*)); fails the test otherwise. */
int64_t pc_test_query_int(pc_store_t *store, const char *sql);

#endif
