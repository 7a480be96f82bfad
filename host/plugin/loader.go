package plugin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/toolhost/toolhost/host/abi"
	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/host/internal/engine"
	"github.com/toolhost/toolhost/host/internal/wasmbin"
)

// maxModuleBytes caps the size of a plugin module file or download.
const maxModuleBytes = 256 << 20

// Options configure a Loader.
type Options struct {
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// CacheDir keeps wazero's compiled code on disk so a second start skips
	// compilation. Empty means an in-memory cache for this process only.
	CacheDir string
	// Bundled returns the bytes of a plugin compiled into the binary, for
	// bundled://NAME locations. Nil means no bundled plugins.
	Bundled func(name string) ([]byte, error)
	// HTTPClient downloads http(s):// plugins; nil means a client with a
	// two-minute timeout and no proxy from the environment.
	HTTPClient *http.Client
	// AuthFor returns the download credentials for a plugin URL
	// (hyper-mcp's auths; config.Config.AuthFor); nil means none.
	AuthFor func(url string) (config.Auth, bool)
	// OnCatalogChange is called, after the call that caused it returns,
	// when a guest reported that its tools, prompts or resources changed
	// and the new catalog has been read.
	OnCatalogChange func(p *Plugin, changed Lists)
}

// A Loader loads plugins that share one compilation cache.
type Loader struct {
	opts     Options
	log      *slog.Logger
	cache    wazero.CompilationCache
	engine   *engine.Engine
	catalogs *catalogStore // nil without a cache directory
}

// NewLoader returns a Loader. Close it after the plugins it loaded.
func NewLoader(opts Options) (*Loader, error) {
	l := &Loader{opts: opts, log: opts.Logger}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if opts.CacheDir != "" {
		if err := os.MkdirAll(opts.CacheDir, 0o700); err != nil {
			return nil, fmt.Errorf("compilation cache: %w: set a writable directory with --cache-dir", err)
		}
		c, err := wazero.NewCompilationCacheWithDir(opts.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("compilation cache %s: %w: set a writable directory with --cache-dir", opts.CacheDir, err)
		}
		l.cache = c
		l.catalogs = &catalogStore{dir: filepath.Join(opts.CacheDir, "catalogs")}
	} else {
		l.cache = wazero.NewCompilationCache()
	}
	l.engine = engine.New(engine.Config{Cache: l.cache, Funcs: engineFuncs()})
	return l, nil
}

// Close releases the engine and the compilation cache.
func (l *Loader) Close(ctx context.Context) error {
	return errors.Join(l.engine.Close(ctx), l.cache.Close(ctx))
}

// Load reads, checks, compiles and instantiates one configured plugin; or,
// when the cache directory remembers its catalog for these exact bytes and
// config, only reads and checks it, and compiles it on its first call.
// Every error names the plugin and, where there is one, the config key or
// file to fix.
func (l *Loader) Load(ctx context.Context, cfg *config.Plugin) (*Plugin, error) {
	start := time.Now()
	id, idOK := "", false
	if l.catalogs != nil && cfg.Location.Scheme == "file" {
		if id, idOK = fileIdentity(cfg.Location.Path); idOK {
			if p := l.loadKnown(ctx, cfg, id, start); p != nil {
				return p, nil
			}
		}
	}
	wasm, err := l.fetch(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("plugin[%s]: %w", cfg.Name, err)
	}
	mod, err := wasmbin.Parse(wasm)
	if err != nil {
		return nil, fmt.Errorf("plugin[%s] (%s): not a usable WebAssembly module: %w", cfg.Name, cfg.Location.URL, err)
	}
	version, err := detect(mod)
	if err != nil {
		return nil, fmt.Errorf("plugin[%s] (%s): %w", cfg.Name, cfg.Location.URL, err)
	}
	if err := checkImports(mod); err != nil {
		return nil, fmt.Errorf("plugin[%s] (%s): %w", cfg.Name, cfg.Location.URL, err)
	}
	if err := checkMemory(mod, cfg.Runtime.MemoryLimit); err != nil {
		return nil, fmt.Errorf("plugin[%s]: %w", cfg.Name, err)
	}
	digest := sha256.Sum256(wasm)
	var key string
	var remembered *Catalog
	if l.catalogs != nil && version != abi.Command {
		key = l.catalogs.key(digest, version, &cfg.Runtime)
		remembered, _ = l.catalogs.load(key)
	}
	var exports []string
	for _, e := range mod.Exports {
		if e.Kind == wasmbin.Func {
			exports = append(exports, e.Name)
		}
	}
	p, listed, err := newPlugin(ctx, l, cfg, version, exports, wasm, digest, remembered)
	if err != nil {
		return nil, err
	}
	if key != "" && remembered == nil {
		if err := l.catalogs.save(key, listed); err != nil {
			l.log.Warn("could not remember the plugin's catalog; the next start compiles it again", "plugin", cfg.Name, "error", err)
		}
	}
	if key != "" && idOK {
		// Remember what this file is, unless it changed while it was read.
		if now, ok := fileIdentity(cfg.Location.Path); ok && now == id {
			if err := l.catalogs.saveFacts(id, moduleFacts{Digest: hex.EncodeToString(digest[:]), ABI: int(version), Exports: exports}); err != nil {
				l.log.Warn("could not remember the module file's digest; the next start reads it again", "plugin", cfg.Name, "error", err)
			}
		}
	}
	l.logLoaded(p, start, remembered == nil, true)
	return p, nil
}

// logLoaded reports a loaded plugin: whether it was compiled at load (not
// served from a remembered catalog) and, when it was not even read (a
// known file), read=false.
func (l *Loader) logLoaded(p *Plugin, start time.Time, compiled, read bool) {
	c := p.Catalog()
	args := []any{"plugin", p.name, "abi", p.version.String(), "tools", len(c.Tools),
		"prompts", len(c.Prompts), "resources", len(c.Resources), "compiled", compiled}
	if !read {
		args = append(args, "read", false)
	}
	l.log.Info("plugin loaded", append(args, "elapsed", time.Since(start).Round(time.Millisecond))...)
}

func (l *Loader) fetch(ctx context.Context, cfg *config.Plugin) ([]byte, error) {
	loc := cfg.Location
	switch loc.Scheme {
	case "file":
		f, err := os.Open(loc.Path)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w: check the plugin's url", loc.Path, err)
		}
		defer f.Close()
		// Read into a buffer of the file's size: io.ReadAll's doubling
		// (copies and fresh pages) was most of a warm start's CPU.
		var size int64
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		if size > maxModuleBytes {
			return nil, fmt.Errorf("%s is larger than %d MiB", loc.Path, maxModuleBytes>>20)
		}
		b := make([]byte, size)
		n, err := io.ReadFull(f, b)
		if err != nil && err != io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("reading %s: %w", loc.Path, err)
		}
		b = b[:n]
		// Anything past the stat'ed size (a growing file, a non-regular
		// one) is read the slow way, still capped.
		rest, err := io.ReadAll(io.LimitReader(f, maxModuleBytes+1-int64(n)))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", loc.Path, err)
		}
		if len(rest) > 0 {
			b = append(b, rest...)
		}
		if len(b) > maxModuleBytes {
			return nil, fmt.Errorf("%s is larger than %d MiB", loc.Path, maxModuleBytes>>20)
		}
		return b, nil
	case "bundled":
		if l.opts.Bundled == nil {
			return nil, fmt.Errorf("url %s: this toolhost has no bundled plugins", loc.URL)
		}
		return l.opts.Bundled(loc.Path)
	case "http", "https":
		return l.download(ctx, loc.URL)
	}
	return nil, fmt.Errorf("url %s: unsupported scheme %q", loc.URL, loc.Scheme)
}

func (l *Loader) download(ctx context.Context, url string) ([]byte, error) {
	client := l.opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{Proxy: nil}}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("url %s: %w", url, err)
	}
	if l.opts.AuthFor != nil {
		if a, ok := l.opts.AuthFor(url); ok {
			switch a.Type {
			case "basic":
				req.SetBasicAuth(a.Username, a.Password.Reveal())
			case "token":
				req.Header.Set("Authorization", "Bearer "+a.Token.Reveal())
			}
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("downloading %s: HTTP %s (for a private URL, add credentials under auths)", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxModuleBytes+1))
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", url, err)
	}
	if len(b) > maxModuleBytes {
		return nil, fmt.Errorf("downloading %s: larger than %d MiB", url, maxModuleBytes>>20)
	}
	return b, nil
}

func detect(mod *wasmbin.Module) (abi.Version, error) {
	var names []string
	for _, e := range mod.Exports {
		if e.Kind == wasmbin.Func {
			names = append(names, e.Name)
		}
	}
	v, err := abi.Detect(names)
	if err != nil {
		_, start := mod.ExportedFunc(abi.ExportStart)
		if start && !mod.HasImportModule(KernelNamespace) && !mod.HasImportModule(UserNamespace) {
			// A plain WASI command with no Extism imports: a command plugin.
			return abi.Command, nil
		}
		return 0, err
	}
	if _, ok := mod.ExportedFunc(abi.ExportStart); ok {
		if _, ok := mod.ExportedFunc(abi.ExportInitialize); !ok {
			return 0, errors.New("module exports _start but not _initialize: Extism never runs _start, so every call would trap; " +
				"build standard Go plugins with -buildmode=c-shared (C: -mexec-model=reactor)")
		}
	}
	return v, nil
}

// kernelFunctions are the Extism kernel imports a guest may use.
var kernelFunctions = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range engine.KernelFunctionNames {
		m[n] = true
	}
	for _, f := range (&Plugin{}).httpFunctions() {
		m[f.name] = true
	}
	return m
}()

// checkImports refuses, before compiling, a module importing anything the
// host does not provide, with the import's name and what is provided.
func checkImports(mod *wasmbin.Module) error {
	user := map[string]bool{}
	for _, n := range UserFunctionNames() {
		user[n] = true
	}
	var errs []error
	for _, imp := range mod.Imports {
		if imp.Kind != wasmbin.Func {
			errs = append(errs, fmt.Errorf("module imports a %s %s.%s; toolhost provides only functions to plugins", imp.Kind, imp.Module, imp.Name))
			continue
		}
		switch imp.Module {
		case KernelNamespace:
			if !kernelFunctions[imp.Name] {
				errs = append(errs, fmt.Errorf("module imports %s.%s, which is not an Extism kernel function", imp.Module, imp.Name))
			}
		case UserNamespace:
			if !user[imp.Name] {
				errs = append(errs, fmt.Errorf("module imports host function %s.%s, which toolhost does not provide (it provides %s)",
					imp.Module, imp.Name, strings.Join(UserFunctionNames(), ", ")))
			}
		case ToolhostNamespace:
			if !slices.Contains(ToolhostFunctionNames(), imp.Name) {
				errs = append(errs, fmt.Errorf("module imports host function %s.%s, which toolhost does not provide (it provides %s)",
					imp.Module, imp.Name, strings.Join(ToolhostFunctionNames(), ", ")))
			}
		case "wasi_snapshot_preview1":
		default:
			errs = append(errs, fmt.Errorf("module imports %s.%s, which toolhost does not provide "+
				"(plugins may import extism:host/env, extism:host/user, toolhost:host/user and wasi_snapshot_preview1)", imp.Module, imp.Name))
		}
	}
	return errors.Join(errs...)
}

func checkMemory(mod *wasmbin.Module, limit config.ByteSize) error {
	if limit == 0 {
		return nil
	}
	pages := limit.Pages()
	for _, m := range mod.Memories {
		if m.Min > uint64(pages) {
			return fmt.Errorf("runtime_config.memory_limit %s (%d pages) is below the module's minimum memory of %d pages (%d KiB): raise memory_limit",
				limit, pages, m.Min, uint64(m.Min)*64)
		}
	}
	return nil
}
