package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRedacted(t *testing.T) {
	const secret = "hunter2-secret"
	r := Redacted(secret)
	if r.Reveal() != secret {
		t.Fatalf("Reveal() = %q", r.Reveal())
	}
	a := Auth{Type: "basic", Username: "u", Password: r, Token: r}
	s := Secret{Host: "h", Header: "X", Value: r}

	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-20v", "%.3s"} {
		outputs = append(outputs, fmt.Sprintf(verb, r), fmt.Sprintf(verb, a), fmt.Sprintf(verb, s), fmt.Sprintf(verb, &a))
	}
	outputs = append(outputs, fmt.Sprint(r), fmt.Sprintln(r, a), r.String(), r.GoString())
	for _, v := range []any{r, a, s, []Secret{s}, map[string]Auth{"k": a}} {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(j))
	}
	text, err := r.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(text))
	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		slog.New(h).Info("auth", "password", r, "auth", a, "secret", s)
	}
	outputs = append(outputs, logs.String())

	for _, out := range outputs {
		if strings.Contains(out, "hunter2") || strings.Contains(out, fmt.Sprintf("%x", "hunter2")) {
			t.Errorf("output reveals the secret: %s", out)
		}
		if !strings.Contains(out, "[REDACTED]") && !strings.Contains(out, fmt.Sprintf("%x", "[REDACTED]")) &&
			!strings.Contains(out, fmt.Sprintf("%X", "[REDACTED]")) && !strings.Contains(out, "[RE") {
			t.Errorf("output shows no redaction marker: %s", out)
		}
	}
	if got := fmt.Sprintf("%q", r); got != `"[REDACTED]"` {
		t.Errorf(`%%q = %s, want "[REDACTED]"`, got)
	}
	if j, _ := json.Marshal(r); string(j) != `"[REDACTED]"` {
		t.Errorf("json = %s", j)
	}
}
