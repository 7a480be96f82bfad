package sandboxfs_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/toolhost/toolhost/internal/wasmbuild"
)

// guest is the compiled test fixture (testdata/guest) in its own wazero
// runtime. Each run instantiates a fresh module with its own FSConfig.
type guest struct {
	rt  wazero.Runtime
	mod wazero.CompiledModule
}

// newGuest builds testdata/guest for wasip1 (cached by content, so only the
// first run pays for go build) and compiles it once for this test.
func newGuest(t *testing.T) *guest {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	wasmPath, err := wasmbuild.Build(ctx, wasmbuild.Request{ModuleDir: filepath.Join("testdata", "guest"), Package: "."})
	if err != nil {
		t.Fatalf("building the test guest: %v", err)
	}
	bin, err := os.ReadFile(wasmPath)
	if err != nil {
		t.Fatal(err)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(compilationCache(t)))
	t.Cleanup(func() { _ = rt.Close(context.Background()) })
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	mod, err := rt.CompileModule(ctx, bin)
	if err != nil {
		t.Fatalf("compiling the test guest: %v", err)
	}
	return &guest{rt: rt, mod: mod}
}

// compilationCache keeps wazero's compiled guest on disk next to the built
// wasm, so that tests (and -race runs, where compiling takes a minute) pay
// for it once. Without a user cache directory it is per test.
func compilationCache(t *testing.T) wazero.CompilationCache {
	t.Helper()
	dir := t.TempDir()
	if wasmCache, err := wasmbuild.CacheDir(); err == nil {
		dir = filepath.Join(filepath.Dir(wasmCache), "wazero-test")
	}
	cache, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		t.Fatalf("opening the wazero compilation cache: %v", err)
	}
	t.Cleanup(func() { _ = cache.Close(context.Background()) })
	return cache
}

// run runs the guest with args (operations separated by ";") against cfg
// and returns its stdout, one line per operation.
func (g *guest) run(t *testing.T, cfg wazero.FSConfig, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	mc := wazero.NewModuleConfig().
		WithName("").
		WithArgs(append([]string{"guest"}, args...)...).
		WithStdout(&stdout).
		WithStderr(&stderr)
	if cfg != nil {
		mc = mc.WithFSConfig(cfg)
	}
	m, err := g.rt.InstantiateModule(context.Background(), g.mod, mc)
	var exit *sys.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 0 {
		err = nil
	}
	if err != nil {
		t.Fatalf("guest %q failed: %v\nstderr: %s", args, err, stderr.String())
	}
	if m != nil {
		_ = m.Close(context.Background())
	}
	return strings.TrimSuffix(stdout.String(), "\n")
}
