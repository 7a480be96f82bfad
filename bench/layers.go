package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"

	"github.com/toolhost/toolhost/host/abi"
	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/host/plugin"
)

// EchoArgs are the arguments of the trivial tool call every layer makes.
var EchoArgs = json.RawMessage(`{"message":"hello, benchmark"}`)

// callTimeout is the per-call deadline: the fixture plugin's
// runtime_config.timeout (toolhost's default, 60s), which arms toolhost's
// interrupt on every call, and the deadline the raw and Extism
// "+interrupt" layers put in each call's context.
const callTimeout = 60 * time.Second

// Fixture holds the benchmark guest loaded at every layer of the call path,
// warm: raw wazero (uninstrumented module, with and without
// WithCloseOnContextDone), Extism's go-sdk directly (with and without it;
// the reference toolhost's own engine replaced), and a toolhost
// plugin.Plugin in pooled mode (toolhost's engine on the module
// instrumented with its interrupt flag). Each layer runs the same guest
// exports.
type Fixture struct {
	Guest *Guest
	Input []byte // the call_tool input toolhost sends for EchoArgs

	RawOff, RawOn *RawGuest
	ExtOff, ExtOn *extism.Plugin
	Loader        *plugin.Loader
	Plugin        *plugin.Plugin

	// GuestOutput is the guest's raw call_tool output for EchoArgs.
	GuestOutput []byte
	// Instrumented is false if the loader could not instrument the guest
	// with its interrupt flag (plugin.Plugin.Interruptible), so that Plugin
	// runs on the WithCloseOnContextDone fallback and P6 would not measure
	// toolhost's normal path.
	Instrumented bool

	cache       wazero.CompilationCache
	extCompiled []*extism.CompiledPlugin
	wantText    []byte
}

// NewFixture builds the guest, compiles it for every layer (through a disk
// cache under CacheDir("wazero"), so only the first run pays) and checks
// that every layer answers the echo call.
func NewFixture(ctx context.Context, root string) (f *Fixture, err error) {
	g, err := BuildGuest(ctx, root)
	if err != nil {
		return nil, err
	}
	dir, err := CacheDir("wazero")
	if err != nil {
		return nil, err
	}
	cache, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return nil, err
	}
	f = &Fixture{Guest: g, cache: cache,
		Input:    abi.CallToolInput(abi.Context{ID: int64(1)}, "echo", EchoArgs),
		wantText: []byte(`"hello, benchmark"`)}
	defer func() {
		if err != nil {
			f.Close(context.WithoutCancel(ctx))
			f = nil
		}
	}()
	if f.RawOff, err = NewRawGuest(ctx, g.Wasm, cache, false); err != nil {
		return f, err
	}
	if f.RawOn, err = NewRawGuest(ctx, g.Wasm, cache, true); err != nil {
		return f, err
	}
	_, out, err := f.RawOff.CallExtism(ctx, abi.ExportCallTool, f.Input)
	if err != nil {
		return f, err
	}
	f.GuestOutput = bytes.Clone(out)
	if f.ExtOff, err = f.extism(ctx, false); err != nil {
		return f, err
	}
	if f.ExtOn, err = f.extism(ctx, true); err != nil {
		return f, err
	}
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
plugins:
  bench:
    url: file://%s
    runtime_config:
      instances: pooled
      timeout: %s
`, g.Path, callTimeout)), config.YAML, config.Options{LookupEnv: os.LookupEnv, BaseDir: root})
	if err != nil {
		return f, err
	}
	if f.Loader, err = plugin.NewLoader(plugin.Options{CacheDir: dir}); err != nil {
		return f, err
	}
	if f.Plugin, err = f.Loader.Load(ctx, cfg.Plugins[0]); err != nil {
		return f, err
	}
	// Every layer must give the same answer; this also warms each one
	// (the first Extism call runs the guest's _initialize).
	for _, l := range f.P2Layers() {
		if err := l.Op(ctx); err != nil {
			return f, fmt.Errorf("layer %s: %w", l.Name, err)
		}
	}
	// The plugin is compiled by now (at Load, or lazily by the calls
	// above when the cache remembered its catalog).
	f.Instrumented, _ = f.Plugin.Interruptible()
	return f, nil
}

func (f *Fixture) extism(ctx context.Context, interrupt bool) (*extism.Plugin, error) {
	cp, err := extism.NewCompiledPlugin(ctx, extism.Manifest{
		Wasm: []extism.Wasm{extism.WasmData{Data: f.Guest.Wasm, Name: "main"}},
	}, extism.PluginConfig{
		EnableWasi:    true,
		RuntimeConfig: wazero.NewRuntimeConfig().WithCompilationCache(f.cache).WithCloseOnContextDone(interrupt),
	}, nil)
	if err != nil {
		return nil, err
	}
	f.extCompiled = append(f.extCompiled, cp)
	return cp.Instance(ctx, extism.PluginInstanceConfig{ModuleConfig: wazero.NewModuleConfig().
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().WithRandSource(rand.Reader)})
}

// Close releases every layer.
func (f *Fixture) Close(ctx context.Context) error {
	var errs []error
	for _, g := range []*RawGuest{f.RawOff, f.RawOn} {
		if g != nil {
			errs = append(errs, g.Close(ctx))
		}
	}
	for _, p := range []*extism.Plugin{f.ExtOff, f.ExtOn} {
		if p != nil {
			errs = append(errs, p.Close(ctx))
		}
	}
	for _, cp := range f.extCompiled {
		errs = append(errs, cp.Close(ctx))
	}
	if f.Plugin != nil {
		errs = append(errs, f.Plugin.Close(ctx))
	}
	if f.Loader != nil {
		errs = append(errs, f.Loader.Close(ctx))
	}
	if f.cache != nil {
		errs = append(errs, f.cache.Close(ctx))
	}
	return errors.Join(errs...)
}

// Layer is one level of the call path, measured as an Op.
type Layer struct {
	Name string
	Desc string
	Op   Op
}

func (f *Fixture) checkEcho(out []byte) error {
	if !bytes.Contains(out, f.wantText) {
		return fmt.Errorf("unexpected output %.200q", out)
	}
	return nil
}

func withDeadline(ctx context.Context, op func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return op(ctx)
}

// P2Layers are the layers of a warm call of the trivial tool, from the raw
// floor to toolhost's public entry point. The raw and extism layers run
// the uninstrumented module; "+interrupt" gives them wazero's
// WithCloseOnContextDone, which is toolhost's fallback for modules it
// cannot instrument (and what it ran through go-sdk before its own
// engine). The extism layers are the go-sdk reference: toolhost's calls no
// longer go through go-sdk.
func (f *Fixture) P2Layers() []Layer {
	rawNoop := func(g *RawGuest) func(context.Context) error {
		return func(ctx context.Context) error {
			rc, err := g.Call(ctx, "noop")
			if err == nil && rc != 0 {
				err = fmt.Errorf("noop returned %d", rc)
			}
			return err
		}
	}
	rawTool := func(g *RawGuest) func(context.Context) error {
		return func(ctx context.Context) error {
			rc, out, err := g.CallExtism(ctx, "call_tool", f.Input)
			if err == nil && rc != 0 {
				err = fmt.Errorf("call_tool returned %d", rc)
			}
			if err != nil {
				return err
			}
			return f.checkEcho(out)
		}
	}
	extCall := func(p *extism.Plugin, export string, input []byte) func(context.Context) error {
		return func(ctx context.Context) error {
			rc, out, err := p.CallWithContext(ctx, export, input)
			if err == nil && rc != 0 {
				err = fmt.Errorf("%s returned %d", export, rc)
			}
			if err != nil || export == "noop" {
				return err
			}
			return f.checkEcho(out)
		}
	}
	deadline := func(op func(context.Context) error) Op {
		return func(ctx context.Context) error { return withDeadline(ctx, op) }
	}
	req := plugin.Request{ID: int64(1)}
	return []Layer{
		{"raw/noop", "raw wazero, export looked up once, no interrupt: the floor of a guest call", Op(rawNoop(f.RawOff))},
		{"raw/noop+interrupt", "the same with WithCloseOnContextDone and a per-call deadline (the fallback interrupt, for modules toolhost cannot instrument)", deadline(rawNoop(f.RawOn))},
		{"raw/call_tool", "raw wazero + a Go kernel: the echo call_tool with its real input and output (guest work included)", Op(rawTool(f.RawOff))},
		{"raw/call_tool+interrupt", "the same with WithCloseOnContextDone and a per-call deadline (the fallback interrupt)", deadline(rawTool(f.RawOn))},
		{"extism/noop", "Extism go-sdk Plugin.CallWithContext(noop), no interrupt (go-sdk reference, not toolhost's path)", Op(extCall(f.ExtOff, "noop", nil))},
		{"extism/noop+interrupt", "the same with WithCloseOnContextDone and a per-call deadline", deadline(extCall(f.ExtOn, "noop", nil))},
		{"extism/call_tool", "Extism go-sdk CallWithContext(call_tool, input), no interrupt (go-sdk reference)", Op(extCall(f.ExtOff, "call_tool", f.Input))},
		{"extism/call_tool+interrupt", "the same with WithCloseOnContextDone and a per-call deadline (what toolhost ran before its own engine)", deadline(extCall(f.ExtOn, "call_tool", f.Input))},
		{"toolhost/abi-json", "toolhost's own JSON work alone: abi.CallToolInput + abi.NormaliseCallToolResult (no guest)", func(context.Context) error {
			in := abi.CallToolInput(abi.Context{ID: int64(1)}, "echo", EchoArgs)
			out, err := abi.NormaliseCallToolResult(f.GuestOutput)
			if err != nil {
				return err
			}
			if len(in) == 0 {
				return errors.New("empty input")
			}
			return f.checkEcho(out)
		}},
		{"toolhost/Call", "toolhost plugin.Call(call_tool, prebuilt input): its own engine and Go kernel on the instrumented module, interrupt flag armed by runtime_config.timeout (60 s), pool, limits, classification", func(ctx context.Context) error {
			out, err := f.Plugin.Call(ctx, req, abi.ExportCallTool, "echo", f.Input)
			if err != nil {
				return err
			}
			return f.checkEcho(out)
		}},
		{"toolhost/CallTool", "toolhost plugin.CallTool(echo, args): + input encoding and result normalisation (the P2 subject)", func(ctx context.Context) error {
			out, err := f.Plugin.CallTool(ctx, req, "echo", EchoArgs)
			if err != nil {
				return err
			}
			return f.checkEcho(out)
		}},
	}
}

// Layer returns the named layer of P2Layers, P6Workloads or
// P6FallbackWorkloads.
func (f *Fixture) Layer(name string) (Layer, bool) {
	for _, l := range f.P2Layers() {
		if l.Name == name {
			return l, true
		}
	}
	for _, w := range append(f.P6Workloads(false), f.P6FallbackWorkloads(false)...) {
		for _, l := range []Layer{w.Off, w.On} {
			if l.Name == name {
				return l, true
			}
		}
	}
	return Layer{}, false
}

// Workload is a P6 guest function measured with the interrupt off and on.
type Workload struct {
	Name, Desc string
	Off, On    Layer
}

// P6Workloads are the CPU-bound tools of P6, each called with the same
// arguments two ways:
//
//   - On: toolhost's real path, plugin.Plugin.CallTool on the fixture's
//     pooled plugin: toolhost's engine on the module instrumented with the
//     interrupt flag, armed on every call by runtime_config.timeout (60 s);
//   - Off: the same guest's call_tool export with the same input on raw
//     wazero (RawOff): the uninstrumented module, no deadline, no
//     interruption of any kind.
//
// So On/Off is what toolhost's interruptible call costs a CPU-bound tool,
// its per-call overhead included (microseconds against milliseconds).
// The sizes make a call take about 5–20 ms; quick shrinks them 100×.
func (f *Fixture) P6Workloads(quick bool) []Workload {
	scale := 1
	if quick {
		scale = 100
	}
	req := plugin.Request{ID: int64(1)}
	mk := func(tool, desc, args string) Workload {
		a := json.RawMessage(args)
		input := abi.CallToolInput(abi.Context{ID: int64(1)}, tool, a)
		off := func(ctx context.Context) error {
			rc, out, err := f.RawOff.CallExtism(ctx, abi.ExportCallTool, input)
			if err == nil && rc != 0 {
				err = fmt.Errorf("call_tool(%s) returned %d", tool, rc)
			}
			if err != nil {
				return err
			}
			return checkToolOK(tool, out)
		}
		on := func(ctx context.Context) error {
			out, err := f.Plugin.CallTool(ctx, req, tool, a)
			if err != nil {
				return err
			}
			return checkToolOK(tool, out)
		}
		return Workload{Name: tool, Desc: desc,
			Off: Layer{"p6/" + tool + "/off", desc + ": raw wazero call_tool, uninstrumented module, no interrupt", off},
			On:  Layer{"p6/" + tool + "/on", desc + ": toolhost plugin.CallTool, interrupt flag armed (timeout 60 s)", on},
		}
	}
	shaKiB := max(512/scale, 1)
	sortN := 60_000 / scale
	lcgN := 8_000_000 / scale
	return []Workload{
		mk("sha256", fmt.Sprintf("crypto/sha256 of %d KiB", shaKiB), fmt.Sprintf(`{"kib":%d}`, shaKiB)),
		mk("sort", fmt.Sprintf("fill and slices.Sort %d int64", sortN), fmt.Sprintf(`{"n":%d}`, sortN)),
		mk("lcg", fmt.Sprintf("%d steps of a 64-bit LCG (tight loop)", lcgN), fmt.Sprintf(`{"n":%d}`, lcgN)),
	}
}

// checkToolOK fails on a tool result that reports an error.
func checkToolOK(tool string, out []byte) error {
	if len(out) == 0 || bytes.Contains(out, []byte(`"isError":true`)) {
		return fmt.Errorf("tool %s failed: %.300s", tool, out)
	}
	return nil
}

// P6FallbackWorkloads are the CPU-bound guest exports called on raw wazero
// with and without WithCloseOnContextDone (both with a per-call deadline
// in the context): what the fallback interrupt costs, for modules toolhost
// cannot instrument. quick shrinks the work.
func (f *Fixture) P6FallbackWorkloads(quick bool) []Workload {
	scale := uint64(1)
	if quick {
		scale = 10
	}
	lcgN := 4_000_000 / scale
	shaKiB := 256 / scale
	sortN := 100_000 / scale
	mk := func(name, desc, export string, params ...uint64) Workload {
		op := func(g *RawGuest) Op {
			return func(ctx context.Context) error {
				return withDeadline(ctx, func(ctx context.Context) error {
					_, err := g.Call(ctx, export, params...)
					return err
				})
			}
		}
		return Workload{Name: name, Desc: desc,
			Off: Layer{"p6-fallback/" + name + "/off", desc + ", WithCloseOnContextDone(false)", op(f.RawOff)},
			On:  Layer{"p6-fallback/" + name + "/on", desc + ", WithCloseOnContextDone(true)", op(f.RawOn)},
		}
	}
	return []Workload{
		mk("sha256", fmt.Sprintf("crypto/sha256 of %d KiB", shaKiB), "bench_sha256", shaKiB, 1),
		mk("sort", fmt.Sprintf("fill and slices.Sort %d int64", sortN), "bench_sort", sortN),
		mk("lcg", fmt.Sprintf("%d steps of a 64-bit LCG (tight loop)", lcgN), "bench_lcg", lcgN),
		mk("lcg_polled", "the same loop with a hand-written countdown poll (a host call every 65536 steps)", "bench_lcg_polled", lcgN),
		mk("noop", "an empty export (per-call fixed cost)", "noop"),
	}
}
