package buildkit

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// vertex is one op of a graph under construction: the op's fields as
// plain values and the vertices it reads. Marshal writes the graph as a
// pb.Definition the way BuildKit's client/llb does (the same ops, the
// same bytes, the same digests), without linking client/llb.
type vertex struct {
	kind     string // "source", "exec" or "file"
	inputs   []*vertex
	platform *Platform // nil for file ops and local sources
	name     string    // llb.customname
	caps     []string  // sorted
	// loc is the spec range of the step the op was made from, for the
	// source map of a build (nil: no location).
	loc *hcl.Range

	source *sourceOp
	exec   *execOp
	file   []fileAction
}

type sourceOp struct {
	identifier string
	attrs      map[string]string
}

type execOp struct {
	args []string
	env  *envList
	cwd  string
	user string
}

// fileAction is a copy (from the op's second input) or a mkdir, both on
// the op's first input.
type fileAction struct {
	copy  *copyAction
	mkdir *mkdirAction
}

type copyAction struct {
	src, dest       string
	owner           *chownOpt
	mode            int32 // -1: keep the source's
	followSymlink   bool
	dirCopyContents bool
	createDestPath  bool
}

type mkdirAction struct {
	path        string
	mode        int32
	makeParents bool
	owner       *chownOpt
}

// chownOpt is an owner as BuildKit's llb.WithUser reads "user[:group]":
// "root" and 32-bit numbers are IDs, anything else a name.
type chownOpt struct {
	user, group *userOpt
}

type userOpt struct {
	byName bool
	name   string
	id     uint32
}

func parseChown(s string) *chownOpt {
	if s == "" {
		return nil
	}
	u, g, hasGroup := strings.Cut(s, ":")
	c := &chownOpt{user: parseUserOpt(u)}
	if hasGroup {
		c.group = parseUserOpt(g)
	}
	return c
}

func parseUserOpt(s string) *userOpt {
	if s == "root" {
		return &userOpt{}
	}
	if id, err := strconv.ParseInt(s, 10, 32); err == nil {
		return &userOpt{id: uint32(id)}
	}
	return &userOpt{byName: true, name: s}
}

func (c *chownOpt) String() string {
	if c == nil {
		return ""
	}
	s := c.user.String()
	if c.group != nil {
		s += ":" + c.group.String()
	}
	return s
}

func (u *userOpt) String() string {
	if u.byName {
		return u.name
	}
	return strconv.FormatUint(uint64(u.id), 10)
}

// envList is an exec op's environment: NAME=value entries in the order
// their last setting came, as client/llb's EnvList lists them. One list
// is shared by every exec op that sees the same environment, and its
// wire form is written once.
type envList struct {
	entries []string
	wire    []byte // the entries as Meta.env fields, made on first use
}

func (e *envList) encoded() []byte {
	if e.wire == nil {
		n := 0
		for _, s := range e.entries {
			n += 1 + varintLen(uint64(len(s))) + len(s)
		}
		e.wire = make([]byte, 0, n)
		for _, s := range e.entries {
			e.wire = appendStringAlways(e.wire, 2, s)
		}
	}
	return e.wire
}

func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// imageSource returns the source op of the image canonical (a fully
// qualified reference) for platform p, named as the Dockerfile's FROM.
func imageSource(canonical, name string, p Platform) *vertex {
	return &vertex{
		kind:     "source",
		platform: &p,
		name:     name,
		caps:     []string{"source.image"},
		source:   &sourceOp{identifier: "docker-image://" + canonical},
	}
}

// localSource returns the source op of the local directory name, limited
// to includePatterns, with a stable unique ID.
func localSource(name, sharedKeyHint string, includePatterns []string, uniqueID, customName string) *vertex {
	attrs := map[string]string{"local.unique": uniqueID}
	caps := []string{"source.local", "source.local.unique"}
	if len(includePatterns) > 0 {
		// encoding/json, as client/llb writes the list.
		dt, _ := json.Marshal(includePatterns)
		attrs["local.includepattern"] = string(dt)
		caps = append(caps, "source.local.includepatterns")
	}
	if sharedKeyHint != "" {
		attrs["local.sharedkeyhint"] = sharedKeyHint
		caps = append(caps, "source.local.sharedkeyhint")
	}
	slices.Sort(caps)
	return &vertex{
		kind:   "source",
		name:   customName,
		caps:   caps,
		source: &sourceOp{identifier: "local://" + name, attrs: attrs},
	}
}

// execVertex runs args on base's root filesystem.
func execVertex(base *vertex, p Platform, args []string, env *envList, cwd, user, name string, loc *hcl.Range) *vertex {
	if cwd == "" {
		cwd = "/"
	}
	return &vertex{
		kind:     "exec",
		inputs:   []*vertex{base},
		platform: &p,
		name:     name,
		caps:     []string{"exec.meta.base", "exec.mount.bind"},
		loc:      loc,
		exec:     &execOp{args: args, env: env, cwd: cwd, user: user},
	}
}

// copyVertex copies src in from to dest in base.
func copyVertex(base, from *vertex, c *copyAction, name string, loc *hcl.Range) *vertex {
	c.src = path.Join("/", path.Clean(c.src))
	c.dest = normalizeDest(c.dest, true)
	return &vertex{
		kind:   "file",
		inputs: []*vertex{base, from},
		name:   name,
		caps:   []string{"file.base"},
		loc:    loc,
		file:   []fileAction{{copy: c}},
	}
}

// mkdirVertex makes a directory in base.
func mkdirVertex(base *vertex, m *mkdirAction, name string, loc *hcl.Range) *vertex {
	m.path = normalizeDest(m.path, false)
	return &vertex{
		kind:   "file",
		inputs: []*vertex{base},
		name:   name,
		caps:   []string{"file.base"},
		loc:    loc,
		file:   []fileAction{{mkdir: m}},
	}
}

// normalizeDest cleans p as an absolute path (relative paths are taken
// from "/", the working directory of every state envc makes), keeping a
// trailing "/" or "/." when keepSlash is set, as client/llb does for a
// copy's destination.
func normalizeDest(p string, keepSlash bool) string {
	orig := p
	p = path.Clean(p)
	if !path.IsAbs(p) {
		p = path.Join("/", p)
	}
	if keepSlash {
		if strings.HasSuffix(orig, "/") && !strings.HasSuffix(p, "/") {
			p += "/"
		} else if strings.HasSuffix(orig, "/.") {
			if p != "/" {
				p += "/"
			}
			p += "."
		}
	}
	return p
}

// SourceMap is the spec a build's graph was made from: each op made from a
// step then carries the step's range in the definition's source map, so
// that BuildKit reports a failing step at its line in the spec. Op digests
// do not change.
type SourceMap struct {
	Filename string // as in the env's ranges
	Language string // "HCL"
	Data     []byte
}

// Definition is a marshalled graph.
type Definition struct {
	// Bytes are the pb.Definition: what `buildctl build` reads on stdin.
	Bytes []byte
	// Graph holds the same ops as plain values (Graph.Ops in definition
	// order, the last one the result).
	Graph *Graph
}

// opMeta is the metadata of one digest: what llb's OpMetadata holds.
type opMeta struct {
	name string
	caps []string
}

// marshaller walks a graph from its result, inputs first, as client/llb's
// marshal does: a vertex is written once; two vertices with the same bytes
// (the same digest) are one op whose metadata is merged.
type marshaller struct {
	out   []byte // the Definition so far: its def fields
	done  map[*vertex]string
	meta  map[string]*opMeta
	locs  map[string][]hcl.Range
	graph *Graph
	sm    *SourceMap
	// sink, when set, takes the definition's bytes instead of out, an op
	// at a time (through scratch): to hash them (graphOnly) or to write
	// them (writeGraph). With known digests (a second pass) no op is
	// hashed again.
	sink    func([]byte)
	known   map[*vertex]string
	scratch []byte
}

func newMarshaller(sm *SourceMap) *marshaller {
	return &marshaller{
		done:  map[*vertex]string{},
		meta:  map[string]*opMeta{},
		locs:  map[string][]hcl.Range{},
		graph: &Graph{},
		sm:    sm,
	}
}

// marshalGraph writes the graph whose result is root, for a build when sm
// is set.
func marshalGraph(root *vertex, sm *SourceMap) *Definition {
	m := newMarshaller(sm)
	// One buffer of about the final size: a graph with many variables is
	// large, and growing a buffer op by op would copy it over and over.
	m.out = make([]byte, 0, sizeHint(root, sm, map[*vertex]bool{})+1024)
	m.run(root)
	return &Definition{Bytes: m.out, Graph: m.graph}
}

// graphOnly returns the graph from root as plain values, the digest of
// each vertex and the SHA-256 (hex) of the definition's bytes, keeping
// none of them. The definition's hash is computed behind the marshalling,
// on another goroutine (hashBehind).
func graphOnly(root *vertex, sm *SourceMap) (*Graph, map[*vertex]string, string) {
	m := newMarshaller(sm)
	hb := newHashBehind()
	m.sink = hb.write
	m.run(root)
	return m.graph, m.done, hb.sum()
}

// writeGraph writes the definition of the graph from root to w, an op at a
// time, with the digests graphOnly found: the same bytes as marshalGraph's,
// in little memory.
func writeGraph(w io.Writer, root *vertex, sm *SourceMap, digests map[*vertex]string) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var err error
	m := newMarshaller(sm)
	m.known = digests
	m.sink = func(b []byte) {
		if err == nil {
			_, err = bw.Write(b)
		}
	}
	m.run(root)
	if err != nil {
		return err
	}
	return bw.Flush()
}

// run writes the graph from root: its ops inputs first, the terminal op,
// the metadata and the source map.
func (m *marshaller) run(root *vertex) {
	rootDigest := m.visit(root)

	// The terminal op: one input, the result.
	final := appendMessage(nil, 1, appendStringAlways(nil, 1, rootDigest))
	finalDigest := digestOf(final)
	trailer := appendMessage(nil, 1, final)
	caps := []string{"constraints", "platform"}
	for _, md := range m.meta {
		if md.name != "" {
			caps = append(caps, "meta.description")
			break
		}
	}
	slices.Sort(caps)
	m.meta[finalDigest] = &opMeta{caps: caps}
	m.graph.Result = rootDigest
	m.graph.Ops = append(m.graph.Ops, Op{
		Digest: finalDigest,
		Kind:   "result",
		Inputs: []Input{{Digest: rootDigest}},
		Caps:   caps,
	})

	// Metadata, by digest.
	digests := make([]string, 0, len(m.meta))
	for d := range m.meta {
		digests = append(digests, d)
	}
	slices.Sort(digests)
	for _, d := range digests {
		md := m.meta[d]
		var v []byte
		if md.name != "" {
			entry := appendStringAlways(nil, 1, "llb.customname")
			entry = appendStringAlways(entry, 2, md.name)
			v = appendMessage(v, 2, entry)
		}
		for _, c := range md.caps {
			entry := appendStringAlways(nil, 1, c)
			entry = append(appendTag(entry, 2, wireVarint), 1)
			v = appendMessage(v, 5, entry)
		}
		entry := appendStringAlways(nil, 1, d)
		entry = appendMessage(entry, 2, v)
		trailer = appendMessage(trailer, 2, entry)
	}

	// The source map: an entry for every op but the terminal one (empty
	// without locations), then the spec.
	var src []byte
	digests = digests[:0]
	for d := range m.locs {
		digests = append(digests, d)
	}
	slices.Sort(digests)
	for _, d := range digests {
		var locs []byte
		for _, r := range m.locs[d] {
			var rng []byte
			rng = appendMessage(rng, 1, appendInt(appendInt(nil, 1, int64(r.Start.Line)), 2, int64(r.Start.Column)))
			rng = appendMessage(rng, 2, appendInt(appendInt(nil, 1, int64(r.End.Line)), 2, int64(r.End.Column)))
			locs = appendMessage(locs, 1, appendMessage(nil, 2, rng)) // sourceIndex 0
		}
		entry := appendStringAlways(nil, 1, d)
		entry = appendMessage(entry, 2, locs)
		src = appendMessage(src, 1, entry)
	}
	if m.sm != nil && m.hasLocations() {
		var info []byte
		info = appendString(info, 1, m.sm.Filename)
		if len(m.sm.Data) > 0 {
			info = appendTag(info, 2, wireBytes)
			info = appendVarint(info, uint64(len(m.sm.Data)))
			info = append(info, m.sm.Data...)
		}
		info = appendString(info, 4, m.sm.Language)
		src = appendMessage(src, 2, info)
	}
	trailer = appendMessage(trailer, 3, src)
	m.write(trailer)
}

// write adds b to the definition.
func (m *marshaller) write(b []byte) {
	if m.sink != nil {
		m.sink(b)
		return
	}
	m.out = append(m.out, b...)
}

// sizeHint returns about how many bytes the definition of the graph
// from v takes (a little more rather than less).
func sizeHint(v *vertex, sm *SourceMap, seen map[*vertex]bool) int {
	if seen[v] {
		return 0
	}
	seen[v] = true
	n := 0
	for _, in := range v.inputs {
		n += sizeHint(in, sm, seen)
	}
	const digestField = 2 + len("sha256:") + 64
	n += 128 + len(v.inputs)*(digestField+4)
	switch v.kind {
	case "source":
		n += len(v.source.identifier)
		for k, a := range v.source.attrs {
			n += len(k) + len(a) + 8
		}
	case "exec":
		n += execSize(v.exec)
	case "file":
		for _, a := range v.file {
			if a.copy != nil {
				n += len(a.copy.src) + len(a.copy.dest) + a.copy.owner.size()
			} else {
				n += len(a.mkdir.path) + a.mkdir.owner.size()
			}
		}
	}
	// Its metadata and source map entries.
	n += 2*(digestField+8) + len(v.name) + 32
	for _, c := range v.caps {
		n += len(c) + 8
	}
	if sm != nil {
		n += 48 + len(sm.Data)/len(seen)
	}
	return n
}

func execSize(e *execOp) int {
	n := len(e.cwd) + len(e.user) + 64
	for _, a := range e.args {
		n += len(a) + 1 + varintLen(uint64(len(a)))
	}
	return n + len(e.env.encoded())
}

func (c *chownOpt) size() int {
	if c == nil {
		return 0
	}
	n := 32
	for _, u := range []*userOpt{c.user, c.group} {
		if u != nil {
			n += len(u.name) + 8
		}
	}
	return n
}

func (m *marshaller) hasLocations() bool {
	for _, l := range m.locs {
		if len(l) > 0 {
			return true
		}
	}
	return false
}

// visit writes v after its inputs and returns its digest.
func (m *marshaller) visit(v *vertex) string {
	if d, ok := m.done[v]; ok {
		return d
	}
	inputs := make([]string, len(v.inputs))
	for i, in := range v.inputs {
		inputs[i] = m.visit(in)
	}
	// The op as a def field, in place at the end of out (no copy of a
	// large op) or in scratch.
	inPlace := m.sink == nil
	start, field := len(m.out), m.scratch[:0]
	if inPlace {
		m.out = m.appendOp(m.out, v, inputs)
		field = m.out[start:]
	} else {
		field = m.appendOp(field, v, inputs)
		m.scratch = field
	}
	d, ok := m.known[v]
	if !ok {
		// The op's bytes follow its one-byte tag and its length.
		opLen, n := uvarint(field[1:])
		d = digestOf(field[1+n : 1+n+opLen])
	}
	m.done[v] = d

	var loc []hcl.Range
	if v.loc != nil && m.sm != nil && v.loc.Filename == m.sm.Filename {
		loc = []hcl.Range{*v.loc}
	}
	m.locs[d] = append(m.locs[d], loc...)
	if md, ok := m.meta[d]; ok {
		// The same op again, from another vertex: merge the metadata.
		if v.name != "" {
			md.name = v.name
		}
		for _, c := range v.caps {
			if !slices.Contains(md.caps, c) {
				md.caps = append(md.caps, c)
			}
		}
		slices.Sort(md.caps)
		for i := range m.graph.Ops {
			if m.graph.Ops[i].Digest == d {
				m.graph.Ops[i].Name, m.graph.Ops[i].Caps = md.name, md.caps
			}
		}
		if inPlace {
			m.out = m.out[:start] // written once
		}
		return d
	}
	if !inPlace {
		m.write(field)
	}
	m.meta[d] = &opMeta{name: v.name, caps: slices.Clone(v.caps)}
	m.graph.Ops = append(m.graph.Ops, v.plain(d, inputs))
	return d
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// uvarint reads a varint at the start of b.
func uvarint(b []byte) (int, int) {
	var v uint64
	for i, c := range b {
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return int(v), i + 1
		}
	}
	return 0, 0
}

// appendOp appends v's pb.Op to dst as a def field (tag 1), its inputs'
// digests given. Go's protobuf writes the fields of a oneof (the op
// itself) after the others.
func (m *marshaller) appendOp(dst []byte, v *vertex, inputs []string) []byte {
	var head []byte // the inputs
	for _, d := range inputs {
		head = appendMessage(head, 1, appendStringAlways(nil, 1, d))
	}
	var tail []byte // platform and constraints
	if p := v.platform; p != nil {
		var pl []byte
		pl = appendString(pl, 1, p.Architecture)
		pl = appendString(pl, 2, p.OS)
		pl = appendString(pl, 3, p.Variant)
		tail = appendMessage(tail, 10, pl)
	}
	tail = appendMessage(tail, 11, nil)

	var body []byte
	switch v.kind {
	case "source":
		var s []byte
		s = appendString(s, 1, v.source.identifier)
		keys := make([]string, 0, len(v.source.attrs))
		for k := range v.source.attrs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			entry := appendStringAlways(nil, 1, k)
			entry = appendStringAlways(entry, 2, v.source.attrs[k])
			s = appendMessage(s, 2, entry)
		}
		body = appendMessage(nil, 3, s)
	case "exec":
		return m.appendExec(dst, v.exec, head, tail)
	case "file":
		var f []byte
		for _, a := range v.file {
			var fa []byte
			switch {
			case a.copy != nil:
				c := a.copy
				fa = appendInt(fa, 2, 1) // secondaryInput: the op's second input
				var cp []byte
				cp = appendString(cp, 1, c.src)
				cp = appendString(cp, 2, c.dest)
				cp = appendChown(cp, 3, c.owner)
				cp = appendInt(cp, 4, int64(c.mode))
				cp = appendBool(cp, 5, c.followSymlink)
				cp = appendBool(cp, 6, c.dirCopyContents)
				cp = appendBool(cp, 8, c.createDestPath)
				cp = appendInt(cp, 11, -1) // timestamp: none
				fa = appendMessage(fa, 4, cp)
			case a.mkdir != nil:
				md := a.mkdir
				fa = appendInt(fa, 2, -1) // no secondary input
				var mk []byte
				mk = appendString(mk, 1, md.path)
				mk = appendInt(mk, 2, int64(md.mode))
				mk = appendBool(mk, 3, md.makeParents)
				mk = appendChown(mk, 4, md.owner)
				mk = appendInt(mk, 5, -1)
				fa = appendMessage(fa, 6, mk)
			}
			f = appendMessage(f, 2, fa)
		}
		body = appendMessage(nil, 4, f)
	}
	dst = appendTag(dst, 1, wireBytes)
	dst = appendVarint(dst, uint64(len(head)+len(tail)+len(body)))
	return append(append(append(dst, head...), tail...), body...)
}

// appendExec appends an exec op as appendOp does: its env, the bulk of a
// graph with many variables, is copied once from the shared list.
func (m *marshaller) appendExec(dst []byte, e *execOp, head, tail []byte) []byte {
	var args []byte
	for _, a := range e.args {
		args = appendStringAlways(args, 1, a)
	}
	env := e.env.encoded()
	var rest []byte
	rest = appendString(rest, 3, e.cwd)
	rest = appendString(rest, 4, e.user)
	rest = appendBool(rest, 11, true) // removeMountStubsRecursive
	metaLen := len(args) + len(env) + len(rest)
	mounts := appendMessage(nil, 2, appendStringAlways(nil, 3, "/")) // the root: input 0, output 0
	execLen := 1 + varintLen(uint64(metaLen)) + metaLen + len(mounts)

	opLen := len(head) + len(tail) + 1 + varintLen(uint64(execLen)) + execLen
	dst = appendTag(dst, 1, wireBytes)
	dst = appendVarint(dst, uint64(opLen))
	dst = append(dst, head...)
	dst = append(dst, tail...)
	dst = appendTag(dst, 2, wireBytes)
	dst = appendVarint(dst, uint64(execLen))
	dst = appendTag(dst, 1, wireBytes)
	dst = appendVarint(dst, uint64(metaLen))
	dst = append(dst, args...)
	dst = append(dst, env...)
	dst = append(dst, rest...)
	return append(dst, mounts...)
}

func appendChown(b []byte, field int, c *chownOpt) []byte {
	if c == nil {
		return b
	}
	var co []byte
	co = appendUserOpt(co, 1, c.user)
	co = appendUserOpt(co, 2, c.group)
	return appendMessage(b, field, co)
}

func appendUserOpt(b []byte, field int, u *userOpt) []byte {
	if u == nil {
		return b
	}
	var uo []byte
	if u.byName {
		uo = appendMessage(uo, 1, appendString(nil, 1, u.name)) // input 0: the op's first
	} else {
		uo = appendTag(uo, 2, wireVarint) // a oneof field is written even when 0
		uo = appendVarint(uo, uint64(u.id))
	}
	return appendMessage(b, field, uo)
}

// plain returns v as llb.json shows it.
func (v *vertex) plain(digest string, inputs []string) Op {
	op := Op{Digest: digest, Kind: v.kind, Name: v.name, Caps: slices.Clone(v.caps)}
	if p := v.platform; p != nil {
		op.Platform = FormatPlatform(*p)
	}
	for _, d := range inputs {
		op.Inputs = append(op.Inputs, Input{Digest: d})
	}
	switch v.kind {
	case "source":
		op.Source = &Source{Identifier: v.source.identifier}
		if len(v.source.attrs) > 0 {
			op.Source.Attrs = v.source.attrs
		}
	case "exec":
		op.Exec = &Exec{
			Args:   v.exec.args,
			Env:    v.exec.env.entries,
			Cwd:    v.exec.cwd,
			User:   v.exec.user,
			Mounts: []Mount{{Type: "bind", Dest: "/"}},
		}
	case "file":
		op.File = &File{Actions: []FileAction{}}
		for _, a := range v.file {
			switch {
			case a.copy != nil:
				c := a.copy
				op.File.Actions = append(op.File.Actions, FileAction{SecondaryInput: 1, Copy: &Copy{
					Src:             c.src,
					Dest:            c.dest,
					Mode:            ModeString(c.mode),
					Owner:           c.owner.String(),
					CreateDestPath:  c.createDestPath,
					FollowSymlink:   c.followSymlink,
					DirCopyContents: c.dirCopyContents,
				}})
			case a.mkdir != nil:
				md := a.mkdir
				op.File.Actions = append(op.File.Actions, FileAction{SecondaryInput: -1, Mkdir: &Mkdir{
					Path:        md.path,
					Mode:        ModeString(md.mode),
					MakeParents: md.makeParents,
					Owner:       md.owner.String(),
				}})
			}
		}
	}
	return op
}
