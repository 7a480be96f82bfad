package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Matcher is a compiled skip_* list. The zero Matcher matches nothing.
type Matcher struct {
	patterns []string
	res      []*regexp.Regexp
}

// NewMatcher compiles patterns as a skip_* list does: each is anchored with
// anchorPattern's rule (see the package doc) and compiled as a Go (RE2)
// regular expression.
func NewMatcher(patterns ...string) (Matcher, error) {
	m := Matcher{patterns: slices.Clone(patterns)}
	for i, p := range patterns {
		re, err := regexp.Compile(anchorPattern(p))
		if err != nil {
			if _, rawErr := regexp.Compile(p); rawErr != nil {
				err = rawErr // name the pattern as written, not as anchored
			}
			return Matcher{}, fmt.Errorf("pattern %d %q is not a valid regular expression: %v", i, p, unwrapRegexpError(err))
		}
		m.res = append(m.res, re)
	}
	return m, nil
}

// Match reports whether any pattern matches s.
func (m Matcher) Match(s string) bool {
	for _, re := range m.res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// Patterns returns the patterns as written in the config, before anchoring.
func (m Matcher) Patterns() []string {
	return slices.Clone(m.patterns)
}

// anchorPattern is hyper-mcp's rule: wrap p as ^(?:p)$ unless it already
// starts with ^ or \A, or ends with $ or \z. A pattern anchored at one end
// only stays unanchored at the other ("^foo" matches "foobar").
func anchorPattern(p string) string {
	if strings.HasPrefix(p, "^") || strings.HasPrefix(p, `\A`) ||
		strings.HasSuffix(p, "$") || strings.HasSuffix(p, `\z`) {
		return p
	}
	return "^(?:" + p + ")$"
}

func unwrapRegexpError(err error) string {
	// regexp errors read "error parsing regexp: missing closing ): `(a`";
	// the prefix says nothing the caller does not already say.
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}
