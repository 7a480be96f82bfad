package author

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Install commands named in missing-toolchain errors (Debian 12 packages, as
// in reference/toolchains.md).
const (
	installC    = "apt-get install -y --no-install-recommends clang lld wasi-libc libclang-rt-14-dev-wasm32"
	installNode = "apt-get install -y --no-install-recommends nodejs npm"
	installGo   = "download Go 1.24 or newer from https://go.dev/dl (Debian 12's golang-go is 1.19, too old for //go:wasmexport)"
)

// minGoMinor is the oldest Go 1.x that builds plugins (//go:wasmexport).
const minGoMinor = 24

// MissingToolchainError says which tool a build needs and how to install it.
type MissingToolchainError struct {
	Lang Lang
	// Tool is what is missing: a command ("clang") or a package ("wasi-libc").
	Tool string
	// Why it is needed or what was found instead.
	Detail string
	// Install is the command (or instruction) that provides it.
	Install string
}

func (e *MissingToolchainError) Error() string {
	msg := fmt.Sprintf("building %s plugin needs %s", langTitle(e.Lang), e.Tool)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg + ": " + e.Install
}

// langTitle names a language with its article, for messages.
func langTitle(l Lang) string {
	switch l {
	case Go:
		return "a Go"
	case C:
		return "a C"
	case AssemblyScript:
		return "an AssemblyScript"
	}
	return "a " + string(l)
}

// Detect returns the language of the project in dir: Go when it has a
// go.mod, AssemblyScript when its package.json depends on assemblyscript, C
// when it has .c files.
func Detect(dir string) (Lang, error) {
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("project directory: %w", err)
	}
	if fileExists(filepath.Join(dir, "go.mod")) {
		return Go, nil
	}
	if data, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil {
		var pkg struct {
			Dependencies    map[string]string `json:"dependencies"`
			DevDependencies map[string]string `json:"devDependencies"`
		}
		if err := json.Unmarshal(data, &pkg); err != nil {
			return "", fmt.Errorf("%s: %w", filepath.Join(dir, "package.json"), err)
		}
		if _, ok := pkg.DevDependencies["assemblyscript"]; ok {
			return AssemblyScript, nil
		}
		if _, ok := pkg.Dependencies["assemblyscript"]; ok {
			return AssemblyScript, nil
		}
	}
	if c, _ := filepath.Glob(filepath.Join(dir, "*.c")); len(c) > 0 {
		return C, nil
	}
	return "", fmt.Errorf("%s holds no plugin project toolhost can build: it needs a go.mod (Go), a package.json depending on assemblyscript (AssemblyScript) or .c files (C); "+
		"start one with `toolhost plugin new NAME --lang go|c|assemblyscript`", dir)
}

// BuildOptions describe a build.
type BuildOptions struct {
	// Dir is the project directory; "" means the working directory.
	Dir string
	// Output is the .wasm file to write; "" means <Dir>/<base name of Dir>.wasm.
	Output string
	// Env is the toolchain's environment; nil means os.Environ(). Its PATH
	// decides which toolchain commands are found.
	Env []string
	// Log receives the commands run and their output; nil discards it.
	Log io.Writer
	// CacheDir is passed to WriteSDK for Go projects; "" means DefaultCacheDir.
	CacheDir string
	// CompileCacheDir is the wazero compilation cache used to validate the
	// result ("" means in memory; see InspectOptions.CacheDir).
	CompileCacheDir string
}

// BuildResult describes a finished build.
type BuildResult struct {
	Lang Lang
	// Output is the absolute path of the .wasm file.
	Output string
	// Report is how toolhost sees the module: ABI, exports, imports and the
	// catalog it loaded.
	Report *Report
}

// Build builds the project with its language's toolchain, then inspects the
// result the way toolhost loads it. A missing toolchain is a
// *MissingToolchainError; a module that builds but would not load is an
// error carrying the load error (the result and report are still returned).
func Build(ctx context.Context, o BuildOptions) (*BuildResult, error) {
	if o.Dir == "" {
		o.Dir = "."
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	lang, err := Detect(dir)
	if err != nil {
		return nil, err
	}
	out := o.Output
	if out == "" {
		out = filepath.Join(dir, filepath.Base(dir)+".wasm")
	}
	if out, err = filepath.Abs(out); err != nil {
		return nil, err
	}
	b := &builder{dir: dir, out: out, log: o.Log, env: o.Env}
	if b.log == nil {
		b.log = io.Discard
	}
	if b.env == nil {
		b.env = os.Environ()
	}
	switch lang {
	case Go:
		err = b.goBuild(ctx, o.CacheDir)
	case C:
		err = b.cBuild(ctx)
	case AssemblyScript:
		err = b.asBuild(ctx)
	}
	if err != nil {
		return nil, err
	}
	res := &BuildResult{Lang: lang, Output: out}
	res.Report, err = Inspect(ctx, out, InspectOptions{CacheDir: o.CompileCacheDir})
	if err != nil {
		return res, fmt.Errorf("built %s, but it is not a usable module: %w", out, err)
	}
	if res.Report.LoadError != "" {
		return res, fmt.Errorf("built %s, but toolhost would not load it: %s", out, res.Report.LoadError)
	}
	return res, nil
}

type builder struct {
	dir, out string
	env      []string
	log      io.Writer
}

// getenv returns the last value of key in b.env.
func (b *builder) getenv(key string) string {
	v := ""
	for _, kv := range b.env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

// lookPath finds an executable in b.env's PATH (not the process's).
func (b *builder) lookPath(name string) (string, bool) {
	for _, d := range filepath.SplitList(b.getenv("PATH")) {
		if d == "" {
			continue
		}
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// run runs a command in the project directory and returns its combined
// output; a failure is an error quoting the output. The command line, and
// on success its output, go to the log.
func (b *builder) run(ctx context.Context, extraEnv []string, exe string, args ...string) ([]byte, error) {
	return b.exec(ctx, true, extraEnv, exe, args...)
}

// query is run without logging, for commands that only ask something.
func (b *builder) query(ctx context.Context, exe string, args ...string) ([]byte, error) {
	return b.exec(ctx, false, nil, exe, args...)
}

func (b *builder) exec(ctx context.Context, logged bool, extraEnv []string, exe string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir = b.dir
	cmd.Env = append(append([]string(nil), b.env...), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	line := strings.Join(append(append([]string(nil), extraEnv...), append([]string{filepath.Base(exe)}, args...)...), " ")
	if logged {
		fmt.Fprintf(b.log, "$ %s\n", line)
	}
	err := cmd.Run()
	if err == nil && logged {
		b.log.Write(out.Bytes())
	}
	if err != nil {
		return out.Bytes(), fmt.Errorf("%s: %w\n%s", line, err, strings.TrimSpace(out.String()))
	}
	return out.Bytes(), nil
}

func (b *builder) goBuild(ctx context.Context, cacheDir string) error {
	gobin, ok := b.lookPath("go")
	if !ok {
		return &MissingToolchainError{Lang: Go, Tool: "the go command", Detail: "not on PATH", Install: installGo}
	}
	v, err := b.query(ctx, gobin, "env", "GOVERSION")
	if err != nil {
		return err
	}
	if ver := strings.TrimSpace(string(v)); !goAtLeast(ver, minGoMinor) {
		return &MissingToolchainError{Lang: Go, Tool: fmt.Sprintf("Go 1.%d or newer", minGoMinor), Detail: "PATH has " + ver, Install: installGo}
	}
	if err := b.checkSDKReplace(ctx, gobin, cacheDir); err != nil {
		return err
	}
	_, err = b.run(ctx, []string{"GOOS=wasip1", "GOARCH=wasm"}, gobin, append(append([]string{"build"}, goBuildFlags(b.out)...), ".")...)
	return err
}

// goAtLeast reports whether a GOVERSION such as "go1.26.8" or "go1.24rc1" is
// at least Go 1.minor.
func goAtLeast(v string, minor int) bool {
	rest, ok := strings.CutPrefix(v, "go1.")
	if !ok {
		return false
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(rest[:end])
	return err == nil && n >= minor
}

// checkSDKReplace makes sure a go.mod that replaces the toolhost sdk with a
// local directory points at one that exists: a project scaffolded on another
// machine or with another toolhost points into a cache that is not here.
func (b *builder) checkSDKReplace(ctx context.Context, gobin, cacheDir string) error {
	out, err := b.query(ctx, gobin, "mod", "edit", "-json")
	if err != nil {
		return err
	}
	var mod struct {
		Replace []struct {
			Old struct{ Path string }
			New struct{ Path, Version string }
		}
	}
	if err := json.Unmarshal(out, &mod); err != nil {
		return fmt.Errorf("go mod edit -json: %w", err)
	}
	for _, r := range mod.Replace {
		if r.Old.Path != SDKModule || r.New.Version != "" {
			continue
		}
		target := r.New.Path
		if !filepath.IsAbs(target) {
			target = filepath.Join(b.dir, target)
		}
		if fileExists(filepath.Join(target, "go.mod")) {
			return nil
		}
		sdkDir, err := WriteSDK(cacheDir)
		if err != nil {
			return err
		}
		return fmt.Errorf("go.mod replaces %s with %s, which holds no module (scaffolded on another machine, or the cache was cleaned): "+
			"this toolhost's sdk is now in %s; point go.mod at it with\n  go mod edit -replace %s=%s", SDKModule, r.New.Path, sdkDir, SDKModule, sdkDir)
	}
	return nil
}

func (b *builder) cBuild(ctx context.Context) error {
	clang, ok := b.lookPath("clang")
	if !ok {
		return &MissingToolchainError{Lang: C, Tool: "clang", Detail: "not on PATH", Install: installC}
	}
	if _, ok := b.lookPath("wasm-ld"); !ok {
		return &MissingToolchainError{Lang: C, Tool: "wasm-ld (package lld)", Detail: "not on PATH", Install: installC}
	}
	srcs, err := filepath.Glob(filepath.Join(b.dir, "*.c"))
	if err != nil {
		return err
	}
	for i, s := range srcs {
		srcs[i] = filepath.Base(s)
	}
	out, err := b.run(ctx, nil, clang, append(clangFlags(b.out), srcs...)...)
	if err != nil {
		return cMissing(out, err)
	}
	return nil
}

// cMissing recognises clang's complaints about a missing wasi-libc or
// compiler-rt and names the package; other failures are returned as they are.
func cMissing(out []byte, err error) error {
	s := string(out)
	switch {
	case strings.Contains(s, "libclang_rt.builtins-wasm32"):
		return &MissingToolchainError{Lang: C, Tool: "the wasm32 compiler-rt builtins (package libclang-rt-14-dev-wasm32)", Detail: "the linker cannot find libclang_rt.builtins-wasm32.a", Install: installC}
	case strings.Contains(s, "crt1-reactor.o"), strings.Contains(s, "file not found") && strings.Contains(s, ".h'"),
		strings.Contains(s, "unable to find library -lc"), strings.Contains(s, "cannot find -lc"):
		return &MissingToolchainError{Lang: C, Tool: "wasi-libc", Detail: "clang cannot find the WASI sysroot (headers, crt1-reactor.o, libc.a)", Install: installC}
	}
	return err
}

func (b *builder) asBuild(ctx context.Context) error {
	var npx, npm string
	var ok bool
	if _, ok = b.lookPath("node"); !ok {
		return &MissingToolchainError{Lang: AssemblyScript, Tool: "Node.js (node)", Detail: "not on PATH", Install: installNode}
	}
	if npm, ok = b.lookPath("npm"); !ok {
		return &MissingToolchainError{Lang: AssemblyScript, Tool: "npm", Detail: "not on PATH", Install: installNode}
	}
	if npx, ok = b.lookPath("npx"); !ok {
		return &MissingToolchainError{Lang: AssemblyScript, Tool: "npx (package npm)", Detail: "not on PATH", Install: installNode}
	}
	entry := filepath.Join(b.dir, "assembly", "index.ts")
	src, err := os.ReadFile(entry)
	if err != nil {
		return fmt.Errorf("AssemblyScript entry point: %w (toolhost builds assembly/index.ts)", err)
	}
	if !fileExists(filepath.Join(b.dir, "node_modules", ".bin", "asc")) {
		args := []string{"install", "--no-audit", "--no-fund"}
		if fileExists(filepath.Join(b.dir, "package-lock.json")) {
			args[0] = "ci"
		}
		if _, err := b.run(ctx, nil, npm, args...); err != nil {
			return fmt.Errorf("installing the project's packages (assemblyscript, @extism/as-pdk) from npm: %w", err)
		}
		if !fileExists(filepath.Join(b.dir, "node_modules", ".bin", "asc")) {
			return &MissingToolchainError{Lang: AssemblyScript, Tool: "the AssemblyScript compiler (asc)", Detail: "npm installed the packages but node_modules/.bin/asc is missing",
				Install: "npm install --save-dev --save-exact assemblyscript@0.28.20 @extism/as-pdk@1.0.0"}
		}
	}
	abort := bytes.Contains(src, []byte("function myAbort("))
	_, err = b.run(ctx, nil, npx, append([]string{"--no-install", "asc"}, ascArgs(b.out, abort)...)...)
	return err
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}
