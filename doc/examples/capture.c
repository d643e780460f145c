/*
 * capture.c: a small capture program that filters with bpfc.
 *
 *   capture {-i INTERFACE | -r FILE} [-c COUNT] [-q] [EXPRESSION...]
 *
 * Opens a network interface or a savefile, compiles the expression (its
 * words joined with spaces, as tcpdump does) with bpfc_pcap_compile,
 * installs it with pcap_setfilter, and prints one line per packet that
 * passes: its time stamp, then captured/wire length.  The number of
 * packets is printed on standard error at the end.
 *
 * It is an ordinary libpcap program: bpfc_pcap_compile stands where
 * pcap_compile would, and nothing else changes.  Build it with
 *
 *   cc -o capture capture.c $(pkg-config --cflags --libs libbpfc-pcap)
 *
 * Exit status: 0 done, 1 an error (its message on standard error), 2 bad
 * usage.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <bpfc-pcap.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tally {
	unsigned long packets;
	int quiet;
};

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct tally *t = (struct tally *)user;

	(void)bytes;
	t->packets++;
	if (!t->quiet)
		printf("%ld.%06ld %u/%u\n", (long)h->ts.tv_sec, (long)h->ts.tv_usec, h->caplen,
		       h->len);
}

/* The words joined with spaces, in a malloc'd string ("" for none). */
static char *
join_words(char **words, int n)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, words[i]);
	}
	return s;
}

/* A savefile, or a live interface with its IPv4 netmask (for `ip
 * broadcast`), which a savefile does not record. */
static pcap_t *
open_source(const char *device, const char *file, bpf_u_int32 *netmask, char *errbuf)
{
	bpf_u_int32 net;

	*netmask = PCAP_NETMASK_UNKNOWN;
	if (file != NULL)
		return pcap_open_offline(file, errbuf);
	if (pcap_lookupnet(device, &net, netmask, errbuf) < 0)
		*netmask = PCAP_NETMASK_UNKNOWN;
	return pcap_open_live(device, 262144, 1, 1000, errbuf);
}

/* Compile, install and run the filter: 0, or 1 after printing why not. */
static int
filter_and_capture(pcap_t *p, const char *expr, bpf_u_int32 netmask, int count,
		   struct tally *t)
{
	struct bpf_program prog;
	int status = 1;

	/* The one call that differs from a libpcap program: */
	if (bpfc_pcap_compile(p, &prog, expr, 1, netmask) < 0) {
		fprintf(stderr, "capture: %s\n", pcap_geterr(p));
		return 1;
	}
	if (pcap_setfilter(p, &prog) < 0)
		fprintf(stderr, "capture: %s\n", pcap_geterr(p));
	else if (pcap_loop(p, count, on_packet, (u_char *)t) == PCAP_ERROR)
		fprintf(stderr, "capture: %s\n", pcap_geterr(p));
	else
		status = 0;
	pcap_freecode(&prog); /* pcap_setfilter made its own copy */
	fprintf(stderr, "%lu packets\n", t->packets);
	return status;
}

static int
usage(void)
{
	fprintf(stderr, "usage: capture {-i INTERFACE | -r FILE} [-c COUNT] [-q] "
			"[EXPRESSION...]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	const char *device = NULL, *file = NULL;
	char errbuf[PCAP_ERRBUF_SIZE];
	struct tally tally = {0, 0};
	bpf_u_int32 netmask;
	int count = -1, opt, status = 1;
	pcap_t *p;
	char *expr;

	while ((opt = getopt(argc, argv, "i:r:c:q")) != -1) {
		switch (opt) {
		case 'i': device = optarg; break;
		case 'r': file = optarg; break;
		case 'c': count = atoi(optarg); break;
		case 'q': tally.quiet = 1; break;
		default: return usage();
		}
	}
	if ((device == NULL) == (file == NULL))
		return usage();
	p = open_source(device, file, &netmask, errbuf);
	if (p == NULL) {
		fprintf(stderr, "capture: %s\n", errbuf);
		return 1;
	}
	expr = join_words(argv + optind, argc - optind);
	if (expr == NULL)
		fprintf(stderr, "capture: out of memory\n");
	else
		status = filter_and_capture(p, expr, netmask, count, &tally);
	free(expr);
	pcap_close(p);
	return status;
}
