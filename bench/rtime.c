/*
 * rtime.c: the run-time benchmark's packet set and measurements (the
 * contract is in rtime.h; the tables are printed by rtime_print.c).
 *
 * Every engine is held to libpcap before it is timed: the verdicts of
 * libpcap's unoptimized program are bpfc's reference (bpfc keeps them on
 * truncated packets, where libpcap's optimizer changes some), those of
 * libpcap's optimized program are the reference of the two engines that
 * run it (libpcap's bpf_filter and DPDK).
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "bench/rtime.h"
#include "bpfc.h"
#include "tests/gen/pktgen.h"
#ifdef HAVE_DPDK
#include "bench/rtdpdk.h"
#endif

#define RT_SNAPLEN 262144u
#define RT_CHECK_LIMIT 120 /* seconds a child may take to check an engine */
#define RT_SAMPLE_PACKETS 65536u /* packets a timed sample covers, at least */

const char *const rt_engine_name[RT_NENGINES] = {"libpcap", "cbpf", "ebpf", "jit", "dpdk"};

int
rt_pkts_make(struct rt_pkts *p, uint64_t seed, size_t count, uint32_t snap)
{
	struct pktgen_set set;
	size_t off = 0;

	memset(p, 0, sizeof(*p));
	pktgen_set_init(&set, DLT_EN10MB);
	if (pktgen_generate(&set, DLT_EN10MB, seed, count) < 0) {
		pktgen_set_free(&set);
		return -1;
	}
	for (size_t i = 0; i < set.n; i++) {
		uint32_t cap = snap != 0 && set.pkts[i].caplen > snap ? snap : set.pkts[i].caplen;
		p->bytes += cap;
		off += (cap + 15u) & ~(size_t)15;
	}
	off = (off + 63) & ~(size_t)63; /* aligned_alloc wants a multiple */
	p->v = calloc(set.n > 0 ? set.n : 1, sizeof(*p->v));
	p->buf = aligned_alloc(64, off > 0 ? off : 64);
	if (p->v == NULL || p->buf == NULL) {
		pktgen_set_free(&set);
		rt_pkts_free(p);
		return -1;
	}
	off = 0;
	for (size_t i = 0; i < set.n; i++) {
		const struct pktgen_pkt *g = &set.pkts[i];
		uint32_t cap = snap != 0 && g->caplen > snap ? snap : g->caplen;

		if (cap > 0)
			memcpy(p->buf + off, g->data, cap);
		p->v[i] = (struct rt_pkt){p->buf + off, cap, g->wirelen};
		off += (cap + 15u) & ~(size_t)15;
	}
	p->n = set.n;
	pktgen_set_free(&set);
	return 0;
}

void
rt_pkts_free(struct rt_pkts *p)
{
	free(p->v);
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

/* One engine ready to run an expression. */
struct rt_run {
	enum rt_engine e;
	const struct bpf_insn *pcap;  /* RT_PCAP */
	struct bpfc_filter *f;        /* RT_CBPF, RT_EBPF, RT_JIT */
	struct rt_dpdk_prog *dp;      /* RT_DPDK */
	double *ns;                   /* a figure per timed pass */
};

/* Everything one expression needs, freed by rt_ctx_free. */
struct rt_ctx {
	pcap_t *dead;
	struct bpf_program opt, unopt;
	int have_opt, have_unopt;
	uint32_t *ref_opt, *ref_unopt; /* libpcap's verdicts per packet */
	struct rt_run run[RT_NENGINES];
	struct rt_dpdk *dpdk;
};

static uint64_t
rt_pass_pcap(const struct bpf_insn *prog, const struct rt_pkts *p)
{
	uint64_t acc = 0;

	for (size_t i = 0, n = p->n; i < n; i++)
		acc += bpf_filter(prog, p->v[i].data, p->v[i].wirelen, p->v[i].caplen);
	return acc;
}

static uint64_t
rt_pass_bpfc(const struct bpfc_filter *f, const struct rt_pkts *p)
{
	uint64_t acc = 0;

	for (size_t i = 0, n = p->n; i < n; i++)
		acc += bpfc_run(f, p->v[i].data, p->v[i].wirelen, p->v[i].caplen);
	return acc;
}

static uint64_t
rt_pass(const struct rt_ctx *c, const struct rt_run *r, const struct rt_pkts *p)
{
	switch (r->e) {
	case RT_PCAP:
		return rt_pass_pcap(r->pcap, p);
	case RT_CBPF:
	case RT_EBPF:
	case RT_JIT:
		return rt_pass_bpfc(r->f, p);
	case RT_DPDK:
#ifdef HAVE_DPDK
		return rt_dpdk_pass(c->dpdk, r->dp);
#else
		break;
#endif
	case RT_NENGINES:
		break;
	}
	(void)c;
	return 0;
}

/* The engine's value on packet i. */
static uint64_t
rt_verdict(const struct rt_ctx *c, const struct rt_run *r, const struct rt_pkts *p, size_t i)
{
	const struct rt_pkt *k = &p->v[i];

	switch (r->e) {
	case RT_PCAP:
		return bpf_filter(r->pcap, k->data, k->wirelen, k->caplen);
	case RT_CBPF:
	case RT_EBPF:
	case RT_JIT:
		return bpfc_run(r->f, k->data, k->wirelen, k->caplen);
	case RT_DPDK:
#ifdef HAVE_DPDK
		return rt_dpdk_verdict(c->dpdk, r->dp, i);
#else
		break;
#endif
	case RT_NENGINES:
		break;
	}
	(void)c;
	return 0;
}

/* What a checking child leaves for its parent, in shared memory. */
struct rt_shared {
	volatile size_t at; /* the packet being checked */
	struct rt_cell cell;
	volatile int done;
};

/* Compare the engine with its reference on every packet, recording in
 * `sh` where it is and what it found. */
static void
rt_check_all(const struct rt_ctx *c, const struct rt_run *r, const struct rt_pkts *p,
	     struct rt_shared *sh)
{
	const uint32_t *want = r->e == RT_PCAP || r->e == RT_DPDK ? c->ref_opt : c->ref_unopt;
	struct rt_cell *cell = &sh->cell;

	for (size_t i = 0; i < p->n; i++) {
		uint64_t got;

		sh->at = i;
		got = rt_verdict(c, r, p, i);
		if (got == want[i])
			continue;
		if (cell->mismatches++ == 0) {
			cell->first_bad = i;
			cell->got = (uint32_t)got;
			cell->want = want[i];
		}
	}
	sh->done = 1;
}

/* rt_check_all in a child process, so that an engine that crashes or
 * hangs takes only its own cell down: 0 when every verdict agreed, else
 * the cell says what happened.  Without fork (or shared memory) the
 * check runs here. */
static int
rt_check(const struct rt_ctx *c, const struct rt_run *r, const struct rt_pkts *p,
	 struct rt_cell *cell)
{
	struct rt_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int st = 0;

	if (sh == MAP_FAILED) {
		cell->status = RT_REFUSED;
		snprintf(cell->why, sizeof(cell->why), "cannot map memory to check it: %s",
			 strerror(errno));
		return -1;
	}
	memset(sh, 0, sizeof(*sh));
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		alarm(RT_CHECK_LIMIT);
		rt_check_all(c, r, p, sh);
		_exit(0);
	}
	if (pid < 0)
		rt_check_all(c, r, p, sh);
	else
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	if (!sh->done) {
		cell->status = RT_CRASHED;
		cell->first_bad = sh->at;
		cell->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	} else if (sh->cell.mismatches != 0) {
		cell->status = RT_WRONG;
		cell->mismatches = sh->cell.mismatches;
		cell->first_bad = sh->cell.first_bad;
		cell->got = sh->cell.got;
		cell->want = sh->cell.want;
	}
	munmap(sh, sizeof(*sh));
	return cell->status == RT_WRONG || cell->status == RT_CRASHED ? -1 : 0;
}

/* libpcap's two programs and their verdicts on every packet. */
static int
rt_reference(struct rt_ctx *c, struct rt_row *row, const struct rt_pkts *p)
{
	c->dead = pcap_open_dead(DLT_EN10MB, (int)RT_SNAPLEN);
	if (c->dead == NULL)
		return -1;
	if (pcap_compile(c->dead, &c->opt, row->expr, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_compile(c->dead, &c->unopt, row->expr, 0, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(row->err, sizeof(row->err), "libpcap: %s", pcap_geterr(c->dead));
		return 0;
	}
	c->have_opt = c->have_unopt = 1;
	row->len_pcap = c->opt.bf_len;
	c->ref_opt = malloc((p->n ? p->n : 1) * sizeof(uint32_t));
	c->ref_unopt = malloc((p->n ? p->n : 1) * sizeof(uint32_t));
	if (c->ref_opt == NULL || c->ref_unopt == NULL)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		const struct rt_pkt *k = &p->v[i];

		c->ref_opt[i] = bpf_filter(c->opt.bf_insns, k->data, k->wirelen, k->caplen);
		c->ref_unopt[i] = bpf_filter(c->unopt.bf_insns, k->data, k->wirelen, k->caplen);
		row->matched += c->ref_opt[i] != 0;
		row->opt_differs += c->ref_opt[i] != c->ref_unopt[i];
	}
	return 1;
}

/* bpfc's filter on `e`: 1 ready, 0 not available (cell says why), -1
 * out of memory. */
static int
rt_setup_bpfc(struct rt_run *r, struct rt_row *row, enum bpfc_engine e, struct rt_cell *cell)
{
	char errbuf[BPFC_ERRBUF_SIZE];
	struct bpfc_options o;

	bpfc_options_init(&o);
	o.snaplen = RT_SNAPLEN;
	r->f = bpfc_compile(row->expr, &o, errbuf);
	if (r->f == NULL) {
		snprintf(row->err, sizeof(row->err), "bpfc: %s", errbuf);
		cell->status = RT_REFUSED;
		snprintf(cell->why, sizeof(cell->why), "bpfc: %s", errbuf);
		return 0;
	}
	row->len_bpfc = bpfc_cbpf(r->f, NULL);
	if (bpfc_set_engine(r->f, e) != 0) {
		cell->status = e == BPFC_ENGINE_JIT ? RT_NA : RT_REFUSED;
		snprintf(cell->why, sizeof(cell->why),
			 "bpfc_set_engine(%s) returned -1",
			 e == BPFC_ENGINE_JIT ? "BPFC_ENGINE_JIT" : e == BPFC_ENGINE_EBPF
				 ? "BPFC_ENGINE_EBPF" : "BPFC_ENGINE_CBPF");
		bpfc_free(r->f);
		r->f = NULL;
		return 0;
	}
	return 1;
}

/* Make engine e ready for row's expression: 1 ready, 0 no figure (the
 * cell says why). */
static int
rt_setup(struct rt_ctx *c, struct rt_row *row, enum rt_engine e, const struct rt_opts *o)
{
	static const enum bpfc_engine be[RT_NENGINES] = {
		[RT_CBPF] = BPFC_ENGINE_CBPF, [RT_EBPF] = BPFC_ENGINE_EBPF, [RT_JIT] = BPFC_ENGINE_JIT};
	struct rt_cell *cell = &row->cell[e];
	struct rt_run *r = &c->run[e];

	r->e = e;
	if (!(o->engines & 1u << e)) {
		cell->status = RT_NA;
		snprintf(cell->why, sizeof(cell->why), "not asked for (--engines)");
		return 0;
	}
	switch (e) {
	case RT_PCAP:
		r->pcap = c->opt.bf_insns;
		return 1;
	case RT_DPDK:
#ifdef HAVE_DPDK
		if (c->dpdk != NULL) {
			r->dp = rt_dpdk_load(c->dpdk, &c->opt, cell->why, sizeof(cell->why));
			cell->status = r->dp != NULL ? RT_OK : RT_REFUSED;
			return r->dp != NULL;
		}
#endif
		cell->status = RT_NA;
		return 0;
	default:
		return rt_setup_bpfc(r, row, be[e], cell);
	}
}

static int
rt_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
rt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Time the ready engines: one warm-up pass each, then `reps` rounds of
 * one sample per engine, the order turning each round.  A sample is
 * enough passes to cover RT_SAMPLE_PACKETS packets, so that a small set
 * still gives samples far above the clock's resolution. */
static void
rt_time(struct rt_ctx *c, struct rt_row *row, const struct rt_pkts *p, const struct rt_opts *o,
	const int *ready)
{
	size_t n = p->n ? p->n : 1, inner = (RT_SAMPLE_PACKETS + n - 1) / n;
	volatile uint64_t sink = 0;

	for (int e = 0; e < RT_NENGINES; e++)
		if (ready[e])
			sink += rt_pass(c, &c->run[e], p);
	for (unsigned rep = 0; rep < o->reps; rep++) {
		for (int k = 0; k < RT_NENGINES; k++) {
			int e = (int)((rep + (unsigned)k) % RT_NENGINES);
			double t0;

			if (!ready[e])
				continue;
			t0 = rt_now_ns();
			for (size_t j = 0; j < inner; j++)
				sink += rt_pass(c, &c->run[e], p);
			c->run[e].ns[rep] = (rt_now_ns() - t0) / (double)(n * inner);
		}
	}
	(void)sink;
	for (int e = 0; e < RT_NENGINES; e++) {
		if (!ready[e])
			continue;
		qsort(c->run[e].ns, o->reps, sizeof(double), rt_cmp_double);
		row->cell[e].median = o->reps % 2 ? c->run[e].ns[o->reps / 2]
						  : (c->run[e].ns[o->reps / 2 - 1] +
						     c->run[e].ns[o->reps / 2]) / 2;
		row->cell[e].min = c->run[e].ns[0];
		row->cell[e].status = RT_OK;
	}
}

static void
rt_ctx_free(struct rt_ctx *c)
{
	for (int e = 0; e < RT_NENGINES; e++) {
		bpfc_free(c->run[e].f);
#ifdef HAVE_DPDK
		rt_dpdk_free(c->run[e].dp);
#endif
		free(c->run[e].ns);
	}
	if (c->have_opt)
		pcap_freecode(&c->opt);
	if (c->have_unopt)
		pcap_freecode(&c->unopt);
	if (c->dead != NULL)
		pcap_close(c->dead);
	free(c->ref_opt);
	free(c->ref_unopt);
}

int
rt_measure(struct rt_row *row, const struct rt_pkts *p, const struct rt_opts *o,
	   struct rt_dpdk *dpdk)
{
	struct rt_ctx c;
	int ready[RT_NENGINES] = {0};
	int rc;

	memset(&c, 0, sizeof(c));
	c.dpdk = dpdk;
	rc = rt_reference(&c, row, p);
	if (rc <= 0) {
		rt_ctx_free(&c);
		return rc;
	}
	row->compiled = 1;
	for (int e = 0; e < RT_NENGINES; e++) {
		ready[e] = rt_setup(&c, row, (enum rt_engine)e, o) &&
			   rt_check(&c, &c.run[e], p, &row->cell[e]) == 0;
		if (ready[e] && (c.run[e].ns = calloc(o->reps, sizeof(double))) == NULL) {
			rt_ctx_free(&c);
			return -1;
		}
	}
	rt_time(&c, row, p, o, ready);
	rt_ctx_free(&c);
	return 0;
}

size_t
rt_wrong_cells(const struct rt_row *rows, size_t n, unsigned engines)
{
	size_t wrong = 0;

	for (size_t i = 0; i < n; i++)
		for (int e = 0; e < RT_NENGINES; e++)
			wrong += (engines & 1u << e) && (rows[i].cell[e].status == RT_WRONG ||
							 rows[i].cell[e].status == RT_CRASHED);
	return wrong;
}
