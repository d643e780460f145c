/*
 * witness.c: the witness search (see witness.h).
 *
 * Why truncations below `maxend` suffice: when every load a program makes
 * on the full packet ends at or before caplen c, the same loads succeed on
 * the packet cut at c with the same bytes, so the program takes the same
 * path and returns the same value.  Only caplens below the furthest byte
 * either program asks for can change a verdict.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "bench/count.h"
#include "bench/witness.h"
#include "cbpf/opcodes.h"

#define WIT_MAXLEN 2048u /* longest packet the planting search builds */
#define WIT_SITES 1024   /* jumps traced per run */

struct wit_item {
	uint8_t *data;
	uint32_t len;
};

/* A set of 64-bit hashes, open addressing; 0 is empty. */
struct wit_seen {
	uint64_t *v;
	size_t mask;
};

struct wit {
	const struct witness_prog *prog[2]; /* unoptimized, optimized */
	const struct witness_opts *o;
	struct witness *w;
	struct count_site sites[2][WIT_SITES];
	size_t nsites[2];
	uint32_t maxend, failend;
	struct wit_seen *packets, *paths;
	struct wit_item *q;
	size_t qhead, qn, qcap;
};

static uint64_t
wit_hash(const uint8_t *d, uint32_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ len;

	for (uint32_t i = 0; i < len; i++)
		h = (h ^ d[i]) * 0x100000001b3ull;
	return h ? h : 1;
}

/* 1 when h is new (and is now remembered). */
static int
wit_remember(struct wit_seen *s, uint64_t h)
{
	size_t i = (size_t)h & s->mask;

	while (s->v[i] != 0) {
		if (s->v[i] == h)
			return 0;
		i = (i + 1) & s->mask;
	}
	s->v[i] = h;
	return 1;
}

/* Both programs on the full packet: traces, maxend, failend.  Returns 1
 * when the pair of paths (every traced jump and its edge, in order) was
 * not seen before: planting explores paths, not just edges, because a
 * witness is an accepted packet on which the two programs' loads reach
 * different depths, which depends on the whole path. */
static int
wit_trace(struct wit *x, const uint8_t *d, uint32_t caplen, uint32_t wirelen)
{
	uint64_t h = 0xcbf29ce484222325ull;

	x->maxend = x->failend = 0;
	for (int k = 0; k < 2; k++) {
		struct count_stat st = {.sites = x->sites[k], .capsites = WIT_SITES};
		count_run(x->prog[k]->p, x->prog[k]->n, d, wirelen, caplen, &st);
		x->nsites[k] = st.nsites;
		if (st.maxend > x->maxend)
			x->maxend = st.maxend;
		if (st.failend > x->failend)
			x->failend = st.failend;
		for (size_t s = 0; s < st.nsites; s++)
			h = (h ^ (2 * (uint64_t)st.sites[s].pc + st.sites[s].taken)) * 0x100000001b3ull;
		h = (h ^ 0xffffffffffull ^ st.failend) * 0x100000001b3ull; /* the programs' border */
	}
	return wit_remember(x->paths, h ? h : 1);
}

static int
wit_record(struct wit *x, const uint8_t *d, uint32_t c, uint32_t wirelen, uint32_t vu,
	   uint32_t vo, int from_set)
{
	struct witness *w = x->w;

	if ((w->data = malloc(c ? c : 1)) == NULL)
		return -1;
	if (c > 0)
		memcpy(w->data, d, c);
	w->found = 1;
	w->from_set = from_set;
	w->caplen = c;
	w->wirelen = wirelen;
	w->v_unopt = vu;
	w->v_opt = vo;
	return 1;
}

/* Compare the verdicts at every caplen that can matter (x->maxend from
 * wit_trace on this packet).  1 found, 0 not, -1 out of memory. */
static int
wit_truncations(struct wit *x, const uint8_t *d, uint32_t caplen, uint32_t wirelen,
		int from_set)
{
	uint32_t top = x->maxend < caplen ? x->maxend : caplen;

	for (uint32_t c = 0; c <= top; c++) {
		uint32_t cl = c == top ? caplen : c; /* the last: the packet as it is */
		uint32_t vu = bpf_filter(x->prog[0]->pcap, d, wirelen, cl);
		uint32_t vo = bpf_filter(x->prog[1]->pcap, d, wirelen, cl);
		x->w->tried++;
		if (vu != vo)
			return wit_record(x, d, cl, wirelen, vu, vo, from_set);
	}
	return 0;
}

/* The value of the field (masked) that takes the site's other edge;
 * 0 when there is none. */
static int
wit_flip_value(const struct count_site *s, uint32_t cur, uint32_t *v)
{
	uint32_t m = s->mask, k = s->k;

	switch (s->code & 0xf0) {
	case CBPF_JEQ:
		*v = s->taken ? k ^ (m & (0u - m)) : k;
		return m != 0;
	case CBPF_JGT:
		*v = s->taken ? k : k + 1;
		return s->taken || k != UINT32_MAX;
	case CBPF_JGE:
		*v = s->taken ? k - 1 : k;
		return !s->taken || k != 0;
	case CBPF_JSET:
		*v = s->taken ? cur & ~k : cur | k;
		return 1;
	default: return 0;
	}
}

static int
wit_push(struct wit *x, const uint8_t *d, uint32_t len)
{
	if (x->w->built >= x->o->explore || x->qn == x->qcap ||
	    !wit_remember(x->packets, wit_hash(d, len)))
		return 0;
	struct wit_item *it = &x->q[x->qn];
	if ((it->data = malloc(len ? len : 1)) == NULL)
		return -1;
	if (len > 0)
		memcpy(it->data, d, len);
	it->len = len;
	x->qn++;
	x->w->built++;
	return 0;
}

/* Children of a packet: each traced jump flipped, and the packet grown
 * when a load fell off its end.  0, or -1 when out of memory. */
static int
wit_children(struct wit *x, const uint8_t *d, uint32_t len)
{
	uint8_t buf[WIT_MAXLEN];

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < x->nsites[k]; i++) {
			const struct count_site *s = &x->sites[k][i];
			uint32_t old = 0, v, nv;
			if (s->off + s->size > len)
				continue; /* cannot happen: the load succeeded */
			for (uint32_t b = 0; b < s->size; b++)
				old = old << 8 | d[s->off + b];
			if (!wit_flip_value(s, old & s->mask, &v) || (v & s->mask) != v)
				continue;
			nv = (old & ~s->mask) | v;
			memcpy(buf, d, len);
			for (uint32_t b = s->size; b-- > 0; nv >>= 8)
				buf[s->off + b] = (uint8_t)nv;
			if (wit_push(x, buf, len) < 0)
				return -1;
		}
	if (x->failend > len && len < WIT_MAXLEN) {
		uint32_t nlen = x->failend < WIT_MAXLEN ? x->failend : WIT_MAXLEN;
		memcpy(buf, d, len);
		memset(buf + len, 0, nlen - len);
		if (wit_push(x, buf, nlen) < 0)
			return -1;
	}
	return 0;
}

/* Phase 1: the set's packets as they are, cut at every caplen. */
static int
wit_scan_set(struct wit *x, const struct bpkts *set)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct bpkt *p = &set->v[i];
		int r;
		wit_trace(x, p->data, p->caplen, p->wirelen);
		if ((r = wit_truncations(x, p->data, p->caplen, p->wirelen, 1)) != 0)
			return r;
	}
	return 0;
}

/* Phase 2: seeds (complete packets, evenly spread over the generated
 * ones, or over the captures when nothing was generated), then what
 * planting builds from them, breadth first. */
static int
wit_explore(struct wit *x, const struct bpkts *set)
{
	size_t pool = set->ngen ? set->ngen : set->n, want = x->o->seeds;
	size_t step = want && pool > want ? pool / want : 1;

	/* Paths start afresh: phase 1 saw the set's, and a planted packet
	 * reaching one of them is still worth expanding. */
	memset(x->paths->v, 0, (x->paths->mask + 1) * sizeof(*x->paths->v));
	for (size_t i = 0; i < pool && want > 0; i += step) {
		const struct bpkt *p = &set->v[i];
		if (p->caplen != p->wirelen || p->caplen == 0 || p->caplen > WIT_MAXLEN)
			continue;
		want--;
		wit_trace(x, p->data, p->caplen, p->wirelen);
		wit_remember(x->packets, wit_hash(p->data, p->caplen));
		if (wit_children(x, p->data, p->caplen) < 0)
			return -1;
	}
	while (x->qhead < x->qn) {
		struct wit_item *it = &x->q[x->qhead++];
		int fresh = wit_trace(x, it->data, it->len, it->len), r;
		if ((r = wit_truncations(x, it->data, it->len, it->len, 0)) != 0)
			return r;
		if (fresh && wit_children(x, it->data, it->len) < 0)
			return -1;
	}
	return 0;
}

static int
wit_seen_init(struct wit_seen *s, size_t atleast)
{
	size_t cap = 64;

	while (cap < 2 * atleast)
		cap *= 2;
	s->mask = cap - 1;
	s->v = calloc(cap, sizeof(*s->v));
	return s->v != NULL ? 0 : -1;
}

int
witness_find(const struct witness_prog *unopt, const struct witness_prog *opt,
	     const struct bpkts *set, const struct witness_opts *o, struct witness *w)
{
	struct wit_seen packets = {0}, paths = {0};
	struct wit x = {.prog = {unopt, opt}, .o = o, .w = w, .packets = &packets,
			.paths = &paths};
	int r = -1;

	memset(w, 0, sizeof(*w));
	x.qcap = o->explore;
	x.q = calloc(x.qcap ? x.qcap : 1, sizeof(*x.q));
	if (x.q != NULL && wit_seen_init(&packets, o->explore + o->seeds) == 0 &&
	    wit_seen_init(&paths, o->explore + o->seeds + set->n) == 0) {
		r = wit_scan_set(&x, set);
		if (r == 0)
			r = wit_explore(&x, set);
	}
	for (size_t i = 0; i < x.qn; i++)
		free(x.q[i].data);
	free(x.q);
	free(packets.v);
	free(paths.v);
	return r < 0 ? -1 : 0;
}

void
witness_free(struct witness *w)
{
	free(w->data);
	w->data = NULL;
	w->found = 0;
}
