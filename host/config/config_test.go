package config

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// newBase makes a base directory holding the directories a and b and the
// file f.txt, for allowed_paths cases.
func newBase(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	for _, dir := range []string{"a", "b"} {
		if err := os.Mkdir(filepath.Join(base, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(base, "f.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return base
}

func parseWith(t *testing.T, format Format, input string, env map[string]string, base string) (*Config, error) {
	t.Helper()
	opts := Options{BaseDir: base}
	if env != nil {
		opts.LookupEnv = lookup(env)
	}
	return Parse([]byte(input), format, opts)
}

// one wraps a runtime_config body (YAML, indented by 6) in a one-plugin config.
func one(runtime string) string {
	return "plugins:\n  p:\n    url: file:///p.wasm\n    runtime_config:\n" + runtime
}

func TestParseValid(t *testing.T) {
	env := map[string]string{"TOKEN": "s3cret", "EMPTY": ""}
	tests := []struct {
		name   string
		format Format
		input  string
		check  func(t *testing.T, c *Config, base string)
	}{
		{
			name:  "defaults",
			input: "plugins:\n  p:\n    url: file:///p.wasm\n",
			check: func(t *testing.T, c *Config, base string) {
				rt := c.Plugin("p").Runtime
				want := Runtime{Timeout: 60 * time.Second, MaxOutput: 4 << 20, MaxConcurrency: 8, Instances: PerSession}
				if !reflect.DeepEqual(rt, want) {
					t.Errorf("runtime = %+v, want %+v", rt, want)
				}
				if c.Source != "" || len(c.Warnings) != 0 || c.Auths != nil {
					t.Errorf("Source %q, Warnings %q, Auths %v: want all empty", c.Source, c.Warnings, c.Auths)
				}
			},
		},
		{
			name:  "plugins are sorted by name",
			input: "plugins:\n  zeta: {url: file:///z.wasm}\n  Alpha: {url: file:///a.wasm}\n  mid_1: {url: file:///m.wasm}\n",
			check: func(t *testing.T, c *Config, base string) {
				var names []string
				for _, p := range c.Plugins {
					names = append(names, p.Name)
				}
				if want := []string{"Alpha", "mid_1", "zeta"}; !reflect.DeepEqual(names, want) {
					t.Errorf("names = %q, want %q", names, want)
				}
				if c.Plugin("mid_1").Location.Path != "/m.wasm" || c.Plugin("nope") != nil {
					t.Error("Plugin lookup is wrong")
				}
			},
		},
		{
			name:  "locations",
			input: "plugins:\n  abs: {url: 'file:///srv/x/../p.wasm'}\n  rel: {url: 'file://rel/p.wasm'}\n  bare: {path: ./bare.wasm}\n  bareabs: {path: /opt/p.wasm}\n  esc: {url: 'file:///my%20dir/p.wasm'}\n  web: {url: 'https://h.example/p.wasm?v=1'}\n  plain: {url: 'HTTP://h.example/p.wasm'}\n  builtin: {url: 'bundled://echo'}\n  env: {url: 'file://${HOME}/p.wasm'}\n",
			check: func(t *testing.T, c *Config, base string) {
				want := map[string]Location{
					"abs":     {"file", "/srv/p.wasm", "file:///srv/p.wasm"},
					"rel":     {"file", filepath.Join(base, "rel/p.wasm"), "file://" + filepath.Join(base, "rel/p.wasm")},
					"bare":    {"file", filepath.Join(base, "bare.wasm"), "file://" + filepath.Join(base, "bare.wasm")},
					"bareabs": {"file", "/opt/p.wasm", "file:///opt/p.wasm"},
					"esc":     {"file", "/my dir/p.wasm", "file:///my%20dir/p.wasm"},
					"web":     {"https", "", "https://h.example/p.wasm?v=1"},
					"plain":   {"http", "", "http://h.example/p.wasm"},
					"builtin": {"bundled", "echo", "bundled://echo"},
					"env":     {"file", filepath.Join(base, "b", "p.wasm"), "file://" + filepath.Join(base, "b", "p.wasm")},
				}
				for name, loc := range want {
					if got := c.Plugin(name).Location; got != loc {
						t.Errorf("%s: Location = %+v, want %+v", name, got, loc)
					}
				}
			},
		},
		{
			name:  "allowed_paths forms",
			input: one("      allowed_paths:\n        - a\n        - ' b : /guest/b '\n        - a:/ro:ro\n        - a:/rw:rw\n        - b:ro\n        - '/:/root/'\n        - a:/x:y\n        - '~:/home'\n"),
			check: func(t *testing.T, c *Config, base string) {
				a, b := filepath.Join(base, "a"), filepath.Join(base, "b")
				want := []Mount{
					{Host: a, Guest: a},
					{Host: b, Guest: "/guest/b"},
					{Host: a, Guest: "/ro", ReadOnly: true},
					{Host: a, Guest: "/rw"},
					{Host: b, Guest: b, ReadOnly: true},
					{Host: "/", Guest: "/root"},
					{Host: a, Guest: "/x:y"},
					{Host: b, Guest: "/home"},
				}
				if got := c.Plugin("p").Runtime.AllowedPaths; !reflect.DeepEqual(got, want) {
					t.Errorf("AllowedPaths =\n%+v\nwant\n%+v", got, want)
				}
			},
		},
		{
			name:  "env_vars expansion and scalars",
			input: one("      env_vars:\n        A: '${TOKEN}'\n        B: 'x-${TOKEN}-${TOKEN}'\n        C: '${UNSET:-fallback}'\n        D: '${EMPTY:-used}'\n        E: '${EMPTY}'\n        F: '$${TOKEN} and $HOME'\n        G: 8080\n        H: true\n        I: 1.50\n        J: ''\n        K: '${UNSET:-}'\n        L: 0x1F\n"),
			check: func(t *testing.T, c *Config, base string) {
				want := map[string]string{
					"A": "s3cret", "B": "x-s3cret-s3cret", "C": "fallback", "D": "used", "E": "",
					"F": "${TOKEN} and $HOME", "G": "8080", "H": "true", "I": "1.50", "J": "", "K": "", "L": "0x1F",
				}
				if got := c.Plugin("p").Runtime.EnvVars; !reflect.DeepEqual(got, want) {
					t.Errorf("EnvVars = %q, want %q", got, want)
				}
			},
		},
		{
			name:   "env_vars numbers in JSON keep their text",
			format: JSON,
			input:  `{"plugins": {"p": {"url": "file:///p.wasm", "runtime_config": {"env_vars": {"N": 1.0, "M": 12, "B": false}}}}}`,
			check: func(t *testing.T, c *Config, base string) {
				want := map[string]string{"N": "1.0", "M": "12", "B": "false"}
				if got := c.Plugin("p").Runtime.EnvVars; !reflect.DeepEqual(got, want) {
					t.Errorf("EnvVars = %q, want %q", got, want)
				}
			},
		},
		{
			name:  "memory_limit forms",
			input: "plugins:\n  a: {url: file:///a.wasm, runtime_config: {memory_limit: 512Mi}}\n  b: {url: file:///b.wasm, runtime_config: {memory_limit: 100 MB}}\n  c: {url: file:///c.wasm, runtime_config: {memory_limit: 1048576}}\n  d: {url: file:///d.wasm, runtime_config: {memory_limit: 64ki}}\n  e: {url: file:///e.wasm, runtime_config: {memory_limit: 1.5GiB}}\n",
			check: func(t *testing.T, c *Config, base string) {
				for name, pages := range map[string]uint32{"a": 8192, "b": 1525, "c": 16, "d": 1, "e": 24576} {
					if got := c.Plugin(name).Runtime.MemoryLimit.Pages(); got != pages {
						t.Errorf("%s: Pages() = %d, want %d", name, got, pages)
					}
				}
			},
		},
		{
			name:  "skip patterns are anchored",
			input: one("      skip_tools: ['debug', 'temp_.*', '^pre', 'suf$']\n      skip_prompts: []\n      skip_resources: ['file:///s/.*']\n      skip_resource_templates: ['db://\\{t\\}']\n"),
			check: func(t *testing.T, c *Config, base string) {
				rt := c.Plugin("p").Runtime
				for s, want := range map[string]bool{
					"debug": true, "debug2": false, "xdebug": false, "temp_x": true, "temp": false,
					"prefix": true, "xpre": false, "suf": true, "xsuf": true, "sufx": false,
				} {
					if got := rt.SkipTools.Match(s); got != want {
						t.Errorf("SkipTools.Match(%q) = %v, want %v", s, got, want)
					}
				}
				if rt.SkipPrompts.Match("") || len(rt.SkipPrompts.Patterns()) != 0 {
					t.Error("empty skip_prompts should match nothing")
				}
				if !rt.SkipResources.Match("file:///s/a") || rt.SkipResources.Match("file:///t/a") {
					t.Error("SkipResources is wrong")
				}
				if !rt.SkipResourceTemplates.Match("db://{t}") {
					t.Error("SkipResourceTemplates is wrong")
				}
			},
		},
		{
			name:  "toolhost additions",
			input: one("      timeout: 1m30s\n      max_output: 2Mi\n      max_concurrency: 1\n      instances: pooled\n      prefix: ''\n      allowed_hosts: ['*.example.com']\n      secrets:\n        - {host: '*.example.com', value: 'Bearer ${TOKEN}'}\n        - {host: api.example.com, header: X-Key, value: k}\n"),
			check: func(t *testing.T, c *Config, base string) {
				rt := c.Plugin("p").Runtime
				if rt.Timeout != 90*time.Second || rt.MaxOutput != 2<<20 || rt.MaxConcurrency != 1 || rt.Instances != Pooled {
					t.Errorf("limits = %v %v %v %v", rt.Timeout, rt.MaxOutput, rt.MaxConcurrency, rt.Instances)
				}
				if rt.Prefix == nil || *rt.Prefix != "" {
					t.Errorf("Prefix = %v, want pointer to \"\"", rt.Prefix)
				}
				want := []Secret{
					{Host: "*.example.com", Header: "Authorization", Value: "Bearer s3cret"},
					{Host: "api.example.com", Header: "X-Key", Value: "k"},
				}
				if !reflect.DeepEqual(rt.Secrets, want) {
					t.Errorf("Secrets = %#v, want %#v", rt.Secrets, want)
				}
			},
		},
		{
			name:  "timeout as milliseconds and prefix set",
			input: one("      timeout: 250\n      prefix: my_Prefix9\n"),
			check: func(t *testing.T, c *Config, base string) {
				rt := c.Plugin("p").Runtime
				if rt.Timeout != 250*time.Millisecond {
					t.Errorf("Timeout = %v, want 250ms", rt.Timeout)
				}
				if rt.Prefix == nil || *rt.Prefix != "my_Prefix9" {
					t.Errorf("Prefix = %v", rt.Prefix)
				}
			},
		},
		{
			name:  "null values mean not set",
			input: "plugins:\n  p:\n    url: file:///p.wasm\n    description:\n    runtime_config:\n      memory_limit: ~\n      prefix:\n",
			check: func(t *testing.T, c *Config, base string) {
				rt := c.Plugin("p").Runtime
				if rt.MemoryLimit != 0 || rt.Prefix != nil || c.Plugin("p").Description != "" {
					t.Errorf("got %+v", rt)
				}
			},
		},
		{
			name:  "hyper-mcp list form",
			input: "plugins:\n  - name: b\n    url: file:///b.wasm\n  - name: a\n    path: https://h.example/a.wasm\n    description: the a plugin\n",
			check: func(t *testing.T, c *Config, base string) {
				if len(c.Plugins) != 2 || c.Plugins[0].Name != "a" || c.Plugins[0].Description != "the a plugin" || c.Plugins[1].Location.Path != "/b.wasm" {
					t.Errorf("plugins = %+v %+v", c.Plugins[0], c.Plugins[1])
				}
			},
		},
		{
			name:  "yaml anchors and merge keys",
			input: "plugins:\n  a:\n    url: file:///a.wasm\n    runtime_config: &rc\n      memory_limit: 1Mi\n      allowed_hosts: [x.example]\n  b:\n    url: file:///b.wasm\n    runtime_config:\n      <<: *rc\n      memory_limit: 2Mi\n",
			check: func(t *testing.T, c *Config, base string) {
				a, b := c.Plugin("a").Runtime, c.Plugin("b").Runtime
				if a.MemoryLimit != 1<<20 || b.MemoryLimit != 2<<20 {
					t.Errorf("memory limits %v %v, want 1Mi 2Mi (explicit key wins over merge)", a.MemoryLimit, b.MemoryLimit)
				}
				if !reflect.DeepEqual(b.AllowedHosts, []string{"x.example"}) {
					t.Errorf("merged AllowedHosts = %q", b.AllowedHosts)
				}
			},
		},
		{
			name:  "auths",
			input: "auths:\n  https://reg.example:\n    type: basic\n    username: u\n    password: '${TOKEN}'\n  https://reg.example/deep/:\n    type: token\n    token: t\nplugins:\n  p: {url: file:///p.wasm}\n",
			check: func(t *testing.T, c *Config, base string) {
				want := map[string]Auth{
					"https://reg.example/":      {Type: "basic", Username: "u", Password: "s3cret"},
					"https://reg.example/deep/": {Type: "token", Token: "t"},
				}
				if !reflect.DeepEqual(c.Auths, want) {
					t.Errorf("Auths = %#v", c.Auths)
				}
				for url, wantType := range map[string]string{
					"https://reg.example/p.wasm":        "basic",
					"https://reg.example/deep/p.wasm":   "token",
					"https://reg.example.evil/p.wasm":   "",
					"http://reg.example/p.wasm":         "",
					"https://reg.example/deeper/p.wasm": "basic",
				} {
					a, ok := c.AuthFor(url)
					if ok != (wantType != "") || a.Type != wantType {
						t.Errorf("AuthFor(%q) = %q, %v; want %q", url, a.Type, ok, wantType)
					}
				}
			},
		},
		{
			name:  "successor keys warn",
			input: "dynamic_loading: true\noci: {insecure_skip_signature: true}\ndisable_completions: true\ndisable_logging: false\nplugins:\n  p:\n    url: file:///p.wasm\n    runtime_config:\n      allowed_secrets: [{service: s, user: u}]\n",
			check: func(t *testing.T, c *Config, base string) {
				if len(c.Warnings) != 5 {
					t.Fatalf("Warnings = %q, want 5", c.Warnings)
				}
				for i, key := range []string{"dynamic_loading", "oci", "disable_completions", "disable_logging", "plugins.p.runtime_config.allowed_secrets"} {
					if !strings.Contains(c.Warnings[i], key+": ignored: ") || !strings.HasPrefix(c.Warnings[i], "config[<yaml>] line ") {
						t.Errorf("warning %d = %q, want it to name %s", i, c.Warnings[i], key)
					}
				}
			},
		},
		{
			name:  "secrets without allowed_hosts warn",
			input: one("      secrets: [{host: h.example, value: v}]\n"),
			check: func(t *testing.T, c *Config, base string) {
				if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "allowed_hosts is empty") {
					t.Errorf("Warnings = %q", c.Warnings)
				}
			},
		},
		{
			name:   "toml",
			format: TOML,
			input:  "[plugins.p]\nurl = \"file:///p.wasm\"\n[plugins.p.runtime_config]\nmemory_limit = 131072\ntimeout = \"2s\"\nenv_vars = { A = 1, B = \"${TOKEN}\" }\n",
			check: func(t *testing.T, c *Config, base string) {
				rt := c.Plugin("p").Runtime
				if rt.MemoryLimit.Pages() != 2 || rt.Timeout != 2*time.Second || rt.EnvVars["A"] != "1" || rt.EnvVars["B"] != "s3cret" {
					t.Errorf("runtime = %+v", rt)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format := tt.format
			if format == "" {
				format = YAML
			}
			base := newBase(t)
			e := maps.Clone(env)
			e["HOME"] = filepath.Join(base, "b")
			c, err := parseWith(t, format, tt.input, e, base)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, c, base)
		})
	}
}

func TestParseErrors(t *testing.T) {
	env := map[string]string{"TOKEN": "s3cret", "EMPTY": ""}
	type want struct {
		line int
		path string
		msg  string // a substring of Msg
	}
	tests := []struct {
		name   string
		format Format
		input  string
		noEnv  bool
		want   []want
	}{
		{"empty file", YAML, "", false, []want{{0, "", "no plugins configured"}}},
		{"empty json", JSON, " \n", false, []want{{0, "", "no plugins configured"}}},
		{"empty toml", TOML, "", false, []want{{0, "plugins", "no plugins configured"}}},
		{"no plugins key", YAML, "auths: {}\n", false, []want{{1, "plugins", "no plugins configured"}}},
		{"empty plugins", JSON, `{"plugins": {}}`, false, []want{{1, "plugins", "no plugins configured"}}},
		{"null plugins", YAML, "plugins:\n", false, []want{{1, "plugins", "no plugins configured"}}},
		{"top level list", YAML, "- a\n", false, []want{{1, "", "the top level must be a map"}}},
		{"plugins scalar", YAML, "plugins: 3\n", false, []want{{1, "plugins", "want a map from plugin name to plugin, got a number"}}},
		{"plugin null", YAML, "plugins:\n  p:\n", false, []want{{2, "plugins.p", "want a map with url"}}},
		{"bad name", YAML, "plugins:\n  my-plugin: {url: file:///p.wasm}\n", false, []want{{2, `plugins["my-plugin"]`, `"my-plugin" is not valid`}}},
		{"bad name underscore", YAML, "plugins:\n  a__b: {url: file:///p.wasm}\n", false, []want{{2, "plugins.a__b", "such as a_b"}}},
		{"bad name leading underscore", YAML, "plugins:\n  _a: {url: file:///p.wasm}\n", false, []want{{2, "plugins._a", "is not valid"}}},
		{"no url", YAML, "plugins:\n  p: {description: x}\n", false, []want{{2, "plugins.p.url", "missing"}}},
		{"url and path", YAML, "plugins:\n  p:\n    url: file:///a.wasm\n    path: file:///b.wasm\n", false, []want{{4, "plugins.p.path", "keep only one"}}},
		{"url not string", YAML, "plugins:\n  p: {url: [a]}\n", false, []want{{2, "plugins.p.url", "want a string, got a list"}}},
		{"oci", YAML, "plugins:\n  p: {url: 'oci://ghcr.io/x:latest'}\n", false, []want{{2, "plugins.p.url", "oci:// plugins are not supported yet: download the .wasm file"}}},
		{"s3", YAML, "plugins:\n  p: {url: 's3://b/k.wasm'}\n", false, []want{{2, "plugins.p.url", "s3:// plugins are not supported yet"}}},
		{"ftp", YAML, "plugins:\n  p: {url: 'ftp://h/k.wasm'}\n", false, []want{{2, "plugins.p.url", "scheme ftp:// is not supported"}}},
		{"http no host", YAML, "plugins:\n  p: {url: 'https:///k.wasm'}\n", false, []want{{2, "plugins.p.url", "has no host"}}},
		{"bundled bad", YAML, "plugins:\n  p: {url: 'bundled://'}\n", false, []want{{2, "plugins.p.url", "does not name a bundled plugin"}}},
		{"relative without base", YAML, "plugins:\n  p: {url: 'x.wasm'}\n", false, []want{{2, "plugins.p.url", "is a relative path"}}},
		{"unknown top key", YAML, "plugins:\n  p: {url: file:///p.wasm}\nplugin: {}\n", false, []want{{3, "plugin", "unknown key: the keys here are plugins, auths; did you mean plugins?"}}},
		{"unknown plugin key", JSON, "{\"plugins\": {\"p\": {\"url\": \"file:///p.wasm\",\n \"runtime\": {}}}}", false, []want{{2, "plugins.p.runtime", "did you mean runtime_config?"}}},
		{"unknown runtime key", YAML, one("      memory: 1Mi\n"), false, []want{{5, "plugins.p.runtime_config.memory", "unknown key"}}},
		{"unknown secret key", YAML, one("      allowed_hosts: [h]\n      secrets: [{host: h, value: v, hedaer: X}]\n"), false, []want{{6, "plugins.p.runtime_config.secrets[0].hedaer", "did you mean header?"}}},
		{"duplicate yaml key", YAML, "plugins:\n  p: {url: file:///p.wasm}\n  p: {url: file:///q.wasm}\n", false, []want{{3, "plugins.p", "duplicate key: it is already set on line 2"}}},
		{"two yaml documents", YAML, "plugins: {}\n---\nplugins: {}\n", false, []want{{2, "", "more than one YAML document"}}},
		{"yaml syntax", YAML, "plugins: [\n", false, []want{{0, "", "not valid YAML"}}},
		{"json syntax", JSON, "{\n\"plugins\": {,}}", false, []want{{2, "", "not valid JSON"}}},
		{"json truncated", JSON, `{"plugins": {`, false, []want{{0, "", "the file ends in the middle of a value"}}},
		{"json trailing", JSON, "{\"plugins\": {\"p\": {\"url\": \"file:///p.wasm\"}}}\n{}", false, []want{{2, "", "more after the top-level object"}}},
		{"toml syntax", TOML, "[plugins\n", false, []want{{1, "", "not valid TOML"}}},
		{"toml date", TOML, "[plugins.p]\nurl = 1979-05-27\n", false, []want{{0, "plugins.p.url", "want a string, got a TOML date"}}},
		{"yaml custom tag", YAML, "plugins:\n  p: {url: !weird x}\n", false, []want{{2, "plugins.p.url", "want a string, got a value tagged !weird"}}},
		{"unknown format", "xml", "<x/>", false, []want{{0, "", `format "xml" is not supported`}}},
		{"memory not a size", YAML, one("      memory_limit: 64Q\n"), false, []want{{5, "plugins.p.runtime_config.memory_limit", `"64Q" is not a size: use a number with an optional unit such as 64Mi or 100MB`}}},
		{"memory below a page", YAML, one("      memory_limit: 1000\n"), false, []want{{5, "plugins.p.runtime_config.memory_limit", "less than one 64KiB wasm page"}}},
		{"memory zero", YAML, one("      memory_limit: 0\n"), false, []want{{5, "plugins.p.runtime_config.memory_limit", "less than one 64KiB wasm page"}}},
		{"memory negative", YAML, one("      memory_limit: -1\n"), false, []want{{5, "plugins.p.runtime_config.memory_limit", "is negative"}}},
		{"memory float", YAML, one("      memory_limit: 1.5\n"), false, []want{{5, "plugins.p.runtime_config.memory_limit", "not a whole number of bytes"}}},
		{"memory list", YAML, one("      memory_limit: [1]\n"), false, []want{{5, "plugins.p.runtime_config.memory_limit", "got a list"}}},
		{"env unset", YAML, one("      env_vars: {K: '${NOPE}'}\n"), false, []want{{5, "plugins.p.runtime_config.env_vars.K", "environment variable NOPE is not set"}}},
		{"env no environment", YAML, one("      env_vars: {K: 'a ${TOKEN}'}\n"), true, []want{{5, "plugins.p.runtime_config.env_vars.K", "read without an environment"}}},
		{"env two unset", YAML, one("      env_vars: {K: '${A}${B}'}\n"), false, []want{{5, "plugins.p.runtime_config.env_vars.K", "variable A is not set"}, {5, "plugins.p.runtime_config.env_vars.K", "variable B is not set"}}},
		{"env malformed", YAML, one("      env_vars: {K: '${A.B}'}\n"), false, []want{{5, "plugins.p.runtime_config.env_vars.K", "is not a valid reference"}}},
		{"env unclosed", YAML, one("      env_vars: {K: 'x${A'}\n"), false, []want{{5, "plugins.p.runtime_config.env_vars.K", "has no closing }"}}},
		{"env null", YAML, one("      env_vars: {K: ~}\n"), false, []want{{5, "plugins.p.runtime_config.env_vars.K", `write "" for an empty string`}}},
		{"env list", YAML, one("      env_vars: [a]\n"), false, []want{{5, "plugins.p.runtime_config.env_vars", "want a map of NAME: value"}}},
		{"hosts string", YAML, one("      allowed_hosts: '*'\n"), false, []want{{5, "plugins.p.runtime_config.allowed_hosts", `write a list even for one item, such as ["*"]`}}},
		{"hosts empty entry", YAML, one("      allowed_hosts: ['', ' ']\n"), false, []want{{5, "plugins.p.runtime_config.allowed_hosts[0]", "empty entry; valid forms"}, {5, "plugins.p.runtime_config.allowed_hosts[1]", "empty entry; valid forms"}}},
		{"hosts url with path", YAML, one("      allowed_hosts: ['https://a.example/x']\n"), false, []want{{5, "plugins.p.runtime_config.allowed_hosts[0]", "https://a.example/x"}}},
		{"hosts bad cidr", YAML, one("      allowed_hosts: ['10.0.0.0/99']\n"), false, []want{{5, "plugins.p.runtime_config.allowed_hosts[0]", "10.0.0.0/99"}}},
		{"hosts number", YAML, one("      allowed_hosts: [1]\n"), false, []want{{5, "plugins.p.runtime_config.allowed_hosts[0]", "want a string, got a number"}}},
		{"path missing", YAML, one("      allowed_paths: [nope]\n"), false, []want{{5, "plugins.p.runtime_config.allowed_paths[0]", "does not exist"}}},
		{"path is file", YAML, one("      allowed_paths: ['f.txt:/f']\n"), false, []want{{5, "plugins.p.runtime_config.allowed_paths[0]", "is not a directory"}}},
		{"path guest relative", YAML, one("      allowed_paths: ['a:g']\n"), false, []want{{5, "plugins.p.runtime_config.allowed_paths[0]", `guest path "g", which is not absolute`}}},
		{"path empty", YAML, one("      allowed_paths: ['  ']\n"), false, []want{{5, "plugins.p.runtime_config.allowed_paths[0]", "is empty"}}},
		{"path no host", YAML, one("      allowed_paths: [':/g']\n"), false, []want{{5, "plugins.p.runtime_config.allowed_paths[0]", "has no host directory"}}},
		{"path home unset", YAML, one("      allowed_paths: ['~/a']\n"), false, []want{{5, "plugins.p.runtime_config.allowed_paths[0]", "~ needs the HOME environment variable"}}},
		{"path same guest", YAML, one("      allowed_paths: ['a:/g', 'b:/g/']\n"), false, []want{{5, "plugins.p.runtime_config.allowed_paths[1]", "guest path /g is already mounted by plugins.p.runtime_config.allowed_paths[0]"}}},
		{"skip bad regex", YAML, one("      skip_tools: [ok, '(']\n"), false, []want{{5, "plugins.p.runtime_config.skip_tools[1]", `"(" is not a valid regular expression`}}},
		{"skip not list", YAML, one("      skip_tools: {a: b}\n"), false, []want{{5, "plugins.p.runtime_config.skip_tools", "want a list of strings, got a map"}}},
		{"timeout bad", YAML, one("      timeout: soon\n"), false, []want{{5, "plugins.p.runtime_config.timeout", `"soon" is not a duration`}}},
		{"timeout unitless string", YAML, one("      timeout: '30'\n"), false, []want{{5, "plugins.p.runtime_config.timeout", "a number of milliseconds without quotes"}}},
		{"timeout zero", YAML, one("      timeout: 0\n"), false, []want{{5, "plugins.p.runtime_config.timeout", "is not more than 0"}}},
		{"timeout float", YAML, one("      timeout: 1.5\n"), false, []want{{5, "plugins.p.runtime_config.timeout", "not a whole number of milliseconds"}}},
		{"timeout huge", YAML, one("      timeout: 9223372036854775807\n"), false, []want{{5, "plugins.p.runtime_config.timeout", "is too long"}}},
		{"max_output bad", YAML, one("      max_output: lots\n"), false, []want{{5, "plugins.p.runtime_config.max_output", `"lots" is not a size`}}},
		{"max_output zero", YAML, one("      max_output: 0B\n"), false, []want{{5, "plugins.p.runtime_config.max_output", "must be more than 0 bytes"}}},
		{"max_concurrency zero", YAML, one("      max_concurrency: 0\n"), false, []want{{5, "plugins.p.runtime_config.max_concurrency", "out of range"}}},
		{"max_concurrency string", YAML, one("      max_concurrency: '4'\n"), false, []want{{5, "plugins.p.runtime_config.max_concurrency", "want a whole number such as 8, got a string"}}},
		{"instances bad", YAML, one("      instances: shared\n"), false, []want{{5, "plugins.p.runtime_config.instances", `"shared" is not an instance mode`}}},
		{"prefix bad", YAML, one("      prefix: a-b\n"), false, []want{{5, "plugins.p.runtime_config.prefix", `"a-b" is not a valid prefix`}}},
		{"secrets not list", YAML, one("      secrets: {host: h}\n"), false, []want{{5, "plugins.p.runtime_config.secrets", "want a list of {host, header, value} maps"}}},
		{"secret no host", YAML, one("      secrets: [{value: v}]\n"), false, []want{{5, "plugins.p.runtime_config.secrets[0].host", "missing"}}},
		{"secret host url", YAML, one("      secrets: [{host: 'https://h', value: v}]\n"), false, []want{{5, "plugins.p.runtime_config.secrets[0].host", "is a URL"}}},
		{"secret bad header", YAML, one("      secrets: [{host: h, header: 'X Key', value: v}]\n"), false, []want{{5, "plugins.p.runtime_config.secrets[0].header", "is not an HTTP header name"}}},
		{"secret no value", YAML, one("      secrets: [{host: h}]\n"), false, []want{{5, "plugins.p.runtime_config.secrets[0].value", "missing"}}},
		{"secret empty after expansion", YAML, one("      secrets: [{host: h, value: '${EMPTY}'}]\n"), false, []want{{5, "plugins.p.runtime_config.secrets[0].value", "is empty once its variables are expanded"}}},
		{"secret duplicate", YAML, one("      allowed_hosts: [h]\n      secrets: [{host: H, value: a}, {host: h, header: authorization, value: b}]\n"), false, []want{{6, "plugins.p.runtime_config.secrets[1]", "host h already gets header authorization from plugins.p.runtime_config.secrets[0]"}}},
		{"auth keyring", YAML, "auths:\n  https://r.example:\n    type: keyring\n    service: s\n    user: u\nplugins: {p: {url: file:///p.wasm}}\n", false, []want{{3, `auths["https://r.example"].type`, "auth type keyring is not supported by toolhost; use token or basic"}}},
		{"auth unknown type", YAML, "auths:\n  https://r.example: {type: oauth}\nplugins: {p: {url: file:///p.wasm}}\n", false, []want{{2, `auths["https://r.example"].type`, `auth type "oauth" is not supported`}}},
		{"auth no type", YAML, "auths:\n  https://r.example: {token: t}\nplugins: {p: {url: file:///p.wasm}}\n", false, []want{{2, `auths["https://r.example"].type`, "missing"}}},
		{"auth basic no password", YAML, "auths:\n  https://r.example: {type: basic, username: u}\nplugins: {p: {url: file:///p.wasm}}\n", false, []want{{2, `auths["https://r.example"].password`, "missing: basic auth needs password"}}},
		{"auth token extra key", YAML, "auths:\n  https://r.example: {type: token, token: t, username: u}\nplugins: {p: {url: file:///p.wasm}}\n", false, []want{{2, `auths["https://r.example"].username`, "unknown key: the keys here are type, token"}}},
		{"auth not url", YAML, "auths:\n  registry: {type: token, token: t}\nplugins: {p: {url: file:///p.wasm}}\n", false, []want{{2, "auths.registry", "is not an http:// or https:// URL"}}},
		{"auth same prefix", YAML, "auths:\n  https://r.example: {type: token, token: t}\n  https://r.example/: {type: token, token: u}\nplugins: {p: {url: file:///p.wasm}}\n", false, []want{{3, `auths["https://r.example/"]`, "is the same prefix as"}}},
		{"auth token unset", YAML, "auths:\n  https://r.example: {type: token, token: '${NOPE}'}\nplugins: {p: {url: file:///p.wasm}}\n", false, []want{{2, `auths["https://r.example"].token`, "NOPE is not set"}}},
		{"list form no name", YAML, "plugins:\n  - url: file:///p.wasm\n", false, []want{{2, "plugins[0].name", "missing"}}},
		{"list form duplicate", YAML, "plugins:\n  - {name: a, url: file:///p.wasm}\n  - {name: a, url: file:///q.wasm}\n", false, []want{{3, "plugins[1].name", `plugin "a" is already defined at plugins[0]`}}},
		{"list form item", YAML, "plugins:\n  - a\n", false, []want{{2, "plugins[0]", "want a map with name and url"}}},
		{"merge of scalar", YAML, "plugins:\n  p:\n    <<: 3\n    url: file:///p.wasm\n", false, []want{{3, "plugins.p", "<< must merge a map"}}},
		{"non-string key", YAML, "plugins:\n  ? [a]\n  : {url: file:///p.wasm}\n", false, []want{{2, "plugins", "a key must be a plain string"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := env
			if tt.noEnv {
				e = nil
			}
			base := newBase(t)
			if tt.name == "relative without base" {
				base = ""
			}
			_, err := parseWith(t, tt.format, tt.input, e, base)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			got := problems(t, err)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(got), len(tt.want), err)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Line != w.line || g.Path != w.path || !strings.Contains(g.Msg, w.msg) {
					t.Errorf("problem %d = line %d, path %q, msg %q\nwant line %d, path %q, msg containing %q", i, g.Line, g.Path, g.Msg, w.line, w.path, w.msg)
				}
				wantSource := "config[<" + string(tt.format) + ">]"
				if !strings.HasPrefix(g.Error(), wantSource) {
					t.Errorf("Error() = %q, want prefix %s", g.Error(), wantSource)
				}
			}
		})
	}
}

func TestErrorsNeverShowSecrets(t *testing.T) {
	input := "auths:\n  https://r.example: {type: token, token: [tok-s3kr1t]}\n" +
		"plugins:\n  p:\n    url: file:///p.wasm\n    runtime_config:\n" +
		"      env_vars: {A: 'pw-s3kr1t${X.Y}', B: 'pw-s3kr1t${'}\n" +
		"      secrets: [{host: h, value: 'pw-s3kr1t${1}'}, {host: i, value: [v-s3kr1t]}]\n" +
		"  q:\n    url: 'https://user:pw-s3kr1t@/q.wasm'\n"
	_, err := Parse([]byte(input), YAML, Options{LookupEnv: lookup(nil)})
	if err == nil {
		t.Fatal("Parse succeeded, want errors")
	}
	if n := len(problems(t, err)); n != 6 {
		t.Errorf("got %d problems, want 6:\n%v", n, err)
	}
	if strings.Contains(err.Error(), "s3kr1t") {
		t.Errorf("error shows a secret value:\n%v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	good := write("Config.YML", "plugins:\n  p:\n    url: p.wasm\n    runtime_config: {allowed_paths: [data]}\n")
	c, err := Load(good, Options{BaseDir: "/ignored"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	p := c.Plugin("p")
	if p.Location.Path != filepath.Join(dir, "p.wasm") || p.Runtime.AllowedPaths[0].Host != filepath.Join(dir, "data") || c.Source != good {
		t.Errorf("relative paths did not resolve against the file's directory: %+v %+v, Source %q", p.Location, p.Runtime.AllowedPaths, c.Source)
	}

	t.Chdir(dir)
	c, err = Parse([]byte("plugins: {p: {url: p.wasm}}"), YAML, Options{BaseDir: "data"})
	if err != nil || c.Plugin("p").Location.Path != filepath.Join(dir, "data", "p.wasm") {
		t.Errorf("a relative BaseDir must resolve against the working directory: %v %+v", err, c)
	}

	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.yaml"), "config[" + filepath.Join(dir, "nope.yaml") + "]: the file does not exist: create it"},
		{"no extension", write("config", "x"), "has no extension: name it .yaml, .yml, .json or .toml"},
		{"other extension", write("config.ini", "x"), `extension ".ini" is not a config format`},
		{"directory", filepath.Join(dir, "data.json"), "does not exist"},
		{"read error", dir + "/data/..json", "cannot read the file"},
	}
	if err := os.Mkdir(filepath.Join(dir, "data", "..json"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.path, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load(%s) = %v, want an error containing %q", tt.path, err, tt.want)
			}
		})
	}
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]Format{"a.yaml": YAML, "a.YML": YAML, "dir.json/a.json": JSON, "a.Toml": TOML} {
		if got, err := FormatOf(path); err != nil || got != want {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
	for _, path := range []string{"a", "a.yaml.bak", "a.txt"} {
		if _, err := FormatOf(path); err == nil {
			t.Errorf("FormatOf(%q) succeeded, want an error", path)
		}
	}
}

func TestValidPluginName(t *testing.T) {
	for name, want := range map[string]bool{
		"p": true, "P1": true, "1": true, "my_plugin_v2": true, "a_1": true,
		"": false, "_": false, "_a": false, "a_": false, "a__b": false, "a-b": false,
		"a b": false, "a.b": false, "plugín": false, "a\n": false,
	} {
		if got := ValidPluginName(name); got != want {
			t.Errorf("ValidPluginName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestLimits(t *testing.T) {
	// A YAML alias bomb: 9 levels of 10 aliases would expand to 10^9 values.
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	b.WriteString("plugins: {p: {url: file:///p.wasm}}\n")
	_, err := Parse([]byte(b.String()), YAML, Options{})
	if err == nil || !strings.Contains(err.Error(), "more than 100000 values") {
		t.Errorf("alias bomb: got %v, want the value limit error", err)
	}

	deep := strings.Repeat("[", 200) + strings.Repeat("]", 200)
	_, err = Parse([]byte(`{"plugins": `+deep+`}`), JSON, Options{})
	if err == nil || !strings.Contains(err.Error(), "nested more than 100 levels") {
		t.Errorf("deep JSON: got %v, want the depth limit error", err)
	}
}
