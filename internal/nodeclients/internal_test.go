package nodeclients

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRepoRoot(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(nodeDirRel), "package.json")); err != nil {
		t.Errorf("repoRoot() = %s, which has no %s/package.json: %v", root, nodeDirRel, err)
	}
}

func TestBinPath(t *testing.T) {
	dir := t.TempDir()
	write := func(pkg, manifest string, files ...string) string {
		t.Helper()
		p := filepath.Join(dir, pkg)
		if err := os.MkdirAll(filepath.Join(p, "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "package.json"), []byte(manifest), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(p, f), nil, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}

	mapPkg := write("mapped", `{"name":"mapped","bin":{"tool":"./bin/tool.js"}}`, "bin/tool.js")
	if got, err := binPath(mapPkg, "tool"); err != nil || got != filepath.Join(mapPkg, "bin", "tool.js") {
		t.Errorf("bin map: %q, %v", got, err)
	}
	strPkg := write("@scope/single", `{"name":"@scope/single","bin":"bin/run.js"}`, "bin/run.js")
	if got, err := binPath(strPkg, "single"); err != nil || got != filepath.Join(strPkg, "bin", "run.js") {
		t.Errorf("bin string: %q, %v", got, err)
	}
	for name, c := range map[string]struct {
		pkg, bin, wantErr string
	}{
		"no such bin":  {mapPkg, "other", `declares no bin "other"`},
		"no bin field": {write("nobin", `{"name":"nobin"}`), "nobin", "declares no bin"},
		"missing file": {write("gone", `{"name":"gone","bin":{"gone":"bin/gone.js"}}`), "gone", "no such file"},
		"no package":   {filepath.Join(dir, "absent"), "x", "the install is incomplete"},
	} {
		if _, err := binPath(c.pkg, c.bin); err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: err = %v, want it to contain %q", name, err, c.wantErr)
		}
	}
}

func TestTail(t *testing.T) {
	if got := tail([]byte("short"), 10); got != "short" {
		t.Errorf("tail short = %q", got)
	}
	if got := tail([]byte("0123456789"), 4); got != "[... 6 bytes cut ...]\n6789" {
		t.Errorf("tail long = %q", got)
	}
}

func TestEnviron(t *testing.T) {
	t.Setenv("PATH", "/usr/bin")
	t.Setenv("npm_config_update_notifier", "true")
	c := &Clients{Dir: "/x/node"}
	var paths, notifier []string
	for _, kv := range c.environ() {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			paths = append(paths, v)
		}
		if v, ok := strings.CutPrefix(kv, "npm_config_update_notifier="); ok {
			notifier = append(notifier, v)
		}
	}
	if len(paths) != 1 || paths[0] != "/x/node/node_modules/.bin:/usr/bin" {
		t.Errorf("PATH entries = %q, want one, node_modules/.bin first", paths)
	}
	if len(notifier) != 1 || notifier[0] != "false" {
		t.Errorf("npm_config_update_notifier entries = %q, want [false]", notifier)
	}
}
