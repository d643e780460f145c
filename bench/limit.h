/*
 * limit.h: time a compiler in a child process, with a time limit.
 *
 * Takes: a function that compiles once and reports how long the compile
 * took (and the program it made), how often to repeat it, and a limit.
 * Gives: the median time, the last program, or "timed out" when the child
 * had to be killed (libpcap's optimizer needs about a minute for 1000
 * hosts: the benchmark must not wait for it).  The child is forked, so
 * whatever the compiler leaks or corrupts dies with it.
 */
#ifndef BPFC_BENCH_LIMIT_H
#define BPFC_BENCH_LIMIT_H

#include <stddef.h>

#include "bpfc.h"

enum limit_state { LIMIT_DONE, LIMIT_TIMEOUT, LIMIT_FAILED };

/* Compile once: a malloc'd program in *insns, *n, and the milliseconds the
 * compile itself took; a negative value and a message on failure. */
typedef double (*limit_fn)(void *arg, struct bpfc_insn **insns, size_t *n, char *err,
			   size_t errlen);

#define LIMIT_MAXREPS 15

struct limit_result {
	enum limit_state state;
	double ms;          /* median over the repetitions */
	unsigned reps;      /* how many ran */
	struct bpfc_insn *insns; /* the last program, malloc'd (LIMIT_DONE) */
	size_t n;
	char err[256];
};

/* Run fn in a child up to `reps` times (at most LIMIT_MAXREPS; no more
 * once `budget_s` seconds were spent, always at least once), killing it
 * after `timeout_s`.  0, or -1 when the child could not be started. */
int
limit_run(limit_fn fn, void *arg, unsigned reps, double budget_s, double timeout_s,
	  struct limit_result *r);

void
limit_result_free(struct limit_result *r);

#endif
