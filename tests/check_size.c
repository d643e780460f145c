/*
 * check_size.c: bpfc's optimized programs are no longer than libpcap's
 * optimized ones, except where libpcap's optimizer changed a verdict.
 *
 * Takes: the corpus (tests/exprs/captures.txt, tests/compile/exprs.txt),
 * generated packets and the shared captures.  Checks:
 *  (a) the benchmark's counting evaluator (bench/count.c) returns what
 *      libpcap's bpf_filter returns, on random valid programs
 *      (tests/gen/randprog) and random packets, and executes between 1 and
 *      n instructions of an n-instruction program (jumps go forward);
 *  (b) the corpus, measured by bench/sizes.c: every counted run equals
 *      bpf_filter's value; for every expression where bpfc's optimized
 *      program is longer than libpcap's optimized one (pcap_compile,
 *      optimize=1) and libpcap's has no large constant set, a witness must
 *      exist: a packet on which libpcap's optimized and unoptimized
 *      programs return different values (rechecked here with bpf_filter),
 *      and on which bpfc returns the unoptimized value.  An expression
 *      without one is a size defect: FAIL, listed.  Not held to it: an
 *      expression on which bpfc's verdicts are not libpcap 1.10.3's on
 *      some packet (bpfc follows a newer libpcap there, e.g. `byte 20 |
 *      0x80`, which 1.10.3 compiles without loading the byte; such
 *      differences are tests/diff_compile's business), listed as notes;
 *  (c) the witness search finds the known case: `host 10.0.0.1 or host
 *      10.0.0.2`, whose optimized program accepts a truncated IPv4
 *      packet the unoptimized one refuses.
 * Oracle: libpcap (pcap_compile, bpf_filter).  Seed: BPFC_SEED; scale:
 * BPFC_TEST_SCALE.  Exit 0 pass, 1 fail.
 */
#include <config.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/count.h"
#include "bench/sizes.h"
#include "tests/gen/randprog.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

#if TESTENV_SANITIZED
#define CS_PROGS 4000
#define CS_GEN 600
#define CS_FILE 4000
#define CS_EXPLORE 1000
#else
#define CS_PROGS 20000
#define CS_GEN 2000
#define CS_FILE 40000 /* all of today's Ethernet captures */
#define CS_EXPLORE 4000
#endif
#define CS_SEED 0x512e5eedull
#define CS_PKTMAX 256

struct cs {
	uint64_t seed;
	double scale;
	int failures;
};

static void
cs_fail(struct cs *c, const char *what)
{
	if (c->failures++ < 50)
		printf("FAIL %s\n", what);
}

/* (a) the counter against bpf_filter on random programs and packets. */
static void
cs_counter(struct cs *c)
{
	struct bpfc_insn prog[64];
	struct bpf_insn pp[65];
	uint8_t pkt[CS_PKTMAX];
	struct rng r;
	size_t progs = (size_t)(CS_PROGS * c->scale), runs = 0;
	char msg[256];

	rng_seed(&r, c->seed ^ 0xc0);
	for (size_t i = 0; i < progs; i++) {
		size_t n = randprog_valid(&r, prog, 64);
		testenv_insns_to_pcap(prog, n, pp);
		for (int j = 0; j < 8; j++) {
			uint32_t caplen, wirelen;
			struct count_stat st = {0};
			randprog_packet(&r, pkt, sizeof(pkt), &caplen, &wirelen);
			uint32_t got = count_run(prog, n, pkt, wirelen, caplen, &st);
			uint32_t want = bpf_filter(pp, pkt, wirelen, caplen);
			runs++;
			if (got != want || st.bad || st.steps < 1 || st.steps > n) {
				snprintf(msg, sizeof(msg),
					 "counter: program %zu, packet %d: counted %u in %llu steps%s, "
					 "bpf_filter %u", i, j, got, (unsigned long long)st.steps,
					 st.bad ? " (undecodable)" : "", want);
				cs_fail(c, msg);
			}
		}
	}
	printf("counter: %zu runs of %zu random programs against bpf_filter\n", runs, progs);
}

/* A witness, rechecked with libpcap itself. */
static int
cs_witness_holds(const char *expr, const struct witness *w, int dlt)
{
	pcap_t *pd = pcap_open_dead(dlt, 262144);
	struct bpf_program u, o;
	int ok = 0;

	if (pd == NULL)
		return 0;
	if (pcap_compile(pd, &u, expr, 0, 0xffffff00u) == 0) {
		if (pcap_compile(pd, &o, expr, 1, 0xffffff00u) == 0) {
			ok = bpf_filter(u.bf_insns, w->data, w->wirelen, w->caplen) == w->v_unopt &&
			     bpf_filter(o.bf_insns, w->data, w->wirelen, w->caplen) == w->v_opt &&
			     w->v_unopt != w->v_opt && w->caplen <= w->wirelen;
			pcap_freecode(&o);
		}
		pcap_freecode(&u);
	}
	pcap_close(pd);
	return ok;
}

static void
cs_expr(struct cs *c, const struct sizes_expr *e, int dlt)
{
	char msg[8500], verdict[8192];

	if (e->status != SIZES_OK || e->cmp <= 0)
		return;
	sizes_verdict(verdict, sizeof(verdict), e);
	if (e->wit.found && !cs_witness_holds(e->text, &e->wit, dlt)) {
		snprintf(msg, sizeof(msg), "%s: the witness does not hold: %s", e->text, verdict);
		cs_fail(c, msg);
	} else if (e->wit.found && e->wit_bpfc != e->wit.v_unopt) {
		snprintf(msg, sizeof(msg), "%s: bpfc returns %u on the witness, libpcap "
			 "unoptimized %u: %s", e->text, e->wit_bpfc, e->wit.v_unopt, verdict);
		cs_fail(c, msg);
	} else if (!e->wit.found && e->set < SIZES_SET_MIN && e->vdiff == 0) {
		snprintf(msg, sizeof(msg), "%s: bpfc %zu instructions, libpcap -O %zu: %s", e->text,
			 e->b, e->lo, verdict);
		cs_fail(c, msg);
	} else {
		printf("ok %s: bpfc %zu, libpcap -O %zu: %s\n", e->text, e->b, e->lo, verdict);
	}
}

/* (b) and (c). */
static void
cs_corpus(struct cs *c, const char *srcdir)
{
	struct sizes_opts o = {.srcdir = srcdir, .dlt = DLT_EN10MB, .seed = c->seed,
			       .gen = (size_t)(CS_GEN * c->scale),
			       .maxfile = (size_t)(CS_FILE * c->scale),
			       .wit = {24, (size_t)(CS_EXPLORE * c->scale)}, .netmask = 0xffffff00u};
	struct sizes_report r;
	char err[512], msg[600];

	if (sizes_run(&o, &r, err, sizeof(err)) != 0) {
		snprintf(msg, sizeof(msg), "corpus: %s", err);
		cs_fail(c, msg);
		sizes_free(&r);
		return;
	}
	for (size_t i = 0; i < r.n; i++)
		cs_expr(c, &r.v[i], o.dlt);
	if (r.mismatches || r.undecodable || r.runs == 0) {
		snprintf(msg, sizeof(msg), "corpus: %llu counted runs, %llu differ from bpf_filter, "
			 "%llu undecodable; first: %s", (unsigned long long)r.runs,
			 (unsigned long long)r.mismatches, (unsigned long long)r.undecodable,
			 r.first_mismatch);
		cs_fail(c, msg);
	}
	printf("corpus: %zu expressions, %zu measured on %zu packets; bpfc vs libpcap -O: "
	       "smaller %zu, equal %zu, larger with witness %zu, large set %zu, other verdicts "
	       "than libpcap 1.10.3 %zu, NO witness %zu\n",
	       r.n, r.count[SIZES_OK], r.pkts.n, r.smaller, r.equal, r.larger_wit, r.larger_set,
	       r.larger_differ, r.larger_nowit);
	sizes_free(&r);
}

static void
cs_known(struct cs *c)
{
	const char *expr = "host 10.0.0.1 or host 10.0.0.2";
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, 262144);
	struct bpf_program u, o;
	struct bpkts set;
	struct witness w = {0};
	struct witness_opts wo = {16, 400};

	if (pd == NULL || pcap_compile(pd, &u, expr, 0, 0) != 0 ||
	    pcap_compile(pd, &o, expr, 1, 0) != 0) {
		cs_fail(c, "known witness: libpcap does not compile it");
		if (pd != NULL)
			pcap_close(pd);
		return;
	}
	struct bpfc_insn *iu = calloc(u.bf_len, sizeof(*iu)), *io = calloc(o.bf_len, sizeof(*io));
	if (iu != NULL && io != NULL && bpkts_load(&set, DLT_EN10MB, c->seed, 200, 0) == 0) {
		testenv_insns_from_pcap(u.bf_insns, u.bf_len, iu);
		testenv_insns_from_pcap(o.bf_insns, o.bf_len, io);
		struct witness_prog pu = {iu, u.bf_insns, u.bf_len}, po = {io, o.bf_insns, o.bf_len};
		witness_find(&pu, &po, &set, &wo, &w);
		bpkts_free(&set);
	}
	if (!w.found || !cs_witness_holds(expr, &w, DLT_EN10MB))
		cs_fail(c, "known witness: none found for `host 10.0.0.1 or host 10.0.0.2`");
	else
		printf("known witness: found (caplen %u, libpcap %u, -O %u)\n", w.caplen, w.v_unopt,
		       w.v_opt);
	witness_free(&w);
	free(iu);
	free(io);
	pcap_freecode(&u);
	pcap_freecode(&o);
	pcap_close(pd);
}

int
main(void)
{
	struct cs c = {testenv_seed("BPFC_SEED", CS_SEED), testenv_scale(), 0};
	const char *srcdir = getenv("top_srcdir");

	printf("check_size: seed %#llx, scale %g\n", (unsigned long long)c.seed, c.scale);
	cs_counter(&c);
	cs_known(&c);
	cs_corpus(&c, srcdir != NULL ? srcdir : ".");
	if (c.failures) {
		printf("%d failures; reproduce with BPFC_SEED=%#llx top_srcdir=... "
		       "BPFC_SHARED=... tests/check_size\n",
		       c.failures, (unsigned long long)c.seed);
		return 1;
	}
	printf("all passed\n");
	return 0;
}
