/* Counties: the unit every non-state account is scoped to. */
#ifndef PRECINCT_COUNTIES_H
#define PRECINCT_COUNTIES_H

#include <stdint.h>

#include "precinct/audit.h"
#include "precinct/error.h"
#include "precinct/store.h"

typedef struct pc_county {
  int64_t id;
  char name[128];
  char fips[16];
  char office_address[256];
  char office_phone[64];
  char website[256];
} pc_county_t;

/* Creates a county named NAME (1-100 characters, unique) with an optional
 * 5-digit FIPS code, recording it in the audit log; opens and commits its
 * own transaction. *ID (may be NULL) receives the new id. */
int pc_counties_create(pc_store_t *store, const pc_actor_t *actor, const char *name, const char *fips, int64_t *id,
                       pc_error_t *err);

/* Looks a county up by id or by exact name. PC_ENOTFOUND when absent. */
int pc_counties_get(pc_store_t *store, int64_t id, pc_county_t *out, pc_error_t *err);
int pc_counties_find(pc_store_t *store, const char *name, pc_county_t *out, pc_error_t *err);

/* Updates the county's public contact details (each may be NULL to keep it),
 * audited, in its own transaction. */
int pc_counties_update_contact(pc_store_t *store, const pc_actor_t *actor, int64_t id, const char *office_address,
                               const char *office_phone, const char *website, pc_error_t *err);

/* Calls VISIT for each county in name order; stops early when VISIT returns
 * non-zero and returns that value. */
int pc_counties_each(pc_store_t *store, int (*visit)(const pc_county_t *county, void *context), void *context,
                     pc_error_t *err);

#endif
