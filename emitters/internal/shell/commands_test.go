package shell

import (
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/google/go-cmp/cmp"
)

func TestCopyParents(t *testing.T) {
	steps := []ir.Step{
		&ir.CopyStep{Target: "/app/a.txt", Mode: 0o644},
		&ir.CopyStep{Target: "/app/b.txt", Mode: 0o600},          // same parent: once
		&ir.CopyStep{Target: "/usr/local/bin/tool", Mode: 0o755}, // 0755 root: BuildKit's parents are right
		&ir.CopyStep{Target: "/opt/x/tool", Mode: 0o755, Owner: "sim"},
		&ir.CopyStep{Target: "/etc/motd", Mode: 0o644, Owner: "root"},
		&ir.CopyStep{Target: "/top", Mode: 0o600}, // parent "/"
		&ir.RunStep{Command: "true"},
		&ir.CopyStep{Target: "/home/s i m'/.rc", Mode: 0o600},
	}
	tests := []struct {
		i    int
		want []string
	}{
		{0, []string{"/app", "/opt/x", "/etc"}},
		{1, nil}, // not the first of its run
		{6, nil}, // not a copy: its run is empty
		{7, []string{"/home/s i m'"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, CopyParents(steps, tt.i)); diff != "" {
			t.Errorf("CopyParents(steps, %d) (-want +got):\n%s", tt.i, diff)
		}
	}
	if got, want := ParentsCommand([]string{"/app", "/home/s i m'"}), `mkdir -p /app "/home/s i m'"`; got != want {
		t.Errorf("ParentsCommand = %s, want %s", got, want)
	}
}
