package egress

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// asDenied fails the test unless err is a *DeniedError.
func asDenied(t *testing.T, err error) *DeniedError {
	t.Helper()
	var de *DeniedError
	if !errors.As(err, &de) {
		t.Fatalf("error = %v (%T), want *DeniedError", err, err)
	}
	return de
}

// Rule 1: deny by default, http/https only, default ports only.
func TestDenyByDefault(t *testing.T) {
	srv := newServer(t, ok)
	base := "http://127.0.0.1:" + srv.port + "/"
	tests := []struct {
		name       string
		policy     *Policy
		url        string
		wantReason string
		wantGrant  string
	}{
		{"nil policy", nil, base, "not in allowed_hosts", `add "127.0.0.1:` + srv.port + `"`},
		{"empty policy", mustPolicy(t), base, "not in allowed_hosts", `add "127.0.0.1:` + srv.port + `"`},
		{"ftp scheme under star", mustPolicy(t, "*:*", "127.0.0.1/32:*"), "ftp://127.0.0.1:" + srv.port + "/", `scheme "ftp" is not allowed`, ""},
		{"file scheme", mustPolicy(t, "*:*"), "file:///etc/passwd", `scheme "file" is not allowed`, ""},
		{"gopher scheme", mustPolicy(t, "*:*"), "gopher://127.0.0.1:" + srv.port + "/", `scheme "gopher" is not allowed`, ""},
		{"no port in entry admits only 80", mustPolicy(t, "127.0.0.1"), base, "not in allowed_hosts", `add "127.0.0.1:` + srv.port + `"`},
		{"https-only entry", mustPolicy(t, "https://127.0.0.1:*"), base, "not in allowed_hosts", ""},
		{"other port", mustPolicy(t, "127.0.0.1:1"), base, "not in allowed_hosts", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{Policy: tt.policy})
			_, err := c.Do(context.Background(), Request{URL: tt.url})
			de := asDenied(t, err)
			if !strings.Contains(de.Reason, tt.wantReason) {
				t.Errorf("Reason = %q, want %q", de.Reason, tt.wantReason)
			}
			if !strings.Contains(de.Grant, tt.wantGrant) || !strings.Contains(de.Error(), de.Reason) {
				t.Errorf("Grant = %q, want %q; Error() = %q", de.Grant, tt.wantGrant, de.Error())
			}
		})
	}
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("server hit %d times by denied requests", n)
	}
}

// Rule 2: host matching is case-insensitive, ignores a trailing dot, and
// userinfo is rejected; errors carry neither userinfo nor query.
func TestHostMatching(t *testing.T) {
	srv := newServer(t, ok)
	res := newResolver(map[string]string{"api.example.test": "127.0.0.1", "other.test": "127.0.0.1"})
	c := New(Options{Policy: mustPolicy(t, "Api.Example.TEST:"+srv.port, "127.0.0.1/32:*"), Resolver: res})

	t.Run("case and trailing dot", func(t *testing.T) {
		resp, err := c.Do(context.Background(), Request{URL: "http://API.example.Test.:" + srv.port + "/x"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 200 || string(resp.Body) != "ok" {
			t.Fatalf("got %d %q", resp.Status, resp.Body)
		}
	})
	denied := []struct {
		name, url, reason string
		secrets           []string
	}{
		{"userinfo", "http://alice:hunter2@127.0.0.1:" + srv.port + "/", "userinfo", []string{"hunter2", "alice"}},
		{"userinfo no password", "http://tok3n@127.0.0.1:" + srv.port + "/", "userinfo", []string{"tok3n"}},
		{"other host", "http://other.test:" + srv.port + "/p/a/t/h?token=s3cr3t", "not in allowed_hosts", []string{"s3cr3t", "token", "/p/a/t/h"}},
		{"non-ascii host", "http://bücher.test:" + srv.port + "/", "non-ASCII", nil},
	}
	for _, tt := range denied {
		t.Run(tt.name, func(t *testing.T) {
			hits := srv.hits.Load()
			_, err := c.Do(context.Background(), Request{URL: tt.url})
			de := asDenied(t, err)
			if !strings.Contains(de.Reason, tt.reason) {
				t.Errorf("Reason = %q, want %q", de.Reason, tt.reason)
			}
			for _, s := range tt.secrets {
				if strings.Contains(err.Error(), s) || strings.Contains(de.Target, s) {
					t.Errorf("error %q leaks %q", err, s)
				}
			}
			if srv.hits.Load() != hits {
				t.Error("denied request reached the server")
			}
		})
	}
}

// Rules 4 and 8: special addresses are refused under "*" and globs and
// reached only through an explicit IP/CIDR or exact-name grant.
func TestSpecialAddresses(t *testing.T) {
	srv := newServer(t, ok)
	p := srv.port
	res := newResolver(map[string]string{
		"evil.test":         "127.0.0.1",
		"localhost":         "127.0.0.1",
		"svc.internal":      "127.0.0.1",
		"meta.test":         "169.254.169.254",
		"meta6.test":        "fd00:ec2::254",
		"alibaba.test":      "100.100.100.200",
		"nat64.test":        "64:ff9b::7f00:1",
		"mapped.test":       "::ffff:127.0.0.1",
		"private.test":      "10.0.0.1",
		"cgnat.test":        "100.64.0.1",
		"v6loop.test":       "::1",
		"mixed.test":        "203.0.113.7,127.0.0.1",
		"unspecified.test":  "0.0.0.0",
		"multicast.test":    "224.0.0.1",
		"linklocal6.test":   "fe80::1",
		"broadcast.test":    "255.255.255.255",
		"private6.test":     "fd12::1",
		"mapped-meta.test":  "::ffff:169.254.169.254",
		"nat64-meta.test":   "64:ff9b::a9fe:a9fe",
		"nat64-priv.test":   "64:ff9b::c0a8:0101",
		"sixto4-loop.test":  "2002:7f00:1::",
		"link-local4.test":  "169.254.10.10",
		"private-172.test":  "172.20.0.1",
		"private-192.test":  "192.168.0.10",
		"this-network.test": "0.1.2.3",
	})
	tests := []struct {
		name    string
		entries []string
		url     string
		allowed bool
		reason  string // for denials
	}{
		{"star name to loopback", []string{"*:*"}, "http://evil.test:" + p, false, "127.0.0.1, a loopback address"},
		{"glob name to loopback", []string{"*.test:*"}, "http://evil.test:" + p, false, "loopback"},
		{"star literal loopback", []string{"*:*"}, "http://127.0.0.1:" + p, false, "127.0.0.1 is a loopback address"},
		{"star mapped literal", []string{"*:*"}, "http://[::ffff:127.0.0.1]:" + p, false, "IPv4-mapped form of loopback"},
		{"star v6 loopback literal", []string{"*:*"}, "http://[::1]:" + p, false, "loopback"},
		{"star name to v6 loopback", []string{"*:*"}, "http://v6loop.test:" + p, false, "loopback"},
		{"mapped answer", []string{"*:*"}, "http://mapped.test:" + p, false, "IPv4-mapped form of loopback"},
		{"metadata v4", []string{"*"}, "http://meta.test/", false, "cloud metadata"},
		{"metadata literal", []string{"*"}, "http://169.254.169.254/latest/meta-data", false, "cloud metadata"},
		{"metadata v6", []string{"*"}, "http://meta6.test/", false, "cloud metadata"},
		{"metadata alibaba", []string{"*"}, "http://alibaba.test/", false, "cloud metadata"},
		{"metadata mapped", []string{"*"}, "http://mapped-meta.test/", false, "IPv4-mapped form of cloud metadata"},
		{"metadata NAT64", []string{"*"}, "http://nat64-meta.test/", false, "NAT64 form of cloud metadata"},
		{"NAT64 loopback", []string{"*:*"}, "http://nat64.test:" + p, false, "NAT64 form of loopback"},
		{"NAT64 private", []string{"*"}, "http://nat64-priv.test/", false, "NAT64 form of private"},
		{"6to4 loopback", []string{"*"}, "http://sixto4-loop.test/", false, "6to4 form of loopback"},
		{"private 10/8", []string{"*"}, "http://private.test/", false, "private"},
		{"private 172.16/12", []string{"*"}, "http://private-172.test/", false, "private"},
		{"private 192.168/16", []string{"*"}, "http://private-192.test/", false, "private"},
		{"private fc00::/7", []string{"*"}, "http://private6.test/", false, "private"},
		{"cgnat", []string{"*"}, "http://cgnat.test/", false, "carrier-grade NAT"},
		{"link-local v4", []string{"*"}, "http://link-local4.test/", false, "link-local"},
		{"link-local v6", []string{"*"}, "http://linklocal6.test/", false, "link-local"},
		{"unspecified", []string{"*"}, "http://unspecified.test/", false, "unspecified"},
		{"unspecified literal", []string{"*"}, "http://0.0.0.0/", false, "unspecified"},
		{"this network", []string{"*"}, "http://this-network.test/", false, "this-network"},
		{"multicast", []string{"*"}, "http://multicast.test/", false, "multicast"},
		{"broadcast", []string{"*"}, "http://broadcast.test/", false, "broadcast"},
		{"every answer vetted", []string{"*:*"}, "http://mixed.test:" + p, false, "127.0.0.1, a loopback address"},
		{"cidr grant wrong port", []string{"*:*", "127.0.0.1/32"}, "http://127.0.0.1:" + p, false, "loopback"},
		{"cidr alone admits no names", []string{"127.0.0.1/32:*"}, "http://evil.test:" + p, false, "not in allowed_hosts"},
		{"exact name grants only that name", []string{"localhost:*", "*:*"}, "http://evil.test:" + p, false, "loopback"},
		{"cidr grant literal", []string{"127.0.0.1/32:" + p}, "http://127.0.0.1:" + p, true, ""},
		{"cidr grant any port", []string{"127.0.0.0/8:*"}, "http://127.0.0.1:" + p, true, ""},
		{"ip entry grant", []string{"127.0.0.1:" + p}, "http://127.0.0.1:" + p, true, ""},
		{"exact localhost", []string{"localhost:" + p}, "http://localhost:" + p, true, ""},
		{"exact internal name", []string{"svc.internal:*"}, "http://svc.internal:" + p, true, ""},
		{"glob plus cidr grant", []string{"*.test:*", "127.0.0.1/32:*"}, "http://evil.test:" + p, true, ""},
		{"mapped literal under v4 grant", []string{"127.0.0.1:" + p}, "http://[::ffff:127.0.0.1]:" + p, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := srv.hits.Load()
			c := New(Options{Policy: mustPolicy(t, tt.entries...), Resolver: res})
			resp, err := c.Do(context.Background(), Request{URL: tt.url})
			if tt.allowed {
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				if string(resp.Body) != "ok" || srv.hits.Load() != hits+1 {
					t.Fatalf("request did not reach the server: %d %q", resp.Status, resp.Body)
				}
				return
			}
			de := asDenied(t, err)
			if !strings.Contains(de.Reason, tt.reason) {
				t.Errorf("Reason = %q, want %q", de.Reason, tt.reason)
			}
			if strings.Contains(tt.reason, "address") || !strings.Contains(tt.reason, "allowed_hosts") {
				if !strings.Contains(de.Grant, "never grant") || !strings.Contains(de.Grant, "runtime_config.allowed_hosts") {
					t.Errorf("Grant = %q, want the explicit-grant rule", de.Grant)
				}
			}
			if srv.hits.Load() != hits {
				t.Error("denied request reached the server")
			}
		})
	}
}

// Rule 4 over IPv6: an explicit [::1] or ::1/128 grant reaches a v6 server.
func TestIPv6LoopbackGrant(t *testing.T) {
	l := listenV6(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(ok))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	port := portOf(t, srv.URL)
	for _, entry := range []string{"[::1]:" + port, "::1/128:*", "[::1/128]:" + port} {
		t.Run(entry, func(t *testing.T) {
			c := New(Options{Policy: mustPolicy(t, entry)})
			resp, err := c.Do(context.Background(), Request{URL: "http://[::1]:" + port + "/"})
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != "ok" {
				t.Fatalf("body %q", resp.Body)
			}
		})
	}
}

// Rules 3 and 8: the name is resolved once and the vetted IP is dialled; a
// second (rebinding) answer is never consulted.
func TestResolveOnceDialVetted(t *testing.T) {
	t.Run("loopback end to end", func(t *testing.T) {
		srv := newServer(t, ok)
		// First answer is granted; a second lookup would return an ungranted
		// loopback address where nothing listens.
		res := &testResolver{
			answers: map[string][]string{"rebind.test": {"127.0.0.1", "127.0.0.2"}},
			calls:   map[string]int{},
		}
		c := New(Options{Policy: mustPolicy(t, "*.test:*", "127.0.0.1/32:*"), Resolver: res})
		resp, err := c.Do(context.Background(), Request{URL: "http://rebind.test:" + srv.port + "/"})
		if err != nil {
			t.Fatal(err)
		}
		if string(resp.Body) != "ok" {
			t.Fatalf("body %q", resp.Body)
		}
		if n := res.lookups("rebind.test"); n != 1 {
			t.Fatalf("%d lookups, want 1", n)
		}
	})
	t.Run("public then loopback", func(t *testing.T) {
		res := &testResolver{
			answers: map[string][]string{"rebind.test": {"203.0.113.7", "127.0.0.1"}},
			calls:   map[string]int{},
		}
		c := New(Options{Policy: mustPolicy(t, "*:*"), Resolver: res})
		// Record the dialled address instead of connecting: the test must not
		// send traffic to 203.0.113.7.
		var dialed []string
		c.dialTCP = func(_ context.Context, _, address string) (net.Conn, error) {
			dialed = append(dialed, address)
			return nil, errors.New("test dialer: not connecting")
		}
		_, err := c.Do(context.Background(), Request{URL: "http://rebind.test:8080/"})
		if err == nil || !strings.Contains(err.Error(), "test dialer: not connecting") {
			t.Fatalf("error = %v, want the test dialer's refusal", err)
		}
		if n := res.lookups("rebind.test"); n != 1 {
			t.Fatalf("%d lookups, want 1", n)
		}
		if len(dialed) != 1 || dialed[0] != "203.0.113.7:8080" {
			t.Fatalf("dialed %q, want exactly the vetted [203.0.113.7:8080]", dialed)
		}
	})
}

// Rule 3: TLS verifies the host name while the vetted IP is dialled.
func TestTLSServerNameIsHostName(t *testing.T) {
	srv := newTLSServer(t, ok)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	res := newResolver(map[string]string{"example.com": "127.0.0.1", "wrong.test": "127.0.0.1"})
	c := New(Options{
		Policy:   mustPolicy(t, "example.com:"+srv.port, "wrong.test:"+srv.port),
		Resolver: res,
		RootCAs:  pool,
	})
	resp, err := c.Do(context.Background(), Request{URL: "https://example.com:" + srv.port + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "ok" {
		t.Fatalf("body %q", resp.Body)
	}
	srv.mu.Lock()
	sni := srv.tls
	srv.mu.Unlock()
	if sni != "example.com" {
		t.Fatalf("TLS ServerName = %q, want example.com", sni)
	}
	// The certificate does not cover wrong.test, so verification must fail.
	if _, err := c.Do(context.Background(), Request{URL: "https://wrong.test:" + srv.port + "/"}); err == nil ||
		!strings.Contains(err.Error(), "certificate") {
		t.Fatalf("error = %v, want a certificate error", err)
	}
}

// Rule 3: no proxy, whatever the environment says.
func TestNoEnvironmentProxy(t *testing.T) {
	proxy := newServer(t, ok)
	srv := newServer(t, ok)
	for _, k := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"} {
		t.Setenv(k, proxy.URL)
	}
	t.Setenv("NO_PROXY", "")
	c := New(Options{Policy: mustPolicy(t, "127.0.0.1/32:"+srv.port)})
	if _, err := c.Do(context.Background(), Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if proxy.hits.Load() != 0 || srv.hits.Load() != 1 {
		t.Fatalf("proxy hits %d, server hits %d; want 0 and 1", proxy.hits.Load(), srv.hits.Load())
	}
}

// Rule 5: every redirect hop is re-authorised, at most MaxRedirects are
// followed, and credentials are re-evaluated per hop.
func TestRedirects(t *testing.T) {
	target := newServer(t, ok)
	hopTo := func(loc string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, loc, http.StatusFound) }
	}
	res := newResolver(map[string]string{
		"a.test": "127.0.0.1", "b.test": "127.0.0.1", "c.test": "127.0.0.1", "pub.test": "203.0.113.7",
	})
	tests := []struct {
		name    string
		loc     string // where server a.test redirects
		entries []string
		allowed bool
		target  string // DeniedError.Target
		reason  string
	}{
		{"allowed hop", "http://b.test:" + target.port + "/", []string{"a.test:*", "b.test:*"}, true, "", ""},
		{"hop host not allowed", "http://c.test:" + target.port + "/?q=secret", []string{"a.test:*", "b.test:*"}, false,
			"http://c.test:" + target.port, "redirect hop 1: not in allowed_hosts"},
		{"hop to loopback literal under star", "http://127.0.0.1:" + target.port + "/", []string{"a.test:*", "*:*"}, false,
			"http://127.0.0.1:" + target.port, "redirect hop 1: 127.0.0.1 is a loopback address"},
		{"hop to metadata under star", "http://169.254.169.254/latest/meta-data/", []string{"a.test:*", "*:*"}, false,
			"http://169.254.169.254:80", "cloud metadata"},
		{"hop name resolving to loopback under glob", "http://c.test:" + target.port + "/", []string{"a.test:*", "*.test:*"}, false,
			"http://c.test:" + target.port, "c.test resolves to 127.0.0.1"},
		{"hop scheme change", "https://b.test:" + target.port + "/", []string{"a.test:*", "http://b.test:*"}, false,
			"https://b.test:" + target.port, "not in allowed_hosts"},
		{"hop to unsupported scheme", "ftp://b.test/", []string{"a.test:*", "*:*"}, false, "ftp://b.test", `scheme "ftp"`},
		{"hop port not allowed", "http://b.test:" + target.port + "/", []string{"a.test:*", "b.test:1"}, false,
			"http://b.test:" + target.port, "not in allowed_hosts"},
		{"hop with userinfo", "http://u:pw@b.test:" + target.port + "/", []string{"a.test:*", "b.test:*"}, false,
			"http://b.test:" + target.port, "userinfo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newServer(t, hopTo(tt.loc))
			hits := target.hits.Load()
			c := New(Options{Policy: mustPolicy(t, tt.entries...), Resolver: res})
			resp, err := c.Do(context.Background(), Request{URL: "http://a.test:" + src.port + "/start"})
			if tt.allowed {
				if err != nil {
					t.Fatal(err)
				}
				if string(resp.Body) != "ok" || target.hits.Load() != hits+1 {
					t.Fatalf("redirect not followed: %d %q", resp.Status, resp.Body)
				}
				return
			}
			de := asDenied(t, err)
			if de.Target != tt.target || !strings.Contains(de.Reason, tt.reason) {
				t.Errorf("denied %q: %q; want %q: %q", de.Target, de.Reason, tt.target, tt.reason)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "pw") {
				t.Errorf("error %q leaks the hop's query or userinfo", err)
			}
			if target.hits.Load() != hits {
				t.Error("denied hop reached the server")
			}
			if src.hits.Load() != 1 {
				t.Errorf("source hit %d times, want 1", src.hits.Load())
			}
		})
	}

	t.Run("max redirects", func(t *testing.T) {
		// /n redirects to /n-1; /0 answers.
		var chain *server
		chain = newServer(t, func(w http.ResponseWriter, r *http.Request) {
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
			if n == 0 {
				ok(w, r)
				return
			}
			http.Redirect(w, r, "/"+strconv.Itoa(n-1), http.StatusFound)
		})
		policy := mustPolicy(t, "127.0.0.1/32:"+chain.port)
		for _, tt := range []struct {
			max, hops int
			wantErr   string
		}{
			{2, 2, ""},
			{2, 3, "stopped after 2 redirects (limit 2)"},
			{0, 5, ""}, // default 5
			{0, 6, "stopped after 5 redirects"},
			{-1, 0, ""},
			{-1, 1, "stopped after 0 redirects"},
		} {
			c := New(Options{Policy: policy, MaxRedirects: tt.max})
			_, err := c.Do(context.Background(), Request{URL: chain.URL + "/" + strconv.Itoa(tt.hops)})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("max %d, %d hops: %v", tt.max, tt.hops, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("max %d, %d hops: error %v, want %q", tt.max, tt.hops, err, tt.wantErr)
			}
		}
	})

	t.Run("credentials per hop", func(t *testing.T) {
		const secretA, secretB = "sekrit-for-a-123", "sekrit-for-b-456"
		dst := newServer(t, ok)
		src := newServer(t, hopTo("http://b.test:"+dst.port+"/"))
		sameHost := newServer(t, hopTo("http://a.test:"+dst.port+"/"))
		c := New(Options{
			Policy:   mustPolicy(t, "*.test:*", "127.0.0.1/32:*"),
			Resolver: res,
			Credentials: []Credential{
				{Host: "a.test", Header: "X-Api-Key", Value: secretA},
				{Host: "a.test", Header: "Authorization", Value: "Bearer " + secretA},
			},
		})
		if _, err := c.Do(context.Background(), Request{URL: "http://a.test:" + src.port + "/"}); err != nil {
			t.Fatal(err)
		}
		if got := src.lastHeader().Get("X-Api-Key"); got != secretA {
			t.Errorf("a.test got X-Api-Key %q, want the credential", got)
		}
		h := dst.lastHeader()
		if h.Get("X-Api-Key") != "" || h.Get("Authorization") != "" {
			t.Errorf("redirected host b.test received credentials: %v", h)
		}
		// Same host, other port: the credential is re-attached.
		if _, err := c.Do(context.Background(), Request{URL: "http://a.test:" + sameHost.port + "/"}); err != nil {
			t.Fatal(err)
		}
		if got := dst.lastHeader().Get("X-Api-Key"); got != secretA {
			t.Errorf("hop back to a.test got X-Api-Key %q, want the credential", got)
		}
		// A credential of b.test is attached on the hop to b.test only.
		c2 := New(Options{
			Policy:      mustPolicy(t, "*.test:*", "127.0.0.1/32:*"),
			Resolver:    res,
			Credentials: []Credential{{Host: "a.test", Header: "X-Api-Key", Value: secretA}, {Host: "b.*", Header: "X-Api-Key", Value: secretB}},
		})
		if _, err := c2.Do(context.Background(), Request{URL: "http://a.test:" + src.port + "/"}); err != nil {
			t.Fatal(err)
		}
		if got := dst.lastHeader().Get("X-Api-Key"); got != secretB {
			t.Errorf("b.test got X-Api-Key %q, want its own credential", got)
		}
	})

	t.Run("go drops guest auth headers across hosts", func(t *testing.T) {
		dst := newServer(t, ok)
		cross := newServer(t, hopTo("http://b.test:"+dst.port+"/"))
		same := newServer(t, hopTo("http://a.test:"+dst.port+"/"))
		c := New(Options{Policy: mustPolicy(t, "*.test:*", "127.0.0.1/32:*"), Resolver: res})
		guest := map[string]string{"Authorization": "Bearer guest", "Cookie": "sid=guest", "X-Other": "kept"}
		if _, err := c.Do(context.Background(), Request{URL: "http://a.test:" + cross.port + "/", Header: guest}); err != nil {
			t.Fatal(err)
		}
		h := dst.lastHeader()
		if h.Get("Authorization") != "" || h.Get("Cookie") != "" || h.Get("X-Other") != "kept" {
			t.Errorf("cross-host hop headers: %v; want no Authorization/Cookie, X-Other kept", h)
		}
		if _, err := c.Do(context.Background(), Request{URL: "http://a.test:" + same.port + "/", Header: guest}); err != nil {
			t.Fatal(err)
		}
		h = dst.lastHeader()
		if h.Get("Authorization") != "Bearer guest" || h.Get("Cookie") != "sid=guest" {
			t.Errorf("same-host hop headers: %v; want guest Authorization and Cookie kept", h)
		}
	})
}

// Rule 6: the body is capped without error.
func TestBodyCap(t *testing.T) {
	big := strings.Repeat("x", DefaultMaxResponseBytes+1)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		_, _ = w.Write([]byte(big[:n]))
	})
	tests := []struct {
		name      string
		max       int64
		n         int
		wantLen   int
		truncated bool
	}{
		{"under cap", 10, 5, 5, false},
		{"exactly cap", 10, 10, 10, false},
		{"over cap", 10, 11, 10, true},
		{"far over cap", 4, 1000, 4, true},
		{"default cap exact", 0, DefaultMaxResponseBytes, DefaultMaxResponseBytes, false},
		{"default cap over", 0, DefaultMaxResponseBytes + 1, DefaultMaxResponseBytes, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{Policy: mustPolicy(t, "127.0.0.1:"+srv.port), MaxResponseBytes: tt.max})
			resp, err := c.Do(context.Background(), Request{URL: srv.URL + "/?n=" + strconv.Itoa(tt.n)})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Body) != tt.wantLen || resp.Truncated != tt.truncated {
				t.Fatalf("len %d truncated %v; want %d %v", len(resp.Body), resp.Truncated, tt.wantLen, tt.truncated)
			}
		})
	}
}

// Rule 6: Timeout and the caller's context bound the request, and the error
// says which limit fired.
func TestTimeouts(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slowHeaders := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	slowBody := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	policy := mustPolicy(t, "127.0.0.1/32:*")
	tests := []struct {
		name      string
		srv       *server
		timeout   time.Duration
		ctxDL     time.Duration // 0 = no caller deadline
		want      string
		wantGrant string
	}{
		{"egress timeout before headers", slowHeaders, 50 * time.Millisecond, 0, "the egress timeout of 50ms fired", "runtime_config.timeout"},
		{"egress timeout during body", slowBody, 50 * time.Millisecond, 0, "the egress timeout of 50ms fired", "runtime_config.timeout"},
		{"caller deadline", slowHeaders, 10 * time.Second, 50 * time.Millisecond, "the tool call's deadline expired", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.ctxDL > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxDL)
				defer cancel()
			}
			c := New(Options{Policy: policy, Timeout: tt.timeout})
			start := time.Now()
			_, err := c.Do(ctx, Request{URL: tt.srv.URL + "/?q=hidden"})
			if time.Since(start) > 5*time.Second {
				t.Fatalf("request took %v", time.Since(start))
			}
			var te *TimeoutError
			if !errors.As(err, &te) {
				t.Fatalf("error = %v (%T), want *TimeoutError", err, err)
			}
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want %q and DeadlineExceeded", err, tt.want)
			}
			if te.Grant != tt.wantGrant || (tt.wantGrant != "" && !strings.Contains(err.Error(), "raise "+tt.wantGrant)) {
				t.Errorf("Grant = %q in %q, want %q", te.Grant, err, tt.wantGrant)
			}
			if strings.Contains(err.Error(), "hidden") || !strings.Contains(err.Error(), "GET http://127.0.0.1:"+tt.srv.port) {
				t.Errorf("error %q should name the target without its query", err)
			}
		})
	}
	t.Run("caller cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := New(Options{Policy: policy}).Do(ctx, Request{URL: slowHeaders.URL})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
	})
}

// Rule 7: credentials are set after the guest's headers, never returned,
// never in errors or logs.
func TestCredentials(t *testing.T) {
	const secret = "s3cr3t-value-DO-NOT-LEAK"
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen", strconv.Itoa(len(r.Header.Values("X-Api-Key"))))
		ok(w, r)
	})
	slow := newServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	res := newResolver(map[string]string{"api.test": "127.0.0.1", "other.test": "127.0.0.1", "evil.test": "127.0.0.1"})
	var logs syncBuffer
	c := New(Options{
		Policy:   mustPolicy(t, "api.test:*", "other.test:*", "*:*"),
		Resolver: res,
		Credentials: []Credential{
			{Host: "API.test", Header: "x-api-key", Value: secret},
		},
		Timeout: 100 * time.Millisecond,
		Logger:  debugLogger(&logs),
	})
	var errs []string

	// The guest tries to set and override the credential header.
	resp, err := c.Do(context.Background(), Request{
		URL:    "http://api.test:" + srv.port + "/",
		Header: map[string]string{"X-Api-Key": "guest-value", "x-api-key": "guest-value-2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.lastHeader()
	if got := h.Values("X-Api-Key"); len(got) != 1 || got[0] != secret {
		t.Errorf("server saw X-Api-Key %q, want exactly the host credential", got)
	}
	for k, v := range resp.Header {
		if strings.Contains(k+v, secret) {
			t.Errorf("response header %s: %s contains the credential", k, v)
		}
	}
	if strings.Contains(string(resp.Body), secret) {
		t.Error("response body contains the credential")
	}

	// Another host keeps the guest's own header and gets no credential.
	if _, err := c.Do(context.Background(), Request{URL: "http://other.test:" + srv.port + "/", Header: map[string]string{"X-Api-Key": "guest-value"}}); err != nil {
		t.Fatal(err)
	}
	if got := srv.lastHeader().Get("X-Api-Key"); got != "guest-value" {
		t.Errorf("other host saw X-Api-Key %q, want the guest's value", got)
	}

	// Failures while a credential applies or is configured: timeout,
	// connection refused, invalid guest header, denied address, denied scheme.
	closed := newServer(t, ok)
	closedPort := closed.port
	closed.Close()
	for _, r := range []Request{
		{URL: "http://api.test:" + slow.port + "/"},
		{URL: "http://api.test:" + closedPort + "/"},
		{URL: "http://api.test:" + srv.port + "/", Header: map[string]string{"Bad Header": "x"}},
		{URL: "http://evil.test:" + srv.port + "/"},
		{URL: "ftp://api.test/"},
	} {
		_, err := c.Do(context.Background(), r)
		if err == nil {
			t.Fatalf("Do(%s) succeeded, want an error", r.URL)
		}
		errs = append(errs, err.Error())
	}
	// Invalid options: errors name the credential but not its value.
	bad := Options{Credentials: []Credential{{Host: "[", Header: "X-Key", Value: secret}}}
	if err := bad.Validate(); err == nil {
		t.Fatal("Validate accepted an invalid host glob")
	} else {
		errs = append(errs, err.Error())
	}
	if _, err := New(bad).Do(context.Background(), Request{URL: srv.URL}); err == nil {
		t.Fatal("Do with invalid options succeeded")
	} else {
		errs = append(errs, err.Error())
	}
	for _, cred := range []Credential{
		{Host: "a.test", Header: "Bad Header", Value: secret},
		{Host: "a.test", Header: "Host", Value: secret},
		{Host: "a.test", Header: "X-Key", Value: secret + "\r\nX-Injected: 1"},
		{Host: "", Header: "X-Key", Value: secret},
	} {
		err := Options{Credentials: []Credential{cred}}.Validate()
		if err == nil {
			t.Fatalf("Validate accepted %q / %q", cred.Host, cred.Header)
		}
		errs = append(errs, err.Error())
	}

	for _, e := range errs {
		if strings.Contains(e, secret) {
			t.Errorf("error leaks the credential: %s", e)
		}
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("log leaks the credential:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "egress denied") || !strings.Contains(logs.String(), "egress request") {
		t.Errorf("log lacks the expected records:\n%s", logs.String())
	}
}

// Request and Response shape: method, body, guest Host header ignored,
// lower-case joined response headers.
func TestRequestResponseShape(t *testing.T) {
	var gotMethod, gotHost string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		gotMethod, gotHost = r.Method, r.Host
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("tea"))
	})
	c := New(Options{Policy: mustPolicy(t, "127.0.0.1:"+srv.port)})
	resp, err := c.Do(context.Background(), Request{
		Method: "POST",
		URL:    srv.URL + "/p",
		Header: map[string]string{"Host": "spoofed.example", "Content-Type": "application/json"},
		Body:   []byte(`{"a":1}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	body := string(srv.body)
	srv.mu.Unlock()
	if gotMethod != "POST" || body != `{"a":1}` || gotHost != "127.0.0.1:"+srv.port {
		t.Errorf("server saw %s host %q body %q", gotMethod, gotHost, body)
	}
	if resp.Status != http.StatusTeapot || string(resp.Body) != "tea" {
		t.Errorf("got %d %q", resp.Status, resp.Body)
	}
	if resp.Header["x-multi"] != "a,b" || resp.Header["content-type"] != "text/plain" {
		t.Errorf("headers %v", resp.Header)
	}
	for k := range resp.Header {
		if k != strings.ToLower(k) {
			t.Errorf("header key %q is not lower-case", k)
		}
	}
	if _, err := c.Do(context.Background(), Request{URL: srv.URL}); err != nil || gotMethod != "GET" {
		t.Errorf("default method: %s, %v", gotMethod, err)
	}
	if _, err := c.Do(context.Background(), Request{Method: "BAD METHOD", URL: srv.URL}); err == nil ||
		!strings.Contains(err.Error(), "invalid method") {
		t.Errorf("bad method error = %v", err)
	}
	if _, err := c.Do(context.Background(), Request{URL: "http://[::1"}); err == nil ||
		!strings.Contains(err.Error(), "invalid request url") {
		t.Errorf("bad url error = %v", err)
	}
}
