package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/toolhost/toolhost/host"
	"github.com/toolhost/toolhost/internal/bundled"
	"github.com/toolhost/toolhost/internal/cli"
	"github.com/toolhost/toolhost/internal/testplugins"
)

// cacheDir is the --cache-dir of every command: the default compilation
// cache, shared with the e2e tests and across runs, because compiling a
// plugin takes seconds (half a minute under -race). The cache is keyed by
// module content, so sharing it cannot change what a test sees.
var cacheDir = func() string {
	if d := host.DefaultCacheDir(); d != "" {
		return d
	}
	return "-" // no user cache directory: compile without a cache
}()

// run runs the toolhost command in process with args and an environment of
// exactly env, and returns its exit code, stdout and stderr.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code = cli.Main(ctx, args, cli.IO{
		In:  strings.NewReader(""),
		Out: &out,
		Err: &errb,
		Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	return code, out.String(), errb.String()
}

// writeConfig writes a YAML config into a new temporary directory.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "toolhost.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wasm assembles a WebAssembly binary module from sections, for modules
// too small and too wrong to be worth a toolchain.
type wasm struct{ b []byte }

func newWasm() *wasm {
	return &wasm{b: []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}} // magic, version 1
}

// uleb appends n as unsigned LEB128.
func uleb(b []byte, n uint32) []byte {
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// name encodes a WebAssembly name: its length, then its UTF-8 bytes.
func name(s string) []byte { return append(uleb(nil, uint32(len(s))), s...) }

// section appends section id holding a vector of the given entries.
func (w *wasm) section(id byte, entries ...[]byte) *wasm {
	body := uleb(nil, uint32(len(entries)))
	for _, e := range entries {
		body = append(body, e...)
	}
	w.b = append(w.b, id)
	w.b = uleb(w.b, uint32(len(body)))
	w.b = append(w.b, body...)
	return w
}

// Section ids and encodings used below.
const (
	secType, secImport, secExport = 1, 2, 7
	funcType                      = 0x60
	externFunc                    = 0x00
)

// importingSystem is a module that imports env.system (a function toolhost
// does not provide) and re-exports it as list_tools, so that it looks like a
// plugin until its imports are resolved.
func importingSystem() []byte {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	return newWasm().
		section(secType, []byte{funcType, 0, 0}).                                    // type 0: () -> ()
		section(secImport, cat(name("env"), name("system"), []byte{externFunc, 0})). // func 0 = env.system, type 0
		section(secExport, cat(name("list_tools"), []byte{externFunc, 0})).b         // export func 0
}

func TestCheckStartupErrors(t *testing.T) {
	everything := testplugins.Test(t, "everything")
	dir := t.TempDir()
	notWasm := filepath.Join(dir, "notes.wasm")
	if err := os.WriteFile(notWasm, []byte("these are my notes, not a WebAssembly module\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	importer := filepath.Join(dir, "importer.wasm")
	if err := os.WriteFile(importer, importingSystem(), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.wasm")
	longPrefix := strings.Repeat("p", 60) // p…p-echo is 65 characters

	tests := []struct {
		name string
		yaml string
		want []string // substrings of stderr
	}{
		{
			name: "not wasm",
			yaml: fmt.Sprintf("plugins:\n  notes:\n    url: file://%s\n", notWasm),
			want: []string{"plugin[notes]", notWasm, "not a usable WebAssembly module", "not a WebAssembly module"},
		},
		{
			name: "missing file",
			yaml: fmt.Sprintf("plugins:\n  gone:\n    url: file://%s\n", missing),
			want: []string{"plugin[gone]", missing, "no such file or directory", "check the plugin's url"},
		},
		{
			name: "no plugin exports",
			yaml: fmt.Sprintf("plugins:\n  neither:\n    url: file://%s\n", testplugins.Test(t, "neither")),
			want: []string{"plugin[neither]", "neither", "exports no plugin functions", "hello",
				"list_tools and call_tool (V2) or describe and call (V1)"},
		},
		{
			name: "WASI command",
			yaml: fmt.Sprintf("plugins:\n  cmd:\n    url: file://%s\n", testplugins.Test(t, "command")),
			// Whether the host refuses commands or runs them as command
			// plugins, this one (it only prints a line) cannot load.
			want: []string{"plugin[cmd]", "WASI command", "-buildmode=c-shared"},
		},
		{
			name: "unknown import",
			yaml: fmt.Sprintf("plugins:\n  importer:\n    url: file://%s\n", importer),
			want: []string{"plugin[importer]", importer, "imports env.system", "toolhost does not provide"},
		},
		{
			name: "unknown config key",
			yaml: fmt.Sprintf("plugins:\n  everything:\n    url: file://%s\n    runtime_config:\n      timeuot: 3s\n", everything),
			want: []string{"config[", "toolhost.yaml", "line 5", "plugins.everything.runtime_config.timeuot", "unknown key", "did you mean timeout"},
		},
		{
			name: "unset variable",
			yaml: fmt.Sprintf("plugins:\n  everything:\n    url: file://%s\n    runtime_config:\n      env_vars: { TOKEN: \"${TOOLHOST_TEST_TOKEN}\" }\n", everything),
			want: []string{"config[", "plugins.everything.runtime_config.env_vars.TOKEN", "TOOLHOST_TEST_TOKEN is not set", "${TOOLHOST_TEST_TOKEN:-default}"},
		},
		{
			name: "tool name clash",
			yaml: fmt.Sprintf("plugins:\n  one:\n    url: file://%[1]s\n    runtime_config: { prefix: same }\n"+
				"  two:\n    url: file://%[1]s\n    runtime_config: { prefix: same }\n", everything),
			want: []string{`plugin[two] tool "same-echo" is already exposed by plugin[one]`, "runtime_config.prefix",
				`plugin[two] prompt "same-greet" is already exposed by plugin[one]`},
		},
		{
			name: "exposed name too long",
			yaml: fmt.Sprintf("plugins:\n  everything:\n    url: file://%s\n    runtime_config: { prefix: %s }\n", everything, longPrefix),
			want: []string{`plugin[everything] tool "echo"`, longPrefix + "-echo", "is 65 characters", "at most 64"},
		},
		{
			name: "memory_limit below the module's minimum",
			yaml: fmt.Sprintf("plugins:\n  everything:\n    url: file://%s\n    runtime_config: { memory_limit: 64Ki }\n", everything),
			want: []string{"plugin[everything]", "runtime_config.memory_limit 64Ki (1 pages)", "below the module's minimum memory", "raise memory_limit"},
		},
	}
	// The environment is empty, so ${TOOLHOST_TEST_TOKEN} is unset.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeConfig(t, tt.yaml)
			code, stdout, stderr := run(t, nil, "check", "--config", cfg, "--cache-dir", cacheDir)
			if code != 1 {
				t.Errorf("exit code %d, want 1; stderr:\n%s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("a failed check printed on stdout:\n%s", stdout)
			}
			if !strings.Contains(stderr, "toolhost: ") {
				t.Errorf("stderr lacks the \"toolhost: \" error line:\n%s", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

func TestCheckGoodConfig(t *testing.T) {
	cfg := writeConfig(t, fmt.Sprintf(`
plugins:
  everything:
    url: file://%s
    runtime_config:
      env_vars: { TOKEN: "${TOOLHOST_TEST_TOKEN}" }
  v1echo:
    url: file://%s
`, testplugins.Test(t, "everything"), testplugins.Test(t, "v1echo")))
	code, stdout, stderr := run(t, map[string]string{"TOOLHOST_TEST_TOKEN": "s3cret"},
		"check", "--config", cfg, "--cache-dir", cacheDir)
	if code != 0 {
		t.Fatalf("exit code %d, want 0; stderr:\n%s", code, stderr)
	}
	for _, re := range []string{
		`(?m)^plugin everything: ABI v2 \S+, \d+ tools, 1 prompts, 2 resources, 1 templates$`,
		`(?m)^plugin v1echo: ABI v1 \S+, 4 tools, 0 prompts, 0 resources, 0 templates$`,
		`(?m)^  tool everything-echo$`,
		`(?m)^  tool everything-add$`,
		`(?m)^  tool v1echo-echo$`,
		`(?m)^  tool v1echo-fail_rc$`,
	} {
		if !regexp.MustCompile(re).MatchString(stdout) {
			t.Errorf("stdout does not match %s:\n%s", re, stdout)
		}
	}
	if strings.Contains(stdout+stderr, "s3cret") {
		t.Errorf("the value of an env_vars entry was printed:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}

// Without --config, check loads the bundled plugins.
func TestCheckBundledDefault(t *testing.T) {
	if len(bundled.Names()) == 0 {
		t.Skip(`the bundled plugins are not embedded: run "go generate ./internal/bundled" first`)
	}
	code, stdout, stderr := run(t, nil, "check", "--cache-dir", cacheDir)
	if code != 0 {
		t.Fatalf("exit code %d, want 0; stderr:\n%s", code, stderr)
	}
	for _, name := range bundled.FirstParty() {
		if !regexp.MustCompile(`(?m)^plugin ` + name + `: ABI v2 `).MatchString(stdout) {
			t.Errorf("stdout lacks plugin %s:\n%s", name, stdout)
		}
	}
	if !strings.Contains(stderr, "no --config given: serving the bundled plugins") {
		t.Errorf("stderr does not say the bundled plugins are served:\n%s", stderr)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, stderr := run(t, nil, "version")
	if code != 0 || stderr != "" {
		t.Fatalf("exit code %d, stderr %q; want 0 and nothing", code, stderr)
	}
	if !strings.HasPrefix(stdout, "toolhost "+cli.Version()+" (wazero ") {
		t.Errorf("version printed %q, want toolhost %s (wazero …)", stdout, cli.Version())
	}
	// A test binary carries no dependency versions, so wazero's may read
	// "unknown" here; a built binary prints vX.Y.Z.
	if !regexp.MustCompile(`^toolhost \S+ \(wazero (v\d+\.\d+\.\d+|unknown), go\S+\)\n$`).MatchString(stdout) {
		t.Errorf("version printed %q, want one line: toolhost VERSION (wazero vX.Y.Z, goVERSION)", stdout)
	}
}

func TestServeUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--transport", "bogus"}, `--transport "bogus": use http or stdio`},
		{[]string{"serve", "--log-level", "loud"}, `--log-level "loud": use debug, info, warn or error`},
		{[]string{"serve", "--log-format", "xml"}, `--log-format "xml": use text or json`},
		{[]string{"serve", "--nosuch"}, "unknown flag: --nosuch"},
		{[]string{"check", "extra"}, `unknown command "extra"`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			start := time.Now()
			code, stdout, stderr := run(t, nil, tt.args...)
			if code != 1 || !strings.Contains(stderr, "toolhost: ") || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit code %d, stderr %q; want 1 and an error containing %q", code, stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			// The mistake is caught before any plugin is loaded.
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s: the flag should be rejected before loading plugins", d)
			}
		})
	}
}
