package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/toolhost/toolhost/sdk"
)

const (
	defaultMaxBytes = 64 << 10
	maxMaxBytes     = 8 << 20
	maxEntries      = 1000
)

// clean makes p absolute and lexically clean. Relative paths are relative
// to the guest's working directory (under wasip1: $PWD, else the first
// mounted directory).
func clean(p string) (string, error) {
	if strings.TrimSpace(p) == "" {
		return "", errors.New("path is required")
	}
	if strings.ContainsRune(p, 0) {
		return "", errors.New("path contains a NUL byte")
	}
	if !path.IsAbs(p) {
		wd, err := os.Getwd()
		if err != nil || !path.IsAbs(wd) {
			wd = "/"
		}
		p = path.Join(wd, p)
	}
	return path.Clean(p), nil
}

// check refuses paths outside every mount before os sees them. Besides a
// clearer message, this avoids a wasip1 quirk: Go maps a path to the
// preopen whose name is a plain string prefix of it, so with /data mounted,
// /database/x would silently open /data/base/x.
func check(op, p string) error {
	if ms := mounts(); ms != nil && !underMount(p, ms) {
		return explain(op, p, fs.ErrPermission)
	}
	return nil
}

// underMount reports whether p lies inside one of the mounted directories.
func underMount(p string, ms []string) bool {
	for _, m := range ms {
		if m == "/" || p == m || strings.HasPrefix(p, m+"/") {
			return true
		}
	}
	return false
}

// explain turns an os error on p into a message for the agent.
func explain(op, p string, err error) error {
	ms := mounts()
	mounted := "none"
	if len(ms) > 0 {
		mounted = strings.Join(ms, ", ")
	}
	grant := fmt.Sprintf("This plugin sees only the directories the operator mounted for it (mounted: %s); the operator grants more with allowed_paths in the plugin's runtime_config.", mounted)
	switch {
	case refused(err) || errors.Is(err, fs.ErrPermission), ms != nil && !underMount(p, ms):
		return fmt.Errorf("%s %s: access refused. %s", op, p, grant)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: no such file or directory", op, p)
	default:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("%s %s: %v", op, p, err)
	}
}

// readFile reads up to maxBytes of the file at p.
func readFile(p string, maxBytes int) (*sdk.Result, error) {
	p, err := clean(p)
	if err != nil {
		return nil, err
	}
	switch {
	case maxBytes == 0:
		maxBytes = defaultMaxBytes
	case maxBytes < 0 || maxBytes > maxMaxBytes:
		return nil, fmt.Errorf("max_bytes must be between 1 and %d", maxMaxBytes)
	}
	if err := check("read_file", p); err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, explain("read_file", p, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, explain("read_file", p, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("read_file %s: is a directory; use list_dir", p)
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(maxBytes)+1))
	if err != nil {
		return nil, explain("read_file", p, err)
	}
	truncated := len(data) > maxBytes
	if truncated {
		data = data[:maxBytes]
	}
	uri := "file://" + p
	mimeType := mime.TypeByExtension(path.Ext(p))
	var res *sdk.Result
	if text, ok := asText(data, truncated); ok {
		if mimeType == "" {
			mimeType = "text/plain"
		}
		res = sdk.NewResult(sdk.EmbeddedText(uri, mimeType, text))
	} else {
		if mimeType == "" {
			mimeType = "application/octet-stream"
		}
		res = sdk.NewResult(sdk.EmbeddedBlob(uri, mimeType, data))
	}
	if truncated {
		res.Content = append(res.Content, sdk.Text(fmt.Sprintf("Truncated: showing the first %d of %d bytes; raise max_bytes (up to %d) to see more.", maxBytes, st.Size(), maxMaxBytes)))
	}
	return res, nil
}

// asText reports whether data is UTF-8 text; a truncated read may cut the
// last rune, which is dropped.
func asText(data []byte, truncated bool) (string, bool) {
	if truncated {
		for i := 0; i < utf8.UTFMax && len(data) > 0; i++ {
			if utf8.Valid(data) {
				break
			}
			data = data[:len(data)-1]
		}
	}
	if !utf8.Valid(data) || strings.ContainsRune(string(data), 0) {
		return "", false
	}
	return string(data), true
}

type entry struct {
	Name string `json:"name"`
	Type string `json:"type"` // file, dir, symlink, other
	Size int64  `json:"size"`
}

// listDir lists the directory at p, sorted by name.
func listDir(p string) (*sdk.Result, error) {
	p, err := clean(p)
	if err != nil {
		return nil, err
	}
	if err := check("list_dir", p); err != nil {
		return nil, err
	}
	des, err := os.ReadDir(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || refused(err) {
			return nil, explain("list_dir", p, err)
		}
		if st, serr := os.Stat(p); serr == nil && !st.IsDir() {
			return nil, fmt.Errorf("list_dir %s: not a directory; use read_file", p)
		}
		return nil, explain("list_dir", p, err)
	}
	sort.Slice(des, func(i, j int) bool { return des[i].Name() < des[j].Name() })
	entries := []entry{}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d entries)\n", p, len(des))
	for i, de := range des {
		if i == maxEntries {
			fmt.Fprintf(&b, "... %d more entries not shown\n", len(des)-maxEntries)
			break
		}
		e := entry{Name: de.Name(), Type: "other"}
		switch t := de.Type(); {
		case t.IsDir():
			e.Type = "dir"
		case t&fs.ModeSymlink != 0:
			e.Type = "symlink"
		case t.IsRegular():
			e.Type = "file"
			if info, err := de.Info(); err == nil {
				e.Size = info.Size()
			}
		}
		entries = append(entries, e)
		switch e.Type {
		case "dir":
			fmt.Fprintf(&b, "%s/\n", e.Name)
		case "file":
			fmt.Fprintf(&b, "%s\t%d bytes\n", e.Name, e.Size)
		default:
			fmt.Fprintf(&b, "%s\t(%s)\n", e.Name, e.Type)
		}
	}
	return sdk.TextResult(strings.TrimRight(b.String(), "\n")).Structured(map[string]any{
		"path":      p,
		"entries":   entries,
		"total":     len(des),
		"truncated": len(des) > maxEntries,
	}), nil
}
