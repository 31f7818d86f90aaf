package hugeheap

import "testing"

func TestDisabledBy(t *testing.T) {
	for _, tc := range []struct {
		godebug string
		want    bool
	}{
		{"", false},
		{"disablethp=1", true},
		{"disablethp=0", false},
		{"gctrace=1,disablethp=1", true},
		{"disablethp=1,gctrace=1", true},
		{"disablethp=1,disablethp=0", false},
		{"disablethp=0,disablethp=1", true},
		{"disablethp=10", false},
		{"xdisablethp=1", false},
		{",disablethp=1,", true},
	} {
		if got := disabledBy(tc.godebug); got != tc.want {
			t.Errorf("disabledBy(%q) = %v, want %v", tc.godebug, got, tc.want)
		}
	}
}
