package compiler

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// gpuCapabilities are the driver capabilities a gpu block may ask for:
// Compose's generic "gpu" and the NVIDIA container toolkit's
// NVIDIA_DRIVER_CAPABILITIES values.
var gpuCapabilities = []string{"gpu", "compute", "utility", "graphics", "video", "display", "compat32"}

// lowerContract lowers the run-time contract's gpu, healthcheck and hpc
// blocks.
func (el *envLowerer) lowerContract() {
	if g := el.e.GPU; g != nil {
		el.env.GPU = el.lowerGPU(g.Count, g.Vendor, g.Capabilities, g.DeclRange)
	}
	if h := el.e.Healthcheck; h != nil {
		el.lowerHealthcheck()
	}
	if h := el.e.HPC; h != nil {
		el.lowerHPC()
	}
}

// lowerGPU lowers a gpu block's attributes.
func (el *envLowerer) lowerGPU(count, vendor, caps *hcl.Attribute, rng hcl.Range) *ir.GPU {
	g := &ir.GPU{Vendor: "nvidia", Range: rng}
	if a := count; a != nil {
		if v, diags := el.ev.value(a.Expr); diags.HasErrors() {
			el.report(diags)
		} else if v.Type() == cty.String && v.AsString() == "all" {
			g.Count = 0
		} else if n, ok := el.integer(a, "GPU count"); ok {
			if n < 1 || n > 1024 {
				el.errorf(a.Expr.Range(), "GPU count out of range", "The GPU count must be between 1 and 1024, or \"all\" (the default) for every GPU the host has; %d is not.", n)
			}
			g.Count = n
		}
	}
	if a := vendor; a != nil {
		if s, ok := el.str(a, "GPU vendor"); ok {
			if s != "nvidia" {
				el.errorf(a.Expr.Range(), "Unsupported GPU vendor",
					"envc carries GPUs of vendor \"nvidia\" (Compose's nvidia driver, Apptainer's --nv), not %q. Use vendor = \"nvidia\", or remove the gpu block and pass the devices at run time.", s)
			}
			g.Vendor = s
		}
	}
	if a := caps; a != nil {
		items, ok := el.strList(a, "GPU capabilities")
		for _, it := range items {
			switch {
			case !slices.Contains(gpuCapabilities, it.Value):
				el.errorf(it.Range, "Unknown GPU capability", "%q is not a GPU capability; use one of %s.", it.Value, strings.Join(gpuCapabilities, ", "))
				ok = false
			case slices.Contains(g.Capabilities, it.Value):
				el.errorf(it.Range, "Duplicate GPU capability", "%q is listed twice. Remove one.", it.Value)
				ok = false
			default:
				g.Capabilities = append(g.Capabilities, it.Value)
			}
		}
		if ok && len(items) == 0 {
			el.errorf(a.Expr.Range(), "Empty GPU capabilities", "List at least one capability, e.g. [\"gpu\"], or remove capabilities for the default [\"gpu\"].")
		}
	}
	if len(g.Capabilities) == 0 {
		g.Capabilities = []string{"gpu"}
	}
	return g
}

// lowerHealthcheck lowers the healthcheck block.
func (el *envLowerer) lowerHealthcheck() {
	h := el.e.Healthcheck
	hc := &ir.Healthcheck{Range: h.DeclRange}
	if h.Test == nil {
		return // the schema reported it
	}
	test, ok := el.lowerArgv(h.Test, "healthcheck command", "Healthcheck command")
	hc.Test = test
	dur := func(a *hcl.Attribute, what string) time.Duration {
		if a == nil {
			return 0
		}
		s, ok := el.str(a, what)
		if !ok {
			return 0
		}
		d, err := time.ParseDuration(s)
		switch {
		case err != nil || strings.ContainsAny(s, "+-"):
			el.errorf(a.Expr.Range(), "Invalid duration", "The %s %q is not a duration: write a number and a unit, e.g. \"30s\", \"1m30s\" or \"500ms\".", what, s)
		case d < time.Millisecond || d > 24*time.Hour || d%time.Millisecond != 0:
			el.errorf(a.Expr.Range(), "Duration out of range", "The %s %s must be whole milliseconds between 1ms and 24h (Docker refuses less than 1ms).", what, s)
		default:
			return d
		}
		return 0
	}
	hc.Interval = dur(h.Interval, "healthcheck interval")
	hc.Timeout = dur(h.Timeout, "healthcheck timeout")
	hc.StartPeriod = dur(h.StartPeriod, "healthcheck start_period")
	if a := h.Retries; a != nil {
		if n, ok := el.integer(a, "healthcheck retries"); ok {
			if n < 1 || n > 1000 {
				el.errorf(a.Expr.Range(), "Retries out of range", "The healthcheck retries must be between 1 and 1000; %d is not. Remove it for the runtime's default (3).", n)
			} else {
				hc.Retries = n
			}
		}
	}
	if ok {
		el.env.Healthcheck = hc
	}
}

// lowerHPC lowers the hpc block: binds as Apptainer writes them
// ("/scratch", "/site/data:/data", "/site/ref:/ref:ro") and the MPI model.
func (el *envLowerer) lowerHPC() {
	h := el.e.HPC
	hpc := &ir.HPC{Range: h.DeclRange}
	if a := h.MPI; a != nil {
		if s, ok := el.str(a, "MPI model"); ok {
			if s != ir.MPIHybrid {
				el.errorf(a.Expr.Range(), "Unknown MPI model",
					"The MPI model %q is not one envc knows: use \"hybrid\" (the host's mpirun or srun starts one container per rank, and the container's MPI, compatible with the host's, connects them), or remove mpi.", s)
			} else {
				hpc.MPI = s
			}
		}
	}
	if a := h.Binds; a != nil {
		items, _ := el.strList(a, "bind")
		seen := map[string]hcl.Range{}
		for _, it := range items {
			b, why := parseBind(it.Value)
			if why != "" {
				el.errorf(it.Range, "Invalid bind", "The bind %q %s. Write an absolute host path, bound at the same place, or \"HOST:CONTAINER\", optionally followed by \":ro\" or \":rw\".", it.Value, why)
				continue
			}
			if prev, dup := seen[b.Target]; dup {
				el.errorf(it.Range, "Duplicate bind", "Something is already bound at %q (at %s). Bind each path once.", b.Target, prev)
				continue
			}
			if slices.ContainsFunc(el.env.Mounts, func(m ir.Mount) bool { return m.Target == b.Target }) {
				el.errorf(it.Range, "Bind over a mount", "A mount block already mounts %q. Bind it once: remove the bind or the mount.", b.Target)
				continue
			}
			seen[b.Target] = it.Range
			hpc.Binds = append(hpc.Binds, b)
		}
	}
	el.env.HPC = hpc
}

// parseBind reads one bind, "SRC[:DST][:ro|:rw]", and says why it is not
// one.
func parseBind(s string) (ir.Bind, string) {
	parts := strings.Split(s, ":")
	var b ir.Bind
	if n := len(parts); n > 1 && (parts[n-1] == "ro" || parts[n-1] == "rw") {
		b.ReadOnly = parts[n-1] == "ro"
		parts = parts[:n-1]
	}
	if len(parts) > 2 {
		return b, "has more than two paths (a path may not hold ':')"
	}
	if len(parts) == 1 {
		parts = append(parts, parts[0])
	}
	for i, p := range parts {
		if why := valueProblem(p, false); why != "" {
			return b, why
		}
		if !strings.HasPrefix(p, "/") {
			return b, fmt.Sprintf("has the relative path %q (binds name the cluster's own paths; a folder of the spec's checkout is a mount block)", p)
		}
		if strings.ContainsAny(p, ",\\") || strings.TrimSpace(p) != p {
			return b, "holds a ',' or '\\', or space at an end, which Apptainer's --bind list cannot carry"
		}
		for _, r := range p {
			if r < ' ' || r == 0x7f {
				return b, "holds a control character"
			}
		}
		parts[i] = path.Clean(p)
	}
	b.Source, b.Target = parts[0], parts[1]
	return b, ""
}
