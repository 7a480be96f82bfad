package egress

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for zero Options fields.
const (
	DefaultMaxResponseBytes = 4 << 20
	DefaultTimeout          = 30 * time.Second
	DefaultMaxRedirects     = 5

	maxResponseHeaderBytes = 1 << 20
)

// Resolver resolves host names. *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configure a Client.
type Options struct {
	// Policy decides which targets are allowed; nil denies everything.
	Policy *Policy
	// Credentials are added by the host to requests whose host matches. The
	// plugin never sees them; they are never logged or echoed in errors.
	Credentials []Credential
	// MaxResponseBytes caps the response body (0 = 4 MiB). A longer body is
	// cut at the cap and reported with Response.Truncated, not as an error.
	MaxResponseBytes int64
	// Timeout caps the whole request, redirects and body read included
	// (0 = 30 s). The context passed to Do also bounds it.
	Timeout time.Duration
	// MaxRedirects caps the redirect hops followed (0 = 5, negative = none).
	MaxRedirects int
	// Resolver resolves host names (nil = net.DefaultResolver).
	Resolver Resolver
	// RootCAs verifies server certificates (nil = the system roots).
	RootCAs *x509.CertPool
	// Logger receives denials (warn) and completed requests (debug). Nothing
	// is logged when nil. Header values and query strings are never logged.
	Logger *slog.Logger
}

// Validate reports configuration errors, such as a credential with an
// invalid host glob or header name, without revealing credential values.
func (o Options) Validate() error {
	_, err := compileCredentials(o.Credentials)
	return err
}

// Client performs plugin HTTP requests under a Policy. It is safe for
// concurrent use.
type Client struct {
	policy       *Policy
	creds        []compiledCredential
	err          error // from Options.Validate; every Do fails with it
	maxBody      int64
	timeout      time.Duration
	maxRedirects int
	resolver     Resolver
	rootCAs      *x509.CertPool
	log          *slog.Logger
	// dialTCP dials an IP:port literal; replaced only by in-package tests
	// that must not send traffic to the vetted (non-loopback) address.
	dialTCP func(ctx context.Context, network, address string) (net.Conn, error)
}

// New returns a Client. Invalid options (see Options.Validate) make every
// Do fail with the validation error, so a bad config fails closed.
func New(o Options) *Client {
	c := &Client{
		policy:       o.Policy,
		maxBody:      o.MaxResponseBytes,
		timeout:      o.Timeout,
		maxRedirects: o.MaxRedirects,
		resolver:     o.Resolver,
		rootCAs:      o.RootCAs,
		log:          o.Logger,
		dialTCP:      (&net.Dialer{}).DialContext,
	}
	c.creds, c.err = compileCredentials(o.Credentials)
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxResponseBytes
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	switch {
	case c.maxRedirects == 0:
		c.maxRedirects = DefaultMaxRedirects
	case c.maxRedirects < 0:
		c.maxRedirects = 0
	}
	if c.resolver == nil {
		c.resolver = net.DefaultResolver
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Request is a plugin's HTTP request, as in Extism's http_request.
type Request struct {
	Method string // "" = GET
	URL    string
	Header map[string]string
	Body   []byte
}

// Response is the result returned to the plugin.
type Response struct {
	Status int
	// Header has lower-case keys; repeated values are joined with ",".
	Header map[string]string
	Body   []byte
	// Truncated reports that the body was cut at MaxResponseBytes.
	Truncated bool
}

// Do performs r under the policy. A refused request or redirect hop returns
// a *DeniedError; running out of time returns a *TimeoutError.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	if c.err != nil {
		return nil, c.err
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("egress: invalid request url: %v", err)
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}

	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout, &errRequestTimeout{d: c.timeout})
	defer cancel()

	cl := &call{c: c, method: method, vetted: make(map[string][]netip.Addr)}
	t, err := cl.authorize(ctx, u, 0)
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(r.Body))
	if err != nil {
		return nil, fmt.Errorf("egress: %s %s: %v", method, t, err)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	applyCredentials(req.Header, c.creds, t.host, false)

	tr := &http.Transport{
		Proxy:       nil, // never a proxy, never the environment
		DialContext: cl.dial,
		TLSClientConfig: &tls.Config{
			RootCAs:    c.rootCAs,
			MinVersion: tls.VersionTLS12,
		},
		ForceAttemptHTTP2:      true,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, CheckRedirect: cl.checkRedirect}

	resp, err := hc.Do(req)
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	defer resp.Body.Close()
	body, truncated, err := readCapped(resp.Body, c.maxBody)
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	out := &Response{
		Status:    resp.StatusCode,
		Header:    make(map[string]string, len(resp.Header)),
		Body:      body,
		Truncated: truncated,
	}
	for k, vs := range resp.Header {
		out.Header[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "egress request",
		slog.String("method", method),
		slog.String("target", cl.current()),
		slog.Int("status", resp.StatusCode),
		slog.Int("bytes", len(body)),
		slog.Bool("truncated", truncated))
	return out, nil
}

// readCapped reads at most limit bytes of r and reports whether more followed.
func readCapped(r io.Reader, limit int64) ([]byte, bool, error) {
	n := limit
	if n < math.MaxInt64 {
		n++
	}
	b, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil {
		return nil, false, err
	}
	if int64(len(b)) > limit {
		return b[:limit], true, nil
	}
	return b, false, nil
}

// target is an authorised scheme://host:port.
type target struct {
	scheme string
	host   string     // lower-case, no trailing dot
	ip     netip.Addr // valid when host is an IP literal
	port   int
}

func (t target) String() string {
	return t.scheme + "://" + net.JoinHostPort(t.host, strconv.Itoa(t.port))
}

// call is the state of one Do: the addresses vetted for each host:port the
// transport may dial, and the current hop for error messages.
type call struct {
	c      *Client
	method string

	mu     sync.Mutex
	vetted map[string][]netip.Addr // dialKey → vetted addresses
	hop    string                  // current hop target
}

func dialKey(host, port string) string {
	return net.JoinHostPort(strings.TrimSuffix(strings.ToLower(host), "."), port)
}

func (cl *call) current() string {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.hop
}

// authorize checks scheme, userinfo, host and port against the policy,
// resolves the host once, vets every address and records them for dial.
func (cl *call) authorize(ctx context.Context, u *url.URL, hop int) (target, error) {
	deny := func(tgt, reason, grant string) error {
		if hop > 0 {
			reason = fmt.Sprintf("redirect hop %d: %s", hop, reason)
		}
		cl.c.log.LogAttrs(ctx, slog.LevelWarn, "egress denied",
			slog.String("method", cl.method),
			slog.String("target", tgt),
			slog.String("reason", reason))
		return &DeniedError{Target: tgt, Reason: reason, Grant: grant}
	}
	scheme := strings.ToLower(u.Scheme)
	raw := scheme + "://" + u.Host // u.Host never holds userinfo
	cl.mu.Lock()
	cl.hop = raw
	cl.mu.Unlock()
	if scheme != "http" && scheme != "https" {
		return target{}, deny(raw, fmt.Sprintf("scheme %q is not allowed (only http and https)", u.Scheme), "")
	}
	if u.User != nil {
		return target{}, deny(raw, "userinfo in the URL is not allowed (configure host-side credentials instead)", "")
	}
	hostname := u.Hostname()
	if hostname == "" || u.Opaque != "" {
		return target{}, deny(raw, "the URL has no host", "")
	}
	for i := 0; i < len(hostname); i++ {
		if hostname[i] >= 0x80 {
			return target{}, deny(raw, "non-ASCII host names are not supported (use the punycode xn-- form)", "")
		}
	}
	t := target{scheme: scheme, host: strings.TrimSuffix(strings.ToLower(hostname), "."), port: defaultPort(scheme)}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return target{}, deny(raw, fmt.Sprintf("invalid port %q", p), "")
		}
		t.port = n
	}
	if a, err := netip.ParseAddr(t.host); err == nil {
		if a.Zone() != "" {
			return target{}, deny(raw, "IPv6 zones are not allowed", "")
		}
		t.ip = a
	}
	cl.mu.Lock()
	cl.hop = t.String()
	cl.mu.Unlock()

	if !cl.c.policy.allows(t.scheme, t.host, t.ip, t.port) {
		return target{}, deny(t.String(), "not in allowed_hosts", grantForName(t.scheme, t.host, t.port))
	}

	addrs := []netip.Addr{t.ip}
	if !t.ip.IsValid() {
		var err error
		addrs, err = cl.c.resolver.LookupNetIP(ctx, "ip", t.host)
		if err != nil {
			return target{}, fmt.Errorf("resolve %s: %w", t.host, err)
		}
		if len(addrs) == 0 {
			return target{}, fmt.Errorf("resolve %s: no addresses", t.host)
		}
	}
	for _, a := range addrs {
		if !a.IsValid() {
			return target{}, fmt.Errorf("resolve %s: resolver returned an invalid address", t.host)
		}
		kind := specialKind(a)
		if kind == "" || cl.c.policy.grantsSpecial(t.scheme, t.host, t.ip.IsValid(), t.port, a) {
			continue
		}
		what := fmt.Sprintf("%s resolves to %s, a %s address", t.host, a, kind)
		if t.ip.IsValid() {
			what = fmt.Sprintf("%s is a %s address", a, kind)
		}
		return target{}, deny(t.String(), what+" that no explicit entry grants",
			grantForSpecial(t.scheme, t.host, t.ip.IsValid(), t.port, a, kind))
	}

	cl.mu.Lock()
	cl.vetted[dialKey(t.host, strconv.Itoa(t.port))] = addrs
	cl.mu.Unlock()
	return t, nil
}

// checkRedirect re-authorises every hop and re-evaluates credentials.
func (cl *call) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > cl.c.maxRedirects {
		return fmt.Errorf("stopped after %d redirects (limit %d)", cl.c.maxRedirects, cl.c.maxRedirects)
	}
	t, err := cl.authorize(req.Context(), req.URL, len(via))
	if err != nil {
		return err
	}
	applyCredentials(req.Header, cl.c.creds, t.host, true)
	return nil
}

// dial connects to a vetted address of addr's host. The name is never
// resolved again here, so a DNS answer cannot change between vetting and
// dialling; an addr that was not vetted is refused.
func (cl *call) dial(ctx context.Context, _, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("egress: dial %s: %v", addr, err)
	}
	cl.mu.Lock()
	addrs := cl.vetted[dialKey(host, port)]
	cl.mu.Unlock()
	if len(addrs) == 0 {
		return nil, fmt.Errorf("egress: refusing to dial %s: no vetted address", addr)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("egress: dial %s: invalid port", addr)
	}
	var errs []error
	for _, a := range addrs {
		conn, err := cl.c.dialTCP(ctx, "tcp", netip.AddrPortFrom(a, uint16(p)).String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// fail turns a transport error into the error Do returns: the DeniedError of
// a refused hop, a TimeoutError naming the limit that fired, or the cause
// prefixed with the method and scheme://host:port (never the query string).
func (cl *call) fail(ctx context.Context, err error) error {
	var de *DeniedError
	if errors.As(err, &de) {
		return de
	}
	where := cl.method + " " + cl.current()
	if ctx.Err() != nil {
		cause := context.Cause(ctx)
		var rt *errRequestTimeout
		switch {
		case errors.As(cause, &rt):
			return &TimeoutError{
				Target: where,
				Limit:  "the egress timeout of " + rt.d.String() + " fired",
				Grant:  "runtime_config.timeout",
			}
		case errors.Is(cause, context.DeadlineExceeded):
			return &TimeoutError{Target: where, Limit: "the tool call's deadline expired"}
		default:
			return fmt.Errorf("egress: %s: call ended: %w", where, cause)
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("egress: %s: %w", where, err)
}
