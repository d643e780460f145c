/*
 * rtime_print.c: the run-time benchmark's table, notes and TSV.
 *
 * Takes: the rows rt_measure filled.  Gives: a text table of medians in
 * ns/packet with the ratios libpcap/JIT and DPDK/JIT, geometric means
 * over the rows that are not baselines, then every reason a cell has no
 * figure, a "checks:" line and the two targets read off the
 * table; and the same figures as TSV, one row per filter.  A geometric
 * mean of a ratio is over the filters where both engines have a figure.
 */
#include <config.h>

#include <math.h>
#include <signal.h>
#include <string.h>

#include "bench/rtime.h"

#define RT_LABEL_W 34

/* What the table shows in a cell. */
static void
rt_fmt_cell(char *s, size_t len, const struct rt_cell *c)
{
	switch (c->status) {
	case RT_OK: snprintf(s, len, "%.2f", c->median); break;
	case RT_NA: snprintf(s, len, "n/a"); break;
	case RT_REFUSED: snprintf(s, len, "refused"); break;
	case RT_WRONG: snprintf(s, len, "WRONG"); break;
	case RT_CRASHED: snprintf(s, len, "CRASH"); break;
	}
}

/* a / b when both have a figure, else 0. */
static double
rt_ratio(const struct rt_row *r, enum rt_engine a, enum rt_engine b)
{
	if (!r->compiled || r->cell[a].status != RT_OK || r->cell[b].status != RT_OK ||
	    r->cell[b].median <= 0)
		return 0;
	return r->cell[a].median / r->cell[b].median;
}

static void
rt_fmt_ratio(char *s, size_t len, double v)
{
	if (v > 0)
		snprintf(s, len, "%.2f", v);
	else
		snprintf(s, len, "-");
}

/* Geometric mean of engine e's medians (ratio_b < 0) or of the ratio
 * e/ratio_b, over non-baseline rows having it; *used gets how many. */
static double
rt_geomean(const struct rt_row *rows, size_t n, int e, int ratio_b, size_t *used)
{
	double logs = 0;

	*used = 0;
	for (size_t i = 0; i < n; i++) {
		double v;

		if (rows[i].baseline || !rows[i].compiled)
			continue;
		if (ratio_b >= 0)
			v = rt_ratio(&rows[i], (enum rt_engine)e, (enum rt_engine)ratio_b);
		else
			v = rows[i].cell[e].status == RT_OK ? rows[i].cell[e].median : 0;
		if (v <= 0)
			continue;
		logs += log(v);
		(*used)++;
	}
	return *used ? exp(logs / (double)*used) : 0;
}

static size_t
rt_typical(const struct rt_row *rows, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += !rows[i].baseline && rows[i].compiled;
	return k;
}

static void
rt_print_row(FILE *f, const struct rt_row *r)
{
	char cell[16], len[24];

	if (strlen(r->label) > RT_LABEL_W)
		fprintf(f, "%-*.*s...", RT_LABEL_W - 3, RT_LABEL_W - 3, r->label);
	else
		fprintf(f, "%-*s", RT_LABEL_W, r->label);
	if (!r->compiled) {
		fprintf(f, "  not measured (see below)\n");
		return;
	}
	snprintf(len, sizeof(len), "%zu/%zu", r->len_pcap, r->len_bpfc);
	fprintf(f, " %9s", len);
	for (int e = 0; e < RT_NENGINES; e++) {
		rt_fmt_cell(cell, sizeof(cell), &r->cell[e]);
		fprintf(f, " %8s", cell);
	}
	rt_fmt_ratio(cell, sizeof(cell), rt_ratio(r, RT_PCAP, RT_JIT));
	fprintf(f, " %11s", cell);
	rt_fmt_ratio(cell, sizeof(cell), rt_ratio(r, RT_DPDK, RT_JIT));
	fprintf(f, " %9s\n", cell);
}

static void
rt_print_geomeans(FILE *f, const struct rt_row *rows, size_t n)
{
	char cell[16], label[64];
	size_t used, typical = rt_typical(rows, n);

	snprintf(label, sizeof(label), "geometric mean (%zu filters)", typical);
	fprintf(f, "%-*s %9s", RT_LABEL_W, label, "");
	for (int e = 0; e < RT_NENGINES; e++) {
		double g = rt_geomean(rows, n, e, -1, &used);

		if (g > 0)
			snprintf(cell, sizeof(cell), "%.2f%s", g, used < typical ? "*" : "");
		else
			snprintf(cell, sizeof(cell), "-");
		fprintf(f, " %8s", cell);
	}
	rt_fmt_ratio(cell, sizeof(cell), rt_geomean(rows, n, RT_PCAP, RT_JIT, &used));
	fprintf(f, " %11s", cell);
	rt_fmt_ratio(cell, sizeof(cell), rt_geomean(rows, n, RT_DPDK, RT_JIT, &used));
	fprintf(f, " %9s\n", cell);
}

/* Why cells have no figure: one line per engine not available, one per
 * refusal or wrong verdict. */
static void
rt_print_notes(FILE *f, const struct rt_row *rows, size_t n, const char *dpdk_note)
{
	for (int e = 0; e < RT_NENGINES; e++) {
		for (size_t i = 0; i < n; i++) {
			const struct rt_cell *c = &rows[i].cell[e];

			if (!rows[i].compiled || c->status != RT_NA)
				continue;
			fprintf(f, "%s: not available: %s\n", rt_engine_name[e],
				e == RT_DPDK && dpdk_note != NULL ? dpdk_note : c->why);
			break;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct rt_row *r = &rows[i];

		if (!r->compiled) {
			fprintf(f, "%s: not measured: %s\n", r->label, r->err);
			continue;
		}
		if (r->opt_differs)
			fprintf(f, "%s: libpcap's optimized and unoptimized programs differ on %zu "
				   "packets (truncated captures); bpfc is held to the unoptimized one\n",
				r->label, r->opt_differs);
		for (int e = 0; e < RT_NENGINES; e++) {
			const struct rt_cell *c = &r->cell[e];

			if (c->status == RT_REFUSED)
				fprintf(f, "%s: %s refused it: %s\n", r->label, rt_engine_name[e], c->why);
			if (c->status == RT_WRONG)
				fprintf(f, "%s: %s WRONG on %zu packets (first: packet %zu, returned %u, "
					   "libpcap %u): not timed\n",
					r->label, rt_engine_name[e], c->mismatches, c->first_bad, c->got,
					c->want);
			if (c->status == RT_CRASHED)
				fprintf(f, "%s: %s CRASHED on packet %zu (%s): not timed\n", r->label,
					rt_engine_name[e], c->first_bad,
					c->signal == SIGALRM ? "no answer in time, killed"
					: c->signal != 0 ? strsignal(c->signal) : "exited");
		}
	}
}

/* The targets: libpcap/JIT >= 5 as a geometric mean, the JIT
 * faster than DPDK on every filter. */
static void
rt_print_targets(FILE *f, const struct rt_row *rows, size_t n)
{
	size_t used, faster = 0, both = 0;
	double g = rt_geomean(rows, n, RT_PCAP, RT_JIT, &used);

	for (size_t i = 0; i < n; i++) {
		double v = rt_ratio(&rows[i], RT_DPDK, RT_JIT);

		if (rows[i].baseline || v <= 0)
			continue;
		both++;
		faster += v > 1;
	}
	if (used == 0)
		fprintf(f, "targets: libpcap/JIT geometric mean: no JIT figures\n");
	else
		fprintf(f, "targets: libpcap/JIT geometric mean %.2f over %zu filters (5 wanted): %s\n",
			g, used, g >= 5 ? "met" : "NOT met");
	if (both == 0)
		fprintf(f, "targets: JIT vs DPDK: no filter with both figures\n");
	else
		fprintf(f, "targets: JIT faster than DPDK on %zu of %zu filters (all wanted): %s\n",
			faster, both, faster == both ? "met" : "NOT met");
}

void
rt_print(FILE *f, const struct rt_row *rows, size_t n, const struct rt_pkts *p,
	 const struct rt_opts *o, const char *dpdk_note)
{
	size_t checked = 0;

	fprintf(f, "%-*s %9s", RT_LABEL_W, "filter", "insns");
	for (int e = 0; e < RT_NENGINES; e++)
		fprintf(f, " %8s", rt_engine_name[e]);
	fprintf(f, " %11s %9s\n", "libpcap/jit", "dpdk/jit");
	for (size_t i = 0; i < n; i++)
		rt_print_row(f, &rows[i]);
	rt_print_geomeans(f, rows, n);
	fprintf(f, "(ns/packet, median of %u passes; insns: libpcap -O/bpfc; "
		   "* = over fewer filters; baselines are left out of the means)\n", o->reps);
	rt_print_notes(f, rows, n, dpdk_note);
	for (size_t i = 0; i < n; i++)
		for (int e = 0; e < RT_NENGINES; e++)
			checked += rows[i].compiled && (rows[i].cell[e].status == RT_OK ||
							rows[i].cell[e].status == RT_WRONG ||
							rows[i].cell[e].status == RT_CRASHED);
	fprintf(f, "checks: %zu engine/filter pairs compared with libpcap on all %zu packets "
		   "(%zu verdicts); wrong or crashed: %zu of bpfc's, %zu others\n",
		checked, p->n, checked * p->n, rt_wrong_cells(rows, n, RT_BPFC_ENGINES),
		rt_wrong_cells(rows, n, ~RT_BPFC_ENGINES));
	rt_print_targets(f, rows, n);
}

static void
rt_tsv_num(FILE *f, double v)
{
	if (v > 0)
		fprintf(f, "\t%.3f", v);
	else
		fprintf(f, "\tNaN");
}

void
rt_tsv(FILE *f, const struct rt_row *rows, size_t n)
{
	size_t used;

	fprintf(f, "filter");
	for (int e = 0; e < RT_NENGINES; e++)
		fprintf(f, "\t%s", rt_engine_name[e]);
	fprintf(f, "\tlibpcap_over_jit\tdpdk_over_jit");
	for (int e = 0; e < RT_NENGINES; e++)
		fprintf(f, "\t%s_min", rt_engine_name[e]);
	fprintf(f, "\tinsns_libpcap\tinsns_bpfc\tmatched\tbaseline\texpr\n");
	for (size_t i = 0; i < n; i++) {
		const struct rt_row *r = &rows[i];

		fprintf(f, "%s", r->label);
		for (int e = 0; e < RT_NENGINES; e++)
			rt_tsv_num(f, r->cell[e].status == RT_OK ? r->cell[e].median : 0);
		rt_tsv_num(f, rt_ratio(r, RT_PCAP, RT_JIT));
		rt_tsv_num(f, rt_ratio(r, RT_DPDK, RT_JIT));
		for (int e = 0; e < RT_NENGINES; e++)
			rt_tsv_num(f, r->cell[e].status == RT_OK ? r->cell[e].min : 0);
		fprintf(f, "\t%zu\t%zu\t%zu\t%d\t%s\n", r->len_pcap, r->len_bpfc, r->matched,
			r->baseline, r->expr);
	}
	fprintf(f, "geometric mean");
	for (int e = 0; e < RT_NENGINES; e++)
		rt_tsv_num(f, rt_geomean(rows, n, e, -1, &used));
	rt_tsv_num(f, rt_geomean(rows, n, RT_PCAP, RT_JIT, &used));
	rt_tsv_num(f, rt_geomean(rows, n, RT_DPDK, RT_JIT, &used));
	for (int e = 0; e < RT_NENGINES; e++)
		fprintf(f, "\tNaN");
	fprintf(f, "\t0\t0\t0\t1\t-\n");
}
