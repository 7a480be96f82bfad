package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/toolhost/toolhost/host/abi"
	"github.com/toolhost/toolhost/host/plugin"
)

// The P2 and P6 measurements: a warm call layer by layer, and the cost of
// WithCloseOnContextDone.

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
// reported as medians over rounds.
func (p *P2Result) Attribution() []Part {
	names := []string{"raw/call_tool", "raw/call_tool+interrupt", "extism/call_tool", "extism/call_tool+interrupt", "toolhost/CallTool"}
	for _, n := range names {
		if len(p.PerRound[n]) != p.Rounds || p.Rounds == 0 {
			return nil
		}
	}
	parts := []struct {
		name string
		f    func(raw, rawI, ext, extI, tool float64) float64
	}{
		{"the guest's own work (raw/call_tool)", func(raw, _, _, _, _ float64) float64 { return raw }},
		{"WithCloseOnContextDone slowing the guest's code (raw+interrupt − raw)", func(raw, rawI, _, _, _ float64) float64 { return rawI - raw }},
		{"Extism go-sdk's call path and kernel (extism − raw)", func(raw, _, ext, _, _ float64) float64 { return ext - raw }},
		{"the interrupt's per-call goroutines on Extism's ~20 top-level calls (extism+interrupt − extism − (raw+interrupt − raw))",
			func(raw, rawI, ext, extI, _ float64) float64 { return extI - ext - (rawI - raw) }},
		{"toolhost's own layer: pool, limits, context, JSON (CallTool − extism+interrupt)", func(_, _, _, extI, tool float64) float64 { return tool - extI }},
	}
	var out []Part
	for _, part := range parts {
		var xs []float64
		for r := range p.Rounds {
			v := func(n string) float64 { return p.PerRound[n][r] }
			xs = append(xs, part.f(v(names[0]), v(names[1]), v(names[2]), v(names[3]), v(names[4])))
		}
		out = append(out, Part{part.name, median(xs)})
	}
	return out
}

// WorkloadPair is one P6 workload's off/on measurement.
type WorkloadPair struct {
	Name, Desc string
	Pair       Pair
}

// P6Result is the cost of WithCloseOnContextDone.
type P6Result struct {
	Workloads []WorkloadPair
	// PolledStop is how long bench_lcg_polled (no WithCloseOnContextDone)
	// ran past its start under a PolledDeadline deadline: the interrupt
	// precision of the amortised check.
	PolledStop, PolledDeadline time.Duration
	// OnStop is the same for bench_lcg with WithCloseOnContextDone.
	OnStop time.Duration
}

// Pair returns the named workload's pair.
func (p *P6Result) Pair(name string) (Pair, bool) {
	for _, w := range p.Workloads {
		if w.Name == name {
			return w.Pair, true
		}
	}
	return Pair{}, false
}

func runP6(ctx context.Context, o *Options, fx *Fixture) (*P6Result, error) {
	d := pick(o, 1500*time.Millisecond, 30*time.Millisecond)
	rounds := pick(o, 3, 1)
	res := &P6Result{}
	for _, w := range fx.P6Workloads(o.Quick) {
		p, err := MeasurePair(ctx, w.Off.Op, w.On.Op, d, rounds)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", w.Name, err)
		}
		res.Workloads = append(res.Workloads, WorkloadPair{Name: w.Name, Desc: w.Desc, Pair: p})
		o.logf("  %-10s off %10.3f ms  on %10.3f ms  on/off %5.2fx", w.Name, p.Base.NsPerOp/1e6, p.Subject.NsPerOp/1e6, p.Ratio)
	}
	// Interrupt precision: a 100 ms deadline on an endless loop, with the
	// amortised poll (interrupt off) and with WithCloseOnContextDone (on a
	// throwaway instance, since the interrupt closes it).
	res.PolledDeadline = pick(o, 100*time.Millisecond, 20*time.Millisecond)
	stop := func(g *RawGuest, export string) (time.Duration, error) {
		cctx, cancel := context.WithTimeout(ctx, res.PolledDeadline)
		defer cancel()
		start := time.Now()
		_, err := g.Call(cctx, export, 1<<62)
		took := time.Since(start)
		if export == "bench_lcg" && err == nil {
			return took, errors.New("bench_lcg was not interrupted")
		}
		return took, nil
	}
	var err error
	if res.PolledStop, err = stop(fx.RawOff, "bench_lcg_polled"); err != nil {
		return nil, err
	}
	g, err := NewRawGuest(ctx, fx.Guest.Wasm, fx.cache, true)
	if err != nil {
		return nil, err
	}
	defer g.Close(ctx)
	if res.OnStop, err = stop(g, "bench_lcg"); err != nil {
		return nil, err
	}
	o.logf("  %s deadline on an endless loop: polled stops after %s, WithCloseOnContextDone after %s", res.PolledDeadline, fmtDur(res.PolledStop), fmtDur(res.OnStop))
	return res, nil
}

// request0 is the plugin.Request the in-process benchmarks send.
func request0() plugin.Request { return plugin.Request{ID: int64(1)} }
