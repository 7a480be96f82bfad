package bench

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"
)

// guestTools is how many tools plugins/test/benchguest lists.
const guestTools = 4

// TestQuick runs every benchmark in quick mode so that the harness never
// rots. It asserts no timing: only that each figure was produced and is a
// sane number. Set TOOLHOST_BENCH_QUICK=skip to skip it.
func TestQuick(t *testing.T) {
	if os.Getenv("TOOLHOST_BENCH_QUICK") == "skip" {
		t.Skip("TOOLHOST_BENCH_QUICK=skip")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	var log strings.Builder
	r, err := Run(context.Background(), Options{Quick: true, Progress: &log})
	t.Log("\n" + log.String())
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, f := range r.Figures {
		t.Log(f.Line())
		ids[f.ID] = true
		if math.IsNaN(f.Value) || math.IsInf(f.Value, 0) || (f.Value < 0 && !f.Signed) {
			t.Errorf("%s %s: value %v", f.ID, f.Name, f.Value)
		}
		if !math.IsNaN(f.Ratio) && (math.IsInf(f.Ratio, 0) || f.Ratio <= 0) {
			t.Errorf("%s %s: ratio %v", f.ID, f.Name, f.Ratio)
		}
	}
	for _, id := range []string{"P1", "P2", "P3", "P4", "P5", "P6"} {
		if !ids[id] {
			t.Errorf("no %s figure", id)
		}
	}
	if r.P2 != nil {
		for _, l := range r.P2.Layers {
			if l.Stat.N == 0 || l.Stat.NsPerOp <= 0 {
				t.Errorf("P2 layer %s: %+v", l.Name, l.Stat)
			}
		}
	}
	if p := r.P3; p != nil {
		for _, row := range []*StartRow{p.Warm, p.WarmNoCatalogs} {
			if row == nil || row.Tools != guestTools*p.Plugins {
				t.Errorf("P3: toolhost did not list %d tools: %+v", guestTools*p.Plugins, row)
			}
		}
		// Warm means lazy: nothing compiled at start; without the
		// catalogs, every plugin is.
		if p.Warm != nil && p.Warm.Compiled != 0 {
			t.Errorf("P3: warm start compiled %d plugins, want 0 (catalogs not remembered?)", p.Warm.Compiled)
		}
		if c := p.WarmNoCatalogs; c != nil && c.Compiled != p.Plugins {
			t.Errorf("P3: start without catalogs compiled %d plugins, want %d", c.Compiled, p.Plugins)
		}
	}
	if p := r.P5; p != nil {
		if p.Many == nil || p.Many.Mem.RSS <= p.Native.Mem.RSS {
			t.Errorf("P5: implausible memory: %+v", p)
		}
		for _, m := range []*MemRow{p.One, p.Many} {
			if m != nil && m.Compiled != 0 {
				t.Errorf("P5: %s compiled %d plugins at start, want 0 (a warm, lazy start)", m.Name, m.Compiled)
			}
		}
	}
	if p := r.P6; p != nil {
		if !p.Instrumented {
			t.Errorf("P6: toolhost did not instrument the guest; the on rows measure the fallback")
		}
		if len(p.Workloads) == 0 || len(p.Fallback) == 0 {
			t.Errorf("P6: %d workloads, %d fallback workloads", len(p.Workloads), len(p.Fallback))
		}
		if p.FlagStop <= 0 {
			t.Errorf("P6: interrupt precision not measured: %s", p.FlagStop)
		}
	}
	md := Markdown(r)
	for _, s := range []string{"## Results", "### P1", "### P2", "### P3", "### P4", "### P5", "### P6"} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q", s)
		}
	}
}
