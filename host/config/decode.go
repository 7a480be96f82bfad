package config

import (
	"fmt"
	"github.com/toolhost/toolhost/host/sandbox/egress"
	"math"
	"net/textproto"
	"regexp"
	"slices"
	"strings"
	"time"
)

// decoder checks a node tree and builds a Config. It records every problem
// and keeps going, so that one run reports all of them.
type decoder struct {
	source   string // for messages
	opts     Options
	errs     []error
	warnings []string
	nodes    int
	overrun  bool
}

func (d *decoder) errorf(line int, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{Source: d.source, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) warnf(line int, path, format string, args ...any) {
	d.warnings = append(d.warnings, (&Error{Source: d.source, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)}).Error())
}

// Read-only tables of the keys each level accepts.
var (
	topKeys = []string{"plugins", "auths"}
	// Successor (hyper-mcp-rs) keys that toolhost accepts and ignores.
	topIgnored = map[string]string{
		"oci":                 "toolhost does not run oci:// plugins yet, so OCI signature settings have no effect",
		"dynamic_loading":     "toolhost never lets MCP clients load or unload plugins; list every plugin in this file",
		"disable_completions": "toolhost has no such switch, so the setting has no effect",
		"disable_logging":     "toolhost has no such switch, so the setting has no effect",
	}
	pluginKeys  = []string{"url", "path", "description", "runtime_config"}
	runtimeKeys = []string{
		"allowed_hosts", "allowed_paths", "env_vars", "memory_limit",
		"skip_tools", "skip_prompts", "skip_resources", "skip_resource_templates",
		"timeout", "max_output", "max_concurrency", "instances", "prefix", "secrets",
	}
	runtimeIgnored = map[string]string{
		"allowed_secrets": "toolhost does not read the OS keyring (it has no get_keyring_secret); pass secrets through env_vars or secrets with ${NAME}",
	}
	secretKeys    = []string{"host", "header", "value"}
	basicAuthKeys = []string{"type", "username", "password"}
	tokenAuthKeys = []string{"type", "token"}
	pluginNameRE  = regexp.MustCompile(`^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*$`)
	prefixRE      = regexp.MustCompile(`^[A-Za-z0-9_]*$`)
)

const (
	noPluginsMsg   = "no plugins configured: add a plugins map, such as plugins: {weather: {url: file:///srv/plugins/weather.wasm}}"
	sizeHint       = "a size such as 64Mi or 100MB, or a number of bytes"
	defaultHeader  = "Authorization"
	maxTimeoutMsec = int64(math.MaxInt64 / int64(time.Millisecond))
)

// ValidPluginName reports whether name is a valid plugin name:
// ^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*$, the reference host's rule. '-' is
// excluded because tool names are exposed as <plugin>-<tool>.
func ValidPluginName(name string) bool { return pluginNameRE.MatchString(name) }

// object checks that n is a map whose keys are all in allowed (or in
// ignored, which only warns) and returns its values by key.
func (d *decoder) object(n *node, path string, allowed []string, ignored map[string]string) map[string]*node {
	if n.kind != kMap {
		d.errorf(n.line, path, "want a map, got %s", describe(n))
		return nil
	}
	out := make(map[string]*node, len(n.entries))
	for _, e := range n.entries {
		p := child(path, e.key)
		switch {
		case slices.Contains(allowed, e.key):
			out[e.key] = e.val
		case ignored[e.key] != "":
			d.warnf(e.line, p, "ignored: %s", ignored[e.key])
		default:
			msg := "unknown key: the keys here are " + strings.Join(allowed, ", ")
			if s, ok := suggest(e.key, allowed); ok {
				msg += "; did you mean " + s + "?"
			}
			d.errorf(e.line, p, "%s", msg)
		}
	}
	return out
}

func (d *decoder) str(n *node, path string) (string, bool) {
	if n.kind != kString {
		d.errorf(n.line, path, "want a string, got %s", describe(n))
		return "", false
	}
	return n.text, true
}

// strList reads a list of strings, reporting each item that is not one.
func (d *decoder) strList(n *node, path string) ([]string, []*node) {
	if n.kind != kList {
		hint := ""
		if n.kind == kString {
			hint = fmt.Sprintf(`: write a list even for one item, such as [%q]`, n.text)
		}
		d.errorf(n.line, path, "want a list of strings, got %s%s", describe(n), hint)
		return nil, nil
	}
	var out []string
	var nodes []*node
	for i, item := range n.list {
		if s, ok := d.str(item, index(path, i)); ok {
			out = append(out, s)
			nodes = append(nodes, item)
		}
	}
	return out, nodes
}

func (d *decoder) expand(n *node, path, s string, secret bool) string {
	v, problems := expand(s, d.opts.LookupEnv, secret)
	for _, p := range problems {
		d.errorf(n.line, path, "%s", p)
	}
	return v
}

func (d *decoder) config(root *node) *Config {
	cfg := &Config{}
	if d.overrun {
		return cfg
	}
	if !present(root) {
		d.errorf(0, "", "%s", noPluginsMsg)
		return cfg
	}
	if root.kind != kMap {
		d.errorf(root.line, "", "the top level must be a map with a plugins key, got %s", describe(root))
		return cfg
	}
	f := d.object(root, "", topKeys, topIgnored)
	d.plugins(f["plugins"], root.line, cfg)
	cfg.Auths = d.auths(f["auths"])
	slices.SortFunc(cfg.Plugins, func(a, b *Plugin) int { return strings.Compare(a.Name, b.Name) })
	return cfg
}

func (d *decoder) plugins(n *node, rootLine int, cfg *Config) {
	const path = "plugins"
	switch {
	case n == nil:
		d.errorf(rootLine, path, "%s", noPluginsMsg)
	case n.kind == kNull, n.kind == kMap && len(n.entries)+n.dropped == 0, n.kind == kList && len(n.list) == 0:
		d.errorf(n.line, path, "%s", noPluginsMsg)
	case n.kind == kMap:
		for _, e := range n.entries {
			p := child(path, e.key)
			d.pluginName(e.key, e.line, p)
			cfg.Plugins = append(cfg.Plugins, d.plugin(e.key, e.val, p, false))
		}
	case n.kind == kList:
		// hyper-mcp's first format: plugins: [{name: x, url: …}, …].
		seen := map[string]int{}
		for i, item := range n.list {
			p := index(path, i)
			if item.kind != kMap {
				d.errorf(item.line, p, "want a map with name and url, got %s", describe(item))
				continue
			}
			var nameNode *node
			for _, e := range item.entries {
				if e.key == "name" {
					nameNode = e.val
				}
			}
			if !present(nameNode) {
				d.errorf(item.line, child(p, "name"), "missing: give each plugin in the list a name")
				continue
			}
			name, ok := d.str(nameNode, child(p, "name"))
			if !ok {
				continue
			}
			if first, dup := seen[name]; dup {
				d.errorf(nameNode.line, child(p, "name"), "plugin %q is already defined at %s: plugin names must be unique", name, index(path, first))
				continue
			}
			seen[name] = i
			d.pluginName(name, nameNode.line, child(p, "name"))
			cfg.Plugins = append(cfg.Plugins, d.plugin(name, item, p, true))
		}
	default:
		d.errorf(n.line, path, "want a map from plugin name to plugin, got %s", describe(n))
	}
}

func (d *decoder) pluginName(name string, line int, path string) {
	if ValidPluginName(name) {
		return
	}
	msg := fmt.Sprintf("plugin name %q is not valid: use letters and digits, optionally joined by single underscores", name)
	if strings.Contains(name, "-") {
		msg += " ('-' is reserved: tool names are exposed as <plugin>-<tool>)"
	}
	if s := suggestName(name); s != "" {
		msg += ", such as " + s
	}
	d.errorf(line, path, "%s", msg)
}

// suggestName turns an invalid plugin name into a valid one by joining its
// runs of letters and digits with single underscores.
func suggestName(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	s := strings.Join(words, "_")
	if s == name || !ValidPluginName(s) {
		return ""
	}
	return s
}

func (d *decoder) plugin(name string, n *node, path string, inList bool) *Plugin {
	p := &Plugin{Name: name}
	p.Runtime = d.runtime(nil, "")
	if n.kind != kMap {
		d.errorf(n.line, path, "want a map with url and optional runtime_config, got %s", describe(n))
		return p
	}
	keys := pluginKeys
	if inList {
		keys = append(slices.Clip(pluginKeys), "name")
	}
	f := d.object(n, path, keys, nil)
	urlN, pathN := f["url"], f["path"]
	switch {
	case present(urlN) && present(pathN):
		d.errorf(pathN.line, child(path, "path"), "url and path are the same setting (path is hyper-mcp's alias for url): keep only one")
	case present(urlN):
		p.Location = d.location(urlN, child(path, "url"))
	case present(pathN):
		p.Location = d.location(pathN, child(path, "path"))
	default:
		d.errorf(n.line, child(path, "url"), "missing: say where the plugin's .wasm file is, such as url: file:///srv/plugins/%s.wasm", name)
	}
	if v := f["description"]; present(v) {
		p.Description, _ = d.str(v, child(path, "description"))
	}
	p.Runtime = d.runtime(f["runtime_config"], child(path, "runtime_config"))
	return p
}

func (d *decoder) location(n *node, path string) Location {
	s, ok := d.str(n, path)
	if !ok {
		return Location{}
	}
	loc, err := parseLocation(d.expand(n, path, s, false), d.opts.BaseDir)
	if err != nil {
		d.errorf(n.line, path, "%v", err)
	}
	return loc
}

func (d *decoder) runtime(n *node, path string) Runtime {
	rt := Runtime{
		Timeout:        DefaultTimeout,
		MaxOutput:      DefaultMaxOutput,
		MaxConcurrency: DefaultMaxConcurrency,
		Instances:      DefaultInstances,
	}
	if !present(n) {
		return rt
	}
	f := d.object(n, path, runtimeKeys, runtimeIgnored)
	if f == nil {
		return rt
	}
	get := func(key string) (*node, string, bool) {
		v := f[key]
		return v, child(path, key), present(v)
	}
	if v, p, ok := get("allowed_hosts"); ok {
		rt.AllowedHosts = d.hosts(v, p)
	}
	if v, p, ok := get("allowed_paths"); ok {
		rt.AllowedPaths = d.mounts(v, p)
	}
	if v, p, ok := get("env_vars"); ok {
		rt.EnvVars = d.envVars(v, p)
	}
	if v, p, ok := get("memory_limit"); ok {
		if b, ok := d.size(v, p); ok {
			if b < WasmPageSize {
				d.errorf(v.line, p, "%d bytes is less than one 64KiB wasm page, the unit that guest memory grows by: use at least 64Ki", int64(b))
			} else {
				rt.MemoryLimit = b
			}
		}
	}
	for _, skip := range []struct {
		key string
		m   *Matcher
	}{
		{"skip_tools", &rt.SkipTools},
		{"skip_prompts", &rt.SkipPrompts},
		{"skip_resources", &rt.SkipResources},
		{"skip_resource_templates", &rt.SkipResourceTemplates},
	} {
		if v, p, ok := get(skip.key); ok {
			*skip.m = d.matcher(v, p)
		}
	}
	if v, p, ok := get("timeout"); ok {
		rt.Timeout = d.timeout(v, p)
	}
	if v, p, ok := get("max_output"); ok {
		if b, ok := d.size(v, p); ok {
			if b <= 0 {
				d.errorf(v.line, p, "must be more than 0 bytes: use %s", sizeHint)
			} else {
				rt.MaxOutput = b
			}
		}
	}
	if v, p, ok := get("max_concurrency"); ok {
		switch {
		case v.kind != kInt:
			d.errorf(v.line, p, "want a whole number such as %d, got %s", DefaultMaxConcurrency, describe(v))
		case v.i < 1 || v.i > math.MaxInt32:
			d.errorf(v.line, p, "%d is out of range: use a number of concurrent calls from 1 to %d", v.i, math.MaxInt32)
		default:
			rt.MaxConcurrency = int(v.i)
		}
	}
	if v, p, ok := get("instances"); ok {
		if s, ok := d.str(v, p); ok {
			switch mode := InstanceMode(s); mode {
			case PerSession, Pooled:
				rt.Instances = mode
			default:
				d.errorf(v.line, p, "%q is not an instance mode: use %s (an instance per MCP session, the default) or %s (instances shared by all sessions, for plugins that keep no state)", s, PerSession, Pooled)
			}
		}
	}
	if v, p, ok := get("prefix"); ok {
		if s, ok := d.str(v, p); ok {
			if prefixRE.MatchString(s) {
				rt.Prefix = &s
			} else {
				d.errorf(v.line, p, "%q is not a valid prefix: use letters, digits and _ only ('-' separates the prefix from tool names), or \"\" for no prefix", s)
			}
		}
	}
	if v, p, ok := get("secrets"); ok {
		rt.Secrets = d.secrets(v, p)
		if len(rt.Secrets) > 0 && len(rt.AllowedHosts) == 0 {
			d.warnf(v.line, p, "no secret is ever sent: allowed_hosts is empty, so the plugin cannot make HTTP requests")
		}
	}
	return rt
}

func (d *decoder) hosts(n *node, path string) []string {
	items, nodes := d.strList(n, path)
	out := make([]string, 0, len(items))
	for i, s := range items {
		s = d.expand(nodes[i], index(path, i), s, false)
		// The egress package owns the rule syntax (names, globs, host:port,
		// scheme://host, IPs, CIDRs); checking here reports a bad entry with
		// its line.
		if _, err := egress.ParseRules([]string{s}); err != nil {
			d.errorf(nodes[i].line, index(path, i), "%s", strings.TrimPrefix(err.Error(), "allowed_hosts[0] "))
			continue
		}
		out = append(out, s)
	}
	return out
}

// checkHost rejects secrets host entries that could never match a
// request's host.
func checkHost(s string) error {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return fmt.Errorf("is empty: give a host name such as api.example.com, a glob such as *.example.com, or * for any host")
	case strings.Contains(t, "://"):
		return fmt.Errorf("%q is a URL: give only its host name, such as api.example.com", s)
	case strings.ContainsAny(t, "/ \t"):
		return fmt.Errorf("%q is not a host name: give a host name such as api.example.com, without a path or spaces", s)
	}
	return nil
}

func (d *decoder) mounts(n *node, path string) []Mount {
	items, nodes := d.strList(n, path)
	home := func() (string, bool) {
		if d.opts.LookupEnv == nil {
			return "", false
		}
		h, ok := d.opts.LookupEnv("HOME")
		return h, ok && h != ""
	}
	var out []Mount
	guests := map[string]int{}
	for i, s := range items {
		p := index(path, i)
		m, err := parseMount(d.expand(nodes[i], p, s, false), d.opts.BaseDir, home)
		if err != nil {
			d.errorf(nodes[i].line, p, "%v", err)
			continue
		}
		if first, dup := guests[m.Guest]; dup {
			d.errorf(nodes[i].line, p, "guest path %s is already mounted by %s: give each directory its own guest path", m.Guest, index(path, first))
			continue
		}
		guests[m.Guest] = i
		out = append(out, m)
	}
	return out
}

func (d *decoder) envVars(n *node, path string) map[string]string {
	if n.kind != kMap {
		d.errorf(n.line, path, "want a map of NAME: value, got %s", describe(n))
		return nil
	}
	out := make(map[string]string, len(n.entries))
	for _, e := range n.entries {
		p := child(path, e.key)
		if e.key == "" {
			d.errorf(e.line, p, "the key is empty: give each value a name")
			continue
		}
		switch v := e.val; v.kind {
		case kString, kInt, kFloat, kBool:
			out[e.key] = d.expand(v, p, v.text, true)
		case kNull:
			d.errorf(v.line, p, `has no value: write "" for an empty string`)
		default:
			d.errorf(v.line, p, "want a string (or a number or true/false), got %s", describe(v))
		}
	}
	return out
}

// size reads a size given as a string (ParseByteSize) or a number of bytes.
func (d *decoder) size(n *node, path string) (ByteSize, bool) {
	switch n.kind {
	case kString:
		b, err := ParseByteSize(n.text)
		if err != nil {
			d.errorf(n.line, path, "%v", err)
			return 0, false
		}
		return b, true
	case kInt:
		if n.i < 0 {
			d.errorf(n.line, path, "%d is negative: use %s", n.i, sizeHint)
			return 0, false
		}
		return ByteSize(n.i), true
	case kFloat:
		d.errorf(n.line, path, "%s is not a whole number of bytes: use %s", n.text, sizeHint)
	default:
		d.errorf(n.line, path, "want %s, got %s", sizeHint, describe(n))
	}
	return 0, false
}

func (d *decoder) matcher(n *node, path string) Matcher {
	items, nodes := d.strList(n, path)
	var good []string
	for i, s := range items {
		if _, err := NewMatcher(s); err != nil {
			_, reason, _ := strings.Cut(err.Error(), "is not a valid regular expression: ")
			d.errorf(nodes[i].line, index(path, i), "%q is not a valid regular expression (%s): fix it, or escape special characters with \\", s, reason)
			continue
		}
		good = append(good, s)
	}
	m, _ := NewMatcher(good...) // each pattern compiled above
	return m
}

func (d *decoder) timeout(n *node, path string) time.Duration {
	var t time.Duration
	switch n.kind {
	case kString:
		var err error
		t, err = time.ParseDuration(strings.TrimSpace(n.text))
		if err != nil {
			d.errorf(n.line, path, "%q is not a duration: use a number with a unit, such as 30s, 1m30s or 500ms, or a number of milliseconds without quotes", n.text)
			return DefaultTimeout
		}
	case kInt:
		if n.i > maxTimeoutMsec {
			d.errorf(n.line, path, "%d milliseconds is too long: use at most %d", n.i, maxTimeoutMsec)
			return DefaultTimeout
		}
		t = time.Duration(n.i) * time.Millisecond
	case kFloat:
		d.errorf(n.line, path, "%s is not a whole number of milliseconds: use an integer, or a duration such as 1.5s", n.text)
		return DefaultTimeout
	default:
		d.errorf(n.line, path, "want a duration such as 30s or a number of milliseconds, got %s", describe(n))
		return DefaultTimeout
	}
	if t <= 0 {
		d.errorf(n.line, path, "%s is not more than 0: give every call time to run, such as 30s", t)
		return DefaultTimeout
	}
	return t
}

func (d *decoder) secrets(n *node, path string) []Secret {
	if n.kind != kList {
		d.errorf(n.line, path, "want a list of {host, header, value} maps, got %s", describe(n))
		return nil
	}
	var out []Secret
	seen := map[string]int{}
	for i, item := range n.list {
		p := index(path, i)
		f := d.object(item, p, secretKeys, nil)
		if f == nil {
			continue
		}
		s, ok := Secret{Header: defaultHeader}, true
		if v := f["host"]; !present(v) {
			d.errorf(item.line, child(p, "host"), "missing: give the host name (or glob) the header is sent to, such as api.example.com")
			ok = false
		} else if h, good := d.str(v, child(p, "host")); !good {
			ok = false
		} else if err := checkHost(h); err != nil {
			d.errorf(v.line, child(p, "host"), "%v", err)
			ok = false
		} else {
			s.Host = h
		}
		if v := f["header"]; present(v) {
			if h, good := d.str(v, child(p, "header")); !good {
				ok = false
			} else if !validHeaderName(h) {
				d.errorf(v.line, child(p, "header"), "%q is not an HTTP header name: use letters, digits and !#$%%&'*+-.^_`|~ only, such as Authorization or X-Api-Key", h)
				ok = false
			} else {
				s.Header = h
			}
		}
		if v := f["value"]; !present(v) {
			d.errorf(item.line, child(p, "value"), "missing: give the header's value, such as \"Bearer ${API_TOKEN}\"")
			ok = false
		} else if raw, good := d.str(v, child(p, "value")); !good {
			ok = false
		} else if raw == "" {
			d.errorf(v.line, child(p, "value"), "is empty: give the header's value, such as \"Bearer ${API_TOKEN}\"")
			ok = false
		} else {
			errs := len(d.errs)
			val := d.expand(v, child(p, "value"), raw, true)
			if len(d.errs) == errs && strings.TrimSpace(val) == "" {
				d.errorf(v.line, child(p, "value"), "is empty once its variables are expanded: set them to non-empty values")
				ok = false
			}
			s.Value = Redacted(val)
		}
		if !ok {
			continue
		}
		key := strings.ToLower(s.Host) + "\x00" + textproto.CanonicalMIMEHeaderKey(s.Header)
		if first, dup := seen[key]; dup {
			d.errorf(item.line, p, "host %s already gets header %s from %s: keep one of them", s.Host, s.Header, index(path, first))
			continue
		}
		seen[key] = i
		out = append(out, s)
	}
	return out
}

// validHeaderName reports whether s is an RFC 9110 field name (a token).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

func (d *decoder) auths(n *node) map[string]Auth {
	const path = "auths"
	if !present(n) {
		return nil
	}
	if n.kind != kMap {
		d.errorf(n.line, path, "want a map from URL prefix to credentials, got %s", describe(n))
		return nil
	}
	out := map[string]Auth{}
	firstKey := map[string]string{}
	for _, e := range n.entries {
		p := child(path, e.key)
		prefix, err := normalizeAuthURL(e.key)
		if err != nil {
			d.errorf(e.line, p, "%q %v", e.key, err)
		}
		a, ok := d.auth(e.val, p)
		if err != nil || !ok {
			continue
		}
		if first, dup := firstKey[prefix]; dup {
			d.errorf(e.line, p, "%q is the same prefix as %q (%s): keep one of them", e.key, first, prefix)
			continue
		}
		firstKey[prefix] = e.key
		out[prefix] = a
	}
	return out
}

func (d *decoder) auth(n *node, path string) (Auth, bool) {
	if n.kind != kMap {
		d.errorf(n.line, path, "want a map such as {type: token, token: ...}, got %s", describe(n))
		return Auth{}, false
	}
	var typeNode *node
	for _, e := range n.entries {
		if e.key == "type" {
			typeNode = e.val
		}
	}
	if !present(typeNode) {
		d.errorf(n.line, child(path, "type"), "missing: use type: basic (with username and password) or type: token (with token)")
		return Auth{}, false
	}
	typ, ok := d.str(typeNode, child(path, "type"))
	if !ok {
		return Auth{}, false
	}
	field := func(f map[string]*node, key string, secret bool) (string, bool) {
		v := f[key]
		if !present(v) {
			d.errorf(n.line, child(path, key), "missing: %s auth needs %s", typ, key)
			return "", false
		}
		s, ok := d.str(v, child(path, key))
		if !ok {
			return "", false
		}
		return d.expand(v, child(path, key), s, secret), true
	}
	switch typ {
	case "basic":
		f := d.object(n, path, basicAuthKeys, nil)
		user, ok1 := field(f, "username", false)
		pass, ok2 := field(f, "password", true)
		return Auth{Type: typ, Username: user, Password: Redacted(pass)}, ok1 && ok2
	case "token":
		f := d.object(n, path, tokenAuthKeys, nil)
		tok, ok := field(f, "token", true)
		return Auth{Type: typ, Token: Redacted(tok)}, ok
	case "keyring":
		d.errorf(typeNode.line, child(path, "type"), "auth type keyring is not supported by toolhost; use token or basic")
	default:
		d.errorf(typeNode.line, child(path, "type"), "auth type %q is not supported: use basic (with username and password) or token (with token)", typ)
	}
	return Auth{}, false
}
