package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/toolhost/toolhost/host/abi"
	"github.com/toolhost/toolhost/host/plugin"
)

// Options configure a Server.
type Options struct {
	Name         string // server name reported to clients; default "toolhost"
	Version      string // server version; default "dev"
	Instructions string
	Logger       *slog.Logger // nil discards
}

// A Server is an MCP server over a set of plugins.
type Server struct {
	mcp  *server.MCPServer
	log  *slog.Logger
	opts Options

	mu        sync.RWMutex
	plugins   []*plugin.Plugin
	tools     map[string]entry // exposed name -> owner
	prompts   map[string]entry
	resources map[string]entry // exposed URI -> owner
	templates map[string]entry // exposed URI template -> owner

	deliveries sync.Map // session id -> *delivery (legacy sessions)
	lot        *lot     // stateless calls parked for client input

	subsMu  sync.Mutex
	subs    map[string]map[string]bool // session id -> subscribed exposed URIs
	callSeq atomic.Int64
}

// entry records which plugin owns an exposed name and its local name.
type entry struct {
	plugin   *plugin.Plugin
	local    string
	template *server.ServerResourceTemplate // for templates only
}

// New returns a Server with no plugins.
func New(opts Options) *Server {
	if opts.Name == "" {
		opts.Name = "toolhost"
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	s := &Server{
		log: opts.Logger, opts: opts,
		tools: map[string]entry{}, prompts: map[string]entry{},
		resources: map[string]entry{}, templates: map[string]entry{},
		subs: map[string]map[string]bool{},
		lot:  newLot(),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	hooks := &server.Hooks{}
	hooks.AddAfterSubscribe(s.subscribe)
	hooks.AddAfterUnsubscribe(s.unsubscribe)
	hooks.AddOnUnregisterSession(func(_ context.Context, cs server.ClientSession) {
		s.deliveries.Delete(cs.SessionID())
		s.subsMu.Lock()
		delete(s.subs, cs.SessionID())
		s.subsMu.Unlock()
		s.mu.RLock()
		plugins := s.plugins
		s.mu.RUnlock()
		for _, p := range plugins {
			p.EndSession(cs.SessionID())
		}
	})
	mopts := []server.ServerOption{
		server.WithToolCapabilities(true),
		server.WithPromptCapabilities(true),
		server.WithResourceCapabilities(true, true),
		server.WithCompletions(),
		server.WithLogging(),
		server.WithHooks(hooks),
		server.WithRecovery(),
		server.WithResourceRecovery(),
		server.WithInputSchemaValidation(),
		server.WithPromptCompletionProvider(completer{s}),
		server.WithResourceCompletionProvider(completer{s}),
		server.WithLogger(s.log),
		// 2026-07-28 caching hints. Lists can change at any time
		// (list_changed), so clients may reuse them only briefly; reads
		// depend on the session's instance, so they are private.
		server.WithCacheHints(5000, mcp.CacheScopePublic),
		server.WithMethodCacheHints(mcp.MethodResourcesRead, 0, mcp.CacheScopePrivate),
	}
	if opts.Instructions != "" {
		mopts = append(mopts, server.WithInstructions(opts.Instructions))
	}
	s.mcp = server.NewMCPServer(opts.Name, opts.Version, mopts...)
	// No WithElicitation, WithRoots or EnableSampling: in mcp-go they only
	// advertise those client capabilities as the server's own.
	s.mcp.AddNotificationHandler(string(mcp.MethodNotificationRootsListChanged), s.rootsChanged)
	return s
}

// SetPlugins exposes the catalogs of plugins. It fails, exposing nothing,
// when two plugins expose the same name or a name does not fit clients.
func (s *Server) SetPlugins(plugins []*plugin.Plugin) error {
	tools, prompts, resources, templates := map[string]entry{}, map[string]entry{}, map[string]entry{}, map[string]entry{}
	var serverTools []server.ServerTool
	var serverPrompts []server.ServerPrompt
	var serverResources []server.ServerResource
	var serverTemplates []server.ServerResourceTemplate
	var errs []error
	for _, p := range plugins {
		set, err := s.build(p, tools, prompts, resources, templates)
		errs = append(errs, err...)
		serverTools = append(serverTools, set.tools...)
		serverPrompts = append(serverPrompts, set.prompts...)
		serverResources = append(serverResources, set.resources...)
		serverTemplates = append(serverTemplates, set.templates...)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	s.mu.Lock()
	s.plugins = plugins
	s.tools, s.prompts, s.resources, s.templates = tools, prompts, resources, templates
	s.mu.Unlock()
	s.mcp.SetTools(serverTools...)
	s.mcp.SetPrompts(serverPrompts...)
	s.mcp.SetResources(serverResources...)
	s.mcp.SetResourceTemplates(serverTemplates...)
	return nil
}

type itemSet struct {
	tools     []server.ServerTool
	prompts   []server.ServerPrompt
	resources []server.ServerResource
	templates []server.ServerResourceTemplate
}

// build turns a plugin's catalog into MCP items, recording owners in the
// given maps. Errors name the plugin, the item and the key to change.
func (s *Server) build(p *plugin.Plugin, tools, prompts, resources, templates map[string]entry) (itemSet, []error) {
	var set itemSet
	var errs []error
	c := p.Catalog()
	prefix := p.Prefix()
	clash := func(kind, name string, other entry) error {
		return fmt.Errorf("plugin[%s] %s %q is already exposed by plugin[%s]: set runtime_config.prefix on one of them, or hide one with skip_%ss",
			p.Name(), kind, name, other.plugin.Name(), kind)
	}
	for _, t := range c.Tools {
		name, err := abi.QualifiedName(prefix, t.Name)
		if err != nil {
			errs = append(errs, fmt.Errorf("plugin[%s] tool %q: %w", p.Name(), t.Name, err))
			continue
		}
		if other, ok := tools[name]; ok {
			errs = append(errs, clash("tool", name, other))
			continue
		}
		tools[name] = entry{plugin: p, local: t.Name}
		set.tools = append(set.tools, server.ServerTool{Tool: mcpTool(name, t), Handler: s.toolHandler(p, t.Name)})
	}
	for _, pr := range c.Prompts {
		name, err := abi.QualifiedName(prefix, pr.Name)
		if err != nil {
			errs = append(errs, fmt.Errorf("plugin[%s] prompt %q: %w", p.Name(), pr.Name, err))
			continue
		}
		if other, ok := prompts[name]; ok {
			errs = append(errs, clash("prompt", name, other))
			continue
		}
		prompts[name] = entry{plugin: p, local: pr.Name}
		set.prompts = append(set.prompts, server.ServerPrompt{Prompt: mcpPrompt(name, pr), Handler: s.promptHandler(p, pr.Name)})
	}
	for _, r := range c.Resources {
		uri, _ := abi.NamespaceURI(prefix, r.URI)
		if other, ok := resources[uri]; ok {
			errs = append(errs, clash("resource", uri, other))
			continue
		}
		resources[uri] = entry{plugin: p, local: r.URI}
		set.resources = append(set.resources, server.ServerResource{Resource: mcpResource(uri, r), Handler: s.resourceHandler(p, r.URI)})
	}
	for _, t := range c.Templates {
		uri, _ := abi.NamespaceURI(prefix, t.URITemplate)
		if other, ok := templates[uri]; ok {
			errs = append(errs, clash("resource_template", uri, other))
			continue
		}
		tmpl, err := mcpTemplate(uri, t)
		if err != nil {
			errs = append(errs, fmt.Errorf("plugin[%s] resource template %q: %w", p.Name(), t.URITemplate, err))
			continue
		}
		item := server.ServerResourceTemplate{Template: tmpl, Handler: s.templateHandler(p)}
		templates[uri] = entry{p, t.URITemplate, &item}
		set.templates = append(set.templates, item)
	}
	return set, errs
}

// CatalogChanged is the plugin.Options.OnCatalogChange hook: it re-exposes
// a plugin whose catalog changed at run time. mcp-go then sends
// list_changed to legacy sessions and to modern listen streams that asked.
// Items that would clash are skipped with a warning (at run time there is
// no operator to tell).
func (s *Server) CatalogChanged(p *plugin.Plugin, changed plugin.Lists) {
	s.mu.Lock()
	defer s.mu.Unlock()
	drop := func(m map[string]entry) []string {
		var names []string
		for k, e := range m {
			if e.plugin == p {
				names = append(names, k)
				delete(m, k)
			}
		}
		return names
	}
	oldTools, oldPrompts, oldResources, oldTemplates := drop(s.tools), drop(s.prompts), drop(s.resources), drop(s.templates)
	set, errs := s.build(p, s.tools, s.prompts, s.resources, s.templates)
	for _, err := range errs {
		s.log.Warn("plugin catalog change: item not exposed", "error", err)
	}
	// Replace only what changed, so clients see one list_changed per kind.
	if len(oldTools) > 0 {
		s.mcp.DeleteTools(oldTools...)
	}
	if len(set.tools) > 0 {
		s.mcp.AddTools(set.tools...)
	}
	if changed&plugin.PromptsChanged != 0 || len(oldPrompts) != len(set.prompts) {
		if len(oldPrompts) > 0 {
			s.mcp.DeletePrompts(oldPrompts...)
		}
		if len(set.prompts) > 0 {
			s.mcp.AddPrompts(set.prompts...)
		}
	}
	if changed&plugin.ResourcesChanged != 0 || len(oldResources) != len(set.resources) || len(oldTemplates) != len(set.templates) {
		if len(oldResources) > 0 {
			s.mcp.DeleteResources(oldResources...)
		}
		if len(set.resources) > 0 {
			s.mcp.AddResources(set.resources...)
		}
		// mcp-go has no DeleteResourceTemplates: set the whole list again.
		all := make([]server.ServerResourceTemplate, 0, len(s.templates))
		for _, e := range s.templates {
			all = append(all, *e.template)
		}
		s.mcp.SetResourceTemplates(all...)
	}
	s.log.Info("plugin catalog changed", "plugin", p.Name(), "tools", len(set.tools), "prompts", len(set.prompts), "resources", len(set.resources))
}

// request builds the plugin.Request of one MCP request.
func (s *Server) request(ctx context.Context, p *plugin.Plugin, meta *mcp.Meta) plugin.Request {
	r := plugin.Request{Session: sessionID(ctx), ID: s.callSeq.Add(1)}
	var token mcp.ProgressToken
	if meta != nil {
		token = meta.ProgressToken
		if b, err := json.Marshal(meta); err == nil {
			_ = json.Unmarshal(b, &r.Meta)
		}
	}
	r.Peer = &peer{s: s, plugin: p, token: token}
	return r
}

// sessionID is the MCP session a request belongs to, or "" for the
// stateless 2026-07-28 era, which has no session: its calls use the pool.
func sessionID(ctx context.Context) string {
	if server.IsModernRequest(ctx) {
		return ""
	}
	if cs := server.ClientSessionFromContext(ctx); cs != nil {
		return cs.SessionID()
	}
	return ""
}

func (s *Server) toolHandler(p *plugin.Plugin, local string) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args := req.Params.RawArguments
		if len(args) == 0 {
			var err error
			if args, err = json.Marshal(req.Params.Arguments); err != nil {
				return mcp.NewToolResultError("arguments are not JSON: " + err.Error()), nil
			}
		}
		start := time.Now()
		op := func(ctx context.Context, preq plugin.Request) ([]byte, error) {
			return p.CallTool(ctx, preq, local, args)
		}
		raw, input, err := s.run(ctx, p, req.Params.Meta, req.Params.MultiRoundTripParams, op)
		attrs := []any{"plugin", p.Name(), "tool", local, "session", sessionID(ctx), "elapsed", time.Since(start).Round(time.Microsecond)}
		switch {
		case input != nil:
			s.log.Info("tool call needs client input", append(attrs, "requests", len(input.InputRequests))...)
			return &mcp.CallToolResult{Result: mcp.Result{ResultType: mcp.ResultTypeInputRequired}, MultiRoundTripResult: *input}, nil
		case err != nil && plugin.KindOf(err) == 0:
			// Not a plugin failure: a protocol problem (a bad requestState,
			// a missing client capability) is a JSON-RPC error.
			s.log.Warn("tool call refused", append(attrs, "error", err.Error())...)
			return nil, err
		case err != nil:
			s.log.Warn("tool call failed", append(attrs, "outcome", plugin.KindOf(err).String(), "error", err.Error())...)
			return mcp.NewToolResultError(err.Error()), nil
		}
		res, err := callToolResult(raw)
		if err != nil {
			s.log.Warn("tool call failed", append(attrs, "outcome", "bad output", "error", err.Error())...)
			return mcp.NewToolResultError(fmt.Sprintf("plugin[%s] tool[%s]: the plugin returned a result the server cannot decode: %v", p.Name(), local, err)), nil
		}
		outcome := "ok"
		if res.IsError {
			outcome = "tool error"
		}
		s.log.Info("tool call", append(attrs, "outcome", outcome)...)
		return res, nil
	}
}

// run performs a plugin operation for one MCP request: directly for
// legacy requests (whose Peer makes real server-to-client requests), parked
// for client input for stateless ones (see park.go). It holds the result
// until the request's notifications are on the wire.
func (s *Server) run(ctx context.Context, p *plugin.Plugin, meta *mcp.Meta, mrtr mcp.MultiRoundTripParams,
	op func(context.Context, plugin.Request) ([]byte, error)) ([]byte, *mcp.MultiRoundTripResult, error) {
	defer awaitDelivery(ctx)
	if server.IsModernRequest(ctx) {
		return s.runModern(ctx, p, meta, mrtr, op)
	}
	raw, err := op(ctx, s.request(ctx, p, meta))
	return raw, nil, err
}

func (s *Server) promptHandler(p *plugin.Plugin, local string) server.PromptHandlerFunc {
	return func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		op := func(ctx context.Context, preq plugin.Request) ([]byte, error) {
			return p.GetPrompt(ctx, preq, local, req.Params.Arguments)
		}
		raw, input, err := s.run(ctx, p, req.Params.Meta, req.Params.MultiRoundTripParams, op)
		if err != nil {
			return nil, err
		}
		if input != nil {
			return &mcp.GetPromptResult{Result: mcp.Result{ResultType: mcp.ResultTypeInputRequired}, MultiRoundTripResult: *input}, nil
		}
		rm := json.RawMessage(raw)
		return mcp.ParseGetPromptResult(&rm)
	}
}

func (s *Server) resourceHandler(p *plugin.Plugin, local string) server.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		return s.read(ctx, p, local, req)
	}
}

func (s *Server) templateHandler(p *plugin.Plugin) server.ResourceTemplateHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		local, ok := abi.StripURI(p.Prefix(), req.Params.URI)
		if !ok {
			return nil, fmt.Errorf("resource %q does not belong to plugin[%s]", req.Params.URI, p.Name())
		}
		return s.read(ctx, p, local, req)
	}
}

func (s *Server) read(ctx context.Context, p *plugin.Plugin, local string, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	op := func(ctx context.Context, preq plugin.Request) ([]byte, error) {
		return p.ReadResource(ctx, preq, local)
	}
	// Resource handlers can only return contents, so a read whose guest
	// asks for client input is not parked: its questions are declined.
	raw, input, err := s.run(ctx, p, req.Params.Meta, mcp.MultiRoundTripParams{}, op)
	if err != nil {
		return nil, err
	}
	if input != nil {
		return nil, fmt.Errorf("plugin[%s]: reading %q needs client input, which resources/read cannot ask for", p.Name(), req.Params.URI)
	}
	// Contents carry plugin-local URIs; expose them namespaced.
	var res struct {
		Contents []map[string]any `json:"contents"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, err
	}
	for _, c := range res.Contents {
		if u, ok := c["uri"].(string); ok {
			c["uri"], _ = abi.NamespaceURI(p.Prefix(), u)
		}
	}
	b, _ := json.Marshal(res)
	rm := json.RawMessage(b)
	out, err := mcp.ParseReadResourceResult(&rm)
	if err != nil {
		return nil, fmt.Errorf("plugin[%s]: %w", p.Name(), err)
	}
	return out.Contents, nil
}

// rootsChanged forwards notifications/roots/list_changed to every plugin
// that exports on_roots_list_changed, on the session's instances.
func (s *Server) rootsChanged(ctx context.Context, _ mcp.JSONRPCNotification) {
	s.mu.RLock()
	plugins := s.plugins
	s.mu.RUnlock()
	for _, p := range plugins {
		go p.RootsListChanged(context.WithoutCancel(ctx), s.request(ctx, p, nil))
	}
}

type completer struct{ s *Server }

func (c completer) CompletePromptArgument(ctx context.Context, name string, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	c.s.mu.RLock()
	e, ok := c.s.prompts[name]
	c.s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown prompt %q", name)
	}
	return c.complete(ctx, e.plugin, abi.CompletionRef{Type: "prompt", Name: e.local}, arg, cc)
}

func (c completer) CompleteResourceArgument(ctx context.Context, uri string, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	c.s.mu.RLock()
	e, ok := c.s.templates[uri]
	if !ok {
		e, ok = c.s.resources[uri]
	}
	c.s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown resource template %q", uri)
	}
	return c.complete(ctx, e.plugin, abi.CompletionRef{Type: "resource", URI: e.local}, arg, cc)
}

func (c completer) complete(ctx context.Context, p *plugin.Plugin, ref abi.CompletionRef, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	res, err := p.Complete(ctx, c.s.request(ctx, p, nil), ref, arg.Name, arg.Value, cc.Arguments)
	if err != nil {
		return nil, err
	}
	out := &mcp.Completion{Values: res.Values, HasMore: res.HasMore}
	if res.Total != nil {
		out.Total = *res.Total
	}
	return out, nil
}

// notifyResourceUpdated sends notifications/resources/updated to every
// legacy session subscribed to the (exposed) URI.
func (s *Server) notifyResourceUpdated(uri string) {
	s.subsMu.Lock()
	var sessions []string
	for id, uris := range s.subs {
		if uris[uri] {
			sessions = append(sessions, id)
		}
	}
	s.subsMu.Unlock()
	for _, id := range sessions {
		err := s.mcp.SendNotificationToSpecificClient(id, string(mcp.MethodNotificationResourceUpdated), map[string]any{"uri": uri})
		if err != nil {
			s.log.Debug("resource update not delivered", "session", id, "error", err)
		}
	}
}

// subscribe and unsubscribe track resources/subscribe per session: mcp-go
// acknowledges the requests but leaves recording them to the server.
func (s *Server) subscribe(ctx context.Context, _ any, req *mcp.SubscribeRequest, _ *mcp.EmptyResult) {
	cs := server.ClientSessionFromContext(ctx)
	if cs == nil {
		return
	}
	s.subsMu.Lock()
	if s.subs[cs.SessionID()] == nil {
		s.subs[cs.SessionID()] = map[string]bool{}
	}
	s.subs[cs.SessionID()][req.Params.URI] = true
	s.subsMu.Unlock()
}

func (s *Server) unsubscribe(ctx context.Context, _ any, req *mcp.UnsubscribeRequest, _ *mcp.EmptyResult) {
	if cs := server.ClientSessionFromContext(ctx); cs != nil {
		s.subsMu.Lock()
		delete(s.subs[cs.SessionID()], req.Params.URI)
		s.subsMu.Unlock()
	}
}

// HTTPOptions configure the streamable HTTP handler.
type HTTPOptions struct {
	// Path of the MCP endpoint; default "/mcp".
	Path string
	// AllowedOrigins lists browser origins (scheme://host[:port], or "*")
	// allowed besides loopback ones. A request with any other Origin
	// header gets 403.
	AllowedOrigins []string
	// AllowedHosts lists Host header names allowed besides loopback ones
	// (DNS-rebinding protection), e.g. the name a reverse proxy forwards.
	AllowedHosts []string
	// DisableHostCheck accepts any Host header, for a server behind a
	// reverse proxy that checks it.
	DisableHostCheck bool
	// MaxBodyBytes caps a request body; default 4 MiB.
	MaxBodyBytes int64
	// SessionIdleTTL ends legacy sessions idle this long; default 30 min.
	SessionIdleTTL time.Duration
	// MaxResumeEvents is how many SSE events per legacy session are kept
	// for resumption with Last-Event-ID; default 1000.
	MaxResumeEvents int
}

// HTTPHandler returns an http.Handler serving MCP streamable HTTP at
// opts.Path (both protocol eras) and a liveness probe at /healthz.
func (s *Server) HTTPHandler(opts HTTPOptions) http.Handler {
	if opts.Path == "" {
		opts.Path = "/mcp"
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 4 << 20
	}
	if opts.SessionIdleTTL == 0 {
		opts.SessionIdleTTL = 30 * time.Minute
	}
	if opts.MaxResumeEvents <= 0 {
		opts.MaxResumeEvents = 1000
	}
	hopts := []server.StreamableHTTPOption{
		server.WithEndpointPath(opts.Path),
		// Validate legacy session ids: an unknown or ended session gets 404.
		server.WithStateful(true),
		server.WithSessionIdleTTL(opts.SessionIdleTTL),
		server.WithStreamableHTTPLogger(s.log),
		// guard (guard.go) checks Host and Origin; mcp-go's own check would
		// refuse hosts the operator allowed.
		server.WithDisableLocalhostProtection(true),
		// A bounded event store: SSE resumption for legacy sessions, and
		// reliable delivery of a request's last notification.
		server.WithEventStore(newEventStore(opts.MaxResumeEvents)),
	}
	if len(opts.AllowedOrigins) > 0 {
		hopts = append(hopts, server.WithStreamableHTTPCORS(server.WithCORSAllowedOrigins(opts.AllowedOrigins...)))
	}
	h := server.NewStreamableHTTPServer(s.mcp, hopts...)
	mux := http.NewServeMux()
	mux.Handle(opts.Path, newGuard(s.trackDelivery(http.MaxBytesHandler(h, opts.MaxBodyBytes)), opts.AllowedOrigins, opts.AllowedHosts, opts.DisableHostCheck))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	})
	return mux
}

// ServeStdio serves MCP over newline-delimited JSON on in and out until
// in reaches EOF and every request read has been answered, or ctx ends.
// Nothing but MCP is ever written to out.
func (s *Server) ServeStdio(ctx context.Context, in io.Reader, out io.Writer) error {
	ss := server.NewStdioServer(s.mcp)
	ss.SetErrorLogger(log.New(slogWriter{s.log}, "", 0))
	d := newStdioDrain(ctx)
	return ss.Listen(ctx, d.reader(in), d.writer(out))
}

type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Write(b []byte) (int, error) {
	w.log.Warn("mcp transport", "message", strings.TrimSpace(string(b)))
	return len(b), nil
}

// Close cancels the calls parked for client input, so that their plugins
// can shut down without waiting for their timeouts.
func (s *Server) Close() { s.lot.closeAll() }

// Tools lists the exposed tool names, sorted (for tests and diagnostics).
func (s *Server) Tools() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.tools))
	for n := range s.tools {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
