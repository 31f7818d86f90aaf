package ir

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
