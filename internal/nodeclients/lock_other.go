//go:build !unix

package nodeclients

import (
	"fmt"
	"runtime"
)

// lockDir cannot lock a directory on this platform. It is never reached in
// practice: Ensure skips every platform but linux/amd64 before locking.
func lockDir(dir string) (unlock func(), err error) {
	return nil, fmt.Errorf("cannot lock %s: no flock on %s", dir, runtime.GOOS)
}
