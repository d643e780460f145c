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

struct gen_portspec {
	uint32_t lo, hi;  /* lo == hi: a port */
	unsigned protos;  /* RESOLVE_* */
	enum ast_dir dir;
	struct ast_span at;
};

/* One port field (at offset 0 or 2 of the transport header) in range. */
static struct ir_block *
gen_portfield(struct gen *g, enum gen_base base, uint32_t off, const struct gen_portspec *ps,
	      struct ir_block *t, struct ir_block *f)
{
	struct ir_block *hi;

	if (ps->lo == ps->hi)
		return gen_cmp(g, base, off, CBPF_H, ~0u, CBPF_JEQ, ps->lo, t, f);
	hi = gen_cmp(g, base, off, CBPF_H, ~0u, CBPF_JGT, ps->hi, f, t);
	return gen_cmp(g, base, off, CBPF_H, ~0u, CBPF_JGE, ps->lo, hi, f);
}

static struct ir_block *
gen_portdir(struct gen *g, enum gen_base base, const struct gen_portspec *ps,
	    struct ir_block *t, struct ir_block *f)
{
	struct ir_block *d;

	switch (ps->dir) {
	case AST_DIR_SRC:
		return gen_portfield(g, base, 0, ps, t, f);
	case AST_DIR_DST:
		return gen_portfield(g, base, 2, ps, t, f);
	case AST_DIR_DEFAULT:
	case AST_DIR_OR:
		d = gen_portfield(g, base, 2, ps, t, f);
		return gen_portfield(g, base, 0, ps, t, d);
	case AST_DIR_AND:
		d = gen_portfield(g, base, 2, ps, t, f);
		return gen_portfield(g, base, 0, ps, d, f);
	default:
		return gen_fail(g, BPFC_ESEMANTIC, ps->at, "'%s' is not a valid qualifier for ports",
				ast_dir_name(ps->dir));
	}
}

/* IPv4: protocol, first fragment, ports (libpcap: gen_portop). */
static struct ir_block *
gen_port4(struct gen *g, const struct gen_portspec *ps, struct ir_block *t, struct ir_block *f)
{
	struct ir_block *next = f, *b;

	for (size_t i = GEN_NPORT_PROTOS; i-- > 0;) {
		if (!(ps->protos & gen_port_protos[i].bit))
			continue;
		b = gen_portdir(g, GEN_TRAN4, ps, t, next);
		b = gen_ip4first(g, b, next);
		next = gen_cmp(g, GEN_NET, 9, CBPF_B, ~0u, CBPF_JEQ, gen_port_protos[i].num, b, next);
	}
	return gen_llproto(g, PROTO_ETHERTYPE_IP, ps->at, next, f);
}

/* IPv6: next header, ports (libpcap: gen_portop6). */
static struct ir_block *
gen_port6(struct gen *g, const struct gen_portspec *ps, struct ir_block *t, struct ir_block *f)
{
	struct ir_block *next = f, *b;

	for (size_t i = GEN_NPORT_PROTOS; i-- > 0;) {
		if (!(ps->protos & gen_port_protos[i].bit))
			continue;
		b = gen_portdir(g, GEN_TRAN6, ps, t, next);
		next = gen_cmp(g, GEN_NET, 6, CBPF_B, ~0u, CBPF_JEQ, gen_port_protos[i].num, b, next);
	}
	return gen_llproto(g, PROTO_ETHERTYPE_IPV6, ps->at, next, f);
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

/* pcap-filter(7): [tcp|udp|sctp] [src|dst] port PORT, ... portrange P1-P2 */
struct ir_block *
gen_port(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct ast_head *q = n->u.id.q;
	const struct ast_value *v = n->u.id.addr;
	struct gen_portspec ps = {0, 0, RESOLVE_TCP | RESOLVE_UDP | RESOLVE_SCTP, q->dir, n->at};
	unsigned p2 = ps.protos;
	struct ir_block *b;

	if (v->kind == AST_V_NUM) {
		ps.lo = ps.hi = v->num;
	} else if (v->kind != AST_V_NAME || n->u.id.form != AST_ID_PLAIN) {
		return gen_fail(g, BPFC_ESEMANTIC, v->at, "'%s' is not a port", v->text);
	} else if (q->addr == AST_ADDR_PORT) {
		if (gen_port_value(g, v->text, strlen(v->text), v->at, &ps.lo, &ps.protos) < 0)
			return NULL;
		ps.hi = ps.lo;
	} else {
		/* P1-P2: numbers, or names split at the first '-' */
		const char *dash = strchr(v->text, '-');
		if (dash == NULL)
			return gen_fail(g, BPFC_ESEMANTIC, v->at, "unknown port in range '%s'",
					v->text);
		if (gen_port_value(g, v->text, (size_t)(dash - v->text), v->at, &ps.lo,
				   &ps.protos) < 0 ||
		    gen_port_value(g, dash + 1, strlen(dash + 1), v->at, &ps.hi, &p2) < 0)
			return NULL;
		if (ps.protos != p2)
			ps.protos = RESOLVE_TCP | RESOLVE_UDP | RESOLVE_SCTP;
	}
	if (gen_port_protos_for(g, q, v, &ps.protos) < 0)
		return NULL;
	if (ps.lo > 65535 || ps.hi > 65535)
		return gen_fail(g, BPFC_ERANGE, v->at, "port %u out of range (0-65535)",
				ps.lo > 65535 ? ps.lo : ps.hi);
	if (ps.lo > ps.hi) {
		uint32_t x = ps.lo;
		ps.lo = ps.hi;
		ps.hi = x;
	}
	/* IPv6 first, as libpcap orders them */
	b = gen_port4(g, &ps, t, f);
	return b == NULL ? NULL : gen_port6(g, &ps, t, b);
}
