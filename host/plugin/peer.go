package plugin

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/toolhost/toolhost/host/abi"
)

// Peer is what a guest may ask of the connected MCP client during a call.
// The MCP front implements it per request, mapping each method to the
// client's protocol era (a real server-to-client request on a legacy
// session, the documented fallback otherwise).
//
// Methods receive the call's context and must return once it is done.
// Elicit, CreateMessage and ListRoots return the client's JSON result; an
// error is turned into a value the guest can read (never a trap).
type Peer interface {
	// Progress reports progress of the in-flight request; the Peer knows the
	// request's own progressToken and drops the report if there is none.
	Progress(ctx context.Context, progress float64, total *float64, message string)
	// Log sends a logging notification if the client asked for this level.
	Log(ctx context.Context, level, logger string, data json.RawMessage)
	// Elicit asks the user for input (elicitation/create params in).
	Elicit(ctx context.Context, params json.RawMessage) (json.RawMessage, error)
	// CreateMessage asks the client's model (sampling/createMessage params in).
	CreateMessage(ctx context.Context, params json.RawMessage) (json.RawMessage, error)
	// ListRoots asks the client for its roots; the result is {"roots":[...]}.
	ListRoots(ctx context.Context) (json.RawMessage, error)
	// ResourceUpdated reports that a plugin-local resource URI changed.
	ResourceUpdated(ctx context.Context, uri string)
	// Ask asks the client several named questions at once (toolhost's
	// request_input) and returns each answer's JSON by key.
	Ask(ctx context.Context, requests map[string]InputRequest) (map[string]json.RawMessage, error)
}

// Request describes who is calling: the MCP session (empty in the
// stateless era), the JSON-RPC id and _meta the guest sees in its context,
// and the Peer for host functions.
type Request struct {
	Session string
	ID      any
	Meta    map[string]any
	Peer    Peer
}

func (r Request) context() abi.Context { return abi.Context{ID: r.ID, Meta: r.Meta} }

// Lists names catalog parts a guest said have changed.
type Lists uint8

const (
	ToolsChanged Lists = 1 << iota
	PromptsChanged
	ResourcesChanged
)

// callState is the per-call state host functions read from the context.
type callState struct {
	plugin *Plugin
	req    Request

	mu      sync.Mutex
	changed Lists
	denied  error // the first capability denial, reported instead of the trap

	// http_request results, read back by http_status_code and http_headers.
	httpStatus  int32
	httpHeaders []byte
}

func (s *callState) deny(err error) {
	s.mu.Lock()
	if s.denied == nil {
		s.denied = err
	}
	s.mu.Unlock()
}

func (s *callState) markChanged(l Lists) {
	s.mu.Lock()
	s.changed |= l
	s.mu.Unlock()
}

type callStateKey struct{}

func stateFrom(ctx context.Context) *callState {
	s, _ := ctx.Value(callStateKey{}).(*callState)
	return s
}

// noPeer is used when a call has no client attached (start-up listing,
// command-line calls): notifications go nowhere and requests get the
// documented "unsupported" answers.
type noPeer struct{}

func (noPeer) Progress(context.Context, float64, *float64, string)  {}
func (noPeer) Log(context.Context, string, string, json.RawMessage) {}
func (noPeer) ResourceUpdated(context.Context, string)              {}
func (noPeer) ListRoots(context.Context) (json.RawMessage, error)   { return nil, errNoClient }
func (noPeer) Elicit(context.Context, json.RawMessage) (json.RawMessage, error) {
	return nil, errNoClient
}
func (noPeer) CreateMessage(context.Context, json.RawMessage) (json.RawMessage, error) {
	return nil, errNoClient
}
func (noPeer) Ask(context.Context, map[string]InputRequest) (map[string]json.RawMessage, error) {
	return nil, errNoClient
}
