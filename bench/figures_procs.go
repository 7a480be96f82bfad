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
//
// "Warm cache" means a cache directory that an earlier, untimed run of
// toolhost filled: wazero's compiled code and the catalogs toolhost
// remembers under <cache-dir>/catalogs. With both, a start only reads and
// hashes each module and serves its remembered catalog; the plugin is
// compiled on its first call (host/plugin/lazy.go). P3 also reports a warm
// code cache with the catalogs removed, the eager start every plugin paid
// before lazy loading (and still pays when its catalog is not remembered).

// StartRow is one start-up configuration measured several times.
type StartRow struct {
	Name      string
	Runs      []time.Duration
	Median    time.Duration
	CPUMedian time.Duration // CPU the process used until ready
	Tools     int
	Plugins   int
	Compiled  int // plugins compiled at start (median over runs; see Started.Compiled)
}

func newStartRow(name string, plugins int, runs []*Started) *StartRow {
	r := &StartRow{Name: name, Plugins: plugins}
	var xs, cpus, compiled []float64
	for _, s := range runs {
		r.Runs = append(r.Runs, s.Ready)
		xs = append(xs, float64(s.Ready))
		cpus = append(cpus, float64(s.CPU))
		compiled = append(compiled, float64(s.Compiled))
		r.Tools = s.Tools
	}
	r.Median = time.Duration(median(xs))
	r.CPUMedian = time.Duration(median(cpus))
	r.Compiled = int(median(compiled))
	return r
}

// P3Result is start-up time.
type P3Result struct {
	Plugins            int
	Native             *StartRow
	Warm, WarmDistinct *StartRow
	// WarmNoCatalogs is distinct modules with a warm code cache and
	// <cache-dir>/catalogs removed before each run: every plugin is
	// compiled (from the code cache), instantiated and listed at start.
	// (With copies of one module, only the first would be: the others find
	// its catalog.) Reported, not a target.
	WarmNoCatalogs     *StartRow
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
	// The catalogs-removed row has its own cache directory, so that
	// removing its catalogs never makes a warm row compile.
	noCatCache, err := CacheDir("start-cache-nocatalogs")
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
		o.logf("  %-58s median %8s (CPU %s, %d compiled at start)  runs %v", name, fmtDur(row.Median), fmtDur(row.CPUMedian), row.Compiled, row.Runs)
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
	// Fill the warm caches (one plugin first, so the module compiles once
	// rather than n times in parallel) and the page cache, untimed: each
	// warm directory is one an earlier toolhost run filled, compiled code
	// and remembered catalogs.
	o.logf("  filling the cache directories with untimed toolhost runs...")
	fills := []string{one}
	if !o.Quick {
		fills = append(fills, cfgSame, cfgDistinct)
	}
	type fill struct{ cfg, dir string }
	var fillRuns []fill
	for _, cfg := range fills {
		fillRuns = append(fillRuns, fill{cfg, warmCache})
	}
	fillRuns = append(fillRuns, fill{cfgDistinct, noCatCache})
	for _, f := range fillRuns {
		if _, err := StartAndList(ctx, 0, b.ToolhostArgv(f.cfg, f.dir)...); err != nil {
			return nil, err
		}
	}
	want := 1 // the same module (every plugin of one and same)
	if !o.Quick {
		want += n // and each distinct copy
	}
	if got := countCatalogs(warmCache); got < want {
		return nil, fmt.Errorf("toolhost remembered %d catalogs in %s, want at least %d: the warm rows would compile", got, CatalogsDir(warmCache), want)
	}
	if _, err := StartAndList(ctx, 0, b.Native); err != nil {
		return nil, err
	}
	// Interleave the configurations run by run so drifts hit all of them.
	type cfgRun struct {
		name string
		argv []string
		prep func() error // before each run
		row  **StartRow
		ss   []*Started
	}
	cfgs := []*cfgRun{
		{name: "native mcp-go (bench/cmd/nativemcp)", argv: []string{b.Native}, row: &res.Native},
		{name: fmt.Sprintf("toolhost, %d × the same module, warm cache", n), argv: b.ToolhostArgv(cfgSame, warmCache), row: &res.Warm},
	}
	if !o.Quick {
		cfgs = append(cfgs, &cfgRun{name: fmt.Sprintf("toolhost, %d distinct modules, warm cache", n), argv: b.ToolhostArgv(cfgDistinct, warmCache), row: &res.WarmDistinct})
	}
	cfgs = append(cfgs, &cfgRun{name: fmt.Sprintf("toolhost, %d distinct modules, warm code cache, catalogs removed", n),
		argv: b.ToolhostArgv(cfgDistinct, noCatCache), row: &res.WarmNoCatalogs,
		prep: func() error { return os.RemoveAll(CatalogsDir(noCatCache)) }})
	for range runs {
		for _, c := range cfgs {
			if c.prep != nil {
				if err := c.prep(); err != nil {
					return nil, err
				}
			}
			s, err := StartAndList(ctx, 0, c.argv...)
			if err != nil {
				return nil, err
			}
			c.ss = append(c.ss, s)
		}
	}
	for _, c := range cfgs {
		r := newStartRow(c.name, n, c.ss)
		*c.row = r
		o.logf("  %-58s median %8s (CPU %s, %d compiled at start)  runs %v", c.name, fmtDur(r.Median), fmtDur(r.CPUMedian), r.Compiled, r.Runs)
	}
	res.Native.Plugins = 0
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

// P5Result is resident memory with many plugins idle after a warm start:
// the cache directory remembers their catalogs, so they are not compiled
// or instantiated until called.
type P5Result struct {
	Native              *MemRow
	One, Many, Distinct *MemRow
	Settle              time.Duration
	HeapProfile         *Profile
}

// MemRow is one process's memory after start-up and a settle time.
type MemRow struct {
	Name     string
	Plugins  int
	Mem      ProcMem
	Ready    time.Duration
	CPU      time.Duration // CPU used until ready
	Compiled int           // plugins compiled at start (Started.Compiled)
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
		r := &MemRow{Name: name, Plugins: plugins, Mem: s.Mem, Ready: s.Ready, CPU: s.CPU, Compiled: s.Compiled}
		o.logf("  %-40s RSS %6.1f MiB (anon %6.1f, file %5.1f, peak %6.1f), ready in %s, %d compiled at start", name, mib(r.Mem.RSS), mib(r.Mem.RSSAnon), mib(r.Mem.RSSFile), mib(r.Mem.HWM), fmtDur(r.Ready), r.Compiled)
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
	// A warm start: an untimed run fills the cache directory (compiled
	// code and the remembered catalog), so the plugins below start lazily.
	o.logf("  filling the cache directory with an untimed toolhost run...")
	if _, err := StartAndList(ctx, 0, b.ToolhostArgv(oneCfg, cache)...); err != nil {
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
		o.logf("  filling the cache directory for %d distinct modules (untimed; slow the first time)...", n)
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
