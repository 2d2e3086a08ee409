#!/bin/sh
# Before-all hook for Rust extensions (PyO3/maturin): Alpine's own cargo targets
# musl natively on every arch we build here (there is none for i686: excluded).
set -eu
apk add --no-cache cargo
cargo --version
