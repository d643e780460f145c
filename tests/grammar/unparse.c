/*
 * unparse.c: see unparse.h.  Takes a tree from parse_filter(); gives text
 * in a strbuf.
 */
#include <config.h>

#include "tests/grammar/unparse.h"

static void
unparse_value(struct strbuf *b, const struct ast_value *v)
{
	strbuf_printf(b, "%s%s", v->escaped ? "\\" : "", v->text);
}

static void
unparse_args(struct strbuf *b, const struct ast_node *n, const char *keyword)
{
	const struct ast_other *o = &n->u.other;

	strbuf_printf(b, "%s %s", o->proto_text, keyword);
	if (o->arg != NULL) {
		strbuf_puts(b, " ");
		unparse_value(b, o->arg);
	}
	if (o->arg2 != NULL) {
		strbuf_puts(b, n->kind == AST_WLAN_TYPE ? " subtype " : " ");
		unparse_value(b, o->arg2);
	}
}

/* vpi/vci/sio/...: `kw op N`, or `kw (a or b ...)` for a list. */
static void
unparse_field(struct strbuf *b, const struct ast_node *n)
{
	const struct ast_other *o = &n->u.other;

	strbuf_printf(b, "%s ", ast_kw_name(o->kw));
	if (o->arg->next == NULL) {
		strbuf_printf(b, "%s %s", ast_relop_name(o->op), o->arg->text);
		return;
	}
	strbuf_puts(b, "(");
	for (const struct ast_value *v = o->arg; v != NULL; v = v->next)
		strbuf_printf(b, "%s%s", v == o->arg ? "" : " or ", v->text);
	strbuf_puts(b, ")");
}

static void
unparse_id(struct strbuf *b, const struct ast_node *n)
{
	const struct ast_id *id = &n->u.id;

	strbuf_printf(b, "%s %s %s ", id->q->proto_text, ast_dir_name(id->q->dir),
		      ast_addr_name(id->q->addr));
	unparse_value(b, id->addr);
	if (id->form == AST_ID_NET_LEN)
		strbuf_printf(b, "/%s", id->mask->text);
	else if (id->form == AST_ID_NET_MASK)
		strbuf_printf(b, " mask %s", id->mask->text);
}

static void
unparse_arith(struct strbuf *b, const struct ast_node *n)
{
	switch (n->kind) {
	case AST_NUM:
		strbuf_puts(b, n->u.num->text);
		break;
	case AST_LEN:
		strbuf_puts(b, "len");
		break;
	case AST_NEG:
		/* "(-(x))": a bare "-x ^ y" would be -(x ^ y) */
		strbuf_puts(b, "(-(");
		unparse_arith(b, n->u.operand);
		strbuf_puts(b, "))");
		break;
	case AST_LOAD:
		strbuf_printf(b, "%s[", n->u.load.proto_text);
		unparse_arith(b, n->u.load.index);
		if (n->u.load.size != NULL)
			strbuf_printf(b, ":%s", n->u.load.size->text);
		strbuf_puts(b, "]");
		break;
	default: /* BINOP */
		strbuf_puts(b, "(");
		unparse_arith(b, n->u.arith.l);
		strbuf_printf(b, " %s ", ast_arith_name(n->u.arith.op));
		unparse_arith(b, n->u.arith.r);
		strbuf_puts(b, ")");
		break;
	}
}

/*
 * Every id with its qualifiers spelled out, every operator with its
 * operands in parentheses: if bpfc read the text right, libpcap makes
 * the same program from this as from the original.
 */
void
unparse_filter(struct strbuf *b, const struct ast_node *n)
{
	switch (n->kind) {
	case AST_EMPTY: break;
	case AST_AND:
	case AST_OR:
		strbuf_puts(b, "(");
		unparse_filter(b, n->u.bin.l);
		strbuf_puts(b, n->kind == AST_AND ? ") and (" : ") or (");
		unparse_filter(b, n->u.bin.r);
		strbuf_puts(b, ")");
		break;
	case AST_NOT:
		strbuf_puts(b, "not (");
		unparse_filter(b, n->u.operand);
		strbuf_puts(b, ")");
		break;
	case AST_ID: unparse_id(b, n); break;
	case AST_PROTO: strbuf_puts(b, n->u.other.proto_text); break;
	case AST_REL:
		unparse_arith(b, n->u.rel.l);
		strbuf_printf(b, " %s ", ast_relop_name(n->u.rel.op));
		unparse_arith(b, n->u.rel.r);
		break;
	case AST_BYTE:
		strbuf_printf(b, "byte %s %c %s", n->u.other.arg->text, n->u.other.byteop,
			      n->u.other.arg2->text);
		break;
	case AST_ATM_TYPE:
	case AST_ATM_MULTI:
	case AST_MTP2_TYPE: strbuf_puts(b, ast_kw_name(n->u.other.kw)); break;
	case AST_ATM_FIELD:
	case AST_MTP3_FIELD: unparse_field(b, n); break;
	case AST_PF_IFNAME: unparse_args(b, n, "ifname"); break;
	case AST_PF_RSET: unparse_args(b, n, "ruleset"); break;
	case AST_PF_RNR: unparse_args(b, n, "rulenum"); break;
	case AST_PF_SRNR: unparse_args(b, n, "subrulenum"); break;
	case AST_PF_REASON: unparse_args(b, n, "reason"); break;
	case AST_PF_ACTION: unparse_args(b, n, "action"); break;
	case AST_WLAN_TYPE: unparse_args(b, n, "type"); break;
	case AST_WLAN_SUBTYPE: unparse_args(b, n, "subtype"); break;
	case AST_WLAN_DIR: unparse_args(b, n, "dir"); break;
	default: /* keyword [operand]: broadcast, less, vlan, llc, ... */
		unparse_args(b, n, ast_kind_name(n->kind));
		break;
	}
}

