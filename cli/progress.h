/*
 * progress.h: the progress line `bpfc -r` draws on a terminal.
 *
 * Takes the bytes and packets read so far; gives, on standard error, one
 * line redrawn in place at most PROGRESS_HZ times a second: bytes read (of
 * the total when known, with the percentage and an ETA), and packets per
 * second.  It is erased by progress_end, so nothing of it stays in the
 * terminal's scrollback.  Disabled, every call does nothing.
 */
#ifndef BPFC_CLI_PROGRESS_H
#define BPFC_CLI_PROGRESS_H

#include <stdint.h>
#include <time.h>

struct progress {
	int on, drawn;
	int64_t total;           /* bytes, or -1 when unknown (a pipe) */
	struct timespec start, last;
};

/* Enable when `enabled` (the caller decides: a terminal, a large input). */
void progress_init(struct progress *pg, int64_t total, int enabled);

void progress_tick(struct progress *pg, uint64_t bytes, uint64_t packets);

/* Erase the line if one was drawn. */
void progress_end(struct progress *pg);

#endif
