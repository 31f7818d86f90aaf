package cli

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// diagTextWriter renders diagnostics exactly as hcl's text writer (without
// colour) does, in time linear in the number of diagnostics: hcl's writer
// scans the whole file, grapheme by grapheme, to find the lines of each
// diagnostic, which makes a spec with thousands of warnings quadratic.
// This writer indexes each file's lines once and prints the snippet from
// that index; the header and the wrapped detail still come from hcl's
// writer, so only the snippet is rendered here.
//
// The fast path holds for files without carriage returns (hcl counts a
// lone CR as a line break) and for diagnostics that carry no expression
// values to print; anything else is handed to hcl's writer unchanged.
type diagTextWriter struct {
	w     io.Writer
	files map[string]*hcl.File
	hcl   hcl.DiagnosticWriter
	lines map[string][]int // file name -> byte offset of each line's start
	buf   bytes.Buffer
}

const diagWidth = 100

func newDiagTextWriter(w io.Writer, files map[string]*hcl.File) *diagTextWriter {
	return &diagTextWriter{w: w, files: files, hcl: hcl.NewDiagnosticTextWriter(w, files, diagWidth, false), lines: map[string][]int{}}
}

// lineStarts returns the start offsets of the lines of f, or nil when the
// fast path does not apply to it.
func (d *diagTextWriter) lineStarts(name string, f *hcl.File) []int {
	if ls, ok := d.lines[name]; ok {
		return ls
	}
	var ls []int
	if bytes.IndexByte(f.Bytes, '\r') < 0 {
		ls = append(make([]int, 0, bytes.Count(f.Bytes, []byte{'\n'})+1), 0)
		for i, c := range f.Bytes {
			if c == '\n' {
				ls = append(ls, i+1)
			}
		}
	}
	d.lines[name] = ls
	return ls
}

func (d *diagTextWriter) WriteDiagnostic(diag *hcl.Diagnostic) error {
	if diag.Subject == nil {
		return d.hcl.WriteDiagnostic(diag)
	}
	if diag.Expression != nil && diag.EvalContext != nil {
		// hcl's writer shows the values the expression used ("with
		// local.x as ..."), each whole: a long one (a value a limit
		// refused) is left out, the snippet shown as for any other.
		d.buf.Reset()
		hw := hcl.NewDiagnosticTextWriter(&d.buf, d.files, diagWidth, false)
		if err := hw.WriteDiagnostic(diag); err != nil {
			return err
		}
		if !hasLongLine(d.buf.Bytes(), 4*maxSnippetLine) {
			_, err := d.w.Write(d.buf.Bytes())
			return err
		}
		bare := *diag
		bare.Expression, bare.EvalContext = nil, nil
		diag = &bare
	}
	f := d.files[diag.Subject.Filename]
	if f == nil || f.Bytes == nil {
		return d.hcl.WriteDiagnostic(diag)
	}
	starts := d.lineStarts(diag.Subject.Filename, f)
	if starts == nil {
		return d.hcl.WriteDiagnostic(diag)
	}

	// Header and detail, as hcl writes them for a diagnostic without a
	// subject; the snippet goes between the two.
	bare := *diag
	bare.Subject, bare.Context = nil, nil
	d.buf.Reset()
	hw := hcl.NewDiagnosticTextWriter(&d.buf, nil, diagWidth, false)
	if err := hw.WriteDiagnostic(&bare); err != nil {
		return err
	}
	out := d.buf.Bytes()
	head := bytes.Index(out, []byte(diag.Summary+"\n\n"))
	if head < 0 {
		return d.hcl.WriteDiagnostic(diag)
	}
	head += len(diag.Summary) + 2

	var b bytes.Buffer
	b.Write(out[:head])
	context := ""
	if cs, ok := f.Nav.(interface{ ContextString(offset int) string }); ok {
		if s := cs.ContextString(diag.Subject.Start.Byte); s != "" {
			context = ", in " + s
		}
	}
	fmt.Fprintf(&b, "  on %s line %d%s:\n", diag.Subject.Filename, diag.Subject.Start.Line, context)
	snip := *diag.Subject
	if diag.Context != nil {
		snip = hcl.RangeOver(snip, *diag.Context)
	}
	if snip.Empty() {
		snip.End.Byte++
	}
	src := f.Bytes
	lineEnd := func(i int) int {
		if i+1 < len(starts) {
			return starts[i+1] - 1
		}
		return len(src)
	}
	// The lines that can overlap [s, e) end at or after s and start at or
	// before e; each is then checked as hcl.Range.Overlaps does.
	s, e := snip.Start.Byte, snip.End.Byte
	first := sort.Search(len(starts), func(i int) bool { return lineEnd(i) >= s })
	for i := first; i < len(starts) && starts[i] <= e; i++ {
		ls, le := starts[i], lineEnd(i)
		if ls >= len(src) {
			break // hcl's scanner stops at the end of the file
		}
		if !overlaps(ls, le, s, e) {
			continue
		}
		fmt.Fprintf(&b, "%4d: %s\n", i+1, snippetLine(src, ls, le, s))
	}
	b.WriteByte('\n')
	b.Write(out[head:])
	_, err := d.w.Write(b.Bytes())
	return err
}

// overlaps is hcl.Range.Overlaps on byte offsets: two non-empty half-open
// ranges overlap when either contains an end point of the other.
func overlaps(as, ae, bs, be int) bool {
	if as == ae || bs == be {
		return false
	}
	in := func(s, e, x int) bool { return x >= s && x < e }
	return in(as, ae, bs) || in(as, ae, be) || in(bs, be, as) || in(bs, be, ae)
}

// maxSnippetLine is the longest source line a snippet shows whole; of a
// longer one (a generated or hostile spec), the part around the subject.
const maxSnippetLine = 240

// snippetLine returns src[ls:le], the line, or the part of a long line
// around offset at, marked with "…" where cut.
func snippetLine(src []byte, ls, le, at int) []byte {
	if le-ls <= maxSnippetLine {
		return src[ls:le]
	}
	from := max(ls, min(at, le)-maxSnippetLine/3)
	for from > ls && !utf8.RuneStart(src[from]) {
		from--
	}
	to := min(le, from+maxSnippetLine)
	for to < le && !utf8.RuneStart(src[to]) {
		to++
	}
	var out []byte
	if from > ls {
		out = append(out, "…"...)
	}
	out = append(out, src[from:to]...)
	if to < le {
		out = append(out, "…"...)
	}
	return out
}

// hasLongLine reports whether a line of text is longer than n bytes.
func hasLongLine(text []byte, n int) bool {
	for len(text) > 0 {
		line, rest, _ := bytes.Cut(text, []byte("\n"))
		if len(line) > n {
			return true
		}
		text = rest
	}
	return false
}
