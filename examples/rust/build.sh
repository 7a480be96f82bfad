#!/bin/sh
# Builds roman.wasm from lib.rs with Debian's rustc 1.63 and its wasm32-wasi std
# (no cargo, no crates). /usr/bin/rustc is named explicitly: a rustup rustc
# earlier on PATH has no wasm32 std here and cannot use Debian's.
#
#   ./build.sh [OUTPUT]   build (default OUTPUT: roman.wasm next to this script)
#   ./build.sh --check    only check the toolchain
#   ./build.sh --version  print the toolchain's versions (part of the e2e cache key)
#
# Exits 2, naming the Debian packages to install, when the toolchain is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
RUSTC=${RUSTC:-/usr/bin/rustc}

missing=""
if ! [ -x "$RUSTC" ]; then
	missing=" rustc"
else
	[ -d "$("$RUSTC" --print sysroot)/lib/rustlib/wasm32-wasi/lib" ] || missing="$missing libstd-rust-dev-wasm32"
	# wasm32-wasi links with rust-lld, Debian's link to lld-14 (only recommended by the std package).
	[ -x /usr/bin/rust-lld ] || missing="$missing lld-14"
fi
if [ -n "$missing" ]; then
	echo "examples/rust: the Rust toolchain for wasm32-wasi is incomplete: missing Debian package(s):$missing" >&2
	echo "  install: apt-get install -y --no-install-recommends rustc libstd-rust-dev-wasm32 lld-14" >&2
	exit 2
fi
case ${1:-} in
--check) exit 0 ;;
--version)
	"$RUSTC" -vV
	exit 0
	;;
esac

out=${1:-$here/roman.wasm}
set -x
"$RUSTC" --edition 2021 --target wasm32-wasi --crate-type cdylib \
	-C opt-level=s -C lto -C codegen-units=1 -C strip=symbols -D warnings \
	-o "$out" "$here/lib.rs"
