//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/envc-dev/envc/lockfile"
)

const lockSpecV1 = `environment "locked" {
  base     = "debian:bookworm"
  packages = ["curl"]
  run      = ["curl", "--version"]
}
`

// lockTargets are the columns of the lock's probe table: the image
// builds, apptainer build of the locked .def (by the lock's digest) and
// vagrant up of the locked Vagrantfile (a QEMU machine provisioned by the
// locked bootstrap.sh).
var lockTargets = []string{tDocker, tLLB, tApptainer, tVM}

// TestLock locks a Debian case with envc lock on the suite's buildkitd
// (the base resolved through the loopback registry), checks the lock
// against the spec (--check) and updates it on purpose; builds the
// locked outputs in every target and probes, in each, the version of
// every package the lock holds; then rebuilds the Dockerfile without the
// build cache and checks that the image config and the package set are
// the same.
func TestLock(t *testing.T) {
	path := writeSpec(t, "lock", lockSpecV1)
	lp := lockfile.Path(path)
	if _, err := run(20*time.Minute, "", nil, tl.envc, "lock", path, "--progress", "plain"); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(lp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run(time.Minute, "", nil, tl.envc, "lock", path, "--check"); err != nil {
		t.Fatalf("a fresh lock does not cover its spec: %v", err)
	}

	// A new package: --check says so and fails, envc lock adds it and
	// keeps every other pin.
	if err := os.WriteFile(path, []byte(strings.Replace(lockSpecV1, `["curl"]`, `["curl", "jq"]`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := run(time.Minute, "", nil, tl.envc, "lock", path, "--check")
	if err == nil || r.code != 1 || !strings.Contains(r.stderr, `installs "jq"`) {
		t.Fatalf("--check on a stale lock: exit %d, %v\n%s", r.code, err, r.stderr)
	}
	if _, err := run(20*time.Minute, "", nil, tl.envc, "lock", path, "--progress", "quiet"); err != nil {
		t.Fatal(err)
	}
	second, err := os.ReadFile(lp)
	if err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(lp+".first", first, 0o644)
	diff, _ := run(time.Minute, "", nil, "diff", "-u", "--label", "spec.lock.hcl (curl)", "--label", "spec.lock.hcl (curl, jq)", lp+".first", lp)
	os.Remove(lp + ".first")
	// An update on purpose resolves anew: the same archive and registry
	// give the same bytes.
	r, err = run(20*time.Minute, "", nil, tl.envc, "lock", path, "--update", "--progress", "quiet")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(lp); string(again) != string(second) || !strings.Contains(r.stderr, "up to date") {
		t.Errorf("envc lock --update changed a lock of an unchanged archive:\n%s", r.stderr)
	}
	lock, _, diags := lockfile.Read(lp, second)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	entry := lock.Lookup("locked")
	if entry == nil || len(entry.Platforms) != 1 {
		t.Fatalf("lock:\n%s", second)
	}
	plat := entry.Platforms[0]
	if plat.Packages["curl"] == "" || plat.Packages["jq"] == "" || len(plat.Dependencies) == 0 {
		t.Fatalf("the lock misses curl, jq or their dependencies:\n%s", second)
	}

	// The digest is the registry's.
	rd, err := run(time.Minute, "", nil, tl.docker, "image", "inspect", "--format", "{{json .RepoDigests}}", baseImage)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rd.stdout, entry.Digest) {
		t.Errorf("the lock's digest %s is not the registry's (%s)", entry.Digest, strings.TrimSpace(rd.stdout))
	}

	// Every target, built from the locked outputs.
	c := loadSpec(t, "lock", path)
	env := c.envs[0]
	dir := filepath.Join(c.outDir, env.Name)
	pinned := pinnedLines(t, dir)
	results := map[string]*built{}
	for _, tn := range lockTargets {
		var b *built
		var err error
		switch tn {
		case tDocker:
			b, err = buildDocker(c, env, dir)
		case tLLB:
			b, err = buildLLB(c, env)
		case tVM:
			b, err = buildVM(c, env, dir)
		case tApptainer:
			b, err = buildApptainer(c, env, dir)
		}
		if err != nil {
			t.Fatalf("%s: %v", tn, err)
		}
		results[tn] = b
		defer b.done()
	}

	// A probe per package the lock holds.
	want := map[string]string{}
	for n, v := range plat.Packages {
		want[n] = v
	}
	for n, v := range plat.Dependencies {
		want[n] = v
	}
	var fs []fact
	for _, n := range sortedKeys(want) {
		fs = append(fs, fact{"package " + n, fmt.Sprintf(`dpkg-query -W -f='${Version}' %s 2>&1`, shq(n))})
	}
	vals := map[string]map[string]string{}
	for _, tn := range lockTargets {
		v := map[string]string{}
		if err := probeIn(results[tn], asRoot, fs, v); err != nil {
			t.Fatal(err)
		}
		vals[tn] = v
	}
	var b strings.Builder
	fmt.Fprintf(&b, "e2e: lock file\n%s\n", indent(string(second)))
	fmt.Fprintf(&b, "e2e: lock diff after adding jq (envc lock), then envc lock --update: unchanged\n%s\n", indent(diff.stdout))
	fmt.Fprintf(&b, "e2e: pinned lines of each target\n%s\n", indent(pinned))
	fmt.Fprintf(&b, "e2e: probe table: package versions in each target against %s\n", filepath.Base(lp))
	label := func(n string) string {
		if plat.Packages[n] == "" {
			return n + " (dep)"
		}
		return n
	}
	// The first two columns are as wide as their longest cell.
	wn, wv := len("package"), len("lock")
	for n, v := range want {
		wn, wv = max(wn, len(label(n))), max(wv, len(v))
	}
	fmt.Fprintf(&b, "  %-*s %-*s", wn, "package", wv, "lock")
	for _, tn := range lockTargets {
		fmt.Fprintf(&b, " %-12s", tn)
	}
	b.WriteString("\n")
	for _, n := range sortedKeys(want) {
		fmt.Fprintf(&b, "  %-*s %-*s", wn, label(n), wv, want[n])
		for _, tn := range lockTargets {
			got := vals[tn]["package "+n]
			mark := "="
			if got != want[n] {
				mark = "DIFFERS: " + got
				t.Errorf("%s: %s is %q, the lock says %q", tn, n, got, want[n])
			}
			fmt.Fprintf(&b, " %-12s", mark)
		}
		b.WriteString("\n")
	}

	// A rebuild of the locked Dockerfile without the cache gets the same
	// image config and the same package set.
	setOf := func(img string) (string, string) {
		cfg, err := run(time.Minute, "", nil, tl.docker, "image", "inspect", "--format", "{{json .Config}}", img)
		if err != nil {
			t.Fatal(err)
		}
		pk, err := run(time.Minute, "", nil, tl.docker, "run", "--rm", "--entrypoint", "", "--user", "0", img, "dpkg-query", "-W")
		if err != nil {
			t.Fatal(err)
		}
		return canonicalJSON(t, cfg.stdout), pk.stdout
	}
	img := imageName(c, env, tDocker)
	cfg1, pk1 := setOf(img)
	img2 := img + "-again"
	if _, err := run(20*time.Minute, dir, []string{"DOCKER_BUILDKIT=1"}, tl.docker, "build", "-q", "--no-cache", "-t", img2, "."); err != nil {
		t.Fatal(err)
	}
	cfg2, pk2 := setOf(img2)
	if cfg1 != cfg2 {
		t.Errorf("the rebuild's image config differs:\n%s\n%s", cfg1, cfg2)
	}
	if pk1 != pk2 {
		t.Errorf("the rebuild's package set differs:\n%s", lineDiff(pk1, pk2))
	}
	fmt.Fprintf(&b, "  rebuild without cache (docker build --no-cache): image config equal: %v; package set equal: %v (%d packages)\n",
		cfg1 == cfg2, pk1 == pk2, strings.Count(pk1, "\n"))
	out.Lock()
	fmt.Print(b.String())
	out.Unlock()
	if os.Getenv("ENVC_E2E_KEEP") != "1" {
		run(time.Minute, "", nil, tl.docker, "rmi", "-f", img2)
	}
}

// pinnedLines returns the lines of the outputs in dir that carry a pin.
func pinnedLines(t *testing.T, dir string) string {
	var b strings.Builder
	for _, f := range []string{"Dockerfile", "Singularity.def", "Vagrantfile", "bootstrap.sh", "llb.json"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "@sha256:") || strings.Contains(line, "install -y") || strings.Contains(line, "box") && strings.Contains(line, "config.vm") || strings.Contains(line, "Pin:") {
				line = strings.TrimSpace(line)
				if len(line) > 220 {
					line = line[:220] + "..."
				}
				fmt.Fprintf(&b, "%s: %s\n", f, line)
				found = true
			}
		}
		if !found && f != "Vagrantfile" {
			t.Errorf("%s has no pinned line", f)
		}
	}
	return b.String()
}

func canonicalJSON(t *testing.T, s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for l := range ma {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range mb {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
