/*
 * pcapfile.c: capture files through libpcap's offline reader.
 *
 * Takes a path or "-"; gives packets and errors as values (see
 * pcapfile.h).  We open the file ourselves and hand the FILE to
 * pcap_fopen_offline so that "cannot open" errors carry errno's text and a
 * directory is refused before libpcap tries to read one.  libpcap's own
 * messages (a truncated record, a bad magic number) are passed on after
 * the file name.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "backend/pcapfile.h"
#include "base/diag.h"

struct pcapfile {
	pcap_t *pcap;
	const char *name; /* the caller's path, or "<stdin>" */
};

static const char pcapfile_stdin_name[] = "<stdin>";

/* fopen, refusing what is not a file's contents (a directory). */
static FILE *
pcapfile_fopen(const char *path, const char *name, struct bpfc_error *err)
{
	struct stat st;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL) {
		diag_plain(err, BPFC_EIO, "%s: %s", name, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		diag_plain(err, BPFC_EIO, "%s: %s", name, strerror(EISDIR));
		fclose(fp);
		return NULL;
	}
	return fp;
}

struct pcapfile *
pcapfile_open(const char *path, struct bpfc_error *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? pcapfile_stdin_name : path;
	struct pcapfile *pf = calloc(1, sizeof(*pf));

	if (pf == NULL) {
		diag_plain(err, BPFC_ENOMEM, "%s: out of memory", name);
		return NULL;
	}
	pf->name = name;
	FILE *fp = is_stdin ? stdin : pcapfile_fopen(path, name, err);
	if (fp == NULL) {
		free(pf);
		return NULL;
	}
	/* On failure pcap_fopen_offline leaves the FILE to us. */
	pf->pcap = pcap_fopen_offline(fp, errbuf);
	if (pf->pcap == NULL) {
		diag_plain(err, BPFC_EIO, "%s: %s", name,
			   errbuf[0] != '\0' ? errbuf : "not a capture file");
		if (!is_stdin)
			fclose(fp);
		free(pf);
		return NULL;
	}
	return pf;
}

int
pcapfile_next(struct pcapfile *pf, struct pcapfile_pkt *pkt, struct bpfc_error *err)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;

	switch (pcap_next_ex(pf->pcap, &hdr, &data)) {
	case 1:
		pkt->data = data;
		pkt->caplen = hdr->caplen;
		pkt->wirelen = hdr->len;
		return 1;
	case PCAP_ERROR_BREAK: /* the end of a file */
		return 0;
	default:
		diag_plain(err, BPFC_EIO, "%s: %s", pf->name, pcap_geterr(pf->pcap));
		return -1;
	}
}

int
pcapfile_linktype(const struct pcapfile *pf)
{
	return pcap_datalink(pf->pcap);
}

const char *
pcapfile_name(const struct pcapfile *pf)
{
	return pf->name;
}

void
pcapfile_close(struct pcapfile *pf)
{
	if (pf == NULL)
		return;
	pcap_close(pf->pcap); /* closes the FILE unless it is stdin */
	free(pf);
}

const char *
pcapfile_lib_version(void)
{
	return pcap_lib_version();
}
