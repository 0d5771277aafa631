/* SPDX-License-Identifier: BSD-3-Clause
 *
 * prog.c - load an eBPF program for rte_bpf: libbpf opens the ELF object
 * (nothing is loaded into the kernel), nfvd checks what rte_bpf cannot
 * run and says so by name, rte_bpf validates and JITs it.  And the
 * helpers nfv_bpf.h declares, offered as rte_bpf's external symbols.
 *
 * Why not rte_bpf_elf_load(): it takes the first section of a name and
 * resolves relocations against external symbols only, so a program with
 * maps or global variables fails with "invalid argument" and no reason.
 * libbpf knows every kind of relocation and section an object can have.
 * The file itself is read by ctl_file_read() and handed to libbpf in
 * memory (bpf_object__open_mem(), not _open_file()): a path from a
 * control request may name a FIFO or a huge file, and nfvd reads every
 * such file through the one bounded, non-blocking reader
 * (docs/reliability.md).
 *
 * Control thread, except the helpers (workers).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "control/files.h"
#include "vnf/bpf/prog.h"

/* The largest object file nfvd reads: a program of a million
 * instructions is 8 MiB. */
#define VNF_BPF_FILE_MAX (16u << 20)

RTE_LOG_REGISTER(vnf_bpf_logtype, nfv.bpf, INFO);
#define BPF_LOG(level, fmt, ...)                                               \
	rte_log(RTE_LOG_##level, vnf_bpf_logtype, "nfvd: bpf: " fmt "\n",      \
		##__VA_ARGS__)

RTE_DEFINE_PER_LCORE(struct vnf_bpf_counters *, vnf_bpf_cur);

_Static_assert(sizeof(struct bpf_insn) == sizeof(struct ebpf_insn),
	       "libbpf's and rte_bpf's instructions are the same 8 bytes");
_Static_assert(VNF_BPF_CTX_HDR == 16, "the header fits any headroom");
_Static_assert((NFV_BPF_N_COUNTERS & (NFV_BPF_N_COUNTERS - 1)) == 0,
	       "counter indexes are masked");

/* ---- helpers (workers) --------------------------------------------------- */

/*
 * rte_bpf's x86-64 JIT calls a helper with the stack aligned to 8, not to
 * the 16 the ABI promises (it pushes as many registers as the program
 * uses), and gcc -O3 stores SSE values to the stack with movaps: every
 * helper realigns its stack on entry.
 */
#ifdef RTE_ARCH_X86_64
#define VNF_BPF_HELPER __attribute__((force_align_arg_pointer))
#else
#define VNF_BPF_HELPER
#endif

static VNF_BPF_HELPER uint64_t
nfv_bpf_unused(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	RTE_SET_USED(a);
	RTE_SET_USED(b);
	RTE_SET_USED(c);
	RTE_SET_USED(d);
	RTE_SET_USED(e);
	return 0;
}

static VNF_BPF_HELPER uint64_t
nfv_bpf_counter_add(uint64_t idx, uint64_t delta, uint64_t c, uint64_t d,
		    uint64_t e)
{
	struct vnf_bpf_counters *k = RTE_PER_LCORE(vnf_bpf_cur);

	RTE_SET_USED(c);
	RTE_SET_USED(d);
	RTE_SET_USED(e);
	if (unlikely(k == NULL))
		return 0;
	/* One writer per row (this worker): a plain add. */
	k->c[idx & (NFV_BPF_N_COUNTERS - 1)] += delta;
	return k->c[idx & (NFV_BPF_N_COUNTERS - 1)];
}

static VNF_BPF_HELPER uint64_t
nfv_bpf_counter_get(uint64_t idx, uint64_t b, uint64_t c, uint64_t d,
		    uint64_t e)
{
	struct vnf_bpf_counters *k = RTE_PER_LCORE(vnf_bpf_cur);

	RTE_SET_USED(b);
	RTE_SET_USED(c);
	RTE_SET_USED(d);
	RTE_SET_USED(e);
	if (unlikely(k == NULL))
		return 0;
	return k->c[idx & (NFV_BPF_N_COUNTERS - 1)];
}

static inline uint32_t
nfv_bpf_rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A symmetric hash of the 5-tuple: the smaller address and port first. */
static uint32_t
nfv_bpf_hash_pair(const uint8_t *a, const uint8_t *b, unsigned int alen,
		  uint8_t proto, uint16_t pa, uint16_t pb)
{
	const uint8_t *lo = a, *hi = b;
	uint32_t h = proto, plo = pa, phi = pb, t;
	unsigned int i;

	if (memcmp(a, b, alen) > 0) {
		lo = b;
		hi = a;
	}
	if (plo > phi) {
		t = plo;
		plo = phi;
		phi = t;
	}
	for (i = 0; i < alen; i += 4)
		h = rte_hash_crc_4byte(nfv_bpf_rd32(lo + i), h);
	for (i = 0; i < alen; i += 4)
		h = rte_hash_crc_4byte(nfv_bpf_rd32(hi + i), h);
	h = rte_hash_crc_4byte(plo << 16 | phi, h);
	return h != 0 ? h : 1;
}

/* The header may have been written by the program: trust nothing of it
 * but what keeps the reads inside the window. */
uint32_t
vnf_bpf_hash_5tuple(const struct nfv_bpf_ctx *ctx)
{
	const uint8_t *d = ctx->data;
	uint32_t len = RTE_MIN(ctx->len, (uint32_t)NFV_BPF_WINDOW);
	uint32_t l3 = 14, l4, alen, src;
	uint16_t type, sp = 0, dp = 0;
	uint8_t proto;

	if (len < 14)
		return 0;
	type = (uint16_t)(d[12] << 8 | d[13]);
	if (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) {
		if (len < 18)
			return 0;
		type = (uint16_t)(d[16] << 8 | d[17]);
		l3 = 18;
	}
	if (type == RTE_ETHER_TYPE_IPV4) {
		if (len < l3 + 20)
			return 0;
		proto = d[l3 + 9];
		l4 = l3 + (d[l3] & 0xfu) * 4;
		alen = 4;
		src = l3 + 12;
		/* Only the first fragment has the ports. */
		if ((d[l3 + 6] & 0x1f) != 0 || d[l3 + 7] != 0)
			l4 = len;
	} else if (type == RTE_ETHER_TYPE_IPV6) {
		if (len < l3 + 40)
			return 0;
		proto = d[l3 + 6];
		l4 = l3 + 40;
		alen = 16;
		src = l3 + 8;
	} else {
		return 0;
	}
	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	     proto == IPPROTO_SCTP) &&
	    l4 + 4 <= len) {
		sp = (uint16_t)(d[l4] << 8 | d[l4 + 1]);
		dp = (uint16_t)(d[l4 + 2] << 8 | d[l4 + 3]);
	}
	return nfv_bpf_hash_pair(d + src, d + src + alen, alen, proto, sp, dp);
}

static VNF_BPF_HELPER uint64_t
nfv_bpf_hash_5tuple(uint64_t ctx, uint64_t b, uint64_t c, uint64_t d,
		    uint64_t e)
{
	RTE_SET_USED(b);
	RTE_SET_USED(c);
	RTE_SET_USED(d);
	RTE_SET_USED(e);
	return vnf_bpf_hash_5tuple((const struct nfv_bpf_ctx *)(uintptr_t)ctx);
}

static uint64_t vnf_bpf_tsc_hz;

static VNF_BPF_HELPER uint64_t
nfv_bpf_now_ns(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	uint64_t t = rte_get_tsc_cycles(), hz = vnf_bpf_tsc_hz;

	RTE_SET_USED(a);
	RTE_SET_USED(b);
	RTE_SET_USED(c);
	RTE_SET_USED(d);
	RTE_SET_USED(e);
	return t / hz * NS_PER_S + t % hz * NS_PER_S / hz;
}

#define VNF_BPF_RAW                                                            \
	{                                                                      \
		.type = RTE_BPF_ARG_RAW, .size = sizeof(uint64_t)              \
	}
#define VNF_BPF_FUNC(n, fn, nargs, ...)                                        \
	[n] = {                                                                \
		.name = #fn,                                                   \
		.type = RTE_BPF_XTYPE_FUNC,                                    \
		.func = {.val = fn,                                            \
			 .nb_args = (nargs),                                   \
			 .args = {__VA_ARGS__},                                \
			 .ret = VNF_BPF_RAW},                                  \
	}

/* Indexed by enum nfv_bpf_helper_id: a program's `call N` calls [N]. */
static const struct rte_bpf_xsym vnf_bpf_helpers[NFV_BPF_N_HELPERS] = {
	VNF_BPF_FUNC(0, nfv_bpf_unused, 0, VNF_BPF_RAW),
	VNF_BPF_FUNC(NFV_BPF_HELPER_COUNTER_ADD, nfv_bpf_counter_add, 2,
		     VNF_BPF_RAW, VNF_BPF_RAW),
	VNF_BPF_FUNC(NFV_BPF_HELPER_COUNTER_GET, nfv_bpf_counter_get, 1,
		     VNF_BPF_RAW),
	VNF_BPF_FUNC(
		NFV_BPF_HELPER_HASH_5TUPLE, nfv_bpf_hash_5tuple, 1,
		{.type = RTE_BPF_ARG_PTR, .size = sizeof(struct nfv_bpf_ctx)}),
	VNF_BPF_FUNC(NFV_BPF_HELPER_NOW_NS, nfv_bpf_now_ns, 0, VNF_BPF_RAW),
};

/* ---- loading (control thread) ------------------------------------------- */

/* libbpf's last warning, for the error of a file it could not open. */
static char vnf_bpf_libbpf_msg[256];

static int
vnf_bpf_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[sizeof(vnf_bpf_libbpf_msg)];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (level == LIBBPF_WARN)
		snprintf(vnf_bpf_libbpf_msg, sizeof(vnf_bpf_libbpf_msg), "%s",
			 buf);
	BPF_LOG(DEBUG, "libbpf: %s", buf);
	return 0;
}

/*
 * rte_bpf says why it rejects a program only in the log.  While it loads,
 * the log goes to this buffer (a stream opened once and never closed, so
 * that another thread's message written meanwhile never hits a closed
 * stream); what it caught goes on to the real log afterwards.
 */
static char vnf_bpf_log_buf[2048];
static FILE *vnf_bpf_log_capture;

static FILE *
vnf_bpf_log_begin(void)
{
	FILE *old = rte_log_get_stream();

	if (vnf_bpf_log_capture == NULL)
		vnf_bpf_log_capture =
			fmemopen(vnf_bpf_log_buf, sizeof(vnf_bpf_log_buf), "w");
	if (vnf_bpf_log_capture == NULL)
		return NULL;
	memset(vnf_bpf_log_buf, 0, sizeof(vnf_bpf_log_buf));
	rewind(vnf_bpf_log_capture);
	rte_openlog_stream(vnf_bpf_log_capture);
	return old;
}

/* The last line of what was caught that names a reason, in why. */
static void
vnf_bpf_log_end(FILE *old, char *why, size_t len)
{
	char *line, *save = NULL, *last = NULL;

	if (old == NULL)
		return;
	rte_openlog_stream(old);
	fflush(vnf_bpf_log_capture);
	vnf_bpf_log_buf[sizeof(vnf_bpf_log_buf) - 1] = '\0';
	if (vnf_bpf_log_buf[0] != '\0')
		fputs(vnf_bpf_log_buf, old);
	for (line = strtok_r(vnf_bpf_log_buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "successfully") == NULL)
			last = line;
	if (last == NULL || why == NULL)
		return;
	/* The validator's words, and what to do about the one that is not
	 * the program's fault but clang's choice of operand order. */
	snprintf(why, len, "rte_bpf's validator: %s%s", last,
		 strstr(last, "destination is not a pointer") != NULL
			 ? " (an offset added to a packet pointer the other "
			   "way round: read it through nfv_bpf_at())"
			 : "");
}

/* The instructions control may go to after ins[i]: *a and *b (-1: none). */
static void
vnf_bpf_succ(const struct bpf_insn *ins, size_t n, size_t i, ptrdiff_t *a,
	     ptrdiff_t *b)
{
	const struct bpf_insn *in = &ins[i];
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	ptrdiff_t next = (ptrdiff_t)i + 1, tgt = next + in->off;

	*a = -1;
	*b = -1;
	if (in->code == (BPF_LD | BPF_IMM | BPF_DW))
		next++;
	if (cls != BPF_JMP || op == BPF_CALL) {
		*a = next;
	} else if (op == BPF_EXIT) {
		return;
	} else if (op == BPF_JA) {
		*a = tgt;
	} else {
		*a = next;
		*b = tgt;
	}
	if (*a >= (ptrdiff_t)n || *a < 0)
		*a = -1;
	if (*b >= (ptrdiff_t)n || *b < 0)
		*b = -1;
}

/*
 * A loop is a jump back to an instruction on the current path of a depth
 * first walk (a backward jump alone is not one: clang puts shared tails
 * anywhere).  Iterative, with an explicit stack: programs may have a few
 * thousand instructions.  0, -ENOTSUP naming the loop, or -ENOMEM.
 */
static int
vnf_bpf_loop_check(const struct bpf_insn *ins, size_t n, char *why, size_t len)
{
	enum { WHITE, GREY, BLACK };
	uint8_t *color = calloc(n, 1);
	size_t *stack = calloc(n, sizeof(*stack)), top = 0;
	uint8_t *step = calloc(n, 1);
	ptrdiff_t s[2];
	int rc = 0;

	if (color == NULL || stack == NULL || step == NULL) {
		snprintf(why, len, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	stack[top++] = 0;
	color[0] = GREY;
	while (top > 0) {
		size_t i = stack[top - 1];

		vnf_bpf_succ(ins, n, i, &s[0], &s[1]);
		if (step[i] >= 2) {
			color[i] = BLACK;
			top--;
			continue;
		}
		ptrdiff_t t = s[step[i]++];

		if (t < 0 || color[t] == BLACK)
			continue;
		if (color[t] == GREY) {
			snprintf(why, len,
				 "a loop: instruction %zu jumps back to %td "
				 "(rte_bpf runs only programs without loops: "
				 "unroll it)",
				 i, t);
			rc = -ENOTSUP;
			goto out;
		}
		color[t] = GREY;
		stack[top++] = (size_t)t;
	}
out:
	free(color);
	free(stack);
	free(step);
	return rc;
}

/* What rte_bpf's interpreter and JIT cannot run, by name, before its
 * validator says "invalid argument".  0 or -ENOTSUP with the reason. */
static int
vnf_bpf_insns_check(const struct bpf_insn *ins, size_t n, char *why, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct bpf_insn *in = &ins[i];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

		if (cls == BPF_JMP32) {
			snprintf(why, len,
				 "instruction %zu is a JMP32 (32-bit jump, "
				 "from -mcpu=v3 or alu32), which rte_bpf does "
				 "not run: compile with -mcpu=v2",
				 i);
			return -ENOTSUP;
		}
		if (cls == BPF_LD && in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (in->src_reg != 0) {
				snprintf(
					why, len,
					"instruction %zu loads the address of "
					"a map or kernel object, which rte_bpf "
					"does not have",
					i);
				return -ENOTSUP;
			}
			i++; /* the second half of the 16-byte load */
			continue;
		}
		if (cls == BPF_LD && (BPF_MODE(in->code) == BPF_ABS ||
				      BPF_MODE(in->code) == BPF_IND)) {
			snprintf(why, len,
				 "instruction %zu is a legacy packet load "
				 "(LD_ABS/LD_IND): read ctx->data instead",
				 i);
			return -ENOTSUP;
		}
		if (cls == BPF_STX && BPF_MODE(in->code) == BPF_ATOMIC &&
		    in->imm != BPF_ADD) {
			snprintf(why, len,
				 "instruction %zu is an atomic operation other "
				 "than add (-mcpu=v3), which rte_bpf does not "
				 "run",
				 i);
			return -ENOTSUP;
		}
		if (cls != BPF_JMP || op == BPF_EXIT)
			continue;
		if (op == BPF_CALL) {
			if (in->src_reg == BPF_PSEUDO_CALL) {
				snprintf(
					why, len,
					"instruction %zu calls another BPF "
					"function or an extern one (BPF-to-BPF "
					"calls are not supported: make it "
					"static __always_inline)",
					i);
				return -ENOTSUP;
			}
			if (in->src_reg != 0 || in->imm <= 0 ||
			    in->imm >= NFV_BPF_N_HELPERS) {
				snprintf(why, len,
					 "instruction %zu calls helper %d, "
					 "which nfvd does not have (kernel "
					 "helpers, tail calls and kfuncs are "
					 "not there; nfv_bpf.h lists nfvd's)",
					 i, in->imm);
				return -ENOTSUP;
			}
			continue;
		}
		/* A jump out of the program: rte_bpf's validator says so. */
	}
	return vnf_bpf_loop_check(ins, n, why, len);
}

/* The program `section` names (a section, else a function name), or the
 * only program.  NULL with the reason in why. */
static struct bpf_program *
vnf_bpf_pick(struct bpf_object *obj, const char *section, char *why, size_t len)
{
	struct bpf_program *p, *found = NULL;
	unsigned int n = 0;
	size_t off = 0;
	char names[160] = "";

	bpf_object__for_each_program(p, obj)
	{
		int k;

		n++;
		if (section != NULL &&
		    strcmp(bpf_program__section_name(p), section) == 0 &&
		    found == NULL)
			found = p;
		if (off < sizeof(names)) {
			k = snprintf(names + off, sizeof(names) - off, "%s%s",
				     n > 1 ? ", " : "",
				     bpf_program__section_name(p));
			off += k > 0 ? (size_t)k : 0;
		}
	}
	if (section != NULL && found == NULL)
		found = bpf_object__find_program_by_name(obj, section);
	if (section == NULL && n == 1)
		found = bpf_object__next_program(obj, NULL);
	if (found != NULL)
		return found;
	if (n == 0)
		snprintf(why, len, "no program in it");
	else if (section == NULL)
		snprintf(why, len, "%u programs (%s): name one with section", n,
			 names);
	else
		snprintf(why, len, "no program in section '%s' (it has: %s)",
			 section, names);
	return NULL;
}

/* Maps and global variables (libbpf makes .data/.bss/.rodata maps). */
static int
vnf_bpf_maps_check(struct bpf_object *obj, char *why, size_t len)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
	{
		if (bpf_map__is_internal(m))
			snprintf(why, len,
				 "global or static variables (%s) are not "
				 "supported: keep state in the counters "
				 "(nfv_bpf_counter_add)",
				 bpf_map__name(m));
		else
			snprintf(why, len,
				 "maps are not supported (map '%s'): keep "
				 "state in the counters (nfv_bpf_counter_add)",
				 bpf_map__name(m));
		return -ENOTSUP;
	}
	return 0;
}

static int
vnf_bpf_rte_load(struct vnf_bpf_prog *p, const struct bpf_insn *ins, size_t n,
		 bool jit, char *why, size_t len)
{
	struct rte_bpf_prm prm = {
		.ins = (const struct ebpf_insn *)ins,
		.nb_ins = (uint32_t)n,
		.xsym = vnf_bpf_helpers,
		.nb_xsym = RTE_DIM(vnf_bpf_helpers),
		.prog_arg = {.type = RTE_BPF_ARG_PTR,
			     .size = sizeof(struct nfv_bpf_ctx)},
	};
	struct rte_bpf_jit j = {0};
	FILE *old;
	int rc;

	old = vnf_bpf_log_begin();
	why[0] = '\0';
	rte_errno = 0;
	p->bpf = rte_bpf_load(&prm);
	rc = rte_errno;
	vnf_bpf_log_end(old, why, len);
	if (p->bpf == NULL) {
		if (why[0] == '\0')
			snprintf(why, len, "rte_bpf rejected it: %s",
				 strerror(rc ? rc : EINVAL));
		return rc ? -rc : -EINVAL;
	}
	if (rte_bpf_get_jit(p->bpf, &j) == 0 && j.func != NULL)
		p->has_jit = true;
	if (jit && p->has_jit)
		p->jit = j.func;
	else if (jit)
		BPF_LOG(WARNING,
			"%s: no JIT for this machine: the interpreter runs it "
			"(slower)",
			p->file);
	return 0;
}

int
vnf_bpf_prog_load(const char *file, const char *section, bool jit,
		  struct vnf_bpf_prog **out, char *err, size_t errlen)
{
	const char *base = strrchr(file, '/');
	LIBBPF_OPTS(bpf_object_open_opts, opts,
		    .object_name = base != NULL ? base + 1 : file);
	const struct bpf_insn *ins;
	struct bpf_object *obj;
	struct bpf_program *bp;
	struct vnf_bpf_prog *p;
	char why[384] = "";
	char *buf = NULL;
	size_t n, len;
	int rc;

	*out = NULL;
	if (vnf_bpf_tsc_hz == 0)
		vnf_bpf_tsc_hz = rte_get_tsc_hz() ? rte_get_tsc_hz() : 1;
	libbpf_set_print(vnf_bpf_libbpf_print);
	vnf_bpf_libbpf_msg[0] = '\0';
	rc = ctl_file_read(file, VNF_BPF_FILE_MAX, &buf, &len, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", file, why);
		return rc;
	}
	errno = 0;
	obj = bpf_object__open_mem(buf, len, &opts);
	if (obj == NULL) {
		char msg[128];

		rc = errno ? -errno : -EINVAL;
		libbpf_strerror(rc, msg, sizeof(msg));
		/* libbpf's own codes (4000 and up) are not errnos. */
		if (-rc >= __LIBBPF_ERRNO__START)
			rc = -EINVAL;
		snprintf(err, errlen,
			 "%s: not a BPF ELF object libbpf can open (%s%s%s)",
			 file, msg, vnf_bpf_libbpf_msg[0] ? ": " : "",
			 vnf_bpf_libbpf_msg);
		free(buf);
		return rc;
	}
	rc = vnf_bpf_maps_check(obj, why, sizeof(why));
	if (rc < 0)
		goto err_obj;
	bp = vnf_bpf_pick(obj, section, why, sizeof(why));
	if (bp == NULL) {
		rc = -ENOENT;
		goto err_obj;
	}
	ins = bpf_program__insns(bp);
	n = bpf_program__insn_cnt(bp);
	if (ins == NULL || n == 0) {
		snprintf(why, sizeof(why), "program '%s' is empty",
			 bpf_program__name(bp));
		rc = -EINVAL;
		goto err_obj;
	}
	rc = vnf_bpf_insns_check(ins, n, why, sizeof(why));
	if (rc < 0)
		goto err_obj;
	p = rte_zmalloc("vnf_bpf_prog", sizeof(*p), RTE_CACHE_LINE_SIZE);
	if (p == NULL) {
		snprintf(why, sizeof(why), "out of memory");
		rc = -ENOMEM;
		goto err_obj;
	}
	snprintf(p->file, sizeof(p->file), "%s", file);
	snprintf(p->section, sizeof(p->section), "%s",
		 bpf_program__section_name(bp));
	snprintf(p->name, sizeof(p->name), "%s", bpf_program__name(bp));
	p->n_insns = (uint32_t)n;
	/* rte_bpf copies the instructions: the object can go. */
	rc = vnf_bpf_rte_load(p, ins, n, jit, why, sizeof(why));
	if (rc < 0)
		goto err_prog;
	bpf_object__close(obj);
	free(buf);
	*out = p;
	return 0;

err_prog:
	rte_free(p);
err_obj:
	snprintf(err, errlen, "%s: %s", file, why);
	bpf_object__close(obj);
	free(buf);
	return rc;
}

void
vnf_bpf_prog_free(struct vnf_bpf_prog *p)
{
	if (p == NULL)
		return;
	rte_bpf_destroy(p->bpf);
	rte_free(p);
}

void
vnf_bpf_prog_free_cb(void *p)
{
	vnf_bpf_prog_free(p);
}

uint64_t
vnf_bpf_prog_counter(const struct vnf_bpf_prog *p, unsigned int i)
{
	uint64_t sum = 0;
	unsigned int w;

	if (i >= NFV_BPF_N_COUNTERS)
		return 0;
	for (w = 0; w < NFV_MAX_WORKERS; w++)
		sum += p->counters[w].c[i];
	return sum;
}
