/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_bpf.h - the bpf VNF fuzz harness shared by the libFuzzer target
 * (clang) and the bounded random driver (any compiler).
 */
#ifndef NFV_FUZZ_BPF_H
#define NFV_FUZZ_BPF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tests/fuzz/common/fuzz_vnf.h"

#endif /* NFV_FUZZ_BPF_H */
