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
#include <strings.h>

#include "tests/gen/pktgen.h"

#define PROG "bpfc-pktgen"

/* The generator's link types under libpcap's names for them.  (This tool
 * does not link libpcap, so the few names it needs are listed here.) */
static const struct {
	const char *name;
	int dlt;
} pktgen_names[] = {
	{"NULL", 0},      {"EN10MB", 1},    {"PPP", 9},         {"RAW", 12},
	{"C_HDLC", 104},  {"LOOP", 108},    {"LINUX_SLL", 113}, {"PPP_PPPD", 166},
	{"IPV4", 228},    {"IPV6", 229},    {"LINUX_SLL2", 276},
};

#define NNAMES (sizeof(pktgen_names) / sizeof(pktgen_names[0]))

struct args {
	int dlt;
	unsigned long long count, seed, snaplen;
	const char *out;
};

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
	for (size_t i = 0; i < NNAMES; i++)
		fprintf(f, " %s(%d)", pktgen_names[i].name, pktgen_names[i].dlt);
	fputc('\n', f);
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

/* A link type name or number the generator frames; -1 if it is neither. */
static int
parse_dlt(const char *s)
{
	char *end;
	long v;

	for (size_t i = 0; i < NNAMES; i++)
		if (strcasecmp(s, pktgen_names[i].name) == 0)
			return pktgen_names[i].dlt;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0 || v > 0xffff ||
	    !pktgen_supports((int)v))
		return -1;
	return (int)v;
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
			if ((a->dlt = parse_dlt(optarg)) < 0)
				return bad_usage("unknown or unsupported link type '%s' (see --help)",
						 optarg);
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
