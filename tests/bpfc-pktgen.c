/*
 * bpfc-pktgen: write the generator's packets as a classic pcap file.
 *
 *   bpfc-pktgen [-y DLT] [-n COUNT] [-s SEED] [-S SNAPLEN] -o OUT.pcap
 *
 * Takes a link type (a name as pcap_datalink_name_to_val spells it, or a
 * number), a packet count, a seed and a snapshot length; gives OUT.pcap,
 * whose bytes are a function of those four only.  The file is written to
 * OUT.pcap.tmp and renamed into place, so OUT.pcap is either absent, the
 * old file, or complete.  Exit status: 0 written, 1 could not write, 2 bad
 * usage.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "tests/gen/pktgen.h"

#define PROG "bpfc-pktgen"

/* Link types are looked for up to the largest a pcap file's 16-bit
 * link-type field holds. */
#define DLT_LIMIT 0xffff

struct args {
	int dlt;
	unsigned long long count, seed, snaplen;
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
		"usage: " PROG " [-y DLT] [-n COUNT] [-s SEED] [-S SNAPLEN] -o OUT.pcap\n"
		"  -y DLT      link type, a name or a number (default EN10MB)\n"
		"  -n COUNT    packets to write (default 1000)\n"
		"  -s SEED     generator seed (default 1); same seed, same bytes\n"
		"  -S SNAPLEN  snapshot length, 1..262144 (default 262144)\n"
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

	*a = (struct args){.dlt = 1, .count = 1000, .seed = 1, .snaplen = 262144};
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":y:n:s:S:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'y':
			a->dlt = parse_dlt(optarg);
			if (a->dlt < 0 || !pktgen_supports(a->dlt))
				return bad_dlt(optarg, a->dlt);
			break;
		case 'n':
			if (parse_num(optarg, 0, 1000000, &a->count) < 0)
				return bad_usage("bad packet count '%s' (0..1000000)", optarg);
			break;
		case 's':
			if (parse_num(optarg, 0, UINT64_MAX, &a->seed) < 0)
				return bad_usage("bad seed '%s' (an unsigned 64-bit number)", optarg);
			break;
		case 'S':
			if (parse_num(optarg, 1, 262144, &a->snaplen) < 0)
				return bad_usage("bad snapshot length '%s' (1..262144)", optarg);
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
	return 0;
}

int
main(int argc, char **argv)
{
	struct args a;
	struct pktgen_set set;
	char *tmp;
	int rc = parse_args(argc, argv, &a);

	if (rc != 0)
		return rc;
	tmp = malloc(strlen(a.out) + sizeof(".tmp"));
	if (tmp == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	strcpy(tmp, a.out);
	strcat(tmp, ".tmp");
	pktgen_set_init(&set, a.dlt);
	if (pktgen_generate(&set, a.dlt, a.seed, (size_t)a.count) < 0) {
		fprintf(stderr, PROG ": cannot generate packets: %s\n", strerror(errno));
		rc = 1;
	} else if (pktgen_write_pcap(tmp, &set, (uint32_t)a.snaplen) < 0) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", tmp, strerror(errno));
		rc = 1;
	} else if (rename(tmp, a.out) < 0) {
		fprintf(stderr, PROG ": cannot rename %s to %s: %s\n", tmp, a.out,
			strerror(errno));
		rc = 1;
	}
	if (rc != 0)
		remove(tmp);
	pktgen_set_free(&set);
	free(tmp);
	return rc;
}
