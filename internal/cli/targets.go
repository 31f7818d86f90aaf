package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/envc-dev/envc/emitters/targets"
	"github.com/spf13/cobra"
)

// targetsCommand is `envc targets`: the targets and what each writes.
func (a *app) targetsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "targets",
		Short: "List the targets envc compiles to",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			tw := tabwriter.NewWriter(a.stdout, 0, 8, 2, ' ', 0)
			for _, t := range targets.All() {
				name := t.Name()
				if al := t.Aliases(); len(al) > 0 {
					name += " (" + strings.Join(al, ", ") + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\n", name, t.Summary())
			}
			return tw.Flush()
		},
	}
}
