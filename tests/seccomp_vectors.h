/*
 * seccomp_vectors.h: the struct seccomp_data inputs every seccomp test
 * compares on, for any pair of engines (a callback does the comparing).
 *
 * For a policy: every number of the native ranges (0, 4000, 5000, 6000
 * and x32's 0x40000000, 1100 each) and edge numbers on every architecture
 * value libseccomp knows plus bogus ones; then for each call of each of
 * the policy's architectures, zero arguments, each constant of its
 * conditions with its neighbours and high-word variants alone, and seeded
 * random mixtures of them.  On 32-bit ABIs (and x32 when `x32_is32`) the
 * high words are zero, as the kernel gives them.  seccomp_vector_run runs
 * a program on one of them.
 */
#ifndef BPFC_TESTS_SECCOMP_VECTORS_H
#define BPFC_TESTS_SECCOMP_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include "seccomp/seccomp.h"

/* Called once for each vector. */
typedef void seccomp_vector_fn(void *ctx, const struct seccomp_data *d);

/* Every vector above; returns how many. */
size_t seccomp_vectors(const struct seccomp_policy *p, uint64_t seed, int x32_is32,
		       seccomp_vector_fn *fn, void *ctx);

/* What a classic BPF program returns for `d` when the kernel runs it:
 * struct seccomp_data laid out as the kernel does (64-bit fields in the
 * byte order of d->arch) and run by bpfc's cBPF interpreter, which loads
 * words big-endian as libpcap does (each word is stored so that the load
 * sees its value).  The program must have passed cbpf_validate. */
uint32_t seccomp_vector_run(const struct bpfc_insn *insns, const struct seccomp_data *d);

/* A failure message: "arch 0x... nr N (0x...) args A0 ... A5: WHO_WANT
 * action, WHO_GOT action". */
void seccomp_vector_mismatch(char *buf, size_t len, const struct seccomp_data *d,
			     const char *who_want, uint32_t want, const char *who_got, uint32_t got);

/* The architecture values tried: libseccomp's known ones and bogus ones.
 * `out` holds at least 64.  Returns the count. */
size_t seccomp_vector_arches(uint32_t *out);

/* The file $BPFC_SHARED/seccomp/NAME (BPFC_SHARED defaults to ../shared)
 * read into a malloc'd NUL-terminated buffer; NULL when unreadable. */
char *seccomp_test_shared(const char *name, size_t *len);

#endif
