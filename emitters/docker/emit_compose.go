package docker

import (
	"bytes"
	"strconv"
	"strings"
	"time"

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
		build.Content = append(build.Content, key("platforms"), strSeq(env.Platforms))
	}
	service := mapping("build", build)
	if len(env.Ports) > 0 {
		service.Content = append(service.Content, key("ports"), e.composePorts(env.Ports))
	}
	if len(env.Mounts) > 0 {
		service.Content = append(service.Content, key("volumes"), e.composeVolumes(env.Mounts))
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
		service.Content = append(service.Content, key("environment"), strSeq(names))
	}
	if h := env.Healthcheck; h != nil {
		service.Content = append(service.Content, key("healthcheck"), composeHealthcheck(h))
	}
	if g := env.GPU; g != nil {
		service.Content = append(service.Content, key("deploy"), composeGPU(g))
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{
		mapping("services", mapping(env.Name, service)),
	}}
	return e.encodeCompose(doc)
}

// composePorts returns the service's ports: those whose host address
// every target can carry.
func (e *emission) composePorts(ports []ir.Port) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, p := range ports {
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
		seq.Content = append(seq.Content, port)
	}
	return seq
}

// composeVolumes returns the service's bind mounts: those whose source
// and target every target can carry.
func (e *emission) composeVolumes(mounts []ir.Mount) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, m := range mounts {
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
		seq.Content = append(seq.Content, volume)
	}
	return seq
}

// composeGPU returns the service's deploy mapping that reserves the GPUs.
func composeGPU(g *ir.GPU) *yaml.Node {
	count := str("all")
	if g.Count > 0 {
		count = integer(g.Count)
	}
	device := mapping("driver", str(g.Vendor), "count", count, "capabilities", strSeq(g.Capabilities))
	devices := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{device}}
	return mapping("resources", mapping("reservations", mapping("devices", devices)))
}

// encodeCompose returns compose.yaml, doc under its header.
func (e *emission) encodeCompose(doc *yaml.Node) []byte {
	var buf bytes.Buffer
	buf.WriteString(emitters.Header("# ", e.env))
	buf.WriteString("# Run it in this folder: docker compose up --build\n")
	if e.env.GPU != nil {
		buf.WriteString("# The GPUs are reserved here (deploy); the image alone does not ask for them: docker run --gpus.\n")
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		e.diags = append(e.diags, emitters.Errorf(e.env.DeclRange, "Cannot write compose.yaml", "Encoding compose.yaml failed: %v.", err))
		return nil
	}
	if err := enc.Close(); err != nil {
		e.diags = append(e.diags, emitters.Errorf(e.env.DeclRange, "Cannot write compose.yaml", "Encoding compose.yaml failed: %v.", err))
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

// strSeq returns a sequence of the strings ss.
func strSeq(ss []string) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, s := range ss {
		seq.Content = append(seq.Content, str(s))
	}
	return seq
}

func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

// composeHealthcheck returns a service's healthcheck: the test in exec
// form ("CMD" first) and the options the spec gives.
func composeHealthcheck(h *ir.Healthcheck) *yaml.Node {
	test := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{str("CMD")}}
	for _, a := range h.Test {
		test.Content = append(test.Content, str(a))
	}
	n := mapping("test", test)
	for _, o := range []struct {
		name string
		d    time.Duration
	}{{"interval", h.Interval}, {"timeout", h.Timeout}, {"start_period", h.StartPeriod}} {
		if o.d != 0 {
			n.Content = append(n.Content, key(o.name), str(o.d.String()))
		}
	}
	if h.Retries != 0 {
		n.Content = append(n.Content, key("retries"), integer(h.Retries))
	}
	return n
}
