package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/toolhost/toolhost/host/abi"
	"github.com/toolhost/toolhost/host/plugin"
)

// The P2 and P6 measurements: a warm call layer by layer, and what the
// interrupting per-call timeout costs a CPU-bound tool (toolhost's
// instrumented interrupt flag; and, secondary, the WithCloseOnContextDone
// fallback for modules it cannot instrument).

// LayerStat is one layer's measurement.
type LayerStat struct {
	Name, Desc string
	Stat       Stat
}

// P2Result is the call-path decomposition.
type P2Result struct {
	Layers       []LayerStat
	Rounds       int
	Raw          Stat    // raw/call_tool (median)
	CallTool     Stat    // toolhost/CallTool (median)
	OverheadNs   float64 // median over rounds of CallTool − raw/call_tool
	Ratio        float64 // median over rounds of CallTool / raw/call_tool
	PayloadBytes int     // arguments + result JSON
	InputBytes   int     // the call_tool input toolhost builds
	KernelCalls  map[string]int
	Profile      *Profile
	// PerRound holds each layer's ns/op in every round, in order.
	PerRound map[string][]float64
}

func runP2(ctx context.Context, o *Options, fx *Fixture) (*P2Result, error) {
	d := pick(o, 400*time.Millisecond, 40*time.Millisecond)
	rounds := pick(o, 7, 1)
	layers := fx.P2Layers()
	per := make([][]Stat, len(layers))
	var overhead, ratio []float64
	for range rounds {
		var raw, tool Stat
		for i, l := range layers {
			s, err := Measure(ctx, l.Op, d)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", l.Name, err)
			}
			per[i] = append(per[i], s)
			switch l.Name {
			case "raw/call_tool":
				raw = s
			case "toolhost/CallTool":
				tool = s
			}
		}
		overhead = append(overhead, tool.NsPerOp-raw.NsPerOp)
		ratio = append(ratio, tool.NsPerOp/raw.NsPerOp)
	}
	res := &P2Result{Rounds: rounds, OverheadNs: median(overhead), Ratio: median(ratio), InputBytes: len(fx.Input), PerRound: map[string][]float64{}}
	for i, l := range layers {
		for _, st := range per[i] {
			res.PerRound[l.Name] = append(res.PerRound[l.Name], st.NsPerOp)
		}
		st := medianStat(per[i])
		res.Layers = append(res.Layers, LayerStat{Name: l.Name, Desc: l.Desc, Stat: st})
		o.logf("  %-28s %10.2f µs/op %10.0f B/op %7.1f allocs/op", l.Name, st.NsPerOp/1e3, st.BytesPerOp, st.AllocsPerOp)
		switch l.Name {
		case "raw/call_tool":
			res.Raw = st
		case "toolhost/CallTool":
			res.CallTool = st
		}
	}
	out, err := abi.NormaliseCallToolResult(fx.GuestOutput)
	if err != nil {
		return nil, err
	}
	res.PayloadBytes = len(EchoArgs) + len(out)
	if res.KernelCalls, err = fx.RawOff.CountKernelCalls(ctx, abi.ExportCallTool, fx.Input); err != nil {
		return nil, err
	}
	if o.ProfileDir != "" {
		l, _ := fx.Layer("toolhost/CallTool")
		o.logf("  profiling toolhost/CallTool...")
		if res.Profile, err = ProfileOp(ctx, l.Op, pick(o, 3*time.Second, 200*time.Millisecond), o.ProfileDir, "p2-calltool", 30); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// Part is a share of a call's time.
type Part struct {
	Name string
	Ns   float64
}

// Attribution splits toolhost/CallTool into the layers' differences,
// computed round by round (the layers of one round ran back to back) and
// reported as medians over rounds. toolhost's calls run on its own engine,
// not go-sdk, so nothing here assumes an extism layer is on its path.
func (p *P2Result) Attribution() []Part {
	return p.diffs([]diff{
		{"the guest's own work (raw/call_tool)", "raw/call_tool", ""},
		{"toolhost's engine and kernel, the interrupt flag (instrumented checks, per-call arming), pool, limits, classification (toolhost/Call − raw/call_tool)", "toolhost/Call", "raw/call_tool"},
		{"toolhost's JSON: input encoding and result normalisation (toolhost/CallTool − toolhost/Call)", "toolhost/CallTool", "toolhost/Call"},
	})
}

// References are layer differences that are not on toolhost's normal call
// path, for comparison: the go-sdk call path toolhost's engine replaced,
// and the fallback interrupt.
func (p *P2Result) References() []Part {
	return p.diffs([]diff{
		{"Extism go-sdk's call path and kernel (extism/call_tool − raw/call_tool)", "extism/call_tool", "raw/call_tool"},
		{"the fallback interrupt, WithCloseOnContextDone, slowing the guest's code (raw/call_tool+interrupt − raw/call_tool)", "raw/call_tool+interrupt", "raw/call_tool"},
		{"go-sdk with WithCloseOnContextDone, toolhost's previous path (extism/call_tool+interrupt − raw/call_tool)", "extism/call_tool+interrupt", "raw/call_tool"},
	})
}

// diff is a layer minus another ("" = nothing).
type diff struct{ name, layer, minus string }

func (p *P2Result) diffs(ds []diff) []Part {
	if p.Rounds == 0 {
		return nil
	}
	for _, d := range ds {
		for _, n := range []string{d.layer, d.minus} {
			if n != "" && len(p.PerRound[n]) != p.Rounds {
				return nil
			}
		}
	}
	var out []Part
	for _, d := range ds {
		var xs []float64
		for r := range p.Rounds {
			v := p.PerRound[d.layer][r]
			if d.minus != "" {
				v -= p.PerRound[d.minus][r]
			}
			xs = append(xs, v)
		}
		out = append(out, Part{d.name, median(xs)})
	}
	return out
}

// WorkloadPair is one P6 workload's off/on measurement.
type WorkloadPair struct {
	Name, Desc string
	Pair       Pair
}

// P6Result is what the interrupting per-call timeout costs CPU-bound
// guest code.
type P6Result struct {
	// Workloads are toolhost's path (plugin.CallTool, interrupt flag
	// armed) vs the same call_tool on raw wazero with no interruption.
	Workloads []WorkloadPair
	// Instrumented is Fixture.Instrumented: false means the plugin ran on
	// the fallback and Workloads do not measure toolhost's normal path.
	Instrumented bool
	// Fallback are raw wazero exports with WithCloseOnContextDone on vs
	// off: what modules toolhost cannot instrument pay.
	Fallback []WorkloadPair
	// Interrupt precision on an endless loop with a Deadline: how long the
	// call ran before it returned. FlagStop is toolhost's instrumented
	// interrupt (plugin.CallTool of the lcg tool), OnStop the fallback's
	// WithCloseOnContextDone (raw bench_lcg), PolledStop the hand-written
	// countdown poll of bench_lcg_polled (no WithCloseOnContextDone).
	Deadline                     time.Duration
	FlagStop, OnStop, PolledStop time.Duration
}

// Pair returns the named workload's pair.
func (p *P6Result) Pair(name string) (Pair, bool) { return findPair(p.Workloads, name) }

// FallbackPair returns the named fallback workload's pair.
func (p *P6Result) FallbackPair(name string) (Pair, bool) { return findPair(p.Fallback, name) }

func findPair(ws []WorkloadPair, name string) (Pair, bool) {
	for _, w := range ws {
		if w.Name == name {
			return w.Pair, true
		}
	}
	return Pair{}, false
}

// GeoMean is the geometric mean of the workloads' on/off ratios.
func (p *P6Result) GeoMean() float64 {
	if len(p.Workloads) == 0 {
		return math.NaN()
	}
	var sum float64
	for _, w := range p.Workloads {
		sum += math.Log(w.Pair.Ratio)
	}
	return math.Exp(sum / float64(len(p.Workloads)))
}

func runP6(ctx context.Context, o *Options, fx *Fixture) (*P6Result, error) {
	d := pick(o, 1500*time.Millisecond, 30*time.Millisecond)
	fd := pick(o, 1000*time.Millisecond, 20*time.Millisecond)
	rounds := pick(o, 3, 1)
	res := &P6Result{Instrumented: fx.Instrumented}
	if !fx.Instrumented {
		o.logf("  WARNING: toolhost could not instrument the guest; its calls run on the WithCloseOnContextDone fallback")
	}
	measure := func(ws []Workload, d time.Duration) ([]WorkloadPair, error) {
		var out []WorkloadPair
		for _, w := range ws {
			p, err := MeasurePair(ctx, w.Off.Op, w.On.Op, d, rounds)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", w.Off.Name, err)
			}
			out = append(out, WorkloadPair{Name: w.Name, Desc: w.Desc, Pair: p})
			o.logf("  %-10s off %10.3f ms  on %10.3f ms  on/off %5.2fx", w.Name, p.Base.NsPerOp/1e6, p.Subject.NsPerOp/1e6, p.Ratio)
		}
		return out, nil
	}
	var err error
	o.logf("  toolhost plugin.CallTool (interrupt flag armed) vs raw call_tool (no interrupt):")
	if res.Workloads, err = measure(fx.P6Workloads(o.Quick), d); err != nil {
		return nil, err
	}
	o.logf("  fallback: raw wazero, WithCloseOnContextDone on vs off:")
	if res.Fallback, err = measure(fx.P6FallbackWorkloads(o.Quick), fd); err != nil {
		return nil, err
	}
	// Interrupt precision: a short deadline on an (almost) endless loop.
	res.Deadline = pick(o, 100*time.Millisecond, 20*time.Millisecond)
	timed := func(f func(context.Context) error) (time.Duration, error) {
		cctx, cancel := context.WithTimeout(ctx, res.Deadline)
		defer cancel()
		start := time.Now()
		err := f(cctx)
		return time.Since(start), err
	}
	// toolhost: the lcg tool at its maximum n (seconds of work) through
	// plugin.CallTool; the stopped instance is discarded by the pool.
	res.FlagStop, err = timed(func(ctx context.Context) error {
		_, err := fx.Plugin.CallTool(ctx, request0(), "lcg", json.RawMessage(`{"n":10000000000}`))
		return err
	})
	if k := plugin.KindOf(err); err == nil || (k != plugin.Canceled && k != plugin.Timeout) {
		return nil, fmt.Errorf("the lcg tool was not interrupted at its deadline (error: %v)", err)
	}
	if res.PolledStop, err = timed(func(ctx context.Context) error {
		_, err := fx.RawOff.Call(ctx, "bench_lcg_polled", 1<<62)
		return err
	}); err != nil {
		return nil, err
	}
	// WithCloseOnContextDone closes the instance: use a throwaway one.
	g, err := NewRawGuest(ctx, fx.Guest.Wasm, fx.cache, true)
	if err != nil {
		return nil, err
	}
	defer g.Close(ctx)
	if res.OnStop, err = timed(func(ctx context.Context) error {
		_, err := g.Call(ctx, "bench_lcg", 1<<62)
		return err
	}); err == nil {
		return nil, errors.New("bench_lcg was not interrupted by WithCloseOnContextDone")
	}
	o.logf("  %s deadline on an endless loop: toolhost's interrupt flag stops after %s, WithCloseOnContextDone after %s, the hand-written poll after %s",
		res.Deadline, fmtDur(res.FlagStop), fmtDur(res.OnStop), fmtDur(res.PolledStop))
	return res, nil
}

// request0 is the plugin.Request the in-process benchmarks send.
func request0() plugin.Request { return plugin.Request{ID: int64(1)} }
