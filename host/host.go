package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/host/mcpserver"
	"github.com/toolhost/toolhost/host/plugin"
)

// Options configure a Host.
type Options struct {
	// Logger receives structured logs (never stdout); nil discards them.
	Logger *slog.Logger
	// CacheDir keeps compiled plugin code between runs. "" means
	// <user cache dir>/toolhost/wazero; "-" disables the disk cache.
	CacheDir string
	// Bundled serves bundled://NAME plugin locations.
	Bundled func(name string) ([]byte, error)
	// Name and Version are reported to MCP clients.
	Name, Version string
	// Instructions are sent to clients in the initialize/discover result.
	Instructions string
}

// HTTPOptions configure the streamable HTTP endpoint.
type HTTPOptions = mcpserver.HTTPOptions

// A Host runs a set of plugins behind one MCP server.
type Host struct {
	log     *slog.Logger
	loader  *plugin.Loader
	server  *mcpserver.Server
	plugins []*plugin.Plugin
}

// DefaultCacheDir is where compiled plugin code is cached by default.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "toolhost", "wazero")
}

// New loads every plugin in cfg (compiling in parallel) and returns a Host
// serving them. Errors from all plugins are reported together; on error
// nothing is left running.
func New(ctx context.Context, cfg *config.Config, opts Options) (*Host, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, w := range cfg.Warnings {
		log.Warn("config", "warning", w)
	}
	cacheDir := opts.CacheDir
	switch cacheDir {
	case "":
		cacheDir = DefaultCacheDir()
	case "-":
		cacheDir = ""
	}
	h := &Host{log: log}
	h.server = mcpserver.New(mcpserver.Options{Name: opts.Name, Version: opts.Version, Instructions: opts.Instructions, Logger: log})
	loader, err := plugin.NewLoader(plugin.Options{
		Logger: log, CacheDir: cacheDir, Bundled: opts.Bundled, AuthFor: cfg.AuthFor,
		OnCatalogChange: h.server.CatalogChanged,
	})
	if err != nil {
		return nil, err
	}
	h.loader = loader

	start := time.Now()
	plugins := make([]*plugin.Plugin, len(cfg.Plugins))
	errs := make([]error, len(cfg.Plugins))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, pc := range cfg.Plugins {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			plugins[i], errs[i] = loader.Load(ctx, pc)
		})
	}
	wg.Wait()
	for _, p := range plugins {
		if p != nil {
			h.plugins = append(h.plugins, p)
		}
	}
	if err := errors.Join(errs...); err != nil {
		h.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	if err := h.server.SetPlugins(h.plugins); err != nil {
		h.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	log.Info("plugins ready", "count", len(h.plugins), "tools", len(h.server.Tools()), "elapsed", time.Since(start).Round(time.Millisecond), "cache", cacheDir)
	return h, nil
}

// Plugins returns the loaded plugins.
func (h *Host) Plugins() []*plugin.Plugin { return h.plugins }

// Tools returns the exposed tool names, sorted.
func (h *Host) Tools() []string { return h.server.Tools() }

// HTTPHandler serves MCP streamable HTTP (both protocol eras) at opts.Path.
func (h *Host) HTTPHandler(opts HTTPOptions) http.Handler { return h.server.HTTPHandler(opts) }

// ServeStdio serves MCP over stdio until in reaches EOF or ctx ends.
func (h *Host) ServeStdio(ctx context.Context, in io.Reader, out io.Writer) error {
	return h.server.ServeStdio(ctx, in, out)
}

// Close stops every plugin (waiting for calls in flight, bounded by their
// timeouts) and releases the compilation cache.
func (h *Host) Close(ctx context.Context) error {
	h.server.Close()
	var errs []error
	for _, p := range h.plugins {
		if err := p.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("plugin[%s]: close: %w", p.Name(), err))
		}
	}
	if h.loader != nil {
		errs = append(errs, h.loader.Close(ctx))
	}
	return errors.Join(errs...)
}
