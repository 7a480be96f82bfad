package egress

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gobwas/glob"
)

// validForms is appended to every parse error so the operator sees what is accepted.
const validForms = `valid forms: "api.example.com", "*.example.com", "*", "host:8443", "*:8443", "host:*", ` +
	`"https://host", "http://*.x.com:8080", "203.0.113.7", "[2001:db8::1]:443", "10.0.0.0/8", "fd00::/8", "10.0.0.0/8:8080"`

// Port values of a rule other than an explicit port number.
const (
	portDefault = 0  // only the default port of the request's scheme
	portAny     = -1 // any port ("*")
)

type ruleKind int

const (
	kindName   ruleKind = iota // exact host name
	kindGlob                   // gobwas glob on the host name
	kindPrefix                 // IP literal (full-length prefix) or CIDR
)

// rule is one parsed allowed_hosts entry.
type rule struct {
	raw    string
	scheme string // "" (http or https), "http" or "https"
	port   int    // portDefault, portAny or 1..65535
	kind   ruleKind
	name   string       // kindName: lower-case, no trailing dot
	glob   glob.Glob    // kindGlob
	prefix netip.Prefix // kindPrefix: masked, IPv4-mapped prefixes unmapped
}

// Policy is a parsed allowed_hosts list. The zero value and a nil *Policy
// deny every request. A Policy is immutable and safe for concurrent use.
type Policy struct {
	rules []rule
}

// ParseRules parses allowed_hosts entries into a Policy. An empty list gives
// a policy that denies everything. The error names the first bad entry and
// lists the valid forms; see the package documentation for their meaning.
func ParseRules(entries []string) (*Policy, error) {
	p := &Policy{rules: make([]rule, 0, len(entries))}
	for i, e := range entries {
		r, err := parseRule(e)
		if err != nil {
			return nil, fmt.Errorf("allowed_hosts[%d] %q: %s; %s", i, e, err, validForms)
		}
		p.rules = append(p.rules, r)
	}
	return p, nil
}

// Entries returns the entries the policy was parsed from, in order.
func (p *Policy) Entries() []string {
	if p == nil {
		return nil
	}
	out := make([]string, len(p.rules))
	for i, r := range p.rules {
		out[i] = r.raw
	}
	return out
}

// parseError is a reason without the entry; ParseRules adds the entry.
type parseError string

func (e parseError) Error() string { return string(e) }

func parseRule(entry string) (rule, error) {
	r := rule{raw: entry}
	s := strings.TrimSpace(entry)
	if s == "" {
		return r, parseError("empty entry")
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		scheme = strings.ToLower(scheme)
		if scheme != "http" && scheme != "https" {
			return r, parseError(fmt.Sprintf("scheme %q is not supported (only http and https)", scheme))
		}
		r.scheme = scheme
		// Tolerate "https://host/" but no other path.
		s = strings.TrimSuffix(rest, "/")
		if s == "" {
			return r, parseError("missing host after scheme")
		}
	}
	if i := strings.IndexAny(s, "@#"); i >= 0 {
		return r, parseError(fmt.Sprintf("character %q is not allowed (no userinfo or fragment)", s[i]))
	}
	if strings.HasPrefix(s, "[") {
		if end := strings.IndexByte(s, ']'); end > 0 {
			inner := s[1:end]
			if strings.Contains(inner, ":") {
				return parseBracketed(r, inner, s[end+1:])
			}
		}
		// Not an IPv6 literal: "[ab].example.com" is a glob character class.
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return withAddr(r, a)
	}
	if slash := strings.IndexByte(s, '/'); slash >= 0 {
		return parseCIDR(r, s[:slash], s[slash+1:])
	}
	host, port := s, ""
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		host, port = s[:i], s[i+1:]
		if strings.Contains(host, ":") {
			return r, parseError("IPv6 address with a port must be bracketed, as in [2001:db8::1]:443")
		}
		p, err := parsePort(port)
		if err != nil {
			return r, err
		}
		r.port = p
	}
	if host == "" {
		return r, parseError("missing host")
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return withAddr(r, a)
	}
	return withHostPattern(r, host)
}

// parseBracketed handles "[addr]", "[addr]:port", "[prefix]" and "[prefix]:port".
func parseBracketed(r rule, inner, after string) (rule, error) {
	if after != "" {
		port, ok := strings.CutPrefix(after, ":")
		if !ok {
			return r, parseError(fmt.Sprintf("unexpected %q after bracketed address", after))
		}
		p, err := parsePort(port)
		if err != nil {
			return r, err
		}
		r.port = p
	}
	if strings.Contains(inner, "/") {
		pfx, err := netip.ParsePrefix(inner)
		if err != nil {
			return r, parseError(fmt.Sprintf("invalid CIDR %q", inner))
		}
		return withPrefix(r, pfx), nil
	}
	a, err := netip.ParseAddr(inner)
	if err != nil {
		return r, parseError(fmt.Sprintf("invalid IPv6 address %q", inner))
	}
	return withAddr(r, a)
}

// parseCIDR handles "addr/bits" and "addr/bits:port".
func parseCIDR(r rule, addr, rest string) (rule, error) {
	bits, port, hasPort := strings.Cut(rest, ":")
	if hasPort {
		p, err := parsePort(port)
		if err != nil {
			return r, err
		}
		r.port = p
	}
	pfx, err := netip.ParsePrefix(addr + "/" + bits)
	if err != nil {
		return r, parseError(fmt.Sprintf("invalid CIDR %q (paths are not allowed)", addr+"/"+bits))
	}
	if pfx.Addr().Zone() != "" {
		return r, parseError("IPv6 zones are not supported")
	}
	return withPrefix(r, pfx), nil
}

func withAddr(r rule, a netip.Addr) (rule, error) {
	if a.Zone() != "" {
		return r, parseError("IPv6 zones are not supported")
	}
	return withPrefix(r, netip.PrefixFrom(a, a.BitLen())), nil
}

// withPrefix stores a masked prefix. IPv4-mapped prefixes (::ffff:a.b.c.d/96+n)
// become IPv4 prefixes, because addresses are unmapped before matching.
func withPrefix(r rule, p netip.Prefix) rule {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	r.kind = kindPrefix
	r.prefix = p.Masked()
	return r
}

func parsePort(s string) (int, error) {
	if s == "*" {
		return portAny, nil
	}
	if s == "" || len(s) > 5 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, parseError(fmt.Sprintf("invalid port %q (want 1-65535 or *)", s))
	}
	p, _ := strconv.Atoi(s)
	if p < 1 || p > 65535 {
		return 0, parseError(fmt.Sprintf("port %d out of range 1-65535", p))
	}
	return p, nil
}

// globMeta are the gobwas glob metacharacters; a host containing one is a glob.
const globMeta = `*?[]{}\`

func withHostPattern(r rule, host string) (rule, error) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return r, parseError("missing host")
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_':
		case strings.IndexByte(globMeta, c) >= 0, c == ',', c == '!':
		default:
			return r, parseError(fmt.Sprintf("invalid character %q in host name", c))
		}
	}
	if !strings.ContainsAny(host, globMeta) {
		if strings.ContainsAny(host, ",!") {
			return r, parseError("',' and '!' are only valid inside a glob {…} or […]")
		}
		if strings.Contains(host, "..") || strings.HasPrefix(host, ".") {
			return r, parseError("empty label in host name")
		}
		r.kind = kindName
		r.name = host
		return r, nil
	}
	g, err := compileGlob(host)
	if err != nil {
		return r, parseError(fmt.Sprintf("invalid glob: %v", err))
	}
	r.kind = kindGlob
	r.glob = g
	return r, nil
}

// compileGlob compiles a case-folded host glob without separators, as Extism
// does, so "*" also matches across dots. A panic inside the glob library is
// reported as an error rather than crashing the host on a bad config entry.
func compileGlob(pattern string) (g glob.Glob, err error) {
	defer func() {
		if p := recover(); p != nil {
			g, err = nil, fmt.Errorf("%v", p)
		}
	}()
	return glob.Compile(pattern)
}

// admits reports whether r's scheme and port constraints admit the request.
func (r *rule) admits(scheme string, port int) bool {
	if r.scheme != "" && r.scheme != scheme {
		return false
	}
	switch r.port {
	case portAny:
		return true
	case portDefault:
		return port == defaultPort(scheme)
	default:
		return r.port == port
	}
}

// matchesHost reports whether r names the request host. host is normalised
// (lower-case, no trailing dot); ip is valid only for an IP-literal host.
func (r *rule) matchesHost(host string, ip netip.Addr) bool {
	switch r.kind {
	case kindName:
		return !ip.IsValid() && r.name == host
	case kindGlob:
		return r.glob.Match(host)
	default:
		return ip.IsValid() && r.prefix.Contains(ip.Unmap())
	}
}

// allows reports whether the policy admits scheme://host:port.
func (p *Policy) allows(scheme, host string, ip netip.Addr, port int) bool {
	if p == nil {
		return false
	}
	for i := range p.rules {
		r := &p.rules[i]
		if r.admits(scheme, port) && r.matchesHost(host, ip) {
			return true
		}
	}
	return false
}

// grantsSpecial reports whether an explicit entry grants the special address
// addr for scheme://host:port: an IP/CIDR entry covering addr, or an exact
// name entry equal to host. Globs never grant special addresses.
func (p *Policy) grantsSpecial(scheme, host string, hostIsIP bool, port int, addr netip.Addr) bool {
	if p == nil {
		return false
	}
	addr = addr.Unmap()
	for i := range p.rules {
		r := &p.rules[i]
		if !r.admits(scheme, port) {
			continue
		}
		switch r.kind {
		case kindPrefix:
			if r.prefix.Contains(addr) {
				return true
			}
		case kindName:
			if !hostIsIP && r.name == host {
				return true
			}
		}
	}
	return false
}

func defaultPort(scheme string) int {
	if scheme == "https" {
		return 443
	}
	return 80
}
