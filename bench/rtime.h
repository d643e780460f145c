/*
 * rtime.h: the run-time benchmark's measurements (issue #5).
 *
 * Takes: a packet set built once in memory (pktgen's mix, packed into one
 * buffer) and a list of filter expressions.  Gives, per expression and
 * per engine, the median and fastest ns/packet of whole passes over the
 * set, or why the engine has no figure: not available here, refused the
 * program, or returned a value libpcap does not return on some packet.
 *
 * Invariants: an engine is timed only after its verdict on every packet
 * of the set was compared with libpcap's: bpfc's engines with libpcap's
 * unoptimized program (bpfc's reference semantics, truncated packets
 * included), libpcap's bpf_filter and DPDK with libpcap's optimized
 * program (the one they run).  A single difference leaves the cell
 * without a time.  The check runs in a child process (with a time
 * limit), so an engine that crashes or hangs is reported as such and the
 * others are still measured.  Engines run interleaved, pass by pass, so that a
 * change of clock speed falls on all of them alike.
 */
#ifndef BPFC_BENCH_RTIME_H
#define BPFC_BENCH_RTIME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The engines, in table order. */
enum rt_engine {
	RT_PCAP = 0, /* libpcap's bpf_filter on pcap_compile(..., optimize=1) */
	RT_CBPF,     /* bpfc_run, BPFC_ENGINE_CBPF */
	RT_EBPF,     /* bpfc_run, BPFC_ENGINE_EBPF */
	RT_JIT,      /* bpfc_run, BPFC_ENGINE_JIT */
	RT_DPDK,     /* rte_bpf_convert + rte_bpf_load, the JIT's function */
	RT_NENGINES
};

/* Column names: "libpcap", "cbpf", "ebpf", "jit", "dpdk". */
extern const char *const rt_engine_name[RT_NENGINES];

/* One packet of the set: `caplen` bytes at `data`, inside rt_pkts.buf. */
struct rt_pkt {
	const uint8_t *data;
	uint32_t caplen, wirelen;
};

struct rt_pkts {
	struct rt_pkt *v;
	size_t n;
	uint8_t *buf; /* every packet, back to back, 16-byte aligned */
	size_t bytes; /* captured bytes in all */
};

/* `count` pktgen Ethernet frames from `seed`, captures cut at `snap`
 * bytes (0: as generated).  0, or -1 when out of memory. */
int
rt_pkts_make(struct rt_pkts *p, uint64_t seed, size_t count, uint32_t snap);
void
rt_pkts_free(struct rt_pkts *p);

enum rt_status {
	RT_OK = 0,  /* timed */
	RT_NA,      /* engine not available (not built, not on this host) */
	RT_REFUSED, /* the engine could not take this program */
	RT_WRONG,   /* some verdict differs from libpcap's: not timed */
	RT_CRASHED  /* the engine died (or hung) checking packet first_bad */
};

struct rt_cell {
	enum rt_status status;
	double median, min;  /* ns/packet, RT_OK only */
	size_t mismatches;   /* RT_WRONG: packets that differ */
	size_t first_bad;    /* RT_WRONG: the first of them; RT_CRASHED: where */
	int signal;          /* RT_CRASHED: what killed it */
	uint32_t got, want;  /* RT_WRONG: the values there */
	char why[640];       /* RT_NA / RT_REFUSED: the reason */
};

struct rt_row {
	const char *label;   /* what the table shows */
	const char *expr;    /* what was compiled */
	int baseline;        /* 1: left out of the geometric means */
	int compiled;        /* 0: libpcap or bpfc refused it (why in err) */
	char err[640];        /* !compiled: why */
	size_t len_pcap, len_bpfc; /* instructions: libpcap -O, bpfc */
	size_t matched;      /* packets libpcap -O accepts */
	size_t opt_differs;  /* packets where libpcap -O and unoptimized differ */
	struct rt_cell cell[RT_NENGINES];
};

struct rt_opts {
	unsigned reps;       /* timed samples per engine (each >= 65536 packets) */
	int cpu;             /* pinned to this CPU; -1: not pinned */
	unsigned engines;    /* bit per enum rt_engine to run */
};

/* What the DPDK column needs, opaque here (bench/rtdpdk.h). */
struct rt_dpdk;

/* Measure one expression into `row` (label, expr, baseline set by the
 * caller).  `dpdk` may be NULL (no DPDK column).  Returns 0, or -1 when
 * out of memory. */
int
rt_measure(struct rt_row *row, const struct rt_pkts *p, const struct rt_opts *o,
	   struct rt_dpdk *dpdk);

/* The tables (text) and the TSV: one row per filter, one column per
 * engine's median (NaN without a figure), the two ratios, then a row of
 * geometric means. */
void
rt_print(FILE *f, const struct rt_row *rows, size_t n, const struct rt_pkts *p,
	 const struct rt_opts *o, const char *dpdk_note);
void
rt_tsv(FILE *f, const struct rt_row *rows, size_t n);

/* The engines that are bpfc's own. */
#define RT_BPFC_ENGINES (1u << RT_CBPF | 1u << RT_EBPF | 1u << RT_JIT)

/* Checks: the number of cells of `engines` (a bit per enum rt_engine)
 * whose verdicts differed from libpcap's or that crashed. */
size_t
rt_wrong_cells(const struct rt_row *rows, size_t n, unsigned engines);

#endif
