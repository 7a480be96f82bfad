module github.com/toolhost/toolhost/plugins

go 1.24

require github.com/toolhost/toolhost/sdk v0.0.0

require github.com/extism/go-pdk v1.1.3

replace github.com/toolhost/toolhost/sdk => ../sdk
