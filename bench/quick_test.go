package bench

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"
)

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
		if math.IsNaN(f.Value) || math.IsInf(f.Value, 0) || f.Value < 0 {
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
	if r.P3 != nil && (r.P3.Warm == nil || r.P3.Warm.Tools != 2*r.P3.Plugins) {
		t.Errorf("P3: toolhost did not list %d tools: %+v", 2*r.P3.Plugins, r.P3.Warm)
	}
	if r.P5 != nil && (r.P5.Many == nil || r.P5.Many.Mem.RSS <= r.P5.Native.Mem.RSS) {
		t.Errorf("P5: implausible memory: %+v", r.P5)
	}
	md := Markdown(r)
	for _, s := range []string{"## Results", "### P1", "### P2", "### P3", "### P4", "### P5", "### P6"} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q", s)
		}
	}
}
