/*
 * resolve.c: the system resolver and the fixed-table resolver
 * (codegen/resolve.h).
 *
 * Takes names; gives addresses, ports and numbers.  The system resolver
 * uses only reentrant calls (getaddrinfo, getservbyname_r,
 * getprotobyname_r, ether_hostton reads /etc/ethers afresh each time), so
 * compilations in two threads do not disturb each other.
 */
#include <config.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/ether.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "codegen/resolve.h"

/* ---- the system ---- */

static int
resolve_sys_host(const void *ctx, struct arena *a, const char *name, struct resolve_addrs *out)
{
	struct addrinfo hints, *res = NULL, *ai;
	size_t n4 = 0, n6 = 0;

	(void)ctx;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM; /* one entry per address, as libpcap asks */
	if (getaddrinfo(name, NULL, &hints, &res) != 0 || res == NULL)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		n4 += ai->ai_family == AF_INET;
		n6 += ai->ai_family == AF_INET6;
	}
	memset(out, 0, sizeof(*out));
	out->v4 = arena_calloc(a, n4 + 1, sizeof(*out->v4));
	out->v6 = arena_calloc(a, n6 + 1, sizeof(*out->v6));
	if (out->v4 == NULL || out->v6 == NULL) {
		freeaddrinfo(res);
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *sin = (const void *)ai->ai_addr;
			out->v4[out->n4++] = ntohl(sin->sin_addr.s_addr);
		} else if (ai->ai_family == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (const void *)ai->ai_addr;
			memcpy(out->v6[out->n6++], &sin6->sin6_addr, 16);
		}
	}
	freeaddrinfo(res);
	return out->n4 + out->n6 > 0 ? 0 : -1;
}

static int
resolve_sys_port(const char *name, const char *proto)
{
	struct servent se, *r = NULL;
	char buf[2048];

	if (getservbyname_r(name, proto, &se, buf, sizeof(buf), &r) != 0 || r == NULL)
		return -1;
	return ntohs((uint16_t)r->s_port);
}

/* libpcap's rule: tcp first; the same port for udp too means any of
 * tcp, udp and sctp. */
static int
resolve_sys_service(const void *ctx, const char *name, uint16_t *port, unsigned *protos)
{
	int tcp = resolve_sys_port(name, "tcp"), udp = resolve_sys_port(name, "udp");

	(void)ctx;
	if (tcp >= 0) {
		*port = (uint16_t)tcp;
		*protos = udp == tcp ? RESOLVE_TCP | RESOLVE_UDP | RESOLVE_SCTP : RESOLVE_TCP;
		return 0;
	}
	if (udp >= 0) {
		*port = (uint16_t)udp;
		*protos = RESOLVE_UDP;
		return 0;
	}
	return -1;
}

static int
resolve_sys_proto(const void *ctx, const char *name, uint32_t *num)
{
	struct protoent pe, *r = NULL;
	char buf[2048];

	(void)ctx;
	if (getprotobyname_r(name, &pe, buf, sizeof(buf), &r) != 0 || r == NULL)
		return -1;
	*num = (uint32_t)r->p_proto;
	return 0;
}

static int
resolve_sys_ether(const void *ctx, const char *name, uint8_t mac[6])
{
	struct ether_addr e;

	(void)ctx;
	if (ether_hostton(name, &e) != 0)
		return -1;
	memcpy(mac, e.ether_addr_octet, 6);
	return 0;
}

static const struct resolver resolve_sys = {
	NULL, resolve_sys_host, resolve_sys_service, resolve_sys_proto, resolve_sys_ether,
};

const struct resolver *
resolve_system(void)
{
	return &resolve_sys;
}

/* ---- a fixed table ---- */

static const struct resolve_entry *
resolve_tab_find(const struct resolve_table *t, int kind, const char *name, size_t from)
{
	for (size_t i = from; i < t->n; i++)
		if ((int)t->entries[i].kind == kind && strcmp(t->entries[i].name, name) == 0)
			return &t->entries[i];
	return NULL;
}

static int
resolve_tab_host(const void *ctx, struct arena *a, const char *name, struct resolve_addrs *out)
{
	const struct resolve_table *t = ctx;

	memset(out, 0, sizeof(*out));
	out->v4 = arena_calloc(a, t->n + 1, sizeof(*out->v4));
	out->v6 = arena_calloc(a, t->n + 1, sizeof(*out->v6));
	if (out->v4 == NULL || out->v6 == NULL)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct resolve_entry *e = &t->entries[i];
		if (strcmp(e->name, name) != 0)
			continue;
		if (e->kind == RESOLVE_E_HOST4)
			out->v4[out->n4++] = e->num;
		else if (e->kind == RESOLVE_E_HOST6)
			memcpy(out->v6[out->n6++], e->bytes, 16);
	}
	return out->n4 + out->n6 > 0 ? 0 : -1;
}

static int
resolve_tab_service(const void *ctx, const char *name, uint16_t *port, unsigned *protos)
{
	const struct resolve_entry *e = resolve_tab_find(ctx, RESOLVE_E_SERVICE, name, 0);

	if (e == NULL)
		return -1;
	*port = (uint16_t)e->num;
	*protos = e->protos;
	return 0;
}

static int
resolve_tab_proto(const void *ctx, const char *name, uint32_t *num)
{
	const struct resolve_entry *e = resolve_tab_find(ctx, RESOLVE_E_PROTO, name, 0);

	if (e == NULL)
		return -1;
	*num = e->num;
	return 0;
}

static int
resolve_tab_ether(const void *ctx, const char *name, uint8_t mac[6])
{
	const struct resolve_entry *e = resolve_tab_find(ctx, RESOLVE_E_ETHER, name, 0);

	if (e == NULL)
		return -1;
	memcpy(mac, e->bytes, 6);
	return 0;
}

const struct resolver *
resolve_table_init(struct resolve_table *t, const struct resolve_entry *entries, size_t n)
{
	t->entries = entries;
	t->n = n;
	t->r.ctx = t;
	t->r.host = resolve_tab_host;
	t->r.service = resolve_tab_service;
	t->r.proto = resolve_tab_proto;
	t->r.ether = resolve_tab_ether;
	return &t->r;
}
