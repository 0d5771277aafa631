/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `nfvctl lab VERB`: one YAML file declares nfvd's ports, VNFs and links
 * (an ordinary nfvd config) plus the guests attached to its vhost-user
 * ports and lab-wide defaults (docs/labs.md):
 *
 *   lab: {vmm: auto, kernel: /vmlinuz, initrd: /var/tmp/nfv-guest.cpio.gz, mem: 160M}
 *   guests:
 *     - name: g1
 *       vmm: qemu                     # nfv-vmm | qemu | auto (default)
 *       cmdline: "nfv.ip=10.0.0.2/24"
 *       net:
 *         - {port: vm1, mac: "02:00:00:00:00:01"}
 *
 * up starts nfvd (-c FILE), waits for its control socket, starts each
 * guest under its engine with its console logged to a file, waits for
 * every guest kit's "NFV-GUEST: ready", and writes a state file with the
 * PIDs; status, console, exec, graph, restart-nfvd and down work from it;
 * down stops them by PID (guests first) with SIGTERM, SIGKILL after a grace
 * period.  State lives in $NFV_LAB_DIR, else /run/nfv-lab/NAME (NAME: the
 * file's base name).
 */
#ifndef NFV_CTL_LAB_H
#define NFV_CTL_LAB_H

/* argv: "lab", VERB, ARGS...; returns the exit status. */
int ctl_lab_main(int argc, char **argv);

#endif
