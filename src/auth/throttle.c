/* Login throttling: failure counters per account name and per client
 * address, kept in memory in a fixed-size table under a mutex. A counter's
 * window starts at its first failure and the entry expires when the window
 * has passed; when the table is full the stalest entry is evicted. Not
 * persisted: a restart forgets the counters, which only helps legitimate users. */
#include "auth_internal.h"

#include "precinct/buf.h"
#include "precinct/clock.h"

#include <string.h>

static void make_key(char prefix, const char *value, char out[160]) {
  out[0] = prefix;
  out[1] = ':';
  /* Over-long values are truncated: they still count, against a shared key. */
  pc_strlcpy(out + 2, value ? value : "", 158);
}

static void make_keys(const char *username, const char *address, char user_key[160], char address_key[160]) {
  make_key('u', username, user_key);
  make_key('a', address, address_key);
}

static int64_t window_seconds(const pc_auth_t *auth) {
  return (int64_t)auth->config.login_window_minutes * 60;
}

static int expired(const pc_auth_t *auth, const pc_throttle_entry_t *entry, int64_t now) {
  return now - entry->window_start >= window_seconds(auth);
}

/* Finds KEY's live entry; expired ones found on the way are dropped. Caller holds the lock. */
static pc_throttle_entry_t *find(pc_auth_t *auth, const char *key, int64_t now) {
  for (size_t i = 0; i < auth->throttle_used;) {
    pc_throttle_entry_t *entry = &auth->throttle[i];
    if (expired(auth, entry, now)) {
      auth->throttle[i] = auth->throttle[--auth->throttle_used];
      continue;
    }
    if (strcmp(entry->key, key) == 0) return entry;
    i++;
  }
  return NULL;
}

static int over_limit(pc_auth_t *auth, const char *key, int64_t now) {
  const pc_throttle_entry_t *entry = find(auth, key, now);
  return entry && entry->failures >= auth->config.login_max_failures;
}

int pc_auth_throttle_check(pc_auth_t *auth, const char *username, const char *address) {
  char user_key[160], address_key[160];
  make_keys(username, address, user_key, address_key);
  int64_t now = pc_clock_now();
  pthread_mutex_lock(&auth->throttle_lock);
  int blocked = over_limit(auth, user_key, now) || over_limit(auth, address_key, now);
  pthread_mutex_unlock(&auth->throttle_lock);
  return blocked ? PC_EBUSY : 0;
}

static void count_failure(pc_auth_t *auth, const char *key, int64_t now) {
  pc_throttle_entry_t *entry = find(auth, key, now);
  if (entry == NULL) {
    if (auth->throttle_used == auth->throttle_capacity) {
      size_t oldest = 0;
      for (size_t i = 1; i < auth->throttle_used; i++)
        if (auth->throttle[i].window_start < auth->throttle[oldest].window_start) oldest = i;
      auth->throttle[oldest] = auth->throttle[--auth->throttle_used];
    }
    entry = &auth->throttle[auth->throttle_used++];
    memset(entry, 0, sizeof *entry);
    memcpy(entry->key, key, sizeof entry->key);
    entry->window_start = now;
  }
  entry->failures++;
}

void pc_auth_throttle_failure(pc_auth_t *auth, const char *username, const char *address) {
  char user_key[160], address_key[160];
  make_keys(username, address, user_key, address_key);
  int64_t now = pc_clock_now();
  pthread_mutex_lock(&auth->throttle_lock);
  count_failure(auth, user_key, now);
  count_failure(auth, address_key, now);
  pthread_mutex_unlock(&auth->throttle_lock);
}

void pc_auth_throttle_success(pc_auth_t *auth, const char *username) {
  char user_key[160];
  make_key('u', username, user_key);
  pthread_mutex_lock(&auth->throttle_lock);
  pc_throttle_entry_t *entry = find(auth, user_key, pc_clock_now());
  if (entry) *entry = auth->throttle[--auth->throttle_used];
  pthread_mutex_unlock(&auth->throttle_lock);
}

size_t pc_auth_throttle_size(pc_auth_t *auth) {
  pthread_mutex_lock(&auth->throttle_lock);
  size_t used = auth->throttle_used;
  pthread_mutex_unlock(&auth->throttle_lock);
  return used;
}
