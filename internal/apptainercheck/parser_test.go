package apptainercheck

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apptainer/apptainer/pkg/build/types"
	"github.com/apptainer/apptainer/pkg/build/types/parser"
	"github.com/envc-dev/envc/emitters/singularity"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// stage is what both parsers must agree on for one build stage.
type stage struct {
	Header  map[string]string
	Scripts map[string]types.Script
	Labels  map[string]string
	Files   []types.Files
	Apps    []string
}

// theirs reads a stage as Apptainer's parser gives it.
func theirs(d types.Definition) stage {
	s := stage{Header: d.Header, Labels: d.Labels, Files: d.BuildData.Files, Apps: d.AppOrder, Scripts: map[string]types.Script{
		"help": d.Help, "environment": d.Environment, "runscript": d.Runscript, "test": d.ImageData.Test,
		"startscript": d.Startscript, "pre": d.BuildData.Pre, "setup": d.BuildData.Setup, "post": d.BuildData.Post,
		"arguments": d.BuildData.Arguments,
	}}
	return s
}

// ours reads a stage as envc's parser gives it, in Apptainer's shapes.
func ours(d *singularity.Definition) stage {
	script := func(sc singularity.Script) types.Script { return types.Script{Args: sc.Args, Script: sc.Body} }
	s := stage{Header: map[string]string{}, Labels: map[string]string{}, Scripts: map[string]types.Script{
		"help": script(d.Help), "environment": script(d.Environment), "runscript": script(d.Runscript), "test": script(d.Test),
		"startscript": script(d.Startscript), "pre": script(d.Pre), "setup": script(d.Setup), "post": script(d.Post),
		"arguments": script(d.Arguments),
	}}
	for _, h := range d.Header {
		s.Header[h.Key] = h.Value
	}
	for _, l := range d.Labels {
		s.Labels[l.Key] = l.Value
	}
	for _, f := range d.Files {
		tf := types.Files{Args: f.Args}
		for _, ft := range f.Files {
			tf.Files = append(tf.Files, types.FileTransport{Src: ft.Src, Dst: ft.Dst})
		}
		s.Files = append(s.Files, tf)
	}
	for _, a := range d.Apps {
		s.Apps = append(s.Apps, a.Name)
	}
	return s
}

// compare parses data with both parsers and reports any difference.
func compare(t *testing.T, name string, data []byte) {
	t.Helper()
	want, err := parser.All(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: Apptainer's parser: %v", name, err)
	}
	got, err := singularity.ParseAll(data)
	if err != nil {
		t.Fatalf("%s: envc's parser: %v", name, err)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d stages, Apptainer reads %d", name, len(got), len(want))
	}
	for i := range want {
		if diff := cmp.Diff(theirs(want[i]), ours(got[i]), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s stage %d differs (-apptainer +envc):\n%s", name, i+1, diff)
		}
	}
}

// TestGoldenDefinitions parses every Singularity.def of envc's golden
// outputs with both parsers.
func TestGoldenDefinitions(t *testing.T) {
	paths, err := filepath.Glob("../../testdata/golden/*/want/*/Singularity.def")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 5 {
		t.Fatalf("found only %d golden definition files", len(paths))
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(strings.TrimPrefix(p, "../../testdata/golden/"), func(t *testing.T) { compare(t, p, data) })
	}
}

// TestHandWritten parses definition files envc does not write: the
// forms an imported .def may use.
func TestHandWritten(t *testing.T) {
	files, err := filepath.Glob("testdata/*.def")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.def")
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(p), func(t *testing.T) { compare(t, p, data) })
	}
}
