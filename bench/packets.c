/*
 * packets.c: the benchmark's packet set (see packets.h).
 */
#include <config.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/packets.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/testenv.h"

/* Longest random packet of the Ethernet pool (what the tests use). */
#define BPKTS_RANDMAX 1600

int
bpkts_add(struct bpkts *s, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct bpkt *v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	struct bpkt *p = &s->v[s->n];
	if ((p->data = malloc(caplen ? caplen : 1)) == NULL)
		return -1;
	if (caplen > 0)
		memcpy(p->data, data, caplen);
	p->caplen = caplen;
	p->wirelen = wirelen;
	s->n++;
	return 0;
}

static int
bpkts_generate(struct bpkts *s, int dlt, uint64_t seed, size_t gen)
{
	int bad = 0;

	if (dlt == DLT_EN10MB) {
		size_t n = 0;
		struct testenv_pkt *pool = testenv_pool(seed, (gen + 1) / 2, BPKTS_RANDMAX, &n);
		if (pool == NULL)
			return -1;
		for (size_t i = 0; i < n && !bad; i++)
			bad = bpkts_add(s, pool[i].data, pool[i].caplen, pool[i].wirelen);
		testenv_pool_free(pool, n);
		return bad;
	}
	struct pktgen_set set;
	pktgen_set_init(&set, dlt);
	if (pktgen_generate(&set, dlt, seed, gen) != 0)
		bad = -1;
	for (size_t i = 0; i < set.n && !bad; i++)
		bad = bpkts_add(s, set.pkts[i].data, set.pkts[i].caplen, set.pkts[i].wirelen);
	pktgen_set_free(&set);
	return bad;
}

struct bpkts_read {
	struct bpkts *s;
	int dlt;
	size_t left;
	int bad;
};

static void
bpkts_read_one(void *arg, const char *dir, const char *name)
{
	struct bpkts_read *r = arg;
	char path[4096], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (r->left == 0 || r->bad || (p = pcap_open_offline(path, errbuf)) == NULL)
		return;
	if (pcap_datalink(p) == r->dlt) {
		r->s->nfiles++;
		while (r->left > 0 && !r->bad && pcap_next_ex(p, &h, &data) == 1) {
			r->bad = bpkts_add(r->s, data, h->caplen, h->len);
			r->left--;
		}
	}
	pcap_close(p);
}

int
bpkts_load(struct bpkts *s, int dlt, uint64_t seed, size_t gen, size_t maxfile)
{
	struct bpkts_read r = {s, dlt, maxfile, 0};

	memset(s, 0, sizeof(*s));
	/* A link type the generator does not frame: the captures alone. */
	if (pktgen_supports(dlt) && bpkts_generate(s, dlt, seed, gen) != 0)
		return -1;
	s->ngen = s->n;
	s->manifest = testenv_manifest(s->manifest_path, sizeof(s->manifest_path),
				       bpkts_read_one, &r) == 0;
	return r.bad ? -1 : 0;
}

void
bpkts_free(struct bpkts *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].data);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
