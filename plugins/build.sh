#!/bin/sh
# Builds every plugin in this module into a directory (default: ./out).
# Run from plugins/. The .wasm files are build artifacts and are gitignored.
set -eu
out=${1:-out}
mkdir -p "$out"
for p in hash clock files fetch test/v1echo test/everything test/neither test/conformance test/hostile test/hostile_import test/hostile_initspin test/benchguest; do
	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o "$out/$(basename "$p").wasm" "./$p"
done
# A WASI command on purpose: no -buildmode=c-shared, so it exports _start, not _initialize.
GOOS=wasip1 GOARCH=wasm go build -o "$out/command.wasm" ./test/command
GOOS=wasip1 GOARCH=wasm go build -o "$out/cmdtool.wasm" ./test/cmdtool
ls -l "$out"/*.wasm
