// SPDX-License-Identifier: BSD-3-Clause
/*
 * The lab file's own parts: the top-level `lab:` defaults and the
 * `guests:` list (libyaml document walk; nfvd's loader checks the rest),
 * their validation against the nfvd config of the same file, and the lab's
 * state file.  nfvctl process only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "control/config.h"
#include "control/lab_priv.h"

static const char *const lab_vmm_names[] = {
	[LAB_VMM_UNSET] = "auto",
	[LAB_VMM_NFV_VMM] = "nfv-vmm",
	[LAB_VMM_QEMU] = "qemu",
	[LAB_VMM_AUTO] = "auto",
};

const char *
lab_vmm_name(enum lab_vmm v)
{
	return lab_vmm_names[v];
}

static const char *
lab_scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE
		       ? (const char *)n->data.scalar.value
		       : NULL;
}

static unsigned long
lab_line(yaml_node_t *n)
{
	return n ? (unsigned long)n->start_mark.line + 1 : 0;
}

static int
lab_str(struct lab *lab, yaml_node_t *v, const char *where, const char *key,
	char **out)
{
	const char *s = lab_scalar(v);

	if (!s) {
		lab_err("%s:%lu: %s.%s: want a string", lab->file, lab_line(v),
			where, key);
		return -EINVAL;
	}
	if (*out) {
		lab_err("%s:%lu: %s.%s given twice", lab->file, lab_line(v),
			where, key);
		return -EINVAL;
	}
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int
lab_vmm_parse(struct lab *lab, yaml_node_t *v, const char *where,
	      enum lab_vmm *out)
{
	const char *s = lab_scalar(v);

	if (s && !strcmp(s, "nfv-vmm"))
		*out = LAB_VMM_NFV_VMM;
	else if (s && !strcmp(s, "qemu"))
		*out = LAB_VMM_QEMU;
	else if (s && !strcmp(s, "auto"))
		*out = LAB_VMM_AUTO;
	else {
		lab_err("%s:%lu: %s.vmm: '%s' is not an engine (nfv-vmm, qemu, "
			"auto)",
			lab->file, lab_line(v), where, s ? s : "?");
		return -EINVAL;
	}
	return 0;
}

static int
lab_parse_net(struct lab *lab, yaml_document_t *d, yaml_node_t *seq,
	      struct lab_guest *g, const char *where)
{
	yaml_node_item_t *it;

	if (seq->type != YAML_SEQUENCE_NODE) {
		lab_err("%s:%lu: %s.net: want a list of {port, mac}", lab->file,
			lab_line(seq), where);
		return -EINVAL;
	}
	for (it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top; it++) {
		yaml_node_t *m = yaml_document_get_node(d, *it);
		struct lab_net *n;
		yaml_node_pair_t *p;
		char w[128];

		if (g->n_net == LAB_MAX_NETS) {
			lab_err("%s: %s: more than %d NICs", lab->file, where,
				LAB_MAX_NETS);
			return -EINVAL;
		}
		n = &g->net[g->n_net];
		snprintf(w, sizeof(w), "%s.net[%u]", where, g->n_net);
		if (!m || m->type != YAML_MAPPING_NODE) {
			lab_err("%s: %s: want a mapping {port, mac}", lab->file,
				w);
			return -EINVAL;
		}
		for (p = m->data.mapping.pairs.start;
		     p < m->data.mapping.pairs.top; p++) {
			const char *k =
				lab_scalar(yaml_document_get_node(d, p->key));
			yaml_node_t *v = yaml_document_get_node(d, p->value);
			int ret;

			if (k && !strcmp(k, "port"))
				ret = lab_str(lab, v, w, k, &n->port);
			else if (k && !strcmp(k, "mac"))
				ret = lab_str(lab, v, w, k, &n->mac);
			else {
				lab_err("%s:%lu: %s: unknown key '%s' (port, "
					"mac)",
					lab->file, lab_line(v), w, k ? k : "?");
				return -EINVAL;
			}
			if (ret)
				return ret;
		}
		g->n_net++;
		if (!n->port) {
			lab_err("%s: %s: 'port' is required", lab->file, w);
			return -EINVAL;
		}
	}
	return 0;
}

static int
lab_parse_guest(struct lab *lab, yaml_document_t *doc, yaml_node_t *m,
		struct lab_guest *g, const char *where)
{
	yaml_node_pair_t *p;
	int ret = 0;

	g->line = (int)lab_line(m);
	for (p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top && !ret; p++) {
		const char *k = lab_scalar(yaml_document_get_node(doc, p->key));
		yaml_node_t *v = yaml_document_get_node(doc, p->value);

		if (!k)
			k = "?";
		if (!strcmp(k, "name"))
			ret = lab_str(lab, v, where, k, &g->name);
		else if (!strcmp(k, "vmm"))
			ret = lab_vmm_parse(lab, v, where, &g->vmm);
		else if (!strcmp(k, "kernel"))
			ret = lab_str(lab, v, where, k, &g->kernel);
		else if (!strcmp(k, "payload"))
			ret = lab_str(lab, v, where, k, &g->payload);
		else if (!strcmp(k, "initrd"))
			ret = lab_str(lab, v, where, k, &g->initrd);
		else if (!strcmp(k, "mem"))
			ret = lab_str(lab, v, where, k, &g->mem);
		else if (!strcmp(k, "cpus"))
			ret = lab_str(lab, v, where, k, &g->cpus);
		else if (!strcmp(k, "cmdline"))
			ret = lab_str(lab, v, where, k, &g->cmdline);
		else if (!strcmp(k, "net"))
			ret = lab_parse_net(lab, doc, v, g, where);
		else {
			lab_err("%s:%lu: %s: unknown key '%s' (name, vmm, "
				"kernel, initrd, mem, cpus, cmdline, net, "
				"payload)",
				lab->file, lab_line(v), where, k);
			ret = -EINVAL;
		}
	}
	return ret;
}

/* lab: {vmm, kernel, initrd, mem, cpus, ready_timeout} */
static int
lab_parse_defaults(struct lab *lab, yaml_document_t *doc, yaml_node_t *m)
{
	yaml_node_pair_t *p;
	int ret = 0;

	if (m->type != YAML_MAPPING_NODE) {
		lab_err("%s:%lu: lab: want a mapping (vmm, kernel, initrd, "
			"mem, cpus, ready_timeout)",
			lab->file, lab_line(m));
		return -EINVAL;
	}
	for (p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top && !ret; p++) {
		const char *k = lab_scalar(yaml_document_get_node(doc, p->key));
		yaml_node_t *v = yaml_document_get_node(doc, p->value);

		if (!k)
			k = "?";
		if (!strcmp(k, "vmm"))
			ret = lab_vmm_parse(lab, v, "lab", &lab->def.vmm);
		else if (!strcmp(k, "kernel"))
			ret = lab_str(lab, v, "lab", k, &lab->def.kernel);
		else if (!strcmp(k, "initrd"))
			ret = lab_str(lab, v, "lab", k, &lab->def.initrd);
		else if (!strcmp(k, "mem"))
			ret = lab_str(lab, v, "lab", k, &lab->def.mem);
		else if (!strcmp(k, "cpus"))
			ret = lab_str(lab, v, "lab", k, &lab->def.cpus);
		else if (!strcmp(k, "ready_timeout")) {
			const char *s = lab_scalar(v);
			char *end;

			lab->def.ready_timeout = s ? strtol(s, &end, 10) : -1;
			if (!s || !*s || *end || lab->def.ready_timeout < 0 ||
			    lab->def.ready_timeout > 86400) {
				lab_err("%s:%lu: lab.ready_timeout: want "
					"seconds 0..86400 (0: do not wait)",
					lab->file, lab_line(v));
				ret = -EINVAL;
			}
		} else {
			lab_err("%s:%lu: lab: unknown key '%s' (vmm, kernel, "
				"initrd, mem, cpus, ready_timeout)",
				lab->file, lab_line(v), k);
			ret = -EINVAL;
		}
	}
	return ret;
}

int
lab_parse(struct lab *lab)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *seq = NULL, *defs = NULL;
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	FILE *f;
	int ret = 0;

	lab->def.ready_timeout = -1;
	f = fopen(lab->file, "r");
	if (!f) {
		ret = -errno;
		lab_err("%s: %s", lab->file, strerror(errno));
		return ret;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		lab_err("%s:%lu: %s", lab->file,
			(unsigned long)parser.problem_mark.line + 1,
			parser.problem ? parser.problem : "YAML error");
		yaml_parser_delete(&parser);
		fclose(f);
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE) {
		for (p = root->data.mapping.pairs.start;
		     p < root->data.mapping.pairs.top; p++) {
			const char *k = lab_scalar(
				yaml_document_get_node(&doc, p->key));

			if (k && !strcmp(k, "guests"))
				seq = yaml_document_get_node(&doc, p->value);
			else if (k && !strcmp(k, "lab"))
				defs = yaml_document_get_node(&doc, p->value);
		}
	}
	if (defs) {
		ret = lab_parse_defaults(lab, &doc, defs);
		if (ret)
			goto out;
	}
	if (!seq) {
		lab_err("%s: no 'guests:' list (a lab file is an nfvd config "
			"plus guests)",
			lab->file);
		ret = -EINVAL;
		goto out;
	}
	if (seq->type != YAML_SEQUENCE_NODE) {
		lab_err("%s:%lu: guests: want a list", lab->file,
			lab_line(seq));
		ret = -EINVAL;
		goto out;
	}
	for (it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top && !ret; it++) {
		yaml_node_t *m = yaml_document_get_node(&doc, *it);
		char where[64];

		if (lab->n_guests == LAB_MAX_GUESTS) {
			lab_err("%s: more than %d guests", lab->file,
				LAB_MAX_GUESTS);
			ret = -EINVAL;
			break;
		}
		snprintf(where, sizeof(where), "guests[%u]", lab->n_guests);
		if (!m || m->type != YAML_MAPPING_NODE) {
			lab_err("%s: %s: want a mapping", lab->file, where);
			ret = -EINVAL;
			break;
		}
		/* Counted first so that lab_free() frees a half-read one. */
		ret = lab_parse_guest(lab, &doc, m,
				      &lab->guests[lab->n_guests++], where);
	}
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return ret;
}

/* "02:00:00:00:00:01": six hex pairs, unicast. */
static int
lab_mac_parse(const char *s, unsigned char mac[6])
{
	unsigned int b[6], i;
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6 ||
	    strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (unsigned char)b[i];
	return mac[0] & 1 ? -EINVAL : 0;
}

/* "256M", "1G", "131072K", or MiB without a suffix (as nfv-vmm reads it). */
int
lab_mem_parse(const char *s, unsigned long long *bytes)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'K':
	case 'k':
		v <<= 10;
		end++;
		break;
	case 'M':
	case 'm':
	case 0:
		v <<= 20;
		end += *end ? 1 : 0;
		break;
	case 'G':
	case 'g':
		v <<= 30;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end || v < (16ULL << 20) || v > (64ULL << 30))
		return -EINVAL;
	*bytes = v;
	return 0;
}

static int
lab_check_file(struct lab *lab, const struct lab_guest *g, const char *key,
	       const char *path)
{
	if (access(path, R_OK)) {
		lab_err("%s:%d: guest '%s': %s %s: %s", lab->file, g->line,
			g->name, key, path, strerror(errno));
		return -ENOENT;
	}
	return 0;
}

static int
lab_dup(char **dst, const char *src)
{
	if (*dst || !src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

/*
 * Each guest: a unique, file-safe name; an engine; a kernel (its own or the
 * lab's) that exists; memory and CPUs in range; NICs on vhost-user server
 * ports of this file, one guest per port, MACs unicast and unique.
 */
int
lab_check(struct lab *lab, const struct ctl_config *cfg)
{
	unsigned int i, j, k;

	for (i = 0; i < lab->n_guests; i++) {
		struct lab_guest *g = &lab->guests[i];
		unsigned long long mem;
		const char *c;
		char *end;
		long cpus;

		if (!g->name || !*g->name) {
			lab_err("%s:%d: guests[%u]: 'name' is required",
				lab->file, g->line, i);
			return -EINVAL;
		}
		for (c = g->name; *c; c++)
			if (!(*c == '-' || *c == '_' || *c == '.' ||
			      (*c >= '0' && *c <= '9') ||
			      (*c >= 'a' && *c <= 'z') ||
			      (*c >= 'A' && *c <= 'Z'))) {
				lab_err("%s:%d: guest '%s': names use letters, "
					"digits, - _ .",
					lab->file, g->line, g->name);
				return -EINVAL;
			}
		if (strlen(g->name) > 64) {
			lab_err("%s:%d: guest '%s': a name has at most 64 "
				"characters",
				lab->file, g->line, g->name);
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(lab->guests[j].name, g->name)) {
				lab_err("%s:%d: guest '%s' declared twice",
					lab->file, g->line, g->name);
				return -EINVAL;
			}
		if (g->vmm == LAB_VMM_UNSET)
			g->vmm = lab->def.vmm != LAB_VMM_UNSET ? lab->def.vmm
							       : LAB_VMM_AUTO;
		if (!g->payload && (lab_dup(&g->kernel, lab->def.kernel) ||
				    lab_dup(&g->initrd, lab->def.initrd)))
			return -ENOMEM;
		if (lab_dup(&g->mem, lab->def.mem) ||
		    lab_dup(&g->cpus, lab->def.cpus))
			return -ENOMEM;
		if (!g->kernel == !g->payload) {
			lab_err("%s:%d: guest '%s': %s", lab->file, g->line,
				g->name,
				g->kernel
					? "give 'kernel' or 'payload', not both"
					: "no kernel: give 'kernel' (or "
					  "lab.kernel for every guest; for "
					  "tests, 'payload')");
			return -EINVAL;
		}
		if (g->payload && g->vmm == LAB_VMM_QEMU) {
			lab_err("%s:%d: guest '%s': a payload runs under "
				"nfv-vmm only, not vmm: qemu",
				lab->file, g->line, g->name);
			return -EINVAL;
		}
		if (lab_check_file(lab, g, g->kernel ? "kernel" : "payload",
				   g->kernel ? g->kernel : g->payload) ||
		    (g->initrd && lab_check_file(lab, g, "initrd", g->initrd)))
			return -ENOENT;
		if (g->mem && lab_mem_parse(g->mem, &mem)) {
			lab_err("%s:%d: guest '%s': mem '%s': want a size "
				"16M..64G (e.g. 192M, 1G)",
				lab->file, g->line, g->name, g->mem);
			return -EINVAL;
		}
		if (g->cpus) {
			cpus = strtol(g->cpus, &end, 10);
			if (!*g->cpus || *end || cpus < 1 || cpus > 64) {
				lab_err("%s:%d: guest '%s': cpus '%s': want "
					"1..64",
					lab->file, g->line, g->name, g->cpus);
				return -EINVAL;
			}
		}
		for (j = 0; j < g->n_net; j++) {
			struct lab_net *n = &g->net[j];
			const struct ctl_port_config *pc = NULL;
			unsigned char mac[6], mac2[6];
			unsigned int m;

			for (k = 0; k < cfg->n_ports; k++)
				if (!strcmp(cfg->ports[k].name, n->port))
					pc = &cfg->ports[k];
			if (!pc) {
				lab_err("%s:%d: guest '%s': net[%u].port '%s' "
					"is not a port of this file",
					lab->file, g->line, g->name, j,
					n->port);
				return -EINVAL;
			}
			if (pc->type != CTL_PORT_VHOST_USER) {
				lab_err("%s:%d: guest '%s': port '%s' is not a "
					"vhost-user port",
					lab->file, g->line, g->name, n->port);
				return -EINVAL;
			}
			if (pc->client) {
				lab_err("%s:%d: guest '%s': port '%s' has "
					"mode: client; the guest's VMM "
					"connects as a client, so the port "
					"needs mode: server",
					lab->file, g->line, g->name, n->port);
				return -EINVAL;
			}
			if (n->mac && lab_mac_parse(n->mac, mac)) {
				lab_err("%s:%d: guest '%s': net[%u].mac '%s': "
					"want a unicast MAC like "
					"02:00:00:00:00:01",
					lab->file, g->line, g->name, j, n->mac);
				return -EINVAL;
			}
			for (k = 0; k <= i; k++) {
				const struct lab_guest *o = &lab->guests[k];

				for (m = 0; m < (k == i ? j : o->n_net); m++) {
					if (!strcmp(o->net[m].port, n->port)) {
						lab_err("%s:%d: guest '%s': "
							"port '%s' is already "
							"guest '%s''s",
							lab->file, g->line,
							g->name, n->port,
							o->name);
						return -EINVAL;
					}
					if (n->mac && o->net[m].mac &&
					    !lab_mac_parse(o->net[m].mac,
							   mac2) &&
					    !memcmp(mac, mac2, 6)) {
						lab_err("%s:%d: guest '%s': "
							"MAC %s is already "
							"guest '%s''s "
							"(net[%u])",
							lab->file, g->line,
							g->name, n->mac,
							o->name, m);
						return -EINVAL;
					}
				}
			}
			free(n->sock);
			n->sock = strdup(pc->path);
			n->queues = pc->queues ? pc->queues : 1;
			if (!n->sock)
				return -ENOMEM;
		}
	}
	return 0;
}

void
lab_free(struct lab *lab)
{
	unsigned int i, j;

	for (i = 0; i < lab->n_guests; i++) {
		struct lab_guest *g = &lab->guests[i];

		free(g->name);
		free(g->kernel);
		free(g->payload);
		free(g->initrd);
		free(g->mem);
		free(g->cpus);
		free(g->cmdline);
		for (j = 0; j < g->n_net; j++) {
			free(g->net[j].port);
			free(g->net[j].mac);
			free(g->net[j].sock);
		}
	}
	free(lab->def.kernel);
	free(lab->def.initrd);
	free(lab->def.mem);
	free(lab->def.cpus);
	free(lab->ctl_socket);
	memset(lab->guests, 0, sizeof(lab->guests));
	memset(&lab->def, 0, sizeof(lab->def));
	lab->ctl_socket = NULL;
	lab->n_guests = 0;
}

/* ---- state: what lab up started, for the other verbs ----
 *
 *   file PATH
 *   control SOCKET
 *   nfvd PID LOG
 *   guest NAME PID CONSOLE LOG ENGINE ACCEL CMDSOCK|-
 *   net NAME PORT MAC|-
 *
 * (Scripts read "guest NAME PID": new fields go at the end.)
 */
int
lab_state_read(struct lab *lab)
{
	char line[4 * PATH_MAX];
	FILE *f = fopen(lab->state, "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char name[256], a[PATH_MAX], b[PATH_MAX], e[32], acc[32],
			cs[PATH_MAX];
		int pid, n;

		if (sscanf(line, "nfvd %d %4095s", &pid, a) == 2) {
			lab->nfvd_pid = pid;
			snprintf(lab->nfvd_log, sizeof(lab->nfvd_log), "%s", a);
		} else if ((n = sscanf(line,
				       "guest %255s %d %4095s %4095s %31s %31s "
				       "%4095s",
				       name, &pid, a, b, e, acc, cs)) >= 4 &&
			   lab->n_guests < LAB_MAX_GUESTS) {
			struct lab_guest *g = &lab->guests[lab->n_guests++];

			g->name = strdup(name);
			g->pid = pid;
			snprintf(g->console, sizeof(g->console), "%s", a);
			snprintf(g->log, sizeof(g->log), "%s", b);
			g->engine = n >= 5 && !strcmp(e, "qemu")
					    ? LAB_VMM_QEMU
					    : LAB_VMM_NFV_VMM;
			g->kvm = n >= 6 && !strcmp(acc, "kvm");
			if (n >= 7 && strcmp(cs, "-"))
				snprintf(g->cmdsock, sizeof(g->cmdsock), "%s",
					 cs);
		} else if (sscanf(line, "net %255s %255s %31s", name, a, e) ==
			   3) {
			unsigned int i;

			for (i = 0; i < lab->n_guests; i++) {
				struct lab_guest *g = &lab->guests[i];
				struct lab_net *nn;

				if (strcmp(g->name, name) ||
				    g->n_net == LAB_MAX_NETS)
					continue;
				nn = &g->net[g->n_net++];
				nn->port = strdup(a);
				nn->mac = strcmp(e, "-") ? strdup(e) : NULL;
			}
		} else if (sscanf(line, "control %4095s", a) == 1 &&
			   !lab->ctl_socket) {
			lab->ctl_socket = strdup(a);
		} else if (sscanf(line, "file %4095s", a) == 1 &&
			   !lab->file[0]) {
			snprintf(lab->file, sizeof(lab->file), "%s", a);
		}
	}
	fclose(f);
	return 0;
}

int
lab_state_write(const struct lab *lab)
{
	char tmp[PATH_MAX + 8];
	unsigned int i, j;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", lab->state);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "# nfvctl lab state: stop with nfvctl lab down\n");
	fprintf(f, "file %s\n", lab->file);
	if (lab->ctl_socket)
		fprintf(f, "control %s\n", lab->ctl_socket);
	fprintf(f, "nfvd %d %s\n", (int)lab->nfvd_pid, lab->nfvd_log);
	for (i = 0; i < lab->n_guests; i++) {
		const struct lab_guest *g = &lab->guests[i];

		if (g->pid <= 0)
			continue;
		fprintf(f, "guest %s %d %s %s %s %s %s\n", g->name, (int)g->pid,
			g->console, g->log, lab_vmm_name(g->engine),
			g->engine == LAB_VMM_QEMU ? (g->kvm ? "kvm" : "tcg")
						  : "kvm",
			g->cmdsock[0] ? g->cmdsock : "-");
		for (j = 0; j < g->n_net; j++)
			fprintf(f, "net %s %s %s\n", g->name, g->net[j].port,
				g->net[j].mac ? g->net[j].mac : "-");
	}
	if (fclose(f) || rename(tmp, lab->state))
		return -errno;
	return 0;
}
