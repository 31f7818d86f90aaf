package docker

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/envc-dev/envc/compiler/ir"
	"go.yaml.in/yaml/v3"
)

// Service is the one service of a compose.yaml written by this package,
// read back into plain values.
type Service struct {
	Name string
	// BuildContext is the build context as written (relative to the
	// folder that holds compose.yaml).
	BuildContext string
	Ports        []ComposePort
	Mounts       []ComposeMount
	WorkingDir   string
	// Init is the service's init (docker run --init).
	Init bool
	// Platforms are the build's platforms (build.platforms).
	Platforms []string
	// Environment are the names the service takes from the caller's
	// environment (environment: [NAME]), sorted.
	Environment []string
	// Healthcheck is the service's healthcheck; nil for none.
	Healthcheck *Healthcheck
	// GPU is the service's one device reservation; nil for none.
	GPU *ComposeGPU
}

// ComposeGPU is a device reservation (deploy.resources.reservations.
// devices): Count 0 is "all".
type ComposeGPU struct {
	Driver       string
	Count        int
	Capabilities []string
}

// ComposePort is one entry of a service's ports.
type ComposePort struct {
	Target    uint32
	Published string
	HostIP    string
	Protocol  string
}

// ComposeMount is one entry of a service's volumes.
type ComposeMount struct {
	Type     string
	Source   string
	Target   string
	ReadOnly bool
}

// composeFile is the subset of the Compose model compose.yaml uses, as
// yaml.v3 decodes it.
type composeFile struct {
	Services map[string]struct {
		Build struct {
			Context   string   `yaml:"context"`
			Platforms []string `yaml:"platforms"`
		} `yaml:"build"`
		Ports []struct {
			Target    uint32 `yaml:"target"`
			Published string `yaml:"published"`
			HostIP    string `yaml:"host_ip"`
			Protocol  string `yaml:"protocol"`
		} `yaml:"ports"`
		Volumes []struct {
			Type     string `yaml:"type"`
			Source   string `yaml:"source"`
			Target   string `yaml:"target"`
			ReadOnly bool   `yaml:"read_only"`
		} `yaml:"volumes"`
		WorkingDir  string   `yaml:"working_dir"`
		Environment []string `yaml:"environment"`
		Init        bool     `yaml:"init"`
		Healthcheck *struct {
			Test        []string `yaml:"test"`
			Interval    string   `yaml:"interval"`
			Timeout     string   `yaml:"timeout"`
			StartPeriod string   `yaml:"start_period"`
			Retries     int      `yaml:"retries"`
		} `yaml:"healthcheck"`
		Deploy *struct {
			Resources struct {
				Reservations struct {
					Devices []struct {
						Driver       string   `yaml:"driver"`
						Count        string   `yaml:"count"`
						Capabilities []string `yaml:"capabilities"`
					} `yaml:"devices"`
				} `yaml:"reservations"`
			} `yaml:"resources"`
		} `yaml:"deploy"`
	} `yaml:"services"`
}

// unescapeCompose reads s as Compose interpolates a value that holds no
// variable: "$$" is a literal "$". The writer doubles every "$", so any
// other "$" (which Compose would take for a variable, or refuse) is an
// error. It stands in for compose-go's template package, whose patterns
// would be compiled at every start of envc; TestUnescapeComposeIsCompose
// holds it to that package.
func unescapeCompose(s string) (string, error) {
	i := strings.IndexByte(s, '$')
	if i < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for ; i >= 0; i = strings.IndexByte(s, '$') {
		if i+1 >= len(s) || s[i+1] != '$' {
			return "", fmt.Errorf("a $ not doubled in %q: Compose would read a variable there", s)
		}
		b.WriteString(s[:i+1])
		s = s[i+2:]
	}
	b.WriteString(s)
	return b.String(), nil
}

// readWrittenCompose reads compose.yaml back as Emit's self-check does on
// every compile: with the YAML parser, and Compose's interpolation of what
// this package writes (unescapeCompose: "$$" reads as "$", and any other
// "$" is refused), refusing any key this package does not write. It is
// dockerread.ReadCompose without the JSON-schema validation and
// normalization of compose-go's loader, whose schema compilation alone
// costs more than the rest of a small compilation; tests run both readers
// and demand the same result.
func readWrittenCompose(data []byte) (*Service, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f composeFile
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if len(f.Services) != 1 {
		return nil, fmt.Errorf("%d services, want one", len(f.Services))
	}
	var err error
	interpolate := func(s string) string {
		out, e := unescapeCompose(s)
		if e != nil && err == nil {
			err = e
		}
		return out
	}
	var s *Service
	for name, sc := range f.Services {
		s = &Service{Name: name, BuildContext: interpolate(sc.Build.Context), WorkingDir: interpolate(sc.WorkingDir), Init: sc.Init}
		for _, n := range sc.Environment {
			s.Environment = append(s.Environment, interpolate(n))
		}
		slices.Sort(s.Environment)
		for _, p := range sc.Ports {
			s.Ports = append(s.Ports, ComposePort{Target: p.Target, Published: interpolate(p.Published), HostIP: interpolate(p.HostIP), Protocol: interpolate(p.Protocol)})
		}
		for _, v := range sc.Volumes {
			s.Mounts = append(s.Mounts, ComposeMount{Type: interpolate(v.Type), Source: interpolate(v.Source), Target: interpolate(v.Target), ReadOnly: v.ReadOnly})
		}
		for _, p := range sc.Build.Platforms {
			s.Platforms = append(s.Platforms, interpolate(p))
		}
		if h := sc.Healthcheck; h != nil {
			hc := &Healthcheck{Retries: h.Retries}
			for _, a := range h.Test {
				hc.Test = append(hc.Test, interpolate(a))
			}
			if len(hc.Test) < 2 || hc.Test[0] != "CMD" {
				return nil, fmt.Errorf("healthcheck test not in exec form")
			}
			hc.Test = hc.Test[1:]
			for _, d := range []struct {
				text string
				to   *time.Duration
			}{{h.Interval, &hc.Interval}, {h.Timeout, &hc.Timeout}, {h.StartPeriod, &hc.StartPeriod}} {
				if d.text == "" {
					continue
				}
				v, e := time.ParseDuration(interpolate(d.text))
				if e != nil {
					return nil, fmt.Errorf("healthcheck: %w", e)
				}
				*d.to = v
			}
			s.Healthcheck = hc
		}
		if d := sc.Deploy; d != nil {
			devs := d.Resources.Reservations.Devices
			if len(devs) != 1 {
				return nil, fmt.Errorf("%d device reservations, want one", len(devs))
			}
			g := &ComposeGPU{Driver: interpolate(devs[0].Driver)}
			if c := interpolate(devs[0].Count); c != "all" {
				n, e := strconv.Atoi(c)
				if e != nil || n < 1 {
					return nil, fmt.Errorf("device count %q", c)
				}
				g.Count = n
			}
			for _, c := range devs[0].Capabilities {
				g.Capabilities = append(g.Capabilities, interpolate(c))
			}
			s.GPU = g
		}
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// composeWant returns what compose.yaml for env must read back as.
func composeWant(env *ir.Env) *Service {
	s := &Service{Name: env.Name, BuildContext: ".", WorkingDir: env.Workdir, Init: env.Init, Platforms: env.Platforms, Environment: runVarNames(env)}
	for _, p := range env.Ports {
		cp := ComposePort{Target: uint32(p.Guest), HostIP: p.HostIP, Protocol: protocol(p)}
		if p.Host != 0 {
			cp.Published = strconv.Itoa(p.Host)
		}
		s.Ports = append(s.Ports, cp)
	}
	for _, m := range env.Mounts {
		s.Mounts = append(s.Mounts, ComposeMount{Type: "bind", Source: bindSource(m.Source), Target: m.Target, ReadOnly: m.ReadOnly})
	}
	if h := env.Healthcheck; h != nil {
		s.Healthcheck = &Healthcheck{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	}
	if g := env.GPU; g != nil {
		s.GPU = &ComposeGPU{Driver: g.Vendor, Count: g.Count, Capabilities: g.Capabilities}
	}
	return s
}

// diff returns "" when got says what s says, otherwise the first field
// that differs.
func (s *Service) diff(got *Service) string {
	a, b := reflect.ValueOf(*s), reflect.ValueOf(*got)
	for i := 0; i < a.NumField(); i++ {
		if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
			return a.Type().Field(i).Name
		}
	}
	return ""
}

// runVarNames returns the names of env's run-time variables (run_env),
// sorted: compose.yaml passes each from the caller's environment.
func runVarNames(env *ir.Env) []string {
	var names []string
	for _, v := range env.RunVars {
		names = append(names, v.Name)
	}
	slices.Sort(names)
	return names
}
