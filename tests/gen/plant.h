/*
 * plant.h: packets that reach a program's tests.
 *
 * Takes: a classic program (libpcap's struct bpf_insn layout) and a packet
 * buffer.  Gives: the places the program loads (absolute, indexed, the
 * header length `ldxb` reads) and the constants it compares with, and a
 * way to write 1 to 4 of those constants (or one off) at those places, so
 * that random packets take the program's rarely taken branches.  Used by
 * the tests that cut such packets at every length.  No state but the
 * caller's rng.
 */
#ifndef BPFC_TESTS_PLANT_H
#define BPFC_TESTS_PLANT_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/gen/rng.h"

struct plant_places {
	uint32_t abs[256], absz[256], nabs;
	uint32_t ind[256], indsz[256], nind;
	uint32_t msh[16], nmsh;
	uint32_t k[512], nk;
};

/* The load places and compared constants (each k, k + 1, k - 1) of p. */
void plant_places_of(const struct bpf_insn *p, size_t n, struct plant_places *pl);

/* Write 1 to 4 constants of pl at its places in p[0..caplen) (indexed
 * places past the X that the program's `ldxb` reads from p). */
void plant_constants(struct rng *r, const struct plant_places *pl, uint8_t *p, uint32_t caplen);

#endif
