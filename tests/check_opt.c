/*
 * check_opt.c: the optimizer (codegen/opt*.c).
 *
 *  captures    every expression of tests/exprs/captures.txt that libpcap
 *              compiles on DLT_EN10MB: libpcap's UNoptimized program goes
 *              through ir_from_cbpf, opt_run and ir_assemble; libpcap's
 *              bpf_filter must return the same on the input and on the
 *              output for every packet (pktgen Ethernet frames and random
 *              packets), the output must pass cbpf_validate and libpcap's
 *              bpf_validate, and it must be no longer than the input plus
 *              the trampolines the assembler added.  The sizes against
 *              libpcap's optimized output are printed (a report, not an
 *              assertion).
 *              libpcap's optimized output goes through the same path.
 *              A second opt_run on the result changes nothing.
 *  random      randprog_valid programs through the same path.
 *  combos      random and/or/not combinations of corpus expressions,
 *              libpcap's unoptimized output, through the same path.
 *  passes      each pass alone on small hand-built IR: the result is
 *              equivalent (libpcap's bpf_filter on the assembled input and
 *              output) and has the structural property stated per case.
 *  setscale    chains of 20, 1000 and 10,000 `jeq` on one loaded word:
 *              set lowering gives a tree of bounded depth; the verdict on
 *              packets carrying every constant, its neighbours and misses
 *              is the set membership computed here; time printed.
 *  cap         the progress cap: a round cap of 1 on a program that needs
 *              two rounds is BPFC_EINTERNAL.
 *
 * Environment: BPFC_SEED, BPFC_TEST_SCALE (a quarter under
 * sanitizers).  A failure names the seed and the expression or program.
 */
#include <config.h>

#include <assert.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <pcap/pcap.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "cbpf/cbpf.h"
#include "codegen/ir.h"
#include "codegen/opt.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/randprog.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

static_assert(sizeof(struct bpfc_insn) == sizeof(struct bpf_insn), "insn size");

#define T_POOL 4000
#define T_RANDPKT 1600

static uint64_t t_seed;
static struct testenv_pkt *t_pkts;
static size_t t_npkts;

static double
t_scale(void)
{
	return testenv_scale() / (TESTENV_SANITIZED ? 4 : 1);
}

static void
t_setup(void)
{
	size_t pool = (size_t)(T_POOL * t_scale()) + 64;

	t_seed = testenv_seed("BPFC_SEED", 0x6f707421u);
	t_pkts = testenv_pool(t_seed, pool, T_RANDPKT, &t_npkts);
	ck_assert_ptr_nonnull(t_pkts);
}

static void
t_teardown(void)
{
	testenv_pool_free(t_pkts, t_npkts);
	t_pkts = NULL;
	t_npkts = 0;
}

static uint32_t
t_run(const struct bpfc_insn *insns, const struct testenv_pkt *p)
{
	return bpf_filter((const struct bpf_insn *)(const void *)insns, p->data, p->wirelen,
			  p->caplen);
}

/* libpcap's verdicts on `a` and `b` agree on every packet. */
static void
t_equiv(const struct bpfc_insn *a, const struct bpfc_insn *b, const char *what)
{
	for (size_t i = 0; i < t_npkts; i++) {
		uint32_t x = t_run(a, &t_pkts[i]), y = t_run(b, &t_pkts[i]);
		if (x != y) /* ck_assert in a hot loop costs a write(2) per call */
			ck_abort_msg("%s: packet %zu (caplen %u): input returns %u, optimized %u "
			      "(BPFC_SEED=0x%" PRIx64 ")",
			      what, i, t_pkts[i].caplen, x, y, t_seed);
	}
}

/* Does libpcap's verdict differ between a and b on some packet? */
static int
t_differs(const struct bpfc_insn *a, const struct bpfc_insn *b)
{
	for (size_t i = 0; i < t_npkts; i++)
		if (t_run(a, &t_pkts[i]) != t_run(b, &t_pkts[i]))
			return 1;
	return 0;
}

/* Input program -> IR -> opt_run -> cBPF, checked; returns the length. */
static size_t
t_optimize(struct arena *a, const struct bpfc_insn *in, size_t n, const char *what,
	   int skip_invalid, int check_fixpoint)
{
	struct bpfc_error err;
	struct bpfc_load_options lo = {.max_insns = 1u << 20};
	struct ir_prog *p;
	struct bpfc_insn *out;
	size_t m;

	diag_init(&err);
	p = ir_from_cbpf(a, in, n, &err);

	if (p == NULL && skip_invalid)
		return 0; /* the kernel's rules refuse the input itself */
	ck_assert_msg(p != NULL, "%s: ir_from_cbpf: %s", what, err.msg);
	ck_assert_msg(opt_run(p, &err) == 0, "%s: opt_run: %s", what, err.msg);
	if (check_fixpoint) { /* a second run finds nothing left to do */
		struct opt_config c;
		struct opt_stats st;
		opt_config_default(&c);
		ck_assert_msg(opt_run_config(p, &c, &st, &err) == 0, "%s: %s", what, err.msg);
		for (int i = 0; i < 6; i++)
			ck_assert_msg(st.changes[i] == 0, "%s: second run: pass %d changed", what, i);
	}
	ck_assert_msg(ir_assemble(p, a, &out, &m, &err) == 0, "%s: ir_assemble: %s", what,
		      err.msg);
	ck_assert_msg(cbpf_validate(out, m, &lo, &err) == 0, "%s: cbpf_validate: %s", what,
		      err.msg);
	ck_assert_msg(bpf_validate((const struct bpf_insn *)(const void *)out, (int)m),
		      "%s: bpf_validate refuses the output", what);
	ck_assert_msg(m <= n + p->asm_stats.trampolines,
		      "%s: optimized %zu > input %zu + %u trampolines", what, m, n,
		      p->asm_stats.trampolines);
	t_equiv(in, out, what);
	return m;
}

/* ---- captures: libpcap's unoptimized corpus ------------------------------- */

struct t_worst {
	char expr[200];
	int diff, ours, theirs;
};

static void
t_worst_add(struct t_worst *w, size_t nw, const char *e, int ours, int theirs)
{
	size_t at = nw;
	for (size_t i = 0; i < nw; i++)
		if (ours - theirs > w[i].diff) {
			at = i;
			break;
		}
	if (at == nw)
		return;
	memmove(&w[at + 1], &w[at], (nw - at - 1) * sizeof(*w));
	snprintf(w[at].expr, sizeof(w[at].expr), "%.150s", e);
	w[at].diff = ours - theirs;
	w[at].ours = ours;
	w[at].theirs = theirs;
}

START_TEST(test_captures)
{
	const char *src = getenv("top_srcdir");
	char path[4096], line[4096];
	FILE *f;
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, 262144);
	size_t nexpr = 0, nrefused = 0, larger = 0, larger_unsafe = 0, smaller = 0;
	size_t sum_unopt = 0, sum_pcap = 0, sum_ours = 0;
	struct t_worst worst[10];
	clock_t t0 = clock();

	memset(worst, 0, sizeof(worst));
	for (size_t i = 0; i < 10; i++)
		worst[i].diff = 0;
	snprintf(path, sizeof(path), "%s/tests/exprs/captures.txt", src ? src : ".");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s (set top_srcdir)", path);
	ck_assert_ptr_nonnull(pd);
	while (fgets(line, sizeof(line), f) != NULL) {
		struct bpf_program p0, p1;
		struct arena a;
		size_t ours;
		line[strcspn(line, "\r\n")] = 0;
		if (line[0] == 0 || line[0] == '#')
			continue;
		if (pcap_compile(pd, &p0, line, 0, PCAP_NETMASK_UNKNOWN) != 0)
			continue;
		if (pcap_compile(pd, &p1, line, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			pcap_freecode(&p0);
			continue;
		}
		arena_init(&a);
		ours = t_optimize(&a, (const struct bpfc_insn *)(const void *)p0.bf_insns,
				  p0.bf_len, line, 1, 1);
		arena_release(&a);
		if (ours == 0) {
			nrefused++;
			pcap_freecode(&p0);
			pcap_freecode(&p1);
			continue;
		}
		nexpr++;
		sum_unopt += p0.bf_len;
		sum_pcap += p1.bf_len;
		sum_ours += ours;
		smaller += ours < p1.bf_len;
		if (ours > p1.bf_len) {
			/* libpcap's optimizer moves tests across loads that may
			 * fail (truncated packets): those comparisons are unfair */
			if (t_differs((const struct bpfc_insn *)(const void *)p0.bf_insns,
				      (const struct bpfc_insn *)(const void *)p1.bf_insns)) {
				larger_unsafe++;
			} else {
				larger++;
				t_worst_add(worst, 10, line, (int)ours, (int)p1.bf_len);
			}
		}
		/* libpcap's optimized output is an input too */
		arena_init(&a);
		(void)t_optimize(&a, (const struct bpfc_insn *)(const void *)p1.bf_insns, p1.bf_len,
				 line, 1, 0);
		arena_release(&a);
		pcap_freecode(&p0);
		pcap_freecode(&p1);
	}
	fclose(f);
	pcap_close(pd);
	printf("check_opt captures: %zu expressions (%zu more refused by the kernel's rules), "
	       "%zu packets; instructions: unoptimized %zu, "
	       "libpcap -O %zu, bpfc %zu; bpfc larger on %zu where libpcap -O keeps the "
	       "unoptimized verdicts, and on %zu where it does not; smaller on %zu; %.2f s\n",
	       nexpr, nrefused, t_npkts, sum_unopt, sum_pcap, sum_ours, larger, larger_unsafe, smaller,
	       (double)(clock() - t0) / CLOCKS_PER_SEC);
	for (size_t i = 0; i < 10 && worst[i].diff > 0; i++)
		printf("  worst: %d vs libpcap %d: %s\n", worst[i].ours, worst[i].theirs,
		       worst[i].expr);
	ck_assert_uint_gt(nexpr, 400);
}
END_TEST

/* The corpus's expressions, for combining. */
static char **
t_read_exprs(size_t *n)
{
	const char *src = getenv("top_srcdir");
	char path[4096], line[4096], **v = NULL;
	size_t cap = 0;
	FILE *f;

	*n = 0;
	snprintf(path, sizeof(path), "%s/tests/exprs/captures.txt", src ? src : ".");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s (set top_srcdir)", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = 0;
		if (line[0] == 0 || line[0] == '#')
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			v = realloc(v, cap * sizeof(*v));
			ck_assert_ptr_nonnull(v);
		}
		v[(*n)++] = strdup(line);
	}
	fclose(f);
	return v;
}

/* Random and/or/not combinations of 2 to 4 corpus expressions: larger
 * DAGs with the same tests repeated on many paths (threading's food). */
START_TEST(test_combos)
{
	size_t n, done = 0;
	char **e = t_read_exprs(&n);
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, 262144);
	uint32_t count = (uint32_t)(1500 * t_scale());
	struct rng r;
	char buf[8192];
	static const char *const op[] = {" and ", " or ", " and not ", " or not "};

	rng_seed(&r, t_seed ^ 0xc0b0);
	for (uint32_t i = 0; i < count; i++) {
		struct bpf_program p0;
		struct arena a;
		int terms = 2 + (int)rng_below(&r, 3), len;
		len = snprintf(buf, sizeof(buf), "(%s)", e[rng_below(&r, (uint32_t)n)]);
		for (int t = 1; t < terms && len > 0 && (size_t)len < sizeof(buf); t++)
			len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s(%s)",
					op[rng_below(&r, 4)], e[rng_below(&r, (uint32_t)n)]);
		if (pcap_compile(pd, &p0, buf, 0, PCAP_NETMASK_UNKNOWN) != 0)
			continue;
		arena_init(&a);
		done += t_optimize(&a, (const struct bpfc_insn *)(const void *)p0.bf_insns,
				   p0.bf_len, buf, 1, 1) != 0;
		arena_release(&a);
		pcap_freecode(&p0);
	}
	printf("check_opt combos: %zu combined expressions checked\n", done);
	ck_assert_uint_gt(done, count / 4);
	for (size_t i = 0; i < n; i++)
		free(e[i]);
	free(e);
	pcap_close(pd);
}
END_TEST

START_TEST(test_random)
{
	struct rng r;
	struct bpfc_insn prog[96];
	uint32_t count = (uint32_t)(20000 * t_scale());
	char what[96];

	rng_seed(&r, t_seed ^ 0x7261);
	for (uint32_t i = 0; i < count; i++) {
		struct arena a;
		size_t n = randprog_valid(&r, prog, 2 + rng_below(&r, 94));
		snprintf(what, sizeof(what), "random program %u", i);
		arena_init(&a);
		(void)t_optimize(&a, prog, n, what, 0, i % 4 == 0);
		arena_release(&a);
	}
}
END_TEST

/* ---- each pass on hand-built IR ---------------------------------------------- */

#define LDH_ABS (CBPF_LD | CBPF_H | CBPF_ABS)
#define LD_ABS (CBPF_LD | CBPF_W | CBPF_ABS)
#define LDB_ABS (CBPF_LD | CBPF_B | CBPF_ABS)
#define JEQ_K (CBPF_JMP | CBPF_JEQ | CBPF_K)
#define JGT_K (CBPF_JMP | CBPF_JGT | CBPF_K)

static struct bpfc_insn *
t_asm(struct ir_prog *p, struct arena *a, size_t *n)
{
	struct bpfc_error err;
	struct bpfc_insn *out;

	diag_init(&err);
	ck_assert_msg(ir_assemble(p, a, &out, n, &err) == 0, "ir_assemble: %s", err.msg);
	return out;
}

/* Run the passes in `mask` on p; the assembled input and output must
 * agree on every packet. */
static void
t_passes(struct ir_prog *p, struct arena *a, unsigned mask, const char *what)
{
	struct opt_config c;
	struct bpfc_error err;
	size_t n0, n1;
	struct bpfc_insn *in = t_asm(p, a, &n0), *out;

	diag_init(&err);
	opt_config_default(&c);
	c.passes = mask;
	ck_assert_msg(opt_run_config(p, &c, NULL, &err) == 0, "%s: %s", what, err.msg);
	ck_assert_int_eq(ir_remove_unreachable(p), 0);
	out = t_asm(p, a, &n1);
	t_equiv(in, out, what);
}

/* Reachable statements (code, k) and branches on constant k. */
static uint32_t
t_count_stmt(const struct ir_prog *p, uint16_t code, uint32_t k)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < p->nblocks; i++)
		for (uint32_t j = 0; j < p->blocks[i]->nstmts; j++)
			n += p->blocks[i]->stmts[j].code == code && p->blocks[i]->stmts[j].k == k;
	return n;
}

static uint32_t
t_count_branch(const struct ir_prog *p, uint32_t k)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < p->nblocks; i++)
		n += p->blocks[i]->term == IR_BRANCH && p->blocks[i]->k == k;
	return n;
}

/* Most branches on one path from entry. */
static uint32_t
t_depth(struct ir_prog *p)
{
	uint32_t n, best = 0, *d = calloc(p->nblocks, sizeof(*d));
	struct ir_block **rpo = ir_rpo(p, &n);

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(rpo);
	for (uint32_t i = n; i-- > 0;) {
		struct ir_block *b = rpo[i];
		for (unsigned w = 0; w < ir_nsucc(b); w++)
			if (d[ir_succ(b, w)->id] > d[b->id])
				d[b->id] = d[ir_succ(b, w)->id];
		d[b->id] += b->term == IR_BRANCH;
	}
	best = d[p->entry->id];
	free(d);
	return best;
}

START_TEST(test_pass_blocks)
{
	struct arena a;
	struct ir_prog *p;
	struct ir_block *b[9];

	arena_init(&a);
	p = ir_new(&a);
	for (int i = 0; i < 9; i++)
		b[i] = ir_block_new(p, 0, 0);
	ir_ret(b[6], CBPF_RET | CBPF_K, 0x40000);
	ir_ret(b[7], CBPF_RET | CBPF_K, 0);
	ir_ret(b[8], CBPF_RET | CBPF_K, 0);
	ir_emit(b[0], LDH_ABS, 12);
	ir_branch(b[0], JEQ_K, 0x800, b[1], b[2]);
	ir_jump(b[1], b[3]);            /* empty gotos: bypassed */
	ir_jump(b[3], b[4]);
	ir_emit(b[4], LDB_ABS, 23);     /* one predecessor: merged */
	ir_jump(b[4], b[5]);
	ir_branch(b[5], JEQ_K, 6, b[6], b[7]);
	ir_branch(b[2], JEQ_K, 1, b[7], b[8]); /* equal returns: a goto */
	ir_set_entry(p, b[0]);
	ck_assert(!ir_failed(p));
	t_passes(p, &a, OPT_BLOCKS, "blocks");
	/* entry, the merged ldb block, one accept, one reject */
	ck_assert_uint_eq(p->nblocks, 4);
	for (uint32_t i = 0; i < p->nblocks; i++) {
		const struct ir_block *x = p->blocks[i];
		ck_assert(!(x->term == IR_JUMP && x->nstmts == 0));
		ck_assert(!(x->term == IR_BRANCH && x->jt == x->jf));
	}
	arena_release(&a);
}
END_TEST

START_TEST(test_pass_redundant)
{
	struct arena a;
	struct ir_prog *p;
	struct ir_block *b[6];

	arena_init(&a);
	p = ir_new(&a);
	for (int i = 0; i < 6; i++)
		b[i] = ir_block_new(p, 0, 0);
	ir_ret(b[4], CBPF_RET | CBPF_A, 0);
	ir_ret(b[5], CBPF_RET | CBPF_K, 0);
	ir_emit(b[0], LDH_ABS, 100);    /* dead, but the first load: kept */
	ir_emit(b[0], LDH_ABS, 12);
	ir_branch(b[0], JGT_K, 0x5ff, b[1], b[2]);
	ir_emit(b[1], LDH_ABS, 12);     /* A holds it on every path: removed */
	ir_branch(b[1], JEQ_K, 0x800, b[3], b[5]);
	ir_emit(b[2], LDH_ABS, 12);     /* removed */
	ir_emit(b[2], LDB_ABS, 12);     /* dead and can no longer fail: removed */
	ir_emit(b[2], CBPF_LD | CBPF_IMM, 5);
	ir_emit(b[2], CBPF_ALU | CBPF_ADD | CBPF_K, 3); /* folded: ld #8 */
	ir_branch(b[2], JEQ_K, 8, b[3], b[5]);
	ir_emit(b[3], LDB_ABS, 23);     /* dead, covered by ld [26]: removed */
	ir_emit(b[3], LD_ABS, 26);
	ir_jump(b[3], b[4]);
	ir_set_entry(p, b[0]);
	ck_assert(!ir_failed(p));
	t_passes(p, &a, OPT_REDUNDANT, "redundant");
	ck_assert_uint_eq(t_count_stmt(p, LDH_ABS, 12), 1);
	ck_assert_uint_eq(t_count_stmt(p, LDH_ABS, 100), 1);
	ck_assert_uint_eq(t_count_stmt(p, LDB_ABS, 12), 0);
	ck_assert_uint_eq(t_count_stmt(p, LDB_ABS, 23), 0);
	ck_assert_uint_eq(t_count_stmt(p, CBPF_ALU | CBPF_ADD | CBPF_K, 3), 0);
	ck_assert_uint_eq(t_count_stmt(p, CBPF_LD | CBPF_IMM, 8), 1);
	arena_release(&a);
}
END_TEST

START_TEST(test_pass_decide)
{
	struct arena a;
	struct ir_prog *p;
	struct ir_block *b[5];

	arena_init(&a);
	p = ir_new(&a);
	for (int i = 0; i < 5; i++)
		b[i] = ir_block_new(p, 0, 0);
	ir_ret(b[3], CBPF_RET | CBPF_K, 0x40000);
	ir_ret(b[4], CBPF_RET | CBPF_K, 0);
	ir_emit(b[0], LDH_ABS, 12);
	ir_branch(b[0], JGT_K, 0x600, b[1], b[4]);
	ir_branch(b[1], JEQ_K, 0x5, b[4], b[2]);         /* A > 0x600: never 5 */
	ir_emit(b[2], CBPF_LD | CBPF_IMM, 5);
	ir_emit(b[2], CBPF_ALU | CBPF_ADD | CBPF_K, 3);
	ir_branch(b[2], JEQ_K, 8, b[3], b[4]);           /* 5 + 3 == 8 */
	ir_set_entry(p, b[0]);
	ck_assert(!ir_failed(p));
	t_passes(p, &a, OPT_DECIDE, "decide");
	ck_assert_uint_eq(t_count_branch(p, 5), 0);
	ck_assert_uint_eq(t_count_branch(p, 8), 0);
	ck_assert_uint_eq(t_count_branch(p, 0x600), 1);
	arena_release(&a);
}
END_TEST

/* `host X` as libpcap writes it unoptimized: the ethertype tested twice. */
static struct ir_prog *
t_host_prog(struct arena *a)
{
	struct ir_prog *p = ir_new(a);
	struct ir_block *b[6];

	for (int i = 0; i < 6; i++)
		b[i] = ir_block_new(p, 0, 0);
	ir_ret(b[4], CBPF_RET | CBPF_K, 0x40000);
	ir_ret(b[5], CBPF_RET | CBPF_K, 0);
	ir_emit(b[0], LDH_ABS, 12);
	ir_branch(b[0], JEQ_K, 0x800, b[1], b[2]);
	ir_emit(b[1], LD_ABS, 26);
	ir_branch(b[1], JEQ_K, 0x0a000001, b[4], b[2]);
	ir_emit(b[2], LDH_ABS, 12);
	ir_branch(b[2], JEQ_K, 0x800, b[3], b[5]);
	ir_emit(b[3], LD_ABS, 30);
	ir_branch(b[3], JEQ_K, 0x0a000001, b[4], b[5]);
	ir_set_entry(p, b[0]);
	ck_assert(!ir_failed(p));
	return p;
}

START_TEST(test_pass_thread)
{
	struct arena a;
	struct ir_prog *p;

	arena_init(&a);
	p = t_host_prog(&a);
	t_passes(p, &a, OPT_THREAD, "thread");
	/* both edges into the second test bypass it: it is gone */
	ck_assert_uint_eq(t_count_branch(p, 0x800), 1);
	ck_assert_uint_eq(t_count_stmt(p, LDH_ABS, 12), 1);
	arena_release(&a);
}
END_TEST

START_TEST(test_cap)
{
	struct arena a;
	struct ir_prog *p;
	struct opt_config c;
	struct bpfc_error err;

	arena_init(&a);
	p = t_host_prog(&a);
	opt_config_default(&c);
	c.max_rounds = 1; /* the program needs more than one round */
	diag_init(&err);
	ck_assert_int_eq(opt_run_config(p, &c, NULL, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINTERNAL);
	ck_assert_msg(strstr(err.msg, "fixed point") != NULL, "message: %s", err.msg);
	arena_release(&a);
	/* the default cap (the measure's bound) is not reached */
	arena_init(&a);
	p = t_host_prog(&a);
	diag_init(&err);
	ck_assert_int_eq(opt_run(p, &err), 0);
	arena_release(&a);
}
END_TEST

/* ---- set lowering ------------------------------------------------------------ */

/* `ld [14]` then a chain of jeq on the n constants c[] to one accept. */
static struct ir_prog *
t_chain(struct arena *a, const uint32_t *c, uint32_t n)
{
	struct ir_prog *p = ir_new(a);
	struct ir_block *acc = ir_block_new(p, 0, 0), *rej = ir_block_new(p, 0, 0);
	struct ir_block *next = rej;

	ir_ret(acc, CBPF_RET | CBPF_K, 0x40000);
	ir_ret(rej, CBPF_RET | CBPF_K, 0);
	for (uint32_t i = n; i-- > 0;) { /* made last first: edges need targets */
		struct ir_block *b = ir_block_new(p, 0, 0);
		if (i == 0)
			ir_emit(b, LD_ABS, 14);
		ir_branch(b, JEQ_K, c[i], acc, next);
		next = b;
	}
	ir_set_entry(p, next);
	ck_assert(!ir_failed(p));
	return p;
}

static int
t_cmp32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* v in the sorted array c[0..n)? */
static int
t_member(const uint32_t *c, uint32_t n, uint32_t v)
{
	return bsearch(&v, c, n, sizeof(*c), t_cmp32) != NULL;
}

static uint32_t
t_on(const struct bpfc_insn *prog, uint32_t v, uint32_t caplen)
{
	uint8_t pkt[18] = {0};
	pkt[14] = (uint8_t)(v >> 24);
	pkt[15] = (uint8_t)(v >> 16);
	pkt[16] = (uint8_t)(v >> 8);
	pkt[17] = (uint8_t)v;
	return bpf_filter((const struct bpf_insn *)(const void *)prog, pkt, 18, caplen);
}

/* Lower a chain of n constants (a few repeated); check verdicts against
 * the set itself on every constant, its neighbours and random misses. */
static void
t_setlower(uint32_t n, uint32_t maxdepth, size_t maxsize)
{
	struct arena a;
	struct rng r;
	uint32_t *c = malloc(n * sizeof(*c)), *sorted = malloc(n * sizeof(*c));
	struct ir_prog *p;
	struct bpfc_error err;
	struct bpfc_insn *out;
	size_t m;
	struct timespec t0, t1;
	uint32_t depth;
	double ms;

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(sorted);
	rng_seed(&r, t_seed ^ n);
	for (uint32_t i = 0; i < n; i++)
		c[i] = i % 17 == 5 ? c[i - 3] : (uint32_t)rng_next(&r) | (i & 1 ? 0 : 0xffff0000u);
	memcpy(sorted, c, n * sizeof(*c));
	qsort(sorted, n, sizeof(*c), t_cmp32);
	arena_init(&a);
	p = t_chain(&a, c, n);
	diag_init(&err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_msg(opt_run(p, &err) == 0, "set of %u: %s", n, err.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	depth = t_depth(p);
	ck_assert_msg(ir_assemble(p, &a, &out, &m, &err) == 0, "%s", err.msg);
	printf("check_opt setlower: %u constants: %.1f ms, depth %u, %zu instructions\n", n,
	       ms, depth, m);
	ck_assert_uint_le(depth, maxdepth);
	ck_assert_uint_le(m, maxsize);
	ck_assert_msg(ms < (TESTENV_SANITIZED ? 10000 : 1000), "set of %u: %.1f ms", n, ms);
	for (uint32_t i = 0; i < n; i++)
		for (int d = -1; d <= 1; d++) {
			uint32_t v = c[i] + (uint32_t)d;
			uint32_t want = t_member(sorted, n, v) ? 0x40000 : 0;
			if (t_on(out, v, 18) != want)
				ck_abort_msg("set of %u: value 0x%x", n, v);
		}
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t v = (uint32_t)rng_next(&r);
		if (t_on(out, v, 18) != (t_member(sorted, n, v) ? 0x40000u : 0u))
			ck_abort_msg("set of %u: random value 0x%x", n, v);
	}
	ck_assert_uint_eq(t_on(out, c[0], 17), 0); /* the load fails first */
	arena_release(&a);
	free(c);
	free(sorted);
}

/* `host A and host B` on IPv4: after the destination fails to be A, the
 * source is loaded again to be tested against B. */
static struct ir_prog *
t_and_hosts_prog(struct arena *a)
{
	struct ir_prog *p = ir_new(a);
	struct ir_block *b[7];

	for (int i = 0; i < 7; i++)
		b[i] = ir_block_new(p, 0, 0);
	ir_ret(b[5], CBPF_RET | CBPF_K, 0x40000);
	ir_ret(b[6], CBPF_RET | CBPF_K, 0);
	ir_emit(b[0], LDH_ABS, 12);
	ir_branch(b[0], JEQ_K, 0x800, b[1], b[6]);
	ir_emit(b[1], LD_ABS, 26);
	ir_branch(b[1], JEQ_K, 0x0a000001, b[2], b[3]);
	ir_emit(b[2], LD_ABS, 30);
	ir_branch(b[2], JEQ_K, 0x0a000064, b[5], b[6]);
	ir_emit(b[3], LD_ABS, 30);
	ir_branch(b[3], JEQ_K, 0x0a000001, b[4], b[6]);
	ir_emit(b[4], LD_ABS, 26);
	ir_branch(b[4], JEQ_K, 0x0a000064, b[5], b[6]);
	ir_set_entry(p, b[0]);
	ck_assert(!ir_failed(p));
	return p;
}

START_TEST(test_pass_swap)
{
	struct arena a;
	struct ir_prog *p;

	arena_init(&a);
	p = t_and_hosts_prog(&a);
	t_passes(p, &a, OPT_SWAP, "swap");
	/* the source is tested against B while it is in A: loaded once */
	ck_assert_uint_eq(t_count_stmt(p, LD_ABS, 26), 1);
	ck_assert_uint_eq(t_count_stmt(p, LD_ABS, 30), 2);
	arena_release(&a);
	/* and the same program as libpcap's unoptimized code, every pass */
	arena_init(&a);
	p = t_and_hosts_prog(&a);
	t_passes(p, &a, OPT_ALL, "all passes, and-hosts");
	ck_assert_uint_eq(t_count_stmt(p, LD_ABS, 26), 1);
	arena_release(&a);
}
END_TEST

/* `(ip[9] = 6 or 17 or 132) and ip[2:2] > 5 and (ip[9] = 6 or 17 or 132)`:
 * the second chain is decided by the union of the first one's true edges. */
START_TEST(test_facts_oneof)
{
	static const uint32_t v[3] = {6, 17, 132};
	struct arena a;
	struct ir_prog *p;
	struct ir_block *b[9];

	arena_init(&a);
	p = ir_new(&a);
	for (int i = 0; i < 9; i++)
		b[i] = ir_block_new(p, 0, 0);
	ir_ret(b[7], CBPF_RET | CBPF_K, 0x40000);
	ir_ret(b[8], CBPF_RET | CBPF_K, 0);
	ir_emit(b[0], LDB_ABS, 23);
	ir_emit(b[4], LDB_ABS, 23);
	for (int i = 0; i < 3; i++) {
		ir_branch(b[i], JEQ_K, v[i], b[3], i < 2 ? b[i + 1] : b[8]);
		ir_branch(b[4 + i], JEQ_K, v[i], b[7], i < 2 ? b[5 + i] : b[8]);
	}
	ir_emit(b[3], LDH_ABS, 16);
	ir_branch(b[3], JGT_K, 5, b[4], b[8]);
	ir_set_entry(p, b[0]);
	ck_assert(!ir_failed(p));
	t_passes(p, &a, OPT_ALL, "one-of facts");
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(t_count_branch(p, v[i]), 1);
	arena_release(&a);
}
END_TEST

START_TEST(test_setlower_small)
{
	struct arena a;
	struct ir_prog *p;
	uint32_t c[20];

	for (uint32_t i = 0; i < 20; i++)
		c[i] = 0x0a000000u + i * 7;
	c[13] = c[4]; /* a repeat */
	arena_init(&a);
	p = t_chain(&a, c, 20);
	t_passes(p, &a, OPT_ALL, "setlower 20");
	ck_assert_uint_le(t_depth(p), 6);
	arena_release(&a);
	t_setlower(20, 6, 40);
}
END_TEST

START_TEST(test_setlower_scale)
{
	t_setlower(1000, 12, 4096);
	t_setlower(10000, 16, 40000);
}
END_TEST

static void
t_add_pass_tests(TCase *tc)
{
	tcase_add_test(tc, test_pass_blocks);
	tcase_add_test(tc, test_pass_redundant);
	tcase_add_test(tc, test_pass_decide);
	tcase_add_test(tc, test_pass_thread);
	tcase_add_test(tc, test_pass_swap);
	tcase_add_test(tc, test_facts_oneof);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_setlower_small);
	tcase_add_test(tc, test_setlower_scale);
}

static Suite *
opt_suite(void)
{
	Suite *s = suite_create("opt");
	TCase *tc = tcase_create("opt");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_captures);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_combos);
	t_add_pass_tests(tc);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(opt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
