/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_rules.h - keep a firewall's rule list short between inputs.
 *
 * Rules that earlier inputs added may stay (they are state worth
 * fuzzing), but every rule change builds the ACL again, and its cost
 * grows with the list: a harness whose inputs only add would slow down
 * as a campaign runs (the chain's went from 2,400 to under 500 exec/s in
 * five minutes).  The rules past the first `keep` are deleted with the
 * firewall's own verb, in one `rule del ... count N` (one ACL build: one
 * `rule del` each was a third of the firewall harness's time).
 */
#ifndef NFV_FUZZ_RULES_H
#define NFV_FUZZ_RULES_H

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "vnf/vnf.h"

static inline void
fz_trim_rules(struct vnf_instance *vi, size_t keep, const char *harness)
{
	json_t *reply = NULL, *args;
	size_t n;

	if (vnf_verb_call(vi, "show rules", NULL, &reply) != 0)
		goto fail;
	n = json_array_size(reply);
	json_decref(reply);
	if (n <= keep)
		return;
	args = json_pack("{s:i, s:i}", "index", (int)keep, "count",
			 (int)(n - keep));
	reply = NULL;
	if (args == NULL || vnf_verb_call(vi, "rule del", args, &reply) != 0)
		goto fail;
	json_decref(reply);
	json_decref(args);
	return;
fail:
	fprintf(stderr, "%s: %s: trimming the rules failed\n", harness,
		vi->name);
	abort();
}

#endif /* NFV_FUZZ_RULES_H */
