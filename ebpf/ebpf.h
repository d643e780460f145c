/*
 * ebpf.h: the eBPF stage (issue #4).
 *
 * Input: a validated cBPF program (cbpf_validate passed).  Output: an
 * eBPF program with the same verdict on every packet, for one of three
 * targets, which the Linux verifier accepts as it is; an interpreter for
 * the eBPF bpfc emits; its listing; and an ELF object holding it.  Every
 * part expands the one opcode list in ebpf/opcodes.h.
 *
 * Two lowerings (ebpf_from_cbpf picks by target):
 *   socket  BPF_PROG_TYPE_SOCKET_FILTER: packet bytes through the legacy
 *           absolute/indirect loads (big-endian; a load past the end ends
 *           the program returning 0, as in cBPF), `len` from the context
 *           (struct __sk_buff.len); returns what the cBPF returns.
 *   xdp, tc BPF_PROG_TYPE_XDP / BPF_PROG_TYPE_SCHED_CLS: direct packet
 *           access between the context's data and data_end, with guards
 *           the verifier accepts, hoisted as far as they stay exact
 *           (ebpf/xdp.c); a load past data_end is the cBPF's `return 0`.
 *           Direct access reaches 65535 bytes (MAX_PACKET_OFF): a load
 *           beyond returns 0.  `len` is data_end - data for XDP,
 *           __sk_buff.len for tc; tc first pulls the bytes its loads can
 *           reach into a nonlinear skb's linear part.  A cBPF return of
 *           non-zero is "pass" (XDP_PASS, TC_ACT_OK), zero is "drop"
 *           (XDP_DROP, TC_ACT_SHOT); EBPF_INVERT swaps the two.
 *   run     the same direct access for user space (the JIT's input):
 *           tc's context fields, the cBPF's return value, no pull.
 *
 * Registers (every target): A in r0, X in r7, the context in r6, M[k] at
 * r10 - 4 * (16 - k); xdp/tc keep data in r9 and data_end in r8
 * (ebpf/translate_int.h).
 *
 * Invariants of every program ebpf_from_cbpf returns ("verifier-clean by
 * construction"): every register and stack slot is written before it is
 * read on every path; no instruction is unreachable; every jump lands
 * inside the program and its offset fits 16 bits; division or modulo by a
 * zero register returns 0 from the program (cBPF's rule); comparisons are
 * cBPF's unsigned 32-bit ones for every constant, including >= 2^31.
 */
#ifndef BPFC_EBPF_EBPF_H
#define BPFC_EBPF_EBPF_H

#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/strbuf.h"
#include "ebpf/opcodes.h"

/* The first three have the values of the public enum bpfc_target.
 * EBPF_TARGET_RUN is bpfc's own, for user space (the JIT and the
 * interpreter), never loaded into a kernel: the direct-access lowering
 * over a struct __sk_buff context of which it reads only len, data and
 * data_end (loaded as u32, yielding pointers, as the kernel's rewrite
 * does), returning the cBPF's own value, with guards reaching 2^31 - 1
 * bytes (a longer packet must be run by another engine) and no helper
 * calls. */
enum ebpf_target {
	EBPF_TARGET_SOCKET = 1,
	EBPF_TARGET_TC = 2,
	EBPF_TARGET_XDP = 3,
	EBPF_TARGET_RUN = 4
};

/* The farthest byte EBPF_TARGET_RUN's loads reach: a packet whose caplen
 * exceeds it must not be given to a run-target program. */
#define EBPF_RUN_MAX_CAPLEN 0x7fffffffu

/* Flags of ebpf_from_cbpf. */
enum { EBPF_INVERT = 1u << 0 /* xdp/tc: pass what the cBPF rejects */ };

struct ebpf_prog {
	struct bpfc_ebpf_insn *insns;
	size_t n; /* instruction slots (a 64-bit immediate load takes two) */
	enum ebpf_target target;
	unsigned flags;
};

/* ---- translator (translate.c: socket; xdp.c: direct access) ---- */

/* Translate validated cBPF `p[0..n)` for `target`; the instructions are
 * allocated in `a`.  0, or -1 with `err` set (BPFC_EUNSUPPORTED for a
 * program the target cannot express, e.g. an ancillary load). */
int ebpf_from_cbpf(struct arena *a, const struct bpfc_insn *p, size_t n,
		   enum ebpf_target target, unsigned flags, struct ebpf_prog *out,
		   struct bpfc_error *err);

/* ---- interpreter (interp.c) ---- */

/* Run a program ebpf_from_cbpf returned on a packet of `wirelen` bytes of
 * which `caplen` are at `pkt`: the socket target's return value (the
 * cBPF's), or the XDP/tc action.  Never reads outside the packet, the
 * context or its own stack, whatever the program. */
uint64_t ebpf_run(const struct ebpf_prog *p, const uint8_t *pkt, uint32_t wirelen,
		  uint32_t caplen);

/* ---- listing (listing.c) ---- */

/* The program as `bpftool prog dump xlated` prints it, one numbered line
 * per instruction ("%4u: (code) text"; a 64-bit immediate load is one line
 * over two slots).  Any instructions: a code that is not in ebpf/opcodes.h
 * prints as "BUG_<class>_<code>", as the kernel's disassembler does. */
void ebpf_listing(struct strbuf *out, const struct bpfc_ebpf_insn *p, size_t n);

/* ---- ELF object (elf.c) ---- */

/* Write `p` to `path` as a relocatable eBPF ELF object: the program in
 * section `section` ("socket", "tc", "xdp") under the global function
 * symbol `func`, and a "license" section.  The file appears complete or
 * not at all (written beside it, then renamed).  0, or -1 with `err`. */
int ebpf_write_elf(const struct ebpf_prog *p, const char *path, const char *section,
		   const char *func, struct bpfc_error *err);

#endif
