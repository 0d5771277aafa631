#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Build, offline, the NFV guest initramfs: busybox-static, the virtio-net
# modules of the packaged Debian kernel (plus bridge for forwarding guests)
# and an /init that configures the NICs from the kernel command line.
#
#   vmm/guest/mkinitramfs.sh -o OUT.cpio.gz [-k KVER] [--extra FILE:/dest]...
#
# Prints the kernel image to boot it with.  The kernel command line keys the
# init understands are documented in init.sh and docs/vmm.md.
set -eu

usage() {
	cat >&2 <<EOF
usage: $0 -o OUT.cpio.gz [-k KVER] [-b BUSYBOX] [-m MODDIR] [--extra FILE:/dest]...
  -o FILE      output (gzip'ed newc cpio)
  -k KVER      kernel version under /lib/modules (default: newest with /boot/vmlinuz-KVER)
  -b BUSYBOX   static busybox binary (default: /bin/busybox)
  -m MODDIR    module tree root (default: /lib/modules)
  --extra F:D  also copy file F to path D inside the image (repeatable)
EOF
	exit 2
}

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

out=
kver=
busybox=
moddir=/lib/modules
extras=
here=$(cd "$(dirname "$0")" && pwd)

while [ $# -gt 0 ]; do
	case "$1" in
	-o) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	-k) [ $# -ge 2 ] || usage; kver=$2; shift 2 ;;
	-b) [ $# -ge 2 ] || usage; busybox=$2; shift 2 ;;
	-m) [ $# -ge 2 ] || usage; moddir=$2; shift 2 ;;
	--extra) [ $# -ge 2 ] || usage
		case "$2" in *:/*) ;; *) die "--extra wants FILE:/dest, got '$2'" ;; esac
		extras="$extras
$2"; shift 2 ;;
	--extra=*) v=${1#--extra=}
		case "$v" in *:/*) ;; *) die "--extra wants FILE:/dest, got '$v'" ;; esac
		extras="$extras
$v"; shift ;;
	-h|--help) usage ;;
	*) echo "mkinitramfs: unknown argument '$1'" >&2; usage ;;
	esac
done
[ -n "$out" ] || usage

# nftables for the guests' firewall role: Debian's nft with its shared
# libraries (busybox has no nft and no iptables).  Without the package
# the image is built without it and says so.
nft_bin=$(command -v nft 2>/dev/null || true)
[ -n "$nft_bin" ] || [ ! -x /usr/sbin/nft ] || nft_bin=/usr/sbin/nft
if [ -n "$nft_bin" ] && ! command -v ldd >/dev/null 2>&1; then
	nft_bin=
fi

# The kernel: the newest module tree that has a bootable image next to it
# (the running kernel may be a host kernel with no image in /boot).
if [ -z "$kver" ]; then
	for d in $(ls -1 "$moddir" 2>/dev/null | sort -V -r); do
		if [ -f "/boot/vmlinuz-$d" ] && [ -f "$moddir/$d/modules.dep" ]; then
			kver=$d
			break
		fi
	done
	[ -n "$kver" ] || die "no kernel found: need /boot/vmlinuz-KVER and $moddir/KVER/modules.dep (install linux-image-amd64, or pass -k)"
fi
kdir=$moddir/$kver
[ -f "$kdir/modules.dep" ] || die "$kdir/modules.dep not found (wrong -k '$kver'?)"

if [ -z "$busybox" ]; then
	for b in /bin/busybox /usr/bin/busybox; do
		[ -x "$b" ] && busybox=$b && break
	done
fi
[ -n "$busybox" ] && [ -x "$busybox" ] || die "busybox not found (apt-get install busybox-static)"
if command -v file >/dev/null 2>&1; then
	file -L "$busybox" | grep -q 'statically linked' ||
		die "$busybox is not statically linked (apt-get install busybox-static)"
fi
command -v cpio >/dev/null 2>&1 || die "cpio not found (apt-get install cpio)"

# Modules the init loads, by name; their dependencies come from
# modules.dep.  bridge/stp/llc serve nfv.fwd=bridge; the nf_tables ones
# nfv.fwd=firewall and nfv.nft (only when nft goes in, listed apart in
# /etc/modules.nft); libcrc32c needs a crc32c implementation (a soft
# dependency modules.dep omits).
want="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net llc stp bridge"
nft_want="crc32c_generic nf_tables nft_ct nft_reject_inet nft_limit nft_log"

stage=$(mktemp -d "${TMPDIR:-/tmp}/nfv-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM

# modpath NAME: the modules.dep path of a module (name with - or _).
modpath() {
	n=$1
	n2=$(echo "$n" | tr _ -)
	awk -F: -v a="$n" -v b="$n2" '{
		p = $1; sub(/.*\//, "", p); sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", p)
		if (p == a || p == b) { print $1; exit }
	}' "$kdir/modules.dep"
}

# moddeps PATH: the dependencies of a module, as listed in modules.dep.
moddeps() {
	awk -F: -v m="$1" '$1 == m { sub(/^ */, "", $2); print $2; exit }' "$kdir/modules.dep"
}

# Depth-first, post-order: a module after everything it needs.  modules.dep
# lists the transitive closure, deepest last, so walking it in reverse
# visits leaves first.
order=
visit() {
	case " $order " in *" $1 "*) return 0 ;; esac
	deps=$(moddeps "$1")
	rdeps=
	for d in $deps; do rdeps="$d $rdeps"; done
	for d in $rdeps; do visit "$d"; done
	case " $order " in *" $1 "*) ;; *) order="$order $1" ;; esac
}

# visit_all NAMES: each module and its dependencies into $order.
visit_all() {
	for m in $1; do
		p=$(modpath "$m")
		if [ -z "$p" ]; then
			# Built into the kernel: nothing to load.
			if grep -q "/$m.ko" "$kdir/modules.builtin" 2>/dev/null; then
				continue
			fi
			die "module $m not found in $kdir/modules.dep"
		fi
		visit "$p"
	done
}
visit_all "$want"
base_order=$order
# The nftables modules go to their own list: the init loads them only for
# a guest that asks for rules (a boot under emulation is long enough).
nft_order=
if [ -n "$nft_bin" ]; then
	visit_all "$nft_want"
	for p in $order; do
		case " $base_order " in *" $p "*) ;; *) nft_order="$nft_order $p" ;; esac
	done
	order=$base_order
fi

mkdir -p "$stage/bin" "$stage/sbin" "$stage/dev" "$stage/proc" "$stage/sys" \
	"$stage/tmp" "$stage/run" "$stage/etc" "$stage/root" "$stage/lib/modules" \
	"$stage/usr/bin" "$stage/usr/sbin"
cp "$busybox" "$stage/bin/busybox"
for a in $("$stage/bin/busybox" --list); do
	[ "$a" = busybox ] && continue
	ln -sf busybox "$stage/bin/$a"
done
if [ -n "$nft_bin" ]; then
	cp "$nft_bin" "$stage/usr/sbin/nft"
	# Its libraries and the loader, at the paths ldd names.
	for l in $(ldd "$nft_bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		mkdir -p "$stage$(dirname "$l")"
		cp -L "$l" "$stage$l"
	done
	# /lib64 and /lib may be symlinks on the host (usrmerge): the copies
	# above made real folders, which is what the loader needs.
fi

: >"$stage/etc/modules.order"
: >"$stage/etc/modules.nft"
for p in $order $nft_order; do
	list=modules.order
	case " $nft_order " in *" $p "*) list=modules.nft ;; esac
	name=$(basename "$p")
	src=$kdir/$p
	[ -f "$src" ] || die "$src listed in modules.dep but missing"
	case "$name" in
	*.ko.xz) name=${name%.xz}; xz -dc "$src" >"$stage/lib/modules/$name" ;;
	*.ko.zst) name=${name%.zst}; zstd -q -dc "$src" >"$stage/lib/modules/$name" ;;
	*.ko.gz) name=${name%.gz}; gzip -dc "$src" >"$stage/lib/modules/$name" ;;
	*) cp "$src" "$stage/lib/modules/$name" ;;
	esac
	echo "$name" >>"$stage/etc/$list"
done

cp "$here/init.sh" "$stage/init"
chmod 755 "$stage/init"
echo "$kver" >"$stage/etc/nfv-kernel"
echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
echo "root:x:0:" >"$stage/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$stage/etc/hosts"

# Device nodes the kernel wants before /init runs; the init also mounts
# devtmpfs, so an unprivileged build (no mknod) still boots.
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
mknod -m 666 "$stage/dev/null" c 1 3 2>/dev/null || true

# A redirected loop (not a pipe) so that die() stops the script.
while IFS= read -r e; do
	[ -n "$e" ] || continue
	src=${e%%:/*}
	dst=/${e#*:/}
	[ -e "$src" ] || die "--extra: $src not found"
	mkdir -p "$stage$(dirname "$dst")"
	cp -a "$src" "$stage$dst"
done <<EOF
$extras
EOF

outdir=$(dirname "$out")
mkdir -p "$outdir"
tmpout=$out.tmp.$$
(cd "$stage" && find . -print | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
	gzip -9 -n >"$tmpout" || { rm -f "$tmpout"; die "cpio/gzip failed"; }
mv -f "$tmpout" "$out"

echo "initramfs: $out ($(wc -c <"$out") bytes, modules:$(sed 's/\.ko$//' "$stage/etc/modules.order" | tr '\n' ' '))"
if [ -n "$nft_bin" ]; then
	echo "nftables: $nft_bin and its libraries (nfv.fwd=firewall, nfv.nft), modules:$(sed 's/\.ko$//' "$stage/etc/modules.nft" | tr '\n' ' ')"
else
	echo "nftables: not found here (apt-get install nftables): the image has no firewall role"
fi
echo "kernel: /boot/vmlinuz-$kver"
