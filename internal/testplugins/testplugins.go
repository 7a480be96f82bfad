package testplugins

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/toolhost/toolhost/internal/repo"
	"github.com/toolhost/toolhost/internal/wasmbuild"
)

// modulePath is the main toolhost module, whose directory RepoRoot finds.
const modulePath = repo.ModulePath

// RepoRoot returns the directory holding toolhost's go.mod, found by walking
// up from this source file (or, in -trimpath builds, from the working
// directory, which go test sets to the package under test).
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	root, err := repoRoot()
	if err != nil {
		tb.Fatalf("%v", err)
	}
	return root
}

func repoRoot() (string, error) { return repo.Root() }

// Plugin builds the first-party plugin <repo>/plugins/<name> as an Extism
// reactor and returns the path of its .wasm file.
func Plugin(tb testing.TB, name string) string {
	tb.Helper()
	return build(tb, name, "", true)
}

// Test builds the test plugin <repo>/plugins/test/<name> and returns the path
// of its .wasm file. Test plugins are Extism reactors, except the plain
// wasip1 commands (exporting _start) named in commands.
func Test(tb testing.TB, name string) string {
	tb.Helper()
	return build(tb, name, "test/", !commands[name])
}

// commands are the test plugins built as WASI commands: "command" (which
// the host must reject: it answers no request) and "cmdtool" (a working
// command plugin).
var commands = map[string]bool{"command": true, "cmdtool": true}

// Bytes reads a file, typically a path from Plugin or Test.
func Bytes(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("testplugins: reading plugin binary: %v", err)
	}
	return data
}

// buildOnce memoizes one build per process.
type buildOnce struct {
	once sync.Once
	path string
	err  error
}

// builds maps a memo key (package path and mode) to its *buildOnce: the
// documented per-process memo that lets parallel tests share one build.
var builds sync.Map

// build builds <repo>/plugins/<dir><name>.
func build(tb testing.TB, name, dir string, reactor bool) string {
	tb.Helper()
	if err := checkName(name); err != nil {
		tb.Fatalf("%v", err)
	}
	pkg := "./" + dir + name
	v, _ := builds.LoadOrStore(fmt.Sprintf("%s reactor=%t", pkg, reactor), &buildOnce{})
	b := v.(*buildOnce)
	b.once.Do(func() {
		root, err := repoRoot()
		if err != nil {
			b.err = err
			return
		}
		// Not the test's context: a memoized outcome must not depend on
		// which test happened to trigger the build.
		b.path, b.err = wasmbuild.Build(context.Background(), wasmbuild.Request{
			ModuleDir: filepath.Join(root, "plugins"),
			Package:   pkg,
			Reactor:   reactor,
		})
	})
	if b.err != nil {
		tb.Fatalf("testplugins: building plugins/%s%s: %v", dir, name, b.err)
	}
	return b.path
}

// checkName accepts slash-separated directory names without "." or ".."
// elements, so a plugin never resolves outside its directory.
func checkName(name string) error {
	bad := name == "" || strings.ContainsAny(name, `\:`)
	for _, elem := range strings.Split(name, "/") {
		if elem == "" || elem == "." || elem == ".." {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf(`testplugins: plugin name %q is not a directory name: pass a name like "hash"`, name)
	}
	return nil
}
