/*
 * opt_blocks.c: the shape of the graph (pass 1).
 *
 * Takes: an IR program without unreachable blocks.  Gives: the same
 * program where
 *  - every edge to a statement-less return goes to one block per distinct
 *    return (the lowest id), so equal targets are seen as equal;
 *  - edges through statement-less gotos go straight to their target;
 *  - a branch with both edges to one block is a goto;
 *  - edges to blocks from which every path returns 0 go to `ret #0`;
 *  - identical blocks (statements, terminator, successors) become one;
 *  - a goto to a block with no other predecessor takes that block's
 *    statements and terminator.
 * Dead blocks are left for ir_remove_unreachable (the driver).  Each
 * change lowers the sum over edges of 1 + target height, or (for the
 * return merging, where heights are 0) the number of reachable blocks.
 */
#include <config.h>

#include "codegen/opt.h"

#define BL_MAXRETS 64

struct bl_rets {
	struct ir_block *b[BL_MAXRETS];
	uint32_t n;
};

static int
bl_empty_ret(const struct ir_block *b)
{
	return b->term == IR_RET && b->nstmts == 0;
}

/* The block all statement-less returns equal to b stand for. */
static struct ir_block *
bl_canon(struct bl_rets *r, struct ir_block *b)
{
	for (uint32_t i = 0; i < r->n; i++)
		if (r->b[i]->code == b->code && r->b[i]->k == b->k)
			return r->b[i];
	if (r->n < BL_MAXRETS)
		r->b[r->n++] = b;
	return b;
}

static struct ir_block *
bl_target(struct bl_rets *r, struct ir_block *t)
{
	while (t->term == IR_JUMP && t->nstmts == 0)
		t = t->jt; /* a DAG: ends */
	return bl_empty_ret(t) ? bl_canon(r, t) : t;
}

/* Retarget b's edges; simplify its terminator. */
static int
bl_edges(struct bl_rets *r, struct ir_block *b)
{
	int changed = 0;
	struct ir_block *t;

	if (b->term == IR_BRANCH) {
		struct ir_block *jt = bl_target(r, b->jt), *jf = bl_target(r, b->jf);
		changed = jt != b->jt || jf != b->jf;
		b->jt = jt;
		b->jf = jf;
		if (jt == jf) {
			ir_term_clear(b);
			ir_jump(b, jt);
			changed = 1;
		}
	}
	if (b->term == IR_JUMP) {
		t = bl_target(r, b->jt);
		changed |= t != b->jt;
		b->jt = t; /* a goto to a return stays: it may fall through */
	}
	return changed;
}

static uint64_t
bl_hash(const struct ir_block *b)
{
	uint64_t h = (uint64_t)b->term * 0x9e3779b97f4a7c15ull ^ b->code ^ (uint64_t)b->k << 20;

	h = (h ^ (b->jt ? b->jt->id + 1u : 0)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (b->jf ? b->jf->id + 1u : 0)) * 0x94d049bb133111ebull;
	for (uint32_t i = 0; i < b->nstmts; i++)
		h = (h ^ b->stmts[i].code ^ (uint64_t)b->stmts[i].k << 16) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

static int
bl_same(const struct ir_block *a, const struct ir_block *b)
{
	if (a->term != b->term || a->code != b->code || a->k != b->k || a->jt != b->jt ||
	    a->jf != b->jf || a->nstmts != b->nstmts)
		return 0;
	for (uint32_t i = 0; i < a->nstmts; i++)
		if (a->stmts[i].code != b->stmts[i].code || a->stmts[i].k != b->stmts[i].k)
			return 0;
	return 1;
}

/*
 * Identical blocks (same statements, terminator and successors) become
 * one: successors first, so that equal subgraphs collapse bottom up.  A
 * duplicate loses every edge and dies; its twin has the same height.
 */
static int
bl_intern(struct ir_prog *p, struct ir_block **rpo, uint32_t n)
{
	struct ir_block **canon = arena_calloc(p->arena, p->nblocks, sizeof(*canon));
	uint32_t hcap = 16, *tab;
	int changed = 0;

	while (hcap < 2 * n)
		hcap *= 2;
	tab = arena_calloc(p->arena, hcap, sizeof(*tab));
	if (canon == NULL || tab == NULL)
		return -1;
	for (uint32_t i = n; i-- > 0;) {
		struct ir_block *b = rpo[i];
		uint32_t h;
		if (b->jt != NULL && canon[b->jt->id] != b->jt)
			b->jt = canon[b->jt->id], changed = 1;
		if (b->jf != NULL && canon[b->jf->id] != b->jf)
			b->jf = canon[b->jf->id], changed = 1;
		canon[b->id] = b;
		h = (uint32_t)bl_hash(b) & (hcap - 1);
		for (; tab[h]; h = (h + 1) & (hcap - 1))
			if (bl_same(p->blocks[tab[h] - 1], b)) {
				canon[b->id] = p->blocks[tab[h] - 1];
				break;
			}
		if (!tab[h])
			tab[h] = b->id + 1;
	}
	return changed;
}

static int
bl_is_reject(const struct ir_block *b)
{
	return bl_empty_ret(b) && b->code == (CBPF_RET | CBPF_K) && b->k == 0;
}

/*
 * Blocks from which every path returns 0 are `ret #0`: their statements
 * do not matter, as a failing load or division returns 0 as well.  Edges
 * to them go to one statement-less `ret #0` (height 0), and a program
 * whose entry is one becomes that return.
 */
static int
bl_zero(struct ir_prog *p, struct ir_block **rpo, uint32_t n)
{
	uint8_t *zero = arena_calloc(p->arena, p->nblocks, 1);
	struct ir_block *rej = NULL;
	int changed = 0;

	if (zero == NULL)
		return -1;
	for (uint32_t i = n; i-- > 0;) {
		struct ir_block *b = rpo[i];
		zero[b->id] = b->term == IR_RET ? b->code == (CBPF_RET | CBPF_K) && b->k == 0
			      : zero[b->jt->id] && (b->term == IR_JUMP || zero[b->jf->id]);
		if (bl_is_reject(b) && rej == NULL)
			rej = b;
	}
	if (zero[p->entry->id]) {
		if (bl_is_reject(p->entry))
			return 0;
		ir_term_clear(p->entry);
		p->entry->nstmts = 0;
		ir_ret(p->entry, CBPF_RET | CBPF_K, 0);
		return ir_failed(p) ? -1 : 1;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct ir_block *b = rpo[i];
		for (unsigned w = 0; w < ir_nsucc(b); w++) {
			struct ir_block *t = ir_succ(b, w);
			if (!zero[t->id] || bl_is_reject(t))
				continue;
			if (rej == NULL && ((rej = ir_reject(p)) == NULL || !bl_is_reject(rej)))
				return -1;
			if (w == 0)
				b->jt = rej;
			else
				b->jf = rej;
			changed = 1;
		}
	}
	return changed;
}

/* b (a goto) takes the statements and terminator of its target. */
static void
bl_merge(struct ir_block *b)
{
	struct ir_block *s = b->jt;

	ir_term_clear(b);
	for (uint32_t i = 0; i < s->nstmts; i++)
		ir_emit_at(b, s->stmts[i].code, s->stmts[i].k, s->stmts[i].begin, s->stmts[i].end);
	switch (s->term) {
	case IR_BRANCH: ir_branch(b, s->code, s->k, s->jt, s->jf); break;
	case IR_JUMP: ir_jump(b, s->jt); break;
	default: ir_ret(b, s->code, s->k); break;
	}
}

int
opt_pass_blocks(struct ir_prog *p)
{
	return opt_pass_blocks_ex(p, 1);
}

int
opt_pass_blocks_ex(struct ir_prog *p, int intern)
{
	struct bl_rets r;
	int changed = 0, r2;
	uint32_t n;
	struct ir_block **rpo;

	r.n = 0;
	/* lowest ids first, so the canonical return is the first made */
	for (uint32_t i = 0; i < p->nblocks; i++)
		if (bl_empty_ret(p->blocks[i]))
			(void)bl_canon(&r, p->blocks[i]);
	for (uint32_t i = 0; i < p->nblocks; i++)
		changed |= bl_edges(&r, p->blocks[i]);
	if (ir_failed(p) || ir_compute_preds(p) != 0 || (rpo = ir_rpo(p, &n)) == NULL)
		return -1;
	if ((r2 = bl_zero(p, rpo, n)) < 0)
		return -1;
	changed |= r2;
	if (r2 && (ir_compute_preds(p) != 0 || (rpo = ir_rpo(p, &n)) == NULL))
		return -1;
	if ((r2 = intern ? bl_intern(p, rpo, n) : 0) < 0)
		return -1;
	changed |= r2;
	if (r2 && ir_compute_preds(p) != 0)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		struct ir_block *b = rpo[i];
		/* the target's only predecessor is b, or a block already merged into b */
		while (b->term == IR_JUMP && b->jt->npreds == 1 && b->jt != p->entry &&
		       b->jt != b) {
			bl_merge(b);
			changed = 1;
		}
	}
	return ir_failed(p) ? -1 : changed;
}
