package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toolhost/toolhost/internal/testplugins"
)

// example is one of the plugins in examples/<dir>, written in a language
// other than Go and built by its own build.sh.
type example struct {
	dir    string // directory under examples/, also the subtest name
	plugin string // plugin name in the toolhost config
	tool   string // the plugin-local tool name
	wasm   string // file name of the built module
	// apt lists the Debian packages that make up the toolchain; under CI
	// they are installed with apt-get when build.sh reports it incomplete.
	apt []string
	// npm says that the toolchain also needs `npm ci` in the example's
	// directory (after apt, which brings Node.js and npm when they are missing).
	npm bool
}

var langExamples = []example{
	{dir: "c", plugin: "c", tool: "wordcount", wasm: "wordcount.wasm",
		apt: []string{"clang", "lld", "wasi-libc", "libclang-rt-14-dev-wasm32"}},
	{dir: "assemblyscript", plugin: "as", tool: "slugify", wasm: "slugify.wasm", npm: true},
	// rust-lld, which wasm32-wasi links with, is Debian's link to lld-14:
	// libstd-rust-dev-wasm32 only recommends it.
	{dir: "rust", plugin: "rust", tool: "roman", wasm: "roman.wasm",
		apt: []string{"rustc", "libstd-rust-dev-wasm32", "lld-14"}},
}

const (
	// exampleKeyVersion changes when the cache key layout changes.
	exampleKeyVersion = "toolhost-examples-v1"
	// exampleToolTimeout bounds a build, an apt-get or an npm ci.
	exampleToolTimeout = 10 * time.Minute
	// exampleMaxQuoted caps how much tool output a skip or failure quotes.
	exampleMaxQuoted = 8 << 10
)

// errMissingToolchain marks a build.sh that found the toolchain incomplete
// (exit status 2); its message names the packages.
var errMissingToolchain = errors.New("toolchain missing")

// exampleInstallMu serialises toolchain installs in this process: apt-get holds a
// system-wide lock, and two languages may need it at once.
var exampleInstallMu sync.Mutex

// buildExample returns the path of ex's module in a fresh t.TempDir(), built
// from source by build.sh or taken from the cache in
// os.UserCacheDir()/toolhost/examples, keyed by the sha256 of the example's
// sources and the toolchain's versions. A missing toolchain skips the test
// with the package to install; under CI it is installed first (apt-get,
// npm ci), and the test skips with the installer's output if that fails.
// The work is done once per example per test process.
func buildExample(t *testing.T, ex example) string {
	t.Helper()
	exampleBuilds.Lock()
	b := exampleBuilds.m[ex.dir]
	if b == nil {
		b = new(exampleBuild)
		exampleBuilds.m[ex.dir] = b
	}
	exampleBuilds.Unlock()
	b.once.Do(func() { b.data, b.skip, b.fail = prepareExample(t, ex) })
	switch {
	case b.skip != "":
		t.Skip(b.skip)
	case b.fail != "":
		t.Fatal(b.fail)
	}
	out := filepath.Join(t.TempDir(), ex.wasm)
	if err := os.WriteFile(out, b.data, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// exampleBuild is the outcome of preparing one example: its module, or
// why the tests skip or fail.
type exampleBuild struct {
	once       sync.Once
	data       []byte
	skip, fail string
}

// exampleBuilds memoises prepareExample per example directory.
var exampleBuilds = struct {
	sync.Mutex
	m map[string]*exampleBuild
}{m: map[string]*exampleBuild{}}

// prepareExample does buildExample's work. It reports problems as a skip
// or failure message rather than through t, so that buildExample can hand
// the same verdict to every test that asks.
func prepareExample(t *testing.T, ex example) (data []byte, skip, fail string) {
	dir := filepath.Join(testplugins.RepoRoot(t), "examples", ex.dir)
	toolchain, err := ensureToolchain(t, ex, dir)
	if errors.Is(err, errMissingToolchain) {
		return nil, err.Error(), ""
	}
	if err != nil {
		return nil, "", err.Error()
	}
	key, err := exampleKey(ex, dir, toolchain)
	if err != nil {
		return nil, "", err.Error()
	}
	cacheDir, err := examplesCacheDir()
	if err != nil {
		return nil, "", err.Error()
	}
	cached := filepath.Join(cacheDir, strings.TrimSuffix(ex.wasm, ".wasm")+"-"+key+".wasm")
	if data, err := os.ReadFile(cached); err == nil && bytes.HasPrefix(data, exampleWasmMagic) {
		t.Logf("examples/%s: %s from the cache (%d bytes, key %.12s)", ex.dir, ex.wasm, len(data), key)
		return data, "", ""
	}
	out := filepath.Join(t.TempDir(), ex.wasm)
	start := time.Now()
	log, err := runBuildScript(dir, out)
	if err != nil {
		return nil, "", fmt.Sprintf("examples/%s: build.sh failed: %v", ex.dir, err)
	}
	data, err = os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(data, exampleWasmMagic) {
		return nil, "", fmt.Sprintf("examples/%s: build.sh produced no WebAssembly module at %s (%v); its output:\n%s", ex.dir, out, err, log)
	}
	t.Logf("examples/%s: built %s in %v (%d bytes)", ex.dir, ex.wasm, time.Since(start).Round(time.Millisecond), len(data))
	if err := storeAtomic(cacheDir, cached, data); err != nil {
		t.Logf("examples/%s: not cached: %v", ex.dir, err) // only costs a rebuild next time
	}
	return data, "", ""
}

var exampleWasmMagic = []byte("\x00asm")

// examplesCacheDir is os.UserCacheDir()/toolhost/examples.
func examplesCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory for built examples: %v (set XDG_CACHE_HOME or HOME)", err)
	}
	return filepath.Join(base, "toolhost", "examples"), nil
}

// ensureToolchain checks the toolchain with build.sh --version (which
// checks it first) and returns what it prints. When the toolchain is
// incomplete it installs it under CI and checks again; if it is still
// incomplete, or CI is unset, the error wraps errMissingToolchain and says
// what to install (a reason to skip). Other errors mean the check broke.
func ensureToolchain(t *testing.T, ex example, dir string) (string, error) {
	version, err := runBuildScript(dir, "--version")
	if !errors.Is(err, errMissingToolchain) {
		return version, err
	}
	msg := strings.TrimSpace(version)
	if os.Getenv("CI") == "" {
		return "", fmt.Errorf("%w: %s\n(set CI=1 to let the test install it)", errMissingToolchain, msg)
	}
	exampleInstallMu.Lock()
	defer exampleInstallMu.Unlock()
	start := time.Now()
	if err := installToolchain(t, ex, dir); err != nil {
		return "", fmt.Errorf("%w: %s\nCI=%s, but installing it failed: %v", errMissingToolchain, msg, os.Getenv("CI"), err)
	}
	t.Logf("examples/%s: installed the toolchain in %v", ex.dir, time.Since(start).Round(100*time.Millisecond))
	version, err = runBuildScript(dir, "--version")
	if errors.Is(err, errMissingToolchain) {
		return "", fmt.Errorf("%w: still incomplete after installing it: %s", errMissingToolchain, strings.TrimSpace(version))
	}
	return version, err
}

// installToolchain installs ex's apt packages (and, for npm examples, Node.js
// and npm when absent), then runs npm ci for npm examples.
func installToolchain(t *testing.T, ex example, dir string) error {
	pkgs := slices.Clone(ex.apt)
	if ex.npm {
		if _, err := exec.LookPath("node"); err != nil {
			pkgs = append(pkgs, "nodejs")
		}
		if _, err := exec.LookPath("npm"); err != nil {
			pkgs = append(pkgs, "npm")
		}
	}
	if len(pkgs) > 0 {
		if err := aptInstall(t, pkgs); err != nil {
			return err
		}
	}
	if !ex.npm {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("npm is not on PATH after installing Debian package npm: %v", err)
	}
	start := time.Now()
	if out, err := runTool(dir, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"); err != nil {
		return fmt.Errorf("npm ci in %s: %v\n%s", dir, err, out)
	}
	t.Logf("examples/%s: npm ci took %v", ex.dir, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// aptInstall runs apt-get install, and once more after apt-get update when
// the first attempt fails (a fresh machine may have no or stale lists).
// Not being root is an error naming the packages: the test never uses sudo.
func aptInstall(t *testing.T, pkgs []string) error {
	apt, err := exec.LookPath("apt-get")
	if err != nil {
		return fmt.Errorf("apt-get is not on PATH, so Debian packages %s cannot be installed: %v", strings.Join(pkgs, " "), err)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("installing Debian packages %s needs root; run as root: apt-get install -y --no-install-recommends %s",
			strings.Join(pkgs, " "), strings.Join(pkgs, " "))
	}
	args := append([]string{"-o", "DPkg::Lock::Timeout=300", "install", "-y", "--no-install-recommends"}, pkgs...)
	start := time.Now()
	out, err := runTool("", apt, args...)
	if err != nil {
		t.Logf("apt-get install %s failed (%v); running apt-get update and trying again", strings.Join(pkgs, " "), err)
		if uout, uerr := runTool("", apt, "-o", "DPkg::Lock::Timeout=300", "update"); uerr != nil {
			return fmt.Errorf("apt-get update: %v\n%s\n(apt-get install before it: %v\n%s)", uerr, uout, err, out)
		}
		if out, err = runTool("", apt, args...); err != nil {
			return fmt.Errorf("apt-get install -y --no-install-recommends %s: %v\n%s", strings.Join(pkgs, " "), err, out)
		}
	}
	t.Logf("apt-get install %s took %v", strings.Join(pkgs, " "), time.Since(start).Round(100*time.Millisecond))
	return nil
}

// runBuildScript runs build.sh in dir with one argument. Exit status 2 is
// errMissingToolchain, with the script's message as the returned output.
func runBuildScript(dir, arg string) (string, error) {
	out, err := runTool(dir, "sh", filepath.Join(dir, "build.sh"), arg)
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 2 {
		return out, errMissingToolchain
	}
	if err != nil {
		return out, fmt.Errorf("%v\n%s", err, out)
	}
	return out, nil
}

// runTool runs a program with a timeout and returns its combined output,
// cut to exampleMaxQuoted bytes.
func runTool(dir, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), exampleToolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive", "npm_config_update_notifier=false")
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if len(out) > exampleMaxQuoted {
		out = append([]byte(fmt.Sprintf("[... %d bytes cut ...]\n", len(out)-exampleMaxQuoted)), out[len(out)-exampleMaxQuoted:]...)
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("%v (stopped after %v)", err, exampleToolTimeout)
	}
	return string(out), err
}

// exampleKey is the hex sha256 of the key version, the example, the
// toolchain's versions (build.sh --version) and the path and content of every
// source file in dir: everything but node_modules, hidden entries, built
// .wasm files and the README.
func exampleKey(ex example, dir, toolchain string) (string, error) {
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s", len(s), s) } // length-prefixed: fields cannot run together
	field(exampleKeyVersion)
	field(ex.dir)
	field(toolchain)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != dir && (strings.HasPrefix(name, ".") || name == "node_modules") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || strings.HasSuffix(name, ".wasm") || name == "README.md" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		field(filepath.ToSlash(rel))
		field(string(data))
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("examples/%s: hashing the sources for the cache key: %w", ex.dir, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// storeAtomic writes data to name through a temporary file in dir and a
// rename, so that concurrent test processes never read a partial module.
func storeAtomic(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*.wasm")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
