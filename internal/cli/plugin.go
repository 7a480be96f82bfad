package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/toolhost/toolhost/host"
	"github.com/toolhost/toolhost/internal/author"
)

// exitError is a command error with a process exit code other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }
func (e *exitError) ExitCode() int { return e.code }

// Exit codes of `toolhost call`.
const (
	exitToolError = 2 // the tool answered with isError
)

// ExitCode is the process exit code for what a command returned: 0 for nil,
// the code the error carries (2 from `toolhost call` when the tool reported
// isError), else 1.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var e interface{ ExitCode() int }
	if errors.As(err, &e) {
		return e.ExitCode()
	}
	return 1
}

// compileCacheDir maps a --cache-dir value to a plugin.Options.CacheDir:
// "" is the default cache, "-" none (compile in memory).
func compileCacheDir(flag string) string {
	switch flag {
	case "":
		return host.DefaultCacheDir()
	case "-":
		return ""
	}
	return flag
}

func cacheDirFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "cache-dir", "", "cache of compiled code and remembered plugin catalogs (\"-\" disables it); default: "+host.DefaultCacheDir())
}

// warnLogger logs host/plugin warnings and errors to w.
func warnLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// toolchainEnv is the environment build commands run in: the process's,
// with PATH taken from stdio.Env when it is set (so that which toolchain is
// found follows the command's environment).
func toolchainEnv(stdio IO) []string {
	env := os.Environ()
	if stdio.Env == nil {
		return env
	}
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PATH=") {
			out = append(out, kv)
		}
	}
	if path, ok := stdio.Env("PATH"); ok {
		out = append(out, "PATH="+path)
	}
	return out
}

func newPlugin(stdio IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plugin",
		Short: "Write plugins: scaffold a project, build it, inspect a .wasm file",
		Long: "Write toolhost plugins in Go (with the toolhost sdk), C or AssemblyScript.\n\n" +
			"  toolhost plugin new weather --lang go     # a project with one tool, greet\n" +
			"  cd weather && toolhost plugin build       # weather.wasm, checked the way toolhost loads it\n" +
			"  toolhost call weather.wasm greet --arg name=World",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newPluginNew(stdio), newPluginBuild(stdio), newPluginInspect(stdio))
	return cmd
}

func newPluginNew(stdio IO) *cobra.Command {
	var lang, dir string
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Scaffold a plugin project with one tool (greet) and a README",
		Example: "  toolhost plugin new weather                      # Go, in ./weather\n" +
			"  toolhost plugin new weather --lang c --dir src/weather\n" +
			"  toolhost plugin new weather --lang assemblyscript",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := author.ParseLang(lang)
			if err != nil {
				return err
			}
			p, err := author.New(author.NewOptions{Name: args[0], Lang: l, Dir: dir})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "created %s plugin %s in %s\n", p.Lang, p.Name, p.Dir)
			for _, f := range p.Files {
				fmt.Fprintf(out, "  %s\n", f)
			}
			if p.SDKDir != "" {
				fmt.Fprintf(out, "the toolhost sdk is in %s (go.mod replaces %s with it)\n", p.SDKDir, author.SDKModule)
			}
			fmt.Fprintf(out, "build it:\n  cd %s && toolhost plugin build\n", shellDir(p.Dir))
			fmt.Fprintf(out, "or by hand:\n  %s\n", p.BuildCommand)
			return nil
		},
	}
	cmd.Flags().StringVar(&lang, "lang", "go", "language: go, c or assemblyscript")
	cmd.Flags().StringVar(&dir, "dir", "", "directory to create (default ./NAME); it must not exist or be empty")
	return cmd
}

// shellDir shows dir relative to the working directory when it is below it.
func shellDir(dir string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, dir); err == nil && filepath.IsLocal(rel) {
			return rel
		}
	}
	return dir
}

func newPluginBuild(stdio IO) *cobra.Command {
	var output, cacheDir string
	cmd := &cobra.Command{
		Use:   "build [DIR]",
		Short: "Build a plugin project and check that toolhost loads the result",
		Long: "Build the plugin project in DIR (default: the working directory) with its language's toolchain:\n" +
			"  go.mod                        GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath\n" +
			"  *.c                           clang --target=wasm32-wasi -O2 -mexec-model=reactor\n" +
			"  package.json (assemblyscript) npx asc assembly/index.ts (npm install first if needed)\n" +
			"then load the result as toolhost does (ABI, imports, exports, catalog) and list its tools.\n" +
			"A missing toolchain is named, with the command that installs it.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			res, err := author.Build(cmd.Context(), author.BuildOptions{
				Dir: dir, Output: output, Env: toolchainEnv(stdio), Log: cmd.ErrOrStderr(),
				CompileCacheDir: compileCacheDir(cacheDir),
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "built %s (%s plugin, %d bytes)\n", res.Output, res.Lang, res.Report.Size)
			return res.Report.WriteTools(out)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "the .wasm file to write (default DIR/<name of DIR>.wasm)")
	cacheDirFlag(cmd, &cacheDir)
	return cmd
}

func newPluginInspect(_ IO) *cobra.Command {
	var asJSON bool
	var cacheDir string
	cmd := &cobra.Command{
		Use:   "inspect FILE.wasm",
		Short: "Show a plugin's ABI, exports, imports, memory and the tools, prompts and resources toolhost loads from it",
		Long: "Inspect a plugin module: its ABI (V1, V2 or none), exports, imports grouped by module (flagging\n" +
			"those toolhost does not provide) and memory limits; then load it as toolhost serve would, with\n" +
			"no grants, and list its tools (with their JSON schemas), prompts and resources.\n" +
			"Exits with 1 when toolhost would not load the module.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := author.Inspect(cmd.Context(), args[0], author.InspectOptions{
				CacheDir: compileCacheDir(cacheDir), Logger: warnLogger(cmd.ErrOrStderr()),
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if err := writeJSON(out, r); err != nil {
					return err
				}
			} else if err := r.WriteText(out); err != nil {
				return err
			}
			if r.LoadError != "" {
				return fmt.Errorf("%s: toolhost would not load this module", args[0])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cacheDirFlag(cmd, &cacheDir)
	return cmd
}

func newCall(stdio IO) *cobra.Command {
	var url, argsJSON, cacheDir string
	var kv, hosts, paths []string
	var timeout time.Duration
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "call FILE.wasm TOOL | call --url URL TOOL",
		Short: "Call one tool of a plugin file (in process, with the grants given) or of a running server",
		Long: "Call one tool and print its result: the text it returns, or the whole MCP CallToolResult with --json.\n" +
			"A plugin file runs in process with no capabilities except those granted by --allow-host and\n" +
			"--allow-path (as runtime_config.allowed_hosts and allowed_paths); tools are named without a prefix.\n" +
			"With --url, the tool of a running MCP server is called by the name the server exposes.\n\n" +
			"Arguments: --args takes a JSON object; each --arg sets one key on top of it, key=value as a\n" +
			"string and key:=json as any JSON value.\n\n" +
			"Exit code: 0 ok, 1 the call could not be made, 2 the tool reported an error (isError).",
		Example: "  toolhost call greet.wasm greet --arg name=World\n" +
			"  toolhost call fetch.wasm get --arg url=https://example.com --allow-host example.com\n" +
			"  toolhost call files.wasm read --args '{\"path\":\"/data/notes.txt\"}' --allow-path ./notes:/data:ro\n" +
			"  toolhost call --url http://127.0.0.1:8931/mcp hash-digest --arg text=hi --arg algorithm=sha256",
		Args: func(cmd *cobra.Command, args []string) error {
			if url != "" {
				if len(args) != 1 {
					return fmt.Errorf("with --url, give just the tool name (got %d arguments)", len(args))
				}
				return nil
			}
			if len(args) != 2 {
				return fmt.Errorf("give a plugin file and a tool name, or --url URL and a tool name (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o := author.CallOptions{
				URL: url, AllowHosts: hosts, AllowPaths: paths, Timeout: timeout,
				CacheDir: compileCacheDir(cacheDir), Peer: &author.WriterPeer{W: cmd.ErrOrStderr()},
				Logger: warnLogger(cmd.ErrOrStderr()), Version: Version(),
			}
			if url == "" {
				o.File, o.Tool = args[0], args[1]
			} else {
				o.Tool = args[0]
			}
			var err error
			if o.Args, err = author.ParseArgs(argsJSON, kv); err != nil {
				return err
			}
			res, err := author.Call(cmd.Context(), o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				err = writeJSON(out, res.JSON)
			} else {
				_, err = fmt.Fprintln(out, res.Text())
			}
			if err != nil {
				return err
			}
			if res.IsError {
				return &exitError{code: exitToolError, err: fmt.Errorf("tool %s reported an error (isError)", o.Tool)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&url, "url", "", "call a running MCP server (streamable HTTP endpoint, e.g. http://127.0.0.1:8931/mcp) instead of a plugin file")
	f.StringVar(&argsJSON, "args", "", "the tool's arguments as a JSON object")
	f.StringArrayVar(&kv, "arg", nil, "one argument: key=string or key:=json (repeatable; applied on top of --args)")
	f.StringArrayVar(&hosts, "allow-host", nil, "let the plugin reach this host (repeatable; runtime_config.allowed_hosts syntax)")
	f.StringArrayVar(&paths, "allow-path", nil, "let the plugin see a directory, host[:guest][:ro] (repeatable; runtime_config.allowed_paths syntax)")
	f.DurationVar(&timeout, "timeout", 0, "stop the call after this long (default 60s)")
	f.BoolVar(&asJSON, "json", false, "print the whole CallToolResult as JSON")
	cacheDirFlag(cmd, &cacheDir)
	return cmd
}

// writeJSON prints v (or raw JSON) indented.
func writeJSON(w io.Writer, v any) error {
	var b []byte
	var err error
	if raw, ok := v.(json.RawMessage); ok {
		var buf bytes.Buffer
		if err = json.Indent(&buf, raw, "", "  "); err == nil {
			b = buf.Bytes()
		}
	} else {
		b, err = json.MarshalIndent(v, "", "  ")
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
