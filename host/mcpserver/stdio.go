package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sync"
)

// stdioDrain holds back the end of the stdio input until every request
// read so far has been answered (or cancelled by the client). mcp-go
// cancels the calls in flight when its input ends, so a client that writes
// its requests and closes stdin (a pipe, a script) would lose their
// results; a tool compiled on its first call makes that likely.
//
// It watches the JSON-RPC traffic line by line: a request (method and id)
// read from the client is pending until a response with its id (no
// method) is written, or a notifications/cancelled names it. Lines that do
// not parse are not counted: the server answers what it can parse.
type stdioDrain struct {
	ctx context.Context

	mu      sync.Mutex
	changed chan struct{} // closed and replaced when pending shrinks
	pending map[string]int
	inLine  []byte
	outLine []byte
}

func newStdioDrain(ctx context.Context) *stdioDrain {
	return &stdioDrain{ctx: ctx, changed: make(chan struct{}), pending: map[string]int{}}
}

// maxTrackedLine bounds the partial line kept per direction; a longer line
// is not tracked (its request, if any, is not waited for).
const maxTrackedLine = 16 << 20

// reader wraps the client's input.
func (d *stdioDrain) reader(in io.Reader) io.Reader { return drainReader{d, in} }

// writer wraps the server's output.
func (d *stdioDrain) writer(out io.Writer) io.Writer { return drainWriter{d, out} }

type drainReader struct {
	d  *stdioDrain
	in io.Reader
}

func (r drainReader) Read(p []byte) (int, error) {
	n, err := r.in.Read(p)
	r.d.scan(&r.d.inLine, p[:n], r.d.sawInput)
	if err == io.EOF {
		r.d.wait()
	}
	return n, err
}

type drainWriter struct {
	d   *stdioDrain
	out io.Writer
}

func (w drainWriter) Write(p []byte) (int, error) {
	n, err := w.out.Write(p)
	w.d.scan(&w.d.outLine, p[:n], w.d.sawOutput)
	return n, err
}

// scan splits b into lines (keeping a partial one in *line) and passes each
// complete line to see.
func (d *stdioDrain) scan(line *[]byte, b []byte, see func([]byte)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if len(*line)+len(b) <= maxTrackedLine {
				*line = append(*line, b...)
			} else {
				*line = (*line)[:0]
			}
			return
		}
		if len(*line) == 0 {
			see(b[:i])
		} else {
			*line = append(*line, b[:i]...)
			see(*line)
			*line = (*line)[:0]
		}
		b = b[i+1:]
	}
}

// message is what the drain reads of a JSON-RPC message.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		RequestID json.RawMessage `json:"requestId"`
	} `json:"params"`
}

func messages(line []byte) []message {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil
	}
	if line[0] == '[' {
		var batch []message
		if json.Unmarshal(line, &batch) != nil {
			return nil
		}
		return batch
	}
	var m message
	if json.Unmarshal(line, &m) != nil {
		return nil
	}
	return []message{m}
}

// idKey normalises an id for matching ("1" and 1 stay different, as in
// JSON-RPC); "" means none.
func idKey(id json.RawMessage) string {
	var buf bytes.Buffer
	if len(id) == 0 || json.Compact(&buf, id) != nil || buf.String() == "null" {
		return ""
	}
	return buf.String()
}

func (d *stdioDrain) sawInput(line []byte) {
	for _, m := range messages(line) {
		switch {
		case m.Method == "notifications/cancelled":
			d.done(idKey(m.Params.RequestID))
		case m.Method != "" && idKey(m.ID) != "":
			d.pending[idKey(m.ID)]++
		}
	}
}

func (d *stdioDrain) sawOutput(line []byte) {
	for _, m := range messages(line) {
		if m.Method == "" {
			d.done(idKey(m.ID))
		}
	}
}

// done marks one request with id answered. Called with mu held.
func (d *stdioDrain) done(id string) {
	if id == "" || d.pending[id] == 0 {
		return
	}
	if d.pending[id]--; d.pending[id] == 0 {
		delete(d.pending, id)
	}
	close(d.changed)
	d.changed = make(chan struct{})
}

// wait returns once no request is pending, or the context ends.
func (d *stdioDrain) wait() {
	for {
		d.mu.Lock()
		n, changed := len(d.pending), d.changed
		d.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-changed:
		case <-d.ctx.Done():
			return
		}
	}
}
