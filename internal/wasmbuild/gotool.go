package wasmbuild

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

// minGoMinor is the oldest Go 1.x that can build plugins: //go:wasmexport
// arrived in Go 1.24.
const minGoMinor = 24

// installHint tells the user how to get a suitable toolchain.
const installHint = `building plugins needs Go 1.24 or newer (for //go:wasmexport): install it from https://go.dev/dl/ and put its "go" command on PATH`

// goTool finds the go command.
func (b *builder) goTool() (string, error) {
	p, err := b.lookPath("go")
	if err != nil {
		return "", fmt.Errorf("wasmbuild: go command not found (%v): %s", err, installHint)
	}
	return p, nil
}

// versionMemo is the per-process memo of `go version` output, keyed by go
// binary, module directory and GOTOOLCHAIN (the module's go.mod and
// GOTOOLCHAIN can switch toolchains). Errors are not memoized.
type versionMemo struct {
	mu sync.Mutex
	m  map[string]string
}

func newVersionMemo() *versionMemo { return &versionMemo{m: map[string]string{}} }

// goVersion returns the trimmed `go version` output for builds in moduleDir
// and checks that the toolchain is new enough.
func (b *builder) goVersion(ctx context.Context, goBin, moduleDir string, env []string) (string, error) {
	memoKey := goBin + "\x00" + moduleDir + "\x00" + os.Getenv("GOTOOLCHAIN")
	b.versions.mu.Lock()
	v, ok := b.versions.m[memoKey]
	b.versions.mu.Unlock()
	if ok {
		return v, nil
	}

	cmd := exec.CommandContext(ctx, goBin, "version")
	cmd.Dir = moduleDir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := b.run(cmd); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("wasmbuild: running %s version stopped: %w", goBin, ctx.Err())
		}
		return "", fmt.Errorf("wasmbuild: running %q version in %s failed (%v): %s\n%s", goBin, moduleDir, err, installHint, trimOutput(stderr.String()))
	}
	v = strings.TrimSpace(stdout.String())
	if err := checkGoVersion(v); err != nil {
		return "", err
	}
	b.versions.mu.Lock()
	b.versions.m[memoKey] = v
	b.versions.mu.Unlock()
	return v, nil
}

// checkGoVersion accepts `go version` output of Go 1.24 or newer, and
// development toolchains.
func checkGoVersion(out string) error {
	// "go version go1.26.8 linux/amd64" or "go version devel go1.27-abcdef ...".
	f := strings.Fields(out)
	if len(f) < 3 || f[0] != "go" || f[1] != "version" {
		return fmt.Errorf("wasmbuild: cannot read the Go version from %q: %s", out, installHint)
	}
	if f[2] == "devel" {
		return nil
	}
	major, minor, ok := parseGoVersion(f[2])
	if !ok {
		return fmt.Errorf("wasmbuild: cannot read the Go version from %q: %s", out, installHint)
	}
	if major < 1 || (major == 1 && minor < minGoMinor) {
		return fmt.Errorf("wasmbuild: found %s, too old: %s", f[2], installHint)
	}
	return nil
}

// parseGoVersion splits "go1.26.8", "go1.24rc1" or "go1.24" into 1 and 26/24.
func parseGoVersion(s string) (major, minor int, ok bool) {
	s, found := strings.CutPrefix(s, "go")
	if !found {
		return 0, 0, false
	}
	majStr, rest, found := strings.Cut(s, ".")
	if !found {
		return 0, 0, false
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	maj, err1 := strconv.Atoi(majStr)
	mnr, err2 := strconv.Atoi(rest[:end])
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return maj, mnr, true
}
