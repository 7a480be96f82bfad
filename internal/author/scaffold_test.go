package author

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseLang(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Lang
		err  string
	}{
		{"go", Go, ""}, {"Go", Go, ""}, {"golang", Go, ""},
		{"c", C, ""},
		{"assemblyscript", AssemblyScript, ""}, {"as", AssemblyScript, ""},
		{"rust", "", `--lang "rust": use go, c or assemblyscript`},
		{"", "", `--lang "": use go, c or assemblyscript`},
	} {
		got, err := ParseLang(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseLang(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseLang(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestNewFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang    Lang
		files   []string
		command string
		// contents: file -> substrings it must contain
		contents map[string][]string
	}{
		{Go, []string{".gitignore", "README.md", "go.mod", "go.sum", "main.go"},
			"GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o weather.wasm .",
			map[string][]string{
				"go.mod":    {"module weather\n", "\tgithub.com/extism/go-pdk v1.1.3 // indirect\n", "replace github.com/toolhost/toolhost/sdk => "},
				"go.sum":    {"github.com/extism/go-pdk v1.1.3 h1:"},
				"main.go":   {`"github.com/toolhost/toolhost/sdk"`, `typed.AddTool(sdk.Tool{Name: "greet"`, "func main() {}"},
				"README.md": {"# weather", "GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o weather.wasm .", "toolhost call weather.wasm greet --arg name=World"},
			}},
		{C, []string{".gitignore", "README.md", "build.sh", "weather.c"},
			"clang --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--strip-all -o weather.wasm weather.c",
			map[string][]string{
				"weather.c": {`import_module("extism:host/env")`, `EXPORT("list_tools")`, `EXPORT("call_tool")`},
				"build.sh":  {"clang --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--strip-all -o weather.wasm weather.c", "apt-get install"},
				"README.md": {"# weather", "./build.sh", "libclang-rt-14-dev-wasm32"},
			}},
		{AssemblyScript, []string{".gitignore", "README.md", "assembly/index.ts", "package.json"},
			"npx asc assembly/index.ts --outFile weather.wasm --use abort=assembly/index/myAbort -O3",
			map[string][]string{
				"package.json":      {`"name": "weather"`, `"assemblyscript": "0.28.20"`, `"@extism/as-pdk": "1.0.0"`},
				"assembly/index.ts": {`from "@extism/as-pdk"`, "export function list_tools(): i32", "export function call_tool(): i32", "function myAbort("},
				"README.md":         {"# weather", "npx asc assembly/index.ts --outFile weather.wasm"},
			}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "weather")
			p, err := New(NewOptions{Name: "weather", Lang: tc.lang, Dir: dir, CacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if p.Dir != dir || p.Lang != tc.lang || p.Name != "weather" {
				t.Errorf("project = %+v", p)
			}
			if !slices.Equal(p.Files, tc.files) {
				t.Errorf("files = %v, want %v", p.Files, tc.files)
			}
			if p.BuildCommand != tc.command {
				t.Errorf("BuildCommand = %q, want %q", p.BuildCommand, tc.command)
			}
			if (p.SDKDir != "") != (tc.lang == Go) {
				t.Errorf("SDKDir = %q for %s", p.SDKDir, tc.lang)
			}
			for file, wants := range tc.contents {
				data, err := os.ReadFile(filepath.Join(dir, file))
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range wants {
					if !strings.Contains(string(data), w) {
						t.Errorf("%s lacks %q:\n%s", file, w, data)
					}
				}
				if strings.Contains(string(data), "{{") {
					t.Errorf("%s has an unexpanded template action:\n%s", file, data)
				}
			}
			if tc.lang == Go {
				mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
				if !strings.Contains(string(mod), "=> "+p.SDKDir+"\n") {
					t.Errorf("go.mod does not replace the sdk with %s:\n%s", p.SDKDir, mod)
				}
				if _, err := os.Stat(filepath.Join(p.SDKDir, "go.mod")); err != nil {
					t.Errorf("the sdk was not written: %v", err)
				}
			}
			if tc.lang == C {
				fi, err := os.Stat(filepath.Join(dir, "build.sh"))
				if err != nil || fi.Mode()&0o100 == 0 {
					t.Errorf("build.sh is not executable: %v %v", fi.Mode(), err)
				}
			}
		})
	}
}

func TestNewGoVet(t *testing.T) {
	// The scaffolded Go project is valid as written: go vet for wasip1
	// resolves the sdk through the replace and go-pdk through go.sum.
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go on PATH")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "vetme")
	if _, err := New(NewOptions{Name: "vetme", Dir: dir, CacheDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "vet", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	full := t.TempDir()
	writeFile(t, full, "keep.txt", []byte("mine"))
	empty := t.TempDir()
	for _, tc := range []struct {
		name string
		o    NewOptions
		err  string
	}{
		{"upper case", NewOptions{Name: "Weather", Dir: filepath.Join(t.TempDir(), "x")}, `plugin name "Weather": use lower-case letters`},
		{"dash", NewOptions{Name: "my-tool", Dir: filepath.Join(t.TempDir(), "x")}, `plugin name "my-tool"`},
		{"empty name", NewOptions{Name: "", Dir: filepath.Join(t.TempDir(), "x")}, `plugin name ""`},
		{"double underscore", NewOptions{Name: "a__b", Dir: filepath.Join(t.TempDir(), "x")}, `plugin name "a__b"`},
		{"bad lang", NewOptions{Name: "ok", Lang: "rust", Dir: filepath.Join(t.TempDir(), "x")}, `language "rust": use go, c or assemblyscript`},
		{"non-empty dir", NewOptions{Name: "ok", Lang: C, Dir: full}, "exists and is not empty: choose another with --dir"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("New error = %v, want %q", err, tc.err)
			}
		})
	}
	if got, _ := os.ReadFile(filepath.Join(full, "keep.txt")); string(got) != "mine" {
		t.Errorf("New touched a non-empty directory")
	}
	// An existing empty directory is fine.
	if _, err := New(NewOptions{Name: "ok", Lang: C, Dir: empty}); err != nil {
		t.Errorf("New into an empty directory: %v", err)
	}
}
