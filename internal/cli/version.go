package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/envc-dev/envc/emitters/targets"
	"github.com/spf13/cobra"
)

// versionCommand is `envc version`.
func (a *app) versionCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print envc's version",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			v := "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				v = bi.Main.Version
			}
			if !asJSON {
				fmt.Fprintf(a.stdout, "envc %s\n", v)
				return nil
			}
			info := struct {
				Version  string   `json:"version"`
				Go       string   `json:"go"`
				Platform string   `json:"platform"`
				Targets  []string `json:"targets"`
				Rules    []string `json:"rules"`
			}{Version: v, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH, Rules: sortedRuleNames()}
			for _, t := range targets.All() {
				info.Targets = append(info.Targets, t.Name())
			}
			writeJSON(a.stdout, info)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the version, the Go release, the platform, the targets and the rule names as JSON")
	return cmd
}
