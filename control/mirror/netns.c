/* SPDX-License-Identifier: BSD-3-Clause
 *
 * netns.c - a kernel mirror's thread (the router's nfv-mirror, the vxlan
 * VNF's nfv-evpn) enters its netns, or creates it the way `ip netns add
 * NAME` does: /run/netns made a shared mount point (so the bind mounts
 * under it propagate to other mount namespaces), an empty file
 * /run/netns/NAME, a new network namespace for the calling thread, and the
 * thread's namespace bind-mounted on the file.  Only that thread changes
 * namespace: the rest of nfvd stays where it started.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/mirror/mirror_priv.h"
#include "control/mirror/netns.h"

#define MIRROR_NETNS_DIR "/run/netns"

/* Like iproute2's netns_add(): /run/netns exists and is a shared mount. */
static int
mirror_netns_dir(char *err, size_t errlen)
{
	bool bound = false;

	if (mkdir(MIRROR_NETNS_DIR, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", MIRROR_NETNS_DIR,
			 strerror(errno));
		return -errno;
	}
	while (mount("", MIRROR_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) <
	       0) {
		/* EINVAL: not a mount point yet; make it one, once. */
		if (errno != EINVAL || bound) {
			snprintf(err, errlen, "making %s a shared mount: %s",
				 MIRROR_NETNS_DIR, strerror(errno));
			return -errno;
		}
		if (mount(MIRROR_NETNS_DIR, MIRROR_NETNS_DIR, "none",
			  MS_BIND | MS_REC, NULL) < 0) {
			snprintf(err, errlen, "bind-mounting %s: %s",
				 MIRROR_NETNS_DIR, strerror(errno));
			return -errno;
		}
		bound = true;
	}
	return 0;
}

/*
 * A namespace nfvd made holds a router: forwarding on, as FRR and BIRD
 * expect, and so that the twins act as a router's interfaces (no IPv6
 * router solicitations leave by the ifaces).  /proc/sys/net is the
 * calling thread's namespace.  An existing namespace keeps its settings.
 */
static void
mirror_netns_forwarding(const char *netns)
{
	static const char *const knobs[] = {
		"/proc/sys/net/ipv4/ip_forward",
		"/proc/sys/net/ipv6/conf/all/forwarding",
		"/proc/sys/net/ipv6/conf/default/forwarding",
	};
	unsigned int i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		int fd = open(knobs[i], O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "1\n", 2) != 2)
			MIRROR_LOG(WARNING, "netns %s: %s: %s", netns, knobs[i],
				   strerror(errno));
		if (fd >= 0)
			close(fd);
	}
}

static int
mirror_netns_create(struct ctl_netns *ns, char *err, size_t errlen)
{
	int fd, rc;

	rc = mirror_netns_dir(err, errlen);
	if (rc < 0)
		return rc;
	fd = open(ns->path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "creating %s: %s", ns->path,
			 strerror(errno));
		return rc;
	}
	close(fd);
	/* The network namespace is per thread: only this one moves. */
	if (unshare(CLONE_NEWNET) < 0) {
		rc = -errno;
		snprintf(err, errlen, "netns %s: unshare: %s", ns->name,
			 strerror(errno));
		goto err_file;
	}
	/* thread-self, not self: /proc/self/ns/net is the main thread's. */
	if (mount("/proc/thread-self/ns/net", ns->path, "none", MS_BIND, NULL) <
	    0) {
		rc = -errno;
		snprintf(err, errlen, "netns %s: bind mount: %s", ns->name,
			 strerror(errno));
		goto err_file;
	}
	ns->created = true;
	mirror_netns_forwarding(ns->name);
	return 0;

err_file:
	unlink(ns->path);
	return rc;
}

int
ctl_netns_enter(struct ctl_netns *ns, char *err, size_t errlen)
{
	int fd, rc;

	if (ns->name[0] == '\0' || strchr(ns->name, '/') != NULL ||
	    strcmp(ns->name, ".") == 0 || strcmp(ns->name, "..") == 0) {
		snprintf(err, errlen, "netns \"%s\": not a valid name",
			 ns->name);
		return -EINVAL;
	}
	snprintf(ns->path, sizeof(ns->path), "%s/%s", MIRROR_NETNS_DIR,
		 ns->name);
	fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return mirror_netns_create(ns, err, errlen);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "netns %s: %s", ns->name,
			 strerror(errno));
		return rc;
	}
	rc = setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
	if (rc < 0)
		snprintf(err, errlen, "netns %s: setns: %s", ns->name,
			 strerror(-rc));
	close(fd);
	return rc;
}

void
ctl_netns_remove(struct ctl_netns *ns)
{
	if (!ns->created)
		return;
	if (umount2(ns->path, MNT_DETACH) < 0)
		MIRROR_LOG(WARNING, "netns %s: umount: %s", ns->name,
			   strerror(errno));
	if (unlink(ns->path) < 0)
		MIRROR_LOG(WARNING, "netns %s: unlink: %s", ns->name,
			   strerror(errno));
	ns->created = false;
}
