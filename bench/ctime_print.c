/*
 * ctime_print.c: the compile-time measurements as a table and TSV.
 */
#include <config.h>

#include <string.h>

#include "bench/ctime.h"


static const char *
ct_order(const struct ctime_row *row)
{
	return row->random ? "random" : "consecutive";
}

/* One compiler's columns: ms, insns, fits, hit avg/max, miss avg/max. */
static void
ct_cols(char *buf, size_t len, const struct ctime_side *sd, double timeout)
{
	const struct limit_result *r = &sd->res;
	char hit[32], miss[32], ms[32];

	switch (r->state) {
	case LIMIT_DONE:
		snprintf(ms, sizeof(ms), "%.3f", r->ms);
		snprintf(hit, sizeof(hit), "%.1f/%llu", sd->hit.avg, (unsigned long long)sd->hit.max);
		snprintf(miss, sizeof(miss), "%.1f/%llu", sd->miss.avg,
			 (unsigned long long)sd->miss.max);
		snprintf(buf, len, "%10s %6zu %-4s %11s %11s", ms, r->n,
			 r->n <= CTIME_KERNEL_MAX ? "yes" : "no", hit, miss);
		break;
	case LIMIT_TIMEOUT:
		snprintf(ms, sizeof(ms), "> %g s", timeout);
		snprintf(buf, len, "%10s %6s %-4s %11s %11s", ms, "?", "?", "-", "-");
		break;
	default: snprintf(buf, len, "failed: %-.*s", 40, r->err); break;
	}
}

static void
ct_ratios(char *buf, size_t len, const struct ctime_row *row, double timeout)
{
	const struct limit_result *b = &row->side[0].res, *l = &row->side[1].res;
	char t[32] = "-", n[32] = "-";

	if (b->state == LIMIT_DONE && b->ms > 0 && l->state == LIMIT_DONE)
		snprintf(t, sizeof(t), "%.1fx", l->ms / b->ms);
	else if (b->state == LIMIT_DONE && b->ms > 0 && l->state == LIMIT_TIMEOUT)
		snprintf(t, sizeof(t), "> %.0fx", timeout * 1e3 / b->ms);
	if (b->state == LIMIT_DONE && l->state == LIMIT_DONE && b->n > 0)
		snprintf(n, sizeof(n), "%.2f", (double)l->n / (double)b->n);
	snprintf(buf, len, "%10s %6s", t, n);
}

void
ctime_print(FILE *f, const struct ctime_report *r, const struct ctime_opts *o)
{
	char b[160], l[160], q[64];
	size_t wrong = 0;

	fprintf(f, "== compile time: `host A1 or host A2 ...`, `port P1 or ...` (EN10MB, optimizer "
		   "on) ==\n");
	fprintf(f, "median of up to %u runs (fewer once 2 s are spent); libpcap killed after %g s, "
		   "bpfc after %g s; executed: average/most instructions over %s\n",
		o->reps, o->pcap_timeout, o->bpfc_timeout, "128 hit and 128 miss packets");
	fprintf(f, "%-16s %6s | %-46s | %-46s | %s\n", "", "", "bpfc", "libpcap -O",
		"libpcap / bpfc");
	fprintf(f, "%-16s %6s | %10s %6s %-4s %11s %11s | %10s %6s %-4s %11s %11s | %10s %6s\n",
		"workload", "terms", "ms", "insns", "fits", "exec hit", "exec miss", "ms", "insns",
		"fits", "exec hit", "exec miss", "time", "insns");
	for (size_t i = 0; i < r->n; i++) {
		const struct ctime_row *row = &r->v[i];
		char name[32];
		snprintf(name, sizeof(name), "%s %s", row->kind, ct_order(row));
		ct_cols(b, sizeof(b), &row->side[0], o->bpfc_timeout);
		ct_cols(l, sizeof(l), &row->side[1], o->pcap_timeout);
		ct_ratios(q, sizeof(q), row, o->pcap_timeout);
		fprintf(f, "%-16s %6zu | %-46s | %-46s | %s\n", name, row->n, b, l, q);
		for (int k = 0; k < 2; k++)
			wrong += row->side[k].hit.wrong + row->side[k].miss.wrong;
	}
	fprintf(f, "checks: counter vs bpf_filter mismatches %llu; verdicts against set "
		   "membership wrong %zu\n",
		(unsigned long long)r->mismatches, wrong);
}

static void
ct_tsv_side(FILE *f, const struct ctime_side *sd)
{
	static const char *const state[] = {"done", "timeout", "failed"};
	const struct limit_result *r = &sd->res;

	if (r->state != LIMIT_DONE) {
		fprintf(f, "\t%s\t\t\t\t\t\t\t\t", state[r->state]);
		return;
	}
	fprintf(f, "\tdone\t%.4f\t%u\t%zu\t%d\t%.2f\t%llu\t%.2f\t%llu", r->ms, r->reps, r->n,
		r->n <= CTIME_KERNEL_MAX, sd->hit.avg, (unsigned long long)sd->hit.max, sd->miss.avg,
		(unsigned long long)sd->miss.max);
}

void
ctime_tsv(FILE *f, const struct ctime_report *r)
{
	fprintf(f, "kind\tworkload\torder\tterms\texpr_bytes");
	for (int k = 0; k < 2; k++) {
		const char *p = k ? "libpcap" : "bpfc";
		fprintf(f, "\t%s_state\t%s_ms\t%s_reps\t%s_insns\t%s_fits\t%s_hit_avg\t%s_hit_max"
			   "\t%s_miss_avg\t%s_miss_max",
			p, p, p, p, p, p, p, p, p);
	}
	fprintf(f, "\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct ctime_row *row = &r->v[i];
		fprintf(f, "ctime\t%s\t%s\t%zu\t%zu", row->kind, ct_order(row), row->n, row->exprlen);
		for (int k = 0; k < 2; k++)
			ct_tsv_side(f, &row->side[k]);
		fprintf(f, "\n");
	}
}
