/*
 * offline.h: filtering capture files, the reader/writer stage behind
 * `bpfc -r IN [-w OUT] [-c COUNT]`.
 *
 * Takes a capture (a path, or "-" for standard input) and a loaded filter;
 * gives the matching packets, either written to a pcap file byte for byte
 * as `tcpdump -r IN -w OUT` writes them, or handed one at a time to a
 * callback, and the counts of packets read and matched.
 *
 * Two readers sit behind one handle.  Classic pcap files (v2.4, micro- or
 * nanosecond, either byte order) are parsed here, in place, in large
 * read() blocks; matching records that need no conversion are written
 * back by reference (writev of runs of the input buffer).  Everything else
 * (pcapng, the modified/Kuznetzov magics, other versions, link types whose
 * pseudo-headers libpcap rewrites) goes through libpcap's reader and
 * dumper.  Either way libpcap itself opens the file header, so the link
 * type, the snapshot length and the output file's 24-byte header are
 * exactly libpcap's.
 *
 * Invariants: no packet is ever read past its captured length; an error in
 * the input stops the scan with a message naming the byte offset of the
 * bad record, and everything matched before it has been passed on (the
 * output stays a complete pcap file); output files other than "-" are
 * written beside the target under a temporary name and renamed into place
 * by offline_out_finish, so the target is never seen half-written.
 */
#ifndef BPFC_BACKEND_OFFLINE_H
#define BPFC_BACKEND_OFFLINE_H

#include <stdint.h>

#include "bpfc.h"

struct offline_in;
struct offline_out;

/* Open `path` ("-": standard input) and read its file header.  NULL with
 * `err` naming the file when it cannot be opened or is no capture. */
struct offline_in *offline_open(const char *path, struct bpfc_error *err);

/* The capture's link type, a DLT_ value as libpcap reports it. */
int offline_linktype(const struct offline_in *in);

/* 1 when the file was written in the other byte order than this
 * machine's (libpcap's pcap_is_swapped): libpcap compiles DLT_NULL's
 * address family byte-swapped for such a file. */
int offline_is_swapped(const struct offline_in *in);

/* The size of the input when it is a regular file, else -1. */
int64_t offline_size(const struct offline_in *in);

/* 1 when the classic reader parses the file, 0 when libpcap does. */
int offline_is_fast(const struct offline_in *in);

/* Close the input (standard input stays open).  NULL is allowed. */
void offline_close(struct offline_in *in);

/* Create the output for `in` at `path` ("-": standard output) and write
 * its file header.  A path names a temporary file beside it until
 * offline_out_finish.  NULL with `err` set on failure. */
struct offline_out *offline_out_open(const char *path, const struct offline_in *in,
				     struct bpfc_error *err);

/* Write what is buffered, close, and rename the temporary file into place:
 * 0, or -1 with `err` set (the temporary file is then removed).  Frees
 * `out` either way. */
int offline_out_finish(struct offline_out *out, struct bpfc_error *err);

/* Give up: remove the temporary file and free `out`.  NULL is allowed. */
void offline_out_discard(struct offline_out *out);

/* One packet as the callback sees it (timestamps as libpcap hands them
 * to a microsecond reader). */
struct offline_pkt {
	const uint8_t *data; /* caplen bytes, valid during the callback only */
	uint32_t caplen, wirelen;
	int64_t sec;
	int32_t usec;
};

/* What to do with the packets the filter accepts. */
struct offline_sink {
	const struct bpfc_filter *f;
	int64_t count;           /* stop after this many matches; < 0: none */
	struct offline_out *out; /* write them here, or NULL: call each() */
	int (*each)(void *arg, const struct offline_pkt *p, struct bpfc_error *err);
	/* Called a few times a second at most, NULL for none: bytes of
	 * input consumed so far and packets read. */
	void (*tick)(void *arg, uint64_t bytes, uint64_t packets);
	void *arg;
};

struct offline_counts {
	uint64_t read, matched;
	uint64_t bytes; /* of input consumed */
};

/* Run s->f over every packet of `in` in file order.  0 at the end of the
 * file or after s->count matches; -1 with `err` set on a bad record (its
 * byte offset named), a read or write error, or an error from each().
 * `n` is filled in every case. */
int offline_filter(struct offline_in *in, const struct offline_sink *s,
		   struct offline_counts *n, struct bpfc_error *err);

#endif
