package config

import (
	"fmt"
	"io"
	"log/slog"
)

// Redacted is a secret string. Every way of printing, logging or encoding
// it (fmt with any verb, encoding/json, encoding.TextMarshaler, log/slog)
// shows [REDACTED]; only Reveal, or an explicit string conversion, returns
// the value.
type Redacted string

const redactedText = "[REDACTED]"

// Reveal returns the secret.
func (r Redacted) Reveal() string { return string(r) }

// String returns [REDACTED].
func (r Redacted) String() string { return redactedText }

// GoString returns [REDACTED], for %#v.
func (r Redacted) GoString() string { return redactedText }

// Format prints [REDACTED] for every verb and flag, so that no fmt path
// (including %x and %q) reaches the underlying string.
func (r Redacted) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, redactedText)
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), redactedText)
}

// MarshalJSON returns "[REDACTED]".
func (r Redacted) MarshalJSON() ([]byte, error) { return []byte(`"` + redactedText + `"`), nil }

// MarshalText returns [REDACTED].
func (r Redacted) MarshalText() ([]byte, error) { return []byte(redactedText), nil }

// LogValue makes log/slog print [REDACTED].
func (r Redacted) LogValue() slog.Value { return slog.StringValue(redactedText) }
