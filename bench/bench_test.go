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

// BenchmarkP6 measures the CPU-bound guest functions with wazero's
// WithCloseOnContextDone off and on.
func BenchmarkP6(b *testing.B) {
	f := loadFixture(b)
	for _, w := range f.P6Workloads(false) {
		b.Run(w.Name+"/off", func(b *testing.B) { runLayer(b, w.Off) })
		b.Run(w.Name+"/on", func(b *testing.B) { runLayer(b, w.On) })
	}
}
