/*
 * check_ir.c: the IR (codegen/ir.c) and its assembler (codegen/assemble.c).
 *
 *  random_ir   Seeded random IR programs (1 to 2000 blocks; random
 *              statements from the opcode table; shapes: random DAGs,
 *              long OR-chains to shared returns, balanced decision trees,
 *              diamonds, blocks of 20-60 statements; block ids created in
 *              order, reversed or shuffled) are assembled.  The output must
 *              pass cbpf_validate and libpcap's bpf_validate, and libpcap's
 *              bpf_filter on it must return, for every packet, what the
 *              evaluator of tests/gen/irgen.c returns when it walks the IR
 *              itself.
 *              Each program is also assembled with the safe layout, and
 *              every 8th goes through ir_from_cbpf and back, and through
 *              ir_remove_unreachable (which must not change the output).
 *  roundtrip   randprog_valid programs and ~60 pcap_compile outputs
 *              (optimized and not) go through ir_from_cbpf + ir_assemble;
 *              libpcap's bpf_filter must give the same result on the input
 *              and the output for every packet, and the output is never
 *              longer than the input by more than the trampolines it added.
 *  check       ir_check catches each kind of malformed IR (a table of
 *              corruptions of one valid program); ir_assemble refuses them
 *              all with BPFC_EINTERNAL.  Builder misuse sets the sticky
 *              error.
 *  dump        ir_dump prints each statement as libpcap's bpf_image does.
 *  longjump    fixed long-jump shapes (chains of 100..3000 tests, a
 *              1000-leaf decision tree, a branch over 1000 statements):
 *              checked like random_ir, and their sizes reported.
 *
 * Oracles: libpcap's bpf_filter, bpf_validate and bpf_image, and
 * irgen_eval (tests/gen/irgen.c), which is written from libpcap's semantics
 * (a load not inside caplen, or a division by X = 0, ends the program with
 * 0; a shift by X >= 32 gives 0) and shares no code with bpfc's
 * interpreter.  The random and the fixed IR shapes come from irgen too.
 *
 * Environment: BPFC_SEED picks the seed, BPFC_TEST_SCALE (float)
 * multiplies the counts (a quarter under sanitizers).  A failure prints
 * the seed and the program number.
 */
#include <config.h>

#include <assert.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/filter.h>
#include <sys/socket.h>
#endif

#include "bpfc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "cbpf/cbpf.h"
#include "codegen/ir.h"
#include "tests/gen/irgen.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/randprog.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

static_assert(sizeof(struct bpfc_insn) == sizeof(struct bpf_insn), "insn size");
static_assert(offsetof(struct bpfc_insn, k) == offsetof(struct bpf_insn, k), "k");

#define T_NPKTS 24      /* packets per program */
#define T_POOL 2048     /* pktgen packets */
#define T_RANDPKT 2048  /* longest random packet */

/* ---- setup: seed, scale, packets --------------------------------------- */

static uint64_t t_seed;
static struct testenv_pkt *t_pkts;
static size_t t_npkts;
static int t_sock = -1; /* for the kernel's SO_ATTACH_FILTER check, or -1 */

static double
t_scale(void)
{
	return testenv_scale() / (TESTENV_SANITIZED ? 4 : 1);
}

static uint32_t
t_count(double n)
{
	double v = n * t_scale();
	return v < 1 ? 1 : (uint32_t)v;
}

/* Half random packets, half pktgen Ethernet frames (when it gives any). */
static void
t_setup(void)
{
	t_seed = testenv_seed("BPFC_SEED", 0x69726972u);
	t_pkts = testenv_pool(t_seed, T_POOL, T_RANDPKT, &t_npkts);
	ck_assert_ptr_nonnull(t_pkts);
#ifdef __linux__
	t_sock = socket(AF_UNIX, SOCK_DGRAM, 0);
#endif
}

static void
t_teardown(void)
{
	testenv_pool_free(t_pkts, t_npkts);
	t_pkts = NULL;
	t_npkts = 0;
	if (t_sock >= 0)
		close(t_sock);
	t_sock = -1;
}

/* The running kernel's verdict: 1 accepted, 0 refused, -1 could not ask
 * (no socket, or longer than its 4096-instruction limit). */
static int
t_kernel_accepts(const struct bpfc_insn *out, size_t n)
{
#ifdef __linux__
	struct sock_fprog fp = {.len = (unsigned short)n,
				.filter = (struct sock_filter *)(uintptr_t)out};

	if (t_sock < 0 || n > BPFC_MAX_INSNS_DEFAULT)
		return -1;
	if (setsockopt(t_sock, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) == 0)
		return 1;
	return errno == EINVAL ? 0 : -1;
#else
	(void)out;
	(void)n;
	return -1;
#endif
}

static uint32_t
pc_run(const struct bpfc_insn *insns, const struct testenv_pkt *p)
{
	return bpf_filter((const struct bpf_insn *)(const void *)insns, p->data, p->wirelen,
			  p->caplen);
}

/* What the IR itself returns on the packet (irgen_eval). */
static uint32_t
t_eval(const struct ir_prog *prog, const struct testenv_pkt *p)
{
	struct bpfc_error err;
	uint32_t v;

	diag_init(&err);
	if (irgen_eval(prog, p->data, p->wirelen, p->caplen, &v, &err) != 0)
		ck_abort_msg("%s", err.msg);
	return v;
}

/* A random program from irgen; `seed` decides everything. */
static struct ir_prog *
t_gen(struct arena *a, uint64_t seed, enum irgen_shape shape, uint32_t nblocks)
{
	struct bpfc_error err;
	struct ir_prog *p;

	diag_init(&err);
	p = irgen_program(a, seed, shape, nblocks, &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	return p;
}

/* ---- checking one program ------------------------------------------------------ */

struct t_stats {
	uint64_t programs, runs, nonzero, safe_needed, over4096;
	uint64_t insns, trampolines, ret_copies, elided, merged;
	uint32_t max_insns, max_iter, max_blocks;
};

static void
t_print_fail(const struct ir_prog *p, const struct bpfc_insn *out, size_t n)
{
	struct strbuf sb;

	strbuf_init(&sb);
	if (p != NULL && p->nblocks <= 64)
		ir_dump(&sb, p);
	if (out != NULL && n <= 300)
		cbpf_listing(&sb, out, n, BPFC_LISTING_D);
	if (sb.data != NULL)
		fprintf(stderr, "%s", sb.data);
	strbuf_release(&sb);
}

static uint64_t t_kernel_checked; /* programs the kernel accepted */
static uint64_t t_validated;      /* programs validated (every 8th goes to the kernel) */

/* All three validators accept the program (the length limit aside):
 * cbpf_validate, libpcap's bpf_validate, and (for every 8th program; a
 * syscall costs more than all the rest) the running kernel. */
static void
t_validate(const struct ir_prog *p, const struct bpfc_insn *out, size_t n, const char *what)
{
	struct bpfc_load_options lo = {.max_insns = UINT32_MAX};
	struct bpfc_error err;
	const char *who = NULL;

	diag_init(&err);
	if (cbpf_validate(out, n, &lo, &err) != 0)
		who = err.msg;
	else if (!bpf_validate((const struct bpf_insn *)(const void *)out, (int)n))
		who = "libpcap's bpf_validate";
	else if (t_validated++ % 8 == 0) {
		int k = t_kernel_accepts(out, n);
		if (k == 0)
			who = "the kernel (SO_ATTACH_FILTER: EINVAL)";
		t_kernel_checked += k == 1;
	}
	if (who != NULL) {
		t_print_fail(p, out, n);
		ck_abort_msg("%s: assembled program refused by %s", what, who);
	}
}

static void
t_assemble(struct ir_prog *p, struct arena *a, struct bpfc_insn **out, size_t *n, const char *what)
{
	struct bpfc_error err;

	diag_init(&err);
	if (ir_assemble(p, a, out, n, &err) != 0) {
		t_print_fail(p, NULL, 0);
		ck_abort_msg("%s: ir_assemble failed: %s", what, err.msg);
	}
	ck_assert_uint_eq(*n, p->asm_stats.insns);
	t_validate(p, *out, *n, what);
}

/* The IR, libpcap on the output and bpfc's interpreter agree on `npkts`
 * packets drawn from `seed`. */
static void
t_compare(const struct ir_prog *p, const struct bpfc_insn *out, size_t n, uint64_t seed,
	  const char *what, struct t_stats *st)
{
	struct rng r;

	rng_seed(&r, seed ^ 0xfeedu);
	for (int i = 0; i < T_NPKTS; i++) {
		const struct testenv_pkt *pk = &t_pkts[rng_below(&r, (uint32_t)t_npkts)];
		uint32_t want = t_eval(p, pk), got = pc_run(out, pk), mine = cbpf_run(out, pk->data,
										   pk->wirelen, pk->caplen);
		st->runs++;
		st->nonzero += want != 0;
		if (want == got && got == mine)
			continue;
		t_print_fail(p, out, n);
		ck_abort_msg("%s: packet (caplen %u, wirelen %u): IR evaluator %u, libpcap %u, bpfc %u",
			     what, pk->caplen, pk->wirelen, want, got, mine);
	}
}

static void
t_account(struct t_stats *st, const struct ir_prog *p, size_t n)
{
	const struct ir_asm_stats *s = &p->asm_stats;

	st->insns += n;
	st->trampolines += s->trampolines;
	st->ret_copies += s->ret_copies;
	st->elided += s->jumps_elided;
	st->merged += s->rets_merged;
	st->safe_needed += s->safe_layout;
	st->over4096 += n > BPFC_MAX_INSNS_DEFAULT;
	if (n > st->max_insns)
		st->max_insns = (uint32_t)n;
	if (s->iterations > st->max_iter)
		st->max_iter = s->iterations;
	if (p->nblocks > st->max_blocks)
		st->max_blocks = p->nblocks;
}

/* ir_from_cbpf of the output, assembled again: same verdicts, and never
 * longer than what it came from by more than its new trampolines. */
static void
t_reread(const struct bpfc_insn *out, size_t n, struct arena *a, uint64_t seed, const char *what,
	 struct t_stats *st)
{
	struct bpfc_error err;
	struct bpfc_insn *out2;
	size_t n2;

	diag_init(&err);
	struct ir_prog *q = ir_from_cbpf(a, out, n, &err);
	ck_assert_msg(q != NULL, "%s: ir_from_cbpf: %s", what, err.msg);
	ck_assert_msg(ir_check(q, &err) == 0, "%s: ir_from_cbpf gave bad IR: %s", what, err.msg);
	t_assemble(q, a, &out2, &n2, what);
	ck_assert_msg(n2 <= n + q->asm_stats.trampolines + q->asm_stats.ret_copies,
		      "%s: re-read program grew from %zu to %zu", what, n, n2);
	t_compare(q, out2, n2, seed, what, st);
}

/* Predecessors and reverse postorder agree with the edges; removing the
 * unreachable blocks changes neither verdicts nor the assembled program. */
static void
t_walks(struct ir_prog *p, const struct bpfc_insn *out, size_t n, struct arena *a, uint64_t seed,
	const char *what, struct t_stats *st)
{
	uint32_t nr;
	struct ir_block **rpo = ir_rpo(p, &nr);
	uint32_t *at = arena_calloc(a, p->nblocks, sizeof(*at));

	ck_assert(rpo != NULL && at != NULL && ir_compute_preds(p) == 0);
	for (uint32_t i = 0; i < p->nblocks; i++)
		at[i] = UINT32_MAX;
	for (uint32_t i = 0; i < nr; i++)
		at[rpo[i]->id] = i;
	ck_assert_ptr_eq(rpo[0], p->entry);
	for (uint32_t i = 0; i < nr; i++)
		for (unsigned e = 0; e < ir_nsucc(rpo[i]); e++) {
			const struct ir_block *s = ir_succ(rpo[i], e);
			ck_assert_msg(at[s->id] > i, "%s: rpo is not topological", what);
			int found = 0;
			for (uint32_t j = 0; j < s->npreds; j++)
				found |= s->preds[j] == rpo[i];
			ck_assert_msg(found, "%s: b%u missing from the preds of b%u", what, rpo[i]->id, s->id);
		}
	uint32_t before = p->nblocks;
	ck_assert(ir_remove_unreachable(p) == 0);
	ck_assert_uint_eq(p->nblocks, nr);
	ck_assert_msg(ir_check(p, &(struct bpfc_error){0}) == 0, "%s: bad after removal", what);
	struct bpfc_insn *out2;
	size_t n2;
	t_assemble(p, a, &out2, &n2, what);
	ck_assert_msg(n2 == n && memcmp(out, out2, n * sizeof(*out)) == 0,
		      "%s: removing %u unreachable blocks changed the output", what, before - nr);
	t_compare(p, out2, n2, seed, what, st);
}

/* Everything random_ir does to one program. */
static void
t_program(struct ir_prog *p, struct arena *a, uint64_t seed, int deep, const char *what,
	  struct t_stats *st)
{
	struct bpfc_error err;
	struct bpfc_insn *out, *safe;
	size_t n, ns;

	diag_init(&err);
	ck_assert_msg(ir_check(p, &err) == 0, "%s: generated IR refused: %s", what, err.msg);
	t_assemble(p, a, &out, &n, what);
	t_account(st, p, n);
	t_compare(p, out, n, seed, what, st);
	p->asm_flags = IR_ASM_SAFE_LAYOUT;
	t_assemble(p, a, &safe, &ns, what);
	ck_assert(p->asm_stats.safe_layout);
	t_compare(p, safe, ns, seed, what, st);
	p->asm_flags = 0;
	st->programs++;
	if (deep) {
		t_reread(out, n, a, seed, what, st);
		t_assemble(p, a, &out, &n, what); /* the stats of the normal layout again */
		t_walks(p, out, n, a, seed, what, st);
	}
}

static void
t_print_stats(const char *name, const struct t_stats *st)
{
	printf("%s: %" PRIu64 " programs, %" PRIu64 " runs (%.1f%% non-zero), %" PRIu64
	       " insns, %" PRIu64 " trampolines, %" PRIu64 " ret copies, %" PRIu64
	       " gotos elided, %" PRIu64 " rets merged; safe layout needed %" PRIu64
	       "x; longest %u insns (%" PRIu64 " over 4096), most blocks %u, most passes %u\n",
	       name, st->programs, st->runs, st->runs ? 100.0 * (double)st->nonzero / (double)st->runs : 0.0,
	       st->insns, st->trampolines, st->ret_copies, st->elided, st->merged, st->safe_needed,
	       st->max_insns, st->over4096, st->max_blocks, st->max_iter);
	printf("%s: the kernel accepted %" PRIu64 " of the programs assembled%s\n", name,
	       t_kernel_checked, t_sock < 0 ? " (no socket: kernel check skipped)" : "");
}

static uint64_t
t_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- random_ir ------------------------------------------------------------------- */

START_TEST(random_ir)
{
	enum irgen_shape shape = (enum irgen_shape)_i;
	uint32_t count = t_count(shape == IRGEN_RANDOM ? 12000 : 4000);
	struct t_stats st;
	char what[160];

	t_kernel_checked = 0;

	memset(&st, 0, sizeof(st));
	for (uint32_t i = 0; i < count; i++) {
		struct arena a;
		uint64_t seed = t_mix(t_seed ^ t_mix(((uint64_t)shape << 32) + i + 1));
		snprintf(what, sizeof(what),
			 "random_ir %s #%u (BPFC_SEED=0x%" PRIx64 ", program seed 0x%016" PRIx64 ")",
			 irgen_shape_name(shape), i, t_seed, seed);
		arena_init(&a);
		struct ir_prog *p = t_gen(&a, seed, shape, 0);
		t_program(p, &a, seed, i % 8 == 0, what, &st);
		arena_release(&a);
	}
	t_print_stats(irgen_shape_name(shape), &st);
}
END_TEST

/* ---- roundtrip ------------------------------------------------------------------- */

/* Returns the output's length. */
static size_t
rt_program(const struct bpfc_insn *in, size_t n, uint64_t seed, const char *what, struct t_stats *st)
{
	struct arena a;
	struct bpfc_error err;
	struct bpfc_insn *out;
	size_t m;
	struct rng r;

	arena_init(&a);
	diag_init(&err);
	struct ir_prog *p = ir_from_cbpf(&a, in, n, &err);
	ck_assert_msg(p != NULL, "%s: ir_from_cbpf: %s", what, err.msg);
	ck_assert_msg(ir_check(p, &err) == 0, "%s: ir_from_cbpf gave bad IR: %s", what, err.msg);
	t_assemble(p, &a, &out, &m, what);
	t_account(st, p, m);
	if (m > n + p->asm_stats.trampolines + p->asm_stats.ret_copies) {
		t_print_fail(p, out, m);
		ck_abort_msg("%s: %zu instructions became %zu (%u trampolines, %u ret copies)", what,
			     n, m, p->asm_stats.trampolines, p->asm_stats.ret_copies);
	}
	rng_seed(&r, seed);
	for (int i = 0; i < 2 * T_NPKTS; i++) {
		const struct testenv_pkt *pk = &t_pkts[rng_below(&r, (uint32_t)t_npkts)];
		uint32_t want = pc_run(in, pk), got = pc_run(out, pk), ev = t_eval(p, pk);
		st->runs++;
		st->nonzero += want != 0;
		if (want != got || want != ev) {
			t_print_fail(p, out, m);
			ck_abort_msg("%s: packet (caplen %u, wirelen %u): libpcap on the input %u, "
				     "on the output %u, IR evaluator %u",
				     what, pk->caplen, pk->wirelen, want, got, ev);
		}
	}
	st->programs++;
	arena_release(&a);
	return m;
}

START_TEST(roundtrip_random)
{
	static struct bpfc_insn prog[BPFC_MAX_INSNS_DEFAULT];
	uint32_t count = t_count(20000);
	struct t_stats st;
	char what[160];

	t_kernel_checked = 0;

	memset(&st, 0, sizeof(st));
	for (uint32_t i = 0; i < count; i++) {
		struct rng r;
		uint64_t seed = t_mix(t_seed ^ t_mix(0x7777000000ull + i));
		size_t max = i % 100 == 99 ? BPFC_MAX_INSNS_DEFAULT : i % 10 == 9 ? 600 : 40;
		rng_seed(&r, seed);
		size_t n = randprog_valid(&r, prog, max);
		snprintf(what, sizeof(what),
			 "roundtrip randprog #%u (BPFC_SEED=0x%" PRIx64 ", seed 0x%016" PRIx64 ")", i,
			 t_seed, seed);
		rt_program(prog, n, seed, what, &st);
	}
	t_print_stats("roundtrip randprog", &st);
}
END_TEST

static const char *const rt_exprs[] = {
	"ip", "ip6", "arp", "rarp", "tcp", "udp", "icmp", "icmp6", "sctp", "igmp",
	"tcp port 80", "udp port 53 or udp port 123", "host 10.0.0.1", "src host 10.0.0.2",
	"dst net 192.168.0.0/16", "net 10.0.0.0 mask 255.0.0.0", "portrange 1000-2000",
	"tcp dst portrange 1-1023", "ether host 00:11:22:33:44:55", "ether broadcast",
	"ether multicast", "ip multicast", "ip6 multicast", "ip broadcast", "ip proto 47",
	"ip6 proto 17", "proto 6", "ether proto 0x88cc", "len > 100", "greater 200", "less 60",
	"vlan", "vlan 100 and udp", "vlan and vlan and ip", "mpls", "mpls 5 and ip",
	"pppoes and ip", "pppoed", "ip6 host ::1", "ip6 net fe80::/10",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn", "icmp[icmptype] == icmp-echo",
	"ip[2:2] > 100", "ip[0] & 0xf != 5", "ip[6:2] & 0x1fff = 0", "udp[8:4] = 0xdeadbeef",
	"ip[0] + ip[1] > 10", "ip[2:2] * 3 / 2 % 7 = 1", "ip[1] - ip[0] << 2 | 1 ^ 3 = 9",
	"(ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) != 0",
	"tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420", "not ip and not arp",
	"ip and (tcp or udp) and not port 22", "src host 10.0.0.1 and dst net 10.0.0.0/8",
	"esp or ah", "icmp6 and ip6[40] = 128", "ether[12:2] = 0x0800 and ether[23] = 6",
	"tcp port 80 or tcp port 443 or udp port 53 or tcp port 22 or tcp port 25",
	"ip6 and tcp and (port 80 or port 443)", "(tcp or udp) and (src port 1 or dst port 2 or port 3)",
};
#define RT_NEXPRS (sizeof(rt_exprs) / sizeof(rt_exprs[0]))
#define RT_NHOSTS 3 /* extra expressions: long host lists */
static const unsigned rt_hosts[RT_NHOSTS] = {40, 120, 300};

/* Expression `i`: the table, then `host a or host b or ...` lists long
 * enough to need jumps past 255 (an arena-free static buffer). */
static const char *
rt_expr(size_t i, char *buf, size_t size)
{
	size_t off = 0;

	if (i < RT_NEXPRS)
		return rt_exprs[i];
	for (unsigned h = 0; h < rt_hosts[i - RT_NEXPRS]; h++)
		off += (size_t)snprintf(buf + off, size - off, "%shost 10.%u.%u.1", h ? " or " : "",
					h / 200, h % 200);
	return buf;
}

START_TEST(roundtrip_pcap)
{
	static char buf[16384];
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, 262144);
	struct t_stats st;
	char what[200];

	t_kernel_checked = 0;

	ck_assert_ptr_nonnull(pd);
	memset(&st, 0, sizeof(st));
	for (size_t i = 0; i < RT_NEXPRS + RT_NHOSTS; i++) {
		const char *expr = rt_expr(i, buf, sizeof(buf));
		for (int opt = 0; opt <= 1; opt++) {
			struct bpf_program fp;
			ck_assert_msg(pcap_compile(pd, &fp, expr, opt, 0xffffff00u) == 0,
				      "pcap_compile(\"%.60s\"): %s", expr, pcap_geterr(pd));
			snprintf(what, sizeof(what), "roundtrip pcap_compile(\"%.80s\", optimize %d), %u insns",
				 expr, opt, fp.bf_len);
			for (uint32_t rep = 0; rep < t_count(40); rep++) {
				size_t m = rt_program((const struct bpfc_insn *)(const void *)fp.bf_insns,
						      fp.bf_len, t_mix(t_seed + 31 * i + opt + 1000 * rep), what, &st);
				if (rep == 0 && i >= RT_NEXPRS)
					printf("roundtrip pcap_compile: %3u hosts, optimize %d: %5u insns in, "
					       "%5zu out\n", rt_hosts[i - RT_NEXPRS], opt, fp.bf_len, m);
			}
			pcap_freecode(&fp);
		}
	}
	pcap_close(pd);
	t_print_stats("roundtrip pcap_compile", &st);
}
END_TEST

/* ---- check: malformed IR ------------------------------------------------------------ */

/*
 * The valid program every case corrupts:
 *   b0: ldh [12]; st M[0]; jeq #0x800 jt b1 jf b2
 *   b1: ld M[0]; jgt #5 jt b3 jf b2
 *   b2: ret #0
 *   b3: ret #262144
 *   b4: ldx #1; ret a        (unreachable)
 *   b5: ja b4                (unreachable)
 */
struct ck_prog {
	struct arena *a;
	struct ir_prog *p;
	struct ir_block *b[6];
};

static void
ck_build(struct ck_prog *c)
{
	struct ir_prog *p = c->p = ir_new(c->a);
	for (int i = 0; i < 6; i++)
		c->b[i] = ir_block_new(p, 4 * (uint32_t)i, 4 * (uint32_t)i + 3);
	ir_emit(c->b[0], CBPF_LD | CBPF_H | CBPF_ABS, 12);
	ir_emit(c->b[0], CBPF_ST, 0);
	ir_branch(c->b[0], CBPF_JMP | CBPF_JEQ | CBPF_K, 0x800, c->b[1], c->b[2]);
	ir_emit(c->b[1], CBPF_LD | CBPF_MEM, 0);
	ir_branch(c->b[1], CBPF_JMP | CBPF_JGT | CBPF_K, 5, c->b[3], c->b[2]);
	ir_ret(c->b[2], CBPF_RET | CBPF_K, 0);
	ir_ret(c->b[3], CBPF_RET | CBPF_K, 262144);
	ir_emit(c->b[4], CBPF_LDX | CBPF_IMM, 1);
	ir_ret(c->b[4], CBPF_RET | CBPF_A, 0);
	ir_jump(c->b[5], c->b[4]);
	ir_set_entry(p, c->b[0]);
}

/* A block of another program. */
static struct ir_block *
ck_foreign(struct ck_prog *c)
{
	struct ir_prog *q = ir_new(c->a);
	struct ir_block *b = ir_block_new(q, 0, 0);
	ir_ret(b, CBPF_RET | CBPF_K, 1);
	return b;
}

#define CK(name) static void ck_##name(struct ck_prog *c)
CK(valid) { (void)c; }
CK(no_entry) { c->p->entry = NULL; }
CK(entry_foreign) { c->p->entry = ck_foreign(c); }
CK(no_term) { c->b[1]->term = IR_NONE; }
CK(no_term_dead) { ir_term_clear(c->b[4]); }
CK(self_loop) { c->b[1]->jt = c->b[1]; }
CK(cycle) { c->b[1]->jf = c->b[0]; }
CK(dead_cycle) { ir_term_clear(c->b[4]); ir_jump(c->b[4], c->b[5]); }
CK(succ_null) { c->b[0]->jf = NULL; }
CK(succ_foreign) { c->b[0]->jt = ck_foreign(c); }
CK(succ_removed)
{
	ck_assert(ir_remove_unreachable(c->p) == 0);
	c->b[1]->jt = c->b[4]; /* dropped by the removal */
}
CK(id_mismatch) { c->b[2]->id = 3; }
CK(blocks_null) { c->p->blocks[4] = NULL; }
CK(block_other_prog) { c->b[2]->prog = ck_foreign(c)->prog; }
CK(jump_with_jf) { c->b[5]->jf = c->b[2]; }
CK(ret_with_jt) { c->b[2]->jt = c->b[3]; }
CK(branch_ret_code) { c->b[0]->code = CBPF_RET | CBPF_K; }
CK(branch_ja_code) { c->b[0]->code = CBPF_JMP | CBPF_JA; }
CK(ret_jeq_code) { c->b[2]->code = CBPF_JMP | CBPF_JEQ | CBPF_K; }
CK(goto_jeq_code) { c->b[5]->code = CBPF_JMP | CBPF_JEQ | CBPF_K; }
CK(ret_a_k) { c->b[4]->k = 5; }
CK(term_kind) { c->b[3]->term = (enum ir_term)7; }
CK(stmt_ja) { c->b[0]->stmts[0].code = CBPF_JMP | CBPF_JA; }
CK(stmt_jeq) { c->b[0]->stmts[0].code = CBPF_JMP | CBPF_JEQ | CBPF_X; }
CK(stmt_ret) { c->b[0]->stmts[0].code = CBPF_RET | CBPF_A; }
CK(stmt_unknown) { c->b[0]->stmts[0].code = 0xff; }
CK(stmt_wide) { c->b[0]->stmts[0].code = 0x128; }
CK(div_zero) { c->b[1]->stmts[0] = (struct ir_stmt){CBPF_ALU | CBPF_DIV | CBPF_K, 0, 0, 0}; }
CK(mod_zero) { c->b[1]->stmts[0] = (struct ir_stmt){CBPF_ALU | CBPF_MOD | CBPF_K, 0, 0, 0}; }
CK(lsh_32) { c->b[1]->stmts[0] = (struct ir_stmt){CBPF_ALU | CBPF_LSH | CBPF_K, 32, 0, 0}; }
CK(rsh_big) { c->b[1]->stmts[0] = (struct ir_stmt){CBPF_ALU | CBPF_RSH | CBPF_K, 0x80000000u, 0, 0}; }
CK(st_16) { c->b[0]->stmts[1].k = 16; }
CK(ldx_mem_99) { c->b[1]->stmts[0] = (struct ir_stmt){CBPF_LDX | CBPF_MEM, 99, 0, 0}; }
CK(ld_linux_area) { c->b[0]->stmts[0].k = 0xffe00000u; }
CK(ind_linux_area) { c->b[0]->stmts[0] = (struct ir_stmt){CBPF_LD | CBPF_B | CBPF_IND, 0xfffff000u, 0, 0}; }
CK(msh_linux_area) { c->b[0]->stmts[0] = (struct ir_stmt){CBPF_LDX | CBPF_B | CBPF_MSH, 0xfff00000u, 0, 0}; }
CK(read_unwritten) { c->b[1]->stmts[0].k = 1; }
CK(read_on_some_path)
{
	/* A new entry that may skip b0, the only writer of M[0]. */
	struct ir_block *e = ir_block_new(c->p, 0, 1);
	ir_emit(e, CBPF_LD | CBPF_B | CBPF_ABS, 0);
	ir_branch(e, CBPF_JMP | CBPF_JSET | CBPF_K, 1, c->b[0], c->b[1]);
	ir_set_entry(c->p, e);
}
CK(stmts_overflow) { c->b[0]->nstmts = c->b[0]->capstmts + 1; }
CK(stmts_null) { c->b[1]->stmts = NULL; }
CK(range_reversed) { c->b[1]->begin = 9; c->b[1]->end = 3; }
CK(stmt_range_reversed) { c->b[0]->stmts[1].begin = 7; }
/* builder misuse: the sticky error */
CK(emit_after_term) { ir_emit(c->b[2], CBPF_LD | CBPF_IMM, 1); }
CK(term_twice) { ir_ret(c->b[3], CBPF_RET | CBPF_K, 1); }
CK(emit_jump) { ir_emit(ir_block_new(c->p, 0, 0), CBPF_JMP | CBPF_JGT | CBPF_K, 1); }
CK(emit_div0) { struct ir_block *b = ir_block_new(c->p, 0, 0); ir_emit(b, CBPF_ALU | CBPF_DIV | CBPF_K, 0); }
CK(branch_null) { ir_term_clear(c->b[1]); ir_branch(c->b[1], CBPF_JMP | CBPF_JEQ | CBPF_K, 0, NULL, c->b[2]); }
CK(branch_foreign) { ir_term_clear(c->b[1]); ir_branch(c->b[1], CBPF_JMP | CBPF_JEQ | CBPF_X, 0, c->b[2], ck_foreign(c)); }
CK(branch_bad_code) { ir_term_clear(c->b[1]); ir_branch(c->b[1], CBPF_ALU | CBPF_ADD, 0, c->b[2], c->b[3]); }
CK(ret_bad_code) { ir_term_clear(c->b[3]); ir_ret(c->b[3], CBPF_JMP | CBPF_JA, 0); }
CK(jump_null) { ir_term_clear(c->b[5]); ir_jump(c->b[5], NULL); }
CK(entry_set_foreign) { ir_set_entry(c->p, ck_foreign(c)); }
CK(two_accepts) { ir_accept(c->p, 96); ir_accept(c->p, 262144); }
#undef CK

struct ck_case {
	const char *name;
	void (*mutate)(struct ck_prog *);
	const char *expect; /* a part of the message; NULL: well formed */
};

static const struct ck_case ck_cases[] = {
	{"valid", ck_valid, NULL},
	{"no_entry", ck_no_entry, "entry is not set"},
	{"entry_foreign", ck_entry_foreign, "entry is not a block"},
	{"no_term", ck_no_term, "no terminator"},
	{"no_term_dead", ck_no_term_dead, "no terminator"},
	{"self_loop", ck_self_loop, "cycle"},
	{"cycle", ck_cycle, "cycle"},
	{"dead_cycle", ck_dead_cycle, "cycle"},
	{"succ_null", ck_succ_null, "is NULL"},
	{"succ_foreign", ck_succ_foreign, "not a block of this program"},
	{"succ_removed", ck_succ_removed, "not a block of this program"},
	{"id_mismatch", ck_id_mismatch, "has id 3"},
	{"blocks_null", ck_blocks_null, "is NULL"},
	{"block_other_prog", ck_block_other_prog, "another program"},
	{"jump_with_jf", ck_jump_with_jf, "jf is set"},
	{"ret_with_jt", ck_ret_with_jt, "jt is set"},
	{"branch_ret_code", ck_branch_ret_code, "not a conditional jump"},
	{"branch_ja_code", ck_branch_ja_code, "not a conditional jump"},
	{"ret_jeq_code", ck_ret_jeq_code, "not ret"},
	{"goto_jeq_code", ck_goto_jeq_code, "not ja"},
	{"ret_a_k", ck_ret_a_k, "ret a with k"},
	{"term_kind", ck_term_kind, "kind is unknown"},
	{"stmt_ja", ck_stmt_ja, "not a statement"},
	{"stmt_jeq", ck_stmt_jeq, "not a statement"},
	{"stmt_ret", ck_stmt_ret, "not a statement"},
	{"stmt_unknown", ck_stmt_unknown, "not in the opcode table"},
	{"stmt_wide", ck_stmt_wide, "not in the opcode table"},
	{"div_zero", ck_div_zero, "divides by zero"},
	{"mod_zero", ck_mod_zero, "divides by zero"},
	{"lsh_32", ck_lsh_32, "shifts by 32"},
	{"rsh_big", ck_rsh_big, "shifts by 32"},
	{"st_16", ck_st_16, "scratch words"},
	{"ldx_mem_99", ck_ldx_mem_99, "scratch words"},
	{"ld_linux_area", ck_ld_linux_area, "special area"},
	{"ind_linux_area", ck_ind_linux_area, "special area"},
	{"msh_linux_area", ck_msh_linux_area, "special area"},
	{"read_unwritten", ck_read_unwritten, "reads M[1]"},
	{"read_on_some_path", ck_read_on_some_path, "reads M[0]"},
	{"stmts_overflow", ck_stmts_overflow, "inconsistent"},
	{"stmts_null", ck_stmts_null, "inconsistent"},
	{"range_reversed", ck_range_reversed, "reversed"},
	{"stmt_range_reversed", ck_stmt_range_reversed, "reversed"},
	{"emit_after_term", ck_emit_after_term, "after the terminator"},
	{"term_twice", ck_term_twice, "set twice"},
	{"emit_jump", ck_emit_jump, "not a statement"},
	{"emit_div0", ck_emit_div0, "divides by zero"},
	{"branch_null", ck_branch_null, "is NULL"},
	{"branch_foreign", ck_branch_foreign, "not a block of this program"},
	{"branch_bad_code", ck_branch_bad_code, "not a conditional jump"},
	{"ret_bad_code", ck_ret_bad_code, "not ret"},
	{"jump_null", ck_jump_null, "is NULL"},
	{"entry_set_foreign", ck_entry_set_foreign, "entry is not a block"},
	{"two_accepts", ck_two_accepts, "accept value"},
};
#define CK_NCASES (sizeof(ck_cases) / sizeof(ck_cases[0]))

START_TEST(check_malformed)
{
	const struct ck_case *k = &ck_cases[_i];
	struct arena a;
	struct ck_prog c = {.a = &a};
	struct bpfc_error err;
	struct bpfc_insn *out = NULL;
	size_t n = 99;

	arena_init(&a);
	ck_build(&c);
	ck_assert_msg(!ir_failed(c.p), "%s: base program: %s", k->name, ir_error(c.p)->msg);
	k->mutate(&c);
	diag_init(&err);
	int rc = ir_check(c.p, &err);
	if (k->expect == NULL) {
		struct t_stats st;
		memset(&st, 0, sizeof(st));
		ck_assert_msg(rc == 0, "%s: refused: %s", k->name, err.msg);
		t_program(c.p, &a, 1, 1, k->name, &st);
		arena_release(&a);
		return;
	}
	ck_assert_msg(rc == -1 && err.code == BPFC_EINTERNAL, "%s: ir_check gave %d, code %d (%s)",
		      k->name, rc, (int)err.code, err.msg);
	ck_assert_msg(strstr(err.msg, k->expect) != NULL, "%s: message \"%s\" lacks \"%s\"", k->name,
		      err.msg, k->expect);
	/* Never bad cBPF: the assembler refuses it too, and the dump copes. */
	diag_init(&err);
	ck_assert_int_eq(ir_assemble(c.p, &a, &out, &n, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINTERNAL);
	ck_assert(out == NULL && n == 0);
	struct strbuf sb;
	strbuf_init(&sb);
	ir_dump(&sb, c.p);
	ck_assert(!sb.failed && sb.len > 0);
	strbuf_release(&sb);
	/* A sticky error turns later builder calls into no-ops. */
	if (ir_failed(c.p)) {
		ck_assert_ptr_null(ir_block_new(c.p, 0, 0));
		ir_emit(NULL, CBPF_LD | CBPF_IMM, 0);
		ck_assert_ptr_null(ir_reject(c.p));
	}
	arena_release(&a);
}
END_TEST

/* ---- dump ------------------------------------------------------------------------ */

/* libpcap's bpf_image text for (code, k), without "(000) " and the
 * trailing blanks. */
static void
dump_expect(char *buf, size_t size, uint16_t code, uint32_t k)
{
	struct bpf_insn in = {code, 0, 0, k};
	const char *img = bpf_image(&in, 0);
	const char *t = strstr(img, ") ");

	ck_assert_ptr_nonnull(t);
	snprintf(buf, size, "\t%s", t + 2);
	size_t len = strlen(buf);
	while (len > 0 && buf[len - 1] == ' ')
		buf[--len] = '\0';
}

START_TEST(dump_matches_bpf_image)
{
	char want[128], head[32];

	for (uint32_t i = 0; i < t_count(300); i++) {
		struct arena a;
		struct strbuf sb;
		uint64_t seed = t_mix(t_seed ^ (0xd000 + i));
		arena_init(&a);
		struct ir_prog *p = t_gen(&a, seed, (enum irgen_shape)(i % IRGEN_NSHAPES), 1 + i % 40);
		strbuf_init(&sb);
		ir_dump(&sb, p);
		ck_assert(!sb.failed && sb.data != NULL);
		const char *cur = sb.data;
		for (uint32_t b = 0; b < p->nblocks; b++) {
			const struct ir_block *blk = p->blocks[b];
			snprintf(head, sizeof(head), "\nb%u [%u, %u) <-", b, blk->begin, blk->end);
			cur = strstr(cur, head);
			ck_assert_msg(cur != NULL, "seed 0x%" PRIx64 ": no header \"%s\"", seed, head + 1);
			for (uint32_t s = 0; s <= blk->nstmts; s++) {
				if (s < blk->nstmts)
					dump_expect(want, sizeof(want), blk->stmts[s].code, blk->stmts[s].k);
				else if (blk->term == IR_RET)
					dump_expect(want, sizeof(want), blk->code, blk->k);
				else
					break;
				const char *line = strchr(cur + 1, '\n');
				ck_assert_ptr_nonnull(line);
				ck_assert_msg(strncmp(line + 1, want, strlen(want)) == 0 &&
						      strchr("\n\t", line[1 + strlen(want)]) != NULL,
					      "seed 0x%" PRIx64 " b%u: dump line \"%.60s\" is not bpf_image's \"%s\"",
					      seed, b, line + 1, want + 1);
				cur = line;
			}
		}
		strbuf_release(&sb);
		arena_release(&a);
	}
}
END_TEST

/* ---- longjump: fixed shapes, sizes reported ------------------------------------------- */

struct lj_case {
	const char *name;
	int kind; /* 0 chain, 1 chain to an accept with statements, 2 tree, 3 far,
		   * 4 tree breadth first */
	uint32_t size;
};

static const struct lj_case lj_cases[] = {
	{"chain 100", 0, 100},   {"chain 300", 0, 300},    {"chain 1000", 0, 1000},
	{"chain 3000", 0, 3000}, {"chain 1000, accept has statements", 1, 1000},
	{"tree 64", 2, 64},      {"tree 1000", 2, 1000},   {"tree 2048", 2, 2048},
	{"far 300", 3, 300},     {"far 1000", 3, 1000},    {"tree 1000, breadth first", 4, 1000},
};

START_TEST(longjump)
{
	const struct lj_case *k = &lj_cases[_i];
	struct arena a;
	struct bpfc_error err;
	struct t_stats st;
	struct ir_prog *p;
	struct bpfc_insn *out;
	size_t n;

	arena_init(&a);
	memset(&st, 0, sizeof(st));
	diag_init(&err);
	if (k->kind <= 1)
		p = irgen_chain(&a, k->size, k->kind, &err);
	else if (k->kind == 3)
		p = irgen_far(&a, k->size, &err);
	else
		p = irgen_tree(&a, k->size, k->kind == 4, &err);
	ck_assert_msg(p != NULL, "%s: %s", k->name, err.msg);
	t_program(p, &a, t_mix(t_seed + _i), 1, k->name, &st);
	t_assemble(p, &a, &out, &n, k->name);
	const struct ir_asm_stats *s = &p->asm_stats;
	uint32_t extra = s->trampolines + s->ret_copies;
	printf("longjump %-36s %5zu insns: %4u trampolines, %4u ret copies, %u passes; "
	       "safe layout: ",
	       k->name, n, s->trampolines, s->ret_copies, s->iterations);
	/* Landings are shared: about one per 255 instructions per far target,
	 * never one per branch. */
	ck_assert_msg(k->kind == 4 || extra <= n / 64 + 8, "%s: %u trampolines for %zu instructions", k->name,
		      extra, n);
	p->asm_flags = IR_ASM_SAFE_LAYOUT;
	t_assemble(p, &a, &out, &n, k->name);
	printf("%5zu insns, %4u trampolines\n", n, p->asm_stats.trampolines);
	arena_release(&a);
}
END_TEST

/* ---- main ------------------------------------------------------------------------------ */

static Suite *
ir_suite(void)
{
	Suite *s = suite_create("ir");
	TCase *tc;

	tc = tcase_create("random_ir");
	tcase_add_unchecked_fixture(tc, t_setup, t_teardown);
	tcase_set_timeout(tc, 900);
	tcase_add_loop_test(tc, random_ir, 0, IRGEN_NSHAPES);
	suite_add_tcase(s, tc);

	tc = tcase_create("roundtrip");
	tcase_add_unchecked_fixture(tc, t_setup, t_teardown);
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, roundtrip_random);
	tcase_add_test(tc, roundtrip_pcap);
	suite_add_tcase(s, tc);

	tc = tcase_create("check");
	tcase_add_unchecked_fixture(tc, t_setup, t_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, check_malformed, 0, (int)CK_NCASES);
	tcase_add_test(tc, dump_matches_bpf_image);
	tcase_add_loop_test(tc, longjump, 0, (int)(sizeof(lj_cases) / sizeof(lj_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	SRunner *sr = srunner_create(ir_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		printf("FAIL (seed 0x%" PRIx64 "): rerun with BPFC_SEED=0x%" PRIx64
		       "; each failure above names its program\n",
		       t_seed, t_seed);
	return failed ? 1 : 0;
}
