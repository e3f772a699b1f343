/* Roles and the one authorization check every request goes through, and the
 * mapping from a principal to an audit actor. The matrix is documented in
 * docs/roles.md and tested cell by cell in tests/unit/test_auth_roles.c. */
#include "precinct/auth.h"

#include <string.h>

static const char *const roles[] = {"state_admin", "county_admin", "clerk", "auditor", NULL};

int pc_auth_role_valid(const char *role) {
  if (role == NULL) return 0;
  for (const char *const *r = roles; *r; r++)
    if (strcmp(*r, role) == 0) return 1;
  return 0;
}

int pc_auth_role_requires_totp(const char *role) {
  return role && (strcmp(role, "state_admin") == 0 || strcmp(role, "county_admin") == 0);
}

int pc_auth_authorize(const pc_principal_t *who, pc_access_t access, int64_t county_id) {
  if (who == NULL || who->user_id <= 0 || !pc_auth_role_valid(who->role)) return PC_EPERM;
  if (access < PC_ACCESS_READ || access > PC_ACCESS_STATE || county_id < 0) return PC_EPERM;
  /* An admin who has not passed TOTP may only enrol, which is not an access. */
  if (pc_auth_role_requires_totp(who->role) && !who->mfa_ok) return PC_EPERM;
  if (who->via_api_token && who->token_read_only && access != PC_ACCESS_READ) return PC_EPERM;
  if (strcmp(who->role, "state_admin") == 0) return 0;
  /* Everyone else is scoped to one county and reads state-wide objects. */
  if (who->county_id <= 0) return PC_EPERM;
  int own = county_id == who->county_id;
  int readable = own || county_id == 0;
  switch (access) {
  case PC_ACCESS_READ: return readable ? 0 : PC_EPERM;
  case PC_ACCESS_WRITE:
    return own && (strcmp(who->role, "county_admin") == 0 || strcmp(who->role, "clerk") == 0) ? 0 : PC_EPERM;
  case PC_ACCESS_ADMIN: return own && strcmp(who->role, "county_admin") == 0 ? 0 : PC_EPERM;
  case PC_ACCESS_STATE: return PC_EPERM;
  }
  return PC_EPERM;
}

void pc_auth_actor(const pc_principal_t *who, pc_actor_t *actor) {
  if (who == NULL) {
    pc_audit_cli_actor(actor);
    return;
  }
  actor->user_id = who->user_id;
  actor->username = who->username;
  actor->role = who->role;
  actor->county = who->county[0] ? who->county : NULL;
}
