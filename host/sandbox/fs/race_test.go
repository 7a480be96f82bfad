package sandboxfs_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	sandboxfs "github.com/toolhost/toolhost/host/sandbox/fs"
)

// TestSwapRace swaps data/dir between a real directory and a symlink to the
// outside directory (absolute and relative targets in turn) while the guest
// reads /data/dir/secret in a loop. No read may ever return the outside
// file. The test insists that the guest saw both states, the symlink (an
// EPERM) and the real directory (its file), so that it cannot pass by never
// hitting the window.
func TestSwapRace(t *testing.T) {
	g := newGuest(t)
	base := t.TempDir()
	data, outside := filepath.Join(base, "data"), filepath.Join(base, "outside")
	dir, aside := filepath.Join(data, "dir"), filepath.Join(data, "dir.aside")
	mustDo(t, os.MkdirAll(dir, 0o755))
	mustDo(t, os.MkdirAll(outside, 0o755))
	mustDo(t, os.WriteFile(filepath.Join(dir, "secret"), []byte("inside"), 0o644))
	mustDo(t, os.WriteFile(filepath.Join(outside, "secret"), []byte(outsideSecret), 0o644))

	cfg, closer, err := sandboxfs.Config([]sandboxfs.Mount{{Host: data, Guest: "/data"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { mustDo(t, closer.Close()) }()

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var swaps int
	var swapErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		targets := []string{outside, "../outside"}
		for ctx.Err() == nil {
			target := targets[swaps%len(targets)]
			if swapErr = swap(dir, aside, target); swapErr != nil {
				return
			}
			swaps++
		}
	}()

	const reads, maxRuns = "2000", 20
	var sawLink, sawDir bool
	for run := 0; run < maxRuns && !(sawLink && sawDir); run++ {
		got := g.run(t, cfg, "loopread", "/data/dir/secret", reads)
		if strings.Contains(got, outsideSecret) {
			stop()
			wg.Wait()
			t.Fatalf("guest read the outside file through the swapped directory: %s", got)
		}
		for _, outcome := range strings.Split(got, "|") {
			key, _, _ := strings.Cut(outcome, "=")
			switch key {
			case "ok inside": // the real directory
				sawDir = true
			case "ENOENT", "ENOTDIR": // mid-swap: the name is gone, or the link vanished while os.Root inspected it
			case "EPERM": // the symlink to the outside, refused
				sawLink = true
			default:
				t.Errorf("unexpected outcome %q in %s", key, got)
			}
		}
		t.Logf("run %d: %s", run, got)
	}
	stop()
	wg.Wait()
	if swapErr != nil {
		t.Fatalf("swapping on the host: %v", swapErr)
	}
	if !sawLink || !sawDir {
		t.Fatalf("in %d runs (%d swaps) the guest saw the symlink: %v, the directory: %v; the race was not exercised", maxRuns, swaps, sawLink, sawDir)
	}
}

// swap replaces dir with a symlink to target, yields, and puts dir back.
func swap(dir, aside, target string) error {
	if err := os.Rename(dir, aside); err != nil {
		return err
	}
	if err := os.Symlink(target, dir); err != nil {
		return err
	}
	runtime.Gosched()
	if err := os.Remove(dir); err != nil {
		return err
	}
	if err := os.Rename(aside, dir); err != nil {
		return err
	}
	runtime.Gosched()
	return nil
}
