/*
 * linktype.c: the link-layer table (codegen/linktype.h).
 *
 * Facts from libpcap 1.10's gencode.c (offsets of each header) and the
 * link-type registry (tcpdump.org/linktypes.html).
 */
#include <config.h>

#include <stddef.h>

#include "cbpf/opcodes.h"
#include "codegen/linktype.h"

static const struct linktype linktype_table[] = {
	/* dlt, name, kind, protocol field, network layer, fixed, mpls, OSI id,
	 * direction field (offset, size, outgoing), ifindex field, flags.
	 * The OSI id offsets are libpcap 1.10's (off_nl_nosnap), including
	 * LINUX_SLL's 0, which reads the DSAP. */
	{1, "EN10MB", LT_ETHER, 12, 14, 0, 0x8847, 3, 0, 0, 0, 0, LT_F_MAC | LT_F_VLAN},
	{12, "RAW", LT_IPVER, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	{228, "IPV4", LT_FIXED, 0, 0, 0x0800, 0, 0, 0, 0, 0, 0, 0},
	{229, "IPV6", LT_FIXED, 0, 0, 0x86dd, 0, 0, 0, 0, 0, 0, 0},
	{0, "NULL", LT_AF_HOST, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0},
	{108, "LOOP", LT_AF_NET, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0},
	/* sll_pkttype; PACKET_OUTGOING is 4 */
	{113, "LINUX_SLL", LT_SLL, 14, 16, 0, 0, 0, 0, CBPF_H, 4, 0, LT_F_DIR},
	{276, "LINUX_SLL2", LT_PLAIN, 0, 20, 0, 0, 0, 10, CBPF_B, 4, 4, LT_F_DIR | LT_F_IFINDEX},
	{9, "PPP", LT_PPP, 2, 4, 0, 0x0281, 0, 0, 0, 0, 0, 0},
	/* pppd's direction byte: 0 in, 1 out */
	{166, "PPP_PPPD", LT_PPP, 2, 4, 0, 0, 0, 0, CBPF_B, 1, 0, LT_F_DIR | LT_F_DIR_IN},
	{104, "C_HDLC", LT_CHDLC, 2, 4, 0, 0x8847, 1, 0, 0, 0, 0, 0},
};

const struct linktype *
linktype_find(int dlt)
{
	for (size_t i = 0; i < sizeof(linktype_table) / sizeof(linktype_table[0]); i++)
		if (linktype_table[i].dlt == dlt)
			return &linktype_table[i];
	return NULL;
}
