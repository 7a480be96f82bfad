package author

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/host/plugin"
	"github.com/toolhost/toolhost/internal/testplugins"
)

func TestInspect(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		file func(t *testing.T) string
		abi  string
		// wantLoad is a substring of LoadError, "" for a module that loads.
		wantLoad string
		check    func(t *testing.T, r *Report)
		text     []string
	}{
		{name: "everything", file: func(t *testing.T) string { return testplugins.Test(t, "everything") }, abi: "V2",
			check: func(t *testing.T, r *Report) {
				if !hasTool(r, "echo") || !hasTool(r, "add") {
					t.Errorf("tools = %v", toolNames(r))
				}
				if len(r.Prompts) == 0 || r.Prompts[0].Name != "greet" || len(r.Resources) != 2 || len(r.ResourceTemplates) != 1 {
					t.Errorf("prompts %v, resources %v, templates %v", r.Prompts, r.Resources, r.ResourceTemplates)
				}
				if !hasImportModule(r, plugin.UserNamespace) || !hasImportModule(r, plugin.KernelNamespace) || !hasImportModule(r, wasiNamespace) {
					t.Errorf("imports = %+v", r.Imports)
				}
				if len(r.Memories) != 1 || r.Memories[0].Export != "memory" || r.Memories[0].Min == 0 {
					t.Errorf("memories = %+v", r.Memories)
				}
				if e := exportNamed(r, "call_tool"); e == nil || e.Signature != "() -> (i32)" || e.Kind != "func" {
					t.Errorf("call_tool export = %+v", e)
				}
				if r.Interrupt != "flag" {
					t.Errorf("interrupt = %q, want the instrumented flag", r.Interrupt)
				}
			},
			text: []string{"abi      V2 (hyper-mcp: list_tools/call_tool)", "timeout  enforced by an interrupt flag", "memory   memory: min ", "exports (", "  extism:host/user", "tools (", "  echo\n    Echo the message back.\n    input:  {\"type\":\"object\"", "prompts (", "resources (2)", "resource templates (1)", "mem://notes/{id}"}},
		{name: "v1echo", file: func(t *testing.T) string { return testplugins.Test(t, "v1echo") }, abi: "V1",
			check: func(t *testing.T, r *Report) {
				if len(r.Tools) == 0 {
					t.Errorf("no tools")
				}
			},
			text: []string{"abi      V1 (mcp.run servlet: describe/call)"}},
		{name: "neither", file: func(t *testing.T) string { return testplugins.Test(t, "neither") }, abi: "none",
			wantLoad: "list_tools", text: []string{"abi      none", "toolhost would NOT load this module:"}},
		{name: "command", file: func(t *testing.T) string { return testplugins.Test(t, "command") }, abi: "command",
			wantLoad: "plugin[command", text: []string{"abi      command (a WASI command"}},
		{name: "unprovided imports", abi: "V2",
			file: func(t *testing.T) string {
				return writeFile(t, dir, "system.wasm", importing([][2]string{
					{"env", "system"}, {plugin.KernelNamespace, "output_set"}, {plugin.KernelNamespace, "spawn"}, {plugin.UserNamespace, "not_a_host_function"},
				}, "list_tools"))
			},
			wantLoad: "env.system",
			check: func(t *testing.T, r *Report) {
				want := []string{"env.system", "extism:host/env.spawn", "extism:host/user.not_a_host_function"}
				if got := r.Unprovided(); !slices.Equal(got, want) {
					t.Errorf("Unprovided() = %v, want %v", got, want)
				}
			},
			text: []string{"  env\n    system                   () -> ()   <- NOT PROVIDED by toolhost", "    output_set               () -> ()\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Inspect(ctx, tc.file(t), InspectOptions{CacheDir: compileCache})
			if err != nil {
				t.Fatal(err)
			}
			if r.ABI != tc.abi {
				t.Errorf("ABI = %s, want %s", r.ABI, tc.abi)
			}
			if tc.wantLoad == "" && r.LoadError != "" {
				t.Errorf("LoadError = %s", r.LoadError)
			}
			if tc.wantLoad != "" && !strings.Contains(r.LoadError, tc.wantLoad) {
				t.Errorf("LoadError = %q, want it to contain %q", r.LoadError, tc.wantLoad)
			}
			if tc.wantLoad != "" && len(r.Tools) != 0 {
				t.Errorf("a module that does not load lists tools: %v", toolNames(r))
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			var b strings.Builder
			if err := r.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.text {
				if !strings.Contains(b.String(), w) {
					t.Errorf("text report lacks %q:\n%s", w, b.String())
				}
			}
			// The JSON form carries the schemas verbatim and empty lists as [].
			data, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var back map[string]any
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"file", "abi", "exports", "imports", "memories", "tools", "prompts", "resources", "resourceTemplates"} {
				if back[k] == nil {
					t.Errorf("JSON report has no %q: %s", k, data)
				}
			}
		})
	}
}

func TestInspectErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		data []byte // nil: the file does not exist
		want string
	}{
		{"missing", nil, "no such file or directory"},
		{"not wasm", []byte("these are my notes\n"), "is not a WebAssembly module (it does not start with \\0asm)"},
		{"empty", []byte{}, "is not a WebAssembly module"},
		{"component", []byte{0, 'a', 's', 'm', 0x0d, 0, 1, 0}, "is a WebAssembly component or an unknown version"},
		{"truncated", []byte{0, 'a', 's', 'm', 1, 0, 0, 0, secType, 10, 1}, "not a valid WebAssembly module"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := dir + "/" + strings.ReplaceAll(tc.name, " ", "_") + ".wasm"
			if tc.data != nil {
				writeFile(t, dir, strings.ReplaceAll(tc.name, " ", "_")+".wasm", tc.data)
			}
			_, err := Inspect(context.Background(), path, InspectOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Inspect error = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestKernelFunctionsMatchLoader checks kernelFunctions against host/plugin's
// own (unexported) list: a module importing every name Inspect calls
// provided passes the loader's import check, and the check is real (a name
// outside the list fails it).
func TestKernelFunctionsMatchLoader(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	load := func(name string, imports [][2]string) error {
		path := writeFile(t, dir, name+".wasm", importing(imports, "list_tools"))
		cfg, err := fileConfig(path, nil, dir)
		if err != nil {
			t.Fatal(err)
		}
		l, err := plugin.NewLoader(plugin.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close(context.Background())
		p, err := l.Load(context.Background(), cfg)
		if err == nil {
			p.Close(context.Background())
			return errors.New("loaded")
		}
		return err
	}
	const refused = "is not an Extism kernel function"
	var all [][2]string
	for _, f := range kernelFunctions {
		all = append(all, [2]string{plugin.KernelNamespace, f})
	}
	for _, f := range plugin.UserFunctionNames() {
		all = append(all, [2]string{plugin.UserNamespace, f})
	}
	all = append(all, [2]string{wasiNamespace, "fd_write"})
	if err := load("all", all); strings.Contains(err.Error(), refused) || strings.Contains(err.Error(), "does not provide") {
		t.Errorf("the loader refuses an import Inspect calls provided: %v", err)
	}
	if err := load("bogus", [][2]string{{plugin.KernelNamespace, "bogus"}}); !strings.Contains(err.Error(), refused) {
		t.Errorf("the loader's import check did not run: %v", err)
	}
}

func TestPluginName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/x/greet.wasm":        "greet",
		"/x/My-Plugin.v2.wasm": "my_plugin_v2",
		"/x/--.wasm":           "plugin",
		"/x/ü.wasm":            "plugin",
		"/x/a__b.wasm":         "a_b",
	} {
		if got := pluginName(in); got != want || !config.ValidPluginName(got) {
			t.Errorf("pluginName(%q) = %q, want %q", in, got, want)
		}
	}
}

func hasTool(r *Report, name string) bool { return slices.Contains(toolNames(r), name) }

func toolNames(r *Report) []string {
	var names []string
	for _, t := range r.Tools {
		names = append(names, t.Name)
	}
	return names
}

func hasImportModule(r *Report, module string) bool {
	for _, g := range r.Imports {
		if g.Module == module {
			return true
		}
	}
	return false
}

func exportNamed(r *Report, name string) *Export {
	for i := range r.Exports {
		if r.Exports[i].Name == name {
			return &r.Exports[i]
		}
	}
	return nil
}
