/*
 * pktline.h: the one-line packet summary that `bpfc -i` and `bpfc -r`
 * print for each packet.
 *
 * Takes a packet's bytes, lengths, time stamp and link type; gives
 *   TIME [IFACE ][DIR ]SUMMARY, length WIRELEN[, captured CAPLEN]
 * (for doc/bpfc.1).  TIME is local HH:MM:SS.uuuuuu; IFACE and DIR (In,
 * Out, B, M, P, as tcpdump prints them) only when the caller has them (a
 * Linux cooked capture); SUMMARY is "IP SRC[.PORT] > DST[.PORT]: PROTO
 * PAYLOAD" for IPv4 (IP6 for IPv6), PAYLOAD being the transport payload's
 * length from the headers (TCP: after the TCP header; UDP: after the UDP
 * header; others: after the IP header), or "ARP request", "ARP reply",
 * "ethertype 0xNNNN", "802.3", "address family N" (BSD loopback),
 * "link-type NAME" (a link layer it does not decode).  Reads never go past
 * the captured length; a header cut short says "[truncated]".
 */
#ifndef BPFC_CLI_PKTLINE_H
#define BPFC_CLI_PKTLINE_H

#include <stdint.h>

#include "base/strbuf.h"

struct pktline_pkt {
	int64_t sec;
	long usec;
	const uint8_t *data; /* caplen bytes */
	uint32_t caplen, wirelen;
	const char *ifname;  /* printed before the summary, or NULL */
	const char *dir;     /* "In", "Out", ... (pktline_dir), or NULL */
};

/* The formatter's state: the link type and the last second it converted
 * to local time (one localtime_r per second of capture, not per packet). */
struct pktline {
	int linktype;
	int64_t sec;
	int have_sec;
	char hms[16];
};

void pktline_init(struct pktline *pl, int linktype);

/* Append the packet's line, newline included, to `b`. */
void pktline_format(struct pktline *pl, struct strbuf *b, const struct pktline_pkt *p);

/* The direction tcpdump prints for a Linux packet type (PACKET_HOST ...
 * PACKET_OUTGOING), "?" for others. */
const char *pktline_dir(int pkttype);

/* The packet type of a Linux cooked (DLT_LINUX_SLL or SLL2) packet's
 * header, or -1 when it is not one or is too short to say. */
int pktline_cooked_pkttype(int linktype, const uint8_t *data, uint32_t caplen);

#endif
