/*
 * diag.h: errors as values.
 *
 * A struct bpfc_error (include/bpfc.h) is the diagnostic: the first error
 * reported wins and later ones are ignored, so a stage can keep going to a
 * convenient exit point and the caller checks once.  Positions are either
 * an instruction index (programs) or a byte range of the input (text).
 */
#ifndef BPFC_BASE_DIAG_H
#define BPFC_BASE_DIAG_H

#include <stdint.h>
#include <stdio.h>

#include "bpfc.h"

#if defined(__GNUC__)
#define DIAG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DIAG_PRINTF(f, a)
#endif

void diag_init(struct bpfc_error *e);
/* Non-zero once an error has been recorded. */
int diag_failed(const struct bpfc_error *e);

/* Record an error about input bytes [begin, end).  Returns -1. */
int diag_at(struct bpfc_error *e, enum bpfc_status code, uint32_t begin, uint32_t end,
	    const char *fmt, ...) DIAG_PRINTF(5, 6);
/* Record an error about instruction `insn`; the message reads
 * "insn N: ...".  Returns -1. */
int diag_insn(struct bpfc_error *e, enum bpfc_status code, size_t insn, const char *fmt, ...)
	DIAG_PRINTF(4, 5);
/* Record an error with no position.  Returns -1. */
int diag_plain(struct bpfc_error *e, enum bpfc_status code, const char *fmt, ...)
	DIAG_PRINTF(3, 4);

/* Copy the message into a pcap-style errbuf (may be NULL). */
void diag_to_errbuf(const struct bpfc_error *e, char *errbuf);

/*
 * Print the error the way the CLI shows it:
 *   PROG: error: MESSAGE
 *     the line of input holding the error
 *          ^~~~~
 * `input` may be NULL (no caret then); `name` (may be NULL) prefixes the
 * line number for multi-line input ("FILE:LINE:").
 */
void diag_print(FILE *out, const char *prog, const struct bpfc_error *e, const char *input,
		size_t input_len, const char *name);

#endif
