/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_corpus.c - replaying a kept corpus (fuzz_corpus.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/common/fuzz_corpus.h"

/* The bytes of path, at most max of them, into buf; their count or
 * -errno. */
static long
fz_corpus_read(const char *path, uint8_t *buf, size_t max)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	int err;

	if (f == NULL)
		return -errno;
	n = fread(buf, 1, max, f);
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	return err < 0 ? err : (long)n;
}

int
fz_corpus_each(const char *dir, size_t max, fz_corpus_fn *fn, void *arg)
{
	struct dirent **names = NULL;
	uint8_t *buf;
	int cnt, i, files = 0, rc = 0;

	buf = malloc(max > 0 ? max : 1);
	if (buf == NULL)
		return -ENOMEM;
	cnt = scandir(dir, &names, NULL, alphasort);
	if (cnt < 0) {
		rc = -errno;
		fprintf(stderr, "%s: %s\n", dir, strerror(-rc));
		free(buf);
		return rc;
	}
	for (i = 0; i < cnt; i++) {
		char path[4096];
		long len;

		if (rc == 0 && names[i]->d_name[0] != '.' &&
		    names[i]->d_type != DT_DIR) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 names[i]->d_name);
			len = fz_corpus_read(path, buf, max);
			if (len < 0) {
				rc = (int)len;
				fprintf(stderr, "%s: %s\n", path,
					strerror((int)-len));
			} else {
				fn(buf, (size_t)len, arg);
				files++;
			}
		}
		free(names[i]);
	}
	free(names);
	free(buf);
	return rc < 0 ? rc : files;
}
