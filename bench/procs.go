package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Binaries are the programs P3 and P5 start.
type Binaries struct {
	Toolhost string // cmd/toolhost
	Native   string // bench/cmd/nativemcp
	dir      string
}

// BuildBinaries builds cmd/toolhost and bench/cmd/nativemcp into a
// temporary directory (go's build cache makes repeats cheap).
func BuildBinaries(ctx context.Context, root string) (*Binaries, error) {
	dir, err := os.MkdirTemp("", "toolhost-bench-bin")
	if err != nil {
		return nil, err
	}
	b := &Binaries{Toolhost: filepath.Join(dir, "toolhost"), Native: filepath.Join(dir, "nativemcp"), dir: dir}
	for out, pkg := range map[string]string{b.Toolhost: "./cmd/toolhost", b.Native: "./bench/cmd/nativemcp"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Dir = root
		if o, err := cmd.CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("go build %s: %v\n%s", pkg, err, o)
		}
	}
	return b, nil
}

// Close removes the binaries.
func (b *Binaries) Close() error { return os.RemoveAll(b.dir) }

// WriteConfig writes dir/name.yaml, a toolhost config serving each wasm
// file as plugin p000, p001, ... (instances: pooled when pooled is set),
// and returns its path.
func WriteConfig(dir, name string, wasm []string, pooled bool) (string, error) {
	var b strings.Builder
	b.WriteString("plugins:\n")
	for i, w := range wasm {
		fmt.Fprintf(&b, "  p%03d:\n    url: file://%s\n", i, w)
		if pooled {
			b.WriteString("    runtime_config:\n      instances: pooled\n")
		}
	}
	path := filepath.Join(dir, name+".yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

// Started is one process started and asked for tools/list over stdio.
type Started struct {
	Ready time.Duration // exec to the tools/list answer
	CPU   time.Duration // user+system CPU the process used until then (10 ms resolution)
	Tools int           // tools in the answer
	Mem   ProcMem       // sampled after the settle time, if asked
	// Compiled counts toolhost's "plugin loaded" logs with compiled=true:
	// plugins compiled at start rather than served from a remembered
	// catalog (0 for other programs).
	Compiled int
}

// lockedBuffer is a bytes.Buffer safe for the writes of exec's copying
// goroutine and a concurrent reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// ProcMem is a process's memory from /proc/<pid>/status, in bytes.
type ProcMem struct {
	RSS, RSSAnon, RSSFile, HWM int64
}

// StartAndList execs argv with MCP on stdio, writes initialize,
// notifications/initialized and tools/list at once, and measures the wall
// time from exec until the tools/list answer arrives. With settle > 0 it
// then waits settle and reads the process's memory. The process is ended
// by closing its stdin; Compiled is counted from its stderr once it has
// exited.
func StartAndList(ctx context.Context, settle time.Duration, argv ...string) (s *Started, err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if s != nil {
			s.Compiled = strings.Count(stderr.String(), "compiled=true")
		}
	}()
	msgs := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"` + LegacyVersion + `","capabilities":{},"clientInfo":{"name":"toolhost-bench","version":"1"}}}` + "\n" +
		`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" +
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}` + "\n"
	if _, err := io.WriteString(stdin, msgs); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"id":2`)) {
			continue
		}
		ready := time.Since(start)
		if !bytes.Contains(line, []byte(`"result"`)) {
			return nil, fmt.Errorf("%s: tools/list failed: %.300s", argv[0], line)
		}
		st := &Started{Ready: ready, Tools: bytes.Count(line, []byte(`"inputSchema"`))}
		if st.CPU, err = ProcCPU(cmd.Process.Pid); err != nil {
			return nil, err
		}
		if settle > 0 {
			time.Sleep(settle)
			st.Mem, err = ReadProcMem(cmd.Process.Pid)
			if err != nil {
				return nil, err
			}
		}
		return st, nil
	}
	return nil, fmt.Errorf("%s exited before answering tools/list (%v): %s", argv[0], sc.Err(), lastLines(stderr.String(), 10))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ReadProcMem reads VmRSS, RssAnon, RssFile and VmHWM of pid.
func ReadProcMem(pid int) (ProcMem, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ProcMem{}, err
	}
	var m ProcMem
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[2] != "kB" {
			continue
		}
		v, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		v <<= 10
		switch f[0] {
		case "VmRSS:":
			m.RSS = v
		case "RssAnon:":
			m.RSSAnon = v
		case "RssFile:":
			m.RSSFile = v
		case "VmHWM:":
			m.HWM = v
		}
	}
	if m.RSS == 0 {
		return m, errors.New("no VmRSS in /proc/" + strconv.Itoa(pid) + "/status")
	}
	return m, nil
}

// ProcCPU returns the user+system CPU time pid has used, from
// /proc/<pid>/stat (clock ticks of 10 ms, Linux's USER_HZ).
func ProcCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc/pid/stat")
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("malformed /proc/pid/stat")
	}
	// f[0] is field 3 (state): utime and stime are fields 14 and 15.
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// ToolhostArgv is the command line that serves cfg over stdio with the
// cache directory (compiled code and remembered catalogs) in cacheDir.
func (b *Binaries) ToolhostArgv(cfg, cacheDir string) []string {
	return []string{b.Toolhost, "serve", "-c", cfg, "--transport", "stdio", "--cache-dir", cacheDir}
}

// CatalogsDir is where toolhost remembers plugins' catalogs in a cache
// directory (host/plugin's catalog store): with one there, a start serves
// the plugin without compiling it.
func CatalogsDir(cacheDir string) string { return filepath.Join(cacheDir, "catalogs") }

// countCatalogs counts the catalogs remembered in cacheDir.
func countCatalogs(cacheDir string) int {
	m, _ := filepath.Glob(filepath.Join(CatalogsDir(cacheDir), "*.json"))
	return len(m)
}
