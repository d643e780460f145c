/*
 * opt_setlower.c: set lowering (pass 5).
 *
 * Takes: an IR program without unreachable blocks, after the other passes
 * (so repeated loads between the tests are gone).  Gives: each chain
 *
 *     b:  [statements] jeq #c1 -> H, else n2
 *     n2: jeq #c2 -> H, else n3      (no statements, b its only predecessor)
 *     ...
 *     nk: jeq #ck -> H, else M
 *
 * of at least `threshold` tests replaced by a balanced decision tree on
 * the sorted distinct constants: `jge #c` splits, chains of at most
 * SL_LEAF `jeq` at the leaves, so a packet runs O(log k) tests and the
 * tree has about k + k/SL_LEAF blocks.  A is not changed inside the
 * chain, so every test sees the same value, and no statement moves.
 * Blocks are made depth first (a node, then its jt subtree, then its jf
 * subtree) so that the layout keeps jumps short (see ir.h).
 */
#include <config.h>

#include <stdlib.h>

#include "codegen/opt.h"

#define SL_LEAF 3

static int
sl_is_jeqk(const struct ir_block *b)
{
	return b->term == IR_BRANCH && b->code == (CBPF_JMP | CBPF_JEQ | CBPF_K);
}

static int
sl_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Make b test c[lo..hi) against A: H when found, else M. */
static void
sl_build(struct ir_prog *p, struct ir_block *b, const uint32_t *c, uint32_t lo, uint32_t hi,
	 struct ir_block *h, struct ir_block *m)
{
	if (hi - lo <= SL_LEAF) {
		struct ir_block *cur = b;
		for (uint32_t i = lo; i < hi && cur != NULL; i++) {
			struct ir_block *next = i + 1 < hi ? ir_block_new(p, b->begin, b->end) : m;
			ir_branch(cur, CBPF_JMP | CBPF_JEQ | CBPF_K, c[i], h, next);
			cur = next;
		}
		return;
	}
	uint32_t mid = lo + (hi - lo) / 2;
	struct ir_block *r = ir_block_new(p, b->begin, b->end), *l;
	if (r == NULL)
		return;
	sl_build(p, r, c, mid, hi, h, m);
	l = ir_block_new(p, b->begin, b->end);
	if (l == NULL)
		return;
	sl_build(p, l, c, lo, mid, h, m);
	ir_branch(b, CBPF_JMP | CBPF_JGE | CBPF_K, c[mid], r, l);
}

/* The chain starting at b, if long enough: lowered.  1, 0, or -1. */
static int
sl_chain(struct ir_prog *p, struct ir_block *b, uint32_t threshold, uint8_t *seen)
{
	struct ir_block *h = b->jt, *cur = b->jf;
	uint32_t n = 1, *c, u = 0;

	while (sl_is_jeqk(cur) && cur->nstmts == 0 && cur->npreds == 1 && cur->jt == h &&
	       !seen[cur->id]) {
		seen[cur->id] = 1;
		n++;
		cur = cur->jf;
	}
	if (n < threshold || cur == h)
		return 0;
	c = arena_calloc(p->arena, n, sizeof(*c));
	if (c == NULL)
		return -1;
	for (struct ir_block *x = b; x != cur; x = x->jf)
		c[u++] = x->k;
	qsort(c, n, sizeof(*c), sl_cmp);
	u = 0;
	for (uint32_t i = 0; i < n; i++)
		if (i == 0 || c[i] != c[u - 1])
			c[u++] = c[i];
	ir_term_clear(b);
	sl_build(p, b, c, 0, u, h, cur);
	return ir_failed(p) ? -1 : 1;
}

int
opt_pass_setlower(struct ir_prog *p, uint32_t threshold)
{
	uint32_t n;
	struct ir_block **rpo;
	uint8_t *seen;
	int changed = 0;

	if (threshold < 2)
		threshold = 2;
	if (ir_compute_preds(p) != 0 || (rpo = ir_rpo(p, &n)) == NULL)
		return -1;
	seen = arena_calloc(p->arena, p->nblocks ? p->nblocks : 1, 1);
	if (seen == NULL)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		struct ir_block *b = rpo[i];
		int r;
		if (seen[b->id] || !sl_is_jeqk(b))
			continue;
		seen[b->id] = 1;
		r = sl_chain(p, b, threshold, seen);
		if (r < 0)
			return -1;
		changed |= r;
	}
	return changed;
}
