package ir

import "strings"

// ValidStageName reports whether name can name a stage in every target:
// at most MaxNameLen bytes, a lowercase letter, then lowercase letters,
// digits, '.', '_' and '-' (a Dockerfile stage name after AS, which
// BuildKit's parser takes without a leading digit). The compiler also refuses "scratch" and "context",
// which BuildKit reads as the empty image and the build context.
func ValidStageName(name string) bool {
	if name == "" || len(name) > MaxNameLen || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// MaxNameLen is the longest name of an environment or a stage: it names
// files and folders, and a compose service, whose name is a host name.
const MaxNameLen = 63

// NumericUser reads a run user given by ids, as Kubernetes wants it
// ("1000", or "1000:100" with the primary group): uid, gid and whether a
// gid is given. It reports false for a user name.
func NumericUser(s string) (uid, gid int, hasGID, ok bool) {
	u, g, hasGID := strings.Cut(s, ":")
	uid, ok = decimalID(u)
	if !ok {
		return 0, 0, false, false
	}
	if hasGID {
		if gid, ok = decimalID(g); !ok {
			return 0, 0, false, false
		}
	}
	return uid, gid, hasGID, true
}

// MaxID is the largest user or group id envc accepts (shadow's useradd
// refuses 2^31-1, the overflow id of some file systems).
const MaxID = 2147483646

// decimalID reads an id written in decimal digits, without a sign or a
// leading zero (which useradd and sudo read alike), up to MaxID.
func decimalID(s string) (int, bool) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n <= MaxID
}

// Series joins items as a sentence lists them, for the compiler's and
// the targets' messages: "a", "a and b", "a, b and c".
func Series(items []string) string {
	n := len(items)
	if n < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:n-1], ", ") + " and " + items[n-1]
}
