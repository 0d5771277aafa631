/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fw_priv.h - the firewall VNF's internals, shared by its files:
 *   firewall.c  header parsing and process() (worker), create/destroy
 *   rules.c     rule records, the rte_acl snapshot and its publication
 *   conn.c      the connection table's control side (ageing, walk)
 *   conn.h      the connection table's worker side (lookups, TCP states)
 *   reject.c    TCP RST / ICMP unreachable replies (worker)
 *   ctl.c       control verbs: show rules/conn, rule add/del, conn flush,
 *               details
 *
 * Threads: everything under "control thread" runs on nfvd's control thread
 * only (create, verbs, details, periodic, destroy); "worker" code never blocks,
 * locks, allocates from the heap or logs.  See docs/firewall.md for the
 * semantics.
 */
#ifndef NFV_FIREWALL_PRIV_H
#define NFV_FIREWALL_PRIV_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "vnf/bpf/prog.h"
#include "vnf/firewall/config.h"
#include "vnf/lib/lf_table.h"
#include "vnf/lib/tick.h"
#include "vnf/vnf.h"

struct rte_acl_ctx;
struct rte_rcu_qsbr;

/*
 * Counters and drop reasons, by kind (vnf.h).  Every packet that enters
 * process() is counted exactly once by one PASS counter (why it went
 * through) or one drop reason; the INFO ones count events (connections,
 * answers sent for rejected packets); reject-failed counts answers that
 * could not be made or sent (LOST).
 */
#define FW_COUNTERS(_)                                                         \
	_(FW_C_ALLOWED, "allowed", VNF_CK_PASS)	       /* allow rule */        \
	_(FW_C_CONN_NEW, "conn-created", VNF_CK_PASS)  /* new connection */    \
	_(FW_C_CONN_PASS, "conn-matched", VNF_CK_PASS) /* tracked */           \
	_(FW_C_RELATED, "related", VNF_CK_PASS)	       /* ICMP error */        \
	_(FW_C_DEFAULT_ALLOW, "default-allowed", VNF_CK_PASS)                  \
	_(FW_C_NON_IP, "non-ip", VNF_CK_PASS) /* ARP etc. */                   \
	_(FW_C_FRAG_FOLLOW, "frag-followed", VNF_CK_PASS)                      \
	_(FW_C_BPF_ALLOWED, "bpf-allowed", VNF_CK_PASS) /* bpf rule */         \
	_(FW_C_CONN_EXISTS, "conn-exists", VNF_CK_INFO)                        \
	_(FW_C_REJECT_SENT, "reject-sent", VNF_CK_INFO)                        \
	_(FW_C_REJECT_LIMITED, "reject-rate-limited", VNF_CK_INFO)             \
	_(FW_C_REJECT_SUPPRESSED, "reject-suppressed", VNF_CK_INFO)            \
	_(FW_C_REJECT_FAILED, "reject-failed", VNF_CK_LOST)                    \
	_(FW_D_RUNT, "runt", VNF_CK_DROP)                                      \
	_(FW_D_VLAN_DEPTH, "too-many-vlan-tags", VNF_CK_DROP)                  \
	_(FW_D_IP4_TRUNC, "ipv4-truncated", VNF_CK_DROP)                       \
	_(FW_D_IP4_BAD, "ipv4-bad-header", VNF_CK_DROP)                        \
	_(FW_D_IP6_TRUNC, "ipv6-truncated", VNF_CK_DROP)                       \
	_(FW_D_IP6_BAD, "ipv6-bad-header", VNF_CK_DROP)                        \
	_(FW_D_L4_TRUNC, "l4-truncated", VNF_CK_DROP)                          \
	_(FW_D_TCP_BAD, "tcp-bad-header", VNF_CK_DROP)                         \
	_(FW_D_BAD_FRAG, "bad-fragment", VNF_CK_DROP)                          \
	_(FW_D_FRAG_DROPPED, "fragment-of-dropped", VNF_CK_DROP)               \
	_(FW_D_RULE_DROP, "rule-drop", VNF_CK_DROP)                            \
	_(FW_D_RULE_REJECT, "rule-reject", VNF_CK_DROP)                        \
	_(FW_D_DEFAULT, "default-drop", VNF_CK_DROP)                           \
	_(FW_D_TABLE_FULL, "conn-table-full", VNF_CK_DROP)                     \
	_(FW_D_TCP_INVALID, "tcp-invalid", VNF_CK_DROP)                        \
	_(FW_D_TCP_NOT_SYN, "tcp-no-conn", VNF_CK_DROP)                        \
	_(FW_D_BPF_DROP, "bpf-drop", VNF_CK_DROP)

enum { FW_COUNTERS(VNF_COUNTER_ENUM) FW_N_COUNTERS };

/* ---- limits and defaults ---- */

#define FW_MAX_RULES NFV_MAX_RULES
/* Hit-counter slots: every live rule holds one; a deleted rule's slot is
 * reused only after a grace period (no worker counts into it any more). */
#define FW_MAX_SLOTS (FW_MAX_RULES + 1024)
#define FW_HDR_MAX 512u	     /* bytes of a frame the parser looks at */
#define FW_MAX_VLANS 2	     /* 802.1Q / 802.1ad tags skipped */
#define FW_MAX_EXT 8	     /* IPv6 extension headers walked */
#define FW_FRAG_SLOTS 256    /* per-worker first-fragment verdicts */
#define FW_FRAG_TIMEOUT_S 30 /* like Linux's ipfrag_time */
#define FW_REJECT_RATE 1000  /* replies per second per worker ... */
#define FW_REJECT_BURST 50   /* ... and burst (Linux icmp_msgs_*) */
#define FW_SHOW_LIMIT 10000  /* show conn: rows unless "limit" says */

/* Connection timestamps: vnf/lib/tick.h's clock, 4 times coarser than
 * the other tables' (about 1 ms at 4 GHz): 32 bits last weeks, and the
 * longest timeout (5 days) stays below 2^31 ticks up to a 20 GHz TSC, so
 * signed differences are safe. */
#define FW_TICK_SHIFT (NFV_TICK_SHIFT + 2)

static inline uint32_t
fw_ticks(uint64_t tsc)
{
	return nfv_tick(tsc, FW_TICK_SHIFT);
}

#define FW_ICMP4_ECHO_REPLY 0
#define FW_ICMP4_ECHO_REQUEST 8
#define FW_ICMP6_ECHO_REQUEST 128
#define FW_ICMP6_ECHO_REPLY 129

/* ---- the ACL keys (network byte order, as rte_acl wants its input) ---- */

/* Key flags (the `flags` field). */
#define FW_KF_LATER_FRAG 0x0001 /* a non-first fragment: no ports */

/*
 * The parser writes these keys with whole-word stores (the w[] views):
 * rte_acl and rte_hash read them back in 4- and 8-byte loads, and a
 * narrower store followed by a wider load of the same bytes defeats
 * store-to-load forwarding (tens of cycles per packet).
 */
struct fw_acl4 {
	union {
		struct {
			uint8_t proto; /* input 0 (rte_acl: the first field
					* is 1 byte) */
			uint8_t pad[3];
			uint16_t iface; /* input 1: iface it came in by */
			uint16_t flags; /*          FW_KF_* */
			uint32_t src;	/* input 2 */
			uint32_t dst;	/* input 3 */
			uint16_t sport; /* input 4 */
			uint16_t dport;
		};
		uint32_t w[5];
	};
};

struct fw_acl6 {
	union {
		struct {
			uint8_t proto; /* input 0 */
			uint8_t pad[3];
			uint16_t iface; /* input 1 */
			uint16_t flags;
			uint8_t src[16]; /* inputs 2..5 */
			uint8_t dst[16]; /* inputs 6..9 */
			uint16_t sport;	 /* input 10 */
			uint16_t dport;
		};
		uint32_t w[11];
	};
};

/* ---- the rule set snapshot (RCU) ---- */

enum fw_action {
	FW_A_ALLOW = FW_RULE_ALLOW,
	FW_A_STATEFUL = FW_RULE_ALLOW_STATEFUL,
	FW_A_DROP = FW_RULE_DROP,
	FW_A_REJECT = FW_RULE_REJECT,
	FW_A_BPF = FW_RULE_BPF,
};

struct fw_rs_rule {
	uint32_t slot;	/* hit counter slot */
	uint8_t action; /* enum fw_action */
	/* FW_A_BPF: the rule's program (owned by its struct fw_rule; freed
	 * after the grace period that follows the rule's deletion). */
	struct vnf_bpf_prog *prog;
};

/*
 * What workers read: two ACL contexts (NULL when no rule of that family)
 * and, for the rte_acl userdata u (rule index + 1), rule[u - 1].
 * Immutable once published; freed whole (fw_rs_free) after a grace period.
 */
struct fw_rs {
	struct rte_acl_ctx *acl4, *acl6;
	uint32_t n_rules, n4, n6;
	struct fw_rs_rule rule[];
};

/* A rule as the control thread keeps it. */
struct fw_rule {
	struct fw_rule_config cfg;
	uint32_t slot;
	int16_t in_iface; /* iface index, -1: any */
	struct vnf_bpf_prog *prog; /* FW_RULE_BPF: loaded (vnf/bpf/prog.h) */
};

/* ---- connection tracking ---- */

/*
 * Connection states.  TCP follows Linux conntrack's states (without
 * sequence-window checks); UDP, ICMP echo and other protocols have an
 * unreplied and a replied state each, so that each state has one timeout.
 */
#define FW_CT_STATES(_)                                                        \
	_(FW_ST_NONE, "none", 0)                                               \
	_(FW_ST_SYN_SENT, "syn-sent", 120)                                     \
	_(FW_ST_SYN_RECV, "syn-recv", 60)                                      \
	_(FW_ST_ESTABLISHED, "established", 432000)                            \
	_(FW_ST_FIN_WAIT, "fin-wait", 120)                                     \
	_(FW_ST_CLOSE_WAIT, "close-wait", 60)                                  \
	_(FW_ST_LAST_ACK, "last-ack", 30)                                      \
	_(FW_ST_TIME_WAIT, "time-wait", 120)                                   \
	_(FW_ST_CLOSE, "close", 10)                                            \
	_(FW_ST_UDP_NEW, "unreplied", 30)                                      \
	_(FW_ST_UDP_REPLIED, "replied", 120)                                   \
	_(FW_ST_ICMP_NEW, "unreplied", 30)                                     \
	_(FW_ST_ICMP_REPLIED, "replied", 30)                                   \
	_(FW_ST_GEN_NEW, "unreplied", 600)                                     \
	_(FW_ST_GEN_REPLIED, "replied", 600)

#define FW_ST_ENUM(sym, str, tmo) sym,
enum { FW_CT_STATES(FW_ST_ENUM) FW_ST_N };

extern const char *const fw_state_names[FW_ST_N];
extern const uint32_t fw_state_timeout_s[FW_ST_N];

/*
 * The table key: both endpoints in a canonical order (the lower
 * address/port pair first), so that a reply finds the entry of its request.
 * `zone` is the iface pair (iface / 2): pairs never share connections.
 * ICMP echo uses the identifier as both ports.  48 bytes, every byte set
 * (zeroed first): 48 is a size rte_hash compares with vector loads
 * instead of memcmp().
 */
struct fw_conn_key {
	union {
		struct {
			uint8_t lo[16]; /* IPv4 in lo[0..3], the rest 0 */
			uint8_t hi[16];
			uint16_t lo_port; /* network order */
			uint16_t hi_port;
			uint8_t proto;
			uint8_t zone;
			uint8_t family; /* 4 or 6 */
			uint8_t pad[9];
		};
		uint64_t w[6]; /* written whole: see struct fw_acl4 */
	};
};

/* Two keys equal: six word compares, no memcmp() call. */
static inline bool
fw_ck_equal(const struct fw_conn_key *a, const struct fw_conn_key *b)
{
	return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) |
		(a->w[2] ^ b->w[2]) | (a->w[3] ^ b->w[3]) |
		(a->w[4] ^ b->w[4]) | (a->w[5] ^ b->w[5])) == 0;
}

/*
 * The entry word at a key's position, read and written with atomics:
 * bits 0-7 state, bit 8 valid, bit 9 the originator is the key's `lo`
 * endpoint, bits 10-11 FIN seen from the originator / the responder,
 * bit 12 the second FIN came from the responder, bits 16-23 the iface the
 * originator's packets come in by, bits 32-63 last seen (fw_ticks).
 * 0 means no entry.
 */
#define FW_W_VALID (UINT64_C(1) << 8)
#define FW_W_ORIG_LO (UINT64_C(1) << 9)
#define FW_W_FIN_ORIG (UINT64_C(1) << 10)
#define FW_W_FIN_REPLY (UINT64_C(1) << 11)
#define FW_W_LASTFIN_REPLY (UINT64_C(1) << 12)

static inline uint8_t
fw_w_state(uint64_t w)
{
	return (uint8_t)w;
}

static inline uint16_t
fw_w_iface(uint64_t w)
{
	return (uint16_t)((w >> 16) & 0xff);
}

static inline uint32_t
fw_w_seen(uint64_t w)
{
	return (uint32_t)(w >> 32);
}

_Static_assert(VNF_MAX_IFACES <= 256, "an iface index fits the word's 8 bits");

static inline uint64_t
fw_w_make(uint8_t state, uint64_t flags, uint16_t orig_iface, uint32_t seen)
{
	return (uint64_t)state | FW_W_VALID | flags |
	       ((uint64_t)(orig_iface & 0xff) << 16) | ((uint64_t)seen << 32);
}

/* The table: words[] the entry words, stamps[] fw_ticks at creation,
 * limit conn_table_size (vnf/lib/lf_table.h). */
struct fw_ct {
	struct lf_table tab;
	/*
	 * The deletion generation, for the workers' caches of positions
	 * (struct fw_emc): the control thread makes it odd before it deletes
	 * keys and even again, with a release store, when it is done; a
	 * worker loads it with acquire once per burst.  conn.h explains why
	 * a cached position is safe while the generation is the even one it
	 * was cached under.
	 */
	_Atomic uint32_t gen;
	uint32_t tmo[FW_ST_N]; /* timeouts in ticks */
	uint32_t refresh;      /* re-stamp an entry at most this often */
	uint64_t expired;      /* control thread: entries aged out */
};

/* Control thread (conn.c). */
int fw_ct_create(struct fw_ct *ct, const char *name, uint32_t size,
		 struct rte_rcu_qsbr *rcu);
void fw_ct_destroy(struct fw_ct *ct);
unsigned int fw_ct_age(struct fw_ct *ct, uint64_t now, uint32_t budget);
unsigned int fw_ct_flush(struct fw_ct *ct);

/* ---- per worker state ---- */

/* The verdict of a first fragment, for the fragments that follow it. */
struct fw_frag_ent {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint32_t stamp; /* fw_ticks; 0: empty */
	uint16_t next;	/* the first fragment's verdict */
	uint8_t family;
	uint8_t proto;
};

/*
 * A worker's exact-match cache of connection positions (like OVS's EMC):
 * a direct-mapped slot per key, valid while fw_ct.gen is the even value
 * it was filled under.  A hit costs a multiply and a 48-byte compare in
 * one cache line instead of rte_hash's hash, bucket and key-store walk.
 * Only positions are cached: the entry word is read afresh per packet.
 */
#define FW_EMC_BITS 12
#define FW_EMC_SIZE (1u << FW_EMC_BITS)

struct fw_emc {
	struct fw_conn_key key;
	int32_t pos;
	uint32_t gen; /* fw_ct.gen when filled; 0: never filled */
} __rte_aligned(64);

struct fw_wstate {
	uint64_t rl_stamp; /* reject token bucket: TSC of the last refill */
	uint32_t rl_tokens;
	struct fw_frag_ent frag[FW_FRAG_SLOTS];
	uint64_t hits[FW_MAX_SLOTS]; /* rule hit counters by slot */
	/* A bpf rule's context for a frame not readable in place. */
	struct nfv_bpf_ctx bpf_ctx;
	struct fw_emc emc[FW_EMC_SIZE];
};

/* ---- the instance ---- */

struct fw {
	struct vnf_instance *vi;
	/* Published with a release store by the control thread; workers
	 * load it with acquire once per burst.  Old snapshots are freed with
	 * nfv_rcu_defer(). */
	struct fw_rs *_Atomic rs;
	uint8_t default_action; /* FW_A_ALLOW or FW_A_DROP */
	uint16_t n_ifaces;
	uint64_t hz;
	uint64_t rl_period;  /* TSC cycles per reject token */
	uint32_t frag_ticks; /* FW_FRAG_TIMEOUT_S in ticks */
	struct fw_ct ct;

	/* Control thread only. */
	struct fw_rule *rules;
	uint32_t n_rules, cap_rules;
	uint32_t *slot_free; /* slots ready for reuse (stack) */
	uint32_t n_slot_free;
	struct fw_slot_pend {
		uint32_t slot;
		uint64_t token; /* rte_rcu_qsbr_start() at release */
	} * slot_pend;		/* FIFO of released slots */
	uint32_t pend_head, pend_n;
	uint32_t slot_next; /* slots never used start here */
	uint64_t builds;    /* rule sets published */
	uint64_t hits_gone; /* hits of deleted rules (details) */
};

/* The iface a passing packet leaves by: ifaces pair up 0<->1, 2<->3, ...;
 * an odd one out sends packets back out of itself. */
static inline uint16_t
fw_peer(const struct fw *fw, uint16_t in)
{
	uint16_t p = in ^ 1;

	return p < fw->n_ifaces ? p : in;
}

/* rules.c, control thread. */
int fw_rules_init(struct fw *fw, const struct ctl_vnf_config *cfg, char *err,
		  size_t errlen);
void fw_rules_fini(struct fw *fw);
int fw_rule_insert(struct fw *fw, uint32_t index,
		   const struct fw_rule_config *r, char *err, size_t errlen);
int fw_rule_delete(struct fw *fw, uint32_t index, uint32_t count, char *err,
		   size_t errlen);
uint64_t fw_rule_hits(const struct fw *fw, uint32_t index);
void fw_slots_reclaim(struct fw *fw, bool wait);
void fw_rs_free(void *rs);
/* Worker or control: classify one key (rte_acl); 0 = no rule. */
uint32_t fw_rs_classify_one(const struct fw_rs *rs, bool v6, const void *key);

/* reject.c, worker: answer the packet m (parsed: family, l3off, l4off,
 * proto) out of its ingress iface; counts what it did. */
struct fw_pkt;
void fw_reject(struct fw *fw, struct vnf_wctx *w, struct rte_mbuf *m,
	       const struct fw_pkt *pk, uint16_t in);

/* ctl.c, control thread: the verb table (a different count in its
 * definition does not compile) and `show vnf`'s details. */
#define FW_N_VERBS 5
extern const struct vnf_verb fw_verbs[FW_N_VERBS];
json_t *fw_details(struct vnf_instance *vi);
const char *fw_action_name(uint8_t a);
const char *fw_proto_name(uint8_t proto, char *buf, size_t len);

/* ---- the parsed packet (worker) ---- */

enum fw_pk_kind {
	FW_PK_DONE, /* `next` holds the verdict already */
	FW_PK_IP,   /* an IPv4/IPv6 packet to judge */
};

enum fw_ct_kind {
	FW_CTK_NONE,	/* not trackable (or a later fragment) */
	FW_CTK_TRACK,	/* its own connection */
	FW_CTK_RELATED, /* an ICMP error about the connection in `ck` */
};

enum fw_frag {
	FW_FRAG_NONE,
	FW_FRAG_FIRST,
	FW_FRAG_LATER,
};

struct fw_pkt {
	struct fw_conn_key ck;
	/* The ACL key: built only for packets that need the rules (no
	 * connection, a fragment), from l3 and ports (fw_acl_key()). */
	union {
		struct fw_acl4 a4;
		struct fw_acl6 a6;
	} k;
	/* The IP header in the mbuf; NULL once k is built.  Headers copied
	 * out of a chained mbuf get their key at once (the copy is reused). */
	const uint8_t *l3;
	uint32_t ports; /* the ACL key's ports word (0: no ports) */
	uint16_t next;
	uint16_t l4off;
	uint8_t kind;
	uint8_t family; /* 4 or 6 */
	uint8_t proto;
	uint8_t tcp_flags;
	uint8_t ct;   /* enum fw_ct_kind */
	uint8_t frag; /* enum fw_frag */
	uint8_t icmp_type;
	uint8_t src_lo; /* the packet travels from ck.lo to ck.hi */
	uint8_t l3off;
	uint32_t frag_id;
};

#endif /* NFV_FIREWALL_PRIV_H */
