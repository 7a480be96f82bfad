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
	"strconv"
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
	pending *inputAsk       // the questions the client must answer on retry
	round   int             // how many times the call parked
	asks    int
	missing string // a client capability the guest needed but the client lacks
}

type parkEvent struct {
	ask *inputAsk // the guest asks the client for input
	raw []byte    // or the call finished
	err error
}

type inputAsk struct {
	reqs  mcp.InputRequests
	reply chan askReply
}

type askReply struct {
	raw map[string]json.RawMessage
	err error
}

// maxParked caps the calls waiting for client input at once, server-wide:
// each holds a plugin instance, and a client that never retries must not
// exhaust them.
const maxParked = 64

func (l *lot) parkedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.calls)
}

// closeAll cancels every parked call (the server is shutting down).
func (l *lot) closeAll() {
	l.mu.Lock()
	calls := l.calls
	l.calls = map[string]*parked{}
	l.mu.Unlock()
	for _, pc := range calls {
		pc.cancel()
	}
}

// token returns the requestState for a parked call's round: its id, the
// round and an HMAC, so a client can neither forge a state nor replay an
// earlier round's.
func (l *lot) token(id string, round int) string {
	body := id + "." + strconv.Itoa(round)
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(body))
	return "th1." + body + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var errBadState = errors.New("requestState is invalid, tampered with or expired: call the tool again without it")

// resume returns the parked call a requestState names.
func (l *lot) resume(state string) (*parked, error) {
	parts := strings.Split(state, ".")
	if len(parts) != 4 || parts[0] != "th1" {
		return nil, errBadState
	}
	round, err := strconv.Atoi(parts[2])
	if err != nil || !hmac.Equal([]byte(l.token(parts[1], round)), []byte(state)) {
		return nil, errBadState
	}
	l.mu.Lock()
	pc := l.calls[parts[1]]
	l.mu.Unlock()
	if pc == nil {
		return nil, errBadState
	}
	pc.mu.Lock()
	current := pc.round
	pc.mu.Unlock()
	if round != current {
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
		answers := map[string]json.RawMessage{}
		var missing []string
		for key := range ask.reqs {
			resp, ok := mrtr.InputResponses[key]
			if !ok {
				missing = append(missing, key)
				continue
			}
			b, err := json.Marshal(resp)
			if err != nil {
				missing = append(missing, key)
				continue
			}
			answers[key] = b
		}
		if len(missing) > 0 {
			ask.reply <- askReply{err: fmt.Errorf("the client's retry did not answer %v", missing)}
		} else {
			ask.reply <- askReply{raw: answers}
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
				missingCapability(ctx, missing)
				return nil, nil, mcp.MissingRequiredClientCapabilityError{Capability: missing}
			}
			return ev.raw, nil, ev.err
		}
		pc.mu.Lock()
		pc.pending = ev.ask
		pc.round++
		round := pc.round
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
			InputRequests: ev.ask.reqs,
			RequestState:  s.lot.token(pc.id, round),
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
	return m.askOne(ctx, "elicit", plugin.InputRequest{Method: plugin.MethodElicit, Params: params})
}

func (m *modernPeer) CreateMessage(ctx context.Context, params json.RawMessage) (json.RawMessage, error) {
	return m.askOne(ctx, "sample", plugin.InputRequest{Method: plugin.MethodSample, Params: params})
}

func (m *modernPeer) ListRoots(ctx context.Context) (json.RawMessage, error) {
	return m.askOne(ctx, "roots", plugin.InputRequest{Method: plugin.MethodRoots})
}

// askOne asks one question of a hyper-mcp host function, under a key of
// the host's choosing.
func (m *modernPeer) askOne(ctx context.Context, prefix string, req plugin.InputRequest) (json.RawMessage, error) {
	m.pc.mu.Lock()
	m.pc.asks++
	key := fmt.Sprintf("%s-%d", prefix, m.pc.asks)
	m.pc.mu.Unlock()
	answers, err := m.Ask(ctx, map[string]plugin.InputRequest{key: req})
	if err != nil {
		return nil, err
	}
	return answers[key], nil
}

// Ask parks the call with the guest's questions, all in one round, and
// waits for the client's retry, the call's end or parkTTL.
func (m *modernPeer) Ask(ctx context.Context, requests map[string]plugin.InputRequest) (map[string]json.RawMessage, error) {
	reqs := mcp.InputRequests{}
	for key, r := range requests {
		ir, capability, err := toInputRequest(r)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", key, err)
		}
		if !clientDeclared(m.now(), capability) {
			m.pc.mu.Lock()
			if m.pc.missing == "" {
				m.pc.missing = capability
			}
			m.pc.mu.Unlock()
			return nil, fmt.Errorf("the client did not declare the %s capability", capability)
		}
		reqs[key] = ir
	}
	if m.s.lot.parkedCount() > maxParked {
		return nil, fmt.Errorf("too many calls (%d) are waiting for client input; try again later", maxParked)
	}
	a := &inputAsk{reqs: reqs, reply: make(chan askReply, 1)}
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

// toInputRequest converts a guest's question to mcp-go's form and names
// the client capability it needs.
func toInputRequest(r plugin.InputRequest) (mcp.InputRequest, string, error) {
	switch r.Method {
	case plugin.MethodElicit:
		var p mcp.ElicitationParams
		if err := json.Unmarshal(r.Params, &p); err != nil {
			return mcp.InputRequest{}, "", fmt.Errorf("invalid elicitation request: %w", err)
		}
		return mcp.InputRequest{Method: mcp.MethodElicitationCreate, Elicitation: &p}, "elicitation", nil
	case plugin.MethodSample:
		var p mcp.CreateMessageParams
		if err := json.Unmarshal(r.Params, &p); err != nil {
			return mcp.InputRequest{}, "", fmt.Errorf("invalid sampling request: %w", err)
		}
		return mcp.InputRequest{Method: mcp.MethodSamplingCreateMessage, Sampling: &p}, "sampling", nil
	case plugin.MethodRoots:
		return mcp.InputRequest{Method: mcp.MethodListRoots, Roots: &mcp.ListRootsParams{}}, "roots", nil
	}
	return mcp.InputRequest{}, "", fmt.Errorf("unsupported input method %q", r.Method)
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
