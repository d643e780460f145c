/*
 * parse.y: the grammar of pcap-filter(7) expressions.
 *
 * Takes: tokens from scan.l.  Gives: the AST (ast.h) in st->root, every
 * node with its byte range.  Actions only build nodes; qualifier
 * inheritance ("host a or b") is left to qualify.c, which reads the
 * `head` each `head id` records.
 *
 * The productions, precedences and associativities are libpcap 1.10's
 * (grammar.y), so that exactly the same strings parse and group the same
 * way.  Two facts of that grammar worth knowing:
 *  - `and` and `or` have equal precedence and associate to the left:
 *    "a or b and c" is "(a or b) and c";
 *  - '%' and '^' have no precedence at all, so bison's default (shift)
 *    decides: whatever follows them is their right operand
 *    ("1 % 2 + 3" is "1 % (2 + 3)", "1 * 2 ^ 3 * 4" is "1 * (2 ^ (3 * 4))"),
 *    and they bind tighter than an operator before them ("1 + 2 % 3" is
 *    "1 + (2 % 3)").  Those are among libpcap's expected conflicts.
 * Where libpcap's grammar lists keywords one by one (protocol names, host
 * net port portrange, addr1..ta, ATM and MTP names), this one has one
 * token per group with the keyword in its value: the same language, and
 * clearer "expected ..." messages.
 */

%require "3.6"
%define api.pure full
%define api.prefix {gram_}
%define api.token.prefix {TOK_}
%define api.location.type {struct ast_span}
%define parse.error custom
%define parse.lac full
%locations
%param {void *scanner}
%parse-param {struct gram_state *st}
%expect 38

%code requires {
#include "grammar/ast.h"
struct gram_state;
}

%code {
#include <string.h>

#include "grammar/internal.h"

int gram_lex(GRAM_STYPE *lval, GRAM_LTYPE *lloc, void *scanner);
static void gram_error(GRAM_LTYPE *loc, void *scanner, struct gram_state *st, const char *msg);

/* A node's range runs from its first symbol that has one (an empty
 * `pqual` takes no room) to its last; an empty rule sits where the
 * previous symbol ended. */
#define YYLLOC_DEFAULT(cur, rhs, n) gram_span(&(cur), (rhs), (n))

static void
gram_span(struct ast_span *cur, const struct ast_span *rhs, int n)
{
	for (int i = 1; i <= n; i++) {
		if (rhs[i].end > rhs[i].begin) {
			cur->begin = rhs[i].begin;
			cur->end = rhs[n].end;
			return;
		}
	}
	cur->begin = cur->end = rhs[n].end;
}

/* Every constructor may fail when the arena is exhausted. */
#define NEW(x)                                  \
	do {                                    \
		if (((x)) == NULL) {            \
			st->oom = 1;            \
			YYABORT;                \
		}                               \
	} while (0)

#define A (st->arena)

static struct ast_head *gram_head(struct gram_state *st, int proto, struct ast_span pat, int dir,
				  struct ast_span dat, int addr, struct ast_span aat,
				  struct ast_span at);
static struct ast_node *gram_other(struct gram_state *st, enum ast_kind kind, int proto,
				   struct ast_span pat, struct ast_value *arg,
				   struct ast_value *arg2, struct ast_span at);
static struct ast_value *gram_word(struct gram_state *st, struct ast_span at, const char *text);
static const char *gram_text(struct gram_state *st, struct ast_span at);
}

%initial-action {
	@$.begin = @$.end = 0;
}

%union {
	int code;
	struct ast_value *val;
	struct ast_node *node;
	struct ast_head *head;
}

%token END 0 "end of expression"
%token LEX_ERROR "invalid token"
%token DST "'dst'" SRC "'src'"
%token <code> PNAME "protocol name"
%token <code> AQUAL "address qualifier"
%token <code> WDIR "802.11 address qualifier"
%token GATEWAY "'gateway'" NETMASK "'mask'" PROTO "'proto'" PROTOCHAIN "'protochain'"
%token LESS "'less'" GREATER "'greater'" CBYTE "'byte'"
%token BROADCAST "'broadcast'" MULTICAST "'multicast'"
%token INBOUND "'inbound'" OUTBOUND "'outbound'" IFINDEX "'ifindex'"
%token PF_IFNAME "'ifname'" PF_RSET "'ruleset'" PF_RNR "'rulenum'" PF_SRNR "'subrulenum'"
%token PF_REASON "'reason'" PF_ACTION "'action'"
%token TYPE "'type'" SUBTYPE "'subtype'" DIR "'dir'"
%token GEQ "'>='" LEQ "'<='" NEQ "'!='" LSH "'<<'" RSH "'>>'"
%token <val> NUM "number" ID "name" EID "MAC address" HID "IPv4 address"
%token <val> HID6 "IPv6 address" AID "ARCnet address"
%token LEN "'len'"
%token VLAN "'vlan'" MPLS "'mpls'" PPPOED "'pppoed'" PPPOES "'pppoes'"
%token GENEVE "'geneve'" VXLAN "'vxlan'" LLC "'llc'"
%token <code> ATMTYPE "ATM type" ATMMULTI "ATM message type" ATMFIELD "ATM field"
%token <code> MTP2TYPE "MTP2 type" MTP3FIELD "MTP3 field"
%token AND "'and'" OR "'or'"

%type <node> expr term rterm id nid pid qid arth narth other pfvar p80211 pllc
%type <node> atmvalue mtp3value
%type <head> head
%type <code> pqual dqual aqual ndaqual pname relop irelop byteop
%type <code> atmtype atmmultitype atmfield mtp2type mtp3field
%type <val> pnum type subtype type_subtype dir reason action
%type <val> atmfieldvalue atmlistvalue mtp3fieldvalue mtp3listvalue

/* libpcap also declares `%left OR AND` and `%nonassoc '!'`, which
 * decide no conflict: the rules alone make and/or left-associative with
 * equal precedence and `not` bind tightest. */
%left '|'
%left '&'
%left LSH RSH
%left '+' '-'
%left '*' '/'
%precedence UMINUS

%%

prog:	  null expr		{ st->root = $2; }
	| null			{ NEW(st->root = ast_new(A, AST_EMPTY, @$)); }
	;
null:	  %empty
	;
expr:	  term
	| expr and term		{ NEW($$ = ast_binary(A, AST_AND, $1, $3, @$)); }
	| expr and id		{ NEW($$ = ast_binary(A, AST_AND, $1, $3, @$)); }
	| expr or term		{ NEW($$ = ast_binary(A, AST_OR, $1, $3, @$)); }
	| expr or id		{ NEW($$ = ast_binary(A, AST_OR, $1, $3, @$)); }
	;
and:	  AND
	;
or:	  OR
	;
id:	  nid
	| pnum			{ NEW($$ = ast_id_new(A, AST_ID_PLAIN, $1, NULL, @$)); }
	| paren pid ')'		{ $$ = $2; }
	;
nid:	  ID			{ NEW($$ = ast_id_new(A, AST_ID_PLAIN, $1, NULL, @$)); }
	| HID '/' NUM		{ NEW($$ = ast_id_new(A, AST_ID_NET_LEN, $1, $3, @$)); }
	| HID NETMASK HID	{ NEW($$ = ast_id_new(A, AST_ID_NET_MASK, $1, $3, @$)); }
	| HID			{ NEW($$ = ast_id_new(A, AST_ID_PLAIN, $1, NULL, @$)); }
	| HID6 '/' NUM		{ NEW($$ = ast_id_new(A, AST_ID_NET_LEN, $1, $3, @$)); }
	| HID6			{ NEW($$ = ast_id_new(A, AST_ID_PLAIN, $1, NULL, @$)); }
	| EID			{ NEW($$ = ast_id_new(A, AST_ID_PLAIN, $1, NULL, @$)); }
	| AID			{ NEW($$ = ast_id_new(A, AST_ID_PLAIN, $1, NULL, @$)); }
	| not id		{ NEW($$ = ast_unary(A, AST_NOT, $2, @$)); }
	;
not:	  '!'
	;
paren:	  '('
	;
pid:	  nid
	| qid and id		{ NEW($$ = ast_binary(A, AST_AND, $1, $3, @$)); }
	| qid or id		{ NEW($$ = ast_binary(A, AST_OR, $1, $3, @$)); }
	;
qid:	  pnum			{ NEW($$ = ast_id_new(A, AST_ID_PLAIN, $1, NULL, @$)); }
	| pid
	;
term:	  rterm
	| not term		{ NEW($$ = ast_unary(A, AST_NOT, $2, @$)); }
	;
head:	  pqual dqual aqual	{ NEW($$ = gram_head(st, $1, @1, $2, @2, $3, @3, @$)); }
	| pqual dqual		{ NEW($$ = gram_head(st, $1, @1, $2, @2, AST_ADDR_DEFAULT, @$, @$)); }
	| pqual aqual		{ NEW($$ = gram_head(st, $1, @1, AST_DIR_DEFAULT, @$, $2, @2, @$)); }
	| pqual PROTO		{ NEW($$ = gram_head(st, $1, @1, AST_DIR_DEFAULT, @$,
							  AST_ADDR_PROTO, @2, @$)); }
	| pqual PROTOCHAIN	{ NEW($$ = gram_head(st, $1, @1, AST_DIR_DEFAULT, @$,
							  AST_ADDR_PROTOCHAIN, @2, @$)); }
	| pqual ndaqual		{ NEW($$ = gram_head(st, $1, @1, AST_DIR_DEFAULT, @$, $2, @2, @$)); }
	;
rterm:	  head id		{ $$ = $2; $$->head = $1; $$->at = @$; }
	| paren expr ')'	{ NEW($$ = ast_unary(A, AST_GROUP, $2, @$)); }
	| pname			{ NEW($$ = gram_other(st, AST_PROTO, $1, @1, NULL, NULL, @$)); }
	| arth relop arth	{ NEW($$ = ast_binary(A, AST_REL, $1, $3, @$)); $$->u.rel.op = $2; }
	| arth irelop arth	{ NEW($$ = ast_binary(A, AST_REL, $1, $3, @$)); $$->u.rel.op = $2; }
	| other
	| atmtype		{ NEW($$ = ast_other_new(A, AST_ATM_TYPE, NULL, NULL, @$));
				  $$->u.other.kw = $1; }
	| atmmultitype		{ NEW($$ = ast_other_new(A, AST_ATM_MULTI, NULL, NULL, @$));
				  $$->u.other.kw = $1; }
	| atmfield atmvalue	{ $$ = $2; $$->kind = AST_ATM_FIELD; $$->u.other.kw = $1; $$->at = @$; }
	| mtp2type		{ NEW($$ = ast_other_new(A, AST_MTP2_TYPE, NULL, NULL, @$));
				  $$->u.other.kw = $1; }
	| mtp3field mtp3value	{ $$ = $2; $$->kind = AST_MTP3_FIELD; $$->u.other.kw = $1; $$->at = @$; }
	;
/* protocol level qualifiers */
pqual:	  pname
	| %empty		{ $$ = AST_PROTO_DEFAULT; }
	;
/* direction qualifiers */
dqual:	  SRC			{ $$ = AST_DIR_SRC; }
	| DST			{ $$ = AST_DIR_DST; }
	| SRC OR DST		{ $$ = AST_DIR_OR; }
	| DST OR SRC		{ $$ = AST_DIR_OR; }
	| SRC AND DST		{ $$ = AST_DIR_AND; }
	| DST AND SRC		{ $$ = AST_DIR_AND; }
	| WDIR
	;
/* address type qualifiers: host net port portrange */
aqual:	  AQUAL
	;
/* non-directional address type qualifiers */
ndaqual:  GATEWAY		{ $$ = AST_ADDR_GATEWAY; }
	;
pname:	  PNAME
	;
other:	  pqual BROADCAST	{ NEW($$ = gram_other(st, AST_BROADCAST, $1, @1, NULL, NULL, @$)); }
	| pqual MULTICAST	{ NEW($$ = gram_other(st, AST_MULTICAST, $1, @1, NULL, NULL, @$)); }
	| LESS NUM		{ NEW($$ = ast_other_new(A, AST_LESS, $2, NULL, @$)); }
	| GREATER NUM		{ NEW($$ = ast_other_new(A, AST_GREATER, $2, NULL, @$)); }
	| CBYTE NUM byteop NUM	{ NEW($$ = ast_other_new(A, AST_BYTE, $2, $4, @$));
				  $$->u.other.byteop = (char)$3; }
	| INBOUND		{ NEW($$ = ast_other_new(A, AST_INBOUND, NULL, NULL, @$)); }
	| OUTBOUND		{ NEW($$ = ast_other_new(A, AST_OUTBOUND, NULL, NULL, @$)); }
	| IFINDEX NUM		{ NEW($$ = ast_other_new(A, AST_IFINDEX, $2, NULL, @$)); }
	| VLAN pnum		{ NEW($$ = ast_other_new(A, AST_VLAN, $2, NULL, @$)); }
	| VLAN			{ NEW($$ = ast_other_new(A, AST_VLAN, NULL, NULL, @$)); }
	| MPLS pnum		{ NEW($$ = ast_other_new(A, AST_MPLS, $2, NULL, @$)); }
	| MPLS			{ NEW($$ = ast_other_new(A, AST_MPLS, NULL, NULL, @$)); }
	| PPPOED		{ NEW($$ = ast_other_new(A, AST_PPPOED, NULL, NULL, @$)); }
	| PPPOES pnum		{ NEW($$ = ast_other_new(A, AST_PPPOES, $2, NULL, @$)); }
	| PPPOES		{ NEW($$ = ast_other_new(A, AST_PPPOES, NULL, NULL, @$)); }
	| GENEVE pnum		{ NEW($$ = ast_other_new(A, AST_GENEVE, $2, NULL, @$)); }
	| GENEVE		{ NEW($$ = ast_other_new(A, AST_GENEVE, NULL, NULL, @$)); }
	| VXLAN pnum		{ NEW($$ = ast_other_new(A, AST_VXLAN, $2, NULL, @$)); }
	| VXLAN			{ NEW($$ = ast_other_new(A, AST_VXLAN, NULL, NULL, @$)); }
	| pfvar
	| pqual p80211		{ $$ = $2; $$->u.other.proto = (enum ast_proto)$1;
				  $$->u.other.proto_at = @1; $$->at = @$;
				  NEW($$->u.other.proto_text = gram_text(st, @1)); }
	| pllc
	;
pfvar:	  PF_IFNAME ID		{ NEW($$ = ast_other_new(A, AST_PF_IFNAME, $2, NULL, @$)); }
	| PF_RSET ID		{ NEW($$ = ast_other_new(A, AST_PF_RSET, $2, NULL, @$)); }
	| PF_RNR NUM		{ NEW($$ = ast_other_new(A, AST_PF_RNR, $2, NULL, @$)); }
	| PF_SRNR NUM		{ NEW($$ = ast_other_new(A, AST_PF_SRNR, $2, NULL, @$)); }
	| PF_REASON reason	{ NEW($$ = ast_other_new(A, AST_PF_REASON, $2, NULL, @$)); }
	| PF_ACTION action	{ NEW($$ = ast_other_new(A, AST_PF_ACTION, $2, NULL, @$)); }
	;
p80211:	  TYPE type SUBTYPE subtype
				{ NEW($$ = ast_other_new(A, AST_WLAN_TYPE, $2, $4, @$)); }
	| TYPE type		{ NEW($$ = ast_other_new(A, AST_WLAN_TYPE, $2, NULL, @$)); }
	| SUBTYPE type_subtype	{ NEW($$ = ast_other_new(A, AST_WLAN_SUBTYPE, $2, NULL, @$)); }
	| DIR dir		{ NEW($$ = ast_other_new(A, AST_WLAN_DIR, $2, NULL, @$)); }
	;
type:	  NUM | ID ;
subtype:  NUM | ID ;
type_subtype: ID ;
dir:	  NUM | ID ;
/* "rnr" is a pf keyword, so `llc rnr` arrives as PF_RNR; so does
 * `llc rulenum`, which libpcap also takes as rnr. */
pllc:	  LLC			{ NEW($$ = ast_other_new(A, AST_LLC, NULL, NULL, @$)); }
	| LLC ID		{ NEW($$ = ast_other_new(A, AST_LLC, $2, NULL, @$)); }
	| LLC PF_RNR		{ struct ast_value *v;
				  NEW(v = gram_word(st, @2, "rnr"));
				  NEW($$ = ast_other_new(A, AST_LLC, v, NULL, @$)); }
	;
reason:	  NUM | ID ;
action:	  ID ;
relop:	  '>'			{ $$ = AST_GT; }
	| GEQ			{ $$ = AST_GE; }
	| '='			{ $$ = AST_EQ; }
	;
irelop:	  LEQ			{ $$ = AST_LE; }
	| '<'			{ $$ = AST_LT; }
	| NEQ			{ $$ = AST_NE; }
	;
arth:	  pnum			{ NEW($$ = ast_new(A, AST_NUM, @$)); $$->u.num = $1; }
	| narth
	;
narth:	  pname '[' arth ']'	{ NEW($$ = gram_other(st, AST_LOAD, $1, @1, NULL, NULL, @$));
				  $$->u.load.index = $3; }
	| pname '[' arth ':' NUM ']'
				{ NEW($$ = gram_other(st, AST_LOAD, $1, @1, NULL, NULL, @$));
				  $$->u.load.index = $3; $$->u.load.size = $5; }
	| arth '+' arth		{ NEW($$ = ast_arith_new(A, AST_ADD, $1, $3, @$)); }
	| arth '-' arth		{ NEW($$ = ast_arith_new(A, AST_SUB, $1, $3, @$)); }
	| arth '*' arth		{ NEW($$ = ast_arith_new(A, AST_MUL, $1, $3, @$)); }
	| arth '/' arth		{ NEW($$ = ast_arith_new(A, AST_DIV, $1, $3, @$)); }
	| arth '%' arth		{ NEW($$ = ast_arith_new(A, AST_MOD, $1, $3, @$)); }
	| arth '&' arth		{ NEW($$ = ast_arith_new(A, AST_AND_OP, $1, $3, @$)); }
	| arth '|' arth		{ NEW($$ = ast_arith_new(A, AST_OR_OP, $1, $3, @$)); }
	| arth '^' arth		{ NEW($$ = ast_arith_new(A, AST_XOR, $1, $3, @$)); }
	| arth LSH arth		{ NEW($$ = ast_arith_new(A, AST_LSH, $1, $3, @$)); }
	| arth RSH arth		{ NEW($$ = ast_arith_new(A, AST_RSH, $1, $3, @$)); }
	| '-' arth %prec UMINUS	{ NEW($$ = ast_unary(A, AST_NEG, $2, @$)); }
	| paren narth ')'	{ $$ = $2; }
	| LEN			{ NEW($$ = ast_new(A, AST_LEN, @$)); }
	;
byteop:	  '&'			{ $$ = '&'; }
	| '|'			{ $$ = '|'; }
	| '<'			{ $$ = '<'; }
	| '>'			{ $$ = '>'; }
	| '='			{ $$ = '='; }
	;
pnum:	  NUM
	| paren pnum ')'	{ $$ = $2; }
	;
atmtype:  ATMTYPE ;
atmmultitype: ATMMULTI ;
atmfield: ATMFIELD ;
atmvalue: atmfieldvalue		{ NEW($$ = ast_other_new(A, AST_ATM_FIELD, $1, NULL, @$));
				  $$->u.other.op = AST_EQ; }
	| relop NUM		{ NEW($$ = ast_other_new(A, AST_ATM_FIELD, $2, NULL, @$));
				  $$->u.other.op = $1; }
	| irelop NUM		{ NEW($$ = ast_other_new(A, AST_ATM_FIELD, $2, NULL, @$));
				  $$->u.other.op = $1; }
	| paren atmlistvalue ')' { NEW($$ = ast_other_new(A, AST_ATM_FIELD, $2, NULL, @$));
				  $$->u.other.op = AST_EQ; }
	;
atmfieldvalue: NUM ;
/* Values are kept in the order written; qualify.c reverses nothing. */
atmlistvalue: atmfieldvalue
	| atmlistvalue or atmfieldvalue	{ struct ast_value *v = $1;
					  while (v->next != NULL)
						v = v->next;
					  v->next = $3; $$ = $1; }
	;
mtp2type: MTP2TYPE ;
mtp3field: MTP3FIELD ;
mtp3value: mtp3fieldvalue	{ NEW($$ = ast_other_new(A, AST_MTP3_FIELD, $1, NULL, @$));
				  $$->u.other.op = AST_EQ; }
	| relop NUM		{ NEW($$ = ast_other_new(A, AST_MTP3_FIELD, $2, NULL, @$));
				  $$->u.other.op = $1; }
	| irelop NUM		{ NEW($$ = ast_other_new(A, AST_MTP3_FIELD, $2, NULL, @$));
				  $$->u.other.op = $1; }
	| paren mtp3listvalue ')' { NEW($$ = ast_other_new(A, AST_MTP3_FIELD, $2, NULL, @$));
				  $$->u.other.op = AST_EQ; }
	;
mtp3fieldvalue: NUM ;
mtp3listvalue: mtp3fieldvalue
	| mtp3listvalue or mtp3fieldvalue { struct ast_value *v = $1;
					  while (v->next != NULL)
						v = v->next;
					  v->next = $3; $$ = $1; }
	;

%%

/* The input bytes of a span as a string ("" costs nothing). */
static const char *
gram_text(struct gram_state *st, struct ast_span at)
{
	if (at.end == at.begin)
		return "";
	return arena_strndup(st->arena, st->text + at.begin, at.end - at.begin);
}

static struct ast_head *
gram_head(struct gram_state *st, int proto, struct ast_span pat, int dir, struct ast_span dat,
	  int addr, struct ast_span aat, struct ast_span at)
{
	struct ast_head *h = arena_alloc(st->arena, sizeof(*h));

	if (h == NULL)
		return NULL;
	/* A qualifier not written gets an empty span where the head starts. */
	struct ast_span none = {at.begin, at.begin};
	h->proto = (enum ast_proto)proto;
	h->dir = (enum ast_dir)dir;
	h->addr = (enum ast_addr)addr;
	h->at = at;
	h->proto_at = proto == AST_PROTO_DEFAULT ? none : pat;
	h->dir_at = dir == AST_DIR_DEFAULT ? none : dat;
	h->addr_at = addr == AST_ADDR_DEFAULT ? none : aat;
	h->proto_text = gram_text(st, h->proto_at);
	return h->proto_text != NULL ? h : NULL;
}

/* PROTO, BROADCAST, MULTICAST and LOAD: a node with a protocol qualifier. */
static struct ast_node *
gram_other(struct gram_state *st, enum ast_kind kind, int proto, struct ast_span pat,
	   struct ast_value *arg, struct ast_value *arg2, struct ast_span at)
{
	struct ast_node *n = ast_other_new(st->arena, kind, arg, arg2, at);
	const char *text;

	if (n == NULL)
		return NULL;
	if (proto == AST_PROTO_DEFAULT)
		pat.end = pat.begin;
	text = gram_text(st, pat);
	if (text == NULL)
		return NULL;
	if (kind == AST_LOAD) {
		n->u.load.proto = (enum ast_proto)proto;
		n->u.load.proto_at = pat;
		n->u.load.proto_text = text;
		n->u.load.size = NULL;
	} else {
		n->u.other.proto = (enum ast_proto)proto;
		n->u.other.proto_at = pat;
		n->u.other.proto_text = text;
	}
	return n;
}

/* A NAME value for a keyword that stands for a name (llc rnr). */
static struct ast_value *
gram_word(struct gram_state *st, struct ast_span at, const char *text)
{
	struct ast_value *v = arena_alloc(st->arena, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->kind = AST_V_NAME;
	v->at = at;
	v->text = text;
	return v;
}

/* Bison's own messages: only "memory exhausted" reaches here (syntax
 * errors go to yyreport_syntax_error). */
static void
gram_error(GRAM_LTYPE *loc, void *scanner, struct gram_state *st, const char *msg)
{
	(void)scanner;
	if (st->oom)
		gram_fail(st, BPFC_ENOMEM, loc->begin, loc->end, "out of memory");
	else
		gram_fail(st, BPFC_ERANGE, loc->begin, loc->end,
			  "expression nested too deeply (%s)", msg);
}

/* Sort what the parser expected into the classes syntax.c words.  Char
 * tokens have no fixed symbol number, hence YYTRANSLATE. */
static unsigned
gram_classify(yysymbol_kind_t k)
{
	static const char arith[] = "+-*/%&|^";
	static const char rel[] = "<>=";

	switch (k) {
	case YYSYMBOL_YYEOF: return GX_END;
	case YYSYMBOL_AND: case YYSYMBOL_OR: return GX_LOGIC;
	case YYSYMBOL_PNAME: return GX_PROTO;
	case YYSYMBOL_SRC: case YYSYMBOL_DST: case YYSYMBOL_WDIR: case YYSYMBOL_AQUAL:
	case YYSYMBOL_GATEWAY: case YYSYMBOL_PROTO: case YYSYMBOL_PROTOCHAIN:
		return GX_QUAL;
	case YYSYMBOL_GEQ: case YYSYMBOL_LEQ: case YYSYMBOL_NEQ: return GX_RELOP;
	case YYSYMBOL_LSH: case YYSYMBOL_RSH: return GX_ARITH;
	case YYSYMBOL_NUM: return GX_NUM;
	case YYSYMBOL_ID: return GX_NAME;
	case YYSYMBOL_HID: case YYSYMBOL_HID6: case YYSYMBOL_EID: case YYSYMBOL_AID:
		return GX_ADDR;
	case YYSYMBOL_LESS: case YYSYMBOL_GREATER: case YYSYMBOL_CBYTE:
	case YYSYMBOL_INBOUND: case YYSYMBOL_OUTBOUND: case YYSYMBOL_IFINDEX:
	case YYSYMBOL_PF_IFNAME: case YYSYMBOL_PF_RSET: case YYSYMBOL_PF_RNR:
	case YYSYMBOL_PF_SRNR: case YYSYMBOL_PF_REASON: case YYSYMBOL_PF_ACTION:
	case YYSYMBOL_VLAN: case YYSYMBOL_MPLS: case YYSYMBOL_PPPOED:
	case YYSYMBOL_PPPOES: case YYSYMBOL_GENEVE: case YYSYMBOL_VXLAN: case YYSYMBOL_LLC:
	case YYSYMBOL_ATMTYPE: case YYSYMBOL_ATMMULTI: case YYSYMBOL_ATMFIELD:
	case YYSYMBOL_MTP2TYPE: case YYSYMBOL_MTP3FIELD: case YYSYMBOL_BROADCAST:
	case YYSYMBOL_MULTICAST: case YYSYMBOL_TYPE: case YYSYMBOL_SUBTYPE: case YYSYMBOL_DIR:
		return GX_START;
	case YYSYMBOL_LEN: /* starts a primitive, and is an arithmetic operand */
		return GX_LEN | GX_START;
	default:
		break;
	}
	if (k == YYTRANSLATE((unsigned char)')'))
		return GX_CLOSE;
	if (k == YYTRANSLATE((unsigned char)'('))
		return GX_PAREN;
	if (k == YYTRANSLATE((unsigned char)'!'))
		return GX_NOT;
	for (const char *c = arith; *c != '\0'; c++)
		if (k == YYTRANSLATE((unsigned char)*c))
			return GX_ARITH;
	for (const char *c = rel; *c != '\0'; c++)
		if (k == YYTRANSLATE((unsigned char)*c))
			return GX_RELOP;
	return 0;
}

static int
yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct gram_state *st)
{
	yysymbol_kind_t expected[YYNTOKENS];
	int n = yypcontext_expected_tokens(ctx, expected, YYNTOKENS);
	struct gram_expect x;

	(void)scanner;
	memset(&x, 0, sizeof(x));
	x.at = *yypcontext_location(ctx);
	x.tok = st->cur_tok;
	/* With few choices, operators read better by name ('/' after an
	 * address, the operators of `byte`). */
	for (int i = 0; i < n; i++) {
		unsigned c = gram_classify(expected[i]);
		if (c == 0 || ((c == GX_ARITH || c == GX_RELOP) && n <= 6)) {
			if (x.nnames < GX_MAXNAMES)
				x.names[x.nnames++] = yysymbol_name(expected[i]);
		} else {
			x.mask |= c;
		}
	}
	gram_syntax_error(st, &x);
	return 0;
}
