/*
 * bpfc-pcap.h: libpcap's pcap_compile with bpfc's compiler behind it.
 *
 * A capture program switches to bpfc by renaming one call: everything else
 * (pcap_setfilter, pcap_offline_filter, pcap_freecode, pcap_geterr) stays
 * libpcap's.  Link with libbpfc-pcap (pkg-config libbpfc-pcap), a small
 * library of its own so that users of libbpfc alone do not need libpcap.
 * See bpfc_pcap_compile(3).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef BPFC_PCAP_H
#define BPFC_PCAP_H

#include <pcap/pcap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* pcap_compile(3PCAP)'s signature and contract: compile the pcap-filter(7)
 * expression `str` (NULL compiles as "", which matches every packet) for
 * the link type and snapshot length of `p` (pcap_datalink, pcap_snapshot:
 * a matching packet returns the snapshot length), with `netmask` for `ip
 * broadcast` (PCAP_NETMASK_UNKNOWN when not known), optimizing when
 * `optimize` is non-zero.  Returns 0 with `fp` filled in (free it with
 * pcap_freecode), or PCAP_ERROR with `fp` untouched and the message, with
 * the column of the expression it is about, in pcap_geterr(p); PCAP_ERROR
 * and no message when `p` is NULL.  Like pcap_compile it sets no limit on
 * the program's length.  Reentrant: two threads may compile at once on two
 * pcap_t handles. */
int bpfc_pcap_compile(pcap_t *p, struct bpf_program *fp, const char *str, int optimize,
		      bpf_u_int32 netmask);

#ifdef __cplusplus
}
#endif

#endif /* BPFC_PCAP_H */
