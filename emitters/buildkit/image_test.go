package buildkit

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestImageTypesMatchSpecs holds envc's image config types to the OCI
// image spec's and Docker's extension's Go types: with every field set,
// ImageJSON writes the bytes those types write, with and without a
// healthcheck, and the specs' types read them back whole.
func TestImageTypesMatchSpecs(t *testing.T) {
	cfg := ImageConfig{
		User:         "sim",
		ExposedPorts: map[string]struct{}{"8000/tcp": {}, "53/udp": {}},
		Env:          []string{"PATH=/usr/bin", "A=<&>"},
		Entrypoint:   []string{"/init"},
		Cmd:          []string{"run", "--x"},
		Volumes:      map[string]struct{}{"/data": {}},
		WorkingDir:   "/work",
		Labels:       map[string]string{"b": "2", "a": "1"},
	}
	img := &Image{Platform: Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, Config: cfg, RootFS: RootFS{Type: "layers", DiffIDs: []string{}}}
	health := &Healthcheck{Test: []string{"CMD", "true"}, Interval: time.Second, Timeout: 2 * time.Second, StartPeriod: 3 * time.Second, Retries: 4}

	spec := ocispecs.Image{
		Platform: ocispecs.Platform{OS: "linux", Architecture: "arm", Variant: "v7"},
		Config: ocispecs.ImageConfig{User: cfg.User, ExposedPorts: cfg.ExposedPorts, Env: cfg.Env, Entrypoint: cfg.Entrypoint,
			Cmd: cfg.Cmd, Volumes: cfg.Volumes, WorkingDir: cfg.WorkingDir, Labels: cfg.Labels},
		RootFS: ocispecs.RootFS{Type: "layers", DiffIDs: []digest.Digest{}},
	}
	specHealth := &dockerspec.HealthcheckConfig{Test: health.Test, Interval: health.Interval, Timeout: health.Timeout, StartPeriod: health.StartPeriod, Retries: health.Retries}
	for _, c := range []struct {
		name string
		h    *Healthcheck
		want any
	}{
		{"oci", nil, spec},
		{"docker", health, dockerspec.DockerOCIImage{Image: spec, Config: dockerspec.DockerOCIImageConfig{
			ImageConfig: spec.Config, DockerOCIImageConfigExt: dockerspec.DockerOCIImageConfigExt{Healthcheck: specHealth}}}},
	} {
		got, err := ImageJSON(img, c.h)
		if err != nil {
			t.Fatal(err)
		}
		want, err := MarshalJSON(c.want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: ImageJSON wrote\n%s\nthe specs' types write\n%s", c.name, got, want)
		}
		var back dockerspec.DockerOCIImage
		dec := json.NewDecoder(bytes.NewReader(got))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&back); err != nil {
			t.Errorf("%s: the specs' types do not read ImageJSON's output: %v", c.name, err)
		}
	}
}
