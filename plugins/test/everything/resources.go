//go:build wasip1

package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"

	"github.com/toolhost/toolhost/sdk"
)

func init() {
	sdk.AddResource(sdk.Resource{URI: "mem://static/hello", Name: "hello", Description: "A static text resource.", MIMEType: "text/plain"},
		func(*sdk.ReadRequest) ([]sdk.ResourceContents, error) {
			return []sdk.ResourceContents{sdk.TextContents("", "text/plain", "Hello, world!")}, nil
		})

	sdk.AddResource(sdk.Resource{URI: "mem://static/logo", Name: "logo", Description: "A 16x16 PNG (binary blob, base64 on the wire).", MIMEType: "image/png"},
		func(*sdk.ReadRequest) ([]sdk.ResourceContents, error) {
			b, err := logo()
			if err != nil {
				return nil, err
			}
			return []sdk.ResourceContents{sdk.BlobContents("", "image/png", b)}, nil
		})

	sdk.AddResourceTemplate(sdk.ResourceTemplate{URITemplate: "mem://notes/{id}", Name: "note", Description: "Note number id.", MIMEType: "text/plain"},
		func(r *sdk.ReadRequest) ([]sdk.ResourceContents, error) {
			return []sdk.ResourceContents{sdk.TextContents("", "text/plain", "note "+r.Params["id"])}, nil
		})
}

// logo draws a 16x16 two-colour PNG.
func logo() ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			c := color.NRGBA{0x1e, 0x90, 0xff, 0xff}
			if (x/4+y/4)%2 == 0 {
				c = color.NRGBA{0xff, 0xff, 0xff, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
