/* SPDX-License-Identifier: BSD-3-Clause
 *
 * telemetry.h - private to control/telemetry.c and its unit test.
 *
 * DPDK 22.11's rte_tel_data holds far less than JSON: two levels (the reply
 * and one level of containers; a container holds only scalars), no arrays
 * of dicts, no floats or booleans, keys of [A-Za-z0-9_/] only, at most 256
 * dict entries and 512 array entries, strings under 128 bytes, and a reply
 * of at most 16 KiB.  ctl_tel_shape() maps any control result onto that
 * model as plain JSON, so the mapping is testable without EAL; telemetry.c
 * then copies the shaped tree into rte_tel_data one to one.  The rules are
 * in docs/operations.md ("Telemetry").
 */
#ifndef NFV_CTL_TELEMETRY_H
#define NFV_CTL_TELEMETRY_H

#include <jansson.h>

/* 22.11's limits (rte_telemetry.h and lib/telemetry/telemetry.c). */
#define CTL_TEL_MAX_DEPTH 2
#define CTL_TEL_NAME_MAX 127		/* RTE_TEL_MAX_STRING_LEN - 1 */
#define CTL_TEL_STRING_MAX 127
#define CTL_TEL_DICT_MAX 256		/* RTE_TEL_MAX_DICT_ENTRIES */
#define CTL_TEL_ARRAY_MAX 512		/* RTE_TEL_MAX_ARRAY_ENTRIES */
#define CTL_TEL_REPLY_MAX (16 * 1024)	/* telemetry.c's MAX_OUTPUT_LEN */

/*
 * Shape `result` (borrowed; NULL is taken as null) for a telemetry reply
 * named `cmd` (e.g. "/nfv/ports", used to fit the reply size).  Returns a
 * new tree whose scalars are only strings and integers, or NULL when out of
 * memory.  The top level is an object, an array of scalars or a string.
 * Any thread; no DPDK calls.
 */
json_t *ctl_tel_shape(const char *cmd, json_t *result);

#endif /* NFV_CTL_TELEMETRY_H */
