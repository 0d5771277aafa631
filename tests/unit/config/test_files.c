/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_files.c - control/files.c: the bounded reader refuses what is not
 * a regular file without blocking and stops at its limit; device argument
 * strings cannot carry options; ctl_path_check() refuses paths that
 * another user could swap (world-writable directories without the sticky
 * bit, files, sockets, directories and symbolic links of another user),
 * symbolic links nfvd would write through, and kernel pseudo files.
 *
 * Each case works in its own directory under /tmp.  The cases that give
 * a file to another user need root (chown); without it they are skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "control/files.h"

#define OTHER_UID 65534 /* nobody */

static char dir[64];
static char why[PATH_MAX + 256];

static int
dir_setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nfv-files-test-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	return chmod(dir, 0755);
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int
dir_teardown(void **state)
{
	(void)state;
	/* Depth first, links not followed: only what the case made goes. */
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* dir/NAME */
static const char *
at(const char *name)
{
	static char buf[4][PATH_MAX];
	static unsigned int i;
	char *b = buf[i++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", dir, name);
	return b;
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
make_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd); /* a stale socket file is left */
}

static void
need_root(void)
{
	if (geteuid() != 0) {
		print_message("    needs root (chown to another user): "
			      "skipped\n");
		skip();
	}
}

static int
check(const char *path, enum ctl_path_use use)
{
	int rc;

	why[0] = '\0';
	rc = ctl_path_check(path, use, NULL, why, sizeof(why));
	if (rc)
		print_message("    %s\n", why);
	return rc;
}

/* ---- ctl_file_read ---- */

static void
test_read_regular(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	put(at("a.txt"), "hello\n");
	assert_int_equal(
		ctl_file_read(at("a.txt"), 100, &buf, &len, why, sizeof(why)),
		0);
	assert_int_equal(len, 6);
	assert_string_equal(buf, "hello\n");
	free(buf);
	/* exactly the limit is fine, one byte more is not */
	assert_int_equal(
		ctl_file_read(at("a.txt"), 6, &buf, &len, why, sizeof(why)), 0);
	free(buf);
	assert_int_equal(
		ctl_file_read(at("a.txt"), 5, &buf, &len, why, sizeof(why)),
		-EFBIG);
	assert_null(buf);
	assert_non_null(strstr(why, "larger than 5 bytes"));
}

/* /dev/zero never ends: refused before a byte is read. */
static void
test_read_dev_zero(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	assert_int_equal(ctl_file_read("/dev/zero", CTL_FILE_ROUTES_MAX, &buf,
				       &len, why, sizeof(why)),
			 -EINVAL);
	assert_null(buf);
	assert_string_equal(why, "not a regular file (a character device)");
}

/* A FIFO without a writer: refused, and the open does not block. */
static void
test_read_fifo(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	assert_int_equal(
		ctl_file_read(at("fifo"), 1024, &buf, &len, why, sizeof(why)),
		-EINVAL);
	assert_string_equal(why, "not a regular file (a FIFO)");
}

/* /proc files say size 0: they are read to their end all the same. */
static void
test_read_proc(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	assert_int_equal(ctl_file_read("/proc/self/status", 1 << 20, &buf, &len,
				       why, sizeof(why)),
			 0);
	assert_true(len > 0);
	assert_non_null(strstr(buf, "Pid:"));
	free(buf);
	assert_int_equal(ctl_file_read("/proc/self/status", 10, &buf, &len, why,
				       sizeof(why)),
			 -EFBIG);
}

static void
test_read_missing(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	assert_int_equal(
		ctl_file_read(at("nope"), 10, &buf, &len, why, sizeof(why)),
		-ENOENT);
	assert_int_equal(ctl_file_read(dir, 10, &buf, &len, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "not a regular file (a directory)");
}

/* ---- ctl_devarg_check ---- */

static void
test_devarg(void **state)
{
	char longer[CTL_DEVARG_MAX + 1];

	(void)state;
	assert_int_equal(ctl_devarg_check("/tmp/a.sock", why, sizeof(why)), 0);
	assert_int_equal(ctl_devarg_check("/tmp/x/victim.txt,queues=1", why,
					  sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "holds ','"));
	assert_int_equal(ctl_devarg_check("a=b", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "holds '='"));
	assert_int_equal(ctl_devarg_check("a\tb", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "control character"));
	assert_int_equal(ctl_devarg_check("", why, sizeof(why)), -EINVAL);
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(ctl_devarg_check(longer, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "1024 bytes, longer than the 1023"));
	longer[CTL_DEVARG_MAX - 1] = '\0';
	assert_int_equal(ctl_devarg_check(longer, why, sizeof(why)), 0);
}

/* ---- ctl_path_check ---- */

static void
test_write_new_and_own(void **state)
{
	char res[PATH_MAX], want[PATH_MAX];

	(void)state;
	assert_int_equal(check(at("out.pcap"), CTL_PATH_WRITE), 0);
	put(at("out.pcap"), "");
	assert_int_equal(check(at("out.pcap"), CTL_PATH_WRITE), 0);
	/* "." and ".." and doubled slashes resolve to the same file */
	assert_int_equal(mkdir(at("sub"), 0755), 0);
	assert_int_equal(ctl_path_check(at("sub/.././/out.pcap"),
					CTL_PATH_WRITE, res, why, sizeof(why)),
			 0);
	assert_non_null(realpath(at("out.pcap"), want));
	assert_string_equal(res, want);
	/* a missing directory: the driver could not create the file */
	assert_int_equal(check(at("none/out.pcap"), CTL_PATH_WRITE), -ENOENT);
}

/* tx: /proc/self/comm, /dev/null, a directory, a symbolic link. */
static void
test_write_refused(void **state)
{
	(void)state;
	assert_int_equal(check("/proc/self/comm", CTL_PATH_WRITE), -EINVAL);
	assert_non_null(strstr(why, "kernel's proc file system"));
	assert_int_equal(check("/proc/sys/kernel/nfv-new", CTL_PATH_WRITE),
			 -EINVAL);
	assert_int_equal(check("/dev/null", CTL_PATH_WRITE), -EINVAL);
	assert_non_null(strstr(why, "not a regular file (a character device)"));
	assert_int_equal(check(dir, CTL_PATH_WRITE), -EINVAL);
	put(at("target"), "precious");
	assert_int_equal(symlink(at("target"), at("link.pcap")), 0);
	assert_int_equal(check(at("link.pcap"), CTL_PATH_WRITE), -ELOOP);
	assert_non_null(strstr(why, "symbolic link"));
}

/* A directory anyone may write without the sticky bit: anyone can swap
 * the file; with the sticky bit (like /tmp) only its owner can. */
static void
test_world_writable(void **state)
{
	(void)state;
	assert_int_equal(mkdir(at("open"), 0755), 0);
	assert_int_equal(chmod(at("open"), 0777), 0);
	assert_int_equal(check(at("open/out.pcap"), CTL_PATH_WRITE), -EPERM);
	assert_non_null(strstr(why, "writable by every user and has no "
				    "sticky bit"));
	assert_int_equal(check(at("open/a.sock"), CTL_PATH_LISTEN), -EPERM);
	assert_int_equal(check(at("open/a.sock"), CTL_PATH_CONNECT), -EPERM);
	/* also when the directory is only passed through */
	assert_int_equal(mkdir(at("open/deeper"), 0755), 0);
	assert_int_equal(check(at("open/deeper/out.pcap"), CTL_PATH_WRITE),
			 -EPERM);
	assert_int_equal(chmod(at("open"), 01777), 0);
	assert_int_equal(check(at("open/out.pcap"), CTL_PATH_WRITE), 0);
	assert_int_equal(check(at("open/deeper/out.pcap"), CTL_PATH_WRITE), 0);
}

static void
test_other_owner(void **state)
{
	(void)state;
	need_root();
	/* a directory of another user on the way */
	assert_int_equal(mkdir(at("theirs"), 0755), 0);
	assert_int_equal(chown(at("theirs"), OTHER_UID, OTHER_UID), 0);
	assert_int_equal(check(at("theirs/out.pcap"), CTL_PATH_WRITE), -EPERM);
	assert_non_null(strstr(why, "belongs to uid 65534"));
	assert_int_equal(check(at("theirs/a.sock"), CTL_PATH_CONNECT), -EPERM);
	/* a file of another user in a sticky directory */
	assert_int_equal(mkdir(at("sticky"), 01777), 0);
	assert_int_equal(chmod(at("sticky"), 01777), 0);
	put(at("sticky/out.pcap"), "");
	assert_int_equal(chown(at("sticky/out.pcap"), OTHER_UID, OTHER_UID), 0);
	assert_int_equal(check(at("sticky/out.pcap"), CTL_PATH_WRITE), -EPERM);
	/* a socket of another user: not connected to, not replaced */
	make_socket(at("sticky/up.sock"));
	assert_int_equal(check(at("sticky/up.sock"), CTL_PATH_CONNECT), 0);
	assert_int_equal(check(at("sticky/up.sock"), CTL_PATH_LISTEN), 0);
	assert_int_equal(chown(at("sticky/up.sock"), OTHER_UID, OTHER_UID), 0);
	assert_int_equal(check(at("sticky/up.sock"), CTL_PATH_CONNECT), -EPERM);
	assert_non_null(strstr(why, "socket of uid 65534"));
	assert_int_equal(check(at("sticky/up.sock"), CTL_PATH_LISTEN), -EPERM);
	/* a symbolic link of another user: not followed */
	assert_int_equal(symlink(dir, at("sticky/via")), 0);
	assert_int_equal(lchown(at("sticky/via"), OTHER_UID, OTHER_UID), 0);
	assert_int_equal(check(at("sticky/via/out.pcap"), CTL_PATH_WRITE),
			 -EPERM);
	assert_non_null(strstr(why, "symbolic link belongs to uid 65534"));
}

/* Our own symbolic links in the middle of a path are followed. */
static void
test_own_symlink_dir(void **state)
{
	char res[PATH_MAX], want[PATH_MAX];

	(void)state;
	assert_int_equal(mkdir(at("real"), 0755), 0);
	assert_int_equal(symlink("real", at("alias")), 0);
	assert_int_equal(ctl_path_check(at("alias/out.pcap"), CTL_PATH_WRITE,
					res, why, sizeof(why)),
			 0);
	assert_non_null(realpath(at("real"), want));
	strcat(want, "/out.pcap");
	assert_string_equal(res, want);
	/* a loop ends */
	assert_int_equal(symlink("loop2", at("loop1")), 0);
	assert_int_equal(symlink("loop1", at("loop2")), 0);
	assert_int_equal(check(at("loop1/x"), CTL_PATH_WRITE), -ELOOP);
}

/* Sockets: a server path that is a file is never taken (the vhost driver
 * would remove it); a client path must be a socket. */
static void
test_sockets(void **state)
{
	(void)state;
	put(at("victim.txt"), "keep me");
	assert_int_equal(check(at("victim.txt"), CTL_PATH_LISTEN), -EEXIST);
	assert_non_null(strstr(why, "exists and is not a socket"));
	assert_int_equal(check(at("victim.txt"), CTL_PATH_CONNECT), -ENOTSOCK);
	assert_int_equal(symlink(at("victim.txt"), at("l.sock")), 0);
	assert_int_equal(check(at("l.sock"), CTL_PATH_LISTEN), -EEXIST);
	assert_non_null(strstr(why, "symbolic link"));
	/* missing directories of a server socket: nfvd creates them */
	assert_int_equal(check(at("run/nfvd/a.sock"), CTL_PATH_LISTEN), 0);
	assert_int_equal(ctl_path_mkdir_parents(at("run/nfvd/a.sock")), 0);
	assert_int_equal(check(at("run/nfvd/a.sock"), CTL_PATH_LISTEN), 0);
	{
		struct stat st;

		assert_int_equal(stat(at("run/nfvd"), &st), 0);
		assert_int_equal(st.st_mode & 07777, 0700);
	}
	/* a client's peer may come later */
	assert_int_equal(check(at("later/up.sock"), CTL_PATH_CONNECT), 0);
}

static void
test_read(void **state)
{
	(void)state;
	put(at("in.pcap"), "");
	assert_int_equal(check(at("in.pcap"), CTL_PATH_READ), 0);
	assert_int_equal(check(at("none.pcap"), CTL_PATH_READ), -ENOENT);
	assert_int_equal(check("/dev/zero", CTL_PATH_READ), -EINVAL);
	assert_int_equal(mkfifo(at("in.fifo"), 0600), 0);
	assert_int_equal(check(at("in.fifo"), CTL_PATH_READ), -EINVAL);
	assert_non_null(strstr(why, "a FIFO"));
	/* /proc/kmsg is a "regular" file whose read blocks */
	assert_int_equal(check("/proc/self/status", CTL_PATH_READ), -EINVAL);
	assert_int_equal(check("", CTL_PATH_READ), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, dir_setup, dir_teardown)
		T(test_read_regular),
		T(test_read_dev_zero),
		T(test_read_fifo),
		T(test_read_proc),
		T(test_read_missing),
		T(test_devarg),
		T(test_write_new_and_own),
		T(test_write_refused),
		T(test_world_writable),
		T(test_other_owner),
		T(test_own_symlink_dir),
		T(test_sockets),
		T(test_read),
#undef T
	};

	return cmocka_run_group_tests_name("files", tests, NULL, NULL);
}
