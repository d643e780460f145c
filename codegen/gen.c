/*
 * gen.c: the code generator's entry point and its logic (codegen/gen.h).
 *
 * Takes: an AST.  Gives: an IR program built target-first: gen_cond(g, n,
 * t, f) makes the code of `n` that goes to block `t` or `f`, so `and`,
 * `or` and `not` just pass different targets down (STYLE.md rule 4).  The
 * primitives are in gen_link.c (link layer, vlan, mpls, pppoe, llc),
 * gen_ip.c (protocols, hosts, networks), gen_port.c (ports) and
 * gen_arith.c (relations); which one a node kind goes to is the table
 * gen_kind_fn below, and a kind missing there is BPFC_EUNSUPPORTED naming
 * it.  The offsets a primitive uses depend on the vlan/mpls/pppoes written
 * before it in the text (gen_offsets_at), as in libpcap.
 *
 * Invariant: every block is made with the source range of the node being
 * generated (g->begin, g->end), so `bpfc --dump=ir` and the optimizer's
 * diagnostics can point at the text.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codegen/gen_int.h"

static void gen_offsets_at(struct gen *g, uint32_t pos);

typedef struct ir_block *gen_fn(struct gen *g, const struct ast_node *n, struct ir_block *t,
				struct ir_block *f);

void *
gen_fail(struct gen *g, enum bpfc_status code, struct ast_span at, const char *fmt, ...)
{
	char msg[BPFC_ERRBUF_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_at(g->err, code, at.begin, at.end, "%s", msg);
	return NULL;
}

struct ir_block *
gen_block(struct gen *g)
{
	return ir_block_new(g->p, g->begin, g->end);
}

const char *
gen_proto_text(enum ast_proto p, const char *written)
{
	return written != NULL && written[0] != '\0' ? written : ast_proto_name(p);
}

void
gen_emit_load(struct gen *g, struct ir_block *b, enum gen_base base, uint32_t off, uint16_t size)
{
	uint32_t net = g->off_net;

	switch (base) {
	case GEN_ABS:
		ir_emit(b, CBPF_LD | size | CBPF_ABS, off);
		break;
	case GEN_LINK:
		ir_emit(b, CBPF_LD | size | CBPF_ABS, g->off_link + off);
		break;
	case GEN_NET:
		ir_emit(b, CBPF_LD | size | CBPF_ABS, net + off);
		break;
	case GEN_TRAN6:
		ir_emit(b, CBPF_LD | size | CBPF_ABS, net + 40 + off);
		break;
	case GEN_TRAN4:
		ir_emit(b, CBPF_LDX | CBPF_B | CBPF_MSH, net); /* ldxb 4*([net]&0xf) */
		ir_emit(b, CBPF_LD | size | CBPF_IND, net + off);
		break;
	case GEN_X:
		ir_emit(b, CBPF_LD | size | CBPF_IND, off);
		break;
	}
}

struct ir_block *
gen_cmp(struct gen *g, enum gen_base base, uint32_t off, uint16_t size, uint32_t mask,
	uint16_t jop, uint32_t k, struct ir_block *t, struct ir_block *f)
{
	struct ir_block *b = gen_block(g);

	gen_emit_load(g, b, base, off, size);
	if (mask != 0xffffffffu)
		ir_emit(b, CBPF_ALU | CBPF_AND | CBPF_K, mask);
	ir_branch(b, CBPF_JMP | jop | CBPF_K, k, t, f);
	return b;
}

/* ---- fields and sets of values ---- */

struct ir_block *
gen_in(struct gen *g, const struct gen_field *fl, const struct gen_range *v, size_t n,
       struct ir_block *t, struct ir_block *f)
{
	struct ir_block *next = f, *b = NULL;

	for (size_t i = n; i-- > 0;) {
		b = gen_block(g);
		if (i == 0) {
			if (fl->xslot >= 0)
				ir_emit(b, CBPF_LDX | CBPF_MEM, (uint32_t)fl->xslot);
			gen_emit_load(g, b, fl->base, fl->off, fl->size);
			if (fl->mask != 0xffffffffu)
				ir_emit(b, CBPF_ALU | CBPF_AND | CBPF_K, fl->mask);
		}
		if (v[i].lo == v[i].hi) {
			ir_branch(b, CBPF_JMP | CBPF_JEQ | CBPF_K, v[i].lo, t, next);
		} else {
			struct ir_block *hi = gen_block(g);
			ir_branch(hi, CBPF_JMP | CBPF_JGT | CBPF_K, v[i].hi, next, t);
			ir_branch(b, CBPF_JMP | CBPF_JGE | CBPF_K, v[i].lo, hi, next);
		}
		next = b;
	}
	return b;
}

static int
gen_range_in(const struct gen_range *v, size_t n, const struct gen_range *x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].lo == x->lo && v[i].hi == x->hi)
			return 1;
	return 0;
}

/*
 * Tested one by one, the run loads the source for its first tests, and
 * the destination at its first test of the destination: a packet too
 * short for it returns 0 there; after that both are loaded and no load
 * can fail.  So it holds when the source is one of the values tested
 * before the destination's first (`pre`), or the destination is in the
 * packet and the destination is one of its values or the source one of
 * the rest: three tests in that order.
 */
struct ir_block *
gen_dirs_in(struct gen *g, const struct gen_field *src, const struct gen_field *dst,
	    const struct gen_range *v, const enum ast_dir *dirs, enum ast_dir dir, size_t n,
	    struct ir_block *t, struct ir_block *f)
{
	struct gen_range *pre, *s, *d;
	size_t npre = 0, ns = 0, nd = 0;
	struct ir_block *b;
	/* A match that rejects (a negated run) cannot be told from a load
	 * that fails: every source value may then go first. */
	int reject = t->term == IR_RET && t->nstmts == 0 && (t->code & 0x18) == CBPF_K && t->k == 0;

	if (dirs == NULL && dir == AST_DIR_AND) {
		if (n != 1)
			return NULL;
		b = gen_in(g, dst, v, 1, t, f);
		return gen_in(g, src, v, 1, b, f);
	}
	pre = arena_calloc(g->a, 3 * n, sizeof(*pre));
	if (pre == NULL) {
		diag_plain(g->err, BPFC_ENOMEM, "out of memory");
		return NULL;
	}
	s = pre + n;
	d = s + n;
	for (size_t i = 0; i < n; i++) {
		enum ast_dir di = dirs != NULL ? dirs[i] : dir;
		if (di == AST_DIR_DEFAULT)
			di = AST_DIR_OR;
		if (di != AST_DIR_SRC && di != AST_DIR_DST && di != AST_DIR_OR)
			return NULL;
		if (di != AST_DIR_DST) {
			if (nd == 0 || reject)
				pre[npre++] = v[i];
			else if (npre > 8 || !gen_range_in(pre, npre, &v[i]))
				s[ns++] = v[i];
		}
		if (di != AST_DIR_SRC)
			d[nd++] = v[i];
	}
	b = ns > 0 ? gen_in(g, src, s, ns, t, f) : f;
	b = nd > 0 ? gen_in(g, dst, d, nd, t, b) : b;
	return npre > 0 ? gen_in(g, src, pre, npre, t, b) : b;
}

int
gen_set_push(struct gen *g, struct gen_set *s, uint32_t lo, uint32_t hi, enum ast_dir dir)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 8;
		struct gen_range *v = arena_calloc(g->a, ncap, sizeof(*v));
		enum ast_dir *dirs = arena_calloc(g->a, ncap, sizeof(*dirs));
		if (v == NULL || dirs == NULL) {
			diag_plain(g->err, BPFC_ENOMEM, "out of memory");
			return -1;
		}
		if (s->n > 0) {
			memcpy(v, s->v, s->n * sizeof(*v));
			memcpy(dirs, s->dirs, s->n * sizeof(*dirs));
		}
		s->v = v;
		s->dirs = dirs;
		s->cap = ncap;
	}
	s->v[s->n].lo = lo;
	s->v[s->n].hi = hi;
	s->dirs[s->n] = dir;
	s->n++;
	return 0;
}

/* ---- and, or, not, empty ---- */

/* The kinds of primitive a run can gather, in the order tried. */
static const struct {
	int (*add)(struct gen *g, struct gen_set *s, const struct ast_node *n);
	struct ir_block *(*gen)(struct gen *g, const struct gen_set *s, struct ir_block *t,
				struct ir_block *f);
} gen_set_kinds[] = {
	{gen_host4_setadd, gen_host4_set},
	{gen_port_setadd, gen_port_set},
};

struct gen_list {
	const struct ast_node **v;
	size_t n, cap;
};

static int
gen_list_push(struct gen *g, struct gen_list *l, const struct ast_node *n)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? 2 * l->cap : 16;
		const struct ast_node **v = arena_calloc(g->a, ncap, sizeof(*v));
		if (v == NULL)
			return -1;
		if (l->n > 0)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
		l->cap = ncap;
	}
	l->v[l->n++] = n;
	return 0;
}

/* The operands of nested `kind` (AST_OR or AST_AND) nodes, in text
 * order.  `a or b or c ...` nests to the left as deep as it is long, so
 * the left spine is walked without recursion; right operands of the same
 * kind (parenthesized) recurse. */
static int
gen_operands(struct gen *g, const struct ast_node *n, enum ast_kind kind, struct gen_list *out)
{
	struct gen_list spine = {0};
	const struct ast_node *x;

	for (x = n; x->kind == kind; x = x->u.bin.l)
		if (gen_list_push(g, &spine, x) < 0)
			return -1;
	if (gen_list_push(g, out, x) < 0)
		return -1;
	for (size_t i = spine.n; i-- > 0;) {
		const struct ast_node *r = spine.v[i]->u.bin.r;
		if (r->kind == kind ? gen_operands(g, r, kind, out) < 0 : gen_list_push(g, out, r) < 0)
			return -1;
	}
	return 0;
}

/* The member of a run that operand x is: x itself in an or, the operand
 * of `not x` in an and (`not a and not b` is `not (a or b)`); NULL. */
static const struct ast_node *
gen_member(const struct ast_node *x, enum ast_kind kind)
{
	if (kind == AST_OR)
		return x;
	return x->kind == AST_NOT ? x->u.operand : NULL;
}

/* The run of set members starting at v[i]: its length (0 when v[i] is
 * no member of any set), with *s and *kind filled; -1 out of memory. */
static long
gen_run(struct gen *g, const struct gen_list *l, size_t i, enum ast_kind op, struct gen_set *s,
	size_t *kind)
{
	for (size_t k = 0; k < sizeof(gen_set_kinds) / sizeof(gen_set_kinds[0]); k++) {
		size_t j = i;
		const struct ast_node *m;
		int r = 0;
		memset(s, 0, sizeof(*s));
		while (j < l->n && (m = gen_member(l->v[j], op)) != NULL &&
		       (r = gen_set_kinds[k].add(g, s, m)) > 0)
			j++;
		if (r < 0)
			return -1;
		if (j > i) {
			*kind = k;
			s->at.begin = l->v[i]->at.begin;
			s->at.end = l->v[j - 1]->at.end;
			return (long)(j - i);
		}
	}
	return 0;
}

/* expr: expr or expr, expr and expr.  Runs of host or port primitives
 * that differ only in their value and direction are one set
 * (gen_set_kinds; a run of one too, so a name is looked up once), in an
 * and when each is negated; the rest is generated operand by operand,
 * the last first. */
static struct ir_block *
gen_andor(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	struct gen_list l = {0};
	struct {
		size_t begin, len, kind;
		int set; /* a run (of one or more primitives) of gen_set_kinds */
		struct gen_set s;
	} *runs;
	size_t nruns = 0;
	int or = n->kind == AST_OR;
	struct ir_block *next = or ? f : t;

	if (gen_operands(g, n, n->kind, &l) < 0 ||
	    (runs = arena_calloc(g->a, l.n, sizeof(*runs))) == NULL) {
		diag_plain(g->err, BPFC_ENOMEM, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < l.n;) {
		long len = gen_run(g, &l, i, n->kind, &runs[nruns].s, &runs[nruns].kind);
		if (len < 0)
			return NULL;
		runs[nruns].begin = i;
		runs[nruns].len = len > 0 ? (size_t)len : 1;
		runs[nruns].set = len > 0;
		i += runs[nruns++].len;
	}
	while (nruns-- > 0 && next != NULL) {
		size_t i = runs[nruns].begin;
		if (!runs[nruns].set) {
			next = or ? gen_cond(g, l.v[i], t, next) : gen_cond(g, l.v[i], next, f);
			continue;
		}
		uint32_t begin = g->begin, end = g->end;
		g->begin = runs[nruns].s.at.begin;
		g->end = runs[nruns].s.at.end;
		gen_offsets_at(g, l.v[i]->at.begin);
		next = gen_set_kinds[runs[nruns].kind].gen(g, &runs[nruns].s, or ? t : f, next);
		g->begin = begin;
		g->end = end;
	}
	return ir_failed(g->p) ? NULL : next;
}

/* expr: not expr */
static struct ir_block *
gen_not(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	return gen_cond(g, n->u.operand, f, t);
}

/* The empty filter accepts everything. */
static struct ir_block *
gen_empty(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	(void)g, (void)n, (void)f;
	return t;
}

/* pcap-filter(7): a bare protocol, `tcp`, `ip6`, `arp` */
static struct ir_block *
gen_bare_proto(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	return gen_proto_abbrev(g, n->u.other.proto, n->at, t, f);
}

static gen_fn *const gen_kind_fn[AST_KIND_COUNT] = {
	[AST_EMPTY] = gen_empty,
	[AST_AND] = gen_andor,
	[AST_OR] = gen_andor,
	[AST_NOT] = gen_not,
	[AST_ID] = gen_id,
	[AST_PROTO] = gen_bare_proto,
	[AST_REL] = gen_rel,
	[AST_BYTE] = gen_byte,
	[AST_BROADCAST] = gen_broadcast,
	[AST_MULTICAST] = gen_multicast,
	[AST_LESS] = gen_length,
	[AST_GREATER] = gen_length,
	[AST_VLAN] = gen_vlan,
	[AST_MPLS] = gen_mpls,
	[AST_PPPOED] = gen_pppoed,
	[AST_PPPOES] = gen_pppoes,
	[AST_LLC] = gen_llc,
	[AST_INBOUND] = gen_direction,
	[AST_OUTBOUND] = gen_direction,
	[AST_IFINDEX] = gen_ifindex,
};

/* The offsets in force at byte `pos` of the text: the table's, moved by
 * each shifter written before it. */
static void
gen_offsets_at(struct gen *g, uint32_t pos)
{
	g->off_link = 0;
	g->off_proto = g->lt->off_proto;
	g->off_net = g->lt->off_net;
	g->cur = g->lt;
	g->kind = g->lt->kind;
	g->mpls = 0;
	for (size_t i = 0; i < g->nshifters && g->shifters[i]->at.begin < pos; i++)
		gen_shift(g, g->shifters[i]);
}

/* The offset-shifting primitives, in text order (and/or/not keep the
 * order of their operands in the text).  A primitive bpfc cannot generate
 * is reported here, before anything else: what follows it in libpcap may
 * depend on it (geneve moves every offset after it), so no other verdict
 * about the expression would be reliable. */
static int
gen_collect_shifters(struct gen *g, const struct ast_node *n, size_t *cap)
{
	if ((unsigned)n->kind >= AST_KIND_COUNT || gen_kind_fn[n->kind] == NULL)
		return gen_fail(g, BPFC_EUNSUPPORTED, n->at, "'%s' is not supported yet",
				ast_kind_name(n->kind)), -1;
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		return gen_collect_shifters(g, n->u.bin.l, cap) < 0 ? -1
			: gen_collect_shifters(g, n->u.bin.r, cap);
	case AST_NOT:
		return gen_collect_shifters(g, n->u.operand, cap);
	case AST_VLAN:
	case AST_MPLS:
	case AST_PPPOES:
		if (g->nshifters == *cap) {
			size_t ncap = *cap ? 2 * *cap : 8;
			const struct ast_node **v = arena_calloc(g->a, ncap, sizeof(*v));
			if (v == NULL)
				return -1;
			for (size_t i = 0; i < g->nshifters; i++)
				v[i] = g->shifters[i];
			g->shifters = v;
			*cap = ncap;
		}
		g->shifters[g->nshifters++] = n;
		return 0;
	default:
		return 0;
	}
}

struct ir_block *
gen_cond(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	uint32_t begin = g->begin, end = g->end;
	struct ir_block *b;

	if (diag_failed(g->err) || ir_failed(g->p))
		return NULL;
	if ((unsigned)n->kind >= AST_KIND_COUNT || gen_kind_fn[n->kind] == NULL)
		return gen_fail(g, BPFC_EUNSUPPORTED, n->at, "'%s' is not supported yet",
				ast_kind_name(n->kind));
	g->begin = n->at.begin;
	g->end = n->at.end;
	if (n->kind != AST_AND && n->kind != AST_OR && n->kind != AST_NOT)
		gen_offsets_at(g, n->at.begin);
	b = gen_kind_fn[n->kind](g, n, t, f);
	g->begin = begin;
	g->end = end;
	return ir_failed(g->p) ? NULL : b;
}

/* ---- the entry point ---- */

int
codegen_supports_linktype(int linktype)
{
	return linktype_find(linktype) != NULL;
}

/* The empty filter on a link type bpfc has no table for: it reads no
 * header, so it compiles on any link type (libpcap too; tcpdump compiles
 * "" when given no filter), up to the highest DLT_ value libpcap defines
 * (DLT_MATCHING_MAX, 289 in 1.10); libpcap refuses values beyond. */
#define GEN_DLT_MAX 289
static struct ir_prog *
gen_empty_filter(struct arena *a, const struct codegen_options *o, struct bpfc_error *err)
{
	struct ir_prog *p = ir_new(a);

	if (p == NULL) {
		diag_plain(err, BPFC_ENOMEM, "out of memory");
		return NULL;
	}
	ir_set_entry(p, ir_accept(p, o->snaplen));
	if (ir_failed(p)) {
		*err = *ir_error(p);
		return NULL;
	}
	return p;
}

struct ir_prog *
codegen_filter(struct arena *a, const struct ast_node *root, const struct codegen_options *o,
	       struct bpfc_error *err)
{
	struct gen g;
	struct ir_block *acc, *rej, *entry;

	memset(&g, 0, sizeof(g));
	g.a = a;
	g.o = o;
	g.err = err;
	g.r = o->resolver != NULL ? o->resolver : resolve_system();
	g.lt = linktype_find(o->linktype);
	if (g.lt == NULL && root->kind == AST_EMPTY && o->linktype >= 0 &&
	    o->linktype <= GEN_DLT_MAX)
		return gen_empty_filter(a, o, err);
	if (g.lt == NULL) {
		diag_plain(err, BPFC_EUNSUPPORTED, "link type %d is not supported yet", o->linktype);
		return NULL;
	}
	g.p = ir_new(a);
	if (g.p == NULL) {
		diag_plain(err, BPFC_ENOMEM, "out of memory");
		return NULL;
	}
	g.begin = root->at.begin;
	g.end = root->at.end;
	g.off_proto = g.lt->off_proto;
	g.off_net = g.lt->off_net;
	g.cur = g.lt;
	g.kind = g.lt->kind;
	size_t cap = 0;
	if (gen_collect_shifters(&g, root, &cap) < 0) {
		if (!diag_failed(err))
			diag_plain(err, BPFC_ENOMEM, "out of memory");
		return NULL;
	}
	/* Returns first: they are shared by everything and laid out last. */
	acc = ir_accept(g.p, o->snaplen);
	rej = ir_reject(g.p);
	entry = gen_cond(&g, root, acc, rej);
	if (entry != NULL)
		ir_set_entry(g.p, entry);
	if (ir_failed(g.p) && !diag_failed(err))
		*err = *ir_error(g.p);
	if (diag_failed(err))
		return NULL;
	return g.p;
}
