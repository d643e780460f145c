/*
 * ctime.h: compile time and size on long `or` chains, bpfc and libpcap.
 *
 * Takes: a seed, the sizes to try and a time limit for libpcap.  Gives,
 * for `host A1 or host A2 ...` (IPv4 addresses consecutive from 10.0.0.1,
 * or distinct pseudo-random ones) and `port P1 or port P2 ...` (consecutive
 * from 1000, or pseudo-random): each compiler's median compile time with
 * its optimizer on, the program's length, whether it fits the kernel's
 * 4096 instructions, and the instructions executed (average and most) on
 * packets that hit the set and packets that miss it.  Both compilers run
 * in forked children with time limits (bench/limit.h), libpcap's short.
 */
#ifndef BPFC_BENCH_CTIME_H
#define BPFC_BENCH_CTIME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/limit.h"

/* The Linux kernel's longest socket filter (BPF_MAXINSNS). */
#define CTIME_KERNEL_MAX 4096

struct ctime_opts {
	uint64_t seed;
	int quick;             /* smaller sets, fewer repetitions */
	unsigned reps;         /* repetitions for the median */
	double pcap_timeout;   /* seconds libpcap may take per compile */
	double bpfc_timeout;   /* the same for bpfc (a regression must not hang) */
	FILE *progress;        /* a line per workload when not NULL */
};

/* Instructions executed on one kind of packet. */
struct ctime_exec {
	double avg;
	uint64_t max;
	size_t n;     /* packets */
	size_t wrong; /* verdicts against the set's membership */
};

struct ctime_side {
	struct limit_result res;
	struct ctime_exec hit, miss;
};

struct ctime_row {
	const char *kind;  /* "host" or "port" */
	int random;        /* 0: consecutive values */
	size_t n;          /* terms */
	size_t exprlen;    /* bytes of the expression */
	struct ctime_side side[2]; /* bpfc, libpcap */
};

struct ctime_report {
	struct ctime_row *v;
	size_t n;
	uint64_t mismatches; /* counted run != bpf_filter (must be 0) */
};

/* 0, or -1 with a message (out of memory, fork failed). */
int
ctime_run(const struct ctime_opts *o, struct ctime_report *r, char *err, size_t errlen);

void
ctime_print(FILE *f, const struct ctime_report *r, const struct ctime_opts *o);

void
ctime_tsv(FILE *f, const struct ctime_report *r);

void
ctime_free(struct ctime_report *r);

#endif
