/*
 * translate_int.h: what the translator's files share (private to ebpf/).
 *
 * The translator walks a validated cBPF program once, in order, and
 * emits eBPF for every instruction some emitted instruction can reach
 * (translate.c).  The parts every target shares (A/X arithmetic, scratch
 * memory, jumps) are lowered in translate.c; what differs by target
 * (packet loads, `len`, returns, the prologue) comes from a table of
 * hooks: translate.c has the socket target's, xdp.c the direct-access
 * one for XDP and tc.  emit.c holds the emitter (sticky error, jumps to
 * labels recorded and patched at the end) and the final layout, which
 * splits jumps that do not fit 16 bits.
 *
 * Register conventions (every target):
 *   r0  cBPF's A (the legacy loads write r0; `ret A` needs it there)
 *   r7  cBPF's X
 *   r6  the context (the legacy loads read it from r6)
 *   r8  xdp/tc: data_end; socket: A's copy around `ldxb 4*([k]&0xf)`
 *   r9  xdp/tc: data
 *   r10 M[k] lives at r10 - 4 * (16 - k)
 *   r1-r5 scratch (clobbered by the legacy loads and by calls)
 * Labels: cBPF instruction i is label i; label n (XL_RET0 of the program)
 * is the shared block that returns the target's "the cBPF returned 0".
 */
#ifndef BPFC_EBPF_TRANSLATE_INT_H
#define BPFC_EBPF_TRANSLATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cbpf/opcodes.h"
#include "ebpf/ebpf.h"

enum {
	XL_A = 0,
	XL_R1 = 1,
	XL_R2 = 2,
	XL_R3 = 3,
	XL_R4 = 4,
	XL_R5 = 5,
	XL_CTX = 6,
	XL_X = 7,
	XL_R8 = 8,
	XL_DATA = 9,
	XL_FP = EBPF_FP
};
#define XL_DEND XL_R8 /* xdp/tc */
#define XL_SAVE XL_R8 /* socket: A kept across the legacy load of ldxb */

#define XL_NONE ((size_t)-1)
#define XL_INF UINT64_MAX

/* Liveness bits (live into an instruction). */
enum { XL_LIVE_A = 1u << 0, XL_LIVE_X = 1u << 1 };

/* What the analyses know about one cBPF instruction. */
struct xl_fact {
	uint8_t reach;    /* an emitted instruction reaches it */
	uint8_t live;     /* XL_LIVE_*: read before written on some path from here */
	uint32_t abound;  /* A <= abound on entry (join of the predecessors) */
	uint32_t xbound;  /* X <= xbound on entry */
	uint64_t must;    /* xdp/tc: bytes every non-zero path from here needs */
	uint64_t mustx;   /* xdp/tc: the same past data + X, for [x + k] loads */
	uint32_t est;     /* xdp/tc: bytes every emitted path here proved present */
	uint32_t estx;    /* xdp/tc: the same past r5 = data + X */
};

/* A jump to patch: instruction `at` jumps to label `label`. */
struct xl_fix {
	size_t at;
	size_t label;
};

struct xl;

/* What differs by target. */
struct xl_ops {
	const char *name;
	/* After liveness and bounds: per-target facts (may fail: sticky). */
	void (*analyse)(struct xl *x);
	/* Code before cBPF instruction 0 (A and X are initialised after it). */
	void (*prologue)(struct xl *x);
	/* A packet load (ld/ldh/ldb [k] and [x + k], ldxb 4*([k]&0xf)):
	 * returns 1 when control falls through to the next instruction, 0
	 * when the load can never succeed and the code jumps to XL_RET0. */
	int (*load)(struct xl *x, size_t i);
	/* rDST = the packet's wire length. */
	void (*len)(struct xl *x, int dst);
	/* ret #k / ret A. */
	void (*ret)(struct xl *x, size_t i);
	/* The return value of the shared block at label XL_RET0. */
	int32_t (*ret0)(const struct xl *x);
};

struct xl {
	const struct bpfc_insn *p;
	size_t n;
	enum ebpf_target target;
	unsigned flags;
	const struct xl_ops *ops;
	struct xl_fact *f;      /* [n] */
	size_t *start;          /* [n + 1]: where label i begins, XL_NONE if absent */
	struct bpfc_ebpf_insn *code;
	size_t len, cap;
	struct xl_fix *fix;
	size_t nfix, capfix;
	uint32_t est, estx;     /* xdp/tc: ranges proved at the current point */
	int uses_ctx, uses_pkt; /* the program reads `len` / the packet */
	uint32_t pull;          /* tc: bytes the linear part should hold */
	struct bpfc_error *err;
	int failed;
};

/* ---- emit.c: the emitter (every call does nothing once x->failed) ---- */

void xl_emit(struct xl *x, uint8_t code, int dst, int src, int16_t off, int32_t imm);
/* A jump (conditional or `ja`) to `label`, patched by xl_finish. */
void xl_jump(struct xl *x, uint8_t code, int dst, int src, int32_t imm, size_t label);
/* Record an error (the first wins); returns -1. */
int xl_fail(struct xl *x, enum bpfc_status code, size_t insn, const char *fmt, ...)
	DIAG_PRINTF(4, 5);
/* Lay out, split long jumps, patch; the instructions into `a`. */
int xl_finish(struct xl *x, struct arena *a, struct ebpf_prog *out);

/* One encoding per helper; the comment is what `bpftool` prints. */
static inline void
xl_alu32_k(struct xl *x, int op, int dst, int32_t imm) /* wD op= imm */
{
	xl_emit(x, (uint8_t)(EBPF_ALU | op | EBPF_K), dst, 0, 0, imm);
}
static inline void
xl_alu32_x(struct xl *x, int op, int dst, int src) /* wD op= wS */
{
	xl_emit(x, (uint8_t)(EBPF_ALU | op | EBPF_X), dst, src, 0, 0);
}
static inline void
xl_alu64_k(struct xl *x, int op, int dst, int32_t imm) /* rD op= imm */
{
	xl_emit(x, (uint8_t)(EBPF_ALU64 | op | EBPF_K), dst, 0, 0, imm);
}
static inline void
xl_alu64_x(struct xl *x, int op, int dst, int src) /* rD op= rS */
{
	xl_emit(x, (uint8_t)(EBPF_ALU64 | op | EBPF_X), dst, src, 0, 0);
}
static inline void
xl_ldx(struct xl *x, int size, int dst, int src, int16_t off) /* rD = *(size *)(rS + off) */
{
	xl_emit(x, (uint8_t)(EBPF_LDX | EBPF_MEM | size), dst, src, off, 0);
}
static inline void
xl_stx(struct xl *x, int size, int dst, int16_t off, int src) /* *(size *)(rD + off) = rS */
{
	xl_emit(x, (uint8_t)(EBPF_STX | EBPF_MEM | size), dst, src, off, 0);
}
static inline void
xl_exit(struct xl *x) /* exit */
{
	xl_emit(x, EBPF_JMP | EBPF_EXIT, 0, 0, 0, 0);
}
static inline void
xl_goto(struct xl *x, size_t label) /* goto pc+off */
{
	xl_jump(x, EBPF_JMP | EBPF_JA, 0, 0, 0, label);
}
/* if wD op imm goto label (32-bit, unsigned: cBPF's comparisons) */
static inline void
xl_jmp32_k(struct xl *x, int op, int dst, int32_t imm, size_t label)
{
	xl_jump(x, (uint8_t)(EBPF_JMP32 | op | EBPF_K), dst, 0, imm, label);
}
/* if rD op rS goto label (64-bit: packet pointers) */
static inline void
xl_jmp64_x(struct xl *x, int op, int dst, int src, size_t label)
{
	xl_jump(x, (uint8_t)(EBPF_JMP | op | EBPF_X), dst, src, 0, label);
}
/* The label of the shared "return 0" block. */
static inline size_t
xl_ret0_label(const struct xl *x)
{
	return x->n;
}
/* M[k]'s stack offset. */
static inline int16_t
xl_mem_off(uint32_t k)
{
	return (int16_t)(-4 * (int)(CBPF_MEMWORDS - (k & (CBPF_MEMWORDS - 1))));
}
/* eBPF size bits of a cBPF load. */
static inline int
xl_size(uint16_t code)
{
	return (code & 0x18) == CBPF_B ? EBPF_B : (code & 0x18) == CBPF_H ? EBPF_H : EBPF_W;
}
static inline uint32_t
xl_bytes(uint16_t code)
{
	return (code & 0x18) == CBPF_B ? 1 : (code & 0x18) == CBPF_H ? 2 : 4;
}

/* ---- xdp.c ---- */

extern const struct xl_ops xl_direct_ops;

#endif
