/*
 * strbuf.h: a growable, always NUL-terminated byte string.
 *
 * Appends after an allocation failure do nothing and leave `failed` set, so
 * a writer appends freely and checks once at the end (sticky error).
 */
#ifndef BPFC_BASE_STRBUF_H
#define BPFC_BASE_STRBUF_H

#include <stddef.h>

#include "base/diag.h"

struct strbuf {
	char *data; /* malloc'd; NUL-terminated when len > 0 or after first append */
	size_t len, cap;
	int failed;
};

void strbuf_init(struct strbuf *b);
void strbuf_append(struct strbuf *b, const char *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) DIAG_PRINTF(2, 3);
/* Hand the string to the caller (malloc'd; "" when empty); NULL if an
 * append failed.  The buffer is left empty. */
char *strbuf_take(struct strbuf *b);
void strbuf_release(struct strbuf *b);

#endif
