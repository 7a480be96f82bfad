package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"github.com/toolhost/toolhost/internal/repo"
	"github.com/toolhost/toolhost/internal/wasmbuild"
)

// RepoRoot returns the directory holding toolhost's go.mod.
func RepoRoot() (string, error) { return repo.Root() }

// Guest is the benchmark guest module, plugins/test/benchguest.
type Guest struct {
	Path string // the .wasm file (in the wasmbuild cache: do not modify)
	Wasm []byte
	Key  string // wasmbuild content key
}

// BuildGuest builds plugins/test/benchguest (or finds it in the wasmbuild
// cache) and reads it.
func BuildGuest(ctx context.Context, root string) (*Guest, error) {
	res, err := wasmbuild.BuildResult(ctx, wasmbuild.Request{
		ModuleDir: filepath.Join(root, "plugins"),
		Package:   "./test/benchguest",
		Reactor:   true,
	})
	if err != nil {
		return nil, fmt.Errorf("building plugins/test/benchguest: %w", err)
	}
	data, err := os.ReadFile(res.Path)
	if err != nil {
		return nil, err
	}
	return &Guest{Path: res.Path, Wasm: data, Key: res.Key}, nil
}

// CacheDir is where bench keeps what it may reuse between runs (compiled
// code, guest copies): <user cache dir>/toolhost/bench/<name>.
func CacheDir(name string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, "toolhost", "bench", name)
	return dir, os.MkdirAll(dir, 0o755)
}

// DistinctCopies writes n copies of the guest that differ only by a custom
// section, so that wazero sees n different modules (its compilation cache
// and in-memory engine share code between identical modules; real plugins
// are all different). The files are kept by content key, so a later run
// reuses them and their compiled code stays in the disk cache.
func (g *Guest) DistinctCopies(n int) ([]string, error) {
	dir, err := CacheDir("guests")
	if err != nil {
		return nil, err
	}
	paths := make([]string, n)
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("benchguest-%.12s-%03d.wasm", g.Key, i))
		paths[i] = p
		if _, err := os.Stat(p); err == nil {
			continue
		}
		data := appendCustomSection(bytes.Clone(g.Wasm), "toolhost-bench-copy", []byte(fmt.Sprintf("copy %d", i)))
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, data, 0o644); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp, p); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// appendCustomSection appends a wasm custom section (id 0) to a module.
func appendCustomSection(wasm []byte, name string, payload []byte) []byte {
	var body []byte
	body = binary.AppendUvarint(body, uint64(len(name)))
	body = append(body, name...)
	body = append(body, payload...)
	wasm = append(wasm, 0)
	wasm = binary.AppendUvarint(wasm, uint64(len(body)))
	return append(wasm, body...)
}
