/*
 * check_jit.c: the x86-64 JIT against the eBPF interpreter, the cBPF
 * interpreter and libpcap's bpf_filter.
 *
 *  - forms: every ALU, NEG and END opcode of ebpf/opcodes.h (32/64-bit,
 *    K/X) on edge values in several register assignments (rax, the
 *    scratch pool, the argument aliases, a register shared by dst and src),
 *    every conditional jump, every stack load/store size in a red-zone and
 *    in a 512-byte frame, division next to a big frame, a 64-bit packet
 *    load: the JIT's return value (low and high half of the result) must
 *    equal ebpf_run's on the same program.
 *  - random: randprog_valid cBPF programs translated to the run target;
 *    jit_compile must accept every one, and on randprog_packet and pktgen
 *    packets (truncated ones, runts, empty ones) placed against a guard
 *    page the JIT must return what ebpf_run, cbpf_run and libpcap's
 *    bpf_filter return.  Also long or-runs from bpfc_compile (long jumps).
 *  - checker: hand-made programs each breaking one rule must be refused
 *    with BPFC_EUNSUPPORTED (the oracle is the rule; each case says which).
 *  - W^X: the mapping that holds jit_bytes' code is r-x in /proc/self/maps.
 *
 * Seed: BPFC_SEED; scale: BPFC_TEST_SCALE (smaller under sanitizers).
 */
#include <config.h>

#include <check.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/strbuf.h"
#include "cbpf/cbpf.h"
#include "ebpf/ebpf.h"
#include "jit/jit.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/randprog.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

#if TESTENV_SANITIZED
#define CJ_PROGRAMS 20000.0
#else
#define CJ_PROGRAMS 160000.0
#endif
#define CJ_PKTS 12
#define CJ_SEED 0x717e5eedull
#define CJ_MAXCAP 70000

#define I(c, d, s, o, i) ((struct bpfc_ebpf_insn){(c), (d), (s), (o), (i)})

static struct ebpf_prog
cj_prog(struct bpfc_ebpf_insn *v, size_t n)
{
	return (struct ebpf_prog){v, n, EBPF_TARGET_RUN, 0};
}

/* ---- forms against ebpf_run ---- */

/* Append `rD = v` (64 bits) using r5 as a temporary. */
static size_t
cj_set(struct bpfc_ebpf_insn *p, size_t n, int d, uint64_t v)
{
	p[n++] = I(EBPF_OP_ALU32_MOV_K, d, 0, 0, (int32_t)(uint32_t)(v >> 32));
	p[n++] = I(EBPF_OP_ALU64_LSH_K, d, 0, 0, 32);
	p[n++] = I(EBPF_OP_ALU32_MOV_K, 5, 0, 0, (int32_t)(uint32_t)v);
	p[n++] = I(EBPF_OP_ALU64_OR_X, d, 5, 0, 0);
	return n;
}

static uint32_t
cj_jit(const struct ebpf_prog *p, const uint8_t *pkt, uint32_t wire, uint32_t cap,
       uint32_t *ebpf)
{
	struct bpfc_error err = {.code = BPFC_OK};
	struct jit_code *c = jit_compile(p, &err);

	ck_assert_msg(c != NULL, "jit_compile refused: %s", err.msg);
	uint32_t v = jit_entry(c)(pkt, wire, cap);
	*ebpf = (uint32_t)ebpf_run(p, pkt, wire, cap);
	jit_free(c);
	return v;
}

static const uint64_t cj_vals[] = {0, 1, 2, 31, 32, 63, 0x7fffffff, 0x80000000, 0xffffffff,
				   0x100000000ull, 0xffffffff00000000ull, 0x8000000000000000ull,
				   UINT64_MAX, 0x123456789abcdef0ull, 0xfedcba9876543210ull, 7};
static const int32_t cj_imms[] = {0, 1, -1, 7, 31, 32, 63, 0x7fffffff, INT32_MIN, 0x1234,
				  -5, 255, 128};
/* dst, src pairs: rax with the pool, pool with rax, shared, rcx (shift
 * counts), a register the argument aliases would otherwise take. */
static const int cj_pairs[][2] = {{0, 7}, {2, 0}, {7, 2}, {9, 9}, {3, 4}, {8, 0}, {6, 1}};
#define CJ_NV (sizeof(cj_vals) / sizeof(cj_vals[0]))
#define CJ_NI (sizeof(cj_imms) / sizeof(cj_imms[0]))
#define CJ_NP (sizeof(cj_pairs) / sizeof(cj_pairs[0]))

/* The ALU forms of ebpf/opcodes.h. */
static const struct {
	uint8_t code;
	const char *name;
	int form;
	unsigned flags;
} cj_ops[] = {
#define CJ_OP(name, code, op, form, flags) {(code), #name, (form), (flags)},
	EBPF_OPCODES(CJ_OP)
#undef CJ_OP
};
#define CJ_NOPS (sizeof(cj_ops) / sizeof(cj_ops[0]))

/* One ALU case: the result's low half, xor its high half times an odd
 * constant (so the upper bits count too: zero-extension of 32-bit forms). */
static void
cj_alu_case(size_t op, int d, int s, uint64_t a, uint64_t b, int32_t imm)
{
	struct bpfc_ebpf_insn p[32];
	uint8_t code = cj_ops[op].code;
	int x = (cj_ops[op].flags & EBPF_F_SRC) != 0;
	size_t n = 0;

	if (x)
		n = cj_set(p, n, s, b);
	n = cj_set(p, n, d, a);
	int32_t k = cj_ops[op].form == EBPF_FORM_END ? (imm & 1 ? 16 : imm & 2 ? 32 : 64) : imm;
	p[n++] = I(code, d, x ? s : 0, 0, x ? 0 : k);
	p[n++] = I(EBPF_OP_ALU64_MOV_X, 0, d, 0, 0);
	p[n++] = I(EBPF_OP_ALU64_MOV_X, 5, d, 0, 0);
	p[n++] = I(EBPF_OP_ALU64_RSH_K, 5, 0, 0, 32);
	p[n++] = I(EBPF_OP_ALU32_MUL_K, 5, 0, 0, (int32_t)0x9e3779b1);
	p[n++] = I(EBPF_OP_ALU32_XOR_X, 0, 5, 0, 0);
	p[n++] = I(EBPF_OP_EXIT, 0, 0, 0, 0);
	struct ebpf_prog pr = cj_prog(p, n);
	uint32_t want, got = cj_jit(&pr, NULL, 0, 0, &want);
	ck_assert_msg(got == want,
		      "%s r%d, r%d: a %#" PRIx64 " b %#" PRIx64 " imm %d: jit %#x, ebpf_run %#x",
		      cj_ops[op].name, d, s, a, b, (int)k, got, want);
}

START_TEST(test_alu_forms)
{
	const size_t op = (size_t)_i;
	int form = cj_ops[op].form;

	if (form != EBPF_FORM_ALU && form != EBPF_FORM_NEG && form != EBPF_FORM_END)
		return;
	int x = (cj_ops[op].flags & EBPF_F_SRC) != 0;
	for (size_t pr = 0; pr < CJ_NP; pr++)
		for (size_t va = 0; va < CJ_NV; va++) {
			if (x)
				for (size_t vb = 0; vb < CJ_NV; vb++)
					cj_alu_case(op, cj_pairs[pr][0], cj_pairs[pr][1],
						    cj_vals[va], cj_vals[vb], 0);
			else
				for (size_t k = 0; k < CJ_NI; k++)
					cj_alu_case(op, cj_pairs[pr][0], 0, cj_vals[va], 0,
						    cj_imms[k]);
		}
}
END_TEST

START_TEST(test_jump_forms)
{
	const size_t op = (size_t)_i;
	struct bpfc_ebpf_insn p[32];

	if (cj_ops[op].form != EBPF_FORM_JMP)
		return;
	int x = (cj_ops[op].flags & EBPF_F_SRC) != 0;
	for (size_t pr = 0; pr < CJ_NP; pr += 2) /* every other pair: the ALU forms take all */
		for (size_t va = 0; va < CJ_NV; va++)
			for (size_t vb = 0; vb < (x ? CJ_NV : CJ_NI); vb++) {
				int d = cj_pairs[pr][0], s = cj_pairs[pr][1];
				size_t n = 0;
				if (x)
					n = cj_set(p, n, s, cj_vals[vb]);
				n = cj_set(p, n, d, cj_vals[va]);
				p[n++] = I(cj_ops[op].code, d, x ? s : 0, 2, x ? 0 : cj_imms[vb]);
				p[n++] = I(EBPF_OP_ALU32_MOV_K, 0, 0, 0, 1);
				p[n++] = I(EBPF_OP_EXIT, 0, 0, 0, 0);
				p[n++] = I(EBPF_OP_ALU32_MOV_K, 0, 0, 0, 2);
				p[n++] = I(EBPF_OP_EXIT, 0, 0, 0, 0);
				struct ebpf_prog prog = cj_prog(p, n);
				uint32_t want, got = cj_jit(&prog, NULL, 0, 0, &want);
				ck_assert_msg(got == want, "%s r%d r%d a %#" PRIx64 " case %zu: jit %u, "
					      "ebpf_run %u", cj_ops[op].name, d, s, cj_vals[va], vb,
					      got, want);
			}
}
END_TEST

/* Stores and loads of every size, at the top and the bottom of the frame
 * (red zone and explicit frame), with a division beside the big one. */
START_TEST(test_stack_forms)
{
	static const uint8_t sizes[] = {EBPF_B, EBPF_H, EBPF_W, EBPF_DW};
	static const int16_t offs[] = {-8, -16, -120, -128, -136, -512};
	struct bpfc_ebpf_insn p[40];

	for (size_t o = 0; o < sizeof(offs) / sizeof(offs[0]); o++)
		for (size_t ss = 0; ss < 4; ss++)
			for (size_t ls = 0; ls < 4; ls++)
				for (int st = 0; st < 2; st++)
					for (int div = 0; div < 2; div++) {
						size_t n = 0;
						int16_t off = offs[o];
						n = cj_set(p, n, 3, 0x8899aabbccddeeffull);
						n = cj_set(p, n, 0, 0x1122334455667788ull);
						p[n++] = I(EBPF_ST | EBPF_MEM | EBPF_DW, EBPF_FP, 0, off,
							   0x0badf00d);
						if (st)
							p[n++] = I(EBPF_ST | EBPF_MEM | sizes[ss], EBPF_FP,
								   0, off, -0x6543211);
						else
							p[n++] = I(EBPF_STX | EBPF_MEM | sizes[ss],
								   EBPF_FP, 3, off, 0);
						if (div)
							p[n++] = I(EBPF_OP_ALU64_DIV_K, 0, 0, 0, 3);
						p[n++] = I(EBPF_LDX | EBPF_MEM | sizes[ls], 2, EBPF_FP,
							   off, 0);
						p[n++] = I(EBPF_OP_ALU64_ADD_X, 0, 2, 0, 0);
						p[n++] = I(EBPF_OP_ALU64_RSH_K, 2, 0, 0, 32);
						p[n++] = I(EBPF_OP_ALU64_XOR_X, 0, 2, 0, 0);
						p[n++] = I(EBPF_OP_EXIT, 0, 0, 0, 0);
						struct ebpf_prog prog = cj_prog(p, n);
						uint32_t want, got = cj_jit(&prog, NULL, 0, 0, &want);
						ck_assert_msg(got == want,
							      "stack off %d size %zu/%zu st %d div %d: "
							      "jit %#x, ebpf_run %#x",
							      off, ss, ls, st, div, got, want);
					}
}
END_TEST

/* Context fields in registers the aliases do not cover, and a 64-bit
 * packet load, on packets of every length up to 20 against a guard page. */
START_TEST(test_context_forms)
{
	struct bpfc_ebpf_insn p[] = {
		I(EBPF_OP_ALU64_MOV_X, 6, 1, 0, 0),
		I(EBPF_OP_LDX_W, 2, 6, 76, 0),   /* r2 = data */
		I(EBPF_OP_LDX_W, 3, 6, 80, 0),   /* r3 = data_end */
		I(EBPF_OP_LDX_W, 4, 6, 0, 0),    /* r4 = len */
		I(EBPF_OP_ALU64_MOV_X, 0, 2, 0, 0),
		I(EBPF_OP_ALU64_ADD_K, 0, 0, 0, 9),
		I(EBPF_OP_JMP_JGT_X, 0, 3, 4, 0), /* if r0 > r3 goto +4 */
		I(EBPF_OP_LDX_DW, 0, 2, 1, 0),    /* r0 = *(u64 *)(r2 + 1) */
		I(EBPF_OP_ALU64_RSH_K, 0, 0, 0, 24),
		I(EBPF_OP_ALU64_ADD_X, 0, 4, 0, 0),
		I(EBPF_OP_EXIT, 0, 0, 0, 0),
		I(EBPF_OP_ALU64_MOV_X, 0, 4, 0, 0),
		I(EBPF_OP_LDX_W, 4, 6, 0, 0), /* r4 = len, again */
		I(EBPF_OP_ALU64_ADD_X, 0, 4, 0, 0),
		I(EBPF_OP_ALU32_MOV_K, 4, 0, 0, 3),
		I(EBPF_OP_ALU64_ADD_X, 0, 4, 0, 0),
		I(EBPF_OP_EXIT, 0, 0, 0, 0),
	};
	struct testenv_guard g;
	uint8_t bytes[20];

	ck_assert_int_eq(testenv_guard_init(&g, 64), 0);
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(0x31 * i + 7);
	for (uint32_t cap = 0; cap <= sizeof(bytes); cap++) {
		const uint8_t *pkt = testenv_guard_put(&g, bytes, cap);
		struct ebpf_prog prog = cj_prog(p, sizeof(p) / sizeof(p[0]));
		uint32_t want, got = cj_jit(&prog, pkt, cap + 1000, cap, &want);
		ck_assert_msg(got == want, "caplen %u: jit %#x, ebpf_run %#x", cap, got, want);
	}
	testenv_guard_free(&g);
}
END_TEST

/* ---- random cBPF programs ---- */

struct cj_pkt {
	struct testenv_guard g;
	const uint8_t *data;
	uint32_t cap, wire;
};

static void
cj_report(const struct bpfc_insn *cb, size_t n, const struct cj_pkt *pk, uint64_t seed,
	  const char *what, uint32_t got, uint32_t want)
{
	printf("FAIL %s: got %u, want %u (bpf_filter), caplen %u wirelen %u, seed %#" PRIx64
	       " (BPFC_SEED=%#" PRIx64 " to repeat)\n", what, got, want, pk->cap, pk->wire, seed,
	       seed);
	char *text = bpfc_listing(cb, n, BPFC_LISTING_D);
	printf("%s", text != NULL ? text : "");
	free(text);
}

/* A new packet set: random packets, pktgen frames, and cut copies. */
static void
cj_packets(struct rng *r, struct cj_pkt *pk, size_t np, const struct pktgen_set *frames)
{
	static uint8_t buf[CJ_MAXCAP];

	for (size_t k = 0; k < np; k++) {
		uint32_t cap, wire;
		if (frames->n > 0 && k % 3 == 1) {
			const struct pktgen_pkt *f = &frames->pkts[rng_below(r, (uint32_t)frames->n)];
			cap = f->caplen;
			wire = f->wirelen;
			if (cap > 0 && rng_chance(r, 1, 3))
				cap = rng_below(r, cap);
			memcpy(buf, f->data, cap);
		} else {
			randprog_packet(r, buf, sizeof(buf), &cap, &wire);
		}
		pk[k].data = testenv_guard_put(&pk[k].g, buf, cap);
		pk[k].cap = cap;
		pk[k].wire = wire;
	}
}

START_TEST(test_random_programs)
{
	uint64_t seed = testenv_seed("BPFC_SEED", CJ_SEED);
	size_t count = (size_t)(CJ_PROGRAMS * testenv_scale()) / 4; /* four loop runs */
	struct bpfc_insn *cb = malloc(BPFC_MAX_INSNS_DEFAULT * sizeof(*cb));
	struct cj_pkt pk[CJ_PKTS];
	struct pktgen_set frames;
	struct rng r;
	unsigned long bad = 0, runs = 0;

	seed += (uint64_t)_i * 0x9e3779b97f4a7c15ull;
	rng_seed(&r, seed);
	ck_assert_ptr_nonnull(cb);
	pktgen_set_init(&frames, 1);
	pktgen_generate(&frames, 1, seed, 256);
	for (size_t k = 0; k < CJ_PKTS; k++)
		ck_assert_int_eq(testenv_guard_init(&pk[k].g, CJ_MAXCAP), 0);
	for (size_t i = 0; i < count && bad < 5; i++) {
		if (i % 64 == 0)
			cj_packets(&r, pk, CJ_PKTS, &frames);
		size_t n = randprog_valid(&r, cb, rng_chance(&r, 1, 8) ? 400 : 40);
		struct bpfc_error err = {.code = BPFC_OK};
		struct ebpf_prog prog;
		struct arena a;
		arena_init(&a);
		ck_assert_msg(ebpf_from_cbpf(&a, cb, n, EBPF_TARGET_RUN, 0, &prog, &err) == 0,
			      "translate: %s (seed %#" PRIx64 ")", err.msg, seed);
		struct jit_code *c = jit_compile(&prog, &err);
		ck_assert_msg(c != NULL, "jit_compile refused the translator's program: %s "
			      "(seed %#" PRIx64 ", program %zu)", err.msg, seed, i);
		jit_fn fn = jit_entry(c);
		struct bpf_insn *pc = testenv_to_pcap(cb, n);
		ck_assert_ptr_nonnull(pc);
		for (size_t k = 0; k < CJ_PKTS; k++) {
			const struct cj_pkt *q = &pk[k];
			uint32_t want = bpf_filter(pc, q->data, q->wire, q->cap);
			uint32_t j = fn(q->data, q->wire, q->cap);
			uint32_t e = (uint32_t)ebpf_run(&prog, q->data, q->wire, q->cap);
			uint32_t cv = cbpf_run(cb, q->data, q->wire, q->cap);
			runs++;
			if (j != want || e != want || cv != want) {
				cj_report(cb, n, q, seed, j != want ? "jit" : e != want ? "ebpf_run"
					  : "cbpf_run", j != want ? j : e != want ? e : cv, want);
				bad++;
				break;
			}
		}
		free(pc);
		jit_free(c);
		arena_release(&a);
	}
	printf("check_jit: %zu random programs, %lu runs, %lu differences (seed %#" PRIx64 ")\n",
	       count, runs, bad, seed);
	for (size_t k = 0; k < CJ_PKTS; k++)
		testenv_guard_free(&pk[k].g);
	pktgen_set_free(&frames);
	free(cb);
	ck_assert_uint_eq(bad, 0);
}
END_TEST

/* Long programs (long jumps, many guards) from the compiler. */
START_TEST(test_long_filters)
{
	static const unsigned sizes[] = {1, 20, 100, 500, 1500};
	struct pktgen_set s;
	struct testenv_guard g;
	struct rng r;
	struct strbuf b;

	rng_seed(&r, CJ_SEED);
	pktgen_set_init(&s, 1);
	ck_assert_int_eq(pktgen_generate(&s, 1, CJ_SEED, 600), 0);
	ck_assert_int_eq(testenv_guard_init(&g, CJ_MAXCAP), 0);
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		strbuf_init(&b);
		for (unsigned i = 0; i < sizes[z]; i++)
			strbuf_printf(&b, "%s%s 10.%u.%u.%u", i ? " or " : "",
				      i % 3 ? "host" : "src net", rng_below(&r, 2), rng_below(&r, 3),
				      rng_below(&r, 256));
		strbuf_puts(&b, z % 2 ? " or tcp[tcpflags] & tcp-syn != 0" : " or ip6 and udp port 53");
		char *expr = strbuf_take(&b), errbuf[BPFC_ERRBUF_SIZE];
		struct bpfc_filter *f = bpfc_compile(expr, NULL, errbuf);
		ck_assert_msg(f != NULL, "%s", errbuf);
		ck_assert_int_eq(bpfc_get_engine(f), BPFC_ENGINE_JIT);
		const struct bpfc_insn *cb;
		size_t n = bpfc_cbpf(f, &cb);
		struct bpf_insn *pc = testenv_to_pcap(cb, n);
		for (size_t k = 0; k < s.n; k++) {
			const uint8_t *d = testenv_guard_put(&g, s.pkts[k].data, s.pkts[k].caplen);
			uint32_t want = bpf_filter(pc, d, s.pkts[k].wirelen, s.pkts[k].caplen);
			uint32_t got = bpfc_run(f, d, s.pkts[k].wirelen, s.pkts[k].caplen);
			ck_assert_msg(got == want, "%u hosts, packet %zu: jit %u, bpf_filter %u",
				      sizes[z], k, got, want);
		}
		free(pc);
		free(expr);
		bpfc_free(f);
	}
	testenv_guard_free(&g);
	pktgen_set_free(&s);
}
END_TEST

/* ---- the checker's refusals ---- */

struct cj_bad {
	const char *why;
	struct bpfc_ebpf_insn p[12];
	size_t n;
};

#define PRO I(EBPF_OP_ALU64_MOV_X, 6, 1, 0, 0), I(EBPF_OP_LDX_W, 9, 6, 76, 0), \
	I(EBPF_OP_LDX_W, 8, 6, 80, 0)
#define RET0 I(EBPF_OP_ALU32_MOV_K, 0, 0, 0, 0), I(EBPF_OP_EXIT, 0, 0, 0, 0)

static const struct cj_bad cj_bad[] = {
	/* A load with no guard at all: nothing proves byte 12 is there. */
	{"no guard", {PRO, I(EBPF_OP_LDX_H, 0, 9, 12, 0), I(EBPF_OP_EXIT, 0, 0, 0, 0)}, 5},
	/* The guard proves 13 bytes; the load needs 14. */
	{"short guard", {PRO, I(EBPF_OP_ALU64_MOV_X, 2, 9, 0, 0), I(EBPF_OP_ALU64_ADD_K, 2, 0, 0, 13),
			 I(EBPF_OP_JMP_JGT_X, 2, 8, 1, 0), I(EBPF_OP_LDX_H, 0, 9, 12, 0), RET0}, 9},
	/* The guard's branches swapped: the load sits where rP > data_end. */
	{"guard the wrong way", {PRO, I(EBPF_OP_ALU64_MOV_X, 2, 9, 0, 0),
				 I(EBPF_OP_ALU64_ADD_K, 2, 0, 0, 14), I(EBPF_OP_JMP_JLE_X, 2, 8, 1, 0),
				 I(EBPF_OP_LDX_H, 0, 9, 12, 0), RET0}, 9},
	/* The guard covers one path to the load only. */
	{"guard on one path", {PRO, I(EBPF_OP_LDX_W, 0, 6, 0, 0), I(EBPF_OP_JMP32_JEQ_K, 0, 0, 3, 5),
			       I(EBPF_OP_ALU64_MOV_X, 2, 9, 0, 0), I(EBPF_OP_ALU64_ADD_K, 2, 0, 0, 14),
			       I(EBPF_OP_JMP_JGT_X, 2, 8, 2, 0), I(EBPF_OP_LDX_H, 0, 9, 12, 0), RET0}, 11},
	/* The context has len, data and data_end only: offset 4 is another field. */
	{"ctx offset", {I(EBPF_OP_LDX_W, 0, 1, 4, 0), I(EBPF_OP_EXIT, 0, 0, 0, 0)}, 2},
	/* Jumps go forward only. */
	{"backward jump", {I(EBPF_OP_ALU32_MOV_K, 0, 0, 0, 0), I(EBPF_OP_JA, 0, 0, -2, 0),
			   I(EBPF_OP_EXIT, 0, 0, 0, 0)}, 3},
	/* r0 is written on one path only before the exit reads it. */
	{"uninitialised register", {I(EBPF_OP_LDX_W, 2, 1, 0, 0), I(EBPF_OP_JMP32_JEQ_K, 2, 0, 1, 0),
				    I(EBPF_OP_ALU32_MOV_K, 0, 0, 0, 1), I(EBPF_OP_EXIT, 0, 0, 0, 0)}, 4},
	/* M[k] read before it is written. */
	{"uninitialised stack", {I(EBPF_OP_LDX_W, 0, 10, -4, 0), I(EBPF_OP_EXIT, 0, 0, 0, 0)}, 2},
	/* Below the 512-byte frame. */
	{"stack out of frame", {I(EBPF_ST | EBPF_MEM | EBPF_W, 10, 0, -516, 1), RET0}, 3},
	/* A store into the packet. */
	{"packet store", {PRO, I(EBPF_OP_ALU64_MOV_X, 2, 9, 0, 0), I(EBPF_OP_ALU64_ADD_K, 2, 0, 0, 4),
			  I(EBPF_OP_JMP_JGT_X, 2, 8, 1, 0), I(EBPF_STX | EBPF_MEM | EBPF_W, 9, 0, 0, 0),
			  RET0}, 9},
	/* data + a 64-bit number could wrap below data. */
	{"64-bit index", {PRO, I(EBPF_OP_ALU64_MOV_K, 7, 0, 0, -1), I(EBPF_OP_ALU64_MOV_X, 5, 9, 0, 0),
			  I(EBPF_OP_ALU64_ADD_X, 5, 7, 0, 0), RET0}, 8},
	/* The last instruction falls through. */
	{"falls off the end", {I(EBPF_OP_ALU32_MOV_K, 0, 0, 0, 0)}, 1},
	/* A call (and the legacy packet load) has no place in the run target. */
	{"call", {I(EBPF_OP_CALL, 0, 0, 0, 1), I(EBPF_OP_EXIT, 0, 0, 0, 0)}, 2},
	{"legacy load", {I(EBPF_OP_LD_ABS_B, 0, 0, 0, 1), I(EBPF_OP_EXIT, 0, 0, 0, 0)}, 2},
	/* Returning a pointer. */
	{"pointer returned", {PRO, I(EBPF_OP_ALU64_MOV_X, 0, 9, 0, 0), I(EBPF_OP_EXIT, 0, 0, 0, 0)}, 5},
};

START_TEST(test_checker_refuses)
{
	const struct cj_bad *c = &cj_bad[_i];
	struct bpfc_error err = {.code = BPFC_OK};
	struct ebpf_prog p = cj_prog((struct bpfc_ebpf_insn *)c->p, c->n);
	struct jit_code *code = jit_compile(&p, &err);

	ck_assert_msg(code == NULL, "%s: accepted", c->why);
	ck_assert_msg(err.code == BPFC_EUNSUPPORTED, "%s: code %d (%s)", c->why, (int)err.code,
		      err.msg);
}
END_TEST

/* The same programs with the rule kept must be accepted (so each refusal
 * above is about its one broken rule). */
START_TEST(test_checker_accepts_fixed)
{
	struct bpfc_ebpf_insn ok[] = {PRO, I(EBPF_OP_ALU64_MOV_X, 2, 9, 0, 0),
				      I(EBPF_OP_ALU64_ADD_K, 2, 0, 0, 14),
				      I(EBPF_OP_JMP_JGT_X, 2, 8, 1, 0), I(EBPF_OP_LDX_H, 0, 9, 12, 0),
				      RET0};
	struct bpfc_error err = {.code = BPFC_OK};
	struct ebpf_prog p = cj_prog(ok, sizeof(ok) / sizeof(ok[0]));
	struct jit_code *c = jit_compile(&p, &err);

	ck_assert_msg(c != NULL, "%s", err.msg);
	jit_free(c);
}
END_TEST

/* ---- W^X ---- */

START_TEST(test_code_is_not_writable)
{
	struct bpfc_filter *f = bpfc_compile("tcp port 80", NULL, NULL);
	const struct bpfc_insn *cb;
	struct bpfc_error err = {.code = BPFC_OK};
	struct ebpf_prog p;
	struct arena a;
	const uint8_t *code;
	char line[512];
	int found = 0;

	ck_assert_ptr_nonnull(f);
	size_t n = bpfc_cbpf(f, &cb);
	arena_init(&a);
	ck_assert_int_eq(ebpf_from_cbpf(&a, cb, n, EBPF_TARGET_RUN, 0, &p, &err), 0);
	struct jit_code *c = jit_compile(&p, &err);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_gt(jit_bytes(c, &code), 0);
	FILE *m = fopen("/proc/self/maps", "r");
	ck_assert_ptr_nonnull(m);
	while (fgets(line, sizeof(line), m) != NULL) {
		unsigned long lo, hi;
		char perm[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) != 3)
			continue;
		if ((uintptr_t)code >= lo && (uintptr_t)code < hi) {
			found = 1;
			ck_assert_msg(strncmp(perm, "r-x", 3) == 0, "code mapped %s", perm);
		}
	}
	fclose(m);
	ck_assert_msg(found, "no mapping holds the code");
	/* The hex dump shows the same bytes. */
	struct strbuf b;
	strbuf_init(&b);
	jit_hexdump(&b, c);
	char *text = strbuf_take(&b), want[64];
	snprintf(want, sizeof(want), "00000000: %02x", code[0]);
	ck_assert_ptr_nonnull(strstr(text, want));
	free(text);
	jit_free(c);
	arena_release(&a);
	bpfc_free(f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("jit");
	TCase *tc = tcase_create("jit");
	SRunner *sr;
	int failed;

	if (!jit_available()) {
		printf("check_jit: no JIT on this machine (not x86-64 Linux)\n");
		return 77;
	}
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_alu_forms, 0, (int)CJ_NOPS);
	tcase_add_loop_test(tc, test_jump_forms, 0, (int)CJ_NOPS);
	tcase_add_test(tc, test_stack_forms);
	tcase_add_test(tc, test_context_forms);
	tcase_add_loop_test(tc, test_random_programs, 0, 4);
	tcase_add_test(tc, test_long_filters);
	tcase_add_loop_test(tc, test_checker_refuses, 0, (int)(sizeof(cj_bad) / sizeof(cj_bad[0])));
	tcase_add_test(tc, test_checker_accepts_fixed);
	tcase_add_test(tc, test_code_is_not_writable);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
