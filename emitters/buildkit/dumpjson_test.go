package buildkit

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
)

// TestDumpIsMarshalJSON holds llb.json's writer to encoding/json: for
// the graphs of the test environments, for a graph that sets every member
// (and leaves the slices nil or empty), and for no graph at all, it must
// write the bytes MarshalJSON writes.
func TestDumpIsMarshalJSON(t *testing.T) {
	hostile := "\"\\\x00\x01\x1f\x7f\b\f\n\r\t<>&\u2028\u2029\xff\xc3\x28é😀$(id)`"
	every := &Graph{
		Result: "sha256:r",
		Ops: []Op{
			{Digest: "sha256:a", Kind: "source", Name: hostile, Platform: "linux/arm/v7",
				Source: &Source{Identifier: "local://context", Attrs: map[string]string{"z": "1", "a": hostile, "local.sharedkeyhint": "context", "": ""}},
				Caps:   []string{"source.local"}},
			{Digest: "sha256:b", Kind: "exec", Inputs: []Input{{Digest: "sha256:a", Index: 0}, {Digest: "sha256:a", Index: -1}},
				Exec: &Exec{Args: []string{"/bin/sh", "-c", hostile}, Env: []string{"A=" + hostile}, Cwd: "/w", User: "sim",
					Mounts: []Mount{{Type: "bind", Input: 0, Dest: "/", Output: 0}, {Type: "bind", Input: 1, Dest: "/src", Selector: "/x", Output: -1, Readonly: true}}}},
			{Digest: "sha256:c", Kind: "exec", Exec: &Exec{EnvAs: "sha256:b", Mounts: []Mount{}}},
			{Digest: "sha256:d", Kind: "exec", Exec: &Exec{Args: []string{}, Env: []string{}}},
			{Digest: "sha256:e", Kind: "file", Inputs: []Input{}, File: &File{Actions: []FileAction{
				{Input: 0, SecondaryInput: 1, Output: 0, Copy: &Copy{Src: "/a", Dest: "/b", Mode: "0644", Owner: "1000:1000",
					CreateDestPath: true, FollowSymlink: true, DirCopyContents: true, AllowWildcard: true, AllowEmptyWildcard: true, AttemptUnpack: true,
					IncludePatterns: []string{"*.txt"}, ExcludePatterns: []string{"x", hostile}}},
				{Input: -1, SecondaryInput: -1, Output: -1, Copy: &Copy{IncludePatterns: []string{}}},
				{Mkdir: &Mkdir{Path: "/p", Mode: "0755", MakeParents: true, Owner: "sim"}},
				{Mkdir: &Mkdir{}},
				{Mkfile: &Mkfile{Path: "/f", Mode: "0600", Owner: "sim", Data: hostile}},
				{Mkfile: &Mkfile{}},
				{Rm: &Rm{Path: "/r", AllowNotFound: true, AllowWildcard: true}},
				{Rm: &Rm{}},
				{Symlink: &Symlink{Oldpath: "/o", Newpath: "/n", Owner: "sim"}},
				{Symlink: &Symlink{}},
			}}},
			{Digest: "sha256:f", Kind: "file", File: &File{}},
			{Digest: "sha256:g", Kind: "file", File: &File{Actions: []FileAction{}}},
			{Digest: "sha256:h", Kind: "merge", Caps: []string{}},
			{Kind: "result"},
		},
	}
	cases := map[string]dump{
		"every member":  {Comment: hostile, Graph: every},
		"no graph":      {Comment: "c"},
		"no ops":        {Graph: &Graph{}},
		"ops empty":     {Graph: &Graph{Ops: []Op{}}},
		"empty op only": {Graph: &Graph{Ops: []Op{{}}}},
	}
	for name, env := range map[string]func() *ir.Env{"full": irtest.Full, "minimal": irtest.Minimal, "hostile": irtest.Hostile} {
		res, diags := Build(env(), emitters.Options{})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", name, diags.Errs())
		}
		cases[name] = dump{Comment: emitters.Header("", env()), Graph: shareEnv(res.Marshal().Graph)}
	}
	for name, d := range cases {
		want, err := MarshalJSON(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendDump(nil, d); !bytes.Equal(got, want) {
			t.Errorf("%s: llb.json's writer wrote\n%s\nencoding/json wrote\n%s", name, got, want)
		}
	}
}

// FuzzJSONString holds appendJSONString to encoding/json's escaping, HTML
// left unescaped, for any string.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\/", "\x00\x01\x1f\x7f\b\f\n\r\t", "<>&", "\u2028\u2029\u202a", "\xff\xc3\x28\xed\xa0\x80", "é😀", "\xf0\x9f\x98"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(append(got, '\n'), want.Bytes()) {
			t.Errorf("%q: got %s, encoding/json %s", s, got, want.Bytes())
		}
	})
}
