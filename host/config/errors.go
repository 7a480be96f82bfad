package config

import (
	"strconv"
	"strings"
)

// Error is one problem in a configuration. Load and Parse return every
// problem they find, joined with errors.Join; use errors.As on each, or
// read the joined message, one problem per line.
type Error struct {
	// Source is the file path, or <yaml>, <json> or <toml> for Parse.
	Source string
	// Line is the 1-based line of the problem, or 0 when it is not known
	// (TOML values, problems of the whole file).
	Line int
	// Path is the key path of the setting, such as
	// plugins.weather.runtime_config.memory_limit, or "" for the whole file.
	Path string
	// Msg says what is wrong and what to do.
	Msg string
}

// Error formats the problem as
// config[SOURCE] line N: PATH: MSG.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config[")
	b.WriteString(e.Source)
	b.WriteString("]")
	if e.Line > 0 {
		b.WriteString(" line ")
		b.WriteString(strconv.Itoa(e.Line))
	}
	if e.Path != "" {
		if e.Line > 0 {
			b.WriteString(":")
		}
		b.WriteString(" ")
		b.WriteString(e.Path)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// child is the key path of key inside path: a.b for plain keys, and
// a["key with.dots"] for any other key.
func child(path, key string) string {
	if !plainKey(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// index is the key path of list item i inside path.
func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func plainKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// oneLine keeps a foreign error message on one line, so that each line of
// a joined error is one problem.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	return strings.Join(fields, "; ")
}

// suggest returns the candidate closest to key, if it is close enough to be
// a likely typo.
func suggest(key string, candidates []string) (string, bool) {
	best, bestDist := "", len(key)/3+2
	lower := strings.ToLower(key)
	for _, c := range candidates {
		d := editDistance(lower, c)
		if len(lower) >= 4 && (strings.HasPrefix(c, lower) || strings.HasPrefix(lower, c)) {
			d = 1 // "runtime" for runtime_config
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best, best != ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
