/*
 * opcodes.h: every classic BPF opcode bpfc knows, once.
 *
 * CBPF_OPCODES(X) expands X(NAME, CODE, MNEMONIC, OPERAND, FLAGS) for each
 * opcode the Linux kernel accepts in a socket filter (net/core/filter.c's
 * whitelist).  The validator, interpreter, listing and assembler all expand
 * this one list; an opcode not listed here is invalid everywhere.
 *
 *   NAME      suffix of the enum cbpf_op constant (CBPF_OP_NAME)
 *   CODE      the 16-bit `code` value (only the low byte is ever non-zero)
 *   MNEMONIC  the name `tcpdump -d` prints (libpcap 1.10 has none for
 *             ldx #pktlen and prints "unimp 0x81": cbpf/listing.c copies
 *             that gap; the assembler reads both spellings)
 *   OPERAND   how the operand is printed and parsed (enum cbpf_operand)
 *   FLAGS     CBPF_F_* bits below: what the validator must check
 */
#ifndef BPFC_CBPF_OPCODES_H
#define BPFC_CBPF_OPCODES_H

#include <stdint.h>

/* Instruction classes, sizes, modes, operations (pcap/bpf.h values). */
enum {
	CBPF_LD = 0x00, CBPF_LDX = 0x01, CBPF_ST = 0x02, CBPF_STX = 0x03,
	CBPF_ALU = 0x04, CBPF_JMP = 0x05, CBPF_RET = 0x06, CBPF_MISC = 0x07,
	CBPF_W = 0x00, CBPF_H = 0x08, CBPF_B = 0x10,
	CBPF_IMM = 0x00, CBPF_ABS = 0x20, CBPF_IND = 0x40, CBPF_MEM = 0x60,
	CBPF_LEN = 0x80, CBPF_MSH = 0xa0,
	CBPF_ADD = 0x00, CBPF_SUB = 0x10, CBPF_MUL = 0x20, CBPF_DIV = 0x30,
	CBPF_OR = 0x40, CBPF_AND = 0x50, CBPF_LSH = 0x60, CBPF_RSH = 0x70,
	CBPF_NEG = 0x80, CBPF_MOD = 0x90, CBPF_XOR = 0xa0,
	CBPF_JA = 0x00, CBPF_JEQ = 0x10, CBPF_JGT = 0x20, CBPF_JGE = 0x30, CBPF_JSET = 0x40,
	CBPF_K = 0x00, CBPF_X = 0x08, CBPF_A = 0x10,
	CBPF_TAX = 0x00, CBPF_TXA = 0x80
};

#define CBPF_CLASS(code) ((code) & 0x07)

/* Scratch memory words, M[0] .. M[15]. */
#define CBPF_MEMWORDS 16

/* How an operand is written in a listing. */
enum cbpf_operand {
	CBPF_OPND_NONE, /* no operand: tax, txa, neg */
	CBPF_OPND_ABS,  /* [k] */
	CBPF_OPND_IND,  /* [x + k] */
	CBPF_OPND_LEN,  /* #pktlen */
	CBPF_OPND_IMM,  /* #0xk (hex) */
	CBPF_OPND_MEM,  /* M[k] */
	CBPF_OPND_MSH,  /* 4*([k]&0xf) */
	CBPF_OPND_JA,   /* absolute target pc + 1 + k */
	CBPF_OPND_JK,   /* #0xk, then jt/jf targets */
	CBPF_OPND_JX,   /* x, then jt/jf targets */
	CBPF_OPND_DEC,  /* #k (decimal) */
	CBPF_OPND_HEX,  /* #0xk (hex) */
	CBPF_OPND_X,    /* x */
	CBPF_OPND_RETK, /* #k (decimal) */
	CBPF_OPND_RETA, /* the accumulator */
	CBPF_OPND_CODE  /* none that libpcap knows: "unimp 0x<code>", k not shown */
};

/* What the validator checks, and what analyses need to know. */
enum {
	CBPF_F_PKT = 1u << 0,    /* reads the packet (may reject it at run time) */
	CBPF_F_MEMRD = 1u << 1,  /* reads M[k]: k < 16, written on every path */
	CBPF_F_MEMWR = 1u << 2,  /* writes M[k]: k < 16 */
	CBPF_F_JA = 1u << 3,     /* unconditional jump by k */
	CBPF_F_COND = 1u << 4,   /* conditional jump by jt/jf */
	CBPF_F_RET = 1u << 5,    /* ends the program */
	CBPF_F_NONZK = 1u << 6,  /* k must not be 0 (division/modulo by k) */
	CBPF_F_SHIFTK = 1u << 7, /* k must be below 32 (shift by k) */
	CBPF_F_USEX = 1u << 8    /* reads X */
};

/* X(NAME, CODE, MNEMONIC, OPERAND, FLAGS) */
#define CBPF_OPCODES(X)                                                                  \
	X(LD_W_ABS, CBPF_LD | CBPF_W | CBPF_ABS, "ld", CBPF_OPND_ABS, CBPF_F_PKT)           \
	X(LD_H_ABS, CBPF_LD | CBPF_H | CBPF_ABS, "ldh", CBPF_OPND_ABS, CBPF_F_PKT)          \
	X(LD_B_ABS, CBPF_LD | CBPF_B | CBPF_ABS, "ldb", CBPF_OPND_ABS, CBPF_F_PKT)          \
	X(LD_W_IND, CBPF_LD | CBPF_W | CBPF_IND, "ld", CBPF_OPND_IND, CBPF_F_PKT | CBPF_F_USEX) \
	X(LD_H_IND, CBPF_LD | CBPF_H | CBPF_IND, "ldh", CBPF_OPND_IND, CBPF_F_PKT | CBPF_F_USEX) \
	X(LD_B_IND, CBPF_LD | CBPF_B | CBPF_IND, "ldb", CBPF_OPND_IND, CBPF_F_PKT | CBPF_F_USEX) \
	X(LD_W_LEN, CBPF_LD | CBPF_W | CBPF_LEN, "ld", CBPF_OPND_LEN, 0)                    \
	X(LD_IMM, CBPF_LD | CBPF_IMM, "ld", CBPF_OPND_IMM, 0)                               \
	X(LD_MEM, CBPF_LD | CBPF_MEM, "ld", CBPF_OPND_MEM, CBPF_F_MEMRD)                    \
	X(LDX_IMM, CBPF_LDX | CBPF_IMM, "ldx", CBPF_OPND_IMM, 0)                            \
	X(LDX_MEM, CBPF_LDX | CBPF_MEM, "ldx", CBPF_OPND_MEM, CBPF_F_MEMRD)                 \
	X(LDX_W_LEN, CBPF_LDX | CBPF_W | CBPF_LEN, "ldx", CBPF_OPND_LEN, 0)                 \
	X(LDX_B_MSH, CBPF_LDX | CBPF_B | CBPF_MSH, "ldxb", CBPF_OPND_MSH, CBPF_F_PKT)       \
	X(ST, CBPF_ST, "st", CBPF_OPND_MEM, CBPF_F_MEMWR)                                   \
	X(STX, CBPF_STX, "stx", CBPF_OPND_MEM, CBPF_F_MEMWR | CBPF_F_USEX)                  \
	X(ADD_K, CBPF_ALU | CBPF_ADD | CBPF_K, "add", CBPF_OPND_DEC, 0)                     \
	X(SUB_K, CBPF_ALU | CBPF_SUB | CBPF_K, "sub", CBPF_OPND_DEC, 0)                     \
	X(MUL_K, CBPF_ALU | CBPF_MUL | CBPF_K, "mul", CBPF_OPND_DEC, 0)                     \
	X(DIV_K, CBPF_ALU | CBPF_DIV | CBPF_K, "div", CBPF_OPND_DEC, CBPF_F_NONZK)          \
	X(MOD_K, CBPF_ALU | CBPF_MOD | CBPF_K, "mod", CBPF_OPND_DEC, CBPF_F_NONZK)          \
	X(AND_K, CBPF_ALU | CBPF_AND | CBPF_K, "and", CBPF_OPND_HEX, 0)                     \
	X(OR_K, CBPF_ALU | CBPF_OR | CBPF_K, "or", CBPF_OPND_HEX, 0)                        \
	X(XOR_K, CBPF_ALU | CBPF_XOR | CBPF_K, "xor", CBPF_OPND_HEX, 0)                     \
	X(LSH_K, CBPF_ALU | CBPF_LSH | CBPF_K, "lsh", CBPF_OPND_DEC, CBPF_F_SHIFTK)         \
	X(RSH_K, CBPF_ALU | CBPF_RSH | CBPF_K, "rsh", CBPF_OPND_DEC, CBPF_F_SHIFTK)         \
	X(ADD_X, CBPF_ALU | CBPF_ADD | CBPF_X, "add", CBPF_OPND_X, CBPF_F_USEX)             \
	X(SUB_X, CBPF_ALU | CBPF_SUB | CBPF_X, "sub", CBPF_OPND_X, CBPF_F_USEX)             \
	X(MUL_X, CBPF_ALU | CBPF_MUL | CBPF_X, "mul", CBPF_OPND_X, CBPF_F_USEX)             \
	X(DIV_X, CBPF_ALU | CBPF_DIV | CBPF_X, "div", CBPF_OPND_X, CBPF_F_USEX)             \
	X(MOD_X, CBPF_ALU | CBPF_MOD | CBPF_X, "mod", CBPF_OPND_X, CBPF_F_USEX)             \
	X(AND_X, CBPF_ALU | CBPF_AND | CBPF_X, "and", CBPF_OPND_X, CBPF_F_USEX)             \
	X(OR_X, CBPF_ALU | CBPF_OR | CBPF_X, "or", CBPF_OPND_X, CBPF_F_USEX)                \
	X(XOR_X, CBPF_ALU | CBPF_XOR | CBPF_X, "xor", CBPF_OPND_X, CBPF_F_USEX)             \
	X(LSH_X, CBPF_ALU | CBPF_LSH | CBPF_X, "lsh", CBPF_OPND_X, CBPF_F_USEX)             \
	X(RSH_X, CBPF_ALU | CBPF_RSH | CBPF_X, "rsh", CBPF_OPND_X, CBPF_F_USEX)             \
	X(NEG, CBPF_ALU | CBPF_NEG, "neg", CBPF_OPND_NONE, 0)                               \
	X(JA, CBPF_JMP | CBPF_JA, "ja", CBPF_OPND_JA, CBPF_F_JA)                            \
	X(JEQ_K, CBPF_JMP | CBPF_JEQ | CBPF_K, "jeq", CBPF_OPND_JK, CBPF_F_COND)            \
	X(JGT_K, CBPF_JMP | CBPF_JGT | CBPF_K, "jgt", CBPF_OPND_JK, CBPF_F_COND)            \
	X(JGE_K, CBPF_JMP | CBPF_JGE | CBPF_K, "jge", CBPF_OPND_JK, CBPF_F_COND)            \
	X(JSET_K, CBPF_JMP | CBPF_JSET | CBPF_K, "jset", CBPF_OPND_JK, CBPF_F_COND)         \
	X(JEQ_X, CBPF_JMP | CBPF_JEQ | CBPF_X, "jeq", CBPF_OPND_JX, CBPF_F_COND | CBPF_F_USEX) \
	X(JGT_X, CBPF_JMP | CBPF_JGT | CBPF_X, "jgt", CBPF_OPND_JX, CBPF_F_COND | CBPF_F_USEX) \
	X(JGE_X, CBPF_JMP | CBPF_JGE | CBPF_X, "jge", CBPF_OPND_JX, CBPF_F_COND | CBPF_F_USEX) \
	X(JSET_X, CBPF_JMP | CBPF_JSET | CBPF_X, "jset", CBPF_OPND_JX, CBPF_F_COND | CBPF_F_USEX) \
	X(RET_K, CBPF_RET | CBPF_K, "ret", CBPF_OPND_RETK, CBPF_F_RET)                      \
	X(RET_A, CBPF_RET | CBPF_A, "ret", CBPF_OPND_RETA, CBPF_F_RET)                      \
	X(TAX, CBPF_MISC | CBPF_TAX, "tax", CBPF_OPND_NONE, 0)                              \
	X(TXA, CBPF_MISC | CBPF_TXA, "txa", CBPF_OPND_NONE, CBPF_F_USEX)

enum cbpf_op {
	CBPF_OP_INVALID = 0,
#define CBPF_ENUM(name, code, mnem, opnd, flags) CBPF_OP_##name,
	CBPF_OPCODES(CBPF_ENUM)
#undef CBPF_ENUM
	CBPF_OP_COUNT
};

struct cbpf_opinfo {
	uint16_t code;
	const char *mnemonic;
	enum cbpf_operand operand;
	unsigned flags;
};

/* Indexed by enum cbpf_op; entry CBPF_OP_INVALID has mnemonic NULL. */
extern const struct cbpf_opinfo cbpf_opinfo[CBPF_OP_COUNT];

/* The op of a 16-bit code, CBPF_OP_INVALID for a code the kernel refuses. */
enum cbpf_op cbpf_decode(uint16_t code);

#endif
