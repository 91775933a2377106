#!/usr/bin/env bash
# `sam build` once, reused while up to date: skipped when .aws-sam/build holds a bootstrap and
# a template newer than every input (src/, vendor/, Cargo.toml, Cargo.lock, template.yaml,
# samconfig.toml). `--force` builds anyway. Prints the build directory on stdout (what
# `make test` passes to the tests as SAM_BUILD_DIR); progress goes to stderr.
# Needs `. .tools/env.sh` (sam, cargo-lambda).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR="$PWD/.aws-sam/build"
ARTEFACT="$BUILD_DIR/CreateApiTokenFunction/bootstrap"
# The authorizer's binary, built by the same `sam build`.
AUTHORIZER_ARTEFACT="$BUILD_DIR/ApiKeyAuthorizerFunction/bootstrap"
log() { printf 'sam-build: %s\n' "$*" >&2; }

stale_input() {
    [[ -f "$ARTEFACT" && -f "$AUTHORIZER_ARTEFACT" && -f "$BUILD_DIR/template.yaml" ]] \
        || { echo "no previous build"; return; }
    local newer
    newer="$(find src vendor Cargo.toml Cargo.lock template.yaml samconfig.toml -newer "$ARTEFACT" -print -quit)"
    [[ -z "$newer" ]] && newer="$(find template.yaml -newer "$BUILD_DIR/template.yaml" -print -quit)"
    echo "$newer"
}

why="$(stale_input)"
if [[ "${1:-}" != --force && -z "$why" ]]; then
    log "up to date ($ARTEFACT)"
else
    [[ "${1:-}" == --force ]] && why="--force"
    log "sam build (cargo lambda build --release --arm64; about 2-3 minutes on 2 cores) because: $why"
    t0=$(date +%s)
    # SAM shows no progress while cargo-lambda compiles: a heartbeat every 30 s.
    ( while sleep 30; do log "still building ($(( $(date +%s) - t0 )) s)"; done ) &
    beat=$!
    trap 'kill $beat 2>/dev/null || true' EXIT
    SAM_CLI_TELEMETRY=0 sam build --beta-features >&2
    kill "$beat" 2>/dev/null || true
    touch "$ARTEFACT"
    log "built in $(( $(date +%s) - t0 )) s: $ARTEFACT ($(stat -c %s "$ARTEFACT") bytes)"
fi
echo "$BUILD_DIR"
