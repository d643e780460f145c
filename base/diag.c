/*
 * diag.c: recording errors (first one wins) and drawing carets under them.
 */
#include <config.h>

#include <stdarg.h>
#include <string.h>

#include "base/diag.h"

void
diag_init(struct bpfc_error *e)
{
	memset(e, 0, sizeof(*e));
	e->insn = -1;
}

int
diag_failed(const struct bpfc_error *e)
{
	return e->code != BPFC_OK;
}

static int
diag_vset(struct bpfc_error *e, enum bpfc_status code, int insn, uint32_t begin, uint32_t end,
	  const char *prefix, const char *fmt, va_list ap)
{
	if (e == NULL || e->code != BPFC_OK)
		return -1;
	e->code = code;
	e->insn = insn;
	e->begin = begin;
	e->end = end < begin ? begin : end;
	size_t off = 0;
	if (prefix != NULL) {
		int w = snprintf(e->msg, sizeof(e->msg), "%s", prefix);
		off = w > 0 ? (size_t)w : 0;
		if (off >= sizeof(e->msg))
			off = sizeof(e->msg) - 1;
	}
	vsnprintf(e->msg + off, sizeof(e->msg) - off, fmt, ap);
	return -1;
}

int
diag_at(struct bpfc_error *e, enum bpfc_status code, uint32_t begin, uint32_t end,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vset(e, code, -1, begin, end, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int
diag_insn(struct bpfc_error *e, enum bpfc_status code, size_t insn, const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "insn %zu: ", insn);
	va_start(ap, fmt);
	diag_vset(e, code, insn > INT32_MAX ? -1 : (int)insn, 0, 0, prefix, fmt, ap);
	va_end(ap);
	return -1;
}

int
diag_plain(struct bpfc_error *e, enum bpfc_status code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vset(e, code, -1, 0, 0, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

void
diag_to_errbuf(const struct bpfc_error *e, char *errbuf)
{
	if (errbuf != NULL)
		snprintf(errbuf, BPFC_ERRBUF_SIZE, "%s", e->msg);
}

static int
diag_byte_width(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' ? 1 : 4;
}

static void
diag_put_byte(FILE *out, unsigned char c)
{
	if (diag_byte_width(c) == 1)
		fputc(c, out);
	else
		fprintf(out, "\\x%02x", c);
}

void
diag_print(FILE *out, const char *prog, const struct bpfc_error *e, const char *input,
	   size_t input_len, const char *name)
{
	size_t begin = e->begin, end = e->end;
	int has_range = input != NULL && (end > begin || begin != 0) && begin <= input_len;

	if (!has_range) {
		fprintf(out, "%s: error: %s\n", prog, e->msg);
		return;
	}
	/* Find the line holding `begin`. */
	size_t ls = begin, le = begin, lineno = 1;
	while (ls > 0 && input[ls - 1] != '\n')
		ls--;
	while (le < input_len && input[le] != '\n')
		le++;
	for (size_t i = 0; i < ls; i++)
		lineno += input[i] == '\n';
	int multiline = memchr(input, '\n', input_len) != NULL &&
			!(memchr(input, '\n', input_len) == input + input_len - 1);
	if (multiline && name != NULL)
		fprintf(out, "%s:%zu:%zu: error: %s\n", name, lineno, begin - ls + 1, e->msg);
	else if (multiline)
		fprintf(out, "%s: error: line %zu: %s\n", prog, lineno, e->msg);
	else
		fprintf(out, "%s: error: %s\n", prog, e->msg);
	/* Bytes a terminal would act on are shown as \xNN, and the caret line
	 * advances by the same width so it still points at the right column. */
	fputs("  ", out);
	for (size_t i = ls; i < le; i++)
		diag_put_byte(out, (unsigned char)input[i]);
	fputs("\n  ", out);
	for (size_t i = ls; i < begin; i++) {
		if (input[i] == '\t')
			fputc('\t', out);
		else
			fprintf(out, "%*s", diag_byte_width((unsigned char)input[i]), "");
	}
	fputc('^', out);
	if (end > le)
		end = le;
	for (size_t i = begin; i < end; i++) {
		int w = diag_byte_width((unsigned char)input[i]) - (i == begin);
		while (w-- > 0)
			fputc('~', out);
	}
	fputc('\n', out);
}
