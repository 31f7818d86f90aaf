//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/envc-dev/envc/compiler/ir"
)

// fromLinePattern matches the From line of each stage of a definition.
var fromLinePattern = regexp.MustCompile(`(?m)^From:[ \t]*(\S+)[ \t]*$`)

// apptainerEnv keeps Apptainer's cache and temporary folders in the work
// directory.
func apptainerEnv() []string {
	return []string{
		"APPTAINER_CACHEDIR=" + filepath.Join(tl.work, "apptainer", "cache"),
		"APPTAINER_TMPDIR=" + filepath.Join(tl.work, "apptainer", "tmp"),
	}
}

// buildApptainer builds the Singularity.def with apptainer build. The
// definition stays as envc wrote it (Bootstrap: docker, From: the base
// image) but for its From lines, which name the loopback registry's copy
// of the base (pulled with --no-https); it is built in its own folder,
// which %files sources are relative to.
func buildApptainer(c *spec, env *ir.Env, dir string) (*built, error) {
	data, err := os.ReadFile(filepath.Join(dir, "Singularity.def"))
	if err != nil {
		return nil, err
	}
	var bad []string
	local := fromLinePattern.ReplaceAllStringFunc(string(data), func(line string) string {
		from := fromLinePattern.FindStringSubmatch(line)[1]
		// A locked .def names the tag and the digest; Apptainer pulls
		// by the digest alone (its image library refuses both).
		if digest, ok := strings.CutPrefix(from, baseImage+"@"); ok {
			repo, _, _ := strings.Cut(baseImage, ":")
			return "From: " + tl.registry + "/library/" + repo + "@" + digest
		}
		if from != baseImage {
			bad = append(bad, from)
			return line
		}
		return "From: " + tl.registry + "/library/" + baseImage
	})
	if len(bad) > 0 || local == string(data) {
		return nil, fmt.Errorf("Singularity.def: From %q, want %q in every stage", bad, baseImage)
	}
	base := filepath.Join(tl.work, "apptainer", c.name+"-"+env.Name)
	for _, d := range []string{filepath.Dir(base), filepath.Join(tl.work, "apptainer", "cache"), filepath.Join(tl.work, "apptainer", "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	def, sif := base+".def", base+".sif"
	if err := os.WriteFile(def, []byte(local), 0o644); err != nil {
		return nil, err
	}
	if err := waitReady("apptainer"); err != nil {
		return nil, err
	}
	defer acquire()()
	r, err := run(20*time.Minute, dir, apptainerEnv(), tl.apptainer, "build", "--force", "--no-https", sif, def)
	if err != nil {
		return nil, err
	}
	return apptainerResult(tApptainer, sif, r.dur, "apptainer build of Singularity.def (From: the loopback registry's copy of "+baseImage+")")
}

// buildSIF builds the spec into a SIF image with envc build --format sif
// and checks it as a cluster's Apptainer sees it: the progress display
// names the squashfs and the SIF; apptainer inspect shows the spec's
// labels, the architecture and the base, and --deffile gives the
// definition file envc emits, from its Bootstrap line (mount sources
// relative to the spec's folder, as with compile -o -). The lolcow SIF is
// built twice: a second build (from BuildKit's cache) gives the same
// bytes. apptainer run and exec on it are the probes.
func buildSIF(c *spec, env *ir.Env) (*built, error) {
	sif := filepath.Join(tl.work, "apptainer", c.name+"-"+env.Name+".envc.sif")
	if err := os.MkdirAll(filepath.Dir(sif), 0o755); err != nil {
		return nil, err
	}
	if err := waitReady("apptainer"); err != nil {
		return nil, err
	}
	build := func() ([]byte, time.Duration, error) {
		defer acquire()()
		r, err := run(20*time.Minute, "", nil, tl.envc, "build", c.path, "-e", env.Name, "--progress", "plain",
			"--format", "sif", "--output", "type=sif,dest="+sif)
		if err != nil {
			return nil, 0, err
		}
		for _, want := range []string{"[sif] squashfs of the root file system", "[sif] writing " + sif} {
			if !strings.Contains(r.stderr, want) {
				return nil, 0, fmt.Errorf("envc build --format sif: the progress display lacks %q", want)
			}
		}
		data, err := os.ReadFile(sif)
		return data, r.dur, err
	}
	first, dur, err := build()
	if err != nil {
		return nil, err
	}
	note := fmt.Sprintf("envc build --format sif (%d MB)", len(first)>>20)
	if c.name == "debian-lolcow" {
		second, _, err := build()
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(first, second) {
			return nil, fmt.Errorf("two builds of %s gave different SIFs: sha256 %x and %x", c.name, sha256.Sum256(first), sha256.Sum256(second))
		}
		note += "; a second build gives the same bytes"
	}

	emitted, err := run(time.Minute, "", nil, tl.envc, "compile", c.path, "-t", "singularity", "-e", env.Name, "-o", "-")
	if err != nil {
		return nil, err
	}
	def := emitted.stdout
	from := fromLinePattern.FindStringSubmatch(def)
	if from == nil {
		return nil, fmt.Errorf("the emitted Singularity.def has no From line")
	}
	wantLabels := []string{"org.label-schema.build-arch: amd64", "org.label-schema.usage.singularity.deffile.from: " + from[1]}
	for _, l := range env.Labels {
		wantLabels = append(wantLabels, l.Key+": "+l.Value)
	}
	r, err := run(time.Minute, "", apptainerEnv(), tl.apptainer, "inspect", sif)
	if err != nil {
		return nil, err
	}
	for _, want := range wantLabels {
		if !strings.Contains(r.stdout, want+"\n") {
			return nil, fmt.Errorf("apptainer inspect lacks %q:\n%s", want, r.stdout)
		}
	}
	r, err = run(time.Minute, "", apptainerEnv(), tl.apptainer, "inspect", "--deffile", sif)
	if err != nil {
		return nil, err
	}
	_, body, _ := strings.Cut(def, "\nBootstrap: ")
	if want := "Bootstrap: " + body; strings.TrimRight(r.stdout, "\n") != strings.TrimRight(want, "\n") {
		return nil, fmt.Errorf("apptainer inspect --deffile:\n%s\nwant the emitted Singularity.def from its Bootstrap: line:\n%s", r.stdout, want)
	}
	note += fmt.Sprintf("; apptainer inspect: %d labels as the spec's, --deffile the emitted .def", len(wantLabels))
	return apptainerResult(tSIF, sif, dur, note)
}

// apptainerResult runs commands in a SIF image as apptainer run does:
// the image's environment (--cleanenv: none of the caller's), no host
// folders (--contain), as the caller, which is root here. The probes run
// the image's own runscript with the entrypoint taken out, as
// `docker run --entrypoint` does.
func apptainerResult(target, sif string, dur time.Duration, note string) (*built, error) {
	opts := []string{"--cleanenv", "--contain", "--hostname", "envc-e2e"}
	r, err := run(time.Minute, "/", apptainerEnv(), tl.apptainer, "exec", sif, "cat", "/.singularity.d/runscript")
	if err != nil {
		return nil, err
	}
	probeScript := withoutEntrypoint(r.stdout)
	return &built{target: target, dur: dur, note: note, exec: func(m mode, argv []string) (cmdResult, error) {
		var args []string
		switch m {
		case asRunCommand:
			args = append(append([]string{"exec"}, opts...), sif, "/bin/sh", "-c", probeScript, "runscript")
		case asRoot:
			args = append(append([]string{"exec"}, opts...), sif)
		default:
			args = append(append([]string{"run"}, opts...), sif)
		}
		r, err := run(5*time.Minute, "/", apptainerEnv(), append(append([]string{tl.apptainer}, args...), argv...)...)
		r.stderr = apptainerNoise(r.stderr)
		return r, err
	}, done: func() {
		if os.Getenv("ENVC_E2E_KEEP") != "1" {
			os.Remove(sif)
		}
	}}, nil
}

// apptainerNoise drops the lines Apptainer itself writes to stderr.
func apptainerNoise(stderr string) string {
	var keep []string
	for _, l := range strings.SplitAfter(stderr, "\n") {
		if strings.HasPrefix(l, "INFO:") || strings.HasPrefix(l, "WARNING:") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "")
}
