//go:build linux && (amd64 || arm64 || loong64 || ppc64le || riscv64 || s390x)

package hugeheap

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// TestStartCoversHeap checks that Advise does nothing before Start, and
// that after Start the mapping that holds a new heap object carries the
// kernel's huge-page flag ("hg" in /proc/self/smaps), and that the heap
// still works.
func TestStartCoversHeap(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || bytes.Contains(mode, []byte("[never]")) {
		t.Skipf("this kernel gives no transparent huge pages (%q, %v)", mode, err)
	}
	if !enabled {
		t.Skip("GODEBUG has disablethp=1")
	}
	Advise()
	early := new([32 << 10]byte)
	flags, err := vmFlags(uintptr(unsafe.Pointer(early)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(" "+flags+" ", " hg ") {
		t.Fatalf("before Start, the heap mapping has VmFlags %q, with hg", flags)
	}
	Start()
	obj := new([32 << 10]byte)
	for i := range obj {
		obj[i] = byte(i)
	}
	at := uintptr(unsafe.Pointer(obj))
	flags, err = vmFlags(at)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("the heap mapping at %#x has VmFlags %q, without hg", at, flags)
	}
	for i := range obj {
		if obj[i] != byte(i) {
			t.Fatalf("byte %d of a heap object changed", i)
		}
	}
}

// vmFlags returns the VmFlags line of the mapping that holds addr.
func vmFlags(addr uintptr) (string, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 {
			in = lo <= addr && addr < hi
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmFlags:")), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no mapping in /proc/self/smaps holds %#x", addr)
}
