package wasmbuild

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// keyVersion changes when the key layout changes, invalidating old entries.
const keyVersion = "toolhost-wasmbuild-v1"

// keyEnv lists the environment variables that change what go build emits.
var keyEnv = [...]string{"GOFLAGS", "GOWASM", "GOEXPERIMENT"}

// computeKey returns the hex sha256 content key of a build; getenv reads the
// environment (os.Getenv outside tests).
func computeKey(ctx context.Context, goVersion string, getenv func(string) string, p prepared) (string, error) {
	h := sha256.New()
	field(h, keyVersion)
	field(h, goVersion)
	field(h, "GOOS=wasip1")
	field(h, "GOARCH=wasm")
	if p.reactor {
		field(h, "buildmode=c-shared")
	} else {
		field(h, "buildmode=exe")
	}
	for _, name := range keyEnv {
		field(h, name+"="+getenv(name))
	}
	field(h, "package="+p.pkg)

	if err := hashTree(ctx, h, "module", p.moduleDir); err != nil {
		return "", err
	}
	replaces, err := localReplaces(filepath.Join(p.moduleDir, "go.mod"))
	if err != nil {
		return "", err
	}
	for _, rel := range replaces {
		dir := rel
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(p.moduleDir, dir)
		}
		if err := hashTree(ctx, h, "replace "+filepath.ToSlash(rel), dir); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// field writes s length-prefixed, so adjacent fields cannot run together.
func field(h hash.Hash, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}

// keyFile reports whether a file's name puts it into the key.
func keyFile(name string) bool {
	return strings.HasSuffix(name, ".go") || name == "go.mod" || name == "go.sum"
}

// skipDir reports whether a directory below a tree root stays out of the key.
func skipDir(name string) bool {
	return name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".")
}

// hashTree adds the slash path and content of every key file under root,
// labelled with label, in lexical order.
func hashTree(ctx context.Context, h hash.Hash, label, root string) error {
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return fmt.Errorf("wasmbuild: %s directory %s is missing: fix the go.mod replace line or create the directory", label, root)
	}
	field(h, "tree "+label)
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("wasmbuild: reading %s while computing the cache key: %w", p, err)
		}
		if d.IsDir() {
			if p != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return ctx.Err()
		}
		if !keyFile(d.Name()) {
			return nil
		}
		data, err := os.ReadFile(p) // follows symlinked files
		if err != nil {
			return fmt.Errorf("wasmbuild: reading %s while computing the cache key: %w", p, err)
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return fmt.Errorf("wasmbuild: computing the cache key: %w", err)
		}
		field(h, filepath.ToSlash(rel))
		field(h, string(data))
		return nil
	})
}

// localReplaces returns the filesystem targets of the replace directives in
// a go.mod, in file order and as written (relative to the go.mod directory
// unless absolute). Module-path targets are ignored: the module cache is
// content-addressed by version, which go.sum already pins.
func localReplaces(goMod string) ([]string, error) {
	data, err := os.ReadFile(goMod)
	if err != nil {
		return nil, fmt.Errorf("wasmbuild: reading %s: %w", goMod, err)
	}
	var out []string
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		var spec string
		switch {
		case inBlock && line == ")":
			inBlock = false
			continue
		case inBlock:
			spec = line
		case line == "replace (" || (strings.HasPrefix(line, "replace") && strings.TrimSpace(strings.TrimPrefix(line, "replace")) == "("):
			inBlock = true
			continue
		case strings.HasPrefix(line, "replace ") || strings.HasPrefix(line, "replace\t"):
			spec = strings.TrimSpace(line[len("replace"):])
		default:
			continue
		}
		_, target, ok := strings.Cut(spec, "=>")
		if !ok {
			continue
		}
		f := strings.Fields(target)
		if len(f) == 0 {
			continue
		}
		t := strings.Trim(f[0], "\"`")
		if isLocalPath(t) {
			out = append(out, filepath.FromSlash(t))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("wasmbuild: reading %s: %w", goMod, err)
	}
	return out, nil
}

// isLocalPath applies go.mod's rule for replacement paths: a filesystem path
// is absolute or starts with ./ or ../ (module paths never do).
func isLocalPath(p string) bool {
	return filepath.IsAbs(p) || p == "." || p == ".." ||
		strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") ||
		strings.HasPrefix(p, `.\`) || strings.HasPrefix(p, `..\`)
}
