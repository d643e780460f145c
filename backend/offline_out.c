/*
 * offline_out.c: the pcap file `bpfc -r IN -w OUT` writes.
 *
 * Takes the input's libpcap handle (for the file header) and the records
 * the reader queues; gives OUT.  The 24-byte header is libpcap's own:
 * pcap_dump_fopen writes it through a stdio stream (fopencookie) whose
 * bytes land in the write queue, so magic, version, snapshot length and
 * link type are what tcpdump's pcap_dump_open writes for the same input.
 * Records from libpcap's reader go through pcap_dump on the same stream;
 * records the classic reader passes on are queued by reference or copy
 * (see offline_int.h) and leave in writev calls of up to OUT_IOV entries.
 *
 * A path other than "-" is written as PATH.bpfc-PID-N.tmp in the same
 * directory (created 0666 less the umask, as fopen would; an existing
 * target's mode is copied) and renamed onto PATH by offline_out_finish.
 * A target that exists and is not a regular file (a device, a FIFO) or is
 * a symbolic link is written in place instead, as there is nothing to
 * rename onto it safely.  Nothing is fsync'd (tcpdump does not either);
 * every write and the close are checked.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backend/offline_int.h"
#include "base/diag.h"

enum {
	OUT_IOV = 1024,           /* entries per writev (IOV_MAX on Linux) */
	OUT_STAGE = 1 << 20,      /* bytes of copies between two writes */
	OUT_COPY_MAX = 2048,      /* runs shorter than this are copied */
	OUT_TMP_TRIES = 100
};

struct offline_out {
	int fd;
	int own_fd;         /* not standard output */
	const char *name;   /* for messages: the path or "<stdout>" */
	char *path, *tmp;   /* tmp: NULL when written in place */
	FILE *stream;       /* the dumper's stream (fopencookie over the queue) */
	pcap_dumper_t *dumper;
	struct iovec iov[OUT_IOV];
	int niov;
	uint8_t *stage;     /* OUT_STAGE bytes for copies */
	size_t staged;
	const uint8_t *run; /* the pending reference run, not yet in iov */
	size_t runlen;
	int failed;         /* the first write errno, sticky */
};

/* ---- the queue ------------------------------------------------------------ */

/* Write every queued entry, resuming after short writes. */
static void
out_writev(struct offline_out *out)
{
	struct iovec *v = out->iov;
	int n = out->niov;

	while (n > 0 && !out->failed) {
		ssize_t w = writev(out->fd, v, n);
		if (w < 0) {
			if (errno != EINTR)
				out->failed = errno;
			continue;
		}
		if (w == 0) { /* not expected from a file: avoid spinning */
			out->failed = EIO;
			break;
		}
		while (n > 0 && (size_t)w >= v->iov_len) {
			w -= (ssize_t)v->iov_len;
			v++;
			n--;
		}
		if (n > 0) {
			v->iov_base = (uint8_t *)v->iov_base + w;
			v->iov_len -= (size_t)w;
		}
	}
	out->niov = 0;
	out->staged = 0;
}

static void
out_add_iov(struct offline_out *out, const void *p, size_t n)
{
	struct iovec *last = out->niov > 0 ? &out->iov[out->niov - 1] : NULL;

	if (last != NULL && (const uint8_t *)last->iov_base + last->iov_len == p) {
		last->iov_len += n;
		return;
	}
	if (out->niov == OUT_IOV)
		out_writev(out);
	out->iov[out->niov++] = (struct iovec){(void *)p, n};
}

/* Copy into the stage; too large a piece is written on its own (after the
 * queue, to keep the order). */
static void
out_copy(struct offline_out *out, const void *p, size_t n)
{
	if (out->staged + n > OUT_STAGE || out->niov == OUT_IOV)
		out_writev(out);
	if (n > OUT_STAGE) {
		out_add_iov(out, p, n);
		out_writev(out);
		return;
	}
	memcpy(out->stage + out->staged, p, n);
	out_add_iov(out, out->stage + out->staged, n);
	out->staged += n;
}

/* Move the pending run into the queue: by reference when long enough to
 * be worth an entry of its own. */
static void
out_end_run(struct offline_out *out)
{
	if (out->runlen == 0)
		return;
	if (out->runlen < OUT_COPY_MAX)
		out_copy(out, out->run, out->runlen);
	else
		out_add_iov(out, out->run, out->runlen);
	out->runlen = 0;
}

void
offline_out_ref(struct offline_out *out, const void *p, size_t n)
{
	if (out->runlen > 0 && out->run + out->runlen == (const uint8_t *)p) {
		out->runlen += n;
		return;
	}
	out_end_run(out);
	out->run = p;
	out->runlen = n;
}

void
offline_out_write(struct offline_out *out, const void *p, size_t n)
{
	out_end_run(out);
	out_copy(out, p, n);
}

pcap_dumper_t *
offline_out_dumper(struct offline_out *out)
{
	return out->dumper;
}

int
offline_out_sync(struct offline_out *out, struct bpfc_error *err)
{
	if (out->stream != NULL && fflush(out->stream) != 0 && !out->failed)
		out->failed = EIO;
	out_end_run(out);
	out_writev(out);
	if (out->failed)
		return diag_plain(err, BPFC_EIO, "writing %s: %s", out->name,
				  strerror(out->failed));
	return 0;
}

/* ---- the stream libpcap's dumper writes to ------------------------------- */

static ssize_t
out_cookie_write(void *cookie, const char *buf, size_t size)
{
	offline_out_write(cookie, buf, size);
	return (ssize_t)size;
}

/* The stream, the dumper on it and the file header: 0 or -1. */
static int
out_start(struct offline_out *out, const struct offline_in *in, struct bpfc_error *err)
{
	cookie_io_functions_t io = {NULL, out_cookie_write, NULL, NULL};

	out->stage = malloc(OUT_STAGE);
	out->stream = out->stage != NULL ? fopencookie(out, "w", io) : NULL;
	if (out->stream == NULL)
		return diag_plain(err, BPFC_ENOMEM, "%s: out of memory", out->name);
	out->dumper = pcap_dump_fopen(offline_in_pcap(in), out->stream);
	if (out->dumper == NULL) /* a link type pcap files cannot hold */
		return diag_plain(err, BPFC_EIO, "%s: %s", out->name,
				  pcap_geterr(offline_in_pcap(in)));
	return offline_out_sync(out, err);
}

/* ---- the file ------------------------------------------------------------- */

/* Create PATH.bpfc-PID-N.tmp exclusively. */
static int
out_create_tmp(struct offline_out *out, const struct stat *old, struct bpfc_error *err)
{
	size_t len = strlen(out->path) + 64;

	out->tmp = malloc(len);
	if (out->tmp == NULL)
		return diag_plain(err, BPFC_ENOMEM, "%s: out of memory", out->name);
	for (int i = 0; i < OUT_TMP_TRIES; i++) {
		snprintf(out->tmp, len, "%s.bpfc-%ld-%d.tmp", out->path, (long)getpid(), i);
		out->fd = open(out->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (out->fd >= 0 || errno != EEXIST)
			break;
	}
	if (out->fd < 0) {
		int e = errno;
		free(out->tmp);
		out->tmp = NULL;
		return diag_plain(err, BPFC_EIO, "%s: cannot create a temporary file beside it: %s",
				  out->name, strerror(e));
	}
	if (old != NULL)
		(void)fchmod(out->fd, old->st_mode & 07777); /* best effort, as a rewrite */
	return 0;
}

static int
out_open_file(struct offline_out *out, struct bpfc_error *err)
{
	struct stat st, lst;
	int exists = stat(out->path, &st) == 0;

	out->own_fd = 1;
	if (exists && S_ISDIR(st.st_mode))
		return diag_plain(err, BPFC_EIO, "%s: %s", out->name, strerror(EISDIR));
	if (exists && (!S_ISREG(st.st_mode) ||
		       (lstat(out->path, &lst) == 0 && S_ISLNK(lst.st_mode)))) {
		out->fd = open(out->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (out->fd < 0)
			return diag_plain(err, BPFC_EIO, "%s: %s", out->name, strerror(errno));
		return 0;
	}
	return out_create_tmp(out, exists ? &st : NULL, err);
}

struct offline_out *
offline_out_open(const char *path, const struct offline_in *in, struct bpfc_error *err)
{
	struct offline_out *out = calloc(1, sizeof(*out));

	if (out == NULL) {
		diag_plain(err, BPFC_ENOMEM, "%s: out of memory", path);
		return NULL;
	}
	out->fd = -1;
	if (strcmp(path, "-") == 0) {
		out->fd = STDOUT_FILENO;
		out->name = "<stdout>";
	} else {
		out->path = strdup(path);
		out->name = out->path != NULL ? out->path : path;
		if (out->path == NULL) {
			diag_plain(err, BPFC_ENOMEM, "%s: out of memory", path);
			offline_out_discard(out);
			return NULL;
		}
		if (out_open_file(out, err) < 0) {
			offline_out_discard(out);
			return NULL;
		}
	}
	if (out_start(out, in, err) < 0) {
		offline_out_discard(out);
		return NULL;
	}
	return out;
}

/* Close the dumper's stream and the file: 0 or -1. */
static int
out_close(struct offline_out *out, struct bpfc_error *err)
{
	int rc = 0;

	if (out->dumper != NULL) {
		rc = offline_out_sync(out, err);
		pcap_dump_close(out->dumper); /* closes out->stream: nothing left in it */
		out->dumper = NULL;
		out->stream = NULL;
	} else if (out->stream != NULL) {
		fclose(out->stream);
		out->stream = NULL;
	}
	if (out->own_fd && out->fd >= 0) {
		if (close(out->fd) < 0 && rc == 0)
			rc = diag_plain(err, BPFC_EIO, "writing %s: %s", out->name, strerror(errno));
		out->fd = -1;
	}
	return rc;
}

static void
out_free(struct offline_out *out)
{
	if (out->tmp != NULL)
		unlink(out->tmp);
	free(out->tmp);
	free(out->path);
	free(out->stage);
	free(out);
}

int
offline_out_finish(struct offline_out *out, struct bpfc_error *err)
{
	int rc = out_close(out, err);

	if (rc == 0 && out->tmp != NULL) {
		if (rename(out->tmp, out->path) < 0)
			rc = diag_plain(err, BPFC_EIO, "cannot rename %s to %s: %s", out->tmp,
					out->path, strerror(errno));
		else
			out->tmp[0] = '\0'; /* nothing left to remove */
	}
	if (out->tmp != NULL && out->tmp[0] == '\0') {
		free(out->tmp);
		out->tmp = NULL;
	}
	out_free(out);
	return rc;
}

void
offline_out_discard(struct offline_out *out)
{
	struct bpfc_error ignored;

	if (out == NULL)
		return;
	diag_init(&ignored);
	out_close(out, &ignored);
	out_free(out);
}
