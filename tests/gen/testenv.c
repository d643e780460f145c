/*
 * testenv.c: support code the test programs share (see testenv.h).
 *
 * Plain C and libpcap only (no Check): errors come back as NULL so the
 * calling test asserts with its own message.
 */
#include <config.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "bpfc.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/randprog.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

double
testenv_scale(void)
{
	const char *s = getenv("BPFC_TEST_SCALE");
	double v = s != NULL ? strtod(s, NULL) : 1.0;

	return v > 0 ? v : 1.0;
}

uint64_t
testenv_seed(const char *var, uint64_t dflt)
{
	const char *s = getenv(var);

	return s != NULL ? strtoull(s, NULL, 0) : dflt;
}

void
testenv_insns_to_pcap(const struct bpfc_insn *p, size_t n, struct bpf_insn *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (struct bpf_insn){.code = p[i].code, .jt = p[i].jt, .jf = p[i].jf, .k = p[i].k};
}

void
testenv_insns_from_pcap(const struct bpf_insn *p, size_t n, struct bpfc_insn *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (struct bpfc_insn){.code = p[i].code, .jt = p[i].jt, .jf = p[i].jf, .k = p[i].k};
}

struct bpf_insn *
testenv_to_pcap(const struct bpfc_insn *p, size_t n)
{
	struct bpf_insn *pi = calloc(n + 1, sizeof(*pi));

	if (pi != NULL)
		testenv_insns_to_pcap(p, n, pi);
	return pi;
}

/* Read all of `fd` (a regular file) into a malloc'd string, or NULL. */
static char *
testenv_slurp(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *text;

	if (size < 0 || (text = malloc((size_t)size + 1)) == NULL)
		return NULL;
	if (pread(fd, text, (size_t)size, 0) != (ssize_t)size) {
		free(text);
		return NULL;
	}
	text[size] = '\0';
	return text;
}

char *
testenv_pcap_dump(const struct bpfc_insn *p, size_t n, int style)
{
	struct bpf_insn *pi = testenv_to_pcap(p, n);
	FILE *tmp = tmpfile();
	char *text = NULL;
	int saved = -1;

	if (pi == NULL || tmp == NULL)
		goto out;
	struct bpf_program prog = {(u_int)n, pi};

	/* bpf_dump() writes only to stdout: point stdout at the temp file. */
	fflush(stdout);
	if ((saved = dup(STDOUT_FILENO)) < 0 || dup2(fileno(tmp), STDOUT_FILENO) < 0)
		goto out;
	bpf_dump(&prog, style);
	fflush(stdout);
	if (dup2(saved, STDOUT_FILENO) < 0)
		goto out;
	text = testenv_slurp(fileno(tmp));
out:
	if (saved >= 0)
		close(saved);
	if (tmp != NULL)
		fclose(tmp);
	free(pi);
	return text;
}

/* Append a copy of one packet; -1 when out of memory. */
static int
testenv_pool_add(struct testenv_pkt *pkts, size_t *n, const uint8_t *data, uint32_t caplen,
		 uint32_t wirelen)
{
	struct testenv_pkt *p = &pkts[*n];

	if ((p->data = malloc(caplen ? caplen : 1)) == NULL)
		return -1;
	if (caplen)
		memcpy(p->data, data, caplen);
	p->caplen = caplen;
	p->wirelen = wirelen;
	(*n)++;
	return 0;
}

struct testenv_pkt *
testenv_pool(uint64_t seed, size_t count, uint32_t randmax, size_t *n)
{
	struct testenv_pkt *pkts = calloc(2 * count, sizeof(*pkts));
	uint8_t *buf = malloc(randmax ? randmax : 1);
	struct pktgen_set set;
	struct rng r;
	int bad = pkts == NULL || buf == NULL;

	*n = 0;
	pktgen_set_init(&set, DLT_EN10MB);
	if (!bad && pktgen_generate(&set, DLT_EN10MB, seed, count) == 0)
		for (size_t i = 0; i < set.n && *n < count && !bad; i++)
			bad = testenv_pool_add(pkts, n, set.pkts[i].data, set.pkts[i].caplen,
					       set.pkts[i].wirelen) != 0;
	pktgen_set_free(&set);
	rng_seed(&r, seed ^ 0x5eed);
	while (!bad && *n < 2 * count) {
		uint32_t caplen, wirelen;
		randprog_packet(&r, buf, randmax, &caplen, &wirelen);
		bad = testenv_pool_add(pkts, n, buf, caplen, wirelen) != 0;
	}
	free(buf);
	if (bad && pkts != NULL) {
		testenv_pool_free(pkts, *n);
		pkts = NULL;
		*n = 0;
	}
	return pkts;
}

void
testenv_pool_free(struct testenv_pkt *pkts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(pkts[i].data);
	free(pkts);
}

int
testenv_manifest(char *path, size_t pathlen,
		 void (*each)(void *arg, const char *dir, const char *name), void *arg)
{
	const char *shared = getenv("BPFC_SHARED");
	char dir[2048], line[2048];
	FILE *f;
	int first = 1;

	snprintf(dir, sizeof(dir), "%s/pcaps", shared != NULL ? shared : "../shared");
	snprintf(path, pathlen, "%s/MANIFEST.tsv", dir);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\t\r\n")] = '\0';
		if (first || line[0] == '\0') {
			first = 0;
			continue;
		}
		each(arg, dir, line);
	}
	fclose(f);
	return 0;
}

int
testenv_guard_init(struct testenv_guard *g, size_t maxcap)
{
	void *m;

	g->page = (size_t)sysconf(_SC_PAGESIZE);
	g->room = (maxcap + g->page - 1) / g->page * g->page;
	if (g->room == 0)
		g->room = g->page;
	g->map = NULL;
	m = mmap(NULL, g->room + g->page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (m == MAP_FAILED)
		return -1;
	g->map = m;
	if (mprotect(g->map + g->room, g->page, PROT_NONE) != 0) {
		testenv_guard_free(g);
		return -1;
	}
	return 0;
}

const uint8_t *
testenv_guard_put(struct testenv_guard *g, const uint8_t *data, uint32_t caplen)
{
	if (caplen > g->room)
		return NULL;
	if (caplen > 0) /* a runt's data may be NULL */
		memcpy(g->map + g->room - caplen, data, caplen);
	return g->map + g->room - caplen;
}

void
testenv_guard_free(struct testenv_guard *g)
{
	if (g->map != NULL)
		munmap(g->map, g->room + g->page);
	g->map = NULL;
}

/* IS-IS PDU types on C_HDLC: 1.10.3 reads the type one byte early (peer
 * case csnp_C_HDLC holds the fixed results).  `byte N & V` and `byte N | V`:
 * 1.10.3 applies the operator to A without loading the byte (fixed
 * later: the newest loads it). */
const char *
testenv_known_difference(int dlt, const char *expr)
{
	/* the PDU-type primitives, and `isis proto N` (one of them) */
	static const char *const isis_pdu[] = {"l1",  "l2",  "iih",  "lsp",  "snp",
					       "csnp", "psnp", "isis", "is-is"};

	for (const char *p = strstr(expr, "byte"); p != NULL; p = strstr(p + 4, "byte")) {
		const char *q = p + 4;
		q += strspn(q, " ");
		q += strspn(q, "0123456789xXabcdefABCDEF");
		q += strspn(q, " ");
		if (q > p + 4 && (*q == '&' || *q == '|'))
			return "byte & and |: libpcap 1.10.3 tests A without loading the byte";
	}
	if (dlt != 104)
		return NULL;
	for (const char *p = expr; *p != '\0';) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-");
		for (size_t i = 0; n > 0 && i < sizeof(isis_pdu) / sizeof(isis_pdu[0]); i++)
			if (strlen(isis_pdu[i]) == n && strncmp(p, isis_pdu[i], n) == 0)
				return "IS-IS PDU type on C_HDLC: libpcap 1.10.3 reads it one byte early";
		p += n > 0 ? n : 1;
	}
	return NULL;
}
