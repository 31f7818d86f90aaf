module github.com/envc-dev/envc/internal/apptainercheck

go 1.26.8

require (
	github.com/apptainer/apptainer v1.4.2
	github.com/envc-dev/envc v0.0.0
	github.com/google/go-cmp v0.7.0
)

require (
	github.com/agext/levenshtein v1.2.3 // indirect
	github.com/apparentlymart/go-textseg/v15 v15.0.0 // indirect
	github.com/apparentlymart/go-textseg/v17 v17.0.1 // indirect
	github.com/apptainer/container-key-client v0.8.0 // indirect
	github.com/apptainer/sif/v2 v2.24.0 // indirect
	github.com/containers/image/v5 v5.33.1 // indirect
	github.com/containers/storage v1.56.1 // indirect
	github.com/docker/cli v29.2.1+incompatible // indirect
	github.com/docker/docker-credential-helpers v0.9.3 // indirect
	github.com/google/go-containerregistry v0.21.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/hashicorp/hcl/v2 v2.25.0 // indirect
	github.com/mitchellh/go-homedir v1.1.0 // indirect
	github.com/mitchellh/go-wordwrap v1.0.1 // indirect
	github.com/opencontainers/go-digest v1.0.0 // indirect
	github.com/opencontainers/image-spec v1.1.1 // indirect
	github.com/opencontainers/runtime-spec v1.2.1 // indirect
	github.com/samber/lo v1.49.1 // indirect
	github.com/sirupsen/logrus v1.10.1 // indirect
	github.com/sylabs/json-resp v0.9.4 // indirect
	github.com/zclconf/go-cty v1.20.0 // indirect
	golang.org/x/mod v0.33.0 // indirect
	golang.org/x/sync v0.19.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/term v0.45.0 // indirect
	golang.org/x/text v0.34.0 // indirect
	golang.org/x/tools v0.42.0 // indirect
	mvdan.cc/sh/v3 v3.14.1 // indirect
)

replace github.com/envc-dev/envc => ../..
