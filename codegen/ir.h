/*
 * ir.h: the intermediate representation between code generation and cBPF.
 *
 * Takes: calls from the code generator (AST -> IR) and from optimizer
 * passes.  Gives: a program as a DAG of basic blocks with explicit edges,
 * which ir_assemble() (codegen/assemble.c) turns into cBPF.
 *
 * ---- The model -------------------------------------------------------
 *
 * A program (struct ir_prog) is a set of blocks and an entry block.  A
 * block (struct ir_block) is
 *
 *     statements   straight-line cBPF instructions that never jump:
 *                  ld/ldh/ldb [k] and [x + k], ld #pktlen, ld/ldx #k,
 *                  ld/ldx M[k], ldx #pktlen, ldxb 4*([k]&0xf), st/stx M[k],
 *                  the ALU ops with k or x, neg, tax, txa.  Each is an
 *                  opcode of cbpf/opcodes.h (class neither JMP nor RET) and
 *                  a k, exactly as in a struct bpfc_insn.
 *     terminator   exactly one of
 *                  IR_BRANCH  jeq/jgt/jge/jset with #k or x: go to `jt`
 *                             when the test holds, else to `jf` (the two
 *                             may be the same block);
 *                  IR_JUMP    go to `jt` unconditionally (a goto; the
 *                             assembler makes it a fall-through or a ja);
 *                  IR_RET     ret #k or ret a: the program ends.
 *
 * Edges are pointers (jt, jf) to blocks of the same program.  The graph is
 * a DAG: cBPF only jumps forward, so there are no loops to represent.
 * Execution starts at `entry` with A = X = 0 and M[] unwritten; a packet
 * load outside the captured bytes ends the program with 0, as does a
 * division or modulo by X = 0 (libpcap's bpf_filter).  The IR does not
 * know instruction positions or jump offsets: those are the assembler's.
 *
 * ---- Ids, side arrays and source ranges --------------------------------
 *
 * Block ids are dense: prog->blocks[b->id] == b for 0 <= id < nblocks.  An
 * analysis keeps its facts in an array indexed by id (allocated from the
 * program's arena) instead of in the block.  ir_block_new() hands out the
 * next id; ir_remove_unreachable() drops blocks and renumbers the rest
 * (keeping their relative order), so side arrays must be rebuilt after it.
 *
 * Every block carries [begin, end), the byte range of the filter text it
 * was generated from (for IR read from cBPF: instruction indices).  Every
 * statement carries its own range, which ir_emit() copies from the block
 * and ir_emit_at() sets explicitly.  begin == end == 0 means "no source".
 *
 * ---- Building (the code generator) -------------------------------------
 *
 *     struct ir_prog *p = ir_new(arena);          NULL only when out of memory
 *     struct ir_block *b = ir_block_new(p, begin, end);
 *     ir_emit(b, CBPF_LD | CBPF_H | CBPF_ABS, 12); ldh [12]
 *     ir_branch(b, CBPF_JMP | CBPF_JEQ | CBPF_K, 0x800, yes, no);
 *     ir_ret(ir_block_new(p, ...), CBPF_RET | CBPF_K, 262144);
 *     ir_set_entry(p, b);
 *     if (ir_failed(p)) ... ir_error(p) says what went wrong
 *
 * Blocks may be created before their statements are known and in any
 * order; a successor must exist when the edge is made (create the
 * targets first: gen_cond(g, node, if_true, if_false) style).
 * ir_accept(p, k) and ir_reject(p) are shared `ret #k` / `ret #0` blocks
 * made on first use.
 *
 * Sticky error (STYLE.md rule 9): the first failure (out of memory, or a
 * misuse such as emitting into a block that already has a terminator, a
 * jump opcode given to ir_emit, a successor that is NULL or belongs to
 * another program, a statement the kernel would refuse such as div #0,
 * lsh #32, M[16] or a packet offset in Linux's special area) is recorded in
 * the program; every later builder call does nothing, ir_block_new()
 * returns NULL, and all calls accept a NULL block.  Check once with
 * ir_failed().  Misuse is BPFC_EINTERNAL: it is a bug in bpfc, never a
 * problem with the user's input, which the code generator must have
 * diagnosed itself (with its own source range) before emitting.
 *
 * Layout: the assembler lays blocks out in id order wherever the edges
 * allow (and puts a goto's target right after it when it can), so the
 * creation order is the layout.  A conditional jump reaches 255
 * instructions; a farther edge costs one `ja` (or a copied `ret`) that
 * every branch up to 255 before it shares.  So keep each test close to
 * its likely targets: chains and `and`/`or` nests need nothing special;
 * for a decision tree make blocks depth first (a node before or after its
 * subtrees, all of one subtree before the other), never breadth first: a
 * 1000-leaf tree assembles to 2019 instructions made in preorder or
 * postorder, 3837 made level by level.
 * Shared returns (ir_accept, ir_reject) go where their last user is.
 *
 * ---- Changing (optimizer passes) ----------------------------------------
 *
 * Passes may edit blocks directly: rewrite or remove statements (stmts,
 * nstmts; ir_emit appends, growing the array in the arena), retarget jt/jf,
 * or drop a terminator with ir_term_clear() and set a new one with
 * ir_branch/ir_jump/ir_ret.  After edits run ir_check() in debug paths:
 * it is the contract (see below).  Predecessor lists are a snapshot made by
 * ir_compute_preds(); any edge change makes them stale until it is called
 * again.  Blocks are never freed: a block nothing reaches is simply
 * ignored by the assembler and can be dropped with ir_remove_unreachable()
 * (which also forgets a dropped accept/reject, so they are remade on use).
 *
 * ---- Validity (ir_check) --------------------------------------------------
 *
 * A program is well formed when: it has no sticky error; entry is set and
 * is one of its blocks; blocks[i]->id == i and ->prog is the program; every
 * block has a terminator whose opcode matches its kind; successors are
 * non-NULL blocks of the program (IR_JUMP has jf NULL); the graph has no
 * cycle; every statement is a non-jump opcode with a k the kernel accepts;
 * and, on every path from entry, M[k] is written before it is read (the
 * kernel's rule).  ir_assemble() checks this first, so a bug in a pass
 * becomes BPFC_EINTERNAL, never bad cBPF.
 *
 * Nothing here keeps global state: two programs may be built in two
 * threads at once (each with its own arena).
 */
#ifndef BPFC_CODEGEN_IR_H
#define BPFC_CODEGEN_IR_H

#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/strbuf.h"
#include "cbpf/opcodes.h"

/* One straight-line instruction: a struct bpfc_insn without jt/jf, plus
 * the source range it came from. */
struct ir_stmt {
	uint16_t code; /* a cbpf/opcodes.h code of class LD, LDX, ST, STX, ALU or MISC */
	uint32_t k;
	uint32_t begin, end;
};

enum ir_term {
	IR_NONE = 0, /* not terminated yet (only while building) */
	IR_BRANCH,   /* code: JEQ/JGT/JGE/JSET | K or X; k; jt, jf */
	IR_JUMP,     /* code: JA; jt */
	IR_RET       /* code: RET | K (k returned) or RET | A (k is 0) */
};

struct ir_block {
	uint32_t id;         /* index in prog->blocks */
	uint32_t begin, end; /* source range */
	struct ir_prog *prog;
	struct ir_stmt *stmts;
	uint32_t nstmts, capstmts;
	/* the terminator */
	enum ir_term term;
	uint16_t code;
	uint32_t k;
	struct ir_block *jt, *jf;
	/* predecessors as of the last ir_compute_preds(): each block that has
	 * an edge here, once (a branch with jt == jf counts once), in id order */
	struct ir_block **preds;
	uint32_t npreds;
};

/* What the last ir_assemble() of a program did (for tests and reports). */
struct ir_asm_stats {
	uint32_t insns;        /* instructions emitted */
	uint32_t trampolines;  /* `ja` added so a branch reaches past 255 */
	uint32_t ret_copies;   /* returns copied next to a branch instead of a ja */
	uint32_t jumps_elided; /* gotos (and jt == jf branches) that fell through */
	uint32_t rets_merged;  /* identical statement-less returns folded into one */
	uint32_t iterations;   /* passes of the jump-size fixed point */
	int safe_layout;       /* 1: returns were moved last (see assemble.c) */
};

/* ir_asm_flags bits. */
enum {
	IR_ASM_SAFE_LAYOUT = 1u << 0 /* skip straight to the returns-last layout */
};

struct ir_prog {
	struct arena *arena;
	struct ir_block **blocks;
	uint32_t nblocks, capblocks;
	struct ir_block *entry;
	struct ir_block *accept, *reject; /* shared returns, made on first use */
	struct bpfc_error err;            /* the sticky error; code BPFC_OK when none */
	unsigned asm_flags;               /* IR_ASM_* (tests and debugging) */
	struct ir_asm_stats asm_stats;    /* filled by ir_assemble */
};

/* ---- building (ir.c) ------------------------------------------------------ */

/* A new, empty program whose blocks live in `a`.  NULL when out of memory. */
struct ir_prog *ir_new(struct arena *a);
/* A new block with the next id and no statements or terminator.  NULL
 * after an error (which is then recorded in `p`). */
struct ir_block *ir_block_new(struct ir_prog *p, uint32_t begin, uint32_t end);
/* Append a statement; its source range is the block's. */
void ir_emit(struct ir_block *b, uint16_t code, uint32_t k);
void ir_emit_at(struct ir_block *b, uint16_t code, uint32_t k, uint32_t begin, uint32_t end);
/* Terminate `b`: a conditional jump (jcode one of the JEQ/JGT/JGE/JSET K
 * or X codes; k ignored for X), a goto, a return (RET_K with k, RET_A). */
void ir_branch(struct ir_block *b, uint16_t jcode, uint32_t k, struct ir_block *jt,
	       struct ir_block *jf);
void ir_jump(struct ir_block *b, struct ir_block *target);
void ir_ret(struct ir_block *b, uint16_t code, uint32_t k);
/* Remove the terminator so that a new one can be set. */
void ir_term_clear(struct ir_block *b);
void ir_set_entry(struct ir_prog *p, struct ir_block *b);
/* The shared `ret #k` block (one accept value per program: asking for a
 * second value is an internal error) and the shared `ret #0` block. */
struct ir_block *ir_accept(struct ir_prog *p, uint32_t k);
struct ir_block *ir_reject(struct ir_prog *p);

/* Non-zero once an error is recorded; ir_error() is that error (code
 * BPFC_OK when none). */
int ir_failed(const struct ir_prog *p);
const struct bpfc_error *ir_error(const struct ir_prog *p);

/* Successors of a block: 0, 1 or 2 (a branch with jt == jf has 2). */
static inline unsigned
ir_nsucc(const struct ir_block *b)
{
	return b->term == IR_BRANCH ? 2u : b->term == IR_JUMP ? 1u : 0u;
}

static inline struct ir_block *
ir_succ(const struct ir_block *b, unsigned i)
{
	return i == 0 ? b->jt : b->jf;
}

/* ---- analyses and clean-up (ir.c) ------------------------------------------ */

/* Fill every block's preds/npreds from the edges of all blocks.  0, or -1
 * with the error recorded in `p`. */
int ir_compute_preds(struct ir_prog *p);
/* The blocks reachable from entry in reverse postorder: for a DAG, a
 * topological order (every edge goes from an earlier to a later block),
 * entry first.  The array is allocated in the program's arena; *n is its
 * length.  NULL (error recorded) when out of memory or entry is not set. */
struct ir_block **ir_rpo(struct ir_prog *p, uint32_t *n);
/* Drop every block not reachable from entry, renumber the others densely
 * in their previous order, and recompute predecessors.  0 or -1. */
int ir_remove_unreachable(struct ir_prog *p);

/* The validity rules above: 0, or -1 with BPFC_EINTERNAL (or the sticky
 * error) in `err` naming the block.  Scratch space comes from p->arena. */
int ir_check(const struct ir_prog *p, struct bpfc_error *err);

/* A listing for `bpfc --dump=ir`: each block with its id, source range and
 * predecessors, its statements as `tcpdump -d` writes them, and its
 * terminator with successor ids.  Works on malformed programs too. */
void ir_dump(struct strbuf *out, const struct ir_prog *p);

/* ---- to and from cBPF (assemble.c) ------------------------------------------ */

/*
 * Lay the blocks out, resolve jumps (long ones through `ja`), and give the
 * program as instructions allocated in `a`.  The result always passes
 * cbpf_validate() except for the length limit, which is the caller's to
 * enforce (a bpfc_load_options.max_insns).  0, or -1 with `err` set:
 * BPFC_EINTERNAL for malformed IR (see ir_check), BPFC_ENOMEM, or the
 * program's sticky error.  Fills p->asm_stats.
 */
int ir_assemble(struct ir_prog *p, struct arena *a, struct bpfc_insn **out, size_t *n,
		struct bpfc_error *err);

/*
 * The IR of a cBPF program: one block per run of instructions between
 * jump targets, only what is reachable from instruction 0.  Source ranges
 * are instruction indices.  The program must pass cbpf_validate (checked:
 * BPFC_EINVAL with the validator's message otherwise).  NULL with `err`
 * set on failure.
 */
struct ir_prog *ir_from_cbpf(struct arena *a, const struct bpfc_insn *insns, size_t n,
			     struct bpfc_error *err);

#endif
