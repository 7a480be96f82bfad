package plugin

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// FuzzHostInputs drives the decoders of the JSON a guest passes to host
// functions (create_elicitation, notify_logging_message, notify_progress,
// notify_resource_updated and the kernel http_request). Guest bytes are
// untrusted: the decoders must never panic, and what they accept must hold
// the invariants the host functions rely on.
func FuzzHostInputs(f *testing.F) {
	for _, s := range []string{
		`{"message":"m","requestedSchema":{"type":"object"},"timeout":5000}`,
		`{"message":"m","timeout":-1e300}`,
		`{"timeout":1e18}`,
		`{"level":"warning","logger":"x","data":{"a":1}}`,
		`{"level":"nope"}`,
		`{"progress":1,"total":2,"message":"half"}`,
		`{"progress":null}`,
		`{"uri":"test://x"}`,
		`{"url":"http://127.0.0.1/","method":"post","headers":{"a":"b"}}`,
		`{"headers":{"a":1}}`,
		`null`, `[]`, `"x"`, ``, `{`, "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if req, wait, err := decodeElicitation(in); err == nil {
			if len(req.RequestedSchema) == 0 || !json.Valid(req.RequestedSchema) {
				t.Fatalf("elicitation schema %q", req.RequestedSchema)
			}
			if req.Timeout == nil && wait != 0 {
				t.Fatalf("wait %s without a timeout", wait)
			}
			if req.Timeout != nil && (wait < time.Second || wait > 10*time.Minute) {
				t.Fatalf("timeout %v gives wait %s outside 1s..10m", *req.Timeout, wait)
			}
		}
		if msg, err := decodeLogMessage(in, "plugin"); err == nil {
			if !validLogLevel[msg.Level] || msg.Logger == "" || !json.Valid(msg.Data) {
				t.Fatalf("log message %+v", msg)
			}
		}
		if msg, err := decodeProgress(in); err == nil && msg.Progress == nil {
			t.Fatalf("progress accepted without progress: %+v", msg)
		}
		if uri, err := decodeResourceUpdated(in); err == nil && uri == "" {
			t.Fatal("resource update accepted without a uri")
		}
		if req, err := decodeHTTPRequest(in); err == nil {
			if req.Method == "" || req.Method != strings.ToUpper(req.Method) || req.Body != nil {
				t.Fatalf("http request %+v", req)
			}
		}
	})
}
