package wasmbuild

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// replaceLayout is a guest module at <root>/guest that replaces a library
// module with ../lib, like plugins/ does with ../sdk.
func replaceLayout(t *testing.T) (root string) {
	t.Helper()
	root = t.TempDir()
	writeFiles(t, root, map[string]string{
		"guest/go.mod":             "module example.com/guest\n\ngo 1.24\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib // local\n",
		"guest/hello/main.go":      helloMain,
		"guest/hello/README.md":    "docs\n",
		"guest/testdata/x.go":      "package x\n",
		"guest/.hidden/x.go":       "package x\n",
		"guest/node_modules/x.go":  "package x\n",
		"guest/other/other.go":     "package other\n",
		"lib/go.mod":               "module example.com/lib\n\ngo 1.24\n",
		"lib/lib.go":               "package lib\n",
		"lib/testdata/fixture.go":  "package fixture\n",
		"unrelated/unrelated.go":   "package unrelated\n",
		"guest/hello/main_test.go": "package main\n",
	})
	return root
}

func TestKeySensitivity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    map[string]string // files to (re)write, relative to the layout root
		pkg     string
		reactor bool
		env     map[string]string
		changed bool
	}{
		{name: "nothing", changed: false},
		{name: "guest source", edit: map[string]string{"guest/hello/main.go": helloMain + "// edit\n"}, changed: true},
		{name: "new guest file", edit: map[string]string{"guest/other/new.go": "package other\n"}, changed: true},
		{name: "guest test file", edit: map[string]string{"guest/hello/main_test.go": "package main // x\n"}, changed: true},
		{name: "guest go.mod", edit: map[string]string{"guest/go.mod": "module example.com/guest\n\ngo 1.25\n\nreplace example.com/lib => ../lib\n"}, changed: true},
		{name: "guest go.sum", edit: map[string]string{"guest/go.sum": "example.com/x v1.0.0 h1:abc=\n"}, changed: true},
		{name: "replaced module source", edit: map[string]string{"lib/lib.go": "package lib // edit\n"}, changed: true},
		{name: "replaced module go.mod", edit: map[string]string{"lib/go.mod": "module example.com/lib\n\ngo 1.25\n"}, changed: true},
		{name: "package path", pkg: "./other", changed: true},
		{name: "build mode", reactor: true, changed: true},
		{name: "GOWASM", env: map[string]string{"GOWASM": "satconv"}, changed: true},
		{name: "non-go file", edit: map[string]string{"guest/hello/README.md": "more docs\n"}, changed: false},
		{name: "testdata", edit: map[string]string{"guest/testdata/x.go": "package x // edit\n"}, changed: false},
		{name: "hidden dir", edit: map[string]string{"guest/.hidden/x.go": "package x // edit\n"}, changed: false},
		{name: "node_modules", edit: map[string]string{"guest/node_modules/x.go": "package x // edit\n"}, changed: false},
		{name: "replaced module testdata", edit: map[string]string{"lib/testdata/fixture.go": "package fixture // edit\n"}, changed: false},
		{name: "outside both modules", edit: map[string]string{"unrelated/unrelated.go": "package unrelated // edit\n"}, changed: false},
	}
	const version = "go version go1.26.8 linux/amd64"
	key := func(t *testing.T, root, pkg string, reactor bool, env map[string]string) string {
		t.Helper()
		getenv := func(name string) string { return env[name] }
		k, err := computeKey(context.Background(), version, getenv, prepared{moduleDir: filepath.Join(root, "guest"), pkg: pkg, reactor: reactor})
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := replaceLayout(t)
			base := key(t, root, "./hello", false, nil)
			writeFiles(t, root, tc.edit)
			pkg := tc.pkg
			if pkg == "" {
				pkg = "./hello"
			}
			if got := key(t, root, pkg, tc.reactor, tc.env); (got != base) != tc.changed {
				t.Errorf("key changed = %v, want %v", got != base, tc.changed)
			}
		})
	}
}

func TestKeyStableAcrossCopies(t *testing.T) {
	t.Parallel()
	// The key covers content and module-relative paths, not where the
	// checkout lives, so two clones share cache entries.
	a, b := replaceLayout(t), replaceLayout(t)
	ka, err := computeKey(context.Background(), "v", os.Getenv, prepared{moduleDir: filepath.Join(a, "guest"), pkg: "./hello"})
	if err != nil {
		t.Fatal(err)
	}
	kb, err := computeKey(context.Background(), "v", os.Getenv, prepared{moduleDir: filepath.Join(b, "guest"), pkg: "./hello"})
	if err != nil {
		t.Fatal(err)
	}
	if ka != kb {
		t.Errorf("identical modules in two directories got different keys")
	}
}

func TestKeyMissingReplaceDir(t *testing.T) {
	t.Parallel()
	root := replaceLayout(t)
	if err := os.RemoveAll(filepath.Join(root, "lib")); err != nil {
		t.Fatal(err)
	}
	_, err := computeKey(context.Background(), "v", os.Getenv, prepared{moduleDir: filepath.Join(root, "guest"), pkg: "./hello"})
	if err == nil {
		t.Fatal("computeKey succeeded with a missing replace directory")
	}
}

func TestLocalReplaces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		gomod string
		want  []string
	}{
		{"none", "module m\n\ngo 1.24\n", nil},
		{"single", "module m\nreplace a.com/x => ../x\n", []string{"../x"}},
		{"versioned source", "module m\nreplace a.com/x v1.0.0 => ./x // why\n", []string{"./x"}},
		{"module target ignored", "module m\nreplace a.com/x => b.com/y v1.2.3\n", nil},
		{"block", "module m\nreplace (\n\ta.com/x => ../x\n\t// a.com/z => ../z\n\ta.com/y => b.com/y v1.0.0\n\ta.com/w => \"../w\"\n)\n", []string{"../x", "../w"}},
		{"absolute", "module m\nreplace a.com/x => /opt/x\n", []string{"/opt/x"}},
		{"commented out", "module m\n// replace a.com/x => ../x\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "go.mod")
			if err := os.WriteFile(p, []byte(tc.gomod), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := localReplaces(p)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]string, len(tc.want))
			for i, w := range tc.want {
				want[i] = filepath.FromSlash(w)
			}
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("localReplaces = %q, want %q", got, want)
			}
		})
	}
}
