#!/usr/bin/env bash
# Makes a Vagrant box of Debian bookworm for the libvirt provider, for the
# end-to-end suite (no box can be downloaded where it runs).
#
#   e2e/box.sh MIRROR OUT.box
#
# Needs root, mmdebstrap, sfdisk, losetup, partx, mkfs.ext4, qemu-img and
# Vagrant's insecure public key (the vagrant package's keys/vagrant.pub).
# The box is what a Vagrant base box is: a kernel and GRUB on one MBR
# partition (ext4), systemd, openssh-server, sudo, rsync, eth0 by DHCP, and
# the user vagrant with passwordless sudo and the insecure key; ssh host
# keys are made at first boot. OUT.box is a tar of metadata.json, a small
# Vagrantfile and box.img (qcow2), written last (through OUT.box.tmp).
# The box's kernel and initrd are also copied out, to OUT.vmlinuz and
# OUT.initrd, for run.sh to check whether KVM boots them.
set -euo pipefail
mirror=$1
out=$2
size_gib=10

pub=$(dpkg -L vagrant | grep '/keys/vagrant\.pub$' | head -n1)
if [[ ! -s $pub ]]; then
  echo "box.sh: Vagrant's insecure public key (keys/vagrant.pub of the vagrant package) is missing" >&2
  exit 1
fi

tmp=$(mktemp -d /var/tmp/envc-box.XXXXXX)
loop=
mnt=$tmp/mnt
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local rc=$?
  set +e
  if [[ -d $mnt ]]; then
    for m in dev/pts dev proc sys ''; do
      mountpoint -q "$mnt/$m" && umount "$mnt/$m"
    done
  fi
  if [[ -n $loop ]]; then
    partx -d "$loop" 2>/dev/null
    losetup -d "$loop"
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The root file system (dpkg without fsync while it is made). udev loads the virtio drivers; ifupdown and
# dhclient bring up eth0 (net.ifnames=0).
hook=$tmp/customize.sh
cat >"$hook" <<'HOOK'
#!/bin/sh
set -e
root=$1
pub=$2
chroot "$root" useradd -m -U -s /bin/bash vagrant
printf 'vagrant ALL=(ALL) NOPASSWD: ALL\nDefaults:vagrant !requiretty\n' >"$root/etc/sudoers.d/vagrant"
chmod 0440 "$root/etc/sudoers.d/vagrant"
install -d -m 0700 "$root/home/vagrant/.ssh"
install -m 0600 "$pub" "$root/home/vagrant/.ssh/authorized_keys"
chroot "$root" chown -R vagrant:vagrant /home/vagrant/.ssh
echo bookworm >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tbookworm\n' >"$root/etc/hosts"
printf 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n' >"$root/etc/network/interfaces"
# ssh host keys at first boot: ssh.service's own ExecStartPre (sshd -t)
# fails without them, so it is replaced.
rm -f "$root"/etc/ssh/ssh_host_*
mkdir -p "$root/etc/systemd/system/ssh.service.d"
printf '[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n' >"$root/etc/systemd/system/ssh.service.d/host-keys.conf"
# Under QEMU's emulation the weekly ext4 scrub's start-up check costs a
# minute of each boot.
chroot "$root" systemctl mask e2scrub_reap.service e2scrub_all.timer >/dev/null 2>&1
# A fresh machine id at each first boot.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
cat >"$root/etc/default/grub" <<'GRUB'
GRUB_DEFAULT=0
GRUB_TIMEOUT=0
GRUB_DISTRIBUTOR=Debian
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="net.ifnames=0 biosdevname=0 console=tty0 console=ttyS0,115200"
GRUB_TERMINAL="console serial"
GRUB_SERIAL_COMMAND="serial --speed=115200"
GRUB_DISABLE_OS_PROBER=true
GRUB
HOOK
chmod +x "$hook"
echo "box.sh: mmdebstrap"
# shellcheck disable=SC2016 # mmdebstrap runs the hooks with $1, the root
mmdebstrap --quiet --variant=minbase \
  --setup-hook='mkdir -p "$1/etc/dpkg/dpkg.cfg.d" && echo force-unsafe-io >"$1/etc/dpkg/dpkg.cfg.d/00envc-unsafe-io"' \
  --include=linux-image-amd64,systemd-sysv,udev,kmod,openssh-server,sudo,ifupdown,isc-dhcp-client,grub-pc-bin,grub2-common,rsync \
  --customize-hook="$hook \"\$1\" $pub" \
  --customize-hook='rm "$1/etc/dpkg/dpkg.cfg.d/00envc-unsafe-io"' \
  bookworm "$tmp/rootfs" "$mirror"

# The disk: one MBR partition from 1 MiB, ext4, GRUB in the MBR gap.
echo "box.sh: disk image"
uuid=$(cat /proc/sys/kernel/random/uuid)
printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$uuid" >"$tmp/rootfs/etc/fstab"
disk=$tmp/disk.raw
truncate -s "${size_gib}G" "$disk"
echo 'start=2048, type=83, bootable' | sfdisk --quiet "$disk"
loop=$(losetup --find --show "$disk")
# The partition device: losetup -P does not create it on every kernel.
partx -a "$loop" 2>/dev/null || true
for _ in $(seq 1 50); do
  [[ -b ${loop}p1 ]] && break
  sleep 0.1
done
if [[ ! -b ${loop}p1 ]]; then
  echo "box.sh: no partition device ${loop}p1" >&2
  exit 1
fi
mkfs.ext4 -q -U "$uuid" -L root -d "$tmp/rootfs" "${loop}p1"
mkdir -p "$mnt"
mount "${loop}p1" "$mnt"
mount --bind /dev "$mnt/dev"
mount --bind /dev/pts "$mnt/dev/pts"
mount -t proc proc "$mnt/proc"
mount -t sysfs sysfs "$mnt/sys"
chroot "$mnt" grub-install --target=i386-pc "$loop"
[[ -s $mnt/boot/grub/i386-pc/core.img ]] || { echo "box.sh: grub-install failed" >&2; exit 1; }
# grub-mkconfig would name the loop device: the root is given by UUID.
chroot "$mnt" grub-mkconfig -o /boot/grub/grub.cfg
sed -i "s|root=[^ ]*|root=UUID=$uuid|" "$mnt/boot/grub/grub.cfg"
grep -q "root=UUID=$uuid" "$mnt/boot/grub/grub.cfg" || { echo "box.sh: grub.cfg names no root" >&2; exit 1; }
for m in dev/pts dev proc sys ''; do umount "$mnt/$m"; done
partx -d "$loop" 2>/dev/null || true
losetup -d "$loop"
loop=

echo "box.sh: qcow2 and box"
mkdir -p "$tmp/box"
qemu-img convert -O qcow2 "$disk" "$tmp/box/box.img"
rm -f "$disk"
printf '{"provider":"libvirt","format":"qcow2","virtual_size":%d}\n' "$size_gib" >"$tmp/box/metadata.json"
printf "Vagrant.configure('2') do |config|\nend\n" >"$tmp/box/Vagrantfile"
mkdir -p "$(dirname "$out")"
kernel=("$tmp"/rootfs/boot/vmlinuz-*)
initrd=("$tmp"/rootfs/boot/initrd.img-*)
cp "${kernel[0]}" "${out%.box}.vmlinuz"
cp "${initrd[0]}" "${out%.box}.initrd"
tar -C "$tmp/box" -cf "$out.tmp" metadata.json Vagrantfile box.img
mv "$out.tmp" "$out"
ls -l "$out"
