package cli

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/spf13/cobra"
)

// fmtCommand is `envc fmt`: specs in hclwrite's canonical layout.
func (a *app) fmtCommand() *cobra.Command {
	var check, write bool
	cmd := &cobra.Command{
		Use:   "fmt FILE...",
		Short: "Rewrite specs in canonical layout",
		Long: `Print each FILE in envc's canonical layout (that of hclwrite). With -w the
files are rewritten in place; with -check nothing is written and the command
exits 1 when a file is not already canonical. A file that does not parse is
reported and never rewritten; comments are kept.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("fmt needs at least one file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if check && write {
				return usagef("-check and -w cannot be combined")
			}
			failed := false
			for _, path := range args {
				src, err := os.ReadFile(path)
				if err != nil {
					return usagef("cannot read %s: %v", path, err)
				}
				f, diags := schema.Parse(path, src) // refuses a file nested too deeply first
				if diags.HasErrors() {
					printDiags(a.stderr, map[string]*hcl.File{path: f}, diags, false)
					failed = true
					continue
				}
				out := hclwrite.Format(src)
				if err := sameComments(path, src, out); err != nil {
					fmt.Fprintf(a.stderr, "envc: %v\n", err)
					failed = true
					continue
				}
				switch {
				case check:
					if !bytes.Equal(out, src) {
						fmt.Fprintln(a.stdout, path)
						failed = true
					}
				case write:
					if !bytes.Equal(out, src) {
						st, err := os.Stat(path)
						if err != nil {
							return err
						}
						if err := writeAtomic(path, out, st.Mode().Perm()); err != nil {
							return err
						}
					}
				default:
					a.stdout.Write(out)
				}
			}
			if failed {
				return errSpec
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "exit 1 if any file would change; write nothing")
	cmd.Flags().BoolVarP(&write, "write", "w", false, "rewrite the files in place")
	return cmd
}

// sameComments checks that formatting src as out kept every comment, in
// order and with the same text (trailing white space aside), and that out
// parses: fmt never writes a file that would lose a comment or not parse.
func sameComments(path string, src, out []byte) error {
	if _, diags := hclsyntax.ParseConfig(out, path, hcl.InitialPos); diags.HasErrors() {
		return fmt.Errorf("%s: formatting would make a file that does not parse (%s); the file is left as it is", path, diags.Error())
	}
	a, b := comments(src), comments(out)
	if len(a) != len(b) {
		return fmt.Errorf("%s: formatting would keep %d of %d comments; the file is left as it is", path, len(b), len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			return fmt.Errorf("%s: formatting would change the comment %q into %q; the file is left as it is", path, a[i], b[i])
		}
	}
	return nil
}

// comments returns the text of every comment token of src, trailing white
// space removed.
func comments(src []byte) []string {
	toks, _ := hclsyntax.LexConfig(src, "", hcl.InitialPos)
	var out []string
	for _, t := range toks {
		if t.Type == hclsyntax.TokenComment {
			out = append(out, strings.TrimRightFunc(string(t.Bytes), unicode.IsSpace))
		}
	}
	return out
}
