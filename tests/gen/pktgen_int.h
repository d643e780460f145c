/*
 * pktgen_int.h: what the packet generator's two halves share; private to
 * tests/gen/pktgen*.c (the public contract is pktgen.h).
 *
 * Takes nothing; gives the build state (struct pg), weighted choices, the
 * clamped byte writers, and the entry points each half calls in the other:
 * pktgen.c (link layers, encapsulations, non-IP network layers, the set
 * and the pcap writer) and pktgen_ip.c (IPv4, IPv6 and what rides on them).
 * Invariant: every write goes through pg_put/pg_rand/pg_zero/pg_set16, so
 * g->len <= PG_MAX whatever the random numbers; the bytes built are a
 * function of g->r's stream only.
 */
#ifndef BPFC_TESTS_PKTGEN_INT_H
#define BPFC_TESTS_PKTGEN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tests/gen/rng.h"

#define PG_MAX 9216u  /* largest frame built (a jumbo frame) */
#define PG_DEPTH 2    /* tunnels nest at most this deep */

struct pg {
	struct rng *r;
	uint8_t b[PG_MAX];
	size_t len;
	int depth; /* IP-in-IP / GRE nesting so far */
};

/* A weighted choice: `value` is returned with probability weight / sum. */
struct pg_choice {
	uint32_t value;
	uint32_t weight;
};

#define PG_N(tab) (sizeof(tab) / sizeof((tab)[0]))
#define PG_CHOOSE(g, tab) pg_choose((g)->r, (tab), PG_N(tab))

/* pktgen.c: choices and byte writers (clamped to the buffer). */
uint32_t pg_choose(struct rng *r, const struct pg_choice *c, size_t n);
void pg_put(struct pg *g, const void *p, size_t n);
void pg_u8(struct pg *g, uint32_t v);
void pg_u16(struct pg *g, uint32_t v);
void pg_u32(struct pg *g, uint32_t v);
void pg_rand(struct pg *g, size_t n);
void pg_zero(struct pg *g, size_t n);
void pg_set16(struct pg *g, size_t off, uint32_t v);
void pg_payload(struct pg *g);

/* pktgen.c: a MAC address (dst: may be broadcast/multicast); an Ethernet
 * frame (VXLAN, Geneve and GRE carry one; `unused` is the pg_links arg). */
void pg_mac(struct pg *g, int dst);
void pg_frame_ether(struct pg *g, int unused);

/* pktgen_ip.c: an IPv4 address from the pool or random; an IPv4 or IPv6
 * packet with its transport layer (or a tunnelled packet) and payload. */
void pg_ip4addr(struct pg *g);
void pg_ipv4(struct pg *g);
void pg_ipv6(struct pg *g);

#endif
