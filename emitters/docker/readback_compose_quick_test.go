package docker

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadComposeQuickAgrees demands that the self-check's reader and
// compose-go's loader read every test case's compose.yaml the same way.
func TestReadComposeQuickAgrees(t *testing.T) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			_, compose, _ := emit(t, tc.env())
			want, err := ReadCompose(compose)
			if err != nil {
				t.Fatalf("ReadCompose: %v", err)
			}
			got, err := readComposeQuick(compose)
			if err != nil {
				t.Fatalf("readComposeQuick: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("readComposeQuick differs from ReadCompose (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadComposeQuickRefuses(t *testing.T) {
	for name, src := range map[string]string{
		"unknown key":   "services:\n  a:\n    image: x\n",
		"two services":  "services:\n  a:\n    working_dir: /a\n  b:\n    working_dir: /b\n",
		"bad template":  "services:\n  a:\n    working_dir: /a${\n",
		"not a mapping": "services: [1]\n",
	} {
		if _, err := readComposeQuick([]byte(src)); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
	s, err := readComposeQuick([]byte("services:\n  a:\n    working_dir: /a$$b$x\n"))
	if err != nil || s.WorkingDir != "/a$b" {
		t.Errorf("interpolation: got %+v, %v; want working_dir /a$b", s, err)
	}
}
