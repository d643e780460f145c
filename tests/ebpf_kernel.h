/*
 * ebpf_kernel.h: what the eBPF tests ask the running kernel, for test
 * programs that also include libpcap's headers (linux/bpf.h and
 * pcap/bpf.h both define struct bpf_insn, so only ebpf_kernel.c includes
 * the former).
 *
 * Takes: program fds from bpfsys_prog_load.  Gives: the program types and
 * actions as plain numbers (checked against linux/bpf.h when this module
 * compiles), a probe of whether this process may load and test-run
 * programs, and a loaded program's id and the instructions the kernel
 * actually runs (`xlated`, after the verifier's rewrites).
 */
#ifndef BPFC_TESTS_EBPF_KERNEL_H
#define BPFC_TESTS_EBPF_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"
#include "ebpf/ebpf.h"

enum { EK_PROG_SOCKET_FILTER = 1, EK_PROG_SCHED_CLS = 3, EK_PROG_XDP = 6 };
enum { EK_XDP_DROP = 1, EK_XDP_PASS = 2, EK_TC_ACT_OK = 0, EK_TC_ACT_SHOT = 2 };
#define EK_ETH_HLEN 14

/* The kernel program type of a target. */
uint32_t
ek_prog_type(enum ebpf_target t);

/* 0 when this process can load and test-run socket, tc and XDP programs;
 * else -1 with the reason in `why`. */
int
ek_probe(char *why, size_t whylen);

/* The program's id, and (when insns is non-NULL) a malloc'd copy of the
 * instructions the kernel runs, *n slots.  0 or -1. */
int
ek_prog_xlated(int fd, uint32_t *id, struct bpfc_ebpf_insn **insns, size_t *n);

/* Whether an skb test run (tc: the data from byte 0) refuses `len` bytes
 * at `pkt`: fewer than 14, or an IPv4/IPv6 ethertype without room for the
 * IP header (Linux 6.18's bpf_prog_test_run_skb). */
int
ek_skb_refuses(const uint8_t *pkt, uint32_t len);

#endif
