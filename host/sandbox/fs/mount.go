package sandboxfs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"
)

// Mount grants a guest one host directory.
type Mount struct {
	// Host is the absolute path of the directory on the host.
	Host string
	// Guest is the absolute, clean path at which the guest sees it, such as
	// "/data".
	Guest string
	// ReadOnly makes every write fail with EROFS.
	ReadOnly bool
}

// Config returns a wazero FSConfig that exposes exactly mounts, each at its
// Guest path, and nothing else, plus a closer for the os.Root handles behind
// them. Two mounts may not share a guest path. With no mounts the guest has
// no filesystem at all.
//
// Pass the FSConfig to ModuleConfig.WithFSConfig (for Extism, through
// PluginInstanceConfig.ModuleConfig, with Manifest.AllowedPaths left empty)
// and close the closer once every module using it is closed.
func Config(mounts []Mount) (wazero.FSConfig, io.Closer, error) {
	cfg := wazero.NewFSConfig()
	seen := make(map[string]int, len(mounts))
	for i, m := range mounts {
		if err := m.validate(); err != nil {
			return nil, nil, fmt.Errorf("sandboxfs: mount %d: %w", i, err)
		}
		if j, dup := seen[m.Guest]; dup {
			return nil, nil, fmt.Errorf("sandboxfs: mount %d: guest path %q is already used by mount %d", i, m.Guest, j)
		}
		seen[m.Guest] = i
	}
	roots := make(rootClosers, 0, len(mounts))
	for i, m := range mounts {
		fsys, err := open(m)
		if err != nil {
			_ = roots.Close()
			return nil, nil, fmt.Errorf("sandboxfs: mount %d: %w", i, err)
		}
		roots = append(roots, fsys.root)
		mounter, ok := cfg.(sysfs.FSConfig)
		if !ok {
			_ = roots.Close()
			return nil, nil, fmt.Errorf("sandboxfs: wazero FSConfig %T cannot mount a sys.FS", cfg)
		}
		cfg = mounter.WithSysFSMount(fsys, m.Guest)
	}
	return cfg, roots, nil
}

// New opens one mount's filesystem on an os.Root of m.Host and returns it
// with the closer of that root. The filesystem serves paths relative to the
// mount; m.Guest is only validated, since it is the mounter that decides
// where the guest sees it.
func New(m Mount) (sys.FS, io.Closer, error) {
	if err := m.validate(); err != nil {
		return nil, nil, fmt.Errorf("sandboxfs: %w", err)
	}
	fsys, err := open(m)
	if err != nil {
		return nil, nil, fmt.Errorf("sandboxfs: %w", err)
	}
	return fsys, rootClosers{fsys.root}, nil
}

func (m Mount) validate() error {
	switch {
	case m.Host == "":
		return errors.New("host directory is empty")
	case !filepath.IsAbs(m.Host):
		return fmt.Errorf("host directory %q is not an absolute path", m.Host)
	case m.Guest == "":
		return errors.New("guest path is empty")
	case !path.IsAbs(m.Guest):
		return fmt.Errorf("guest path %q is not absolute", m.Guest)
	case path.Clean(m.Guest) != m.Guest:
		return fmt.Errorf("guest path %q is not clean (want %q)", m.Guest, path.Clean(m.Guest))
	}
	return nil
}

// open opens m.Host as an os.Root. m must be valid.
func open(m Mount) (*rootFS, error) {
	root, err := os.OpenRoot(m.Host)
	if err != nil {
		return nil, fmt.Errorf("opening host directory %q for guest path %q: %w", m.Host, m.Guest, err)
	}
	return &rootFS{
		root:     root,
		readOnly: m.ReadOnly,
		escapes:  escapeError(root),
		name:     fmt.Sprintf("sandboxfs(%s)", m.Guest),
	}, nil
}

// rootClosers closes os.Root handles.
type rootClosers []*os.Root

// Close closes every root. It is safe to call more than once.
func (rs rootClosers) Close() error {
	var errs []error
	for _, r := range rs {
		if err := r.Close(); err != nil {
			errs = append(errs, fmt.Errorf("sandboxfs: closing root %q: %w", r.Name(), err))
		}
	}
	return errors.Join(errs...)
}
