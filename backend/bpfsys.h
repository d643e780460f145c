/*
 * bpfsys.h: the bpf(2) calls bpfc makes, as errors-as-values functions.
 *
 * Linux only.  Each call returns -1 with `err` set (BPFC_EUNSUPPORTED when
 * the kernel or the caller's privileges do not allow it, with errno's text;
 * the verifier's log in the message when a load is refused).
 */
#ifndef BPFC_BACKEND_BPFSYS_H
#define BPFC_BACKEND_BPFSYS_H

#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"

/* Load `n` instruction slots as a program of kernel type `prog_type`
 * (BPF_PROG_TYPE_*), GPL-compatible licence "BSD". Returns the program's
 * fd.  With `log` non-NULL the verifier's log (level 1) is written there
 * (NUL-terminated, at most `logsz` bytes) whether or not the load works. */
int bpfsys_prog_load(uint32_t prog_type, const struct bpfc_ebpf_insn *insns, size_t n,
		     char *log, size_t logsz, struct bpfc_error *err);

/* BPF_PROG_TEST_RUN of program `fd` once on `len` bytes at `data`; the
 * program's return value in *retval.  0 or -1. */
int bpfsys_test_run(int fd, const void *data, uint32_t len, uint32_t *retval,
		    struct bpfc_error *err);

#endif
