package egress

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

func TestParseRulesForms(t *testing.T) {
	tests := []struct {
		entry  string
		kind   ruleKind
		scheme string
		port   int
		name   string // kindName
		prefix string // kindPrefix
	}{
		{entry: "api.example.com", kind: kindName, name: "api.example.com"},
		{entry: "API.Example.COM.", kind: kindName, name: "api.example.com"},
		{entry: " localhost ", kind: kindName, name: "localhost"},
		{entry: "metadata.internal", kind: kindName, name: "metadata.internal"},
		{entry: "under_score.example", kind: kindName, name: "under_score.example"},
		{entry: "*.example.com", kind: kindGlob},
		{entry: "*", kind: kindGlob},
		{entry: "api-?.example.com", kind: kindGlob},
		{entry: "{a,b}.example.com", kind: kindGlob},
		{entry: "[ab].example.com", kind: kindGlob},
		{entry: "api.example.com:8443", kind: kindName, name: "api.example.com", port: 8443},
		{entry: "api.example.com:*", kind: kindName, name: "api.example.com", port: portAny},
		{entry: "*:8443", kind: kindGlob, port: 8443},
		{entry: "*:*", kind: kindGlob, port: portAny},
		{entry: "https://api.example.com", kind: kindName, scheme: "https", name: "api.example.com"},
		{entry: "HTTPS://api.example.com/", kind: kindName, scheme: "https", name: "api.example.com"},
		{entry: "http://*.x.com:8080", kind: kindGlob, scheme: "http", port: 8080},
		{entry: "203.0.113.7", kind: kindPrefix, prefix: "203.0.113.7/32"},
		{entry: "203.0.113.7:8080", kind: kindPrefix, prefix: "203.0.113.7/32", port: 8080},
		{entry: "2001:db8::1", kind: kindPrefix, prefix: "2001:db8::1/128"},
		{entry: "[2001:db8::1]", kind: kindPrefix, prefix: "2001:db8::1/128"},
		{entry: "[2001:db8::1]:443", kind: kindPrefix, prefix: "2001:db8::1/128", port: 443},
		{entry: "https://[::1]:*", kind: kindPrefix, scheme: "https", prefix: "::1/128", port: portAny},
		{entry: "::ffff:127.0.0.1", kind: kindPrefix, prefix: "127.0.0.1/32"},
		{entry: "10.0.0.0/8", kind: kindPrefix, prefix: "10.0.0.0/8"},
		{entry: "10.1.2.3/8", kind: kindPrefix, prefix: "10.0.0.0/8"},
		{entry: "10.0.0.0/8:8080", kind: kindPrefix, prefix: "10.0.0.0/8", port: 8080},
		{entry: "127.0.0.1/32:*", kind: kindPrefix, prefix: "127.0.0.1/32", port: portAny},
		{entry: "http://10.0.0.0/8", kind: kindPrefix, scheme: "http", prefix: "10.0.0.0/8"},
		{entry: "fd00::/8", kind: kindPrefix, prefix: "fd00::/8"},
		{entry: "fd00::/8:443", kind: kindPrefix, prefix: "fd00::/8", port: 443},
		{entry: "[fd00::/8]:443", kind: kindPrefix, prefix: "fd00::/8", port: 443},
		{entry: "::ffff:10.0.0.0/104", kind: kindPrefix, prefix: "10.0.0.0/8"},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			p, err := ParseRules([]string{tt.entry})
			if err != nil {
				t.Fatalf("ParseRules(%q): %v", tt.entry, err)
			}
			r := p.rules[0]
			if r.kind != tt.kind || r.scheme != tt.scheme || r.port != tt.port || r.name != tt.name {
				t.Errorf("got kind=%d scheme=%q port=%d name=%q; want kind=%d scheme=%q port=%d name=%q",
					r.kind, r.scheme, r.port, r.name, tt.kind, tt.scheme, tt.port, tt.name)
			}
			if tt.prefix != "" && r.prefix != netip.MustParsePrefix(tt.prefix) {
				t.Errorf("prefix = %v, want %v", r.prefix, tt.prefix)
			}
			if got := p.Entries(); len(got) != 1 || got[0] != tt.entry {
				t.Errorf("Entries() = %q, want [%q]", got, tt.entry)
			}
		})
	}
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct {
		entry string
		want  string // substring of the reason
	}{
		{"", "empty entry"},
		{"   ", "empty entry"},
		{"ftp://example.com", `scheme "ftp" is not supported`},
		{"file:///etc/passwd", `scheme "file" is not supported`},
		{"https://", "missing host after scheme"},
		{"user@example.com", `character '@' is not allowed`},
		{"https://user:pw@example.com", `character '@' is not allowed`},
		{"example.com?x=1", `invalid character '='`},
		{"example.com#frag", `character '#' is not allowed`},
		{"https://example.com/path", "paths are not allowed"},
		{"example.com:0", "out of range"},
		{"example.com:65536", "out of range"},
		{"example.com:http", `invalid port "http"`},
		{"example.com:", `invalid port ""`},
		{":443", "missing host"},
		{"2001:db8::1:443:x", "must be bracketed"},
		{"[2001:db8::zz]:443", "invalid IPv6 address"},
		{"[::1]x", "unexpected"},
		{"[fd00::/300]", "invalid CIDR"},
		{"10.0.0.0/33", "invalid CIDR"},
		{"fe80::1%eth0", "zones are not supported"},
		{"[fe80::1%eth0]:80", "zones are not supported"},
		{"exa mple.com", "invalid character ' '"},
		{"例え.jp", "invalid character"},
		{"a..b", "empty label"},
		{".example.com", "empty label"},
		{"a,b.example.com", "only valid inside a glob"},
		{"[abc", "invalid glob"},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			_, err := ParseRules([]string{"ok.example.com", tt.entry})
			if err == nil {
				t.Fatalf("ParseRules(%q) succeeded, want error", tt.entry)
			}
			msg := err.Error()
			for _, want := range []string{fmt.Sprintf("allowed_hosts[1] %q", tt.entry), tt.want, "valid forms:"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
		})
	}
}

func TestPolicyAllows(t *testing.T) {
	tests := []struct {
		name    string
		entries []string
		scheme  string
		host    string
		port    int
		want    bool
	}{
		{"empty policy denies", nil, "https", "api.example.com", 443, false},
		{"exact name", []string{"api.example.com"}, "https", "api.example.com", 443, true},
		{"exact name other host", []string{"api.example.com"}, "https", "evil.example.com", 443, false},
		{"exact name http default port", []string{"api.example.com"}, "http", "api.example.com", 80, true},
		{"default ports only: 8443 denied", []string{"api.example.com"}, "https", "api.example.com", 8443, false},
		{"default ports only: 80 over https denied", []string{"api.example.com"}, "https", "api.example.com", 80, false},
		{"explicit port", []string{"api.example.com:8443"}, "https", "api.example.com", 8443, true},
		{"explicit port excludes default", []string{"api.example.com:8443"}, "https", "api.example.com", 443, false},
		{"any port", []string{"api.example.com:*"}, "http", "api.example.com", 1234, true},
		{"case-insensitive entry", []string{"API.EXAMPLE.com"}, "https", "api.example.com", 443, true},
		{"glob subdomain", []string{"*.example.com"}, "https", "a.example.com", 443, true},
		{"glob crosses dots like Extism", []string{"*.example.com"}, "https", "a.b.example.com", 443, true},
		{"glob excludes apex", []string{"*.example.com"}, "https", "example.com", 443, false},
		{"glob suffix attack", []string{"*.example.com"}, "https", "example.com.evil.net", 443, false},
		{"star any host default port", []string{"*"}, "https", "anything.net", 443, true},
		{"star default port only", []string{"*"}, "https", "anything.net", 8443, false},
		{"star port", []string{"*:8443"}, "https", "anything.net", 8443, true},
		{"star matches IP literal text", []string{"*"}, "http", "203.0.113.7", 80, true},
		{"scheme https only", []string{"https://api.example.com"}, "http", "api.example.com", 80, false},
		{"scheme https ok", []string{"https://api.example.com"}, "https", "api.example.com", 443, true},
		{"scheme glob port", []string{"http://*.x.com:8080"}, "http", "a.x.com", 8080, true},
		{"scheme glob port wrong scheme", []string{"http://*.x.com:8080"}, "https", "a.x.com", 8080, false},
		{"ip literal", []string{"203.0.113.7"}, "http", "203.0.113.7", 80, true},
		{"ip literal other", []string{"203.0.113.7"}, "http", "203.0.113.8", 80, false},
		{"cidr", []string{"10.0.0.0/8"}, "http", "10.9.8.7", 80, true},
		{"cidr outside", []string{"10.0.0.0/8"}, "http", "11.0.0.1", 80, false},
		{"cidr does not match names", []string{"10.0.0.0/8"}, "http", "ten.example", 80, false},
		{"cidr port", []string{"127.0.0.1/32:*"}, "http", "127.0.0.1", 39999, true},
		{"ipv6 cidr", []string{"fd00::/8"}, "https", "fd12::1", 443, true},
		{"ipv6 bracket port", []string{"[2001:db8::1]:443"}, "https", "2001:db8::1", 443, true},
		{"mapped literal matches v4 entry", []string{"127.0.0.1:*"}, "http", "::ffff:127.0.0.1", 1, true},
		{"second entry matches", []string{"a.example", "b.example"}, "https", "b.example", 443, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseRules(tt.entries)
			if err != nil {
				t.Fatal(err)
			}
			ip, _ := netip.ParseAddr(tt.host)
			if got := p.allows(tt.scheme, tt.host, ip, tt.port); got != tt.want {
				t.Errorf("allows(%s://%s:%d) under %q = %v, want %v", tt.scheme, tt.host, tt.port, tt.entries, got, tt.want)
			}
		})
	}
	var nilPolicy *Policy
	if nilPolicy.allows("https", "a.example", netip.Addr{}, 443) {
		t.Error("nil policy allowed a request")
	}
}

func TestPolicyGrantsSpecial(t *testing.T) {
	tests := []struct {
		name    string
		entries []string
		host    string
		port    int
		addr    string
		want    bool
	}{
		{"star never grants", []string{"*:*"}, "evil.test", 80, "127.0.0.1", false},
		{"glob never grants", []string{"*.test:*"}, "evil.test", 80, "127.0.0.1", false},
		{"glob naming one host still a glob", []string{"evil.tes?"}, "evil.test", 80, "127.0.0.1", false},
		{"exact name grants", []string{"localhost"}, "localhost", 80, "127.0.0.1", true},
		{"exact name grants metadata", []string{"metadata.internal"}, "metadata.internal", 80, "169.254.169.254", true},
		{"exact name other host", []string{"localhost"}, "evil.test", 80, "127.0.0.1", false},
		{"exact name wrong port", []string{"localhost"}, "localhost", 8080, "127.0.0.1", false},
		{"cidr covers", []string{"127.0.0.0/8"}, "evil.test", 80, "127.0.0.5", true},
		{"cidr covers mapped form", []string{"127.0.0.1/32"}, "evil.test", 80, "::ffff:127.0.0.1", true},
		{"cidr does not cover", []string{"10.0.0.0/8"}, "evil.test", 80, "127.0.0.1", false},
		{"cidr wrong port", []string{"127.0.0.1/32"}, "evil.test", 8080, "127.0.0.1", false},
		{"ip entry any port", []string{"127.0.0.1:*"}, "127.0.0.1", 8080, "127.0.0.1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseRules(tt.entries)
			if err != nil {
				t.Fatal(err)
			}
			_, ipErr := netip.ParseAddr(tt.host)
			got := p.grantsSpecial("http", tt.host, ipErr == nil, tt.port, netip.MustParseAddr(tt.addr))
			if got != tt.want {
				t.Errorf("grantsSpecial(%s:%d → %s) under %q = %v, want %v", tt.host, tt.port, tt.addr, tt.entries, got, tt.want)
			}
		})
	}
}

// FuzzParseRules checks that no entry panics the parser or the matchers, that
// every error names the entry and the valid forms, and that a parsed glob or
// name never grants a special address.
func FuzzParseRules(f *testing.F) {
	for _, s := range []string{
		"api.example.com", "*.example.com", "*", "host:8443", "*:8443", "https://host",
		"http://*.x.com:8080", "203.0.113.7", "[2001:db8::1]:443", "10.0.0.0/8", "fd00::/8",
		"fd00::/8:443", "[ab].x", "{a,b}.x", "[", "\\", "[::1", "https://[::1]/", "a:b:c", "::ffff:1.2.3.4/100",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		p, err := ParseRules([]string{entry})
		if err != nil {
			msg := err.Error()
			if !strings.Contains(msg, "allowed_hosts[0]") || !strings.Contains(msg, "valid forms:") {
				t.Fatalf("error %q does not name the entry and the valid forms", msg)
			}
			return
		}
		r := p.rules[0]
		for _, host := range []string{"api.example.com", "127.0.0.1", "::1", entry} {
			ip, _ := netip.ParseAddr(host)
			for _, scheme := range []string{"http", "https"} {
				p.allows(scheme, host, ip, 443)
				got := p.grantsSpecial(scheme, host, ip.IsValid(), 443, netip.MustParseAddr("127.0.0.1"))
				if got && r.kind == kindGlob {
					t.Fatalf("glob entry %q granted loopback for %q", entry, host)
				}
			}
		}
		if r.port < portAny || r.port > 65535 {
			t.Fatalf("entry %q parsed to port %d", entry, r.port)
		}
	})
}
