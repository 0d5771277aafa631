/* SPDX-License-Identifier: BSD-3-Clause
 *
 * bpf_ref.h - the examples of configs/bpf/ written again in plain C, for
 * the tests that check the programs against them (tests/unit/bpf, the
 * fuzz harness tests/fuzz/bpf).  Each takes the frame's first len bytes
 * (len <= NFV_BPF_WINDOW), the ingress iface and the program's counters
 * k[] (updated as the program does) and returns the program's verdict.
 */
#ifndef NFV_TEST_BPF_REF_H
#define NFV_TEST_BPF_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vnf/bpf/nfv_bpf.h"

static inline uint16_t
ref_be16(const uint8_t *d, uint32_t off)
{
	return (uint16_t)(d[off] << 8 | d[off + 1]);
}

/* Where a frame's ports are: kind 2 with the offset of the TCP/UDP
 * header; 1 IP without ports (another protocol, a later fragment when
 * frag_is_ip, too short); 0 not IP; -1 a later fragment otherwise. */
struct ref_l4 {
	int kind; /* 0: not IP, 1: IP without ports, 2: ports */
	uint8_t proto;
	uint32_t off;
	bool truncated; /* shorter than an IP header */
};

static inline struct ref_l4
ref_l4(const uint8_t *d, uint32_t len, bool frag_is_ip)
{
	struct ref_l4 r = {0};
	uint32_t l3 = 14;
	uint16_t type;

	type = ref_be16(d, 12);
	if (type == 0x8100) {
		if (len < 18) {
			r.truncated = true;
			return r;
		}
		type = ref_be16(d, 16);
		l3 = 18;
	}
	if (type == 0x0800) {
		if (len < l3 + 20) {
			r.truncated = true;
			return r;
		}
		r.proto = d[l3 + 9];
		r.off = l3 + (d[l3] & 0xfu) * 4;
		if ((d[l3 + 6] & 0x1f) != 0 || d[l3 + 7] != 0) {
			r.kind = frag_is_ip ? 1 : -1;
			return r;
		}
	} else if (type == 0x86dd) {
		if (len < l3 + 40) {
			r.truncated = true;
			return r;
		}
		r.proto = d[l3 + 6];
		r.off = l3 + 40;
	} else {
		return r;
	}
	r.kind = (r.proto == 6 || r.proto == 17) && len >= r.off + 4 ? 2 : 1;
	return r;
}

/* port_classifier.c; k[] its counters. */
static inline uint32_t
ref_classifier(const uint8_t *d, uint32_t len, uint16_t in, uint64_t *k)
{
	struct ref_l4 l;
	uint16_t dport;

	if (in != 0)
		return 0;
	if (len < 14)
		return NFV_BPF_DROP;
	l = ref_l4(d, len, true);
	if (l.kind != 2)
		return 3;
	k[l.proto == 6 ? 0 : 1]++;
	dport = ref_be16(d, l.off + 2);
	if (dport == 53)
		return 2;
	if (l.proto == 6 && (dport == 80 || dport == 443))
		return 1;
	return 3;
}

/* dns_filter.c */
static inline uint32_t
ref_dns(const uint8_t *d, uint32_t len, uint16_t in, uint64_t *k)
{
	uint16_t type;
	struct ref_l4 l;

	if (in > 1 || len < 14)
		goto drop;
	type = ref_be16(d, 12);
	if (type == 0x8100) {
		if (len < 18)
			goto drop;
		type = ref_be16(d, 16);
	}
	if (type == 0x0806)
		return in ^ 1u;
	l = ref_l4(d, len, false);
	if (l.kind != 2 ||
	    (ref_be16(d, l.off) != 53 && ref_be16(d, l.off + 2) != 53))
		goto drop;
	k[0]++;
	return in ^ 1u;
drop:
	k[1]++;
	return NFV_BPF_DROP;
}

/* rate_sampler.c */
static inline uint32_t
ref_sampler(const uint8_t *d, uint32_t len, uint16_t in, uint64_t *k)
{
	(void)d;
	(void)len;
	if (in != 0)
		return NFV_BPF_DROP;
	if ((++k[0] & 63) != 1)
		return NFV_BPF_DROP;
	k[1]++;
	return 1;
}

/* l2_guard.c */
static inline uint32_t
ref_l2guard(const uint8_t *d, uint32_t len, uint16_t in, uint64_t *k)
{
	static const uint8_t ll[5] = {0x01, 0x80, 0xc2, 0x00, 0x00};
	static const uint8_t zero[6];

	if (in > 1) {
		k[3]++;
		return NFV_BPF_DROP;
	}
	if (len < 14) {
		k[2]++;
		return NFV_BPF_DROP;
	}
	if (memcmp(d, ll, 5) == 0 && d[5] <= 0x0f) {
		k[0]++;
		return NFV_BPF_DROP;
	}
	if ((d[6] & 1) != 0 || memcmp(d + 6, zero, 6) == 0) {
		k[1]++;
		return NFV_BPF_DROP;
	}
	return in ^ 1u;
}

/* The form the examples share. */
typedef uint32_t ref_fn(const uint8_t *d, uint32_t len, uint16_t in,
			uint64_t *k);

#endif /* NFV_TEST_BPF_REF_H */
