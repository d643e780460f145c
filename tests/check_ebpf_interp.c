/*
 * check_ebpf_interp.c: the eBPF interpreter (ebpf_run) against the running
 * Linux kernel.
 *
 * Oracle: the kernel.  Every program is loaded with bpf(BPF_PROG_LOAD) and
 * run with BPF_PROG_TEST_RUN on the same packet; ebpf_run must return what
 * the kernel returns.  No expected value is written here.
 *
 *  - units: a table of small programs aimed at each opcode family and its
 *    edges (zero-extension of 32-bit results, sign-extended immediates,
 *    division and modulo by a register whose low half is zero, shift
 *    amounts past the width, END on every width, JMP32 against JMP with
 *    negative immediates, signed against unsigned, LD_ABS/LD_IND at the
 *    end of the packet, with negative and 64-bit offsets, narrow loads of
 *    __sk_buff.len, stack bytes), for the socket target, and for tc and
 *    XDP (data/data_end/data_meta pointers, bpf_skb_pull_data within and
 *    past the packet).  Each runs twice, returning r0 and r0 >> 32, since
 *    a test run only reports 32 bits.
 *  - random: programs from a seeded generator (ALU32/ALU64 K and X with
 *    edge immediates, JMP/JMP32 forward, END, stack stores and loads,
 *    LD_ABS/LD_IND, loads of len, early exits; for tc and XDP also direct
 *    packet loads behind data_end guards, at constant and register
 *    offsets), half of them socket filters, a quarter each tc and XDP;
 *    those the verifier accepts run on random frames.  The counts accepted
 *    are printed (the generator aims at the verifier's rules, so nearly
 *    all are; a few are refused on purpose: constant division by zero and
 *    shifts out of range), and every opcode of ebpf/opcodes.h but CALL
 *    must have run in an accepted program.
 *  - safety (needs no kernel): random and hostile instructions on packets
 *    placed against a PROT_NONE page must return without a fault; the
 *    hostile ones (accesses past the stack, the context and the packet, an
 *    endless loop, calls) must return 0, and when the kernel is there its
 *    verifier must refuse each of them (so 0 is never a value a valid
 *    program could have had), except those marked as taken by the kernel
 *    and outside bpfc's output (a packet write, another helper, cpu-v4
 *    forms); loads at every offset around an XDP packet give its bytes
 *    or 0.
 *
 * A socket filter's test run pulls the Ethernet header off (eth_type_trans
 * in net/bpf/test_run.c, bpf_prog_test_run_skb): the program sees the
 * frame from byte 14 and __sk_buff.len is the frame's length less 14, so
 * ebpf_run gets (frame + 14, len - 14).  tc programs see the whole frame
 * (the header is pushed back), XDP too.
 *
 * Without root or bpf(2), only the safety cases run and the test exits 77
 * saying why.  Seed with BPFC_SEED, scale with BPFC_TEST_SCALE.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "bpfc.h"
#include "backend/bpfsys.h"
#include "ebpf/ebpf.h"
#include "tests/gen/ebpfgen.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

#if TESTENV_SANITIZED
#define EI_PROGRAMS 4000
#define EI_GARBAGE 5000
#else
#define EI_PROGRAMS 20000
#define EI_GARBAGE 40000
#endif
#define EI_PACKETS 8 /* packets per random program */
#define EI_SEED 0xeb9f1e7eull
#define EI_MAXP EBPFGEN_MAXP
#define EI_FRAME EBPFGEN_FRAME

/* linux/bpf.h values (that header cannot be included beside pcap/bpf.h,
 * which testenv.h brings: both define struct bpf_insn). */
enum {
	EI_PROG_SOCKET_FILTER = 1,
	EI_PROG_SCHED_CLS = 3,
	EI_PROG_XDP = 6,
	EI_FUNC_GET_PRANDOM_U32 = 7,
	EI_FUNC_SKB_PULL_DATA = 39
};

/* ---- the kernel ---- */

/* Why the kernel cannot be the oracle here (written to `why`), or NULL
 * when it can. */
static const char *
ei_probe(char *why, size_t whylen)
{
	struct bpfc_ebpf_insn p[] = {MOV64K(0, 0), EXIT()};
	struct bpfc_error err = {.code = BPFC_OK};
	int fd;

	if (geteuid() != 0)
		return "not root: the kernel's verifier and test runs need CAP_BPF and "
		       "CAP_NET_ADMIN";
	fd = bpfsys_prog_load(EI_PROG_SOCKET_FILTER, p, 2, NULL, 0, &err);
	if (fd < 0) {
		snprintf(why, whylen, "bpf(2) refused: %s", err.msg);
		return why;
	}
	close(fd);
	return NULL;
}

static uint32_t
ei_prog_type(enum ebpf_target t)
{
	return t == EBPF_TARGET_XDP  ? EI_PROG_XDP
	       : t == EBPF_TARGET_TC ? EI_PROG_SCHED_CLS
				     : EI_PROG_SOCKET_FILTER;
}

/* Load; the fd, or -1 with the verifier's verdict in `log`. */
static int
ei_load(enum ebpf_target t, const struct bpfc_ebpf_insn *p, size_t n, char *log, size_t logsz)
{
	struct bpfc_error err = {.code = BPFC_OK};
	int fd = bpfsys_prog_load(ei_prog_type(t), p, n, NULL, 0, &err);

	if (fd < 0 && log != NULL) {
		/* again with the log, for the message (the first error wins) */
		err = (struct bpfc_error){.code = BPFC_OK};
		fd = bpfsys_prog_load(ei_prog_type(t), p, n, log, logsz, &err);
		if (fd < 0)
			snprintf(log, logsz, "%s", err.msg);
	}
	return fd;
}

/* What the program does to `frame` in ebpf_run, with the packet placed as
 * the kernel's test run places it (see the file comment), against a guard
 * page. */
static uint32_t
ei_interp(struct testenv_guard *g, enum ebpf_target t, const struct bpfc_ebpf_insn *p, size_t n,
	  const uint8_t *frame, uint32_t len)
{
	struct ebpf_prog prog = {(struct bpfc_ebpf_insn *)p, n, t, 0};
	uint32_t skip = t == EBPF_TARGET_SOCKET ? 14 : 0;
	const uint8_t *pkt = testenv_guard_put(g, frame + skip, len - skip);

	ck_assert_ptr_nonnull(pkt);
	return (uint32_t)ebpf_run(&prog, pkt, len - skip, len - skip);
}

static void
ei_print_prog(const struct bpfc_ebpf_insn *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("  %3zu: code %02x dst r%u src r%u off %d imm %" PRId32 " (%#" PRIx32 ")\n",
		       i, p[i].code, p[i].dst_reg, p[i].src_reg, p[i].off, p[i].imm,
		       (uint32_t)p[i].imm);
}

static void
ei_print_frame(const uint8_t *f, uint32_t len)
{
	printf("  frame (%u bytes):", len);
	for (uint32_t i = 0; i < len && i < 96; i++)
		printf("%s%02x", i % 16 ? " " : "\n    ", f[i]);
	printf("%s\n", len > 96 ? " ..." : "");
}

/* ---- units ---- */

struct ei_unit {
	const char *name;
	enum ebpf_target target;
	struct bpfc_ebpf_insn body[14]; /* falls through to the end; r0 is the result */
	size_t n;
};

#define U(name, ...)                                                                     \
	{name, EBPF_TARGET_SOCKET, {__VA_ARGS__},                                        \
	 sizeof((struct bpfc_ebpf_insn[]){__VA_ARGS__}) / sizeof(struct bpfc_ebpf_insn)}
#define UT(target, name, ...)                                                            \
	{name, target, {__VA_ARGS__},                                                    \
	 sizeof((struct bpfc_ebpf_insn[]){__VA_ARGS__}) / sizeof(struct bpfc_ebpf_insn)}

#define BIG EBPFGEN_BIG
#define SWAPME 0x0123456789abcdefull
/* Frame of the unit cases: 64 bytes, so the socket program sees 50. */
#define UNIT_LEN 64

static const struct ei_unit ei_units[] = {
	/* ALU: zero-extension, sign-extension, wrapping */
	U("add32 wraps, zero-extends", LDDW(0, 0xfffffffffffffffeull), A32K(EBPF_ADD, 0, 3)),
	U("add64 K sign-extends", MOV64K(0, 5), A64K(EBPF_ADD, 0, -6)),
	U("add32 X", LDDW(0, BIG), LDDW(1, 0xffffffff80000000ull), A32X(EBPF_ADD, 0, 1)),
	U("sub32 borrows out", LDDW(0, 0x100000000ull), A32K(EBPF_SUB, 0, 1)),
	U("sub64 X", MOV64K(0, 3), LDDW(1, BIG), A64X(EBPF_SUB, 0, 1)),
	U("mul64 X", LDDW(0, 0x123456789ull), LDDW(1, 0xfedcba987ull), A64X(EBPF_MUL, 0, 1)),
	U("mul32 K negative", LDDW(0, 0xabcdef0123456789ull), A32K(EBPF_MUL, 0, -7)),
	U("mul64 K negative", LDDW(0, BIG), A64K(EBPF_MUL, 0, -3)),
	U("and64 K sign-extends", LDDW(0, BIG), A64K(EBPF_AND, 0, -2)),
	U("and32 K", LDDW(0, BIG), A32K(EBPF_AND, 0, 0x80f0f0f0)),
	U("or64 K negative", LDDW(0, 0x1200000034ull), A64K(EBPF_OR, 0, -16)),
	U("or32 X", LDDW(0, BIG), LDDW(1, 0xffff000000000001ull), A32X(EBPF_OR, 0, 1)),
	U("xor64 K INT_MIN", LDDW(0, BIG), A64K(EBPF_XOR, 0, INT32_MIN)),
	U("xor32 K", LDDW(0, BIG), A32K(EBPF_XOR, 0, -1)),
	U("mov32 X truncates", LDDW(1, 0xaaaabbbbccccddddull), MOV32X(0, 1)),
	U("mov64 K negative", MOV64K(0, -2)),
	U("mov32 K negative", MOV32K(0, -2)),
	U("mov64 X", LDDW(1, BIG), MOV64X(0, 1)),
	U("ld_dw", LDDW(0, 0x8000000000000001ull)),
	U("neg64", MOV64K(0, 5), I_(EBPF_ALU64 | EBPF_NEG, 0, 0, 0, 0)),
	U("neg32 of 2^32", LDDW(0, 0x100000000ull), I_(EBPF_ALU | EBPF_NEG, 0, 0, 0, 0)),
	U("neg32 of 5, high bits", LDDW(0, 0x700000005ull), I_(EBPF_ALU | EBPF_NEG, 0, 0, 0, 0)),
	/* division and modulo, zero divisors */
	U("div64 X by 0", LDDW(0, BIG), MOV64K(1, 0), A64X(EBPF_DIV, 0, 1)),
	U("div32 X by low-half 0", MOV64K(0, 77), LDDW(1, 0x100000000ull), A32X(EBPF_DIV, 0, 1)),
	U("div64 X by high-half only", LDDW(0, 0x500000000ull), LDDW(1, 0x100000000ull),
	  A64X(EBPF_DIV, 0, 1)),
	U("div32 X", LDDW(0, BIG), MOV64K(1, 7), A32X(EBPF_DIV, 0, 1)),
	U("div64 K -1", MOV64K(0, 100), A64K(EBPF_DIV, 0, -1)),
	U("div64 K INT_MIN", LDDW(0, 0xffffffffffffffffull), A64K(EBPF_DIV, 0, INT32_MIN)),
	U("div32 K INT_MIN", MOV64K(0, -1), A32K(EBPF_DIV, 0, INT32_MIN)),
	U("mod64 X by 0 keeps dst", LDDW(0, BIG), MOV64K(1, 0), A64X(EBPF_MOD, 0, 1)),
	U("mod32 X by 0 zero-extends dst", LDDW(0, BIG), MOV64K(1, 0), A32X(EBPF_MOD, 0, 1)),
	U("mod32 X by low-half 0", LDDW(0, BIG), LDDW(1, 0x300000000ull), A32X(EBPF_MOD, 0, 1)),
	U("mod32 X", LDDW(0, 0xfffffffffffffff0ull), MOV64K(1, 7), A32X(EBPF_MOD, 0, 1)),
	U("mod64 K -1", LDDW(0, 0xfffffffffffffff0ull), A64K(EBPF_MOD, 0, -1)),
	U("mod32 K", LDDW(0, BIG), A32K(EBPF_MOD, 0, 1000)),
	/* shifts: register amounts past the width are masked */
	U("lsh64 X 63", MOV64K(0, 3), MOV64K(1, 63), A64X(EBPF_LSH, 0, 1)),
	U("lsh64 X 64", MOV64K(0, 3), MOV64K(1, 64), A64X(EBPF_LSH, 0, 1)),
	U("lsh64 X 65", MOV64K(0, 3), MOV64K(1, 65), A64X(EBPF_LSH, 0, 1)),
	U("lsh64 X 255", MOV64K(0, 3), MOV64K(1, 255), A64X(EBPF_LSH, 0, 1)),
	U("lsh32 X 31", MOV64K(0, 3), MOV64K(1, 31), A32X(EBPF_LSH, 0, 1)),
	U("lsh32 X 32", MOV64K(0, 3), MOV64K(1, 32), A32X(EBPF_LSH, 0, 1)),
	U("lsh32 X 33", MOV64K(0, 3), MOV64K(1, 33), A32X(EBPF_LSH, 0, 1)),
	U("rsh64 X 68", LDDW(0, 0x8000000000000000ull), MOV64K(1, 68), A64X(EBPF_RSH, 0, 1)),
	U("rsh32 X high bits of src", LDDW(0, BIG), LDDW(1, 0x100000024ull), A32X(EBPF_RSH, 0, 1)),
	U("arsh64 X 127", LDDW(0, 0x8000000000000000ull), MOV64K(1, 127), A64X(EBPF_ARSH, 0, 1)),
	U("arsh32 X 36", LDDW(0, 0x1234567880000000ull), MOV64K(1, 36), A32X(EBPF_ARSH, 0, 1)),
	U("arsh32 K 4", LDDW(0, 0x1234567880000000ull), A32K(EBPF_ARSH, 0, 4)),
	U("arsh64 K 1", LDDW(0, 0x8000000000000010ull), A64K(EBPF_ARSH, 0, 1)),
	U("lsh64 K 63", MOV64K(0, 3), A64K(EBPF_LSH, 0, 63)),
	U("lsh32 K 31", LDDW(0, BIG), A32K(EBPF_LSH, 0, 31)),
	U("rsh32 K 31", LDDW(0, BIG), A32K(EBPF_RSH, 0, 31)),
	U("rsh64 K 1", LDDW(0, BIG), A64K(EBPF_RSH, 0, 1)),
	/* END */
	U("be16", LDDW(0, SWAPME), ENDI(1, 0, 16)),
	U("be32", LDDW(0, SWAPME), ENDI(1, 0, 32)),
	U("be64", LDDW(0, SWAPME), ENDI(1, 0, 64)),
	U("le16", LDDW(0, SWAPME), ENDI(0, 0, 16)),
	U("le32", LDDW(0, SWAPME), ENDI(0, 0, 32)),
	U("le64", LDDW(0, SWAPME), ENDI(0, 0, 64)),
	/* jumps: 64-bit compares see the sign-extended immediate, JMP32 the
	 * low halves */
	U("jeq64 K -1 on 0xffffffff", MOV32K(1, -1), MOV64K(0, 7), J64K(EBPF_JEQ, 1, -1, 1),
	  MOV64K(0, 9)),
	U("jeq32 K -1 on 0xffffffff", MOV32K(1, -1), MOV64K(0, 7), J32K(EBPF_JEQ, 1, -1, 1),
	  MOV64K(0, 9)),
	U("jgt64 K INT_MIN", MOV32K(1, 0x80000001), MOV64K(0, 7), J64K(EBPF_JGT, 1, INT32_MIN, 1),
	  MOV64K(0, 9)),
	U("jgt32 K INT_MIN", MOV32K(1, 0x80000001), MOV64K(0, 7), J32K(EBPF_JGT, 1, INT32_MIN, 1),
	  MOV64K(0, 9)),
	U("jsgt64 X", MOV64K(1, -1), MOV64K(2, 1), MOV64K(0, 7), J64X(EBPF_JSGT, 1, 2, 1),
	  MOV64K(0, 9)),
	U("jsgt32 X high halves differ", LDDW(1, 0x7fffffff80000000ull), MOV64K(2, 1), MOV64K(0, 7),
	  J32X(EBPF_JSGT, 1, 2, 1), MOV64K(0, 9)),
	U("jsge64 K", MOV64K(1, -5), MOV64K(0, 7), J64K(EBPF_JSGE, 1, -5, 1), MOV64K(0, 9)),
	U("jslt32 K", MOV32K(1, 0x80000000), MOV64K(0, 7), J32K(EBPF_JSLT, 1, 0, 1), MOV64K(0, 9)),
	U("jsle64 X", LDDW(1, 0x8000000000000000ull), MOV64K(2, 0), MOV64K(0, 7),
	  J64X(EBPF_JSLE, 1, 2, 1), MOV64K(0, 9)),
	U("jlt64 X", MOV64K(1, -1), MOV64K(2, 1), MOV64K(0, 7), J64X(EBPF_JLT, 1, 2, 1),
	  MOV64K(0, 9)),
	U("jle32 X", LDDW(1, 0x100000005ull), MOV64K(2, 5), MOV64K(0, 7), J32X(EBPF_JLE, 1, 2, 1),
	  MOV64K(0, 9)),
	U("jge64 K", MOV64K(1, 4), MOV64K(0, 7), J64K(EBPF_JGE, 1, 5, 1), MOV64K(0, 9)),
	U("jne32 X", LDDW(1, 0x100000005ull), MOV64K(2, 5), MOV64K(0, 7), J32X(EBPF_JNE, 1, 2, 1),
	  MOV64K(0, 9)),
	U("jne64 X", LDDW(1, 0x100000005ull), MOV64K(2, 5), MOV64K(0, 7), J64X(EBPF_JNE, 1, 2, 1),
	  MOV64K(0, 9)),
	U("jset64 K high bit", LDDW(1, 0x8000000000000000ull), MOV64K(0, 7),
	  J64K(EBPF_JSET, 1, INT32_MIN, 1), MOV64K(0, 9)),
	U("jset32 K high bit", LDDW(1, 0x8000000000000000ull), MOV64K(0, 7),
	  J32K(EBPF_JSET, 1, INT32_MIN, 1), MOV64K(0, 9)),
	U("jset32 X", MOV64K(1, 6), MOV64K(2, 9), MOV64K(0, 7), J32X(EBPF_JSET, 1, 2, 1),
	  MOV64K(0, 9)),
	U("ja", MOV64K(0, 7), J64K(EBPF_JEQ, 0, 8, 1), JA(1), MOV64K(0, 9)),
	/* legacy packet loads: the program sees 50 bytes */
	U("ldabs b 0", LDABS(EBPF_B, 0)),
	U("ldabs w 0, then add", LDABS(EBPF_W, 0), A64K(EBPF_ADD, 0, 1)),
	U("ldabs b last", LDABS(EBPF_B, 49)),
	U("ldabs h last", LDABS(EBPF_H, 48)),
	U("ldabs h past", LDABS(EBPF_H, 49)),
	U("ldabs w last", LDABS(EBPF_W, 46)),
	U("ldabs w past", MOV64K(0, 7), LDABS(EBPF_W, 47)),
	U("ldabs b at len", MOV64K(0, 7), LDABS(EBPF_B, 50)),
	U("ldabs b -1", MOV64K(0, 7), LDABS(EBPF_B, -1)),
	U("ldabs w INT_MAX", MOV64K(0, 7), LDABS(EBPF_W, INT32_MAX)),
	U("ldind h", MOV64K(7, 10), LDIND(EBPF_H, 7, 4)),
	U("ldind 64-bit src is cut to 32", LDDW(7, 0x100000003ull), LDIND(EBPF_W, 7, 1)),
	U("ldind negative src", MOV64K(7, -2), LDIND(EBPF_B, 7, 6)),
	U("ldind src + imm carries out", MOV32K(7, -1), LDIND(EBPF_B, 7, 1)),
	U("ldind negative sum", MOV64K(0, 7), MOV32K(7, INT32_MAX), LDIND(EBPF_B, 7, INT32_MAX)),
	U("ldind past", MOV64K(0, 7), MOV64K(7, 40), LDIND(EBPF_W, 7, 8)),
	/* context: __sk_buff.len, whole and narrow */
	U("len", LDX(EBPF_W, 0, 1, 0)),
	U("len u8 0", LDX(EBPF_B, 0, 1, 0)),
	U("len u8 1", LDX(EBPF_B, 0, 1, 1)),
	U("len u16 0", LDX(EBPF_H, 0, 1, 0)),
	U("len u16 2", LDX(EBPF_H, 0, 1, 2)),
	/* stack */
	U("stack dw then bytes", LDDW(1, SWAPME), STX(EBPF_DW, 10, 1, -8), LDX(EBPF_B, 0, 10, -6),
	  LDX(EBPF_B, 2, 10, -1), A64K(EBPF_LSH, 0, 8), A64X(EBPF_OR, 0, 2)),
	U("stack st w negative into dw", LDDW(1, BIG), STX(EBPF_DW, 10, 1, -16),
	  ST(EBPF_W, 10, -12, -3), LDX(EBPF_DW, 0, 10, -16)),
	U("stack st dw sign-extends", ST(EBPF_DW, 10, -512, INT32_MIN), LDX(EBPF_DW, 0, 10, -512)),
	U("stack h", LDDW(1, BIG), STX(EBPF_DW, 10, 1, -8), MOV64K(2, 0x1234),
	  STX(EBPF_H, 10, 2, -4), LDX(EBPF_W, 0, 10, -4)),
	/* tc and XDP: data/data_end are pointers to the frame */
	UT(EBPF_TARGET_TC, "tc len", LDX(EBPF_W, 0, 1, 0)),
	UT(EBPF_TARGET_TC, "tc data_end - data", LDX(EBPF_W, 2, 1, 76), LDX(EBPF_W, 3, 1, 80),
	   MOV64X(0, 3), A64X(EBPF_SUB, 0, 2)),
	UT(EBPF_TARGET_TC, "tc u16 at 12", LDX(EBPF_W, 2, 1, 76), LDX(EBPF_W, 3, 1, 80),
	   MOV64K(0, 7), MOV64X(4, 2), A64K(EBPF_ADD, 4, 14), J64X(EBPF_JGT, 4, 3, 1),
	   LDX(EBPF_H, 0, 2, 12)),
	UT(EBPF_TARGET_TC, "tc ldabs h 12", LDABS(EBPF_H, 12)),
	/* the tc lowering's one helper: pulling what the skb has, and more */
	UT(EBPF_TARGET_TC, "tc pull all", MOV64K(2, UNIT_LEN), CALL(EI_FUNC_SKB_PULL_DATA)),
	UT(EBPF_TARGET_TC, "tc pull one more", MOV64K(2, UNIT_LEN + 1),
	   CALL(EI_FUNC_SKB_PULL_DATA)),
	UT(EBPF_TARGET_TC, "tc pull 0", MOV64K(2, 0), CALL(EI_FUNC_SKB_PULL_DATA)),
	UT(EBPF_TARGET_TC, "tc pull, u32 argument", LDDW(2, 0x100000001ull),
	   CALL(EI_FUNC_SKB_PULL_DATA)),
	UT(EBPF_TARGET_TC, "tc pull, then data_end - data", MOV64K(2, UNIT_LEN + 9),
	   CALL(EI_FUNC_SKB_PULL_DATA), LDX(EBPF_W, 2, 6, 76), LDX(EBPF_W, 3, 6, 80),
	   MOV64X(0, 3), A64X(EBPF_SUB, 0, 2)),
	UT(EBPF_TARGET_XDP, "xdp data_end - data", LDX(EBPF_W, 2, 1, 0), LDX(EBPF_W, 3, 1, 4),
	   MOV64X(0, 3), A64X(EBPF_SUB, 0, 2)),
	UT(EBPF_TARGET_XDP, "xdp data - data_meta", LDX(EBPF_W, 2, 1, 0), LDX(EBPF_W, 3, 1, 8),
	   MOV64X(0, 2), A64X(EBPF_SUB, 0, 3)),
	UT(EBPF_TARGET_TC, "tc data - data_meta", LDX(EBPF_W, 2, 1, 76), LDX(EBPF_W, 3, 1, 140),
	   MOV64X(0, 2), A64X(EBPF_SUB, 0, 3)),
	UT(EBPF_TARGET_XDP, "xdp dw at 56", LDX(EBPF_W, 2, 1, 0), LDX(EBPF_W, 3, 1, 4),
	   MOV64K(0, 7), MOV64X(4, 2), A64K(EBPF_ADD, 4, 64), J64X(EBPF_JGT, 4, 3, 1),
	   LDX(EBPF_DW, 0, 2, 56)),
	UT(EBPF_TARGET_XDP, "xdp guard one past", LDX(EBPF_W, 2, 1, 0), LDX(EBPF_W, 3, 1, 4),
	   MOV64K(0, 7), MOV64X(4, 2), A64K(EBPF_ADD, 4, 65), J64X(EBPF_JGT, 4, 3, 1),
	   LDX(EBPF_B, 0, 2, 64)),
};
#define EI_NUNITS (sizeof(ei_units) / sizeof(ei_units[0]))

static void
ei_unit_frame(uint8_t *f, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		f[i] = (uint8_t)(37 * i + 0x81);
}

/* r6 = r1 first (LD_ABS needs the context there), the body, then exit,
 * or r0 >>= 32 and exit. */
static size_t
ei_unit_prog(const struct ei_unit *u, int high, struct bpfc_ebpf_insn *out)
{
	size_t n = 0;

	out[n++] = E(MOV64X(6, 1));
	for (size_t i = 0; i < u->n; i++)
		out[n++] = u->body[i];
	if (high)
		out[n++] = E(A64K(EBPF_RSH, 0, 32));
	out[n++] = E(EXIT());
	return n;
}

START_TEST(test_unit)
{
	const struct ei_unit *u = &ei_units[_i];
	struct bpfc_ebpf_insn p[24];
	uint8_t frame[UNIT_LEN];
	struct testenv_guard g;
	char log[4096];

	ck_assert_int_eq(testenv_guard_init(&g, UNIT_LEN), 0);
	ei_unit_frame(frame, UNIT_LEN);
	for (int high = 0; high <= 1; high++) {
		size_t n = ei_unit_prog(u, high, p);
		int fd = ei_load(u->target, p, n, log, sizeof(log));
		struct bpfc_error err = {.code = BPFC_OK};
		uint32_t want, got;

		if (fd < 0)
			ck_abort_msg("%s: the kernel refuses the case: %s", u->name, log);
		ck_assert_int_eq(bpfsys_test_run(fd, frame, UNIT_LEN, &want, &err), 0);
		close(fd);
		got = ei_interp(&g, u->target, p, n, frame, UNIT_LEN);
		if (got != want) {
			printf("FAIL %s (%s half): kernel %#" PRIx32 ", ebpf_run %#" PRIx32 "\n",
			       u->name, high ? "high" : "low", want, got);
			ei_print_prog(p, n);
		}
		ck_assert_msg(got == want, "%s (%s half): kernel %#x, ebpf_run %#x", u->name,
			      high ? "high" : "low", want, got);
	}
	testenv_guard_free(&g);
}
END_TEST

/* ---- random programs the verifier accepts (tests/gen/ebpfgen.c) ---- */

START_TEST(test_random)
{
	static const enum ebpf_target targets[] = {EBPF_TARGET_SOCKET, EBPF_TARGET_TC,
						   EBPF_TARGET_SOCKET, EBPF_TARGET_XDP};
	static const char *const names[] = {"", "socket", "tc", "xdp"};
	uint64_t seed = testenv_seed("BPFC_SEED", EI_SEED);
	size_t count = (size_t)(EI_PROGRAMS * testenv_scale());
	size_t made[4] = {0}, accepted[4] = {0}, unexpected = 0, runs = 0, bad = 0;
	uint8_t seen[256] = {0};
	struct bpfc_ebpf_insn p[EI_MAXP];
	uint8_t frame[EI_FRAME];
	struct testenv_guard g;
	char log[65536];
	struct rng r;

	ck_assert_int_eq(testenv_guard_init(&g, EI_FRAME), 0);
	rng_seed(&r, seed);
	for (size_t i = 0; i < count; i++) {
		enum ebpf_target t = targets[i % 4];
		int refusable;
		size_t n = ebpfgen_program(&r, t, p, &refusable);
		ck_assert_msg(n > 0, "ebpfgen_program: out of memory");
		int fd = ei_load(t, p, n, log, sizeof(log));
		made[t]++;
		if (fd < 0) {
			if (!refusable && unexpected++ < 3) {
				printf("note: %s program %zu refused unexpectedly: %s\n",
				       names[t], i, log);
				ei_print_prog(p, n);
			}
			continue;
		}
		accepted[t]++;
		for (size_t k = 0; k < n; k++)
			seen[p[k].code] = 1;
		for (int k = 0; k < EI_PACKETS; k++) {
			uint32_t len = ebpfgen_frame(&r, frame), want, got;
			struct bpfc_error err = {.code = BPFC_OK};
			if (bpfsys_test_run(fd, frame, len, &want, &err) != 0) {
				ei_print_prog(p, n);
				ei_print_frame(frame, len);
				ck_abort_msg("%s program %zu, %u-byte frame: %s", names[t], i, len,
					     err.msg);
			}
			got = ei_interp(&g, t, p, n, frame, len);
			runs++;
			if (got != want && bad++ < 5) {
				printf("FAIL seed %#" PRIx64 " %s program %zu packet %d: ", seed,
				       names[t], i, k);
				printf("kernel %#" PRIx32 ", ebpf_run %#" PRIx32
				       " (rerun: BPFC_SEED=%#" PRIx64 ")\n",
				       want, got, seed);
				ei_print_prog(p, n);
				ei_print_frame(frame, len);
			}
		}
		close(fd);
	}
	printf("random: seed %#" PRIx64 ": accepted by the verifier: socket %zu of %zu, tc %zu of "
	       "%zu, xdp %zu of %zu (%zu refused not on purpose); %zu runs compared, %zu differ\n",
	       seed, accepted[1], made[1], accepted[2], made[2], accepted[3], made[3], unexpected,
	       runs, bad);
	fflush(stdout);
	testenv_guard_free(&g);
	ck_assert_uint_eq(bad, 0);
	for (int t = 1; t <= 3; t++) /* the generator does aim right */
		ck_assert_uint_ge(accepted[t] * 10, made[t] * 9);
	/* and every opcode ran in the kernel (the one helper call: units) */
#define EI_SEEN(name, code, op, form, flags)                                              \
	ck_assert_msg(seen[code] || (code) == EBPF_OP_CALL || count < 2000,                 \
		      "no accepted program has " #name);
	EBPF_OPCODES(EI_SEEN)
#undef EI_SEEN
}
END_TEST

/* ---- safety: nothing outside the packet, the context or the stack ---- */

struct ei_hostile {
	const char *name;
	enum ebpf_target target;
	int kernel_takes; /* the kernel runs it (a helper, a sign-extending move,
			   * a packet write...): bpfc's interpreter returns 0 */
	struct bpfc_ebpf_insn p[10];
	size_t n;
};

#define H(t, k, name, ...)                                                               \
	{name, t, k, {__VA_ARGS__},                                                      \
	 sizeof((struct bpfc_ebpf_insn[]){__VA_ARGS__}) / sizeof(struct bpfc_ebpf_insn)}
#define XDP_PTRS LDX(EBPF_W, 2, 1, 0), LDX(EBPF_W, 3, 1, 4)

static const struct ei_hostile ei_hostile[] = {
	H(EBPF_TARGET_SOCKET, 0, "read just past the stack", LDX(EBPF_DW, 0, 10, 0), EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "read below the stack", LDX(EBPF_B, 0, 10, -513), EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "read straddling the stack top", ST(EBPF_DW, 10, -8, 1),
	  LDX(EBPF_DW, 0, 10, -4), EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "write past the stack", ST(EBPF_B, 10, 0, 1), MOV64K(0, 1),
	  EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "write below the stack", ST(EBPF_DW, 10, -520, 1), MOV64K(0, 1),
	  EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "write to __sk_buff.len", ST(EBPF_W, 1, 0, 1), MOV64K(0, 1),
	  EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "read past the context", LDX(EBPF_W, 0, 1, 192), EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "socket reads __sk_buff.data", LDX(EBPF_W, 0, 1, 76), EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "len as a u64", LDX(EBPF_DW, 0, 1, 0), EXIT()),
	H(EBPF_TARGET_XDP, 0, "xdp read at data_end", XDP_PTRS, LDX(EBPF_B, 0, 2, 64), EXIT()),
	H(EBPF_TARGET_XDP, 0, "xdp read before data", XDP_PTRS, LDX(EBPF_B, 0, 2, -1), EXIT()),
	H(EBPF_TARGET_XDP, 0, "xdp data_end deref", XDP_PTRS, LDX(EBPF_B, 0, 3, 0), EXIT()),
	H(EBPF_TARGET_XDP, 1, "xdp packet write", XDP_PTRS, MOV64X(4, 2), A64K(EBPF_ADD, 4, 1),
	  J64X(EBPF_JGT, 4, 3, 1), ST(EBPF_B, 2, 0, 1), MOV64K(0, 1), EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "endless loop", JA(-1), MOV64K(0, 1), EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "endless loop with work", MOV64K(0, 1), A64K(EBPF_ADD, 0, 1),
	  JA(-2), EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "jump past the end", MOV64K(0, 1), J64K(EBPF_JEQ, 0, 1, 5),
	  EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "jump before the start", MOV64K(0, 1), J64K(EBPF_JEQ, 0, 1, -3),
	  EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "last is not exit", MOV64K(0, 1)),
	H(EBPF_TARGET_SOCKET, 0, "ld_dw cut short", MOV64K(0, 1),
	  I_(EBPF_LD | EBPF_IMM | EBPF_DW, 0, 0, 0, 1), EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "unknown opcode", MOV64K(0, 1), I_(0xff, 0, 0, 0, 0), EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "end of 48 bits", MOV64K(0, 1), ENDI(1, 0, 48), EXIT()),
	H(EBPF_TARGET_SOCKET, 1, "a helper call", CALL(EI_FUNC_GET_PRANDOM_U32),
	  A64K(EBPF_OR, 0, 1), EXIT()),
	H(EBPF_TARGET_TC, 1, "another tc helper", CALL(EI_FUNC_GET_PRANDOM_U32),
	  A64K(EBPF_OR, 0, 1), EXIT()),
	H(EBPF_TARGET_SOCKET, 0, "skb_pull_data in a socket filter", MOV64K(2, 1),
	  CALL(EI_FUNC_SKB_PULL_DATA), A64K(EBPF_OR, 0, 1), EXIT()),
	H(EBPF_TARGET_SOCKET, 1, "sign-extending move", MOV64K(1, 0x80),
	  I_(EBPF_ALU64 | EBPF_MOV | EBPF_X, 0, 1, 8, 0), EXIT()),
	H(EBPF_TARGET_SOCKET, 1, "signed division", MOV64K(0, -9), MOV64K(1, 2),
	  I_(EBPF_ALU64 | EBPF_DIV | EBPF_X, 0, 1, 1, 0), EXIT()),
};
#define EI_NHOSTILE (sizeof(ei_hostile) / sizeof(ei_hostile[0]))

START_TEST(test_hostile)
{
	const struct ei_hostile *h = &ei_hostile[_i];
	struct testenv_guard g;
	uint8_t frame[UNIT_LEN];
	char why[BPFC_ERRBUF_SIZE + 64];

	ck_assert_int_eq(testenv_guard_init(&g, UNIT_LEN), 0);
	ei_unit_frame(frame, UNIT_LEN);
	ck_assert_msg(ei_interp(&g, h->target, h->p, h->n, frame, UNIT_LEN) == 0, "%s", h->name);
	if (!h->kernel_takes && ei_probe(why, sizeof(why)) == NULL) {
		int fd = ei_load(h->target, h->p, h->n, NULL, 0);
		if (fd >= 0)
			close(fd);
		ck_assert_msg(fd < 0, "%s: the kernel accepts it", h->name);
	}
	testenv_guard_free(&g);
}
END_TEST

/* Random instructions, valid codes mostly, any registers and offsets, on
 * every target, with packets against a guard page and caplen < wirelen:
 * every run must come back.  Some must return non-zero, or nothing ran. */
START_TEST(test_garbage)
{
	static const enum ebpf_target targets[] = {EBPF_TARGET_SOCKET, EBPF_TARGET_TC,
						   EBPF_TARGET_XDP};
	uint64_t seed = testenv_seed("BPFC_SEED", EI_SEED) ^ 0x6a7ba6eull;
	size_t count = (size_t)(EI_GARBAGE * testenv_scale()), nonzero = 0;
	struct bpfc_ebpf_insn p[64];
	uint8_t frame[256];
	struct testenv_guard g;
	struct rng r;

	ck_assert_int_eq(testenv_guard_init(&g, sizeof(frame)), 0);
	rng_seed(&r, seed);
	for (size_t i = 0; i < count; i++) {
		size_t n = 1 + rng_below(&r, 64);
		for (size_t k = 0; k < n; k++) {
			uint8_t code = (uint8_t)rng_next(&r);
			while (rng_chance(&r, 9, 10) && ebpf_opinfo(code) == NULL)
				code = (uint8_t)rng_next(&r);
			p[k] = INS(code, rng_below(&r, rng_chance(&r, 1, 8) ? 16 : 11),
				   rng_below(&r, rng_chance(&r, 1, 8) ? 16 : 11),
				   rng_chance(&r, 1, 8)   ? (int16_t)rng_next(&r)
				   : rng_chance(&r, 1, 8) ? -(int)rng_below(&r, 8)
							  : (int)rng_below(&r, 32),
				   rng_chance(&r, 1, 2) ? (int32_t)rng_below(&r, 80) - 16
							: (int32_t)rng_next(&r));
		}
		if (rng_chance(&r, 4, 5))
			p[n - 1] = E(EXIT());
		uint32_t caplen = rng_below(&r, sizeof(frame) + 1);
		for (uint32_t k = 0; k < caplen; k++)
			frame[k] = (uint8_t)rng_next(&r);
		struct ebpf_prog prog = {p, n, targets[rng_below(&r, sizeof(targets) / sizeof(targets[0]))], 0};
		const uint8_t *pkt = testenv_guard_put(&g, frame, caplen);
		if (ebpf_run(&prog, pkt, caplen + rng_below(&r, 100), caplen) != 0)
			nonzero++;
	}
	testenv_guard_free(&g);
	printf("garbage: seed %#" PRIx64 ": %zu random programs ran, %zu returned non-zero\n", seed,
	       count, nonzero);
	fflush(stdout);
	ck_assert_uint_gt(nonzero, 0);
}
END_TEST

/* Loads through data at every offset around an XDP packet, on packets of
 * every length up to 40 bytes against the guard page: inside, the value is
 * the packet's bytes in host order (memcpy is the oracle); outside, 0. */
START_TEST(test_probe)
{
	static const uint8_t sizes[] = {EBPF_B, EBPF_H, EBPF_W, EBPF_DW};
	uint8_t frame[40];
	struct testenv_guard g;
	size_t runs = 0;

	ck_assert_int_eq(testenv_guard_init(&g, sizeof(frame)), 0);
	ei_unit_frame(frame, sizeof(frame));
	for (uint32_t caplen = 0; caplen <= sizeof(frame); caplen++) {
		const uint8_t *pkt = testenv_guard_put(&g, frame, caplen);
		for (int s = 0; s < 4; s++) {
			uint32_t size = 1u << s;
			for (int off = -12; off <= (int)caplen + 12; off++) {
				struct bpfc_ebpf_insn p[] = {LDX(EBPF_W, 2, 1, 0),
							     LDX(sizes[s], 0, 2, off), EXIT()};
				struct ebpf_prog prog = {p, 3, EBPF_TARGET_XDP, 0};
				uint64_t want = 0, got = ebpf_run(&prog, pkt, caplen, caplen);
				if (off >= 0 && (uint32_t)off + size <= caplen)
					memcpy(&want, frame + off, size); /* little-endian host */
				runs++;
				ck_assert_msg(got == want, "caplen %u, %u bytes at %d: %#" PRIx64
					      " for %#" PRIx64, caplen, size, off, got, want);
			}
		}
	}
	testenv_guard_free(&g);
	ck_assert_uint_gt(runs, 0);
}
END_TEST

static Suite *
ei_suite(int kernel)
{
	Suite *s = suite_create("ebpf_interp");
	TCase *safety = tcase_create("safety");

	tcase_set_timeout(safety, 240);
	tcase_add_loop_test(safety, test_hostile, 0, (int)EI_NHOSTILE);
	tcase_add_test(safety, test_garbage);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	tcase_add_test(safety, test_probe);
#endif
	suite_add_tcase(s, safety);
	if (kernel) {
		TCase *units = tcase_create("units");
		TCase *random = tcase_create("random");
		tcase_set_timeout(units, 120);
		tcase_add_loop_test(units, test_unit, 0, (int)EI_NUNITS);
		suite_add_tcase(s, units);
		tcase_set_timeout(random, 400);
		tcase_add_test(random, test_random);
		suite_add_tcase(s, random);
	}
	return s;
}

int
main(void)
{
	char why[BPFC_ERRBUF_SIZE + 64];
	const char *skip = ei_probe(why, sizeof(why));
	SRunner *sr = srunner_create(ei_suite(skip == NULL));
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		return 1;
	if (skip != NULL) {
		printf("SKIP: %s (only the safety cases ran, without the kernel's verdicts)\n",
		       skip);
		return 77;
	}
	return 0;
}
