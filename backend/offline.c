/*
 * offline.c: reading capture files for `bpfc -r`, and the filtering loop.
 *
 * Takes a path or "-"; gives the link type and, through offline_filter,
 * the matching packets (see offline.h).
 *
 * The first 24 bytes decide the reader.  A classic pcap header (magic
 * a1b2c3d4 or a1b23c4d in either byte order, version 2.4) whose link type
 * libpcap hands over untouched is parsed here: read() fills a buffer of
 * IN_BLOCK bytes, records are parsed where they lie, a record cut by the
 * end of the buffer is moved to its front before the next read, and one
 * read() per round keeps a pipe streaming.  Anything else goes to
 * libpcap's reader.  In both cases libpcap opens the header first (from a
 * stdio stream, fopencookie, that replays the bytes already read and then
 * reads the descriptor), so the link type, the snapshot length and the
 * output header are libpcap's; the classic reader then applies the two
 * rules libpcap applies to each record: a captured length over the link
 * type's maximum is an error, one over the file's snapshot length is cut
 * to it.  Nanosecond stamps are divided down to microseconds, swapped
 * headers are written in host order, as libpcap hands them to its dumper.
 *
 * Why not mmap: on this machine a scan through read() into a reused
 * buffer measured faster than one over a mapping (page faults per 4 KiB
 * page cost more than the copy), and read() also serves pipes.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <byteswap.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/offline_int.h"
#include "base/diag.h"

enum {
	IN_BLOCK = 1 << 20,   /* bytes per read(): see the measurement in the report */
	IN_HDR = 24,          /* the classic file header */
	IN_REC = 16,          /* a classic record header */
	IN_SLOW_TICK = 4096   /* packets between two ticks on libpcap's path */
};

struct offline_in {
	const char *name;   /* the path, or "<stdin>" */
	int fd, own_fd;
	int64_t size;
	pcap_t *pcap;       /* the reader (libpcap's path) or the header's handle */
	FILE *stream;       /* what pcap reads: the bytes in hdr[], then fd */
	uint8_t hdr[IN_HDR];
	size_t hdrlen, hdrpos;
	int stream_fd;      /* -1: the stream ends after hdr[] */
	uint64_t consumed;  /* bytes of the file the stream has delivered */
	/* the classic reader */
	int fast, swapped, nano;
	uint32_t snapshot, maxsnap;
	uint8_t *buf;
	size_t cap, len, pos;
	uint64_t base;      /* file offset of buf[0] */
	int eof;
};

static const char in_stdin_name[] = "<stdin>";

/* ---- descriptors ------------------------------------------------------- */

/* One read(), retrying EINTR and waiting out EAGAIN: bytes, 0 at the end,
 * -1 with errno. */
static ssize_t
in_read(int fd, void *p, size_t n)
{
	for (;;) {
		ssize_t r = read(fd, p, n);
		if (r >= 0)
			return r;
		if (errno == EAGAIN) { /* a non-blocking descriptor: wait for data */
			struct pollfd pfd = {fd, POLLIN, 0};
			(void)poll(&pfd, 1, -1);
		} else if (errno != EINTR) {
			return -1;
		}
	}
}

/* The stream libpcap reads: the header bytes already taken, then fd. */
static ssize_t
in_cookie_read(void *cookie, char *p, size_t n)
{
	struct offline_in *in = cookie;
	ssize_t r;

	if (in->hdrpos < in->hdrlen) {
		size_t k = in->hdrlen - in->hdrpos;
		if (k > n)
			k = n;
		memcpy(p, in->hdr + in->hdrpos, k);
		in->hdrpos += k;
		in->consumed += k;
		return (ssize_t)k;
	}
	if (in->stream_fd < 0)
		return 0;
	r = in_read(in->stream_fd, p, n);
	if (r > 0)
		in->consumed += (uint64_t)r;
	return r;
}

/* ftell's question (offset 0 from here) is the only one answered. */
static int
in_cookie_seek(void *cookie, off64_t *off, int whence)
{
	struct offline_in *in = cookie;

	if (whence != SEEK_CUR || *off != 0) {
		errno = ESPIPE;
		return -1;
	}
	*off = (off64_t)in->consumed;
	return 0;
}

/* Open libpcap on a fresh stream over hdr[] (and fd unless header_only). */
static int
in_pcap_open(struct offline_in *in, int header_only, struct bpfc_error *err)
{
	cookie_io_functions_t io = {in_cookie_read, NULL, in_cookie_seek, NULL};
	char errbuf[PCAP_ERRBUF_SIZE] = "";

	in->hdrpos = 0;
	in->consumed = 0;
	in->stream_fd = header_only ? -1 : in->fd;
	in->stream = fopencookie(in, "r", io);
	if (in->stream == NULL)
		return diag_plain(err, BPFC_ENOMEM, "%s: out of memory", in->name);
	in->pcap = pcap_fopen_offline(in->stream, errbuf);
	if (in->pcap == NULL) {
		fclose(in->stream);
		in->stream = NULL;
		return diag_plain(err, BPFC_EIO, "%s: %s", in->name,
				  errbuf[0] != '\0' ? errbuf : "not a capture file");
	}
	return 0;
}

static void
in_pcap_close(struct offline_in *in)
{
	if (in->pcap != NULL)
		pcap_close(in->pcap); /* closes in->stream */
	in->pcap = NULL;
	in->stream = NULL;
}

/* ---- choosing the reader ------------------------------------------------ */

static uint32_t
in_u32(const uint8_t *p, int swapped)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swapped ? bswap_32(v) : v;
}

/* Link types whose packets libpcap hands over as stored even from a file
 * of the other byte order (it rewrites the pseudo-headers of others, such
 * as Linux cooked, USB, NFLOG and pflog). */
static int
in_swap_safe(int dlt)
{
	static const int safe[] = {DLT_NULL, DLT_EN10MB, DLT_IEEE802, DLT_SLIP, DLT_PPP,
				   DLT_FDDI, DLT_RAW, DLT_PPP_SERIAL, DLT_PPP_ETHER, DLT_C_HDLC,
				   DLT_IEEE802_11, DLT_FRELAY, DLT_LOOP, DLT_IEEE802_11_RADIO,
				   DLT_IPV4, DLT_IPV6};

	for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if (safe[i] == dlt)
			return 1;
	return 0;
}

/* 1 when hdr[] is a classic v2.4 header this file parses (swapped and
 * nano set), else 0. */
static int
in_classic(struct offline_in *in)
{
	uint32_t magic;

	if (in->hdrlen < IN_HDR)
		return 0;
	memcpy(&magic, in->hdr, 4);
	in->swapped = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
	in->nano = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
	if (!in->swapped && magic != 0xa1b2c3d4u && magic != 0xa1b23c4du)
		return 0;
	uint32_t ver = in_u32(in->hdr + 4, 0);
	uint16_t major = (uint16_t)(in->swapped ? bswap_16((uint16_t)ver) : ver);
	uint16_t minor = (uint16_t)(in->swapped ? bswap_16((uint16_t)(ver >> 16)) : ver >> 16);
	/* link types with flag bits above the low 16 are libpcap's business */
	return major == 2 && minor == 4 && in_u32(in->hdr + 20, in->swapped) <= 0xffff;
}

/* The largest captured length libpcap accepts for the link type: the
 * snapshot length it substitutes for a header's 0. */
static int
in_max_snaplen(struct offline_in *in, struct bpfc_error *err)
{
	uint8_t saved[IN_HDR];
	pcap_t *keep = in->pcap;
	FILE *keep_stream = in->stream;
	int rc;

	memcpy(saved, in->hdr, IN_HDR);
	memset(in->hdr + 16, 0, 4);
	in->pcap = NULL;
	rc = in_pcap_open(in, 1, err);
	if (rc == 0) {
		in->maxsnap = (uint32_t)pcap_snapshot(in->pcap);
		in_pcap_close(in);
	}
	memcpy(in->hdr, saved, IN_HDR);
	in->pcap = keep;
	in->stream = keep_stream;
	return rc;
}

/* Open the header with libpcap and pick the reader. */
static int
in_start(struct offline_in *in, struct bpfc_error *err)
{
	ssize_t r = 0;

	while (in->hdrlen < IN_HDR && (r = in_read(in->fd, in->hdr + in->hdrlen,
						   IN_HDR - in->hdrlen)) > 0)
		in->hdrlen += (size_t)r;
	if (in->hdrlen < IN_HDR && r < 0)
		return diag_plain(err, BPFC_EIO, "%s: %s", in->name, strerror(errno));
	if (in_classic(in) && in_pcap_open(in, 1, err) == 0) {
		int dlt = pcap_datalink(in->pcap);
		if (dlt != DLT_USB_LINUX_MMAPPED && (!in->swapped || in_swap_safe(dlt))) {
			in->fast = 1;
			in->snapshot = (uint32_t)pcap_snapshot(in->pcap);
			in->base = IN_HDR;
			return in_max_snaplen(in, err);
		}
		in_pcap_close(in);
	}
	diag_init(err);
	return in_pcap_open(in, 0, err);
}

struct offline_in *
offline_open(const char *path, struct bpfc_error *err)
{
	int is_stdin = strcmp(path, "-") == 0;
	struct offline_in *in = calloc(1, sizeof(*in));
	struct stat st;

	if (in == NULL) {
		diag_plain(err, BPFC_ENOMEM, "%s: out of memory", path);
		return NULL;
	}
	in->name = is_stdin ? in_stdin_name : path;
	in->fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	in->own_fd = !is_stdin;
	in->size = -1;
	if (in->fd < 0) {
		diag_plain(err, BPFC_EIO, "%s: %s", in->name, strerror(errno));
		free(in);
		return NULL;
	}
	if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		diag_plain(err, BPFC_EIO, "%s: %s", in->name, strerror(EISDIR));
		offline_close(in);
		return NULL;
	}
	if (S_ISREG(st.st_mode)) {
		off_t at = lseek(in->fd, 0, SEEK_CUR);
		in->size = (int64_t)st.st_size - (at > 0 ? (int64_t)at : 0);
		(void)posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	if (in_start(in, err) < 0) {
		offline_close(in);
		return NULL;
	}
	return in;
}

int
offline_linktype(const struct offline_in *in)
{
	return pcap_datalink(in->pcap);
}

int
offline_is_swapped(const struct offline_in *in)
{
	return pcap_is_swapped(in->pcap) == 1;
}

int64_t
offline_size(const struct offline_in *in)
{
	return in->size;
}

int
offline_is_fast(const struct offline_in *in)
{
	return in->fast;
}

pcap_t *
offline_in_pcap(const struct offline_in *in)
{
	return in->pcap;
}

void
offline_close(struct offline_in *in)
{
	if (in == NULL)
		return;
	in_pcap_close(in);
	if (in->own_fd && in->fd >= 0)
		close(in->fd);
	free(in->buf);
	free(in);
}

/* ---- the classic reader -------------------------------------------------- */

/* A matching record: to the output (by reference when its bytes are
 * already what libpcap's dumper would write) or to the callback. */
static int
fast_emit(struct offline_in *in, const struct offline_sink *s, const uint8_t *rec,
	  const uint32_t h[4], uint32_t cap, struct bpfc_error *err)
{
	int32_t usec = (int32_t)h[1];

	/* libpcap divides a signed field when the file is in host order and
	 * an unsigned one when it swapped the bytes (tcpdump agrees) */
	if (in->nano)
		usec = in->swapped ? (int32_t)(h[1] / 1000) : usec / 1000;
	if (s->out != NULL) {
		if (!in->swapped && !in->nano && cap == h[2]) {
			offline_out_ref(s->out, rec, IN_REC + cap);
		} else {
			uint32_t o[4] = {h[0], (uint32_t)usec, cap, h[3]};
			offline_out_write(s->out, o, sizeof(o));
			offline_out_ref(s->out, rec + IN_REC, cap);
		}
		return 0;
	}
	struct offline_pkt p = {rec + IN_REC, cap, h[3], (int32_t)h[0], usec};
	return s->each(s->arg, &p, err);
}

static int
fast_bad_caplen(struct offline_in *in, uint32_t caplen, struct bpfc_error *err)
{
	return diag_plain(err, BPFC_EIO,
			  "%s: bad record at byte %" PRIu64 ": captured length %" PRIu32
			  " is over the maximum of %" PRIu32 " for this link type",
			  in->name, in->base + in->pos, caplen, in->maxsnap);
}

/* Every whole record in buf[pos, len): 0 when more input is needed, 1
 * when the count is reached, -1 on error. */
static int
fast_scan(struct offline_in *in, const struct offline_sink *s, struct offline_counts *n,
	  struct bpfc_error *err)
{
	const uint8_t *b = in->buf;
	size_t pos = in->pos, len = in->len;
	uint64_t stop = s->count < 0 ? UINT64_MAX : (uint64_t)s->count;
	/* locals, so that the loop keeps them in registers across the calls */
	uint64_t nread = n->read, matched = n->matched;
	const uint32_t maxsnap = in->maxsnap, snapshot = in->snapshot;
	const int swapped = in->swapped;
	int rc = 0;

	while (len - pos >= IN_REC) {
		uint32_t h[4];
		memcpy(h, b + pos, IN_REC);
		if (swapped)
			for (int i = 0; i < 4; i++)
				h[i] = bswap_32(h[i]);
		if (h[2] > maxsnap) {
			in->pos = pos;
			rc = fast_bad_caplen(in, h[2], err);
			break;
		}
		if (len - pos - IN_REC < h[2])
			break;
		uint32_t cap = h[2] <= snapshot ? h[2] : snapshot;
		nread++;
		if (bpfc_run(s->f, b + pos + IN_REC, h[3], cap) != 0) {
			matched++;
			if (fast_emit(in, s, b + pos, h, cap, err) < 0)
				rc = -1;
			else if (matched >= stop)
				rc = 1;
		}
		pos += IN_REC + h[2];
		if (rc != 0)
			break;
	}
	in->pos = pos;
	n->read = nread;
	n->matched = matched;
	return rc;
}

/* Make room and read once more: keep the unparsed tail, grow the buffer
 * when one record needs more than it holds.  0 or -1. */
static int
fast_fill(struct offline_in *in, const struct offline_sink *s, struct bpfc_error *err)
{
	size_t tail = in->len - in->pos, need = IN_BLOCK;

	if (s->out != NULL && offline_out_sync(s->out, err) < 0)
		return -1; /* the queue may point into the bytes about to move */
	if (tail >= IN_REC) {
		uint32_t caplen = in_u32(in->buf + in->pos + 8, in->swapped);
		if ((size_t)caplen + IN_REC > need)
			need = (size_t)caplen + IN_REC;
	}
	if (in->cap < need) {
		uint8_t *nb = malloc(need);
		if (nb == NULL)
			return diag_plain(err, BPFC_ENOMEM, "%s: out of memory", in->name);
		if (tail > 0)
			memcpy(nb, in->buf + in->pos, tail);
		free(in->buf);
		in->buf = nb;
		in->cap = need;
	} else if (tail > 0 && in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, tail);
	}
	in->base += in->pos;
	in->pos = 0;
	in->len = tail;
	ssize_t r = in_read(in->fd, in->buf + in->len, in->cap - in->len);
	if (r < 0)
		return diag_plain(err, BPFC_EIO, "%s: read error at byte %" PRIu64 ": %s",
				  in->name, in->base + in->len, strerror(errno));
	in->len += (size_t)r;
	in->eof = r == 0;
	return 0;
}

/* The end of the file came inside a record. */
static int
fast_truncated(struct offline_in *in, struct bpfc_error *err)
{
	size_t left = in->len - in->pos;
	uint64_t at = in->base + in->pos;

	if (left < IN_REC)
		return diag_plain(err, BPFC_EIO,
				  "%s: truncated record header at byte %" PRIu64
				  ": 16 bytes needed, %zu left", in->name, at, left);
	return diag_plain(err, BPFC_EIO,
			  "%s: truncated record at byte %" PRIu64 ": header says %" PRIu32
			  " bytes, %zu left", in->name, at,
			  in_u32(in->buf + in->pos + 8, in->swapped), left - IN_REC);
}

static int
fast_filter(struct offline_in *in, const struct offline_sink *s, struct offline_counts *n,
	    struct bpfc_error *err)
{
	int rc = 0;

	while (rc == 0) {
		if (fast_fill(in, s, err) < 0)
			return -1;
		rc = fast_scan(in, s, n, err);
		n->bytes = in->base + in->pos;
		if (rc == 0 && in->eof)
			return in->pos == in->len ? 0 : fast_truncated(in, err);
		if (rc == 0 && s->tick != NULL)
			s->tick(s->arg, n->bytes, n->read);
	}
	return rc < 0 ? -1 : 0;
}

/* ---- libpcap's reader ------------------------------------------------------ */

static int
slow_filter(struct offline_in *in, const struct offline_sink *s, struct offline_counts *n,
	    struct bpfc_error *err)
{
	pcap_dumper_t *d = s->out != NULL ? offline_out_dumper(s->out) : NULL;
	uint64_t stop = s->count < 0 ? UINT64_MAX : (uint64_t)s->count;
	struct pcap_pkthdr *h;
	const u_char *data;

	while (n->matched < stop) {
		long at = ftell(in->stream); /* where the record or block starts */
		int r = pcap_next_ex(in->pcap, &h, &data);
		if (r == PCAP_ERROR_BREAK)
			break;
		if (r != 1)
			return diag_plain(err, BPFC_EIO, "%s: at byte %ld: %s", in->name, at,
					  pcap_geterr(in->pcap));
		n->read++;
		if (bpfc_run(s->f, data, h->len, h->caplen) != 0) {
			n->matched++;
			if (d != NULL) {
				pcap_dump((u_char *)d, h, data);
			} else {
				struct offline_pkt p = {data, h->caplen, h->len,
							(int64_t)h->ts.tv_sec,
							(int32_t)h->ts.tv_usec};
				if (s->each(s->arg, &p, err) < 0)
					return -1;
			}
		}
		if (n->read % IN_SLOW_TICK == 0 && s->tick != NULL) {
			n->bytes = in->consumed;
			s->tick(s->arg, n->bytes, n->read);
		}
	}
	n->bytes = (uint64_t)ftell(in->stream);
	return 0;
}

int
offline_filter(struct offline_in *in, const struct offline_sink *s, struct offline_counts *n,
	       struct bpfc_error *err)
{
	*n = (struct offline_counts){0, 0, 0};
	if (s->count == 0)
		return 0;
	int rc = in->fast ? fast_filter(in, s, n, err) : slow_filter(in, s, n, err);
	if (s->out != NULL && offline_out_sync(s->out, err) < 0)
		rc = -1;
	return rc;
}
