package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

// Options configure Run.
type Options struct {
	// Root is the repository root; "" finds it with RepoRoot.
	Root string
	// Quick runs every figure with tiny durations and sizes (a few seconds
	// when the caches are warm): for CI and tests, not for the record.
	Quick bool
	// Only lists the figures to run ("P1".."P6"); empty runs all.
	Only []string
	// ProfileDir receives pprof profiles (P1 server CPU, P2 CPU and
	// allocations, P3 start-up CPU, P5 heap) and enables their top frames
	// in the report; "" takes none.
	ProfileDir string
	// Progress receives a line per step and per figure; nil discards.
	Progress io.Writer
}

func (o *Options) want(id string) bool {
	return len(o.Only) == 0 || slices.ContainsFunc(o.Only, func(s string) bool { return strings.EqualFold(s, id) })
}

func (o *Options) logf(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

// pick returns quick in quick mode, else full.
func pick[T any](o *Options, full, quick T) T {
	if o.Quick {
		return quick
	}
	return full
}

// Figure is one headline number of the issue: a value, the baseline it is
// compared with (measured in the same run), the ratio, and the target.
type Figure struct {
	ID        string
	Name      string
	Value     float64
	Unit      string
	Baseline  string  // what the baseline is
	BaseValue float64 // in Unit; NaN if the target is absolute only
	Ratio     float64 // Value/BaseValue, or the figure's own ratio; NaN if none
	Target    string
	Pass      bool
	Note      string
	// Signed marks a difference between two measurements, which noise
	// can make negative when the two are close.
	Signed bool
}

// Report is everything Run measured.
type Report struct {
	Root    string // the repository root (profile paths are shown relative to it)
	Quick   bool
	Machine Machine
	Started time.Time
	Elapsed time.Duration
	Figures []Figure
	P1      *P1Result
	P2      *P2Result
	P3      *P3Result
	P4      *P4Result
	P5      *P5Result
	P6      *P6Result
	Errors  []string
}

// Run measures the figures opts selects. A figure that fails is recorded in
// Report.Errors and the others still run; the error returned joins them.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Root == "" {
		root, err := RepoRoot()
		if err != nil {
			return nil, err
		}
		opts.Root = root
	}
	if opts.ProfileDir != "" {
		if err := os.MkdirAll(opts.ProfileDir, 0o755); err != nil {
			return nil, err
		}
	}
	r := &Report{Root: opts.Root, Quick: opts.Quick, Started: time.Now(), Machine: ReadMachine(opts.Root)}
	var errs []error
	fail := func(id string, err error) {
		errs = append(errs, fmt.Errorf("%s: %w", id, err))
		r.Errors = append(r.Errors, fmt.Sprintf("%s: %v", id, err))
		opts.logf("%s FAILED: %v", id, err)
	}

	var fx *Fixture
	if opts.want("P2") || opts.want("P4") || opts.want("P6") {
		opts.logf("building and loading the benchmark guest at every layer...")
		var err error
		if fx, err = NewFixture(ctx, opts.Root); err != nil {
			return r, fmt.Errorf("fixture: %w", err)
		}
		defer fx.Close(context.WithoutCancel(ctx))
	}
	var bins *Binaries
	if opts.want("P3") || opts.want("P5") {
		opts.logf("building cmd/toolhost and bench/cmd/nativemcp...")
		var err error
		if bins, err = BuildBinaries(ctx, opts.Root); err != nil {
			return r, err
		}
		defer bins.Close()
	}
	var guest *Guest
	if fx != nil {
		guest = fx.Guest
	} else {
		var err error
		if guest, err = BuildGuest(ctx, opts.Root); err != nil {
			return r, err
		}
	}

	steps := []struct {
		id  string
		run func() error
	}{
		{"P2", func() (err error) { r.P2, err = runP2(ctx, &opts, fx); return }},
		{"P6", func() (err error) { r.P6, err = runP6(ctx, &opts, fx); return }},
		{"P4", func() (err error) { r.P4, err = runP4(ctx, &opts, fx); return }},
		{"P1", func() (err error) { r.P1, err = runP1(ctx, &opts, guest); return }},
		{"P3", func() (err error) { r.P3, err = runP3(ctx, &opts, bins, guest); return }},
		{"P5", func() (err error) { r.P5, err = runP5(ctx, &opts, bins, guest); return }},
	}
	for _, s := range steps {
		if !opts.want(s.id) {
			continue
		}
		if ctx.Err() != nil {
			fail(s.id, ctx.Err())
			continue
		}
		opts.logf("== %s", s.id)
		start := time.Now()
		if err := s.run(); err != nil {
			fail(s.id, err)
		}
		opts.logf("   (%s took %s)", s.id, time.Since(start).Round(100*time.Millisecond))
	}
	r.Figures = r.figures()
	r.Machine.LoadAfter, r.Machine.PressureAfter = readLoadAvg(), readCPUPressure()
	r.Elapsed = time.Since(r.Started)
	return r, errors.Join(errs...)
}

// Line formats a figure as value + ratio + target + pass/fail.
func (f Figure) Line() string {
	ratio := "-"
	if !math.IsNaN(f.Ratio) {
		ratio = fmt.Sprintf("%.2fx", f.Ratio)
	}
	verdict := "FAIL"
	if f.Pass {
		verdict = "pass"
	}
	if f.Target == "report" {
		verdict = "reported"
	}
	return fmt.Sprintf("%s %-58s %10s  ratio %7s  target %-22s %s", f.ID, f.Name, formatValue(f.Value, f.Unit), ratio, f.Target, verdict)
}

func formatValue(v float64, unit string) string {
	switch unit {
	case "ms":
		if v < 10 {
			return fmt.Sprintf("%.2f ms", v)
		}
		return fmt.Sprintf("%.0f ms", v)
	case "µs":
		return fmt.Sprintf("%.1f µs", v)
	case "MiB":
		return fmt.Sprintf("%.0f MiB", v)
	case "calls/s":
		return fmt.Sprintf("%.0f/s", v)
	case "x":
		return fmt.Sprintf("%.2f×", v)
	}
	return fmt.Sprintf("%.3g %s", v, unit)
}

// figures extracts the headline figures from the results present.
func (r *Report) figures() []Figure {
	var fs []Figure
	nan := math.NaN()
	if p := r.P1; p != nil {
		fs = append(fs, Figure{ID: "P1", Name: fmt.Sprintf("tools/call throughput, streamable HTTP, c=%d", p.Concurrency),
			Value: p.Toolhost.RPS, Unit: "calls/s", Baseline: "native mcp-go, same tool in Go, same run",
			BaseValue: p.Native.RPS, Ratio: p.Ratio, Target: "≥ 0.8× native", Pass: p.Ratio >= 0.8,
			Note: fmt.Sprintf("p50 %s / p99 %s (native %s / %s); CPU per call %s vs %s, ratio %.2f×", fmtDur(p.Toolhost.P50), fmtDur(p.Toolhost.P99), fmtDur(p.Native.P50), fmtDur(p.Native.P99),
				fmtDur(p.Toolhost.CPUPerCall()), fmtDur(p.Native.CPUPerCall()), p.CPURatio)})
	}
	if p := r.P2; p != nil {
		fs = append(fs, Figure{ID: "P2", Name: "host overhead of a warm call (CallTool − raw call_tool)",
			Value: p.OverheadNs / 1e3, Unit: "µs", Baseline: "raw wazero + Go kernel, same guest export",
			BaseValue: p.Raw.NsPerOp / 1e3, Ratio: p.Ratio, Target: "≤ 10 µs", Pass: p.OverheadNs <= 10e3, Signed: true,
			Note: fmt.Sprintf("CallTool %.1f µs/op; raw %.1f µs/op", p.CallTool.NsPerOp/1e3, p.Raw.NsPerOp/1e3)})
		fs = append(fs, Figure{ID: "P2", Name: "allocations of a warm call beyond the payload",
			Value: (p.CallTool.BytesPerOp - float64(p.PayloadBytes)) / 1024, Unit: "KiB", Baseline: fmt.Sprintf("payload %d B (args + result)", p.PayloadBytes),
			BaseValue: float64(p.PayloadBytes) / 1024, Ratio: p.CallTool.BytesPerOp / float64(p.PayloadBytes), Target: "≈ 0 beyond payload",
			Pass: p.CallTool.BytesPerOp <= 2*float64(p.PayloadBytes), Signed: true,
			Note: fmt.Sprintf("%.0f B and %.0f allocs per call", p.CallTool.BytesPerOp, p.CallTool.AllocsPerOp)})
	}
	if p := r.P3; p != nil && p.Warm != nil {
		fs = append(fs, Figure{ID: "P3", Name: fmt.Sprintf("exec → tools/list, %d plugins (the same module), warm cache", p.Plugins),
			Value: ms(p.Warm.Median), Unit: "ms", Baseline: "native mcp-go binary, exec → tools/list",
			BaseValue: ms(p.Native.Median), Ratio: ms(p.Warm.Median) / ms(p.Native.Median), Target: "≤ 150 ms", Pass: p.Warm.Median <= 150*time.Millisecond,
			Note: fmt.Sprintf("CPU until ready %s vs %s", fmtDur(p.Warm.CPUMedian), fmtDur(p.Native.CPUMedian))})
		if d := p.WarmDistinct; d != nil {
			fs = append(fs, Figure{ID: "P3", Name: fmt.Sprintf("exec → tools/list, %d plugins (distinct modules), warm cache", p.Plugins),
				Value: ms(d.Median), Unit: "ms", Baseline: "native mcp-go binary, exec → tools/list",
				BaseValue: ms(p.Native.Median), Ratio: ms(d.Median) / ms(p.Native.Median), Target: "≤ 150 ms", Pass: d.Median <= 150*time.Millisecond,
				Note: fmt.Sprintf("CPU until ready %s", fmtDur(d.CPUMedian))})
		}
		if c := p.WarmNoCatalogs; c != nil {
			fs = append(fs, Figure{ID: "P3", Name: fmt.Sprintf("exec → tools/list, %d plugins (distinct modules), warm code cache, catalogs removed", p.Plugins),
				Value: ms(c.Median), Unit: "ms", Baseline: "native mcp-go binary",
				BaseValue: ms(p.Native.Median), Ratio: ms(c.Median) / ms(p.Native.Median), Target: "report", Pass: true,
				Note: fmt.Sprintf("CPU until ready %s; %d plugins compiled at start", fmtDur(c.CPUMedian), c.Compiled)})
		}
		for _, c := range []struct {
			row  *StartRow
			what string
		}{{p.Cold, "the same module"}, {p.ColdDistinct, "distinct modules"}} {
			if c.row == nil {
				continue
			}
			fs = append(fs, Figure{ID: "P3", Name: fmt.Sprintf("exec → tools/list, %d plugins (%s), cold cache", p.Plugins, c.what),
				Value: ms(c.row.Median), Unit: "ms", Baseline: "native mcp-go binary",
				BaseValue: ms(p.Native.Median), Ratio: ms(c.row.Median) / ms(p.Native.Median), Target: "report", Pass: true,
				Note: fmt.Sprintf("CPU until ready %s", fmtDur(c.row.CPUMedian))})
		}
	}
	if p := r.P4; p != nil && p.Echo != nil {
		fs = append(fs, Figure{ID: "P4", Name: "one pooled plugin, echo calls, concurrency 2 vs 1",
			Value: p.Echo.Ratio, Unit: "x", Baseline: "raw wazero, 2 instances, same guest call",
			BaseValue: p.RawEcho.Ratio, Ratio: p.Echo.Ratio, Target: "≥ 1.8×", Pass: p.Echo.Ratio >= 1.8,
			Note: fmt.Sprintf("machine baseline scaled %.2f×; CPU per call %s at c=1, %s at c=2", p.RawEcho.Ratio, fmtDur(p.Echo.CPU1), fmtDur(p.Echo.CPU2))})
		if p.SHA != nil {
			fs = append(fs, Figure{ID: "P4", Name: "one pooled plugin, CPU-bound calls, concurrency 2 vs 1",
				Value: p.SHA.Ratio, Unit: "x", Baseline: "raw wazero, 2 instances, same guest function",
				BaseValue: p.RawSHA.Ratio, Ratio: p.SHA.Ratio, Target: "≥ 1.8×", Pass: p.SHA.Ratio >= 1.8,
				Note: fmt.Sprintf("machine baseline scaled %.2f×; CPU per call %s at c=1, %s at c=2", p.RawSHA.Ratio, fmtDur(p.SHA.CPU1), fmtDur(p.SHA.CPU2))})
		}
	}
	if p := r.P5; p != nil && p.Many != nil {
		fs = append(fs, Figure{ID: "P5", Name: fmt.Sprintf("RSS, %d plugins idle (same module)", p.Many.Plugins),
			Value: mib(p.Many.Mem.RSS), Unit: "MiB", Baseline: "toolhost with 1 plugin",
			BaseValue: mib(p.One.Mem.RSS), Ratio: mib(p.Many.Mem.RSS) / mib(p.One.Mem.RSS), Target: "≤ 300 MiB", Pass: mib(p.Many.Mem.RSS) <= 300,
			Note: fmt.Sprintf("%.1f MiB per extra plugin", p.PerPlugin(p.Many))})
		if p.Distinct != nil {
			fs = append(fs, Figure{ID: "P5", Name: fmt.Sprintf("RSS, %d plugins idle (distinct modules)", p.Distinct.Plugins),
				Value: mib(p.Distinct.Mem.RSS), Unit: "MiB", Baseline: "toolhost with 1 plugin",
				BaseValue: mib(p.One.Mem.RSS), Ratio: mib(p.Distinct.Mem.RSS) / mib(p.One.Mem.RSS), Target: "≤ 300 MiB", Pass: mib(p.Distinct.Mem.RSS) <= 300,
				Note: fmt.Sprintf("%.1f MiB per extra plugin", p.PerPlugin(p.Distinct))})
		}
	}
	if p := r.P6; p != nil {
		for _, w := range p.Workloads {
			note := ""
			if !p.Instrumented {
				note = "the module was NOT instrumented: toolhost ran it on the WithCloseOnContextDone fallback"
			}
			fs = append(fs, Figure{ID: "P6", Name: "CPU-bound tool (" + w.Desc + "), toolhost's interrupting timeout on vs off",
				Value: w.Pair.Subject.NsPerOp / 1e6, Unit: "ms", Baseline: "same call_tool on raw wazero, no interrupt",
				BaseValue: w.Pair.Base.NsPerOp / 1e6, Ratio: w.Pair.Ratio, Target: "≤ 1.2×", Pass: w.Pair.Ratio <= 1.2 && p.Instrumented, Note: note})
		}
		if w, ok := p.FallbackPair("sha256"); ok {
			fs = append(fs, Figure{ID: "P6", Name: "fallback for modules toolhost cannot instrument: WithCloseOnContextDone on vs off, raw bench_sha256",
				Value: w.Subject.NsPerOp / 1e6, Unit: "ms", Baseline: "same export, WithCloseOnContextDone(false)",
				BaseValue: w.Base.NsPerOp / 1e6, Ratio: w.Ratio, Target: "report", Pass: true})
		}
	}
	for i := range fs {
		if fs[i].BaseValue == 0 {
			fs[i].BaseValue = nan
		}
	}
	return fs
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
func mib(b int64) float64        { return float64(b) / (1 << 20) }
func fmtDur(d time.Duration) string {
	switch {
	case d >= 10*time.Millisecond:
		return d.Round(time.Millisecond).String()
	case d >= 10*time.Microsecond:
		return d.Round(time.Microsecond).String()
	}
	return d.String()
}
