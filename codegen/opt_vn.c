/*
 * opt_vn.c: value numbering and path facts, the analysis the passes share.
 *
 * Takes: an IR program without unreachable blocks.  Gives (struct opt_an):
 * per block the value number of A, X and M[0..15] on entry and exit, the
 * capture length known on entry, and the branch outcomes known on every
 * path into the block.  The IR is a DAG, so one sweep in reverse
 * postorder computes all of it; a register whose predecessors disagree
 * gets a fresh number (a "phi" of that block and register).
 *
 * Invariants: a value number names one value per execution.  A packet
 * number (PKT, IND, MSH) only arises from a load that ran on the path, so
 * "register holds the number a load would give" proves the load ran and
 * cannot fail now.  Simplifications never fold an operation that can end
 * the program (division by X = 0).
 */
#include <config.h>

#include <string.h>

#include "codegen/opt.h"

enum vn_kind { VN_CONST = 1, VN_LEN, VN_PKT, VN_IND, VN_MSH, VN_ALU, VN_PHI, VN_FRESH, VN_UNINIT };

static uint32_t
vn_hash(uint32_t kind, uint32_t op, uint32_t a, uint32_t b)
{
	uint64_t h = kind * 0x9e3779b97f4a7c15ull;
	h = (h ^ op) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ a) * 0x94d049bb133111ebull;
	h = (h ^ b) * 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h >> 32);
}

static int
vn_grow(struct opt_vn *v)
{
	uint32_t ncap = v->cap ? v->cap * 2 : 256;
	struct opt_vnent *ne = arena_calloc(v->arena, ncap, sizeof(*ne));
	uint32_t *nh = arena_calloc(v->arena, (size_t)ncap * 2, sizeof(*nh));

	if (ne == NULL || nh == NULL)
		return -1;
	if (v->ent != NULL)
		memcpy(ne, v->ent, (size_t)v->n * sizeof(*ne));
	v->ent = ne;
	v->cap = ncap;
	v->hash = nh;
	v->hcap = ncap * 2;
	for (uint32_t i = 1; i < v->n; i++) {
		const struct opt_vnent *e = &v->ent[i];
		uint32_t h = vn_hash(e->kind, e->op, e->a, e->b) & (v->hcap - 1);
		while (v->hash[h])
			h = (h + 1) & (v->hcap - 1);
		v->hash[h] = i;
	}
	return 0;
}

/* The number of (kind, op, a, b); 0 once out of memory. */
static uint32_t
vn_get(struct opt_vn *v, uint32_t kind, uint32_t op, uint32_t a, uint32_t b)
{
	uint32_t h;

	if (v->failed)
		return 0;
	if (v->n == 0)
		v->n = 1; /* number 0 means "none" */
	if (v->n + 1 >= v->cap && vn_grow(v) != 0) {
		v->failed = 1;
		return 0;
	}
	h = vn_hash(kind, op, a, b) & (v->hcap - 1);
	while (v->hash[h]) {
		const struct opt_vnent *e = &v->ent[v->hash[h]];
		if (e->kind == kind && e->op == op && e->a == a && e->b == b)
			return v->hash[h];
		h = (h + 1) & (v->hcap - 1);
	}
	v->ent[v->n] = (struct opt_vnent){kind, op, a, b};
	v->hash[h] = v->n;
	return v->n++;
}

uint32_t
opt_vn_const(struct opt_vn *v, uint32_t k)
{
	return vn_get(v, VN_CONST, 0, k, 0);
}

int
opt_vn_is_const(const struct opt_vn *v, uint32_t vn, uint32_t *k)
{
	if (vn == 0 || vn >= v->n || v->ent[vn].kind != VN_CONST)
		return 0;
	*k = v->ent[vn].a;
	return 1;
}

uint32_t
opt_vn_phi(struct opt_vn *v, uint32_t block, uint32_t reg)
{
	return vn_get(v, block == UINT32_MAX ? VN_UNINIT : VN_PHI, 0, block, reg);
}

int
opt_vn_add_const(const struct opt_vn *v, uint32_t vn, uint32_t *base, uint32_t *c)
{
	const struct opt_vnent *e;

	if (vn == 0 || vn >= v->n || v->ent[vn].kind != VN_ALU || v->ent[vn].op != CBPF_ADD)
		return 0;
	e = &v->ent[vn];
	if (opt_vn_is_const(v, e->b, c))
		*base = e->a;
	else if (opt_vn_is_const(v, e->a, c))
		*base = e->b;
	else
		return 0;
	/* only bases below 2^16, so that base + c cannot wrap */
	if (*c >= 0x80000000u || *base >= v->n)
		return 0;
	e = &v->ent[*base];
	return e->kind == VN_MSH || (e->kind == VN_PKT && e->op != CBPF_W);
}

static uint32_t
vn_fresh(struct opt_vn *v)
{
	return vn_get(v, VN_FRESH, 0, ++v->fresh, 0);
}

/* ALU op (CBPF_ADD.. as code & 0xf0) on numbers a and b: folded when both
 * are constants, simplified for identities; `fails` for division by 0. */
static uint32_t
vn_alu(struct opt_vn *v, uint32_t op, uint32_t a, uint32_t b, int *fails)
{
	uint32_t x = 0, y = 0, r;
	int ca = opt_vn_is_const(v, a, &x), cb = opt_vn_is_const(v, b, &y);

	*fails = 0;
	if (op == CBPF_NEG)
		return ca ? opt_vn_const(v, 0u - x) : vn_get(v, VN_ALU, op, a, 0);
	if (cb && y == 0 && (op == CBPF_DIV || op == CBPF_MOD)) {
		*fails = 1;
		return vn_fresh(v);
	}
	if (!cb && (op == CBPF_DIV || op == CBPF_MOD))
		*fails = -1; /* may fail: the caller decides purity */
	if ((op == CBPF_LSH || op == CBPF_RSH) && cb && y >= 32)
		return vn_fresh(v); /* no fold where C would be undefined */
	if (ca && cb) {
		switch (op) {
		case CBPF_ADD: r = x + y; break;
		case CBPF_SUB: r = x - y; break;
		case CBPF_MUL: r = x * y; break;
		case CBPF_DIV: r = x / y; break;
		case CBPF_MOD: r = x % y; break;
		case CBPF_AND: r = x & y; break;
		case CBPF_OR: r = x | y; break;
		case CBPF_XOR: r = x ^ y; break;
		case CBPF_LSH: r = x << y; break;
		case CBPF_RSH: r = x >> y; break;
		default: return vn_fresh(v);
		}
		return opt_vn_const(v, r);
	}
	if (cb && y == 0 && (op == CBPF_ADD || op == CBPF_SUB || op == CBPF_OR ||
			     op == CBPF_XOR || op == CBPF_LSH || op == CBPF_RSH))
		return a;
	if (cb && y == 1 && (op == CBPF_MUL || op == CBPF_DIV))
		return a;
	if (cb && y == 0xffffffffu && op == CBPF_AND)
		return a;
	if (cb && y == 0 && (op == CBPF_AND || op == CBPF_MUL))
		return opt_vn_const(v, 0);
	if (a == b && (op == CBPF_SUB || op == CBPF_XOR))
		return opt_vn_const(v, 0);
	if (a == b && (op == CBPF_AND || op == CBPF_OR))
		return a;
	/* the same with the constant on the left (A = 0 or 1, X the operand) */
	if (ca && x == 0 && (op == CBPF_ADD || op == CBPF_OR || op == CBPF_XOR))
		return b;
	if (ca && ((x == 1 && op == CBPF_MUL) || (x == 0xffffffffu && op == CBPF_AND)))
		return b;
	if (ca && x == 0 && (op == CBPF_AND || op == CBPF_MUL || op == CBPF_LSH ||
			     op == CBPF_RSH) && *fails == 0)
		return opt_vn_const(v, 0);
	return vn_get(v, VN_ALU, op, a, b);
}

static unsigned
ld_size(uint16_t code)
{
	return (code & 0x18) == CBPF_W ? 4 : (code & 0x18) == CBPF_H ? 2 : 1;
}

static void
eval_load(struct opt_vn *v, const struct opt_state *st, const struct ir_stmt *s,
	  struct opt_eff *e)
{
	uint64_t end = (uint64_t)s->k + ld_size(s->code);

	switch (s->code & 0xe0) {
	case CBPF_IMM: e->vn = opt_vn_const(v, s->k); break;
	case CBPF_LEN: e->vn = vn_get(v, VN_LEN, 0, 0, 0); break;
	case CBPF_MEM: e->vn = st->r[OPT_M0 + (s->k & 15)]; break;
	case CBPF_ABS:
		e->vn = vn_get(v, VN_PKT, s->code & 0x18, s->k, 0);
		e->pure = end <= st->safe;
		break;
	case CBPF_MSH:
		e->vn = vn_get(v, VN_MSH, 0, s->k, 0);
		e->pure = (uint64_t)s->k + 1 <= st->safe;
		break;
	case CBPF_IND:
		e->vn = vn_get(v, VN_IND, s->code & 0x18, s->k, st->r[OPT_X]);
		e->pure = st->xvn != 0 && st->xvn == st->r[OPT_X] && end <= st->xsafe;
		break;
	default: e->vn = vn_fresh(v); e->pure = 0; break;
	}
}

void
opt_eval(struct opt_vn *v, const struct opt_state *st, const struct ir_stmt *s,
	 struct opt_eff *e)
{
	int fails;
	uint32_t xk;

	e->reg = -1;
	e->vn = 0;
	e->pure = 1;
	switch (CBPF_CLASS(s->code)) {
	case CBPF_LD:
	case CBPF_LDX:
		e->reg = CBPF_CLASS(s->code) == CBPF_LD ? OPT_A : OPT_X;
		eval_load(v, st, s, e);
		break;
	case CBPF_ST:
	case CBPF_STX:
		e->reg = OPT_M0 + (int)(s->k & 15);
		e->vn = st->r[CBPF_CLASS(s->code) == CBPF_ST ? OPT_A : OPT_X];
		break;
	case CBPF_ALU:
		e->reg = OPT_A;
		e->vn = vn_alu(v, s->code & 0xf0, st->r[OPT_A],
			       s->code & CBPF_X ? st->r[OPT_X] : opt_vn_const(v, s->k), &fails);
		if (fails > 0 || (fails < 0 && !(opt_vn_is_const(v, st->r[OPT_X], &xk) && xk)))
			e->pure = 0;
		break;
	default: /* MISC */
		e->reg = s->code & CBPF_TXA ? OPT_A : OPT_X;
		e->vn = st->r[s->code & CBPF_TXA ? OPT_X : OPT_A];
		break;
	}
	e->noop = e->reg >= 0 && e->vn != 0 && st->r[e->reg] == e->vn;
	if (e->noop)
		e->pure = 1; /* the same value is there: the statement ran before */
}

void
opt_apply(struct opt_state *st, const struct ir_stmt *s, const struct opt_eff *e)
{
	unsigned c = CBPF_CLASS(s->code);

	if (e->reg >= 0)
		st->r[e->reg] = e->vn;
	if ((c == CBPF_LD || c == CBPF_LDX) &&
	    ((s->code & 0xe0) == CBPF_ABS || (s->code & 0xe0) == CBPF_IND ||
	     (s->code & 0xe0) == CBPF_MSH)) {
		/* it returned: the capture reaches at least k + size */
		uint64_t end = (uint64_t)s->k + ((s->code & 0xe0) == CBPF_MSH ? 1 : ld_size(s->code));
		if (end > st->safe)
			st->safe = end;
		if ((s->code & 0xe0) == CBPF_IND) {
			/* X + k + size <= caplen: X + k' + size' too, when no longer */
			if (st->xvn != st->r[OPT_X])
				st->xvn = st->r[OPT_X], st->xsafe = 0;
			if (end > st->xsafe)
				st->xsafe = end;
		}
	}
}

uint32_t
opt_stmt_uses(const struct ir_stmt *s)
{
	uint16_t c = s->code;

	switch (CBPF_CLASS(c)) {
	case CBPF_LD:
	case CBPF_LDX:
		if ((c & 0xe0) == CBPF_MEM)
			return 1u << (OPT_M0 + (s->k & 15));
		return (c & 0xe0) == CBPF_IND ? 1u << OPT_X : 0;
	case CBPF_ST: return 1u << OPT_A;
	case CBPF_STX: return 1u << OPT_X;
	case CBPF_ALU: return 1u << OPT_A | ((c & CBPF_X) && (c & 0xf0) != CBPF_NEG ? 1u << OPT_X : 0);
	default: return c & CBPF_TXA ? 1u << OPT_X : 1u << OPT_A;
	}
}

uint32_t
opt_term_uses(const struct ir_block *b)
{
	if (b->term == IR_BRANCH)
		return 1u << OPT_A | (b->code & CBPF_X ? 1u << OPT_X : 0);
	if (b->term == IR_RET && (b->code & 0x18) == CBPF_A)
		return 1u << OPT_A;
	return 0;
}

uint32_t
opt_killed(const struct ir_block *t)
{
	uint32_t used = 0, killed = 0;

	for (uint32_t i = 0; i < t->nstmts; i++) {
		const struct ir_stmt *s = &t->stmts[i];
		unsigned c = CBPF_CLASS(s->code);
		int reg = c == CBPF_LD || c == CBPF_ALU ? OPT_A
			  : c == CBPF_LDX ? OPT_X
			  : c == CBPF_ST || c == CBPF_STX ? OPT_M0 + (int)(s->k & 15)
			  : (s->code & CBPF_TXA) ? OPT_A : OPT_X;
		used |= opt_stmt_uses(s) & ~killed;
		killed |= 1u << reg;
	}
	used |= opt_term_uses(t) & ~killed;
	return t->term == IR_RET ? ~used : killed & ~used;
}
