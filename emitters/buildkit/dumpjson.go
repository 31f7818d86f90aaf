package buildkit

import (
	"slices"
	"strconv"
	"unicode/utf8"
)

// appendDump appends d as llb.json holds it: the bytes MarshalJSON (an
// encoding/json Encoder, two-space indent, HTML left unescaped) gives
// for d, written without reflection. encoding/json builds its encoder for
// each type on first use, and for these types that cost more than the
// writing itself; envc writes llb.json once per run. TestDumpIsMarshalJSON
// holds the two to the same bytes.
func appendDump(b []byte, d dump) []byte {
	w := jsonWriter{b: b}
	w.object(func() {
		w.strField("comment", d.Comment)
		if g := d.Graph; g != nil {
			w.strField("result", g.Result)
			w.key("ops")
			w.array(len(g.Ops), g.Ops == nil, func(i int) { w.op(&g.Ops[i]) })
		}
	})
	w.b = append(w.b, '\n')
	return w.b
}

// jsonWriter writes indented JSON as encoding/json's Encoder does with
// SetIndent("", "  ") and SetEscapeHTML(false): an empty object or array
// is {} or [], each member or element on its own line.
type jsonWriter struct {
	b     []byte
	depth int
	// first is whether the object or array open has no member yet.
	first bool
}

func (w *jsonWriter) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.first = true
}

func (w *jsonWriter) close(c byte) {
	w.depth--
	if !w.first {
		w.newline()
	}
	w.b = append(w.b, c)
	w.first = false
}

func (w *jsonWriter) newline() {
	w.b = append(w.b, '\n')
	for range w.depth {
		w.b = append(w.b, ' ', ' ')
	}
}

// elem starts an element of an array, or a member of an object (key).
func (w *jsonWriter) elem() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.newline()
}

func (w *jsonWriter) key(k string) {
	w.elem()
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':', ' ')
}

// object writes an object; members writes its members.
func (w *jsonWriter) object(members func()) {
	w.open('{')
	members()
	w.close('}')
}

// array writes an array of n elements, elem(i) writing each, or null for
// a nil slice, as encoding/json does.
func (w *jsonWriter) array(n int, isNil bool, elem func(i int)) {
	if isNil {
		w.null()
		return
	}
	w.open('[')
	for i := range n {
		w.elem()
		elem(i)
	}
	w.close(']')
}

func (w *jsonWriter) str(s string)               { w.b = appendJSONString(w.b, s) }
func (w *jsonWriter) int(n int64)                { w.b = strconv.AppendInt(w.b, n, 10) }
func (w *jsonWriter) bool(v bool)                { w.b = strconv.AppendBool(w.b, v) }
func (w *jsonWriter) null()                      { w.b = append(w.b, "null"...) }
func (w *jsonWriter) strField(k, s string)       { w.key(k); w.str(s) }
func (w *jsonWriter) intField(k string, n int64) { w.key(k); w.int(n) }

// The omitempty members: left out when empty, false or nil.

func (w *jsonWriter) strOmit(k, s string) {
	if s != "" {
		w.strField(k, s)
	}
}

func (w *jsonWriter) boolOmit(k string, v bool) {
	if v {
		w.key(k)
		w.bool(v)
	}
}

// strs writes a []string member: null when nil (no omitempty).
func (w *jsonWriter) strs(k string, ss []string) {
	w.key(k)
	w.array(len(ss), ss == nil, func(i int) { w.str(ss[i]) })
}

func (w *jsonWriter) strsOmit(k string, ss []string) {
	if len(ss) > 0 {
		w.strs(k, ss)
	}
}

func (w *jsonWriter) op(op *Op) {
	w.object(func() {
		w.strField("digest", op.Digest)
		w.strField("kind", op.Kind)
		w.strOmit("name", op.Name)
		w.strOmit("platform", op.Platform)
		if len(op.Inputs) > 0 {
			w.key("inputs")
			w.array(len(op.Inputs), false, func(i int) {
				w.object(func() {
					w.strField("digest", op.Inputs[i].Digest)
					w.intField("index", op.Inputs[i].Index)
				})
			})
		}
		if s := op.Source; s != nil {
			w.key("source")
			w.object(func() {
				w.strField("identifier", s.Identifier)
				if len(s.Attrs) > 0 {
					keys := make([]string, 0, len(s.Attrs))
					for k := range s.Attrs {
						keys = append(keys, k)
					}
					slices.Sort(keys)
					w.key("attrs")
					w.object(func() {
						for _, k := range keys {
							w.strField(k, s.Attrs[k])
						}
					})
				}
			})
		}
		if e := op.Exec; e != nil {
			w.key("exec")
			w.exec(e)
		}
		if f := op.File; f != nil {
			w.key("file")
			w.object(func() {
				w.key("actions")
				w.array(len(f.Actions), f.Actions == nil, func(i int) { w.fileAction(&f.Actions[i]) })
			})
		}
		w.strsOmit("caps", op.Caps)
	})
}

func (w *jsonWriter) exec(e *Exec) {
	w.object(func() {
		w.strs("args", e.Args)
		w.strsOmit("env", e.Env)
		w.strOmit("envAs", e.EnvAs)
		w.strOmit("cwd", e.Cwd)
		w.strOmit("user", e.User)
		w.key("mounts")
		w.array(len(e.Mounts), e.Mounts == nil, func(i int) {
			m := &e.Mounts[i]
			w.object(func() {
				w.strField("type", m.Type)
				w.intField("input", m.Input)
				w.strField("dest", m.Dest)
				w.strOmit("selector", m.Selector)
				w.intField("output", m.Output)
				w.boolOmit("readonly", m.Readonly)
			})
		})
	})
}

func (w *jsonWriter) fileAction(a *FileAction) {
	w.object(func() {
		w.intField("input", a.Input)
		w.intField("secondaryInput", a.SecondaryInput)
		w.intField("output", a.Output)
		if c := a.Copy; c != nil {
			w.key("copy")
			w.object(func() {
				w.strField("src", c.Src)
				w.strField("dest", c.Dest)
				w.strOmit("mode", c.Mode)
				w.strOmit("owner", c.Owner)
				w.boolOmit("createDestPath", c.CreateDestPath)
				w.boolOmit("followSymlink", c.FollowSymlink)
				w.boolOmit("dirCopyContents", c.DirCopyContents)
				w.boolOmit("allowWildcard", c.AllowWildcard)
				w.boolOmit("allowEmptyWildcard", c.AllowEmptyWildcard)
				w.boolOmit("attemptUnpack", c.AttemptUnpack)
				w.strsOmit("includePatterns", c.IncludePatterns)
				w.strsOmit("excludePatterns", c.ExcludePatterns)
			})
		}
		if m := a.Mkdir; m != nil {
			w.key("mkdir")
			w.object(func() {
				w.strField("path", m.Path)
				w.strField("mode", m.Mode)
				w.boolOmit("makeParents", m.MakeParents)
				w.strOmit("owner", m.Owner)
			})
		}
		if m := a.Mkfile; m != nil {
			w.key("mkfile")
			w.object(func() {
				w.strField("path", m.Path)
				w.strField("mode", m.Mode)
				w.strOmit("owner", m.Owner)
				w.strField("data", m.Data)
			})
		}
		if r := a.Rm; r != nil {
			w.key("rm")
			w.object(func() {
				w.strField("path", r.Path)
				w.boolOmit("allowNotFound", r.AllowNotFound)
				w.boolOmit("allowWildcard", r.AllowWildcard)
			})
		}
		if s := a.Symlink; s != nil {
			w.key("symlink")
			w.object(func() {
				w.strField("oldpath", s.Oldpath)
				w.strField("newpath", s.Newpath)
				w.strOmit("owner", s.Owner)
			})
		}
	})
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it with HTML left unescaped: `"` and `\`, control characters
// (\b, \f, \n, \r, \t by name, the others as \u00XX), U+2028 and U+2029
// as \u2028 and \u2029, and each byte of invalid UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
