/*
 * opt_redundant.c: redundant and dead statements, constant folding, and
 * branches settled by what is known (passes 2 and 3).
 *
 * Takes: an IR program without unreachable blocks.  Gives: the same
 * program with
 *  - every statement that leaves its register holding the value it
 *    already held removed (the repeated `ldh [12]` of each primitive;
 *    the register holding that value proves the load ran on every path);
 *  - statements whose result is a known constant rewritten to `ld #c` /
 *    `ldx #c` (the operands' statements then die);
 *  - statements whose result nobody reads removed when they cannot end
 *    the program, or when a later load of the same block reaches at least
 *    as far (it fails whenever this one would, and both return 0);
 *  - `add/sub/xor #c; jeq #k` and `and #m; jeq #0` with A dead after
 *    folded into the branch (`jeq #k'`, `jset #m`);
 *  - `tax` after `add x` folded into the offsets of indexed loads;
 *  - branches decided by constants or by the facts on every path made
 *    gotos.
 * Each change removes a statement, turns a statement into `ld #k`, or
 * removes an edge: the measure of opt.h decreases.
 */
#include <config.h>

#include <string.h>

#include "codegen/opt.h"

static int
is_imm_load(uint16_t c)
{
	return (CBPF_CLASS(c) == CBPF_LD || CBPF_CLASS(c) == CBPF_LDX) && (c & 0xe0) == CBPF_IMM;
}

static int
is_pkt_load(uint16_t c)
{
	unsigned m = c & 0xe0;
	return (CBPF_CLASS(c) == CBPF_LD || CBPF_CLASS(c) == CBPF_LDX) &&
	       (m == CBPF_ABS || m == CBPF_IND || m == CBPF_MSH);
}

/* A statement reading X, when X is the constant c, as one reading k: an
 * indexed load as an absolute one, an ALU op on x as one on #k.  Only
 * where the kernel accepts the result (no div #0, shift #32 or offset in
 * Linux's negative area). */
static int
red_constx(struct ir_stmt *s, uint32_t c)
{
	uint16_t cl = CBPF_CLASS(s->code), op = s->code & 0xf0;

	if ((cl == CBPF_LD || cl == CBPF_LDX) && (s->code & 0xe0) == CBPF_IND &&
	    (uint64_t)s->k + c < 0x80000000u) {
		s->code = (uint16_t)((s->code & ~0xe0) | CBPF_ABS);
		s->k += c;
		return 1;
	}
	if (cl == CBPF_ALU && (s->code & CBPF_X) && op != CBPF_NEG &&
	    !((op == CBPF_DIV || op == CBPF_MOD) && c == 0) &&
	    !((op == CBPF_LSH || op == CBPF_RSH) && c >= 32)) {
		s->code = (uint16_t)(s->code & ~CBPF_X);
		s->k = c;
		return 1;
	}
	return 0;
}

/* No-op statements removed, constants made immediate, in one block. */
static int
red_block(struct opt_an *an, struct ir_block *b)
{
	struct opt_state st = an->in[b->id];
	struct opt_eff e;
	uint32_t n = 0, c;
	int changed = 0;

	for (uint32_t i = 0; i < b->nstmts; i++) {
		struct ir_stmt s = b->stmts[i];
		if (opt_vn_is_const(&an->vn, st.r[OPT_X], &c) && red_constx(&s, c))
			changed = 1;
		opt_eval(&an->vn, &st, &s, &e);
		if (e.noop) {
			changed = 1;
			continue;
		}
		if ((e.reg == OPT_A || e.reg == OPT_X) && !is_imm_load(s.code) &&
		    !is_pkt_load(s.code) && e.pure && opt_vn_is_const(&an->vn, e.vn, &c)) {
			s.code = e.reg == OPT_A ? CBPF_LD | CBPF_IMM : CBPF_LDX | CBPF_IMM;
			s.k = c;
			changed = 1;
		} else if (CBPF_CLASS(s.code) == CBPF_ALU && e.pure) {
			/* the result is already in X or in M[k]: copy it */
			for (unsigned r = OPT_X; r < OPT_NREGS; r++)
				if (st.r[r] == e.vn) {
					s.code = r == OPT_X ? CBPF_MISC | CBPF_TXA : CBPF_LD | CBPF_MEM;
					s.k = r == OPT_X ? 0 : r - OPT_M0;
					changed = 1;
					break;
				}
		}
		opt_apply(&st, &s, &e);
		b->stmts[n++] = s;
	}
	b->nstmts = n;
	if (b->term == IR_BRANCH && (b->code & CBPF_X) &&
	    opt_vn_is_const(&an->vn, st.r[OPT_X], &c)) {
		b->code = (uint16_t)(b->code & ~CBPF_X); /* jeq x, X = c: jeq #c */
		b->k = c;
		changed = 1;
	}
	return changed;
}

static uint32_t
load_end(const struct ir_stmt *s)
{
	uint64_t e = (uint64_t)s->k + ((s->code & 0xe0) == CBPF_MSH ? 1
				       : (s->code & 0x18) == CBPF_W ? 4
				       : (s->code & 0x18) == CBPF_H ? 2 : 1);
	return e > UINT32_MAX ? UINT32_MAX : (uint32_t)e;
}

/* The last statement folded into the branch when A is dead after it:
 * `add/sub/xor #c; jeq #k` is `jeq #k'` (a bijection), `and #m; jeq #0`
 * is `jset #m` with the edges swapped.  1 when done. */
static int
fold_branch(struct ir_block *b, uint32_t live)
{
	const struct ir_stmt *l;
	uint32_t k;
	struct ir_block *t;

	if (b->term != IR_BRANCH || b->code != (CBPF_JMP | CBPF_JEQ | CBPF_K) ||
	    (live & (1u << OPT_A)) || b->nstmts == 0)
		return 0;
	l = &b->stmts[b->nstmts - 1];
	k = b->k;
	switch (l->code) {
	case CBPF_ALU | CBPF_SUB | CBPF_K: k += l->k; break;
	case CBPF_ALU | CBPF_ADD | CBPF_K: k -= l->k; break;
	case CBPF_ALU | CBPF_XOR | CBPF_K: k ^= l->k; break;
	case CBPF_ALU | CBPF_AND | CBPF_K:
		if (b->k != 0)
			return 0;
		t = b->jt;
		b->code = CBPF_JMP | CBPF_JSET | CBPF_K;
		b->jt = b->jf;
		b->jf = t;
		k = l->k;
		break;
	default: return 0;
	}
	b->k = k;
	b->nstmts--;
	return 1;
}

/* Dead statements of one block, given what is live at its end; returns
 * what is live at its start.  pure[] says which statements cannot fail. */
static uint32_t
dead_block(struct ir_block *b, uint32_t live, uint8_t *pure, int *changed)
{
	uint32_t later = 0, n = b->nstmts; /* farthest end of a kept later load */

	if (fold_branch(b, live)) {
		n--;
		*changed = 1;
	}
	live |= opt_term_uses(b);
	for (uint32_t i = b->nstmts; i-- > 0;) {
		const struct ir_stmt *s = &b->stmts[i];
		unsigned c = CBPF_CLASS(s->code);
		int reg = c == CBPF_LD || c == CBPF_ALU ? OPT_A
			  : c == CBPF_LDX ? OPT_X
			  : c == CBPF_ST || c == CBPF_STX ? OPT_M0 + (int)(s->k & 15)
			  : (s->code & CBPF_TXA) ? OPT_A : OPT_X;
		int abs = is_pkt_load(s->code) && (s->code & 0xe0) != CBPF_IND;
		if (!(live & (1u << reg)) && (pure[i] || (abs && load_end(s) <= later))) {
			b->stmts[i].code = 0xffff; /* removed below */
			*changed = 1;
			continue;
		}
		if (is_pkt_load(s->code) && load_end(s) > later)
			later = load_end(s);
		live = (live & ~(1u << reg)) | opt_stmt_uses(s);
	}
	for (uint32_t i = 0; i < b->nstmts; i++)
		if (b->stmts[i].code == 0xffff)
			n--;
	if (n != b->nstmts) {
		uint32_t j = 0;
		for (uint32_t i = 0; i < b->nstmts; i++)
			if (b->stmts[i].code != 0xffff)
				b->stmts[j++] = b->stmts[i];
		b->nstmts = j;
	}
	return live;
}

/*
 * `tax` when A = X + c and X's later uses (in this block, up to its next
 * write; none after the block) are all indexed loads: drop the `tax` and
 * add c to those loads' offsets (libpcap's `ld #13; ldxb 4*([14]&0xf);
 * add x; tax; ldb [x + 14]` becomes `ldxb ...; ldb [x + 27]`).  The ALU
 * statements die afterwards.
 */
static int
fold_tax(struct ir_block *b, uint32_t j, uint32_t c, uint32_t liveout)
{
	uint32_t i;

	for (i = j + 1; i < b->nstmts; i++) {
		const struct ir_stmt *s = &b->stmts[i];
		unsigned cl = CBPF_CLASS(s->code);
		if (opt_stmt_uses(s) & (1u << OPT_X)) {
			if (cl != CBPF_LD || (s->code & 0xe0) != CBPF_IND ||
			    (uint64_t)s->k + c >= 0x80000000u)
				return 0;
		}
		if (cl == CBPF_LDX || (cl == CBPF_MISC && !(s->code & CBPF_TXA)))
			break; /* X written again */
	}
	if (i == b->nstmts && ((liveout | opt_term_uses(b)) & (1u << OPT_X)))
		return 0;
	for (uint32_t t = j + 1; t < i; t++)
		if (opt_stmt_uses(&b->stmts[t]) & (1u << OPT_X))
			b->stmts[t].k += c;
	for (uint32_t t = j; t + 1 < b->nstmts; t++)
		b->stmts[t] = b->stmts[t + 1];
	b->nstmts--;
	return 1;
}

static int
dead_all(struct opt_an *an)
{
	struct ir_prog *p = an->p;
	uint32_t *livein = arena_calloc(an->scratch, p->nblocks, sizeof(*livein));
	uint8_t *pure;
	uint32_t maxs = 0;
	int changed = 0;

	for (uint32_t i = 0; i < p->nblocks; i++)
		maxs = p->blocks[i]->nstmts > maxs ? p->blocks[i]->nstmts : maxs;
	pure = arena_calloc(an->scratch, maxs + 1, 1);
	if (livein == NULL || pure == NULL)
		return -1;
	for (uint32_t i = an->nrpo; i-- > 0;) {
		struct ir_block *b = an->rpo[i];
		struct opt_state st = an->in[b->id];
		struct opt_eff e;
		uint32_t live = 0;
		for (unsigned w = 0; w < ir_nsucc(b); w++)
			live |= livein[ir_succ(b, w)->id];
		for (uint32_t j = 0; j < b->nstmts; j++) {
			uint32_t base, c;
			if (b->stmts[j].code == (CBPF_MISC | CBPF_TAX) &&
			    opt_vn_add_const(&an->vn, st.r[OPT_A], &base, &c) &&
			    base == st.r[OPT_X] && fold_tax(b, j, c, live)) {
				changed = 1;
				j--; /* the next statement is now at j; X unchanged */
				continue;
			}
			opt_eval(&an->vn, &st, &b->stmts[j], &e);
			pure[j] = (uint8_t)e.pure;
			opt_apply(&st, &b->stmts[j], &e);
		}
		livein[b->id] = dead_block(b, live, pure, &changed);
	}
	return changed;
}

int
opt_pass_redundant(struct ir_prog *p)
{
	struct arena scratch;
	struct opt_an an;
	int changed = 0, r;

	arena_init(&scratch);
	if (opt_analyze(&an, p, &scratch) != 0) {
		arena_release(&scratch);
		return -1;
	}
	for (uint32_t i = 0; i < an.nrpo; i++)
		changed |= red_block(&an, an.rpo[i]);
	r = dead_all(&an);
	arena_release(&scratch);
	return r < 0 || an.vn.failed ? -1 : (changed | r);
}

int
opt_pass_decide(struct ir_prog *p)
{
	struct arena scratch;
	struct opt_an an;
	int changed = 0;

	arena_init(&scratch);
	if (opt_analyze(&an, p, &scratch) != 0) {
		arena_release(&scratch);
		return -1;
	}
	for (uint32_t i = 0; i < an.nrpo; i++) {
		struct ir_block *b = an.rpo[i];
		int d = opt_decide(&an.vn, b, &an.out[b->id], &an.facts[b->id]);
		if (d >= 0) {
			struct ir_block *t = d ? b->jt : b->jf;
			ir_term_clear(b);
			ir_jump(b, t);
			changed = 1;
		}
	}
	arena_release(&scratch);
	return ir_failed(p) ? -1 : changed;
}
