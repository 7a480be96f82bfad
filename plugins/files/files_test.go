//go:build !wasip1

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnderMount(t *testing.T) {
	tests := []struct {
		p    string
		ms   []string
		want bool
	}{
		{"/data/x", []string{"/data"}, true},
		{"/data", []string{"/data"}, true},
		{"/database/x", []string{"/data"}, false},
		{"/etc/passwd", []string{"/data", "/tmp"}, false},
		{"/anything", []string{"/"}, true},
		{"/x", []string{}, false},
	}
	for _, tt := range tests {
		if got := underMount(tt.p, tt.ms); got != tt.want {
			t.Errorf("underMount(%q, %v) = %v", tt.p, tt.ms, got)
		}
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("héllo world"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "bin.dat"), []byte{0, 1, 2, 0xff}, 0o644))
	must(os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	must(os.Symlink("hello.txt", filepath.Join(dir, "link")))
	mountList = []string{dir}
	defer func() { mountList = nil }()

	tests := []struct {
		name    string
		run     func() (any, error)
		want    string // substring of the JSON result
		wantErr string
	}{
		{"read text", func() (any, error) { return readFile(dir+"/hello.txt", 0) }, `"text":"héllo world"`, ""},
		{"read text mime", func() (any, error) { return readFile(dir+"/hello.txt", 0) }, `"mimeType":"text/plain`, ""},
		{"truncate mid-rune", func() (any, error) { return readFile(dir+"/hello.txt", 2) }, `"text":"h"}},{"type":"text","text":"Truncated: showing the first 2 of 12 bytes`, ""},
		{"read binary", func() (any, error) { return readFile(dir+"/bin.dat", 0) }, `"blob":"AAEC/w=="`, ""},
		{"read dir", func() (any, error) { return readFile(dir+"/sub", 0) }, "", "is a directory; use list_dir"},
		{"read missing", func() (any, error) { return readFile(dir+"/nope", 0) }, "", "no such file or directory"},
		{"read outside mounts", func() (any, error) { return readFile("/etc/passwd", 0) }, "", "read_file /etc/passwd: access refused. This plugin sees only the directories the operator mounted for it (mounted: " + dir + "); the operator grants more with allowed_paths"},
		{"prefix is not a mount", func() (any, error) { return readFile(dir+"x/hello.txt", 0) }, "", "access refused"},
		{"bad max", func() (any, error) { return readFile(dir+"/hello.txt", -1) }, "", "max_bytes must be between"},
		{"empty path", func() (any, error) { return readFile(" ", 0) }, "", "path is required"},
		{"list", func() (any, error) { return listDir(dir) }, `"entries":[{"name":"bin.dat","type":"file","size":4},{"name":"hello.txt","type":"file","size":12},{"name":"link","type":"symlink","size":0},{"name":"sub","type":"dir","size":0}]`, ""},
		{"list text", func() (any, error) { return listDir(dir + "/") }, `(4 entries)\nbin.dat\t4 bytes\nhello.txt\t12 bytes\nlink\t(symlink)\nsub/`, ""},
		{"list file", func() (any, error) { return listDir(dir + "/hello.txt") }, "", "not a directory; use read_file"},
		{"list outside", func() (any, error) { return listDir("/") }, "", "list_dir /: access refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.run()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(res)
			if !strings.Contains(string(b), tt.want) {
				t.Errorf("got %s\nwant substring %s", b, tt.want)
			}
		})
	}
}
