package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/toolhost/toolhost/internal/wasmbuild"
)

const modulePath = "github.com/toolhost/toolhost"

// RepoRoot returns the directory holding toolhost's go.mod, found from this
// source file or, failing that, from the working directory.
func RepoRoot() (string, error) {
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, start := range starts {
		for dir := start; ; {
			if isToolhostModule(filepath.Join(dir, "go.mod")) {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("bench: no go.mod of module %s above %s: run from inside the toolhost repository", modulePath, strings.Join(starts, " or "))
}

func isToolhostModule(goMod string) bool {
	data, err := os.ReadFile(goMod)
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], "\"`") == modulePath
		}
	}
	return false
}

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
