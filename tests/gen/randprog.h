/*
 * randprog.h: random classic BPF programs for differential tests.
 *
 * randprog_valid() makes programs that pass cbpf_validate (and libpcap's
 * bpf_validate): forward jumps in range, M[k] written before it is read on
 * every path, a return last, every opcode in the table with operands biased
 * toward the edges (offsets near a packet's end and near 65535, constants
 * >= 2^31, shift counts near 32, X = 0 before div/mod).
 */
#ifndef BPFC_TESTS_RANDPROG_H
#define BPFC_TESTS_RANDPROG_H

#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"
#include "tests/gen/rng.h"

/* Fill `out` (room for `max` >= 2 instructions) with a valid program of
 * 2..max instructions; returns its length. */
size_t randprog_valid(struct rng *r, struct bpfc_insn *out, size_t max);

/* Fill `pkt` (room for `max` bytes) with random bytes, sometimes shaped
 * like a real header; sets *caplen <= *wirelen. */
void randprog_packet(struct rng *r, uint8_t *pkt, uint32_t max, uint32_t *caplen,
		     uint32_t *wirelen);

#endif
