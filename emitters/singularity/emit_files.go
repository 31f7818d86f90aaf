package singularity

import (
	"path"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/internal/lazyre"
)

// plainComponent is a context folder (or file) name that a %files line
// carries as itself: Apptainer splits the line at spaces and quotes, and
// expands the source as a shell glob.
var plainComponent = lazyre.New(`^[A-Za-z0-9_][A-Za-z0-9._+-]*$`)

// emitFiles writes %files: each top-level entry of the build context that
// a copy step reads (usually just "files") is copied whole to StageDir,
// where the copy steps in %post install from. It returns the staged path
// of each copy step's source.
//
// Staging rather than copying to the targets keeps every copy at its
// position among the steps (%files runs before %post), lets %post set the
// mode and owner, and keeps file names out of the %files line, which
// Apptainer splits at spaces and quotes and expands as a glob: only the
// top-level names, checked by plainComponent, appear there.
//
// A copy from a stage is staged by a "%files from STAGE" section instead,
// at StageCopyDir/N for step N; its source must be a path of plain names.
func (e *emission) emitFiles() map[*ir.CopyStep]string {
	staged := map[*ir.CopyStep]string{}
	var lines []string
	seen := map[string]bool{}
	var fromOrder []string
	from := map[string][]string{}
	for i, s := range e.env.Steps {
		c, ok := s.(*ir.CopyStep)
		if !ok {
			continue
		}
		if c.Stage != "" {
			if !stagePath().MatchString(c.Source) || path.Clean(c.Source) != c.Source || !plainComponent().MatchString(c.Stage) {
				e.diags = append(e.diags, emitters.Errorf(c.Range, "Stage path cannot be carried", "The path %q of stage %q cannot be written in a %%files from section, which Apptainer splits at spaces and quotes and expands as a glob: use letters, digits, '.', '_', '+' and '-' in each name.", c.Source, c.Stage))
				continue
			}
			dst := StageCopyDir + "/" + strconv.Itoa(i+1)
			staged[c] = dst
			if _, ok := from[c.Stage]; !ok {
				fromOrder = append(fromOrder, c.Stage)
			}
			from[c.Stage] = append(from[c.Stage], c.Source+" "+dst)
			continue
		}
		top, _, _ := strings.Cut(c.Source, "/")
		if !plainComponent().MatchString(top) || path.IsAbs(c.Source) || path.Clean(c.Source) != c.Source {
			e.diags = append(e.diags, emitters.Errorf(c.Range, "Context path cannot be carried", "The build context path %q cannot be staged by %%files: its first component must be a plain name (letters, digits, '.', '_', '+', '-') and the path must be clean and relative.", c.Source))
			continue
		}
		staged[c] = StageDir + "/" + c.Source
		if !seen[top] {
			seen[top] = true
			lines = append(lines, top+" "+StageDir+"/"+top)
		}
	}
	e.add("files", lines)
	for _, st := range fromOrder {
		e.addArgs("files", "from "+st, from[st])
	}
	return staged
}

// stagePath is a path in a stage that a %files line carries as itself.
var stagePath = lazyre.New(`^(/[A-Za-z0-9_.][A-Za-z0-9._+-]*)+$`)
