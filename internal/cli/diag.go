package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/emitters"
	"github.com/hashicorp/hcl/v2"
)

// sortDiags orders diagnostics by file and position; those without a
// position come first, in their original order.
func sortDiags(diags hcl.Diagnostics) hcl.Diagnostics {
	out := append(hcl.Diagnostics(nil), diags...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Subject, out[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		case a.Start.Byte != b.Start.Byte:
			return a.Start.Byte < b.Start.Byte
		default:
			return out[i].Severity < out[j].Severity
		}
	})
	return dedupe(out)
}

// dedupe drops exact repeats (the same warning raised for two targets is
// kept, since its rule differs).
func dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	type key struct {
		sev             hcl.DiagnosticSeverity
		summary, detail string
		rng             hcl.Range
	}
	seen := make(map[key]bool, len(diags))
	var out hcl.Diagnostics
	for _, d := range diags {
		k := key{sev: d.Severity, summary: d.Summary, detail: d.Detail}
		if d.Subject != nil {
			k.rng = *d.Subject
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// printDiags renders diagnostics as text (with the offending source line)
// or as JSON.
func printDiags(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, asJSON bool) {
	diags = sortDiags(diags)
	if asJSON {
		printJSONDiags(w, diags)
		return
	}
	if len(diags) == 0 {
		return
	}
	tw := newDiagTextWriter(w, files)
	// A rule's warning repeated for every mount or variable of a large spec
	// says the same thing each time: past warnsPerRule, they are counted.
	shown := map[string]int{}
	var hidden []string
	for _, d := range diags {
		if name := ruleOf(d); name != "" && d.Severity == hcl.DiagWarning {
			if shown[name]++; shown[name] > warnsPerRule {
				if shown[name] == warnsPerRule+1 {
					hidden = append(hidden, name)
				}
				continue
			}
		}
		_ = tw.WriteDiagnostic(d)
	}
	for _, name := range hidden {
		fmt.Fprintf(w, "Warning: %d more [%s] warnings like the above (--json lists every one)\n\n", shown[name]-warnsPerRule, name)
	}
}

// warnsPerRule is how many warnings of one rule the text output shows.
const warnsPerRule = 10

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonDiag struct {
	Severity string     `json:"severity"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail,omitempty"`
	Range    *jsonRange `json:"range,omitempty"`
	Rule     string     `json:"rule,omitempty"`
}

// jsonReport is the JSON form of a command's diagnostics.
type jsonReport struct {
	// Valid is whether the command succeeded: no error (and, with
	// --strict, no warning).
	Valid        bool `json:"valid"`
	ErrorCount   int  `json:"error_count"`
	WarningCount int  `json:"warning_count"`
	// IgnoredCount is how many warnings --ignore and the spec's ignore
	// list left out.
	IgnoredCount int        `json:"ignored_count"`
	Diagnostics  []jsonDiag `json:"diagnostics"`
	jsonExtra
}

// jsonReportOf returns the report of diags, Valid when none is an error.
func jsonReportOf(diags hcl.Diagnostics) jsonReport {
	rep := jsonReport{Diagnostics: []jsonDiag{}}
	for _, d := range diags {
		jd := jsonDiag{Summary: d.Summary, Detail: d.Detail, Severity: "error"}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
			rep.WarningCount++
		} else {
			rep.ErrorCount++
		}
		if d.Subject != nil {
			s := d.Subject
			jd.Range = &jsonRange{
				Filename: s.Filename,
				Start:    jsonPos{s.Start.Line, s.Start.Column, s.Start.Byte},
				End:      jsonPos{s.End.Line, s.End.Column, s.End.Byte},
			}
		}
		// The text forms print the rule after the summary; JSON has it
		// as a field of its own.
		if jd.Rule = ruleOf(d); jd.Rule != "" {
			jd.Summary = strings.TrimSuffix(jd.Summary, " ["+jd.Rule+"]")
		}
		rep.Diagnostics = append(rep.Diagnostics, jd)
	}
	rep.Valid = rep.ErrorCount == 0
	return rep
}

func printJSONDiags(w io.Writer, diags hcl.Diagnostics) {
	writeJSON(w, jsonReportOf(diags))
}

// ruleOf returns the name of the rule (a target's lossy mapping) or the
// lint (the compiler's) a warning comes from, "" for none.
func ruleOf(d *hcl.Diagnostic) string {
	switch x := d.Extra.(type) {
	case emitters.RuleExtra:
		return x.Rule.Name
	case compiler.LintExtra:
		return x.Lint.Name
	}
	return ""
}
