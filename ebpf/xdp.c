/*
 * xdp.c: the direct-packet-access lowering, for XDP and tc.
 *
 * Takes: the translator's state (translate_int.h) for a validated cBPF
 * program and the target EBPF_TARGET_XDP or EBPF_TARGET_TC.  Gives: the
 * hooks that lower packet loads, `len` and returns, so that the program
 * reads the packet between the context's `data` and `data_end` (r9, r8)
 * behind guards the verifier accepts, and returns XDP_PASS / XDP_DROP
 * (tc: TC_ACT_OK / TC_ACT_SHOT) for the cBPF's non-zero / zero
 * (EBPF_INVERT swaps them).
 *
 * Guards.  The verifier lets a program read [data + off, data + off +
 * size) only on paths where it compared data + G with data_end and found
 * G bytes there (G <= 65535, MAX_PACKET_OFF), so every load needs a guard
 * on every path to it; a failing guard must be exactly cBPF's "a load past
 * the end returns 0".  One guard should serve many loads, so guards are
 * hoisted, and the rule for how far is this analysis:
 *
 *   must(i) = the least, over the paths from instruction i to a return
 *             that may be non-zero (`ret A`, `ret #k` with k != 0), of the
 *             largest k + size any packet load on the path needs (a
 *             `ret #0` path needs nothing: must = infinity).
 *
 * computed backward in one pass (jumps go forward): a load takes the max
 * of its own need and its successor's, a branch the min of its two.  A
 * packet shorter than must(i) makes every path from i either fail a load
 * or return 0, so the cBPF returns 0 from i on: a guard "len >= G, else
 * return 0" at i is exact for any G <= must(i).  The lowering emits a
 * guard only at a load whose need exceeds what every emitted path to it
 * already proved (the minimum over predecessors, tracked while emitting),
 * and then proves G = min(must(i), 65535) >= the load's need, which also
 * covers every later load it dominates up to G.  So a guard never rejects
 * a packet cBPF accepts, and never sits above an instruction that could
 * return non-zero before the load (such a path has must = 0 and keeps the
 * guard down to the load's own need).  tests/diff_kernel.c checks it on
 * packets cut at every length.
 *
 * Indexed loads [x + k] are guarded relative to r5 = data + X: mustx is
 * must for the loads [x + k'] before X changes (an X write ends it), and
 * the guard compares r5 + G with data_end.  The verifier needs X bounded
 * for data + X to be a packet pointer with a range, so unless X's bound is
 * known small (translate.c's bounds, kept to what the verifier also
 * derives) the guard starts with `if r7 > 65535 - G goto ret0`, which is
 * exact because X + G > 65535 is past every packet the lowering can read.
 *
 * Reach.  Direct access reads at most 65535 bytes from data.  An XDP
 * buffer (without frags, which bpfc's programs do not declare) is at most
 * a page less its headroom, so nothing is lost; a tc skb's linear part can
 * be longer only for a GRO/BIG TCP super-packet, where a load at offset
 * >= 65535 returns 0 as if the capture ended there.  A load that can never
 * fit becomes a jump to "return 0".
 *
 * `len`: XDP has no length field, so it is data_end - data (a pointer
 * subtraction, which the verifier allows a loader with CAP_PERFMON, i.e.
 * root; XDP loading already needs CAP_BPF and CAP_NET_ADMIN).  tc reads
 * __sk_buff.len, the whole packet's length.
 *
 * tc and nonlinear skbs: data_end covers only the skb's linear part, but
 * a cBPF filter sees the whole packet.  When the program loads packet
 * bytes, the prologue asks for min(skb->len, need) linear bytes, where
 * need is the farthest byte a load can reach (65535 with an indexed load):
 * if data + that is past data_end it calls bpf_skb_pull_data(skb, amount)
 * and reloads data and data_end (a helper that changes packet data
 * invalidates every packet pointer).  A linear skb, the usual case, pays
 * two loads and a compare and is never written.  If the pull fails (memory
 * pressure) the program goes on with the linear part: the filter sees the
 * packet as a capture cut there (caplen < wirelen), with cBPF's meaning.
 *
 * The run target (EBPF_TARGET_RUN, for the JIT and the interpreter in user
 * space) is tc without the pull: the same context fields, the cBPF's own
 * return value instead of an action, and guards up to 2^31 - 1 bytes
 * (what an imm32 adds to a pointer) instead of the verifier's 65535, so
 * that a load anywhere in a 256 KiB capture keeps cBPF's meaning.
 *
 * Context accesses (what ebpf/interp.c must model): XDP reads
 * xdp_md.data/data_end (u32 loads that yield pointers) at entry; tc reads
 * __sk_buff.len, .data, .data_end, and calls helper 39 (skb_pull_data).
 */
#include <config.h>

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stddef.h>

#include "ebpf/translate_int.h"

#define DX_LIMIT 0xffffu /* MAX_PACKET_OFF: the farthest guard the verifier accepts */
#define DX_RUN_LIMIT 0x7fffffffu /* the run target: what an imm32 guard can add */

static int
dx_is_tc(const struct xl *x)
{
	return x->target == EBPF_TARGET_TC;
}

/* The run target (user space: the JIT, the interpreter) returns the
 * cBPF's value and is bound by no verifier. */
static int
dx_is_run(const struct xl *x)
{
	return x->target == EBPF_TARGET_RUN;
}

/* Whose context is a struct __sk_buff (len, data, data_end). */
static int
dx_skb_ctx(const struct xl *x)
{
	return x->target == EBPF_TARGET_TC || x->target == EBPF_TARGET_RUN;
}

/* The farthest byte past data a guard may prove. */
static uint64_t
dx_limit(const struct xl *x)
{
	return dx_is_run(x) ? DX_RUN_LIMIT : DX_LIMIT;
}

/* The action for a cBPF result that is non-zero (`pass`) or zero. */
static int32_t
dx_action(const struct xl *x, int pass)
{
	if (x->flags & EBPF_INVERT)
		pass = !pass;
	if (dx_is_tc(x))
		return pass ? TC_ACT_OK : TC_ACT_SHOT;
	return pass ? XDP_PASS : XDP_DROP;
}

static uint64_t
dx_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t
dx_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Bytes from data a packet load needs (X taken as 0 for [x + k]). */
static uint64_t
dx_need(const struct bpfc_insn *in)
{
	uint32_t size = CBPF_CLASS(in->code) == CBPF_LDX ? 1 : xl_bytes(in->code);
	return (uint64_t)in->k + size;
}

/* must and mustx of every instruction (see the header), backward. */
static void
dx_analyse(struct xl *x)
{
	uint64_t pull = 0;

	for (size_t i = x->n; i-- > 0;) {
		const struct bpfc_insn *in = &x->p[i];
		unsigned fl = cbpf_opinfo[cbpf_decode(in->code)].flags;
		struct xl_fact *f = &x->f[i];
		uint16_t mode = in->code & 0xe0;

		if (fl & CBPF_F_RET) {
			int zero = (in->code & 0x18) != CBPF_A && in->k == 0;
			f->must = f->mustx = zero ? XL_INF : 0;
			continue;
		}
		if (fl & CBPF_F_JA) {
			f->must = x->f[i + 1 + in->k].must;
			f->mustx = x->f[i + 1 + in->k].mustx;
			continue;
		}
		if (fl & CBPF_F_COND) {
			const struct xl_fact *t = &x->f[i + 1 + in->jt], *e = &x->f[i + 1 + in->jf];
			f->must = dx_min(t->must, e->must);
			f->mustx = dx_min(t->mustx, e->mustx);
			continue;
		}
		const struct xl_fact *next = &x->f[i + 1];
		f->must = next->must;
		f->mustx = next->mustx;
		if (fl & CBPF_F_PKT) {
			f->must = dx_max(f->must, dx_need(in));
			pull = dx_max(pull, mode == CBPF_IND ? DX_LIMIT : dx_need(in));
		}
		if (CBPF_CLASS(in->code) == CBPF_LD && mode == CBPF_IND)
			f->mustx = dx_max(f->mustx, dx_need(in));
		if (CBPF_CLASS(in->code) == CBPF_LDX || in->code == (CBPF_MISC | CBPF_TAX))
			f->mustx = 0; /* X changes: later [x + k] loads are about another X */
	}
	x->pull = (uint32_t)dx_min(pull, DX_LIMIT);
}

/* ---- prologue ---- */

/* rD = data, data_end from the context in register `ctx`. */
static void
dx_pointers(struct xl *x, int ctx)
{
	int16_t d = (int16_t)(dx_skb_ctx(x) ? offsetof(struct __sk_buff, data)
					    : offsetof(struct xdp_md, data));
	int16_t e = (int16_t)(dx_skb_ctx(x) ? offsetof(struct __sk_buff, data_end)
					    : offsetof(struct xdp_md, data_end));

	xl_ldx(x, EBPF_W, XL_DATA, ctx, d); /* r9 = ctx->data */
	xl_ldx(x, EBPF_W, XL_DEND, ctx, e); /* r8 = ctx->data_end */
}

/* tc: make the linear part hold min(skb->len, x->pull) bytes (see the
 * header); r6 holds the context. */
static void
dx_pull(struct xl *x)
{
	xl_ldx(x, EBPF_W, XL_R2, XL_CTX, (int16_t)offsetof(struct __sk_buff, len)); /* w2 = len */
	xl_emit(x, EBPF_JMP32 | EBPF_JLE | EBPF_K, XL_R2, 0, 1, (int32_t)x->pull); /* if w2 <= need goto pc+1 */
	xl_alu32_k(x, EBPF_MOV, XL_R2, (int32_t)x->pull);  /* w2 = need */
	xl_alu64_x(x, EBPF_MOV, XL_R3, XL_DATA);           /* r3 = r9 */
	xl_alu64_x(x, EBPF_ADD, XL_R3, XL_R2);             /* r3 += r2 */
	xl_emit(x, EBPF_JMP | EBPF_JLE | EBPF_X, XL_R3, XL_DEND, 4, 0); /* if r3 <= r8 goto pc+4 */
	xl_alu64_x(x, EBPF_MOV, XL_R1, XL_CTX);            /* r1 = r6 */
	xl_emit(x, EBPF_JMP | EBPF_CALL, 0, 0, 0, BPF_FUNC_skb_pull_data); /* call */
	dx_pointers(x, XL_CTX);                            /* the pull moved them */
}

static void
dx_prologue(struct xl *x)
{
	int ptrs = x->uses_pkt || (x->uses_ctx && !dx_skb_ctx(x));

	if (dx_skb_ctx(x) && (x->uses_pkt || x->uses_ctx))
		xl_alu64_x(x, EBPF_MOV, XL_CTX, XL_R1); /* r6 = r1 */
	if (ptrs)
		dx_pointers(x, dx_skb_ctx(x) ? XL_CTX : XL_R1);
	if (dx_is_tc(x) && x->uses_pkt)
		dx_pull(x);
}

/* ---- loads ---- */

/* Prove `need` bytes past data on this path, hoisted as far as must(i)
 * allows. */
static void
dx_guard(struct xl *x, size_t i, uint64_t need)
{
	if (x->est >= need)
		return;
	uint32_t g = (uint32_t)dx_min(x->f[i].must, dx_limit(x)); /* >= need: must(i) includes it */
	xl_alu64_x(x, EBPF_MOV, XL_R2, XL_DATA);               /* r2 = r9 */
	xl_alu64_k(x, EBPF_ADD, XL_R2, (int32_t)g);            /* r2 += G */
	xl_jmp64_x(x, EBPF_JGT, XL_R2, XL_DEND, xl_ret0_label(x)); /* if r2 > r8 goto ret0 */
	x->est = g;
}

/* Prove `need` bytes past r5 = data + X on this path. */
static void
dx_guard_x(struct xl *x, size_t i, uint64_t need)
{
	if (x->estx >= need)
		return;
	uint32_t g = (uint32_t)dx_min(x->f[i].mustx, dx_limit(x));
	int small = (uint64_t)x->f[i].xbound + g <= dx_limit(x);
	/* r5 still holds data + X (estx > 0) and X's bound lets the verifier
	 * take a range of G past it: only the comparison is new. */
	if (!(small && x->estx > 0)) {
		if (!small) /* if r7 > 65535 - G goto ret0 */
			xl_jump(x, EBPF_JMP | EBPF_JGT | EBPF_K, XL_X, 0, (int32_t)(dx_limit(x) - g),
				xl_ret0_label(x));
		xl_alu64_x(x, EBPF_MOV, XL_R5, XL_DATA); /* r5 = r9 */
		xl_alu64_x(x, EBPF_ADD, XL_R5, XL_X);    /* r5 += r7 */
	}
	xl_alu64_x(x, EBPF_MOV, XL_R4, XL_R5);                 /* r4 = r5 */
	xl_alu64_k(x, EBPF_ADD, XL_R4, (int32_t)g);            /* r4 += G */
	xl_jmp64_x(x, EBPF_JGT, XL_R4, XL_DEND, xl_ret0_label(x)); /* if r4 > r8 goto ret0 */
	x->estx = g;
}

/* rD = the big-endian value of `size` bytes at rBASE + k. */
static void
dx_fetch(struct xl *x, int dst, int base, uint32_t k, int size)
{
	if (k > INT16_MAX) { /* beyond the offset field: move the pointer */
		xl_alu64_x(x, EBPF_MOV, XL_R2, base); /* r2 = rBASE */
		xl_alu64_k(x, EBPF_ADD, XL_R2, (int32_t)k);
		base = XL_R2;
		k = 0;
	}
	xl_ldx(x, size, dst, base, (int16_t)k);
	if (size == EBPF_H)
		xl_emit(x, EBPF_ALU | EBPF_END | EBPF_TO_BE, dst, 0, 0, 16); /* rD = be16 rD */
	else if (size == EBPF_W)
		xl_emit(x, EBPF_ALU | EBPF_END | EBPF_TO_BE, dst, 0, 0, 32); /* rD = be32 rD */
}

/* A packet load.  One whose value no path reads (cBPF keeps such loads
 * for their "past the end returns 0") needs its guard and nothing else. */
static int
dx_load(struct xl *x, size_t i)
{
	const struct bpfc_insn *in = &x->p[i];
	uint64_t need = dx_need(in);
	int msh = CBPF_CLASS(in->code) == CBPF_LDX;
	int dead = !(x->f[i + 1].live & (msh ? XL_LIVE_X : XL_LIVE_A)); /* never the last */

	if (need > dx_limit(x)) { /* past anything direct access reads */
		xl_goto(x, xl_ret0_label(x));
		return 0;
	}
	if ((in->code & 0xe0) == CBPF_IND) {
		dx_guard_x(x, i, need);
		if (!dead)
			dx_fetch(x, XL_A, XL_R5, in->k, xl_size(in->code));
		return 1;
	}
	dx_guard(x, i, need);
	if (dead)
		return 1;
	if (msh) { /* ldxb 4*([k]&0xf) */
		dx_fetch(x, XL_X, XL_DATA, in->k, EBPF_B);
		xl_alu32_k(x, EBPF_AND, XL_X, 0xf); /* w7 &= 15 */
		xl_alu32_k(x, EBPF_LSH, XL_X, 2);   /* w7 <<= 2 */
		return 1;
	}
	dx_fetch(x, XL_A, XL_DATA, in->k, xl_size(in->code));
	return 1;
}

/* ---- len and returns ---- */

static void
dx_len(struct xl *x, int dst)
{
	if (dx_skb_ctx(x)) {
		xl_ldx(x, EBPF_W, dst, XL_CTX, (int16_t)offsetof(struct __sk_buff, len));
		return;
	}
	xl_alu64_x(x, EBPF_MOV, dst, XL_DEND); /* rD = r8 */
	xl_alu64_x(x, EBPF_SUB, dst, XL_DATA); /* rD -= r9 */
}

static void
dx_ret(struct xl *x, size_t i)
{
	const struct bpfc_insn *in = &x->p[i];

	if (dx_is_run(x)) { /* the cBPF's own value */
		if ((in->code & 0x18) != CBPF_A)
			xl_alu32_k(x, EBPF_MOV, XL_A, (int32_t)in->k); /* w0 = k */
		xl_exit(x);
		return;
	}
	if ((in->code & 0x18) == CBPF_A)
		xl_jmp32_k(x, EBPF_JEQ, XL_A, 0, xl_ret0_label(x)); /* if w0 == 0 goto ret0 */
	xl_alu32_k(x, EBPF_MOV, XL_A, dx_action(x, (in->code & 0x18) == CBPF_A || in->k != 0));
	xl_exit(x);
}

static int32_t
dx_ret0(const struct xl *x)
{
	return dx_is_run(x) ? 0 : dx_action(x, 0);
}

const struct xl_ops xl_direct_ops = {
	"direct", dx_analyse, dx_prologue, dx_load, dx_len, dx_ret, dx_ret0,
};
