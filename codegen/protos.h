/*
 * protos.h: protocol numbers and names for the code generator.
 *
 * Takes: a protocol qualifier (enum ast_proto) or a name.  Gives: what the
 * bare protocol tests (an ethertype, or an IP protocol number over IPv4,
 * IPv6 or both) and where `proto[...]` loads from.  One table per kind of
 * number, as libpcap defines them (gencode.c's gen_proto_abbrev, gen_load,
 * nametoaddr.c's ethertype names).
 */
#ifndef BPFC_CODEGEN_PROTOS_H
#define BPFC_CODEGEN_PROTOS_H

#include <stdint.h>

#include "grammar/ast.h"

/* The well-known numbers the generator itself needs. */
enum {
	PROTO_ETHERTYPE_IP = 0x0800,
	PROTO_ETHERTYPE_ARP = 0x0806,
	PROTO_ETHERTYPE_RARP = 0x8035,
	PROTO_ETHERTYPE_IPV6 = 0x86dd,
	PROTO_IPPROTO_TCP = 6,
	PROTO_IPPROTO_UDP = 17,
	PROTO_IPPROTO_SCTP = 132,
	PROTO_IPPROTO_FRAGMENT = 44,
	PROTO_IPPROTO_ICMPV6 = 58
};

/* What a bare protocol keyword tests. */
enum proto_test {
	PROTO_T_NONE,  /* not generated (yet): an error naming it */
	PROTO_T_LINK,  /* `ether`, `link`: meaningless alone */
	PROTO_T_ETHER, /* the link-level protocol is `num` */
	PROTO_T_IP4,   /* IPv4 with protocol `num` */
	PROTO_T_IP6,   /* IPv6 with next header `num` (directly or after a fragment header) */
	PROTO_T_IP46,  /* either */
	PROTO_T_ISO,   /* OSI over LLC (SAP 0xfe) with network-layer protocol id `num` */
	PROTO_T_ISIS   /* IS-IS (id `num`) with a PDU type in `pdus` */
};

/* Where proto[...] loads from. */
enum proto_load {
	PROTO_L_NONE, /* no index operation */
	PROTO_L_LINK, /* the link header */
	PROTO_L_NET,  /* the network layer, when the bare protocol holds */
	PROTO_L_TRAN4, /* after the IPv4 header: IPv4, protocol `num`, first fragment */
	PROTO_L_TRAN6, /* after a fixed IPv6 header with next header `num` */
	PROTO_L_NOT_YET   /* libpcap has one; not generated yet */
};

struct proto_info {
	enum proto_test test;
	uint32_t num;
	enum proto_load load;
	const uint8_t *pdus; /* PROTO_T_ISIS: PDU types, 0-terminated */
};

const struct proto_info *proto_info(enum ast_proto p);

/* libpcap's ethertype names (`ether proto \ip`): 0 and the value, or -1. */
int proto_ethertype_byname(const char *name, uint32_t *v);

#endif
