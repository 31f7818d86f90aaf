package shell

import (
	"io"
	"math/rand"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/envc-dev/envc/compiler/ir"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

var hostile = []string{
	"", "plain", "two words", "it's", `"double"`, `back\slash`, "`touch CANARY`", "$(touch CANARY)",
	"${HOME}", "$HOME", "%{rpm}", "#comment", "line\nbreak", "cr\rlf", "crlf\r\nx\r", "tab\there", "-leading-dash",
	"unicode ü € 日本", "'", "''", `\'`, "a'b\"c\\d`e$f", "\x01\x7f",
	strings.Repeat("long'value ", 500), "*?[glob]", "~user", "{a,b}", "a=b", "if", "!", ";&|<>()",
}

// expandWord parses src as one shell word and expands it as the shell would.
func expandWord(t *testing.T, src string, env map[string]string) string {
	t.Helper()
	f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader("x "+src), "")
	if err != nil {
		t.Fatalf("parsing %q: %v", src, err)
	}
	call := f.Stmts[0].Cmd.(*syntax.CallExpr)
	if len(call.Args) != 2 {
		t.Fatalf("%q is %d words, want 1", src, len(call.Args)-1)
	}
	cfg := &expand.Config{
		Env: expand.FuncEnviron(func(name string) string { return env[name] }),
		// The only command substitution Quote writes is $(printf '\r').
		CmdSubst: func(w io.Writer, cs *syntax.CmdSubst) error {
			var b strings.Builder
			syntax.NewPrinter().Print(&b, cs)
			if b.String() != `$(printf '\r')` {
				t.Fatalf("unexpected command substitution %s in %q", b.String(), src)
			}
			_, err := io.WriteString(w, "\r")
			return err
		},
	}
	fields, err := expand.Fields(cfg, call.Args[1])
	if err != nil {
		t.Fatalf("expanding %q: %v", src, err)
	}
	if len(fields) != 1 {
		t.Fatalf("%q expands to %d fields, want 1", src, len(fields))
	}
	return fields[0]
}

func TestQuoteReadsBack(t *testing.T) {
	for _, s := range hostile {
		q, err := Quote(s)
		if err != nil {
			t.Fatalf("Quote(%q): %v", s, err)
		}
		if got := expandWord(t, q, nil); got != s {
			t.Errorf("Quote(%q) = %s reads back as %q", s, q, got)
		}
	}
	for _, bad := range []string{"nul\x00byte", "invalid \xff utf8"} {
		if _, err := Quote(bad); err == nil {
			t.Errorf("Quote(%q) succeeded; want an error", bad)
		}
	}
}

func TestQuoteRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []rune("ab '\"\\`$(){}#%\n\r\t;&|<>*?~=!-\x01ü€")
	for i := 0; i < 2000; i++ {
		b := make([]rune, rng.Intn(40))
		for j := range b {
			b[j] = alphabet[rng.Intn(len(alphabet))]
		}
		s := string(b)
		if got := expandWord(t, MustQuote(s), nil); got != s {
			t.Fatalf("Quote(%q) reads back as %q", s, got)
		}
	}
}

func TestExpandWord(t *testing.T) {
	env := map[string]string{"PATH": "/bin", "HOSTILE": "$(x)'`"}
	tests := []struct {
		w    ir.Word
		want string
	}{
		{ir.ParseWord("/usr/games:$PATH"), "/usr/games:/bin"},
		{ir.ParseWord("${PATH}x"), "/binx"},
		{ir.Word{{Lit: "a'b\"$(touch CANARY)"}, {Ref: "HOSTILE"}, {Lit: "`id`"}}, "a'b\"$(touch CANARY)$(x)'``id`"},
		{ir.ParseWord("cost $$5"), "cost $5"},
		{ir.Word{{Lit: "line\nbreak "}, {Ref: "PATH"}}, "line\nbreak /bin"},
	}
	for _, tt := range tests {
		src := ExpandWord(tt.w)
		if got := expandWord(t, src, env); got != tt.want {
			t.Errorf("ExpandWord(%v) = %s expands to %q, want %q", tt.w, src, got, tt.want)
		}
	}
}

// TestQuoteRealShell runs the quoted words through the system's sh, which
// must print each value exactly and never run a command hidden in it.
func TestQuoteRealShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on this machine")
	}
	dir := t.TempDir()
	var script strings.Builder
	for _, s := range hostile {
		script.WriteString("printf '%s\\000' " + MustQuote(s) + "\n")
	}
	cmd := exec.Command(sh, "-c", script.String())
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	got := strings.Split(string(out), "\x00")
	got = got[:len(got)-1]
	if len(got) != len(hostile) {
		t.Fatalf("sh printed %d values, want %d", len(got), len(hostile))
	}
	for i := range hostile {
		if got[i] != hostile[i] {
			t.Errorf("sh printed %q, want %q", got[i], hostile[i])
		}
	}
	if matches, _ := exec.Command("ls", dir).Output(); len(matches) != 0 {
		t.Errorf("a command hidden in a value ran: %s", matches)
	}
}

func TestInstallCommandParses(t *testing.T) {
	for _, mgr := range []ir.PackageManager{ir.Apt, ir.Dnf, ir.Apk, ir.Zypper} {
		for _, vm := range []bool{false, true} {
			cmd := InstallCommand(mgr, []string{"git", "pkg>=1.2", "libfoo=1.*"}, InstallOptions{VM: vm})
			if err := Parse(cmd, false); err != nil {
				t.Errorf("%s: %q does not parse: %v", mgr, cmd, err)
			}
			if !strings.Contains(cmd, "'pkg>=1.2'") {
				t.Errorf("%s: package constraint not quoted: %s", mgr, cmd)
			}
		}
	}
	for _, c := range []string{EnsureUserCommand(User{Name: "sim"}, "debian"), EnsureUserCommand(User{Name: "sim"}, "alpine"), EnsureUserCommand(User{Name: "s i", UID: 1, GID: 2, Home: "/h o", Shell: "/bin/sh", Groups: []string{"a", "b c"}}, "debian"), EnsureUserCommand(User{Name: "s", UID: 1, GID: 2, Groups: []string{"a"}}, "alpine"), MkdirCommand("/a b/c'd", "sim"), MkdirCommand("/x", "")} {
		if err := Parse(c, false); err != nil {
			t.Errorf("%q does not parse: %v", c, err)
		}
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Quote(s)
		if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
			if err == nil {
				t.Fatalf("Quote accepted %q", s)
			}
			return
		}
		if err != nil {
			t.Fatalf("Quote(%q): %v", s, err)
		}
		if got := expandWord(t, q, nil); got != s {
			t.Fatalf("Quote(%q) = %s reads back as %q", s, q, got)
		}
	})
}
