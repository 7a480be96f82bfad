package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Format is the syntax of a configuration file.
type Format string

// The supported formats.
const (
	YAML Format = "yaml"
	JSON Format = "json"
	TOML Format = "toml"
)

// FormatOf returns the format that Load uses for path, chosen by its
// extension: .yaml or .yml, .json, .toml (in any letter case).
func FormatOf(path string) (Format, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".yaml", ".yml":
		return YAML, nil
	case ".json":
		return JSON, nil
	case ".toml":
		return TOML, nil
	case "":
		return "", errors.New("the file name has no extension: name it .yaml, .yml, .json or .toml after its format")
	default:
		return "", fmt.Errorf("extension %q is not a config format: name the file .yaml, .yml, .json or .toml after its format", ext)
	}
}

// Defaults of the toolhost additions to runtime_config.
const (
	DefaultTimeout                 = 60 * time.Second
	DefaultMaxOutput      ByteSize = 4 << 20
	DefaultMaxConcurrency          = 8
	DefaultInstances               = PerSession
)

// Options control how a configuration is read.
type Options struct {
	// LookupEnv resolves ${NAME} references, like os.LookupEnv. nil means
	// there is no environment: every ${NAME} without a default is an error.
	LookupEnv func(string) (string, bool)
	// BaseDir is the directory that relative file paths (url/path and
	// allowed_paths) resolve against; a relative BaseDir is taken relative
	// to the working directory. Load sets it to the directory of the file.
	// If it is empty, relative paths are errors.
	BaseDir string
}

// Config is a validated configuration.
type Config struct {
	// Plugins are sorted by Name.
	Plugins []*Plugin
	// Auths are hyper-mcp's download credentials, keyed by URL prefix. A
	// key without a path gets a "/" path ("https://h" becomes "https://h/"),
	// so a prefix never matches a longer host name. See AuthFor.
	Auths map[string]Auth
	// Warnings name the settings that were accepted but have no effect,
	// each with the reason, formatted like errors.
	Warnings []string
	// Source is the file Load read, or "" when the config came from Parse.
	Source string
}

// Plugin returns the plugin called name, or nil.
func (c *Config) Plugin(name string) *Plugin {
	if c == nil {
		return nil
	}
	i, ok := slices.BinarySearchFunc(c.Plugins, name, func(p *Plugin, name string) int {
		return strings.Compare(p.Name, name)
	})
	if !ok {
		return nil
	}
	return c.Plugins[i]
}

// AuthFor returns the credentials to download rawURL with: those of the
// longest Auths prefix that rawURL starts with, as hyper-mcp does.
func (c *Config) AuthFor(rawURL string) (Auth, bool) {
	if c == nil {
		return Auth{}, false
	}
	best, found := "", false
	for prefix := range c.Auths {
		if strings.HasPrefix(rawURL, prefix) && (!found || len(prefix) > len(best)) {
			best, found = prefix, true
		}
	}
	if !found {
		return Auth{}, false
	}
	return c.Auths[best], true
}

// Plugin is one configured plugin.
type Plugin struct {
	// Name is the key in the plugins map. It matches
	// ^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*$.
	Name string
	// Description is the optional description key.
	Description string
	// Location says where the .wasm file comes from (url, alias path).
	Location Location
	// Runtime is the parsed runtime_config, with defaults filled in.
	Runtime Runtime
}

// Location is where a plugin's code comes from.
type Location struct {
	// Scheme is "file", "http", "https" or "bundled".
	Scheme string
	// Path is the absolute, cleaned file path for "file", the plugin's name
	// for "bundled", and "" otherwise.
	Path string
	// URL is the location as a URL: file:///abs/path for files (normalised
	// from a bare or relative path), the URL as written for http and https,
	// and bundled://NAME for bundled plugins.
	URL string
}

// InstanceMode says how a plugin's instances are shared.
type InstanceMode string

// The instance modes.
const (
	// PerSession gives each MCP session its own instance, as hyper-mcp does,
	// so guest state persists across the calls of one session.
	PerSession InstanceMode = "per-session"
	// Pooled shares a pool of instances among all sessions. Use it only for
	// plugins that keep no state between calls.
	Pooled InstanceMode = "pooled"
)

// Runtime is a plugin's runtime_config: its grants and limits.
type Runtime struct {
	// AllowedHosts are the host patterns the plugin may send HTTP requests
	// to, as written (non-empty). The network package parses them. Empty
	// means no HTTP at all.
	AllowedHosts []string
	// AllowedPaths are the directories the plugin may see.
	AllowedPaths []Mount
	// EnvVars become Extism config keys (read with config_get), not WASI
	// environment variables. Values are expanded.
	EnvVars map[string]string
	// MemoryLimit caps the guest's linear memory; 0 means not set.
	MemoryLimit ByteSize
	// Skip* hide matching tools, prompts, resource URIs and resource URI
	// templates of the plugin.
	SkipTools, SkipPrompts, SkipResources, SkipResourceTemplates Matcher

	// Timeout bounds one call into the plugin (timeout). Default 60s.
	Timeout time.Duration
	// MaxOutput bounds the size of one call's output (max_output).
	// Default 4Mi.
	MaxOutput ByteSize
	// MaxConcurrency bounds the concurrent calls into the plugin
	// (max_concurrency). Default 8.
	MaxConcurrency int
	// Instances is the instance mode (instances). Default per-session.
	Instances InstanceMode
	// Prefix is what the plugin's tool and prompt names are prefixed with
	// (prefix): nil means the plugin's name, "" means no prefix at all.
	Prefix *string
	// Secrets are HTTP headers that the host adds to the plugin's requests
	// to matching hosts (secrets), so the plugin never sees them.
	Secrets []Secret
}

// Mount is one allowed_paths entry: a host directory the guest sees at Guest.
type Mount struct {
	// Host is the absolute, cleaned host directory. It existed when the
	// config was loaded.
	Host string
	// Guest is the absolute, cleaned path inside the guest.
	Guest string
	// ReadOnly is set by a ":ro" suffix. The default is read-write, as in
	// hyper-mcp.
	ReadOnly bool
}

// Secret is a header the host adds to a plugin's HTTP requests.
type Secret struct {
	// Host is a host name or glob, matched like allowed_hosts.
	Host string
	// Header is the HTTP header name. Default "Authorization".
	Header string
	// Value is the expanded header value.
	Value Redacted
}

// Auth is a hyper-mcp download credential.
type Auth struct {
	// Type is "basic" or "token".
	Type string
	// Username and Password are set for basic.
	Username string
	Password Redacted
	// Token is set for token; it is sent as a bearer token.
	Token Redacted
}

// Load reads the configuration file at path, in the format its extension
// names (see FormatOf). It sets opts.BaseDir to the file's directory, so
// relative paths in the file are relative to the file.
func Load(path string, opts Options) (*Config, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, &Error{Source: path, Msg: err.Error()}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{Source: path, Msg: fmt.Sprintf("cannot make the path absolute: %v", err)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		msg := fmt.Sprintf("cannot read the file: %v", err)
		if errors.Is(err, fs.ErrNotExist) {
			msg = "the file does not exist: create it or pass the path of an existing config file"
		}
		return nil, &Error{Source: path, Msg: msg}
	}
	opts.BaseDir = filepath.Dir(abs)
	return parse(data, format, opts, path)
}

// Parse reads a configuration from data. Config.Source is "", and errors
// name the source as <yaml>, <json> or <toml>.
func Parse(data []byte, format Format, opts Options) (*Config, error) {
	return parse(data, format, opts, "")
}

func parse(data []byte, format Format, opts Options, source string) (*Config, error) {
	display := source
	if display == "" {
		display = "<" + string(format) + ">"
	}
	if opts.BaseDir != "" && !filepath.IsAbs(opts.BaseDir) {
		abs, err := filepath.Abs(opts.BaseDir)
		if err != nil {
			return nil, &Error{Source: display, Msg: fmt.Sprintf("cannot make the base directory %s absolute: %v", opts.BaseDir, err)}
		}
		opts.BaseDir = abs
	}
	d := &decoder{source: display, opts: opts}
	var root *node
	var err *Error
	switch format {
	case YAML:
		root, err = d.yamlTree(data)
	case JSON:
		root, err = d.jsonTree(data)
	case TOML:
		root, err = d.tomlTree(data)
	default:
		return nil, &Error{Source: display, Msg: fmt.Sprintf("format %q is not supported: use %q, %q or %q", string(format), YAML, JSON, TOML)}
	}
	if err != nil {
		return nil, err
	}
	if d.overrun {
		return nil, errors.Join(d.errs...)
	}
	cfg := d.config(root)
	if len(d.errs) > 0 {
		// Report in file order; problems without a line come first.
		slices.SortStableFunc(d.errs, func(a, b error) int {
			return a.(*Error).Line - b.(*Error).Line
		})
		return nil, errors.Join(d.errs...)
	}
	cfg.Source = source
	cfg.Warnings = d.warnings
	return cfg, nil
}

// normalizeAuthURL parses an auths key and gives a bare host the path "/".
func normalizeAuthURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("is not a URL (%v): use a URL prefix such as https://registry.example.com/plugins/", unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", errors.New("is not an http:// or https:// URL: toolhost downloads plugins only over http(s), so use a prefix such as https://registry.example.com/")
	}
	if u.Host == "" {
		return "", errors.New("has no host: use a URL prefix such as https://registry.example.com/")
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
