package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/toolhost/toolhost/internal/nodeclients"
)

// probeTimeout bounds one run of probe.mjs.
const probeTimeout = 60 * time.Second

// probeCheck is one line of probe.mjs output.
type probeCheck struct {
	Check  string `json:"check"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// probeRun is the outcome of one probe.mjs run.
type probeRun struct {
	args           []string
	code           int
	stdout, stderr string
	checks         map[string]probeCheck
}

func (r *probeRun) String() string {
	return fmt.Sprintf("probe.mjs %s\nexit %d\nstdout: %s\nstderr: %s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// runProbe runs probe.mjs, the TypeScript v2 client probe, with args.
func runProbe(t *testing.T, c *nodeclients.Clients, args ...string) *probeRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	cmd := c.Command(ctx, c.Probe, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := &probeRun{args: args, stdout: stdout.String(), stderr: stderr.String(), checks: map[string]probeCheck{}}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("probe did not finish within %s:\n%s", probeTimeout, r)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running the probe: %v\n%s", err, r)
	}
	if r.code == 2 {
		t.Fatalf("probe usage error:\n%s", r)
	}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var pc probeCheck
		if line := sc.Bytes(); len(bytes.TrimSpace(line)) > 0 {
			if err := json.Unmarshal(line, &pc); err != nil || pc.Check == "" {
				t.Fatalf("probe printed a line that is not a check (%v): %q\n%s", err, line, r)
			}
			r.checks[pc.Check] = pc
		}
	}
	return r
}

// TestProbe runs probe.mjs (the official TypeScript v2 client,
// @modelcontextprotocol/client) against toolhost in both protocol eras:
// list_changed after a plugin adds a tool at run time, every progress
// notification of a call (including the last), and cancellation of a
// running call, which must stop the guest.
func TestProbe(t *testing.T) {
	c := nodeclients.Ensure(t)
	s := serve(t, testConfig(t))
	for _, era := range []string{"legacy", "modern"} {
		t.Run(era, func(t *testing.T) {
			cancelledBefore := strings.Count(s.logs.String(), "cancelled by the client")
			r := runProbe(t, c, "--url", s.url, "--era", era,
				"--checks", "list_changed,progress,cancellation",
				"--trigger", "everything-add_tool", "--trigger-args", fmt.Sprintf(`{"name":"probe_%s"}`, era),
				"--tool-progress", "everything-progress", "--progress-args", `{"steps":3}`, "--progress-steps", "3",
				"--tool-slow", "everything-spin", "--abort-after-ms", "300", "--cancel-deadline-ms", "2000")
			for _, check := range []string{"list_changed", "progress", "cancellation"} {
				pc, ok := r.checks[check]
				switch {
				case !ok:
					t.Errorf("check %s did not run:\n%s", check, r)
				case !pc.OK:
					t.Errorf("check %s failed: %s", check, pc.Detail)
				}
			}
			if r.code != 0 {
				t.Errorf("probe exit %d, want 0:\n%s", r.code, r)
			}
			if pc := r.checks["list_changed"]; pc.OK && !strings.Contains(pc.Detail, "everything-probe_"+era) {
				t.Errorf("list_changed detail %q does not name the added tool everything-probe_%s", pc.Detail, era)
			}
			if pc := r.checks["progress"]; pc.OK && !strings.Contains(pc.Detail, "values [1, 2, 3]") {
				t.Errorf("progress detail %q, want values [1, 2, 3]", pc.Detail)
			}
			// The guest really stopped: the host logs the cancellation
			// (everything-spin would otherwise run into its 3 s timeout).
			deadline := time.Now().Add(2 * time.Second)
			for strings.Count(s.logs.String(), "cancelled by the client") <= cancelledBefore {
				if time.Now().After(deadline) {
					t.Fatalf("host never logged \"cancelled by the client\" for the %s probe; logs:\n%s", era, s.logs.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// probeProgressRuns is how often TestProbeProgressRepeated runs the progress
// check per era.
const probeProgressRuns = 10

// TestProbeProgressRepeated runs the probe's progress check repeatedly in each
// era: every progress notification, the last one included, must reach the
// client before the call's response. mcp-go v1.2.1's HTTP transport can drop
// the last one (a race in server/streamable_http.go handlePost between the
// notification forwarder and the response path); the everything plugin's
// progress tool sleeps 20 ms after each step, which hides it. A failure here
// reports how often it happened.
func TestProbeProgressRepeated(t *testing.T) {
	c := nodeclients.Ensure(t)
	s := serve(t, testConfig(t))
	for _, era := range []string{"legacy", "modern"} {
		t.Run(era, func(t *testing.T) {
			var failures []string
			for i := range probeProgressRuns {
				r := runProbe(t, c, "--url", s.url, "--era", era, "--checks", "progress",
					"--tool-progress", "everything-progress", "--progress-args", `{"steps":3}`, "--progress-steps", "3")
				pc, ok := r.checks["progress"]
				if !ok || !pc.OK || r.code != 0 {
					failures = append(failures, fmt.Sprintf("run %d: ran=%v ok=%v exit=%d detail=%q", i+1, ok, pc.OK, r.code, pc.Detail))
				}
			}
			if len(failures) > 0 {
				t.Errorf("progress check failed in %d of %d runs (%s era):\n%s",
					len(failures), probeProgressRuns, era, strings.Join(failures, "\n"))
			}
		})
	}
}
