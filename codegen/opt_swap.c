/*
 * opt_swap.c: test first what is already loaded (pass 6).
 *
 * Takes: an IR program without unreachable blocks.  Gives: the same
 * program where a pair of tests of the shape
 *
 *     b1: S1; if c1 -> x else b2        b2 (only b1 comes here): S2;
 *                                            if c2 -> x else y
 *
 * (either edge of either branch may be the one to x) whose second block
 * only reloads what the registers held on entry to the first (S2 leaves
 * every register as it was there: `host a and host b` reloading the
 * source address after testing the destination) is tested the other way
 * round:
 *
 *     b1: if c2 -> x else b2            b2: S1; if c1 -> x else y
 *
 * Both reach x when c1 or c2 picks it and y otherwise, so the verdict is
 * the same on every packet that runs both tests to the end.  Two more
 * conditions make it the same on every packet:
 *  - the new order skips S1 on the way to x: S1 must be unable to end the
 *    program, or x must be `ret #0` (a failing load of S1 returned 0
 *    too);
 *  - the registers x and y read must hold what they held before, on
 *    every path: every register whose value differs between b1's entry,
 *    after S1 and after S1; S2 is one x and y overwrite before reading.
 * Each swap removes S2's statements (at least one): the measure of opt.h
 * decreases.
 */
#include <config.h>

#include "codegen/opt.h"

static int
sw_is_reject(const struct ir_block *b)
{
	return b->term == IR_RET && b->nstmts == 0 && (b->code & 0x18) == CBPF_K && b->k == 0;
}

/* Run b's statements from `st`; 0 when one of them can end the program
 * (or, with `noops`, when one changes a register). */
static int
sw_run(struct opt_an *an, const struct ir_block *b, struct opt_state *st, int noops)
{
	struct opt_eff e;

	for (uint32_t i = 0; i < b->nstmts; i++) {
		opt_eval(&an->vn, st, &b->stmts[i], &e);
		if (!e.pure || (noops && !e.noop))
			return 0;
		opt_apply(st, &b->stmts[i], &e);
	}
	return 1;
}

/* Whether b1 and its successor b2 can be swapped; *w1, *w2: the edges
 * (0 jt, 1 jf) of b1 and b2 that go to the shared target. */
static int
sw_can(struct opt_an *an, const struct ir_block *b1, const struct ir_block *b2,
       unsigned *w1, unsigned *w2)
{
	const struct opt_state *in = &an->in[b1->id];
	struct opt_state s1 = *in, s12, s2 = *in;
	struct ir_block *x, *y;
	uint32_t diff = 0;

	if (b1->term != IR_BRANCH || b2->term != IR_BRANCH || b2 == b1 || b1->jt == b1->jf ||
	    b2->jt == b2->jf || b2->npreds != 1 || b2->nstmts == 0)
		return 0;
	*w1 = b1->jt == b2; /* b1's edge that does not go to b2 */
	x = *w1 ? b1->jf : b1->jt;
	if (x == b2 || (b2->jt != x && b2->jf != x))
		return 0;
	*w2 = b2->jf == x;
	y = *w2 ? b2->jt : b2->jf;
	/* S2 reloads what b1's entry held; S1 runs to completion or x is
	 * where its failure would have gone anyway */
	if (!sw_run(an, b2, &s2, 1))
		return 0;
	s2 = an->in[b2->id]; /* a reload that is one where it stands too is for
			      * opt_pass_redundant: nothing to gain here */
	if (sw_run(an, b2, &s2, 1))
		return 0;
	if (!sw_run(an, b1, &s1, 0) && !sw_is_reject(x))
		return 0;
	s12 = s1;
	if (!sw_run(an, b2, &s12, 0))
		return 0;
	/* c2 reads on entry what it read after S1; S2 */
	for (unsigned r = 0; r < OPT_NREGS; r++) {
		if ((opt_term_uses(b2) & (1u << r)) && in->r[r] != s12.r[r])
			return 0;
		if (in->r[r] != s1.r[r] || s1.r[r] != s12.r[r])
			diff |= 1u << r;
	}
	return !(diff & ~opt_killed(x)) && !(diff & ~opt_killed(y));
}

/* Swap the tests of b1 and b2 (see the header). */
static void
sw_swap(struct ir_block *b1, struct ir_block *b2, unsigned w1, unsigned w2)
{
	struct ir_block *x = w1 ? b1->jf : b1->jt, *y = w2 ? b2->jt : b2->jf;
	uint16_t code1 = b1->code;
	uint32_t k1 = b1->k;

	b2->stmts = b1->stmts;
	b2->nstmts = b1->nstmts;
	b2->capstmts = b1->capstmts;
	b1->stmts = NULL;
	b1->nstmts = b1->capstmts = 0;
	b1->code = b2->code;
	b1->k = b2->k;
	b1->jt = w2 ? b2 : x;
	b1->jf = w2 ? x : b2;
	b2->code = code1;
	b2->k = k1;
	b2->jt = w1 ? y : x;
	b2->jf = w1 ? x : y;
}

/* Whether the last statement of q writing the register `s` writes is s
 * itself (the same code and operand). */
static int
sw_last_write_is(const struct ir_block *q, const struct ir_stmt *s)
{
	unsigned c = CBPF_CLASS(s->code);

	for (uint32_t i = q->nstmts; i-- > 0;)
		if (CBPF_CLASS(q->stmts[i].code) == c)
			return q->stmts[i].code == s->code && q->stmts[i].k == s->k;
	return 0;
}

/* The shape, before any analysis (which costs as much as the rest of a
 * round): b2 a branch reached only from b1, sharing a target with it,
 * whose statements are loads that every block leading to b1 made last. */
static int
sw_shape(const struct ir_block *b1, const struct ir_block *b2)
{
	if (b1->term != IR_BRANCH || b2->term != IR_BRANCH || b2->npreds != 1 || b2->nstmts == 0 ||
	    b1->npreds == 0 ||
	    (b1->jt != b2->jt && b1->jt != b2->jf && b1->jf != b2->jt && b1->jf != b2->jf))
		return 0;
	for (uint32_t i = 0; i < b2->nstmts; i++) {
		unsigned c = CBPF_CLASS(b2->stmts[i].code);
		if (c != CBPF_LD && c != CBPF_LDX)
			return 0;
		for (uint32_t j = 0; j < b1->npreds; j++)
			if (!sw_last_write_is(b1->preds[j], &b2->stmts[i]))
				return 0;
	}
	return 1;
}

int
opt_pass_swap(struct ir_prog *p)
{
	struct arena scratch;
	struct opt_an an;
	int changed = 0, any = 0;

	if (ir_compute_preds(p) != 0)
		return -1;
	for (uint32_t i = 0; i < p->nblocks && !any; i++) {
		struct ir_block *b = p->blocks[i];
		any = b->term == IR_BRANCH &&
		      (sw_shape(b, b->jt) || sw_shape(b, b->jf));
	}
	if (!any)
		return 0;

	arena_init(&scratch);
	if (opt_analyze(&an, p, &scratch) != 0) {
		arena_release(&scratch);
		return -1;
	}
	/* One swap per sweep: after it the analysis is stale (b2 and its
	 * successors see other states and facts); the fixed point of
	 * opt_run comes back for the next. */
	for (uint32_t i = 0; i < an.nrpo && !changed; i++) {
		struct ir_block *b1 = an.rpo[i];
		unsigned w1, w2;
		if (b1->term != IR_BRANCH)
			continue;
		for (unsigned w = 0; w < 2 && !changed; w++) {
			struct ir_block *b2 = w == 0 ? b1->jt : b1->jf;
			if (sw_can(&an, b1, b2, &w1, &w2)) {
				sw_swap(b1, b2, w1, w2);
				changed = 1;
			}
		}
	}
	arena_release(&scratch);
	return an.vn.failed ? -1 : changed;
}
