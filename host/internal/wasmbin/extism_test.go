package wasmbin

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
)

// extismSDKDir returns where the Go module cache holds the Extism go-sdk
// module named in go.mod, or "" if it is not downloaded. It never touches
// the network.
func extismSDKDir(t *testing.T) string {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/extism/go-sdk")
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly")
	out, err := cmd.Output()
	if err != nil {
		t.Logf("go list: %v", err)
		return ""
	}
	return strings.TrimSpace(string(out))
}

// TestExtismSDKModules runs Parse and the kernel rewrite over the real
// plugins (Rust, TinyGo, Go, Haskell, C) and the Extism kernel that ship in
// the Extism go-sdk module, and compiles every rewritten plugin with wazero.
// The module is only read from the module cache; the test skips when it is
// absent.
func TestExtismSDKModules(t *testing.T) {
	if testing.Short() {
		t.Skip("reads multi-megabyte modules and compiles them")
	}
	dir := extismSDKDir(t)
	if dir == "" {
		t.Skip("github.com/extism/go-sdk is not in the module cache")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "wasm", "*.wasm"))
	files = append(files, filepath.Join(dir, "extism-runtime.wasm"))
	if len(files) < 2 {
		t.Skipf("no .wasm files under %s", dir)
	}
	ctx := context.Background()
	// The interpreter validates exactly as the compiler does, without
	// generating machine code for megabytes of functions.
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if os.IsNotExist(err) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(f) == "extism-runtime.wasm" {
				for _, name := range []string{"alloc", "length", "input_length", "error_set"} {
					if _, ok := m.ExportedFunc(name); !ok {
						t.Errorf("kernel does not export %q", name)
					}
				}
				return
			}
			inCopy := append([]byte(nil), b...)
			out, n, err := RewriteImports(b, renameKernelHTTP)
			if err != nil {
				t.Fatal(err)
			}
			checkRewrite(t, b, inCopy, out, n, renameKernelHTTP)
			// The SDK's HTTP test plugins must be among those re-routed.
			if strings.HasPrefix(filepath.Base(f), "http") && (n == 0 || !m.HasImportModule("extism:host/env")) {
				t.Errorf("HTTP plugin: %d kernel imports renamed", n)
			}
			checkCompiled(t, rt, b, out)
		})
	}
}
