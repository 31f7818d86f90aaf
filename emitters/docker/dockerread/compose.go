package dockerread

import (
	"context"
	"fmt"
	"sort"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/envc-dev/envc/emitters/docker"
)

// ComposeProject is the fixed project name ReadCompose loads under.
const ComposeProject = "envc"

// ReadCompose loads data with compose-go's loader, the one Docker Compose
// uses: schema validation, interpolation (with an empty environment) and
// normalization, but no path resolution, so relative paths stay as
// written. The file must define exactly one service.
func ReadCompose(data []byte) (*docker.Service, error) {
	return LoadCompose(data, "/", true)
}

// LoadCompose loads data as if it were compose.yaml in workingDir,
// resolving relative paths against it as `docker compose` does, unless
// asWritten is set.
func LoadCompose(data []byte, workingDir string, asWritten bool) (*docker.Service, error) {
	details := types.ConfigDetails{
		WorkingDir:  workingDir,
		ConfigFiles: []types.ConfigFile{{Filename: docker.ComposeName, Content: data}},
		Environment: types.Mapping{},
	}
	project, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName(ComposeProject, true)
		o.ResolvePaths = !asWritten
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
	s := &docker.Service{Name: names[0], WorkingDir: sc.WorkingDir, Init: sc.Init != nil && *sc.Init}
	if sc.Build != nil {
		s.BuildContext = sc.Build.Context
		s.Platforms = sc.Build.Platforms
	}
	for _, p := range sc.Ports {
		s.Ports = append(s.Ports, docker.ComposePort{Target: p.Target, Published: p.Published, HostIP: p.HostIP, Protocol: p.Protocol})
	}
	for _, v := range sc.Volumes {
		s.Mounts = append(s.Mounts, docker.ComposeMount{Type: v.Type, Source: v.Source, Target: v.Target, ReadOnly: v.ReadOnly})
	}
	for name, v := range sc.Environment {
		if v != nil {
			return nil, fmt.Errorf("environment %s has a value in compose.yaml; envc passes names only", name)
		}
		s.Environment = append(s.Environment, name)
	}
	sort.Strings(s.Environment)
	return s, nil
}
