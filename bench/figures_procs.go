package bench

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"
)

// The P3 and P5 measurements: start-up time and idle memory of the
// toolhost process.

// StartRow is one start-up configuration measured several times.
type StartRow struct {
	Name      string
	Runs      []time.Duration
	Median    time.Duration
	CPUMedian time.Duration // CPU the process used until ready
	Tools     int
	Plugins   int
}

func newStartRow(name string, plugins int, runs []*Started) *StartRow {
	r := &StartRow{Name: name, Plugins: plugins}
	var xs, cpus []float64
	for _, s := range runs {
		r.Runs = append(r.Runs, s.Ready)
		xs = append(xs, float64(s.Ready))
		cpus = append(cpus, float64(s.CPU))
		r.Tools = s.Tools
	}
	r.Median = time.Duration(median(xs))
	r.CPUMedian = time.Duration(median(cpus))
	return r
}

// P3Result is start-up time.
type P3Result struct {
	Plugins            int
	Native             *StartRow
	Warm, WarmDistinct *StartRow
	Cold, ColdDistinct *StartRow
	InProcess          time.Duration // host.New alone, in process, warm cache
	InProcessProfile   *Profile
	WasmBytes          int
}

func runP3(ctx context.Context, o *Options, b *Binaries, g *Guest) (*P3Result, error) {
	n := pick(o, 10, 3)
	runs := pick(o, 5, 1)
	coldRuns := pick(o, 3, 0)
	res := &P3Result{Plugins: n, WasmBytes: len(g.Wasm)}
	tmp, err := os.MkdirTemp("", "toolhost-bench-p3")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	same := slices.Repeat([]string{g.Path}, n)
	distinct, err := g.DistinctCopies(n)
	if err != nil {
		return nil, err
	}
	warmCache, err := CacheDir("start-cache")
	if err != nil {
		return nil, err
	}
	cfgSame, err := WriteConfig(tmp, "same", same, false)
	if err != nil {
		return nil, err
	}
	cfgDistinct, err := WriteConfig(tmp, "distinct", distinct, false)
	if err != nil {
		return nil, err
	}
	one, err := WriteConfig(tmp, "one", same[:1], false)
	if err != nil {
		return nil, err
	}

	measure := func(name string, count int, argv func() ([]string, func())) (*StartRow, error) {
		var ss []*Started
		for range count {
			a, done := argv()
			s, err := StartAndList(ctx, 0, a...)
			if done != nil {
				done()
			}
			if err != nil {
				return nil, err
			}
			ss = append(ss, s)
		}
		row := newStartRow(name, n, ss)
		o.logf("  %-44s median %8s (CPU %s)  runs %v", name, fmtDur(row.Median), fmtDur(row.CPUMedian), row.Runs)
		return row, nil
	}
	fresh := func(cfg string) func() ([]string, func()) {
		return func() ([]string, func()) {
			dir, err := os.MkdirTemp(tmp, "cold")
			if err != nil {
				panic(err)
			}
			return b.ToolhostArgv(cfg, dir), func() { os.RemoveAll(dir) }
		}
	}
	// Fill the warm cache (one plugin first, so the module compiles once
	// rather than n times in parallel) and the page cache, untimed.
	o.logf("  filling the compilation cache (untimed)...")
	fills := []string{one}
	if !o.Quick {
		fills = append(fills, cfgSame, cfgDistinct)
	}
	for _, cfg := range fills {
		if _, err := StartAndList(ctx, 0, b.ToolhostArgv(cfg, warmCache)...); err != nil {
			return nil, err
		}
	}
	if _, err := StartAndList(ctx, 0, b.Native); err != nil {
		return nil, err
	}
	// Interleave the configurations run by run so drifts hit all of them.
	type cfgRun struct {
		name string
		argv []string
		ss   []*Started
	}
	cfgs := []*cfgRun{{name: "native mcp-go (bench/cmd/nativemcp)", argv: []string{b.Native}},
		{name: fmt.Sprintf("toolhost, %d × the same module, warm cache", n), argv: b.ToolhostArgv(cfgSame, warmCache)}}
	if !o.Quick {
		cfgs = append(cfgs, &cfgRun{name: fmt.Sprintf("toolhost, %d distinct modules, warm cache", n), argv: b.ToolhostArgv(cfgDistinct, warmCache)})
	}
	for range runs {
		for _, c := range cfgs {
			s, err := StartAndList(ctx, 0, c.argv...)
			if err != nil {
				return nil, err
			}
			c.ss = append(c.ss, s)
		}
	}
	rows := make([]*StartRow, len(cfgs))
	for i, c := range cfgs {
		rows[i] = newStartRow(c.name, n, c.ss)
		o.logf("  %-44s median %8s (CPU %s)  runs %v", c.name, fmtDur(rows[i].Median), fmtDur(rows[i].CPUMedian), rows[i].Runs)
	}
	res.Native, res.Warm = rows[0], rows[1]
	res.Native.Plugins = 0
	if len(rows) > 2 {
		res.WarmDistinct = rows[2]
	}
	if coldRuns > 0 {
		if res.Cold, err = measure(fmt.Sprintf("toolhost, %d × the same module, cold cache", n), coldRuns, fresh(cfgSame)); err != nil {
			return nil, err
		}
		if res.ColdDistinct, err = measure(fmt.Sprintf("toolhost, %d distinct modules, cold cache", n), coldRuns, fresh(cfgDistinct)); err != nil {
			return nil, err
		}
	}
	if o.ProfileDir != "" {
		o.logf("  profiling host.New in process (%d distinct modules, warm cache)...", n)
		cfg := cfgDistinct
		if o.Quick {
			cfg = cfgSame
		}
		if res.InProcess, res.InProcessProfile, err = profileStart(ctx, o, cfg); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// P5Result is resident memory with many plugins idle.
type P5Result struct {
	Native              *MemRow
	One, Many, Distinct *MemRow
	Settle              time.Duration
	HeapProfile         *Profile
}

// MemRow is one process's memory after start-up and a settle time.
type MemRow struct {
	Name    string
	Plugins int
	Mem     ProcMem
	Ready   time.Duration
	CPU     time.Duration // CPU used until ready
}

// PerPlugin is the RSS each plugin beyond the first adds, in MiB.
func (p *P5Result) PerPlugin(r *MemRow) float64 {
	return mib(r.Mem.RSS-p.One.Mem.RSS) / float64(r.Plugins-1)
}

func runP5(ctx context.Context, o *Options, b *Binaries, g *Guest) (*P5Result, error) {
	n := pick(o, 100, 3)
	settle := pick(o, 3*time.Second, 300*time.Millisecond)
	res := &P5Result{Settle: settle}
	tmp, err := os.MkdirTemp("", "toolhost-bench-p5")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	cache, err := CacheDir("start-cache")
	if err != nil {
		return nil, err
	}
	row := func(name string, plugins int, argv []string) (*MemRow, error) {
		s, err := StartAndList(ctx, settle, argv...)
		if err != nil {
			return nil, err
		}
		r := &MemRow{Name: name, Plugins: plugins, Mem: s.Mem, Ready: s.Ready, CPU: s.CPU}
		o.logf("  %-40s RSS %6.1f MiB (anon %6.1f, file %5.1f, peak %6.1f), ready in %s", name, mib(r.Mem.RSS), mib(r.Mem.RSSAnon), mib(r.Mem.RSSFile), mib(r.Mem.HWM), fmtDur(r.Ready))
		return r, nil
	}
	cfg := func(name string, wasm []string) (string, error) { return WriteConfig(tmp, name, wasm, false) }
	oneCfg, err := cfg("one", []string{g.Path})
	if err != nil {
		return nil, err
	}
	manyCfg, err := cfg("many", slices.Repeat([]string{g.Path}, n))
	if err != nil {
		return nil, err
	}
	if res.Native, err = row("native mcp-go (bench/cmd/nativemcp)", 0, []string{b.Native}); err != nil {
		return nil, err
	}
	if res.One, err = row("toolhost, 1 plugin", 1, b.ToolhostArgv(oneCfg, cache)); err != nil {
		return nil, err
	}
	if res.Many, err = row(fmt.Sprintf("toolhost, %d × the same module", n), n, b.ToolhostArgv(manyCfg, cache)); err != nil {
		return nil, err
	}
	if !o.Quick {
		copies, err := g.DistinctCopies(n)
		if err != nil {
			return nil, err
		}
		distinctCfg, err := cfg("distinct", copies)
		if err != nil {
			return nil, err
		}
		o.logf("  filling the compilation cache for %d distinct modules (untimed; slow the first time)...", n)
		if _, err := StartAndList(ctx, 0, b.ToolhostArgv(distinctCfg, cache)...); err != nil {
			return nil, err
		}
		if res.Distinct, err = row(fmt.Sprintf("toolhost, %d distinct modules", n), n, b.ToolhostArgv(distinctCfg, cache)); err != nil {
			return nil, err
		}
	}
	if o.ProfileDir != "" {
		o.logf("  heap profile of host.New in process (10 distinct modules)...")
		copies, err := g.DistinctCopies(10)
		if err != nil {
			return nil, err
		}
		c, err := cfg("heap", copies)
		if err != nil {
			return nil, err
		}
		if res.HeapProfile, err = profileHeap(ctx, o, c); err != nil {
			return nil, err
		}
	}
	return res, nil
}
