/*
 * internal.h: what the pieces of grammar/ share, and nothing outside uses.
 *
 * One struct gram_state per parse_filter() call carries the input, the
 * arena, the first error, and what the scanner remembers for diagnostics
 * (the previous token, the open parentheses).  The scanner (scan.l) and
 * the parser (parse.y) reach it through their extra/parse-param slots, so
 * nothing here is global.
 */
#ifndef BPFC_GRAMMAR_INTERNAL_H
#define BPFC_GRAMMAR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "grammar/ast.h"

struct gram_state {
	struct arena *arena;
	const char *text;         /* the input (not NUL-terminated) */
	uint32_t len;
	struct bpfc_error *err;   /* the first error wins */
	struct ast_node *root;    /* set by the start rule */
	int oom;                  /* an allocation failed */

	/* Scanner position and the last two tokens, for error messages. */
	uint32_t pos;
	int cur_tok, prev_tok;    /* token numbers (0: none yet) */
	int cur_code, prev_code;  /* the keyword value of a keyword token */
	struct ast_span cur_at, prev_at;

	/* Byte offsets of the '(' not yet closed, innermost last, and of
	 * the first ')' that closed nothing. */
	uint32_t *open;
	size_t nopen, capopen;
	int stray_close;          /* 0 or 1 */
	uint32_t stray_close_at;
};

/* Record an error at [begin, end) unless one is already there.  Returns -1. */
int gram_fail(struct gram_state *st, enum bpfc_status code, uint32_t begin, uint32_t end,
	       const char *fmt, ...) DIAG_PRINTF(5, 6);

/* Append the input bytes [at] to a message in readable form (quoted,
 * control bytes as \xNN, long tokens shortened). */
void gram_quote(struct gram_state *st, char *buf, size_t size, struct ast_span at);

/*
 * What the parser expected when it met a token it could not take, sorted
 * into classes that syntax.c puts into words.  Tokens in no class are
 * listed by name in `names` (bison's quoted aliases, such as "'mask'").
 */
enum {
	GX_END = 1u << 0,         /* end of the expression */
	GX_LOGIC = 1u << 1,       /* and, or */
	GX_CLOSE = 1u << 2,       /* ) */
	GX_START = 1u << 3,       /* a primitive can start: ( not less vlan ... */
	GX_PROTO = 1u << 4,       /* a protocol name */
	GX_QUAL = 1u << 5,        /* src dst host net port ... proto gateway */
	GX_RELOP = 1u << 6,       /* = != < <= > >= */
	GX_ARITH = 1u << 7,       /* + - * / % & | ^ << >> */
	GX_NUM = 1u << 8,
	GX_NAME = 1u << 9,
	GX_ADDR = 1u << 10,       /* IPv4, IPv6, MAC, ARCnet addresses */
	GX_PAREN = 1u << 11,      /* ( goes with whatever else is expected */
	GX_NOT = 1u << 12,        /* not, ! */
	GX_LEN = 1u << 13         /* len: with no `not`, an arithmetic operand */
};

#define GX_MAXNAMES 8

struct gram_expect {
	unsigned mask;
	const char *names[GX_MAXNAMES];
	int nnames;
	struct ast_span at;     /* the unexpected token */
	int tok;                /* its token number */
};

/* Record the syntax error described by `x` (syntax.c). */
void gram_syntax_error(struct gram_state *st, const struct gram_expect *x);

/* Fill in every id's effective qualifiers and remove AST_GROUP nodes
 * (qualify.c).  0, or -1 with the error recorded. */
int gram_qualify(struct gram_state *st);

#endif
