package wasmbuild

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPruneCache(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	tests := []struct {
		name string
		dir  bool
		age  time.Duration
		kept bool
	}{
		{name: "old-entry.wasm", age: unusedEntry + time.Hour, kept: false},
		{name: "recent-entry.wasm", age: unusedEntry - time.Hour, kept: true},
		{name: ".tmp-abandoned", dir: true, age: staleTemp + time.Hour, kept: false},
		{name: ".tmp-running", dir: true, age: time.Minute, kept: true},
		{name: "notes.txt", age: 10 * unusedEntry, kept: true},
		{name: "some-dir.wasm", dir: true, age: 10 * unusedEntry, kept: true},
	}
	for _, tc := range tests {
		p := filepath.Join(dir, tc.name)
		var err error
		if tc.dir {
			err = os.Mkdir(p, 0o755)
		} else {
			err = os.WriteFile(p, []byte("\x00asm"), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-tc.age), now.Add(-tc.age)); err != nil {
			t.Fatal(err)
		}
	}
	pruneCache(dir)
	for _, tc := range tests {
		_, err := os.Stat(filepath.Join(dir, tc.name))
		if kept := err == nil; kept != tc.kept {
			t.Errorf("%s: kept = %v, want %v", tc.name, kept, tc.kept)
		}
	}
}

func TestTouch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		age       time.Duration
		refreshed bool
	}{
		{"fresh entry untouched", time.Hour, false},
		{"day-old entry refreshed", touchEvery + time.Hour, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.wasm")
			if err := os.WriteFile(p, []byte("\x00asm"), 0o644); err != nil {
				t.Fatal(err)
			}
			old := time.Now().Add(-tc.age)
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
			touch(p)
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if refreshed := fi.ModTime().After(old.Add(time.Minute)); refreshed != tc.refreshed {
				t.Errorf("refreshed = %v, want %v", refreshed, tc.refreshed)
			}
		})
	}
}
