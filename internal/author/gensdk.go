//go:build ignore

// gensdk copies the toolhost sdk module (<repo>/sdk: go.mod, go.sum and the
// non-test .go files) into sdksrc/, each file renamed to <name>.txt so that
// the go command neither builds the copy as a package of the host module
// nor refuses to embed a go.mod. Run it with `go generate ./...`;
// TestEmbeddedSDKUpToDate fails when the copy is stale.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if err := run("../../sdk", "sdksrc"); err != nil {
		fmt.Fprintln(os.Stderr, "gensdk:", err)
		os.Exit(1)
	}
}

// wanted mirrors sdkFile in sdk.go.
func wanted(name string) bool {
	return name == "go.mod" || name == "go.sum" || strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

func run(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	keep := map[string]bool{"README.md": true}
	// Subpackages (sdk/typed) are flattened: "typed/typed.go" is stored as
	// "typed__typed.go.txt" (sdk.go turns "__" back into "/").
	err := filepath.WalkDir(src, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if p != src && (strings.HasPrefix(e.Name(), ".") || e.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() || !wanted(e.Name()) {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.ReplaceAll(filepath.ToSlash(rel), "/", "__") + ".txt"
		keep[name] = true
		target := filepath.Join(dst, name)
		if old, err := os.ReadFile(target); err == nil && bytes.Equal(old, data) {
			return nil
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
		fmt.Printf("sdksrc/%s updated\n", name)
		return nil
	})
	if err != nil {
		return err
	}
	copied, err := os.ReadDir(dst)
	if err != nil {
		return err
	}
	for _, e := range copied {
		if !keep[e.Name()] {
			if err := os.Remove(filepath.Join(dst, e.Name())); err != nil {
				return err
			}
			fmt.Printf("sdksrc/%s removed: no longer in sdk/\n", e.Name())
		}
	}
	return nil
}
