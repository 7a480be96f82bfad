package wasmbuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// helloMain is a minimal guest: one export, no dependencies.
const helloMain = `package main

//go:wasmexport hello
func hello() int32 { return 0 }

func main() {}
`

// writeFiles writes name→content pairs (slash paths) under dir.
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

// guestModule creates a guest module in a temp dir with package ./hello and
// returns the module directory.
func guestModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod":         "module example.com/guest\n\ngo 1.24\n",
		"hello/main.go":  helloMain,
		"hello/other.go": "package main\n",
	})
	return dir
}

// countingBuilder returns a builder with a fresh version memo that counts the
// go commands it runs, by subcommand.
type countingBuilder struct {
	*builder
	mu    sync.Mutex
	calls map[string]int
}

func newCountingBuilder() *countingBuilder {
	cb := &countingBuilder{calls: map[string]int{}}
	cb.builder = &builder{
		lookPath: exec.LookPath,
		versions: newVersionMemo(),
		run: func(cmd *exec.Cmd) error {
			cb.mu.Lock()
			cb.calls[cmd.Args[1]]++
			cb.mu.Unlock()
			return cmd.Run()
		},
	}
	return cb
}

func (cb *countingBuilder) count(sub string) int {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	return cb.calls[sub]
}

func TestBuildAndCache(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		reactor     bool
		wantExports []string
		notExports  []string
	}{
		{name: "reactor", reactor: true, wantExports: []string{"_initialize", "hello"}, notExports: []string{"_start"}},
		{name: "command", reactor: false, wantExports: []string{"_start", "hello"}, notExports: []string{"_initialize"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mod := guestModule(t)
			cb := newCountingBuilder()
			req := Request{ModuleDir: mod, Package: "./hello", Reactor: tc.reactor, CacheDir: t.TempDir()}
			ctx := context.Background()

			first, err := cb.build(ctx, req)
			if err != nil {
				t.Fatalf("first build: %v", err)
			}
			if first.Cached {
				t.Errorf("first build reported a cache hit")
			}
			if got := cb.count("build"); got != 1 {
				t.Errorf("go build ran %d times on a miss, want 1", got)
			}
			data, err := os.ReadFile(first.Path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(data, []byte("\x00asm")) {
				t.Fatalf("output does not start with the wasm magic: % x", data[:min(8, len(data))])
			}
			exports := wasmExports(t, data)
			for _, want := range tc.wantExports {
				if !slices.Contains(exports, want) {
					t.Errorf("exports %v lack %q", exports, want)
				}
			}
			for _, bad := range tc.notExports {
				if slices.Contains(exports, bad) {
					t.Errorf("exports %v unexpectedly contain %q", exports, bad)
				}
			}
			fi1, err := os.Stat(first.Path)
			if err != nil {
				t.Fatal(err)
			}

			// A second call is a hit: no go command at all runs.
			before := cb.count("build") + cb.count("version")
			second, err := cb.build(ctx, req)
			if err != nil {
				t.Fatalf("second build: %v", err)
			}
			if !second.Cached || second.Path != first.Path || second.Key != first.Key {
				t.Errorf("second build = %+v, want a cache hit on %+v", second, first)
			}
			if after := cb.count("build") + cb.count("version"); after != before {
				t.Errorf("a cache hit ran %d go commands, want 0", after-before)
			}
			fi2, err := os.Stat(second.Path)
			if err != nil {
				t.Fatal(err)
			}
			if !fi2.ModTime().Equal(fi1.ModTime()) {
				t.Errorf("cache hit rewrote the cached file")
			}

			// A source edit changes the key and rebuilds.
			writeFiles(t, mod, map[string]string{"hello/other.go": "package main\n\nvar _ = 1\n"})
			third, err := cb.build(ctx, req)
			if err != nil {
				t.Fatalf("build after edit: %v", err)
			}
			if third.Cached || third.Key == first.Key || third.Path == first.Path {
				t.Errorf("build after edit = %+v, want a fresh build with a new key (old %s)", third, first.Key)
			}
			if got := cb.count("build"); got != 2 {
				t.Errorf("go build ran %d times after an edit, want 2", got)
			}
		})
	}
}

func TestBuildOutput(t *testing.T) {
	t.Parallel()
	mod := guestModule(t)
	out := filepath.Join(t.TempDir(), "nested", "hello.wasm")
	req := Request{ModuleDir: mod, Package: "./hello/", Reactor: true, Output: out, CacheDir: t.TempDir()}
	b := newCountingBuilder()
	res, err := b.build(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != out {
		t.Errorf("Path = %s, want the Output %s", res.Path, out)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(res.CachePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Output differs from the cached build")
	}
	// Leftover temporary files in the output directory would be embedded.
	entries, err := os.ReadDir(filepath.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("output directory holds %d entries, want only hello.wasm", len(entries))
	}
}

func TestBuildConcurrent(t *testing.T) {
	t.Parallel()
	mod := guestModule(t)
	req := Request{ModuleDir: mod, Package: "./hello", Reactor: true, CacheDir: t.TempDir()}
	b := newCountingBuilder()
	const n = 4
	paths := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := b.build(context.Background(), req)
			paths[i], errs[i] = res.Path, err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("builder %d: %v", i, errs[i])
		}
		if paths[i] != paths[0] {
			t.Errorf("builder %d got %s, want %s", i, paths[i], paths[0])
		}
	}
	if !isWasmFile(paths[0]) {
		t.Errorf("%s is not a wasm module after concurrent builds", paths[0])
	}
}

func TestBuildCompileError(t *testing.T) {
	t.Parallel()
	mod := guestModule(t)
	writeFiles(t, mod, map[string]string{
		"bad/main.go": "package main\n\n//go:wasmexport hello\nfunc hello() int32 { return \"nope\" }\n\nfunc main() {}\n",
	})
	_, err := newCountingBuilder().build(context.Background(), Request{ModuleDir: mod, Package: "./bad", Reactor: true, CacheDir: t.TempDir()})
	if err == nil {
		t.Fatal("build of a broken package succeeded")
	}
	for _, want := range []string{"./bad", "main.go:4", "cannot use", "fix the errors"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestBuildCanceled(t *testing.T) {
	t.Parallel()
	mod := guestModule(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newCountingBuilder().build(ctx, Request{ModuleDir: mod, Package: "./hello", CacheDir: t.TempDir()})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("build with a canceled context: err = %v, want context.Canceled", err)
	}
}

func TestBuildRequestErrors(t *testing.T) {
	t.Parallel()
	mod := guestModule(t)
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"no module dir", Request{Package: "./hello"}, "ModuleDir is empty"},
		{"no go.mod", Request{ModuleDir: t.TempDir(), Package: "./hello"}, "no go.mod in"},
		{"no package", Request{ModuleDir: mod}, "Package is empty"},
		{"import path", Request{ModuleDir: mod, Package: "hello"}, `start with "./"`},
		{"escapes module", Request{ModuleDir: mod, Package: "./../x"}, "leaves ModuleDir"},
		{"missing package", Request{ModuleDir: mod, Package: "./nope"}, "package ./nope does not exist"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.CacheDir = t.TempDir()
			_, err := newCountingBuilder().build(context.Background(), tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestGoToolErrors(t *testing.T) {
	t.Parallel()
	mod := guestModule(t)
	tests := []struct {
		name     string
		lookPath func(string) (string, error)
		version  string
		want     string
	}{
		{
			name:     "go missing",
			lookPath: func(string) (string, error) { return "", exec.ErrNotFound },
			want:     "go command not found",
		},
		{
			name:     "go too old",
			lookPath: func(string) (string, error) { return "/fake/go", nil },
			version:  "go version go1.22.5 linux/amd64",
			want:     "found go1.22.5, too old",
		},
		{
			name:     "unreadable version",
			lookPath: func(string) (string, error) { return "/fake/go", nil },
			version:  "gibberish",
			want:     "cannot read the Go version",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &builder{
				lookPath: tc.lookPath,
				versions: newVersionMemo(),
				run: func(cmd *exec.Cmd) error {
					if cmd.Args[1] != "version" {
						return fmt.Errorf("unexpected go %s", cmd.Args[1])
					}
					_, err := cmd.Stdout.Write([]byte(tc.version + "\n"))
					return err
				},
			}
			_, err := b.build(context.Background(), Request{ModuleDir: mod, Package: "./hello", CacheDir: t.TempDir()})
			if err == nil {
				t.Fatal("build succeeded")
			}
			for _, want := range []string{tc.want, "Go 1.24 or newer", "https://go.dev/dl/"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestCheckGoVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		out string
		ok  bool
	}{
		{"go version go1.26.8 linux/amd64", true},
		{"go version go1.24 linux/amd64", true},
		{"go version go1.24rc1 darwin/arm64", true},
		{"go version go1.25.0 X:nocoverageredesign linux/amd64", true},
		{"go version devel go1.27-0123abc Mon Jan 1 linux/amd64", true},
		{"go version go2.0 linux/amd64", true},
		{"go version go1.23.9 linux/amd64", false},
		{"go version go1.9 linux/amd64", false},
		{"go version", false},
		{"", false},
	}
	for _, tc := range tests {
		if err := checkGoVersion(tc.out); (err == nil) != tc.ok {
			t.Errorf("checkGoVersion(%q) = %v, want ok=%v", tc.out, err, tc.ok)
		}
	}
}

func TestTrimOutput(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("main.go:1:1: error line\n", 1000)
	tests := []struct {
		name    string
		in      string
		maxLen  int
		omitted bool
	}{
		{"short", "  x.go:1: bad\n", 20, false},
		{"long", long, maxOutput + 100, true},
	}
	for _, tc := range tests {
		got := trimOutput(tc.in)
		if len(got) > tc.maxLen {
			t.Errorf("%s: trimmed to %d bytes, want at most %d", tc.name, len(got), tc.maxLen)
		}
		if strings.Contains(got, "omitted") != tc.omitted {
			t.Errorf("%s: omission note present = %v, want %v", tc.name, !tc.omitted, tc.omitted)
		}
	}
}

func TestCacheDir(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(CacheEnv, dir)
	got, err := CacheDir()
	if err != nil || got != dir {
		t.Errorf("CacheDir() = %q, %v; want %q from $%s", got, err, dir, CacheEnv)
	}
	t.Setenv(CacheEnv, "")
	got, err = CacheDir()
	if err != nil {
		t.Skipf("no user cache directory here: %v", err)
	}
	if filepath.Base(got) != "wasm" || filepath.Base(filepath.Dir(got)) != "toolhost" {
		t.Errorf("CacheDir() = %q, want <user cache>/toolhost/wasm", got)
	}
}

// wasmExports lists the export names of a wasm binary module.
func wasmExports(t *testing.T, data []byte) []string {
	t.Helper()
	r := &wasmReader{data: data, pos: 8}
	for r.pos < len(r.data) {
		id := r.byte()
		size := int(r.uleb())
		end := r.pos + size
		if id != 7 {
			r.pos = end
			continue
		}
		var names []string
		for n := r.uleb(); n > 0; n-- {
			l := int(r.uleb())
			names = append(names, string(r.data[r.pos:r.pos+l]))
			r.pos += l
			r.byte() // kind
			r.uleb() // index
		}
		if r.err != nil {
			t.Fatalf("malformed export section: %v", r.err)
		}
		return names
	}
	if r.err != nil {
		t.Fatalf("malformed module: %v", r.err)
	}
	return nil
}

type wasmReader struct {
	data []byte
	pos  int
	err  error
}

func (r *wasmReader) byte() byte {
	if r.pos >= len(r.data) {
		r.err = errors.New("unexpected end")
		r.pos = len(r.data)
		return 0
	}
	b := r.data[r.pos]
	r.pos++
	return b
}

func (r *wasmReader) uleb() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		b := r.byte()
		v |= uint64(b&0x7f) << shift
		if b&0x80 == 0 || r.err != nil {
			break
		}
	}
	return v
}
