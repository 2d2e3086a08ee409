#!/bin/sh
# Before-all hook for Rust extensions that track the newest stable Rust (orjson): Alpine's
# cargo when it is at least RUST_MIN (set in the module's environment), else the stable
# toolchain from rustup, which has musl host toolchains for x86_64, aarch64 and ppc64le
# only: elsewhere the build waits for an Alpine release with a new enough Rust.
set -eu
need=${RUST_MIN:?set RUST_MIN in the module environment of matrix.yml}
apk add --no-cache cargo
have=$(rustc --version | cut -d' ' -f2)
if printf '%s %s\n' "$have" "$need" | awk '{
  split($1, h, "."); split($2, n, ".")
  exit !(h[1] > n[1] || (h[1] == n[1] && h[2] >= n[2]))
}'; then
  echo "Alpine's Rust $have is new enough (>= $need)"
  exit 0
fi
echo "Alpine's Rust $have is older than $need: installing stable with rustup"
apk del cargo
apk add --no-cache rustup
rustup-init -y --profile minimal --default-toolchain stable --no-modify-path
"$HOME/.cargo/bin/cargo" --version
