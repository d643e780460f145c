/*
 * ebpfgen.h: random eBPF programs the Linux verifier accepts, and frames
 * to run them on (tests/check_ebpf_interp.c compares bpfc's interpreter
 * with the kernel on them).
 *
 * Takes: a seeded rng and a target.  Gives: a program of at most
 * EBPFGEN_MAXP slots using every opcode of ebpf/opcodes.h over a run of
 * seeds (ALU32/64 with edge immediates, forward JMP/JMP32, END, stack
 * stores and loads, LD_ABS/LD_IND, guarded direct packet loads for tc and
 * XDP) that ends by folding r0's high half into its low one, since a test
 * run reports 32 bits.  No state but the caller's rng.
 */
#ifndef BPFC_TESTS_EBPFGEN_H
#define BPFC_TESTS_EBPFGEN_H

#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"
#include "ebpf/ebpf.h"
#include "tests/gen/rng.h"

#define EBPFGEN_MAXP 160  /* slots of a random program */
#define EBPFGEN_FRAME 1600 /* longest frame */
#define EBPFGEN_BIG 0xdeadbeef12345678ull /* a 64-bit constant with every byte distinct */

/* ---- instruction builders (linux/bpf.h field meanings) ---- */

/* Brace initialisers, for tables; E() makes one a value. */
#define I_(c, d, s, o, i)                                                                \
	{.code = (uint8_t)(c), .dst_reg = (d), .src_reg = (s), .off = (int16_t)(o),      \
	 .imm = (int32_t)(i)}
#define E(x) ((struct bpfc_ebpf_insn)x)
#define INS(c, d, s, o, i) E(I_(c, d, s, o, i))
#define MOV64K(d, i) I_(EBPF_ALU64 | EBPF_MOV | EBPF_K, d, 0, 0, i)
#define MOV32K(d, i) I_(EBPF_ALU | EBPF_MOV | EBPF_K, d, 0, 0, i)
#define MOV64X(d, s) I_(EBPF_ALU64 | EBPF_MOV | EBPF_X, d, s, 0, 0)
#define MOV32X(d, s) I_(EBPF_ALU | EBPF_MOV | EBPF_X, d, s, 0, 0)
#define A64K(op, d, i) I_(EBPF_ALU64 | (op) | EBPF_K, d, 0, 0, i)
#define A64X(op, d, s) I_(EBPF_ALU64 | (op) | EBPF_X, d, s, 0, 0)
#define A32K(op, d, i) I_(EBPF_ALU | (op) | EBPF_K, d, 0, 0, i)
#define A32X(op, d, s) I_(EBPF_ALU | (op) | EBPF_X, d, s, 0, 0)
#define LDDW(d, v)                                                                       \
	I_(EBPF_LD | EBPF_IMM | EBPF_DW, d, 0, 0, (uint32_t)(v)),                        \
		I_(0, 0, 0, 0, (uint32_t)((uint64_t)(v) >> 32))
#define J64K(op, d, i, o) I_(EBPF_JMP | (op) | EBPF_K, d, 0, o, i)
#define J64X(op, d, s, o) I_(EBPF_JMP | (op) | EBPF_X, d, s, o, 0)
#define J32K(op, d, i, o) I_(EBPF_JMP32 | (op) | EBPF_K, d, 0, o, i)
#define J32X(op, d, s, o) I_(EBPF_JMP32 | (op) | EBPF_X, d, s, o, 0)
#define JA(o) I_(EBPF_JMP | EBPF_JA, 0, 0, o, 0)
#define ENDI(be, d, bits)                                                                \
	I_(EBPF_ALU | EBPF_END | ((be) ? EBPF_TO_BE : EBPF_TO_LE), d, 0, 0, bits)
#define LDABS(sz, i) I_(EBPF_LD | EBPF_ABS | (sz), 0, 0, 0, i)
#define LDIND(sz, s, i) I_(EBPF_LD | EBPF_IND | (sz), 0, s, 0, i)
#define LDX(sz, d, s, o) I_(EBPF_LDX | EBPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i) I_(EBPF_ST | EBPF_MEM | (sz), d, 0, o, i)
#define STX(sz, d, s, o) I_(EBPF_STX | EBPF_MEM | (sz), d, s, o, 0)
#define EXIT() I_(EBPF_JMP | EBPF_EXIT, 0, 0, 0, 0)
#define CALL(i) I_(EBPF_JMP | EBPF_CALL, 0, 0, 0, i)

/* A program for `target` into out[0..EBPFGEN_MAXP); its length in slots,
 * 0 when out of memory.  *refusable: it holds something the verifier
 * refuses on purpose (a constant division by zero, a shift out of range). */
size_t ebpfgen_program(struct rng *r, enum ebpf_target target, struct bpfc_ebpf_insn *out,
		       int *refusable);

/* A frame for a test run into f (EBPFGEN_FRAME bytes of room): at least
 * 14 bytes, mostly short; its length. */
uint32_t ebpfgen_frame(struct rng *r, uint8_t *f);

#endif
