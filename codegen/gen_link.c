/*
 * gen_link.c: primitives of the link layer.
 *
 * Takes: ethertypes, MAC addresses and the link-layer primitives of
 * pcap-filter(7).  Gives: IR testing them on the link type of the
 * compilation, whose facts come from the table in linktype.c only.
 * Semantics are libpcap 1.10's (gen_linktype and the functions it calls
 * per link type, gen_ehostop, gen_broadcast, gen_multicast, gen_less,
 * gen_greater).
 */
#include <config.h>

#include <string.h>

#include "codegen/gen_int.h"

#define GEN_ETHERMTU 1500u

static void *gen_shift_unsupported(struct gen *g, const struct ast_node *n, const char *after);

/* LLC SAPs libpcap tests as DSAP and SSAP together on 802.3 frames. */
static int
gen_llc_pair(uint32_t v)
{
	return v == 0xfe /* ISO */ || v == 0x06 /* IP */ || v == 0xf0 /* NetBEUI */;
}

/* An LLC SNAP header with `oui` and `type` at the network layer (the
 * second word first, as libpcap tests it). */
static struct ir_block *
gen_snap(struct gen *g, uint32_t oui, uint32_t type, struct ir_block *t, struct ir_block *f)
{
	struct ir_block *b = gen_cmp(g, GEN_NET, 0, CBPF_W, ~0u, CBPF_JEQ,
				     0xaaaa0300u | oui >> 16, t, f);

	return gen_cmp(g, GEN_NET, 4, CBPF_W, ~0u, CBPF_JEQ, (oui & 0xffff) << 16 | type, b, f);
}

/* The frame carries LLC: an 802.3 length (Ethernet) or protocol 4
 * (LINUX_SLL). */
static struct ir_block *
gen_is_llc(struct gen *g, struct ir_block *t, struct ir_block *f)
{
	if (g->kind == LT_SLL)
		return gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JEQ, 4, t, f);
	return gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JGT, GEN_ETHERMTU, f, t);
}

/* IPX (LLC SAP 0xe0): its ethertype, SNAP, 802.2 or Novell's raw 802.3
 * (libpcap: gen_ether_linktype / gen_linux_sll_linktype, LLCSAP_IPX). */
static struct ir_block *
gen_ipx(struct gen *g, struct ir_block *t, struct ir_block *f)
{
	struct ir_block *b;

	if (g->kind == LT_SLL) {
		b = gen_snap(g, 0, 0x8137, t, f);
		b = gen_cmp(g, GEN_NET, 0, CBPF_B, ~0u, CBPF_JEQ, 0xe0, t, b);
		b = gen_is_llc(g, b, f);
		b = gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JEQ, 1, t, b);
	} else {
		b = gen_cmp(g, GEN_NET, 0, CBPF_H, ~0u, CBPF_JEQ, 0xffff, t, f);
		b = gen_cmp(g, GEN_NET, 0, CBPF_B, ~0u, CBPF_JEQ, 0xe0, t, b);
		b = gen_snap(g, 0, 0x8137, t, b);
		b = gen_is_llc(g, b, f);
	}
	return gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JEQ, 0x8137, t, b);
}

/* Ethernet and Linux cooked headers: an ethertype, or LLC after an 802.3
 * length (Ethernet) or protocol 4 (LINUX_SLL). */
static struct ir_block *
gen_llproto_ether(struct gen *g, uint32_t v, struct ir_block *t, struct ir_block *f)
{
	struct ir_block *llc;

	if (v == 0xe0)
		return gen_ipx(g, t, f);
	if (v == 0x809b || v == 0x80f3) { /* AppleTalk, AARP: also over SNAP */
		llc = gen_is_llc(g, gen_snap(g, v == 0x809b ? 0x080007 : 0, v, t, f), f);
		return gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JEQ, v, t, llc);
	}
	if (v > GEN_ETHERMTU)
		return gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JEQ, v, t, f);
	if (gen_llc_pair(v))
		llc = gen_cmp(g, GEN_NET, 0, CBPF_H, ~0u, CBPF_JEQ, v << 8 | v, t, f);
	else
		llc = gen_cmp(g, GEN_NET, 0, CBPF_B, ~0u, CBPF_JEQ, v, t, f);
	if (g->kind == LT_SLL)
		return gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JEQ, 4, llc, f);
	/* an 802.3 length, not an ethertype */
	return gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JGT, GEN_ETHERMTU, f, llc);
}

/* PPP protocol numbers for the ethertypes libpcap maps. */
static uint32_t
gen_ppp_proto(uint32_t v)
{
	static const struct {
		uint32_t ether, ppp;
	} map[] = {
		{0x0800, 0x0021}, {0x86dd, 0x0057}, {0x6003, 0x0027},
		{0x809b, 0x0029}, {0xfe, 0x0023},   {0x0600, 0x0025}, {0x42, 0x0031},
		{0xe0, 0x002b},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].ether == v)
			return map[i].ppp;
	return v;
}

/* Address families for loopback headers: only IPv4 and IPv6 exist there;
 * AF_INET6 is the compiling host's (10 on Linux), as libpcap has it. */
static int
gen_af(uint32_t v, uint32_t *af)
{
	if (v == PROTO_ETHERTYPE_IP)
		*af = 2;
	else if (v == PROTO_ETHERTYPE_IPV6)
		*af = 10;
	else
		return -1;
	return 0;
}

static uint32_t
gen_host_order(uint32_t v)
{
	const uint16_t probe = 1;

	if (*(const uint8_t *)&probe == 0)
		return v; /* big-endian: host order is network order */
	return (v & 0xff) << 24 | (v & 0xff00) << 8 | (v >> 8 & 0xff00) | v >> 24;
}

/* The loopback header's family is `af`: DLT_LOOP's is in network order,
 * DLT_NULL's in the capturing host's, which for a savefile written in the
 * other byte order is the swap of ours. */
static struct ir_block *
gen_af_cmp(struct gen *g, uint32_t af, struct ir_block *t, struct ir_block *f)
{
	if (g->kind == LT_AF_HOST) {
		af = gen_host_order(af);
		if (g->o->savefile && g->o->swapped)
			af = (af & 0xff) << 24 | (af & 0xff00) << 8 | (af >> 8 & 0xff00) | af >> 24;
	}
	return gen_cmp(g, GEN_ABS, g->off_proto, CBPF_W, ~0u, CBPF_JEQ, af, t, f);
}

/* After MPLS labels: the previous label is the bottom of the stack and the
 * payload's IP version is 4 or 6 (libpcap: gen_mpls_linktype). */
static struct ir_block *
gen_llproto_mpls(struct gen *g, uint32_t v, struct ast_span at, struct ir_block *t,
		 struct ir_block *f)
{
	uint32_t ver;
	struct ir_block *b;

	if (v == PROTO_ETHERTYPE_IP)
		ver = 0x40;
	else if (v == PROTO_ETHERTYPE_IPV6)
		ver = 0x60;
	else
		return gen_fail(g, BPFC_ESEMANTIC, at, "unsupported protocol over mpls");
	b = gen_cmp(g, GEN_NET, 0, CBPF_B, 0xf0, CBPF_JEQ, ver, t, f);
	return gen_cmp(g, GEN_NET, (uint32_t)-2, CBPF_B, 0x01, CBPF_JEQ, 0x01, b, f);
}

int
gen_llproto_possible(const struct gen *g, uint32_t v)
{
	uint32_t af;

	if (g->mpls > 0)
		return v == PROTO_ETHERTYPE_IP || v == PROTO_ETHERTYPE_IPV6;
	switch (g->kind) {
	case LT_AF_HOST:
	case LT_AF_NET:
		return gen_af(v, &af) == 0;
	case LT_IPVER:
		return v == PROTO_ETHERTYPE_IP || v == PROTO_ETHERTYPE_IPV6;
	case LT_FIXED:
		return v == g->lt->fixed;
	default:
		return 1;
	}
}

/* libpcap: gen_linktype */
struct ir_block *
gen_llproto(struct gen *g, uint32_t v, struct ast_span at, struct ir_block *t,
	    struct ir_block *f)
{
	const struct linktype *lt = g->lt;
	uint32_t af;

	if (g->mpls > 0) /* IP after a bottom-of-stack label, told by its version */
		return gen_llproto_mpls(g, v, at, t, f);
	switch (g->kind) {
	case LT_ETHER:
	case LT_SLL:
		return gen_llproto_ether(g, v, t, f);
	case LT_CHDLC:
		if (v == 0xfe)
			v = 0xfefe;
		/* fall through */
	case LT_PLAIN:
		return gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JEQ, v, t, f);
	case LT_PPP:
		return gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JEQ,
			       gen_ppp_proto(v), t, f);
	case LT_AF_HOST:
	case LT_AF_NET:
		if (gen_af(v, &af) < 0)
			return f;
		if (g->o->savefile && v == PROTO_ETHERTYPE_IPV6) {
			/* A file may come from any BSD: OpenBSD/NetBSD 24,
			 * FreeBSD 28, Darwin 30 (libpcap's savefile rule). */
			struct ir_block *b = gen_af_cmp(g, 28, t, f);
			b = gen_af_cmp(g, 24, t, b);
			return gen_af_cmp(g, 30, t, b);
		}
		return gen_af_cmp(g, af, t, f);
	case LT_IPVER:
		if (v == PROTO_ETHERTYPE_IP)
			return gen_cmp(g, GEN_NET, 0, CBPF_B, 0xf0, CBPF_JEQ, 0x40, t, f);
		if (v == PROTO_ETHERTYPE_IPV6)
			return gen_cmp(g, GEN_NET, 0, CBPF_B, 0xf0, CBPF_JEQ, 0x60, t, f);
		return f;
	case LT_FIXED:
		return v == lt->fixed ? t : f;
	}
	return gen_fail(g, BPFC_EINTERNAL, at, "link type %s has no protocol test", lt->name);
}

static void *
gen_no_mac(struct gen *g, struct ast_span at)
{
	return gen_fail(g, BPFC_ESEMANTIC, at,
			"ethernet addresses are not supported on link type %s", g->cur->name);
}

/* The 6 bytes at `off` of the link header are `mac` (libpcap compares the
 * last 4 bytes first, then the first 2). */
static struct ir_block *
gen_mac_at(struct gen *g, uint32_t off, const uint8_t *mac, struct ir_block *t,
	   struct ir_block *f)
{
	uint32_t w = (uint32_t)mac[2] << 24 | (uint32_t)mac[3] << 16 | (uint32_t)mac[4] << 8 | mac[5];
	uint32_t h = (uint32_t)mac[0] << 8 | mac[1];
	struct ir_block *hb = gen_cmp(g, GEN_LINK, off, CBPF_H, ~0u, CBPF_JEQ, h, t, f);

	return gen_cmp(g, GEN_LINK, off + 2, CBPF_W, ~0u, CBPF_JEQ, w, hb, f);
}

/* pcap-filter(7): ether [src|dst] host EHOST */
struct ir_block *
gen_ether_addr(struct gen *g, const uint8_t mac[6], enum ast_dir dir, struct ast_span at,
	       struct ir_block *t, struct ir_block *f)
{
	struct ir_block *d;

	if (!(g->cur->flags & LT_F_MAC))
		return gen_no_mac(g, at);
	switch (dir) {
	case AST_DIR_SRC:
		return gen_mac_at(g, 6, mac, t, f);
	case AST_DIR_DST:
		return gen_mac_at(g, 0, mac, t, f);
	case AST_DIR_DEFAULT:
	case AST_DIR_OR:
		d = gen_mac_at(g, 0, mac, t, f);
		return gen_mac_at(g, 6, mac, t, d);
	case AST_DIR_AND:
		d = gen_mac_at(g, 0, mac, t, f);
		return gen_mac_at(g, 6, mac, d, f);
	default:
		return gen_fail(g, BPFC_ESEMANTIC, at,
				"'%s' is only supported on 802.11 with 802.11 headers",
				ast_dir_name(dir));
	}
}

/* pcap-filter(7): [ether|ip] broadcast */
struct ir_block *
gen_broadcast(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	static const uint8_t all[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	enum ast_proto p = n->u.other.proto;
	uint32_t hostmask;
	struct ir_block *b;

	if (p == AST_PROTO_DEFAULT || p == AST_PROTO_LINK) {
		if (!(g->cur->flags & LT_F_MAC))
			return gen_fail(g, BPFC_ESEMANTIC, n->at,
					"link type %s is not a broadcast link", g->cur->name);
		return gen_mac_at(g, 0, all, t, f);
	}
	if (p != AST_PROTO_IP)
		return gen_fail(g, BPFC_ESEMANTIC, n->at,
				"only link-layer/IP broadcast filters supported");
	if (g->o->netmask == BPFC_NETMASK_UNKNOWN)
		return gen_fail(g, BPFC_ESEMANTIC, n->at,
				"netmask not known, so 'ip broadcast' not supported");
	hostmask = ~g->o->netmask;
	/* the host part of the destination is all ones or all zeros */
	b = gen_cmp(g, GEN_NET, 16, CBPF_W, hostmask, CBPF_JEQ, hostmask, t, f);
	b = gen_cmp(g, GEN_NET, 16, CBPF_W, hostmask, CBPF_JEQ, 0, t, b);
	return gen_llproto(g, PROTO_ETHERTYPE_IP, n->at, b, f);
}

/* pcap-filter(7): [ether|ip|ip6] multicast */
struct ir_block *
gen_multicast(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	enum ast_proto p = n->u.other.proto;
	struct ir_block *b;

	switch (p) {
	case AST_PROTO_DEFAULT:
	case AST_PROTO_LINK:
		if (!(g->cur->flags & LT_F_MAC))
			return gen_fail(g, BPFC_ESEMANTIC, n->at,
					"link-layer multicast is not supported on link type %s",
					g->cur->name);
		return gen_cmp(g, GEN_LINK, 0, CBPF_B, ~0u, CBPF_JSET, 1, t, f);
	case AST_PROTO_IP:
		b = gen_cmp(g, GEN_NET, 16, CBPF_B, ~0u, CBPF_JGE, 224, t, f);
		return gen_llproto(g, PROTO_ETHERTYPE_IP, n->at, b, f);
	case AST_PROTO_IP6:
		b = gen_cmp(g, GEN_NET, 24, CBPF_B, ~0u, CBPF_JEQ, 255, t, f);
		return gen_llproto(g, PROTO_ETHERTYPE_IPV6, n->at, b, f);
	default:
		return gen_fail(g, BPFC_ESEMANTIC, n->at, "only IP multicast filters supported");
	}
}

/* pcap-filter(7): less LENGTH, greater LENGTH */
struct ir_block *
gen_length(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	struct ir_block *b = gen_block(g);
	const struct ast_value *v = n->u.other.arg;

	if (v == NULL || v->kind != AST_V_NUM)
		return gen_fail(g, BPFC_ESYNTAX, n->at, "'%s' needs a number",
				ast_kind_name(n->kind));
	ir_emit(b, CBPF_LD | CBPF_W | CBPF_LEN, 0);
	if (n->kind == AST_LESS) /* len <= N */
		ir_branch(b, CBPF_JMP | CBPF_JGT | CBPF_K, v->num, f, t);
	else /* len >= N */
		ir_branch(b, CBPF_JMP | CBPF_JGE | CBPF_K, v->num, t, f);
	return b;
}

/* The offsets after a shifter (libpcap 1.10 without BPF extensions, as for
 * a dead or offline handle):
 *   vlan    a 4-byte 802.1Q tag before the ethertype: both move by 4;
 *   mpls    a 4-byte label before the payload: the network layer moves;
 *   pppoes  a 6-byte PPPoE header, then a PPP protocol field. */
void
gen_shift(struct gen *g, const struct ast_node *shifter)
{
	switch (shifter->kind) {
	case AST_VLAN:
		g->off_proto += 4;
		g->off_net += 4;
		break;
	case AST_MPLS:
		g->off_net += 4;
		g->mpls++;
		break;
	case AST_PPPOES: /* from here on the link is PPP (libpcap pushes DLT_PPP) */
		g->off_link = g->off_net + 6;
		g->off_proto = g->off_link;
		g->off_net = g->off_link + 2;
		g->cur = linktype_find(9);
		g->kind = g->cur->kind;
		break;
	default:
		break;
	}
}

/* Combinations whose libpcap offsets bpfc does not model yet. */
static void *
gen_shift_unsupported(struct gen *g, const struct ast_node *n, const char *after)
{
	return gen_fail(g, BPFC_EUNSUPPORTED, n->at, "'%s' after '%s' is not supported yet",
			ast_kind_name(n->kind), after);
}

/* pcap-filter(7): mpls [LABEL].  The first label by the link's MPLS
 * protocol value, each further one by the previous label not being the
 * bottom of the stack; then the 20-bit label. */
struct ir_block *
gen_mpls(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct ast_value *v = n->u.other.arg;
	struct ir_block *b = t;

	if (g->mpls == 0 && g->cur->mpls == 0)
		return gen_fail(g, BPFC_ESEMANTIC, n->at, "no MPLS support for link type %s",
				g->cur->name);
	if (v != NULL && v->kind != AST_V_NUM)
		return gen_fail(g, BPFC_ESEMANTIC, v->at, "an MPLS label is a number");
	if (v != NULL && v->num > 0xfffff)
		return gen_fail(g, BPFC_ERANGE, v->at, "MPLS label %u out of range (0-1048575)",
				v->num);
	if (v != NULL)
		b = gen_cmp(g, GEN_NET, 0, CBPF_W, 0xfffff000u, CBPF_JEQ, v->num << 12, t, f);
	if (g->mpls > 0)
		return gen_cmp(g, GEN_NET, (uint32_t)-2, CBPF_B, 0x01, CBPF_JEQ, 0, b, f);
	return gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JEQ, g->cur->mpls, b, f);
}

/* pcap-filter(7): pppoed, PPPoE discovery frames (no shift). */
struct ir_block *
gen_pppoed(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	return gen_llproto(g, 0x8863, n->at, t, f);
}

/* pcap-filter(7): pppoes [SESSION_ID] */
struct ir_block *
gen_pppoes(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct ast_value *v = n->u.other.arg;
	struct ir_block *b = t;

	if (v != NULL && v->kind != AST_V_NUM)
		return gen_fail(g, BPFC_ESEMANTIC, v->at, "a PPPoE session id is a number");
	if (v != NULL && v->num > 0xffff)
		return gen_fail(g, BPFC_ERANGE, v->at,
				"PPPoE session id %u out of range (0-65535)", v->num);
	if (v != NULL) /* version, type, code and the session id: a word */
		b = gen_cmp(g, GEN_NET, 0, CBPF_W, 0xffff, CBPF_JEQ, v->num, t, f);
	return gen_llproto(g, 0x8864, n->at, b, f);
}

/* pcap-filter(7): vlan [VLAN_ID].  A tag type (802.1Q, 802.1ad, QinQ) at
 * the current ethertype position, then the 12-bit id of that tag. */
struct ir_block *
gen_vlan(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	static const uint32_t tpid[] = {0x8100, 0x88a8, 0x9100};
	const struct ast_value *v = n->u.other.arg;
	struct ir_block *id = t, *b = f;

	if (!(g->cur->flags & LT_F_VLAN))
		return gen_fail(g, BPFC_ESEMANTIC, n->at, "no VLAN support for link type %s",
				g->cur->name);
	if (g->mpls > 0)
		return gen_fail(g, BPFC_ESEMANTIC, n->at, "unsupported protocol over mpls");
	if (v != NULL && v->kind != AST_V_NUM)
		return gen_fail(g, BPFC_ESEMANTIC, v->at, "a VLAN id is a number");
	if (v != NULL && v->num > 4095)
		return gen_fail(g, BPFC_ERANGE, v->at, "VLAN id %u out of range (0-4095)", v->num);
	if (v != NULL)
		id = gen_cmp(g, GEN_NET, 0, CBPF_H, 0x0fff, CBPF_JEQ, v->num, t, f);
	for (size_t i = sizeof(tpid) / sizeof(tpid[0]); i-- > 0;)
		b = gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JEQ, tpid[i], id, b);
	return b;
}

/* pcap-filter(7): llc [i|s|u|rr|rnr|rej|ui|ua|disc|dm|sabme|test|xid|frmr].
 * An 802.3 frame (length, not ethertype) that is not Novell's raw 802.3
 * (0xffff where the DSAP/SSAP would be), then the LLC control field's
 * format bits (libpcap: gen_llc and its subtype tests). */
struct ir_block *
gen_llc(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	static const struct {
		const char *name;
		uint32_t mask, value; /* mask 0: the I-frame test (low bit clear) */
	} sub[] = {
		{"i", 0, 0},         {"s", 0x03, 0x01},     {"u", 0x03, 0x03},
		{"rr", 0x0f, 0x01},  {"rnr", 0x0f, 0x05},   {"rej", 0x0f, 0x09},
		{"ui", 0xef, 0x03},  {"ua", 0xef, 0x63},    {"disc", 0xef, 0x43},
		{"dm", 0xef, 0x0f},  {"sabme", 0xef, 0x6f}, {"test", 0xef, 0xe3},
		{"xid", 0xef, 0xaf}, {"frmr", 0xef, 0x87},
	};
	const struct ast_value *v = n->u.other.arg;
	struct ir_block *b = t;

	if (g->mpls > 0)
		return gen_shift_unsupported(g, n, "mpls");
	if (g->kind != LT_ETHER)
		return gen_fail(g, BPFC_ESEMANTIC, n->at, "'llc' not supported for link type %s",
				g->cur->name);
	if (v != NULL) {
		size_t i = 0;
		while (i < sizeof(sub) / sizeof(sub[0]) && strcmp(sub[i].name, v->text) != 0)
			i++;
		if (i == sizeof(sub) / sizeof(sub[0]))
			return gen_fail(g, BPFC_ESEMANTIC, v->at, "unknown 802.2 LLC subtype '%s'",
					v->text);
		if (sub[i].mask == 0)
			b = gen_cmp(g, GEN_NET, 2, CBPF_B, ~0u, CBPF_JSET, 1, f, t);
		else
			b = gen_cmp(g, GEN_NET, 2, CBPF_B, sub[i].mask, CBPF_JEQ, sub[i].value, t, f);
	}
	b = gen_cmp(g, GEN_NET, 0, CBPF_H, ~0u, CBPF_JEQ, 0xffff, f, b);
	return gen_cmp(g, GEN_ABS, g->off_proto, CBPF_H, ~0u, CBPF_JGT, GEN_ETHERMTU, f, b);
}

/* Link types without the field: libpcap loads the Linux kernel's packet
 * metadata there, which means nothing outside a live socket. */
static void *
gen_no_metadata(struct gen *g, const struct ast_node *n)
{
	return gen_fail(g, BPFC_EUNSUPPORTED, n->at,
			"'%s' on link type %s needs the kernel's packet metadata: not supported "
			"yet", ast_kind_name(n->kind), g->cur->name);
}

/* pcap-filter(7): inbound, outbound */
struct ir_block *
gen_direction(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct linktype *lt = g->lt;
	int out = n->kind == AST_OUTBOUND;

	if (!(lt->flags & LT_F_DIR))
		return gen_no_metadata(g, n);
	if (!out && (lt->flags & LT_F_DIR_IN))
		return gen_cmp(g, GEN_LINK, lt->off_dir, lt->dir_size, ~0u, CBPF_JEQ, 0, t, f);
	return gen_cmp(g, GEN_LINK, lt->off_dir, lt->dir_size, ~0u, CBPF_JEQ, lt->dir_out,
		       out ? t : f, out ? f : t);
}

/* pcap-filter(7): ifindex INDEX */
struct ir_block *
gen_ifindex(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct ast_value *v = n->u.other.arg;

	if (!(g->cur->flags & LT_F_IFINDEX))
		return gen_no_metadata(g, n);
	if (v == NULL || v->kind != AST_V_NUM)
		return gen_fail(g, BPFC_ESYNTAX, n->at, "'ifindex' needs a number");
	return gen_cmp(g, GEN_LINK, g->cur->off_ifindex, CBPF_W, ~0u, CBPF_JEQ, v->num, t, f);
}
