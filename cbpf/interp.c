/*
 * interp.c: the classic BPF interpreter.
 *
 * Takes a program that passed cbpf_validate and one packet (`caplen`
 * captured bytes at `pkt`, `wirelen` bytes on the wire); gives what the
 * program returns.  The semantics are libpcap's bpf_filter():
 *
 *   - A, X and M[] start at 0;
 *   - packet loads are big-endian; a load of 1, 2 or 4 bytes that does not
 *     lie entirely inside [0, caplen) makes the program return 0.  Offsets
 *     are computed in 64 bits, so X + k never wraps back into the packet;
 *   - `len` is wirelen, not caplen;
 *   - division or modulo by X == 0 returns 0;
 *   - a shift by X >= 32 leaves A = 0 (what libpcap 1.10.3 returns on
 *     x86-64; tests/check_interp.c compares shifts by 31, 32, 33 and 255
 *     with it);
 *   - NEG is 0 - A in unsigned arithmetic.
 *
 * Invariants it relies on (the validator's job, so not checked here):
 * every code is in cbpf/opcodes.h, jumps land inside the program, the last
 * instruction returns, M[k] has k < 16, constant divisors are non-zero and
 * constant shifts are below 32.  Packet bounds are the one thing checked at
 * run time, always.
 *
 * Dispatch expands the CBPF_OPCODES table: with GCC or Clang into a table
 * of label addresses indexed by the code byte (threaded code: each body
 * ends in its own indirect jump, which predicts better than one shared
 * switch), elsewhere into a switch that jumps to the same labels.  Each op
 * has one hand-written body, op_NAME; the table makes the compiler insist
 * that every listed op has one, and -Wunused-label flags a body for an op
 * that is not listed.  No state outlives a call, so any number of threads
 * may run programs at once.
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>

#include "cbpf/cbpf.h"

#if defined(__GNUC__) && !defined(CBPF_INTERP_SWITCH)
#define CBPF_THREADED 1
#else
#define CBPF_THREADED 0
#endif

static inline uint32_t
cbpf_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline uint32_t
cbpf_be16(const uint8_t *b)
{
	return (uint32_t)b[0] << 8 | b[1];
}

/*
 * One function on purpose: A, X and pc must live in registers across every
 * dispatch, which only works when all the bodies share one frame.  Each
 * body is a line or two.
 */
uint32_t
cbpf_run(const struct bpfc_insn *p, const uint8_t *pkt, uint32_t wirelen, uint32_t caplen)
{
	const struct bpfc_insn *pc = p;
	uint32_t a = 0, x = 0;
	/* Zeroed although a valid program writes before it reads: a result
	 * must never depend on stale stack contents. */
	uint32_t mem[CBPF_MEMWORDS] = {0};
	uint64_t off; /* a packet offset: X + k cannot wrap in 64 bits */

/* k as an index into M[]: the mask is free and keeps a broken validator
 * from turning into a stack write. */
#define MEMK (pc->k & (CBPF_MEMWORDS - 1))
/* Return 0 unless bytes [off, off + size) were captured. */
#define NEED(size)                                                                       \
	do {                                                                             \
		if (off + (size) > caplen)                                               \
			return 0;                                                        \
	} while (0)

#if CBPF_THREADED
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winitializer-overrides"
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
	static const void *const label[256] = {
		[0 ... 255] = &&op_INVALID,
#define CBPF_LABEL(name, code, mnem, opnd, flags) [(code)] = &&op_##name,
		CBPF_OPCODES(CBPF_LABEL)
#undef CBPF_LABEL
	};
#if defined(__clang__)
#pragma clang diagnostic pop
#else
#pragma GCC diagnostic pop
#endif
#define DISPATCH() goto *label[(uint8_t)pc->code]
#else
#define DISPATCH() goto dispatch
#endif
#define NEXT()                                                                           \
	do {                                                                             \
		pc++;                                                                    \
		DISPATCH();                                                              \
	} while (0)
#define JUMP(cond)                                                                       \
	do {                                                                             \
		pc += 1 + (size_t)((cond) ? pc->jt : pc->jf);                            \
		DISPATCH();                                                              \
	} while (0)

#if CBPF_THREADED
	DISPATCH();
#else
dispatch:
	switch (pc->code) {
#define CBPF_CASE(name, code, mnem, opnd, flags)                                         \
	case (code):                                                                     \
		goto op_##name;
		CBPF_OPCODES(CBPF_CASE)
#undef CBPF_CASE
	default:
		goto op_INVALID;
	}
#endif

op_INVALID: /* unreachable for a validated program; reject rather than guess */
	return 0;

	/* ---- loads into A ---- */
op_LD_W_ABS:
	off = pc->k;
	NEED(4);
	a = cbpf_be32(pkt + off);
	NEXT();
op_LD_H_ABS:
	off = pc->k;
	NEED(2);
	a = cbpf_be16(pkt + off);
	NEXT();
op_LD_B_ABS:
	off = pc->k;
	NEED(1);
	a = pkt[off];
	NEXT();
op_LD_W_IND:
	off = (uint64_t)x + pc->k;
	NEED(4);
	a = cbpf_be32(pkt + off);
	NEXT();
op_LD_H_IND:
	off = (uint64_t)x + pc->k;
	NEED(2);
	a = cbpf_be16(pkt + off);
	NEXT();
op_LD_B_IND:
	off = (uint64_t)x + pc->k;
	NEED(1);
	a = pkt[off];
	NEXT();
op_LD_W_LEN:
	a = wirelen;
	NEXT();
op_LD_IMM:
	a = pc->k;
	NEXT();
op_LD_MEM:
	a = mem[MEMK];
	NEXT();

	/* ---- loads into X, stores ---- */
op_LDX_IMM:
	x = pc->k;
	NEXT();
op_LDX_MEM:
	x = mem[MEMK];
	NEXT();
op_LDX_W_LEN:
	x = wirelen;
	NEXT();
op_LDX_B_MSH: /* the IPv4 header length: 4 * (low nibble of [k]) */
	off = pc->k;
	NEED(1);
	x = (uint32_t)(pkt[off] & 0xf) << 2;
	NEXT();
op_ST:
	mem[MEMK] = a;
	NEXT();
op_STX:
	mem[MEMK] = x;
	NEXT();

	/* ---- arithmetic: unsigned 32-bit, wrapping ---- */
op_ADD_K:
	a += pc->k;
	NEXT();
op_SUB_K:
	a -= pc->k;
	NEXT();
op_MUL_K:
	a *= pc->k;
	NEXT();
op_DIV_K: /* k != 0: validated */
	a /= pc->k;
	NEXT();
op_MOD_K:
	a %= pc->k;
	NEXT();
op_AND_K:
	a &= pc->k;
	NEXT();
op_OR_K:
	a |= pc->k;
	NEXT();
op_XOR_K:
	a ^= pc->k;
	NEXT();
op_LSH_K: /* k < 32: validated */
	a <<= pc->k;
	NEXT();
op_RSH_K:
	a >>= pc->k;
	NEXT();
op_ADD_X:
	a += x;
	NEXT();
op_SUB_X:
	a -= x;
	NEXT();
op_MUL_X:
	a *= x;
	NEXT();
op_DIV_X:
	if (x == 0)
		return 0;
	a /= x;
	NEXT();
op_MOD_X:
	if (x == 0)
		return 0;
	a %= x;
	NEXT();
op_AND_X:
	a &= x;
	NEXT();
op_OR_X:
	a |= x;
	NEXT();
op_XOR_X:
	a ^= x;
	NEXT();
op_LSH_X: /* a C shift by >= 32 is undefined; libpcap gives 0 */
	a = x < 32 ? a << x : 0;
	NEXT();
op_RSH_X:
	a = x < 32 ? a >> x : 0;
	NEXT();
op_NEG:
	a = 0u - a;
	NEXT();

	/* ---- jumps: forward and in range, validated ---- */
op_JA:
	pc += 1 + (size_t)pc->k;
	DISPATCH();
op_JEQ_K:
	JUMP(a == pc->k);
op_JGT_K:
	JUMP(a > pc->k);
op_JGE_K:
	JUMP(a >= pc->k);
op_JSET_K:
	JUMP((a & pc->k) != 0);
op_JEQ_X:
	JUMP(a == x);
op_JGT_X:
	JUMP(a > x);
op_JGE_X:
	JUMP(a >= x);
op_JSET_X:
	JUMP((a & x) != 0);

	/* ---- the end ---- */
op_RET_K:
	return pc->k;
op_RET_A:
	return a;
op_TAX:
	x = a;
	NEXT();
op_TXA:
	a = x;
	NEXT();

#undef MEMK
#undef NEED
#undef DISPATCH
#undef NEXT
#undef JUMP
}
