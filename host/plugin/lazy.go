package plugin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/toolhost/toolhost/host/abi"
	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/host/internal/engine"
)

// A catalog store remembers what each plugin listed (its tools, prompts,
// resources and templates, before skip_* filters), keyed by everything
// the listing may depend on: the module's bytes, the ABI, and the config
// the guest can see (env_vars, allowed_paths, allowed_hosts,
// memory_limit). With a remembered catalog a plugin is served without
// compiling it; it is compiled on its first call (RATIONALE.md, "Why are
// plugins compiled lazily?"). A guest whose listing depends on anything
// else (the clock, the network, files that change) would be served a
// stale list: disable the cache (--cache-dir -) for such plugins.
type catalogStore struct {
	dir string
}

// catalogVersion changes when the file format or what a key covers does.
const catalogVersion = "toolhost-catalog-1"

func (s *catalogStore) key(digest [sha256.Size]byte, version abi.Version, rt *config.Runtime) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%x\x00%d\x00%d\x00", catalogVersion, digest, version, rt.MemoryLimit)
	keys := make([]string, 0, len(rt.EnvVars))
	for k := range rt.EnvVars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "env\x00%q\x00%q\x00", k, rt.EnvVars[k])
	}
	for _, p := range rt.AllowedPaths {
		fmt.Fprintf(h, "path\x00%q\x00%q\x00%t\x00", p.Host, p.Guest, p.ReadOnly)
	}
	for _, host := range rt.AllowedHosts {
		fmt.Fprintf(h, "host\x00%q\x00", host)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *catalogStore) path(key string) string { return filepath.Join(s.dir, key+".json") }

// load returns the remembered catalog for key, if there is a valid one.
func (s *catalogStore) load(key string) (*Catalog, bool) {
	b, err := os.ReadFile(s.path(key))
	if err != nil {
		return nil, false
	}
	c, err := decodeCatalog(b)
	return c, err == nil
}

// decodeCatalog decodes a catalog file. The file is toolhost's own, but a
// truncated or edited one must not be served: it is re-checked as strictly
// as a guest's listing.
func decodeCatalog(b []byte) (*Catalog, error) {
	var f struct {
		Version   string          `json:"version"`
		Tools     json.RawMessage `json:"tools"`
		Prompts   json.RawMessage `json:"prompts"`
		Resources json.RawMessage `json:"resources"`
		Templates json.RawMessage `json:"resourceTemplates"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if f.Version != catalogVersion {
		return nil, fmt.Errorf("catalog version %q, want %q", f.Version, catalogVersion)
	}
	c := &Catalog{}
	var err error
	if c.Tools, err = abi.DecodeTools(wrap("tools", f.Tools)); err != nil {
		return nil, err
	}
	if len(f.Prompts) > 0 {
		if c.Prompts, err = abi.DecodePrompts(wrap("prompts", f.Prompts)); err != nil {
			return nil, err
		}
	}
	if len(f.Resources) > 0 {
		if c.Resources, err = abi.DecodeResources(wrap("resources", f.Resources)); err != nil {
			return nil, err
		}
	}
	if len(f.Templates) > 0 {
		if c.Templates, err = abi.DecodeResourceTemplates(wrap("resourceTemplates", f.Templates)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// wrap re-creates the {"<field>": [...]} object the abi decoders take.
func wrap(field string, list json.RawMessage) []byte {
	if len(list) == 0 {
		list = json.RawMessage("[]")
	}
	b, _ := json.Marshal(map[string]json.RawMessage{field: list})
	return b
}

// save writes c for key atomically; a failure only costs the next start
// its shortcut, so it is logged by the caller, not fatal.
func (s *catalogStore) save(key string, c *Catalog) error {
	b, err := json.Marshal(struct {
		Version   string                 `json:"version"`
		Tools     []abi.Tool             `json:"tools"`
		Prompts   []abi.Prompt           `json:"prompts,omitempty"`
		Resources []abi.Resource         `json:"resources,omitempty"`
		Templates []abi.ResourceTemplate `json:"resourceTemplates,omitempty"`
	}{catalogVersion, nonNil(c.Tools), c.Prompts, c.Resources, c.Templates})
	if err != nil {
		return err
	}
	return writeAtomic(s.path(key), b)
}

// writeAtomic writes b to path through a temporary file and a rename, so
// that a reader sees the old file or the new one, never a part.
func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Compile compiles a lazily loaded plugin now rather than on its first
// call (a no-op for one already compiled, and for command plugins).
func (p *Plugin) Compile(ctx context.Context) error {
	if p.cmd != nil {
		return nil
	}
	_, err := p.ensureModule(ctx)
	return err
}

// compilation is one run of a lazy plugin's first compilation.
type compilation struct {
	done chan struct{} // closed when m or err is set
	m    *engine.Module
	err  error
}

// ensureModule compiles a lazily loaded plugin's module on first use. The
// bytes are read again (they were not kept, so that an idle plugin holds
// only its catalog) and must still be the ones whose catalog is served.
//
// Compiling is host work, not guest work: it is not bounded by
// runtime_config.timeout, and a caller that gives up (ctx) does not stop
// it, so the next call finds the module ready. Concurrent first calls
// share one compilation.
func (p *Plugin) ensureModule(ctx context.Context) (*engine.Module, error) {
	if m := p.module.Load(); m != nil {
		return m, nil
	}
	p.compileMu.Lock()
	if p.source == nil {
		p.compileMu.Unlock()
		return nil, &CallError{Plugin: p.name, Kind: Unavailable, Msg: "plugin is shut down"}
	}
	c := p.compiling
	if c == nil {
		c = &compilation{done: make(chan struct{})}
		p.compiling = c
		source := p.source
		go func() {
			defer close(c.done)
			c.m, c.err = p.compileFrom(context.WithoutCancel(ctx), source)
			p.compileMu.Lock()
			defer p.compileMu.Unlock()
			if c.err != nil {
				p.compiling = nil // the next call tries again
				return
			}
			p.module.Store(c.m)
		}()
	}
	p.compileMu.Unlock()
	select {
	case <-c.done:
		return c.m, c.err
	case <-ctx.Done():
		return nil, &CallError{Plugin: p.name, Kind: Canceled, Err: ctx.Err(),
			Msg: "cancelled while the plugin was being compiled for its first call since start (compilation goes on; the next call will not wait for it)"}
	}
}

func (p *Plugin) compileFrom(ctx context.Context, source func(context.Context) ([]byte, error)) (*engine.Module, error) {
	start := time.Now()
	wasm, err := source(ctx)
	if err != nil {
		return nil, &CallError{Plugin: p.name, Kind: Unavailable, Err: err, Msg: "could not read the module again to compile it: " + err.Error()}
	}
	if sha256.Sum256(wasm) != p.digest {
		return nil, &CallError{Plugin: p.name, Kind: Unavailable,
			Msg: fmt.Sprintf("%s changed since toolhost started; restart toolhost to serve the new version", p.cfg.Location.URL)}
	}
	m, err := p.compile(ctx, wasm)
	if err != nil {
		return nil, &CallError{Plugin: p.name, Kind: Unavailable, Err: err, Msg: "compiling: " + sanitize(err.Error())}
	}
	p.log.Info("plugin compiled on first use", "elapsed", time.Since(start).Round(time.Millisecond), "interruptible", m.Interruptible)
	return m, nil
}

// A start that has seen a module file before need not read it: the file's
// identity (path, size, modification time, inode) leads to its digest, ABI
// and exports, and through the digest to its remembered catalog. The
// module passed the load checks when it was remembered, and its first call
// reads it and compares digests, so a file replaced in a way that keeps
// its identity is refused then ("restart toolhost"), never run unchecked.
type moduleFacts struct {
	Version string   `json:"version"`
	Digest  string   `json:"digest"` // hex SHA-256 of the module
	ABI     int      `json:"abi"`
	Exports []string `json:"exports"` // exported function names
}

// fileIdentity names a module file's current version without reading it.
func fileIdentity(path string) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	id := fmt.Sprintf("%s\x00%d\x00%d", path, fi.Size(), fi.ModTime().UnixNano())
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id += fmt.Sprintf("\x00%d\x00%d\x00%d", st.Dev, st.Ino, st.Ctim.Nano())
	}
	return id, true
}

func (s *catalogStore) factsPath(id string) string {
	sum := sha256.Sum256([]byte(id))
	return filepath.Join(s.dir, "files", hex.EncodeToString(sum[:])+".json")
}

func (s *catalogStore) loadFacts(id string) (f moduleFacts, digest [sha256.Size]byte, ok bool) {
	b, err := os.ReadFile(s.factsPath(id))
	if err != nil {
		return f, digest, false
	}
	f, digest, err = decodeFacts(b)
	return f, digest, err == nil
}

// decodeFacts decodes a module facts file strictly; anything odd means
// "read the module".
func decodeFacts(b []byte) (moduleFacts, [sha256.Size]byte, error) {
	var f moduleFacts
	var digest [sha256.Size]byte
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, digest, err
	}
	if f.Version != catalogVersion {
		return f, digest, fmt.Errorf("facts version %q, want %q", f.Version, catalogVersion)
	}
	if v := abi.Version(f.ABI); v != abi.V1 && v != abi.V2 {
		return f, digest, fmt.Errorf("facts ABI %d", f.ABI)
	}
	d, err := hex.DecodeString(f.Digest)
	if err != nil || len(d) != sha256.Size {
		return f, digest, fmt.Errorf("facts digest %q", f.Digest)
	}
	copy(digest[:], d)
	return f, digest, nil
}

func (s *catalogStore) saveFacts(id string, f moduleFacts) error {
	f.Version = catalogVersion
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return writeAtomic(s.factsPath(id), b)
}

// loadKnown serves a plugin whose file and catalog a previous start
// remembered, without reading the module; nil means "load it normally".
func (l *Loader) loadKnown(ctx context.Context, cfg *config.Plugin, id string, start time.Time) *Plugin {
	f, digest, ok := l.catalogs.loadFacts(id)
	if !ok {
		return nil
	}
	version := abi.Version(f.ABI)
	remembered, ok := l.catalogs.load(l.catalogs.key(digest, version, &cfg.Runtime))
	if !ok {
		return nil
	}
	p, _, err := newPlugin(ctx, l, cfg, version, f.Exports, nil, digest, remembered)
	if err != nil {
		return nil // the normal load reports it
	}
	l.logLoaded(p, start, false, false)
	return p
}
