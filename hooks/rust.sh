#!/bin/sh
# Before-all hook for Rust extensions (PyO3/maturin): Alpine's own cargo targets
# musl natively on every arch we build it for (there is none for i686: not listed).
set -eu
apk add --no-cache cargo
cargo --version
