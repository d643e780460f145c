/*
 * offline.c: bpfc -r IN [-w OUT] [-c COUNT] EXPRESSION.
 *
 * Takes the options and a compiled filter; gives the matching packets in
 * OUT (byte for byte what `tcpdump -r IN -w OUT EXPRESSION` writes) or one
 * summary line each on standard output (cli/pktline.h), a progress line on
 * standard error while a large input is read on a terminal, and always
 * "N of M packets matched" on standard error at the end, also after an
 * error.  The reading and writing are backend/offline.h's.
 *
 * On an error in the input (a truncated or corrupt record, named by its
 * byte offset) OUT is still renamed into place: it is a complete pcap file
 * holding every matching packet before the bad record, which is what
 * tcpdump leaves there too; the exit status is 1.  On an error writing
 * OUT the temporary file is removed and OUT is left as it was.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/offline.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "cli/cli.h"
#include "cli/pktline.h"
#include "cli/progress.h"

/* Inputs larger than this get a progress line on a terminal. */
#define OFFLINE_PROGRESS_MIN (64 * 1024 * 1024)
/* Summary lines are written in chunks of about this many bytes. */
#define OFFLINE_LINES_CHUNK (64 * 1024)

struct cli_offline {
	const struct cli_offline_opts *o;
	struct offline_in *in;
	struct pktline fmt;
	struct strbuf lines;
	struct progress pg;
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
	c->in = offline_open(o->rpath, &err);
	if (c->in == NULL) {
		fprintf(stderr, "bpfc: error: %s\n", err.msg);
		free(c);
		return NULL;
	}
	strbuf_init(&c->lines);
	pktline_init(&c->fmt, offline_linktype(c->in));
	return c;
}

int
cli_offline_linktype(const struct cli_offline *c)
{
	return offline_linktype(c->in);
}

int
cli_offline_swapped(const struct cli_offline *c)
{
	return offline_is_swapped(c->in);
}

/* Write the summary lines gathered so far: 0 or -1. */
static int
offline_flush_lines(struct cli_offline *c, struct bpfc_error *err)
{
	if (c->lines.len == 0 && !c->lines.failed)
		return 0;
	char *text = strbuf_take(&c->lines);
	if (text == NULL)
		return diag_plain(err, BPFC_ENOMEM, "out of memory");
	int bad = fputs(text, stdout) == EOF;
	free(text);
	if (bad)
		return diag_plain(err, BPFC_EIO, "writing standard output: %s", strerror(errno));
	return 0;
}

static int
offline_line(void *arg, const struct offline_pkt *p, struct bpfc_error *err)
{
	struct cli_offline *c = arg;
	int pkttype = pktline_cooked_pkttype(c->fmt.linktype, p->data, p->caplen);
	struct pktline_pkt lp = {p->sec, p->usec, p->data, p->caplen, p->wirelen, NULL,
				 pkttype >= 0 ? pktline_dir(pkttype) : NULL};

	pktline_format(&c->fmt, &c->lines, &lp);
	return c->lines.len >= OFFLINE_LINES_CHUNK ? offline_flush_lines(c, err) : 0;
}

static void
offline_tick(void *arg, uint64_t bytes, uint64_t packets)
{
	struct cli_offline *c = arg;

	progress_tick(&c->pg, bytes, packets);
}

static void
offline_progress_init(struct cli_offline *c)
{
	int64_t size = offline_size(c->in);

	progress_init(&c->pg, size,
		      isatty(STDERR_FILENO) && (size < 0 || size > OFFLINE_PROGRESS_MIN));
}

int
cli_offline_run(struct cli_offline *c, const struct bpfc_filter *f)
{
	struct bpfc_error err, err2;
	struct offline_counts n = {0, 0, 0};
	struct offline_out *out = NULL;
	int rc = 0;

	diag_init(&err);
	diag_init(&err2);
	if (c->o->wpath != NULL && (out = offline_out_open(c->o->wpath, c->in, &err)) == NULL)
		rc = -1;
	if (rc == 0) {
		struct offline_sink s = {f, c->o->count, out, offline_line, offline_tick, c};
		offline_progress_init(c);
		rc = offline_filter(c->in, &s, &n, &err);
		progress_end(&c->pg);
	}
	if (offline_flush_lines(c, rc == 0 ? &err : &err2) < 0 ||
	    (out == NULL && fflush(stdout) != 0 &&
	     diag_plain(rc == 0 ? &err : &err2, BPFC_EIO, "writing standard output: %s",
			strerror(errno)) < 0))
		rc = -1;
	if (rc < 0)
		fprintf(stderr, "bpfc: error: %s\n", err.msg);
	/* after an input error what was written stays: a valid, shorter file */
	if (out != NULL) {
		diag_init(&err2);
		if (offline_out_finish(out, &err2) < 0) {
			if (rc == 0 || strcmp(err.msg, err2.msg) != 0)
				fprintf(stderr, "bpfc: error: %s\n", err2.msg);
			rc = -1;
		}
	}
	fprintf(stderr, "%" PRIu64 " of %" PRIu64 " packets matched\n", n.matched, n.read);
	return rc < 0 ? 1 : 0;
}

void
cli_offline_close(struct cli_offline *c)
{
	if (c == NULL)
		return;
	offline_close(c->in);
	strbuf_release(&c->lines);
	free(c);
}
