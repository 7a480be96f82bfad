package plugin

import (
	"encoding/json"
	"testing"
)

// request_input's input comes from the guest.
func FuzzDecodeInputRequests(f *testing.F) {
	for _, s := range []string{
		`{"requests":{"a":{"method":"roots/list"}}}`,
		`{"requests":{"n":{"method":"elicitation/create","params":{"message":"m","requestedSchema":{}}}}}`,
		`{"requests":{}}`, `{"requests":{"":{"method":"roots/list"}}}`, `null`, `{"requests":{"x":{"method":"tools/call"}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		reqs, err := decodeInputRequests(b)
		if err != nil {
			return
		}
		if len(reqs) == 0 || len(reqs) > maxInputRequests {
			t.Fatalf("accepted %d requests", len(reqs))
		}
		for k, r := range reqs {
			if k == "" || (r.Method != MethodRoots && !json.Valid(r.Params)) {
				t.Fatalf("accepted %q: %+v", k, r)
			}
		}
	})
}
