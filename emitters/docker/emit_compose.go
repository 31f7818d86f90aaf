package docker

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"go.yaml.in/yaml/v3"
)

// emitCompose writes compose.yaml: one service named after the
// environment, built from the Dockerfile beside it, with the ports
// published and the mounts bound as the spec says. It is written even when
// there is nothing to publish or bind, so that `docker compose up --build`
// runs every environment the same way.
func (e *emission) emitCompose() []byte {
	env := e.env
	build := mapping("context", str("."))
	if len(env.Platforms) > 0 {
		platforms := &yaml.Node{Kind: yaml.SequenceNode}
		for _, p := range env.Platforms {
			platforms.Content = append(platforms.Content, str(p))
		}
		build.Content = append(build.Content, key("platforms"), platforms)
	}
	service := mapping("build", build)
	if len(env.Ports) > 0 {
		ports := &yaml.Node{Kind: yaml.SequenceNode}
		for _, p := range env.Ports {
			if !e.checkValue(p.HostIP, p.Range, "host address", true) {
				continue
			}
			port := mapping("target", integer(p.Guest))
			if p.Host != 0 {
				port.Content = append(port.Content, key("published"), str(strconv.Itoa(p.Host)))
			}
			if p.HostIP != "" {
				port.Content = append(port.Content, key("host_ip"), str(p.HostIP))
			}
			port.Content = append(port.Content, key("protocol"), str(protocol(p)))
			ports.Content = append(ports.Content, port)
		}
		service.Content = append(service.Content, key("ports"), ports)
	}
	if len(env.Mounts) > 0 {
		volumes := &yaml.Node{Kind: yaml.SequenceNode}
		for _, m := range env.Mounts {
			okSrc := e.checkValue(m.Source, m.Range, "mount source", true)
			okDst := e.checkValue(m.Target, m.Range, "mount target", true)
			if !okSrc || !okDst {
				continue
			}
			volume := mapping(
				"type", str("bind"),
				"source", str(bindSource(m.Source)),
				"target", str(m.Target),
			)
			if m.ReadOnly {
				volume.Content = append(volume.Content, key("read_only"), boolean(true))
			}
			volumes.Content = append(volumes.Content, volume)
		}
		service.Content = append(service.Content, key("volumes"), volumes)
	}
	if env.Workdir != "" && e.checkValue(env.Workdir, env.WorkdirRange, "workdir", true) {
		service.Content = append(service.Content, key("working_dir"), str(env.Workdir))
	}
	if env.Init {
		service.Content = append(service.Content, key("init"), boolean(true))
	}
	if names := runVarNames(env); len(names) > 0 {
		// The run command's variables, each from the caller's environment
		// when set there (the image holds the defaults).
		environment := &yaml.Node{Kind: yaml.SequenceNode}
		for _, n := range names {
			environment.Content = append(environment.Content, str(n))
		}
		service.Content = append(service.Content, key("environment"), environment)
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{
		mapping("services", mapping(env.Name, service)),
	}}

	var buf bytes.Buffer
	buf.WriteString(emitters.Header("# ", env))
	buf.WriteString("# Run it in this folder: docker compose up --build\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		e.diags = append(e.diags, emitters.Errorf(env.DeclRange, "Cannot write compose.yaml", "Encoding compose.yaml failed: %v.", err))
		return nil
	}
	if err := enc.Close(); err != nil {
		e.diags = append(e.diags, emitters.Errorf(env.DeclRange, "Cannot write compose.yaml", "Encoding compose.yaml failed: %v.", err))
		return nil
	}
	return buf.Bytes()
}

// protocol returns p's protocol, "tcp" when unset.
func protocol(p ir.Port) string {
	if p.Protocol == "" {
		return "tcp"
	}
	return strings.ToLower(p.Protocol)
}

// bindSource returns a mount source as compose.yaml must spell it: Compose
// replaces a leading "~" with the home directory, so a relative path that
// starts with one gets "./" in front.
func bindSource(src string) string {
	if strings.HasPrefix(src, "~") {
		return "./" + src
	}
	return src
}

// mapping returns a block mapping of alternating keys and value nodes.
func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i < len(kv); i += 2 {
		n.Content = append(n.Content, key(kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return n
}

func key(k string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}
}

// str returns a string scalar. Compose interpolates "$" in every value, so
// it is doubled; the YAML encoder quotes whatever would not read back as
// this string.
func str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: strings.ReplaceAll(s, "$", "$$")}
}

func integer(n int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(n)}
}

func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}
