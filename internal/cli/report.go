package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/emitters"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
)

// The formats of diagnostics (--format). Text goes to standard error; the
// formats for programs go to standard output (unless standard output
// carries a compiled file: compile -o -).
const (
	formatText   = "text"   // hcl's layout, with the source line
	formatJSON   = "json"   // one JSON report
	formatGNU    = "gnu"    // file:line:col: severity: message [rule]
	formatGitHub = "github" // GitHub Actions workflow commands
)

var formats = []string{formatText, formatJSON, formatGNU, formatGitHub}

// reportFlags are the flags that choose which diagnostics a command
// prints, how, and whether warnings fail it.
type reportFlags struct {
	format      string
	json        bool
	ignore      []string
	strict      bool
	quiet       bool
	allWarnings bool
}

// registerReport adds the flags to cmd; the format flag is named
// formatFlag ("format", or "diagnostics-format" for build, whose --format
// says what it makes).
func (f *reportFlags) registerReport(cmd *cobra.Command, formatFlag string) {
	fl := cmd.Flags()
	fl.BoolVar(&f.json, "json", false, "print diagnostics as JSON on standard output (same as --"+formatFlag+" json)")
	fl.StringVar(&f.format, formatFlag, formatText, "diagnostics `format`: text (standard error), json, gnu (file:line:col: severity: message [rule]) or github (GitHub Actions annotations) on standard output")
	fl.StringArrayVar(&f.ignore, "ignore", nil, "leave out the warnings of `rule` (repeatable, or comma-separated; the rule is printed in brackets after each warning)")
	fl.BoolVar(&f.strict, "strict", false, "fail (exit 1) when a warning remains after --ignore; compile then writes nothing")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print errors only (and, with --strict, the warnings that fail the command)")
	fl.BoolVar(&f.allWarnings, "all-warnings", false, "also print the warnings that are off by default (envc explain lists them)")
	_ = cmd.RegisterFlagCompletionFunc(formatFlag, cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("ignore", completeRules)
}

// outFormat returns the chosen format; --json wins over the default.
func (f *reportFlags) outFormat() (string, error) {
	if f.json {
		if f.format != formatText && f.format != formatJSON {
			return "", usagef("--json and --format %s cannot be combined", f.format)
		}
		return formatJSON, nil
	}
	if !slices.Contains(formats, f.format) {
		return "", usagef("unknown diagnostics format %q (choose from %s)", f.format, strings.Join(formats, ", "))
	}
	return f.format, nil
}

// reporter prints a command's diagnostics as its flags and the spec's
// settings ask.
type reporter struct {
	// out receives the formats for programs; errw the text format and the
	// lines envc adds (a summary of what was written).
	out, errw io.Writer
	format    string
	files     map[string]*hcl.File
	// ignore are the rules left out, from --ignore and the spec's envc
	// block.
	ignore                   map[string]bool
	strict, quiet, all       bool
	shown, warnings, ignored int
}

// knownRules returns every rule name a warning can carry.
func knownRules() map[string]string {
	out := map[string]string{}
	for _, r := range emitters.Rules() {
		out[r.Name] = r.Summary
	}
	for _, l := range compiler.Lints() {
		out[l.Name] = l.Summary
	}
	out[lintUnknownRule.Name] = lintUnknownRule.Summary
	return out
}

// lintUnknownRule is the warning for a rule name in the spec's ignore list
// that no rule has: a typo, or a rule of another envc version.
var lintUnknownRule = &compiler.Lint{Name: "unknown-rule", Summary: "Unknown rule"}

// newReporter returns the reporter for a command with flags f, its
// diagnostics against the spec files of l (nil before a spec is read).
// The spec's ignore list is checked here: an unknown name is a warning
// appended to l.diags. An unknown name in --ignore is a usage error.
func (a *app) newReporter(f *reportFlags, l *loaded) (*reporter, error) {
	format, err := f.outFormat()
	if err != nil {
		return nil, err
	}
	r := &reporter{out: a.stdout, errw: a.stderr, format: format, ignore: map[string]bool{}, strict: f.strict, quiet: f.quiet, all: f.allWarnings}
	known := knownRules()
	for _, item := range f.ignore {
		for _, name := range strings.Split(item, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if _, ok := known[name]; !ok {
				return nil, usagef("--ignore %s: no rule has that name%s (envc explain SPEC shows the rules a spec raises)", name, suggestRule(name, known))
			}
			r.ignore[name] = true
		}
	}
	if l != nil {
		r.files = l.files
		if l.settings != nil {
			for _, n := range l.settings.Ignore {
				if _, ok := known[n.Name]; !ok {
					l.diags = append(l.diags, lintUnknownRule.Warn(n.Range, "No rule is named %q%s: the name is not used. The rule of a warning is printed in brackets after its summary.", n.Name, suggestRule(n.Name, known)))
					continue
				}
				r.ignore[n.Name] = true
			}
		}
	}
	return r, nil
}

// suggestRule returns ", did you mean X?" for the known rule closest to
// name, or "".
func suggestRule(name string, known map[string]string) string {
	best, bestDist := "", len(name)/3+2
	for k := range known {
		if d := editDistance(name, k); d < bestDist || (d == bestDist && best != "" && k < best) {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// ruleIsOff reports whether d comes from a rule that is off by default.
func ruleIsOff(d *hcl.Diagnostic) bool {
	x, ok := d.Extra.(emitters.RuleExtra)
	return ok && x.Rule.Off
}

// filter returns the diagnostics to report: every error, and the
// warnings neither ignored nor off by default (unless --all-warnings). It
// counts the warnings kept and those ignored.
func (r *reporter) filter(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	r.warnings, r.ignored = 0, 0
	for _, d := range sortDiags(diags) {
		if d.Severity == hcl.DiagWarning {
			switch rule := ruleOf(d); {
			case r.ignore[rule]:
				r.ignored++
				continue
			case ruleIsOff(d) && !r.all:
				continue
			}
			r.warnings++
		}
		out = append(out, d)
	}
	return out
}

// fails reports whether diags (as filter leaves them) fail the command:
// an error, or under --strict a warning.
func (r *reporter) fails(diags hcl.Diagnostics) bool {
	return diags.HasErrors() || (r.strict && r.warnings > 0)
}

// report filters diags, prints them, and returns errSpec when they fail
// the command. extra is added to a JSON report (the files compile wrote).
func (r *reporter) report(diags hcl.Diagnostics, extra *jsonExtra) error {
	diags = r.filter(diags)
	failed := r.fails(diags)
	var shown hcl.Diagnostics
	for _, d := range diags {
		// --quiet: errors, and the warnings that fail the command.
		if d.Severity == hcl.DiagError || !r.quiet || r.strict {
			shown = append(shown, d)
		}
	}
	switch r.format {
	case formatJSON:
		rep := jsonReportOf(diags)
		rep.IgnoredCount = r.ignored
		rep.Valid = !failed
		if extra != nil {
			rep.jsonExtra = *extra
		}
		writeJSON(r.out, rep)
	case formatGNU:
		for _, d := range shown {
			fmt.Fprintln(r.out, gnuLine(d))
		}
	case formatGitHub:
		for _, d := range shown {
			fmt.Fprintln(r.out, githubLine(d))
		}
	default:
		printDiags(r.errw, r.files, shown, false)
	}
	if failed {
		if r.strict && !diags.HasErrors() && r.format == formatText {
			fmt.Fprintf(r.errw, "envc: %s and --strict: failing%s\n", plural(r.warnings, "warning"), r.ignoreHint())
		}
		return errSpec
	}
	return nil
}

// ignoreHint tells how to silence a warning, for the text summary.
func (r *reporter) ignoreHint() string {
	if r.warnings == 0 {
		return ""
	}
	return " (silence a rule with --ignore RULE, or ignore = [\"RULE\"] in an envc { } block of the spec)"
}

// warningCount is the summary's count of warnings: "9 warnings", "no
// warnings", with those ignored.
func (r *reporter) warningCount() string {
	s := plural(r.warnings, "warning")
	if r.warnings == 0 {
		s = "no warnings"
	}
	if r.ignored > 0 {
		s += fmt.Sprintf(" (%d ignored)", r.ignored)
	}
	return s
}

// note prints a line of envc's own on standard error in the text format,
// unless --quiet.
func (r *reporter) note(format string, args ...any) {
	if r.format != formatText || r.quiet {
		return
	}
	fmt.Fprintf(r.errw, "envc: "+format+"\n", args...)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// summaryText returns d's summary without the rule in brackets.
func summaryText(d *hcl.Diagnostic) string {
	if rule := ruleOf(d); rule != "" {
		return strings.TrimSuffix(d.Summary, " ["+rule+"]")
	}
	return d.Summary
}

// oneLine joins the lines of s with spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// gnuLine renders d as GNU tools do, for editors' quickfix lists:
// "file:line:col: severity: message [rule]".
func gnuLine(d *hcl.Diagnostic) string {
	sev := "error"
	if d.Severity == hcl.DiagWarning {
		sev = "warning"
	}
	where := "envc"
	if s := d.Subject; s != nil {
		where = fmt.Sprintf("%s:%d:%d", s.Filename, s.Start.Line, s.Start.Column)
	}
	msg := summaryText(d)
	if d.Detail != "" {
		msg += ": " + oneLine(d.Detail)
	}
	if rule := ruleOf(d); rule != "" {
		msg += " [" + rule + "]"
	}
	return where + ": " + sev + ": " + msg
}

// githubLine renders d as a GitHub Actions workflow command, which the
// runner shows as an annotation on the spec's line.
func githubLine(d *hcl.Diagnostic) string {
	cmd := "error"
	if d.Severity == hcl.DiagWarning {
		cmd = "warning"
	}
	var props []string
	if s := d.Subject; s != nil {
		props = append(props,
			"file="+ghProperty(s.Filename),
			fmt.Sprintf("line=%d", s.Start.Line), fmt.Sprintf("col=%d", s.Start.Column),
			fmt.Sprintf("endLine=%d", s.End.Line), fmt.Sprintf("endColumn=%d", s.End.Column))
	}
	title := d.Summary // with the rule in brackets
	props = append(props, "title="+ghProperty(title))
	return "::" + cmd + " " + strings.Join(props, ",") + "::" + ghData(d.Detail)
}

// ghData and ghProperty escape a workflow command's message and property
// values as the Actions runner reads them.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// jsonExtra is what a command adds to its JSON report.
type jsonExtra struct {
	// Files are the files compile wrote or found unchanged, and Removed
	// those it removed (the spec no longer makes them).
	Files   []jsonFile `json:"files,omitempty"`
	Removed []string   `json:"removed,omitempty"`
	// Check is compile --check's finding: the files that differ.
	Check *jsonCheck `json:"check,omitempty"`
}

// jsonFile is one output file of compile.
type jsonFile struct {
	Path        string `json:"path"`
	Environment string `json:"environment"`
	// Target is the target that made it, "" for a file the spec copies.
	Target  string `json:"target,omitempty"`
	Changed bool   `json:"changed"`
}

// jsonCheck is what compile --check found.
type jsonCheck struct {
	UpToDate bool         `json:"up_to_date"`
	Differ   []jsonDiffer `json:"differ"`
}

type jsonDiffer struct {
	Path string `json:"path"`
	// Why is "missing", "differs", "mode differs", "removed" (the spec no
	// longer makes it) or "manifest differs".
	Why string `json:"why"`
	// Diff is the unified diff, with --diff.
	Diff string `json:"diff,omitempty"`
}

func writeJSON(w io.Writer, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		fmt.Fprintf(w, "envc: encoding JSON: %v\n", err)
		return
	}
	w.Write(append(b, '\n'))
}

// usageFormat returns the diagnostics format args ask for, read before
// cobra parses them (a usage error is reported in that format): "json"
// for --json or --format json (or -json), else "".
func usageFormat(args []string) string {
	for i, arg := range args {
		if arg == "--" {
			break
		}
		arg = strings.TrimPrefix(arg, "-")
		switch {
		case arg == "-json" || arg == "-format=json" || arg == "-diagnostics-format=json":
			return formatJSON
		case (arg == "-format" || arg == "-diagnostics-format") && i+1 < len(args) && args[i+1] == formatJSON:
			return formatJSON
		}
	}
	return ""
}

// reportError prints err, which ends the command, as a JSON report with
// one error diagnostic.
func reportError(w io.Writer, summary string, err error) {
	rep := jsonReportOf(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: err.Error()}})
	writeJSON(w, rep)
}

// sortedRuleNames returns the known rule names, sorted.
func sortedRuleNames() []string {
	known := knownRules()
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// completeRules completes --ignore with the rule names and summaries.
func completeRules(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	known := knownRules()
	var out []string
	for _, n := range sortedRuleNames() {
		if strings.HasPrefix(n, toComplete) {
			out = append(out, n+"\t"+known[n])
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// fail ends a command on err after the spec's diagnostics: in the text
// format they are printed and err returned (execute prints it); in the
// others err becomes an error diagnostic of the report (summary names
// it), so that a program reading it sees why.
func (r *reporter) fail(diags hcl.Diagnostics, summary string, err error) error {
	if r.format == formatText {
		r.report(diags, nil)
		return err
	}
	r.report(append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: err.Error()}), nil)
	return errSpec
}
