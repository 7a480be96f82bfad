package mcpserver

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/toolhost/toolhost/host/plugin"
)

// A guest asks for elicitation, sampling or roots synchronously, from inside
// a host function. The 2026-07-28 era has no server-to-client requests:
// the server answers the call with resultType "input_required", and the
// client retries the call with the answers (SEP-2322, "MRTR"). So a modern
// call runs detached from its HTTP request; when the guest asks for input,
// the call is parked (the guest stays blocked in the host function), the
// handler returns an input_required result whose requestState names the
// parked call, and the client's retry hands the answer to the guest, which
// carries on. See RATIONALE.md, "Why are modern calls parked for input?".

// parkTTL bounds how long a parked call waits for the client's retry.
const parkTTL = 2 * time.Minute

// lot holds the parked calls of one server.
type lot struct {
	key   []byte // signs requestState tokens
	seq   atomic.Uint64
	mu    sync.Mutex
	calls map[string]*parked
}

func newLot() *lot {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("BUG: crypto/rand: " + err.Error())
	}
	return &lot{key: key, calls: map[string]*parked{}}
}

// parked is one detached modern call.
type parked struct {
	id     string
	cancel context.CancelFunc
	events chan parkEvent // from the call to whichever handler waits

	mu      sync.Mutex
	current context.Context // the request now waiting on the call (for notifications)
	pending *inputAsk       // the question the client must answer on retry
	asks    int
	missing string // a client capability the guest needed but the client lacks
}

type parkEvent struct {
	ask *inputAsk // the guest asks the client for input
	raw []byte    // or the call finished
	err error
}

type inputAsk struct {
	key   string
	req   mcp.InputRequest
	reply chan askReply
}

type askReply struct {
	raw json.RawMessage
	err error
}

// token returns the requestState for a parked call: its id and an HMAC, so
// a client cannot resume, or forge, someone else's call.
func (l *lot) token(id string) string {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(id))
	return "th1." + id + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var errBadState = errors.New("requestState is invalid, tampered with or expired: call the tool again without it")

// resume returns the parked call a requestState names.
func (l *lot) resume(state string) (*parked, error) {
	parts := strings.Split(state, ".")
	if len(parts) != 3 || parts[0] != "th1" || !hmac.Equal([]byte(l.token(parts[1])), []byte(state)) {
		return nil, errBadState
	}
	l.mu.Lock()
	pc := l.calls[parts[1]]
	l.mu.Unlock()
	if pc == nil {
		return nil, errBadState
	}
	return pc, nil
}

func (l *lot) remove(pc *parked) {
	l.mu.Lock()
	delete(l.calls, pc.id)
	l.mu.Unlock()
	pc.cancel()
}

// runModern runs a plugin operation for a stateless request, parking it
// whenever the guest needs client input. It returns either the operation's
// result (raw, err) or, with input != nil, an input_required answer.
func (s *Server) runModern(ctx context.Context, p *plugin.Plugin, meta *mcp.Meta, mrtr mcp.MultiRoundTripParams,
	op func(context.Context, plugin.Request) ([]byte, error)) (raw []byte, input *mcp.MultiRoundTripResult, err error) {
	var pc *parked
	if mrtr.RequestState != "" {
		if pc, err = s.lot.resume(mrtr.RequestState); err != nil {
			return nil, nil, err
		}
		pc.mu.Lock()
		ask := pc.pending
		pc.pending = nil
		pc.current = ctx
		pc.mu.Unlock()
		if ask == nil {
			return nil, nil, errBadState
		}
		resp, ok := mrtr.InputResponses[ask.key]
		if !ok {
			ask.reply <- askReply{err: fmt.Errorf("the client answered without %q", ask.key)}
		} else {
			b, err := json.Marshal(resp)
			ask.reply <- askReply{raw: b, err: err}
		}
	} else {
		id := fmt.Sprintf("%x", s.lot.seq.Add(1))
		callCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		pc = &parked{id: id, cancel: cancel, events: make(chan parkEvent, 1), current: ctx}
		s.lot.mu.Lock()
		s.lot.calls[id] = pc
		s.lot.mu.Unlock()
		req := s.request(ctx, p, meta)
		req.Peer = &modernPeer{peer: req.Peer.(*peer), pc: pc}
		go func() {
			raw, err := op(callCtx, req)
			pc.events <- parkEvent{raw: raw, err: err}
		}()
	}
	select {
	case ev := <-pc.events:
		if ev.ask == nil {
			s.lot.remove(pc)
			pc.mu.Lock()
			missing := pc.missing
			pc.mu.Unlock()
			if missing != "" {
				return nil, nil, mcp.MissingRequiredClientCapabilityError{Capability: missing}
			}
			return ev.raw, nil, ev.err
		}
		pc.mu.Lock()
		pc.pending = ev.ask
		pc.mu.Unlock()
		// Without a retry in time, the guest's question is answered with
		// an error (it declines) and the call ends.
		time.AfterFunc(parkTTL, func() {
			pc.mu.Lock()
			stale := pc.pending == ev.ask
			pc.mu.Unlock()
			if stale {
				s.lot.remove(pc)
			}
		})
		return nil, &mcp.MultiRoundTripResult{
			InputRequests: mcp.InputRequests{ev.ask.key: ev.ask.req},
			RequestState:  s.lot.token(pc.id),
		}, nil
	case <-ctx.Done():
		// The client closed the stream: in the 2026-07-28 era that is the
		// cancellation. Stop the guest and report how the call ended.
		s.lot.remove(pc)
		timeout := time.After(5 * time.Second)
		for {
			select {
			case ev := <-pc.events:
				if ev.ask != nil {
					continue
				}
				if ev.err != nil {
					return nil, nil, ev.err
				}
				return nil, nil, ctx.Err()
			case <-timeout:
				return nil, nil, ctx.Err()
			}
		}
	}
}

// modernPeer is the Peer of a parked call: notifications go to whichever
// request currently waits on the call, and questions to the client become
// input requests.
type modernPeer struct {
	*peer
	pc *parked
}

func (m *modernPeer) now() context.Context {
	m.pc.mu.Lock()
	defer m.pc.mu.Unlock()
	return m.pc.current
}

func (m *modernPeer) Progress(_ context.Context, progress float64, total *float64, message string) {
	m.peer.Progress(m.now(), progress, total, message)
}

func (m *modernPeer) Log(_ context.Context, level, logger string, data json.RawMessage) {
	m.peer.Log(m.now(), level, logger, data)
}

func (m *modernPeer) Elicit(ctx context.Context, params json.RawMessage) (json.RawMessage, error) {
	var ep mcp.ElicitationParams
	if err := json.Unmarshal(params, &ep); err != nil {
		return nil, fmt.Errorf("invalid elicitation request: %w", err)
	}
	return m.ask(ctx, "elicitation", "elicit", mcp.InputRequest{Method: mcp.MethodElicitationCreate, Elicitation: &ep})
}

func (m *modernPeer) CreateMessage(ctx context.Context, params json.RawMessage) (json.RawMessage, error) {
	var cp mcp.CreateMessageParams
	if err := json.Unmarshal(params, &cp); err != nil {
		return nil, fmt.Errorf("invalid sampling request: %w", err)
	}
	return m.ask(ctx, "sampling", "sample", mcp.InputRequest{Method: mcp.MethodSamplingCreateMessage, Sampling: &cp})
}

func (m *modernPeer) ListRoots(ctx context.Context) (json.RawMessage, error) {
	return m.ask(ctx, "roots", "roots", mcp.InputRequest{Method: mcp.MethodListRoots, Roots: &mcp.ListRootsParams{}})
}

// ask parks the call with one input request and waits for the client's
// answer (the retry), the call's end or parkTTL.
func (m *modernPeer) ask(ctx context.Context, capability, prefix string, req mcp.InputRequest) (json.RawMessage, error) {
	if !clientDeclared(m.now(), capability) {
		m.pc.mu.Lock()
		if m.pc.missing == "" {
			m.pc.missing = capability
		}
		m.pc.mu.Unlock()
		return nil, fmt.Errorf("the client did not declare the %s capability", capability)
	}
	m.pc.mu.Lock()
	m.pc.asks++
	a := &inputAsk{key: fmt.Sprintf("%s-%d", prefix, m.pc.asks), req: req, reply: make(chan askReply, 1)}
	m.pc.mu.Unlock()
	select {
	case m.pc.events <- parkEvent{ask: a}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	timer := time.NewTimer(parkTTL)
	defer timer.Stop()
	select {
	case r := <-a.reply:
		return r.raw, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
		return nil, errors.New("the client did not answer in time")
	}
}

// clientDeclared reports whether a modern request declared a client
// capability ("elicitation", "sampling" or "roots").
func clientDeclared(ctx context.Context, capability string) bool {
	info := server.RequestProtocolInfoFromContext(ctx)
	if info == nil || info.ClientCapabilities == nil {
		return false
	}
	c := info.ClientCapabilities
	switch capability {
	case "elicitation":
		return c.Elicitation != nil
	case "sampling":
		return c.Sampling != nil
	case "roots":
		return c.Roots != nil
	}
	return false
}
