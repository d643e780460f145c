/*
 * sizes.c: measuring the corpus (see sizes.h); sizes_print.c prints it.
 *
 * libpcap compiles on a pcap_open_dead handle (snaplen 262144, the
 * netmask of sizes_opts); bpfc with the same options and a validator
 * limit far above 4096, so a long program is measured rather than
 * refused.  Every counted run is also run by libpcap's bpf_filter and
 * the two values compared.
 */
#include <config.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/count.h"
#include "bench/sizes.h"
#include "tests/gen/testenv.h"

#define SIZES_SNAPLEN 262144
#define SIZES_NO_LIMIT (1u << 24)

static const char *const sizes_files[] = {"tests/exprs/captures.txt", "tests/compile/exprs.txt"};

/* One expression's four programs. */
struct sizes_progs {
	struct bpf_program lu, lo; /* libpcap's */
	struct bpfc_filter *bo, *b;
	struct bpfc_insn *ilu, *ilo; /* libpcap's in bpfc's layout */
	struct bpf_insn *pbo, *pb;   /* bpfc's in libpcap's layout */
	int have_lu, have_lo;
};

static int
sizes_add(struct sizes_report *r, const char *text)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].text, text) == 0)
			return 0; /* the two files share some lines */
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 512;
		struct sizes_expr *v = realloc(r->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		r->v = v;
		r->cap = cap;
	}
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	if ((r->v[r->n].text = strdup(text)) == NULL)
		return -1;
	r->n++;
	return 0;
}

static int
sizes_read(struct sizes_report *r, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int bad = 0;

	if (f == NULL) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	while (!bad && fgets(line, sizeof(line), f) != NULL) {
		char *s = line + strspn(line, " \t"), *end = s + strcspn(s, "\r\n");
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		if (*s != '\0' && *s != '#')
			bad = sizes_add(r, s);
	}
	fclose(f);
	if (bad)
		snprintf(err, errlen, "out of memory");
	return bad;
}

/* The longest run of consecutive `jeq #k` that fall through on one edge
 * and all jump to the same instruction on the other. */
static size_t
sizes_chain(const struct bpf_insn *p, size_t n)
{
	size_t best = 0, run = 0, target = 0;
	int side = -1;

	for (size_t i = 0; i < n; i++) {
		int s = -1;
		size_t t = 0;
		if (p[i].code == (BPF_JMP | BPF_JEQ | BPF_K) && p[i].jf == 0 && p[i].jt != 0)
			s = 1, t = i + 1 + p[i].jt;
		else if (p[i].code == (BPF_JMP | BPF_JEQ | BPF_K) && p[i].jt == 0 && p[i].jf != 0)
			s = 0, t = i + 1 + p[i].jf;
		if (s >= 0 && run > 0 && s == side && t == target)
			run++;
		else
			run = s >= 0, side = s, target = t;
		if (run > best)
			best = run;
	}
	return best;
}

static void
sizes_progs_free(struct sizes_progs *g)
{
	if (g->have_lu)
		pcap_freecode(&g->lu);
	if (g->have_lo)
		pcap_freecode(&g->lo);
	bpfc_free(g->bo);
	bpfc_free(g->b);
	free(g->ilu);
	free(g->ilo);
	free(g->pbo);
	free(g->pb);
	memset(g, 0, sizeof(*g));
}

static struct bpfc_filter *
sizes_bpfc(const struct sizes_opts *o, const char *text, int optimize, struct bpfc_error *err)
{
	struct bpfc_options bo;
	struct bpfc_load_options lo;

	bpfc_options_init(&bo);
	bo.linktype = o->dlt;
	bo.snaplen = SIZES_SNAPLEN;
	bo.netmask = o->netmask;
	bo.optimize = optimize;
	bpfc_load_options_init(&lo);
	lo.max_insns = SIZES_NO_LIMIT;
	return bpfc_compile_opts(text, strlen(text), &bo, &lo, err);
}

/* Compile all four; sets e->status.  -1 only when out of memory. */
static int
sizes_compile(const struct sizes_opts *o, pcap_t *pd, struct sizes_expr *e,
	      struct sizes_progs *g)
{
	struct bpfc_error err;
	const struct bpfc_insn *ins;

	if (!(g->have_lo = pcap_compile(pd, &g->lo, e->text, 1, o->netmask) == 0)) {
		e->status = SIZES_PCAP_REJECTS;
		snprintf(e->why, sizeof(e->why), "%s", pcap_geterr(pd));
		return 0;
	}
	if (!(g->have_lu = pcap_compile(pd, &g->lu, e->text, 0, o->netmask) == 0)) {
		e->status = SIZES_PCAP_REJECTS;
		snprintf(e->why, sizeof(e->why), "unoptimized: %s", pcap_geterr(pd));
		return 0;
	}
	g->bo = sizes_bpfc(o, e->text, 0, &err);
	if (g->bo != NULL)
		g->b = sizes_bpfc(o, e->text, 1, &err);
	if (g->b == NULL) {
		e->status = err.code == BPFC_EUNSUPPORTED ? SIZES_NOTYET : SIZES_BPFC_ERROR;
		snprintf(e->why, sizeof(e->why), "%s%s", g->bo == NULL ? "" : "optimized: ", err.msg);
		return err.code == BPFC_ENOMEM ? -1 : 0;
	}
	e->lu = g->lu.bf_len;
	e->lo = g->lo.bf_len;
	e->bo = bpfc_cbpf(g->bo, &ins);
	g->pbo = testenv_to_pcap(ins, e->bo);
	e->b = bpfc_cbpf(g->b, &ins);
	g->pb = testenv_to_pcap(ins, e->b);
	g->ilu = malloc(e->lu * sizeof(*g->ilu));
	g->ilo = malloc(e->lo * sizeof(*g->ilo));
	if (g->pbo == NULL || g->pb == NULL || g->ilu == NULL || g->ilo == NULL)
		return -1;
	testenv_insns_from_pcap(g->lu.bf_insns, e->lu, g->ilu);
	testenv_insns_from_pcap(g->lo.bf_insns, e->lo, g->ilo);
	e->status = SIZES_OK;
	e->set = sizes_chain(g->lo.bf_insns, e->lo);
	return 0;
}

/* Count one program over the set; *sum gets the instructions executed.
 * verdicts[i] receives each value when not NULL. */
static void
sizes_count(struct sizes_report *r, const struct sizes_expr *e, const struct bpfc_insn *ip,
	    const struct bpf_insn *pp, size_t n, double *avg, uint32_t *verdicts)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < r->pkts.n; i++) {
		const struct bpkt *k = &r->pkts.v[i];
		struct count_stat st = {0};
		uint32_t got = count_run(ip, n, k->data, k->wirelen, k->caplen, &st);
		uint32_t want = bpf_filter(pp, k->data, k->wirelen, k->caplen);
		sum += st.steps;
		r->runs++;
		r->undecodable += st.bad != 0;
		if (got != want && r->mismatches++ == 0)
			snprintf(r->first_mismatch, sizeof(r->first_mismatch),
				 "%s: packet %zu (caplen %u): counted %u, bpf_filter %u", e->text, i,
				 k->caplen, got, want);
		if (verdicts != NULL)
			verdicts[i] = want;
	}
	*avg = r->pkts.n ? (double)sum / (double)r->pkts.n : 0;
}

static int
sizes_measure(const struct sizes_opts *o, struct sizes_report *r, struct sizes_expr *e,
	      struct sizes_progs *g, uint32_t *vu, uint32_t *vb)
{
	const struct bpfc_insn *ib, *ibo;

	bpfc_cbpf(g->b, &ib);
	bpfc_cbpf(g->bo, &ibo);
	sizes_count(r, e, g->ilu, g->lu.bf_insns, e->lu, &e->xu, vu);
	sizes_count(r, e, g->ilo, g->lo.bf_insns, e->lo, &e->xo, NULL);
	sizes_count(r, e, ibo, g->pbo, e->bo, &e->xbo, NULL);
	sizes_count(r, e, ib, g->pb, e->b, &e->xb, vb);
	for (size_t i = 0; i < r->pkts.n; i++)
		e->vdiff += vu[i] != vb[i];
	r->verdict_diffs += e->vdiff;
	e->cmp = (e->b > e->lo) - (e->b < e->lo);
	if (e->cmp <= 0)
		return 0;
	struct witness_prog wu = {g->ilu, g->lu.bf_insns, e->lu};
	struct witness_prog wo = {g->ilo, g->lo.bf_insns, e->lo};
	if (witness_find(&wu, &wo, &r->pkts, &o->wit, &e->wit) != 0)
		return -1;
	if (e->wit.found)
		e->wit_bpfc = bpf_filter(g->pb, e->wit.data, e->wit.wirelen, e->wit.caplen);
	return 0;
}

static void
sizes_tally(struct sizes_report *r, const struct sizes_expr *e)
{
	r->count[e->status]++;
	if (e->status != SIZES_OK)
		return;
	r->tot[0] += e->lu, r->tot[1] += e->lo, r->tot[2] += e->bo, r->tot[3] += e->b;
	r->xtot[0] += e->xu, r->xtot[1] += e->xo, r->xtot[2] += e->xbo, r->xtot[3] += e->xb;
	if (e->cmp < 0)
		r->smaller++;
	else if (e->cmp == 0)
		r->equal++;
	else if (e->set >= SIZES_SET_MIN)
		r->larger_set++;
	else if (e->wit.found)
		r->larger_wit++;
	else if (e->vdiff > 0)
		r->larger_differ++;
	else
		r->larger_nowit++;
	r->differ += e->vdiff > 0;
	if (e->wit.found && e->wit_bpfc != e->wit.v_unopt)
		r->wit_wrong++;
}

static int
sizes_loop(const struct sizes_opts *o, struct sizes_report *r, pcap_t *pd)
{
	uint32_t *vu = calloc(r->pkts.n + 1, sizeof(*vu)), *vb = calloc(r->pkts.n + 1, sizeof(*vb));
	int bad = vu == NULL || vb == NULL;

	for (size_t i = 0; i < r->n && !bad; i++) {
		struct sizes_expr *e = &r->v[i];
		struct sizes_progs g = {0};
		bad = sizes_compile(o, pd, e, &g) != 0;
		if (!bad && e->status == SIZES_OK)
			bad = sizes_measure(o, r, e, &g, vu, vb) != 0;
		sizes_progs_free(&g);
		sizes_tally(r, e);
		if (o->progress != NULL) {
			fprintf(o->progress, "\r[%zu/%zu] ", i + 1, r->n);
			fflush(o->progress);
		}
	}
	if (o->progress != NULL)
		fprintf(o->progress, "\n");
	free(vu);
	free(vb);
	return bad ? -1 : 0;
}

int
sizes_run(const struct sizes_opts *o, struct sizes_report *r, char *err, size_t errlen)
{
	struct timespec t0, t1;
	char path[4096];
	pcap_t *pd;
	int rc;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < sizeof(sizes_files) / sizeof(sizes_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", o->srcdir, sizes_files[i]);
		if (sizes_read(r, path, err, errlen) != 0)
			return -1;
	}
	if (bpkts_load(&r->pkts, o->dlt, o->seed, o->gen, o->maxfile) != 0 || r->pkts.n == 0) {
		snprintf(err, errlen, "no packets for link type %d (no generator and no captures, "
			 "or out of memory)", o->dlt);
		return -1;
	}
	if ((pd = pcap_open_dead(o->dlt, SIZES_SNAPLEN)) == NULL) {
		snprintf(err, errlen, "pcap_open_dead(%d) failed", o->dlt);
		return -1;
	}
	rc = sizes_loop(o, r, pd);
	pcap_close(pd);
	if (rc != 0)
		snprintf(err, errlen, "out of memory");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

void
sizes_free(struct sizes_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].text);
		witness_free(&r->v[i].wit);
	}
	free(r->v);
	bpkts_free(&r->pkts);
	memset(r, 0, sizeof(*r));
}
