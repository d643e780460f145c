/* ebpf/listing.c: placeholder, being written (issue #4). */
#include <config.h>

#include "ebpf/ebpf.h"

void
ebpf_listing(struct strbuf *out, const struct bpfc_ebpf_insn *p, size_t n)
{
	(void)p;
	(void)n;
	strbuf_puts(out, "(the eBPF listing is being written)\n");
}
