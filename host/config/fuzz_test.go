package config

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error line names
// the source, and that a successful parse keeps the Config's invariants.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		f.Fatal(err)
	}
	bad, err := filepath.Glob("testdata/bad/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range append(files, bad...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		format, err := FormatOf(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, formatIndex(format))
	}
	f.Add([]byte(one("      env_vars: {A: '${A:-x}$${B}'}\n      timeout: 5\n")), uint8(0))
	f.Add([]byte(`{"plugins":[{"name":"a","url":"bundled://a"}]}`), uint8(1))

	base, err := filepath.Abs("testdata")
	if err != nil {
		f.Fatal(err)
	}
	env := testEnv(f)
	formats := []Format{YAML, JSON, TOML}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		format := formats[int(which)%len(formats)]
		c, err := Parse(data, format, Options{LookupEnv: lookup(env), BaseDir: base})
		if err != nil {
			prefix := "config[<" + string(format) + ">]"
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, prefix) {
					t.Fatalf("error line %q does not start with %s", line, prefix)
				}
			}
			return
		}
		checkInvariants(t, c)
	})
}

func formatIndex(f Format) uint8 {
	switch f {
	case JSON:
		return 1
	case TOML:
		return 2
	}
	return 0
}

func checkInvariants(t *testing.T, c *Config) {
	t.Helper()
	if len(c.Plugins) == 0 {
		t.Fatal("a Config without plugins was accepted")
	}
	if !slices.IsSortedFunc(c.Plugins, func(a, b *Plugin) int { return strings.Compare(a.Name, b.Name) }) {
		t.Fatal("plugins are not sorted")
	}
	for i, p := range c.Plugins {
		if !ValidPluginName(p.Name) {
			t.Fatalf("invalid plugin name %q accepted", p.Name)
		}
		if i > 0 && c.Plugins[i-1].Name == p.Name {
			t.Fatalf("plugin %q appears twice", p.Name)
		}
		if c.Plugin(p.Name) != p {
			t.Fatalf("Plugin(%q) does not find it", p.Name)
		}
		switch loc := p.Location; loc.Scheme {
		case "file":
			if !filepath.IsAbs(loc.Path) || filepath.Clean(loc.Path) != loc.Path || !strings.HasPrefix(loc.URL, "file:///") {
				t.Fatalf("bad file location %+v", loc)
			}
		case "http", "https":
			if loc.Path != "" || !strings.HasPrefix(strings.ToLower(loc.URL), loc.Scheme+"://") {
				t.Fatalf("bad web location %+v", loc)
			}
		case "bundled":
			if loc.Path == "" || loc.URL != "bundled://"+loc.Path {
				t.Fatalf("bad bundled location %+v", loc)
			}
		default:
			t.Fatalf("location scheme %q accepted", loc.Scheme)
		}
		rt := p.Runtime
		if rt.MemoryLimit != 0 && rt.MemoryLimit < WasmPageSize {
			t.Fatalf("memory limit %d is below one page", rt.MemoryLimit)
		}
		if uint64(rt.MemoryLimit.Pages()) != min(uint64(rt.MemoryLimit)/65536, 1<<32-1) {
			t.Fatalf("Pages() = %d is inconsistent with %d bytes", rt.MemoryLimit.Pages(), rt.MemoryLimit)
		}
		if back, err := ParseByteSize(rt.MemoryLimit.String()); err != nil || back != rt.MemoryLimit {
			t.Fatalf("memory limit %d does not round-trip through %q", rt.MemoryLimit, rt.MemoryLimit.String())
		}
		if rt.Timeout <= 0 || rt.MaxOutput <= 0 || rt.MaxConcurrency < 1 {
			t.Fatalf("limits out of range: %v %v %v", rt.Timeout, rt.MaxOutput, rt.MaxConcurrency)
		}
		if rt.Instances != PerSession && rt.Instances != Pooled {
			t.Fatalf("instance mode %q accepted", rt.Instances)
		}
		if rt.Prefix != nil && !prefixRE.MatchString(*rt.Prefix) {
			t.Fatalf("prefix %q accepted", *rt.Prefix)
		}
		for _, h := range rt.AllowedHosts {
			if strings.TrimSpace(h) == "" {
				t.Fatal("empty allowed host accepted")
			}
		}
		guests := map[string]bool{}
		for _, m := range rt.AllowedPaths {
			if !filepath.IsAbs(m.Host) || filepath.Clean(m.Host) != m.Host || !path.IsAbs(m.Guest) || path.Clean(m.Guest) != m.Guest {
				t.Fatalf("mount %+v is not absolute and clean", m)
			}
			if info, err := os.Stat(m.Host); err != nil || !info.IsDir() {
				t.Fatalf("mount host %s is not a directory", m.Host)
			}
			if guests[m.Guest] {
				t.Fatalf("guest path %s mounted twice", m.Guest)
			}
			guests[m.Guest] = true
		}
		for _, s := range rt.Secrets {
			if s.Host == "" || !validHeaderName(s.Header) || s.Value == "" {
				t.Fatalf("bad secret %s %q", s.Host, s.Header)
			}
		}
		for _, m := range []Matcher{rt.SkipTools, rt.SkipPrompts, rt.SkipResources, rt.SkipResourceTemplates} {
			if len(m.Patterns()) != len(m.res) {
				t.Fatal("a skip pattern was dropped")
			}
		}
	}
	for prefix, a := range c.Auths {
		if !strings.HasPrefix(prefix, "http://") && !strings.HasPrefix(prefix, "https://") {
			t.Fatalf("auth prefix %q accepted", prefix)
		}
		if a.Type != "basic" && a.Type != "token" {
			t.Fatalf("auth type %q accepted", a.Type)
		}
	}
	for _, w := range c.Warnings {
		if !strings.HasPrefix(w, "config[") || !strings.Contains(w, ": ignored: ") && !strings.Contains(w, "no secret is ever sent") {
			t.Fatalf("bad warning %q", w)
		}
	}
}
