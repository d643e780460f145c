/*
 * packets.h: the fixed packet set the corpus benchmark runs programs on.
 *
 * Takes: a link type, a seed and two counts.  Gives: the project's
 * generated packets for that link type (for DLT_EN10MB testenv_pool's
 * pktgen frames plus random packets; otherwise pktgen's frames, or none
 * when pktgen does not frame that link type) followed
 * by the packets of every $BPFC_SHARED/pcaps capture of that link type
 * (MANIFEST.tsv), each in its own exact-size buffer.  The set is a
 * function of the seed and the capture files only.
 */
#ifndef BPFC_BENCH_PACKETS_H
#define BPFC_BENCH_PACKETS_H

#include <stddef.h>
#include <stdint.h>

struct bpkt {
	uint8_t *data; /* caplen bytes, malloc'd (at least 1) */
	uint32_t caplen, wirelen;
};

struct bpkts {
	struct bpkt *v;
	size_t n, cap;
	size_t ngen;     /* v[0..ngen) are generated, the rest read */
	size_t nfiles;   /* capture files read */
	int manifest;    /* 1 when MANIFEST.tsv was found */
	char manifest_path[1024];
};

/* Fill `s` (zeroed first): `gen` generated packets and at most `maxfile`
 * read ones.  Returns 0, or -1 when out of memory (a missing manifest is
 * not an error: s->manifest says; an empty set neither: s->n says). */
int
bpkts_load(struct bpkts *s, int dlt, uint64_t seed, size_t gen, size_t maxfile);

/* Append a copy of one packet; -1 when out of memory. */
int
bpkts_add(struct bpkts *s, const uint8_t *data, uint32_t caplen, uint32_t wirelen);

void
bpkts_free(struct bpkts *s);

#endif
