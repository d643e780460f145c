/*
 * x86.c: `bpfc --dump=x86 EXPR`, the JIT's code for a filter.
 *
 * Takes: a compiled filter.  Gives: on stdout its x86-64 code as hex (16
 * bytes a line, with offsets) and, when objdump is on the PATH, objdump's
 * disassembly of the same bytes.  The code is made here as the filter
 * makes it (its cBPF, translated for the run target, through jit_compile),
 * so what is printed is what bpfc_run executes.  objdump runs through
 * posix_spawnp, never a shell, on a mkstemp file removed afterwards; its
 * absence is not an error (the hex is the dump).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "cli/cli.h"
#include "ebpf/ebpf.h"
#include "jit/jit.h"

extern char **environ;

/* Write `n` bytes to a new temporary file; its path in `path`.  0 or -1. */
static int
x86_tempfile(char *path, size_t pathlen, const uint8_t *code, size_t n)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, pathlen, "%s/bpfc-x86-XXXXXX", dir != NULL && *dir ? dir : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, code + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(path);
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

/* objdump's disassembly of `code` on stdout; quiet when objdump is not
 * there. */
static void
x86_objdump(const uint8_t *code, size_t n)
{
	char path[4096];
	char *argv[] = {"objdump", "-D", "-b", "binary", "-m", "i386:x86-64", path, NULL};
	pid_t pid;
	int status;

	if (x86_tempfile(path, sizeof(path), code, n) != 0) {
		fprintf(stderr, "bpfc: warning: no temporary file for objdump: %s\n",
			strerror(errno));
		return;
	}
	fflush(stdout);
	if (posix_spawnp(&pid, "objdump", NULL, NULL, argv, environ) == 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	unlink(path);
}

int
cli_print_x86(const struct bpfc_filter *f)
{
	const struct bpfc_insn *insns;
	size_t n = bpfc_cbpf(f, &insns);
	struct bpfc_error err;
	struct ebpf_prog prog;
	struct jit_code *c = NULL;
	struct arena a;
	struct strbuf b;
	const uint8_t *code;

	diag_init(&err);
	if (!jit_available()) {
		fprintf(stderr, "bpfc: error: the JIT is not available on this machine\n");
		return 1;
	}
	arena_init(&a);
	if (ebpf_from_cbpf(&a, insns, n, EBPF_TARGET_RUN, 0, &prog, &err) == 0)
		c = jit_compile(&prog, &err);
	arena_release(&a);
	if (c == NULL) {
		fprintf(stderr, "bpfc: error: %s\n", err.msg);
		return 1;
	}
	size_t len = jit_bytes(c, &code);
	strbuf_init(&b);
	jit_hexdump(&b, c);
	char *text = strbuf_take(&b);
	fputs(text != NULL ? text : "", stdout);
	free(text);
	x86_objdump(code, len);
	jit_free(c);
	return fflush(stdout) == 0 ? 0 : 1;
}
