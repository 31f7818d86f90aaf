package cli

import (
	"os"
	"strings"

	"github.com/envc-dev/envc/emitters/targets"
	"github.com/envc-dev/envc/schema"
	"github.com/spf13/cobra"
)

// Shell completion (cobra's `envc completion SHELL` scripts call `envc
// __complete ...`): a SPEC argument completes to .hcl files and folders,
// -t to the targets, -e to the environments of the spec already on the
// command line, --ignore to the rule names, the format flags to their
// values.

// completeSpec completes the SPEC argument: .hcl files (and folders to
// walk into); nothing after it.
func completeSpec(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return []string{"hcl"}, cobra.ShellCompDirectiveFilterFileExt
}

// completeTargets completes -t: each target with what it writes, after
// the targets already given in the comma-separated list.
func completeTargets(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	done, last := "", toComplete
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		done, last = toComplete[:i+1], toComplete[i+1:]
	}
	var out []string
	for _, t := range targets.All() {
		if strings.HasPrefix(t.Name(), last) && !strings.Contains(","+done, ","+t.Name()+",") {
			out = append(out, done+t.Name()+"\t"+t.Summary())
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completeEnvs completes -e with the environments of the spec named on
// the command line (read and decoded, not compiled: completion must be
// quick and never fail).
func completeEnvs(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 || args[0] == "-" {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	src, err := os.ReadFile(args[0])
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	f, diags := schema.Parse(args[0], src)
	if diags.HasErrors() {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	spec, _ := schema.Decode(f)
	done, last := "", toComplete
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		done, last = toComplete[:i+1], toComplete[i+1:]
	}
	var out []string
	for _, env := range spec.Environments {
		if strings.HasPrefix(env.Name, last) {
			item := done + env.Name
			if env.Description != nil {
				if v, d := env.Description.Expr.Value(nil); !d.HasErrors() && v.Type().FriendlyName() == "string" && v.IsKnown() && !v.IsNull() {
					item += "\t" + v.AsString()
				}
			}
			out = append(out, item)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// CompleteSpec completes a command's SPEC argument (.hcl files), for the
// build command of the envc-build program.
func CompleteSpec(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return completeSpec(cmd, args, toComplete)
}
