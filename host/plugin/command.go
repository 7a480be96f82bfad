package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/toolhost/toolhost/host/abi"
	"github.com/toolhost/toolhost/host/config"
)

// command runs a plain WASI command module as a plugin (abi.Command): every
// call instantiates the module, which runs _start with the request on stdin
// and writes the answer to stdout. Commands cannot be re-entered, so there
// is no pool; state does not survive between calls. They have no Extism
// kernel, hence no host functions and no HTTP; files come through the same
// os.Root mounts as other plugins.
type command struct {
	rt  wazero.Runtime
	mod wazero.CompiledModule
}

func newCommand(ctx context.Context, cache wazero.CompilationCache, rt config.Runtime, wasm []byte) (*command, error) {
	rc := wazero.NewRuntimeConfig().WithCompilationCache(cache).WithCloseOnContextDone(true)
	if rt.MemoryLimit > 0 {
		rc = rc.WithMemoryLimitPages(rt.MemoryLimit.Pages())
	}
	r := wazero.NewRuntimeWithConfig(ctx, rc)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, r); err != nil {
		r.Close(ctx)
		return nil, err
	}
	mod, err := r.CompileModule(ctx, wasm)
	if err != nil {
		r.Close(ctx)
		return nil, err
	}
	return &command{rt: r, mod: mod}, nil
}

func (c *command) close(ctx context.Context) error { return c.rt.Close(ctx) }

// invokeCommand runs one call of a command plugin.
func (p *Plugin) invokeCommand(ctx context.Context, export, tool string, input []byte) ([]byte, error) {
	cerr := func(kind ErrorKind, msg string, err error) error {
		return &CallError{Plugin: p.name, Export: export, Tool: tool, Kind: kind, Msg: msg, Err: err}
	}
	stdin, err := abi.CommandInput(export, input)
	if err != nil {
		return nil, cerr(BadOutput, err.Error(), err)
	}
	limit := int(p.cfg.Runtime.MaxOutput)
	stdout := &cappedBuffer{max: limit}
	stderr := &cappedBuffer{max: 4 << 10}
	// WASI sleeps end with the call: wazero's own nanosleep is a plain
	// time.Sleep that closing on context done cannot interrupt.
	mc := p.moduleConfig.WithName("").WithArgs(p.name).
		WithStdin(bytes.NewReader(stdin)).WithStdout(stdout).WithStderr(stderr).
		WithNanosleep(func(ns int64) { sleepCtx(ctx, ns) })
	m, err := p.cmd.rt.InstantiateModule(ctx, p.cmd.mod, mc)
	if m != nil {
		m.Close(context.Background())
	}
	var exit *sys.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return nil, cerr(Timeout, fmt.Sprintf("stopped after runtime_config.timeout (%s); raise it if the tool needs longer", p.cfg.Runtime.Timeout), ctx.Err())
	case ctx.Err() != nil:
		return nil, cerr(Canceled, "cancelled by the client", ctx.Err())
	case errors.As(err, &exit) && exit.ExitCode() != 0:
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = "no message on stderr"
		}
		return nil, cerr(GuestError, fmt.Sprintf("the plugin exited with status %d: %s", exit.ExitCode(), sanitize(msg)), err)
	case err != nil && !errors.As(err, &exit):
		return nil, cerr(Trap, "the plugin crashed (wasm trap): "+sanitize(err.Error()), err)
	case stdout.overflow:
		return nil, cerr(OutputTooLarge, fmt.Sprintf("output exceeds runtime_config.max_output (%s)", p.cfg.Runtime.MaxOutput), nil)
	}
	if stderr.Len() > 0 {
		p.log.Debug("command plugin stderr", "export", export, "text", stderr.String())
	}
	return stdout.Bytes(), nil
}

// cappedBuffer keeps at most max bytes (0 = no limit) and notes overflow,
// so a flooding guest cannot grow the host's memory.
type cappedBuffer struct {
	bytes.Buffer
	max      int
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.max > 0 && b.Len()+len(p) > b.max {
		b.overflow = true
		p = p[:max(b.max-b.Len(), 0)]
	}
	b.Buffer.Write(p)
	return len(p), nil
}

// sleepCtx sleeps ns nanoseconds or until ctx is done.
func sleepCtx(ctx context.Context, ns int64) {
	if ns <= 0 {
		return
	}
	t := time.NewTimer(time.Duration(ns))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
