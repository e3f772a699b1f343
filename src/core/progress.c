/* Progress reporting on stderr: a redrawn bar on a terminal, periodic plain
 * lines otherwise (see progress.h). */
#include "precinct/progress.h"
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct pc_progress {
  char label[64];
  uint64_t total;
  uint64_t done;
  int64_t started_ms;
  int64_t last_print_ms;
  int tty;
  int quiet;
};

pc_progress_t *pc_progress_start(const char *label, uint64_t total, int quiet) {
  pc_progress_t *p = pc_xcalloc(1, sizeof *p);
  pc_strlcpy(p->label, label, sizeof p->label);
  p->total = total;
  p->quiet = quiet;
  p->tty = isatty(STDERR_FILENO);
  p->started_ms = pc_clock_monotonic_ms();
  p->last_print_ms = p->started_ms;
  return p;
}

static void draw(const pc_progress_t *p, int final) {
  double elapsed = (double)(pc_clock_monotonic_ms() - p->started_ms) / 1000.0;
  if (p->tty) {
    enum { WIDTH = 30 };
    int filled = p->total ? (int)((double)p->done / (double)p->total * WIDTH) : 0;
    if (filled > WIDTH) filled = WIDTH;
    char bar[WIDTH + 1];
    for (int i = 0; i < WIDTH; i++) bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    if (p->total)
      fprintf(stderr, "\r%s [%s] %llu/%llu %.1fs%s", p->label, bar, (unsigned long long)p->done,
              (unsigned long long)p->total, elapsed, final ? "\n" : "");
    else
      fprintf(stderr, "\r%s %llu %.1fs%s", p->label, (unsigned long long)p->done, elapsed,
              final ? "\n" : "");
  } else if (p->total) {
    fprintf(stderr, "%s: %llu/%llu (%.0f%%) %.1fs%s\n", p->label, (unsigned long long)p->done,
            (unsigned long long)p->total, 100.0 * (double)p->done / (double)p->total, elapsed,
            final ? " done" : "");
  } else {
    fprintf(stderr, "%s: %llu %.1fs%s\n", p->label, (unsigned long long)p->done, elapsed,
            final ? " done" : "");
  }
  fflush(stderr);
}

void pc_progress_update(pc_progress_t *p, uint64_t done) {
  if (p == NULL) return;
  p->done = done;
  if (p->quiet) return;
  int64_t now = pc_clock_monotonic_ms();
  int64_t interval = p->tty ? 100 : 5000;
  if (now - p->last_print_ms < interval) return;
  p->last_print_ms = now;
  draw(p, 0);
}

void pc_progress_finish(pc_progress_t *p) {
  if (p == NULL) return;
  if (!p->quiet) draw(p, 1);
  free(p);
}
