/*
 * pcapfile.h: reading capture files, one packet at a time.
 *
 * Takes a path (or "-" for standard input) naming a pcap or pcapng file;
 * gives its packets in file order as (data, caplen, wirelen) and its link
 * type.  libpcap does the parsing; this module turns its errors into
 * values (struct bpfc_error, code BPFC_EIO) whose message names the file,
 * so the caller prints one line and decides what to do.
 *
 * Invariants: a packet's data holds exactly `caplen` bytes and stays valid
 * until the next pcapfile_next or pcapfile_close on the same reader;
 * caplen <= wirelen is not promised (a corrupt file may say otherwise), so
 * consumers must bound their reads by caplen alone.
 */
#ifndef BPFC_BACKEND_PCAPFILE_H
#define BPFC_BACKEND_PCAPFILE_H

#include <stdint.h>

#include "bpfc.h"

struct pcapfile;

struct pcapfile_pkt {
	const uint8_t *data; /* caplen bytes, owned by the reader */
	uint32_t caplen;     /* bytes captured */
	uint32_t wirelen;    /* bytes the packet had on the wire */
};

/* Open the capture at `path` ("-" is standard input).  NULL on error, with
 * `err` saying why and naming the file. */
struct pcapfile *pcapfile_open(const char *path, struct bpfc_error *err);

/* The next packet: 1 and `pkt` filled, 0 at the end of the file, or -1
 * with `err` naming the file (a truncated or corrupt file). */
int pcapfile_next(struct pcapfile *pf, struct pcapfile_pkt *pkt, struct bpfc_error *err);

/* The file's link type, a DLT_ value. */
int pcapfile_linktype(const struct pcapfile *pf);

/* The name errors use: the path, or "<stdin>". */
const char *pcapfile_name(const struct pcapfile *pf);

/* Free the reader and close its file (standard input is left open).  NULL
 * is allowed. */
void pcapfile_close(struct pcapfile *pf);

/* The libpcap version that reads the files, as pcap_lib_version() says it. */
const char *pcapfile_lib_version(void);

#endif
