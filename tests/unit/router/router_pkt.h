/* SPDX-License-Identifier: BSD-3-Clause
 *
 * router_pkt.h - frames for the router's unit tests, built from byte
 * arrays (Ethernet, IPv4/IPv6, UDP, ICMP echo, ARP, ND), and checks of
 * what came out.  Included by test_router.c and test_router_mirror.c after
 * router_test.h, whose globals it uses: `pool` (mbufs), `rt` (the router),
 * and `out_m`/`n_out` (what the last run produced).
 */
#ifndef NFV_TEST_ROUTER_PKT_H
#define NFV_TEST_ROUTER_PKT_H

/* ---- packet building --------------------------------------------------- */

struct pkt {
	uint8_t b[2048];
	uint16_t len;
};

static uint16_t
csum(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)(b[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
eth(struct pkt *p, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(p->b, dst, 6);
	memcpy(p->b + 6, src, 6);
	put16(p->b + 12, type);
	p->len = 14;
}

static void
ip4_addr(uint8_t *p, const char *a)
{
	assert_int_equal(inet_pton(AF_INET, a, p), 1);
}

/* IPv4 with `plen` bytes of L4 (filled by pattern unless l4 given). */
static uint8_t *
ipv4(struct pkt *p, const char *src, const char *dst, uint8_t proto,
     uint8_t ttl, uint16_t plen, uint16_t frag)
{
	uint8_t *ip = p->b + p->len;
	uint16_t i;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + plen));
	put16(ip + 4, 0x1234);
	put16(ip + 6, frag);
	ip[8] = ttl;
	ip[9] = proto;
	ip4_addr(ip + 12, src);
	ip4_addr(ip + 16, dst);
	put16(ip + 10, csum(ip, 20, 0));
	for (i = 0; i < plen; i++)
		ip[20 + i] = (uint8_t)(i * 3);
	p->len = (uint16_t)(p->len + 20 + plen);
	return ip;
}

static void
icmp4_fix(uint8_t *ip)
{
	uint16_t tot = get16(ip + 2);
	uint8_t *ic = ip + 20;

	put16(ic + 2, 0);
	put16(ic + 2, csum(ic, tot - 20u, 0));
}

static struct pkt
echo4(const char *src, const char *dst, uint8_t ttl, uint16_t seq)
{
	struct pkt p;
	uint8_t *ip;

	eth(&p, R_LAN, H1, 0x0800);
	ip = ipv4(&p, src, dst, 1, ttl, 64, 0);
	ip[20] = 8;
	ip[21] = 0;
	put16(ip + 24, 0x77);
	put16(ip + 26, seq);
	icmp4_fix(ip);
	return p;
}

static struct pkt
udp4(const uint8_t *dmac, const char *src, const char *dst, uint8_t ttl,
     uint16_t sport, uint16_t dport, uint16_t plen, uint16_t frag)
{
	struct pkt p;
	uint8_t *ip;

	eth(&p, dmac, H1, 0x0800);
	ip = ipv4(&p, src, dst, 17, ttl, (uint16_t)(8 + plen), frag);
	put16(ip + 20, sport);
	put16(ip + 22, dport);
	put16(ip + 24, (uint16_t)(8 + plen));
	put16(ip + 26, 0);
	return p;
}

static uint16_t
icmp6_csum(const uint8_t *ip6, const uint8_t *l4, uint32_t len)
{
	uint8_t ph[40];

	memcpy(ph, ip6 + 8, 32);
	ph[32] = (uint8_t)(len >> 24);
	ph[33] = (uint8_t)(len >> 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = 58;
	{
		uint32_t sum = (uint16_t)~csum(ph, 40, 0);

		return csum(l4, len, sum);
	}
}

static uint8_t *
ipv6(struct pkt *p, const char *src, const char *dst, uint8_t nh,
     uint8_t hlim, uint16_t plen)
{
	uint8_t *ip = p->b + p->len;
	uint16_t i;

	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, plen);
	ip[6] = nh;
	ip[7] = hlim;
	assert_int_equal(inet_pton(AF_INET6, src, ip + 8), 1);
	assert_int_equal(inet_pton(AF_INET6, dst, ip + 24), 1);
	for (i = 0; i < plen; i++)
		ip[40 + i] = (uint8_t)(i * 5);
	p->len = (uint16_t)(p->len + 40 + plen);
	return ip;
}

static void
icmp6_fix(uint8_t *ip6)
{
	uint16_t plen = get16(ip6 + 4);

	put16(ip6 + 42, 0);
	put16(ip6 + 42, icmp6_csum(ip6, ip6 + 40, plen));
}

static struct pkt
echo6(const uint8_t *dmac, const char *src, const char *dst, uint8_t hlim)
{
	struct pkt p;
	uint8_t *ip;

	eth(&p, dmac, H1, 0x86dd);
	ip = ipv6(&p, src, dst, 58, hlim, 64);
	ip[40] = 128;
	ip[41] = 0;
	put16(ip + 44, 0x77);
	put16(ip + 46, 1);
	icmp6_fix(ip);
	return p;
}

static struct pkt
arp(const uint8_t *dmac, const uint8_t *smac, uint16_t op, const uint8_t *sha,
    const char *sip, const uint8_t *tha, const char *tip)
{
	struct pkt p;
	uint8_t *a;

	eth(&p, dmac, smac, 0x0806);
	a = p.b + 14;
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	ip4_addr(a + 14, sip);
	memcpy(a + 18, tha, 6);
	ip4_addr(a + 24, tip);
	p.len = 14 + 28 + 18; /* padded to 60 like on the wire */
	memset(p.b + 42, 0, 18);
	return p;
}

/* NS (135) or NA (136) with a link-layer option. */
static struct pkt
nd(const uint8_t *dmac, const uint8_t *smac, uint8_t type, const char *src,
   const char *dst, const char *target, uint8_t flags, uint8_t hlim,
   bool with_lla)
{
	struct pkt p;
	uint8_t *ip, *ic;

	eth(&p, dmac, smac, 0x86dd);
	ip = ipv6(&p, src, dst, 58, hlim, with_lla ? 32 : 24);
	ic = ip + 40;
	memset(ic, 0, with_lla ? 32 : 24);
	ic[0] = type;
	ic[4] = flags;
	assert_int_equal(inet_pton(AF_INET6, target, ic + 8), 1);
	if (with_lla) {
		ic[24] = type == 135 ? 1 : 2;
		ic[25] = 1;
		memcpy(ic + 26, smac, 6);
	}
	icmp6_fix(ip);
	return p;
}

static struct rte_mbuf *
mbuf(const struct pkt *p)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *d;

	assert_non_null(m);
	d = rte_pktmbuf_append(m, p->len);
	assert_non_null(d);
	memcpy(d, p->b, p->len);
	return m;
}

static const uint8_t *
od(unsigned int i)
{
	assert_true(i < n_out);
	return rte_pktmbuf_mtod(out_m[i], const uint8_t *);
}

static void
assert_ip4(const uint8_t *p, const char *a)
{
	uint8_t x[4];

	ip4_addr(x, a);
	assert_memory_equal(p, x, 4);
}

static void
assert_ip6(const uint8_t *p, const char *a)
{
	uint8_t x[16];

	assert_int_equal(inet_pton(AF_INET6, a, x), 1);
	assert_memory_equal(p, x, 16);
}

static unsigned int
neigh_state(const char *ip, uint16_t iface, uint8_t *mac_out)
{
	struct rt_neigh_key k;
	int32_t pos;
	uint64_t w;

	memset(&k, 0, sizeof(k));
	k.family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(k.family, ip, k.ip), 1);
	k.iface = iface;
	pos = rt_neigh_lookup(rt, &k);
	if (pos < 0)
		return RT_NS_NONE;
	w = atomic_load(&rt->neigh.words[pos]);
	if (mac_out != NULL)
		memcpy(mac_out, &w, 6);
	return rt_nw_state(w);
}

#endif /* NFV_TEST_ROUTER_PKT_H */
