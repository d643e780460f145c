/*
 * live.c: bpfc -i IFACE [-c COUNT] [-w FILE] [-s SNAPLEN] EXPRESSION.
 *
 * Takes a compiled filter and the capture options; gives one line per
 * packet on standard output, or a pcap file written through libpcap's
 * dumper, and the counts on standard error when the capture stops (after
 * COUNT packets, on SIGINT or SIGTERM, or when the interface goes away).
 *
 * Signals arrive through a signalfd polled beside the socket, so there is
 * no handler and no global flag.  Output is flushed whenever the socket's
 * queue is empty and again before exit, so an interrupted -w file always
 * ends on a whole packet record.
 *
 * The line format (for doc/bpfc.1):
 *   TIME [IFACE DIR ]SUMMARY, length WIRELEN[, captured CAPLEN]
 * TIME is local HH:MM:SS.uuuuuu; IFACE and DIR (In, Out, B, M, P, as
 * tcpdump prints them) only for a cooked capture, which spans interfaces;
 * SUMMARY is "IP SRC[.PORT] > DST[.PORT]: PROTO PAYLOAD" for IPv4 (IP6
 * for IPv6), PAYLOAD being the transport payload's length from the headers
 * (TCP: after the TCP header; UDP: after the UDP header; others: after the
 * IP header), or "ARP request", "ARP reply", "ethertype 0xNNNN".  A
 * header cut short by the snapshot length ends the summary with
 * "[truncated]".
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_packet.h>
#include <pcap/pcap.h>

#include "backend/capture.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "cli/cli.h"

int
cli_live_linktype(const char *iface, struct bpfc_error *err)
{
	return capture_linktype(iface, err);
}

/* ---- one line per packet ------------------------------------------------ */

/* A bounded view of the captured bytes: reads past caplen fail. */
struct live_view {
	const uint8_t *p;
	uint32_t len;
};

static int
live_u8(const struct live_view *v, uint32_t off, unsigned *out)
{
	if (off >= v->len)
		return -1;
	*out = v->p[off];
	return 0;
}

static int
live_u16(const struct live_view *v, uint32_t off, unsigned *out)
{
	if (off > v->len || v->len - off < 2)
		return -1;
	*out = (unsigned)v->p[off] << 8 | v->p[off + 1];
	return 0;
}

/* IP protocol names the summary uses; others print as "proto N". */
static const struct {
	unsigned num;
	const char *name;
} live_protos[] = {{1, "icmp"}, {2, "igmp"}, {6, "tcp"}, {17, "udp"}, {47, "gre"},
		   {50, "esp"}, {51, "ah"}, {58, "icmp6"}, {132, "sctp"}};

static void
live_proto_name(struct strbuf *b, unsigned proto)
{
	for (size_t i = 0; i < sizeof(live_protos) / sizeof(live_protos[0]); i++)
		if (live_protos[i].num == proto) {
			strbuf_puts(b, live_protos[i].name);
			return;
		}
	strbuf_printf(b, "proto %u", proto);
}

static void
live_addr(struct strbuf *b, int family, const uint8_t *a, int has_port, unsigned port)
{
	char text[INET6_ADDRSTRLEN];

	if (inet_ntop(family, a, text, sizeof(text)) == NULL)
		snprintf(text, sizeof(text), "?");
	strbuf_puts(b, text);
	if (has_port)
		strbuf_printf(b, ".%u", port);
}

/* "SRC[.SPORT] > DST[.DPORT]: PROTO PAYLOAD" for the transport header at
 * `off`, carrying `plen` bytes (after the IP header) of protocol `proto`;
 * `first` is 0 for a non-first fragment, which has no transport header. */
static void
live_transport(struct strbuf *b, const struct live_view *v, int family, const uint8_t *src,
	       const uint8_t *dst, unsigned proto, uint32_t off, unsigned plen, int first)
{
	unsigned sport = 0, dport = 0, x = 0;
	int ports = first && (proto == 6 || proto == 17 || proto == 132);
	int cut = ports && (live_u16(v, off, &sport) < 0 || live_u16(v, off + 2, &dport) < 0);
	long payload = (long)plen;

	if (!cut && first && proto == 6) {
		if (live_u8(v, off + 12, &x) < 0)
			cut = 1;
		payload -= (long)(x >> 4) * 4;
	} else if (!cut && first && proto == 17) {
		if (live_u16(v, off + 4, &x) < 0)
			cut = 1;
		payload = (long)x - 8;
	}
	live_addr(b, family, src, ports && !cut, sport);
	strbuf_puts(b, " > ");
	live_addr(b, family, dst, ports && !cut, dport);
	strbuf_puts(b, ": ");
	live_proto_name(b, proto);
	if (!first)
		strbuf_puts(b, " fragment");
	if (cut)
		strbuf_puts(b, " [truncated]");
	else
		strbuf_printf(b, " %ld", payload < 0 ? 0 : payload);
}

static void
live_ipv4(struct strbuf *b, const struct live_view *v, uint32_t off)
{
	unsigned vihl = 0, total = 0, frag = 0, proto = 0;

	strbuf_puts(b, "IP ");
	if (off > v->len || v->len - off < 20 || live_u8(v, off, &vihl) < 0 || vihl >> 4 != 4 ||
	    (vihl & 15) < 5) {
		strbuf_puts(b, "[truncated or not IPv4]");
		return;
	}
	live_u16(v, off + 2, &total);
	live_u16(v, off + 6, &frag);
	live_u8(v, off + 9, &proto);
	unsigned hlen = (vihl & 15) * 4;
	live_transport(b, v, AF_INET, v->p + off + 12, v->p + off + 16, proto, off + hlen,
		       total > hlen ? total - hlen : 0, (frag & 0x1fff) == 0);
}

static void
live_ipv6(struct strbuf *b, const struct live_view *v, uint32_t off)
{
	unsigned plen = 0, next = 0;

	strbuf_puts(b, "IP6 ");
	if (off > v->len || v->len - off < 40) {
		strbuf_puts(b, "[truncated]");
		return;
	}
	live_u16(v, off + 4, &plen);
	live_u8(v, off + 6, &next);
	live_transport(b, v, AF_INET6, v->p + off + 8, v->p + off + 24, next, off + 40, plen, 1);
}

/* The network layer by its ethertype, at `off`. */
static void
live_network(struct strbuf *b, const struct live_view *v, unsigned type, uint32_t off)
{
	unsigned op;

	if (type == 0x0800)
		live_ipv4(b, v, off);
	else if (type == 0x86dd)
		live_ipv6(b, v, off);
	else if (type == 0x0806 || type == 0x8035)
		strbuf_printf(b, "%s %s", type == 0x0806 ? "ARP" : "RARP",
			      live_u16(v, off + 6, &op) < 0 ? "[truncated]"
			      : op == 1 || op == 3       ? "request"
			      : op == 2 || op == 4       ? "reply"
							 : "op");
	else if (type < 0x0600)
		strbuf_puts(b, "802.3");
	else
		strbuf_printf(b, "ethertype 0x%04x", type);
}

static void
live_link(struct strbuf *b, const struct live_view *v, int linktype)
{
	unsigned type;
	uint32_t off;

	if (linktype == DLT_LINUX_SLL) {
		off = 16;
		if (live_u16(v, 14, &type) < 0) {
			strbuf_puts(b, "[truncated]");
			return;
		}
	} else {
		off = 14;
		if (live_u16(v, 12, &type) < 0) {
			strbuf_puts(b, "[truncated]");
			return;
		}
		/* VLAN tags the kernel left in place (it strips received ones) */
		while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) &&
		       live_u16(v, off + 2, &type) == 0)
			off += 4;
	}
	live_network(b, v, type, off);
}

static void
live_format(struct strbuf *b, int linktype, const struct capture_pkt *p)
{
	static const char *const dirs[] = {"In", "B", "M", "P", "Out"};
	struct tm tm;
	time_t sec = p->ts.tv_sec;

	localtime_r(&sec, &tm);
	strbuf_printf(b, "%02d:%02d:%02d.%06ld ", tm.tm_hour, tm.tm_min, tm.tm_sec,
		      p->ts.tv_nsec / 1000);
	if (linktype == DLT_LINUX_SLL) {
		char name[IF_NAMESIZE];
		if (if_indextoname((unsigned)p->ifindex, name) == NULL)
			snprintf(name, sizeof(name), "#%d", p->ifindex);
		strbuf_printf(b, "%s %s ", name,
			      p->pkttype >= 0 && p->pkttype <= PACKET_OUTGOING ? dirs[p->pkttype]
									: "?");
	}
	live_link(b, &(struct live_view){p->data, p->caplen}, linktype);
	strbuf_printf(b, ", length %u", p->wirelen);
	if (p->caplen < p->wirelen)
		strbuf_printf(b, ", captured %u", p->caplen);
	strbuf_puts(b, "\n");
}

/* ---- the capture loop --------------------------------------------------- */

struct live {
	const struct cli_live_opts *o;
	struct capture *cap;
	pcap_t *dead;          /* -w: the dumper's handle */
	pcap_dumper_t *dumper; /* -w, or NULL: print lines */
	int sigfd;
	uint64_t captured;
	struct strbuf line;
};

static int
live_fail(const char *fmt, const char *what)
{
	fputs("bpfc: error: ", stderr);
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
	return 1;
}

/* Write one packet: 0, or 1 after a message. */
static int
live_emit(struct live *lv, const struct capture_pkt *p)
{
	if (lv->dumper != NULL) {
		struct pcap_pkthdr h;
		h.ts.tv_sec = p->ts.tv_sec;
		h.ts.tv_usec = p->ts.tv_nsec / 1000;
		h.caplen = p->caplen;
		h.len = p->wirelen;
		pcap_dump((u_char *)lv->dumper, &h, p->data);
		return 0;
	}
	live_format(&lv->line, lv->o->linktype, p);
	char *text = strbuf_take(&lv->line);
	if (text == NULL)
		return live_fail("%s", "out of memory");
	int bad = fputs(text, stdout) == EOF;
	free(text);
	return bad ? live_fail("writing standard output: %s", strerror(errno)) : 0;
}

/* Flush what was written: 0, or 1 after a message. */
static int
live_flush(struct live *lv)
{
	if (lv->dumper != NULL)
		return pcap_dump_flush(lv->dumper) == 0
			       ? 0
			       : live_fail("writing %s: write failed", lv->o->wpath);
	return fflush(stdout) == 0 ? 0 : live_fail("writing standard output: %s", strerror(errno));
}

/* Read packets until COUNT, a signal or an error: 0 or 1. */
static int
live_loop(struct live *lv)
{
	struct bpfc_error err;

	diag_init(&err);
	for (;;) {
		struct capture_pkt p;
		int rc = 0;
		while ((lv->o->count < 0 || lv->captured < (uint64_t)lv->o->count) &&
		       (rc = capture_next(lv->cap, &p, &err)) > 0) {
			if (live_emit(lv, &p) != 0)
				return 1;
			lv->captured++;
		}
		if (live_flush(lv) != 0)
			return 1;
		if (lv->o->count >= 0 && lv->captured >= (uint64_t)lv->o->count)
			return 0;
		if (rc < 0)
			return live_fail("%s", err.msg);
		struct pollfd fds[2] = {{capture_fd(lv->cap), POLLIN, 0}, {lv->sigfd, POLLIN, 0}};
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			return live_fail("poll: %s", strerror(errno));
		if (fds[1].revents & POLLIN) { /* SIGINT or SIGTERM: a clean stop */
			return 0;
		}
	}
}

static const char *
live_how(enum capture_filtering how)
{
	return how == CAPTURE_KERNEL_EBPF   ? "eBPF in the kernel"
	       : how == CAPTURE_KERNEL_CBPF ? "classic BPF in the kernel"
					    : "in user space";
}

/* Open the capture and the output: 0, or 1 after a message. */
static int
live_open(struct live *lv, const struct bpfc_filter *f)
{
	const struct cli_live_opts *o = lv->o;
	struct bpfc_error err;
	uint32_t snaplen = o->snaplen > CAPTURE_MAX_SNAPLEN ? CAPTURE_MAX_SNAPLEN : o->snaplen;

	diag_init(&err);
	lv->cap = capture_open(o->iface, o->linktype, snaplen, f, 0, &err);
	if (lv->cap == NULL)
		return live_fail("%s", err.msg);
	if (o->wpath != NULL) {
		lv->dead = pcap_open_dead_with_tstamp_precision(o->linktype, (int)snaplen,
								PCAP_TSTAMP_PRECISION_MICRO);
		if (lv->dead == NULL)
			return live_fail("%s", "out of memory");
		lv->dumper = pcap_dump_open(lv->dead, o->wpath);
		if (lv->dumper == NULL)
			return live_fail("%s", pcap_geterr(lv->dead));
	}
	const char *name = pcap_datalink_val_to_name(o->linktype);
	fprintf(stderr, "bpfc: listening on %s, link-type %s, snapshot length %u bytes, "
		"filter %s\n", o->iface, name != NULL ? name : "?", snaplen,
		live_how(capture_filtering(lv->cap)));
	return 0;
}

/* Close the output (flushing it), then print the counts: 0 or 1. */
static int
live_close(struct live *lv, int rc)
{
	struct bpfc_error err;
	uint64_t drops = 0;

	diag_init(&err);
	if (lv->dumper != NULL) {
		if (pcap_dump_flush(lv->dumper) != 0 && rc == 0)
			rc = live_fail("writing %s: write failed", lv->o->wpath);
		pcap_dump_close(lv->dumper);
	}
	if (lv->dead != NULL)
		pcap_close(lv->dead);
	if (lv->cap != NULL) {
		if (capture_drops(lv->cap, &drops, &err) < 0 && rc == 0)
			rc = live_fail("%s", err.msg);
		fprintf(stderr, "%llu packet%s captured\n%llu packet%s dropped by kernel\n",
			(unsigned long long)lv->captured, lv->captured == 1 ? "" : "s",
			(unsigned long long)drops, drops == 1 ? "" : "s");
		capture_close(lv->cap);
	}
	strbuf_release(&lv->line);
	return rc;
}

int
cli_live_run(const struct bpfc_filter *f, const struct cli_live_opts *o)
{
	struct live lv = {o, NULL, NULL, NULL, -1, 0, {0}};
	struct sigaction dfl;
	sigset_t stop;

	strbuf_init(&lv.line);
	/* Blocked before anything opens, so an early Ctrl-C waits in the
	 * signalfd and stops the loop at its first poll.  The disposition is
	 * made the default one: an ignored signal (a background job of a
	 * non-interactive shell ignores SIGINT) would never become pending.
	 * They stay blocked after the return, which main follows with exit: a
	 * second signal (timeout(1) sends one to the child and one to its
	 * process group; a user presses Ctrl-C twice) must not kill the
	 * process between the counts and its exit status. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0 || sigaction(SIGINT, &dfl, NULL) < 0 ||
	    sigaction(SIGTERM, &dfl, NULL) < 0 ||
	    (lv.sigfd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return live_fail("signalfd: %s", strerror(errno));
	int rc = live_open(&lv, f);
	if (rc == 0)
		rc = live_loop(&lv);
	rc = live_close(&lv, rc);
	close(lv.sigfd);
	return rc;
}
