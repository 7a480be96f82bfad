package egress

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// testResolver answers from a fixed table and never touches the network.
// answers[name] is a list of answers, one per lookup; the last one repeats.
type testResolver struct {
	mu      sync.Mutex
	answers map[string][]string
	calls   map[string]int
}

func newResolver(m map[string]string) *testResolver {
	r := &testResolver{answers: make(map[string][]string), calls: make(map[string]int)}
	for name, ips := range m {
		r.answers[name] = []string{ips}
	}
	return r
}

func (r *testResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seq, ok := r.answers[host]
	if !ok {
		return nil, fmt.Errorf("test resolver: no such host %q", host)
	}
	n := r.calls[host]
	r.calls[host]++
	ans := seq[min(n, len(seq)-1)]
	var out []netip.Addr
	for _, s := range strings.Split(ans, ",") {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

func (r *testResolver) lookups(host string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[host]
}

// server is a loopback httptest server that counts hits and records the
// last request's headers.
type server struct {
	*httptest.Server
	port string
	hits atomic.Int32

	mu   sync.Mutex
	last http.Header
	tls  string // TLS ServerName of the last request
	body []byte
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(s.wrap(h))
	t.Cleanup(s.Close)
	s.port = portOf(t, s.URL)
	return s
}

func newTLSServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(s.wrap(h))
	// Failed handshakes are expected in tests; keep them out of the output.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	s.port = portOf(t, s.URL)
	return s
}

func (s *server) wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		var body bytes.Buffer
		_, _ = body.ReadFrom(r.Body)
		s.mu.Lock()
		s.last = r.Header.Clone()
		s.body = body.Bytes()
		if r.TLS != nil {
			s.tls = r.TLS.ServerName
		}
		s.mu.Unlock()
		if h != nil {
			h(w, r)
		}
	}
}

func (s *server) lastHeader() http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func portOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }

func mustPolicy(t testing.TB, entries ...string) *Policy {
	t.Helper()
	p, err := ParseRules(entries)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func debugLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// listenV6 reports whether IPv6 loopback is usable.
func listenV6(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("IPv6 loopback unavailable: %v", err)
	}
	return l
}
