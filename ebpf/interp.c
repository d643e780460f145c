/*
 * interp.c: the eBPF interpreter.
 *
 * Takes a program (normally one ebpf_from_cbpf returned, but any
 * instructions at all) and one packet: `caplen` captured bytes at `pkt`
 * of a `wirelen`-byte packet.  Gives what the program returns in r0: the
 * cBPF's value for the socket target, the XDP or tc action for the others.
 *
 * Semantics are the Linux kernel's (kernel/bpf/core.c ___bpf_prog_run, the
 * verifier's rewrites in kernel/bpf/verifier.c do_misc_fixups and the
 * packet-load helpers of net/core/filter.c), so that a program gives here
 * what it gives in the kernel:
 *
 *   - 32-bit ALU operations work on the low halves and zero-extend the
 *     result; immediates of 64-bit operations and jumps are sign-extended;
 *   - shift amounts are masked to 6 bits (64-bit) or 5 bits (32-bit), as
 *     the kernel's interpreter masks register shifts (the verifier refuses
 *     constant shifts out of range; masking them too keeps C defined);
 *   - division by a zero divisor gives 0; modulo by zero leaves dst as it
 *     is, zero-extended in the 32-bit form (the verifier's chk_and_div and
 *     chk_and_mod patches); a divisor of 0 in the K form, which the
 *     verifier refuses, gets the same rule;
 *   - END be/le 16/32/64 convert between host and that byte order, so
 *     that a host-order load followed by `be16` reads network order on any
 *     host, as in the kernel; 16 and 32 zero-extend;
 *   - JMP32 compares the low 32 bits; the s-comparisons are signed;
 *   - the legacy LD_ABS/LD_IND: the offset is imm, or src + imm computed
 *     in 64 bits and then cut to a signed 32-bit int (the kernel's
 *     bpf_gen_ld_abs passes it to an `int offset` helper).  A negative
 *     offset, or bytes [offset, offset + size) not all inside the capture,
 *     ends the program returning 0 (the helper's -EFAULT path).  The value
 *     is big-endian and zero-extended into r0.  The kernel clobbers r1-r5
 *     here; this interpreter leaves them, and the verifier stops programs
 *     from reading them.  Linux gives negative offsets from SKF_NET_OFF and
 *     SKF_LL_OFF a meaning (the network and link headers); bpfc has no such
 *     headers outside the packet, and cbpf_validate refuses them anyway.
 *
 * Memory: r10 points just past a 512-byte stack and r1 at the context.
 * Registers hold real addresses, and every LDX, ST and STX is checked
 * against the three regions a program may touch: the stack (read and
 * write), the packet [pkt, pkt + caplen) (read only) and the context
 * (read only, field by field).  The context is struct __sk_buff for the
 * socket and tc targets, struct xdp_md for XDP, and only these fields
 * exist (everything else is invalid):
 *
 *   socket, tc  len (offset 0, u32; narrow loads too) = wirelen, cBPF's
 *               `len`, while packet loads are bounded by caplen;
 *   tc          data, data_end, data_meta (u32 loads) = pkt, pkt + caplen,
 *               pkt;
 *   xdp         data, data_end, data_meta (u32 loads) = pkt, pkt + caplen,
 *               pkt.
 *
 * So the tc packet is an skb whose linear part is the capture and whose
 * skb->len is the wire length; its one helper, bpf_skb_pull_data (which
 * the tc lowering calls to make a nonlinear skb linear), succeeds up to
 * caplen bytes and fails with -ENOMEM beyond, as the kernel's does past
 * the bytes it has, leaving data and data_end where they were.
 *
 * The UAPI declares data and data_end as 32-bit fields, and the kernel
 * rewrites their loads into loads of 64-bit pointers; so a 32-bit load
 * here yields the full address.
 *
 * What ends the program returning 0: an access outside those regions, a
 * store to the packet or the context, a code not in ebpf/opcodes.h, a
 * reserved form (MOV with a sign-extension offset, signed DIV/MOD, END of
 * another width, a 64-bit immediate load with a pseudo source), a call of
 * any other helper or on another target, a jump outside the program, a
 * last instruction that is not `exit` or `goto`, and running past
 * EBPF_INTERP_MAX_STEPS instructions.  The kernel's verifier refuses most
 * of these programs; those it takes (a packet write in XDP or tc, another
 * helper, the cpu-v4 sign-extending moves and signed division) are not
 * bpfc's output.  Conversely LD_ABS/LD_IND run on every target here,
 * though the kernel refuses them in XDP.  So the interpreter never reads
 * or writes outside the packet, the context or its own stack, and it
 * always terminates, whatever the program; tests/check_ebpf_interp.c
 * compares it with the kernel on random programs the verifier accepts.
 *
 * Speed: dispatch is threaded code over a 256-entry table of label
 * addresses built from EBPF_OPCODES (a switch elsewhere), with pc and the
 * registers in one frame.  Checks that would cost on every instruction
 * are moved out: the last instruction is checked once to be `exit` or
 * `goto`, so falling through can never leave the program; only jumps
 * check their targets; the step count is charged on backward jumps only
 * (between two backward jumps the run goes forward, so it is at most as
 * long as the distance it covered, which the second one charges).  A run
 * zeroes its registers and, so that no result depends on an earlier
 * call's leftovers, the 64-byte chunks of its stack as its accesses first
 * reach them (zeroing all 512 bytes with `rep stos`, as GCC compiles a
 * memset, cost more than running a typical filter).  No state outlives a
 * call: any number of threads may run programs at once.
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ebpf/ebpf.h"

#if defined(__GNUC__) && !defined(EBPF_INTERP_SWITCH)
#define EBPF_THREADED 1
#else
#define EBPF_THREADED 0
#endif

/* Instructions one run may execute; far beyond any loop-free program. */
#define EBPF_INTERP_MAX_STEPS (1u << 20)

/* The one helper modelled (linux/bpf.h BPF_FUNC_skb_pull_data) and the
 * errno it fails with. */
enum { EBPF_HELPER_SKB_PULL_DATA = 39, EBPF_ENOMEM = 12 };

/* Context layouts: linux/bpf.h's struct __sk_buff and struct xdp_md. */
enum {
	EBPF_SKB_LEN = 0,
	EBPF_SKB_DATA = 76,
	EBPF_SKB_DATA_END = 80,
	EBPF_SKB_DATA_META = 140,
	EBPF_SKB_SIZE = 192,
	EBPF_XDP_DATA = 0,
	EBPF_XDP_DATA_END = 4,
	EBPF_XDP_DATA_META = 8,
	EBPF_XDP_SIZE = 24
};

#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/bpf.h>)
#include <linux/bpf.h>
_Static_assert(offsetof(struct __sk_buff, len) == EBPF_SKB_LEN, "__sk_buff.len");
_Static_assert(offsetof(struct __sk_buff, data) == EBPF_SKB_DATA, "__sk_buff.data");
_Static_assert(offsetof(struct __sk_buff, data_end) == EBPF_SKB_DATA_END, "__sk_buff.data_end");
_Static_assert(offsetof(struct __sk_buff, data_meta) == EBPF_SKB_DATA_META, "__sk_buff.data_meta");
_Static_assert(sizeof(struct __sk_buff) == EBPF_SKB_SIZE, "sizeof __sk_buff");
_Static_assert(offsetof(struct xdp_md, data) == EBPF_XDP_DATA, "xdp_md.data");
_Static_assert(offsetof(struct xdp_md, data_end) == EBPF_XDP_DATA_END, "xdp_md.data_end");
_Static_assert(offsetof(struct xdp_md, data_meta) == EBPF_XDP_DATA_META, "xdp_md.data_meta");
_Static_assert(sizeof(struct xdp_md) == EBPF_XDP_SIZE, "sizeof xdp_md");
_Static_assert((int)BPF_FUNC_skb_pull_data == (int)EBPF_HELPER_SKB_PULL_DATA, "skb_pull_data");
#endif
#endif

/* The regions one run may touch, as integers (registers hold addresses). */
struct ebpf_mem {
	uintptr_t pkt, ctx;
	uint32_t caplen, wirelen;
	enum ebpf_target target;
};

/* `size` bytes at `p` as a host-order integer. */
static inline uint64_t
ebpf_host_load(const uint8_t *p, unsigned size)
{
	uint16_t h;
	uint32_t w;
	uint64_t d;

	switch (size) {
	case 1:
		return p[0];
	case 2:
		memcpy(&h, p, 2);
		return h;
	case 4:
		memcpy(&w, p, 4);
		return w;
	default:
		memcpy(&d, p, 8);
		return d;
	}
}

static inline void
ebpf_host_store(uint8_t *p, unsigned size, uint64_t v)
{
	uint16_t h = (uint16_t)v;
	uint32_t w = (uint32_t)v;

	switch (size) {
	case 1:
		p[0] = (uint8_t)v;
		break;
	case 2:
		memcpy(p, &h, 2);
		break;
	case 4:
		memcpy(p, &w, 4);
		break;
	default:
		memcpy(p, &v, 8);
	}
}

/* Zero the 16 registers.  GCC turns a memset, an initialiser or a loop
 * of this size into `rep stos`, whose start-up alone costs as much as
 * running a short program; eight written-out 16-byte stores stay stores. */
static inline void
ebpf_zero_regs(uint64_t reg[16])
{
#if defined(__GNUC__)
	typedef uint64_t ebpf_v2 __attribute__((vector_size(16)));
	const ebpf_v2 z = {0, 0};

	memcpy(reg + 0, &z, 16);
	memcpy(reg + 2, &z, 16);
	memcpy(reg + 4, &z, 16);
	memcpy(reg + 6, &z, 16);
	memcpy(reg + 8, &z, 16);
	memcpy(reg + 10, &z, 16);
	memcpy(reg + 12, &z, 16);
	memcpy(reg + 14, &z, 16);
#else
	memset(reg, 0, 16 * sizeof(*reg));
#endif
}

/* The stack below `lo` (a multiple of 64) was never written in this run:
 * zero the 64-byte chunks from the one holding byte `v` up to it, and
 * return the new mark.  Chunks, because a program touches a few words at
 * the top of its stack, and four 16-byte stores are cheaper than a
 * memset call for them. */
static inline uint64_t
ebpf_zero_below(uint64_t *stack, uint64_t v, uint64_t lo)
{
	uint64_t from = v & ~(uint64_t)63;
#if defined(__GNUC__)
	typedef uint64_t ebpf_v2 __attribute__((vector_size(16)));
	const ebpf_v2 z = {0, 0};

	for (uint64_t c = from; c < lo; c += 64) {
		memcpy((uint8_t *)stack + c, &z, 16);
		memcpy((uint8_t *)stack + c + 16, &z, 16);
		memcpy((uint8_t *)stack + c + 32, &z, 16);
		memcpy((uint8_t *)stack + c + 48, &z, 16);
	}
#else
	memset((uint8_t *)stack + from, 0, (size_t)(lo - from));
#endif
	return from;
}

/* A load of `size` bytes at offset `off` of the context: 0 with the
 * value, or -1 for a field this interpreter does not model or an offset
 * outside the context. */
static int
ebpf_ctx_load(const struct ebpf_mem *m, uint64_t off, unsigned size, uint64_t *v)
{
	if (off >= (m->target == EBPF_TARGET_XDP ? EBPF_XDP_SIZE : EBPF_SKB_SIZE))
		return -1; /* not the context either */
	if (m->target == EBPF_TARGET_XDP) {
		if (size != 4)
			return -1;
		if (off == EBPF_XDP_DATA || off == EBPF_XDP_DATA_META)
			*v = m->pkt;
		else if (off == EBPF_XDP_DATA_END)
			*v = m->pkt + m->caplen;
		else
			return -1;
		return 0;
	}
	if (off + size <= 4 && off % size == 0) {
		/* len, whole or narrow: the bytes of a host-order u32, which
		 * is what the kernel's narrow-load rewrite gives */
		uint8_t b[8] = {0}; /* 8: the compiler cannot see size <= 4 */
		uint32_t len = m->wirelen;
		memcpy(b, &len, 4);
		*v = ebpf_host_load(b + off, size);
		return 0;
	}
	if ((m->target != EBPF_TARGET_TC && m->target != EBPF_TARGET_RUN) || size != 4)
		return -1;
	if (off == EBPF_SKB_DATA || off == EBPF_SKB_DATA_META)
		*v = m->pkt;
	else if (off == EBPF_SKB_DATA_END)
		*v = m->pkt + m->caplen;
	else
		return -1;
	return 0;
}

/* `size` (1, 2 or 4) bytes at `p`, big-endian. */
static inline uint64_t
ebpf_be(const uint8_t *p, unsigned size)
{
	switch (size) {
	case 1:
		return p[0];
	case 2:
		return (uint64_t)p[0] << 8 | p[1];
	default:
		return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
	}
}

static inline uint64_t
ebpf_bswap64(uint64_t v)
{
	v = (v & 0x00ff00ff00ff00ffull) << 8 | (v >> 8 & 0x00ff00ff00ff00ffull);
	v = (v & 0x0000ffff0000ffffull) << 16 | (v >> 16 & 0x0000ffff0000ffffull);
	return v << 32 | v >> 32;
}

/* The byte swaps of END, by width; `be` says which order is wanted.  On
 * a little-endian host be swaps and le only truncates; on a big-endian
 * one the other way round (what the kernel's cpu_to_be16() and friends
 * do). */
static inline uint64_t
ebpf_end(uint64_t v, int32_t bits, int be)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	int swap = !be;
#else
	int swap = be;
#endif
	switch (bits) {
	case 16:
		return swap ? ebpf_bswap64(v) >> 48 : (uint16_t)v;
	case 32:
		return swap ? ebpf_bswap64(v) >> 32 : (uint32_t)v;
	default:
		return swap ? ebpf_bswap64(v) : v;
	}
}

/*
 * One function on purpose: the registers and pc must stay in one frame
 * across every dispatch.  Each body is a line or two, most of them made
 * by one macro per family.
 */
uint64_t
ebpf_run(const struct ebpf_prog *p, const uint8_t *pkt, uint32_t wirelen, uint32_t caplen)
{
	const struct bpfc_ebpf_insn *base = p->insns, *pc;
	const size_t n = p->n;
	uint64_t reg[16]; /* r0-r10; 11-15 exist so that any 4-bit index is safe */
	uint64_t stack[EBPF_STACK / 8];
	uint64_t ctxmem[EBPF_SKB_SIZE / 8]; /* only its address is used: a unique range */
	struct ebpf_mem m;
	uint64_t steps = 0, v;
	uint64_t lo = EBPF_STACK; /* stack bytes [lo, 512) are initialised; lo % 64 == 0 */
	ptrdiff_t tgt, landed = 0;
	uintptr_t stk = (uintptr_t)stack;

	if (n == 0 || base == NULL ||
	    (base[n - 1].code != EBPF_OP_EXIT && base[n - 1].code != EBPF_OP_JA))
		return 0;
	/* A result must never depend on what an earlier call left in the
	 * registers or the stack.  The registers are zeroed here, the stack
	 * in 64-byte chunks as accesses reach below what is zeroed or written
	 * (a program touches a few words at its top; zeroing all 512 bytes
	 * would cost more than running it). */
	ebpf_zero_regs(reg);
	m.pkt = (uintptr_t)pkt;
	m.ctx = (uintptr_t)ctxmem;
	m.caplen = caplen;
	m.wirelen = wirelen;
	m.target = p->target;
	reg[1] = m.ctx;
	reg[EBPF_FP] = stk + EBPF_STACK;
	pc = base;

#define DST reg[pc->dst_reg]
#define SRC reg[pc->src_reg]
#define IMM64 ((uint64_t)(int64_t)pc->imm)
#define IMM32 ((uint32_t)pc->imm)

#if EBPF_THREADED
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winitializer-overrides"
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
	static const void *const label[256] = {
		[0 ... 255] = &&op_INVALID,
#define EBPF_LABEL(name, code, op, form, flags) [(code)] = &&op_##name,
		EBPF_OPCODES(EBPF_LABEL)
#undef EBPF_LABEL
	};
#if defined(__clang__)
#pragma clang diagnostic pop
#else
#pragma GCC diagnostic pop
#endif
#define DISPATCH() goto *label[pc->code]
#else
#define DISPATCH() goto dispatch
#endif
#define NEXT()                                                                           \
	do {                                                                             \
		pc++;                                                                    \
		DISPATCH();                                                              \
	} while (0)
/* Jump by off: forward targets are checked here, backward ones (rare,
 * never in bpfc's output) where the step count is charged. */
#define TAKE()                                                                           \
	do {                                                                             \
		tgt = (pc - base) + 1 + pc->off;                                         \
		if (pc->off < 0)                                                         \
			goto backward;                                                   \
		if (tgt >= (ptrdiff_t)n)                                                 \
			return 0;                                                        \
		pc = base + tgt;                                                         \
		DISPATCH();                                                              \
	} while (0)
#define COND(c)                                                                          \
	do {                                                                             \
		if (c)                                                                   \
			TAKE();                                                          \
		NEXT();                                                                  \
	} while (0)

#if EBPF_THREADED
	DISPATCH();
#else
dispatch:
	switch (pc->code) {
#define EBPF_CASE(name, code, op, form, flags)                                           \
	case (code):                                                                     \
		goto op_##name;
		EBPF_OPCODES(EBPF_CASE)
#undef EBPF_CASE
	default:
		goto op_INVALID;
	}
#endif

op_INVALID:
	return 0;

backward:
	/* charge the forward run since the last landing, then land */
	if (tgt < 0)
		return 0;
	steps += (uint64_t)((pc - base) - landed) + 1;
	if (steps > EBPF_INTERP_MAX_STEPS)
		return 0;
	landed = tgt;
	pc = base + tgt;
	DISPATCH();

	/* ---- ALU: 64-bit on the whole register, 32-bit on the low half,
	 *      zero-extended ---- */
#define ALU(NAME, OP)                                                                    \
	op_ALU64_##NAME##_K:                                                             \
	DST = DST OP IMM64;                                                              \
	NEXT();                                                                          \
	op_ALU64_##NAME##_X:                                                             \
	DST = DST OP SRC;                                                                \
	NEXT();                                                                          \
	op_ALU32_##NAME##_K:                                                             \
	DST = (uint32_t)((uint32_t)DST OP IMM32);                                        \
	NEXT();                                                                          \
	op_ALU32_##NAME##_X:                                                             \
	DST = (uint32_t)((uint32_t)DST OP(uint32_t) SRC);                                \
	NEXT();
	ALU(ADD, +)
	ALU(SUB, -)
	ALU(MUL, *)
	ALU(OR, |)
	ALU(AND, &)
	ALU(XOR, ^)
#undef ALU
#define SHIFT(NAME, OP)                                                                  \
	op_ALU64_##NAME##_K:                                                             \
	DST = DST OP(pc->imm & 63);                                                      \
	NEXT();                                                                          \
	op_ALU64_##NAME##_X:                                                             \
	DST = DST OP(SRC & 63);                                                          \
	NEXT();                                                                          \
	op_ALU32_##NAME##_K:                                                             \
	DST = (uint32_t)((uint32_t)DST OP(pc->imm & 31));                                \
	NEXT();                                                                          \
	op_ALU32_##NAME##_X:                                                             \
	DST = (uint32_t)((uint32_t)DST OP(SRC & 31));                                    \
	NEXT();
	SHIFT(LSH, <<)
	SHIFT(RSH, >>)
#undef SHIFT
	/* Arithmetic shifts of negative values: GCC and Clang shift in sign
	 * bits (implementation-defined in C, documented by both). */
op_ALU64_ARSH_K:
	DST = (uint64_t)((int64_t)DST >> (pc->imm & 63));
	NEXT();
op_ALU64_ARSH_X:
	DST = (uint64_t)((int64_t)DST >> (SRC & 63));
	NEXT();
op_ALU32_ARSH_K:
	DST = (uint32_t)((int32_t)(uint32_t)DST >> (pc->imm & 31));
	NEXT();
op_ALU32_ARSH_X:
	DST = (uint32_t)((int32_t)(uint32_t)DST >> (SRC & 31));
	NEXT();

	/* Division: a non-zero off is the signed form, not bpfc's. */
#define DIVMOD(NAME, DIVISOR64, DIVISOR32)                                               \
	op_ALU64_DIV_##NAME:                                                             \
	if (pc->off != 0)                                                                \
		return 0;                                                                \
	v = (DIVISOR64);                                                                 \
	DST = v != 0 ? DST / v : 0;                                                      \
	NEXT();                                                                          \
	op_ALU32_DIV_##NAME:                                                             \
	if (pc->off != 0)                                                                \
		return 0;                                                                \
	v = (uint32_t)(DIVISOR32);                                                       \
	DST = v != 0 ? (uint32_t)DST / (uint32_t)v : 0;                                  \
	NEXT();                                                                          \
	op_ALU64_MOD_##NAME:                                                             \
	if (pc->off != 0)                                                                \
		return 0;                                                                \
	v = (DIVISOR64);                                                                 \
	DST = v != 0 ? DST % v : DST;                                                    \
	NEXT();                                                                          \
	op_ALU32_MOD_##NAME:                                                             \
	if (pc->off != 0)                                                                \
		return 0;                                                                \
	v = (uint32_t)(DIVISOR32);                                                       \
	DST = v != 0 ? (uint32_t)DST % (uint32_t)v : (uint32_t)DST;                      \
	NEXT();
	DIVMOD(K, IMM64, IMM32)
	DIVMOD(X, SRC, SRC)
#undef DIVMOD

	/* A non-zero off on a register move is a sign-extending move. */
op_ALU64_MOV_K:
	DST = IMM64;
	NEXT();
op_ALU64_MOV_X:
	if (pc->off != 0)
		return 0;
	DST = SRC;
	NEXT();
op_ALU32_MOV_K:
	DST = IMM32;
	NEXT();
op_ALU32_MOV_X:
	if (pc->off != 0)
		return 0;
	DST = (uint32_t)SRC;
	NEXT();
op_ALU64_NEG:
	DST = 0 - DST;
	NEXT();
op_ALU32_NEG:
	DST = (uint32_t)(0u - (uint32_t)DST);
	NEXT();
op_END_LE:
	if (pc->imm != 16 && pc->imm != 32 && pc->imm != 64)
		return 0;
	DST = ebpf_end(DST, pc->imm, 0);
	NEXT();
op_END_BE:
	if (pc->imm == 16) /* the common one: a 16-bit field loaded from the packet */
		DST = ebpf_end(DST, 16, 1);
	else if (pc->imm == 32 || pc->imm == 64)
		DST = ebpf_end(DST, pc->imm, 1);
	else
		return 0;
	NEXT();
op_LD_DW: /* two slots: the second holds the high half */
	if ((ptrdiff_t)n - (pc - base) <= 2 || pc->src_reg != 0)
		return 0;
	DST = (uint64_t)(uint32_t)pc[0].imm | (uint64_t)(uint32_t)pc[1].imm << 32;
	pc += 2;
	DISPATCH();

	/* ---- jumps ---- */
op_JA:
	TAKE();
#define JMP(NAME, OP, T64, T32)                                                          \
	op_JMP_##NAME##_K:                                                               \
	COND((T64)DST OP(T64) IMM64);                                                    \
	op_JMP_##NAME##_X:                                                               \
	COND((T64)DST OP(T64) SRC);                                                      \
	op_JMP32_##NAME##_K:                                                             \
	COND((T32)DST OP(T32) IMM32);                                                    \
	op_JMP32_##NAME##_X:                                                             \
	COND((T32)DST OP(T32) SRC);
	JMP(JEQ, ==, uint64_t, uint32_t)
	JMP(JNE, !=, uint64_t, uint32_t)
	JMP(JGT, >, uint64_t, uint32_t)
	JMP(JGE, >=, uint64_t, uint32_t)
	JMP(JLT, <, uint64_t, uint32_t)
	JMP(JLE, <=, uint64_t, uint32_t)
	JMP(JSET, &, uint64_t, uint32_t)
	JMP(JSGT, >, int64_t, int32_t)
	JMP(JSGE, >=, int64_t, int32_t)
	JMP(JSLT, <, int64_t, int32_t)
	JMP(JSLE, <=, int64_t, int32_t)
#undef JMP
op_CALL:
	/* bpf_skb_pull_data(skb, len), which the tc lowering calls when the
	 * linear part is shorter than the packet: the bytes past caplen were
	 * not captured, so pulling them fails as the kernel's does past
	 * skb->len (pskb_may_pull: -ENOMEM); len 0 means the linear part.
	 * data/data_end do not move either way.  No other helper exists. */
	if (m.target != EBPF_TARGET_TC || pc->imm != EBPF_HELPER_SKB_PULL_DATA || pc->src_reg != 0)
		return 0;
	reg[0] = (uint32_t)reg[2] <= caplen ? 0 : (uint64_t)-EBPF_ENOMEM;
	NEXT();
op_EXIT:
	return reg[0];

	/* ---- legacy packet loads: big-endian, bounded by caplen ---- */
#define PKTLOAD(NAME, SIZE, OFFSET)                                                      \
	op_LD_##NAME:                                                                    \
	{                                                                                \
		int32_t o_ = (int32_t)(uint32_t)(OFFSET);                                \
		if (o_ < 0 || (uint32_t)o_ > caplen || caplen - (uint32_t)o_ < (SIZE))   \
			return 0;                                                        \
		reg[0] = ebpf_be(pkt + o_, (SIZE));                                      \
	}                                                                                \
	NEXT();
	PKTLOAD(ABS_B, 1, pc->imm)
	PKTLOAD(ABS_H, 2, pc->imm)
	PKTLOAD(ABS_W, 4, pc->imm)
	PKTLOAD(IND_B, 1, SRC + IMM64)
	PKTLOAD(IND_H, 2, SRC + IMM64)
	PKTLOAD(IND_W, 4, SRC + IMM64)
#undef PKTLOAD

	/* ---- memory: the stack inline, anything else checked aside ---- */
#define MEM(SZ, SIZE)                                                                    \
	op_LDX_##SZ:                                                                     \
	v = SRC + (uint64_t)(int64_t)pc->off - stk;                                      \
	if (v <= EBPF_STACK - (SIZE)) {                                                  \
		if (v < lo) /* reading below what was written: zeroes */                 \
			lo = ebpf_zero_below(stack, v, lo);                              \
		DST = ebpf_host_load((const uint8_t *)stack + v, (SIZE));                \
	} else if ((v = v + stk - m.pkt) <= m.caplen - (SIZE) && m.caplen >= (SIZE)) {    \
		DST = ebpf_host_load(pkt + v, (SIZE));                                   \
	} else if (ebpf_ctx_load(&m, v + m.pkt - m.ctx, (SIZE), &DST) != 0) {            \
		return 0;                                                                \
	}                                                                                \
	NEXT();                                                                          \
	op_ST_##SZ:                                                                      \
	v = DST + (uint64_t)(int64_t)pc->off - stk;                                      \
	if (v > EBPF_STACK - (SIZE))                                                     \
		return 0;                                                                \
	if (v < lo)                                                                      \
		lo = ebpf_zero_below(stack, v, lo);                                      \
	ebpf_host_store((uint8_t *)stack + v, (SIZE), IMM64);                            \
	NEXT();                                                                          \
	op_STX_##SZ:                                                                     \
	v = DST + (uint64_t)(int64_t)pc->off - stk;                                      \
	if (v > EBPF_STACK - (SIZE))                                                     \
		return 0;                                                                \
	if (v < lo)                                                                      \
		lo = ebpf_zero_below(stack, v, lo);                                      \
	ebpf_host_store((uint8_t *)stack + v, (SIZE), SRC);                              \
	NEXT();
	MEM(B, 1)
	MEM(H, 2)
	MEM(W, 4)
	MEM(DW, 8)
#undef MEM

#undef DST
#undef SRC
#undef IMM64
#undef IMM32
#undef DISPATCH
#undef NEXT
#undef TAKE
#undef COND
}
