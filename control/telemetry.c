/* SPDX-License-Identifier: BSD-3-Clause
 *
 * telemetry.c - /nfv/... rte_telemetry commands over the control handlers.
 * (Skeleton: the commands are registered in a following change.)
 */
#include "control/ctl_server.h"

int ctl_telemetry_init(void)
{
	return 0;
}
