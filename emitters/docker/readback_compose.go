package docker

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strconv"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/envc-dev/envc/compiler/ir"
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

// ComposeProject is the fixed project name ReadCompose loads under.
const ComposeProject = "envc"

// ReadCompose loads data with compose-go's loader, the one Docker Compose
// uses: schema validation, interpolation (with an empty environment) and
// normalization, but no path resolution, so relative paths stay as
// written. The file must define exactly one service.
func ReadCompose(data []byte) (*Service, error) {
	return readCompose(data, "/", false)
}

// readCompose loads data as if it were in workingDir, resolving paths
// (as `docker compose` does) when resolve is set.
func readCompose(data []byte, workingDir string, resolve bool) (*Service, error) {
	details := types.ConfigDetails{
		WorkingDir:  workingDir,
		ConfigFiles: []types.ConfigFile{{Filename: ComposeName, Content: data}},
		Environment: types.Mapping{},
	}
	project, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName(ComposeProject, true)
		o.ResolvePaths = resolve
	})
	if err != nil {
		return nil, err
	}
	if len(project.Services) != 1 {
		return nil, fmt.Errorf("%d services, want one", len(project.Services))
	}
	names := make([]string, 0, 1)
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	sc := project.Services[names[0]]
	s := &Service{Name: names[0], WorkingDir: sc.WorkingDir}
	if sc.Build != nil {
		s.BuildContext = sc.Build.Context
	}
	for _, p := range sc.Ports {
		s.Ports = append(s.Ports, ComposePort{Target: p.Target, Published: p.Published, HostIP: p.HostIP, Protocol: p.Protocol})
	}
	for _, v := range sc.Volumes {
		s.Mounts = append(s.Mounts, ComposeMount{Type: v.Type, Source: v.Source, Target: v.Target, ReadOnly: v.ReadOnly})
	}
	return s, nil
}

// composeWant returns what compose.yaml for env must read back as.
func composeWant(env *ir.Env) *Service {
	s := &Service{Name: env.Name, BuildContext: ".", WorkingDir: env.Workdir}
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
