/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config_diff.h - what differs between the config nfvd runs and a config
 * it is asked to reload (`nfvctl reload`, SIGHUP; docs/operations.md).
 *
 * A reload applies only what nfvd can change while it runs, by the code
 * paths of `port add` and `port del`: ports added and removed, with their
 * links.  Everything else (the dataplane and control sections, the VNFs
 * and their settings, a changed port, a link between two endpoints that
 * stay) needs a restart: these functions name each such difference, so
 * that the refusal lists them all at once.  Free of DPDK; control thread.
 */
#ifndef NFV_CTL_CONFIG_DIFF_H
#define NFV_CTL_CONFIG_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "control/config.h"

/*
 * Read `path` once (control/files.h's bounded reader) and load it as
 * ctl_config_load() does; also hand back the text that was loaded, so
 * that what is compared later is exactly what was applied.  0 or -errno
 * with one line in err; *text is the caller's to free.
 */
int ctl_config_load_text(const char *path, struct ctl_config **out, char **text,
			 size_t *len, char *err, size_t errlen);

/*
 * The VNF entries of a config text in a canonical form (mapping keys
 * sorted, scalars as their values, formatting and comments gone), by
 * name: two texts whose VNFs mean the same give equal digests.  The text
 * must have passed the loader (depth and shape checked).  0 or -errno.
 */
struct ctl_config_digest;
int ctl_config_digest(const char *text, size_t len,
		      struct ctl_config_digest **out);
void ctl_config_digest_free(struct ctl_config_digest *d);

/*
 * Append to `out` (a NUL-terminated list "A, B, ...", cut at outlen) each
 * difference between a running config and a new one that a reload cannot
 * apply: dataplane.* and control.* keys, VNFs added, removed or changed.
 * Returns how many there are.
 */
unsigned int ctl_config_restart_diff(const struct ctl_config *a,
				     const struct ctl_config_digest *da,
				     const struct ctl_config *b,
				     const struct ctl_config_digest *db,
				     char *out, size_t outlen);

/* Whether two ports are configured alike (every key, name included). */
bool ctl_port_config_equal(const struct ctl_port_config *a,
			   const struct ctl_port_config *b);

/* Append ", what" (or "what" to an empty list) to out, cut at outlen. */
void ctl_diff_append(char *out, size_t outlen, const char *what);

#endif /* NFV_CTL_CONFIG_DIFF_H */
