package main

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/toolhost/toolhost/sdk"
)

const (
	defaultMaxBytes = 64 << 10
	maxMaxBytes     = 4 << 20
)

// args are the fetch tool's arguments.
type args struct {
	URL      string            `json:"url"`
	Method   string            `json:"method"`
	Headers  map[string]string `json:"headers"`
	Body     *string           `json:"body"`
	MaxBytes int               `json:"max_bytes"`
}

// request is a validated request.
type request struct {
	Method   string
	URL      string
	Headers  map[string]string
	Body     []byte
	MaxBytes int
}

// response is what the transport returns: the body is already cut to
// MaxBytes; Size is the full length.
type response struct {
	Status  int
	Headers map[string]string
	Body    []byte
	Size    int
}

// transport sends a request; the wasip1 build uses the Extism kernel.
var transport func(request) (response, error) = send

// shownHeaders are the response headers worth an agent's attention.
var shownHeaders = []string{"content-type", "content-length", "content-encoding", "content-language", "location", "last-modified", "etag", "cache-control", "expires", "date", "retry-after", "www-authenticate"}

func validate(a args) (request, error) {
	r := request{Method: strings.ToUpper(strings.TrimSpace(a.Method)), Headers: map[string]string{}, MaxBytes: a.MaxBytes}
	if r.Method == "" {
		r.Method = "GET"
	}
	if r.Method != "GET" && r.Method != "HEAD" && r.Method != "POST" {
		return request{}, fmt.Errorf("method %q is not supported: use GET, HEAD or POST", a.Method)
	}
	u, err := url.Parse(strings.TrimSpace(a.URL))
	switch {
	case strings.TrimSpace(a.URL) == "":
		return request{}, errors.New("url is required")
	case err != nil:
		return request{}, fmt.Errorf("invalid url: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return request{}, fmt.Errorf("invalid url %q: only http and https URLs can be fetched", a.URL)
	case u.Host == "":
		return request{}, fmt.Errorf("invalid url %q: no host", a.URL)
	}
	r.URL = u.String()
	for k, v := range a.Headers {
		if k == "" || strings.ContainsAny(k, "\r\n: ") || strings.ContainsAny(v, "\r\n") {
			return request{}, fmt.Errorf("invalid header %q", k)
		}
		r.Headers[k] = v
	}
	if a.Body != nil {
		if r.Method != "POST" {
			return request{}, fmt.Errorf("a body can only be sent with POST, not %s", r.Method)
		}
		r.Body = []byte(*a.Body)
	}
	switch {
	case r.MaxBytes == 0:
		r.MaxBytes = defaultMaxBytes
	case r.MaxBytes < 0 || r.MaxBytes > maxMaxBytes:
		return request{}, fmt.Errorf("max_bytes must be between 1 and %d", maxMaxBytes)
	}
	return r, nil
}

// fetch performs the request and renders the result for the agent.
func fetch(a args) (*sdk.Result, error) {
	req, err := validate(a)
	if err != nil {
		return nil, err
	}
	resp, err := transport(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v", req.Method, req.URL, err)
	}
	return render(req, resp), nil
}

func render(req request, resp response) *sdk.Result {
	headers := map[string]string{}
	for k, v := range resp.Headers {
		lk := strings.ToLower(k)
		for _, h := range shownHeaders {
			if lk == h {
				headers[lk] = v
			}
		}
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)

	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d (%s %s)\n", resp.Status, req.Method, req.URL)
	for _, k := range names {
		fmt.Fprintf(&b, "%s: %s\n", k, headers[k])
	}
	body := resp.Body
	truncated := resp.Size > len(body)
	text, isText := bodyText(body, truncated)
	structured := map[string]any{
		"status":     resp.Status,
		"headers":    headers,
		"body_bytes": resp.Size,
		"truncated":  truncated,
	}
	res := &sdk.Result{}
	switch {
	case req.Method == "HEAD":
	case isText:
		b.WriteString("\n")
		b.WriteString(text)
		if truncated {
			fmt.Fprintf(&b, "\n\n[truncated: showing %d of %d bytes; raise max_bytes (up to %d) to see more]", len(body), resp.Size, maxMaxBytes)
		}
		structured["body"] = text
	case !truncated && strings.HasPrefix(headers["content-type"], "image/"):
		mimeType, _, _ := strings.Cut(headers["content-type"], ";")
		res.Content = append(res.Content, sdk.Image(body, strings.TrimSpace(mimeType)))
	default:
		fmt.Fprintf(&b, "\n[binary body of %d bytes not shown]", resp.Size)
	}
	res.Content = append([]sdk.Content{sdk.Text(strings.TrimRight(b.String(), "\n"))}, res.Content...)
	return res.Structured(structured)
}

// bodyText returns the body as text when it is UTF-8 (dropping a rune cut
// by truncation).
func bodyText(body []byte, truncated bool) (string, bool) {
	if truncated {
		for i := 0; i < utf8.UTFMax && len(body) > 0 && !utf8.Valid(body); i++ {
			body = body[:len(body)-1]
		}
	}
	if !utf8.Valid(body) || strings.ContainsRune(string(body), 0) {
		return "", false
	}
	return string(body), true
}
