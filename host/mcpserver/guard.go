package mcpserver

import (
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// guard protects the MCP endpoint from DNS rebinding and cross-site use by
// a browser: a request whose Origin header names a site other than a
// loopback one or an operator-allowed origin gets 403, and so does a
// request whose Host header names a host other than a loopback one or an
// operator-allowed host. Non-browser clients send no Origin and a Host that
// is the address they dialled, so they pass when the server is reached on
// loopback (or through an allowed name).
//
// mcp-go checks only Host, and only on loopback listeners; the spec
// requires Origin validation too (2025-11-25 transports, "Security
// Warning"). See RATIONALE.md, "Why does toolhost check Origin and Host?".
type guard struct {
	next           http.Handler
	allowedOrigins map[string]bool // normalised scheme://host[:port]
	allowedHosts   map[string]bool // lower-case host names, without port
	anyHost        bool
}

func newGuard(next http.Handler, origins, hosts []string, anyHost bool) *guard {
	g := &guard{next: next, allowedOrigins: map[string]bool{}, allowedHosts: map[string]bool{}, anyHost: anyHost}
	for _, o := range origins {
		g.allowedOrigins[normaliseOrigin(o)] = true
	}
	for _, h := range hosts {
		g.allowedHosts[strings.ToLower(strings.TrimSuffix(h, "."))] = true
	}
	return g
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if origin := r.Header.Get("Origin"); origin != "" && !g.originAllowed(origin) {
		forbid(w, "Origin "+origin+" is not allowed: toolhost accepts loopback origins and those given with --allowed-origin")
		return
	}
	if !g.anyHost && !g.hostAllowed(r.Host) {
		forbid(w, "Host "+r.Host+" is not allowed (DNS-rebinding protection): toolhost accepts loopback hosts and those given with --allowed-host")
		return
	}
	g.next.ServeHTTP(w, r)
}

func (g *guard) originAllowed(origin string) bool {
	if g.allowedOrigins["*"] || g.allowedOrigins[normaliseOrigin(origin)] {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return isLoopback(u.Hostname())
}

func (g *guard) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	return isLoopback(host) || g.allowedHosts[host]
}

func isLoopback(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// normaliseOrigin lower-cases an origin and drops a default port, so
// "https://App.example:443" and "https://app.example" compare equal.
func normaliseOrigin(o string) string {
	if o == "*" {
		return o
	}
	u, err := url.Parse(strings.TrimSuffix(strings.TrimSpace(o), "/"))
	if err != nil || u.Host == "" {
		return strings.ToLower(o)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return strings.ToLower(u.Scheme) + "://" + host
}

func forbid(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"jsonrpc": "2.0", "id": nil,
		"error": map[string]any{"code": -32600, "message": msg},
	})
}
