/*
 * protos.c: the protocol tables (codegen/protos.h).
 *
 * Numbers from IANA's registries and libpcap 1.10 (gen_proto_abbrev,
 * gen_load and its ethertype name list, pcap_nametoeproto/_nametollc).
 */
#include <config.h>

#include <stddef.h>
#include <string.h>

#include "codegen/protos.h"

static const struct proto_info proto_table[AST_PROTO_COUNT] = {
	[AST_PROTO_LINK] = {PROTO_T_LINK, 0, PROTO_L_LINK},
	[AST_PROTO_IP] = {PROTO_T_ETHER, PROTO_ETHERTYPE_IP, PROTO_L_NET},
	[AST_PROTO_IP6] = {PROTO_T_ETHER, PROTO_ETHERTYPE_IPV6, PROTO_L_NET},
	[AST_PROTO_ARP] = {PROTO_T_ETHER, PROTO_ETHERTYPE_ARP, PROTO_L_NET},
	[AST_PROTO_RARP] = {PROTO_T_ETHER, PROTO_ETHERTYPE_RARP, PROTO_L_NET},
	[AST_PROTO_DECNET] = {PROTO_T_ETHER, 0x6003, PROTO_L_NET},
	[AST_PROTO_LAT] = {PROTO_T_ETHER, 0x6004, PROTO_L_NET},
	[AST_PROTO_SCA] = {PROTO_T_ETHER, 0x6007, PROTO_L_NET},
	[AST_PROTO_MOPRC] = {PROTO_T_ETHER, 0x6002, PROTO_L_NET},
	[AST_PROTO_MOPDL] = {PROTO_T_ETHER, 0x6001, PROTO_L_NET},
	[AST_PROTO_TCP] = {PROTO_T_IP46, PROTO_IPPROTO_TCP, PROTO_L_TRAN4},
	[AST_PROTO_UDP] = {PROTO_T_IP46, PROTO_IPPROTO_UDP, PROTO_L_TRAN4},
	[AST_PROTO_SCTP] = {PROTO_T_IP46, PROTO_IPPROTO_SCTP, PROTO_L_TRAN4},
	[AST_PROTO_ICMP] = {PROTO_T_IP4, 1, PROTO_L_TRAN4},
	[AST_PROTO_IGMP] = {PROTO_T_IP4, 2, PROTO_L_TRAN4},
	[AST_PROTO_IGRP] = {PROTO_T_IP4, 9, PROTO_L_TRAN4},
	[AST_PROTO_PIM] = {PROTO_T_IP46, 103, PROTO_L_TRAN4},
	[AST_PROTO_VRRP] = {PROTO_T_IP4, 112, PROTO_L_TRAN4},
	[AST_PROTO_CARP] = {PROTO_T_IP4, 112, PROTO_L_TRAN4},
	[AST_PROTO_ICMP6] = {PROTO_T_IP6, PROTO_IPPROTO_ICMPV6, PROTO_L_TRAN6},
	[AST_PROTO_AH] = {PROTO_T_IP46, 51, PROTO_L_NONE},
	[AST_PROTO_ESP] = {PROTO_T_IP46, 50, PROTO_L_NONE},
	/* LLC SAPs, written where an ethertype goes (gen_llproto knows) */
	[AST_PROTO_ISO] = {PROTO_T_ETHER, 0xfe, PROTO_L_NOT_YET},
	[AST_PROTO_STP] = {PROTO_T_ETHER, 0x42, PROTO_L_NOT_YET},
	[AST_PROTO_NETBEUI] = {PROTO_T_ETHER, 0xf0, PROTO_L_NOT_YET},
	[AST_PROTO_IPX] = {PROTO_T_ETHER, 0xe0, PROTO_L_NOT_YET},
	[AST_PROTO_ATALK] = {PROTO_T_ETHER, 0x809b, PROTO_L_NOT_YET},
	[AST_PROTO_AARP] = {PROTO_T_ETHER, 0x80f3, PROTO_L_NOT_YET},
	/* ISO 9577 network-layer protocol ids */
	[AST_PROTO_CLNP] = {PROTO_T_ISO, 0x81, PROTO_L_NOT_YET},
	[AST_PROTO_ESIS] = {PROTO_T_ISO, 0x82, PROTO_L_NOT_YET},
	[AST_PROTO_ISIS] = {PROTO_T_ISO, 0x83, PROTO_L_NOT_YET},
	/* IS-IS PDU types (ISO 10589): LAN IIH L1 15, L2 16, point-to-point
	 * IIH 17, LSP L1 18, L2 20, CSNP L1 24, L2 25, PSNP L1 26, L2 27 */
	[AST_PROTO_ISIS_L1] = {PROTO_T_ISIS, 0x83, PROTO_L_NOT_YET, (const uint8_t[]){26, 24, 18, 15, 17, 0}},
	[AST_PROTO_ISIS_L2] = {PROTO_T_ISIS, 0x83, PROTO_L_NOT_YET, (const uint8_t[]){27, 25, 20, 16, 17, 0}},
	[AST_PROTO_ISIS_IIH] = {PROTO_T_ISIS, 0x83, PROTO_L_NOT_YET, (const uint8_t[]){17, 15, 16, 0}},
	[AST_PROTO_ISIS_LSP] = {PROTO_T_ISIS, 0x83, PROTO_L_NOT_YET, (const uint8_t[]){18, 20, 0}},
	[AST_PROTO_ISIS_SNP] = {PROTO_T_ISIS, 0x83, PROTO_L_NOT_YET, (const uint8_t[]){24, 25, 26, 27, 0}},
	[AST_PROTO_ISIS_CSNP] = {PROTO_T_ISIS, 0x83, PROTO_L_NOT_YET, (const uint8_t[]){24, 25, 0}},
	[AST_PROTO_ISIS_PSNP] = {PROTO_T_ISIS, 0x83, PROTO_L_NOT_YET, (const uint8_t[]){26, 27, 0}},
};

const struct proto_info *
proto_info(enum ast_proto p)
{
	static const struct proto_info none = {PROTO_T_NONE, 0, PROTO_L_NONE, NULL};

	return (unsigned)p < AST_PROTO_COUNT ? &proto_table[p] : &none;
}

/* Ethertypes by name, then the LLC SAPs libpcap also accepts there. */
static const struct {
	const char *name;
	uint32_t v;
} proto_ether_names[] = {
	{"aarp", 0x80f3}, {"arp", 0x0806}, {"atalk", 0x809b}, {"decnet", 0x6003},
	{"ip", 0x0800}, {"ip6", 0x86dd}, {"lat", 0x6004}, {"loopback", 0x9000},
	{"mopdl", 0x6001}, {"moprc", 0x6002}, {"rarp", 0x8035}, {"sca", 0x6007},
	{"iso", 0xfe}, {"stp", 0x42}, {"ipx", 0xe0}, {"netbeui", 0xf0},
};

int
proto_ethertype_byname(const char *name, uint32_t *v)
{
	for (size_t i = 0; i < sizeof(proto_ether_names) / sizeof(proto_ether_names[0]); i++)
		if (strcmp(proto_ether_names[i].name, name) == 0) {
			*v = proto_ether_names[i].v;
			return 0;
		}
	return -1;
}
