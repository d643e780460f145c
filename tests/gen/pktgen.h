/*
 * pktgen.h: the project's packet generator.
 *
 * Builds well-formed and deliberately broken packets for a link type:
 * Ethernet (with 802.1Q/QinQ VLAN tags, MPLS stacks, PPPoE discovery and
 * session), IPv4 (with options, fragments, bad header lengths), IPv6 (with
 * hop-by-hop, routing, fragment and destination-options headers), TCP, UDP,
 * ICMP, ICMPv6, SCTP, IGMP, ARP/RARP, and captures truncated anywhere
 * (caplen < wirelen) and runts.  Output is a function of the seed only.
 */
#ifndef BPFC_TESTS_PKTGEN_H
#define BPFC_TESTS_PKTGEN_H

#include <stddef.h>
#include <stdint.h>

struct pktgen_pkt {
	uint8_t *data;    /* caplen bytes, malloc'd */
	uint32_t caplen;  /* bytes captured */
	uint32_t wirelen; /* bytes on the wire, >= caplen */
};

struct pktgen_set {
	struct pktgen_pkt *pkts;
	size_t n, cap;
	int linktype; /* DLT_ value the packets are framed for */
};

/* Link types the generator frames: returns 1 when `linktype` is one. */
int pktgen_supports(int linktype);

/* Append `count` packets for `linktype`, drawn from the seed: a mix of
 * every protocol combination above, ~10% truncated, ~3% runts.  Returns 0,
 * or -1 when the link type is not supported or memory ran out. */
int pktgen_generate(struct pktgen_set *set, int linktype, uint64_t seed, size_t count);

void pktgen_set_init(struct pktgen_set *set, int linktype);
void pktgen_set_free(struct pktgen_set *set);

/* Append a copy of one packet (`caplen` bytes at `data`, in a buffer of
 * exactly that size so ASan sees overreads).  0, or -1 out of memory. */
int pktgen_set_add(struct pktgen_set *set, const uint8_t *data, uint32_t caplen,
		   uint32_t wirelen);

/* Write the set as a classic pcap file (microsecond, host byte order,
 * given snaplen; timestamps are deterministic).  Returns 0 or -1 (errno). */
int pktgen_write_pcap(const char *path, const struct pktgen_set *set, uint32_t snaplen);

#endif
