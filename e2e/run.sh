#!/usr/bin/env bash
# End-to-end suite: build what envc emits with the real tools and check,
# inside each built environment, that the targets made the same one.
#
#   e2e/run.sh            (or: make e2e)
#
# Runs as root on Debian 12 with Go. It installs its tools with apt-get,
# then prepares, in the background and at the same time: buildkitd and
# buildctl from the BuildKit module that go.mod pins, Apptainer from its Go
# module (e2e/apptainer.sh), a Debian bookworm base with mmdebstrap, and a
# Vagrant box of Debian bookworm for libvirt (e2e/box.sh). It serves the
# base from a registry on loopback as the docker.io mirror of dockerd and
# buildkitd and starts the Go tests in this folder (go test -tags e2e
# ./e2e) at once; Apptainer and the machines join them when they are
# ready: for the machines it starts virtlogd and libvirtd and writes a
# global Vagrantfile that runs every machine under KVM, or QEMU's
# emulation where KVM does not boot the box's kernel. Every machine,
# libvirt network and pool, daemon and loop device it starts is stopped
# by its own name or PID when it exits, pass or fail.
#
# ENVC_E2E_CACHE (default /var/cache/envc-e2e) keeps the binaries, the
# Apptainer installation, the base rootfs and the box between runs (keyed
# by version, or by the hash of the script that makes them);
# ENVC_E2E_KEEP=1 keeps the work directory; ENVC_E2E_RUN is passed to go
# test -run; ENVC_E2E_REGISTRY_PORT (default 5000) is the registry's port;
# ENVC_E2E_VMS and ENVC_E2E_VM_JOBS choose the machines (e2e/vm_test.go);
# ENVC_E2E_SIMS=all keeps the fast checks in containers (def-sim, and
# vagrant-sim beside a machine) where the real build is in the table;
# ENVC_E2E_INDEX_PORT (default 8301) is the package index's port.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
cache=${ENVC_E2E_CACHE:-/var/cache/envc-e2e}
work=$(mktemp -d /tmp/envc-e2e.XXXXXX)
runid=envc-e2e-${work##*.}
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$work/run" "$work/log"

pids=()      # daemons, stopped last, in reverse order
jobs_bg=()   # background preparations (each in its own process group)
libvirt=     # set once libvirtd runs: machines, network and pool to remove
pool=$runid
net=$runid

# shellcheck disable=SC2317 # called by the EXIT trap
stop_all() {
  local rc=$?
  set +e +m
  local i p
  # Preparations still running (a failure elsewhere): their own traps
  # unmount and detach what they hold.
  for p in "${jobs_bg[@]}"; do
    kill -TERM -- "-$p" 2>/dev/null
  done
  for p in "${jobs_bg[@]}"; do
    wait "$p" 2>/dev/null
  done
  if [[ -n $libvirt ]]; then
    # The machines: vagrant destroy, then whatever is left of this run's
    # domains, network and pool.
    if [[ -s $work/vms.list ]]; then
      while read -r d; do
        [[ -d $d/.vagrant ]] || continue
        (cd "$d" && timeout 300 vagrant destroy -f >>"$work/log/vagrant-destroy.log" 2>&1)
        # The ssh port forwards vagrant-libvirt leaves running.
        for f in "$d"/.vagrant/machines/*/libvirt/pids/*.pid; do
          [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null
        done
      done <"$work/vms.list"
    fi
    virsh list --all --name 2>/dev/null | grep "^$runid-" | while read -r dom; do
      virsh destroy "$dom" >/dev/null 2>&1
      virsh undefine "$dom" --remove-all-storage >/dev/null 2>&1
      echo "e2e: removed machine $dom"
    done
    if virsh net-info "$net" >/dev/null 2>&1; then
      virsh net-destroy "$net" >/dev/null 2>&1
      virsh net-undefine "$net" >/dev/null 2>&1
    fi
    if virsh pool-info "$pool" >/dev/null 2>&1; then
      virsh pool-destroy "$pool" >/dev/null 2>&1
      virsh pool-undefine "$pool" >/dev/null 2>&1
    fi
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
  done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    # dockerd stops its containers and containerd first: give it time.
    for _ in $(seq 1 150); do
      kill -0 "${pids[i]}" 2>/dev/null || break
      sleep 0.2
    done
    kill -9 "${pids[i]}" 2>/dev/null || true
  done
  # Overlay mounts left by a killed daemon would keep the work dir busy.
  if [[ -d $work ]]; then
    grep -o " $work/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    if [[ ${ENVC_E2E_KEEP:-} == 1 ]]; then echo "e2e: kept $work"; else rm -rf "$work"; fi
  fi
  echo "e2e: stopped ${#pids[@]} daemon(s); exit $rc"
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

phase_start=0
phase() { phase_name=$1; phase_start=$(date +%s%N); echo "e2e: == $1"; }
phase_end() {
  local ms=$((($(date +%s%N) - phase_start) / 1000000))
  printf 'e2e: phase %-34s %5d.%d s\n' "$phase_name" $((ms / 1000)) $((ms % 1000 / 100)) | tee -a "$work/timings.txt"
}

# job NAME SCRIPT runs SCRIPT (bash, -eu -o pipefail) in the background
# in a process group of its own, its output in $work/log/NAME.log and its
# wall time added to the timings; wait_job NAME waits for it.
set -m
declare -A job_pid
job() {
  local name=$1 script=$2
  (
    s=$(date +%s%N)
    rc=0
    bash -euo pipefail -c "$script" || rc=$?
    ms=$((($(date +%s%N) - s) / 1000000))
    printf 'e2e: phase %-34s %5d.%d s (background)\n' "$name" $((ms / 1000)) $((ms % 1000 / 100)) >>"$work/timings.txt"
    exit "$rc"
  ) >"$work/log/$name.log" 2>&1 &
  job_pid[$name]=$!
  jobs_bg+=($!)
}
wait_job() {
  local name=$1 rc=0
  wait "${job_pid[$name]}" || rc=$?
  if ((rc != 0)); then
    echo "e2e: $name failed (exit $rc):" >&2
    tail -n 40 "$work/log/$name.log" >&2
    return 1
  fi
  tail -n 3 "$work/log/$name.log"
}

# 1. Tools.
phase "install tools (apt)"
pkgs=(
  # the container builds and the checks
  docker.io runc mmdebstrap docker-registry shellcheck ruby vagrant iptables
  # the package index of the pip-index case
  python3
  # building Apptainer (e2e/apptainer.sh) and running it
  build-essential pkg-config autoconf automake libtool libseccomp-dev libsubid-dev uidmap fakeroot
  cryptsetup squashfs-tools squashfuse fuse2fs fuse-overlayfs fuse3 libfuse3-dev zlib1g-dev
  liblzo2-dev liblz4-dev liblzma-dev libzstd-dev e2fsprogs
  # the machines: vagrant-libvirt, libvirt, QEMU, and making the box (e2e/box.sh)
  vagrant-libvirt libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils dnsmasq-base
  ebtables rsync openssh-client fdisk util-linux iproute2
)
need=()
for p in "${pkgs[@]}"; do
  [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) == "ii " ]] || need+=("$p")
done
if ((${#need[@]} > 0)); then
  echo "e2e: installing ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}" >"$work/log/apt.log" 2>&1 ||
    { tail -n 30 "$work/log/apt.log" >&2; exit 1; }
fi
phase_end

# 2. The slow preparations, at the same time; each is cached.
phase "start the preparations"
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1)
mirror=${mirror:-http://deb.debian.org/debian}
export cache mirror repo

bkver=$(go list -m -f '{{.Version}}' github.com/moby/buildkit)
bkbin=$cache/buildkit-$bkver/bin
export bkver bkbin
if [[ ! -x $bkbin/buildkitd || ! -x $bkbin/buildctl ]]; then
  # shellcheck disable=SC2016 # the job's own shell expands it
  job "build buildkitd+buildctl" '
    moddir=$(go mod download -json "github.com/moby/buildkit@$bkver" | sed -n "s/.*\"Dir\": \"\(.*\)\",/\1/p")
    mkdir -p "$bkbin"
    cd "$moddir" && go build -ldflags "-X github.com/moby/buildkit/version.Version=$bkver" -o "$bkbin/" ./cmd/buildkitd ./cmd/buildctl'
fi

appver=1.4.3
appdir=$cache/apptainer-$appver-$(sha256sum e2e/apptainer.sh | cut -c1-12)
export appver appdir
if [[ ! -f $appdir/.complete ]]; then
  # shellcheck disable=SC2016 # the job's own shell expands it
  job "build apptainer" '
    for d in "$cache"/apptainer-*; do [[ -e $d && $d != "$appdir" ]] && rm -rf "$d"; done
    "$repo/e2e/apptainer.sh" "$appver" "$appdir"'
fi

rootfs=$cache/rootfs/bookworm-minbase.tar
export rootfs
if [[ ! -s $rootfs ]]; then
  # shellcheck disable=SC2016 # the job's own shell expands it
  job "mmdebstrap bookworm (base)" '
    mkdir -p "$(dirname "$rootfs")"
    mmdebstrap --quiet --variant=minbase --format=tar \
      --setup-hook="mkdir -p \"\$1/etc/dpkg/dpkg.cfg.d\" && echo force-unsafe-io >\"\$1/etc/dpkg/dpkg.cfg.d/00envc-unsafe-io\"" \
      --customize-hook="rm \"\$1/etc/dpkg/dpkg.cfg.d/00envc-unsafe-io\"" \
      bookworm "$rootfs.tmp.$$" "$mirror"
    mv "$rootfs.tmp.$$" "$rootfs"'
fi

box=$cache/box/bookworm-libvirt-$(sha256sum e2e/box.sh | cut -c1-12).box
export box
if [[ ! -s $box ]]; then
  # shellcheck disable=SC2016 # the job's own shell expands it
  job "make the box (mmdebstrap, grub)" '
    mkdir -p "$cache/box"
    for f in "$cache"/box/*; do [[ -e $f && $f != "${box%.box}".* ]] && rm -f "$f"; done
    "$repo/e2e/box.sh" "$mirror" "$box"'
fi
phase_end

phase "envc"
CGO_ENABLED=0 go build -o "$work/bin/" ./cmd/envc ./cmd/envc-build
phase_end

phase "wait: buildkit, base"
for j in "build buildkitd+buildctl" "mmdebstrap bookworm (base)"; do
  if [[ -n ${job_pid[$j]:-} ]]; then wait_job "$j"; fi
done
"$bkbin/buildkitd" --version
ls -l "$rootfs"
phase_end

# 3. The base image, served the way an air-gapped site serves it.
phase "start registry, dockerd, buildkitd"
reg=127.0.0.1:${ENVC_E2E_REGISTRY_PORT:-5000}
if (: </dev/tcp/"${reg%:*}"/"${reg#*:}") 2>/dev/null; then
  echo "e2e: $reg is already taken; set ENVC_E2E_REGISTRY_PORT to a free port" >&2
  exit 1
fi
mkdir -p "$work/registry" "$work/docker" "$work/buildkit"
cat >"$work/registry.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: $reg
YAML
docker-registry serve "$work/registry.yml" >"$work/log/registry.log" 2>&1 &
pids+=($!)

dockersock=$work/run/docker.sock
dockerd --data-root "$work/docker" --exec-root "$work/run/docker-exec" --pidfile "$work/run/docker.pid" \
  --host "unix://$dockersock" --registry-mirror "http://$reg" >"$work/log/dockerd.log" 2>&1 &
pids+=($!)

# No garbage collection: the cache test must find the layers of the build
# before it (BuildKit's default policy prunes by the disk's free space),
# and the state is thrown away at the end anyway.
cat >"$work/buildkitd.toml" <<TOML
[worker.oci]
  gc = false
[registry."docker.io"]
  mirrors = ["$reg"]
[registry."$reg"]
  http = true
TOML
bksock=$work/run/buildkitd.sock
"$bkbin/buildkitd" --config "$work/buildkitd.toml" --root "$work/buildkit" --addr "unix://$bksock" >"$work/log/buildkitd.log" 2>&1 &
pids+=($!)

export DOCKER_HOST=unix://$dockersock
export BUILDKIT_HOST=unix://$bksock
docker=/usr/bin/docker # Debian's 20.10 client: another docker first on PATH may refuse BuildKit builds
ready() { "$docker" version >/dev/null 2>&1 && [[ -S $bksock ]] && (: </dev/tcp/"${reg%:*}"/"${reg#*:}") 2>/dev/null; }
for _ in $(seq 1 150); do
  if ready; then break; fi
  sleep 0.2
done
if ! ready; then
  echo "e2e: the daemons did not start:" >&2
  tail -n 20 "$work/log/registry.log" "$work/log/dockerd.log" "$work/log/buildkitd.log" >&2
  exit 1
fi
"$docker" version --format 'dockerd {{.Server.Version}}'
"$bkbin/buildctl" --addr "$BUILDKIT_HOST" debug workers
phase_end

phase "serve a package index"
# The pip-index case installs with pip and pipx from a site's index: the
# wheels Debian ships (pip, setuptools, wheel: pipx's shared libraries)
# and the suite's own application, envc-e2e-hello (made here by
# e2e/hello_wheel.py, for pipx), as a PEP 503 "simple" index served over
# HTTP on the address of dockerd's bridge, which the build containers,
# buildkitd and Apptainer (the host's network) and the machines (through
# their gateway) all reach. Its URL goes to the case as ENVC_VAR_pip_index.
idxhost=$("$docker" network inspect bridge --format '{{(index .IPAM.Config 0).Gateway}}')
if [[ -z $idxhost ]]; then
  # dockerd 20.10 leaves the gateway out of the bridge network's config
  # when it made the bridge itself (a fresh machine): the bridge's own
  # address is the gateway.
  br=$("$docker" network inspect bridge --format '{{index .Options "com.docker.network.bridge.name"}}')
  idxhost=$(ip -4 -o addr show dev "${br:-docker0}" | awk '{split($4, a, "/"); print a[1]; exit}')
fi
[[ -n $idxhost ]] || { echo "e2e: no address for dockerd's bridge" >&2; exit 1; }
idxport=${ENVC_E2E_INDEX_PORT:-8301}
mkdir -p "$work/index/debs" "$work/index/root/simple"
whl=(python3-pip-whl python3-setuptools-whl python3-wheel-whl)
(cd "$work/index/debs" && { apt-get download "${whl[@]}" || { apt-get update -qq && apt-get download "${whl[@]}"; }; }) >"$work/log/index.log" 2>&1 ||
  { tail -n 20 "$work/log/index.log" >&2; exit 1; }
for d in "$work"/index/debs/*.deb; do dpkg-deb -x "$d" "$work/index/x"; done
python3 e2e/hello_wheel.py "$work/index/x/usr/share/python-wheels"
for w in "$work"/index/x/usr/share/python-wheels/*.whl; do
  f=$(basename "$w")
  project=$(echo "${f%%-*}" | tr 'A-Z_.' 'a-z--')
  mkdir -p "$work/index/root/simple/$project"
  cp "$w" "$work/index/root/simple/$project/"
  printf '<a href="%s#sha256=%s">%s</a><br>\n' "$f" "$(sha256sum <"$w" | cut -d' ' -f1)" "$f" >>"$work/index/root/simple/$project/links"
done
for d in "$work"/index/root/simple/*/; do
  { echo '<!DOCTYPE html>'; echo '<html><body>'; cat "$d/links"; echo '</body></html>'; } >"$d/index.html"
  rm "$d/links"
done
ls "$work/index/root/simple"
python3 -m http.server --bind "$idxhost" --directory "$work/index/root" "$idxport" >"$work/log/index-server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  if (: </dev/tcp/"$idxhost"/"$idxport") 2>/dev/null; then break; fi
  sleep 0.1
done
(: </dev/tcp/"$idxhost"/"$idxport") 2>/dev/null || { echo "e2e: the package index did not start:" >&2; tail -n 20 "$work/log/index-server.log" >&2; exit 1; }
export ENVC_VAR_pip_index=http://$idxhost:$idxport/simple
echo "e2e: package index at $ENVC_VAR_pip_index"
phase_end

phase "push base to the registry"
# As the official image: PATH set, bash as the command.
"$docker" import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' "$rootfs" "$reg/library/debian:bookworm" >/dev/null
"$docker" push -q "$reg/library/debian:bookworm"
"$docker" pull -q debian:bookworm
phase_end

# TestBuilders' docker-container:// builder: buildkitd in a container of dockerd.
ENVC_E2E_BUILDKIT_CONTAINER=$(ENVC_E2E_DOCKER=$docker e2e/builders.sh "$work" "$bkbin" "$reg")
export ENVC_E2E_BUILDKIT_CONTAINER

# 4. The cases start now; Apptainer and the machines join when they are
# ready: the tests wait for $work/ready/NAME (or NAME.failed).
phase "go test -tags e2e ./e2e"
mkdir -p "$work/ready"
# The tests run Apptainer through a stand-in that waits until it is built.
apptainer=$work/bin/apptainer
cat >"$apptainer" <<SH
#!/bin/sh
# Written by e2e/run.sh: runs Apptainer once it is built.
while [ ! -e "$work/ready/apptainer" ]; do
  if [ -e "$work/ready/apptainer.failed" ]; then echo "apptainer could not be built: see $work/log/build apptainer.log" >&2; exit 127; fi
  sleep 1
done
exec "$appdir/bin/apptainer" "\$@"
SH
chmod +x "$apptainer"
export VAGRANT_HOME=$work/vagrant.home VAGRANT_DEFAULT_PROVIDER=libvirt VAGRANT_CHECKPOINT_DISABLE=1
export LIBVIRT_DEFAULT_URI=qemu:///system
export ENVC_E2E_WORK=$work ENVC_E2E_ENVC=$work/bin/envc ENVC_E2E_DOCKER=$docker ENVC_E2E_BUILDCTL=$bkbin/buildctl
export ENVC_E2E_REGISTRY=$reg ENVC_E2E_APPTAINER=$apptainer ENVC_E2E_BOX=$box
go test -tags e2e -count=1 -timeout 70m -v ${ENVC_E2E_RUN:+-run "$ENVC_E2E_RUN"} ./e2e >"$work/log/test.log" 2>&1 &
gotest=$!
jobs_bg+=("$gotest")
tail -n +1 -f "$work/log/test.log" --pid "$gotest" | grep --line-buffered -v '^=== \(RUN\|PAUSE\|CONT\|NAME\)' &
follow=$!

# ready NAME: the tests may use NAME; not_ready NAME: they fail saying so.
ready() { touch "$work/ready/$1"; }
not_ready() { touch "$work/ready/$1.failed"; }

# shellcheck disable=SC2317 # called as "${t}_ready"
apptainer_ready() {
  if [[ -n ${job_pid["build apptainer"]:-} ]] && ! wait_job "build apptainer"; then
    return 1
  fi
  "$appdir/bin/apptainer" --version
}

# shellcheck disable=SC2317 # called as "${t}_ready"
vm_ready() {
  if [[ -n ${job_pid["make the box (mmdebstrap, grub)"]:-} ]] && ! wait_job "make the box (mmdebstrap, grub)"; then
    return 1
  fi
  ls -l "$box"
  if virsh -c qemu:///system version >/dev/null 2>&1; then
    echo "e2e: a libvirtd is already running here (pid $(cat /run/libvirtd.pid 2>/dev/null)): the suite starts and stops its own; stop that one, or wait for the run that started it" >&2
    return 1
  fi
  virtlogd >"$work/log/virtlogd.log" 2>&1 &
  pids+=($!)
  libvirtd >"$work/log/libvirtd.log" 2>&1 &
  pids+=($!)
  libvirt=1
  for _ in $(seq 1 150); do
    if virsh version >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
  virsh version | sed -n 4p
  virsh version >/dev/null || { tail -n 20 "$work/log/libvirtd.log" >&2; return 1; }
  # What a run that was killed before it could clean up left defined: no
  # libvirtd ran before this one, so no other run uses it.
  local stale
  for stale in $(virsh list --all --name | grep '^envc-e2e-' || true); do
    virsh destroy "$stale" >/dev/null 2>&1
    virsh undefine "$stale" --remove-all-storage >/dev/null 2>&1 || virsh undefine "$stale" >/dev/null 2>&1
    echo "e2e: removed machine $stale, left by an earlier run"
  done
  for stale in $(virsh net-list --all --name | grep '^envc-e2e-' || true); do
    virsh net-destroy "$stale" >/dev/null 2>&1
    virsh net-undefine "$stale" >/dev/null 2>&1
    echo "e2e: removed network $stale, left by an earlier run"
  done
  for stale in $(virsh pool-list --all --name | grep '^envc-e2e-' || true); do
    virsh pool-destroy "$stale" >/dev/null 2>&1
    virsh pool-undefine "$stale" >/dev/null 2>&1
    echo "e2e: removed storage pool $stale, left by an earlier run"
  done
  # The disks of this run's machines go into a pool of this run, whose
  # folder is kept in the cache with the box: vagrant-libvirt uploads the
  # box's disk there once, as the base volume of every machine's disk.
  boxkey=$(basename "$box" .box)
  for d in "$cache"/vagrant/*; do [[ -e $d && $(basename "$d") != "$boxkey" ]] && rm -rf "$d"; done
  mkdir -p "$cache/vagrant/$boxkey/pool" "$cache/vagrant/$boxkey/boxes"
  # KVM where it boots the box's stock kernel (a kernel that gets as far as
  # running the initrd's /init within 30 s), QEMU's emulation otherwise.
  driver=qemu
  if [[ -w /dev/kvm ]]; then
    qemu-system-x86_64 -accel kvm -cpu host -m 512 -display none -no-reboot -nodefaults -serial stdio \
      -kernel "${box%.box}.vmlinuz" -initrd "${box%.box}.initrd" -append "console=ttyS0 panic=-1" \
      </dev/null >"$work/log/kvm-check.log" 2>&1 &
    local qemu=$!
    jobs_bg+=("$qemu")
    for _ in $(seq 1 60); do
      if grep -q 'Run /init as init process' "$work/log/kvm-check.log"; then driver=kvm; break; fi
      kill -0 "$qemu" 2>/dev/null || break
      sleep 0.5
    done
    kill "$qemu" 2>/dev/null
    wait "$qemu" 2>/dev/null
  fi
  if [[ $driver == kvm ]]; then
    cpu="lv.cpu_mode = 'host-passthrough'"
    echo "e2e: KVM boots the box's kernel: the machines run under KVM"
  else
    cpu="lv.cpu_mode = 'custom'
    lv.cpu_model = 'qemu64'"
    echo "e2e: KVM does not boot the box's kernel here (see log/kvm-check.log): the machines run under QEMU's emulation"
  fi
  virsh pool-define-as "$pool" dir --target "$cache/vagrant/$boxkey/pool" >/dev/null || return 1
  virsh pool-start "$pool" >/dev/null || return 1
  # Vagrant's settings for this machine, outside the generated
  # Vagrantfiles, which run as emitted: libvirt under KVM or QEMU's
  # emulation, one CPU and 1 GiB unless the Vagrantfile says otherwise, the
  # insecure key kept (no key exchange at first boot), rsync for the synced
  # folders (no NFS server), names of this run for the machines and their
  # network. The boxes Vagrant adds are kept in the cache too.
  mkdir -p "$VAGRANT_HOME" "$work/vm" || return 1
  ln -s "$cache/vagrant/$boxkey/boxes" "$VAGRANT_HOME/boxes" || return 1
  cat >"$VAGRANT_HOME/Vagrantfile" <<RUBY || return 1
# Written by e2e/run.sh: how this machine runs the emitted Vagrantfiles.
vm = ENV.fetch('ENVC_E2E_VM', 'vm')
Vagrant.configure('2') do |config|
  config.ssh.insert_key = false
  config.vm.boot_timeout = 1200
  config.vm.allowed_synced_folder_types = [:rsync]
  config.vm.provider :libvirt do |lv|
    lv.uri = 'qemu:///system'
    lv.driver = '$driver'
    $cpu
    lv.cpus = 1
    lv.memory = 1024
    lv.graphics_type = 'none'
    lv.storage_pool_name = '$pool'
    lv.management_network_name = '$net'
    lv.management_network_address = '192.168.123.0/24'
    lv.default_prefix = "$runid-#{vm}-"
  end
end
RUBY
}
# Each as soon as its preparation ends.
todo=(apptainer vm)
while ((${#todo[@]} > 0)); do
  left=()
  for t in "${todo[@]}"; do
    case $t in
      apptainer) j="build apptainer" ;;
      vm) j="make the box (mmdebstrap, grub)" ;;
    esac
    if [[ -n ${job_pid[$j]:-} ]] && kill -0 "${job_pid[$j]}" 2>/dev/null; then
      left+=("$t")
    elif "${t}_ready"; then
      ready "$t"
    else
      not_ready "$t"
    fi
  done
  todo=("${left[@]}")
  ((${#todo[@]} == 0)) || sleep 2
done

rc=0
wait "$gotest" || rc=$?
wait "$follow" || true
phase_end
echo "e2e: wall time of each phase"
cat "$work/timings.txt"
exit "$rc"
