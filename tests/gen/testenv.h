/*
 * testenv.h: support code the test programs share.
 *
 * Takes: the test environment (BPFC_TEST_SCALE, a seed variable) and bpfc
 * instruction arrays.  Gives: the scale multiplier, the seed, libpcap
 * struct bpf_insn copies and libpcap's bpf_dump() text as a string.
 * Invariants: no global state; failures come back as NULL (the caller,
 * which has Check, asserts), never as an abort here.
 */
#ifndef BPFC_TESTS_TESTENV_H
#define BPFC_TESTS_TESTENV_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"

/* BPFC_TEST_SCALE as a float; 1.0 when unset, unparsable or not positive.
 * The sanitizer reduction stays with the caller (each test has its own). */
double
testenv_scale(void);

/* The seed in environment variable `var` (strtoull, base 0), or `dflt`
 * when it is unset. */
uint64_t
testenv_seed(const char *var, uint64_t dflt);

/* Copy n instructions between bpfc's and libpcap's layouts (field by
 * field: the two structs are not assumed to match). */
void
testenv_insns_to_pcap(const struct bpfc_insn *p, size_t n, struct bpf_insn *out);
void
testenv_insns_from_pcap(const struct bpf_insn *p, size_t n, struct bpfc_insn *out);

/* A malloc'd copy of `p[0..n)` as libpcap instructions, with one zeroed
 * spare entry at the end; NULL when out of memory. */
struct bpf_insn *
testenv_to_pcap(const struct bpfc_insn *p, size_t n);

/* What libpcap's bpf_dump(prog, style) prints on stdout, captured into a
 * malloc'd string; NULL on any failure (stdout is restored when it can be). */
char *
testenv_pcap_dump(const struct bpfc_insn *p, size_t n, int style);

/* Call each(arg, dir, name) for every capture $BPFC_SHARED/pcaps/MANIFEST.tsv
 * lists (first column; the first row is a header; BPFC_SHARED defaults to
 * ../shared).  The manifest's path is written to `path`.  Returns 0, or -1
 * when the manifest cannot be opened (the caller says so its own way). */
int
testenv_manifest(char *path, size_t pathlen,
		 void (*each)(void *arg, const char *dir, const char *name), void *arg);

/* A mapping of `room` usable bytes followed by a PROT_NONE page, so that a
 * packet placed at its end faults on any read past the capture. */
struct testenv_guard {
	uint8_t *map;
	size_t room, page;
};

/* Map room for captures up to `maxcap` bytes (at least one page); 0 or -1
 * (errno set by mmap/mprotect). */
int
testenv_guard_init(struct testenv_guard *g, size_t maxcap);

/* Copy `caplen` bytes (data may be NULL when 0) to end right before the
 * guard page and return where they start; NULL when caplen > room. */
const uint8_t *
testenv_guard_put(struct testenv_guard *g, const uint8_t *data, uint32_t caplen);

void
testenv_guard_free(struct testenv_guard *g);

/* One packet of a pool: `data` holds exactly `caplen` malloc'd bytes, so
 * ASan sees a read past the capture. */
struct testenv_pkt {
	uint8_t *data;
	uint32_t caplen, wirelen;
};

/* A pool of 2 * `count` packets: `count` pktgen Ethernet frames from `seed`
 * (none when pktgen fails), then random packets of at most `randmax` bytes
 * (randprog_packet, seeded with seed ^ 0x5eed) up to 2 * `count`.  Returns
 * the array (*n set to its length) or NULL when out of memory. */
struct testenv_pkt *
testenv_pool(uint64_t seed, size_t count, uint32_t randmax, size_t *n);

void
testenv_pool_free(struct testenv_pkt *pkts, size_t n);

/* Where bpfc follows libpcap's newest release and the installed 1.10.3
 * answers differently for `expr` on link type `dlt` (a bug fixed since;
 * ../shared/peer/README.md lists them): the reason, or NULL. */
const char *
testenv_known_difference(int dlt, const char *expr);

/* 1 in a build with AddressSanitizer or UndefinedBehaviorSanitizer (GCC's
 * and Clang's spellings), where tests scale their counts down. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define TESTENV_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define TESTENV_SANITIZED 1
#endif
#endif
#ifndef TESTENV_SANITIZED
#define TESTENV_SANITIZED 0
#endif

#endif
