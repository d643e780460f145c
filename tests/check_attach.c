/*
 * check_attach.c: bpfc_attach on live packet sockets, in a fresh network
 * namespace.
 *
 * Oracle: libpcap.  Every expression is compiled by pcap_compile (for
 * EN10MB, the case's snapshot length) and its bpf_filter verdict on each
 * sent frame says whether the frame must arrive and how many of its bytes
 * (the kernel cuts a packet at the filter's return value).  No expected
 * verdict is written here.
 *
 * Setup: main forks a child that moves into a new network namespace
 * (unshare(CLONE_NEWNET)), brings its loopback device up and pins itself
 * to one CPU, so that the loopback device's receive queue is processed in
 * order; the Check suite runs there.  The host's interfaces are never
 * touched, and the namespace dies with the child.
 *
 * Each case: a packet socket opened with protocol 0, the filter attached
 * by bpfc_attach, then bound to lo (ETH_P_ALL).  Another packet socket
 * sends the frames on lo: pktgen's Ethernet frames (seeded; frames with
 * VLAN tags, which the receive path strips before packet sockets see them,
 * and runts, which the kernel pads, are left out) and a few built here so
 * every expression has frames on both sides, then a fence frame.  A third
 * socket, with a libpcap-compiled filter that accepts only the fence, says
 * when every frame has been through the receive path.  Then the filtered
 * socket's queue must hold, in order, exactly the frames libpcap accepts,
 * each cut at libpcap's return value, once as the loopback device's
 * outgoing copy and once as its incoming copy; and the kernel must have
 * dropped none.
 *
 * Paths: the eBPF program (BPFC_ATTACH_EBPF_ONLY, as root: must attach as
 * eBPF), the classic one (BPFC_ATTACH_CBPF_ONLY), and the real fallback: a
 * child that gave up root (setresuid 65534) after the socket was opened
 * calls bpfc_attach with no flags; with kernel.unprivileged_bpf_disabled
 * set, bpf(2) says EPERM and the result must be BPFC_ATTACHED_CBPF (and
 * BPFC_ATTACH_EBPF_ONLY must fail with BPFC_EUNSUPPORTED).
 *
 * Also: a packet socket's queue is drained by bpfc_attach (frames queued
 * before it are not read as filtered), a UDP socket's is not; bad
 * arguments; and a verifier refusal brings the kernel's log back in the
 * error (through bpfsys_prog_load: the log's last line, from the kernel,
 * must be in the message).
 *
 * Needs root and network namespaces: exits 77 saying why otherwise.  Seed
 * with BPFC_SEED, scale with BPFC_TEST_SCALE.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <check.h>
#include <pcap/pcap.h>

#include "bpfc.h"
#include "backend/bpfsys.h"
#include "base/diag.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/testenv.h"

#if TESTENV_SANITIZED
#define CA_FRAMES 150
#else
#define CA_FRAMES 400
#endif
#define CA_SEED 0xa77ac4ull
#define CA_MAXFRAME 1514
#define CA_FENCE_TYPE 0x88b5 /* IEEE 802 local experimental ethertype */
#define CA_RCVBUF (64 << 20)
#define CA_WAIT_MS 5000
/* linux/bpf.h's BPF_PROG_TYPE_SOCKET_FILTER (its struct bpf_insn collides
 * with libpcap's, so the header stays out) */
#define CA_PROG_SOCKET_FILTER 1u

/* ---- cases ------------------------------------------------------------------ */

struct ca_case {
	const char *expr;
	uint32_t snaplen; /* what a match returns: the kernel keeps that much */
};

static const struct ca_case ca_cases[] = {
	{"udp", 262144},
	{"tcp port 80", 262144},
	{"host 10.0.0.1", 262144},
	{"ip6", 262144},
	{"arp", 262144},
	{"src net 192.168.1.0/24 or dst port 53", 262144},
	{"tcp[tcpflags] & tcp-syn != 0", 262144},
	{"ether broadcast", 262144},
	{"not ip and not ip6", 262144},
	{"len > 200", 262144},
	{"udp portrange 1000-6000", 262144},
	{"icmp or icmp6", 262144},
	{"ether host 00:11:22:33:44:55", 262144},
	{"ip[8] > 100", 262144},
	{"udp or tcp", 64},
	{"ip6 and tcp", 100},
};
#define CA_NCASES ((int)(sizeof(ca_cases) / sizeof(ca_cases[0])))

enum ca_path { CA_EBPF, CA_CBPF, CA_UNPRIV };

/* ---- frames ------------------------------------------------------------------ */

struct ca_frame {
	uint8_t data[CA_MAXFRAME];
	uint32_t len;
};

struct ca_frames {
	struct ca_frame *f;
	size_t n;
	uint64_t seed;
};

static void
ca_put(struct ca_frames *fr, const uint8_t *data, uint32_t len)
{
	if (len < ETH_HLEN || len > CA_MAXFRAME)
		return; /* runts are padded by the kernel; jumbo frames never come */
	unsigned type = (unsigned)data[12] << 8 | data[13];
	if (type == 0x8100 || type == 0x88a8 || type == 0x9100 || type == CA_FENCE_TYPE)
		return; /* the receive path strips VLAN tags before packet sockets */
	memcpy(fr->f[fr->n].data, data, len);
	fr->f[fr->n++].len = len;
}

/* An Ethernet frame with an IPv4 or IPv6 header and `l4len` bytes of
 * transport header and payload; returns its length. */
static uint32_t
ca_ip_frame(uint8_t *b, int v6, const char *src, const char *dst, unsigned proto,
	    const uint8_t *l4, uint32_t l4len)
{
	static const uint8_t macs[12] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					 0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	uint32_t hl = v6 ? 40 : 20;

	memset(b, 0, ETH_HLEN + hl);
	memcpy(b, macs, 12);
	b[12] = v6 ? 0x86 : 0x08;
	b[13] = v6 ? 0xdd : 0x00;
	uint8_t *ip = b + ETH_HLEN;
	if (v6) {
		ip[0] = 0x60;
		ip[4] = (uint8_t)(l4len >> 8), ip[5] = (uint8_t)l4len;
		ip[6] = (uint8_t)proto, ip[7] = 64;
		inet_pton(AF_INET6, src, ip + 8);
		inet_pton(AF_INET6, dst, ip + 24);
	} else {
		ip[0] = 0x45;
		ip[2] = (uint8_t)((hl + l4len) >> 8), ip[3] = (uint8_t)(hl + l4len);
		ip[8] = 128, ip[9] = (uint8_t)proto;
		inet_pton(AF_INET, src, ip + 12);
		inet_pton(AF_INET, dst, ip + 16);
	}
	memcpy(ip + hl, l4, l4len);
	return ETH_HLEN + hl + l4len;
}

/* Frames built here, so every case has some on each side whatever pktgen
 * draws (their verdicts still come from libpcap). */
static void
ca_crafted(struct ca_frames *fr)
{
	static const uint8_t udp53[12] = {0x04, 0xd2, 0x00, 0x35, 0x00, 0x0c, 0, 0, 'h', 'i', '!', '\n'};
	static const uint8_t udp2000[8] = {0x9c, 0x40, 0x07, 0xd0, 0x00, 0x08, 0, 0};
	static const uint8_t syn80[20] = {0xc3, 0x50, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
					  0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};
	static const uint8_t echo[8] = {8, 0, 0, 0, 0, 1, 0, 1};
	static const uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x42, 0xac, 0x11,
					0x00, 0x02, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0, 1,
					0x02, 0x42, 0xac, 0x11, 0x00, 0x02, 10, 0, 0, 1, 0, 0, 0,
					0, 0, 0, 10, 0, 0, 2};
	static const uint8_t lldp[60] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x00, 0x11,
					 0x22, 0x33, 0x44, 0x55, 0x88, 0xcc};
	uint8_t b[CA_MAXFRAME], big[400] = {0x9c, 0x41, 0x00, 0x50, 0, 0, 0, 2, 0, 0, 0, 0,
					     0x50, 0x12, 0xff, 0xff};

	ca_put(fr, b, ca_ip_frame(b, 0, "10.0.0.1", "10.0.0.2", 17, udp53, sizeof(udp53)));
	ca_put(fr, b, ca_ip_frame(b, 0, "192.168.1.10", "8.8.8.8", 6, syn80, sizeof(syn80)));
	ca_put(fr, b, ca_ip_frame(b, 0, "172.16.0.1", "10.0.0.5", 17, udp2000, sizeof(udp2000)));
	ca_put(fr, b, ca_ip_frame(b, 0, "1.2.3.4", "10.0.0.1", 1, echo, sizeof(echo)));
	ca_put(fr, b, ca_ip_frame(b, 1, "fd00::1", "fd00::2", 6, syn80, sizeof(syn80)));
	ca_put(fr, b, ca_ip_frame(b, 1, "fd00::2", "ff02::1", 17, udp53, sizeof(udp53)));
	ca_put(fr, b, ca_ip_frame(b, 0, "10.0.0.2", "10.0.0.1", 6, big, sizeof(big)));
	ca_put(fr, arp, sizeof(arp));
	ca_put(fr, lldp, sizeof(lldp));
}

static int
ca_frames_make(struct ca_frames *fr)
{
	struct pktgen_set set;
	double scale = testenv_scale();
	size_t count = (size_t)(CA_FRAMES * scale) + 1;

	fr->seed = testenv_seed("BPFC_SEED", CA_SEED);
	fr->n = 0;
	fr->f = malloc((count + 16) * sizeof(*fr->f));
	if (fr->f == NULL)
		return -1;
	ca_crafted(fr);
	pktgen_set_init(&set, DLT_EN10MB);
	if (pktgen_generate(&set, DLT_EN10MB, fr->seed, count) < 0) {
		pktgen_set_free(&set);
		return -1;
	}
	for (size_t i = 0; i < set.n; i++)
		ca_put(fr, set.pkts[i].data, set.pkts[i].caplen);
	pktgen_set_free(&set);
	return 0;
}

/* The fence: broadcast, our ethertype, then the seed so that it is ours. */
static uint32_t
ca_fence(uint8_t *b, uint64_t seed)
{
	memset(b, 0, 64);
	memset(b, 0xff, 6);
	b[6] = 0x02;
	b[12] = CA_FENCE_TYPE >> 8, b[13] = CA_FENCE_TYPE & 0xff;
	memcpy(b + 14, &seed, sizeof(seed));
	return 64;
}

/* ---- sockets ------------------------------------------------------------------ */

static int
ca_lo_index(void)
{
	return (int)if_nametoindex("lo");
}

static int
ca_packet_socket(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int sz = CA_RCVBUF;
	ck_assert_msg(fd >= 0, "socket(AF_PACKET): %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)), 0);
	return fd;
}

static void
ca_bind_lo(int fd)
{
	struct sockaddr_ll sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ca_lo_index();
	ck_assert_msg(bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == 0, "bind: %s",
		      strerror(errno));
}

static void
ca_send(int tx, const uint8_t *data, uint32_t len)
{
	struct sockaddr_ll to;

	memset(&to, 0, sizeof(to));
	to.sll_family = AF_PACKET;
	to.sll_ifindex = ca_lo_index();
	to.sll_halen = ETH_ALEN;
	memcpy(to.sll_addr, data, ETH_ALEN);
	ssize_t w = sendto(tx, data, len, 0, (struct sockaddr *)&to, sizeof(to));
	ck_assert_msg(w == (ssize_t)len, "sendto (%u bytes): %s", len, strerror(errno));
}

/* A socket that accepts only fences (libpcap's program); the direction is
 * checked when reading. */
static int
ca_witness(void)
{
	struct bpf_program prog;
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);
	char expr[64];

	snprintf(expr, sizeof(expr), "ether proto 0x%x", CA_FENCE_TYPE);
	ck_assert_int_eq(pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN), 0);
	int fd = ca_packet_socket();
	struct sock_fprog fp = {(unsigned short)prog.bf_len, (struct sock_filter *)prog.bf_insns};
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)), 0);
	pcap_freecode(&prog);
	pcap_close(p);
	ca_bind_lo(fd);
	return fd;
}

/* One packet from `fd` without waiting: its length (cut at `cap`) and
 * direction, or -1 when the queue is empty. */
static ssize_t
ca_recv(int fd, uint8_t *buf, size_t cap, int *pkttype)
{
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	ssize_t r = recvfrom(fd, buf, cap, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	if (r < 0) {
		ck_assert_msg(errno == EAGAIN || errno == EWOULDBLOCK, "recv: %s", strerror(errno));
		return -1;
	}
	*pkttype = from.sll_pkttype;
	return r;
}

/* Wait (bounded) until the witness sees the incoming fence. */
static void
ca_wait_fence(int witness, const uint8_t *fence, uint32_t len)
{
	uint8_t buf[CA_MAXFRAME];
	int waited = 0, type;

	for (;;) {
		ssize_t r;
		while ((r = ca_recv(witness, buf, sizeof(buf), &type)) >= 0)
			if (type != PACKET_OUTGOING && (uint32_t)r == len && memcmp(buf, fence, len) == 0)
				return;
		struct pollfd pf = {witness, POLLIN, 0};
		ck_assert_msg(waited < CA_WAIT_MS, "the fence frame never came back on lo");
		poll(&pf, 1, 100);
		waited += 100;
	}
}

/* ---- one case ------------------------------------------------------------------ */

/* Attach as an unprivileged process would: a child that gave up root. */
static int
ca_attach_unpriv(int fd, const struct bpfc_filter *f, unsigned flags, struct bpfc_error *err)
{
	int pfd[2];
	struct {
		int rc;
		struct bpfc_error err;
	} r;

	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(pfd[0]);
		memset(&r, 0, sizeof(r));
		gid_t g = 65534;
		if (setgroups(1, &g) != 0 || setresgid(g, g, g) != 0 || setresuid(65534, 65534, 65534) != 0)
			r.rc = -100;
		else
			r.rc = bpfc_attach(fd, f, flags, &r.err);
		ssize_t w = write(pfd[1], &r, sizeof(r));
		_exit(w == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(pfd[1]);
	ssize_t got = read(pfd[0], &r, sizeof(r));
	int status;
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(got == (ssize_t)sizeof(r) && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the unprivileged child failed");
	ck_assert_msg(r.rc != -100, "could not drop privileges");
	*err = r.err;
	return r.rc;
}

static int
ca_unpriv_bpf_disabled(void)
{
	FILE *fp = fopen("/proc/sys/kernel/unprivileged_bpf_disabled", "r");
	int v = 0;
	if (fp != NULL) {
		if (fscanf(fp, "%d", &v) != 1)
			v = 0;
		fclose(fp);
	}
	return v != 0;
}

/* How many descriptors this process has open. */
static int
ca_open_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* Attach `f` to `fd` by `path`, checking what bpfc_attach says. */
static void
ca_attach(int fd, const struct bpfc_filter *f, enum ca_path path, const char *expr)
{
	struct bpfc_error err;
	int rc;

	if (path == CA_EBPF) {
		int before = ca_open_fds();
		rc = bpfc_attach(fd, f, BPFC_ATTACH_EBPF_ONLY, &err);
		ck_assert_msg(rc == BPFC_ATTACHED_EBPF, "%s: eBPF attach as root: %d (%s)", expr, rc,
			      err.msg);
		ck_assert_msg(ca_open_fds() == before, "%s: bpfc_attach left a descriptor open "
			      "(the program's?)", expr);
	} else if (path == CA_CBPF) {
		rc = bpfc_attach(fd, f, BPFC_ATTACH_CBPF_ONLY, &err);
		ck_assert_msg(rc == BPFC_ATTACHED_CBPF, "%s: classic attach: %d (%s)", expr, rc, err.msg);
	} else {
		int want = ca_unpriv_bpf_disabled() ? BPFC_ATTACHED_CBPF : BPFC_ATTACHED_EBPF;
		rc = ca_attach_unpriv(fd, f, BPFC_ATTACH_EBPF_ONLY, &err);
		if (want == BPFC_ATTACHED_CBPF)
			ck_assert_msg(rc == -1 && err.code == BPFC_EUNSUPPORTED,
				      "%s: unprivileged eBPF-only attach: %d (%s)", expr, rc, err.msg);
		rc = ca_attach_unpriv(fd, f, 0, &err);
		ck_assert_msg(rc == want, "%s: unprivileged attach gave %d, not %d (%s)", expr, rc,
			      want, err.msg);
	}
}

/* The frames libpcap accepts, in order, with the length it keeps. */
static size_t
ca_expect(const struct ca_frames *fr, const struct ca_frame *fence, const char *expr,
	  uint32_t snaplen, uint32_t *keep)
{
	struct bpf_program prog;
	pcap_t *p = pcap_open_dead(DLT_EN10MB, (int)snaplen);
	size_t matched = 0;

	ck_assert_msg(pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0,
		      "libpcap: %s: %s", expr, pcap_geterr(p));
	for (size_t i = 0; i <= fr->n; i++) {
		const struct ca_frame *x = i < fr->n ? &fr->f[i] : fence;
		uint32_t r = bpf_filter(prog.bf_insns, x->data, x->len, x->len);
		keep[i] = r < x->len ? r : x->len;
		matched += r != 0;
	}
	pcap_freecode(&prog);
	pcap_close(p);
	return matched;
}

/* Every packet queued on `rx` against the expectation, per direction. */
static void
ca_compare(int rx, const struct ca_frames *fr, const struct ca_frame *fence,
	   const uint32_t *keep, const char *expr)
{
	uint8_t *buf = malloc(65536);
	size_t next[2] = {0, 0}; /* [0] incoming, [1] outgoing: index of the next expected frame */
	ssize_t r;
	int type;

	ck_assert_ptr_nonnull(buf);
	while ((r = ca_recv(rx, buf, 65536, &type)) >= 0) {
		size_t *i = &next[type == PACKET_OUTGOING];
		while (*i <= fr->n && keep[*i] == 0)
			++*i;
		ck_assert_msg(*i <= fr->n, "%s: an extra %s packet of %zd bytes arrived (seed %#" PRIx64
			      ")", expr, type == PACKET_OUTGOING ? "outgoing" : "incoming", r, fr->seed);
		const struct ca_frame *x = *i < fr->n ? &fr->f[*i] : fence;
		ck_assert_msg((uint32_t)r == keep[*i] && memcmp(buf, x->data, keep[*i]) == 0,
			      "%s: frame %zu (%u bytes) arrived as %zd bytes or altered, libpcap keeps "
			      "%u (seed %#" PRIx64 ")", expr, *i, x->len, r, keep[*i], fr->seed);
		++*i;
	}
	free(buf);
	for (int d = 0; d < 2; d++) {
		while (next[d] <= fr->n && keep[next[d]] == 0)
			next[d]++;
		ck_assert_msg(next[d] > fr->n, "%s: frame %zu (%s copy) matched by libpcap never "
			      "arrived (seed %#" PRIx64 ")", expr, next[d], d ? "outgoing" : "incoming",
			      fr->seed);
	}
	struct tpacket_stats st;
	socklen_t sl = sizeof(st);
	ck_assert_int_eq(getsockopt(rx, SOL_PACKET, PACKET_STATISTICS, &st, &sl), 0);
	ck_assert_msg(st.tp_drops == 0, "%s: the kernel dropped %u packets", expr, st.tp_drops);
}

static void
ca_run(const struct ca_case *c, enum ca_path path)
{
	struct ca_frames fr;
	struct ca_frame fence;
	struct bpfc_options o;
	char errbuf[BPFC_ERRBUF_SIZE];

	ck_assert_int_eq(ca_frames_make(&fr), 0);
	fence.len = ca_fence(fence.data, fr.seed);
	uint32_t *keep = calloc(fr.n + 1, sizeof(*keep));
	ck_assert_ptr_nonnull(keep);
	size_t matched = ca_expect(&fr, &fence, c->expr, c->snaplen, keep);
	ck_assert_msg(matched > 0 && matched <= fr.n, "%s: the frames do not test it: %zu of %zu "
		      "match (seed %#" PRIx64 ")", c->expr, matched, fr.n + 1, fr.seed);
	bpfc_options_init(&o);
	o.snaplen = c->snaplen;
	struct bpfc_filter *f = bpfc_compile(c->expr, &o, errbuf);
	ck_assert_msg(f != NULL, "bpfc: %s: %s", c->expr, errbuf);

	int rx = ca_packet_socket();
	ca_attach(rx, f, path, c->expr);
	ca_bind_lo(rx); /* only now does the socket receive */
	int witness = ca_witness();
	int tx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(tx, 0);
	for (size_t i = 0; i < fr.n; i++)
		ca_send(tx, fr.f[i].data, fr.f[i].len);
	ca_send(tx, fence.data, fence.len);
	ca_wait_fence(witness, fence.data, fence.len);
	ca_compare(rx, &fr, &fence, keep, c->expr);
	printf("attach %-6s %-40s %3zu of %3zu frames matched and arrived\n",
	       path == CA_EBPF ? "ebpf" : path == CA_CBPF ? "cbpf" : "unpriv", c->expr, matched,
	       fr.n + 1);
	close(tx);
	close(witness);
	close(rx);
	bpfc_free(f);
	free(keep);
	free(fr.f);
}

START_TEST(test_ebpf)
{
	ca_run(&ca_cases[_i], CA_EBPF);
}
END_TEST

START_TEST(test_cbpf)
{
	ca_run(&ca_cases[_i], CA_CBPF);
}
END_TEST

START_TEST(test_unpriv)
{
	ca_run(&ca_cases[_i], CA_UNPRIV);
}
END_TEST

/* ---- the drain, other sockets, bad arguments, the verifier's log -------- */

/* Frames queued before bpfc_attach are not read after it: the queue of a
 * packet socket is drained, and the filter works afterwards. */
static void
ca_drain(enum ca_path path)
{
	struct ca_frames fr;
	struct ca_frame fence;
	struct bpfc_error err;
	char errbuf[BPFC_ERRBUF_SIZE];
	uint8_t buf[CA_MAXFRAME];
	int type;

	ck_assert_int_eq(ca_frames_make(&fr), 0);
	fence.len = ca_fence(fence.data, fr.seed);
	uint32_t *keep = calloc(fr.n + 1, sizeof(*keep));
	ck_assert_ptr_nonnull(keep);
	ca_expect(&fr, &fence, "udp", 262144, keep);
	struct bpfc_filter *f = bpfc_compile("udp", NULL, errbuf);
	ck_assert_msg(f != NULL, "%s", errbuf);
	int rx = ca_packet_socket(), witness = ca_witness();
	int tx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(tx, 0);
	ca_bind_lo(rx); /* unfiltered: everything queues */
	for (size_t i = 0; i < fr.n; i++)
		ca_send(tx, fr.f[i].data, fr.f[i].len);
	ca_send(tx, fence.data, fence.len);
	ca_wait_fence(witness, fence.data, fence.len);
	int rc = bpfc_attach(rx, f, path == CA_EBPF ? BPFC_ATTACH_EBPF_ONLY : BPFC_ATTACH_CBPF_ONLY,
			     &err);
	ck_assert_msg(rc == (path == CA_EBPF ? BPFC_ATTACHED_EBPF : BPFC_ATTACHED_CBPF),
		      "attach: %d (%s)", rc, err.msg);
	ck_assert_msg(ca_recv(rx, buf, sizeof(buf), &type) < 0,
		      "a packet queued before bpfc_attach was still there after it");
	/* the same frames again: now filtered */
	for (size_t i = 0; i < fr.n; i++)
		ca_send(tx, fr.f[i].data, fr.f[i].len);
	fence.data[30] ^= 1; /* a new fence: the witness saw the old one */
	ca_send(tx, fence.data, fence.len);
	ca_wait_fence(witness, fence.data, fence.len);
	ca_compare(rx, &fr, &fence, keep, "udp (after the drain)");
	close(tx);
	close(witness);
	close(rx);
	bpfc_free(f);
	free(keep);
	free(fr.f);
}

START_TEST(test_drain_packet)
{
	ca_drain(_i == 0 ? CA_CBPF : CA_EBPF);
}
END_TEST

/* A UDP socket keeps what it had queued: its data was accepted. */
START_TEST(test_no_drain_udp)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	struct bpfc_error err;
	char errbuf[BPFC_ERRBUF_SIZE], got[8];
	struct bpfc_filter *f = bpfc_compile("udp", NULL, errbuf);
	ck_assert_msg(f != NULL, "%s", errbuf);

	int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(u, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(u, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(u, (struct sockaddr *)&a, &al), 0);
	ck_assert_int_eq(sendto(u, "queued", 6, 0, (struct sockaddr *)&a, al), 6);
	struct pollfd pf = {u, POLLIN, 0};
	ck_assert_int_eq(poll(&pf, 1, CA_WAIT_MS), 1);
	ck_assert_int_eq(bpfc_attach(u, f, BPFC_ATTACH_CBPF_ONLY, &err), BPFC_ATTACHED_CBPF);
	ck_assert_int_eq(recv(u, got, sizeof(got), MSG_DONTWAIT), 6);
	ck_assert(memcmp(got, "queued", 6) == 0);
	close(u);
	bpfc_free(f);
}
END_TEST

START_TEST(test_bad_args)
{
	struct bpfc_error err;
	char errbuf[BPFC_ERRBUF_SIZE];
	int p[2];
	struct bpfc_filter *f = bpfc_compile("ip", NULL, errbuf);
	ck_assert_msg(f != NULL, "%s", errbuf);

	ck_assert_int_eq(bpfc_attach(-1, f, 0, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	ck_assert_int_eq(bpfc_attach(-1, f, 0, NULL), -1);
	int fd = ca_packet_socket();
	ck_assert_int_eq(bpfc_attach(fd, NULL, 0, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	ck_assert_int_eq(bpfc_attach(fd, f, BPFC_ATTACH_EBPF_ONLY | BPFC_ATTACH_CBPF_ONLY, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	ck_assert_int_eq(bpfc_attach(fd, f, 0x80, &err), -1);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(bpfc_attach(p[0], f, BPFC_ATTACH_CBPF_ONLY, &err), -1);
	ck_assert_msg(err.code == BPFC_EINVAL && err.msg[0] != '\0', "pipe: %d %s", err.code,
		      err.msg);
	close(p[0]);
	close(p[1]);
	close(fd);
	bpfc_free(f);
}
END_TEST

/* The verdict in `log`: its last non-empty line that is not one of the
 * statistics the verifier appends ("processed N insns ..."), to `out`. */
static void
ca_last_line(const char *log, char *out, size_t outsz)
{
	size_t n = strlen(log), s;
	for (;;) {
		while (n > 0 && (log[n - 1] == '\n' || log[n - 1] == ' '))
			n--;
		s = n;
		while (s > 0 && log[s - 1] != '\n')
			s--;
		if (s == 0 || strncmp(log + s, "processed ", 10) != 0)
			break;
		n = s;
	}
	snprintf(out, outsz, "%.*s", (int)(n - s), log + s);
}

/* A program the verifier refuses (r0 = r2: r2 is never written): the
 * error carries the kernel's own verdict, the log's last line before its
 * statistics. */
START_TEST(test_verifier_log)
{
	static const struct bpfc_ebpf_insn bad[] = {
		{0xbf, 0, 2, 0, 0}, /* r0 = r2 */
		{0x95, 0, 0, 0, 0}, /* exit */
	};
	struct bpfc_error err;
	char log[65536], last[BPFC_ERRBUF_SIZE];

	diag_init(&err);
	int fd = bpfsys_prog_load(CA_PROG_SOCKET_FILTER, bad, 2, log, sizeof(log), &err);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	ca_last_line(log, last, sizeof(last));
	ck_assert_msg(last[0] != '\0', "the kernel gave no log");
	ck_assert_msg(strstr(err.msg, last) != NULL, "'%s' is not in the error '%s'", last, err.msg);
	printf("verifier: %s\n", err.msg);
}
END_TEST

/* A valid classic program whose eBPF the verifier gives up on: 22
 * diamonds each adding a different power of two to X when a packet bit is
 * set, then X compared with a constant.  X is a known constant on every
 * path and the comparison makes it precise, so no two paths' states are
 * alike and the verifier walks all 2^22 of them, past its limit of a
 * million instructions. */
static struct bpfc_filter *
ca_refused_filter(void)
{
	enum { DIAMONDS = 22 };
	struct bpfc_insn p[1 + 5 * DIAMONDS + 4];
	size_t n = 0;
	char errbuf[BPFC_ERRBUF_SIZE];

	p[n++] = (struct bpfc_insn){0x01, 0, 0, 0}; /* ldx #0 */
	for (unsigned i = 0; i < DIAMONDS; i++) {
		p[n++] = (struct bpfc_insn){0x30, 0, 0, i};       /* ldb [i] */
		p[n++] = (struct bpfc_insn){0x45, 0, 3, 1};       /* jset #1, 0, 3 */
		p[n++] = (struct bpfc_insn){0x87, 0, 0, 0};       /* txa */
		p[n++] = (struct bpfc_insn){0x04, 0, 0, 1u << i}; /* add #2^i */
		p[n++] = (struct bpfc_insn){0x07, 0, 0, 0};       /* tax */
	}
	p[n++] = (struct bpfc_insn){0x87, 0, 0, 0};     /* txa */
	p[n++] = (struct bpfc_insn){0x15, 0, 1, 12345}; /* jeq #12345, 0, 1 */
	p[n++] = (struct bpfc_insn){0x06, 0, 0, 1};     /* ret #1 */
	p[n++] = (struct bpfc_insn){0x06, 0, 0, 0};     /* ret #0 */
	struct bpfc_filter *f = bpfc_load_cbpf(p, n, errbuf);
	ck_assert_msg(f != NULL, "%s", errbuf);
	return f;
}

/* The kernel's verdict on `f`'s eBPF, loaded here with a log: the log's
 * last line before the statistics ("processed N insns ..."). */
static void
ca_kernel_verdict(const struct bpfc_filter *f, char *out, size_t outsz)
{
	size_t n = 0;
	struct bpfc_error err;
	enum { LOGSZ = 1 << 20 };
	char *log = malloc(LOGSZ);
	struct bpfc_ebpf_insn *p = bpfc_ebpf_for(f, BPFC_TARGET_SOCKET, 0, &n, &err);

	ck_assert_ptr_nonnull(log);
	ck_assert_msg(p != NULL, "bpfc_ebpf_for: %s", err.msg);
	diag_init(&err);
	ck_assert_int_eq(bpfsys_prog_load(CA_PROG_SOCKET_FILTER, p, n, log, LOGSZ, &err), -1);
	size_t end = strlen(log);
	for (;;) {
		while (end > 0 && (log[end - 1] == '\n' || log[end - 1] == ' '))
			end--;
		size_t s = end;
		while (s > 0 && log[s - 1] != '\n')
			s--;
		if (strncmp(log + s, "processed ", 10) != 0 || s == 0) {
			snprintf(out, outsz, "%.*s", (int)(end - s), log + s);
			break;
		}
		end = s;
	}
	free(p);
	free(log);
}

/* bpfc_attach brings the verifier's verdict back, does not fall back to
 * classic on it, and leaves the socket without a filter. */
START_TEST(test_attach_refused)
{
	struct bpfc_error err;
	char verdict[BPFC_ERRBUF_SIZE];
	struct bpfc_filter *f = ca_refused_filter();
	int fd = ca_packet_socket();

	int rc = bpfc_attach(fd, f, 0, &err);
	ck_assert_msg(rc == -1, "the verifier accepted a program it should refuse (%d)", rc);
	ca_kernel_verdict(f, verdict, sizeof(verdict));
	ck_assert_msg(verdict[0] != '\0', "the kernel gave no log");
	ck_assert_msg(err.code == BPFC_EINVAL && strstr(err.msg, verdict) != NULL,
		      "the kernel's verdict '%s' is not in the error '%s'", verdict, err.msg);
	socklen_t len = 0;
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, NULL, &len), 0);
	ck_assert_msg(len == 0, "a refused program left a filter of %u on the socket", len);
	printf("refused: %s\n", err.msg);
	close(fd);
	bpfc_free(f);
}
END_TEST

/* ---- the suite, in its own network namespace ------------------------------ */

static Suite *
ca_suite(int have_ebpf)
{
	Suite *s = suite_create("attach");
	TCase *tc = tcase_create("paths");
	tcase_set_timeout(tc, 600);
	if (have_ebpf)
		tcase_add_loop_test(tc, test_ebpf, 0, CA_NCASES);
	tcase_add_loop_test(tc, test_cbpf, 0, CA_NCASES);
	tcase_add_loop_test(tc, test_unpriv, 0, CA_NCASES);
	tcase_add_loop_test(tc, test_drain_packet, 0, have_ebpf ? 2 : 1);
	tcase_add_test(tc, test_no_drain_udp);
	tcase_add_test(tc, test_bad_args);
	if (have_ebpf) {
		tcase_add_test(tc, test_verifier_log);
		tcase_add_test(tc, test_attach_refused);
	}
	suite_add_tcase(s, tc);
	return s;
}

/* bpf(2) as this process: 1 when a trivial socket filter loads. */
static int
ca_have_ebpf(void)
{
	static const struct bpfc_ebpf_insn ok[] = {
		{0xb7, 0, 0, 0, 0}, /* r0 = 0 */
		{0x95, 0, 0, 0, 0}, /* exit */
	};
	struct bpfc_error err;

	diag_init(&err);
	int fd = bpfsys_prog_load(CA_PROG_SOCKET_FILTER, ok, 2, NULL, 0, &err);
	if (fd < 0) {
		printf("eBPF path not tested: %s\n", err.msg);
		return 0;
	}
	close(fd);
	return 1;
}

/* In the new namespace: lo up, one CPU, then the suite.  Exit status. */
static int
ca_in_namespace(void)
{
	struct ifreq ifr;
	cpu_set_t one;

	if (unshare(CLONE_NEWNET) != 0) {
		printf("SKIP: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 77;
	}
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) != 0)) {
		printf("SKIP: cannot bring lo up in the namespace: %s\n", strerror(errno));
		return 77;
	}
	close(s);
	int probe = socket(AF_PACKET, SOCK_RAW, 0);
	if (probe < 0) {
		printf("SKIP: socket(AF_PACKET): %s\n", strerror(errno));
		return 77;
	}
	close(probe);
	/* one CPU: lo's receive queue is then processed in sending order */
	int cpu = sched_getcpu();
	CPU_ZERO(&one);
	CPU_SET(cpu < 0 ? 0 : cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0)
		printf("note: sched_setaffinity: %s\n", strerror(errno));
	SRunner *sr = srunner_create(ca_suite(ca_have_ebpf()));
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

int
main(void)
{
	int status;

	if (geteuid() != 0) {
		puts("SKIP: needs root (packet sockets and a network namespace)");
		return 77;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		int rc = ca_in_namespace();
		fflush(stdout);
		_exit(rc);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
