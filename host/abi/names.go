package abi

import (
	"fmt"
	"regexp"
	"strings"
)

// clientName is the name pattern that Claude- and OpenAI-style clients
// accept. The MCP spec allows more (1–128 of [A-Za-z0-9_.-]), but a name a
// popular client rejects is useless, so toolhost holds every exposed tool and
// prompt name to this.
var clientName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// Separator joins a plugin prefix and a plugin-local name. It is "-" as in
// hyper-mcp, which is why plugin names may not contain "-" (the exposed
// name splits unambiguously at the first "-").
const Separator = "-"

// QualifiedName returns the name a client sees for a plugin-local tool or
// prompt name: prefix + "-" + local, or local alone when prefix is empty.
// The result must match ^[a-zA-Z0-9_-]{1,64}$; a name that does not fit is
// an error naming both parts, never silently truncated.
func QualifiedName(prefix, local string) (string, error) {
	name := local
	if prefix != "" {
		name = prefix + Separator + local
	}
	if !clientName.MatchString(name) {
		if len(name) > 64 {
			return "", fmt.Errorf("exposed name %q is %d characters; clients accept at most 64: shorten the name or set runtime_config.prefix", name, len(name))
		}
		return "", fmt.Errorf("exposed name %q has characters outside [a-zA-Z0-9_-], which clients reject", name)
	}
	return name, nil
}

// NamespaceURI inserts prefix as the first path segment of a hierarchical
// URI ("https://h/a/b" -> "https://h/<prefix>/a/b", "test://x" ->
// "test://x/<prefix>"). It works on the text, never through a URL parser,
// so RFC 6570 template braces survive (hyper-mcp's URL parsing corrupts
// them). ok is false for a URI that has no "scheme://authority" part; such
// URIs are exposed unchanged. An empty prefix leaves the URI unchanged.
func NamespaceURI(prefix, uri string) (string, bool) {
	if prefix == "" {
		return uri, true
	}
	schemeEnd := strings.Index(uri, "://")
	if schemeEnd <= 0 {
		return uri, false
	}
	rest := uri[schemeEnd+3:]
	slash := strings.IndexAny(rest, "/?#")
	if slash < 0 {
		return uri + "/" + prefix, true
	}
	// With an empty path ("s://auth?q") the segment goes before the query.
	return uri[:schemeEnd+3] + rest[:slash] + "/" + prefix + rest[slash:], true
}

// StripURI reverses NamespaceURI: it returns the plugin-local URI when uri
// carries prefix as its first path segment.
func StripURI(prefix, uri string) (string, bool) {
	if prefix == "" {
		return uri, true
	}
	schemeEnd := strings.Index(uri, "://")
	if schemeEnd <= 0 {
		return "", false
	}
	rest := uri[schemeEnd+3:]
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return "", false
	}
	authority, path := rest[:slash], rest[slash+1:]
	if strings.ContainsAny(authority, "?#") {
		return "", false
	}
	seg := prefix
	switch {
	case path == seg:
		return uri[:schemeEnd+3] + authority, true
	case strings.HasPrefix(path, seg+"/"):
		return uri[:schemeEnd+3] + authority + path[len(seg):], true
	case strings.HasPrefix(path, seg+"?"), strings.HasPrefix(path, seg+"#"):
		return uri[:schemeEnd+3] + authority + path[len(seg):], true
	}
	return "", false
}
