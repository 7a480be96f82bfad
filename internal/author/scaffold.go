package author

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/template"
)

// Lang is a plugin language that toolhost can scaffold and build.
type Lang string

// The languages.
const (
	Go             Lang = "go"
	C              Lang = "c"
	AssemblyScript Lang = "assemblyscript"
)

// Langs lists the languages in the order help texts show them.
func Langs() []Lang { return []Lang{Go, C, AssemblyScript} }

// ParseLang reads a --lang value: go, c, assemblyscript (or as).
func ParseLang(s string) (Lang, error) {
	switch strings.ToLower(s) {
	case "go", "golang":
		return Go, nil
	case "c":
		return C, nil
	case "assemblyscript", "as":
		return AssemblyScript, nil
	}
	return "", fmt.Errorf("--lang %q: use go, c or assemblyscript", s)
}

// templates holds one directory of file templates per language. A
// template's path without ".tmpl" is the file it becomes, except that
// "dot-" stands for a leading "." and "plugin.c" is named after the project.
//
//go:embed templates
var templates embed.FS

// nameRE is what a project name must match: a toolhost plugin name
// (config.ValidPluginName) in lower case, since it also becomes an npm
// package name, a Go module path and the .wasm file name.
var nameRE = regexp.MustCompile(`^[a-z0-9]+(?:_[a-z0-9]+)*$`)

// NewOptions describe a project to scaffold.
type NewOptions struct {
	// Name of the plugin: lower-case letters, digits and single underscores.
	Name string
	// Lang of the project; "" means Go.
	Lang Lang
	// Dir to create; "" means ./<Name>. It must not exist or be empty.
	Dir string
	// CacheDir is where a Go project's sdk copy goes (<CacheDir>/sdk/<hash>);
	// "" means DefaultCacheDir.
	CacheDir string
}

// Project is a scaffolded project.
type Project struct {
	Name string
	Lang Lang
	// Dir is the absolute project directory.
	Dir string
	// Files are the files written, relative to Dir, sorted.
	Files []string
	// SDKDir is the sdk directory a Go project's go.mod replaces the sdk
	// with; "" for other languages.
	SDKDir string
	// BuildCommand builds <Name>.wasm by hand, in Dir.
	BuildCommand string
}

// New scaffolds a small working plugin (one tool, "greet") with a README that
// states its build command.
func New(o NewOptions) (*Project, error) {
	if !nameRE.MatchString(o.Name) {
		return nil, fmt.Errorf("plugin name %q: use lower-case letters, digits and single underscores, starting and ending with a letter or digit "+
			"(it becomes the plugin's name in toolhost configs, so tools appear as <name>-greet)", o.Name)
	}
	if o.Lang == "" {
		o.Lang = Go
	}
	if !slices.Contains(Langs(), o.Lang) {
		return nil, fmt.Errorf("language %q: use go, c or assemblyscript", o.Lang)
	}
	if o.Dir == "" {
		o.Dir = o.Name
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("directory %s exists and is not empty: choose another with --dir", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("directory %s: %w", dir, err)
	}
	p := &Project{Name: o.Name, Lang: o.Lang, Dir: dir, BuildCommand: buildCommand(o.Lang, o.Name)}
	if o.Lang == Go {
		if p.SDKDir, err = WriteSDK(o.CacheDir); err != nil {
			return nil, err
		}
	}
	files, err := render(p)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		target := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return nil, err
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(target, files[name], mode); err != nil {
			return nil, err
		}
		p.Files = append(p.Files, name)
	}
	return p, nil
}

// render executes the language's templates for p and returns the files by
// project-relative slash path.
func render(p *Project) (map[string][]byte, error) {
	data := map[string]any{
		"Name":         p.Name,
		"BuildCommand": p.BuildCommand,
		"SDKDir":       p.SDKDir,
		"SDKModule":    SDKModule,
		"SDKRequires":  sdkRequires(),
		"GoPDKVersion": GoPDKVersion,
	}
	root := "templates/" + string(p.Lang)
	files := map[string][]byte{}
	err := fs.WalkDir(templates, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := templates.ReadFile(name)
		if err != nil {
			return err
		}
		t, err := template.New(name).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return fmt.Errorf("BUG: author: template %s: %w", name, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return fmt.Errorf("BUG: author: template %s: %w", name, err)
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(name, root+"/"), ".tmpl")
		base := path.Base(rel)
		switch {
		case strings.HasPrefix(base, "dot-"):
			base = "." + strings.TrimPrefix(base, "dot-")
		case base == "plugin.c":
			base = p.Name + ".c"
		}
		files[path.Join(path.Dir(rel), base)] = b.Bytes()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if p.Lang == Go {
		// The sdk's own go.sum has exactly the go-pdk sums the project needs.
		files["go.sum"] = embeddedSDK().files["go.sum"]
	}
	return files, nil
}

// buildCommand is the shell command that builds <name>.wasm by hand in a
// scaffolded project; Build runs the same toolchain command.
func buildCommand(l Lang, name string) string {
	out := name + ".wasm"
	switch l {
	case Go:
		return "GOOS=wasip1 GOARCH=wasm go build " + strings.Join(goBuildFlags(out), " ") + " ."
	case C:
		return "clang " + strings.Join(append(clangFlags(out), name+".c"), " ")
	case AssemblyScript:
		return "npx asc " + strings.Join(ascArgs(out, true), " ")
	}
	return ""
}

func goBuildFlags(out string) []string {
	return []string{"-buildmode=c-shared", "-trimpath", "-o", out}
}

func clangFlags(out string) []string {
	return []string{"--target=wasm32-wasi", "-O2", "-mexec-model=reactor", "-Wl,--strip-all", "-o", out}
}

func ascArgs(out string, abort bool) []string {
	args := []string{"assembly/index.ts", "--outFile", out}
	if abort {
		args = append(args, "--use", "abort=assembly/index/myAbort")
	}
	return append(args, "-O3")
}
