package testplugins_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/toolhost/toolhost/internal/testplugins"
)

// The guest modules (sdk/, plugins/, examples/go/) are separate Go modules, so the
// root module's `go test ./...` does not reach them. This test runs their
// own native tests and vets them for the wasip1 target they ship for, so
// the one test command covers every module.
func TestGuestModules(t *testing.T) {
	root := testplugins.RepoRoot(t)
	for _, mod := range []string{"sdk", "plugins", "examples/go"} {
		for _, step := range []struct {
			name string
			env  []string
			args []string
		}{
			{"test", nil, []string{"test", "./..."}},
			{"vet-wasip1", []string{"GOOS=wasip1", "GOARCH=wasm"}, []string{"vet", "./..."}},
		} {
			t.Run(mod+"/"+step.name, func(t *testing.T) {
				t.Parallel()
				cmd := exec.Command("go", step.args...)
				cmd.Dir = filepath.Join(root, mod)
				cmd.Env = append(append(os.Environ(), "GOWORK=off"), step.env...)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("go %v in %s/: %v\n%s", step.args, mod, err, out)
				}
			})
		}
	}
}
