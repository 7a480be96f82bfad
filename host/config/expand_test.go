package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	env := lookup(map[string]string{"A": "alpha", "B": "beta", "EMPTY": "", "BRACE": "}{$"})
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"plain", "plain"},
		{"${A}", "alpha"},
		{"x${A}y${B}z", "xalphaybetaz"},
		{"${A}${B}", "alphabeta"},
		{"${UNSET:-dflt}", "dflt"},
		{"${A:-dflt}", "alpha"},
		{"${EMPTY:-dflt}", "dflt"},
		{"${EMPTY}", ""},
		{"${UNSET:-}", ""},
		{"${UNSET:-a:-b c}", "a:-b c"},
		{"${UNSET:-https://x.example/p}", "https://x.example/p"},
		{"$${A}", "${A}"},
		{"$${A:-x}", "${A:-x}"},
		{"$$${A}", "$${A}"},
		{"$A $ $$ {A} $}", "$A $ $$ {A} $}"},
		{"${BRACE}", "}{$"},
		{"${_x1:-ok}", "ok"},
	}
	for _, tt := range tests {
		got, problems := expand(tt.in, env, false)
		if got != tt.want || problems != nil {
			t.Errorf("expand(%q) = %q, %q; want %q", tt.in, got, problems, tt.want)
		}
	}
}

func TestExpandProblems(t *testing.T) {
	env := lookup(map[string]string{"A": "alpha"})
	tests := []struct {
		in     string
		lookup func(string) (string, bool)
		secret bool
		want   []string // substrings, one per problem
	}{
		{"${NOPE}", env, false, []string{"environment variable NOPE is not set: set it, or write ${NOPE:-default}"}},
		{"${X}-${Y}", env, false, []string{"X is not set", "Y is not set"}},
		{"${A}", nil, false, []string{"environment variable A is not available: this config was read without an environment"}},
		{"${A:-ok} ${B}", nil, false, []string{"B is not available"}},
		{"${}", env, false, []string{"${} is not a valid reference"}},
		{"${1A}", env, false, []string{"${1A} is not a valid reference"}},
		{"${A B}", env, false, []string{"${A B} is not a valid reference"}},
		{"${A-x}", env, false, []string{"${A-x} is not a valid reference"}},
		{"pw${a.b}", env, true, []string{"the ${ at byte 2 is not a valid reference"}},
		{"abc${A", env, false, []string{"the ${ at byte 3 has no closing }"}},
	}
	for _, tt := range tests {
		_, problems := expand(tt.in, tt.lookup, tt.secret)
		if len(problems) != len(tt.want) {
			t.Errorf("expand(%q) problems = %q, want %d", tt.in, problems, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if !strings.Contains(problems[i], w) {
				t.Errorf("expand(%q) problem %d = %q, want it to contain %q", tt.in, i, problems[i], w)
			}
		}
		if tt.secret && strings.Contains(strings.Join(problems, " "), "a.b") {
			t.Errorf("secret problems quote the value: %q", problems)
		}
	}
}

func TestExpandDoesNotRescan(t *testing.T) {
	// A value that itself contains ${...} is inserted as it is.
	got, problems := expand("${A}", lookup(map[string]string{"A": "${B}"}), false)
	if !reflect.DeepEqual([]any{got, problems}, []any{"${B}", []string(nil)}) {
		t.Errorf("expand = %q, %q; want the value inserted literally", got, problems)
	}
}
