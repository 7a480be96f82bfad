package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// delivery counts, for one stream scope (a legacy session, or one
// stateless request), the progress and log notifications toolhost queued
// and how many of them reached the wire on any of the scope's streams.
//
// Two mcp-go v1.2.1 behaviours make a request's notifications arrive after
// its result, which clients then ignore: its POST forwarder can drop the
// last notification (the response path wins a lock race and closes the
// stream), and on a legacy session with a GET stream open either stream may
// take a notification off the shared session channel. So handlers hold the
// result, boundedly, until every notification they queued was written
// somewhere. See RATIONALE.md, "Why is every progress notification
// delivered?".
type delivery struct {
	// missingCapability, set by a stateless request's handler, makes the
	// response the spec's -32021 error (see missingCapability).
	missingCapability atomic.Pointer[string]

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change
	queued  int
	written int
}

type deliveryKey struct{}

func deliveryFrom(ctx context.Context) *delivery {
	d, _ := ctx.Value(deliveryKey{}).(*delivery)
	return d
}

func (d *delivery) notify() {
	close(d.changed)
	d.changed = make(chan struct{})
}

func (d *delivery) queue() {
	d.mu.Lock()
	d.queued++
	d.notify()
	d.mu.Unlock()
}

func (d *delivery) wrote(events int) {
	d.mu.Lock()
	d.written += events
	d.notify()
	d.mu.Unlock()
}

// wait returns once every queued notification was written, ctx ends or
// limit passes.
func (d *delivery) wait(ctx context.Context, limit time.Duration) {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for {
		d.mu.Lock()
		done, ch := d.written >= d.queued, d.changed
		d.mu.Unlock()
		if done {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return
		case <-timer.C:
			return
		}
	}
}

// reqStream is a legacy POST's own SSE response. A legacy request's
// progress and log notifications are written here directly rather than
// through the session's notification channel, which the session's GET
// stream also drains: there, a request's notification could reach the
// client on the other stream, after the result (see RATIONALE.md, "Why is
// every progress notification delivered?").
type reqStream struct{ w *countingWriter }

type reqStreamKey struct{}

func reqStreamFrom(ctx context.Context) *reqStream {
	s, _ := ctx.Value(reqStreamKey{}).(*reqStream)
	return s
}

// send writes one JSON-RPC notification as an SSE event, upgrading the
// response to an event stream if it is not one yet.
func (s *reqStream) send(n mcp.JSONRPCNotification) error {
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	w := s.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.wroteHeader {
		h := w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Connection", "keep-alive")
		h.Set("Cache-Control", "no-cache")
		w.ResponseWriter.WriteHeader(http.StatusOK)
		w.wroteHeader = true
	}
	if _, err := w.ResponseWriter.Write([]byte("event: message\ndata: " + string(b) + "\n\n")); err != nil {
		return err
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	return nil
}

// trackDelivery wraps the MCP handler so every request carries its scope's
// delivery tracker and every response counts the notification lines it
// writes. Legacy requests (with Mcp-Session-Id) share their session's
// tracker; stateless requests get their own.
func (s *Server) trackDelivery(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var d *delivery
		if id := r.Header.Get("Mcp-Session-Id"); id != "" {
			v, _ := s.deliveries.LoadOrStore(id, newDelivery())
			d = v.(*delivery)
		} else {
			d = newDelivery()
		}
		cw := &countingWriter{ResponseWriter: w, d: d}
		ctx := context.WithValue(r.Context(), deliveryKey{}, d)
		if r.Method == http.MethodPost && r.Header.Get("Mcp-Session-Id") != "" && strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			ctx = context.WithValue(ctx, reqStreamKey{}, &reqStream{w: cw})
		}
		h.ServeHTTP(cw, r.WithContext(ctx))
	})
}

func newDelivery() *delivery { return &delivery{changed: make(chan struct{})} }

// countingWriter counts the SSE lines that carry a progress or log
// notification. JSON-RPC messages never contain a raw newline, so an SSE
// "data:" line is one whole message.
type countingWriter struct {
	http.ResponseWriter
	d *delivery

	mu          sync.Mutex // serialises mcp-go's writes and reqStream's
	wroteHeader bool
	line        []byte // the current line, up to maxLine bytes
	rewrite     bool   // the next write is the response to turn into -32021
}

const maxLine = 256

var (
	dataPrefix     = []byte("data:")
	progressMethod = []byte(`"method":"notifications/progress"`)
	messageMethod  = []byte(`"method":"notifications/message"`)
)

func (w *countingWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.wroteHeader {
		return // reqStream already answered with an event stream
	}
	w.wroteHeader = true
	if w.d.missingCapability.Load() != nil && code == http.StatusOK && strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		code = http.StatusBadRequest
		w.rewrite = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.wroteHeader = true
	if w.rewrite {
		w.rewrite = false
		if out, ok := missingCapabilityError(b, *w.d.missingCapability.Load()); ok {
			if _, err := w.ResponseWriter.Write(out); err != nil {
				return 0, err
			}
			return len(b), nil
		}
	}
	n, err := w.ResponseWriter.Write(b)
	events := 0
	for _, c := range b[:n] {
		if c == '\n' {
			if isNotificationLine(w.line) {
				events++
			}
			w.line = w.line[:0]
			continue
		}
		if len(w.line) < maxLine {
			w.line = append(w.line, c)
		}
	}
	if events > 0 {
		w.d.wrote(events)
	}
	return n, err
}

// isNotificationLine reports whether an SSE line carries a progress or log
// notification. mcp-go writes "method" within the first bytes of the
// message, which maxLine keeps.
func isNotificationLine(line []byte) bool {
	return bytes.HasPrefix(line, dataPrefix) && (bytes.Contains(line, progressMethod) || bytes.Contains(line, messageMethod))
}

func (w *countingWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// awaitDelivery holds a request's result until the notifications queued
// in its scope are on the wire (at most two seconds).
func awaitDelivery(ctx context.Context) {
	if d := deliveryFrom(ctx); d != nil {
		d.wait(ctx, 2*time.Second)
	}
}

// missingCapability marks a stateless request whose guest needed a client
// capability the request did not declare. mcp-go v1.2.1 reports every tool
// handler error as -32603; the spec requires -32021 with HTTP 400 and the
// capability in error.data.requiredCapabilities, so the response writer
// rewrites that one error. See RATIONALE.md, "Why are modern calls parked
// for input?".
func missingCapability(ctx context.Context, capability string) {
	if d := deliveryFrom(ctx); d != nil {
		d.missingCapability.Store(&capability)
	}
}

// missingCapabilityError rewrites a JSON-RPC error response as -32021.
func missingCapabilityError(body []byte, capability string) ([]byte, bool) {
	var msg struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &msg) != nil || msg.Error == nil {
		return nil, false
	}
	out, err := json.Marshal(map[string]any{
		"jsonrpc": "2.0", "id": msg.ID,
		"error": map[string]any{
			"code":    mcp.MISSING_REQUIRED_CLIENT_CAPABILITY,
			"message": msg.Error.Message,
			"data":    map[string]any{"requiredCapabilities": map[string]any{capability: map[string]any{}}},
		},
	})
	if err != nil {
		return nil, false
	}
	return append(out, '\n'), true
}
