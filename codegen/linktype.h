/*
 * linktype.h: the link-layer table of the code generator, keyed by DLT.
 *
 * Takes: a DLT_ value.  Gives: where the link-level protocol field is and
 * what kind of values it holds, and where the network layer starts.  This
 * is the only place in codegen/ that knows about link types: generators
 * ask gen_llproto() (gen_link.c), which reads this table, and never switch
 * on the link type themselves.
 */
#ifndef BPFC_CODEGEN_LINKTYPE_H
#define BPFC_CODEGEN_LINKTYPE_H

#include <stdint.h>

/* What the link-level protocol field holds. */
enum lt_kind {
	LT_ETHER,   /* ethertype; a value <= 1500 is an 802.3 length and LLC follows */
	LT_SLL,     /* ethertype, or 4 (LINUX_SLL_P_802_2) with LLC after the header */
	LT_PLAIN,   /* a 16-bit ethertype compared as it is */
	LT_CHDLC,   /* an ethertype; ISO (LLC SAP 0xfe) is written 0xfefe */
	LT_PPP,     /* a PPP protocol number: some ethertypes map to PPP numbers */
	LT_AF_HOST, /* a 32-bit address family in the capturing host's byte order */
	LT_AF_NET,  /* a 32-bit address family in network byte order */
	LT_IPVER,   /* no field: the IP version nibble at the network layer */
	LT_FIXED    /* no field: every packet carries `fixed` */
};

enum {
	LT_F_MAC = 1u << 0, /* has Ethernet addresses: ether host, broadcast, multicast */
	LT_F_VLAN = 1u << 1,   /* 802.1Q tags: `vlan` */
	LT_F_DIR = 1u << 2,    /* a direction field: inbound, outbound */
	LT_F_DIR_IN = 1u << 3, /* inbound is dir == 0 (else: dir != outgoing) */
	LT_F_IFINDEX = 1u << 4 /* an interface index field: ifindex */
};

struct linktype {
	int dlt;
	const char *name;   /* libpcap's name, for messages */
	enum lt_kind kind;
	uint32_t off_proto; /* the protocol field (LT_ETHER .. LT_AF_NET) */
	uint32_t off_net;   /* the network layer */
	uint32_t fixed;     /* LT_FIXED: the ethertype every packet has */
	uint32_t mpls;      /* the protocol value of MPLS, 0 when `mpls` is refused */
	uint32_t off_iso;   /* the OSI protocol id, from the network layer (after LLC) */
	uint32_t off_dir;   /* LT_F_DIR: the packet direction field, of size dir_size */
	uint16_t dir_size;  /* CBPF_B or CBPF_H */
	uint32_t dir_out;   /* its value for outgoing packets */
	uint32_t off_ifindex; /* LT_F_IFINDEX: a 32-bit interface index */
	unsigned flags;     /* LT_F_* */
};

/* The entry for `dlt`, or NULL when bpfc does not generate code for it. */
const struct linktype *linktype_find(int dlt);

#endif
