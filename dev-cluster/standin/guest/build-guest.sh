#!/usr/bin/env bash
# Builds (or reuses) the guest that the KubeVirt stand-in boots in QEMU (dev and tests only).
#
# Output, cached under $HIKUBE_CACHE/guest/<hash of this script and ./init>/ (default cache:
# ~/.cache/hikube-portal):
#   - vmlinuz: the kernel of Debian's newest linux-image-6.1.*-amd64 package (the -unsigned one when
#     there is one), fetched with apt-get download and unpacked with dpkg -x;
#   - initramfs.gz: busybox-static, one symlink per applet, ./init and an inittab (newc cpio, gzip).
# A rebuild happens only when this script or ./init changes (or the folder is incomplete). The
# kernel version is chosen at the first build and kept with the cache (see kernel-version).
#
# Needs apt-get, dpkg, cpio and gzip (scripts/setup.sh installs cpio, busybox-static and QEMU).
# Prints the cache folder on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${HIKUBE_CACHE:-$HOME/.cache/hikube-portal}"
hash="$(cat "$here/build-guest.sh" "$here/init" | sha256sum | cut -c1-16)"
out="$cache/guest/$hash"

if [ -f "$out/vmlinuz" ] && [ -f "$out/initramfs.gz" ] && [ -f "$out/modules/order" ]; then
  echo "$out"
  exit 0
fi

say() { printf '[guest] %s\n' "$*" >&2; }
mkdir -p "$out"
tmp="$(mktemp -d)"
chmod 0755 "$tmp" # apt-get download runs as _apt when it can
trap 'rm -rf "$tmp"' EXIT

# --- kernel -------------------------------------------------------------------------------------
if [ ! -f "$out/vmlinuz" ] || [ ! -f "$out/modules/order" ]; then
  # Debian names them linux-image-6.1.0-<abi>-amd64[-unsigned]; newest ABI wins, -unsigned first.
  known="$(apt-cache search --names-only '^linux-image-6\.1\.[0-9]+-[0-9]+-amd64(-unsigned)?$' | awk '{print $1}')"
  abi="$(echo "$known" | sed -nE 's/^linux-image-(6\.1\.[0-9]+-[0-9]+)-amd64(-unsigned)?$/\1/p' | sort -uV | tail -n 1)"
  pkg=""
  if [ -n "$abi" ]; then
    pkg="linux-image-$abi-amd64"
    if echo "$known" | grep -qx "$pkg-unsigned"; then pkg="$pkg-unsigned"; fi
  fi
  if [ -z "$pkg" ]; then
    say "no linux-image-6.1.*-amd64 package known to apt (run apt-get update)"
    exit 1
  fi
  say "fetching $pkg"
  (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null && dpkg -x ./*.deb kernel)
  vmlinuz="$(ls "$tmp"/kernel/boot/vmlinuz-* | head -n 1)"
  # The modules the guest needs to see its disks (Debian builds them as modules, uncompressed), in
  # load order: virtio disks (the VM's VMDisks on bus virtio), then IDE CD-ROMs (optical VMDisks)
  # and their ISO 9660 file system. Dependencies from each module's `depends=`.
  moddir="$(ls -d "$tmp"/kernel/lib/modules/*/kernel)"
  mkdir -p "$out/modules.tmp"
  : > "$out/modules.tmp/order"
  for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
           drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci drivers/block/virtio_blk \
           drivers/scsi/scsi_common drivers/scsi/scsi_mod drivers/ata/libata drivers/ata/ata_piix \
           drivers/cdrom/cdrom drivers/scsi/sr_mod fs/isofs/isofs; do
    cp "$moddir/$m.ko" "$out/modules.tmp/"
    basename "$m" >> "$out/modules.tmp/order"
  done
  rm -rf "$out/modules" && mv "$out/modules.tmp" "$out/modules"
  cp "$vmlinuz" "$out/vmlinuz.tmp"
  mv "$out/vmlinuz.tmp" "$out/vmlinuz"
  echo "$pkg $(basename "$vmlinuz" | sed 's/^vmlinuz-//')" > "$out/kernel-version"
  rm -rf "$tmp/kernel" "$tmp"/*.deb
fi

# --- initramfs ----------------------------------------------------------------------------------
# A statically linked busybox: the installed busybox-static, else unpacked from its package.
if dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
  busybox="$(dpkg -L busybox-static | grep -E '/busybox$' | head -n 1)"
else
  say "unpacking Debian's busybox-static"
  (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root busybox-static >/dev/null && dpkg -x ./busybox-static_*.deb bb)
  busybox="$tmp/bb/bin/busybox"
fi
root="$tmp/root"
mkdir -p "$root"/{bin,dev,etc,proc,sys,run,tmp,root,hikube/seed}
cp "$busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
ln -s bin "$root/sbin"
mkdir -p "$root/usr" && ln -s ../bin "$root/usr/bin" && ln -s ../bin "$root/usr/sbin"
cp "$here/init" "$root/init"
mkdir -p "$root/lib/modules" && cp "$out"/modules/* "$root/lib/modules/"
chmod 0755 "$root/init"
chmod 1777 "$root/tmp"
cat > "$root/etc/inittab" <<'INITTAB'
# busybox init (the guest's PID 1 after /init).
ttyS0::respawn:/bin/cttyhack /bin/sh -l
tty1::respawn:/bin/cttyhack /bin/sh -l
::ctrlaltdel:/bin/sh -c 'echo "hikube: ctrl-alt-del received, rebooting" > /dev/ttyS0; echo "hikube: ctrl-alt-del received, rebooting" > /dev/tty1; /bin/busybox reboot'
::shutdown:/bin/sh -c 'echo "hikube: shutting down" > /dev/ttyS0'
INITTAB
cat > "$root/etc/profile" <<'PROFILE'
export PATH=/bin HOME=/root TERM="${TERM:-linux}"
export PS1='\h:\w# '
cd "$HOME"
PROFILE
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
PASSWD
echo 'root:x:0:' > "$root/etc/group"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9 > "$out/initramfs.gz.tmp"
mv "$out/initramfs.gz.tmp" "$out/initramfs.gz"
say "guest built in $out"
echo "$out"
