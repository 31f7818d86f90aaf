package buildkit

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/hashicorp/hcl/v2"
)

// imageConfig returns the OCI image config of the environment, after the
// steps were lowered (its Env is the env the build ended with).
func (b *builder) imageConfig() *Image {
	env := b.env
	cfg := ImageConfig{
		User:       env.User,
		Env:        b.vars.strings(),
		WorkingDir: env.Workdir,
	}
	if env.Run != nil {
		cfg.Cmd = append([]string{}, env.Run...)
	}
	if env.Entrypoint != nil {
		cfg.Entrypoint = append([]string{}, env.Entrypoint...)
	}
	for _, p := range env.Ports {
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		cfg.ExposedPorts[portKey(p)] = struct{}{}
	}
	for _, m := range env.Mounts {
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		cfg.Volumes[m.Target] = struct{}{}
	}
	for _, l := range env.Labels {
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		cfg.Labels[l.Key] = l.Value // a later label wins, as with LABEL
	}
	return &Image{
		Platform: b.platform,
		Config:   cfg,
		RootFS:   RootFS{Type: "layers", DiffIDs: []string{}},
	}
}

// healthcheckConfig returns env's healthcheck as Docker's image config
// extension holds it (the test in exec form, "CMD" first); nil for none.
func healthcheckConfig(env *ir.Env) *Healthcheck {
	h := env.Healthcheck
	if h == nil {
		return nil
	}
	return &Healthcheck{
		Test:     append([]string{"CMD"}, h.Test...),
		Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries,
	}
}

// ImageJSON returns the image config img (of a result with healthcheck h,
// nil for none) as image.json and BuildKit's exporter take it: the OCI
// config, with Docker's Healthcheck when there is one (the docker image
// spec's extension, which Docker and Podman read).
func ImageJSON(img *Image, h *Healthcheck) ([]byte, error) {
	if h == nil {
		return MarshalJSON(img)
	}
	with := imageWithHealthcheck{Platform: img.Platform, RootFS: img.RootFS}
	with.Config.ImageConfig, with.Config.Healthcheck = img.Config, h
	return MarshalJSON(with)
}

// portKey is the image config's key for a port, e.g. "8000/tcp".
func portKey(p ir.Port) string {
	proto := p.Protocol
	if proto == "" {
		proto = "tcp"
	}
	return strconv.Itoa(p.Guest) + "/" + proto
}

// runTimeWarnings warns about what only a run-time flag can express: port
// publishing, bind mounts, and VM settings.
func runTimeWarnings(env *ir.Env) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, p := range env.Ports {
		host := strconv.Itoa(p.Host) + ":"
		if p.HostIP != "" {
			ip := p.HostIP
			if strings.Contains(ip, ":") {
				ip = "[" + ip + "]"
			}
			host = ip + ":" + host
		}
		diags = append(diags, emitters.RuleLLBPortHostBinding.Warn(p.Range,
			"docker run -p "+host+portKey(p)))
	}
	for _, m := range env.Mounts {
		spec := "type=bind,source=" + m.Source + ",target=" + m.Target
		if m.ReadOnly {
			spec += ",readonly"
		}
		diags = append(diags, emitters.RuleLLBMountDeclared.Warn(m.Range,
			shell.Join([]string{"docker", "run", "--mount", spec})+" (a relative source is relative to the output folder)"))
	}
	if env.VM.Declared() {
		diags = append(diags, emitters.RuleLLBVMIgnored.Warn(env.VM.Range))
	}
	if env.Init {
		diags = append(diags, emitters.RuleLLBInitRunTime.Warn(env.InitRange))
	}
	if g := env.GPU; g != nil {
		diags = append(diags, emitters.RuleLLBGPURunTime.Warn(g.Range, shell.Join(append([]string{"docker", "run"}, emitters.DockerGPUArgs(g)...))))
	}
	if h := env.HPC; h != nil {
		diags = append(diags, emitters.RuleLLBHPCIgnored.Warn(h.Range))
	}
	return diags
}

// MarshalJSON renders v as image.json and llb.json are written: indented
// JSON with a trailing newline, without escaping <, > and & (encoding/json
// sorts map keys, so the bytes are stable).
func MarshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
