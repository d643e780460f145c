/*
 * offline.c: placeholder until the capture-file path lands (issue #5):
 * libpcap's reader, a count, no output file.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend/pcapfile.h"
#include "base/diag.h"
#include "cli/cli.h"

struct cli_offline {
	const struct cli_offline_opts *o;
	struct pcapfile *pf;
};

struct cli_offline *
cli_offline_open(const struct cli_offline_opts *o)
{
	struct bpfc_error err;
	struct cli_offline *c = calloc(1, sizeof(*c));

	diag_init(&err);
	if (c == NULL) {
		fprintf(stderr, "bpfc: error: out of memory\n");
		return NULL;
	}
	c->o = o;
	c->pf = pcapfile_open(o->rpath, &err);
	if (c->pf == NULL) {
		fprintf(stderr, "bpfc: error: %s\n", err.msg);
		free(c);
		return NULL;
	}
	return c;
}

int
cli_offline_linktype(const struct cli_offline *c)
{
	return pcapfile_linktype(c->pf);
}

int
cli_offline_run(struct cli_offline *c, const struct bpfc_filter *f)
{
	struct bpfc_error err;
	struct pcapfile_pkt pkt;
	uint64_t total = 0, matched = 0;
	int r;

	diag_init(&err);
	while ((r = pcapfile_next(c->pf, &pkt, &err)) == 1) {
		total++;
		matched += bpfc_run(f, pkt.data, pkt.wirelen, pkt.caplen) != 0;
	}
	if (r < 0)
		fprintf(stderr, "bpfc: error: %s\n", err.msg);
	fprintf(stderr, "%" PRIu64 " of %" PRIu64 " packets matched\n", matched, total);
	return r < 0 ? 1 : 0;
}

void
cli_offline_close(struct cli_offline *c)
{
	if (c == NULL)
		return;
	pcapfile_close(c->pf);
	free(c);
}
