/*
 * sizes.h: program size and instructions executed over the corpus.
 *
 * Takes: the expression corpus (tests/exprs/captures.txt and
 * tests/compile/exprs.txt under a source directory), a link type and the
 * packet set's parameters.  Gives, per expression: the instruction counts
 * of libpcap unoptimized, libpcap optimized, bpfc -O and bpfc optimized;
 * the instructions each executes per packet on average over the set
 * (counted by bench/count.c, whose every return value is checked against
 * libpcap's bpf_filter); and, where bpfc's optimized program is longer
 * than libpcap's optimized one, a witness packet (bench/witness.h) or
 * none.  Plus totals.  An expression on which bpfc's verdicts are not
 * libpcap 1.10.3's (where bpfc follows a newer libpcap that fixed a bug)
 * is marked: its size is not comparable.  Measures, never judges: the caller decides what
 * fails.
 */
#ifndef BPFC_BENCH_SIZES_H
#define BPFC_BENCH_SIZES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/packets.h"
#include "bench/witness.h"

/* A chain of at least this many `jeq #k` with one shared target in
 * libpcap's optimized program is a "large constant set": bpfc turns
 * those into a search tree, longer but faster, so size is not compared. */
#define SIZES_SET_MIN 8

/* libpcap's verdict is the reference; these say why one was not measured. */
enum sizes_status {
	SIZES_OK,           /* all four programs compiled */
	SIZES_PCAP_REJECTS, /* libpcap's optimized compile refuses it */
	SIZES_NOTYET,       /* bpfc: BPFC_EUNSUPPORTED */
	SIZES_BPFC_ERROR    /* bpfc refuses what libpcap compiles */
};

struct sizes_expr {
	char *text;
	enum sizes_status status;
	char why[BPFC_ERRBUF_SIZE + 32];
	size_t lu, lo, bo, b;   /* instructions: libpcap, libpcap -O, bpfc -O, bpfc */
	double xu, xo, xbo, xb; /* executed per packet, averaged over the set */
	size_t set;             /* longest jeq chain of libpcap -O (>= SIZES_SET_MIN: a set) */
	int cmp;                /* sign of b - lo */
	size_t vdiff;           /* set packets where bpfc's verdict != libpcap unoptimized:
				 * not libpcap 1.10.3's meaning, sizes not comparable */
	struct witness wit;     /* searched when b > lo */
	uint32_t wit_bpfc;      /* bpfc's verdict on the witness */
};

struct sizes_opts {
	const char *srcdir; /* where tests/ is */
	int dlt;
	uint64_t seed;
	size_t gen;     /* generated packets */
	size_t maxfile; /* packets read from captures, at most */
	struct witness_opts wit;
	uint32_t netmask;
	FILE *progress; /* a line per expression when not NULL */
};

struct sizes_report {
	struct sizes_expr *v;
	size_t n, cap;
	struct bpkts pkts;
	size_t count[4];         /* by enum sizes_status */
	size_t larger_nowit, larger_wit, larger_set, larger_differ, equal, smaller;
	size_t differ;           /* expressions with vdiff > 0 */
	size_t tot[4];           /* lu, lo, bo, b over SIZES_OK expressions */
	double xtot[4];          /* xu, xo, xbo, xb summed over them */
	uint64_t runs;           /* counted runs */
	uint64_t mismatches;     /* count_run != bpf_filter (must be 0) */
	uint64_t undecodable;    /* count_run met an instruction it cannot run */
	uint64_t verdict_diffs;  /* packets where bpfc's verdict != libpcap unoptimized */
	size_t wit_wrong;        /* witnesses where bpfc's verdict != libpcap unoptimized */
	char first_mismatch[300];
	double seconds;
};

/* Measure the corpus.  0, or -1 with a message in `err` (corpus missing,
 * no packets for the link type, out of memory). */
int
sizes_run(const struct sizes_opts *o, struct sizes_report *r, char *err, size_t errlen);

/* The readable tables: summary, worst ones, every larger one with its
 * witness; every expression too when `all`. */
void
sizes_print(FILE *f, const struct sizes_report *r, const struct sizes_opts *o, int all);

/* One TSV row per expression, "size" first, after a header row. */
void
sizes_tsv(FILE *f, const struct sizes_report *r);

/* "larger, witness: <hex>, caplen N" or "larger, NO witness" and so on. */
void
sizes_verdict(char *buf, size_t len, const struct sizes_expr *e);

void
sizes_free(struct sizes_report *r);

#endif
