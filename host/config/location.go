package config

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

var (
	schemeRE      = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)
	bundledNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
)

// parseLocation reads a plugin's url (or path): file:///abs/x.wasm,
// file://rel/x.wasm, a bare path, http(s)://… or bundled://NAME. Relative
// file paths resolve against baseDir. It does not check that a file
// exists: the loader does.
func parseLocation(raw, baseDir string) (Location, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return Location{}, errors.New("is empty: give a file path, or a file://, http://, https:// or bundled:// URL")
	}
	m := schemeRE.FindStringSubmatch(s)
	if m == nil {
		return fileLocation(s, s, baseDir)
	}
	scheme, rest := strings.ToLower(m[1]), s[len(m[0]):]
	switch scheme {
	case "file":
		if rest == "" {
			return Location{}, fmt.Errorf("%q names no file: use file:///absolute/path/plugin.wasm or file://relative/path/plugin.wasm", s)
		}
		p, err := url.PathUnescape(rest)
		if err != nil {
			return Location{}, fmt.Errorf("%q has a bad %%-escape (%v): write %%25 for a literal %%", s, unwrapURLError(err))
		}
		return fileLocation(s, p, baseDir)
	case "http", "https":
		// These messages do not quote s: a URL may carry user:password@.
		u, err := url.Parse(s)
		if err != nil {
			return Location{}, fmt.Errorf("is not a valid %s URL: %v", scheme, unwrapURLError(err))
		}
		if u.Host == "" {
			return Location{}, fmt.Errorf("%q has no host: use %s://host/path/plugin.wasm", u.Redacted(), scheme)
		}
		return Location{Scheme: scheme, URL: u.String()}, nil
	case "bundled":
		if !bundledNameRE.MatchString(rest) {
			return Location{}, fmt.Errorf("%q does not name a bundled plugin: use bundled://NAME, where NAME is letters, digits, '.', '_' and '-'", s)
		}
		return Location{Scheme: "bundled", Path: rest, URL: "bundled://" + rest}, nil
	case "oci":
		return Location{}, fmt.Errorf("%q: oci:// plugins are not supported yet: download the .wasm file from the image (for example with oras pull) and use url: file:///path/to/plugin.wasm", s)
	case "s3":
		return Location{}, fmt.Errorf("%q: s3:// plugins are not supported yet: download the .wasm file (for example with aws s3 cp) and use url: file:///path/to/plugin.wasm", s)
	default:
		return Location{}, fmt.Errorf("%q: scheme %s:// is not supported: use a file path, or a file://, http://, https:// or bundled:// URL", s, scheme)
	}
}

func fileLocation(written, p, baseDir string) (Location, error) {
	if !filepath.IsAbs(p) {
		if baseDir == "" {
			return Location{}, fmt.Errorf("%q is a relative path, but there is no base directory to resolve it against: use an absolute path (or set Options.BaseDir)", written)
		}
		p = filepath.Join(baseDir, p)
	}
	p = filepath.Clean(p)
	return Location{Scheme: "file", Path: p, URL: (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()}, nil
}
