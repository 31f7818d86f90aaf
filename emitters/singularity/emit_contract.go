package singularity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/internal/lazyre"
)

// The run-time contract's gpu, healthcheck and hpc blocks reach a
// definition file as what the caller must do, in %help (a line each that
// the read-back reads, beside the prose; for an hpc block without binds,
// a sentence) and as notes at the top of
// %runscript: Apptainer asks for a GPU with --nv (or --nvccli), binds
// with --bind, and an MPI program in the "hybrid" model is started by
// the host's launcher, one container per rank.

// runFlags returns the flags `apptainer run` needs for the contract:
// --nv for a GPU, --bind for the cluster's binds.
func (e *emission) runFlags() []string {
	var out []string
	if e.env.GPU != nil {
		out = append(out, "--nv")
	}
	if f := e.bindsFlag(); f != "" {
		out = append(out, word(f))
	}
	return out
}

// bindsFlag returns "--bind=SRC[:DST][:ro],..." for the hpc block's
// binds, "" for none. The compiler keeps ",", ":" and control characters
// out of their paths.
func (e *emission) bindsFlag() string {
	h := e.env.HPC
	if h == nil || len(h.Binds) == 0 {
		return ""
	}
	var list []string
	for _, b := range h.Binds {
		list = append(list, bindText(b))
	}
	return "--bind=" + strings.Join(list, ",")
}

// bindText is b as Apptainer's --bind list spells it.
func bindText(b ir.Bind) string {
	s := b.Source
	if b.Target != b.Source || b.ReadOnly {
		s += ":" + b.Target
	}
	if b.ReadOnly {
		s += ":ro"
	}
	return s
}

// helpJSON returns v as one line of JSON that a definition file carries
// unchanged: no "{" (so no "{{" build argument), which a list of strings
// holds only inside its strings, where \u007b spells it.
func helpJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // strings, numbers and lists cannot fail
	return strings.ReplaceAll(strings.TrimSuffix(buf.String(), "\n"), "{", `\u007b`)
}

// contractHelp returns the %help lines of the run-time contract.
func (e *emission) contractHelp() []string {
	env := e.env
	var lines []string
	if g := env.GPU; g != nil {
		count := "all"
		if g.Count > 0 {
			count = strconv.Itoa(g.Count)
		}
		lines = append(lines,
			"GPU: run with --nv (NVIDIA's driver libraries; --nvccli instead uses nvidia-container-cli and honours NVIDIA_DRIVER_CAPABILITIES):",
			fmt.Sprintf("    gpu count=%s vendor=%s capabilities=%s", count, g.Vendor, strings.Join(g.Capabilities, ",")))
		if g.Count > 0 {
			lines = append(lines, fmt.Sprintf("    Apptainer passes every GPU the host shows; the spec asks for %d: limit them with APPTAINERENV_CUDA_VISIBLE_DEVICES.", g.Count))
		}
	}
	if h := env.Healthcheck; h != nil {
		lines = append(lines,
			"Healthcheck: Apptainer runs none; check a running instance with the test (exit status 0 is healthy):",
			fmt.Sprintf("    healthcheck interval=%s timeout=%s start_period=%s retries=%d test=%s", h.Interval, h.Timeout, h.StartPeriod, h.Retries, helpJSON(h.Test)))
	}
	if h := env.HPC; h != nil {
		mpi := h.MPI
		if mpi == "" {
			mpi = "none"
		}
		if f := e.bindsFlag(); f != "" {
			var binds []string
			for _, b := range h.Binds {
				binds = append(binds, bindText(b))
			}
			lines = append(lines, "Cluster: binds to pass at run time (or set APPTAINER_BIND to the same list), and the MPI model:",
				"    hpc mpi="+mpi+" binds="+helpJSON(binds),
				"    "+word(f))
		} else if h.MPI != "" {
			lines = append(lines, "Cluster: no binds to pass at run time; the MPI model is "+h.MPI+".")
		} else {
			lines = append(lines, "Cluster: no binds to pass at run time, and no MPI model.")
		}
		if h.MPI == ir.MPIHybrid {
			// srun's --mpi names the process-management interface, which
			// is the image's MPI's build option: PMIx or PMI2 (a spec does
			// not say which), so both forms.
			lines = append(lines,
				"MPI (hybrid): the host's launcher starts one container per rank, and the MPI inside the image,",
				"the same implementation as the host's and of a compatible version, connects them:",
				"    mpirun -n RANKS "+e.runLine(),
				"With Slurm, --mpi names the process-management interface the image's MPI was built with,",
				"PMIx or PMI2 (srun --mpi=list shows those the host offers):",
				"    srun --mpi=pmix -n RANKS "+e.runLine(),
				"    srun --mpi=pmi2 -n RANKS "+e.runLine())
		}
	}
	return lines
}

// runLine is `apptainer run` with the contract's flags and the image.
func (e *emission) runLine() string {
	return strings.Join(append(append([]string{"apptainer", "run"}, e.runFlags()...), e.env.Name+".sif"), " ")
}

// runscriptNotes returns the comment lines that open %runscript: what the
// caller must give for the contract.
func (e *emission) runscriptNotes() []string {
	env := e.env
	var lines []string
	if env.GPU != nil {
		lines = append(lines, "# GPU: this image expects NVIDIA GPUs: apptainer run --nv (or --nvccli) IMAGE")
	}
	if f := e.bindsFlag(); f != "" {
		lines = append(lines, "# Binds the cluster must give: apptainer run "+word(f)+" IMAGE")
	}
	if env.HPC != nil && env.HPC.MPI == ir.MPIHybrid {
		lines = append(lines, "# MPI (hybrid): the host's launcher starts this once per rank: mpirun -n RANKS apptainer run IMAGE")
	}
	return lines
}

// contractWarnings raises the rules of the contract.
func (e *emission) contractWarnings() {
	env := e.env
	if g := env.GPU; g != nil {
		more := "Apptainer passes every GPU the host shows."
		if g.Count > 0 {
			more = fmt.Sprintf("Apptainer passes every GPU the host shows, not %d: limit them with APPTAINERENV_CUDA_VISIBLE_DEVICES.", g.Count)
		}
		e.diags = append(e.diags, emitters.RuleSingularityGPUFlag.Warn(g.Range, more))
	}
	if h := env.Healthcheck; h != nil {
		e.diags = append(e.diags, emitters.RuleSingularityHealthcheckDeclared.Warn(h.Range, "apptainer exec instance://NAME "+join(h.Test)))
	}
	if f := e.bindsFlag(); f != "" {
		e.diags = append(e.diags, emitters.RuleSingularityBindsRunTime.Warn(env.HPC.Range, "apptainer run "+word(f)+" "+env.Name+".sif"))
	}
}

var (
	helpGPU         = lazyre.New(`^    gpu count=(all|[0-9]+) vendor=([a-z]+) capabilities=([a-z0-9,]+)$`)
	helpHealthcheck = lazyre.New(`^    healthcheck interval=(\S+) timeout=(\S+) start_period=(\S+) retries=([0-9]+) test=(\[.*\])$`)
	helpHPC         = lazyre.New(`^    hpc mpi=([a-z]+) binds=(\[.*\])$`)
	// helpHPCNoBinds is the sentence that stands for the hpc line when
	// the block has no binds.
	helpHPCNoBinds = lazyre.New(`^Cluster: no binds to pass at run time(?:; the MPI model is ([a-z]+)|, and no MPI model)\.$`)
)

// readContract reads the contract's lines of %help into v.
func readContract(help string, v *effective.Env) error {
	for _, line := range strings.Split(help, "\n") {
		if m := helpGPU().FindStringSubmatch(line); m != nil {
			g := &ir.GPU{Vendor: m[2], Capabilities: strings.Split(m[3], ",")}
			if m[1] != "all" {
				g.Count, _ = strconv.Atoi(m[1])
			}
			v.GPU = g
		}
		if m := helpHealthcheck().FindStringSubmatch(line); m != nil {
			h := &ir.Healthcheck{}
			for i, to := range []*time.Duration{&h.Interval, &h.Timeout, &h.StartPeriod} {
				d, err := time.ParseDuration(m[1+i])
				if err != nil {
					return effective.Errorf("healthcheck", "%%help: %v", err)
				}
				*to = d
			}
			h.Retries, _ = strconv.Atoi(m[4])
			if err := json.Unmarshal([]byte(m[5]), &h.Test); err != nil {
				return effective.Errorf("healthcheck", "%%help: the test: %v", err)
			}
			v.Healthcheck = h
		}
		if m := helpHPC().FindStringSubmatch(line); m != nil {
			h := &ir.HPC{}
			if m[1] != "none" {
				h.MPI = m[1]
			}
			var binds []string
			if err := json.Unmarshal([]byte(m[2]), &binds); err != nil {
				return effective.Errorf("hpc", "%%help: the binds: %v", err)
			}
			for _, s := range binds {
				b, ok := parseBindText(s)
				if !ok {
					return effective.Errorf("hpc", "%%help: the bind %q", s)
				}
				h.Binds = append(h.Binds, b)
			}
			v.HPC = h
		}
		if m := helpHPCNoBinds().FindStringSubmatch(line); m != nil {
			v.HPC = &ir.HPC{MPI: m[1]}
		}
	}
	return nil
}

// parseBindText reads bindText's form back.
func parseBindText(s string) (ir.Bind, bool) {
	parts := strings.Split(s, ":")
	var b ir.Bind
	switch {
	case len(parts) == 1:
		b.Source, b.Target = s, s
	case len(parts) == 2:
		b.Source, b.Target = parts[0], parts[1]
	case len(parts) == 3 && parts[2] == "ro":
		b.Source, b.Target, b.ReadOnly = parts[0], parts[1], true
	default:
		return b, false
	}
	return b, b.Source != "" && b.Target != ""
}
