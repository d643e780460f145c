/*
 * cbpf.h: the classic BPF stage.
 *
 * Input: an array of struct bpfc_insn.  Output: a verdict (validator), a
 * return value per packet (interpreter), text (listing), or instructions
 * from text (assembler).  Every part expands the one opcode list in
 * cbpf/opcodes.h.
 *
 * Precondition shared by the interpreter: the program passed cbpf_validate
 * with the same instructions.  The interpreter trusts that and does no
 * checks of its own except the packet bounds, which are never skipped.
 */
#ifndef BPFC_CBPF_H
#define BPFC_CBPF_H

#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/strbuf.h"
#include "cbpf/opcodes.h"

/* ---- validator (validate.c) ---- */

/*
 * The Linux kernel's rules (bpf_check_classic): 1 to max_insns
 * instructions; every opcode in the whitelist; jumps forward and inside the
 * program; constant division/modulo by zero and constant shifts >= 32
 * refused; M[k] with k < 16, and read only after a write on every path; the
 * last instruction a return.  Linux ancillary loads (SKF_AD_OFF and the
 * negative SKF_NET_OFF/SKF_LL_OFF offsets) have no meaning outside a kernel
 * socket and are refused.  Returns 0, or -1 with `err` naming the
 * instruction ("insn 7: jump target out of range").
 */
int cbpf_validate(const struct bpfc_insn *p, size_t n, const struct bpfc_load_options *o,
		  struct bpfc_error *err);

/* ---- interpreter (interp.c) ---- */

/* libpcap's bpf_filter semantics exactly; see interp.c. */
uint32_t cbpf_run(const struct bpfc_insn *p, const uint8_t *pkt, uint32_t wirelen,
		  uint32_t caplen);

/* ---- listing (listing.c) ---- */

/* One instruction as `tcpdump -d` prints it, without a newline. */
void cbpf_image(struct strbuf *out, const struct bpfc_insn *insn, size_t pc);
/* The whole program as tcpdump -d (style 1), -dd (2) or -ddd (3). */
void cbpf_listing(struct strbuf *out, const struct bpfc_insn *p, size_t n,
		  enum bpfc_listing style);

/* ---- assembler (asm.c) ---- */

/*
 * Read a listing back: the -d form, the -dd C initialiser form and the
 * -ddd decimal form, chosen by looking at the text.  The instructions are
 * allocated in `a`.  The result is not validated.  Returns 0, or -1 with
 * `err` holding the byte range of the offending text.
 */
int cbpf_assemble(struct arena *a, const char *text, size_t len, struct bpfc_insn **insns,
		  size_t *n, struct bpfc_error *err);

#endif
