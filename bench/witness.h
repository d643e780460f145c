/*
 * witness.h: a packet on which libpcap's optimizer changes a verdict.
 *
 * Takes: one expression's libpcap programs, unoptimized and optimized, and
 * the packet set.  Gives: a packet (bytes, caplen, wirelen) on which
 * libpcap's bpf_filter returns different values for the two, or "none
 * found" after a bounded search.  bpfc keeps the unoptimized verdicts, so
 * such a packet justifies a bpfc program longer than libpcap's optimized
 * one; an expression without one points at a size defect.
 *
 * The search: (1) every packet of the set at every caplen where a
 * truncation can matter (below the furthest byte either program loads on
 * it); (2) packets built from the set's generated ones by planting, at
 * the offset each conditional jump's value was loaded from, the constant
 * that takes the jump's other edge, expanding only packets whose pair of
 * paths through the two programs was not seen before; each of those is
 * also tried at every caplen that can matter.
 * What it looks for, in other words: a packet both programs accept whose
 * loads reach different depths in the two (cut between the two depths,
 * one program still accepts and the other runs off the capture).
 * Deterministic: a function of the programs and the set.
 */
#ifndef BPFC_BENCH_WITNESS_H
#define BPFC_BENCH_WITNESS_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/packets.h"
#include "bpfc.h"

/* One program in both layouts: bpfc's for the tracer, libpcap's for
 * bpf_filter, the verdicts' oracle. */
struct witness_prog {
	const struct bpfc_insn *p;
	const struct bpf_insn *pcap;
	size_t n;
};

struct witness_opts {
	size_t seeds;   /* generated packets the planting search starts from */
	size_t explore; /* packets it may build */
};

struct witness {
	int found;
	int from_set;          /* 1: a set packet (maybe truncated); 0: built */
	uint8_t *data;         /* caplen bytes, malloc'd; NULL when not found */
	uint32_t caplen, wirelen;
	uint32_t v_unopt, v_opt; /* libpcap's verdicts on it */
	size_t tried;          /* (packet, caplen) pairs compared */
	size_t built;          /* packets the planting search made */
};

/* Search; 0, or -1 when out of memory (w is then "not found"). */
int
witness_find(const struct witness_prog *unopt, const struct witness_prog *opt,
	     const struct bpkts *set, const struct witness_opts *o, struct witness *w);

void
witness_free(struct witness *w);

#endif
