/*
 * opt.h: the optimizer, IR -> smaller IR with the same verdict on every packet.
 *
 * Takes: a well-formed IR program (codegen/ir.h).  Gives: the same program
 * edited in place, still well formed, returning what the input returned on
 * every packet (including the `return 0` of a load past caplen and of a
 * division by X = 0).  opt_run() is the one entry point of the pipeline.
 *
 * Passes (each returns 1 when it changed the program, 0 when not, -1 on
 * error; each is one bounded sweep, so each terminates):
 *
 *   opt_pass_blocks     jt == jf branches become gotos, empty gotos are
 *                       bypassed, single-predecessor gotos merged, edges
 *                       to blocks that can only return 0 go to `ret #0`,
 *                       identical blocks become one      (opt_blocks.c)
 *   opt_pass_redundant  value numbering across blocks: statements that
 *                       leave a register as it was are removed (repeated
 *                       loads), results known to be constants become
 *                       `ld #c`, operands in X known constant become k,
 *                       dead statements that cannot fail are removed,
 *                       small peepholes into the branch (opt_redundant.c)
 *   opt_pass_decide     branches whose outcome follows from constants or
 *                       from the facts holding on every path become gotos
 *   opt_pass_thread     per edge: successors whose statements cannot fail
 *                       and whose branches are decided by the facts of
 *                       that edge are bypassed           (opt_thread.c)
 *   opt_pass_setlower   a chain of `jeq #c` on one value to one target
 *                       becomes a balanced decision tree (opt_setlower.c)
 *   opt_pass_swap       two tests in a row whose second only reloads what
 *                       the first found in the registers are made the
 *                       other way round, dropping the reload (opt_swap.c)
 *   (shared analysis: value numbers in opt_vn.c, facts in opt_facts.c)
 *
 * Progress (STYLE.md rule 12): every change of the passes but setlower
 * strictly decreases the measure (statements, sum over edges of 1 + the
 * height of the target, blocks, non-`ld #k` statements, a weight of ALU
 * ops and uses of X) taken lexicographically over reachable blocks; opt_run checks it after every
 * pass that reports a change.  A pass that reports a change without
 * progress, or more rounds than the cap, is BPFC_EINTERNAL.  Set lowering
 * runs once between two fixed points.
 *
 * Soundness rules the passes share (opt_vn.c): a packet load is removed or
 * skipped only when it cannot fail, i.e. a load reaching at least as far
 * (ABS, MSH or IND with the same or larger k + size) ran on every path
 * before it; loads are never moved.  A block every path of which returns
 * 0 is `ret #0` whatever its loads do.
 */
#ifndef BPFC_CODEGEN_OPT_H
#define BPFC_CODEGEN_OPT_H

#include <stdint.h>

#include "bpfc.h"
#include "base/arena.h"
#include "codegen/ir.h"

/* What opt_run_config runs; opt_run uses opt_config_default(). */
enum {
	OPT_BLOCKS = 1u << 0,
	OPT_REDUNDANT = 1u << 1,
	OPT_DECIDE = 1u << 2,
	OPT_THREAD = 1u << 3,
	OPT_SETLOWER = 1u << 4,
	OPT_SWAP = 1u << 5,
	OPT_ALL = 0x3f
};

struct opt_config {
	unsigned passes;        /* OPT_* bits */
	uint32_t max_rounds;    /* cap on rounds of the fixed point (test hook) */
	uint32_t set_threshold; /* shortest jeq chain made a tree */
};

/* Statistics of the last opt_run_config (for tests and reports). */
struct opt_stats {
	uint32_t rounds;
	uint32_t changes[6]; /* per pass, in the order of the OPT_* bits */
	uint32_t trees;      /* chains lowered */
};

void opt_config_default(struct opt_config *c);

/* The pipeline's entry point: 0, or -1 with `err` set (BPFC_EINTERNAL for
 * a bug, BPFC_ENOMEM). */
int opt_run(struct ir_prog *p, struct bpfc_error *err);
int opt_run_config(struct ir_prog *p, const struct opt_config *c, struct opt_stats *st,
		   struct bpfc_error *err);

/* The passes, for tests.  Call on a program without unreachable blocks
 * (ir_remove_unreachable); 1 changed, 0 not, -1 error recorded in `p`. */
int opt_pass_blocks(struct ir_prog *p);
/* intern == 0: all but making identical blocks one (opt_run's first phase). */
int opt_pass_blocks_ex(struct ir_prog *p, int intern);
int opt_pass_redundant(struct ir_prog *p);
int opt_pass_decide(struct ir_prog *p);
int opt_pass_thread(struct ir_prog *p);
int opt_pass_setlower(struct ir_prog *p, uint32_t threshold);
int opt_pass_swap(struct ir_prog *p);

/* ---- shared by the passes (opt_vn.c); not used outside codegen/opt_* ---- */

/* Registers: A, X, M[0..15]. */
enum { OPT_A = 0, OPT_X = 1, OPT_M0 = 2, OPT_NREGS = 2 + 16 };

/* What is known at a program point: the value number of each register and
 * a length the capture is known to have (every ABS load ending at or
 * before `safe` cannot fail), and the same for indexed loads while X
 * holds value number `xvn` (an IND load ending at or before `xsafe`
 * cannot fail: one reaching that far with the same X succeeded). */
struct opt_state {
	uint32_t r[OPT_NREGS];
	uint64_t safe;
	uint32_t xvn;
	uint64_t xsafe;
};

/* A branch outcome known on a path: (value vn) op k is `sense`. */
struct opt_atom {
	uint32_t vn, k;
	uint16_t op; /* CBPF_JEQ, JGT, JGE or JSET */
	uint16_t sense;
};

#define OPT_MAXFACTS 16
struct opt_facts {
	struct opt_atom a[OPT_MAXFACTS];
	uint32_t n;
};

struct opt_vnent {
	uint32_t kind, op, a, b;
};

/* Hash-consed value numbers: equal numbers are equal values on every
 * execution that reaches both. */
struct opt_vn {
	struct arena *arena;
	struct opt_vnent *ent;
	uint32_t n, cap;
	uint32_t *hash;
	uint32_t hcap;
	uint32_t fresh;
	int failed;
};

/* The effect of one statement on a state. */
struct opt_eff {
	int reg;       /* register written, or -1 */
	uint32_t vn;   /* its new value number */
	int pure;      /* cannot end the program */
	int noop;      /* leaves every register as it was */
};

/* The analysis of a whole program: per block id, the state and facts on
 * entry (meet over predecessors) and the state on exit. */
struct opt_an {
	struct ir_prog *p;
	struct arena *scratch;
	struct opt_vn vn;
	struct ir_block **rpo;
	uint32_t nrpo;
	struct opt_state *in, *out;
	struct opt_facts *facts;
};

int opt_analyze(struct opt_an *an, struct ir_prog *p, struct arena *scratch);
uint32_t opt_vn_const(struct opt_vn *v, uint32_t k);
int opt_vn_is_const(const struct opt_vn *v, uint32_t vn, uint32_t *k);
/* vn is base + c (either order) with base a byte or halfword from the
 * packet (so base + c < 2^32) and c < 2^31: 1 and both set, else 0. */
int opt_vn_add_const(const struct opt_vn *v, uint32_t vn, uint32_t *base, uint32_t *c);
/* The unknown value of register `reg` on entry to block `block` (UINT32_MAX:
 * the unwritten M words at the program's start). */
uint32_t opt_vn_phi(struct opt_vn *v, uint32_t block, uint32_t reg);
/* Effect of `s` in state `st`; opt_apply then updates `st`. */
void opt_eval(struct opt_vn *v, const struct opt_state *st, const struct ir_stmt *s,
	      struct opt_eff *e);
void opt_apply(struct opt_state *st, const struct ir_stmt *s, const struct opt_eff *e);
/* Outcome of block b's branch in state `st` (its exit state) under facts
 * `f`: 1 true, 0 false, -1 unknown. */
int opt_decide(struct opt_vn *v, const struct ir_block *b, const struct opt_state *st,
	       const struct opt_facts *f);
/* The facts holding on edge `which` (0 jt, 1 jf) of b. */
void opt_edge_facts(struct opt_vn *v, const struct ir_block *b, const struct opt_state *out,
		    const struct opt_facts *in, unsigned which, struct opt_facts *f);
/* Registers (bit i = register i) read by `s` / by b's terminator. */
uint32_t opt_stmt_uses(const struct ir_stmt *s);
uint32_t opt_term_uses(const struct ir_block *b);
/* Registers b overwrites before reading them (all it does not read, when
 * it returns): what may differ on entry to b without b noticing. */
uint32_t opt_killed(const struct ir_block *b);

#endif
