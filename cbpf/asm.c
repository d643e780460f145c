/*
 * asm.c: reading a listing back into instructions.
 *
 * Takes text in any of the three forms tcpdump prints (see listing.c):
 *   -d    "(000) ldh      [12]", "(001) jeq #0x800 jt 2\tjf 5": absolute
 *         jump targets; the "(NNN)" prefix may be left out in hand-written
 *         text, and then lines are numbered by position;
 *   -dd   "{ 0x28, 0, 0, 0x0000000c },";
 *   -ddd  a count line, then "CODE JT JF K" in decimal.
 * The form is chosen by the first significant character: '{' is -dd, a
 * digit -ddd, anything else -d.  In every form blank lines, any whitespace
 * (CR of CRLF included) and comments (";" or "//" to the end of the line)
 * are allowed.
 *
 * Gives the instructions, allocated in the caller's arena, NOT validated:
 * the caller runs cbpf_validate.  Reading -d is driven by the opcode
 * table: a line's mnemonic and the shape of its operand pick the one table
 * entry with that mnemonic and operand kind.  Whatever the listing prints
 * reads back to the same instruction: negative numbers where libpcap
 * prints "%d" (k >= 2^31), the Linux ancillary names ("[proto]"), and
 * "unimp 0xCODE" for codes outside the table (with k = 0).
 *
 * Errors: the first one ends the reading, with the byte range of the
 * offending token.
 */
#include <config.h>

#include <linux/filter.h>
#include <stdio.h>
#include <string.h>

#include "base/diag.h"
#include "cbpf/cbpf.h"

/* The shape an operand has in the -d text, before the table says which
 * instruction it belongs to. */
enum asm_shape {
	ASM_NONE, /* nothing: tax, ret (the accumulator) */
	ASM_A,    /* a: "ret a", hand-written */
	ASM_X,    /* x */
	ASM_ABS,  /* [k] or [name] */
	ASM_IND,  /* [x + k] */
	ASM_LEN,  /* #pktlen */
	ASM_HASH, /* #k */
	ASM_MEM,  /* M[k] */
	ASM_MSH,  /* 4*([k]&0xf) */
	ASM_NUM   /* k: a ja target, or unimp's code */
};

/* Per operand kind: the shape it is written in, and whether libpcap
 * prints its k with "%d" (so k >= 2^31 appears negative). */
static const struct {
	enum asm_shape shape;
	int is_signed;
} asm_kinds[] = {
	[CBPF_OPND_NONE] = {ASM_NONE, 0}, [CBPF_OPND_ABS] = {ASM_ABS, 1},
	[CBPF_OPND_IND] = {ASM_IND, 1},   [CBPF_OPND_LEN] = {ASM_LEN, 0},
	[CBPF_OPND_IMM] = {ASM_HASH, 0},  [CBPF_OPND_MEM] = {ASM_MEM, 1},
	[CBPF_OPND_MSH] = {ASM_MSH, 1},   [CBPF_OPND_JA] = {ASM_NUM, 0},
	[CBPF_OPND_JK] = {ASM_HASH, 0},   [CBPF_OPND_JX] = {ASM_X, 0},
	[CBPF_OPND_DEC] = {ASM_HASH, 1},  [CBPF_OPND_HEX] = {ASM_HASH, 0},
	[CBPF_OPND_X] = {ASM_X, 0},       [CBPF_OPND_RETK] = {ASM_HASH, 1},
	[CBPF_OPND_RETA] = {ASM_NONE, 0}, [CBPF_OPND_CODE] = {ASM_NUM, 0},
};

/* A number as written: its magnitude (saturated), sign and token range. */
struct asm_num {
	uint64_t mag;
	int neg, overflow;
	uint32_t b, e;
};

/* A parsed -d operand. */
struct asm_operand {
	enum asm_shape shape;
	struct asm_num num; /* when the shape has a number */
	int named;          /* [name]: k is already known */
	uint32_t k;
	uint32_t b, e;      /* the whole operand */
};

struct asm_state {
	struct arena *a;
	const char *text;
	size_t len;
	size_t pos;         /* cursor, inside the current line */
	size_t lb, le;      /* current line's content: comment and newline cut */
	size_t next;        /* where the next line starts */
	struct bpfc_insn *insns;
	size_t n, cap;
	struct bpfc_error *err;
};

/* ---- lines and tokens ---------------------------------------------------- */

/* ASCII classes, by hand: <ctype.h> answers by locale, and a listing's
 * meaning must not change with the caller's setlocale(). */
static int
asm_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int
asm_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

static int
asm_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* Does the n-byte `text` spell the NUL-terminated `word`, ignoring ASCII
 * case (mnemonics and keywords may be typed in capitals)? */
static int
asm_same_word(const char *text, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (word[i] == '\0' || c != word[i])
			return 0;
	}
	return word[n] == '\0';
}

/* Move to the next line; 0 at the end of the text. */
static int
asm_next_line(struct asm_state *s)
{
	if (s->next >= s->len)
		return 0;
	size_t i = s->next, end = s->len;
	const char *nl = memchr(s->text + i, '\n', s->len - i);
	if (nl != NULL)
		end = (size_t)(nl - s->text);
	s->lb = s->pos = i;
	s->le = end;
	s->next = end + 1;
	for (; i < end; i++) {
		if (s->text[i] == ';' || (s->text[i] == '/' && i + 1 < end && s->text[i + 1] == '/')) {
			s->le = i;
			break;
		}
	}
	return 1;
}

static void
asm_skip_space(struct asm_state *s)
{
	while (s->pos < s->le && asm_space(s->text[s->pos]))
		s->pos++;
}

static int
asm_at_eol(struct asm_state *s)
{
	asm_skip_space(s);
	return s->pos >= s->le;
}

static int
asm_is_word(char c)
{
	return asm_alpha(c) || asm_isdigit(c);
}

/* The end of the token starting at `b`: a word or number, or one character. */
static size_t
asm_token_end(const struct asm_state *s, size_t b)
{
	size_t e = b;
	if (e < s->le && s->text[e] == '-')
		e++;
	while (e < s->le && asm_is_word(s->text[e]))
		e++;
	return e > b ? e : b + 1;
}

/* The text [b, e) for a message, quoted; bytes a terminal would act on
 * are shown as \xNN, as diag_print shows the line. */
static const char *
asm_quote(char *buf, size_t size, const char *text, size_t b, size_t e)
{
	size_t o = 0;

	buf[o++] = '\'';
	for (size_t i = b; i < e && o + 6 < size; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

/* An error about the next token on the line, or, at the end of the line,
 * about the text from `from` to here (what was read of the construct). */
static int
asm_error_here(struct asm_state *s, size_t from, const char *what)
{
	asm_skip_space(s);
	if (s->pos < s->le) {
		size_t e = asm_token_end(s, s->pos);
		char q[80];
		return diag_at(s->err, BPFC_ESYNTAX, (uint32_t)s->pos, (uint32_t)e, "%s, found %s",
			       what, asm_quote(q, sizeof(q), s->text, s->pos, e));
	}
	while (from < s->pos && asm_space(s->text[from]))
		from++;
	size_t end = s->pos;
	while (end > from && asm_space(s->text[end - 1]))
		end--;
	return diag_at(s->err, BPFC_ESYNTAX, (uint32_t)from, (uint32_t)end,
		       "%s at the end of the line", what);
}

/* Consume `c` (after spaces) or fail with "expected 'c' <where>". */
static int
asm_expect(struct asm_state *s, char c, size_t from, const char *where)
{
	char what[96];

	asm_skip_space(s);
	if (s->pos < s->le && s->text[s->pos] == c) {
		s->pos++;
		return 0;
	}
	snprintf(what, sizeof(what), "expected '%c' %s", c, where);
	return asm_error_here(s, from, what);
}

/* A word (letters, digits, '_') at the cursor; 0 if there is none. */
static size_t
asm_word(struct asm_state *s, size_t *b)
{
	asm_skip_space(s);
	*b = s->pos;
	if (s->pos >= s->le || !asm_alpha(s->text[s->pos]))
		return 0;
	while (s->pos < s->le && asm_is_word(s->text[s->pos]))
		s->pos++;
	return s->pos - *b;
}

/* Is the next word `w` (case-insensitive)?  Consumes it if so. */
static int
asm_keyword(struct asm_state *s, const char *w)
{
	size_t save = s->pos, b, n = asm_word(s, &b);
	if (n > 0 && asm_same_word(s->text + b, n, w))
		return 1;
	s->pos = save;
	return 0;
}

/* ---- numbers ------------------------------------------------------------- */

static int
asm_digit(char c, int base)
{
	int d = asm_isdigit(c) ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
	return d < base ? d : -1;
}

/* A decimal or 0x-hex number, maybe negative.  "what" names the thing
 * expected, for the error when there is no number here. */
static int
asm_number(struct asm_state *s, struct asm_num *num, size_t from, const char *what)
{
	const char *t = s->text;
	size_t i;
	int base = 10;

	asm_skip_space(s);
	memset(num, 0, sizeof(*num));
	i = s->pos;
	if (i < s->le && t[i] == '-') {
		num->neg = 1;
		i++;
	}
	if (i >= s->le || !asm_isdigit(t[i]))
		return asm_error_here(s, from, what);
	if (t[i] == '0' && i + 2 < s->le && (t[i + 1] == 'x' || t[i + 1] == 'X') &&
	    asm_digit(t[i + 2], 16) >= 0) {
		base = 16;
		i += 2;
	}
	for (; i < s->le && asm_digit(t[i], base) >= 0; i++) {
		uint64_t d = (uint64_t)asm_digit(t[i], base);
		if (num->mag > (UINT64_MAX - d) / (uint64_t)base)
			num->overflow = 1;
		else
			num->mag = num->mag * (uint64_t)base + d;
	}
	num->b = (uint32_t)s->pos;
	num->e = (uint32_t)asm_token_end(s, s->pos);
	s->pos = num->e;
	if (num->e != i)
		return diag_at(s->err, BPFC_ESYNTAX, num->b, num->e, "bad number '%.*s'",
			       (int)(num->e - num->b), t + num->b);
	return 0;
}

/* The number as an unsigned value in [0, max]. */
static int
asm_unsigned(struct asm_state *s, const struct asm_num *num, uint32_t max, uint32_t *out)
{
	if (num->neg || num->overflow || num->mag > max)
		return diag_at(s->err, BPFC_ERANGE, num->b, num->e,
			       "number %.*s out of range (0-%u)", (int)(num->e - num->b),
			       s->text + num->b, (unsigned)max);
	*out = (uint32_t)num->mag;
	return 0;
}

/* A 32-bit k, written unsigned or, where libpcap prints "%d", as a
 * negative number standing for k >= 2^31. */
static int
asm_k(struct asm_state *s, const struct asm_num *num, int is_signed, uint32_t *out)
{
	if (!num->neg)
		return asm_unsigned(s, num, UINT32_MAX, out);
	if (!is_signed || num->overflow || num->mag > 0x80000000u)
		return diag_at(s->err, BPFC_ERANGE, num->b, num->e,
			       "number %.*s out of range (%s)", (int)(num->e - num->b),
			       s->text + num->b,
			       is_signed ? "-2147483648 to 4294967295" : "0-4294967295");
	*out = (uint32_t)(0x100000000ull - num->mag);
	return 0;
}

/* An absolute jump target of the instruction at `pc` as an offset: the
 * target must come after `pc` and the offset fit `max`. */
static int
asm_target(struct asm_state *s, const struct asm_num *num, size_t pc, uint32_t max,
	   const char *field, uint32_t *out)
{
	int len = (int)(num->e - num->b);
	const char *t = s->text + num->b;

	if (num->neg || num->mag < (uint64_t)pc)
		return diag_at(s->err, BPFC_ERANGE, num->b, num->e,
			       "jump target %.*s is behind instruction %zu (jumps go forward only)",
			       len, t, pc);
	if (num->mag == (uint64_t)pc)
		return diag_at(s->err, BPFC_ERANGE, num->b, num->e,
			       "jump target %.*s is instruction %zu itself (jumps go forward only)",
			       len, t, pc);
	if (num->overflow || num->mag - pc - 1 > max) {
		if (num->overflow)
			return diag_at(s->err, BPFC_ERANGE, num->b, num->e,
				       "jump target %.*s out of range", len, t);
		return diag_at(s->err, BPFC_ERANGE, num->b, num->e,
			       "jump offset %llu does not fit in %d bits (%s)",
			       (unsigned long long)(num->mag - pc - 1), max == 255 ? 8 : 32,
			       field);
	}
	*out = (uint32_t)(num->mag - pc - 1);
	return 0;
}

/* ---- instructions -------------------------------------------------------- */

static int
asm_push(struct asm_state *s, const struct bpfc_insn *insn)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct bpfc_insn *p = arena_calloc(s->a, cap, sizeof(*p));
		if (p == NULL)
			return diag_plain(s->err, BPFC_ENOMEM, "out of memory");
		if (s->n > 0)
			memcpy(p, s->insns, s->n * sizeof(*p));
		s->insns = p;
		s->cap = cap;
	}
	s->insns[s->n++] = *insn;
	return 0;
}

static int
asm_end_of_insn(struct asm_state *s)
{
	if (asm_at_eol(s))
		return 0;
	size_t e = asm_token_end(s, s->pos);
	char q[80];
	return diag_at(s->err, BPFC_ESYNTAX, (uint32_t)s->pos, (uint32_t)e,
		       "unexpected %s after the instruction",
		       asm_quote(q, sizeof(q), s->text, s->pos, e));
}

/* libpcap prints jt/jf for every jump-class code but ja, valid or not. */
static int
asm_has_targets(uint16_t code)
{
	return CBPF_CLASS(code) == CBPF_JMP && (code & 0xf0) != CBPF_JA;
}

/* ---- the -d form ---------------------------------------------------------- */

/*
 * The Linux ancillary offset called `name` in "ld [name]".  The names are
 * whatever the listing prints for SKF_AD_OFF + off, so a listing always
 * reads back to the same k and the names live in one place (listing.c).
 */
static int
asm_ancillary(const char *name, size_t len, uint32_t *k)
{
	for (uint32_t off = 0; off < SKF_AD_MAX; off++) {
		struct bpfc_insn insn = {CBPF_LD | CBPF_W | CBPF_ABS, 0, 0, (uint32_t)SKF_AD_OFF + off};
		struct strbuf b;

		strbuf_init(&b);
		cbpf_image(&b, &insn, 0);
		const char *open = b.data != NULL ? strchr(b.data, '[') : NULL;
		int hit = open != NULL && strlen(open) == len + 2 &&
			  strncmp(open + 1, name, len) == 0;
		strbuf_release(&b);
		if (hit) {
			*k = insn.k;
			return 0;
		}
	}
	return -1;
}

/* "[k]", "[name]" or "[x + k]"; the cursor is after '['. */
static int
asm_bracket(struct asm_state *s, struct asm_operand *o)
{
	size_t b, n;

	o->shape = ASM_ABS;
	if (asm_keyword(s, "x")) {
		o->shape = ASM_IND;
		if (asm_expect(s, '+', o->b, "after 'x'") < 0)
			return -1;
	} else if ((n = asm_word(s, &b)) > 0) {
		if (asm_ancillary(s->text + b, n, &o->k) < 0)
			return diag_at(s->err, BPFC_ESYNTAX, (uint32_t)b, (uint32_t)(b + n),
				       "unknown packet offset name '%.*s'", (int)n, s->text + b);
		o->named = 1;
		return asm_expect(s, ']', o->b, "after the offset");
	}
	if (asm_number(s, &o->num, o->b, "expected an offset") < 0)
		return -1;
	return asm_expect(s, ']', o->b, "after the offset");
}

/* "M[k]" (after the M) and "4*([k]&0xf)" (after the 4). */
static int
asm_mem(struct asm_state *s, struct asm_operand *o)
{
	o->shape = ASM_MEM;
	if (asm_expect(s, '[', o->b, "after 'M'") < 0 ||
	    asm_number(s, &o->num, o->b, "expected a memory slot") < 0)
		return -1;
	return asm_expect(s, ']', o->b, "after the memory slot");
}

static int
asm_msh(struct asm_state *s, struct asm_operand *o)
{
	struct asm_num mask;

	o->shape = ASM_MSH;
	if (asm_expect(s, '*', o->b, "in 4*([k]&0xf)") < 0 ||
	    asm_expect(s, '(', o->b, "in 4*([k]&0xf)") < 0 ||
	    asm_expect(s, '[', o->b, "in 4*([k]&0xf)") < 0 ||
	    asm_number(s, &o->num, o->b, "expected an offset") < 0 ||
	    asm_expect(s, ']', o->b, "after the offset") < 0 ||
	    asm_expect(s, '&', o->b, "in 4*([k]&0xf)") < 0 ||
	    asm_number(s, &mask, o->b, "expected 0xf") < 0)
		return -1;
	if (mask.neg || mask.mag != 0xf)
		return diag_at(s->err, BPFC_ESYNTAX, mask.b, mask.e,
			       "the mask in 4*([k]&0xf) must be 0xf");
	return asm_expect(s, ')', o->b, "in 4*([k]&0xf)");
}

/* The operand after a mnemonic, as a shape (and its number). */
static int
asm_operand(struct asm_state *s, struct asm_operand *o)
{
	memset(o, 0, sizeof(*o));
	asm_skip_space(s);
	o->b = (uint32_t)s->pos;
	int rc = 0;
	char c = s->pos < s->le ? s->text[s->pos] : '\0';

	if (s->pos >= s->le) {
		o->shape = ASM_NONE;
	} else if (c == '[') {
		s->pos++;
		rc = asm_bracket(s, o);
	} else if (c == '#') {
		s->pos++;
		if (asm_keyword(s, "pktlen"))
			o->shape = ASM_LEN;
		else {
			o->shape = ASM_HASH;
			rc = asm_number(s, &o->num, o->b, "expected a number after '#'");
		}
	} else if (asm_keyword(s, "x")) {
		o->shape = ASM_X;
	} else if (asm_keyword(s, "a")) {
		o->shape = ASM_A;
	} else if (asm_keyword(s, "jt")) {
		s->pos = o->b; /* no operand; the jump targets follow */
		o->shape = ASM_NONE;
	} else if (asm_keyword(s, "m")) {
		rc = asm_mem(s, o);
	} else if (asm_isdigit(c) || c == '-') {
		o->shape = ASM_NUM;
		rc = asm_number(s, &o->num, o->b, "expected a number");
		asm_skip_space(s);
		if (rc == 0 && s->pos < s->le && s->text[s->pos] == '*' && !o->num.neg &&
		    o->num.mag == 4)
			rc = asm_msh(s, o);
	} else {
		size_t e = asm_token_end(s, s->pos);
		char q[80];
		rc = diag_at(s->err, BPFC_ESYNTAX, (uint32_t)s->pos, (uint32_t)e,
			     "unexpected %s where an operand belongs",
			     asm_quote(q, sizeof(q), s->text, s->pos, e));
	}
	o->e = (uint32_t)s->pos;
	return rc;
}

/* The table entry with this mnemonic whose operand kind is written in
 * this shape. */
static enum cbpf_op
asm_lookup(struct asm_state *s, size_t mb, size_t mn, const struct asm_operand *o)
{
	int known = 0;

	for (int op = CBPF_OP_INVALID + 1; op < CBPF_OP_COUNT; op++) {
		const struct cbpf_opinfo *info = &cbpf_opinfo[op];
		if (!asm_same_word(s->text + mb, mn, info->mnemonic))
			continue;
		known = 1;
		enum asm_shape want = asm_kinds[info->operand].shape;
		if (want == o->shape || (info->operand == CBPF_OPND_RETA && o->shape == ASM_A))
			return (enum cbpf_op)op;
	}
	if (!known)
		diag_at(s->err, BPFC_ESYNTAX, (uint32_t)mb, (uint32_t)(mb + mn),
			"unknown mnemonic '%.*s'", (int)mn, s->text + mb);
	else if (o->shape == ASM_NONE)
		diag_at(s->err, BPFC_ESYNTAX, (uint32_t)mb, (uint32_t)(mb + mn),
			"'%.*s' needs an operand", (int)mn, s->text + mb);
	else
		diag_at(s->err, BPFC_ESYNTAX, o->b, o->e, "'%.*s' cannot take the operand '%.*s'",
			(int)mn, s->text + mb, (int)(o->e - o->b), s->text + o->b);
	return CBPF_OP_INVALID;
}

/* The k of an operand for an instruction of kind `kind` at `pc`. */
static int
asm_operand_k(struct asm_state *s, const struct asm_operand *o, enum cbpf_operand kind,
	      size_t pc, uint32_t *k)
{
	*k = 0;
	if (o->named)
		*k = o->k;
	else if (kind == CBPF_OPND_JA)
		return asm_target(s, &o->num, pc, UINT32_MAX, "ja", k);
	else if (o->shape != ASM_NONE && o->shape != ASM_A && o->shape != ASM_X &&
		 o->shape != ASM_LEN)
		return asm_k(s, &o->num, asm_kinds[kind].is_signed, k);
	return 0;
}

/* "jt N jf M" after a conditional jump (absolute targets). */
static int
asm_targets(struct asm_state *s, struct bpfc_insn *insn, size_t from)
{
	struct asm_num t;
	uint32_t v;

	if (!asm_keyword(s, "jt"))
		return asm_error_here(s, from, "expected 'jt' after the operand of a jump");
	if (asm_number(s, &t, from, "expected a jump target after 'jt'") < 0 ||
	    asm_target(s, &t, s->n, 255, "jt", &v) < 0)
		return -1;
	insn->jt = (uint8_t)v;
	if (!asm_keyword(s, "jf"))
		return asm_error_here(s, from, "expected 'jf' after the 'jt' target");
	if (asm_number(s, &t, from, "expected a jump target after 'jf'") < 0 ||
	    asm_target(s, &t, s->n, 255, "jf", &v) < 0)
		return -1;
	insn->jf = (uint8_t)v;
	return 0;
}

/* "(NNN)": must be the index the instruction will get. */
static int
asm_index(struct asm_state *s)
{
	struct asm_num num;
	size_t b = s->pos;

	s->pos++;
	if (asm_number(s, &num, b, "expected an instruction index after '('") < 0 ||
	    asm_expect(s, ')', b, "after the instruction index") < 0)
		return -1;
	if (num.neg || num.overflow || num.mag != s->n)
		return diag_at(s->err, BPFC_ESYNTAX, (uint32_t)b, (uint32_t)s->pos,
			       "instruction index %.*s out of sequence, expected (%03zu)",
			       (int)(s->pos - b), s->text + b, s->n);
	return 0;
}

/* One -d line: [(NNN)] mnemonic [operand] [jt N jf M]. */
static int
asm_d_line(struct asm_state *s)
{
	struct bpfc_insn insn = {0, 0, 0, 0};
	struct asm_operand o;
	size_t mb, mn;

	if (asm_at_eol(s))
		return 0;
	if (s->text[s->pos] == '(' && asm_index(s) < 0)
		return -1;
	if ((mn = asm_word(s, &mb)) == 0)
		return asm_error_here(s, s->lb, "expected a mnemonic");
	if (asm_operand(s, &o) < 0)
		return -1;
	if (asm_same_word(s->text + mb, mn, "unimp")) {
		uint32_t code = 0;
		if (o.shape != ASM_NUM)
			return asm_error_here(s, mb, "expected the code after 'unimp'");
		if (asm_unsigned(s, &o.num, 0xffff, &code) < 0)
			return -1;
		insn.code = (uint16_t)code;
	} else {
		enum cbpf_op op = asm_lookup(s, mb, mn, &o);
		if (op == CBPF_OP_INVALID ||
		    asm_operand_k(s, &o, cbpf_opinfo[op].operand, s->n, &insn.k) < 0)
			return -1;
		insn.code = cbpf_opinfo[op].code;
	}
	if (asm_has_targets(insn.code) && asm_targets(s, &insn, mb) < 0)
		return -1;
	if (asm_end_of_insn(s) < 0)
		return -1;
	return asm_push(s, &insn);
}

/* ---- the -dd and -ddd forms ------------------------------------------------ */

/* Four numbers: code jt jf k, separated by `sep` (',' or 0 for spaces). */
static int
asm_fields(struct asm_state *s, char sep, struct bpfc_insn *insn)
{
	static const char *const names[] = {"code", "jt", "jf", "k"};
	static const uint32_t max[] = {0xffff, 0xff, 0xff, UINT32_MAX};
	uint32_t v[4];
	struct asm_num num;
	char what[64];

	for (int i = 0; i < 4; i++) {
		if (i > 0 && sep != 0 && asm_expect(s, sep, s->lb, "between the fields") < 0)
			return -1;
		snprintf(what, sizeof(what), "expected the %s field", names[i]);
		if (asm_number(s, &num, s->lb, what) < 0)
			return -1;
		if ((i == 1 || i == 2) && !num.neg && (num.overflow || num.mag > 255))
			return diag_at(s->err, BPFC_ERANGE, num.b, num.e,
				       "jump offset %.*s does not fit in 8 bits (%s)",
				       (int)(num.e - num.b), s->text + num.b, names[i]);
		if (asm_unsigned(s, &num, max[i], &v[i]) < 0)
			return -1;
	}
	insn->code = (uint16_t)v[0];
	insn->jt = (uint8_t)v[1];
	insn->jf = (uint8_t)v[2];
	insn->k = v[3];
	return 0;
}

/* One -dd line: "{ code, jt, jf, k }," (the comma may be left out). */
static int
asm_dd_line(struct asm_state *s)
{
	struct bpfc_insn insn;

	if (asm_at_eol(s))
		return 0;
	if (asm_expect(s, '{', s->lb, "to start an instruction") < 0 ||
	    asm_fields(s, ',', &insn) < 0 || asm_expect(s, '}', s->lb, "after the k field") < 0)
		return -1;
	asm_skip_space(s);
	if (s->pos < s->le && s->text[s->pos] == ',')
		s->pos++;
	if (asm_end_of_insn(s) < 0)
		return -1;
	return asm_push(s, &insn);
}

/* The -ddd form: a count line, then that many "code jt jf k" lines. */
static int
asm_ddd(struct asm_state *s)
{
	struct asm_num count;
	struct bpfc_insn insn;

	while (asm_next_line(s) && asm_at_eol(s))
		;
	if (asm_number(s, &count, s->lb, "expected the instruction count") < 0 ||
	    asm_end_of_insn(s) < 0)
		return -1;
	while (asm_next_line(s)) {
		if (asm_at_eol(s))
			continue;
		if (asm_fields(s, 0, &insn) < 0 || asm_end_of_insn(s) < 0 || asm_push(s, &insn) < 0)
			return -1;
	}
	if (count.neg || count.overflow || count.mag != s->n)
		return diag_at(s->err, BPFC_ESYNTAX, count.b, count.e,
			       "the count line says %.*s instructions but %zu follow",
			       (int)(count.e - count.b), s->text + count.b, s->n);
	return 0;
}

/* ---- entry point ------------------------------------------------------------ */

/* The first character that is not space or comment, or 0. */
static char
asm_first(struct asm_state *s)
{
	struct asm_state probe = *s;

	while (asm_next_line(&probe))
		if (!asm_at_eol(&probe))
			return probe.text[probe.pos];
	return 0;
}

int
cbpf_assemble(struct arena *a, const char *text, size_t len, struct bpfc_insn **insns,
	      size_t *n, struct bpfc_error *err)
{
	struct asm_state s;
	char first;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	s.a = a;
	s.text = text;
	s.len = text != NULL ? len : 0;
	s.err = err;
	*insns = NULL;
	*n = 0;
	if (s.len > UINT32_MAX) /* byte ranges are 32-bit */
		return diag_plain(err, BPFC_ERANGE, "text too long (over 4 GiB)");
	first = asm_first(&s);
	if (first == 0)
		return diag_plain(err, BPFC_ESYNTAX, "empty program");
	if (asm_isdigit(first))
		rc = asm_ddd(&s);
	else
		while (rc == 0 && asm_next_line(&s))
			rc = first == '{' ? asm_dd_line(&s) : asm_d_line(&s);
	if (rc < 0)
		return -1;
	if (s.n == 0)
		return diag_plain(err, BPFC_ESYNTAX, "empty program");
	*insns = s.insns;
	*n = s.n;
	return 0;
}
