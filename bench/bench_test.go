package bench

import (
	"context"
	"sync"
	"testing"
)

// fixture is built once per test binary, on first use.
var fixture = sync.OnceValues(func() (*Fixture, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	return NewFixture(context.Background(), root)
})

func loadFixture(b testing.TB) *Fixture {
	b.Helper()
	f, err := fixture()
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func runLayer(b *testing.B, l Layer) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Op(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkP2 measures every layer of a warm call of the trivial tool, from
// raw wazero to toolhost's plugin.CallTool. Profile one layer with e.g.
//
//	go test -run '^$' -bench 'P2/toolhost/CallTool' -cpuprofile cpu.out -memprofile mem.out ./bench
func BenchmarkP2(b *testing.B) {
	f := loadFixture(b)
	for _, l := range f.P2Layers() {
		b.Run(l.Name, func(b *testing.B) { runLayer(b, l) })
	}
}

// BenchmarkP6 measures the CPU-bound tools with toolhost's interrupting
// per-call timeout on (plugin.CallTool, instrumented module, interrupt flag
// armed by runtime_config.timeout) and off (the same call_tool on raw
// wazero, uninstrumented, no interrupt); and, under fallback/, the raw
// guest exports with wazero's WithCloseOnContextDone off and on, the
// interrupt of modules toolhost cannot instrument.
func BenchmarkP6(b *testing.B) {
	f := loadFixture(b)
	if !f.Instrumented {
		b.Log("toolhost could not instrument the guest: the on rows measure the WithCloseOnContextDone fallback")
	}
	for _, w := range f.P6Workloads(false) {
		b.Run(w.Name+"/off", func(b *testing.B) { runLayer(b, w.Off) })
		b.Run(w.Name+"/on", func(b *testing.B) { runLayer(b, w.On) })
	}
	for _, w := range f.P6FallbackWorkloads(false) {
		b.Run("fallback/"+w.Name+"/off", func(b *testing.B) { runLayer(b, w.Off) })
		b.Run("fallback/"+w.Name+"/on", func(b *testing.B) { runLayer(b, w.On) })
	}
}
