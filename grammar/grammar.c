/*
 * grammar.c: parse_filter(), the stage's one entry point.
 *
 * Runs the scanner and parser over the text, then the qualifier pass.
 * Everything, flex's buffers included, is allocated in the caller's arena,
 * so every exit path is the same: return the root or NULL.
 */
#include <config.h>

#include <string.h>

#include "grammar/grammar.h"
#include "grammar/internal.h"
#include "grammar/parse.h"

#define YYSTYPE GRAM_STYPE
#define YYLTYPE GRAM_LTYPE
#include "grammar/scan.h"

int gram_parse(void *scanner, struct gram_state *st);

static struct ast_node *
grammar_oom(struct gram_state *st)
{
	gram_fail(st, BPFC_ENOMEM, 0, 0, "out of memory");
	return NULL;
}

struct ast_node *
parse_filter(struct arena *a, const char *text, size_t len, struct bpfc_error *err)
{
	struct gram_state st;
	struct bpfc_error local;
	yyscan_t scanner;

	if (err == NULL) {
		diag_init(&local);
		err = &local;
	}
	memset(&st, 0, sizeof(st));
	st.arena = a;
	st.text = text;
	st.err = err;
	if (len > UINT32_MAX - 2) {
		diag_at(err, BPFC_ERANGE, 0, 0, "expression too long (%zu bytes)", len);
		return NULL;
	}
	st.len = (uint32_t)len;

	/* flex scans in place a buffer that ends in two NULs. */
	char *buf = arena_alloc(a, len + 2);
	if (buf == NULL)
		return grammar_oom(&st);
	if (len > 0)
		memcpy(buf, text, len);
	if (gram_lex_init_extra(&st, &scanner) != 0)
		return grammar_oom(&st);
	if (gram__scan_buffer(buf, len + 2, scanner) == NULL) {
		gram_lex_destroy(scanner);
		return grammar_oom(&st);
	}
	int r = gram_parse(scanner, &st);
	gram_lex_destroy(scanner);

	if (r != 0 || st.oom || st.root == NULL) {
		if (st.oom)
			grammar_oom(&st);
		else if (!diag_failed(err))
			diag_at(err, BPFC_EINTERNAL, 0, st.len, "the parser stopped without saying why");
		return NULL;
	}
	if (gram_qualify(&st) < 0)
		return NULL;
	return st.root;
}
