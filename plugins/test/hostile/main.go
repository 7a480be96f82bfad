//go:build wasip1

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/extism/go-pdk"
	"github.com/toolhost/toolhost/sdk"
)

// schema builds an object schema with the given properties, all optional:
// the tests pass exactly what each attempt needs.
func schema(props string) json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{` + props + `}}`)
}

var (
	planted []byte   // state_set / state_get: does guest state cross sessions?
	hoard   [][]byte // alloc keeps what it allocated reachable
	sink    uint64   // keeps loops and recursion from being optimised away
)

func init() {
	tool := func(name, desc, props string, h sdk.ToolHandler) {
		sdk.AddTool(sdk.Tool{Name: name, Description: desc, InputSchema: schema(props)}, h)
	}
	str := `{"type":"string"}`
	num := `{"type":"integer"}`

	// Filesystem.
	tool("fs", "Perform one filesystem operation through Go's os package and report the outcome.",
		`"op":`+str+`,"path":`+str+`,"target":`+str+`,"data":`+str, fsOp)
	tool("raw_open", "Call WASI path_open directly on a descriptor (no path cleaning by the guest's libc), then read the file.",
		`"fd":`+num+`,"path":`+str+`,"create":{"type":"boolean"}`, rawOpen)
	tool("preopens", "List the WASI preopened directories.", "", func(*sdk.Call) (*sdk.Result, error) {
		return sdk.TextResult(strings.Join(preopens(), "\n")), nil
	})

	// Environment.
	tool("env", "Report the WASI environment, arguments and working directory the guest sees.", "", func(*sdk.Call) (*sdk.Result, error) {
		wd, err := os.Getwd()
		b, _ := json.Marshal(map[string]any{"env": os.Environ(), "args": os.Args, "wd": wd, "wd_err": fmt.Sprint(err)})
		return sdk.TextResult(string(b)), nil
	})
	tool("config_probe", "Look up Extism config keys (hyper-mcp env_vars) and report those that exist.",
		`"keys":{"type":"array","items":`+str+`}`, func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ Keys []string }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			found := map[string]string{}
			for _, k := range a.Keys {
				if v, ok := pdk.GetConfig(k); ok {
					found[k] = v
				}
			}
			b, _ := json.Marshal(found)
			return sdk.TextResult(string(b)), nil
		})

	// Network.
	tool("http", "Send one HTTP request through the Extism http_request host function; report status, headers and body.",
		`"url":`+str+`,"method":`+str+`,"headers":{"type":"object","additionalProperties":`+str+`}`, httpReq)

	// CPU and time.
	tool("spin", "Busy-loop forever.", "", func(*sdk.Call) (*sdk.Result, error) {
		for {
			sink = sink*6364136223846793005 + 1442695040888963407
		}
	})
	tool("sleep", "Sleep (WASI poll_oneoff through the Go runtime) for ms milliseconds.", `"ms":`+num, func(c *sdk.Call) (*sdk.Result, error) {
		var a struct{ Ms int64 }
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		time.Sleep(time.Duration(a.Ms) * time.Millisecond)
		return sdk.TextResult("woke up"), nil
	})
	tool("poll_forever", "Call WASI poll_oneoff directly with one clock subscription of the longest timeout.", "", pollForever)

	// Memory.
	tool("alloc", "Allocate mib MiB in chunks of chunk_kib KiB (default 1024) and keep it all reachable.",
		`"mib":`+num+`,"chunk_kib":`+num, func(c *sdk.Call) (*sdk.Result, error) {
			var a struct {
				Mib      int
				ChunkKib int `json:"chunk_kib"`
			}
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			if a.ChunkKib <= 0 {
				a.ChunkKib = 1024
			}
			total := 0
			for total < a.Mib<<20 {
				b := make([]byte, a.ChunkKib<<10)
				for i := 0; i < len(b); i += 4096 {
					b[i] = 1
				}
				hoard = append(hoard, b)
				total += len(b)
			}
			return sdk.TextResult(fmt.Sprintf("allocated %d bytes", total)), nil
		})
	tool("recurse", "Recurse without end, 1 KiB of stack per frame.", "", func(*sdk.Call) (*sdk.Result, error) {
		return sdk.TextResult(strconv.FormatUint(recurse(1), 10)), nil
	})

	// Output.
	tool("output", "Return a text result of the given number of bytes.", `"bytes":`+num, func(c *sdk.Call) (*sdk.Result, error) {
		var a struct{ Bytes int }
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		return sdk.TextResult(strings.Repeat("o", a.Bytes)), nil
	})
	tool("stdout", "Write bytes bytes of marker lines to stdout and stderr.", `"bytes":`+num+`,"marker":`+str, func(c *sdk.Call) (*sdk.Result, error) {
		var a struct {
			Bytes  int
			Marker string
		}
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		line := a.Marker + "\n"
		for n := 0; n < a.Bytes; n += 2 * len(line) {
			os.Stdout.WriteString(line)
			os.Stderr.WriteString(line)
		}
		return sdk.TextResult("wrote"), nil
	})
	tool("error_flood", "Fail the call (error_set) with an error message of the given number of bytes.", `"bytes":`+num, func(c *sdk.Call) (*sdk.Result, error) {
		var a struct{ Bytes int }
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		return nil, sdk.Abort(errors.New("flood:" + strings.Repeat("E", a.Bytes)))
	})

	// Host functions.
	tool("hostcall", "Call one host function with raw offsets (decimal or 0x strings).",
		`"fn":`+str+`,"offset":`+str+`,"length":`+str, hostCall)
	tool("hostcall_block", "Pass a well-formed kernel block holding data (or size bytes of 'A') to a host function.",
		`"fn":`+str+`,"data":`+str+`,"size":`+num, hostCallBlock)

	// Instances.
	tool("state_set", "Keep a value in this instance's memory.", `"value":`+str, func(c *sdk.Call) (*sdk.Result, error) {
		var a struct{ Value string }
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		planted = []byte(a.Value)
		return sdk.TextResult("planted"), nil
	})
	tool("state_get", "Report the value this instance keeps, if any.", "", func(*sdk.Call) (*sdk.Result, error) {
		return sdk.TextResult("state=" + string(planted)), nil
	})
	tool("panic", "Panic (trap) after planting a value.", "", func(*sdk.Call) (*sdk.Result, error) {
		planted = []byte("before-trap")
		panic("hostile: deliberate trap")
	})
}

func recurse(n uint64) uint64 {
	var frame [1024]byte
	frame[n%1024] = byte(n)
	sink += uint64(frame[(n*7)%1024])
	return recurse(n+1) + uint64(frame[0])
}

// errnoText names a WASI errno the way Go's syscall package does.
func errnoText(e uint32) string {
	return fmt.Sprintf("errno %d (%s)", e, syscall.Errno(e).Error())
}

// fsOp runs one os operation. A failure is an isError result holding Go's
// error, which carries the errno the host answered.
func fsOp(c *sdk.Call) (*sdk.Result, error) {
	var a struct{ Op, Path, Target, Data string }
	if err := c.Bind(&a); err != nil {
		return nil, err
	}
	var out string
	var err error
	switch a.Op {
	case "read":
		var b []byte
		if b, err = os.ReadFile(a.Path); err == nil {
			out = string(b)
		}
	case "write":
		err = os.WriteFile(a.Path, []byte(a.Data), 0o644)
	case "append":
		var f *os.File
		if f, err = os.OpenFile(a.Path, os.O_WRONLY|os.O_APPEND, 0); err == nil {
			_, err = f.WriteString(a.Data)
			f.Close()
		}
	case "truncate":
		err = os.Truncate(a.Path, 0)
	case "mkdir":
		err = os.Mkdir(a.Path, 0o755)
	case "remove":
		err = os.Remove(a.Path)
	case "rename":
		err = os.Rename(a.Path, a.Target)
	case "symlink":
		err = os.Symlink(a.Target, a.Path)
	case "link":
		err = os.Link(a.Target, a.Path)
	case "readlink":
		out, err = os.Readlink(a.Path)
	case "stat", "lstat":
		var fi os.FileInfo
		if a.Op == "stat" {
			fi, err = os.Stat(a.Path)
		} else {
			fi, err = os.Lstat(a.Path)
		}
		if err == nil {
			out = fmt.Sprintf("%s %v %d", fi.Name(), fi.Mode(), fi.Size())
		}
	case "readdir":
		var es []os.DirEntry
		if es, err = os.ReadDir(a.Path); err == nil {
			names := make([]string, len(es))
			for i, e := range es {
				names[i] = e.Name()
			}
			sort.Strings(names)
			out = strings.Join(names, ",")
		}
	case "chtimes":
		err = os.Chtimes(a.Path, time.Unix(0, 0), time.Unix(0, 0))
	default:
		return nil, fmt.Errorf("unknown op %q", a.Op)
	}
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return nil, fmt.Errorf("%s %s: %v [errno %d]", a.Op, a.Path, err, uint32(errno))
		}
		return nil, fmt.Errorf("%s %s: %v", a.Op, a.Path, err)
	}
	return sdk.TextResult("ok " + out), nil
}

// rawOpen hands path to path_open untouched, relative to fd.
func rawOpen(c *sdk.Call) (*sdk.Result, error) {
	var a struct {
		Fd     int32
		Path   string
		Create bool
	}
	if err := c.Bind(&a); err != nil {
		return nil, err
	}
	p := []byte(a.Path)
	if len(p) == 0 {
		p = []byte{0}
	}
	var oflags uint32
	rights := uint64(1<<1 | 1<<2) // fd_read | fd_seek
	if a.Create {
		oflags = 1                    // O_CREAT
		rights |= 1<<6 | 1<<4 | 1<<22 // fd_write | fd_sync... | fd_filestat_set_size
	}
	var fd int32
	if e := rawPathOpen(a.Fd, 1, unsafe.Pointer(&p[0]), uint32(len(a.Path)), oflags, rights, rights, 0, unsafe.Pointer(&fd)); e != 0 {
		return nil, fmt.Errorf("path_open(%d, %q): %s", a.Fd, a.Path, errnoText(e))
	}
	defer rawFdClose(fd)
	buf := make([]byte, 4096)
	iov := [2]uint32{uint32(uintptr(unsafe.Pointer(&buf[0]))), uint32(len(buf))}
	var n uint32
	if e := rawFdRead(fd, unsafe.Pointer(&iov[0]), 1, unsafe.Pointer(&n)); e != 0 {
		return nil, fmt.Errorf("opened %q as fd %d, but fd_read: %s", a.Path, fd, errnoText(e))
	}
	return sdk.TextResult(fmt.Sprintf("opened %q as fd %d: %s", a.Path, fd, buf[:n])), nil
}

// preopens lists the guest paths of the WASI preopens (fds from 3 on).
func preopens() []string {
	out := []string{}
	for fd := int32(3); fd < 3+64; fd++ {
		var st [2]uint32
		if rawPrestatGet(fd, unsafe.Pointer(&st[0])) != 0 {
			break
		}
		if st[1] == 0 || st[1] > 4096 {
			continue
		}
		buf := make([]byte, st[1])
		if rawPrestatDirName(fd, unsafe.Pointer(&buf[0]), uint32(len(buf))) != 0 {
			continue
		}
		out = append(out, fmt.Sprintf("%d=%s", fd, strings.TrimRight(string(buf), "\x00")))
	}
	return out
}

func pollForever(*sdk.Call) (*sdk.Result, error) {
	// subscription: userdata u64, tag u8 (0 = clock) at 8, then
	// subscription_clock at 16: id u32, timeout u64 at 24, precision u64 at
	// 32, flags u16 at 40 (0 = relative).
	var sub [48]byte
	*(*uint64)(unsafe.Pointer(&sub[24])) = 1<<63 - 1
	var ev [32]byte
	var n uint32
	e := rawPollOneoff(unsafe.Pointer(&sub[0]), unsafe.Pointer(&ev[0]), 1, unsafe.Pointer(&n))
	return sdk.TextResult(fmt.Sprintf("poll_oneoff returned %s, %d events", errnoText(e), n)), nil
}

// httpReq sends through go-pdk, as fetch-style plugins do. The host traps a
// refused request, so a refusal never returns here.
func httpReq(c *sdk.Call) (*sdk.Result, error) {
	var a struct {
		URL, Method string
		Headers     map[string]string
	}
	if err := c.Bind(&a); err != nil {
		return nil, err
	}
	methods := map[string]pdk.HTTPMethod{"": pdk.MethodGet, "GET": pdk.MethodGet, "POST": pdk.MethodPost, "PUT": pdk.MethodPut, "DELETE": pdk.MethodDelete}
	m, ok := methods[a.Method]
	if !ok {
		return nil, fmt.Errorf("unsupported method %q", a.Method)
	}
	req := pdk.NewHTTPRequest(m, a.URL)
	for k, v := range a.Headers {
		req.SetHeader(k, v)
	}
	res := req.Send()
	mem := res.Memory()
	defer mem.Free()
	b, _ := json.Marshal(map[string]any{"status": res.Status(), "headers": res.Headers(), "body": string(mem.ReadBytes())})
	return sdk.TextResult(string(b)), nil
}

func parseU64(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseUint(s, 0, 64)
}

// hostCall passes raw, typically garbage, offsets to one host function and
// reports what came back. Out-of-range offsets are expected to fail in the
// kernel (a trap) or be refused by the host (a log line and no value).
func hostCall(c *sdk.Call) (*sdk.Result, error) {
	var a struct{ Fn, Offset, Length string }
	if err := c.Bind(&a); err != nil {
		return nil, err
	}
	off, err := parseU64(a.Offset)
	if err != nil {
		return nil, err
	}
	n, err := parseU64(a.Length)
	if err != nil {
		return nil, err
	}
	var ret uint64
	switch a.Fn {
	case "notify_progress":
		rawNotifyProgress(off)
	case "notify_logging_message":
		rawNotifyLoggingMessage(off)
	case "notify_resource_updated":
		rawNotifyResourceUpdated(off)
	case "create_elicitation":
		ret = rawCreateElicitation(off)
	case "create_message":
		ret = rawCreateMessage(off)
	case "get_access_token":
		ret = rawGetAccessToken(off)
	case "get_keyring_secret":
		ret = rawGetKeyringSecret(off)
	case "http_request":
		ret = rawHTTPRequest(off, n)
	case "length":
		ret = rawLength(off)
	case "load_u64":
		ret = rawLoadU64(off)
	case "store_u64":
		rawStoreU64(off, 0x4141414141414141)
	case "alloc":
		ret = rawAlloc(off)
	case "free":
		rawFree(off)
	case "output_set":
		rawOutputSet(off, n)
		return nil, sdk.ErrOutputWritten
	case "error_set":
		rawErrorSet(off)
		return nil, sdk.Abort(errors.New("error_set called with a raw offset"))
	case "config_get":
		ret = rawConfigGet(off)
	case "var_set":
		rawVarSet(off, n)
	case "input_load_u64":
		ret = rawInputLoadU64(off)
	case "log_info":
		rawLogInfo(off)
	default:
		return nil, fmt.Errorf("unknown host function %q", a.Fn)
	}
	return sdk.TextResult(fmt.Sprintf("survived %s(%#x, %#x) = %#x", a.Fn, off, n, ret)), nil
}

// hostCallBlock passes a real kernel block with chosen contents: JSON the
// host must reject, or a block larger than the host reads.
func hostCallBlock(c *sdk.Call) (*sdk.Result, error) {
	var a struct {
		Fn, Data string
		Size     int
	}
	if err := c.Bind(&a); err != nil {
		return nil, err
	}
	data := []byte(a.Data)
	if a.Size > 0 {
		data = []byte(strings.Repeat("A", a.Size))
	}
	mem := pdk.AllocateBytes(data)
	var ret uint64
	switch a.Fn {
	case "notify_progress":
		rawNotifyProgress(mem.Offset())
	case "notify_logging_message":
		rawNotifyLoggingMessage(mem.Offset())
	case "notify_resource_updated":
		rawNotifyResourceUpdated(mem.Offset())
	case "create_elicitation":
		ret = rawCreateElicitation(mem.Offset())
	case "create_message":
		ret = rawCreateMessage(mem.Offset())
	case "http_request":
		ret = rawHTTPRequest(mem.Offset(), 0)
	default:
		return nil, fmt.Errorf("unknown host function %q", a.Fn)
	}
	answer := ""
	if ret != 0 {
		m := pdk.FindMemory(ret)
		answer = string(m.ReadBytes())
		m.Free()
	}
	return sdk.TextResult(fmt.Sprintf("survived %s(block of %d bytes) = %q", a.Fn, len(data), answer)), nil
}

func main() {}
