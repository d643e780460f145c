/*
 * bpfc-pktgen: write the generator's packets as a capture file.
 *
 *   bpfc-pktgen [-y DLT] [-n COUNT] [-s SEED] [-S SNAPLEN] [-H SNAPLEN]
 *               [-B] [-N] [-g] -o OUT.pcap
 *
 * Takes a link type (a name as pcap_datalink_name_to_val spells it, or a
 * number), a packet count, a seed, a snapshot length and the file's
 * flavour; gives OUT.pcap, whose bytes are a function of those only.  By
 * default it is a classic microsecond pcap file in host byte order, the
 * same bytes as pktgen_write_pcap writes; -B writes the other byte order,
 * -N nanosecond time stamps (sub-microsecond digits included, so that
 * readers must convert), -g pcapng (one section, one interface, enhanced
 * packet blocks), -H puts another snapshot length in the file header than
 * the one packets were cut to (a file whose records exceed its header's
 * snapshot length).
 *
 * Packets are generated in chunks of PKTGEN_CHUNK (chunk k > 0 from the
 * seed mixed with k), so millions of packets take little memory; up to
 * PKTGEN_CHUNK packets are exactly pktgen_generate's for the seed.  The
 * file is written to OUT.pcap.tmp and renamed into place, so OUT.pcap is
 * either absent, the old file, or complete.  Exit status: 0 written, 1
 * could not write, 2 bad usage.
 */
#include <config.h>

#include <byteswap.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "tests/gen/pktgen.h"

#define PROG "bpfc-pktgen"

/* Link types are looked for up to the largest a pcap file's 16-bit
 * link-type field holds. */
#define DLT_LIMIT 0xffff

/* Packets generated at a time; also the count up to which the output is
 * pktgen_generate's own stream for the seed. */
#define PKTGEN_CHUNK 65536
#define PKTGEN_MAX_COUNT 100000000ull

struct args {
	int dlt;
	unsigned long long count, seed, snaplen, hsnaplen;
	int swap, nano, pcapng;
	const char *out;
};

/* The link types the generator frames, as " NAME(DLT)" under libpcap's
 * names (just the number when libpcap has none), then a newline. */
static void
print_linktypes(FILE *f)
{
	for (int v = 0; v <= DLT_LIMIT; v++) {
		const char *name;

		if (!pktgen_supports(v))
			continue;
		name = pcap_datalink_val_to_name(v);
		if (name != NULL)
			fprintf(f, " %s(%d)", name, v);
		else
			fprintf(f, " %d", v);
	}
	fputc('\n', f);
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [-y DLT] [-n COUNT] [-s SEED] [-S SNAPLEN] [-H SNAPLEN]\n"
		"                   [-B] [-N] [-g] -o OUT.pcap\n"
		"  -y DLT      link type, a name or a number (default EN10MB)\n"
		"  -n COUNT    packets to write, up to 100000000 (default 1000)\n"
		"  -s SEED     generator seed (default 1); same seed, same bytes\n"
		"  -S SNAPLEN  snapshot length, 1..262144 (default 262144)\n"
		"  -H SNAPLEN  snapshot length the file header claims, 0..4294967295\n"
		"              (default: -S's)\n"
		"  -B          write the other byte order than this machine's\n"
		"  -N          nanosecond time stamps\n"
		"  -g          write pcapng instead of classic pcap\n"
		"  -o FILE     output file (required)\n"
		"link types:");
	print_linktypes(f);
}

static int
bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fprintf(stderr, "Try '" PROG " --help'.\n");
	return 2;
}

/* A link type name (libpcap's, any case: pcap_datalink_name_to_val) or a
 * decimal number 0..DLT_LIMIT; -1 if it is neither.  Whether the
 * generator frames it is the caller's question. */
static int
parse_dlt(const char *s)
{
	int dlt = pcap_datalink_name_to_val(s);
	char *end;
	long v;

	if (dlt >= 0)
		return dlt;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0 || v > DLT_LIMIT)
		return -1;
	return (int)v;
}

/* -y ARG was not usable: say whether libpcap knows it at all, and which
 * link types would do. */
static int
bad_dlt(const char *arg, int dlt)
{
	const char *name = dlt >= 0 ? pcap_datalink_val_to_name(dlt) : NULL;

	fprintf(stderr, PROG ": ");
	if (dlt < 0)
		fprintf(stderr, "unknown link type '%s': neither a libpcap link-type name nor a "
				"number 0..%d\n", arg, DLT_LIMIT);
	else
		fprintf(stderr, "link type '%s' is DLT %d (%s), which the generator does not "
				"frame\n", arg, dlt, name != NULL ? name : "unnamed in libpcap");
	fprintf(stderr, PROG ": supported link types:");
	print_linktypes(stderr);
	fprintf(stderr, "Try '" PROG " --help'.\n");
	return 2;
}

/* An unsigned number in [min, max] (decimal, 0x hex or 0 octal). */
static int
parse_num(const char *s, unsigned long long min, unsigned long long max,
	  unsigned long long *out)
{
	char *end;

	if (*s == '\0' || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (*end != '\0' || errno != 0 || *out < min || *out > max)
		return -1;
	return 0;
}

/* The option getopt stopped at: "-x" for a short one, else the argument. */
static const char *
optname(char **argv, int opt, char buf[3])
{
	if (opt == 0)
		return argv[optind - 1];
	buf[0] = '-';
	buf[1] = (char)opt;
	buf[2] = '\0';
	return buf;
}

static int
parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	char opt[3];
	int c;

	int hset = 0;

	*a = (struct args){.dlt = 1, .count = 1000, .seed = 1, .snaplen = 262144};
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":y:n:s:S:H:BNgo:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'y':
			a->dlt = parse_dlt(optarg);
			if (a->dlt < 0 || !pktgen_supports(a->dlt))
				return bad_dlt(optarg, a->dlt);
			break;
		case 'n':
			if (parse_num(optarg, 0, PKTGEN_MAX_COUNT, &a->count) < 0)
				return bad_usage("bad packet count '%s' (0..100000000)", optarg);
			break;
		case 's':
			if (parse_num(optarg, 0, UINT64_MAX, &a->seed) < 0)
				return bad_usage("bad seed '%s' (an unsigned 64-bit number)", optarg);
			break;
		case 'S':
			if (parse_num(optarg, 1, 262144, &a->snaplen) < 0)
				return bad_usage("bad snapshot length '%s' (1..262144)", optarg);
			break;
		case 'H':
			if (parse_num(optarg, 0, UINT32_MAX, &a->hsnaplen) < 0)
				return bad_usage("bad header snapshot length '%s'", optarg);
			hset = 1;
			break;
		case 'B':
			a->swap = 1;
			break;
		case 'N':
			a->nano = 1;
			break;
		case 'g':
			a->pcapng = 1;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			return bad_usage("option '%s' needs an argument", optname(argv, optopt, opt));
		default:
			return bad_usage("unknown option '%s'", optname(argv, optopt, opt));
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	if (a->out == NULL || a->out[0] == '\0')
		return bad_usage("%s", "no output file: give -o OUT.pcap");
	if (!hset)
		a->hsnaplen = a->snaplen;
	return 0;
}

/* ---- writing ------------------------------------------------------------ */

struct writer {
	FILE *f;
	const struct args *a;
	int ok;
};

static void
put(struct writer *w, const void *p, size_t n)
{
	if (w->ok && n > 0 && fwrite(p, n, 1, w->f) != 1)
		w->ok = 0;
}

static void
put32(struct writer *w, uint32_t v)
{
	v = w->a->swap ? bswap_32(v) : v;
	put(w, &v, 4);
}

static void
put16(struct writer *w, uint16_t v)
{
	v = w->a->swap ? bswap_16(v) : v;
	put(w, &v, 2);
}

/* The pcap file value of the link type, as pktgen_write_pcap writes it
 * (it maps some DLTs: DLT_RAW is LINKTYPE_RAW): its header for no
 * packets, read back through a memory file. */
static int
file_linktype(int dlt, uint32_t *linktype)
{
	struct pktgen_set none;
	char path[64];
	uint8_t hdr[24];
	int fd = memfd_create("bpfc-pktgen", MFD_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	pktgen_set_init(&none, dlt);
	ok = pktgen_write_pcap(path, &none, 65535) == 0 && pread(fd, hdr, 24, 0) == 24;
	close(fd);
	if (!ok)
		return -1;
	memcpy(linktype, hdr + 20, 4);
	return 0;
}

/* The time stamp of packet i: seconds, and the fraction in micro- or
 * nanoseconds (with digits below the microsecond). */
static void
stamp(const struct args *a, uint64_t i, uint32_t *sec, uint32_t *frac)
{
	*sec = 1700000000u + (uint32_t)(i / 1000);
	*frac = (uint32_t)(i % 1000) * 1000u;
	if (a->nano)
		*frac = *frac * 1000u + (uint32_t)(i * 7919 % 1000);
}

static void
write_header(struct writer *w, uint32_t linktype)
{
	const struct args *a = w->a;

	if (!a->pcapng) {
		put32(w, a->nano ? 0xa1b23c4du : 0xa1b2c3d4u);
		put16(w, 2);
		put16(w, 4);
		put32(w, 0);
		put32(w, 0);
		put32(w, (uint32_t)a->hsnaplen);
		put32(w, linktype);
		return;
	}
	/* section header: byte-order magic, version 1.0, length unknown */
	put32(w, 0x0a0d0d0au);
	put32(w, 28);
	put32(w, 0x1a2b3c4du);
	put16(w, 1);
	put16(w, 0);
	put32(w, 0xffffffffu);
	put32(w, 0xffffffffu);
	put32(w, 28);
	/* interface description, with if_tsresol = 9 for nanoseconds */
	put32(w, 1);
	put32(w, a->nano ? 32 : 20);
	put16(w, (uint16_t)linktype);
	put16(w, 0);
	put32(w, (uint32_t)a->hsnaplen);
	if (a->nano) {
		put16(w, 9);
		put16(w, 1);
		put32(w, a->swap ? 0x09000000u : 0x00000009u); /* one byte 9, padded */
		put32(w, 0);
	}
	put32(w, a->nano ? 32 : 20);
}

static void
write_packet(struct writer *w, uint64_t i, const struct pktgen_pkt *p)
{
	static const uint8_t pad[4] = {0, 0, 0, 0};
	uint32_t cap = p->caplen < w->a->snaplen ? p->caplen : (uint32_t)w->a->snaplen;
	uint32_t sec, frac;

	stamp(w->a, i, &sec, &frac);
	if (!w->a->pcapng) {
		put32(w, sec);
		put32(w, frac);
		put32(w, cap);
		put32(w, p->wirelen);
		put(w, p->data, cap);
		return;
	}
	uint64_t ts = (uint64_t)sec * (w->a->nano ? 1000000000u : 1000000u) + frac;
	uint32_t padded = (cap + 3) & ~3u;
	put32(w, 6); /* enhanced packet block */
	put32(w, 32 + padded);
	put32(w, 0);
	put32(w, (uint32_t)(ts >> 32));
	put32(w, (uint32_t)ts);
	put32(w, cap);
	put32(w, p->wirelen);
	put(w, p->data, cap);
	put(w, pad, padded - cap);
	put32(w, 32 + padded);
}

/* Generate and write every packet, a chunk at a time: 0 or -1 (errno). */
static int
write_file(const char *path, const struct args *a)
{
	static char buf[1 << 20];
	struct writer w = {fopen(path, "wb"), a, 1};
	struct pktgen_set set;
	uint32_t linktype;
	int rc = 0;

	if (w.f == NULL)
		return -1;
	setvbuf(w.f, buf, _IOFBF, sizeof(buf));
	errno = 0;
	if (file_linktype(a->dlt, &linktype) < 0) {
		fclose(w.f);
		return -1;
	}
	write_header(&w, linktype);
	pktgen_set_init(&set, a->dlt);
	for (uint64_t done = 0, k = 0; done < a->count && w.ok && rc == 0; k++) {
		uint64_t n = a->count - done < PKTGEN_CHUNK ? a->count - done : PKTGEN_CHUNK;
		uint64_t seed = k == 0 ? a->seed : a->seed ^ (k * 0x9e3779b97f4a7c15ull);
		rc = pktgen_generate(&set, a->dlt, seed, (size_t)n);
		for (size_t i = 0; rc == 0 && i < set.n; i++)
			write_packet(&w, done + i, &set.pkts[i]);
		done += n;
		pktgen_set_free(&set);
	}
	if (fclose(w.f) != 0 || !w.ok || rc != 0) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct args a;
	char *tmp;
	int rc = parse_args(argc, argv, &a);

	if (rc != 0)
		return rc;
	/* Each chunk mallocs and frees tens of thousands of packets: keep the
	 * heap instead of giving it back and faulting it in again (twice as
	 * fast for millions of packets). */
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_TOP_PAD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	tmp = malloc(strlen(a.out) + sizeof(".tmp"));
	if (tmp == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	strcpy(tmp, a.out);
	strcat(tmp, ".tmp");
	if (write_file(tmp, &a) < 0) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", tmp, strerror(errno));
		rc = 1;
	} else if (rename(tmp, a.out) < 0) {
		fprintf(stderr, PROG ": cannot rename %s to %s: %s\n", tmp, a.out,
			strerror(errno));
		rc = 1;
	}
	if (rc != 0)
		remove(tmp);
	free(tmp);
	return rc;
}
