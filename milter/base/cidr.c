/* SPDX-License-Identifier: ISC */
/*
 * cidr.c - network lists (see cidr.h), parsed with inet_pton.
 */
#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "cidr.h"

int
cidr_parse(const char *s, struct cidr *out, struct err *e)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	if (hlen >= sizeof(host))
		return err_set(e, "'%s' is not an IP address", s);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, host, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else
		return err_set(e, "'%s' is not an IP address", host);
	out->prefix = max;
	if (slash != NULL) {
		char *end;
		unsigned long v = strtoul(slash + 1, &end, 10);

		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || v > max)
			return err_set(e, "'%s': bad prefix length", s);
		out->prefix = (unsigned)v;
	}
	return 0;
}

int
cidr_list_add(struct cidr_list *l, const struct cidr *c)
{
	struct cidr *nv = reallocarray(l->v, l->n + 1, sizeof(*nv));

	if (nv == NULL)
		return -1;
	l->v = nv;
	l->v[l->n++] = *c;
	return 0;
}

static bool
prefix_eq(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

bool
cidr_list_match(const struct cidr_list *l, const char *ip)
{
	unsigned char a[16];
	int family;
	size_t i;
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	if (ip == NULL)
		return false;
	if (inet_pton(AF_INET, ip, a) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, ip, a) == 1) {
		family = AF_INET6;
		if (memcmp(a, mapped, sizeof(mapped)) == 0) {
			memmove(a, a + 12, 4);
			family = AF_INET;
		}
	} else
		return false;
	for (i = 0; i < l->n; i++)
		if (l->v[i].family == family &&
		    prefix_eq(l->v[i].addr, a, l->v[i].prefix))
			return true;
	return false;
}

void
cidr_list_free(struct cidr_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
