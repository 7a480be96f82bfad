#!/bin/sh
# Builds slugify.wasm from assembly/index.ts with the AssemblyScript compiler
# pinned in package.json / package-lock.json (run `npm ci` here first).
#
#   ./build.sh [OUTPUT]   build (default OUTPUT: slugify.wasm next to this script)
#   ./build.sh --check    only check the toolchain
#   ./build.sh --version  print the toolchain's versions (part of the e2e cache key)
#
# Exits 2, naming what to install, when the toolchain is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v node >/dev/null 2>&1; then
	echo "examples/assemblyscript: node is not on PATH: install Node.js 20 or newer with npm" >&2
	echo "  (Debian package nodejs; from NodeSource it includes npm, else also apt-get install npm)" >&2
	exit 2
fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
	echo "examples/assemblyscript: node $(node -v) is too old: npm package assemblyscript@0.28.20 needs Node.js 20 or newer" >&2
	exit 2
fi
# The installed compiler and PDK must be the pinned ones (package-lock.json).
installed() {
	node -p "require('$here/node_modules/$1/package.json').version" 2>/dev/null || echo none
}
asc=$(installed assemblyscript)
pdk=$(installed @extism/as-pdk)
if [ "$asc" != 0.28.20 ] || [ "$pdk" != 1.0.0 ]; then
	echo "examples/assemblyscript: npm packages assemblyscript@0.28.20 and @extism/as-pdk@1.0.0 are not installed" >&2
	echo "  (found assemblyscript $asc, @extism/as-pdk $pdk); install: (cd examples/assemblyscript && npm ci)" >&2
	exit 2
fi
case ${1:-} in
--check) exit 0 ;;
--version)
	echo "assemblyscript $asc"
	echo "@extism/as-pdk $pdk"
	exit 0
	;;
esac

out=${1:-$here/slugify.wasm}
cd "$here"
set -x
node node_modules/assemblyscript/bin/asc.js assembly/index.ts --outFile "$out" \
	--use abort=assembly/index/abort -Oz --noAssert
