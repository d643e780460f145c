/*
 * rtdpdk.c: DPDK's rte_bpf JIT as a column of the run-time benchmark
 * (the contract is in rtdpdk.h).  Built only with HAVE_DPDK, with DPDK's
 * own compiler flags.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bpf.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "bench/rtdpdk.h"

struct rt_dpdk {
	struct rte_mbuf *mbufs; /* one per packet, aligned_alloc'd */
	size_t n;
};

struct rt_dpdk_prog {
	struct rte_bpf *bpf;
	uint64_t (*fn)(void *); /* DPDK's JIT code */
};

/* The EAL's arguments: no huge pages, devices, telemetry or files in
 * /var/run; quiet unless something fails. */
static int
rt_dpdk_eal(int cpu, char *why, size_t whylen)
{
	char lcore[16];
	char *argv[] = {"bench-run", "--no-huge", "--no-pci", "--no-telemetry", "--no-shconf",
			"--log-level=error", "-l", lcore, NULL};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	snprintf(lcore, sizeof(lcore), "%d", cpu >= 0 ? cpu : 0);
	if (rte_eal_init(argc, argv) < 0) {
		snprintf(why, whylen, "rte_eal_init failed: %s", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/* A single-segment mbuf whose buffer is the packet itself. */
static void
rt_dpdk_mbuf(struct rte_mbuf *m, const struct rt_pkt *pk)
{
	memset(m, 0, sizeof(*m));
	m->buf_addr = (void *)(uintptr_t)pk->data;
	m->buf_len = (uint16_t)pk->caplen;
	m->data_off = 0;
	m->data_len = (uint16_t)pk->caplen;
	m->pkt_len = pk->caplen;
	m->nb_segs = 1;
	m->next = NULL;
	rte_mbuf_refcnt_set(m, 1);
}

struct rt_dpdk *
rt_dpdk_open(const struct rt_pkts *p, int cpu, char *why, size_t whylen)
{
	struct rt_dpdk *d;
	size_t bytes = (p->n > 0 ? p->n : 1) * sizeof(struct rte_mbuf);

	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].caplen > UINT16_MAX) {
			snprintf(why, whylen, "packet %zu holds %u bytes, more than one mbuf can", i,
				 p->v[i].caplen);
			return NULL;
		}
	}
	if (rt_dpdk_eal(cpu, why, whylen) < 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (d != NULL)
		d->mbufs = aligned_alloc(RTE_CACHE_LINE_SIZE,
					 (bytes + RTE_CACHE_LINE_SIZE - 1) / RTE_CACHE_LINE_SIZE *
						 RTE_CACHE_LINE_SIZE);
	if (d == NULL || d->mbufs == NULL) {
		free(d);
		rte_eal_cleanup();
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	d->n = p->n;
	for (size_t i = 0; i < p->n; i++)
		rt_dpdk_mbuf(&d->mbufs[i], &p->v[i]);
	return d;
}

void
rt_dpdk_close(struct rt_dpdk *d)
{
	if (d == NULL)
		return;
	free(d->mbufs);
	free(d);
	rte_eal_cleanup();
}

struct rt_dpdk_prog *
rt_dpdk_load(struct rt_dpdk *d, const struct bpf_program *prog, char *why, size_t whylen)
{
	struct rte_bpf_prm *prm;
	struct rte_bpf_jit jit;
	struct rt_dpdk_prog *dp;

	(void)d;
	prm = rte_bpf_convert(prog);
	if (prm == NULL) {
		snprintf(why, whylen, "rte_bpf_convert: %s", rte_strerror(rte_errno));
		return NULL;
	}
	dp = calloc(1, sizeof(*dp));
	if (dp == NULL) {
		rte_free(prm);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	dp->bpf = rte_bpf_load(prm); /* copies the instructions */
	rte_free(prm);
	if (dp->bpf == NULL) {
		snprintf(why, whylen, "rte_bpf_load: %s", rte_strerror(rte_errno));
		free(dp);
		return NULL;
	}
	if (rte_bpf_get_jit(dp->bpf, &jit) != 0 || jit.func == NULL) {
		snprintf(why, whylen, "DPDK's JIT did not compile the program");
		rt_dpdk_free(dp);
		return NULL;
	}
	dp->fn = jit.func;
	return dp;
}

void
rt_dpdk_free(struct rt_dpdk_prog *dp)
{
	if (dp == NULL)
		return;
	rte_bpf_destroy(dp->bpf);
	free(dp);
}

uint64_t
rt_dpdk_verdict(const struct rt_dpdk *d, const struct rt_dpdk_prog *dp, size_t i)
{
	return dp->fn(&d->mbufs[i]);
}

uint64_t
rt_dpdk_pass(const struct rt_dpdk *d, const struct rt_dpdk_prog *dp)
{
	uint64_t (*fn)(void *) = dp->fn;
	struct rte_mbuf *m = d->mbufs;
	uint64_t acc = 0;

	for (size_t i = 0, n = d->n; i < n; i++)
		acc += fn(&m[i]);
	return acc;
}
