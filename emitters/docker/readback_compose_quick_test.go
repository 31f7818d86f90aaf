package docker

import (
	"testing"
)

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
