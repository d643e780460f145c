/*
 * check_interp.c: the cBPF interpreter, one edge at a time.
 *
 * A static table of small hand-written programs and packets aims at each
 * opcode and each edge of bpf_filter's semantics (a load ending exactly at
 * caplen and one byte past it, `len` with caplen < wirelen, X + k
 * overflowing 32 bits, division and modulo by X = 0, shifts by X = 31, 32,
 * 33 and 255, NEG of 0 and 2^31, JSET both ways, ldxb at the last byte,
 * large `ret a` values); a second set builds 4096-instruction programs and
 * jumps of the largest distances at run time.
 *
 * Oracle: libpcap's bpf_filter() on the same instructions and packet; no
 * expected value is written here.  Each case is also loaded through the
 * public API (bpfc_load_cbpf + bpfc_run), which must agree.  The `edge`
 * field of a case only says whether the case is meant to be rejected or
 * accepted, and is checked against libpcap too: it keeps a case from
 * silently testing something other than its name says.
 *
 * Packets end right before a PROT_NONE page, so a read past caplen faults.
 */
#include <config.h>

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <pcap/pcap.h>

#include "bpfc.h"
#include "cbpf/cbpf.h"
#include "tests/gen/testenv.h"

static_assert(sizeof(struct bpfc_insn) == sizeof(struct bpf_insn), "insn size");
static_assert(offsetof(struct bpfc_insn, code) == offsetof(struct bpf_insn, code), "code");
static_assert(offsetof(struct bpfc_insn, jt) == offsetof(struct bpf_insn, jt), "jt");
static_assert(offsetof(struct bpfc_insn, jf) == offsetof(struct bpf_insn, jf), "jf");
static_assert(offsetof(struct bpfc_insn, k) == offsetof(struct bpf_insn, k), "k");

/* What a case is about, checked against libpcap's answer. */
enum ic_edge {
	IC_ANY,     /* a value to compare */
	IC_ZERO,    /* meant to be rejected (returns 0) */
	IC_NONZERO  /* meant to get through (the near side of an edge) */
};

struct ic_case {
	const char *name;
	const struct bpfc_insn *prog;
	size_t n;
	const uint8_t *pkt;
	uint32_t caplen, wirelen;
	enum ic_edge edge;
};

/* 64 distinct-looking bytes: byte i is (37 i + 0x81) mod 256. */
static const uint8_t ic_seq[64] = {
	0x81, 0xa6, 0xcb, 0xf0, 0x15, 0x3a, 0x5f, 0x84,
	0xa9, 0xce, 0xf3, 0x18, 0x3d, 0x62, 0x87, 0xac,
	0xd1, 0xf6, 0x1b, 0x40, 0x65, 0x8a, 0xaf, 0xd4,
	0xf9, 0x1e, 0x43, 0x68, 0x8d, 0xb2, 0xd7, 0xfc,
	0x21, 0x46, 0x6b, 0x90, 0xb5, 0xda, 0xff, 0x24,
	0x49, 0x6e, 0x93, 0xb8, 0xdd, 0x02, 0x27, 0x4c,
	0x71, 0x96, 0xbb, 0xe0, 0x05, 0x2a, 0x4f, 0x74,
	0x99, 0xbe, 0xe3, 0x08, 0x2d, 0x52, 0x77, 0x9c,
};

/* Ethernet, IPv4 with one word of options (IHL 6), TCP 1234 -> 80. */
static const uint8_t ic_tcp[62] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00,
	0x46, 0x00, 0x00, 0x30, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x01, 0x01, 0x01, 0x00,
	0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x50, 0x12, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef,
};

#define PROG(...)                                                                        \
	.prog = (const struct bpfc_insn[]){__VA_ARGS__},                                 \
	.n = sizeof((const struct bpfc_insn[]){__VA_ARGS__}) / sizeof(struct bpfc_insn)
#define SEQ(cap, wire) .pkt = ic_seq, .caplen = (cap), .wirelen = (wire)
#define TCP(cap, wire) .pkt = ic_tcp, .caplen = (cap), .wirelen = (wire)
#define S BPF_STMT
#define J BPF_JUMP
#define RET_A S(BPF_RET | BPF_A, 0)
/* A return that tells "the load worked" apart from "rejected". */
#define RET_OK S(BPF_RET | BPF_K, 77)
#define SETX(v) S(BPF_LDX | BPF_IMM, (v))
#define SETA(v) S(BPF_LD | BPF_IMM, (v))

static const struct ic_case ic_cases[] = {
	/* ---- absolute loads: exactly at the end of the capture, one past ---- */
	{"ld [0] big-endian", PROG(S(BPF_LD | BPF_W | BPF_ABS, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"ld [60] ends at caplen", PROG(S(BPF_LD | BPF_W | BPF_ABS, 60), RET_A), SEQ(64, 64), IC_NONZERO},
	{"ld [61] one past caplen", PROG(S(BPF_LD | BPF_W | BPF_ABS, 61), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ld [0] caplen 3", PROG(S(BPF_LD | BPF_W | BPF_ABS, 0), RET_OK), SEQ(3, 64), IC_ZERO},
	{"ld [0] caplen 4", PROG(S(BPF_LD | BPF_W | BPF_ABS, 0), RET_A), SEQ(4, 64), IC_NONZERO},
	{"ldh [62] ends at caplen", PROG(S(BPF_LD | BPF_H | BPF_ABS, 62), RET_A), SEQ(64, 64), IC_NONZERO},
	{"ldh [63] one past caplen", PROG(S(BPF_LD | BPF_H | BPF_ABS, 63), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ldb [63] last byte", PROG(S(BPF_LD | BPF_B | BPF_ABS, 63), RET_A), SEQ(64, 64), IC_NONZERO},
	{"ldb [64] one past caplen", PROG(S(BPF_LD | BPF_B | BPF_ABS, 64), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ldb [10] caplen 10 < wirelen", PROG(S(BPF_LD | BPF_B | BPF_ABS, 10), RET_OK), SEQ(10, 64), IC_ZERO},
	{"ldb [0] caplen 0", PROG(S(BPF_LD | BPF_B | BPF_ABS, 0), RET_OK), SEQ(0, 60), IC_ZERO},
	{"ld [65535]", PROG(S(BPF_LD | BPF_W | BPF_ABS, 65535), RET_OK), SEQ(64, 70000), IC_ZERO},
	{"ldh [0xffdffffe]", PROG(S(BPF_LD | BPF_H | BPF_ABS, 0xffdffffe), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ld [0xffdffffd]", PROG(S(BPF_LD | BPF_W | BPF_ABS, 0xffdffffd), RET_OK), SEQ(64, 64), IC_ZERO},

	/* ---- len is wirelen ---- */
	{"ld len, caplen < wirelen", PROG(S(BPF_LD | BPF_W | BPF_LEN, 0), RET_A), SEQ(20, 1514), IC_NONZERO},
	{"ld len, caplen 0", PROG(S(BPF_LD | BPF_W | BPF_LEN, 0), RET_A), SEQ(0, 9000), IC_NONZERO},
	{"ld len 0xffffffff", PROG(S(BPF_LD | BPF_W | BPF_LEN, 0), RET_A), SEQ(64, 0xffffffff), IC_NONZERO},
	{"ldx len; txa", PROG(S(BPF_LDX | BPF_W | BPF_LEN, 0), S(BPF_MISC | BPF_TXA, 0), RET_A), SEQ(8, 4000), IC_NONZERO},
	{"no packet: ret #1", PROG(S(BPF_RET | BPF_K, 1)), SEQ(0, 0), IC_NONZERO},

	/* ---- indirect loads and X + k overflow ---- */
	{"ld [x + 56] ends at caplen", PROG(SETX(4), S(BPF_LD | BPF_W | BPF_IND, 56), RET_A), SEQ(64, 64), IC_NONZERO},
	{"ld [x + 57] one past", PROG(SETX(4), S(BPF_LD | BPF_W | BPF_IND, 57), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ldh [x + 60] ends at caplen", PROG(SETX(2), S(BPF_LD | BPF_H | BPF_IND, 60), RET_A), SEQ(64, 64), IC_NONZERO},
	{"ldh [x + 61] one past", PROG(SETX(2), S(BPF_LD | BPF_H | BPF_IND, 61), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ldb [x + 0] x = caplen - 1", PROG(SETX(63), S(BPF_LD | BPF_B | BPF_IND, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"ldb [x + 0] x = caplen", PROG(SETX(64), S(BPF_LD | BPF_B | BPF_IND, 0), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ldb [x + 1] x = 2^32 - 1 wraps to 0", PROG(SETX(0xffffffff), S(BPF_LD | BPF_B | BPF_IND, 1), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ldh [x + 0x12] x = 2^32 - 16", PROG(SETX(0xfffffff0), S(BPF_LD | BPF_H | BPF_IND, 0x12), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ld [x + 4] x = 2^32 - 4", PROG(SETX(0xfffffffc), S(BPF_LD | BPF_W | BPF_IND, 4), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ld [x + 0x7ffffff0] x = 2^31 + 0x20", PROG(SETX(0x80000020), S(BPF_LD | BPF_W | BPF_IND, 0x7ffffff0), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ldb [x + 0xffdfffff] x = 0x200002", PROG(SETX(0x200002), S(BPF_LD | BPF_B | BPF_IND, 0xffdfffff), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ldb [x + 1] x = len = 2^32 - 1", PROG(S(BPF_LDX | BPF_W | BPF_LEN, 0), S(BPF_LD | BPF_B | BPF_IND, 1), RET_OK), SEQ(64, 0xffffffff), IC_ZERO},
	{"ld [x + 65535] x = 2^32 - 65535", PROG(SETX(0xffff0001), S(BPF_LD | BPF_W | BPF_IND, 65535), RET_OK), SEQ(64, 64), IC_ZERO},

	/* ---- ldxb: the IPv4 header walk ---- */
	{"ldxb 4*([14]&0xf); ldh [x + 14]", PROG(S(BPF_LDX | BPF_B | BPF_MSH, 14), S(BPF_LD | BPF_H | BPF_IND, 14), RET_A), TCP(62, 62), IC_NONZERO},
	{"ldxb; ldh [x + 16] dst port", PROG(S(BPF_LDX | BPF_B | BPF_MSH, 14), S(BPF_LD | BPF_H | BPF_IND, 16), RET_A), TCP(62, 62), IC_NONZERO},
	{"ldxb; ldh [x + 16] truncated", PROG(S(BPF_LDX | BPF_B | BPF_MSH, 14), S(BPF_LD | BPF_H | BPF_IND, 16), RET_OK), TCP(41, 62), IC_ZERO},
	{"ldxb [63] last byte", PROG(S(BPF_LDX | BPF_B | BPF_MSH, 63), S(BPF_MISC | BPF_TXA, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"ldxb [64] one past", PROG(S(BPF_LDX | BPF_B | BPF_MSH, 64), RET_OK), SEQ(64, 64), IC_ZERO},
	{"ldxb [0] caplen 0", PROG(S(BPF_LDX | BPF_B | BPF_MSH, 0), RET_OK), SEQ(0, 64), IC_ZERO},

	/* ---- division and modulo ---- */
	{"div x, x = 0", PROG(SETX(0), SETA(10), S(BPF_ALU | BPF_DIV | BPF_X, 0), RET_OK), SEQ(64, 64), IC_ZERO},
	{"mod x, x = 0", PROG(SETX(0), SETA(10), S(BPF_ALU | BPF_MOD | BPF_X, 0), RET_OK), SEQ(64, 64), IC_ZERO},
	{"div x, x = 0 after tax", PROG(SETA(0), S(BPF_MISC | BPF_TAX, 0), SETA(5), S(BPF_ALU | BPF_DIV | BPF_X, 0), RET_OK), SEQ(64, 64), IC_ZERO},
	{"div x, x = 7", PROG(SETX(7), SETA(0xfffffff0), S(BPF_ALU | BPF_DIV | BPF_X, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"mod x, x = 7", PROG(SETX(7), SETA(0xfffffff0), S(BPF_ALU | BPF_MOD | BPF_X, 0), RET_A), SEQ(64, 64), IC_ANY},
	{"div x, x = 2^32 - 1", PROG(SETX(0xffffffff), SETA(0xffffffff), S(BPF_ALU | BPF_DIV | BPF_X, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"div #3", PROG(SETA(0x80000001), S(BPF_ALU | BPF_DIV | BPF_K, 3), RET_A), SEQ(64, 64), IC_NONZERO},
	{"mod #0x80000000", PROG(SETA(0xfedcba98), S(BPF_ALU | BPF_MOD | BPF_K, 0x80000000), RET_A), SEQ(64, 64), IC_NONZERO},

	/* ---- shifts ---- */
	{"lsh x, x = 31", PROG(SETX(31), SETA(0x87654321), S(BPF_ALU | BPF_LSH | BPF_X, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"lsh x, x = 32", PROG(SETX(32), SETA(0x87654321), S(BPF_ALU | BPF_LSH | BPF_X, 0), RET_A), SEQ(64, 64), IC_ANY},
	{"lsh x, x = 33", PROG(SETX(33), SETA(0x87654321), S(BPF_ALU | BPF_LSH | BPF_X, 0), RET_A), SEQ(64, 64), IC_ANY},
	{"lsh x, x = 255", PROG(SETX(255), SETA(0x87654321), S(BPF_ALU | BPF_LSH | BPF_X, 0), RET_A), SEQ(64, 64), IC_ANY},
	{"lsh x, x = 2^32 - 1", PROG(SETX(0xffffffff), SETA(0x87654321), S(BPF_ALU | BPF_LSH | BPF_X, 0), RET_A), SEQ(64, 64), IC_ANY},
	{"rsh x, x = 31", PROG(SETX(31), SETA(0x87654321), S(BPF_ALU | BPF_RSH | BPF_X, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"rsh x, x = 32", PROG(SETX(32), SETA(0x87654321), S(BPF_ALU | BPF_RSH | BPF_X, 0), RET_A), SEQ(64, 64), IC_ANY},
	{"rsh x, x = 33", PROG(SETX(33), SETA(0x87654321), S(BPF_ALU | BPF_RSH | BPF_X, 0), RET_A), SEQ(64, 64), IC_ANY},
	{"rsh x, x = 255", PROG(SETX(255), SETA(0x87654321), S(BPF_ALU | BPF_RSH | BPF_X, 0), RET_A), SEQ(64, 64), IC_ANY},
	{"rsh x, x = 0x80000000", PROG(SETX(0x80000000), SETA(0x87654321), S(BPF_ALU | BPF_RSH | BPF_X, 0), RET_A), SEQ(64, 64), IC_ANY},
	{"lsh x, x = 0", PROG(SETX(0), SETA(0x87654321), S(BPF_ALU | BPF_LSH | BPF_X, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"lsh #31", PROG(SETA(3), S(BPF_ALU | BPF_LSH | BPF_K, 31), RET_A), SEQ(64, 64), IC_NONZERO},
	{"rsh #31", PROG(SETA(0x80000000), S(BPF_ALU | BPF_RSH | BPF_K, 31), RET_A), SEQ(64, 64), IC_NONZERO},

	/* ---- other arithmetic, wrapping ---- */
	{"add #2 wraps", PROG(SETA(0xffffffff), S(BPF_ALU | BPF_ADD | BPF_K, 2), RET_A), SEQ(64, 64), IC_NONZERO},
	{"sub #2 wraps", PROG(SETA(1), S(BPF_ALU | BPF_SUB | BPF_K, 2), RET_A), SEQ(64, 64), IC_NONZERO},
	{"mul #0x10001 overflows", PROG(SETA(0x12345678), S(BPF_ALU | BPF_MUL | BPF_K, 0x10001), RET_A), SEQ(64, 64), IC_NONZERO},
	{"and #0xf0f0f0f0", PROG(SETA(0x12345678), S(BPF_ALU | BPF_AND | BPF_K, 0xf0f0f0f0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"or #0x80000000", PROG(SETA(0x12345678), S(BPF_ALU | BPF_OR | BPF_K, 0x80000000), RET_A), SEQ(64, 64), IC_NONZERO},
	{"xor #0xffffffff", PROG(SETA(0x12345678), S(BPF_ALU | BPF_XOR | BPF_K, 0xffffffff), RET_A), SEQ(64, 64), IC_NONZERO},
	{"add x wraps", PROG(SETX(0x80000000), SETA(0x80000001), S(BPF_ALU | BPF_ADD | BPF_X, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"sub x wraps", PROG(SETX(0x80000001), SETA(0x80000000), S(BPF_ALU | BPF_SUB | BPF_X, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"mul x overflows", PROG(SETX(0xfffffffd), SETA(0xfffffffb), S(BPF_ALU | BPF_MUL | BPF_X, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"and x", PROG(SETX(0xff00ff00), SETA(0x12345678), S(BPF_ALU | BPF_AND | BPF_X, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"or x", PROG(SETX(0xff00ff00), SETA(0x12345678), S(BPF_ALU | BPF_OR | BPF_X, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"xor x", PROG(SETX(0xff00ff00), SETA(0x12345678), S(BPF_ALU | BPF_XOR | BPF_X, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"neg 0", PROG(SETA(0), S(BPF_ALU | BPF_NEG, 0), RET_OK), SEQ(64, 64), IC_NONZERO},
	{"neg 0 ret a", PROG(SETA(0), S(BPF_ALU | BPF_NEG, 0), RET_A), SEQ(64, 64), IC_ANY},
	{"neg 0x80000000", PROG(SETA(0x80000000), S(BPF_ALU | BPF_NEG, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"neg 1", PROG(SETA(1), S(BPF_ALU | BPF_NEG, 0), RET_A), SEQ(64, 64), IC_NONZERO},

	/* ---- jumps ---- */
	{"jset #k taken", PROG(SETA(0x10), J(BPF_JMP | BPF_JSET | BPF_K, 0x30, 0, 1), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2)), SEQ(64, 64), IC_NONZERO},
	{"jset #k not taken", PROG(SETA(0x10), J(BPF_JMP | BPF_JSET | BPF_K, 0x01, 0, 1), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2)), SEQ(64, 64), IC_NONZERO},
	{"jset x taken", PROG(SETX(0x80000000), SETA(0xc0000000), J(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2)), SEQ(64, 64), IC_NONZERO},
	{"jset x not taken", PROG(SETX(0x80000000), SETA(0x7fffffff), J(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2)), SEQ(64, 64), IC_NONZERO},
	{"jgt #0x7fffffff unsigned", PROG(SETA(0x80000000), J(BPF_JMP | BPF_JGT | BPF_K, 0x7fffffff, 0, 1), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2)), SEQ(64, 64), IC_NONZERO},
	{"jgt #k equal", PROG(SETA(0xffffffff), J(BPF_JMP | BPF_JGT | BPF_K, 0xffffffff, 0, 1), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2)), SEQ(64, 64), IC_NONZERO},
	{"jge #k equal", PROG(SETA(0xffffffff), J(BPF_JMP | BPF_JGE | BPF_K, 0xffffffff, 0, 1), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2)), SEQ(64, 64), IC_NONZERO},
	{"jeq #0x80000000", PROG(SETA(0x80000000), J(BPF_JMP | BPF_JEQ | BPF_K, 0x80000000, 1, 0), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2)), SEQ(64, 64), IC_NONZERO},
	{"jgt x unsigned", PROG(SETX(1), SETA(0xffffffff), J(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 1), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2)), SEQ(64, 64), IC_NONZERO},
	{"jge x equal", PROG(SETX(0x80000000), SETA(0x80000000), J(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 1), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2)), SEQ(64, 64), IC_NONZERO},
	{"jeq x false", PROG(SETX(1), SETA(2), J(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2)), SEQ(64, 64), IC_NONZERO},
	{"jeq jt = jf = 0", PROG(SETA(5), J(BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"ja 0", PROG(S(BPF_JMP | BPF_JA, 0), RET_OK), SEQ(64, 64), IC_NONZERO},
	{"ja 2", PROG(S(BPF_JMP | BPF_JA, 2), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2), S(BPF_RET | BPF_K, 3)), SEQ(64, 64), IC_NONZERO},

	/* ---- scratch memory, X <-> A ---- */
	{"st/ldx M[15], stx/ld M[0]", PROG(SETA(0xabcdef01), S(BPF_ST, 15), S(BPF_LDX | BPF_MEM, 15), S(BPF_STX, 0), SETA(0), S(BPF_LD | BPF_MEM, 0), RET_A), SEQ(64, 64), IC_NONZERO},
	{"M[] on both arms", PROG(S(BPF_LD | BPF_B | BPF_ABS, 5), J(BPF_JMP | BPF_JGT | BPF_K, 0x30, 0, 2), S(BPF_ST, 7), S(BPF_JMP | BPF_JA, 2), S(BPF_MISC | BPF_TAX, 0), S(BPF_STX, 7), S(BPF_LD | BPF_MEM, 7), RET_A), SEQ(64, 64), IC_NONZERO},
	{"tax; txa", PROG(SETA(0x11223344), S(BPF_MISC | BPF_TAX, 0), SETA(0), S(BPF_MISC | BPF_TXA, 0), RET_A), SEQ(64, 64), IC_NONZERO},

	/* ---- returns ---- */
	{"ret a 0xffffffff", PROG(SETA(0xffffffff), RET_A), SEQ(64, 64), IC_NONZERO},
	{"ret a 0x80000000", PROG(SETA(0x80000000), RET_A), SEQ(64, 64), IC_NONZERO},
	{"ret a 0 (initial A)", PROG(RET_A), SEQ(64, 64), IC_ZERO},
	{"ret #0xffffffff", PROG(S(BPF_RET | BPF_K, 0xffffffff)), SEQ(64, 64), IC_NONZERO},
	{"ret #0", PROG(S(BPF_RET | BPF_K, 0)), SEQ(64, 64), IC_ZERO},
	{"initial X is 0", PROG(S(BPF_MISC | BPF_TXA, 0), RET_A), SEQ(64, 64), IC_ZERO},
};
#define IC_NCASES (sizeof(ic_cases) / sizeof(ic_cases[0]))

/* ---- running a program three ways ------------------------------------------ */

/* Run on libpcap, cbpf_run and the public API; all three must agree.
 * Returns libpcap's answer. */
static uint32_t
ic_run_all(const char *name, const struct bpfc_insn *prog, size_t n, const uint8_t *data,
	   uint32_t caplen, uint32_t wirelen)
{
	/* The packet ends right before an inaccessible page. */
	struct testenv_guard g;
	ck_assert_int_eq(testenv_guard_init(&g, caplen), 0);
	const uint8_t *pkt = testenv_guard_put(&g, data, caplen);
	struct bpf_insn *pc = testenv_to_pcap(prog, n);
	char errbuf[BPFC_ERRBUF_SIZE] = "";

	ck_assert_ptr_nonnull(pkt);
	ck_assert_ptr_nonnull(pc);
	ck_assert_msg(bpf_validate(pc, (int)n), "%s: libpcap's bpf_validate refuses it", name);
	uint32_t want = bpf_filter(pc, pkt, wirelen, caplen);
	uint32_t got = cbpf_run(prog, pkt, wirelen, caplen);
	ck_assert_msg(got == want, "%s: cbpf_run %#x, libpcap bpf_filter %#x", name, got, want);

	struct bpfc_filter *f = bpfc_load_cbpf(prog, n, errbuf);
	ck_assert_msg(f != NULL, "%s: bpfc_load_cbpf: %s", name, errbuf);
	uint32_t api = bpfc_run(f, pkt, wirelen, caplen);
	ck_assert_msg(api == want, "%s: bpfc_run %#x, libpcap bpf_filter %#x", name, api, want);
	bpfc_free(f);
	free(pc);
	testenv_guard_free(&g);
	return want;
}

START_TEST(test_case)
{
	const struct ic_case *c = &ic_cases[_i];
	uint32_t want = ic_run_all(c->name, c->prog, c->n, c->pkt, c->caplen, c->wirelen);

	if (c->edge == IC_ZERO)
		ck_assert_msg(want == 0, "%s: meant to be rejected, but libpcap returns %#x", c->name, want);
	if (c->edge == IC_NONZERO)
		ck_assert_msg(want != 0, "%s: meant to get through, but libpcap returns 0", c->name);
}
END_TEST

/* The table above must use every opcode bpfc knows. */
START_TEST(test_every_opcode)
{
	static const struct {
		uint16_t code;
		const char *mnemonic;
	} ops[] = {
#define IC_OP(name, code, mnem, opnd, flags) {(code), #name},
		CBPF_OPCODES(IC_OP)
#undef IC_OP
	};
	for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		int seen = 0;
		for (size_t c = 0; c < IC_NCASES && !seen; c++)
			for (size_t i = 0; i < ic_cases[c].n && !seen; i++)
				seen = ic_cases[c].prog[i].code == ops[o].code;
		ck_assert_msg(seen, "no case uses %s (code %#x)", ops[o].mnemonic, ops[o].code);
	}
}
END_TEST

/* ---- long programs, built at run time ----------------------------------------- */

/* 4096 instructions: 4095 of arithmetic on A, X and M[], then ret a. */
static size_t
ic_big_alu(struct bpfc_insn *p)
{
	static const uint16_t alu[] = {BPF_ADD, BPF_SUB, BPF_MUL, BPF_OR, BPF_XOR, BPF_AND};
	size_t n = BPFC_MAX_INSNS_DEFAULT;

	p[0] = (struct bpfc_insn)S(BPF_LD | BPF_W | BPF_ABS, 0);
	p[1] = (struct bpfc_insn)S(BPF_ST, 0);
	for (size_t i = 2; i < n - 1; i++) {
		uint32_t k = (uint32_t)i * 0x9e3779b9u;
		switch (i % 8) {
		case 0:
			p[i] = (struct bpfc_insn)S(BPF_ALU | BPF_RSH | BPF_K, (uint32_t)i % 32);
			break;
		case 1:
			p[i] = (struct bpfc_insn)S(BPF_MISC | BPF_TAX, 0);
			break;
		case 2:
			p[i] = (struct bpfc_insn)S(BPF_ST, (uint32_t)i % 16);
			break;
		case 3:
			p[i] = (struct bpfc_insn)S(BPF_LDX | BPF_MEM, 0);
			break;
		case 4:
			p[i] = (struct bpfc_insn)S(BPF_ALU | alu[i % 6] | BPF_X, 0);
			break;
		default:
			p[i] = (struct bpfc_insn)S(BPF_ALU | alu[i % 6] | BPF_K, k | 1);
			break;
		}
	}
	p[n - 1] = (struct bpfc_insn)RET_A;
	return n;
}

/* 4096 instructions where every 257th is a conditional jump of 255 (jt or
 * jf by A's low bit) and the rest count how many were skipped. */
static size_t
ic_big_jumps(struct bpfc_insn *p)
{
	size_t n = BPFC_MAX_INSNS_DEFAULT;

	p[0] = (struct bpfc_insn)S(BPF_LD | BPF_W | BPF_ABS, 4);
	for (size_t i = 1; i < n - 1; i++) {
		if (i % 257 == 1 && i + 256 < n - 1)
			p[i] = (struct bpfc_insn)J(BPF_JMP | BPF_JSET | BPF_K, 1u << (i / 257 % 32),
						   255, (i / 257 % 3 == 0) ? 255 : 0);
		else
			p[i] = (struct bpfc_insn)S(BPF_ALU | BPF_ADD | BPF_K, 1);
	}
	p[n - 1] = (struct bpfc_insn)RET_A;
	return n;
}

/* ja from the first instruction to the last of 4096. */
static size_t
ic_big_ja(struct bpfc_insn *p)
{
	size_t n = BPFC_MAX_INSNS_DEFAULT;

	p[0] = (struct bpfc_insn)S(BPF_JMP | BPF_JA, (uint32_t)n - 2);
	for (size_t i = 1; i < n - 1; i++)
		p[i] = (struct bpfc_insn)S(BPF_RET | BPF_K, (uint32_t)i);
	p[n - 1] = (struct bpfc_insn)S(BPF_RET | BPF_K, 0xfeedf00d);
	return n;
}

static size_t (*const ic_big[])(struct bpfc_insn *) = {ic_big_alu, ic_big_jumps, ic_big_ja};

START_TEST(test_big)
{
	struct bpfc_insn *p = calloc(BPFC_MAX_INSNS_DEFAULT, sizeof(*p));
	char name[32];

	ck_assert_ptr_nonnull(p);
	size_t n = ic_big[_i](p);
	snprintf(name, sizeof(name), "long program %d", _i);
	for (uint32_t cap = 0; cap <= sizeof(ic_seq); cap += 8) {
		uint32_t want = ic_run_all(name, p, n, ic_seq, cap, 1500);
		if (cap >= 8)
			ck_assert_msg(want != 0, "%s: expected to reach its end", name);
	}
	free(p);
}
END_TEST

static Suite *
ic_suite(void)
{
	Suite *s = suite_create("interp");
	TCase *tc = tcase_create("cases");

	tcase_add_loop_test(tc, test_case, 0, (int)IC_NCASES);
	tcase_add_test(tc, test_every_opcode);
	suite_add_tcase(s, tc);
	tc = tcase_create("long");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_big, 0, (int)(sizeof(ic_big) / sizeof(ic_big[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ic_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
