/*
 * pktgen_ip.c: IPv4, IPv6 and what rides on them, for the packet generator.
 *
 * Takes a struct pg positioned where a network layer starts; gives an IPv4
 * packet (options, fragments, bad header lengths and versions) or an IPv6
 * packet (hop-by-hop, routing, fragment and destination-options headers)
 * with its transport layer: TCP, UDP (Geneve, VXLAN), ICMP, ICMPv6, IGMP,
 * SCTP, GRE, AH, PIM, VRRP, or a tunnelled packet.  Addresses come mostly
 * from small pools so host and net filters sometimes match.  Invariants are
 * pktgen.c's: writes are clamped to the buffer, length fields are patched
 * after their layer is complete (a few on purpose wrong), tunnels nest at
 * most PG_DEPTH deep, and the bytes are a function of g->r's stream only.
 */
#include <config.h>

#include <stdint.h>

#include "tests/gen/pktgen_int.h"
#include "tests/gen/rng.h"

/* ---- IP addresses: small pools, so host/net filters sometimes match ---- */

static const uint8_t pg_ip4_pool[][4] = {
	{10, 0, 0, 1}, {10, 0, 0, 2}, {10, 0, 0, 5}, {10, 0, 0, 100}, {10, 0, 0, 255},
	{10, 0, 1, 1}, {10, 1, 2, 3}, {192, 168, 1, 1}, {192, 168, 1, 10}, {192, 168, 1, 77},
	{192, 168, 1, 255}, {192, 168, 2, 1}, {172, 16, 0, 1}, {172, 31, 255, 254},
	{224, 0, 0, 1}, {224, 0, 0, 2}, {224, 0, 0, 5}, {224, 0, 0, 22}, {224, 0, 0, 251},
	{239, 255, 255, 250}, {255, 255, 255, 255}, {127, 0, 0, 1}, {0, 0, 0, 0},
	{8, 8, 8, 8}, {1, 2, 3, 4},
};

void
pg_ip4addr(struct pg *g)
{
	if (rng_chance(g->r, 3, 4))
		pg_put(g, pg_ip4_pool[rng_below(g->r, PG_N(pg_ip4_pool))], 4);
	else
		pg_rand(g, 4);
}

/* fe80::/64, ff02::x, 2001:db8::/64, 2001:db8:1::/64, ::1, ::, random. */
static void
pg_ip6addr(struct pg *g)
{
	static const uint8_t iids[] = {1, 2, 5, 0x10, 0xfb};
	uint8_t a[16] = {0};
	uint32_t k = rng_below(g->r, 10);

	switch (k) {
	case 0: case 1:
		a[0] = 0xfe, a[1] = 0x80;
		break;
	case 2: case 3:
		a[0] = 0xff, a[1] = 0x02;
		if (rng_chance(g->r, 1, 3)) /* solicited-node ff02::1:ffXX:XXXX */
			a[11] = 1, a[12] = 0xff;
		break;
	case 4: case 5:
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
		break;
	case 6:
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8, a[5] = 1;
		break;
	case 7:
		break; /* ::1 or :: below */
	default:
		pg_rand(g, 16);
		return;
	}
	if (k == 7)
		a[15] = (uint8_t)rng_below(g->r, 2);
	else if (rng_chance(g->r, 2, 3))
		a[15] = iids[rng_below(g->r, sizeof(iids))];
	else
		for (int i = 13; i < 16; i++)
			a[i] = (uint8_t)rng_next(g->r);
	pg_put(g, a, 16);
}

/* ---- transport layers ---- */

static uint32_t
pg_port(struct pg *g)
{
	static const uint16_t pool[] = {20, 21, 22, 23, 25, 53, 67, 68, 80, 110, 123, 143,
					161, 179, 443, 514, 993, 1024, 3306, 4789, 5353,
					6081, 8080, 0, 65535};
	uint32_t k = rng_below(g->r, 10);

	if (k < 6)
		return pool[rng_below(g->r, PG_N(pool))];
	if (k < 8)
		return 32768 + rng_below(g->r, 28232);
	return rng_below(g->r, 65536);
}

static void
pg_tcp(struct pg *g)
{
	static const struct pg_choice flags[] = {
		{0x02, 20}, {0x12, 15}, {0x10, 25}, {0x18, 15}, {0x11, 8}, {0x04, 5},
		{0x14, 4},  {0x01, 2},  {0x29, 2},  {0x00, 2},  {0xff, 1}, {0xc2, 1},
		{0x100, 4}, /* random */
	};
	uint32_t sport = pg_port(g), dport = pg_port(g);
	uint32_t doff = rng_chance(g->r, 7, 10) ? 5 : 6 + rng_below(g->r, 10);
	uint32_t f = PG_CHOOSE(g, flags);

	pg_u16(g, sport);
	pg_u16(g, dport);
	pg_rand(g, 8); /* sequence and acknowledgment numbers */
	pg_u8(g, doff << 4);
	pg_u8(g, f == 0x100 ? rng_next(g->r) : f);
	pg_u16(g, rng_below(g->r, 65536)); /* window */
	pg_u16(g, rng_below(g->r, 65536)); /* checksum */
	pg_u16(g, rng_chance(g->r, 1, 10) ? rng_below(g->r, 65536) : 0);
	for (uint32_t i = 20; i < doff * 4; i += 4)
		pg_u32(g, rng_chance(g->r, 1, 2) ? 0x01010101u : 0x020405b4u); /* NOPs, MSS */
	if ((dport == 80 || sport == 80) && rng_chance(g->r, 1, 2))
		pg_put(g, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
	pg_payload(g);
}

/* A tunnelled Ethernet frame or IP packet, when not nested too deep. */
static void
pg_inner(struct pg *g, uint32_t ethertype)
{
	if (g->depth >= PG_DEPTH) {
		pg_payload(g);
		return;
	}
	g->depth++;
	if (ethertype == 0x0800)
		pg_ipv4(g);
	else if (ethertype == 0x86dd)
		pg_ipv6(g);
	else if (ethertype == 0x6558)
		pg_frame_ether(g, 0);
	else
		pg_payload(g);
	g->depth--;
}

/* Geneve (UDP 6081): version, option length, flags, protocol, VNI. */
static void
pg_geneve(struct pg *g)
{
	static const uint32_t protos[] = {0x6558, 0x0800, 0x86dd, 0x8847};
	uint32_t optlen = rng_chance(g->r, 3, 4) ? 0 : 1 + rng_below(g->r, 4);
	uint32_t proto = protos[rng_below(g->r, PG_N(protos))];

	pg_u8(g, (rng_chance(g->r, 19, 20) ? 0 : rng_below(g->r, 4)) << 6 | optlen);
	pg_u8(g, rng_below(g->r, 4) << 6);
	pg_u16(g, proto);
	pg_u32(g, (rng_chance(g->r, 1, 2) ? 10 : rng_below(g->r, 1u << 24)) << 8);
	pg_rand(g, optlen * 4);
	pg_inner(g, proto);
}

/* VXLAN (UDP 4789): flags with the VNI bit, VNI, then an Ethernet frame. */
static void
pg_vxlan(struct pg *g)
{
	pg_u32(g, rng_chance(g->r, 9, 10) ? 0x08000000u : (uint32_t)rng_next(g->r));
	pg_u32(g, (rng_chance(g->r, 1, 2) ? 10 : rng_below(g->r, 1u << 24)) << 8);
	pg_inner(g, 0x6558);
}

static void
pg_udp(struct pg *g)
{
	size_t start = g->len;
	uint32_t sport = pg_port(g), dport = rng_chance(g->r, 1, 5) ? 53 : pg_port(g);

	pg_u16(g, sport);
	pg_u16(g, dport);
	pg_u16(g, 0); /* length, patched */
	pg_u16(g, rng_below(g->r, 65536));
	if (dport == 6081 || (sport == 6081 && rng_chance(g->r, 1, 2)))
		pg_geneve(g);
	else if (dport == 4789)
		pg_vxlan(g);
	else
		pg_payload(g);
	pg_set16(g, start + 4, rng_chance(g->r, 19, 20) ? g->len - start : rng_next(g->r));
}

static void
pg_icmp(struct pg *g)
{
	static const struct pg_choice types[] = {
		{0, 20}, {8, 20}, {3, 10}, {11, 6}, {5, 3}, {13, 3}, {14, 2}, {17, 2},
		{18, 2}, {9, 2}, {10, 2}, {0x100, 4},
	};
	uint32_t t = PG_CHOOSE(g, types);

	pg_u8(g, t == 0x100 ? rng_next(g->r) : t);
	pg_u8(g, rng_chance(g->r, 3, 4) ? 0 : rng_below(g->r, 16));
	pg_u16(g, rng_below(g->r, 65536));
	pg_rand(g, 4);
	if ((t == 3 || t == 11) && g->depth < PG_DEPTH) {
		g->depth++;
		pg_ipv4(g); /* the offending datagram */
		g->depth--;
	} else {
		pg_payload(g);
	}
}

static void
pg_icmp6(struct pg *g)
{
	static const struct pg_choice types[] = {
		{128, 20}, {129, 18}, {133, 6}, {134, 6}, {135, 12}, {136, 10}, {137, 2},
		{1, 6},    {2, 3},    {3, 3},   {4, 2},   {130, 3}, {131, 3},  {132, 2},
		{143, 3},  {0x100, 4},
	};
	uint32_t t = PG_CHOOSE(g, types);

	pg_u8(g, t == 0x100 ? rng_next(g->r) : t);
	pg_u8(g, rng_chance(g->r, 4, 5) ? 0 : rng_below(g->r, 8));
	pg_u16(g, rng_below(g->r, 65536));
	pg_rand(g, 4);
	if (t >= 135 && t <= 137)
		pg_ip6addr(g); /* target address */
	if (t >= 133 && t <= 137 && rng_chance(g->r, 1, 2)) {
		pg_u8(g, 1 + rng_below(g->r, 2)); /* link-layer address option */
		pg_u8(g, 1);
		pg_mac(g, 0);
	}
	pg_payload(g);
}

static void
pg_igmp(struct pg *g)
{
	static const struct pg_choice types[] = {
		{0x11, 30}, {0x16, 25}, {0x17, 15}, {0x22, 15}, {0x12, 5}, {0x100, 5},
	};
	uint32_t t = PG_CHOOSE(g, types);

	pg_u8(g, t == 0x100 ? rng_next(g->r) : t);
	pg_u8(g, rng_below(g->r, 256));
	pg_u16(g, rng_below(g->r, 65536));
	pg_ip4addr(g);
	if (t == 0x22 || rng_chance(g->r, 1, 5))
		pg_rand(g, 4 + 8 * rng_below(g->r, 3));
}

static void
pg_sctp(struct pg *g)
{
	size_t chunk;

	pg_u16(g, pg_port(g));
	pg_u16(g, pg_port(g));
	pg_rand(g, 8); /* verification tag, checksum */
	chunk = g->len;
	pg_u8(g, rng_below(g->r, 16)); /* chunk type */
	pg_u8(g, rng_below(g->r, 8));
	pg_u16(g, 0);
	pg_rand(g, 4 * rng_below(g->r, 8));
	pg_set16(g, chunk + 2, g->len - chunk);
}

/* GRE: optional checksum/key/sequence, then a tunnelled packet. */
static void
pg_gre(struct pg *g)
{
	static const struct pg_choice protos[] = {
		{0x0800, 40}, {0x86dd, 20}, {0x6558, 10}, {0x880b, 10}, {0x100000, 10},
	};
	uint32_t fl = rng_below(g->r, 8) << 13; /* C, R?, K, S bits */
	uint32_t proto = PG_CHOOSE(g, protos);

	pg_u16(g, (fl & 0xb000) | (proto == 0x880b ? 1 : 0));
	pg_u16(g, proto == 0x100000 ? rng_below(g->r, 65536) : proto);
	pg_rand(g, ((fl & 0x8000) ? 4 : 0) + ((fl & 0x2000) ? 4 : 0) + ((fl & 0x1000) ? 4 : 0));
	if (proto == 0x100000 || rng_chance(g->r, 1, 4))
		pg_payload(g);
	else
		pg_inner(g, proto);
}

static void pg_transport(struct pg *g, uint32_t proto, int v6);

/* AH: next header, length in 32-bit words minus 2, SPI, sequence, ICV. */
static void
pg_ah(struct pg *g, int v6)
{
	static const struct pg_choice next[] = {{6, 40}, {17, 40}, {1, 10}, {50, 5}, {59, 5}};
	uint32_t nh = PG_CHOOSE(g, next);
	uint32_t icv = 4 * (1 + rng_below(g->r, 4));

	pg_u8(g, nh);
	pg_u8(g, (12 + icv) / 4 - 2);
	pg_u16(g, 0);
	pg_rand(g, 8 + icv);
	pg_transport(g, nh == 1 && v6 ? 58 : nh, v6);
}

static void
pg_small(struct pg *g, uint32_t first, size_t n)
{
	pg_u8(g, first);
	pg_rand(g, n);
	pg_payload(g);
}

/* The transport (or tunnelled) layer for IP protocol number `proto`. */
static void
pg_transport(struct pg *g, uint32_t proto, int v6)
{
	switch (proto) {
	case 6: pg_tcp(g); break;
	case 17: pg_udp(g); break;
	case 1: pg_icmp(g); break;
	case 58: pg_icmp6(g); break;
	case 2: pg_igmp(g); break;
	case 132: pg_sctp(g); break;
	case 47: pg_gre(g); break;
	case 51: pg_ah(g, v6); break;
	case 103: pg_small(g, 0x20 | rng_below(g->r, 10), 3); break; /* PIM v2 */
	case 112: pg_small(g, 0x21, 7); break;                        /* VRRP v2 */
	case 59: break;                                               /* no next header */
	case 4: pg_inner(g, 0x0800); break;
	case 41: pg_inner(g, 0x86dd); break;
	default: pg_payload(g); break; /* ESP, OSPF, unknown */
	}
}

/* ---- IPv4 ---- */

static const struct pg_choice pg_ip4_protos[] = {
	{6, 30}, {17, 25}, {1, 10}, {2, 4}, {132, 4}, {47, 3}, {50, 2}, {51, 3},
	{103, 2}, {112, 2}, {4, 2}, {41, 2}, {89, 1}, {0, 1}, {253, 1}, {255, 1}, {0x100, 2},
};

/* IPv4 options filling `n` bytes: NOP, router alert, record route, EOL. */
static void
pg_ip4_options(struct pg *g, size_t n)
{
	while (n > 0) {
		uint32_t k = rng_below(g->r, 4);

		if (k == 0 && n >= 4) {
			pg_u32(g, 0x94040000u); /* router alert */
			n -= 4;
		} else if (k == 1 && n >= 7) {
			size_t len = 3 + 4 * ((n - 3) / 4 < 2 ? (n - 3) / 4 : 1 + rng_below(g->r, 2));
			pg_u8(g, 7); /* record route */
			pg_u8(g, len);
			pg_u8(g, 4);
			pg_rand(g, len - 3);
			n -= len;
		} else if (k == 2) {
			pg_zero(g, n); /* end of list, then padding */
			n = 0;
		} else {
			pg_u8(g, 1); /* no-op */
			n--;
		}
	}
}

/* Fragment field: mostly unfragmented (DF or not), else first/middle/last. */
static uint32_t
pg_ip4_frag(struct pg *g)
{
	uint32_t off = 1 + rng_below(g->r, 400);

	switch (rng_below(g->r, 20)) {
	case 0: return 0x2000;            /* first: MF, offset 0 */
	case 1: return 0x2000 | off;      /* middle */
	case 2: return off;               /* last */
	case 3: return rng_below(g->r, 65536);
	default: return rng_chance(g->r, 1, 3) ? 0x4000 : 0;
	}
}

void
pg_ipv4(struct pg *g)
{
	size_t start = g->len;
	uint32_t ihl = rng_chance(g->r, 4, 5) ? 5 : 6 + rng_below(g->r, 10);
	uint32_t proto = PG_CHOOSE(g, pg_ip4_protos);
	uint32_t frag = pg_ip4_frag(g);
	uint32_t ver = rng_chance(g->r, 1, 100) ? rng_below(g->r, 16) : 4;

	if (proto == 0x100)
		proto = rng_below(g->r, 256);
	if (rng_chance(g->r, 1, 50))
		ihl = rng_below(g->r, 5); /* bad header length */
	pg_u8(g, ver << 4 | ihl);
	pg_u8(g, rng_chance(g->r, 3, 4) ? 0 : rng_below(g->r, 256));
	pg_u16(g, 0); /* total length, patched */
	pg_u16(g, rng_below(g->r, 65536));
	pg_u16(g, frag);
	pg_u8(g, rng_chance(g->r, 1, 10) ? 1 : 64);
	pg_u8(g, proto);
	pg_u16(g, rng_below(g->r, 65536));
	pg_ip4addr(g);
	pg_ip4addr(g);
	if (ihl > 5)
		pg_ip4_options(g, (ihl - 5) * 4);
	if ((frag & 0x1fff) != 0)
		pg_payload(g); /* a later fragment: no transport header */
	else
		pg_transport(g, proto, 0);
	pg_set16(g, start + 2, rng_chance(g->r, 39, 40) ? g->len - start : rng_next(g->r));
}

/* ---- IPv6 ---- */

static const struct pg_choice pg_ip6_protos[] = {
	{6, 30}, {17, 25}, {58, 20}, {132, 4}, {103, 2}, {50, 2}, {51, 2}, {47, 2},
	{59, 2}, {4, 1}, {41, 1}, {112, 1}, {0x100, 2},
};

/* One extension header (hop-by-hop, routing, fragment, destination
 * options); returns non-zero when it makes the rest a later fragment. */
static int
pg_ip6_ext(struct pg *g, uint32_t type, uint32_t next)
{
	uint32_t units;

	pg_u8(g, next);
	if (type == 44) { /* fragment: fixed 8 bytes */
		uint32_t off = rng_chance(g->r, 1, 2) ? 0 : 1 + rng_below(g->r, 400);
		pg_u8(g, 0);
		pg_u16(g, off << 3 | rng_below(g->r, 2));
		pg_rand(g, 4);
		return off != 0;
	}
	units = rng_below(g->r, 3);
	pg_u8(g, units);
	if (type == 43) { /* routing: type, segments left */
		pg_u8(g, rng_chance(g->r, 1, 2) ? 0 : 4);
		pg_u8(g, rng_below(g->r, 3));
		pg_zero(g, 4);
	} else {
		pg_u16(g, 0x0104); /* PadN of 4 */
		pg_zero(g, 4);
	}
	pg_zero(g, units * 8);
	return 0;
}

void
pg_ipv6(struct pg *g)
{
	static const uint32_t exts[] = {0, 43, 44, 60};
	uint32_t chain[4], nchain = 0, proto = PG_CHOOSE(g, pg_ip6_protos);
	size_t start = g->len;
	int later = 0;

	if (proto == 0x100)
		proto = rng_below(g->r, 256);
	if (rng_chance(g->r, 3, 10)) {
		nchain = 1 + rng_below(g->r, 4);
		for (uint32_t i = 0; i < nchain; i++)
			chain[i] = exts[i == 0 ? rng_below(g->r, 4) : 1 + rng_below(g->r, 3)];
	}
	pg_u32(g, (rng_chance(g->r, 1, 100) ? rng_below(g->r, 16) : 6u) << 28 |
			  (rng_chance(g->r, 3, 4) ? 0 : rng_below(g->r, 1u << 28)));
	pg_u16(g, 0); /* payload length, patched */
	pg_u8(g, nchain > 0 ? chain[0] : proto);
	pg_u8(g, rng_chance(g->r, 1, 5) ? 255 : 64);
	pg_ip6addr(g);
	pg_ip6addr(g);
	for (uint32_t i = 0; i < nchain; i++)
		later |= pg_ip6_ext(g, chain[i], i + 1 < nchain ? chain[i + 1] : proto);
	if (later)
		pg_payload(g);
	else
		pg_transport(g, proto, 1);
	pg_set16(g, start + 4, rng_chance(g->r, 39, 40) ? g->len - start - 40 : rng_next(g->r));
}
