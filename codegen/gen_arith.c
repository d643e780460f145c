/*
 * gen_arith.c: arithmetic relations, `proto[expr:size]` loads and `len`.
 *
 * Takes: `arth relop arth`.  Gives: IR in libpcap 1.10's shape, which
 * decides its verdict on short packets: first every guard of every load
 * (the protocol the load is relative to must be present, left operand
 * before right, an index's guards before its load's), then one
 * straight-line block computing both sides, then the comparison (of an
 * arithmetic operator's operands only the left one's guards count: libpcap
 * 1.10 drops the right one's, up to its newest release).  Any load
 * past the captured bytes ends the program with 0, whatever `not`s
 * surround the relation, exactly as libpcap's code does.
 *
 * Compile-time errors follow libpcap: a divisor or shift count whose first
 * instruction loads the constant 0 (or more than 31 for shifts) is refused
 * even when the operand is a larger expression (`len / (0 + len)`).
 */
#include <config.h>

#include "codegen/gen_int.h"

#define GEN_MAX_SCRATCH 16u

static const uint16_t gen_alu_op[] = {
	[AST_ADD] = CBPF_ADD, [AST_SUB] = CBPF_SUB, [AST_MUL] = CBPF_MUL,
	[AST_DIV] = CBPF_DIV, [AST_MOD] = CBPF_MOD, [AST_AND_OP] = CBPF_AND,
	[AST_OR_OP] = CBPF_OR, [AST_XOR] = CBPF_XOR, [AST_LSH] = CBPF_LSH,
	[AST_RSH] = CBPF_RSH,
};

/* The first instruction libpcap emits for an operand: its leftmost leaf. */
static const struct ast_node *
gen_first_leaf(const struct ast_node *n)
{
	for (;;) {
		if (n->kind == AST_BINOP)
			n = n->u.arith.l;
		else if (n->kind == AST_NEG)
			n = n->u.operand;
		else if (n->kind == AST_LOAD)
			n = n->u.load.index;
		else
			return n;
	}
}

static uint16_t
gen_load_size(struct gen *g, const struct ast_node *n)
{
	const struct ast_value *sz = n->u.load.size;

	if (sz == NULL || sz->num == 1)
		return CBPF_B;
	if (sz->num == 2)
		return CBPF_H;
	if (sz->num == 4)
		return CBPF_W;
	gen_fail(g, BPFC_ESEMANTIC, sz->at, "data size must be 1, 2, or 4");
	return 0xffff;
}

/* Check what can be refused before any code: sizes, protocols, constant
 * divisors and shifts. */
static int
gen_arith_check(struct gen *g, const struct ast_node *n)
{
	const struct ast_node *leaf;
	const struct proto_info *pi;

	switch (n->kind) {
	case AST_NUM:
	case AST_LEN:
		return 0;
	case AST_NEG:
		return gen_arith_check(g, n->u.operand);
	case AST_LOAD:
		pi = proto_info(n->u.load.proto);
		if (pi->load == PROTO_L_NONE || pi->load == PROTO_L_NOT_YET) {
			if (pi->test == PROTO_T_NONE || pi->load == PROTO_L_NOT_YET)
				return gen_fail(g, BPFC_EUNSUPPORTED, n->u.load.proto_at,
						"'%s[...]' is not supported yet",
						gen_proto_text(n->u.load.proto,
							       n->u.load.proto_text)), -1;
			return gen_fail(g, BPFC_ESEMANTIC, n->at, "unsupported index operation"), -1;
		}
		if (gen_load_size(g, n) == 0xffff)
			return -1;
		return gen_arith_check(g, n->u.load.index);
	case AST_BINOP:
		if (gen_arith_check(g, n->u.arith.l) < 0 || gen_arith_check(g, n->u.arith.r) < 0)
			return -1;
		leaf = gen_first_leaf(n->u.arith.r);
		if (leaf->kind != AST_NUM)
			return 0;
		if (n->u.arith.op == AST_DIV && leaf->u.num->num == 0)
			return gen_fail(g, BPFC_ESEMANTIC, n->u.arith.r->at, "division by zero"), -1;
		if (n->u.arith.op == AST_MOD && leaf->u.num->num == 0)
			return gen_fail(g, BPFC_ESEMANTIC, n->u.arith.r->at, "modulus by zero"), -1;
		if ((n->u.arith.op == AST_LSH || n->u.arith.op == AST_RSH) && leaf->u.num->num > 31)
			return gen_fail(g, BPFC_ESEMANTIC, n->u.arith.r->at,
					"shift by more than 31 bits"), -1;
		return 0;
	default:
		return gen_fail(g, BPFC_EINTERNAL, n->at, "'%s' in arithmetic",
				ast_kind_name(n->kind)), -1;
	}
}

static struct ir_block *gen_guards(struct gen *g, const struct ast_node *n, struct ir_block *t,
				   struct ir_block *f);

/* The guards of one load, in libpcap's order (gen_load). */
static struct ir_block *
gen_load_guards(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct proto_info *pi = proto_info(n->u.load.proto);
	struct ir_block *b;

	switch (pi->load) {
	case PROTO_L_NET: /* index, then the protocol */
		b = gen_proto_abbrev(g, n->u.load.proto, n->at, t, f);
		return b == NULL ? NULL : gen_guards(g, n->u.load.index, b, f);
	case PROTO_L_TRAN4: /* IPv4, index, protocol, first fragment */
		b = gen_ip4first(g, t, f);
		b = gen_cmp(g, GEN_NET, 9, CBPF_B, ~0u, CBPF_JEQ, pi->num, b, f);
		b = gen_guards(g, n->u.load.index, b, f);
		return b == NULL ? NULL : gen_llproto(g, PROTO_ETHERTYPE_IP, n->at, b, f);
	case PROTO_L_TRAN6: /* IPv6, index, next header (no fragment header here) */
		b = gen_cmp(g, GEN_NET, 6, CBPF_B, ~0u, CBPF_JEQ, pi->num, t, f);
		b = gen_guards(g, n->u.load.index, b, f);
		return b == NULL ? NULL : gen_llproto(g, PROTO_ETHERTYPE_IPV6, n->at, b, f);
	default: /* the link header is always there */
		return gen_guards(g, n->u.load.index, t, f);
	}
}

/* All guards of an expression, left operand first. */
static struct ir_block *
gen_guards(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	switch (n->kind) {
	case AST_NEG:
		return gen_guards(g, n->u.operand, t, f);
	case AST_LOAD:
		return gen_load_guards(g, n, t, f);
	case AST_BINOP:
		/* libpcap's gen_arth keeps the left operand's checks only: the
		 * right one's loads are made unguarded (`len / ip[1]` reads
		 * byte 15 of any packet). */
		return gen_guards(g, n->u.arith.l, t, f);
	default:
		return t;
	}
}

static int gen_value(struct gen *g, struct ir_block *b, const struct ast_node *n);

/* proto[index:size] into A. */
static int
gen_load_value(struct gen *g, struct ir_block *b, const struct ast_node *n)
{
	const struct proto_info *pi = proto_info(n->u.load.proto);
	const struct ast_node *ix = n->u.load.index;
	uint16_t size = gen_load_size(g, n);
	uint32_t net = g->off_net;
	uint32_t base = pi->load == PROTO_L_LINK    ? g->off_link
			: pi->load == PROTO_L_TRAN6 ? net + 40
						    : net;

	/* A constant index: an absolute load when it cannot wrap around. */
	if (ix->kind == AST_NUM && ix->u.num->num < 0x10000000u) {
		if (pi->load == PROTO_L_TRAN4) {
			ir_emit(b, CBPF_LDX | CBPF_B | CBPF_MSH, net);
			ir_emit(b, CBPF_LD | size | CBPF_IND, base + ix->u.num->num);
		} else {
			ir_emit(b, CBPF_LD | size | CBPF_ABS, base + ix->u.num->num);
		}
		return 0;
	}
	if (gen_value(g, b, ix) < 0)
		return -1;
	if (pi->load == PROTO_L_TRAN4) {
		ir_emit(b, CBPF_LDX | CBPF_B | CBPF_MSH, net);
		ir_emit(b, CBPF_ALU | CBPF_ADD | CBPF_X, 0);
	}
	ir_emit(b, CBPF_MISC | CBPF_TAX, 0);
	ir_emit(b, CBPF_LD | size | CBPF_IND, base);
	return 0;
}

/* Compute `l` into A and, unless `r` is a constant (then the caller uses
 * #k), `r` into X, holding `l` in M[] meanwhile.  The left operand is
 * computed first, so a left-nested chain (`len + len + ...`, how the
 * grammar groups) needs one slot whatever its length.  1: X holds `r`;
 * 0: `r` is a constant; -1: error. */
static int
gen_operands(struct gen *g, struct ir_block *b, const struct ast_node *l,
	     const struct ast_node *r)
{
	unsigned slot;

	if (gen_value(g, b, l) < 0)
		return -1;
	if (r->kind == AST_NUM)
		return 0;
	if (g->nscratch >= GEN_MAX_SCRATCH)
		return gen_fail(g, BPFC_EUNSUPPORTED, r->at,
				"too many registers needed to evaluate expression"), -1;
	slot = g->nscratch++;
	ir_emit(b, CBPF_ST, slot);
	if (gen_value(g, b, r) < 0)
		return -1;
	g->nscratch--;
	ir_emit(b, CBPF_MISC | CBPF_TAX, 0);
	ir_emit(b, CBPF_LD | CBPF_MEM, slot);
	return 1;
}

/* An arithmetic expression into A. */
static int
gen_value(struct gen *g, struct ir_block *b, const struct ast_node *n)
{
	int x;

	switch (n->kind) {
	case AST_NUM:
		ir_emit(b, CBPF_LD | CBPF_W | CBPF_IMM, n->u.num->num);
		return 0;
	case AST_LEN:
		ir_emit(b, CBPF_LD | CBPF_W | CBPF_LEN, 0);
		return 0;
	case AST_NEG:
		if (gen_value(g, b, n->u.operand) < 0)
			return -1;
		ir_emit(b, CBPF_ALU | CBPF_NEG, 0);
		return 0;
	case AST_LOAD:
		return gen_load_value(g, b, n);
	case AST_BINOP:
		x = gen_operands(g, b, n->u.arith.l, n->u.arith.r);
		if (x < 0)
			return -1;
		if (x == 0)
			ir_emit(b, CBPF_ALU | gen_alu_op[n->u.arith.op] | CBPF_K,
				n->u.arith.r->u.num->num);
		else
			ir_emit(b, CBPF_ALU | gen_alu_op[n->u.arith.op] | CBPF_X, 0);
		return 0;
	default:
		return gen_fail(g, BPFC_EINTERNAL, n->at, "'%s' in arithmetic",
				ast_kind_name(n->kind)), -1;
	}
}

/* pcap-filter(7): expr relop expr */
struct ir_block *
gen_rel(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	static const struct {
		uint16_t jop;
		int swap; /* the test is the negation of jop */
	} rel[] = {
		[AST_GT] = {CBPF_JGT, 0}, [AST_GE] = {CBPF_JGE, 0}, [AST_EQ] = {CBPF_JEQ, 0},
		[AST_LE] = {CBPF_JGT, 1}, [AST_LT] = {CBPF_JGE, 1}, [AST_NE] = {CBPF_JEQ, 1},
	};
	const struct ast_node *l = n->u.rel.l, *r = n->u.rel.r;
	struct ir_block *b, *yes, *no;
	int x;

	if (gen_arith_check(g, l) < 0 || gen_arith_check(g, r) < 0)
		return NULL;
	yes = rel[n->u.rel.op].swap ? f : t;
	no = rel[n->u.rel.op].swap ? t : f;
	b = gen_block(g);
	x = gen_operands(g, b, l, r);
	if (x < 0)
		return NULL;
	if (x == 0)
		ir_branch(b, CBPF_JMP | rel[n->u.rel.op].jop | CBPF_K, r->u.num->num, yes, no);
	else
		ir_branch(b, CBPF_JMP | rel[n->u.rel.op].jop | CBPF_X, 0, yes, no);
	b = gen_guards(g, r, b, f);
	return b == NULL ? NULL : gen_guards(g, l, b, f);
}

/* `byte IDX OP VAL` (not in pcap-filter(7), but in libpcap's grammar):
 * the byte IDX bytes into the link header compared with VAL: =, < and >
 * as unsigned comparisons, & and | true when the result is not zero.
 * libpcap after 1.10 refuses VAL > 255 and loads the byte for & and |
 * (1.10.3 tests A without loading it: bpfc follows the newer). */
struct ir_block *
gen_byte(struct gen *g, const struct ast_node *n, struct ir_block *t, struct ir_block *f)
{
	const struct ast_other *o = &n->u.other;
	uint32_t idx = o->arg->num, val = o->arg2->num;
	struct ir_block *b;

	if (val > 255)
		return gen_fail(g, BPFC_ERANGE, o->arg2->at,
				"byte argument %u greater than maximum 255", val);
	switch (o->byteop) {
	case '=':
		return gen_cmp(g, GEN_LINK, idx, CBPF_B, ~0u, CBPF_JEQ, val, t, f);
	case '>':
		return gen_cmp(g, GEN_LINK, idx, CBPF_B, ~0u, CBPF_JGT, val, t, f);
	case '<':
		return gen_cmp(g, GEN_LINK, idx, CBPF_B, ~0u, CBPF_JGE, val, f, t);
	case '&':
	case '|':
		b = gen_block(g);
		gen_emit_load(g, b, GEN_LINK, idx, CBPF_B);
		ir_emit(b, CBPF_ALU | (o->byteop == '&' ? CBPF_AND : CBPF_OR) | CBPF_K, val);
		ir_branch(b, CBPF_JMP | CBPF_JEQ | CBPF_K, 0, f, t);
		return b;
	default:
		return gen_fail(g, BPFC_EINTERNAL, n->at, "byte: unknown operator '%c'", o->byteop);
	}
}
