package tmpdeps
import (
 _ "github.com/moby/buildkit/client/llb"
 _ "github.com/moby/buildkit/frontend/dockerfile/parser"
 _ "github.com/moby/buildkit/frontend/dockerfile/instructions"
 _ "github.com/moby/buildkit/solver/pb"
 _ "go.yaml.in/yaml/v3"
 _ "github.com/compose-spec/compose-go/v2/loader"
 _ "mvdan.cc/sh/v3/syntax"
)

import (
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/spf13/cobra"
	_ "github.com/zclconf/go-cty/cty"
	_ "github.com/hashicorp/hcl/v2/hclwrite"
)
