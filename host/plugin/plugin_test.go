package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/internal/testplugins"
)

// load loads the "everything" test plugin with the given runtime_config
// lines (YAML, indented by six spaces).
func load(t *testing.T, runtime string) *Plugin {
	t.Helper()
	if !strings.Contains(runtime, "timeout:") {
		runtime += "      timeout: 2s\n"
	}
	yaml := fmt.Sprintf("plugins:\n  everything:\n    url: file://%s\n    runtime_config:\n%s", testplugins.Test(t, "everything"), runtime)
	cfg, err := config.Parse([]byte(yaml), config.YAML, config.Options{BaseDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewLoader(Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Load(context.Background(), cfg.Plugins[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close(context.Background())
		l.Close(context.Background())
	})
	return p
}

// call calls a tool and returns its text (or the CallError).
func call(t *testing.T, p *Plugin, session, tool string) (string, error) {
	t.Helper()
	raw, err := p.CallTool(context.Background(), Request{Session: session}, tool, json.RawMessage(`{}`))
	if err != nil {
		return "", err
	}
	var res struct {
		Content []struct{ Text string } `json:"content"`
	}
	if err := json.Unmarshal(raw, &res); err != nil || len(res.Content) == 0 {
		t.Fatalf("%s: result %s", tool, raw)
	}
	return res.Content[0].Text, nil
}

func TestInstanceLifecycle(t *testing.T) {
	p := load(t, "")
	steps := []struct {
		session, tool string
		want          string    // text, when the call succeeds
		kind          ErrorKind // when it fails
	}{
		{"a", "counter", "1", 0},
		{"a", "counter", "2", 0},
		{"b", "counter", "1", 0}, // another session, another instance
		{"a", "error_rc", "", GuestError},
		{"a", "counter", "3", 0}, // a guest error keeps the instance
		{"a", "trap", "", Trap},
		{"a", "counter", "1", 0}, // a trapped instance is replaced
		{"a", "spin", "", Timeout},
		{"a", "counter", "1", 0}, // so is one that timed out
		{"b", "counter", "2", 0}, // session b never noticed
		{"", "counter", "1", 0},  // no session: the pool's instance (which read the catalog at load)
	}
	for i, s := range steps {
		got, err := call(t, p, s.session, s.tool)
		if s.kind != 0 {
			if KindOf(err) != s.kind {
				t.Fatalf("step %d %s: error %v (kind %v), want kind %v", i, s.tool, err, KindOf(err), s.kind)
			}
			if !strings.HasPrefix(err.Error(), "plugin[everything] tool["+s.tool+"]: ") {
				t.Errorf("step %d: error %q does not name the plugin and tool", i, err)
			}
			continue
		}
		if err != nil || got != s.want {
			t.Fatalf("step %d %s (session %q) = %q, %v; want %q", i, s.tool, s.session, got, err, s.want)
		}
	}

	// A session that ends loses its instance; the same id starts afresh.
	p.EndSession("a")
	waitFor(t, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.sessions["a"] == nil
	})
	if got, err := call(t, p, "a", "counter"); err != nil || got != "1" {
		t.Fatalf("after EndSession: counter = %q, %v; want 1", got, err)
	}
}

// Concurrent calls to a pooled plugin run on separate instances, up to
// max_concurrency, which the pool then keeps.
func TestPoolGrowsToConcurrency(t *testing.T) {
	p := load(t, "      instances: pooled\n      max_concurrency: 3\n")
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, err := p.CallTool(context.Background(), Request{}, "sleep", json.RawMessage(`{"ms":300}`)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	p.mu.Lock()
	idle := len(p.idle)
	p.mu.Unlock()
	if idle != 3 {
		t.Errorf("idle instances after 3 concurrent calls = %d, want 3", idle)
	}
}

// Calls beyond max_concurrency wait for a free slot and fail as Busy when
// none frees up before their timeout. The test holds the only slot itself:
// a guest call holding it would end at the same timeout and free it first.
func TestConcurrencyCap(t *testing.T) {
	p := load(t, "      instances: pooled\n      max_concurrency: 1\n      timeout: 500ms\n")
	p.slots <- struct{}{}
	_, err := p.CallTool(context.Background(), Request{}, "echo", json.RawMessage(`{"message":"x"}`))
	<-p.slots
	if KindOf(err) != Busy || !strings.Contains(err.Error(), "max_concurrency") {
		t.Errorf("call with no free slot = %v; want Busy naming max_concurrency", err)
	}
	if got, err := call(t, p, "", "echo"); err != nil {
		t.Errorf("after the slot freed: %q, %v", got, err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met in 5 s")
}
