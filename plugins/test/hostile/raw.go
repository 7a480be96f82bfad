//go:build wasip1

package main

import "unsafe"

// Raw imports, declared here so that the tools can hand the host arbitrary
// offsets and lengths instead of the well-formed blocks go-pdk and the sdk
// would build. Each has the same wasm signature as its real declaration.

//go:wasmimport extism:host/user notify_progress
func rawNotifyProgress(in uint64)

//go:wasmimport extism:host/user notify_logging_message
func rawNotifyLoggingMessage(in uint64)

//go:wasmimport extism:host/user notify_resource_updated
func rawNotifyResourceUpdated(in uint64)

//go:wasmimport extism:host/user create_elicitation
func rawCreateElicitation(in uint64) uint64

//go:wasmimport extism:host/user create_message
func rawCreateMessage(in uint64) uint64

//go:wasmimport extism:host/user get_access_token
func rawGetAccessToken(in uint64) uint64

//go:wasmimport extism:host/user get_keyring_secret
func rawGetKeyringSecret(in uint64) uint64

//go:wasmimport extism:host/env http_request
func rawHTTPRequest(req, body uint64) uint64

//go:wasmimport extism:host/env length
func rawLength(off uint64) uint64

//go:wasmimport extism:host/env load_u64
func rawLoadU64(off uint64) uint64

//go:wasmimport extism:host/env store_u64
func rawStoreU64(off, v uint64)

//go:wasmimport extism:host/env alloc
func rawAlloc(n uint64) uint64

//go:wasmimport extism:host/env free
func rawFree(off uint64)

//go:wasmimport extism:host/env output_set
func rawOutputSet(off, n uint64)

//go:wasmimport extism:host/env error_set
func rawErrorSet(off uint64)

//go:wasmimport extism:host/env config_get
func rawConfigGet(off uint64) uint64

//go:wasmimport extism:host/env var_set
func rawVarSet(key, value uint64)

//go:wasmimport extism:host/env input_load_u64
func rawInputLoadU64(off uint64) uint64

//go:wasmimport extism:host/env log_info
func rawLogInfo(off uint64)

//go:wasmimport wasi_snapshot_preview1 path_open
func rawPathOpen(dirfd int32, dirflags uint32, path unsafe.Pointer, pathLen uint32, oflags uint32, rightsBase, rightsInheriting uint64, fdflags uint32, fd unsafe.Pointer) uint32

//go:wasmimport wasi_snapshot_preview1 fd_read
func rawFdRead(fd int32, iovs unsafe.Pointer, iovsLen uint32, nread unsafe.Pointer) uint32

//go:wasmimport wasi_snapshot_preview1 fd_close
func rawFdClose(fd int32) uint32

//go:wasmimport wasi_snapshot_preview1 poll_oneoff
func rawPollOneoff(in, out unsafe.Pointer, nsubscriptions uint32, nevents unsafe.Pointer) uint32

//go:wasmimport wasi_snapshot_preview1 fd_prestat_get
func rawPrestatGet(fd int32, prestat unsafe.Pointer) uint32

//go:wasmimport wasi_snapshot_preview1 fd_prestat_dir_name
func rawPrestatDirName(fd int32, path unsafe.Pointer, pathLen uint32) uint32
