/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_chain.h - the chain harness (fuzz_chain.c) provides the VNF fuzz
 * harness interface (tests/fuzz/common/fuzz_vnf.h).
 */
#ifndef NFV_FUZZ_CHAIN_H
#define NFV_FUZZ_CHAIN_H

#include "tests/fuzz/common/fuzz_vnf.h"

#endif /* NFV_FUZZ_CHAIN_H */
