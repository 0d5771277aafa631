/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `nfvctl lab up FILE` / `nfvctl lab down [FILE]`: one YAML file declares
 * nfvd's ports, VNFs and links (an ordinary nfvd config) plus the guests
 * attached to its vhost-user ports:
 *
 *   guests:
 *     - name: g1
 *       kernel: /boot/vmlinuz-6.1.0-56-amd64   # or payload: FILE (tests)
 *       initrd: /var/tmp/guest.cpio.gz
 *       mem: 256M
 *       cpus: 1
 *       cmdline: "nfv.ip=10.0.0.2/24"
 *       net:
 *         - {port: vm1, mac: "02:00:00:00:00:01"}
 *
 * lab up starts nfvd (-c FILE), waits for its control socket, starts one
 * nfv-vmm per guest with its console logged to a file, and writes a state
 * file with the PIDs; lab down stops them by PID (guests first) with
 * SIGTERM, SIGKILL after a grace period.  State lives in $NFV_LAB_DIR, else
 * /run/nfv-lab/NAME (NAME: the file's base name).
 */
#ifndef NFV_CTL_LAB_H
#define NFV_CTL_LAB_H

/* argv: "lab", "up"|"down", [FILE]; returns the exit status. */
int ctl_lab_main(int argc, char **argv);

#endif
