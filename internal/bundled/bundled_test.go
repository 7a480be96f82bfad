package bundled

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/toolhost/toolhost/internal/testplugins"
)

func TestFirstParty(t *testing.T) {
	t.Parallel()
	want := []string{"hash", "clock", "files", "fetch"}
	got := FirstParty()
	if !slices.Equal(got, want) {
		t.Fatalf("FirstParty() = %v, want %v", got, want)
	}
	got[0] = "mutated"
	if FirstParty()[0] != "hash" {
		t.Errorf("FirstParty() shares its slice with callers")
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	names := Names()
	if !slices.IsSorted(names) {
		t.Errorf("Names() = %v, not sorted", names)
	}
	for _, n := range names {
		if !slices.Contains(FirstParty(), n) {
			t.Errorf("embedded plugin %q is not first-party: run \"go generate ./...\" to drop stale files", n)
		}
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	embedded := Names()
	type tc struct {
		name    string
		wantErr string // empty: want a wasm module
	}
	tests := []tc{
		{"nope", `unknown bundled plugin "nope": toolhost bundles hash, clock, files, fetch`},
		{"", `unknown bundled plugin ""`},
		{"../default.yaml", `unknown bundled plugin "../default.yaml"`},
		{"wasm/hash", `unknown bundled plugin "wasm/hash"`},
		{"README", `unknown bundled plugin "README"`},
	}
	for _, n := range FirstParty() {
		if slices.Contains(embedded, n) {
			tests = append(tests, tc{name: n})
		} else {
			tests = append(tests, tc{n, `bundled plugin "` + n + `" is not built into this binary: run "go generate ./..." before building toolhost`})
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Open(tc.name)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Errorf("Open(%q) error = %v, want %q", tc.name, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%q): %v", tc.name, err)
			}
			if !bytes.HasPrefix(data, []byte("\x00asm")) {
				t.Errorf("Open(%q) is not a wasm module", tc.name)
			}
		})
	}
}

// defaultConfig mirrors the parts of default.yaml this package promises.
type defaultConfig struct {
	Plugins map[string]struct {
		URL           string `yaml:"url"`
		RuntimeConfig struct {
			AllowedPaths []string `yaml:"allowed_paths"`
			AllowedHosts []string `yaml:"allowed_hosts"`
		} `yaml:"runtime_config"`
	} `yaml:"plugins"`
}

func TestDefaultConfig(t *testing.T) {
	t.Parallel()
	var cfg defaultConfig
	dec := yaml.NewDecoder(bytes.NewReader(DefaultConfig()))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatalf("default.yaml does not decode: %v", err)
	}
	if len(cfg.Plugins) != len(FirstParty()) {
		t.Errorf("default.yaml has %d plugins, want %d", len(cfg.Plugins), len(FirstParty()))
	}
	tests := []struct {
		name         string
		allowedPaths []string
		allowedHosts []string
	}{
		{name: "hash"},
		{name: "clock"},
		{name: "files", allowedPaths: []string{".:/workspace:ro"}},
		{name: "fetch", allowedHosts: []string{"example.com", "*.example.com"}},
	}
	for _, tc := range tests {
		p, ok := cfg.Plugins[tc.name]
		if !ok {
			t.Errorf("default.yaml lacks plugin %q", tc.name)
			continue
		}
		if want := "bundled://" + tc.name; p.URL != want {
			t.Errorf("plugin %q url = %q, want %q", tc.name, p.URL, want)
		}
		if !slices.Equal(p.RuntimeConfig.AllowedPaths, tc.allowedPaths) {
			t.Errorf("plugin %q allowed_paths = %q, want %q", tc.name, p.RuntimeConfig.AllowedPaths, tc.allowedPaths)
		}
		if !slices.Equal(p.RuntimeConfig.AllowedHosts, tc.allowedHosts) {
			t.Errorf("plugin %q allowed_hosts = %q, want %q", tc.name, p.RuntimeConfig.AllowedHosts, tc.allowedHosts)
		}
	}
	// Callers own the slice.
	DefaultConfig()[0] = 'X'
	if DefaultConfig()[0] != '#' {
		t.Errorf("DefaultConfig() shares its bytes with callers")
	}
}

// TestEmbeddedUpToDate fails when the embedded plugins are missing or differ
// from a fresh build of their sources, i.e. when a toolhost binary built now
// would ship stale or no plugins.
func TestEmbeddedUpToDate(t *testing.T) {
	t.Parallel()
	root := testplugins.RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "plugins", "go.mod")); os.IsNotExist(err) {
		t.Skipf("skipping: %s/plugins/go.mod does not exist yet (the plugins module has not been written)", root)
	}
	for _, name := range FirstParty() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fresh := testplugins.Bytes(t, testplugins.Plugin(t, name))
			embedded, err := Open(name)
			if err != nil {
				t.Fatalf("%v", err)
			}
			if !bytes.Equal(embedded, fresh) {
				t.Errorf("embedded plugin %q differs from a fresh build of plugins/%s: run \"go generate ./...\"", name, name)
			}
		})
	}
}
