//go:build wasip1

package main

import "github.com/extism/go-pdk"

var methods = map[string]pdk.HTTPMethod{"GET": pdk.MethodGet, "HEAD": pdk.MethodHead, "POST": pdk.MethodPost}

// send goes through the Extism http_request kernel function. A host that
// does not allow the URL's host traps the call (Extism's behaviour), so the
// agent sees the host's "not allowed" error rather than a result.
func send(r request) (response, error) {
	req := pdk.NewHTTPRequest(methods[r.Method], r.URL)
	for k, v := range r.Headers {
		req.SetHeader(k, v)
	}
	if len(r.Body) > 0 {
		req.SetBody(r.Body)
	}
	res := req.Send()
	mem := res.Memory()
	defer mem.Free()
	size := int(mem.Length())
	body := make([]byte, min(size, r.MaxBytes))
	mem.Load(body)
	return response{Status: int(res.Status()), Headers: res.Headers(), Body: body, Size: size}, nil
}
