/*
 * object.c: bpfc_write_object, a filter's eBPF program as an ELF object.
 *
 * Takes a filter, a target and a path; translates the filter's cBPF for
 * the target (ebpf/translate.c, ebpf/xdp.c) in an arena of its own and
 * hands the program to the ELF writer (ebpf/elf.c).  The section is named
 * after the target, as libbpf, bpftool and iproute2 expect ("socket",
 * "tc", "xdp"), and the function is always "bpfc_filter", so scripts can
 * name both without knowing the expression.  Nothing outlives the call but
 * the file.
 */
#include <config.h>

#include <stddef.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "ebpf/ebpf.h"

#define OBJECT_FUNC "bpfc_filter"

/* The conventional section of each target (libbpf's SEC() names). */
static const char *
object_section(enum bpfc_target target)
{
	switch (target) {
	case BPFC_TARGET_SOCKET:
		return "socket";
	case BPFC_TARGET_TC:
		return "tc";
	case BPFC_TARGET_XDP:
		return "xdp";
	}
	return NULL;
}

int
bpfc_write_object(const struct bpfc_filter *f, enum bpfc_target target, unsigned flags,
		  const char *path, struct bpfc_error *err)
{
	struct bpfc_error local;
	const char *section = object_section(target);

	if (err == NULL)
		err = &local;
	diag_init(err);
	if (f == NULL || path == NULL)
		return diag_plain(err, BPFC_EINVAL, "no %s given", f == NULL ? "filter" : "path");
	if (section == NULL)
		return diag_plain(err, BPFC_EINVAL, "unknown eBPF target %d", (int)target);
	if ((flags & ~BPFC_TARGET_INVERT) != 0)
		return diag_plain(err, BPFC_EINVAL, "unknown object flags 0x%x", flags);
	if ((flags & BPFC_TARGET_INVERT) && target == BPFC_TARGET_SOCKET)
		return diag_plain(err, BPFC_EINVAL,
				  "inverting applies to the tc and xdp targets, not socket");

	const struct bpfc_insn *insns;
	size_t n = bpfc_cbpf(f, &insns);
	struct arena a;
	struct ebpf_prog prog;

	arena_init(&a);
	int rc = ebpf_from_cbpf(&a, insns, n, (enum ebpf_target)target,
				(flags & BPFC_TARGET_INVERT) ? EBPF_INVERT : 0, &prog, err);
	if (rc == 0)
		rc = ebpf_write_elf(&prog, path, section, OBJECT_FUNC, err);
	arena_release(&a);
	return rc;
}
