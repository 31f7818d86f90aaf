package ci_test

import "github.com/envc-dev/envc/emitters/docker/dockerread"

// Every Dockerfile the tests make is also read back in full, with
// BuildKit's parser (envc itself checks its structure alone).
func init() { dockerread.FullSelfCheck(true) }
