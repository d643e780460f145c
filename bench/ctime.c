/*
 * ctime.c: compile time on long `or` chains (see ctime.h).
 *
 * Everything on DLT_EN10MB with snaplen 262144 and the netmask unknown.
 * bpfc's validator limit is raised far above 4096 so that a long program
 * is measured, then judged against 4096 here.  The hit and miss packets
 * are complete Ethernet/IPv4 TCP or UDP frames built from the set's
 * values; their expected verdict is the set membership, and each counted
 * run is checked against libpcap's bpf_filter.
 */
#include <config.h>

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/count.h"
#include "bench/ctime.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

#define CT_SNAPLEN 262144
#define CT_SAMPLE 128 /* hit packets and miss packets per workload */
#define CT_BUDGET_S 2.0

struct ctime_work {
	const char *kind;
	int random;
	size_t n[5], quick[5]; /* 0 ends each list */
};

static const struct ctime_work ctime_works[] = {
	{"host", 0, {10, 100, 1000, 10000}, {10, 100, 1000}},
	{"host", 1, {10, 100, 1000, 10000}, {10, 100, 1000}},
	{"port", 0, {10, 100, 1000}, {10, 100}},
	{"port", 1, {10, 100, 1000}, {10, 100}},
};

/* A set of distinct values with a membership test (open addressing). */
struct ct_set {
	uint32_t *v; /* in expression order */
	size_t n;
	uint32_t *tab; /* value + 1; 0 empty */
	size_t mask;
};

static int
ct_member(const struct ct_set *s, uint32_t x)
{
	for (size_t i = (x * 2654435761u) & s->mask; s->tab[i] != 0; i = (i + 1) & s->mask)
		if (s->tab[i] == x + 1)
			return 1;
	return 0;
}

static void
ct_insert(struct ct_set *s, uint32_t x)
{
	size_t i = (x * 2654435761u) & s->mask;

	while (s->tab[i] != 0)
		i = (i + 1) & s->mask;
	s->tab[i] = x + 1;
	s->v[s->n++] = x;
}

/* The workload's values; struct ct_set fields malloc'd. -1: no memory. */
static int
ct_values(struct ct_set *s, const char *kind, int random, size_t n, struct rng *r)
{
	size_t cap = 16;
	int host = strcmp(kind, "host") == 0;

	while (cap < 4 * n)
		cap *= 2;
	s->n = 0;
	s->mask = cap - 1;
	s->v = malloc(n * sizeof(*s->v));
	s->tab = calloc(cap, sizeof(*s->tab));
	if (s->v == NULL || s->tab == NULL)
		return -1;
	while (s->n < n) {
		uint32_t x;
		if (!random)
			x = host ? 0x0a000001u + (uint32_t)s->n : 1000u + (uint32_t)s->n;
		else
			x = host ? (uint32_t)rng_next(r) : 1 + rng_below(r, 65535);
		if (x != 0xffffffffu && !ct_member(s, x))
			ct_insert(s, x);
	}
	return 0;
}

static char *
ct_expr(const struct ct_set *s, const char *kind)
{
	char *e = malloc(s->n * 24 + 1), *p = e;

	for (size_t i = 0; e != NULL && i < s->n; i++) {
		uint32_t x = s->v[i];
		const char *sep = i ? " or " : "";
		if (strcmp(kind, "host") == 0)
			p += sprintf(p, "%shost %u.%u.%u.%u", sep, x >> 24, x >> 16 & 255, x >> 8 & 255,
				     x & 255);
		else
			p += sprintf(p, "%sport %u", sep, x);
	}
	if (e != NULL)
		*p = '\0';
	return e;
}

/* ---- the two compilers, run by limit_run in a child ---- */

static double
ct_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static double
ct_bpfc(void *arg, struct bpfc_insn **insns, size_t *n, char *err, size_t errlen)
{
	const char *expr = arg;
	struct bpfc_options o;
	struct bpfc_load_options lo;
	struct bpfc_error e;
	struct timespec t0, t1;
	const struct bpfc_insn *p;

	bpfc_options_init(&o);
	bpfc_load_options_init(&lo);
	lo.max_insns = 1u << 24;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct bpfc_filter *f = bpfc_compile_opts(expr, strlen(expr), &o, &lo, &e);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (f == NULL) {
		snprintf(err, errlen, "%s", e.msg);
		return -1;
	}
	*n = bpfc_cbpf(f, &p);
	if ((*insns = malloc(*n * sizeof(**insns))) != NULL)
		memcpy(*insns, p, *n * sizeof(**insns));
	bpfc_free(f);
	if (*insns == NULL)
		return snprintf(err, errlen, "out of memory"), -1;
	return ct_ms(&t0, &t1);
}

static double
ct_pcap(void *arg, struct bpfc_insn **insns, size_t *n, char *err, size_t errlen)
{
	const char *expr = arg;
	struct timespec t0, t1;
	struct bpf_program prog;
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, CT_SNAPLEN);
	int rc;

	if (pd == NULL)
		return snprintf(err, errlen, "pcap_open_dead failed"), -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = pcap_compile(pd, &prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc != 0) {
		snprintf(err, errlen, "%s", pcap_geterr(pd));
		pcap_close(pd);
		return -1;
	}
	*n = prog.bf_len;
	if ((*insns = malloc(*n * sizeof(**insns))) != NULL)
		testenv_insns_from_pcap(prog.bf_insns, *n, *insns);
	pcap_freecode(&prog);
	pcap_close(pd);
	if (*insns == NULL)
		return snprintf(err, errlen, "out of memory"), -1;
	return ct_ms(&t0, &t1);
}

/* ---- hit and miss packets ---- */

struct ct_pkt {
	uint8_t d[54];
	uint32_t len;
};

/* Ethernet, IPv4 (no options), TCP (20 bytes) or UDP (8 bytes). */
static void
ct_frame(struct ct_pkt *p, int udp, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	static const uint8_t eth[14] = {0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99,
					0xaa, 0x08, 0x00};
	uint8_t *ip = p->d + 14, *l4 = ip + 20;
	uint32_t l4len = udp ? 8 : 20;

	memset(p->d, 0, sizeof(p->d));
	memcpy(p->d, eth, sizeof(eth));
	p->len = 14 + 20 + l4len;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + l4len) >> 8), ip[3] = (uint8_t)(20 + l4len);
	ip[8] = 64;
	ip[9] = udp ? 17 : 6;
	for (int i = 0; i < 4; i++) {
		ip[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		ip[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	l4[0] = (uint8_t)(sport >> 8), l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8), l4[3] = (uint8_t)dport;
	if (udp)
		l4[5] = 8;
	else
		l4[12] = 0x50, l4[13] = 0x10;
}

/* A value outside the set. */
static uint32_t
ct_outsider(const struct ct_set *s, int host, struct rng *r)
{
	uint32_t x;

	do
		x = host ? (uint32_t)rng_next(r) : 1 + rng_below(r, 65535);
	while (ct_member(s, x));
	return x;
}

/* pk[0..CT_SAMPLE) hit the set, pk[CT_SAMPLE..2*CT_SAMPLE) miss it. */
static void
ct_packets(struct ct_pkt *pk, const struct ct_set *s, int host, struct rng *r)
{
	for (size_t i = 0; i < 2 * CT_SAMPLE; i++) {
		int hit = i < CT_SAMPLE, flip = i & 1;
		uint32_t in = hit ? s->v[(i * s->n) / CT_SAMPLE] : ct_outsider(s, host, r);
		uint32_t out = ct_outsider(s, host, r);
		if (host)
			ct_frame(&pk[i], 0, flip ? in : out, flip ? out : in, 40000, 40001);
		else
			ct_frame(&pk[i], (int)(i >> 1) & 1, 0x0a000001u, 0x0a000002u,
				 (uint16_t)(flip ? in : out), (uint16_t)(flip ? out : in));
	}
}

static void
ct_exec(struct ctime_report *rep, struct ctime_side *sd, const struct ct_pkt *pk)
{
	struct bpf_insn *pc = testenv_to_pcap(sd->res.insns, sd->res.n);
	uint64_t sum[2] = {0, 0};

	memset(&sd->hit, 0, sizeof(sd->hit));
	memset(&sd->miss, 0, sizeof(sd->miss));
	for (size_t i = 0; pc != NULL && i < 2 * CT_SAMPLE; i++) {
		struct ctime_exec *x = i < CT_SAMPLE ? &sd->hit : &sd->miss;
		struct count_stat st = {0};
		uint32_t v = count_run(sd->res.insns, sd->res.n, pk[i].d, pk[i].len, pk[i].len, &st);
		rep->mismatches += v != bpf_filter(pc, pk[i].d, pk[i].len, pk[i].len);
		x->wrong += (v != 0) != (i < CT_SAMPLE);
		x->max = st.steps > x->max ? st.steps : x->max;
		sum[i >= CT_SAMPLE] += st.steps;
		x->n++;
	}
	sd->hit.avg = sd->hit.n ? (double)sum[0] / (double)sd->hit.n : 0;
	sd->miss.avg = sd->miss.n ? (double)sum[1] / (double)sd->miss.n : 0;
	free(pc);
}

static int
ct_row(const struct ctime_opts *o, struct ctime_report *rep, struct ctime_row *row)
{
	struct ct_set s = {0};
	struct rng r;
	struct ct_pkt *pk = calloc(2 * CT_SAMPLE, sizeof(*pk));
	char *expr = NULL;
	int host = strcmp(row->kind, "host") == 0, bad;

	rng_seed(&r, o->seed ^ ((uint64_t)row->n << 8) ^ (uint64_t)(host * 2 + row->random));
	bad = pk == NULL || ct_values(&s, row->kind, row->random, row->n, &r) != 0 ||
	      (expr = ct_expr(&s, row->kind)) == NULL;
	if (!bad) {
		row->exprlen = strlen(expr);
		ct_packets(pk, &s, host, &r);
		bad = limit_run(ct_bpfc, expr, o->reps, CT_BUDGET_S, o->bpfc_timeout,
				&row->side[0].res) != 0 ||
		      limit_run(ct_pcap, expr, o->reps, CT_BUDGET_S, o->pcap_timeout,
				&row->side[1].res) != 0;
	}
	for (int k = 0; !bad && k < 2; k++)
		if (row->side[k].res.state == LIMIT_DONE)
			ct_exec(rep, &row->side[k], pk);
	free(expr);
	free(s.v);
	free(s.tab);
	free(pk);
	return bad ? -1 : 0;
}

int
ctime_run(const struct ctime_opts *o, struct ctime_report *r, char *err, size_t errlen)
{
	size_t cap = 0;

	memset(r, 0, sizeof(*r));
	for (size_t w = 0; w < sizeof(ctime_works) / sizeof(ctime_works[0]); w++)
		for (const size_t *n = o->quick ? ctime_works[w].quick : ctime_works[w].n; *n; n++)
			cap++;
	if ((r->v = calloc(cap, sizeof(*r->v))) == NULL)
		return snprintf(err, errlen, "out of memory"), -1;
	for (size_t w = 0; w < sizeof(ctime_works) / sizeof(ctime_works[0]); w++)
		for (const size_t *n = o->quick ? ctime_works[w].quick : ctime_works[w].n; *n; n++) {
			struct ctime_row *row = &r->v[r->n++];
			row->kind = ctime_works[w].kind;
			row->random = ctime_works[w].random;
			row->n = *n;
			if (o->progress != NULL) {
				fprintf(o->progress, "compile time: %s %s, %zu terms\n", row->kind,
					row->random ? "random" : "consecutive", row->n);
				fflush(o->progress);
			}
			if (ct_row(o, r, row) != 0)
				return snprintf(err, errlen, "out of memory, or fork failed"), -1;
		}
	return 0;
}

void
ctime_free(struct ctime_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (int k = 0; k < 2; k++)
			limit_result_free(&r->v[i].side[k].res);
	free(r->v);
	memset(r, 0, sizeof(*r));
}
