/*
 * ebpf_kernel.c: the kernel-side helpers of the eBPF tests (see
 * ebpf_kernel.h).  bpf(2) through syscall(2), as backend/bpfsys.c does.
 */
#include <config.h>

#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backend/bpfsys.h"
#include "base/diag.h"
#include "tests/ebpf_kernel.h"

_Static_assert(EK_PROG_SOCKET_FILTER == (int)BPF_PROG_TYPE_SOCKET_FILTER, "prog type");
_Static_assert(EK_PROG_SCHED_CLS == (int)BPF_PROG_TYPE_SCHED_CLS, "prog type");
_Static_assert(EK_PROG_XDP == (int)BPF_PROG_TYPE_XDP, "prog type");
_Static_assert(EK_XDP_DROP == (int)XDP_DROP && EK_XDP_PASS == (int)XDP_PASS, "xdp actions");
_Static_assert(EK_TC_ACT_OK == TC_ACT_OK && EK_TC_ACT_SHOT == TC_ACT_SHOT, "tc actions");

uint32_t
ek_prog_type(enum ebpf_target t)
{
	return t == EBPF_TARGET_SOCKET ? EK_PROG_SOCKET_FILTER
	       : t == EBPF_TARGET_TC	? EK_PROG_SCHED_CLS
					: EK_PROG_XDP;
}

int
ek_probe(char *why, size_t whylen)
{
	static const struct bpfc_ebpf_insn ret2[] = {
		{EBPF_ALU | EBPF_MOV | EBPF_K, 0, 0, 0, 2},
		{EBPF_JMP | EBPF_EXIT, 0, 0, 0, 0},
	};
	static const enum ebpf_target all[] = {EBPF_TARGET_SOCKET, EBPF_TARGET_TC, EBPF_TARGET_XDP};
	uint8_t pkt[64] = {0};

	if (geteuid() != 0) {
		snprintf(why, whylen, "not root (XDP and tc programs need CAP_BPF and CAP_NET_ADMIN)");
		return -1;
	}
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct bpfc_error err;
		uint32_t rv;
		diag_init(&err);
		int fd = bpfsys_prog_load(ek_prog_type(all[i]), ret2, 2, NULL, 0, &err);
		if (fd < 0) {
			snprintf(why, whylen, "bpf(BPF_PROG_LOAD) refused: %s", err.msg);
			return -1;
		}
		int rc = bpfsys_test_run(fd, pkt, sizeof(pkt), &rv, &err);
		close(fd);
		if (rc != 0) {
			snprintf(why, whylen, "BPF_PROG_TEST_RUN refused: %s", err.msg);
			return -1;
		}
	}
	return 0;
}

int
ek_prog_xlated(int fd, uint32_t *id, struct bpfc_ebpf_insn **insns, size_t *n)
{
	struct bpf_prog_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uint64_t)(uintptr_t)&info;
	if (syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) != 0)
		return -1;
	*id = info.id;
	if (insns == NULL)
		return 0;
	uint32_t len = info.xlated_prog_len;
	struct bpfc_ebpf_insn *buf = malloc(len ? len : 1);
	if (buf == NULL)
		return -1;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = len;
	info.xlated_prog_insns = (uint64_t)(uintptr_t)buf;
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uint64_t)(uintptr_t)&info;
	if (syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) != 0) {
		free(buf);
		return -1;
	}
	*insns = buf;
	*n = len / sizeof(*buf);
	return 0;
}

int
ek_skb_refuses(const uint8_t *pkt, uint32_t len)
{
	if (len < EK_ETH_HLEN)
		return 1;
	uint32_t type = (uint32_t)pkt[12] << 8 | pkt[13];
	return (type == 0x0800 && len < EK_ETH_HLEN + 20) ||
	       (type == 0x86dd && len < EK_ETH_HLEN + 40);
}
