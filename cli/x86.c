/*
 * x86.c: placeholder until the JIT lands (issue #5).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <stdio.h>

#include "cli/cli.h"

int
cli_print_x86(const struct bpfc_filter *f)
{
	(void)f;
	fprintf(stderr, "bpfc: error: the JIT is not available in this build\n");
	return 1;
}
