/*
 * syntax.c: syntax errors in words a user understands.
 *
 * Takes: what the parser expected at the token it could not take (sorted
 * into classes by parse.y), and the scanner's memory of the tokens before
 * it and of unclosed parentheses.  Gives: one BPFC_ESYNTAX error pointing
 * at the offending token, e.g.
 *   syntax error: unexpected 'and' after 'port'; expected a port number or name
 *   unbalanced parenthesis: this '(' is never closed
 * Bison's token names never reach the user.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "grammar/internal.h"
#include "grammar/parse.h"

int
gram_fail(struct gram_state *st, enum bpfc_status code, uint32_t begin, uint32_t end,
	  const char *fmt, ...)
{
	char msg[BPFC_ERRBUF_SIZE];
	va_list ap;

	if (diag_failed(st->err))
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return diag_at(st->err, code, begin, end, "%s", msg);
}

/* 'text' of a token, printable, at most ~40 bytes. */
void
gram_quote(struct gram_state *st, char *buf, size_t size, struct ast_span at)
{
	size_t o = 0, n = at.end - at.begin, shown = n > 40 ? 37 : n;

	if (size < 8) {
		buf[0] = '\0';
		return;
	}
	buf[o++] = '\'';
	for (size_t i = 0; i < shown && o + 8 < size; i++) {
		unsigned char c = (unsigned char)st->text[at.begin + i];
		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	if (shown < n && o + 5 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
}

/* What a value after the previous keyword is, in the user's terms. */
static const char *
syntax_value_after(const struct gram_state *st, unsigned mask)
{
	switch (st->prev_tok) {
	case TOK_AQUAL:
		switch (st->prev_code) {
		case AST_ADDR_HOST: return "a host name or address";
		case AST_ADDR_NET: return "a network address (like 10.0.0.0/8)";
		case AST_ADDR_PORT: return "a port number or name";
		case AST_ADDR_PORTRANGE: return "a port range (like 6000-6010)";
		default: break;
		}
		break;
	case TOK_GATEWAY: return "a host name";
	case TOK_PROTO:
	case TOK_PROTOCHAIN: return "a protocol name or number";
	case TOK_SRC:
	case TOK_DST:
	case TOK_WDIR: return "an address";
	case TOK_LESS:
	case TOK_GREATER: return "a packet length";
	case TOK_NETMASK: return "a netmask (like 255.255.0.0)";
	case '/': return "a prefix length";
	case TOK_LLC: return "an LLC frame type (i, s, u, rr, rnr, ui, ...)";
	case TOK_TYPE: return "an 802.11 frame type (mgt, ctl, data) or number";
	case TOK_SUBTYPE: return "an 802.11 frame subtype (beacon, ack, qos-data, ...)";
	case TOK_DIR: return "an 802.11 direction (nods, tods, fromds, dstods) or number";
	case TOK_PF_IFNAME: return "an interface name";
	case TOK_PF_RSET: return "a ruleset name";
	case TOK_PF_RNR:
	case TOK_PF_SRNR: return "a rule number";
	case TOK_PF_REASON: return "a pf reason (match, bad-offset, ...) or number";
	case TOK_PF_ACTION: return "a pf action (pass, block, ...)";
	case TOK_VLAN: return "a VLAN ID";
	case TOK_MPLS: return "an MPLS label";
	case TOK_PPPOES: return "a PPPoE session ID";
	case TOK_GENEVE:
	case TOK_VXLAN: return "a VNI";
	case TOK_IFINDEX: return "an interface index";
	default: break;
	}
	mask &= GX_NUM | GX_NAME | GX_ADDR;
	if (mask == GX_NUM)
		return "a number";
	if (mask == GX_NAME)
		return "a name";
	if (mask == (GX_NUM | GX_NAME))
		return "a number or name";
	return "an address, number or name";
}

struct syntax_list {
	const char *item[16];
	int n;
};

static void
syntax_add(struct syntax_list *l, const char *s)
{
	if (l->n < (int)(sizeof(l->item) / sizeof(l->item[0])))
		l->item[l->n++] = s;
}

/* "a", "a or b", "a, b or c". */
static void
syntax_join(char *buf, size_t size, const struct syntax_list *l)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < l->n && o < size; i++) {
		const char *sep = i == 0 ? "" : i == l->n - 1 ? " or " : ", ";
		int w = snprintf(buf + o, size - o, "%s%s", sep, l->item[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

/* The expected set, most telling first. */
static void
syntax_expected(const struct gram_state *st, const struct gram_expect *x, struct syntax_list *l)
{
	unsigned m = x->mask;
	int skip_minus = 0;

	if (st->prev_tok == TOK_LLC)
		m &= ~(unsigned)GX_START; /* `llc rnr` is a name that is also a keyword */
	if ((m & GX_LEN) && !(m & GX_NOT)) {
		/* The operand of an arithmetic operator or comparison. */
		syntax_add(l, "an arithmetic operand (a number, len, or a packet field like ip[0])");
		m &= ~(unsigned)(GX_START | GX_ARITH | GX_NUM | GX_PROTO);
		skip_minus = 1;
	}
	if (m & GX_START) {
		/* Where a primitive can start, operators are only the
		 * unary minus and values only the numbers of a relation,
		 * unless an id may take the qualifiers before it. */
		if (m & (GX_NAME | GX_ADDR))
			syntax_add(l, "a primitive or a value");
		else
			syntax_add(l, "a primitive (like 'host 10.0.0.1' or 'tcp port 80')");
		m &= ~(unsigned)(GX_ARITH | GX_RELOP);
	} else {
		if (m & (GX_NUM | GX_NAME | GX_ADDR))
			syntax_add(l, syntax_value_after(st, m));
		if (m & GX_QUAL)
			syntax_add(l, "a qualifier (host, net, port, src, dst, ...)");
		else if (m & GX_PROTO)
			syntax_add(l, "a protocol name");
	}
	for (int i = 0; i < x->nnames; i++)
		if (!skip_minus || strcmp(x->names[i], "'-'") != 0)
			syntax_add(l, x->names[i]);
	if (m & GX_RELOP)
		syntax_add(l, "a comparison (=, !=, <, <=, >, >=)");
	if (m & GX_ARITH)
		syntax_add(l, "an arithmetic operator");
	if (m & GX_LOGIC) {
		syntax_add(l, "'and'");
		syntax_add(l, "'or'");
	}
	if (m & GX_CLOSE)
		syntax_add(l, "')'");
	if (m & GX_END)
		syntax_add(l, "the end of the expression");
}

/* A keyword where a name was possible: "ether proto ip" wants "\\ip". */
static void
syntax_keyword_hint(const struct gram_state *st, const struct gram_expect *x, char *buf,
		    size_t size)
{
	uint32_t n = x->at.end - x->at.begin;
	const char *w = st->text + x->at.begin;

	buf[0] = '\0';
	if (!(x->mask & GX_NAME) || x->tok < 256 || x->tok == TOK_NUM || x->tok == TOK_ID ||
	    x->tok == TOK_AND || x->tok == TOK_OR || n == 0 || n > 32)
		return;
	for (uint32_t i = 0; i < n; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9') || w[i] == '-'))
			return;
	snprintf(buf, size, " ('%.*s' is a keyword: write '\\%.*s' for the name)", (int)n, w,
		 (int)n, w);
}

void
gram_syntax_error(struct gram_state *st, const struct gram_expect *x)
{
	char got[96], prev[96], expected[384], hint[96];
	struct syntax_list l = {{0}, 0};

	if (diag_failed(st->err) || x->tok == TOK_LEX_ERROR)
		return; /* the scanner said what was wrong */
	if (x->tok == ')' && st->stray_close && st->stray_close_at == x->at.begin) {
		gram_fail(st, BPFC_ESYNTAX, x->at.begin, x->at.end,
			  "unbalanced parenthesis: this ')' has no matching '('");
		return;
	}
	if (x->tok == TOK_END && st->nopen > 0 && (x->mask & GX_CLOSE)) {
		uint32_t open = st->open[st->nopen - 1];
		gram_fail(st, BPFC_ESYNTAX, open, open + 1,
			  "unbalanced parenthesis: this '(' is never closed");
		return;
	}
	if (x->tok == TOK_END)
		snprintf(got, sizeof(got), "end of expression");
	else
		gram_quote(st, got, sizeof(got), x->at);
	if (st->prev_tok != 0)
		gram_quote(st, prev, sizeof(prev), st->prev_at);
	else
		prev[0] = '\0';
	syntax_expected(st, x, &l);
	syntax_join(expected, sizeof(expected), &l);
	syntax_keyword_hint(st, x, hint, sizeof(hint));
	gram_fail(st, BPFC_ESYNTAX, x->at.begin, x->at.end, "syntax error: unexpected %s%s%s%s%s%s",
		  got, prev[0] != '\0' ? " after " : " at the start",
		  prev, l.n > 0 ? "; expected " : "", expected, hint);
}
