package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/toolhost/toolhost/host/abi"
)

// The P4 and P1 measurements: concurrency scaling of one plugin, and
// tools/call throughput over streamable HTTP.

// P4Result is concurrency scaling of one plugin.
type P4Result struct {
	Echo, SHA       *Scaling // toolhost plugin.CallTool, pooled
	RawEcho, RawSHA *Scaling // raw wazero, two instances (the machine's scaling now)
	SHAKiB          int
}

func runP4(ctx context.Context, o *Options, fx *Fixture) (*P4Result, error) {
	d := pick(o, 2*time.Second, 150*time.Millisecond)
	rounds := pick(o, 3, 1)
	kib := pick(o, 64, 16)
	res := &P4Result{SHAKiB: kib}
	req := request0()
	echo := func(ctx context.Context) error {
		out, err := fx.Plugin.CallTool(ctx, req, "echo", EchoArgs)
		if err == nil {
			err = fx.checkEcho(out)
		}
		return err
	}
	shaArgs := []byte(fmt.Sprintf(`{"kib":%d}`, kib))
	sha := func(ctx context.Context) error {
		_, err := fx.Plugin.CallTool(ctx, req, "sha256", shaArgs)
		return err
	}
	var raws [2]*RawGuest
	for i := range raws {
		g, err := NewRawGuest(ctx, fx.Guest.Wasm, fx.cache, false)
		if err != nil {
			return nil, err
		}
		defer g.Close(ctx)
		raws[i] = g
	}
	rawEcho := func(g *RawGuest) Op {
		return func(ctx context.Context) error {
			_, out, err := g.CallExtism(ctx, abi.ExportCallTool, fx.Input)
			if err == nil {
				err = fx.checkEcho(out)
			}
			return err
		}
	}
	rawSHA := func(g *RawGuest) Op {
		return func(ctx context.Context) error {
			_, err := g.Call(ctx, "bench_sha256", uint64(kib), 1)
			return err
		}
	}
	var err error
	if res.RawEcho, err = MeasureScaling(ctx, "raw/echo", "raw wazero + Go kernel, call_tool echo on two instances", [2]Op{rawEcho(raws[0]), rawEcho(raws[1])}, d, rounds); err != nil {
		return nil, err
	}
	if res.Echo, err = MeasureScaling(ctx, "toolhost/echo", "plugin.CallTool(echo), pooled", [2]Op{echo, echo}, d, rounds); err != nil {
		return nil, err
	}
	if !o.Quick {
		if res.RawSHA, err = MeasureScaling(ctx, "raw/sha256", fmt.Sprintf("raw wazero, bench_sha256(%d KiB) on two instances", kib), [2]Op{rawSHA(raws[0]), rawSHA(raws[1])}, d, rounds); err != nil {
			return nil, err
		}
		if res.SHA, err = MeasureScaling(ctx, "toolhost/sha256", fmt.Sprintf("plugin.CallTool(sha256 %d KiB), pooled", kib), [2]Op{sha, sha}, d, rounds); err != nil {
			return nil, err
		}
	}
	for _, s := range []*Scaling{res.RawEcho, res.Echo, res.RawSHA, res.SHA} {
		if s != nil {
			o.logf("  %-16s c1 %8.0f/s  c2 %8.0f/s  c2/c1 %.2fx  CPU/op c1 %s c2 %s", s.Name, s.C1, s.C2, s.Ratio, fmtDur(s.CPU1), fmtDur(s.CPU2))
		}
	}
	return res, nil
}

// P1Result is the HTTP throughput comparison.
type P1Result struct {
	Concurrency        int
	Rounds             int
	Duration           time.Duration
	Native, NativeOpts *LoadResult // merged over rounds
	Toolhost           *LoadResult
	Ratio              float64 // median over rounds of toolhost/native calls/s
	RatioOpts          float64 // median over rounds of native-with-toolhost-options/native
	ServerProfile      *Profile
	ToolhostPooled     *LoadResult // the same with instances: pooled
	RatioPooled        float64
	// CPURatio is the median over rounds of native CPU/call divided by
	// toolhost CPU/call: the throughput ratio a CPU-bound, uncontended
	// machine would show, and less sensitive to other work on the host.
	CPURatio float64
}

func runP1(ctx context.Context, o *Options, g *Guest) (*P1Result, error) {
	conc := 8
	warm := pick(o, time.Second, 150*time.Millisecond)
	d := pick(o, 4*time.Second, 400*time.Millisecond)
	rounds := pick(o, 3, 1)
	cacheDir, err := CacheDir("wazero")
	if err != nil {
		return nil, err
	}
	native, err := StartNative(false)
	if err != nil {
		return nil, err
	}
	defer native.Close()
	th, err := StartToolhost(ctx, ToolhostOptions{WasmPath: g.Path, CacheDir: cacheDir})
	if err != nil {
		return nil, err
	}
	defer th.Close()
	servers := []*Server{native, th}
	var nativeOpts, pooled *Server
	if !o.Quick {
		if nativeOpts, err = StartNative(true); err != nil {
			return nil, err
		}
		defer nativeOpts.Close()
		if pooled, err = StartToolhost(ctx, ToolhostOptions{WasmPath: g.Path, CacheDir: cacheDir, Instances: "pooled"}); err != nil {
			return nil, err
		}
		pooled.Name = "toolhost (instances: pooled)"
		defer pooled.Close()
		servers = append(servers, nativeOpts, pooled)
	}
	runs := map[*Server][]*LoadResult{}
	var ratio, ratioOpts, ratioPooled, cpuRatio []float64
	for range rounds {
		for _, s := range servers {
			lr, err := Load(ctx, s, conc, warm, d)
			if err != nil {
				return nil, err
			}
			runs[s] = append(runs[s], lr)
			o.logf("  %s", lr)
		}
		last := func(s *Server) float64 { return runs[s][len(runs[s])-1].RPS }
		ratio = append(ratio, last(th)/last(native))
		lastR := func(s *Server) *LoadResult { return runs[s][len(runs[s])-1] }
		cpuRatio = append(cpuRatio, float64(lastR(native).CPUPerCall())/float64(lastR(th).CPUPerCall()))
		if nativeOpts != nil {
			ratioOpts = append(ratioOpts, last(nativeOpts)/last(native))
			ratioPooled = append(ratioPooled, last(pooled)/last(native))
		}
	}
	res := &P1Result{Concurrency: conc, Rounds: rounds, Duration: d,
		Native: mergeLoads(runs[native]), Toolhost: mergeLoads(runs[th]), Ratio: median(ratio), CPURatio: median(cpuRatio)}
	if nativeOpts != nil {
		res.NativeOpts, res.RatioOpts = mergeLoads(runs[nativeOpts]), median(ratioOpts)
		res.ToolhostPooled, res.RatioPooled = mergeLoads(runs[pooled]), median(ratioPooled)
	}
	if o.ProfileDir != "" {
		o.logf("  profiling the toolhost server under load...")
		if res.ServerProfile, err = profileLoad(ctx, o, th, conc, pick(o, 4*time.Second, 300*time.Millisecond)); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// profileLoad takes a CPU profile of this process (server and load
// client) while s is under load, after a warm-up (new sessions create
// their instances during it).
func profileLoad(ctx context.Context, o *Options, s *Server, conc int, d time.Duration) (*Profile, error) {
	pr := &Profile{CPUFile: o.ProfileDir + "/p1-server.cpu.pprof"}
	f, err := os.Create(pr.CPUFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var perr error
	lr, err := load(ctx, s, conc, time.Second, d, func() { perr = pprof.StartCPUProfile(f) }, pprof.StopCPUProfile)
	if err = errors.Join(err, perr); err != nil {
		return nil, err
	}
	pr.Ops = lr.Calls
	if pr.CPUCum, err = pprofTop(40, "-cum", pr.CPUFile); err != nil {
		return nil, err
	}
	return pr, nil
}
