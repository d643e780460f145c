/*
 * opt_run.c: the optimizer's driver.
 *
 * Takes: a well-formed IR program.  Gives: the program after the passes
 * of opt.h have run to a fixed point, set lowering, and a second fixed
 * point.  Progress proof (STYLE.md rule 12): after every pass that
 * reports a change, the measure over reachable blocks
 *   (statements,
 *    sum over edges of 1 + the height of the target,
 *    blocks,
 *    statements other than `ld #k` / `ldx #k`,
 *    weight: 2 per ALU op + 1 per use of X, branches included + 1 per
 *    indexed load)
 * must have decreased lexicographically, else BPFC_EINTERNAL.  Each
 * component is bounded by the program's size, so the number of rounds is
 * bounded by the sum of the components at the start, which is the default
 * cap; a smaller cap (opt_config.max_rounds) is a test hook, and hitting
 * either is BPFC_EINTERNAL too.
 */
#include <config.h>

#include <string.h>

#include "base/diag.h"
#include "codegen/opt.h"

struct opt_measure {
	uint64_t v[5];
};

static const char *const run_name[] = {"blocks", "redundant", "decide", "thread", "setlower",
				       "swap"};

static int
run_measure(struct ir_prog *p, struct opt_measure *m)
{
	uint32_t n, *h = arena_calloc(p->arena, p->nblocks ? p->nblocks : 1, sizeof(*h));
	struct ir_block **rpo = ir_rpo(p, &n);

	if (rpo == NULL || h == NULL)
		return -1;
	memset(m, 0, sizeof(*m));
	for (uint32_t i = n; i-- > 0;) {
		const struct ir_block *b = rpo[i];
		for (unsigned w = 0; w < ir_nsucc(b); w++) {
			uint32_t t = h[ir_succ(b, w)->id];
			m->v[1] += 1u + (uint64_t)t;
			if (t + 1 > h[b->id])
				h[b->id] = t + 1;
		}
		m->v[0] += b->nstmts;
		for (uint32_t j = 0; j < b->nstmts; j++)
			m->v[3] += (b->stmts[j].code & 0xe7) != CBPF_IMM &&
				   (b->stmts[j].code & 0xe7) != (CBPF_LDX | CBPF_IMM);
		m->v[4] += b->term == IR_BRANCH && (b->code & CBPF_X);
		for (uint32_t j = 0; j < b->nstmts; j++) {
			uint16_t c = b->stmts[j].code;
			m->v[4] += (CBPF_CLASS(c) == CBPF_ALU ? 2u : 0u) +
				   ((opt_stmt_uses(&b->stmts[j]) & (1u << OPT_X)) != 0) +
				   ((CBPF_CLASS(c) == CBPF_LD || CBPF_CLASS(c) == CBPF_LDX) &&
				    (c & 0xe0) == CBPF_IND);
		}
	}
	m->v[2] = n;
	return 0;
}

static int
run_less(const struct opt_measure *a, const struct opt_measure *b)
{
	for (int i = 0; i < 5; i++)
		if (a->v[i] != b->v[i])
			return a->v[i] < b->v[i];
	return 0;
}

static int
run_fail(struct ir_prog *p, struct bpfc_error *err)
{
	if (ir_failed(p)) {
		*err = *ir_error(p);
		return -1;
	}
	return diag_plain(err, BPFC_ENOMEM, "optimizer: out of memory");
}

static int
run_pass(struct ir_prog *p, unsigned i, const struct opt_config *c, int intern)
{
	switch (i) {
	case 0: return opt_pass_blocks_ex(p, intern);
	case 1: return opt_pass_redundant(p);
	case 2: return opt_pass_decide(p);
	case 3: return opt_pass_thread(p);
	case 4: return opt_pass_setlower(p, c->set_threshold);
	default: return opt_pass_swap(p);
	}
}

/* Every pass but setlower, repeated until none changes anything; `intern`:
 * with identical blocks made one. */
static int
run_fixpoint(struct ir_prog *p, const struct opt_config *c, int intern, struct opt_stats *st,
	     struct bpfc_error *err)
{
	struct opt_measure m, m2;
	uint64_t cap;
	uint32_t rounds = 0;

	if (run_measure(p, &m) != 0)
		return run_fail(p, err);
	cap = c->max_rounds ? c->max_rounds : m.v[0] + m.v[1] + m.v[2] + m.v[3] + 1;
	for (;;) {
		int any = 0;
		for (unsigned i = 0; i < 6; i++) {
			int r;
			if (i == 4 || !(c->passes & (1u << i)))
				continue;
			r = run_pass(p, i, c, intern);
			if (r < 0 || (r > 0 && ir_remove_unreachable(p) != 0))
				return run_fail(p, err);
			if (r == 0)
				continue;
			if (run_measure(p, &m2) != 0)
				return run_fail(p, err);
			if (!run_less(&m2, &m))
				return diag_plain(err, BPFC_EINTERNAL,
						  "optimizer: pass %s changed the program without progress",
						  run_name[i]);
			m = m2;
			st->changes[i]++;
			any = 1;
		}
		if (!any)
			return 0;
		st->rounds++;
		if (++rounds >= cap)
			return diag_plain(err, BPFC_EINTERNAL,
					  "optimizer: no fixed point after %u rounds", rounds);
	}
}

void
opt_config_default(struct opt_config *c)
{
	c->passes = OPT_ALL;
	c->max_rounds = 0;
	c->set_threshold = 8;
}

int
opt_run_config(struct ir_prog *p, const struct opt_config *c, struct opt_stats *st,
	       struct bpfc_error *err)
{
	struct opt_stats dummy;
	int r;

	if (st == NULL)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	if (ir_check(p, err) != 0 || ir_remove_unreachable(p) != 0)
		return ir_failed(p) ? run_fail(p, err) : -1;
	/* Identical blocks are made one only once the rest is done: two
	 * copies of a test reached on different paths (ARP's and RARP's) are
	 * threaded first, each with what its own path knows. */
	if (run_fixpoint(p, c, 0, st, err) != 0 || run_fixpoint(p, c, 1, st, err) != 0)
		return -1;
	if (c->passes & OPT_SETLOWER) {
		r = opt_pass_setlower(p, c->set_threshold);
		if (r < 0 || (r > 0 && ir_remove_unreachable(p) != 0))
			return run_fail(p, err);
		if (r > 0) {
			st->changes[4]++;
			if (run_fixpoint(p, c, 1, st, err) != 0)
				return -1;
		}
	}
	if (ir_check(p, err) != 0) {
		err->code = BPFC_EINTERNAL;
		return -1;
	}
	return 0;
}

int
opt_run(struct ir_prog *p, struct bpfc_error *err)
{
	struct opt_config c;

	opt_config_default(&c);
	return opt_run_config(p, &c, NULL, err);
}
