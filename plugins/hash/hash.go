package main

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// args are the arguments of both tools; Key and KeyBase64 only for hmac.
type args struct {
	Algorithm string  `json:"algorithm"`
	Text      *string `json:"text"`
	Base64    *string `json:"base64"`
	Encoding  string  `json:"encoding"`
	Key       *string `json:"key"`
	KeyBase64 *string `json:"key_base64"`
}

// output is the structured result of both tools.
type output struct {
	Algorithm  string `json:"algorithm"`
	Encoding   string `json:"encoding"`
	Digest     string `json:"digest"`
	InputBytes int    `json:"input_bytes"`
}

var algorithms = map[string]func() hash.Hash{
	"md5":    md5.New,
	"sha1":   sha1.New,
	"sha256": sha256.New,
	"sha512": sha512.New,
}

func newHash(name string) (func() hash.Hash, error) {
	h, ok := algorithms[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("unknown algorithm %q: use md5, sha1, sha256 or sha512", name)
	}
	return h, nil
}

// oneOf returns the bytes of exactly one of a text or base64 field.
func oneOf(textName string, text *string, b64Name string, b64 *string) ([]byte, error) {
	switch {
	case text != nil && b64 != nil:
		return nil, fmt.Errorf("give either %s or %s, not both", textName, b64Name)
	case text != nil:
		return []byte(*text), nil
	case b64 != nil:
		b, err := decodeBase64(*b64)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", b64Name, err)
		}
		return b, nil
	default:
		return nil, fmt.Errorf("missing input: give %s or %s", textName, b64Name)
	}
}

// decodeBase64 accepts the standard and URL alphabets, padded or not, and
// ignores surrounding whitespace and line breaks.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not valid base64")
}

func encodeDigest(sum []byte, encoding string) (string, string, error) {
	switch strings.ToLower(encoding) {
	case "", "hex":
		return hex.EncodeToString(sum), "hex", nil
	case "base64":
		return base64.StdEncoding.EncodeToString(sum), "base64", nil
	default:
		return "", "", fmt.Errorf("unknown encoding %q: use hex or base64", encoding)
	}
}

func digest(a args) (output, error) {
	if a.Key != nil || a.KeyBase64 != nil {
		return output{}, errors.New("digest takes no key; use the hmac tool for keyed hashes")
	}
	newH, err := newHash(a.Algorithm)
	if err != nil {
		return output{}, err
	}
	data, err := oneOf("text", a.Text, "base64", a.Base64)
	if err != nil {
		return output{}, err
	}
	h := newH()
	h.Write(data)
	return finish(a, h.Sum(nil), len(data))
}

func hmacDigest(a args) (output, error) {
	newH, err := newHash(a.Algorithm)
	if err != nil {
		return output{}, err
	}
	key, err := oneOf("key", a.Key, "key_base64", a.KeyBase64)
	if err != nil {
		return output{}, err
	}
	data, err := oneOf("text", a.Text, "base64", a.Base64)
	if err != nil {
		return output{}, err
	}
	m := hmac.New(newH, key)
	m.Write(data)
	return finish(a, m.Sum(nil), len(data))
}

func finish(a args, sum []byte, n int) (output, error) {
	d, enc, err := encodeDigest(sum, a.Encoding)
	if err != nil {
		return output{}, err
	}
	return output{Algorithm: strings.ToLower(a.Algorithm), Encoding: enc, Digest: d, InputBytes: n}, nil
}
