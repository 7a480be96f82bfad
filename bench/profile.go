package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
)

// Profile is where a profile of one Op went and its top frames.
type Profile struct {
	CPUFile, AllocFile string
	CPUTop, AllocTop   string // `go tool pprof -top` output, trimmed
	CPUCum             string // `go tool pprof -top -cum`, trimmed
	Ops                int
}

// ProfileOp runs op for d under the CPU profiler, then again for d while
// sampling every allocation, and writes both profiles to dir as
// <name>.cpu.pprof and <name>.alloc.pprof. Only the loop is profiled (the
// allocation profile is the difference of two heap snapshots), so setup
// does not pollute the figures. With topN > 0 it also runs
// `go tool pprof -top` on each (go must be on PATH).
func ProfileOp(ctx context.Context, op Op, d time.Duration, dir, name string, topN int) (*Profile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	pr := &Profile{
		CPUFile:   filepath.Join(dir, name+".cpu.pprof"),
		AllocFile: filepath.Join(dir, name+".alloc.pprof"),
	}
	loop := func() (int, error) {
		n := 0
		for start := time.Now(); time.Since(start) < d; n++ {
			if err := op(ctx); err != nil {
				return n, err
			}
		}
		return n, nil
	}
	if _, err := loop(); err != nil { // warm
		return nil, err
	}

	cpu, err := os.Create(pr.CPUFile)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		cpu.Close()
		return nil, err
	}
	pr.Ops, err = loop()
	pprof.StopCPUProfile()
	cpu.Close()
	if err != nil {
		return nil, err
	}

	old := runtime.MemProfileRate
	runtime.MemProfileRate = 1
	base := filepath.Join(dir, name+".alloc-base.pprof")
	err = writeHeap(base)
	if err == nil {
		_, err = loop()
	}
	if err == nil {
		err = writeHeap(pr.AllocFile)
	}
	runtime.MemProfileRate = old
	if err != nil {
		return nil, err
	}
	if topN > 0 {
		pr.CPUTop, err = pprofTop(topN, pr.CPUFile)
		if err != nil {
			return pr, err
		}
		pr.CPUCum, err = pprofTop(topN, "-cum", pr.CPUFile)
		if err != nil {
			return pr, err
		}
		// Only the loop's stacks: writing the base snapshot allocates too.
		pr.AllocTop, err = pprofTop(topN, "-sample_index=alloc_space", `-focus=bench\.ProfileOp\.func1`, "-base", base, pr.AllocFile)
		if err != nil {
			return pr, err
		}
	}
	return pr, nil
}

func writeHeap(path string) error {
	runtime.GC() // publish the allocations made so far
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("allocs").WriteTo(f, 0)
}

// pprofTop runs `go tool pprof -top` and keeps the header's totals line and
// the table.
func pprofTop(n int, args ...string) (string, error) {
	full := append([]string{"tool", "pprof", "-top", fmt.Sprintf("-nodecount=%d", n)}, args...)
	cmd := exec.Command("go", full...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %v: %s", strings.Join(full, " "), err, errb.String())
	}
	var keep []string
	table := false
	for _, line := range strings.Split(out.String(), "\n") {
		switch {
		case strings.HasPrefix(line, "Showing nodes"), strings.HasPrefix(line, "Type:"):
			keep = append(keep, line)
		case strings.Contains(line, "flat%") && strings.Contains(line, "cum%"):
			table = true
			keep = append(keep, line)
		case table && strings.TrimSpace(line) != "":
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n"), nil
}
