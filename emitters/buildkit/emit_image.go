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
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// imageConfig returns the OCI image config of the environment, after the
// steps were lowered (its Env is the env the build ended with).
func (b *builder) imageConfig() *ocispecs.Image {
	env := b.env
	cfg := ocispecs.ImageConfig{
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
	return &ocispecs.Image{
		Platform: ocispecs.Platform{
			Architecture: b.platform.Architecture,
			OS:           b.platform.OS,
			Variant:      b.platform.Variant,
		},
		Config: cfg,
		RootFS: ocispecs.RootFS{Type: "layers", DiffIDs: []digest.Digest{}},
	}
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
	return diags
}

// marshalJSON renders v as indented JSON with a trailing newline, without
// escaping <, > and & (encoding/json sorts map keys, so the bytes are
// stable).
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
