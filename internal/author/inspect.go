package author

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/toolhost/toolhost/host/abi"
	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/host/plugin"
)

// Import namespaces a plugin may use.
const wasiNamespace = "wasi_snapshot_preview1"

// kernelFunctions are the Extism kernel functions toolhost provides. It
// mirrors host/plugin's list, which is unexported;
// TestKernelFunctionsMatchLoader fails when the two disagree.
var kernelFunctions = []string{
	"alloc", "free", "length", "length_unsafe", "load_u8", "load_u64", "store_u8", "store_u64",
	"input_length", "input_offset", "input_load_u8", "input_load_u64", "output_set", "error_set", "error_get",
	"config_get", "var_get", "var_set", "http_request", "http_status_code", "http_headers",
	"get_log_level", "log_trace", "log_debug", "log_info", "log_warn", "log_error",
}

// provided reports whether toolhost gives plugins the function module.name.
func provided(module, name string) bool {
	switch module {
	case plugin.KernelNamespace:
		return slices.Contains(kernelFunctions, name)
	case plugin.UserNamespace:
		return slices.Contains(plugin.UserFunctionNames(), name)
	case wasiNamespace:
		return true
	}
	return false
}

// Report is what toolhost sees in a plugin module.
type Report struct {
	File string `json:"file"`
	Size int    `json:"size"`
	// ABI is "V1" (describe/call), "V2" (list_tools/call_tool), "command"
	// (a WASI command module speaking JSON on stdin/stdout) or "none".
	ABI     string        `json:"abi"`
	Exports []Export      `json:"exports"`
	Imports []ImportGroup `json:"imports"`
	// Memories are the module's imported and exported memories.
	Memories []Memory `json:"memories"`
	// LoadError is why toolhost would refuse the module ("" if it loads).
	LoadError string `json:"loadError,omitempty"`
	// Interrupt is how toolhost stops the module's calls at their timeout:
	// "flag" (instrumented with an interrupt flag, the fast path) or
	// "fallback" (wazero's close-on-context-done, several times slower on
	// CPU-bound code); "" for command plugins and modules that do not load.
	Interrupt string `json:"interrupt,omitempty"`
	// The catalog toolhost read by loading the module with no grants
	// (empty when it does not load).
	Tools             []abi.Tool             `json:"tools"`
	Prompts           []abi.Prompt           `json:"prompts"`
	Resources         []abi.Resource         `json:"resources"`
	ResourceTemplates []abi.ResourceTemplate `json:"resourceTemplates"`
}

// Export is one exported function or memory.
type Export struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // "func" or "memory"
	// Signature of a function, such as "() -> (i32)".
	Signature string `json:"signature,omitempty"`
}

// ImportGroup holds a module's imports from one namespace.
type ImportGroup struct {
	Module string `json:"module"`
	// Functions are the imported functions, in import order.
	Functions []ImportedFunc `json:"functions"`
}

// ImportedFunc is one imported function.
type ImportedFunc struct {
	Name      string `json:"name"`
	Signature string `json:"signature"`
	// Provided is false for a function toolhost does not provide: a module
	// importing one does not load.
	Provided bool `json:"provided"`
}

// Memory is an imported or exported linear memory, in 64 KiB pages.
type Memory struct {
	// Import is "module.name" for an imported memory.
	Import string `json:"import,omitempty"`
	// Export names an exported memory.
	Export string  `json:"export,omitempty"`
	Min    uint32  `json:"minPages"`
	Max    *uint32 `json:"maxPages,omitempty"` // nil: no maximum
}

// InspectOptions configure Inspect.
type InspectOptions struct {
	// CacheDir is the wazero compilation cache for loading the plugin
	// ("" means in memory, for this call only).
	CacheDir string
	// Logger receives host/plugin's logs; nil discards them.
	Logger *slog.Logger
}

// Inspect reads the module at path, reports its ABI, exports, imports
// (flagging those toolhost does not provide) and memories, then loads it
// through host/plugin with no grants, as `toolhost serve` would, and reports
// its catalog or why it does not load. A file that is not a WebAssembly core
// module is an error.
func Inspect(ctx context.Context, path string, o InspectOptions) (*Report, error) {
	wasm, err := readModule(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	r := &Report{File: abs, Size: len(wasm), ABI: "none",
		Exports: []Export{}, Imports: []ImportGroup{}, Memories: []Memory{},
		Tools: []abi.Tool{}, Prompts: []abi.Prompt{}, Resources: []abi.Resource{}, ResourceTemplates: []abi.ResourceTemplate{}}
	if err := r.readSections(ctx, wasm); err != nil {
		return nil, fmt.Errorf("%s: not a valid WebAssembly module: %w", path, err)
	}
	var funcs []string
	for _, e := range r.Exports {
		if e.Kind == "func" {
			funcs = append(funcs, e.Name)
		}
	}
	r.ABI = r.staticABI(funcs)
	p, loader, err := loadFile(ctx, abs, nil, filepath.Dir(abs), o.CacheDir, o.Logger)
	if err != nil {
		r.LoadError = err.Error()
		return r, nil
	}
	defer loader.Close(context.WithoutCancel(ctx))
	defer p.Close(context.WithoutCancel(ctx))
	r.ABI = abiName(p.ABI())
	if err := p.Compile(ctx); err != nil {
		r.LoadError = err.Error()
		return r, nil
	}
	if interruptible, compiled := p.Interruptible(); compiled {
		r.Interrupt = "fallback"
		if interruptible {
			r.Interrupt = "flag"
		}
	}
	c := p.Catalog()
	r.Tools = append(r.Tools, c.Tools...)
	r.Prompts = append(r.Prompts, c.Prompts...)
	r.Resources = append(r.Resources, c.Resources...)
	r.ResourceTemplates = append(r.ResourceTemplates, c.Templates...)
	return r, nil
}

// staticABI is the ABI the loader would pick, for modules it does not load:
// abi.Detect's rule, or a WASI command module (exports _start, imports
// nothing from Extism), which toolhost runs with JSON on stdin and stdout.
func (r *Report) staticABI(funcs []string) string {
	if v, err := abi.Detect(funcs); err == nil {
		return abiName(v)
	}
	if slices.Contains(funcs, abi.ExportStart) && !slices.ContainsFunc(r.Imports, func(g ImportGroup) bool {
		return g.Module == plugin.KernelNamespace || g.Module == plugin.UserNamespace
	}) {
		return abiName(abi.Command)
	}
	return "none"
}

func abiName(v abi.Version) string {
	switch v {
	case abi.V1:
		return "V1"
	case abi.V2:
		return "V2"
	case abi.Command:
		return "command"
	}
	return "none"
}

// readModule reads a plugin file and checks that it is a core module.
func readModule(path string) ([]byte, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	switch {
	case len(wasm) < 8 || !bytes.Equal(wasm[:4], []byte("\x00asm")):
		return nil, fmt.Errorf("%s is not a WebAssembly module (it does not start with \\0asm)", path)
	case !bytes.Equal(wasm[4:8], []byte{1, 0, 0, 0}):
		return nil, fmt.Errorf("%s is a WebAssembly component or an unknown version, not a core module: toolhost runs core modules (Extism plugins) only", path)
	}
	return wasm, nil
}

// readSections fills the exports, imports and memories from wazero's view
// of the module (compiled by the interpreter, which is quick and validates
// the whole module).
func (r *Report) readSections(ctx context.Context, wasm []byte) error {
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(context.WithoutCancel(ctx))
	cm, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		return err
	}
	exports := cm.ExportedFunctions()
	for _, name := range slices.Sorted(maps.Keys(exports)) {
		r.Exports = append(r.Exports, Export{Name: name, Kind: "func", Signature: signature(exports[name])})
	}
	mems := cm.ExportedMemories()
	for _, name := range slices.Sorted(maps.Keys(mems)) {
		r.Exports = append(r.Exports, Export{Name: name, Kind: "memory"})
		if _, _, imported := mems[name].Import(); !imported {
			r.Memories = append(r.Memories, memory(mems[name], "", name))
		}
	}
	for _, m := range cm.ImportedMemories() {
		mod, name, _ := m.Import()
		mem := memory(m, mod+"."+name, "")
		if names := m.ExportNames(); len(names) > 0 {
			mem.Export = names[0]
		}
		r.Memories = append(r.Memories, mem)
	}
	groups := map[string]int{}
	for _, f := range cm.ImportedFunctions() {
		mod, name, _ := f.Import()
		i, ok := groups[mod]
		if !ok {
			i = len(r.Imports)
			groups[mod] = i
			r.Imports = append(r.Imports, ImportGroup{Module: mod})
		}
		r.Imports[i].Functions = append(r.Imports[i].Functions, ImportedFunc{Name: name, Signature: signature(f), Provided: provided(mod, name)})
	}
	return nil
}

func memory(m api.MemoryDefinition, imp, exp string) Memory {
	mem := Memory{Import: imp, Export: exp, Min: m.Min()}
	if max, ok := m.Max(); ok {
		mem.Max = &max
	}
	return mem
}

func signature(f api.FunctionDefinition) string {
	names := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = api.ValueTypeName(t)
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	return names(f.ParamTypes()) + " -> " + names(f.ResultTypes())
}

// Unprovided lists the imports toolhost does not provide, as module.name.
func (r *Report) Unprovided() []string {
	var out []string
	for _, g := range r.Imports {
		for _, f := range g.Functions {
			if !f.Provided {
				out = append(out, g.Module+"."+f.Name)
			}
		}
	}
	for _, m := range r.Memories {
		if m.Import != "" {
			out = append(out, m.Import+" (memory)")
		}
	}
	return out
}

// WriteText prints the report for people.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("file     %s (%s)\n", r.File, sizeString(int64(r.Size)))
	ew.printf("abi      %s\n", abiDescription(r.ABI))
	switch r.Interrupt {
	case "flag":
		ew.printf("timeout  enforced by an interrupt flag inserted at loop heads and calls\n")
	case "fallback":
		ew.printf("timeout  enforced by wazero's close-on-context-done: the module uses an instruction the interrupt instrumentation does not know, so CPU-bound calls run several times slower\n")
	}
	for _, m := range r.Memories {
		name := m.Export
		if m.Import != "" {
			name = "imported from " + m.Import + " (NOT PROVIDED: toolhost provides only functions)"
		}
		max := "no maximum"
		if m.Max != nil {
			max = fmt.Sprintf("max %d pages (%s)", *m.Max, pagesSize(*m.Max))
		}
		ew.printf("memory   %s: min %d pages (%s), %s\n", name, m.Min, pagesSize(m.Min), max)
	}
	ew.printf("\nexports (%d)\n", len(r.Exports))
	for _, e := range r.Exports {
		if e.Kind == "func" {
			ew.printf("  %-26s %s\n", e.Name, e.Signature)
		} else {
			ew.printf("  %-26s %s\n", e.Name, e.Kind)
		}
	}
	n := 0
	for _, g := range r.Imports {
		n += len(g.Functions)
	}
	ew.printf("\nimports (%d)\n", n)
	for _, g := range r.Imports {
		ew.printf("  %s\n", g.Module)
		for _, f := range g.Functions {
			flag := ""
			if !f.Provided {
				flag = "   <- NOT PROVIDED by toolhost"
			}
			ew.printf("    %-24s %s%s\n", f.Name, f.Signature, flag)
		}
	}
	if r.LoadError != "" {
		ew.printf("\ntoolhost would NOT load this module:\n  %s\n", strings.ReplaceAll(r.LoadError, "\n", "\n  "))
		return ew.err
	}
	ew.printf("\ntools (%d)\n", len(r.Tools))
	for _, t := range r.Tools {
		ew.printf("  %s\n", t.Name)
		if t.Description != "" {
			ew.printf("    %s\n", oneLine(t.Description))
		}
		ew.printf("    input:  %s\n", compact(t.InputSchema))
		if len(t.OutputSchema) > 0 {
			ew.printf("    output: %s\n", compact(t.OutputSchema))
		}
	}
	if len(r.Prompts) > 0 {
		ew.printf("\nprompts (%d)\n", len(r.Prompts))
		for _, p := range r.Prompts {
			ew.printf("  %s\n", p.Name)
			if p.Description != "" {
				ew.printf("    %s\n", oneLine(p.Description))
			}
			for _, a := range p.Arguments {
				req := ""
				if a.Required {
					req = " (required)"
				}
				ew.printf("    arg %s%s: %s\n", a.Name, req, oneLine(a.Description))
			}
		}
	}
	if len(r.Resources) > 0 {
		ew.printf("\nresources (%d)\n", len(r.Resources))
		for _, res := range r.Resources {
			ew.printf("  %s  %s %s\n", res.URI, res.Name, res.MIMEType)
		}
	}
	if len(r.ResourceTemplates) > 0 {
		ew.printf("\nresource templates (%d)\n", len(r.ResourceTemplates))
		for _, t := range r.ResourceTemplates {
			ew.printf("  %s  %s %s\n", t.URITemplate, t.Name, t.MIMEType)
		}
	}
	return ew.err
}

// WriteTools prints the catalog summary `plugin build` shows.
func (r *Report) WriteTools(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("abi %s, %d tools, %d prompts, %d resources, %d resource templates\n",
		abiDescription(r.ABI), len(r.Tools), len(r.Prompts), len(r.Resources), len(r.ResourceTemplates))
	for _, t := range r.Tools {
		ew.printf("  tool %-20s %s\n", t.Name, oneLine(t.Description))
	}
	return ew.err
}

func abiDescription(v string) string {
	switch v {
	case "V1":
		return "V1 (mcp.run servlet: describe/call)"
	case "V2":
		return "V2 (hyper-mcp: list_tools/call_tool)"
	case "command":
		return "command (a WASI command: JSON requests on stdin, answers on stdout)"
	}
	return "none (exports neither describe+call nor list_tools, and is not a WASI command)"
}

func pagesSize(n uint32) string { return sizeString(int64(n) * int64(config.WasmPageSize)) }

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func sizeString(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// loadFile loads a plugin file through host/plugin with the given
// runtime_config (nil: no grants). The caller closes the plugin, then the
// loader.
func loadFile(ctx context.Context, abs string, runtime map[string]any, baseDir, cacheDir string, log *slog.Logger) (*plugin.Plugin, *plugin.Loader, error) {
	cfg, err := fileConfig(abs, runtime, baseDir)
	if err != nil {
		return nil, nil, err
	}
	loader, err := plugin.NewLoader(plugin.Options{Logger: log, CacheDir: cacheDir})
	if err != nil {
		return nil, nil, err
	}
	p, err := loader.Load(ctx, cfg)
	if err != nil {
		loader.Close(context.WithoutCancel(ctx))
		return nil, nil, err
	}
	return p, loader, nil
}

// fileConfig is the configuration of one plugin file, written as a config
// file would be and read by host/config, so flags get the same validation
// and defaults as `toolhost serve`. Relative allowed_paths resolve against
// baseDir.
func fileConfig(abs string, runtime map[string]any, baseDir string) (*config.Plugin, error) {
	name := pluginName(abs)
	entry := map[string]any{"url": literal(abs)}
	if len(runtime) > 0 {
		entry["runtime_config"] = runtime
	}
	doc, err := json.Marshal(map[string]any{"plugins": map[string]any{name: entry}})
	if err != nil {
		return nil, err
	}
	cfg, err := config.Parse(doc, config.JSON, config.Options{BaseDir: baseDir})
	if err != nil {
		return nil, err
	}
	return cfg.Plugin(name), nil
}

// literal escapes "${" so that host/config does not expand it: flag values
// are taken as they are (the shell has expanded them already).
func literal(s string) string { return strings.ReplaceAll(s, "${", "$${") }

// pluginName derives a valid plugin name from a file name, for messages
// ("plugin[greet] ...").
func pluginName(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	name := strings.TrimSuffix(b.String(), "_")
	if !config.ValidPluginName(name) {
		return "plugin"
	}
	return name
}
