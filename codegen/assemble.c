/*
 * assemble.c: IR -> cBPF (ir_assemble), and cBPF -> IR (ir_from_cbpf).
 *
 * Takes a well-formed IR program (ir_check is run first); gives
 * instructions that pass cbpf_validate.  Steps:
 *
 *  1. Nodes.  One node per block, then canonical form: statement-less
 *     returns with the same opcode and k become one node (the one with the
 *     highest id, so edges that went forward in id order still do); a
 *     statement-less goto is bypassed; a branch whose two edges now meet
 *     becomes a goto.
 *  2. Layout.  A topological order (every edge forward, as cBPF needs),
 *     chosen by Kahn's algorithm taking the ready node with the smallest id,
 *     except that a goto's target comes right after it when it is ready.  So
 *     the code generator's creation order is kept where the edges allow it
 *     (and a program read from cBPF keeps its order), and a goto to the
 *     next node costs nothing.
 *  3. Sizes, to a fixed point (STYLE.md rules 10 and 12).  A conditional
 *     jump reaches 255 instructions ahead.  An edge lands on its target or
 *     on any "landing" for it within reach: a trampoline that some branch
 *     owns (a `ja` to the target, or a copy of the target's `ret` when the
 *     target is a bare return), placed right after that branch.  A pass
 *     walks the branches from last to first and gives a trampoline to each
 *     edge that reaches no landing, counting the ones it has just added
 *     (upper bounds on how far they push things), so one trampoline serves
 *     every branch up to 255 before it: a 1000-test chain to one accept
 *     needs 7 copied returns, where one trampoline per far branch would be
 *     ~870.  Trampolines are only ever added, so positions only grow and
 *     every pass but the last adds at least one; an edge adds at most one,
 *     so there are at most (branch edges + 1) passes: more is
 *     BPFC_EINTERNAL.  The pass that adds nothing saw only exact distances:
 *     it is the proof, and emission re-derives every offset from it and
 *     checks it is in range.
 *  4. Validation.  The kernel tracks M[] in program order and lets the
 *     instruction after a `ret` inherit what held before the ret, although
 *     no packet goes that way.  So code placed after a return (or after a
 *     copied return) may be refused for reading M[k] that every real path
 *     writes.  The output is run through cbpf_validate; if that fails, it
 *     is assembled again with the safe layout: returns with statements end
 *     in a goto to a shared bare return, all bare returns go last, and
 *     trampolines are `ja` only.  There every instruction but the final
 *     returns (which read no M[]) follows a jump or falls through along a
 *     real edge, so the kernel's tracking equals the IR's dataflow, which
 *     ir_check verified.  A failure there is BPFC_EINTERNAL.
 *
 * All scratch memory comes from the arena passed in.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "cbpf/cbpf.h"
#include "codegen/ir.h"

#define ASM_NONE UINT32_MAX
#define ASM_MAXJ 255u /* the longest conditional jump */

enum asm_kind { ASM_BRANCH, ASM_JUMP, ASM_RET };

struct asm_node {
	const struct ir_block *b; /* statements from here; NULL for a made-up return */
	uint32_t nstmts;
	enum asm_kind kind;
	uint16_t code;
	uint32_t k;
	uint32_t succ[2]; /* node indices: BRANCH both, JUMP succ[0] */
	uint32_t pos;     /* first instruction */
	uint32_t bpc;     /* BRANCH: the conditional jump's position */
	uint32_t indeg;   /* layout: edges from unplaced nodes */
	uint8_t tramp[2]; /* BRANCH: edge e has a trampoline of its own */
	uint8_t fall;     /* JUMP: the target is next, no `ja` */
	uint8_t reach, placed;
};

struct asm_ctx {
	struct ir_prog *p;
	struct arena *a;
	int safe; /* the returns-last layout */
	struct asm_node *node;
	uint32_t nnodes, cap;
	uint32_t entry;
	uint32_t *order, norder;
	uint32_t *lstart, *lpos; /* landings: lpos[lstart[t] .. lstart[t + 1]) */
	uint32_t *fen, fensize;  /* asm_widen: trampolines added this pass */
	uint32_t *newest, *stamp, pass; /* newest[t]: valid when stamp[t] == pass */
	uint32_t total;          /* instructions */
	struct ir_asm_stats st;
	struct bpfc_error *err;
};

static int
asm_nomem(struct asm_ctx *c)
{
	return diag_plain(c->err, BPFC_ENOMEM, "out of memory");
}

static int
asm_bare_ret(const struct asm_node *n)
{
	return n->kind == ASM_RET && n->nstmts == 0;
}

/* ---- 1. nodes ---------------------------------------------------------------- */

static int
asm_nodes(struct asm_ctx *c)
{
	const struct ir_prog *p = c->p;

	/* Room for a made-up return per block in the safe layout. */
	c->cap = 2 * p->nblocks + 1;
	c->node = arena_calloc(c->a, c->cap, sizeof(*c->node));
	if (c->node == NULL)
		return asm_nomem(c);
	for (uint32_t i = 0; i < p->nblocks; i++) {
		const struct ir_block *b = p->blocks[i];
		struct asm_node *n = &c->node[i];

		n->b = b;
		n->nstmts = b->nstmts;
		n->kind = b->term == IR_BRANCH ? ASM_BRANCH : b->term == IR_JUMP ? ASM_JUMP : ASM_RET;
		n->code = b->code;
		n->k = b->k;
		n->succ[0] = n->succ[1] = ASM_NONE;
		for (unsigned e = 0; e < ir_nsucc(b); e++)
			n->succ[e] = ir_succ(b, e)->id;
	}
	c->nnodes = p->nblocks;
	c->entry = p->entry->id;
	return 0;
}

/* Order returns by (opcode, k, index). */
static int
asm_ret_before(const struct asm_node *node, uint32_t x, uint32_t y)
{
	const struct asm_node *a = &node[x], *b = &node[y];

	if (a->code != b->code)
		return a->code < b->code;
	if (a->k != b->k)
		return a->k < b->k;
	return x < y;
}

/* Merge sort of node indices (qsort has no context argument in C11). */
static void
asm_sort(uint32_t *v, uint32_t *tmp, uint32_t n, const struct asm_node *node)
{
	if (n < 2)
		return;
	uint32_t h = n / 2;
	asm_sort(v, tmp, h, node);
	asm_sort(v + h, tmp, n - h, node);
	uint32_t i = 0, j = h, o = 0;
	while (i < h && j < n)
		tmp[o++] = asm_ret_before(node, v[j], v[i]) ? v[j++] : v[i++];
	while (i < h)
		tmp[o++] = v[i++];
	while (j < n)
		tmp[o++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/*
 * Reachable returns with the same opcode and k: map every bare one to the
 * class's bare return with the highest id (rep[]).  Unreachable blocks take
 * no part, so dropping them changes nothing.  In the safe layout, a return
 * with statements becomes a goto to that bare return (made up when the
 * class has none).
 */
static int
asm_merge_rets(struct asm_ctx *c, uint32_t *rep)
{
	uint32_t nret = 0, n = c->nnodes;
	uint32_t *ret = arena_calloc(c->a, n + 1, sizeof(*ret));
	uint32_t *tmp = arena_calloc(c->a, n + 1, sizeof(*tmp));

	if (ret == NULL || tmp == NULL)
		return asm_nomem(c);
	for (uint32_t i = 0; i < c->cap; i++)
		rep[i] = i;
	for (uint32_t i = 0; i < n; i++) {
		if (c->node[i].kind == ASM_RET && c->node[i].reach)
			ret[nret++] = i;
	}
	asm_sort(ret, tmp, nret, c->node);
	for (uint32_t lo = 0, hi; lo < nret; lo = hi) {
		const struct asm_node *first = &c->node[ret[lo]];
		uint32_t r = ASM_NONE;
		for (hi = lo; hi < nret && c->node[ret[hi]].code == first->code &&
			      c->node[ret[hi]].k == first->k;
		     hi++)
			if (asm_bare_ret(&c->node[ret[hi]]))
				r = ret[hi]; /* ids ascend within a class: the last is highest */
		if (c->safe && r == ASM_NONE) {
			r = c->nnodes++;
			c->node[r] = (struct asm_node){.kind = ASM_RET, .code = first->code,
						       .k = first->k, .succ = {ASM_NONE, ASM_NONE},
						       .reach = 1};
		}
		for (uint32_t j = lo; j < hi; j++) {
			struct asm_node *m = &c->node[ret[j]];
			if (r == ASM_NONE || ret[j] == r)
				continue;
			if (asm_bare_ret(m)) {
				rep[ret[j]] = r;
				c->st.rets_merged++;
			} else if (c->safe) {
				m->kind = ASM_JUMP;
				m->code = CBPF_JMP | CBPF_JA;
				m->succ[0] = r;
			}
		}
	}
	return 0;
}

/* Where an edge to node i really goes: past statement-less gotos, to the
 * representative of a bare return.  `res` memoizes; `stack` is scratch. */
static uint32_t
asm_resolve(struct asm_ctx *c, const uint32_t *rep, uint32_t *res, uint32_t *stack, uint32_t i)
{
	uint32_t sp = 0, t = i;

	while (res[t] == ASM_NONE && c->node[t].kind == ASM_JUMP && c->node[t].nstmts == 0) {
		stack[sp++] = t;
		t = c->node[t].succ[0];
	}
	t = res[t] != ASM_NONE ? res[t] : asm_bare_ret(&c->node[t]) ? rep[t] : t;
	while (sp > 0)
		res[stack[--sp]] = t;
	return t;
}

static int
asm_canonical(struct asm_ctx *c)
{
	uint32_t *rep = arena_calloc(c->a, c->cap, sizeof(*rep));
	uint32_t *res = arena_calloc(c->a, c->cap, sizeof(*res));
	uint32_t *stack = arena_calloc(c->a, c->cap, sizeof(*stack));

	if (rep == NULL || res == NULL || stack == NULL)
		return asm_nomem(c);
	if (asm_merge_rets(c, rep) != 0)
		return -1;
	for (uint32_t i = 0; i < c->cap; i++)
		res[i] = ASM_NONE;
	c->entry = asm_resolve(c, rep, res, stack, c->entry);
	for (uint32_t i = 0; i < c->nnodes; i++) {
		struct asm_node *n = &c->node[i];
		for (unsigned e = 0; e < 2; e++)
			if (n->succ[e] != ASM_NONE)
				n->succ[e] = asm_resolve(c, rep, res, stack, n->succ[e]);
		if (n->kind == ASM_BRANCH && n->succ[0] == n->succ[1]) {
			n->kind = ASM_JUMP;
			n->code = CBPF_JMP | CBPF_JA;
			n->succ[1] = ASM_NONE;
		}
	}
	return 0;
}

/* ---- 2. layout --------------------------------------------------------------- */

/* Mark what the entry reaches.  With `count`, also count in-edges from
 * reached nodes (an edge into a return does not count in the safe layout:
 * returns go last). */
static int
asm_reach(struct asm_ctx *c, int count)
{
	uint32_t *stack = arena_calloc(c->a, c->nnodes + 1, sizeof(*stack));
	uint32_t sp = 0;

	if (stack == NULL)
		return asm_nomem(c);
	for (uint32_t i = 0; i < c->nnodes; i++)
		c->node[i].reach = 0;
	c->node[c->entry].reach = 1;
	stack[sp++] = c->entry;
	while (sp > 0) {
		struct asm_node *n = &c->node[stack[--sp]];
		for (unsigned e = 0; e < 2; e++) {
			uint32_t s = n->succ[e];
			if (s == ASM_NONE || (e == 1 && s == n->succ[0]))
				continue;
			if (count && !(c->safe && c->node[s].kind == ASM_RET))
				c->node[s].indeg++;
			if (!c->node[s].reach) {
				c->node[s].reach = 1;
				stack[sp++] = s;
			}
		}
	}
	return 0;
}

/* A binary min-heap of node indices. */
struct asm_heap {
	uint32_t *v, n;
};

static void
asm_heap_push(struct asm_heap *h, uint32_t x)
{
	uint32_t i = h->n++;
	while (i > 0 && h->v[(i - 1) / 2] > x) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

static uint32_t
asm_heap_pop(struct asm_heap *h)
{
	uint32_t top = h->v[0], x = h->v[--h->n], i = 0;

	for (;;) {
		uint32_t l = 2 * i + 1, m = i;
		if (l < h->n && h->v[l] < x)
			m = l;
		if (l + 1 < h->n && h->v[l + 1] < (m == i ? x : h->v[l]))
			m = l + 1;
		if (m == i)
			break;
		h->v[i] = h->v[m];
		i = m;
	}
	if (h->n > 0)
		h->v[i] = x;
	return top;
}

static void
asm_place(struct asm_ctx *c, struct asm_heap *h, uint32_t v)
{
	struct asm_node *n = &c->node[v];

	n->placed = 1;
	c->order[c->norder++] = v;
	for (unsigned e = 0; e < 2; e++) {
		uint32_t s = n->succ[e];
		if (s == ASM_NONE || (e == 1 && s == n->succ[0]))
			continue;
		if (c->safe && c->node[s].kind == ASM_RET)
			continue;
		if (--c->node[s].indeg == 0)
			asm_heap_push(h, s);
	}
}

/* Kahn's algorithm (see the file comment), then, in the safe layout, the
 * returns; then which gotos fall through. */
static int
asm_layout(struct asm_ctx *c)
{
	struct asm_heap h = {arena_calloc(c->a, c->nnodes + 1, sizeof(uint32_t)), 0};
	uint32_t nreach = 0, v;

	c->order = arena_calloc(c->a, c->nnodes + 1, sizeof(*c->order));
	if (h.v == NULL || c->order == NULL)
		return asm_nomem(c);
	c->norder = 0;
	for (uint32_t i = 0; i < c->nnodes; i++)
		nreach += c->node[i].reach;
	asm_heap_push(&h, c->entry);
	v = ASM_NONE;
	for (;;) {
		uint32_t next = ASM_NONE;
		if (v != ASM_NONE && c->node[v].kind == ASM_JUMP) {
			uint32_t t = c->node[v].succ[0];
			if (!c->node[t].placed && c->node[t].indeg == 0 &&
			    !(c->safe && c->node[t].kind == ASM_RET))
				next = t; /* still in the heap: popped later, skipped */
		}
		while (next == ASM_NONE && h.n > 0) {
			uint32_t x = asm_heap_pop(&h);
			if (!c->node[x].placed)
				next = x;
		}
		if (next == ASM_NONE)
			break;
		asm_place(c, &h, next);
		v = next;
	}
	if (c->safe) {
		/* The goto that ends the other code may fall into its return. */
		uint32_t first = ASM_NONE;
		if (v != ASM_NONE && c->node[v].kind == ASM_JUMP)
			first = c->node[v].succ[0];
		if (first != ASM_NONE && c->node[first].kind == ASM_RET)
			asm_place(c, &h, first);
		for (uint32_t i = 0; i < c->nnodes; i++)
			if (c->node[i].reach && !c->node[i].placed && c->node[i].kind == ASM_RET)
				asm_place(c, &h, i);
	}
	if (c->norder != nreach)
		return diag_plain(c->err, BPFC_EINTERNAL,
				  "ir_assemble: layout placed %u of %u blocks (a cycle?)", c->norder,
				  nreach);
	for (uint32_t i = 0; i < c->norder; i++) {
		struct asm_node *n = &c->node[c->order[i]];
		n->fall = n->kind == ASM_JUMP && i + 1 < c->norder && n->succ[0] == c->order[i + 1];
		c->st.jumps_elided += n->fall;
	}
	return 0;
}

/* ---- 3. sizes ------------------------------------------------------------------ */

/* Edge e's trampoline is a copy of its target's return (else a `ja`). */
static int
asm_retcopy(const struct asm_ctx *c, const struct asm_node *n, unsigned e)
{
	return !c->safe && asm_bare_ret(&c->node[n->succ[e]]);
}

/* The edges owning a trampoline in slot order: returns copies first (a
 * `ja` after them resets the kernel's M[] tracking), then by edge. */
static unsigned
asm_slots(const struct asm_ctx *c, const struct asm_node *n, unsigned slot[2])
{
	unsigned k = 0;

	for (int pass = 0; pass < 2; pass++)
		for (unsigned e = 0; e < 2; e++)
			if (n->tramp[e] && asm_retcopy(c, n, e) == (pass == 0))
				slot[k++] = e;
	return k;
}

/* Positions from the current trampolines; then the landings per target. */
static void
asm_positions(struct asm_ctx *c)
{
	uint32_t pc = 0;
	unsigned slot[2];

	for (uint32_t i = 0; i < c->norder; i++) {
		struct asm_node *n = &c->node[c->order[i]];
		n->pos = pc;
		pc += n->nstmts;
		if (n->kind == ASM_BRANCH) {
			n->bpc = pc;
			pc += 1 + asm_slots(c, n, slot);
		} else {
			pc += n->kind == ASM_JUMP && n->fall ? 0 : 1;
		}
	}
	c->total = pc;
	/* Count landings per target, then fill in position order, so each
	 * target's list is sorted. */
	memset(c->lstart, 0, (c->nnodes + 2) * sizeof(*c->lstart));
	for (uint32_t i = 0; i < c->norder; i++) {
		const struct asm_node *n = &c->node[c->order[i]];
		c->lstart[c->order[i] + 2]++;
		for (unsigned e = 0; n->kind == ASM_BRANCH && e < 2; e++)
			c->lstart[n->succ[e] + 2] += n->tramp[e];
	}
	for (uint32_t t = 2; t < c->nnodes + 2; t++)
		c->lstart[t] += c->lstart[t - 1];
	for (uint32_t i = 0; i < c->norder; i++) {
		const struct asm_node *n = &c->node[c->order[i]];
		c->lpos[c->lstart[c->order[i] + 1]++] = n->pos;
		unsigned k = n->kind == ASM_BRANCH ? asm_slots(c, n, slot) : 0;
		for (unsigned j = 0; j < k; j++)
			c->lpos[c->lstart[n->succ[slot[j]] + 1]++] = n->bpc + 1 + j;
	}
}

/* The nearest landing for target t after position `from`, or ASM_NONE. */
static uint32_t
asm_landing(const struct asm_ctx *c, uint32_t t, uint32_t from)
{
	uint32_t lo = c->lstart[t], hi = c->lstart[t + 1];

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (c->lpos[mid] <= from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->lstart[t + 1] ? c->lpos[lo] : ASM_NONE;
}

/* Fenwick tree over old positions: trampolines added in this pass, by
 * the position of the branch that got them. */
static void
asm_fen_add(struct asm_ctx *c, uint32_t pos)
{
	for (uint32_t i = pos + 1; i <= c->fensize; i += i & (0u - i))
		c->fen[i]++;
}

/* Added at positions [0, pos]. */
static uint32_t
asm_fen_upto(const struct asm_ctx *c, uint32_t pos)
{
	uint32_t sum = 0;
	for (uint32_t i = pos + 1 < c->fensize ? pos + 1 : c->fensize; i > 0; i -= i & (0u - i))
		sum += c->fen[i];
	return sum;
}

/*
 * Does edge (n, target t) reach a landing once this pass's additions are
 * in?  A landing L from the pass's positions moves away by the trampolines
 * added at branches in [bpc, L); one added in this pass at branch b2 lies
 * at most 2 past b2's jump, plus what was added in [bpc, b2).  Both bounds
 * are upper bounds, so a "yes" stays true; the next pass re-derives every
 * distance exactly anyway.
 */
static int
asm_reaches(const struct asm_ctx *c, const struct asm_node *n, uint32_t t)
{
	uint32_t bpc = n->bpc, before = bpc ? asm_fen_upto(c, bpc - 1) : 0;
	uint32_t l = asm_landing(c, t, bpc);

	if (l != ASM_NONE && l - bpc - 1 + asm_fen_upto(c, l - 1) - before <= ASM_MAXJ)
		return 1;
	if (c->stamp[t] != c->pass)
		return 0;
	const struct asm_node *b2 = &c->node[c->newest[t]];
	return b2->bpc + 1 - bpc + asm_fen_upto(c, b2->bpc - 1) - before <= ASM_MAXJ;
}

/*
 * One pass: from the last branch back to the first, give a trampoline to
 * each edge that reaches no landing, and let the branches before it use
 * that one (so one trampoline serves every branch up to 255 before it,
 * rather than each far branch getting its own).  Returns how many were
 * added.
 */
static uint32_t
asm_widen(struct asm_ctx *c)
{
	uint32_t added = 0;

	memset(c->fen, 0, (c->fensize + 1) * sizeof(*c->fen));
	c->pass++;
	for (uint32_t i = c->norder; i-- > 0;) {
		struct asm_node *n = &c->node[c->order[i]];
		for (unsigned e = 2; n->kind == ASM_BRANCH && e-- > 0;) {
			uint32_t t = n->succ[e];
			if (n->tramp[e] || asm_reaches(c, n, t))
				continue;
			n->tramp[e] = 1;
			asm_fen_add(c, n->bpc);
			c->stamp[t] = c->pass;
			c->newest[t] = c->order[i];
			added++;
		}
	}
	return added;
}

static int
asm_fixpoint(struct asm_ctx *c)
{
	uint32_t edges = 0;

	for (uint32_t i = 0; i < c->norder; i++)
		edges += c->node[c->order[i]].kind == ASM_BRANCH ? 2 : 0;
	c->lstart = arena_calloc(c->a, c->nnodes + 2, sizeof(*c->lstart));
	c->lpos = arena_calloc(c->a, 3 * (size_t)c->nnodes + 1, sizeof(*c->lpos));
	c->newest = arena_calloc(c->a, c->nnodes + 1, sizeof(*c->newest));
	c->stamp = arena_calloc(c->a, c->nnodes + 1, sizeof(*c->stamp));
	asm_positions(c);
	c->fensize = c->total + edges + 1; /* positions never pass this */
	c->fen = arena_calloc(c->a, c->fensize + 1, sizeof(*c->fen));
	if (!c->lstart || !c->lpos || !c->newest || !c->stamp || !c->fen)
		return asm_nomem(c);
	c->pass = 0;
	/* Each pass but the last adds a trampoline to at least one of the
	 * `edges` edges, which never loses it again. */
	for (uint32_t pass = 0; pass <= edges; pass++) {
		if (pass > 0)
			asm_positions(c);
		c->st.iterations = pass + 1;
		if (asm_widen(c) == 0)
			return 0;
	}
	return diag_plain(c->err, BPFC_EINTERNAL,
			  "ir_assemble: jump sizes did not settle in %u passes", edges + 1);
}

/* ---- 4. emission ------------------------------------------------------------------ */

static void
asm_put(struct bpfc_insn *out, uint32_t *pc, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	out[*pc] = (struct bpfc_insn){code, jt, jf, k};
	(*pc)++;
}

/* A branch and its trampolines, at n->bpc.  -1 when an offset is out of
 * range, which the fixed point's last pass says cannot happen. */
static int
asm_emit_branch(struct asm_ctx *c, const struct asm_node *n, struct bpfc_insn *out, uint32_t *pc)
{
	unsigned slot[2], k = asm_slots(c, n, slot);
	uint32_t off[2];

	for (unsigned e = 0; e < 2; e++) {
		uint32_t l = ASM_NONE;
		for (unsigned j = 0; j < k; j++)
			if (slot[j] == e)
				l = n->bpc + 1 + j; /* its own trampoline */
		if (l == ASM_NONE)
			l = asm_landing(c, n->succ[e], n->bpc);
		if (l == ASM_NONE || l - n->bpc - 1 > ASM_MAXJ)
			return diag_plain(c->err, BPFC_EINTERNAL,
					  "ir_assemble: jump at %u out of range after the fixed point",
					  n->bpc);
		off[e] = l - n->bpc - 1;
	}
	asm_put(out, pc, n->code, (uint8_t)off[0], (uint8_t)off[1], n->code & CBPF_X ? 0 : n->k);
	for (unsigned j = 0; j < k; j++) {
		const struct asm_node *t = &c->node[n->succ[slot[j]]];
		if (asm_retcopy(c, n, slot[j])) {
			asm_put(out, pc, t->code, 0, 0, t->k); /* ret: a copy, not a jump */
			c->st.ret_copies++;
		} else {
			asm_put(out, pc, CBPF_JMP | CBPF_JA, 0, 0, t->pos - *pc - 1); /* ja t */
			c->st.trampolines++;
		}
	}
	return 0;
}

static int
asm_emit(struct asm_ctx *c, struct bpfc_insn **outp)
{
	struct bpfc_insn *out = arena_calloc(c->a, c->total + 1, sizeof(*out));
	uint32_t pc = 0;

	if (out == NULL)
		return asm_nomem(c);
	for (uint32_t i = 0; i < c->norder; i++) {
		const struct asm_node *n = &c->node[c->order[i]];
		for (uint32_t s = 0; s < n->nstmts; s++)
			asm_put(out, &pc, n->b->stmts[s].code, 0, 0, n->b->stmts[s].k);
		if (n->kind == ASM_RET)
			asm_put(out, &pc, n->code, 0, 0, n->k);
		else if (n->kind == ASM_JUMP && !n->fall)
			asm_put(out, &pc, CBPF_JMP | CBPF_JA, 0, 0,
				c->node[n->succ[0]].pos - pc - 1); /* ja target */
		else if (n->kind == ASM_BRANCH && asm_emit_branch(c, n, out, &pc) != 0)
			return -1;
	}
	if (pc != c->total)
		return diag_plain(c->err, BPFC_EINTERNAL,
				  "ir_assemble: emitted %u instructions, sized %u", pc, c->total);
	*outp = out;
	return 0;
}

/* One complete attempt with the layout `safe` selects. */
static int
asm_attempt(struct asm_ctx *c, struct bpfc_insn **out)
{
	memset(&c->st, 0, sizeof(c->st));
	c->st.safe_layout = c->safe;
	if (asm_nodes(c) != 0 || asm_reach(c, 0) != 0 || asm_canonical(c) != 0 ||
	    asm_reach(c, 1) != 0 ||
	    asm_layout(c) != 0 || asm_fixpoint(c) != 0 || asm_emit(c, out) != 0)
		return -1;
	c->st.insns = c->total;
	return 0;
}

int
ir_assemble(struct ir_prog *p, struct arena *a, struct bpfc_insn **out, size_t *n,
	    struct bpfc_error *err)
{
	struct bpfc_load_options lo = {.max_insns = UINT32_MAX};
	struct bpfc_error verr;
	struct asm_ctx c = {.p = p, .a = a, .err = err};

	*out = NULL;
	*n = 0;
	if (ir_check(p, err) != 0)
		return -1;
	for (c.safe = (p->asm_flags & IR_ASM_SAFE_LAYOUT) != 0; c.safe <= 1; c.safe++) {
		struct bpfc_insn *insns = NULL;
		if (asm_attempt(&c, &insns) != 0)
			return -1;
		diag_init(&verr);
		if (cbpf_validate(insns, c.total, &lo, &verr) == 0) {
			p->asm_stats = c.st;
			*out = insns;
			*n = c.total;
			return 0;
		}
	}
	return diag_plain(err, BPFC_EINTERNAL, "ir_assemble: output fails validation: %s",
			  verr.msg);
}

/* ---- cBPF -> IR ------------------------------------------------------------------- */

/* Which instructions run for some packet, and which start a block: the
 * first one and every jump target (all jumps go forward, so one pass). */
static void
asm_leaders(const struct bpfc_insn *in, size_t n, uint8_t *reach, uint8_t *leader)
{
	reach[0] = leader[0] = 1;
	for (size_t pc = 0; pc < n; pc++) {
		unsigned flags = cbpf_opinfo[cbpf_decode(in[pc].code)].flags;
		size_t t[2] = {pc + 1, pc + 1};
		unsigned nt = 1;

		if (!reach[pc] || flags & CBPF_F_RET)
			continue;
		if (flags & CBPF_F_JA)
			t[0] = pc + 1 + in[pc].k;
		else if (flags & CBPF_F_COND) {
			t[0] = pc + 1 + in[pc].jt;
			t[1] = pc + 1 + in[pc].jf;
			nt = 2;
		}
		for (unsigned j = 0; j < nt; j++) {
			reach[t[j]] = 1;
			leader[t[j]] |= (flags & (CBPF_F_JA | CBPF_F_COND)) != 0;
		}
	}
}

struct ir_prog *
ir_from_cbpf(struct arena *a, const struct bpfc_insn *in, size_t n, struct bpfc_error *err)
{
	struct bpfc_load_options lo = {.max_insns = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n};

	if (cbpf_validate(in, n, &lo, err) != 0)
		return NULL;
	struct ir_prog *p = ir_new(a);
	uint8_t *reach = arena_calloc(a, n, 1), *leader = arena_calloc(a, n, 1);
	struct ir_block **blk = arena_calloc(a, n, sizeof(*blk));
	if (p == NULL || reach == NULL || leader == NULL || blk == NULL) {
		diag_plain(err, BPFC_ENOMEM, "out of memory");
		return NULL;
	}
	asm_leaders(in, n, reach, leader);
	for (size_t pc = 0; pc < n; pc++)
		if (reach[pc] && leader[pc])
			blk[pc] = ir_block_new(p, (uint32_t)pc, (uint32_t)pc + 1);
	struct ir_block *cur = NULL;
	for (size_t pc = 0; pc < n && !ir_failed(p); pc++) {
		const struct bpfc_insn *i = &in[pc];
		unsigned flags = cbpf_opinfo[cbpf_decode(i->code)].flags;
		if (!reach[pc])
			continue;
		if (leader[pc]) {
			if (cur != NULL)
				ir_jump(cur, blk[pc]); /* fell through into a jump target */
			cur = blk[pc];
		}
		cur->end = (uint32_t)pc + 1;
		if (flags & CBPF_F_JA)
			ir_jump(cur, blk[pc + 1 + i->k]);
		else if (flags & CBPF_F_COND)
			ir_branch(cur, i->code, i->k, blk[pc + 1 + i->jt], blk[pc + 1 + i->jf]);
		else if (flags & CBPF_F_RET)
			ir_ret(cur, i->code, i->k);
		else
			ir_emit_at(cur, i->code, i->k, (uint32_t)pc, (uint32_t)pc + 1);
		if (flags & (CBPF_F_JA | CBPF_F_COND | CBPF_F_RET))
			cur = NULL;
	}
	ir_set_entry(p, blk[0]);
	if (ir_failed(p)) {
		*err = p->err;
		return NULL;
	}
	return p;
}
