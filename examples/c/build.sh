#!/bin/sh
# Builds wordcount.wasm from wordcount.c with Debian's clang 14 and wasi-libc.
#
#   ./build.sh [OUTPUT]   build (default OUTPUT: wordcount.wasm next to this script)
#   ./build.sh --check    only check the toolchain
#   ./build.sh --version  print the toolchain's versions (part of the e2e cache key)
#
# Exits 2, naming the Debian packages to install, when the toolchain is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-clang}

missing=""
if ! command -v "$CC" >/dev/null 2>&1; then
	missing=" clang"
else
	# clang finds the linker, wasi-libc and the builtins on its own; ask it where.
	[ -x "$("$CC" --target=wasm32-wasi -print-prog-name=wasm-ld)" ] || missing="$missing lld"
	case $("$CC" --target=wasm32-wasi -print-file-name=libc.a) in
	/*) ;;
	*) missing="$missing wasi-libc" ;;
	esac
	[ -f "$("$CC" --target=wasm32-wasi -print-libgcc-file-name)" ] || missing="$missing libclang-rt-14-dev-wasm32"
fi
if [ -n "$missing" ]; then
	echo "examples/c: the C toolchain for wasm32-wasi is incomplete: missing Debian package(s):$missing" >&2
	echo "  install: apt-get install -y --no-install-recommends clang lld wasi-libc libclang-rt-14-dev-wasm32" >&2
	exit 2
fi
case ${1:-} in
--check) exit 0 ;;
--version)
	"$CC" --version | head -n 1
	dpkg-query -W -f='${Package} ${Version}\n' wasi-libc libclang-rt-14-dev-wasm32 2>/dev/null || true
	exit 0
	;;
esac

out=${1:-$here/wordcount.wasm}
set -x
"$CC" --target=wasm32-wasi -Os -Wall -Wextra -Werror -mexec-model=reactor -Wl,--strip-all \
	-o "$out" "$here/wordcount.c"
