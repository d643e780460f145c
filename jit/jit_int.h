/*
 * jit_int.h: what the JIT's files share (private to jit/).
 *
 * check.c proves a run-target program safe and leaves per-instruction
 * facts (struct jit_facts) for the code generator; x86.c encodes x86-64
 * instructions into a growable byte buffer (struct jit_buf, sticky
 * out-of-memory); emit.c turns one eBPF instruction into its fixed bytes
 * and an optional trailing branch; jit.c lays the branches out, maps the
 * code and owns the public functions.
 */
#ifndef BPFC_JIT_JIT_INT_H
#define BPFC_JIT_JIT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"
#include "ebpf/ebpf.h"

/* ---- check.c ---- */

/* What the code generator does with one instruction. */
enum jit_kind {
	JK_SKIP = 0,   /* unreachable: no code */
	JK_NORMAL,     /* compile as it stands */
	JK_CTX_NOP,    /* rD = rS where rS holds the context: no value exists */
	JK_LD_DATA,    /* rD = ctx->data: the packet pointer argument */
	JK_LD_END,     /* rD = ctx->data_end: pkt + caplen */
	JK_LD_LEN      /* rD = ctx->len: the wirelen argument */
};

/* Bits of jit_facts.writes[r]: what writes eBPF register r. */
enum {
	JW_DATA = 1u << 0, /* ctx->data loads */
	JW_END = 1u << 1,  /* ctx->data_end loads */
	JW_LEN = 1u << 2,  /* ctx->len loads */
	JW_CTX = 1u << 3,  /* copies of the context */
	JW_OTHER = 1u << 4 /* anything else (a value the code must hold) */
};

struct jit_facts {
	uint8_t *kind;    /* [n] enum jit_kind */
	uint8_t *target;  /* [n] 1 when some reachable jump lands there */
	unsigned writes[EBPF_NREGS];
	int32_t stack_lo; /* lowest r10 offset accessed (0: no stack) */
	int has_div;      /* a reachable division or modulo */
};

/* Prove `p` safe (jit.h states the rules) and fill `f` (arrays malloc'd,
 * freed by jit_facts_free).  0, or -1 with `err` set: BPFC_EUNSUPPORTED
 * naming the instruction, or BPFC_ENOMEM. */
int jit_check(const struct ebpf_prog *p, struct jit_facts *f, struct bpfc_error *err);
void jit_facts_free(struct jit_facts *f);

/* ---- x86.c: the encoder ---- */

/* x86-64 register numbers. */
enum {
	X_RAX = 0, X_RCX, X_RDX, X_RBX, X_RSP, X_RBP, X_RSI, X_RDI,
	X_R8, X_R9, X_R10, X_R11, X_R12, X_R13, X_R14, X_R15
};

struct jit_buf {
	uint8_t *p;
	size_t len, cap;
	int failed; /* out of memory: later emits do nothing */
};

void jb_bytes(struct jit_buf *b, const uint8_t *s, size_t n);
void jb_byte(struct jit_buf *b, uint8_t v);
void jb_imm32(struct jit_buf *b, uint32_t v);

/* `op` is one opcode byte, or 0x0fXX for a two-byte one; w: REX.W. */
/* op reg, rm (register direct) */
void x_rr(struct jit_buf *b, int w, unsigned op, int reg, int rm);
/* op reg, [base + disp]; `byte` forces a REX so that reg 4-7 mean
 * spl..dil; `p66` adds the operand-size prefix. */
void x_rm(struct jit_buf *b, int w, int p66, int byte, unsigned op, int reg, int base,
	  int32_t disp);
/* group-1 ALU op (ext: 0 add, 1 or, 4 and, 5 sub, 6 xor, 7 cmp) rm, imm */
void x_alu_imm(struct jit_buf *b, int w, int ext, int rm, int32_t imm);
/* mov r32, imm32 (zero-extends) or, for w and a negative imm, the
 * sign-extending mov r64, imm32 */
void x_mov_imm(struct jit_buf *b, int w, int rm, int32_t imm);
/* mov dst, src (32-bit zero-extends; a 64-bit move onto itself is nothing) */
void x_mov(struct jit_buf *b, int w, int dst, int src);
/* shift group (ext: 4 shl, 5 shr, 7 sar) rm by imm8, or by cl when imm < 0 */
void x_shift(struct jit_buf *b, int w, int ext, int rm, int imm);
/* one-operand group F7 (ext: 3 neg, 6 div) */
void x_f7(struct jit_buf *b, int w, int ext, int rm);
/* lea dst, [base + disp] (64-bit) */
void x_lea(struct jit_buf *b, int dst, int base, int32_t disp);
/* bswap r32/r64 */
void x_bswap(struct jit_buf *b, int w, int r);
/* rol r16, 8 */
void x_rol16_8(struct jit_buf *b, int r);
/* movzx r32, r16 */
void x_movzx16(struct jit_buf *b, int dst, int src);
/* push / pop r64 */
void x_push(struct jit_buf *b, int r);
void x_pop(struct jit_buf *b, int r);
/* test rm, imm (32-bit, or 64-bit with the sign-extended imm32) */
void x_test_imm(struct jit_buf *b, int w, int rm, int32_t imm);

/* ---- emit.c: one eBPF instruction ---- */

/* Branch at the end of an instruction's code. */
enum { JB_NONE = 0, JB_JCC, JB_JMP };

/* How eBPF maps to x86 for one program (jit.c decides). */
struct jit_map {
	int8_t reg[EBPF_NREGS]; /* x86 register of each eBPF register, -1: none */
	int32_t fpbias;         /* r10 = rsp + fpbias */
	int32_t spill;          /* rsp-relative offset of two spill slots */
	int movbe;              /* the CPU has MOVBE */
	uint8_t saved[6];       /* callee-saved registers pushed, in push order */
	int nsaved;
	int32_t frame;          /* bytes subtracted from rsp (0: red zone) */
};

/* What emit gives for one instruction: its fixed bytes were appended to
 * the buffer; a branch (JB_JCC with condition `cc`, or JB_JMP) to eBPF
 * instruction `to` follows them. */
struct jit_out {
	int branch;
	uint8_t cc;
	size_t to;
	int consumed; /* further instructions folded into this one's code */
};

/* Emit instruction i of `p` (kind and facts from the checker); returns
 * 0, or -1 for an instruction the generator cannot compile (an internal
 * error: the checker admits only what it can). */
int jit_emit_insn(struct jit_buf *b, const struct jit_map *m, const struct ebpf_prog *p,
		  const struct jit_facts *f, size_t i, struct jit_out *o);
/* The epilogue: undo the frame, pop, ret. */
void jit_emit_epilogue(struct jit_buf *b, const struct jit_map *m);

#endif
