/*
 * check_ebpf.c: the cBPF-to-eBPF translator's hard cases, and its listing.
 *
 * Every case is a cBPF program (hand-written below or generated: every
 * comparison against constants >= 2^31, K and X, in three branch shapes;
 * every ALU operation with edge constants and with X; a long program) run
 * on a matrix of packets: two big-endian words at offsets 0 and 4 drawn
 * from edge values (0, 1, 31, 32, 2^31 - 1, 2^31, 2^32 - 1, ...), a fixed
 * pattern behind them, whole and cut to lengths around the loads.  The
 * expected value is libpcap's bpf_filter on the cBPF program; bpfc's cBPF
 * interpreter, the eBPF interpreter (ebpf_run) on the socket, xdp, tc and
 * inverted xdp programs, and (as root) the kernel's BPF_PROG_TEST_RUN of
 * each program must agree with it (xdp and tc: pass for non-zero, drop for
 * zero).  The kernel also has to accept every program.  The socket test
 * run sees the data after a 14-byte Ethernet header it pulls
 * (net/bpf/test_run.c), so its packets get one in front; XDP and tc runs
 * need 14 bytes, so shorter packets are checked by the other engines only.
 *
 * The listing: bpftool's `prog dump xlated` of loaded programs against
 * ebpf_listing of the kernel's own (xlated) instructions, line for line,
 * and of bpfc's program, line for line except where the kernel rewrote an
 * instruction (the context loads; the socket program's legacy loads
 * become helper calls, so its lines are compared on the xlated code only).
 *
 * Without root the kernel engines are left out (and said so); everything
 * else still runs.
 */
#include <config.h>

#include <check.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/bpfsys.h"
#include "base/arena.h"
#include "base/diag.h"
#include "cbpf/cbpf.h"
#include "ebpf/ebpf.h"
#include "tests/ebpf_kernel.h"
#include "tests/gen/testenv.h"

#define S(code, k) {(uint16_t)(code), 0, 0, (uint32_t)(k)}
#define J(code, k, jt, jf) {(uint16_t)(code), (jt), (jf), (uint32_t)(k)}
#define LDW(k) S(CBPF_LD | CBPF_W | CBPF_ABS, k)
#define LDH(k) S(CBPF_LD | CBPF_H | CBPF_ABS, k)
#define LDB(k) S(CBPF_LD | CBPF_B | CBPF_ABS, k)
#define LDWX(k) S(CBPF_LD | CBPF_W | CBPF_IND, k)
#define LDHX(k) S(CBPF_LD | CBPF_H | CBPF_IND, k)
#define LDBX(k) S(CBPF_LD | CBPF_B | CBPF_IND, k)
#define MSH(k) S(CBPF_LDX | CBPF_B | CBPF_MSH, k)
#define TAX S(CBPF_MISC | CBPF_TAX, 0)
#define TXA S(CBPF_MISC | CBPF_TXA, 0)
#define RETK(k) S(CBPF_RET | CBPF_K, k)
#define RETA S(CBPF_RET | CBPF_A, 0)
#define ALUK(op, k) S(CBPF_ALU | (op) | CBPF_K, k)
#define ALUX(op) S(CBPF_ALU | (op) | CBPF_X, 0)
#define JA(k) S(CBPF_JMP | CBPF_JA, k)

#define CK_MAXP 32
#define CK_PKTLEN 64
#define CK_NPROG 4

static const uint32_t ck_edges[] = {0,          1,          2,          31,         32,
				    33,         63,         64,         255,        0x7fffffff,
				    0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x12345678};
#define CK_NEDGES (sizeof(ck_edges) / sizeof(ck_edges[0]))

/* Lengths the packets are cut to (besides whole). */
static const uint32_t ck_cuts[] = {0, 1, 3, 4, 5, 7, 8, 9, 14, 15, 16, 21, 22, 30};
#define CK_NCUTS (sizeof(ck_cuts) / sizeof(ck_cuts[0]))

struct ck_case {
	const char *name;
	struct bpfc_insn p[CK_MAXP];
	size_t n;
};

/* ---- hand-written cases ---- */

static const struct ck_case ck_cases[] = {
	{"ldxb 4*([k]&0xf) with A live across it (saved around the legacy load)",
	 {LDW(0), MSH(8), ALUX(CBPF_ADD), RETA}, 4},
	{"ldxb 4*([k]&0xf) with A dead, then [x + k]",
	 {MSH(8), LDBX(0), ALUK(CBPF_ADD, 1), RETA}, 4},
	{"ldxb 4*([k]&0xf) then several [x + k] of each size",
	 {MSH(9), LDHX(2), J(CBPF_JMP | CBPF_JEQ | CBPF_K, 0x0d0e, 2, 0), LDWX(4),
	  J(CBPF_JMP | CBPF_JGT | CBPF_K, 0x80000000, 0, 1), LDBX(1), RETA},
	 7},
	{"ld #pktlen", {S(CBPF_LD | CBPF_W | CBPF_LEN, 0), RETA}, 2},
	{"ldx #pktlen, txa", {S(CBPF_LDX | CBPF_W | CBPF_LEN, 0), TXA, RETA}, 3},
	{"len compared, then a load past it",
	 {S(CBPF_LD | CBPF_W | CBPF_LEN, 0), J(CBPF_JMP | CBPF_JGE | CBPF_K, 9, 0, 2), LDB(8),
	  RETA, RETK(77)},
	 5},
	{"ret A (zero and non-zero)", {LDW(0), RETA}, 2},
	{"ret #k >= 2^31",
	 {LDW(0), J(CBPF_JMP | CBPF_JEQ | CBPF_K, 1, 0, 1), RETK(0x80000000), RETK(0xffffffff)},
	 4},
	{"scratch slots written on one path only",
	 {LDW(0), J(CBPF_JMP | CBPF_JGT | CBPF_K, 5, 0, 4), S(CBPF_ST, 3), LDW(4),
	  S(CBPF_LDX | CBPF_MEM, 3), JA(3), S(CBPF_ST, 7), S(CBPF_LDX | CBPF_MEM, 7), LDB(9),
	  ALUX(CBPF_ADD), RETA},
	 11},
	{"every scratch slot, st and stx",
	 {LDW(0), S(CBPF_ST, 0), S(CBPF_ST, 15), LDW(4), TAX, S(CBPF_STX, 8),
	  S(CBPF_LD | CBPF_MEM, 0), S(CBPF_LDX | CBPF_MEM, 15), ALUX(CBPF_XOR),
	  S(CBPF_LDX | CBPF_MEM, 8), ALUX(CBPF_ADD), RETA},
	 12},
	{"A and X start at 0", {ALUK(CBPF_ADD, 5), TXA, ALUK(CBPF_OR, 0x100), RETA}, 4},
	{"X starts at 0 for [x + k]", {LDBX(3), RETA}, 2},
	{"unreachable instructions", {JA(1), RETK(5), LDW(0), RETA, RETK(9)}, 5},
	{"jt == jf", {LDW(0), J(CBPF_JMP | CBPF_JEQ | CBPF_K, 1, 1, 1), RETK(0), RETA}, 4},
	{"jset with both branches taken elsewhere",
	 {LDW(0), J(CBPF_JMP | CBPF_JSET | CBPF_K, 0x80000000, 1, 2), RETK(0), RETK(7), RETK(9)},
	 5},
	{"jset x falling into the true branch",
	 {LDW(4), TAX, LDW(0), J(CBPF_JMP | CBPF_JSET | CBPF_X, 0, 0, 1), RETK(0), RETK(9)}, 6},
	{"div x and mod x by zero end the program",
	 {LDW(4), TAX, LDW(0), ALUX(CBPF_DIV), J(CBPF_JMP | CBPF_JEQ | CBPF_K, 0, 0, 2), LDW(4),
	  ALUX(CBPF_MOD), ALUK(CBPF_ADD, 3), RETA},
	 9},
	{"[x + k] with X near 2^31 and 2^32 (the kernel adds in 32 bits)",
	 {LDW(4), TAX, LDBX(1), RETA}, 4},
	{"[x + 0x7ffffffe]", {LDW(4), TAX, LDHX(0x7ffffffe), RETA}, 4},
	{"[x + k] with k >= 2^31 is never inside a packet",
	 {LDW(4), TAX, LDBX(0x80000000), RETA}, 4},
	{"ldb [0xffdfffff], the last offset below SKF_LL_OFF", {LDB(0xffdfffff), RETK(1)}, 2},
	{"ld [0x7fffffff]", {LDW(0x7fffffff), RETK(1)}, 2},
	{"ldb [0x80000000]", {LDB(0x80000000), RETK(1)}, 2},
	{"ldxb 4*([0x80000000]&0xf)", {MSH(0x80000000), TXA, ALUK(CBPF_ADD, 1), RETA}, 4},
	{"ldb [65535]", {LDB(65535), ALUK(CBPF_ADD, 1), RETA}, 3},
	{"ldh [65534]", {LDH(65534), ALUK(CBPF_ADD, 1), RETA}, 3},
	{"ld [65531]", {LDW(65531), ALUK(CBPF_ADD, 1), RETA}, 3},
	{"ld [65532], ending past 65535", {LDW(65532), ALUK(CBPF_ADD, 1), RETA}, 3},
	{"ldb [65536]", {LDB(65536), ALUK(CBPF_ADD, 1), RETA}, 3},
	{"ldb [40000], past the offset field", {LDB(40000), ALUK(CBPF_ADD, 1), RETA}, 3},
	{"[x + 40000] and [x + 65534]",
	 {MSH(8), LDBX(40000), TAX, ALUK(CBPF_AND, 0), LDHX(65534), ALUX(CBPF_ADD), RETA}, 7},
	{"a guard must not be hoisted above a non-zero return",
	 {LDB(1), J(CBPF_JMP | CBPF_JEQ | CBPF_K, 1, 0, 1), RETK(5), LDB(29), RETA}, 5},
	{"a guard hoisted over a branch to ret #0",
	 {LDB(1), J(CBPF_JMP | CBPF_JEQ | CBPF_K, 1, 1, 0), RETK(0), LDB(29), LDB(2), RETA}, 6},
	{"shifts by X from 0 to 2^32 - 1",
	 {LDW(4), TAX, LDW(0), ALUX(CBPF_LSH), TAX, LDW(0), ALUX(CBPF_RSH), ALUX(CBPF_ADD), RETA},
	 9},
	{"neg", {LDW(0), S(CBPF_ALU | CBPF_NEG, 0), RETA}, 3},
};
#define CK_NCASES (sizeof(ck_cases) / sizeof(ck_cases[0]))

/* ---- engines ---- */

struct ck_engines {
	struct arena a;
	struct ebpf_prog prog[CK_NPROG];
	int fd[CK_NPROG];
	int kernel;
	struct bpf_insn *conv;
	const struct bpfc_insn *p;
	const char *name;
	uint8_t buf[65600];
	struct testenv_guard g;
	unsigned long kruns;
};

static const enum ebpf_target ck_targets[CK_NPROG] = {EBPF_TARGET_SOCKET, EBPF_TARGET_XDP,
						      EBPF_TARGET_TC, EBPF_TARGET_XDP};
static const char *const ck_names[CK_NPROG] = {"socket", "xdp", "tc", "xdp --invert"};

static int
ck_kernel_ok(void)
{
	char why[BPFC_ERRBUF_SIZE + 64];
	return ek_probe(why, sizeof(why)) == 0;
}

static uint32_t
ck_expect(int t, uint32_t v)
{
	switch (t) {
	case 0:
		return v;
	case 1:
		return v ? EK_XDP_PASS : EK_XDP_DROP;
	case 2:
		return v ? EK_TC_ACT_OK : EK_TC_ACT_SHOT;
	default:
		return v ? EK_XDP_DROP : EK_XDP_PASS;
	}
}

/* Validate (with room for long programs), translate for every target,
 * load each in the kernel when we may. */
static void
ck_setup(struct ck_engines *e, const struct bpfc_insn *p, size_t n, const char *name)
{
	struct bpfc_load_options lo;
	struct bpfc_error err;
	static char log[1 << 20];

	e->p = p;
	e->name = name;
	bpfc_load_options_init(&lo);
	lo.max_insns = 1u << 20;
	diag_init(&err);
	ck_assert_msg(cbpf_validate(p, n, &lo, &err) == 0, "%s: not valid cBPF: %s", name, err.msg);
	e->conv = testenv_to_pcap(p, n);
	ck_assert_ptr_nonnull(e->conv);
	arena_init(&e->a);
	for (int t = 0; t < CK_NPROG; t++) {
		diag_init(&err);
		ck_assert_msg(ebpf_from_cbpf(&e->a, p, n, ck_targets[t], t == 3 ? EBPF_INVERT : 0,
					     &e->prog[t], &err) == 0,
			      "%s: no %s program: %s", name, ck_names[t], err.msg);
		e->fd[t] = -1;
		if (!e->kernel)
			continue;
		e->fd[t] = bpfsys_prog_load(ek_prog_type(ck_targets[t]), e->prog[t].insns,
					    e->prog[t].n, log, sizeof(log), &err);
		if (e->fd[t] < 0) { /* the program (when short) and the log's tail */
			struct strbuf b;
			size_t loglen = strlen(log);
			strbuf_init(&b);
			if (e->prog[t].n <= 400)
				ebpf_listing(&b, e->prog[t].insns, e->prog[t].n);
			fprintf(stderr, "%s (%s, %zu instructions):\n%s\nverifier log (tail):\n%s\n",
				name, ck_names[t], e->prog[t].n, b.data ? b.data : "",
				log + (loglen > 3000 ? loglen - 3000 : 0));
			strbuf_release(&b);
		}
		ck_assert_msg(e->fd[t] >= 0, "%s: the verifier refused the %s program: %s", name,
			      ck_names[t], err.msg);
	}
}

static void
ck_teardown(struct ck_engines *e)
{
	for (int t = 0; t < CK_NPROG; t++)
		if (e->fd[t] >= 0)
			close(e->fd[t]);
	arena_release(&e->a);
	free(e->conv);
}

static void
ck_fail(const struct ck_engines *e, const char *engine, const uint8_t *pkt, uint32_t len,
	uint32_t want, uint32_t got)
{
	char hex[3 * 40 + 1] = "";
	for (uint32_t i = 0; i < len && i < 40; i++)
		snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", pkt[i]);
	ck_abort_msg("%s: %s returned %u, libpcap's bpf_filter says %u, on %u bytes: %s", e->name,
		     engine, got, want, len, hex);
}

/* The kernel's test run of program t on `len` bytes at `pkt`. */
static void
ck_kernel(struct ck_engines *e, int t, const uint8_t *pkt, uint32_t len, uint32_t want)
{
	struct bpfc_error err;
	uint32_t rv, off = t == 0 ? EK_ETH_HLEN : 0;
	char what[64];

	if (e->fd[t] < 0 || len + off < EK_ETH_HLEN || len + off > 3500 ||
	    (t == 2 && ek_skb_refuses(pkt, len)))
		return;
	memset(e->buf, 0, off);
	memcpy(e->buf + off, pkt, len);
	diag_init(&err);
	ck_assert_msg(bpfsys_test_run(e->fd[t], e->buf, len + off, &rv, &err) == 0,
		      "%s: %s test run: %s", e->name, ck_names[t], err.msg);
	e->kruns++;
	snprintf(what, sizeof(what), "the kernel's %s program", ck_names[t]);
	if (rv != ck_expect(t, want))
		ck_fail(e, what, pkt, len, ck_expect(t, want), rv);
}

/* Every engine on one packet (placed before a guard page). */
static void
ck_packet(struct ck_engines *e, const uint8_t *data, uint32_t len)
{
	const uint8_t *pkt = testenv_guard_put(&e->g, data, len);
	uint32_t want = bpf_filter(e->conv, pkt, len, len);
	uint32_t own = cbpf_run(e->p, pkt, len, len);
	char what[64];

	ck_assert_ptr_nonnull(pkt);
	if (own != want)
		ck_fail(e, "bpfc's cBPF interpreter", pkt, len, want, own);
	for (int t = 0; t < CK_NPROG; t++) {
		if (t != 0 && len > 65535)
			continue; /* direct access reads 65535 bytes at most (xdp.c) */
		uint32_t v = (uint32_t)ebpf_run(&e->prog[t], pkt, len, len);
		snprintf(what, sizeof(what), "bpfc's eBPF interpreter (%s)", ck_names[t]);
		if (v != ck_expect(t, want))
			ck_fail(e, what, pkt, len, ck_expect(t, want), v);
		ck_kernel(e, t, pkt, len, want);
	}
}

/* Words w0, w1 at offsets 0 and 4, a pattern behind; whole and cut. */
static void
ck_matrix(struct ck_engines *e, int cuts)
{
	uint8_t pkt[CK_PKTLEN];

	for (size_t i = 0; i < CK_NEDGES; i++)
		for (size_t j = 0; j < CK_NEDGES; j++) {
			for (uint32_t b = 0; b < CK_PKTLEN; b++)
				pkt[b] = (uint8_t)(b * 7 + 3);
			for (int s = 0; s < 4; s++) {
				pkt[s] = (uint8_t)(ck_edges[i] >> (24 - 8 * s));
				pkt[4 + s] = (uint8_t)(ck_edges[j] >> (24 - 8 * s));
			}
			pkt[8] = (uint8_t)(ck_edges[(i + j) % CK_NEDGES]); /* the ldxb byte */
			ck_packet(e, pkt, CK_PKTLEN);
			for (size_t c = 0; cuts && c < CK_NCUTS; c++)
				ck_packet(e, pkt, ck_cuts[c]);
		}
}

/* Packets around 65535 bytes, for the loads near there. */
static void
ck_big(struct ck_engines *e)
{
	static const uint32_t sizes[] = {40000, 40001, 65531, 65532, 65533, 65534, 65535, 65536,
					 65537, 65540};
	uint8_t *pkt = malloc(65540);

	ck_assert_ptr_nonnull(pkt);
	for (uint32_t b = 0; b < 65540; b++)
		pkt[b] = (uint8_t)(b * 13 + 1);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		ck_packet(e, pkt, sizes[s]);
	free(pkt);
}

static void
ck_run(const struct bpfc_insn *p, size_t n, const char *name, int cuts)
{
	static struct ck_engines e;

	memset(&e, 0, sizeof(e));
	e.kernel = ck_kernel_ok();
	ck_assert_int_eq(testenv_guard_init(&e.g, 65540), 0);
	ck_setup(&e, p, n, name);
	ck_matrix(&e, cuts);
	if (cuts)
		ck_big(&e);
	ck_teardown(&e);
	testenv_guard_free(&e.g);
}

START_TEST(test_cases)
{
	ck_run(ck_cases[_i].p, ck_cases[_i].n, ck_cases[_i].name, 1);
}
END_TEST

/* ---- generated cases ---- */

static const uint32_t ck_jk[] = {0, 1, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe,
				 0xffffffff};
#define CK_NJK (sizeof(ck_jk) / sizeof(ck_jk[0]))
static const int ck_jops[] = {CBPF_JEQ, CBPF_JGT, CBPF_JGE, CBPF_JSET};
static const char *const ck_jnames[] = {"jeq", "jgt", "jge", "jset"};

/* Case _i: op (4) x operand (the constants, then X) x shape (3):
 * true -> ret #0 and false falls into ret #7; true falls into ret #7 and
 * false -> ret #0; both elsewhere (ret #0, ret #9). */
START_TEST(test_compare)
{
	int op = _i / (3 * (int)(CK_NJK + 1)), rest = _i % (3 * (int)(CK_NJK + 1));
	int operand = rest / 3, shape = rest % 3;
	static const uint8_t jt[3] = {1, 0, 1}, jf[3] = {0, 1, 2};
	struct bpfc_insn p[8];
	size_t n = 0;
	char name[128];

	if (operand == (int)CK_NJK) { /* X */
		p[n++] = (struct bpfc_insn)LDW(4);
		p[n++] = (struct bpfc_insn)TAX;
		p[n++] = (struct bpfc_insn)LDW(0);
		p[n++] = (struct bpfc_insn)J(CBPF_JMP | ck_jops[op] | CBPF_X, 0, jt[shape], jf[shape]);
		snprintf(name, sizeof(name), "%s x, shape %d", ck_jnames[op], shape);
	} else {
		p[n++] = (struct bpfc_insn)LDW(0);
		p[n++] = (struct bpfc_insn)J(CBPF_JMP | ck_jops[op] | CBPF_K, ck_jk[operand], jt[shape],
					     jf[shape]);
		snprintf(name, sizeof(name), "%s #0x%x, shape %d", ck_jnames[op], ck_jk[operand],
			 shape);
	}
	p[n++] = (struct bpfc_insn)RETK(7);
	p[n++] = (struct bpfc_insn)RETK(0);
	p[n++] = (struct bpfc_insn)RETK(9);
	ck_run(p, n, name, 0);
}
END_TEST

static const int ck_aops[] = {CBPF_ADD, CBPF_SUB, CBPF_MUL, CBPF_DIV, CBPF_MOD,
			      CBPF_AND, CBPF_OR,  CBPF_XOR, CBPF_LSH, CBPF_RSH};
static const char *const ck_anames[] = {"add", "sub", "mul", "div", "mod",
					"and", "or",  "xor", "lsh", "rsh"};
static const uint32_t ck_ak[] = {0, 1, 2, 31, 0x7fffffff, 0x80000000, 0xffffffff};
#define CK_NAK (sizeof(ck_ak) / sizeof(ck_ak[0]))
#define CK_NAOPS (sizeof(ck_aops) / sizeof(ck_aops[0]))

/* Case _i: op x operand (the constants, then X): A from the packet's
 * first word, X from its second; the socket program returns A itself. */
START_TEST(test_alu)
{
	int op = _i / (int)(CK_NAK + 1), operand = _i % (int)(CK_NAK + 1);
	struct bpfc_insn p[6];
	size_t n = 0;
	char name[96];

	if (operand == (int)CK_NAK) {
		p[n++] = (struct bpfc_insn)LDW(4);
		p[n++] = (struct bpfc_insn)TAX;
		p[n++] = (struct bpfc_insn)LDW(0);
		p[n++] = (struct bpfc_insn)ALUX(ck_aops[op]);
		snprintf(name, sizeof(name), "%s x", ck_anames[op]);
	} else {
		uint32_t k = ck_ak[operand];
		int shift = ck_aops[op] == CBPF_LSH || ck_aops[op] == CBPF_RSH;
		int div = ck_aops[op] == CBPF_DIV || ck_aops[op] == CBPF_MOD;
		if ((shift && k > 31) || (div && k == 0))
			return; /* refused by cbpf_validate (and the kernel) */
		p[n++] = (struct bpfc_insn)LDW(0);
		p[n++] = (struct bpfc_insn)ALUK(ck_aops[op], k);
		snprintf(name, sizeof(name), "%s #0x%x", ck_anames[op], k);
	}
	p[n++] = (struct bpfc_insn)RETA;
	ck_run(p, n, name, 0);
}
END_TEST

/* ---- long jumps ---- */

/* ld [0]; a jump over `gap` instructions of arithmetic to the end, taken
 * when A == 0x11111111 (conditional, up to 255 away, or `ja` beyond);
 * X from the second word and a `div x` before the gap, whose "return 0"
 * lies past it; ret a.  With `tail0` the `ja` goes to a closing `ret #0`
 * instead (which the translator shares as its "return 0" block). */
static struct bpfc_insn *
ck_long(size_t gap, int viaja, int tail0, size_t *n)
{
	struct bpfc_insn *p = calloc(gap + 16, sizeof(*p));
	size_t k = 0;

	ck_assert_ptr_nonnull(p);
	p[k++] = (struct bpfc_insn)LDW(4);
	p[k++] = (struct bpfc_insn)TAX;
	p[k++] = (struct bpfc_insn)LDW(0);
	if (viaja) {
		p[k++] = (struct bpfc_insn)J(CBPF_JMP | CBPF_JEQ | CBPF_K, 0x11111111, 0, 1);
		p[k++] = (struct bpfc_insn)JA(gap + 1 + (tail0 != 0));
	} else {
		p[k++] = (struct bpfc_insn)J(CBPF_JMP | CBPF_JEQ | CBPF_K, 0x11111111,
					     (uint8_t)(gap + 1), 0);
	}
	p[k++] = (struct bpfc_insn)ALUX(CBPF_DIV);
	for (size_t i = 0; i < gap; i++)
		p[k++] = i % 3 == 2 ? (struct bpfc_insn)ALUK(CBPF_XOR, i)
				    : (struct bpfc_insn)ALUK(CBPF_ADD, i + 1);
	p[k++] = (struct bpfc_insn)RETA;
	if (tail0)
		p[k++] = (struct bpfc_insn)RETK(0);
	*n = k;
	return p;
}

START_TEST(test_long_jumps)
{
	static const size_t gaps[] = {254, 600, 5000, 40000};
	for (size_t g = 0; g < 2 * sizeof(gaps) / sizeof(gaps[0]); g++) {
		size_t n, gap = gaps[g / 2];
		int tail0 = g % 2 && gap > 254;
		char name[96];
		struct bpfc_insn *p = ck_long(gap, gap > 254, tail0, &n);
		snprintf(name, sizeof(name), "a jump over %zu instructions%s", gap,
			 tail0 ? " to a closing ret #0" : "");
		ck_run(p, n, name, 0);
		free(p);
	}
}
END_TEST

/* 40000 instructions between the jumps and their targets make the eBPF
 * program longer than a 16-bit offset reaches: the layout's islands. */
START_TEST(test_islands)
{
	struct arena a;
	struct ebpf_prog ep;
	struct bpfc_error err;
	size_t n, hops = 0;

	arena_init(&a);
	for (int t = 0; t < 2 * CK_NPROG; t++) {
		struct bpfc_insn *p = ck_long(40000, 1, t >= CK_NPROG, &n);
		diag_init(&err);
		ck_assert_int_eq(ebpf_from_cbpf(&a, p, n, ck_targets[t % CK_NPROG],
						t % CK_NPROG == 3 ? EBPF_INVERT : 0, &ep, &err), 0);
		free(p);
		ck_assert_uint_gt(ep.n, 32767);
		for (size_t i = 1; i < ep.n; i++) /* an island's hop: a `ja` after a `ja` or exit */
			hops += ep.insns[i].code == (EBPF_JMP | EBPF_JA) &&
				(ep.insns[i - 1].code == (EBPF_JMP | EBPF_JA) ||
				 ep.insns[i - 1].code == (EBPF_JMP | EBPF_EXIT));
	}
	ck_assert_uint_gt(hops, 0);
	arena_release(&a);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_errors)
{
	static const struct bpfc_insn ok[] = {RETK(1)};
	static const struct bpfc_insn badop[] = {S(0x0f, 0), RETK(1)};
	static const struct bpfc_insn badjump[] = {JA(5), RETK(1)};
	static const struct bpfc_insn falls[] = {LDW(0)};
	static const struct bpfc_insn divzero[] = {ALUK(CBPF_DIV, 0), RETK(1)};
	struct arena a;
	struct ebpf_prog ep;
	struct bpfc_error err;

	arena_init(&a);
	diag_init(&err);
	ck_assert_int_eq(ebpf_from_cbpf(&a, ok, 1, EBPF_TARGET_SOCKET, EBPF_INVERT, &ep, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	diag_init(&err);
	ck_assert_int_eq(ebpf_from_cbpf(&a, ok, 1, (enum ebpf_target)9, 0, &ep, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	diag_init(&err);
	ck_assert_int_eq(ebpf_from_cbpf(&a, ok, 0, EBPF_TARGET_XDP, 0, &ep, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	diag_init(&err);
	ck_assert_int_eq(ebpf_from_cbpf(&a, badop, 2, EBPF_TARGET_XDP, 0, &ep, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	ck_assert_int_eq(err.insn, 0);
	diag_init(&err);
	ck_assert_int_eq(ebpf_from_cbpf(&a, badjump, 2, EBPF_TARGET_TC, 0, &ep, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	diag_init(&err);
	ck_assert_int_eq(ebpf_from_cbpf(&a, falls, 1, EBPF_TARGET_SOCKET, 0, &ep, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	diag_init(&err);
	ck_assert_int_eq(ebpf_from_cbpf(&a, divzero, 2, EBPF_TARGET_SOCKET, 0, &ep, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	diag_init(&err);
	ck_assert_int_eq(ebpf_from_cbpf(&a, ok, 1, EBPF_TARGET_TC, EBPF_INVERT, &ep, &err), 0);
	ck_assert_int_eq(ep.target, EBPF_TARGET_TC);
	ck_assert_uint_eq(ep.flags, EBPF_INVERT);
	arena_release(&a);
}
END_TEST

/* ---- the listing against bpftool ---- */

/* Split `text` into its lines that start with "N: " (bpftool's
 * instruction lines), trailing blanks dropped; returns the count. */
static size_t
ck_lines(char *text, char **line, size_t max)
{
	size_t n = 0;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l != NULL && n < max;
	     l = strtok_r(NULL, "\n", &save)) {
		char *e = l + strlen(l);
		while (e > l && (e[-1] == ' ' || e[-1] == '\r'))
			*--e = '\0';
		if (strchr(l, ':') != NULL && l[strspn(l, " ")] >= '0' && l[strspn(l, " ")] <= '9')
			line[n++] = l;
	}
	return n;
}

static char *
ck_listing_text(const struct bpfc_ebpf_insn *p, size_t n)
{
	struct strbuf b;
	strbuf_init(&b);
	ebpf_listing(&b, p, n);
	return strbuf_take(&b);
}

static char *
ck_bpftool(uint32_t id)
{
	char cmd[96];
	struct strbuf b;
	char chunk[4096];
	size_t got;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "bpftool prog dump xlated id %u 2>&1", id);
	if ((f = popen(cmd, "r")) == NULL)
		return NULL;
	strbuf_init(&b);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		strbuf_append(&b, chunk, got);
	int st = pclose(f);
	char *s = strbuf_take(&b);
	if (st != 0) {
		fprintf(stderr, "%s: exit %d: %s\n", cmd, st, s ? s : "");
		free(s);
		return NULL;
	}
	return s;
}

/* A line of an instruction the kernel rewrites: a context load (r1 or r6
 * as the base) or a helper call (its imm becomes an address). */
static int
ck_rewritten(const struct bpfc_ebpf_insn *in)
{
	return in->code == (EBPF_JMP | EBPF_CALL) ||
	       (EBPF_CLASS(in->code) == EBPF_LDX && (in->src_reg == 1 || in->src_reg == 6));
}

/* bpftool's lines against ebpf_listing of the xlated code (all but
 * calls) and of bpfc's own (all but rewritten; same count) when
 * `own_too`.  Returns the number of lines compared. */
static size_t
ck_compare_listing(const struct ebpf_prog *ep, int fd, int own_too, const char *what)
{
	struct bpfc_ebpf_insn *x = NULL;
	size_t nx = 0, cmp = 0;
	uint32_t id;
	static char *tl[70000], *xl[70000], *ol[70000];

	ck_assert_int_eq(ek_prog_xlated(fd, &id, &x, &nx), 0);
	char *tool = ck_bpftool(id);
	ck_assert_msg(tool != NULL, "bpftool prog dump xlated id %u failed", id);
	char *xtext = ck_listing_text(x, nx), *otext = ck_listing_text(ep->insns, ep->n);
	size_t nt = ck_lines(tool, tl, 70000), nxl = ck_lines(xtext, xl, 70000);
	size_t nol = ck_lines(otext, ol, 70000);
	ck_assert_msg(nt == nxl, "%s: bpftool prints %zu lines, ebpf_listing %zu", what, nt, nxl);
	for (size_t i = 0, slot = 0; i < nt; i++) {
		const struct bpfc_ebpf_insn *in = &x[slot];
		slot += in->code == (EBPF_LD | EBPF_IMM | EBPF_DW) ? 2 : 1;
		if (in->code == (EBPF_JMP | EBPF_CALL))
			continue;
		ck_assert_msg(strcmp(tl[i], xl[i]) == 0, "%s: bpftool '%s', ebpf_listing '%s'", what,
			      tl[i], xl[i]);
		cmp++;
	}
	if (own_too) {
		ck_assert_msg(nol == nt, "%s: the kernel changed the instruction count (%zu, %zu)",
			      what, nol, nt);
		for (size_t i = 0; i < nol; i++) {
			if (ck_rewritten(&ep->insns[i]))
				continue;
			ck_assert_msg(strcmp(tl[i], ol[i]) == 0, "%s: bpftool '%s', bpfc '%s'", what,
				      tl[i], ol[i]);
			cmp++;
		}
	}
	free(tool);
	free(xtext);
	free(otext);
	free(x);
	return cmp;
}

START_TEST(test_listing_bpftool)
{
	static const char expr[] =
		"ip and tcp port 80 and len > 100 or ip[2:2] & 0x3 != 0 and ip[0] & 0xf0 = 0x40 "
		"or ether[0] * 3 - 2 > 7 or ip[4] / 3 % 5 ^ 1 | 8 = 9 or ip[6] << 2 >> 1 = 8 "
		"or -ip[7] = 1 or ip[2] > ip[3] or ip[8] >= ip[9] + 1 or ip[10] & ip[11] != 0 "
		"or ip6 and udp dst port 53";
	struct bpfc_filter *f;
	const struct bpfc_insn *p;
	struct ck_engines *e = calloc(1, sizeof(*e));
	size_t n, compared = 0;

	ck_assert_ptr_nonnull(e);
	if (!ck_kernel_ok() || system("bpftool version >/dev/null 2>&1") != 0) {
		printf("test_listing_bpftool: left out: needs root, bpf(2) and bpftool\n");
		free(e);
		return;
	}
	e->kernel = 1;
	ck_assert_ptr_nonnull(f = bpfc_compile(expr, NULL, NULL));
	n = bpfc_cbpf(f, &p);
	ck_setup(e, p, n, expr);
	compared += ck_compare_listing(&e->prog[0], e->fd[0], 0, "socket");
	compared += ck_compare_listing(&e->prog[1], e->fd[1], 1, "xdp");
	compared += ck_compare_listing(&e->prog[2], e->fd[2], 1, "tc");
	printf("test_listing_bpftool: %zu lines equal to bpftool's\n", compared);
	ck_assert_uint_gt(compared, 3 * n);
	ck_teardown(e);
	bpfc_free(f);
	free(e);
}
END_TEST

/* ---- suite ---- */

static Suite *
ck_suite(void)
{
	Suite *s = suite_create("ebpf");
	TCase *tc = tcase_create("translate");

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_cases, 0, (int)CK_NCASES);
	tcase_add_loop_test(tc, test_compare, 0, 4 * 3 * (int)(CK_NJK + 1));
	tcase_add_loop_test(tc, test_alu, 0, (int)(CK_NAOPS * (CK_NAK + 1)));
	tcase_add_test(tc, test_long_jumps);
	tcase_add_test(tc, test_islands);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_listing_bpftool);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	char why[BPFC_ERRBUF_SIZE + 64];
	SRunner *sr = srunner_create(ck_suite());
	int failed;

	if (ek_probe(why, sizeof(why)) != 0)
		printf("check_ebpf: the kernel's engines are left out: %s\n", why);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
