package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/mark3labs/mcp-go/server"
)

// eventStore is a bounded server.EventStore: it keeps the last maxEvents
// events of each legacy session (for SSE resumption with Last-Event-ID)
// and forgets older ones, so a long session cannot grow the host's memory
// without limit. mcp-go's InMemoryEventStore keeps every event of a session
// until it ends.
//
// Configuring an event store also makes mcp-go deliver a request's last
// notification reliably on legacy sessions; see RATIONALE.md, "Why is
// every progress notification delivered?".
type eventStore struct {
	maxEvents int

	mu       sync.Mutex
	seq      int64
	sessions map[string]*eventLog
}

type eventLog struct {
	events []storedEvent // oldest first, at most maxEvents
}

type storedEvent struct {
	id       int64
	streamID string
	message  json.RawMessage
}

func newEventStore(maxEvents int) *eventStore {
	return &eventStore{maxEvents: maxEvents, sessions: map[string]*eventLog{}}
}

var _ server.EventStore = (*eventStore)(nil)

func (s *eventStore) StoreEvent(_ context.Context, sessionID, streamID string, message json.RawMessage) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	log := s.sessions[sessionID]
	if log == nil {
		log = &eventLog{}
		s.sessions[sessionID] = log
	}
	s.seq++
	if len(log.events) >= s.maxEvents {
		n := copy(log.events, log.events[len(log.events)-s.maxEvents+1:])
		log.events = log.events[:n]
	}
	log.events = append(log.events, storedEvent{id: s.seq, streamID: streamID, message: append(json.RawMessage(nil), message...)})
	return strconv.FormatInt(s.seq, 10), nil
}

// ReplayEventsAfter sends the events of lastEventID's stream that follow it.
// An id that was never issued, or was already forgotten, is
// server.ErrUnknownEventID: the client must start over.
func (s *eventStore) ReplayEventsAfter(ctx context.Context, sessionID, lastEventID string, send func(eventID string, message json.RawMessage) error) (string, error) {
	id, err := strconv.ParseInt(lastEventID, 10, 64)
	if err != nil {
		return "", fmt.Errorf("%w: %q", server.ErrUnknownEventID, lastEventID)
	}
	s.mu.Lock()
	log := s.sessions[sessionID]
	var stream string
	var after []storedEvent
	if log != nil {
		for i, e := range log.events {
			if e.id == id {
				stream = e.streamID
				for _, f := range log.events[i+1:] {
					if f.streamID == stream {
						after = append(after, f)
					}
				}
				break
			}
		}
	}
	s.mu.Unlock()
	if stream == "" {
		return "", fmt.Errorf("%w: %q", server.ErrUnknownEventID, lastEventID)
	}
	for _, e := range after {
		if err := ctx.Err(); err != nil {
			return stream, err
		}
		if err := send(strconv.FormatInt(e.id, 10), e.message); err != nil {
			return stream, err
		}
	}
	return stream, nil
}

func (s *eventStore) PurgeSession(_ context.Context, sessionID string) error {
	s.mu.Lock()
	delete(s.sessions, sessionID)
	s.mu.Unlock()
	return nil
}
