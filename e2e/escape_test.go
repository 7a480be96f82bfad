package e2e

// The escape suite (docs/threat-model.md): hostile plugins, built from
// source, each attempt trying one thing a plugin must not be able to do.
// Every attempt must be refused with the right error (the text names what
// was refused and the config key that governs it), the refusal must be in
// the host's structured log, and after all of them the same host process
// must still serve every other plugin.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/toolhost/toolhost/host"
	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/internal/testplugins"
)

// Canaries: none of these may ever reach a guest, a tool result or (for the
// secret) the host's log.
const (
	canaryEnv    = "TOOLHOST_ESCAPE_CANARY"
	canaryValue  = "canary-env-5f1d0c2e"
	secretEnv    = "TOOLHOST_ESCAPE_SECRET"
	secretValue  = "Bearer escape-secret-9b27e4a1"
	secretHeader = "X-Escape-Token"
	outsideText  = "CANARY-OUTSIDE-3c81f7"
)

// WASI errnos as the Go guest prints them ("[errno N]").
const (
	eBADF  = "[errno 8]"  // no preopen covers the path: nothing is mounted there
	ePERM  = "[errno 63]" // the path leaves its mount, or a link was refused
	eROFS  = "[errno 69]" // a write to a read-only mount
	rawPER = "errno 63 (Operation not permitted)"
)

// escapeEnv is one toolhost serving the hostile plugins under different
// grants, next to well-behaved ones, and the loopback servers they aim at.
type escapeEnv struct {
	s                    *served
	c                    *client.Client
	data, ro, outside    string
	echo, redir, secrets *loopback
	sink, sink2, sink6   *loopback // redirect targets nobody granted
}

func newEscapeEnv(t *testing.T) *escapeEnv {
	t.Setenv(canaryEnv, canaryValue)
	t.Setenv(secretEnv, secretValue)
	e := &escapeEnv{}
	root := t.TempDir()
	e.data, e.ro, e.outside = filepath.Join(root, "data"), filepath.Join(root, "ro"), filepath.Join(root, "outside")
	for _, d := range []string{e.data, e.ro, e.outside} {
		must(t, os.Mkdir(d, 0o755))
	}
	must(t, os.WriteFile(filepath.Join(e.outside, "secret.txt"), []byte(outsideText), 0o600))
	must(t, os.WriteFile(filepath.Join(e.ro, "r.txt"), []byte("read-only content"), 0o600))
	must(t, os.WriteFile(filepath.Join(e.data, "d.txt"), []byte("inside"), 0o600))
	// Host-made symlinks inside the granted directory, pointing out of it.
	must(t, os.Symlink(e.outside, filepath.Join(e.data, "escape")))
	must(t, os.Symlink("../outside/secret.txt", filepath.Join(e.data, "escape_rel")))

	reached := func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("reached")) }
	e.echo = newLoopback(t, "echo", "127.0.0.1:0", echoHeaders)
	e.redir = newLoopback(t, "redirector", "127.0.0.1:0", redirector)
	e.secrets = newLoopback(t, "secrets", "127.0.0.1:0", secretChecker(secretHeader, secretValue))
	e.sink = newLoopback(t, "sink", "127.0.0.1:0", reached)
	e.sink2 = newLoopback(t, "sink2", "127.0.0.2:0", reached)
	e.sink6 = newLoopback(t, "sink6", "[::1]:0", reached)

	overflow := filepath.Join(root, "overflow.wasm")
	must(t, os.WriteFile(overflow, overflowModule(), 0o644))
	hostile := testplugins.Test(t, "hostile")
	e.s = serve(t, fmt.Sprintf(`
plugins:
  hostile:                      # no grants at all
    url: file://%[1]s
    runtime_config:
      timeout: 2s
      max_output: 64Ki
      memory_limit: 64Mi
      env_vars: {GREETING: hello}
  hostile_mem:                  # a generous timeout: the memory limit must stop it first
    url: file://%[1]s
    runtime_config:
      timeout: 60s
      memory_limit: 64Mi
  hostile_fs:
    url: file://%[1]s
    runtime_config:
      allowed_paths: ["%[2]s:/data", "%[3]s:/ro:ro"]
      timeout: 5s
  hostile_net:
    url: file://%[1]s
    runtime_config:
      allowed_hosts: ["*"]
      timeout: 5s
  hostile_redir:
    url: file://%[1]s
    runtime_config:
      allowed_hosts: ["127.0.0.1:*"]
      timeout: 5s
  hostile_secret:
    url: file://%[1]s
    runtime_config:
      allowed_hosts: ["127.0.0.1:*", "localhost:*"]
      secrets:
        - host: localhost
          header: %[4]s
          value: "${%[5]s}"
      timeout: 5s
  overflow:
    url: file://%[6]s
    runtime_config:
      timeout: 60s
  everything:
    url: file://%[7]s
    runtime_config:
      timeout: 3s
  hash:
    url: file://%[8]s
`, hostile, e.data, e.ro, secretHeader, secretEnv, overflow,
		testplugins.Test(t, "everything"), testplugins.Plugin(t, "hash")))
	e.c = connect(t, e.s.url, legacy)
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// attempt is one escape attempt: one tool call that tries one thing.
type attempt struct {
	name string // what the plugin tries
	tool string
	args map[string]any
	// ok: the call itself succeeds (the guest gets back nothing useful);
	// otherwise the result must be an isError result.
	ok bool
	// empty: the result text must be empty (nothing to see).
	empty bool
	// want are substrings of the result text: what was refused and, where
	// the host reports it, the config key that grants it.
	want []string
	// log are substrings that one line of the host's log must all contain.
	log []string
	// after runs extra checks: nothing reached a server, no file appeared.
	after func(t *testing.T)
	// within, if set, bounds how long the refusal may take (a limit must
	// stop the guest promptly, not whenever it pleases).
	within time.Duration
	// slow marks attempts that run into a limit; -short skips them.
	slow bool
}

// run makes the call and checks the outcome; every result is also checked
// for the canaries.
func (e *escapeEnv) run(t *testing.T, a attempt) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	res, err := e.c.CallTool(ctx, callArgs(a.tool, a.args))
	if err != nil {
		t.Fatalf("%s: %v (after %s)", a.tool, err, time.Since(start))
	}
	got := text(res)
	if res.IsError == a.ok {
		t.Errorf("%s: isError=%v, want %v; text: %.600s", a.tool, res.IsError, !a.ok, got)
	}
	if a.empty && got != "" {
		t.Errorf("%s: text %q, want nothing", a.tool, got)
	}
	for _, w := range a.want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: result lacks %q; text: %.600s", a.tool, w, got)
		}
	}
	for _, c := range []string{canaryValue, secretValue, outsideText} {
		if strings.Contains(got, c) {
			t.Errorf("%s: result leaks canary %q: %.600s", a.tool, c, got)
		}
	}
	if len(a.log) > 0 {
		e.waitLog(t, a.log...)
	}
	if a.after != nil {
		a.after(t)
	}
}

// waitLog waits briefly for a log line holding every part (a few lines are
// written after the response is sent).
func (e *escapeEnv) waitLog(t *testing.T, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		if logLine(e.s.logs.String(), parts...) != "" {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("no host log line contains all of %q", parts)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logLine returns the first line of logs that contains every part.
func logLine(logs string, parts ...string) string {
	for _, line := range strings.Split(logs, "\n") {
		ok := true
		for _, p := range parts {
			if !strings.Contains(line, p) {
				ok = false
				break
			}
		}
		if ok {
			return line
		}
	}
	return ""
}

// noHits checks that none of the servers received a request.
func noHits(servers ...*loopback) func(t *testing.T) {
	return func(t *testing.T) {
		t.Helper()
		for _, s := range servers {
			if h := s.Hits(); len(h) > 0 {
				t.Errorf("%s received %v: the refused request left the host", s.name, h)
			}
		}
	}
}

// absent checks that a host path does not exist.
func absent(p string) func(t *testing.T) {
	return func(t *testing.T) {
		t.Helper()
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s exists (err=%v): the refused write reached the host", p, err)
		}
	}
}

// unchanged checks that a host file still holds content.
func unchanged(p, content string) func(t *testing.T) {
	return func(t *testing.T) {
		t.Helper()
		if b, err := os.ReadFile(p); err != nil || string(b) != content {
			t.Errorf("%s = %q, %v; want %q unchanged", p, b, err, content)
		}
	}
}

func both(fs ...func(t *testing.T)) func(t *testing.T) {
	return func(t *testing.T) {
		t.Helper()
		for _, f := range fs {
			f(t)
		}
	}
}

// fsDenied is the host log line of a refusal that reached a mount.
func fsDenied(op, target string) []string {
	if strings.Contains(target, " ") {
		target = `"` + target + `"`
	}
	return []string{`msg="filesystem access denied"`, "plugin=hostile_fs", "tool=fs", "op=" + op, "target=" + target, "runtime_config.allowed_paths"}
}

// toolError is the host log line of a call whose guest reported the
// refusal it got as an isError result (refusals that never reach the host's
// filesystem code: paths outside every mount, ".." and absolute names).
func toolError(plugin, tool string) []string {
	return []string{`msg="tool call"`, "plugin=" + plugin + " ", "tool=" + tool + " ", `outcome="tool error"`}
}

// callFailed is the host log line of a call the host failed.
func callFailed(plugin, tool, outcome string) []string {
	return []string{`msg="tool call failed"`, "plugin=" + plugin + " ", "tool=" + tool + " ", "outcome=" + outcome}
}

// netDenied is the host log line of a refused HTTP request or hop.
func netDenied(plugin, target string) []string {
	return []string{`msg="network access denied"`, "plugin=" + plugin + " ", "target=" + target, "tool=http"}
}

func TestEscape(t *testing.T) {
	e := newEscapeEnv(t)
	fs := func(op, path string, extra ...string) map[string]any {
		a := map[string]any{"op": op, "path": path}
		for i := 0; i+1 < len(extra); i += 2 {
			a[extra[i]] = extra[i+1]
		}
		return a
	}
	get := func(url string, headers ...string) map[string]any {
		a := map[string]any{"url": url}
		if len(headers) == 2 {
			a["headers"] = map[string]any{headers[0]: headers[1]}
		}
		return a
	}
	hostcall := func(fn, offset, length string) map[string]any {
		return map[string]any{"fn": fn, "offset": offset, "length": length}
	}
	const garbage = "0xdeadbeefdead"
	echoURL := "http://127.0.0.1:" + e.echo.Port()
	redirURL := "http://127.0.0.1:" + e.redir.Port()
	secretName := "http://localhost:" + e.secrets.Port()
	secretIP := "http://127.0.0.1:" + e.secrets.Port()
	sinkPort := e.sink.Port()
	sink2URL, sink6URL := "http://127.0.0.2:1", "http://[::1]:1"
	if e.sink2 != nil {
		sink2URL = "http://127.0.0.2:" + e.sink2.Port()
	}
	if e.sink6 != nil {
		sink6URL = "http://[::1]:" + e.sink6.Port()
	}
	redirectTo := func(u string) map[string]any { return get(redirURL + "/to?u=" + u) }
	special := []string{"that no explicit entry grants", "runtime_config.allowed_hosts", "globs never grant"}
	// The well-behaved side of each grant works, so the refusals below are
	// the policy's doing, not a broken setup.
	t.Run("controls", func(t *testing.T) {
		for _, a := range []attempt{
			{name: "read inside the rw mount", tool: "hostile_fs-fs", args: fs("read", "/data/d.txt"), ok: true, want: []string{"ok inside"}},
			{name: "write inside the rw mount", tool: "hostile_fs-fs", args: fs("write", "/data/new.txt", "data", "x"), ok: true},
			{name: "read inside the ro mount", tool: "hostile_fs-fs", args: fs("read", "/ro/r.txt"), ok: true, want: []string{"read-only content"}},
			{name: "granted host", tool: "hostile_redir-http", args: get(redirURL + "/ok"), ok: true, want: []string{"redirector reached", `"status":200`}},
			{name: "credential reaches its host", tool: "hostile_secret-http", args: get(secretName + "/check"), ok: true, want: []string{"credential: match"}},
		} {
			t.Run(a.name, func(t *testing.T) { e.run(t, a) })
		}
		if v := os.Getenv(canaryEnv); v != canaryValue {
			t.Fatalf("canary env var not set in the host process: %q", v)
		}
	})

	groups := []struct {
		name     string
		attempts []attempt
	}{
		{"files", []attempt{
			{name: "nothing is visible without a grant", tool: "hostile-preopens", ok: true, empty: true},
			{name: "no grant: read /etc/passwd", tool: "hostile-fs", args: fs("read", "/etc/passwd"),
				want: []string{"open /etc/passwd", eBADF}, log: toolError("hostile", "fs")},
			{name: "no grant: list /", tool: "hostile-fs", args: fs("readdir", "/"), want: []string{eBADF}},
			{name: "no grant: read /proc/self/environ", tool: "hostile-fs", args: fs("read", "/proc/self/environ"), want: []string{eBADF}},
			{name: "traversal /data/../outside", tool: "hostile_fs-fs", args: fs("read", "/data/../outside/secret.txt"),
				want: []string{eBADF}, log: toolError("hostile_fs", "fs")},
			{name: "absolute path outside every mount", tool: "hostile_fs-fs", args: fs("read", e.outside+"/secret.txt"), want: []string{eBADF}},
			{name: "raw path_open ../ on the /data preopen", tool: "hostile_fs-raw_open", args: map[string]any{"fd": 3, "path": "../outside/secret.txt"},
				want: []string{rawPER}, log: toolError("hostile_fs", "raw_open")},
			{name: "raw path_open of an absolute name on the /data preopen", tool: "hostile_fs-raw_open", args: map[string]any{"fd": 3, "path": e.outside + "/secret.txt"},
				want: []string{rawPER}},
			{name: "raw path_open on a descriptor that is no preopen", tool: "hostile_fs-raw_open", args: map[string]any{"fd": 99, "path": "secret.txt"},
				want: []string{"errno 8 (Bad file number)"}},
			{name: "host symlink to a directory outside", tool: "hostile_fs-fs", args: fs("read", "/data/escape/secret.txt"),
				want: []string{ePERM}, log: fsDenied("open", "/data/escape/secret.txt")},
			{name: "host relative symlink to a file outside", tool: "hostile_fs-fs", args: fs("read", "/data/escape_rel"),
				want: []string{ePERM}, log: fsDenied("open", "/data/escape_rel")},
			{name: "raw path_open through a host symlink", tool: "hostile_fs-raw_open", args: map[string]any{"fd": 3, "path": "escape/secret.txt"},
				want: []string{rawPER}, log: []string{`msg="filesystem access denied"`, "tool=raw_open", "target=/data/escape/secret.txt"}},
			{name: "write through a host symlink", tool: "hostile_fs-fs", args: fs("write", "/data/escape/planted.txt", "data", "x"),
				want: []string{ePERM}, log: fsDenied("open", "/data/escape/planted.txt"), after: absent(filepath.Join(e.outside, "planted.txt"))},
			{name: "rename into a host symlink", tool: "hostile_fs-fs", args: fs("rename", "/data/d.txt", "target", "/data/escape/moved.txt"),
				want: []string{ePERM}, log: fsDenied("rename", "/data/d.txt -> /data/escape/moved.txt"),
				after: both(absent(filepath.Join(e.outside, "moved.txt")), unchanged(filepath.Join(e.data, "d.txt"), "inside"))},
			{name: "guest symlink to /etc/passwd", tool: "hostile_fs-fs", args: fs("symlink", "/data/mylink", "target", "/etc/passwd"),
				want: []string{ePERM}, log: fsDenied("symlink", "/data/mylink"), after: absent(filepath.Join(e.data, "mylink"))},
			{name: "guest relative symlink inside the mount", tool: "hostile_fs-fs", args: fs("symlink", "/data/rel", "target", "d.txt"),
				want: []string{ePERM}, log: fsDenied("symlink", "/data/rel"), after: absent(filepath.Join(e.data, "rel"))},
			{name: "guest hard link", tool: "hostile_fs-fs", args: fs("link", "/data/hard", "target", "/data/d.txt"),
				want: []string{ePERM}, log: fsDenied("link", "/data/hard"), after: absent(filepath.Join(e.data, "hard"))},
			{name: "create a file on the ro mount", tool: "hostile_fs-fs", args: fs("write", "/ro/new.txt", "data", "x"),
				want: []string{eROFS}, log: append(fsDenied("open", "/ro/new.txt"), "drop :ro"), after: absent(filepath.Join(e.ro, "new.txt"))},
			{name: "delete a file on the ro mount", tool: "hostile_fs-fs", args: fs("remove", "/ro/r.txt"),
				want: []string{eROFS}, log: fsDenied("unlink", "/ro/r.txt"), after: unchanged(filepath.Join(e.ro, "r.txt"), "read-only content")},
			{name: "truncate a file on the ro mount", tool: "hostile_fs-fs", args: fs("truncate", "/ro/r.txt"),
				want: []string{eROFS}, log: fsDenied("open", "/ro/r.txt"), after: unchanged(filepath.Join(e.ro, "r.txt"), "read-only content")},
			{name: "append to a file on the ro mount", tool: "hostile_fs-fs", args: fs("append", "/ro/r.txt", "data", "x"),
				want: []string{eROFS}, after: unchanged(filepath.Join(e.ro, "r.txt"), "read-only content")},
			{name: "mkdir on the ro mount", tool: "hostile_fs-fs", args: fs("mkdir", "/ro/sub"),
				want: []string{eROFS}, log: fsDenied("mkdir", "/ro/sub"), after: absent(filepath.Join(e.ro, "sub"))},
			{name: "rename on the ro mount", tool: "hostile_fs-fs", args: fs("rename", "/ro/r.txt", "target", "/ro/s.txt"),
				want: []string{eROFS}, log: fsDenied("rename", "/ro/r.txt -> /ro/s.txt"), after: absent(filepath.Join(e.ro, "s.txt"))},
		}},
		{"environment", []attempt{
			{name: "read the host's environment, argv and cwd", tool: "hostile-env", ok: true,
				want: []string{`"args":[]`, `"env":[]`}},
			{name: "look up host variables and secret names as config keys", tool: "hostile_secret-config_probe",
				args: map[string]any{"keys": []string{canaryEnv, secretEnv, secretHeader, "Authorization", "PATH", "HOME", "secrets"}}, ok: true,
				want: []string{"{}"}},
		}},
		{"network", []attempt{
			{name: "no grant: the echo server", tool: "hostile-http", args: get(echoURL + "/"),
				want: []string{"plugin[hostile] tool[http]", "egress denied: " + echoURL, "not in allowed_hosts", `add "127.0.0.1:` + e.echo.Port() + `" to runtime_config.allowed_hosts`},
				log:  netDenied("hostile", echoURL), after: noHits(e.echo)},
			{name: "a host outside an explicit grant", tool: "hostile_redir-http", args: get("http://evil.example/"),
				want: []string{"egress denied: http://evil.example:80", "not in allowed_hosts", `add "evil.example" to runtime_config.allowed_hosts`},
				log:  netDenied("hostile_redir", "http://evil.example:80")},
			{name: `"*": cloud metadata 169.254.169.254`, tool: "hostile_net-http", args: get("http://169.254.169.254/latest/meta-data/"),
				want: append([]string{"http://169.254.169.254:80"}, special...), log: netDenied("hostile_net", "http://169.254.169.254:80")},
			{name: `"*": Alibaba metadata 100.100.100.200`, tool: "hostile_net-http", args: get("http://100.100.100.200/"),
				want: special, log: netDenied("hostile_net", "http://100.100.100.200:80")},
			{name: `"*": private 10.0.0.1`, tool: "hostile_net-http", args: get("http://10.0.0.1/"),
				want: special, log: netDenied("hostile_net", "http://10.0.0.1:80")},
			{name: `"*": private 192.168.1.1 over https`, tool: "hostile_net-http", args: get("https://192.168.1.1/"),
				want: special, log: netDenied("hostile_net", "https://192.168.1.1:443")},
			{name: `"*": loopback 127.0.0.1`, tool: "hostile_net-http", args: get("http://127.0.0.1/"),
				want: special, log: netDenied("hostile_net", "http://127.0.0.1:80")},
			{name: `"*": loopback [::1]`, tool: "hostile_net-http", args: get("http://[::1]/"),
				want: special, log: netDenied("hostile_net", "http://[::1]:80")},
			{name: `"*": IPv4-mapped loopback [::ffff:127.0.0.1]`, tool: "hostile_net-http", args: get("http://[::ffff:127.0.0.1]/"),
				want: special},
			{name: `"*": unspecified 0.0.0.0`, tool: "hostile_net-http", args: get("http://0.0.0.0/"), want: special},
			{name: `"*": the name localhost, which resolves to loopback`, tool: "hostile_net-http", args: get("http://localhost/"),
				want: append([]string{"localhost resolves to", `the exact host name "localhost"`}, special...), log: netDenied("hostile_net", "http://localhost:80")},
			{name: `"*": a port "*" does not grant`, tool: "hostile_net-http", args: get("http://example.com:8080/"),
				want: []string{"not in allowed_hosts", `add "example.com:8080"`}},
			{name: `"*": a file:// URL`, tool: "hostile_net-http", args: get("file:///etc/passwd"),
				want: []string{`scheme "file" is not allowed`}, log: netDenied("hostile_net", "file://")},
			{name: `"*": userinfo in the URL`, tool: "hostile_net-http", args: get("http://user:pw@example.com/"),
				want: []string{"userinfo in the URL is not allowed"}},
		}},
		{"redirects", []attempt{
			{name: "redirect to localhost on an ungranted port", tool: "hostile_redir-http", args: redirectTo("http://localhost:" + sinkPort + "/"),
				want: []string{"http://localhost:" + sinkPort, "redirect hop 1: not in allowed_hosts", "runtime_config.allowed_hosts"},
				log:  netDenied("hostile_redir", "http://localhost:"+sinkPort), after: noHits(e.sink)},
			{name: "redirect to another loopback address", tool: "hostile_redir-http", args: redirectTo(sink2URL + "/"),
				want: []string{sink2URL, "redirect hop 1"}, log: netDenied("hostile_redir", sink2URL), after: noHits(e.sink2)},
			{name: "redirect to IPv6 loopback", tool: "hostile_redir-http", args: redirectTo(sink6URL + "/"),
				want: []string{sink6URL, "redirect hop 1"}, log: netDenied("hostile_redir", sink6URL), after: noHits(e.sink6)},
			{name: "redirect to cloud metadata", tool: "hostile_redir-http", args: redirectTo("http://169.254.169.254/latest/meta-data/"),
				want: []string{"http://169.254.169.254:80", "redirect hop 1"}, log: netDenied("hostile_redir", "http://169.254.169.254:80")},
			{name: "redirect to a file:// URL", tool: "hostile_redir-http", args: redirectTo("file:///etc/passwd"),
				want: []string{"redirect hop 1", `scheme "file" is not allowed`}},
		}},
		{"secrets", []attempt{
			{name: "read the secret from the environment", tool: "hostile_secret-env", ok: true, want: []string{`"env":[]`}},
			{name: "have the secret sent to its server by IP, which it is not bound to", tool: "hostile_secret-http", args: get(secretIP + "/echo"),
				ok: true, want: []string{`"status":200`, "user-agent"}},
			{name: "echo the headers of a host the secret is not bound to", tool: "hostile_secret-http", args: get(echoURL + "/"),
				ok: true, want: []string{`"status":200`, "user-agent"}},
			{name: "carry the secret across a redirect to another host", tool: "hostile_secret-http",
				args: get(secretName + "/to?u=" + echoURL + "/"), ok: true, want: []string{`"status":200`, "user-agent"}},
			{name: "override the credential header", tool: "hostile_secret-http", args: get(secretName+"/check", secretHeader, "forged"),
				ok: true, want: []string{"credential: match"}},
			{name: "get the secret into an error", tool: "hostile_secret-http", args: get("http://169.254.169.254/"),
				want: []string{"egress denied: http://169.254.169.254:80", "not in allowed_hosts", "runtime_config.allowed_hosts"},
				log:  netDenied("hostile_secret", "http://169.254.169.254:80")},
		}},
		{"cpu and time", []attempt{
			{name: "infinite loop", tool: "hostile-spin", slow: true, within: 20 * time.Second,
				want: []string{"plugin[hostile] tool[spin]", "stopped after runtime_config.timeout (2s)"}, log: callFailed("hostile", "spin", "timeout")},
			{name: "sleep past the timeout", tool: "hostile-sleep", args: map[string]any{"ms": 120000}, slow: true, within: 20 * time.Second,
				want: []string{"plugin[hostile] tool[sleep]", "stopped after runtime_config.timeout (2s)"}, log: callFailed("hostile", "sleep", "timeout")},
			{name: "poll_oneoff with the longest timeout", tool: "hostile-poll_forever", slow: true, within: 20 * time.Second,
				want: []string{"plugin[hostile] tool[poll_forever]", "stopped after runtime_config.timeout (2s)"}, log: callFailed("hostile", "poll_forever", "timeout")},
		}},
		{"memory", []attempt{
			{name: "allocate 1 GiB", tool: "hostile_mem-alloc", args: map[string]any{"mib": 1024}, slow: true,
				want: []string{"plugin[hostile_mem] tool[alloc]", "ran out of memory", "runtime_config.memory_limit (64Mi)"}, log: callFailed("hostile_mem", "alloc", "trap")},
			{name: "deep recursion (the Go stack lives in linear memory)", tool: "hostile_mem-recurse", slow: true,
				want: []string{"plugin[hostile_mem] tool[recurse]", "runtime_config.memory_limit (64Mi)"}, log: callFailed("hostile_mem", "recurse", "trap")},
			{name: "native wasm stack overflow", tool: "overflow-overflow", slow: true,
				want: []string{"plugin[overflow] tool[overflow]", "the plugin crashed (wasm trap)", "stack overflow"}, log: callFailed("overflow", "overflow", "trap")},
		}},
		{"output", []attempt{
			{name: "a result over max_output", tool: "hostile-output", args: map[string]any{"bytes": 100 << 10},
				want: []string{"plugin[hostile] tool[output]", "exceeds runtime_config.max_output (64Ki)"}, log: callFailed("hostile", "output", `"output too large"`)},
			// 128 KiB is far past the 1 KiB cut and quick enough under -race
			// (the guest moves it through the kernel 8 bytes at a time).
			{name: "a 128 KiB error message", tool: "hostile-error_flood", args: map[string]any{"bytes": 128 << 10},
				want: []string{"plugin[hostile] tool[error_flood]: the plugin reported an error: flood:EEE", "…"}, log: callFailed("hostile", "error_flood", `"guest error"`)},
			{name: "flood stdout and stderr", tool: "hostile-stdout", args: map[string]any{"bytes": 64 << 10, "marker": "hostile-stdout-marker"}, ok: true,
				want: []string{"wrote"}, log: []string{`msg="guest output"`, "plugin=hostile ", "hostile-stdout-marker"}},
		}},
		{"host functions", []attempt{
			{name: "notify_progress(garbage)", tool: "hostile-hostcall", args: hostcall("notify_progress", garbage, ""), ok: true, want: []string{"survived"},
				log: []string{"invalid memory block", "function=notify_progress", "offset=" + fmt.Sprint(uint64(0xdeadbeefdead))}},
			{name: "notify_logging_message(garbage)", tool: "hostile-hostcall", args: hostcall("notify_logging_message", garbage, ""), ok: true, want: []string{"survived"},
				log: []string{"invalid memory block", "function=notify_logging_message"}},
			{name: "notify_resource_updated(garbage)", tool: "hostile-hostcall", args: hostcall("notify_resource_updated", garbage, ""), ok: true, want: []string{"survived"},
				log: []string{"invalid memory block", "function=notify_resource_updated"}},
			{name: "create_elicitation(garbage)", tool: "hostile-hostcall", args: hostcall("create_elicitation", garbage, ""), ok: true, want: []string{"survived"},
				log: []string{"invalid memory block", "function=create_elicitation"}},
			{name: "create_message(garbage)", tool: "hostile-hostcall", args: hostcall("create_message", garbage, ""), ok: true, want: []string{"survived"},
				log: []string{"invalid memory block", "function=create_message"}},
			{name: "get_keyring_secret(garbage)", tool: "hostile-hostcall", args: hostcall("get_keyring_secret", garbage, ""), ok: true, want: []string{"survived", "= 0x0"},
				log: []string{"denies by default", "function=get_keyring_secret"}},
			{name: "http_request(garbage)", tool: "hostile-hostcall", args: hostcall("http_request", garbage, garbage),
				want: []string{"the plugin crashed (wasm trap): http_request: invalid request JSON"}, log: callFailed("hostile", "hostcall", "trap")},
			{name: "kernel length(all ones)", tool: "hostile-hostcall", args: hostcall("length", "0xffffffffffffffff", ""), ok: true, want: []string{"= 0x0"}},
			{name: "kernel load_u64(out of range)", tool: "hostile-hostcall", args: hostcall("load_u64", garbage, ""),
				want: []string{"the plugin crashed (wasm trap): load_u64: offset 244837814099629 (+8 bytes) is outside kernel memory"}},
			{name: "kernel store_u64(out of range)", tool: "hostile-hostcall", args: hostcall("store_u64", garbage, ""),
				want: []string{"the plugin crashed (wasm trap): store_u64: offset 244837814099629 (+8 bytes) is outside kernel memory"}},
			{name: "kernel output_set(huge length)", tool: "hostile-hostcall", args: hostcall("output_set", "0x10", "0xffffffffff"),
				want: []string{"the plugin crashed (wasm trap): output_set: offset 16 (+1099511627775 bytes) is outside kernel memory"}, log: callFailed("hostile", "hostcall", "trap")},
			{name: "kernel config_get(garbage)", tool: "hostile-hostcall", args: hostcall("config_get", garbage, ""),
				want: []string{"the plugin crashed (wasm trap): config_get: no kernel memory block at offset 244837814099629"}},
			{name: "kernel log_info(garbage)", tool: "hostile-hostcall", args: hostcall("log_info", garbage, ""),
				want: []string{"the plugin crashed (wasm trap): log_info: no kernel memory block at offset 244837814099629"}},
			{name: "kernel alloc(1 TiB)", tool: "hostile-hostcall", args: hostcall("alloc", "0x10000000000", ""), ok: true, want: []string{"= 0x0"}},
			{name: "kernel var_set(garbage)", tool: "hostile-hostcall", args: hostcall("var_set", garbage, "0x1234"),
				want: []string{"the plugin crashed (wasm trap): var_set: no kernel memory block at offset 244837814099629"}},
			{name: "a 2 MiB block to notify_progress", tool: "hostile-hostcall_block", args: map[string]any{"fn": "notify_progress", "size": 2 << 20}, ok: true,
				want: []string{"survived"}, log: []string{"oversized block", "function=notify_progress", "bytes=2097152"}},
			{name: "malformed JSON to create_elicitation", tool: "hostile-hostcall_block", args: map[string]any{"fn": "create_elicitation", "data": "{not json"}, ok: true,
				want: []string{`\"action\":\"decline\"`, "invalid create_elicitation input"}},
			{name: "malformed JSON to http_request", tool: "hostile-hostcall_block", args: map[string]any{"fn": "http_request", "data": "{not json"},
				want: []string{"the plugin crashed (wasm trap): http_request: invalid request JSON"}},
		}},
	}
	count := 2 // the two attempts of "instances" below
	for _, g := range groups {
		count += len(g.attempts)
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, a := range g.attempts {
				t.Run(a.name, func(t *testing.T) {
					if a.slow && testing.Short() {
						t.Skip("runs into a limit")
					}
					start := time.Now()
					e.run(t, a)
					if d := time.Since(start); a.within > 0 && d > a.within {
						t.Errorf("took %s: the limit did not stop it promptly", d)
					}
				})
			}
		})
	}

	// The guest never saw the secret (run checks every result for it), and
	// neither the secret nor the host's environment is ever logged.
	t.Run("secrets stay out of the log", func(t *testing.T) {
		logs := e.s.logs.String()
		if strings.Contains(logs, "escape-secret-9b27e4a1") {
			t.Errorf("the host log contains the secret: %s", logLine(logs, "escape-secret-9b27e4a1"))
		}
		if strings.Contains(logs, canaryValue) {
			t.Errorf("the host log contains the canary environment value: %s", logLine(logs, canaryValue))
		}
	})
	t.Run("instances", func(t *testing.T) {
		other := connect(t, e.s.url, legacy)
		call := func(c *client.Client, tool string, args map[string]any) *mcp.CallToolResult {
			t.Helper()
			res, err := c.CallTool(context.Background(), callArgs(tool, args))
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		call(e.c, "hostile-state_set", map[string]any{"value": "planted-by-A"})
		if got := text(call(other, "hostile-state_get", nil)); got != "state=" {
			t.Errorf("another session reads %q: guest state crossed sessions", got)
		}
		if got := text(call(e.c, "hostile-state_get", nil)); got != "state=planted-by-A" {
			t.Errorf("own session reads %q; want the planted value (control)", got)
		}
		if res := call(e.c, "hostile-panic", nil); !res.IsError || !strings.Contains(text(res), "the plugin crashed (wasm trap)") {
			t.Errorf("panic: %q", text(res))
		}
		if got := text(call(e.c, "hostile-state_get", nil)); got != "state=" {
			t.Errorf("after a trap the session reads %q: a trapped instance was reused", got)
		}
	})

	// The same process still serves everyone, hostile plugins included.
	t.Run("host still serves", func(t *testing.T) {
		for _, c := range []struct {
			tool string
			args map[string]any
			want string
		}{
			{"everything-echo", map[string]any{"message": "still here"}, "still here"},
			{"hash-digest", map[string]any{"algorithm": "sha256", "text": "abc"}, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
			{"hostile_fs-fs", map[string]any{"op": "read", "path": "/data/d.txt"}, "ok inside"},
			{"hostile-env", nil, `"env":[]`},
		} {
			for _, era := range []string{legacy, modern} {
				res, err := connect(t, e.s.url, era).CallTool(context.Background(), callArgs(c.tool, c.args))
				if err != nil || res.IsError || !strings.Contains(text(res), c.want) {
					t.Errorf("%s (%s) after the suite: %v %q, want %q", c.tool, era, err, text(res), c.want)
				}
			}
		}
	})
	t.Logf("%d escape attempts", count)
	if count < 30 {
		t.Errorf("only %d attempts; the suite promises at least 30", count)
	}
}

// overflowModule is a V2 plugin whose only tool recurses without end in
// native wasm, so wazero's own call-stack limit must stop it.
func overflowModule() []byte {
	const rec = 5 // 3 kernel imports, list_tools, call_tool, then rec
	return hostileModule("overflow",
		wCat([]byte{opCall}, wULEB(rec), []byte{opI32Const, 0}),
		nil,
		[]wFunc{{typ: 4, body: wCat([]byte{opCall}, wULEB(rec))}},
		nil)
}

// TestEscapeLoad feeds the loader modules it must refuse at start-up. Each
// error must name the plugin and the problem; nothing may be left running.
func TestEscapeLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		must(t, os.WriteFile(p, b, 0o644))
		return p
	}
	ret0 := []byte{opI32Const, 0}
	spin := []byte{opLoop, blockVoid, opBr, 0, opEnd}
	startAt := func(i uint32) *uint32 { return &i }
	real := testplugins.Bytes(t, testplugins.Test(t, "hostile"))
	for _, c := range []struct {
		name    string
		url     string
		runtime string   // extra runtime_config lines
		want    []string // substrings of the start-up error
	}{
		{"a Go plugin importing env.system", testplugins.Test(t, "hostile_import"), "",
			[]string{"module imports env.system, which toolhost does not provide", "(plugins may import extism:host/env, extism:host/user"}},
		{"a hand-built module importing env.system", write("system.wasm", hostileModule("run", ret0, []wImport{{"env", "system", 0, 3}}, nil, nil)), "",
			[]string{"module imports env.system, which toolhost does not provide"}},
		{"an MCP host function toolhost does not have", write("user.wasm", hostileModule("run", ret0, []wImport{{"extism:host/user", "get_env", 0, 4}}, nil, nil)), "",
			[]string{"module imports host function extism:host/user.get_env, which toolhost does not provide", "create_elicitation"}},
		{"a kernel function Extism does not have", write("kernel.wasm", hostileModule("run", ret0, []wImport{{"extism:host/env", "exec", 0, 4}}, nil, nil)), "",
			[]string{"module imports extism:host/env.exec, which is not an Extism kernel function"}},
		{"a memory import", write("memimport.wasm", wModule{
			types:   []wType{{results: []byte{wI32}}},
			imports: []wImport{{"env", "memory", 2, 1}},
			funcs:   []wFunc{{typ: 0, body: ret0}, {typ: 0, body: ret0}},
			exports: map[string]uint32{"list_tools": 0, "call_tool": 1},
		}.encode()), "", []string{"module imports a memory env.memory; toolhost provides only functions"}},
		{"a truncated module", write("truncated.wasm", real[:len(real)/2]), "", []string{"not a usable WebAssembly module"}},
		{"random bytes", write("garbage.wasm", []byte("\x8f\x13\x00\xffgarbage that is not wasm\x01\x02")), "", []string{"not a usable WebAssembly module"}},
		{"a shell script", write("script.wasm", []byte("#!/bin/sh\nrm -rf \"$HOME\"\n")), "", []string{"not a usable WebAssembly module"}},
		{"an ELF executable header", write("elf.wasm", append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 56)...)), "", []string{"not a usable WebAssembly module"}},
		{"a wasm header with a future version", write("v2.wasm", []byte("\x00asm\x02\x00\x00\x00")), "", []string{"not a usable WebAssembly module"}},
		{"a WASI command module", testplugins.Test(t, "command"), "", []string{"command"}},
		{"a module that exports no plugin functions", testplugins.Test(t, "neither"), "", []string{"module exports no plugin functions", "export list_tools and call_tool (V2) or describe and call (V1)"}},
		{"a start function that traps", write("starttrap.wasm", hostileModule("run", ret0, nil, []wFunc{{typ: 4, body: []byte{opUnreachable}}}, startAt(5))), "",
			[]string{"could not create an instance", "unreachable"}},
		{"a start function that never returns", write("startspin.wasm", hostileModule("run", ret0, nil, []wFunc{{typ: 4, body: spin}}, startAt(5))), "      timeout: 1s\n",
			[]string{"could not create an instance", "stopped after runtime_config.timeout (1s)"}},
		{"a Go init that never returns", testplugins.Test(t, "hostile_initspin"), "      timeout: 1s\n",
			[]string{"could not create an instance", "runtime initialiser was stopped after runtime_config.timeout (1s)"}},
		{"memory_limit below the module's minimum", testplugins.Test(t, "hostile"), "      memory_limit: 1Mi\n",
			[]string{"runtime_config.memory_limit 1Mi (16 pages) is below the module's minimum memory"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			yaml := fmt.Sprintf("plugins:\n  evil:\n    url: file://%s\n    runtime_config:\n      max_concurrency: 1\n%s", c.url, c.runtime)
			cfg, err := config.Parse([]byte(yaml), config.YAML, config.Options{LookupEnv: os.LookupEnv, BaseDir: dir})
			if err != nil {
				t.Fatalf("config: %v", err)
			}
			logs := &logBuffer{}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			start := time.Now()
			h, err := host.New(ctx, cfg, host.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
			if err == nil {
				h.Close(context.Background())
				t.Fatalf("host.New accepted the module")
			}
			// The context would end a hang after 2 minutes; compiling
			// takes a few seconds (tens under -race).
			if d := time.Since(start); d > 90*time.Second {
				t.Errorf("refusing took %s", d)
			}
			msg := err.Error()
			t.Logf("refused: %s", msg)
			for _, w := range append([]string{"plugin[evil]"}, c.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("start-up error lacks %q:\n%s", w, msg)
				}
			}
		})
	}
}

// TestEscapeStdio runs the real binary over stdio, where the process's
// stdout is the MCP transport: a guest flooding its stdout and stderr must
// not corrupt the stream, and the binary's environment (with a canary in
// it) must stay invisible to the guest.
func TestEscapeStdio(t *testing.T) {
	bin := toolhostBinary(t)
	cfgPath := filepath.Join(t.TempDir(), "toolhost.yaml")
	must(t, os.WriteFile(cfgPath, []byte(fmt.Sprintf("plugins:\n  hostile:\n    url: file://%s\n", testplugins.Test(t, "hostile"))), 0o600))
	env := append(os.Environ(), canaryEnv+"="+canaryValue)
	c, err := client.NewStdioMCPClient(bin, env, "serve", "--transport", "stdio", "--config", cfgPath, "--log-level", "debug")
	if err != nil {
		t.Fatal(err)
	}
	c = initialize(t, c, legacy)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, call := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"hostile-stdout", map[string]any{"bytes": 1 << 20, "marker": `{"jsonrpc":"2.0","id":1,"result":{"forged":true}}`}, "wrote"},
		{"hostile-env", nil, `"env":[]`},
	} {
		res, err := c.CallTool(ctx, callArgs(call.tool, call.args))
		if err != nil {
			t.Fatalf("%s over stdio: %v (the guest's output reached the transport?)", call.tool, err)
		}
		if res.IsError || !strings.Contains(text(res), call.want) || strings.Contains(text(res), canaryValue) {
			t.Errorf("%s over stdio: isError=%v %.300q; want %q and no canary", call.tool, res.IsError, text(res), call.want)
		}
	}
}

// TestStdioPipe writes its requests to `toolhost serve --transport stdio`
// and closes stdin at once, as a script piping into it does: the calls
// still in flight when the input ends (a 300 ms sleep, and the first call
// of a plugin compiled on first use) are answered before toolhost exits.
func TestStdioPipe(t *testing.T) {
	bin := toolhostBinary(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "toolhost.yaml")
	must(t, os.WriteFile(cfgPath, []byte(fmt.Sprintf("plugins:\n  everything:\n    url: file://%s\n", testplugins.Test(t, "everything"))), 0o600))
	requests := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"pipe","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"everything-sleep","arguments":{"ms":300}}}
{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"everything-echo","arguments":{"message":"piped"}}}
`
	cacheDir := filepath.Join(dir, "cache")
	for _, run := range []string{"first start (compiles at load)", "warm start (compiles on first call)"} {
		t.Run(run, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "serve", "--transport", "stdio", "--config", cfgPath, "--cache-dir", cacheDir)
			cmd.Stdin = strings.NewReader(requests)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("toolhost: %v\n%s", err, stderr.String())
			}
			for _, want := range []string{`"id":2,"result":{"content":[{"type":"text","text":"slept 300 ms (measured`, `"id":3,"result":{"content":[{"type":"text","text":"piped"}]`} {
				if !strings.Contains(string(out), want) {
					t.Errorf("stdout lacks %s:\n%s\nstderr:\n%s", want, out, stderr.String())
				}
			}
		})
	}
}
