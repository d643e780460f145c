/*
 * check.c: the JIT's safety checker.
 *
 * Takes: any eBPF instructions claiming to be a run-target program.
 * Gives: a proof, from the instructions alone, that the code compiled from
 * them touches only [pkt, pkt + caplen), its own frame and the three
 * context fields, and always ends; or a refusal naming the instruction and
 * the rule (BPFC_EUNSUPPORTED).  The translator is not trusted.
 *
 * Every jump must go forward, so one pass in program order sees every
 * predecessor of an instruction before the instruction: the state on entry
 * is the meet of the states its predecessors leave (kept only for jump
 * targets).  Each register has a type:
 *
 *   uninit    never read;
 *   s32, s64  a number (s32: the upper half is zero);
 *   ctx       the context (only copied, or loaded from at len/data/data_end);
 *   pkt       base(id) + off, where base(0) = data and base(i + 1) = the
 *             value some `rD += rS` at instruction i made, data + off' + X
 *             with 0 <= off' < 2^31 and X an s32 (so base >= data, and no
 *             64-bit sum of these can wrap in a user-space address space);
 *   end       data_end;
 *   fp        r10, the frame pointer (never written, never copied).
 *
 * An instruction runs at most once per packet (no backward jumps), so one
 * id names one base value along any path.  range(id) is the number of
 * bytes past base(id) some guard proved present on every path: a
 * comparison of a pkt register with data_end whose outcome means
 * base + off <= data_end raises it to off.  A packet load of `size` bytes
 * at base + off + insn.off needs 0 <= off + insn.off and
 * off + insn.off + size <= range(id).  The stack is 512 bytes below r10;
 * a load needs every byte it reads written on every path.  Meet: the same
 * type (s32 with s64 gives s64) and, for pointers, the same offset, else
 * uninit; two different ids become a fresh one (both bases are >= data);
 * ranges take the minimum; stack bytes the intersection.
 *
 * Also refused: opcodes outside ebpf/opcodes.h, calls, legacy packet
 * loads, 64-bit immediates, reserved fields (a non-zero off on an ALU
 * instruction, a source register on an immediate form, END of another
 * width), stores anywhere but the stack, pointers in arithmetic other than
 * pkt + imm and data + s32, pointer comparisons other than pkt against
 * end, returning a pointer, and control falling off the end.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "jit/jit_int.h"

enum { JT_UNINIT = 0, JT_S32, JT_S64, JT_CTX, JT_PKT, JT_END, JT_FP };

/* Offsets stay within +-2^31 so that no pointer sum can wrap. */
#define CK_OFF_MAX 0x80000000ll

struct ck_reg {
	uint8_t t;
	uint32_t id;
	int64_t off;
	uint64_t range; /* of id, when id != 0 */
};

struct ck_state {
	struct ck_reg r[EBPF_NREGS];
	uint64_t range0;                /* range(0) */
	uint64_t stk[EBPF_STACK / 64];  /* written stack bytes, bit b = r10 - 512 + b */
};

struct ck {
	const struct ebpf_prog *p;
	struct jit_facts *f;
	struct bpfc_error *err;
	struct ck_state cur;
	int live;                /* control reaches the current instruction */
	uint32_t *slot;          /* [n] index into pend, for jump targets */
	struct ck_state *pend;   /* states waiting at jump targets */
	uint8_t *seen;           /* [number of targets] */
	uint32_t fresh;          /* next id for pointers met from two paths */
};

static int
ck_fail(struct ck *c, size_t i, const char *what)
{
	return diag_insn(c->err, BPFC_EUNSUPPORTED, i, "the JIT refuses the program: %s", what);
}

static int
ck_is_scalar(const struct ck_reg *r)
{
	return r->t == JT_S32 || r->t == JT_S64;
}

static uint64_t
ck_range(const struct ck_state *s, const struct ck_reg *r)
{
	return r->id == 0 ? s->range0 : r->range;
}

/* Pointers of two paths with the same offset but different ids meet as a
 * fresh id (one per pair of ids, so that registers sharing a base on both
 * paths still share one), with the smaller range: on either path the base
 * is at least data, and that many bytes past it were proved. */
static void
ck_meet(struct ck *c, struct ck_state *a, const struct ck_state *b)
{
	struct { uint32_t x, y, id; uint64_t range; } pair[EBPF_NREGS];
	size_t np = 0;

	for (int k = 0; k < EBPF_NREGS; k++) {
		struct ck_reg *x = &a->r[k];
		const struct ck_reg *y = &b->r[k];
		if (ck_is_scalar(x) && ck_is_scalar(y)) {
			x->t = x->t == JT_S32 && y->t == JT_S32 ? JT_S32 : JT_S64;
			continue;
		}
		if (x->t != y->t || (x->t == JT_PKT && x->off != y->off)) {
			memset(x, 0, sizeof(*x));
			continue;
		}
		if (x->t != JT_PKT)
			continue;
		uint64_t rx = ck_range(a, x), ry = ck_range(b, y), r = rx < ry ? rx : ry;
		if (x->id == y->id) {
			x->range = r;
			continue;
		}
		size_t q = 0;
		while (q < np && !(pair[q].x == x->id && pair[q].y == y->id))
			q++;
		if (q == np) {
			pair[np].x = x->id;
			pair[np].y = y->id;
			pair[np].id = c->fresh++;
			pair[np++].range = r;
		}
		x->id = pair[q].id;
		x->range = pair[q].range;
	}
	if (b->range0 < a->range0)
		a->range0 = b->range0;
	for (size_t w = 0; w < EBPF_STACK / 64; w++)
		a->stk[w] &= b->stk[w];
}

/* Control flows to instruction `to` with state `s`. */
static int
ck_flow(struct ck *c, size_t i, size_t to, const struct ck_state *s)
{
	if (to >= c->p->n)
		return ck_fail(c, i, "a jump leaves the program");
	if (to <= i)
		return ck_fail(c, i, "a jump goes backward");
	uint32_t k = c->slot[to];
	if (!c->seen[k])
		c->pend[k] = *s;
	else
		ck_meet(c, &c->pend[k], s);
	c->seen[k] = 1;
	return 0;
}

/* A comparison found base(r) + r->off <= data_end. */
static void
ck_prove(struct ck_state *s, const struct ck_reg *r)
{
	if (r->off <= 0)
		return;
	uint64_t g = (uint64_t)r->off, id = r->id;
	if (id == 0) {
		if (g > s->range0)
			s->range0 = g;
		return;
	}
	for (int k = 0; k < EBPF_NREGS; k++)
		if (s->r[k].t == JT_PKT && s->r[k].id == id && g > s->r[k].range)
			s->r[k].range = g;
}

/* Stack bytes [lo, lo + size) relative to r10: in the frame. */
static int
ck_stack(struct ck *c, size_t i, int64_t lo, unsigned size, int store)
{
	if (lo < -(int64_t)EBPF_STACK || lo + size > 0)
		return ck_fail(c, i, "a stack access outside the 512-byte frame");
	if (lo < c->f->stack_lo)
		c->f->stack_lo = (int32_t)lo;
	for (unsigned b = 0; b < size; b++) {
		unsigned bit = (unsigned)(lo + EBPF_STACK) + b;
		uint64_t m = 1ull << (bit % 64);
		if (store)
			c->cur.stk[bit / 64] |= m;
		else if (!(c->cur.stk[bit / 64] & m))
			return ck_fail(c, i, "a stack load of bytes not written on every path");
	}
	return 0;
}

static unsigned
ck_size(uint8_t code)
{
	switch (EBPF_SIZE(code)) {
	case EBPF_B:
		return 1;
	case EBPF_H:
		return 2;
	case EBPF_W:
		return 4;
	default:
		return 8;
	}
}

static int
ck_read(struct ck *c, size_t i, int reg)
{
	if (reg >= EBPF_NREGS)
		return ck_fail(c, i, "no such register");
	if (c->cur.r[reg].t == JT_UNINIT)
		return ck_fail(c, i, "a register read before it is written on every path");
	return 0;
}

static int
ck_write_reg(struct ck *c, size_t i, int reg)
{
	if (reg >= EBPF_FP)
		return ck_fail(c, i, "a write to r10 or no register");
	return 0;
}

/* LDX: the context, the packet or the stack. */
static int
ck_ldx(struct ck *c, size_t i, const struct bpfc_ebpf_insn *in)
{
	const struct ck_reg *s = &c->cur.r[in->src_reg];
	struct ck_reg *d = &c->cur.r[in->dst_reg];
	unsigned size = ck_size(in->code);
	unsigned w = JW_OTHER;

	if (ck_read(c, i, in->src_reg) || ck_write_reg(c, i, in->dst_reg))
		return -1;
	if (s->t == JT_CTX) {
		if (size != 4 || (in->off != 0 && in->off != 76 && in->off != 80))
			return ck_fail(c, i, "a context load other than len, data, data_end");
		struct ck_reg v = {JT_S32, 0, 0, 0};
		c->f->kind[i] = JK_LD_LEN;
		w = JW_LEN;
		if (in->off == 76) {
			v.t = JT_PKT;
			c->f->kind[i] = JK_LD_DATA;
			w = JW_DATA;
		} else if (in->off == 80) {
			v.t = JT_END;
			c->f->kind[i] = JK_LD_END;
			w = JW_END;
		}
		*d = v;
		c->f->writes[in->dst_reg] |= w;
		return 0;
	}
	if (s->t == JT_PKT) {
		int64_t lo = s->off + in->off;
		if (lo < 0 || (uint64_t)lo + size > ck_range(&c->cur, s))
			return ck_fail(c, i, "a packet load no guard covers on every path");
	} else if (s->t == JT_FP) {
		if (ck_stack(c, i, in->off, size, 0) != 0)
			return -1;
	} else {
		return ck_fail(c, i, "a load through a register that is not a pointer");
	}
	*d = (struct ck_reg){size == 8 ? JT_S64 : JT_S32, 0, 0, 0};
	c->f->writes[in->dst_reg] |= w;
	return 0;
}

/* ST, STX: the stack only, numbers only. */
static int
ck_store(struct ck *c, size_t i, const struct bpfc_ebpf_insn *in)
{
	if (ck_read(c, i, in->dst_reg))
		return -1;
	if (c->cur.r[in->dst_reg].t != JT_FP)
		return ck_fail(c, i, "a store outside the stack");
	if (EBPF_CLASS(in->code) == EBPF_STX) {
		if (ck_read(c, i, in->src_reg))
			return -1;
		if (!ck_is_scalar(&c->cur.r[in->src_reg]))
			return ck_fail(c, i, "a pointer stored to the stack");
	} else if (in->src_reg != 0) {
		return ck_fail(c, i, "a reserved field is set");
	}
	return ck_stack(c, i, in->off, ck_size(in->code), 1);
}

/* Pointer arithmetic: pkt += imm, data + off + s32. */
static int
ck_ptr_alu(struct ck *c, size_t i, const struct bpfc_ebpf_insn *in)
{
	struct ck_reg *d = &c->cur.r[in->dst_reg];
	int x = (in->code & EBPF_X) != 0;

	if (d->t != JT_PKT || EBPF_CLASS(in->code) != EBPF_ALU64 || EBPF_OPER(in->code) != EBPF_ADD)
		return ck_fail(c, i, "arithmetic on a pointer other than packet + number");
	if (!x) {
		int64_t off = d->off + in->imm;
		if (off > CK_OFF_MAX || off < -CK_OFF_MAX)
			return ck_fail(c, i, "a packet pointer offset beyond 2^31");
		d->off = off;
		return 0;
	}
	const struct ck_reg *s = &c->cur.r[in->src_reg];
	if (s->t != JT_S32 || d->id != 0 || d->off < 0 || d->off >= CK_OFF_MAX)
		return ck_fail(c, i, "a packet pointer plus other than a 32-bit number");
	*d = (struct ck_reg){JT_PKT, (uint32_t)i + 1, 0, 0};
	return 0;
}

/* ALU and END. */
static int
ck_alu(struct ck *c, size_t i, const struct bpfc_ebpf_insn *in, const struct ebpf_opinfo *oi)
{
	int x = (oi->flags & EBPF_F_SRC) != 0, w32 = (oi->flags & EBPF_F_W32) != 0;
	int op = EBPF_OPER(in->code);
	struct ck_reg *d = &c->cur.r[in->dst_reg];

	if (ck_write_reg(c, i, in->dst_reg) || (x && ck_read(c, i, in->src_reg)))
		return -1;
	if (in->off != 0 || (!x && in->src_reg != 0))
		return ck_fail(c, i, "a reserved field is set");
	if (oi->form == EBPF_FORM_END && in->imm != 16 && in->imm != 32 && in->imm != 64)
		return ck_fail(c, i, "a byte swap of another width");
	if (op == EBPF_MOV) {
		const struct ck_reg *s = &c->cur.r[in->src_reg];
		if (!x) {
			*d = (struct ck_reg){w32 || in->imm >= 0 ? JT_S32 : JT_S64, 0, 0, 0};
		} else if (!w32 && s->t == JT_FP) {
			return ck_fail(c, i, "a copy of the frame pointer");
		} else if (w32 && !ck_is_scalar(s)) {
			return ck_fail(c, i, "a 32-bit move of a pointer");
		} else {
			c->f->writes[in->dst_reg] |= s->t == JT_CTX ? JW_CTX : JW_OTHER;
			if (s->t == JT_CTX)
				c->f->kind[i] = JK_CTX_NOP;
			*d = w32 ? (struct ck_reg){JT_S32, 0, 0, 0} : *s;
			return 0;
		}
		c->f->writes[in->dst_reg] |= JW_OTHER;
		return 0;
	}
	if (ck_read(c, i, in->dst_reg))
		return -1;
	c->f->writes[in->dst_reg] |= JW_OTHER;
	if (!ck_is_scalar(d))
		return ck_ptr_alu(c, i, in);
	if (x && !ck_is_scalar(&c->cur.r[in->src_reg]))
		return ck_fail(c, i, "arithmetic with a pointer operand");
	if (op == EBPF_DIV || op == EBPF_MOD)
		c->f->has_div = 1;
	int narrow = w32 || (oi->form == EBPF_FORM_END && in->imm != 64);
	*d = (struct ck_reg){narrow ? JT_S32 : JT_S64, 0, 0, 0};
	return 0;
}

/* Conditional jumps: numbers against numbers, or a guard. */
static int
ck_cond(struct ck *c, size_t i, const struct bpfc_ebpf_insn *in, const struct ebpf_opinfo *oi)
{
	int x = (oi->flags & EBPF_F_SRC) != 0;
	const struct ck_reg *d = &c->cur.r[in->dst_reg], *s = &c->cur.r[in->src_reg];
	struct ck_state taken;

	if (ck_read(c, i, in->dst_reg) || (x && ck_read(c, i, in->src_reg)))
		return -1;
	if (!x && in->src_reg != 0)
		return ck_fail(c, i, "a reserved field is set");
	if (in->off < 0)
		return ck_fail(c, i, "a jump goes backward");
	taken = c->cur;
	if (!ck_is_scalar(d) || (x && !ck_is_scalar(s))) {
		int op = EBPF_OPER(in->code);
		int pe = x && d->t == JT_PKT && s->t == JT_END, ep = x && d->t == JT_END && s->t == JT_PKT;
		if ((oi->flags & EBPF_F_W32) || !(pe || ep) ||
		    (op != EBPF_JGT && op != EBPF_JGE && op != EBPF_JLT && op != EBPF_JLE))
			return ck_fail(c, i, "a pointer comparison other than packet against data_end");
		const struct ck_reg *pk = pe ? d : s;
		/* pkt <= end when: pe and (taken: JLE, JLT; fall: JGT, JGE), ep the other way */
		int taken_le = pe ? (op == EBPF_JLE || op == EBPF_JLT) : (op == EBPF_JGE || op == EBPF_JGT);
		struct ck_reg r = *pk;
		ck_prove(taken_le ? &taken : &c->cur, &r);
	}
	return ck_flow(c, i, i + 1 + (size_t)in->off, &taken);
}

static int
ck_insn(struct ck *c, size_t i)
{
	const struct bpfc_ebpf_insn *in = &c->p->insns[i];
	const struct ebpf_opinfo *oi = ebpf_opinfo(in->code);

	if (oi == NULL)
		return ck_fail(c, i, "an unknown opcode");
	if (oi->flags & (EBPF_F_PKT | EBPF_F_CLOBBER | EBPF_F_WIDE))
		return ck_fail(c, i, "a call, legacy packet load or 64-bit immediate");
	c->f->kind[i] = JK_NORMAL;
	switch (oi->form) {
	case EBPF_FORM_EXIT:
		if (ck_read(c, i, 0))
			return -1;
		if (!ck_is_scalar(&c->cur.r[0]))
			return ck_fail(c, i, "a pointer returned");
		c->live = 0;
		return 0;
	case EBPF_FORM_JA:
		if (in->off < 0)
			return ck_fail(c, i, "a jump goes backward");
		c->live = 0;
		return ck_flow(c, i, i + 1 + (size_t)in->off, &c->cur);
	case EBPF_FORM_JMP:
		return ck_cond(c, i, in, oi);
	case EBPF_FORM_LDX:
		return ck_ldx(c, i, in);
	case EBPF_FORM_ST:
	case EBPF_FORM_STX:
		return ck_store(c, i, in);
	case EBPF_FORM_ALU:
	case EBPF_FORM_NEG:
	case EBPF_FORM_END:
		return ck_alu(c, i, in, oi);
	default:
		return ck_fail(c, i, "an instruction outside the run target");
	}
}

/* Mark jump targets and give each a slot; 0 or -1. */
static int
ck_targets(struct ck *c, size_t *ntargets)
{
	size_t n = c->p->n, k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct bpfc_ebpf_insn *in = &c->p->insns[i];
		const struct ebpf_opinfo *oi = ebpf_opinfo(in->code);
		if (oi == NULL || (oi->form != EBPF_FORM_JA && oi->form != EBPF_FORM_JMP))
			continue;
		if (in->off < 0 || (size_t)in->off >= n - i - 1)
			continue; /* refused when reached */
		c->f->target[i + 1 + (size_t)in->off] = 1;
	}
	for (size_t i = 0; i < n; i++)
		c->slot[i] = c->f->target[i] ? (uint32_t)k++ : UINT32_MAX;
	*ntargets = k;
	return 0;
}

int
jit_check(const struct ebpf_prog *p, struct jit_facts *f, struct bpfc_error *err)
{
	struct ck c;
	size_t nt = 0;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	memset(&c, 0, sizeof(c));
	if (p == NULL || p->insns == NULL || p->n == 0 || p->n > UINT32_MAX / 2)
		return diag_plain(err, BPFC_EUNSUPPORTED, "the JIT refuses the program: empty or too long");
	if (p->target != EBPF_TARGET_RUN)
		return diag_plain(err, BPFC_EUNSUPPORTED, "the JIT compiles only the run target");
	c.p = p;
	c.f = f;
	c.err = err;
	f->kind = calloc(p->n, 1);
	f->target = calloc(p->n, 1);
	c.slot = malloc(p->n * sizeof(*c.slot));
	if (f->kind == NULL || f->target == NULL || c.slot == NULL) {
		rc = diag_plain(err, BPFC_ENOMEM, "out of memory checking the program");
		goto out;
	}
	ck_targets(&c, &nt);
	c.pend = malloc((nt ? nt : 1) * sizeof(*c.pend));
	c.seen = calloc(nt ? nt : 1, 1);
	if (c.pend == NULL || c.seen == NULL) {
		rc = diag_plain(err, BPFC_ENOMEM, "out of memory checking the program");
		goto out;
	}
	c.cur.r[1].t = JT_CTX;
	c.cur.r[EBPF_FP].t = JT_FP;
	c.live = 1;
	c.fresh = (uint32_t)p->n + 1; /* past every instruction's id */
	for (size_t i = 0; i < p->n && rc == 0; i++) {
		uint32_t k = c.slot[i];
		if (k != UINT32_MAX && c.seen[k]) {
			if (c.live)
				ck_meet(&c, &c.cur, &c.pend[k]);
			else
				c.cur = c.pend[k];
			c.live = 1;
		}
		if (!c.live)
			continue; /* unreachable: JK_SKIP, no code */
		rc = ck_insn(&c, i);
	}
	if (rc == 0 && c.live)
		rc = ck_fail(&c, p->n - 1, "control falls off the end of the program");
out:
	free(c.slot);
	free(c.pend);
	free(c.seen);
	if (rc != 0)
		jit_facts_free(f);
	return rc;
}

void
jit_facts_free(struct jit_facts *f)
{
	free(f->kind);
	free(f->target);
	f->kind = f->target = NULL;
}
