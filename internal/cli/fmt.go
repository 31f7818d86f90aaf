package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/spf13/cobra"
)

// fmtCommand is `envc fmt`: specs in hclwrite's canonical layout. The
// envc program hands it to envc-build, which links hclwrite (HCLWriter).
func (a *app) fmtCommand() *cobra.Command {
	var check, write, showDiff bool
	cmd := &cobra.Command{
		Use:   "fmt [FILE|DIR|-]...",
		Short: "Rewrite specs in canonical layout",
		Long: `Print each FILE in envc's canonical layout (that of hclwrite). A DIR stands
for every .hcl file under it (folders whose name starts with a dot are
skipped); no argument means the current folder. - reads standard input and
writes the result to standard output.

With -w the files are rewritten in place; given folders (and no -check or
-diff), fmt rewrites too, listing the files it changed, as terraform fmt
does. With -check nothing is written and the command lists the files that
are not canonical and exits 1 when there is one; with -diff it prints a
unified diff of each (with -check, it also exits 1). A file that does not
parse is reported and never rewritten; comments are kept.`,
		Example: `  envc fmt spec.hcl             # print it formatted
  envc fmt -w spec.hcl          # rewrite it
  envc fmt                      # rewrite every .hcl file under the current folder
  envc fmt -check -diff .       # CI: fail, with a diff, if a spec is not formatted`,
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return []string{"hcl"}, cobra.ShellCompDirectiveFilterFileExt
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if check && write {
				return usagef("-check and -w cannot be combined")
			}
			if a.hclw.Format == nil {
				return a.runBuildProgram(a.args)
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			paths, dirs, err := fmtPaths(args)
			if err != nil {
				return err
			}
			if dirs && !check && !showDiff {
				write = true
			}
			failed := false
			for _, path := range paths {
				ok, err := a.fmtFile(path, check, write, showDiff, dirs)
				if err != nil {
					return err
				}
				failed = failed || !ok
			}
			if failed {
				return errSpec
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "exit 1 if any file would change; write nothing")
	cmd.Flags().BoolVarP(&write, "write", "w", false, "rewrite the files in place")
	cmd.Flags().BoolVar(&showDiff, "diff", false, "print a unified diff of each file that would change")
	return cmd
}

// fmtPaths expands the arguments of fmt: a folder into the .hcl files
// under it, sorted (dirs reports whether there was one); "-" stays.
func fmtPaths(args []string) (paths []string, dirs bool, err error) {
	for _, arg := range args {
		st, err := os.Stat(arg)
		if arg == "-" || err != nil || !st.IsDir() {
			paths = append(paths, arg) // a missing file is reported by fmtFile
			continue
		}
		dirs = true
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != arg && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && strings.HasSuffix(d.Name(), ".hcl") {
				paths = append(paths, p)
			}
			return nil
		})
		if err != nil {
			return nil, dirs, usagef("cannot read folder %s: %v", arg, err)
		}
	}
	return paths, dirs, nil
}

// fmtFile formats one file (or standard input for "-") as the flags say,
// and reports whether it passes: it parses and keeps its comments, and
// with -check is canonical already. list names each file rewritten.
func (a *app) fmtFile(path string, check, write, showDiff, list bool) (bool, error) {
	var src []byte
	var err error
	name := path
	if path == "-" {
		name = StdinName
		src, err = a.readSpec("-")
	} else {
		src, err = os.ReadFile(path)
	}
	if err != nil {
		return false, usagef("cannot read %s: %v", name, err)
	}
	f, diags := schema.Parse(name, src) // refuses a file nested too deeply first
	if diags.HasErrors() {
		printDiags(a.stderr, map[string]*hcl.File{name: f}, diags, false)
		return false, nil
	}
	out := a.hclw.Format(src)
	if err := sameComments(name, src, out); err != nil {
		fmt.Fprintf(a.stderr, "envc: %v\n", err)
		return false, nil
	}
	changed := !bytes.Equal(out, src)
	if showDiff && changed {
		a.stdout.Write(unifiedDiff(name, src, out))
	}
	switch {
	case check:
		if changed && !showDiff {
			fmt.Fprintln(a.stdout, name)
		}
		return !changed, nil
	case path == "-":
		if !showDiff {
			a.stdout.Write(out)
		}
	case write:
		if !changed {
			return true, nil
		}
		st, err := os.Stat(path)
		if err != nil {
			return false, err
		}
		if err := writeAtomic(path, out, st.Mode().Perm()); err != nil {
			return false, err
		}
		if list {
			fmt.Fprintln(a.stdout, path)
		}
	case !showDiff:
		a.stdout.Write(out)
	}
	return true, nil
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
