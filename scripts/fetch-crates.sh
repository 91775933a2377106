#!/usr/bin/env bash
# Downloads every crate Cargo.lock names, for every target, into the cargo home
# (`cargo fetch --locked`), so that every later step can run offline: the builds, the tests,
# and `cargo deny --frozen check`, which reads the metadata of every target's dependencies
# (wasm-only crates such as web-time and bumpalo included) while a build downloads only the
# host's. Idempotent: about a second when everything is already there.
# Usage: bash scripts/fetch-crates.sh   (scripts/setup.sh runs it; CARGO_HOME is honoured)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
t0=$(date +%s)
cd "$ROOT"
cargo fetch --locked --quiet
echo "fetch-crates: every crate of Cargo.lock, all targets, in ${CARGO_HOME:-$HOME/.cargo} ($(( $(date +%s) - t0 )) s)"
