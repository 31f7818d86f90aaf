package builder

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
)

// Diagnose turns a build error into diagnostics. Lowering errors come back
// as they were; a failing step that carries a spec location (the LLB
// source map) becomes an error at that range in specFile; any other
// failure is an error without a range.
func Diagnose(err error, specFile string) hcl.Diagnostics {
	var de diagError
	if errors.As(err, &de) {
		return de.diags
	}
	detail := cleanError(err)
	for _, src := range errdefs.Sources(err) {
		if src.Info == nil || src.Info.Filename != specFile || len(src.Ranges) == 0 {
			continue
		}
		rng := toHCL(specFile, src.Ranges[0], src.Info.Data)
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Build step failed",
			Detail:   fmt.Sprintf("BuildKit failed to build the step that this spec line makes: %s", detail),
			Subject:  &rng,
		}}
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Build failed",
		Detail:   detail,
	}}
}

// cleanError drops the gRPC wrapping of a daemon error.
func cleanError(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "failed to solve: ")
	msg = strings.TrimPrefix(msg, "failed to run Build function: ")
	return msg
}

// toHCL turns a source-map range (1-based lines and columns) into an HCL
// range with byte offsets into data, which the diagnostic printer needs to
// show the line.
func toHCL(file string, r *pb.Range, data []byte) hcl.Range {
	start := hcl.Pos{Line: int(r.GetStart().GetLine()), Column: int(r.GetStart().GetCharacter())}
	end := hcl.Pos{Line: int(r.GetEnd().GetLine()), Column: int(r.GetEnd().GetCharacter())}
	if start.Column < 1 {
		start.Column = 1
	}
	if end.Line < start.Line || (end.Line == start.Line && end.Column < start.Column) {
		end = start
	}
	start.Byte = byteOffset(data, start)
	end.Byte = byteOffset(data, end)
	return hcl.Range{Filename: file, Start: start, End: end}
}

// byteOffset returns the offset of p's line and column in data, counting
// a column as one character (as HCL does for ASCII).
func byteOffset(data []byte, p hcl.Pos) int {
	off := 0
	for line := 1; line < p.Line; line++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return len(data)
		}
		off += i + 1
	}
	for col := 1; col < p.Column && off < len(data) && data[off] != '\n'; col++ {
		_, size := utf8.DecodeRune(data[off:])
		off += size
	}
	return off
}
