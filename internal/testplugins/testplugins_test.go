package testplugins

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/toolhost/toolhost/internal/repo"
)

// firstParty are the plugins under <repo>/plugins that toolhost bundles.
var firstParty = []string{"hash", "clock", "files", "fetch"}

// requirePluginsModule skips while the plugins module has not been written
// yet; once <repo>/plugins/go.mod exists, every first-party plugin must build.
func requirePluginsModule(t *testing.T) string {
	t.Helper()
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "plugins", "go.mod")); os.IsNotExist(err) {
		t.Skipf("skipping: %s/plugins/go.mod does not exist yet (the plugins module has not been written)", root)
	}
	return root
}

func TestRepoRoot(t *testing.T) {
	t.Parallel()
	root := RepoRoot(t)
	if !repo.IsToolhostModule(filepath.Join(root, "go.mod")) {
		t.Errorf("RepoRoot() = %s, whose go.mod is not module %s", root, modulePath)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "testplugins", "doc.go")); err != nil {
		t.Errorf("RepoRoot() = %s does not contain this package: %v", root, err)
	}
}

func TestCheckName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"hash", true},
		{"nested/dir", true},
		{"", false},
		{".", false},
		{"..", false},
		{"../sdk", false},
		{"a/../../sdk", false},
		{"/abs", false},
		{"a//b", false},
		{`a\b`, false},
		{"c:x", false},
	}
	for _, tc := range tests {
		if err := checkName(tc.name); (err == nil) != tc.ok {
			t.Errorf("checkName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestPlugin(t *testing.T) {
	t.Parallel()
	requirePluginsModule(t)
	for _, name := range firstParty {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := Plugin(t, name)
			if !bytes.HasPrefix(Bytes(t, path), []byte("\x00asm")) {
				t.Errorf("%s is not a wasm module", path)
			}
			if again := Plugin(t, name); again != path {
				t.Errorf("second Plugin(%q) = %s, want the memoized %s", name, again, path)
			}
		})
	}
}

func TestTestPlugins(t *testing.T) {
	t.Parallel()
	root := requirePluginsModule(t)
	entries, err := os.ReadDir(filepath.Join(root, "plugins", "test"))
	if os.IsNotExist(err) {
		t.Log("plugins/test does not exist yet: no test plugins to build")
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == "testdata" {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			data := Bytes(t, Test(t, e.Name()))
			if !bytes.HasPrefix(data, []byte("\x00asm")) {
				t.Fatalf("test plugin %s is not a wasm module", e.Name())
			}
			// The plain wasip1 commands export _start; the rest are reactors.
			want, notWant := "_initialize", "_start"
			if commands[e.Name()] {
				want, notWant = notWant, want
			}
			exports, err := exportNames(data)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(exports, want) || slices.Contains(exports, notWant) {
				t.Errorf("test plugin %s exports %v: want %s and no %s", e.Name(), exports, want, notWant)
			}
		})
	}
}

// exportNames lists the export names of a wasm binary module.
func exportNames(data []byte) ([]string, error) {
	pos := 8 // magic and version
	errShort := errors.New("truncated wasm module")
	uleb := func() (int, error) {
		v, shift := 0, 0
		for pos < len(data) && shift < 35 {
			b := data[pos]
			pos++
			v |= int(b&0x7f) << shift
			if b&0x80 == 0 {
				return v, nil
			}
			shift += 7
		}
		return 0, errShort
	}
	for pos < len(data) {
		id := data[pos]
		pos++
		size, err := uleb()
		if err != nil {
			return nil, err
		}
		if id != 7 { // not the export section
			pos += size
			continue
		}
		n, err := uleb()
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, n)
		for range n {
			l, err := uleb()
			if err != nil || pos+l+1 > len(data) {
				return nil, errShort
			}
			names = append(names, string(data[pos:pos+l]))
			pos += l + 1                      // name, kind
			if _, err := uleb(); err != nil { // index
				return nil, err
			}
		}
		return names, nil
	}
	return nil, nil
}
