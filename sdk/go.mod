module github.com/toolhost/toolhost/sdk

go 1.26

require github.com/extism/go-pdk v1.1.3

require github.com/google/jsonschema-go v0.4.2

require github.com/go-json-experiment/json v1.27.2
