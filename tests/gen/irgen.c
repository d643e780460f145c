/*
 * irgen.c: IR programs for tests, and an evaluator that runs them (see
 * irgen.h).
 *
 * Takes a seed (a struct rng drives every choice, so a program is a
 * function of its seed) or a size; gives IR built through the ordinary
 * builder calls of codegen/ir.h.  The evaluator is written from libpcap's
 * semantics, not from bpfc's interpreter, so it can judge the assembler.
 *
 * Random programs are built by position: position i may only have edges
 * to higher positions, so the graph is a DAG whatever the shape, and the
 * last position is always a return.  Which scratch words are written on
 * every path into a position is tracked as the edges are made (an edge
 * ANDs what its source has written into its target), so a `ld M[k]` is
 * only chosen for a k written on every path: the kernel's rule, which
 * ir_check enforces.  Block ids follow the creation order, which is
 * decided apart from the positions (as laid out, reversed or shuffled),
 * so the assembler's layout cannot count on ids matching the DAG order.
 *
 * Plain C and bpfc's own headers (no Check): errors come back as values.
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "cbpf/opcodes.h"
#include "codegen/ir.h"
#include "tests/gen/irgen.h"
#include "tests/gen/rng.h"

/* ---- random programs -------------------------------------------------------- */

struct ig_op {
	uint16_t code;
	unsigned flags;
};

static const struct ig_op ig_all[] = {
#define IG_OP(name, code, mnem, opnd, flags) {(code), (flags)},
	CBPF_OPCODES(IG_OP)
#undef IG_OP
};
#define IG_NALL (sizeof(ig_all) / sizeof(ig_all[0]))

static const char *const ig_shape_name[IRGEN_NSHAPES] = {"random", "chain", "tree", "diamond",
							  "fat"};

struct ig_gen {
	struct rng r;
	struct ir_prog *p;
	uint32_t n;             /* blocks */
	struct ir_block **at;   /* position -> block; edges go to higher positions */
	uint16_t *in;           /* M words written on every path into a position */
	struct ig_op stmt[IG_NALL];
	uint32_t nstmt_ops;
};

const char *
irgen_shape_name(enum irgen_shape shape)
{
	return (unsigned)shape < IRGEN_NSHAPES ? ig_shape_name[shape] : "?";
}

static uint32_t
ig_const(struct rng *r)
{
	static const uint32_t edge[] = {0, 1, 2, 4, 5, 6, 14, 17, 31, 32, 33, 64, 255, 256,
		0x800, 0x86dd, 0x806, 0x8100, 0x45, 0x7fffffff, 0x80000000u, 0xffffffffu, 0xffff};
	switch (rng_below(r, 4)) {
	case 0: return edge[rng_below(r, sizeof(edge) / sizeof(edge[0]))];
	case 1: return rng_below(r, 16);
	case 2: return rng_below(r, 256);
	default: return (uint32_t)rng_next(r);
	}
}

/* Mostly inside a typical header; now and then far out, or just below the
 * top of the 32-bit range (where [x + k] wraps). */
static uint32_t
ig_offset(struct rng *r)
{
	uint32_t v = rng_below(r, 100);
	return v < 70 ? rng_below(r, 60) : v < 90 ? rng_below(r, 200) : v < 97 ? rng_below(r, 1600)
									: 0xffdfff00u + rng_below(r, 256);
}

/* Two statements at the edges of the semantics: X = 0 (or small) before
 * div/mod/shift by X, the IPv4 header-length walk, X + k wrapping past 2^32. */
static void
ig_idiom(struct rng *r, struct ir_block *b)
{
	static const uint16_t div[] = {CBPF_ALU | CBPF_DIV | CBPF_X, CBPF_ALU | CBPF_MOD | CBPF_X,
				       CBPF_ALU | CBPF_LSH | CBPF_X, CBPF_ALU | CBPF_RSH | CBPF_X};

	switch (rng_below(r, 3)) {
	case 0:
		ir_emit(b, CBPF_LDX | CBPF_IMM, rng_below(r, 40));
		ir_emit(b, div[rng_below(r, 4)], 0);
		return;
	case 1:
		ir_emit(b, CBPF_LDX | CBPF_B | CBPF_MSH, 14);
		ir_emit(b, CBPF_LD | CBPF_H | CBPF_IND, 14 + rng_below(r, 8));
		return;
	default:
		ir_emit(b, CBPF_LDX | CBPF_IMM, 0xffffffffu - rng_below(r, 4));
		ir_emit(b, CBPF_LD | CBPF_B | CBPF_IND, rng_below(r, 8));
		return;
	}
}

/* One random statement into b, with `*v` the words written so far. */
static void
ig_stmt(struct ig_gen *g, struct ir_block *b, uint16_t *v)
{
	struct rng *r = &g->r;

	if (rng_chance(r, 1, 8)) {
		ig_idiom(r, b);
		return;
	}
	const struct ig_op *op = &g->stmt[rng_below(r, g->nstmt_ops)];
	uint32_t k = ig_const(r);
	if (op->flags & CBPF_F_MEMRD) {
		if (*v == 0) {
			op = &g->stmt[0]; /* nothing readable yet: store instead */
			while (!(op->flags & CBPF_F_MEMWR))
				op++;
		} else {
			do
				k = rng_below(r, 16);
			while (!(*v & (1u << k)));
		}
	}
	if (op->flags & CBPF_F_MEMWR) {
		k = rng_below(r, 16);
		*v |= (uint16_t)(1u << k);
	} else if (op->flags & CBPF_F_PKT) {
		k = ig_offset(r);
	} else if (op->flags & CBPF_F_NONZK && k == 0) {
		k = 1 + rng_below(r, 9);
	} else if (op->flags & CBPF_F_SHIFTK) {
		k = rng_below(r, 32);
	}
	ir_emit(b, op->code, k);
}

static void
ig_stmts(struct ig_gen *g, uint32_t pos, uint32_t count, uint16_t *v)
{
	*v = g->in[pos];
	for (uint32_t i = 0; i < count; i++)
		ig_stmt(g, g->at[pos], v);
}

/* An edge from a position that has written `v` to `to`: the target
 * inherits what is written on every path. */
static struct ir_block *
ig_edge(struct ig_gen *g, uint16_t v, uint32_t to)
{
	g->in[to] &= v;
	return g->at[to];
}

static void
ig_ret(struct ig_gen *g, uint32_t pos)
{
	struct rng *r = &g->r;
	uint32_t w = rng_below(r, 10);

	if (w < 3)
		ir_ret(g->at[pos], CBPF_RET | CBPF_K, 0);
	else if (w < 6)
		ir_ret(g->at[pos], CBPF_RET | CBPF_K, 262144);
	else if (w < 8)
		ir_ret(g->at[pos], CBPF_RET | CBPF_A, 0);
	else
		ir_ret(g->at[pos], CBPF_RET | CBPF_K, ig_const(r));
}

static void
ig_branch(struct ig_gen *g, uint32_t pos, uint16_t v, uint32_t t, uint32_t f)
{
	static const uint16_t jops[] = {CBPF_JEQ, CBPF_JGT, CBPF_JGE, CBPF_JSET};
	struct rng *r = &g->r;
	uint16_t code = CBPF_JMP | jops[rng_below(r, 4)] | (rng_chance(r, 1, 5) ? CBPF_X : CBPF_K);

	ir_branch(g->at[pos], code, ig_const(r), ig_edge(g, v, t), ig_edge(g, v, f));
}

/* A random successor position after `pos` (n - 1 is always a return). */
static uint32_t
ig_succ(struct ig_gen *g, uint32_t pos)
{
	struct rng *r = &g->r;
	uint32_t left = g->n - 1 - pos, w = rng_below(r, 100);

	if (w < 40)
		return pos + 1;
	if (w < 65)
		return pos + 1 + rng_below(r, left < 8 ? left : 8);
	if (w < 85)
		return pos + 1 + rng_below(r, left);
	return g->n - 1 - rng_below(r, left < 3 ? left : 3); /* a hub near the end */
}

static void
ig_random_block(struct ig_gen *g, uint32_t pos, uint32_t maxstmts)
{
	struct rng *r = &g->r;
	uint16_t v;
	uint32_t w = rng_below(r, 100);

	ig_stmts(g, pos, rng_below(r, maxstmts + 1), &v);
	if (pos == g->n - 1 || w < 12) {
		ig_ret(g, pos);
	} else if (w < 22) {
		ir_jump(g->at[pos], ig_edge(g, v, ig_succ(g, pos)));
	} else {
		uint32_t t = ig_succ(g, pos);
		ig_branch(g, pos, v, t, rng_chance(r, 1, 12) ? t : ig_succ(g, pos));
	}
}

/* `host a or host b or ...`: each test goes to the shared accept, else on. */
static void
ig_chain_block(struct ig_gen *g, uint32_t pos)
{
	uint32_t n = g->n;
	uint16_t v;

	if (pos >= n - 2) {
		ig_ret(g, pos);
		return;
	}
	ig_stmts(g, pos, 1 + rng_below(&g->r, 3), &v);
	ig_branch(g, pos, v, rng_chance(&g->r, 1, 10) ? n - 1 : n - 2, pos + 1 < n - 2 ? pos + 1 : n - 1);
}

/* A balanced tree in heap order; leaves branch to the two returns. */
static void
ig_tree_block(struct ig_gen *g, uint32_t pos)
{
	uint32_t m = g->n - 2, l = 2 * pos + 1;
	uint16_t v;

	if (pos >= m) {
		ig_ret(g, pos);
		return;
	}
	ig_stmts(g, pos, rng_below(&g->r, 3), &v);
	ig_branch(g, pos, v, l < m ? l : m, l + 1 < m ? l + 1 : m + 1);
}

/* Diamonds a -> (b, c) -> d at positions 3i .. 3i + 3 (d is the next a),
 * sometimes leaving to a far block. */
static void
ig_diamond_block(struct ig_gen *g, uint32_t pos)
{
	uint32_t role = pos % 3, d = pos + (role == 1 ? 2 : 1);
	uint16_t v;

	if (pos + 4 >= g->n) {
		ig_random_block(g, pos, 3);
		return;
	}
	ig_stmts(g, pos, rng_below(&g->r, 4), &v);
	if (role == 0)
		ig_branch(g, pos, v, pos + 1, pos + 2);
	else if (rng_chance(&g->r, 1, 2))
		ir_jump(g->at[pos], ig_edge(g, v, d));
	else
		ig_branch(g, pos, v, d, rng_chance(&g->r, 1, 4) ? ig_succ(g, pos) : d);
}

static uint32_t
ig_nblocks(struct rng *r, enum irgen_shape shape)
{
	uint32_t w = rng_below(r, 100), n;

	if (w < 70)
		n = 1 + rng_below(r, 30);
	else if (w < 95)
		n = 30 + rng_below(r, 270);
	else
		n = 300 + rng_below(r, IRGEN_MAXBLOCKS - 300 + 1);
	if (shape == IRGEN_FAT && n > 200)
		n = 20 + n % 180;
	if (shape != IRGEN_RANDOM && shape != IRGEN_FAT && n < 4)
		n = 4;
	return n;
}

/* Create g->n blocks in a random order (as laid out, reversed, or
 * shuffled) and map positions to them; -1 when out of memory. */
static int
ig_make_blocks(struct ig_gen *g, struct arena *a)
{
	uint32_t *perm = arena_calloc(a, g->n, sizeof(*perm));
	uint32_t order = rng_below(&g->r, 3);

	if (perm == NULL)
		return -1;
	for (uint32_t i = 0; i < g->n; i++)
		perm[i] = order == 1 ? g->n - 1 - i : i;
	for (uint32_t i = g->n; order == 2 && i > 1; i--) {
		uint32_t j = rng_below(&g->r, i), t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	struct ir_block **made = arena_calloc(a, g->n, sizeof(*made));
	if (made == NULL)
		return -1;
	for (uint32_t i = 0; i < g->n; i++)
		made[i] = ir_block_new(g->p, 10 * i, 10 * i + 5);
	for (uint32_t pos = 0; pos < g->n; pos++) {
		g->at[pos] = made[perm[pos]];
		g->in[pos] = pos == 0 ? 0 : 0xffff;
	}
	return 0;
}

/* The builder's sticky error (or out of memory) as the caller's error;
 * returns NULL. */
static struct ir_prog *
ig_fail(const struct ir_prog *p, const char *who, struct bpfc_error *err)
{
	if (p == NULL)
		diag_plain(err, BPFC_ENOMEM, "%s: out of memory", who);
	else
		diag_plain(err, BPFC_EINTERNAL, "%s: %s", who, ir_error(p)->msg);
	return NULL;
}

struct ir_prog *
irgen_program(struct arena *a, uint64_t seed, enum irgen_shape shape, uint32_t nblocks,
	      struct bpfc_error *err)
{
	struct ig_gen g;

	memset(&g, 0, sizeof(g));
	rng_seed(&g.r, seed);
	for (size_t i = 0; i < IG_NALL; i++)
		if (!(ig_all[i].flags & (CBPF_F_JA | CBPF_F_COND | CBPF_F_RET)))
			g.stmt[g.nstmt_ops++] = ig_all[i];
	g.n = nblocks ? nblocks : ig_nblocks(&g.r, shape);
	if (g.n < 2 && (shape == IRGEN_CHAIN || shape == IRGEN_TREE)) {
		diag_plain(err, BPFC_EINTERNAL, "generator: a %s needs 2 blocks or more",
			   irgen_shape_name(shape));
		return NULL;
	}
	g.p = ir_new(a);
	g.at = arena_calloc(a, g.n, sizeof(*g.at));
	g.in = arena_calloc(a, g.n, sizeof(*g.in));
	if (g.p == NULL || g.at == NULL || g.in == NULL || ig_make_blocks(&g, a) != 0)
		return ig_fail(NULL, "generator", err);
	for (uint32_t pos = 0; pos < g.n; pos++) {
		switch (shape) {
		case IRGEN_CHAIN: ig_chain_block(&g, pos); break;
		case IRGEN_TREE: ig_tree_block(&g, pos); break;
		case IRGEN_DIAMOND: ig_diamond_block(&g, pos); break;
		case IRGEN_FAT: ig_random_block(&g, pos, 60); break;
		default: ig_random_block(&g, pos, rng_chance(&g.r, 1, 10) ? 30 : 5); break;
		}
	}
	ir_set_entry(g.p, g.at[0]);
	return ir_failed(g.p) ? ig_fail(g.p, "generator", err) : g.p;
}

/* ---- fixed shapes that need long jumps -------------------------------------- */

/* A new program for `who`, whose size argument is fine when `size_ok`;
 * NULL with *err set when it is not, or when out of memory. */
static struct ir_prog *
ig_new(struct arena *a, int size_ok, const char *who, struct bpfc_error *err)
{
	struct ir_prog *p;

	if (!size_ok) {
		diag_plain(err, BPFC_EINTERNAL, "%s: a size of 0", who);
		return NULL;
	}
	p = ir_new(a);
	return p != NULL ? p : ig_fail(NULL, who, err);
}

struct ir_prog *
irgen_chain(struct arena *a, uint32_t k, int accept_has_stmts, struct bpfc_error *err)
{
	struct ir_prog *p = ig_new(a, k > 0, "irgen_chain", err);
	if (p == NULL)
		return NULL;
	struct ir_block *acc = ir_block_new(p, 0, 0), *rej = ir_reject(p), *first = NULL, *prev = NULL;

	if (accept_has_stmts)
		ir_emit(acc, CBPF_LD | CBPF_W | CBPF_LEN, 0);
	ir_ret(acc, accept_has_stmts ? (CBPF_RET | CBPF_A) : (CBPF_RET | CBPF_K), 262144);
	for (uint32_t i = 0; i < k; i++) {
		struct ir_block *b = ir_block_new(p, i, i + 1);
		ir_emit(b, CBPF_LD | CBPF_W | CBPF_ABS, 26 + 4 * (i % 2));
		if (prev != NULL)
			ir_branch(prev, CBPF_JMP | CBPF_JEQ | CBPF_K, 0x0a000000u + i - 1, acc, b);
		else
			first = b;
		prev = b;
	}
	ir_branch(prev, CBPF_JMP | CBPF_JEQ | CBPF_K, 0x0a000000u + k - 1, acc, rej);
	ir_set_entry(p, first);
	return ir_failed(p) ? ig_fail(p, "irgen_chain", err) : p;
}

/* The subtree over leaves [lo, hi) of a sorted decision tree, its blocks
 * made in preorder. */
static struct ir_block *
ig_subtree(struct ir_prog *p, uint32_t lo, uint32_t hi)
{
	struct ir_block *b = ir_block_new(p, lo, hi);

	if (hi - lo == 1) {
		ir_branch(b, CBPF_JMP | CBPF_JEQ | CBPF_K, 0x0a000000u + lo * 7, ir_accept(p, 262144),
			  ir_reject(p));
		return b;
	}
	uint32_t mid = lo + (hi - lo) / 2;
	struct ir_block *left = ig_subtree(p, lo, mid), *right = ig_subtree(p, mid, hi);
	ir_branch(b, CBPF_JMP | CBPF_JGT | CBPF_K, 0x0a000000u + (mid - 1) * 7, right, left);
	return b;
}

/* The same tree as ig_subtree's, breadth first: internal nodes in heap
 * order, then the leaves; -1 when out of memory. */
static int
ig_tree_bfs(struct ir_prog *p, struct arena *a, struct ir_block *load, uint32_t leaves)
{
	uint32_t m = leaves - 1;
	struct ir_block **node = arena_calloc(a, m + leaves, sizeof(*node));

	if (node == NULL)
		return -1;
	for (uint32_t i = 0; i < m + leaves; i++)
		node[i] = ir_block_new(p, i, i + 1);
	ir_jump(load, node[0]);
	for (uint32_t i = 0; i < m + leaves; i++) {
		if (i < m)
			ir_branch(node[i], CBPF_JMP | CBPF_JGT | CBPF_K, 0x0a000000u + i * 7, node[2 * i + 2],
				  node[2 * i + 1]);
		else
			ir_branch(node[i], CBPF_JMP | CBPF_JEQ | CBPF_K, 0x0a000000u + i * 7,
				  ir_accept(p, 262144), ir_reject(p));
	}
	return 0;
}

struct ir_prog *
irgen_tree(struct arena *a, uint32_t leaves, int bfs, struct bpfc_error *err)
{
	struct ir_prog *p = ig_new(a, leaves > 0, "irgen_tree", err);
	if (p == NULL)
		return NULL;
	struct ir_block *load = ir_block_new(p, 0, 0);

	ir_emit(load, CBPF_LD | CBPF_W | CBPF_ABS, 26);
	if (!bfs)
		ir_jump(load, ig_subtree(p, 0, leaves));
	else if (ig_tree_bfs(p, a, load, leaves) != 0)
		return ig_fail(NULL, "irgen_tree", err);
	ir_set_entry(p, load);
	return ir_failed(p) ? ig_fail(p, "irgen_tree", err) : p;
}

struct ir_prog *
irgen_far(struct arena *a, uint32_t len, struct bpfc_error *err)
{
	struct ir_prog *p = ig_new(a, 1, "irgen_far", err);
	if (p == NULL)
		return NULL;
	struct ir_block *b0 = ir_block_new(p, 0, 1), *mid = ir_block_new(p, 1, 2),
			*far = ir_block_new(p, 2, 3);

	ir_emit(b0, CBPF_LD | CBPF_B | CBPF_ABS, 23);
	ir_emit(b0, CBPF_ST, 3);
	ir_branch(b0, CBPF_JMP | CBPF_JEQ | CBPF_K, 6, far, mid);
	for (uint32_t i = 0; i < len; i++)
		ir_emit(mid, CBPF_ALU | CBPF_ADD | CBPF_K, i);
	ir_emit(mid, CBPF_ST, 3);
	ir_jump(mid, far);
	ir_emit(far, CBPF_LD | CBPF_MEM, 3);
	ir_ret(far, CBPF_RET | CBPF_A, 0);
	ir_set_entry(p, b0);
	return ir_failed(p) ? ig_fail(p, "irgen_far", err) : p;
}

/* ---- the evaluator: walks the IR with libpcap's semantics ---------------------- */

/* What one statement did: go on, end the program with 0 (a load outside
 * the capture, a division by zero), or meet something it does not know. */
enum ig_step { IG_NEXT, IG_END0, IG_BAD };

struct ig_pkt {
	const uint8_t *data;
	uint32_t wirelen, caplen;
};

struct ig_regs {
	uint32_t a, x, m[16];
};

/* Big-endian `size` bytes at `off`; -1 when not all inside the capture
 * (`off` is 64-bit: X + k must not wrap into the packet). */
static int
ig_load(const struct ig_pkt *p, uint64_t off, unsigned size, uint32_t *v)
{
	if (off + size > p->caplen)
		return -1;
	*v = 0;
	for (unsigned i = 0; i < size; i++)
		*v = *v << 8 | p->data[off + i];
	return 0;
}

static enum ig_step
ig_alu(uint16_t code, uint32_t *a, uint32_t v, struct bpfc_error *err)
{
	switch (code & 0xf0) {
	case CBPF_ADD: *a += v; break;
	case CBPF_SUB: *a -= v; break;
	case CBPF_MUL: *a *= v; break;
	case CBPF_DIV: if (v == 0) return IG_END0; *a /= v; break;
	case CBPF_MOD: if (v == 0) return IG_END0; *a %= v; break;
	case CBPF_AND: *a &= v; break;
	case CBPF_OR: *a |= v; break;
	case CBPF_XOR: *a ^= v; break;
	case CBPF_LSH: *a = v < 32 ? *a << v : 0; break;
	case CBPF_RSH: *a = v < 32 ? *a >> v : 0; break;
	case CBPF_NEG: *a = 0u - *a; break;
	default:
		diag_plain(err, BPFC_EINTERNAL, "evaluator: ALU code 0x%x", code);
		return IG_BAD;
	}
	return IG_NEXT;
}

static enum ig_step
ig_ld(const struct ir_stmt *s, struct ig_regs *r, const struct ig_pkt *p, struct bpfc_error *err)
{
	uint16_t c = s->code;
	unsigned size = (c & 0x18) == CBPF_W ? 4 : (c & 0x18) == CBPF_H ? 2 : 1;
	uint32_t v;

	switch (c & 0xe0) {
	case CBPF_ABS: if (ig_load(p, s->k, size, &v)) return IG_END0; break;
	case CBPF_IND: if (ig_load(p, (uint64_t)r->x + s->k, size, &v)) return IG_END0; break;
	case CBPF_LEN: v = p->wirelen; break;
	case CBPF_IMM: v = s->k; break;
	case CBPF_MEM: v = r->m[s->k]; break;
	case CBPF_MSH:
		if (ig_load(p, s->k, 1, &v))
			return IG_END0;
		v = (v & 0xf) << 2;
		break;
	default:
		diag_plain(err, BPFC_EINTERNAL, "evaluator: load code 0x%x", c);
		return IG_BAD;
	}
	*(CBPF_CLASS(c) == CBPF_LDX ? &r->x : &r->a) = v;
	return IG_NEXT;
}

static enum ig_step
ig_stmt_run(const struct ir_stmt *s, struct ig_regs *r, const struct ig_pkt *p,
	    struct bpfc_error *err)
{
	uint16_t c = s->code;

	switch (CBPF_CLASS(c)) {
	case CBPF_LD:
	case CBPF_LDX: return ig_ld(s, r, p, err);
	case CBPF_ST: r->m[s->k] = r->a; return IG_NEXT;
	case CBPF_STX: r->m[s->k] = r->x; return IG_NEXT;
	case CBPF_ALU: return ig_alu(c, &r->a, c & CBPF_X ? r->x : s->k, err);
	case CBPF_MISC:
		if (c & CBPF_TXA)
			r->a = r->x;
		else
			r->x = r->a;
		return IG_NEXT;
	}
	diag_plain(err, BPFC_EINTERNAL, "evaluator: statement code 0x%x", c);
	return IG_BAD;
}

/* A branch's test: 1 taken, 0 not, -1 an unknown code. */
static int
ig_test(uint16_t code, uint32_t a, uint32_t v)
{
	switch (code & 0xf0) {
	case CBPF_JEQ: return a == v;
	case CBPF_JGT: return a > v;
	case CBPF_JGE: return a >= v;
	case CBPF_JSET: return (a & v) != 0;
	}
	return -1;
}

int
irgen_eval(const struct ir_prog *prog, const uint8_t *pkt, uint32_t wirelen, uint32_t caplen,
	   uint32_t *ret, struct bpfc_error *err)
{
	const struct ig_pkt p = {pkt, wirelen, caplen};
	struct ig_regs r;
	const struct ir_block *b = prog->entry;

	memset(&r, 0, sizeof(r));
	*ret = 0;
	/* A DAG path visits each block at most once. */
	for (uint32_t steps = 0; steps <= prog->nblocks; steps++) {
		for (uint32_t i = 0; i < b->nstmts; i++) {
			enum ig_step st = ig_stmt_run(&b->stmts[i], &r, &p, err);
			if (st != IG_NEXT)
				return st == IG_END0 ? 0 : -1;
		}
		int t;
		switch (b->term) {
		case IR_RET:
			*ret = b->code == (CBPF_RET | CBPF_A) ? r.a : b->k;
			return 0;
		case IR_JUMP: b = b->jt; break;
		case IR_BRANCH:
			t = ig_test(b->code, r.a, b->code & CBPF_X ? r.x : b->k);
			if (t < 0)
				return diag_plain(err, BPFC_EINTERNAL, "evaluator: branch code 0x%x", b->code);
			b = t ? b->jt : b->jf;
			break;
		default:
			return diag_plain(err, BPFC_EINTERNAL, "evaluator: block %u has no terminator", b->id);
		}
	}
	return diag_plain(err, BPFC_EINTERNAL, "evaluator: more steps than blocks (a cycle?)");
}
