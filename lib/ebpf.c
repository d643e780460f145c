/* lib/ebpf.c: placeholder, being written (issue #4). */
#include <config.h>

#include "bpfc.h"
#include "base/diag.h"

struct bpfc_ebpf_insn *
bpfc_ebpf_for(const struct bpfc_filter *f, enum bpfc_target target, unsigned flags, size_t *n,
	      struct bpfc_error *err)
{
	(void)f, (void)target, (void)flags, (void)n;
	diag_plain(err, BPFC_EUNSUPPORTED, "eBPF translation is being written");
	return NULL;
}
