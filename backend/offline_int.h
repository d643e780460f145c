/*
 * offline_int.h: what the reader (backend/offline.c) and the writer
 * (backend/offline_out.c) of the offline stage share.  Not used outside
 * backend/offline*.c.
 *
 * The writer queues pieces in order: references to the caller's memory
 * (offline_out_ref, valid until the next offline_out_sync) and copies
 * (offline_out_write).  Adjacent references merge into one run, so
 * consecutive matching records of the input buffer leave in one writev
 * entry; a short run is copied instead, so that the kernel never sees
 * thousands of tiny entries.  Write errors are sticky: the calls return
 * nothing, offline_out_sync reports the first one.
 */
#ifndef BPFC_BACKEND_OFFLINE_INT_H
#define BPFC_BACKEND_OFFLINE_INT_H

#include <stddef.h>

#include <pcap/pcap.h>

#include "backend/offline.h"

/* The libpcap handle whose file header the output repeats. */
pcap_t *offline_in_pcap(const struct offline_in *in);

/* Queue `n` bytes at `p` by reference: they must stay unchanged until the
 * next offline_out_sync. */
void offline_out_ref(struct offline_out *out, const void *p, size_t n);

/* Queue a copy of `n` bytes at `p`. */
void offline_out_write(struct offline_out *out, const void *p, size_t n);

/* libpcap's dumper for the output (its stream copies into the queue). */
pcap_dumper_t *offline_out_dumper(struct offline_out *out);

/* Write everything queued (after flushing the dumper's stream): 0, or -1
 * with `err` naming the output and the first write error. */
int offline_out_sync(struct offline_out *out, struct bpfc_error *err);

#endif
