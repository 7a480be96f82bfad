package e2e

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// loopback is a test HTTP server on a loopback address that records every
// request it receives, so a test can prove that a refused request never
// left the host.
type loopback struct {
	*httptest.Server
	name string

	mu   sync.Mutex
	hits []string // "METHOD path" of every request received
}

// newLoopback starts a server on addr ("127.0.0.1:0", "[::1]:0") serving h.
// It returns nil if addr cannot be bound (IPv6 disabled, say).
func newLoopback(t *testing.T, name, addr string, h http.HandlerFunc) *loopback {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Logf("%s: cannot listen on %s (%v); its hit count is not checked", name, addr, err)
		return nil
	}
	l := &loopback{name: name}
	l.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.hits = append(l.hits, r.Method+" "+r.URL.Path)
		l.mu.Unlock()
		h(w, r)
	}))
	l.Listener.Close()
	l.Listener = ln
	l.Start()
	t.Cleanup(l.Close)
	return l
}

// Hits returns the requests received so far.
func (l *loopback) Hits() []string {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.hits...)
}

// Port is the server's port as a string.
func (l *loopback) Port() string {
	_, port, _ := net.SplitHostPort(l.Listener.Addr().String())
	return port
}

// echoHeaders answers with the request's headers as JSON (lower-case names,
// sorted), so a guest that reaches it learns exactly what the host sent.
func echoHeaders(w http.ResponseWriter, r *http.Request) {
	h := map[string]string{}
	for k, v := range r.Header {
		h[strings.ToLower(k)] = strings.Join(v, ",")
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(h)
}

// redirector answers /to?u=URL with a 302 to URL and /ok with 200.
func redirector(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/to":
		http.Redirect(w, r, r.URL.Query().Get("u"), http.StatusFound)
	case "/ok":
		_, _ = w.Write([]byte("redirector reached"))
	default:
		http.NotFound(w, r)
	}
}

// secretChecker answers /check with whether header carried want (without
// ever echoing it), /echo like echoHeaders (so it must only ever be reached
// without the credential), and /to like redirector.
func secretChecker(header, want string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/check":
			switch got := r.Header.Values(header); {
			case len(got) == 1 && got[0] == want:
				_, _ = w.Write([]byte("credential: match"))
			case len(got) == 0:
				_, _ = w.Write([]byte("credential: missing"))
			default:
				_, _ = w.Write([]byte("credential: mismatch"))
			}
		case "/echo":
			echoHeaders(w, r)
		case "/to":
			http.Redirect(w, r, r.URL.Query().Get("u"), http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}
}
