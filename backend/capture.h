/*
 * capture.h: live capture on a Linux AF_PACKET socket (issue #4).
 *
 * Takes: an interface name ("any": every interface), the link type the
 * filter was compiled for, a snapshot length and the compiled filter.
 * Gives: the packets the filter accepts, one at a time, framed for that
 * link type, with their time stamp, captured and wire lengths; and the
 * number of packets the kernel dropped for want of buffer space.
 *
 * Two ways of filtering, chosen by the link type:
 *   kernel   the interface's own framing (EN10MB on Ethernet and on the
 *            loopback device): a SOCK_RAW socket with the filter attached
 *            by bpfc_attach (eBPF, or classic when eBPF is not allowed).
 *   user     LINUX_SLL (always for "any"; on any interface with -y
 *            LINUX_SLL): a SOCK_DGRAM socket delivers packets without a
 *            link-layer header, so the kernel cannot run a program
 *            compiled for the 16-byte cooked header.  capture_next builds
 *            that header from the packet's sockaddr_ll, as libpcap does,
 *            and runs the filter in user space with bpfc_run on the whole
 *            packet.  The kernel then passes every packet up; the verdict
 *            is the filter's exactly.
 *
 * Invariants: no packet the filter rejects is ever returned.  The socket
 * is opened with protocol 0, so it receives nothing until it is bound;
 * the filter is attached before the bind (bpfc_attach also drains a packet
 * socket behind a drop-all filter, for callers who attach to a bound one).
 * A PACKET_OUTGOING copy on the loopback device is skipped: the same
 * packet arrives again as incoming, and libpcap shows it once
 * (pcap-linux.c, linux_check_direction).  0 < caplen <= wirelen and
 * caplen <= the snapshot length.  No global state: signals are the
 * caller's business.
 */
#ifndef BPFC_BACKEND_CAPTURE_H
#define BPFC_BACKEND_CAPTURE_H

#include <stdint.h>
#include <time.h>

#include "bpfc.h"

/* Largest snapshot length kept, libpcap's MAXIMUM_SNAPLEN: a longer -s is
 * treated as this one (libpcap does the same). */
#define CAPTURE_MAX_SNAPLEN 262144u

/* The DLT_ value packets captured on `iface` carry: EN10MB for Ethernet
 * and for the loopback device (libpcap's choice on Linux), LINUX_SLL for
 * "any".  -1 with `err` naming the interface and its ARPHRD_ type when
 * the interface does not exist or its type is not one bpfc captures. */
int capture_linktype(const char *iface, struct bpfc_error *err);

/* Where the filter runs. */
enum capture_filtering {
	CAPTURE_KERNEL_EBPF = BPFC_ATTACHED_EBPF, /* SO_ATTACH_BPF */
	CAPTURE_KERNEL_CBPF = BPFC_ATTACHED_CBPF, /* SO_ATTACH_FILTER */
	CAPTURE_USER = 3                          /* bpfc_run on the cooked header */
};

struct capture;

struct capture_pkt {
	struct timespec ts;  /* when the kernel received it (wall clock) */
	const uint8_t *data; /* caplen bytes, valid until the next capture call */
	uint32_t caplen;     /* bytes kept */
	uint32_t wirelen;    /* bytes the packet had, link header included */
	int ifindex;         /* the interface it was seen on */
	int pkttype;         /* PACKET_HOST, PACKET_OUTGOING, ... (linux/if_packet.h) */
};

/* Open a capture on `iface` for a filter compiled for `linktype` (one
 * capture_linktype returns for the interface, or DLT_LINUX_SLL on any
 * interface).  `attach_flags` go to bpfc_attach (BPFC_ATTACH_CBPF_ONLY,
 * ...).  NULL with `err` set on error (no such interface, no privilege,
 * a link type the interface cannot give, the kernel refused the filter). */
struct capture *capture_open(const char *iface, int linktype, uint32_t snaplen,
			     const struct bpfc_filter *f, unsigned attach_flags,
			     struct bpfc_error *err);

/* The socket, for poll(2): readable when capture_next may have a packet. */
int capture_fd(const struct capture *c);

enum capture_filtering capture_filtering(const struct capture *c);

/* The next accepted packet without waiting: 1 with `p` filled, 0 when none
 * is queued, -1 with `err` set (the interface went down, ...). */
int capture_next(struct capture *c, struct capture_pkt *p, struct bpfc_error *err);

/* Packets the kernel dropped because the socket's buffer was full, since
 * the capture was opened.  0, or -1 with `err` set. */
int capture_drops(struct capture *c, uint64_t *drops, struct bpfc_error *err);

/* Close the socket and free the capture; NULL is allowed. */
void capture_close(struct capture *c);

#endif
