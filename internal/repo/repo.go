// Package repo finds the root of the toolhost repository (the directory
// whose go.mod declares ModulePath), for tests, benchmarks and build helpers
// that need the plugin sources or the Node test clients next to them.
package repo

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ModulePath is the main toolhost module.
const ModulePath = "github.com/toolhost/toolhost"

// Root walks up from this source file (then from the working directory,
// for binaries built with -trimpath) to the directory whose go.mod declares
// ModulePath.
func Root() (string, error) {
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, start := range starts {
		for dir := start; ; {
			if IsToolhostModule(filepath.Join(dir, "go.mod")) {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("no go.mod of module %s above %s: run from inside the toolhost repository", ModulePath, strings.Join(starts, " or "))
}

// IsToolhostModule reports whether the go.mod file at path declares ModulePath.
func IsToolhostModule(path string) bool {
	data, err := os.ReadFile(path)
	return err == nil && ModuleOf(data) == ModulePath
}

// ModuleOf returns the module path a go.mod file declares, or "".
func ModuleOf(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		rest, ok := strings.CutPrefix(line, "module")
		if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		return strings.Trim(strings.TrimSpace(rest), `"`+"`")
	}
	return ""
}
