/*
 * ebpf.c: the public eBPF entry point bpfc_ebpf_for, over the ebpf/ stage.
 *
 * Takes a loaded filter (through the public bpfc_cbpf and bpfc_ebpf only,
 * so nothing here depends on struct bpfc_filter's layout), a target and
 * flags.  Gives a malloc'd copy of the eBPF program for that target, which
 * the caller owns and frees with free().  The socket program without flags
 * is the one made when the filter was loaded; any other is translated
 * afresh, each in its own arena, so calls on one filter from many threads
 * at once are safe.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "ebpf/ebpf.h"

/* A malloc'd copy of p[0..n), or NULL with `err` set. */
static struct bpfc_ebpf_insn *
lib_ebpf_copy(const struct bpfc_ebpf_insn *p, size_t n, struct bpfc_error *err)
{
	struct bpfc_ebpf_insn *c = malloc(n > 0 ? n * sizeof(*p) : 1);

	if (c == NULL) {
		diag_plain(err, BPFC_ENOMEM, "out of memory");
		return NULL;
	}
	if (n > 0)
		memcpy(c, p, n * sizeof(*p));
	return c;
}

struct bpfc_ebpf_insn *
bpfc_ebpf_for(const struct bpfc_filter *f, enum bpfc_target target, unsigned flags, size_t *n,
	      struct bpfc_error *err)
{
	struct bpfc_error local;
	const struct bpfc_insn *cb;
	const struct bpfc_ebpf_insn *sock;
	struct ebpf_prog prog;
	struct bpfc_ebpf_insn *out = NULL;
	struct arena a;
	size_t cn, sn;

	if (err == NULL)
		err = &local;
	diag_init(err);
	if (f == NULL || n == NULL) {
		diag_plain(err, BPFC_EINVAL, "no filter or no place for the length");
		return NULL;
	}
	if (target != BPFC_TARGET_SOCKET && target != BPFC_TARGET_TC && target != BPFC_TARGET_XDP) {
		diag_plain(err, BPFC_EINVAL, "unknown eBPF target %d", (int)target);
		return NULL;
	}
	if ((flags & ~BPFC_TARGET_INVERT) != 0) {
		diag_plain(err, BPFC_EINVAL, "unknown eBPF target flags %#x", flags);
		return NULL;
	}
	if (target == BPFC_TARGET_SOCKET && flags != 0) {
		diag_plain(err, BPFC_EINVAL,
			   "inverting applies to tc and xdp: a socket filter returns the "
			   "filter's own value");
		return NULL;
	}
	/* The loaded filter's own program, when there is one. */
	if (target == BPFC_TARGET_SOCKET && (sn = bpfc_ebpf(f, &sock)) > 0) {
		out = lib_ebpf_copy(sock, sn, err);
		if (out != NULL)
			*n = sn;
		return out;
	}
	cn = bpfc_cbpf(f, &cb);
	arena_init(&a);
	if (ebpf_from_cbpf(&a, cb, cn, (enum ebpf_target)target,
			   (flags & BPFC_TARGET_INVERT) ? EBPF_INVERT : 0, &prog, err) == 0) {
		out = lib_ebpf_copy(prog.insns, prog.n, err);
		if (out != NULL)
			*n = prog.n;
	}
	arena_release(&a);
	return out;
}
