package buildkit

import "time"

// The image config's types, as the OCI image spec (v1.1) and Docker's
// extension of it (docker-image-spec v1.3) write them in JSON: the fields
// envc sets, in the specs' order, with the specs' names. envc writes its
// own rather than link the specs' Go packages, whose digest package costs
// every run its start-up; TestImageTypesMatchSpecs holds these to them.

// Platform is the platform an image is built for: os/arch[/variant].
type Platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Variant      string `json:"variant,omitempty"`
}

// Image is an OCI image config, as image.json holds it: no creation time,
// no history and no layers (the exporter fills those in).
type Image struct {
	Platform
	Config ImageConfig `json:"config,omitempty"`
	RootFS RootFS      `json:"rootfs"`
}

// ImageConfig is the run-time part of an image config.
type ImageConfig struct {
	User         string              `json:"User,omitempty"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Env          []string            `json:"Env,omitempty"`
	Entrypoint   []string            `json:"Entrypoint,omitempty"`
	Cmd          []string            `json:"Cmd,omitempty"`
	Volumes      map[string]struct{} `json:"Volumes,omitempty"`
	WorkingDir   string              `json:"WorkingDir,omitempty"`
	Labels       map[string]string   `json:"Labels,omitempty"`
}

// RootFS lists an image's layers by their uncompressed digests.
type RootFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diff_ids"`
}

// Healthcheck is Docker's extension of the config (its Healthcheck field),
// which Docker and Podman read: the test in exec form, "CMD" first.
type Healthcheck struct {
	Test        []string      `json:",omitempty"`
	Interval    time.Duration `json:",omitempty"`
	Timeout     time.Duration `json:",omitempty"`
	StartPeriod time.Duration `json:",omitempty"`
	Retries     int           `json:",omitempty"`
}

// imageWithHealthcheck is an Image with a Healthcheck in its config, its
// fields in the order Docker's extended config writes them (the config
// last).
type imageWithHealthcheck struct {
	Platform
	RootFS RootFS `json:"rootfs"`
	Config struct {
		ImageConfig
		Healthcheck *Healthcheck `json:",omitempty"`
	} `json:"config,omitempty"`
}
