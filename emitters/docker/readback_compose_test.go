package docker

import (
	"testing"
)

func TestReadWrittenComposeRefuses(t *testing.T) {
	for name, src := range map[string]string{
		"unknown key":   "services:\n  a:\n    image: x\n",
		"two services":  "services:\n  a:\n    working_dir: /a\n  b:\n    working_dir: /b\n",
		"bad template":  "services:\n  a:\n    working_dir: /a${\n",
		"not a mapping": "services: [1]\n",
		"undoubled $":   "services:\n  a:\n    working_dir: /a$$b$x\n",
	} {
		if _, err := readWrittenCompose([]byte(src)); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
	s, err := readWrittenCompose([]byte("services:\n  a:\n    working_dir: /a$$b\n"))
	if err != nil || s.WorkingDir != "/a$b" {
		t.Errorf("interpolation: got %+v, %v; want working_dir /a$b", s, err)
	}
}
