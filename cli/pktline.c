/*
 * pktline.c: one summary line per packet, for the live capture and for
 * capture files (see pktline.h for the format).
 *
 * Takes the captured bytes through a bounded view (every read checks the
 * captured length); gives text in a strbuf.  The link layer is found
 * through one table keyed by DLT: where the network layer starts and how
 * its type is given (an ethertype at an offset, the IP version nibble, or
 * a BSD address family).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <time.h>

#include <linux/if_packet.h>
#include <pcap/pcap.h>

#include "cli/pktline.h"

/* A bounded view of the captured bytes: reads past caplen fail. */
struct pl_view {
	const uint8_t *p;
	uint32_t len;
};

static int
pl_u8(const struct pl_view *v, uint32_t off, unsigned *out)
{
	if (off >= v->len)
		return -1;
	*out = v->p[off];
	return 0;
}

static int
pl_u16(const struct pl_view *v, uint32_t off, unsigned *out)
{
	if (off > v->len || v->len - off < 2)
		return -1;
	*out = (unsigned)v->p[off] << 8 | v->p[off + 1];
	return 0;
}

/* IP protocol names the summary uses; others print as "proto N". */
static const struct {
	unsigned num;
	const char *name;
} pl_protos[] = {{1, "icmp"}, {2, "igmp"}, {6, "tcp"}, {17, "udp"}, {47, "gre"},
		   {50, "esp"}, {51, "ah"}, {58, "icmp6"}, {132, "sctp"}};

static void
pl_proto_name(struct strbuf *b, unsigned proto)
{
	for (size_t i = 0; i < sizeof(pl_protos) / sizeof(pl_protos[0]); i++)
		if (pl_protos[i].num == proto) {
			strbuf_puts(b, pl_protos[i].name);
			return;
		}
	strbuf_printf(b, "proto %u", proto);
}

static void
pl_addr(struct strbuf *b, int family, const uint8_t *a, int has_port, unsigned port)
{
	char text[INET6_ADDRSTRLEN];

	if (inet_ntop(family, a, text, sizeof(text)) == NULL)
		snprintf(text, sizeof(text), "?");
	strbuf_puts(b, text);
	if (has_port)
		strbuf_printf(b, ".%u", port);
}

/* "SRC[.SPORT] > DST[.DPORT]: PROTO PAYLOAD" for the transport header at
 * `off`, carrying `plen` bytes (after the IP header) of protocol `proto`;
 * `first` is 0 for a non-first fragment, which has no transport header. */
static void
pl_transport(struct strbuf *b, const struct pl_view *v, int family, const uint8_t *src,
	       const uint8_t *dst, unsigned proto, uint32_t off, unsigned plen, int first)
{
	unsigned sport = 0, dport = 0, x = 0;
	int ports = first && (proto == 6 || proto == 17 || proto == 132);
	int cut = ports && (pl_u16(v, off, &sport) < 0 || pl_u16(v, off + 2, &dport) < 0);
	long payload = (long)plen;

	if (!cut && first && proto == 6) {
		if (pl_u8(v, off + 12, &x) < 0)
			cut = 1;
		payload -= (long)(x >> 4) * 4;
	} else if (!cut && first && proto == 17) {
		if (pl_u16(v, off + 4, &x) < 0)
			cut = 1;
		payload = (long)x - 8;
	}
	pl_addr(b, family, src, ports && !cut, sport);
	strbuf_puts(b, " > ");
	pl_addr(b, family, dst, ports && !cut, dport);
	strbuf_puts(b, ": ");
	pl_proto_name(b, proto);
	if (!first)
		strbuf_puts(b, " fragment");
	if (cut)
		strbuf_puts(b, " [truncated]");
	else
		strbuf_printf(b, " %ld", payload < 0 ? 0 : payload);
}

static void
pl_ipv4(struct strbuf *b, const struct pl_view *v, uint32_t off)
{
	unsigned vihl = 0, total = 0, frag = 0, proto = 0;

	strbuf_puts(b, "IP ");
	if (off > v->len || v->len - off < 20 || pl_u8(v, off, &vihl) < 0 || vihl >> 4 != 4 ||
	    (vihl & 15) < 5) {
		strbuf_puts(b, "[truncated or not IPv4]");
		return;
	}
	pl_u16(v, off + 2, &total);
	pl_u16(v, off + 6, &frag);
	pl_u8(v, off + 9, &proto);
	unsigned hlen = (vihl & 15) * 4;
	pl_transport(b, v, AF_INET, v->p + off + 12, v->p + off + 16, proto, off + hlen,
		       total > hlen ? total - hlen : 0, (frag & 0x1fff) == 0);
}

static void
pl_ipv6(struct strbuf *b, const struct pl_view *v, uint32_t off)
{
	unsigned plen = 0, next = 0;

	strbuf_puts(b, "IP6 ");
	if (off > v->len || v->len - off < 40) {
		strbuf_puts(b, "[truncated]");
		return;
	}
	pl_u16(v, off + 4, &plen);
	pl_u8(v, off + 6, &next);
	pl_transport(b, v, AF_INET6, v->p + off + 8, v->p + off + 24, next, off + 40, plen, 1);
}

/* The network layer by its ethertype, at `off`. */
static void
pl_network(struct strbuf *b, const struct pl_view *v, unsigned type, uint32_t off)
{
	unsigned op;

	if (type == 0x0800)
		pl_ipv4(b, v, off);
	else if (type == 0x86dd)
		pl_ipv6(b, v, off);
	else if (type == 0x0806 || type == 0x8035)
		strbuf_printf(b, "%s %s", type == 0x0806 ? "ARP" : "RARP",
			      pl_u16(v, off + 6, &op) < 0 ? "[truncated]"
			      : op == 1 || op == 3       ? "request"
			      : op == 2 || op == 4       ? "reply"
							 : "op");
	else if (type < 0x0600)
		strbuf_puts(b, "802.3");
	else
		strbuf_printf(b, "ethertype 0x%04x", type);
}

enum pl_kind {
	PL_ETHERTYPE, /* a 16-bit ethertype at `type_off`, the network layer at `net_off` */
	PL_ETHERNET,  /* the same, then 802.1Q/802.1ad tags skipped */
	PL_VERSION,   /* the IP version nibble of the first byte */
	PL_AF_HOST,   /* a 32-bit BSD address family in the writer's byte order */
	PL_AF_NET     /* the same in network byte order */
};

static const struct {
	int dlt;
	enum pl_kind kind;
	uint32_t type_off, net_off;
} pl_links[] = {
	{DLT_EN10MB, PL_ETHERNET, 12, 14},
	{DLT_LINUX_SLL, PL_ETHERTYPE, 14, 16},
	{DLT_LINUX_SLL2, PL_ETHERTYPE, 0, 20},
	{DLT_RAW, PL_VERSION, 0, 0},
	{DLT_IPV4, PL_VERSION, 0, 0},
	{DLT_IPV6, PL_VERSION, 0, 0},
	{DLT_NULL, PL_AF_HOST, 0, 4},
	{DLT_LOOP, PL_AF_NET, 0, 4},
};

/* BSD address families: AF_INET is 2 everywhere; AF_INET6 is 10 (Linux),
 * 24 (NetBSD, OpenBSD), 28 (FreeBSD, DragonFly) or 30 (Darwin). */
static unsigned
pl_family_type(uint32_t af)
{
	if (af == 2)
		return 0x0800;
	if (af == 10 || af == 24 || af == 28 || af == 30)
		return 0x86dd;
	return 0;
}

static void
pl_af(struct strbuf *b, const struct pl_view *v, int host_order, uint32_t off)
{
	unsigned hi, lo;

	if (pl_u16(v, 0, &hi) < 0 || pl_u16(v, 2, &lo) < 0) {
		strbuf_puts(b, "[truncated]");
		return;
	}
	uint32_t be = (uint32_t)hi << 16 | lo;
	uint32_t le = (uint32_t)((be & 0xff) << 24 | (be & 0xff00) << 8 | (be >> 8 & 0xff00) |
				 be >> 24);
	/* "host order" is the writer's, unknown here: try both */
	uint32_t af = host_order && pl_family_type(be) == 0 ? le : be;
	unsigned type = pl_family_type(af);
	if (type == 0)
		strbuf_printf(b, "address family %u", (unsigned)(host_order && le < be ? le : be));
	else
		pl_network(b, v, type, off);
}

static void
pl_link(struct strbuf *b, const struct pl_view *v, int linktype)
{
	unsigned type, x;
	size_t i = 0;

	while (i < sizeof(pl_links) / sizeof(pl_links[0]) && pl_links[i].dlt != linktype)
		i++;
	if (i == sizeof(pl_links) / sizeof(pl_links[0])) {
		const char *name = pcap_datalink_val_to_name(linktype);
		strbuf_printf(b, "link-type %s", name != NULL ? name : "?");
		return;
	}
	uint32_t off = pl_links[i].net_off;
	switch (pl_links[i].kind) {
	case PL_VERSION:
		if (pl_u8(v, 0, &x) < 0)
			strbuf_puts(b, "[truncated]");
		else
			pl_network(b, v, x >> 4 == 6 ? 0x86dd : 0x0800, 0);
		return;
	case PL_AF_HOST:
	case PL_AF_NET:
		pl_af(b, v, pl_links[i].kind == PL_AF_HOST, off);
		return;
	case PL_ETHERTYPE:
	case PL_ETHERNET:
		break;
	}
	if (pl_u16(v, pl_links[i].type_off, &type) < 0) {
		strbuf_puts(b, "[truncated]");
		return;
	}
	/* VLAN tags the kernel left in place (it strips received ones) */
	while (pl_links[i].kind == PL_ETHERNET &&
	       (type == 0x8100 || type == 0x88a8 || type == 0x9100) &&
	       pl_u16(v, off + 2, &type) == 0)
		off += 4;
	pl_network(b, v, type, off);
}

const char *
pktline_dir(int pkttype)
{
	static const char *const dirs[] = {"In", "B", "M", "P", "Out"};

	return pkttype >= 0 && pkttype <= PACKET_OUTGOING ? dirs[pkttype] : "?";
}

int
pktline_cooked_pkttype(int linktype, const uint8_t *data, uint32_t caplen)
{
	struct pl_view v = {data, caplen};
	unsigned t;

	if (linktype == DLT_LINUX_SLL)
		return pl_u16(&v, 0, &t) < 0 ? -1 : (int)t;
	if (linktype == DLT_LINUX_SLL2)
		return pl_u8(&v, 10, &t) < 0 ? -1 : (int)t;
	return -1;
}

void
pktline_init(struct pktline *pl, int linktype)
{
	pl->linktype = linktype;
	pl->have_sec = 0;
}

void
pktline_format(struct pktline *pl, struct strbuf *b, const struct pktline_pkt *p)
{
	if (!pl->have_sec || pl->sec != p->sec) {
		struct tm tm;
		time_t sec = (time_t)p->sec;
		if (localtime_r(&sec, &tm) == NULL)
			tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		snprintf(pl->hms, sizeof(pl->hms), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
			 tm.tm_sec);
		pl->sec = p->sec;
		pl->have_sec = 1;
	}
	strbuf_printf(b, "%s.%06ld ", pl->hms, p->usec);
	if (p->ifname != NULL)
		strbuf_printf(b, "%s ", p->ifname);
	if (p->dir != NULL)
		strbuf_printf(b, "%s ", p->dir);
	pl_link(b, &(struct pl_view){p->data, p->caplen}, pl->linktype);
	strbuf_printf(b, ", length %u", p->wirelen);
	if (p->caplen < p->wirelen)
		strbuf_printf(b, ", captured %u", p->caplen);
	strbuf_puts(b, "\n");
}
