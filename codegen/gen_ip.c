/*
 * gen_ip.c: protocols, hosts and networks.
 *
 * Takes: bare protocols (`tcp`), `[proto] [src|dst] host|net ID` and
 * `[ether|ip|ip6] proto N`.  Gives: IR with libpcap 1.10's verdicts
 * (gen_proto_abbrev, gen_proto, gen_host, gen_host6, gen_ncode, gen_mcode,
 * gen_mcode6, gen_scode, gen_ecode).  Protocol numbers come from
 * protos.c, link-layer facts through gen_llproto() only.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "codegen/gen_int.h"

/* IPv4 and its protocol field is `num` (libpcap: gen_proto(v, Q_IP)). */
struct ir_block *
gen_ip4proto(struct gen *g, uint32_t num, struct ast_span at, struct ir_block *t,
	     struct ir_block *f)
{
	struct ir_block *b = gen_cmp(g, GEN_NET, 9, CBPF_B, ~0u, CBPF_JEQ, num, t, f);

	return gen_llproto(g, PROTO_ETHERTYPE_IP, at, b, f);
}

/* IPv6 whose next header is `num`, or a fragment header followed by `num`
 * (libpcap 1.10: gen_proto(v, Q_IPV6)). */
static struct ir_block *
gen_ip6proto(struct gen *g, uint32_t num, struct ast_span at, struct ir_block *t,
	     struct ir_block *f)
{
	struct ir_block *after = gen_cmp(g, GEN_NET, 40, CBPF_B, ~0u, CBPF_JEQ, num, t, f);
	struct ir_block *frag = gen_cmp(g, GEN_NET, 6, CBPF_B, ~0u, CBPF_JEQ,
					PROTO_IPPROTO_FRAGMENT, after, f);
	struct ir_block *b = gen_cmp(g, GEN_NET, 6, CBPF_B, ~0u, CBPF_JEQ, num, t, frag);

	return gen_llproto(g, PROTO_ETHERTYPE_IPV6, at, b, f);
}

/* Not a later fragment: the offset bits of the IPv4 header are 0. */
struct ir_block *
gen_ip4first(struct gen *g, struct ir_block *t, struct ir_block *f)
{
	return gen_cmp(g, GEN_NET, 6, CBPF_H, ~0u, CBPF_JSET, 0x1fff, f, t);
}

/* IS-IS with one of `pdus` as its PDU type (4 bytes into its header). */
static struct ir_block *
gen_isis(struct gen *g, const uint8_t *pdus, struct ir_block *t, struct ir_block *f)
{
	size_t n = strlen((const char *)pdus);
	struct ir_block *b = f;

	while (n-- > 0)
		b = gen_cmp(g, GEN_NET, g->cur->off_iso + 4, CBPF_B, ~0u, CBPF_JEQ, pdus[n], t, b);
	return b;
}

static struct ir_block *
gen_ipproto_test(struct gen *g, const struct proto_info *pi, struct ast_span at,
		 struct ir_block *t, struct ir_block *f)
{
	enum proto_test test = pi->test;
	uint32_t num = pi->num;
	struct ir_block *b;

	switch (test) {
	case PROTO_T_ETHER:
		return gen_llproto(g, num, at, t, f);
	case PROTO_T_IP4:
		return gen_ip4proto(g, num, at, t, f);
	case PROTO_T_IP6:
		return gen_ip6proto(g, num, at, t, f);
	case PROTO_T_IP46:
		b = gen_ip6proto(g, num, at, t, f);
		return b == NULL ? NULL : gen_ip4proto(g, num, at, t, b);
	case PROTO_T_ISO:
	case PROTO_T_ISIS:
		if (g->mpls > 0)
			return gen_fail(g, BPFC_ESEMANTIC, at, "unsupported protocol over mpls");
		b = test == PROTO_T_ISIS ? gen_isis(g, pi->pdus, t, f) : t;
		b = gen_cmp(g, GEN_NET, g->cur->off_iso, CBPF_B, ~0u, CBPF_JEQ, num, b, f);
		return gen_llproto(g, 0xfe, at, b, f);
	default:
		return gen_fail(g, BPFC_EINTERNAL, at, "no protocol test");
	}
}

/* pcap-filter(7): ip, ip6, arp, rarp, tcp, udp, sctp, icmp, ... */
struct ir_block *
gen_proto_abbrev(struct gen *g, enum ast_proto p, struct ast_span at, struct ir_block *t,
		 struct ir_block *f)
{
	const struct proto_info *pi = proto_info(p);

	if (pi->test == PROTO_T_LINK)
		return gen_fail(g, BPFC_ESEMANTIC, at, "link layer applied in wrong context");
	if (pi->test == PROTO_T_NONE)
		return gen_fail(g, BPFC_EUNSUPPORTED, at, "'%s' is not supported yet",
				ast_proto_name(p));
	return gen_ipproto_test(g, pi, at, t, f);
}

/* `iso proto N` (the OSI network layer protocol id, or clnp, esis,
 * isis) and `isis proto N` (the IS-IS PDU type), with the maxima newer
 * libpcap enforces. */
static struct ir_block *
gen_iso_proto(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	static const struct {
		const char *name;
		uint32_t num;
	} names[] = {{"clnp", 0x81}, {"esis", 0x82}, {"es-is", 0x82}, {"isis", 0x83},
		     {"is-is", 0x83}};
	const struct ast_head *q = n->u.id.q;
	const struct ast_value *v = n->u.id.addr;
	int isis = q->proto == AST_PROTO_ISIS;
	uint32_t num = v->num, iso = 0;
	struct ir_block *b;

	if (v->kind == AST_V_NAME && !isis) {
		size_t i = 0;
		while (i < sizeof(names) / sizeof(names[0]) && strcmp(names[i].name, v->text) != 0)
			i++;
		if (i == sizeof(names) / sizeof(names[0]))
			return gen_fail(g, BPFC_ESEMANTIC, v->at, "unknown osi proto '%s'", v->text);
		num = names[i].num;
	} else if (v->kind != AST_V_NUM) {
		return gen_fail(g, BPFC_ESEMANTIC, v->at, "'%s' is not a protocol", v->text);
	}
	if (!isis && num > 255)
		return gen_fail(g, BPFC_ERANGE, v->at, "ISO protocol %u greater than maximum 255",
				num);
	if (isis && num > 31)
		return gen_fail(g, BPFC_ERANGE, v->at, "IS-IS PDU type %u greater than maximum 31",
				num);
	if (g->mpls > 0)
		return gen_fail(g, BPFC_ESEMANTIC, n->at, "unsupported protocol over mpls");
	if (isis) {
		iso = num;
		num = 0x83;
		t = gen_cmp(g, GEN_NET, g->cur->off_iso + 4, CBPF_B, ~0u, CBPF_JEQ, iso, t, f);
	}
	b = gen_cmp(g, GEN_NET, g->cur->off_iso, CBPF_B, ~0u, CBPF_JEQ, num, t, f);
	return gen_llproto(g, 0xfe, n->at, b, f);
}

/* pcap-filter(7): [ether|ip|ip6] proto PROTOCOL */
static struct ir_block *
gen_proto_num(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct ast_head *q = n->u.id.q;
	const struct ast_value *v = n->u.id.addr;
	uint32_t num;
	struct ir_block *b;

	enum proto_test test = proto_info(q->proto)->test;

	/* Transport protocols carry no protocol field; the others (iso,
	 * arp, ...) do in libpcap, but are not generated yet. */
	if (test == PROTO_T_IP4 || test == PROTO_T_IP6 || test == PROTO_T_IP46)
		return gen_fail(g, BPFC_ESEMANTIC, q->proto_at, "'%s proto' is bogus",
				gen_proto_text(q->proto, q->proto_text));
	if (q->proto == AST_PROTO_ISO || q->proto == AST_PROTO_ISIS)
		return gen_iso_proto(g, n, t, f);
	if (q->proto != AST_PROTO_LINK && q->proto != AST_PROTO_IP && q->proto != AST_PROTO_IP6 &&
	    q->proto != AST_PROTO_DEFAULT)
		return gen_fail(g, BPFC_EUNSUPPORTED, q->proto_at, "'%s proto' is not supported yet",
				gen_proto_text(q->proto, q->proto_text));
	if (v->kind == AST_V_NUM)
		num = v->num;
	else if (v->kind != AST_V_NAME)
		return gen_fail(g, BPFC_ESEMANTIC, v->at, "'%s' is not a protocol", v->text);
	else if (q->proto == AST_PROTO_LINK) {
		if (proto_ethertype_byname(v->text, &num) < 0)
			return gen_fail(g, BPFC_ESEMANTIC, v->at, "unknown ether proto '%s'",
					v->text);
	} else if (g->r->proto(g->r->ctx, v->text, &num) < 0)
		return gen_fail(g, BPFC_ESEMANTIC, v->at, "unknown ip proto '%s'", v->text);

	/* The ranges libpcap's newest release enforces (1.10.3 compiles such
	 * numbers into tests no packet passes). */
	if (q->proto == AST_PROTO_LINK && num > 0xffff)
		return gen_fail(g, BPFC_ERANGE, v->at,
				"link-layer protocol %u out of range (0-65535)", num);
	if (q->proto == AST_PROTO_LINK && num > 255 && num <= 1500 &&
	    (g->kind == LT_ETHER || g->kind == LT_SLL))
		return gen_fail(g, BPFC_ERANGE, v->at,
				"LLC DSAP %u out of range (0-255; 1501-65535 are ethertypes)", num);
	if (q->proto != AST_PROTO_LINK && num > 255)
		return gen_fail(g, BPFC_ERANGE, v->at, "protocol number %u out of range (0-255)",
				num);
	switch (q->proto) {
	case AST_PROTO_LINK:
		return gen_llproto(g, num, n->at, t, f);
	case AST_PROTO_IP:
		return gen_ip4proto(g, num, n->at, t, f);
	case AST_PROTO_IP6:
		return gen_ip6proto(g, num, n->at, t, f);
	case AST_PROTO_DEFAULT:
		b = gen_ip6proto(g, num, n->at, t, f);
		return b == NULL ? NULL : gen_ip4proto(g, num, n->at, t, b);
	default:
		return gen_fail(g, BPFC_EINTERNAL, q->proto_at, "'%s proto' slipped through",
				gen_proto_text(q->proto, q->proto_text));
	}
}

/* ---- IPv4 hosts and networks ---- */

/* Where IPv4 and ARP/RARP keep the two addresses, from the network layer. */
struct gen_alt4 {
	uint32_t eth, src, dst;
};
static const struct gen_alt4 gen_alt4_ip = {PROTO_ETHERTYPE_IP, 12, 16};
static const struct gen_alt4 gen_alt4_arp = {PROTO_ETHERTYPE_ARP, 14, 24};
static const struct gen_alt4 gen_alt4_rarp = {PROTO_ETHERTYPE_RARP, 14, 24};

/* An or-run of at least this many values on more than one protocol shares
 * one test: each protocol stores its two offsets in M[] (4 instructions)
 * instead of having its own copy of the tests (about 2 per value). */
#define GEN_HOST4_SHARE_MIN 4

/* The protocols `q` looks for an IPv4 host or network in (libpcap's
 * gen_host): their number, 0 after an error. */
static size_t
gen_host4_alts(struct gen *g, const struct ast_head *q, struct ast_span at,
	       const struct gen_alt4 **alts)
{
	const char *what = q->addr == AST_ADDR_NET ? "net" : "host";

	switch (q->proto) {
	case AST_PROTO_DEFAULT:
		alts[0] = &gen_alt4_ip;
		if (g->mpls > 0) /* no ARP inside MPLS */
			return 1;
		alts[1] = &gen_alt4_arp;
		alts[2] = &gen_alt4_rarp;
		return 3;
	case AST_PROTO_IP:
		alts[0] = &gen_alt4_ip;
		return 1;
	case AST_PROTO_ARP:
		alts[0] = &gen_alt4_arp;
		return 1;
	case AST_PROTO_RARP:
		alts[0] = &gen_alt4_rarp;
		return 1;
	case AST_PROTO_LINK:
		return gen_fail(g, BPFC_ESEMANTIC, at, "link-layer modifier applied to %s", what), 0;
	case AST_PROTO_IP6:
		return gen_fail(g, BPFC_ESEMANTIC, at, "'ip6' modifier applied to ip %s", what), 0;
	case AST_PROTO_DECNET:
		return gen_fail(g, BPFC_EUNSUPPORTED, at, "'decnet %s' is not supported yet", what), 0;
	default:
		return gen_fail(g, BPFC_ESEMANTIC, at, "'%s' modifier applied to %s",
				gen_proto_text(q->proto, q->proto_text), what), 0;
	}
}

/* The address tests of one protocol, or of all of them sharing one copy
 * (X from the M[] slots their entries fill). */
static struct ir_block *
gen_host4_tests(struct gen *g, const enum ast_dir *dirs, enum ast_dir dir,
		const struct gen_alt4 *alt, int shared, uint32_t mask, const struct gen_range *v,
		size_t n, struct ast_span at, struct ir_block *t, struct ir_block *f)
{
	struct gen_field src = {GEN_NET, 0, CBPF_W, mask, -1}, dst = src;
	struct ir_block *b;

	if (shared) {
		src.base = dst.base = GEN_X;
		src.xslot = (int)g->nscratch;
		dst.xslot = (int)g->nscratch + 1;
	} else {
		src.off = alt->src;
		dst.off = alt->dst;
	}
	b = gen_dirs_in(g, &src, &dst, v, dirs, dir, n, t, f);
	if (b == NULL && !ir_failed(g->p) && !diag_failed(g->err))
		return gen_fail(g, BPFC_ESEMANTIC, at,
				"'%s' is only supported on 802.11 with 802.11 headers",
				ast_dir_name(dir));
	return b;
}

/* `q` host/net over the values v[0..n) in directions dirs[0..n) (an
 * or-run; NULL: all `dir`, one address) under `mask` (libpcap: gen_host
 * for IPv4, one address at a time). */
static struct ir_block *
gen_host4_values(struct gen *g, const struct ast_head *q, const enum ast_dir *dirs,
		 enum ast_dir dir, uint32_t mask, const struct gen_range *v, size_t n,
		 struct ast_span at, struct ir_block *t, struct ir_block *f)
{
	const struct gen_alt4 *alts[3];
	struct ir_block *tests[3], *b = f;
	size_t nalts = gen_host4_alts(g, q, at, alts), live = 0;
	int shared;

	for (size_t i = 0; i < nalts; i++)
		live += gen_llproto_possible(g, alts[i]->eth) != 0;
	shared = live > 1 && n >= GEN_HOST4_SHARE_MIN && g->nscratch + 2 <= 16;
	/* Each protocol its own copy unless shared, even ARP and RARP, whose
	 * copies are the same: the optimizer merges them after using what
	 * each path knows (an ARP packet is no IPv6 packet). */
	for (size_t i = 0; i < nalts; i++) {
		if (shared && i > 0)
			tests[i] = tests[0];
		else if ((tests[i] = gen_host4_tests(g, dirs, dir, alts[i], shared, mask, v, n, at,
						     t, f)) == NULL)
			return NULL;
	}
	for (size_t i = nalts; i-- > 0 && b != NULL;) {
		struct ir_block *e = tests[i];
		if (shared) { /* the offsets of this protocol's addresses into M[] */
			e = gen_block(g);
			ir_emit(e, CBPF_LD | CBPF_IMM, g->off_net + alts[i]->src);
			ir_emit(e, CBPF_ST, g->nscratch);
			ir_emit(e, CBPF_LD | CBPF_IMM, g->off_net + alts[i]->dst);
			ir_emit(e, CBPF_ST, g->nscratch + 1);
			ir_jump(e, tests[i]);
		}
		b = gen_llproto(g, alts[i]->eth, at, e, b);
	}
	return b;
}

static struct ir_block *
gen_host4(struct gen *g, const struct ast_head *q, uint32_t addr, uint32_t mask,
	  struct ast_span at, struct ir_block *t, struct ir_block *f)
{
	struct gen_range v = {addr, addr};

	return gen_host4_values(g, q, NULL, q->dir, mask, &v, 1, at, t, f);
}

/* ---- IPv6 ---- */

static struct ir_block *
gen_hostop6(struct gen *g, uint32_t off, const uint8_t *addr, const uint8_t *mask,
	    struct ast_span at, struct ir_block *t, struct ir_block *f)
{
	struct ir_block *b = t;

	for (int i = 3; i >= 0; i--) {
		uint32_t a = 0, m = 0;
		for (int j = 0; j < 4; j++) {
			a = a << 8 | addr[4 * i + j];
			m = m << 8 | mask[4 * i + j];
		}
		b = gen_cmp(g, GEN_NET, off + 4 * (uint32_t)i, CBPF_W, m, CBPF_JEQ, a & m, b, f);
	}
	return gen_llproto(g, PROTO_ETHERTYPE_IPV6, at, b, f);
}

/* libpcap: gen_host6 */
static struct ir_block *
gen_host6(struct gen *g, const struct ast_head *q, const uint8_t *addr, const uint8_t *mask,
	  struct ast_span at, struct ir_block *t, struct ir_block *f)
{
	const char *what = q->addr == AST_ADDR_NET ? "net" : "host";
	struct ir_block *d;

	if (q->proto != AST_PROTO_DEFAULT && q->proto != AST_PROTO_IP6)
		return gen_fail(g, BPFC_ESEMANTIC, at, "'%s' modifier applied to ip6 %s",
				gen_proto_text(q->proto, q->proto_text), what);
	switch (q->dir) {
	case AST_DIR_SRC:
		return gen_hostop6(g, 8, addr, mask, at, t, f);
	case AST_DIR_DST:
		return gen_hostop6(g, 24, addr, mask, at, t, f);
	case AST_DIR_DEFAULT:
	case AST_DIR_OR:
		d = gen_hostop6(g, 24, addr, mask, at, t, f);
		return d == NULL ? NULL : gen_hostop6(g, 8, addr, mask, at, t, d);
	case AST_DIR_AND:
		d = gen_hostop6(g, 24, addr, mask, at, t, f);
		return d == NULL ? NULL : gen_hostop6(g, 8, addr, mask, at, d, f);
	default:
		return gen_fail(g, BPFC_ESEMANTIC, at,
				"'%s' is only supported on 802.11 with 802.11 headers",
				ast_dir_name(q->dir));
	}
}

/* IPV6 [/ LEN] (libpcap: gen_mcode6) */
static struct ir_block *
gen_id_ipv6(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct ast_id *id = &n->u.id;
	uint32_t len = id->form == AST_ID_NET_LEN ? id->mask->num : 128;
	uint8_t mask[16];

	if (id->form == AST_ID_NET_MASK)
		return gen_fail(g, BPFC_ESEMANTIC, n->at, "mask syntax is for IPv4 networks only");
	if (len > 128)
		return gen_fail(g, BPFC_ERANGE, id->mask->at, "mask length must be <= 128");
	for (uint32_t i = 0; i < 16; i++) {
		uint32_t bits = len > 8 * i ? len - 8 * i : 0;
		mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff00u >> bits);
		if (id->addr->bytes[i] & ~mask[i])
			return gen_fail(g, BPFC_ESEMANTIC, n->at,
					"non-network bits set in \"%s/%u\"", id->addr->text, len);
	}
	if (id->q->addr != AST_ADDR_DEFAULT && id->q->addr != AST_ADDR_HOST &&
	    id->q->addr != AST_ADDR_NET)
		return gen_fail(g, BPFC_ESEMANTIC, n->at, "invalid qualifier against IPv6 address");
	if (id->q->addr == AST_ADDR_HOST && len != 128)
		return gen_fail(g, BPFC_ESEMANTIC, n->at, "Mask syntax for networks only");
	return gen_host6(g, id->q, id->addr->bytes, mask, n->at, t, f);
}

/* ---- DECnet ---- */

/* A 16-bit value as libpcap's ntohs() on this host leaves it. */
static uint32_t
gen_ntohs(uint32_t v)
{
	const uint16_t probe = 1;

	if (*(const uint8_t *)&probe == 0)
		return v;
	return (v & 0xff) << 8 | (v >> 8 & 0xff);
}

/* One side of a DECnet address test: the four routing-header layouts
 * (short or long, with or without a pad byte), libpcap's gen_dnhostop. */
static struct ir_block *
gen_dnhostop(struct gen *g, uint32_t addr, uint32_t off_sh, uint32_t off_lh,
	     struct ir_block *t, struct ir_block *f)
{
	uint32_t a = gen_ntohs(addr);
	struct ir_block *b = f, *x;

	x = gen_cmp(g, GEN_NET, 2 + 1 + off_lh, CBPF_H, ~0u, CBPF_JEQ, a, t, b);
	b = gen_cmp(g, GEN_NET, 2, CBPF_H, gen_ntohs(0x07ff), CBPF_JEQ, gen_ntohs(0x0681), x, b);
	x = gen_cmp(g, GEN_NET, 2 + off_lh, CBPF_H, ~0u, CBPF_JEQ, a, t, b);
	b = gen_cmp(g, GEN_NET, 2, CBPF_B, 0x07, CBPF_JEQ, 0x06, x, b);
	x = gen_cmp(g, GEN_NET, 2 + 1 + off_sh, CBPF_H, ~0u, CBPF_JEQ, a, t, b);
	b = gen_cmp(g, GEN_NET, 2, CBPF_H, gen_ntohs(0x07ff), CBPF_JEQ, gen_ntohs(0x0281), x, b);
	x = gen_cmp(g, GEN_NET, 2 + off_sh, CBPF_H, ~0u, CBPF_JEQ, a, t, b);
	b = gen_cmp(g, GEN_NET, 2, CBPF_B, 0x07, CBPF_JEQ, 0x02, x, b);
	return gen_llproto(g, 0x6003, (struct ast_span){g->begin, g->end}, b, f);
}

/* pcap-filter(7): decnet [src|dst] [host] AREA.NODE */
static struct ir_block *
gen_decnet_host(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct ast_id *id = &n->u.id;
	unsigned area, node;
	char end;
	struct ir_block *d;

	if (id->form != AST_ID_PLAIN || id->addr->nparts != 2 ||
	    sscanf(id->addr->text, "%u.%u%c", &area, &node, &end) != 2 || area > 63 ||
	    node > 1023)
		return gen_fail(g, BPFC_ESEMANTIC, id->addr->at, "malformed decnet address '%s'",
				id->addr->text);
	if (id->q->addr == AST_ADDR_NET)
		return gen_fail(g, BPFC_ESEMANTIC, n->at, "'decnet net' is not meaningful");
	uint32_t addr = area << 10 | node;
	switch (id->q->dir) {
	case AST_DIR_SRC:
		return gen_dnhostop(g, addr, 3, 15, t, f);
	case AST_DIR_DST:
		return gen_dnhostop(g, addr, 1, 7, t, f);
	case AST_DIR_DEFAULT:
	case AST_DIR_OR:
		d = gen_dnhostop(g, addr, 1, 7, t, f);
		return gen_dnhostop(g, addr, 3, 15, t, d);
	case AST_DIR_AND:
		d = gen_dnhostop(g, addr, 1, 7, t, f);
		return gen_dnhostop(g, addr, 3, 15, d, f);
	default:
		return gen_fail(g, BPFC_ESEMANTIC, n->at,
				"'%s' is only supported on 802.11 with 802.11 headers",
				ast_dir_name(id->q->dir));
	}
}

/* ---- IPv4 forms ---- */

static uint32_t
gen_prefix_mask(uint32_t bits)
{
	return bits == 0 ? 0 : 0xffffffffu << (32 - bits);
}

/* The address and mask of IPV4, IPV4/LEN, IPV4 mask IPV4 (libpcap:
 * gen_ncode, gen_mcode); an address of fewer than 4 parts is a prefix:
 * 10.1 is 10.1.0.0/16.  0, or -1 after recording an error when `report`
 * (quietly otherwise: or-runs ask first, see gen_host4_setadd). */
static int
gen_ipv4_value(struct gen *g, const struct ast_node *n, int report, uint32_t *addr,
	       uint32_t *mask)
{
	const struct ast_id *id = &n->u.id;
	const struct ast_value *v = id->addr, *m = id->mask;
	uint32_t shift = 32 - 8u * v->nparts;
	struct bpfc_error quiet;
	struct bpfc_error *keep = g->err;
	int r = -1;

	if (!report) {
		diag_init(&quiet);
		g->err = &quiet;
	}
	*addr = v->num << shift;
	*mask = 0xffffffffu << shift;
	if (!v->valid)
		gen_fail(g, BPFC_ESEMANTIC, v->at, "invalid IPv4 address '%s'", v->text);
	else if (id->q->proto == AST_PROTO_LINK)
		gen_fail(g, BPFC_ESEMANTIC, v->at, "illegal link layer address");
	else if (id->form == AST_ID_NET_LEN && m->num > 32)
		gen_fail(g, BPFC_ERANGE, m->at, "mask length must be <= 32");
	else if (id->form == AST_ID_NET_LEN && (*addr & ~(*mask = gen_prefix_mask(m->num))))
		gen_fail(g, BPFC_ESEMANTIC, n->at, "non-network bits set in \"%s/%u\"", v->text,
			 m->num);
	else if (id->form == AST_ID_NET_MASK && (m->kind != AST_V_IPV4 || !m->valid))
		gen_fail(g, BPFC_ESEMANTIC, m->at, "invalid netmask '%s'", m->text);
	else if (id->form == AST_ID_NET_MASK &&
		 (*addr & ~(*mask = m->num << (32 - 8u * m->nparts))))
		gen_fail(g, BPFC_ESEMANTIC, n->at, "non-network bits set in \"%s mask %s\"",
			 v->text, m->text);
	else if (id->form != AST_ID_PLAIN && id->q->addr != AST_ADDR_NET &&
		 id->q->addr != AST_ADDR_DEFAULT)
		gen_fail(g, BPFC_ESEMANTIC, n->at, "Mask syntax for networks only");
	else
		r = 0;
	g->err = keep;
	return r;
}

static struct ir_block *
gen_id_ipv4(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	uint32_t addr, mask;

	if (n->u.id.q->proto == AST_PROTO_DECNET)
		return gen_decnet_host(g, n, t, f);
	if (gen_ipv4_value(g, n, 1, &addr, &mask) < 0)
		return NULL;
	return gen_host4(g, n->u.id.q, addr, mask, n->at, t, f);
}

/* A number as a host (exact) or a network (leading zero bytes dropped:
 * `net 10` is 10.0.0.0/8). */
static void
gen_num_value(const struct ast_id *id, uint32_t *addr, uint32_t *mask)
{
	*addr = id->addr->num;
	*mask = 0xffffffffu;
	if (id->q->addr == AST_ADDR_NET)
		while (*addr != 0 && (*addr & 0xff000000u) == 0) {
			*addr <<= 8;
			*mask <<= 8;
		}
}

static struct ir_block *
gen_id_num(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct ast_id *id = &n->u.id;
	uint32_t addr, mask;

	if (id->q->proto == AST_PROTO_DECNET)
		return gen_fail(g, BPFC_EUNSUPPORTED, n->at, "'decnet host' is not supported yet");
	if (id->form != AST_ID_PLAIN)
		return gen_fail(g, BPFC_ESYNTAX, n->at, "a network needs a dotted address");
	if (id->q->proto == AST_PROTO_LINK)
		return gen_fail(g, BPFC_ESEMANTIC, id->addr->at, "illegal link layer address");
	gen_num_value(id, &addr, &mask);
	return gen_host4(g, id->q, addr, mask, n->at, t, f);
}

/* A MAC address: only with ether/link (libpcap: gen_ecode). */
static struct ir_block *
gen_id_mac(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct ast_id *id = &n->u.id;

	if (id->q->proto != AST_PROTO_LINK ||
	    (id->q->addr != AST_ADDR_HOST && id->q->addr != AST_ADDR_DEFAULT))
		return gen_fail(g, BPFC_ESEMANTIC, n->at,
				"ethernet address used in non-ether expression");
	return gen_ether_addr(g, id->addr->bytes, id->q->dir, n->at, t, f);
}

/* A host name: every address it has, IPv4 and IPv6, in the resolver's
 * order (libpcap: gen_scode, Q_HOST). */
static struct ir_block *
gen_id_name(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct ast_id *id = &n->u.id;
	const struct ast_head *q = id->q;
	const struct ast_value *v = id->addr;
	struct resolve_addrs ra;
	struct ast_head q4 = *q, q6 = *q;
	static const uint8_t all[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct ir_block *b = f;

	if (q->proto == AST_PROTO_LINK) {
		uint8_t mac[6];
		if (q->addr != AST_ADDR_HOST && q->addr != AST_ADDR_DEFAULT)
			return gen_fail(g, BPFC_ESEMANTIC, n->at, "illegal link layer address");
		if (g->r->ether(g->r->ctx, v->text, mac) < 0)
			return gen_fail(g, BPFC_ESEMANTIC, v->at, "unknown ether host '%s'",
					v->text);
		return gen_ether_addr(g, mac, q->dir, n->at, t, f);
	}
	if (q->addr == AST_ADDR_NET)
		return gen_fail(g, BPFC_EUNSUPPORTED, n->at,
				"'net NAME' (networks by name) is not supported yet");
	if (g->r->host(g->r->ctx, g->a, v->text, &ra) < 0)
		return gen_fail(g, BPFC_ESEMANTIC, v->at, "unknown host '%s'", v->text);
	/* Link types without a protocol field have no ARP: IP only. */
	if (q->proto == AST_PROTO_DEFAULT && (g->cur->kind == LT_IPVER || g->cur->kind == LT_FIXED)) {
		q4.proto = AST_PROTO_IP;
		q6.proto = AST_PROTO_IP6;
	}
	q4.addr = q6.addr = AST_ADDR_HOST;
	/* Built last address first so the first is tested first. */
	for (size_t i = ra.n6; i-- > 0 && q6.proto != AST_PROTO_IP && b != NULL;)
		b = gen_host6(g, &q6, ra.v6[i], all, n->at, t, b);
	if (ra.n4 > 0 && q4.proto != AST_PROTO_IP6 && b != NULL) {
		struct gen_range *r = arena_calloc(g->a, ra.n4, sizeof(*r));
		if (r == NULL)
			return gen_fail(g, BPFC_ENOMEM, n->at, "out of memory");
		for (size_t i = 0; i < ra.n4; i++)
			r[i].lo = r[i].hi = ra.v4[i];
		b = gen_host4_values(g, &q4, NULL, q4.dir, 0xffffffffu, r, ra.n4, n->at, t, b);
	}
	if (b == f && !diag_failed(g->err))
		return gen_fail(g, BPFC_ESEMANTIC, v->at, "unknown host '%s'%s", v->text,
				q->proto == AST_PROTO_DEFAULT ? "" : " for specified address family");
	return b;
}

/* ---- or-runs of IPv4 hosts and networks ---- */

/* The values of `n` if it is an IPv4 host or network whose address is
 * known without error: 1 and *s updated, else 0.  A name counts when all
 * its addresses are IPv4 (`host NAME` is then the run of its addresses). */
static int
gen_host4_values_of(struct gen *g, const struct ast_node *n, enum ast_dir dir, struct gen_set *s,
		    uint32_t *mask)
{
	const struct ast_id *id = &n->u.id;
	struct resolve_addrs ra;
	uint32_t addr;

	switch (id->addr->kind) {
	case AST_V_IPV4:
		if (gen_ipv4_value(g, n, 0, &addr, mask) < 0)
			return 0;
		return gen_set_push(g, s, addr, addr, dir) < 0 ? -1 : 1;
	case AST_V_NUM:
		if (id->form != AST_ID_PLAIN)
			return 0;
		gen_num_value(id, &addr, mask);
		return gen_set_push(g, s, addr, addr, dir) < 0 ? -1 : 1;
	case AST_V_NAME:
		if (id->q->addr == AST_ADDR_NET || id->form != AST_ID_PLAIN ||
		    g->r->host(g->r->ctx, g->a, id->addr->text, &ra) < 0 || ra.n6 > 0 ||
		    ra.n4 == 0)
			return 0;
		*mask = 0xffffffffu;
		for (size_t i = 0; i < ra.n4; i++)
			if (gen_set_push(g, s, ra.v4[i], ra.v4[i], dir) < 0)
				return -1;
		return 1;
	default:
		return 0;
	}
}

int
gen_host4_setadd(struct gen *g, struct gen_set *s, const struct ast_node *n)
{
	const struct ast_head *q;
	enum ast_dir dir;
	uint32_t mask;
	size_t before = s->n;
	int r;

	if (n->kind != AST_ID)
		return 0;
	q = n->u.id.q;
	dir = q->dir == AST_DIR_DEFAULT ? AST_DIR_OR : q->dir;
	if ((q->addr != AST_ADDR_DEFAULT && q->addr != AST_ADDR_HOST && q->addr != AST_ADDR_NET) ||
	    (q->proto != AST_PROTO_DEFAULT && q->proto != AST_PROTO_IP &&
	     q->proto != AST_PROTO_ARP && q->proto != AST_PROTO_RARP) ||
	    (dir != AST_DIR_OR && dir != AST_DIR_SRC && dir != AST_DIR_DST))
		return 0;
	if (before > 0 && q->proto != s->q->proto)
		return 0;
	r = gen_host4_values_of(g, n, dir, s, &mask);
	if (r <= 0)
		return r;
	if (before > 0 && mask != s->mask) {
		s->n = before;
		return 0;
	}
	s->kind = GEN_SET_HOST4;
	s->q = q;
	s->mask = mask;
	return 1;
}

struct ir_block *
gen_host4_set(struct gen *g, const struct gen_set *s, struct ir_block *t, struct ir_block *f)
{
	return gen_host4_values(g, s->q, s->dirs, AST_DIR_OR, s->mask, s->v, s->n, s->at, t, f);
}

/* pcap-filter(7): [proto] [dir] [host|net|port|portrange|proto|gateway] ID */
struct ir_block *
gen_id(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct ast_id *id = &n->u.id;

	switch (id->q->addr) {
	case AST_ADDR_PROTO:
		return gen_proto_num(g, n, t, f);
	case AST_ADDR_PORT:
	case AST_ADDR_PORTRANGE:
		return gen_port(g, n, t, f);
	case AST_ADDR_GATEWAY:
	case AST_ADDR_PROTOCHAIN:
		return gen_fail(g, BPFC_EUNSUPPORTED, n->at, "'%s' is not supported yet",
				ast_addr_name(id->q->addr));
	default:
		break;
	}
	switch (id->addr->kind) {
	case AST_V_NUM:
		return gen_id_num(g, n, t, f);
	case AST_V_IPV4:
		return gen_id_ipv4(g, n, t, f);
	case AST_V_IPV6:
		return gen_id_ipv6(g, n, t, f);
	case AST_V_MAC:
		return gen_id_mac(g, n, t, f);
	case AST_V_NAME:
		return gen_id_name(g, n, t, f);
	default:
		return gen_fail(g, BPFC_EUNSUPPORTED, n->at, "'%s' is not supported yet",
				id->addr->text);
	}
}
