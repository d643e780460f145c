/*
 * sizes_print.c: the corpus measurements as tables and TSV (see sizes.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "bench/sizes.h"

#define SIZES_WORST 15

static const char *const sizes_status_name[] = {"ok", "libpcap-rejects", "bpfc-not-yet",
						"bpfc-error"};

void
sizes_verdict(char *buf, size_t len, const struct sizes_expr *e)
{
	size_t at;

	if (e->status != SIZES_OK) {
		snprintf(buf, len, "%s", sizes_status_name[e->status]);
		return;
	}
	if (e->cmp <= 0) {
		snprintf(buf, len, "%s", e->cmp < 0 ? "smaller" : "equal");
		return;
	}
	if (e->set >= SIZES_SET_MIN)
		at = (size_t)snprintf(buf, len, "larger (large constant set: %zu jeq), ", e->set);
	else
		at = (size_t)snprintf(buf, len, "larger, ");
	if (at >= len)
		return;
	if (!e->wit.found && e->vdiff > 0) {
		snprintf(buf + at, len - at, "not comparable: bpfc's verdict is not libpcap "
			 "1.10.3's on %zu packets", e->vdiff);
		return;
	}
	if (!e->wit.found) {
		snprintf(buf + at, len - at, "NO witness");
		return;
	}
	at += (size_t)snprintf(buf + at, len - at, "witness%s: ",
			       e->wit.from_set ? "" : " (built)");
	for (uint32_t i = 0; i < e->wit.caplen && at + 3 < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%02x", e->wit.data[i]);
	if (at < len)
		snprintf(buf + at, len - at, ", caplen %u, wirelen %u (libpcap %u, -O %u, bpfc %u)",
			 e->wit.caplen, e->wit.wirelen, e->wit.v_unopt, e->wit.v_opt, e->wit_bpfc);
}

static size_t
sizes_larger(const struct sizes_report *r)
{
	return r->larger_wit + r->larger_set + r->larger_differ + r->larger_nowit;
}

static int
sizes_worse(const void *a, const void *b)
{
	const struct sizes_expr *x = *(const struct sizes_expr *const *)a;
	const struct sizes_expr *y = *(const struct sizes_expr *const *)b;
	long dx = (long)x->b - (long)x->lo, dy = (long)y->b - (long)y->lo;

	return dx != dy ? (dx < dy) - (dx > dy) : strcmp(x->text, y->text);
}

static void
sizes_print_totals(FILE *f, const struct sizes_report *r)
{
	const double lo = r->tot[1] ? (double)r->tot[1] : 1, xo = r->xtot[1] > 0 ? r->xtot[1] : 1;

	fprintf(f, "%-28s %10s %10s %10s %10s\n", "", "libpcap", "libpcap -O", "bpfc -O", "bpfc");
	fprintf(f, "%-28s %10zu %10zu %10zu %10zu\n", "instructions, total", r->tot[0], r->tot[1],
		r->tot[2], r->tot[3]);
	fprintf(f, "%-28s %10.3f %10.3f %10.3f %10.3f\n", "  ratio to libpcap -O",
		(double)r->tot[0] / lo, 1.0, (double)r->tot[2] / lo, (double)r->tot[3] / lo);
	fprintf(f, "%-28s %10.1f %10.1f %10.1f %10.1f\n", "executed per packet, sum", r->xtot[0],
		r->xtot[1], r->xtot[2], r->xtot[3]);
	fprintf(f, "%-28s %10.3f %10.3f %10.3f %10.3f\n", "  ratio to libpcap -O", r->xtot[0] / xo,
		1.0, r->xtot[2] / xo, r->xtot[3] / xo);
	fprintf(f, "bpfc vs libpcap -O: smaller %zu, equal %zu, larger %zu (with witness %zu, "
		   "large constant set %zu, other verdicts than libpcap 1.10.3 %zu, NO witness "
		   "%zu)\n",
		r->smaller, r->equal, sizes_larger(r), r->larger_wit, r->larger_set,
		r->larger_differ, r->larger_nowit);
}

static void
sizes_print_worst(FILE *f, const struct sizes_report *r, const struct sizes_expr **v, size_t n)
{
	size_t shown = 0;

	qsort(v, n, sizeof(*v), sizes_worse);
	fprintf(f, "\nworst (bpfc minus libpcap -O), at most %d:\n", SIZES_WORST);
	fprintf(f, "  %5s %6s %6s %8s %8s  %s\n", "diff", "-O", "bpfc", "exec -O", "exec", "expression");
	for (size_t i = 0; i < n && shown < SIZES_WORST; i++) {
		if (v[i]->b <= v[i]->lo)
			break;
		fprintf(f, "  %+5ld %6zu %6zu %8.2f %8.2f  %s\n", (long)v[i]->b - (long)v[i]->lo,
			v[i]->lo, v[i]->b, v[i]->xo, v[i]->xb, v[i]->text);
		shown++;
	}
	if (shown == 0)
		fprintf(f, "  none: bpfc is never larger\n");
	(void)r;
}

static void
sizes_print_larger(FILE *f, const struct sizes_report *r)
{
	char verdict[8192];

	fprintf(f, "\nlarger than libpcap -O (%zu):\n", sizes_larger(r));
	for (size_t i = 0; i < r->n; i++) {
		const struct sizes_expr *e = &r->v[i];
		if (e->status != SIZES_OK || e->cmp <= 0)
			continue;
		sizes_verdict(verdict, sizeof(verdict), e);
		fprintf(f, "  %s  [-O %zu, bpfc %zu]: %s\n", e->text, e->lo, e->b, verdict);
	}
}

static void
sizes_print_all(FILE *f, const struct sizes_report *r)
{
	char verdict[8192];

	fprintf(f, "\nevery expression:\n  %5s %5s %5s %5s %7s %7s %7s %7s  %s: %s\n", "lu",
		"lo", "bo", "b", "x lu", "x lo", "x bo", "x b", "expression", "verdict");
	for (size_t i = 0; i < r->n; i++) {
		const struct sizes_expr *e = &r->v[i];
		sizes_verdict(verdict, sizeof(verdict), e);
		if (e->status != SIZES_OK)
			fprintf(f, "  %47s  %s: %s (%s)\n", "", e->text, verdict, e->why);
		else
			fprintf(f, "  %5zu %5zu %5zu %5zu %7.2f %7.2f %7.2f %7.2f  %s: %s\n", e->lu,
				e->lo, e->bo, e->b, e->xu, e->xo, e->xbo, e->xb, e->text, verdict);
	}
}

static void
sizes_print_checks(FILE *f, const struct sizes_report *r)
{
	fprintf(f, "\nchecks: %llu counted runs, counter vs bpf_filter mismatches %llu, "
		   "undecodable %llu; bpfc vs libpcap unoptimized verdict differences %llu "
		   "(in %zu expressions); witnesses where bpfc differs from libpcap unoptimized "
		   "%zu\n",
		(unsigned long long)r->runs, (unsigned long long)r->mismatches,
		(unsigned long long)r->undecodable, (unsigned long long)r->verdict_diffs, r->differ,
		r->wit_wrong);
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].vdiff > 0)
			fprintf(f, "  other verdicts than libpcap 1.10.3 on %zu packets: %s\n",
				r->v[i].vdiff, r->v[i].text);
	if (r->mismatches)
		fprintf(f, "  first mismatch: %s\n", r->first_mismatch);
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].status == SIZES_BPFC_ERROR)
			fprintf(f, "  bpfc refuses what libpcap compiles: %s: %s\n", r->v[i].text,
				r->v[i].why);
}

void
sizes_print(FILE *f, const struct sizes_report *r, const struct sizes_opts *o, int all)
{
	const struct sizes_expr **v = calloc(r->n + 1, sizeof(*v));
	size_t n = 0;

	fprintf(f, "== program size and instructions executed: the corpus, link type %d ==\n",
		o->dlt);
	fprintf(f, "%zu expressions: %zu measured, %zu refused by libpcap, %zu not yet in bpfc "
		   "(BPFC_EUNSUPPORTED), %zu refused by bpfc only\n",
		r->n, r->count[SIZES_OK], r->count[SIZES_PCAP_REJECTS], r->count[SIZES_NOTYET],
		r->count[SIZES_BPFC_ERROR]);
	fprintf(f, "packets: %zu generated (seed %#llx) + %zu from %zu captures%s; %.1f s\n",
		r->pkts.ngen, (unsigned long long)o->seed, r->pkts.n - r->pkts.ngen,
		r->pkts.nfiles, r->pkts.manifest ? "" : " (no MANIFEST.tsv found)", r->seconds);
	sizes_print_totals(f, r);
	for (size_t i = 0; v != NULL && i < r->n; i++)
		if (r->v[i].status == SIZES_OK)
			v[n++] = &r->v[i];
	if (v != NULL)
		sizes_print_worst(f, r, v, n);
	sizes_print_larger(f, r);
	if (all)
		sizes_print_all(f, r);
	sizes_print_checks(f, r);
	free(v);
}

void
sizes_tsv(FILE *f, const struct sizes_report *r)
{
	char verdict[8192];

	fprintf(f, "kind\texpr\tstatus\tlibpcap\tlibpcap_O\tbpfc_O\tbpfc\texec_libpcap\t"
		   "exec_libpcap_O\texec_bpfc_O\texec_bpfc\tjeq_chain\tverdict\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct sizes_expr *e = &r->v[i];
		sizes_verdict(verdict, sizeof(verdict), e);
		fprintf(f, "size\t%s\t%s\t%zu\t%zu\t%zu\t%zu\t%.3f\t%.3f\t%.3f\t%.3f\t%zu\t%s\n",
			e->text, sizes_status_name[e->status], e->lu, e->lo, e->bo, e->b, e->xu,
			e->xo, e->xbo, e->xb, e->set, e->status == SIZES_OK ? verdict : e->why);
	}
}
