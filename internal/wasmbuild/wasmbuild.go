package wasmbuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Request describes one guest package to build.
type Request struct {
	// ModuleDir is the directory holding the guest go.mod (e.g. <repo>/plugins).
	ModuleDir string
	// Package is the package path relative to ModuleDir, e.g. "./hash" or
	// "./test/everything". It must be "." or start with "./".
	Package string
	// Reactor selects -buildmode=c-shared, which exports _initialize as Extism
	// plugins need. False builds a plain wasip1 command that exports _start.
	Reactor bool
	// Output, when set, receives an atomic copy of the result; Build then
	// returns Output instead of the cache path.
	Output string
	// CacheDir, when set, overrides $TOOLHOST_WASM_CACHE and the default
	// cache directory.
	CacheDir string
}

// Result describes a finished build.
type Result struct {
	// Path is Request.Output when set, else CachePath.
	Path string
	// CachePath is the cached .wasm file inside the cache directory.
	CachePath string
	// Key is the hex sha256 content key of the build.
	Key string
	// Cached reports that the result came from the cache and go build did not run.
	Cached bool
}

// CacheEnv names the environment variable that overrides the cache directory.
const CacheEnv = "TOOLHOST_WASM_CACHE"

// maxOutput bounds how much compiler output a build error carries.
const maxOutput = 4 << 10

// staleTemp is how old an abandoned temporary build directory must be before
// a later build removes it.
const staleTemp = 24 * time.Hour

// unusedEntry is how long a cached build may go unused before a later build
// (a cache miss) deletes it. Hits refresh an entry's mtime at most once per
// touchEvery, so entries in use survive.
const (
	unusedEntry = 14 * 24 * time.Hour
	touchEvery  = 24 * time.Hour
)

// wasmMagic starts every WebAssembly binary module.
var wasmMagic = []byte("\x00asm")

// Build builds r (or finds it in the cache) and returns the path of the .wasm
// file: r.Output when set, else the file in the cache. The cached file must
// not be modified; copy it (or set Output) to change it.
func Build(ctx context.Context, r Request) (wasmPath string, err error) {
	res, err := BuildResult(ctx, r)
	if err != nil {
		return "", err
	}
	return res.Path, nil
}

// BuildResult is Build with details: the cache key and whether it was a hit.
func BuildResult(ctx context.Context, r Request) (Result, error) {
	return defaultBuilder.build(ctx, r)
}

// CacheDir returns the cache directory Build uses when Request.CacheDir is empty.
func CacheDir() (string, error) {
	if dir := os.Getenv(CacheEnv); dir != "" {
		return filepath.Abs(dir)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cannot locate a cache directory for built plugins (%v): set %s to a writable directory", err, CacheEnv)
	}
	return filepath.Join(base, "toolhost", "wasm"), nil
}

// builder carries the process hooks Build uses; tests replace them to count
// or fake go invocations.
type builder struct {
	lookPath func(file string) (string, error)
	run      func(cmd *exec.Cmd) error
	versions *versionMemo
}

// defaultBuilder is what Build uses. Its only mutable part is the documented
// per-process `go version` memo.
var defaultBuilder = &builder{
	lookPath: exec.LookPath,
	run:      (*exec.Cmd).Run,
	versions: newVersionMemo(),
}

// prepared is a validated request with absolute paths.
type prepared struct {
	moduleDir string
	pkg       string // cleaned, "." or "./x/y"
	reactor   bool
	output    string
	cacheDir  string
}

func prepare(r Request) (prepared, error) {
	var p prepared
	if r.ModuleDir == "" {
		return p, errors.New("wasmbuild: Request.ModuleDir is empty: set it to the directory holding the guest go.mod")
	}
	dir, err := filepath.Abs(r.ModuleDir)
	if err != nil {
		return p, fmt.Errorf("wasmbuild: resolving module directory %q: %w", r.ModuleDir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return p, fmt.Errorf("wasmbuild: no go.mod in %s: Request.ModuleDir must be the root of the guest module", dir)
	}
	pkg, err := cleanPackage(r.Package)
	if err != nil {
		return p, err
	}
	pkgDir := filepath.Join(dir, filepath.FromSlash(pkg))
	if fi, err := os.Stat(pkgDir); err != nil || !fi.IsDir() {
		return p, fmt.Errorf("wasmbuild: package %s does not exist: no directory %s in module %s", pkg, pkgDir, dir)
	}
	cache := r.CacheDir
	if cache == "" {
		if cache, err = CacheDir(); err != nil {
			return p, err
		}
	}
	if cache, err = filepath.Abs(cache); err != nil {
		return p, fmt.Errorf("wasmbuild: resolving cache directory: %w", err)
	}
	out := r.Output
	if out != "" {
		if out, err = filepath.Abs(out); err != nil {
			return p, fmt.Errorf("wasmbuild: resolving output path %q: %w", r.Output, err)
		}
	}
	return prepared{moduleDir: dir, pkg: pkg, reactor: r.Reactor, output: out, cacheDir: cache}, nil
}

// cleanPackage normalizes a module-relative package path to "." or "./a/b".
func cleanPackage(pkg string) (string, error) {
	if pkg == "" {
		return "", errors.New(`wasmbuild: Request.Package is empty: set it to a path relative to ModuleDir, like "./hash"`)
	}
	slashed := filepath.ToSlash(pkg)
	if slashed != "." && !strings.HasPrefix(slashed, "./") {
		return "", fmt.Errorf(`wasmbuild: package %q must be relative to ModuleDir and start with "./", like "./hash"`, pkg)
	}
	c := path.Clean(slashed)
	if c == "." {
		return ".", nil
	}
	if !filepath.IsLocal(filepath.FromSlash(c)) {
		return "", fmt.Errorf("wasmbuild: package %q leaves ModuleDir: name a package inside the guest module", pkg)
	}
	return "./" + c, nil
}

func (b *builder) build(ctx context.Context, r Request) (Result, error) {
	p, err := prepare(r)
	if err != nil {
		return Result{}, err
	}
	goBin, err := b.goTool()
	if err != nil {
		return Result{}, err
	}
	env := buildEnv()
	version, err := b.goVersion(ctx, goBin, p.moduleDir, env)
	if err != nil {
		return Result{}, err
	}
	key, err := computeKey(ctx, version, os.Getenv, p)
	if err != nil {
		return Result{}, err
	}
	cachePath := filepath.Join(p.cacheDir, cacheName(p.pkg, key))
	res := Result{Path: cachePath, CachePath: cachePath, Key: key}

	if isWasmFile(cachePath) {
		res.Cached = true
		touch(cachePath)
	} else if err := b.compile(ctx, goBin, env, p, cachePath); err != nil {
		return Result{}, err
	}
	if p.output != "" {
		if err := copyAtomic(cachePath, p.output); err != nil {
			return Result{}, err
		}
		res.Path = p.output
	}
	return res, nil
}

// buildEnv is the environment of every go command wasmbuild runs. Later
// entries win in os/exec, so these override the caller's values.
func buildEnv() []string {
	return append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOWORK=off")
}

// cacheName is the file name of a build in the cache: the package's base name
// for humans, then the key.
func cacheName(pkg, key string) string {
	base := path.Base(pkg)
	if base == "." || base == "/" {
		base = "main"
	}
	return base + "-" + key + ".wasm"
}

func (b *builder) compile(ctx context.Context, goBin string, env []string, p prepared, cachePath string) error {
	if err := os.MkdirAll(p.cacheDir, 0o755); err != nil {
		return fmt.Errorf("wasmbuild: creating cache directory: %w (set %s to a writable directory)", err, CacheEnv)
	}
	pruneCache(p.cacheDir)
	tmpDir, err := os.MkdirTemp(p.cacheDir, ".tmp-")
	if err != nil {
		return fmt.Errorf("wasmbuild: creating a temporary build directory: %w (set %s to a writable directory)", err, CacheEnv)
	}
	defer os.RemoveAll(tmpDir)
	tmpOut := filepath.Join(tmpDir, "out.wasm")

	args := []string{"build", "-trimpath", "-buildvcs=false"}
	if p.reactor {
		args = append(args, "-buildmode=c-shared")
	}
	args = append(args, "-o", tmpOut, p.pkg)
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = p.moduleDir
	cmd.Env = env
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := b.run(cmd); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("wasmbuild: building package %s in %s stopped: %w", p.pkg, p.moduleDir, ctx.Err())
		}
		msg := trimOutput(out.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("wasmbuild: go build of package %s in %s failed; fix the errors below and build again:\n%s", p.pkg, p.moduleDir, msg)
	}
	if !isWasmFile(tmpOut) {
		return fmt.Errorf("wasmbuild: go build of package %s in %s produced no WebAssembly module at %s: check that the package is a main package", p.pkg, p.moduleDir, tmpOut)
	}
	if err := os.Rename(tmpOut, cachePath); err != nil {
		// Another builder may have renamed the same key into place first.
		if isWasmFile(cachePath) {
			return nil
		}
		return fmt.Errorf("wasmbuild: storing the build in the cache: %w", err)
	}
	return nil
}

// trimOutput bounds compiler output to about maxOutput bytes.
func trimOutput(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= maxOutput {
		return s
	}
	cut := strings.LastIndexByte(s[:maxOutput], '\n')
	if cut <= 0 {
		cut = maxOutput
	}
	return s[:cut] + fmt.Sprintf("\n… (%d more bytes of compiler output omitted)", len(s)-cut)
}

// pruneCache deletes cached builds unused for unusedEntry (every source edit
// leaves one behind) and temporary build directories left by killed
// processes. Failures are ignored: a leftover file is only clutter.
func pruneCache(cacheDir string) {
	entries, err := os.ReadDir(cacheDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		maxAge := time.Duration(0)
		switch {
		case e.IsDir() && strings.HasPrefix(e.Name(), ".tmp-"):
			maxAge = staleTemp
		case e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".wasm"):
			maxAge = unusedEntry
		default:
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > maxAge {
			os.RemoveAll(filepath.Join(cacheDir, e.Name()))
		}
	}
}

// touch marks a cached build as used, at most once per touchEvery, so that
// pruneCache keeps it. A failure only risks an early rebuild.
func touch(name string) {
	fi, err := os.Stat(name)
	if err != nil || time.Since(fi.ModTime()) < touchEvery {
		return
	}
	now := time.Now()
	os.Chtimes(name, now, now)
}

// isWasmFile reports whether name is a regular file starting with the wasm magic.
func isWasmFile(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(wasmMagic))
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return bytes.Equal(head, wasmMagic)
}

// copyAtomic copies src to dst through a temporary file in dst's directory and
// a rename. It leaves dst alone when it already holds the same bytes.
func copyAtomic(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("wasmbuild: reading cached build: %w", err)
	}
	if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, data) {
		return nil
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("wasmbuild: creating output directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return fmt.Errorf("wasmbuild: writing output %s: %w", dst, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("wasmbuild: writing output %s: %w", dst, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("wasmbuild: writing output %s: %w", dst, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("wasmbuild: writing output %s: %w", dst, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("wasmbuild: writing output %s: %w", dst, err)
	}
	return nil
}
