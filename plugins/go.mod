module github.com/toolhost/toolhost/plugins

go 1.26

require github.com/toolhost/toolhost/sdk v0.0.0

require github.com/extism/go-pdk v1.1.3

require github.com/go-json-experiment/json v1.27.2 // indirect

replace github.com/toolhost/toolhost/sdk => ../sdk
