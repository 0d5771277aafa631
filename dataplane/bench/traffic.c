/* SPDX-License-Identifier: BSD-3-Clause
 *
 * traffic.c - frame templates: sizes, IMIX, flows, headers with correct
 * checksums, and the signature.  Control side of the generator (before a
 * trial); nothing here runs per packet except nfvb_sig_stamp() in bench.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dataplane/bench/bench.h"

/*
 * "Simple IMIX": 7 parts 64 B, 4 parts 594 B, 1 part 1518 B (IP packets
 * of 40, 576 and 1500 bytes, FCS included), interleaved so that no burst
 * is all large frames.
 */
static const uint16_t nfvb_imix_sizes[NFVB_MAX_CLASSES] = {64, 594, 1518};
static const uint8_t nfvb_imix_pattern[12] = {0, 1, 0, 0, 1, 0,
					      2, 0, 1, 0, 0, 1};

static const uint8_t nfvb_def_src4[4] = {198, 18, 0, 1};
static const uint8_t nfvb_def_dst4[4] = {198, 19, 0, 1};
static const uint8_t nfvb_def_src6[16] = {0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0,
					  0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t nfvb_def_dst6[16] = {0x20, 0x01, 0x00, 0x02, 0, 0, 0, 1,
					  0, 0, 0, 0, 0, 0, 0, 1};

/* The options a template needs, kept with the traffic. */
struct nfvb_tmpl_src {
	uint8_t mac[NFVB_MAX_PORTS][6];
	uint8_t peer[NFVB_MAX_PORTS][6];
	uint8_t ip[2][16];		/* even side, odd side */
	uint16_t l4port[2];		/* even side, odd side */
	bool spread[2];			/* --src-range, --dst-range */
	uint8_t plen[2];		/* their prefix lengths */
	unsigned int vary;
	bool ipv6, tcp;
};

static struct nfvb_tmpl_src nfvb_src;

void
nfvb_default_mac(unsigned int port, uint8_t mac[6])
{
	static const uint8_t base[6] = {0x02, 0, 0, 0, 0, 0};

	memcpy(mac, base, 6);
	mac[5] = (uint8_t)(port + 1);
}

/* An address (4 or 16 bytes, network order) as a host-order number. */
static unsigned __int128
nfvb_addr_num(const uint8_t *a, unsigned int alen)
{
	unsigned __int128 v = 0;
	unsigned int i;

	for (i = 0; i < alen; i++)
		v = v << 8 | a[i];
	return v;
}

/*
 * Fill port p's template of class cls: flow 0's frame.  The headers are
 * written with flow 0's fields, the checksums are summed without the
 * fields that vary by flow (t->ip_sum, t->l4_sum), then nfvb_flow_write()
 * writes the varying fields and the checksums, as it does per frame for
 * every other flow.  The flow is the same 5-tuple in both directions:
 * the odd port sends the even port's tuple reversed, so a stateful
 * device sees replies.
 */
static void
nfvb_tmpl_fill(struct nfvb_traffic *t, unsigned int port, unsigned int cls)
{
	const struct nfvb_tmpl_src *s = &nfvb_src;
	uint8_t *d = nfvb_tmpl(t, port, cls);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)d;
	unsigned int side = port & 1, alen = s->ipv6 ? 16 : 4;
	bool addrs = t->vary & NFVB_VARY_ADDRS,
	     ports = t->vary & NFVB_VARY_PORTS;
	uint16_t len = t->len[cls], l4len;
	struct nfvb_sig *sig;
	uint8_t *sa, *da;
	uint32_t sum;
	void *l4 = d + t->l4_off;

	memset(d, 0, NFVB_TMPL_SZ);
	memcpy(eh->dst_addr.addr_bytes, s->peer[port], 6);
	memcpy(eh->src_addr.addr_bytes, s->mac[port], 6);

	/* Addresses and ports that do not vary: the even side's tuple,
	 * mirrored on odd ports.  Those that vary stay zero for the sums. */
	l4len = (uint16_t)(len - t->l4_off);
	if (s->ipv6) {
		struct rte_ipv6_hdr *ip =
			(struct rte_ipv6_hdr *)(d + sizeof(*eh));

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16(l4len);
		ip->proto = s->tcp ? IPPROTO_TCP : IPPROTO_UDP;
		ip->hop_limits = 64;
		sa = ip->src_addr;
		da = ip->dst_addr;
	} else {
		struct rte_ipv4_hdr *ip =
			(struct rte_ipv4_hdr *)(d + sizeof(*eh));

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length =
			rte_cpu_to_be_16((uint16_t)(len - sizeof(*eh)));
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = s->tcp ? IPPROTO_TCP : IPPROTO_UDP;
		sa = (uint8_t *)&ip->src_addr;
		da = (uint8_t *)&ip->dst_addr;
	}
	if (!addrs) {
		memcpy(sa, s->ip[side], alen);
		memcpy(da, s->ip[side ^ 1], alen);
	}
	if (s->ipv6) {
		sum = rte_ipv6_phdr_cksum((struct rte_ipv6_hdr *)(d + 14), 0);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d + 14);

		t->ip_sum[port][cls] = rte_raw_cksum(ip, sizeof(*ip));
		ip->hdr_checksum = (uint16_t)~t->ip_sum[port][cls];
		sum = rte_ipv4_phdr_cksum(ip, 0);
	}

	if (s->tcp) {
		struct rte_tcp_hdr *th = l4;

		th->sent_seq = rte_cpu_to_be_32(1);
		th->data_off = (sizeof(*th) / 4) << 4;
		th->tcp_flags = RTE_TCP_ACK_FLAG;
		th->rx_win = rte_cpu_to_be_16(65535);
	} else {
		struct rte_udp_hdr *uh = l4;

		uh->dgram_len = rte_cpu_to_be_16(l4len);
	}
	if (!ports) {
		uint16_t *pp = l4;

		pp[0] = rte_cpu_to_be_16(s->l4port[side]);
		pp[1] = rte_cpu_to_be_16(s->l4port[side ^ 1]);
	}

	if (t->has_sig) {
		sig = (struct nfvb_sig *)(d + t->sig_off);
		sig->magic = NFVB_SIG_MAGIC;
		sig->fix = 0xffff;	/* seq = tsc = 0: see struct nfvb_sig */
	}

	/* Everything past copy_len is zero: it adds nothing to the sum. */
	sum += rte_raw_cksum(l4, t->copy_len - t->l4_off);
	t->l4_sum[port][cls] = sum;
	nfvb_flow_write(t, port, cls, 0, d);
}

static void
nfvb_traffic_fill_all(struct nfvb_traffic *t)
{
	unsigned int p, c;

	for (p = 0; p < t->n_ports; p++)
		for (c = 0; c < t->n_classes; c++)
			nfvb_tmpl_fill(t, p, c);
}

/* What nfvb_flow_write() needs, from the options. */
static void
nfvb_traffic_flows(struct nfvb_traffic *t, const struct nfvb_tmpl_src *s)
{
	unsigned int alen = s->ipv6 ? 16 : 4, side, p;

	t->vary = s->vary;
	t->ipv6 = s->ipv6;
	t->tcp = s->tcp;
	t->ck_off = (uint16_t)(t->l4_off + (s->tcp ? 16 : 6));
	for (side = 0; side < 2; side++) {
		unsigned int bits = RTE_MIN(alen * 8 - s->plen[side], 32u);
		uint32_t m = bits >= 32 ? UINT32_MAX : (1u << bits) - 1;

		t->addr[side] = nfvb_addr_num(s->ip[side], alen);
		t->l4port[side] = s->l4port[side];
		t->spread[side] = s->spread[side];
		t->spread_bits[side] = (uint8_t)bits;
		t->spread_shift[side] =
			(uint8_t)(alen * 8 - s->plen[side] - bits);
		t->spread_mask[side] = (unsigned __int128)m
				       << t->spread_shift[side];
	}
	for (p = 0; p < t->n_ports; p++)
		t->mac24[p] = (uint32_t)s->mac[p][2] << 16 |
			      (uint32_t)s->mac[p][3] << 8 | s->mac[p][4];
}

int
nfvb_traffic_build(struct nfvb_traffic *t, const struct nfvb_opts *o,
		   unsigned int n_ports, unsigned int size, char *err,
		   size_t errlen)
{
	struct nfvb_tmpl_src *s = &nfvb_src;
	unsigned int i, hdr, min_len = UINT32_MAX;
	size_t bytes;
	double sum = 0;

	memset(t, 0, sizeof(*t));
	memset(s, 0, sizeof(*s));
	t->size = size;
	t->n_ports = n_ports;
	t->flows = o->flows;
	if (size == NFVB_SIZE_IMIX) {
		t->n_classes = NFVB_MAX_CLASSES;
		for (i = 0; i < NFVB_MAX_CLASSES; i++)
			t->len[i] = (uint16_t)(nfvb_imix_sizes[i] - 4);
		t->n_pattern = RTE_DIM(nfvb_imix_pattern);
		memcpy(t->pattern, nfvb_imix_pattern, sizeof(t->pattern));
	} else {
		t->n_classes = 1;
		t->len[0] = (uint16_t)(size - 4);
		t->n_pattern = 1;
	}
	for (i = 0; i < t->n_pattern; i++)
		sum += t->len[t->pattern[i]] + 4;
	t->mean_size = sum / t->n_pattern;
	for (i = 0; i < t->n_classes; i++)
		min_len = RTE_MIN(min_len, (unsigned int)t->len[i]);

	t->l4_off = (uint16_t)(sizeof(struct rte_ether_hdr) +
			       (o->ipv6 ? sizeof(struct rte_ipv6_hdr) :
					  sizeof(struct rte_ipv4_hdr)));
	hdr = t->l4_off + (o->tcp ? sizeof(struct rte_tcp_hdr) :
				    sizeof(struct rte_udp_hdr));
	t->sig_off = (uint16_t)hdr;
	if (hdr > min_len) {
		snprintf(err, errlen,
			 "%s/%s headers need frames of at least %u bytes",
			 o->ipv6 ? "IPv6" : "IPv4", o->tcp ? "TCP" : "UDP",
			 hdr + 4);
		return -EINVAL;
	}
	/* Frames too small for the signature are counted per port only:
	 * no latency, no per-direction loss, no reorder. */
	t->has_sig = hdr + NFVB_SIG_LEN <= min_len;
	t->copy_len = (uint16_t)(t->has_sig ? hdr + NFVB_SIG_LEN : hdr);

	for (i = 0; i < n_ports; i++) {
		const struct nfvb_port_opts *po = &o->ports[i];
		unsigned int q = i ^ 1;

		if (po->has_mac)
			memcpy(s->mac[i], po->mac, 6);
		else
			nfvb_default_mac(i, s->mac[i]);
		if (po->has_peer)
			memcpy(s->peer[i], po->peer, 6);
		else if (q < NFVB_MAX_PORTS && o->ports[q].has_mac)
			memcpy(s->peer[i], o->ports[q].mac, 6);
		else
			nfvb_default_mac(q, s->peer[i]);
	}
	s->ipv6 = o->ipv6;
	s->tcp = o->tcp;
	s->vary = o->vary;
	if (o->has_src_ip)
		memcpy(s->ip[0], o->src_ip, 16);
	else
		memcpy(s->ip[0], o->ipv6 ? nfvb_def_src6 : nfvb_def_src4,
		       o->ipv6 ? 16 : 4);
	if (o->has_dst_ip)
		memcpy(s->ip[1], o->dst_ip, 16);
	else
		memcpy(s->ip[1], o->ipv6 ? nfvb_def_dst6 : nfvb_def_dst4,
		       o->ipv6 ? 16 : 4);
	s->l4port[0] = o->src_port;
	s->l4port[1] = o->dst_port;
	s->spread[0] = o->src_spread;
	s->spread[1] = o->dst_spread;
	s->plen[0] = o->src_plen;
	s->plen[1] = o->dst_plen;

	nfvb_traffic_flows(t, s);
	bytes = (size_t)n_ports * t->n_classes * NFVB_TMPL_SZ;
	t->tmpl = aligned_alloc(RTE_CACHE_LINE_SIZE, bytes);
	if (t->tmpl == NULL) {
		snprintf(err, errlen, "no memory for %zu bytes of templates",
			 bytes);
		return -ENOMEM;
	}
	nfvb_traffic_fill_all(t);
	return 0;
}

void
nfvb_traffic_set_gen(struct nfvb_traffic *t, uint8_t gen)
{
	/* The generation is covered by the L4 checksum: refill. */
	t->gen = gen & 0x3f;
	if (t->has_sig)
		nfvb_traffic_fill_all(t);
}

void
nfvb_traffic_free(struct nfvb_traffic *t)
{
	free(t->tmpl);
	t->tmpl = NULL;
}

/* Classic pcap, microsecond timestamps, Ethernet. */
struct nfvb_pcap_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t zone;
	uint32_t sigfigs, snaplen, linktype;
};

struct nfvb_pcap_rec {
	uint32_t sec, usec, caplen, len;
};

int
nfvb_pcap_write(const struct nfvb_traffic *t, const char *path,
		unsigned int per_port)
{
	struct nfvb_pcap_hdr h = {
		.magic = 0xa1b2c3d4, .major = 2, .minor = 4,
		.snaplen = 65535, .linktype = 1,
	};
	uint8_t frame[NFVB_MAX_SIZE];
	struct timeval tv;
	unsigned int p, i;
	FILE *f;
	int rc = 0;

	f = fopen(path, "wb");
	if (f == NULL)
		return -errno;
	gettimeofday(&tv, NULL);
	if (fwrite(&h, sizeof(h), 1, f) != 1)
		rc = -EIO;
	for (p = 0; p < t->n_ports && rc == 0; p++) {
		for (i = 0; i < per_port && rc == 0; i++) {
			unsigned int cls = t->pattern[i % t->n_pattern];
			uint32_t flow = i % t->flows;
			struct nfvb_pcap_rec r = {
				.sec = (uint32_t)tv.tv_sec,
				.usec = (uint32_t)tv.tv_usec,
				.caplen = t->len[cls],
				.len = t->len[cls],
			};

			memset(frame, 0, sizeof(frame));
			nfvb_frame_fill(t, p, cls, flow, frame);
			if (t->has_sig)
				nfvb_sig_stamp((struct nfvb_sig *)(frame +
								  t->sig_off),
					       i, 0x12345678u * (i + 1));
			if (fwrite(&r, sizeof(r), 1, f) != 1 ||
			    fwrite(frame, t->len[cls], 1, f) != 1)
				rc = -EIO;
		}
	}
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}
