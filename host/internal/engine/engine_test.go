package engine

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"

	"github.com/toolhost/toolhost/internal/testplugins"
)

func guest(t testing.TB) []byte {
	t.Helper()
	return testplugins.Bytes(t, testplugins.Test(t, "benchguest"))
}

func newEngine(t testing.TB, funcs ...Func) *Engine {
	t.Helper()
	e := New(Config{Funcs: funcs})
	t.Cleanup(func() { e.Close(context.Background()) })
	return e
}

// compileGuest compiles the benchmark guest on e, closed after the test.
func compileGuest(t testing.TB, e *Engine) *Module {
	t.Helper()
	m, err := e.Compile(context.Background(), guest(t), CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(context.Background()) })
	return m
}

func instantiate(t testing.TB, m *Module, opts InstanceOptions) *Instance {
	t.Helper()
	in, err := m.Instantiate(context.Background(), wazero.NewModuleConfig(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(context.Background()) })
	return in
}

// TestCallMatchesGoSDK runs the same exports with the same inputs on the
// engine and on Extism's go-sdk, the reference implementation of the
// kernel ABI, and requires the same status, output and error.
func TestCallMatchesGoSDK(t *testing.T) {
	ctx := context.Background()
	wasm := guest(t)
	m := compileGuest(t, newEngine(t))
	if !m.Interruptible {
		t.Fatal("the Go guest was not instrumented for interruption")
	}
	in := instantiate(t, m, InstanceOptions{})

	ref, err := extism.NewPlugin(ctx, extism.Manifest{Wasm: []extism.Wasm{extism.WasmData{Data: wasm}}},
		extism.PluginConfig{EnableWasi: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close(ctx)

	big := `{"request":{"name":"echo","arguments":{"message":"` + strings.Repeat("é", 40000) + `"}}}`
	cases := []struct{ name, export, input string }{
		{"list tools", "list_tools", `{}`},
		{"echo", "call_tool", `{"request":{"name":"echo","arguments":{"message":"hello"}}}`},
		{"echo, 80 KB", "call_tool", big},
		{"unknown tool", "call_tool", `{"request":{"name":"nope","arguments":{}}}`},
		{"bad arguments", "call_tool", `{"request":{"name":"echo","arguments":{"message":3}}}`},
		{"not JSON", "call_tool", `{`},
		{"empty input", "call_tool", ``},
		{"sha256", "call_tool", `{"request":{"name":"sha256","arguments":{"kib":4,"rounds":2}}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for round := range 2 { // the second round reuses kernel memory
				rc, out, err := in.Call(ctx, tc.export, []byte(tc.input))
				wrc, wout, werr := ref.CallWithContext(ctx, tc.export, []byte(tc.input))
				if rc != wrc || !bytes.Equal(out, wout) || (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
					t.Fatalf("round %d: engine (%d, %.200q, %v), go-sdk (%d, %.200q, %v)", round, rc, out, err, wrc, wout, werr)
				}
			}
		})
	}
	if _, _, err := in.Call(ctx, "no_such_export", nil); err == nil || !strings.Contains(err.Error(), "unknown function: no_such_export") {
		t.Fatalf("unknown export: %v", err)
	}
}

// TestInterrupt stops a CPU-bound call on the instrumented path when its
// context ends (deadline or cancellation), and the stopped instance
// refuses further calls.
func TestInterrupt(t *testing.T) {
	ctx := context.Background()
	m := compileGuest(t, newEngine(t))
	spin := []byte(`{"request":{"name":"sha256","arguments":{"kib":65536,"rounds":10000}}}`)
	for _, tc := range []struct {
		name   string
		cancel func(context.Context) (context.Context, context.CancelFunc)
		want   error
	}{
		{"deadline", func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, 50*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancel", func(ctx context.Context) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(ctx)
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := instantiate(t, m, InstanceOptions{})
			cctx, cancel := tc.cancel(ctx)
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, _, err := in.Call(cctx, "call_tool", spin)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "unreachable") {
					t.Fatalf("want a trap at the interrupt check, got %v", err)
				}
				if !errors.Is(cctx.Err(), tc.want) {
					t.Fatalf("context: %v", cctx.Err())
				}
			case <-time.After(60 * time.Second):
				t.Fatal("the call was not stopped")
			}
			if _, _, err := in.Call(ctx, "list_tools", nil); !errors.Is(err, ErrInterrupted) {
				t.Fatalf("a stopped instance ran again: %v", err)
			}
			// A fresh instance of the same module is unaffected.
			fresh := instantiate(t, m, InstanceOptions{})
			if _, out, err := fresh.Call(ctx, "call_tool", []byte(`{"request":{"name":"echo","arguments":{"message":"ok"}}}`)); err != nil || !bytes.Contains(out, []byte(`"ok"`)) {
				t.Fatalf("fresh instance: %s, %v", out, err)
			}
		})
	}
}

// TestSharedCompilation compiles the same bytes twice: one compiled module
// serves both, and closing one leaves the other usable.
func TestSharedCompilation(t *testing.T) {
	ctx := context.Background()
	wasm := guest(t)
	e := newEngine(t)
	a, err := e.Compile(ctx, wasm, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Compile(ctx, wasm, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.c != b.c {
		t.Fatal("the same bytes were compiled twice")
	}
	c, err := e.Compile(ctx, wasm, CompileOptions{MemoryLimitPages: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if c.rt == a.rt {
		t.Fatal("a different memory limit shares a runtime")
	}
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	in := instantiate(t, b, InstanceOptions{})
	if _, _, err := in.Call(ctx, "list_tools", nil); err != nil {
		t.Fatal(err)
	}
	b.Close(ctx)
	e.mu.Lock()
	n := len(b.rt.mods)
	e.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d compiled modules left after closing both", n)
	}
}

func TestKernel(t *testing.T) {
	k := newKernel(64)
	a, err := k.Alloc(10)
	if err != nil || a != kernelBase {
		t.Fatalf("alloc: %d %v", a, err)
	}
	if n, _ := k.Length(a); n != 10 {
		t.Fatalf("length %d", n)
	}
	if _, err := k.Alloc(60); err == nil {
		t.Fatal("alloc past the limit succeeded")
	}
	b, err := k.WriteBytes([]byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := k.ReadBytes(b); string(got) != "hello" {
		t.Fatalf("read %q", got)
	}
	if _, err := k.Length(b + 1); err == nil {
		t.Fatal("length of a non-block succeeded")
	}
	k.Free(b)
	if _, err := k.Length(b); err == nil {
		t.Fatal("a freed block still has a length")
	}
	if got := k.span("load_u8", b, 5); string(got) != "hello" {
		t.Fatalf("a freed block's bytes are not readable until the next call: %q", got)
	}
	k.Free(b) // twice is harmless
	for _, tc := range []struct {
		name   string
		off, n uint64
	}{{"null", 0, 1}, {"past the top", k.top, 1}, {"overflow", 8, ^uint64(0)}, {"wrap", ^uint64(0), 8}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: out-of-bounds access at %d+%d did not trap", tc.name, tc.off, tc.n)
				}
			}()
			k.span("load_u64", tc.off, tc.n)
		}()
	}
	k.reset()
	if _, err := k.Length(a); err == nil || k.top != kernelBase {
		t.Fatal("reset kept blocks")
	}
}

// BenchmarkCall is a warm call_tool of the echo tool with a deadline, as
// toolhost makes it (bench/ compares it with raw wazero in the same run).
func BenchmarkCall(b *testing.B) {
	ctx := context.Background()
	in := instantiate(b, compileGuest(b, newEngine(b)), InstanceOptions{})
	input := []byte(`{"request":{"name":"echo","arguments":{"message":"hello, benchmark"}}}`)
	cctx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := in.Call(cctx, "call_tool", input); err != nil {
			b.Fatal(err)
		}
	}
}
