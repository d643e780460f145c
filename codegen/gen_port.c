/*
 * gen_port.c: ports and port ranges.
 *
 * Takes: `[tcp|udp|sctp] [src|dst] port|portrange ID`.  Gives: IR with
 * libpcap 1.10's verdicts (gen_port, gen_port6, gen_portrange,
 * gen_portrange6, gen_scode's service-name rules): over IPv4 only the
 * first fragment is looked at and the transport header is found through
 * the IPv4 header length; over IPv6 the next header must be the protocol
 * itself (no extension headers).  Unqualified means tcp, udp or sctp.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "codegen/gen_int.h"

/* The transport protocols a port primitive tests, in libpcap's order. */
static const struct {
	unsigned bit;
	uint32_t num;
	const char *name;
} gen_port_protos[] = {
	{RESOLVE_SCTP, PROTO_IPPROTO_SCTP, "sctp"},
	{RESOLVE_TCP, PROTO_IPPROTO_TCP, "tcp"},
	{RESOLVE_UDP, PROTO_IPPROTO_UDP, "udp"},
};
#define GEN_NPORT_PROTOS (sizeof(gen_port_protos) / sizeof(gen_port_protos[0]))

/* The port tests over the transport header at `base` (GEN_TRAN4,
 * GEN_TRAN6, or GEN_X with X set by the code before). */
static struct ir_block *
gen_port_tests(struct gen *g, enum gen_base base, const enum ast_dir *dirs, enum ast_dir dir,
	       const struct gen_range *v, size_t n, struct ast_span at, struct ir_block *t,
	       struct ir_block *f)
{
	struct gen_field src = {base, base == GEN_X ? g->off_net : 0, CBPF_H, ~0u, -1}, dst = src;
	struct ir_block *b;

	dst.off += 2;
	b = gen_dirs_in(g, &src, &dst, v, dirs, dir, n, t, f);
	if (b == NULL && !ir_failed(g->p) && !diag_failed(g->err))
		return gen_fail(g, BPFC_ESEMANTIC, at, "'%s' is not a valid qualifier for ports",
				ast_dir_name(dir));
	return b;
}

/* The transport protocols of `protos` in the protocol field at `off` of
 * the network layer: `t` for each, else `f`.  With x >= 0, the first
 * test also sets X = x (beside its load, so no block of its own). */
static struct ir_block *
gen_port_protos_in(struct gen *g, uint32_t off, unsigned protos, int x, struct ir_block *t,
		   struct ir_block *f)
{
	struct ir_block *next = f, *b;
	size_t first = GEN_NPORT_PROTOS;

	for (size_t i = 0; i < GEN_NPORT_PROTOS && first == GEN_NPORT_PROTOS; i++)
		if (protos & gen_port_protos[i].bit)
			first = i;
	for (size_t i = GEN_NPORT_PROTOS; i-- > 0;) {
		if (!(protos & gen_port_protos[i].bit))
			continue;
		b = gen_block(g);
		if (i == first) {
			gen_emit_load(g, b, GEN_NET, off, CBPF_B);
			if (x >= 0)
				ir_emit(b, CBPF_LDX | CBPF_IMM, (uint32_t)x);
		}
		ir_branch(b, CBPF_JMP | CBPF_JEQ | CBPF_K, gen_port_protos[i].num, t, next);
		next = b;
	}
	return next;
}

/* Whether IPv4 and IPv6 share one copy of the port tests.  It saves the
 * copy, but after a shared tail the optimizer no longer knows which of
 * the two the packet was, so it pays only when nothing follows (both
 * targets return) or the copy is long. */
static int
gen_port_shared(const struct ir_block *t, const struct ir_block *f, size_t n)
{
	return n >= 4 || (t->term == IR_RET && t->nstmts == 0 && f->term == IR_RET &&
			  f->nstmts == 0);
}

/* `[proto] dir port|portrange` over v[0..n) (an or-run, or one value):
 * IPv6 whose next header is one of `protos` (no extension headers), then
 * IPv4 with one of them, not a later fragment (libpcap: gen_port6,
 * gen_port, gen_portrange6, gen_portrange, in that order).  Shared, X
 * holds where the transport header starts past the network layer (4 *
 * the IPv4 header length, or 40); IPv6 sets it beside the load of its
 * next header, so its tests jump straight into the tail. */
static struct ir_block *
gen_port_values(struct gen *g, unsigned protos, const enum ast_dir *dirs, enum ast_dir dir,
		const struct gen_range *v, size_t n, struct ast_span at, struct ir_block *t,
		struct ir_block *f)
{
	struct ir_block *tests4, *tests6, *x4, *ip4, *ip6, *b;

	if (gen_port_shared(t, f, n)) {
		/* IPv6's blocks first, IPv4's ethertype test first: the layout
		 * then puts IPv4's `ldxb` right before the tail, as its only
		 * fall-through (testing one ethertype before the other decides
		 * nothing: both read the same field, loaded once). */
		if ((tests4 = gen_port_tests(g, GEN_X, dirs, dir, v, n, at, t, f)) == NULL)
			return NULL;
		b = gen_port_protos_in(g, 6, protos, 40, tests4, f);
		ip6 = gen_llproto(g, PROTO_ETHERTYPE_IPV6, at, b, f);
		x4 = gen_block(g);
		ir_emit(x4, CBPF_LDX | CBPF_B | CBPF_MSH, g->off_net); /* ldxb 4*([net]&0xf) */
		ir_jump(x4, tests4);
		b = gen_port_protos_in(g, 9, protos, -1, gen_ip4first(g, x4, f), f);
		return gen_llproto(g, PROTO_ETHERTYPE_IP, at, b, ip6);
	}
	tests4 = gen_port_tests(g, GEN_TRAN4, dirs, dir, v, n, at, t, f);
	tests6 = tests4 == NULL ? NULL : gen_port_tests(g, GEN_TRAN6, dirs, dir, v, n, at, t, f);
	if (tests6 == NULL)
		return NULL;
	b = gen_port_protos_in(g, 9, protos, -1, gen_ip4first(g, tests4, f), f);
	ip4 = gen_llproto(g, PROTO_ETHERTYPE_IP, at, b, f);
	b = gen_port_protos_in(g, 6, protos, -1, tests6, ip4);
	return gen_llproto(g, PROTO_ETHERTYPE_IPV6, at, b, ip4);
}

/* A port number or service name; *protos narrowed to what a name is
 * registered for.  0 or -1 (error recorded). */
static int
gen_port_value(struct gen *g, const char *s, size_t len, struct ast_span at, uint32_t *port,
	       unsigned *protos)
{
	char buf[256];
	uint16_t p;

	if (len == 0 || len >= sizeof(buf))
		return gen_fail(g, BPFC_ESEMANTIC, at, "unknown port '%.*s'", (int)len, s), -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strspn(buf, "0123456789") == len) {
		unsigned long v = strtoul(buf, NULL, 10);
		*port = v > 0xffffffffu ? 0xffffffffu : (uint32_t)v;
		return 0;
	}
	if (g->r->service(g->r->ctx, buf, &p, protos) < 0)
		return gen_fail(g, BPFC_ESEMANTIC, at, "unknown port '%s'", buf), -1;
	*port = p;
	return 0;
}

/* The protocols the qualifier asks for, given those a name allows. */
static int
gen_port_protos_for(struct gen *g, const struct ast_head *q, const struct ast_value *v,
		    unsigned *protos)
{
	unsigned want;

	switch (q->proto) {
	case AST_PROTO_DEFAULT:
		return 0;
	case AST_PROTO_TCP:
		want = RESOLVE_TCP;
		break;
	case AST_PROTO_UDP:
		want = RESOLVE_UDP;
		break;
	case AST_PROTO_SCTP:
		want = RESOLVE_SCTP;
		break;
	default:
		return gen_fail(g, BPFC_ESEMANTIC, q->proto_at, "illegal qualifier of '%s'",
				ast_addr_name(q->addr)), -1;
	}
	if (!(*protos & want)) {
		const char *is = (*protos & RESOLVE_TCP) ? "tcp" : (*protos & RESOLVE_UDP) ? "udp" : "sctp";
		return gen_fail(g, BPFC_ESEMANTIC, v->at, "port '%s' is %s", v->text, is), -1;
	}
	*protos = want;
	return 0;
}

/* The values of a port primitive: 0 and *r, *protos; -1 after recording
 * an error (quietly when !report). */
static int
gen_port_spec(struct gen *g, const struct ast_node *n, int report, struct gen_range *r,
	      unsigned *protos)
{
	const struct ast_head *q = n->u.id.q;
	const struct ast_value *v = n->u.id.addr;
	struct bpfc_error quiet, *keep = g->err;
	unsigned p2 = RESOLVE_TCP | RESOLVE_UDP | RESOLVE_SCTP;
	int rc = -1;

	if (!report) {
		diag_init(&quiet);
		g->err = &quiet;
	}
	*protos = p2;
	if (v->kind == AST_V_NUM) {
		r->lo = r->hi = v->num;
	} else if (v->kind != AST_V_NAME || n->u.id.form != AST_ID_PLAIN) {
		gen_fail(g, BPFC_ESEMANTIC, v->at, "'%s' is not a port", v->text);
		goto out;
	} else if (q->addr == AST_ADDR_PORT) {
		if (gen_port_value(g, v->text, strlen(v->text), v->at, &r->lo, protos) < 0)
			goto out;
		r->hi = r->lo;
	} else {
		/* P1-P2: numbers, or names split at the first '-' */
		const char *dash = strchr(v->text, '-');
		if (dash == NULL) {
			gen_fail(g, BPFC_ESEMANTIC, v->at, "unknown port in range '%s'", v->text);
			goto out;
		}
		if (gen_port_value(g, v->text, (size_t)(dash - v->text), v->at, &r->lo, protos) < 0 ||
		    gen_port_value(g, dash + 1, strlen(dash + 1), v->at, &r->hi, &p2) < 0)
			goto out;
		if (*protos != p2)
			*protos = RESOLVE_TCP | RESOLVE_UDP | RESOLVE_SCTP;
	}
	if (gen_port_protos_for(g, q, v, protos) < 0)
		goto out;
	if (r->lo > 65535 || r->hi > 65535) {
		gen_fail(g, BPFC_ERANGE, v->at, "port %u out of range (0-65535)",
			 r->lo > 65535 ? r->lo : r->hi);
		goto out;
	}
	if (r->lo > r->hi) {
		uint32_t x = r->lo;
		r->lo = r->hi;
		r->hi = x;
	}
	rc = 0;
out:
	g->err = keep;
	return rc;
}

/* pcap-filter(7): [tcp|udp|sctp] [src|dst] port PORT, ... portrange P1-P2 */
struct ir_block *
gen_port(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	struct gen_range r;
	unsigned protos;

	if (gen_port_spec(g, n, 1, &r, &protos) < 0)
		return NULL;
	return gen_port_values(g, protos, NULL, n->u.id.q->dir, &r, 1, n->at, t, f);
}

int
gen_port_setadd(struct gen *g, struct gen_set *s, const struct ast_node *n)
{
	const struct ast_head *q;
	struct gen_range r;
	unsigned protos;
	enum ast_dir dir;

	if (n->kind != AST_ID)
		return 0;
	q = n->u.id.q;
	dir = q->dir == AST_DIR_DEFAULT ? AST_DIR_OR : q->dir;
	if ((q->addr != AST_ADDR_PORT && q->addr != AST_ADDR_PORTRANGE) ||
	    (dir != AST_DIR_OR && dir != AST_DIR_SRC && dir != AST_DIR_DST) ||
	    gen_port_spec(g, n, 0, &r, &protos) < 0 ||
	    (s->n > 0 && protos != s->protos))
		return 0;
	s->kind = GEN_SET_PORT;
	s->q = q;
	s->protos = protos;
	return gen_set_push(g, s, r.lo, r.hi, dir) < 0 ? -1 : 1;
}

struct ir_block *
gen_port_set(struct gen *g, const struct gen_set *s, struct ir_block *t, struct ir_block *f)
{
	return gen_port_values(g, s->protos, s->dirs, AST_DIR_OR, s->v, s->n, s->at, t, f);
}
