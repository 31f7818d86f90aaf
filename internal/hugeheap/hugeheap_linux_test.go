//go:build linux && (amd64 || arm64 || loong64 || ppc64le || riscv64 || s390x)

package hugeheap

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// TestStartCoversHeap checks that Advise does nothing before Start, and
// that after Start the mapping that holds a new heap object carries the
// kernel's huge-page flag ("hg" in /proc/self/smaps), and that the heap
// still works.
func TestStartCoversHeap(t *testing.T) {
	needHugePages(t)
	Advise()
	early := new([32 << 10]byte)
	if flags, hg := hugeFlag(t, uintptr(unsafe.Pointer(early))); hg {
		t.Fatalf("before Start, the heap mapping has VmFlags %q, with hg", flags)
	}
	Start()
	obj := new([32 << 10]byte)
	for i := range obj {
		obj[i] = byte(i)
	}
	at := uintptr(unsafe.Pointer(obj))
	if flags, hg := hugeFlag(t, at); !hg {
		t.Errorf("the heap mapping at %#x has VmFlags %q, without hg", at, flags)
	}
	for i := range obj {
		if obj[i] != byte(i) {
			t.Fatalf("byte %d of a heap object changed", i)
		}
	}
}

// TestFollowCoversGrowth checks that memory the runtime maps for the heap
// after Follow started gets the kernel's huge-page flag (a new chunk is a
// new mapping, without it, as one mapped before Follow shows), and that
// stop ends the goroutine and gives Start and Advise back their work.
func TestFollowCoversGrowth(t *testing.T) {
	needHugePages(t)
	// Whether the last byte of b is in a mapping with hg: an object may
	// begin in the free end of a chunk mapped before.
	hasHG := func(b []byte) bool {
		t.Helper()
		_, hg := hugeFlag(t, uintptr(unsafe.Pointer(&b[len(b)-1])))
		return hg
	}
	// 16 MiB is more than the test's heap has free: the runtime maps new
	// chunks for most of each.
	before := make([]byte, 16<<20)
	if hasHG(before) {
		t.Fatal("a heap object made before Follow is already in a mapping with hg: the test cannot tell what Follow does")
	}
	stop := Follow()
	defer stop()
	if !following.Load() {
		t.Fatal("Follow did not start")
	}
	after := make([]byte, 16<<20)
	for deadline := time.Now().Add(10 * time.Second); !hasHG(after); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("10 s after Follow, the mapping of a heap object made since has no hg")
		}
	}
	for i := range after {
		after[i] = byte(i)
	}
	for i := range after {
		if after[i] != byte(i) {
			t.Fatalf("byte %d of a heap object changed", i)
		}
	}
	runtime.KeepAlive(before)
	stop()
	stop()
	for deadline := time.Now().Add(10 * time.Second); followers.Load() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("10 s after stop, Follow's goroutine still runs")
		}
	}
	if following.Load() {
		t.Error("after stop, Start and Advise still do nothing")
	}
}

// ran counts the tests that called needHugePages in this process.
var ran = map[string]int{}

// needHugePages skips a test where the kernel gives no transparent huge
// pages, or GODEBUG turns them off, and when it ran before in this process
// (go test -count=N): each test looks at a heap the package has not yet
// asked for, and what it asked for in the first run stays asked.
func needHugePages(t *testing.T) {
	t.Helper()
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || bytes.Contains(mode, []byte("[never]")) {
		t.Skipf("this kernel gives no transparent huge pages (%q, %v)", mode, err)
	}
	if !enabled {
		t.Skip("GODEBUG has disablethp=1")
	}
	if ran[t.Name()]++; ran[t.Name()] > 1 {
		t.Skip("looks at a heap the package has not asked for: runs once per process")
	}
}

// hugeFlag returns the VmFlags of the mapping that holds addr, and
// whether they have the kernel's huge-page flag, hg.
func hugeFlag(t *testing.T, addr uintptr) (flags string, hg bool) {
	t.Helper()
	flags, err := vmFlags(addr)
	if err != nil {
		t.Fatal(err)
	}
	return flags, strings.Contains(" "+flags+" ", " hg ")
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
