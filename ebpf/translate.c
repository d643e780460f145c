/*
 * translate.c: cBPF to eBPF, the driver, the shared lowering and the
 * socket-filter target.
 *
 * Takes: a validated cBPF program (cbpf_validate passed) and a target.
 * Gives: an eBPF program with the cBPF's verdict on every packet that the
 * kernel's verifier accepts as it is (ebpf/ebpf.h states the invariants).
 *
 * How the output stays verifier-clean, by construction rather than by
 * luck:
 *  - registers: A is r0 and X is r7 (translate_int.h).  cBPF starts both
 *    at 0; a backward liveness pass says whether a path can read either
 *    before writing it, and only then does the prologue write `w0 = 0` /
 *    `w7 = 0` (a mov, never `xor r0, r0`, which reads r0).  The socket
 *    target's `ldxb 4*([k]&0xf)` goes through the legacy byte load, which
 *    writes r0: A is copied to r8 and back only when A is live after it.
 *    Scratch registers are written right before they are read.
 *  - stack: M[k] is the word at r10 - 4 * (16 - k).  cbpf_validate
 *    refuses a program that can read M[k] before writing it on some path,
 *    so every slot read was written.
 *  - reachability: instructions are emitted in cBPF order, and only those
 *    an already emitted instruction reaches (cBPF jumps only forward, so
 *    every predecessor comes first); the shared "return 0" block is
 *    emitted only when something jumps to it.  Nothing is unreachable.
 *  - jumps: emit.c patches them and splits those that do not fit 16 bits.
 *  - arithmetic: A's operations are 32-bit (BPF_ALU, zero-extending).
 *    Comparisons are BPF_JMP32: unsigned 32-bit, so a constant >= 2^31
 *    compares as cBPF's unsigned k, not as the sign-extended 64-bit
 *    immediate a BPF_JMP would use.  `div x` / `mod x` first test X and
 *    return 0 when it is zero (eBPF would give 0 or A and go on).  A shift
 *    by X >= 32 gives A = 0 in bpfc's cBPF interpreter (libpcap 1.10's
 *    bpf_filter) but a shift by X & 31 in eBPF, so unless X is known to be
 *    below 32 the shift is preceded by `if w7 < 32 goto +1; w0 = 0`
 *    (0 shifted by anything is 0).
 *
 * The socket target (BPF_PROG_TYPE_SOCKET_FILTER): packet bytes through
 * the legacy BPF_LD|BPF_ABS/BPF_IND loads, which have cBPF's semantics in
 * the kernel (big-endian; a load outside the packet ends the program
 * returning 0) and need the context in r6, so the prologue saves r1 there.
 * Two cases differ from cBPF and are handled here: the kernel computes
 * X + k in 32 bits and reads a negative result as a Linux SKF_NET_OFF /
 * SKF_LL_OFF offset (another header) or wraps it into the packet, so an
 * indexed load whose X + k may reach 2^31 first tests X and returns 0
 * (cBPF computes X + k without wrapping: past any packet); a constant
 * offset >= 2^31 would be such an offset too, and can never be inside a
 * packet, so its load becomes a jump to "return 0".  `len` is
 * __sk_buff.len.  `ret` returns the cBPF's value.
 */
#include <config.h>

#include <linux/bpf.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "cbpf/cbpf.h"
#include "ebpf/translate_int.h"

/* ---- what each cBPF instruction reads and writes ---- */

static unsigned
xl_cbpf_flags(uint16_t code)
{
	return cbpf_opinfo[cbpf_decode(code)].flags;
}

/* A and X as XL_LIVE_* bits: read by `in` (use), written by it (def). */
static void
xl_usedef(const struct bpfc_insn *in, unsigned *use, unsigned *def)
{
	unsigned fl = xl_cbpf_flags(in->code);

	*use = (fl & CBPF_F_USEX) ? XL_LIVE_X : 0;
	*def = 0;
	switch (CBPF_CLASS(in->code)) {
	case CBPF_LD:
		*def = XL_LIVE_A;
		break;
	case CBPF_LDX:
		*def = XL_LIVE_X;
		break;
	case CBPF_ST:
		*use |= XL_LIVE_A;
		break;
	case CBPF_ALU:
		*use |= XL_LIVE_A;
		*def = XL_LIVE_A;
		break;
	case CBPF_JMP:
		if (fl & CBPF_F_COND)
			*use |= XL_LIVE_A;
		break;
	case CBPF_RET:
		if ((in->code & 0x18) == CBPF_A)
			*use |= XL_LIVE_A;
		break;
	case CBPF_MISC:
		if ((in->code & 0xf8) == CBPF_TAX) {
			*use |= XL_LIVE_A;
			*def = XL_LIVE_X;
		} else {
			*def = XL_LIVE_A;
		}
		break;
	default:
		break;
	}
}

/* Successors of instruction i: 0 (a return), 1 or 2; in succ[]. */
static size_t
xl_succ(const struct bpfc_insn *p, size_t i, size_t succ[2])
{
	const struct bpfc_insn *in = &p[i];
	unsigned fl = xl_cbpf_flags(in->code);

	if (fl & CBPF_F_RET)
		return 0;
	if (fl & CBPF_F_JA) {
		succ[0] = i + 1 + (size_t)in->k;
		return 1;
	}
	if (fl & CBPF_F_COND) {
		succ[0] = i + 1 + in->jt;
		succ[1] = i + 1 + in->jf;
		return 2;
	}
	succ[0] = i + 1;
	return 1;
}

/* ---- analyses ---- */

/* Backward: which of A and X a path from each instruction may read
 * before writing. */
static void
xl_liveness(struct xl *x)
{
	for (size_t i = x->n; i-- > 0;) {
		size_t succ[2], ns = xl_succ(x->p, i, succ);
		unsigned use, def, out = 0;
		for (size_t s = 0; s < ns; s++)
			out |= x->f[succ[s]].live;
		xl_usedef(&x->p[i], &use, &def);
		x->f[i].live = (uint8_t)(use | (out & ~def));
	}
}

static uint32_t
xl_smear(uint32_t v)
{
	v |= v >> 1;
	v |= v >> 2;
	v |= v >> 4;
	v |= v >> 8;
	return v | v >> 16;
}

/*
 * An upper bound of A after an ALU instruction.  `vis` keeps to what the
 * kernel's verifier derives too (xdp/tc use X's bound to leave out a clamp
 * the verifier would otherwise miss): constants, AND, shifts right by a
 * constant, additions and shifts left that cannot overflow.
 */
static uint32_t
xl_alu_bound(const struct bpfc_insn *in, int vis, uint32_t a, uint32_t xb)
{
	int isx = (in->code & CBPF_X) != 0;
	uint32_t b = isx ? xb : in->k;
	uint64_t r;

	switch (in->code & 0xf0) {
	case CBPF_AND:
		return a < b ? a : b;
	case CBPF_RSH:
		return isx ? (vis ? UINT32_MAX : a) : a >> in->k;
	case CBPF_ADD:
		r = (uint64_t)a + b;
		return r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
	case CBPF_LSH:
		if (isx || in->k > 31 || (uint64_t)a > (1ull << (31 - in->k)))
			return UINT32_MAX;
		return a << in->k;
	case CBPF_DIV:
		return vis ? UINT32_MAX : isx ? a : a / in->k;
	case CBPF_MOD:
		return vis ? UINT32_MAX : isx ? a : (a < in->k - 1 ? a : in->k - 1);
	case CBPF_OR:
	case CBPF_XOR:
		return vis ? UINT32_MAX : xl_smear(a) | xl_smear(b);
	case CBPF_MUL:
		r = (uint64_t)a * b;
		return vis || r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
	default:
		return UINT32_MAX;
	}
}

/* A and X after `in`, from their bounds before it. */
static void
xl_transfer(const struct bpfc_insn *in, int vis, uint32_t *a, uint32_t *xb)
{
	uint16_t mode = in->code & 0xe0;

	switch (CBPF_CLASS(in->code)) {
	case CBPF_LD:
		if (mode == CBPF_IMM)
			*a = in->k;
		else if ((mode == CBPF_ABS || mode == CBPF_IND) && xl_bytes(in->code) == 1)
			*a = 0xff;
		else if ((mode == CBPF_ABS || mode == CBPF_IND) && xl_bytes(in->code) == 2 && !vis)
			*a = 0xffff;
		else
			*a = UINT32_MAX;
		break;
	case CBPF_LDX:
		*xb = mode == CBPF_IMM ? in->k : mode == CBPF_MSH ? 60 : UINT32_MAX;
		break;
	case CBPF_ALU:
		*a = xl_alu_bound(in, vis, *a, *xb);
		break;
	case CBPF_MISC:
		if ((in->code & 0xf8) == CBPF_TAX)
			*xb = *a;
		else
			*a = *xb;
		break;
	default:
		break;
	}
}

/* Forward: upper bounds of A and X on entry to each instruction (the
 * largest over its predecessors; both start at 0). */
static int
xl_bounds(struct xl *x)
{
	int vis = x->target != EBPF_TARGET_SOCKET;
	uint8_t *seen = calloc(x->n + 1, 1); /* +1: never a zero-size block */

	if (seen == NULL)
		return xl_fail(x, BPFC_ENOMEM, XL_NONE, "out of memory translating to eBPF");
	seen[0] = 1;
	for (size_t i = 0; i < x->n; i++) {
		if (!seen[i])
			continue;
		uint32_t a = x->f[i].abound, xb = x->f[i].xbound;
		size_t succ[2], ns = xl_succ(x->p, i, succ);
		xl_transfer(&x->p[i], vis, &a, &xb);
		for (size_t s = 0; s < ns; s++) {
			struct xl_fact *t = &x->f[succ[s]];
			t->abound = !seen[succ[s]] || a > t->abound ? a : t->abound;
			t->xbound = !seen[succ[s]] || xb > t->xbound ? xb : t->xbound;
			seen[succ[s]] = 1;
		}
	}
	free(seen);
	return 0;
}

/* ---- the shared lowering ---- */

/* Control reaches label `to` from the current point, with its facts. */
static void
xl_flow(struct xl *x, size_t to)
{
	struct xl_fact *t = &x->f[to];

	t->est = !t->reach || x->est < t->est ? x->est : t->est;
	t->estx = !t->reach || x->estx < t->estx ? x->estx : t->estx;
	t->reach = 1;
}

/* if A op (k | X) goto label, as cBPF compares: unsigned 32-bit. */
static void
xl_cmp(struct xl *x, int op, const struct bpfc_insn *in, size_t label)
{
	if (in->code & CBPF_X)
		xl_jump(x, (uint8_t)(EBPF_JMP32 | op | EBPF_X), XL_A, XL_X, 0, label);
	else
		xl_jmp32_k(x, op, XL_A, (int32_t)in->k, label);
}

/* ja, jeq, jgt, jge, jset (K and X). */
static void
xl_branch(struct xl *x, size_t i)
{
	const struct bpfc_insn *in = &x->p[i];
	int op = in->code & 0xf0;
	size_t t = i + 1 + (op == CBPF_JA ? (size_t)in->k : in->jt);
	size_t e = i + 1 + (op == CBPF_JA ? (size_t)in->k : in->jf);

	if (t == e) {
		if (t != i + 1)
			xl_goto(x, t); /* goto pc+off */
	} else if (t == i + 1 && op != CBPF_JSET) {
		/* Fall into the true branch: jump on the negation. */
		xl_cmp(x, op == CBPF_JEQ ? EBPF_JNE : op == CBPF_JGT ? EBPF_JLE : EBPF_JLT, in, e);
	} else if (t == i + 1) {
		/* JSET has no negation: skip the jump to the false branch. */
		xl_emit(x, (uint8_t)(EBPF_JMP32 | EBPF_JSET | (in->code & CBPF_X)), XL_A,
			(in->code & CBPF_X) ? XL_X : 0, 1,
			(in->code & CBPF_X) ? 0 : (int32_t)in->k); /* if w0 & k goto pc+1 */
		xl_goto(x, e);
	} else {
		xl_cmp(x, op, in, t);
		if (e != i + 1)
			xl_goto(x, e);
	}
	xl_flow(x, t);
	xl_flow(x, e);
}

/* A op= k | X, 32-bit, with cBPF's rules for X = 0 and X >= 32. */
static void
xl_alu(struct xl *x, size_t i)
{
	const struct bpfc_insn *in = &x->p[i];
	int op = in->code & 0xf0;

	if (op == CBPF_NEG) {
		xl_emit(x, EBPF_ALU | EBPF_NEG, XL_A, 0, 0, 0); /* w0 = -w0 */
		return;
	}
	if (!(in->code & CBPF_X)) {
		xl_alu32_k(x, op, XL_A, (int32_t)in->k);
		return;
	}
	if (op == CBPF_DIV || op == CBPF_MOD)
		xl_jmp32_k(x, EBPF_JEQ, XL_X, 0, xl_ret0_label(x)); /* if w7 == 0 goto ret0 */
	if ((op == CBPF_LSH || op == CBPF_RSH) && x->f[i].xbound >= 32) {
		xl_emit(x, EBPF_JMP32 | EBPF_JLT | EBPF_K, XL_X, 0, 1, 32); /* if w7 < 32 goto pc+1 */
		xl_alu32_k(x, EBPF_MOV, XL_A, 0);                           /* w0 = 0 */
	}
	xl_alu32_x(x, op, XL_A, XL_X);
}

/* Loads into A or X: 1 when control goes on to the next instruction. */
static int
xl_load(struct xl *x, size_t i)
{
	const struct bpfc_insn *in = &x->p[i];
	int dst = CBPF_CLASS(in->code) == CBPF_LD ? XL_A : XL_X;

	switch (in->code & 0xe0) {
	case CBPF_IMM:
		xl_alu32_k(x, EBPF_MOV, dst, (int32_t)in->k); /* wD = k */
		return 1;
	case CBPF_MEM:
		xl_ldx(x, EBPF_W, dst, XL_FP, xl_mem_off(in->k)); /* rD = M[k] */
		return 1;
	case CBPF_LEN:
		x->ops->len(x, dst);
		return 1;
	default: /* ABS, IND, MSH */
		return x->ops->load(x, i);
	}
}

/* One reachable cBPF instruction: 1 when it falls through. */
static int
xl_insn(struct xl *x, size_t i)
{
	const struct bpfc_insn *in = &x->p[i];
	unsigned use, def;
	int next = 1;

	switch (CBPF_CLASS(in->code)) {
	case CBPF_LD:
	case CBPF_LDX:
		next = xl_load(x, i);
		break;
	case CBPF_ST:
		xl_stx(x, EBPF_W, XL_FP, xl_mem_off(in->k), XL_A); /* M[k] = A */
		break;
	case CBPF_STX:
		xl_stx(x, EBPF_W, XL_FP, xl_mem_off(in->k), XL_X); /* M[k] = X */
		break;
	case CBPF_ALU:
		xl_alu(x, i);
		break;
	case CBPF_JMP:
		xl_branch(x, i);
		next = 0;
		break;
	case CBPF_RET:
		x->ops->ret(x, i);
		next = 0;
		break;
	default:
		if ((in->code & 0xf8) == CBPF_TAX)
			xl_alu32_x(x, EBPF_MOV, XL_X, XL_A); /* w7 = w0 */
		else
			xl_alu32_x(x, EBPF_MOV, XL_A, XL_X); /* w0 = w7 */
		break;
	}
	xl_usedef(in, &use, &def);
	if (def & XL_LIVE_X)
		x->estx = 0; /* r5 = data + X is about the old X */
	return next;
}

/* ---- the socket target ---- */

static void
sk_prologue(struct xl *x)
{
	if (x->uses_pkt || x->uses_ctx)
		xl_alu64_x(x, EBPF_MOV, XL_CTX, XL_R1); /* r6 = r1: the legacy loads need it */
}

/* ld/ldh/ldb [k], [x + k]; ldxb 4*([k]&0xf): the legacy loads. */
static int
sk_load(struct xl *x, size_t i)
{
	const struct bpfc_insn *in = &x->p[i];
	int size = xl_size(in->code);

	if (in->k > INT32_MAX) { /* a Linux SKF_* offset in the kernel; past any packet in cBPF */
		xl_goto(x, xl_ret0_label(x));
		return 0;
	}
	if (CBPF_CLASS(in->code) == CBPF_LDX) { /* ldxb 4*([k]&0xf) */
		int save = (x->f[i + 1].live & XL_LIVE_A) != 0;
		if (save)
			xl_alu32_x(x, EBPF_MOV, XL_SAVE, XL_A);          /* w8 = w0 */
		xl_emit(x, EBPF_LD | EBPF_ABS | EBPF_B, 0, 0, 0, (int32_t)in->k); /* r0 = skb[k] */
		xl_alu32_x(x, EBPF_MOV, XL_X, XL_A);                     /* w7 = w0 */
		xl_alu32_k(x, EBPF_AND, XL_X, 0xf);                      /* w7 &= 15 */
		xl_alu32_k(x, EBPF_LSH, XL_X, 2);                        /* w7 <<= 2 */
		if (save)
			xl_alu32_x(x, EBPF_MOV, XL_A, XL_SAVE);          /* w0 = w8 */
		return 1;
	}
	if ((in->code & 0xe0) == CBPF_ABS) {
		xl_emit(x, (uint8_t)(EBPF_LD | EBPF_ABS | size), 0, 0, 0, (int32_t)in->k);
		return 1;
	}
	/* [x + k]: the kernel adds in 32 bits and reads a negative sum as an
	 * SKF_* offset; cBPF's X + k >= 2^31 is past any packet. */
	if ((uint64_t)x->f[i].xbound + in->k > INT32_MAX)
		xl_jmp32_k(x, EBPF_JGE, XL_X, (int32_t)(0x80000000u - in->k), xl_ret0_label(x));
	xl_emit(x, (uint8_t)(EBPF_LD | EBPF_IND | size), 0, XL_X, 0, (int32_t)in->k);
	return 1;
}

static void
sk_len(struct xl *x, int dst)
{
	xl_ldx(x, EBPF_W, dst, XL_CTX, (int16_t)offsetof(struct __sk_buff, len)); /* skb->len */
}

static void
sk_ret(struct xl *x, size_t i)
{
	const struct bpfc_insn *in = &x->p[i];

	if ((in->code & 0x18) != CBPF_A)
		xl_alu32_k(x, EBPF_MOV, XL_A, (int32_t)in->k); /* w0 = k */
	xl_exit(x);
}

static int32_t
sk_ret0(const struct xl *x)
{
	(void)x;
	return 0;
}

static void
sk_analyse(struct xl *x)
{
	(void)x;
}

static const struct xl_ops xl_socket_ops = {
	"socket", sk_analyse, sk_prologue, sk_load, sk_len, sk_ret, sk_ret0,
};

/* ---- the driver ---- */

/* What ebpf_from_cbpf relies on and cbpf_validate guarantees, checked
 * cheaply so that a program that skipped validation is an error, never a
 * crash. */
static int
xl_check_input(struct xl *x)
{
	for (size_t i = 0; i < x->n; i++) {
		const struct bpfc_insn *in = &x->p[i];
		enum cbpf_op op = cbpf_decode(in->code);
		size_t succ[2], ns;
		if (op == CBPF_OP_INVALID)
			return xl_fail(x, BPFC_EINVAL, i, "unknown opcode 0x%x (validate first)",
				       in->code);
		if ((cbpf_opinfo[op].flags & CBPF_F_JA) && in->k >= x->n - i - 1)
			return xl_fail(x, BPFC_EINVAL, i, "jump out of the program (validate first)");
		if (((cbpf_opinfo[op].flags & CBPF_F_NONZK) && in->k == 0) ||
		    ((cbpf_opinfo[op].flags & CBPF_F_SHIFTK) && in->k > 31))
			return xl_fail(x, BPFC_EINVAL, i, "constant operand %u out of range "
				       "(validate first)", in->k);
		ns = xl_succ(x->p, i, succ);
		for (size_t s = 0; s < ns; s++)
			if (succ[s] >= x->n)
				return xl_fail(x, BPFC_EINVAL, i,
					       "control leaves the program (validate first)");
		if (CBPF_CLASS(in->code) == CBPF_LD && (in->code & 0xe0) == CBPF_LEN)
			x->uses_ctx = 1;
		if (CBPF_CLASS(in->code) == CBPF_LDX && (in->code & 0xe0) == CBPF_LEN)
			x->uses_ctx = 1;
		if (cbpf_opinfo[op].flags & CBPF_F_PKT)
			x->uses_pkt = 1;
	}
	return 0;
}

static int
xl_ret0_used(const struct xl *x)
{
	for (size_t j = 0; j < x->nfix; j++)
		if (x->fix[j].label == xl_ret0_label(x))
			return 1;
	return 0;
}

/* Emit the whole program into x->code. */
static void
xl_run(struct xl *x)
{
	if (xl_check_input(x) != 0)
		return;
	xl_liveness(x);
	if (xl_bounds(x) != 0)
		return;
	x->ops->analyse(x);
	x->ops->prologue(x);
	if (x->f[0].live & XL_LIVE_A)
		xl_alu32_k(x, EBPF_MOV, XL_A, 0); /* w0 = 0: cBPF's A starts at 0 */
	if (x->f[0].live & XL_LIVE_X)
		xl_alu32_k(x, EBPF_MOV, XL_X, 0); /* w7 = 0 */
	x->f[0].reach = 1;
	for (size_t i = 0; i < x->n && !x->failed; i++) {
		if (!x->f[i].reach)
			continue;
		x->start[i] = x->len;
		x->est = x->f[i].est;
		x->estx = x->f[i].estx;
		if (xl_insn(x, i))
			xl_flow(x, i + 1); /* never the last: that one returns */
	}
	if (x->failed || !xl_ret0_used(x))
		return;
	const struct bpfc_insn *last = &x->p[x->n - 1];
	if (last->code == (CBPF_RET | CBPF_K) && last->k == 0 && x->start[x->n - 1] != XL_NONE) {
		/* The program ends in `ret #0`, whose code is the block: share it. */
		x->start[xl_ret0_label(x)] = x->start[x->n - 1];
	} else {
		x->start[xl_ret0_label(x)] = x->len;
		xl_alu32_k(x, EBPF_MOV, XL_A, x->ops->ret0(x)); /* w0 = verdict */
		xl_exit(x);
	}
}

static const struct xl_ops *
xl_ops_for(enum ebpf_target target)
{
	switch (target) {
	case EBPF_TARGET_SOCKET:
		return &xl_socket_ops;
	case EBPF_TARGET_TC:
	case EBPF_TARGET_XDP:
	case EBPF_TARGET_RUN:
		return &xl_direct_ops;
	default:
		return NULL;
	}
}

int
ebpf_from_cbpf(struct arena *a, const struct bpfc_insn *p, size_t n, enum ebpf_target target,
	       unsigned flags, struct ebpf_prog *out, struct bpfc_error *err)
{
	struct xl x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.p = p;
	x.n = n;
	x.target = target;
	x.flags = flags;
	x.err = err;
	x.ops = xl_ops_for(target);
	if (a == NULL || p == NULL || n == 0 || out == NULL)
		return xl_fail(&x, BPFC_EINVAL, XL_NONE, "no program to translate");
	if (x.ops == NULL)
		return xl_fail(&x, BPFC_EINVAL, XL_NONE, "unknown eBPF target %d", (int)target);
	if ((flags & ~(unsigned)EBPF_INVERT) != 0 ||
	    ((flags & EBPF_INVERT) && (target == EBPF_TARGET_SOCKET || target == EBPF_TARGET_RUN)))
		return xl_fail(&x, BPFC_EINVAL, XL_NONE,
			       "flags 0x%x do not apply to the %s target", flags, x.ops->name);
	x.f = calloc(n, sizeof(*x.f));
	x.start = malloc((n + 1) * sizeof(*x.start));
	if (x.f == NULL || x.start == NULL) {
		xl_fail(&x, BPFC_ENOMEM, XL_NONE, "out of memory translating to eBPF");
	} else {
		for (size_t i = 0; i <= n; i++)
			x.start[i] = XL_NONE;
		xl_run(&x);
	}
	rc = xl_finish(&x, a, out);
	if (rc == 0) {
		out->target = target;
		out->flags = flags;
	}
	free(x.f);
	free(x.start);
	free(x.code);
	free(x.fix);
	return rc;
}
