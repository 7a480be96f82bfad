package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/toolhost/toolhost/host"
	"github.com/toolhost/toolhost/host/config"
)

// LegacyVersion is the protocol revision the load client speaks (most
// deployed clients are legacy: initialize + Mcp-Session-Id).
const LegacyVersion = "2025-11-25"

// Server is an MCP endpoint under load, on 127.0.0.1.
type Server struct {
	Name     string
	URL      string // .../mcp
	Tool     string // the echo tool's exposed name
	srv      *http.Server
	closeFns []func() error
}

// Close stops the server.
func (s *Server) Close() error {
	errs := []error{s.srv.Close()}
	for _, f := range s.closeFns {
		errs = append(errs, f())
	}
	return errors.Join(errs...)
}

func listen(name, tool string, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Name: name, URL: "http://" + ln.Addr().String() + "/mcp", Tool: tool,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go s.srv.Serve(ln)
	return s, nil
}

// StartNative serves NativeServer on 127.0.0.1.
func StartNative(toolhostOptions bool) (*Server, error) {
	name := "native mcp-go"
	if toolhostOptions {
		name += " (toolhost's server options)"
	}
	return listen(name, "echo", NativeHandler(NativeServer(toolhostOptions), toolhostOptions))
}

// ToolhostOptions configure StartToolhost.
type ToolhostOptions struct {
	WasmPath string
	// Instances is runtime_config.instances; "" keeps the default
	// (per-session).
	Instances string
	// Logger receives the host's logs. Nil means what `toolhost serve`
	// does by default (text at info level, one line per tool call), written
	// to io.Discard so the figure has the formatting cost but no terminal.
	Logger   *slog.Logger
	CacheDir string
}

// StartToolhost runs toolhost in process (as e2e does) with the benchmark
// guest as plugin "bench", on 127.0.0.1.
func StartToolhost(ctx context.Context, o ToolhostOptions) (*Server, error) {
	rc := ""
	if o.Instances != "" {
		rc = "\n    runtime_config:\n      instances: " + o.Instances
	}
	cfg, err := config.Parse([]byte(fmt.Sprintf("plugins:\n  bench:\n    url: file://%s%s\n", o.WasmPath, rc)),
		config.YAML, config.Options{LookupEnv: os.LookupEnv, BaseDir: os.TempDir()})
	if err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	h, err := host.New(ctx, cfg, host.Options{Logger: log, CacheDir: o.CacheDir})
	if err != nil {
		return nil, err
	}
	s, err := listen("toolhost", "bench-echo", h.HTTPHandler(host.HTTPOptions{}))
	if err != nil {
		h.Close(ctx)
		return nil, err
	}
	s.closeFns = append(s.closeFns, func() error { return h.Close(context.Background()) })
	return s, nil
}

// Client is a minimal legacy streamable HTTP MCP client: it prebuilds its
// requests and parses nothing but what it must, so that the load generator
// takes as little of the shared CPU as possible.
type Client struct {
	hc      *http.Client
	url     string
	session string
	body    []byte
	want    []byte
}

func newHTTPClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy: nil, MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, IdleConnTimeout: time.Minute,
	}}
}

// Connect initializes a legacy session with s.
func Connect(ctx context.Context, hc *http.Client, s *Server) (*Client, error) {
	c := &Client{hc: hc, url: s.URL,
		body: []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"` + s.Tool + `","arguments":` + string(EchoArgs) + `}}`),
		want: []byte(`hello, benchmark`)}
	resp, body, err := c.post(ctx, []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"`+LegacyVersion+`","capabilities":{},"clientInfo":{"name":"toolhost-bench","version":"1"}}}`))
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(body, []byte(`"result"`)) {
		return nil, fmt.Errorf("initialize: %s", body)
	}
	c.session = resp.Header.Get("Mcp-Session-Id")
	if c.session == "" {
		return nil, errors.New("initialize: no Mcp-Session-Id")
	}
	if _, _, err := c.post(ctx, []byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Client) post(ctx context.Context, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if c.session != "" {
		req.Header.Set("Mcp-Session-Id", c.session)
		req.Header.Set("MCP-Protocol-Version", LegacyVersion)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, nil, fmt.Errorf("HTTP %s: %s", resp.Status, b)
	}
	return resp, b, nil
}

// CallEcho makes one tools/call of the echo tool and checks the answer.
func (c *Client) CallEcho(ctx context.Context) error {
	_, b, err := c.post(ctx, c.body)
	if err != nil {
		return err
	}
	if !bytes.Contains(b, c.want) || bytes.Contains(b, []byte(`"isError":true`)) {
		return fmt.Errorf("tools/call: unexpected answer %.300s", b)
	}
	return nil
}

// Close ends the session.
func (c *Client) Close() {
	req, err := http.NewRequest(http.MethodDelete, c.url, nil)
	if err == nil {
		req.Header.Set("Mcp-Session-Id", c.session)
		if resp, err := c.hc.Do(req); err == nil {
			resp.Body.Close()
		}
	}
}

// LoadResult is one load run against one server.
type LoadResult struct {
	Server      string
	Concurrency int
	Calls       int
	Errors      int
	Elapsed     time.Duration
	CPU         time.Duration // CPU time of the whole process (server and client) while measuring
	RPS         float64
	P50, P99    time.Duration
	latencies   []time.Duration
}

// Load runs concurrency workers, each with its own session, calling the
// echo tool in a closed loop: warm for warm, then measured for d.
func Load(ctx context.Context, s *Server, concurrency int, warm, d time.Duration) (*LoadResult, error) {
	return load(ctx, s, concurrency, warm, d, nil, nil)
}

// load is Load with hooks run just before and just after the measured
// phase (e.g. to profile only that).
func load(ctx context.Context, s *Server, concurrency int, warm, d time.Duration, before, after func()) (*LoadResult, error) {
	hc := newHTTPClient(concurrency)
	defer hc.CloseIdleConnections()
	clients := make([]*Client, concurrency)
	for i := range clients {
		c, err := Connect(ctx, hc, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		clients[i] = c
		defer c.Close()
	}
	run := func(d time.Duration, record bool) (*LoadResult, error) {
		var measuring atomic.Bool
		measuring.Store(true)
		lat := make([][]time.Duration, concurrency)
		errs := make([]int, concurrency)
		var firstErr error
		var once sync.Once
		var wg sync.WaitGroup
		cpu0 := processCPU()
		start := time.Now()
		for i, c := range clients {
			wg.Go(func() {
				for measuring.Load() {
					t0 := time.Now()
					if err := c.CallEcho(ctx); err != nil {
						errs[i]++
						once.Do(func() { firstErr = err })
						if ctx.Err() != nil {
							return
						}
						continue
					}
					if record {
						lat[i] = append(lat[i], time.Since(t0))
					}
				}
			})
		}
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
		measuring.Store(false)
		wg.Wait()
		elapsed := time.Since(start)
		r := &LoadResult{Server: s.Name, Concurrency: concurrency, Elapsed: elapsed, CPU: processCPU() - cpu0}
		for i := range lat {
			r.latencies = append(r.latencies, lat[i]...)
			r.Errors += errs[i]
		}
		r.Calls = len(r.latencies)
		r.RPS = float64(r.Calls) / elapsed.Seconds()
		r.P50, r.P99 = percentile(r.latencies, 0.50), percentile(r.latencies, 0.99)
		if r.Errors > 0 {
			return r, fmt.Errorf("%s: %d of %d calls failed, first: %w", s.Name, r.Errors, r.Errors+r.Calls, firstErr)
		}
		return r, ctx.Err()
	}
	if _, err := run(warm, false); err != nil {
		return nil, err
	}
	if before != nil {
		before()
	}
	r, err := run(d, true)
	if after != nil {
		after()
	}
	return r, err
}

func percentile(xs []time.Duration, p float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(p*float64(len(s)-1) + 0.5)
	return s[i]
}

// mergeLoads pools the latencies of several runs of the same server.
func mergeLoads(rs []*LoadResult) *LoadResult {
	if len(rs) == 0 {
		return nil
	}
	m := &LoadResult{Server: rs[0].Server, Concurrency: rs[0].Concurrency}
	for _, r := range rs {
		m.Calls += r.Calls
		m.Errors += r.Errors
		m.Elapsed += r.Elapsed
		m.CPU += r.CPU
		m.latencies = append(m.latencies, r.latencies...)
	}
	m.RPS = float64(m.Calls) / m.Elapsed.Seconds()
	m.P50, m.P99 = percentile(m.latencies, 0.50), percentile(m.latencies, 0.99)
	return m
}

// CPUPerCall is the process CPU time (server and load client) per call.
func (r *LoadResult) CPUPerCall() time.Duration {
	if r.Calls == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Calls)
}

// String formats a load result on one line.
func (r *LoadResult) String() string {
	return fmt.Sprintf("%-42s c=%d %7.0f calls/s  p50 %8s  p99 %8s  CPU/call %7s  (%d calls)", r.Server, r.Concurrency, r.RPS,
		fmtDur(r.P50), fmtDur(r.P99), fmtDur(r.CPUPerCall()), r.Calls)
}

// processCPU is this process's user+system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
