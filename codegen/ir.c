/*
 * ir.c: building, checking, walking and printing the IR (see ir.h).
 *
 * Takes builder calls and programs; gives blocks in the program's arena,
 * predecessor lists, a reverse postorder, a verdict (ir_check) and a
 * listing (ir_dump).
 *
 * Invariants kept by the builder: prog->blocks[i]->id == i; a block's
 * successors are blocks of the same program; statements are opcodes the
 * kernel accepts.  Direct edits by passes can break them, which is why
 * ir_check() re-verifies everything without trusting any of it (walks
 * follow only successors that really are blocks of the program).
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "cbpf/cbpf.h"
#include "codegen/ir.h"

/* Absolute packet offsets from here up name Linux's special areas
 * (SKF_LL_OFF, SKF_NET_OFF, SKF_AD_OFF), which cbpf_validate refuses. */
#define IR_SKF_LL_OFF 0xffe00000u

#define IR_FIRST_BLOCKS 16u
#define IR_FIRST_STMTS 4u

/* ---- errors ------------------------------------------------------------ */

static void
ir_vfail(struct bpfc_error *err, const struct ir_block *b, const char *fmt, va_list ap)
{
	char msg[BPFC_ERRBUF_SIZE - 32];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (b != NULL)
		diag_at(err, BPFC_EINTERNAL, b->begin, b->end, "ir: block %u: %s", b->id, msg);
	else
		diag_plain(err, BPFC_EINTERNAL, "ir: %s", msg);
}

/* Record an internal error in the program (the first one wins). */
static void ir_fail(struct ir_prog *p, const struct ir_block *b, const char *fmt, ...)
	DIAG_PRINTF(3, 4);
static void
ir_fail(struct ir_prog *p, const struct ir_block *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ir_vfail(&p->err, b, fmt, ap);
	va_end(ap);
}

/* Same, into a caller's error (ir_check). */
static int ir_bad(struct bpfc_error *err, const struct ir_block *b, const char *fmt, ...)
	DIAG_PRINTF(3, 4);
static int
ir_bad(struct bpfc_error *err, const struct ir_block *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ir_vfail(err, b, fmt, ap);
	va_end(ap);
	return -1;
}

static void
ir_nomem(struct ir_prog *p)
{
	diag_plain(&p->err, BPFC_ENOMEM, "out of memory");
}

int
ir_failed(const struct ir_prog *p)
{
	return diag_failed(&p->err);
}

const struct bpfc_error *
ir_error(const struct ir_prog *p)
{
	return &p->err;
}

/* ---- what a statement and a terminator may be --------------------------- */

/* NULL when (code, k) is a statement the kernel accepts, else why not. */
static const char *
ir_stmt_problem(uint16_t code, uint32_t k, char *buf, size_t size)
{
	enum cbpf_op op = cbpf_decode(code);
	const struct cbpf_opinfo *info = &cbpf_opinfo[op];

	if (op == CBPF_OP_INVALID)
		snprintf(buf, size, "opcode 0x%02x is not in the opcode table", code);
	else if (info->flags & (CBPF_F_JA | CBPF_F_COND | CBPF_F_RET))
		snprintf(buf, size, "%s (0x%02x) is a jump or return, not a statement",
			 info->mnemonic, code);
	else if (info->flags & CBPF_F_NONZK && k == 0)
		snprintf(buf, size, "%s #0 divides by zero", info->mnemonic);
	else if (info->flags & CBPF_F_SHIFTK && k >= 32)
		snprintf(buf, size, "%s #%u shifts by 32 or more", info->mnemonic, k);
	else if (info->flags & (CBPF_F_MEMRD | CBPF_F_MEMWR) && k >= CBPF_MEMWORDS)
		snprintf(buf, size, "%s M[%u]: there are only %d scratch words", info->mnemonic,
			 k, CBPF_MEMWORDS);
	else if (info->flags & CBPF_F_PKT && k >= IR_SKF_LL_OFF)
		snprintf(buf, size, "%s at offset %u, in Linux's special area", info->mnemonic, k);
	else
		return NULL;
	return buf;
}

/* NULL when `code` fits terminator kind `t`, else why not. */
static const char *
ir_term_problem(enum ir_term t, uint16_t code)
{
	unsigned flags = cbpf_opinfo[cbpf_decode(code)].flags;

	switch (t) {
	case IR_NONE:
		return "has no terminator";
	case IR_BRANCH:
		return flags & CBPF_F_COND ? NULL : "branch opcode is not a conditional jump";
	case IR_JUMP:
		return code == (CBPF_JMP | CBPF_JA) ? NULL : "goto opcode is not ja";
	case IR_RET:
		return flags & CBPF_F_RET ? NULL : "return opcode is not ret";
	}
	return "terminator kind is unknown";
}

/* `s` is a block of `p` (checked without trusting s->id). */
static int
ir_owns(const struct ir_prog *p, const struct ir_block *s)
{
	return s != NULL && s->prog == p && s->id < p->nblocks && p->blocks[s->id] == s;
}

/* ---- building ------------------------------------------------------------ */

struct ir_prog *
ir_new(struct arena *a)
{
	struct ir_prog *p = arena_alloc(a, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->arena = a;
	diag_init(&p->err);
	return p;
}

struct ir_block *
ir_block_new(struct ir_prog *p, uint32_t begin, uint32_t end)
{
	if (p == NULL || ir_failed(p))
		return NULL;
	if (p->nblocks == p->capblocks) {
		uint32_t cap = p->capblocks ? p->capblocks * 2 : IR_FIRST_BLOCKS;
		struct ir_block **nb = cap > p->capblocks ? arena_calloc(p->arena, cap, sizeof(*nb))
							  : NULL;
		if (nb == NULL) {
			ir_nomem(p);
			return NULL;
		}
		if (p->nblocks > 0)
			memcpy(nb, p->blocks, p->nblocks * sizeof(*nb));
		p->blocks = nb; /* the old array is abandoned in the arena */
		p->capblocks = cap;
	}
	struct ir_block *b = arena_alloc(p->arena, sizeof(*b));
	if (b == NULL) {
		ir_nomem(p);
		return NULL;
	}
	b->id = p->nblocks;
	b->begin = begin;
	b->end = end;
	b->prog = p;
	p->blocks[p->nblocks++] = b;
	return b;
}

/* Common entry of the calls that change block `b`: 0 when they may go on. */
static int
ir_usable(const struct ir_block *b)
{
	return b != NULL && !ir_failed(b->prog);
}

void
ir_emit_at(struct ir_block *b, uint16_t code, uint32_t k, uint32_t begin, uint32_t end)
{
	char why[128];

	if (!ir_usable(b))
		return;
	struct ir_prog *p = b->prog;
	if (b->term != IR_NONE) {
		ir_fail(p, b, "statement emitted after the terminator");
		return;
	}
	if (ir_stmt_problem(code, k, why, sizeof(why)) != NULL) {
		ir_fail(p, b, "%s", why);
		return;
	}
	if (b->nstmts == b->capstmts) {
		uint32_t cap = b->capstmts ? b->capstmts * 2 : IR_FIRST_STMTS;
		struct ir_stmt *ns = cap > b->capstmts ? arena_calloc(p->arena, cap, sizeof(*ns))
						       : NULL;
		if (ns == NULL) {
			ir_nomem(p);
			return;
		}
		if (b->nstmts > 0)
			memcpy(ns, b->stmts, b->nstmts * sizeof(*ns));
		b->stmts = ns;
		b->capstmts = cap;
	}
	b->stmts[b->nstmts++] = (struct ir_stmt){code, k, begin, end};
}

void
ir_emit(struct ir_block *b, uint16_t code, uint32_t k)
{
	if (b != NULL)
		ir_emit_at(b, code, k, b->begin, b->end);
}

/* Checks shared by the three terminator calls. */
static int
ir_can_terminate(struct ir_block *b, enum ir_term t, uint16_t code)
{
	const char *why;

	if (!ir_usable(b))
		return 0;
	if (b->term != IR_NONE) {
		ir_fail(b->prog, b, "terminator set twice");
		return 0;
	}
	if ((why = ir_term_problem(t, code)) != NULL) {
		ir_fail(b->prog, b, "%s (0x%02x)", why, code);
		return 0;
	}
	return 1;
}

static int
ir_check_succ(struct ir_block *b, const struct ir_block *s, const char *which)
{
	if (ir_owns(b->prog, s))
		return 1;
	ir_fail(b->prog, b, "%s successor %s", which,
		s == NULL ? "is NULL" : "is not a block of this program");
	return 0;
}

void
ir_branch(struct ir_block *b, uint16_t jcode, uint32_t k, struct ir_block *jt,
	  struct ir_block *jf)
{
	if (!ir_can_terminate(b, IR_BRANCH, jcode) || !ir_check_succ(b, jt, "jt") ||
	    !ir_check_succ(b, jf, "jf"))
		return;
	b->term = IR_BRANCH;
	b->code = jcode;
	b->k = (jcode & CBPF_X) ? 0 : k;
	b->jt = jt;
	b->jf = jf;
}

void
ir_jump(struct ir_block *b, struct ir_block *target)
{
	if (!ir_can_terminate(b, IR_JUMP, CBPF_JMP | CBPF_JA) || !ir_check_succ(b, target, "goto"))
		return;
	b->term = IR_JUMP;
	b->code = CBPF_JMP | CBPF_JA;
	b->k = 0;
	b->jt = target;
	b->jf = NULL;
}

void
ir_ret(struct ir_block *b, uint16_t code, uint32_t k)
{
	if (!ir_can_terminate(b, IR_RET, code))
		return;
	b->term = IR_RET;
	b->code = code;
	b->k = code == (CBPF_RET | CBPF_A) ? 0 : k;
	b->jt = b->jf = NULL;
}

void
ir_term_clear(struct ir_block *b)
{
	if (!ir_usable(b))
		return;
	b->term = IR_NONE;
	b->code = 0;
	b->k = 0;
	b->jt = b->jf = NULL;
}

void
ir_set_entry(struct ir_prog *p, struct ir_block *b)
{
	if (p == NULL || ir_failed(p))
		return;
	if (ir_owns(p, b))
		p->entry = b;
	else
		ir_fail(p, NULL, "entry %s", b == NULL ? "is NULL" : "is not a block of this program");
}

struct ir_block *
ir_accept(struct ir_prog *p, uint32_t k)
{
	if (p == NULL || ir_failed(p))
		return NULL;
	if (p->accept != NULL) {
		if (p->accept->k == k)
			return p->accept;
		ir_fail(p, p->accept, "accept value %u asked for, but it is already %u", k,
			p->accept->k);
		return NULL;
	}
	struct ir_block *b = ir_block_new(p, 0, 0);
	ir_ret(b, CBPF_RET | CBPF_K, k);
	p->accept = ir_failed(p) ? NULL : b;
	return p->accept;
}

struct ir_block *
ir_reject(struct ir_prog *p)
{
	if (p == NULL || ir_failed(p))
		return NULL;
	if (p->reject == NULL) {
		struct ir_block *b = ir_block_new(p, 0, 0);
		ir_ret(b, CBPF_RET | CBPF_K, 0);
		p->reject = ir_failed(p) ? NULL : b;
	}
	return p->reject;
}

/* ---- walks ------------------------------------------------------------------ */

/* Scratch for an iterative depth-first search: the recursion would be as
 * deep as the longest path, which a 10,000-term filter makes too deep. */
struct ir_dfs {
	uint8_t *state;     /* per block: 0 unseen, 1 on the stack, 2 finished */
	uint32_t *stack;    /* block ids */
	uint8_t *next;      /* per stack slot: successors already looked at */
	uint32_t *post;     /* finished blocks in postorder */
	uint32_t npost;
	uint32_t back_from; /* a block with an edge back onto the stack */
	int cycle;
};

static int
ir_dfs_init(struct ir_dfs *d, struct arena *a, uint32_t n)
{
	memset(d, 0, sizeof(*d));
	d->state = arena_calloc(a, n + 1, 1);
	d->stack = arena_calloc(a, n + 1, sizeof(*d->stack));
	d->next = arena_calloc(a, n + 1, 1);
	d->post = arena_calloc(a, n + 1, sizeof(*d->post));
	return d->state && d->stack && d->next && d->post ? 0 : -1;
}

/* Search from `root`, following only successors that are blocks of `p`. */
static void
ir_dfs_run(const struct ir_prog *p, struct ir_dfs *d, uint32_t root)
{
	uint32_t sp = 0;

	if (d->state[root] != 0)
		return;
	d->state[root] = 1;
	d->stack[sp] = root;
	d->next[sp++] = 0;
	while (sp > 0) {
		const struct ir_block *b = p->blocks[d->stack[sp - 1]];
		unsigned i = d->next[sp - 1];

		if (i < ir_nsucc(b)) {
			const struct ir_block *s = ir_succ(b, i);
			d->next[sp - 1] = (uint8_t)(i + 1);
			if (!ir_owns(p, s))
				continue;
			if (d->state[s->id] == 1 && !d->cycle) {
				d->cycle = 1;
				d->back_from = b->id;
			}
			if (d->state[s->id] != 0)
				continue;
			d->state[s->id] = 1;
			d->stack[sp] = s->id;
			d->next[sp++] = 0;
			continue;
		}
		d->state[b->id] = 2;
		d->post[d->npost++] = b->id;
		sp--;
	}
}

struct ir_block **
ir_rpo(struct ir_prog *p, uint32_t *n)
{
	struct ir_dfs d;

	*n = 0;
	if (ir_failed(p))
		return NULL;
	if (!ir_owns(p, p->entry)) {
		ir_fail(p, NULL, "reverse postorder asked for without an entry block");
		return NULL;
	}
	struct ir_block **out = arena_calloc(p->arena, p->nblocks, sizeof(*out));
	if (out == NULL || ir_dfs_init(&d, p->arena, p->nblocks) != 0) {
		ir_nomem(p);
		return NULL;
	}
	ir_dfs_run(p, &d, p->entry->id);
	for (uint32_t i = 0; i < d.npost; i++)
		out[i] = p->blocks[d.post[d.npost - 1 - i]];
	*n = d.npost;
	return out;
}

int
ir_compute_preds(struct ir_prog *p)
{
	if (ir_failed(p))
		return -1;
	uint32_t *count = arena_calloc(p->arena, p->nblocks + 1, sizeof(*count));
	if (count == NULL) {
		ir_nomem(p);
		return -1;
	}
	/* Twice over the edges: count, then fill.  Walking sources in id order
	 * leaves each list in id order. */
	for (int fill = 0; fill < 2; fill++) {
		for (uint32_t i = 0; i < p->nblocks; i++) {
			struct ir_block *b = p->blocks[i];
			for (unsigned e = 0; e < ir_nsucc(b); e++) {
				struct ir_block *s = ir_succ(b, e);
				if (!ir_owns(p, s) || (e == 1 && s == b->jt))
					continue;
				if (fill)
					s->preds[s->npreds++] = b;
				else
					count[s->id]++;
			}
		}
		if (fill)
			break;
		for (uint32_t i = 0; i < p->nblocks; i++) {
			struct ir_block *s = p->blocks[i];
			s->npreds = 0;
			s->preds = count[i] ? arena_calloc(p->arena, count[i], sizeof(*s->preds)) : NULL;
			if (count[i] && s->preds == NULL) {
				ir_nomem(p);
				return -1;
			}
		}
	}
	return 0;
}

int
ir_remove_unreachable(struct ir_prog *p)
{
	struct ir_dfs d;
	uint32_t kept = 0;

	if (ir_failed(p))
		return -1;
	if (!ir_owns(p, p->entry)) {
		ir_fail(p, NULL, "unreachable blocks removed without an entry block");
		return -1;
	}
	if (ir_dfs_init(&d, p->arena, p->nblocks) != 0) {
		ir_nomem(p);
		return -1;
	}
	ir_dfs_run(p, &d, p->entry->id);
	for (uint32_t i = 0; i < p->nblocks; i++) {
		struct ir_block *b = p->blocks[i];
		if (d.state[i] == 0) {
			b->prog = NULL; /* a stale pointer to it no longer looks owned */
			continue;
		}
		b->id = kept;
		p->blocks[kept++] = b;
	}
	p->nblocks = kept;
	if (p->accept != NULL && p->accept->prog != p)
		p->accept = NULL;
	if (p->reject != NULL && p->reject->prog != p)
		p->reject = NULL;
	return ir_compute_preds(p);
}

/* ---- the verifier ---------------------------------------------------------- */

/* One block's own parts: statements, terminator, successors. */
static int
ir_check_block(const struct ir_prog *p, const struct ir_block *b, struct bpfc_error *err)
{
	char why[128];
	const char *t;

	if (b->begin > b->end)
		return ir_bad(err, b, "source range [%u, %u) is reversed", b->begin, b->end);
	if (b->nstmts > b->capstmts || (b->nstmts > 0 && b->stmts == NULL))
		return ir_bad(err, b, "statement array is inconsistent (%u of %u)", b->nstmts,
			      b->capstmts);
	for (uint32_t i = 0; i < b->nstmts; i++) {
		const struct ir_stmt *s = &b->stmts[i];
		if (ir_stmt_problem(s->code, s->k, why, sizeof(why)) != NULL)
			return ir_bad(err, b, "statement %u: %s", i, why);
		if (s->begin > s->end)
			return ir_bad(err, b, "statement %u: source range is reversed", i);
	}
	if ((t = ir_term_problem(b->term, b->code)) != NULL)
		return ir_bad(err, b, "%s (0x%02x)", t, b->code);
	if (b->term == IR_RET && b->code == (CBPF_RET | CBPF_A) && b->k != 0)
		return ir_bad(err, b, "ret a with k %u (must be 0)", b->k);
	for (unsigned e = 0; e < ir_nsucc(b); e++)
		if (!ir_owns(p, ir_succ(b, e)))
			return ir_bad(err, b, "%s successor %s", e == 0 ? "jt" : "jf",
				      ir_succ(b, e) == NULL ? "is NULL"
							    : "is not a block of this program");
	if (b->term != IR_BRANCH && b->jf != NULL)
		return ir_bad(err, b, "jf is set but the terminator is not a branch");
	if (b->term == IR_RET && b->jt != NULL)
		return ir_bad(err, b, "jt is set on a return");
	return 0;
}

/*
 * M[k] written before it is read on every path from entry (the kernel's
 * check_load_and_stores, on the IR's real edges).  `rpo` is a topological
 * order of the reachable blocks, so all predecessors are done first.
 */
static int
ir_check_memory(const struct ir_prog *p, const uint32_t *post, uint32_t npost,
		struct bpfc_error *err)
{
	uint16_t *in = arena_calloc(p->arena, p->nblocks + 1, sizeof(*in));

	if (in == NULL)
		return diag_plain(err, BPFC_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < p->nblocks; i++)
		in[i] = 0xffff;
	in[p->entry->id] = 0;
	for (uint32_t r = npost; r-- > 0;) {
		const struct ir_block *b = p->blocks[post[r]];
		uint16_t v = in[b->id];

		for (uint32_t i = 0; i < b->nstmts; i++) {
			unsigned flags = cbpf_opinfo[cbpf_decode(b->stmts[i].code)].flags;
			if (!(flags & (CBPF_F_MEMRD | CBPF_F_MEMWR)))
				continue;
			uint16_t bit = (uint16_t)(1u << b->stmts[i].k); /* k < 16: checked */
			if (flags & CBPF_F_MEMRD && !(v & bit))
				return ir_bad(err, b,
					      "statement %u reads M[%u], which some path from entry "
					      "does not write first",
					      i, b->stmts[i].k);
			if (flags & CBPF_F_MEMWR)
				v |= bit;
		}
		for (unsigned e = 0; e < ir_nsucc(b); e++)
			in[ir_succ(b, e)->id] &= v;
	}
	return 0;
}

int
ir_check(const struct ir_prog *p, struct bpfc_error *err)
{
	struct ir_dfs d;

	if (ir_failed(p)) {
		*err = p->err;
		return -1;
	}
	for (uint32_t i = 0; i < p->nblocks; i++) {
		const struct ir_block *b = p->blocks[i];
		if (b == NULL)
			return ir_bad(err, NULL, "blocks[%u] is NULL", i);
		if (b->id != i || b->prog != p)
			return ir_bad(err, NULL, "blocks[%u] has id %u%s", i, b->id,
				      b->prog != p ? " and belongs to another program" : "");
	}
	if (!ir_owns(p, p->entry))
		return ir_bad(err, NULL, "entry %s",
			      p->entry == NULL ? "is not set" : "is not a block of this program");
	for (uint32_t i = 0; i < p->nblocks; i++)
		if (ir_check_block(p, p->blocks[i], err) != 0)
			return -1;
	/* Cycles anywhere, reachable or not: a pass that made one is buggy
	 * even when the cycle happens to be dead. */
	if (ir_dfs_init(&d, p->arena, p->nblocks) != 0)
		return diag_plain(err, BPFC_ENOMEM, "out of memory");
	ir_dfs_run(p, &d, p->entry->id);
	uint32_t nreach = d.npost;
	for (uint32_t i = 0; i < p->nblocks && !d.cycle; i++)
		ir_dfs_run(p, &d, i);
	if (d.cycle)
		return ir_bad(err, p->blocks[d.back_from], "edge back to a block on a cycle");
	return ir_check_memory(p, d.post, nreach, err);
}

/* ---- the listing -------------------------------------------------------------- */

static void
ir_dump_range(struct strbuf *out, uint32_t begin, uint32_t end)
{
	if (begin != 0 || end != 0)
		strbuf_printf(out, " [%u, %u)", begin, end);
}

static void
ir_dump_target(struct strbuf *out, const struct ir_prog *p, const struct ir_block *s)
{
	if (ir_owns(p, s))
		strbuf_printf(out, "b%u", s->id);
	else
		strbuf_puts(out, s == NULL ? "(null)" : "(foreign)");
}

/* One instruction the way `tcpdump -d` writes it, without the "(NNN) "
 * and trailing blanks (the one formatter, so dumps and listings agree). */
static void
ir_dump_image(struct strbuf *out, uint16_t code, uint32_t k)
{
	struct bpfc_insn in = {code, 0, 0, k};
	struct strbuf tmp;

	strbuf_init(&tmp);
	cbpf_image(&tmp, &in, 0);
	const char *text = tmp.data != NULL ? strstr(tmp.data, ") ") : NULL;
	if (text != NULL) {
		size_t len = strlen(text + 2);
		while (len > 0 && text[2 + len - 1] == ' ')
			len--;
		strbuf_puts(out, "\t");
		strbuf_append(out, text + 2, len);
	} else {
		out->failed = 1;
	}
	strbuf_release(&tmp);
}

static void
ir_dump_stmt(struct strbuf *out, const struct ir_block *b, const struct ir_stmt *s)
{
	ir_dump_image(out, s->code, s->k);
	if (s->begin != b->begin || s->end != b->end) {
		strbuf_puts(out, "\t;");
		ir_dump_range(out, s->begin, s->end);
	}
	strbuf_puts(out, "\n");
}

static void
ir_dump_term(struct strbuf *out, const struct ir_prog *p, const struct ir_block *b)
{
	enum cbpf_op op = cbpf_decode(b->code);
	const char *mnem = cbpf_opinfo[op].mnemonic ? cbpf_opinfo[op].mnemonic : "?";
	char opnd[32];

	switch (b->term) {
	case IR_NONE:
		strbuf_puts(out, "\t(no terminator)\n");
		return;
	case IR_RET:
		ir_dump_image(out, b->code, b->k);
		strbuf_puts(out, "\n");
		return;
	case IR_JUMP:
		strbuf_printf(out, "\t%-8s ", mnem);
		ir_dump_target(out, p, b->jt);
		strbuf_puts(out, "\n");
		return;
	case IR_BRANCH:
		if (b->code & CBPF_X)
			snprintf(opnd, sizeof(opnd), "x");
		else
			snprintf(opnd, sizeof(opnd), "#0x%x", (unsigned)b->k);
		strbuf_printf(out, "\t%-8s %-16s jt ", mnem, opnd);
		ir_dump_target(out, p, b->jt);
		strbuf_puts(out, "\tjf ");
		ir_dump_target(out, p, b->jf);
		strbuf_puts(out, "\n");
		return;
	}
	strbuf_printf(out, "\t(terminator kind %d)\n", (int)b->term);
}

/* Predecessors as compressed rows (start[id] .. start[id + 1] in list),
 * computed afresh so the listing never shows a stale snapshot. */
static int
ir_dump_preds(const struct ir_prog *p, uint32_t **startp, uint32_t **listp)
{
	uint32_t n = p->nblocks, total = 0;
	uint32_t *start = calloc((size_t)n + 2, sizeof(*start));

	*startp = start;
	*listp = NULL;
	if (start == NULL)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		for (unsigned e = 0; ir_owns(p, p->blocks[i]) && e < ir_nsucc(p->blocks[i]); e++) {
			const struct ir_block *s = ir_succ(p->blocks[i], e);
			if (ir_owns(p, s) && !(e == 1 && s == p->blocks[i]->jt)) {
				start[s->id + 2]++;
				total++;
			}
		}
	uint32_t *list = calloc((size_t)total + 1, sizeof(*list));
	if (list == NULL)
		return -1;
	*listp = list;
	for (uint32_t i = 2; i < n + 2; i++)
		start[i] += start[i - 1];
	for (uint32_t i = 0; i < n; i++)
		for (unsigned e = 0; ir_owns(p, p->blocks[i]) && e < ir_nsucc(p->blocks[i]); e++) {
			const struct ir_block *s = ir_succ(p->blocks[i], e);
			if (ir_owns(p, s) && !(e == 1 && s == p->blocks[i]->jt))
				list[start[s->id + 1]++] = i;
		}
	return 0;
}

void
ir_dump(struct strbuf *out, const struct ir_prog *p)
{
	uint32_t *start, *list;

	strbuf_printf(out, "ir: %u blocks, entry ", p->nblocks);
	ir_dump_target(out, p, p->entry);
	strbuf_puts(out, "\n");
	if (ir_failed(p))
		strbuf_printf(out, "error: %s\n", p->err.msg);
	if (ir_dump_preds(p, &start, &list) != 0) {
		out->failed = 1;
		free(start);
		free(list);
		return;
	}
	for (uint32_t i = 0; i < p->nblocks; i++) {
		const struct ir_block *b = p->blocks[i];
		if (!ir_owns(p, b)) {
			strbuf_printf(out, "blocks[%u]: (not a block of this program)\n", i);
			continue;
		}
		strbuf_printf(out, "b%u", i);
		ir_dump_range(out, b->begin, b->end);
		strbuf_puts(out, " <-");
		if (b == p->entry)
			strbuf_puts(out, " entry");
		for (uint32_t j = start[i]; j < start[i + 1]; j++)
			strbuf_printf(out, " b%u", list[j]);
		if (b != p->entry && start[i] == start[i + 1])
			strbuf_puts(out, " (none)");
		strbuf_puts(out, "\n");
		/* Never past the array, even when nstmts is corrupt. */
		for (uint32_t j = 0; j < b->nstmts && j < b->capstmts && b->stmts != NULL; j++)
			ir_dump_stmt(out, b, &b->stmts[j]);
		ir_dump_term(out, p, b);
	}
	free(start);
	free(list);
}
