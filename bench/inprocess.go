package bench

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/toolhost/toolhost/host"
	"github.com/toolhost/toolhost/host/config"
)

func loadHost(ctx context.Context, cfgPath string) (*host.Host, time.Duration, error) {
	cfg, err := config.Load(cfgPath, config.Options{LookupEnv: os.LookupEnv})
	if err != nil {
		return nil, 0, err
	}
	cache, err := CacheDir("start-cache")
	if err != nil {
		return nil, 0, err
	}
	start := time.Now()
	h, err := host.New(ctx, cfg, host.Options{CacheDir: cache, Logger: slog.New(slog.DiscardHandler)})
	return h, time.Since(start), err
}

// profileStart loads cfgPath in process once untimed (to warm this
// process's cache subdirectory: a test binary reports wazero's version as
// "dev"), then again under the CPU profiler.
func profileStart(ctx context.Context, o *Options, cfgPath string) (time.Duration, *Profile, error) {
	h, _, err := loadHost(ctx, cfgPath)
	if err != nil {
		return 0, nil, err
	}
	h.Close(ctx)
	runtime.GC()
	pr := &Profile{CPUFile: filepath.Join(o.ProfileDir, "p3-start.cpu.pprof")}
	f, err := os.Create(pr.CPUFile)
	if err != nil {
		return 0, nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return 0, nil, err
	}
	h, took, err := loadHost(ctx, cfgPath)
	pprof.StopCPUProfile()
	f.Close()
	if err != nil {
		return 0, nil, err
	}
	h.Close(ctx)
	pr.Ops = 1
	if pr.CPUCum, err = pprofTop(35, "-cum", pr.CPUFile); err != nil {
		return took, nil, err
	}
	return took, pr, nil
}

// profileHeap loads cfgPath in process once untimed (so that the cache
// directory remembers the plugins' catalogs and the measured load is a
// warm, lazy one, as P5's processes are), then again, and writes the live
// heap, and the top of its difference from the heap just before (so that
// whatever else this process holds, such as the P2 fixture, is left out).
func profileHeap(ctx context.Context, o *Options, cfgPath string) (*Profile, error) {
	h, _, err := loadHost(ctx, cfgPath)
	if err != nil {
		return nil, err
	}
	h.Close(ctx)
	base := filepath.Join(o.ProfileDir, "p5-heap-base.pprof")
	if err := writeLiveHeap(base); err != nil {
		return nil, err
	}
	h, _, err = loadHost(ctx, cfgPath)
	if err != nil {
		return nil, err
	}
	defer h.Close(ctx)
	pr := &Profile{AllocFile: filepath.Join(o.ProfileDir, "p5-heap.pprof"), Ops: 1}
	if err := writeLiveHeap(pr.AllocFile); err != nil {
		return nil, err
	}
	if pr.AllocTop, err = pprofTop(25, "-sample_index=inuse_space", "-base", base, pr.AllocFile); err != nil {
		return nil, err
	}
	return pr, nil
}

func writeLiveHeap(path string) error {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("heap").WriteTo(f, 0)
}

// gitCommit describes the checked-out commit (read-only git commands).
func gitCommit(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		c += " (with uncommitted changes)"
	}
	return c
}
