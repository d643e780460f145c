/*
 * opt_thread.c: jump threading by implication (pass 4).
 *
 * Takes: an IR program without unreachable blocks.  Gives: the same
 * program where an edge b -> s goes to t instead when, on that edge,
 *  - s's statements cannot end the program (their loads reach no farther
 *    than loads that ran on every path to the edge) and
 *  - s's branch is decided by the facts of the edge (the branch that
 *    chose the edge and every branch above it on all paths), or s is a
 *    goto, selecting t, and
 *  - every register s would change is overwritten by t before t reads it
 *    (or t returns without reading it).
 * Skipping s then changes nothing the program can observe: this is how
 * `ip and tcp`-style chains stop re-testing the ethertype.  The check
 * uses only b's exit state, the edge's facts and t's own statements,
 * none of which another retargeting in the same sweep invalidates (a new
 * path into t differs only in registers t overwrites first).  Each
 * retarget moves an edge to a successor of its target: the sum of target
 * heights decreases.  A goto is retargeted only when it is its target's
 * only way in, so that the output never grows: the `ja` it may now need
 * is paid for by the test of the block that dies.
 */
#include <config.h>

#include "codegen/opt.h"

/* Where the edge from a block with exit state `out` and edge facts `f`
 * into s can go instead (s itself when nowhere).  Several blocks may be
 * skipped at once: the target must overwrite whatever any of them
 * changed, but the blocks in between need not. */
static struct ir_block *
th_follow(struct opt_an *an, const struct opt_state *out, const struct opt_facts *f,
	  struct ir_block *s)
{
	struct opt_state st = *out;
	struct ir_block *best = s;

	for (uint32_t steps = 0; steps < an->p->nblocks; steps++) {
		struct opt_eff e;
		struct ir_block *t;
		uint32_t mod = 0;
		int d;

		for (uint32_t i = 0; i < s->nstmts; i++) {
			opt_eval(&an->vn, &st, &s->stmts[i], &e);
			if (!e.pure)
				return best;
			opt_apply(&st, &s->stmts[i], &e);
		}
		if (s->term == IR_JUMP) {
			t = s->jt;
		} else {
			d = opt_decide(&an->vn, s, &st, f);
			if (d < 0)
				return best;
			t = d ? s->jt : s->jf;
		}
		for (unsigned r = 0; r < OPT_NREGS; r++)
			if (st.r[r] != out->r[r])
				mod |= 1u << r;
		if (!(mod & ~opt_killed(t)))
			best = t;
		s = t;
	}
	return best;
}

int
opt_pass_thread(struct ir_prog *p)
{
	struct arena scratch;
	struct opt_an an;
	struct opt_facts f;
	int changed = 0;

	arena_init(&scratch);
	if (opt_analyze(&an, p, &scratch) != 0) {
		arena_release(&scratch);
		return -1;
	}
	/* bottom up: a walk from an upper edge follows the edges already
	 * threaded below it instead of re-walking what they skip */
	for (uint32_t i = an.nrpo; i-- > 0;) {
		struct ir_block *b = an.rpo[i];
		for (unsigned w = 0; w < ir_nsucc(b); w++) {
			struct ir_block *s = ir_succ(b, w), *t;
			/* a goto retargeted costs a `ja` where it fell through
			 * into s: only when s dies with it (saving its test) */
			if (b->term == IR_JUMP && s->npreds > 1)
				continue;
			opt_edge_facts(&an.vn, b, &an.out[b->id], &an.facts[b->id], w, &f);
			t = th_follow(&an, &an.out[b->id], &f, s);
			if (t == s)
				continue;
			if (w == 0)
				b->jt = t;
			else
				b->jf = t;
			changed = 1;
		}
	}
	arena_release(&scratch);
	return an.vn.failed ? -1 : changed;
}
