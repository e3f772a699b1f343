/* The group-commit writer of online registration: submitting threads put a
 * checked application in a bounded queue and wait; one writer thread, on a
 * connection of its own, inserts everything waiting in one transaction
 * (each row with its audit entry), commits (fsync) and wakes the waiters.
 * A full queue refuses at once (nothing stored): the page says "busy". */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/log.h"
#include "precinct/voters_applications.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct item {
  pc_voter_app_t *app;
  int done, rc;
  pc_error_t err;
  struct item *next;
} item_t;

struct pc_voter_app_queue {
  pthread_mutex_t lock;
  pthread_cond_t wake_writer, wake_waiters;
  item_t *head, *tail;
  int waiting, capacity, max_batch, stopping;
  pc_store_t *store;
  pthread_t thread;
  pc_voter_app_queue_stats_t stats;
};

/* Writes BATCH (COUNT items) in one transaction; sets each item's rc. */
static void write_batch(pc_voter_app_queue_t *q, item_t *batch) {
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_store_begin(q->store, &err);
  int stored = 0;
  for (item_t *it = batch; it; it = it->next) {
    if (rc != 0) {
      it->rc = rc;
      it->err = err;
      continue;
    }
    pc_error_clear(&it->err);
    it->rc = pc_voters_app_insert(q->store, it->app, &it->err);
    if (it->rc == 0) stored++;
  }
  if (rc == 0) {
    rc = stored ? pc_store_commit(q->store, &err) : 0;
    if (rc != 0) {
      pc_store_rollback(q->store);
      for (item_t *it = batch; it; it = it->next)
        if (it->rc == 0) it->rc = rc, it->err = err;
    } else if (!stored) {
      pc_store_rollback(q->store);
    }
  }
  if (rc != 0) pc_log(PC_LOG_ERROR, "registration batch not stored: %s", err.message);
}

static void *writer_main(void *arg) {
  pc_voter_app_queue_t *q = arg;
  pthread_mutex_lock(&q->lock);
  for (;;) {
    while (q->head == NULL && !q->stopping) pthread_cond_wait(&q->wake_writer, &q->lock);
    if (q->head == NULL) break; /* stopping and drained */
    item_t *batch = q->head, *last = q->head;
    int count = 1;
    while (last->next && count < q->max_batch) last = last->next, count++;
    q->head = last->next;
    if (q->head == NULL) q->tail = NULL;
    last->next = NULL;
    q->waiting -= count;
    pthread_mutex_unlock(&q->lock);

    write_batch(q, batch);

    pthread_mutex_lock(&q->lock);
    int64_t stored = 0;
    for (item_t *it = batch; it;) {
      item_t *next = it->next; /* the waiter may return as soon as done is set */
      stored += it->rc == 0;
      q->stats.failed += it->rc != 0;
      it->done = 1;
      it = next;
    }
    q->stats.stored += stored;
    q->stats.batches++;
    if (count > q->stats.largest_batch) q->stats.largest_batch = count;
    pthread_cond_broadcast(&q->wake_waiters);
  }
  pthread_mutex_unlock(&q->lock);
  return NULL;
}

int pc_voters_app_queue_start(const pc_store_options_t *options, int capacity, int max_batch,
                              pc_voter_app_queue_t **out, pc_error_t *err) {
  if (capacity < 1 || max_batch < 1) return pc_error_set(err, PC_EINVAL, "queue capacity and batch must be positive");
  pc_voter_app_queue_t *q = pc_xcalloc(1, sizeof *q);
  int rc = pc_store_open(options, &q->store, err);
  if (rc == 0) rc = pc_store_migrate(q->store, err);
  if (rc != 0) {
    pc_store_close(q->store);
    free(q);
    return rc;
  }
  q->capacity = capacity;
  q->max_batch = max_batch;
  pthread_mutex_init(&q->lock, NULL);
  pthread_cond_init(&q->wake_writer, NULL);
  pthread_cond_init(&q->wake_waiters, NULL);
  if (pthread_create(&q->thread, NULL, writer_main, q) != 0) {
    pc_store_close(q->store);
    free(q);
    return pc_error_set(err, PC_EINTERNAL, "cannot start the registration writer thread");
  }
  *out = q;
  return 0;
}

int pc_voters_app_queue_submit(pc_voter_app_queue_t *q, pc_voter_app_t *app, pc_error_t *err) {
  item_t item = {.app = app};
  pthread_mutex_lock(&q->lock);
  if (q->stopping || q->waiting >= q->capacity) {
    int stopping = q->stopping;
    q->stats.refused_busy++;
    pthread_mutex_unlock(&q->lock);
    return pc_error_set(err, stopping ? PC_EUNAVAIL : PC_EBUSY, "the registration queue is full; nothing was stored");
  }
  if (q->tail) q->tail->next = &item;
  else q->head = &item;
  q->tail = &item;
  q->waiting++;
  pthread_cond_signal(&q->wake_writer);
  while (!item.done) pthread_cond_wait(&q->wake_waiters, &q->lock);
  pthread_mutex_unlock(&q->lock);
  if (item.rc != 0 && err) *err = item.err;
  return item.rc;
}

void pc_voters_app_queue_stats(pc_voter_app_queue_t *q, pc_voter_app_queue_stats_t *out) {
  pthread_mutex_lock(&q->lock);
  *out = q->stats;
  pthread_mutex_unlock(&q->lock);
}

void pc_voters_app_queue_stop(pc_voter_app_queue_t *q) {
  if (q == NULL) return;
  pthread_mutex_lock(&q->lock);
  q->stopping = 1;
  pthread_cond_signal(&q->wake_writer);
  pthread_mutex_unlock(&q->lock);
  pthread_join(q->thread, NULL);
  pthread_cond_destroy(&q->wake_writer);
  pthread_cond_destroy(&q->wake_waiters);
  pthread_mutex_destroy(&q->lock);
  pc_store_close(q->store);
  free(q);
}
