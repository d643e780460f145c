/*
 * jit.c: placeholder until the JIT lands (issue #5): nothing compiles.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <stdlib.h>

#include "base/diag.h"
#include "jit/jit.h"

int
jit_available(void)
{
	return 0;
}

struct jit_code *
jit_compile(const struct ebpf_prog *p, struct bpfc_error *err)
{
	(void)p;
	diag_plain(err, BPFC_EUNSUPPORTED, "the JIT is not built yet");
	return NULL;
}

jit_fn
jit_entry(const struct jit_code *c)
{
	(void)c;
	return NULL;
}

size_t
jit_bytes(const struct jit_code *c, const uint8_t **code)
{
	(void)c;
	*code = NULL;
	return 0;
}

void
jit_free(struct jit_code *c)
{
	free(c);
}

void
jit_hexdump(struct strbuf *out, const struct jit_code *c)
{
	(void)out;
	(void)c;
}
