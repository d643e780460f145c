/*
 * check_validate.c: the validator on tables of bad and tricky-but-valid
 * programs.
 *
 * The verdicts come from the running kernel: each program is attached with
 * SO_ATTACH_FILTER to an ordinary UDP socket (no privilege needed).
 *   - bad programs: cbpf_validate refuses them, names the instruction we
 *     expect and says what we expect.  The kernel refuses them too, except
 *     the Linux-only loads and the cases with a limit below the kernel's
 *     4096, which the kernel accepts (so they are otherwise sound).  Where a
 *     case has a single fault, replacing the named instruction with
 *     `ret #0` makes both the kernel and cbpf_validate accept it: the
 *     kernel confirms which instruction is at fault.
 *   - good programs: cbpf_validate, the kernel and libpcap's bpf_validate
 *     all accept them.
 *   - every 16-bit code in a small program: cbpf_validate and the kernel
 *     agree, which checks cbpf/opcodes.h against the kernel's whitelist.
 * When socket() fails the kernel parts are skipped (and say so); the rest
 * still runs.  libpcap's bpf_validate is looser than the kernel; where it
 * accepts a bad program the test prints a note and goes on.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/filter.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

#include "bpfc.h"
#include "base/diag.h"
#include "cbpf/cbpf.h"
#include "tests/gen/testenv.h"

/* ---- building programs ------------------------------------------------ */

#define MAXI 8

#define RAW(c, t, f, kk) {(uint16_t)(c), (t), (f), (uint32_t)(kk)}
#define RETK(k) RAW(CBPF_RET | CBPF_K, 0, 0, k)
#define RETA RAW(CBPF_RET | CBPF_A, 0, 0, 0)
#define LDI(k) RAW(CBPF_LD | CBPF_IMM, 0, 0, k)
#define LDXI(k) RAW(CBPF_LDX | CBPF_IMM, 0, 0, k)
#define LDM(k) RAW(CBPF_LD | CBPF_MEM, 0, 0, k)
#define LDXM(k) RAW(CBPF_LDX | CBPF_MEM, 0, 0, k)
#define ST(k) RAW(CBPF_ST, 0, 0, k)
#define STX(k) RAW(CBPF_STX, 0, 0, k)
#define TAX RAW(CBPF_MISC | CBPF_TAX, 0, 0, 0)
#define TXA RAW(CBPF_MISC | CBPF_TXA, 0, 0, 0)
#define ALUK(op, k) RAW(CBPF_ALU | (op) | CBPF_K, 0, 0, k)
#define ALUX(op) RAW(CBPF_ALU | (op) | CBPF_X, 0, 0, 0)
#define JA(k) RAW(CBPF_JMP | CBPF_JA, 0, 0, k)
#define JK(op, k, t, f) RAW(CBPF_JMP | (op) | CBPF_K, t, f, k)
#define JX(op, t, f) RAW(CBPF_JMP | (op) | CBPF_X, t, f, 0)
#define LDABS(sz, k) RAW(CBPF_LD | (sz) | CBPF_ABS, 0, 0, k)
#define LDIND(sz, k) RAW(CBPF_LD | (sz) | CBPF_IND, 0, 0, k)
#define MSH(k) RAW(CBPF_LDX | CBPF_B | CBPF_MSH, 0, 0, k)

#define PROG(...)                                                                        \
	.insns = {__VA_ARGS__},                                                          \
	.n = sizeof((struct bpfc_insn[]){__VA_ARGS__}) / sizeof(struct bpfc_insn)

/* Linux's offsets, spelled out (linux/filter.h is the authority). */
#define AD_OFF ((uint32_t)SKF_AD_OFF)
#define NET_OFF ((uint32_t)SKF_NET_OFF)
#define LL_OFF ((uint32_t)SKF_LL_OFF)

enum kernel_says { KERNEL_REFUSES, KERNEL_ACCEPTS };

struct bad_case {
	const char *name;
	struct bpfc_insn insns[MAXI];
	size_t n;
	uint32_t long_n;    /* non-zero: long_n - 1 times `ld #0`, then `ret a` */
	uint32_t max_insns; /* 0: the default */
	int insn;           /* the instruction the error must name */
	const char *msg;    /* in the message */
	enum kernel_says kernel;
	int single; /* one fault: replacing `insn` with ret #0 fixes it */
};

struct good_case {
	const char *name;
	struct bpfc_insn insns[MAXI];
	size_t n;
	uint32_t long_n;
	uint32_t max_insns;
};

/* ---- the bad programs --------------------------------------------------- */

static const struct bad_case bad[] = {
	/* length */
	{"empty program", .n = 0, .insn = 0, .msg = "empty program"},
	{"4097 instructions", .long_n = 4097, .insn = 4096,
	 .msg = "4097 instructions is more than the limit of 4096"},
	{"11 instructions, limit 10", .long_n = 11, .max_insns = 10, .insn = 10,
	 .msg = "11 instructions is more than the limit of 10", .kernel = KERNEL_ACCEPTS},
	{"2 instructions, limit 1", PROG(LDI(0), RETA), .max_insns = 1, .insn = 1,
	 .msg = "2 instructions is more than the limit of 1", .kernel = KERNEL_ACCEPTS},
	/* codes */
	{"ret x", PROG(LDXI(1), RAW(0x0e, 0, 0, 0)), .insn = 1, .msg = "unknown opcode 0x0e", .single = 1},
	{"code 0xff", PROG(RAW(0xff, 0, 0, 0), RETK(0)), .insn = 0, .msg = "unknown opcode 0xff", .single = 1},
	{"code 0x100", PROG(RAW(0x100, 0, 0, 0), RETK(0)), .insn = 0, .msg = "unknown opcode 0x100", .single = 1},
	{"ret #1 with bit 15 set", PROG(LDI(0), RAW(0x8006, 0, 0, 1)), .insn = 1,
	 .msg = "unknown opcode 0x8006", .single = 1},
	{"seccomp's ldx [k]", PROG(RAW(0x21, 0, 0, 0), RETA), .insn = 0, .msg = "unknown opcode 0x21", .single = 1},
	{"ldb with mode msh", PROG(RAW(0xb0, 0, 0, 14), RETA), .insn = 0, .msg = "unknown opcode 0xb0", .single = 1},
	{"alu op 0xb0", PROG(LDI(1), RAW(0xb4, 0, 0, 1), RETA), .insn = 1, .msg = "unknown opcode 0xb4", .single = 1},
	{"jmp op 0x50", PROG(RAW(0x55, 0, 0, 0), RETK(0)), .insn = 0, .msg = "unknown opcode 0x55", .single = 1},
	{"misc 0x08", PROG(LDI(1), RAW(0x0f, 0, 0, 0), RETA), .insn = 1, .msg = "unknown opcode 0x0f", .single = 1},
	{"ld size 0x18", PROG(RAW(0x38, 0, 0, 0), RETA), .insn = 0, .msg = "unknown opcode 0x38", .single = 1},
	{"neg x", PROG(LDI(1), RAW(0x8c, 0, 0, 0), RETA), .insn = 1, .msg = "unknown opcode 0x8c", .single = 1},
	/* jumps */
	{"ja one past the end", PROG(JA(1), RETK(0)), .insn = 0,
	 .msg = "jump target 2 is past the end of the 2-instruction program", .single = 1},
	{"ja 0xffffffff", PROG(JA(0xffffffff), RETK(0)), .insn = 0,
	 .msg = "jump target 4294967296 is past the end of the 2-instruction program", .single = 1},
	{"jeq jt one past the end", PROG(JK(CBPF_JEQ, 0, 2, 0), RETK(0), RETK(1)), .insn = 0,
	 .msg = "jump target 3 is past the end of the 3-instruction program (jt 2)", .single = 1},
	{"jgt jf one past the end", PROG(JK(CBPF_JGT, 0, 0, 2), RETK(0), RETK(1)), .insn = 0,
	 .msg = "jump target 3 is past the end of the 3-instruction program (jf 2)", .single = 1},
	{"jge x jt 255", PROG(LDI(0), JX(CBPF_JGE, 255, 0), RETK(0)), .insn = 1,
	 .msg = "jump target 257 is past the end", .single = 1},
	{"jset x jf 255", PROG(JX(CBPF_JSET, 0, 255), RETK(0)), .insn = 0,
	 .msg = "jump target 256 is past the end", .single = 1},
	{"a jump last", PROG(LDI(0), JK(CBPF_JEQ, 0, 0, 0)), .insn = 1,
	 .msg = "jump target 2 is past the end of the 2-instruction program", .single = 1},
	/* constant operands */
	{"div #0", PROG(LDI(1), ALUK(CBPF_DIV, 0), RETA), .insn = 1, .msg = "division by constant zero", .single = 1},
	{"mod #0", PROG(LDI(1), ALUK(CBPF_MOD, 0), RETA), .insn = 1, .msg = "modulo by constant zero", .single = 1},
	{"lsh #32", PROG(LDI(1), ALUK(CBPF_LSH, 32), RETA), .insn = 1,
	 .msg = "shift by 32 (must be below 32)", .single = 1},
	{"rsh #32", PROG(LDI(1), ALUK(CBPF_RSH, 32), RETA), .insn = 1,
	 .msg = "shift by 32 (must be below 32)", .single = 1},
	{"lsh #33", PROG(ALUK(CBPF_LSH, 33), RETA), .insn = 0, .msg = "shift by 33 (must be below 32)", .single = 1},
	{"rsh #0xffffffff", PROG(ALUK(CBPF_RSH, 0xffffffff), RETA), .insn = 0,
	 .msg = "shift by 4294967295 (must be below 32)", .single = 1},
	/* scratch memory: the index */
	{"ld M[16]", PROG(ST(0), LDM(16), RETA), .insn = 1, .msg = "M[16] does not exist", .single = 1},
	{"ldx M[16]", PROG(ST(15), LDXM(16), TXA, RETA), .insn = 1, .msg = "M[16] does not exist", .single = 1},
	{"st M[16]", PROG(LDI(2), ST(16), RETA), .insn = 1, .msg = "M[16] does not exist", .single = 1},
	{"stx M[0xffffffff]", PROG(STX(0xffffffff), RETK(0)), .insn = 0,
	 .msg = "M[4294967295] does not exist", .single = 1},
	/* scratch memory: read before written */
	{"ld M[0] first", PROG(LDM(0), RETA), .insn = 0,
	 .msg = "M[0] is read before it is written on every path", .single = 1},
	{"ldx M[3], M[2] written", PROG(ST(2), LDXM(3), TXA, RETA), .insn = 1,
	 .msg = "M[3] is read before it is written on every path", .single = 1},
	{"written after the read", PROG(LDM(4), ST(4), RETA), .insn = 0,
	 .msg = "M[4] is read before", .single = 1},
	{"written on the true branch only",
	 PROG(JK(CBPF_JEQ, 1, 0, 1), ST(1), LDM(1), RETA), .insn = 2,
	 .msg = "M[1] is read before it is written on every path", .single = 1},
	{"written on the false branch only",
	 PROG(JK(CBPF_JEQ, 1, 1, 0), ST(1), LDM(1), RETA), .insn = 2,
	 .msg = "M[1] is read before it is written on every path", .single = 1},
	{"written on one arm of a diamond",
	 PROG(JK(CBPF_JSET, 1, 0, 2), ST(6), JA(1), LDI(0), LDM(6), RETA), .insn = 4,
	 .msg = "M[6] is read before it is written on every path", .single = 1},
	{"the kernel follows the ret",
	 PROG(JK(CBPF_JEQ, 0, 0, 2), ST(0), JA(1), RETK(0), LDM(0), RETA), .insn = 4,
	 .msg = "falling through the ret at insn 3", .single = 1},
	/* the end */
	{"one ld", PROG(LDI(0)), .insn = 0, .msg = "the program does not end with a return instruction", .single = 1},
	{"ends with tax", PROG(LDI(0), TAX), .insn = 1,
	 .msg = "the program does not end with a return instruction", .single = 1},
	{"ret, then ld", PROG(RETK(0), LDI(1)), .insn = 1,
	 .msg = "the program does not end with a return instruction", .single = 1},
	/* Linux ancillary loads: the kernel knows them all */
	{"insn 3: ldb SKF_AD_PROTOCOL", PROG(LDI(0), TAX, LDI(1), LDABS(CBPF_B, AD_OFF + 0), RETA),
	 .insn = 3,
	 .msg = "insn 3: ldb [4294963200] is the Linux ancillary load SKF_AD_PROTOCOL, which has "
		"no meaning outside a kernel socket",
	 .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ld SKF_AD_PKTTYPE", PROG(LDABS(CBPF_W, AD_OFF + 4), RETA), .insn = 0,
	 .msg = "ld [4294963204] is the Linux ancillary load SKF_AD_PKTTYPE,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldh SKF_AD_IFINDEX", PROG(LDABS(CBPF_H, AD_OFF + 8), RETA), .insn = 0,
	 .msg = "ldh [4294963208] is the Linux ancillary load SKF_AD_IFINDEX,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldb SKF_AD_NLATTR", PROG(LDABS(CBPF_B, AD_OFF + 12), RETA), .insn = 0,
	 .msg = "ancillary load SKF_AD_NLATTR,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ld SKF_AD_NLATTR_NEST", PROG(LDABS(CBPF_W, AD_OFF + 16), RETA), .insn = 0,
	 .msg = "ancillary load SKF_AD_NLATTR_NEST,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldh SKF_AD_MARK", PROG(LDABS(CBPF_H, AD_OFF + 20), RETA), .insn = 0,
	 .msg = "ancillary load SKF_AD_MARK,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldb SKF_AD_QUEUE", PROG(LDABS(CBPF_B, AD_OFF + 24), RETA), .insn = 0,
	 .msg = "ancillary load SKF_AD_QUEUE,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ld SKF_AD_HATYPE", PROG(LDABS(CBPF_W, AD_OFF + 28), RETA), .insn = 0,
	 .msg = "ancillary load SKF_AD_HATYPE,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldh SKF_AD_RXHASH", PROG(LDABS(CBPF_H, AD_OFF + 32), RETA), .insn = 0,
	 .msg = "ancillary load SKF_AD_RXHASH,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldb SKF_AD_CPU", PROG(LDABS(CBPF_B, AD_OFF + 36), RETA), .insn = 0,
	 .msg = "ancillary load SKF_AD_CPU,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ld SKF_AD_ALU_XOR_X", PROG(LDXI(5), LDABS(CBPF_W, AD_OFF + 40), RETA), .insn = 1,
	 .msg = "ancillary load SKF_AD_ALU_XOR_X,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldh SKF_AD_VLAN_TAG", PROG(LDABS(CBPF_H, AD_OFF + 44), RETA), .insn = 0,
	 .msg = "ancillary load SKF_AD_VLAN_TAG,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldb SKF_AD_VLAN_TAG_PRESENT", PROG(LDABS(CBPF_B, AD_OFF + 48), RETA), .insn = 0,
	 .msg = "ancillary load SKF_AD_VLAN_TAG_PRESENT,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ld SKF_AD_PAY_OFFSET", PROG(LDABS(CBPF_W, AD_OFF + 52), RETA), .insn = 0,
	 .msg = "ancillary load SKF_AD_PAY_OFFSET,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldh SKF_AD_RANDOM", PROG(LDABS(CBPF_H, AD_OFF + 56), RETA), .insn = 0,
	 .msg = "ancillary load SKF_AD_RANDOM,", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldb SKF_AD_VLAN_TPID", PROG(LDI(1), LDABS(CBPF_B, AD_OFF + 60), RETA), .insn = 1,
	 .msg = "ancillary load SKF_AD_VLAN_TPID,", .kernel = KERNEL_ACCEPTS, .single = 1},
	/* ancillary offsets no kernel knows: refused there too */
	{"SKF_AD_OFF + SKF_AD_MAX", PROG(LDABS(CBPF_W, AD_OFF + SKF_AD_MAX), RETA), .insn = 0,
	 .msg = "Linux ancillary area (SKF_AD_OFF + 64) but is no extension", .single = 1},
	{"SKF_AD_OFF + 2", PROG(LDABS(CBPF_H, AD_OFF + 2), RETA), .insn = 0,
	 .msg = "Linux ancillary area (SKF_AD_OFF + 2)", .single = 1},
	{"ld [0xffffffff]", PROG(LDABS(CBPF_W, 0xffffffff), RETA), .insn = 0,
	 .msg = "(SKF_AD_OFF + 4095)", .single = 1},
	/* the negative offsets: accepted by the kernel, refused here */
	{"ld [SKF_NET_OFF]", PROG(LDABS(CBPF_W, NET_OFF), RETA), .insn = 0,
	 .msg = "ld [4293918720] reads at the Linux offset SKF_NET_OFF + 0 (the network header)",
	 .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldh [SKF_AD_OFF - 1]", PROG(LDABS(CBPF_H, AD_OFF - 1), RETA), .insn = 0,
	 .msg = "SKF_NET_OFF + 1044479", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldb [SKF_LL_OFF]", PROG(LDABS(CBPF_B, LL_OFF), RETA), .insn = 0,
	 .msg = "SKF_LL_OFF + 0 (the link-layer header)", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldb [SKF_NET_OFF - 1]", PROG(LDABS(CBPF_B, NET_OFF - 1), RETA), .insn = 0,
	 .msg = "SKF_LL_OFF + 1048575", .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ld [x + SKF_AD_OFF]", PROG(LDIND(CBPF_W, AD_OFF), RETA), .insn = 0,
	 .msg = "ld [x + 4294963200] reads at the Linux offset SKF_NET_OFF + 1044480",
	 .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldh [x + SKF_LL_OFF]", PROG(LDXI(0), LDIND(CBPF_H, LL_OFF), RETA), .insn = 1,
	 .msg = "ldh [x + 4292870144] reads at the Linux offset SKF_LL_OFF + 0",
	 .kernel = KERNEL_ACCEPTS, .single = 1},
	{"ldxb 4*([SKF_AD_OFF + 4]&0xf)", PROG(MSH(AD_OFF + 4), TXA, RETA), .insn = 0,
	 .msg = "ldxb 4*([4294963204]&0xf) reads at the Linux offset SKF_NET_OFF + 1044484",
	 .kernel = KERNEL_ACCEPTS, .single = 1},
	/* several faults: the first in program order is reported */
	{"bad jump before div #0", PROG(LDI(1), JA(5), ALUK(CBPF_DIV, 0), RETA), .insn = 1,
	 .msg = "jump target 7 is past the end of the 4-instruction program"},
	{"unwritten read before a bad code", PROG(LDM(0), RAW(0xff, 0, 0, 0), RETA), .insn = 0,
	 .msg = "M[0] is read before"},
	{"unwritten read before a missing ret", PROG(LDM(1), LDI(0)), .insn = 0, .msg = "M[1] is read before"},
	{"bad code before an unwritten read", PROG(RAW(0xff, 0, 0, 0), LDM(1), RETA), .insn = 0,
	 .msg = "unknown opcode 0xff"},
	{"shift before an unwritten read", PROG(ALUK(CBPF_LSH, 40), LDM(1), RETA), .insn = 0,
	 .msg = "shift by 40"},
};

/* ---- the tricky but valid programs ------------------------------------- */

static const struct good_case good[] = {
	{"ret #0 alone", PROG(RETK(0))},
	{"ret a alone", PROG(RETA)},
	{"jt lands on the last", PROG(JK(CBPF_JEQ, 1, 1, 0), RETK(0), RETK(1))},
	{"jf lands on the last", PROG(JK(CBPF_JGT, 1, 0, 1), RETK(0), RETK(1))},
	{"jset x: both on the last", PROG(JX(CBPF_JSET, 2, 2), RETK(0), RETK(1), RETK(2))},
	{"jeq jt = jf = 0", PROG(JK(CBPF_JEQ, 7, 0, 0), RETK(1))},
	{"jset #0x80000000", PROG(JK(CBPF_JSET, 0x80000000, 1, 0), RETK(0), RETK(1))},
	{"jge #0xffffffff", PROG(JK(CBPF_JGE, 0xffffffff, 0, 1), RETK(0), RETK(1))},
	{"ja to the last", PROG(JA(1), RETK(0), RETK(1))},
	{"ja 0", PROG(JA(0), RETK(1))},
	{"M[15]", PROG(LDI(7), ST(15), LDXM(15), TXA, RETA)},
	{"stx, then ld", PROG(LDXI(3), STX(0), LDM(0), RETA)},
	{"lsh #31", PROG(LDI(1), ALUK(CBPF_LSH, 31), RETA)},
	{"rsh #31", PROG(LDI(1), ALUK(CBPF_RSH, 31), RETA)},
	{"lsh #0", PROG(LDI(1), ALUK(CBPF_LSH, 0), RETA)},
	{"lsh x, rsh x", PROG(LDXI(40), LDI(1), ALUX(CBPF_LSH), ALUX(CBPF_RSH), RETA)},
	{"div #1", PROG(LDI(9), ALUK(CBPF_DIV, 1), RETA)},
	{"mod #0xffffffff", PROG(LDI(9), ALUK(CBPF_MOD, 0xffffffff), RETA)},
	{"div x and mod x with x = 0", PROG(LDI(9), ALUX(CBPF_DIV), ALUX(CBPF_MOD), RETA)},
	{"written on both branches",
	 PROG(JK(CBPF_JEQ, 0, 0, 2), ST(1), JA(1), ST(1), LDM(1), RETA)},
	{"written before the branch",
	 PROG(ST(2), JK(CBPF_JGT, 3, 0, 1), LDI(3), LDM(2), RETA)},
	{"unwritten read nothing reaches, after ja", PROG(JA(1), LDM(5), RETK(0))},
	{"read after a ret that held it", PROG(ST(0), JK(CBPF_JEQ, 0, 1, 0), RETK(0), LDM(0), RETA)},
	{"code after the last ret's jump", PROG(JK(CBPF_JEQ, 0, 1, 0), RETK(0), RETK(1))},
	{"ld [SKF_LL_OFF - 1]", PROG(LDABS(CBPF_W, LL_OFF - 1), RETA)},
	{"ldb [x + SKF_LL_OFF - 1]", PROG(LDIND(CBPF_B, LL_OFF - 1), RETA)},
	{"ld [0x80000000]", PROG(LDABS(CBPF_W, 0x80000000), RETA)},
	{"ldxb 4*([14]&0xf), ldh [x + 14]", PROG(MSH(14), LDIND(CBPF_H, 14), RETA)},
	{"len, tax, txa, neg",
	 PROG(RAW(CBPF_LD | CBPF_W | CBPF_LEN, 0, 0, 0), TAX, RAW(CBPF_LDX | CBPF_W | CBPF_LEN, 0, 0, 0),
	      TXA, ALUK(CBPF_NEG, 0), RETA)},
	{"4096 instructions", .long_n = 4096},
	{"10 instructions, limit 10", .long_n = 10, .max_insns = 10},
};

/* ---- oracles ------------------------------------------------------------ */

/* The instructions of a case, malloc'd. */
static struct bpfc_insn *
case_program(const struct bpfc_insn *insns, size_t n, uint32_t long_n, size_t *len)
{
	size_t count = long_n ? long_n : n;
	struct bpfc_insn *p = calloc(count ? count : 1, sizeof(*p));

	ck_assert_ptr_nonnull(p);
	if (long_n) {
		for (size_t i = 0; i + 1 < count; i++)
			p[i] = (struct bpfc_insn)LDI(0);
		p[count - 1] = (struct bpfc_insn)RETA;
	} else if (n) {
		memcpy(p, insns, n * sizeof(*p));
	}
	*len = count;
	return p;
}

static int
case_validate(const struct bpfc_insn *p, size_t n, uint32_t max_insns, struct bpfc_error *err)
{
	struct bpfc_load_options o;

	bpfc_load_options_init(&o);
	if (max_insns)
		o.max_insns = max_insns;
	diag_init(err);
	return cbpf_validate(p, n, &o, err);
}

/* A UDP socket to ask the kernel with, or -1 (and a note when `note`):
 * no socket, or one that refuses even `ret #0`, skips the kernel part. */
static int
kernel_socket(int note)
{
	struct sock_filter ret0 = {CBPF_RET | CBPF_K, 0, 0, 0};
	struct sock_fprog probe = {.len = 1, .filter = &ret0};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0) {
		if (note)
			printf("kernel oracle skipped: socket(AF_INET, SOCK_DGRAM): %s\n",
			       strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &probe, sizeof(probe)) < 0) {
		if (note)
			printf("kernel oracle skipped: SO_ATTACH_FILTER of `ret #0`: %s\n",
			       strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The kernel's verdict: 1 accepted, 0 refused.  ENOMEM comes after the
 * checks (the socket's optmem_max), so it means accepted. */
static int
kernel_accepts(int fd, const struct bpfc_insn *p, size_t n)
{
	struct sock_filter *f = calloc(n ? n : 1, sizeof(*f));
	int dummy = 0, rc;

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n; i++)
		f[i] = (struct sock_filter){p[i].code, p[i].jt, p[i].jf, p[i].k};
	struct sock_fprog prog = {.len = (unsigned short)n, .filter = n ? f : NULL};
	rc = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
	int e = errno;
	free(f);
	if (rc == 0) {
		setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy, sizeof(dummy));
		return 1;
	}
	ck_assert_msg(e == EINVAL || e == ENOMEM, "SO_ATTACH_FILTER: unexpected %s", strerror(e));
	return e == ENOMEM;
}

static int
pcap_accepts(const struct bpfc_insn *p, size_t n)
{
	struct bpf_insn *f = testenv_to_pcap(p, n);

	ck_assert_ptr_nonnull(f);
	int ok = bpf_validate(f, (int)n);
	free(f);
	return ok != 0;
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(test_bad)
{
	const struct bad_case *c = &bad[_i];
	struct bpfc_error err;
	char prefix[32];
	size_t n;
	struct bpfc_insn *p = case_program(c->insns, c->n, c->long_n, &n);

	ck_assert_msg(case_validate(p, n, c->max_insns, &err) == -1, "%s: accepted", c->name);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	ck_assert_msg(err.insn == c->insn, "%s: names insn %d, want %d (%s)", c->name, err.insn,
		      c->insn, err.msg);
	snprintf(prefix, sizeof(prefix), "insn %d: ", c->insn);
	ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0, "%s: %s", c->name, err.msg);
	ck_assert_msg(strstr(err.msg, c->msg) != NULL, "%s: \"%s\" lacks \"%s\"", c->name, err.msg,
		      c->msg);
	if (n > 0 && pcap_accepts(p, n))
		printf("note: libpcap's bpf_validate accepts bad case \"%s\"\n", c->name);

	int fd = kernel_socket(_i == 0);
	if (fd >= 0) {
		int want = c->kernel == KERNEL_ACCEPTS;
		ck_assert_msg(kernel_accepts(fd, p, n) == want, "%s: the kernel %s it", c->name,
			      want ? "refuses" : "accepts");
		if (c->single) {
			p[c->insn] = (struct bpfc_insn)RETK(0);
			ck_assert_msg(kernel_accepts(fd, p, n), "%s: patched, the kernel refuses",
				      c->name);
			ck_assert_msg(case_validate(p, n, c->max_insns, &err) == 0,
				      "%s: patched, refused: %s", c->name, err.msg);
		}
		close(fd);
	}
	free(p);
}
END_TEST

START_TEST(test_good)
{
	const struct good_case *c = &good[_i];
	struct bpfc_error err;
	size_t n;
	struct bpfc_insn *p = case_program(c->insns, c->n, c->long_n, &n);

	ck_assert_msg(case_validate(p, n, c->max_insns, &err) == 0, "%s: %s", c->name, err.msg);
	ck_assert_msg(pcap_accepts(p, n), "%s: libpcap's bpf_validate refuses it", c->name);
	int fd = kernel_socket(_i == 0);
	if (fd >= 0) {
		ck_assert_msg(kernel_accepts(fd, p, n), "%s: the kernel refuses it", c->name);
		close(fd);
	}
	free(p);
}
END_TEST

/*
 * Every 16-bit code in `st M[1]; CODE jt 0 jf 0 k 1; ret #0; ret #0`: each
 * op of the table is valid there (k = 1 is a fine divisor, shift, memory
 * index, jump and packet offset, and M[1] is written), so the verdict is
 * the whitelist's alone.  The kernel must agree on all 65536.
 */
START_TEST(test_every_code)
{
	struct bpfc_insn p[4] = {ST(1), RAW(0, 0, 0, 1), RETK(0), RETK(0)};
	struct bpfc_error err;
	unsigned ours = 0, pcap_looser = 0;
	int fd = kernel_socket(1);

	for (uint32_t code = 0; code <= 0xffff; code++) {
		p[1].code = (uint16_t)code;
		int ok = case_validate(p, 4, 0, &err) == 0;
		ck_assert_msg(ok == (cbpf_decode((uint16_t)code) != CBPF_OP_INVALID),
			      "code 0x%x: %s", code, ok ? "accepted" : err.msg);
		ours += ok;
		if (!ok)
			ck_assert_msg(strstr(err.msg, "unknown opcode") != NULL, "code 0x%x: %s",
				      code, err.msg);
		if (fd >= 0)
			ck_assert_msg(kernel_accepts(fd, p, 4) == ok, "code 0x%02x: kernel %s",
				      code, ok ? "refuses" : "accepts");
		if (!ok && pcap_accepts(p, 4))
			pcap_looser++;
		else if (ok)
			ck_assert_msg(pcap_accepts(p, 4), "code 0x%02x: libpcap refuses", code);
	}
	ck_assert_uint_eq(ours, CBPF_OP_COUNT - 1);
	printf("every code: %u accepted; libpcap's bpf_validate also accepts %u others\n", ours,
	       pcap_looser);
	if (fd >= 0)
		close(fd);
}
END_TEST

static Suite *
validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = tcase_create("tables");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_loop_test(tc, test_good, 0, (int)(sizeof(good) / sizeof(good[0])));
	tcase_add_test(tc, test_every_code);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(validate_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
