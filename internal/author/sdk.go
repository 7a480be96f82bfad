package author

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

//go:generate go run gensdk.go

// SDKModule is the module path of the toolhost Go sdk.
const SDKModule = "github.com/toolhost/toolhost/sdk"

// GoPDKVersion is the go-pdk version the sdk requires. The module proxy
// answers @latest for go-pdk with 403, so scaffolds pin it exactly.
const GoPDKVersion = "v1.1.3"

// sdksrc holds the sdk's go.mod, go.sum and non-test .go files, each
// renamed to <name>.txt (see gensdk.go).
//
//go:embed sdksrc/*.txt
var sdksrc embed.FS

// sdkFile reports whether a file of <repo>/sdk belongs in the embedded copy
// (gensdk.go's wanted says the same).
func sdkFile(name string) bool {
	return name == "go.mod" || name == "go.sum" || strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

type sdkCopy struct {
	files map[string][]byte // sdk file name -> content
	hash  string
}

// embeddedSDK is the sdk this binary carries, read once.
var embeddedSDK = sync.OnceValue(func() sdkCopy {
	entries, err := fs.ReadDir(sdksrc, "sdksrc")
	if err != nil {
		panic("BUG: author: sdksrc is not embedded: " + err.Error())
	}
	c := sdkCopy{files: map[string][]byte{}}
	h := sha256.New()
	for _, e := range entries { // sorted by name
		data, err := sdksrc.ReadFile("sdksrc/" + e.Name())
		if err != nil {
			panic("BUG: author: " + err.Error())
		}
		name := strings.ReplaceAll(strings.TrimSuffix(e.Name(), ".txt"), "__", "/")
		c.files[name] = data
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(data))
		h.Write(data)
	}
	c.hash = hex.EncodeToString(h.Sum(nil))[:16]
	return c
})

// sdkRequires returns the requirements of the embedded sdk's go.mod as
// "path version" lines. A project that replaces the sdk with a directory
// must list them itself (as indirect requirements), or go build asks for a
// go.mod update.
func sdkRequires() []string {
	var reqs []string
	block := false
	for line := range strings.Lines(string(embeddedSDK().files["go.mod"])) {
		line, _, _ = strings.Cut(line, "//")
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case block && f[0] == ")":
			block = false
		case block && len(f) >= 2:
			reqs = append(reqs, f[0]+" "+f[1])
		case f[0] == "require" && len(f) == 2 && f[1] == "(":
			block = true
		case f[0] == "require" && len(f) >= 3:
			reqs = append(reqs, f[1]+" "+f[2])
		}
	}
	return reqs
}

// SDKFiles returns the names of the sdk files the binary carries, sorted.
func SDKFiles() []string {
	return slices.Sorted(maps.Keys(embeddedSDK().files))
}

// SDKHash is the content hash of the embedded sdk, the last element of the
// directory WriteSDK writes to.
func SDKHash() string { return embeddedSDK().hash }

// DefaultCacheDir is <user cache dir>/toolhost, under which WriteSDK keeps
// sdk/<hash>/.
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory (%w): set $XDG_CACHE_HOME or $HOME", err)
	}
	return filepath.Join(d, "toolhost"), nil
}

// SDKDir is the directory WriteSDK writes the sdk to under cacheDir ("" for
// DefaultCacheDir).
func SDKDir(cacheDir string) (string, error) {
	if cacheDir == "" {
		var err error
		if cacheDir, err = DefaultCacheDir(); err != nil {
			return "", err
		}
	}
	abs, err := filepath.Abs(filepath.Join(cacheDir, "sdk", SDKHash()))
	if err != nil {
		return "", err
	}
	return abs, nil
}

// WriteSDK makes sure <cacheDir>/sdk/<SDKHash()>/ holds exactly the embedded
// sdk files and returns the directory. A missing directory is written
// through a temporary one and renamed into place, so concurrent writers never
// see half a module; a file that differs (someone edited the copy) is
// rewritten.
func WriteSDK(cacheDir string) (string, error) {
	dir, err := SDKDir(cacheDir)
	if err != nil {
		return "", err
	}
	sdk := embeddedSDK()
	if _, err := os.Stat(dir); err != nil {
		parent := filepath.Dir(dir)
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return "", fmt.Errorf("writing the toolhost sdk: %w", err)
		}
		tmp, err := os.MkdirTemp(parent, ".tmp-"+sdk.hash+"-")
		if err != nil {
			return "", fmt.Errorf("writing the toolhost sdk: %w", err)
		}
		defer os.RemoveAll(tmp)
		for name, data := range sdk.files {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(tmp, name)), 0o755); err != nil {
				return "", fmt.Errorf("writing the toolhost sdk: %w", err)
			}
			if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
				return "", fmt.Errorf("writing the toolhost sdk: %w", err)
			}
		}
		if err := os.Chmod(tmp, 0o755); err != nil {
			return "", fmt.Errorf("writing the toolhost sdk: %w", err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			if _, statErr := os.Stat(dir); statErr != nil { // not merely another writer winning the race
				return "", fmt.Errorf("writing the toolhost sdk: %w", err)
			}
		}
	}
	for name, data := range sdk.files {
		p := filepath.Join(dir, name)
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", fmt.Errorf("repairing the toolhost sdk in %s: %w", dir, err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", fmt.Errorf("repairing the toolhost sdk in %s: %w", dir, err)
		}
	}
	return dir, nil
}
