package main

import (
	"fmt"

	"github.com/toolhost/toolhost/sdk"
)

func init() {
	sdk.AddResource(sdk.Resource{URI: "test://static-text", Name: "static-text", Title: "Static Text Resource",
		Description: "A static text resource for testing", MIMEType: "text/plain"},
		func(*sdk.ReadRequest) ([]sdk.ResourceContents, error) {
			return []sdk.ResourceContents{sdk.TextContents("", "text/plain", "This is the content of the static text resource.")}, nil
		})

	sdk.AddResource(sdk.Resource{URI: "test://static-binary", Name: "static-binary", Title: "Static Binary Resource",
		Description: "A static binary resource for testing", MIMEType: "image/png"},
		func(*sdk.ReadRequest) ([]sdk.ResourceContents, error) {
			return []sdk.ResourceContents{sdk.BlobContents("", "image/png", testImage)}, nil
		})

	// resources-subscribe and resources-unsubscribe (legacy) subscribe to it.
	sdk.AddResource(sdk.Resource{URI: "test://watched-resource", Name: "watched-resource", Title: "Watched Resource",
		Description: "A resource clients can subscribe to for updates", MIMEType: "text/plain"},
		func(*sdk.ReadRequest) ([]sdk.ResourceContents, error) {
			return []sdk.ResourceContents{sdk.TextContents("", "text/plain", "Watched resource content")}, nil
		})

	sdk.AddResourceTemplate(sdk.ResourceTemplate{URITemplate: "test://template/{id}/data", Name: "template",
		Title: "Template Resource", Description: "A resource template with parameter substitution", MIMEType: "application/json"},
		func(r *sdk.ReadRequest) ([]sdk.ResourceContents, error) {
			id := r.Params["id"]
			return []sdk.ResourceContents{sdk.TextContents("", "application/json",
				fmt.Sprintf(`{"id":%q,"templateTest":true,"data":%q}`, id, "Data for ID: "+id))}, nil
		})
}
