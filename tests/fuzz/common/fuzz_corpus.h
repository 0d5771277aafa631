/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_corpus.h - the bounded drivers of suite 'fuzz' replay the corpus a
 * libFuzzer campaign kept (tests/fuzz/<comp>/corpus/, docs/reliability.md),
 * so that CI runs every kept input under ASan and UBSan too.
 */
#ifndef NFV_FUZZ_CORPUS_H
#define NFV_FUZZ_CORPUS_H

#include <stddef.h>
#include <stdint.h>

/* Called with each input; arg is fz_corpus_each()'s. */
typedef void fz_corpus_fn(const uint8_t *data, size_t len, void *arg);

/*
 * Call fn with the bytes of every file of `dir` (not those whose name
 * starts with a dot), in name order so that a run is the same everywhere;
 * a file is cut at `max` bytes, as libFuzzer's -max_len cuts it.  Returns
 * the number of files, or -errno (with a message) when the folder or a
 * file cannot be read.
 */
int fz_corpus_each(const char *dir, size_t max, fz_corpus_fn *fn, void *arg);

#endif /* NFV_FUZZ_CORPUS_H */
