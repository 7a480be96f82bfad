package repo

import (
	"os"
	"path/filepath"
	"testing"
)

func TestModuleOf(t *testing.T) {
	for in, want := range map[string]string{
		"module github.com/toolhost/toolhost\n\ngo 1.26\n":   "github.com/toolhost/toolhost",
		"// comment\nmodule \"example.com/x\" // trailing\n": "example.com/x",
		"go 1.26\n":                    "",
		"modules example.com/x\n":      "",
		"\tmodule   example.com/y  \n": "example.com/y",
	} {
		if got := ModuleOf([]byte(in)); got != want {
			t.Errorf("ModuleOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRoot(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	if !IsToolhostModule(filepath.Join(root, "go.mod")) {
		t.Errorf("Root() = %s, whose go.mod is not module %s", root, ModulePath)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "repo", "repo.go")); err != nil {
		t.Errorf("Root() = %s does not contain this package: %v", root, err)
	}
}

func TestIsToolhostModule(t *testing.T) {
	tests := []struct {
		name  string
		gomod string
		want  bool
	}{
		{"toolhost", "module github.com/toolhost/toolhost\n\ngo 1.26\n", true},
		{"quoted", "// comment\nmodule \"github.com/toolhost/toolhost\"\n", true},
		{"plugins module", "module github.com/toolhost/toolhost/plugins\n", false},
		{"other", "module example.com/x\n", false},
		{"empty", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "go.mod")
			if err := os.WriteFile(p, []byte(tc.gomod), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := IsToolhostModule(p); got != tc.want {
				t.Errorf("IsToolhostModule = %v, want %v", got, tc.want)
			}
		})
	}
}
