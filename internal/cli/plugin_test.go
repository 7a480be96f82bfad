package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/toolhost/toolhost/host"
	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/internal/testplugins"
)

// execute runs the toolhost command in process as Main does, but returns
// ExitCode(err), and the output. env nil means the process environment;
// otherwise the command sees exactly env (build commands take PATH from it).
// Plugins are compiled through the default cache, as e2e tests do.
func execute(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	lookup := os.LookupEnv
	if env != nil {
		lookup = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	}
	root := newRoot(IO{In: strings.NewReader(""), Out: &out, Err: &errb, Env: lookup})
	root.SetArgs(args)
	root.SetIn(strings.NewReader(""))
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(&errb, "toolhost:", err)
	}
	return ExitCode(err), out.String(), errb.String()
}

func toolchainPresent(t *testing.T, cmds ...string) {
	t.Helper()
	for _, c := range cmds {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s is not on PATH, so this toolchain cannot be tested here", c)
		}
	}
}

// TestPluginLifecycle scaffolds, builds, inspects and calls a plugin in each
// language through the command line.
func TestPluginLifecycle(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang  string
		tools []string // toolchain commands the build needs; nil: not built here
		files []string
	}{
		{"go", []string{"go"}, []string{"go.mod", "go.sum", "main.go", "README.md"}},
		{"c", []string{"clang", "wasm-ld"}, []string{"hello.c", "build.sh", "README.md"}},
		// Built for real by internal/author's TestBuildAndCall: npm install
		// and asc take most of a minute, which the command adds nothing to.
		{"assemblyscript", nil, []string{"package.json", "assembly/index.ts", "README.md"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "hello")
			code, out, errs := execute(t, nil, "plugin", "new", "hello", "--lang", tc.lang, "--dir", dir)
			if code != 0 || !strings.Contains(out, "created "+tc.lang+" plugin hello in "+dir) || !strings.Contains(out, "toolhost plugin build") {
				t.Fatalf("plugin new: code %d\n%s%s", code, out, errs)
			}
			for _, f := range tc.files {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("plugin new did not write %s", f)
				}
			}
			if tc.tools == nil {
				return
			}
			toolchainPresent(t, tc.tools...)

			code, out, errs = execute(t, nil, "plugin", "build", dir)
			if code != 0 {
				t.Fatalf("plugin build: code %d\n%s%s", code, out, errs)
			}
			wasm := filepath.Join(dir, "hello.wasm")
			for _, w := range []string{"built " + wasm, "abi V2 (hyper-mcp: list_tools/call_tool), 1 tools", "tool greet"} {
				if !strings.Contains(out, w) {
					t.Errorf("plugin build output lacks %q:\n%s", w, out)
				}
			}
			if !strings.Contains(errs, "$ ") {
				t.Errorf("plugin build does not show the toolchain command on stderr:\n%s", errs)
			}

			code, out, errs = execute(t, nil, "plugin", "inspect", wasm)
			if code != 0 || !strings.Contains(out, "abi      V2") || !strings.Contains(out, "  extism:host/env\n") || !strings.Contains(out, `input:  {"type":"object","properties":{"name"`) {
				t.Errorf("plugin inspect: code %d\n%s%s", code, out, errs)
			}
			code, out, _ = execute(t, nil, "plugin", "inspect", "--json", wasm)
			var report struct {
				ABI   string
				Tools []struct{ Name string }
			}
			if err := json.Unmarshal([]byte(out), &report); code != 0 || err != nil || report.ABI != "V2" || len(report.Tools) != 1 || report.Tools[0].Name != "greet" {
				t.Errorf("plugin inspect --json: code %d, %v\n%s", code, err, out)
			}

			code, out, errs = execute(t, nil, "call", wasm, "greet", "--arg", "name=World")
			if code != 0 || out != "Hello, World!\n" {
				t.Errorf("call greet: code %d, stdout %q, stderr %q", code, out, errs)
			}
			code, out, errs = execute(t, nil, "call", wasm, "greet")
			if code != 2 || !strings.Contains(out, `"name"`) || !strings.Contains(errs, "tool greet reported an error (isError)") {
				t.Errorf("call greet without a name: code %d, stdout %q, stderr %q; want 2", code, out, errs)
			}
		})
	}
}

func TestCallEverything(t *testing.T) {
	t.Parallel()
	everything := testplugins.Test(t, "everything")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{"args", []string{"echo", "--args", `{"message":"from --args"}`}, 0, "from --args\n", ""},
		{"arg over args", []string{"echo", "--args", `{"message":"a"}`, "--arg", "message=b"}, 0, "b\n", ""},
		{"json", []string{"add", "--arg", "a:=1", "--arg", "b:=2", "--json"}, 0, `"structuredContent": {`, ""},
		{"isError", []string{"error_result"}, 2, "this tool always fails", "reported an error (isError)"},
		{"trap", []string{"trap"}, 2, "plugin[", "reported an error"},
		{"timeout", []string{"spin", "--timeout", "5s"}, 2, "stopped after runtime_config.timeout (5s)", ""},
		{"progress on stderr", []string{"progress", "--arg", "steps:=2", "--arg", "delay_ms:=0"}, 0, "done 2 steps", "progress 2/2 step 2 of 2"},
		{"unknown tool", []string{"nope"}, 1, "", `has no tool "nope"`},
		{"bad --args", []string{"echo", "--args", "{bad"}, 1, "", "--args {bad: want a JSON object"},
		{"bad --arg", []string{"echo", "--arg", "message"}, 1, "", `--arg "message": use key=string or key:=json`},
		{"bad --allow-path", []string{"echo", "--allow-path", "/does/not/exist:/x"}, 1, "", "allowed_paths"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errs := execute(t, nil, append([]string{"call", everything}, tc.args...)...)
			if code != tc.code || !strings.Contains(out, tc.stdout) || !strings.Contains(errs, tc.stderr) {
				t.Errorf("call %v: code %d (want %d)\nstdout: %s\nstderr: %s", tc.args, code, tc.code, out, errs)
			}
		})
	}
}

func TestCallURL(t *testing.T) {
	t.Parallel()
	yaml := "plugins:\n  everything:\n    url: file://" + testplugins.Test(t, "everything") + "\n    runtime_config:\n      timeout: 3s\n"
	cfg, err := config.Parse([]byte(yaml), config.YAML, config.Options{BaseDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h, err := host.New(ctx, cfg, host.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.HTTPHandler(host.HTTPOptions{}))
	t.Cleanup(func() {
		srv.Close()
		h.Close(context.Background())
	})
	url := srv.URL + "/mcp"
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"echo", []string{"everything-echo", "--arg", "message=over http"}, 0, "over http\n", ""},
		{"json", []string{"everything-add", "--args", `{"a":2,"b":3}`, "--json"}, 0, `"sum": 5`, ""},
		{"isError", []string{"everything-error_result"}, 2, "always fails", "reported an error"},
		{"unknown tool", []string{"everything-nope"}, 1, "", "everything-nope"},
		{"grants refused", []string{"everything-echo", "--allow-host", "example.com"}, 1, "", "get theirs from its config file"},
		{"two arguments", []string{"file.wasm", "everything-echo"}, 1, "", "with --url, give just the tool name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errs := execute(t, nil, append([]string{"call", "--url", url}, tc.args...)...)
			if code != tc.code || !strings.Contains(out, tc.stdout) || !strings.Contains(errs, tc.stderr) {
				t.Errorf("call --url %v: code %d (want %d)\nstdout: %s\nstderr: %s", tc.args, code, tc.code, out, errs)
			}
		})
	}
}

func TestPluginErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notWasm := filepath.Join(dir, "notes.wasm")
	if err := os.WriteFile(notWasm, []byte("my notes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	noPath := map[string]string{"PATH": t.TempDir()} // no go, clang or node on it
	scaffold := func(lang string) string {
		d := filepath.Join(t.TempDir(), "p")
		if code, out, errs := execute(t, nil, "plugin", "new", "p", "--lang", lang, "--dir", d); code != 0 {
			t.Fatalf("plugin new: %s%s", out, errs)
		}
		return d
	}
	goDir, cDir, asDir := scaffold("go"), scaffold("c"), scaffold("assemblyscript")
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		stderr string
	}{
		{"call missing file", nil, []string{"call", filepath.Join(dir, "missing.wasm"), "greet"}, "no such file or directory"},
		{"call not wasm", nil, []string{"call", notWasm, "greet"}, "is not a WebAssembly module"},
		{"call one argument", nil, []string{"call", notWasm}, "give a plugin file and a tool name"},
		{"inspect missing file", nil, []string{"plugin", "inspect", filepath.Join(dir, "missing.wasm")}, "no such file or directory"},
		{"inspect not wasm", nil, []string{"plugin", "inspect", notWasm}, "is not a WebAssembly module"},
		{"new bad name", nil, []string{"plugin", "new", "My-Tool", "--dir", filepath.Join(dir, "x")}, `plugin name "My-Tool"`},
		{"new bad lang", nil, []string{"plugin", "new", "x", "--lang", "rust", "--dir", filepath.Join(dir, "x")}, `--lang "rust": use go, c or assemblyscript`},
		{"new into non-empty dir", nil, []string{"plugin", "new", "x", "--dir", goDir}, "exists and is not empty"},
		{"build no project", nil, []string{"plugin", "build", dir}, "holds no plugin project toolhost can build"},
		{"build go without go", noPath, []string{"plugin", "build", goDir}, "building a Go plugin needs the go command (not on PATH): download Go 1.24 or newer from https://go.dev/dl"},
		{"build c without clang", noPath, []string{"plugin", "build", cDir}, "building a C plugin needs clang (not on PATH): apt-get install -y --no-install-recommends clang lld wasi-libc libclang-rt-14-dev-wasm32"},
		{"build as without node", noPath, []string{"plugin", "build", asDir}, "building an AssemblyScript plugin needs Node.js (node) (not on PATH): apt-get install -y --no-install-recommends nodejs npm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errs := execute(t, tc.env, tc.args...)
			if code != 1 || !strings.Contains(errs, tc.stderr) {
				t.Errorf("%v: code %d (want 1)\nstdout: %s\nstderr: %s\nwant stderr containing %q", tc.args, code, out, errs, tc.stderr)
			}
		})
	}
}

// TestInspectUnloadable: a module toolhost would refuse is still described,
// with the reason, and the command fails.
func TestInspectUnloadable(t *testing.T) {
	t.Parallel()
	code, out, errs := execute(t, nil, "plugin", "inspect", testplugins.Test(t, "neither"))
	if code != 1 || !strings.Contains(out, "abi      none") || !strings.Contains(out, "toolhost would NOT load this module:") ||
		!strings.Contains(errs, "toolhost would not load this module") {
		t.Errorf("inspect neither: code %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("x"), 1},
		{&exitError{code: 2, err: errors.New("tool")}, 2},
		{fmt.Errorf("wrapped: %w", &exitError{code: 2, err: errors.New("tool")}), 2},
	} {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
