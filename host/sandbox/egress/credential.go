package egress

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gobwas/glob"
)

// Credential is a secret header the host adds to requests whose host name
// matches Host. The plugin never sees it.
type Credential struct {
	// Host is an exact host name or a gobwas glob, case-insensitive.
	Host string
	// Header is the header name, such as "Authorization" or "X-Api-Key".
	Header string
	// Value is the secret. It is never logged or echoed in errors.
	Value string
}

// compiledCredential is a validated Credential.
type compiledCredential struct {
	name   string    // exact host, when glob is nil
	glob   glob.Glob // host glob
	header string    // canonical header key
	value  string
}

func (c *compiledCredential) matches(host string) bool {
	if c.glob != nil {
		return c.glob.Match(host)
	}
	return c.name == host
}

// compileCredentials validates creds. Errors name the credential by index,
// host and header, never by value.
func compileCredentials(creds []Credential) ([]compiledCredential, error) {
	out := make([]compiledCredential, 0, len(creds))
	for i, c := range creds {
		host := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(c.Host)), ".")
		where := fmt.Sprintf("credential[%d] (host %q, header %q)", i, c.Host, c.Header)
		if host == "" {
			return nil, fmt.Errorf("egress: %s: empty host", where)
		}
		if !validToken(c.Header) {
			return nil, fmt.Errorf("egress: %s: header name is not a valid HTTP token", where)
		}
		key := http.CanonicalHeaderKey(c.Header)
		switch key {
		case "Host", "Content-Length", "Transfer-Encoding", "Connection", "Te", "Upgrade", "Trailer":
			return nil, fmt.Errorf("egress: %s: header %s cannot carry a credential", where, key)
		}
		if strings.ContainsAny(c.Value, "\r\n\x00") {
			return nil, fmt.Errorf("egress: %s: value contains CR, LF or NUL", where)
		}
		cc := compiledCredential{header: key, value: c.Value}
		if strings.ContainsAny(host, globMeta) {
			g, err := compileGlob(host)
			if err != nil {
				return nil, fmt.Errorf("egress: %s: invalid host glob: %v", where, err)
			}
			cc.glob = g
		} else {
			cc.name = host
		}
		out = append(out, cc)
	}
	return out, nil
}

// validToken reports whether s is an RFC 9110 token (a valid header name).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// applyCredentials sets the credentials matching host on h, after the
// guest's headers. On a redirect hop (redirect true) the header of every
// configured credential is removed first, because net/http copies the first
// request's headers, including injected secrets, to every hop. For each
// header the first matching credential wins.
func applyCredentials(h http.Header, creds []compiledCredential, host string, redirect bool) {
	if redirect {
		for i := range creds {
			h.Del(creds[i].header)
		}
	}
	set := make(map[string]bool, len(creds))
	for i := range creds {
		c := &creds[i]
		if set[c.header] || !c.matches(host) {
			continue
		}
		h.Set(c.header, c.value)
		set[c.header] = true
	}
}
