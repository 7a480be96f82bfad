package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// parseMount reads one allowed_paths entry:
//
//	HOST               the guest sees HOST at the same path
//	HOST:ro, HOST:rw   the same, read-only or read-write
//	HOST:GUEST         the guest sees HOST at GUEST
//	HOST:GUEST:ro|rw   the same, read-only or read-write
//
// The default is read-write, as in hyper-mcp. As in hyper-mcp's successor,
// spaces around each part are ignored, an empty GUEST means HOST, GUEST is
// everything after the first ':' (so it may contain ':'), and ~ or ~/…
// means the home directory (from HOME). A relative HOST resolves against
// baseDir. HOST must be an existing directory; GUEST must be absolute.
func parseMount(entry, baseDir string, home func() (string, bool)) (Mount, error) {
	s := strings.TrimSpace(entry)
	if s == "" {
		return Mount{}, errors.New("is empty: give a directory, such as /srv/data or /srv/data:/data:ro")
	}
	parts := strings.Split(s, ":")
	m := Mount{}
	if n := len(parts); n > 1 {
		switch strings.TrimSpace(parts[n-1]) {
		case "ro":
			m.ReadOnly = true
			parts = parts[:n-1]
		case "rw":
			parts = parts[:n-1]
		}
	}
	host := strings.TrimSpace(parts[0])
	guest := strings.TrimSpace(strings.Join(parts[1:], ":"))
	if host == "" {
		return Mount{}, fmt.Errorf("%q has no host directory before the ':': write HOST:GUEST, such as /srv/data:/data", entry)
	}

	host, err := expandHome(host, home)
	if err != nil {
		return Mount{}, fmt.Errorf("%q: %v", entry, err)
	}
	if !filepath.IsAbs(host) {
		if baseDir == "" {
			return Mount{}, fmt.Errorf("%q has a relative host directory, but there is no base directory to resolve it against: use an absolute path (or set Options.BaseDir)", entry)
		}
		host = filepath.Join(baseDir, host)
	}
	m.Host = filepath.Clean(host)

	if guest == "" {
		m.Guest = filepath.ToSlash(m.Host)
	} else {
		if guest, err = expandHome(guest, home); err != nil {
			return Mount{}, fmt.Errorf("%q: %v", entry, err)
		}
		if !strings.HasPrefix(guest, "/") {
			return Mount{}, fmt.Errorf("%q has the guest path %q, which is not absolute: start it with /, such as %s:/data", entry, guest, parts[0])
		}
		m.Guest = guest
	}
	m.Guest = path.Clean(m.Guest)

	info, err := os.Stat(m.Host)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Mount{}, fmt.Errorf("%q: host directory %s does not exist: create it, or fix the path", entry, m.Host)
	case err != nil:
		return Mount{}, fmt.Errorf("%q: cannot use host directory %s: %v", entry, m.Host, err)
	case !info.IsDir():
		return Mount{}, fmt.Errorf("%q: host path %s is not a directory: a plugin can be given directories only, so give the directory that holds it", entry, m.Host)
	}
	return m, nil
}

func expandHome(p string, home func() (string, bool)) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	h, ok := home()
	if !ok {
		return "", errors.New("~ needs the HOME environment variable, which is not set: write the full path")
	}
	return h + p[1:], nil
}
