package wasmbin

import (
	"fmt"
	"unicode/utf8"
)

// reader decodes b[pos:end]. Offsets it reports are absolute offsets into
// the module, and it never reads past end (a section's end, or the module's).
type reader struct {
	b     []byte
	pos   int
	end   int
	where string // for errors: "import section", "section header", ...
	limit string // what end is: "module" or "section"
}

func (r *reader) errorf(off int, format string, args ...any) error {
	return &Error{Offset: off, Where: r.where, Err: fmt.Errorf(format, args...)}
}

func (r *reader) remaining() int { return r.end - r.pos }

func (r *reader) truncated(off int, what string) error {
	return r.errorf(off, "unexpected end of %s reading %s", r.limit, what)
}

func (r *reader) byte(what string) (byte, error) {
	if r.pos >= r.end {
		return 0, r.truncated(r.pos, what)
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

// u32 decodes an unsigned LEB128 integer of at most 5 bytes whose value
// fits in 32 bits. Non-minimal encodings are accepted, as the spec allows.
func (r *reader) u32(what string) (uint32, error) {
	v, err := r.uleb(what, 32)
	return uint32(v), err
}

func (r *reader) uleb(what string, bits uint) (uint64, error) {
	start := r.pos
	maxLen := int((bits + 6) / 7)
	var v uint64
	for i := 0; ; i++ {
		if r.pos >= r.end {
			return 0, r.truncated(start, what)
		}
		c := r.b[r.pos]
		r.pos++
		shift := uint(i) * 7
		if i == maxLen-1 {
			if c&0x80 != 0 {
				return 0, r.errorf(start, "%s: leb128 encoding longer than %d bytes for a u%d", what, maxLen, bits)
			}
			// Bits above the integer's width must be zero.
			if uint64(c)>>(bits-shift) != 0 {
				return 0, r.errorf(start, "%s: leb128 value overflows u%d", what, bits)
			}
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
	}
}

// count decodes a vector length and rejects one that could not fit in the
// remaining bytes given that every element takes at least minSize bytes, so
// callers may allocate count elements.
func (r *reader) count(what string, minSize int) (int, error) {
	start := r.pos
	n, err := r.u32(what + " count")
	if err != nil {
		return 0, err
	}
	if need := uint64(n) * uint64(minSize); need > uint64(r.remaining()) {
		return 0, r.errorf(start, "%s count %d needs at least %d bytes but only %d remain", what, n, need, r.remaining())
	}
	return int(n), nil
}

// name decodes a length-prefixed UTF-8 name.
func (r *reader) name(what string) (string, error) {
	start := r.pos
	n, err := r.u32(what + " length")
	if err != nil {
		return "", err
	}
	if uint64(n) > uint64(r.remaining()) {
		return "", r.errorf(start, "%s length %d exceeds remaining %d bytes", what, n, r.remaining())
	}
	s := r.b[r.pos : r.pos+int(n)]
	if bad := invalidUTF8(s); bad >= 0 {
		return "", r.errorf(r.pos+bad, "%s: invalid utf-8", what)
	}
	r.pos += int(n)
	return string(s), nil
}

// invalidUTF8 returns the index of the first byte of s that does not start
// a valid UTF-8 sequence, or -1 if s is valid.
func invalidUTF8(s []byte) int {
	if utf8.Valid(s) {
		return -1
	}
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRune(s[i:])
		if c == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1 // unreachable: utf8.Valid said otherwise
}

// limits decodes memory or table limits, including the threads (shared)
// and memory64 flag bits.
func (r *reader) limits(what string) (Limits, error) {
	off := r.pos
	flags, err := r.byte(what + " limits flags")
	if err != nil {
		return Limits{}, err
	}
	if flags > 0x07 {
		return Limits{}, r.errorf(off, "%s: invalid limits flags %#02x", what, flags)
	}
	l := Limits{HasMax: flags&0x01 != 0, Shared: flags&0x02 != 0, Is64: flags&0x04 != 0}
	bits := uint(32)
	if l.Is64 {
		bits = 64
	}
	if l.Min, err = r.uleb(what+" limits min", bits); err != nil {
		return Limits{}, err
	}
	if l.HasMax {
		if l.Max, err = r.uleb(what+" limits max", bits); err != nil {
			return Limits{}, err
		}
	}
	if l.HasMax && l.Max < l.Min {
		return Limits{}, r.errorf(off, "%s: limits max %d is below min %d", what, l.Max, l.Min)
	}
	return l, nil
}
