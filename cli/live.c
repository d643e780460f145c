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
 * The line format is cli/pktline.h's (shared with bpfc -r); a cooked
 * capture (DLT_LINUX_SLL), which spans interfaces, adds the interface and
 * the direction (In, Out, B, M, P, as tcpdump prints them).
 */
#include <config.h>

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "backend/capture.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "cli/cli.h"
#include "cli/pktline.h"

int
cli_live_linktype(const char *iface, struct bpfc_error *err)
{
	return capture_linktype(iface, err);
}

/* ---- one line per packet ------------------------------------------------ */

static void
live_format(struct pktline *pl, struct strbuf *b, const struct capture_pkt *p)
{
	char name[IF_NAMESIZE];
	struct pktline_pkt lp = {p->ts.tv_sec, p->ts.tv_nsec / 1000, p->data, p->caplen,
				 p->wirelen, NULL, NULL};

	/* a cooked capture spans interfaces: say which, and the direction */
	if (pl->linktype == DLT_LINUX_SLL) {
		if (if_indextoname((unsigned)p->ifindex, name) == NULL)
			snprintf(name, sizeof(name), "#%d", p->ifindex);
		lp.ifname = name;
		lp.dir = pktline_dir(p->pkttype);
	}
	pktline_format(pl, b, &lp);
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
	struct pktline fmt;
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
	live_format(&lv->fmt, &lv->line, p);
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
	struct live lv = {o, NULL, NULL, NULL, -1, 0, {0}, {0}};
	struct sigaction dfl;
	sigset_t stop;

	strbuf_init(&lv.line);
	pktline_init(&lv.fmt, o->linktype);
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
