package plugin

import (
	"errors"
	"fmt"
	"strings"
)

// ErrorKind classifies why a plugin call failed.
type ErrorKind int

const (
	// GuestError: the guest returned a non-zero status (with or without an
	// error message set through the kernel's error_set).
	GuestError ErrorKind = iota + 1
	// Trap: the guest trapped (unreachable, out of bounds, a Go panic...).
	Trap
	// Timeout: the call ran past runtime_config.timeout and was stopped.
	Timeout
	// Canceled: the caller (the MCP client) cancelled the call.
	Canceled
	// BadOutput: the guest's output is not what the ABI requires.
	BadOutput
	// OutputTooLarge: the guest's output exceeds runtime_config.max_output.
	OutputTooLarge
	// Denied: the guest asked for a capability it was not granted.
	Denied
	// Busy: no instance could be had before the call's deadline.
	Busy
	// Unavailable: the instance could not be created or the plugin is closed.
	Unavailable
)

var kindNames = map[ErrorKind]string{
	GuestError: "guest error", Trap: "trap", Timeout: "timeout", Canceled: "canceled",
	BadOutput: "bad output", OutputTooLarge: "output too large", Denied: "denied",
	Busy: "busy", Unavailable: "unavailable",
}

func (k ErrorKind) String() string { return kindNames[k] }

// CallError is the error every failed plugin call returns. Its message names
// the plugin and the export (and tool, when there is one) in wazero's
// bracket style and says what failed, so it can go to the agent as is.
type CallError struct {
	Plugin string
	Export string
	Tool   string
	Kind   ErrorKind
	Msg    string
	Err    error // the underlying error, if any (not shown to agents)
}

func (e *CallError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "plugin[%s]", e.Plugin)
	if e.Tool != "" {
		fmt.Fprintf(&b, " tool[%s]", e.Tool)
	} else if e.Export != "" {
		fmt.Fprintf(&b, " export[%s]", e.Export)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

func (e *CallError) Unwrap() error { return e.Err }

// KindOf returns the kind of a CallError, or 0.
func KindOf(err error) ErrorKind {
	var ce *CallError
	if errors.As(err, &ce) {
		return ce.Kind
	}
	return 0
}

// sanitize shortens a guest-supplied or wazero message for an agent: the
// first line of a trap (the wasm stack trace stays in the logs), at most
// maxMessage bytes, valid UTF-8.
func sanitize(msg string) string {
	const maxMessage = 1024
	msg = strings.ToValidUTF8(msg, "\uFFFD")
	if i := strings.Index(msg, "\nwasm stack trace:"); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.TrimSpace(msg)
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && (msg[cut]&0xC0) == 0x80 {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}
