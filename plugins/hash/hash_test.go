package main

import (
	"strings"
	"testing"
)

func ptr(s string) *string { return &s }

func TestDigest(t *testing.T) {
	tests := []struct {
		name    string
		a       args
		want    string
		wantErr string
	}{
		{"md5 text", args{Algorithm: "md5", Text: ptr("abc")}, "900150983cd24fb0d6963f7d28e17f72", ""},
		{"sha1 text", args{Algorithm: "sha1", Text: ptr("abc")}, "a9993e364706816aba3e25717850c26c9cd0d89d", ""},
		{"sha256 empty", args{Algorithm: "sha256", Text: ptr("")}, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ""},
		{"sha256 base64 input", args{Algorithm: "SHA256", Base64: ptr("YWJj")}, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ""},
		{"unpadded url base64", args{Algorithm: "sha256", Base64: ptr("YWJ")}, "", ""},
		{"sha512 base64 out", args{Algorithm: "sha512", Text: ptr("abc"), Encoding: "base64"}, "3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==", ""},
		{"both inputs", args{Algorithm: "md5", Text: ptr("a"), Base64: ptr("YQ==")}, "", "not both"},
		{"no input", args{Algorithm: "md5"}, "", "missing input"},
		{"bad base64", args{Algorithm: "md5", Base64: ptr("!!")}, "", "base64: not valid base64"},
		{"bad algorithm", args{Algorithm: "sha3", Text: ptr("a")}, "", `unknown algorithm "sha3"`},
		{"bad encoding", args{Algorithm: "md5", Text: ptr("a"), Encoding: "b32"}, "", `unknown encoding "b32"`},
		{"key given", args{Algorithm: "md5", Text: ptr("a"), Key: ptr("k")}, "", "use the hmac tool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := digest(tt.a)
			check(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestHMAC(t *testing.T) {
	// RFC 4231 test case 2 and the well-known "quick brown fox" vectors.
	fox := ptr("The quick brown fox jumps over the lazy dog")
	tests := []struct {
		name    string
		a       args
		want    string
		wantErr string
	}{
		{"rfc4231 tc2 sha256", args{Algorithm: "sha256", Key: ptr("Jefe"), Text: ptr("what do ya want for nothing?")}, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", ""},
		{"md5 fox", args{Algorithm: "md5", Key: ptr("key"), Text: fox}, "80070713463e7749b90c2dc24911e275", ""},
		{"sha1 fox, key base64", args{Algorithm: "sha1", KeyBase64: ptr("a2V5"), Text: fox}, "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9", ""},
		{"no key", args{Algorithm: "sha1", Text: fox}, "", "missing input: give key or key_base64"},
		{"two keys", args{Algorithm: "sha1", Key: ptr("k"), KeyBase64: ptr("aw=="), Text: fox}, "", "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hmacDigest(tt.a)
			check(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func check(t *testing.T, got output, err error, want, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("err = %v, want %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if want != "" && got.Digest != want {
		t.Errorf("digest %s, want %s", got.Digest, want)
	}
}
