/*
 * jit.h: the x86-64 JIT stage (issue #5).
 *
 * Input: an eBPF program that ebpf_from_cbpf returned for
 * EBPF_TARGET_RUN (ebpf/ebpf.h): the direct-access lowering whose context
 * is a struct __sk_buff of which it reads len (offset 0), data (76) and
 * data_end (80) as u32 loads that yield pointers, returning the cBPF's
 * value, with no helper calls.  Output: System V x86-64 machine code
 * callable as a jit_fn, which returns on every packet what ebpf_run
 * returns for the same program (and so what the cBPF returns).
 *
 * The generated function takes the packet's fields directly; the context
 * loads are compiled to the arguments (data = pkt, data_end = pkt +
 * caplen, len = wirelen), so no context structure exists at run time.
 *
 * Safety does not rest on trusting the translator.  Before emitting,
 * jit_compile checks the program (jit/check.c): every register is typed
 * (scalar, context, packet pointer data + c or data + x + c, data_end,
 * stack pointer) along every path, every packet load must lie inside a
 * range some guard `if rP + G > data_end` proved on every path to it,
 * every stack access inside the 512-byte frame, every context load one of
 * the three fields, every jump forward and inside the program.  A program
 * that fails the check is refused (BPFC_EUNSUPPORTED, naming the
 * instruction); there is no switch that skips it.  Hence the code never
 * reads outside [pkt, pkt + caplen), whatever the caller's packet.
 *
 * Code memory is mapped read-write, written, then mprotect'ed read-execute;
 * it is never writable and executable at once, and is unmapped by
 * jit_free.  Jumps take the short (rel8) form where their target is in
 * reach: the least fixed point of "start short, grow what does not fit",
 * which, every jump going forward, one sweep from the last instruction
 * back reaches (jit/jit.c); a forward pass proves it a fixed point and the
 * writing pass checks that the emitted sizes equal the layout's.
 *
 * Threads: a jit_code is read-only after jit_compile returns; any number
 * of threads may call its function at once.
 */
#ifndef BPFC_JIT_JIT_H
#define BPFC_JIT_JIT_H

#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"
#include "base/strbuf.h"
#include "ebpf/ebpf.h"

/* The compiled filter: the cBPF's return value for a packet of `wirelen`
 * bytes of which the `caplen` at `pkt` were captured.  Reads only
 * pkt[0 .. caplen); requires caplen <= EBPF_RUN_MAX_CAPLEN (pkt may be
 * NULL when caplen is 0). */
typedef uint32_t (*jit_fn)(const uint8_t *pkt, uint32_t wirelen, uint32_t caplen);

struct jit_code;

/* 1 when this build and host can run JIT code (x86-64), else 0. */
int jit_available(void);

/* Compile `p` (target EBPF_TARGET_RUN).  NULL with `err` set:
 * BPFC_EUNSUPPORTED when the JIT is not available here or the program
 * fails the check (the message names the instruction and the rule),
 * BPFC_ENOMEM, or BPFC_EIO when the system refuses executable memory
 * (the message says what mmap/mprotect said). */
struct jit_code *jit_compile(const struct ebpf_prog *p, struct bpfc_error *err);

/* The entry point; valid until jit_free. */
jit_fn jit_entry(const struct jit_code *c);

/* The machine code: its length, and its bytes in *code. */
size_t jit_bytes(const struct jit_code *c, const uint8_t **code);

/* Unmap the code and free `c`.  NULL is allowed. */
void jit_free(struct jit_code *c);

/* The code as hex, 16 bytes a line with offsets, for --dump=x86 when no
 * disassembler is at hand. */
void jit_hexdump(struct strbuf *out, const struct jit_code *c);

#endif
