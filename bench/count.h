/*
 * count.h: a counting classic BPF evaluator, for measuring only.
 *
 * Takes: a cBPF program (a compiler's output: libpcap's or bpfc's) and one
 * packet.  Gives: what libpcap's bpf_filter() returns on it, plus how many
 * instructions ran, how far into the packet the loads reached and,
 * when asked, every conditional jump that tested a value loaded from the
 * packet (what the witness search flips).  It is a plain decode-and-step
 * loop, written for obviousness, not speed; tests/check_size.c compares
 * its return value with bpf_filter's on every run it makes.
 * Invariants: never reads outside [0, caplen); no state between calls.
 */
#ifndef BPFC_BENCH_COUNT_H
#define BPFC_BENCH_COUNT_H

#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"

/* A conditional jump on a packet value: `k` compared (by `code`) with
 * the `size`-byte big-endian field at `off`, of which `mask` is seen. */
struct count_site {
	uint32_t pc; /* the jump's index */
	uint32_t off;
	uint32_t mask;
	uint32_t k;
	uint16_t code;
	uint8_t size;
	uint8_t taken;
};

struct count_stat {
	uint64_t steps;   /* instructions executed, the last return included */
	uint32_t maxend;  /* 1 + the last byte any load asked for (0: none) */
	uint32_t failend; /* when a load fell off the capture: its end, else 0 */
	int bad;          /* hit an instruction no compiler emits: result 0 */
	/* Jump sites, traced when `sites` is not NULL (at most `capsites`). */
	struct count_site *sites;
	size_t nsites, capsites;
};

/* Run p[0..n) on the packet; fills *st afresh (keeping its sites array)
 * and returns the program's value, libpcap's semantics. */
uint32_t
count_run(const struct bpfc_insn *p, size_t n, const uint8_t *pkt, uint32_t wirelen,
	  uint32_t caplen, struct count_stat *st);

#endif
