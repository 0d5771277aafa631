/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ctl_fuzz.h - the fuzzed request path shared by the libFuzzer harness
 * (fuzz_ctl_request.c, clang) and the bounded mutation driver
 * (fuzz_ctl_driver.c, any compiler, suite 'fuzz').
 */
#ifndef NFV_CTL_FUZZ_H
#define NFV_CTL_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Register handlers and open the server on a private socket.  0 or -errno. */
int ctl_fuzz_setup(void);
/* Remove the socket and its directory. */
void ctl_fuzz_teardown(void);
/*
 * Send `data` as one client's byte stream through the real server (line
 * framing, JSON parse, dispatch), read every reply to EOF and check them:
 * each is one JSON object with a boolean "ok" and an "error" string when
 * false; results also pass through the telemetry shaper, whose output must
 * obey DPDK 22.11's limits.  abort()s on any violation or hang.
 */
void ctl_fuzz_one(const uint8_t *data, size_t size);

#endif /* NFV_CTL_FUZZ_H */
