/*
 * rtdpdk.h: DPDK's rte_bpf as a column of the run-time benchmark.
 *
 * Takes: libpcap's optimized program for an expression (struct
 * bpf_program) and the benchmark's packet set.  Gives: the program
 * converted by rte_bpf_convert, loaded by rte_bpf_load and compiled by
 * DPDK's JIT, run on one fake single-segment rte_mbuf per packet (no
 * copy: each mbuf's buffer is the packet in the set).  The converted
 * program reads the packet with LD_ABS/LD_IND on the mbuf, and `len`
 * from pkt_len, which is set to the captured length: DPDK cannot be
 * told a wire length longer than the data without a chain of segments
 * to back it.  None of the benchmark's filters reads `len`.
 *
 * rte_bpf_convert allocates with rte_zmalloc, so DPDK's EAL is
 * initialised once (rt_dpdk_open): without huge pages, shared files, PCI
 * or telemetry, its main lcore on the benchmark's CPU.  Only built
 * when configure found libdpdk (HAVE_DPDK).
 */
#ifndef BPFC_BENCH_RTDPDK_H
#define BPFC_BENCH_RTDPDK_H

#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

#include "bench/rtime.h"

/* Initialise the EAL (lcore `cpu`, or 0 when cpu < 0) and build the
 * mbufs for `p`, which must outlive the result.  NULL with a reason in
 * `why` when DPDK cannot run here. */
struct rt_dpdk *
rt_dpdk_open(const struct rt_pkts *p, int cpu, char *why, size_t whylen);
void
rt_dpdk_close(struct rt_dpdk *d);

struct rt_dpdk_prog;

/* Convert, load and JIT `prog`; NULL with the reason in `why`. */
struct rt_dpdk_prog *
rt_dpdk_load(struct rt_dpdk *d, const struct bpf_program *prog, char *why, size_t whylen);
void
rt_dpdk_free(struct rt_dpdk_prog *dp);

/* The JIT's value on packet i of the set. */
uint64_t
rt_dpdk_verdict(const struct rt_dpdk *d, const struct rt_dpdk_prog *dp, size_t i);

/* One pass over every packet: the sum of the values (so that the
 * calls cannot be optimized away). */
uint64_t
rt_dpdk_pass(const struct rt_dpdk *d, const struct rt_dpdk_prog *dp);

#endif
