// Package wasmbuild compiles Go guest modules (plugins and test plugins) to
// WebAssembly for GOOS=wasip1 GOARCH=wasm and caches the result by content.
//
// A build is identified by a sha256 key over the toolchain (`go version`), the
// target (GOOS, GOARCH, build mode), the package path, the environment
// variables that change code generation (GOFLAGS, GOWASM, GOEXPERIMENT), and
// the path and content of every .go, go.mod and go.sum file under the guest
// module and under every local directory its go.mod replaces a module with
// ("replace x => ../dir"). Directories named testdata or node_modules, and
// hidden directories, are skipped. Other files (for example assets pulled in
// with //go:embed) are not part of the key: touch a .go file after changing one.
//
// A cache hit returns at once without running `go build`. A miss runs
//
//	GOOS=wasip1 GOARCH=wasm GOWORK=off go build -trimpath -buildvcs=false [-buildmode=c-shared] -o <tmp> <pkg>
//
// in the module directory, writes into a private temporary directory inside
// the cache and renames the result into place, so concurrent goroutines and
// processes building the same key never see a partial file (they may both
// build; the last rename wins with identical bytes). GOWORK=off keeps a go.work
// file above the module from changing what is built behind the key's back.
//
// The cache lives in $TOOLHOST_WASM_CACHE, else in
// os.UserCacheDir()/toolhost/wasm. It is safe to delete at any time. Every
// source edit adds an entry; a cache miss deletes entries that have not been
// used for two weeks.
//
// Per-process state: the output of `go version` is memoized per go binary,
// module directory and GOTOOLCHAIN value, so that repeated cache hits in one
// process run no go command at all.
package wasmbuild
