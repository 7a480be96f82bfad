package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestMatcher(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		// Unanchored patterns are anchored at both ends.
		{"debug", []string{"debug"}, []string{"debug_x", "x_debug", ""}},
		{"temp_.*", []string{"temp_", "temp_file"}, []string{"xtemp_file", "temp"}},
		{"a|b", []string{"a", "b"}, []string{"ab", "xa"}},
		{"test_(unit|integration)", []string{"test_unit"}, []string{"test_units"}},
		{`file\.exe`, []string{"file.exe"}, []string{"filexexe"}},
		// The caveat: one explicit anchor leaves the other end open.
		{"^foo", []string{"foo", "foobar"}, []string{"xfoo"}},
		{`\Afoo`, []string{"foobar"}, []string{"xfoo"}},
		{"foo$", []string{"foo", "xfoo"}, []string{"foox"}},
		{`foo\z`, []string{"xfoo"}, []string{"foox"}},
		{"^exact$", []string{"exact"}, []string{"exactly"}},
		// A literal \$ at the end counts as "ends with $" (hyper-mcp's rule).
		{`cost\$`, []string{"cost$", "xcost$"}, []string{"cost"}},
	}
	for _, tt := range tests {
		m, err := NewMatcher(tt.pattern)
		if err != nil {
			t.Fatalf("NewMatcher(%q): %v", tt.pattern, err)
		}
		for _, s := range tt.match {
			if !m.Match(s) {
				t.Errorf("%q does not match %q, want a match", tt.pattern, s)
			}
		}
		for _, s := range tt.noMatch {
			if m.Match(s) {
				t.Errorf("%q matches %q, want no match", tt.pattern, s)
			}
		}
	}
}

func TestMatcherPatterns(t *testing.T) {
	in := []string{"a.*", "^b"}
	m, err := NewMatcher(in...)
	if err != nil {
		t.Fatal(err)
	}
	got := m.Patterns()
	if !reflect.DeepEqual(got, in) {
		t.Errorf("Patterns() = %q, want %q", got, in)
	}
	got[0] = "changed"
	if m.Patterns()[0] != "a.*" {
		t.Error("Patterns() returned the matcher's own slice")
	}
	if !m.Match("axyz") || !m.Match("bcd") || m.Match("c") {
		t.Error("a matcher of several patterns must match when any pattern does")
	}
	var zero Matcher
	if zero.Match("") || zero.Match("x") || len(zero.Patterns()) != 0 {
		t.Error("the zero Matcher must match nothing")
	}
}

func TestMatcherErrors(t *testing.T) {
	for _, p := range []string{"(", "a)", "[z-a]", "x**", `\p{Nope}`} {
		_, err := NewMatcher("ok", p)
		if err == nil || !strings.Contains(err.Error(), "pattern 1 ") {
			t.Errorf("NewMatcher(ok, %q) = %v, want an error naming pattern 1", p, err)
		}
	}
}
