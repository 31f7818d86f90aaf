package ir

// ParseWord splits an env value into literal text and references. "$NAME"
// and "${NAME}" (NAME = [A-Za-z_][A-Za-z0-9_]*) are references, "$$" is a
// literal "$", and a "$" followed by anything else is literal.
func ParseWord(s string) Word {
	var w Word
	lit := make([]byte, 0, len(s))
	flush := func() {
		if len(lit) > 0 {
			w = append(w, WordPart{Lit: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			lit = append(lit, c)
			continue
		}
		next := s[i+1]
		switch {
		case next == '$':
			lit = append(lit, '$')
			i++
		case next == '{':
			j := i + 2
			for j < len(s) && isNameByte(s[j], j == i+2) {
				j++
			}
			if j > i+2 && j < len(s) && s[j] == '}' {
				flush()
				w = append(w, WordPart{Ref: s[i+2 : j]})
				i = j
			} else {
				lit = append(lit, c)
			}
		case isNameByte(next, true):
			j := i + 1
			for j < len(s) && isNameByte(s[j], j == i+1) {
				j++
			}
			flush()
			w = append(w, WordPart{Ref: s[i+1 : j]})
			i = j - 1
		default:
			lit = append(lit, c)
		}
	}
	flush()
	return w
}

func isNameByte(c byte, first bool) bool {
	switch {
	case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return true
	case c >= '0' && c <= '9':
		return !first
	}
	return false
}

// ValidName reports whether s is a valid environment variable name.
func ValidName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i], i == 0) {
			return false
		}
	}
	return true
}
