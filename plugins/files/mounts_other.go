//go:build !wasip1

package main

import (
	"errors"
	"io/fs"
)

// mountList stands in for the WASI preopens outside wasm (tests set it);
// nil means "not known".
var mountList []string

func mounts() []string { return mountList }

func refused(err error) bool { return errors.Is(err, fs.ErrPermission) }
