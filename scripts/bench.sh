#!/usr/bin/env bash
# Times whole-process `envc compile` (all four targets): a Go hello-world
# and `envc version` as the floor, the preCICE example, the preCICE example
# generated at 1x, 10x, 100x and 1000x, and the large recipe (10,000
# packages, 2,000 env vars, 500 ports, 500 mounts, 500 setup steps); for
# the large recipe also `-t docker` alone and a recompile into a folder
# that already holds the same outputs; for the preCICE example and the
# large recipe, a process that only parses the file with HCL's parser
# (internal/benchdata/cmd/hclparse), the floor of any compile of it.
# internal/benchdata/cmd/proctime runs them: the wall time of each process
# from its start to its end (nothing else in the window), its peak RSS,
# the medians of RUNS runs, the commands of a goal run in turns. The
# preCICE example and the large recipe are also timed with
# GODEBUG=disablethp=1, which keeps envc's heap on small pages. Prints the
# table, then the goals of docs/performance.md checked against it: each
# goal, its ratio, the bound, met or NOT met.
#
# The llb target repeats every environment variable in every later exec op
# (LLB has no other way to set a process's environment), so its output
# grows with setup steps x env vars; the table also times the three other
# targets alone, whose output grows linearly.
#
#   scripts/bench.sh            # RUNS=9 for small specs, BIG_RUNS=5 for 100x and up
#   RUNS=21 BIG_RUNS=9 scripts/bench.sh
set -euo pipefail

RUNS=${RUNS:-9}
BIG_RUNS=${BIG_RUNS:-5}
GO=${GO:-go}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# envc is built as the README installs it: static (CGO_ENABLED=0).
CGO_ENABLED=0 $GO build -o "$work/envc" ./cmd/envc
$GO build -o "$work/specgen" ./internal/specgen/cmd/specgen
$GO build -o "$work/hclparse" ./internal/benchdata/cmd/hclparse
$GO build -o "$work/proctime" ./internal/benchdata/cmd/proctime
mkdir -p "$work/hello"
cat >"$work/hello/main.go" <<'GO'
package main

import "fmt"

func main() { fmt.Println("hello, world") }
GO
(cd "$work/hello" && GOFLAGS="" $GO mod init hello >/dev/null 2>&1 && $GO build -o "$work/hello-world" .)

mkdir -p "$work/specs"
cp examples/precice/precice.hcl "$work/specs/example-precice.hcl"
mkdir -p "$work/specs/case"
for n in 1 10 100 1000; do "$work/specgen" -scale "$n" >"$work/specs/precice-${n}x.hcl"; done
"$work/specgen" -large >"$work/specs/large.hcl"

# measure NAME CMD...: adds CMD to the commands timed, $runs times each.
# run_all has proctime run those added since the last run_all, in turns,
# so that the two sides of each goal's ratio see the same machine, and
# the small specs and their floor apart from the large ones, whose runs
# leave the caches cold for whatever runs next. It records the median
# wall time (ms) and peak RSS (KiB) of each as ms[NAME], kb[NAME]. The
# output folder $work/out is removed before each run (a fresh compile);
# $work/kept, which the recompile writes to, is not. envc keeps its
# records in $work/cache, so that the user's cache does not count.
export ENVC_CACHE_DIR=$work/cache
declare -A ms kb n
order=() # the names, in the order added
todo=()  # the commands run_all has not run, as proctime reads them
runs=$RUNS
measure() {
	local name=$1
	shift
	order+=("$name")
	todo+=("$(
		IFS=$'\t'
		echo "$name	$runs	$*"
	)")
}
run_all() {
	local name r t k
	printf '%s\n' "${todo[@]}" | "$work/proctime" -clean "$work/out" >"$work/times.tsv"
	while IFS=$'\t' read -r name r t k; do
		n[$name]=$r ms[$name]=$t kb[$name]=$k
	done <"$work/times.tsv"
	todo=()
}

measure hello-world "$work/hello-world"
measure "envc version" "$work/envc" version
three=docker,singularity,vagrant
for s in example-precice precice-1x precice-10x precice-100x precice-1000x large; do
	case $s in
	precice-100x)
		run_all
		runs=$BIG_RUNS
		;;
	esac
	measure "compile $s" "$work/envc" compile "$work/specs/$s.hcl" -o "$work/out"
	measure "compile $s -t 3" "$work/envc" compile "$work/specs/$s.hcl" -o "$work/out" -t $three
	if [ "$s" = example-precice ]; then
		# What the heap's huge pages (internal/hugeheap) save: Go's own
		# switch turns them off.
		measure "compile $s, no huge pages" GODEBUG=disablethp=1 "$work/envc" compile "$work/specs/$s.hcl" -o "$work/out"
		# The floor of any compile of it: a Go process that parses it
		# with HCL's parser and does nothing else.
		measure "hclparse $s (HCL parse only)" "$work/hclparse" "$work/specs/$s.hcl"
	fi
done
measure "compile large -t docker" "$work/envc" compile "$work/specs/large.hcl" -o "$work/out" -t docker
measure "compile large, no huge pages" GODEBUG=disablethp=1 "$work/envc" compile "$work/specs/large.hcl" -o "$work/out"
measure "recompile large (unchanged)" "$work/envc" compile "$work/specs/large.hcl" -o "$work/kept"
measure "hclparse large (HCL parse only)" "$work/hclparse" "$work/specs/large.hcl"
run_all

printf '\n%-42s %5s %10s %8s %13s\n' "whole process (-t 3: $three)" runs "median ms" "x hello" "peak RSS MiB"
for name in "${order[@]}"; do
	awk -v name="$name" -v r="${n[$name]}" -v t="${ms[$name]}" -v h="${ms[hello-world]}" -v k="${kb[$name]}" \
		'BEGIN {printf "%-42s %5d %10.1f %8.1f %13.1f\n", name, r, t, t/h, k/1024}'
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
# goal TEXT RATIO BOUND: one line of the goals table.
goal() {
	awk -v g="$1" -v v="$2" -v lim="$3" 'BEGIN {printf "%-58s %7.2fx %7.2fx  %s\n", g, v, lim, (v <= lim) ? "met" : "NOT met"}'
}
parse=${ms[hclparse large (HCL parse only)]}
printf '\n%-58s %8s %8s  %s\n' "goal (ratios of median wall times; memory: peak RSS)" ratio bound verdict
goal "large spec, -t docker / HCL parse only" "$(ratio "${ms[compile large -t docker]}" "$parse")" 1.25
goal "large spec, all four targets / HCL parse only" "$(ratio "${ms[compile large]}" "$parse")" 1.75
goal "large spec, unchanged recompile / fresh compile" "$(ratio "${ms[recompile large (unchanged)]}" "${ms[compile large]}")" 0.3
goal "large spec, unchanged recompile memory / fresh compile" "$(ratio "${kb[recompile large (unchanged)]}" "${kb[compile large]}")" 1
goal "small spec (example-precice) / Go hello-world" "$(ratio "${ms[compile example-precice]}" "${ms[hello-world]}")" 2
goal "precice-100x -> precice-1000x time, all four targets" "$(ratio "${ms[compile precice-1000x]}" "${ms[compile precice-100x]}")" 11
