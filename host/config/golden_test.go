package config

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// testEnv is the environment the testdata files are loaded with. HOME is
// the testdata directory, so "~/data" names testdata/data.
func testEnv(t testing.TB) map[string]string {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"GITHUB_TOKEN":  "ghp_test",
		"MYIP_API_KEY":  "myip-key",
		"WEATHER_TOKEN": "weather-token",
		"TILES_KEY":     "tiles-key",
		"EMPTY":         "",
		"HOME":          dir,
	}
}

func lookup(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// dump renders a Config as stable text for golden files. Secret values are
// revealed, so that the goldens pin their expansion.
func dump(c *Config) string {
	var b strings.Builder
	for _, p := range c.Plugins {
		rt := p.Runtime
		fmt.Fprintf(&b, "plugin %s\n", p.Name)
		if p.Description != "" {
			fmt.Fprintf(&b, "  description: %s\n", p.Description)
		}
		fmt.Fprintf(&b, "  location: %s %q %s\n", p.Location.Scheme, p.Location.Path, p.Location.URL)
		fmt.Fprintf(&b, "  allowed_hosts: %q\n", rt.AllowedHosts)
		for _, m := range rt.AllowedPaths {
			mode := "rw"
			if m.ReadOnly {
				mode = "ro"
			}
			fmt.Fprintf(&b, "  mount: %s -> %s %s\n", m.Host, m.Guest, mode)
		}
		for _, k := range slices.Sorted(maps.Keys(rt.EnvVars)) {
			fmt.Fprintf(&b, "  env: %s=%q\n", k, rt.EnvVars[k])
		}
		fmt.Fprintf(&b, "  memory_limit: %s (%d bytes, %d pages)\n", rt.MemoryLimit, int64(rt.MemoryLimit), rt.MemoryLimit.Pages())
		for _, s := range []struct {
			name string
			m    Matcher
		}{{"skip_tools", rt.SkipTools}, {"skip_prompts", rt.SkipPrompts}, {"skip_resources", rt.SkipResources}, {"skip_resource_templates", rt.SkipResourceTemplates}} {
			if len(s.m.Patterns()) > 0 {
				fmt.Fprintf(&b, "  %s: %q\n", s.name, s.m.Patterns())
			}
		}
		prefix := "<plugin name>"
		if rt.Prefix != nil {
			prefix = fmt.Sprintf("%q", *rt.Prefix)
		}
		fmt.Fprintf(&b, "  timeout: %s, max_output: %s, max_concurrency: %d, instances: %s, prefix: %s\n",
			rt.Timeout, rt.MaxOutput, rt.MaxConcurrency, rt.Instances, prefix)
		for _, s := range rt.Secrets {
			fmt.Fprintf(&b, "  secret: %s %s: %q\n", s.Host, s.Header, s.Value.Reveal())
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Auths)) {
		a := c.Auths[k]
		fmt.Fprintf(&b, "auth %s: %s user=%q password=%q token=%q\n", k, a.Type, a.Username, a.Password.Reveal(), a.Token.Reveal())
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return b.String()
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// problems splits a joined error into its *Error parts.
func problems(t testing.TB, err error) []*Error {
	t.Helper()
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []*Error
	for _, e := range errs {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("error %q is not a *config.Error", e)
		}
		out = append(out, ce)
	}
	return out
}

// TestGolden loads every file in testdata and testdata/bad and compares the
// parsed config, or the errors, with testdata/golden. Run with -update to
// rewrite the goldens after an intended change, then review the diff.
func TestGolden(t *testing.T) {
	env := testEnv(t)
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		t.Fatal(err)
	}
	bad, err := filepath.Glob("testdata/bad/*")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, bad...)
	if len(files) < 10 {
		t.Fatalf("found only %d testdata files", len(files))
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			cfg, err := Load(file, Options{LookupEnv: lookup(env)})
			wantErr := strings.HasPrefix(file, filepath.Join("testdata", "bad"))
			var got string
			switch {
			case err != nil && !wantErr:
				t.Fatalf("Load: %v", err)
			case err == nil && wantErr:
				t.Fatalf("Load succeeded, want errors; got\n%s", dump(cfg))
			case err != nil:
				for _, line := range strings.Split(err.Error(), "\n") {
					if !strings.HasPrefix(line, "config["+file+"]") {
						t.Errorf("error line %q does not start with config[%s]", line, file)
					}
				}
				got = err.Error() + "\n"
			default:
				if cfg.Source != file {
					t.Errorf("Source = %q, want %q", cfg.Source, file)
				}
				got = dump(cfg)
			}
			got = strings.ReplaceAll(got, env["HOME"], "$TESTDATA")
			golden := filepath.Join("testdata", "golden", strings.ReplaceAll(strings.TrimPrefix(file, "testdata"+string(filepath.Separator)), string(filepath.Separator), "_")+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update to accept)\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// TestFormatsAgree checks that the YAML, JSON and TOML forms of the same
// hyper-mcp config give the same result.
func TestFormatsAgree(t *testing.T) {
	env := testEnv(t)
	var first string
	for _, file := range []string{"testdata/hyper-mcp.yaml", "testdata/hyper-mcp.json", "testdata/hyper-mcp.toml"} {
		cfg, err := Load(file, Options{LookupEnv: lookup(env)})
		if err != nil {
			t.Fatalf("Load(%s): %v", file, err)
		}
		got := dump(cfg)
		if first == "" {
			first = got
			continue
		}
		if got != first {
			t.Errorf("%s differs from hyper-mcp.yaml:\n%s\nwant:\n%s", file, got, first)
		}
	}
}
