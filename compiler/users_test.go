package compiler_test

import (
	"fmt"
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
)

// TestImageUserIDs checks that the step creating a user the base image
// ships carries the image's ids (which the container targets keep), and
// that any other user's carries none.
func TestImageUserIDs(t *testing.T) {
	for _, tc := range []struct{ base, user, want string }{
		{"mambaorg/micromamba:1.0.0", "mambauser", "mambauser 57439:57439"},
		{"quay.io/jupyter/scipy-notebook:2024-07-29", "jovyan", "jovyan 1000:100"},
		{"ubuntu:24.04", "ubuntu", "ubuntu 1000:1000"},
		{"ubuntu:22.04", "ubuntu", "ubuntu 0:0"},
		{"mambaorg/micromamba:1.0.0", "sim", "sim 0:0"},
	} {
		t.Run(tc.base+" "+tc.user, func(t *testing.T) {
			envs, diags := compile(t, `environment "e" {
  base = "`+tc.base+`"
  user = "`+tc.user+`"
}`, compiler.Options{})
			if diags != "" || len(envs) != 1 {
				t.Fatalf("%d environments, diagnostics %q", len(envs), diags)
			}
			var got []string
			for _, s := range envs[0].Steps {
				if u, ok := s.(*ir.UserStep); ok {
					got = append(got, fmt.Sprintf("%s %d:%d", u.Name, u.ImageUID, u.ImageGID))
				}
			}
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("user steps %q, want [%q]", got, tc.want)
			}
		})
	}
}
