/*
 * ebpfgen.c: random eBPF programs the verifier accepts (see ebpfgen.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "tests/gen/ebpfgen.h"

/* The registers a generated program computes with: not r6 (the context,
 * which LD_ABS needs there) and not r10; for tc and XDP not r8 and r9
 * either, which hold data and data_end. */
static const uint8_t eg_regs[] = {0, 1, 2, 3, 4, 5, 7, 8, 9};
#define EG_SOCKET_REGS 0x3bfu /* bits of eg_regs */
#define EG_DIRECT_REGS 0x0bfu /* without r8, r9 */
#define EG_CLOBBER 0x3eu      /* r1-r5: unreadable after LD_ABS/LD_IND */
#define EG_TEMPS 0x30u        /* r4, r5: packet pointers in a guarded load */

static const int32_t eg_imm[] = {0, 1, -1, 2, 7, 8, 14, 15, 16, 31, 32, 33, 63, 64, 0x7f, 0x80,
				 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, INT32_MAX,
				 INT32_MIN, INT32_MIN + 1, -2, -16, 0x12345678};
static const uint64_t eg_imm64[] = {0, 1, UINT64_MAX, INT64_MAX, 0x8000000000000000ull,
				    0xffffffffull, 0x100000000ull, 0x80000000ull,
				    0xffffffff80000000ull, EBPFGEN_BIG, 0x00000001000000ffull};
/* LD_ABS offsets: around the ends of short frames, and far away; never
 * in Linux's SKF_NET_OFF/SKF_LL_OFF windows, where the kernel reads the
 * network and link headers. */
static const int32_t eg_abs[] = {0, 1, 12, 13, 14, 20, 23, 30, 34, 36, 40, 46, 47, 48, 49, 50,
				 54, 60, 64, 100, 128, 1000, 1496, 1499, 1500, 65535, 65536,
				 INT32_MAX, -1, -4, -14, INT32_MIN};
static const int32_t eg_ind[] = {0, 1, 2, 14, -1, -2, -14, 30, INT32_MAX, INT32_MIN, 65535,
				 -65536};
static const uint8_t eg_alu_ops[] = {EBPF_ADD, EBPF_SUB, EBPF_MUL, EBPF_DIV, EBPF_OR,  EBPF_AND,
				     EBPF_LSH, EBPF_RSH, EBPF_MOD, EBPF_XOR, EBPF_MOV, EBPF_ARSH};
static const uint8_t eg_jmp_ops[] = {EBPF_JEQ, EBPF_JNE,  EBPF_JGT,  EBPF_JGE,  EBPF_JLT, EBPF_JLE,
				     EBPF_JSET, EBPF_JSGT, EBPF_JSGE, EBPF_JSLT, EBPF_JSLE};
static const uint8_t eg_sizes[] = {EBPF_B, EBPF_H, EBPF_W, EBPF_DW};

#define EG_PICK(r, a) (a[rng_below(r, sizeof(a) / sizeof(a[0]))])

struct eg {
	struct rng *r;
	enum ebpf_target target;
	unsigned all;        /* the registers it computes with */
	struct bpfc_ebpf_insn p[EBPFGEN_MAXP];
	size_t n, end;       /* slots so far; where the epilogue starts */
	unsigned init;       /* registers holding scalars on the way in */
	int live;            /* the previous slot falls through */
	unsigned join[EBPFGEN_MAXP + 1]; /* registers set on every jump landing there */
	uint8_t landed[EBPFGEN_MAXP + 1];
	int refusable;       /* something the verifier refuses, on purpose */
};

static int32_t
eg_imm32(struct eg *g)
{
	return rng_chance(g->r, 1, 5) ? (int32_t)rng_next(g->r) : EG_PICK(g->r, eg_imm);
}

static uint64_t
eg_imm64v(struct eg *g)
{
	return rng_chance(g->r, 1, 4) ? rng_next(g->r) : EG_PICK(g->r, eg_imm64);
}

static void
eg_emit(struct eg *g, struct bpfc_ebpf_insn i)
{
	g->p[g->n++] = i;
}

/* A register in `set` (which must not be empty). */
static uint8_t
eg_reg(struct eg *g, unsigned set)
{
	for (;;) {
		uint8_t r = EG_PICK(g->r, eg_regs);
		if (set & (1u << r))
			return r;
	}
}

static void
eg_jump_to(struct eg *g, size_t t)
{
	g->join[t] &= g->init;
	g->landed[t] = 1;
}

/* No jump lands inside the next `k` slots (after the first): a pattern
 * of k slots may go there without a join in its middle. */
static int
eg_free(const struct eg *g, size_t k)
{
	for (size_t i = 1; i < k; i++)
		if (g->landed[g->n + i])
			return 0;
	return 1;
}

/* A forward jump offset landing at most at the epilogue. */
static int16_t
eg_off(struct eg *g)
{
	size_t room = g->end - g->n; /* target n + 1 + off <= end */
	size_t off = rng_below(g->r, (uint32_t)(room < 24 ? room : 24));

	eg_jump_to(g, g->n + 1 + off);
	return (int16_t)off;
}

static void
eg_alu(struct eg *g)
{
	uint8_t op = EG_PICK(g->r, eg_alu_ops);
	int is64 = rng_chance(g->r, 1, 2), k = rng_chance(g->r, 1, 2);
	uint8_t cls = is64 ? EBPF_ALU64 : EBPF_ALU;
	uint8_t dst = eg_reg(g, op == EBPF_MOV ? g->all : g->init);
	int32_t imm = eg_imm32(g);

	if (op == EBPF_LSH || op == EBPF_RSH || op == EBPF_ARSH) {
		imm = (int32_t)rng_below(g->r, is64 ? 64 : 32);
		if (rng_chance(g->r, 1, 60)) {
			imm = is64 ? 64 : 32; /* refused: shift out of range */
			g->refusable = 1;
		}
	}
	if ((op == EBPF_DIV || op == EBPF_MOD) && imm == 0 && k) {
		if (rng_chance(g->r, 1, 4))
			g->refusable = 1; /* refused: constant division by zero */
		else
			imm = 3;
	}
	if (k)
		eg_emit(g, INS(cls | op | EBPF_K, dst, 0, 0, imm));
	else
		eg_emit(g, INS(cls | op | EBPF_X, dst, eg_reg(g, g->init), 0, 0));
	g->init |= 1u << dst;
}

static void
eg_jump(struct eg *g)
{
	uint8_t op = EG_PICK(g->r, eg_jmp_ops);
	uint8_t cls = rng_chance(g->r, 1, 2) ? EBPF_JMP : EBPF_JMP32;
	uint8_t dst = eg_reg(g, g->init);

	if (rng_chance(g->r, 1, 2))
		eg_emit(g, INS(cls | op | EBPF_K, dst, 0, eg_off(g), eg_imm32(g)));
	else
		eg_emit(g, INS(cls | op | EBPF_X, dst, eg_reg(g, g->init), eg_off(g), 0));
}

/* `if r != r goto +1; exit|goto +k`: an early end, or a skip, that the
 * next slot is still reached after. */
static void
eg_leave(struct eg *g)
{
	uint8_t dst = eg_reg(g, g->init);

	if (!eg_free(g, 2)) {
		eg_alu(g);
		return;
	}
	eg_emit(g, INS(EBPF_JMP | EBPF_JNE | EBPF_X, dst, eg_reg(g, g->init), 1, 0));
	eg_jump_to(g, g->n + 1);
	if (rng_chance(g->r, 1, 2))
		eg_emit(g, E(EXIT()));
	else
		eg_emit(g, E(JA(eg_off(g))));
	g->live = 0;
}

static void
eg_stack(struct eg *g)
{
	uint8_t sz = EG_PICK(g->r, eg_sizes);
	int size = sz == EBPF_B ? 1 : sz == EBPF_H ? 2 : sz == EBPF_W ? 4 : 8;
	int16_t off = (int16_t)(-8 * (int)(1 + rng_below(g->r, 8)) +
				size * (int)rng_below(g->r, (uint32_t)(8 / size)));

	switch (rng_below(g->r, 3)) {
	case 0:
		eg_emit(g, E(STX(sz, 10, eg_reg(g, g->init), off)));
		break;
	case 1:
		eg_emit(g, E(ST(sz, 10, off, eg_imm32(g))));
		break;
	default: {
		uint8_t dst = eg_reg(g, g->all);
		eg_emit(g, E(LDX(sz, dst, 10, off)));
		g->init |= 1u << dst;
	}
	}
}

/* tc, XDP: a packet load behind a guard against data_end, at a constant
 * offset from data or at a bounded register's; the guard jumps over the
 * load, so its destination must already be set. */
static void
eg_pktload(struct eg *g)
{
	static const int32_t masks[] = {0xff, 0x3f, 0x7ff};
	uint8_t sz = EG_PICK(g->r, eg_sizes), dst = eg_reg(g, g->init & ~EG_TEMPS);
	int32_t size = sz == EBPF_B ? 1 : sz == EBPF_H ? 2 : sz == EBPF_W ? 4 : 8;
	int32_t k = size + (int32_t)rng_below(g->r, 100);
	int32_t off = (int32_t)rng_below(g->r, (uint32_t)(k - size + 1));

	if (!eg_free(g, 8) || g->end - g->n < 8) {
		eg_alu(g);
		return;
	}
	if (rng_chance(g->r, 1, 2)) {
		eg_emit(g, E(MOV64X(4, 8)));
	} else { /* r4 = data + (rS & mask) */
		eg_emit(g, E(MOV64X(5, eg_reg(g, g->init & ~EG_TEMPS))));
		eg_emit(g, E(A32K(EBPF_AND, 5, EG_PICK(g->r, masks))));
		eg_emit(g, E(MOV64X(4, 8)));
		eg_emit(g, E(A64X(EBPF_ADD, 4, 5)));
	}
	eg_emit(g, E(MOV64X(5, 4)));
	eg_emit(g, E(A64K(EBPF_ADD, 5, k)));
	g->init &= ~EG_TEMPS;
	eg_emit(g, E(J64X(EBPF_JGT, 5, 9, 1)));
	eg_jump_to(g, g->n + 1);
	eg_emit(g, E(LDX(sz, dst, 4, off)));
}

/* LD_IND's register, first bounded so that src + imm stays out of the
 * SKF windows whatever the random values were. */
static void
eg_ldind(struct eg *g)
{
	static const int32_t masks[] = {0xff, 0x3f, 0x7ff, 0xffff};
	uint8_t s = eg_reg(g, g->all), sz = EG_PICK(g->r, eg_sizes);

	if (g->target == EBPF_TARGET_XDP) { /* no legacy loads in XDP */
		eg_pktload(g);
		return;
	}
	if (!eg_free(g, 3)) {
		eg_alu(g);
		return;
	}
	switch (rng_below(g->r, 5)) {
	case 0:
	case 1:
		if (g->init & (1u << s)) {
			eg_emit(g, E(A32K(EBPF_AND, s, EG_PICK(g->r, masks))));
			break;
		} /* fall through */
	case 2:
		eg_emit(g, E(MOV64K(s, (int32_t)rng_below(g->r, 216) - 16)));
		break;
	case 3:
		eg_emit(g, E(MOV32K(s, -1)));
		break;
	default:
		eg_emit(g, INS(EBPF_LD | EBPF_IMM | EBPF_DW, s, 0, 0,
			       (int32_t)rng_below(g->r, 80)));
		eg_emit(g, INS(0, 0, 0, 0, (int32_t)(1 + rng_below(g->r, 3))));
	}
	eg_emit(g, E(LDIND(sz == EBPF_DW ? EBPF_W : sz, s, rng_chance(g->r, 1, 3)
							   ? (int32_t)rng_below(g->r, 64)
							   : EG_PICK(g->r, eg_ind))));
	g->init = (g->init & ~EG_CLOBBER) | 1u;
}

static void
eg_misc(struct eg *g)
{
	uint8_t dst = eg_reg(g, g->all);
	uint64_t v;

	switch (rng_below(g->r, 5)) {
	case 0: /* __sk_buff.len, whole or narrow; XDP's data_end - data */
		if (g->target == EBPF_TARGET_XDP) {
			if (!eg_free(g, 2) || g->n + 2 > g->end) {
				eg_alu(g);
				return;
			}
			eg_emit(g, E(MOV64X(dst, 9)));
			eg_emit(g, E(A64X(EBPF_SUB, dst, 8)));
			g->init |= 1u << dst;
			break;
		}
		switch (rng_below(g->r, 3)) {
		case 0:
			eg_emit(g, E(LDX(EBPF_W, dst, 6, 0)));
			break;
		case 1:
			eg_emit(g, E(LDX(EBPF_H, dst, 6, 2 * (int)rng_below(g->r, 2))));
			break;
		default:
			eg_emit(g, E(LDX(EBPF_B, dst, 6, (int)rng_below(g->r, 4))));
		}
		g->init |= 1u << dst;
		break;
	case 1: {
		uint8_t sz = EG_PICK(g->r, eg_sizes);
		if (g->target == EBPF_TARGET_XDP) {
			eg_pktload(g);
			break;
		}
		eg_emit(g, E(LDABS(sz == EBPF_DW ? EBPF_B : sz,
				 rng_chance(g->r, 1, 3) ? (int32_t)rng_below(g->r, 200)
							: EG_PICK(g->r, eg_abs))));
		g->init = (g->init & ~EG_CLOBBER) | 1u;
		break;
	}
	case 2: /* END: the verifier takes 16, 32, 64 */
		if (g->init & (1u << dst)) {
			static const int bits[] = {16, 32, 64};
			eg_emit(g, E(ENDI(rng_chance(g->r, 1, 2), dst, EG_PICK(g->r, bits))));
		} else {
			eg_emit(g, E(MOV32K(dst, eg_imm32(g))));
			g->init |= 1u << dst;
		}
		break;
	case 3:
		if (g->init & (1u << dst)) {
			uint8_t cls = rng_chance(g->r, 1, 2) ? EBPF_ALU64 : EBPF_ALU;
			eg_emit(g, INS(cls | EBPF_NEG, dst, 0, 0, 0));
			break;
		} /* fall through */
	default: /* a 64-bit immediate, unless a jump lands on its second slot */
		if (!eg_free(g, 2) || g->n + 2 > g->end) {
			eg_emit(g, E(MOV64K(dst, eg_imm32(g))));
		} else {
			v = eg_imm64v(g);
			eg_emit(g, INS(EBPF_LD | EBPF_IMM | EBPF_DW, dst, 0, 0, (uint32_t)v));
			eg_emit(g, INS(0, 0, 0, 0, (uint32_t)(v >> 32)));
		}
		g->init |= 1u << dst;
	}
}

/* Registers and stack written first (the verifier reads nothing unset). */
static void
eg_prologue(struct eg *g)
{
	eg_emit(g, E(MOV64X(6, 1)));
	if (g->target != EBPF_TARGET_SOCKET) { /* r8 = data, r9 = data_end */
		int xdp = g->target == EBPF_TARGET_XDP;
		eg_emit(g, E(LDX(EBPF_W, 8, 6, xdp ? 0 : 76)));
		eg_emit(g, E(LDX(EBPF_W, 9, 6, xdp ? 4 : 80)));
	}
	for (size_t i = 0; i < sizeof(eg_regs); i++) {
		uint8_t r = eg_regs[i];
		uint64_t v = eg_imm64v(g);
		if (!(g->all & (1u << r)))
			continue;
		switch (rng_below(g->r, 3)) {
		case 0:
			eg_emit(g, E(MOV64K(r, eg_imm32(g))));
			break;
		case 1:
			eg_emit(g, E(MOV32K(r, eg_imm32(g))));
			break;
		default:
			eg_emit(g, INS(EBPF_LD | EBPF_IMM | EBPF_DW, r, 0, 0, (uint32_t)v));
			eg_emit(g, INS(0, 0, 0, 0, (uint32_t)(v >> 32)));
		}
	}
	for (int k = 1; k <= 8; k++) {
		if (rng_chance(g->r, 1, 2))
			eg_emit(g, E(STX(EBPF_DW, 10, eg_reg(g, g->all), -8 * k)));
		else
			eg_emit(g, E(ST(EBPF_DW, 10, -8 * k, eg_imm32(g))));
	}
	g->init = g->all;
}

/* Fold every register still set and every stack slot into r0, high half
 * into the low one (a test run reports 32 bits), and exit. */
static void
eg_epilogue(struct eg *g)
{
	if (g->landed[g->n])
		g->init = (g->live ? g->init : g->all) & g->join[g->n];
	for (size_t i = 1; i < sizeof(eg_regs); i++)
		if (g->init & (1u << eg_regs[i]))
			eg_emit(g, E(A64X(EBPF_XOR, 0, eg_regs[i])));
	for (int k = 1; k <= 8; k++) {
		eg_emit(g, E(LDX(EBPF_DW, 1, 10, -8 * k)));
		eg_emit(g, E(A64X(rng_chance(g->r, 1, 2) ? EBPF_XOR : EBPF_ADD, 0, 1)));
	}
	eg_emit(g, E(MOV64X(1, 0)));
	eg_emit(g, E(A64K(EBPF_RSH, 1, 32)));
	eg_emit(g, E(A64X(EBPF_XOR, 0, 1)));
	eg_emit(g, E(EXIT()));
}

size_t
ebpfgen_program(struct rng *r, enum ebpf_target target, struct bpfc_ebpf_insn *out,
		int *refusable)
{
	struct eg *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return 0;
	g->r = r;
	g->target = target;
	g->all = target == EBPF_TARGET_SOCKET ? EG_SOCKET_REGS : EG_DIRECT_REGS;
	for (size_t i = 0; i <= EBPFGEN_MAXP; i++)
		g->join[i] = g->all;
	eg_prologue(g);
	g->live = 1;
	g->end = g->n + 6 + rng_below(r, 50);
	while (g->n < g->end) {
		if (g->landed[g->n])
			g->init = (g->live ? g->init : g->all) & g->join[g->n];
		g->live = 1;
		uint32_t what = rng_below(r, 100), room = (uint32_t)(g->end - g->n);
		if (what < 40 || room < 3)
			eg_alu(g);
		else if (what < 58)
			eg_jump(g);
		else if (what < 62)
			eg_leave(g);
		else if (what < 74)
			eg_stack(g);
		else if (what < 80)
			eg_ldind(g);
		else if (what < 88 && target != EBPF_TARGET_SOCKET)
			eg_pktload(g);
		else
			eg_misc(g);
	}
	eg_epilogue(g);
	memcpy(out, g->p, g->n * sizeof(*out));
	*refusable = g->refusable;
	size_t n = g->n;
	free(g);
	return n;
}

uint32_t
ebpfgen_frame(struct rng *r, uint8_t *f)
{
	uint32_t len = rng_chance(r, 1, 8) ? 14 + rng_below(r, EBPFGEN_FRAME - 14)
					   : 14 + rng_below(r, 110);

	for (uint32_t i = 0; i < len; i++)
		f[i] = (uint8_t)rng_next(r);
	if (rng_chance(r, 1, 2)) { /* small values where loads meet them */
		for (uint32_t i = 0; i < len; i += 1 + rng_below(r, 6))
			f[i] = (uint8_t)rng_below(r, 4);
	}
	/* Linux 6.18's skb test run refuses (EINVAL) an IPv4 frame shorter
	 * than 14 + 20 bytes and an IPv6 one shorter than 14 + 40 (found
	 * here, by a random frame): keep short frames of other types. */
	if (len < 54 && ((f[12] == 0x08 && f[13] == 0x00) || (f[12] == 0x86 && f[13] == 0xdd)))
		f[12] = 0x09;
	return len;
}

