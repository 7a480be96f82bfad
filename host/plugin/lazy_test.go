package plugin

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/internal/testplugins"
)

// TestLazyLoad loads a plugin twice with one cache directory: the first
// load compiles it and remembers its catalog, the second serves the same
// catalog without compiling and compiles on the first call. A changed
// module file is refused on that call; changed config is a different key.
func TestLazyLoad(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	wasm := testplugins.Bytes(t, testplugins.Test(t, "everything"))
	file := filepath.Join(dir, "everything.wasm")
	if err := os.WriteFile(file, wasm, 0o600); err != nil {
		t.Fatal(err)
	}
	cacheDir := filepath.Join(dir, "cache")
	var logs bytes.Buffer // every loader's log, in order
	loadWith := func(runtime string) *Plugin {
		t.Helper()
		yaml := fmt.Sprintf("plugins:\n  everything:\n    url: file://%s\n    runtime_config:\n      timeout: 5s\n%s", file, runtime)
		cfg, err := config.Parse([]byte(yaml), config.YAML, config.Options{BaseDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		l, err := NewLoader(Options{CacheDir: cacheDir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		p, err := l.Load(ctx, cfg.Plugins[0])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			p.Close(ctx)
			l.Close(ctx)
		})
		return p
	}

	eager := loadWith("")
	if eager.module.Load() == nil {
		t.Fatal("first load did not compile")
	}
	catalogs, _ := filepath.Glob(filepath.Join(cacheDir, "catalogs", "*.json"))
	if len(catalogs) != 1 {
		t.Fatalf("remembered catalogs: %v", catalogs)
	}

	logs.Reset()
	lazy := loadWith("")
	if lazy.module.Load() != nil {
		t.Fatal("second load compiled although the catalog was remembered")
	}
	// The file is known by its identity: the start did not even read it.
	if !strings.Contains(logs.String(), "compiled=false read=false") {
		t.Fatalf("second load read the module file; log:\n%s", logs.String())
	}
	if got, want := names(lazy.Catalog()), names(eager.Catalog()); got != want {
		t.Fatalf("remembered catalog %s, listed %s", got, want)
	}
	if got, err := call(t, lazy, "s", "counter"); err != nil || got != "1" {
		t.Fatalf("first call on a lazy plugin: %q, %v", got, err)
	}
	if lazy.module.Load() == nil {
		t.Fatal("the first call did not compile")
	}

	// skip_tools is applied to the remembered catalog, not part of its key.
	skipped := loadWith("      skip_tools: [counter]\n")
	if skipped.module.Load() != nil || strings.Contains(names(skipped.Catalog()), "counter") {
		t.Fatalf("skip_tools on a remembered catalog: compiled=%v tools=%s", skipped.module.Load() != nil, names(skipped.Catalog()))
	}
	// env_vars are visible to the guest, so they are part of the key.
	if other := loadWith("      env_vars:\n        K: v\n"); other.module.Load() == nil {
		t.Fatal("a plugin with different env_vars used the remembered catalog")
	}

	// A file that changed since the last start is read again: its
	// identity (size, mtime) no longer leads to the old digest.
	if err := os.WriteFile(file, wasm, 0o600); err != nil { // same bytes, new mtime
		t.Fatal(err)
	}
	logs.Reset()
	if p := loadWith(""); p.module.Load() != nil || strings.Contains(logs.String(), "read=false") {
		t.Fatalf("a rewritten file: compiled=%v, log:\n%s", p.module.Load() != nil, logs.String())
	}

	// A module file that changes after start is refused, naming the fix.
	changed := loadWith("")
	if err := os.WriteFile(file, append(wasm, 0, 0), 0o600); err != nil { // a custom-section-free tail is still different bytes
		t.Fatal(err)
	}
	_, err := call(t, changed, "s", "counter")
	if err == nil || KindOf(err) != Unavailable || !strings.Contains(err.Error(), "restart toolhost") {
		t.Fatalf("changed module: %v", err)
	}

	// A corrupt catalog file is ignored: the plugin is compiled again.
	if err := os.WriteFile(file, wasm, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range catalogs {
		if err := os.WriteFile(c, []byte(`{"version":"toolhost-catalog-1","tools":[{"name":`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if p := loadWith(""); p.module.Load() == nil {
		t.Fatal("a corrupt remembered catalog was used")
	}
}

func names(c *Catalog) string {
	var s []string
	for _, t := range c.Tools {
		s = append(s, t.Name)
	}
	for _, p := range c.Prompts {
		s = append(s, "prompt:"+p.Name)
	}
	for _, r := range c.Resources {
		s = append(s, "resource:"+r.URI)
	}
	for _, r := range c.Templates {
		s = append(s, "template:"+r.URITemplate)
	}
	return strings.Join(s, ",")
}

func FuzzDecodeFacts(f *testing.F) {
	f.Add([]byte(`{"version":"toolhost-catalog-1","digest":"` + strings.Repeat("ab", 32) + `","abi":2,"exports":["call_tool"]}`))
	f.Add([]byte(`{"version":"toolhost-catalog-1","digest":"zz","abi":9}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		facts, digest, err := decodeFacts(b)
		if err == nil && (facts.Digest == "" || digest == [32]byte{} && facts.Digest != strings.Repeat("00", 32)) {
			t.Fatalf("accepted facts without a digest: %+v", facts)
		}
	})
}

func FuzzDecodeCatalog(f *testing.F) {
	f.Add([]byte(`{"version":"toolhost-catalog-1","tools":[{"name":"a","inputSchema":{"type":"object"}}]}`))
	f.Add([]byte(`{"version":"toolhost-catalog-1","tools":[],"prompts":[{"name":"p"}],"resources":[{"uri":"x://a","name":"a"}],"resourceTemplates":[{"uriTemplate":"x://{a}","name":"t"}]}`))
	f.Add([]byte(`{"version":"other"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCatalog(b)
		if err == nil && c == nil {
			t.Fatal("nil catalog without an error")
		}
	})
}
