package mcpserver

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestStdioDrain checks which traffic keeps the end of the input back:
// requests until their response (split across writes, or in a batch) or
// the client's cancellation; not notifications, not responses the client
// sends to the server's own requests, not lines that do not parse.
func TestStdioDrain(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		out     []string // written by the server after EOF was read
		pending int
	}{
		{"request answered", `{"jsonrpc":"2.0","id":1,"method":"tools/call"}` + "\n", []string{`{"jsonrpc":"2.0","id":1,"result":{}}` + "\n"}, 1},
		{"answer split across writes", `{"jsonrpc":"2.0","id":"a","method":"ping"}` + "\n", []string{`{"jsonrpc":"2.0",`, `"id":"a","result":{}}` + "\n"}, 1},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]` + "\n",
			[]string{`{"jsonrpc":"2.0","id":2,"result":{}}` + "\n" + `{"jsonrpc":"2.0","id":1,"result":{}}` + "\n"}, 2},
		{"cancelled by the client", `{"jsonrpc":"2.0","id":7,"method":"tools/call"}` + "\n" + `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}` + "\n", nil, 0},
		{"notification and client response", `{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" + `{"jsonrpc":"2.0","id":9,"result":{}}` + "\n", nil, 0},
		{"not JSON, no newline at the end", "garbage\n" + `{"jsonrpc":"2.0","id":3,"method":"ping"}`, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newStdioDrain(context.Background())
			r := d.reader(strings.NewReader(tc.in))
			w := d.writer(io.Discard)
			done := make(chan struct{})
			go func() {
				io.ReadAll(r)
				close(done)
			}()
			deadline := time.Now().Add(10 * time.Second)
			for {
				d.mu.Lock()
				n := 0
				for _, c := range d.pending {
					n += c
				}
				d.mu.Unlock()
				if n == tc.pending || time.Now().After(deadline) {
					if n != tc.pending {
						t.Fatalf("pending = %d, want %d", n, tc.pending)
					}
					break
				}
				time.Sleep(time.Millisecond)
			}
			if tc.pending > 0 {
				select {
				case <-done:
					t.Fatal("the input ended with requests unanswered")
				case <-time.After(20 * time.Millisecond):
				}
			}
			for _, s := range tc.out {
				w.Write([]byte(s))
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the input did not end once every request was answered")
			}
		})
	}
	// A context that ends stops the wait.
	ctx, cancel := context.WithCancel(context.Background())
	d := newStdioDrain(ctx)
	r := d.reader(strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}` + "\n"))
	done := make(chan struct{})
	go func() { io.ReadAll(r); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled context did not end the wait")
	}
}
