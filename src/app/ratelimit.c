/* A per-client-address rate limiter for public forms: a fixed window of
 * WINDOW seconds allowing LIMIT requests, in a bounded, set-associative
 * table (memory never grows; when a set is full its stalest entry is
 * reused). Thread-safe. Not persistent: a restart forgets every count. */
#include "app_internal.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 8

typedef struct entry {
  char address[64];
  int64_t window_start; /* unix seconds; 0 = free */
  int count;
} entry_t;

struct pc_app_ratelimit {
  pthread_mutex_t lock;
  entry_t *entries;
  size_t sets;
  int limit, window;
};

pc_app_ratelimit_t *pc_app_ratelimit_new(size_t capacity, int limit, int window_seconds) {
  assert(limit > 0 && window_seconds > 0);
  pc_app_ratelimit_t *r = pc_xcalloc(1, sizeof *r);
  r->sets = capacity / WAYS ? capacity / WAYS : 1;
  r->entries = pc_xcalloc(r->sets * WAYS, sizeof *r->entries);
  r->limit = limit;
  r->window = window_seconds;
  pthread_mutex_init(&r->lock, NULL);
  return r;
}

void pc_app_ratelimit_free(pc_app_ratelimit_t *r) {
  if (r == NULL) return;
  pthread_mutex_destroy(&r->lock);
  free(r->entries);
  free(r);
}

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

int pc_app_ratelimit_hit(pc_app_ratelimit_t *r, const char *address, int64_t now, int *retry_after) {
  pthread_mutex_lock(&r->lock);
  entry_t *set = r->entries + (hash(address) % r->sets) * WAYS;
  entry_t *slot = NULL, *stalest = &set[0];
  for (int i = 0; i < WAYS; i++) {
    if (set[i].window_start != 0 && strcmp(set[i].address, address) == 0) {
      slot = &set[i];
      break;
    }
    if (set[i].window_start < stalest->window_start) stalest = &set[i];
  }
  if (slot == NULL) {
    slot = stalest;
    pc_strlcpy(slot->address, address, sizeof slot->address);
    slot->window_start = 0;
  }
  if (slot->window_start == 0 || now - slot->window_start >= r->window) {
    slot->window_start = now;
    slot->count = 0;
  }
  int allowed = slot->count < r->limit;
  if (allowed) slot->count++;
  int wait = (int)(slot->window_start + r->window - now);
  pthread_mutex_unlock(&r->lock);
  if (retry_after) *retry_after = wait > 0 ? wait : 1;
  return allowed ? 0 : PC_EBUSY;
}
