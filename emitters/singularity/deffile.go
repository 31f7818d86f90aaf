package singularity

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/envc-dev/envc/internal/lazyre"
)

// Definition is one build stage of a Singularity/Apptainer definition file,
// read the way Apptainer's own parser (pkg/build/types/parser) reads it,
// but keeping the file's order: sections, labels and header keywords are
// in file order rather than in maps.
type Definition struct {
	// Header holds the header keywords in file order, keys lower-cased
	// ("bootstrap", "from", ...). Comment lines are dropped, as are
	// comments after a value.
	Header []HeaderField

	// The standard script sections. A section given more than once has its
	// bodies appended in file order.
	Help        Script
	Setup       Script
	Post        Script
	Test        Script
	Environment Script
	Runscript   Script
	Startscript Script
	Arguments   Script
	Pre         Script

	// Labels are the %labels lines in file order (duplicates kept; Apptainer
	// keeps the last value of a key).
	Labels []Label

	// Files are the %files sections; sections with the same arguments
	// (e.g. two plain %files, or two "%files from build") are merged.
	Files []FilesSection

	// Apps are the SCIF apps (%app* sections), in order of first appearance.
	Apps []*App

	// Sections lists every section occurrence in file order, raw.
	Sections []Section
}

// HeaderField is one "Key: value" line of a definition file's header.
type HeaderField struct {
	Key   string // lower-cased
	Value string
}

// Script is the body of a script section and the arguments written after
// the section's name (e.g. "-c /bin/bash" in "%post -c /bin/bash").
type Script struct {
	Args string
	Body string
}

// Label is one line of a %labels section: the key is the first
// space-separated word, the value the rest with surrounding space trimmed.
type Label struct {
	Key   string
	Value string
}

// FilesSection is one %files section (merged with others of the same
// arguments).
type FilesSection struct {
	// Args is the text after "%files", e.g. "from build".
	Args string
	// Stage is the stage the files come from ("%files from STAGE"); ""
	// means the host.
	Stage string
	Files []FileTransfer
}

// FileTransfer is one line of a %files section. Src is a path (a glob,
// expanded by Apptainer) on the host, relative to the directory where
// `apptainer build` runs, or in Stage; Dst is a path in the image, ""
// meaning the same path as Src.
type FileTransfer struct {
	Src string
	Dst string
}

// App is one SCIF app, gathered from its %app* sections.
type App struct {
	Name    string
	Install Script // %appinstall
	Env     Script // %appenv
	Test    Script // %apptest
	Help    Script // %apphelp
	Run     Script // %apprun
	Start   Script // %appstart
	Labels  []Label
	Files   []FileTransfer
}

// Section is one section occurrence as written.
type Section struct {
	// Name is the lower-cased section name without "%", e.g. "post" or
	// "apprun".
	Name string
	// App is the app's name for %app* sections.
	App string
	// Args is the rest of the section's header line.
	Args string
	// Body is every line after the header line up to the next section,
	// each ending in "\n".
	Body string
}

// Get returns the value of the header keyword key (lower-case), the last
// one when it is given twice, and whether it is present.
func (d *Definition) Get(key string) (string, bool) {
	for i := len(d.Header) - 1; i >= 0; i-- {
		if d.Header[i].Key == key {
			return d.Header[i].Value, true
		}
	}
	return "", false
}

// Errors returned by the parser.
var (
	ErrEmptyDefinition = errors.New("empty definition file")
	ErrInvalidSection  = errors.New("invalid section(s) specified")
)

var (
	scriptSections = map[string]func(d *Definition) *Script{
		"help":        func(d *Definition) *Script { return &d.Help },
		"setup":       func(d *Definition) *Script { return &d.Setup },
		"post":        func(d *Definition) *Script { return &d.Post },
		"test":        func(d *Definition) *Script { return &d.Test },
		"environment": func(d *Definition) *Script { return &d.Environment },
		"runscript":   func(d *Definition) *Script { return &d.Runscript },
		"startscript": func(d *Definition) *Script { return &d.Startscript },
		"arguments":   func(d *Definition) *Script { return &d.Arguments },
		"pre":         func(d *Definition) *Script { return &d.Pre },
	}
	appSections = map[string]func(a *App) *Script{
		"appinstall": func(a *App) *Script { return &a.Install },
		"appenv":     func(a *App) *Script { return &a.Env },
		"apptest":    func(a *App) *Script { return &a.Test },
		"apphelp":    func(a *App) *Script { return &a.Help },
		"apprun":     func(a *App) *Script { return &a.Run },
		"appstart":   func(a *App) *Script { return &a.Start },
		"applabels":  nil,
		"appfiles":   nil,
	}
	validHeaders = map[string]bool{
		"bootstrap": true, "from": true, "includecmd": true, "mirrorurl": true, "updateurl": true,
		"osversion": true, "include": true, "library": true, "registry": true, "namespace": true,
		"stage": true, "product": true, "user": true, "regcode": true, "productpgp": true,
		"registerurl": true, "modules": true, "otherurl&n": true, "fingerprints": true, "confurl": true,
		"setopt": true, "target": true, "frontend": true, "filename": true, "buildargs": true,
	}
	trailingDigits = lazyre.New(`\d+$`)
	// fileSplitter is Apptainer's split of a %files line into source and
	// destination: at spaces, except within double quotes (and around
	// build-argument templates).
	fileSplitter = lazyre.New(`([^\s"']*{{\s*\w+\s*}}*[^\s{}"']*)+|([^\s"']+|"([^"]*)"|'([^']*))`)
)

// ParseAll parses a definition file with one or more build stages, split
// where a line starts with "Bootstrap:", as `apptainer build` does. Text
// before the first stage that holds no definition (comments) is skipped.
func ParseAll(data []byte) ([]*Definition, error) {
	idx := stagePattern().FindAllIndex(data, -1)
	var chunks [][]byte
	start := 0
	for _, m := range idx {
		chunks = append(chunks, data[start:m[0]])
		start = m[0]
	}
	chunks = append(chunks, data[start:])
	var defs []*Definition
	for _, c := range chunks {
		if len(c) == 0 {
			continue
		}
		d, err := Parse(c)
		if errors.Is(err, ErrEmptyDefinition) {
			continue
		}
		if err != nil {
			return nil, err
		}
		defs = append(defs, d)
	}
	if len(defs) == 0 {
		return nil, errors.New("no stages found in definition file")
	}
	return defs, nil
}

// Parse parses one build stage of a definition file. It accepts what
// Apptainer accepts and fails where Apptainer fails: an unknown section,
// a header line without a colon, an unknown header keyword, or a file
// with neither header nor sections. Build-argument templates ("{{ NAME }}")
// are left as written.
func Parse(data []byte) (*Definition, error) {
	lines := scanLines(string(data))

	// Split into the header (lines before the first section) and section
	// tokens, each the header line plus the lines up to the next one.
	var header []string
	var tokens [][]string
	for _, line := range lines {
		if strings.HasPrefix(firstWord(line), "%") {
			tokens = append(tokens, []string{line})
			continue
		}
		if len(tokens) == 0 {
			header = append(header, line)
		} else {
			tokens[len(tokens)-1] = append(tokens[len(tokens)-1], line)
		}
	}

	d := &Definition{}
	if err := d.parseHeader(header); err != nil {
		return nil, fmt.Errorf("failed to parse deffile header: %w", err)
	}
	var invalid []string
	for i, tok := range tokens {
		head := tok[0]
		var b strings.Builder
		for _, l := range tok[1:] {
			b.WriteString(l)
			b.WriteByte('\n')
		}
		body := b.String()
		if i == 0 && len(header) == 0 {
			// Apptainer trims the first token when the file starts with a
			// section.
			head = strings.TrimLeftFunc(head, unicode.IsSpace)
			body = strings.TrimRightFunc(body, unicode.IsSpace)
		}
		if name, ok := d.addSection(head, body); !ok {
			invalid = append(invalid, name)
		}
	}
	if len(invalid) > 0 {
		sort.Strings(invalid)
		return nil, fmt.Errorf("%w: %s", ErrInvalidSection, strings.Join(invalid, ", "))
	}
	if len(d.Header) == 0 && len(d.Sections) == 0 {
		return nil, ErrEmptyDefinition
	}
	return d, nil
}

// scanLines splits text into lines as bufio.ScanLines does: at "\n", with
// one "\r" before it dropped, and no empty last line for a final newline.
func scanLines(text string) []string {
	if text == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// parseHeader reads "Key: value" lines; "#" starts a comment, and a value
// ending in "\" continues on the next line.
func (d *Definition) parseHeader(lines []string) error {
	contKey, contVal := "", ""
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			if contKey != "" {
				d.Header = append(d.Header, HeaderField{Key: contKey, Value: contVal})
				contKey, contVal = "", ""
			}
			continue
		}
		trim := strings.Split(line, "#")[0]
		var key, val string
		if contVal == "" {
			k, v, ok := strings.Cut(trim, ":")
			if !ok {
				return fmt.Errorf("header key %s had no val", k)
			}
			key, val = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		} else {
			key, val = contKey, contVal+strings.TrimSpace(trim)
			contKey, contVal = "", ""
		}
		if strings.HasSuffix(val, `\`) {
			contKey, contVal = key, strings.TrimSuffix(val, `\`)
			if strings.HasSuffix(contVal, `\n`) {
				contVal = strings.TrimSuffix(contVal, `\n`) + "\n"
			}
			continue
		}
		if !validHeaders[key] {
			tmp := trailingDigits().ReplaceAllString(key, "&n")
			if tmp == key || !validHeaders[tmp] {
				return fmt.Errorf("invalid header keyword found: %s", key)
			}
		}
		d.Header = append(d.Header, HeaderField{Key: key, Value: val})
	}
	if contKey != "" {
		d.Header = append(d.Header, HeaderField{Key: contKey, Value: contVal})
	}
	return nil
}

// addSection records one section; it returns the section's name and
// false when Apptainer does not know the section.
func (d *Definition) addSection(head, body string) (string, bool) {
	raw := strings.TrimLeft(head, "%")
	name, args, _ := strings.Cut(raw, " ")
	name = strings.ToLower(name)
	sec := Section{Name: name, Body: body}

	switch {
	case name == "files":
		sec.Args = args
		d.Sections = append(d.Sections, sec)
		d.addFiles(args, parseFileLines(body))
	case name == "labels":
		sec.Args = args
		d.Sections = append(d.Sections, sec)
		d.Labels = append(d.Labels, parseLabels(body)...)
	case scriptSections[name] != nil:
		sec.Args = args
		d.Sections = append(d.Sections, sec)
		s := scriptSections[name](d)
		if args != "" {
			s.Args = args
		}
		s.Body += body
	default:
		if _, ok := appSections[name]; !ok {
			return name, false
		}
		app, rest, _ := strings.Cut(args, " ")
		if app == "" {
			return name, false
		}
		sec.App, sec.Args = app, rest
		d.Sections = append(d.Sections, sec)
		a := d.app(app)
		switch name {
		case "applabels":
			a.Labels = append(a.Labels, parseLabels(body)...)
		case "appfiles":
			a.Files = append(a.Files, parseFileLines(body)...)
		default:
			s := appSections[name](a)
			s.Body += body
		}
	}
	return name, true
}

func (d *Definition) app(name string) *App {
	for _, a := range d.Apps {
		if a.Name == name {
			return a
		}
	}
	a := &App{Name: name}
	d.Apps = append(d.Apps, a)
	return a
}

func (d *Definition) addFiles(args string, files []FileTransfer) {
	for i := range d.Files {
		if d.Files[i].Args == args {
			d.Files[i].Files = append(d.Files[i].Files, files...)
			return
		}
	}
	fs := FilesSection{Args: args, Files: files}
	if f := strings.Fields(strings.Split(args, "#")[0]); len(f) == 2 && f[0] == "from" {
		fs.Stage = f[1]
	}
	d.Files = append(d.Files, fs)
}

// parseFileLines reads "src [dst]" lines; "#" lines are comments, and a
// path in double quotes may hold spaces.
func parseFileLines(body string) []FileTransfer {
	var out []FileTransfer
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		subs := fileSplitter().FindAllString(line, -1)
		if len(subs) == 0 {
			continue
		}
		ft := FileTransfer{Src: strings.Trim(strings.TrimSpace(subs[0]), `"`)}
		if len(subs) > 1 {
			ft.Dst = strings.Trim(strings.TrimSpace(subs[1]), `"`)
		}
		out = append(out, ft)
	}
	return out
}

// parseLabels reads "key value" lines; "#" lines are comments.
func parseLabels(body string) []Label {
	var out []Label
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, _ := strings.Cut(line, " ")
		out = append(out, Label{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
	}
	return out
}

// BuildArgs returns the names of the build arguments ("{{ NAME }}") that
// `apptainer build` would replace in data, in order, skipping those it
// considers commented out.
func BuildArgs(data []byte) []string {
	var names []string
	for _, m := range buildArgPattern().FindAllSubmatchIndex(data, -1) {
		lineStart := strings.LastIndexByte(string(data[:m[0]]), '\n') + 1
		if argCommentPattern().Match(data[lineStart:m[0]]) {
			continue
		}
		names = append(names, string(data[m[2]:m[3]]))
	}
	return names
}
