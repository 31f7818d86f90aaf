#!/usr/bin/env bash
# Builds Apptainer from its Go module and installs it into PREFIX, for the
# end-to-end suite (Debian 12 packages none).
#
#   e2e/apptainer.sh VERSION PREFIX
#
# Needs the build packages run.sh installs (build-essential,
# libseccomp-dev, libsubid-dev, squashfs-tools, ...). PREFIX/.complete is
# written last: run.sh treats a PREFIX without it as not built.
#
# One change to the sources: root on some machines lacks a capability
# (e.g. CAP_SYS_RESOURCE in a Firecracker VM), and Apptainer's starter,
# run as root, asks for the full set and stops with "Requesting capability
# set ... while permitted capability set is ...". --drop-caps or
# "root default capabilities = file" fix exec but not a build's %post, so
# the starter is made to drop, before it asks, the capabilities the
# process does not hold.
set -euo pipefail
ver=$1
prefix=$2
case $prefix in /*) ;; *) echo "apptainer.sh: PREFIX must be absolute" >&2; exit 2 ;; esac

moddir=$(go mod download -json "github.com/apptainer/apptainer@v$ver" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
if [[ -z $moddir ]]; then
  echo "apptainer.sh: go mod download github.com/apptainer/apptainer@v$ver failed" >&2
  exit 1
fi
src=$(mktemp -d /tmp/envc-apptainer-src.XXXXXX)
trap 'rm -rf "$src"' EXIT
cp -r "$moddir/." "$src/"
chmod -R u+w "$src"
cd "$src"
# A module zip has no VERSION file (the version comes from git otherwise)
# and no exec bits.
echo "$ver" >VERSION
find . -type f -exec awk 'FNR == 1 { if (/^#!/) print FILENAME; nextfile }' {} + |
  while IFS= read -r f; do chmod +x "$f"; done

starter=cmd/starter/c/starter.c
anchor='    /* compare requested effective set with the current permitted set */'
if ! grep -qxF "$anchor" "$starter"; then
  echo "apptainer.sh: $starter has changed: the capability patch no longer applies" >&2
  exit 1
fi
patch=$(
  cat <<'C'
    /* Drop the requested capabilities this process does not hold. */
    privileges->capabilities.effective &= current->permitted;
    privileges->capabilities.permitted &= current->permitted;
    privileges->capabilities.inheritable &= current->permitted;
    privileges->capabilities.ambient &= current->permitted;
C
)
awk -v anchor="$anchor" -v patch="$patch" '$0 == anchor { print patch } { print }' "$starter" >"$starter.new"
mv "$starter.new" "$starter"

export GOCACHE=$src/.gocache GOFLAGS=-modcacherw
rm -rf "$prefix"
# The Makefile empties the Go build cache before it builds the starter,
# which then compiles again what the command line compiled: kept instead.
log=$src/build.log
if ! {
  ./mconfig --without-suid --without-network -p "$prefix" &&
    sed -i '/ clean -cache/d' builddir/Makefile &&
    make -C builddir && make -C builddir install
} >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  exit 1
fi
touch "$prefix/.complete"
"$prefix/bin/apptainer" --version
