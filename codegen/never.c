/*
 * never.c: a filter that can never match is an error, saying why.
 *
 * Takes: the AST and the optimized IR of a filter.  Gives: nothing when
 * some packet can match; otherwise BPFC_ESEMANTIC "expression rejects all
 * packets" (libpcap refuses such filters when optimizing), with the range
 * of the smallest part to blame: a primitive that never matches on the
 * link type, or the second of two operands of an `and` that each match
 * something but never the same packet.  Sub-expressions are compiled and
 * optimized alone to find it, on this error path only.
 */
#include <config.h>

#include "base/diag.h"
#include "codegen/gen.h"
#include "codegen/ir.h"
#include "codegen/linktype.h"
#include "codegen/opt.h"
#include "grammar/ast.h"

/* The program returns 0 on every packet (its entry is `ret #0`). */
static int
never_prog(const struct ir_prog *ir)
{
	const struct ir_block *b = ir->entry;

	return b != NULL && b->term == IR_RET && b->nstmts == 0 &&
	       b->code == (CBPF_RET | CBPF_K) && b->k == 0;
}

/* Whether `n` alone, optimized, never matches (a sub-expression, in the
 * arena of the failed compilation; only on that error path). */
static int
never_alone(struct arena *a, const struct ast_node *n, const struct codegen_options *co)
{
	struct bpfc_error e;
	struct ir_prog *ir;

	diag_init(&e);
	ir = codegen_filter(a, n, co, &e);
	return ir != NULL && opt_run(ir, &e) == 0 && never_prog(ir);
}

/* libpcap refuses a filter its optimizer finds can never match; bpfc too,
 * saying why: descending into `and`s and `or`s to the smallest part that
 * never matches alone, or to the two operands of an `and` that each can
 * match but never together. */
static void
never_explain(struct arena *a, const struct ast_node *root, const struct codegen_options *co,
	      const char *text, struct bpfc_error *err)
{
	const struct ast_node *n = root;

	diag_init(err);
	for (;;) {
		if (n->kind == AST_OR) {
			n = n->u.bin.l; /* both never match */
		} else if (n->kind == AST_AND && never_alone(a, n->u.bin.l, co)) {
			n = n->u.bin.l;
		} else if (n->kind == AST_AND && never_alone(a, n->u.bin.r, co)) {
			n = n->u.bin.r;
		} else if (n->kind == AST_AND) {
			const struct ast_span l = n->u.bin.l->at, r = n->u.bin.r->at;
			diag_at(err, BPFC_ESEMANTIC, r.begin, r.end,
				"expression rejects all packets: no packet matches both '%.*s' and "
				"'%.*s'",
				(int)(l.end - l.begin), text + l.begin, (int)(r.end - r.begin),
				text + r.begin);
			return;
		} else {
			break;
		}
	}
	const struct linktype *lt = linktype_find(co->linktype);
	diag_at(err, BPFC_ESEMANTIC, n->at.begin, n->at.end,
		"expression rejects all packets: '%.*s' never matches on link type %s",
		(int)(n->at.end - n->at.begin), text + n->at.begin, lt != NULL ? lt->name : "?");
}

int
codegen_check_never(struct arena *a, const struct ast_node *root, const struct codegen_options *co,
		    const struct ir_prog *ir, const char *text, struct bpfc_error *err)
{
	if (!never_prog(ir))
		return 0;
	never_explain(a, root, co, text, err);
	return -1;
}
