/*
 * ast.h: the syntax tree of a pcap-filter(7) expression.
 *
 * Takes: nothing; grammar/ builds these nodes, codegen/ reads them.
 * Gives: node and value types, the qualifier enums, constructors (used by
 * the parser only) and ast_dump() for `bpfc --dump=ast`.
 *
 * Invariants of a tree returned by parse_filter():
 *  - every node and every literal carries its byte range [begin, end) in
 *    the input text;
 *  - AST_GROUP never appears (term parentheses only matter for qualifier
 *    inheritance and are removed once that is resolved);
 *  - every AST_ID has its effective qualifiers in u.id.q (never NULL),
 *    whether they were written before it or inherited ("host a or b");
 *  - nothing has been looked up or range-checked: names are text, numbers
 *    are 32-bit values with the text they were written as.  Whether a
 *    primitive makes sense (port 99999, ip6 broadcast, an unknown 802.11
 *    subtype name) is for the code generator to say.
 * All memory comes from the arena passed to parse_filter().
 */
#ifndef BPFC_GRAMMAR_AST_H
#define BPFC_GRAMMAR_AST_H

#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

/* A byte range [begin, end) of the input; empty when begin == end. */
struct ast_span {
	uint32_t begin, end;
};

/*
 * Protocol qualifiers, the `pname` of libpcap's grammar.  The names are
 * the canonical keywords; aliases (ether, ppp, slip, fddi, tr, wlan for
 * link; es-is; is-is) are in ast.c.  DEFAULT: none written.
 */
#define AST_PROTOS(X)                                                          \
	X(DEFAULT, "")                                                         \
	X(LINK, "link") X(IP, "ip") X(ARP, "arp") X(RARP, "rarp")              \
	X(SCTP, "sctp") X(TCP, "tcp") X(UDP, "udp") X(ICMP, "icmp")            \
	X(IGMP, "igmp") X(IGRP, "igrp") X(PIM, "pim") X(VRRP, "vrrp")          \
	X(CARP, "carp") X(ATALK, "atalk") X(AARP, "aarp") X(DECNET, "decnet")  \
	X(LAT, "lat") X(SCA, "sca") X(MOPRC, "moprc") X(MOPDL, "mopdl")        \
	X(IP6, "ip6") X(ICMP6, "icmp6") X(AH, "ah") X(ESP, "esp")              \
	X(ISO, "iso") X(ESIS, "esis") X(ISIS, "isis") X(ISIS_L1, "l1")         \
	X(ISIS_L2, "l2") X(ISIS_IIH, "iih") X(ISIS_LSP, "lsp")                 \
	X(ISIS_SNP, "snp") X(ISIS_CSNP, "csnp") X(ISIS_PSNP, "psnp")           \
	X(CLNP, "clnp") X(STP, "stp") X(IPX, "ipx") X(NETBEUI, "netbeui")      \
	X(RADIO, "radio")

enum ast_proto {
#define AST_X(id, name) AST_PROTO_##id,
	AST_PROTOS(AST_X)
#undef AST_X
	AST_PROTO_COUNT
};

/* Direction qualifiers (`dqual`).  OR is "src or dst", AND "src and dst". */
#define AST_DIRS(X)                                                            \
	X(DEFAULT, "") X(SRC, "src") X(DST, "dst") X(OR, "src or dst")        \
	X(AND, "src and dst") X(ADDR1, "addr1") X(ADDR2, "addr2")              \
	X(ADDR3, "addr3") X(ADDR4, "addr4") X(RA, "ra") X(TA, "ta")

enum ast_dir {
#define AST_X(id, name) AST_DIR_##id,
	AST_DIRS(AST_X)
#undef AST_X
	AST_DIR_COUNT
};

/* Address-type qualifiers (`aqual`, `ndaqual`, PROTO, PROTOCHAIN). */
#define AST_ADDRS(X)                                                           \
	X(DEFAULT, "") X(HOST, "host") X(NET, "net") X(PORT, "port")           \
	X(PORTRANGE, "portrange") X(GATEWAY, "gateway") X(PROTO, "proto")      \
	X(PROTOCHAIN, "protochain")

enum ast_addr {
#define AST_X(id, name) AST_ADDR_##id,
	AST_ADDRS(AST_X)
#undef AST_X
	AST_ADDR_COUNT
};

/*
 * Keywords that name a fixed thing inside an "other" primitive: ATM cell
 * types (atmtype, atmmultitype), ATM fields, MTP2 types, MTP3 fields.
 */
#define AST_KWS(X)                                                             \
	X(NONE, "")                                                            \
	X(LANE, "lane") X(METAC, "metac") X(BCC, "bcc") X(OAMF4EC, "oamf4ec")  \
	X(OAMF4SC, "oamf4sc") X(SC, "sc") X(ILMIC, "ilmic")                    \
	X(OAM, "oam") X(OAMF4, "oamf4") X(CONNECTMSG, "connectmsg")            \
	X(METACONNECT, "metaconnect")                                          \
	X(VPI, "vpi") X(VCI, "vci")                                            \
	X(FISU, "fisu") X(LSSU, "lssu") X(MSU, "msu") X(HFISU, "hfisu")        \
	X(HLSSU, "hlssu") X(HMSU, "hmsu")                                      \
	X(SIO, "sio") X(OPC, "opc") X(DPC, "dpc") X(SLS, "sls")                \
	X(HSIO, "hsio") X(HOPC, "hopc") X(HDPC, "hdpc") X(HSLS, "hsls")

enum ast_kw {
#define AST_X(id, name) AST_KW_##id,
	AST_KWS(AST_X)
#undef AST_X
	AST_KW_COUNT
};

/* Comparisons: relop (> >= =) and irelop (<= < !=); `==` is `=`. */
enum ast_relop { AST_GT, AST_GE, AST_EQ, AST_LE, AST_LT, AST_NE };

/* Binary arithmetic operators, as in BPF_ALU. */
enum ast_arith {
	AST_ADD, AST_SUB, AST_MUL, AST_DIV, AST_MOD,
	AST_AND_OP, AST_OR_OP, AST_XOR, AST_LSH, AST_RSH
};

/* A literal as the scanner read it. */
enum ast_value_kind {
	AST_V_NUM,    /* NUM: decimal, 0x hex, 0-prefixed octal, or a named constant */
	AST_V_NAME,   /* ID: a host, service, protocol or other name */
	AST_V_IPV4,   /* HID: 2 to 4 dotted parts (one part is a NUM) */
	AST_V_IPV6,   /* HID6 */
	AST_V_MAC,    /* EID: 48-bit MAC in any of libpcap's spellings */
	AST_V_ARCNET  /* AID: $xx */
};

struct ast_value {
	enum ast_value_kind kind;
	struct ast_span at;
	uint8_t nparts;     /* IPV4: how many dotted parts (2-4) */
	uint8_t valid;      /* IPV4: every part decimal and <= 255 */
	uint8_t escaped;    /* NAME: written with a leading backslash (\ip) */
	uint8_t named;      /* NUM: a named constant such as tcp-syn or icmp-echo */
	const char *text;   /* as written, NUL-terminated; a NAME without its backslash */
	union {
		uint32_t num;       /* NUM: the value; IPV4: the address (when valid); ARCNET: the byte */
		uint8_t bytes[16];  /* IPV6: the address; MAC: the first 6 bytes */
	};
	struct ast_value *next; /* the next value of a list (ATM and MTP3 fields) */
};

/*
 * The qualifiers written before an id: `[proto] [dir] [addr]`.  Fields not
 * written are DEFAULT with an empty span at the head's position.  Shared by
 * every id that uses them, whether written there or inherited.
 */
struct ast_head {
	enum ast_proto proto;
	enum ast_dir dir;
	enum ast_addr addr;
	struct ast_span at, proto_at, dir_at, addr_at;
	const char *proto_text; /* the keyword written ("ether"), or "" */
};

/* How an id is written. */
enum ast_id_form {
	AST_ID_PLAIN,    /* a NUM, NAME, IPV4, IPV6, MAC or ARCNET value */
	AST_ID_NET_LEN,  /* IPV4 or IPV6 '/' NUM (mask is the NUM) */
	AST_ID_NET_MASK  /* IPV4 'mask' IPV4 */
};

struct ast_id {
	const struct ast_head *q;     /* effective qualifiers (after qualify) */
	const struct ast_node *from;  /* elided: the id whose qualifiers it took */
	int elided;                   /* no qualifiers written for it */
	enum ast_id_form form;
	struct ast_value *addr;
	struct ast_value *mask;       /* NET_LEN: the prefix length; NET_MASK: the mask */
};

/* Everything the "other" primitives carry; which fields mean what is
 * listed with each kind below. */
struct ast_other {
	enum ast_proto proto;    /* the protocol written before it, or DEFAULT */
	struct ast_span proto_at;
	const char *proto_text;
	enum ast_kw kw;          /* which ATM type, ATM field, MTP2 type, MTP3 field */
	enum ast_relop op;       /* ATM_FIELD, MTP3_FIELD: the comparison */
	char byteop;             /* BYTE: one of & | < > = */
	struct ast_value *arg;   /* first operand, or NULL when not written */
	struct ast_value *arg2;  /* second operand, or NULL */
};

/*
 * Node kinds, with the dump name.  The comment says which fields a kind
 * uses and which production of libpcap's grammar (or pcap-filter(7)
 * primitive) it stands for.
 */
#define AST_KINDS(X)                                                                   \
	X(EMPTY, "empty")           /* "" or blanks: accept every packet */            \
	X(AND, "and")               /* bin: and, && */                                 \
	X(OR, "or")                 /* bin: or, || */                                  \
	X(NOT, "not")               /* operand: not, ! */                              \
	X(GROUP, "group")           /* operand: ( expr ), parse time only */           \
	X(ID, "id")                 /* id: [proto] [dir] [addr] id */                  \
	X(PROTO, "proto")           /* other.proto: a bare protocol, `tcp` */          \
	X(REL, "rel")               /* rel: arth relop arth */                         \
	X(NUM, "num")               /* num: a number in an arithmetic expression */    \
	X(LEN, "len")               /* len, length */                                  \
	X(LOAD, "load")             /* load: proto [ arth ] and proto [ arth : size ] */ \
	X(BINOP, "binop")           /* arith: arth op arth */                          \
	X(NEG, "neg")               /* operand: - arth */                              \
	X(BROADCAST, "broadcast")   /* other.proto: [proto] broadcast */               \
	X(MULTICAST, "multicast")   /* other.proto: [proto] multicast */               \
	X(LESS, "less")             /* other.arg: less NUM */                          \
	X(GREATER, "greater")       /* other.arg: greater NUM */                       \
	X(BYTE, "byte")             /* other.arg byteop arg2: byte NUM op NUM */       \
	X(INBOUND, "inbound")                                                          \
	X(OUTBOUND, "outbound")                                                        \
	X(IFINDEX, "ifindex")       /* other.arg: ifindex NUM */                       \
	X(VLAN, "vlan")             /* other.arg (optional): vlan [NUM] */             \
	X(MPLS, "mpls")             /* other.arg (optional): mpls [NUM] */             \
	X(PPPOED, "pppoed")                                                            \
	X(PPPOES, "pppoes")         /* other.arg (optional): pppoes [NUM] */           \
	X(GENEVE, "geneve")         /* other.arg (optional): geneve [NUM] */           \
	X(VXLAN, "vxlan")           /* other.arg (optional): vxlan [NUM], libpcap > 1.10 */ \
	X(PF_IFNAME, "pf-ifname")   /* other.arg NAME: on/ifname NAME */               \
	X(PF_RSET, "pf-ruleset")    /* other.arg NAME: rset/ruleset NAME */            \
	X(PF_RNR, "pf-rulenum")     /* other.arg NUM: rnr/rulenum NUM */               \
	X(PF_SRNR, "pf-subrulenum") /* other.arg NUM: srnr/subrulenum NUM */           \
	X(PF_REASON, "pf-reason")   /* other.arg NUM or NAME: reason X */              \
	X(PF_ACTION, "pf-action")   /* other.arg NAME: action NAME */                  \
	X(WLAN_TYPE, "wlan-type")   /* other.proto, arg, arg2 (optional): type T [subtype S] */ \
	X(WLAN_SUBTYPE, "wlan-subtype") /* other.proto, arg NAME: subtype NAME */      \
	X(WLAN_DIR, "wlan-dir")     /* other.proto, arg NUM or NAME: dir X */          \
	X(LLC, "llc")               /* other.arg NAME (optional): llc [NAME] */        \
	X(ATM_TYPE, "atm-type")     /* other.kw: lane metac bcc oamf4ec oamf4sc sc ilmic */ \
	X(ATM_MULTI, "atm-multi")   /* other.kw: oam oamf4 connectmsg metaconnect */   \
	X(ATM_FIELD, "atm-field")   /* other.kw, op, arg list: vpi/vci [relop] NUM, vpi (a or b) */ \
	X(MTP2_TYPE, "mtp2-type")   /* other.kw: fisu lssu msu hfisu hlssu hmsu */     \
	X(MTP3_FIELD, "mtp3-field") /* other.kw, op, arg list: sio opc dpc sls (+h) */

enum ast_kind {
#define AST_X(id, name) AST_##id,
	AST_KINDS(AST_X)
#undef AST_X
	AST_KIND_COUNT
};

struct ast_node {
	enum ast_kind kind;
	struct ast_span at;
	union {
		struct {
			struct ast_node *l, *r;
		} bin;                       /* AND OR */
		struct ast_node *operand;    /* NOT GROUP NEG */
		struct ast_id id;            /* ID */
		struct {
			enum ast_relop op;
			struct ast_node *l, *r;
		} rel;                       /* REL */
		struct {
			enum ast_arith op;
			struct ast_node *l, *r;
		} arith;                     /* BINOP */
		struct ast_value *num;       /* NUM */
		struct {
			enum ast_proto proto;
			struct ast_span proto_at;
			const char *proto_text;
			struct ast_node *index;
			struct ast_value *size;  /* NULL when not written (1 byte) */
		} load;                      /* LOAD */
		struct ast_other other;      /* PROTO and every kind from BROADCAST on */
	} u;
	/* Parse time only: the qualifiers written before the id subtree
	 * rooted here (`head id`).  Read by qualify.c. */
	const struct ast_head *head;
};

/* ---- names (ast.c) ---- */

const char *ast_kind_name(enum ast_kind k);
const char *ast_proto_name(enum ast_proto p);
const char *ast_dir_name(enum ast_dir d);
const char *ast_addr_name(enum ast_addr a);
const char *ast_kw_name(enum ast_kw k);
const char *ast_relop_name(enum ast_relop op);
const char *ast_arith_name(enum ast_arith op);

/* Keyword text to value (exact, case-sensitive, as libpcap's scanner);
 * -1 when `s` is not one.  Aliases included (ether -> LINK). */
int ast_proto_lookup(const char *s, size_t n);
int ast_dir_lookup(const char *s, size_t n);   /* addr1..addr4, address1..4, ra, ta */
int ast_addr_lookup(const char *s, size_t n);  /* host net port portrange */
int ast_kw_lookup(const char *s, size_t n);

/* ---- constructors (ast.c): NULL when the arena is exhausted ---- */

struct arena;

struct ast_node *ast_new(struct arena *a, enum ast_kind kind, struct ast_span at);
struct ast_node *ast_binary(struct arena *a, enum ast_kind kind, struct ast_node *l,
			    struct ast_node *r, struct ast_span at);
struct ast_node *ast_unary(struct arena *a, enum ast_kind kind, struct ast_node *operand,
			   struct ast_span at);
struct ast_node *ast_id_new(struct arena *a, enum ast_id_form form, struct ast_value *addr,
			    struct ast_value *mask, struct ast_span at);
struct ast_node *ast_arith_new(struct arena *a, enum ast_arith op, struct ast_node *l,
			       struct ast_node *r, struct ast_span at);
struct ast_node *ast_other_new(struct arena *a, enum ast_kind kind, struct ast_value *arg,
			       struct ast_value *arg2, struct ast_span at);

/* ---- dumping (ast.c) ---- */

enum {
	AST_DUMP_SPANS = 1 /* print [begin,end) after each node's name */
};

/*
 * Append a readable, indented s-expression of the tree: and/or/not on
 * lines of their own (a left-nested chain of one operator printed as one
 * n-ary node), every primitive on one line.  Ends with a newline.
 */
void ast_dump(struct strbuf *out, const struct ast_node *n, unsigned flags);

#endif
