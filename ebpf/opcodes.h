/*
 * opcodes.h: every eBPF opcode bpfc emits or runs, once.
 *
 * EBPF_OPCODES(X) expands X(NAME, CODE, OP, FORM, FLAGS) for each opcode
 * of the kernel's eBPF instruction set (Documentation/bpf/standard/
 * instruction-set) that bpfc's translator may emit and its interpreter,
 * listing and JIT therefore accept.  An opcode not listed here is invalid
 * everywhere in bpfc; the families are expanded from one macro each so
 * that the 32- and 64-bit forms of an operation cannot drift apart.
 *
 *   NAME   suffix of the enum ebpf_op constant (EBPF_OP_NAME)
 *   CODE   the 8-bit `code` value
 *   OP     the operator `bpftool prog dump xlated` prints ("+=", "==", ...;
 *          "" where the form has none)
 *   FORM   how the instruction reads and is printed (enum ebpf_form)
 *   FLAGS  EBPF_F_* bits below
 */
#ifndef BPFC_EBPF_OPCODES_H
#define BPFC_EBPF_OPCODES_H

#include <stdint.h>

/* Classes, sizes, modes, operations, sources (linux/bpf.h values). */
enum {
	EBPF_LD = 0x00, EBPF_LDX = 0x01, EBPF_ST = 0x02, EBPF_STX = 0x03,
	EBPF_ALU = 0x04, EBPF_JMP = 0x05, EBPF_JMP32 = 0x06, EBPF_ALU64 = 0x07,
	EBPF_W = 0x00, EBPF_H = 0x08, EBPF_B = 0x10, EBPF_DW = 0x18,
	EBPF_IMM = 0x00, EBPF_ABS = 0x20, EBPF_IND = 0x40, EBPF_MEM = 0x60,
	EBPF_ADD = 0x00, EBPF_SUB = 0x10, EBPF_MUL = 0x20, EBPF_DIV = 0x30,
	EBPF_OR = 0x40, EBPF_AND = 0x50, EBPF_LSH = 0x60, EBPF_RSH = 0x70,
	EBPF_NEG = 0x80, EBPF_MOD = 0x90, EBPF_XOR = 0xa0, EBPF_MOV = 0xb0,
	EBPF_ARSH = 0xc0, EBPF_END = 0xd0,
	EBPF_JA = 0x00, EBPF_JEQ = 0x10, EBPF_JGT = 0x20, EBPF_JGE = 0x30,
	EBPF_JSET = 0x40, EBPF_JNE = 0x50, EBPF_JSGT = 0x60, EBPF_JSGE = 0x70,
	EBPF_CALL = 0x80, EBPF_EXIT = 0x90, EBPF_JLT = 0xa0, EBPF_JLE = 0xb0,
	EBPF_JSLT = 0xc0, EBPF_JSLE = 0xd0,
	EBPF_K = 0x00, EBPF_X = 0x08,
	EBPF_TO_LE = 0x00, EBPF_TO_BE = 0x08 /* BPF_END's source bit */
};

#define EBPF_CLASS(code) ((code) & 0x07)
#define EBPF_SIZE(code) ((code) & 0x18)
#define EBPF_MODE(code) ((code) & 0xe0)
#define EBPF_OPER(code) ((code) & 0xf0)

/* Registers: r0 return value, r1-r5 arguments (clobbered by calls and by
 * the legacy packet loads), r6-r9 callee-saved, r10 the read-only frame
 * pointer.  512 bytes of stack below r10. */
enum { EBPF_NREGS = 11, EBPF_FP = 10, EBPF_STACK = 512 };

/* How an instruction reads and is printed, in bpftool's xlated style. */
enum ebpf_form {
	EBPF_FORM_ALU,   /* dst op= src|imm        "r0 += 1", "w0 &= w7"   */
	EBPF_FORM_NEG,   /* dst = -dst             "r0 = -r0"              */
	EBPF_FORM_END,   /* byte swap by imm bits  "r0 = be16 r0"          */
	EBPF_FORM_JMP,   /* if dst op src|imm      "if r0 > 0x5 goto pc+2" */
	EBPF_FORM_JA,    /* goto pc+off                                    */
	EBPF_FORM_ABS,   /* r0 = packet[imm]       "r0 = *(u8 *)skb[23]"   */
	EBPF_FORM_IND,   /* r0 = packet[src + imm] "r0 = *(u16 *)skb[r7 + 14]" */
	EBPF_FORM_LDX,   /* dst = *(size *)(src + off)                     */
	EBPF_FORM_ST,    /* *(size *)(dst + off) = imm                     */
	EBPF_FORM_STX,   /* *(size *)(dst + off) = src                     */
	EBPF_FORM_LDDW,  /* dst = 64-bit imm (two slots)                   */
	EBPF_FORM_CALL,  /* call helper #imm                               */
	EBPF_FORM_EXIT   /* return r0                                      */
};

enum {
	EBPF_F_W32 = 1u << 0,   /* 32-bit operation (ALU, JMP32): "w" registers */
	EBPF_F_SRC = 1u << 1,   /* reads the src register */
	EBPF_F_DST = 1u << 2,   /* reads the dst register */
	EBPF_F_WDST = 1u << 3,  /* writes the dst register */
	EBPF_F_DIV = 1u << 4,   /* division or modulo (a zero divisor is defined) */
	EBPF_F_COND = 1u << 5,  /* conditional jump by off */
	EBPF_F_PKT = 1u << 6,   /* legacy packet load: ends the program on a short packet */
	EBPF_F_MEM = 1u << 7,   /* memory access through a pointer */
	EBPF_F_WIDE = 1u << 8,  /* occupies two instruction slots */
	EBPF_F_CLOBBER = 1u << 9 /* writes r0 and clobbers r1-r5 (calls, legacy loads) */
};

/* One ALU operation in its 32- and 64-bit, immediate and register forms. */
#define EBPF_ALU_OP(X, NAME, OPER, OPSTR, F)                                                 \
	X(ALU64_##NAME##_K, EBPF_ALU64 | (OPER) | EBPF_K, OPSTR, EBPF_FORM_ALU,                 \
	  (F) | EBPF_F_WDST)                                                                     \
	X(ALU64_##NAME##_X, EBPF_ALU64 | (OPER) | EBPF_X, OPSTR, EBPF_FORM_ALU,                 \
	  (F) | EBPF_F_WDST | EBPF_F_SRC)                                                        \
	X(ALU32_##NAME##_K, EBPF_ALU | (OPER) | EBPF_K, OPSTR, EBPF_FORM_ALU,                   \
	  (F) | EBPF_F_WDST | EBPF_F_W32)                                                        \
	X(ALU32_##NAME##_X, EBPF_ALU | (OPER) | EBPF_X, OPSTR, EBPF_FORM_ALU,                   \
	  (F) | EBPF_F_WDST | EBPF_F_SRC | EBPF_F_W32)

/* One conditional jump in its 64- and 32-bit, immediate and register forms. */
#define EBPF_JMP_OP(X, NAME, OPER, OPSTR)                                                    \
	X(JMP_##NAME##_K, EBPF_JMP | (OPER) | EBPF_K, OPSTR, EBPF_FORM_JMP,                     \
	  EBPF_F_COND | EBPF_F_DST)                                                              \
	X(JMP_##NAME##_X, EBPF_JMP | (OPER) | EBPF_X, OPSTR, EBPF_FORM_JMP,                     \
	  EBPF_F_COND | EBPF_F_DST | EBPF_F_SRC)                                                 \
	X(JMP32_##NAME##_K, EBPF_JMP32 | (OPER) | EBPF_K, OPSTR, EBPF_FORM_JMP,                 \
	  EBPF_F_COND | EBPF_F_DST | EBPF_F_W32)                                                 \
	X(JMP32_##NAME##_X, EBPF_JMP32 | (OPER) | EBPF_X, OPSTR, EBPF_FORM_JMP,                 \
	  EBPF_F_COND | EBPF_F_DST | EBPF_F_SRC | EBPF_F_W32)

/* Loads and stores of one size. */
#define EBPF_MEM_SIZE(X, SZ, SIZE)                                                           \
	X(LDX_##SZ, EBPF_LDX | EBPF_MEM | (SIZE), "", EBPF_FORM_LDX,                            \
	  EBPF_F_SRC | EBPF_F_WDST | EBPF_F_MEM)                                                 \
	X(ST_##SZ, EBPF_ST | EBPF_MEM | (SIZE), "", EBPF_FORM_ST, EBPF_F_DST | EBPF_F_MEM)      \
	X(STX_##SZ, EBPF_STX | EBPF_MEM | (SIZE), "", EBPF_FORM_STX,                            \
	  EBPF_F_DST | EBPF_F_SRC | EBPF_F_MEM)

/* X(NAME, CODE, OP, FORM, FLAGS) */
#define EBPF_OPCODES(X)                                                                      \
	EBPF_ALU_OP(X, ADD, EBPF_ADD, "+=", EBPF_F_DST)                                         \
	EBPF_ALU_OP(X, SUB, EBPF_SUB, "-=", EBPF_F_DST)                                         \
	EBPF_ALU_OP(X, MUL, EBPF_MUL, "*=", EBPF_F_DST)                                         \
	EBPF_ALU_OP(X, DIV, EBPF_DIV, "/=", EBPF_F_DST | EBPF_F_DIV)                            \
	EBPF_ALU_OP(X, OR, EBPF_OR, "|=", EBPF_F_DST)                                           \
	EBPF_ALU_OP(X, AND, EBPF_AND, "&=", EBPF_F_DST)                                         \
	EBPF_ALU_OP(X, LSH, EBPF_LSH, "<<=", EBPF_F_DST)                                        \
	EBPF_ALU_OP(X, RSH, EBPF_RSH, ">>=", EBPF_F_DST)                                        \
	EBPF_ALU_OP(X, MOD, EBPF_MOD, "%=", EBPF_F_DST | EBPF_F_DIV)                            \
	EBPF_ALU_OP(X, XOR, EBPF_XOR, "^=", EBPF_F_DST)                                         \
	EBPF_ALU_OP(X, MOV, EBPF_MOV, "=", 0)                                                   \
	EBPF_ALU_OP(X, ARSH, EBPF_ARSH, "s>>=", EBPF_F_DST)                                     \
	X(ALU64_NEG, EBPF_ALU64 | EBPF_NEG, "-", EBPF_FORM_NEG, EBPF_F_DST | EBPF_F_WDST)        \
	X(ALU32_NEG, EBPF_ALU | EBPF_NEG, "-", EBPF_FORM_NEG,                                   \
	  EBPF_F_DST | EBPF_F_WDST | EBPF_F_W32)                                                 \
	X(END_LE, EBPF_ALU | EBPF_END | EBPF_TO_LE, "le", EBPF_FORM_END, EBPF_F_DST | EBPF_F_WDST) \
	X(END_BE, EBPF_ALU | EBPF_END | EBPF_TO_BE, "be", EBPF_FORM_END, EBPF_F_DST | EBPF_F_WDST) \
	X(JA, EBPF_JMP | EBPF_JA, "", EBPF_FORM_JA, 0)                                          \
	EBPF_JMP_OP(X, JEQ, EBPF_JEQ, "==")                                                     \
	EBPF_JMP_OP(X, JNE, EBPF_JNE, "!=")                                                     \
	EBPF_JMP_OP(X, JGT, EBPF_JGT, ">")                                                      \
	EBPF_JMP_OP(X, JGE, EBPF_JGE, ">=")                                                     \
	EBPF_JMP_OP(X, JLT, EBPF_JLT, "<")                                                      \
	EBPF_JMP_OP(X, JLE, EBPF_JLE, "<=")                                                     \
	EBPF_JMP_OP(X, JSET, EBPF_JSET, "&")                                                    \
	EBPF_JMP_OP(X, JSGT, EBPF_JSGT, "s>")                                                   \
	EBPF_JMP_OP(X, JSGE, EBPF_JSGE, "s>=")                                                  \
	EBPF_JMP_OP(X, JSLT, EBPF_JSLT, "s<")                                                   \
	EBPF_JMP_OP(X, JSLE, EBPF_JSLE, "s<=")                                                  \
	X(LD_ABS_B, EBPF_LD | EBPF_ABS | EBPF_B, "", EBPF_FORM_ABS, EBPF_F_PKT | EBPF_F_CLOBBER) \
	X(LD_ABS_H, EBPF_LD | EBPF_ABS | EBPF_H, "", EBPF_FORM_ABS, EBPF_F_PKT | EBPF_F_CLOBBER) \
	X(LD_ABS_W, EBPF_LD | EBPF_ABS | EBPF_W, "", EBPF_FORM_ABS, EBPF_F_PKT | EBPF_F_CLOBBER) \
	X(LD_IND_B, EBPF_LD | EBPF_IND | EBPF_B, "", EBPF_FORM_IND,                             \
	  EBPF_F_PKT | EBPF_F_CLOBBER | EBPF_F_SRC)                                              \
	X(LD_IND_H, EBPF_LD | EBPF_IND | EBPF_H, "", EBPF_FORM_IND,                             \
	  EBPF_F_PKT | EBPF_F_CLOBBER | EBPF_F_SRC)                                              \
	X(LD_IND_W, EBPF_LD | EBPF_IND | EBPF_W, "", EBPF_FORM_IND,                             \
	  EBPF_F_PKT | EBPF_F_CLOBBER | EBPF_F_SRC)                                              \
	EBPF_MEM_SIZE(X, B, EBPF_B)                                                             \
	EBPF_MEM_SIZE(X, H, EBPF_H)                                                             \
	EBPF_MEM_SIZE(X, W, EBPF_W)                                                             \
	EBPF_MEM_SIZE(X, DW, EBPF_DW)                                                           \
	X(LD_DW, EBPF_LD | EBPF_IMM | EBPF_DW, "", EBPF_FORM_LDDW, EBPF_F_WDST | EBPF_F_WIDE)   \
	X(CALL, EBPF_JMP | EBPF_CALL, "", EBPF_FORM_CALL, EBPF_F_CLOBBER)                       \
	X(EXIT, EBPF_JMP | EBPF_EXIT, "", EBPF_FORM_EXIT, 0)

enum ebpf_op {
#define EBPF_ENUM_OP(name, code, op, form, flags) EBPF_OP_##name = (code),
	EBPF_OPCODES(EBPF_ENUM_OP)
#undef EBPF_ENUM_OP
};

/* The table entry of `code`, or NULL when bpfc does not know the opcode. */
struct ebpf_opinfo {
	uint8_t code;
	const char *name; /* the NAME column, for messages */
	const char *op;
	enum ebpf_form form;
	unsigned flags;
};
const struct ebpf_opinfo *ebpf_opinfo(uint8_t code);

#endif
