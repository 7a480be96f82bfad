package author

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// toolchainMissing returns why lang's toolchain is not usable here, or "".
func toolchainMissing(lang Lang) string {
	var need []string
	switch lang {
	case Go:
		need = []string{"go"}
	case C:
		need = []string{"clang", "wasm-ld"}
	case AssemblyScript:
		need = []string{"node", "npm", "npx"}
	}
	for _, cmd := range need {
		if _, err := exec.LookPath(cmd); err != nil {
			return cmd + " is not on PATH"
		}
	}
	return ""
}

// TestBuildAndCall scaffolds each language, builds it for real, checks
// that toolhost loads it and calls its tool.
func TestBuildAndCall(t *testing.T) {
	t.Parallel()
	for _, lang := range Langs() {
		t.Run(string(lang), func(t *testing.T) {
			if why := toolchainMissing(lang); why != "" {
				t.Skipf("cannot build %s plugins here: %s", lang, why)
			}
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			dir := filepath.Join(t.TempDir(), "hello")
			if _, err := New(NewOptions{Name: "hello", Lang: lang, Dir: dir, CacheDir: t.TempDir()}); err != nil {
				t.Fatal(err)
			}
			var log strings.Builder
			res, err := Build(ctx, BuildOptions{Dir: dir, Log: &log, CompileCacheDir: compileCache})
			if err != nil {
				if lang == AssemblyScript && strings.Contains(err.Error(), "from npm") && os.Getenv("CI") == "" {
					t.Skipf("npm registry not reachable: %v", err) // the packages come from npm
				}
				t.Fatalf("Build: %v\nlog:\n%s", err, log.String())
			}
			if want := filepath.Join(dir, "hello.wasm"); res.Output != want || res.Lang != lang {
				t.Errorf("Build = %s (%s), want %s (%s)", res.Output, res.Lang, want, lang)
			}
			if !strings.Contains(log.String(), "$ ") {
				t.Errorf("the build log does not show the command:\n%s", log.String())
			}
			r := res.Report
			if r.ABI != "V2" || r.LoadError != "" || len(r.Tools) != 1 || r.Tools[0].Name != "greet" {
				t.Fatalf("report: abi %s, load error %q, tools %+v", r.ABI, r.LoadError, r.Tools)
			}
			if u := r.Unprovided(); len(u) > 0 {
				t.Errorf("unprovided imports: %v", u)
			}
			for _, tc := range []struct {
				args    string
				text    string
				isError bool
			}{
				{`{"name":"World"}`, "Hello, World!", false},
				{`{"name":"J\u00e9 \"q\" \ud83d\ude00"}`, `Hello, Jé "q" 😀!`, false},
				{`{}`, "", true},
			} {
				got, err := Call(ctx, CallOptions{File: res.Output, Tool: "greet", Args: []byte(tc.args), CacheDir: compileCache})
				if err != nil {
					t.Fatalf("Call(%s): %v", tc.args, err)
				}
				if got.IsError != tc.isError || (tc.text != "" && got.Text() != tc.text) {
					t.Errorf("Call(%s) = %s (isError %v), want %q (isError %v)", tc.args, got.JSON, got.IsError, tc.text, tc.isError)
				}
			}
			if lang == C { // -o puts the module elsewhere (checked once: C builds in milliseconds)
				out := filepath.Join(t.TempDir(), "elsewhere.wasm")
				if res, err := Build(ctx, BuildOptions{Dir: dir, Output: out, CompileCacheDir: compileCache}); err != nil || res.Output != out {
					t.Fatalf("Build -o: %v", err)
				}
			}
		})
	}
}

func TestBuildMissingToolchain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emptyPath := t.TempDir() // a PATH without go, clang, node...
	for _, tc := range []struct {
		lang Lang
		want []string
	}{
		{Go, []string{"building a Go plugin needs the go command (not on PATH)", "https://go.dev/dl"}},
		{C, []string{"building a C plugin needs clang (not on PATH)", "apt-get install -y --no-install-recommends clang lld wasi-libc libclang-rt-14-dev-wasm32"}},
		{AssemblyScript, []string{"building an AssemblyScript plugin needs Node.js (node) (not on PATH)", "apt-get install -y --no-install-recommends nodejs npm"}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "p")
			if _, err := New(NewOptions{Name: "p", Lang: tc.lang, Dir: dir, CacheDir: t.TempDir()}); err != nil {
				t.Fatal(err)
			}
			_, err := Build(ctx, BuildOptions{Dir: dir, Env: []string{"PATH=" + emptyPath, "HOME=" + t.TempDir()}})
			var missing *MissingToolchainError
			if !errors.As(err, &missing) || missing.Lang != tc.lang {
				t.Fatalf("Build error = %v, want a MissingToolchainError for %s", err, tc.lang)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "p.wasm")); err == nil {
				t.Errorf("a failed build left p.wasm")
			}
		})
	}
}

// TestBuildCMissingLinker: clang is there, wasm-ld (lld) is not.
func TestBuildCMissingLinker(t *testing.T) {
	t.Parallel()
	clang, err := exec.LookPath("clang")
	if err != nil {
		t.Skip("no clang on PATH")
	}
	bin := t.TempDir()
	if err := os.Symlink(clang, filepath.Join(bin, "clang")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "p")
	if _, err := New(NewOptions{Name: "p", Lang: C, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	_, err = Build(context.Background(), BuildOptions{Dir: dir, Env: []string{"PATH=" + bin}})
	if err == nil || !strings.Contains(err.Error(), "needs wasm-ld (package lld)") || !strings.Contains(err.Error(), installC) {
		t.Fatalf("Build error = %v", err)
	}
}

func TestCMissing(t *testing.T) {
	t.Parallel()
	other := errors.New("exit status 1")
	for _, tc := range []struct {
		out  string
		want string // "" means the original error
	}{
		{"wasm-ld: error: cannot open /usr/lib/llvm-14/lib/clang/14.0.6/lib/wasi/libclang_rt.builtins-wasm32.a: No such file", "libclang-rt-14-dev-wasm32"},
		{"wasm-ld: error: cannot open crt1-reactor.o: No such file or directory", "needs wasi-libc"},
		{"p.c:9:10: fatal error: 'stdint.h' file not found", "needs wasi-libc"},
		{"wasm-ld: error: unable to find library -lc", "needs wasi-libc"},
		{"p.c:3:1: error: unknown type name 'strin'", ""},
	} {
		err := cMissing([]byte(tc.out), other)
		if tc.want == "" {
			if err != other {
				t.Errorf("cMissing(%q) = %v, want the original error", tc.out, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), installC) {
			t.Errorf("cMissing(%q) = %v, want %q", tc.out, err, tc.want)
		}
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	mk := func(files map[string]string) string {
		dir := t.TempDir()
		for name, content := range files {
			writeFile(t, dir, name, []byte(content))
		}
		return dir
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  Lang
		err   string
	}{
		{"go", map[string]string{"go.mod": "module x\n", "x.c": ""}, Go, ""},
		{"as dev", map[string]string{"package.json": `{"devDependencies":{"assemblyscript":"0.28.20"}}`}, AssemblyScript, ""},
		{"as dep", map[string]string{"package.json": `{"dependencies":{"assemblyscript":"0.28.20"}}`}, AssemblyScript, ""},
		{"c", map[string]string{"plugin.c": "", "package.json": `{"name":"not-as"}`}, C, ""},
		{"bad package.json", map[string]string{"package.json": `{`}, "", "package.json"},
		{"nothing", map[string]string{"notes.txt": ""}, "", "holds no plugin project toolhost can build"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Detect(mk(tc.files))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Detect error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Detect = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := Detect(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Errorf("Detect of a missing directory succeeded")
	}
}

func TestGoAtLeast(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    string
		want bool
	}{
		{"go1.26.8", true}, {"go1.24", true}, {"go1.24rc1", true}, {"go1.100.1", true},
		{"go1.23.4", false}, {"go1.19", false}, {"devel go1.27-abc", false}, {"", false},
	} {
		if got := goAtLeast(tc.v, 24); got != tc.want {
			t.Errorf("goAtLeast(%q, 24) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

// TestBuildGoStaleReplace: a go.mod whose sdk replace points at a directory
// that is not there names the directory to use instead.
func TestBuildGoStaleReplace(t *testing.T) {
	if why := toolchainMissing(Go); why != "" {
		t.Skip(why)
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "p")
	p, err := New(NewOptions{Name: "p", Dir: dir, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(p.SDKDir); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	_, err = Build(context.Background(), BuildOptions{Dir: dir, CacheDir: cache})
	want := "go mod edit -replace " + SDKModule + "=" + filepath.Join(cache, "sdk", SDKHash())
	if err == nil || !strings.Contains(err.Error(), "which holds no module") || !strings.Contains(err.Error(), want) {
		t.Fatalf("Build error = %v, want one containing %q", err, want)
	}
}
