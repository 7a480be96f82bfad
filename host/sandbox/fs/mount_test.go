package sandboxfs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	sandboxfs "github.com/toolhost/toolhost/host/sandbox/fs"
)

func TestConfigRejects(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	mustDo(t, os.WriteFile(file, nil, 0o644))
	tests := []struct {
		name    string
		mounts  []sandboxfs.Mount
		wantErr string
	}{
		{"empty host", []sandboxfs.Mount{{Guest: "/data"}}, "sandboxfs: mount 0: host directory is empty"},
		{"relative host", []sandboxfs.Mount{{Host: "data", Guest: "/data"}}, `sandboxfs: mount 0: host directory "data" is not an absolute path`},
		{"empty guest", []sandboxfs.Mount{{Host: dir}}, "sandboxfs: mount 0: guest path is empty"},
		{"relative guest", []sandboxfs.Mount{{Host: dir, Guest: "data"}}, `sandboxfs: mount 0: guest path "data" is not absolute`},
		{"unclean guest", []sandboxfs.Mount{{Host: dir, Guest: "/data/../etc"}}, `sandboxfs: mount 0: guest path "/data/../etc" is not clean (want "/etc")`},
		{"trailing slash guest", []sandboxfs.Mount{{Host: dir, Guest: "/data/"}}, `sandboxfs: mount 0: guest path "/data/" is not clean (want "/data")`},
		{"duplicate guest", []sandboxfs.Mount{{Host: dir, Guest: "/data"}, {Host: dir, Guest: "/data", ReadOnly: true}}, `sandboxfs: mount 1: guest path "/data" is already used by mount 0`},
		{"missing host", []sandboxfs.Mount{{Host: dir, Guest: "/a"}, {Host: filepath.Join(dir, "missing"), Guest: "/b"}}, "sandboxfs: mount 1: opening host directory"},
		{"host is a file", []sandboxfs.Mount{{Host: file, Guest: "/data"}}, "not a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, closer, err := sandboxfs.Config(tc.mounts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Config error = %v, want it to contain %q", err, tc.wantErr)
			}
			if cfg != nil || closer != nil {
				t.Fatalf("Config returned a config or closer with an error")
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name    string
		mount   sandboxfs.Mount
		wantErr string
	}{
		{"relative host", sandboxfs.Mount{Host: ".", Guest: "/data"}, `sandboxfs: host directory "." is not an absolute path`},
		{"relative guest", sandboxfs.Mount{Host: t.TempDir(), Guest: "data"}, `sandboxfs: guest path "data" is not absolute`},
		{"missing host", sandboxfs.Mount{Host: filepath.Join(t.TempDir(), "missing"), Guest: "/data"}, "no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys, closer, err := sandboxfs.New(tc.mount)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("New error = %v, want it to contain %q", err, tc.wantErr)
			}
			if fsys != nil || closer != nil {
				t.Fatalf("New returned a filesystem or closer with an error")
			}
		})
	}
}
