package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const guest = `package main

//go:wasmexport hello
func hello() int32 { return 0 }

func main() {}
`

func TestRun(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		"go.mod":                          "module github.com/toolhost/toolhost\n",
		"plugins/go.mod":                  "module example.com/plugins\n\ngo 1.24\n",
		"plugins/one/main.go":             guest,
		"plugins/two/main.go":             guest + "\nvar two = 2\n",
		"internal/bundled/wasm/README.md": "kept\n",
		"internal/bundled/wasm/old.wasm":  "\x00asm stale",
	})
	out := filepath.Join(repo, "internal", "bundled", "wasm")
	c := config{repo: repo, out: out, names: []string{"one", "two"}, cacheDir: t.TempDir()}

	tests := []struct {
		name  string
		lines []string // regexps, one per output line
	}{
		{"first run builds", []string{
			`^one +\d+\.\d\d MB  built in \S+ +internal/bundled/wasm/one\.wasm$`,
			`^two +\d+\.\d\d MB  built in \S+ +internal/bundled/wasm/two\.wasm$`,
			`^old +removed: no longer bundled$`,
		}},
		{"second run hits the cache", []string{
			`^one +\d+\.\d\d MB  cache hit +internal/bundled/wasm/one\.wasm$`,
			`^two +\d+\.\d\d MB  cache hit +internal/bundled/wasm/two\.wasm$`,
		}},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		if err := run(context.Background(), c, &buf); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != len(tc.lines) {
			t.Fatalf("%s: output\n%s\nwant %d lines", tc.name, buf.String(), len(tc.lines))
		}
		for i, re := range tc.lines {
			if !regexp.MustCompile(re).MatchString(lines[i]) {
				t.Errorf("%s: line %q does not match %s", tc.name, lines[i], re)
			}
		}
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if want := []string{"README.md", "one.wasm", "two.wasm"}; !slices.Equal(got, want) {
		t.Errorf("output directory holds %v, want %v", got, want)
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "no plugins module",
			files: map[string]string{"go.mod": "module github.com/toolhost/toolhost\n"},
			want:  []string{"no plugins module at", "pass -repo"},
		},
		{
			name: "one plugin broken, other still built",
			files: map[string]string{
				"plugins/go.mod":      "module example.com/plugins\n\ngo 1.24\n",
				"plugins/one/main.go": guest,
				"plugins/two/main.go": "package main\n\nfunc main() { undefinedThing() }\n",
			},
			want: []string{"plugin two:", "./two", "undefined: undefinedThing"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			repo := t.TempDir()
			writeFiles(t, repo, tc.files)
			out := filepath.Join(repo, "out")
			var buf bytes.Buffer
			err := run(context.Background(), config{repo: repo, out: out, names: []string{"one", "two"}, cacheDir: t.TempDir()}, &buf)
			if err == nil {
				t.Fatal("run succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(tc.name, "other still built") {
				if _, err := os.Stat(filepath.Join(out, "one.wasm")); err != nil {
					t.Errorf("working plugin not built next to a broken one: %v", err)
				}
			}
		})
	}
}

func TestFindRepo(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		"go.mod":                "module github.com/toolhost/toolhost\n\ngo 1.26\n",
		"plugins/go.mod":        "module github.com/toolhost/toolhost/plugins\n",
		"plugins/hash/main.go":  "package main\n",
		"internal/bundled/x.go": "package bundled\n",
	})
	tests := []struct {
		from    string
		wantErr bool
	}{
		{from: repo},
		{from: filepath.Join(repo, "internal", "bundled")},
		{from: filepath.Join(repo, "plugins", "hash")},
		{from: t.TempDir(), wantErr: true},
	}
	for _, tc := range tests {
		got, err := findRepo(tc.from)
		if tc.wantErr {
			if err == nil {
				t.Errorf("findRepo(%s) = %s, want an error", tc.from, got)
			}
			continue
		}
		if err != nil || got != repo {
			t.Errorf("findRepo(%s) = %s, %v; want %s", tc.from, got, err, repo)
		}
	}
}
