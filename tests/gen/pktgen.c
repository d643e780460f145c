/*
 * pktgen.c: seeded packets for the filter differential tests.
 *
 * Takes a link type, a seed and a count; gives packets framed for that
 * link type, whose bytes are a function of (seed, link type, index) only.
 * Each packet is built top down into a fixed buffer: link header (from the
 * table pg_links, keyed by DLT), encapsulations (VLAN, QinQ, MPLS, PPPoE,
 * 802.3/LLC with SNAP, STP, IPX, OSI), a network layer (IPv4, IPv6, ARP,
 * RARP, DECnet), a transport layer and a payload; GRE, IP-in-IP, Geneve
 * and VXLAN nest a second packet inside.  Length fields are filled in
 * after the layer they describe is complete, so they are mostly right; a
 * few are deliberately wrong, and ~10% of captures are cut short and ~3%
 * are runts.  Every write is clamped to the buffer, so no choice of random
 * numbers can overflow it.
 *
 * This file holds the byte writers, link layers, encapsulations and non-IP
 * network layers, the packet set and the pcap writer; IPv4, IPv6 and all
 * above them are in pktgen_ip.c, and pktgen_int.h is what the two share.
 *
 * Checksums are not computed: no filter primitive reads them.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gen/pktgen.h"
#include "tests/gen/pktgen_int.h"
#include "tests/gen/rng.h"

/* ---- weighted choices ---- */

uint32_t
pg_choose(struct rng *r, const struct pg_choice *c, size_t n)
{
	uint32_t sum = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		sum += c[i].weight;
	x = rng_below(r, sum);
	for (i = 0; i < n; i++) {
		if (x < c[i].weight)
			return c[i].value;
		x -= c[i].weight;
	}
	return c[n - 1].value;
}

/* ---- writing bytes (clamped to the buffer) ---- */

void
pg_put(struct pg *g, const void *p, size_t n)
{
	if (n > PG_MAX - g->len)
		n = PG_MAX - g->len;
	memcpy(g->b + g->len, p, n);
	g->len += n;
}

void
pg_u8(struct pg *g, uint32_t v)
{
	uint8_t b = (uint8_t)v;
	pg_put(g, &b, 1);
}

void
pg_u16(struct pg *g, uint32_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	pg_put(g, b, 2);
}

void
pg_u32(struct pg *g, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	pg_put(g, b, 4);
}

void
pg_rand(struct pg *g, size_t n)
{
	while (n-- > 0 && g->len < PG_MAX)
		g->b[g->len++] = (uint8_t)rng_next(g->r);
}

void
pg_zero(struct pg *g, size_t n)
{
	while (n-- > 0 && g->len < PG_MAX)
		g->b[g->len++] = 0;
}

/* Patch a big-endian field written earlier (no-op if it was clamped off). */
void
pg_set16(struct pg *g, size_t off, uint32_t v)
{
	if (off + 2 <= g->len) {
		g->b[off] = (uint8_t)(v >> 8);
		g->b[off + 1] = (uint8_t)v;
	}
}

/* A payload length: mostly short, sometimes a full frame, rarely jumbo. */
static size_t
pg_paylen(struct pg *g)
{
	uint32_t k = rng_below(g->r, 1000);

	if (k < 700)
		return rng_below(g->r, 48);
	if (k < 990)
		return rng_below(g->r, 1400);
	return 1400 + rng_below(g->r, 8000);
}

void
pg_payload(struct pg *g)
{
	pg_rand(g, pg_paylen(g));
}

/* ---- MAC addresses: a small pool, so ether host filters can match ---- */

static const uint8_t pg_mac_pool[][6] = {
	{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}, {0x00, 0x00, 0x5e, 0x00, 0x01, 0x01},
	{0x02, 0x42, 0xac, 0x11, 0x00, 0x02}, {0x08, 0x00, 0x27, 0xaa, 0xbb, 0xcc},
	{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}, {0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e},
};

/* Destination MAC: broadcast, IPv4/IPv6/STP multicast, unicast pool, random. */
void
pg_mac(struct pg *g, int dst)
{
	static const uint8_t mcast[][6] = {
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
		{0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa}, {0x33, 0x33, 0x00, 0x00, 0x00, 0x01},
		{0x33, 0x33, 0xff, 0x00, 0x00, 0x05}, {0x01, 0x80, 0xc2, 0x00, 0x00, 0x00},
	};
	uint32_t k = rng_below(g->r, 100);

	if (dst && k < 15)
		pg_put(g, mcast[0], 6);
	else if (dst && k < 30)
		pg_put(g, mcast[1 + rng_below(g->r, PG_N(mcast) - 1)], 6);
	else if (k < 80)
		pg_put(g, pg_mac_pool[rng_below(g->r, PG_N(pg_mac_pool))], 6);
	else
		pg_rand(g, 6);
}

/* ---- other network layers ---- */

/* ARP (opcodes 1, 2) or RARP (3, 4) for Ethernet/IPv4, sometimes odd sizes. */
static void
pg_arp(struct pg *g, int rarp)
{
	int odd = rng_chance(g->r, 1, 20);

	pg_u16(g, odd ? rng_below(g->r, 32) : 1);
	pg_u16(g, 0x0800);
	pg_u8(g, odd ? rng_below(g->r, 16) : 6);
	pg_u8(g, odd ? rng_below(g->r, 16) : 4);
	if (rng_chance(g->r, 1, 10))
		pg_u16(g, 1 + rng_below(g->r, 4)); /* an ARP/RARP opcode mix-up */
	else
		pg_u16(g, (rarp ? 3 : 1) + rng_below(g->r, 2));
	pg_mac(g, 0);
	pg_ip4addr(g);
	pg_mac(g, 1);
	pg_ip4addr(g);
}

/* An MPLS stack of 1-3 labels, bottom-of-stack set on the last, over IP. */
static void
pg_mpls(struct pg *g)
{
	static const uint32_t labels[] = {0, 2, 3, 16, 100, 200, 1000, 0xfffff};
	uint32_t n = 1 + rng_below(g->r, 3);
	int v6 = rng_chance(g->r, 1, 3);

	for (uint32_t i = 0; i < n; i++) {
		uint32_t label = rng_chance(g->r, 3, 4) ? labels[rng_below(g->r, PG_N(labels))]
							: rng_below(g->r, 1u << 20);
		uint32_t bos = i + 1 == n ? 1 : 0;
		if (rng_chance(g->r, 1, 50))
			bos ^= 1;
		pg_u32(g, label << 12 | rng_below(g->r, 8) << 9 | bos << 8 | 64);
	}
	if (rng_chance(g->r, 1, 20))
		pg_payload(g); /* pseudowire or garbage */
	else if (v6)
		pg_ipv6(g);
	else
		pg_ipv4(g);
}

/* An OSI PDU: NLPID (0x81 CLNP, 0x82 ES-IS, 0x83 IS-IS), length
 * indicator, version, ID length, PDU type (IS-IS hellos, LSPs and SNPs are
 * 15..27), PDU version, reserved, maximum area addresses. */
static void
pg_osi(struct pg *g, uint32_t nlpid)
{
	pg_u8(g, nlpid);
	pg_u8(g, nlpid == 0x83 ? 27 : 8 + rng_below(g->r, 20));
	pg_u16(g, 0x0100);
	pg_u8(g, rng_chance(g->r, 4, 5) ? 15 + rng_below(g->r, 13) : rng_below(g->r, 256));
	pg_u8(g, 1);
	pg_u16(g, 0);
	pg_payload(g);
}

/* An 802.2 LLC frame body: SNAP-encapsulated IP/ARP, STP, IPX, OSI
 * (CLNP, ES-IS, IS-IS), NetBIOS, or random SAPs. */
static void
pg_llc(struct pg *g)
{
	static const struct pg_choice kinds[] = {
		{0xaa, 25}, {0x42, 20}, {0xe0, 10}, {0xfe, 25}, {0xf0, 5}, {0x100, 15},
	};
	uint32_t sap = PG_CHOOSE(g, kinds);

	if (sap == 0x100) { /* any SAPs; U, I and S frame controls */
		static const uint8_t ctl[] = {0x03, 0x13, 0x6f, 0x7f, 0x43, 0x73, 0xaf, 0xe3,
					      0x01, 0x05, 0x09, 0x00, 0x02, 0x0f};
		pg_rand(g, 2);
		pg_u8(g, rng_chance(g->r, 4, 5) ? ctl[rng_below(g->r, sizeof(ctl))] : rng_next(g->r));
		pg_payload(g);
		return;
	}
	pg_u8(g, sap);
	pg_u8(g, sap);
	pg_u8(g, 3);
	if (sap == 0xaa) {
		static const uint32_t types[] = {0x0800, 0x86dd, 0x0806, 0x809b, 0x8137};
		uint32_t t = types[rng_below(g->r, PG_N(types))];
		pg_u8(g, 0); /* OUI 00-00-00 (encapsulated Ethernet) or 00-00-0c (Cisco) */
		pg_u16(g, rng_chance(g->r, 4, 5) ? 0 : 0x0c);
		pg_u16(g, t);
		if (t == 0x0800)
			pg_ipv4(g);
		else if (t == 0x86dd)
			pg_ipv6(g);
		else
			pg_payload(g);
	} else if (sap == 0xfe) {
		pg_osi(g, 0x81 + rng_below(g->r, 3));
	} else if (sap == 0x42) { /* BPDU: protocol 0, version, type, flags, ... */
		pg_u16(g, 0);
		pg_u8(g, rng_below(g->r, 4));
		pg_u8(g, rng_chance(g->r, 1, 2) ? 0 : rng_chance(g->r, 1, 2) ? 2 : 0x80);
		pg_rand(g, rng_chance(g->r, 9, 10) ? 31 : rng_below(g->r, 40));
	} else {
		pg_payload(g);
	}
}

/* A DECnet node address, area.node, as its 16 bits. */
static uint32_t
pg_dnaddr(struct pg *g)
{
	static const uint16_t pool[] = {1 << 10 | 2, 10 << 10 | 23, 1 << 10 | 1, 63 << 10 | 1023};

	return rng_chance(g->r, 3, 4) ? pool[rng_below(g->r, PG_N(pool))] : rng_below(g->r, 65536);
}

/* DECnet routing: a little-endian length, optional padding, then the short
 * (flags 2: dst, src, forward) or long (flags 6: areas and 6-byte ids
 * AA-00-04-00-xx-xx) data packet header.  Addresses are little-endian. */
static void
pg_decnet(struct pg *g)
{
	uint32_t pad = rng_chance(g->r, 1, 3) ? 1 + rng_below(g->r, 3) : 0;
	uint32_t flags = rng_chance(g->r, 9, 10) ? (rng_chance(g->r, 1, 2) ? 2 : 6) : rng_below(g->r, 8);
	size_t start = g->len;

	pg_u16(g, 0);
	if (pad > 0) {
		pg_u8(g, 0x80 | pad);
		pg_zero(g, pad - 1);
	}
	pg_u8(g, flags | (rng_chance(g->r, 1, 4) ? 0x20 : 0));
	for (int i = 0; i < 2; i++) {
		uint32_t a = pg_dnaddr(g);
		if ((flags & 7) == 6) {
			pg_u16(g, 0); /* area, subarea */
			pg_u32(g, 0xaa000400u);
		}
		pg_u8(g, a);
		pg_u8(g, a >> 8);
	}
	pg_payload(g);
	if (start + 2 <= g->len) {
		g->b[start] = (uint8_t)(g->len - start - 2);
		g->b[start + 1] = (uint8_t)((g->len - start - 2) >> 8);
	}
}

/* Network-layer kinds every link framer chooses among. */
enum pg_l3 { PG_IP4, PG_IP6, PG_ARP, PG_RARP, PG_MPLS, PG_LLC, PG_OTHER };

/* The network layer of kind `k`; `type` is the ethertype for PG_OTHER. */
static void
pg_network(struct pg *g, enum pg_l3 k, uint32_t type)
{
	if (k == PG_OTHER && type == 0x6003) {
		pg_decnet(g);
		return;
	}
	switch (k) {
	case PG_IP4: pg_ipv4(g); break;
	case PG_IP6: pg_ipv6(g); break;
	case PG_ARP: pg_arp(g, 0); break;
	case PG_RARP: pg_arp(g, 1); break;
	case PG_MPLS: pg_mpls(g); break;
	case PG_LLC: pg_llc(g); break;
	case PG_OTHER: pg_payload(g); break;
	}
}

/* Ethertype-framed network layers (Ethernet, VLAN, SLL, C-HDLC). */
static const struct pg_choice pg_ether_l3[] = {
	{PG_IP4, 45}, {PG_IP6, 30}, {PG_ARP, 8}, {PG_RARP, 3}, {PG_MPLS, 6}, {PG_OTHER, 8},
};

static uint32_t
pg_ethertype(struct pg *g, enum pg_l3 k)
{
	static const uint16_t other[] = {0x6001, 0x6002, 0x6003, 0x6004, 0x6007, 0x809b,
					 0x80f3, 0x8137, 0x88cc, 0x888e, 0x8100, 0x8864,
					 0x0600, 0x05dc, 0x9000, 0xffff};
	switch (k) {
	case PG_IP4: return 0x0800;
	case PG_IP6: return 0x86dd;
	case PG_ARP: return 0x0806;
	case PG_RARP: return 0x8035;
	case PG_MPLS: return rng_chance(g->r, 9, 10) ? 0x8847 : 0x8848;
	default:
		if (rng_chance(g->r, 1, 2))
			return other[rng_below(g->r, PG_N(other))];
		return rng_below(g->r, 65536);
	}
}

static void
pg_ether_payload(struct pg *g)
{
	enum pg_l3 k = PG_CHOOSE(g, pg_ether_l3);
	uint32_t type = pg_ethertype(g, k);

	pg_u16(g, type);
	pg_network(g, k, type);
}

/* ---- Ethernet encapsulations ---- */

static uint32_t
pg_vid(struct pg *g)
{
	static const uint16_t vids[] = {0, 1, 10, 20, 100, 200, 4094, 4095};

	if (rng_chance(g->r, 3, 4))
		return vids[rng_below(g->r, PG_N(vids))];
	return rng_below(g->r, 4096);
}

static void
pg_vlan_tag(struct pg *g, uint32_t tpid)
{
	pg_u16(g, tpid);
	pg_u16(g, rng_below(g->r, 16) << 12 | pg_vid(g));
}

/* PPPoE discovery (PADI, PADO, PADR, PADS, PADT) with a few tags. */
static void
pg_pppoe_disc(struct pg *g)
{
	static const uint8_t codes[] = {0x09, 0x07, 0x19, 0x65, 0xa7};
	uint32_t code = codes[rng_below(g->r, sizeof(codes))];
	size_t start = g->len;

	pg_u8(g, 0x11);
	pg_u8(g, code);
	pg_u16(g, code == 0x65 || code == 0xa7 ? 1 + rng_below(g->r, 65535) : 0);
	pg_u16(g, 0);
	for (uint32_t n = rng_below(g->r, 4); n > 0; n--) {
		uint32_t len = rng_below(g->r, 12);
		pg_u16(g, 0x0101 + rng_below(g->r, 4)); /* service/AC name, host-uniq, cookie */
		pg_u16(g, len);
		pg_rand(g, len);
	}
	pg_set16(g, start + 4, g->len - start - 6);
}

/* PPP protocols inside PPPoE sessions and on PPP links. */
static void
pg_ppp_payload(struct pg *g)
{
	static const struct pg_choice protos[] = {
		{0x0021, 45}, {0x0057, 25}, {0x0281, 5}, {0xc021, 8}, {0x8021, 4}, {0x8057, 3},
		{0x002b, 2}, {0x0029, 2}, {0xc223, 2}, {0x10000, 4},
	};
	uint32_t p = PG_CHOOSE(g, protos);

	pg_u16(g, p == 0x10000 ? rng_below(g->r, 65536) : p);
	if (p == 0x0021)
		pg_ipv4(g);
	else if (p == 0x0057)
		pg_ipv6(g);
	else if (p == 0x0281)
		pg_mpls(g);
	else
		pg_payload(g);
}

static void
pg_pppoe_sess(struct pg *g)
{
	static const uint16_t ids[] = {1, 0x1234, 0xffff};
	size_t start = g->len;

	pg_u8(g, 0x11);
	pg_u8(g, 0);
	pg_u16(g, rng_chance(g->r, 2, 3) ? ids[rng_below(g->r, 3)] : rng_below(g->r, 65536));
	pg_u16(g, 0);
	pg_ppp_payload(g);
	pg_set16(g, start + 4, g->len - start - 6);
}

/* 802.3: a length field, then LLC. */
static void
pg_8023(struct pg *g)
{
	size_t start = g->len;

	pg_u16(g, 0);
	if (rng_chance(g->r, 1, 10)) { /* Novell raw 802.3: IPX straight after */
		pg_u16(g, 0xffff);
		pg_payload(g);
	} else {
		pg_llc(g);
	}
	pg_set16(g, start, g->len - start - 2 > 1500 ? 1500 : g->len - start - 2);
}

enum pg_encap { PG_PLAIN, PG_VLAN, PG_QINQ, PG_VLAN_MPLS, PG_PPPOED, PG_PPPOES,
		PG_VLAN_PPPOES, PG_8023, PG_VLAN_8023 };

void
pg_frame_ether(struct pg *g, int unused)
{
	static const struct pg_choice encaps[] = {
		{PG_PLAIN, 55}, {PG_VLAN, 10}, {PG_QINQ, 5}, {PG_VLAN_MPLS, 2}, {PG_PPPOED, 3},
		{PG_PPPOES, 6}, {PG_VLAN_PPPOES, 2}, {PG_8023, 12}, {PG_VLAN_8023, 2},
	};
	uint32_t e = PG_CHOOSE(g, encaps);

	(void)unused;
	pg_mac(g, 1);
	pg_mac(g, 0);
	if (e == PG_QINQ)
		pg_vlan_tag(g, rng_chance(g->r, 1, 2) ? 0x88a8 : rng_chance(g->r, 4, 5) ? 0x8100 : 0x9100);
	if (e == PG_QINQ || e == PG_VLAN || e == PG_VLAN_MPLS || e == PG_VLAN_PPPOES ||
	    e == PG_VLAN_8023)
		pg_vlan_tag(g, 0x8100);
	if (e == PG_VLAN_MPLS) {
		pg_u16(g, 0x8847);
		pg_mpls(g);
	} else if (e == PG_PPPOED) {
		pg_u16(g, 0x8863);
		pg_pppoe_disc(g);
	} else if (e == PG_PPPOES || e == PG_VLAN_PPPOES) {
		pg_u16(g, 0x8864);
		pg_pppoe_sess(g);
	} else if (e == PG_8023 || e == PG_VLAN_8023) {
		pg_8023(g);
	} else {
		pg_ether_payload(g);
	}
	if (g->len < 60 && rng_chance(g->r, 1, 2))
		pg_zero(g, 60 - g->len); /* minimum frame padding */
}

/* ---- other link types: each frame(g, arg) builds one whole packet ---- */

/* DLT_RAW (arg 46: IPv4, IPv6 or garbage), DLT_IPV4 (4), DLT_IPV6 (6). */
static void
pg_frame_ip(struct pg *g, int which)
{
	uint32_t k = rng_below(g->r, 100);

	if (which == 4 || (which == 46 && k < 55))
		pg_ipv4(g);
	else if (which == 6 || k < 97)
		pg_ipv6(g);
	else
		pg_payload(g);
}

/* DLT_NULL (arg 0) / DLT_LOOP (arg 1): a 4-byte address family (AF_INET,
 * the AF_INET6 values of Linux and the BSDs, OSI, IPX, random) in the
 * writer's byte order (NULL) or network order (LOOP). */
static void
pg_frame_family(struct pg *g, int net_order)
{
	static const struct pg_choice fams[] = {
		{2, 50}, {10, 15}, {24, 8}, {28, 8}, {30, 8}, {7, 3}, {23, 3}, {0x100, 5},
	};
	uint32_t f = PG_CHOOSE(g, fams);
	uint8_t b[4];

	if (f == 0x100)
		f = rng_chance(g->r, 1, 2) ? rng_below(g->r, 64) : (uint32_t)rng_next(g->r);
	if (net_order) {
		pg_u32(g, f);
	} else {
		memcpy(b, &f, 4);
		pg_put(g, b, 4);
	}
	if (f == 2)
		pg_ipv4(g);
	else if (f == 10 || f == 24 || f == 28 || f == 30)
		pg_ipv6(g);
	else
		pg_frame_ip(g, 46);
}

/* SLL and SLL2 carry an ethertype, or 0x0004 (802.2 LLC) / 0x0001 (802.3). */
static void
pg_sll_payload(struct pg *g, size_t proto_off)
{
	uint32_t k = rng_below(g->r, 100);

	if (k < 8) {
		pg_set16(g, proto_off, 0x0004);
		pg_llc(g);
	} else if (k < 10) {
		pg_set16(g, proto_off, 0x0001);
		pg_payload(g);
	} else {
		enum pg_l3 l3 = PG_CHOOSE(g, pg_ether_l3);
		uint32_t type = pg_ethertype(g, l3);
		pg_set16(g, proto_off, type);
		pg_network(g, l3, type);
	}
}

/* DLT_LINUX_SLL (arg 1): packet type, ARPHRD type, address length,
 * address (8), protocol.  DLT_LINUX_SLL2 (arg 2): protocol, reserved,
 * ifindex, ARPHRD type, packet type, address length, address (8). */
static void
pg_frame_sll(struct pg *g, int version)
{
	static const uint16_t types[] = {1, 1, 1, 772, 512, 65534, 778, 776, 824};
	uint32_t hatype = types[rng_below(g->r, PG_N(types))];
	uint32_t alen = hatype == 1 || hatype == 772 ? 6 : 0;
	uint32_t ptype = rng_chance(g->r, 19, 20) ? rng_below(g->r, 5) : 7;
	size_t proto_off = g->len + (version == 1 ? 14 : 0);

	if (version == 1) {
		pg_u16(g, ptype);
		pg_u16(g, hatype);
		pg_u16(g, alen);
	} else {
		pg_u32(g, 0); /* protocol (patched), reserved */
		pg_u32(g, rng_chance(g->r, 3, 4) ? 1 + rng_below(g->r, 4) : (uint32_t)rng_next(g->r));
		pg_u16(g, hatype);
		pg_u8(g, ptype);
		pg_u8(g, alen);
	}
	if (alen == 6)
		pg_mac(g, 0);
	pg_zero(g, 8 - alen);
	if (version == 1)
		pg_u16(g, 0); /* protocol, patched */
	pg_sll_payload(g, proto_off);
}

/* DLT_PPP (arg 0): address 0xff, control 0x03, protocol.  DLT_PPP_PPPD
 * (arg 1): the address byte holds the direction (0 in, 1 out). */
static void
pg_frame_ppp(struct pg *g, int pppd)
{
	int odd = rng_chance(g->r, 1, 20);

	if (pppd)
		pg_u8(g, odd ? 0xff : rng_below(g->r, 2));
	else
		pg_u8(g, odd ? rng_next(g->r) : 0xff);
	pg_u8(g, 0x03);
	pg_ppp_payload(g);
}

/* DLT_C_HDLC: address (unicast 0x0f, broadcast 0x8f), control 0, ethertype;
 * Cisco also uses 0xfefe for OSI (here IS-IS). */
static void
pg_frame_chdlc(struct pg *g, int unused)
{
	(void)unused;
	pg_u8(g, rng_chance(g->r, 3, 4) ? 0x0f : 0x8f);
	pg_u8(g, 0);
	if (rng_chance(g->r, 6, 100)) {
		pg_u16(g, 0xfefe);
		pg_osi(g, 0x83);
	} else {
		pg_ether_payload(g);
	}
}

/* Link types framed, keyed by DLT; `linktype` is the pcap file's value. */
static const struct pg_link {
	int dlt;
	uint32_t linktype;
	void (*frame)(struct pg *g, int arg);
	int arg;
} pg_links[] = {
	{0, 0, pg_frame_family, 0},   {1, 1, pg_frame_ether, 0},     {9, 9, pg_frame_ppp, 0},
	{12, 101, pg_frame_ip, 46},   {104, 104, pg_frame_chdlc, 0}, {108, 108, pg_frame_family, 1},
	{113, 113, pg_frame_sll, 1},  {166, 166, pg_frame_ppp, 1},   {228, 228, pg_frame_ip, 4},
	{229, 229, pg_frame_ip, 6},   {276, 276, pg_frame_sll, 2},
};

static const struct pg_link *
pg_link_find(int dlt)
{
	for (size_t i = 0; i < PG_N(pg_links); i++)
		if (pg_links[i].dlt == dlt)
			return &pg_links[i];
	return NULL;
}

int
pktgen_supports(int linktype)
{
	return pg_link_find(linktype) != NULL;
}

void
pktgen_set_init(struct pktgen_set *set, int linktype)
{
	set->pkts = NULL;
	set->n = set->cap = 0;
	set->linktype = linktype;
}

void
pktgen_set_free(struct pktgen_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->pkts[i].data);
	free(set->pkts);
	pktgen_set_init(set, set->linktype);
}

/* Build one packet into g; set its captured and wire lengths. */
static void
pg_one(struct pg *g, const struct pg_link *l, uint32_t *caplen, uint32_t *wirelen)
{
	uint32_t k;

	g->len = 0;
	g->depth = 0;
	l->frame(g, l->arg);
	*wirelen = *caplen = (uint32_t)g->len;
	k = rng_below(g->r, 100);
	if (k < 3) { /* runt: a few bytes on the wire */
		uint32_t n = rng_below(g->r, 14);
		*wirelen = *caplen = n < g->len ? n : (uint32_t)g->len;
	} else if (k < 13 && g->len > 0) { /* cut short by a snapshot length */
		uint32_t max = g->len < 80 || rng_chance(g->r, 1, 3) ? (uint32_t)g->len : 80;
		*caplen = rng_below(g->r, max);
	}
}

int
pktgen_set_add(struct pktgen_set *set, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct pktgen_pkt *p;

	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 256;
		p = realloc(set->pkts, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		set->pkts = p;
		set->cap = cap;
	}
	p = &set->pkts[set->n];
	p->data = malloc(caplen ? caplen : 1);
	if (p->data == NULL)
		return -1;
	memcpy(p->data, data, caplen);
	p->caplen = caplen;
	p->wirelen = wirelen;
	set->n++;
	return 0;
}

int
pktgen_generate(struct pktgen_set *set, int linktype, uint64_t seed, size_t count)
{
	const struct pg_link *l = pg_link_find(linktype);
	struct rng master, r;
	struct pg *g;
	int rc = 0;

	if (l == NULL) {
		errno = EINVAL;
		return -1;
	}
	g = malloc(sizeof(*g));
	if (g == NULL)
		return -1;
	/* The same seed gives unrelated streams for different link types. */
	rng_seed(&master, seed ^ ((uint64_t)(unsigned)linktype * 0xd1b54a32d192ed03ull));
	g->r = &r;
	for (size_t i = 0; i < count && rc == 0; i++) {
		uint32_t caplen, wirelen;
		rng_seed(&r, rng_next(&master));
		pg_one(g, l, &caplen, &wirelen);
		rc = pktgen_set_add(set, g->b, caplen, wirelen);
	}
	free(g);
	return rc;
}

/* ---- classic pcap files ---- */

int
pktgen_write_pcap(const char *path, const struct pktgen_set *set, uint32_t snaplen)
{
	const struct pg_link *l = pg_link_find(set->linktype);
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = {0xa1b2c3d4u, 2, 4, 0, 0, snaplen, 0};
	FILE *f;
	int ok;

	hdr.linktype = l != NULL ? l->linktype : (uint32_t)set->linktype;
	f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	errno = 0;
	ok = fwrite(&hdr, sizeof(hdr), 1, f) == 1;
	for (size_t i = 0; ok && i < set->n; i++) {
		const struct pktgen_pkt *p = &set->pkts[i];
		uint32_t cap = p->caplen < snaplen ? p->caplen : snaplen;
		uint32_t rec[4] = {1700000000u + (uint32_t)(i / 1000),
				   (uint32_t)(i % 1000) * 1000u, cap, p->wirelen};
		ok = fwrite(rec, sizeof(rec), 1, f) == 1 &&
		     (cap == 0 || fwrite(p->data, cap, 1, f) == 1);
	}
	if (fclose(f) != 0 || !ok) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}
