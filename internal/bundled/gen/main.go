package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/toolhost/toolhost/internal/bundled"
	"github.com/toolhost/toolhost/internal/wasmbuild"
)

func main() {
	repo := flag.String("repo", "", "toolhost repository root (default: found by walking up from the working directory)")
	out := flag.String("out", "", "output directory (default: <repo>/internal/bundled/wasm)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := generate(ctx, *repo, *out); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

func generate(ctx context.Context, repo, out string) error {
	if repo == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		if repo, err = findRepo(wd); err != nil {
			return err
		}
	}
	if out == "" {
		out = filepath.Join(repo, "internal", "bundled", "wasm")
	}
	return run(ctx, config{repo: repo, out: out, names: bundled.FirstParty()}, os.Stdout)
}

// config is one generator run.
type config struct {
	repo     string   // toolhost repository root; plugins live in <repo>/plugins
	out      string   // directory receiving <name>.wasm
	names    []string // plugins to build
	cacheDir string   // wasmbuild cache override; empty for the default
}

// run builds every plugin in c.names into c.out, reports each on w, then
// removes stale .wasm files from c.out. It builds all plugins even when one
// fails, and returns every failure.
func run(ctx context.Context, c config, w io.Writer) error {
	modDir := filepath.Join(c.repo, "plugins")
	if _, err := os.Stat(filepath.Join(modDir, "go.mod")); err != nil {
		return fmt.Errorf("no plugins module at %s (missing go.mod): run gen inside a toolhost checkout or pass -repo", modDir)
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return fmt.Errorf("creating output directory: %w", err)
	}
	var errs []error
	for _, name := range c.names {
		start := time.Now()
		dst := filepath.Join(c.out, name+".wasm")
		res, err := wasmbuild.BuildResult(ctx, wasmbuild.Request{
			ModuleDir: modDir,
			Package:   "./" + name,
			Reactor:   true,
			Output:    dst,
			CacheDir:  c.cacheDir,
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("plugin %s: %w", name, err))
			fmt.Fprintf(w, "%-6s FAILED\n", name)
			continue
		}
		fi, err := os.Stat(dst)
		if err != nil {
			errs = append(errs, fmt.Errorf("plugin %s: %w", name, err))
			continue
		}
		how := "cache hit"
		if !res.Cached {
			how = "built in " + time.Since(start).Round(100*time.Millisecond).String()
		}
		fmt.Fprintf(w, "%-6s %5.2f MB  %-15s %s\n", name, float64(fi.Size())/(1<<20), how, displayPath(c.repo, dst))
	}
	if err := removeStale(c.out, c.names, w); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// removeStale deletes <out>/*.wasm files that belong to no plugin in names.
func removeStale(out string, names []string, w io.Writer) error {
	entries, err := os.ReadDir(out)
	if err != nil {
		return fmt.Errorf("listing %s: %w", out, err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".wasm")
		if !ok || e.IsDir() || slices.Contains(names, name) {
			continue
		}
		if err := os.Remove(filepath.Join(out, e.Name())); err != nil {
			return fmt.Errorf("removing stale %s: %w", e.Name(), err)
		}
		fmt.Fprintf(w, "%-6s removed: no longer bundled\n", name)
	}
	return nil
}

// displayPath shows p relative to the repository when it lies inside it.
func displayPath(repo, p string) string {
	if rel, err := filepath.Rel(repo, p); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return p
}

// findRepo walks up from dir to the directory whose go.mod declares the
// toolhost module.
func findRepo(dir string) (string, error) {
	for d := dir; ; {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && declaresToolhost(data) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod of module github.com/toolhost/toolhost above %s: run gen inside a toolhost checkout or pass -repo", dir)
		}
		d = parent
	}
}

// declaresToolhost reports whether go.mod content declares the toolhost module.
func declaresToolhost(goMod []byte) bool {
	for line := range strings.Lines(string(goMod)) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], "\"`") == "github.com/toolhost/toolhost"
		}
	}
	return false
}
