/*
 * exprgen.c: the random expression generator of check_grammar (see
 * exprgen.h).  Takes a seed; gives expression text.  The grammar it
 * follows is pcap-filter(7)'s, loosely: it must also produce what libpcap
 * rejects, so nothing here is guaranteed valid.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "tests/grammar/exprgen.h"

#define EG_PICK(g, arr) ((arr)[rng_below(&(g)->r, (uint32_t)(sizeof(arr) / sizeof((arr)[0])))])
#define EG_CHANCE(g, pct) rng_chance(&(g)->r, pct, 100)

static const char *const eg_pnames[] = {
	"link", "ether", "ppp",	 "slip", "fddi", "tr",	 "wlan",  "ip",	   "ip6",   "arp",
	"rarp", "tcp",	 "udp",	 "sctp", "icmp", "icmp6", "igmp", "igrp",  "pim",   "vrrp",
	"carp", "ah",	 "esp",	 "atalk", "aarp", "decnet", "lat", "sca",   "moprc", "mopdl",
	"iso",	"esis",	 "es-is", "isis", "is-is", "l1",   "l2",	   "iih",   "lsp",   "snp",
	"csnp", "psnp",	 "clnp", "stp",	 "ipx",	 "netbeui", "radio"};
static const char *const eg_common_pnames[] = {"ip", "ip6", "tcp", "udp", "ether", "arp", "icmp"};
static const char *const eg_dirs[] = {"src", "dst", "src or dst", "src and dst", "dst or src",
				      "dst and src", "addr1", "addr2", "addr3", "addr4",
				      "address1", "ra", "ta"};
static const char *const eg_aquals[] = {"host", "net", "port", "portrange",
					"gateway", "proto", "protochain"};
static const char *const eg_nums[] = {"0",	  "1",	 "2",	  "6",	  "17",	       "80",
				      "443",	  "1500", "65535", "65536", "0x50",     "0X1f",
				      "010",	  "00",	 "4294967295", "icmp-echo", "tcp-syn",
				      "tcpflags", "icmptype", "icmp6-echo", "7", "4094"};
static const char *const eg_ipv4[] = {"10.0.0.1", "10.1",    "10.1.2",	"192.168.1.0",
				      "1.2.3.4",  "09.1",    "256.1.1.1", "0x1.2", "127.0.0.1"};
static const char *const eg_ipv6[] = {"::1", "fe80::1", "2001:db8::1.2.3.4", "::",
				      "1:2:3:4:5:6:7:8", "fe80::", "ff02::2"};
static const char *const eg_macs[] = {"aa:bb:cc:dd:ee:ff", "a-b-c-d-e-f", "aabb.ccdd.eeff",
				      "aabbccddeeff", "1.2.3.4.5.6", "0:1:2:3:4:5"};
static const char *const eg_names[] = {"localhost", "ftp",   "http",   "domain", "ftp-data",
				       "\\tcp",	   "\\ip",  "\\udp",  "foo.bar", "a_b",
				       "80-90",	   "6000-6010", "mgt", "data", "beacon",
				       "nods",	   "tods",  "i",      "s",      "u",
				       "ui",	   "match", "pass",   "eth0",   "x",
				       "assoc-req", "ctl",  "fromds", "rr",    "block"};
static const char *const eg_relops[] = {"=", "==", "!=", "<", "<=", ">", ">="};
static const char *const eg_ariths[] = {"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"};
static const char *const eg_logic[] = {"and", "or", "&&", "||"};
static const char *const eg_nullary[] = {
	"inbound", "outbound", "vlan",	 "mpls",	"pppoed",     "pppoes",	    "geneve",
	"llc",	   "lane",     "metac",	 "bcc",		"oamf4ec",    "oamf4sc",    "sc",
	"ilmic",   "oam",      "oamf4",	 "connectmsg", "metaconnect", "fisu",	    "lssu",
	"lsu",	   "msu",      "hfisu",	 "hlssu",	"hmsu",	      "broadcast", "multicast"};
static const char *const eg_unary[] = {"less", "greater", "ifindex", "vlan",  "mpls",
				       "pppoes", "geneve", "rnr",	 "srnr",  "rulenum",
				       "subrulenum", "reason"};
static const char *const eg_named_arg[] = {"on", "ifname", "rset", "ruleset", "reason",
					   "action", "llc", "type", "subtype", "dir"};
static const char *const eg_fields[] = {"vpi", "vci", "sio", "opc", "dpc", "sls",
					"hsio", "hopc", "hdpc", "hsls"};
static const char *const eg_punct[] = {"(", ")", "[", "]", ":", "!", "not", "mask", "/",
				       "len", "length", "byte", "proto", "protochain"};

static void
eg_tok(struct exprgen *g, const char *s)
{
	if (g->n < EG_MAXTOK)
		snprintf(g->tok[g->n++], EG_TOKLEN, "%s", s);
}

static void
eg_number(struct exprgen *g)
{
	if (EG_CHANCE(g, 70))
		eg_tok(g, EG_PICK(g, eg_nums));
	else {
		char b[16];
		snprintf(b, sizeof(b), "%u", rng_below(&g->r, 3000));
		eg_tok(g, b);
	}
}

static void
eg_name(struct exprgen *g)
{
	if (EG_CHANCE(g, 10)) {
		char b[40];
		snprintf(b, sizeof(b), "zz-unknown-host-%u", rng_below(&g->r, 1000));
		eg_tok(g, b);
	} else {
		eg_tok(g, EG_PICK(g, eg_names));
	}
}

/* A value fitting the address qualifier `aq` (NULL: any). */
static void eg_coherent_value(struct exprgen *g, const char *kind);

static void
eg_value(struct exprgen *g, const char *aq)
{
	uint32_t pick = rng_below(&g->r, 100);

	if (g->value_kind != NULL && EG_CHANCE(g, 80)) {
		eg_coherent_value(g, g->value_kind);
		return;
	}
	if (aq != NULL && EG_CHANCE(g, 75)) {
		if (strcmp(aq, "port") == 0 || strcmp(aq, "proto") == 0 ||
		    strcmp(aq, "protochain") == 0 || strcmp(aq, "portrange") == 0)
			pick = EG_CHANCE(g, 60) ? 0 : 90;
		else if (strcmp(aq, "net") == 0)
			pick = EG_CHANCE(g, 70) ? 30 : 0;
		else if (strcmp(aq, "host") == 0)
			pick = 20 + rng_below(&g->r, 80);
	}
	if (pick < 20) {
		eg_number(g);
	} else if (pick < 45) {
		eg_tok(g, EG_PICK(g, eg_ipv4));
		if (EG_CHANCE(g, 25)) {
			eg_tok(g, "/");
			eg_number(g);
		} else if (EG_CHANCE(g, 15)) {
			eg_tok(g, "mask");
			eg_tok(g, EG_PICK(g, eg_ipv4));
		}
	} else if (pick < 60) {
		eg_tok(g, EG_PICK(g, eg_ipv6));
		if (EG_CHANCE(g, 25)) {
			eg_tok(g, "/");
			eg_number(g);
		}
	} else if (pick < 72) {
		eg_tok(g, EG_PICK(g, eg_macs));
	} else if (pick < 76) {
		eg_tok(g, EG_CHANCE(g, 50) ? "$c0" : "$1");
	} else {
		eg_name(g);
	}
}

/* id: a value, or ( id and/or id ), not id, ( value ). */
static void
eg_id(struct exprgen *g, const char *aq, int depth)
{
	uint32_t pick = depth > 2 ? 0 : rng_below(&g->r, 100);

	if (pick < 78) {
		eg_value(g, aq);
	} else if (pick < 88) {
		eg_tok(g, "(");
		eg_id(g, aq, depth + 1);
		eg_tok(g, EG_PICK(g, eg_logic));
		eg_id(g, aq, depth + 1);
		eg_tok(g, ")");
	} else if (pick < 95) {
		eg_tok(g, EG_CHANCE(g, 50) ? "not" : "!");
		eg_id(g, aq, depth + 1);
	} else {
		eg_tok(g, "(");
		eg_value(g, aq);
		eg_tok(g, ")");
	}
}

/* Coherent heads, so that more of them get past libpcap's semantic checks
 * (and more of what follows is seen by its parser). */
static const struct {
	const char *proto, *addr, *value;
} eg_coherent[] = {
	{"", "host", "ipv4"},	   {"ip", "host", "ipv4"},   {"ip", "net", "net"},
	{"", "net", "net"},	   {"tcp", "port", "port"},  {"udp", "port", "port"},
	{"", "port", "port"},	   {"sctp", "portrange", "range"}, {"ip6", "host", "ipv6"},
	{"ip6", "net", "net6"},	   {"ether", "host", "mac"}, {"ether", "", "mac"},
	{"ip", "proto", "proto"},  {"ether", "proto", "proto"}, {"arp", "host", "ipv4"},
	{"", "", "ipv4"},	   {"tcp", "portrange", "range"},
};

static void
eg_coherent_value(struct exprgen *g, const char *kind)
{
	static const char *const ports[] = {"80", "443", "ftp", "http", "domain", "22", "0x50"};
	static const char *const ranges[] = {"1-1023", "6000-6010", "ftp-http", "80-80"};
	static const char *const protos[] = {"6", "17", "\\tcp", "\\udp", "\\icmp", "1"};

	if (strcmp(kind, "port") == 0)
		eg_tok(g, EG_PICK(g, ports));
	else if (strcmp(kind, "range") == 0)
		eg_tok(g, EG_PICK(g, ranges));
	else if (strcmp(kind, "proto") == 0)
		eg_tok(g, EG_PICK(g, protos));
	else if (strcmp(kind, "mac") == 0)
		eg_tok(g, EG_PICK(g, eg_macs));
	else if (strcmp(kind, "ipv6") == 0)
		eg_tok(g, EG_PICK(g, eg_ipv6));
	else if (strcmp(kind, "net6") == 0) {
		eg_tok(g, "fe80::");
		eg_tok(g, "/");
		eg_tok(g, EG_CHANCE(g, 50) ? "10" : "64");
	} else if (strcmp(kind, "net") == 0) {
		eg_tok(g, EG_CHANCE(g, 50) ? "10.0.0.0" : "192.168");
		if (EG_CHANCE(g, 50)) {
			eg_tok(g, "/");
			eg_tok(g, EG_CHANCE(g, 50) ? "8" : "16");
		}
	} else {
		eg_tok(g, EG_CHANCE(g, 70) ? EG_PICK(g, eg_ipv4) : "localhost");
	}
}

/* head: [proto] [dir] [addr], in libpcap's order; returns the addr. */
static const char *
eg_head(struct exprgen *g)
{
	const char *aq = NULL;
	int any = 0;

	if (EG_CHANCE(g, 60)) {
		int k = (int)rng_below(&g->r, (uint32_t)(sizeof(eg_coherent) / sizeof(eg_coherent[0])));
		if (eg_coherent[k].proto[0] != '\0')
			eg_tok(g, eg_coherent[k].proto);
		if (EG_CHANCE(g, 30))
			eg_tok(g, EG_CHANCE(g, 50) ? "src" : "dst");
		else if (eg_coherent[k].addr[0] == '\0')
			eg_tok(g, "src or dst");
		if (eg_coherent[k].addr[0] != '\0')
			eg_tok(g, eg_coherent[k].addr);
		g->value_kind = eg_coherent[k].value;
		return NULL;
	}
	g->value_kind = NULL;
	if (EG_CHANCE(g, 50))
		eg_tok(g, EG_CHANCE(g, 60) ? EG_PICK(g, eg_common_pnames) : EG_PICK(g, eg_pnames));
	if (EG_CHANCE(g, 45)) {
		eg_tok(g, EG_PICK(g, eg_dirs));
		any = 1;
	}
	if (!any || EG_CHANCE(g, 70)) {
		aq = EG_PICK(g, eg_aquals);
		eg_tok(g, aq);
	}
	return aq;
}

static void
eg_arth(struct exprgen *g, int depth)
{
	uint32_t pick = depth > 2 ? rng_below(&g->r, 55) : rng_below(&g->r, 100);

	if (pick < 40) {
		eg_number(g);
	} else if (pick < 50) {
		eg_tok(g, EG_CHANCE(g, 80) ? "len" : "length");
	} else if (pick < 70) {
		eg_tok(g, EG_CHANCE(g, 70) ? EG_PICK(g, eg_common_pnames) : EG_PICK(g, eg_pnames));
		eg_tok(g, "[");
		eg_arth(g, depth + 1);
		if (EG_CHANCE(g, 40)) {
			static const char *const sizes[] = {"1", "2", "4", "3", "0"};
			eg_tok(g, ":");
			eg_tok(g, EG_PICK(g, sizes));
		}
		eg_tok(g, "]");
	} else if (pick < 85) {
		eg_arth(g, depth + 1);
		eg_tok(g, EG_PICK(g, eg_ariths));
		eg_arth(g, depth + 1);
	} else if (pick < 92) {
		eg_tok(g, "-");
		eg_arth(g, depth + 1);
	} else {
		eg_tok(g, "(");
		eg_arth(g, depth + 1);
		eg_tok(g, ")");
	}
}

/* A field value of ATM/MTP3: N, relop N, ( N or N ... ). */
static void
eg_field(struct exprgen *g)
{
	eg_tok(g, EG_PICK(g, eg_fields));
	uint32_t pick = rng_below(&g->r, 10);
	if (pick < 5) {
		eg_number(g);
	} else if (pick < 8) {
		eg_tok(g, EG_PICK(g, eg_relops));
		eg_number(g);
	} else {
		eg_tok(g, "(");
		eg_number(g);
		for (uint32_t i = rng_below(&g->r, 3); i-- > 0;) {
			eg_tok(g, EG_CHANCE(g, 50) ? "or" : "||");
			eg_number(g);
		}
		eg_tok(g, ")");
	}
}

/* The "other" primitives. */
static void
eg_other(struct exprgen *g)
{
	uint32_t pick = rng_below(&g->r, 100);

	if (pick < 30) {
		if (EG_CHANCE(g, 30))
			eg_tok(g, EG_PICK(g, eg_pnames));
		eg_tok(g, EG_PICK(g, eg_nullary));
	} else if (pick < 55) {
		eg_tok(g, EG_PICK(g, eg_unary));
		eg_number(g);
	} else if (pick < 70) {
		if (EG_CHANCE(g, 30))
			eg_tok(g, EG_CHANCE(g, 80) ? "wlan" : EG_PICK(g, eg_pnames));
		eg_tok(g, EG_PICK(g, eg_named_arg));
		if (EG_CHANCE(g, 85))
			EG_CHANCE(g, 70) ? eg_name(g) : eg_number(g);
		if (EG_CHANCE(g, 15)) {
			eg_tok(g, "subtype");
			EG_CHANCE(g, 70) ? eg_name(g) : eg_number(g);
		}
	} else if (pick < 80) {
		static const char *const byteops[] = {"&", "|", "<", ">", "=", "!=", "^"};
		eg_tok(g, "byte");
		eg_number(g);
		eg_tok(g, EG_PICK(g, byteops));
		eg_number(g);
	} else if (pick < 90) {
		eg_field(g);
	} else {
		eg_tok(g, EG_CHANCE(g, 50) ? "llc" : "pppoes");
		if (EG_CHANCE(g, 50))
			eg_tok(g, EG_CHANCE(g, 30) ? "rnr" : EG_PICK(g, eg_names));
	}
}

static void eg_expr(struct exprgen *g, int depth);

static void
eg_term(struct exprgen *g, int depth)
{
	uint32_t pick = rng_below(&g->r, 100);

	if (depth < 3 && pick < 10) {
		eg_tok(g, EG_CHANCE(g, 50) ? "not" : "!");
		eg_term(g, depth + 1);
	} else if (depth < 3 && pick < 20) {
		eg_tok(g, "(");
		eg_expr(g, depth + 1);
		eg_tok(g, ")");
	} else if (pick < 55) {
		const char *aq = eg_head(g);
		eg_id(g, aq, depth);
	} else if (pick < 63) {
		eg_tok(g, EG_PICK(g, eg_pnames));
	} else if (pick < 78) {
		eg_arth(g, depth);
		eg_tok(g, EG_PICK(g, eg_relops));
		eg_arth(g, depth);
	} else {
		eg_other(g);
	}
}

/* term { and|or (term | id) }: an id after and/or takes the qualifiers
 * before it. */
static void
eg_expr(struct exprgen *g, int depth)
{
	eg_term(g, depth);
	for (uint32_t k = rng_below(&g->r, depth > 1 ? 2 : 4); k-- > 0;) {
		eg_tok(g, EG_PICK(g, eg_logic));
		if (EG_CHANCE(g, 30))
			eg_id(g, NULL, depth + 1);
		else
			eg_term(g, depth + 1);
	}
}

/* Any token of the vocabulary, for mutations and soups. */
static void
eg_any(struct exprgen *g)
{
	switch (rng_below(&g->r, 12)) {
	case 0: eg_tok(g, EG_PICK(g, eg_pnames)); break;
	case 1: eg_tok(g, EG_PICK(g, eg_dirs)); break;
	case 2: eg_tok(g, EG_PICK(g, eg_aquals)); break;
	case 3: eg_tok(g, EG_PICK(g, eg_relops)); break;
	case 4: eg_tok(g, EG_PICK(g, eg_ariths)); break;
	case 5: eg_tok(g, EG_PICK(g, eg_logic)); break;
	case 6: eg_tok(g, EG_PICK(g, eg_nullary)); break;
	case 7: eg_tok(g, EG_PICK(g, eg_unary)); break;
	case 8: eg_tok(g, EG_PICK(g, eg_punct)); break;
	case 9: eg_tok(g, EG_PICK(g, eg_fields)); break;
	case 10: eg_number(g); break;
	default: eg_value(g, NULL); break;
	}
}

/* Put one vocabulary item (1 to 3 tokens) at position `at`. */
static void
eg_insert_any(struct exprgen *g, int at)
{
	char tmp[4][EG_TOKLEN];
	int n0 = g->n;

	if (g->n + 4 > EG_MAXTOK)
		return;
	eg_any(g);
	int k = g->n - n0;
	memcpy(tmp, g->tok[n0], (size_t)k * EG_TOKLEN);
	memmove(g->tok[at + k], g->tok[at], (size_t)(n0 - at) * EG_TOKLEN);
	memcpy(g->tok[at], tmp, (size_t)k * EG_TOKLEN);
}

static void
eg_delete(struct exprgen *g, int at)
{
	memmove(g->tok[at], g->tok[at + 1], (size_t)(g->n - at - 1) * EG_TOKLEN);
	g->n--;
}

static void
eg_mutate(struct exprgen *g)
{
	for (uint32_t m = 1 + rng_below(&g->r, 3); m-- > 0 && g->n > 0;) {
		int at = (int)rng_below(&g->r, (uint32_t)g->n);
		char saved[EG_TOKLEN];
		switch (rng_below(&g->r, 4)) {
		case 0:
			eg_delete(g, at);
			break;
		case 1:
			eg_insert_any(g, at);
			break;
		case 2: /* replace */
			eg_delete(g, at);
			eg_insert_any(g, at);
			break;
		default: /* swap with the next */
			if (at + 1 < g->n) {
				memcpy(saved, g->tok[at], EG_TOKLEN);
				memcpy(g->tok[at], g->tok[at + 1], EG_TOKLEN);
				memcpy(g->tok[at + 1], saved, EG_TOKLEN);
			}
			break;
		}
	}
}

static int
eg_is_punct(const char *t)
{
	return t[0] != '\0' && t[1] == '\0' && strchr("()[]:!=<>+-*/%&|^", t[0]) != NULL;
}

/* Join with blanks, sometimes (`tight`) leaving them out beside
 * punctuation. */
static void
eg_join_tokens(struct exprgen *g, char *out, size_t size, int tight_ok)
{
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; i < g->n; i++) {
		int tight = tight_ok && i > 0 &&
			    (eg_is_punct(g->tok[i]) || eg_is_punct(g->tok[i - 1])) && EG_CHANCE(g, 15);
		int w = snprintf(out + o, size - o, "%s%s", i == 0 || tight ? "" : " ", g->tok[i]);
		if (w < 0 || (size_t)w >= size - o)
			break;
		o += (size_t)w;
	}
}

static void
eg_join(struct exprgen *g, char *out, size_t size)
{
	eg_join_tokens(g, out, size, 1);
}

/* One random expression: mostly grammatical, a quarter mutated, a few
 * pure soup. */
void
eg_random(struct exprgen *g, char *out, size_t size)
{
	uint32_t kind = rng_below(&g->r, 100);

	g->n = 0;
	g->value_kind = NULL;
	if (kind < 5) {
		for (uint32_t k = 1 + rng_below(&g->r, 10); k-- > 0;)
			eg_any(g);
	} else {
		eg_expr(g, 0);
		if (kind < 30)
			eg_mutate(g);
	}
	eg_join(g, out, size);
}


static void
eg_const_operand(struct exprgen *g, int depth)
{
	static const char *const odd[] = {"0x1f", "017", "0", "4294967295", "0x80000000", "100"};
	uint32_t pick = rng_below(&g->r, 100);
	char b[16];

	if (depth < 3 && pick < 10) {
		eg_tok(g, "-");
		eg_const_operand(g, depth + 1);
	} else if (depth < 3 && pick < 25) {
		eg_tok(g, "(");
		eg_const_operand(g, depth + 1);
		for (uint32_t k = rng_below(&g->r, 3); k-- > 0;) {
			eg_tok(g, EG_PICK(g, eg_ariths));
			eg_const_operand(g, depth + 1);
		}
		eg_tok(g, ")");
	} else if (pick < 35) {
		eg_tok(g, EG_PICK(g, odd));
	} else {
		snprintf(b, sizeof(b), "%u", rng_below(&g->r, 24));
		eg_tok(g, b);
	}
}


void
eg_init(struct exprgen *g, uint64_t seed)
{
	memset(g, 0, sizeof(*g));
	rng_seed(&g->r, seed);
}

void
eg_soup(struct exprgen *g, int max, char *out, size_t size)
{
	g->n = 0;
	for (uint32_t k = rng_below(&g->r, (uint32_t)max + 1); k-- > 0;)
		eg_any(g);
	eg_join(g, out, size);
}

void
eg_const_relation(struct exprgen *g, char *out, size_t size)
{
	g->n = 0;
	eg_tok(g, "len");
	eg_tok(g, "=");
	eg_const_operand(g, 0);
	for (uint32_t k = 1 + rng_below(&g->r, 5); k-- > 0;) {
		eg_tok(g, EG_PICK(g, eg_ariths));
		eg_const_operand(g, 0);
	}
	/* Blanks everywhere: "15-22" would be one name. */
	eg_join_tokens(g, out, size, 0);
}
