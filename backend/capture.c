/*
 * capture.c: live capture on a Linux AF_PACKET socket (see capture.h).
 *
 * Takes an interface and a compiled filter; gives the packets the filter
 * accepts.  The order of the calls in capture_open is the point of the
 * file: socket(protocol 0) receives nothing, the filter is attached, and
 * only then does bind(ETH_P_ALL) start the flow, so no packet reaches the
 * queue unfiltered.  Draining behind a drop-all filter (libpcap's way) is
 * not enough on its own: a packet the kernel has already run the old
 * filter on may be queued after the drain, since attaching a filter does
 * not wait for concurrent receivers (it swaps an RCU pointer).
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <pcap/pcap.h>

#include "backend/capture.h"
#include "base/diag.h"

/* The cooked header (DLT_LINUX_SLL): packet type, ARPHRD_ type, address
 * length, 8 bytes of address, protocol; all big-endian. */
enum { CAP_SLL_HDR_LEN = 16, CAP_SLL_ADDRLEN = 8 };

/* Receive buffer asked of the kernel: room for bursts (libpcap's ring is
 * 2 MiB by default). */
enum { CAP_RCVBUF = 4 << 20 };

struct capture {
	int fd;
	int ifindex;    /* the interface, 0 for "any" */
	int lo_ifindex; /* the loopback device's, 0 when there is none */
	int cooked;     /* SOCK_DGRAM: cooked header built here, filter run here */
	enum capture_filtering how;
	uint32_t snaplen;
	const struct bpfc_filter *f;
	uint64_t drops; /* PACKET_STATISTICS resets on every read: summed here */
	uint8_t *buf;
	size_t bufsz;
};

/* ---- link types ----------------------------------------------------------- */

/* Linux interface types by name, and the DLT each is captured as (-1:
 * bpfc does not capture it with its own framing).  EN10MB for loopback is
 * libpcap's choice on Linux: the device carries zeroed Ethernet headers. */
static const struct {
	unsigned short arphrd;
	const char *name;
	int dlt;
} cap_arphrd[] = {
	{ARPHRD_ETHER, "ETHER", DLT_EN10MB},
	{ARPHRD_LOOPBACK, "LOOPBACK", DLT_EN10MB},
	{ARPHRD_NONE, "NONE", -1},
	{ARPHRD_VOID, "VOID", -1},
	{ARPHRD_PPP, "PPP", -1},
	{ARPHRD_TUNNEL, "TUNNEL", -1},
	{ARPHRD_TUNNEL6, "TUNNEL6", -1},
	{ARPHRD_SIT, "SIT", -1},
	{ARPHRD_IPGRE, "IPGRE", -1},
	{ARPHRD_IEEE80211, "IEEE80211", -1},
	{ARPHRD_IEEE80211_RADIOTAP, "IEEE80211_RADIOTAP", -1},
	{ARPHRD_INFINIBAND, "INFINIBAND", -1},
	{ARPHRD_CAN, "CAN", -1},
	{ARPHRD_RAWIP, "RAWIP", -1},
	{ARPHRD_IEEE802154, "IEEE802154", -1},
};

static int
cap_is_any(const char *iface)
{
	return strcmp(iface, "any") == 0;
}

/* ioctl `req` (SIOCGIFHWADDR, SIOCGIFFLAGS) about `iface` into `ifr`: 0, or
 * -1 with `err` naming the interface. */
static int
cap_ifreq(const char *iface, unsigned long req, struct ifreq *ifr, struct bpfc_error *err)
{
	if (iface[0] == '\0' || strlen(iface) >= sizeof(ifr->ifr_name))
		return diag_plain(err, BPFC_EINVAL, "'%s' is not an interface name (1 to %zu "
				  "characters)", iface, sizeof(ifr->ifr_name) - 1);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return diag_plain(err, BPFC_EIO, "socket: %s", strerror(errno));
	memset(ifr, 0, sizeof(*ifr));
	memcpy(ifr->ifr_name, iface, strlen(iface));
	int rc = ioctl(fd, req, ifr);
	int e = errno;
	close(fd);
	if (rc < 0 && e == ENODEV)
		return diag_plain(err, BPFC_EINVAL, "no interface '%s'", iface);
	if (rc < 0)
		return diag_plain(err, BPFC_EIO, "interface '%s': %s", iface, strerror(e));
	return 0;
}

/* The interface's ARPHRD_ type: 0, or -1 with `err` naming the interface. */
static int
cap_arptype(const char *iface, unsigned short *type, struct bpfc_error *err)
{
	struct ifreq ifr;

	if (cap_ifreq(iface, SIOCGIFHWADDR, &ifr, err) < 0)
		return -1;
	*type = ifr.ifr_hwaddr.sa_family;
	return 0;
}

/* A packet socket bound to a down interface only reports ENETDOWN: say it
 * first, as libpcap does ("That device is not up"). */
static int
cap_check_up(const char *iface, struct bpfc_error *err)
{
	struct ifreq ifr;

	if (cap_is_any(iface))
		return 0;
	if (cap_ifreq(iface, SIOCGIFFLAGS, &ifr, err) < 0)
		return -1;
	if (!(ifr.ifr_flags & IFF_UP))
		return diag_plain(err, BPFC_EINVAL, "interface '%s' is not up", iface);
	return 0;
}

int
capture_linktype(const char *iface, struct bpfc_error *err)
{
	unsigned short type;

	if (cap_is_any(iface))
		return DLT_LINUX_SLL;
	if (cap_arptype(iface, &type, err) < 0)
		return -1;
	const char *name = NULL;
	for (size_t i = 0; i < sizeof(cap_arphrd) / sizeof(cap_arphrd[0]); i++)
		if (cap_arphrd[i].arphrd == type) {
			if (cap_arphrd[i].dlt >= 0)
				return cap_arphrd[i].dlt;
			name = cap_arphrd[i].name;
			break;
		}
	return diag_plain(err, BPFC_EUNSUPPORTED,
			  "interface '%s' has link type ARPHRD_%s (%u), which bpfc does not "
			  "capture with its own framing (Ethernet and loopback devices only); "
			  "-y LINUX_SLL captures it with the cooked header",
			  iface, name != NULL ? name : "?", (unsigned)type);
}

/* ---- opening ---------------------------------------------------------------- */

/* Whether the capture is cooked, from the link type asked for and the
 * interface's own: 0 raw, 1 cooked, -1 with `err` when it cannot be. */
static int
cap_mode(const char *iface, int linktype, struct bpfc_error *err)
{
	if (linktype == DLT_LINUX_SLL) {
		if (!cap_is_any(iface)) {
			unsigned short type;
			if (cap_arptype(iface, &type, err) < 0) /* it exists */
				return -1;
		}
		return 1;
	}
	int natural = capture_linktype(iface, err);
	if (natural < 0)
		return -1;
	if (natural != linktype) {
		const char *want = pcap_datalink_val_to_name(linktype);
		return diag_plain(err, BPFC_EUNSUPPORTED,
				  "interface '%s' gives link type %s, not %s: compile for its own "
				  "link type or for LINUX_SLL", iface, pcap_datalink_val_to_name(natural),
				  want != NULL ? want : "that one");
	}
	return 0;
}

static int
cap_socket(int cooked, struct bpfc_error *err)
{
	/* Protocol 0: no packet is queued before bind() names one. */
	int fd = socket(AF_PACKET, (cooked ? SOCK_DGRAM : SOCK_RAW) | SOCK_CLOEXEC | SOCK_NONBLOCK,
			0);
	if (fd < 0 && (errno == EPERM || errno == EACCES))
		return diag_plain(err, BPFC_EUNSUPPORTED, "socket(AF_PACKET): %s (live capture "
				  "needs CAP_NET_RAW: run as root)", strerror(errno));
	if (fd < 0)
		return diag_plain(err, BPFC_EIO, "socket(AF_PACKET): %s", strerror(errno));
	int on = 1, rcvbuf = CAP_RCVBUF;
	/* The wire length (PACKET_AUXDATA's tp_len) and the kernel's time
	 * stamp come with each packet. */
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) < 0) {
		int e = errno;
		close(fd);
		return diag_plain(err, BPFC_EIO, "setsockopt: %s", strerror(e));
	}
	/* Past net.core.rmem_max with CAP_NET_ADMIN, else up to it. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return fd;
}

static int
cap_bind(struct capture *c, const char *iface, struct bpfc_error *err)
{
	struct sockaddr_ll sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = c->ifindex;
	if (bind(c->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return diag_plain(err, errno == ENETDOWN ? BPFC_EINVAL : BPFC_EIO,
				  "bind to '%s': %s", iface, strerror(errno));
	return 0;
}

struct capture *
capture_open(const char *iface, int linktype, uint32_t snaplen, const struct bpfc_filter *f,
	     unsigned attach_flags, struct bpfc_error *err)
{
	int cooked = cap_mode(iface, linktype, err);
	if (cooked < 0 || cap_check_up(iface, err) < 0)
		return NULL;
	struct capture *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		diag_plain(err, BPFC_ENOMEM, "out of memory");
		return NULL;
	}
	c->fd = -1;
	c->cooked = cooked;
	c->f = f;
	c->snaplen = snaplen == 0 || snaplen > CAPTURE_MAX_SNAPLEN ? CAPTURE_MAX_SNAPLEN : snaplen;
	/* Cooked: the whole packet, for the filter run here; raw: the kernel
	 * already cut the packet at the filter's return value. */
	c->bufsz = cooked ? CAP_SLL_HDR_LEN + CAPTURE_MAX_SNAPLEN : c->snaplen;
	c->ifindex = cap_is_any(iface) ? 0 : (int)if_nametoindex(iface);
	c->lo_ifindex = (int)if_nametoindex("lo");
	if (!cap_is_any(iface) && c->ifindex == 0) {
		diag_plain(err, BPFC_EINVAL, "no interface '%s'", iface);
		goto fail;
	}
	if ((c->buf = malloc(c->bufsz)) == NULL) {
		diag_plain(err, BPFC_ENOMEM, "out of memory");
		goto fail;
	}
	if ((c->fd = cap_socket(cooked, err)) < 0)
		goto fail;
	if (cooked) {
		c->how = CAPTURE_USER;
	} else {
		int how = bpfc_attach(c->fd, f, attach_flags, err);
		if (how < 0)
			goto fail;
		c->how = (enum capture_filtering)how;
	}
	if (cap_bind(c, iface, err) < 0)
		goto fail;
	return c;
fail:
	capture_close(c);
	return NULL;
}

int
capture_fd(const struct capture *c)
{
	return c->fd;
}

enum capture_filtering
capture_filtering(const struct capture *c)
{
	return c->how;
}

/* ---- reading ---------------------------------------------------------------- */

static void
cap_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The cooked header libpcap writes for a SOCK_DGRAM packet: the packet
 * types 0-4 are LINUX_SLL_HOST..OUTGOING (the same numbers), others 0xffff;
 * the address is the first 8 bytes of sll_addr, zero-padded, with the
 * real length beside it. */
static void
cap_sll_header(uint8_t *h, const struct sockaddr_ll *from)
{
	unsigned halen = from->sll_halen;

	cap_put16(h, from->sll_pkttype <= PACKET_OUTGOING ? from->sll_pkttype : 0xffffu);
	cap_put16(h + 2, from->sll_hatype);
	cap_put16(h + 4, halen);
	memset(h + 6, 0, CAP_SLL_ADDRLEN);
	memcpy(h + 6, from->sll_addr, halen < CAP_SLL_ADDRLEN ? halen : CAP_SLL_ADDRLEN);
	memcpy(h + 14, &from->sll_protocol, 2); /* already big-endian */
}

/* The wire length and time stamp from the control messages; `got` and the
 * current time when the kernel sent none. */
static void
cap_ancillary(struct msghdr *msg, uint32_t got, uint32_t *wirelen, struct timespec *ts)
{
	*wirelen = got;
	ts->tv_sec = 0;
	ts->tv_nsec = -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == SOL_PACKET && cm->cmsg_type == PACKET_AUXDATA &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata))) {
			struct tpacket_auxdata aux;
			memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
			*wirelen = aux.tp_len;
		} else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			memcpy(ts, CMSG_DATA(cm), sizeof(*ts));
		}
	}
	if (ts->tv_nsec < 0)
		clock_gettime(CLOCK_REALTIME, ts);
	if (*wirelen < got)
		*wirelen = got;
}

/* One recvmsg: 1 with the packet in c->buf (after the cooked header's
 * room), 0 when none is queued, -1 on error. */
static int
cap_recv(struct capture *c, struct sockaddr_ll *from, uint32_t *got, uint32_t *wirelen,
	 struct timespec *ts, struct bpfc_error *err)
{
	size_t hdr = c->cooked ? CAP_SLL_HDR_LEN : 0;
	struct iovec iov = {c->buf + hdr, c->bufsz - hdr};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata)) +
			 CMSG_SPACE(sizeof(struct timespec))];
	} control;
	struct msghdr msg = {from, sizeof(*from), &iov, 1, control.buf, sizeof(control.buf), 0};
	ssize_t r;

	do
		r = recvmsg(c->fd, &msg, MSG_TRUNC | MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (r < 0 && errno == ENETDOWN)
		return diag_plain(err, BPFC_EIO, "the interface went down");
	if (r < 0)
		return diag_plain(err, BPFC_EIO, "recvmsg: %s", strerror(errno));
	/* MSG_TRUNC: r is the packet's length even when the buffer was
	 * shorter. */
	*got = (size_t)r < iov.iov_len ? (uint32_t)r : (uint32_t)iov.iov_len;
	cap_ancillary(&msg, (uint32_t)r, wirelen, ts);
	return 1;
}

int
capture_next(struct capture *c, struct capture_pkt *p, struct bpfc_error *err)
{
	for (;;) {
		struct sockaddr_ll from;
		uint32_t got = 0, wirelen = 0;
		struct timespec ts;

		memset(&from, 0, sizeof(from));
		int rc = cap_recv(c, &from, &got, &wirelen, &ts, err);
		if (rc <= 0)
			return rc;
		/* The loopback device shows each packet twice, going out and
		 * coming in: keep the incoming copy, as libpcap does. */
		if (from.sll_pkttype == PACKET_OUTGOING && c->lo_ifindex != 0 &&
		    from.sll_ifindex == c->lo_ifindex)
			continue;
		uint32_t caplen = got;
		if (c->cooked) {
			cap_sll_header(c->buf, &from);
			caplen += CAP_SLL_HDR_LEN;
			wirelen += CAP_SLL_HDR_LEN;
			uint32_t keep = bpfc_run(c->f, c->buf, wirelen, caplen);
			if (keep == 0)
				continue;
			if (caplen > keep)
				caplen = keep;
		}
		if (caplen > c->snaplen)
			caplen = c->snaplen;
		p->ts = ts;
		p->data = c->buf;
		p->caplen = caplen;
		p->wirelen = wirelen;
		p->ifindex = from.sll_ifindex;
		p->pkttype = from.sll_pkttype;
		return 1;
	}
}

int
capture_drops(struct capture *c, uint64_t *drops, struct bpfc_error *err)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (getsockopt(c->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
		return diag_plain(err, BPFC_EIO, "getsockopt(PACKET_STATISTICS): %s",
				  strerror(errno));
	c->drops += st.tp_drops;
	*drops = c->drops;
	return 0;
}

void
capture_close(struct capture *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}
