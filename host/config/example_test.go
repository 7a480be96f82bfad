package config_test

import (
	"fmt"

	"github.com/toolhost/toolhost/host/config"
)

func ExampleParse() {
	env := map[string]string{"WEATHER_TOKEN": "t0ken"}
	cfg, err := config.Parse([]byte(`
plugins:
  weather:
    url: https://plugins.example.com/weather.wasm
    runtime_config:
      allowed_hosts: [api.weather.example]
      memory_limit: 64Mi
      skip_tools: ["debug_.*"]
      timeout: 10s
      secrets:
        - host: api.weather.example
          value: "Bearer ${WEATHER_TOKEN}"
`), config.YAML, config.Options{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := cfg.Plugin("weather")
	rt := p.Runtime
	fmt.Println(p.Location.Scheme, p.Location.URL)
	fmt.Println(rt.MemoryLimit, rt.MemoryLimit.Pages(), "pages")
	fmt.Println(rt.SkipTools.Match("debug_dump"), rt.SkipTools.Match("forecast"))
	fmt.Println(rt.Timeout, rt.MaxConcurrency, rt.Instances)
	fmt.Println(rt.Secrets[0].Header, rt.Secrets[0].Value, rt.Secrets[0].Value.Reveal())
	// Output:
	// https https://plugins.example.com/weather.wasm
	// 64Mi 1024 pages
	// true false
	// 10s 8 per-session
	// Authorization [REDACTED] Bearer t0ken
}

func ExampleParse_errors() {
	_, err := config.Parse([]byte(`
plugins:
  qr-code:
    url: oci://ghcr.io/example/qrcode:latest
    runtime_config:
      memory_limit: 64Q
`), config.YAML, config.Options{})
	fmt.Println(err)
	// Output:
	// config[<yaml>] line 3: plugins["qr-code"]: plugin name "qr-code" is not valid: use letters and digits, optionally joined by single underscores ('-' is reserved: tool names are exposed as <plugin>-<tool>), such as qr_code
	// config[<yaml>] line 4: plugins["qr-code"].url: "oci://ghcr.io/example/qrcode:latest": oci:// plugins are not supported yet: download the .wasm file from the image (for example with oras pull) and use url: file:///path/to/plugin.wasm
	// config[<yaml>] line 6: plugins["qr-code"].runtime_config.memory_limit: "64Q" is not a size: use a number with an optional unit such as 64Mi or 100MB
}
