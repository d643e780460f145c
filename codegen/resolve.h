/*
 * resolve.h: name lookups for the code generator.
 *
 * Takes: a name written in a filter (a host, a service, a protocol, an
 * Ethernet host).  Gives: what it stands for, as values the generator
 * compares against.  The generator never calls the system's resolver
 * itself: it asks a struct resolver, so tests can substitute a fixed table
 * (resolve_table) for the system's (resolve_system).
 *
 * Invariants: a resolver keeps no state between calls except what `ctx`
 * points to, which it only reads; so one resolver may serve two
 * compilations in two threads at once.  Results are allocated in the
 * arena passed in.
 */
#ifndef BPFC_CODEGEN_RESOLVE_H
#define BPFC_CODEGEN_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

/* Transport protocols a service name stands for (libpcap's PROTO_UNDEF is
 * all three). */
enum {
	RESOLVE_TCP = 1u << 0,
	RESOLVE_UDP = 1u << 1,
	RESOLVE_SCTP = 1u << 2
};

/* Every address of a host, in the order the resolver gave them. */
struct resolve_addrs {
	uint32_t *v4; /* host byte order */
	size_t n4;
	uint8_t (*v6)[16];
	size_t n6;
};

struct resolver {
	const void *ctx;
	/* 0 and the addresses, or -1 when the name is unknown (or has none). */
	int (*host)(const void *ctx, struct arena *a, const char *name,
		    struct resolve_addrs *out);
	/* 0, the port and the RESOLVE_* protocols it is registered for; -1. */
	int (*service)(const void *ctx, const char *name, uint16_t *port, unsigned *protos);
	/* 0 and the IP protocol number; -1. */
	int (*proto)(const void *ctx, const char *name, uint32_t *num);
	/* 0 and the MAC address; -1. */
	int (*ether)(const void *ctx, const char *name, uint8_t mac[6]);
};

/* The system's databases: getaddrinfo, getservbyname (tcp, then udp: a
 * service registered for both with the same port is all three transport
 * protocols, as in libpcap), getprotobyname, ether_hostton. */
const struct resolver *resolve_system(void);

/* ---- a fixed table, for tests ---- */

struct resolve_entry {
	enum { RESOLVE_E_HOST4, RESOLVE_E_HOST6, RESOLVE_E_SERVICE, RESOLVE_E_PROTO,
	       RESOLVE_E_ETHER } kind;
	const char *name;
	uint32_t num;      /* HOST4 address; SERVICE port; PROTO number */
	unsigned protos;   /* SERVICE: RESOLVE_* */
	uint8_t bytes[16]; /* HOST6 address; ETHER the first 6 */
};

struct resolve_table {
	struct resolver r; /* filled by resolve_table_init */
	const struct resolve_entry *entries;
	size_t n;
};

/* A resolver answering from `entries` only (a host may have several
 * entries: all are returned, in table order).  Returns &t->r. */
const struct resolver *resolve_table_init(struct resolve_table *t,
					  const struct resolve_entry *entries, size_t n);

#endif
