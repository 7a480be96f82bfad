package bundled

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

//go:generate go run ./gen

// files holds the generated plugins and the default config. wasm/README.md
// keeps the pattern valid before the plugins have been generated.
//
//go:embed wasm default.yaml
var files embed.FS

// FirstParty returns the names of the first-party plugins that `go generate`
// builds from <repo>/plugins/<name> and embeds, in build order.
func FirstParty() []string {
	return []string{"hash", "clock", "files", "fetch"}
}

// Names returns, sorted, the bundled plugins actually embedded in this
// binary: FirstParty() after `go generate`, none before.
func Names() []string {
	matches, err := fs.Glob(files, "wasm/*.wasm")
	if err != nil {
		panic("BUG: bundled: invalid glob: " + err.Error())
	}
	names := make([]string, 0, len(matches))
	for _, m := range matches {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(m, "wasm/"), ".wasm"))
	}
	slices.Sort(names)
	return names
}

// Open returns the WebAssembly module of the bundled plugin name (as in
// bundled://name). The caller owns the returned slice.
func Open(name string) ([]byte, error) {
	known := slices.Contains(FirstParty(), name)
	if !known && !slices.Contains(Names(), name) {
		return nil, fmt.Errorf("unknown bundled plugin %q: toolhost bundles %s", name, strings.Join(FirstParty(), ", "))
	}
	data, err := files.ReadFile("wasm/" + name + ".wasm")
	if err != nil {
		return nil, fmt.Errorf("bundled plugin %q is not built into this binary: run \"go generate ./...\" before building toolhost", name)
	}
	return data, nil
}

// DefaultConfig returns toolhost's embedded default configuration
// (default.yaml, hyper-mcp format), which serves every first-party plugin
// with only harmless grants. The caller owns the returned slice.
func DefaultConfig() []byte {
	data, err := files.ReadFile("default.yaml")
	if err != nil {
		panic("BUG: bundled: default.yaml is not embedded: " + err.Error())
	}
	return data
}
