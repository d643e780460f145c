/*
 * ast.c: names of the AST's enums, keyword lookups for the scanner, node
 * constructors, and the dump `bpfc --dump=ast` prints.
 *
 * Takes: arena memory for nodes; a strbuf for the dump.  Gives: nodes
 * zeroed except for the fields the constructor sets.  The name tables are
 * the X-macro lists of ast.h, expanded once each here.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "grammar/ast.h"

/* ---- names ---- */

#define AST_NAME_OF(id, name) name,

static const char *const ast_kind_names[] = {AST_KINDS(AST_NAME_OF)};
static const char *const ast_proto_names[] = {AST_PROTOS(AST_NAME_OF)};
static const char *const ast_dir_names[] = {AST_DIRS(AST_NAME_OF)};
static const char *const ast_addr_names[] = {AST_ADDRS(AST_NAME_OF)};
static const char *const ast_kw_names[] = {AST_KWS(AST_NAME_OF)};

static const char *
ast_name(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "?";
}

#define AST_NAMES(t, v) ast_name(t, sizeof(t) / sizeof(t[0]), (int)(v))

const char *
ast_kind_name(enum ast_kind k)
{
	return AST_NAMES(ast_kind_names, k);
}

const char *
ast_proto_name(enum ast_proto p)
{
	return AST_NAMES(ast_proto_names, p);
}

const char *
ast_dir_name(enum ast_dir d)
{
	return AST_NAMES(ast_dir_names, d);
}

const char *
ast_addr_name(enum ast_addr a)
{
	return AST_NAMES(ast_addr_names, a);
}

const char *
ast_kw_name(enum ast_kw k)
{
	return AST_NAMES(ast_kw_names, k);
}

const char *
ast_relop_name(enum ast_relop op)
{
	static const char *const names[] = {">", ">=", "=", "<=", "<", "!="};
	return AST_NAMES(names, op);
}

const char *
ast_arith_name(enum ast_arith op)
{
	static const char *const names[] = {"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"};
	return AST_NAMES(names, op);
}

/* ---- keyword lookups ---- */

struct ast_alias {
	const char *name;
	int value;
};

/* Spellings the scanner accepts besides the canonical names. */
static const struct ast_alias ast_proto_aliases[] = {
	{"ether", AST_PROTO_LINK}, {"ppp", AST_PROTO_LINK},  {"slip", AST_PROTO_LINK},
	{"fddi", AST_PROTO_LINK},  {"tr", AST_PROTO_LINK},   {"wlan", AST_PROTO_LINK},
	{"es-is", AST_PROTO_ESIS}, {"is-is", AST_PROTO_ISIS},
};

static const struct ast_alias ast_dir_aliases[] = {
	{"address1", AST_DIR_ADDR1}, {"address2", AST_DIR_ADDR2},
	{"address3", AST_DIR_ADDR3}, {"address4", AST_DIR_ADDR4},
};

static int
ast_lookup(const char *const *names, size_t nnames, int first, const struct ast_alias *aliases,
	   size_t naliases, const char *s, size_t n)
{
	for (size_t i = (size_t)first; i < nnames; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return (int)i;
	for (size_t i = 0; i < naliases; i++)
		if (strlen(aliases[i].name) == n && memcmp(aliases[i].name, s, n) == 0)
			return aliases[i].value;
	return -1;
}

#define AST_COUNT(t) (sizeof(t) / sizeof(t[0]))

int
ast_proto_lookup(const char *s, size_t n)
{
	return ast_lookup(ast_proto_names, AST_COUNT(ast_proto_names), 1, ast_proto_aliases,
			  AST_COUNT(ast_proto_aliases), s, n);
}

int
ast_dir_lookup(const char *s, size_t n)
{
	/* Only addr1..ta: src, dst and their combinations are tokens of
	 * their own. */
	return ast_lookup(ast_dir_names, AST_COUNT(ast_dir_names), AST_DIR_ADDR1, ast_dir_aliases,
			  AST_COUNT(ast_dir_aliases), s, n);
}

int
ast_addr_lookup(const char *s, size_t n)
{
	/* host net port portrange; gateway, proto and protochain are tokens
	 * of their own. */
	int v = ast_lookup(ast_addr_names, AST_COUNT(ast_addr_names), 1, NULL, 0, s, n);
	return v >= AST_ADDR_HOST && v <= AST_ADDR_PORTRANGE ? v : -1;
}

int
ast_kw_lookup(const char *s, size_t n)
{
	return ast_lookup(ast_kw_names, AST_COUNT(ast_kw_names), 1, NULL, 0, s, n);
}

/* ---- constructors ---- */

struct ast_node *
ast_new(struct arena *a, enum ast_kind kind, struct ast_span at)
{
	struct ast_node *n = arena_alloc(a, sizeof(*n));

	if (n != NULL) {
		n->kind = kind;
		n->at = at;
	}
	return n;
}

/* AND, OR and REL (whose op the caller sets). */
struct ast_node *
ast_binary(struct arena *a, enum ast_kind kind, struct ast_node *l, struct ast_node *r,
	   struct ast_span at)
{
	struct ast_node *n = ast_new(a, kind, at);

	if (n == NULL)
		return NULL;
	if (kind == AST_REL) {
		n->u.rel.l = l;
		n->u.rel.r = r;
	} else {
		n->u.bin.l = l;
		n->u.bin.r = r;
	}
	return n;
}

struct ast_node *
ast_unary(struct arena *a, enum ast_kind kind, struct ast_node *operand, struct ast_span at)
{
	struct ast_node *n = ast_new(a, kind, at);

	if (n != NULL)
		n->u.operand = operand;
	return n;
}

struct ast_node *
ast_id_new(struct arena *a, enum ast_id_form form, struct ast_value *addr, struct ast_value *mask,
	   struct ast_span at)
{
	struct ast_node *n = ast_new(a, AST_ID, at);

	if (n != NULL) {
		n->u.id.form = form;
		n->u.id.addr = addr;
		n->u.id.mask = mask;
	}
	return n;
}

struct ast_node *
ast_arith_new(struct arena *a, enum ast_arith op, struct ast_node *l, struct ast_node *r,
	      struct ast_span at)
{
	struct ast_node *n = ast_new(a, AST_BINOP, at);

	if (n != NULL) {
		n->u.arith.op = op;
		n->u.arith.l = l;
		n->u.arith.r = r;
	}
	return n;
}

struct ast_node *
ast_other_new(struct arena *a, enum ast_kind kind, struct ast_value *arg, struct ast_value *arg2,
	      struct ast_span at)
{
	struct ast_node *n = ast_new(a, kind, at);

	if (n != NULL) {
		n->u.other.proto_text = "";
		n->u.other.arg = arg;
		n->u.other.arg2 = arg2;
	}
	return n;
}

/* ---- dump ---- */

/* Deep nesting keeps its structure but stops moving right. */
#define AST_DUMP_MAX_INDENT 40

static void
ast_dump_span(struct strbuf *out, struct ast_span at, unsigned flags)
{
	if (flags & AST_DUMP_SPANS)
		strbuf_printf(out, " [%" PRIu32 ",%" PRIu32 ")", at.begin, at.end);
}

static void
ast_dump_value(struct strbuf *out, const struct ast_value *v)
{
	char dec[16];

	switch (v->kind) {
	case AST_V_NUM:
		snprintf(dec, sizeof(dec), "%" PRIu32, v->num);
		if (strcmp(dec, v->text) == 0)
			strbuf_puts(out, dec);
		else
			strbuf_printf(out, "%s=%s", v->text, dec);
		break;
	case AST_V_NAME:
		strbuf_printf(out, "\"%s%s\"", v->escaped ? "\\" : "", v->text);
		break;
	case AST_V_MAC:
		strbuf_printf(out, "%02x:%02x:%02x:%02x:%02x:%02x", v->bytes[0], v->bytes[1],
			      v->bytes[2], v->bytes[3], v->bytes[4], v->bytes[5]);
		break;
	case AST_V_ARCNET:
		strbuf_printf(out, "$%02" PRIx32, v->num);
		break;
	case AST_V_IPV4:
	case AST_V_IPV6:
		strbuf_puts(out, v->text);
		break;
	}
}

/* The qualifiers an id ends up with, defaults left out. */
static void
ast_dump_head(struct strbuf *out, const struct ast_head *q)
{
	if (q == NULL)
		return;
	if (q->proto != AST_PROTO_DEFAULT)
		strbuf_printf(out, " %s", q->proto_text);
	if (q->dir != AST_DIR_DEFAULT)
		strbuf_printf(out, " %s", ast_dir_name(q->dir));
	if (q->addr != AST_ADDR_DEFAULT)
		strbuf_printf(out, " %s", ast_addr_name(q->addr));
}

static void
ast_dump_id(struct strbuf *out, const struct ast_id *id)
{
	ast_dump_head(out, id->q);
	if (id->elided)
		strbuf_puts(out, " elided");
	strbuf_puts(out, " ");
	ast_dump_value(out, id->addr);
	if (id->form == AST_ID_NET_LEN) {
		strbuf_puts(out, "/");
		ast_dump_value(out, id->mask);
	} else if (id->form == AST_ID_NET_MASK) {
		strbuf_puts(out, " mask ");
		ast_dump_value(out, id->mask);
	}
}

static void
ast_dump_other(struct strbuf *out, const struct ast_node *n)
{
	const struct ast_other *o = &n->u.other;

	if (o->proto != AST_PROTO_DEFAULT)
		strbuf_printf(out, " %s", o->proto_text);
	if (o->kw != AST_KW_NONE)
		strbuf_printf(out, " %s", ast_kw_name(o->kw));
	if (n->kind == AST_ATM_FIELD || n->kind == AST_MTP3_FIELD)
		strbuf_printf(out, " %s", ast_relop_name(o->op));
	for (const struct ast_value *v = o->arg; v != NULL; v = v->next) {
		strbuf_puts(out, " ");
		ast_dump_value(out, v);
	}
	if (n->kind == AST_BYTE)
		strbuf_printf(out, " %c", o->byteop);
	if (o->arg2 != NULL) {
		strbuf_puts(out, " ");
		ast_dump_value(out, o->arg2);
	}
}

/* A primitive or an arithmetic expression, on one line. */
static void
ast_dump_inline(struct strbuf *out, const struct ast_node *n, unsigned flags)
{
	if (n->kind == AST_BINOP)
		strbuf_printf(out, "(%s", ast_arith_name(n->u.arith.op));
	else
		strbuf_printf(out, "(%s", ast_kind_name(n->kind));
	ast_dump_span(out, n->at, flags);
	switch (n->kind) {
	case AST_ID:
		ast_dump_id(out, &n->u.id);
		break;
	case AST_REL:
		strbuf_printf(out, " %s ", ast_relop_name(n->u.rel.op));
		ast_dump_inline(out, n->u.rel.l, flags);
		strbuf_puts(out, " ");
		ast_dump_inline(out, n->u.rel.r, flags);
		break;
	case AST_NUM:
		strbuf_puts(out, " ");
		ast_dump_value(out, n->u.num);
		break;
	case AST_LEN:
		break;
	case AST_LOAD:
		strbuf_printf(out, " %s ", n->u.load.proto_text);
		ast_dump_inline(out, n->u.load.index, flags);
		if (n->u.load.size != NULL) {
			strbuf_puts(out, " ");
			ast_dump_value(out, n->u.load.size);
		}
		break;
	case AST_BINOP:
		strbuf_puts(out, " ");
		ast_dump_inline(out, n->u.arith.l, flags);
		strbuf_puts(out, " ");
		ast_dump_inline(out, n->u.arith.r, flags);
		break;
	case AST_NEG:
		strbuf_puts(out, " ");
		ast_dump_inline(out, n->u.operand, flags);
		break;
	default:
		ast_dump_other(out, n);
		break;
	}
	strbuf_puts(out, ")");
}

static void
ast_dump_indent(struct strbuf *out, int depth)
{
	static const char spaces[2 * AST_DUMP_MAX_INDENT + 1] =
		"                                                                                ";
	int d = depth < AST_DUMP_MAX_INDENT ? depth : AST_DUMP_MAX_INDENT;
	strbuf_append(out, spaces, (size_t)(2 * d));
}

static void ast_dump_node(struct strbuf *out, const struct ast_node *n, unsigned flags, int depth);

/* A left-nested chain of one operator, "a or b or c", as (or a b c):
 * libpcap's and/or associate to the left, so that is how it was written. */
static void
ast_dump_chain(struct strbuf *out, const struct ast_node *n, unsigned flags, int depth)
{
	size_t count = 1;
	const struct ast_node *p;

	for (p = n; p->kind == n->kind; p = p->u.bin.l)
		count++;
	const struct ast_node **ops = malloc(count * sizeof(*ops));
	if (ops == NULL) {
		out->failed = 1;
		return;
	}
	size_t i = count;
	for (p = n; p->kind == n->kind; p = p->u.bin.l)
		ops[--i] = p->u.bin.r;
	ops[0] = p;
	for (i = 0; i < count; i++) {
		strbuf_puts(out, "\n");
		ast_dump_node(out, ops[i], flags, depth + 1);
	}
	free(ops);
}

static void
ast_dump_node(struct strbuf *out, const struct ast_node *n, unsigned flags, int depth)
{
	ast_dump_indent(out, depth);
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
	case AST_NOT:
	case AST_GROUP:
		strbuf_printf(out, "(%s", ast_kind_name(n->kind));
		ast_dump_span(out, n->at, flags);
		if (n->kind == AST_AND || n->kind == AST_OR) {
			ast_dump_chain(out, n, flags, depth);
		} else {
			strbuf_puts(out, "\n");
			ast_dump_node(out, n->u.operand, flags, depth + 1);
		}
		strbuf_puts(out, ")");
		break;
	case AST_EMPTY:
		strbuf_puts(out, "(empty");
		ast_dump_span(out, n->at, flags);
		strbuf_puts(out, ")");
		break;
	default:
		ast_dump_inline(out, n, flags);
		break;
	}
}

void
ast_dump(struct strbuf *out, const struct ast_node *n, unsigned flags)
{
	ast_dump_node(out, n, flags, 0);
	strbuf_puts(out, "\n");
}
