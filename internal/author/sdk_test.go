package author

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/toolhost/toolhost/internal/testplugins"
)

// TestEmbeddedSDKUpToDate fails when sdksrc/ no longer matches <repo>/sdk:
// run `go generate ./...` after changing the sdk.
func TestEmbeddedSDKUpToDate(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(testplugins.RepoRoot(t), "sdk")
	var want []string
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !e.Type().IsRegular() || !sdkFile(e.Name()) {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		name := filepath.ToSlash(rel)
		want = append(want, name)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if got, ok := embeddedSDK().files[name]; !ok {
			t.Errorf("sdk/%s is not embedded: run \"go generate ./...\"", name)
		} else if !bytes.Equal(got, data) {
			t.Errorf("the embedded copy of sdk/%s is stale: run \"go generate ./...\"", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	if got := SDKFiles(); !slices.Equal(got, want) {
		t.Errorf("embedded sdk files = %v, sdk/ has %v: run \"go generate ./...\"", got, want)
	}
	for _, must := range []string{"go.mod", "go.sum", "tools.go", "exports_wasip1.go", "typed/typed.go"} {
		if !slices.Contains(SDKFiles(), must) {
			t.Errorf("embedded sdk lacks %s", must)
		}
	}
}

func TestWriteSDK(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	dir, err := WriteSDK(cache)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cache, "sdk", SDKHash()); dir != want {
		t.Fatalf("WriteSDK = %s, want %s", dir, want)
	}
	if len(SDKHash()) != 16 {
		t.Errorf("SDKHash() = %q, want 16 hex digits", SDKHash())
	}
	check := func() {
		t.Helper()
		for _, name := range SDKFiles() {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, embeddedSDK().files[name]) {
				t.Errorf("%s differs from the embedded copy", name)
			}
		}
	}
	check()

	// A second call, and one after someone edited the copy, leave the
	// embedded files in place.
	if err := os.WriteFile(filepath.Join(dir, "tools.go"), []byte("package sdk // edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "go.sum")); err != nil {
		t.Fatal(err)
	}
	if again, err := WriteSDK(cache); err != nil || again != dir {
		t.Fatalf("WriteSDK again = %s, %v", again, err)
	}
	check()
	leftovers, _ := filepath.Glob(filepath.Join(cache, "sdk", ".tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary directories left behind: %v", leftovers)
	}
}

func TestSDKRequires(t *testing.T) {
	t.Parallel()
	reqs := sdkRequires()
	if !slices.Contains(reqs, "github.com/extism/go-pdk "+GoPDKVersion) {
		t.Errorf("sdk go.mod requires %v, want go-pdk %s (update GoPDKVersion)", reqs, GoPDKVersion)
	}
}
