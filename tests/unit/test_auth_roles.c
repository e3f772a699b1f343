/* Unit tests for pc_auth_authorize: every cell of the matrix in
 * docs/roles.md, plus the MFA and read-only-token restrictions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "precinct/auth.h"
#include "precinct/buf.h"

#include <string.h>

enum { OWN = 7, OTHER = 9, STATE_WIDE = 0 };

static pc_principal_t principal(const char *role) {
  pc_principal_t p;
  memset(&p, 0, sizeof p);
  p.user_id = 42;
  pc_strlcpy(p.username, "someone", sizeof p.username);
  pc_strlcpy(p.role, role, sizeof p.role);
  p.county_id = strcmp(role, "state_admin") == 0 ? 0 : OWN;
  pc_strlcpy(p.county, p.county_id ? "Alder" : "", sizeof p.county);
  p.mfa_ok = 1;
  return p;
}

/* The matrix of docs/roles.md: 1 = allowed. Columns: own county, another
 * county, a state-wide object. */
static const struct {
  const char *role;
  pc_access_t access;
  int own, other, state_wide;
} matrix[] = {
    {"state_admin", PC_ACCESS_READ, 1, 1, 1},   {"state_admin", PC_ACCESS_WRITE, 1, 1, 1},
    {"state_admin", PC_ACCESS_ADMIN, 1, 1, 1},  {"state_admin", PC_ACCESS_STATE, 1, 1, 1},
    {"county_admin", PC_ACCESS_READ, 1, 0, 1},  {"county_admin", PC_ACCESS_WRITE, 1, 0, 0},
    {"county_admin", PC_ACCESS_ADMIN, 1, 0, 0}, {"county_admin", PC_ACCESS_STATE, 0, 0, 0},
    {"clerk", PC_ACCESS_READ, 1, 0, 1},         {"clerk", PC_ACCESS_WRITE, 1, 0, 0},
    {"clerk", PC_ACCESS_ADMIN, 0, 0, 0},        {"clerk", PC_ACCESS_STATE, 0, 0, 0},
    {"auditor", PC_ACCESS_READ, 1, 0, 1},       {"auditor", PC_ACCESS_WRITE, 0, 0, 0},
    {"auditor", PC_ACCESS_ADMIN, 0, 0, 0},      {"auditor", PC_ACCESS_STATE, 0, 0, 0},
};

static int expect(int allowed) {
  return allowed ? 0 : PC_EPERM;
}

static void every_cell_of_the_matrix(void **state) {
  (void)state;
  assert_int_equal(sizeof matrix / sizeof matrix[0], 16);
  for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++) {
    pc_principal_t p = principal(matrix[i].role);
    /* A state admin's "own county" is any county. */
    int own_county = p.county_id ? OWN : 3;
    assert_int_equal(pc_auth_authorize(&p, matrix[i].access, own_county), expect(matrix[i].own));
    assert_int_equal(pc_auth_authorize(&p, matrix[i].access, OTHER), expect(matrix[i].other));
    assert_int_equal(pc_auth_authorize(&p, matrix[i].access, STATE_WIDE), expect(matrix[i].state_wide));
  }
}

static void admins_without_totp_may_do_nothing(void **state) {
  (void)state;
  const char *admins[] = {"state_admin", "county_admin"};
  for (int i = 0; i < 2; i++) {
    pc_principal_t p = principal(admins[i]);
    p.mfa_ok = 0;
    for (int access = PC_ACCESS_READ; access <= PC_ACCESS_STATE; access++)
      assert_int_equal(pc_auth_authorize(&p, (pc_access_t)access, OWN), PC_EPERM);
    assert_true(pc_auth_role_requires_totp(admins[i]));
  }
  /* Clerks and auditors are not required to use TOTP. */
  pc_principal_t clerk = principal("clerk");
  clerk.mfa_ok = 0;
  assert_int_equal(pc_auth_authorize(&clerk, PC_ACCESS_WRITE, OWN), 0);
  assert_false(pc_auth_role_requires_totp("clerk"));
  assert_false(pc_auth_role_requires_totp("auditor"));
}

static void read_scoped_tokens_only_read(void **state) {
  (void)state;
  pc_principal_t p = principal("state_admin");
  p.via_api_token = 1;
  p.token_read_only = 1;
  assert_int_equal(pc_auth_authorize(&p, PC_ACCESS_READ, OWN), 0);
  assert_int_equal(pc_auth_authorize(&p, PC_ACCESS_WRITE, OWN), PC_EPERM);
  assert_int_equal(pc_auth_authorize(&p, PC_ACCESS_ADMIN, OWN), PC_EPERM);
  assert_int_equal(pc_auth_authorize(&p, PC_ACCESS_STATE, 0), PC_EPERM);
  p.token_read_only = 0;
  assert_int_equal(pc_auth_authorize(&p, PC_ACCESS_STATE, 0), 0);
}

static void malformed_principals_are_refused(void **state) {
  (void)state;
  assert_int_equal(pc_auth_authorize(NULL, PC_ACCESS_READ, 0), PC_EPERM);
  pc_principal_t p = principal("clerk");
  pc_strlcpy(p.role, "operator", sizeof p.role);
  assert_int_equal(pc_auth_authorize(&p, PC_ACCESS_READ, OWN), PC_EPERM);
  p = principal("clerk");
  p.county_id = 0; /* a county role without a county */
  assert_int_equal(pc_auth_authorize(&p, PC_ACCESS_READ, 0), PC_EPERM);
  p = principal("clerk");
  p.user_id = 0;
  assert_int_equal(pc_auth_authorize(&p, PC_ACCESS_READ, OWN), PC_EPERM);
  p = principal("state_admin");
  assert_int_equal(pc_auth_authorize(&p, (pc_access_t)0, 0), PC_EPERM);
  assert_int_equal(pc_auth_authorize(&p, PC_ACCESS_READ, -1), PC_EPERM);
  assert_true(pc_auth_role_valid("auditor"));
  assert_false(pc_auth_role_valid("Auditor"));
  assert_false(pc_auth_role_valid(NULL));
}

static void actor_comes_from_the_principal(void **state) {
  (void)state;
  pc_principal_t p = principal("clerk");
  pc_actor_t actor;
  pc_auth_actor(&p, &actor);
  assert_int_equal(actor.user_id, 42);
  assert_string_equal(actor.username, "someone");
  assert_string_equal(actor.role, "clerk");
  assert_string_equal(actor.county, "Alder");
  p = principal("state_admin");
  pc_auth_actor(&p, &actor);
  assert_null(actor.county);
  pc_auth_actor(NULL, &actor);
  assert_string_equal(actor.role, "operator");
  assert_int_equal(strncmp(actor.username, "operator:", 9), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_cell_of_the_matrix),
      cmocka_unit_test(admins_without_totp_may_do_nothing),
      cmocka_unit_test(read_scoped_tokens_only_read),
      cmocka_unit_test(malformed_principals_are_refused),
      cmocka_unit_test(actor_comes_from_the_principal),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
