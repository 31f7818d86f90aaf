package cli

import (
	"strconv"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/effective/effdiff"
	"github.com/envc-dev/envc/emitters/readback"
)

// differences reads target's outputs back with its reader and compares
// them with the spec's view; an output that cannot be read is one
// difference too. An environment whose variables differ by platform is
// read and compared one platform at a time (each difference names it).
func differences(t *testing.T, target string, env *ir.Env, files map[string][]byte) []effdiff.Difference {
	t.Helper()
	r, ok := readback.Lookup(target)
	if !ok {
		t.Fatalf("no reader for target %s", target)
	}
	needTools(t, r.Needs...)
	view := env.ForTarget(target)
	if !view.PlatformValues() {
		return compareRead(r, target, files, effective.ReadOptions{Name: env.Name}, view, "")
	}
	var all []effdiff.Difference
	for _, p := range view.Platforms {
		all = append(all, compareRead(r, target, files, effective.ReadOptions{Name: env.Name, Platform: p}, view.ForPlatform(p), p+": ")...)
	}
	return all
}

// compareRead reads files with r and compares them with view's;
// prefix starts every difference.
func compareRead(r readback.Reader, target string, files map[string][]byte, opts effective.ReadOptions, view *ir.Env, prefix string) []effdiff.Difference {
	got, err := r.Read(files, opts)
	if err != nil {
		con := effective.ErrorConstruct(err)
		if con == "" {
			con = "(whole output)"
		}
		return []effdiff.Difference{{Construct: con, Target: target, Diff: prefix + "cannot read back: " + err.Error()}}
	}
	diffs := effdiff.Compare(target, effective.Expect(target, effective.FromIR(view)), got)
	for i := range diffs {
		diffs[i].Diff = prefix + diffs[i].Diff
	}
	return diffs
}

// TestEquivalence reads every golden case and example back from each of
// the four targets and demands the spec's view, less the differences the
// capability matrix declares.
func TestEquivalence(t *testing.T) {
	for _, c := range goldenCases(t) {
		c := c
		t.Run(c.name, func(t *testing.T) {
			cc := goldenOnce(t, c)
			for _, env := range cc.envs {
				for _, r := range readback.All() {
					t.Run(env.Name+"/"+r.Target, func(t *testing.T) {
						for _, d := range differences(t, r.Target, env, cc.files[env.Name]) {
							t.Errorf("environment %s: %s%s", env.Name, d, declared(d))
						}
					})
				}
			}
		})
	}
}

// declared describes what the matrix says about a difference's cell, to
// tell a reader whether a declaration is missing or an emitter is wrong.
func declared(d effdiff.Difference) string {
	c := emitters.LookupCapability(d.Construct, d.Target)
	if c == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nThe matrix says " + d.Construct + " on " + d.Target + " is " + c.Mapping + " (" + c.How + ")")
	for _, dv := range effective.Divergences(d.Target) {
		if dv.Construct == d.Construct {
			b.WriteString("; declared difference: " + dv.Reason)
		}
	}
	return b.String()
}

// mutation is a deliberate break of one emitter's output.
type mutation struct {
	name   string
	target string
	file   string
	// edit changes the file's bytes; it must change them.
	edit      func(string) string
	construct string // the construct the comparison must name
}

// replaceLast replaces the last occurrence of old in s.
func replaceLast(s, old, new string) string {
	i := strings.LastIndex(s, old)
	if i < 0 {
		return s
	}
	return s[:i] + new + s[i+len(old):]
}

// swapSteps swaps the bodies of steps a and b (marked "# step N: KIND")
// in a script.
func swapSteps(s string, a, b int) string {
	lines := strings.SplitAfter(s, "\n")
	block := func(n int) (int, int) {
		start, end := -1, len(lines)
		for i, l := range lines {
			if strings.HasPrefix(l, "# step "+strconv.Itoa(n)+":") {
				start = i + 1
			} else if start >= 0 && i >= start && strings.HasPrefix(l, "# ") && (strings.HasPrefix(l, "# step ") || strings.HasPrefix(l, "# after")) {
				end = i
				break
			}
		}
		return start, end
	}
	as, ae := block(a)
	bs, be := block(b)
	if as < 0 || bs < 0 || ae != bs-1 {
		return s
	}
	out := append([]string{}, lines[:as]...)
	out = append(out, lines[bs:be]...)
	out = append(out, lines[ae]) // the comment of step b, now holding a's body
	out = append(out, lines[as:ae]...)
	out = append(out, lines[be:]...)
	return strings.Join(out, "")
}

// TestEquivalenceCatchesBrokenEmitters breaks one emitter's output at a
// time and demands that the comparison fails, naming the construct and
// the target.
func TestEquivalenceCatchesBrokenEmitters(t *testing.T) {
	c := goldenCaseNamed(t, "all-constructs")
	cc := goldenOnce(t, c)
	env := cc.envs[0]
	mutations := []mutation{
		{"Dockerfile ENV value changed", "docker", "Dockerfile",
			func(s string) string { return strings.Replace(s, "ENV OMP_NUM_THREADS=2", "ENV OMP_NUM_THREADS=3", 1) }, "env"},
		{"Dockerfile COPY mode changed", "docker", "Dockerfile",
			func(s string) string { return strings.Replace(s, "COPY --chmod=600", "COPY --chmod=644", 1) }, "file"},
		{"Dockerfile setup steps reordered", "docker", "Dockerfile",
			func(s string) string {
				a := "RUN echo \"$GREETING\" > /etc/greeting\n"
				i := strings.Index(s, a)
				j := strings.Index(s, "RUN id -u sim")
				if i < 0 || j < 0 {
					return s
				}
				return s[:i] + s[i+len(a):j] + a + s[j:]
			}, "setup"},
		{"compose.yaml published port changed", "docker", "compose.yaml",
			func(s string) string { return strings.Replace(s, `published: "15353"`, `published: "15354"`, 1) }, "port"},
		{"image.json user changed", "llb", "image.json",
			func(s string) string { return strings.Replace(s, `"User": "sim"`, `"User": "root"`, 1) }, "user"},
		{"image.json run command changed", "llb", "image.json",
			func(s string) string { return strings.Replace(s, `"--threads",`, `"--thread",`, 1) }, "run"},
		{"image.json env var dropped", "llb", "image.json",
			func(s string) string { return strings.Replace(s, "\"OMP_NUM_THREADS=2\",\n      ", "", 1) }, "env"},
		{"Singularity.def %environment export dropped", "singularity", "Singularity.def",
			func(s string) string { return replaceLast(s, "export OMP_NUM_THREADS=2\n", "") }, "env"},
		{"Singularity.def %post export dropped", "singularity", "Singularity.def",
			func(s string) string { return strings.Replace(s, "export OMP_NUM_THREADS=2\n", "", 1) }, "env"},
		{"Singularity.def package dropped", "singularity", "Singularity.def",
			func(s string) string { return strings.Replace(s, "git vim python3", "git python3", 1) }, "packages"},
		{"Singularity.def run command changed", "singularity", "Singularity.def",
			func(s string) string {
				return strings.Replace(s, "exec /usr/local/bin/run-sim --threads 2", "exec /usr/local/bin/run-sim --threads 3", 1)
			}, "run"},
		{"bootstrap.sh setup steps reordered", "vagrant", "bootstrap.sh",
			func(s string) string { return swapSteps(s, 5, 6) }, "setup"},
		{"bootstrap.sh profile export dropped", "vagrant", "bootstrap.sh",
			func(s string) string {
				return replaceLast(s, "export GREETING=\"it's \\\"quoted\\\" and costs \\$5\"\n", "")
			}, "env"},
		{"Vagrantfile CPUs changed", "vagrant", "Vagrantfile",
			func(s string) string { return strings.Replace(s, "vb.cpus = 2", "vb.cpus = 4", 1) }, "vm"},
		{"Vagrantfile forwarded port dropped", "vagrant", "Vagrantfile",
			func(s string) string {
				return strings.Replace(s, "  config.vm.network 'forwarded_port', guest: 8888, host: 8888, protocol: 'tcp'\n", "", 1)
			}, "port"},
		{"Vagrantfile read-only dropped", "vagrant", "Vagrantfile",
			func(s string) string { return strings.Replace(s, ", mount_options: ['ro']", "", 1) }, "mount"},
	}
	runMutations(t, cc, env, mutations)
}

// runMutations applies each mutation to env's files of cc and demands
// that the comparison fails on its construct and target.
func runMutations(t *testing.T, cc *compiledCase, env *ir.Env, mutations []mutation) {
	for _, m := range mutations {
		m := m
		t.Run(m.name, func(t *testing.T) {
			files := map[string][]byte{}
			for p, d := range cc.files[env.Name] {
				files[p] = d
			}
			before := string(files[m.file])
			after := m.edit(before)
			if after == before {
				t.Fatalf("the mutation did not change %s", m.file)
			}
			files[m.file] = []byte(after)
			diffs := differences(t, m.target, env, files)
			found := false
			for _, d := range diffs {
				if d.Construct == m.construct && d.Target == m.target {
					found = true
				}
			}
			if !found {
				t.Errorf("breaking %s did not fail the comparison on %s/%s; differences:\n%s", m.file, m.construct, m.target, effdiff.Report(diffs))
			} else {
				t.Logf("caught: %s", effdiff.Report(diffs))
			}
		})
	}
}

// TestEquivalenceCatchesBrokenContract breaks the run-time contract's
// outputs one at a time (gpu, healthcheck, hpc) and demands that the
// comparison fails, naming the construct and the target.
func TestEquivalenceCatchesBrokenContract(t *testing.T) {
	c := goldenCaseNamed(t, "runtime-contract")
	cc := goldenOnce(t, c)
	env := cc.envs[0]
	replace := func(old, new string) func(string) string {
		return func(s string) string { return strings.Replace(s, old, new, 1) }
	}
	runMutations(t, cc, env, []mutation{
		{"compose.yaml GPU count changed", "docker", "compose.yaml", replace("count: 2", "count: 1"), "gpu"},
		{"compose.yaml healthcheck retries changed", "docker", "compose.yaml", replace("retries: 3", "retries: 4"), "healthcheck"},
		{"Dockerfile HEALTHCHECK interval changed", "docker", "Dockerfile", replace("--interval=30s", "--interval=31s"), "healthcheck"},
		{"image.json Healthcheck retries changed", "llb", "image.json", replace(`"Retries": 3`, `"Retries": 2`), "healthcheck"},
		{"Singularity.def GPU capability dropped", "singularity", "Singularity.def", replace("capabilities=gpu,compute,utility", "capabilities=gpu,compute"), "gpu"},
		{"Singularity.def healthcheck timeout changed", "singularity", "Singularity.def", replace("timeout=5s", "timeout=6s"), "healthcheck"},
		{"Singularity.def bind made read-write", "singularity", "Singularity.def", replace(`"/project/shared:/data:ro"]`, `"/project/shared:/data"]`), "hpc"},
		{"Singularity.def MPI model dropped", "singularity", "Singularity.def", replace("hpc mpi=hybrid", "hpc mpi=none"), "hpc"},
	})
	// An hpc block without binds is a sentence in %help, read back too.
	cc = goldenOnce(t, goldenCaseNamed(t, "corpus-hpccm-mpi-bandwidth"))
	const noBinds = "Cluster: no binds to pass at run time; the MPI model is hybrid.\n"
	runMutations(t, cc, cc.envs[0], []mutation{
		{"Singularity.def MPI model dropped, no binds", "singularity", "Singularity.def", replace(noBinds, "Cluster: no binds to pass at run time, and no MPI model.\n"), "hpc"},
		{"Singularity.def hpc sentence dropped", "singularity", "Singularity.def", replace(noBinds, ""), "hpc"},
	})
}

// TestEquivalenceByTarget checks that each target's read-back is compared
// with that target's own view: in the per-target case, whose target
// blocks give the targets different run-time values, every target read
// back differs from every other target's view.
func TestEquivalenceByTarget(t *testing.T) {
	for _, c := range goldenCases(t) {
		if c.name != "per-target" {
			continue
		}
		cc := goldenOnce(t, c)
		env := cc.envs[0]
		for _, r := range readback.All() {
			needTools(t, r.Needs...)
			got, err := r.Read(cc.files[env.Name], effective.ReadOptions{Name: env.Name})
			if err != nil {
				t.Fatal(err)
			}
			for _, other := range readback.All() {
				diffs := effdiff.Compare(r.Target, effective.Expect(r.Target, effective.FromIR(env.ForTarget(other.Target))), got)
				if (other.Target == r.Target) != (len(diffs) == 0) {
					t.Errorf("%s read back against the view of %s: %d differences", r.Target, other.Target, len(diffs))
				}
			}
		}
		return
	}
	t.Fatal("no golden case per-target")
}
