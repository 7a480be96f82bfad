package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/toolhost/toolhost/host"
	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/internal/bundled"
)

// IO is where a command reads and writes; Main uses the process's.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
	Env      func(string) (string, bool)
}

// Main runs the toolhost command with args (without the program name) and
// returns the process exit code.
func Main(ctx context.Context, args []string, stdio IO) int {
	root := newRoot(stdio)
	root.SetArgs(args)
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.Err)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stdio.Err, "toolhost:", err)
		return ExitCode(err)
	}
	return 0
}

// Version is the module version of this build, or "dev".
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// runtimeVersion names the wasm runtime and Go toolchain the binary was
// built with, e.g. "wazero v1.12.0, go1.26.8".
func runtimeVersion() string {
	wazero := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/tetratelabs/wazero" {
				wazero = d.Version
			}
		}
	}
	return "wazero " + wazero + ", " + runtime.Version()
}

func newRoot(stdio IO) *cobra.Command {
	root := &cobra.Command{
		Use:           "toolhost",
		Short:         "Serve WebAssembly plugins as MCP tools, with capability grants",
		Long:          "toolhost runs every tool as a WebAssembly plugin (hyper-mcp and mcp.run plugins run unchanged)\nand serves them as one MCP endpoint over streamable HTTP or stdio.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newPlugin(stdio), newCall(stdio))
	root.AddCommand(newServe(stdio), newCheck(stdio), &cobra.Command{
		Use:   "version",
		Short: "Print the toolhost version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "toolhost %s (%s)\n", Version(), runtimeVersion())
			return nil
		},
	})
	return root
}

// common flags of commands that load a configuration.
type loadFlags struct {
	config    string
	cacheDir  string
	logLevel  string
	logFormat string
}

func (f *loadFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.config, "config", "c", "", "config file (YAML, JSON or TOML; hyper-mcp files work unchanged); default: the bundled plugins")
	cmd.Flags().StringVar(&f.cacheDir, "cache-dir", "", "cache of compiled code and remembered plugin catalogs (\"-\" disables it); default: "+host.DefaultCacheDir())
	cmd.Flags().StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	cmd.Flags().StringVar(&f.logFormat, "log-format", "text", "log format on stderr: text or json")
}

func (f *loadFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", f.logLevel)
	}
	o := &slog.HandlerOptions{Level: level}
	switch f.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", f.logFormat)
}

// load reads the configuration (or the bundled default) and starts a Host.
func (f *loadFlags) load(ctx context.Context, stdio IO, log *slog.Logger) (*host.Host, error) {
	env := stdio.Env
	if env == nil {
		env = os.LookupEnv
	}
	var cfg *config.Config
	var err error
	if f.config != "" {
		cfg, err = config.Load(f.config, config.Options{LookupEnv: env})
	} else {
		var wd string
		if wd, err = os.Getwd(); err != nil {
			return nil, err
		}
		log.Info("no --config given: serving the bundled plugins", "plugins", strings.Join(bundled.FirstParty(), ","))
		cfg, err = config.Parse(bundled.DefaultConfig(), config.YAML, config.Options{LookupEnv: env, BaseDir: wd})
	}
	if err != nil {
		return nil, err
	}
	return host.New(ctx, cfg, host.Options{
		Logger: log, CacheDir: f.cacheDir, Bundled: bundled.Open,
		Name: "toolhost", Version: Version(),
	})
}

func newServe(stdio IO) *cobra.Command {
	var lf loadFlags
	var transport, listen, path string
	var origins, hosts []string
	var noHostCheck bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the configured plugins over MCP (streamable HTTP or stdio)",
		Example: "  toolhost serve                                   # bundled plugins on http://127.0.0.1:8931/mcp\n" +
			"  toolhost serve -c hyper-mcp.yaml --transport stdio\n" +
			"  toolhost serve -c toolhost.yaml --listen 127.0.0.1:9000",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := lf.logger(stdio.Err)
			if err != nil {
				return err
			}
			if transport != "http" && transport != "stdio" {
				return fmt.Errorf("--transport %q: use http or stdio", transport)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			h, err := lf.load(ctx, stdio, log)
			if err != nil {
				return err
			}
			defer h.Close(context.Background())
			if transport == "stdio" {
				log.Info("serving MCP over stdio", "tools", len(h.Tools()))
				err := h.ServeStdio(ctx, stdio.In, stdio.Out)
				if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
					return err
				}
				return nil
			}
			return serveHTTP(ctx, log, h, listen, host.HTTPOptions{Path: path, AllowedOrigins: origins, AllowedHosts: hosts, DisableHostCheck: noHostCheck})
		},
	}
	lf.register(cmd)
	cmd.Flags().StringVarP(&transport, "transport", "t", "http", "http or stdio")
	cmd.Flags().StringVarP(&listen, "listen", "l", "127.0.0.1:8931", "HTTP listen address")
	cmd.Flags().StringVar(&path, "path", "/mcp", "HTTP path of the MCP endpoint")
	cmd.Flags().StringSliceVar(&origins, "allowed-origin", nil, "browser Origin allowed besides loopback ones (repeatable; \"*\" for any), e.g. https://app.example.com")
	cmd.Flags().StringSliceVar(&hosts, "allowed-host", nil, "Host header name allowed besides loopback ones (repeatable), e.g. the name a reverse proxy forwards")
	cmd.Flags().BoolVar(&noHostCheck, "disable-host-check", false, "accept any Host header (only behind a proxy that checks it: this is the DNS-rebinding protection)")
	return cmd
}

func serveHTTP(ctx context.Context, log *slog.Logger, h *host.Host, listen string, o host.HTTPOptions) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", listen, err)
	}
	if o.Path == "" {
		o.Path = "/mcp"
	}
	srv := &http.Server{Handler: h.HTTPHandler(o), ReadHeaderTimeout: 10 * time.Second}
	log.Info("serving MCP over streamable HTTP", "url", "http://"+ln.Addr().String()+o.Path, "tools", len(h.Tools()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func newCheck(stdio IO) *cobra.Command {
	var lf loadFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Load the configuration and every plugin, then list what would be served",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := lf.logger(stdio.Err)
			if err != nil {
				return err
			}
			h, err := lf.load(cmd.Context(), stdio, log)
			if err != nil {
				return err
			}
			defer h.Close(context.Background())
			out := cmd.OutOrStdout()
			for _, p := range h.Plugins() {
				c := p.Catalog()
				fmt.Fprintf(out, "plugin %s: ABI %s, %d tools, %d prompts, %d resources, %d templates\n",
					p.Name(), p.ABI(), len(c.Tools), len(c.Prompts), len(c.Resources), len(c.Templates))
			}
			for _, t := range h.Tools() {
				fmt.Fprintf(out, "  tool %s\n", t)
			}
			return nil
		},
	}
	lf.register(cmd)
	return cmd
}
