package builder

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/moby/buildkit/client"
)

// DefaultAddr is the standard local socket of a root buildkitd.
const DefaultAddr = "unix:///run/buildkit/buildkitd.sock"

// Addr returns the daemon address to use: flag if set, else BUILDKIT_HOST
// from environ, else DefaultAddr.
func Addr(flag string, environ []string) string {
	if flag != "" {
		return flag
	}
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "BUILDKIT_HOST="); ok && v != "" {
			return v
		}
	}
	return DefaultAddr
}

// TLS holds the client's TLS settings for a tcp:// daemon; all empty means
// no TLS.
type TLS struct {
	ServerName string
	CACert     string
	Cert       string
	Key        string
}

func (t TLS) clientOpts() ([]client.ClientOpt, error) {
	var opts []client.ClientOpt
	if (t.Cert == "") != (t.Key == "") {
		return nil, fmt.Errorf("--tlscert and --tlskey must be given together")
	}
	if t.CACert != "" {
		opts = append(opts, client.WithServerConfig(t.ServerName, t.CACert))
	} else if t.ServerName != "" || t.Cert != "" {
		opts = append(opts, client.WithServerConfigSystem(t.ServerName))
	}
	if t.Cert != "" {
		opts = append(opts, client.WithCredentials(t.Cert, t.Key))
	}
	return opts, nil
}

// splitCSV reads one buildctl-style value: comma-separated key=value pairs
// (a field with a comma is written in double quotes).
func splitCSV(s string) (map[string]string, error) {
	r := csv.NewReader(strings.NewReader(s))
	fields, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%q: %w", s, err)
	}
	attrs := map[string]string{}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" {
			return nil, fmt.Errorf("%q: %q is not of the form key=value", s, f)
		}
		attrs[k] = v
	}
	return attrs, nil
}

// Output is one parsed --output value.
type Output struct {
	Type  string
	Dest  string
	Attrs map[string]string
}

// ExporterSIF is the output type of a SIF: the root file system with
// Apptainer's metadata laid into it, as a squashfs in a SIF file (see
// BuildLLB).
const ExporterSIF = "sif"

// ParseOutput reads an --output value: type=oci|docker|tar,dest=FILE (or
// dest=- for standard output), type=local,dest=DIR,
// type=image,name=REF[,push=true] (any other key is passed to the
// exporter), or type=sif,dest=FILE.
func ParseOutput(s string) (Output, error) {
	attrs, err := splitCSV(s)
	if err != nil {
		return Output{}, err
	}
	o := Output{Type: attrs["type"], Dest: attrs["dest"], Attrs: attrs}
	delete(attrs, "type")
	delete(attrs, "dest")
	switch o.Type {
	case client.ExporterOCI, client.ExporterDocker, client.ExporterTar, client.ExporterLocal:
		if o.Dest == "" {
			return Output{}, fmt.Errorf("output %q needs dest=", s)
		}
		if o.Type == client.ExporterLocal && o.Dest == "-" {
			return Output{}, fmt.Errorf("output %q: a local output needs a directory", s)
		}
	case ExporterSIF:
		if o.Dest == "" || o.Dest == "-" {
			return Output{}, fmt.Errorf("output %q needs dest=FILE (a SIF is written to a file)", s)
		}
		if len(attrs) > 0 {
			return Output{}, fmt.Errorf("output %q: type=sif takes only dest=, not %s=", s, slices.Sorted(maps.Keys(attrs))[0])
		}
	case client.ExporterImage, "registry":
		if attrs["name"] == "" {
			return Output{}, fmt.Errorf("output %q needs name=", s)
		}
		if o.Type == "registry" {
			o.Type = client.ExporterImage
			attrs["push"] = "true"
		}
	case "":
		return Output{}, fmt.Errorf("output %q has no type= (oci, docker, tar, local, image, sif)", s)
	default:
		return Output{}, fmt.Errorf("output %q: unknown type %q (oci, docker, tar, local, image, sif)", s, o.Type)
	}
	return o, nil
}

// entry turns o into the client's export entry; stdout receives dest=-.
func (o Output) entry(stdout io.Writer) client.ExportEntry {
	e := client.ExportEntry{Type: o.Type, Attrs: o.Attrs}
	switch o.Type {
	case client.ExporterLocal:
		e.OutputDir = o.Dest
	case client.ExporterOCI, client.ExporterDocker, client.ExporterTar:
		dest := o.Dest
		e.Output = func(map[string]string) (io.WriteCloser, error) {
			if dest == "-" {
				return nopCloser{stdout}, nil
			}
			return os.Create(dest)
		}
	}
	return e
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// Cache is one parsed --cache-to or --cache-from value, passed to BuildKit
// as it is: type=registry,ref=..., type=local,dest=|src=..., type=inline,
// type=gha, and so on.
type Cache struct {
	Type  string
	Attrs map[string]string
}

// ParseCache reads a --cache-to or --cache-from value. A bare reference
// (no "=") means type=registry,ref=VALUE, as in buildctl.
func ParseCache(s string) (Cache, error) {
	if !strings.Contains(s, "=") {
		return Cache{Type: "registry", Attrs: map[string]string{"ref": s}}, nil
	}
	attrs, err := splitCSV(s)
	if err != nil {
		return Cache{}, err
	}
	c := Cache{Type: attrs["type"], Attrs: attrs}
	delete(attrs, "type")
	if c.Type == "" {
		return Cache{}, fmt.Errorf("cache %q has no type=", s)
	}
	return c, nil
}
