package config

import (
	"fmt"
	"strings"
)

// expand replaces ${NAME} and ${NAME:-default} in s and turns $${ into a
// literal ${. It returns one message per problem: an unset variable
// without a default, or a ${ that is not a valid reference. When secret is
// set, the messages never quote the text of s.
//
// ${NAME:-default} uses default when NAME is unset or empty, as a POSIX
// shell does; ${NAME} of a variable set to "" is "". The default is taken
// literally up to the first }, so it cannot contain } or references.
func expand(s string, lookup func(string) (string, bool), secret bool) (string, []string) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	var problems []string
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			b.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				problems = append(problems, fmt.Sprintf("the ${ at byte %d has no closing }: close the reference as ${NAME}, or write $${ for a literal ${", i))
				b.WriteString(s[i:])
				i = len(s)
				continue
			}
			ref := s[i+2 : i+2+end]
			i += 2 + end + 1
			name, def, hasDef := strings.Cut(ref, ":-")
			if !validEnvName(name) {
				what := "${" + ref + "}"
				if secret {
					what = fmt.Sprintf("the ${ at byte %d", i-len(ref)-3)
				}
				problems = append(problems, fmt.Sprintf("%s is not a valid reference: write ${NAME} or ${NAME:-default}, where NAME is letters, digits and _ not starting with a digit, or write $${ for a literal ${", what))
				b.WriteString("${" + ref + "}")
				continue
			}
			var val string
			var ok bool
			if lookup != nil {
				val, ok = lookup(name)
			}
			switch {
			case hasDef && (!ok || val == ""):
				b.WriteString(def)
			case ok:
				b.WriteString(val)
			case lookup == nil:
				problems = append(problems, fmt.Sprintf("environment variable %s is not available: this config was read without an environment; write ${%s:-default} to give a default", name, name))
			default:
				problems = append(problems, fmt.Sprintf("environment variable %s is not set: set it, or write ${%s:-default} to give a default", name, name))
			}
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), problems
}

func validEnvName(name string) bool {
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
