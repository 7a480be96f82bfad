// Package config loads toolhost's configuration file: which plugins to run,
// where each one's .wasm comes from, and what each one is allowed to do.
//
// It does one job: turn a file into a validated [Config], or into one error
// that lists every problem in the file. It loads nothing, downloads nothing
// and starts nothing; the loader, sandbox and network packages act on the
// result. The only outside state it touches is the file system (to read the
// file and to check that every allowed_paths directory exists) and the
// environment, which is passed in through [Options.LookupEnv].
//
// # Format
//
// The format is a superset of hyper-mcp's config file, so an existing
// hyper-mcp file in YAML (.yaml, .yml), JSON (.json) or TOML (.toml) loads
// unchanged, with the exceptions listed under "Stricter than hyper-mcp":
//
//	auths:                              # optional, used only to download plugins
//	  "https://private.example.com":
//	    type: token                     # basic (username, password) or token (token)
//	    token: "${REGISTRY_TOKEN}"
//	plugins:                            # required, a map from plugin name to plugin
//	  weather:
//	    url: file:///srv/plugins/weather.wasm   # alias: path
//	    description: Forecasts for a city
//	    runtime_config:
//	      allowed_hosts: ["api.weather.example"]
//	      allowed_paths: ["/srv/cache:/cache", "/srv/maps:/maps:ro"]
//	      env_vars: { API_KEY: "${WEATHER_API_KEY}" }
//	      memory_limit: 64Mi
//	      skip_tools: ["debug_.*"]
//	      # toolhost additions:
//	      timeout: 30s
//	      max_output: 1Mi
//	      max_concurrency: 4
//	      instances: pooled
//	      prefix: wx
//	      secrets:
//	        - host: api.weather.example
//	          header: Authorization
//	          value: "Bearer ${WEATHER_TOKEN}"
//
// hyper-mcp's older list form, plugins: [{name: weather, url: …}], is read
// too. Keys that hyper-mcp's successor added but toolhost does not implement
// (oci, dynamic_loading, disable_completions and disable_logging at the top,
// allowed_secrets in runtime_config) are accepted and reported in
// [Config.Warnings]. Every other unknown key is an error.
//
// # Environment variables
//
// ${NAME} and ${NAME:-default} are expanded anywhere inside these values:
// url/path, allowed_hosts, allowed_paths, env_vars, secrets[].value and the
// username, password and token of auths. ${NAME:-default} uses the default
// when NAME is unset or empty, as in a POSIX shell. $${ stands for a literal
// ${. A $ not followed by { is kept as it is. Keys, regular expressions and
// the other settings are never expanded.
//
// # Skip patterns
//
// skip_tools, skip_prompts, skip_resources and skip_resource_templates are
// lists of Go (RE2) regular expressions. As in hyper-mcp, each pattern is
// anchored as ^(?:p)$ unless it already starts with ^ or \A, or ends with $
// or \z. Beware: such a pattern is then not anchored at the other end, so
// "^foo" also matches "foobar" and "foo$" also matches "xfoo". Write
// "^foo$" to match one name exactly.
//
// # Stricter than hyper-mcp
//
// hyper-mcp ignored some mistakes silently; toolhost refuses them so that a
// plugin never runs with less protection than its operator asked for:
//   - an unset ${NAME} without a default is an error (hyper-mcp passed the
//     literal text "${NAME}" to the plugin);
//   - a memory_limit that is not a size is an error (hyper-mcp ran the plugin
//     with no limit);
//   - unknown keys are errors, with the list of valid keys;
//   - plugin names must match ^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*$, so
//     hyper-mcp's own example name "qr-code" must become "qr_code";
//   - every allowed_paths host directory must already exist (hyper-mcp's
//     successor created missing ones);
//   - oci:// and s3:// plugins are not supported yet: download the .wasm
//     file and point url at it with file://;
//   - auths of type keyring are not supported: use token or basic.
package config
