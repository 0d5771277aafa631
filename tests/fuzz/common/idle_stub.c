/* SPDX-License-Identifier: BSD-3-Clause
 *
 * idle_stub.c - for the libFuzzer targets, which compile the runner
 * (dataplane/graph.c) in for coverage but not the rest of the data plane:
 * the runner wakes sleeping workers when it publishes a graph, and a
 * harness, which plays the only worker on its own thread, has none.
 */
#include <rte_branch_prediction.h>

#include "dataplane/idle.h"

void
nfv_idle_wake_all(void)
{
}
