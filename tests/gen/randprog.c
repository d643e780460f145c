/*
 * randprog.c: random valid classic BPF programs, and packets to run them on.
 *
 * Takes a seeded struct rng; gives programs that the Linux kernel's rules
 * (and so cbpf_validate and libpcap's bpf_validate) accept, and packets.
 *
 * Programs are built front to back.  Because every jump goes forward, all
 * the predecessors of an instruction exist by the time it is generated, so
 * the set of scratch words written on every path into it is known exactly
 * when a `ld M[k]` is chosen.  That set is tracked the way the kernel's
 * check_load_and_stores() does (a jump ANDs its state into its targets; a
 * return falls through) and is further emptied in code nothing reaches,
 * so a validator that is as strict as the kernel, or stricter about dead
 * code, accepts every program.
 *
 * Half of the instructions are drawn uniformly from the opcode table (so
 * every op shows up), the rest come from idioms aimed at the edges of
 * bpf_filter's semantics: X = 0 before div/mod, X near 32 before shifts,
 * X + k wrapping past 2^32, the IPv4 header-length walk, diamonds that write
 * M[k] on both arms before reading it.  Operands lean toward edges:
 * offsets near the end of typical packets, near 65535 and just below
 * 0xffe00000, X near 2^32 - 1 before [x + k], constants with the top bit
 * set, jumps of 0 and of the maximum.
 *
 * Packet loads never use k at or above SKF_LL_OFF (0xffe00000): those
 * name Linux's link-layer, network-layer and ancillary areas, which the
 * validator refuses.  X + k still overflows 32 bits, by way of a large X.
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bpfc.h"
#include "cbpf/opcodes.h"
#include "tests/gen/randprog.h"
#include "tests/gen/rng.h"

/* Longest program made, whatever `max` says: the kernel's limit. */
#define RP_MAXLEN BPFC_MAX_INSNS_DEFAULT
/* Absolute offsets at or above this are Linux's special areas. */
#define RP_SKF_LL_OFF 0xffe00000u
/* In in_mask[]: some live instruction jumps here. */
#define RP_LIVE 0x10000u

/* The table again, as data this file owns (no link-time dependence on the
 * library's copy). */
struct rp_op {
	uint16_t code;
	enum cbpf_operand operand;
	unsigned flags;
};

static const struct rp_op rp_ops[] = {
#define RP_OP(name, code, mnem, opnd, flags) {(code), (opnd), (flags)},
	CBPF_OPCODES(RP_OP)
#undef RP_OP
};
#define RP_NOPS (sizeof(rp_ops) / sizeof(rp_ops[0]))

struct rp_gen {
	struct rng *r;
	struct bpfc_insn *out;
	size_t n;         /* program length */
	size_t pc;        /* next instruction to fill */
	uint16_t valid;   /* M words written on every path, kernel-style */
	int live_fall;    /* the previous instruction is live and falls through */
	uint16_t pick;    /* words `ld M[k]` may read at pc */
	uint32_t in_mask[RP_MAXLEN]; /* AND of states jumped in, | RP_LIVE */
};

/* ---- operand values ---------------------------------------------------- */

/* A 32-bit constant, mostly an edge: 0, 1, 31..33, 2^31 +- 1, 2^32 - 1... */
static uint32_t
rp_const(struct rng *r)
{
	static const uint32_t edge[] = {
		0, 1, 2, 3, 4, 7, 8, 14, 15, 16, 31, 32, 33, 63, 64, 255, 256,
		0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000u, 0x80000001u,
		0xfffffffeu, 0xffffffffu, 0x0800, 0x86dd, 0x0806, 0x8100, 6, 17, 0x1fff,
		0x45, 0xf0, 0x0f,
	};
	switch (rng_below(r, 6)) {
	case 0:
	case 1:
		return edge[rng_below(r, sizeof(edge) / sizeof(edge[0]))];
	case 2:
		return rng_below(r, 256);
	case 3:
		return 1u << rng_below(r, 32);
	case 4:
		return 0u - (1 + rng_below(r, 16));
	default:
		return (uint32_t)rng_next(r);
	}
}

static uint32_t
rp_nonzero(struct rng *r)
{
	uint32_t k = rp_const(r);
	return k != 0 ? k : 1 + rng_below(r, 0xfffffffeu);
}

/* A shift count below 32, often 0, 1, 30 or 31. */
static uint32_t
rp_shift(struct rng *r)
{
	static const uint32_t edge[] = {0, 1, 2, 8, 16, 24, 30, 31};
	return rng_chance(r, 1, 2) ? edge[rng_below(r, 8)] : rng_below(r, 32);
}

/* An offset for an absolute load or ldxb: mostly inside or just past a
 * typical packet; sometimes near 65535 or as high as the validator allows. */
static uint32_t
rp_abs_offset(struct rng *r)
{
	uint32_t v = rng_below(r, 100);

	if (v < 55)
		return rng_below(r, 44);
	if (v < 80)
		return 40 + rng_below(r, 100);
	if (v < 88)
		return rng_below(r, 1600);
	if (v < 93)
		return 65531 + rng_below(r, 10);
	if (v < 96)
		return RP_SKF_LL_OFF - 1 - rng_below(r, 8);
	return rng_below(r, RP_SKF_LL_OFF);
}

/* An offset for [x + k]: like an absolute one, or anything below the
 * Linux area.  (X + k overflowing 32 bits comes from a large X: the
 * validator refuses k >= SKF_LL_OFF here too.) */
static uint32_t
rp_ind_offset(struct rng *r)
{
	if (rng_chance(r, 4, 5))
		return rp_abs_offset(r);
	if (rng_chance(r, 1, 2))
		return RP_SKF_LL_OFF - 1 - rng_below(r, 64);
	return rng_below(r, RP_SKF_LL_OFF);
}

/* A jump distance in [0, max], 0 and max a quarter of the time each. */
static uint32_t
rp_dist(struct rng *r, uint32_t max)
{
	uint32_t v = rng_below(r, 4);

	if (v == 0 || max == 0)
		return 0;
	if (v == 1)
		return max;
	if (v == 2)
		return rng_below(r, (max < 4 ? max : 4) + 1);
	return rng_below(r, max + 1);
}

/* ---- emitting ------------------------------------------------------------ */

/* Instructions left before the final return. */
static size_t
rp_room(const struct rp_gen *g)
{
	return g->n - 1 - g->pc;
}

/* Work out what position g->pc inherits: kernel-style state, and whether
 * anything live reaches it. */
static void
rp_enter(struct rp_gen *g)
{
	uint32_t in = g->in_mask[g->pc];
	int live = g->live_fall || (in & RP_LIVE) != 0;

	g->valid &= (uint16_t)in;
	g->pick = live ? g->valid : 0;
	g->live_fall = live;
}

static void
rp_target(struct rp_gen *g, size_t t)
{
	g->in_mask[t] &= (uint32_t)g->valid | RP_LIVE;
	if (g->live_fall)
		g->in_mask[t] |= RP_LIVE;
}

/* Append one instruction at g->pc and update the path state. */
static void
rp_emit(struct rp_gen *g, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	struct bpfc_insn *i = &g->out[g->pc];

	rp_enter(g);
	i->code = code;
	i->jt = jt;
	i->jf = jf;
	i->k = k;
	switch (CBPF_CLASS(code)) {
	case CBPF_ST:
	case CBPF_STX:
		g->valid |= (uint16_t)(1u << k);
		break;
	case CBPF_JMP:
		if (code == (CBPF_JMP | CBPF_JA)) {
			rp_target(g, g->pc + 1 + k);
		} else {
			rp_target(g, g->pc + 1 + jt);
			rp_target(g, g->pc + 1 + jf);
		}
		g->valid = 0xffff;
		g->live_fall = 0;
		break;
	case CBPF_RET:
		g->live_fall = 0; /* the kernel keeps `valid` across a return */
		break;
	default:
		break;
	}
	g->pc++;
}

static void
rp_stmt(struct rp_gen *g, uint16_t code, uint32_t k)
{
	rp_emit(g, code, 0, 0, k);
}

/* A word that is written on every path here, or -1. */
static int
rp_written_word(struct rp_gen *g)
{
	uint16_t m;
	unsigned nbits, pick;

	rp_enter(g); /* idempotent: in_mask[pc] is final by now */
	m = g->pick;
	nbits = 0;
	for (int w = 0; w < CBPF_MEMWORDS; w++)
		nbits += m >> w & 1;
	if (nbits == 0)
		return -1;
	pick = rng_below(g->r, nbits);
	for (int w = 0; w < CBPF_MEMWORDS; w++)
		if ((m >> w & 1) && pick-- == 0)
			return w;
	return -1;
}

/* ---- one instruction drawn from the table -------------------------------- */

static uint32_t
rp_operand_k(struct rp_gen *g, const struct rp_op *op)
{
	struct rng *r = g->r;

	if (op->flags & CBPF_F_NONZK)
		return rp_nonzero(r);
	if (op->flags & CBPF_F_SHIFTK)
		return rp_shift(r);
	switch (op->operand) {
	case CBPF_OPND_ABS:
	case CBPF_OPND_MSH:
		return rp_abs_offset(r);
	case CBPF_OPND_IND:
		return rp_ind_offset(r);
	case CBPF_OPND_IMM:
	case CBPF_OPND_DEC:
	case CBPF_OPND_HEX:
	case CBPF_OPND_JK:
	case CBPF_OPND_RETK:
		return rp_const(r);
	default:
		return 0;
	}
}

/* Emit op `o`; returns 0, or -1 when it cannot go here (a read of M with
 * nothing written yet). */
static int
rp_from_table(struct rp_gen *g, const struct rp_op *op)
{
	uint32_t k = rp_operand_k(g, op);
	uint32_t max = (uint32_t)rp_room(g) - 1; /* longest jump from g->pc */

	if (op->flags & CBPF_F_MEMRD) {
		int w = rp_written_word(g);
		if (w < 0)
			return -1;
		k = (uint32_t)w;
	} else if (op->flags & CBPF_F_MEMWR) {
		k = rng_below(g->r, CBPF_MEMWORDS);
	} else if (op->flags & CBPF_F_JA) {
		k = rp_dist(g->r, max);
	}
	if (op->flags & CBPF_F_COND) {
		uint32_t m = max < 255 ? max : 255;
		uint8_t jt = (uint8_t)rp_dist(g->r, m);
		uint8_t jf = rng_chance(g->r, 1, 8) ? jt : (uint8_t)rp_dist(g->r, m);
		rp_emit(g, op->code, jt, jf, k);
		return 0;
	}
	rp_stmt(g, op->code, k);
	return 0;
}

/* ---- idioms aimed at edges ------------------------------------------------- */

/* Set X to `v` in one of the ways a program can. */
static void
rp_set_x(struct rp_gen *g, uint32_t v)
{
	if (rng_chance(g->r, 1, 2)) {
		rp_stmt(g, CBPF_LDX | CBPF_IMM, v);
	} else {
		rp_stmt(g, CBPF_LD | CBPF_IMM, v);
		rp_stmt(g, CBPF_MISC | CBPF_TAX, 0);
	}
}

/* X = 0 (or 1, or huge), then div or mod by X. */
static void
rp_idiom_divx(struct rp_gen *g)
{
	static const uint32_t xs[] = {0, 0, 0, 1, 2, 0xffffffffu, 0x80000000u};
	uint16_t op = rng_chance(g->r, 1, 2) ? CBPF_DIV : CBPF_MOD;

	rp_set_x(g, xs[rng_below(g->r, sizeof(xs) / sizeof(xs[0]))]);
	rp_stmt(g, CBPF_ALU | op | CBPF_X, 0);
}

/* X near 32 (or far above it), then a shift by X. */
static void
rp_idiom_shiftx(struct rp_gen *g)
{
	static const uint32_t xs[] = {0, 1, 30, 31, 32, 33, 34, 63, 64, 65, 255, 256,
				      0x7fffffff, 0x80000000u, 0xffffffffu};
	uint16_t op = rng_chance(g->r, 1, 2) ? CBPF_LSH : CBPF_RSH;

	rp_set_x(g, xs[rng_below(g->r, sizeof(xs) / sizeof(xs[0]))]);
	rp_stmt(g, CBPF_ALU | op | CBPF_X, 0);
}

/* X = 2^32 - d, then [x + k] with k = d + s: the sum wraps to s, a valid
 * offset that must still be refused. */
static void
rp_idiom_wrap(struct rp_gen *g)
{
	static const uint16_t size[] = {CBPF_W, CBPF_H, CBPF_B};
	uint32_t d = 1 + rng_below(g->r, 8), s = rng_below(g->r, 20);

	if (rng_chance(g->r, 1, 4)) {
		/* X = -d computed by neg */
		rp_stmt(g, CBPF_LD | CBPF_IMM, d);
		rp_stmt(g, CBPF_ALU | CBPF_NEG, 0);
		rp_stmt(g, CBPF_MISC | CBPF_TAX, 0);
	} else {
		rp_set_x(g, 0u - d);
	}
	rp_stmt(g, CBPF_LD | size[rng_below(g->r, 3)] | CBPF_IND, d + s);
}

/* The IPv4 walk: X = 4 * (IHL at [14 or so]), then loads past it. */
static void
rp_idiom_ihl(struct rp_gen *g)
{
	static const uint16_t size[] = {CBPF_W, CBPF_H, CBPF_B};
	uint32_t base = rng_chance(g->r, 3, 4) ? 14 : rng_below(g->r, 40);

	rp_stmt(g, CBPF_LDX | CBPF_B | CBPF_MSH, base);
	rp_stmt(g, CBPF_LD | size[rng_below(g->r, 3)] | CBPF_IND, base + rng_below(g->r, 24));
}

/* A diamond: both arms write M[w], the join reads it. */
static void
rp_idiom_diamond(struct rp_gen *g)
{
	static const uint16_t jop[] = {CBPF_JEQ, CBPF_JGT, CBPF_JGE, CBPF_JSET};
	uint32_t w = rng_below(g->r, CBPF_MEMWORDS);
	uint16_t src = rng_chance(g->r, 1, 2) ? CBPF_K : CBPF_X;

	/* jcond: true -> st, ja over the false arm; false -> stx */
	rp_emit(g, CBPF_JMP | jop[rng_below(g->r, 4)] | src, 0, 2, rp_const(g->r));
	rp_stmt(g, CBPF_ST, w);
	rp_stmt(g, CBPF_JMP | CBPF_JA, 1);
	rp_stmt(g, CBPF_STX, w);
	/* An earlier jump into the join may come from a path without M[w]. */
	rp_enter(g);
	if (!(g->pick >> w & 1))
		rp_stmt(g, CBPF_MISC | CBPF_TAX, 0);
	else
		rp_stmt(g, rng_chance(g->r, 1, 2) ? CBPF_LD | CBPF_MEM : CBPF_LDX | CBPF_MEM, w);
}

/* NEG of 0 or 2^31, or an ALU op on an edge constant. */
static void
rp_idiom_neg(struct rp_gen *g)
{
	static const uint32_t as[] = {0, 0x80000000u, 1, 0xffffffffu, 0x7fffffffu};

	rp_stmt(g, CBPF_LD | CBPF_IMM, as[rng_below(g->r, 5)]);
	rp_stmt(g, CBPF_ALU | CBPF_NEG, 0);
}

struct rp_idiom {
	size_t len;
	void (*emit)(struct rp_gen *g);
};

static const struct rp_idiom rp_idioms[] = {
	{3, rp_idiom_divx}, {3, rp_idiom_shiftx}, {4, rp_idiom_wrap},
	{2, rp_idiom_ihl},  {5, rp_idiom_diamond}, {2, rp_idiom_neg},
};

/* ---- programs ---------------------------------------------------------------- */

/* A length in [2, max], spread over the orders of magnitude. */
static size_t
rp_length(struct rng *r, size_t max)
{
	size_t cap = 2;

	while (cap < max && rng_chance(r, 3, 4))
		cap *= 2;
	if (cap > max)
		cap = max;
	return 2 + rng_below(r, (uint32_t)(cap - 1));
}

static void
rp_step(struct rp_gen *g)
{
	if (rng_chance(g->r, 1, 3)) {
		const struct rp_idiom *id =
			&rp_idioms[rng_below(g->r, sizeof(rp_idioms) / sizeof(rp_idioms[0]))];
		if (id->len <= rp_room(g)) {
			id->emit(g);
			return;
		}
	}
	for (;;) {
		const struct rp_op *op = &rp_ops[rng_below(g->r, RP_NOPS)];
		/* A return mid-program ends the path; keep them rarer. */
		if ((op->flags & CBPF_F_RET) && rng_chance(g->r, 2, 3))
			continue;
		if (rp_from_table(g, op) == 0)
			return;
	}
}

size_t
randprog_valid(struct rng *r, struct bpfc_insn *out, size_t max)
{
	struct rp_gen g;

	if (max > RP_MAXLEN)
		max = RP_MAXLEN;
	g.r = r;
	g.out = out;
	g.n = rp_length(r, max);
	g.pc = 0;
	g.pick = 0;
	g.valid = 0;
	g.live_fall = 1;
	for (size_t i = 0; i < g.n; i++)
		g.in_mask[i] = 0xffff;
	while (g.pc < g.n - 1)
		rp_step(&g);
	if (rng_chance(r, 1, 2))
		rp_stmt(&g, CBPF_RET | CBPF_A, 0);
	else
		rp_stmt(&g, CBPF_RET | CBPF_K, rp_const(r));
	return g.n;
}

/* ---- packets ------------------------------------------------------------------- */

static void
rp_fill(struct rng *r, uint8_t *p, uint32_t n)
{
	while (n >= 8) {
		uint64_t v = rng_next(r);
		memcpy(p, &v, 8);
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		uint64_t v = rng_next(r);
		memcpy(p, &v, n);
	}
}

static void
rp_put16(uint8_t *p, uint32_t at, uint32_t len, uint32_t v)
{
	if (at + 2 <= len) {
		p[at] = (uint8_t)(v >> 8);
		p[at + 1] = (uint8_t)v;
	}
}

static void
rp_put8(uint8_t *p, uint32_t at, uint32_t len, uint32_t v)
{
	if (at < len)
		p[at] = (uint8_t)v;
}

/* Shape the start of random bytes like Ethernet + IPv4/IPv6 + TCP/UDP;
 * returns the header length it aimed for (fields past `len` are skipped). */
static uint32_t
rp_shape(struct rng *r, uint8_t *p, uint32_t len)
{
	static const uint8_t proto[] = {6, 17, 1, 58, 132, 0, 44, 2};
	uint32_t l3 = 14, l4;
	uint8_t nh = proto[rng_below(r, sizeof(proto))];

	if (rng_chance(r, 1, 6)) { /* one 802.1Q tag */
		rp_put16(p, 12, len, 0x8100);
		l3 = 18;
	}
	if (rng_chance(r, 2, 3)) {
		uint32_t ihl = rng_chance(r, 3, 4) ? 5 + rng_below(r, 3) : rng_below(r, 16);
		rp_put16(p, l3 - 2, len, 0x0800);
		rp_put8(p, l3, len, 0x40 | ihl);
		rp_put16(p, l3 + 2, len, 20 + rng_below(r, 1500));
		rp_put16(p, l3 + 6, len, rng_chance(r, 3, 4) ? 0x4000 : rng_below(r, 0x10000));
		rp_put8(p, l3 + 9, len, nh);
		l4 = l3 + 4 * ihl;
	} else {
		rp_put16(p, l3 - 2, len, 0x86dd);
		rp_put8(p, l3, len, 0x60 | rng_below(r, 16));
		rp_put16(p, l3 + 4, len, rng_below(r, 1500));
		rp_put8(p, l3 + 6, len, nh);
		l4 = l3 + 40;
	}
	if (rng_chance(r, 1, 2)) { /* well-known ports */
		static const uint16_t port[] = {80, 443, 53, 22, 123, 0, 65535};
		rp_put16(p, l4, len, port[rng_below(r, 7)]);
		rp_put16(p, l4 + 2, len, port[rng_below(r, 7)]);
	}
	return l4 + 20;
}

void
randprog_packet(struct rng *r, uint8_t *pkt, uint32_t max, uint32_t *caplen, uint32_t *wirelen)
{
	uint32_t len, v = rng_below(r, 100);

	if (v < 10)
		len = rng_below(r, 8);
	else if (v < 50)
		len = rng_below(r, 80);
	else if (v < 85)
		len = 40 + rng_below(r, 160);
	else
		len = rng_below(r, 1600);
	if (rng_chance(r, 1, 50))
		len = max;
	if (len > max)
		len = max;
	rp_fill(r, pkt, len);
	if (rng_chance(r, 3, 5)) {
		uint32_t want = rp_shape(r, pkt, len);
		/* Often end the capture right around the headers. */
		if (rng_chance(r, 1, 3) && want + 8 < len)
			len = want - 8 + rng_below(r, 16);
	}
	*caplen = len;
	v = rng_below(r, 100);
	if (v < 45)
		*wirelen = len;
	else if (v < 80)
		*wirelen = len + 1 + rng_below(r, 1500);
	else if (v < 95)
		*wirelen = len + rng_below(r, 65536);
	else {
		uint32_t any = (uint32_t)rng_next(r);
		*wirelen = any >= len ? any : len;
	}
}
